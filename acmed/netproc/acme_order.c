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
 * Issuance (RFC 8555) as a state machine, one per certificate, many at
 * once: the authority's set-up, then the order (resumed by its URL if it
 * is still usable, or placed), its authorizations (acme_authz.c),
 * finalize with keyproc's CSR, polling, download with the preferred
 * alternate chain.  Each step starts one request or one question to a
 * peer and returns; the answer runs the next.  Polls honour Retry-After
 * and otherwise back off from a few milliseconds, until the order's own
 * deadline.  A 429 or 503 with Retry-After to a new order pauses new
 * orders to that authority until then; orders under way go on.  A
 * profile (draft-ietf-acme-profiles) is asked for when the directory
 * offers it, and the order must come back for it.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "acme_op.h"

#define CT_PEM_CHAIN	"application/pem-certificate-chain"

static void	new_order(struct acme_op *);
static void	authz_begin(struct acme_op *);
static void	after_authz(struct acme_op *);
static void	download(struct acme_op *);

static const char *
time_text(time_t t, char *s, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(s, len, "%lld", (long long)t);
	return s;
}

/* --- the order object --- */

static void
order_got(struct acme_op *o)
{
	char	 err[256];

	if (o->rc == 0) {
		acme_order_free(&o->ord);
		if (acme_parse_order(o->resp.body.data, o->resp.body.len,
		    &o->ord, err, sizeof(err)) == -1) {
			acme_answer_fail(o, "order", o->order_url, &o->resp,
			    err);
			o->rc = -1;
		} else
			o->retry_after = o->resp.retry_after;
	}
	o->fetch_then(o);
}

/* POST-as-GET of the order into o->ord; then(o) with o->rc. */
static void
order_fetch(struct acme_op *o, acme_fn then)
{
	o->fetch_then = then;
	acme_post(o, o->order_url, NULL, NULL, 0, order_got);
}

static void	order_wait_step(struct acme_op *);

static void
order_polled(struct acme_op *o)
{
	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	order_wait_step(o);
}

static void
order_poll(struct acme_op *o)
{
	order_fetch(o, order_polled);
}

/* Polls while the order is pending or processing, then wait_then(o). */
static void
order_wait_step(struct acme_op *o)
{
	struct acme_order	*ord = &o->ord;

	if (ord->status == ST_PROCESSING || ord->status == ST_PENDING) {
		if (acme_io->now() >= o->deadline) {
			acme_fail(o, "timeout", "%s: order still %s after %d s",
			    o->names[0], acme_status_name(ord->status),
			    ACME_ORDER_LIMIT);
			acme_end(o, -1);
			return;
		}
		acme_io->timer(o, acme_next_wait(o, o->retry_after),
		    order_poll);
		return;
	}
	if (ord->status == ST_INVALID) {
		if (ord->error != NULL)
			acme_problem_fail(o, o->names[0], ord->error, -1);
		else
			acme_fail(o, "order", "%s: the order is invalid",
			    o->names[0]);
		acme_end(o, -1);
		return;
	}
	o->wait_then(o);
}

static void
order_wait(struct acme_op *o, acme_fn then)
{
	o->wait_then = then;
	acme_wait_reset(o);
	order_wait_step(o);
}

/* --- resuming or placing the order --- */

/* --- the profile --- */

static int
profile_offered(const struct acme_directory *d, const char *name)
{
	size_t	 i;

	for (i = 0; i < d->nprofiles; i++)
		if (strcmp(d->profiles[i], name) == 0)
			return 1;
	return 0;
}

/* The profiles an authority offers, for a person: "a, b" or "none". */
static const char *
profiles_offered(const struct acme_directory *d, char *s, size_t len)
{
	size_t	 i, n = 0;

	snprintf(s, len, "%s", d->nprofiles == 0 ? "none" : "");
	for (i = 0; i < d->nprofiles && n < len; i++)
		n += snprintf(s + n, len - n, "%s%s", i > 0 ? ", " : "",
		    d->profiles[i]);
	return s;
}

/*
 * Which profile the newOrder asks for (o->profile_sent, NULL: none): the
 * configured one if the authority offers it.  If it does not, the order
 * goes without one, or fails if the profile is required: -1 then, and
 * the operation has ended.
 */
static int
order_profile(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	char			 offered[512];

	o->profile_sent = NULL;
	if (o->profile == NULL)
		return 0;
	if (profile_offered(&a->dir, o->profile)) {
		o->profile_sent = o->profile;
		return 0;
	}
	profiles_offered(&a->dir, offered, sizeof(offered));
	if (o->profile_required) {
		acme_fail(o, "profile", "%s: authority %s does not offer the "
		    "required profile \"%s\" (it offers: %s)", o->names[0],
		    a->name, o->profile, offered);
		acme_end(o, -1);
		return -1;
	}
	if (!o->profile_said) {
		log_warnx("%s: authority %s does not offer the profile "
		    "\"%s\" (it offers: %s); ordering without a profile",
		    o->names[0], a->name, o->profile, offered);
		o->profile_said = 1;
	}
	return 0;
}

/*
 * A newOrder that asked for a profile was refused: the error names the
 * profile, and says so when the refusal is of the profile itself, as
 * invalidProfile (not offered, or not for these identifiers) or
 * unauthorized (an account the authority keeps the profile from).
 */
static void
profile_refused(struct acme_op *o)
{
	char	*s, *was = o->error;
	int	 rc;

	if (o->profile_sent == NULL || was == NULL)
		return;
	if (acme_is_problem_type(o->error_type, "invalidProfile"))
		rc = asprintf(&s, "%s: authority %s refused the profile "
		    "\"%s\": %s", o->names[0], o->a->name, o->profile_sent,
		    was);
	else if (acme_is_problem_type(o->error_type, "unauthorized"))
		rc = asprintf(&s, "%s: authority %s does not let the account "
		    "use the profile \"%s\": %s", o->names[0], o->a->name,
		    o->profile_sent, was);
	else
		rc = asprintf(&s, "%s (the order asked for the profile "
		    "\"%s\")", was, o->profile_sent);
	if (rc == -1)
		return;
	free(was);
	o->error = s;
}

/*
 * The order comes back for the profile asked for (an authority that
 * echoes none is taken at its word); 0, or -1 with the op failed.
 */
static int
profile_echoed(struct acme_op *o, const char *url)
{
	if (o->profile_sent == NULL || o->ord.profile == NULL ||
	    strcmp(o->ord.profile, o->profile_sent) == 0)
		return 0;
	acme_fail(o, "profile", "%s: authority %s answered the order for the "
	    "profile \"%s\" with %s, an order for the profile \"%s\"",
	    o->names[0], o->a->name, o->profile_sent, url, o->ord.profile);
	return -1;
}

/*
 * Whether an order kept from before is for another profile than the one
 * now configured and offered, as after a change of the configuration.
 */
static int
profile_changed(const struct acme_op *o)
{
	return o->profile != NULL && o->ord.profile != NULL &&
	    profile_offered(&o->a->dir, o->profile) &&
	    strcmp(o->ord.profile, o->profile) != 0;
}

static void
resumed(struct acme_op *o)
{
	if (o->rc == 0 && o->ord.status != ST_INVALID &&
	    profile_changed(o)) {
		log_info("%s: pending order %s is for the profile \"%s\", "
		    "not \"%s\"; ordering again", o->names[0], o->order_url,
		    o->ord.profile, o->profile);
		free(o->order_url);
		o->order_url = NULL;
		new_order(o);
		return;
	}
	/*
	 * Only an authority that says the order is gone (404) or invalid
	 * has it ordered again.  Any other failure (no answer, a server
	 * error, a rate limit) ends this attempt with the order kept for
	 * the next: the order may well be there, and a new one would be a
	 * second order for the same certificate.
	 */
	if (o->rc == -1 && o->resp.code != 404) {
		acme_end(o, -1);
		return;
	}
	if (o->rc == -1 || o->ord.status == ST_INVALID) {
		log_info("%s: pending order %s is gone (%s); ordering again",
		    o->names[0], o->order_url, o->error ? o->error :
		    "invalid");
		acme_unfail(o);
		free(o->order_url);
		o->order_url = NULL;
		new_order(o);
		return;
	}
	log_info("%s: resuming order %s", o->names[0], o->order_url);
	authz_begin(o);
}

static void
setup_done(struct acme_op *o)
{
	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	if (o->order_url != NULL)
		order_fetch(o, resumed);
	else
		new_order(o);
}

void
acme_issue(struct acme_op *o)
{
	acme_setup(o, SETUP_ACCOUNT | SETUP_THUMB, setup_done);
}

/*
 * RFC 9773 section 5: an order naming the certificate it replaces may be
 * refused for that alone (already replaced, or not a certificate the
 * authority will accept as replaced); a new certificate is still wanted.
 */
static int
refused_replaces(const struct acme_op *o)
{
	const char	*detail;
	size_t		 n;

	if (o->replaces == NULL || o->error_type == NULL || o->error == NULL)
		return 0;
	if (acme_is_problem_type(o->error_type, "alreadyReplaced"))
		return 1;
	if (!acme_is_problem_type(o->error_type, "malformed"))
		return 0;
	/* The error starts with the newOrder URL: look past it. */
	detail = o->error;
	n = strlen(o->a->dir.new_order);
	if (strncmp(detail, o->a->dir.new_order, n) == 0)
		detail += n;
	return strcasestr(detail, "replaces") != NULL;
}

/*
 * While the authority's Retry-After to a new order runs, no new order
 * goes to it: the order waits, unless the pause outlasts its deadline,
 * and then fails with the time left, which the parent keeps as the
 * domain's Retry-After.  1 if the order waits or failed.
 */
static int
order_paused(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	time_t			 now = acme_io->now();
	char			 t[64];

	if (a->paused_until <= now) {
		if (a->paused_said) {
			log_info("authority %s: new orders resume",
			    a->name);
			a->paused_said = 0;
		}
		return 0;
	}
	if (a->paused_until > o->deadline) {
		acme_fail(o, "urn:ietf:params:acme:error:rateLimited",
		    "%s: authority %s takes no new order before %s",
		    o->names[0], a->name, time_text(a->paused_until, t,
		    sizeof(t)));
		o->retry_after = a->paused_until - now;
		acme_end(o, -1);
		return 1;
	}
	acme_io->timer(o, (long)(a->paused_until - now) * 1000, new_order);
	return 1;
}

/* A 429 or 503 with Retry-After: new orders pause until then. */
static int
rate_limited(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	char			 t[64];

	if ((o->resp.code != 429 && o->resp.code != 503) ||
	    o->resp.retry_after <= 0)
		return 0;
	if (a->paused_until < acme_io->now() + o->resp.retry_after) {
		a->paused_until = acme_io->now() + o->resp.retry_after;
		a->paused_said = 1;
		log_warnx("%s: %s; new orders to authority %s wait until %s",
		    o->names[0], o->error ? o->error : "rate limited",
		    a->name, time_text(a->paused_until, t, sizeof(t)));
	}
	acme_unfail(o);
	return 1;
}

static void
new_order_done(struct acme_op *o)
{
	char	 err[256];

	if (o->rc == -1) {
		if (refused_replaces(o)) {
			log_warnx("%s: %s; ordering again without replaces",
			    o->names[0], o->error);
			acme_unfail(o);
			free(o->replaces);
			o->replaces = NULL;
			new_order(o);
		} else if (rate_limited(o))
			new_order(o);
		/*
		 * An order whose answer was lost has no URL to be read by
		 * (not every authority lists an account's orders): it is
		 * left to expire, and the order placed again, once.
		 */
		else if (!o->reordered++ && acme_lost(o, "newOrder",
		    "ordering again"))
			new_order(o);
		else {
			profile_refused(o);
			acme_end(o, -1);
		}
		return;
	}
	if (o->resp.location == NULL) {
		acme_fail(o, "order", "%s: new order without a Location",
		    o->a->dir.new_order);
		acme_end(o, -1);
		return;
	}
	acme_order_free(&o->ord);
	if (acme_parse_order(o->resp.body.data, o->resp.body.len, &o->ord,
	    err, sizeof(err)) == -1) {
		acme_answer_fail(o, "order", o->resp.location, &o->resp, err);
		acme_end(o, -1);
		return;
	}
	if (profile_echoed(o, o->resp.location) == -1) {
		acme_end(o, -1);
		return;
	}
	free(o->order_url);
	o->order_url = o->resp.location;
	o->resp.location = NULL;
	acme_io->order_url(o, o->order_url);
	log_debug("%s: order %s", o->names[0], o->order_url);
	authz_begin(o);
}

static void
new_order(struct acme_op *o)
{
	if (order_paused(o) || order_profile(o) == -1)
		return;
	free(o->body);
	if ((o->body = acme_req_new_order((const char *const *)o->names,
	    o->nnames, o->replaces, o->profile_sent)) == NULL) {
		acme_fail(o, "order", "could not build the order");
		acme_end(o, -1);
		return;
	}
	acme_post(o, o->a->dir.new_order, o->body, NULL, 0, new_order_done);
}

/* --- authorizations, finalize --- */

static void
final_wait_done(struct acme_op *o)
{
	if (o->ord.status != ST_VALID || o->ord.certificate == NULL) {
		acme_fail(o, "order", "%s: order is %s without a certificate",
		    o->names[0], acme_status_name(o->ord.status));
		acme_end(o, -1);
		return;
	}
	download(o);
}

static void
final_wait(struct acme_op *o)
{
	order_wait(o, final_wait_done);
}

static void	finalize_done(struct acme_op *);

/*
 * A lost answer: the order says whether the authority took the request.
 * Still ready, it did not, and is finalized again, once; anything else
 * is the order as it is now.
 */
static void
finalize_reread(struct acme_op *o)
{
	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	if (o->ord.status != ST_READY) {
		final_wait(o);
		return;
	}
	acme_post(o, o->ord.finalize, o->body, NULL, 0, finalize_done);
}

static void
finalize_done(struct acme_op *o)
{
	char	 err[256];

	if (o->rc == -1) {
		if (o->tries++ == 0 && acme_lost(o, "finalize",
		    "reading the order again"))
			order_fetch(o, finalize_reread);
		else
			acme_end(o, -1);
		return;
	}
	acme_order_free(&o->ord);
	if (acme_parse_order(o->resp.body.data, o->resp.body.len, &o->ord,
	    err, sizeof(err)) == -1) {
		acme_answer_fail(o, "order", o->order_url, &o->resp, err);
		acme_end(o, -1);
		return;
	}
	o->retry_after = o->resp.retry_after;
	final_wait(o);
}

static void
csr_made(struct acme_op *o)
{
	if (o->ans.rc == -1) {
		log_warnx("%s: keyproc: %s", o->names[0], o->ans.data ?
		    o->ans.data : "refused");
		acme_fail(o, "keyproc", "%s: no CSR", o->names[0]);
		acme_end(o, -1);
		return;
	}
	free(o->body);
	if ((o->body = acme_req_finalize(o->ans.data, o->ans.len)) == NULL) {
		acme_fail(o, "internal", "%s: finalize request", o->names[0]);
		acme_end(o, -1);
		return;
	}
	o->tries = 0;
	acme_post(o, o->ord.finalize, o->body, NULL, 0, finalize_done);
}

static void
after_authz(struct acme_op *o)
{
	if (o->ord.status == ST_READY)
		acme_io->csr(o, o->keyid, o->names, o->nnames, csr_made);
	else
		final_wait(o);
}

static void
authz_refetched(struct acme_op *o)
{
	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	order_wait(o, after_authz);
}

static void
authz_valid(struct acme_op *o)
{
	order_fetch(o, authz_refetched);
}

static void
authz_answered(struct acme_op *o)
{
	acme_authz_wait(o, authz_valid);
}

static void
authz_begin(struct acme_op *o)
{
	if (o->ord.status == ST_PENDING)
		acme_authz_answer(o, authz_answered);
	else
		after_authz(o);
}

/* --- the certificate --- */

static int
preferred(const struct acme_op *o, const char *pem, size_t len)
{
	char	*issuer;
	int	 yes;

	issuer = chain_top_issuer(pem, len);
	yes = issuer != NULL && strcmp(issuer, o->preferred_chain) == 0;
	free(issuer);
	return yes;
}

static void	alt_next(struct acme_op *);

static void
alt_got(struct acme_op *o)
{
	if (o->rc == -1) {
		log_warnx("%s: alternate chain %s not downloaded: %s",
		    o->names[0], o->alts[o->i], o->error ? o->error :
		    "failed");
		acme_unfail(o);
		o->alt_failed = 1;
		o->i++;
		alt_next(o);
		return;
	}
	if (!preferred(o, (char *)o->resp.body.data, o->resp.body.len)) {
		o->i++;
		alt_next(o);
		return;
	}
	log_info("%s: using the alternate chain issued by %s", o->names[0],
	    o->preferred_chain);
	free(o->chain);
	o->chain = buf_release(&o->resp.body, &o->chainlen);
	acme_end(o, o->chain != NULL ? 0 : -1);
}

/*
 * The alternates in turn until one's top issuer is preferred.  The
 * certificate is issued either way: an alternate that cannot be had is
 * passed over, with the reason logged, and the default chain serves.
 */
static void
alt_next(struct acme_op *o)
{
	if (o->i < o->nalts) {
		acme_post(o, o->alts[o->i], NULL, CT_PEM_CHAIN, 0, alt_got);
		return;
	}
	log_info("%s: no chain issued by \"%s\"%s; using the default one",
	    o->names[0], o->preferred_chain, o->alt_failed ?
	    " could be downloaded" : "");
	acme_end(o, 0);
}

static void
downloaded(struct acme_op *o)
{
	size_t	 i;

	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	if ((o->chain = buf_release(&o->resp.body, &o->chainlen)) == NULL) {
		acme_fail(o, "internal", "%s: out of memory", o->names[0]);
		acme_end(o, -1);
		return;
	}
	if (o->preferred_chain == NULL || preferred(o, o->chain,
	    o->chainlen)) {
		acme_end(o, 0);
		return;
	}
	for (i = 0; i < o->resp.nalternates; i++) {
		o->alts[i] = o->resp.alternates[i];
		o->resp.alternates[i] = NULL;
	}
	o->nalts = o->resp.nalternates;
	o->resp.nalternates = 0;
	o->i = 0;
	alt_next(o);
}

static void
download(struct acme_op *o)
{
	acme_post(o, o->ord.certificate, NULL, CT_PEM_CHAIN, 0, downloaded);
}
