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
 * The parent's own state and the functions main.c, children.c and certs.c
 * share; the other parent files take what they need as arguments.
 */
#ifndef ACMED_PARENT_STATE_H
#define ACMED_PARENT_STATE_H

#include <stdint.h>
#include <time.h>

#include "proc.h"
#include "parent.h"

struct buf;
struct imsg;
struct imsgchan;

/* The parent's state, defined in main.c. */
#define RESTART_MAX_DELAY	60
#define SHUTDOWN_WAIT_MS	3000
#define VERIFY_GRACE		3	/* seconds after a reload */
#define VERIFY_TRIES		5
#define LOST_WAIT_MS		1000

struct child {
	pid_t			 pid;
	struct imsgchan		*chan;
	int			 ready;
};

struct listener {
	int			 fd;
	char			*text;
	int			 tlsalpn;
};

extern struct config	*conf;
extern struct child	 children[PROC_MAX];
extern struct dstate	*dstates;
extern size_t		 ndstates;
extern struct listener	*listeners;
extern size_t		 nlisteners;
extern int		 exefds[PROC_MAX];
extern const char *const helper_dir;
extern int		 foreground, verbose, oneshot, revoking, rolling, forcing;
/* -r: its reason (enum revoke_reason); -D, which sets rolling too */
extern unsigned int	 revoke_reason;
extern int		 deactivating;
extern int		 status_dirty;
extern time_t		 status_written;
extern time_t		 restart_at;
extern int		 restart_delay;
extern time_t		 children_started;
extern char		**only_domains;
extern int		 nonly_domains;

/* children.c */
void children_netproc_handler(int (*h)(const struct imsg *));
int send_msg(enum proc_id p, uint32_t type, int fd, const struct buf *b);
int send_answer(enum proc_id p, uint32_t type, uint32_t peerid,
    const struct buf *b);
void child_log(enum proc_id p, const struct imsg *m);
void child_sandboxed(enum proc_id p, const struct imsg *m);
int child_call(enum proc_id p, uint32_t type, const struct buf *b, int fd,
    uint32_t want, struct imsg *m, int (*other)(const struct imsg *));
#define KEY_CREATE_FIXED	2	/* key_load()'s create: through PATH.new */
int key_load(uint32_t keyid, const char *path, enum keytype type, int bits,
    gid_t group, int create, int *existed, char *err, size_t errlen);
char *account_key_path(const struct authority *a);
void ca_hint(const struct authority *a, const char *error);
int key_role(uint32_t keyid, enum key_role role, const struct authority *a,
    const char *names, const char *profile);
int key_authorise(uint32_t type, uint32_t keyid, enum key_op op,
    uint32_t other, const void *der, size_t len);
char *key_error(const struct imsg *m);
int listeners_bind(void);
int listeners_rebind(void);
void children_stop(void);
int children_start(void);
int helpers_open(void);
void children_restart_later(const char *why);
void children_restart_resume(const char *why);
void children_lost(enum proc_id lost);
int children_ended(enum proc_id lost, char *why, size_t len);

/* domkey.c: what a domain key is held for */
enum domkey_use {
	DOMKEY_INSTALLED,	/* the installed key, if there is one */
	DOMKEY_CERT,		/* the installed key, else a pending one */
	DOMKEY_ORDER,		/* the key an order's CSR is signed with */
	DOMKEY_PENDING		/* the pending key, if there is one */
};
char *names_joined(const struct domain *d);
int domain_key_hold(struct dstate *ds, enum domkey_use use, char *err,
    size_t errlen);
void domain_key_release(struct dstate *ds);
void domain_keys_gone(void);

/* fleetkey.c: the fleet key, and keys sealed with it */
int fleet_key_send(const char *path);
int fleet_key_open(enum key_role role, const char *name, const void *sealed,
    size_t len, char **pem, size_t *pemlen, char *err, size_t errlen);

/* main.c */
void audit(const char *fmt, ...)
    __attribute__((__format__ (printf, 1, 2)));

/* rollover.c */
int account_call(const struct authority *a, uint32_t type, uint32_t want,
    const struct buf *b, char **err);
int rollover_check(char **names, int n);
int rollover_all(char **names, int n);
extern int rollover_changed;	/* keys changed by rollover_all() */

/* deactivate.c */
int deactivate_check(char **names, int n);
int deactivate_run(const char *name);

/* certs.c */
void keys_pending_finish(void);
int name_selected(const char *name, char **names, int n);
const char *time_text(time_t t);
time_t renewal_time(const struct dstate *ds);
void oneshot_not_due(struct dstate *ds);
int dstate_due(struct dstate *ds, time_t now);
int renew_ask(struct dstate *ds, time_t now);
void dstates_build(void);
void dstates_free(void);
void issue_start(struct dstate *ds);
void revoke_start(struct dstate *ds);
void actions_done(struct dstate *ds, int ok);
time_t housekeeping(time_t now, time_t next);
void status_flush(time_t now);
int dispatch_netproc(const struct imsg *m);
struct rbuf;
char *netproc_text(struct rbuf *r, size_t max);
struct dstate *dstate_byid(uint32_t id);
void dstates_index(void);
int provisional_all(void);
int oneshot_done(int *status);

/* dryrun.c: -t */
extern int dryrun;
int dryrun_prepare(void);
void dryrun_accounts(void);
int dryrun_preflight(int (*wait)(int (*)(void), int));
int dryrun_report(void);

/* preflight.c */
extern char preflight_marker[];
extern int preflight_print;
int preflight_marker_make(void);
int preflight_start(struct dstate *ds);
size_t preflight_pending(void);
int preflight_result(const struct imsg *m);

#endif
