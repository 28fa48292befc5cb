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
 * keyproc keys and JWK: loading and refusing keys, generation, PKCS#8
 * output, the JWK members and the RFC 7638 thumbprint.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "test.h"
#include "base64.h"
#include "keyproc/crypto.h"

static const char ec256_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZHUWLgQ45iCexMY+\n"
    "g+8w/4nVsAv9d0R4EPL/7HRMnZ6hRANCAATIY64cQbDARVPfOk+gryGw92xi/lJp\n"
    "3wq/CqDRMIyrdkKfv51LTf1Z5VmqZoH6hGaslPFBA81LZTrY7NgjU4QT\n"
    "-----END PRIVATE KEY-----\n";
static const char ec256_jwk[] =
    "{\"crv\":\"P-256\",\"kty\":\"EC\","
    "\"x\":\"yGOuHEGwwEVT3zpPoK8hsPdsYv5Sad8Kvwqg0TCMq3Y\","
    "\"y\":\"Qp-_nUtN_VnlWapmgfqEZqyU8UEDzUtlOtjs2CNThBM\"}";
static const char ec256_tp[] = "9Rtl9ny2QvnaNRXuWwvt9XZvog4aOyIvn2eAz4lQMNg";

static const char ec384_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAHKZksiWakeMgCt5hn\n"
    "eBDeHfwdmBuc9wfozW5ghTEclnaqoaMJwfVqyyRNb5zHDJmhZANiAAQ+QUiQZ4dn\n"
    "nYUH5TsTZZkAWJqlGLNX6uY8uxDXHsz/vyYpVXdVsZ8aViYltA/QXIDe5EnOmUjH\n"
    "ZrwbnM4rWMBCzcx4hXyO17mqTWMkn9RkJbnGIWReZyfUVlS2/k9nf1I=\n"
    "-----END PRIVATE KEY-----\n";
static const char ec384_jwk[] =
    "{\"crv\":\"P-384\",\"kty\":\"EC\","
    "\"x\":\"PkFIkGeHZ52FB-U7E2WZAFiapRizV-rmPLsQ1x7M_78mKVV3VbGfGlYmJbQP0FyA\","
    "\"y\":\"3uRJzplIx2a8G5zOK1jAQs3MeIV8jte5qk1jJJ_UZCW5xiFkXmcn1FZUtv5PZ39S\"}";
static const char ec384_tp[] = "Vvb0ZE9vT6vwLBSh-Vy8i7S4Nary_J1LIoUlFTC2ZVw";

/* RFC 7638 section 3.1. */
static const char rfc_n[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
static const char rfc_tp[] = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

/* A public RSA key from the base64url modulus and exponent. */
static EVP_PKEY *
rsa_from_jwk(const char *n64, const char *e64)
{
	OSSL_PARAM_BLD	*bld;
	OSSL_PARAM	*params;
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pkey = NULL;
	BIGNUM		*n, *e;
	unsigned char	*nb, *eb;
	size_t		 nl, el;

	if (b64url_decode(n64, strlen(n64), &nb, &nl) == -1 ||
	    b64url_decode(e64, strlen(e64), &eb, &el) == -1)
		return NULL;
	n = BN_bin2bn(nb, nl, NULL);
	e = BN_bin2bn(eb, el, NULL);
	bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	free(nb);
	free(eb);
	return pkey;
}

static char *
pem_of(EVP_PKEY *pkey, int traditional, int encrypted, size_t *lenp)
{
	BIO	*bio;
	char	*data, *s;
	long	 len;
	int	 ok;

	bio = BIO_new(BIO_s_mem());
	if (encrypted)
		ok = PEM_write_bio_PrivateKey(bio, pkey, EVP_aes_256_cbc(),
		    (unsigned char *)"secret", 6, NULL, NULL);
	else if (traditional)
		ok = PEM_write_bio_PrivateKey_traditional(bio, pkey, NULL,
		    NULL, 0, NULL, NULL);
	else
		ok = PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL,
		    NULL);
	if (!ok) {
		BIO_free(bio);
		return NULL;
	}
	len = BIO_get_mem_data(bio, &data);
	s = strndup(data, len);
	*lenp = len;
	BIO_free(bio);
	return s;
}

static void
check_refused(const char *what, const char *alg, const char *arg, int bits)
{
	EVP_PKEY	*pkey, *back;
	char		*pem;
	size_t		 len;

	if (bits > 0)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, alg, (size_t)bits);
	else if (arg != NULL)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, alg, arg);
	else
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, alg);
	if (pkey == NULL) {
		CHECK(0, "%s: could not make the test key", what);
		return;
	}
	pem = pem_of(pkey, 0, 0, &len);
	back = key_from_pem(pem, len, what);
	CHECK(back == NULL, "%s refused: %s", what, crypto_error());
	CHECK(strstr(crypto_error(), what) != NULL, "%s: error names it",
	    what);
	EVP_PKEY_free(back);
	EVP_PKEY_free(pkey);
	free(pem);
}

static void
test_fixed(const char *name, const char *pem, const char *jwk,
    const char *tp, const char *alg)
{
	EVP_PKEY	*pkey;
	char		*s;

	pkey = key_from_pem(pem, strlen(pem), name);
	CHECK(pkey != NULL, "%s: loads", name);
	if (pkey == NULL)
		return;
	CHECK_STR(key_alg(pkey), alg, "%s: alg %s", name, alg);
	s = jwk_json(pkey);
	CHECK_STR(s, jwk, "%s: JWK in RFC 7638 order", name);
	free(s);
	s = jwk_thumbprint(pkey);
	CHECK_STR(s, tp, "%s: thumbprint", name);
	free(s);
	EVP_PKEY_free(pkey);
}

static void
test_generate(enum keytype type, int bits, int want, const char *alg)
{
	EVP_PKEY	*pkey, *back;
	char		*pem, *a, *b, desc[32], path[] = "/tmp/t_keyprocXXXXXX";
	size_t		 len;
	int		 fd;

	pkey = key_generate(type, bits);
	CHECK(pkey != NULL, "generate type %d bits %d", type, bits);
	if (pkey == NULL)
		return;
	CHECK(key_matches(pkey, type, want), "generated key is %d bits",
	    want);
	CHECK_STR(key_alg(pkey), alg, "generated key alg");
	key_describe(pkey, desc, sizeof(desc));
	CHECK(strstr(desc, type == KEY_RSA ? "RSA" : "ECDSA") != NULL,
	    "describe: %s", desc);
	pem = key_to_pem(pkey, &len);
	CHECK(pem != NULL && strncmp(pem, "-----BEGIN PRIVATE KEY-----\n",
	    28) == 0 && strlen(pem) == len, "PKCS#8 PEM");

	/* Back through a descriptor, as the parent hands the file over. */
	fd = mkstemp(path);
	CHECK(fd != -1 && write(fd, pem, len) == (ssize_t)len &&
	    lseek(fd, 0, SEEK_SET) == 0, "key file written");
	back = key_from_fd(fd, path);
	close(fd);
	unlink(path);
	CHECK(back != NULL && EVP_PKEY_eq(back, pkey) == 1,
	    "same key read back from a descriptor");
	a = jwk_thumbprint(pkey);
	b = back != NULL ? jwk_thumbprint(back) : NULL;
	CHECK(a != NULL && strlen(a) == 43, "thumbprint is 43 characters");
	CHECK_STR(a, b, "thumbprint stable across PEM");
	free(a);
	free(b);
	secret_free(pem, len);
	EVP_PKEY_free(back);
	EVP_PKEY_free(pkey);
}

/* key_to_pem() as libcrypto's own PKCS#8 encoder writes the key. */
static int
pem_as_library(EVP_PKEY *pkey)
{
	BIO	*bio;
	char	*pem, *data;
	size_t	 len;
	long	 dlen;
	int	 same = 0;

	if ((pem = key_to_pem(pkey, &len)) == NULL)
		return 0;
	if ((bio = BIO_new(BIO_s_mem())) != NULL &&
	    PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) &&
	    (dlen = BIO_get_mem_data(bio, &data)) > 0)
		same = (size_t)dlen == len && memcmp(pem, data, len) == 0;
	BIO_free(bio);
	secret_free(pem, len);
	return same;
}

/*
 * EC keys are written from their parameters: the same bytes as the
 * library's encoder, for both curves, including a private key whose
 * first byte is zero (padded to the order's size).
 */
static void
test_ec_pem(int bits)
{
	EVP_PKEY	*pkey;
	BIGNUM		*priv;
	int		 i, same = 1, padded = 0;

	for (i = 0; i < 3000 && (same && (i < 20 || !padded)); i++) {
		if ((pkey = key_generate(KEY_ECDSA, bits)) == NULL)
			break;
		priv = NULL;
		if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY,
		    &priv) && BN_num_bytes(priv) < bits / 8)
			padded = 1;
		BN_clear_free(priv);
		same = pem_as_library(pkey);
		EVP_PKEY_free(pkey);
	}
	CHECK(same && padded, "P-%d: PEM as libcrypto's encoder for %d keys, "
	    "a short private key among them", bits, i);
}

int
main(void)
{
	EVP_PKEY	*pkey;
	char		*s, *pem, big[KEY_PEM_MAX + 100];
	size_t		 len;
	int		 fd;

	/* RFC 7638 section 3.1 */
	pkey = rsa_from_jwk(rfc_n, "AQAB");
	CHECK(pkey != NULL, "RFC 7638 RSA key built");
	s = jwk_json(pkey);
	CHECK(s != NULL && strncmp(s, "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"",
	    29) == 0 && strstr(s, rfc_n) != NULL && s[strlen(s) - 1] == '}',
	    "RFC 7638 JWK members and order");
	free(s);
	s = jwk_thumbprint(pkey);
	CHECK_STR(s, rfc_tp, "RFC 7638 thumbprint");
	free(s);
	CHECK_STR(key_alg(pkey), "RS256", "RSA alg");
	EVP_PKEY_free(pkey);

	test_fixed("P-256 key", ec256_pem, ec256_jwk, ec256_tp, "ES256");
	test_fixed("P-384 key", ec384_pem, ec384_jwk, ec384_tp, "ES384");
	test_ec_pem(256);
	test_ec_pem(384);

	/* The traditional "EC PRIVATE KEY" form loads too. */
	pkey = key_from_pem(ec256_pem, strlen(ec256_pem), "p256");
	pem = pem_of(pkey, 1, 0, &len);
	EVP_PKEY_free(pkey);
	CHECK(pem != NULL && strstr(pem, "EC PRIVATE KEY") != NULL,
	    "traditional EC PEM made");
	pkey = key_from_pem(pem, len, "traditional");
	s = pkey != NULL ? jwk_thumbprint(pkey) : NULL;
	CHECK_STR(s, ec256_tp, "traditional EC PEM loads");
	free(s);
	free(pem);

	/* Encrypted keys would need a passphrase: refused. */
	pem = pem_of(pkey, 0, 1, &len);
	EVP_PKEY_free(pkey);
	pkey = key_from_pem(pem, len, "encrypted.pem");
	CHECK(pkey == NULL, "encrypted key refused: %s", crypto_error());
	free(pem);

	check_refused("rsa1024.pem", "RSA", NULL, 1024);
	check_refused("p521.pem", "EC", "P-521", 0);
	check_refused("secp256k1.pem", "EC", "secp256k1", 0);
	check_refused("ed25519.pem", "ED25519", NULL, 0);

	pkey = key_from_pem("hello", 5, "garbage.pem");
	CHECK(pkey == NULL && strstr(crypto_error(), "garbage.pem") != NULL,
	    "garbage refused: %s", crypto_error());
	pkey = key_from_pem("", 0, "empty.pem");
	CHECK(pkey == NULL, "empty refused: %s", crypto_error());
	memset(big, 'A', sizeof(big));
	pkey = key_from_pem(big, sizeof(big), "big.pem");
	CHECK(pkey == NULL && strstr(crypto_error(), "bytes") != NULL,
	    "oversized refused: %s", crypto_error());

	/* An oversized file through a descriptor: refused, bounded read. */
	fd = open("/dev/zero", O_RDONLY);
	pkey = key_from_fd(fd, "/dev/zero");
	CHECK(pkey == NULL && strstr(crypto_error(), "larger") != NULL,
	    "endless descriptor refused: %s", crypto_error());
	close(fd);

	test_generate(KEY_ECDSA, 0, 256, "ES256");
	test_generate(KEY_ECDSA, 384, 384, "ES384");
	test_generate(KEY_RSA, 2048, 2048, "RS256");
	if (getenv("T_SLOW") != NULL) {
		test_generate(KEY_RSA, 0, 3072, "RS256");
		test_generate(KEY_RSA, 4096, 4096, "RS256");
	}
	CHECK(key_generate(KEY_ECDSA, 521) == NULL, "P-521 not generated: %s",
	    crypto_error());
	CHECK(key_generate(KEY_RSA, 1024) == NULL, "RSA 1024 not generated");
	CHECK(key_generate(KEY_MAX, 0) == NULL, "unknown type not generated");

	return test_done();
}
