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
