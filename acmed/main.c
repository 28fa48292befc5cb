/*
 * acmed: the parent process.
 *
 * Holds: the configuration (read as root), the listening sockets for the
 * challenge server, the state directory and the certificate files.
 * Does: starts netproc, keyproc and challenged (their own programs,
 * opened once at start), hands each what it needs (key descriptors,
 * sockets, the authorities), schedules issuance and renewal, verifies and
 * installs what netproc brings back, runs reload actions and the event
 * hook; with -r revokes certificates, with -k changes account keys.
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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static __attribute__((__noreturn__)) void
usage(void)
{
	fprintf(stderr, "usage: acmed [-dnosv] [-f file] [domain ...]\n"
	    "       acmed -r [-dv] [-f file] domain ...\n"
	    "       acmed -k [-dv] [-f file] [authority ...]\n");
	exit(1);
}

/*
 * -k stopped by a signal: exit 1 at once.  The children are killed at once
 * by their parent-death signal, netproc in the middle of a request too.
 */
static void
rollover_stop(int sig)
{
	static const char msg[] = "acmed: -k stopped by a signal\n";
	ssize_t		  n;

	(void)sig;
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

static int
reload_config(void)
{
	struct config	*nconf;

	log_info("reloading %s", conf->file);
	if ((nconf = config_parse(conf->file, 1)) == NULL) {
		log_warnx("%s has errors: keeping the running configuration",
		    conf->file);
		return -1;
	}
	/* Reloads owed for installed certificates run before the change. */
	if (actions_pending())
		actions_run_pending(conf, actions_done);
	children_stop();
	dstates_free();
	config_free(conf);
	conf = nconf;
	dstates_build();
	/* Started now: a restart still pending would start them twice. */
	restart_at = 0;
	if (children_start() == -1) {
		children_restart_later("could not start the processes");
		return -1;
	}
	log_info("configuration reloaded: %zu certificates", ndstates);
	if (!oneshot)
		provisional_all();
	return 0;
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
			    renewal_time(&dstates[i]) > now) {
				dstates[i].result = 0;	/* nothing due */
				continue;
			}
			if (dstates[i].next <= now && restart_at == 0 &&
			    children[PROC_NETPROC].chan != NULL) {
				if (dstate_due(&dstates[i], now))
					issue_start(&dstates[i]);
				else if (oneshot && dstates[i].result == 1)
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
	}
}

int
main(int argc, char *argv[])
{
	const char	*file = CONF_FILE;
	static const int stops[] = { SIGTERM, SIGINT, SIGHUP };
	sigset_t	 mask, stop;
	size_t		 i;
	int		 ch, statusonly = 0, checkonly = 0, sigfd, status;

	/* libcrypto frees nothing at exit: the process takes it all along. */
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL))
		errx(1, "libcrypto initialisation failed");
	while ((ch = getopt(argc, argv, "df:knorsv")) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'f':
			file = optarg;
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
		case 's':
			statusonly = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	/* Revocation cannot be undone: the domains are named. */
	if ((argc > 0 && !oneshot && !revoking && !rolling) ||
	    (revoking && argc == 0) || oneshot + revoking + rolling > 1)
		usage();
	if (revoking || rolling)
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
	if ((conf = config_parse(file, 1)) == NULL)
		exit(1);
	if (statusonly)
		exit(status_print(conf->state_dir) == 0 ? 0 : 1);
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
	if (oneshot)
		foreground = 1;

	if (helpers_open() == -1)
		exit(1);
	if (state_init(conf->state_dir) == -1)
		exit(1);
	if (mkdir(conf->empty_dir, 0755) == -1 && errno != EEXIST)
		err(1, "%s", conf->empty_dir);
	/* A key change is about accounts, not certificates. */
	if (rolling && rollover_check(argv, argc) == -1)
		exit(1);
	if (!rolling)
		dstates_build();
	if (nonly_domains > 0 && ndstates != (size_t)nonly_domains)
		errx(1, "unknown domain among the arguments");
	/*
	 * Revoking and changing keys answer no challenge: a running daemon
	 * keeps port 80.
	 */
	if (!revoking && !rolling && listeners_bind() == -1)
		exit(1);

	if (!foreground && daemon(0, 0) == -1)
		err(1, "daemon");
	log_init(foreground, verbose, "acmed");

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
	if (children_start() == -1) {
		children_stop();
		fatalx("could not start the processes");
	}
	if (!oneshot)
		provisional_all();
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
		status = rollover_all(argv, argc);
	} else
		status = parent_loop(sigfd);
	/* Reloads owed for installed certificates run before the end. */
	if (actions_pending()) {
		actions_run_pending(conf, actions_done);
		if (oneshot && !rolling && !oneshot_done(&status))
			status = 1;
	}
	children_stop();
	if (status_dirty)
		status_flush(time(NULL));
	return status;
}
