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
 * measure: runs one command, or the commands of a file one after the
 * other, and reports what they cost together:
 *
 *	wall	elapsed time from the first fork to the last exit
 *	user	user CPU of every descendant (RUSAGE_CHILDREN; this
 *	sys	process is a child subreaper, so orphans count too)
 *	maxrss	the largest resident set of any single descendant
 *	pss	the largest sum, over the samples, of the proportional set
 *		size of all live descendants, sampled every -i milliseconds
 *		from /proc/PID/smaps_rollup
 *	uss	the same for their private pages only (PSS also counts a
 *		share of library pages that other programs map as well, so
 *		it moves with whatever else runs; USS does not)
 *
 * usage: measure [-b src:dst] [-i ms] [-l log] [-t seconds]
 *	      (-f file | -- command [arg ...])
 *
 * -b bind-mounts src over dst in a private mount namespace first (a client
 * without a CA option trusts a test CA that way).  -f runs one command per
 * line, words separated by blanks, no quoting, stopping at the first that
 * fails.  -l sends the commands' output there.  -t bounds the whole run:
 * past it every descendant is killed and rc is 124.  The result is one
 * line on stdout:
 *
 *	wall_ms=N user_ms=N sys_ms=N maxrss_kb=N pss_kb=N uss_kb=N
 *	procs=N rc=N stray=N
 */
#include <sys/types.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS	4096
#define MAX_ARGS	256
#define MAX_LINE	8192

static pid_t	 self;
static long	 peak_pss, peak_uss;
static int	 peak_procs;

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: measure [-b src:dst] [-i ms] [-l log] "
	    "[-t seconds] (-f file | -- command [arg ...])\n");
	exit(2);
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The parent pid of pid, from /proc/pid/stat (the name may hold blanks). */
static pid_t
ppid_of(pid_t pid)
{
	char	 path[64], buf[512], *p;
	ssize_t	 n;
	int	 fd;
	long	 pp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 1, " %*c %ld", &pp) != 1)
		return -1;
	return (pid_t)pp;
}

static void
pss_of(pid_t pid, long *pss, long *uss)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "Pss: %ld kB", &kb) == 1)
			*pss += kb;
		else if (sscanf(line, "Private_Clean: %ld kB", &kb) == 1 ||
		    sscanf(line, "Private_Dirty: %ld kB", &kb) == 1)
			*uss += kb;
	}
	fclose(f);
}

/*
 * Every live descendant of this process, into pids; their number.  The
 * parent of a pid is read once and remembered (pids are not reused within
 * a run), so a sample costs a readdir of /proc and a stat of each new
 * process, not of every process on the system; a process whose parent
 * has gone is read again (orphans come to this subreaper).
 */
static pid_t	 known[MAX_PROCS], known_par[MAX_PROCS];
static int	 nknown;

static pid_t
parent_of(pid_t pid, int fresh)
{
	int	 i;

	for (i = 0; i < nknown; i++)
		if (known[i] == pid) {
			if (fresh)
				known_par[i] = ppid_of(pid);
			return known_par[i];
		}
	if (nknown == MAX_PROCS)
		return ppid_of(pid);
	known[nknown] = pid;
	known_par[nknown] = ppid_of(pid);
	return known_par[nknown++];
}

static int
descendants(pid_t *pids, int max)
{
	static pid_t	 all[MAX_PROCS], par[MAX_PROCS];
	DIR		*d;
	struct dirent	*de;
	int		 n = 0, nd = 0, i, j, grew;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < MAX_PROCS) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		all[n] = (pid_t)atoi(de->d_name);
		if ((par[n] = parent_of(all[n], 0)) != -1)
			n++;
	}
	closedir(d);
	/* A parent gone since: the process was reparented; read it again. */
	for (i = 0; i < n; i++) {
		if (par[i] == self || par[i] <= 1)
			continue;
		for (j = 0; j < n; j++)
			if (all[j] == par[i])
				break;
		if (j == n)
			par[i] = parent_of(all[i], 1);
	}
	/* Parents come before children in pid order almost always; loop. */
	do {
		grew = 0;
		for (i = 0; i < n; i++) {
			if (all[i] == 0)
				continue;
			if (par[i] != self) {
				for (j = 0; j < nd; j++)
					if (pids[j] == par[i])
						break;
				if (j == nd)
					continue;
			}
			if (nd < max)
				pids[nd++] = all[i];
			all[i] = 0;
			grew = 1;
		}
	} while (grew);
	return nd;
}

static void
sample(void)
{
	static pid_t	 pids[MAX_PROCS];
	long		 pss = 0, uss = 0;
	int		 n, i;

	n = descendants(pids, MAX_PROCS);
	for (i = 0; i < n; i++)
		pss_of(pids[i], &pss, &uss);
	if (pss > peak_pss)
		peak_pss = pss;
	if (uss > peak_uss)
		peak_uss = uss;
	if (n > peak_procs)
		peak_procs = n;
}

static void
kill_all(void)
{
	static pid_t	 pids[MAX_PROCS];
	int		 n, i;

	n = descendants(pids, MAX_PROCS);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
}

/*
 * Runs argv and waits for it, sampling memory meanwhile; its exit status
 * as a shell would give it, 124 past the deadline.
 */
static int
run(char **argv, int logfd, long interval_ms, double deadline)
{
	sigset_t	 set;
	struct timespec	 ts;
	pid_t		 pid, w;
	int		 status;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	switch (pid = fork()) {
	case -1:
		err(1, "fork");
	case 0:
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		if (logfd != -1) {
			dup2(logfd, 1);
			dup2(logfd, 2);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "measure: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	ts.tv_sec = interval_ms / 1000;
	ts.tv_nsec = (interval_ms % 1000) * 1000000L;
	for (;;) {
		/* Reap every exited descendant; stop when ours is among them. */
		while ((w = waitpid(-1, &status, WNOHANG)) > 0)
			if (w == pid)
				goto done;
		if (now_ms() > deadline) {
			kill_all();
			while ((w = waitpid(-1, &status, 0)) > 0)
				;
			return 124;
		}
		sample();
		if (sigtimedwait(&set, NULL, &ts) == -1 && errno != EAGAIN &&
		    errno != EINTR)
			err(1, "sigtimedwait");
	}
done:
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* Orphans left behind are waited for a little, then killed. */
static int
reap_rest(void)
{
	static pid_t	 pids[MAX_PROCS];
	double		 until = now_ms() + 2000;
	int		 n;

	while ((n = descendants(pids, MAX_PROCS)) > 0 && now_ms() < until) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		usleep(5000);
	}
	if (n > 0) {
		kill_all();
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
	return n;
}

static void
bind_over(char *spec)
{
	char	*dst;

	if ((dst = strchr(spec, ':')) == NULL)
		usage();
	*dst++ = '\0';
	if (unshare(CLONE_NEWNS) == -1)
		err(1, "unshare");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		err(1, "mount private /");
	if (mount(spec, dst, NULL, MS_BIND, NULL) == -1)
		err(1, "bind %s over %s", spec, dst);
}

int
main(int argc, char *argv[])
{
	struct rusage	 ru;
	sigset_t	 set;
	FILE		*f = NULL;
	char		 line[MAX_LINE], *av[MAX_ARGS], *p, *file = NULL;
	const char	*errstr = NULL;
	double		 t0, t1, deadline;
	long		 interval_ms = 10, limit_s = 3600;
	int		 ch, logfd = -1, rc = 0, n, stray;

	while ((ch = getopt(argc, argv, "b:f:i:l:t:")) != -1) {
		switch (ch) {
		case 'b':
			bind_over(optarg);
			break;
		case 'f':
			file = optarg;
			break;
		case 'i':
			interval_ms = strtol(optarg, NULL, 10);
			if (interval_ms < 1 || interval_ms > 10000)
				errstr = "interval";
			break;
		case 'l':
			logfd = open(optarg, O_WRONLY | O_CREAT | O_APPEND |
			    O_CLOEXEC, 0644);
			if (logfd == -1)
				err(1, "%s", optarg);
			break;
		case 't':
			limit_s = strtol(optarg, NULL, 10);
			if (limit_s < 1 || limit_s > 86400)
				errstr = "time limit";
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (errstr != NULL)
		errx(2, "bad %s", errstr);
	if ((file == NULL) == (argc == 0))
		usage();
	if (file != NULL && (f = fopen(file, "re")) == NULL)
		err(1, "%s", file);

	self = getpid();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		err(1, "PR_SET_CHILD_SUBREAPER");
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);

	t0 = now_ms();
	deadline = t0 + limit_s * 1e3;
	if (f == NULL)
		rc = run(argv, logfd, interval_ms, deadline);
	else {
		while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
			n = 0;
			for (p = strtok(line, " \t\n"); p != NULL &&
			    n < MAX_ARGS - 1; p = strtok(NULL, " \t\n"))
				av[n++] = p;
			av[n] = NULL;
			if (n == 0 || av[0][0] == '#')
				continue;
			rc = run(av, logfd, interval_ms, deadline);
		}
		fclose(f);
	}
	t1 = now_ms();
	stray = reap_rest();
	if (getrusage(RUSAGE_CHILDREN, &ru) == -1)
		err(1, "getrusage");
	printf("wall_ms=%.1f user_ms=%.1f sys_ms=%.1f maxrss_kb=%ld "
	    "pss_kb=%ld uss_kb=%ld procs=%d rc=%d stray=%d\n", t1 - t0,
	    ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
	    ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3,
	    ru.ru_maxrss, peak_pss, peak_uss, peak_procs, rc, stray);
	return 0;
}
