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
 * challenged's tls-alpn-01 listeners: TLS handshakes only, from a fixed
 * table of connections served from the same poll loop as http-01.
 */
#ifndef ACMED_TLSSRV_H
#define ACMED_TLSSRV_H

#include <poll.h>
#include <stdint.h>

#define TLSSRV_CONN_MAX		256	/* handshakes at once */
#define TLSSRV_LISTEN_MAX	16	/* listening sockets */
#define TLSSRV_PFD_MAX		(TLSSRV_CONN_MAX + TLSSRV_LISTEN_MAX)
#define TLSSRV_HANDSHAKE_MS	10000	/* to finish a whole handshake */
#define TLSSRV_LINGER_MS	2000	/* to read what follows the end */

struct tlssrv;
struct alpntab;

struct tlssrv	*tlssrv_new(const int *, int, struct alpntab *);
void		 tlssrv_free(struct tlssrv *);
int		 tlssrv_pollfds(struct tlssrv *, struct pollfd *, int,
		    int64_t, int *);
void		 tlssrv_events(struct tlssrv *, const struct pollfd *, int,
		    int64_t);
int		 tlssrv_answers(struct tlssrv *, uint64_t *);

#endif
