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
 * CSRs and the provisional certificate, parsed back and verified; the
 * chain check on a CA -> intermediate -> leaf chain built here, and on
 * chains that must be refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "test.h"
#include "t_x509.h"
#include "ident.h"
#include "keyproc/crypto.h"
#include "x509check.h"

static char	*many[NAMES_MAX + 1];

/*
 * 1 if the SAN names are names, in order: an IP address as an iPAddress
 * of its octets, any other name as a dNSName.
 */
static int
san_is(GENERAL_NAMES *gens, char *const *names, size_t n)
{
	GENERAL_NAME	*g;
	unsigned char	 ip[IDENT_IP_BIN_MAX];
	size_t		 i, iplen;

	if (gens == NULL || (size_t)sk_GENERAL_NAME_num(gens) != n)
		return 0;
	for (i = 0; i < n; i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (ident_is_ip(names[i])) {
			if (g->type != GEN_IPADD ||
			    ident_ip_bin(names[i], ip, &iplen) == -1 ||
			    (size_t)ASN1_STRING_length(g->d.iPAddress) !=
			    iplen || memcmp(ASN1_STRING_get0_data(
			    g->d.iPAddress), ip, iplen) != 0)
				return 0;
			continue;
		}
		if (g->type != GEN_DNS ||
		    (size_t)ASN1_STRING_length(g->d.dNSName) !=
		    strlen(names[i]) ||
		    memcmp(ASN1_STRING_get0_data(g->d.dNSName), names[i],
		    strlen(names[i])) != 0)
			return 0;
	}
	return 1;
}

/* 1 if pub encodes exactly as the library encodes pkey's public half. */
static int
spki_same(X509_PUBKEY *pub, EVP_PKEY *pkey)
{
	unsigned char	*a = NULL, *b = NULL;
	int		 alen, blen, same;

	alen = i2d_X509_PUBKEY(pub, &a);
	blen = i2d_PUBKEY(pkey, &b);
	same = alen > 0 && alen == blen && memcmp(a, b, alen) == 0;
	OPENSSL_free(a);
	OPENSSL_free(b);
	return same;
}

static void
check_csr(const char *what, EVP_PKEY *pkey, char *const *names, size_t n,
    const char *wantcn)
{
	X509_REQ			*req;
	STACK_OF(X509_EXTENSION)	*exts;
	X509_EXTENSION			*ext;
	GENERAL_NAMES			*gens = NULL;
	const unsigned char		*p;
	unsigned char			*der;
	char				 cn[256];
	size_t				 len;
	int				 i, cnlen;

	CHECK(csr_build(pkey, names, n, &der, &len) == 0, "%s: built", what);
	p = der;
	req = d2i_X509_REQ(NULL, &p, len);
	CHECK(req != NULL && p == der + len, "%s: DER parses exactly", what);
	if (req == NULL) {
		free(der);
		return;
	}
	CHECK(X509_REQ_verify(req, pkey) == 1, "%s: signature verifies",
	    what);
	CHECK(X509_REQ_get_signature_nid(req) ==
	    (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA ?
	    NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256),
	    "%s: SHA-256 signature", what);
	CHECK(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), pkey) == 1,
	    "%s: public key", what);
	CHECK(spki_same(X509_REQ_get_X509_PUBKEY(req), pkey),
	    "%s: SubjectPublicKeyInfo as libcrypto encodes it", what);
	cnlen = X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req),
	    NID_commonName, cn, sizeof(cn));
	if (wantcn != NULL)
		CHECK_STR(cnlen > 0 ? cn : NULL, wantcn, "%s: CN", what);
	else
		CHECK(cnlen < 0, "%s: no CN", what);
	exts = X509_REQ_get_extensions(req);
	for (i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		ext = sk_X509_EXTENSION_value(exts, i);
		if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) ==
		    NID_subject_alt_name)
			gens = X509V3_EXT_d2i(ext);
	}
	CHECK(san_is(gens, names, n), "%s: SAN has the %zu names in order",
	    what, n);
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	OPENSSL_free(der);
}

static X509 *
pem_cert(const char *pem, size_t len)
{
	BIO	*bio;
	X509	*x;

	bio = BIO_new_mem_buf(pem, (int)len);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return x;
}

static void
check_selfsigned(const char *what, EVP_PKEY *pkey, char *const *names,
    size_t n, int days)
{
	X509		*x;
	GENERAL_NAMES	*gens;
	char		*pem, cn[256];
	size_t		 len;
	time_t		 nb, na, now;
	int		 prov;

	now = time(NULL);
	pem = selfsigned_pem(pkey, names, n, days, &len);
	CHECK(pem != NULL && strlen(pem) == len &&
	    strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0,
	    "%s: PEM", what);
	if (pem == NULL) {
		printf("# %s\n", crypto_error());
		return;
	}
	x = pem_cert(pem, len);
	CHECK(x != NULL, "%s: parses", what);
	CHECK(X509_verify(x, pkey) == 1, "%s: self-signature verifies", what);
	CHECK(spki_same(X509_get_X509_PUBKEY(x), pkey),
	    "%s: SubjectPublicKeyInfo as libcrypto encodes it", what);
	CHECK(cert_is_provisional(x), "%s: recognised as provisional", what);
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
	    cn, sizeof(cn));
	CHECK(strncmp(cn, PROVISIONAL_CN_PREFIX,
	    strlen(PROVISIONAL_CN_PREFIX)) == 0 && strlen(cn) <= 64 &&
	    strncmp(cn + strlen(PROVISIONAL_CN_PREFIX), names[0],
	    strlen(cn) - strlen(PROVISIONAL_CN_PREFIX)) == 0,
	    "%s: CN \"%s\"", what, cn);
	CHECK(X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_issuer_name(x)) == 0, "%s: issuer is subject", what);
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	CHECK(san_is(gens, names, n), "%s: SAN", what);
	GENERAL_NAMES_free(gens);
	CHECK((X509_get_extension_flags(x) & EXFLAG_BCONS) &&
	    !(X509_get_extension_flags(x) & EXFLAG_CA), "%s: CA:FALSE", what);
	CHECK(X509_get_version(x) == X509_VERSION_3, "%s: v3", what);
	CHECK(x509_times(x, &nb, &na) == 0 && nb >= now - 3600 - 5 &&
	    nb <= now - 3600 + 5 && na >= now + days * 86400L - 5 &&
	    na <= now + days * 86400L + 5, "%s: valid from now-1h for %d "
	    "days", what, days);
	CHECK(x509_leaf_info(pem, len, &nb, &na, &prov, NULL, 0, NULL) == 0 &&
	    prov == 1, "%s: x509_leaf_info says provisional", what);
	X509_free(x);
	free(pem);
}

/* A certificate for CN, signed by issuer (NULL: self-signed), 90 days. */
static X509 *
make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
    int ca, const char *san)
{
	return test_cert(cn, key, issuer, ikey, ca, san, 90);
}

static char *
chain_pem(X509 *a, X509 *b, X509 *c, size_t *lenp)
{
	BIO	*bio;
	char	*data, *s;
	long	 len;

	bio = BIO_new(BIO_s_mem());
	if (a != NULL)
		PEM_write_bio_X509(bio, a);
	if (b != NULL)
		PEM_write_bio_X509(bio, b);
	if (c != NULL)
		PEM_write_bio_X509(bio, c);
	len = BIO_get_mem_data(bio, &data);
	s = strndup(data, len);
	*lenp = len;
	BIO_free(bio);
	return s;
}

static int
chain_ok(const char *pem, size_t len, EVP_PKEY *key, char *const *names,
    size_t n, char *msg, size_t msglen)
{
	time_t	 nb, na;

	return x509_check_chain(pem, len, key, names, n, &nb, &na, msg,
	    msglen);
}

static void
test_chain(EVP_PKEY *leafkey, EVP_PKEY *otherkey)
{
	EVP_PKEY	*cakey, *ikey;
	X509		*ca, *inter, *leaf, *leaf2;
	char		*pem, msg[256];
	char		*names[] = { "www.example.org", "example.org",
			    "mail.example.org" };
	char		*reordered[] = { "Example.ORG", "mail.example.org",
			    "WWW.example.org" };
	char		*fewer[] = { "www.example.org", "example.org" };
	char		*more[] = { "www.example.org", "example.org",
			    "mail.example.org", "ftp.example.org" };
	const char	*san = "DNS:www.example.org,DNS:example.org,"
			    "DNS:mail.example.org";
	size_t		 len;
	time_t		 nb, na, now;
	int		 i, prov, same;
	BIO		*bio;
	char		*data;
	long		 blen;
	struct x509_cache cache;
	X509		*c1[CHAIN_CERTS_MAX], *c2[CHAIN_CERTS_MAX];
	unsigned char	*spki = NULL;
	int		 n1, n2, spkilen;

	now = time(NULL);
	cakey = key_generate(KEY_ECDSA, 384);
	ikey = key_generate(KEY_ECDSA, 256);
	ca = make_cert("Test Root", cakey, NULL, NULL, 1, NULL);
	inter = make_cert("Test Intermediate", ikey, ca, cakey, 1, NULL);
	leaf = make_cert("www.example.org", leafkey, inter, ikey, 0, san);

	pem = chain_pem(leaf, inter, ca, &len);
	CHECK(x509_check_chain(pem, len, leafkey, names, 3, &nb, &na, msg,
	    sizeof(msg)) == 0, "leaf, intermediate, root: %s", msg);
	CHECK(nb >= now - 5 && nb <= now + 5 && na >= now + 90 * 86400L - 5 &&
	    na <= now + 90 * 86400L + 5, "leaf validity returned");
	CHECK(chain_ok(pem, len, leafkey, reordered, 3, msg,
	    sizeof(msg)) == 0, "names in another order and case: %s", msg);
	CHECK(chain_ok(pem, len, otherkey, names, 3, msg, sizeof(msg)) == -1 &&
	    strstr(msg, "key") != NULL, "other key refused: %s", msg);
	CHECK(chain_ok(pem, len, leafkey, fewer, 2, msg, sizeof(msg)) == -1 &&
	    strstr(msg, "mail.example.org") != NULL,
	    "extra name in leaf refused: %s", msg);
	CHECK(chain_ok(pem, len, leafkey, more, 4, msg, sizeof(msg)) == -1 &&
	    strstr(msg, "ftp.example.org") != NULL,
	    "missing name refused: %s", msg);
	CHECK(x509_leaf_info(pem, len, &nb, &na, &prov, NULL, 0, NULL) == 0 &&
	    prov == 0, "issued leaf is not provisional");
	same = -1;
	CHECK(x509_leaf_info(pem, len, &nb, &na, &prov, reordered, 3,
	    &same) == 0 && same == 1, "leaf info: the same names, in another "
	    "order and case");
	same = -1;
	CHECK(x509_leaf_info(pem, len, &nb, &na, &prov, fewer, 2, &same) == 0 &&
	    same == 0, "leaf info: a name the configuration no longer has");
	same = -1;
	CHECK(x509_leaf_info(pem, len, &nb, &na, &prov, more, 4, &same) == 0 &&
	    same == 0, "leaf info: a name the leaf does not have");
	free(pem);

	pem = chain_pem(leaf, inter, NULL, &len);
	CHECK(chain_ok(pem, len, leafkey, names, 3, msg, sizeof(msg)) == 0,
	    "leaf, intermediate: %s", msg);
	free(pem);
	pem = chain_pem(leaf, NULL, NULL, &len);
	CHECK(chain_ok(pem, len, leafkey, names, 3, msg, sizeof(msg)) == 0,
	    "leaf alone: %s", msg);
	free(pem);

	pem = chain_pem(leaf, ca, inter, &len);
	CHECK(chain_ok(pem, len, leafkey, names, 3, msg, sizeof(msg)) == -1 &&
	    strstr(msg, "certificate 1") != NULL,
	    "broken order refused: %s", msg);
	free(pem);
	pem = chain_pem(inter, leaf, ca, &len);
	CHECK(chain_ok(pem, len, leafkey, names, 3, msg, sizeof(msg)) == -1,
	    "intermediate first refused: %s", msg);
	free(pem);

	/* Same issuer name, wrong key: the signature check catches it. */
	leaf2 = make_cert("www.example.org", leafkey, inter, otherkey, 0, san);
	pem = chain_pem(leaf2, inter, ca, &len);
	CHECK(chain_ok(pem, len, leafkey, names, 3, msg, sizeof(msg)) == -1 &&
	    strstr(msg, "not signed by certificate 2") != NULL,
	    "forged signature refused: %s", msg);
	free(pem);

	/* With a cache: what follows the leaf is parsed once, all checked. */
	memset(&cache, 0, sizeof(cache));
	spkilen = i2d_PUBKEY(leafkey, &spki);
	pem = chain_pem(leaf, inter, ca, &len);
	CHECK(x509_chain_read(pem, len, c1, &n1, &cache, msg,
	    sizeof(msg)) == 0 && n1 == 3, "chain read with a cache");
	CHECK(x509_chain_read(pem, len, c2, &n2, &cache, msg,
	    sizeof(msg)) == 0 && n2 == 3 && c2[0] != c1[0] && c2[1] == c1[1] &&
	    c2[2] == c1[2], "read again: the leaf parsed anew, the others "
	    "from the cache");
	CHECK(x509_check_certs(c2, n2, spki, spkilen, names, 3, &nb, &na,
	    msg, sizeof(msg)) == 0, "cached chain checks: %s", msg);
	for (i = 0; i < n1; i++)
		X509_free(c1[i]);
	for (i = 0; i < n2; i++)
		X509_free(c2[i]);
	free(pem);
	pem = chain_pem(leaf2, inter, ca, &len);
	CHECK(x509_chain_read(pem, len, c1, &n1, &cache, msg,
	    sizeof(msg)) == 0 && n1 == 3 && x509_check_certs(c1, n1, spki,
	    spkilen, names, 3, &nb, &na, msg, sizeof(msg)) == -1 &&
	    strstr(msg, "not signed by certificate 2") != NULL,
	    "forged signature under a cached intermediate refused: %s", msg);
	for (i = 0; i < n1; i++)
		X509_free(c1[i]);
	free(pem);
	pem = chain_pem(leaf, inter, ca, &len);
	pem[len - len / 4] ^= 0x20;
	CHECK(x509_chain_read(pem, len, c1, &n1, &cache, msg,
	    sizeof(msg)) == -1 || x509_check_certs(c1, n1, spki, spkilen,
	    names, 3, &nb, &na, msg, sizeof(msg)) == -1,
	    "corrupted root refused with a cache: %s", msg);
	for (i = 0; i < n1; i++)
		X509_free(c1[i]);
	free(pem);
	OPENSSL_free(spki);
	x509_cache_free(&cache);
	X509_free(leaf2);

	leaf2 = make_cert("www.example.org", leafkey, inter, ikey, 0, NULL);
	pem = chain_pem(leaf2, inter, ca, &len);
	CHECK(chain_ok(pem, len, leafkey, names, 3, msg, sizeof(msg)) == -1 &&
	    strstr(msg, "subjectAltName") != NULL,
	    "leaf without SAN refused: %s", msg);
	free(pem);
	X509_free(leaf2);

	CHECK(chain_ok("", 0, leafkey, names, 3, msg, sizeof(msg)) == -1,
	    "empty chain refused: %s", msg);
	CHECK(chain_ok("junk\n", 5, leafkey, names, 3, msg, sizeof(msg)) == -1,
	    "junk refused: %s", msg);
	pem = chain_pem(leaf, inter, ca, &len);
	pem[len / 2] ^= 0x20;
	CHECK(chain_ok(pem, len, leafkey, names, 3, msg, sizeof(msg)) == -1,
	    "corrupted PEM refused: %s", msg);
	free(pem);

	/* More certificates than any real chain. */
	bio = BIO_new(BIO_s_mem());
	for (i = 0; i < CHAIN_CERTS_MAX + 1; i++)
		PEM_write_bio_X509(bio, leaf);
	blen = BIO_get_mem_data(bio, &data);
	CHECK(chain_ok(data, blen, leafkey, names, 3, msg, sizeof(msg)) == -1 &&
	    strstr(msg, "more than") != NULL, "11 certificates refused: %s",
	    msg);
	BIO_free(bio);

	X509_free(leaf);
	X509_free(inter);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(ikey);
}

/*
 * The longest leaf a public CA may issue shrinks with the date it is
 * issued on (CA/Browser Forum ballot SC-081): 398 days before 2026-03-15,
 * then 200, 100 from 2027-03-15 and 47 from 2029-03-15; both ends count.
 */
static void
test_issued_bound(EVP_PKEY *leafkey, X509 *ca, EVP_PKEY *cakey)
{
	X509		*leaf, *certs[2];
	char		 msg[256];
	size_t		 i;
	time_t		 nb;
	int		 rc;
	const struct {
		time_t		 nb;
		long		 days;
		const char	*want;		/* NULL: passes */
	} t[] = {
		{ 1773532799, 397, NULL },	/* 2026-03-14T23:59:59Z */
		{ 1773532799, 398, "longer than the 398 days a public CA "
		    "may issue" },
		{ 1773532800, 199, NULL },
		{ 1773532800, 200, "longer than the 200 days a public CA "
		    "may issue a certificate from 2026-03-15" },
		{ 1805068799, 199, NULL },
		{ 1805068800, 99, NULL },
		{ 1805068800, 100, "the 100 days a public CA may issue a "
		    "certificate from 2027-03-15" },
		{ 1868227200, 46, NULL },
		{ 1868227200, 47, "the 47 days a public CA may issue a "
		    "certificate from 2029-03-15" },
	};

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		leaf = test_cert("www.example.org", leafkey, ca, cakey, 0,
		    "DNS:www.example.org", 1);
		nb = t[i].nb;
		X509_time_adj_ex(X509_getm_notBefore(leaf), 0, 0, &nb);
		X509_time_adj_ex(X509_getm_notAfter(leaf), (int)t[i].days, 0,
		    &nb);
		X509_sign(leaf, cakey, EVP_sha256());
		certs[0] = leaf;
		certs[1] = ca;
		rc = x509_check_issued(certs, 2, msg, sizeof(msg));
		CHECK(t[i].want == NULL ? rc == 0 : rc == -1 &&
		    strstr(msg, t[i].want) != NULL, "issued at %lld for %ld "
		    "days: %s: %s", (long long)t[i].nb, t[i].days,
		    t[i].want == NULL ? "passes" : "refused", msg);
		X509_free(leaf);
	}
}

/*
 * What the parent asks of a chain netproc brings as issued: the leaf's
 * issuer with it, a CA, whose signature the leaf bears, and a leaf valid
 * no longer than a public CA may issue.
 */
static void
test_issued(EVP_PKEY *leafkey, EVP_PKEY *otherkey)
{
	EVP_PKEY	*cakey;
	X509		*ca, *notca, *leaf, *certs[2];
	char		 msg[256];
	size_t		 i;
	int		 rc;
	struct {
		const char	*what;
		int		 self;		/* self-signed, alone */
		int		 notca;		/* issued by one that is not */
		int		 other;		/* signed by another key */
		int		 alone;		/* without its issuer */
		long		 days;
		const char	*want;		/* NULL: passes */
	} t[] = {
		{ "a leaf of 90 days and its CA", 0, 0, 0, 0, 90, NULL },
		{ "a leaf of 199 days and its CA", 0, 0, 0, 0, 199, NULL },
		{ "a leaf of 200 days and a second", 0, 0, 0, 0, 200,
		    "longer than the 200 days a public CA may issue a "
		    "certificate from 2026-03-15" },
		{ "the leaf alone", 0, 0, 0, 1, 90,
		    "without the certificate of its issuer" },
		{ "a self-signed leaf of 100 years alone", 1, 0, 0, 1, 36500,
		    "without the certificate of its issuer" },
		{ "an issuer that is not a CA", 0, 1, 0, 0, 90,
		    "is not a CA" },
		{ "a leaf the CA did not sign", 0, 0, 1, 0, 90,
		    "not signed by certificate 2" },
		{ "a leaf of 100 years", 0, 0, 0, 0, 36500,
		    "valid for 36500 days" },
	};

	cakey = key_generate(KEY_ECDSA, 256);
	ca = test_cert("Test CA", cakey, NULL, NULL, 1, NULL, 90);
	notca = test_cert("Not a CA", cakey, NULL, NULL, 0, NULL, 90);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		certs[1] = t[i].notca ? notca : ca;
		leaf = test_cert("www.example.org", leafkey, t[i].self ? NULL :
		    certs[1], t[i].self ? NULL : t[i].other ? otherkey : cakey,
		    0, "DNS:www.example.org", t[i].days);
		certs[0] = leaf;
		rc = x509_check_issued(certs, t[i].alone ? 1 : 2, msg,
		    sizeof(msg));
		CHECK(t[i].want == NULL ? rc == 0 : rc == -1 &&
		    strstr(msg, t[i].want) != NULL, "issued: %s %s: %s",
		    t[i].what, t[i].want == NULL ? "passes" : "refused", msg);
		X509_free(leaf);
	}
	X509_free(notca);
	test_issued_bound(leafkey, ca, cakey);
	X509_free(ca);
	EVP_PKEY_free(cakey);
}

/*
 * IP addresses (RFC 8738): iPAddress subjectAltNames in the CSR and the
 * provisional certificate, no CN that is an address, and the chain check
 * compares iPAddresses with the configured addresses, the two types apart.
 */
static void
test_ip(EVP_PKEY *key)
{
	EVP_PKEY	*cakey;
	X509		*ca, *leaf;
	char		*pem, msg[256];
	char		*ipfirst[] = { "192.0.2.1", "2001:db8::1",
			    "example.org" };
	char		*dnsfirst[] = { "example.org", "::1", "127.0.0.1" };
	char		*v6[] = { "2001:db8::1" };
	size_t		 i, len;
	time_t		 nb, na;
	int		 prov, same;
	struct {
		const char	*what;
		const char	*san;
		const char	*want;		/* NULL: passes */
	} t[] = {
		{ "the names with the addresses as iPAddresses",
		    "DNS:example.org,IP:2001:db8:0:0:0:0:0:1,IP:192.0.2.1",
		    NULL },
		{ "an address as a dNSName",
		    "DNS:example.org,DNS:192.0.2.1,IP:2001:db8::1",
		    "the address 192.0.2.1 as a dNSName" },
		{ "an address missing",
		    "DNS:example.org,IP:192.0.2.1",
		    "does not name 2001:db8::1" },
		{ "another address",
		    "DNS:example.org,IP:192.0.2.1,IP:2001:db8::1,IP:192.0.2.2",
		    "leaf names 192.0.2.2, which is not configured" },
	};

	check_csr("IP first: no CN", key, ipfirst, 3, NULL);
	check_csr("IPv6 alone: no CN", key, v6, 1, NULL);
	check_csr("DNS name first, then addresses", key, dnsfirst, 3,
	    "example.org");
	check_selfsigned("provisional with addresses", key, ipfirst, 3, 7);
	pem = selfsigned_pem(key, ipfirst, 3, 7, &len);
	CHECK(pem != NULL && chain_ok(pem, len, key, ipfirst, 3, msg,
	    sizeof(msg)) == 0, "provisional with addresses passes the chain "
	    "check: %s", pem != NULL ? msg : crypto_error());
	free(pem);

	cakey = key_generate(KEY_ECDSA, 256);
	ca = test_cert("Test CA", cakey, NULL, NULL, 1, NULL, 90);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		leaf = test_cert("example.org", key, ca, cakey, 0, t[i].san,
		    90);
		pem = chain_pem(leaf, ca, NULL, &len);
		msg[0] = '\0';
		if (t[i].want == NULL)
			CHECK(chain_ok(pem, len, key, ipfirst, 3, msg,
			    sizeof(msg)) == 0, "chain with %s passes: %s",
			    t[i].what, msg);
		else
			CHECK(chain_ok(pem, len, key, ipfirst, 3, msg,
			    sizeof(msg)) == -1 && strstr(msg, t[i].want) !=
			    NULL, "chain with %s refused: %s", t[i].what, msg);
		same = -1;
		CHECK(x509_leaf_info(pem, len, &nb, &na, &prov, ipfirst, 3,
		    &same) == 0 && same == (t[i].want == NULL),
		    "leaf info: %s: %s names", t[i].what,
		    same ? "the same" : "other");
		free(pem);
		X509_free(leaf);
	}
	X509_free(ca);
	EVP_PKEY_free(cakey);
}

/* The public key's DER is byte for byte what libcrypto's encoder makes. */
static void
check_pubkey_der(const char *what, EVP_PKEY *pkey)
{
	unsigned char	*a = NULL, *b = NULL;
	int		 alen, blen;

	alen = pubkey_der(pkey, &a);
	blen = i2d_PUBKEY(pkey, &b);
	CHECK(alen > 0 && alen == blen && memcmp(a, b, alen) == 0,
	    "%s: public key DER as i2d_PUBKEY (%d, %d bytes)", what, alen,
	    blen);
	OPENSSL_free(a);
	OPENSSL_free(b);
}

int
main(void)
{
	EVP_PKEY	*ec, *ec384, *rsa;
	X509		*x;
	char		*names[] = { "example.org", "www.example.org",
			    "*.example.net" };
	char		 longname[80], *longnames[2], msg[256];
	unsigned char	*der;
	size_t		 i, len;
	char		*pem;

	ec = key_generate(KEY_ECDSA, 256);
	ec384 = key_generate(KEY_ECDSA, 384);
	rsa = key_generate(KEY_RSA, 2048);
	CHECK(ec != NULL && ec384 != NULL && rsa != NULL, "keys made");

	check_pubkey_der("P-256", ec);
	check_pubkey_der("P-384", ec384);
	check_pubkey_der("RSA", rsa);

	check_csr("one name", ec, names, 1, "example.org");
	check_csr("three names", ec, names, 3, "example.org");
	check_csr("RSA", rsa, names, 3, "example.org");
	check_csr("P-384", ec384, names, 2, "example.org");
	for (i = 0; i < NAMES_MAX; i++)
		if (asprintf(&many[i], "host%zu.example.org", i) == -1)
			return 1;
	check_csr("100 names", ec, many, NAMES_MAX, "host0.example.org");
	CHECK(csr_build(ec, many, NAMES_MAX + 1, &der, &len) == -1,
	    "101 names refused: %s", crypto_error());
	CHECK(csr_build(ec, many, 0, &der, &len) == -1, "no name refused");

	/* A first name over 64 bytes cannot be a CN: SAN only. */
	memset(longname, 'a', 70);
	strcpy(longname + 70, ".org");
	longnames[0] = longname;
	longnames[1] = "example.org";
	check_csr("long first name", ec, longnames, 2, NULL);

	check_selfsigned("provisional", ec, names, 3, 30);
	check_selfsigned("provisional RSA", rsa, names, 1, 1);
	check_selfsigned("provisional P-384", ec384, names, 1, 1);
	check_selfsigned("provisional 100 names", ec, many, NAMES_MAX, 90);
	check_selfsigned("provisional long name", ec, longnames, 2, 7);
	CHECK(selfsigned_pem(ec, names, 1, 0, &len) == NULL,
	    "0 days refused: %s", crypto_error());
	CHECK(selfsigned_pem(ec, names, 1, CERT_DAYS_MAX + 1, &len) == NULL,
	    "too many days refused");
	CHECK(selfsigned_pem(ec, names, 0, 30, &len) == NULL,
	    "no name refused");

	/* A self-signed certificate with another CN is not provisional. */
	x = make_cert("example.org", ec, NULL, NULL, 0, "DNS:example.org");
	CHECK(!cert_is_provisional(x), "other self-signed: not provisional");
	X509_free(x);
	x = make_cert(PROVISIONAL_CN_PREFIX "example.org", ec, NULL, NULL, 0,
	    "DNS:example.org");
	CHECK(cert_is_provisional(x), "provisional CN, self-issued");
	X509_free(x);

	/* The provisional certificate itself passes the leaf check. */
	pem = selfsigned_pem(ec, names, 3, 30, &len);
	CHECK(chain_ok(pem, len, ec, names, 3, msg, sizeof(msg)) == 0,
	    "provisional passes the chain check: %s", msg);
	free(pem);

	test_chain(ec, rsa);
	test_issued(ec, rsa);
	test_ip(ec);

	for (i = 0; i < NAMES_MAX; i++)
		free(many[i]);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ec384);
	EVP_PKEY_free(rsa);
	return test_done();
}
