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
 * text_clean: every class of character that could split, recolour or
 * reorder a line comes out as a visible escape, valid UTF-8 is kept
 * byte for byte, a cut never splits a character or an escape, and
 * cleaning twice is cleaning once.
 */
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "test.h"

static const struct {
	const char	*what;
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	const char	*out;
} cases[] = {
	{ "plain ASCII", "a.s09d.test: certificate issued", 0,
	    "a.s09d.test: certificate issued" },
	{ "empty", "", 0, "" },
	/* C0 and DEL */
	{ "newline", "a\nb", 0, "a\\x0ab" },
	{ "carriage return", "a\rb", 0, "a\\x0db" },
	{ "tab", "a\tb", 0, "a\\x09b" },
	{ "escape sequence", "\x1b[31mred\x1b[0m", 0,
	    "\\x1b[31mred\\x1b[0m" },
	{ "NUL inside", "a\0b", 3, "a\\x00b" },
	{ "SOH and US", "\x01\x1f", 0, "\\x01\\x1f" },
	{ "DEL", "a\x7f", 0, "a\\x7f" },
	{ "space and tilde kept", " ~", 0, " ~" },
	/* C1 as UTF-8 */
	{ "U+0080", "\xc2\x80", 0, "\\u0080" },
	{ "NEL U+0085", "a\xc2\x85" "b", 0, "a\\u0085b" },
	{ "CSI U+009B", "\xc2\x9b" "31m", 0, "\\u009b31m" },
	{ "U+009F", "\xc2\x9f", 0, "\\u009f" },
	{ "U+00A0 kept", "\xc2\xa0", 0, "\xc2\xa0" },
	/* bidirectional formatting, separators */
	{ "ALM U+061C", "\xd8\x9c", 0, "\\u061c" },
	{ "LRM U+200E", "\xe2\x80\x8e", 0, "\\u200e" },
	{ "RLM U+200F", "\xe2\x80\x8f", 0, "\\u200f" },
	{ "LINE SEPARATOR U+2028", "\xe2\x80\xa8", 0, "\\u2028" },
	{ "PARAGRAPH SEPARATOR U+2029", "\xe2\x80\xa9", 0, "\\u2029" },
	{ "LRE U+202A", "\xe2\x80\xaa", 0, "\\u202a" },
	{ "RLO U+202E", "txt.\xe2\x80\xae" "exe", 0, "txt.\\u202eexe" },
	{ "LRI U+2066", "\xe2\x81\xa6", 0, "\\u2066" },
	{ "PDI U+2069", "\xe2\x81\xa9", 0, "\\u2069" },
	{ "U+2027 kept", "\xe2\x80\xa7", 0, "\xe2\x80\xa7" },
	{ "U+202F kept", "\xe2\x80\xaf", 0, "\xe2\x80\xaf" },
	{ "U+2065 kept", "\xe2\x81\xa5", 0, "\xe2\x81\xa5" },
	{ "U+206A kept", "\xe2\x81\xaa", 0, "\xe2\x81\xaa" },
	{ "ZWJ U+200D kept", "\xe2\x80\x8d", 0, "\xe2\x80\x8d" },
	/* valid UTF-8 kept */
	{ "accented letters", "r\xc3\xa9sum\xc3\xa9 \xc3\x85ngstr\xc3\xb6m",
	    0, "r\xc3\xa9sum\xc3\xa9 \xc3\x85ngstr\xc3\xb6m" },
	{ "CJK", "\xe8\xaf\x81\xe4\xb9\xa6 \xe8\xa8\xbc\xe6\x98\x8e"
	    "\xe6\x9b\xb8", 0, "\xe8\xaf\x81\xe4\xb9\xa6 "
	    "\xe8\xa8\xbc\xe6\x98\x8e\xe6\x9b\xb8" },
	{ "emoji", "ok \xf0\x9f\x94\x92\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", 0,
	    "ok \xf0\x9f\x94\x92\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd" },
	{ "U+10FFFF kept", "\xf4\x8f\xbf\xbf", 0, "\xf4\x8f\xbf\xbf" },
	{ "U+FFFD kept", "\xef\xbf\xbd", 0, "\xef\xbf\xbd" },
	/* not UTF-8 */
	{ "Latin-1 byte", "caf\xe9", 0, "caf\\xe9" },
	{ "lone continuation", "\x80x", 0, "\\x80x" },
	{ "raw C1 byte", "\x9b" "31m", 0, "\\x9b31m" },
	{ "overlong slash", "\xc0\xaf", 0, "\\xc0\\xaf" },
	{ "overlong NUL", "\xc0\x80", 0, "\\xc0\\x80" },
	{ "overlong 3-byte", "\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf" },
	{ "overlong 4-byte", "\xf0\x80\x80\xaf", 0,
	    "\\xf0\\x80\\x80\\xaf" },
	{ "surrogate", "\xed\xa0\x80", 0, "\\xed\\xa0\\x80" },
	{ "past U+10FFFF", "\xf4\x90\x80\x80", 0,
	    "\\xf4\\x90\\x80\\x80" },
	{ "F5 lead", "\xf5\x80\x80\x80", 0, "\\xf5\\x80\\x80\\x80" },
	{ "FF byte", "\xff", 0, "\\xff" },
	{ "truncated sequence at the end", "ab\xe2\x80", 0,
	    "ab\\xe2\\x80" },
	{ "truncated sequence before ASCII", "\xe2\x80" "a", 0,
	    "\\xe2\\x80a" },
	{ "bad continuation", "\xc3(", 0, "\\xc3(" },
	/* the forged log line */
	{ "forged line", "a.s09d.test\n\x1b[1Gacmed: a.s09d.test: "
	    "certificate issued", 0, "a.s09d.test\\x0a\\x1b[1Gacmed: "
	    "a.s09d.test: certificate issued" },
};

static void
test_cases(void)
{
	char	 out[256], *dup, *again;
	size_t	 i, len, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		n = text_clean(out, sizeof(out), cases[i].in, len);
		CHECK_STR(out, cases[i].out, "%s", cases[i].what);
		CHECK(n == strlen(cases[i].out), "%s: length %zu",
		    cases[i].what, n);
		dup = text_cleandup(cases[i].in, len);
		CHECK_STR(dup, cases[i].out, "%s: text_cleandup",
		    cases[i].what);
		again = dup ? text_cleandup(dup, strlen(dup)) : NULL;
		CHECK_STR(again, cases[i].out, "%s: cleaning again changes "
		    "nothing", cases[i].what);
		free(dup);
		free(again);
	}
}

/* A short buffer: cut before the piece that does not fit, NUL-terminated. */
static void
test_cut(void)
{
	const char	*in = "ab\x1b" "c\xc3\xa9\xe2\x80\xae";
	char		 out[16];
	size_t		 n;

	/* whole: "ab\x1bc\xc3\xa9\u202e", 4 + 4 + 1 + 2 + 6 = 15 bytes */
	n = text_clean(out, sizeof(out), in, strlen(in));
	CHECK(n == 15, "whole length %zu", n);
	CHECK_STR(out, "ab\\x1bc\xc3\xa9\\u202e", "fits in 16");
	n = text_clean(out, 15, in, strlen(in));
	CHECK(n == 15, "needed length reported when cut (%zu)", n);
	CHECK_STR(out, "ab\\x1bc\xc3\xa9", "the escape that does not fit "
	    "is left out whole");
	text_clean(out, 9, in, strlen(in));
	CHECK_STR(out, "ab\\x1bc", "the character that does not fit is "
	    "left out whole");
	text_clean(out, 5, in, strlen(in));
	CHECK_STR(out, "ab", "escape cut whole");
	text_clean(out, 1, in, strlen(in));
	CHECK_STR(out, "", "one byte: empty string");
	out[0] = 'x';
	n = text_clean(out, 0, in, strlen(in));
	CHECK(n == 15 && out[0] == 'x', "no room: nothing written");
	n = text_clean(out, sizeof(out), "\xe9\xe9\xe9\xe9", 4);
	CHECK(n == 16 && strcmp(out, "\\xe9\\xe9\\xe9") == 0,
	    "the fourth escape does not fit: %s", out);
}

/* Every byte value: the result is valid, visible and clean. */
static void
test_all_bytes(void)
{
	unsigned char	 in[256];
	char		*out, *again;
	size_t		 i;
	int		 visible = 1;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)i;
	out = text_cleandup(in, sizeof(in));
	CHECK(out != NULL, "every byte value cleaned");
	if (out == NULL)
		return;
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f ||
		    (unsigned char)out[i] >= 0x80)
			visible = 0;
	CHECK(visible, "no control and no byte above ASCII is left");
	again = text_cleandup(out, strlen(out));
	CHECK_STR(again, out, "cleaning again changes nothing");
	free(out);
	free(again);
}

int
main(void)
{
	test_cases();
	test_cut();
	test_all_bytes();
	return test_done();
}
