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
 * JWS in the flattened JSON serialisation that ACME uses (RFC 8555
 * section 6.2): a protected header with alg, jwk or kid, nonce and url;
 * the payload; the signature.  ECDSA signatures are the raw r || s of
 * RFC 7518 section 3.4, not the DER that libcrypto produces.  Also the
 * HS256 JWS that binds a new account to an account the authority keeps
 * elsewhere (external account binding).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <yajl/yajl_gen.h>

#include "base64.h"
#include "crypto.h"

static int
gen_kv(yajl_gen g, const char *k, const char *v)
{
	return gen_string(g, k) == -1 || gen_string(g, v) == -1 ? -1 : 0;
}

/* The protected header, base64url-encoded. */
static char *
jws_protected(EVP_PKEY *pkey, const char *alg, const char *url,
    const char *nonce, const char *kid)
{
	yajl_gen		 g;
	const unsigned char	*out;
	size_t			 len;
	char			*b64 = NULL;

	if ((g = yajl_gen_alloc(NULL)) == NULL) {
		crypto_seterr("JWS: out of memory");
		return NULL;
	}
	/* url and nonce come from the network: refuse invalid UTF-8. */
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    gen_kv(g, "alg", alg) == -1)
		goto gen;
	if (kid != NULL && kid[0] != '\0') {
		if (gen_kv(g, "kid", kid) == -1)
			goto gen;
	} else {
		if (gen_string(g, "jwk") == -1)
			goto gen;
		if (jwk_gen(g, pkey) == -1)
			goto out;
	}
	/* No nonce: the inner JWS of a key change (RFC 8555 7.3.5). */
	if (nonce != NULL && nonce[0] != '\0' &&
	    gen_kv(g, "nonce", nonce) == -1)
		goto gen;
	if (gen_kv(g, "url", url) == -1 ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok ||
	    yajl_gen_get_buf(g, &out, &len) != yajl_gen_status_ok)
		goto gen;
	if ((b64 = b64url_encode(out, len)) == NULL)
		crypto_seterr("JWS: out of memory");
	goto out;
 gen:
	crypto_seterr("JWS: protected header (invalid UTF-8 in url, "
	    "nonce or kid?)");
 out:
	yajl_gen_free(g);
	return b64;
}

/* DER ECDSA-Sig-Value to r || s, each padded to n bytes. */
static int
ecdsa_der_to_raw(const unsigned char *der, size_t derlen, unsigned char *raw,
    int n)
{
	ECDSA_SIG	*sig;
	const BIGNUM	*r, *s;
	const unsigned char *p = der;
	int		 rc = -1;

	if ((sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL) {
		crypto_seterr("JWS: ECDSA signature is not DER");
		return -1;
	}
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, n) != n || BN_bn2binpad(s, raw + n, n) != n)
		crypto_seterr("JWS: ECDSA signature too long");
	else
		rc = 0;
	ECDSA_SIG_free(sig);
	return rc;
}

/*
 * The digest for alg, fetched once: EVP_sha256() and its kind make
 * libcrypto look the algorithm up again on every use.
 */
static const EVP_MD *
jws_md(const char *alg)
{
	static EVP_MD	*sha256, *sha384;
	EVP_MD		**md;

	md = strcmp(alg, "ES384") == 0 ? &sha384 : &sha256;
	if (*md == NULL)
		*md = EVP_MD_fetch(NULL, md == &sha384 ? "SHA2-384" :
		    "SHA2-256", NULL);
	return *md;
}

/*
 * A signing context for pkey, the algorithm bound to the key once:
 * EVP_PKEY_sign() keeps no state between calls, so one context serves
 * every signature made with that key.
 */
static EVP_PKEY_CTX *
jws_signer(EVP_PKEY *pkey, const char *alg, const EVP_MD *md)
{
	EVP_PKEY_CTX	*ctx;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0 ||
	    (alg[0] == 'R' &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static char *
jws_signature(EVP_PKEY *pkey, EVP_PKEY_CTX **signer, const char *alg,
    const char *input)
{
	EVP_PKEY_CTX	*ctx;
	const EVP_MD	*md;
	unsigned char	 dgst[EVP_MAX_MD_SIZE], *sig = NULL, raw[2 * 66];
	unsigned int	 dlen;
	size_t		 siglen = 0;
	char		*b64 = NULL;
	int		 n;

	ctx = signer != NULL ? *signer : NULL;
	if ((md = jws_md(alg)) == NULL ||
	    !EVP_Digest(input, strlen(input), dgst, &dlen, md, NULL) ||
	    (ctx == NULL && (ctx = jws_signer(pkey, alg, md)) == NULL)) {
		crypto_seterr("JWS: %s signature", alg);
		return NULL;
	}
	if (signer != NULL)
		*signer = ctx;
	if (EVP_PKEY_sign(ctx, NULL, &siglen, dgst, dlen) <= 0) {
		crypto_seterr("JWS: %s signature", alg);
		goto out;
	}
	if ((sig = malloc(siglen)) == NULL) {
		crypto_seterr("JWS: out of memory");
		goto out;
	}
	if (EVP_PKEY_sign(ctx, sig, &siglen, dgst, dlen) <= 0) {
		crypto_seterr("JWS: %s signature", alg);
		goto out;
	}
	if (alg[0] == 'E') {
		n = strcmp(alg, "ES256") == 0 ? 32 : 48;
		if (ecdsa_der_to_raw(sig, siglen, raw, n) == -1)
			goto out;
		b64 = b64url_encode(raw, 2 * n);
	} else
		b64 = b64url_encode(sig, siglen);
	if (b64 == NULL)
		crypto_seterr("JWS: out of memory");
 out:
	free(sig);
	if (signer == NULL)
		EVP_PKEY_CTX_free(ctx);
	return b64;
}

/* The JWS signing input: protected "." payload, both base64url. */
static char *
signing_input(const char *prot, const char *pay)
{
	char	*input;

	if (asprintf(&input, "%s.%s", prot, pay) == -1) {
		crypto_seterr("JWS: out of memory");
		return NULL;
	}
	return input;
}

/*
 * Signs payload for url with pkey.  signer, when not NULL, keeps the
 * signing context for pkey from one call to the next (*signer NULL at
 * first; the caller frees it with the key).  kid NULL or "": the header
 * carries the JWK (newAccount, revocation by certificate key); nonce
 * NULL or "": no nonce (the inner JWS of a key change).  An empty
 * payload is encoded as "", which is what POST-as-GET needs.  Returns the
 * JWS as a NUL-terminated JSON text.
 */
char *
jws_sign(EVP_PKEY *pkey, EVP_PKEY_CTX **signer, const char *url,
    const char *nonce, const char *kid, const void *payload, size_t plen,
    size_t *lenp)
{
	yajl_gen		 g = NULL;
	const unsigned char	*out;
	const char		*alg;
	char			*prot = NULL, *pay = NULL, *input = NULL;
	char			*sig = NULL, *jws = NULL;
	size_t			 len;

	ERR_clear_error();
	if ((alg = key_alg(pkey)) == NULL) {
		crypto_seterr("JWS: unsupported key");
		return NULL;
	}
	if (url == NULL || url[0] == '\0') {
		crypto_seterr("JWS: no url");
		return NULL;
	}
	if ((prot = jws_protected(pkey, alg, url, nonce, kid)) == NULL)
		goto out;
	pay = plen > 0 ? b64url_encode(payload, plen) : strdup("");
	if (pay == NULL) {
		crypto_seterr("JWS: out of memory");
		goto out;
	}
	if ((input = signing_input(prot, pay)) == NULL)
		goto out;
	if ((sig = jws_signature(pkey, signer, alg, input)) == NULL)
		goto out;

	if ((g = yajl_gen_alloc(NULL)) == NULL) {
		crypto_seterr("JWS: out of memory");
		goto out;
	}
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    gen_kv(g, "protected", prot) == -1 ||
	    gen_kv(g, "payload", pay) == -1 ||
	    gen_kv(g, "signature", sig) == -1 ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok ||
	    yajl_gen_get_buf(g, &out, &len) != yajl_gen_status_ok) {
		crypto_seterr("JWS: JSON generator failed");
		goto out;
	}
	if ((jws = strndup((const char *)out, len)) == NULL) {
		crypto_seterr("JWS: out of memory");
		goto out;
	}
	if (lenp != NULL)
		*lenp = len;
 out:
	if (g != NULL)
		yajl_gen_free(g);
	free(prot);
	free(pay);
	free(input);
	free(sig);
	return jws;
}

/*
 * The externalAccountBinding of a newAccount request (RFC 8555 section
 * 7.3.4): a JWS whose payload is the account's JWK, signed with
 * HMAC-SHA256 under the MAC key the authority gave together with kid,
 * for url (the newAccount URL).  No nonce.  0 with parts set, or -1.
 */
int
jws_eab(EVP_PKEY *acct, const char *kid, const unsigned char *mac,
    size_t maclen, const char *url, struct jws_parts *parts)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	char		*jwk = NULL, *input = NULL;
	int		 rc = -1;

	memset(parts, 0, sizeof(*parts));
	ERR_clear_error();
	if (kid == NULL || kid[0] == '\0' || url == NULL || url[0] == '\0' ||
	    maclen == 0 || maclen > INT_MAX) {
		crypto_seterr("external account binding: no key id, url or "
		    "MAC key");
		return -1;
	}
	if ((parts->protected = jws_protected(NULL, "HS256", url, NULL,
	    kid)) == NULL)
		goto out;
	if ((jwk = jwk_json(acct)) == NULL)
		goto out;
	if ((parts->payload = b64url_encode(jwk, strlen(jwk))) == NULL)
		goto nomem;
	if ((input = signing_input(parts->protected, parts->payload)) == NULL)
		goto out;
	if (HMAC(EVP_sha256(), mac, (int)maclen, (unsigned char *)input,
	    strlen(input), md, &mdlen) == NULL) {
		crypto_seterr("external account binding: HMAC-SHA256 failed");
		goto out;
	}
	if ((parts->signature = b64url_encode(md, mdlen)) == NULL)
		goto nomem;
	rc = 0;
	goto out;
 nomem:
	crypto_seterr("external account binding: out of memory");
 out:
	OPENSSL_cleanse(md, sizeof(md));
	free(jwk);
	free(input);
	if (rc == -1)
		jws_parts_free(parts);
	return rc;
}

void
jws_parts_free(struct jws_parts *parts)
{
	free(parts->protected);
	free(parts->payload);
	free(parts->signature);
	memset(parts, 0, sizeof(*parts));
}

/*
 * The inner JWS of an account key change (RFC 8555 section 7.3.5):
 * {"account": account, "oldKey": old's JWK}, signed by the new key with
 * its JWK in the header, for url (keyChange), without a nonce.  The
 * caller signs the request that carries it with the old key.
 */
char *
jws_key_change(EVP_PKEY *old, EVP_PKEY *new, EVP_PKEY_CTX **signer,
    const char *url, const char *account, size_t *lenp)
{
	yajl_gen		 g;
	const unsigned char	*out;
	size_t			 len;
	char			*jws = NULL;

	ERR_clear_error();
	if (account == NULL || account[0] == '\0') {
		crypto_seterr("key change: no account URL");
		return NULL;
	}
	if ((g = yajl_gen_alloc(NULL)) == NULL) {
		crypto_seterr("key change: out of memory");
		return NULL;
	}
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    gen_kv(g, "account", account) == -1 ||
	    gen_string(g, "oldKey") == -1) {
		crypto_seterr("key change: account URL (invalid UTF-8?)");
		goto out;
	}
	if (jwk_gen(g, old) == -1)
		goto out;
	if (yajl_gen_map_close(g) != yajl_gen_status_ok ||
	    yajl_gen_get_buf(g, &out, &len) != yajl_gen_status_ok) {
		crypto_seterr("key change: JSON generator failed");
		goto out;
	}
	jws = jws_sign(new, signer, url, NULL, NULL, out, len, lenp);
 out:
	yajl_gen_free(g);
	return jws;
}
