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
 * What each key may sign for netproc: the role the parent gave it, the
 * operations the parent authorised it for, and the checks keyproc makes
 * against both before it signs anything netproc asks for.  Every check
 * that refuses leaves the reason, worded to follow "refused to sign",
 * in the buffer it is given.
 */
#ifndef ACMED_KEYPROC_POLICY_H
#define ACMED_KEYPROC_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "keytype.h"

#define POLICY_ALLOWS_MAX	4096	/* authorisations one key holds */
#define POLICY_CSRS_MAX		4	/* CSRs a domain key remembers */

/* One operation the parent authorised, until it withdraws it. */
struct allow {
	enum key_op	 op;
	uint32_t	 other;		/* key change: the new key */
	char		*cert;		/* base64url of the revocation's leaf,
					   the deactivation's account URL */
	int		 left;		/* signatures it may still make */
};

/* A CSR keyproc made with a domain key, which a finalize may carry. */
struct made_csr {
	char		*b64;		/* base64url of its DER, as sent */
	int		 left;		/* finalize signatures it may yet get */
};

struct policy {
	enum key_role	 role;		/* KEY_ROLE_NONE: signs nothing */
	uint32_t	 authid;
	char		*authority;	/* its name, for the log */
	char		*origin;	/* of its directory URL */
	char		**names;	/* a domain key's names */
	size_t		 nnames;
	char		*profile;	/* a domain key's profile, or NULL */
	struct allow	*allows;
	size_t		 nallows;
	struct made_csr	 csrs[POLICY_CSRS_MAX];	/* a domain key's */
	size_t		 ncsrs;
};

/*
 * The policy of each key keyproc holds, by index from 0 (NULL past the
 * last): a request signed by one key may be judged by another's, as a
 * finalize by the domain key that made its CSR.
 */
typedef struct policy *(*policy_at)(size_t);

int	 policy_set_role(struct policy *, enum key_role, uint32_t,
	    const char *, const char *, const char *, char *, size_t);
int	 policy_set_profile(struct policy *, const char *, char *, size_t);
int	 policy_allow(struct policy *, enum key_op, uint32_t, const void *,
	    size_t, char *, size_t);
int	 policy_withdraw(struct policy *, enum key_op, uint32_t, const void *,
	    size_t);
void	 policy_clear(struct policy *);
void	 policy_describe(const struct policy *, char *, size_t);

int	 policy_sign(struct policy *, policy_at, const char *, const char *,
	    const void *, size_t, char *, size_t);
int	 policy_csr(const struct policy *, char *const *, size_t, char *,
	    size_t);
int	 policy_csr_made(struct policy *, const void *, size_t);
int	 policy_eab(const struct policy *, const char *, char *, size_t);
int	 policy_key_change(struct policy *, const struct policy *, uint32_t,
	    const char *, const char *, char *, size_t);

#endif
