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
 * Checks on certificates that both the parent (before it installs a
 * chain, when it reads the certificate on disk) and keyproc need, and the
 * renewal information id (RFC 9773) the parent and netproc both use.
 */
#ifndef ACMED_X509CHECK_H
#define ACMED_X509CHECK_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* Subject and issuer CN of the provisional self-signed certificate. */
#define PROVISIONAL_CN_PREFIX	"acmed provisional "

#define CHAIN_PEM_MAX		(256 * 1024)
#define CHAIN_CERTS_MAX		10

int		 cert_lifetime_max(time_t, const char **);
int		 cert_is_provisional(X509 *);
int		 x509_times(X509 *, time_t *, time_t *);
int		 x509_leaf_info(const void *, size_t, time_t *, time_t *,
		    int *, char *const *, size_t, int *);
/* Certificates after the leaf already parsed, by their DER. */
#define X509_CACHE_MAX		4
struct x509_cache {
	X509		*x[X509_CACHE_MAX];
	unsigned char	*der[X509_CACHE_MAX];
	long		 len[X509_CACHE_MAX];
	size_t		 next;
};

int		 pem_at_end(void);
int		 x509_der_key_is(const unsigned char *, size_t,
		    const unsigned char *, size_t);
int		 x509_chain_read(const void *, size_t, X509 **, int *,
		    struct x509_cache *, char *, size_t);
void		 x509_cache_free(struct x509_cache *);
int		 x509_check_certs(X509 *const *, int, const unsigned char *,
		    size_t, char *const *, size_t, time_t *, time_t *, char *,
		    size_t);
int		 x509_check_issued(X509 *const *, int, char *, size_t);
char		*x509_ari_id(const void *, size_t);
int		 x509_check_chain(const void *, size_t, EVP_PKEY *,
		    char *const *, size_t, time_t *, time_t *, char *, size_t);

#endif
