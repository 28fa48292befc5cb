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
 * A chained hash table of tokens.  The keys come from netproc (and so
 * from the CA), never from the network; a lookup with a name sent by a
 * client only walks one chain, so an unkeyed hash is enough.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "http.h"
#include "token.h"

#define TOKTAB_BUCKETS	4096	/* a power of two */

struct tok {
	struct tok	*next;
	size_t		 toklen;
	size_t		 kalen;
	char		*keyauth;	/* in data, after the token */
	char		 data[];
};

struct toktab {
	struct tok	*bucket[TOKTAB_BUCKETS];
	size_t		 count;
	size_t		 max;
};

/* FNV-1a */
static uint32_t
tok_hash(const char *s, size_t len)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h & (TOKTAB_BUCKETS - 1);
}

/*
 * A key authorization is token "." thumbprint (RFC 8555 8.1): base64url
 * and dots only, so it can never break the response it is sent in.
 */
int
keyauth_valid(const char *s, size_t len)
{
	const char	*dot, *end = s + len;

	if (len == 0 || len > HTTP_KEYAUTH_MAX)
		return 0;
	for (;;) {
		if ((dot = memchr(s, '.', end - s)) == NULL)
			return b64url_valid(s, end - s);
		if (!b64url_valid(s, dot - s))
			return 0;
		s = dot + 1;
	}
}

struct toktab *
toktab_new(size_t max)
{
	struct toktab	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->max = max == 0 || max > TOKTAB_MAX ? TOKTAB_MAX : max;
	return t;
}

void
toktab_free(struct toktab *t)
{
	struct tok	*e, *next;
	size_t		 i;

	if (t == NULL)
		return;
	for (i = 0; i < TOKTAB_BUCKETS; i++)
		for (e = t->bucket[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	free(t);
}

static struct tok **
tok_find(const struct toktab *t, const char *tok, size_t toklen)
{
	struct tok	**ep;

	ep = (struct tok **)&t->bucket[tok_hash(tok, toklen)];
	for (; *ep != NULL; ep = &(*ep)->next)
		if ((*ep)->toklen == toklen &&
		    memcmp((*ep)->data, tok, toklen) == 0)
			break;
	return ep;
}

/*
 * Publishes (or replaces) an answer.  -1 with EINVAL for a token or key
 * authorization that is not well formed, ENOSPC when the table is full.
 */
int
toktab_add(struct toktab *t, const char *tok, size_t toklen,
    const char *ka, size_t kalen)
{
	struct tok	**ep, *e;

	if (!http_token_valid(tok, toklen) || !keyauth_valid(ka, kalen)) {
		errno = EINVAL;
		return -1;
	}
	ep = tok_find(t, tok, toklen);
	if (*ep == NULL && t->count >= t->max) {
		errno = ENOSPC;
		return -1;
	}
	if ((e = malloc(sizeof(*e) + toklen + kalen)) == NULL)
		return -1;
	e->toklen = toklen;
	e->kalen = kalen;
	memcpy(e->data, tok, toklen);
	e->keyauth = e->data + toklen;
	memcpy(e->keyauth, ka, kalen);
	if (*ep != NULL) {
		e->next = (*ep)->next;
		free(*ep);
	} else {
		e->next = NULL;
		t->count++;
	}
	*ep = e;
	return 0;
}

/* Withdraws an answer: -1 with ENOENT if it was not published. */
int
toktab_del(struct toktab *t, const char *tok, size_t toklen)
{
	struct tok	**ep, *e;

	if (!http_token_valid(tok, toklen) ||
	    *(ep = tok_find(t, tok, toklen)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	e = *ep;
	*ep = e->next;
	free(e);
	t->count--;
	return 0;
}

/* The key authorization (not NUL-terminated) or NULL. */
const char *
toktab_get(const struct toktab *t, const char *tok, size_t toklen,
    size_t *kalen)
{
	struct tok	*e;

	if (!http_token_valid(tok, toklen) ||
	    (e = *tok_find(t, tok, toklen)) == NULL)
		return NULL;
	*kalen = e->kalen;
	return e->keyauth;
}

size_t
toktab_count(const struct toktab *t)
{
	return t->count;
}
