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
 * A payload netproc asks keyproc to sign, read just far enough to say
 * which ACME request it is: valid JSON (yajl's parser: no comments, UTF-8
 * checked), an object in which no member is named twice at any level,
 * whose top-level members all belong to one kind of request.  The empty
 * payload of a POST-as-GET is the only one that is not an object.  A
 * member name the authority would read otherwise than keyproc does (a
 * duplicate, a NUL inside) is refused rather than guessed at.  What a
 * policy judges a request by is read whole: a newOrder's identifiers
 * must be a list of objects of exactly a string "type" ("dns" or "ip")
 * and a string "value", whose values are kept, each of the type its text
 * says (an "ip" identifier is an address in the one form of ident.h, a
 * "dns" one is not), so that the values alone say what was ordered, and
 * its "profile" a string, kept too; a finalize's "csr" and a revocation's
 * "certificate" must be strings, and are kept, as is a revocation's
 * "reason", an integer (0, unspecified, if there is none).  Also the
 * origin of a URL, which ties a request to its authority.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_parse.h>

#include "crypto.h"
#include "ident.h"
#include "payload.h"

#define PAYLOAD_DEPTH_MAX	16	/* objects and arrays, nested */
#define PAYLOAD_MEMBERS_MAX	64	/* members of one object */

static const struct {
	const char		*name;
	enum payload_kind	 kind;
} members[] = {
	{ "contact",			PAYLOAD_ACCOUNT },
	{ "termsOfServiceAgreed",	PAYLOAD_ACCOUNT },
	{ "onlyReturnExisting",		PAYLOAD_ACCOUNT },
	{ "externalAccountBinding",	PAYLOAD_ACCOUNT },
	{ "identifiers",		PAYLOAD_ORDER },
	{ "notBefore",			PAYLOAD_ORDER },
	{ "notAfter",			PAYLOAD_ORDER },
	{ "replaces",			PAYLOAD_ORDER },
	{ "profile",			PAYLOAD_ORDER },
	{ "csr",			PAYLOAD_FINALIZE },
	{ "certificate",		PAYLOAD_REVOKE },
	{ "reason",			PAYLOAD_REVOKE },
	{ "status",			PAYLOAD_DEACTIVATE },
	{ "protected",			PAYLOAD_KEY_CHANGE },
	{ "payload",			PAYLOAD_KEY_CHANGE },
	{ "signature",			PAYLOAD_KEY_CHANGE },
};
#define NMEMBERS	(sizeof(members) / sizeof(members[0]))

static const char *const kind_names[PAYLOAD_MAX] = {
	[PAYLOAD_GET] = "a POST-as-GET",
	[PAYLOAD_ACCOUNT] = "an account request",
	[PAYLOAD_ORDER] = "a newOrder",
	[PAYLOAD_FINALIZE] = "a finalize request",
	[PAYLOAD_CHALLENGE] = "a challenge response",
	[PAYLOAD_REVOKE] = "a revocation",
	[PAYLOAD_DEACTIVATE] = "an account deactivation",
	[PAYLOAD_KEY_CHANGE] = "a key change",
};

/* An open object (with the names of its members so far) or array. */
struct frame {
	char	**names;
	size_t	  n;
};

/* The identifiers of a newOrder, as they are read. */
struct ids {
	int		 in;		/* inside the identifiers array */
	int		 bad;		/* not a list of {type, value} */
	int		 key;		/* member read next: 't', 'v', 0 */
	const char	*type;		/* this one's: "dns", "ip", NULL */
	char		*value;		/* this one's value */
	char		**names;	/* the values read */
	size_t		 n;
};

struct scan {
	struct frame	 stack[PAYLOAD_DEPTH_MAX];
	int		 depth;
	int		 member;	/* top-level member read next; -1 */
	unsigned int	 seen;		/* bit i: members[i] is there */
	int		 only_existing;	/* onlyReturnExisting is true */
	int		 deactivated;	/* status is "deactivated" */
	int		 reason_bad;	/* reason is not an integer */
	long long	 reason;	/* its value, 0 if there is none */
	int		 csr_bad;	/* csr is not a string */
	int		 profile_bad;	/* profile is not a string */
	char		*profile;
	char		*cert;
	char		*csr;
	struct ids	 ids;
	char		*err;
	size_t		 errlen;
};

enum value {
	V_OBJECT,
	V_ARRAY,
	V_STRING,
	V_INTEGER,
	V_TRUE,
	V_OTHER
};

const char *
payload_name(enum payload_kind k)
{
	return k < PAYLOAD_MAX ? kind_names[k] : "an unknown payload";
}

/* The index of a top-level member in members[], or NMEMBERS. */
static size_t
member_index(const char *name)
{
	size_t	 i;

	for (i = 0; i < NMEMBERS; i++)
		if (strcmp(members[i].name, name) == 0)
			break;
	return i;
}

/* Sets the reason; 0, which stops yajl's parser. */
static int
fail(struct scan *s, const char *fmt, const char *arg)
{
	char	 shown[48];

	if (arg != NULL) {
		printable(arg, shown, sizeof(shown));
		snprintf(s->err, s->errlen, fmt, shown);
	} else
		snprintf(s->err, s->errlen, "%s", fmt);
	return 0;
}

/* A string value as a C string: NULL (with bad set) if it holds a NUL. */
static char *
string_dup(const unsigned char *p, size_t len, int *bad)
{
	char	*s;

	if (memchr(p, '\0', len) != NULL) {
		*bad = 1;
		return NULL;
	}
	if ((s = strndup((const char *)p, len)) == NULL)
		*bad = 1;
	return s;
}

/*
 * A value inside the identifiers array: an object (depth 2) or one of
 * its members (depth 3).  Anything else makes the list bad.
 */
static int
id_value(struct ids *ids, int depth, enum value v, const unsigned char *p,
    size_t len)
{
	if (depth == 2) {
		ids->bad |= v != V_OBJECT;
		ids->type = NULL;
		free(ids->value);
		ids->value = NULL;
		return 1;
	}
	if (depth != 3 || v != V_STRING || ids->key == 0) {
		ids->bad = 1;
		return 1;
	}
	if (ids->key == 't')
		ids->type = len == 3 && memcmp(p, "dns", 3) == 0 ? "dns" :
		    len == 2 && memcmp(p, "ip", 2) == 0 ? "ip" : NULL;
	else
		ids->value = string_dup(p, len, &ids->bad);
	ids->key = 0;
	return 1;
}

/* The end of one identifier object: its value joins the list. */
static void
id_end(struct ids *ids)
{
	char	**nn;

	if (ids->type == NULL || ids->value == NULL ||
	    strcmp(ids->type, ident_type(ids->value)) != 0 ||
	    ids->n == NAMES_MAX ||
	    (nn = reallocarray(ids->names, ids->n + 1, sizeof(*nn))) == NULL) {
		ids->bad = 1;
		return;
	}
	ids->names = nn;
	ids->names[ids->n++] = ids->value;
	ids->value = NULL;
}

/* A value begins: the root, or a top-level member's value. */
static int
value(struct scan *s, enum value v, const unsigned char *p, size_t len)
{
	const char	*name;

	if (s->depth == 0 && v != V_OBJECT)
		return fail(s, "a payload that is not a JSON object", NULL);
	if (s->ids.in && s->depth >= 2)
		return id_value(&s->ids, s->depth, v, p, len);
	if (s->depth != 1 || s->member == -1)
		return 1;
	name = members[s->member].name;
	s->member = -1;
	if (strcmp(name, "onlyReturnExisting") == 0)
		s->only_existing = v == V_TRUE;
	else if (strcmp(name, "status") == 0)
		s->deactivated = v == V_STRING &&
		    len == strlen("deactivated") &&
		    memcmp(p, "deactivated", len) == 0;
	else if (strcmp(name, "reason") == 0)
		s->reason_bad = v != V_INTEGER;
	else if (strcmp(name, "identifiers") == 0) {
		/* The array is opened next, at depth 2. */
		s->ids.bad |= v != V_ARRAY;
		s->ids.in = v == V_ARRAY;
	} else if (strcmp(name, "profile") == 0) {
		if (v == V_STRING)
			s->profile = string_dup(p, len, &s->profile_bad);
		else
			s->profile_bad = 1;
	} else if (strcmp(name, "csr") == 0) {
		if (v == V_STRING)
			s->csr = string_dup(p, len, &s->csr_bad);
		else
			s->csr_bad = 1;
	} else if (strcmp(name, "certificate") == 0 && v == V_STRING &&
	    (s->cert = strndup((const char *)p, len)) == NULL)
		return fail(s, "a payload: out of memory", NULL);
	return 1;
}

static int
open_frame(struct scan *s, enum value v)
{
	if (!value(s, v, NULL, 0))
		return 0;
	if (s->depth == PAYLOAD_DEPTH_MAX)
		return fail(s, "a payload nested too deep", NULL);
	memset(&s->stack[s->depth++], 0, sizeof(struct frame));
	return 1;
}

static void
frame_free(struct frame *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		free(f->names[i]);
	free(f->names);
	memset(f, 0, sizeof(*f));
}

static int
close_frame(void *ctx)
{
	struct scan	*s = ctx;

	if (s->ids.in && s->depth == 3)
		id_end(&s->ids);
	else if (s->ids.in && s->depth == 2)
		s->ids.in = 0;
	frame_free(&s->stack[--s->depth]);
	return 1;
}

static int
cb_null(void *ctx)
{
	return value(ctx, V_OTHER, NULL, 0);
}

static int
cb_boolean(void *ctx, int b)
{
	return value(ctx, b ? V_TRUE : V_OTHER, NULL, 0);
}

static int
cb_integer(void *ctx, long long n)
{
	struct scan	*s = ctx;

	if (s->depth == 1 && s->member != -1 &&
	    strcmp(members[s->member].name, "reason") == 0)
		s->reason = n;
	return value(ctx, V_INTEGER, NULL, 0);
}

static int
cb_double(void *ctx, double d)
{
	(void)d;
	return value(ctx, V_OTHER, NULL, 0);
}

static int
cb_string(void *ctx, const unsigned char *p, size_t len)
{
	return value(ctx, V_STRING, p, len);
}

static int
cb_start_map(void *ctx)
{
	return open_frame(ctx, V_OBJECT);
}

static int
cb_start_array(void *ctx)
{
	return open_frame(ctx, V_ARRAY);
}

static int
cb_map_key(void *ctx, const unsigned char *p, size_t len)
{
	struct scan	*s = ctx;
	struct frame	*f = &s->stack[s->depth - 1];
	char		*name, **nn;
	size_t		 i;

	if (memchr(p, '\0', len) != NULL)
		return fail(s, "a payload with a NUL in a member name", NULL);
	if ((name = strndup((const char *)p, len)) == NULL)
		return fail(s, "a payload: out of memory", NULL);
	for (i = 0; i < f->n; i++)
		if (strcmp(f->names[i], name) == 0) {
			fail(s, "a payload with the member \"%s\" twice", name);
			free(name);
			return 0;
		}
	if (f->n == PAYLOAD_MEMBERS_MAX ||
	    (nn = reallocarray(f->names, f->n + 1, sizeof(*nn))) == NULL) {
		free(name);
		return fail(s, "a payload with too many members", NULL);
	}
	f->names = nn;
	f->names[f->n++] = name;
	if (s->ids.in && s->depth == 3) {
		s->ids.key = strcmp(name, "type") == 0 ? 't' :
		    strcmp(name, "value") == 0 ? 'v' : 0;
		s->ids.bad |= s->ids.key == 0;
		return 1;
	}
	if (s->depth != 1)
		return 1;
	if ((i = member_index(name)) == NMEMBERS)
		return fail(s, "a payload with the member \"%s\", which no "
		    "request keyproc signs has", name);
	s->member = (int)i;
	s->seen |= 1U << i;
	return 1;
}

static const yajl_callbacks callbacks = {
	cb_null, cb_boolean, cb_integer, cb_double, NULL, cb_string,
	cb_start_map, cb_map_key, close_frame, cb_start_array, close_frame
};

/* The kind of request the members seen make, or -1 (reason in s). */
static int
classify(struct scan *s, struct payload *pl)
{
	size_t	 i;
	int	 kind = -1;
	char	 both[128];

	for (i = 0; i < NMEMBERS; i++) {
		if (!(s->seen & (1U << i)))
			continue;
		if (kind != -1 && (enum payload_kind)kind != members[i].kind) {
			snprintf(both, sizeof(both), "a payload that mixes %s "
			    "and %s", payload_name((enum payload_kind)kind),
			    payload_name(members[i].kind));
			fail(s, both, NULL);
			return -1;
		}
		kind = members[i].kind;
	}
	pl->kind = kind == -1 ? PAYLOAD_CHALLENGE : (enum payload_kind)kind;
	switch (pl->kind) {
	case PAYLOAD_ACCOUNT:
		pl->lookup = s->seen == 1U << member_index(
		    "onlyReturnExisting") && s->only_existing;
		break;
	case PAYLOAD_REVOKE:
		if (s->cert == NULL || s->reason_bad) {
			fail(s, s->cert == NULL ? "a revocation without a "
			    "certificate" : "a revocation whose reason is not "
			    "an integer", NULL);
			return -1;
		}
		pl->cert = s->cert;
		pl->reason = s->reason;
		s->cert = NULL;
		break;
	case PAYLOAD_DEACTIVATE:
		if (!s->deactivated) {
			fail(s, "an account update whose status is not "
			    "\"deactivated\"", NULL);
			return -1;
		}
		break;
	case PAYLOAD_ORDER:
		if (s->ids.bad || s->ids.n == 0) {
			fail(s, "a newOrder whose identifiers are not a list "
			    "of {\"type\": \"dns\" or \"ip\", \"value\"}, "
			    "each of the type its value is", NULL);
			return -1;
		}
		if (s->profile_bad) {
			fail(s, "a newOrder whose profile is not a string",
			    NULL);
			return -1;
		}
		pl->profile = s->profile;
		s->profile = NULL;
		pl->names = s->ids.names;
		pl->nnames = s->ids.n;
		s->ids.names = NULL;
		s->ids.n = 0;
		break;
	case PAYLOAD_FINALIZE:
		if (s->csr_bad || s->csr == NULL) {
			fail(s, "a finalize whose csr is not a string", NULL);
			return -1;
		}
		pl->csr = s->csr;
		s->csr = NULL;
		break;
	default:
		break;
	}
	return 0;
}

static void
ids_free(struct ids *ids)
{
	names_free(ids->names, ids->n);
	free(ids->value);
	memset(ids, 0, sizeof(*ids));
}

/*
 * Reads a payload: 0 with pl set (pl->cert to free with payload_free()),
 * or -1 with the reason in err.
 */
int
payload_read(const void *p, size_t len, struct payload *pl, char *err,
    size_t errlen)
{
	struct scan	 s;
	yajl_handle	 h;
	yajl_status	 st;
	unsigned char	*msg;
	char		*nl;
	int		 rc = -1;

	memset(pl, 0, sizeof(*pl));
	if (len == 0) {
		pl->kind = PAYLOAD_GET;
		return 0;
	}
	memset(&s, 0, sizeof(s));
	s.member = -1;
	s.err = err;
	s.errlen = errlen;
	err[0] = '\0';
	if ((h = yajl_alloc(&callbacks, NULL, &s)) == NULL) {
		snprintf(err, errlen, "a payload: out of memory");
		return -1;
	}
	st = yajl_parse(h, p, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st == yajl_status_ok)
		rc = classify(&s, pl);
	else if (err[0] == '\0') {
		/* yajl's message spans lines; the first says what. */
		msg = yajl_get_error(h, 0, p, len);
		if (msg != NULL && (nl = strchr((char *)msg, '\n')) != NULL)
			*nl = '\0';
		snprintf(err, errlen, "a payload that is not valid JSON (%s)",
		    msg != NULL ? (char *)msg : "parse error");
		yajl_free_error(h, msg);
	}
	while (s.depth > 0)
		frame_free(&s.stack[--s.depth]);
	free(s.cert);
	free(s.csr);
	free(s.profile);
	ids_free(&s.ids);
	yajl_free(h);
	return rc;
}

void
payload_free(struct payload *pl)
{
	free(pl->cert);
	free(pl->csr);
	free(pl->profile);
	names_free(pl->names, pl->nnames);
	memset(pl, 0, sizeof(*pl));
}

/*
 * The origin (RFC 6454) of an https URL, as "https://host:port" with the
 * host in lower case and the port always given; -1 for anything else.
 * A URL with user information is refused: ACME's have none, and it hides
 * the host from whoever reads the URL.
 */
int
url_origin(const char *url, char *out, size_t len)
{
	const char	*h, *e, *he, *c;
	char		 host[256];
	unsigned long	 port = 443;
	size_t		 i, n;

	if (strncasecmp(url, "https://", 8) != 0)
		return -1;
	h = url + 8;
	e = h + strcspn(h, "/?#");
	if (memchr(h, '@', e - h) != NULL)
		return -1;
	if (*h == '[') {
		if ((c = memchr(h, ']', e - h)) == NULL)
			return -1;
		he = c + 1;
	} else if ((he = memchr(h, ':', e - h)) == NULL)
		he = e;
	if (he < e) {
		if (*he != ':' || e - he < 2 || e - he > 6)
			return -1;
		for (port = 0, c = he + 1; c < e; c++) {
			if (*c < '0' || *c > '9')
				return -1;
			port = port * 10 + (unsigned long)(*c - '0');
		}
		if (port == 0 || port > 65535)
			return -1;
	}
	if ((n = he - h) == 0 || n >= sizeof(host))
		return -1;
	for (i = 0; i < n; i++) {
		if ((unsigned char)h[i] <= ' ' || (unsigned char)h[i] >= 0x7f ||
		    h[i] == '%')
			return -1;
		host[i] = h[i] >= 'A' && h[i] <= 'Z' ? h[i] - 'A' + 'a' : h[i];
	}
	host[n] = '\0';
	if ((size_t)snprintf(out, len, "https://%s:%lu", host, port) >= len)
		return -1;
	return 0;
}
