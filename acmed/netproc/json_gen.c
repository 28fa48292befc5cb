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
 * JSON request bodies for the ACME server, built with yajl_gen so that
 * every value is escaped (and checked for valid UTF-8) by the generator,
 * never by a format string; and the one-line text of a problem document
 * for logs.
 */
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "acme.h"
#include "base64.h"
#include "buf.h"
#include "ident.h"

#define PROBLEM_TEXT_MAX	4096
#define ACME_ERROR_PREFIX	"urn:ietf:params:acme:error:"

#define G(x)	do { if ((x) != yajl_gen_status_ok) goto fail; } while (0)

static yajl_gen_status
gen_str(yajl_gen g, const char *s)
{
	return yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static yajl_gen
gen_new(void)
{
	yajl_gen	 g;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return NULL;
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	return g;
}

/* The generated text as a C string, and the generator freed. */
static char *
gen_done(yajl_gen g)
{
	const unsigned char	*p;
	size_t			 len;
	char			*s = NULL;

	if (yajl_gen_get_buf(g, &p, &len) == yajl_gen_status_ok &&
	    (s = malloc(len + 1)) != NULL) {
		memcpy(s, p, len);
		s[len] = '\0';
	}
	yajl_gen_free(g);
	return s;
}

/*
 * newAccount: only_existing looks an account up by its key; otherwise the
 * terms of service are agreed to, with the contact and the external
 * account binding if given.
 */
char *
acme_req_new_account(const char *contact, int only_existing,
    const struct acme_eab *eab)
{
	yajl_gen	 g;
	char		*mailto = NULL;

	if ((g = gen_new()) == NULL)
		return NULL;
	G(yajl_gen_map_open(g));
	if (only_existing) {
		G(gen_str(g, "onlyReturnExisting"));
		G(yajl_gen_bool(g, 1));
	} else {
		G(gen_str(g, "termsOfServiceAgreed"));
		G(yajl_gen_bool(g, 1));
		if (contact != NULL && contact[0] != '\0') {
			if (strncmp(contact, "mailto:", 7) == 0)
				mailto = strdup(contact);
			else if (asprintf(&mailto, "mailto:%s", contact) == -1)
				mailto = NULL;
			if (mailto == NULL)
				goto fail;
			G(gen_str(g, "contact"));
			G(yajl_gen_array_open(g));
			G(gen_str(g, mailto));
			G(yajl_gen_array_close(g));
		}
		if (eab != NULL) {
			G(gen_str(g, "externalAccountBinding"));
			G(yajl_gen_map_open(g));
			G(gen_str(g, "protected"));
			G(gen_str(g, eab->protected));
			G(gen_str(g, "payload"));
			G(gen_str(g, eab->payload));
			G(gen_str(g, "signature"));
			G(gen_str(g, eab->signature));
			G(yajl_gen_map_close(g));
		}
	}
	G(yajl_gen_map_close(g));
	free(mailto);
	return gen_done(g);
 fail:
	free(mailto);
	yajl_gen_free(g);
	return NULL;
}

char *
acme_req_new_order(const char *const *names, size_t n, const char *replaces,
    const char *profile)
{
	yajl_gen	 g;
	size_t		 i;

	if (n == 0 || n > ACME_MAX_AUTHZ)
		return NULL;
	if ((g = gen_new()) == NULL)
		return NULL;
	G(yajl_gen_map_open(g));
	G(gen_str(g, "identifiers"));
	G(yajl_gen_array_open(g));
	for (i = 0; i < n; i++) {
		if (names[i] == NULL)
			goto fail;
		G(yajl_gen_map_open(g));
		G(gen_str(g, "type"));
		G(gen_str(g, ident_type(names[i])));
		G(gen_str(g, "value"));
		G(gen_str(g, names[i]));
		G(yajl_gen_map_close(g));
	}
	G(yajl_gen_array_close(g));
	if (replaces != NULL) {
		G(gen_str(g, "replaces"));
		G(gen_str(g, replaces));
	}
	if (profile != NULL) {
		G(gen_str(g, "profile"));
		G(gen_str(g, profile));
	}
	G(yajl_gen_map_close(g));
	return gen_done(g);
 fail:
	yajl_gen_free(g);
	return NULL;
}

/*
 * {"KEY": base64url(der)}: finalize's CSR, revokeCert's certificate,
 * with "reason" if reason is not -1.
 */
static char *
req_der(const char *key, const void *der, size_t len, long long reason)
{
	yajl_gen	 g;
	char		*b64;

	if (der == NULL || len == 0)
		return NULL;
	if ((b64 = b64url_encode(der, len)) == NULL)
		return NULL;
	if ((g = gen_new()) == NULL) {
		free(b64);
		return NULL;
	}
	G(yajl_gen_map_open(g));
	G(gen_str(g, key));
	G(gen_str(g, b64));
	if (reason != -1) {
		G(gen_str(g, "reason"));
		G(yajl_gen_integer(g, reason));
	}
	G(yajl_gen_map_close(g));
	free(b64);
	return gen_done(g);
 fail:
	free(b64);
	yajl_gen_free(g);
	return NULL;
}

char *
acme_req_finalize(const void *der, size_t len)
{
	return req_der("csr", der, len, -1);
}

/*
 * RFC 8555 section 7.6, with its reason (RFC 5280 section 5.3.1), given
 * even when unspecified: keyproc signs a reason the parent authorised.
 */
char *
acme_req_revoke(const void *der, size_t len, unsigned int reason)
{
	return req_der("certificate", der, len, reason);
}

/* RFC 8555 section 7.3.6. */
char *
acme_req_deactivate(void)
{
	return strdup("{\"status\":\"deactivated\"}");
}

/*
 * Appends s, or as much of it as fits without cutting a character.  The
 * strings of a problem were cleaned as they were read (json.c): only
 * whole characters of valid UTF-8 are left to keep whole.
 */
static void
text_add(struct buf *b, const char *s)
{
	size_t	 n = strlen(s);

	if (n > b->max - b->len) {
		n = b->max - b->len;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	(void)buf_add(b, s, n);
}

/* "type: detail", the ACME prefix cut from type, no detail if empty. */
static void
text_type(struct buf *b, const char *type, const char *detail)
{
	if (type != NULL && strncmp(type, ACME_ERROR_PREFIX,
	    strlen(ACME_ERROR_PREFIX)) == 0)
		type += strlen(ACME_ERROR_PREFIX);
	text_add(b, type != NULL ? type : "about:blank");
	if (detail != NULL && detail[0] != '\0') {
		text_add(b, ": ");
		text_add(b, detail);
	}
}

char *
acme_problem_text(const struct acme_problem *p)
{
	struct buf	 b;
	size_t		 i;
	char		*s;

	buf_init(&b, PROBLEM_TEXT_MAX);
	if (p == NULL)
		text_add(&b, "no problem document");
	else {
		text_type(&b, p->type, p->detail);
		if (p->instance != NULL) {
			text_add(&b, "; see ");
			text_add(&b, p->instance);
		}
		if (p->terms != NULL) {
			text_add(&b, "; terms of service: ");
			text_add(&b, p->terms);
		}
		for (i = 0; i < p->nsub; i++) {
			text_add(&b, " (");
			if (p->sub[i].identifier != NULL) {
				text_add(&b, p->sub[i].identifier);
				text_add(&b, ": ");
			}
			text_type(&b, p->sub[i].type, p->sub[i].detail);
			text_add(&b, ")");
		}
	}
	if ((s = buf_release(&b, NULL)) == NULL)
		buf_free(&b);
	return s;
}
