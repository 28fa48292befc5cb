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
 * An order's authorizations: each pending one's challenge of the type
 * its domain chose (http-01 or tls-alpn-01) gets its key authorization
 * published by challenged and is answered; then
 * each is polled until it leaves "pending", with the authority's
 * Retry-After or a back-off, until the order's deadline.  An order that
 * answers dns-01 collects the records of every pending authorization
 * first: one name and its wildcard share _acme-challenge.NAME, which the
 * hook must publish with both values at once.  When every server of the
 * zone serves them, each challenge is answered.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "base64.h"
#include "ident.h"
#include "log.h"
#include "acme_op.h"

/*
 * A CA often finishes a validation or an issuance within a couple of
 * milliseconds of being asked (Pebble does); the doubling from 2 ms costs
 * a real CA that takes seconds only four or five more polls than from
 * 20 ms, and spares each order a fixed 20 ms wait.
 */
#define POLL_FIRST_MS	2
#define POLL_MAX_MS	5000

/* The wait before the next poll: Retry-After, or the back-off. */
long
acme_next_wait(struct acme_op *o, long retry_after)
{
	long	 ms;

	if (retry_after > 0)
		return retry_after * 1000;
	ms = o->wait_ms;
	o->wait_ms = o->wait_ms * 2 > POLL_MAX_MS ? POLL_MAX_MS :
	    o->wait_ms * 2;
	return ms;
}

void
acme_wait_reset(struct acme_op *o)
{
	o->wait_ms = POLL_FIRST_MS;
}

/*
 * Whether an authorization is for one of the names ordered, of the type
 * it was ordered as (RFC 8738: "ip" for an address, in whatever text
 * form the authority writes it).  One for another name is the
 * authority's mistake or an attempt to have acmed answer for a name
 * nobody asked it about: the order stops there.
 */
static int
authz_ordered(const struct acme_op *o, const struct acme_authz *az)
{
	const char	*name;
	size_t		 i;

	for (i = 0; i < o->nnames; i++) {
		name = o->names[i];
		if (az->wildcard) {
			if (strncmp(name, "*.", 2) != 0)
				continue;
			name += 2;
		}
		if (ident_same(name, az->identifier_type, az->identifier))
			return 1;
	}
	return 0;
}

static const char *
authz_url(const struct acme_op *o)
{
	return o->ord.authorizations[o->i];
}

static void
authz_got(struct acme_op *o)
{
	char	 err[256];

	if (o->rc == -1) {
		o->fetch_then(o);
		return;
	}
	acme_authz_free(&o->az);
	if (acme_parse_authz(o->resp.body.data, o->resp.body.len, &o->az,
	    err, sizeof(err)) == -1) {
		acme_answer_fail(o, "authorization", authz_url(o), &o->resp,
		    err);
		o->rc = -1;
	} else if (!authz_ordered(o, &o->az)) {
		acme_fail(o, "authorization", "%s: authorization %s is for "
		    "\"%s\", a name that was not ordered", o->names[0],
		    authz_url(o), o->az.identifier);
		o->rc = -1;
	}
	o->az_retry = o->resp.retry_after;
	o->fetch_then(o);
}

/* The current authorization into o->az; then(o) with o->rc. */
static void
authz_fetch(struct acme_op *o, acme_fn then)
{
	o->fetch_then = then;
	acme_post(o, authz_url(o), NULL, NULL, 0, authz_got);
}

/* tls-alpn-01: answered by identifier, not by token. */
static int
alpn(const struct acme_op *o)
{
	return o->challenge == ACME_CHAL_TLSALPN01;
}

static const char *
chal_type(const struct acme_op *o)
{
	switch (o->challenge) {
	case ACME_CHAL_DNS01:
		return "dns-01";
	case ACME_CHAL_TLSALPN01:
		return "tls-alpn-01";
	default:
		return "http-01";
	}
}

/* The authorization's challenge of the order's type. */
static const struct acme_challenge *
find_chal(const struct acme_op *o, const struct acme_authz *az)
{
	size_t	 i;

	for (i = 0; i < az->nchallenges; i++)
		if (strcmp(az->challenges[i].type, chal_type(o)) == 0)
			return &az->challenges[i];
	return NULL;
}

void
acme_dns_clear(struct acme_op *o)
{
	size_t	 i;

	for (i = 0; i < o->ndns; i++) {
		free(o->dns[i].name);
		free(o->dns[i].value);
		free(o->dns[i].url);
	}
	memset(o->dns, 0, sizeof(o->dns[0]) * o->ndns);
	o->ndns = 0;
	o->dns_published = 0;
}

/*
 * The record of a dns-01 challenge (RFC 8555 section 8.4): the base64url
 * SHA-256 of the key authorization, at the identifier's name, which for a
 * wildcard's authorization is the name without "*." (section 7.1.3).  A
 * challenge answered before (a resumed order) is published again, not
 * answered again.
 */
static int
dns_add(struct acme_op *o, const struct acme_challenge *ch,
    const char *keyauth)
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	struct acme_dns	*r;

	if (o->ndns >= ACME_MAX_AUTHZ)
		return -1;
	r = &o->dns[o->ndns];
	SHA256((const unsigned char *)keyauth, strlen(keyauth), md);
	if ((r->name = strdup(o->az.identifier)) == NULL ||
	    (r->value = b64url_encode(md, sizeof(md))) == NULL ||
	    (ch->status == ST_PENDING && (r->url = strdup(ch->url)) == NULL)) {
		free(r->name);
		free(r->value);
		memset(r, 0, sizeof(*r));
		return -1;
	}
	o->ndns++;
	return 0;
}

static void	answer_next(struct acme_op *);

static void
challenge_answered(struct acme_op *o)
{
	log_debug("%s: %s challenge answered", o->az.identifier,
	    chal_type(o));
	o->i++;
	answer_next(o);
}

static void	challenge_done(struct acme_op *);

static void
challenge_post(struct acme_op *o, const struct acme_challenge *ch)
{
	acme_post(o, ch->url, "{}", NULL, 0, challenge_done);
}

/*
 * A lost answer: the authorization says whether the authority took the
 * challenge.  One still pending is answered again, once; what else it
 * became, the wait sees.
 */
static void
challenge_reread(struct acme_op *o)
{
	const struct acme_challenge	*ch;

	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	if ((ch = find_chal(o, &o->az)) == NULL || ch->status != ST_PENDING) {
		challenge_answered(o);
		return;
	}
	challenge_post(o, ch);
}

static void
challenge_done(struct acme_op *o)
{
	if (o->rc == 0) {
		challenge_answered(o);
		return;
	}
	if (o->tries++ == 0 && acme_lost(o, alpn(o) ?
	    "the tls-alpn-01 challenge" : "the http-01 challenge",
	    "reading the authorization again"))
		authz_fetch(o, challenge_reread);
	else
		acme_end(o, -1);
}

static void
published(struct acme_op *o)
{
	const struct acme_challenge	*ch = find_chal(o, &o->az);

	if (o->ans.rc == -1 || o->ntokens >= ACME_MAX_AUTHZ) {
		if (alpn(o))
			acme_fail(o, "challenge", "%s: challenged refused "
			    "its tls-alpn-01 answer", o->az.identifier);
		else
			acme_fail(o, "challenge", "%s: challenged refused "
			    "token %s", o->az.identifier, ch->token);
		acme_end(o, -1);
		return;
	}
	if ((o->tokens[o->ntokens] = strdup(alpn(o) ? o->az.identifier :
	    ch->token)) != NULL)
		o->ntokens++;
	if (ch->status == ST_PROCESSING) {
		o->i++;		/* answered before: just wait */
		answer_next(o);
		return;
	}
	o->tries = 0;
	challenge_post(o, ch);
}

/*
 * Publishes the key authorization of a pending authorization's challenge
 * and tells the authority to validate it.
 */
static void
answer_got(struct acme_op *o)
{
	const struct acme_challenge	*ch;
	char				*keyauth;

	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	if (o->az.status == ST_VALID) {
		o->i++;
		answer_next(o);
		return;
	}
	if (o->az.status != ST_PENDING) {
		acme_fail(o, "authorization", "%s: authorization is %s",
		    o->az.identifier, acme_status_name(o->az.status));
		acme_end(o, -1);
		return;
	}
	if ((ch = find_chal(o, &o->az)) == NULL) {
		acme_fail(o, "authorization", "%s: the authority offers no "
		    "%s challenge", o->az.identifier, chal_type(o));
		acme_end(o, -1);
		return;
	}
	if (ch->status != ST_PENDING && ch->status != ST_PROCESSING) {
		acme_fail(o, "challenge", "%s: %s challenge is %s",
		    o->az.identifier, chal_type(o),
		    acme_status_name(ch->status));
		acme_end(o, -1);
		return;
	}
	/*
	 * Published even when the challenge was answered before (a resumed
	 * order): the authority may validate it only now.
	 */
	if (ch->token == NULL || asprintf(&keyauth, "%s.%s", ch->token,
	    o->a->thumbprint) == -1) {
		acme_fail(o, "challenge", "%s: %s challenge without a token",
		    o->az.identifier, chal_type(o));
		acme_end(o, -1);
		return;
	}
	if (o->challenge == ACME_CHAL_DNS01) {
		if (dns_add(o, ch, keyauth) == -1) {
			acme_fail(o, "internal", "%s: dns-01 record",
			    o->az.identifier);
			free(keyauth);
			acme_end(o, -1);
			return;
		}
		free(keyauth);
		o->i++;
		answer_next(o);
		return;
	}
	if (alpn(o))
		acme_io->chal_alpn_add(o, o->az.identifier, keyauth,
		    published);
	else
		acme_io->chal_add(o, ch->token, keyauth, published);
	free(keyauth);
}

static void	dns_post_next(struct acme_op *);

static void
dns_post_done(struct acme_op *o)
{
	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	log_debug("%s: dns-01 challenge answered", o->dns[o->i].name);
	o->i++;
	dns_post_next(o);
}

/* Answers each dns-01 challenge not answered before. */
static void
dns_post_next(struct acme_op *o)
{
	acme_fn	 then = o->wait_then;

	while (o->i < o->ndns && o->dns[o->i].url == NULL)
		o->i++;
	if (o->i < o->ndns) {
		acme_post(o, o->dns[o->i].url, "{}", NULL, 0, dns_post_done);
		return;
	}
	o->i = 0;
	then(o);
}

static void
dns_checked(struct acme_op *o)
{
	if (o->ans.rc == -1) {
		acme_fail(o, "dns", "%s: %s", o->names[0], o->ans.data ?
		    o->ans.data : "the records were not found");
		acme_end(o, -1);
		return;
	}
	o->i = 0;
	dns_post_next(o);
}

static void
dns_published(struct acme_op *o)
{
	if (o->ans.rc == -1) {
		acme_fail(o, "dns hook", "%s: dns hook: %s", o->names[0],
		    o->ans.data ? o->ans.data : "failed");
		/* whatever it did before it failed is taken back */
		o->dns_published = 1;
		acme_end(o, -1);
		return;
	}
	o->dns_published = 1;
	acme_io->dns_check(o, dns_checked);
}

static void
answer_next(struct acme_op *o)
{
	acme_fn	 then = o->wait_then;

	if (o->i < o->ord.nauthorizations) {
		authz_fetch(o, answer_got);
		return;
	}
	o->i = 0;
	if (o->ndns > 0 && !o->dns_published) {
		acme_io->dns_publish(o, dns_published);
		return;
	}
	then(o);
}

/* Answers every authorization of o->ord that is pending, then then(o). */
void
acme_authz_answer(struct acme_op *o, acme_fn then)
{
	o->i = 0;
	o->wait_then = then;
	answer_next(o);
}

static void	wait_next(struct acme_op *);
static void	wait_got(struct acme_op *);

static void
wait_again(struct acme_op *o)
{
	authz_fetch(o, wait_got);
}

static void
wait_got(struct acme_op *o)
{
	const struct acme_challenge	*ch;

	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	if (o->az.status == ST_VALID) {
		o->i++;
		acme_wait_reset(o);
		wait_next(o);
		return;
	}
	if (o->az.status == ST_PENDING) {
		if (acme_io->now() >= o->deadline) {
			acme_fail(o, "timeout", "%s: still pending after %d s",
			    o->az.identifier, ACME_ORDER_LIMIT);
			acme_end(o, -1);
			return;
		}
		acme_io->timer(o, acme_next_wait(o, o->az_retry), wait_again);
		return;
	}
	ch = find_chal(o, &o->az);
	if (ch != NULL && ch->error != NULL)
		acme_problem_fail(o, o->az.identifier, ch->error, -1);
	else
		acme_fail(o, "authorization", "%s: authorization %s",
		    o->az.identifier, acme_status_name(o->az.status));
	acme_end(o, -1);
}

static void
wait_next(struct acme_op *o)
{
	if (o->i < o->ord.nauthorizations) {
		authz_fetch(o, wait_got);
		return;
	}
	o->i = 0;
	o->wait_then(o);
}

/* Waits until every authorization of o->ord is valid, then then(o). */
void
acme_authz_wait(struct acme_op *o, acme_fn then)
{
	o->i = 0;
	o->wait_then = then;
	acme_wait_reset(o);
	wait_next(o);
}
