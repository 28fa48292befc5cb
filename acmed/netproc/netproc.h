/*
 * netproc's own declarations: the authorities as it knows them, the order
 * it is working on, and its two peers (keyproc signs, challenged serves).
 */
#ifndef ACMED_NETPROC_H
#define ACMED_NETPROC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "acme.h"

#define NETPROC_CA_MAX		(4 * 1024 * 1024)
/*
 * Sends of one request in all: after a badNonce answer it goes again
 * with the fresh nonce that answer carried.  An authority refusing half
 * of all nonces refuses 20 in a row once in a million requests (10: once
 * in a thousand).
 */
#define NETPROC_NONCE_RETRIES	20
#define NETPROC_POLL_LIMIT	300	/* seconds to wait on one order */

struct imsgchan;

struct net_authority {
	uint32_t		 id;
	char			*name;
	char			*api_url;
	char			*contact;
	char			*account_url;
	uint32_t		 keyid;
	int			 key_existed;
	int			 eab;		/* keyproc holds a binding */
	char			*ca_pem;
	size_t			 ca_len;
	struct http		*http;
	struct acme_directory	 dir;
	int			 have_dir;
	char			*thumbprint;
	char			*nonce;
	struct net_authority	*next;
};

/* One issuance: what to order, and how it ended. */
struct net_order {
	struct net_authority	*a;
	uint32_t		 domid;
	uint32_t		 keyid;
	int			 cert_key;	/* requests signed with keyid */
	int			 no_register;	/* an account must exist */
	int			 key_change;	/* to the key new_keyid */
	uint32_t		 new_keyid;
	char			**names;
	size_t			 nnames;
	char			*preferred_chain;
	char			*replaces;
	char			*order_url;
	/* result */
	char			*chain;		/* PEM, on success */
	size_t			 chainlen;
	char			*error_type;	/* problem type or local kind */
	char			*error;		/* one line for a person */
	long			 retry_after;
};

/* A suggested renewal window; start = end = 0: none. */
struct ari_window {
	time_t			 start;
	time_t			 end;
	long			 retry_after;	/* seconds, -1 if not given */
};

/* netproc.c: the peers */
int	 np_sign(uint32_t, const char *, const char *, const char *,
	    const void *, size_t, char **, size_t *, char **);
int	 np_key_change(uint32_t, uint32_t, const char *, const char *,
	    const char *, char **, size_t *, char **);
int	 np_thumbprint(uint32_t, char **);
int	 np_eab(uint32_t, const char *, struct acme_eab *, char **);
void	 np_eab_free(struct acme_eab *);
int	 np_csr(uint32_t, char *const *, size_t, unsigned char **, size_t *);
int	 np_chal_add(const char *, const char *);
void	 np_chal_del(const char *);
void	 np_order_url(uint32_t, const char *);
void	 np_account_url(uint32_t, const char *);

/* acme.c: the protocol */
int	 acme_issue(struct net_order *);
int	 acme_revoke(struct net_order *, const void *, size_t);
int	 acme_key_change(struct net_order *, uint32_t, int);
int	 acme_get_directory(struct net_order *);

/* ari.c: renewal information */
void	 ari_fetch(struct net_authority *, const void *, size_t,
	    struct ari_window *);

/* chain.c */
char	*chain_top_issuer(const char *, size_t);

#endif
