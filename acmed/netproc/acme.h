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
 * ACME objects as netproc sees them (RFC 8555, RFC 9773), the JSON that
 * builds and reads them (json.c, yajl both ways), and the HTTPS transport
 * (http.c, libcurl).  Nothing here ever sees a private key.
 */
#ifndef ACMED_ACME_H
#define ACMED_ACME_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "msg.h"

#define ACME_MAX_BODY		(1024 * 1024)	/* any response body */
#define ACME_MAX_STR		(16 * 1024)	/* any JSON string value */
#define ACME_MAX_AUTHZ		MSG_NAMES_COUNT	/* = names per order */
#define ACME_MAX_ALTERNATES	8
#define ACME_MAX_PROFILES	32	/* profiles read from a directory */

/* --- transport --- */

struct http_resp {
	long		 code;		/* HTTP status, 0 if no answer */
	struct buf	 body;		/* at most ACME_MAX_BODY */
	char		*content_type;
	char		*location;
	char		*nonce;		/* Replay-Nonce */
	int		 bad_nonce;	/* one came that was not base64url */
	long		 retry_after;	/* seconds, -1 if absent */
	char		*link_up;	/* Link: rel="up" */
	char		*link_tos;	/* Link: rel="terms-of-service" */
	char		*alternates[ACME_MAX_ALTERNATES];	/* rel="alternate" */
	size_t		 nalternates;
	char		 error[256];	/* transport error, "" if none */
	int		 lost;		/* a POST went out, no answer came */
};

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST };

struct http;

void		 http_resp_init(struct http_resp *);
void		 http_resp_free(struct http_resp *);

/* --- objects --- */

enum acme_status {
	ST_UNKNOWN,
	ST_PENDING,
	ST_READY,
	ST_PROCESSING,
	ST_VALID,
	ST_INVALID,
	ST_DEACTIVATED,
	ST_EXPIRED,
	ST_REVOKED,
	ST_MAX
};

struct acme_directory {
	char	*new_nonce;
	char	*new_account;
	char	*new_order;
	char	*revoke_cert;
	char	*key_change;
	char	*renewal_info;		/* RFC 9773, NULL if not offered */
	char	*terms_of_service;
	int	 eab_required;
	char	*profiles[ACME_MAX_PROFILES];	/* meta.profiles' names */
	size_t	 nprofiles;
};

struct acme_subproblem {
	char	*type;
	char	*detail;
	char	*identifier;		/* value of the identifier, or NULL */
};

struct acme_problem {
	char			*type;	/* "urn:ietf:params:acme:error:..." */
	char			*detail;
	char			*instance;	/* a page about it, or NULL */
	char			*terms;	/* terms of service (not in the document) */
	long			 status;
	struct acme_subproblem	*sub;
	size_t			 nsub;
};

struct acme_account {
	enum acme_status	 status;
	char			*orders;
};

struct acme_order {
	enum acme_status	 status;
	char			*expires;
	char			**authorizations;
	size_t			 nauthorizations;
	char			*finalize;
	char			*certificate;
	char			*profile;	/* NULL if none */
	struct acme_problem	*error;		/* NULL if none */
};

struct acme_challenge {
	char			*type;
	char			*url;
	char			*token;
	enum acme_status	 status;
	struct acme_problem	*error;
};

struct acme_authz {
	enum acme_status	 status;
	char			*identifier_type;
	char			*identifier;
	int			 wildcard;
	struct acme_challenge	*challenges;
	size_t			 nchallenges;
};

struct acme_renewal_info {
	time_t	 start;
	time_t	 end;
	char	*explanation_url;
};

/* Each parser: 0 on success, -1 with a reason in err (errlen bytes). */
int	acme_parse_directory(const void *, size_t, struct acme_directory *,
	    char *, size_t);
int	acme_parse_problem(const void *, size_t, struct acme_problem *,
	    char *, size_t);
int	acme_parse_account(const void *, size_t, struct acme_account *,
	    char *, size_t);
int	acme_parse_order(const void *, size_t, struct acme_order *,
	    char *, size_t);
int	acme_parse_authz(const void *, size_t, struct acme_authz *,
	    char *, size_t);
int	acme_parse_challenge(const void *, size_t, struct acme_challenge *,
	    char *, size_t);
int	acme_parse_renewal_info(const void *, size_t,
	    struct acme_renewal_info *, char *, size_t);

void	acme_directory_free(struct acme_directory *);
void	acme_problem_free(struct acme_problem *);
void	acme_account_free(struct acme_account *);
void	acme_order_free(struct acme_order *);
void	acme_challenge_free(struct acme_challenge *);
void	acme_authz_free(struct acme_authz *);
void	acme_renewal_info_free(struct acme_renewal_info *);

enum acme_status	 acme_status_parse(const char *);
const char		*acme_status_name(enum acme_status);
char			*acme_problem_text(const struct acme_problem *);

/*
 * The externalAccountBinding of a newAccount request: a JWS in the
 * flattened serialisation, its three parts base64url (keyproc makes it).
 */
struct acme_eab {
	char	*protected;
	char	*payload;
	char	*signature;
};

/* Request bodies, built with yajl_gen (NUL-terminated, caller frees). */
char	*acme_req_new_account(const char *, int, const struct acme_eab *);
char	*acme_req_new_order(const char *const *, size_t, const char *,
	    const char *);
char	*acme_req_finalize(const void *, size_t);
char	*acme_req_revoke(const void *, size_t, unsigned int);
char	*acme_req_deactivate(void);

#endif
