/*
 * netproc: the only process that speaks ACME.
 *
 * Holds: the authorities' directory URLs, account URLs, the CA
 * certificates it trusts for each (read from descriptors the parent
 * passes), nonces, and whatever the authority answers.
 * Does: HTTPS to the authorities (libcurl), JSON both ways (yajl); asks
 * keyproc for every signature and CSR, and challenged to publish and
 * withdraw key authorizations; hands issued chains to the parent.
 * Never: holds a private key, sees any file but copies of the resolver's
 * (its root holds nothing else), binds a socket.  Runs as its own
 * unprivileged user.
 */
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "sandbox.h"
#include "http.h"
#include "netproc.h"
#include "verify.h"

static struct imsgchan		*parent, *keyproc, *chald;
static struct net_authority	*authorities;

/*
 * SIGTERM: the parent stops netproc, which leaves at once, whatever it is
 * doing.  An order in flight may wait on the authority for minutes; its
 * URL is saved, and the next start resumes it.
 */
static void
stop_now(int sig)
{
	(void)sig;
	_exit(0);
}

/*
 * Sends a message: -1 (logged) if a field does not fit, which ends only
 * the request it was for; a channel that fails ends netproc.
 */
static int
send_to(struct imsgchan *c, const char *peer, uint32_t type,
    const struct buf *b)
{
	if (msg_compose(c, type, 0, -1, b) == -1) {
		if (errno == EMSGSIZE)
			return -1;
		fatal("message %s to %s", msg_name(type), peer);
	}
	if (ichan_flush_all(c) == -1)
		fatal("message %s to %s", msg_name(type), peer);
	return 0;
}

static int
send_parent(uint32_t type, const struct buf *b)
{
	return send_to(parent, "the parent", type, b);
}

/*
 * Sends a request to a peer and waits for its answer, which must be one
 * of the two types given (the answer or the peer's error).  -1 (logged)
 * if the request does not fit in its message.
 */
static int
call_peer(struct imsgchan *c, const char *peer, uint32_t type,
    const struct buf *b, uint32_t ok, uint32_t err, struct imsg *m)
{
	if (send_to(c, peer, type, b) == -1)
		return -1;
	if (ichan_recv(c, m) != 1)
		fatalx("%s closed its channel", peer);
	if (msg_check(m) == -1 || (m->hdr.type != ok && m->hdr.type != err))
		fatalx("unexpected %s from %s", msg_name(m->hdr.type), peer);
	return 0;
}

/* The text of a MSG_KEYPROC_ERR. */
static char *
keyproc_errtext(const struct imsg *m)
{
	struct rbuf	 r;
	char		*s;

	rbuf_init(&r, m->data, m->datalen);
	(void)rbuf_u32(&r);
	if ((s = rbuf_str(&r, MSG_TEXT_MAX)) == NULL)
		fatalx("malformed KEYPROC_ERR from keyproc");
	return s;
}

/* The text of a MSG_KEYPROC_ERR, logged. */
static void
keyproc_error(const struct imsg *m, const char *what)
{
	char	*s;

	s = keyproc_errtext(m);
	log_warnx("%s: keyproc: %s", what, s);
	free(s);
}

/*
 * A JWS keyproc makes for a request in b (MSG_SIGN or MSG_KEY_CHANGE),
 * as a NUL-terminated text in *jws; -1 with keyproc's reason in *err.
 */
static int
keyproc_jws(uint32_t type, const struct buf *b, char **jws, size_t *jwslen,
    char **err)
{
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*p;
	size_t		 n;
	int		 rc = -1;

	if (call_peer(keyproc, "keyproc", type, b, MSG_SIGN_RESP,
	    MSG_KEYPROC_ERR, &m) == -1) {
		*err = strdup("request too large");
		return -1;
	}
	if (m.hdr.type == MSG_KEYPROC_ERR) {
		*err = keyproc_errtext(&m);
		goto out;
	}
	rbuf_init(&r, m.data, m.datalen);
	(void)rbuf_u32(&r);
	p = rbuf_blob(&r, &n, MSG_PEM_MAX);
	if (rbuf_end(&r) == -1 || (*jws = malloc(n + 1)) == NULL)
		fatalx("malformed SIGN_RESP from keyproc");
	memcpy(*jws, p, n);
	(*jws)[n] = '\0';
	*jwslen = n;
	rc = 0;
out:
	imsg_clear(&m);
	return rc;
}

/*
 * keyproc makes at most KEY_ALLOW_SIGNATURES signatures for one
 * operation the parent authorised: every send of its request must fit.
 */
_Static_assert(NETPROC_NONCE_RETRIES <= KEY_ALLOW_SIGNATURES,
    "an authorisation would run out before the badNonce retries");

/* A request signed with keyid; -1 with the reason in *err. */
int
np_sign(uint32_t keyid, const char *url, const char *nonce, const char *kid,
    const void *payload, size_t len, char **jws, size_t *jwslen, char **err)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&b, keyid) == -1 || buf_add_lstr(&b, url) == -1 ||
	    buf_add_lstr(&b, nonce) == -1 || buf_add_lstr(&b, kid) == -1 ||
	    buf_add_blob(&b, payload, len) == -1) {
		rc = -1;
		*err = strdup("request too large to sign");
	} else
		rc = keyproc_jws(MSG_SIGN, &b, jws, jwslen, err);
	buf_free(&b);
	return rc;
}

/*
 * The request that changes account's key from oldid to newid, made whole
 * by keyproc (the inner JWS signed by the new key, the request by the
 * old one), and only while the parent authorises that change; -1 with
 * the reason in *err.
 */
int
np_key_change(uint32_t oldid, uint32_t newid, const char *url,
    const char *nonce, const char *account, char **jws, size_t *jwslen,
    char **err)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&b, oldid) == -1 || buf_add_u32(&b, newid) == -1 ||
	    buf_add_lstr(&b, url) == -1 || buf_add_lstr(&b, nonce) == -1 ||
	    buf_add_lstr(&b, account) == -1) {
		rc = -1;
		*err = strdup("request too large");
	} else
		rc = keyproc_jws(MSG_KEY_CHANGE, &b, jws, jwslen, err);
	buf_free(&b);
	return rc;
}

int
np_thumbprint(uint32_t keyid, char **thumb)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	char		*jwk;
	int		 rc = -1;

	buf_init(&b, 16);
	buf_add_u32(&b, keyid);
	if (call_peer(keyproc, "keyproc", MSG_JWK, &b, MSG_JWK_RESP,
	    MSG_KEYPROC_ERR, &m) == -1) {
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	if (m.hdr.type == MSG_KEYPROC_ERR) {
		keyproc_error(&m, "account key");
		goto out;
	}
	rbuf_init(&r, m.data, m.datalen);
	(void)rbuf_u32(&r);
	jwk = rbuf_str(&r, MSG_JWK_MAX);
	*thumb = rbuf_str(&r, MSG_THUMBPRINT_MAX);
	free(jwk);
	if (rbuf_end(&r) == -1)
		fatalx("malformed JWK_RESP from keyproc");
	rc = 0;
out:
	imsg_clear(&m);
	return rc;
}

/*
 * The external account binding for a newAccount request to url, made by
 * keyproc with the account key keyid; -1 with keyproc's reason in *err.
 */
int
np_eab(uint32_t keyid, const char *url, struct acme_eab *eab, char **err)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;

	memset(eab, 0, sizeof(*eab));
	*err = NULL;
	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&b, keyid) == -1 || buf_add_lstr(&b, url) == -1 ||
	    call_peer(keyproc, "keyproc", MSG_EAB, &b, MSG_EAB_RESP,
	    MSG_KEYPROC_ERR, &m) == -1) {
		buf_free(&b);
		*err = strdup("newAccount URL too long");
		return -1;
	}
	buf_free(&b);
	if (m.hdr.type == MSG_KEYPROC_ERR) {
		*err = keyproc_errtext(&m);
		imsg_clear(&m);
		return -1;
	}
	rbuf_init(&r, m.data, m.datalen);
	(void)rbuf_u32(&r);
	eab->protected = rbuf_str(&r, MSG_JWS_PART_MAX);
	eab->payload = rbuf_str(&r, MSG_JWS_PART_MAX);
	eab->signature = rbuf_str(&r, MSG_JWS_PART_MAX);
	if (rbuf_end(&r) == -1)
		fatalx("malformed EAB_RESP from keyproc");
	imsg_clear(&m);
	return 0;
}

void
np_eab_free(struct acme_eab *eab)
{
	free(eab->protected);
	free(eab->payload);
	free(eab->signature);
	memset(eab, 0, sizeof(*eab));
}

int
np_csr(uint32_t keyid, char *const *names, size_t nnames, unsigned char **der,
    size_t *derlen)
{
	struct buf	 b, nb;
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*p;
	size_t		 n;
	int		 rc = -1;

	buf_init(&nb, MSG_PAYLOAD_MAX);
	if (buf_add_join(&nb, names, nnames, "\n") == -1)
		fatalx("names too long");
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, keyid);
	buf_add_lstr(&b, buf_cstr(&nb));
	buf_free(&nb);
	if (call_peer(keyproc, "keyproc", MSG_CSR, &b, MSG_CSR_RESP,
	    MSG_KEYPROC_ERR, &m) == -1) {
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	if (m.hdr.type == MSG_KEYPROC_ERR) {
		keyproc_error(&m, names[0]);
		goto out;
	}
	rbuf_init(&r, m.data, m.datalen);
	(void)rbuf_u32(&r);
	p = rbuf_blob(&r, &n, MSG_CSR_MAX);
	if (rbuf_end(&r) == -1 || (*der = malloc(n ? n : 1)) == NULL)
		fatalx("malformed CSR_RESP from keyproc");
	memcpy(*der, p, n);
	*derlen = n;
	rc = 0;
out:
	imsg_clear(&m);
	return rc;
}

int
np_chal_add(const char *token, const char *keyauth)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	char		*t;
	uint32_t	 ok;

	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_lstr(&b, token);
	buf_add_lstr(&b, keyauth);
	if (call_peer(chald, "challenged", MSG_CHAL_ADD, &b, MSG_CHAL_ACK,
	    MSG_CHAL_ACK, &m) == -1) {
		buf_free(&b);
		return -1;
	}
	buf_free(&b);
	rbuf_init(&r, m.data, m.datalen);
	t = rbuf_str(&r, MSG_TOKEN_MAX);
	ok = rbuf_u32(&r);
	if (rbuf_end(&r) == -1 || strcmp(t, token) != 0)
		fatalx("malformed CHAL_ACK from challenged");
	free(t);
	imsg_clear(&m);
	return ok ? 0 : -1;
}

void
np_chal_del(const char *token)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_lstr(&b, token);
	(void)send_to(chald, "challenged", MSG_CHAL_DEL, &b);
	buf_free(&b);
}

static void
send_id_str(uint32_t type, uint32_t id, const char *s)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, id);
	buf_add_lstr(&b, s);
	send_parent(type, &b);
	buf_free(&b);
}

void
np_order_url(uint32_t domid, const char *url)
{
	send_id_str(MSG_ORDER_URL, domid, url);
}

void
np_account_url(uint32_t authid, const char *url)
{
	send_id_str(MSG_ACCOUNT_URL, authid, url);
}

/* Reads the CA certificates the parent opened for an authority. */
static int
read_ca(int fd, struct net_authority *a)
{
	struct buf	 b;
	char		 chunk[16384];
	ssize_t		 n;

	buf_init(&b, NETPROC_CA_MAX);
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("authority %s: CA file", a->name);
			buf_free(&b);
			return -1;
		}
		if (n == 0)
			break;
		if (buf_add(&b, chunk, (size_t)n) == -1) {
			log_warnx("authority %s: CA file larger than %d bytes",
			    a->name, NETPROC_CA_MAX);
			buf_free(&b);
			return -1;
		}
	}
	a->ca_pem = buf_release(&b, &a->ca_len);
	return a->ca_pem ? 0 : -1;
}

static void
recv_authority(struct imsg *m)
{
	struct net_authority	*a;
	struct rbuf		 r;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		fatal("calloc");
	rbuf_init(&r, m->data, m->datalen);
	a->id = rbuf_u32(&r);
	a->name = rbuf_str(&r, MSG_NAME_MAX);
	a->api_url = rbuf_str(&r, MSG_URL_MAX);
	a->contact = rbuf_str(&r, MSG_CONTACT_MAX);
	a->account_url = rbuf_str(&r, MSG_URL_MAX);
	a->keyid = rbuf_u32(&r);
	a->key_existed = rbuf_u32(&r);
	a->eab = rbuf_u32(&r) != 0;
	if (rbuf_end(&r) == -1)
		fatalx("malformed AUTHORITY from the parent");
	if (*a->contact == '\0') {
		free(a->contact);
		a->contact = NULL;
	}
	if (*a->account_url == '\0') {
		free(a->account_url);
		a->account_url = NULL;
	}
	if (read_ca(m->fd, a) == -1)
		fatalx("authority %s: no CA certificates", a->name);
	if ((a->http = http_new(a->ca_pem, a->ca_len, "acmed/"
	    ACMED_VERSION)) == NULL)
		fatalx("authority %s: HTTPS client", a->name);
	a->next = authorities;
	authorities = a;
}

static struct net_authority *
authority_byid(uint32_t id)
{
	struct net_authority	*a;

	for (a = authorities; a != NULL; a = a->next)
		if (a->id == id)
			return a;
	return NULL;
}

static int
split_names(char *s, char ***names, size_t *n)
{
	char	*p;
	size_t	 i = 0, count = 1;

	for (p = s; *p != '\0'; p++)
		if (*p == '\n')
			count++;
	if (count > ACME_MAX_AUTHZ || *s == '\0')
		return -1;
	if ((*names = calloc(count, sizeof(char *))) == NULL)
		return -1;
	while ((p = strsep(&s, "\n")) != NULL)
		(*names)[i++] = p;
	*n = i;
	return 0;
}

static void
issue(struct imsg *m)
{
	struct net_order	 o;
	struct rbuf		 r;
	struct buf		 b;
	uint32_t		 authid;
	char			*names;

	memset(&o, 0, sizeof(o));
	rbuf_init(&r, m->data, m->datalen);
	o.domid = rbuf_u32(&r);
	authid = rbuf_u32(&r);
	o.keyid = rbuf_u32(&r);
	names = rbuf_str(&r, MSG_NAMES_MAX);
	o.preferred_chain = rbuf_str(&r, MSG_CHAIN_NAME_MAX);
	o.replaces = rbuf_str(&r, MSG_CERTID_MAX);
	o.order_url = rbuf_str(&r, MSG_URL_MAX);
	if (rbuf_end(&r) == -1 || split_names(names, &o.names,
	    &o.nnames) == -1 || (o.a = authority_byid(authid)) == NULL)
		fatalx("malformed ISSUE from the parent");
	if (*o.preferred_chain == '\0') {
		free(o.preferred_chain);
		o.preferred_chain = NULL;
	}
	if (*o.replaces == '\0') {
		free(o.replaces);
		o.replaces = NULL;
	}
	if (*o.order_url == '\0') {
		free(o.order_url);
		o.order_url = NULL;
	}
	o.retry_after = -1;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (acme_issue(&o) == 0) {
		buf_add_u32(&b, o.domid);
		if (buf_add_blob(&b, o.chain, o.chainlen) == -1 ||
		    send_parent(MSG_CERT, &b) == -1) {
			buf_reset(&b);
			o.error = strdup("the certificate chain is too large");
			goto failed;
		}
	} else {
failed:
		buf_reset(&b);
		buf_add_u32(&b, o.domid);
		buf_add_text(&b, o.error_type, MSG_PROBLEM_MAX);
		buf_add_text(&b, o.error ? o.error : "unknown failure",
		    MSG_TEXT_MAX);
		buf_add_i64(&b, o.retry_after);
		send_parent(MSG_ISSUE_FAILED, &b);
	}
	buf_free(&b);
	free(names);
	free(o.names);
	free(o.preferred_chain);
	free(o.replaces);
	free(o.order_url);
	free(o.chain);
	free(o.error_type);
	free(o.error);
}

/* The authority's suggested renewal window for one installed leaf. */
static void
renewal_info(struct imsg *m)
{
	struct net_authority	*a;
	struct ari_window	 w;
	struct rbuf		 r;
	struct buf		 b;
	const uint8_t		*der;
	uint32_t		 domid, authid;
	size_t			 len;

	rbuf_init(&r, m->data, m->datalen);
	domid = rbuf_u32(&r);
	authid = rbuf_u32(&r);
	der = rbuf_blob(&r, &len, MSG_CERT_DER_MAX);
	if (rbuf_end(&r) == -1 || (a = authority_byid(authid)) == NULL)
		fatalx("malformed RENEWAL_INFO from the parent");
	ari_fetch(a, der, len, &w);
	buf_init(&b, 64);
	buf_add_u32(&b, domid);
	buf_add_i64(&b, (int64_t)w.start);
	buf_add_i64(&b, (int64_t)w.end);
	buf_add_i64(&b, (int64_t)w.retry_after);
	send_parent(MSG_RENEWAL_WINDOW, &b);
	buf_free(&b);
}

/*
 * The answer to a one-off request (REVOKE, ROLLOVER): the id, whether it
 * was done (rc 0), and o's error if not.  Frees o's error.
 */
static void
send_result(uint32_t type, uint32_t id, struct net_order *o, int rc)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, id);
	buf_add_u32(&b, rc == 0);
	buf_add_text(&b, rc == 0 ? "" : o->error ? o->error :
	    "unknown failure", MSG_TEXT_MAX);
	send_parent(type, &b);
	buf_free(&b);
	free(o->error_type);
	free(o->error);
}

/* MSG_REVOKE: revoke a leaf, answer MSG_REVOKE_RESULT. */
static void
revoke_request(struct imsg *m)
{
	struct net_order	 o;
	struct rbuf		 r;
	const uint8_t		*der;
	size_t			 len;
	uint32_t		 authid;
	char			*name;

	memset(&o, 0, sizeof(o));
	rbuf_init(&r, m->data, m->datalen);
	o.domid = rbuf_u32(&r);
	authid = rbuf_u32(&r);
	o.keyid = rbuf_u32(&r);
	o.cert_key = rbuf_u32(&r) != 0;
	name = rbuf_str(&r, MSG_NAME_MAX);
	der = rbuf_blob(&r, &len, MSG_CERT_DER_MAX);
	if (rbuf_end(&r) == -1 || len == 0 ||
	    (o.a = authority_byid(authid)) == NULL)
		fatalx("malformed REVOKE from the parent");
	o.names = &name;
	o.nnames = 1;
	o.retry_after = -1;
	send_result(MSG_REVOKE_RESULT, o.domid, &o,
	    acme_revoke(&o, der, len));
	free(name);
}

/* MSG_ROLLOVER: change an account's key, answer MSG_ROLLOVER_RESULT. */
static void
rollover_request(struct imsg *m)
{
	struct net_order	 o;
	struct rbuf		 r;
	uint32_t		 authid, newid, existed;
	char			*name;

	memset(&o, 0, sizeof(o));
	rbuf_init(&r, m->data, m->datalen);
	authid = rbuf_u32(&r);
	newid = rbuf_u32(&r);
	existed = rbuf_u32(&r);
	if (rbuf_end(&r) == -1 || (o.a = authority_byid(authid)) == NULL)
		fatalx("malformed ROLLOVER from the parent");
	name = o.a->name;
	o.names = &name;
	o.nnames = 1;
	o.retry_after = -1;
	send_result(MSG_ROLLOVER_RESULT, authid, &o,
	    acme_key_change(&o, newid, existed != 0));
}

int
netproc_main(int debug, int verbose)
{
	struct sandbox	 sb;
	struct imsg	 m;
	struct buf	 b;
	int		 r;

	(void)debug;
	log_procname("netproc");
	signal(SIGTERM, stop_now);
	if ((parent = ichan_new(PROC_FD_PARENT, IMSG_MAX_SIZE)) == NULL ||
	    (keyproc = ichan_new(PROC_FD_PEER1, IMSG_MAX_SIZE)) == NULL ||
	    (chald = ichan_new(PROC_FD_PEER2, IMSG_MAX_SIZE)) == NULL)
		fatal("channels");
	log_tochan(parent);
	log_setverbose(verbose);
	/*
	 * Before libcurl initialises libcrypto: no clean-up at exit, the
	 * process ends and takes everything with it.
	 */
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) ||
	    http_global_init() == -1)
		fatalx("libcurl initialisation failed");
	/* libtls writes with write(2): a peer gone must not be a signal */
	signal(SIGPIPE, SIG_IGN);

	/* The authorities, then READY. */
	for (;;) {
		if ((r = ichan_recv(parent, &m)) != 1)
			exit(r == 0 ? 0 : 1);
		if (msg_check(&m) == -1)
			fatalx("malformed %s from the parent",
			    msg_name(m.hdr.type));
		if (m.hdr.type == MSG_READY) {
			imsg_clear(&m);
			break;
		}
		if (m.hdr.type == MSG_SHUTDOWN)
			exit(0);
		if (m.hdr.type != MSG_AUTHORITY)
			fatalx("unexpected %s from the parent",
			    msg_name(m.hdr.type));
		recv_authority(&m);
		imsg_clear(&m);
	}

	memset(&sb, 0, sizeof(sb));
	sb.profile = SANDBOX_NETPROC;
	sb.user = proc_user;
	sb.chroot = proc_chroot;
	sb.keep_fds = PROC_FD_PEER2 + 1;
	if (sandbox_enter(&sb) == -1)
		fatalx("sandbox");
	proc_sandboxed(parent);
	buf_init(&b, 16);
	send_parent(MSG_READY, &b);
	/*
	 * libcurl brings 36 libraries whose symbol tables and constructors
	 * were needed once: their pages go back to the page cache (about
	 * 3 MiB of the 11 MiB resident); code used later comes back as used.
	 */
	log_debug("start-up pages given back: %zu kB", proc_trim() / 1024);

	for (;;) {
		if ((r = ichan_recv(parent, &m)) != 1)
			exit(r == 0 ? 0 : 1);
		if (msg_check(&m) == -1)
			fatalx("malformed %s from the parent",
			    msg_name(m.hdr.type));
		switch (m.hdr.type) {
		case MSG_ISSUE:
			issue(&m);
			break;
		case MSG_VERIFY:
			buf_init(&b, MSG_PAYLOAD_MAX);
			verify_request(&m, &b);
			send_parent(MSG_VERIFY_RESULT, &b);
			buf_free(&b);
			break;
		case MSG_RENEWAL_INFO:
			renewal_info(&m);
			break;
		case MSG_REVOKE:
			revoke_request(&m);
			break;
		case MSG_ROLLOVER:
			rollover_request(&m);
			break;
		case MSG_SHUTDOWN:
			exit(0);
		default:
			fatalx("unexpected %s from the parent",
			    msg_name(m.hdr.type));
		}
		imsg_clear(&m);
	}
}
