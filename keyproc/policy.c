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
 * What each key may sign for netproc (the policy as a whole is told at
 * the top of keyproc.c).  A key's role and the operations it is
 * authorised for come from the parent; every request from netproc is
 * checked against them, and an authorisation is used up by the
 * signatures it allows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "msg.h"
#include "crypto.h"
#include "payload.h"
#include "policy.h"

#define ORIGIN_MAX	300
#define SHOWN_MAX	100	/* a URL from netproc, as a log shows it */

static const char *const op_names[KEY_OP_MAX] = {
	[KEY_OP_REVOKE] = "a revocation",
	[KEY_OP_DEACTIVATE] = "an account deactivation",
	[KEY_OP_KEY_CHANGE] = "a key change",
};

/* What an authorisation for something else differs in. */
static const char *const op_others[KEY_OP_MAX] = {
	[KEY_OP_REVOKE] = "of another certificate or for another reason",
	[KEY_OP_DEACTIVATE] = "of another account",
	[KEY_OP_KEY_CHANGE] = "to another key",
};

static void
allows_free(struct policy *p)
{
	size_t	 i;

	for (i = 0; i < p->nallows; i++)
		free(p->allows[i].cert);
	free(p->allows);
	p->allows = NULL;
	p->nallows = 0;
}

static void
csr_remove(struct policy *p, size_t i)
{
	free(p->csrs[i].b64);
	memmove(&p->csrs[i], &p->csrs[i + 1], (p->ncsrs - i - 1) *
	    sizeof(p->csrs[0]));
	p->ncsrs--;
}

void
policy_clear(struct policy *p)
{
	allows_free(p);
	while (p->ncsrs > 0)
		csr_remove(p, 0);
	free(p->authority);
	free(p->origin);
	free(p->profile);
	names_free(p->names, p->nnames);
	memset(p, 0, sizeof(*p));
}

/*
 * Gives the key its role (and forgets what it was authorised for): 0, or
 * -1 with the reason in err and no role.
 */
int
policy_set_role(struct policy *p, enum key_role role, uint32_t authid,
    const char *authority, const char *url, const char *names, char *err,
    size_t errlen)
{
	char	 origin[ORIGIN_MAX];

	policy_clear(p);
	if (role == KEY_ROLE_NONE)
		return 0;
	if (role >= KEY_ROLE_MAX) {
		snprintf(err, errlen, "unknown role %u", role);
		return -1;
	}
	if (url_origin(url, origin, sizeof(origin)) == -1) {
		snprintf(err, errlen, "authority %s: directory URL %s is not "
		    "an https URL", authority, url);
		return -1;
	}
	if (role == KEY_ROLE_DOMAIN && names_parse(names, &p->names,
	    &p->nnames) == -1) {
		snprintf(err, errlen, "domain key: %s", crypto_error());
		return -1;
	}
	if ((p->authority = strdup(authority)) == NULL ||
	    (p->origin = strdup(origin)) == NULL) {
		snprintf(err, errlen, "out of memory");
		policy_clear(p);
		return -1;
	}
	p->role = role;
	p->authid = authid;
	return 0;
}

/*
 * The profile a domain key's orders may ask for ("": none), given with
 * its role: 0, or -1 with the reason in err.
 */
int
policy_set_profile(struct policy *p, const char *profile, char *err,
    size_t errlen)
{
	free(p->profile);
	p->profile = NULL;
	if (profile[0] == '\0')
		return 0;
	if (p->role != KEY_ROLE_DOMAIN) {
		snprintf(err, errlen, "a profile for a key that is not a "
		    "domain key");
		return -1;
	}
	if ((p->profile = strdup(profile)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* "account key of authority pebble": the key's role, for the log. */
void
policy_describe(const struct policy *p, char *s, size_t len)
{
	switch (p->role) {
	case KEY_ROLE_ACCOUNT:
		snprintf(s, len, "account key of authority %s", p->authority);
		break;
	case KEY_ROLE_NEW_ACCOUNT:
		snprintf(s, len, "new account key of authority %s",
		    p->authority);
		break;
	case KEY_ROLE_DOMAIN:
		snprintf(s, len, "domain key of %s", p->names[0]);
		break;
	default:
		snprintf(s, len, "no role");
		break;
	}
}

/* The index of the authorisation for exactly this, or -1. */
static int
allow_find(const struct policy *p, enum key_op op, uint32_t other,
    const char *cert)
{
	const struct allow	*a;
	size_t			 i;

	for (i = 0; i < p->nallows; i++) {
		a = &p->allows[i];
		if (a->op == op && a->other == other &&
		    (a->cert == NULL) == (cert == NULL) &&
		    (cert == NULL || strcmp(a->cert, cert) == 0))
			return (int)i;
	}
	return -1;
}

static void
allow_remove(struct policy *p, size_t i)
{
	free(p->allows[i].cert);
	p->allows[i] = p->allows[--p->nallows];
}

/*
 * What an authorisation is about as base64url: a revocation's leaf, as
 * the revocation carries it, or the URL of the account to deactivate;
 * NULL for none (a key change).
 */
static int
allow_cert(const void *der, size_t len, char **cert)
{
	*cert = NULL;
	if (len == 0)
		return 0;
	return (*cert = b64url_encode(der, len)) == NULL ? -1 : 0;
}

int
policy_allow(struct policy *p, enum key_op op, uint32_t other,
    const void *der, size_t len, char *err, size_t errlen)
{
	struct allow	*na;
	char		*cert;

	if (op >= KEY_OP_MAX || (op == KEY_OP_KEY_CHANGE) == (len > 0)) {
		snprintf(err, errlen, "authorisation of unknown operation %u "
		    "or without its certificate or account", op);
		return -1;
	}
	if (p->nallows == POLICY_ALLOWS_MAX) {
		snprintf(err, errlen, "more than %d authorisations",
		    POLICY_ALLOWS_MAX);
		return -1;
	}
	if (allow_cert(der, len, &cert) == -1 || (na = reallocarray(p->allows,
	    p->nallows + 1, sizeof(*na))) == NULL) {
		free(cert);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->allows = na;
	na = &p->allows[p->nallows++];
	na->op = op;
	na->other = other;
	na->cert = cert;
	na->left = KEY_ALLOW_SIGNATURES;
	return 0;
}

/* Ends one authorisation: 0, or -1 if there was none like it. */
int
policy_withdraw(struct policy *p, enum key_op op, uint32_t other,
    const void *der, size_t len)
{
	char	*cert;
	int	 i;

	if (allow_cert(der, len, &cert) == -1)
		return -1;
	if ((i = allow_find(p, op, other, cert)) != -1)
		allow_remove(p, i);
	free(cert);
	return i == -1 ? -1 : 0;
}

/*
 * One signature of an authorised operation: 0 if the parent authorised
 * it (and one signature fewer is left), -1 with the reason in why.
 */
static int
allow_use(struct policy *p, enum key_op op, uint32_t other, const char *cert,
    char *why, size_t whylen)
{
	size_t	 i;
	int	 n;

	if ((n = allow_find(p, op, other, cert)) != -1) {
		if (--p->allows[n].left == 0)
			allow_remove(p, n);
		return 0;
	}
	for (i = 0; i < p->nallows; i++)
		if (p->allows[i].op == op)
			break;
	if (i < p->nallows)
		snprintf(why, whylen, "%s %s than the parent authorised",
		    op_names[op], op_others[op]);
	else
		snprintf(why, whylen, "%s that the parent did not authorise",
		    op_names[op]);
	return -1;
}

/*
 * A revocation: for a reason acmed gives (enum revoke_reason), of the
 * leaf and for the reason the parent authorised; -1 with the reason.
 */
static int
revoke_use(struct policy *p, const struct payload *pl, char *why,
    size_t whylen)
{
	switch (pl->reason) {
	case REVOKE_UNSPECIFIED:
	case REVOKE_KEY_COMPROMISE:
	case REVOKE_AFFILIATION_CHANGED:
	case REVOKE_SUPERSEDED:
	case REVOKE_CESSATION_OF_OPERATION:
		return allow_use(p, KEY_OP_REVOKE, (uint32_t)pl->reason,
		    pl->cert, why, whylen);
	default:
		snprintf(why, whylen, "a revocation for reason %lld, which "
		    "acmed never gives (0, 1, 3, 4 or 5)", pl->reason);
		return -1;
	}
}

/*
 * A deactivation: posted to the account's own URL, its kid, which is the
 * account the parent authorised the deactivation of; -1 with the reason.
 */
static int
deactivate_use(struct policy *p, const char *url, const char *kid,
    char *why, size_t whylen)
{
	char	*b64;
	int	 rc;

	if (strcmp(url, kid) != 0) {
		snprintf(why, whylen, "an account deactivation posted to a "
		    "URL that is not the account's own (its kid)");
		return -1;
	}
	if (allow_cert(kid, strlen(kid), &b64) == -1) {
		snprintf(why, whylen, "an account deactivation: out of "
		    "memory");
		return -1;
	}
	rc = allow_use(p, KEY_OP_DEACTIVATE, 0, b64, why, whylen);
	free(b64);
	return rc;
}

/* 0 if url is of the key's authority's origin; -1 with the reason. */
static int
own_origin(const struct policy *p, const char *what, const char *url,
    char *why, size_t whylen)
{
	char	 origin[ORIGIN_MAX], shown[SHOWN_MAX];

	if (url_origin(url, origin, sizeof(origin)) == 0 &&
	    strcmp(origin, p->origin) == 0)
		return 0;
	printable(url, shown, sizeof(shown));
	snprintf(why, whylen, "%s for %s, outside the origin of authority "
	    "%s (%s)", what, shown, p->authority, p->origin);
	return -1;
}

/* 1 if name is one of names. */
static int
name_in(const char *name, char *const *names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* 1 if q is a domain key of account key p's authority. */
static int
own_domain(const struct policy *p, const struct policy *q)
{
	return q->role == KEY_ROLE_DOMAIN && q->authid == p->authid;
}

/* 1 if the n names are exactly domain key q's, each once. */
static int
names_are(const struct policy *q, char *const *names, size_t n)
{
	size_t	 i;

	if (n != q->nnames)
		return 0;
	for (i = 0; i < n; i++)
		if (!name_in(names[i], q->names, q->nnames) ||
		    name_in(names[i], names, i))
			return 0;
	return 1;
}

/* 1 if a newOrder may ask domain key q's names for profile (NULL: none). */
static int
profile_is(const struct policy *q, const char *profile)
{
	return profile == NULL || (q->profile != NULL &&
	    strcmp(profile, q->profile) == 0);
}

/*
 * A newOrder: for exactly the names of one domain key of p's authority,
 * as acmed orders and renews; a subset is refused too, since no CSR
 * keyproc makes could finalize it.  A profile only if it is that
 * domain's: another would change what the certificate is.  -1 with the
 * reason.
 */
static int
order_names(const struct policy *p, policy_at others,
    const struct payload *pl, char *why, size_t whylen)
{
	const struct policy	*q;
	size_t			 i, k;
	int			 known, named = 0;
	char			 shown[SHOWN_MAX];

	for (i = 0; (q = others(i)) != NULL; i++)
		if (own_domain(p, q) && names_are(q, pl->names, pl->nnames)) {
			if (profile_is(q, pl->profile))
				return 0;
			named = 1;
		}
	if (named) {
		printable(pl->profile, shown, sizeof(shown));
		snprintf(why, whylen, "a newOrder for the profile \"%s\", "
		    "which is not the one configured for %s", shown,
		    pl->names[0]);
		return -1;
	}
	for (k = 0; k < pl->nnames; k++) {
		for (known = 0, i = 0; !known && (q = others(i)) != NULL; i++)
			known = own_domain(p, q) && name_in(pl->names[k],
			    q->names, q->nnames);
		if (!known) {
			printable(pl->names[k], shown, sizeof(shown));
			snprintf(why, whylen, "a newOrder for %s, a name of "
			    "no domain of authority %s", shown, p->authority);
			return -1;
		}
	}
	snprintf(why, whylen, "a newOrder for names that are not those of "
	    "one domain of authority %s, all of them and no other",
	    p->authority);
	return -1;
}

/*
 * A finalize: only with a CSR keyproc made (MSG_CSR) with a domain key of
 * p's authority, each for KEY_ALLOW_SIGNATURES signatures (the request,
 * its badNonce retries, and a second finalize after a lost answer), so
 * that netproc cannot have the account certify a key of its own.
 */
static int
csr_use(const struct policy *p, policy_at others, const char *csr,
    char *why, size_t whylen)
{
	struct policy	*q;
	size_t		 i, k;

	for (i = 0; (q = others(i)) != NULL; i++) {
		if (!own_domain(p, q))
			continue;
		for (k = 0; k < q->ncsrs; k++) {
			if (strcmp(q->csrs[k].b64, csr) != 0)
				continue;
			if (--q->csrs[k].left == 0)
				csr_remove(q, k);
			return 0;
		}
	}
	snprintf(why, whylen, "a finalize whose CSR keyproc did not make "
	    "with a domain key of authority %s", p->authority);
	return -1;
}

/*
 * A request an account key signs: any ACME request of its authority but
 * a key change, which is signed whole through policy_key_change(); a
 * revocation only as the parent authorised (revoke_use()), a deactivation
 * only so and for the account's own URL; a newOrder
 * and a finalize only for a domain of its authority (order_names(),
 * csr_use()).  The JWK in place of the account URL (kid "") only for
 * newAccount, and an account's own members (contact, terms of service,
 * binding, look-up) only so: acmed never updates an account, and an
 * update could give it a contact of netproc's choosing.
 */
static int
account_sign(struct policy *p, policy_at others, const struct payload *pl,
    const char *url, const char *kid, char *why, size_t whylen)
{
	const char	*what = payload_name(pl->kind);

	if (pl->kind == PAYLOAD_KEY_CHANGE) {
		snprintf(why, whylen, "a key change outside KEY_CHANGE, which "
		    "signs only what the parent authorised");
		return -1;
	}
	if (kid[0] == '\0' && pl->kind != PAYLOAD_ACCOUNT) {
		snprintf(why, whylen, "%s without the account URL (kid)",
		    what);
		return -1;
	}
	if (kid[0] != '\0' && pl->kind == PAYLOAD_ACCOUNT) {
		snprintf(why, whylen, "an account update (a kid with contact, "
		    "terms of service, binding or look-up): acmed changes an "
		    "account only by a key change or a deactivation");
		return -1;
	}
	if (kid[0] != '\0' && own_origin(p, "a kid", kid, why, whylen) == -1)
		return -1;
	switch (pl->kind) {
	case PAYLOAD_REVOKE:
		return revoke_use(p, pl, why, whylen);
	case PAYLOAD_DEACTIVATE:
		return deactivate_use(p, url, kid, why, whylen);
	case PAYLOAD_ORDER:
		return order_names(p, others, pl, why, whylen);
	case PAYLOAD_FINALIZE:
		return csr_use(p, others, pl->csr, why, whylen);
	default:
		return 0;
	}
}

/*
 * A request netproc asks key p to sign for url, with kid ("": the JWK in
 * the header): 0 if its policy allows it, -1 with the reason in why.
 * others: every key's policy, for a request judged by another key's.
 */
int
policy_sign(struct policy *p, policy_at others, const char *url,
    const char *kid, const void *payload, size_t plen, char *why,
    size_t whylen)
{
	struct payload	 pl;
	const char	*what;
	int		 rc = -1;

	if (p->role == KEY_ROLE_NONE) {
		snprintf(why, whylen, "anything: the parent gave the key no "
		    "role");
		return -1;
	}
	if (payload_read(payload, plen, &pl, why, whylen) == -1)
		return -1;
	what = payload_name(pl.kind);
	if (own_origin(p, what, url, why, whylen) == -1)
		goto out;
	switch (p->role) {
	case KEY_ROLE_ACCOUNT:
		rc = account_sign(p, others, &pl, url, kid, why, whylen);
		break;
	case KEY_ROLE_DOMAIN:
		/* The certificate's key speaks for itself: its JWK. */
		if (pl.kind != PAYLOAD_REVOKE || kid[0] != '\0')
			snprintf(why, whylen, "%s%s: a domain key signs only "
			    "revocations, with its JWK", what, kid[0] != '\0' ?
			    " with a kid" : "");
		else
			rc = revoke_use(p, &pl, why, whylen);
		break;
	case KEY_ROLE_NEW_ACCOUNT:
		if (!pl.lookup || kid[0] != '\0')
			snprintf(why, whylen, "%s: a new account key signs "
			    "only the look-up of its account, with its JWK",
			    what);
		else
			rc = 0;
		break;
	default:
		break;
	}
 out:
	payload_free(&pl);
	return rc;
}

/* A CSR for names: only a domain key's, for exactly its names. */
int
policy_csr(const struct policy *p, char *const *names, size_t n, char *why,
    size_t whylen)
{
	size_t	 i;

	if (p->role != KEY_ROLE_DOMAIN) {
		snprintf(why, whylen, "a CSR: only a domain key signs one");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!name_in(names[i], p->names, p->nnames)) {
			snprintf(why, whylen, "a CSR for %s, which is not one "
			    "of the domain's names", names[i]);
			return -1;
		}
	for (i = 0; i < p->nnames; i++)
		if (!name_in(p->names[i], names, n)) {
			snprintf(why, whylen, "a CSR without %s, one of the "
			    "domain's names", p->names[i]);
			return -1;
		}
	if (n != p->nnames) {
		snprintf(why, whylen, "a CSR that names one name twice");
		return -1;
	}
	return 0;
}

/*
 * A CSR keyproc made with domain key p, which a finalize may now carry;
 * the oldest is forgotten when there are more than POLICY_CSRS_MAX.
 * -1 if it cannot be kept.
 */
int
policy_csr_made(struct policy *p, const void *der, size_t len)
{
	char	*b64;

	if ((b64 = b64url_encode(der, len)) == NULL)
		return -1;
	if (p->ncsrs == POLICY_CSRS_MAX)
		csr_remove(p, 0);
	p->csrs[p->ncsrs].b64 = b64;
	p->csrs[p->ncsrs++].left = KEY_ALLOW_SIGNATURES;
	return 0;
}

/* An external account binding: for a newAccount URL of its authority. */
int
policy_eab(const struct policy *p, const char *url, char *why,
    size_t whylen)
{
	if (p->role != KEY_ROLE_ACCOUNT) {
		snprintf(why, whylen, "an external account binding: only an "
		    "account key has one");
		return -1;
	}
	return own_origin(p, "an external account binding", url, why,
	    whylen);
}

/*
 * A key change of old's account to the key newid (new): only while the
 * parent authorises that change, for URLs of the account's authority.
 */
int
policy_key_change(struct policy *old, const struct policy *new,
    uint32_t newid, const char *url, const char *account, char *why,
    size_t whylen)
{
	if (old->role != KEY_ROLE_ACCOUNT) {
		snprintf(why, whylen, "a key change: only an account key's "
		    "account changes key");
		return -1;
	}
	if (new->role != KEY_ROLE_NEW_ACCOUNT || new->authid != old->authid) {
		snprintf(why, whylen, "a key change to key %u, which is not "
		    "a new key of authority %s", newid, old->authority);
		return -1;
	}
	if (own_origin(old, "a key change", url, why, whylen) == -1 ||
	    own_origin(old, "a key change of an account", account, why,
	    whylen) == -1)
		return -1;
	return allow_use(old, KEY_OP_KEY_CHANGE, newid, NULL, why, whylen);
}
