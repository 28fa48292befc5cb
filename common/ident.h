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
 * The identifiers a certificate names (RFC 8555, RFC 8738): a DNS name, or
 * an IP address.  An address travels, is compared and is shown in one
 * text form, RFC 5952's for IPv6 and dotted decimal for IPv4, so that
 * the text alone says which type a name is: a DNS name acmed accepts
 * never reads as an address (its last label is not numeric).
 */
#ifndef ACMED_IDENT_H
#define ACMED_IDENT_H

#include <stddef.h>

#define IDENT_IP_TEXT_MAX	46	/* INET6_ADDRSTRLEN, with the NUL */
#define IDENT_IP_BIN_MAX	16	/* an IPv6 address's octets */

int		 ident_ip_canon(const char *, char *, size_t);
int		 ident_is_ip(const char *);
const char	*ident_type(const char *);
int		 ident_ip_bin(const char *, unsigned char *, size_t *);
int		 ident_ip_text(const unsigned char *, size_t, char *, size_t);
int		 ident_same(const char *, const char *, const char *);

#endif
