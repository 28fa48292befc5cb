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
 * The parsed configuration.  Built by parse.y as root in the parent; the
 * parts the children need travel to them as messages.
 */
#ifndef ACMED_CONFIG_H
#define ACMED_CONFIG_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <stddef.h>
#include <time.h>

#include "keytype.h"
#include "msg.h"

#define CONF_FILE		"/etc/acmed.conf"
#define CONF_STATE_DIR		"/var/lib/acmed"
#define CONF_EMPTY_DIR		"/var/empty"
#define CONF_PID_FILE		"/run/acmed.pid"
#define CONF_USER_NETPROC	"_acmed"
#define CONF_USER_KEYPROC	"_acmed-key"
#define CONF_USER_CHALLENGED	"_acmed-www"
#define CONF_USER_DNS		"_acmed-dns"
#define CONF_CHECK_INTERVAL	(24 * 60 * 60)
#define CONF_EXPIRY_WARN	(15 * 24 * 60 * 60)
#define CONF_HOOK_TIMEOUT	60
#define CONF_RELOAD_TIMEOUT	60
#define CONF_MAX_NAMES		MSG_NAMES_COUNT
#define CONF_HTTP_PORT		80
#define CONF_TLSALPN_PORT	443
#define CONF_VERIFY_PORT	443
#define CONF_MAX_VERIFY		16	/* endpoints per domain */
#define CONF_MAX_ORDERS		10	/* orders at once per authority */
#define CONF_MAX_FALLBACK	2	/* authorities behind the first */
#define CONF_FALLBACK_AFTER	(24 * 60 * 60)
#define CONF_DNS_HOOK_TIMEOUT	60	/* seconds a dns hook may run */
#define CONF_DNS_WAIT		120	/* seconds the record may take to
					   reach every server of the zone */
#define CONF_DNS_WAIT_MAX	3600
#define CONF_CLUSTER_PREFIX	"/acmed/"	/* of the fleet's etcd keys */

struct listen_addr {
	TAILQ_ENTRY(listen_addr)	 entry;
	struct sockaddr_storage		 ss;
	socklen_t			 sslen;
	char				*text;		/* "127.0.0.1:80", "[::1]:80" */
	int				 tlsalpn;	/* tls-alpn-01, not http-01 */
};

/* What ISSUE carries to netproc. */
enum challenge_type {
	CHALLENGE_HTTP01 = MSG_CHALLENGE_HTTP01,
	CHALLENGE_TLSALPN01 = MSG_CHALLENGE_TLSALPN01,
	CHALLENGE_DNS01 = MSG_CHALLENGE_DNS01
};

struct authority {
	TAILQ_ENTRY(authority)	 entry;
	unsigned int		 id;
	char			*name;
	char			*api_url;	/* directory URL, https:// */
	char			*account_key;	/* path */
	enum keytype		 account_keytype;
	int			 account_keybits;
	char			*contact;	/* NULL or "mailto:..." */
	char			*eab_kid;	/* external account, or NULL */
	char			*eab_key;	/* its MAC key file */
	char			*ca_file;	/* NULL: system trust store */
	unsigned int		 max_orders;	/* orders at once, 0: default */
	char			*test_name;	/* -t signs with it */
	int			 test_line;
	struct authority	*test;		/* it, or NULL */
	int			 test_only;	/* another's test one */
	const char		*file;		/* where it was defined */
	int			 line;
	/* the daemon's: its directory offers no renewal information, so
	   none is asked for before then; 0: ask */
	time_t			 ari_none_until;
};

enum action_type {
	ACTION_COMMAND,		/* argv run without a shell */
	ACTION_SHELL,		/* one string run with /bin/sh -c */
	ACTION_SIGNAL		/* signal to the pid in a file */
};

struct action {
	TAILQ_ENTRY(action)	 entry;
	enum action_type	 type;
	char			**argv;		/* COMMAND: NULL-ended; SHELL: argv[0] */
	char			*pidfile;	/* SIGNAL */
	int			 signo;		/* SIGNAL */
};
TAILQ_HEAD(action_list, action);

/* Where a domain's certificate is served, to check after a reload. */

struct verify_ep {
	TAILQ_ENTRY(verify_ep)	 entry;
	char			*host;		/* name or address, no brackets */
	int			 port;
	char			*text;		/* "host:443", "[::1]:443" */
};
TAILQ_HEAD(verify_list, verify_ep);

struct domain {
	TAILQ_ENTRY(domain)	 entry;
	unsigned int		 id;
	char			*handle;	/* the block's name */
	char			**names;	/* names[0] == handle, then alternatives */
	size_t			 nnames;
	char			*key;		/* path */
	enum keytype		 keytype;
	int			 keybits;
	char			*key_group;	/* may read it, or NULL */
	gid_t			 key_gid;	/* or TRUST_NOGROUP */
	int			 key_rotate;	/* a new key with each certificate */
	int			 key_rotate_line;	/* where it was said, or 0 */
	char			*cert;		/* leaf only */
	char			*chain;		/* intermediates only */
	char			*fullchain;	/* leaf + intermediates */
	char			*auth_name;
	int			 auth_line;	/* where "sign with" was given */
	struct authority	*auth;
	/* tried in turn when the one before keeps failing */
	char			*fallback_name[CONF_MAX_FALLBACK];
	struct authority	*fallback[CONF_MAX_FALLBACK];
	size_t			 nfallback;
	time_t			 fallback_after;	/* 0: the default */
	char			*preferred_chain;	/* issuer CN, NULL: default */
	char			*profile;	/* ACME profile, NULL: none */
	int			 profile_required;	/* or fail the order */
	time_t			 renew_before;	/* 0: automatic */
	enum challenge_type	 challenge;
	int			 challenge_line;	/* where it was chosen */
	struct action_list	 actions;
	struct verify_list	 verifies;
	char			*dns_hook;	/* NULL: the global one */
	const char		*file;
	int			 line;
};

/*
 * The fleet: nodes behind one name that share their certificates through
 * etcd.  The paths are read by the parent, which hands what netproc needs
 * to it (MSG_CLUSTER).
 */
struct cluster {
	char		*endpoints[MSG_ETCD_COUNT];	/* https://host:port */
	size_t		 nendpoints;
	char		*ca;		/* etcd's CA certificates, PEM */
	char		*cert;		/* the client certificate, PEM */
	char		*key;		/* its private key, PEM */
	char		*prefix;	/* of every key in etcd: "/.../" */
	char		*fleet_key;	/* the key the fleet shares */
	char		*node;		/* this node's name */
	const char	*file;		/* where the block begins */
	int		 line;
};

struct config {
	char				*file;
	char				*state_dir;
	char				*empty_dir;
	char				*pid_file;	/* written when detached */
	char				*user[4];	/* indexed by enum proc_id */
	time_t				 check_interval;
	time_t				 expiry_warn;
	char				*event_hook;	/* argv[0] of the hook, NULL: none */
	char				*dns_hook;	/* NULL: none */
	char				*dns_user;	/* runs the dns hooks */
	unsigned int			 dns_hook_timeout;	/* seconds */
	unsigned int			 dns_wait;	/* seconds */
	char				*log_file;	/* NULL: none */
	char				*metrics_file;	/* NULL: none */
	TAILQ_HEAD(, listen_addr)	 listens;	/* default: 0.0.0.0:80 and [::]:80 */
	TAILQ_HEAD(, authority)		 authorities;
	TAILQ_HEAD(, domain)		 domains;
	struct cluster			*cluster;	/* NULL: no cluster block */
	char				**files;	/* every file read (includes) */
	size_t				 nfiles;
	int				 unchecked;	/* not looked at (-n) */
};

struct config	*config_parse(const char *, int);
void		 config_free(struct config *);
void		 config_dump(const struct config *);
void		 config_drop_actions(struct domain *);
struct authority *config_authority(const struct config *, const char *);
struct authority *domain_authority(const struct domain *, size_t);
int		 domain_has_name(const struct domain *, const char *);
const char	*keytype_name(enum keytype);
const char	*conf_shell_program(const char *, char *, size_t);

#endif
