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
 * The process start-up helpers: the tag parent and child compare, the
 * command line of a child program, proc_exec(), and proc_trim(), which
 * gives back the pages start-up touched and must leave the process
 * working.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "test.h"
#include "proc.h"

static void
handler(int sig)
{
	(void)sig;
}

/*
 * proc_exec() starts regress/helpers/procprobe (beside this program) as
 * netproc, while this process catches SIGTERM and SIGHUP and blocks
 * SIGUSR2 and ignores SIGPIPE: the child gets its command line, its two
 * descriptors, an environment of two variables, no blocked signal and the
 * default action for all three; the parent keeps its own mask and
 * handlers.
 */
static void
test_exec(void)
{
	struct sigaction	 sa, cur;
	sigset_t		 mask, before, after;
	char			 self[PATH_MAX], path[PATH_MAX + 16], buf[4096];
	char			 want[256], *extra[] = { "-d", NULL }, *s;
	ssize_t			 n;
	size_t			 len = 0;
	int			 p[2], other[2], fds[2], exefd, status, envs = 0;
	pid_t			 pid;

	unsetenv("ACMED_SECCOMP_DEBUG");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0, "own path");
	if (n <= 0)
		return;
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/procprobe", dirname(self));
	exefd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(exefd != -1 && pipe2(p, O_CLOEXEC) == 0 &&
	    pipe2(other, O_CLOEXEC) == 0, "%s opened, pipes made", path);
	if (exefd == -1)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, &before);

	fds[0] = p[1];
	fds[1] = other[0];
	pid = proc_exec(exefd, PROC_NETPROC, fds, 2, extra);
	sigprocmask(SIG_SETMASK, NULL, &after);
	CHECK(pid > 0, "child started (%d)", (int)pid);
	close(p[1]);
	while (len < sizeof(buf) - 1 &&
	    (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(p[0]);
	close(other[0]);
	close(other[1]);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child ran and exited 0");
	snprintf(want, sizeof(want), "arg acmed-netproc\narg -P\narg netproc\n"
	    "arg -V\narg %s\narg -d\nenv ", proc_tag());
	CHECK(strncmp(buf, want, strlen(want)) == 0, "command line: %.*s",
	    (int)strcspn(buf, "e"), buf);
	for (s = buf; (s = strstr(s, "\nenv ")) != NULL; s++)
		envs++;
	CHECK(envs == 2 &&
	    strstr(buf, "\nenv PATH=/usr/sbin:/usr/bin:/sbin:/bin\n") != NULL &&
	    strstr(buf, "\nenv GNUTLS_NO_IMPLICIT_INIT=1\n") != NULL,
	    "environment: PATH and GNUTLS_NO_IMPLICIT_INIT only (%d)", envs);
	CHECK(strstr(buf, "\nblocked 0\n") != NULL,
	    "no signal blocked in the child");
	CHECK(strstr(buf, "\nSIGTERM default\n") != NULL &&
	    strstr(buf, "\nSIGHUP default\n") != NULL,
	    "SIGTERM and SIGHUP, caught here, as default in the child");
	CHECK(strstr(buf, "\nSIGPIPE default\n") != NULL,
	    "SIGPIPE, ignored here, as default in the child");
	CHECK(strstr(buf, "\nfd4 open\n") != NULL,
	    "second descriptor at 4");
	CHECK(sigismember(&after, SIGUSR2) == 1 &&
	    sigismember(&after, SIGTERM) == 0 &&
	    sigaction(SIGTERM, NULL, &cur) == 0 && cur.sa_handler == handler,
	    "parent's mask and handlers as they were");

	sigprocmask(SIG_SETMASK, &before, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	close(exefd);
}

/* Resident pages of this process. */
static long
resident(void)
{
	FILE	*f;
	long	 size, res = -1;

	if ((f = fopen("/proc/self/statm", "r")) == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res;
}

/* Runs proc_child_init() in a child; its exit status, 0 if it returned. */
static int
child_init(char **argv)
{
	pid_t	 pid;
	int	 argc, debug, verbose, st;

	for (argc = 0; argv[argc] != NULL; argc++)
		;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(8);
		proc_child_init(argc, argv, PROC_KEYPROC, &debug, &verbose);
		_exit(debug == 1 && verbose == 2 ? 0 : 7);
	}
	if (pid == -1 || waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
main(void)
{
	const char	*tag = proc_tag();
	char		 badtag[64];
	char		*good[] = { "keyproc", "-P", "keyproc", "-V", NULL, "-d",
			    "-v", "-v", NULL };
	char		*notag[] = { "keyproc", "-P", "keyproc", "-d", "-vv",
			    NULL };
	char		*bad[] = { "keyproc", "-P", "keyproc", "-V", badtag,
			    "-d", "-vv", NULL };
	char		*other[] = { "keyproc", "-P", "netproc", "-d", "-vv",
			    NULL };
	char		*extra[] = { "keyproc", "-P", "keyproc", "-d", "-vv",
			    "stray", NULL };
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	const unsigned char abc[] = { 0xba, 0x78, 0x16, 0xbf };
	long		 before, after;
	size_t		 n, i;

	n = strlen(ACMED_VERSION);
	CHECK(strncmp(tag, ACMED_VERSION "-", n + 1) == 0 &&
	    strlen(tag) == n + 9, "tag \"%s\": version and 8 hex digits", tag);
	for (i = n + 1; i < strlen(tag); i++)
		if (!isxdigit((unsigned char)tag[i]))
			break;
	CHECK(i == strlen(tag), "tag ends in hex digits");

	good[4] = (char *)tag;
	snprintf(badtag, sizeof(badtag), "%s0", tag);
	CHECK(child_init(good) == 0, "child command line with this build's "
	    "tag accepted (-d, -v twice)");
	CHECK(child_init(notag) == 0, "child command line without a tag "
	    "accepted");
	CHECK(child_init(bad) == 1, "another build's tag refused");
	CHECK(child_init(other) == 1, "the name of another process refused");
	CHECK(child_init(extra) == 1, "a stray argument refused");

	test_exec();

	/* Touch libcrypto, then give its pages back and use it again. */
	CHECK(EVP_Digest("abc", 3, md, &mdlen, EVP_sha256(), NULL) == 1,
	    "SHA-256 before the trim");
	before = resident();
	n = proc_trim();
	after = resident();
	CHECK(n > 0, "proc_trim gave back %zu kB of address space",
	    n / 1024);
	CHECK(before > 0 && after > 0 && after < before,
	    "resident pages %ld -> %ld", before, after);
	CHECK(EVP_Digest("abc", 3, md, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen == 32 && memcmp(md, abc, sizeof(abc)) == 0,
	    "SHA-256 of \"abc\" still right after the trim");
	return test_done();
}
