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
 * chald_cli: a raw HTTP client for the challenged tests.  Sends standard
 * input to host:port and copies what comes back to standard output until
 * the server closes or the time is up.  A form feed (\f) in the input
 * splits it: each part is sent once the answers to the parts before it
 * have arrived (keep-alive), while parts without \f go out in one write
 * (pipelining).  Says on standard error how the connection ended: "eof"
 * (the server closed), "reset", or "open" (still open at the time limit).
 *
 * usage: chald_cli [-H] [-t ms] [-T] host port
 *	-H	shut our side for writing after the last part (half-close)
 *	-t ms	total time to wait (default 3000)
 *	-T	print "ms N" on standard error: time to the first answer
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <err.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define INMAX	(1024 * 1024)

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How many times s occurs in b: answers, or requests in a part. */
static int
count(const char *b, size_t len, const char *s)
{
	size_t	 i, sl = strlen(s);
	int	 n = 0;

	for (i = 0; i + sl <= len; i++)
		if (memcmp(b + i, s, sl) == 0)
			n++;
	return n;
}

static void
send_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = send(fd, p, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "send");
		}
		p += n;
		len -= (size_t)n;
	}
}

int
main(int argc, char *argv[])
{
	struct addrinfo	 hints, *res, *ai;
	struct pollfd	 pfd;
	char		*in, *out, *part, *ff;
	size_t		 inlen = 0, outlen = 0, outcap = INMAX;
	ssize_t		 n;
	long long	 start, deadline, first = -1;
	int		 ch, fd = -1, half = 0, timing = 0, e, sent = 0;
	int		 timeout = 3000, left, done = 0;
	const char	*how = "open";

	while ((ch = getopt(argc, argv, "Ht:T")) != -1) {
		switch (ch) {
		case 'H':
			half = 1;
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 'T':
			timing = 1;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		goto usage;

	if ((in = malloc(INMAX)) == NULL || (out = malloc(outcap)) == NULL)
		err(1, NULL);
	while (inlen < INMAX && (n = read(STDIN_FILENO, in + inlen,
	    INMAX - inlen)) > 0)
		inlen += (size_t)n;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((e = getaddrinfo(argv[0], argv[1], &hints, &res)) != 0)
		errx(1, "%s: %s", argv[0], gai_strerror(e));
	start = now_ms();
	deadline = start + timeout;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd == -1)
		err(1, "connect %s port %s", argv[0], argv[1]);
	freeaddrinfo(res);

	part = in;
	while (!done) {
		/* Next part once every part sent so far has its answers. */
		if (part != NULL && count(out, outlen, "HTTP/1.1 ") >= sent) {
			ff = memchr(part, '\f', in + inlen - part);
			n = (ff != NULL ? ff : in + inlen) - part;
			send_all(fd, part, (size_t)n);
			e = count(part, (size_t)n, " HTTP/1.");
			sent += e > 0 ? e : 1;
			part = ff != NULL ? ff + 1 : NULL;
			if (part == NULL && half)
				shutdown(fd, SHUT_WR);
		}
		if ((left = (int)(deadline - now_ms())) <= 0)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		if (outlen == outcap)
			errx(1, "answer too long");
		n = read(fd, out + outlen, outcap - outlen);
		if (n == 0) {
			how = "eof";
			done = 1;
		} else if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			how = errno == ECONNRESET ? "reset" : "error";
			done = 1;
		} else {
			if (first == -1)
				first = now_ms();
			outlen += (size_t)n;
		}
	}
	fwrite(out, 1, outlen, stdout);
	fflush(stdout);
	fprintf(stderr, "%s\n", how);
	if (timing)
		fprintf(stderr, "ms %lld\n", first == -1 ? -1 : first - start);
	return 0;
usage:
	fprintf(stderr, "usage: chald_cli [-H] [-t ms] [-T] host port\n");
	return 2;
}
