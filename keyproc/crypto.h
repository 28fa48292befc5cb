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
 * keyproc's cryptography: keys, the JWK and its thumbprint, JWS for ACME,
 * CSRs and the provisional self-signed certificate.  Pure functions over
 * libcrypto; nothing here reads a file by name or touches the network.
 *
 * Every function returns NULL or -1 on failure and leaves a one-line reason
 * in crypto_error(), which keyproc sends back to whoever asked.
 */
#ifndef ACMED_KEYPROC_CRYPTO_H
#define ACMED_KEYPROC_CRYPTO_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <yajl/yajl_gen.h>

#include "keytype.h"
#include "msg.h"

#define KEY_PEM_MAX		(64 * 1024)	/* a key file, read from a fd */
#define MAC_KEY_MAX		4096		/* an EAB MAC key file, base64url */
#define NAMES_MAX		MSG_NAMES_COUNT	/* names in one certificate */
#define NAME_LEN_MAX		MSG_NAME_MAX	/* one DNS name */
#define CERT_DAYS_MAX		3650		/* provisional certificate */

const char	*crypto_error(void);
void		 crypto_seterr(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));

/* key.c */
EVP_PKEY	*key_from_pem(const void *, size_t, const char *);
EVP_PKEY	*key_from_fd(int, const char *);
EVP_PKEY	*key_generate(enum keytype, int);
int		 key_acceptable(EVP_PKEY *, const char *);
int		 key_matches(EVP_PKEY *, enum keytype, int);
char		*key_to_pem(EVP_PKEY *, size_t *);
void		 secret_free(void *, size_t);
unsigned char	*secret_read(int, const char *, size_t, size_t *);
const char	*key_alg(EVP_PKEY *);
int		 mac_key_from_fd(int, const char *, unsigned char **,
		    size_t *);
void		 key_describe(EVP_PKEY *, char *, size_t);

/* jwk.c */
int		 gen_string(yajl_gen, const char *);
int		 jwk_gen(yajl_gen, EVP_PKEY *);
char		*jwk_json(EVP_PKEY *);
char		*jwk_thumbprint(EVP_PKEY *);

/* jws.c */
char		*jws_sign(EVP_PKEY *, EVP_PKEY_CTX **, const char *,
		    const char *, const char *, const void *, size_t, size_t *);

/* The three base64url parts of a JWS in the flattened serialisation. */
struct jws_parts {
	char	*protected;
	char	*payload;
	char	*signature;
};
int		 jws_eab(EVP_PKEY *, const char *, const unsigned char *,
		    size_t, const char *, struct jws_parts *);
char		*jws_key_change(EVP_PKEY *, EVP_PKEY *, EVP_PKEY_CTX **,
		    const char *, const char *, size_t *);
void		 jws_parts_free(struct jws_parts *);

/* names.c */
int		 names_parse(const char *, char ***, size_t *);
void		 names_free(char **, size_t);
int		 name_valid(const char *);
void		 printable(const char *, char *, size_t);

/* csr.c */
GENERAL_NAMES	*san_build(char *const *, size_t);
int		 pubkey_set(X509_PUBKEY *, EVP_PKEY *);
int		 pubkey_der(EVP_PKEY *, unsigned char **);
int		 subject_cn(X509_NAME *, const char *, const char *);
int		 csr_build(EVP_PKEY *, char *const *, size_t, unsigned char **,
		    size_t *);

/* selfsign.c */
char		*selfsigned_pem(EVP_PKEY *, char *const *, size_t, int,
		    size_t *);

#endif
