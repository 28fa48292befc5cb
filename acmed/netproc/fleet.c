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
 * The fleet: the nodes of one cluster share their certificates through
 * etcd, under the cluster's prefix P:
 *
 *   P nodes/NODE           each node alive, with its lease
 *   P account/AUTHORITY    the fleet's account key for an authority,
 *                          sealed with the fleet key, and its thumbprint
 *   P lock/HANDLE          the node ordering HANDLE's certificate, with
 *                          its lease; the key's create revision fences
 *                          every write of that order
 *   P order/HANDLE         the order's URL, for a node that takes over
 *   P chal/http/TOKEN      an http-01 answer: "NODE\nKEYAUTH", with the
 *   P chal/alpn/NAME         ordering node's lease; tls-alpn-01 the same
 *   P ack/http/TOKEN/NODE  NODE's challenged serves that answer
 *   P cert/HANDLE          the certificate: its chain and its key,
 *                          sealed with the fleet key
 *
 * Before an order is queued, its node checks etcd: a certificate there
 * newer than the one installed is handed to the parent instead of an
 * order; a lock another node holds declines the order (the parent asks
 * again a little later, and then finds the certificate); else this node
 * takes the lock and orders, resuming the fleet's order if one is kept.
 * Every node watches P chal/ and publishes the other nodes' answers to
 * its own challenged.  Before the CSR is asked for, a fenced write proves
 * the lock is still this node's: a node that lost its lease (paused, cut
 * off) stops before finalizing.  keyproc alone seals keys.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "buf.h"
#include "keytype.h"
#include "log.h"
#include "msg.h"
#include "x509check.h"
#include "etcd.h"
#include "fleet.h"

enum fleet_acct {
	FA_UNKNOWN,			/* not looked at yet */
	FA_CHECKING,			/* being looked at */
	FA_OK,				/* this node's key is the fleet's */
	FA_ADOPTING			/* the parent takes the fleet's key */
};

/* Another node's answer, published to this node's challenged. */
struct fleet_pub {
	struct np_op		 n;	/* first: challenged answers it */
	char			*key;	/* P chal/... */
	char			*what;	/* the token or the identifier */
	int			 alpn;
	int			 waiting;	/* challenged has not answered */
	int			 gone;		/* withdrawn meanwhile */
	int			 seen;		/* in the last range */
	TAILQ_ENTRY(fleet_pub)	 entry;
};

static struct {
	struct etcd		*ec;
	char			*node;
	char			*prefix;
	int64_t			 lease;		/* 0: none */
	long long		 lease_seen;	/* ms, its last renewal */
	struct ev_timer		 keep;
	struct etcd_watch	*w;
	struct ev_timer		 rewatch;
	int			 down;		/* said unreachable */
	int			 announced;	/* in P nodes/ */
	int			 settled;	/* may order */
	struct ev_timer		 settle;
	char			 why[256];	/* the last failure */
	TAILQ_HEAD(, fleet_pub)	 pubs;
} fl;

static void	lease_tick(void *);
static void	watch_start(void *);
static void	announce(void);
static void	accounts_check(void);

int
fleet_on(void)
{
	return fl.ec != NULL;
}

/* P followed by the parts, or fatal. */
static char *
fkey(const char *fmt, ...)
{
	va_list	 ap;
	char	*rest, *s;

	va_start(ap, fmt);
	if (vasprintf(&rest, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	if (asprintf(&s, "%s%s", fl.prefix, rest) == -1)
		fatal("asprintf");
	free(rest);
	return s;
}

static void
ignore(void *arg, const struct etcd_result *r)
{
	(void)arg;
	(void)r;
}

static void
fleet_down(const char *why)
{
	strlcpy(fl.why, why && *why ? why : "no answer", sizeof(fl.why));
	if (!fl.down)
		log_warnx("fleet: etcd unreachable: %s", fl.why);
	fl.down = 1;
}

static void
fleet_up(void)
{
	if (fl.down)
		log_info("fleet: etcd reachable again");
	fl.down = 0;
}

/* --- the lease: this node alive --- */

static void
lease_after(long ms)
{
	ev_timer_set(&fl.keep, ms, lease_tick, NULL);
}

static void
settled(void *arg)
{
	(void)arg;
	fl.settled = 1;
}

static void
announced(void *arg, const struct etcd_result *r)
{
	(void)arg;
	if (!r->ok) {
		fl.announced = 0;
		fleet_down(r->err);
		return;
	}
	if (!fl.settled && !ev_timer_armed(&fl.settle))
		ev_timer_set(&fl.settle, FLEET_SETTLE_MS, settled, NULL);
}

/*
 * This node among the nodes alive, once it has a lease and watches the
 * answers: from then on the nodes ordering wait for it to serve theirs.
 * It orders nothing itself for a moment, so that the nodes starting with
 * it are counted too.
 */
static void
announce(void)
{
	char	*k;

	struct np_authority	*na;

	if (fl.announced || fl.lease == 0 || fl.w == NULL)
		return;
	for (na = np_authorities; na != NULL; na = na->next)
		if (na->fleet_acct != FA_OK)
			return;
	k = fkey("nodes/%s", fl.node);
	if (etcd_put(fl.ec, k, "", 0, fl.lease, announced, NULL) == 0)
		fl.announced = 1;
	free(k);
}

static void
lease_granted(void *arg, const struct etcd_result *r)
{
	(void)arg;
	if (!r->ok || r->lease == 0) {
		fleet_down(r->err);
		lease_after(1000);
		return;
	}
	fleet_up();
	fl.lease = r->lease;
	fl.lease_seen = ev_now_ms();
	log_debug("fleet: lease %lld, %d s", (long long)fl.lease,
	    FLEET_LEASE_TTL);
	fl.announced = 0;
	accounts_check();
	announce();
	lease_after(FLEET_KEEP_MS);
}

static void
lease_kept(void *arg, const struct etcd_result *r)
{
	(void)arg;
	if (r->ok && r->ttl > 0) {
		fleet_up();
		fl.lease_seen = ev_now_ms();
	} else if (r->ok) {
		log_warnx("fleet: lease %lld expired", (long long)fl.lease);
		fl.lease = 0;
		fl.announced = 0;
	} else
		fleet_down(r->err);
	/* Unrenewed for a whole TTL, etcd has let it go. */
	if (fl.lease != 0 &&
	    ev_now_ms() - fl.lease_seen >= FLEET_LEASE_TTL * 1000LL) {
		log_warnx("fleet: lease %lld lost", (long long)fl.lease);
		fl.lease = 0;
		fl.announced = 0;
	}
	lease_after(fl.lease != 0 ? FLEET_KEEP_MS : 200);
}

static void
lease_tick(void *arg)
{
	int	 rc;

	(void)arg;
	if (fl.lease == 0)
		rc = etcd_lease_grant(fl.ec, FLEET_LEASE_TTL, lease_granted,
		    NULL);
	else
		rc = etcd_lease_keepalive(fl.ec, fl.lease, lease_kept, NULL);
	if (rc == -1)
		lease_after(1000);
}

/* --- the other nodes' answers, served here too --- */

static struct fleet_pub *
pub_find(const char *key)
{
	struct fleet_pub	*p;

	TAILQ_FOREACH(p, &fl.pubs, entry)
		if (strcmp(p->key, key) == 0)
			return p;
	return NULL;
}

static void
pub_free(struct fleet_pub *p)
{
	TAILQ_REMOVE(&fl.pubs, p, entry);
	free(p->key);
	free(p->what);
	free(p);
}

/* Withdrawn from challenged, unless it has not answered yet. */
static void
pub_withdraw(struct fleet_pub *p)
{
	if (p->waiting) {
		p->gone = 1;
		return;
	}
	if (p->alpn)
		np_io.chal_alpn_del(p->what);
	else
		np_io.chal_del(p->what);
	log_debug("fleet: %s withdrawn", p->what);
	pub_free(p);
}

static void
pub_served(struct acme_op *o)
{
	struct fleet_pub	*p = (struct fleet_pub *)o->shell;
	char			*k;

	p->waiting = 0;
	if (p->gone) {
		pub_withdraw(p);
		return;
	}
	if (o->ans.rc == -1) {
		log_warnx("fleet: challenged refused %s: %s", p->what,
		    o->ans.data ? o->ans.data : "no reason");
		return;
	}
	k = fkey("ack/%s/%s/%s", p->alpn ? "alpn" : "http", p->what,
	    fl.node);
	if (fl.lease == 0 ||
	    etcd_put(fl.ec, k, "", 0, fl.lease, ignore, NULL) == -1)
		log_warnx("fleet: %s not confirmed", p->what);
	free(k);
}

/* A P chal/ key put: served here if another node put it. */
static void
pub_add(const struct etcd_kv *kv)
{
	struct fleet_pub	*p;
	const char		*rest, *ka;
	size_t			 plen = strlen(fl.prefix);
	int			 alpn;

	if (kv->key == NULL || kv->value == NULL ||
	    strncmp(kv->key, fl.prefix, plen) != 0)
		return;
	rest = kv->key + plen;
	if (strncmp(rest, "chal/http/", 10) == 0)
		alpn = 0;
	else if (strncmp(rest, "chal/alpn/", 10) == 0)
		alpn = 1;
	else
		return;
	rest += 10;
	if ((ka = memchr(kv->value, '\n', kv->valuelen)) == NULL ||
	    *rest == '\0' || strlen(rest) > MSG_TOKEN_MAX)
		return;
	if ((size_t)(ka - kv->value) == strlen(fl.node) &&
	    strncmp(kv->value, fl.node, ka - kv->value) == 0)
		return;		/* this node's own */
	ka++;
	if ((p = pub_find(kv->key)) != NULL) {
		p->seen = 1;
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->key = strdup(kv->key)) == NULL ||
	    (p->what = strdup(rest)) == NULL)
		fatal("calloc");
	p->n.op.shell = &p->n;
	p->alpn = alpn;
	p->waiting = 1;
	p->seen = 1;
	TAILQ_INSERT_TAIL(&fl.pubs, p, entry);
	log_debug("fleet: serving %s for node %.*s", p->what,
	    (int)(ka - 1 - kv->value), kv->value);
	if (alpn)
		np_io.chal_alpn_add(&p->n.op, p->what, ka, pub_served);
	else
		np_io.chal_add(&p->n.op, p->what, ka, pub_served);
}

static void
pub_del(const char *key)
{
	struct fleet_pub	*p;

	if ((p = pub_find(key)) != NULL)
		pub_withdraw(p);
}

static void
rewatch_after(long ms)
{
	ev_timer_set(&fl.rewatch, ms, watch_start, NULL);
}

static void
watched(void *arg, const struct etcd_event *ev, int64_t rev, const char *err)
{
	(void)arg;
	(void)rev;
	if (ev == NULL) {
		fl.w = NULL;
		log_debug("fleet: watch ended: %s", err ? err : "");
		rewatch_after(1000);
		return;
	}
	if (ev->type == ETCD_PUT)
		pub_add(&ev->kv);
	else
		pub_del(ev->kv.key);
}

static void
chal_ranged(void *arg, const struct etcd_result *r)
{
	struct fleet_pub	*p, *t;
	char			*k;
	size_t			 i;

	(void)arg;
	if (!r->ok) {
		fleet_down(r->err);
		rewatch_after(1000);
		return;
	}
	TAILQ_FOREACH(p, &fl.pubs, entry)
		p->seen = 0;
	for (i = 0; i < r->nkvs; i++)
		pub_add(&r->kvs[i]);
	TAILQ_FOREACH_SAFE(p, &fl.pubs, entry, t)
		if (!p->seen && !p->waiting)
			pub_withdraw(p);
	k = fkey("chal/");
	if ((fl.w = etcd_watch(fl.ec, k, r->revision + 1, watched, NULL)) ==
	    NULL)
		rewatch_after(1000);
	free(k);
	announce();
}

static void
watch_start(void *arg)
{
	char	*k;

	(void)arg;
	k = fkey("chal/");
	if (etcd_range(fl.ec, k, 1, chal_ranged, NULL) == -1)
		rewatch_after(1000);
	free(k);
}

void
fleet_begin(const struct np_cluster *c)
{
	char	 err[256];

	TAILQ_INIT(&fl.pubs);
	fl.node = c->node;
	fl.prefix = c->prefix;
	if ((fl.ec = etcd_new((const char *const *)c->endpoints,
	    c->nendpoints, c->ca, c->ca_len, c->cert, c->cert_len, c->key,
	    c->key_len, err, sizeof(err))) == NULL)
		fatalx("fleet: etcd client: %s", err);
	log_info("fleet: node %s, prefix %s, %zu etcd endpoints", fl.node,
	    fl.prefix, c->nendpoints);
	lease_tick(NULL);
	watch_start(NULL);
}

/* --- records: "field value" lines --- */

/* The value of field in rec (up to its line's end), or NULL. */
static char *
rec_get(const char *rec, size_t len, const char *field)
{
	const char	*p = rec, *e, *end = rec + len, *nl;
	size_t		 flen = strlen(field);

	while (p < end && *p != '\n') {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		e = p + flen;
		if (e < nl && strncmp(p, field, flen) == 0 && *e == ' ')
			return strndup(e + 1, nl - e - 1);
		p = nl + 1;
	}
	return NULL;
}

/* What follows the record's first empty line (the chain), or NULL. */
static const char *
rec_body(const char *rec, size_t len, size_t *blen)
{
	const char	*p;

	for (p = rec; p + 1 < rec + len; p++)
		if (p[0] == '\n' && p[1] == '\n') {
			*blen = rec + len - (p + 2);
			return p + 2;
		}
	return NULL;
}

/* A sealed key from a record, decoded; -1 if it has none. */
static int
rec_key(const char *rec, size_t len, unsigned char **key, size_t *klen)
{
	char	*s;
	int	 rc;

	if ((s = rec_get(rec, len, "key")) == NULL)
		return -1;
	rc = b64url_decode(s, strlen(s), key, klen);
	free(s);
	return rc;
}

/* --- an order's way through etcd --- */

static struct np_op *
nop(struct acme_op *o)
{
	return o->shell;
}

/* The order ends here, with a local failure kind; netproc.c says it. */
static void
decline(struct np_op *n, const char *type, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	acme_fail(&n->op, type, "%s", s ? s : "fleet");
	free(s);
	n->op.rc = -1;
	np_issue_declined(n);
}

static void
unreachable(struct np_op *n, const struct etcd_result *r)
{
	fleet_down(r ? r->err : fl.why);
	decline(n, "fleet-unreachable", "fleet: etcd unreachable: %s",
	    fl.why);
}

static void	step_account(void *);
static void	step_cert(struct np_op *);

void
fleet_issue(struct np_op *n)
{
	n->fleet_until = time(NULL) + FLEET_LEASE_WAIT;
	step_account(n);
}

static void
lock_said(struct np_op *n, int held)
{
	struct buf	 b;

	buf_init(&b, 16);
	buf_add_u32(&b, n->op.domid);
	buf_add_u32(&b, held);
	(void)np_send(&np_parent, MSG_FLEET_LOCK, 0, &b);
	buf_free(&b);
}

/*
 * The fleet's account, once per authority when the node starts, before
 * it counts among the nodes: this node's account key becomes the
 * fleet's if the fleet has none yet, or the parent installs the fleet's
 * (and restarts the children).  Each check has an op of its own, for
 * keyproc's answers.
 */
static void	acct_compare(struct np_op *, const struct etcd_kv *);
static void	acct_check(void *);

static void
acct_done(struct np_op *n, int state)
{
	struct np_authority	*na = n->op.a->shell;

	na->fleet_acct = state;
	if (state == FA_UNKNOWN) {
		/* again in a second, while etcd or keyproc fails */
		ev_timer_set(&n->timer, 1000, acct_check, n);
		return;
	}
	na->fleet_check = NULL;
	np_op_free(n);
	announce();
}

static void
acct_failed(struct np_op *n, const struct etcd_result *r)
{
	fleet_down(r ? r->err : "the request was not sent");
	acct_done(n, FA_UNKNOWN);
}

static void
acct_created(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;

	if (!r->ok) {
		acct_failed(n, r);
		return;
	}
	if (!r->succeeded && r->nkvs == 1) {
		acct_compare(n, &r->kvs[0]);
		return;
	}
	log_info("fleet: authority %s: this node's account key is the "
	    "fleet's", n->op.a->name);
	acct_done(n, FA_OK);
}

static void
acct_sealed(struct acme_op *o)
{
	struct np_op	*n = nop(o);
	struct buf	 b;
	char		*k, *key;

	if (o->ans.rc == -1) {
		log_warnx("fleet: authority %s: the account key was not "
		    "sealed: %s", o->a->name, o->ans.data ? o->ans.data :
		    "keyproc refused");
		acct_done(n, FA_UNKNOWN);
		return;
	}
	if ((key = b64url_encode(o->ans.data, o->ans.len)) == NULL)
		fatal("b64url_encode");
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_printf(&b, "acmed-fleet-account 1\nnode %s\nthumbprint %s\n"
	    "key %s\n", fl.node, n->thumb, key);
	free(key);
	k = fkey("account/%s", o->a->name);
	if (etcd_create(fl.ec, k, b.data, b.len, 0, acct_created, n) == -1)
		acct_failed(n, NULL);
	free(k);
	buf_free(&b);
}

/* The fleet's account: this node's key, or the parent adopts it. */
static void
acct_compare(struct np_op *n, const struct etcd_kv *kv)
{
	struct buf	 b;
	unsigned char	*sealed;
	size_t		 len;
	char		*thumb, *node;

	thumb = rec_get(kv->value, kv->valuelen, "thumbprint");
	node = rec_get(kv->value, kv->valuelen, "node");
	if (thumb != NULL && strcmp(thumb, n->thumb) == 0) {
		free(thumb);
		free(node);
		acct_done(n, FA_OK);
		return;
	}
	if (thumb == NULL || rec_key(kv->value, kv->valuelen, &sealed,
	    &len) == -1) {
		log_warnx("fleet: %s is not an account record", kv->key);
		free(thumb);
		free(node);
		acct_done(n, FA_UNKNOWN);
		return;
	}
	log_warnx("fleet: authority %s: the fleet's account key (from node "
	    "%s) is not this node's: adopting it", n->op.a->name,
	    node ? node : "?");
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, n->op.a->id);
	buf_add_lstr(&b, node ? node : "");
	buf_add_blob(&b, sealed, len);
	(void)np_send(&np_parent, MSG_FLEET_ACCOUNT, 0, &b);
	buf_free(&b);
	free(sealed);
	free(thumb);
	free(node);
	acct_done(n, FA_ADOPTING);
}

static void
acct_ranged(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;

	if (!r->ok)
		acct_failed(n, r);
	else if (r->nkvs > 0)
		acct_compare(n, &r->kvs[0]);
	else
		peers_seal(&n->op, n->op.a->keyid, KEY_ROLE_ACCOUNT,
		    n->op.a->name, acct_sealed);
}

static void
acct_thumb(struct acme_op *o)
{
	struct np_op	*n = nop(o);
	char		*k;

	if (o->ans.rc == -1 || o->ans.data == NULL) {
		log_warnx("fleet: authority %s: no thumbprint: %s",
		    o->a->name, o->ans.data ? o->ans.data : "refused");
		acct_done(n, FA_UNKNOWN);
		return;
	}
	free(n->thumb);
	if ((n->thumb = strdup(o->ans.data)) == NULL)
		fatal("strdup");
	k = fkey("account/%s", o->a->name);
	if (etcd_range(fl.ec, k, 0, acct_ranged, n) == -1)
		acct_failed(n, NULL);
	free(k);
}

static void
acct_check(void *arg)
{
	struct np_op	*n = arg;

	if (fl.lease == 0) {
		ev_timer_set(&n->timer, 1000, acct_check, n);
		return;
	}
	((struct np_authority *)n->op.a->shell)->fleet_acct = FA_CHECKING;
	np_io.thumbprint(&n->op, n->op.a->keyid, acct_thumb);
}

/* Every authority's account is looked at, once etcd answers. */
static void
accounts_check(void)
{
	struct np_authority	*na;
	struct np_op		*n;

	for (na = np_authorities; na != NULL; na = na->next) {
		if (na->fleet_acct != FA_UNKNOWN || na->fleet_check != NULL)
			continue;
		if ((n = calloc(1, sizeof(*n))) == NULL)
			fatal("calloc");
		n->op.kind = ACME_ISSUE;
		n->op.a = &na->a;
		n->op.shell = n;
		na->fleet_check = n;
		acct_check(n);
	}
}

/* An order waits for the node to count among the fleet's. */
static void
step_account(void *arg)
{
	struct np_op		*n = arg;
	struct np_authority	*na = n->op.a->shell;

	if (na->fleet_acct == FA_ADOPTING) {
		decline(n, "fleet-account", "fleet: adopting the fleet's "
		    "account for authority %s", n->op.a->name);
		return;
	}
	if (fl.lease == 0 || !fl.settled || na->fleet_acct != FA_OK) {
		if (time(NULL) >= n->fleet_until) {
			unreachable(n, NULL);
			return;
		}
		ev_timer_set(&n->timer, FLEET_POLL_MS, step_account, n);
		return;
	}
	step_cert(n);
}

/*
 * A certificate record this node should install rather than order: for
 * the same names, and newer than the one installed.
 */
static int
cert_usable(struct np_op *n, const struct etcd_kv *kv)
{
	struct buf	 b;
	char		*names, *na;
	long long	 notafter;
	int		 ok;

	names = rec_get(kv->value, kv->valuelen, "names");
	na = rec_get(kv->value, kv->valuelen, "notafter");
	buf_init(&b, MSG_NAMES_MAX);
	buf_add_join(&b, n->op.names, n->op.nnames, " ");
	notafter = na ? strtoll(na, NULL, 10) : 0;
	ok = names != NULL && strcmp(names, buf_cstr(&b)) == 0 &&
	    notafter > (long long)n->op.due &&
	    notafter > (long long)time(NULL);
	free(names);
	free(na);
	buf_free(&b);
	return ok;
}

/* P DIR/HANDLE, for cb; the order ends if it cannot be asked. */
static void
handle_range(struct np_op *n, const char *dir, etcd_cb *cb)
{
	char	*k;

	k = fkey("%s/%s", dir, n->handle);
	if (etcd_range(fl.ec, k, 0, cb, n) == -1)
		unreachable(n, NULL);
	free(k);
}

/* The fleet's certificate to the parent, which opens its key. */
static void
deliver(struct np_op *n, const struct etcd_kv *kv)
{
	struct buf	 b;
	unsigned char	*sealed;
	const char	*chain;
	char		*node;
	size_t		 len, clen;

	if ((chain = rec_body(kv->value, kv->valuelen, &clen)) == NULL ||
	    rec_key(kv->value, kv->valuelen, &sealed, &len) == -1) {
		decline(n, "fleet", "fleet: %s is not a certificate record",
		    kv->key);
		return;
	}
	node = rec_get(kv->value, kv->valuelen, "node");
	log_info("fleet: %s: the certificate node %s ordered", n->handle,
	    node ? node : "?");
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, n->op.domid);
	buf_add_lstr(&b, node ? node : "");
	buf_add_blob(&b, sealed, len);
	if (buf_add_blob(&b, chain, clen) == -1 ||
	    np_send(&np_parent, MSG_FLEET_CERT, 0, &b) == -1) {
		buf_free(&b);
		free(sealed);
		free(node);
		decline(n, "fleet", "fleet: %s: the record is too large",
		    kv->key);
		return;
	}
	buf_free(&b);
	free(sealed);
	free(node);
	np_op_free(n);
}

static void
unlocked_then_deliver(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;

	(void)r;
	lock_said(n, 0);
	n->fence = 0;
	step_cert(n);
}

static void
order_ranged(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;
	struct acme_op	*o = &n->op;

	if (!r->ok) {
		/* The lock goes with the lease, or with the next order. */
		unreachable(n, r);
		return;
	}
	if (r->nkvs > 0 && r->kvs[0].valuelen > 0 &&
	    r->kvs[0].valuelen <= MSG_URL_MAX &&
	    (o->order_url == NULL ||
	    strcmp(o->order_url, r->kvs[0].value) != 0)) {
		free(o->order_url);
		if ((o->order_url = strdup(r->kvs[0].value)) == NULL)
			fatal("strdup");
		log_info("fleet: %s: resuming the fleet's order %s",
		    n->handle, o->order_url);
	}
	np_issue_go(n);
}

static void
locked_cert(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;
	char		*k;

	if (r->ok && r->nkvs > 0 && cert_usable(n, &r->kvs[0])) {
		/* Finished meanwhile: the lock goes back. */
		k = fkey("lock/%s", n->handle);
		if (etcd_delete_fenced(fl.ec, k, n->fence, k, 0,
		    unlocked_then_deliver, n) == -1)
			unlocked_then_deliver(n, NULL);
		free(k);
		return;
	}
	handle_range(n, "order", order_ranged);
}

static void
lock_created(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;

	if (!r->ok) {
		unreachable(n, r);
		return;
	}
	if (!r->succeeded) {
		decline(n, "fleet-locked", "fleet: node %.*s is ordering it",
		    r->nkvs > 0 ? (int)r->kvs[0].valuelen : 1,
		    r->nkvs > 0 ? r->kvs[0].value : "?");
		return;
	}
	n->fence = r->revision;
	log_debug("fleet: %s: lock taken at revision %lld", n->handle,
	    (long long)n->fence);
	lock_said(n, 1);
	handle_range(n, "cert", locked_cert);
}

static void
cert_ranged(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;
	char		*k;

	if (!r->ok) {
		unreachable(n, r);
		return;
	}
	if (r->nkvs > 0 && cert_usable(n, &r->kvs[0])) {
		deliver(n, &r->kvs[0]);
		return;
	}
	if (fl.lease == 0) {
		unreachable(n, NULL);
		return;
	}
	k = fkey("lock/%s", n->handle);
	if (etcd_create(fl.ec, k, fl.node, strlen(fl.node), fl.lease,
	    lock_created, n) == -1)
		unreachable(n, NULL);
	free(k);
}

static void
step_cert(struct np_op *n)
{
	handle_range(n, "cert", cert_ranged);
}

/* --- while the order runs --- */

/* The order's URL, kept for the node that takes over. */
void
fleet_order_url(struct acme_op *o, const char *url)
{
	struct np_op	*n = nop(o);
	char		*lock, *k;

	if (n->fence == 0)
		return;
	lock = fkey("lock/%s", n->handle);
	k = fkey("order/%s", n->handle);
	if (etcd_put_fenced(fl.ec, lock, n->fence, k, url, strlen(url), 0,
	    ignore, NULL) == -1)
		log_warnx("fleet: %s: order URL not kept", n->handle);
	free(lock);
	free(k);
}

static void	acks_check(void *);

/*
 * The shared answer's end: confirmed, or the order ends here, its answer
 * withdrawn from this node's challenged too, with why.
 */
static void
answer(struct np_op *n, int rc, const char *why)
{
	if (rc == -1) {
		acme_fail(&n->op, "fleet-lost", "%s", why);
		if (n->share_alpn)
			np_io.chal_alpn_del(n->share_what);
		else
			np_io.chal_del(n->share_what);
	}
	free(n->share_what);
	n->share_what = NULL;
	acme_answer_clear(&n->op.ans);
	n->op.ans.rc = rc;
	if (why != NULL)
		n->op.ans.data = strdup(why);
	n->fleet_then(&n->op);
}

/* Every node alive has confirmed the answer, or the wait is over. */
static void
acks_ranged(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;
	struct buf	 missing;
	const char	*p, *e;
	char		*k, why[512];
	size_t		 i, plen = strlen(n->ack_prefix);
	int		 found;

	buf_init(&missing, MSG_TEXT_MAX);
	for (p = n->nodes; r->ok && *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) == strlen(fl.node) &&
		    strncmp(p, fl.node, e - p) == 0)
			continue;
		found = 0;
		for (i = 0; i < r->nkvs && !found; i++) {
			k = r->kvs[i].key + plen;
			found = strlen(k) == (size_t)(e - p) &&
			    strncmp(k, p, e - p) == 0;
		}
		if (!found) {
			buf_add(&missing, " ", 1);
			buf_add(&missing, p, e - p);
		}
	}
	if (r->ok && missing.len == 0) {
		buf_free(&missing);
		answer(n, 0, NULL);
		return;
	}
	/* Cut off from etcd, the lock is gone with the lease. */
	if (fl.lease == 0 || (!r->ok && time(NULL) >= n->fleet_until)) {
		snprintf(why, sizeof(why), "fleet: %s: not validated: %s",
		    n->handle, fl.lease == 0 ? "the lease is lost" :
		    "etcd unreachable");
		buf_free(&missing);
		answer(n, -1, why);
		return;
	}
	if (time(NULL) >= n->fleet_until) {
		log_warnx("fleet: %s: not confirmed by%s in %d s; going on",
		    n->handle, buf_cstr(&missing), FLEET_ACK_WAIT);
		buf_free(&missing);
		answer(n, 0, NULL);
		return;
	}
	buf_free(&missing);
	ev_timer_set(&n->timer, FLEET_POLL_MS, acks_check, n);
}

static void
nodes_ranged(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;
	struct buf	 b;
	size_t		 i, plen;
	char		*k;

	if (!r->ok) {
		acks_ranged(n, r);
		return;
	}
	k = fkey("nodes/");
	plen = strlen(k);
	free(k);
	buf_init(&b, MSG_PAYLOAD_MAX);
	for (i = 0; i < r->nkvs; i++) {
		buf_add_str(&b, r->kvs[i].key + plen);
		buf_add(&b, "\n", 1);
	}
	free(n->nodes);
	n->nodes = strdup(buf_cstr(&b));
	buf_free(&b);
	if (n->nodes == NULL)
		fatal("strdup");
	if (etcd_range(fl.ec, n->ack_prefix, 1, acks_ranged, n) == -1)
		ev_timer_set(&n->timer, FLEET_POLL_MS, acks_check, n);
}

static void
acks_check(void *arg)
{
	struct np_op	*n = arg;
	char		*k;

	k = fkey("nodes/");
	if (etcd_range(fl.ec, k, 1, nodes_ranged, n) == -1)
		ev_timer_set(&n->timer, FLEET_POLL_MS, acks_check, n);
	free(k);
}

static void
shared_put(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;
	char		 why[512];

	if (!r->ok || !r->succeeded) {
		snprintf(why, sizeof(why), "fleet: %s: the answer was not "
		    "shared: %s", n->handle, !r->ok ? r->err :
		    "the lock is no longer this node's");
		answer(n, -1, why);
		return;
	}
	n->fleet_until = time(NULL) + FLEET_ACK_WAIT;
	acks_check(n);
}

/*
 * challenged serves an answer here: it is put in etcd for the other
 * nodes, and the order goes on when they all serve it too.
 */
void
fleet_share(struct acme_op *o, int alpn, const char *what,
    const char *keyauth, acme_fn fn)
{
	struct np_op	*n = nop(o);
	struct buf	 b;
	char		*lock, *k;
	int		 rc;

	n->fleet_then = fn;
	if (o->ans.rc == -1 || n->fence == 0 || n->nshared >= ACME_MAX_AUTHZ) {
		fn(o);
		return;
	}
	free(n->share_what);
	if ((n->share_what = strdup(what)) == NULL)
		fatal("strdup");
	n->share_alpn = alpn;
	k = fkey("chal/%s/%s", alpn ? "alpn" : "http", what);
	free(n->ack_prefix);
	n->ack_prefix = fkey("ack/%s/%s/", alpn ? "alpn" : "http", what);
	n->shared[n->nshared++] = k;
	lock = fkey("lock/%s", n->handle);
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_printf(&b, "%s\n%s", fl.node, keyauth);
	rc = etcd_put_fenced(fl.ec, lock, n->fence, k, b.data, b.len,
	    fl.lease, shared_put, n);
	buf_free(&b);
	free(lock);
	if (rc == -1)
		answer(n, -1, "fleet: the answer was not shared");
}

static void
gate_passed(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;
	struct acme_op	*o = &n->op;

	if (!r->ok || !r->succeeded) {
		acme_fail(o, "fleet-lost", "fleet: %s: not finalized: %s",
		    n->handle, !r->ok ? r->err : "the lock is no longer this "
		    "node's");
		acme_end(o, -1);
		return;
	}
	n->fleet_then(o);
}

/*
 * Before the CSR, and so before the order is finalized: a write fenced
 * by the lock proves it is still this node's.
 */
void
fleet_csr_gate(struct acme_op *o, acme_fn then)
{
	struct np_op	*n = nop(o);
	char		*lock, *k;
	const char	*url = o->order_url ? o->order_url : "";
	int		 rc;

	n->fleet_then = then;
	lock = fkey("lock/%s", n->handle);
	k = fkey("order/%s", n->handle);
	rc = etcd_put_fenced(fl.ec, lock, n->fence, k, url, strlen(url), 0,
	    gate_passed, n);
	free(lock);
	free(k);
	if (rc == -1) {
		acme_fail(o, "fleet-lost", "fleet: %s: not finalized: etcd "
		    "unreachable", n->handle);
		acme_end(o, -1);
	}
}

/* --- the end: the certificate shared, the lock given back --- */

static void
end_unlocked(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;

	if (r == NULL || !r->ok)
		log_debug("fleet: %s: lock left to its lease", n->handle);
	lock_said(n, 0);
	n->fence = 0;
	n->fleet_then(&n->op);
}

static void
end_cleanup(struct np_op *n)
{
	char	*lock, *k;
	size_t	 i;

	lock = fkey("lock/%s", n->handle);
	for (i = 0; i < n->nshared; i++) {
		(void)etcd_delete_fenced(fl.ec, lock, n->fence, n->shared[i],
		    0, ignore, NULL);
		/* P chal/KIND/WHAT: its confirmations, P ack/KIND/WHAT/ */
		k = fkey("ack/%s/", n->shared[i] + strlen(fl.prefix) + 5);
		(void)etcd_delete(fl.ec, k, 1, ignore, NULL);
		free(k);
	}
	if (etcd_delete_fenced(fl.ec, lock, n->fence, lock, 0, end_unlocked,
	    n) == -1)
		end_unlocked(n, NULL);
	free(lock);
}

static void
end_put(void *arg, const struct etcd_result *r)
{
	struct np_op	*n = arg;
	char		*lock, *k;

	if (!r->ok || !r->succeeded)
		log_warnx("fleet: %s: the certificate was not shared: %s",
		    n->handle, !r->ok ? r->err : "the lock is no longer this "
		    "node's");
	else {
		log_info("fleet: %s: the certificate is shared", n->handle);
		lock = fkey("lock/%s", n->handle);
		k = fkey("order/%s", n->handle);
		(void)etcd_delete_fenced(fl.ec, lock, n->fence, k, 0, ignore,
		    NULL);
		free(lock);
		free(k);
	}
	end_cleanup(n);
}

static void
end_sealed(struct acme_op *o)
{
	struct np_op	*n = nop(o);
	struct buf	 b;
	time_t		 nb, na;
	char		*key, *lock, *k;
	int		 prov;

	if (o->ans.rc == -1 || x509_leaf_info(o->chain, o->chainlen, &nb, &na,
	    &prov, NULL, 0, NULL) == -1) {
		log_warnx("fleet: %s: the certificate was not shared: %s",
		    n->handle, o->ans.rc == -1 && o->ans.data ? o->ans.data :
		    "its leaf was not read");
		end_cleanup(n);
		return;
	}
	if ((key = b64url_encode(o->ans.data, o->ans.len)) == NULL)
		fatal("b64url_encode");
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_printf(&b, "acmed-fleet-certificate 1\nnode %s\nnotafter %lld\n"
	    "names ", fl.node, (long long)na);
	buf_add_join(&b, o->names, o->nnames, " ");
	buf_printf(&b, "\nkey %s\n\n", key);
	buf_add(&b, o->chain, o->chainlen);
	free(key);
	lock = fkey("lock/%s", n->handle);
	k = fkey("cert/%s", n->handle);
	if (etcd_put_fenced(fl.ec, lock, n->fence, k, b.data, b.len, 0,
	    end_put, n) == -1) {
		log_warnx("fleet: %s: the certificate was not shared",
		    n->handle);
		end_cleanup(n);
	}
	free(lock);
	free(k);
	buf_free(&b);
}

/*
 * An order ends: an issued certificate goes to etcd with its key sealed,
 * the answers are withdrawn and the lock given back; then fn.
 */
void
fleet_end(struct acme_op *o, acme_fn fn)
{
	struct np_op	*n = nop(o);

	if (n->fence == 0) {
		fn(o);
		return;
	}
	n->fleet_then = fn;
	ev_timer_stop(&n->timer);
	if (o->rc == 0)
		peers_seal(o, o->keyid, KEY_ROLE_DOMAIN, o->names[0],
		    end_sealed);
	else
		end_cleanup(n);
}
