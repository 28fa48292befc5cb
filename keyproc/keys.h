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
 * The keys keyproc holds, known by the number the parent gives each, and
 * what comes with a key: why it did not load, its signing context, an
 * account's external account binding, what it may sign for netproc.
 */
#ifndef ACMED_KEYPROC_KEYS_H
#define ACMED_KEYPROC_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "policy.h"

/* An account's external account binding. */
struct eab {
	char		*kid;		/* the authority's key id; NULL: none */
	unsigned char	*mac;		/* NULL: see error */
	size_t		 maclen;
	char		*error;		/* why the MAC key could not be read */
};

struct key {
	uint32_t	 id;
	EVP_PKEY	*pkey;		/* NULL: see error */
	EVP_PKEY_CTX	*signer;	/* JWS signing context, made on use */
	char		*error;		/* why the key could not be loaded */
	struct eab	 eab;		/* an account key's binding */
	struct policy	 pol;		/* what it signs for netproc */
};

struct key	*key_find(uint32_t);
struct policy	*key_policy_at(size_t);
struct key	*key_slot(uint32_t);
int		 key_store(uint32_t, EVP_PKEY *, const char *);
void		 eab_store(uint32_t, char *, unsigned char *, size_t,
		    const char *);
int		 key_drop(uint32_t);
size_t		 keys_held(void);
void		 keys_free(void);
EVP_PKEY	*key_get(uint32_t, char *, size_t);

#endif
