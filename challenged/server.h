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
 * The connections of challenged: a fixed table served from one poll loop.
 */
#ifndef ACMED_SERVER_H
#define ACMED_SERVER_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define SERVER_CONN_MAX		512	/* connections at once */
#define SERVER_LISTEN_MAX	32	/* listening sockets */
#define SERVER_PFD_MAX		(SERVER_CONN_MAX + SERVER_LISTEN_MAX)
#define SERVER_REQ_MS		10000	/* to send a whole request head */
#define SERVER_IDLE_MS		5000	/* between requests */
#define SERVER_WRITE_MS		10000	/* to take an answer */
#define SERVER_LINGER_MS	2000	/* to read what follows a last answer */
#define SERVER_ACCEPT_BURST	64	/* accepts per listener and poll round */
#define SERVER_ADDR_MAX		(46 + 8)	/* "[v6 address]:port" */

struct server;
struct toktab;

struct server	*server_new(const int *, int, struct toktab *);
void		 server_free(struct server *);
int		 server_pollfds(struct server *, struct pollfd *, int,
		    int64_t, int *);
void		 server_events(struct server *, const struct pollfd *, int,
		    int64_t);
int64_t		 server_now(void);
int		 server_answers(struct server *, uint64_t *);
int		 server_marker(const char *);
int		 server_take(int, int64_t, int64_t *, char *, size_t);

#endif
