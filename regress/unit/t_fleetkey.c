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
 * The fleet key file's form: what "openssl rand -base64 32" prints, with
 * or without its newline, is read as the 32 bytes it stands for; every
 * other text is refused with a reason that says what is wrong and never
 * quotes the text.  And the standard base64 decoder under it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "test.h"
#include "base64.h"
#include "fleetkey.h"

/* A decode of s: 0 or -1, the reason in err. */
static int
decode(const char *s, unsigned char key[FLEET_KEY_LEN], char *err,
    size_t errlen)
{
	err[0] = '\0';
	return fleet_key_decode(s, strlen(s), key, err, errlen);
}

/* Refused, with a reason that holds want and not the text itself. */
static void
refused(const char *what, const char *s, const char *want)
{
	unsigned char	 key[FLEET_KEY_LEN];
	char		 err[256];
	int		 rc;

	memset(key, 0xa5, sizeof(key));
	rc = decode(s, key, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, want) != NULL &&
	    (strlen(s) < 8 || strstr(err, s) == NULL) &&
	    key[0] == 0xa5 && key[FLEET_KEY_LEN - 1] == 0xa5,
	    "%s: refused, \"%s\"", what, err);
}

/* n random bytes as openssl's base64 encoder writes them, and a newline. */
static void
text_of(const unsigned char *raw, int n, char *out)
{
	int	 len;

	len = EVP_EncodeBlock((unsigned char *)out, raw, n);
	out[len] = '\n';
	out[len + 1] = '\0';
}

static void
test_fleet_key(void)
{
	unsigned char	 raw[40], key[FLEET_KEY_LEN];
	char		 text[128], bad[128], err[256];
	size_t		 len;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		abort();
	text_of(raw, FLEET_KEY_LEN, text);
	CHECK(strlen(text) == 45, "32 bytes: 44 characters and a newline");
	memset(key, 0, sizeof(key));
	CHECK(decode(text, key, err, sizeof(err)) == 0 &&
	    memcmp(key, raw, FLEET_KEY_LEN) == 0,
	    "openssl's base64 of 32 bytes, with its newline: those bytes");
	memset(key, 0, sizeof(key));
	len = strlen(text) - 1;
	CHECK(fleet_key_decode(text, len, key, err, sizeof(err)) == 0 &&
	    memcmp(key, raw, FLEET_KEY_LEN) == 0,
	    "without its newline: the same bytes");

	text_of(raw, 31, bad);
	refused("31 bytes", bad, "decodes to 31 bytes, not 32");
	text_of(raw, 33, bad);
	refused("33 bytes", bad, "decodes to 33 bytes, not 32");
	text_of(raw, 24, bad);
	refused("24 bytes", bad, "decodes to 24 bytes, not 32");
	refused("an empty file", "", "empty");
	refused("a newline alone", "\n", "empty");

	snprintf(bad, sizeof(bad), "%.*s\n\n", 44, text);
	refused("two newlines", bad, "not base64");
	snprintf(bad, sizeof(bad), "%.*s\r\n", 44, text);
	refused("a carriage return", bad, "not base64");
	snprintf(bad, sizeof(bad), " %.*s", 44, text);
	refused("a leading blank", bad, "not base64");
	snprintf(bad, sizeof(bad), "%.*s", 43, text);
	refused("without its padding", bad, "not base64");
	snprintf(bad, sizeof(bad), "%.*s", 44, text);
	bad[0] = bad[0] == '-' ? '_' : '-';
	refused("a base64url character", bad, "not base64");
	bad[0] = '=';
	refused("'=' at the start", bad, "not base64");
	refused("a pass phrase", "correct horse battery staple", "not base64");
}

static void
test_b64_decode(void)
{
	unsigned char	*out;
	size_t		 n;

	CHECK(b64_std_decode("aGk=", 4, &out, &n) == 0 && n == 2 &&
	    memcmp(out, "hi", 2) == 0, "\"aGk=\": \"hi\"");
	free(out);
	CHECK(b64_std_decode("aGk/", 4, &out, &n) == 0 && n == 3 &&
	    out[2] == 0x3f, "'/' is 63");
	free(out);
	CHECK(b64_std_decode("+w==", 4, &out, &n) == 0 && n == 1 &&
	    out[0] == 0xfb, "'+' is 62, two '=' of padding");
	free(out);
	CHECK(b64_std_decode("", 0, &out, &n) == 0 && n == 0, "empty: no bytes");
	free(out);
	CHECK(b64_std_decode("aGk", 3, &out, &n) == -1 && out == NULL,
	    "unpadded refused");
	CHECK(b64_std_decode("aG=k", 4, &out, &n) == -1, "'=' inside refused");
	CHECK(b64_std_decode("a===", 4, &out, &n) == -1, "three '=' refused");
	CHECK(b64_std_decode("aGl=", 4, &out, &n) == -1,
	    "non-zero bits in the padding refused");
	CHECK(b64_std_decode("aG-_", 4, &out, &n) == -1,
	    "base64url's characters refused");
	CHECK(b64url_decode("aG-_", 4, &out, &n) == 0 && n == 3,
	    "and still base64url's own");
	free(out);
}

int
main(void)
{
	test_fleet_key();
	test_b64_decode();
	return test_done();
}
