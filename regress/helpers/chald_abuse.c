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
 * chald_abuse: what a hostile internet does to an http-01 responder, on
 * loopback, while a well-behaved client keeps asking for its token.
 *
 *   - slow clients (slowloris): each sends a request head one header line
 *     every half second and never finishes; when the server drops one,
 *     another takes its place;
 *   - a flood of connections: some send a whole request and read the
 *     answer, some close at once, some connect and say nothing;
 *   - a prober (a child process, so the load does not slow it down): one
 *     request for PATH every 100 ms on a new connection, each timed from
 *     connect() to the last byte of the answer.
 *
 * Prints "slow N" (slow connections open at the end), "flood N"
 * (connections made by the flood), then the prober's "probes N", "good N"
 * (answers that were 200 and held EXPECT), "max_ms N".
 *
 * usage: chald_abuse [-s slow] [-f flood/s] [-d seconds] host port path
 *	    expect
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXSLOW		2000
#define MAXFLOOD	4000	/* flood connections held at once */
#define TICK_MS		10

enum kind { K_NONE, K_SLOW, K_FULL, K_SILENT };

struct c {
	int		 fd;
	enum kind	 kind;
	long long	 next;		/* slow: next header line */
	long long	 born;
	int		 sent;		/* full: request written */
};

static struct addrinfo	*ai;

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
nb_connect(void)
{
	int	 fd;

	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One timed request on a new connection; -1 on failure, else ms. */
static long long
probe(const char *path, const char *expect, int *good)
{
	struct pollfd	 pfd;
	char		 req[512], buf[4096];
	size_t		 len = 0;
	ssize_t		 n;
	long long	 start, left;
	int		 fd;

	*good = 0;
	start = now_ms();
	if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		close(fd);
		return -1;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: probe\r\n"
	    "Connection: close\r\n\r\n", path);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) == -1) {
		close(fd);
		return -1;
	}
	for (;;) {
		if ((left = start + 5000 - now_ms()) <= 0)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[len] = '\0';
	if (strncmp(buf, "HTTP/1.1 200 ", 13) == 0 && len >= strlen(expect) &&
	    strcmp(buf + len - strlen(expect), expect) == 0)
		*good = 1;
	return now_ms() - start;
}

static void
prober(const char *path, const char *expect, int seconds, int wfd)
{
	long long	 end, t, max = 0;
	int		 probes = 0, good = 0, g;
	char		 out[128];

	end = now_ms() + seconds * 1000LL;
	while (now_ms() < end) {
		t = probe(path, expect, &g);
		probes++;
		good += g;
		if (t == -1)
			t = 99999;
		if (t > max)
			max = t;
		usleep(100 * 1000);
	}
	snprintf(out, sizeof(out), "probes %d\ngood %d\nmax_ms %lld\n",
	    probes, good, max);
	if (write(wfd, out, strlen(out)) == -1)
		_exit(1);
	_exit(0);
}

static void
drop(struct c *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->kind = K_NONE;
}

int
main(int argc, char *argv[])
{
	static struct c	 slow[MAXSLOW], flood[MAXFLOOD];
	static const char slowhead[] = "GET / HTTP/1.1\r\nHost: slow\r\n";
	struct addrinfo	 hints;
	struct rlimit	 rl;
	struct pollfd	*pfd;
	char		 req[512], junk[4096], res[256];
	long long	 now, end, ramp;
	ssize_t		 n;
	int		 ch, e, i, k, nslow = 400, rate = 2000, seconds = 4;
	int		 p[2], status, nfl = 0, made = 0, open_slow, perturn;
	long long	 tried = 0;
	int		 np, fi = 0;
	pid_t		 pid = -1;

	while ((ch = getopt(argc, argv, "d:f:s:")) != -1) {
		switch (ch) {
		case 'd':
			seconds = atoi(optarg);
			break;
		case 'f':
			rate = atoi(optarg);
			break;
		case 's':
			nslow = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 4 || nslow < 0 || nslow > MAXSLOW || rate < 0 ||
	    seconds < 1 || seconds > 60)
		goto usage;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((e = getaddrinfo(argv[0], argv[1], &hints, &ai)) != 0)
		errx(1, "%s: %s", argv[0], gai_strerror(e));
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: flood\r\n\r\n",
	    argv[2]);
	if ((pfd = calloc(MAXSLOW + MAXFLOOD, sizeof(*pfd))) == NULL)
		err(1, NULL);
	for (i = 0; i < MAXSLOW; i++)
		slow[i].fd = -1;
	for (i = 0; i < MAXFLOOD; i++)
		flood[i].fd = -1;
	if (pipe(p) == -1)
		err(1, "pipe");

	now = now_ms();
	ramp = now + 1000;
	end = now + seconds * 1000LL + 1000;
	perturn = rate * TICK_MS / 1000;
	if (perturn < 1 && rate > 0)
		perturn = 1;
	while ((now = now_ms()) < end) {
		if (pid == -1 && now >= ramp) {
			if ((pid = fork()) == -1)
				err(1, "fork");
			if (pid == 0) {
				close(p[0]);
				prober(argv[2], argv[3], seconds - 1 > 0 ?
				    seconds - 1 : 1, p[1]);
			}
			close(p[1]);
		}
		/* Slow clients: keep nslow of them, one line at a time. */
		for (i = 0; i < nslow; i++) {
			struct c	*c = &slow[i];

			if (c->fd == -1) {
				if ((c->fd = nb_connect()) == -1)
					continue;
				c->kind = K_SLOW;
				c->next = now + 50;
				c->sent = 0;
				continue;
			}
			if (now < c->next)
				continue;
			if (!c->sent) {
				n = send(c->fd, slowhead, sizeof(slowhead) - 1,
				    MSG_NOSIGNAL);
				c->sent = 1;
			} else
				n = send(c->fd, "X-a: b\r\n", 8, MSG_NOSIGNAL);
			if (n == -1 && errno != EAGAIN)
				drop(c);
			c->next = now + 500;
		}
		/*
		 * The flood: new connections of three kinds, at most rate a
		 * second since it began, however fast poll() comes back.
		 */
		for (k = 0; k < perturn && now >= ramp - 800 &&
		    tried < (now - (ramp - 800)) * rate / 1000 + perturn; k++) {
			struct c	*c = &flood[fi];

			tried++;
			fi = (fi + 1) % MAXFLOOD;
			drop(c);	/* the oldest goes */
			if ((c->fd = nb_connect()) == -1)
				continue;
			made++;
			c->born = now;
			c->sent = 0;
			switch (made % 3) {
			case 0:
				c->kind = K_FULL;
				break;
			case 1:
				drop(c);	/* connect and leave */
				break;
			default:
				c->kind = K_SILENT;
				break;
			}
		}
		/* Read and drop what the server closes or answers. */
		np = 0;
		for (i = 0; i < nslow; i++)
			if (slow[i].fd != -1) {
				pfd[np].fd = slow[i].fd;
				pfd[np].events = POLLIN;
				np++;
			}
		nfl = 0;
		for (i = 0; i < MAXFLOOD; i++)
			if (flood[i].fd != -1) {
				pfd[np].fd = flood[i].fd;
				pfd[np].events = POLLIN |
				    (flood[i].kind == K_FULL && !flood[i].sent ?
				    POLLOUT : 0);
				np++;
				nfl++;
			}
		if (poll(pfd, np, TICK_MS) <= 0)
			continue;
		k = 0;
		for (i = 0; i < nslow; i++)
			if (slow[i].fd != -1 && k < np) {
				/* Answered (408, 431) or dropped: replace. */
				if (pfd[k].revents & (POLLIN | POLLHUP |
				    POLLERR)) {
					if (read(slow[i].fd, junk,
					    sizeof(junk)) >= 0)
						drop(&slow[i]);
					else
						drop(&slow[i]);
				}
				k++;
			}
		for (i = 0; i < MAXFLOOD; i++)
			if (flood[i].fd != -1 && k < np) {
				if ((pfd[k].revents & POLLOUT) &&
				    !flood[i].sent) {
					if (send(flood[i].fd, req, strlen(req),
					    MSG_NOSIGNAL) == -1)
						drop(&flood[i]);
					flood[i].sent = 1;
				}
				if (flood[i].fd != -1 && (pfd[k].revents &
				    (POLLIN | POLLHUP | POLLERR)))
					drop(&flood[i]);
				k++;
			}
	}
	open_slow = 0;
	for (i = 0; i < nslow; i++)
		if (slow[i].fd != -1)
			open_slow++;
	printf("slow %d\nflood %d\nflood_open %d\n", open_slow, made, nfl);
	fflush(stdout);
	if (pid > 0) {
		n = read(p[0], res, sizeof(res) - 1);
		res[n > 0 ? n : 0] = '\0';
		fputs(res, stdout);
		waitpid(pid, &status, 0);
	}
	for (i = 0; i < MAXSLOW; i++)
		drop(&slow[i]);
	for (i = 0; i < MAXFLOOD; i++)
		drop(&flood[i]);
	freeaddrinfo(ai);
	free(pfd);
	return 0;
usage:
	fprintf(stderr, "usage: chald_abuse [-s slow] [-f flood/s] "
	    "[-d seconds] host port path expect\n");
	return 2;
}
