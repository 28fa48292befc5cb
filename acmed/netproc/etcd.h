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
 * netproc's etcd v3 client (etcd.c) over etcd's JSON gateway, mutual
 * TLS, on the HTTPS transport (http.c) and the poll loop (ev.c); and the
 * parsers of its answers (etcd_parse.c), which touch no network.
 */
#ifndef ACMED_ETCD_H
#define ACMED_ETCD_H

#include <stddef.h>
#include <stdint.h>

#define ETCD_PUT	0
#define ETCD_DELETE	1

#define ETCD_MAX_KEY	(8 * 1024)	/* a key's bytes, decoded */
#define ETCD_MAX_VALUE	(512 * 1024)	/* a value's bytes, decoded */
#define ETCD_MAX_ANSWER	(1024 * 1024)	/* an answer, or a watch's line */
#define ETCD_MAX_ENDPOINTS 16

struct etcd_kv {
	char		*key;
	char		*value;		/* NUL-terminated after valuelen */
	size_t		 valuelen;
	int64_t		 create_rev, mod_rev, version, lease;
};

struct etcd_result {
	int		 ok;		/* 1: etcd answered 200 and no error */
	int		 succeeded;	/* a txn's compare held */
	int64_t		 revision;	/* the store's, in the header */
	int64_t		 lease;		/* lease grant: the id */
	int64_t		 ttl;		/* lease grant, keepalive: s; 0 gone */
	struct etcd_kv	*kvs;		/* range; etcd_create failed: the */
	size_t		 nkvs;		/* existing kv; freed after the cb */
	char		 err[256];	/* "" or why */
};

typedef void etcd_cb(void *, const struct etcd_result *);

struct etcd_event {
	int		 type;		/* ETCD_PUT or ETCD_DELETE */
	struct etcd_kv	 kv;
};

/*
 * A watch's function: once for each event (revision: the event's, its
 * kv's mod revision; err NULL); ev NULL: the watch ended, err says why,
 * and revision > 0 is the compaction revision when the start revision
 * was compacted (restart from a fresh range).  After that last call the
 * watch is gone: etcd_watch_cancel() is for a watch that has not ended.
 */
typedef void etcd_watch_cb(void *, const struct etcd_event *, int64_t,
    const char *);

struct etcd;
struct etcd_watch;

/*
 * Every int function returns 0 when the request started, and then its
 * callback runs exactly once, from the poll loop, never from inside the
 * call; -1 if it did not start (an empty key or one over ETCD_MAX_KEY, a
 * value over ETCD_MAX_VALUE, a fence, TTL or lease id not above 0, out
 * of memory), and no callback runs.  prefix: every key that starts with
 * key ("" is every key).  etcd_create: a txn that puts if the key's
 * create revision is 0 (the new key's create revision is then
 * result.revision), else ranges it (succeeded 0, kvs the existing kv).
 * *_fenced: a txn that acts only if lock's create revision is fence
 * (succeeded 0 otherwise).  etcd_free() and etcd_watch_cancel() may be
 * called from callbacks; no callback of what they end runs after.
 */

struct etcd	*etcd_new(const char *const *, size_t, const char *, size_t,
		    const char *, size_t, const char *, size_t, char *,
		    size_t);
void		 etcd_free(struct etcd *);
int		 etcd_range(struct etcd *, const char *, int, etcd_cb *,
		    void *);
int		 etcd_put(struct etcd *, const char *, const void *, size_t,
		    int64_t, etcd_cb *, void *);
int		 etcd_create(struct etcd *, const char *, const void *,
		    size_t, int64_t, etcd_cb *, void *);
int		 etcd_put_fenced(struct etcd *, const char *, int64_t,
		    const char *, const void *, size_t, int64_t, etcd_cb *,
		    void *);
int		 etcd_delete(struct etcd *, const char *, int, etcd_cb *,
		    void *);
int		 etcd_delete_fenced(struct etcd *, const char *, int64_t,
		    const char *, int, etcd_cb *, void *);
int		 etcd_lease_grant(struct etcd *, int64_t, etcd_cb *, void *);
int		 etcd_lease_keepalive(struct etcd *, int64_t, etcd_cb *,
		    void *);
int		 etcd_lease_revoke(struct etcd *, int64_t, etcd_cb *, void *);
struct etcd_watch *etcd_watch(struct etcd *, const char *, int64_t,
		    etcd_watch_cb *, void *);
void		 etcd_watch_cancel(struct etcd_watch *);

/* etcd_parse.c */

/* One line of a watch's stream. */
struct etcd_watch_msg {
	int64_t			 revision;	/* the header's */
	int			 created;
	int			 canceled;
	int64_t			 compact_rev;
	struct etcd_event	*events;
	size_t			 nevents;
	char			 err[256];	/* canceled: etcd's reason */
};

int	 etcd_parse_answer(const void *, size_t, struct etcd_result *);
void	 etcd_result_free(struct etcd_result *);
int	 etcd_parse_watch(const void *, size_t, struct etcd_watch_msg *);
void	 etcd_watch_msg_free(struct etcd_watch_msg *);

#endif
