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
 * The fleet (fleet.c): the nodes of one cluster block share their
 * certificates through etcd.  An order goes through fleet_issue() before
 * it is queued, and through fleet_end() when it ends.
 */
#ifndef ACMED_FLEET_H
#define ACMED_FLEET_H

#include "netproc.h"

#define FLEET_LEASE_TTL		10	/* s: a node silent that long is gone */
#define FLEET_KEEP_MS		3000	/* the lease kept alive that often */
#define FLEET_LEASE_WAIT	10	/* s an order waits for etcd */
#define FLEET_ACK_WAIT		15	/* s for every node to serve an answer */
#define FLEET_POLL_MS		200
#define FLEET_SETTLE_MS		3000	/* a node starting orders after */

void	 fleet_begin(const struct np_cluster *);
int	 fleet_on(void);
void	 fleet_issue(struct np_op *);
void	 fleet_end(struct acme_op *, acme_fn);
void	 fleet_order_url(struct acme_op *, const char *);
void	 fleet_share(struct acme_op *, int, const char *, const char *,
	    acme_fn);
void	 fleet_csr_gate(struct acme_op *, acme_fn);

#endif
