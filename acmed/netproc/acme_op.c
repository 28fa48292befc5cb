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
 * What every ACME operation shares: its error (the first, most precise
 * reason wins), the signed request and its retries, the authority's pool
 * of fresh nonces, and the authority's set-up, which one operation makes
 * while the others wait for it.
 *
 * A signed request goes with a nonce from the pool (a newNonce HEAD only
 * when it is empty), is signed by keyproc, and every answer's
 * Replay-Nonce goes back to the pool.  A badNonce answer sends it again;
 * an account the authority no longer knows is registered again, once.
 * A POST-as-GET whose answer was lost is sent again once, as it changes
 * nothing; any other request is not, and fails with the error type
 * ERR_LOST, for the operation to find out what became of it.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "acme_op.h"

#define ERR_PREFIX	"urn:ietf:params:acme:error:"
#define ERR_LOST	"lost"		/* a request went out, no answer */

/*
 * keyproc makes at most KEY_ALLOW_SIGNATURES signatures for one
 * operation the parent authorised: every send of its request must fit.
 */
_Static_assert(ACME_NONCE_RETRIES <= KEY_ALLOW_SIGNATURES,
    "an authorisation would run out before the badNonce retries");

const struct acme_io	*acme_io;

void
acme_set_io(const struct acme_io *io)
{
	acme_io = io;
}

void
acme_authority_init(struct acme_authority *a)
{
	TAILQ_INIT(&a->setup_wait);
}

static void
post_clear(struct acme_post *p)
{
	free(p->url);
	free(p->payload);
	free(p->nonce);
	free(p->kid);
	memset(p, 0, sizeof(*p));
}

/* Forgets a peer's answer. */
void
acme_answer_clear(struct acme_answer *ans)
{
	free(ans->data);
	free(ans->eab.protected);
	free(ans->eab.payload);
	free(ans->eab.signature);
	memset(ans, 0, sizeof(*ans));
}

void
acme_op_free(struct acme_op *o)
{
	size_t	 i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nnames; i++)
		free(o->names[i]);
	free(o->names);
	free(o->preferred_chain);
	free(o->profile);
	free(o->replaces);
	free(o->order_url);
	free(o->der);
	free(o->chain);
	free(o->error_type);
	free(o->error);
	http_resp_free(&o->resp);
	acme_answer_clear(&o->ans);
	post_clear(&o->post[0]);
	post_clear(&o->post[1]);
	acme_order_free(&o->ord);
	acme_authz_free(&o->az);
	free(o->body);
	free(o->reg_body);
	free(o->moved_from);
	for (i = 0; i < o->ntokens; i++)
		free(o->tokens[i]);
	acme_dns_clear(o);
	for (i = 0; i < o->nalts; i++)
		free(o->alts[i]);
	free(o);
}

/* Runs an operation; o->finish is called once, when it has ended. */
void
acme_start(struct acme_op *o)
{
	http_resp_init(&o->resp);
	o->retry_after = -1;
	o->deadline = acme_io->now() + ACME_ORDER_LIMIT;
	switch (o->kind) {
	case ACME_ISSUE:
		acme_issue(o);
		break;
	case ACME_REVOKE:
		acme_revoke(o);
		break;
	case ACME_KEY_CHANGE:
		acme_key_change(o);
		break;
	case ACME_RENEWAL_INFO:
		acme_renewal_info(o);
		break;
	case ACME_DEACTIVATE:
		acme_deactivate(o);
		break;
	default:
		acme_fail(o, "internal", "unknown operation");
		acme_end(o, -1);
	}
}

/*
 * The end of an operation: rc 0, or -1 with its error; tokens go, and
 * the dns-01 records, whatever the validation's result.
 */
void
acme_end(struct acme_op *o, int rc)
{
	size_t	 i;

	for (i = 0; i < o->ntokens; i++) {
		if (o->challenge == ACME_CHAL_TLSALPN01)
			acme_io->chal_alpn_del(o->tokens[i]);
		else
			acme_io->chal_del(o->tokens[i]);
		free(o->tokens[i]);
		o->tokens[i] = NULL;
	}
	o->ntokens = 0;
	if (o->dns_published)
		acme_io->dns_remove(o);
	acme_dns_clear(o);
	o->rc = rc;
	if (rc == -1 && o->error == NULL)
		acme_fail(o, "internal", "%s: failed", o->nnames > 0 ?
		    o->names[0] : o->a->name);
	o->finish(o);
}

void
acme_fail(struct acme_op *o, const char *type, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	if (o->error != NULL)
		return;		/* the first, most precise reason wins */
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	o->error = s;
	o->error_type = strdup(type ? type : "");
}

/* Forgets a failure the operation has got over. */
void
acme_unfail(struct acme_op *o)
{
	free(o->error);
	free(o->error_type);
	o->error = o->error_type = NULL;
	o->retry_after = -1;
}

/*
 * Whether a request failed by going out with no answer back: the
 * authority may have acted on it.  If so, the loss is logged, naming the
 * request and what is done to find out (then), and the error forgotten,
 * for the caller to read again what the request was about.
 */
int
acme_lost(struct acme_op *o, const char *what, const char *then)
{
	if (o->error_type == NULL || strcmp(o->error_type, ERR_LOST) != 0)
		return 0;
	log_warnx("%s: the answer to %s was lost (%s); %s", o->names[0], what,
	    o->error, then);
	acme_unfail(o);
	return 1;
}

/* Whether type is the ACME error urn:ietf:params:acme:error:suffix. */
int
acme_is_problem_type(const char *type, const char *suffix)
{
	return type != NULL && strncmp(type, ERR_PREFIX,
	    strlen(ERR_PREFIX)) == 0 &&
	    strcmp(type + strlen(ERR_PREFIX), suffix) == 0;
}

/* Whether a Content-Type is JSON's: application/json or a +json type. */
static int
json_type(const char *ct)
{
	size_t	 n;

	if (ct == NULL)
		return 0;
	n = strlen(ct);
	return strcmp(ct, "application/json") == 0 ||
	    (strncmp(ct, "application/", 12) == 0 && n > 17 &&
	    strcmp(ct + n - 5, "+json") == 0);
}

/*
 * What came instead of what was asked for: the status, where a redirect
 * points, the Content-Type and the size.  A captive portal, a firewall's
 * block page or a wrong "api url" is known by these, not by the parser's
 * complaint about its first byte.  Redirects are not followed.
 */
char *
acme_answer_what(const struct http_resp *r)
{
	char	*s;
	int	 redirect = r->code >= 300 && r->code < 400;

	if (asprintf(&s, "HTTP %ld%s%s, %s%s, %zu bytes", r->code,
	    redirect ? " redirecting to " : "", !redirect ? "" :
	    r->location ? r->location : "nowhere", r->content_type ?
	    "Content-Type " : "no Content-Type", r->content_type ?
	    r->content_type : "", r->body.len) == -1)
		return NULL;
	return s;
}

/*
 * An answer from url that could not be read (err): yajl's reason if the
 * answer said it was JSON, otherwise what came instead.
 */
void
acme_answer_fail(struct acme_op *o, const char *kind, const char *url,
    const struct http_resp *r, const char *err)
{
	char	*what;

	if (json_type(r->content_type) ||
	    (what = acme_answer_what(r)) == NULL) {
		acme_fail(o, kind, "%s: %s", url, err);
		return;
	}
	acme_fail(o, kind, "%s: not JSON: %s", url, what);
	free(what);
}

void
acme_problem_fail(struct acme_op *o, const char *context,
    const struct acme_problem *p, long retry_after)
{
	char	*text;

	text = acme_problem_text(p);
	if (retry_after > 0)
		acme_fail(o, p->type, "%s: %s (retry after %ld s)", context,
		    text ? text : p->type, retry_after);
	else
		acme_fail(o, p->type, "%s: %s", context,
		    text ? text : p->type);
	free(text);
	o->retry_after = retry_after;
}

/*
 * A problem document in an error answer, or NULL with the op's error
 * set if the body was not one; the caller frees it.
 */
static struct acme_problem *
take_problem(struct acme_op *o, const char *url)
{
	struct acme_problem	*p;
	struct http_resp	*resp = &o->resp;
	char			 err[256], *what;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (acme_parse_problem(resp->body.data, resp->body.len, p, err,
	    sizeof(err)) == -1) {
		free(p);
		what = acme_answer_what(resp);
		acme_fail(o, "http", "%s answered %s, not a problem document",
		    url, what ? what : "?");
		free(what);
		return NULL;
	}
	/*
	 * New terms to agree to (RFC 8555 section 7.3.3): the administrator
	 * needs the page the problem names and the terms themselves.
	 */
	if (acme_is_problem_type(p->type, "userActionRequired") &&
	    (resp->link_tos != NULL || o->a->dir.terms_of_service != NULL))
		p->terms = strdup(resp->link_tos != NULL ? resp->link_tos :
		    o->a->dir.terms_of_service);
	return p;
}

static void
problem_free(struct acme_problem *p)
{
	acme_problem_free(p);
	free(p);
}

/* --- nonces --- */

static char *
nonce_take(struct acme_authority *a)
{
	if (a->nnonces == 0)
		return NULL;
	return a->nonces[--a->nnonces];
}

/* A fresh nonce for the pool; the oldest goes when it is full. */
static void
nonce_put(struct acme_authority *a, char *n)
{
	if (a->nnonces == ACME_NONCE_POOL) {
		free(a->nonces[0]);
		memmove(a->nonces, a->nonces + 1,
		    (ACME_NONCE_POOL - 1) * sizeof(*a->nonces));
		a->nnonces--;
	}
	a->nonces[a->nnonces++] = n;
}

/* --- signed requests --- */

static void	post_try(struct acme_op *);

static struct acme_post *
post_cur(struct acme_op *o)
{
	return &o->post[o->npost - 1];
}

/* The request has ended: rc 0 with a 2xx answer in o->resp, or -1. */
static void
post_end(struct acme_op *o, int rc)
{
	struct acme_post	*p = post_cur(o);
	acme_fn			 then = p->then;

	post_clear(p);
	o->npost--;
	o->rc = rc;
	then(o);
}

/*
 * A signed POST to url: payload NULL for POST-as-GET; signed with the
 * account key, or with the op's key if o->cert_key is set (use_jwk puts
 * the key's JWK in the header instead of the account URL); a key change
 * made whole by keyproc.  then(o) gets o->rc 0 with a 2xx answer in
 * o->resp, or -1 with the op's error set.
 */
void
acme_post(struct acme_op *o, const char *url, const char *payload,
    const char *accept, int use_jwk, acme_fn then)
{
	struct acme_post	*p;

	if (o->npost == 2)
		fatalx("%s: a request inside a request inside a request",
		    url);
	p = &o->post[o->npost++];
	memset(p, 0, sizeof(*p));
	p->then = then;
	if ((p->url = strdup(url)) == NULL || (payload != NULL &&
	    (p->payload = strdup(payload)) == NULL)) {
		acme_fail(o, "internal", "%s: out of memory", url);
		post_end(o, -1);
		return;
	}
	p->accept = accept;
	p->use_jwk = use_jwk;
	post_try(o);
}

static void	post_signed(struct acme_op *);
static void	post_answered(struct acme_op *);

static void
post_sign(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	struct acme_post	*p = post_cur(o);

	free(p->kid);
	if ((p->kid = strdup(a->account_url && !p->use_jwk ?
	    a->account_url : "")) == NULL) {
		acme_fail(o, "internal", "%s: out of memory", p->url);
		post_end(o, -1);
		return;
	}
	if (o->key_change)
		acme_io->key_change(o, a->keyid, o->new_keyid, p->url,
		    p->nonce, a->account_url, post_signed);
	else
		acme_io->sign(o, o->cert_key ? o->keyid : a->keyid, p->url,
		    p->nonce, p->kid, p->payload, post_signed);
}

/* newNonce moved: asked for where the directory now says. */
static void
nonce_moved(struct acme_op *o)
{
	if (o->rc == -1) {
		post_end(o, -1);
		return;
	}
	acme_unfail(o);
	post_try(o);
}

static void
nonce_got(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	struct http_resp	*r = &o->resp;

	if (r->code == 0) {
		acme_fail(o, "connection", "authority %s: %s", a->name,
		    r->error);
		post_end(o, -1);
		return;
	}
	if (r->code == 404) {
		acme_fail(o, "nonce", "authority %s: %s answered HTTP 404",
		    a->name, a->dir.new_nonce);
		if (!acme_dir_moved(o, a->dir.new_nonce, nonce_moved))
			post_end(o, -1);
		return;
	}
	if (r->nonce == NULL) {
		acme_fail(o, "nonce", "authority %s: %s gave %s (HTTP %ld)",
		    a->name, a->dir.new_nonce, r->bad_nonce ? "a nonce that "
		    "is not base64url, refused" : "no nonce", r->code);
		post_end(o, -1);
		return;
	}
	post_cur(o)->nonce = r->nonce;
	r->nonce = NULL;
	post_sign(o);
}

/* One send: a nonce (from the pool, or a newNonce HEAD), then keyproc. */
static void
post_try(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	struct acme_post	*p = post_cur(o);

	if (p->tries++ == ACME_NONCE_RETRIES) {
		acme_fail(o, ERR_PREFIX "badNonce", "%s: the authority "
		    "refused %d nonces in a row", p->url, ACME_NONCE_RETRIES);
		post_end(o, -1);
		return;
	}
	free(p->nonce);
	if ((p->nonce = nonce_take(a)) != NULL) {
		post_sign(o);
		return;
	}
	if (acme_io->http(o, HTTP_HEAD, a->dir.new_nonce, NULL, 0, NULL,
	    nonce_got) == -1)
		nonce_got(o);
}

static void
post_signed(struct acme_op *o)
{
	struct acme_post	*p = post_cur(o);

	free(p->nonce);
	p->nonce = NULL;
	if (o->ans.rc == -1) {
		acme_fail(o, "keyproc", "%s: not signed: %s", p->url,
		    o->ans.data ? o->ans.data : "refused");
		post_end(o, -1);
		return;
	}
	if (acme_io->http(o, HTTP_POST, p->url, o->ans.data, o->ans.len,
	    p->accept, post_answered) == -1)
		post_answered(o);
}

static void
post_reregistered(struct acme_op *o)
{
	if (o->rc == -1) {
		post_end(o, -1);
		return;
	}
	post_try(o);
}

/*
 * accountDoesNotExist: the authority forgot the account (a test CA that
 * restarted does).  The operation that finds out first registers it
 * again; one whose request was signed for an account URL that has since
 * been replaced just sends it again.
 */
static void
post_account_gone(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	struct acme_post	*p = post_cur(o);

	p->reregistered = 1;
	if (a->account_url != NULL && strcmp(a->account_url, p->kid) != 0) {
		post_try(o);
		return;
	}
	if (a->account_url != NULL) {
		log_warnx("authority %s: account %s is unknown to the "
		    "authority; registering again", a->name, a->account_url);
		free(a->account_url);
		a->account_url = NULL;
	}
	acme_setup(o, SETUP_ACCOUNT | SETUP_REREGISTER, post_reregistered);
}

/* The request goes again, once, to where the directory now says. */
static void
post_moved(struct acme_op *o)
{
	struct acme_post	*p = post_cur(o);
	char			*url;

	if (o->rc == -1 || (url = strdup(acme_dir_moved_to(o))) == NULL) {
		post_end(o, -1);
		return;
	}
	acme_unfail(o);
	free(p->url);
	p->url = url;
	post_try(o);
}

static void
post_answered(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	struct acme_post	*p = post_cur(o);
	struct http_resp	*r = &o->resp;
	struct acme_problem	*pb;

	if (r->code == 0) {
		/* A key change's payload is keyproc's: not a POST-as-GET. */
		if (r->lost && p->payload == NULL && !o->key_change &&
		    !p->resent) {
			log_warnx("%s: answer lost, asking again", r->error);
			p->resent = 1;
			post_try(o);
			return;
		}
		acme_fail(o, r->lost ? ERR_LOST : "connection", "%s",
		    r->error);
		post_end(o, -1);
		return;
	}
	if (r->nonce != NULL) {
		nonce_put(a, r->nonce);
		r->nonce = NULL;
	}
	if (r->code >= 200 && r->code < 300) {
		post_end(o, 0);
		return;
	}
	/* A 404 for a URL that moved need not be a problem document. */
	if ((pb = take_problem(o, p->url)) == NULL) {
		if (r->code != 404 || !acme_dir_moved(o, p->url, post_moved))
			post_end(o, -1);
		return;
	}
	if (acme_is_problem_type(pb->type, "badNonce")) {
		log_debug("%s: badNonce, retrying", p->url);
		problem_free(pb);
		post_try(o);
		return;
	}
	if (acme_is_problem_type(pb->type, "accountDoesNotExist") &&
	    !p->use_jwk && !o->no_register && !p->reregistered) {
		problem_free(pb);
		post_account_gone(o);
		return;
	}
	acme_problem_fail(o, p->url, pb, r->retry_after);
	problem_free(pb);
	if (r->code != 404 || !acme_dir_moved(o, p->url, post_moved))
		post_end(o, -1);
}

/* --- the authority's set-up --- */

/* Whether what an operation needs of the set-up is there. */
static int
setup_done(const struct acme_op *o, int what)
{
	const struct acme_authority	*a = o->a;

	return (!(what & SETUP_DIR) || acme_dir_fresh(a)) &&
	    (!(what & SETUP_ACCOUNT) || a->account_url != NULL) &&
	    (!(what & SETUP_THUMB) || a->thumbprint != NULL);
}

/*
 * Makes sure of the directory, the account and the thumbprint (what):
 * then(o) at once if they are there, after the operation that is
 * fetching them if there is one, after fetching them itself otherwise.
 * o->rc is -1 with the op's error set if they could not be had.
 */
void
acme_setup(struct acme_op *o, int what, acme_fn then)
{
	struct acme_authority	*a = o->a;

	what |= SETUP_DIR;
	o->setup_what = what;
	o->setup_then = then;
	if (setup_done(o, what)) {
		o->rc = 0;
		then(o);
		return;
	}
	if (a->setup_by != NULL) {
		TAILQ_INSERT_TAIL(&a->setup_wait, o, entry);
		return;
	}
	a->setup_by = o;
	acme_setup_run(o);
}

/*
 * The set-up made by o has ended (o->rc): o goes on, and so does each
 * operation that waited, with what it needed, with o's failure, or by
 * making the set-up itself for what o did not need.
 */
void
acme_setup_end(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	struct acme_ops		 waiting;
	struct acme_op		*w;

	a->setup_by = NULL;
	TAILQ_INIT(&waiting);
	TAILQ_CONCAT(&waiting, &a->setup_wait, entry);
	while ((w = TAILQ_FIRST(&waiting)) != NULL) {
		TAILQ_REMOVE(&waiting, w, entry);
		w->setup_what &= ~SETUP_REREGISTER;
		if (setup_done(w, w->setup_what)) {
			w->rc = 0;
			w->setup_then(w);
		} else if (o->rc == -1 && o->error != NULL) {
			acme_fail(w, o->error_type, "%s", o->error);
			w->retry_after = o->retry_after;
			w->rc = -1;
			w->setup_then(w);
		} else
			acme_setup(w, w->setup_what, w->setup_then);
	}
	/* Last: its own next step may end it. */
	o->setup_then(o);
}

/* --- the directory, read again --- */

enum dir_url {
	DIR_NONE,
	DIR_NEW_NONCE,
	DIR_NEW_ACCOUNT,
	DIR_NEW_ORDER,
	DIR_REVOKE_CERT,
	DIR_KEY_CHANGE,
	DIR_RENEWAL_INFO,
	DIR_URL_MAX
};

static const char *const dir_url_names[DIR_URL_MAX] = {
	[DIR_NEW_NONCE] = "newNonce",
	[DIR_NEW_ACCOUNT] = "newAccount",
	[DIR_NEW_ORDER] = "newOrder",
	[DIR_REVOKE_CERT] = "revokeCert",
	[DIR_KEY_CHANGE] = "keyChange",
	[DIR_RENEWAL_INFO] = "renewalInfo",
};

static const char *
dir_url(const struct acme_directory *d, int which)
{
	switch (which) {
	case DIR_NEW_NONCE:
		return d->new_nonce;
	case DIR_NEW_ACCOUNT:
		return d->new_account;
	case DIR_NEW_ORDER:
		return d->new_order;
	case DIR_REVOKE_CERT:
		return d->revoke_cert;
	case DIR_KEY_CHANGE:
		return d->key_change;
	case DIR_RENEWAL_INFO:
		return d->renewal_info;
	default:
		return NULL;
	}
}

/* Which of the directory's URLs url is; renewalInfo's are under it. */
static int
dir_which(const struct acme_directory *d, const char *url)
{
	const char	*u;
	int		 i;

	for (i = DIR_NONE + 1; i < DIR_URL_MAX; i++) {
		if ((u = dir_url(d, i)) == NULL)
			continue;
		if (strcmp(u, url) == 0 || (i == DIR_RENEWAL_INFO &&
		    strncmp(u, url, strlen(u)) == 0))
			return i;
	}
	return DIR_NONE;
}

/* Whether the directory read serves: read, and less than a day ago. */
int
acme_dir_fresh(const struct acme_authority *a)
{
	return a->have_dir && a->dir_time != 0 &&
	    acme_io->now() - a->dir_time < ACME_DIR_MAX_AGE;
}

static void
dir_reread(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	const char		*name = dir_url_names[o->moved_which];
	const char		*now;

	now = o->rc == 0 ? dir_url(&a->dir, o->moved_which) : NULL;
	if (o->rc == -1)
		log_warnx("authority %s: %s answered 404; the directory could "
		    "not be read again", a->name, o->moved_from);
	else if (now == NULL)
		log_warnx("authority %s: %s answered 404, and the directory "
		    "names no %s any more", a->name, o->moved_from, name);
	else if (strcmp(now, o->moved_from) == 0)
		log_debug("authority %s: %s answered 404; the directory still "
		    "names it for %s", a->name, o->moved_from, name);
	else
		log_info("authority %s: %s answered 404; the directory now "
		    "names %s for %s", a->name, o->moved_from, now, name);
	o->rc = now != NULL && strcmp(now, o->moved_from) != 0 ? 0 : -1;
	o->moved_then(o);
}

/*
 * A 404 from url, a URL of the directory (or one under renewalInfo): an
 * authority may move an endpoint without notice, so the directory is
 * read again, once in an operation, and then(o) runs with o->rc 0 if
 * it now names another URL for it (acme_dir_moved_to()), -1 if not; the
 * op's error is left as it was.  0 if url is not the directory's, the
 * op read it again already, or makes the set-up itself: nothing starts.
 */
int
acme_dir_moved(struct acme_op *o, const char *url, acme_fn then)
{
	struct acme_authority	*a = o->a;
	int			 which;

	if (o->dir_reread || a->setup_by == o || !a->have_dir ||
	    (which = dir_which(&a->dir, url)) == DIR_NONE)
		return 0;
	free(o->moved_from);
	if ((o->moved_from = strdup(dir_url(&a->dir, which))) == NULL)
		return 0;
	o->dir_reread = 1;
	o->moved_which = which;
	o->moved_then = then;
	a->dir_time = 0;
	acme_setup(o, SETUP_DIR, dir_reread);
	return 1;
}

/* The URL the directory names now for the one that answered 404. */
const char *
acme_dir_moved_to(const struct acme_op *o)
{
	return dir_url(&o->a->dir, o->moved_which);
}
