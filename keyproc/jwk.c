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
 * The public key as a JWK (RFC 7517) with its members in the order of
 * RFC 7638, so that the same bytes serve the JWS header and the
 * thumbprint that goes into every key authorization.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <yajl/yajl_gen.h>

#include "base64.h"
#include "crypto.h"

int
gen_string(yajl_gen g, const char *s)
{
	return yajl_gen_string(g, (const unsigned char *)s, strlen(s)) ==
	    yajl_gen_status_ok ? 0 : -1;
}

/* Emits "key": base64url(big-endian bytes, left-padded to pad bytes). */
static int
gen_bn(yajl_gen g, const char *key, const BIGNUM *bn, int pad)
{
	unsigned char	*bin;
	char		*b64;
	int		 len, rc = -1;

	len = pad > 0 ? pad : BN_num_bytes(bn);
	if (len <= 0 || BN_num_bytes(bn) > len) {
		crypto_seterr("JWK: %s of %d bytes", key, BN_num_bytes(bn));
		return -1;
	}
	if ((bin = malloc(len)) == NULL) {
		crypto_seterr("JWK: out of memory");
		return -1;
	}
	if (BN_bn2binpad(bn, bin, len) != len) {
		crypto_seterr("JWK: BN_bn2binpad for %s", key);
		goto out;
	}
	if ((b64 = b64url_encode(bin, len)) == NULL) {
		crypto_seterr("JWK: out of memory");
		goto out;
	}
	if (gen_string(g, key) == 0 && gen_string(g, b64) == 0)
		rc = 0;
	else
		crypto_seterr("JWK: JSON generator failed");
	free(b64);
 out:
	free(bin);
	return rc;
}

static int
get_bn(EVP_PKEY *pkey, const char *param, BIGNUM **bn)
{
	*bn = NULL;
	if (!EVP_PKEY_get_bn_param(pkey, param, bn)) {
		crypto_seterr("JWK: key parameter %s", param);
		return -1;
	}
	return 0;
}

/*
 * Generates the JWK object into g: {"crv","kty","x","y"} for EC,
 * {"e","kty","n"} for RSA, which is the lexicographic order RFC 7638
 * requires.  x and y are padded to the field size.
 */
int
jwk_gen(yajl_gen g, EVP_PKEY *pkey)
{
	BIGNUM		*a = NULL, *b = NULL;
	const char	*alg;
	int		 rc = -1, field;

	if ((alg = key_alg(pkey)) == NULL) {
		crypto_seterr("JWK: unsupported key");
		return -1;
	}
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		goto gen;
	if (strcmp(alg, "RS256") == 0) {
		if (get_bn(pkey, OSSL_PKEY_PARAM_RSA_E, &a) == -1 ||
		    get_bn(pkey, OSSL_PKEY_PARAM_RSA_N, &b) == -1)
			goto out;
		if (gen_bn(g, "e", a, 0) == -1)
			goto out;
		if (gen_string(g, "kty") == -1 || gen_string(g, "RSA") == -1)
			goto gen;
		if (gen_bn(g, "n", b, 0) == -1)
			goto out;
	} else {
		field = strcmp(alg, "ES256") == 0 ? 32 : 48;
		if (get_bn(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &a) == -1 ||
		    get_bn(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &b) == -1)
			goto out;
		if (gen_string(g, "crv") == -1 ||
		    gen_string(g, field == 32 ? "P-256" : "P-384") == -1 ||
		    gen_string(g, "kty") == -1 || gen_string(g, "EC") == -1)
			goto gen;
		if (gen_bn(g, "x", a, field) == -1 ||
		    gen_bn(g, "y", b, field) == -1)
			goto out;
	}
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		goto gen;
	rc = 0;
	goto out;
 gen:
	crypto_seterr("JWK: JSON generator failed");
 out:
	BN_free(a);
	BN_free(b);
	return rc;
}

/* The JWK as a NUL-terminated JSON text without whitespace. */
char *
jwk_json(EVP_PKEY *pkey)
{
	yajl_gen		 g;
	const unsigned char	*out;
	size_t			 len;
	char			*s = NULL;

	if ((g = yajl_gen_alloc(NULL)) == NULL) {
		crypto_seterr("JWK: out of memory");
		return NULL;
	}
	if (jwk_gen(g, pkey) == 0) {
		if (yajl_gen_get_buf(g, &out, &len) != yajl_gen_status_ok)
			crypto_seterr("JWK: JSON generator failed");
		else if ((s = strndup((const char *)out, len)) == NULL)
			crypto_seterr("JWK: out of memory");
	}
	yajl_gen_free(g);
	return s;
}

/* RFC 7638: base64url(SHA-256(canonical JWK)). */
char *
jwk_thumbprint(EVP_PKEY *pkey)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		*json, *tp = NULL;

	if ((json = jwk_json(pkey)) == NULL)
		return NULL;
	if (!EVP_Digest(json, strlen(json), md, &mdlen, EVP_sha256(), NULL))
		crypto_seterr("JWK thumbprint: SHA-256");
	else if ((tp = b64url_encode(md, mdlen)) == NULL)
		crypto_seterr("JWK thumbprint: out of memory");
	free(json);
	return tp;
}
