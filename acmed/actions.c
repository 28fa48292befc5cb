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
 * What the parent runs for the administrator: reload actions after an
 * installation (a command without a shell, a shell line, or a signal to
 * the pid in a file) and the event hook.  Each command runs with a
 * timeout; its exit status and output are logged.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <grp.h>
#include <pwd.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "parent.h"
#include "trust.h"

#define OUTPUT_MAX	4096	/* bytes of a command's output logged */
#define PIDFILE_MAX	64
#define WAIT_TICK_MS	100	/* how often a running command is looked at */

/*
 * Adds what a command wrote to out, keeping the first OUTPUT_MAX bytes.
 * Returns 0 once the pipe is closed, 1 while more may come.
 */
static int
output_read(int fd, struct buf *out)
{
	char	 chunk[512];
	ssize_t	 n;
	int	 i;

	/* Bounded, so that a command writing without end cannot hold us. */
	for (i = 0; i < 64; i++) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 1 : 0;
		}
		if (n == 0)
			return 0;
		if (out->len < OUTPUT_MAX)
			(void)buf_add(out, chunk, (size_t)n <
			    OUTPUT_MAX - out->len ? (size_t)n :
			    OUTPUT_MAX - out->len);
	}
	return 1;
}

/* Why a command failed, for an error message: how it ended, its output. */
static void
run_why(char *why, size_t len, const char *how, const struct buf *out)
{
	const char	*p;
	size_t		 n;
	int		 k;

	if (why == NULL)
		return;
	if ((k = snprintf(why, len, "%s", how)) < 0 || (size_t)k >= len)
		return;
	n = (size_t)k;
	if (out->len > 0 && n + 3 < len) {
		why[n++] = ':';
		why[n++] = ' ';
	}
	/* its output, lines joined, bounded by the message */
	for (p = (const char *)out->data; p < (const char *)out->data +
	    out->len && n + 2 < len; p++)
		why[n++] = *p == '\n' ? ';' : (*p < ' ' ? ' ' : *p);
	while (n > 0 && (why[n - 1] == ';' || why[n - 1] == ' '))
		n--;
	why[n] = '\0';
}

/*
 * Runs argv with envp (NULL: a minimal environment) as pw's user (NULL:
 * root), waits at most timeout seconds (then kills it), logs its output.
 * 0 if it exited 0; else -1, with how it ended and its output in why.
 */
int
run_as(const char *what, char *const argv[], char *const envp[],
    int timeout, const struct passwd *pw, char *why, size_t whylen)
{
	char			 how[64];
	static char *const	 defenv[] = {
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	struct pollfd		 pfd;
	struct buf		 out;
	char			*line, *nl, *copy;
	time_t			 deadline;
	ssize_t			 n;
	pid_t			 pid;
	sigset_t		 mask;
	int			 p[2], status, rc = -1, killed = 0, exited = 0;

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", what);
		return -1;
	}
	switch (pid = fork()) {
	case -1:
		log_warn("%s: fork", what);
		close(p[0]);
		close(p[1]);
		return -1;
	case 0:
		sigemptyset(&mask);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		if (dup2(p[1], STDOUT_FILENO) == -1 ||
		    dup2(p[1], STDERR_FILENO) == -1)
			_exit(127);
		if ((n = open("/dev/null", O_RDONLY | O_CLOEXEC)) != -1)
			dup2((int)n, STDIN_FILENO);
		/* none of the daemon's descriptors, whatever their flags */
		if (close_range(3, ~0U, 0) == -1)
			_exit(126);
		if (pw != NULL && (setgroups(1, &pw->pw_gid) == -1 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1 ||
		    chdir("/") == -1)) {
			dprintf(STDERR_FILENO, "user %s: %s\n", pw->pw_name,
			    strerror(errno));
			_exit(126);
		}
		setsid();
		execve(argv[0], argv, envp ? envp : defenv);
		dprintf(STDERR_FILENO, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	buf_init(&out, OUTPUT_MAX);
	deadline = time(NULL) + timeout;
	pfd.fd = p[0];
	pfd.events = POLLIN;
	/*
	 * Wait for the command itself, not for the end of its output: a
	 * process it leaves in the background may hold the pipe open for as
	 * long as it runs, and must neither block the parent nor be killed.
	 */
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			if (pfd.fd != -1)
				(void)output_read(p[0], &out);
			break;
		}
		if (time(NULL) >= deadline) {
			log_warnx("%s: still running after %d s: killed", what,
			    timeout);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		/* After the end of its output it is usually about to exit. */
		if (poll(&pfd, pfd.fd == -1 ? 0 : 1, pfd.fd == -1 ?
		    WAIT_TICK_MS / 10 : WAIT_TICK_MS) > 0 &&
		    output_read(p[0], &out) == 0)
			pfd.fd = -1;
	}
	close(p[0]);
	while (!exited && waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if ((line = buf_cstr(&out)) != NULL)
		line = strdup(line);
	for (copy = line; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		log_info("%s: %s", what, line);
	}
	free(copy);
	if (killed)
		snprintf(how, sizeof(how), "still running after %d s: killed",
		    timeout);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_debug("%s: done", what);
		rc = 0;
	} else if (WIFEXITED(status))
		snprintf(how, sizeof(how), "exited with status %d",
		    WEXITSTATUS(status));
	else
		snprintf(how, sizeof(how), "killed by signal %d",
		    WTERMSIG(status));
	/* a caller given why logs it, with the output */
	if (rc == -1 && why != NULL)
		run_why(why, whylen, how, &out);
	else if (rc == -1 && !killed)
		log_warnx("%s: %s", what, how);
	buf_free(&out);
	return rc;
}

static int
run_command(const char *what, char *const argv[], char *const envp[],
    int timeout)
{
	return run_as(what, argv, envp, timeout, NULL, NULL, 0);
}

/*
 * A program run as root, checked again before each run (trust.c): it may
 * have been made, or changed hands, since the configuration was read.
 */
int
program_trusted(const char *what, const char *path)
{
	char	 why[TRUST_WHY_MAX];
	int	 fd;

	if ((fd = trust_open(path, TRUST_PROGRAM | TRUST_LOOK, TRUST_NOGROUP,
	    why, sizeof(why))) == -1) {
		log_warnx("%s: %s: %s: not run", what, path, why);
		return 0;
	}
	close(fd);
	return 1;
}

/*
 * Whoever can write the pid file chooses the process root signals: the
 * file is checked as it is read, each time, and neither init nor acmed
 * itself is signalled.
 */
static int
signal_pidfile(const struct action *a)
{
	char	*data, *end, why[TRUST_WHY_MAX];
	size_t	 len;
	long	 pid;
	int	 fd;

	if ((fd = trust_open(a->pidfile, 0, TRUST_NOGROUP, why,
	    sizeof(why))) == -1) {
		log_warnx("reload: pid file %s: %s: no signal sent", a->pidfile,
		    why);
		return -1;
	}
	if (read_fd(fd, a->pidfile, PIDFILE_MAX, &data, &len) == -1) {
		log_warn("reload: pid file %s", a->pidfile);
		return -1;
	}
	errno = 0;
	pid = strtol(data, &end, 10);
	if (errno != 0 || end == data || pid <= 0 || pid > 0x7fffffff ||
	    (*end != '\0' && *end != '\n')) {
		log_warnx("reload: pid file %s: no pid in it", a->pidfile);
		free(data);
		return -1;
	}
	free(data);
	if (pid == 1 || pid == getpid()) {
		log_warnx("reload: pid file %s: pid %ld is %s: no signal sent",
		    a->pidfile, pid, pid == 1 ? "init" : "acmed itself");
		return -1;
	}
	if (kill((pid_t)pid, a->signo) == -1) {
		log_warn("reload: signal %d to pid %ld from %s", a->signo, pid,
		    a->pidfile);
		return -1;
	}
	log_info("reload: sent signal %s to pid %ld (%s)",
	    strsignal(a->signo), pid, a->pidfile);
	return 0;
}

static int
run_action(const char *handle, const struct action *a)
{
	char		 what[300], buf[PATH_MAX];
	char		*shargv[4];
	const char	*prog;

	switch (a->type) {
	case ACTION_COMMAND:
		snprintf(what, sizeof(what), "%s: reload", handle);
		if (!program_trusted(what, a->argv[0]))
			return -1;
		snprintf(what, sizeof(what), "%s: reload %s", handle,
		    a->argv[0]);
		return run_command(what, a->argv, NULL, CONF_RELOAD_TIMEOUT);
	case ACTION_SHELL:
		snprintf(what, sizeof(what), "%s: reload shell", handle);
		if ((prog = conf_shell_program(a->argv[0], buf,
		    sizeof(buf))) != NULL && !program_trusted(what, prog))
			return -1;
		shargv[0] = "/bin/sh";
		shargv[1] = "-c";
		shargv[2] = a->argv[0];
		shargv[3] = NULL;
		return run_command(what, shargv, NULL, CONF_RELOAD_TIMEOUT);
	case ACTION_SIGNAL:
		return signal_pidfile(a);
	}
	return -1;
}

/* Runs a domain's reload actions in order at once; -1 if any failed. */
int
run_actions(const struct domain *d)
{
	struct action	*a;
	int		 rc = 0;

	TAILQ_FOREACH(a, &d->actions, entry)
		if (run_action(d->handle, a) == -1)
			rc = -1;
	return rc;
}

/*
 * Installations made while netproc is still busy collect their actions
 * here; each distinct action then runs once, however many domains asked
 * for it (one nginx reload for ten renewed certificates).
 */
#define PENDING_MAX	256

struct pending {
	const struct action	*a;
	struct dstate		*ds[PENDING_MAX];
	size_t			 nds;
	int			 failed;
};

static struct pending	 pendings[PENDING_MAX];
static size_t		 npendings;
static struct dstate	*pending_ds[PENDING_MAX];
static size_t		 npending_ds;

static int
action_same(const struct action *a, const struct action *b)
{
	size_t	 i;

	if (a->type != b->type)
		return 0;
	if (a->type == ACTION_SIGNAL)
		return a->signo == b->signo &&
		    strcmp(a->pidfile, b->pidfile) == 0;
	for (i = 0; a->argv[i] != NULL && b->argv[i] != NULL; i++)
		if (strcmp(a->argv[i], b->argv[i]) != 0)
			return 0;
	return a->argv[i] == NULL && b->argv[i] == NULL;
}

void
actions_queue(struct dstate *ds)
{
	struct action	*a;
	size_t		 i;

	for (i = 0; i < npending_ds; i++)
		if (pending_ds[i] == ds)
			break;
	if (i == npending_ds && npending_ds < PENDING_MAX)
		pending_ds[npending_ds++] = ds;
	TAILQ_FOREACH(a, &ds->d->actions, entry) {
		for (i = 0; i < npendings; i++)
			if (action_same(pendings[i].a, a))
				break;
		if (i == npendings) {
			if (npendings == PENDING_MAX) {
				log_warnx("%s: too many reload actions at once",
				    ds->d->handle);
				continue;
			}
			memset(&pendings[i], 0, sizeof(pendings[i]));
			pendings[i].a = a;
			npendings++;
		}
		if (pendings[i].nds < PENDING_MAX)
			pendings[i].ds[pendings[i].nds++] = ds;
	}
}

int
actions_pending(void)
{
	return npending_ds > 0;
}

/*
 * Runs every queued action once, then tells done() for each domain
 * whether all of its actions succeeded.
 */
void
actions_run_pending(const struct config *conf,
    void (*done)(struct dstate *, int))
{
	size_t	 i, j, k;
	int	 ok;

	(void)conf;
	for (i = 0; i < npendings; i++)
		pendings[i].failed = run_action(pendings[i].ds[0]->d->handle,
		    pendings[i].a) == -1;
	for (k = 0; k < npending_ds; k++) {
		ok = 1;
		for (i = 0; i < npendings; i++)
			for (j = 0; j < pendings[i].nds; j++)
				if (pendings[i].ds[j] == pending_ds[k] &&
				    pendings[i].failed)
					ok = 0;
		done(pending_ds[k], ok);
	}
	npendings = 0;
	npending_ds = 0;
}

static void
env_add(char **envp, int *n, const char *name, const char *value)
{
	if (value == NULL || *n >= 15)
		return;
	if (asprintf(&envp[*n], "%s=%s", name, value) != -1)
		(*n)++;
}

/*
 * An event: a log line, and the hook (if configured) with the details in
 * its environment.
 */
void
event_emit(const struct config *conf, const char *event,
    const struct dstate *ds, const char *error)
{
	char		*envp[16], *argv[3], *names = NULL, na[32], what[64];
	struct buf	 b;
	int		 n = 0;

	log_debug("event %s%s%s", event, ds ? " " : "",
	    ds ? ds->d->handle : "");
	if (conf->event_hook == NULL ||
	    !program_trusted("event hook", conf->event_hook))
		return;
	buf_init(&b, 0);
	if (ds != NULL)
		(void)buf_add_join(&b, ds->d->names, ds->d->nnames, " ");
	names = buf_release(&b, NULL);
	envp[n++] = strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	env_add(envp, &n, "ACMED_EVENT", event);
	if (ds != NULL) {
		env_add(envp, &n, "ACMED_DOMAIN", ds->d->handle);
		env_add(envp, &n, "ACMED_NAMES", names);
		env_add(envp, &n, "ACMED_CERT", ds->d->cert);
		env_add(envp, &n, "ACMED_CHAIN", ds->d->chain);
		env_add(envp, &n, "ACMED_FULLCHAIN", ds->d->fullchain);
		env_add(envp, &n, "ACMED_KEY", ds->d->key);
		env_add(envp, &n, "ACMED_AUTHORITY",
		    fallback_current(ds)->name);
		if (ds->state != CERT_MISSING &&
		    iso_time(ds->not_after, na, sizeof(na)) == 0)
			env_add(envp, &n, "ACMED_NOT_AFTER", na);
	}
	env_add(envp, &n, "ACMED_ERROR", error);
	if (ds != NULL && ds->revoking != NULL &&
	    strncmp(event, "revoke", 6) == 0)
		env_add(envp, &n, "ACMED_REASON",
		    revoke_reason_name(ds->revoking_reason));
	envp[n] = NULL;
	argv[0] = conf->event_hook;
	argv[1] = (char *)event;
	argv[2] = NULL;
	snprintf(what, sizeof(what), "event hook (%s)", event);
	(void)run_command(what, argv, envp, CONF_HOOK_TIMEOUT);
	while (n > 0)
		free(envp[--n]);
	free(names);
}
