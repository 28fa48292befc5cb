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
 * acmed: the parent process.
 *
 * Holds: the configuration (read as root), the listening sockets for the
 * challenge server, the state directory and the certificate files.
 * Does: starts netproc, keyproc and challenged (their own programs,
 * opened once at start), hands each what it needs (key descriptors,
 * sockets, the authorities), schedules issuance and renewal, verifies and
 * installs what netproc brings back, runs reload actions and the event
 * hook; with -r revokes certificates, with -k changes account keys,
 * with -D deactivates an account, with -t tries the whole path and
 * installs nothing (dryrun.c).
 * Never: reads a byte from the network or parses an authority's answer
 * beyond the certificate chain it installs.
 */
#include <sys/types.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"

#include <openssl/crypto.h>

#define START_WAIT	30	/* seconds for the children to be ready */

/* Detached: where the process waiting for the start is told it is done. */
static int	 start_pipe = -1;

/* acmed(8)'s SYNOPSIS, word for word: regress/t_cli.sh compares them. */
static __attribute__((__noreturn__)) void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: acmed [-dnv] [-f file]\n"
	    "       acmed -s [-j] [-f file]\n"
	    "       acmed -o [-dv] [-f file] [domain ...]\n"
	    "       acmed -t [-dv] [-f file] [domain ...]\n"
	    "       acmed -F [-dv] [-f file] domain ...\n"
	    "       acmed -r [-dv] [-f file] [-R reason] domain ...\n"
	    "       acmed -k [-dv] [-f file] [authority ...]\n"
	    "       acmed -D [-dv] [-f file] authority authority\n"
	    "       acmed -h | -V\n");
	exit(status);
}

/*
 * -k or -D stopped by a signal: exit 1 at once.  The children are killed
 * at once by their parent-death signal, netproc in the middle of a
 * request too.
 */
static void
rollover_stop(int sig)
{
	static const char msg[] = "acmed: -k stopped by a signal\n";
	static const char dmsg[] = "acmed: -D stopped by a signal\n";
	ssize_t		  n;

	(void)sig;
	if (deactivating)
		n = write(STDERR_FILENO, dmsg, sizeof(dmsg) - 1);
	else
		n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(1);
}

/* Reads what a child sent; -1 if its channel is gone or malformed. */
static int
child_input(enum proc_id p)
{
	struct child	*c = &children[p];
	struct imsg	 m;
	ssize_t		 n;
	int		 r, bad = 0;

	n = ichan_read(c->chan);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	for (;;) {
		if ((r = ichan_get(c->chan, &m)) == 0)
			break;
		if (r == -1 || msg_check(&m) == -1) {
			log_warnx("malformed message from %s", proc_names[p]);
			if (r == 1)
				imsg_clear(&m);
			return -1;
		}
		if (m.hdr.type == MSG_LOG)
			child_log(p, &m);
		else if (m.hdr.type == MSG_SANDBOXED)
			child_sandboxed(p, &m);
		else if (p == PROC_CHALLENGED &&
		    m.hdr.type == MSG_CHAL_ANSWERS)
			child_answers(&m);
		else if (p == PROC_NETPROC)
			bad = dispatch_netproc(&m) == -1;
		else if (m.hdr.type == MSG_READY)
			c->ready = 1;
		else {
			log_warnx("unexpected %s from %s",
			    msg_name(m.hdr.type), proc_names[p]);
			bad = 1;
		}
		imsg_clear(&m);
		if (bad)
			return -1;
	}
	if (n == 0 || n == -1)
		return -1;
	return 0;
}

/* 1 if the configuration c has a domain named handle. */
static int
has_domain(const struct config *c, const char *handle)
{
	const struct domain	*d;

	TAILQ_FOREACH(d, &c->domains, entry)
		if (strcmp(d->handle, handle) == 0)
			return 1;
	return 0;
}

/* Logs the domains a reload from the configuration o to n removes, adds. */
static void
domains_changed(const struct config *o, const struct config *n)
{
	const struct domain	*d;

	TAILQ_FOREACH(d, &o->domains, entry)
		if (!has_domain(n, d->handle))
			log_info("domain %s: removed by the reload (its "
			    "certificate and key files are left in place)",
			    d->handle);
	TAILQ_FOREACH(d, &n->domains, entry)
		if (!has_domain(o, d->handle))
			log_info("domain %s: added by the reload", d->handle);
}

static int
reload_config(void)
{
	struct config	*nconf, *oconf;

	/* Before anything is logged: logrotate may have moved it away. */
	(void)logfile_open(conf->log_file);
	log_info("reloading %s", conf->file);
	if ((nconf = config_parse(conf->file, 1)) == NULL) {
		log_warnx("%s has errors: keeping the running configuration",
		    conf->file);
		return -1;
	}
	/* Reloads owed for installed certificates run before the change. */
	if (actions_pending())
		actions_run_pending(conf, actions_done);
	domains_changed(conf, nconf);
	children_stop();
	dstates_free();
	oconf = conf;
	conf = nconf;
	(void)listeners_rebind();
	config_free(oconf);
	(void)logfile_open(conf->log_file);
	dstates_build();
	/* Started now: a restart still pending would start them twice. */
	restart_at = 0;
	if (children_start() == -1) {
		children_restart_later("could not start the processes");
		return -1;
	}
	log_info("configuration reloaded: %zu certificates", ndstates);
	if (!oneshot)
		(void)provisional_all();
	return 0;
}

/* netproc and challenged have their configuration and their sandbox. */
static int
children_are_ready(void)
{
	return children[PROC_NETPROC].ready &&
	    children[PROC_CHALLENGED].ready;
}

/*
 * Waits, at most secs seconds, until done() says so: what the children
 * send meanwhile is handled as the loop would.  -1 (logged, with how a
 * child ended) if one ends or done() is late.
 */
static int
children_wait(int (*done)(void), int secs)
{
	struct pollfd	 pfd[PROC_MAX];
	char		 why[256];
	time_t		 left, deadline = time(NULL) + secs;
	int		 p;

	while (!done()) {
		if ((left = deadline - time(NULL)) <= 0) {
			log_warnx("the processes did not answer within %d s",
			    secs);
			return -1;
		}
		pfd[PROC_PARENT].fd = -1;
		for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
			pfd[p].fd = ichan_fd(children[p].chan);
			pfd[p].events = POLLIN;
			if (ichan_queued(children[p].chan) > 0)
				pfd[p].events |= POLLOUT;
		}
		if (poll(pfd, PROC_MAX, (int)left * 1000) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
			if (((pfd[p].revents & POLLOUT) &&
			    ichan_flush(children[p].chan) == -1) ||
			    ((pfd[p].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    child_input(p) == -1)) {
				(void)children_ended(p, why, sizeof(why));
				log_warnx("%s", why);
				return -1;
			}
		}
	}
	return 0;
}

/*
 * A daemon's start is seen through by the command that started it: the
 * process forks at once and the child starts everything, its standard
 * error still that of the command, while the parent waits on a pipe.  It
 * exits 0 once the child says it is ready (its children up, sandboxed
 * and configured, every key and provisional certificate written), or
 * with the child's status if the child ends first, the reason on standard
 * error: an rc script or systemd (Type=forking) learns whether acmed
 * runs, and why not, as sshd and OpenBSD's daemons tell theirs.  Detaching
 * late instead would kill the children, whose parent-death signal fires
 * when the process that started them exits.
 */
static void
start_detach(void)
{
	pid_t	 pid;
	ssize_t	 n;
	char	 c;
	int	 p[2], status;

	if (pipe2(p, O_CLOEXEC) == -1)
		err(1, "pipe");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		close(p[0]);
		start_pipe = p[1];
		if (setsid() == -1)
			err(1, "setsid");
		if (chdir("/") == -1)
			err(1, "chdir /");
		/* Logged to syslog, and until the start is done to stderr. */
		log_keep_stderr();
		log_tostderr(1);
		log_init(0, verbose, "acmed");
		return;
	}
	close(p[1]);
	while ((n = read(p[0], &c, 1)) == -1 && errno == EINTR)
		;
	if (n == 1)
		_exit(0);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			_exit(1);
	if (WIFSIGNALED(status))
		fprintf(stderr, "acmed: killed by signal %d (%s) while "
		    "starting\n", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	_exit(WIFEXITED(status) && WEXITSTATUS(status) != 0 ?
	    WEXITSTATUS(status) : 1);
}

/* Started: the command that waits is told, the terminal let go. */
static void
start_done(void)
{
	int	 fd;

	if (start_pipe == -1)
		return;
	log_tostderr(0);
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1)
		fatal("dup2");
	if (fd > STDERR_FILENO)
		close(fd);
	if (write(start_pipe, "", 1) != 1)
		log_warn("telling the start it is done");
	close(start_pipe);
	start_pipe = -1;
}

/*
 * After -r or -k: a daemon running for the same state directory is told
 * (signo: SIGUSR1 to request at once what was revoked, SIGHUP to read
 * the changed keys, and after keyCompromise to request with the new
 * domain keys), or the command to run is printed; what was done goes to
 * syslog too.
 */
static void
tell_daemon(int signo, char **names, int n)
{
	char	 list[1024];
	pid_t	 pid;
	int	 i;

	if ((pid = daemon_running(conf->state_dir)) > 0) {
		if (kill(pid, signo) == -1)
			log_warn("could not signal the running daemon (pid %ld)",
			    (long)pid);
		else if (signo == SIGUSR1)
			audit("sent SIGUSR1 to the running daemon (pid %ld): "
			    "it requests the new certificates now", (long)pid);
		else if (revoking)
			audit("sent SIGHUP to the running daemon (pid %ld): "
			    "it reads the new domain keys and requests the new "
			    "certificates now", (long)pid);
		else
			audit("sent SIGHUP to the running daemon (pid %ld): "
			    "it reads the new account keys now", (long)pid);
		return;
	}
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		strlcat(list, " ", sizeof(list));
		strlcat(list, names[i], sizeof(list));
	}
	if (revoking)
		fprintf(stderr, "no daemon runs for %s: to request the new "
		    "certificates now, run: acmed -o -f %s%s\n",
		    conf->state_dir, conf->file, list);
	else
		fprintf(stderr, "no daemon runs for %s: it reads the new "
		    "account keys when it starts: acmed -f %s\n",
		    conf->state_dir, conf->file);
}

/*
 * -F: the renewals are asked for in the state directory.  A daemon
 * running for it is told and does them (it holds the challenge port):
 * 1.  Without one, this pass does them, as -o does; 0.
 */
static int
force_ask(void)
{
	size_t	 i;
	pid_t	 pid;
	time_t	 now = time(NULL);

	for (i = 0; i < ndstates; i++) {
		if (renew_ask(&dstates[i], now) == -1)
			errx(1, "%s: the renewal could not be asked for in %s",
			    dstates[i].d->handle, conf->state_dir);
		audit("-F: domain %s (authority %s): renewal asked for",
		    dstates[i].d->handle, dstates[i].d->auth->name);
	}
	if ((pid = daemon_running(conf->state_dir)) <= 0)
		return 0;
	if (kill(pid, SIGUSR1) == -1)
		err(1, "could not signal the running daemon (pid %ld); it "
		    "renews them at its next check or start", (long)pid);
	audit("sent SIGUSR1 to the running daemon (pid %ld): it renews the "
	    "certificates now", (long)pid);
	fprintf(stderr, "asked the running daemon (pid %ld) to renew %zu "
	    "certificate%s now: acmed -s shows the outcome\n", (long)pid,
	    ndstates, ndstates == 1 ? "" : "s");
	return 1;
}

/* -r: each domain's outcome, for the audit trail, then the daemon told. */
static void
revoke_report(char **names, int n)
{
	size_t	 i;
	int	 any = 0;

	for (i = 0; i < ndstates; i++) {
		audit("-r: domain %s (authority %s): %s (reason %s)",
		    dstates[i].d->handle, fallback_issuer(&dstates[i])->name,
		    dstates[i].result == 0 ? "certificate revoked" :
		    "not revoked (see above)",
		    revoke_reason_name(revoke_reason));
		any |= dstates[i].result == 0;
	}
	/* keyCompromise made new domain keys, which the daemon must read. */
	if (any)
		tell_daemon(revoke_reason == REVOKE_KEY_COMPROMISE ? SIGHUP :
		    SIGUSR1, names, n);
}

/*
 * Before a name's first order, the preflight: its answers come as the
 * order runs, and hold nothing back.  An issued certificate's names were
 * validated; an order resumed was placed after a preflight.  Decided at
 * the first attempt after a start: an order that replaces the resumed
 * one later is not a first.
 */
static void
first_preflight(struct dstate *ds)
{
	if (ds->state != CERT_ISSUED && ds->order_url == NULL &&
	    !revoking && preflight_start(ds) == -1)
		log_warnx("%s: the preflight could not be given to netproc",
		    ds->d->handle);
	ds->preflighted = 1;
}

static int
parent_loop(int sigfd)
{
	struct pollfd		 pfd[PROC_MAX];
	struct signalfd_siginfo	 si;
	time_t			 now, next;
	size_t			 i;
	int			 n, p, timeout, status;

	for (;;) {
		now = time(NULL);
		if (restart_at != 0 && now >= restart_at) {
			restart_at = 0;
			if (children_start() == -1)
				children_restart_later("could not start the "
				    "processes");
		}
		next = now + conf->check_interval;
		for (i = 0; i < ndstates; i++) {
			if (dstates[i].issuing)
				continue;
			if (oneshot && dstates[i].result != 1)
				continue;
			if (revoking) {
				if (restart_at == 0 &&
				    children[PROC_NETPROC].chan != NULL)
					revoke_start(&dstates[i]);
				continue;
			}
			if (oneshot && dstates[i].state == CERT_ISSUED &&
			    renewal_time(&dstates[i]) > now &&
			    dstates[i].renew_asked == 0) {
				oneshot_not_due(&dstates[i]);
				continue;
			}
			if (dstates[i].next <= now && restart_at == 0 &&
			    children[PROC_NETPROC].chan != NULL) {
				if (dstate_due(&dstates[i], now)) {
					first_preflight(&dstates[i]);
					issue_start(&dstates[i]);
				} else if (oneshot && dstates[i].result == 1)
					dstates[i].result = 0;
			}
			if (!dstates[i].issuing && dstates[i].next < next)
				next = dstates[i].next;
		}
		next = housekeeping(now, next);
		if (oneshot && oneshot_done(&status))
			return status;
		if (restart_at != 0 && restart_at < next)
			next = restart_at;
		timeout = next <= now ? 0 : (next - now > 3600 ? 3600000 :
		    (int)(next - now) * 1000);

		pfd[0].fd = sigfd;
		pfd[0].events = POLLIN;
		for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
			pfd[p].fd = -1;
			pfd[p].events = 0;
			if (children[p].chan == NULL)
				continue;
			pfd[p].fd = ichan_fd(children[p].chan);
			pfd[p].events = POLLIN;
			if (ichan_queued(children[p].chan) > 0)
				pfd[p].events |= POLLOUT;
		}
		if ((n = poll(pfd, PROC_MAX, timeout)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & POLLIN) {
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			switch (si.ssi_signo) {
			case SIGHUP:
				if (!oneshot) {
					(void)reload_config();
					continue;
				}
				/* A one-shot pass ends. */
				/* FALLTHROUGH */
			case SIGTERM:
			case SIGINT:
				log_info("%s: shutting down",
				    strsignal(si.ssi_signo));
				/* A pass cut short is not a pass. */
				if (oneshot)
					return oneshot_done(&status) ?
					    status : 1;
				return 0;
			case SIGUSR1:
				log_info("checking every certificate now");
				for (i = 0; i < ndstates; i++)
					dstates[i].next = now;
				break;
			case SIGCHLD:
				children_lost(PROC_PARENT);
				continue;
			}
		}
		for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
			if (children[p].chan == NULL || pfd[p].fd == -1)
				continue;
			if ((pfd[p].revents & POLLOUT) &&
			    ichan_flush(children[p].chan) == -1) {
				children_restart_later("lost a channel");
				break;
			}
			if ((pfd[p].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    child_input(p) == -1) {
				children_lost(p);
				break;
			}
		}
		if (fleet_restart) {
			fleet_restart = 0;
			children_restart_resume("fleet: the account key "
			    "changed");
		}
	}
}

int
main(int argc, char *argv[])
{
	const char	*file = CONF_FILE;
	static const int stops[] = { SIGTERM, SIGINT, SIGHUP };
	sigset_t	 mask, stop;
	size_t		 i;
	int		 ch, statusonly = 0, checkonly = 0, json = 0, sigfd;
	int		 status, reason = -1;

	/* libcrypto frees nothing at exit: the process takes it all along. */
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL))
		errx(1, "libcrypto initialisation failed");
	/*
	 * The status file is made in memory after every change (about 10 MB
	 * for 10,000 certificates): large buffers come from mmap and go back
	 * when freed, rather than staying resident in the heap once glibc
	 * has raised its threshold past the first of them.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	while ((ch = getopt(argc, argv, "dDFf:hjknorR:stvV")) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'D':
			deactivating = 1;
			break;
		case 'F':
			forcing = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'h':
			usage(0);
		case 'j':
			json = 1;
			break;
		case 'k':
			rolling = 1;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'o':
			oneshot = 1;
			break;
		case 'r':
			revoking = 1;
			break;
		case 'R':
			if ((reason = revoke_reason_parse(optarg)) == -1)
				errx(1, "-R %s: not a reason acmed gives: "
				    "unspecified, keyCompromise, "
				    "affiliationChanged, superseded or "
				    "cessationOfOperation", optarg);
			revoke_reason = (unsigned int)reason;
			break;
		case 's':
			statusonly = 1;
			break;
		case 't':
			dryrun = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("acmed %s\n", ACMED_VERSION);
			exit(0);
		default:
			usage(1);
		}
	}
	argc -= optind;
	argv += optind;

	/* Revocation cannot be undone: the domains are named. */
	if ((argc > 0 && !oneshot && !revoking && !rolling && !forcing &&
	    !deactivating && !dryrun) ||
	    ((revoking || forcing) && argc == 0) ||
	    (reason != -1 && !revoking) || (deactivating && argc != 2) ||
	    checkonly + statusonly + oneshot + revoking + rolling + forcing +
	    deactivating + dryrun > 1 ||
	    (json && !statusonly))
		usage(1);
	/* -D is about an account, as -k is: it shares its course. */
	if (deactivating)
		rolling = 1;
	if (revoking || rolling || forcing || dryrun)
		oneshot = 1;
	/*
	 * Descriptors left open by whoever started us are not ours to hand
	 * on to reload actions and the event hook, which run as root.
	 */
	closefrom(STDERR_FILENO + 1);
	if (!rolling) {
		only_domains = argv;
		nonly_domains = argc;
	}

	log_init(1, verbose, "acmed");
	if (statusonly)
		exit(status_show(file, json));
	if ((conf = config_parse(file, 1)) == NULL)
		exit(1);
	if (checkonly) {
		if (verbose)
			config_dump(conf);
		fprintf(stderr, "configuration OK\n");
		if (conf->unchecked > 0)
			fprintf(stderr, "but %d %s could not be checked as "
			    "uid %u (see above): check again as root\n",
			    conf->unchecked, conf->unchecked == 1 ? "file" :
			    "files", (unsigned int)geteuid());
		exit(0);
	}
	if (geteuid() != 0)
		errx(1, "need root privileges");
	if (dryrun && dryrun_prepare() == -1)
		exit(1);
	if (logfile_open(conf->log_file) == -1)
		exit(1);
	if (oneshot)
		foreground = 1;

	if (helpers_open() == -1)
		exit(1);
	/* What netproc sends as it stops is handled as the loop would. */
	children_netproc_handler(dispatch_netproc);
	if (state_init(conf->state_dir) == -1)
		exit(1);
	if (dryrun)
		dryrun_accounts();
	if (mkdir(conf->empty_dir, 0755) == -1 && errno != EEXIST)
		err(1, "%s", conf->empty_dir);
	/* A key change is about accounts, not certificates. */
	if (deactivating ? deactivate_check(argv, argc) == -1 :
	    rolling && rollover_check(argv, argc) == -1)
		exit(1);
	if (!rolling)
		dstates_build();
	if (nonly_domains > 0 && ndstates != (size_t)nonly_domains)
		errx(1, "unknown domain among the arguments");
	if (forcing && force_ask() == 1)
		exit(0);
	if (!foreground)
		start_detach();
	/*
	 * Revoking and changing keys answer no challenge and run beside a
	 * daemon, which keeps port 80; the daemon and -o run alone.
	 */
	if (!revoking && !rolling && (lock_take(conf->state_dir) == -1 ||
	    listeners_bind() == -1))
		exit(1);
	if (!revoking && !rolling)
		dns_cleanup();

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		fatal("sigprocmask");
	if ((sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	signal(SIGPIPE, SIG_IGN);

	log_info("starting: %zu certificates, %zu listeners", ndstates,
	    nlisteners);
	if (preflight_marker_make() == -1)
		exit(1);
	if (children_start() == -1 ||
	    ((start_pipe != -1 || dryrun) &&
	    children_wait(children_are_ready, START_WAIT) == -1)) {
		children_stop();
		fatalx("could not start the processes");
	}
	/* A run that ended between a certificate and its key is finished. */
	if (!revoking && !rolling)
		keys_pending_finish();
	if (!oneshot && provisional_all() == -1) {
		children_stop();
		fatalx("could not install the provisional certificates");
	}
	/* Written before the start is done: systemd reads it then. */
	if (!foreground && pid_file_write(conf->pid_file) == -1) {
		children_stop();
		exit(1);
	}
	if (!revoking && !rolling)
		status_starting(conf, ndstates);
	start_done();
	if (rolling) {
		/*
		 * No loop reads the signals: SIGTERM, SIGINT and SIGHUP stop
		 * -k at once, and the next -k finds out whether the
		 * authority took the key.
		 */
		sigemptyset(&stop);
		for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
			sigaddset(&stop, stops[i]);
			signal(stops[i], rollover_stop);
		}
		if (sigprocmask(SIG_UNBLOCK, &stop, NULL) == -1)
			fatal("sigprocmask");
		status = deactivating ? deactivate_run(argv[0]) :
		    rollover_all(argv, argc);
		if (rollover_changed > 0)
			tell_daemon(SIGHUP, argv, argc);
	} else if (dryrun && dryrun_preflight(children_wait) == -1)
		status = 1;
	else
		status = parent_loop(sigfd);
	if (revoking)
		revoke_report(argv, argc);
	if (dryrun && dryrun_report() != 0)
		status = 1;
	/* Reloads owed for installed certificates run before the end. */
	if (actions_pending()) {
		actions_run_pending(conf, actions_done);
		if (oneshot && !rolling && !oneshot_done(&status))
			status = 1;
	}
	children_stop();
	if (status_dirty)
		status_flush(time(NULL));
	if (!foreground)
		pid_file_remove(conf->pid_file);
	return status;
}
