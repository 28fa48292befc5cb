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
 * base64url without padding (RFC 4648 section 5), as JOSE and ACME use
 * it, and standard base64 with padding (section 4), as etcd's JSON
 * gateway uses it for keys and values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char b64std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64_value(unsigned char c, int std)
{
	if (std)
		return c == '+' ? 62 : c == '/' ? 63 :
		    c == '-' || c == '_' ? -1 : b64_value(c, 0);
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* Padding ('=') to a multiple of four with the standard alphabet. */
static char *
b64_encode(const void *in, size_t len, int std)
{
	const char	*alphabet = std ? b64std_alphabet : b64url_alphabet;
	const uint8_t	*p = in;
	char		*out, *o;
	size_t		 i;
	uint32_t	 v;

	if (len > (SIZE_MAX - 4) / 4 * 3)
		return NULL;
	if ((out = malloc((len + 2) / 3 * 4 + 1)) == NULL)
		return NULL;
	o = out;
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = alphabet[v >> 6 & 63];
		*o++ = alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)p[i] << 16;
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		if (std) {
			*o++ = '=';
			*o++ = '=';
		}
	} else if (len - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = alphabet[v >> 6 & 63];
		if (std)
			*o++ = '=';
	}
	*o = '\0';
	return out;
}

char *
b64url_encode(const void *in, size_t len)
{
	return b64_encode(in, len, 0);
}

char *
b64_std_encode(const void *in, size_t len)
{
	return b64_encode(in, len, 1);
}

/* 1 if s[0..len) is made of base64url characters only (no padding). */
int
b64url_valid(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (b64_value((unsigned char)s[i], 0) == -1)
			return 0;
	return 1;
}

/*
 * Decodes len characters; refuses other characters, an impossible
 * length and non-zero trailing bits.  base64url has no padding; the
 * standard alphabet's text is padded to a multiple of four.
 */
static int
b64_decode(const char *s, size_t len, int std, unsigned char **outp,
    size_t *outlen)
{
	unsigned char	*out;
	size_t		 i, n = 0;
	uint32_t	 v = 0;
	int		 c, bits = 0;

	*outp = NULL;
	*outlen = 0;
	if (std) {
		if (len % 4 != 0)
			return -1;
		if (len > 0 && s[len - 1] == '=')
			len--;
		if (len > 0 && s[len - 1] == '=')
			len--;
	}
	if (len % 4 == 1)
		return -1;
	if ((out = malloc(len / 4 * 3 + 3)) == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		if ((c = b64_value((unsigned char)s[i], std)) == -1)
			goto fail;
		v = v << 6 | (uint32_t)c;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (v >> bits) & 0xff;
		}
	}
	if (bits > 0 && (v & ((1U << bits) - 1)) != 0)
		goto fail;
	*outp = out;
	*outlen = n;
	return 0;
fail:
	/* What was decoded may be a secret (a MAC key). */
	explicit_bzero(out, len / 4 * 3 + 3);
	free(out);
	return -1;
}

int
b64url_decode(const char *s, size_t len, unsigned char **outp, size_t *outlen)
{
	return b64_decode(s, len, 0, outp, outlen);
}

int
b64_std_decode(const char *s, size_t len, unsigned char **outp,
    size_t *outlen)
{
	return b64_decode(s, len, 1, outp, outlen);
}
