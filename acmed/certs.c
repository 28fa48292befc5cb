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
 * The certificates the parent looks after: their state on disk, when each
 * is due, the orders given to netproc and what comes back (installation,
 * events, reload actions, renewal information, deployment checks).
 */
#include <sys/types.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "ident.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"
#include "text.h"
#include "trust.h"
#include "x509check.h"

#include <openssl/crypto.h>

#define RETRY_AFTER_MAX	(7 * 24 * 60 * 60)	/* the longest wait honoured */
#define RELOAD_TRIES	12	/* of a failed reload, until the next check */
#define RELOAD_DELAY	5	/* seconds before its first retry, doubling */
#define RELOAD_DELAY_MAX (60 * 60)
static void	issue_failed(struct dstate *, const char *, int64_t);
static void	installed(struct dstate *);
static void	ari_none_ended(time_t);
static void	fallback_started(struct dstate *);

static struct dstate	**byid;		/* by domain id; NULL if not managed */
static size_t		  nbyid;

/* The file the domain's leaf is read from: the full chain, or the leaf. */
static const char *
leaf_file(const struct domain *d)
{
	return d->fullchain ? d->fullchain : d->cert;
}

/* The index of dstates by domain id, made again after they change. */
void
dstates_index(void)
{
	size_t	 i;

	free(byid);
	nbyid = 1;
	for (i = 0; i < ndstates; i++)
		if (dstates[i].d->id >= nbyid)
			nbyid = (size_t)dstates[i].d->id + 1;
	if ((byid = calloc(nbyid, sizeof(*byid))) == NULL)
		fatal("calloc");
	for (i = 0; i < ndstates; i++)
		byid[dstates[i].d->id] = &dstates[i];
}

/* A domain's state by its id: every answer names one, so not a scan. */
struct dstate *
dstate_byid(uint32_t id)
{
	if (id >= nbyid)
		return NULL;
	return byid[id];
}

static struct authority *
authority_byid(uint32_t id)
{
	struct authority	*a;

	TAILQ_FOREACH(a, &conf->authorities, entry)
		if (a->id == id)
			return a;
	return NULL;
}

/*
 * A domain without a certificate gets a self-signed one at once, so the
 * services that use it can start; it is replaced when the real one comes.
 * Its key is made if it is missing, and dropped again unless an order
 * uses it.  0 if it was installed.
 */
static int
provisional_install(struct dstate *ds)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*pem;
	size_t		 len;
	char		*names, *e, err[TRUST_WHY_MAX + 256];
	int		 rc = -1;

	if (domain_key_hold(ds, DOMKEY_CERT, err, sizeof(err)) == -1)
		return -1;
	if ((names = names_joined(ds->d)) == NULL) {
		domain_key_release(ds);
		return -1;
	}
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, ds->keyid);
	buf_add_lstr(&b, names);
	buf_add_i64(&b, PROVISIONAL_DAYS);
	free(names);
	if (child_call(PROC_KEYPROC, MSG_SELF_SIGNED, &b, -1, 0, &m,
	    NULL) == -1)
		goto out;
	if (m.hdr.type != MSG_SELF_SIGNED_PEM) {
		e = key_error(&m);
		log_warnx("%s: provisional certificate: %s", ds->d->handle, e);
		free(e);
		imsg_clear(&m);
		goto out;
	}
	rbuf_init(&r, m.data, m.datalen);
	(void)rbuf_u32(&r);
	pem = rbuf_blob(&r, &len, MSG_PEM_MAX);
	if (rbuf_end(&r) == 0 && install_chain(ds, (const char *)pem,
	    len, 0) == 0) {
		log_info("%s: provisional self-signed certificate installed",
		    ds->d->handle);
		event_emit(conf, "provisional", ds, NULL);
		installed(ds);
		status_dirty = 1;
		rc = 0;
	}
	imsg_clear(&m);
out:
	buf_free(&b);
	if (!ds->issuing)
		domain_key_release(ds);
	return rc;
}

const char *
time_text(time_t t)
{
	static char	 s[32];
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		return "?";
	return s;
}

time_t
renewal_time(const struct dstate *ds)
{
	return sched_renewal_time(ds);
}

/*
 * -o leaves a certificate that is not due alone and says when it will
 * be, so that a pass run from cron tells what comes next.
 */
void
oneshot_not_due(struct dstate *ds)
{
	char	 expires[32];

	ds->result = 0;
	(void)strlcpy(expires, time_text(ds->not_after), sizeof(expires));
	log_info("%s: not due: expires %s, renewal due %s", ds->d->handle,
	    expires, time_text(renewal_time(ds)));
}

static int
renew_always(const struct dstate *ds)
{
	return ds->d->renew_before > 0 &&
	    ds->d->renew_before >= ds->not_after - ds->not_before;
}

static void
dstate_schedule(struct dstate *ds, time_t now)
{
	time_t	 t;

	if (ds->state != CERT_ISSUED) {
		ds->next = now;
		return;
	}
	t = renewal_time(ds);
	/*
	 * A "renew before" longer than the lifetime makes a certificate due
	 * as soon as it is issued: asking again at once would loop.  A
	 * single pass (-o) does what the file says.
	 */
	if (!oneshot && renew_always(ds) &&
	    t < ds->not_before + conf->check_interval)
		t = ds->not_before + conf->check_interval;
	if (t < now)
		t = now;
	if (t > now + conf->check_interval)
		t = now + sched_check_delay(conf);
	ds->next = t;
}

/* A time kept for a domain in the state directory's sub; 0 if none. */
static time_t
time_read(const struct dstate *ds, const char *sub)
{
	char		*s, *end;
	long long	 t;

	if ((s = state_read(conf->state_dir, sub, ds->d->handle)) == NULL)
		return 0;
	errno = 0;
	t = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || t < 0) {
		log_warnx("%s: %s/%s/%s.time: not a time, ignored",
		    ds->d->handle, conf->state_dir, sub, ds->d->handle);
		t = 0;
	}
	free(s);
	return (time_t)t;
}

/*
 * Keeps a time for a domain in the state directory's sub (0: forgets it);
 * 0, or -1 (logged).
 */
static int
time_write(const struct dstate *ds, const char *sub, time_t t)
{
	char	 s[32];

	if (t == 0)
		return state_remove(conf->state_dir, sub, ds->d->handle);
	(void)snprintf(s, sizeof(s), "%lld", (long long)t);
	return state_write(conf->state_dir, sub, ds->d->handle, s);
}

/*
 * The time before which the authority asked not to be asked again for a
 * domain, kept in the state directory so that a restart and the next -o
 * honour it too; 0 if none.  At most RETRY_AFTER_MAX from now.
 */
static time_t
retry_read(const struct dstate *ds)
{
	time_t	 t = time_read(ds, "retry"), now = time(NULL);

	if (t > now + RETRY_AFTER_MAX)
		t = now + RETRY_AFTER_MAX;
	return t;
}

/* Keeps the authority's Retry-After for a domain (0: forgets it). */
static void
retry_write(struct dstate *ds, time_t t)
{
	ds->retry_until = t;
	time_write(ds, "retry", t);
}

/*
 * At a check of an issued certificate that is not due, or on SIGUSR1: a
 * reload still owed is tried now (a new series of tries if the last one
 * ran out), and the deployment is checked again, so that what the status
 * says of both is never older than a check interval.
 */
static void
deploy_recheck(struct dstate *ds, time_t now)
{
	if (ds->reload_failing != 0) {
		if (ds->reload_retry == 0)
			ds->reload_tries = 0;
		ds->reload_retry = now;
	}
	if (!TAILQ_EMPTY(&ds->d->verifies) && ds->verify_pending == 0) {
		ds->verify_tries = 0;
		ds->verify_at = now;
	}
}

/*
 * Whether the authority allows an attempt now.  If not, the certificate
 * waits until it does; a one-shot pass counts it as failed.
 */
static int
retry_allowed(struct dstate *ds, time_t now)
{
	if (ds->retry_until <= now)
		return 1;
	log_warnx("%s: not asking the authority before %s, as its "
	    "Retry-After said", ds->d->handle, time_text(ds->retry_until));
	ds->next = ds->retry_until;
	status_dirty = 1;
	if (oneshot)
		ds->result = -1;
	return 0;
}

/*
 * Whether a certificate whose time has come must be requested now.  One
 * that was issued is read again from its file, which may have been
 * replaced or removed meanwhile; if it is not due yet it is only
 * scheduled again.  Nothing is requested before the authority's
 * Retry-After.
 */
int
dstate_due(struct dstate *ds, time_t now)
{
	const char	*path = leaf_file(ds->d);
	char		 why[TRUST_WHY_MAX + 256];

	/* Files acmed may neither read nor replace: the admin must know. */
	if (cert_files_check(ds->d, why, sizeof(why)) == -1) {
		ds->refused = 1;
		issue_failed(ds, why, 0);
		return 0;
	}
	/* -r may have revoked it meanwhile, beside the daemon; -F asked. */
	ds->revoked_at = time_read(ds, "revoked");
	ds->renew_asked = time_read(ds, "renew");
	if (ds->refused) {
		/* put right: what do they hold now? */
		ds->refused = 0;
		if (cert_file_info(ds, path) == -1)
			ds->state = CERT_MISSING;
	}
	if (ds->state != CERT_ISSUED)
		return retry_allowed(ds, now);
	if (cert_file_info(ds, path) == -1) {
		log_warnx("%s: %s: no certificate any more", ds->d->handle,
		    path);
		ds->state = CERT_MISSING;
		if (!oneshot)
			provisional_install(ds);
		return retry_allowed(ds, now);
	}
	if (ds->state == CERT_ISSUED && renewal_time(ds) > now &&
	    ds->renew_asked == 0) {
		dstate_schedule(ds, now);
		deploy_recheck(ds, now);
		if (oneshot)
			oneshot_not_due(ds);
		else
			log_debug("%s: not due before %s", ds->d->handle,
			    time_text(renewal_time(ds)));
		return 0;
	}
	if (ds->names_changed)
		log_info("%s: renewing before it is due: the certificate's names "
		    "are not the configured ones", ds->d->handle);
	else if (ds->state == CERT_ISSUED && renewal_time(ds) > now)
		log_info("%s: renewing before it is due, as acmed -F asked at "
		    "%s", ds->d->handle, time_text(ds->renew_asked));
	return retry_allowed(ds, now);
}

/*
 * -F: the renewal of a domain's certificate, due or not, is asked for in
 * the state directory, where the daemon (told by SIGUSR1) or this pass
 * finds it; it is kept until a new certificate is installed, across
 * failures and restarts.
 */
int
renew_ask(struct dstate *ds, time_t now)
{
	ds->renew_asked = now;
	ds->next = now;
	return time_write(ds, "renew", now);
}

/* Whether name is among the n names on the command line (all if none). */
int
name_selected(const char *name, char **names, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return n == 0;
}

static int
domain_selected(const struct domain *d)
{
	return name_selected(d->handle, only_domains, nonly_domains);
}

void
dstates_build(void)
{
	struct domain	*d;
	struct dstate	*ds;
	char		 why[TRUST_WHY_MAX + 256];
	size_t		 n = 0;
	time_t		 now = time(NULL);
	int		 orders, retry, revoked, reload, renew;
	int		 issuer, fallback;

	TAILQ_FOREACH(d, &conf->domains, entry)
		n++;
	/* Empty most of the time: not looked into once per domain then. */
	orders = !state_empty(conf->state_dir, "orders");
	retry = !state_empty(conf->state_dir, "retry");
	revoked = !state_empty(conf->state_dir, "revoked");
	reload = !state_empty(conf->state_dir, "reload");
	renew = !state_empty(conf->state_dir, "renew");
	issuer = !state_empty(conf->state_dir, "issuer");
	fallback = !state_empty(conf->state_dir, "fallback");
	if ((dstates = calloc(n ? n : 1, sizeof(*dstates))) == NULL)
		fatal("calloc");
	ndstates = 0;
	TAILQ_FOREACH(d, &conf->domains, entry) {
		if (!domain_selected(d))
			continue;
		ds = &dstates[ndstates++];
		ds->d = d;
		ds->keyid = KEYID_DOMAIN_BASE + d->id;
		ds->result = 1;
		/* Not read if refused: dstate_due() says why, as it fails. */
		ds->refused = cert_files_check(d, why, sizeof(why)) == -1;
		if (ds->refused || cert_file_info(ds, leaf_file(d)) == -1)
			ds->state = CERT_MISSING;
		ds->order_url = orders ? state_read(conf->state_dir,
		    "orders", d->handle) : NULL;
		ds->retry_until = retry ? retry_read(ds) : 0;
		ds->revoked_at = revoked ? time_read(ds, "revoked") : 0;
		ds->renew_asked = renew ? time_read(ds, "renew") : 0;
		fallback_load(ds, issuer, fallback);
		/*
		 * A reload owed since before, which failed at least once:
		 * tried again now (not by -r).
		 */
		if (reload &&
		    (ds->reload_failing = time_read(ds, "reload")) != 0) {
			ds->reload_tries = 1;
			if (!revoking)
				ds->reload_retry = now;
		}
		/* What the status says of the deployment is checked anew. */
		if (!oneshot && ds->state == CERT_ISSUED &&
		    !TAILQ_EMPTY(&d->verifies))
			ds->verify_at = now;
		sched_ari_first(ds, n, conf->check_interval, now);
		dstate_schedule(ds, now);
		if (ds->renew_asked != 0)
			ds->next = now;
	}
	dstates_index();
}

void
dstates_free(void)
{
	size_t	 i;

	for (i = 0; i < ndstates; i++) {
		free(dstates[i].last_error);
		free(dstates[i].verify_error);
		free(dstates[i].order_url);
		free(dstates[i].fleet_from);
		free(dstates[i].pubkey);
		OPENSSL_free(dstates[i].revoking);
	}
	free(dstates);
	dstates = NULL;
	ndstates = 0;
	free(byid);
	byid = NULL;
	nbyid = 0;
}

/*
 * The renewal information id (RFC 9773) of a domain's issued certificate,
 * for the "replaces" of the order that renews it; NULL if none.  An id
 * longer than its field (a long Authority Key Identifier, which a private
 * CA may use) is left out: the order is placed without it.
 */
static char *
cert_id(const struct dstate *ds)
{
	unsigned char	*der;
	size_t		 len;
	char		*id;

	if (ds->state != CERT_ISSUED ||
	    cert_leaf_der(leaf_file(ds->d), &der, &len) == -1)
		return NULL;
	id = x509_ari_id(der, len);
	OPENSSL_free(der);
	if (id != NULL && strlen(id) > MSG_CERTID_MAX) {
		log_debug("%s: the certificate's renewal information id has "
		    "%zu bytes (at most %d): the order does not name the "
		    "certificate it replaces", ds->d->handle, strlen(id),
		    MSG_CERTID_MAX);
		free(id);
		id = NULL;
	}
	return id;
}

/*
 * Gives netproc the order for a domain, and keyproc its key (made if it
 * is missing) for as long as the order runs.  An order that cannot be
 * sent is a failed attempt, retried with its backoff: the domain would
 * otherwise stay due, and the loop would try again at once, forever.
 */
void
issue_start(struct dstate *ds)
{
	struct authority	*auth = fallback_current(ds);
	struct buf		 b;
	char			*names, *replaces, err[TRUST_WHY_MAX + 256];
	int			 rc;

	if (domain_key_hold(ds, DOMKEY_ORDER, err, sizeof(err)) == -1) {
		issue_failed(ds, err, 0);
		return;
	}
	if ((names = names_joined(ds->d)) == NULL) {
		issue_failed(ds, "out of memory", 0);
		return;
	}
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, ds->d->id);
	buf_add_u32(&b, auth->id);
	buf_add_u32(&b, ds->keyid);
	buf_add_lstr(&b, names);
	buf_add_lstr(&b, ds->d->preferred_chain);
	/* Another authority cannot know the certificate it replaces. */
	buf_add_lstr(&b, replaces = auth == fallback_issuer(ds) ?
	    cert_id(ds) : NULL);
	buf_add_lstr(&b, ds->order_url);
	/* netproc starts the orders it cannot all run at once soonest first */
	buf_add_i64(&b, ds->state == CERT_ISSUED ? ds->not_after : 0);
	buf_add_lstr(&b, ds->d->profile);
	buf_add_u32(&b, ds->d->profile_required);
	buf_add_u32(&b, ds->d->challenge);
	buf_add_u32(&b, conf->dns_wait);
	buf_add_lstr(&b, ds->d->handle);
	free(names);
	free(replaces);
	rc = send_msg(PROC_NETPROC, MSG_ISSUE, -1, &b);
	buf_free(&b);
	if (rc == -1) {
		issue_failed(ds, "the order could not be given to netproc",
		    0);
		return;
	}
	ds->issuing = 1;
	ds->issue_started = time(NULL);
	if (auth != ds->d->auth)
		log_info("%s: %s from authority %s, a fallback from %s",
		    ds->d->handle, ds->state == CERT_ISSUED ? "renewing" :
		    "requesting a certificate", auth->name, ds->d->auth->name);
	else
		log_info("%s: %s", ds->d->handle, ds->state == CERT_ISSUED ?
		    "renewing" : "requesting a certificate");
}

/* Retry later: back off from a minute up to the check interval. */
static void
issue_failed(struct dstate *ds, const char *error, int64_t retry_after)
{
	char	 end[128];
	time_t	 now = time(NULL), delay;
	int	 i;

	ds->issuing = 0;
	domain_key_release(ds);
	ds->failures++;
	ds->last_failure = now;
	ds->result = -1;
	free(ds->last_error);
	ds->last_error = strdup(error);
	delay = 60;
	for (i = 1; i < ds->failures && delay < conf->check_interval; i++)
		delay *= 2;
	if (delay > conf->check_interval)
		delay = conf->check_interval;
	if (retry_after > 0) {
		if (retry_after > RETRY_AFTER_MAX)
			retry_after = RETRY_AFTER_MAX;
		if (retry_after > delay)
			delay = retry_after;
		retry_write(ds, now + retry_after);
	}
	ds->next = now + delay;
	log_warnx("%s: certificate not issued: %s", ds->d->handle, error);
	ca_hint(fallback_current(ds), error);
	if (retry_after > 0)
		log_info("%s: the authority allows the next attempt at %s",
		    ds->d->handle, time_text(ds->retry_until));
	event_emit(conf, "renewal-failed", ds, error);
	status_dirty = 1;
	if (ds->state == CERT_ISSUED && ds->not_after - now <
	    sched_expiry_warn(conf, ds)) {
		sched_expiry_text(ds->not_after, now, end, sizeof(end));
		log_crit("%s: certificate %s and could not be renewed: %s",
		    ds->d->handle, end, error);
		event_emit(conf, "expiring", ds, error);
	}
}

/* The pending order is done with: forgotten, on disk too. */
static void
order_forget(struct dstate *ds)
{
	(void)state_remove(conf->state_dir, "orders", ds->d->handle);
	free(ds->order_url);
	ds->order_url = NULL;
}

/*
 * Orders go to another authority: nothing the last one left behind is
 * used with it (its order, its Retry-After), and the next attempt is now.
 */
static void
fallback_started(struct dstate *ds)
{
	order_forget(ds);
	retry_write(ds, 0);
	ds->next = time(NULL);
	if (oneshot)
		ds->result = 1;
	status_dirty = 1;
}

/*
 * A certificate is installed only within its validity period.  One that
 * expired came from an order resumed after its certificate went stale:
 * the order is forgotten and a new one placed at once, once (a second in
 * a row is a clock or an authority gone wrong, and waits as a failure
 * does).  One not valid yet (this clock is behind the authority's) is a
 * failure, and the next attempt resumes the same order.  0 if the
 * certificate may be installed.
 */
static int
cert_current(struct dstate *ds, const char *pem, size_t len, time_t now)
{
	char	 why[128];
	time_t	 nb, na;
	int	 provisional;

	if (x509_leaf_info(pem, len, &nb, &na, &provisional, NULL, 0,
	    NULL) == -1 || (now >= nb && now <= na))
		return 0;	/* install_chain() says what else is wrong */
	if (now < nb) {
		snprintf(why, sizeof(why), "the certificate is not valid before "
		    "%s", time_text(nb));
		issue_failed(ds, why, 0);
		return -1;
	}
	snprintf(why, sizeof(why), "the certificate expired at %s",
	    time_text(na));
	log_warnx("%s: %s: not installed; order %s forgotten", ds->d->handle,
	    why, ds->order_url ? ds->order_url : "(unknown)");
	order_forget(ds);
	if (ds->reordered) {
		issue_failed(ds, why, 0);
		return -1;
	}
	ds->reordered = 1;
	ds->next = now;
	status_dirty = 1;
	log_info("%s: placing a new order", ds->d->handle);
	return -1;
}

static void
handle_cert(struct dstate *ds, const char *pem, size_t len)
{
	time_t	 now;
	int	 renewed = ds->state == CERT_ISSUED;

	ds->issuing = 0;
	if (cert_current(ds, pem, len, time(NULL)) == -1) {
		domain_key_release(ds);
		return;
	}
	/* Checked against the public half of the key keyproc holds. */
	if (install_chain(ds, pem, len, 1) == -1) {
		issue_failed(ds, "the issued certificate was not installed",
		    0);
		return;
	}
	domain_key_release(ds);
	order_forget(ds);
	ds->reordered = 0;
	retry_write(ds, 0);
	now = time(NULL);
	ds->last_success = now;
	if (ds->issue_started != 0)
		metrics_order(fallback_current(ds)->name,
		    (double)(now - ds->issue_started));
	if (ds->revoked_at != 0) {
		ds->revoked_at = 0;
		time_write(ds, "revoked", 0);
	}
	if (ds->renew_asked != 0) {
		ds->renew_asked = 0;
		time_write(ds, "renew", 0);
	}
	ds->failures = 0;
	ds->result = 0;
	free(ds->last_error);
	ds->last_error = NULL;
	now = time(NULL);
	dstate_schedule(ds, now);
	if (renew_always(ds))
		log_warnx("%s: renew before is longer than the lifetime of the "
		    "certificate: renewing again at %s", ds->d->handle,
		    time_text(ds->not_before + conf->check_interval));
	log_info("%s: certificate %s, valid until %s", ds->d->handle,
	    renewed ? "renewed" : "issued", time_text(ds->not_after));
	event_emit(conf, renewed ? "renewed" : "issued", ds, NULL);
	fallback_issued(ds);
	sched_ari_forget(ds);
	installed(ds);
	status_dirty = 1;
}

/*
 * The fleet's certificate for ds, which another node ordered: its key,
 * opened by keyproc with the fleet key, goes where a new key waits, and
 * is installed with the chain as a new key of this node's would be.
 */
static void
fleet_cert(struct dstate *ds, const char *node, const void *sealed,
    size_t slen, const char *chain, size_t clen)
{
	char	 path[PATH_MAX], err[TRUST_WHY_MAX + 512], why[sizeof(err) + 64];
	char	*pem = NULL;
	size_t	 pemlen = 0;

	domain_key_release(ds);
	if (fleet_key_open(KEY_ROLE_DOMAIN, ds->d->names[0], sealed, slen, &pem,
	    &pemlen, err, sizeof(err)) == -1)
		goto refused;
	if (key_pending_path(ds, path, sizeof(path)) == -1 ||
	    write_file_owned(path, pem, pemlen, 0600, TRUST_NOGROUP,
	    WRITE_FIXED) == -1) {
		freezero(pem, pemlen);
		issue_failed(ds, "fleet: the key could not be written", 0);
		return;
	}
	freezero(pem, pemlen);
	if (domain_key_hold(ds, DOMKEY_PENDING, err, sizeof(err)) == -1)
		goto refused;
	free(ds->fleet_from);
	ds->fleet_from = strdup(node);
	log_info("%s: the fleet's certificate, ordered by node %s",
	    ds->d->handle, node);
	handle_cert(ds, chain, clen);
	return;
 refused:
	snprintf(why, sizeof(why), "fleet: the certificate node %s ordered "
	    "is not installed: %s", node, err);
	log_warnx("%s: %s", ds->d->handle, why);
	event_emit(conf, "fleet-refused", ds, why);
	issue_failed(ds, why, 0);
}

/*
 * Another node orders the certificate, or this node's account key is
 * being replaced by the fleet's: no failure, the fleet is asked again
 * soon.
 */
static int
fleet_declined(struct dstate *ds, const char *type, const char *why)
{
	if (strcmp(type, "fleet-locked") != 0 &&
	    strcmp(type, "fleet-account") != 0)
		return 0;
	ds->issuing = 0;
	domain_key_release(ds);
	ds->next = time(NULL) + FLEET_LOOK_AGAIN;
	log_info("%s: %s; looking again in %d s", ds->d->handle, why,
	    FLEET_LOOK_AGAIN);
	status_dirty = 1;
	return 1;
}

/*
 * At the start, before any key is used: a pending key that the installed
 * certificate carries was left by a run that ended between installing
 * the certificate and its key.  The key is installed now, the order that
 * issued the certificate is done with, and the reload is owed.  Any
 * other pending key waits for its order to resume, or for the next
 * order, which discards it.
 */
void
keys_pending_finish(void)
{
	struct dstate	*ds;
	unsigned char	*der;
	char		 path[PATH_MAX], err[TRUST_WHY_MAX + 256];
	size_t		 i, len;
	int		 carried, pending;

	if (state_empty(conf->state_dir, "keys"))
		return;
	for (i = 0; i < ndstates; i++) {
		ds = &dstates[i];
		carried = 0;
		pending = key_pending_path(ds, path, sizeof(path)) == 0 &&
		    access(path, F_OK) == 0;
		if (pending && domain_key_hold(ds, DOMKEY_PENDING, err,
		    sizeof(err)) == 0) {
			if (ds->key_pending && cert_leaf_der(leaf_file(ds->d),
			    &der, &len) == 0) {
				carried = x509_der_key_is(der, len, ds->pubkey,
				    ds->pubkeylen);
				OPENSSL_free(der);
			}
			if (carried && key_pending_install(ds) == 0) {
				log_warnx("%s: the last run ended between the "
				    "certificate and its key %s: the key is "
				    "installed now", ds->d->handle, ds->d->key);
				order_forget(ds);
				installed(ds);
			}
			domain_key_release(ds);
		}
		key_new_remove(ds, pending && !carried);
	}
}

/*
 * The server name a check of the domain's servers sends: its first DNS
 * name, or none ("") if it names only addresses, which a client does not
 * send (RFC 6066 section 3).
 */
static const char *
verify_sni(const struct domain *d)
{
	size_t	 i;

	for (i = 0; i < d->nnames; i++)
		if (!ident_is_ip(d->names[i]))
			return d->names[i];
	return "";
}

/* Sends the leaf of a domain's certificate to netproc with a request. */
static int
send_leaf(uint32_t type, struct dstate *ds, const struct verify_ep *v)
{
	struct buf	 b;
	unsigned char	*der;
	size_t		 len;
	int		 rc;

	if (cert_leaf_der(leaf_file(ds->d), &der, &len) == -1)
		return -1;
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, ds->d->id);
	if (type == MSG_VERIFY) {
		buf_add_lstr(&b, v->host);
		buf_add_u32(&b, (uint32_t)v->port);
		buf_add_lstr(&b, verify_sni(ds->d));
	} else
		buf_add_u32(&b, fallback_issuer(ds)->id);
	rc = buf_add_blob(&b, der, len) == -1 ? -1 :
	    send_msg(PROC_NETPROC, type, -1, &b);
	buf_free(&b);
	OPENSSL_free(der);
	return rc;
}

/* 1 if the domain key is the key of the leaf ds->revoking. */
static int
revoke_cert_key(const struct dstate *ds)
{
	return ds->pubkey != NULL && x509_der_key_is(ds->revoking,
	    ds->revoking_len, ds->pubkey, ds->pubkeylen);
}

/* 1 if the account key of the authority a is there to sign with. */
static int
account_key_exists(const struct authority *a)
{
	char	*path;
	int	 rc;

	if ((path = account_key_path(a)) == NULL)
		fatal("account key path");
	rc = access(path, F_OK) == 0;
	free(path);
	return rc;
}

/*
 * The key that signs the revocation of the leaf ds->revoking.  For
 * keyCompromise the certificate's own key, if the domain key is it: the
 * signature proves the key is out, and an authority such as Let's
 * Encrypt then refuses the key for good.  For any other reason the
 * account, whose reason the authority keeps (Let's Encrypt records any
 * request signed with the certificate's key as keyCompromise); the
 * certificate's key only if there is no account key.
 */
static uint32_t
revoke_signer(const struct dstate *ds)
{
	if (revoke_cert_key(ds) &&
	    (revoke_reason == REVOKE_KEY_COMPROMISE ||
	    !account_key_exists(fallback_issuer(ds))))
		return ds->keyid;
	return fallback_issuer(ds)->id;
}

/* keyproc signs the revocation of ds->revoking no more. */
static void
revoke_withdraw(const struct dstate *ds)
{
	(void)key_authorise(MSG_KEY_WITHDRAW, ds->revoking_key,
	    KEY_OP_REVOKE, revoke_reason, ds->revoking, ds->revoking_len);
}

/* Why the revocation of ds->revoking is signed as it is, for the log. */
static void
revoke_signer_log(const struct dstate *ds, int cert_key)
{
	const char	*h = ds->d->handle, *k = ds->d->key;

	if (cert_key && revoke_reason == REVOKE_KEY_COMPROMISE)
		log_info("%s: revoking with the domain key %s, the "
		    "certificate's own", h, k);
	else if (cert_key)
		log_warnx("%s: no account key: revoking with the domain key "
		    "%s, which an authority may record as keyCompromise", h, k);
	else if (ds->pubkey == NULL)
		log_info("%s: no domain key %s: revoking through the account",
		    h, k);
	else if (!revoke_cert_key(ds))
		log_info("%s: the domain key %s is not the certificate's: "
		    "revoking through the account", h, k);
	else
		log_info("%s: revoking through the account, so that the "
		    "authority keeps the reason", h);
	if (!cert_key && revoke_reason == REVOKE_KEY_COMPROMISE)
		log_warnx("%s: keyCompromise signed by the account: the "
		    "authority cannot tell the key is out, and may not "
		    "refuse it for other certificates", h);
}

/*
 * -r: asks netproc to revoke a domain's issued certificate for the reason
 * revoke_reason, signed as revoke_signer() says; keyproc is told first
 * that it may sign that revocation, until netproc answers.  The leaf is
 * kept to check, once it is revoked, that the files still hold it.
 */
/*
 * Asks netproc to revoke ds->revoking, signed with ds->revoking_key,
 * which keyproc is authorised to sign first; 0, or -1 (logged).
 */
static int
revoke_send(struct dstate *ds)
{
	struct buf	 b;
	int		 rc;

	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_u32(&b, ds->d->id);
	buf_add_u32(&b, fallback_issuer(ds)->id);
	buf_add_u32(&b, ds->keyid);
	buf_add_u32(&b, ds->revoking_key == ds->keyid);
	buf_add_lstr(&b, ds->d->handle);
	rc = buf_add_blob(&b, ds->revoking, ds->revoking_len);
	buf_add_u32(&b, revoke_reason);
	if (rc == 0)
		rc = key_authorise(MSG_KEY_ALLOW, ds->revoking_key,
		    KEY_OP_REVOKE, revoke_reason, ds->revoking,
		    ds->revoking_len);
	if (rc == 0 && (rc = send_msg(PROC_NETPROC, MSG_REVOKE, -1, &b)) == -1)
		revoke_withdraw(ds);
	buf_free(&b);
	if (rc == -1) {
		log_warnx("%s: revocation not requested", ds->d->handle);
		return -1;
	}
	ds->issuing = 1;
	return 0;
}

/*
 * The account could not revoke the certificate (say it is not the
 * account that ordered it, and has no authorization for its names): the
 * certificate's own key tries once more, if the domain key is it, though
 * an authority may then record keyCompromise.  1 if it was asked.
 */
static int
revoke_again(struct dstate *ds, const char *detail)
{
	if (ds->revoking_key == ds->keyid || !revoke_cert_key(ds))
		return 0;
	log_warnx("%s: the account could not revoke the certificate (%s): "
	    "revoking with the domain key %s, which an authority may record "
	    "as keyCompromise", ds->d->handle, detail, ds->d->key);
	ds->revoking_key = ds->keyid;
	return revoke_send(ds) == 0;
}

void
revoke_start(struct dstate *ds)
{
	char		 err[TRUST_WHY_MAX + 256];

	if (ds->state != CERT_ISSUED) {
		log_warnx("%s: no issued certificate to revoke", ds->d->handle);
		ds->result = -1;
		return;
	}
	OPENSSL_free(ds->revoking);
	if (cert_leaf_der(leaf_file(ds->d), &ds->revoking,
	    &ds->revoking_len) == -1) {
		log_warnx("%s: cannot read the certificate to revoke",
		    ds->d->handle);
		ds->result = -1;
		return;
	}
	/* A missing key is not made: the account revokes then. */
	if (domain_key_hold(ds, DOMKEY_INSTALLED, err, sizeof(err)) == -1) {
		ds->result = -1;
		return;
	}
	ds->revoking_key = revoke_signer(ds);
	ds->revoking_reason = revoke_reason;
	revoke_signer_log(ds, ds->revoking_key == ds->keyid);
	if (revoke_send(ds) == -1) {
		domain_key_release(ds);
		ds->result = -1;
		return;
	}
	log_info("%s: revoking the certificate valid until %s (reason %s)",
	    ds->d->handle, time_text(ds->not_after),
	    revoke_reason_name(revoke_reason));
}

/* Moves a file aside as FILE.revoked; 0, or -1 with the reason logged. */
static int
move_aside(const struct dstate *ds, const char *path)
{
	char	 to[PATH_MAX];

	if ((size_t)snprintf(to, sizeof(to), "%s.revoked", path) >=
	    sizeof(to)) {
		log_warnx("%s: %s.revoked: path too long", ds->d->handle,
		    path);
		return -1;
	}
	if (rename(path, to) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warn("%s: moving %s aside", ds->d->handle, path);
		return -1;
	}
	log_info("%s: %s moved to %s", ds->d->handle, path, to);
	return 0;
}

/*
 * A revoked certificate's files are moved aside, as FILE.revoked, and a
 * provisional certificate takes their place, with the domain's reload
 * actions: what uses them stops serving the revoked certificate and can
 * still start.  The next pass of acmed finds a provisional certificate
 * and requests a new one.  Files that no longer hold the revoked leaf (a
 * daemon renewed it meanwhile) are left alone.
 */
static void
revoke_done(struct dstate *ds, int revoked, const char *detail)
{
	const char	*files[3] = { ds->d->cert, ds->d->chain,
			    ds->d->fullchain };
	const char	*path = leaf_file(ds->d);
	unsigned char	*der = NULL;
	size_t		 i, len = 0;
	int		 same;

	ds->issuing = 0;
	revoke_withdraw(ds);
	if (!revoked && revoke_again(ds, detail))
		return;
	if (!revoked) {
		domain_key_release(ds);
		log_warnx("%s: certificate not revoked: %s", ds->d->handle,
		    detail);
		ca_hint(fallback_issuer(ds), detail);
		event_emit(conf, "revoke-failed", ds, detail);
		ds->result = -1;
		return;
	}
	ds->result = 0;
	log_info("%s: certificate revoked", ds->d->handle);
	/* Whatever the files hold now: the key is out. */
	if (revoke_reason == REVOKE_KEY_COMPROMISE &&
	    revoke_key_aside(ds, ds->revoking_key == ds->keyid) == -1)
		ds->result = -1;
	domain_key_release(ds);
	if (cert_leaf_der(path, &der, &len) == -1) {
		log_warnx("%s: %s: no certificate to move aside",
		    ds->d->handle, path);
		event_emit(conf, "revoked", ds, "its files were gone");
		ds->result = -1;
		return;
	}
	same = len == ds->revoking_len && memcmp(der, ds->revoking, len) == 0;
	OPENSSL_free(der);
	if (!same) {
		log_warnx("%s: %s holds another certificate now: left in "
		    "place", ds->d->handle, path);
		event_emit(conf, "revoked", ds, "the files hold another "
		    "certificate now and were left in place");
		return;
	}
	for (i = 0; i < 3; i++)
		if (files[i] != NULL && move_aside(ds, files[i]) == -1)
			ds->result = -1;
	ds->state = CERT_MISSING;
	sched_ari_forget(ds);
	/* For the daemon's status, until a new certificate is issued. */
	ds->revoked_at = time(NULL);
	time_write(ds, "revoked", ds->revoked_at);
	event_emit(conf, "revoked", ds, ds->result == 0 ? NULL :
	    "the files could not all be moved aside");
	/* A domain key that was missing is made now, for what comes next. */
	if (provisional_install(ds) == -1)
		ds->result = -1;
	status_dirty = 1;
}

/* After a reload: do the endpoints serve what was installed? */
static void
verify_send(struct dstate *ds)
{
	struct verify_ep	*v;

	ds->verify_at = 0;
	ds->verify_failed = 0;
	ds->verify_mismatch = 0;
	ds->verify_tries++;
	TAILQ_FOREACH(v, &ds->d->verifies, entry)
		if (send_leaf(MSG_VERIFY, ds, v) == 0)
			ds->verify_pending++;
}

/*
 * A round of checks ends when every endpoint has answered: again after a
 * while if one did not serve the certificate yet, else with the result
 * the status shows.
 */
static void
verify_round_end(struct dstate *ds)
{
	if (ds->verify_failed) {
		ds->verify_at = time(NULL) + VERIFY_GRACE;
		return;
	}
	ds->verify_done = time(NULL);
	ds->verify_ok = !ds->verify_mismatch;
	if (ds->verify_ok) {
		free(ds->verify_error);
		ds->verify_error = NULL;
	}
	status_dirty = 1;
}

static void
verify_result(struct dstate *ds, const char *endpoint, uint32_t matches,
    const char *detail)
{
	if (ds->verify_pending > 0)
		ds->verify_pending--;
	if (matches)
		log_info("%s: %s serves the installed certificate",
		    ds->d->handle, endpoint);
	else {
		log_debug("%s: %s: %s (check %d of %d)", ds->d->handle,
		    endpoint, detail, ds->verify_tries, VERIFY_TRIES);
		if (ds->verify_tries >= VERIFY_TRIES) {
			char	*e;

			if (asprintf(&e, "%s %s", endpoint, detail) == -1)
				e = NULL;
			log_warnx("%s: deployment mismatch: %s does not serve "
			    "the installed certificate: %s", ds->d->handle,
			    endpoint, detail);
			event_emit(conf, "deploy-mismatch", ds, e ? e : detail);
			free(e);
			/* The status names the first endpoint of the round. */
			if (!ds->verify_mismatch) {
				free(ds->verify_error);
				if (asprintf(&ds->verify_error, "%s does not "
				    "serve the installed certificate: %s",
				    endpoint, detail) == -1)
					ds->verify_error = NULL;
			}
			ds->verify_mismatch = 1;
		} else
			ds->verify_failed = 1;
	}
	if (ds->verify_pending == 0)
		verify_round_end(ds);
}

/* A certificate was installed: its reload actions are owed. */
static void
installed(struct dstate *ds)
{
	ds->reload_new = 1;
	ds->reload_retry = 0;
	actions_queue(ds);
}

static void
reload_succeeded(struct dstate *ds)
{
	if (ds->reload_failing == 0)
		return;
	log_info("%s: reload succeeded, after %d failed %s since %s",
	    ds->d->handle, ds->reload_tries, ds->reload_tries == 1 ? "try" :
	    "tries", time_text(ds->reload_failing));
	ds->reload_failing = 0;
	ds->reload_tries = 0;
	time_write(ds, "reload", 0);
}

/*
 * The reload-failed event once per installation, not per try; the
 * reload stays owed, in the state directory too (so that a restart or
 * the next -o tries it again), and the daemon tries it again after 5
 * seconds, doubling, RELOAD_TRIES times.
 */
static void
reload_failed(struct dstate *ds, time_t now)
{
	time_t	 delay = RELOAD_DELAY;
	int	 i;

	ds->result = -1;	/* one-shot: not all is well */
	if (ds->reload_new || ds->reload_failing == 0) {
		ds->reload_failing = now;
		ds->reload_tries = 0;
		time_write(ds, "reload", now);
		event_emit(conf, "reload-failed", ds,
		    "a reload action failed");
	}
	ds->reload_tries++;
	if (oneshot) {
		log_warnx("%s: reload failed: owed, until the daemon or the "
		    "next -o runs it with success", ds->d->handle);
		return;
	}
	if (ds->reload_tries >= RELOAD_TRIES) {
		log_warnx("%s: reload failed %d times since %s: tried again "
		    "at the next check of the certificate or on SIGUSR1",
		    ds->d->handle, ds->reload_tries,
		    time_text(ds->reload_failing));
		return;
	}
	for (i = 1; i < ds->reload_tries && delay < RELOAD_DELAY_MAX; i++)
		delay *= 2;
	if (delay > RELOAD_DELAY_MAX)
		delay = RELOAD_DELAY_MAX;
	ds->reload_retry = now + delay;
	log_warnx("%s: reload failed (try %d of %d): trying again at %s",
	    ds->d->handle, ds->reload_tries, RELOAD_TRIES,
	    time_text(ds->reload_retry));
}

/* Reload actions have run for a domain's certificate, or a retry. */
void
actions_done(struct dstate *ds, int ok)
{
	time_t	 now = time(NULL);

	ds->reload_at = now;
	ds->reload_ok = ok;
	ds->reload_retry = 0;
	if (ok)
		reload_succeeded(ds);
	else
		reload_failed(ds, now);
	ds->reload_new = 0;
	status_dirty = 1;
	if (!TAILQ_EMPTY(&ds->d->verifies) && ds->state != CERT_MISSING) {
		ds->verify_tries = 0;
		ds->verify_pending = 0;
		ds->verify_at = time(NULL) + VERIFY_GRACE;
	}
}

/*
 * What the loop does beside issuing: queued reload actions once netproc
 * is idle, renewal information, deployment checks, the status file.
 * Returns the earliest deadline among them (or next).
 */
time_t
housekeeping(time_t now, time_t next)
{
	struct dstate	*ds;
	size_t		 i;
	time_t		 none;
	int		 busy = 0, up;

	up = children[PROC_NETPROC].chan != NULL && restart_at == 0;
	for (i = 0; i < ndstates; i++) {
		ds = &dstates[i];
		busy |= ds->issuing;
		if (ds->reload_retry != 0 && ds->reload_retry <= now) {
			ds->reload_retry = 0;
			log_info("%s: trying the reload again", ds->d->handle);
			actions_queue(ds);
		} else if (ds->reload_retry != 0 && ds->reload_retry < next)
			next = ds->reload_retry;
	}
	if (!busy && actions_pending())
		actions_run_pending(conf, actions_done);
	ari_none_ended(now);
	for (i = 0; i < ndstates && !oneshot; i++) {
		ds = &dstates[i];
		if (ds->state == CERT_ISSUED && !ds->ari_asked &&
		    !ds->issuing) {
			none = fallback_issuer(ds)->ari_none_until;
			if (none > now) {
				/* ari_none_ended() spreads them again */
				if (none < next)
					next = none;
			} else if (ds->ari_refresh <= now && up) {
				/* Not asked: as if none were offered. */
				if (send_leaf(MSG_RENEWAL_INFO, ds, NULL) == 0)
					ds->ari_asked = 1;
				else
					sched_ari_window(ds, 0, 0, 0, now);
			} else if (ds->ari_refresh > now &&
			    ds->ari_refresh < next)
				next = ds->ari_refresh;
		}
		if (ds->verify_at != 0 && ds->verify_pending == 0) {
			if (ds->verify_at <= now && up)
				verify_send(ds);
			else if (ds->verify_at > now && ds->verify_at < next)
				next = ds->verify_at;
		}
	}
	/*
	 * The status file after every change, but while orders run at most
	 * once a second: each completed order would rewrite it otherwise.
	 */
	if (status_dirty && busy && now >= status_written &&
	    now < status_written + 1) {
		if (status_written + 1 < next)
			next = status_written + 1;
	} else if (status_dirty)
		status_flush(now);
	if (!revoking && !rolling && metrics_due(conf, now, &next))
		(void)metrics_write(conf, dstates, ndstates);
	return next;
}

/*
 * An authority whose directory offered no renewal information a day ago
 * is asked again: its certificates' requests are spread as at a start.
 */
static void
ari_none_ended(time_t now)
{
	struct authority	*a;
	size_t			 i;

	TAILQ_FOREACH(a, &conf->authorities, entry) {
		if (a->ari_none_until == 0 || a->ari_none_until > now)
			continue;
		a->ari_none_until = 0;
		for (i = 0; i < ndstates; i++)
			if (fallback_issuer(&dstates[i]) == a &&
			    !dstates[i].ari_asked)
				sched_ari_first(&dstates[i], ndstates,
				    conf->check_interval, now);
	}
}

/*
 * The status file is the daemon's: -r and -k, which may run beside it, do
 * not write it.
 */
void
status_flush(time_t now)
{
	if (revoking || rolling) {
		status_dirty = 0;
		return;
	}
	(void)metrics_write(conf, dstates, ndstates);
	if (status_write(conf, dstates, ndstates) == 0) {
		status_dirty = 0;
		status_written = now;
	}
}

/*
 * A string netproc sent, cleaned (text.c).  netproc cleans what the
 * authority says; the parent does not take a child's word for it before
 * the text reaches the status file, the event hook or the state
 * directory.
 */
char *
netproc_text(struct rbuf *r, size_t max)
{
	char	*s, *t;

	if ((s = rbuf_str(r, max)) == NULL)
		return NULL;
	if ((t = text_cleandup(s, strlen(s))) == NULL)
		r->bad = 1;
	free(s);
	return t;
}

/*
 * A message from netproc.  -1 (logged) if it is malformed or unexpected:
 * netproc parses what the network sends and may be compromised, so the
 * caller ends it, never the parent.
 */
int
dispatch_netproc(const struct imsg *m)
{
	struct rbuf		 r;
	struct dstate		*ds;
	struct authority	*a;
	uint32_t		 id;
	char			*s1 = NULL, *s2 = NULL;
	const uint8_t		*blob, *blob2;
	size_t			 len, len2;
	int64_t			 retry, start, end;
	uint32_t		 matches, revoked, code, paused, none;
	time_t			 was;

	rbuf_init(&r, m->data, m->datalen);
	switch (m->hdr.type) {
	case MSG_READY:
		children[PROC_NETPROC].ready = 1;
		return 0;
	case MSG_ACCOUNT_URL:
		id = rbuf_u32(&r);
		s1 = netproc_text(&r, MSG_URL_MAX);
		if (rbuf_end(&r) == -1 || (a = authority_byid(id)) == NULL)
			break;
		if (state_write(conf->state_dir, "accounts", a->name, s1) == 0)
			log_info("authority %s: account %s", a->name, s1);
		free(s1);
		return 0;
	case MSG_ORDER_URL:
		id = rbuf_u32(&r);
		s1 = netproc_text(&r, MSG_URL_MAX);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL)
			break;
		free(ds->order_url);
		ds->order_url = NULL;
		if (*s1 == '\0')
			(void)state_remove(conf->state_dir, "orders",
			    ds->d->handle);
		else if (state_write(conf->state_dir, "orders", ds->d->handle,
		    s1) == 0)
			ds->order_url = strdup(s1);
		free(s1);
		return 0;
	case MSG_CERT:
		id = rbuf_u32(&r);
		blob = rbuf_blob(&r, &len, MSG_PEM_MAX);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL)
			break;
		/* Only the answer to an order netproc was given. */
		if (!ds->issuing || ds->revoking != NULL) {
			log_warnx("%s: a certificate from netproc, which has "
			    "no order for it", ds->d->handle);
			return -1;
		}
		if (conf->cluster != NULL) {
			free(ds->fleet_from);
			ds->fleet_from = strdup(conf->cluster->node);
		}
		handle_cert(ds, (const char *)blob, len);
		return 0;
	case MSG_FLEET_CERT:
		id = rbuf_u32(&r);
		s1 = netproc_text(&r, MSG_NODE_MAX);
		blob = rbuf_blob(&r, &len, MSG_SEALED_MAX);
		blob2 = rbuf_blob(&r, &len2, MSG_FLEET_CHAIN_MAX);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL ||
		    conf->cluster == NULL)
			break;
		if (!ds->issuing || ds->revoking != NULL) {
			log_warnx("%s: a certificate from netproc, which has "
			    "no order for it", ds->d->handle);
			free(s1);
			return -1;
		}
		fleet_cert(ds, s1, blob, len, (const char *)blob2, len2);
		free(s1);
		return 0;
	case MSG_FLEET_ACCOUNT:
		id = rbuf_u32(&r);
		s1 = netproc_text(&r, MSG_NODE_MAX);
		blob = rbuf_blob(&r, &len, MSG_SEALED_MAX);
		if (rbuf_end(&r) == -1 || (a = authority_byid(id)) == NULL ||
		    conf->cluster == NULL)
			break;
		fleet_account(a, s1, blob, len);
		free(s1);
		return 0;
	case MSG_FLEET_LOCK:
		id = rbuf_u32(&r);
		matches = rbuf_u32(&r);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL ||
		    conf->cluster == NULL)
			break;
		ds->fleet_lock = matches != 0;
		status_dirty = 1;
		return 0;
	case MSG_RENEWAL_WINDOW:
		id = rbuf_u32(&r);
		start = rbuf_i64(&r);
		end = rbuf_i64(&r);
		retry = rbuf_i64(&r);
		none = rbuf_u32(&r);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL)
			break;
		if (none)
			sched_ari_none(fallback_issuer(ds), time(NULL));
		if (start < 0 || end < start || (start == 0) != (end == 0)) {
			log_warnx("%s: renewal window out of order: ignored",
			    ds->d->handle);
			start = end = 0;
		}
		was = ds->ari_at;
		sched_ari_window(ds, (time_t)start, (time_t)end,
		    (time_t)retry, time(NULL));
		if (!ds->issuing)
			dstate_schedule(ds, time(NULL));
		/*
		 * The status file only when the window moved: with many
		 * certificates, rewriting it for each answer that changes
		 * nothing was most of an idle daemon's work.
		 */
		if (ds->ari_at != was)
			status_dirty = 1;
		return 0;
	case MSG_VERIFY_RESULT:
		id = rbuf_u32(&r);
		s1 = netproc_text(&r, MSG_NAME_MAX + 8);
		matches = rbuf_u32(&r);
		s2 = netproc_text(&r, MSG_TEXT_MAX);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL)
			break;
		verify_result(ds, s1, matches, s2);
		free(s1);
		free(s2);
		return 0;
	case MSG_REVOKE_RESULT:
		id = rbuf_u32(&r);
		revoked = rbuf_u32(&r);
		s1 = netproc_text(&r, MSG_TEXT_MAX);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL ||
		    !ds->issuing)
			break;
		revoke_done(ds, revoked != 0, s1);
		free(s1);
		return 0;
	case MSG_NET_REQUEST:
		id = rbuf_u32(&r);
		s1 = netproc_text(&r, MSG_ENDPOINT_MAX);
		code = rbuf_u32(&r);
		paused = rbuf_u32(&r);
		if (rbuf_end(&r) == -1 || (a = authority_byid(id)) == NULL ||
		    code > 999)
			break;
		metrics_request(a->name, s1, (int)code);
		if (paused)
			metrics_pause(a->name);
		free(s1);
		/* counted only: the files follow the next change */
		return 0;
	case MSG_PREFLIGHT_RESULT:
		return preflight_result(m);
	case MSG_DNS_PUBLISH:
	case MSG_DNS_REMOVE:
		if (dns_dispatch(m) == 0)
			return 0;
		break;
	case MSG_ISSUE_FAILED:
		id = rbuf_u32(&r);
		s1 = netproc_text(&r, MSG_PROBLEM_MAX);
		s2 = netproc_text(&r, MSG_TEXT_MAX);
		retry = rbuf_i64(&r);
		if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL)
			break;
		if (fleet_declined(ds, s1, s2)) {
			free(s1);
			free(s2);
			return 0;
		}
		if (strcmp(s1, "urn:ietf:params:acme:error:malformed") == 0 &&
		    ds->order_url != NULL)
			order_forget(ds);
		issue_failed(ds, s2, retry);
		if (strncmp(s1, "fleet", 5) == 0) {
			free(s1);
			free(s2);
			return 0;
		}
		if (fallback_failed(ds, s1, retry, time(NULL)))
			fallback_started(ds);
		free(s1);
		free(s2);
		return 0;
	default:
		break;
	}
	free(s1);
	free(s2);
	log_warnx("malformed or unexpected %s from netproc",
	    msg_name(m->hdr.type));
	return -1;
}

/*
 * Provisional certificates, and their reloads at once: services start.
 * -1 if one could not be installed (logged).
 */
int
provisional_all(void)
{
	size_t	 i;
	int	 rc = 0;

	for (i = 0; i < ndstates; i++)
		if (dstates[i].state == CERT_MISSING) {
			if (!dstates[i].refused &&
			    provisional_install(&dstates[i]) == -1)
				rc = -1;
			dstates[i].next = time(NULL);
		}
	if (actions_pending())
		actions_run_pending(conf, actions_done);
	return rc;
}

/* One-shot mode: done when no certificate is pending any more. */
int
oneshot_done(int *status)
{
	size_t	 i;

	*status = 0;
	for (i = 0; i < ndstates; i++) {
		if (dstates[i].result == 1)
			return 0;
		if (dstates[i].result == -1)
			*status = 1;
	}
	return 1;
}
