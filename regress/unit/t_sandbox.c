/*
 * The sandbox without root: arguments it refuses, the names the seccomp
 * debug mode prints, and a forked child that enters each profile keeping
 * its ids (which needs no privilege) and then finds what is allowed and
 * what is not.  regress/t_sandbox.sh tries the full sandbox as root.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "log.h"
#include "sandbox.h"
#include "sandbox_int.h"

/* What the child did, as one byte on the pipe. */
#define R_OK_WRITE	'w'
#define R_OPEN_REFUSED	'o'
#define R_OPEN_ALLOWED	'O'

/*
 * Forks a child that enters the profile and runs the action; returns its
 * wait status and puts what it wrote in out.
 */
static int
child(enum sandbox_profile prof, int action, char *out, size_t outlen)
{
	struct sandbox	 sb;
	ssize_t		 n;
	pid_t		 pid;
	int		 p[2], status = -1, fd;
	char		 c;

	memset(out, 0, outlen);
	if (pipe(p) == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(p[0]);
		if (dup2(p[1], 3) == -1)
			_exit(90);
		memset(&sb, 0, sizeof(sb));
		sb.profile = prof;
		sb.keep_fds = 4;
		if (sandbox_enter(&sb) == -1)
			_exit(91);
		c = R_OK_WRITE;
		if (write(3, &c, 1) != 1)
			_exit(92);
		switch (action) {
		case 'o':
			fd = open("/etc/passwd", O_RDONLY);
			c = fd == -1 && errno == EACCES ? R_OPEN_REFUSED :
			    R_OPEN_ALLOWED;
			if (write(3, &c, 1) != 1)
				_exit(92);
			break;
		case 's':
			(void)socket(AF_INET, SOCK_STREAM, 0);
			break;
		case 'p':
			(void)syscall(SYS_ptrace, 0, 0, 0, 0);
			break;
		default:
			break;
		}
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], out, outlen - 1);
	while (n > 0 && (size_t)n < outlen - 1) {
		ssize_t	 m = read(p[0], out + n, outlen - 1 - (size_t)n);

		if (m <= 0)
			break;
		n += m;
	}
	close(p[0]);
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	return status;
}

int
main(void)
{
	struct sandbox	 sb;
	char		 out[16];
	int		 st;

	log_init(1, 0, "t_sandbox");

	memset(&sb, 0, sizeof(sb));
	sb.profile = SANDBOX_MAX;
	sb.keep_fds = 3;
	CHECK(sandbox_enter(&sb) == -1, "unknown profile refused");
	sb.profile = SANDBOX_KEYPROC;
	sb.keep_fds = -1;
	CHECK(sandbox_enter(&sb) == -1, "negative descriptor limit refused");

	CHECK(sandbox_landlock_abi() >= 0, "Landlock ABI %d",
	    sandbox_landlock_abi());
	CHECK_STR(sandbox_syscall_name(SYS_read), "read", "name of read");
	CHECK_STR(sandbox_syscall_name(SYS_ptrace), "ptrace", "name of ptrace");
	CHECK_STR(sandbox_syscall_name(SYS_openat), "openat", "name of openat");
	CHECK_STR(sandbox_syscall_name(99999), "unknown", "unknown number");

	st = child(SANDBOX_KEYPROC, 'o', out, sizeof(out));
	CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "keyproc child entered and exited (status %#x)", st);
	CHECK(out[0] == R_OK_WRITE, "keyproc may write its channel");
	CHECK(out[1] == R_OPEN_REFUSED, "keyproc: open answers EACCES");

	st = child(SANDBOX_KEYPROC, 's', out, sizeof(out));
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	    "keyproc: socket() kills with SIGSYS (status %#x)", st);

	st = child(SANDBOX_CHALLENGED, 's', out, sizeof(out));
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	    "challenged: socket() kills with SIGSYS (status %#x)", st);

	st = child(SANDBOX_NETPROC, 's', out, sizeof(out));
	CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "netproc: socket(AF_INET) allowed (status %#x)", st);

	st = child(SANDBOX_NETPROC, 'p', out, sizeof(out));
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	    "netproc: ptrace kills with SIGSYS (status %#x)", st);

	st = child(SANDBOX_NETPROC, 'o', out, sizeof(out));
	CHECK(out[1] == (sandbox_landlock_abi() > 0 ? R_OPEN_REFUSED :
	    R_OPEN_ALLOWED), "netproc: /etc/passwd %s",
	    sandbox_landlock_abi() > 0 ? "refused by Landlock" :
	    "readable without Landlock");

	return test_done();
}
