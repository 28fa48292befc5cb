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
 * netproc's own declarations: its channels, the authorities as it holds
 * them (each with its orders waiting and under way), and the peers
 * (keyproc signs, challenged serves) that the protocol reaches through
 * struct acme_io.
 */
#ifndef ACMED_NETPROC_H
#define ACMED_NETPROC_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "acme_op.h"
#include "ev.h"
#include "msg.h"

#define NETPROC_CA_MAX		(4 * 1024 * 1024)

struct buf;
struct imsg;
struct imsgchan;

/* A channel to a peer, read and written by the poll loop. */
struct np_chan {
	struct imsgchan	*c;
	const char	*name;
	void		(*dispatch)(struct imsg *);
	int		 held;		/* what was read waits */
};

/* An operation as netproc runs it: the protocol's, and its waits. */
struct np_op {
	struct acme_op		 op;
	struct ev_timer		 timer;
	acme_fn			 timer_fn;
	acme_fn			 http_fn;
	const char		*endpoint;	/* of the request under way */
	acme_fn			 peer_fn;
	uint32_t		 peer_id;	/* the request keyproc or */
	uint32_t		 peer_type;	/*   challenged answers */
	time_t			 dns_until;	/* the records' wait ends */
	TAILQ_ENTRY(np_op)	 entry;		/* queued, or with a peer */

	/* an order of a cluster's (fleet.c) */
	char			*handle;	/* the domain block's name */
	int64_t			 fence;		/* its lock's revision, 0: none */
	acme_fn			 fleet_then;
	time_t			 fleet_until;	/* a wait's end */
	char			*thumb;		/* the account key's */
	char			*shared[ACME_MAX_AUTHZ];	/* answers put */
	size_t			 nshared;
	char			*ack_prefix;	/* the answer confirmed now */
	char			*share_what;	/*   its token or identifier */
	int			 share_alpn;
	char			*nodes;		/* the nodes alive, "\n" each */
	acme_fn			 pub_fn;	/* peers.c: what waits on the */
	uint32_t		 pub_type;	/*   answer shared, or on the */
	char			*pub_what;	/*   CSR's gate */
	char			*pub_keyauth;
};

TAILQ_HEAD(np_ops, np_op);

struct np_authority {
	struct acme_authority	 a;
	uint32_t		 max_orders;
	uint32_t		 running;	/* orders under way */
	struct np_ops		 queued;	/* soonest deadline first */
	int			 fleet_acct;	/* enum in fleet.c */
	struct np_op		*fleet_check;	/* its account's, at start */
	struct np_authority	*next;
};

/*
 * The cluster block as the parent sent it (MSG_CLUSTER): this node, the
 * prefix of the fleet's keys and how to reach etcd.  The client key is
 * the one private key netproc holds, for TLS to etcd only.
 */
struct np_cluster {
	char		*node, *prefix;
	char		*endpoints[MSG_ETCD_COUNT];
	size_t		 nendpoints;
	char		*ca;		/* PEM, NUL-terminated */
	size_t		 ca_len;
	char		*cert;
	size_t		 cert_len;
	char		*key;
	size_t		 key_len;
};

/* netproc.c */
extern struct np_chan	 np_parent, np_keyproc, np_chald;
extern struct np_cluster *np_cluster;	/* NULL without a cluster block */
extern struct np_authority *np_authorities;
int	 np_send(struct np_chan *, uint32_t, uint32_t, const struct buf *);
void	 np_op_free(struct np_op *);
void	 np_issue_go(struct np_op *);
void	 np_issue_declined(struct np_op *);

/* peers.c: keyproc and challenged, many requests under way */
extern const struct acme_io	 np_io;
void	 peers_dispatch_keyproc(struct imsg *);
void	 peers_dispatch_chald(struct imsg *);
void	 peers_dns_result(struct imsg *);
void	 peers_seal(struct acme_op *, uint32_t, uint32_t, const char *,
	    acme_fn);

/* dnscheck.c: whether every server of the zones serves the records */
typedef void	(*dnscheck_fn)(struct acme_op *, int, const char *);
void	 dnscheck(struct acme_op *, dnscheck_fn);
int	 dnscheck_parse(const unsigned char *, size_t, const char *);

#endif
