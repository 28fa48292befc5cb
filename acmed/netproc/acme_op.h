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
 * The ACME operations as state machines: an issuance, a revocation, a
 * key change, a renewal information look-up, an account deactivation.
 * Each is a struct acme_op that advances when what it waits for arrives;
 * many run at once.  The protocol reaches everything outside itself (the
 * transport, keyproc's signatures and CSRs, challenged's tokens, the
 * parent, timers, the clock) through struct acme_io, which netproc.c
 * provides and the unit tests replace.
 */
#ifndef ACMED_ACME_OP_H
#define ACMED_ACME_OP_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "acme.h"

/*
 * Sends of one request in all: after a badNonce answer it goes again
 * with a fresh nonce.  An authority refusing half of all nonces refuses
 * 20 in a row once in a million requests (10: once in a thousand).
 */
#define ACME_NONCE_RETRIES	20
#define ACME_ORDER_LIMIT	300	/* seconds one order may take */
#define ACME_NONCE_POOL		32	/* fresh nonces kept per authority */
#define ACME_DIR_MAX_AGE	86400	/* seconds a directory read serves */

/* What the authority set-up gives an operation before it goes on. */
#define SETUP_DIR		0x1	/* the directory */
#define SETUP_ACCOUNT		0x2	/* the account URL */
#define SETUP_THUMB		0x4	/* the account key's thumbprint */
#define SETUP_REREGISTER	0x8	/* the account is gone: register */

struct acme_op;
typedef void (*acme_fn)(struct acme_op *);

TAILQ_HEAD(acme_ops, acme_op);

struct acme_authority {
	uint32_t		 id;
	char			*name;
	char			*api_url;
	char			*contact;
	char			*account_url;
	uint32_t		 keyid;
	int			 key_existed;
	int			 eab;		/* keyproc holds a binding */
	struct http		*http;
	struct acme_directory	 dir;
	int			 have_dir;
	time_t			 dir_time;	/* read then; 0: read it again */
	char			*thumbprint;
	char			*nonces[ACME_NONCE_POOL];	/* newest last */
	size_t			 nnonces;
	/* one operation sets the authority up, the others wait for it */
	struct acme_op		*setup_by;
	struct acme_ops		 setup_wait;
	/* new orders paused by the authority's Retry-After */
	time_t			 paused_until;
	int			 paused_said;
	void			*shell;		/* the process's own */
};

/* The challenge an order answers, as ISSUE carries it. */
enum acme_chal {
	ACME_CHAL_HTTP01 = MSG_CHALLENGE_HTTP01,
	ACME_CHAL_TLSALPN01 = MSG_CHALLENGE_TLSALPN01,
	ACME_CHAL_DNS01 = MSG_CHALLENGE_DNS01
};

/* A dns-01 record: _acme-challenge.name TXT value, and its challenge. */
struct acme_dns {
	char		*name;		/* the identifier, no "*." */
	char		*value;		/* base64url(SHA-256(keyauth)) */
	char		*url;		/* the challenge's, NULL: answered */
};

enum acme_kind {
	ACME_ISSUE,
	ACME_REVOKE,
	ACME_KEY_CHANGE,
	ACME_RENEWAL_INFO,
	ACME_DEACTIVATE,
	ACME_KIND_MAX
};

/* One send of a signed request, and its badNonce and loss retries. */
struct acme_post {
	char		*url;
	char		*payload;	/* NULL: POST-as-GET */
	const char	*accept;
	char		*nonce;
	char		*kid;		/* the account URL it was signed for */
	int		 use_jwk;
	int		 tries;
	int		 reregistered;
	int		 resent;
	acme_fn		 then;
};

/* What keyproc or challenged answered. */
struct acme_answer {
	int		 rc;		/* 0, or -1 with the reason in data */
	char		*data;		/* JWS, DER CSR, thumbprint, reason */
	size_t		 len;
	struct acme_eab	 eab;
};

struct acme_op {
	enum acme_kind		 kind;
	struct acme_authority	*a;
	uint32_t		 domid;
	uint32_t		 keyid;
	int			 cert_key;	/* requests signed with keyid */
	int			 no_register;	/* an account must exist */
	int			 key_change;	/* to the key new_keyid */
	uint32_t		 new_keyid;
	int			 new_existed;
	char			**names;
	size_t			 nnames;
	char			*preferred_chain;
	char			*profile;	/* asked for, or NULL */
	int			 profile_required;	/* or no order */
	char			*replaces;
	char			*order_url;
	void			*der;		/* the leaf revoked or looked up */
	size_t			 derlen;
	unsigned int		 reason;	/* why revoked (RFC 5280) */
	time_t			 due;		/* the parent's: order of start */
	time_t			 deadline;	/* its own: polls end there */

	/* how it ended */
	int			 rc;
	char			*chain;		/* PEM, on success */
	size_t			 chainlen;
	char			*error_type;	/* problem type or local kind */
	char			*error;		/* one line for a person */
	long			 retry_after;
	time_t			 win_start;	/* renewal window, 0: none */
	time_t			 win_end;
	int			 win_none;	/* the directory offers none */

	/* the machine */
	acme_fn			 finish;	/* the process's, at the end */
	struct http_resp	 resp;		/* the last answer */
	struct acme_answer	 ans;		/* the last peer's answer */
	struct acme_post	 post[2];	/* a request, and a registration */
	int			 npost;		/*   it needs meanwhile */
	int			 setup_what;
	acme_fn			 setup_then;
	acme_fn			 fetch_then;
	acme_fn			 wait_then;
	acme_fn			 lookup_then;
	int			 found;		/* account look-up: 1, 0, -1 */
	int			 reg_tries;	/* registrations sent */
	struct acme_order	 ord;
	struct acme_authz	 az;
	long			 az_retry;	/* the authorization's Retry-After */
	size_t			 i;		/* authorization, alternate */
	int			 tries;		/* the step's own retries */
	int			 reordered;	/* newOrder lost, ordered again */
	int			 profile_said;	/* its absence was logged */
	int			 dir_reread;	/* after a 404, once */
	int			 moved_which;	/* which URL of the directory */
	char			*moved_from;	/*   answered 404 */
	acme_fn			 moved_then;
	const char		*profile_sent;	/* in the newOrder, or NULL */
	long			 wait_ms;	/* poll back-off */
	char			*body;		/* a request kept for a resend */
	char			*reg_body;	/* newAccount's, which may come
						   in the middle of another */
	char			*tokens[ACME_MAX_AUTHZ];	/* identifiers
						   for tls-alpn-01 */
	size_t			 ntokens;
	enum acme_chal		 challenge;
	unsigned int		 dns_wait;	/* seconds for the records */
	struct acme_dns		 dns[ACME_MAX_AUTHZ];
	size_t			 ndns;
	int			 dns_published;	/* the hook ran: remove */
	char			*alts[ACME_MAX_ALTERNATES];
	size_t			 nalts;
	int			 alt_failed;
	void			*shell;		/* the process's own */
	TAILQ_ENTRY(acme_op)	 entry;		/* set-up waiters */
};

struct acme_io {
	/* A request to the op's authority; -1 (reason in o->resp) if not. */
	int	(*http)(struct acme_op *, enum http_method, const char *,
		    const void *, size_t, const char *, acme_fn);
	/* keyproc and challenged: the answer in o->ans */
	void	(*sign)(struct acme_op *, uint32_t, const char *,
		    const char *, const char *, const char *, acme_fn);
	void	(*key_change)(struct acme_op *, uint32_t, uint32_t,
		    const char *, const char *, const char *, acme_fn);
	void	(*thumbprint)(struct acme_op *, uint32_t, acme_fn);
	void	(*eab)(struct acme_op *, uint32_t, const char *, acme_fn);
	void	(*csr)(struct acme_op *, uint32_t, char *const *, size_t,
		    acme_fn);
	void	(*chal_add)(struct acme_op *, const char *, const char *,
		    acme_fn);
	void	(*chal_del)(const char *);
	/*
	 * dns-01: the parent's hook publishes or removes o->dns; the
	 * authoritative servers are asked until each serves every record,
	 * at most o->dns_wait seconds.  The answer in o->ans.
	 */
	void	(*dns_publish)(struct acme_op *, acme_fn);
	void	(*dns_remove)(struct acme_op *);
	void	(*dns_check)(struct acme_op *, acme_fn);
	void	(*chal_alpn_add)(struct acme_op *, const char *, const char *,
		    acme_fn);
	void	(*chal_alpn_del)(const char *);
	/* the parent */
	void	(*order_url)(struct acme_op *, const char *);
	void	(*account_url)(uint32_t, const char *);
	/* time */
	void	(*timer)(struct acme_op *, long, acme_fn);
	time_t	(*now)(void);
};

extern const struct acme_io	*acme_io;

/* acme_op.c: operations, errors, signed requests, authority set-up */
void	 acme_set_io(const struct acme_io *);
void	 acme_authority_init(struct acme_authority *);
void	 acme_op_free(struct acme_op *);
void	 acme_answer_clear(struct acme_answer *);
void	 acme_start(struct acme_op *);
void	 acme_end(struct acme_op *, int);
void	 acme_fail(struct acme_op *, const char *, const char *, ...)
	    __attribute__((__format__ (printf, 3, 4)));
void	 acme_unfail(struct acme_op *);
int	 acme_lost(struct acme_op *, const char *, const char *);
int	 acme_is_problem_type(const char *, const char *);
void	 acme_answer_fail(struct acme_op *, const char *, const char *,
	    const struct http_resp *, const char *);
char	*acme_answer_what(const struct http_resp *);
void	 acme_problem_fail(struct acme_op *, const char *,
	    const struct acme_problem *, long);
void	 acme_post(struct acme_op *, const char *, const char *,
	    const char *, int, acme_fn);
void	 acme_setup(struct acme_op *, int, acme_fn);
void	 acme_setup_end(struct acme_op *);
int	 acme_dir_fresh(const struct acme_authority *);
int	 acme_dir_moved(struct acme_op *, const char *, acme_fn);
const char *acme_dir_moved_to(const struct acme_op *);

/* acme_account.c: the directory, the account, the thumbprint */
void	 acme_setup_run(struct acme_op *);
void	 acme_lookup(struct acme_op *, acme_fn);

/* acme_order.c: issuance */
void	 acme_issue(struct acme_op *);

/* acme_authz.c: authorizations and their challenges */
void	 acme_authz_answer(struct acme_op *, acme_fn);
void	 acme_authz_wait(struct acme_op *, acme_fn);
long	 acme_next_wait(struct acme_op *, long);
void	 acme_dns_clear(struct acme_op *);
void	 acme_wait_reset(struct acme_op *);

/* acme_ops.c: revocation, key change, renewal information, deactivation */
void	 acme_revoke(struct acme_op *);
void	 acme_key_change(struct acme_op *);
void	 acme_renewal_info(struct acme_op *);
void	 acme_deactivate(struct acme_op *);

/* chain.c */
char	*chain_top_issuer(const char *, size_t);

#endif
