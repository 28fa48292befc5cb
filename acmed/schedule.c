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
 * When the parent acts on a certificate.  Renewal: at the moment chosen
 * inside the authority's renewal window (RFC 9773) if it offers one and
 * it comes first, otherwise when a third of the lifetime remains (half
 * for lifetimes of 10 days or less), or the configured time before
 * expiry.  Checks: once per check interval, a little early by a random
 * amount so that a fleet does not reach the authority at the same second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "parent.h"

#define SHORT_LIFETIME		(10 * 24 * 60 * 60)
#define JITTER_MAX		(60 * 60)
#define ARI_REFRESH_DEFAULT	(6 * 60 * 60)
#define ARI_REFRESH_MAX		(24 * 60 * 60)
#define ARI_START_RATE		10	/* first requests a second, on average */

static time_t
random_below(time_t n)
{
	if (n <= 0)
		return 0;
	if (n > 0xffffffffLL)
		n = 0xffffffffLL;
	return (time_t)arc4random_uniform((uint32_t)n);
}

time_t
sched_renewal_time(const struct dstate *ds)
{
	time_t	 life, t;

	/* names added or taken away: the next certificate is due now */
	if (ds->names_changed)
		return ds->not_before;
	life = ds->not_after - ds->not_before;
	if (ds->d->renew_before > 0)
		t = ds->not_after - ds->d->renew_before;
	else if (life <= SHORT_LIFETIME)
		t = ds->not_after - life / 2;
	else
		t = ds->not_after - life / 3;
	if (ds->ari_at != 0 && ds->ari_at < t)
		t = ds->ari_at;
	return t;
}

/*
 * Less than this left and not renewed: the expiring event.  Scaled down
 * for short lifetimes so that a normal renewal never comes near it.
 */
time_t
sched_expiry_warn(const struct config *conf, const struct dstate *ds)
{
	time_t	 life = ds->not_after - ds->not_before;

	if (life > 0 && life / 6 < conf->expiry_warn)
		return life / 6;
	return conf->expiry_warn;
}

/*
 * The end of a certificate that could not be renewed, for the log:
 * "expires in 40 seconds (T)" (minutes under an hour, hours under two
 * days, days beyond) or "expired at T", with T in the form the status
 * file and the event hook give it.
 */
void
sched_expiry_text(time_t not_after, time_t now, char *s, size_t len)
{
	static const struct {
		time_t		 below;		/* this unit under it */
		time_t		 secs;
		const char	*name;
	} units[] = {
		{ 60, 1, "second" },
		{ 60 * 60, 60, "minute" },
		{ 2 * 24 * 60 * 60, 60 * 60, "hour" },
		{ 0, 24 * 60 * 60, "day" },
	};
	char	 t[32];
	time_t	 left = not_after - now, n;
	size_t	 i;

	(void)iso_time(not_after, t, sizeof(t));
	if (left < 0) {
		snprintf(s, len, "expired at %s", t);
		return;
	}
	for (i = 0; units[i].below != 0 && left >= units[i].below; i++)
		;
	n = left / units[i].secs;
	snprintf(s, len, "expires in %lld %s%s (%s)", (long long)n,
	    units[i].name, n == 1 ? "" : "s", t);
}

/* The delay to the next routine check: the interval, minus jitter. */
time_t
sched_check_delay(const struct config *conf)
{
	time_t	 j = conf->check_interval / 10;

	if (j > JITTER_MAX)
		j = JITTER_MAX;
	return conf->check_interval - random_below(j);
}

/*
 * The authority's answer about a certificate: a window (start < end), or
 * none (both 0).  A random moment inside the window is kept; a window
 * already past means now.  Asked again as Retry-After says.
 */
void
sched_ari_window(struct dstate *ds, time_t start, time_t end,
    time_t retry_after, time_t now)
{
	ds->ari_asked = 0;
	if (retry_after > ARI_REFRESH_MAX)
		retry_after = ARI_REFRESH_MAX;
	if (start == 0 && end == 0) {
		/* None offered, or an error: as the authority asked, or later. */
		ds->ari_start = ds->ari_end = ds->ari_at = 0;
		ds->ari_refresh = now + (retry_after > 0 ? retry_after :
		    ARI_REFRESH_MAX);
		return;
	}
	if (retry_after <= 0)
		retry_after = ARI_REFRESH_DEFAULT;
	ds->ari_refresh = now + retry_after;
	if (start == ds->ari_start && end == ds->ari_end && ds->ari_at != 0)
		return;		/* same window: keep the moment chosen */
	ds->ari_start = start;
	ds->ari_end = end;
	if (end <= now)
		ds->ari_at = now;
	else if (start <= now)
		ds->ari_at = now + random_below(end - now);
	else
		ds->ari_at = start + random_below(end - start);
	log_debug("%s: renewal window %lld..%lld, renewing at %lld",
	    ds->d->handle, (long long)start, (long long)end,
	    (long long)ds->ari_at);
}

/*
 * The first renewal information request of a certificate after a start or
 * a reload, at a random moment in the first n / ARI_START_RATE seconds
 * (at most the check interval), n the number of certificates: the
 * authority sees about ARI_START_RATE requests a second at start, not
 * one per certificate at once.
 */
void
sched_ari_first(struct dstate *ds, size_t n, time_t interval, time_t now)
{
	time_t	 spread = (time_t)(n / ARI_START_RATE);

	if (spread > interval)
		spread = interval;
	ds->ari_refresh = now + random_below(spread + 1);
}

/*
 * The authority's directory offers no renewal information: none of its
 * certificates asks before a day has passed, when the directory may
 * offer it (netproc reads it again daily); then the requests are spread
 * again, and the first answer stops them if it still offers none.
 */
void
sched_ari_none(struct authority *a, time_t now)
{
	if (a->ari_none_until <= now)
		log_debug("authority %s: no renewal information offered: "
		    "not asked again before %lld", a->name,
		    (long long)(now + ARI_REFRESH_MAX));
	a->ari_none_until = now + ARI_REFRESH_MAX;
}

/* A new certificate: the old one's window means nothing any more. */
void
sched_ari_forget(struct dstate *ds)
{
	ds->ari_start = ds->ari_end = ds->ari_at = 0;
	ds->ari_refresh = 0;
	ds->ari_asked = 0;
}
