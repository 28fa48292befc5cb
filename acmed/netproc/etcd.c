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
 * netproc's etcd v3 client: etcd's gRPC JSON gateway (POST JSON to
 * /v3/kv/..., /v3/lease/..., /v3/watch) over HTTPS with a client
 * certificate, on the transport of http.c and the poll loop of ev.c.
 *
 * Every request is bounded: ETCD_TIMEOUT_MS each try, answers at most
 * ETCD_MAX_ANSWER bytes, keys and values ETCD_MAX_KEY, ETCD_MAX_VALUE.
 * One that gets no answer (no connection, TLS refused, a timeout) or a
 * 5xx goes once more to the next endpoint; the endpoint that answered
 * is the first tried next time.  A watch is a streamed answer, one JSON
 * object a line, with only a connect timeout.
 *
 * Callbacks never run from inside a call nor from inside libcurl: what
 * has ended is queued and handed over from a timer of the loop, so a
 * callback may start requests, cancel watches or free the client.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme.h"
#include "base64.h"
#include "buf.h"
#include "etcd.h"
#include "ev.h"
#include "http.h"

#define ETCD_CONNECT_MS		3000
#define ETCD_TIMEOUT_MS		5000
#define ETCD_LOW_SPEED_SECS	5
#define ETCD_TRIES		2
#define ETCD_MAX_URL		512

struct etcd_req {
	TAILQ_ENTRY(etcd_req)	 entry;
	struct etcd		*e;
	const char		*path;
	struct buf		 body;
	size_t			 ep;		/* endpoint of this try */
	int			 tries;
	struct http_xfer	*x;
	struct http_resp	 resp;
	struct etcd_result	 res;
	etcd_cb			*cb;
	void			*arg;
};

struct etcd_watch {
	TAILQ_ENTRY(etcd_watch)	 entry;
	struct etcd		*e;
	struct buf		 body;
	size_t			 ep;
	int			 tries;
	struct http_xfer	*x;
	struct http_resp	 resp;
	struct buf		 in;		/* received, not yet handled */
	int			 streaming;	/* a 2xx answer has begun */
	int			 ended;		/* no more will come */
	int			 dead;		/* cancelled: no callback */
	int64_t			 compact_rev;
	char			 err[256];
	etcd_watch_cb		*cb;
	void			*arg;
};

TAILQ_HEAD(etcd_reqs, etcd_req);

struct etcd {
	struct http		*h;
	char			*endpoints[ETCD_MAX_ENDPOINTS];
	size_t			 nendpoints;
	size_t			 cur;		/* the one that answered last */
	struct etcd_reqs	 reqs;		/* under way */
	struct etcd_reqs	 done;		/* ended, callback due */
	TAILQ_HEAD(, etcd_watch) watches;
	struct ev_timer		 timer;		/* runs the callbacks */
	int			 dispatching;
	int			 dying;		/* freed from a callback */
};

static void	etcd_dispatch(void *);

static void
etcd_kick(struct etcd *e)
{
	ev_timer_set(&e->timer, 0, etcd_dispatch, e);
}

/* A transport's failure, worth the next endpoint: no answer, or 5xx. */
static int
transport_failed(const struct http_resp *r)
{
	return r->code == 0 || r->code >= 500;
}

static int
url_of(struct etcd *e, size_t ep, const char *path, char *url)
{
	int	 n;

	n = snprintf(url, ETCD_MAX_URL, "%s%s", e->endpoints[ep], path);
	return n < 0 || n >= ETCD_MAX_URL ? -1 : 0;
}

/* err, prefixed with the endpoint it is about. */
static void
err_at(const char *endpoint, char *err, size_t errlen)
{
	char	 tmp[256];

	snprintf(tmp, sizeof(tmp), "%.100s: %.150s", endpoint, err);
	snprintf(err, errlen, "%s", tmp);
}

/* Why a request that was answered with other than 200 failed. */
static void
http_failure(const char *endpoint, const struct http_resp *resp, char *err,
    size_t errlen)
{
	struct etcd_result	 r;

	if (resp->code == 0) {
		snprintf(err, errlen, "%s", resp->error);
		return;
	}
	if (etcd_parse_answer(resp->body.data, resp->body.len, &r) == -1 &&
	    strncmp(r.err, "etcd: ", 6) == 0)
		snprintf(err, errlen, "%.100s: HTTP %ld: %.130s", endpoint,
		    resp->code, r.err);
	else
		snprintf(err, errlen, "%.100s: HTTP %ld", endpoint,
		    resp->code);
	etcd_result_free(&r);
}

/* --- requests --- */

static void	req_done(void *);

static void
req_free(struct etcd_req *r)
{
	http_cancel(r->x);
	buf_free(&r->body);
	http_resp_free(&r->resp);
	etcd_result_free(&r->res);
	free(r);
}

static int
req_try(struct etcd_req *r)
{
	struct http_opts	 o;
	char			 url[ETCD_MAX_URL];

	if (url_of(r->e, r->ep, r->path, url) == -1)
		return -1;
	memset(&o, 0, sizeof(o));
	o.content_type = "application/json";
	o.accept = "application/json";
	r->tries++;
	r->x = http_start_opts(r->e->h, HTTP_POST, url, r->body.data,
	    r->body.len, &o, &r->resp, req_done, r);
	return r->x == NULL ? -1 : 0;
}

static void
req_finish(struct etcd_req *r)
{
	struct etcd	*e = r->e;
	const char	*ep = e->endpoints[r->ep];

	if (r->resp.code == 200) {
		if (etcd_parse_answer(r->resp.body.data, r->resp.body.len,
		    &r->res) == -1)
			err_at(ep, r->res.err, sizeof(r->res.err));
	} else
		http_failure(ep, &r->resp, r->res.err, sizeof(r->res.err));
	if (!transport_failed(&r->resp))
		e->cur = r->ep;
	if (r->res.ttl < 0)
		r->res.ttl = 0;
	http_resp_free(&r->resp);
	TAILQ_REMOVE(&e->reqs, r, entry);
	TAILQ_INSERT_TAIL(&e->done, r, entry);
	etcd_kick(e);
}

static void
req_done(void *arg)
{
	struct etcd_req	*r = arg;
	struct etcd	*e = r->e;

	r->x = NULL;
	if (transport_failed(&r->resp) && r->tries < ETCD_TRIES &&
	    e->nendpoints > 1) {
		r->ep = (r->ep + 1) % e->nendpoints;
		if (req_try(r) == 0)
			return;
	}
	req_finish(r);
}

/* Starts a request whose body is b (taken, even on failure). */
static int
req_start(struct etcd *e, const char *path, struct buf *b, etcd_cb *cb,
    void *arg)
{
	struct etcd_req	*r;

	if (e == NULL || e->dying || cb == NULL ||
	    (r = calloc(1, sizeof(*r))) == NULL) {
		buf_free(b);
		return -1;
	}
	r->e = e;
	r->path = path;
	r->body = *b;
	r->ep = e->cur;
	r->cb = cb;
	r->arg = arg;
	http_resp_init(&r->resp);
	if (req_try(r) == -1) {
		req_free(r);
		return -1;
	}
	TAILQ_INSERT_TAIL(&e->reqs, r, entry);
	return 0;
}

/* --- request bodies --- */

/* "name":"base64 of len bytes" */
static int
add_b64(struct buf *b, const char *name, const void *p, size_t len)
{
	char	*s;
	int	 rc;

	if ((s = b64_std_encode(p, len)) == NULL)
		return -1;
	rc = buf_printf(b, "\"%s\":\"%s\"", name, s);
	free(s);
	return rc;
}

/*
 * "key" and, for a prefix, "range_end": the key with its last byte that
 * is not 0xff incremented (etcd's prefix rule); the empty prefix is
 * every key, from "\0" to "\0".
 */
static int
add_key(struct buf *b, const char *key, int prefix)
{
	char	 end[ETCD_MAX_KEY];
	size_t	 len = strlen(key);

	if (len > ETCD_MAX_KEY || (len == 0 && !prefix))
		return -1;
	if (len == 0)
		return add_b64(b, "key", "", 1) == -1 || buf_add_str(b, ",") ==
		    -1 ? -1 : add_b64(b, "range_end", "", 1);
	if (add_b64(b, "key", key, len) == -1)
		return -1;
	if (!prefix)
		return 0;
	memcpy(end, key, len);
	while (len > 0 && (unsigned char)end[len - 1] == 0xff)
		len--;
	if (len == 0)
		return buf_add_str(b, ",") == -1 ? -1 :
		    add_b64(b, "range_end", "", 1);
	end[len - 1]++;
	return buf_add_str(b, ",") == -1 ? -1 :
	    add_b64(b, "range_end", end, len);
}

static int
add_put(struct buf *b, const char *key, const void *val, size_t len,
    int64_t lease)
{
	if (val == NULL && len > 0)
		return -1;
	if (len > ETCD_MAX_VALUE || buf_add_str(b, "{") == -1 ||
	    add_key(b, key, 0) == -1 || buf_add_str(b, ",") == -1 ||
	    add_b64(b, "value", val != NULL ? val : "", len) == -1)
		return -1;
	if (lease != 0 && buf_printf(b, ",\"lease\":\"%lld\"",
	    (long long)lease) == -1)
		return -1;
	return buf_add_str(b, "}");
}

/* A txn's compare: create_revision(key) == rev. */
static int
add_compare(struct buf *b, const char *key, int64_t rev)
{
	if (buf_add_str(b, "{\"compare\":[{") == -1 ||
	    add_key(b, key, 0) == -1)
		return -1;
	return buf_printf(b, ",\"target\":\"CREATE\",\"result\":\"EQUAL\","
	    "\"create_revision\":\"%lld\"}],", (long long)rev);
}

static void
body_init(struct buf *b)
{
	buf_init(b, ETCD_MAX_ANSWER);
}

/* A call whose body is the key or prefix alone. */
static int
key_call(struct etcd *e, const char *path, const char *key, int prefix,
    etcd_cb *cb, void *arg)
{
	struct buf	 b;

	body_init(&b);
	if (buf_add_str(&b, "{") == -1 || add_key(&b, key, prefix) == -1 ||
	    buf_add_str(&b, "}") == -1) {
		buf_free(&b);
		return -1;
	}
	return req_start(e, path, &b, cb, arg);
}

int
etcd_range(struct etcd *e, const char *key, int prefix, etcd_cb *cb,
    void *arg)
{
	return key_call(e, "/v3/kv/range", key, prefix, cb, arg);
}

int
etcd_put(struct etcd *e, const char *key, const void *val, size_t len,
    int64_t lease, etcd_cb *cb, void *arg)
{
	struct buf	 b;

	body_init(&b);
	if (add_put(&b, key, val, len, lease) == -1) {
		buf_free(&b);
		return -1;
	}
	return req_start(e, "/v3/kv/put", &b, cb, arg);
}

int
etcd_create(struct etcd *e, const char *key, const void *val, size_t len,
    int64_t lease, etcd_cb *cb, void *arg)
{
	struct buf	 b;

	body_init(&b);
	if (add_compare(&b, key, 0) == -1 ||
	    buf_add_str(&b, "\"success\":[{\"request_put\":") == -1 ||
	    add_put(&b, key, val, len, lease) == -1 ||
	    buf_add_str(&b, "}],\"failure\":[{\"request_range\":{") == -1 ||
	    add_key(&b, key, 0) == -1 || buf_add_str(&b, "}}]}") == -1) {
		buf_free(&b);
		return -1;
	}
	return req_start(e, "/v3/kv/txn", &b, cb, arg);
}

int
etcd_put_fenced(struct etcd *e, const char *lock, int64_t fence,
    const char *key, const void *val, size_t len, int64_t lease,
    etcd_cb *cb, void *arg)
{
	struct buf	 b;

	body_init(&b);
	if (fence <= 0 || add_compare(&b, lock, fence) == -1 ||
	    buf_add_str(&b, "\"success\":[{\"request_put\":") == -1 ||
	    add_put(&b, key, val, len, lease) == -1 ||
	    buf_add_str(&b, "}]}") == -1) {
		buf_free(&b);
		return -1;
	}
	return req_start(e, "/v3/kv/txn", &b, cb, arg);
}

int
etcd_delete(struct etcd *e, const char *key, int prefix, etcd_cb *cb,
    void *arg)
{
	return key_call(e, "/v3/kv/deleterange", key, prefix, cb, arg);
}

int
etcd_delete_fenced(struct etcd *e, const char *lock, int64_t fence,
    const char *key, int prefix, etcd_cb *cb, void *arg)
{
	struct buf	 b;

	body_init(&b);
	if (fence <= 0 || add_compare(&b, lock, fence) == -1 ||
	    buf_add_str(&b, "\"success\":[{\"request_delete_range\":{") ==
	    -1 || add_key(&b, key, prefix) == -1 ||
	    buf_add_str(&b, "}}]}") == -1) {
		buf_free(&b);
		return -1;
	}
	return req_start(e, "/v3/kv/txn", &b, cb, arg);
}

/* A lease call: {"name":"n"} to path. */
static int
lease_call(struct etcd *e, const char *path, const char *name, int64_t n,
    etcd_cb *cb, void *arg)
{
	struct buf	 b;

	body_init(&b);
	if (n <= 0 || buf_printf(&b, "{\"%s\":\"%lld\"}", name,
	    (long long)n) == -1) {
		buf_free(&b);
		return -1;
	}
	return req_start(e, path, &b, cb, arg);
}

int
etcd_lease_grant(struct etcd *e, int64_t ttl, etcd_cb *cb, void *arg)
{
	return lease_call(e, "/v3/lease/grant", "TTL", ttl, cb, arg);
}

int
etcd_lease_keepalive(struct etcd *e, int64_t lease, etcd_cb *cb, void *arg)
{
	return lease_call(e, "/v3/lease/keepalive", "ID", lease, cb, arg);
}

int
etcd_lease_revoke(struct etcd *e, int64_t lease, etcd_cb *cb, void *arg)
{
	return lease_call(e, "/v3/lease/revoke", "ID", lease, cb, arg);
}

/* --- watches --- */

static void	watch_done(void *);

/* From inside libcurl: kept for the loop, bounded. */
static int
watch_stream(const char *p, size_t n, void *arg)
{
	struct etcd_watch	*w = arg;

	w->streaming = 1;
	if (buf_add(&w->in, p, n) == -1) {
		snprintf(w->err, sizeof(w->err), "%.100s: watch: more than %d "
		    "bytes unread (a line too long)", w->e->endpoints[w->ep],
		    ETCD_MAX_ANSWER);
		return -1;
	}
	etcd_kick(w->e);
	return 0;
}

static int
watch_try(struct etcd_watch *w)
{
	struct http_opts	 o;
	char			 url[ETCD_MAX_URL];

	if (url_of(w->e, w->ep, "/v3/watch", url) == -1)
		return -1;
	memset(&o, 0, sizeof(o));
	o.content_type = "application/json";
	o.stream = watch_stream;
	o.stream_arg = w;
	w->tries++;
	w->x = http_start_opts(w->e->h, HTTP_POST, url, w->body.data,
	    w->body.len, &o, &w->resp, watch_done, w);
	return w->x == NULL ? -1 : 0;
}

static void
watch_done(void *arg)
{
	struct etcd_watch	*w = arg;
	struct etcd		*e = w->e;
	const char		*ep = e->endpoints[w->ep];

	w->x = NULL;
	if (!w->streaming && transport_failed(&w->resp) &&
	    w->tries < ETCD_TRIES && e->nendpoints > 1) {
		w->ep = (w->ep + 1) % e->nendpoints;
		if (watch_try(w) == 0)
			return;
	}
	if (!transport_failed(&w->resp))
		e->cur = w->ep;
	/* A stream cut short has no status (code 0), only its error. */
	if (w->err[0] != '\0')
		;
	else if (w->resp.code != 200 || !w->streaming)
		http_failure(ep, &w->resp, w->err, sizeof(w->err));
	else
		snprintf(w->err, sizeof(w->err), "%.100s: the watch's stream "
		    "ended", ep);
	w->ended = 1;
	etcd_kick(e);
}

struct etcd_watch *
etcd_watch(struct etcd *e, const char *prefix, int64_t from_rev,
    etcd_watch_cb *cb, void *arg)
{
	struct etcd_watch	*w;

	if (e == NULL || e->dying || cb == NULL || from_rev < 0 ||
	    (w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->e = e;
	w->ep = e->cur;
	w->cb = cb;
	w->arg = arg;
	body_init(&w->body);
	buf_init(&w->in, ETCD_MAX_ANSWER);
	http_resp_init(&w->resp);
	if (buf_add_str(&w->body, "{\"create_request\":{") == -1 ||
	    add_key(&w->body, prefix, 1) == -1 ||
	    (from_rev > 0 && buf_printf(&w->body, ",\"start_revision\":"
	    "\"%lld\"", (long long)from_rev) == -1) ||
	    buf_add_str(&w->body, "}}") == -1 || watch_try(w) == -1) {
		buf_free(&w->body);
		buf_free(&w->in);
		http_resp_free(&w->resp);
		free(w);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&e->watches, w, entry);
	return w;
}

static void
watch_free(struct etcd_watch *w)
{
	TAILQ_REMOVE(&w->e->watches, w, entry);
	http_cancel(w->x);
	buf_free(&w->body);
	buf_free(&w->in);
	http_resp_free(&w->resp);
	free(w);
}

void
etcd_watch_cancel(struct etcd_watch *w)
{
	if (w == NULL)
		return;
	if (w->e->dispatching) {
		/* Freed when the callbacks are over. */
		http_cancel(w->x);
		w->x = NULL;
		w->dead = 1;
		return;
	}
	watch_free(w);
}

/* The watch stops with err; what was received after is dropped. */
static void
watch_end(struct etcd_watch *w, const char *err, int64_t compact_rev)
{
	http_cancel(w->x);
	w->x = NULL;
	w->ended = 1;
	w->compact_rev = compact_rev;
	snprintf(w->err, sizeof(w->err), "%s", err);
	err_at(w->e->endpoints[w->ep], w->err, sizeof(w->err));
	buf_reset(&w->in);
}

/* One line of the stream, its events handed over; -1 if it ended it. */
static int
watch_line(struct etcd_watch *w, const char *p, size_t len)
{
	struct etcd_watch_msg	 m;
	struct etcd		*e = w->e;
	size_t			 i;

	if (etcd_parse_watch(p, len, &m) == -1) {
		watch_end(w, m.err, 0);
		return -1;
	}
	for (i = 0; i < m.nevents && !w->dead && !e->dying; i++)
		w->cb(w->arg, &m.events[i], m.events[i].kv.mod_rev, NULL);
	if (m.canceled && !w->dead && !e->dying) {
		watch_end(w, m.err, m.compact_rev);
		etcd_watch_msg_free(&m);
		return -1;
	}
	etcd_watch_msg_free(&m);
	return 0;
}

/* The whole lines received; the rest waits for more. */
static void
watch_run(struct etcd_watch *w)
{
	struct etcd	*e = w->e;
	const char	*nl;
	size_t		 off = 0, n;

	while (!w->dead && !e->dying && off < w->in.len &&
	    (nl = memchr(w->in.data + off, '\n', w->in.len - off)) != NULL) {
		n = nl - (const char *)w->in.data - off;
		if (n > 0 && !(n == 1 && w->in.data[off] == '\r') &&
		    watch_line(w, (const char *)w->in.data + off, n) == -1) {
			off = 0;	/* the rest was dropped */
			break;
		}
		off += n + 1;
	}
	if (off > 0 && !w->dead && !e->dying) {
		memmove(w->in.data, w->in.data + off, w->in.len - off);
		w->in.len -= off;
	}
	if (w->ended && !w->dead && !e->dying) {
		w->dead = 1;
		w->cb(w->arg, NULL, w->compact_rev, w->err);
	}
}

/* --- the client --- */

static void
etcd_release(struct etcd *e)
{
	struct etcd_req		*r;
	struct etcd_watch	*w;
	size_t			 i;

	while ((r = TAILQ_FIRST(&e->reqs)) != NULL) {
		TAILQ_REMOVE(&e->reqs, r, entry);
		req_free(r);
	}
	while ((r = TAILQ_FIRST(&e->done)) != NULL) {
		TAILQ_REMOVE(&e->done, r, entry);
		req_free(r);
	}
	while ((w = TAILQ_FIRST(&e->watches)) != NULL)
		watch_free(w);
	ev_timer_stop(&e->timer);
	http_free(e->h);
	for (i = 0; i < e->nendpoints; i++)
		free(e->endpoints[i]);
	free(e);
}

/* The loop's turn: every callback that is due. */
static void
etcd_dispatch(void *arg)
{
	struct etcd		*e = arg;
	struct etcd_req		*r;
	struct etcd_watch	*w, *next;

	e->dispatching = 1;
	while (!e->dying && (r = TAILQ_FIRST(&e->done)) != NULL) {
		TAILQ_REMOVE(&e->done, r, entry);
		r->cb(r->arg, &r->res);
		req_free(r);
	}
	TAILQ_FOREACH(w, &e->watches, entry) {
		if (e->dying)
			break;
		if (!w->dead)
			watch_run(w);
	}
	e->dispatching = 0;
	if (e->dying) {
		etcd_release(e);
		return;
	}
	for (w = TAILQ_FIRST(&e->watches); w != NULL; w = next) {
		next = TAILQ_NEXT(w, entry);
		if (w->dead)
			watch_free(w);
	}
}

void
etcd_free(struct etcd *e)
{
	struct etcd_req		*r;
	struct etcd_watch	*w;

	if (e == NULL)
		return;
	if (e->dispatching) {
		/* Released when the callbacks are over; nothing more runs. */
		e->dying = 1;
		TAILQ_FOREACH(r, &e->reqs, entry) {
			http_cancel(r->x);
			r->x = NULL;
		}
		TAILQ_FOREACH(w, &e->watches, entry) {
			http_cancel(w->x);
			w->x = NULL;
		}
		return;
	}
	etcd_release(e);
}

static int
endpoint_add(struct etcd *e, const char *s, char *err, size_t errlen)
{
	size_t	 len = strlen(s);

	if (strncmp(s, "https://", 8) != 0 || len <= 8 ||
	    len >= ETCD_MAX_URL - 32) {
		snprintf(err, errlen, "etcd endpoint %.100s: not an https URL "
		    "shorter than %d bytes", s, ETCD_MAX_URL - 32);
		return -1;
	}
	while (len > 8 && s[len - 1] == '/')
		len--;
	if ((e->endpoints[e->nendpoints] = strndup(s, len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	e->nendpoints++;
	return 0;
}

/*
 * A client of the etcd cluster at endpoints ("https://host:port"), which
 * trusts the CA certificates ca_pem only and presents cert_pem with
 * key_pem (none if cert_len is 0).  NULL with the reason in err.
 */
struct etcd *
etcd_new(const char *const *endpoints, size_t nendpoints, const char *ca_pem,
    size_t ca_len, const char *cert_pem, size_t cert_len, const char *key_pem,
    size_t key_len, char *err, size_t errlen)
{
	struct etcd	*e;
	size_t		 i;

	if (nendpoints == 0 || nendpoints > ETCD_MAX_ENDPOINTS) {
		snprintf(err, errlen, "etcd: 1 to %d endpoints, not %zu",
		    ETCD_MAX_ENDPOINTS, nendpoints);
		return NULL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	TAILQ_INIT(&e->reqs);
	TAILQ_INIT(&e->done);
	TAILQ_INIT(&e->watches);
	for (i = 0; i < nendpoints; i++)
		if (endpoint_add(e, endpoints[i], err, errlen) == -1)
			goto fail;
	if ((e->h = http_new(ca_pem, ca_len, "acmed")) == NULL) {
		snprintf(err, errlen, "etcd: the CA certificates are unusable");
		goto fail;
	}
	if (cert_len > 0 && http_set_client_cert(e->h, cert_pem, cert_len,
	    key_pem, key_len) == -1) {
		snprintf(err, errlen, "etcd: no client key, or out of memory");
		goto fail;
	}
	http_set_timeouts(e->h, ETCD_CONNECT_MS, ETCD_TIMEOUT_MS,
	    ETCD_LOW_SPEED_SECS);
	return e;
 fail:
	etcd_release(e);
	return NULL;
}
