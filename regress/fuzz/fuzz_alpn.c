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
 * libFuzzer target: what challenged reads of a ClientHello on its
 * tls-alpn-01 listeners, the server_name and ALPN extensions' bodies
 * (the first input byte picks which, the rest is the body), and the
 * name an identifier is asked for by.  Besides what ASan and UBSan
 * catch, it checks that a server name read is a terminated, lower-case
 * DNS name within its bound and is the name of itself, and that the ALPN
 * verdict agrees with a plain walk of the list.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "challenged/alpn.h"

static void
check_name(const char *name)
{
	size_t	 i, len = strnlen(name, ALPN_SNI_MAX + 1);
	char	 again[ALPN_SNI_MAX + 1];

	if (len == 0 || len > ALPN_SNI_MAX)
		__builtin_trap();
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
		    name[i] == '.'))
			__builtin_trap();
	/* A DNS name asks for itself; an address's own name is not one. */
	if (alpn_sni_of(name, again, sizeof(again)) == 0 &&
	    strchr(name, ':') == NULL && strcmp(again, name) != 0 &&
	    strstr(again, ".arpa") == NULL)
		__builtin_trap();
}

/* 1 if the list is well formed and names acme-tls/1. */
static int
plain_offers(const uint8_t *p, size_t len)
{
	size_t	 off, n;
	int	 found = 0;

	if (len < 3 || ((size_t)p[0] << 8 | p[1]) != len - 2)
		return 0;
	for (off = 2; off < len; off += 1 + n) {
		n = p[off];
		if (n == 0 || off + 1 + n > len)
			return 0;
		if (n == 10 && memcmp(p + off + 1, "acme-tls/1", 10) == 0)
			found = 1;
	}
	return found;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 name[ALPN_SNI_MAX + 1], *s;
	int	 r;

	if (size < 1 || size - 1 > ALPN_EXT_MAX)
		return 0;
	switch (data[0] % 3) {
	case 0:
		memset(name, 'X', sizeof(name));
		if (alpn_sni_name(data + 1, size - 1, name, sizeof(name)) == 0)
			check_name(name);
		break;
	case 1:
		r = alpn_offers_acme(data + 1, size - 1);
		if (r != plain_offers(data + 1, size - 1))
			__builtin_trap();
		break;
	default:
		if ((s = malloc(size)) == NULL)
			return 0;
		memcpy(s, data + 1, size - 1);
		s[size - 1] = '\0';
		if (alpn_sni_of(s, name, sizeof(name)) == 0)
			check_name(name);
		free(s);
		break;
	}
	return 0;
}
