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
 * Verification of a JWS signature as a server does it, from the
 * serialised output alone; shared by the JWS and keyproc tests.
 */
#ifndef T_JWS_VERIFY_H
#define T_JWS_VERIFY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "base64.h"

/* Verifies sig64 over input with pkey as alg does it in JOSE. */
static int __attribute__((__unused__))
verify(EVP_PKEY *pkey, const char *alg, const char *input, const char *sig64)
{
	EVP_MD_CTX	*ctx;
	ECDSA_SIG	*es;
	unsigned char	*sig, *der = NULL;
	size_t		 siglen;
	int		 derlen, n, ok = 0;

	if (b64url_decode(sig64, strlen(sig64), &sig, &siglen) == -1)
		return 0;
	if (alg[0] == 'E') {
		n = strcmp(alg, "ES256") == 0 ? 32 : 48;
		if (siglen != (size_t)(2 * n)) {
			printf("# raw signature of %zu bytes\n", siglen);
			free(sig);
			return 0;
		}
		es = ECDSA_SIG_new();
		ECDSA_SIG_set0(es, BN_bin2bn(sig, n, NULL),
		    BN_bin2bn(sig + n, n, NULL));
		derlen = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
		free(sig);
		sig = der;
		siglen = derlen;
	}
	ctx = EVP_MD_CTX_new();
	if (EVP_DigestVerifyInit(ctx, NULL, strcmp(alg, "ES384") == 0 ?
	    EVP_sha384() : EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)input,
	    strlen(input)) == 1)
		ok = 1;
	EVP_MD_CTX_free(ctx);
	if (der != NULL)
		OPENSSL_free(der);
	else
		free(sig);
	return ok;
}

#endif
