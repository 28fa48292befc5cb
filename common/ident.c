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
 * DNS and IP identifiers (ident.h).  The parent checks the configured
 * names with these, keyproc the names it signs for, netproc what it
 * orders and what the authority answers, and the certificate checks the
 * subjectAltNames: each the same way.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>
#include <strings.h>

#include "ident.h"

/*
 * If s is an IP address in any text form inet_pton(3) reads, its text in
 * the one form (RFC 5952) in out and 0; -1 if it is none.
 */
int
ident_ip_canon(const char *s, char *out, size_t len)
{
	unsigned char	 bin[IDENT_IP_BIN_MAX];
	size_t		 n;

	if (ident_ip_bin(s, bin, &n) == -1)
		return -1;
	return ident_ip_text(bin, n, out, len);
}

/* 1 if s is an IP address written in the one form, else 0. */
int
ident_is_ip(const char *s)
{
	char	 canon[IDENT_IP_TEXT_MAX];

	return ident_ip_canon(s, canon, sizeof(canon)) == 0 &&
	    strcmp(s, canon) == 0;
}

/* The identifier type of an order for name: "ip" or "dns". */
const char *
ident_type(const char *name)
{
	return ident_is_ip(name) ? "ip" : "dns";
}

/* The 4 or 16 octets of the address s in bin, their number in *n. */
int
ident_ip_bin(const char *s, unsigned char *bin, size_t *n)
{
	if (inet_pton(AF_INET, s, bin) == 1) {
		*n = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, bin) == 1) {
		*n = 16;
		return 0;
	}
	return -1;
}

/*
 * The text of an address of 4 or 16 octets (an iPAddress subjectAltName);
 * -1 for another length.  glibc writes IPv6 as RFC 5952 asks: lower case,
 * no leading zeros, the longest run of two or more zero fields (the
 * first of equal ones) as "::".
 */
int
ident_ip_text(const unsigned char *bin, size_t n, char *out, size_t len)
{
	int	 af;

	if (n == 4)
		af = AF_INET;
	else if (n == 16)
		af = AF_INET6;
	else
		return -1;
	return inet_ntop(af, bin, out, len) == NULL ? -1 : 0;
}

/*
 * 1 if the identifier (type, value), as an authority writes one, is the
 * name ordered: a DNS name in any case, an address in any text form.
 */
int
ident_same(const char *name, const char *type, const char *value)
{
	unsigned char	 a[IDENT_IP_BIN_MAX], b[IDENT_IP_BIN_MAX];
	size_t		 na, nb;

	if (strcmp(type, ident_type(name)) != 0)
		return 0;
	if (strcmp(type, "dns") == 0)
		return strcasecmp(name, value) == 0;
	return ident_ip_bin(name, a, &na) == 0 &&
	    ident_ip_bin(value, b, &nb) == 0 && na == nb &&
	    memcmp(a, b, na) == 0;
}
