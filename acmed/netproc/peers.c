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
 * What the protocol needs from outside itself (struct acme_io), as
 * netproc provides it: the transport, timers, and the two peers.  A
 * request to keyproc or challenged carries an id in the message's peer
 * id, which the answer carries back; many are under way at once, each
 * operation waiting for its own answer while the others go on.  A peer
 * answers its requests in the order they came, so the answer is nearly
 * always the first one waiting; an answer that matches none is a peer
 * gone wrong, and ends netproc.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "http.h"
#include "netproc.h"
#include "fleet.h"

static struct np_ops	 at_keyproc = TAILQ_HEAD_INITIALIZER(at_keyproc);
static struct np_ops	 at_chald = TAILQ_HEAD_INITIALIZER(at_chald);
static struct np_ops	 at_parent = TAILQ_HEAD_INITIALIZER(at_parent);
static uint32_t		 last_id;

static void	io_timer(struct acme_op *, long, acme_fn);
static time_t	io_now(void);

static struct np_op *
np(struct acme_op *o)
{
	return o->shell;
}

/* An answer made here, without asking: a request that does not fit. */
static void
answer_now(struct acme_op *o, const char *why, acme_fn fn)
{
	acme_answer_clear(&o->ans);
	o->ans.rc = -1;
	o->ans.data = strdup(why);
	fn(o);
}

/*
 * Sends a request for o and waits for its answer, which goes to fn; a
 * request too large for its message is answered at once with -1.
 */
static void
ask(struct np_chan *c, struct np_ops *q, struct acme_op *o, uint32_t type,
    const struct buf *b, acme_fn fn)
{
	struct np_op	*n = np(o);

	if (++last_id == 0)
		last_id = 1;
	if (np_send(c, type, last_id, b) == -1) {
		answer_now(o, "request too large", fn);
		return;
	}
	n->peer_id = last_id;
	n->peer_type = type;
	n->peer_fn = fn;
	TAILQ_INSERT_TAIL(q, n, entry);
}

/* The operation waiting for answer m, taken off q. */
static struct np_op *
answered(struct np_ops *q, const struct imsg *m, const char *peer)
{
	struct np_op	*n;

	TAILQ_FOREACH(n, q, entry)
		if (n->peer_id == m->hdr.peerid)
			break;
	if (n == NULL)
		fatalx("%s answered %s to request %u, which it was not asked",
		    peer, msg_name(m->hdr.type), m->hdr.peerid);
	TAILQ_REMOVE(q, n, entry);
	return n;
}

static void
io_sign(struct acme_op *o, uint32_t keyid, const char *url,
    const char *nonce, const char *kid, const char *payload, acme_fn fn)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&b, keyid) == -1 || buf_add_lstr(&b, url) == -1 ||
	    buf_add_lstr(&b, nonce) == -1 || buf_add_lstr(&b, kid) == -1 ||
	    buf_add_blob(&b, payload, payload ? strlen(payload) : 0) == -1)
		answer_now(o, "request too large to sign", fn);
	else
		ask(&np_keyproc, &at_keyproc, o, MSG_SIGN, &b, fn);
	buf_free(&b);
}

/*
 * The request that changes the account's key from oldid to newid, made
 * whole by keyproc (the inner JWS signed by the new key, the request by
 * the old one), and only while the parent authorises that change.
 */
static void
io_key_change(struct acme_op *o, uint32_t oldid, uint32_t newid,
    const char *url, const char *nonce, const char *account, acme_fn fn)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&b, oldid) == -1 || buf_add_u32(&b, newid) == -1 ||
	    buf_add_lstr(&b, url) == -1 || buf_add_lstr(&b, nonce) == -1 ||
	    buf_add_lstr(&b, account) == -1)
		answer_now(o, "request too large", fn);
	else
		ask(&np_keyproc, &at_keyproc, o, MSG_KEY_CHANGE, &b, fn);
	buf_free(&b);
}

static void
io_thumbprint(struct acme_op *o, uint32_t keyid, acme_fn fn)
{
	struct buf	 b;

	buf_init(&b, 16);
	buf_add_u32(&b, keyid);
	ask(&np_keyproc, &at_keyproc, o, MSG_JWK, &b, fn);
	buf_free(&b);
}

/* The external account binding for a newAccount request to url. */
static void
io_eab(struct acme_op *o, uint32_t keyid, const char *url, acme_fn fn)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&b, keyid) == -1 || buf_add_lstr(&b, url) == -1)
		answer_now(o, "newAccount URL too long", fn);
	else
		ask(&np_keyproc, &at_keyproc, o, MSG_EAB, &b, fn);
	buf_free(&b);
}

static void
csr_ask(struct acme_op *o, uint32_t keyid, char *const *names, size_t n,
    acme_fn fn)
{
	struct buf	 b, nb;

	buf_init(&nb, MSG_PAYLOAD_MAX);
	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_join(&nb, names, n, "\n") == -1 ||
	    buf_add_u32(&b, keyid) == -1 ||
	    buf_add_lstr(&b, buf_cstr(&nb)) == -1)
		answer_now(o, "names too long", fn);
	else
		ask(&np_keyproc, &at_keyproc, o, MSG_CSR, &b, fn);
	buf_free(&nb);
	buf_free(&b);
}

/* The CSR after the fleet's lock is proven, of a cluster's order. */
static void
csr_gated(struct acme_op *o)
{
	csr_ask(o, o->keyid, o->names, o->nnames, np(o)->pub_fn);
}

static void
io_csr(struct acme_op *o, uint32_t keyid, char *const *names, size_t n,
    acme_fn fn)
{
	if (np(o)->fence == 0) {
		csr_ask(o, keyid, names, n, fn);
		return;
	}
	np(o)->pub_fn = fn;
	fleet_csr_gate(o, csr_gated);
}

/* CHAL_ADD (a token) or CHAL_ALPN_ADD (an identifier). */
static void
chal_add(uint32_t type, struct acme_op *o, const char *what,
    const char *keyauth, acme_fn fn)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_lstr(&b, what) == -1 || buf_add_lstr(&b, keyauth) == -1)
		answer_now(o, type == MSG_CHAL_ADD ? "token too long" :
		    "identifier too long", fn);
	else
		ask(&np_chald, &at_chald, o, type, &b, fn);
	buf_free(&b);
}

static void
chal_del(uint32_t type, const char *what)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_lstr(&b, what) == 0)
		(void)np_send(&np_chald, type, 0, &b);
	buf_free(&b);
}

/* Served here: a cluster's order shares it with the other nodes. */
static void
chal_added(struct acme_op *o)
{
	struct np_op	*n = np(o);

	fleet_share(o, n->pub_type == MSG_CHAL_ALPN_ADD, n->pub_what,
	    n->pub_keyauth, n->pub_fn);
	free(n->pub_what);
	free(n->pub_keyauth);
	n->pub_what = n->pub_keyauth = NULL;
}

static void
chal_add_shared(uint32_t type, struct acme_op *o, const char *what,
    const char *keyauth, acme_fn fn)
{
	struct np_op	*n = np(o);

	if (n->fence == 0) {
		chal_add(type, o, what, keyauth, fn);
		return;
	}
	free(n->pub_what);
	free(n->pub_keyauth);
	if ((n->pub_what = strdup(what)) == NULL ||
	    (n->pub_keyauth = strdup(keyauth)) == NULL)
		fatal("strdup");
	n->pub_fn = fn;
	n->pub_type = type;
	chal_add(type, o, what, keyauth, chal_added);
}

static void
io_chal_add(struct acme_op *o, const char *token, const char *keyauth,
    acme_fn fn)
{
	chal_add_shared(MSG_CHAL_ADD, o, token, keyauth, fn);
}

static void
io_chal_del(const char *token)
{
	chal_del(MSG_CHAL_DEL, token);
}

static void
io_chal_alpn_add(struct acme_op *o, const char *ident, const char *keyauth,
    acme_fn fn)
{
	chal_add_shared(MSG_CHAL_ALPN_ADD, o, ident, keyauth, fn);
}

static void
io_chal_alpn_del(const char *ident)
{
	chal_del(MSG_CHAL_ALPN_DEL, ident);
}

/* o's dns-01 records, one "name value" line each. */
static char *
dns_records(const struct acme_op *o)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b, MSG_DNS_RECORDS_MAX);
	for (i = 0; i < o->ndns; i++)
		if (buf_add(&b, o->dns[i].name, strlen(o->dns[i].name)) ==
		    -1 || buf_add(&b, " ", 1) == -1 || buf_add(&b,
		    o->dns[i].value, strlen(o->dns[i].value)) == -1 ||
		    buf_add(&b, "\n", 1) == -1) {
			buf_free(&b);
			return NULL;
		}
	return buf_release(&b, NULL);
}

/*
 * The parent runs the hook; its answer carries the request's id in its
 * payload (the parent's messages carry none in their header).
 */
static void
io_dns_publish(struct acme_op *o, acme_fn fn)
{
	struct buf	 b;
	char		*recs;

	if ((recs = dns_records(o)) == NULL) {
		answer_now(o, "too many records", fn);
		return;
	}
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, o->domid);
	buf_add_lstr(&b, recs);
	free(recs);
	ask(&np_parent, &at_parent, o, MSG_DNS_PUBLISH, &b, fn);
	buf_free(&b);
}

static void
io_dns_remove(struct acme_op *o)
{
	struct buf	 b;
	char		*recs;

	if ((recs = dns_records(o)) == NULL)
		return;
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, o->domid);
	buf_add_lstr(&b, recs);
	(void)np_send(&np_parent, MSG_DNS_REMOVE, 0, &b);
	buf_free(&b);
	free(recs);
}

/* The hook's result: "" if it published the records. */
void
peers_dns_result(struct imsg *m)
{
	struct acme_op	*o;
	struct np_op	*n;
	struct rbuf	 r;
	char		*err;

	rbuf_init(&r, m->data, m->datalen);
	err = rbuf_str(&r, MSG_TEXT_MAX);
	if (rbuf_end(&r) == -1)
		fatalx("malformed DNS_RESULT from the parent");
	n = answered(&at_parent, m, "the parent");
	o = &n->op;
	acme_answer_clear(&o->ans);
	if (*err == '\0') {
		o->ans.rc = 0;
		free(err);
	} else {
		o->ans.rc = -1;
		o->ans.data = err;
	}
	n->peer_fn(o);
}

/*
 * The servers are asked again each second until every one serves every
 * record, or the wait is over: what a hook publishes may take that long
 * to reach the zone's secondaries.
 */
#define DNS_CHECK_EVERY_MS	1000

static void	dns_check_round(struct acme_op *);

static void
dns_round_done(struct acme_op *o, int rc, const char *why)
{
	struct np_op	*n = np(o);

	if (rc == 0 && io_now() < n->dns_until) {
		io_timer(o, DNS_CHECK_EVERY_MS, dns_check_round);
		return;
	}
	acme_answer_clear(&o->ans);
	o->ans.rc = rc == 1 ? 0 : -1;
	if (rc == 0 && asprintf(&o->ans.data, "%s, after %u s", why,
	    o->dns_wait) == -1)
		o->ans.data = NULL;
	else if (rc == -1)
		o->ans.data = strdup(why);
	n->peer_fn(o);
}

static void
dns_check_round(struct acme_op *o)
{
	dnscheck(o, dns_round_done);
}

static void
io_dns_check(struct acme_op *o, acme_fn fn)
{
	np(o)->peer_fn = fn;
	np(o)->dns_until = io_now() + o->dns_wait;
	dns_check_round(o);
}

static void
send_id_str(uint32_t type, uint32_t id, const char *s)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, id);
	buf_add_lstr(&b, s);
	(void)np_send(&np_parent, type, 0, &b);
	buf_free(&b);
}

/* The parent keeps every order's URL as soon as it is known. */
static void
io_order_url(struct acme_op *o, const char *url)
{
	send_id_str(MSG_ORDER_URL, o->domid, url);
	fleet_order_url(o, url);
}

static void
io_account_url(uint32_t authid, const char *url)
{
	send_id_str(MSG_ACCOUNT_URL, authid, url);
}

static int
is(const char *url, const char *known)
{
	return known != NULL && strcmp(url, known) == 0;
}

/*
 * The endpoint a request went to, for the parent's metrics: the
 * directory's resources by their names; what the authority's objects
 * (order, authorization, challenge, certificate) answer by what was
 * sent: a challenge's "{}", a finalize's CSR, else a POST-as-GET.
 */
static const char *
endpoint(struct acme_op *o, enum http_method m, const char *url)
{
	struct acme_authority	*a = o->a;
	const char		*payload;

	if (m == HTTP_HEAD)
		return "newNonce";
	if (is(url, a->api_url))
		return "directory";
	if (a->dir.renewal_info != NULL && strncmp(url, a->dir.renewal_info,
	    strlen(a->dir.renewal_info)) == 0)
		return "renewalInfo";
	if (m != HTTP_POST)
		return "other";
	if (is(url, a->dir.new_account))
		return "newAccount";
	if (is(url, a->dir.new_order))
		return "newOrder";
	if (is(url, a->dir.revoke_cert))
		return "revokeCert";
	if (is(url, a->dir.key_change))
		return "keyChange";
	if (is(url, a->account_url))
		return "account";
	if (o->npost < 1 || (payload = o->post[o->npost - 1].payload) == NULL)
		return "postAsGet";
	if (strcmp(payload, "{}") == 0)
		return "challenge";
	if (strstr(payload, "\"csr\"") != NULL)
		return "finalize";
	return "other";
}

/*
 * Each request's end goes to the parent, counted in its metrics: the
 * authority, the endpoint, the HTTP status (0: no answer), and whether a
 * newOrder was refused with a Retry-After, which pauses new orders.
 */
static void
http_done(void *arg)
{
	struct acme_op	*o = arg;
	struct buf	 b;
	const char	*e = np(o)->endpoint;

	buf_init(&b, 64);
	buf_add_u32(&b, o->a->id);
	buf_add_lstr(&b, e);
	buf_add_u32(&b, o->resp.code > 0 ? (uint32_t)o->resp.code : 0);
	buf_add_u32(&b, strcmp(e, "newOrder") == 0 &&
	    (o->resp.code == 429 || o->resp.code == 503) &&
	    o->resp.retry_after > 0);
	(void)np_send(&np_parent, MSG_NET_REQUEST, 0, &b);
	buf_free(&b);
	np(o)->http_fn(o);
}

static int
io_http(struct acme_op *o, enum http_method m, const char *url,
    const void *body, size_t len, const char *accept, acme_fn fn)
{
	np(o)->http_fn = fn;
	np(o)->endpoint = endpoint(o, m, url);
	return http_start(o->a->http, m, url, body, len, accept, &o->resp,
	    http_done, o);
}

static void
timer_fired(void *arg)
{
	struct acme_op	*o = arg;

	np(o)->timer_fn(o);
}

static void
io_timer(struct acme_op *o, long ms, acme_fn fn)
{
	np(o)->timer_fn = fn;
	ev_timer_set(&np(o)->timer, ms, timer_fired, o);
}

static time_t
io_now(void)
{
	return time(NULL);
}

const struct acme_io np_io = {
	.http = io_http,
	.sign = io_sign,
	.key_change = io_key_change,
	.thumbprint = io_thumbprint,
	.eab = io_eab,
	.csr = io_csr,
	.chal_add = io_chal_add,
	.chal_del = io_chal_del,
	.dns_publish = io_dns_publish,
	.dns_remove = io_dns_remove,
	.dns_check = io_dns_check,
	.chal_alpn_add = io_chal_alpn_add,
	.chal_alpn_del = io_chal_alpn_del,
	.order_url = io_order_url,
	.account_url = io_account_url,
	.timer = io_timer,
	.now = io_now,
};

/*
 * keyproc seals the private key keyid (of role, named name) with the
 * fleet key; the sealed bytes in o->ans.
 */
void
peers_seal(struct acme_op *o, uint32_t keyid, uint32_t role,
    const char *name, acme_fn fn)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&b, keyid) == -1 || buf_add_u32(&b, role) == -1 ||
	    buf_add_lstr(&b, name) == -1)
		answer_now(o, "name too long", fn);
	else
		ask(&np_keyproc, &at_keyproc, o, MSG_FLEET_SEAL, &b, fn);
	buf_free(&b);
}

/* A blob of an answer, kept NUL-terminated. */
static int
take_blob(struct rbuf *r, size_t max, struct acme_answer *ans)
{
	const uint8_t	*p;
	size_t		 n;

	p = rbuf_blob(r, &n, max);
	if (r->bad || (ans->data = malloc(n + 1)) == NULL)
		return -1;
	memcpy(ans->data, p, n);
	ans->data[n] = '\0';
	ans->len = n;
	return 0;
}

/* An answer from keyproc: a JWS, a thumbprint, a binding, a CSR. */
void
peers_dispatch_keyproc(struct imsg *m)
{
	struct acme_op		*o;
	struct np_op		*n;
	struct acme_answer	*ans;
	struct rbuf		 r;
	char			*jwk;
	uint32_t		 want;

	n = answered(&at_keyproc, m, "keyproc");
	o = &n->op;
	ans = &o->ans;
	acme_answer_clear(ans);
	rbuf_init(&r, m->data, m->datalen);
	/* every answer but a sealed key begins with the key's id */
	if (m->hdr.type != MSG_FLEET_SEALED)
		(void)rbuf_u32(&r);
	switch (n->peer_type) {
	case MSG_SIGN:
	case MSG_KEY_CHANGE:
		want = MSG_SIGN_RESP;
		break;
	case MSG_JWK:
		want = MSG_JWK_RESP;
		break;
	case MSG_EAB:
		want = MSG_EAB_RESP;
		break;
	case MSG_FLEET_SEAL:
		want = MSG_FLEET_SEALED;
		break;
	default:
		want = MSG_CSR_RESP;
		break;
	}
	if (m->hdr.type == MSG_KEYPROC_ERR) {
		ans->rc = -1;
		ans->data = rbuf_str(&r, MSG_TEXT_MAX);
	} else if (m->hdr.type != want)
		fatalx("keyproc answered %s to %s", msg_name(m->hdr.type),
		    msg_name(n->peer_type));
	else if (want == MSG_SIGN_RESP)
		(void)take_blob(&r, MSG_PEM_MAX, ans);
	else if (want == MSG_CSR_RESP)
		(void)take_blob(&r, MSG_CSR_MAX, ans);
	else if (want == MSG_FLEET_SEALED)
		(void)take_blob(&r, MSG_SEALED_MAX, ans);
	else if (want == MSG_JWK_RESP) {
		jwk = rbuf_str(&r, MSG_JWK_MAX);
		ans->data = rbuf_str(&r, MSG_THUMBPRINT_MAX);
		free(jwk);
	} else {
		ans->eab.protected = rbuf_str(&r, MSG_JWS_PART_MAX);
		ans->eab.payload = rbuf_str(&r, MSG_JWS_PART_MAX);
		ans->eab.signature = rbuf_str(&r, MSG_JWS_PART_MAX);
	}
	if (rbuf_end(&r) == -1)
		fatalx("malformed %s from keyproc", msg_name(m->hdr.type));
	n->peer_fn(o);
}

/* challenged's answer: the token published, or refused. */
void
peers_dispatch_chald(struct imsg *m)
{
	struct acme_op	*o;
	struct np_op	*n;
	struct rbuf	 r;
	char		*t;
	uint32_t	 ok;

	if (m->hdr.type != MSG_CHAL_ACK)
		fatalx("unexpected %s from challenged", msg_name(m->hdr.type));
	n = answered(&at_chald, m, "challenged");
	o = &n->op;
	rbuf_init(&r, m->data, m->datalen);
	t = rbuf_str(&r, MSG_TOKEN_MAX);
	ok = rbuf_u32(&r);
	if (rbuf_end(&r) == -1)
		fatalx("malformed CHAL_ACK from challenged");
	free(t);
	acme_answer_clear(&o->ans);
	o->ans.rc = ok ? 0 : -1;
	n->peer_fn(o);
}
