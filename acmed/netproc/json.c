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
 * Parsers for the JSON objects an ACME server sends (RFC 8555, RFC 9773).
 *
 * Everything here reads bytes that came off the network: the input is
 * bounded in size and nesting depth before yajl sees it, every field is
 * checked for its type, strings are cleaned (text.c) and bounded, arrays
 * are bounded, URLs must be https.  Unknown fields are ignored.  A
 * failure leaves the output object empty and says what was wrong in err.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yajl/yajl_tree.h>

#include "acme.h"
#include "base64.h"
#include "json.h"
#include "text.h"

#define JSON_MAX_DEPTH		16
#define ACME_MAX_CHALLENGES	16
#define ACME_MAX_SUBPROBLEMS	100

static const char *const status_names[ST_MAX] = {
	[ST_UNKNOWN] = "unknown",
	[ST_PENDING] = "pending",
	[ST_READY] = "ready",
	[ST_PROCESSING] = "processing",
	[ST_VALID] = "valid",
	[ST_INVALID] = "invalid",
	[ST_DEACTIVATED] = "deactivated",
	[ST_EXPIRED] = "expired",
	[ST_REVOKED] = "revoked",
};

enum acme_status
acme_status_parse(const char *s)
{
	int	 i;

	if (s == NULL)
		return ST_UNKNOWN;
	for (i = ST_UNKNOWN + 1; i < ST_MAX; i++)
		if (strcmp(s, status_names[i]) == 0)
			return i;
	return ST_UNKNOWN;
}

const char *
acme_status_name(enum acme_status st)
{
	if ((int)st < 0 || st >= ST_MAX)
		return "unknown";
	return status_names[st];
}

void
json_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Checks what yajl would not: no NUL byte (yajl_tree wants a C string),
 * no comments (yajl_tree_parse allows them), and a nesting depth that
 * keeps yajl_tree_free's recursion small.  Strings are skipped with
 * their escapes; yajl checks the rest of the grammar and UTF-8.
 */
static int
json_prescan(const char *p, size_t len, char *err, size_t errlen)
{
	const char	*nul;
	size_t		 i;
	int		 depth = 0, instr = 0;

	if ((nul = memchr(p, '\0', len)) != NULL) {
		json_err(err, errlen, "NUL byte at offset %td", nul - p);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (instr) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				instr = 0;
			continue;
		}
		switch (p[i]) {
		case '"':
			instr = 1;
			break;
		case '[':
		case '{':
			if (++depth > JSON_MAX_DEPTH) {
				json_err(err, errlen, "nested deeper than %d",
				    JSON_MAX_DEPTH);
				return -1;
			}
			break;
		case ']':
		case '}':
			depth--;
			break;
		case '/':
			json_err(err, errlen, "comment or stray '/' at "
			    "offset %zu", i);
			return -1;
		}
	}
	return 0;
}

yajl_val
json_parse(const void *data, size_t len, const char *what, char *err,
    size_t errlen)
{
	char		*s, ebuf[128], *nl;
	yajl_val	 root;

	if (data == NULL || len == 0) {
		json_err(err, errlen, "%s: empty document", what);
		return NULL;
	}
	if (len > ACME_MAX_BODY) {
		json_err(err, errlen, "%s: document larger than %d bytes",
		    what, ACME_MAX_BODY);
		return NULL;
	}
	if (json_prescan(data, len, ebuf, sizeof(ebuf)) == -1) {
		json_err(err, errlen, "%s: %s", what, ebuf);
		return NULL;
	}
	if ((s = malloc(len + 1)) == NULL) {
		json_err(err, errlen, "%s: out of memory", what);
		return NULL;
	}
	memcpy(s, data, len);
	s[len] = '\0';
	ebuf[0] = '\0';
	root = yajl_tree_parse(s, ebuf, sizeof(ebuf));
	free(s);
	if (root == NULL) {
		/* yajl's message spans lines; the first says what. */
		if ((nl = strchr(ebuf, '\n')) != NULL)
			*nl = '\0';
		json_err(err, errlen, "%s: invalid JSON: %s", what,
		    ebuf[0] ? ebuf : "parse error");
		return NULL;
	}
	if (!YAJL_IS_OBJECT(root)) {
		json_err(err, errlen, "%s: not a JSON object", what);
		yajl_tree_free(root);
		return NULL;
	}
	return root;
}

/* The value of key in object obj, or NULL; the first one if repeated. */
yajl_val
json_get(yajl_val obj, const char *key)
{
	size_t	 i;

	if (obj == NULL || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

/*
 * The value of key in *out, NULL with 0 if absent and optional; -1 if
 * missing and required or not of type t (yajl_t_true: either boolean).
 */
static int
json_field(yajl_val obj, const char *key, int required, yajl_type t,
    const char *what, yajl_val *out, char *err, size_t errlen)
{
	static const char *const tname[] = {
		[yajl_t_string] = "a string",
		[yajl_t_object] = "an object",
		[yajl_t_array] = "an array",
		[yajl_t_true] = "a boolean",
	};
	yajl_val	 v;

	*out = NULL;
	if ((v = json_get(obj, key)) == NULL) {
		if (!required)
			return 0;
		json_err(err, errlen, "%s: field \"%s\" missing", what, key);
		return -1;
	}
	if (v->type != t && !(t == yajl_t_true && v->type == yajl_t_false)) {
		json_err(err, errlen, "%s: field \"%s\" is not %s", what, key,
		    tname[t]);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * String field: 0 and a cleaned copy in *out (NULL if absent and
 * optional), -1 if of the wrong type, too long, or missing and required.
 * Every string an authority sends is cleaned here, where it enters, so
 * that no later use (a log line, the status file, the event hook's
 * environment) has to remember to.  The bound is on the cleaned text,
 * which is what is kept and passed on.
 */
int
json_str(yajl_val obj, const char *key, int required, const char *what,
    char **out, char *err, size_t errlen)
{
	yajl_val	 v;

	*out = NULL;
	if (json_field(obj, key, required, yajl_t_string, what, &v, err,
	    errlen) == -1)
		return -1;
	if (v == NULL)
		return 0;
	if ((*out = text_cleandup(v->u.string, strlen(v->u.string))) ==
	    NULL) {
		json_err(err, errlen, "%s: out of memory", what);
		return -1;
	}
	if (strlen(*out) > ACME_MAX_STR) {
		json_err(err, errlen, "%s: field \"%s\" longer than %d bytes",
		    what, key, ACME_MAX_STR);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * An https URL in the characters a URI may hold (RFC 3986): printable
 * ASCII but for space and "\"<>\\^`{|}".  A cleaned string that held a
 * control character is refused too: its escape has a backslash.
 */
int
json_is_https(const char *s)
{
	const unsigned char	*p;

	if (s == NULL || strncmp(s, "https://", 8) != 0 || s[8] == '\0')
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f ||
		    strchr("\"<>\\^`{|}", *p) != NULL)
			return 0;
	return 1;
}

/* Like json_str, and the value must be an https URL. */
int
json_url(yajl_val obj, const char *key, int required, const char *what,
    char **out, char *err, size_t errlen)
{
	if (json_str(obj, key, required, what, out, err, errlen) == -1)
		return -1;
	if (*out != NULL && !json_is_https(*out)) {
		json_err(err, errlen, "%s: field \"%s\" is not an https URL",
		    what, key);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* Boolean field; absent means 0 unless required. */
int
json_bool(yajl_val obj, const char *key, int required, const char *what,
    int *out, char *err, size_t errlen)
{
	yajl_val	 v;

	*out = 0;
	if (json_field(obj, key, required, yajl_t_true, what, &v, err,
	    errlen) == -1)
		return -1;
	*out = YAJL_IS_TRUE(v);
	return 0;
}

static int
json_status(yajl_val obj, const char *what, enum acme_status *out,
    char *err, size_t errlen)
{
	char	*s;

	if (json_str(obj, "status", 1, what, &s, err, errlen) == -1)
		return -1;
	*out = acme_status_parse(s);
	if (*out == ST_UNKNOWN) {
		json_err(err, errlen, "%s: unknown status \"%.64s\"", what, s);
		free(s);
		return -1;
	}
	free(s);
	return 0;
}

/* Object field: NULL with 0 if absent and optional. */
static int
json_obj(yajl_val obj, const char *key, int required, const char *what,
    yajl_val *out, char *err, size_t errlen)
{
	return json_field(obj, key, required, yajl_t_object, what, out, err,
	    errlen);
}

/* Array field of at most max elements: NULL with 0 if absent and optional. */
static int
json_arr(yajl_val obj, const char *key, int required, size_t max,
    const char *what, yajl_val *out, char *err, size_t errlen)
{
	if (json_field(obj, key, required, yajl_t_array, what, out, err,
	    errlen) == -1)
		return -1;
	if (*out != NULL && (*out)->u.array.len > max) {
		json_err(err, errlen, "%s: field \"%s\" has %zu elements, "
		    "more than %zu", what, key, (*out)->u.array.len, max);
		*out = NULL;
		return -1;
	}
	return 0;
}

typedef int (*json_reader)(yajl_val, const char *, void *, char *, size_t);

/*
 * A whole document into out (size bytes, zeroed first) by fn, which
 * leaves out empty when it fails.
 */
static int
json_doc(const void *data, size_t len, const char *what, json_reader fn,
    void *out, size_t size, char *err, size_t errlen)
{
	yajl_val	 root;
	int		 rc;

	memset(out, 0, size);
	if ((root = json_parse(data, len, what, err, errlen)) == NULL)
		return -1;
	rc = fn(root, what, out, err, errlen);
	yajl_tree_free(root);
	return rc;
}

/* --- directory --- */

/*
 * meta.profiles (draft-ietf-acme-profiles): an object of names and
 * their descriptions, for people.  Only the names are kept, the first
 * ACME_MAX_PROFILES that are tokens: no other could be configured.
 */
static int
directory_profiles(yajl_val meta, struct acme_directory *d, char *err,
    size_t errlen)
{
	yajl_val	 obj;
	size_t		 i;

	if (json_obj(meta, "profiles", 0, "directory meta", &obj, err,
	    errlen) == -1)
		return -1;
	for (i = 0; obj != NULL && i < obj->u.object.len &&
	    d->nprofiles < ACME_MAX_PROFILES; i++) {
		if (!text_is_token(obj->u.object.keys[i], MSG_PROFILE_MAX))
			continue;
		if ((d->profiles[d->nprofiles] =
		    strdup(obj->u.object.keys[i])) == NULL) {
			json_err(err, errlen, "directory meta: out of memory");
			return -1;
		}
		d->nprofiles++;
	}
	return 0;
}

static int
directory_read(yajl_val root, const char *what, void *arg, char *err,
    size_t errlen)
{
	struct acme_directory	*d = arg;
	yajl_val		 meta;

	if (json_url(root, "newNonce", 1, what, &d->new_nonce, err,
	    errlen) == -1 ||
	    json_url(root, "newAccount", 1, what, &d->new_account, err,
	    errlen) == -1 ||
	    json_url(root, "newOrder", 1, what, &d->new_order, err,
	    errlen) == -1 ||
	    json_url(root, "revokeCert", 0, what, &d->revoke_cert, err,
	    errlen) == -1 ||
	    json_url(root, "keyChange", 0, what, &d->key_change, err,
	    errlen) == -1 ||
	    json_url(root, "renewalInfo", 0, what, &d->renewal_info, err,
	    errlen) == -1 ||
	    json_obj(root, "meta", 0, what, &meta, err, errlen) == -1)
		goto fail;
	if (meta != NULL &&
	    (json_str(meta, "termsOfService", 0, "directory meta",
	    &d->terms_of_service, err, errlen) == -1 ||
	    json_bool(meta, "externalAccountRequired", 0, "directory meta",
	    &d->eab_required, err, errlen) == -1 ||
	    directory_profiles(meta, d, err, errlen) == -1))
		goto fail;
	return 0;
 fail:
	acme_directory_free(d);
	return -1;
}

int
acme_parse_directory(const void *data, size_t len, struct acme_directory *d,
    char *err, size_t errlen)
{
	return json_doc(data, len, "directory", directory_read, d, sizeof(*d),
	    err, errlen);
}

void
acme_directory_free(struct acme_directory *d)
{
	size_t	 i;

	free(d->new_nonce);
	free(d->new_account);
	free(d->new_order);
	free(d->revoke_cert);
	free(d->key_change);
	free(d->renewal_info);
	free(d->terms_of_service);
	for (i = 0; i < d->nprofiles; i++)
		free(d->profiles[i]);
	memset(d, 0, sizeof(*d));
}

/* --- problem documents (RFC 7807, RFC 8555 section 6.7) --- */

/* Type and detail of a (sub)problem: "about:blank" and "" if absent. */
static int
problem_text(yajl_val obj, const char *what, char **type, char **detail,
    char *err, size_t errlen)
{
	if (json_str(obj, "type", 0, what, type, err, errlen) == -1 ||
	    json_str(obj, "detail", 0, what, detail, err, errlen) == -1)
		return -1;
	if ((*type == NULL && (*type = strdup("about:blank")) == NULL) ||
	    (*detail == NULL && (*detail = strdup("")) == NULL)) {
		json_err(err, errlen, "%s: out of memory", what);
		return -1;
	}
	return 0;
}

static int
problem_read(yajl_val obj, const char *what, void *arg, char *err,
    size_t errlen)
{
	struct acme_problem	*p = arg;
	yajl_val		 v, subs, s, id;
	size_t			 i;

	if (problem_text(obj, what, &p->type, &p->detail, err, errlen) == -1 ||
	    json_str(obj, "instance", 0, what, &p->instance, err,
	    errlen) == -1)
		goto fail;
	if ((v = json_get(obj, "status")) != NULL) {
		if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 ||
		    YAJL_GET_INTEGER(v) > 999) {
			json_err(err, errlen, "%s: field \"status\" is not "
			    "an HTTP status", what);
			goto fail;
		}
		p->status = YAJL_GET_INTEGER(v);
	}
	if (json_arr(obj, "subproblems", 0, ACME_MAX_SUBPROBLEMS, what,
	    &subs, err, errlen) == -1)
		goto fail;
	if (subs == NULL || subs->u.array.len == 0)
		return 0;
	p->sub = calloc(subs->u.array.len, sizeof(*p->sub));
	if (p->sub == NULL)
		goto nomem;
	for (i = 0; i < subs->u.array.len; i++) {
		s = subs->u.array.values[i];
		if (!YAJL_IS_OBJECT(s)) {
			json_err(err, errlen, "%s: subproblem %zu is not an "
			    "object", what, i);
			goto fail;
		}
		p->nsub++;
		if (problem_text(s, "subproblem", &p->sub[i].type,
		    &p->sub[i].detail, err, errlen) == -1 ||
		    json_obj(s, "identifier", 0, "subproblem", &id, err,
		    errlen) == -1)
			goto fail;
		if (id != NULL && json_str(id, "value", 1,
		    "subproblem identifier", &p->sub[i].identifier, err,
		    errlen) == -1)
			goto fail;
	}
	return 0;
 nomem:
	json_err(err, errlen, "%s: out of memory", what);
 fail:
	acme_problem_free(p);
	return -1;
}

int
acme_parse_problem(const void *data, size_t len, struct acme_problem *p,
    char *err, size_t errlen)
{
	return json_doc(data, len, "problem", problem_read, p, sizeof(*p),
	    err, errlen);
}

void
acme_problem_free(struct acme_problem *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nsub; i++) {
		free(p->sub[i].type);
		free(p->sub[i].detail);
		free(p->sub[i].identifier);
	}
	free(p->sub);
	free(p->type);
	free(p->detail);
	free(p->instance);
	free(p->terms);
	memset(p, 0, sizeof(*p));
}

/* An optional "error" field holding a problem document, into *out. */
static int
problem_field(yajl_val obj, const char *what, struct acme_problem **out,
    char *err, size_t errlen)
{
	yajl_val	 v;
	char		 sub[64];

	*out = NULL;
	if (json_obj(obj, "error", 0, what, &v, err, errlen) == -1)
		return -1;
	if (v == NULL)
		return 0;
	if ((*out = calloc(1, sizeof(**out))) == NULL) {
		json_err(err, errlen, "%s: out of memory", what);
		return -1;
	}
	snprintf(sub, sizeof(sub), "%s error", what);
	if (problem_read(v, sub, *out, err, errlen) == -1) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* --- account --- */

static int
account_read(yajl_val root, const char *what, void *arg, char *err,
    size_t errlen)
{
	struct acme_account	*a = arg;

	if (json_status(root, what, &a->status, err, errlen) == -1 ||
	    json_url(root, "orders", 0, what, &a->orders, err, errlen) == -1) {
		acme_account_free(a);
		return -1;
	}
	return 0;
}

int
acme_parse_account(const void *data, size_t len, struct acme_account *a,
    char *err, size_t errlen)
{
	return json_doc(data, len, "account", account_read, a, sizeof(*a),
	    err, errlen);
}

void
acme_account_free(struct acme_account *a)
{
	free(a->orders);
	memset(a, 0, sizeof(*a));
}

/* --- order --- */

static int
order_read(yajl_val root, const char *what, void *arg, char *err,
    size_t errlen)
{
	struct acme_order	*o = arg;
	yajl_val		 arr, v;
	size_t			 i;

	if (json_status(root, what, &o->status, err, errlen) == -1 ||
	    json_str(root, "expires", 0, what, &o->expires, err,
	    errlen) == -1 ||
	    json_url(root, "finalize", 1, what, &o->finalize, err,
	    errlen) == -1 ||
	    json_url(root, "certificate", 0, what, &o->certificate, err,
	    errlen) == -1 ||
	    json_str(root, "profile", 0, what, &o->profile, err,
	    errlen) == -1 ||
	    json_arr(root, "authorizations", 1, ACME_MAX_AUTHZ, what, &arr,
	    err, errlen) == -1 ||
	    problem_field(root, what, &o->error, err, errlen) == -1)
		goto fail;
	if (arr->u.array.len == 0) {
		json_err(err, errlen, "%s: no authorizations", what);
		goto fail;
	}
	o->authorizations = calloc(arr->u.array.len,
	    sizeof(*o->authorizations));
	if (o->authorizations == NULL) {
		json_err(err, errlen, "%s: out of memory", what);
		goto fail;
	}
	for (i = 0; i < arr->u.array.len; i++) {
		v = arr->u.array.values[i];
		if (!YAJL_IS_STRING(v) || strlen(v->u.string) > ACME_MAX_STR ||
		    !json_is_https(v->u.string)) {
			json_err(err, errlen, "%s: authorization %zu is not "
			    "an https URL", what, i);
			goto fail;
		}
		if ((o->authorizations[i] = strdup(v->u.string)) == NULL) {
			json_err(err, errlen, "%s: out of memory", what);
			goto fail;
		}
		o->nauthorizations++;
	}
	return 0;
 fail:
	acme_order_free(o);
	return -1;
}

int
acme_parse_order(const void *data, size_t len, struct acme_order *o,
    char *err, size_t errlen)
{
	return json_doc(data, len, "order", order_read, o, sizeof(*o), err,
	    errlen);
}

void
acme_order_free(struct acme_order *o)
{
	size_t	 i;

	for (i = 0; i < o->nauthorizations; i++)
		free(o->authorizations[i]);
	free(o->authorizations);
	free(o->expires);
	free(o->finalize);
	free(o->certificate);
	free(o->profile);
	acme_problem_free(o->error);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

/* --- challenges and authorizations --- */

/*
 * A token ends up in a URL path that challenged serves: only the
 * base64url alphabet (RFC 8555 section 8.3) is let through.
 */
static int
token_ok(const char *t)
{
	size_t	 len = strlen(t);

	return len > 0 && len <= 256 && b64url_valid(t, len);
}

static int
challenge_read(yajl_val obj, const char *what, void *arg, char *err,
    size_t errlen)
{
	struct acme_challenge	*c = arg;

	if (!YAJL_IS_OBJECT(obj)) {
		json_err(err, errlen, "%s: not an object", what);
		return -1;
	}
	if (json_str(obj, "type", 1, what, &c->type, err, errlen) == -1 ||
	    json_url(obj, "url", 1, what, &c->url, err, errlen) == -1 ||
	    json_status(obj, what, &c->status, err, errlen) == -1 ||
	    json_str(obj, "token", 0, what, &c->token, err, errlen) == -1 ||
	    problem_field(obj, what, &c->error, err, errlen) == -1)
		goto fail;
	if (c->token != NULL && !token_ok(c->token)) {
		json_err(err, errlen, "%s: token is not base64url", what);
		goto fail;
	}
	return 0;
 fail:
	acme_challenge_free(c);
	return -1;
}

int
acme_parse_challenge(const void *data, size_t len, struct acme_challenge *c,
    char *err, size_t errlen)
{
	return json_doc(data, len, "challenge", challenge_read, c, sizeof(*c),
	    err, errlen);
}

void
acme_challenge_free(struct acme_challenge *c)
{
	free(c->type);
	free(c->url);
	free(c->token);
	acme_problem_free(c->error);
	free(c->error);
	memset(c, 0, sizeof(*c));
}

static int
authz_read(yajl_val root, const char *what, void *arg, char *err,
    size_t errlen)
{
	struct acme_authz	*a = arg;
	yajl_val		 id, arr;
	size_t			 i;
	char			 sub[64];

	if (json_status(root, what, &a->status, err, errlen) == -1 ||
	    json_obj(root, "identifier", 1, what, &id, err, errlen) == -1 ||
	    json_str(id, "type", 1, "authorization identifier",
	    &a->identifier_type, err, errlen) == -1 ||
	    json_str(id, "value", 1, "authorization identifier",
	    &a->identifier, err, errlen) == -1 ||
	    json_bool(root, "wildcard", 0, what, &a->wildcard, err,
	    errlen) == -1 ||
	    json_arr(root, "challenges", 1, ACME_MAX_CHALLENGES, what, &arr,
	    err, errlen) == -1)
		goto fail;
	if (arr->u.array.len > 0 &&
	    (a->challenges = calloc(arr->u.array.len,
	    sizeof(*a->challenges))) == NULL) {
		json_err(err, errlen, "%s: out of memory", what);
		goto fail;
	}
	for (i = 0; i < arr->u.array.len; i++) {
		snprintf(sub, sizeof(sub), "%s challenge %zu", what, i);
		if (challenge_read(arr->u.array.values[i], sub,
		    &a->challenges[i], err, errlen) == -1)
			goto fail;
		a->nchallenges++;
	}
	return 0;
 fail:
	acme_authz_free(a);
	return -1;
}

int
acme_parse_authz(const void *data, size_t len, struct acme_authz *a,
    char *err, size_t errlen)
{
	return json_doc(data, len, "authorization", authz_read, a, sizeof(*a),
	    err, errlen);
}

void
acme_authz_free(struct acme_authz *a)
{
	size_t	 i;

	for (i = 0; i < a->nchallenges; i++)
		acme_challenge_free(&a->challenges[i]);
	free(a->challenges);
	free(a->identifier_type);
	free(a->identifier);
	memset(a, 0, sizeof(*a));
}

/* --- renewal information (RFC 9773) --- */

static int
digits(const char **pp, int n, int *out)
{
	const char	*p = *pp;
	int		 i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	*out = v;
	return 0;
}

/*
 * RFC 3339 date-time to seconds since the epoch, UTC; fractions of a
 * second are dropped.
 */
int
json_rfc3339(const char *s, time_t *out)
{
	struct tm	 tm;
	const char	*p = s;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	time_t		 t;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    digits(&p, 2, &d) == -1 || (*p != 'T' && *p != 't'))
		return -1;
	p++;
	if (digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    digits(&p, 2, &mi) == -1 || *p++ != ':' ||
	    digits(&p, 2, &sec) == -1)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (digits(&p, 2, &oh) == -1 || *p++ != ':' ||
		    digits(&p, 2, &om) == -1 || oh > 23 || om > 59)
			return -1;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec == 60 ? 59 : sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	t -= (time_t)sign * (oh * 3600 + om * 60);
	*out = t;
	return 0;
}

static int
renewal_info_read(yajl_val root, const char *what, void *arg, char *err,
    size_t errlen)
{
	struct acme_renewal_info	*ri = arg;
	yajl_val			 win;
	char				*start = NULL, *end = NULL;
	int				 rc = -1;

	if (json_obj(root, "suggestedWindow", 1, what, &win, err,
	    errlen) == -1 ||
	    json_str(win, "start", 1, "suggestedWindow", &start, err,
	    errlen) == -1 ||
	    json_str(win, "end", 1, "suggestedWindow", &end, err,
	    errlen) == -1 ||
	    json_str(root, "explanationURL", 0, what, &ri->explanation_url,
	    err, errlen) == -1)
		goto out;
	if (json_rfc3339(start, &ri->start) == -1) {
		json_err(err, errlen, "%s: start \"%.64s\" is not an RFC 3339 "
		    "date-time", what, start);
		goto out;
	}
	if (json_rfc3339(end, &ri->end) == -1) {
		json_err(err, errlen, "%s: end \"%.64s\" is not an RFC 3339 "
		    "date-time", what, end);
		goto out;
	}
	if (ri->start >= ri->end) {
		json_err(err, errlen, "%s: window start %s is not before "
		    "end %s", what, start, end);
		goto out;
	}
	rc = 0;
 out:
	free(start);
	free(end);
	if (rc == -1)
		acme_renewal_info_free(ri);
	return rc;
}

int
acme_parse_renewal_info(const void *data, size_t len,
    struct acme_renewal_info *ri, char *err, size_t errlen)
{
	return json_doc(data, len, "renewal info", renewal_info_read, ri,
	    sizeof(*ri), err, errlen);
}

void
acme_renewal_info_free(struct acme_renewal_info *ri)
{
	free(ri->explanation_url);
	memset(ri, 0, sizeof(*ri));
}
