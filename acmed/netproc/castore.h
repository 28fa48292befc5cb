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
 * An authority's trusted certificates for netproc's TLS contexts, parsed
 * only when a verification needs them (castore.c).
 */
#ifndef ACMED_CASTORE_H
#define ACMED_CASTORE_H

#include <stddef.h>

#include <openssl/ssl.h>

struct castore;

struct castore	*castore_new(const char *, size_t, char *, size_t);
size_t		 castore_count(const struct castore *);
int		 castore_attach(struct castore *, SSL_CTX *);
void		 castore_free(struct castore *);

#endif
