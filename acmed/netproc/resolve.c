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
 * getaddrinfo(3) has no way not to block: each name is resolved in a
 * thread of its own, which writes a byte to a pipe the poll loop watches
 * when it is done.  Then a non-blocking connection to the first of its
 * addresses that takes one.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "log.h"
#include "resolve.h"

static void
resolve_release(struct resolve *rs)
{
	if (__atomic_sub_fetch(&rs->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (rs->res != NULL)
		freeaddrinfo(rs->res);
	if (rs->pipe[1] != -1)
		close(rs->pipe[1]);
	free(rs);
}

static void *
resolve_thread(void *arg)
{
	struct resolve	*rs = arg;
	struct addrinfo	 hints;
	ssize_t		 n;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rs->err = getaddrinfo(rs->host, rs->serv, &hints, &rs->res);
	rs->errnum = errno;
	n = write(rs->pipe[1], "", 1);
	(void)n;
	resolve_release(rs);
	return NULL;
}

/* An address: its addrinfo at once, the byte written; -1 if a name. */
static int
resolve_numeric(struct resolve *rs)
{
	struct addrinfo	 hints;
	ssize_t		 n;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	if (getaddrinfo(rs->host, rs->serv, &hints, &rs->res) != 0) {
		rs->res = NULL;
		return -1;
	}
	n = write(rs->pipe[1], "", 1);
	(void)n;
	rs->refs = 1;
	return 0;
}

/*
 * Starts resolving host (for port): cb(fd, revents, arg) from the loop
 * when it is done, which then calls resolve_done().  NULL, with the
 * reason in err, if it could not start.
 */
struct resolve *
resolve_start(const char *host, int port, void (*cb)(int, short, void *),
    void *arg, char *err, size_t len)
{
	struct resolve	*rs;
	pthread_t	 t;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		fatal("resolve");
	strlcpy(rs->host, host, sizeof(rs->host));
	snprintf(rs->serv, sizeof(rs->serv), "%d", port);
	rs->refs = 2;
	if (pipe2(rs->pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(err, len, "cannot resolve %s: %s", host,
		    strerror(errno));
		free(rs);
		return NULL;
	}
	if (ev_fd(rs->pipe[0], POLLIN, cb, arg) == -1) {
		snprintf(err, len, "cannot resolve %s: out of memory", host);
		rs->refs = 1;
		resolve_end(rs);
		return NULL;
	}
	/* An address needs no lookup, nor a thread (netproc has few). */
	if (resolve_numeric(rs) == 0)
		return rs;
	if (pthread_create(&t, NULL, resolve_thread, rs) != 0) {
		snprintf(err, len, "cannot resolve %s: no thread to resolve "
		    "it in", host);
		rs->refs = 1;
		resolve_end(rs);
		return NULL;
	}
	(void)pthread_detach(t);
	return rs;
}

/*
 * In the callback: 1 while the thread is not done, -1 with the reason in
 * err if the name did not resolve, 0 if its addresses are in rs->res.
 */
int
resolve_done(struct resolve *rs, char *err, size_t len)
{
	char	 b;

	if (read(rs->pipe[0], &b, 1) != 1)
		return 1;
	if (rs->err != 0) {
		snprintf(err, len, "cannot resolve %s: %s", rs->host,
		    rs->err == EAI_SYSTEM ? strerror(rs->errnum) :
		    gai_strerror(rs->err));
		return -1;
	}
	/* The thread is done with it: the addresses are the caller's now. */
	ev_fd_del(rs->pipe[0]);
	close(rs->pipe[0]);
	rs->pipe[0] = -1;
	return 0;
}

/* The user lets go, whether the thread is done or not. */
void
resolve_end(struct resolve *rs)
{
	if (rs == NULL)
		return;
	if (rs->pipe[0] != -1) {
		ev_fd_del(rs->pipe[0]);
		close(rs->pipe[0]);
	}
	resolve_release(rs);
}

/*
 * A non-blocking TCP connection to the first address from *aip on whose
 * connect(2) starts: its descriptor, watched for POLLOUT with cb, which
 * learns the outcome from resolve_connected(); *aip is left on that
 * address.  -1 if none starts, *aip on the last one tried and errno its
 * failure.
 */
int
resolve_connect(struct addrinfo **aip, void (*cb)(int, short, void *),
    void *arg)
{
	struct addrinfo	*ai;
	int		 fd, e = EDESTADDRREQ;

	while ((ai = *aip) != NULL) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)) != -1) {
			if ((connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
			    errno == EINPROGRESS) &&
			    ev_fd(fd, POLLOUT, cb, arg) == 0)
				return fd;
			e = errno == EINPROGRESS ? ENOMEM : errno;
			close(fd);
		} else
			e = errno;
		if (ai->ai_next == NULL)
			break;
		*aip = ai->ai_next;
	}
	errno = e;
	return -1;
}

/*
 * In resolve_connect()'s callback: 0 if fd is connected, else the
 * connection's error, fd unwatched and closed.
 */
int
resolve_connected(int fd)
{
	socklen_t	 sl;
	int		 soerr;

	sl = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
		soerr = errno;
	if (soerr != 0) {
		ev_fd_del(fd);
		close(fd);
	}
	return soerr;
}
