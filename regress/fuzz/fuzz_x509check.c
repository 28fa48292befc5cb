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
 * The chain an authority sends reaches the parent's leaf check
 * (x509check.c) through netproc, so it is untrusted input.  The first
 * byte picks how the rest is fed: as PEM text, or as DER wrapped in
 * PEM armour (so the certificate parser itself sees the bytes), split
 * into up to three certificates.  The same bytes go through the
 * parent's chain reader with its cache of intermediates (kept across
 * inputs) and through netproc's index of a CA bundle (castore.c).
 * keyproc's name list parser gets the bytes as a string too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "x509check.h"
#include "acmed/netproc/castore.h"
#include "keyproc/crypto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static EVP_PKEY	*key;
static struct x509_cache cache;

static void
check(const void *pem, size_t len)
{
	char		*names[] = { "example.org", "www.example.org" };
	char		 msg[256];
	X509		*certs[CHAIN_CERTS_MAX];
	struct castore	*cs;
	time_t		 nb, na;
	int		 prov, n, same;

	(void)x509_check_chain(pem, len, key, names, 2, &nb, &na, msg,
	    sizeof(msg));
	if (memchr(msg, '\0', sizeof(msg)) == NULL)
		__builtin_trap();
	(void)x509_leaf_info(pem, len, &nb, &na, &prov, NULL, 0, NULL);
	(void)x509_leaf_info(pem, len, &nb, &na, &prov, names, 2, &same);

	(void)x509_chain_read(pem, len, certs, &n, &cache, msg, sizeof(msg));
	while (n > 0)
		X509_free(certs[--n]);
	if ((cs = castore_new(pem, len, msg, sizeof(msg))) != NULL) {
		if (castore_count(cs) == 0)
			__builtin_trap();
		castore_free(cs);
	} else if (memchr(msg, '\0', sizeof(msg)) == NULL)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	BIO	*bio;
	char	*s, *p, **names;
	long	 len;
	size_t	 n, part, i;

	if (key == NULL && (key = key_generate(KEY_ECDSA, 256)) == NULL)
		abort();
	if (size == 0 || size > CHAIN_PEM_MAX / 2)
		return 0;
	if (data[0] & 1) {
		if ((bio = BIO_new(BIO_s_mem())) == NULL)
			abort();
		part = (size - 1) / 3 + 1;
		for (i = 1; i < size; i += part)
			PEM_write_bio(bio, "CERTIFICATE", "", data + i,
			    (long)(size - i < part ? size - i : part));
		if ((len = BIO_get_mem_data(bio, &p)) > 0)
			check(p, (size_t)len);
		BIO_free(bio);
	} else
		check(data + 1, size - 1);

	if ((s = strndup((const char *)data + 1, size - 1)) == NULL)
		abort();
	if (names_parse(s, &names, &n) == 0) {
		if (n == 0 || n > NAMES_MAX)
			__builtin_trap();
		for (i = 0; i < n; i++)
			if (!name_valid(names[i]))
				__builtin_trap();
		names_free(names, n);
	}
	free(s);
	return 0;
}
