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
 * Account and domain keys: read from PEM, checked against the types acmed
 * accepts, generated, written back as PKCS#8 PEM for the parent to store.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base64.h"
#include "crypto.h"

static char	crypto_err[512];

const char *
crypto_error(void)
{
	return crypto_err[0] != '\0' ? crypto_err : "unknown error";
}

/*
 * Records the reason for a failure, with the newest libcrypto error
 * appended when there is one; the libcrypto queue is emptied so that a
 * later failure does not report a stale reason.
 */
void
crypto_seterr(const char *fmt, ...)
{
	va_list		 ap;
	unsigned long	 e;
	size_t		 n;

	va_start(ap, fmt);
	vsnprintf(crypto_err, sizeof(crypto_err), fmt, ap);
	va_end(ap);
	if ((e = ERR_peek_last_error()) != 0) {
		n = strlen(crypto_err);
		if (n + 3 < sizeof(crypto_err)) {
			memcpy(crypto_err + n, ": ", 3);
			ERR_error_string_n(e, crypto_err + n + 2,
			    sizeof(crypto_err) - n - 2);
		}
	}
	ERR_clear_error();
}

/* A passphrase prompt would block: encrypted keys are refused. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

static int
key_ec_bits(EVP_PKEY *pkey)
{
	char	 group[64];
	size_t	 len;
	int	 nid;

	if (!EVP_PKEY_get_group_name(pkey, group, sizeof(group), &len))
		return -1;
	nid = OBJ_sn2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	if (nid == NID_X9_62_prime256v1)
		return 256;
	if (nid == NID_secp384r1)
		return 384;
	return 0;
}

/* 0 if the key is ECDSA P-256/P-384 or RSA 2048..8192 bits. */
int
key_acceptable(EVP_PKEY *pkey, const char *what)
{
	int	 bits;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_EC:
		if (key_ec_bits(pkey) <= 0) {
			crypto_seterr("%s: EC key on a curve other than "
			    "P-256 or P-384", what);
			return -1;
		}
		return 0;
	case EVP_PKEY_RSA:
		bits = EVP_PKEY_get_bits(pkey);
		if (bits < 2048 || bits > 8192) {
			crypto_seterr("%s: RSA key of %d bits (2048 to 8192 "
			    "allowed)", what, bits);
			return -1;
		}
		return 0;
	default:
		crypto_seterr("%s: key type %s not supported (ECDSA P-256, "
		    "P-384 or RSA only)", what,
		    OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
		return -1;
	}
}

/* 1 if the key is of the configured type and size (bits 0: any size). */
int
key_matches(EVP_PKEY *pkey, enum keytype type, int bits)
{
	switch (type) {
	case KEY_ECDSA:
		if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
			return 0;
		return bits == 0 || key_ec_bits(pkey) == bits;
	case KEY_RSA:
		if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
			return 0;
		return bits == 0 || EVP_PKEY_get_bits(pkey) == bits;
	default:
		return 0;
	}
}

/* "what" names the key (its file or use) in the error message. */
EVP_PKEY *
key_from_pem(const void *pem, size_t len, const char *what)
{
	BIO		*bio;
	EVP_PKEY	*pkey;

	if (len == 0 || len > KEY_PEM_MAX) {
		crypto_seterr("%s: key of %zu bytes (1 to %d allowed)", what,
		    len, KEY_PEM_MAX);
		return NULL;
	}
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		crypto_seterr("%s: BIO_new_mem_buf", what);
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (pkey == NULL) {
		crypto_seterr("%s: not a PEM private key (or encrypted)", what);
		return NULL;
	}
	if (key_acceptable(pkey, what) == -1) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	ERR_clear_error();
	return pkey;
}

/* Wipes and frees len bytes at p that held a secret (p may be NULL). */
void
secret_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

/*
 * Reads the whole descriptor, at most max bytes, into a buffer of max + 1
 * bytes that the caller wipes and frees (secret_free(p, max + 1)); does
 * not close the descriptor.
 */
unsigned char *
secret_read(int fd, const char *what, size_t max, size_t *lenp)
{
	unsigned char	*p;
	size_t		 len = 0;
	ssize_t		 n;

	if ((p = malloc(max + 1)) == NULL) {
		crypto_seterr("%s: %s", what, strerror(errno));
		return NULL;
	}
	for (;;) {
		n = read(fd, p + len, max + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			crypto_seterr("%s: read: %s", what, strerror(errno));
			break;
		}
		if (n == 0) {
			*lenp = len;
			return p;
		}
		len += n;
		if (len > max) {
			crypto_seterr("%s: file larger than %zu bytes", what,
			    max);
			break;
		}
	}
	secret_free(p, max + 1);
	return NULL;
}

/* Reads the whole descriptor (at most KEY_PEM_MAX bytes); does not close it. */
EVP_PKEY *
key_from_fd(int fd, const char *what)
{
	unsigned char	*pem;
	EVP_PKEY	*pkey;
	size_t		 len;

	if ((pem = secret_read(fd, what, KEY_PEM_MAX, &len)) == NULL)
		return NULL;
	pkey = key_from_pem(pem, len, what);
	secret_free(pem, KEY_PEM_MAX + 1);
	return pkey;
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * An external account binding's MAC key as the authority hands it out:
 * base64url (RFC 8555 section 7.3.4), padded or not, with the '+' and '/'
 * of plain base64 taken as their base64url counterparts, and blanks
 * around it ignored.  Reads the whole descriptor (at most MAC_KEY_MAX
 * bytes); does not close it.  The key is wiped and freed with
 * secret_free().
 */
int
mac_key_from_fd(int fd, const char *what, unsigned char **mac,
    size_t *maclen)
{
	unsigned char	*p, *s, *e, *c;
	size_t		 len;
	int		 rc = -1;

	*mac = NULL;
	*maclen = 0;
	if ((p = secret_read(fd, what, MAC_KEY_MAX, &len)) == NULL)
		return -1;
	s = p;
	e = p + len;
	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	while (e > s && e[-1] == '=')
		e--;
	for (c = s; c < e; c++) {
		if (*c == '+')
			*c = '-';
		else if (*c == '/')
			*c = '_';
	}
	if (s == e)
		crypto_seterr("%s: empty", what);
	else if (b64url_decode((const char *)s, e - s, mac, maclen) == -1)
		crypto_seterr("%s: not a base64url MAC key", what);
	else
		rc = 0;
	secret_free(p, MAC_KEY_MAX + 1);
	return rc;
}

/* bits 0 picks the default size for the type. */
EVP_PKEY *
key_generate(enum keytype type, int bits)
{
	EVP_PKEY	*pkey = NULL;

	ERR_clear_error();
	switch (type) {
	case KEY_ECDSA:
		if (bits == 0)
			bits = KEY_ECDSA_DEFAULT_BITS;
		if (bits != 256 && bits != 384) {
			crypto_seterr("ECDSA key of %d bits (256 or 384)",
			    bits);
			return NULL;
		}
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
		    bits == 256 ? "P-256" : "P-384");
		break;
	case KEY_RSA:
		if (bits == 0)
			bits = KEY_RSA_DEFAULT_BITS;
		if (bits != 2048 && bits != 3072 && bits != 4096) {
			crypto_seterr("RSA key of %d bits (2048, 3072 or "
			    "4096)", bits);
			return NULL;
		}
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		break;
	default:
		crypto_seterr("unknown key type %d", (int)type);
		return NULL;
	}
	if (pkey == NULL)
		crypto_seterr("generating a %s key of %d bits",
		    type == KEY_RSA ? "RSA" : "ECDSA", bits);
	return pkey;
}

/*
 * An EC key's PKCS#8 structure built from its parameters, as libcrypto's
 * encoder writes it: the curve in the algorithm identifier, then
 * ECPrivateKey { version 1, the private key padded to the order's size,
 * [1] the public key }.  The encoder is made anew for every key written
 * and costs more than generating the key.  NULL for anything else; the
 * caller then uses the encoder.
 */
static PKCS8_PRIV_KEY_INFO *
ec_pkcs8(EVP_PKEY *pkey)
{
	PKCS8_PRIV_KEY_INFO	*p8 = NULL;
	ASN1_OBJECT		*curve;
	BIGNUM			*priv = NULL;
	unsigned char		 pub[1 + 2 * 66], *der = NULL, *p;
	char			 group[64];
	size_t			 publen;
	int			 nid, flen, oct, bit, ctx1, body, total;

	if (!EVP_PKEY_is_a(pkey, "EC") ||
	    !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), NULL) ||
	    (nid = OBJ_txt2nid(group)) == NID_undef ||
	    (curve = OBJ_nid2obj(nid)) == NULL ||
	    (flen = (EVP_PKEY_get_bits(pkey) + 7) / 8) <= 1 || flen > 66 ||
	    !EVP_PKEY_get_octet_string_param(pkey,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, sizeof(pub), &publen) ||
	    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &priv))
		goto out;
	oct = ASN1_object_size(0, flen, V_ASN1_OCTET_STRING);
	bit = ASN1_object_size(0, (int)publen + 1, V_ASN1_BIT_STRING);
	ctx1 = ASN1_object_size(1, bit, 1);
	body = 3 + oct + ctx1;
	total = ASN1_object_size(1, body, V_ASN1_SEQUENCE);
	if ((der = OPENSSL_malloc(total)) == NULL)
		goto out;
	p = der;
	ASN1_put_object(&p, 1, body, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
	*p++ = V_ASN1_INTEGER;
	*p++ = 1;
	*p++ = 1;
	ASN1_put_object(&p, 0, flen, V_ASN1_OCTET_STRING, V_ASN1_UNIVERSAL);
	if (BN_bn2binpad(priv, p, flen) != flen)
		goto out;
	p += flen;
	ASN1_put_object(&p, 1, bit, 1, V_ASN1_CONTEXT_SPECIFIC);
	ASN1_put_object(&p, 0, (int)publen + 1, V_ASN1_BIT_STRING,
	    V_ASN1_UNIVERSAL);
	*p++ = 0;
	memcpy(p, pub, publen);
	if ((p8 = PKCS8_PRIV_KEY_INFO_new()) == NULL ||
	    !PKCS8_pkey_set0(p8, OBJ_nid2obj(NID_X9_62_id_ecPublicKey), 0,
	    V_ASN1_OBJECT, curve, der, total)) {
		PKCS8_PRIV_KEY_INFO_free(p8);
		p8 = NULL;
		goto out;
	}
	der = NULL;		/* p8 holds it and wipes it when freed */
 out:
	if (der != NULL) {
		OPENSSL_cleanse(der, total);
		OPENSSL_free(der);
	}
	BN_clear_free(priv);
	return p8;
}

/*
 * PKCS#8 PEM, unencrypted: the parent writes it with mode 0600.  The
 * result holds the secret key; release it with secret_free().
 */
char *
key_to_pem(EVP_PKEY *pkey, size_t *lenp)
{
	PKCS8_PRIV_KEY_INFO	*p8;
	BIO			*bio;
	char			*data, *pem = NULL;
	long			 len;
	int			 ok;

	ERR_clear_error();
	if ((bio = BIO_new(BIO_s_secmem())) == NULL &&
	    (bio = BIO_new(BIO_s_mem())) == NULL) {
		crypto_seterr("BIO_new");
		return NULL;
	}
	if ((p8 = ec_pkcs8(pkey)) != NULL) {
		ok = PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio, p8);
		PKCS8_PRIV_KEY_INFO_free(p8);
	} else {
		ERR_clear_error();
		ok = PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL,
		    NULL);
	}
	if (!ok) {
		crypto_seterr("writing the key as PEM");
		goto out;
	}
	if ((len = BIO_get_mem_data(bio, &data)) <= 0 || len > KEY_PEM_MAX) {
		crypto_seterr("key PEM of %ld bytes", len);
		goto out;
	}
	if ((pem = malloc(len + 1)) == NULL) {
		crypto_seterr("%s", strerror(errno));
		goto out;
	}
	memcpy(pem, data, len);
	pem[len] = '\0';
	*lenp = len;
 out:
	BIO_free(bio);
	return pem;
}

/* The JWS "alg" for the key: ES256, ES384 or RS256. */
const char *
key_alg(EVP_PKEY *pkey)
{
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_EC:
		switch (key_ec_bits(pkey)) {
		case 256:
			return "ES256";
		case 384:
			return "ES384";
		}
		return NULL;
	case EVP_PKEY_RSA:
		return "RS256";
	}
	return NULL;
}

/* "ECDSA P-256", "RSA 3072": for log lines. */
void
key_describe(EVP_PKEY *pkey, char *s, size_t len)
{
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_EC:
		snprintf(s, len, "ECDSA P-%d", key_ec_bits(pkey));
		break;
	case EVP_PKEY_RSA:
		snprintf(s, len, "RSA %d", EVP_PKEY_get_bits(pkey));
		break;
	default:
		snprintf(s, len, "%s", OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
		break;
	}
}
