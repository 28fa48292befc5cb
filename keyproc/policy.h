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

/* One operation the parent authorised, until it withdraws it. */
struct allow {
	enum key_op	 op;
	uint32_t	 other;		/* key change: the new key */
	char		*cert;		/* revocation: base64url of the leaf */
	int		 left;		/* signatures it may still make */
};

struct policy {
	enum key_role	 role;		/* KEY_ROLE_NONE: signs nothing */
	uint32_t	 authid;
	char		*authority;	/* its name, for the log */
	char		*origin;	/* of its directory URL */
	char		**names;	/* a domain key's names */
	size_t		 nnames;
	struct allow	*allows;
	size_t		 nallows;
};

int	 policy_set_role(struct policy *, enum key_role, uint32_t,
	    const char *, const char *, const char *, char *, size_t);
int	 policy_allow(struct policy *, enum key_op, uint32_t, const void *,
	    size_t, char *, size_t);
int	 policy_withdraw(struct policy *, enum key_op, uint32_t, const void *,
	    size_t);
void	 policy_clear(struct policy *);
void	 policy_describe(const struct policy *, char *, size_t);

int	 policy_sign(struct policy *, const char *, const char *,
	    const void *, size_t, char *, size_t);
int	 policy_csr(const struct policy *, char *const *, size_t, char *,
	    size_t);
int	 policy_eab(const struct policy *, const char *, char *, size_t);
int	 policy_key_change(struct policy *, const struct policy *, uint32_t,
	    const char *, const char *, char *, size_t);

#endif
