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
 * Between the grammar (parse.y), the model it builds (config_build.c) and
 * the checks, defaults and cleanup of the configuration (config.c);
 * nothing else includes this.
 */
#ifndef ACMED_CONFIG_PRIV_H
#define ACMED_CONFIG_PRIV_H

#include <stdarg.h>
#include <time.h>

#include "config.h"

#define CONF_MAX_INCLUDE_DEPTH	10
#define CONF_MAX_ARGS		64
#define CONF_MIN_CHECK_INTERVAL	60
#define CONF_MAX_DURATION	((time_t)10 * 366 * 24 * 60 * 60)
#define CONF_MAX_USERNAME	32
/*
 * An authority's or a domain block's name names its files in the state
 * directory (NAME.url, NAME.key, ...): with a suffix it must stay within
 * a file name's 255 bytes.
 */
#define CONF_MAX_HANDLE		240
#define CONF_MSG_VALUE		64	/* of a value shown in a message */

/*
 * What a path in the file names, for the rule it must pass (trust.c) and
 * what the daemon does if it is missing.
 */
enum conf_path {
	CONF_PATH_KEY,		/* a key; made if missing */
	CONF_PATH_MACKEY,	/* an external account key; must exist */
	CONF_PATH_CA,		/* api ca; must exist */
	CONF_PATH_CERT,		/* written by acmed: its directory counts */
	CONF_PATH_PROGRAM,	/* run by acmed, checked if it exists */
	CONF_PATH_PIDFILE,	/* read by acmed, checked if it exists */
	CONF_PATH_LOG,		/* appended to by acmed, made if missing */
	CONF_PATH_DIR,		/* a directory; made if missing */
	CONF_PATH_PEM,		/* certificates sent whole; must exist */
	CONF_PATH_PEMKEY,	/* a private key sent whole; must exist */
	CONF_PATH_FLEETKEY	/* the fleet key; must exist, one form */
};

enum conf_verdict {
	CONF_PASS,		/* passes the rule */
	CONF_MISSING,		/* does not exist, and need not */
	CONF_REFUSED,		/* the daemon would refuse it */
	CONF_UNCHECKED,		/* this user may not look at it */
	CONF_WARN,		/* the daemon would not use it, but runs */
	CONF_NODIR		/* a key's directory is missing */
};

struct config	*conf_new(void);
const char	*conf_add_file(struct config *, const char *);
int		 conf_finish(struct config *);
const char	*conf_check_handle(const char *);
const char	*conf_check_hostname(const char *);
const char	*conf_check_username(const char *);
int		 conf_duration(long long, const char *, int, time_t *,
		    const char **);
char		**conf_split_command(const char *, const char **);
int		 conf_signal(const char *);
const char	*conf_signame(int);
int		 conf_listen(struct config *, const char *, long long, int,
		    const char **);
int		 conf_verify(struct domain *, const char *, long long,
		    const char **);
enum conf_verdict conf_check_path(const char *, enum conf_path, gid_t,
		    char *, size_t);
int		 conf_report_path(struct config *, const char *, int,
		    const char *, const char *, enum conf_path, gid_t);
int		 conf_check_state(struct config *, const char *, int);
int		 conf_group(const char *, gid_t *, const char **);
int		 conf_path_user(const struct config *, const char *, char *,
		    size_t, int);
void		 conf_free_argv(char **);
void		 conf_free_domain(struct domain *);
void		 conf_free_authority(struct authority *);
void		 conf_dump_str(const char *);

/* config_cluster.c */
const char	*conf_check_etcd_url(const char *);
const char	*conf_check_node(const char *);
const char	*conf_check_prefix(const char *);
void		 conf_free_cluster(struct cluster *);
void		 conf_dump_cluster(const struct cluster *);

/* config_msg.c */
enum conf_block {
	CONF_BLOCK_NONE,	/* outside the blocks */
	CONF_BLOCK_AUTHORITY,
	CONF_BLOCK_DOMAIN,
	CONF_BLOCK_CLUSTER
};
void		 conf_msg_file(const char *, const char *, int);
void		 conf_vmsg(const char *, int, int, const char *, va_list)
		    __attribute__((__format__ (printf, 4, 0)));
void		 conf_msg(const char *, int, int, const char *, ...)
		    __attribute__((__format__ (printf, 4, 5)));
void		 conf_msg_flush(void);
int		 conf_keyword_hint(enum conf_block, char *const *, size_t,
		    size_t, int, char *, size_t);
const char	*conf_shorten(const char *);

/*
 * config_build.c: one call per statement, at the file and line the
 * grammar gives; the calls take the strings they are given (char *).
 */
struct conf_build;
struct conf_key {
	enum keytype	 type;
	int		 bits;
};
struct conf_build *build_new(const char *, int);
const char	*build_path(const struct conf_build *);
const char	*build_file(struct conf_build *, const char *);
struct config	*build_end(struct conf_build *, int);
void		 build_free(struct conf_build *);
const char	*build_prefix(const struct conf_build *);
enum conf_block	 build_block(const struct conf_build *);
void		 build_vmsg(struct conf_build *, const char *, int, int,
		    const char *, va_list)
		    __attribute__((__format__ (printf, 5, 0)));
void		 build_listen(struct conf_build *, const char *, int, char *,
		    long long, int);
void		 build_state_dir(struct conf_build *, const char *, int,
		    char *);
void		 build_empty_dir(struct conf_build *, const char *, int,
		    char *);
void		 build_pid_file(struct conf_build *, const char *, int,
		    char *);
void		 build_check_interval(struct conf_build *, const char *, int,
		    long long, char *);
void		 build_expiry_warning(struct conf_build *, const char *, int,
		    long long, char *);
void		 build_event_hook(struct conf_build *, const char *, int,
		    char *);
void		 build_user(struct conf_build *, const char *, int, int,
		    char *);
void		 build_dns_user(struct conf_build *, const char *, int,
		    char *);
void		 build_dns_hook(struct conf_build *, const char *, int,
		    char *);
void		 build_dns_hook_timeout(struct conf_build *, const char *,
		    int, long long, char *);
void		 build_dns_wait(struct conf_build *, const char *, int,
		    long long, char *);
void		 build_log_file(struct conf_build *, const char *, int,
		    char *);
void		 build_metrics_file(struct conf_build *, const char *, int,
		    char *);
void		 build_authority(struct conf_build *, const char *, int,
		    const char *);
void		 build_authority_end(struct conf_build *);
void		 build_domain(struct conf_build *, const char *, int,
		    const char *);
void		 build_domain_end(struct conf_build *, const char *);
void		 build_drop(struct conf_build *);
void		 build_keysize(struct conf_build *, const char *, int,
		    enum keytype, long long, struct conf_key *);
void		 build_keytype_unknown(struct conf_build *, const char *, int,
		    struct conf_key *, const char *, ...)
		    __attribute__((__format__ (printf, 5, 6)));
void		 build_api_url(struct conf_build *, const char *, int, char *);
void		 build_api_ca(struct conf_build *, const char *, int, char *);
void		 build_account_key(struct conf_build *, const char *, int,
		    char *, const struct conf_key *);
void		 build_contact(struct conf_build *, const char *, int, char *);
void		 build_external_account(struct conf_build *, const char *, int,
		    char *, char *);
void		 build_test_authority(struct conf_build *, const char *,
		    int, char *);
void		 build_max_orders(struct conf_build *, const char *, int,
		    long long);
void		 build_insecure(struct conf_build *, const char *, int);
void		 build_alt_name(struct conf_build *, const char *, int, char *);
void		 build_domain_name(struct conf_build *, const char *, int,
		    char *);
void		 build_domain_key(struct conf_build *, const char *, int,
		    char *, const struct conf_key *, char *);
void		 build_key_rotate(struct conf_build *, const char *, int, int);
void		 build_domain_cert(struct conf_build *, const char *, int,
		    char *);
void		 build_domain_chain(struct conf_build *, const char *, int,
		    char *);
void		 build_domain_fullchain(struct conf_build *, const char *, int,
		    char *);
void		 build_sign_with(struct conf_build *, const char *, int,
		    char *, char *, char *);
void		 build_fallback_after(struct conf_build *, const char *, int,
		    long long, char *);
void		 build_challenge(struct conf_build *, const char *, int,
		    char *);
void		 build_challengedir(struct conf_build *, const char *, int,
		    char *);
void		 build_challenge(struct conf_build *, const char *, int,
		    char *);
void		 build_profile(struct conf_build *, const char *, int, char *,
		    char *);
void		 build_preferred_chain(struct conf_build *, const char *, int,
		    char *);
void		 build_renew_before(struct conf_build *, const char *, int,
		    long long, char *);
void		 build_reload(struct conf_build *, const char *, int,
		    enum action_type, char *, char *, char *);
void		 build_verify(struct conf_build *, const char *, int, char *,
		    long long);

/* The cluster block's statements; the files are enum conf_etcd_file. */
enum conf_etcd_file {
	CONF_ETCD_CA,
	CONF_ETCD_CERT,
	CONF_ETCD_KEY
};
void		 build_cluster(struct conf_build *, const char *, int);
void		 build_cluster_end(struct conf_build *, const char *);
void		 build_etcd_url(struct conf_build *, char *, int);
void		 build_etcd(struct conf_build *, const char *, int);
void		 build_etcd_file(struct conf_build *, const char *, int,
		    enum conf_etcd_file, char *);
void		 build_cluster_prefix(struct conf_build *, const char *, int,
		    char *);
void		 build_fleet_key(struct conf_build *, const char *, int,
		    char *);
void		 build_node(struct conf_build *, const char *, int, char *);

#endif
