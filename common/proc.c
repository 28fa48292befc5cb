/*
 * Starting a child: fork, move its channels to the fixed descriptors,
 * then exec the very binary the parent runs (by descriptor, so the file
 * on disk may be replaced without mixing versions) with "-P name".  The
 * child keeps a minimal environment.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"

#define PROC_MAXARGS	16

const char *const proc_names[PROC_MAX] = {
	[PROC_PARENT] = "acmed",
	[PROC_NETPROC] = "netproc",
	[PROC_KEYPROC] = "keyproc",
	[PROC_CHALLENGED] = "challenged",
};

const char *proc_user;
const char *proc_chroot;

enum proc_id
proc_byname(const char *name)
{
	int	 i;

	for (i = PROC_PARENT + 1; i < PROC_MAX; i++)
		if (strcmp(name, proc_names[i]) == 0)
			return (enum proc_id)i;
	return PROC_PARENT;
}

/*
 * Forks and execs a child.  fds[i] becomes descriptor PROC_FD_PARENT + i
 * in the child; every other descriptor is close-on-exec or closed by the
 * child's sandbox.  extra is appended to the command line.  Returns the
 * child's pid or -1.
 */
pid_t
proc_exec(int exefd, const char *argv0, enum proc_id id, const int *fds,
    int nfds, char *const *extra)
{
	char		*argv[PROC_MAXARGS];
	char		*envp[4];
	const char	*v;
	int		 argc = 0, envc = 0, i, tmp[8];
	pid_t		 pid;
	static char	 dbg[64];
	sigset_t	 mask;

	if (nfds > 8)
		return -1;
	argv[argc++] = (char *)argv0;
	argv[argc++] = "-P";
	argv[argc++] = (char *)proc_names[id];
	for (i = 0; extra != NULL && extra[i] != NULL; i++) {
		if (argc >= PROC_MAXARGS - 1)
			return -1;
		argv[argc++] = extra[i];
	}
	argv[argc] = NULL;
	envp[envc++] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	if ((v = getenv("ACMED_SECCOMP_DEBUG")) != NULL) {
		snprintf(dbg, sizeof(dbg), "ACMED_SECCOMP_DEBUG=%s", v);
		envp[envc++] = dbg;
	}
	envp[envc] = NULL;

	switch (pid = fork()) {
	case -1:
		log_warn("fork %s", proc_names[id]);
		return -1;
	case 0:
		break;
	default:
		return pid;
	}

	/* Child: dup above the targets first so no channel is overwritten. */
	sigemptyset(&mask);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	if ((exefd = fcntl(exefd, F_DUPFD_CLOEXEC, PROC_FD_PARENT + nfds)) ==
	    -1)
		_exit(127);
	for (i = 0; i < nfds; i++)
		if ((tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC,
		    PROC_FD_PARENT + nfds)) == -1)
			_exit(127);
	for (i = 0; i < nfds; i++)
		if (dup2(tmp[i], PROC_FD_PARENT + i) == -1)
			_exit(127);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	fexecve(exefd, argv, envp);
	_exit(127);
}
