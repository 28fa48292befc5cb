/*
 * Starting a child: fork, move its channels to the fixed descriptors,
 * then exec the child's own program, a descriptor the parent opened at
 * start (so the files on disk may be replaced without mixing versions),
 * with "-P name -V tag".  The child keeps a minimal environment.  Each
 * child program links only the libraries its process uses.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "msg.h"
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

/*
 * What parent and child must agree on: the version and the message table.
 */
const char *
proc_tag(void)
{
	static char	 tag[64];

	if (tag[0] == '\0')
		snprintf(tag, sizeof(tag), "%s-%08x", ACMED_VERSION,
		    msg_digest());
	return tag;
}

/*
 * The command line of a child program: -P name [-V tag] [-u user]
 * [-C dir] [-d] [-v]...  Exits unless it names this process and, when
 * a tag is given, the tag is this build's.
 */
void
proc_child_init(int argc, char *argv[], enum proc_id self, int *debug,
    int *verbose)
{
	const char	*name = NULL, *tag = NULL;
	int		 ch;

	*debug = *verbose = 0;
	while ((ch = getopt(argc, argv, "C:dP:u:vV:")) != -1) {
		switch (ch) {
		case 'C':
			proc_chroot = optarg;
			break;
		case 'd':
			*debug = 1;
			break;
		case 'P':
			name = optarg;
			break;
		case 'u':
			proc_user = optarg;
			break;
		case 'v':
			(*verbose)++;
			break;
		case 'V':
			tag = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || name == NULL || proc_byname(name) != self)
		goto usage;
	log_init(1, *verbose, proc_names[self]);
	if (tag != NULL && strcmp(tag, proc_tag()) != 0)
		errx(1, "built from other sources than acmed (%s, not %s)",
		    proc_tag(), tag);
	return;
usage:
	fprintf(stderr, "usage: %s -P %s [-dv] [-C dir] [-u user] [-V tag]\n"
	    "(started by acmed, not by hand)\n", program_invocation_short_name,
	    proc_names[self]);
	exit(1);
}

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
	char		*envp[5];
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
	argv[argc++] = "-V";
	argv[argc++] = (char *)proc_tag();
	for (i = 0; extra != NULL && extra[i] != NULL; i++) {
		if (argc >= PROC_MAXARGS - 1)
			return -1;
		argv[argc++] = extra[i];
	}
	argv[argc] = NULL;
	envp[envc++] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	/*
	 * libcurl's dependencies load GnuTLS (for RTMP, never used), whose
	 * constructor would otherwise initialise it in every netproc: 0.7 MiB
	 * and a millisecond for nothing.
	 */
	if (id == PROC_NETPROC)
		envp[envc++] = "GNUTLS_NO_IMPLICIT_INIT=1";
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
