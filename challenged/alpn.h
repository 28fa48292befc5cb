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
 * The published tls-alpn-01 answers (RFC 8737, RFC 8738 6): for each
 * identifier, the name a validation server sends as its SNI and a
 * self-signed certificate with the acmeIdentifier extension, in memory
 * only; and the readers of the two ClientHello extensions challenged
 * looks at, with no socket in sight so that tests and fuzzers can drive
 * them directly.
 */
#ifndef ACMED_ALPN_H
#define ACMED_ALPN_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

#define ALPN_PROTO		"acme-tls/1"
#define ALPNTAB_MAX		1000	/* identifiers published at once */
#define ALPN_SNI_MAX		MSG_NAME_MAX	/* a host_name in text */
#define ALPN_EXT_MAX		65535	/* a TLS extension's body */

struct alpntab;
struct alpn_answer;

struct alpntab	*alpntab_new(size_t);
void		 alpntab_free(struct alpntab *);
int		 alpntab_add(struct alpntab *, const char *, const char *);
int		 alpntab_del(struct alpntab *, const char *);
const struct alpn_answer *alpntab_get(const struct alpntab *, const char *);
size_t		 alpntab_count(const struct alpntab *);
void		*alpn_answer_cert(const struct alpn_answer *);
void		*alpn_answer_key(const struct alpn_answer *);

int		 alpn_sni_name(const uint8_t *, size_t, char *, size_t);
int		 alpn_offers_acme(const uint8_t *, size_t);
int		 alpn_sni_of(const char *, char *, size_t);

#endif
