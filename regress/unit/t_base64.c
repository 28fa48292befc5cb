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
 * base64url without padding: the RFC 4648 vectors in the url alphabet,
 * round trips of every length up to 300, and the refusal of padding,
 * foreign characters, impossible lengths and non-zero trailing bits;
 * standard base64 with padding (etcd's JSON): the RFC vectors, round
 * trips, and the refusal of missing padding and the url alphabet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "test.h"

struct vector {
	const char	*raw;
	size_t		 rawlen;
	const char	*enc;
};

static const struct vector vectors[] = {
	/* RFC 4648 section 10, padding removed */
	{ "", 0, "" },
	{ "f", 1, "Zg" },
	{ "fo", 2, "Zm8" },
	{ "foo", 3, "Zm9v" },
	{ "foob", 4, "Zm9vYg" },
	{ "fooba", 5, "Zm9vYmE" },
	{ "foobar", 6, "Zm9vYmFy" },
	/* the two characters that differ from the standard alphabet */
	{ "\xfb\xff", 2, "-_8" },
	{ "\xfa", 1, "-g" },
	{ "\xff\xff\xff", 3, "____" },
	{ "\0\0\0", 3, "AAAA" },
	{ "\x3e\xf0", 2, "PvA" },
	/* RFC 7515 appendix C */
	{ "\x03\xec\xff\xe0", 4, "A-z_4A" },
};

static const char *refused[] = {
	"Zg==", "Zg=", "Zm8=", "Zm9vYg==", "=", "====",	/* padding */
	"Zm9v+A", "Zm9v/A", "Zm 9v", "Zm9v\n", "Zm9.",	/* foreign */
	"Zm9v\xc3\xa9", "Zm\x80v",
	"Z", "Zm9vY", "Zm9vYmFyZ",			/* len % 4 == 1 */
	"Zh", "Zm9", "Zm9vYh", "Zm9vYmF", "_x", "__9",	/* trailing bits */
};

/* A fixed sequence, so a failure repeats. */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

typedef char	*encode_fn(const void *, size_t);
typedef int	 decode_fn(const char *, size_t, unsigned char **, size_t *);

/* Each vector encodes to its text and decodes back to its bytes. */
static void
check_vectors(const struct vector *v, size_t n, encode_fn *encode,
    decode_fn *decode, const char *what)
{
	unsigned char	*out;
	size_t		 i, outlen;
	char		*enc;
	int		 r;

	for (i = 0; i < n; i++) {
		enc = encode(v[i].raw, v[i].rawlen);
		CHECK_STR(enc, v[i].enc, "%s: encode vector %zu", what, i);
		free(enc);
		r = decode(v[i].enc, strlen(v[i].enc), &out, &outlen);
		CHECK(r == 0 && out != NULL && outlen == v[i].rawlen &&
		    memcmp(out, v[i].raw, outlen) == 0,
		    "%s: decode \"%s\"", what, v[i].enc);
		free(out);
	}
}

static void
test_vectors(void)
{
	size_t		 i;

	check_vectors(vectors, sizeof(vectors) / sizeof(vectors[0]),
	    b64url_encode, b64url_decode, "base64url");
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		CHECK(b64url_valid(vectors[i].enc, strlen(vectors[i].enc)),
		    "\"%s\" is valid base64url", vectors[i].enc);
}

static void
test_refused(void)
{
	unsigned char	*out;
	size_t		 i, outlen;
	int		 r;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		out = (unsigned char *)"x";
		outlen = 99;
		r = b64url_decode(refused[i], strlen(refused[i]), &out,
		    &outlen);
		CHECK(r == -1 && out == NULL && outlen == 0,
		    "decode refuses \"%s\"", refused[i]);
	}
	r = b64url_decode("Zm\0v", 4, &out, &outlen);
	CHECK(r == -1 && out == NULL, "decode refuses a NUL inside");
	r = b64url_decode("Zm9vYmFy", 4, &out, &outlen);
	CHECK(r == 0 && outlen == 3 && memcmp(out, "foo", 3) == 0,
	    "decode reads only the length given");
	free(out);
	CHECK(!b64url_valid("Zg==", 4), "padding is not valid base64url");
	CHECK(!b64url_valid("a+b", 3), "'+' is not valid base64url");
	CHECK(!b64url_valid("a/b", 3), "'/' is not valid base64url");
	CHECK(!b64url_valid("a\0b", 3), "NUL is not valid base64url");
	CHECK(b64url_valid("", 0), "the empty string is valid base64url");
}

static void
test_roundtrip(void)
{
	unsigned char	 in[300], *out;
	size_t		 len, i, outlen, bad = 0;
	uint32_t	 seed = 0x9e3779b9;
	char		*enc;

	for (len = 0; len <= sizeof(in); len++) {
		for (i = 0; i < len; i++)
			in[i] = rnd(&seed) & 0xff;
		if ((enc = b64url_encode(in, len)) == NULL) {
			bad++;
			continue;
		}
		if (strlen(enc) != (len * 4 + 2) / 3 ||
		    !b64url_valid(enc, strlen(enc)) ||
		    strchr(enc, '=') != NULL)
			bad++;
		else if (b64url_decode(enc, strlen(enc), &out, &outlen) == -1)
			bad++;
		else {
			if (outlen != len || memcmp(out, in, len) != 0)
				bad++;
			free(out);
		}
		free(enc);
	}
	CHECK(bad == 0, "round trip of random data, lengths 0..300 "
	    "(%zu failed)", bad);

	/* Every value of a single byte, and of each byte pair position. */
	bad = 0;
	for (i = 0; i < 256; i++) {
		in[0] = i;
		in[1] = 255 - i;
		for (len = 1; len <= 2; len++) {
			enc = b64url_encode(in, len);
			if (enc == NULL ||
			    b64url_decode(enc, strlen(enc), &out, &outlen) == -1)
				bad++;
			else {
				if (outlen != len || memcmp(out, in, len) != 0)
					bad++;
				free(out);
			}
			free(enc);
		}
	}
	CHECK(bad == 0, "round trip of every byte value (%zu failed)", bad);
}

static const struct vector std_vectors[] = {
	/* RFC 4648 section 10 */
	{ "", 0, "" },
	{ "f", 1, "Zg==" },
	{ "fo", 2, "Zm8=" },
	{ "foo", 3, "Zm9v" },
	{ "foob", 4, "Zm9vYg==" },
	{ "fooba", 5, "Zm9vYmE=" },
	{ "foobar", 6, "Zm9vYmFy" },
	{ "\xfb\xff", 2, "+/8=" },
	{ "\0\xff\0", 3, "AP8A" },
};

static const char *std_refused[] = {
	"Zg", "Zm8", "Zm9vYg=", "=", "====", "Zg===", "Z===",	/* padding */
	"-_8=", "Zm9v\n", "Zm=v", "Zh==", "Zm9=",	/* foreign, bits */
};

static void
test_std(void)
{
	unsigned char	 in[64], *out;
	size_t		 i, len, outlen, bad = 0;
	uint32_t	 seed = 7;
	char		*enc;
	int		 r;

	check_vectors(std_vectors, sizeof(std_vectors) /
	    sizeof(std_vectors[0]), b64_std_encode, b64_std_decode,
	    "standard base64");
	for (i = 0; i < sizeof(std_refused) / sizeof(std_refused[0]); i++) {
		r = b64_std_decode(std_refused[i], strlen(std_refused[i]),
		    &out, &outlen);
		CHECK(r == -1 && out == NULL, "standard decode refuses "
		    "\"%s\"", std_refused[i]);
	}
	for (len = 0; len <= sizeof(in); len++) {
		for (i = 0; i < len; i++)
			in[i] = rnd(&seed) & 0xff;
		if ((enc = b64_std_encode(in, len)) == NULL ||
		    strlen(enc) != (len + 2) / 3 * 4 ||
		    b64_std_decode(enc, strlen(enc), &out, &outlen) == -1)
			bad++;
		else {
			if (outlen != len || memcmp(out, in, len) != 0)
				bad++;
			free(out);
		}
		free(enc);
	}
	CHECK(bad == 0, "standard round trip, lengths 0..64 (%zu failed)",
	    bad);
}

int
main(void)
{
	test_std();
	test_vectors();
	test_refused();
	test_roundtrip();
	return test_done();
}
