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
 * The names of a certificate as they travel in a message: one string,
 * names separated by '\n'.  keyproc checks them again, since they reach
 * a CSR that a CA will read.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "ident.h"

/*
 * 1 for a name acmed may ask for: an IP address in the one text form
 * (ident.h), or a DNS name: letters, digits, '-' and '.', a leading "*."
 * for a wildcard, no empty label, at most 253 bytes.
 */
int
name_valid(const char *name)
{
	const char	*p = name;
	size_t		 label = 0;

	if (ident_is_ip(name))
		return 1;
	if (strncmp(p, "*.", 2) == 0)
		p += 2;
	if (*p == '\0' || strlen(name) > NAME_LEN_MAX)
		return 0;
	for (; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0;
}

/* A bounded copy for error messages: no control bytes reach a log. */
void
printable(const char *s, char *out, size_t len)
{
	size_t	 i;

	for (i = 0; s[i] != '\0' && i + 4 < len; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] != '\0') {
		memcpy(out + i, "...", 4);
		return;
	}
	out[i] = '\0';
}

void
names_free(char **names, size_t n)
{
	size_t	 i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Splits "a\nb\nc" into 1..NAMES_MAX valid names. */
int
names_parse(const char *s, char ***namesp, size_t *np)
{
	char		**names;
	const char	*p, *e;
	char		 shown[84];
	size_t		 n = 0, i;

	*namesp = NULL;
	*np = 0;
	for (p = s, i = 1; *p != '\0'; p++)
		if (*p == '\n')
			i++;
	if (i > NAMES_MAX) {
		crypto_seterr("%zu names (at most %d)", i, NAMES_MAX);
		return -1;
	}
	if ((names = calloc(i, sizeof(*names))) == NULL) {
		crypto_seterr("out of memory");
		return -1;
	}
	for (p = s; ; p = e + 1) {
		if ((e = strchr(p, '\n')) == NULL)
			e = p + strlen(p);
		if ((names[n] = strndup(p, e - p)) == NULL) {
			crypto_seterr("out of memory");
			goto fail;
		}
		n++;
		if (!name_valid(names[n - 1])) {
			printable(names[n - 1], shown, sizeof(shown));
			crypto_seterr("name %zu \"%s\" is neither a valid "
			    "DNS name nor an IP address", n, shown);
			goto fail;
		}
		if (*e == '\0')
			break;
	}
	*namesp = names;
	*np = n;
	return 0;
 fail:
	names_free(names, n);
	return -1;
}
