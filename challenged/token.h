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
 * The published http-01 answers: token -> key authorization, in memory
 * only, with a bound on the number of entries and on every length.
 */
#ifndef ACMED_TOKEN_H
#define ACMED_TOKEN_H

#include <stddef.h>

#define TOKTAB_MAX	10000	/* published tokens at once */

struct toktab;

struct toktab	*toktab_new(size_t);
void		 toktab_free(struct toktab *);
int		 toktab_add(struct toktab *, const char *, size_t,
		    const char *, size_t);
int		 toktab_del(struct toktab *, const char *, size_t);
const char	*toktab_get(const struct toktab *, const char *, size_t,
		    size_t *);
size_t		 toktab_count(const struct toktab *);
int		 keyauth_valid(const char *, size_t);

#endif
