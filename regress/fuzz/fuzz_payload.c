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
 * keyproc's reading of what netproc asks it to sign, on hostile bytes:
 * a payload read as JSON, or a URL reduced to its origin.  The first
 * input byte picks which; the rest is the payload or the URL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyproc/payload.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct payload	 pl;
	char		 err[256], origin[300], *s;

	if (size < 1)
		return 0;
	data++;
	size--;
	if (data[-1] & 1) {
		if (payload_read(data, size, &pl, err, sizeof(err)) == 0)
			payload_free(&pl);
	} else if ((s = strndup((const char *)data, size)) != NULL) {
		(void)url_origin(s, origin, sizeof(origin));
		free(s);
	}
	return 0;
}
