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
 * The parsers of etcd's answers (acmed/netproc/etcd_parse.c) on hostile
 * bytes.  The first input byte picks the parser (an answer, or a watch's
 * line); the rest is the document.  Whatever was parsed is checked
 * against the bounds it promises and freed, so leaks, over-reads and a
 * value without its NUL show up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acmed/netproc/etcd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_kv(const struct etcd_kv *kv)
{
	if (kv->key == NULL || kv->value == NULL || kv->key[0] == '\0' ||
	    strlen(kv->key) > ETCD_MAX_KEY || kv->valuelen > ETCD_MAX_VALUE ||
	    kv->value[kv->valuelen] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct etcd_result	 r;
	struct etcd_watch_msg	 m;
	size_t			 i;

	if (size < 1)
		return 0;
	data++;
	size--;
	if (data[-1] % 2 == 0) {
		if (etcd_parse_answer(data, size, &r) == 0) {
			if (!r.ok || r.err[0] != '\0')
				abort();
			for (i = 0; i < r.nkvs; i++)
				check_kv(&r.kvs[i]);
			etcd_result_free(&r);
		} else if (r.ok || r.kvs != NULL || r.err[0] == '\0')
			abort();
	} else {
		if (etcd_parse_watch(data, size, &m) == 0) {
			for (i = 0; i < m.nevents; i++) {
				if (m.events[i].type != ETCD_PUT &&
				    m.events[i].type != ETCD_DELETE)
					abort();
				check_kv(&m.events[i].kv);
			}
			etcd_watch_msg_free(&m);
		} else if (m.events != NULL || m.err[0] == '\0')
			abort();
	}
	return 0;
}
