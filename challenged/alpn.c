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
 * The tls-alpn-01 answers and the validation certificates.
 *
 * challenged makes each certificate's key itself, here, when netproc
 * publishes an identifier, and throws it away when the identifier is
 * withdrawn.  The key is used only by the process that makes it, and
 * never crosses a channel: keyproc's keys are the ones that name the
 * account and the domains, and its policy signs only what they are for;
 * a certificate for any name a peer asks, signed with a key that some
 * other process then holds, would widen both.  What the key signs proves
 * nothing to anyone but the validation server, which checks only the
 * name and the key authorization's digest, and the key authorization is
 * public already (http-01 serves it to anyone who asks).  So challenged
 * still holds no key of the account's or the domains', and netproc none
 * at all.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "alpn.h"
#include "log.h"
#include "token.h"

/* id-pe-acmeIdentifier (RFC 8737 6.1) */
#define OID_ACME_IDENTIFIER	"1.3.6.1.5.5.7.1.31"
/* A validation takes seconds; a clock off by a day still reads it valid. */
#define CERT_BEFORE		(24 * 60 * 60)
#define CERT_AFTER		(7 * 24 * 60 * 60)

struct alpn_answer {
	char		 sni[ALPN_SNI_MAX + 1];
	X509		*cert;
	EVP_PKEY	*key;
};

struct alpntab {
	struct alpn_answer	**a;
	size_t			  count;
	size_t			  max;
};

/*
 * The name a validation server sends for an identifier: the DNS name in
 * lower case, or an address's reverse name (RFC 8738 6).  0, or -1 if
 * the identifier is neither.
 */
int
alpn_sni_of(const char *ident, char *out, size_t outsz)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 a[16];
	size_t			 i, len, off = 0;

	if (inet_pton(AF_INET, ident, a) == 1) {
		if (snprintf(out, outsz, "%u.%u.%u.%u.in-addr.arpa", a[3],
		    a[2], a[1], a[0]) >= (int)outsz)
			return -1;
		return 0;
	}
	if (inet_pton(AF_INET6, ident, a) == 1) {
		if (outsz < 32 * 2 + sizeof("ip6.arpa"))
			return -1;
		for (i = 16; i-- > 0;) {
			out[off++] = hex[a[i] & 0xf];
			out[off++] = '.';
			out[off++] = hex[a[i] >> 4];
			out[off++] = '.';
		}
		memcpy(out + off, "ip6.arpa", sizeof("ip6.arpa"));
		return 0;
	}
	len = strlen(ident);
	if (len == 0 || len > ALPN_SNI_MAX || len >= outsz)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)ident[i]) && ident[i] != '-' &&
		    ident[i] != '.')
			return -1;
		out[i] = (char)tolower((unsigned char)ident[i]);
	}
	out[len] = '\0';
	return 0;
}

/*
 * The host_name of a ClientHello's server_name extension (RFC 6066 3),
 * in lower case, into name.  0, or -1 if the extension is malformed,
 * names no host or more than one, or the name is not a DNS name.
 */
int
alpn_sni_name(const uint8_t *p, size_t len, char *name, size_t namesz)
{
	size_t	 list, n, i, found = 0;

	if (len < 2 || (list = (size_t)p[0] << 8 | p[1]) != len - 2)
		return -1;
	p += 2;
	while (list > 0) {
		if (list < 3)
			return -1;
		n = (size_t)p[1] << 8 | p[2];
		if (n > list - 3)
			return -1;
		if (p[0] == 0) {
			if (found++ || n == 0 || n > ALPN_SNI_MAX ||
			    n >= namesz)
				return -1;
			for (i = 0; i < n; i++) {
				if (!isalnum(p[3 + i]) && p[3 + i] != '-' &&
				    p[3 + i] != '.')
					return -1;
				name[i] = (char)tolower(p[3 + i]);
			}
			name[n] = '\0';
		}
		p += 3 + n;
		list -= 3 + n;
	}
	return found ? 0 : -1;
}

/*
 * Whether a ClientHello's ALPN extension (RFC 7301 3.1) is well formed
 * and offers acme-tls/1: 1 if so, else 0.
 */
int
alpn_offers_acme(const uint8_t *p, size_t len)
{
	size_t	 list, n;
	int	 offered = 0;

	if (len < 2 || (list = (size_t)p[0] << 8 | p[1]) != len - 2 ||
	    list == 0)
		return 0;
	p += 2;
	while (list > 0) {
		n = p[0];
		if (n == 0 || n > list - 1)
			return 0;
		if (n == sizeof(ALPN_PROTO) - 1 &&
		    memcmp(p + 1, ALPN_PROTO, n) == 0)
			offered = 1;
		p += 1 + n;
		list -= 1 + n;
	}
	return offered;
}

static void
answer_free(struct alpn_answer *a)
{
	if (a == NULL)
		return;
	X509_free(a->cert);
	EVP_PKEY_free(a->key);
	free(a);
}

/* The critical acmeIdentifier extension: the digest as an OCTET STRING. */
static int
cert_add_acme(X509 *x, const char *keyauth)
{
	unsigned char		 der[2 + SHA256_DIGEST_LENGTH];
	unsigned int		 dlen;
	ASN1_OBJECT		*obj = NULL;
	ASN1_OCTET_STRING	*os = NULL;
	X509_EXTENSION		*ext = NULL;
	int			 rc = -1;

	der[0] = 0x04;
	der[1] = SHA256_DIGEST_LENGTH;
	if (!EVP_Digest(keyauth, strlen(keyauth), der + 2, &dlen,
	    EVP_sha256(), NULL) || dlen != SHA256_DIGEST_LENGTH)
		goto out;
	if ((obj = OBJ_txt2obj(OID_ACME_IDENTIFIER, 1)) == NULL ||
	    (os = ASN1_OCTET_STRING_new()) == NULL ||
	    !ASN1_OCTET_STRING_set(os, der, sizeof(der)) ||
	    (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 1, os)) == NULL ||
	    !X509_add_ext(x, ext, -1))
		goto out;
	rc = 0;
out:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	return rc;
}

/* subjectAltName: the DNS name, or the address (RFC 8738 6). */
static int
cert_add_san(X509 *x, const char *ident)
{
	X509_EXTENSION	*ext;
	char		 v[ALPN_SNI_MAX + 8];
	unsigned char	 a[16];
	int		 ip;

	ip = inet_pton(AF_INET, ident, a) == 1 ||
	    inet_pton(AF_INET6, ident, a) == 1;
	if (snprintf(v, sizeof(v), "%s:%s", ip ? "IP" : "DNS", ident) >=
	    (int)sizeof(v))
		return -1;
	if ((ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
	    v)) == NULL)
		return -1;
	if (!X509_add_ext(x, ext, -1)) {
		X509_EXTENSION_free(ext);
		return -1;
	}
	X509_EXTENSION_free(ext);
	return 0;
}

/* A fresh P-256 key and a certificate it signs for the identifier. */
static int
answer_make(struct alpn_answer *a, const char *ident, const char *keyauth)
{
	unsigned char	 serial[16];
	BIGNUM		*bn = NULL;
	X509_NAME	*subj;
	int		 rc = -1;

	if ((a->key = EVP_EC_gen("P-256")) == NULL ||
	    (a->cert = X509_new()) == NULL ||
	    !X509_set_version(a->cert, 2))
		goto out;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(a->cert)) == NULL)
		goto out;
	if (X509_gmtime_adj(X509_getm_notBefore(a->cert),
	    -CERT_BEFORE) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(a->cert), CERT_AFTER) == NULL)
		goto out;
	subj = X509_get_subject_name(a->cert);
	if (!X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
	    (const unsigned char *)"acmed tls-alpn-01", -1, -1, 0) ||
	    !X509_set_issuer_name(a->cert, subj) ||
	    !X509_set_pubkey(a->cert, a->key) ||
	    cert_add_san(a->cert, ident) == -1 ||
	    cert_add_acme(a->cert, keyauth) == -1 ||
	    !X509_sign(a->cert, a->key, EVP_sha256()))
		goto out;
	rc = 0;
out:
	BN_free(bn);
	return rc;
}

struct alpntab *
alpntab_new(size_t max)
{
	struct alpntab	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->a = calloc(max ? max : 1, sizeof(*t->a))) == NULL) {
		free(t);
		return NULL;
	}
	t->max = max;
	return t;
}

void
alpntab_free(struct alpntab *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->count; i++)
		answer_free(t->a[i]);
	free(t->a);
	free(t);
}

static size_t
alpntab_find(const struct alpntab *t, const char *sni)
{
	size_t	 i;

	for (i = 0; i < t->count; i++)
		if (strcmp(t->a[i]->sni, sni) == 0)
			return i;
	return t->count;
}

/*
 * Publishes an identifier's answer, in place of any before: 0, or -1
 * with errno EINVAL (not a DNS name or an address, a key authorization
 * that is not one), ENOSPC (the table is full) or ENOMEM.
 */
int
alpntab_add(struct alpntab *t, const char *ident, const char *keyauth)
{
	struct alpn_answer	*a;
	size_t			 i;

	if (!keyauth_valid(keyauth, strlen(keyauth))) {
		errno = EINVAL;
		return -1;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return -1;
	if (alpn_sni_of(ident, a->sni, sizeof(a->sni)) == -1) {
		free(a);
		errno = EINVAL;
		return -1;
	}
	i = alpntab_find(t, a->sni);
	if (i == t->count && t->count >= t->max) {
		free(a);
		errno = ENOSPC;
		return -1;
	}
	if (answer_make(a, ident, keyauth) == -1) {
		answer_free(a);
		errno = ENOMEM;
		return -1;
	}
	if (i == t->count)
		t->count++;
	else
		answer_free(t->a[i]);
	t->a[i] = a;
	return 0;
}

/* Withdraws an identifier's answer: 0, or -1 if it was not published. */
int
alpntab_del(struct alpntab *t, const char *ident)
{
	char	 sni[ALPN_SNI_MAX + 1];
	size_t	 i;

	if (alpn_sni_of(ident, sni, sizeof(sni)) == -1 ||
	    (i = alpntab_find(t, sni)) == t->count)
		return -1;
	answer_free(t->a[i]);
	t->a[i] = t->a[--t->count];
	return 0;
}

/* The answer for the name a client sent, or NULL. */
const struct alpn_answer *
alpntab_get(const struct alpntab *t, const char *sni)
{
	size_t	 i;

	if ((i = alpntab_find(t, sni)) == t->count)
		return NULL;
	return t->a[i];
}

size_t
alpntab_count(const struct alpntab *t)
{
	return t->count;
}

void *
alpn_answer_cert(const struct alpn_answer *a)
{
	return a->cert;
}

void *
alpn_answer_key(const struct alpn_answer *a)
{
	return a->key;
}
