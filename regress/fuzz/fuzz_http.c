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
 * libFuzzer target: challenged's request parser, fed as challenged feeds
 * it (a buffer of HTTP_HEAD_MAX bytes, requests taken off the front as
 * they complete), once with everything at once and once in small pieces.
 * Besides what ASan and UBSan catch, it checks that both ways reach the
 * same verdicts, that every parsed request lies inside the buffer and
 * names a well-formed token, and that every answer fits its buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "challenged/http.h"
#include "challenged/token.h"

#define MAXRES	64

struct verdicts {
	int	 n;
	long	 v[MAXRES];
};

static void
record(struct verdicts *vs, long v)
{
	if (vs->n < MAXRES)
		vs->v[vs->n++] = v;
}

static void
check_req(const char *buf, size_t len, const struct http_req *req)
{
	if (req->headlen == 0 || req->headlen > len ||
	    req->headlen > HTTP_HEAD_MAX)
		__builtin_trap();
	if (req->method >= HTTP_M_MAX || req->target >= HTTP_T_MAX)
		__builtin_trap();
	if (req->target == HTTP_T_TOKEN) {
		if (req->token < buf ||
		    req->token + req->toklen > buf + req->headlen ||
		    !http_token_valid(req->token, req->toklen))
			__builtin_trap();
	}
}

/* Feeds data chunk bytes at a time; records every verdict. */
static void
run(const uint8_t *data, size_t size, size_t chunk, struct verdicts *vs)
{
	static char		 buf[HTTP_HEAD_MAX];
	struct http_parser	 p;
	struct http_req		 req;
	char			 out[HTTP_RESP_MAX];
	size_t			 len = 0, pos = 0, take, n;
	int			 r;

	memset(vs, 0, sizeof(*vs));
	http_parser_init(&p);
	for (;;) {
		take = size - pos;
		if (take > chunk)
			take = chunk;
		if (take > sizeof(buf) - len)
			take = sizeof(buf) - len;
		memcpy(buf + len, data + pos, take);
		len += take;
		pos += take;
		for (;;) {
			memset(&req, 0, sizeof(req));
			r = http_parse(&p, buf, len, &req);
			if (r == HTTP_MORE)
				break;
			if (r != HTTP_DONE) {
				if (r < 400 || r > 599)
					__builtin_trap();
				record(vs, r);
				return;
			}
			check_req(buf, len, &req);
			record(vs, (long)req.headlen << 16 |
			    req.method << 12 | req.target << 8 |
			    req.keepalive << 4 | (long)req.toklen << 24);
			n = http_response(out, sizeof(out), 200,
			    req.method == HTTP_M_HEAD, req.keepalive,
			    "text/plain", buf, req.headlen < HTTP_KEYAUTH_MAX ?
			    req.headlen : HTTP_KEYAUTH_MAX,
			    "Thu, 01 Jan 1970 00:00:00 GMT");
			if (n == 0 || n > sizeof(out))
				__builtin_trap();
			memmove(buf, buf + req.headlen, len - req.headlen);
			len -= req.headlen;
		}
		if (pos == size)
			return;
		if (take == 0)
			__builtin_trap();	/* a full buffer must be refused */
	}
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct toktab	*t;
	struct verdicts		 whole, pieces;
	const char		*ka;
	size_t			 chunk, half, kalen;

	if (size == 0)
		return 0;
	chunk = data[0] % 17 + 1;
	run(data + 1, size - 1, SIZE_MAX, &whole);
	run(data + 1, size - 1, chunk, &pieces);
	if (whole.n != pieces.n ||
	    memcmp(whole.v, pieces.v, whole.n * sizeof(whole.v[0])) != 0)
		__builtin_trap();

	/* The table takes only what it can serve, and gives it back. */
	if (t == NULL && (t = toktab_new(64)) == NULL)
		abort();
	half = (size - 1) / 2;
	if (toktab_add(t, (const char *)data + 1, half,
	    (const char *)data + 1 + half, size - 1 - half) == 0) {
		if (!http_token_valid((const char *)data + 1, half) ||
		    (ka = toktab_get(t, (const char *)data + 1, half,
		    &kalen)) == NULL || kalen != size - 1 - half ||
		    memcmp(ka, data + 1 + half, kalen) != 0)
			__builtin_trap();
		if (toktab_del(t, (const char *)data + 1, half) == -1)
			__builtin_trap();
	}
	return 0;
}
