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
 * Key types shared by the parent (configuration) and keyproc (generation
 * and checks).  The numbers travel in messages, so they never change.
 */
#ifndef ACMED_KEYTYPE_H
#define ACMED_KEYTYPE_H

enum keytype {
	KEY_ECDSA = 0,		/* bits: 256 (default) or 384 */
	KEY_RSA = 1,		/* bits: 2048, 3072 (default for rsa), 4096 */
	KEY_MAX
};

#define KEY_ECDSA_DEFAULT_BITS	256
#define KEY_RSA_DEFAULT_BITS	3072

/*
 * What a key is, which decides what keyproc signs with it for netproc
 * (MSG_KEY_ROLE; the policy is in keyproc/keyproc.c).
 */
enum key_role {
	KEY_ROLE_NONE = 0,		/* signs nothing for netproc */
	KEY_ROLE_ACCOUNT = 1,		/* an authority's account key */
	KEY_ROLE_DOMAIN = 2,		/* a domain key */
	KEY_ROLE_NEW_ACCOUNT = 3,	/* acmed -k: an account's new key */
	KEY_ROLE_MAX
};

/* What the parent authorises one key to sign (MSG_KEY_ALLOW). */
enum key_op {
	KEY_OP_REVOKE = 0,		/* a revocation of one certificate */
	KEY_OP_DEACTIVATE = 1,		/* the account's deactivation */
	KEY_OP_KEY_CHANGE = 2,		/* the account's change to one key */
	KEY_OP_MAX
};

/*
 * The revocation reasons acmed gives (RFC 5280 section 5.3.1), the only
 * ones keyproc signs; a KEY_ALLOW of KEY_OP_REVOKE carries one as its
 * other.  The others are the CA's to give, or unused.
 */
enum revoke_reason {
	REVOKE_UNSPECIFIED = 0,
	REVOKE_KEY_COMPROMISE = 1,
	REVOKE_AFFILIATION_CHANGED = 3,
	REVOKE_SUPERSEDED = 4,
	REVOKE_CESSATION_OF_OPERATION = 5
};

#endif
