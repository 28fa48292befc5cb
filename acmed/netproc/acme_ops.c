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
 * The operations beside issuance, as state machines on the same
 * requests: revocation (RFC 8555 section 7.6), the account's key change
 * (section 7.3.5), renewal information (RFC 9773), and the account's
 * deactivation (section 7.3.6).
 *
 * The renewalInfo URL comes from the authority's directory, never from
 * configuration; the certificate is named by its unique identifier
 * (base64url of the Authority Key Identifier, ".", base64url of the
 * serial number) and its window is fetched with a plain unauthenticated
 * GET (RFC 9773 section 4.1).  Nothing here decides when to renew: the
 * window goes back to the parent, which schedules.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "x509check.h"
#include "acme_op.h"

#define ARI_URL_MAX	4096

/* --- revocation --- */

static void
revoked(struct acme_op *o)
{
	if (o->rc == 0) {
		acme_end(o, 0);
		return;
	}
	/* A certificate the authority says is already revoked is revoked. */
	if (acme_is_problem_type(o->error_type, "alreadyRevoked")) {
		log_info("%s: %s", o->names[0], o->error);
		acme_end(o, 0);
		return;
	}
	acme_end(o, -1);
}

/*
 * Posts body, a request the caller made (what it is: NULL if it could not
 * be made), to url, kept in o->body for the resends.
 */
static void
post_body(struct acme_op *o, char *body, const char *what, const char *url,
    int use_jwk, acme_fn then)
{
	free(o->body);
	if ((o->body = body) == NULL) {
		acme_fail(o, "internal", "%s: %s request", o->names[0], what);
		acme_end(o, -1);
		return;
	}
	acme_post(o, url, o->body, NULL, use_jwk, then);
}

static void
revoke_send(struct acme_op *o)
{
	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	post_body(o, acme_req_revoke(o->der, o->derlen, o->reason),
	    "revocation", o->a->dir.revoke_cert, o->cert_key, revoked);
}

static void
revoke_dir(struct acme_op *o)
{
	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	if (o->a->dir.revoke_cert == NULL) {
		acme_fail(o, "directory", "authority %s: no revokeCert in "
		    "its directory", o->a->name);
		acme_end(o, -1);
		return;
	}
	if (o->cert_key)
		revoke_send(o);
	else
		acme_setup(o, SETUP_ACCOUNT, revoke_send);
}

/*
 * Revokes the certificate whose leaf is o->der, for the reason o->reason.
 * If o->cert_key is set
 * the request is signed with the certificate's own key (o->keyid, JWK in
 * the header): the authority accepts it whatever became of the account
 * that ordered it, and no account is needed.  Otherwise it is signed by
 * the account, which must exist.
 */
void
acme_revoke(struct acme_op *o)
{
	o->no_register = 1;
	acme_setup(o, SETUP_DIR, revoke_dir);
}

/* --- key change --- */

static void	new_key_looked_up(struct acme_op *);

/*
 * The key change went out and its answer was lost: the authority is
 * asked, with the new key, whether the account has it; it is never sent
 * twice.
 */
static void
lost_key_looked_up(struct acme_op *o)
{
	if (o->found == 0) {
		o->cert_key = 0;
		acme_fail(o, "account", "authority %s: the account did not "
		    "take the new key", o->a->name);
		acme_end(o, -1);
		return;
	}
	new_key_looked_up(o);
}

static void
key_changed(struct acme_op *o)
{
	o->key_change = 0;
	if (o->rc == 0)
		log_info("authority %s: account %s now has the new key",
		    o->a->name, o->a->account_url);
	else if (acme_lost(o, "keyChange", "looking the account up by the "
	    "new key")) {
		o->cert_key = 1;
		o->keyid = o->new_keyid;
		acme_lookup(o, lost_key_looked_up);
		return;
	}
	acme_end(o, o->rc);
}

static void
key_change_send(struct acme_op *o)
{
	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	o->key_change = 1;
	acme_post(o, o->a->dir.key_change, NULL, NULL, 0, key_changed);
}

/* The new key's account, if the authority knows one. */
static void
new_key_looked_up(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	const char		*url = o->resp.location;

	o->cert_key = 0;
	if (o->found == -1) {
		acme_end(o, -1);
		return;
	}
	if (o->found == 0) {
		acme_setup(o, SETUP_ACCOUNT, key_change_send);
		return;
	}
	if (a->account_url != NULL && strcmp(a->account_url, url) != 0) {
		acme_fail(o, "account", "authority %s: the new key belongs "
		    "to account %s, not to %s", a->name, url,
		    a->account_url);
		acme_end(o, -1);
		return;
	}
	log_info("authority %s: account %s has the new key already",
	    a->name, url);
	if (a->account_url == NULL) {
		a->account_url = o->resp.location;
		o->resp.location = NULL;
		acme_io->account_url(a->id, a->account_url);
	}
	acme_end(o, 0);
}

static void
key_change_dir(struct acme_op *o)
{
	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	if (o->a->dir.key_change == NULL) {
		acme_fail(o, "directory", "authority %s: no keyChange in "
		    "its directory", o->a->name);
		acme_end(o, -1);
		return;
	}
	if (!o->new_existed) {
		acme_setup(o, SETUP_ACCOUNT, key_change_send);
		return;
	}
	o->cert_key = 1;
	o->keyid = o->new_keyid;
	acme_lookup(o, new_key_looked_up);
}

/*
 * Changes the account's key to the key o->new_keyid: the new key signs
 * the inner request, the old key the outer one, both made by keyproc
 * while the parent authorises the change.  The account keeps its URL.
 * A new key left by an earlier attempt (o->new_existed) may already be
 * the account's, if the authority took it and its answer was lost: the
 * authority is asked first.  Only an account that exists is changed:
 * none is registered for it.
 */
void
acme_key_change(struct acme_op *o)
{
	o->no_register = 1;
	acme_setup(o, SETUP_DIR, key_change_dir);
}

/* --- renewal information --- */

static void
fmt_time(time_t t, char *s, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(s, len, "%lld", (long long)t);
}

/*
 * The renewalInfo URL of a certificate: the directory's URL, a "/" (not
 * doubled if the directory's URL ends with one), the identifier.
 */
static char *
ari_url(const char *base, const char *certid)
{
	char	*url;
	size_t	 n = strlen(base);

	if (asprintf(&url, "%s%s%s", base, n > 0 && base[n - 1] == '/' ?
	    "" : "/", certid) == -1)
		return NULL;
	if (strlen(url) > ARI_URL_MAX) {
		free(url);
		return NULL;
	}
	return url;
}

static void	ari_dir(struct acme_op *);

/*
 * A 404 from renewalInfo: asked again where the directory now says, or
 * taken as the authority's answer if it says the same.
 */
static void
ari_moved(struct acme_op *o)
{
	if (o->rc == -1) {
		log_warnx("renewal information %s: HTTP 404", o->body);
		acme_unfail(o);
		o->retry_after = -1;
		acme_end(o, 0);
		return;
	}
	ari_dir(o);
}

static void
ari_got(struct acme_op *o)
{
	struct acme_renewal_info	 ri;
	struct http_resp		*r = &o->resp;
	const char			*url = o->body;
	char				 err[256], s[32], e[32];

	if (r->code == 0) {
		log_warnx("renewal information %s: %s", url, r->error);
		acme_end(o, 0);
		return;
	}
	o->retry_after = r->retry_after;
	if (r->code == 404 && acme_dir_moved(o, url, ari_moved))
		return;
	if (r->code != 200) {
		log_warnx("renewal information %s: HTTP %ld", url, r->code);
		acme_end(o, 0);
		return;
	}
	if (acme_parse_renewal_info(r->body.data, r->body.len, &ri, err,
	    sizeof(err)) == -1) {
		log_warnx("renewal information %s: %s", url, err);
		acme_end(o, 0);
		return;
	}
	o->win_start = ri.start;
	o->win_end = ri.end;
	fmt_time(ri.start, s, sizeof(s));
	fmt_time(ri.end, e, sizeof(e));
	if (o->retry_after >= 0)
		log_debug("renewal information %s: window %s to %s, again in "
		    "%ld s", url, s, e, o->retry_after);
	else
		log_debug("renewal information %s: window %s to %s", url, s,
		    e);
	if (ri.explanation_url != NULL)
		log_info("renewal information %s: the authority explains its "
		    "window at %s", url, ri.explanation_url);
	acme_renewal_info_free(&ri);
	acme_end(o, 0);
}

static void
ari_dir(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	char			*certid;

	if (o->rc == -1) {
		log_warnx("renewal information: %s", o->error ? o->error :
		    "no directory");
		acme_end(o, 0);
		return;
	}
	if (a->dir.renewal_info == NULL) {
		log_debug("authority %s: the directory offers no renewal "
		    "information", a->name);
		o->win_none = 1;
		acme_end(o, 0);
		return;
	}
	if ((certid = x509_ari_id(o->der, o->derlen)) == NULL) {
		log_warnx("authority %s: renewal information: the "
		    "certificate has no authority key identifier or is "
		    "malformed", a->name);
		acme_end(o, 0);
		return;
	}
	free(o->body);
	if ((o->body = ari_url(a->dir.renewal_info, certid)) == NULL) {
		log_warnx("authority %s: renewal information: URL for %s "
		    "too long", a->name, certid);
		free(certid);
		acme_end(o, 0);
		return;
	}
	free(certid);
	if (acme_io->http(o, HTTP_GET, o->body, NULL, 0, NULL,
	    ari_got) == -1)
		ari_got(o);
}

/*
 * The suggested window of the certificate o->der (a leaf issued by the
 * op's authority) into o->win_start and o->win_end: 0 when the authority
 * offers no renewal information or it could not be had (a warning says
 * why), and o->retry_after as the authority gave it, or -1.  Ends with
 * rc 0 either way.
 */
void
acme_renewal_info(struct acme_op *o)
{
	acme_setup(o, SETUP_DIR, ari_dir);
}

/* --- account deactivation --- */

static void
deactivated(struct acme_op *o)
{
	if (o->rc == 0)
		log_info("authority %s: account %s deactivated", o->a->name,
		    o->a->account_url);
	acme_end(o, o->rc);
}

static void
deactivate_send(struct acme_op *o)
{
	if (o->rc == -1) {
		acme_end(o, -1);
		return;
	}
	post_body(o, acme_req_deactivate(), "deactivation",
	    o->a->account_url, 0, deactivated);
}

/*
 * Deactivates the account: {"status": "deactivated"} posted to its own
 * URL, signed by its key, which keyproc signs only while the parent
 * authorises it.  Only an account that exists is deactivated: none is
 * registered for it, and one the authority no longer knows is an error.
 * An answer lost is not asked for again: the account, deactivated or
 * not, is left as the next attempt finds it.
 */
void
acme_deactivate(struct acme_op *o)
{
	o->no_register = 1;
	acme_setup(o, SETUP_ACCOUNT, deactivate_send);
}
