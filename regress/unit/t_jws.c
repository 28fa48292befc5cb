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
 * JWS for ACME: every signature is verified with libcrypto from the
 * output alone (ECDSA r || s turned back into DER), and the protected
 * header is parsed back, including values that need JSON escaping.  The
 * external account binding's HS256 MAC is recomputed with EVP_MAC, and
 * its MAC key read from the forms authorities hand out.
 */
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <yajl/yajl_tree.h>

#include "test.h"
#include "base64.h"
#include "keyproc/crypto.h"
#include "t_jws_verify.h"

static const char *
tstr(yajl_val root, const char *key)
{
	const char	*path[2] = { key, NULL };
	yajl_val	 v;

	v = yajl_tree_get(root, path, yajl_t_string);
	return v != NULL ? YAJL_GET_STRING(v) : NULL;
}

/*
 * Signs and verifies without the detailed checks; signer as jws_sign()
 * takes it.
 */
static int
sign_verify(EVP_PKEY *pkey, EVP_PKEY_CTX **signer, const char *payload)
{
	yajl_val	 root;
	const char	*prot, *pay, *sig;
	char		*jws, input[4096];
	int		 ok = 0;

	if ((jws = jws_sign(pkey, signer, "https://acme.test/x", "n", NULL,
	    payload, strlen(payload), NULL)) == NULL)
		return 0;
	if ((root = yajl_tree_parse(jws, NULL, 0)) != NULL &&
	    (prot = tstr(root, "protected")) != NULL &&
	    (pay = tstr(root, "payload")) != NULL &&
	    (sig = tstr(root, "signature")) != NULL) {
		snprintf(input, sizeof(input), "%s.%s", prot, pay);
		ok = verify(pkey, key_alg(pkey), input, sig);
	}
	yajl_tree_free(root);
	free(jws);
	return ok;
}

/*
 * Signs, then checks everything a server would: the JSON shape, the
 * header fields, the payload and the signature.
 */
static void
check_jws(const char *what, EVP_PKEY *pkey, const char *url,
    const char *nonce, const char *kid, const char *payload)
{
	char		 err[128], *jws, *input, *hdr, *body, *jwk;
	const char	*prot, *pay, *sig, *alg;
	unsigned char	*dec;
	size_t		 len, declen;
	yajl_val	 root, h, v;
	const char	*jwkpath[] = { "jwk", NULL };

	alg = key_alg(pkey);
	jws = jws_sign(pkey, NULL, url, nonce, kid, payload, strlen(payload),
	    &len);
	CHECK(jws != NULL && strlen(jws) == len, "%s: signed", what);
	if (jws == NULL) {
		printf("# %s\n", crypto_error());
		return;
	}
	root = yajl_tree_parse(jws, err, sizeof(err));
	CHECK(root != NULL && YAJL_IS_OBJECT(root) &&
	    root->u.object.len == 3, "%s: JSON object of 3 members", what);
	if (root == NULL)
		goto out;
	prot = tstr(root, "protected");
	pay = tstr(root, "payload");
	sig = tstr(root, "signature");
	CHECK(prot != NULL && pay != NULL && sig != NULL,
	    "%s: protected, payload, signature", what);
	if (prot == NULL || pay == NULL || sig == NULL)
		goto out;
	CHECK(b64url_valid(prot, strlen(prot)) && b64url_valid(pay,
	    strlen(pay)) && b64url_valid(sig, strlen(sig)),
	    "%s: all base64url without padding", what);

	if (payload[0] == '\0')
		CHECK_STR(pay, "", "%s: empty payload is \"\"", what);
	else {
		CHECK(b64url_decode(pay, strlen(pay), &dec, &declen) == 0 &&
		    declen == strlen(payload) &&
		    memcmp(dec, payload, declen) == 0,
		    "%s: payload decodes", what);
		free(dec);
	}

	len = strlen(prot) + strlen(pay) + 2;
	input = malloc(len);
	snprintf(input, len, "%s.%s", prot, pay);
	CHECK(verify(pkey, alg, input, sig), "%s: %s signature verifies",
	    what, alg);
	/* A changed byte must not verify. */
	input[0] ^= 1;
	CHECK(!verify(pkey, alg, input, sig), "%s: tampered input fails",
	    what);
	free(input);

	CHECK(b64url_decode(prot, strlen(prot), &dec, &declen) == 0,
	    "%s: header decodes", what);
	hdr = strndup((char *)dec, declen);
	free(dec);
	h = yajl_tree_parse(hdr, err, sizeof(err));
	CHECK(h != NULL, "%s: header is JSON: %s", what, hdr);
	if (h == NULL) {
		free(hdr);
		goto out;
	}
	CHECK_STR(tstr(h, "alg"), alg, "%s: alg", what);
	CHECK_STR(tstr(h, "url"), url, "%s: url", what);
	if (nonce != NULL && nonce[0] != '\0')
		CHECK_STR(tstr(h, "nonce"), nonce, "%s: nonce", what);
	else
		CHECK(tstr(h, "nonce") == NULL, "%s: no nonce", what);
	if (kid != NULL && kid[0] != '\0') {
		CHECK_STR(tstr(h, "kid"), kid, "%s: kid", what);
		CHECK(yajl_tree_get(h, jwkpath, yajl_t_any) == NULL,
		    "%s: no jwk beside kid", what);
	} else {
		CHECK(tstr(h, "kid") == NULL, "%s: no kid", what);
		v = yajl_tree_get(h, jwkpath, yajl_t_object);
		jwk = jwk_json(pkey);
		body = strstr(hdr, "\"jwk\":");
		CHECK(v != NULL && jwk != NULL && body != NULL &&
		    strncmp(body + 6, jwk, strlen(jwk)) == 0,
		    "%s: jwk is the public key", what);
		free(jwk);
	}
	/* Field order: alg first, url last, as RFC 8555's examples. */
	CHECK(strncmp(hdr, "{\"alg\":", 7) == 0 &&
	    strstr(hdr, "\"url\":") != NULL, "%s: header order", what);
	yajl_tree_free(h);
	free(hdr);
 out:
	yajl_tree_free(root);
	free(jws);
}

/* mac_key_from_fd() on text: 1 if it gives want (wantlen bytes). */
static int
mac_reads(const char *text, const unsigned char *want, size_t wantlen)
{
	unsigned char	*mac;
	size_t		 maclen;
	int		 fd, ok;

	if ((fd = test_text_fd(text, strlen(text))) == -1)
		return 0;
	ok = mac_key_from_fd(fd, "eab", &mac, &maclen) == 0;
	close(fd);
	if (!ok)
		return want == NULL;
	ok = want != NULL && maclen == wantlen && memcmp(mac, want,
	    wantlen) == 0;
	secret_free(mac, maclen);
	return ok;
}

/* HMAC-SHA256 through EVP_MAC, base64url. */
static char *
hs256(const unsigned char *key, size_t keylen, const char *input)
{
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx;
	OSSL_PARAM	 params[2];
	unsigned char	 out[32];
	size_t		 outlen = 0;
	char		*b64 = NULL;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) != NULL &&
	    (ctx = EVP_MAC_CTX_new(mac)) != NULL) {
		if (EVP_MAC_init(ctx, key, keylen, params) &&
		    EVP_MAC_update(ctx, (const unsigned char *)input,
		    strlen(input)) &&
		    EVP_MAC_final(ctx, out, &outlen, sizeof(out)))
			b64 = b64url_encode(out, outlen);
		EVP_MAC_CTX_free(ctx);
	}
	EVP_MAC_free(mac);
	return b64;
}

static void
check_eab(EVP_PKEY *acct)
{
	const char	*url = "https://acme.test/acme/new-acct";
	const char	*kid = "kid-1\"\\";
	struct jws_parts parts;
	unsigned char	 key[48], *dec;
	char		 text[8192], *b64, *hdr, *jwk, *input, *sig;
	size_t		 declen, i;
	yajl_val	 h;

	RAND_bytes(key, sizeof(key));
	key[0] = 0xfb;		/* "+" or "-" in base64 */
	key[1] = 0xff;		/* "/" or "_" */
	b64 = b64url_encode(key, sizeof(key));
	CHECK(mac_reads(b64, key, sizeof(key)), "MAC key: base64url");
	snprintf(text, sizeof(text), " \t%s==\r\n\n", b64);
	CHECK(mac_reads(text, key, sizeof(key)),
	    "MAC key: blanks around it and padding");
	snprintf(text, sizeof(text), "%s", b64);
	for (i = 0; text[i] != '\0'; i++)
		text[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' :
		    text[i];
	CHECK(strchr(text, '+') != NULL && strchr(text, '/') != NULL &&
	    mac_reads(text, key, sizeof(key)), "MAC key: plain base64");
	CHECK(mac_reads("", NULL, 0) && strstr(crypto_error(), "empty"),
	    "MAC key: empty file refused: %s", crypto_error());
	CHECK(mac_reads(" \n", NULL, 0), "MAC key: blank file refused");
	CHECK(mac_reads("abc*def", NULL, 0) &&
	    strstr(crypto_error(), "base64url") != NULL,
	    "MAC key: not base64url refused: %s", crypto_error());
	CHECK(mac_reads("ab cd", NULL, 0), "MAC key: blank inside refused");
	memset(text, 'A', 4097);
	text[4097] = '\0';
	CHECK(mac_reads(text, NULL, 0) && strstr(crypto_error(), "larger"),
	    "MAC key: file over 4096 bytes refused: %s", crypto_error());
	memset(text, 'A', 4096);
	text[4096] = '\0';
	CHECK(mac_reads(text, NULL, 0) == 0, "MAC key: 4096 bytes read");
	free(b64);

	CHECK(jws_eab(acct, kid, key, sizeof(key), url, &parts) == 0,
	    "EAB: made");
	if (parts.protected == NULL)
		return;
	CHECK(b64url_valid(parts.protected, strlen(parts.protected)) &&
	    b64url_valid(parts.payload, strlen(parts.payload)) &&
	    b64url_valid(parts.signature, strlen(parts.signature)),
	    "EAB: all base64url without padding");
	CHECK(b64url_decode(parts.protected, strlen(parts.protected), &dec,
	    &declen) == 0, "EAB: header decodes");
	hdr = strndup((char *)dec, declen);
	free(dec);
	h = yajl_tree_parse(hdr, NULL, 0);
	CHECK(h != NULL && YAJL_IS_OBJECT(h) && h->u.object.len == 3,
	    "EAB: header of 3 members: %s", hdr);
	CHECK_STR(tstr(h, "alg"), "HS256", "EAB: alg");
	CHECK_STR(tstr(h, "kid"), kid, "EAB: kid");
	CHECK_STR(tstr(h, "url"), url, "EAB: url");
	yajl_tree_free(h);
	free(hdr);
	jwk = jwk_json(acct);
	CHECK(b64url_decode(parts.payload, strlen(parts.payload), &dec,
	    &declen) == 0 && jwk != NULL && declen == strlen(jwk) &&
	    memcmp(dec, jwk, declen) == 0, "EAB: payload is the account JWK");
	free(dec);
	free(jwk);
	declen = strlen(parts.protected) + strlen(parts.payload) + 2;
	input = malloc(declen);
	snprintf(input, declen, "%s.%s", parts.protected, parts.payload);
	sig = hs256(key, sizeof(key), input);
	CHECK(sig != NULL && strcmp(sig, parts.signature) == 0,
	    "EAB: HS256 signature verifies");
	free(sig);
	key[5] ^= 1;
	sig = hs256(key, sizeof(key), input);
	CHECK(sig != NULL && strcmp(sig, parts.signature) != 0,
	    "EAB: another key gives another signature");
	free(sig);
	free(input);
	jws_parts_free(&parts);

	CHECK(jws_eab(acct, "", key, sizeof(key), url, &parts) == -1 &&
	    jws_eab(acct, kid, key, 0, url, &parts) == -1 &&
	    jws_eab(acct, kid, key, sizeof(key), "", &parts) == -1 &&
	    parts.protected == NULL, "EAB: no kid, key or url refused");
}

/* The inner JWS of a key change, field by field. */
static void
check_key_change(EVP_PKEY *old, EVP_PKEY *new)
{
	const char	*url = "https://acme.test/acme/key-change";
	const char	*acct = "https://acme.test/acme/acct/7";
	const char	*jwkpath[] = { "jwk", NULL };
	char		*jws, *hdr, *pay, *want, *oldjwk, *newjwk, *input;
	const char	*prot, *p64, *sig;
	unsigned char	*dec;
	size_t		 len, declen;
	yajl_val	 root, h;

	jws = jws_key_change(old, new, NULL, url, acct, &len);
	CHECK(jws != NULL, "key change: made (%s)", jws ? "" :
	    crypto_error());
	if (jws == NULL)
		return;
	root = yajl_tree_parse(jws, NULL, 0);
	prot = tstr(root, "protected");
	p64 = tstr(root, "payload");
	sig = tstr(root, "signature");
	CHECK(prot != NULL && p64 != NULL && sig != NULL,
	    "key change: a flattened JWS");
	if (prot == NULL || p64 == NULL || sig == NULL)
		goto out;
	len = strlen(prot) + strlen(p64) + 2;
	input = malloc(len);
	snprintf(input, len, "%s.%s", prot, p64);
	CHECK(verify(new, key_alg(new), input, sig),
	    "key change: signed by the new key");
	CHECK(!verify(old, key_alg(old), input, sig),
	    "key change: not by the old key");
	free(input);

	b64url_decode(prot, strlen(prot), &dec, &declen);
	hdr = strndup((char *)dec, declen);
	free(dec);
	h = yajl_tree_parse(hdr, NULL, 0);
	newjwk = jwk_json(new);
	CHECK_STR(tstr(h, "alg"), key_alg(new), "key change: alg");
	CHECK_STR(tstr(h, "url"), url, "key change: url");
	CHECK(tstr(h, "nonce") == NULL && tstr(h, "kid") == NULL &&
	    yajl_tree_get(h, jwkpath, yajl_t_object) != NULL &&
	    strstr(hdr, newjwk) != NULL,
	    "key change: the new key's jwk, no nonce, no kid: %s", hdr);
	yajl_tree_free(h);
	free(hdr);
	free(newjwk);

	b64url_decode(p64, strlen(p64), &dec, &declen);
	pay = strndup((char *)dec, declen);
	free(dec);
	oldjwk = jwk_json(old);
	if (asprintf(&want, "{\"account\":\"%s\",\"oldKey\":%s}", acct,
	    oldjwk) == -1)
		want = NULL;
	CHECK_STR(pay, want, "key change: payload names the account and the "
	    "old key");
	free(want);
	free(oldjwk);
	free(pay);
 out:
	yajl_tree_free(root);
	free(jws);
	CHECK(jws_key_change(old, new, NULL, url, "", &len) == NULL,
	    "key change: no account URL refused: %s", crypto_error());
}

int
main(void)
{
	EVP_PKEY	*ec256, *ec384, *rsa;
	EVP_PKEY_CTX	*signer[3] = { NULL, NULL, NULL };
	const char	*url = "https://acme.test/acme/new-order";
	const char	*kid = "https://acme.test/acme/acct/1";
	const char	*order = "{\"identifiers\":[{\"type\":\"dns\","
			    "\"value\":\"example.org\"}]}";
	char		 big[8192];
	size_t		 len;
	int		 i;

	ec256 = key_generate(KEY_ECDSA, 256);
	ec384 = key_generate(KEY_ECDSA, 384);
	rsa = key_generate(KEY_RSA, 2048);
	CHECK(ec256 != NULL && ec384 != NULL && rsa != NULL, "keys made");

	check_jws("ES256 jwk", ec256, url, "nonce-1", NULL, "{}");
	check_jws("ES256 kid", ec256, url, "nonce-2", kid, order);
	check_jws("ES256 POST-as-GET", ec256, url, "nonce-3", kid, "");
	check_jws("ES384 jwk", ec384, url, "nonce-4", "", "{}");
	check_jws("ES384 kid", ec384, url, "nonce-5", kid, order);
	check_jws("RS256 jwk", rsa, url, "nonce-6", NULL, "{}");
	check_jws("RS256 kid", rsa, url, "nonce-7", kid, "");
	check_jws("escaping", ec256, "https://acme.test/a\"b\\c/d?x=</script>",
	    "n\"o\\n\\\"ce", "https://acme.test/kid\"\\", order);
	check_jws("control bytes", ec256, "https://acme.test/\t\x01",
	    "nonce\n", kid, "\"\\\n");
	check_jws("key change inner", ec384, "https://acme.test/key-change",
	    NULL, NULL, "{\"account\":\"x\",\"oldKey\":{}}");

	/*
	 * r or s with a leading zero byte (one signature in 128) must still
	 * be padded to the field size: sign and verify many times.
	 */
	for (i = 0; i < 300; i++) {
		snprintf(big, sizeof(big), "{\"n\":%d}", i);
		if (!sign_verify(i % 2 ? ec256 : ec384, NULL, big))
			break;
	}
	CHECK(i == 300, "300 ECDSA signatures verify (%d)", i);

	/* The same again, each key keeping its signing context. */
	for (i = 0; i < 300; i++) {
		snprintf(big, sizeof(big), "{\"n\":%d}", i);
		if (!sign_verify(i % 2 ? ec256 : ec384, &signer[i % 2], big))
			break;
	}
	CHECK(i == 300 && signer[0] != NULL && signer[1] != NULL,
	    "300 ECDSA signatures verify with kept contexts (%d)", i);
	for (i = 0; i < 5; i++) {
		snprintf(big, sizeof(big), "{\"n\":%d}", i);
		if (!sign_verify(rsa, &signer[2], big))
			break;
	}
	CHECK(i == 5 && signer[2] != NULL,
	    "RS256 signatures verify with a kept context (%d)", i);
	for (i = 0; i < 3; i++)
		EVP_PKEY_CTX_free(signer[i]);

	check_eab(ec256);
	check_eab(rsa);
	check_key_change(ec256, ec384);
	check_key_change(ec384, rsa);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	check_jws("8k payload", rsa, url, "nonce", kid, big);

	CHECK(jws_sign(ec256, NULL, "", "n", kid, "", 0, &len) == NULL,
	    "no url refused: %s", crypto_error());
	CHECK(jws_sign(ec256, NULL, "https://acme.test/\xff", "n", kid, "", 0,
	    &len) == NULL, "invalid UTF-8 refused: %s", crypto_error());

	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec384);
	EVP_PKEY_free(rsa);
	return test_done();
}
