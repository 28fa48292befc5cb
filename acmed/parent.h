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
 * The parent's own declarations: per-certificate state, installation of
 * files, the state directory, events and reload actions.
 */
#ifndef ACMED_PARENT_H
#define ACMED_PARENT_H

#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include "config.h"

#define KEYID_DOMAIN_BASE	0x10000		/* domain keys: base + domain id */
#define SYSTEM_CA_FILE		"/etc/ssl/certs/ca-certificates.crt"
#define KEYID_ROLLOVER_BASE	0x80000000U	/* -k: an account's new key */
/*
 * The provisional certificate stands in only until the first one is
 * issued, and no client trusts it: its lifetime is not the authority's,
 * and long enough not to be what fails while an authority keeps refusing.
 */
#define PROVISIONAL_DAYS	90

enum cert_state {
	CERT_MISSING,
	CERT_PROVISIONAL,
	CERT_ISSUED
};

struct dstate {
	struct domain	*d;
	unsigned int	 keyid;
	enum cert_state	 state;
	time_t		 not_before;
	time_t		 not_after;
	time_t		 next;		/* next action */
	int		 issuing;	/* an ISSUE is with netproc */
	int		 failures;	/* in a row */
	int		 result;	/* one-shot: 0 ok, -1 failed, 1 pending */
	char		*last_error;
	char		*order_url;	/* pending order to resume */
	int		 reordered;	/* one expired certificate refused */
	time_t		 retry_until;	/* the authority's Retry-After, 0: none */
	unsigned char	*pubkey;	/* SubjectPublicKeyInfo DER */
	size_t		 pubkeylen;
	int		 key_held;	/* keyproc holds the domain key */
	int		 key_pending;	/* the one held is the pending key */
	time_t		 ari_start;	/* the authority's window, 0: none */
	time_t		 ari_end;
	time_t		 ari_at;	/* the moment chosen inside it */
	time_t		 ari_refresh;	/* when to ask again, 0: not asked */
	int		 ari_asked;	/* a RENEWAL_INFO is with netproc */
	time_t		 verify_at;	/* deployment check due, 0: none */
	int		 verify_tries;
	int		 verify_pending;	/* answers still expected */
	int		 verify_failed;
	int		 verify_mismatch;	/* a final one, this round */
	time_t		 verify_done;	/* the last check's end, 0: none yet */
	int		 verify_ok;	/* its result */
	char		*verify_error;	/* what it found, if not ok */
	time_t		 reload_at;	/* the last reload, 0: none yet */
	int		 reload_ok;	/* its result */
	int		 reload_new;	/* owed for a new installation */
	time_t		 reload_failing;	/* failing since, 0: not */
	int		 reload_tries;	/* failed tries since then */
	time_t		 reload_retry;	/* the next try, 0: none */
	time_t		 revoked_at;	/* -r revoked the certificate, 0: not */
	time_t		 renew_asked;	/* -F asked for a renewal, 0: not */
	int		 names_changed;	/* issued for other names than now */
	time_t		 issue_started;	/* the ISSUE given to netproc */
	time_t		 last_success;	/* installed since the start, 0: not */
	time_t		 last_failure;	/* failed since the start, 0: not */
	int		 refused;	/* its files are not acmed's */
	unsigned char	*revoking;	/* -r: the leaf DER being revoked */
	size_t		 revoking_len;
	uint32_t	 revoking_key;	/* -r: the key that signs it */
	unsigned int	 revoking_reason;	/* -r: enum revoke_reason */
	size_t		 auth_idx;	/* orders go to: domain_authority() */
	time_t		 failing_since;	/* that one fails since, 0: not */
	struct authority *issuer;	/* of the certificate; NULL: 1st */
	int		 preflighted;	/* its names checked, this start */
	int		 fleet_lock;	/* this node orders it for the fleet */
	char		*fleet_from;	/* the node whose order is installed */
};

/* fleet.c: a cluster's nodes share certificates (acmed(8), FLEET) */
#define FLEET_LOOK_AGAIN	30	/* s: another node is ordering */
extern int	 fleet_restart;		/* the account key changed */
void	 fleet_account(struct authority *, const char *, const void *,
	    size_t);

/* install.c */
#define WRITE_BACKUP	0x1	/* keep the file replaced as FILE.bak */
#define WRITE_NOSYNC	0x2	/* atomic but not flushed: a report only */
#define WRITE_FIXED	0x4	/* through FILE.new, not a random name */
int	 write_file_atomic(const char *, const void *, size_t, mode_t, int);
int	 write_file_owned(const char *, const void *, size_t, mode_t, gid_t,
	    int);
int	 fsync_dir(const char *);
int	 file_aside(const char *, const char *, char *, size_t);
int	 read_fd(int, const char *, size_t, char **, size_t *);
int	 read_file(const char *, size_t, char **, size_t *);
int	 cert_file_info(struct dstate *, const char *);
int	 cert_files_check(const struct domain *, char *, size_t);
int	 install_chain(struct dstate *, const char *, size_t, int);
int	 cert_leaf_der(const char *, unsigned char **, size_t *);
int	 key_pending_path(const struct dstate *, char *, size_t);
int	 key_pending_install(struct dstate *);
void	 key_new_remove(const struct dstate *, int);

/* revoke.c: -r's reasons, and keyCompromise's new key */
int		 revoke_reason_parse(const char *);
const char	*revoke_reason_name(unsigned int);
int		 revoke_key_aside(struct dstate *, int);

/* fallback.c: the authority a certificate is ordered from */
struct authority *fallback_current(const struct dstate *);
struct authority *fallback_issuer(const struct dstate *);
void	 fallback_load(struct dstate *, int, int);
int	 fallback_failed(struct dstate *, const char *, int64_t, time_t);
void	 fallback_issued(struct dstate *);

/* lock.c: one daemon per state directory, and the pid file */
pid_t	 daemon_running(const char *);
int	 lock_take(const char *);
int	 pid_file_write(const char *);
void	 pid_file_remove(const char *);

/* state.c */
struct state_subdir {
	const char	*name;		/* under the state directory */
	mode_t		 mode;		/* made with */
};
extern const struct state_subdir state_subdirs[];
int	 state_init(const char *);
int	 state_path(char *, size_t, const char *, const char *, const char *);
char	*state_read(const char *, const char *, const char *);
int	 state_write(const char *, const char *, const char *, const char *);
int	 state_remove(const char *, const char *, const char *);
int	 state_empty(const char *, const char *);

/* schedule.c */
time_t	 sched_renewal_time(const struct dstate *);
time_t	 sched_expiry_warn(const struct config *, const struct dstate *);
time_t	 sched_check_delay(const struct config *);
void	 sched_expiry_text(time_t, time_t, char *, size_t);
void	 sched_ari_window(struct dstate *, time_t, time_t, time_t, time_t);
void	 sched_ari_first(struct dstate *, size_t, time_t, time_t);
void	 sched_ari_none(struct authority *, time_t);
void	 sched_ari_forget(struct dstate *);

/* netroot.c: netproc's root, under the state directory */
#define NETROOT_NAME	"netproc"
int		 netroot_make(const char *);
void		 netroot_refresh(void);
const char	*netroot_dir(void);

/* logfile.c */
int	 logfile_open(const char *);

/* status.c */
struct sandbox_level;
void	 status_sandbox(int, const struct sandbox_level *);
void	 status_starting(const struct config *, size_t);
int	 status_write(const struct config *, const struct dstate *, size_t);
const char *status_next_action(const struct dstate *, time_t *);

/* metrics.c */
void	 metrics_request(const char *, const char *, int);
void	 metrics_pause(const char *);
void	 metrics_answers(const char *, uint64_t);
void	 metrics_restart(void);
struct imsg;
void	 child_answers(const struct imsg *);
void	 metrics_order(const char *, double);
int	 metrics_write(const struct config *, const struct dstate *, size_t);
int	 metrics_due(const struct config *, time_t, time_t *);
int	 status_show(const char *, int);
int	 iso_time(time_t, char *, size_t);

/* actions.c */
struct passwd;
int	 run_as(const char *, char *const [], char *const [], int,
	    const struct passwd *, char *, size_t);
int	 program_trusted(const char *, const char *);
int	 run_actions(const struct domain *);
void	 actions_queue(struct dstate *);
int	 actions_pending(void);
void	 actions_run_pending(const struct config *,
	    void (*)(struct dstate *, int));
void	 event_emit(const struct config *, const char *,
	    const struct dstate *, const char *);

/* dnshook.c: dns-01 records through the dns hook */
struct imsg;
int	 dns_dispatch(const struct imsg *);
void	 dns_cleanup(void);

#endif
