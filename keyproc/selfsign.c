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
 * The provisional certificate: self-signed with the domain key so that a
 * server can start before the first real certificate is issued.  Its CN
 * starts with PROVISIONAL_CN_PREFIX, which is how the parent knows to
 * replace it at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto.h"
#include "x509check.h"

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509_EXTENSION	*ext;
	X509V3_CTX	 ctx;
	int		 rc;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	rc = X509_add_ext(x, ext, -1) ? 0 : -1;
	X509_EXTENSION_free(ext);
	return rc;
}

/* 127 random bits: positive, non-zero, at most 20 octets (RFC 5280). */
static int
set_serial(X509 *x)
{
	unsigned char	 r[16];
	BIGNUM		*bn = NULL;
	int		 rc = -1;

	do {
		if (RAND_bytes(r, sizeof(r)) != 1)
			return -1;
		r[0] &= 0x7f;
		BN_free(bn);
		if ((bn = BN_bin2bn(r, sizeof(r), NULL)) == NULL)
			return -1;
	} while (BN_is_zero(bn));
	if (BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL)
		rc = 0;
	BN_free(bn);
	return rc;
}

char *
selfsigned_pem(EVP_PKEY *pkey, char *const *names, size_t n, int days,
    size_t *lenp)
{
	X509		*x = NULL;
	X509_NAME	*subj = NULL;
	GENERAL_NAMES	*gens = NULL;
	BIO		*bio = NULL;
	char		*data, *pem = NULL;
	long		 len;

	ERR_clear_error();
	if (n == 0 || n > NAMES_MAX) {
		crypto_seterr("provisional certificate: %zu names (1 to %d)",
		    n, NAMES_MAX);
		return NULL;
	}
	if (days < 1 || days > CERT_DAYS_MAX) {
		crypto_seterr("provisional certificate for %s: %d days "
		    "(1 to %d)", names[0], days, CERT_DAYS_MAX);
		return NULL;
	}
	if ((x = X509_new()) == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    set_serial(x) == -1) {
		crypto_seterr("provisional certificate for %s: serial",
		    names[0]);
		goto out;
	}
	if (X509_gmtime_adj(X509_getm_notBefore(x), -60 * 60) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL) {
		crypto_seterr("provisional certificate for %s: validity",
		    names[0]);
		goto out;
	}
	if ((subj = X509_NAME_new()) == NULL ||
	    subject_cn(subj, PROVISIONAL_CN_PREFIX, names[0]) == -1 ||
	    !X509_set_subject_name(x, subj) || !X509_set_issuer_name(x, subj)) {
		crypto_seterr("provisional certificate for %s: subject",
		    names[0]);
		goto out;
	}
	if (pubkey_set(X509_get_X509_PUBKEY(x), pkey) == -1 &&
	    !X509_set_pubkey(x, pkey)) {
		crypto_seterr("provisional certificate for %s: public key",
		    names[0]);
		goto out;
	}
	if ((gens = san_build(names, n)) == NULL ||
	    !X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT) ||
	    add_ext(x, NID_basic_constraints, "critical,CA:FALSE") == -1 ||
	    add_ext(x, NID_key_usage, EVP_PKEY_get_base_id(pkey) ==
	    EVP_PKEY_RSA ? "critical,digitalSignature,keyEncipherment" :
	    "critical,digitalSignature") == -1 ||
	    add_ext(x, NID_ext_key_usage, "serverAuth") == -1 ||
	    add_ext(x, NID_subject_key_identifier, "hash") == -1) {
		crypto_seterr("provisional certificate for %s: extensions",
		    names[0]);
		goto out;
	}
	if (X509_sign(x, pkey, EVP_sha256()) <= 0) {
		crypto_seterr("provisional certificate for %s: signature",
		    names[0]);
		goto out;
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_X509(bio, x) ||
	    (len = BIO_get_mem_data(bio, &data)) <= 0) {
		crypto_seterr("provisional certificate for %s: PEM", names[0]);
		goto out;
	}
	if ((pem = malloc(len + 1)) == NULL) {
		crypto_seterr("provisional certificate: out of memory");
		goto out;
	}
	memcpy(pem, data, len);
	pem[len] = '\0';
	*lenp = len;
 out:
	BIO_free(bio);
	GENERAL_NAMES_free(gens);
	X509_NAME_free(subj);
	X509_free(x);
	return pem;
}
