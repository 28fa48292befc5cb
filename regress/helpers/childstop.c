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
 * Stops (SIGSTOP) a daemon's child the moment it runs the named process,
 * for the shell tests that need a child frozen before it does anything:
 *
 *   childstop PPID NAME MS
 *
 * Watches the children of PPID every millisecond for up to MS
 * milliseconds; the first whose command line has "-P NAME" is stopped
 * and its pid printed.  Exit 0 if one was stopped, 1 if not.
 */
#include <sys/types.h>

#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Reads a small /proc file; its length, or -1. */
static ssize_t
readproc(const char *path, char *buf, size_t len)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* 1 if the NUL-separated command line has "-P" then name. */
static int
runs(const char *cmd, ssize_t len, const char *name)
{
	const char	*p = cmd, *end = cmd + len;

	while (p < end) {
		if (strcmp(p, "-P") == 0 && p + 3 < end &&
		    strcmp(p + 3, name) == 0)
			return 1;
		p += strlen(p) + 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct timespec	 ms = { 0, 1000000 };
	char		 path[64], cpath[64], kids[4096], cmd[4096], *p, *ep;
	ssize_t		 n;
	long		 ppid, pid, i, limit;

	if (argc != 4)
		errx(2, "usage: childstop PPID NAME MS");
	ppid = strtol(argv[1], NULL, 10);
	limit = strtol(argv[3], NULL, 10);
	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", ppid,
	    ppid);
	for (i = 0; i < limit; i++) {
		if (readproc(path, kids, sizeof(kids)) == -1)
			return 1;	/* the parent is gone */
		for (p = kids; (pid = strtol(p, &ep, 10)) > 0; p = ep) {
			snprintf(cpath, sizeof(cpath), "/proc/%ld/cmdline", pid);
			if ((n = readproc(cpath, cmd, sizeof(cmd))) > 0 &&
			    runs(cmd, n, argv[2])) {
				if (kill((pid_t)pid, SIGSTOP) == -1)
					err(1, "kill %ld", pid);
				printf("%ld\n", pid);
				return 0;
			}
		}
		nanosleep(&ms, NULL);
	}
	return 1;
}
