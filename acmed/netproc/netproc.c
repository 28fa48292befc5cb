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
 * netproc: the only process that speaks ACME.
 *
 * Holds: the authorities' directory URLs, account URLs, the CA
 * certificates it trusts for each (read from descriptors the parent
 * passes), a pool of fresh nonces per authority, the orders it was
 * given, waiting or under way, and whatever the authority answers; with
 * a cluster block, the node's name, etcd's endpoints, its CA and the
 * client certificate and key for TLS to etcd (np_cluster).
 * Does: one poll loop (ev.c) runs every HTTPS request (libcurl's multi
 * interface, http.c), the three channels and the timers; each order is a
 * state machine (acme_order.c) that advances when its answer arrives, so
 * every order is in flight at once, up to "max orders" per authority,
 * which start in the order of their certificates' deadlines.  Asks
 * keyproc for every signature and CSR, and challenged to publish and
 * withdraw key authorizations, many requests at once, each with its id;
 * for dns-01, the parent to have the dns hook publish and remove the
 * records, and the zones' servers whether they serve them (dnscheck.c);
 * hands every order's URL to the parent as soon as it is known, and
 * issued chains when they come; checks deployments (verify.c) and,
 * before a name's first order, whether its port 80 reaches this instance
 * (preflight_fetch.c).
 * Never: holds a private key but etcd's client key, which serves TLS to
 * etcd only and is wiped as netproc exits; sees any file but copies of
 * the resolver's (its root holds nothing else), binds a socket, sleeps,
 * or waits on one request or one peer while others could go on.  Runs
 * as its own unprivileged user.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "sandbox.h"
#include "http.h"
#include "netproc.h"
#include "fleet.h"
#include "preflight_fetch.h"
#include "verify.h"

static void	parent_dispatch(struct imsg *);

struct np_chan	 np_parent = { .name = "the parent",
    .dispatch = parent_dispatch };
struct np_chan	 np_keyproc = { .name = "keyproc",
    .dispatch = peers_dispatch_keyproc };
struct np_chan	 np_chald = { .name = "challenged",
    .dispatch = peers_dispatch_chald };

struct np_authority		*np_authorities;
static int			 ready;
struct np_cluster		*np_cluster;

/*
 * SIGTERM: the parent stops netproc, which leaves at once, whatever it is
 * doing.  An order in flight may wait on the authority for minutes; its
 * URL is saved, and the next start resumes it.
 */
static void
stop_now(int sig)
{
	(void)sig;
	if (np_cluster != NULL && np_cluster->key != NULL)
		explicit_bzero(np_cluster->key, np_cluster->key_len);
	_exit(0);
}

static void	chan_ready(int, short, void *);

/* Reads the channel always, and writes it while anything is queued. */
static void
chan_watch(struct np_chan *c)
{
	short	 ev = POLLIN;

	if (ichan_queued(c->c) > 0)
		ev |= POLLOUT;
	if (ev_fd(ichan_fd(c->c), ev, chan_ready, c) == -1)
		fatal("%s", c->name);
}

/*
 * Queues a message and writes what the channel takes now; the loop
 * writes the rest.  -1 (logged) if a field does not fit, which ends only
 * the request it was for; a channel that fails ends netproc.
 */
int
np_send(struct np_chan *c, uint32_t type, uint32_t peerid,
    const struct buf *b)
{
	if (msg_compose(c->c, type, peerid, -1, b) == -1) {
		if (errno == EMSGSIZE)
			return -1;
		fatal("message %s to %s", msg_name(type), c->name);
	}
	if (ichan_flush(c->c) == -1)
		fatal("message %s to %s", msg_name(type), c->name);
	chan_watch(c);
	return 0;
}

/* Handles the messages read, until the channel is held. */
static void
chan_drain(struct np_chan *c)
{
	struct imsg	 m;
	int		 r;

	while (!c->held && (r = ichan_get(c->c, &m)) != 0) {
		if (r == -1 || msg_check(&m) == -1)
			fatalx("malformed %s from %s", r == -1 ? "message" :
			    msg_name(m.hdr.type), c->name);
		c->dispatch(&m);
		imsg_clear(&m);
	}
}

static void
chan_ready(int fd, short revents, void *arg)
{
	struct np_chan	*c = arg;
	ssize_t		 n = 1;

	(void)fd;
	if ((revents & POLLOUT) && ichan_flush(c->c) == -1)
		fatal("%s", c->name);
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		n = ichan_read(c->c);
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
			fatal("%s", c->name);
		chan_drain(c);
		if (n == 0) {
			if (c == &np_parent)
				exit(0);
			fatalx("%s closed its channel", c->name);
		}
	}
	chan_watch(c);
}

/* Reads the CA certificates the parent opened for an authority. */
static int
read_ca(int fd, struct acme_authority *a, char **pem, size_t *len)
{
	struct buf	 b;
	char		 chunk[16384];
	ssize_t		 n;

	buf_init(&b, NETPROC_CA_MAX);
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("authority %s: CA file", a->name);
			buf_free(&b);
			return -1;
		}
		if (n == 0)
			break;
		if (buf_add(&b, chunk, (size_t)n) == -1) {
			log_warnx("authority %s: CA file larger than %d bytes",
			    a->name, NETPROC_CA_MAX);
			buf_free(&b);
			return -1;
		}
	}
	*pem = buf_release(&b, len);
	return *pem ? 0 : -1;
}

/* An empty string as NULL. */
static char *
nonempty(char *s)
{
	if (s != NULL && *s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

static void
recv_authority(struct imsg *m)
{
	struct np_authority	*na;
	struct acme_authority	*a;
	struct rbuf		 r;
	char			*pem;
	size_t			 len;

	if ((na = calloc(1, sizeof(*na))) == NULL)
		fatal("calloc");
	a = &na->a;
	acme_authority_init(a);
	TAILQ_INIT(&na->queued);
	a->shell = na;
	rbuf_init(&r, m->data, m->datalen);
	a->id = rbuf_u32(&r);
	a->name = rbuf_str(&r, MSG_NAME_MAX);
	a->api_url = rbuf_str(&r, MSG_URL_MAX);
	a->contact = nonempty(rbuf_str(&r, MSG_CONTACT_MAX));
	a->account_url = nonempty(rbuf_str(&r, MSG_URL_MAX));
	a->keyid = rbuf_u32(&r);
	a->key_existed = rbuf_u32(&r);
	a->eab = rbuf_u32(&r) != 0;
	na->max_orders = rbuf_u32(&r);
	if (rbuf_end(&r) == -1 || na->max_orders < 1 ||
	    na->max_orders > MSG_ORDERS_MAX)
		fatalx("malformed AUTHORITY from the parent");
	if (read_ca(m->fd, a, &pem, &len) == -1)
		fatalx("authority %s: no CA certificates", a->name);
	if ((a->http = http_new(pem, len, "acmed/" ACMED_VERSION)) == NULL)
		fatalx("authority %s: HTTPS client", a->name);
	free(pem);
	na->next = np_authorities;
	np_authorities = na;
}

/* A PEM blob of the cluster block's, NUL-terminated. */
static char *
cluster_pem(struct rbuf *r, size_t *len)
{
	const uint8_t	*p;
	char		*s;

	p = rbuf_blob(r, len, MSG_ETCD_PEM_MAX);
	if (r->bad || (s = malloc(*len + 1)) == NULL)
		return NULL;
	memcpy(s, p, *len);
	s[*len] = '\0';
	return s;
}

/* Endpoints "\n"-separated, as the message carries them. */
static int
cluster_endpoints(struct np_cluster *c, const char *s)
{
	const char	*e;

	while (*s != '\0') {
		if (c->nendpoints == MSG_ETCD_COUNT)
			return -1;
		e = s + strcspn(s, "\n");
		if (e == s || (c->endpoints[c->nendpoints++] =
		    strndup(s, (size_t)(e - s))) == NULL)
			return -1;
		s = *e == '\n' ? e + 1 : e;
	}
	return c->nendpoints > 0 ? 0 : -1;
}

/* The client key goes with the process, wherever it exits. */
static void
cluster_wipe(void)
{
	if (np_cluster != NULL && np_cluster->key != NULL)
		freezero(np_cluster->key, np_cluster->key_len);
	if (np_cluster != NULL)
		np_cluster->key = NULL;
}

static void
recv_cluster(struct imsg *m)
{
	struct np_cluster	*c;
	struct rbuf		 r;
	char			*urls;

	if (np_cluster != NULL)
		fatalx("a second CLUSTER from the parent");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("calloc");
	rbuf_init(&r, m->data, m->datalen);
	c->node = rbuf_str(&r, MSG_NODE_MAX);
	c->prefix = rbuf_str(&r, MSG_PREFIX_MAX);
	urls = rbuf_str(&r, MSG_ETCD_URLS_MAX);
	c->ca = cluster_pem(&r, &c->ca_len);
	c->cert = cluster_pem(&r, &c->cert_len);
	c->key = cluster_pem(&r, &c->key_len);
	/* the message itself holds the key too */
	explicit_bzero(m->data, m->datalen);
	np_cluster = c;
	if (rbuf_end(&r) == -1 || c->node == NULL || c->prefix == NULL ||
	    urls == NULL || c->ca == NULL || c->cert == NULL ||
	    c->key == NULL || cluster_endpoints(c, urls) == -1)
		fatalx("malformed CLUSTER from the parent");
	free(urls);
	if (atexit(cluster_wipe) != 0)
		fatal("atexit");
	log_debug("cluster: node %s, %zu etcd endpoints", c->node,
	    c->nendpoints);
}

static struct np_authority *
authority_byid(uint32_t id)
{
	struct np_authority	*na;

	for (na = np_authorities; na != NULL; na = na->next)
		if (na->a.id == id)
			return na;
	return NULL;
}

static struct np_op *
op_new(enum acme_kind kind, struct np_authority *na)
{
	struct np_op	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		fatal("calloc");
	n->op.kind = kind;
	n->op.a = &na->a;
	n->op.shell = n;
	return n;
}

/* The protocol's op is the first member: freeing it frees n. */
void
np_op_free(struct np_op *n)
{
	size_t	 i;

	ev_timer_stop(&n->timer);
	free(n->handle);
	free(n->thumb);
	for (i = 0; i < n->nshared; i++)
		free(n->shared[i]);
	free(n->ack_prefix);
	free(n->share_what);
	free(n->nodes);
	free(n->pub_what);
	free(n->pub_keyauth);
	acme_op_free(&n->op);
}

/* Names "\n"-separated, as messages carry them, into o->names. */
static int
split_names(const char *s, struct acme_op *o)
{
	const char	*p, *e;
	size_t		 count = 1;

	for (p = s; *p != '\0'; p++)
		if (*p == '\n')
			count++;
	if (count > ACME_MAX_AUTHZ || *s == '\0')
		return -1;
	if ((o->names = calloc(count, sizeof(char *))) == NULL)
		return -1;
	for (p = s; o->nnames < count; p = e + 1) {
		if ((e = strchr(p, '\n')) == NULL)
			e = p + strlen(p);
		if ((o->names[o->nnames++] = strndup(p, e - p)) == NULL)
			return -1;
	}
	return 0;
}

static void	admit(struct np_authority *);

/* An issuance's end: its chain, or why not, to the parent. */
static void
issue_send(struct acme_op *o)
{
	struct buf		 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (o->rc == 0) {
		buf_add_u32(&b, o->domid);
		if (buf_add_blob(&b, o->chain, o->chainlen) == 0 &&
		    np_send(&np_parent, MSG_CERT, 0, &b) == 0)
			goto out;
		acme_fail(o, "internal", "%s: the certificate chain is too "
		    "large", o->names[0]);
		o->rc = -1;
	}
	buf_reset(&b);
	buf_add_u32(&b, o->domid);
	buf_add_text(&b, o->error_type, MSG_PROBLEM_MAX);
	buf_add_text(&b, o->error ? o->error : "unknown failure",
	    MSG_TEXT_MAX);
	buf_add_i64(&b, o->retry_after);
	(void)np_send(&np_parent, MSG_ISSUE_FAILED, 0, &b);
 out:
	buf_free(&b);
}

static void
issue_done(struct acme_op *o)
{
	struct np_authority	*na = o->a->shell;

	issue_send(o);
	np_op_free(o->shell);
	na->running--;
	admit(na);
}

/* An issuance has ended: the fleet's part first. */
static void
issue_finish(struct acme_op *o)
{
	fleet_end(o, issue_done);
}

/* An order the fleet ended before it was queued. */
void
np_issue_declined(struct np_op *n)
{
	issue_send(&n->op);
	np_op_free(n);
}

/* Starts the queued orders an authority has room for. */
static void
admit(struct np_authority *na)
{
	struct np_op	*n;

	while (na->running < na->max_orders &&
	    (n = TAILQ_FIRST(&na->queued)) != NULL) {
		TAILQ_REMOVE(&na->queued, n, entry);
		na->running++;
		acme_start(&n->op);
	}
}

/* Queued in the order of the certificates' deadlines, then of arrival. */
static void
enqueue(struct np_authority *na, struct np_op *n)
{
	struct np_op	*p;

	TAILQ_FOREACH_REVERSE(p, &na->queued, np_ops, entry)
		if (p->op.due <= n->op.due)
			break;
	if (p == NULL)
		TAILQ_INSERT_HEAD(&na->queued, n, entry);
	else
		TAILQ_INSERT_AFTER(&na->queued, p, n, entry);
}

/*
 * The operation a message from the parent asks for, which begins with a
 * domain id and its authority's id; the rest is left in r.
 */
static struct np_op *
domain_op(struct imsg *m, enum acme_kind kind, struct rbuf *r)
{
	struct np_authority	*na;
	struct np_op		*n;
	uint32_t		 domid;

	rbuf_init(r, m->data, m->datalen);
	domid = rbuf_u32(r);
	if ((na = authority_byid(rbuf_u32(r))) == NULL)
		fatalx("malformed %s from the parent", msg_name(m->hdr.type));
	n = op_new(kind, na);
	n->op.domid = domid;
	return n;
}

static void
issue(struct imsg *m)
{
	struct np_op		*n;
	struct acme_op		*o;
	struct rbuf		 r;
	char			*names;
	uint32_t		 chal;

	n = domain_op(m, ACME_ISSUE, &r);
	o = &n->op;
	o->keyid = rbuf_u32(&r);
	names = rbuf_str(&r, MSG_NAMES_MAX);
	o->preferred_chain = nonempty(rbuf_str(&r, MSG_CHAIN_NAME_MAX));
	o->replaces = nonempty(rbuf_str(&r, MSG_CERTID_MAX));
	o->order_url = nonempty(rbuf_str(&r, MSG_URL_MAX));
	o->due = (time_t)rbuf_i64(&r);
	o->profile = nonempty(rbuf_str(&r, MSG_PROFILE_MAX));
	o->profile_required = rbuf_u32(&r) != 0;
	chal = rbuf_u32(&r);
	o->dns_wait = rbuf_u32(&r);
	n->handle = rbuf_str(&r, MSG_NAME_MAX);
	if (rbuf_end(&r) == -1 || split_names(names, o) == -1 ||
	    chal > ACME_CHAL_DNS01)
		fatalx("malformed ISSUE from the parent");
	o->challenge = (enum acme_chal)chal;
	free(names);
	o->finish = issue_finish;
	if (fleet_on())
		fleet_issue(n);
	else
		np_issue_go(n);
}

/* An order queued, and started when its authority has room. */
void
np_issue_go(struct np_op *n)
{
	struct np_authority	*na = n->op.a->shell;

	enqueue(na, n);
	admit(na);
}

static void
window_finish(struct acme_op *o)
{
	struct buf	 b;

	buf_init(&b, 64);
	buf_add_u32(&b, o->domid);
	buf_add_i64(&b, (int64_t)o->win_start);
	buf_add_i64(&b, (int64_t)o->win_end);
	buf_add_i64(&b, (int64_t)o->retry_after);
	buf_add_u32(&b, o->win_none);
	(void)np_send(&np_parent, MSG_RENEWAL_WINDOW, 0, &b);
	buf_free(&b);
	np_op_free(o->shell);
}

/* A leaf (DER) of an authority's, for a revocation or a look-up. */
static void
take_leaf(struct rbuf *r, struct acme_op *o)
{
	const uint8_t	*der;

	der = rbuf_blob(r, &o->derlen, MSG_CERT_DER_MAX);
	if (r->bad || o->derlen == 0 || (o->der = malloc(o->derlen)) == NULL)
		fatalx("no leaf certificate from the parent");
	memcpy(o->der, der, o->derlen);
}

/* The authority's suggested renewal window for one installed leaf. */
static void
renewal_info(struct imsg *m)
{
	struct np_op		*n;
	struct rbuf		 r;

	n = domain_op(m, ACME_RENEWAL_INFO, &r);
	take_leaf(&r, &n->op);
	if (rbuf_end(&r) == -1)
		fatalx("malformed RENEWAL_INFO from the parent");
	n->op.finish = window_finish;
	acme_start(&n->op);
}

/*
 * The answer to a one-off request (REVOKE, ROLLOVER, DEACTIVATE): the id,
 * whether it was done, and the error if not.
 */
static void
result_finish(struct acme_op *o)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, o->kind == ACME_REVOKE ? o->domid : o->a->id);
	buf_add_u32(&b, o->rc == 0);
	buf_add_text(&b, o->rc == 0 ? "" : o->error ? o->error :
	    "unknown failure", MSG_TEXT_MAX);
	(void)np_send(&np_parent, o->kind == ACME_REVOKE ? MSG_REVOKE_RESULT :
	    o->kind == ACME_DEACTIVATE ? MSG_DEACTIVATE_RESULT :
	    MSG_ROLLOVER_RESULT, 0, &b);
	buf_free(&b);
	np_op_free(o->shell);
}

/* MSG_REVOKE: revoke a leaf, answer MSG_REVOKE_RESULT. */
static void
revoke_request(struct imsg *m)
{
	struct np_op		*n;
	struct acme_op		*o;
	struct rbuf		 r;

	n = domain_op(m, ACME_REVOKE, &r);
	o = &n->op;
	o->keyid = rbuf_u32(&r);
	o->cert_key = rbuf_u32(&r) != 0;
	if ((o->names = calloc(1, sizeof(char *))) == NULL)
		fatal("calloc");
	o->names[0] = rbuf_str(&r, MSG_NAME_MAX);
	o->nnames = 1;
	take_leaf(&r, o);
	o->reason = rbuf_u32(&r);
	if (rbuf_end(&r) == -1)
		fatalx("malformed REVOKE from the parent");
	o->finish = result_finish;
	acme_start(o);
}

/* A one-off operation on the account of na, named by the authority. */
static struct acme_op *
account_op(enum acme_kind kind, struct np_authority *na)
{
	struct acme_op	*o = &op_new(kind, na)->op;

	if ((o->names = calloc(1, sizeof(char *))) == NULL ||
	    (o->names[0] = strdup(na->a.name)) == NULL)
		fatal("calloc");
	o->nnames = 1;
	o->finish = result_finish;
	return o;
}

/* MSG_ROLLOVER: change an account's key, answer MSG_ROLLOVER_RESULT. */
static void
rollover_request(struct imsg *m)
{
	struct np_authority	*na;
	struct acme_op		*o;
	struct rbuf		 r;
	uint32_t		 authid;

	rbuf_init(&r, m->data, m->datalen);
	authid = rbuf_u32(&r);
	if ((na = authority_byid(authid)) == NULL)
		fatalx("malformed ROLLOVER from the parent");
	o = account_op(ACME_KEY_CHANGE, na);
	o->new_keyid = rbuf_u32(&r);
	o->new_existed = rbuf_u32(&r) != 0;
	if (rbuf_end(&r) == -1)
		fatalx("malformed ROLLOVER from the parent");
	acme_start(o);
}

/* MSG_DEACTIVATE: deactivate an account, answer MSG_DEACTIVATE_RESULT. */
static void
deactivate_request(struct imsg *m)
{
	struct np_authority	*na;
	struct rbuf		 r;

	rbuf_init(&r, m->data, m->datalen);
	if ((na = authority_byid(rbuf_u32(&r))) == NULL ||
	    rbuf_end(&r) == -1)
		fatalx("malformed DEACTIVATE from the parent");
	acme_start(account_op(ACME_DEACTIVATE, na));
}

static void
verify_done(void *arg, const struct buf *b)
{
	(void)arg;
	(void)np_send(&np_parent, MSG_VERIFY_RESULT, 0, b);
}

static void
preflight_done(void *arg, const struct buf *b)
{
	(void)arg;
	(void)np_send(&np_parent, MSG_PREFLIGHT_RESULT, 0, b);
}

static void
parent_dispatch(struct imsg *m)
{
	if (!ready) {
		switch (m->hdr.type) {
		case MSG_AUTHORITY:
			recv_authority(m);
			return;
		case MSG_CLUSTER:
			recv_cluster(m);
			return;
		case MSG_READY:
			/* What follows waits until netproc is sandboxed. */
			ready = 1;
			np_parent.held = 1;
			return;
		case MSG_SHUTDOWN:
			exit(0);
		default:
			fatalx("unexpected %s from the parent",
			    msg_name(m->hdr.type));
		}
	}
	switch (m->hdr.type) {
	case MSG_ISSUE:
		issue(m);
		break;
	case MSG_VERIFY:
		verify_request_start(m, verify_done, NULL);
		break;
	case MSG_RENEWAL_INFO:
		renewal_info(m);
		break;
	case MSG_REVOKE:
		revoke_request(m);
		break;
	case MSG_ROLLOVER:
		rollover_request(m);
		break;
	case MSG_DEACTIVATE:
		deactivate_request(m);
		break;
	case MSG_PREFLIGHT:
		preflight_fetch(m, preflight_done, NULL);
		break;
	case MSG_DNS_RESULT:
		peers_dns_result(m);
		break;
	case MSG_SHUTDOWN:
		exit(0);
	default:
		fatalx("unexpected %s from the parent", msg_name(m->hdr.type));
	}
}

static struct np_chan *
chan_open(struct np_chan *c, int fd)
{
	if ((c->c = ichan_new(fd, IMSG_MAX_SIZE)) == NULL)
		fatal("channels");
	return c;
}

int
netproc_main(int debug, int verbose)
{
	struct buf	 b;

	(void)debug;
	log_procname("netproc");
	signal(SIGTERM, stop_now);
	chan_open(&np_parent, PROC_FD_PARENT);
	chan_open(&np_keyproc, PROC_FD_PEER1);
	chan_open(&np_chald, PROC_FD_PEER2);
	log_tochan(np_parent.c);
	log_setverbose(verbose);
	acme_set_io(&np_io);
	/*
	 * Before libcurl initialises libcrypto: no clean-up at exit, the
	 * process ends and takes everything with it.
	 */
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) ||
	    http_global_init() == -1)
		fatalx("libcurl initialisation failed");
	/* libtls writes with write(2): a peer gone must not be a signal */
	signal(SIGPIPE, SIG_IGN);

	/* The authorities, then READY. */
	chan_watch(&np_parent);
	while (!ready)
		if (ev_run_once(-1) == -1)
			fatal("poll");

	proc_confine(SANDBOX_NETPROC, PROC_FD_PEER2 + 1, np_parent.c);
	buf_init(&b, 16);
	np_send(&np_parent, MSG_READY, 0, &b);
	buf_free(&b);
	/*
	 * libcurl brings 36 libraries whose symbol tables and constructors
	 * were needed once: their pages go back to the page cache (about
	 * 3 MiB of the 11 MiB resident); code used later comes back as used.
	 */
	log_debug("start-up pages given back: %zu kB", proc_trim() / 1024);
	if (np_cluster != NULL)
		fleet_begin(np_cluster);

	chan_watch(&np_keyproc);
	chan_watch(&np_chald);
	np_parent.held = 0;
	chan_drain(&np_parent);
	for (;;)
		if (ev_run_once(-1) == -1)
			fatal("poll");
}
