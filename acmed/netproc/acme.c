/*
 * The ACME protocol (RFC 8555) as netproc runs it for one order:
 * directory, nonce, account, order, authorizations with http-01,
 * finalize, download.  Every request is signed by keyproc; every answer is
 * parsed by json.c; every problem document reaches the parent as one line
 * naming the identifier, type and detail.  Polls honour Retry-After and
 * otherwise back off from a few milliseconds, within an overall bound.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "netproc.h"

#define CT_PROBLEM	"application/problem+json"
#define CT_PEM_CHAIN	"application/pem-certificate-chain"
#define ERR_PREFIX	"urn:ietf:params:acme:error:"
#define ERR_LOST	"lost"		/* a request went out, no answer */

/*
 * A CA often finishes a validation or an issuance within a couple of
 * milliseconds of being asked (Pebble does); the doubling from 2 ms costs
 * a real CA that takes seconds only four or five more polls than from
 * 20 ms, and spares each order a fixed 20 ms wait.
 */
#define POLL_FIRST_MS	2
#define POLL_MAX_MS	5000

struct acme_tokens {
	char	*token[ACME_MAX_AUTHZ];
	size_t	 n;
};

static void
order_fail(struct net_order *o, const char *type, const char *fmt, ...)
    __attribute__((__format__ (printf, 3, 4)));

static void
order_fail(struct net_order *o, const char *type, const char *fmt, ...)
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

/* Forgets a failure the order has got over. */
static void
order_unfail(struct net_order *o)
{
	free(o->error);
	free(o->error_type);
	o->error = o->error_type = NULL;
	o->retry_after = -1;
}

/*
 * Whether post() failed with a request that went out and an answer that
 * did not come back: the authority may have acted on it.  If so, the loss
 * is logged, naming the request and what is done to find out (then), and
 * the order's error forgotten, for the caller to read again what the
 * request was about.
 */
static int
answer_lost(struct net_order *o, const char *what, const char *then)
{
	if (o->error_type == NULL || strcmp(o->error_type, ERR_LOST) != 0)
		return 0;
	log_warnx("%s: the answer to %s was lost (%s); %s", o->names[0], what,
	    o->error, then);
	order_unfail(o);
	return 1;
}

static int
is_problem(const struct acme_problem *p, const char *suffix)
{
	return p->type != NULL && strncmp(p->type, ERR_PREFIX,
	    strlen(ERR_PREFIX)) == 0 &&
	    strcmp(p->type + strlen(ERR_PREFIX), suffix) == 0;
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
static char *
answer_what(const struct http_resp *r)
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
static void
answer_fail(struct net_order *o, const char *kind, const char *url,
    const struct http_resp *r, const char *err)
{
	char	*what;

	if (json_type(r->content_type) || (what = answer_what(r)) == NULL) {
		order_fail(o, kind, "%s: %s", url, err);
		return;
	}
	order_fail(o, kind, "%s: not JSON: %s", url, what);
	free(what);
}

static void
sleep_ms(long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
get_directory(struct net_order *o)
{
	struct net_authority	*a = o->a;
	struct http_resp	 resp;
	char			 err[256], *what = NULL, *dir = NULL;
	int			 rc = -1;

	if (a->have_dir)
		return 0;
	http_resp_init(&resp);
	if (http_get(a->http, a->api_url, &resp) == -1) {
		order_fail(o, "connection", "authority %s: %s", a->name,
		    resp.error);
		goto out;
	}
	if (resp.code != 200) {
		what = answer_what(&resp);
		order_fail(o, "directory", "authority %s: directory %s "
		    "answered %s", a->name, a->api_url, what ? what : "?");
		o->retry_after = resp.retry_after;
		goto out;
	}
	if (acme_parse_directory(resp.body.data, resp.body.len, &a->dir, err,
	    sizeof(err)) == -1) {
		if (asprintf(&dir, "authority %s: directory %s", a->name,
		    a->api_url) == -1)
			dir = NULL;
		answer_fail(o, "directory", dir ? dir : a->api_url, &resp,
		    err);
		goto out;
	}
	a->have_dir = 1;
	rc = 0;
out:
	free(what);
	free(dir);
	http_resp_free(&resp);
	return rc;
}

/* The directory for renewal information, fetched once per authority. */
int
acme_get_directory(struct net_order *o)
{
	return get_directory(o);
}

static int
get_nonce(struct net_order *o)
{
	struct net_authority	*a = o->a;
	struct http_resp	 resp;
	int			 rc = -1;

	if (a->nonce != NULL)
		return 0;
	http_resp_init(&resp);
	if (http_head(a->http, a->dir.new_nonce, &resp) == -1) {
		order_fail(o, "connection", "authority %s: %s", a->name,
		    resp.error);
		goto out;
	}
	if (resp.nonce == NULL) {
		order_fail(o, "nonce", "authority %s: %s gave %s (HTTP %ld)",
		    a->name, a->dir.new_nonce, resp.bad_nonce ? "a nonce that "
		    "is not base64url, refused" : "no nonce", resp.code);
		goto out;
	}
	a->nonce = resp.nonce;
	resp.nonce = NULL;
	rc = 0;
out:
	http_resp_free(&resp);
	return rc;
}

/*
 * A problem document in an error answer, turned into the order's error.
 * Returns the parsed problem for the caller to look at (NULL if the body
 * was not one); the caller frees it.
 */
static struct acme_problem *
take_problem(struct net_order *o, const char *url, struct http_resp *resp)
{
	struct acme_problem	*p;
	char			 err[256], *what;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (acme_parse_problem(resp->body.data, resp->body.len, p, err,
	    sizeof(err)) == -1) {
		free(p);
		what = answer_what(resp);
		order_fail(o, "http", "%s answered %s, not a problem document",
		    url, what ? what : "?");
		free(what);
		return NULL;
	}
	/*
	 * New terms to agree to (RFC 8555 section 7.3.3): the administrator
	 * needs the page the problem names and the terms themselves.
	 */
	if (is_problem(p, "userActionRequired") && (resp->link_tos != NULL ||
	    o->a->dir.terms_of_service != NULL))
		p->terms = strdup(resp->link_tos != NULL ? resp->link_tos :
		    o->a->dir.terms_of_service);
	return p;
}

static void
problem_fail(struct net_order *o, const char *context,
    const struct acme_problem *p, long retry_after)
{
	char	*text;

	text = acme_problem_text(p);
	if (retry_after > 0)
		order_fail(o, p->type, "%s: %s (retry after %ld s)", context,
		    text ? text : p->type, retry_after);
	else
		order_fail(o, p->type, "%s: %s", context,
		    text ? text : p->type);
	free(text);
	o->retry_after = retry_after;
}

/*
 * One send of a request, signed by keyproc: with the account key, or
 * with the order's key if o->cert_key is set (use_jwk puts the key's JWK
 * in the header instead of the account URL); a key change whole, its
 * payload made by keyproc.  -1 with keyproc's reason in *err.
 */
static int
sign(struct net_order *o, const char *url, const char *payload, int use_jwk,
    char **jws, size_t *jwslen, char **err)
{
	struct net_authority	*a = o->a;

	if (o->key_change)
		return np_key_change(a->keyid, o->new_keyid, url, a->nonce,
		    a->account_url, jws, jwslen, err);
	return np_sign(o->cert_key ? o->keyid : a->keyid, url, a->nonce,
	    use_jwk ? "" : a->account_url, payload,
	    payload ? strlen(payload) : 0, jws, jwslen, err);
}

/*
 * A signed POST: payload NULL for POST-as-GET.  A badNonce answer is
 * retried with the fresh nonce; an account the authority no longer knows
 * is registered again once.  A POST-as-GET whose answer was lost is sent
 * again once, as it changes nothing; any other request is not, and fails
 * with the error type ERR_LOST.  Returns 0 with a 2xx answer in resp, -1
 * with the order's error set.
 */
static int ensure_account(struct net_order *, int);

static int
post(struct net_order *o, const char *url, const char *payload,
    const char *accept, struct http_resp *resp, int use_jwk)
{
	struct net_authority	*a = o->a;
	struct acme_problem	*p;
	char			*jws, *err;
	size_t			 jwslen;
	int			 tries, reregistered = 0, resent = 0;

	for (tries = 0; tries < NETPROC_NONCE_RETRIES; tries++) {
		if (get_nonce(o) == -1)
			return -1;
		if (sign(o, url, payload, use_jwk, &jws, &jwslen, &err) ==
		    -1) {
			order_fail(o, "keyproc", "%s: not signed: %s", url,
			    err);
			free(err);
			return -1;
		}
		free(a->nonce);
		a->nonce = NULL;
		http_resp_free(resp);
		http_resp_init(resp);
		if (http_post_jose(a->http, url, jws, jwslen, accept,
		    resp) == -1) {
			free(jws);
			if (resp->lost && payload == NULL && !resent) {
				log_warnx("%s: answer lost, asking again",
				    resp->error);
				resent = 1;
				continue;
			}
			order_fail(o, resp->lost ? ERR_LOST : "connection",
			    "%s", resp->error);
			return -1;
		}
		free(jws);
		if (resp->nonce != NULL) {
			a->nonce = resp->nonce;
			resp->nonce = NULL;
		}
		if (resp->code >= 200 && resp->code < 300)
			return 0;
		if ((p = take_problem(o, url, resp)) == NULL)
			return -1;
		if (is_problem(p, "badNonce")) {
			log_debug("%s: badNonce, retrying", url);
			acme_problem_free(p);
			free(p);
			continue;
		}
		if (is_problem(p, "accountDoesNotExist") && !use_jwk &&
		    !o->no_register && !reregistered) {
			log_warnx("authority %s: account %s is unknown to the "
			    "authority; registering again", a->name,
			    a->account_url);
			acme_problem_free(p);
			free(p);
			free(a->account_url);
			a->account_url = NULL;
			reregistered = 1;
			if (ensure_account(o, 0) == -1)
				return -1;
			continue;
		}
		problem_fail(o, url, p, resp->retry_after);
		acme_problem_free(p);
		free(p);
		return -1;
	}
	order_fail(o, ERR_PREFIX "badNonce", "%s: the authority refused %d "
	    "nonces in a row", url, NETPROC_NONCE_RETRIES);
	return -1;
}

/*
 * newAccount with onlyReturnExisting, signed as o says: 1 with the
 * account's URL in resp->location, 0 if the authority knows no account
 * with that key (not an error), -1 on error.
 */
static int
account_lookup(struct net_order *o, struct http_resp *resp)
{
	char	*body;
	int	 rc;

	if ((body = acme_req_new_account(NULL, 1, NULL)) == NULL) {
		order_fail(o, "internal", "authority %s: account lookup",
		    o->a->name);
		return -1;
	}
	rc = post(o, o->a->dir.new_account, body, NULL, resp, 1);
	free(body);
	if (rc == 0 && resp->location != NULL)
		return 1;
	if (rc == 0 || o->error_type == NULL || strcmp(o->error_type,
	    ERR_PREFIX "accountDoesNotExist") != 0) {
		order_fail(o, "account", "authority %s: account lookup "
		    "without a Location", o->a->name);
		return -1;
	}
	order_unfail(o);
	return 0;
}

/*
 * The account: known URL, or (for a key that existed) looked up with
 * onlyReturnExisting, or registered, bound to an external account when
 * one is configured.  An authority that requires a binding when none is
 * configured is not asked at all: the admin learns what to configure.
 */
static int
ensure_account(struct net_order *o, int lookup)
{
	struct net_authority	*a = o->a;
	struct http_resp	 resp;
	struct acme_eab		 eab;
	char			*body, *err;
	int			 rc = -1, tries, known;

	if (a->account_url != NULL)
		return 0;
	memset(&eab, 0, sizeof(eab));
	http_resp_init(&resp);
	if (lookup && a->key_existed) {
		switch (account_lookup(o, &resp)) {
		case 1:
			goto found;
		case -1:
			goto out;
		}
	}
	if (o->no_register) {
		order_fail(o, "account", "authority %s: no account has this "
		    "account key", a->name);
		goto out;
	}
	if (a->eab) {
		if (np_eab(a->keyid, a->dir.new_account, &eab, &err) == -1) {
			order_fail(o, "account", "authority %s: external "
			    "account binding: %s", a->name, err);
			free(err);
			goto out;
		}
	} else if (a->dir.eab_required) {
		order_fail(o, ERR_PREFIX "externalAccountRequired",
		    "authority %s requires an external account binding: "
		    "give its key id and MAC key with \"external account\" "
		    "in the authority's block", a->name);
		goto out;
	}
	if ((body = acme_req_new_account(a->contact, 0, a->eab ? &eab :
	    NULL)) == NULL)
		goto out;
	/*
	 * Made or not, the account of a lost answer is known by its key: if
	 * the authority has none, it is registered again, once.
	 */
	for (tries = 0; post(o, a->dir.new_account, body, NULL, &resp,
	    1) == -1; tries++) {
		known = -1;
		if (tries == 0 && answer_lost(o, "newAccount",
		    "looking the account up by its key"))
			known = account_lookup(o, &resp);
		if (known != 0) {
			free(body);
			if (known == 1)
				goto found;
			goto out;
		}
	}
	free(body);
	if (resp.location == NULL) {
		order_fail(o, "account", "authority %s: new account without "
		    "a Location", a->name);
		goto out;
	}
	log_info("authority %s: registered account %s", a->name,
	    resp.location);
found:
	a->account_url = resp.location;
	resp.location = NULL;
	np_account_url(a->id, a->account_url);
	rc = 0;
out:
	np_eab_free(&eab);
	http_resp_free(&resp);
	return rc;
}

/* POST-as-GET of an order; 0 with *ord filled. */
static int
fetch_order(struct net_order *o, struct acme_order *ord)
{
	struct http_resp	 resp;
	char			 err[256];
	int			 rc = -1;

	http_resp_init(&resp);
	if (post(o, o->order_url, NULL, NULL, &resp, 0) == -1)
		goto out;
	acme_order_free(ord);
	memset(ord, 0, sizeof(*ord));
	if (acme_parse_order(resp.body.data, resp.body.len, ord, err,
	    sizeof(err)) == -1) {
		answer_fail(o, "order", o->order_url, &resp, err);
		goto out;
	}
	o->retry_after = resp.retry_after;
	rc = 0;
out:
	http_resp_free(&resp);
	return rc;
}

/*
 * RFC 9773 section 5: an order naming the certificate it replaces may be
 * refused for that alone (already replaced, or not a certificate the
 * authority will accept as replaced); a new certificate is still wanted.
 */
static int
refused_replaces(const struct net_order *o)
{
	const char	*detail;
	size_t		 n;

	if (o->replaces == NULL || o->error_type == NULL || o->error == NULL)
		return 0;
	if (strcmp(o->error_type, ERR_PREFIX "alreadyReplaced") == 0)
		return 1;
	if (strcmp(o->error_type, ERR_PREFIX "malformed") != 0)
		return 0;
	/* The error starts with the newOrder URL: look past it. */
	detail = o->error;
	n = strlen(o->a->dir.new_order);
	if (strncmp(detail, o->a->dir.new_order, n) == 0)
		detail += n;
	return strcasestr(detail, "replaces") != NULL;
}

static int
new_order(struct net_order *o, struct acme_order *ord)
{
	struct http_resp	 resp;
	char			*body, err[256];
	int			 rc = -1;

	http_resp_init(&resp);
again:
	if ((body = acme_req_new_order((const char *const *)o->names,
	    o->nnames, o->replaces)) == NULL) {
		order_fail(o, "order", "could not build the order");
		goto out;
	}
	if (post(o, o->a->dir.new_order, body, NULL, &resp, 0) == -1) {
		free(body);
		if (refused_replaces(o)) {
			log_warnx("%s: %s; ordering again without replaces",
			    o->names[0], o->error);
			order_unfail(o);
			free(o->replaces);
			o->replaces = NULL;
			goto again;
		}
		goto out;
	}
	free(body);
	if (resp.location == NULL) {
		order_fail(o, "order", "%s: new order without a Location",
		    o->a->dir.new_order);
		goto out;
	}
	acme_order_free(ord);
	memset(ord, 0, sizeof(*ord));
	if (acme_parse_order(resp.body.data, resp.body.len, ord, err,
	    sizeof(err)) == -1) {
		answer_fail(o, "order", resp.location, &resp, err);
		goto out;
	}
	free(o->order_url);
	o->order_url = resp.location;
	resp.location = NULL;
	np_order_url(o->domid, o->order_url);
	log_debug("%s: order %s", o->names[0], o->order_url);
	rc = 0;
out:
	http_resp_free(&resp);
	return rc;
}

/*
 * Whether an authorization is for one of the names ordered.  One for
 * another name is the authority's mistake or an attempt to have acmed
 * answer for a name nobody asked it about: the order stops there.
 */
static int
authz_ordered(const struct net_order *o, const struct acme_authz *az)
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
		if (strcasecmp(name, az->identifier) == 0)
			return 1;
	}
	return 0;
}

static int
fetch_authz(struct net_order *o, const char *url, struct acme_authz *az,
    long *retry_after)
{
	struct http_resp	 resp;
	char			 err[256];
	int			 rc = -1;

	http_resp_init(&resp);
	if (post(o, url, NULL, NULL, &resp, 0) == -1)
		goto out;
	acme_authz_free(az);
	memset(az, 0, sizeof(*az));
	if (acme_parse_authz(resp.body.data, resp.body.len, az, err,
	    sizeof(err)) == -1) {
		answer_fail(o, "authorization", url, &resp, err);
		goto out;
	}
	if (!authz_ordered(o, az)) {
		order_fail(o, "authorization", "%s: authorization %s is for "
		    "\"%s\", a name that was not ordered", o->names[0], url,
		    az->identifier);
		goto out;
	}
	if (retry_after != NULL)
		*retry_after = resp.retry_after;
	rc = 0;
out:
	http_resp_free(&resp);
	return rc;
}

static const struct acme_challenge *
find_http01(const struct acme_authz *az)
{
	size_t	 i;

	for (i = 0; i < az->nchallenges; i++)
		if (strcmp(az->challenges[i].type, "http-01") == 0)
			return &az->challenges[i];
	return NULL;
}

/*
 * Publishes the key authorization of a pending authorization's http-01
 * challenge and tells the authority to validate it.
 */
static int
answer_authz(struct net_order *o, const char *url, struct acme_tokens *tk)
{
	struct acme_authz		 az;
	const struct acme_challenge	*ch;
	struct http_resp		 resp;
	char				*keyauth = NULL;
	int				 rc = -1, tries;

	memset(&az, 0, sizeof(az));
	http_resp_init(&resp);
	if (fetch_authz(o, url, &az, NULL) == -1)
		goto out;
	if (az.status == ST_VALID) {
		rc = 0;
		goto out;
	}
	if (az.status != ST_PENDING) {
		order_fail(o, "authorization", "%s: authorization is %s",
		    az.identifier, acme_status_name(az.status));
		goto out;
	}
	if ((ch = find_http01(&az)) == NULL) {
		order_fail(o, "authorization", "%s: the authority offers no "
		    "http-01 challenge", az.identifier);
		goto out;
	}
	if (ch->status != ST_PENDING && ch->status != ST_PROCESSING) {
		order_fail(o, "challenge", "%s: http-01 challenge is %s",
		    az.identifier, acme_status_name(ch->status));
		goto out;
	}
	/*
	 * Published even when the challenge was answered before (a resumed
	 * order): the authority may validate it only now.
	 */
	if (asprintf(&keyauth, "%s.%s", ch->token, o->a->thumbprint) == -1)
		goto out;
	if (tk->n >= ACME_MAX_AUTHZ || np_chal_add(ch->token, keyauth) == -1) {
		order_fail(o, "challenge", "%s: challenged refused token %s",
		    az.identifier, ch->token);
		goto out;
	}
	tk->token[tk->n++] = strdup(ch->token);
	if (ch->status == ST_PROCESSING) {
		rc = 0;		/* answered before: just wait */
		goto out;
	}
	/*
	 * A lost answer: the authorization says whether the authority took
	 * the challenge.  One still pending is answered again, once; what
	 * else it became, wait_authz() sees.
	 */
	for (tries = 0; post(o, ch->url, "{}", NULL, &resp, 0) == -1;
	    tries++) {
		if (tries > 0 || !answer_lost(o, "the http-01 challenge",
		    "reading the authorization again") ||
		    fetch_authz(o, url, &az, NULL) == -1)
			goto out;
		if ((ch = find_http01(&az)) == NULL ||
		    ch->status != ST_PENDING)
			break;
	}
	log_debug("%s: http-01 challenge answered", az.identifier);
	rc = 0;
out:
	free(keyauth);
	http_resp_free(&resp);
	acme_authz_free(&az);
	return rc;
}

static long
next_wait(long *wait_ms, long retry_after)
{
	long	 ms;

	if (retry_after > 0)
		ms = retry_after * 1000;
	else {
		ms = *wait_ms;
		*wait_ms = *wait_ms * 2 > POLL_MAX_MS ? POLL_MAX_MS :
		    *wait_ms * 2;
	}
	return ms;
}

/* Waits until an authorization leaves "pending". */
static int
wait_authz(struct net_order *o, const char *url, time_t deadline)
{
	struct acme_authz		 az;
	const struct acme_challenge	*ch;
	long				 wait_ms = POLL_FIRST_MS, ra = -1;
	int				 rc = -1;

	memset(&az, 0, sizeof(az));
	for (;;) {
		if (fetch_authz(o, url, &az, &ra) == -1)
			goto out;
		if (az.status == ST_VALID) {
			rc = 0;
			goto out;
		}
		if (az.status != ST_PENDING)
			break;
		if (time(NULL) >= deadline) {
			order_fail(o, "timeout", "%s: still pending after %d s",
			    az.identifier, NETPROC_POLL_LIMIT);
			goto out;
		}
		sleep_ms(next_wait(&wait_ms, ra));
	}
	ch = find_http01(&az);
	if (ch != NULL && ch->error != NULL)
		problem_fail(o, az.identifier, ch->error, -1);
	else
		order_fail(o, "authorization", "%s: authorization %s",
		    az.identifier, acme_status_name(az.status));
out:
	acme_authz_free(&az);
	return rc;
}

/* Waits while an order is pending or processing. */
static int
wait_order(struct net_order *o, struct acme_order *ord, time_t deadline)
{
	long	 wait_ms = POLL_FIRST_MS;

	while (ord->status == ST_PROCESSING || ord->status == ST_PENDING) {
		if (time(NULL) >= deadline) {
			order_fail(o, "timeout", "%s: order still %s after %d s",
			    o->names[0], acme_status_name(ord->status),
			    NETPROC_POLL_LIMIT);
			return -1;
		}
		sleep_ms(next_wait(&wait_ms, o->retry_after));
		if (fetch_order(o, ord) == -1)
			return -1;
	}
	if (ord->status == ST_INVALID) {
		if (ord->error != NULL)
			problem_fail(o, o->names[0], ord->error, -1);
		else
			order_fail(o, "order", "%s: the order is invalid",
			    o->names[0]);
		return -1;
	}
	return 0;
}

static int
finalize(struct net_order *o, struct acme_order *ord)
{
	struct http_resp	 resp;
	unsigned char		*der = NULL;
	size_t			 derlen;
	char			*body = NULL, *url = NULL, err[256];
	int			 rc = -1, tries;

	http_resp_init(&resp);
	if ((url = strdup(ord->finalize)) == NULL)
		goto out;
	if (np_csr(o->keyid, o->names, o->nnames, &der, &derlen) == -1) {
		order_fail(o, "keyproc", "%s: no CSR", o->names[0]);
		goto out;
	}
	if ((body = acme_req_finalize(der, derlen)) == NULL)
		goto out;
	/*
	 * A lost answer: the order says whether the authority took the
	 * request.  Still ready, it did not, and is finalized again, once;
	 * anything else is the order as it is now.
	 */
	for (tries = 0; post(o, url, body, NULL, &resp, 0) == -1; tries++) {
		if (tries > 0 || !answer_lost(o, "finalize",
		    "reading the order again") || fetch_order(o, ord) == -1)
			goto out;
		if (ord->status != ST_READY) {
			rc = 0;
			goto out;
		}
	}
	acme_order_free(ord);
	memset(ord, 0, sizeof(*ord));
	if (acme_parse_order(resp.body.data, resp.body.len, ord, err,
	    sizeof(err)) == -1) {
		answer_fail(o, "order", url, &resp, err);
		goto out;
	}
	o->retry_after = resp.retry_after;
	rc = 0;
out:
	free(url);
	free(der);
	free(body);
	http_resp_free(&resp);
	return rc;
}

/*
 * Downloads the chain, or an alternate whose top issuer is preferred.  The
 * certificate is issued either way: an alternate that cannot be had is
 * passed over, with the reason logged, and the default chain serves.
 */
static int
download(struct net_order *o, const char *url)
{
	struct http_resp	 resp, alt;
	char			*issuer;
	size_t			 i;
	int			 rc = -1, failed = 0;

	http_resp_init(&resp);
	http_resp_init(&alt);
	if (post(o, url, NULL, CT_PEM_CHAIN, &resp, 0) == -1)
		goto out;
	if (o->preferred_chain != NULL) {
		issuer = chain_top_issuer((char *)resp.body.data,
		    resp.body.len);
		for (i = 0; (issuer == NULL || strcmp(issuer,
		    o->preferred_chain) != 0) && i < resp.nalternates; i++) {
			free(issuer);
			issuer = NULL;
			if (post(o, resp.alternates[i], NULL, CT_PEM_CHAIN,
			    &alt, 0) == -1) {
				log_warnx("%s: alternate chain %s not "
				    "downloaded: %s", o->names[0],
				    resp.alternates[i], o->error ? o->error :
				    "failed");
				order_unfail(o);
				failed = 1;
				continue;
			}
			issuer = chain_top_issuer((char *)alt.body.data,
			    alt.body.len);
			if (issuer != NULL && strcmp(issuer,
			    o->preferred_chain) == 0) {
				log_info("%s: using the alternate chain "
				    "issued by %s", o->names[0], issuer);
				http_resp_free(&resp);
				resp = alt;
				http_resp_init(&alt);
				break;
			}
		}
		if (issuer == NULL || strcmp(issuer, o->preferred_chain) != 0)
			log_info("%s: no chain issued by \"%s\"%s; using the "
			    "default one", o->names[0], o->preferred_chain,
			    failed ? " could be downloaded" : "");
		free(issuer);
	}
	o->chain = buf_release(&resp.body, &o->chainlen);
	rc = o->chain ? 0 : -1;
out:
	http_resp_free(&resp);
	http_resp_free(&alt);
	return rc;
}

/* The directory and the account (none registered if o->no_register). */
static int
account_ready(struct net_order *o)
{
	if (get_directory(o) == -1)
		return -1;
	return ensure_account(o, 1);
}

int
acme_issue(struct net_order *o)
{
	struct acme_order	 ord;
	struct acme_tokens	 tk;
	time_t			 deadline;
	size_t			 i;
	int			 rc = -1;

	memset(&ord, 0, sizeof(ord));
	memset(&tk, 0, sizeof(tk));
	deadline = time(NULL) + NETPROC_POLL_LIMIT;
	if (account_ready(o) == -1)
		return -1;
	/* For the key authorizations of the challenges. */
	if (o->a->thumbprint == NULL &&
	    np_thumbprint(o->a->keyid, &o->a->thumbprint) == -1) {
		order_fail(o, "keyproc", "authority %s: no account key",
		    o->a->name);
		return -1;
	}

	/* Resume a pending order if it is still usable. */
	if (o->order_url != NULL) {
		if (fetch_order(o, &ord) == -1 || ord.status == ST_INVALID) {
			log_info("%s: pending order %s is gone (%s); ordering "
			    "again", o->names[0], o->order_url, o->error ?
			    o->error : "invalid");
			order_unfail(o);
			free(o->order_url);
			o->order_url = NULL;
		} else
			log_info("%s: resuming order %s", o->names[0],
			    o->order_url);
	}
	/*
	 * An order whose answer was lost has no URL to be read by (not every
	 * authority lists an account's orders): it is left to expire, and
	 * the order placed again, once.
	 */
	if (o->order_url == NULL && new_order(o, &ord) == -1 &&
	    (!answer_lost(o, "newOrder", "ordering again") ||
	    new_order(o, &ord) == -1))
		goto out;

	if (ord.status == ST_PENDING) {
		for (i = 0; i < ord.nauthorizations; i++)
			if (answer_authz(o, ord.authorizations[i], &tk) == -1)
				goto out;
		for (i = 0; i < ord.nauthorizations; i++)
			if (wait_authz(o, ord.authorizations[i],
			    deadline) == -1)
				goto out;
		if (fetch_order(o, &ord) == -1 ||
		    wait_order(o, &ord, deadline) == -1)
			goto out;
	}
	if (ord.status == ST_READY && finalize(o, &ord) == -1)
		goto out;
	if (wait_order(o, &ord, deadline) == -1)
		goto out;
	if (ord.status != ST_VALID || ord.certificate == NULL) {
		order_fail(o, "order", "%s: order is %s without a certificate",
		    o->names[0], acme_status_name(ord.status));
		goto out;
	}
	if (download(o, ord.certificate) == -1)
		goto out;
	rc = 0;
out:
	for (i = 0; i < tk.n; i++) {
		if (tk.token[i] != NULL)
			np_chal_del(tk.token[i]);
		free(tk.token[i]);
	}
	acme_order_free(&ord);
	if (rc == -1 && o->error == NULL)
		order_fail(o, "internal", "%s: failed", o->names[0]);
	return rc;
}

/*
 * Revokes the certificate whose leaf is der (RFC 8555 section 7.6).  If
 * o->cert_key is set the request is signed with the certificate's own key
 * (o->keyid, JWK in the header): the authority accepts it whatever became
 * of the account that ordered it, and no account is needed.  Otherwise it
 * is signed by the account, which must exist.  A certificate the
 * authority says is already revoked is revoked: 0 all the same.
 */
int
acme_revoke(struct net_order *o, const void *der, size_t len)
{
	struct http_resp	 resp;
	char			*body;
	int			 rc = -1;

	if (get_directory(o) == -1)
		return -1;
	if (o->a->dir.revoke_cert == NULL) {
		order_fail(o, "directory", "authority %s: no revokeCert in "
		    "its directory", o->a->name);
		return -1;
	}
	o->no_register = 1;
	if (!o->cert_key && account_ready(o) == -1)
		return -1;
	if ((body = acme_req_revoke(der, len)) == NULL) {
		order_fail(o, "internal", "%s: revocation request",
		    o->names[0]);
		return -1;
	}
	http_resp_init(&resp);
	if (post(o, o->a->dir.revoke_cert, body, NULL, &resp,
	    o->cert_key) == 0)
		rc = 0;
	else if (o->error_type != NULL &&
	    strcmp(o->error_type, ERR_PREFIX "alreadyRevoked") == 0) {
		log_info("%s: %s", o->names[0], o->error);
		rc = 0;
	}
	free(body);
	http_resp_free(&resp);
	return rc;
}

/*
 * Changes the account's key to the key newid (RFC 8555 section 7.3.5):
 * the new key signs the inner request, the old key the outer one, both
 * made by keyproc while the parent authorises the change.  The account
 * keeps its URL.  A new key left by an earlier attempt
 * (new_existed) may already be the account's, if the authority took it
 * and its answer was lost: the authority is asked first.  Only an account
 * that exists is changed: none is registered for it.
 */
int
acme_key_change(struct net_order *o, uint32_t newid, int new_existed)
{
	struct net_authority	*a = o->a;
	struct http_resp	 resp;
	int			 rc = -1, found;

	http_resp_init(&resp);
	if (get_directory(o) == -1)
		goto out;
	if (a->dir.key_change == NULL) {
		order_fail(o, "directory", "authority %s: no keyChange in "
		    "its directory", a->name);
		goto out;
	}
	o->no_register = 1;
	if (new_existed) {
		o->cert_key = 1;
		o->keyid = newid;
		found = account_lookup(o, &resp);
		o->cert_key = 0;
		if (found == -1)
			goto out;
		if (found == 1 && (a->account_url == NULL ||
		    strcmp(a->account_url, resp.location) == 0)) {
			log_info("authority %s: account %s has the new key "
			    "already", a->name, resp.location);
			if (a->account_url == NULL) {
				a->account_url = resp.location;
				resp.location = NULL;
				np_account_url(a->id, a->account_url);
			}
			rc = 0;
			goto out;
		}
		if (found == 1) {
			order_fail(o, "account", "authority %s: the new key "
			    "belongs to account %s, not to %s", a->name,
			    resp.location, a->account_url);
			goto out;
		}
		http_resp_free(&resp);
		http_resp_init(&resp);
	}
	if (account_ready(o) == -1)
		goto out;
	o->key_change = 1;
	o->new_keyid = newid;
	if (post(o, a->dir.key_change, NULL, NULL, &resp, 0) == 0) {
		log_info("authority %s: account %s now has the new key",
		    a->name, a->account_url);
		rc = 0;
	}
	o->key_change = 0;
 out:
	http_resp_free(&resp);
	return rc;
}
