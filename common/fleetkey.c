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
 * The fleet key file's one form: standard base64 (RFC 4648 section 4,
 * '+' and '/', padded with '=') of exactly FLEET_KEY_LEN bytes, and an
 * optional newline after it; nothing else, so that a key copied with a
 * byte too many or too few is named as such rather than used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "fleetkey.h"

/*
 * Decodes a fleet key file's text (len bytes at text, no NUL needed)
 * into key: 0, or -1 with the reason in err ("not base64", "decodes to
 * N bytes, not 32"), which never quotes the text: it is a secret.  key
 * is written only on success.
 */
int
fleet_key_decode(const char *text, size_t len,
    unsigned char key[FLEET_KEY_LEN], char *err, size_t errlen)
{
	unsigned char	*raw;
	size_t		 n;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == 0) {
		snprintf(err, errlen, "empty");
		return -1;
	}
	if (memchr(text, '\n', len) != NULL) {
		snprintf(err, errlen, "not base64: more than one line");
		return -1;
	}
	if (b64_std_decode(text, len, &raw, &n) == -1) {
		snprintf(err, errlen, "not base64 (A-Z, a-z, 0-9, '+' and '/', "
		    "padded with '=' to a multiple of 4 characters)");
		return -1;
	}
	if (n == FLEET_KEY_LEN)
		memcpy(key, raw, FLEET_KEY_LEN);
	else
		snprintf(err, errlen, "decodes to %zu bytes, not %d", n,
		    FLEET_KEY_LEN);
	freezero(raw, n);
	return n == FLEET_KEY_LEN ? 0 : -1;
}
