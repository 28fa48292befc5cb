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
 * What netproc needs to know of a chain it downloaded: the issuer of its
 * topmost certificate, to pick among alternate chains.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "netproc.h"

#define CHAIN_SCAN_MAX	10

char *
chain_top_issuer(const char *pem, size_t len)
{
	BIO	*bio;
	X509	*x, *last = NULL;
	char	 cn[256];
	char	*res = NULL;
	int	 n = 0;

	if (len > INT_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	while (n++ < CHAIN_SCAN_MAX &&
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		X509_free(last);
		last = x;
	}
	BIO_free(bio);
	if (last != NULL && X509_NAME_get_text_by_NID(
	    X509_get_issuer_name(last), NID_commonName, cn, sizeof(cn)) > 0)
		res = strdup(cn);
	X509_free(last);
	return res;
}
