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
 * Text from outside made safe to show.  Whatever the bytes were, the
 * result is one line of valid UTF-8 in which nothing moves the cursor,
 * changes colours or reorders what follows: a log line, the status file
 * or the event hook's environment cannot be split or forged by it.
 *
 *   C0 controls and DEL		\xNN	(\x0a, \x1b, \x7f)
 *   bytes that are not UTF-8	\xNN	(overlong forms, surrogates and
 *					 code points past U+10FFFF too)
 *   C1 controls U+0080..U+009F	\uNNNN	(\u0085, \u009b)
 *   bidirectional formatting	\uNNNN	(U+061C, U+200E, U+200F,
 *					 U+202A..U+202E, U+2066..U+2069)
 *   line and paragraph separators	\uNNNN	(U+2028, U+2029)
 *
 * Everything else is kept as it is, valid UTF-8 included.  A backslash
 * is not escaped: the result holds none of the characters above, so
 * cleaning it again changes nothing, and the parent can clean what a
 * child has cleaned already.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/*
 * The length of the UTF-8 sequence at p (n bytes left) with its code
 * point in *cp, or 0 if it is not one: a shortest form of a scalar value.
 */
static size_t
utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t	 c, min;
	size_t		 len, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1f;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		c = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters beyond ASCII that are shown as \uNNNN. */
static int
unicode_escaped(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x061c ||
	    c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069);
}

/*
 * in (inlen bytes, NUL bytes included) cleaned into out, always
 * NUL-terminated when outlen > 0 and cut, if it must be, before a whole
 * character or escape.  Returns the length the whole result needs, as
 * snprintf does.
 */
size_t
text_clean(char *out, size_t outlen, const void *in, size_t inlen)
{
	const unsigned char	*p = in;
	const char		*piece;
	char			 esc[8];
	size_t			 i = 0, n, plen, need = 0, w = 0;
	uint32_t		 c;
	int			 full = outlen == 0;

	while (i < inlen) {
		piece = esc;
		if ((n = utf8_decode(p + i, inlen - i, &c)) == 0) {
			n = 1;
			plen = snprintf(esc, sizeof(esc), "\\x%02x", p[i]);
		} else if (c < 0x20 || c == 0x7f)
			plen = snprintf(esc, sizeof(esc), "\\x%02x", c);
		else if (unicode_escaped(c))
			plen = snprintf(esc, sizeof(esc), "\\u%04x", c);
		else {
			piece = (const char *)p + i;
			plen = n;
		}
		if (!full && plen < outlen - w) {
			memcpy(out + w, piece, plen);
			w += plen;
		} else
			full = 1;
		need += plen;
		i += n;
	}
	if (outlen > 0)
		out[w] = '\0';
	return need;
}

/* The cleaned text in a new string; NULL if out of memory. */
char *
text_cleandup(const void *in, size_t inlen)
{
	size_t	 n;
	char	*s;

	n = text_clean(NULL, 0, in, inlen);
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	(void)text_clean(s, n + 1, in, inlen);
	return s;
}

/*
 * Whether s is a token of at most max bytes: letters, digits, '-', '_'
 * and '.', as an ACME profile's name, which goes unescaped into a log
 * line, the status file and the event hook's environment.
 */
int
text_is_token(const char *s, size_t max)
{
	size_t	 n;

	n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_.");
	return n > 0 && n <= max && s[n] == '\0';
}
