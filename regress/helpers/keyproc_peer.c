/*
 * Copyright (c) 2026 acmed maintainers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * keyproc_peer: the real keyproc program, started as the parent starts
 * it (proc_exec(): its own program, its user, its empty root, its
 * sandbox), driven over real socketpairs by a stand-in for the parent
 * and one for netproc.  As the parent it hands keys by descriptor with
 * their roles and authorises operations; as netproc it asks for what
 * acmed asks for, which must be signed, and for what a netproc that is no
 * longer acmed's could ask for, which must be refused: the reason to
 * netproc, a warning in keyproc's log (an order for names of no domain, a
 * finalize with a CSR keyproc did not make...).  Prints TAP.
 *
 * usage: keyproc_peer -u user -C dir program keydir
 *
 * keydir holds PEM key files: account.key and other.key (the account
 * keys of two authorities), domain.key, new.key and spare.key (two new
 * keys for the first account), and other.mac (the second authority's
 * external account MAC key).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <yajl/yajl_tree.h>

#include "regress/unit/test.h"
#include "regress/unit/t_jws_verify.h"
#include "regress/helpers/keyproc_drv.h"
#include "base64.h"
#include "buf.h"
#include "imsg.h"
#include "keytype.h"
#include "log.h"
#include "msg.h"
#include "proc.h"

#define ACCT		1u		/* authority 1's account key */
#define OTHER		2u		/* authority 2's, with a binding */
#define NOROLE		7u		/* loaded, never given a role */
#define DOMAIN		0x10001u	/* a domain of authority 1 */
#define IPDOMAIN	0x10002u	/* one with addresses, no key loaded */
#define NEWKEY		0x80000001u	/* authority 1's new account key */
#define SPARE		0x80000002u	/* another one */

#define DIR1		"https://acme.test:14000/dir"
#define DIR2		"https://other.test/dir"
#define API1		"https://acme.test:14000/"
#define ACCT_URL	API1 "my-account/1"
#define NONCE		"bm9uY2U"
#define NAMES		"a.example.org\nb.example.org"
#define ID(n)		"{\"type\":\"dns\",\"value\":\"" n "\"}"
#define IPNAMES		"c.example.org\n192.0.2.1\n2001:db8::1"
#define IPID(n)		"{\"type\":\"ip\",\"value\":\"" n "\"}"
#define ORDER(ids)	"{\"identifiers\":[" ids "]}"
/* A newOrder for the domain's names, as acmed places it. */
#define ORDER_OK	ORDER(ID("a.example.org") "," ID("b.example.org"))

struct peer {
	EVP_PKEY	*acct, *domain, *newkey;
	unsigned char	*cert[2];	/* two leaves of the domain key */
	size_t		 certlen[2];
	char		*csr;		/* base64url of a CSR keyproc made */
};

static struct peer	 P;

static void
b_sign(struct buf *b, uint32_t id, const char *url, const char *kid,
    const char *payload)
{
	buf_init(b, IMSG_MAX_SIZE);
	buf_add_u32(b, id);
	buf_add_lstr(b, url);
	buf_add_lstr(b, NONCE);
	buf_add_lstr(b, kid);
	buf_add_blob(b, payload, payload != NULL ? strlen(payload) : 0);
}

/* A request of a key id and a string: CSR (names), EAB (URL). */
static void
b_id_str(struct buf *b, uint32_t id, const char *str)
{
	buf_init(b, IMSG_MAX_SIZE);
	buf_add_u32(b, id);
	buf_add_lstr(b, str);
}

static void
b_key_change(struct buf *b, uint32_t old, uint32_t new, const char *url,
    const char *account)
{
	buf_init(b, IMSG_MAX_SIZE);
	buf_add_u32(b, old);
	buf_add_u32(b, new);
	buf_add_lstr(b, url);
	buf_add_lstr(b, NONCE);
	buf_add_lstr(b, account);
}

/* As the parent: key id is role of authority authid. */
static void
role(uint32_t id, enum key_role kr, uint32_t authid, const char *names,
    const char *profile)
{
	send_role(id, kr, authid, authid == 1 ? "pebble" : "other",
	    authid == 1 ? DIR1 : DIR2, names, profile);
}

/* As the parent: the key file keydir/name, by descriptor, as key id. */

/* As the parent: type KEY_ALLOW or KEY_WITHDRAW. */
static void
authorise(uint32_t type, uint32_t id, enum key_op op, uint32_t other,
    int cert)
{
	struct buf	 b;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, id);
	buf_add_u32(&b, op);
	buf_add_u32(&b, other);
	buf_add_blob(&b, cert >= 0 ? P.cert[cert] : NULL, cert >= 0 ?
	    P.certlen[cert] : 0);
	send_on(KP.parent, type, -1, &b);
	buf_free(&b);
}

/* As the parent: the deactivation of the account at url, or no more. */
static void
authorise_deactivation(uint32_t type, const char *url)
{
	struct buf	 b;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, ACCT);
	buf_add_u32(&b, KEY_OP_DEACTIVATE);
	buf_add_u32(&b, 0);
	buf_add_blob(&b, url, url != NULL ? strlen(url) : 0);
	send_on(KP.parent, type, -1, &b);
	buf_free(&b);
}

/*
 * As the parent: a provisional certificate of the domain key, which
 * stands for the leaf the authority issued; its DER in P.cert[i].
 */
static void
domain_cert(int i)
{
	struct buf	 b;
	struct imsg	 m;
	BIO		*bio;
	X509		*x;
	unsigned char	*der = NULL;
	int		 len;

	b_id_str(&b, DOMAIN, NAMES);
	buf_add_i64(&b, 30);
	send_on(KP.parent, MSG_SELF_SIGNED, -1, &b);
	buf_free(&b);
	recv_on(KP.parent, &m);
	if (m.hdr.type != MSG_SELF_SIGNED_PEM || m.datalen < 8)
		errx(1, "no certificate of the domain key");
	bio = BIO_new_mem_buf(m.data + 8, (int)m.datalen - 8);
	if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL ||
	    (len = i2d_X509(x, &der)) <= 0)
		errx(1, "certificate of the domain key");
	P.cert[i] = der;
	P.certlen[i] = (size_t)len;
	X509_free(x);
	BIO_free(bio);
	imsg_clear(&m);
}

/* A revocation of certificate i, as netproc builds it. */
static const char *
revocation(int i, const char *extra)
{
	static char	 s[8192];
	char		*b64;

	if ((b64 = b64url_encode(P.cert[i], P.certlen[i])) == NULL ||
	    (size_t)snprintf(s, sizeof(s), "{\"certificate\":\"%s\"%s}", b64,
	    extra) >= sizeof(s))
		errx(1, "revocation");
	free(b64);
	return s;
}

static const char *
hstr(yajl_val h, const char *key)
{
	const char	*path[] = { key, NULL };
	yajl_val	 v;

	v = yajl_tree_get(h, path, yajl_t_string);
	return v != NULL ? YAJL_GET_STRING(v) : NULL;
}

/* A base64url text decoded, as a C string; NULL if it is not one. */
static char *
decode(const char *b64)
{
	unsigned char	*dec;
	char		*s;
	size_t		 len;

	if (b64 == NULL || b64url_decode(b64, strlen(b64), &dec, &len) == -1)
		return NULL;
	s = strndup((const char *)dec, len);
	free(dec);
	return s;
}

/*
 * A JWS text signed by pub for url: nonce (NULL: none), kid ("": the
 * JWK instead); its payload in *payload if not NULL.  Says what differs.
 */
static int
jws_is(const char *jws, EVP_PKEY *pub, const char *url, const char *nonce,
    const char *kid, char **payload)
{
	const char	*jwk[] = { "jwk", NULL }, *prot, *pay, *sig;
	yajl_val	 root, h = NULL;
	char		*input = NULL, *text = NULL;
	int		 ok = 0;

	if ((root = yajl_tree_parse(jws, NULL, 0)) == NULL ||
	    (prot = hstr(root, "protected")) == NULL ||
	    (pay = hstr(root, "payload")) == NULL ||
	    (sig = hstr(root, "signature")) == NULL ||
	    asprintf(&input, "%s.%s", prot, pay) == -1) {
		printf("# not a JWS: %s\n", jws);
		goto out;
	}
	if (!verify(pub, "ES256", input, sig)) {
		printf("# the signature does not verify\n");
		goto out;
	}
	if ((text = decode(prot)) == NULL ||
	    (h = yajl_tree_parse(text, NULL, 0)) == NULL ||
	    hstr(h, "url") == NULL || strcmp(hstr(h, "url"), url) != 0 ||
	    (nonce == NULL) != (hstr(h, "nonce") == NULL) ||
	    (nonce != NULL && strcmp(hstr(h, "nonce"), nonce) != 0)) {
		printf("# url or nonce differ: %s\n", text);
		goto out;
	}
	if (kid[0] != '\0' ? hstr(h, "kid") == NULL ||
	    strcmp(hstr(h, "kid"), kid) != 0 : yajl_tree_get(h, jwk,
	    yajl_t_object) == NULL) {
		printf("# kid or jwk differ: %s\n", text);
		goto out;
	}
	ok = payload == NULL || (*payload = decode(pay)) != NULL;
 out:
	free(input);
	free(text);
	yajl_tree_free(h);
	yajl_tree_free(root);
	return ok;
}

/* The JWS text of a SIGN_RESP for key id. */
static char *
sign_resp(const struct imsg *m, uint32_t id)
{
	struct rbuf	 r;
	const uint8_t	*p;
	size_t		 len;

	rbuf_init(&r, m->data, m->datalen);
	if (rbuf_u32(&r) != id || (p = rbuf_blob(&r, &len,
	    IMSG_MAX_SIZE)) == NULL || rbuf_end(&r) == -1)
		return NULL;
	return strndup((const char *)p, len);
}

/* MSG_SIGN with key id: 1 if it was signed (SIGN_RESP). */
static int
sign_quiet(uint32_t id, const char *url, const char *kid, const char *payload)
{
	struct buf	 b;
	struct imsg	 m;
	int		 ok;

	b_sign(&b, id, url, kid, payload);
	ok = ask(MSG_SIGN, &b, &m) == MSG_SIGN_RESP;
	imsg_clear(&m);
	buf_free(&b);
	return ok;
}

/* MSG_SIGN with key id must be signed as asked. */
static void
signed_ok(const char *what, uint32_t id, EVP_PKEY *pub, const char *url,
    const char *kid, const char *payload)
{
	struct buf	 b;
	struct imsg	 m;
	char		*jws = NULL, *pay = NULL;
	int		 ok = 0;

	b_sign(&b, id, url, kid, payload);
	if (ask(MSG_SIGN, &b, &m) == MSG_SIGN_RESP &&
	    (jws = sign_resp(&m, id)) != NULL &&
	    jws_is(jws, pub, url, NONCE, kid, &pay))
		ok = strcmp(pay, payload != NULL ? payload : "") == 0;
	else if (m.hdr.type == MSG_KEYPROC_ERR)
		printf("# refused: %s\n", m.data + 8);
	CHECK(ok, "signed: %s", what);
	free(jws);
	free(pay);
	imsg_clear(&m);
	buf_free(&b);
}

/*
 * Request type (b) must be refused: KEYPROC_ERR naming the key and
 * holding want, and the same line in keyproc's log as a warning.
 */
static void
refused_b(const char *what, uint32_t type, struct buf *b, uint32_t id,
    const char *want)
{
	struct imsg	 m;
	struct rbuf	 r;
	char		*s = NULL, head[32];
	int		 i, logged = 0;

	KP.warning[0] = '\0';
	if (ask(type, b, &m) == MSG_KEYPROC_ERR) {
		rbuf_init(&r, m.data, m.datalen);
		if (rbuf_u32(&r) == id)
			s = rbuf_str(&r, IMSG_MAX_SIZE);
	}
	snprintf(head, sizeof(head), "key %u (", id);
	CHECK(s != NULL && strncmp(s, head, strlen(head)) == 0 &&
	    strstr(s, "refused to sign ") != NULL && strstr(s, want) != NULL,
	    "refused: %s (%s)", what, s != NULL ? s : msg_name(m.hdr.type));
	for (i = 0; i < 50 && s != NULL && strcmp(KP.warning, s) != 0; i++)
		logged = read_logs(100);
	(void)logged;
	CHECK(s != NULL && strcmp(KP.warning, s) == 0, "refused: %s: keyproc "
	    "logged it as a warning", what);
	free(s);
	imsg_clear(&m);
	buf_free(b);
}

static void
refused_sign(const char *what, uint32_t id, const char *url,
    const char *kid, const char *payload, const char *want)
{
	struct buf	 b;

	b_sign(&b, id, url, kid, payload);
	refused_b(what, MSG_SIGN, &b, id, want);
}

/* The account key: what acmed asks for, then what it never does. */
static void
test_account(void)
{
	signed_ok("newAccount with the JWK", ACCT, P.acct, API1 "new-acct",
	    "", "{\"termsOfServiceAgreed\":true,\"contact\":"
	    "[\"mailto:a@example.org\"]}");
	signed_ok("account look-up", ACCT, P.acct, API1 "new-acct", "",
	    "{\"onlyReturnExisting\":true}");
	signed_ok("newOrder", ACCT, P.acct, API1 "new-order", ACCT_URL,
	    "{\"identifiers\":[" ID("a.example.org") "," ID("b.example.org")
	    "],\"replaces\":\"aa.bb\"}");
	signed_ok("POST-as-GET", ACCT, P.acct, API1 "order/1", ACCT_URL, NULL);
	signed_ok("challenge response", ACCT, P.acct, API1 "chall/1",
	    ACCT_URL, "{}");
	signed_ok("a URL of the same origin in other letters", ACCT, P.acct,
	    "https://ACME.test:14000/order/2", ACCT_URL, NULL);

	refused_sign("a URL of another host", ACCT, "https://evil.test/order",
	    ACCT_URL, NULL, "outside the origin of authority pebble");
	refused_sign("a URL of another port", ACCT,
	    "https://acme.test:14001/order/1", ACCT_URL, NULL,
	    "outside the origin");
	refused_sign("a URL of another scheme", ACCT,
	    "http://acme.test:14000/order/1", ACCT_URL, NULL,
	    "outside the origin");
	refused_sign("a URL hiding its host behind user information", ACCT,
	    "https://acme.test:14000@evil.test/new-order", ACCT_URL,
	    ORDER_OK, "outside the origin");
	refused_sign("the other authority's URL", ACCT, "https://other.test/x",
	    ACCT_URL, NULL, "outside the origin");
	refused_sign("a kid of another origin", ACCT, API1 "order/1",
	    "https://evil.test/acct/1", NULL, "a kid for");
	refused_sign("a newOrder with the JWK instead of the account", ACCT,
	    API1 "new-order", "", ORDER_OK, "without the account URL");
	refused_sign("a key change through SIGN", ACCT, API1 "key-change",
	    ACCT_URL, "{\"protected\":\"e30\",\"payload\":\"e30\","
	    "\"signature\":\"AA\"}", "a key change outside KEY_CHANGE");
	refused_sign("duplicate members", ACCT, API1 "finalize/1", ACCT_URL,
	    "{\"csr\":\"MIIB\",\"csr\":\"MIIC\"}", "\"csr\" twice");
	refused_sign("duplicate members inside", ACCT, API1 "new-order",
	    ACCT_URL, "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\","
	    "\"value\":\"b\"}]}", "\"value\" twice");
	refused_sign("garbage", ACCT, API1 "new-order", ACCT_URL,
	    "\x01garbage", "not valid JSON");
	refused_sign("JSON after the object", ACCT, API1 "new-order", ACCT_URL,
	    "{}{\"status\":\"deactivated\"}", "not valid JSON");
	refused_sign("a JSON array", ACCT, API1 "new-order", ACCT_URL, "[{}]",
	    "not a JSON object");
	refused_sign("an unknown member", ACCT, API1 "new-order", ACCT_URL,
	    "{\"identifiers\":[],\"evil\":1}", "\"evil\"");
	refused_sign("members of two requests", ACCT, API1 "new-order",
	    ACCT_URL, "{\"identifiers\":[],\"csr\":\"MIIB\"}", "mixes");
	refused_sign("a deactivation", ACCT, ACCT_URL, ACCT_URL,
	    "{\"status\":\"deactivated\"}", "an account deactivation that "
	    "the parent did not authorise");
	refused_sign("a revocation", ACCT, API1 "revoke-cert", ACCT_URL,
	    revocation(0, ""), "a revocation that the parent did not "
	    "authorise");
}

/* The domain key signs CSRs for its names, and nothing else unasked. */
static void
test_domain(void)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	X509_REQ	*req = NULL;
	const uint8_t	*der;
	const unsigned char *p;
	size_t		 len;

	b_id_str(&b, DOMAIN, "b.example.org\na.example.org");
	if (ask(MSG_CSR, &b, &m) == MSG_CSR_RESP) {
		rbuf_init(&r, m.data, m.datalen);
		(void)rbuf_u32(&r);
		der = rbuf_blob(&r, &len, IMSG_MAX_SIZE);
		p = der;
		if (rbuf_end(&r) == 0 &&
		    (req = d2i_X509_REQ(NULL, &p, (long)len)) != NULL)
			P.csr = b64url_encode(der, len);
	}
	CHECK(req != NULL && X509_REQ_verify(req, P.domain) == 1,
	    "signed: a CSR for the domain's names");
	X509_REQ_free(req);
	imsg_clear(&m);
	buf_free(&b);

	b_id_str(&b, DOMAIN, "a.example.org\nevil.example.org");
	refused_b("a CSR for another name", MSG_CSR, &b, DOMAIN,
	    "a CSR for evil.example.org");
	b_id_str(&b, DOMAIN, "a.example.org");
	refused_b("a CSR for some of the names", MSG_CSR, &b, DOMAIN,
	    "a CSR without b.example.org");
	b_id_str(&b, ACCT, NAMES);
	refused_b("a CSR with the account key", MSG_CSR, &b, ACCT,
	    "only a domain key signs one");

	refused_sign("a newOrder with the domain key", DOMAIN,
	    API1 "new-order", "", ORDER_OK, "a domain key "
	    "signs only revocations");
	refused_sign("a newAccount with the domain key", DOMAIN,
	    API1 "new-acct", "", "{\"termsOfServiceAgreed\":true}",
	    "a domain key signs only revocations");
	refused_sign("a POST-as-GET with the domain key", DOMAIN,
	    API1 "order/1", ACCT_URL, NULL, "a domain key signs only");
	refused_sign("a revocation with the domain key, not authorised",
	    DOMAIN, API1 "revoke-cert", "", revocation(0, ""),
	    "a revocation that the parent did not authorise");
}

/* A finalize carrying the CSR csr (base64url). */
static const char *
finalize(const char *csr)
{
	static char	 s[8192];

	if ((size_t)snprintf(s, sizeof(s), "{\"csr\":\"%s\"}", csr) >=
	    sizeof(s))
		errx(1, "finalize");
	return s;
}

/*
 * A domain with IP addresses (RFC 8738): ordered as "ip" identifiers in
 * their one text form, the DNS name as "dns"; an address of no domain,
 * or a name of the other type, is refused.
 */
static void
test_order_ip(void)
{
	signed_ok("newOrder for a DNS name and two addresses", ACCT, P.acct,
	    API1 "new-order", ACCT_URL, ORDER(IPID("2001:db8::1") ","
	    ID("c.example.org") "," IPID("192.0.2.1")));
	refused_sign("newOrder for an address of no domain", ACCT,
	    API1 "new-order", ACCT_URL, ORDER(ID("c.example.org") ","
	    IPID("192.0.2.1") "," IPID("2001:db8::1") "," IPID("192.0.2.2")),
	    "a newOrder for 192.0.2.2, a name of no domain of authority "
	    "pebble");
	refused_sign("newOrder with an address as a dns identifier", ACCT,
	    API1 "new-order", ACCT_URL, ORDER(ID("c.example.org") ","
	    ID("192.0.2.1") "," IPID("2001:db8::1")),
	    "each of the type its value is");
	refused_sign("newOrder with a DNS name as an ip identifier", ACCT,
	    API1 "new-order", ACCT_URL, ORDER(IPID("c.example.org") ","
	    IPID("192.0.2.1") "," IPID("2001:db8::1")),
	    "each of the type its value is");
	refused_sign("newOrder with an address in another text form", ACCT,
	    API1 "new-order", ACCT_URL, ORDER(ID("c.example.org") ","
	    IPID("192.0.2.1") "," IPID("2001:db8:0::1")),
	    "each of the type its value is");
}

/*
 * What an account orders and finalizes: exactly one domain's names, and
 * only a CSR keyproc made with that domain's key.  A netproc that is not
 * acmed's any more cannot have the account certify a key of its own, nor
 * order a name the parent gave no domain key for.
 */
static void
test_order_finalize(void)
{
	int	 i, n;

	signed_ok("newOrder for the domain's names in another order", ACCT,
	    P.acct, API1 "new-order", ACCT_URL,
	    ORDER(ID("b.example.org") "," ID("a.example.org")));
	refused_sign("newOrder for a name of no domain", ACCT,
	    API1 "new-order", ACCT_URL, ORDER(ID("a.example.org") ","
	    ID("b.example.org") "," ID("evil.example.org")),
	    "a newOrder for evil.example.org, a name of no domain of "
	    "authority pebble");
	refused_sign("newOrder for some of a domain's names", ACCT,
	    API1 "new-order", ACCT_URL, ORDER(ID("a.example.org")),
	    "a newOrder for names that are not those of one domain");
	refused_sign("newOrder naming one name twice", ACCT, API1 "new-order",
	    ACCT_URL, ORDER(ID("a.example.org") "," ID("a.example.org")),
	    "not those of one domain");
	refused_sign("newOrder for the domain of another authority", OTHER,
	    "https://other.test/new-order", "https://other.test/acct/1",
	    ORDER_OK, "a name of no domain of authority other");
	refused_sign("newOrder with an identifier of another type", ACCT,
	    API1 "new-order", ACCT_URL, "{\"identifiers\":[{\"type\":"
	    "\"email\",\"value\":\"a.example.org\"}]}",
	    "identifiers are not a list");
	refused_sign("newOrder with identifiers that are not objects", ACCT,
	    API1 "new-order", ACCT_URL, "{\"identifiers\":[\"a.example."
	    "org\",\"b.example.org\"]}", "identifiers are not a list");
	refused_sign("newOrder with no identifier", ACCT, API1 "new-order",
	    ACCT_URL, "{\"identifiers\":[]}", "identifiers are not a list");
	signed_ok("newOrder with the domain's profile", ACCT, P.acct,
	    API1 "new-order", ACCT_URL, "{\"identifiers\":[" ID("a.example.org")
	    "," ID("b.example.org") "],\"profile\":\"tlsserver\"}");
	refused_sign("newOrder with another profile", ACCT, API1 "new-order",
	    ACCT_URL, "{\"identifiers\":[" ID("a.example.org") ","
	    ID("b.example.org") "],\"profile\":\"shortlived\"}",
	    "a newOrder for the profile \"shortlived\", which is not the one "
	    "configured for a.example.org");
	refused_sign("newOrder whose profile is not a string", ACCT,
	    API1 "new-order", ACCT_URL, "{\"identifiers\":["
	    ID("a.example.org") "," ID("b.example.org") "],\"profile\":7}",
	    "a newOrder whose profile is not a string");

	if (P.csr == NULL)
		errx(1, "no CSR from keyproc");
	refused_sign("finalize with a CSR keyproc did not make", ACCT,
	    API1 "finalize/1", ACCT_URL, finalize("MIIB"),
	    "a finalize whose CSR keyproc did not make with a domain key of "
	    "authority pebble");
	refused_sign("finalize by another authority's account", OTHER,
	    "https://other.test/finalize/1", "https://other.test/acct/1",
	    finalize(P.csr), "did not make with a domain key of authority "
	    "other");
	refused_sign("finalize whose csr is not a string", ACCT,
	    API1 "finalize/1", ACCT_URL, "{\"csr\":[]}",
	    "csr is not a string");
	signed_ok("finalize with the CSR keyproc made", ACCT, P.acct,
	    API1 "finalize/1", ACCT_URL, finalize(P.csr));
	for (i = 1, n = 0; i < KEY_ALLOW_SIGNATURES; i++)
		n += sign_quiet(ACCT, API1 "finalize/1", ACCT_URL,
		    finalize(P.csr));
	CHECK(n == KEY_ALLOW_SIGNATURES - 1, "signed: the finalize %d times "
	    "in all (%d)", KEY_ALLOW_SIGNATURES, n + 1);
	refused_sign("finalize with that CSR once more", ACCT,
	    API1 "finalize/1", ACCT_URL, finalize(P.csr),
	    "CSR keyproc did not make");

	refused_sign("an account update with the kid", ACCT, ACCT_URL,
	    ACCT_URL, "{\"contact\":[\"mailto:evil@example.org\"]}",
	    "an account update");
	refused_sign("the account look-up with the kid", ACCT,
	    API1 "new-acct", ACCT_URL, "{\"onlyReturnExisting\":true}",
	    "an account update");
}

/* Revocations the parent authorised, and only those. */
static void
test_revoke(void)
{
	authorise(MSG_KEY_ALLOW, DOMAIN, KEY_OP_REVOKE, 0, 0);
	refused_sign("a revocation of another certificate", DOMAIN,
	    API1 "revoke-cert", "", revocation(1, ""), "a revocation of "
	    "another certificate or for another reason than the parent "
	    "authorised");
	refused_sign("the authorised revocation with the account key", ACCT,
	    API1 "revoke-cert", ACCT_URL, revocation(0, ""),
	    "a revocation that the parent did not authorise");
	refused_sign("the authorised revocation with a kid", DOMAIN,
	    API1 "revoke-cert", ACCT_URL, revocation(0, ""), "with a kid");
	refused_sign("the authorised revocation for another authority",
	    DOMAIN, "https://other.test/revoke-cert", "", revocation(0, ""),
	    "outside the origin");
	signed_ok("the authorised revocation with the domain key", DOMAIN,
	    P.domain, API1 "revoke-cert", "", revocation(0, ""));
	signed_ok("the authorised revocation, reason unspecified given",
	    DOMAIN, P.domain, API1 "revoke-cert", "",
	    revocation(0, ",\"reason\":0"));
	refused_sign("the revocation for a reason not authorised", DOMAIN,
	    API1 "revoke-cert", "", revocation(0, ",\"reason\":4"),
	    "another certificate or for another reason than the parent "
	    "authorised");
	authorise(MSG_KEY_WITHDRAW, DOMAIN, KEY_OP_REVOKE, 0, 0);
	authorise(MSG_KEY_ALLOW, DOMAIN, KEY_OP_REVOKE, REVOKE_SUPERSEDED, 0);
	signed_ok("the authorised revocation, reason superseded", DOMAIN,
	    P.domain, API1 "revoke-cert", "", revocation(0, ",\"reason\":4"));
	refused_sign("that revocation for no reason (unspecified)", DOMAIN,
	    API1 "revoke-cert", "", revocation(0, ""), "another reason");
	authorise(MSG_KEY_WITHDRAW, DOMAIN, KEY_OP_REVOKE, REVOKE_SUPERSEDED,
	    0);
	/* Codes acmed never gives, even authorised: 2, 6, 8 to 10 the CA's. */
	authorise(MSG_KEY_ALLOW, DOMAIN, KEY_OP_REVOKE, 6, 0);
	refused_sign("a revocation for reason 6 (certificateHold)", DOMAIN,
	    API1 "revoke-cert", "", revocation(0, ",\"reason\":6"),
	    "a revocation for reason 6, which acmed never gives");
	authorise(MSG_KEY_WITHDRAW, DOMAIN, KEY_OP_REVOKE, 6, 0);
	authorise(MSG_KEY_ALLOW, DOMAIN, KEY_OP_REVOKE, 0, 0);
	refused_sign("a revocation for reason 2 (cACompromise)", DOMAIN,
	    API1 "revoke-cert", "", revocation(0, ",\"reason\":2"),
	    "reason 2, which acmed never gives");
	refused_sign("a revocation for reason -1", DOMAIN,
	    API1 "revoke-cert", "", revocation(0, ",\"reason\":-1"),
	    "reason -1, which acmed never gives");
	refused_sign("a revocation for reason 4294967296", DOMAIN,
	    API1 "revoke-cert", "",
	    revocation(0, ",\"reason\":4294967296"),
	    "reason 4294967296, which acmed never gives");
	authorise(MSG_KEY_WITHDRAW, DOMAIN, KEY_OP_REVOKE, 0, 0);
	refused_sign("the revocation once withdrawn", DOMAIN,
	    API1 "revoke-cert", "", revocation(0, ""), "a revocation that the "
	    "parent did not authorise");

	/* Through the account, for a certificate of another key. */
	authorise(MSG_KEY_ALLOW, ACCT, KEY_OP_REVOKE, 0, 1);
	signed_ok("an authorised revocation through the account", ACCT,
	    P.acct, API1 "revoke-cert", ACCT_URL, revocation(1, ""));
	refused_sign("another revocation through the account", ACCT,
	    API1 "revoke-cert", ACCT_URL, revocation(0, ""),
	    "another certificate");
	authorise(MSG_KEY_WITHDRAW, ACCT, KEY_OP_REVOKE, 0, 1);
	authorise(MSG_KEY_ALLOW, ACCT, KEY_OP_REVOKE, REVOKE_KEY_COMPROMISE,
	    1);
	signed_ok("keyCompromise through the account", ACCT, P.acct,
	    API1 "revoke-cert", ACCT_URL, revocation(1, ",\"reason\":1"));
	refused_sign("that revocation as cessationOfOperation", ACCT,
	    API1 "revoke-cert", ACCT_URL, revocation(1, ",\"reason\":5"),
	    "another reason");
	authorise(MSG_KEY_WITHDRAW, ACCT, KEY_OP_REVOKE,
	    REVOKE_KEY_COMPROMISE, 1);

	/* Without the account's URL: no authorisation at all. */
	authorise_deactivation(MSG_KEY_ALLOW, NULL);
	refused_sign("a deactivation authorised without its account", ACCT,
	    ACCT_URL, ACCT_URL, "{\"status\":\"deactivated\"}",
	    "that the parent did not authorise");
	authorise_deactivation(MSG_KEY_ALLOW, API1 "acct/2");
	refused_sign("the deactivation of an account not authorised", ACCT,
	    ACCT_URL, ACCT_URL, "{\"status\":\"deactivated\"}",
	    "an account deactivation of another account than the parent "
	    "authorised");
	authorise_deactivation(MSG_KEY_WITHDRAW, API1 "acct/2");
	authorise_deactivation(MSG_KEY_ALLOW, ACCT_URL);
	refused_sign("a status other than deactivated", ACCT, ACCT_URL,
	    ACCT_URL, "{\"status\":\"valid\"}", "\"deactivated\"");
	refused_sign("an authorised deactivation posted elsewhere", ACCT,
	    API1 "acct/2", ACCT_URL, "{\"status\":\"deactivated\"}",
	    "a URL that is not the account's own");
	refused_sign("an authorised deactivation of another account", ACCT,
	    API1 "acct/2", API1 "acct/2", "{\"status\":\"deactivated\"}",
	    "of another account than the parent authorised");
	signed_ok("an authorised deactivation", ACCT, P.acct, ACCT_URL,
	    ACCT_URL, "{\"status\":\"deactivated\"}");
	authorise_deactivation(MSG_KEY_WITHDRAW, ACCT_URL);
	refused_sign("the deactivation once withdrawn", ACCT, ACCT_URL,
	    ACCT_URL, "{\"status\":\"deactivated\"}", "did not authorise");
}

/* KEY_CHANGE: whole, by the two keys, while the parent authorises it. */
static int
key_change_ok(void)
{
	struct buf	 b;
	struct imsg	 m;
	char		*jws = NULL, *inner = NULL, *pay = NULL;
	yajl_val	 v = NULL;
	const char	*path[] = { "oldKey", NULL };
	int		 ok = 0;

	b_key_change(&b, ACCT, NEWKEY, API1 "key-change", ACCT_URL);
	if (ask(MSG_KEY_CHANGE, &b, &m) == MSG_SIGN_RESP &&
	    (jws = sign_resp(&m, ACCT)) != NULL &&
	    jws_is(jws, P.acct, API1 "key-change", NONCE, ACCT_URL, &inner) &&
	    jws_is(inner, P.newkey, API1 "key-change", NULL, "", &pay) &&
	    (v = yajl_tree_parse(pay, NULL, 0)) != NULL)
		ok = hstr(v, "account") != NULL &&
		    strcmp(hstr(v, "account"), ACCT_URL) == 0 &&
		    yajl_tree_get(v, path, yajl_t_object) != NULL;
	else if (m.hdr.type == MSG_KEYPROC_ERR)
		printf("# refused: %s\n", m.data + 8);
	yajl_tree_free(v);
	free(jws);
	free(inner);
	free(pay);
	imsg_clear(&m);
	buf_free(&b);
	return ok;
}

static void
refused_change(const char *what, uint32_t old, uint32_t new, const char *url,
    const char *want)
{
	struct buf	 b;

	b_key_change(&b, old, new, url, ACCT_URL);
	refused_b(what, MSG_KEY_CHANGE, &b, old, want);
}

static void
test_key_change(void)
{
	int	 i, n;

	refused_change("a key change without authorisation", ACCT, NEWKEY,
	    API1 "key-change", "a key change that the parent did not "
	    "authorise");
	authorise(MSG_KEY_ALLOW, ACCT, KEY_OP_KEY_CHANGE, SPARE, -1);
	refused_change("a key change authorised to another key", ACCT,
	    NEWKEY, API1 "key-change", "a key change to another key than "
	    "the parent authorised");
	authorise(MSG_KEY_WITHDRAW, ACCT, KEY_OP_KEY_CHANGE, SPARE, -1);
	authorise(MSG_KEY_ALLOW, OTHER, KEY_OP_KEY_CHANGE, NEWKEY, -1);
	refused_change("a key change authorised for another account", ACCT,
	    NEWKEY, API1 "key-change", "did not authorise");
	refused_change("the other account to a new key of another authority",
	    OTHER, NEWKEY, "https://other.test/key-change",
	    "not a new key of authority other");
	authorise(MSG_KEY_WITHDRAW, OTHER, KEY_OP_KEY_CHANGE, NEWKEY, -1);
	authorise(MSG_KEY_ALLOW, ACCT, KEY_OP_KEY_CHANGE, DOMAIN, -1);
	refused_change("a key change to the domain key, authorised", ACCT,
	    DOMAIN, API1 "key-change", "not a new key of authority pebble");
	authorise(MSG_KEY_WITHDRAW, ACCT, KEY_OP_KEY_CHANGE, DOMAIN, -1);

	authorise(MSG_KEY_ALLOW, ACCT, KEY_OP_KEY_CHANGE, NEWKEY, -1);
	refused_change("the authorised key change for another origin", ACCT,
	    NEWKEY, "https://evil.test/key-change", "outside the origin");
	CHECK(key_change_ok(), "signed: the authorised key change, the "
	    "request by the old key, its payload by the new one");
	authorise(MSG_KEY_WITHDRAW, ACCT, KEY_OP_KEY_CHANGE, NEWKEY, -1);
	refused_change("the key change once withdrawn", ACCT, NEWKEY,
	    API1 "key-change", "did not authorise");

	/* One operation's signatures: the badNonce retries, no more. */
	authorise(MSG_KEY_ALLOW, ACCT, KEY_OP_KEY_CHANGE, NEWKEY, -1);
	for (i = n = 0; i < KEY_ALLOW_SIGNATURES; i++)
		n += key_change_ok();
	CHECK(n == KEY_ALLOW_SIGNATURES, "signed: the key change %d times "
	    "(%d)", KEY_ALLOW_SIGNATURES, n);
	refused_change("the key change once more", ACCT, NEWKEY,
	    API1 "key-change", "did not authorise");

	signed_ok("the account look-up with the new key", NEWKEY, P.newkey,
	    API1 "new-acct", "", "{\"onlyReturnExisting\":true}");
	refused_sign("a newAccount with the new key", NEWKEY, API1 "new-acct",
	    "", "{\"termsOfServiceAgreed\":true}", "a new account key signs "
	    "only the look-up");
	refused_sign("a newOrder with the new key", NEWKEY, API1 "new-order",
	    ACCT_URL, ORDER_OK, "a new account key signs only");
}

/* External account bindings: for a newAccount URL of its authority. */
static void
test_eab(void)
{
	struct buf	 b;
	struct imsg	 m;

	b_id_str(&b, OTHER, "https://other.test/new-acct");
	CHECK(ask(MSG_EAB, &b, &m) == MSG_EAB_RESP,
	    "signed: the binding for the authority's newAccount URL");
	imsg_clear(&m);
	buf_free(&b);
	b_id_str(&b, OTHER, API1 "new-acct");
	refused_b("a binding for another authority's newAccount URL", MSG_EAB,
	    &b, OTHER, "an external account binding for " API1 "new-acct, "
	    "outside the origin of authority other");
	b_id_str(&b, DOMAIN, "https://other.test/new-acct");
	refused_b("a binding with the domain key", MSG_EAB, &b, DOMAIN,
	    "only an account key has one");
}

/*
 * Authorisations sent on the parent's channel just before netproc asks,
 * netproc's requests pipelined: keyproc reads what the parent sent
 * before it serves a request that came after.
 */
static void
test_order(void)
{
	struct buf	 b;
	struct imsg	 m;
	const char	*rev;
	int		 i, n = 0;

	rev = revocation(0, "");
	for (i = 0; i < 50; i++) {
		buf_init(&b, 64);
		buf_add_u32(&b, ACCT);
		send_on(KP.net, MSG_JWK, -1, &b);
		buf_free(&b);
		authorise(MSG_KEY_ALLOW, DOMAIN, KEY_OP_REVOKE, 0, 0);
		b_sign(&b, DOMAIN, API1 "revoke-cert", "", rev);
		send_on(KP.net, MSG_SIGN, -1, &b);
		buf_free(&b);
		recv_on(KP.net, &m);
		imsg_clear(&m);
		recv_on(KP.net, &m);
		n += m.hdr.type == MSG_SIGN_RESP;
		imsg_clear(&m);
		authorise(MSG_KEY_WITHDRAW, DOMAIN, KEY_OP_REVOKE, 0, 0);
	}
	CHECK(n == 50, "authorised just before each pipelined request: all "
	    "50 signed (%d)", n);
}

static void
setup(const char *keydir)
{
	struct buf	 b;
	char		 path[PATH_MAX];
	int		 fd;

	role(ACCT, KEY_ROLE_ACCOUNT, 1, "", "");
	key_fd(keydir, "account.key", ACCT, &P.acct);
	role(OTHER, KEY_ROLE_ACCOUNT, 2, "", "");
	key_fd(keydir, "other.key", OTHER, NULL);
	role(DOMAIN, KEY_ROLE_DOMAIN, 1, NAMES, "tlsserver");
	role(IPDOMAIN, KEY_ROLE_DOMAIN, 1, IPNAMES, "");
	key_fd(keydir, "domain.key", DOMAIN, &P.domain);
	role(NEWKEY, KEY_ROLE_NEW_ACCOUNT, 1, "", "");
	key_fd(keydir, "new.key", NEWKEY, &P.newkey);
	role(SPARE, KEY_ROLE_NEW_ACCOUNT, 1, "", "");
	key_fd(keydir, "spare.key", SPARE, NULL);
	key_fd(keydir, "spare.key", NOROLE, NULL);
	snprintf(path, sizeof(path), "%s/other.mac", keydir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	b_id_str(&b, OTHER, "kid-1");
	send_on(KP.parent, MSG_EAB_FD, fd, &b);
	buf_free(&b);
	domain_cert(0);
	domain_cert(1);
}

int
main(int argc, char *argv[])
{
	int	 status;

	setup(drv_start(argc, argv, "keyproc_peer"));
	CHECK(P.acct != NULL && P.domain != NULL && P.newkey != NULL &&
	    P.certlen[0] > 0 && P.certlen[1] > 0 &&
	    (P.certlen[0] != P.certlen[1] || memcmp(P.cert[0], P.cert[1],
	    P.certlen[0]) != 0), "keyproc %d started, keys handed over, two "
	    "certificates of the domain key", (int)KP.pid);
	refused_sign("a key without a role", NOROLE, API1 "new-order",
	    ACCT_URL, ORDER_OK, "the parent gave the key no "
	    "role");
	test_account();
	test_domain();
	test_order_finalize();
	test_order_ip();
	test_revoke();
	test_key_change();
	test_eab();
	test_order();

	send_on(KP.parent, MSG_SHUTDOWN, -1, NULL);
	if (waitpid(KP.pid, &status, 0) == -1)
		err(1, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "keyproc exits 0 after SHUTDOWN (status %d)", status);
	return test_done();
}
