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
 * Certificate checks shared by the parent and keyproc: is a certificate
 * the provisional one, when is it valid, and does an issued chain belong
 * to the domain (its key, exactly its names, each certificate signed by
 * the next); and, for the parent and netproc, the renewal information id
 * of a certificate.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base64.h"
#include "ident.h"
#include "x509check.h"

/* 1 if a certificate of these names is self-issued, provisional CN. */
static int
names_provisional(const X509_NAME *subj, const X509_NAME *issuer)
{
	char		 cn[256];
	int		 len;

	if (X509_NAME_cmp(subj, issuer) != 0)
		return 0;
	len = X509_NAME_get_text_by_NID(subj, NID_commonName, cn, sizeof(cn));
	if (len < (int)strlen(PROVISIONAL_CN_PREFIX))
		return 0;
	return strncmp(cn, PROVISIONAL_CN_PREFIX,
	    strlen(PROVISIONAL_CN_PREFIX)) == 0;
}

/* 1 if x is self-issued with the provisional CN prefix. */
int
cert_is_provisional(X509 *x)
{
	return names_provisional(X509_get_subject_name(x),
	    X509_get_issuer_name(x));
}

static int
asn1_time(const ASN1_TIME *t, time_t *tp)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	*tp = timegm(&tm);
	return 0;
}

int
x509_times(X509 *x, time_t *notbefore, time_t *notafter)
{
	if (asn1_time(X509_get0_notBefore(x), notbefore) == -1 ||
	    asn1_time(X509_get0_notAfter(x), notafter) == -1)
		return -1;
	return 0;
}

/*
 * A certificate from DER: the leaf always parsed, the ones after it taken
 * from cache when the same bytes were parsed before (an authority's
 * intermediates change seldom, and every parse decodes a key).
 */
static X509 *
cert_parse(const unsigned char *der, long len, int leaf,
    struct x509_cache *cache)
{
	const unsigned char	*p = der;
	X509			*x;
	size_t			 i;

	if (cache != NULL && !leaf)
		for (i = 0; i < X509_CACHE_MAX; i++)
			if (cache->x[i] != NULL && cache->len[i] == len &&
			    memcmp(cache->der[i], der, len) == 0) {
				X509_up_ref(cache->x[i]);
				return cache->x[i];
			}
	if ((x = d2i_X509(NULL, &p, len)) == NULL || cache == NULL || leaf)
		return x;
	i = cache->next++ % X509_CACHE_MAX;
	X509_free(cache->x[i]);
	free(cache->der[i]);
	cache->x[i] = NULL;
	if ((cache->der[i] = malloc(len)) != NULL) {
		memcpy(cache->der[i], der, len);
		cache->len[i] = len;
		X509_up_ref(x);
		cache->x[i] = x;
	}
	return x;
}

void
x509_cache_free(struct x509_cache *cache)
{
	size_t	 i;

	for (i = 0; i < X509_CACHE_MAX; i++) {
		X509_free(cache->x[i]);
		free(cache->der[i]);
	}
	memset(cache, 0, sizeof(*cache));
}

/* 1 if libcrypto's last error says PEM input has no further block. */
int
pem_at_end(void)
{
	unsigned long	 e = ERR_peek_last_error();

	return ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

/*
 * Reads the certificates of a PEM chain; -1 if there is none, one does
 * not parse, or there are more than CHAIN_CERTS_MAX.  With a cache, the
 * certificates after the leaf may come from it.
 */
int
x509_chain_read(const void *pem, size_t len, X509 **certs, int *np,
    struct x509_cache *cache, char *msg, size_t msglen)
{
	BIO		*bio;
	X509		*x;
	unsigned char	*der;
	char		*name;
	long		 dlen;
	int		 n = 0, rc = -1;

	*np = 0;
	if (len == 0 || len > CHAIN_PEM_MAX) {
		snprintf(msg, msglen, "chain of %zu bytes (1 to %d allowed)",
		    len, CHAIN_PEM_MAX);
		return -1;
	}
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		snprintf(msg, msglen, "out of memory");
		return -1;
	}
	for (;;) {
		der = NULL;
		name = NULL;
		x = NULL;
		if (PEM_bytes_read_bio(&der, &dlen, &name, PEM_STRING_X509,
		    bio, NULL, NULL) == 1)
			x = cert_parse(der, dlen, n == 0, cache);
		OPENSSL_free(der);
		OPENSSL_free(name);
		if (x == NULL) {
			if (n > 0 && pem_at_end())
				rc = 0;
			else
				snprintf(msg, msglen, "certificate %d of the "
				    "chain does not parse", n + 1);
			break;
		}
		if (n == CHAIN_CERTS_MAX) {
			X509_free(x);
			snprintf(msg, msglen, "more than %d certificates in "
			    "the chain", CHAIN_CERTS_MAX);
			break;
		}
		certs[n++] = x;
	}
	BIO_free(bio);
	ERR_clear_error();
	*np = n;
	return rc;
}

/* Notes where a certificate is in the chain, for the messages. */
static void
cert_label(X509 *x, int i, char *s, size_t len)
{
	char	 cn[128];

	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn)) < 0)
		snprintf(cn, sizeof(cn), "no CN");
	snprintf(s, len, "certificate %d (%s)", i + 1, cn);
}

static int
name_in(const char *name, size_t len, char *const *names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len &&
		    strncasecmp(names[i], name, len) == 0)
			return 1;
	return 0;
}

/*
 * A subjectAltName as a configured name would be written: an iPAddress
 * in the text of ident.h, a dNSName as it is; NULL for another type.
 * -1 (with msg) for a value no configured name can be, which includes a
 * dNSName that reads as an address: the two types are apart.
 */
static int
san_text(const GENERAL_NAME *gen, const char **s, int *len, char *ip,
    size_t iplen, char *msg, size_t msglen)
{
	unsigned char	 bin[IDENT_IP_BIN_MAX];
	size_t		 nbin;

	*s = NULL;
	if (gen->type == GEN_IPADD) {
		if (ident_ip_text(ASN1_STRING_get0_data(gen->d.iPAddress),
		    (size_t)ASN1_STRING_length(gen->d.iPAddress), ip,
		    iplen) == -1) {
			snprintf(msg, msglen, "leaf has a malformed iPAddress");
			return -1;
		}
		*s = ip;
		*len = (int)strlen(ip);
		return 0;
	}
	if (gen->type != GEN_DNS)
		return 0;
	*s = (const char *)ASN1_STRING_get0_data(gen->d.dNSName);
	*len = ASN1_STRING_length(gen->d.dNSName);
	if (*len <= 0 || memchr(*s, '\0', *len) != NULL) {
		snprintf(msg, msglen, "leaf has a malformed dNSName");
		return -1;
	}
	if ((size_t)*len >= iplen)
		return 0;
	memcpy(ip, *s, *len);
	ip[*len] = '\0';
	if (ident_ip_bin(ip, bin, &nbin) == 0) {
		snprintf(msg, msglen, "leaf has the address %s as a dNSName",
		    ip);
		return -1;
	}
	return 0;
}

/*
 * Compares the leaf's dNSNames and iPAddresses with the configured names,
 * both ways.
 */
static int
gens_match(const GENERAL_NAMES *gens, char *const *names, size_t n,
    char *msg, size_t msglen)
{
	GENERAL_NAME	*gen;
	char		**san = NULL, ip[IDENT_IP_TEXT_MAX];
	const char	*s;
	size_t		 nsan = 0, i;
	int		 k, len, rc = -1;

	if ((san = calloc(sk_GENERAL_NAME_num(gens) + 1, sizeof(*san))) ==
	    NULL) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	for (k = 0; k < sk_GENERAL_NAME_num(gens); k++) {
		gen = sk_GENERAL_NAME_value(gens, k);
		if (san_text(gen, &s, &len, ip, sizeof(ip), msg, msglen) == -1)
			goto out;
		if (s == NULL)
			continue;
		if (!name_in(s, len, names, n)) {
			snprintf(msg, msglen, "leaf names %.*s, which is not "
			    "configured", len > 253 ? 253 : len, s);
			goto out;
		}
		if ((san[nsan] = strndup(s, len)) == NULL) {
			snprintf(msg, msglen, "out of memory");
			goto out;
		}
		nsan++;
	}
	for (i = 0; i < n; i++) {
		if (!name_in(names[i], strlen(names[i]), san, nsan)) {
			snprintf(msg, msglen, "leaf does not name %s",
			    names[i]);
			goto out;
		}
	}
	rc = 0;
 out:
	for (i = 0; i < nsan; i++)
		free(san[i]);
	free(san);
	return rc;
}

static int
check_names(X509 *leaf, char *const *names, size_t n, char *msg,
    size_t msglen)
{
	GENERAL_NAMES	*gens;
	int		 rc;

	if ((gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL,
	    NULL)) == NULL) {
		snprintf(msg, msglen, "leaf has no subjectAltName");
		return -1;
	}
	rc = gens_match(gens, names, n, msg, msglen);
	GENERAL_NAMES_free(gens);
	return rc;
}

/*
 * 1 if the certificate's key is the one whose SubjectPublicKeyInfo (DER)
 * is spki.  The encodings are compared first; a certificate that encodes
 * the same key otherwise is compared as keys.
 */
static int
leaf_key_is(X509 *leaf, const unsigned char *spki, size_t spkilen)
{
	const unsigned char	*p = spki;
	unsigned char		*der = NULL;
	EVP_PKEY		*key, *lkey;
	int			 len, same;

	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &der);
	same = len > 0 && (size_t)len == spkilen &&
	    memcmp(der, spki, spkilen) == 0;
	OPENSSL_free(der);
	if (same)
		return 1;
	if ((lkey = X509_get0_pubkey(leaf)) == NULL || spkilen > LONG_MAX ||
	    (key = d2i_PUBKEY(NULL, &p, (long)spkilen)) == NULL)
		return 0;
	same = EVP_PKEY_eq(lkey, key) == 1;
	EVP_PKEY_free(key);
	return same;
}

/* Whether the certificate in der has the public key spki (DER). */
int
x509_der_key_is(const unsigned char *der, size_t len,
    const unsigned char *spki, size_t spkilen)
{
	const unsigned char	*p = der;
	X509			*x;
	int			 same;

	if (len > LONG_MAX || (x = d2i_X509(NULL, &p, (long)len)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	same = leaf_key_is(x, spki, spkilen);
	X509_free(x);
	ERR_clear_error();
	return same;
}

/*
 * Checks an issued chain (leaf first) against the domain: the leaf's key
 * is the one of spki (DER SubjectPublicKeyInfo), its dNSNames are exactly
 * names (in any order and case), and each certificate is signed by the one
 * after it.  Returns 0 and the leaf's validity, or -1 with what did not
 * match in msg.
 */
int
x509_check_certs(X509 *const *certs, int ncerts, const unsigned char *spki,
    size_t spkilen, char *const *names, size_t n, time_t *notbefore,
    time_t *notafter, char *msg, size_t msglen)
{
	EVP_PKEY	*next;
	char		 a[160], b[160];
	int		 i;

	snprintf(msg, msglen, "ok");
	if (ncerts < 1) {
		snprintf(msg, msglen, "no certificate");
		return -1;
	}
	if (!leaf_key_is(certs[0], spki, spkilen)) {
		snprintf(msg, msglen, "leaf public key is not the domain key");
		return -1;
	}
	if (check_names(certs[0], names, n, msg, msglen) == -1)
		return -1;
	for (i = 0; i + 1 < ncerts; i++) {
		cert_label(certs[i], i, a, sizeof(a));
		cert_label(certs[i + 1], i + 1, b, sizeof(b));
		if (X509_NAME_cmp(X509_get_issuer_name(certs[i]),
		    X509_get_subject_name(certs[i + 1])) != 0) {
			snprintf(msg, msglen, "%s is not issued by %s", a, b);
			return -1;
		}
		if ((next = X509_get0_pubkey(certs[i + 1])) == NULL ||
		    X509_verify(certs[i], next) != 1) {
			snprintf(msg, msglen, "%s is not signed by %s", a, b);
			return -1;
		}
	}
	if (x509_times(certs[0], notbefore, notafter) == -1) {
		snprintf(msg, msglen, "leaf validity does not parse");
		return -1;
	}
	return 0;
}

/*
 * What a chain an authority issued must be besides what
 * x509_check_certs() checks, since the parent takes it from netproc,
 * which may be compromised: the leaf and at least its issuer (a leaf
 * alone is signed by nothing that can be checked), the leaf signed by
 * the issuer, the issuer a CA (basicConstraints cA), and the leaf valid
 * for no longer than a public CA may issue, so that a leaf made to last
 * is not installed as one that never needs renewing.  No trust anchor is
 * asked for: the roots of test and private CAs are in no store.  0, or
 * -1 with what is wrong in msg.
 */
int
x509_check_issued(X509 *const *certs, int ncerts, char *msg, size_t msglen)
{
	EVP_PKEY	*ikey;
	uint32_t	 flags;
	time_t		 nb, na;
	const char	*since;
	char		 b[160];
	int		 days;

	snprintf(msg, msglen, "ok");
	if (ncerts < 2) {
		snprintf(msg, msglen, "a leaf without the certificate of its "
		    "issuer");
		return -1;
	}
	cert_label(certs[1], 1, b, sizeof(b));
	if ((ikey = X509_get0_pubkey(certs[1])) == NULL ||
	    X509_verify(certs[0], ikey) != 1) {
		snprintf(msg, msglen, "the leaf is not signed by %s", b);
		return -1;
	}
	flags = X509_get_extension_flags(certs[1]);
	if ((flags & EXFLAG_INVALID) || (flags & (EXFLAG_BCONS | EXFLAG_CA)) !=
	    (EXFLAG_BCONS | EXFLAG_CA)) {
		snprintf(msg, msglen, "%s, the leaf's issuer, is not a CA", b);
		return -1;
	}
	if (x509_times(certs[0], &nb, &na) == -1) {
		snprintf(msg, msglen, "leaf validity does not parse");
		return -1;
	}
	/* Both ends count (RFC 5280 section 4.1.2.5). */
	days = cert_lifetime_max(nb, &since);
	if (na < nb || na - nb >= (time_t)days * 86400) {
		snprintf(msg, msglen, "the leaf is valid for %lld days, longer "
		    "than the %d days a public CA may issue%s%s",
		    (long long)(na - nb) / 86400, days, *since != '\0' ?
		    " a certificate from " : "", since);
		return -1;
	}
	return 0;
}

/*
 * The longest validity, in days, a public CA may give a leaf issued at
 * nb (the CA/Browser Forum's Baseline Requirements 6.3.2, ballot SC-081:
 * shorter from each date on), and in *since that date, "" for the first.
 */
int
cert_lifetime_max(time_t nb, const char **since)
{
	static const struct {
		time_t		 from;
		int		 days;
		const char	*date;
	} steps[] = {
		{ 1868227200, 47, "2029-03-15" },
		{ 1805068800, 100, "2027-03-15" },
		{ 1773532800, 200, "2026-03-15" },
		{ 0, 398, "" },
	};
	size_t	 i;

	for (i = 0; steps[i].from != 0 && nb < steps[i].from; i++)
		;
	*since = steps[i].date;
	return steps[i].days;
}

/* x509_check_certs() on a PEM chain and a key. */
int
x509_check_chain(const void *pem, size_t len, EVP_PKEY *key,
    char *const *names, size_t n, time_t *notbefore, time_t *notafter,
    char *msg, size_t msglen)
{
	X509		*certs[CHAIN_CERTS_MAX];
	unsigned char	*spki = NULL;
	int		 ncerts, spkilen, i, rc = -1;

	if (x509_chain_read(pem, len, certs, &ncerts, NULL, msg, msglen) == -1)
		goto out;
	if ((spkilen = i2d_PUBKEY(key, &spki)) <= 0) {
		snprintf(msg, msglen, "the domain key does not encode");
		goto out;
	}
	rc = x509_check_certs(certs, ncerts, spki, (size_t)spkilen, names, n,
	    notbefore, notafter, msg, msglen);
 out:
	for (i = 0; i < ncerts; i++)
		X509_free(certs[i]);
	OPENSSL_free(spki);
	ERR_clear_error();
	return rc;
}

/* Steps into (enter) or over the DER element at *p; -1 if it is not one. */
static int
der_step(const unsigned char **p, const unsigned char *end, int enter)
{
	long	 len;
	int	 tag, xclass;

	if (*p >= end || ASN1_get_object(p, &len, &tag, &xclass,
	    end - *p) & 0x80)
		return -1;
	if (!enter)
		*p += len;
	return 0;
}

/*
 * The validity and the names of a certificate, from its DER without a
 * whole parse: a parse decodes the public key too, most of what reading
 * every certificate at start cost.
 */
/*
 * Whether the subjectAltName among the extensions at p names the n names,
 * no more and no fewer: 1 if so, 0 if not or if it has none, -1 if the
 * extensions cannot be read.
 */
static int
san_names_same(const unsigned char *p, const unsigned char *end,
    char *const *names, size_t n)
{
	static const unsigned char	 san_oid[] = { 0x06, 0x03, 0x55, 0x1d,
					    0x11 };
	const unsigned char		*q, *vend;
	GENERAL_NAMES			*gens;
	char				 msg[64];
	long				 l;
	int				 tag, xclass, same;

	/* [3] EXPLICIT Extensions: a SEQUENCE of Extension. */
	if (der_step(&p, end, 1) == -1 || der_step(&p, end, 1) == -1)
		return -1;
	while (p < end) {
		if (ASN1_get_object(&p, &l, &tag, &xclass, end - p) & 0x80)
			return -1;
		vend = p + l;
		if (end - p < (long)sizeof(san_oid) ||
		    memcmp(p, san_oid, sizeof(san_oid)) != 0) {
			p = vend;
			continue;
		}
		p += sizeof(san_oid);
		/* critical BOOLEAN DEFAULT FALSE, then the OCTET STRING */
		q = p;
		if (ASN1_get_object(&q, &l, &tag, &xclass, vend - p) & 0x80)
			return -1;
		if (tag == V_ASN1_BOOLEAN && der_step(&p, vend, 0) == -1)
			return -1;
		if (der_step(&p, vend, 1) == -1)
			return -1;
		if ((gens = d2i_GENERAL_NAMES(NULL, &p, vend - p)) == NULL)
			return -1;
		same = gens_match(gens, names, n, msg, sizeof(msg)) == 0;
		GENERAL_NAMES_free(gens);
		return same;
	}
	return 0;
}

static int
leaf_fields(const unsigned char *der, long len, time_t *notbefore,
    time_t *notafter, int *provisional, char *const *names, size_t n,
    int *same)
{
	const unsigned char	*p = der, *end = der + len, *q;
	X509_NAME		*issuer = NULL, *subject = NULL;
	ASN1_TIME		*nb = NULL, *na = NULL;
	long			 l;
	int			 tag, xclass, rc = -1;

	/* Certificate, tbsCertificate, then [0] version if it is there. */
	if (der_step(&p, end, 1) == -1 || der_step(&p, end, 1) == -1)
		return -1;
	q = p;
	if (!(ASN1_get_object(&q, &l, &tag, &xclass, end - p) & 0x80) &&
	    xclass == V_ASN1_CONTEXT_SPECIFIC && tag == 0 &&
	    der_step(&p, end, 0) == -1)
		return -1;
	/* serialNumber, signature; issuer; validity; subject */
	if (der_step(&p, end, 0) == -1 || der_step(&p, end, 0) == -1 ||
	    (issuer = d2i_X509_NAME(NULL, &p, end - p)) == NULL ||
	    der_step(&p, end, 1) == -1 ||
	    (nb = d2i_ASN1_TIME(NULL, &p, end - p)) == NULL ||
	    (na = d2i_ASN1_TIME(NULL, &p, end - p)) == NULL ||
	    (subject = d2i_X509_NAME(NULL, &p, end - p)) == NULL ||
	    asn1_time(nb, notbefore) == -1 || asn1_time(na, notafter) == -1)
		goto out;
	*provisional = names_provisional(subject, issuer);
	if (names != NULL) {
		/* subjectPublicKeyInfo; [1], [2] unique ids; [3] extensions */
		*same = 0;
		if (der_step(&p, end, 0) == -1)
			goto out;
		while (p < end) {
			q = p;
			if (ASN1_get_object(&q, &l, &tag, &xclass, end - p) &
			    0x80 || xclass != V_ASN1_CONTEXT_SPECIFIC)
				break;
			if (tag == 3) {
				if ((*same = san_names_same(p, q + l, names,
				    n)) == -1)
					goto out;
				break;
			}
			p = q + l;
		}
	}
	rc = 0;
out:
	X509_NAME_free(issuer);
	X509_NAME_free(subject);
	ASN1_TIME_free(nb);
	ASN1_TIME_free(na);
	return rc;
}

/*
 * The first certificate of a PEM file: its validity and whether it is
 * the provisional one; with names, in *same whether its subjectAltNames
 * are exactly those n names.
 */
int
x509_leaf_info(const void *pem, size_t len, time_t *notbefore,
    time_t *notafter, int *provisional, char *const *names, size_t n,
    int *same)
{
	BIO		*bio;
	unsigned char	*der = NULL;
	char		*name = NULL, *header = NULL;
	long		 dlen;
	int		 rc = -1;

	if (len == 0 || len > CHAIN_PEM_MAX)
		return -1;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return -1;
	/* The first PEM block, as PEM_read_bio_X509() would take it. */
	while (PEM_read_bio(bio, &name, &header, &der, &dlen) == 1) {
		if (strcmp(name, PEM_STRING_X509) == 0 ||
		    strcmp(name, PEM_STRING_X509_OLD) == 0) {
			rc = leaf_fields(der, dlen, notbefore, notafter,
			    provisional, names, n, same);
			break;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(der);
		name = header = NULL;
		der = NULL;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/*
 * RFC 9773 section 4.1: base64url(AKI keyIdentifier) "." base64url(the
 * serial number's DER content octets, leading zero included).
 */
char *
x509_ari_id(const void *der, size_t len)
{
	const unsigned char	*p = der;
	const ASN1_OCTET_STRING	*aki;
	const ASN1_INTEGER	*serial;
	X509			*x = NULL;
	unsigned char		*sder = NULL;
	char			*a = NULL, *s = NULL, *id = NULL;
	size_t			 off, n;
	int			 slen;

	if (der == NULL || len == 0 || len > CHAIN_PEM_MAX)
		return NULL;
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL)
		goto out;
	if ((aki = X509_get0_authority_key_id(x)) == NULL ||
	    ASN1_STRING_length(aki) <= 0)
		goto out;
	serial = X509_get0_serialNumber(x);
	if ((slen = i2d_ASN1_INTEGER((ASN1_INTEGER *)serial, &sder)) < 3 ||
	    sder[0] != V_ASN1_INTEGER)
		goto out;
	if (sder[1] < 0x80)
		off = 2;
	else {
		n = sder[1] & 0x7f;
		if (n == 0 || n > 2)
			goto out;
		off = 2 + n;
	}
	if (off >= (size_t)slen)
		goto out;
	if ((a = b64url_encode(ASN1_STRING_get0_data(aki),
	    ASN1_STRING_length(aki))) == NULL ||
	    (s = b64url_encode(sder + off, slen - off)) == NULL)
		goto out;
	if (asprintf(&id, "%s.%s", a, s) == -1)
		id = NULL;
 out:
	free(a);
	free(s);
	OPENSSL_free(sder);
	X509_free(x);
	return id;
}
