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
 * Started by t_proc through proc_exec(): writes what it was started with
 * to its descriptor 3 (PROC_FD_PARENT), one item a line, and exits:
 *
 *   arg ARG		each argument, argv[0] first
 *   env VAR=VALUE	each environment variable
 *   blocked N		how many signals are blocked
 *   SIGTERM, SIGHUP, SIGPIPE	default, ignored or caught
 *   fd4 open|closed	the second descriptor handed over
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

extern char	**environ;

int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	sigset_t		 mask;
	FILE			*f;
	const int		 sigs[] = { SIGTERM, SIGHUP, SIGPIPE };
	const char		*names[] = { "SIGTERM", "SIGHUP", "SIGPIPE" };
	int			 i, blocked = 0;

	if ((f = fdopen(3, "w")) == NULL)
		return 1;
	for (i = 0; i < argc; i++)
		fprintf(f, "arg %s\n", argv[i]);
	for (i = 0; environ[i] != NULL; i++)
		fprintf(f, "env %s\n", environ[i]);
	sigprocmask(SIG_SETMASK, NULL, &mask);
	for (i = 1; i < NSIG; i++)
		if (sigismember(&mask, i) == 1)
			blocked++;
	fprintf(f, "blocked %d\n", blocked);
	for (i = 0; i < 3; i++) {
		if (sigaction(sigs[i], NULL, &sa) == -1)
			return 1;
		fprintf(f, "%s %s\n", names[i],
		    sa.sa_handler == SIG_DFL ? "default" :
		    sa.sa_handler == SIG_IGN ? "ignored" : "caught");
	}
	fprintf(f, "fd4 %s\n", fcntl(4, F_GETFD) != -1 ? "open" : "closed");
	return fclose(f) == 0 ? 0 : 1;
}
