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
 * A payload netproc asks keyproc to sign, read far enough to say which
 * ACME request it is and, for the requests a policy judges by what they
 * are about, what that is (a newOrder's names, a finalize's CSR, a
 * revocation's certificate); and the origin of a URL, which ties a
 * request to its authority.
 */
#ifndef ACMED_KEYPROC_PAYLOAD_H
#define ACMED_KEYPROC_PAYLOAD_H

#include <stddef.h>

enum payload_kind {
	PAYLOAD_GET,		/* empty: POST-as-GET */
	PAYLOAD_ACCOUNT,	/* newAccount, account update */
	PAYLOAD_ORDER,		/* newOrder */
	PAYLOAD_FINALIZE,
	PAYLOAD_CHALLENGE,	/* {} */
	PAYLOAD_REVOKE,
	PAYLOAD_DEACTIVATE,
	PAYLOAD_KEY_CHANGE,
	PAYLOAD_MAX
};

struct payload {
	enum payload_kind kind;
	int		 lookup;	/* only {"onlyReturnExisting": true} */
	char		*cert;		/* a revocation's certificate */
	long long	 reason;	/* and its reason (0 if none) */
	char		*csr;		/* a finalize's CSR, base64url */
	char		**names;	/* a newOrder's identifiers' values */
	char		*profile;	/* a newOrder's profile, or NULL */
	size_t		 nnames;
};

int		 payload_read(const void *, size_t, struct payload *, char *,
		    size_t);
void		 payload_free(struct payload *);
const char	*payload_name(enum payload_kind);
int		 url_origin(const char *, char *, size_t);

#endif
