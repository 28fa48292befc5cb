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
 * The answers of etcd's JSON gateway (grpc-gateway, proto3 JSON names):
 * every int64 a JSON string (a number is taken too), keys and values
 * standard base64, fields with their zero value left out.  Pure
 * parsing: no network, so it can be fuzzed and tested alone.  Whatever
 * the document, the result is bounded (ETCD_MAX_*) and either whole or
 * refused with the reason.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "etcd.h"
#include "json.h"

/* A string's text, or NULL if v is no string. */
static const char *
str_of(yajl_val v)
{
	return v != NULL && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

/* An int64 field: absent is 0; -1 if not an integer. */
static int
get_i64(yajl_val obj, const char *name, int64_t *out, char *err,
    size_t errlen)
{
	yajl_val	 v;
	const char	*s;
	char		*end;
	long long	 n;

	*out = 0;
	if ((v = json_get(obj, name)) == NULL)
		return 0;
	if (YAJL_IS_INTEGER(v)) {
		*out = YAJL_GET_INTEGER(v);
		return 0;
	}
	if ((s = str_of(v)) == NULL || s[0] == '\0' || (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
		goto bad;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		goto bad;
	*out = n;
	return 0;
 bad:
	json_err(err, errlen, "%s: not an integer", name);
	return -1;
}

/* A base64 field, decoded and NUL-terminated; absent is "". */
static int
get_b64(yajl_val obj, const char *name, size_t max, char **out,
    size_t *outlen, char *err, size_t errlen)
{
	yajl_val	 v;
	const char	*s = "";
	unsigned char	*d;
	size_t		 len, dlen;

	*out = NULL;
	*outlen = 0;
	if ((v = json_get(obj, name)) != NULL) {
		if ((s = str_of(v)) == NULL) {
			json_err(err, errlen, "%s: not a string", name);
			return -1;
		}
	}
	len = strlen(s);
	if (len / 4 * 3 > max + 2) {
		json_err(err, errlen, "%s: longer than %zu bytes", name, max);
		return -1;
	}
	if (b64_std_decode(s, len, &d, &dlen) == -1) {
		json_err(err, errlen, "%s: not base64", name);
		return -1;
	}
	if (dlen > max) {
		free(d);
		json_err(err, errlen, "%s: longer than %zu bytes", name, max);
		return -1;
	}
	/* Room for the NUL: the decoder leaves three bytes spare. */
	d[dlen] = '\0';
	*out = (char *)d;
	*outlen = dlen;
	return 0;
}

static void
kv_free(struct etcd_kv *kv)
{
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

static int
parse_kv(yajl_val o, struct etcd_kv *kv, char *err, size_t errlen)
{
	size_t	 klen;

	memset(kv, 0, sizeof(*kv));
	if (!YAJL_IS_OBJECT(o)) {
		json_err(err, errlen, "kv: not an object");
		return -1;
	}
	if (get_b64(o, "key", ETCD_MAX_KEY, &kv->key, &klen, err,
	    errlen) == -1 ||
	    get_b64(o, "value", ETCD_MAX_VALUE, &kv->value, &kv->valuelen,
	    err, errlen) == -1 ||
	    get_i64(o, "create_revision", &kv->create_rev, err, errlen) == -1 ||
	    get_i64(o, "mod_revision", &kv->mod_rev, err, errlen) == -1 ||
	    get_i64(o, "version", &kv->version, err, errlen) == -1 ||
	    get_i64(o, "lease", &kv->lease, err, errlen) == -1)
		goto bad;
	if (klen == 0 || memchr(kv->key, '\0', klen) != NULL) {
		json_err(err, errlen, "kv: an empty key or one with a NUL");
		goto bad;
	}
	return 0;
 bad:
	kv_free(kv);
	return -1;
}

static void
kvs_free(struct etcd_kv *kvs, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		kv_free(&kvs[i]);
	free(kvs);
}

/* The kvs of a range answer (obj), added to r's. */
static int
parse_kvs(yajl_val obj, struct etcd_result *r)
{
	yajl_val	 a;
	struct etcd_kv	*kvs;
	size_t		 i, n;

	if ((a = json_get(obj, "kvs")) == NULL)
		return 0;
	if (!YAJL_IS_ARRAY(a)) {
		json_err(r->err, sizeof(r->err), "kvs: not an array");
		return -1;
	}
	if ((n = a->u.array.len) == 0)
		return 0;
	if ((kvs = reallocarray(r->kvs, r->nkvs + n, sizeof(*kvs))) == NULL) {
		json_err(r->err, sizeof(r->err), "kvs: out of memory");
		return -1;
	}
	r->kvs = kvs;
	for (i = 0; i < n; i++) {
		if (parse_kv(a->u.array.values[i], &r->kvs[r->nkvs], r->err,
		    sizeof(r->err)) == -1)
			return -1;
		r->nkvs++;
	}
	return 0;
}

/* A txn's responses: the ranges' kvs, in order. */
static int
parse_responses(yajl_val obj, struct etcd_result *r)
{
	yajl_val	 a, rr;
	size_t		 i;

	if ((a = json_get(obj, "responses")) == NULL)
		return 0;
	if (!YAJL_IS_ARRAY(a)) {
		json_err(r->err, sizeof(r->err), "responses: not an array");
		return -1;
	}
	for (i = 0; i < a->u.array.len; i++)
		if ((rr = json_get(a->u.array.values[i],
		    "response_range")) != NULL && parse_kvs(rr, r) == -1)
			return -1;
	return 0;
}

/*
 * etcd's error, as the gateway sends it: {"error": "...", "message":
 * "..."} for a call, {"error": {"message": ...}} in a stream.  1 if
 * there is one (its text in err), 0 if not.
 */
static int
parse_error(yajl_val root, char *err, size_t errlen)
{
	yajl_val	 e, m;

	if ((e = json_get(root, "error")) == NULL)
		return 0;
	if ((m = json_get(root, "message")) == NULL)
		m = json_get(e, "message");
	if (m == NULL)
		m = e;
	json_err(err, errlen, "etcd: %.200s", str_of(m) != NULL ?
	    str_of(m) : "an error");
	return 1;
}

/*
 * An answer of range, put, deleterange, txn, lease grant, keepalive
 * (a stream's line, {"result": ...}) or revoke: r filled, ok 1; -1
 * with ok 0 and the reason in err.
 */
int
etcd_parse_answer(const void *data, size_t len, struct etcd_result *r)
{
	yajl_val	 root, o, s;
	int		 rc = -1;

	memset(r, 0, sizeof(*r));
	if ((root = json_parse(data, len, "etcd answer", r->err,
	    sizeof(r->err))) == NULL)
		return -1;
	if (!YAJL_IS_OBJECT(root)) {
		json_err(r->err, sizeof(r->err), "etcd answer: not an object");
		goto out;
	}
	if (parse_error(root, r->err, sizeof(r->err)))
		goto out;
	if ((o = json_get(root, "result")) == NULL)
		o = root;
	if (!YAJL_IS_OBJECT(o)) {
		json_err(r->err, sizeof(r->err), "result: not an object");
		goto out;
	}
	if (get_i64(json_get(o, "header"), "revision", &r->revision, r->err,
	    sizeof(r->err)) == -1 ||
	    get_i64(o, "ID", &r->lease, r->err, sizeof(r->err)) == -1 ||
	    get_i64(o, "TTL", &r->ttl, r->err, sizeof(r->err)) == -1 ||
	    parse_kvs(o, r) == -1 || parse_responses(o, r) == -1)
		goto out;
	if ((s = json_get(o, "succeeded")) != NULL) {
		if (!YAJL_IS_TRUE(s) && !YAJL_IS_FALSE(s)) {
			json_err(r->err, sizeof(r->err), "succeeded: not a "
			    "boolean");
			goto out;
		}
		r->succeeded = YAJL_IS_TRUE(s);
	}
	r->ok = 1;
	rc = 0;
 out:
	yajl_tree_free(root);
	if (rc == -1) {
		kvs_free(r->kvs, r->nkvs);
		r->kvs = NULL;
		r->nkvs = 0;
		r->ok = 0;
		if (r->err[0] == '\0')
			json_err(r->err, sizeof(r->err), "etcd answer: bad");
	}
	return rc;
}

void
etcd_result_free(struct etcd_result *r)
{
	kvs_free(r->kvs, r->nkvs);
	r->kvs = NULL;
	r->nkvs = 0;
}

static int
parse_events(yajl_val a, struct etcd_watch_msg *m)
{
	yajl_val		 ev, t;
	struct etcd_event	*e;
	const char		*ts;
	size_t			 i;

	if (!YAJL_IS_ARRAY(a)) {
		json_err(m->err, sizeof(m->err), "events: not an array");
		return -1;
	}
	if (a->u.array.len == 0)
		return 0;
	if ((m->events = calloc(a->u.array.len, sizeof(*m->events))) == NULL) {
		json_err(m->err, sizeof(m->err), "events: out of memory");
		return -1;
	}
	for (i = 0; i < a->u.array.len; i++) {
		ev = a->u.array.values[i];
		e = &m->events[m->nevents];
		/* PUT is type 0, which proto3 JSON leaves out. */
		t = json_get(ev, "type");
		ts = str_of(t) != NULL ? str_of(t) : "";
		if (t == NULL || strcmp(ts, "PUT") == 0 ||
		    (YAJL_IS_INTEGER(t) && YAJL_GET_INTEGER(t) == 0))
			e->type = ETCD_PUT;
		else if (strcmp(ts, "DELETE") == 0 ||
		    (YAJL_IS_INTEGER(t) && YAJL_GET_INTEGER(t) == 1))
			e->type = ETCD_DELETE;
		else {
			json_err(m->err, sizeof(m->err), "event: unknown "
			    "type");
			return -1;
		}
		if (parse_kv(json_get(ev, "kv"), &e->kv, m->err,
		    sizeof(m->err)) == -1)
			return -1;
		m->nevents++;
	}
	return 0;
}

/*
 * One line of a watch's stream ({"result": {...}}): the events, or the
 * watch's creation or end.  -1 with the reason in err if malformed or
 * an error.
 */
int
etcd_parse_watch(const void *data, size_t len, struct etcd_watch_msg *m)
{
	yajl_val	 root, o, v;
	int		 rc = -1;

	memset(m, 0, sizeof(*m));
	if ((root = json_parse(data, len, "etcd watch", m->err,
	    sizeof(m->err))) == NULL)
		return -1;
	if (parse_error(root, m->err, sizeof(m->err)))
		goto out;
	if (!YAJL_IS_OBJECT(o = json_get(root, "result"))) {
		json_err(m->err, sizeof(m->err), "etcd watch: no result");
		goto out;
	}
	if (get_i64(json_get(o, "header"), "revision", &m->revision, m->err,
	    sizeof(m->err)) == -1 ||
	    get_i64(o, "compact_revision", &m->compact_rev, m->err,
	    sizeof(m->err)) == -1)
		goto out;
	m->created = YAJL_IS_TRUE(json_get(o, "created"));
	m->canceled = YAJL_IS_TRUE(json_get(o, "canceled"));
	v = json_get(o, "cancel_reason");
	if (m->canceled && m->compact_rev > 0)
		json_err(m->err, sizeof(m->err), "etcd: watch canceled: its "
		    "start revision is compacted (at %lld)",
		    (long long)m->compact_rev);
	else if (m->canceled)
		json_err(m->err, sizeof(m->err), "etcd: watch canceled%s%.200s",
		    str_of(v) != NULL ? ": " : "",
		    str_of(v) != NULL ? str_of(v) : "");
	if ((v = json_get(o, "events")) != NULL && parse_events(v, m) == -1)
		goto out;
	rc = 0;
 out:
	yajl_tree_free(root);
	if (rc == -1)
		etcd_watch_msg_free(m);
	return rc;
}

void
etcd_watch_msg_free(struct etcd_watch_msg *m)
{
	size_t	 i;

	for (i = 0; i < m->nevents; i++)
		kv_free(&m->events[i].kv);
	free(m->events);
	m->events = NULL;
	m->nevents = 0;
}
