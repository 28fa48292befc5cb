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
 * The sandbox without root: arguments it refuses, the names the seccomp
 * debug mode prints, and a forked child that enters each profile keeping
 * its ids (which needs no privilege) and then finds what is allowed and
 * what is not.  regress/t_sandbox.sh tries the full sandbox as root.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
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
#include "zero_limit.h"

/* What the child did, as one byte on the pipe. */
#define R_OK_WRITE	'w'
#define R_OPEN_REFUSED	'o'
#define R_OPEN_ALLOWED	'O'
#define R_REFUSED	'-'	/* the call failed as the filter answers */
#define R_ALLOWED	'+'
#define R_OTHER		'?'	/* it failed some other way */

/* A value that differs from an allowed one in its high half only. */
#define HIGH_BIT	(1UL << 32)

/* A process of the same user, whose limits a child must not change. */
static pid_t		 sibling;
/* A page whose address ends in 32 zero bits, holding a zero limit. */
static struct rlimit	*zero_limit;
/* A page mapped before the sandbox, to change its protection in it. */
static void		*rw_page;

/* What a call's result says about the filter: it refused with e. */
static char
verdict(long r, int e)
{
	if (r != -1)
		return R_ALLOWED;
	return errno == e ? R_REFUSED : R_OTHER;
}

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
		case 'l':
			c = verdict(syscall(SYS_prlimit64, sibling,
			    RLIMIT_NOFILE, zero_limit, NULL), EPERM);
			if (write(3, &c, 1) != 1)
				_exit(92);
			break;
		case 'h':
			c = verdict(syscall(SYS_mmap, 0, 4096,
			    PROT_READ | HIGH_BIT, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0), EACCES);
			if (write(3, &c, 1) != 1)
				_exit(92);
			c = verdict(syscall(SYS_mprotect, rw_page, 4096,
			    PROT_READ | HIGH_BIT), EACCES);
			if (write(3, &c, 1) != 1)
				_exit(92);
			c = verdict(syscall(SYS_ioctl, 3, FIONREAD | HIGH_BIT,
			    &fd), ENOTTY);
			if (write(3, &c, 1) != 1)
				_exit(92);
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

static int
nofile_of(pid_t pid, struct rlimit *rl)
{
	return (int)syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, NULL, rl);
}

/*
 * Each profile: a child tries to set a sibling's limit through a pointer
 * whose low half is zero, and to pass values that differ from allowed
 * ones only in their high half.
 */
static void
high_halves(enum sandbox_profile prof, const char *name)
{
	struct rlimit	 before, after;
	char		 out[16];
	int		 st;

	if ((sibling = fork()) == 0) {
		for (;;)
			pause();
	}
	if (sibling == -1 || nofile_of(sibling, &before) == -1) {
		CHECK(0, "%s: a sibling process", name);
		return;
	}
	st = child(prof, 'l', out, sizeof(out));
	CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
	    out[1] == R_REFUSED, "%s: prlimit64 with new limit at %p: EPERM "
	    "(got %c, status %#x)", name, (void *)zero_limit, out[1], st);
	CHECK(nofile_of(sibling, &after) == 0 &&
	    after.rlim_cur == before.rlim_cur &&
	    after.rlim_max == before.rlim_max,
	    "%s: the sibling's RLIMIT_NOFILE is unchanged (%llu/%llu)", name,
	    (unsigned long long)after.rlim_cur,
	    (unsigned long long)after.rlim_max);

	st = child(prof, 'h', out, sizeof(out));
	CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "%s: high halves tried (status %#x)", name, st);
	CHECK(out[1] == R_REFUSED, "%s: mmap prot PROT_READ|1<<32: EACCES "
	    "(got %c)", name, out[1]);
	CHECK(out[2] == R_REFUSED, "%s: mprotect prot PROT_READ|1<<32: "
	    "EACCES (got %c)", name, out[2]);
	CHECK(out[3] == R_REFUSED, "%s: ioctl FIONREAD|1<<32: ENOTTY "
	    "(got %c)", name, out[3]);
	kill(sibling, SIGKILL);
	waitpid(sibling, NULL, 0);
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

	zero_limit = zero_limit_page();
	rw_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(zero_limit != NULL && rw_page != MAP_FAILED,
	    "a page at %p, ending in 32 zero bits", (void *)zero_limit);
	if (zero_limit != NULL && rw_page != MAP_FAILED) {
		high_halves(SANDBOX_NETPROC, "netproc");
		high_halves(SANDBOX_KEYPROC, "keyproc");
		high_halves(SANDBOX_CHALLENGED, "challenged");
	}

	return test_done();
}
