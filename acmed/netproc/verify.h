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
 * The deployment check netproc makes for the parent: does an endpoint
 * present the certificate that was just installed?
 */
#ifndef ACMED_VERIFY_H
#define ACMED_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

#define VERIFY_TIMEOUT_MS	5000	/* resolve, connect and handshake */
#define VERIFY_HOST_MAX		MSG_NAME_MAX
#define VERIFY_DER_MAX		MSG_CERT_DER_MAX
#define VERIFY_DETAIL_MAX	512

struct buf;
struct imsg;

void	verify_run(const char *, int, const char *, const uint8_t *, size_t,
	    int, void (*)(void *, int, const char *), void *);
void	verify_request_start(const struct imsg *,
	    void (*)(void *, const struct buf *), void *);
int	verify_endpoint(const char *, int, const char *, const uint8_t *,
	    size_t, int, char *, size_t);
void	verify_request(const struct imsg *, struct buf *);

#endif
