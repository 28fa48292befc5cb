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
 * Which authority a certificate is ordered from.  The first one named by
 * "sign with", unless it keeps failing: rate-limited past the moment the
 * certificate must be renewed, or unreachable or failing (no connection,
 * 5xx, bad nonces, orders that never end) for "fallback after" since its
 * first failure for this certificate.  Then the next one named, and after
 * the last the first again.  Once a certificate is issued, the next
 * renewal asks the first one again.  Which one orders go to, since when it
 * fails, and which one issued the certificate are kept in the state
 * directory, so that a restart and the next -o go on from there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"

/*
 * The failures that say the authority is down or broken, not that it
 * refused this order: any other authority would likely have refused an
 * order that is itself wrong.
 */
static const char *const outages[] = {
	"connection",		/* no connection, TLS, timeouts */
	"directory",		/* the directory did not answer 200 */
	"http",			/* an answer that is no problem document */
	"nonce",		/* no nonce to be had */
	"timeout",		/* an order that never ends */
	"urn:ietf:params:acme:error:serverInternal",
	"urn:ietf:params:acme:error:badNonce",	/* after netproc's retries */
	NULL
};

static int
outage(const char *type)
{
	size_t	 i;

	for (i = 0; outages[i] != NULL; i++)
		if (strcmp(type, outages[i]) == 0)
			return 1;
	return 0;
}

static time_t
fallback_after(const struct domain *d)
{
	return d->fallback_after != 0 ? d->fallback_after :
	    CONF_FALLBACK_AFTER;
}

/* The authority the domain's next order goes to. */
struct authority *
fallback_current(const struct dstate *ds)
{
	struct authority	*a;

	if ((a = domain_authority(ds->d, ds->auth_idx)) == NULL)
		return ds->d->auth;
	return a;
}

/* The authority that issued the domain's certificate. */
struct authority *
fallback_issuer(const struct dstate *ds)
{
	return ds->issuer != NULL ? ds->issuer : ds->d->auth;
}

/* "NAME SINCE", or nothing while the first one is asked and answers. */
static void
fallback_save(const struct dstate *ds)
{
	char	 s[MSG_NAME_MAX + 32];

	if (ds->auth_idx == 0 && ds->failing_since == 0) {
		(void)state_remove(conf->state_dir, "fallback",
		    ds->d->handle);
		return;
	}
	(void)snprintf(s, sizeof(s), "%s %lld", fallback_current(ds)->name,
	    (long long)ds->failing_since);
	(void)state_write(conf->state_dir, "fallback", ds->d->handle, s);
}

/*
 * What the state directory says of a domain: issuer read if set, the
 * authority tried and since when it fails if fallback is set.  An
 * authority no longer named for the domain is forgotten.
 */
void
fallback_load(struct dstate *ds, int issuer, int fallback)
{
	struct authority	*a;
	char			*s, *sp, *end;
	long long		 t;
	size_t			 i;

	if (issuer && (s = state_read(conf->state_dir, "issuer",
	    ds->d->handle)) != NULL) {
		if ((a = config_authority(conf, s)) != NULL && a != ds->d->auth)
			ds->issuer = a;
		free(s);
	}
	if (!fallback || ds->d->nfallback == 0 || (s = state_read(
	    conf->state_dir, "fallback", ds->d->handle)) == NULL)
		return;
	if ((sp = strchr(s, ' ')) != NULL) {
		*sp++ = '\0';
		errno = 0;
		t = strtoll(sp, &end, 10);
		if (errno == 0 && end != sp && *end == '\0' && t >= 0)
			ds->failing_since = (time_t)t;
	}
	for (i = 0; (a = domain_authority(ds->d, i)) != NULL; i++)
		if (strcmp(a->name, s) == 0)
			ds->auth_idx = i;
	free(s);
}

/* Orders go to the next authority from now on. */
static void
fallback_next(struct dstate *ds, const char *why)
{
	struct authority	*from = fallback_current(ds), *to;
	char			*e;

	ds->auth_idx = (ds->auth_idx + 1) % (ds->d->nfallback + 1);
	ds->failing_since = 0;
	to = fallback_current(ds);
	if (asprintf(&e, "authority %s %s: ordering from authority %s",
	    from->name, why, to->name) == -1)
		e = NULL;
	log_warnx("%s: %s", ds->d->handle, e ? e : why);
	event_emit(conf, "fallback", ds, e ? e : why);
	free(e);
	fallback_save(ds);
}

/*
 * An order failed with the problem type, and the authority's Retry-After
 * (0: none).  1 if the certificate is ordered from the next authority
 * now: the caller forgets what the last one left behind.
 */
int
fallback_failed(struct dstate *ds, const char *type, int64_t retry_after,
    time_t now)
{
	const struct domain	*d = ds->d;
	char			 why[128], t[32];
	time_t			 deadline, since;

	if (d->nfallback == 0)
		return 0;
	since = ds->failing_since != 0 ? ds->failing_since : now;
	/* Renewed by then, or too close to the end; or no certificate yet. */
	if (ds->state == CERT_ISSUED)
		deadline = ds->not_after - sched_expiry_warn(conf, ds);
	else
		deadline = since + fallback_after(d);
	if (retry_after > 0 && now + retry_after > deadline) {
		(void)iso_time(now + retry_after, t, sizeof(t));
		snprintf(why, sizeof(why), "takes no order before %s, too "
		    "late for this certificate", t);
		fallback_next(ds, why);
		return 1;
	}
	/* A wait that costs nothing, unless the authority is down too. */
	if (!outage(type))
		return 0;
	if (ds->failing_since == 0) {
		ds->failing_since = now;
		fallback_save(ds);
	}
	if (now - since < fallback_after(d) && now < deadline)
		return 0;
	(void)iso_time(since, t, sizeof(t));
	snprintf(why, sizeof(why), "failing since %s", t);
	fallback_next(ds, why);
	return 1;
}

/*
 * A certificate was installed: the authority it came from is kept, and
 * the next renewal asks the first one again.
 */
void
fallback_issued(struct dstate *ds)
{
	struct authority	*a = fallback_current(ds);
	struct authority	*was = ds->issuer;

	ds->issuer = a != ds->d->auth ? a : NULL;
	if (ds->issuer != NULL) {
		(void)state_write(conf->state_dir, "issuer", ds->d->handle,
		    a->name);
		log_info("%s: issued by authority %s, a fallback from "
		    "authority %s; the next renewal asks %s first",
		    ds->d->handle, a->name, ds->d->auth->name,
		    ds->d->auth->name);
	} else if (was != NULL)
		(void)state_remove(conf->state_dir, "issuer", ds->d->handle);
	if (ds->auth_idx != 0 || ds->failing_since != 0) {
		ds->auth_idx = 0;
		ds->failing_since = 0;
		fallback_save(ds);
	}
}
