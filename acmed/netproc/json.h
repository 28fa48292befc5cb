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
 * Helpers shared by the JSON parsers (json.c) and builders (json_gen.c):
 * reading typed fields out of a yajl tree with bounds and messages.
 */
#ifndef ACMED_JSON_H
#define ACMED_JSON_H

#include <stddef.h>
#include <time.h>

#include <yajl/yajl_tree.h>

void		 json_err(char *, size_t, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
yajl_val	 json_parse(const void *, size_t, const char *, char *,
		    size_t);
yajl_val	 json_get(yajl_val, const char *);
int		 json_str(yajl_val, const char *, int, const char *, char **,
		    char *, size_t);
int		 json_url(yajl_val, const char *, int, const char *, char **,
		    char *, size_t);
int		 json_bool(yajl_val, const char *, int, const char *, int *,
		    char *, size_t);
int		 json_is_https(const char *);
int		 json_rfc3339(const char *, time_t *);

#endif
