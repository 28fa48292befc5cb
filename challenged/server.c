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
 * The connections of challenged.  Everything is fixed in size: a table of
 * SERVER_CONN_MAX connections, each with an input buffer as large as the
 * largest request head and an output buffer for a few pipelined answers,
 * all in one mapping whose pages are handed back to the kernel when a
 * connection closes, so memory follows the connections of the moment and
 * never the traffic that came before.
 *
 * Every connection has deadlines (a whole request head, an idle
 * keep-alive, taking an answer, the lingering close); when the table is
 * full, the connection that has waited longest for its client goes first,
 * so a crowd of slow clients cannot lock out a validation server.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "server.h"
#include "token.h"

#define CONN_OUT	4096
#define CONN_SLOT	(HTTP_HEAD_MAX + CONN_OUT)
#define ACCEPT_PAUSE_MS	100	/* after running out of descriptors */

enum conn_state {
	C_FREE,
	C_OPEN,
	C_LINGER		/* answered, our side shut: drain, then close */
};

struct conn {
	int			 fd;
	enum conn_state		 state;
	int			 closing;	/* close once out is sent */
	int			 eof;		/* the client shut its side */
	char			*in;
	size_t			 inlen;
	char			*out;
	size_t			 outoff, outlen;
	struct http_parser	 parser;
	int64_t			 t_head;	/* a request head began */
	int64_t			 t_idle;	/* waiting for a next request */
	int64_t			 t_write;	/* an answer got stuck */
	int64_t			 t_linger;
	int64_t			 since;		/* waiting for the client */
	char			 addr[SERVER_ADDR_MAX];
};

struct server {
	struct conn	*conns;
	int		 freelist[SERVER_CONN_MAX];
	int		 nfree;
	int		 lfd[SERVER_LISTEN_MAX];
	int		 nlfd;
	int		 pmap[SERVER_PFD_MAX];	/* >= 0 conn, < 0 listener */
	char		*slab;
	struct toktab	*toks;
	int64_t		 accept_after;
	time_t		 datet;
	char		 date[HTTP_DATE_LEN + 1];
	uint64_t	 answers[CHAL_RESULTS];	/* since the last report */
};

/*
 * The Ready page: with the marker the parent made for this start, which
 * its preflight looks for to tell this instance from another server on
 * the port.  The marker is random and says nothing else.
 */
static char	 ready_page[sizeof(HTTP_TEST_PAGE) + MSG_MARKER_MAX + 1] =
		    HTTP_TEST_PAGE;

static void	conn_close(struct server *, struct conn *);
static void	conn_process(struct server *, struct conn *, int64_t);
static int	conn_send(struct server *, struct conn *, int64_t);
static void	conn_write(struct server *, struct conn *, int64_t);

/* The marker the Ready page shows from now on; -1 if it is not one. */
int
server_marker(const char *marker)
{
	size_t	 i;

	for (i = 0; marker[i] != '\0'; i++)
		if (!isxdigit((unsigned char)marker[i]))
			return -1;
	if (i == 0 || i > MSG_MARKER_MAX)
		return -1;
	snprintf(ready_page, sizeof(ready_page), "%s%s\n", HTTP_TEST_PAGE,
	    marker);
	return 0;
}

/*
 * The answers given since the last call, by result (enum chal_result),
 * into counts, if counts is not NULL; 1 if there were any.
 */
int
server_answers(struct server *srv, uint64_t *counts)
{
	int	 i, any = 0;

	for (i = 0; i < CHAL_RESULTS; i++) {
		any |= srv->answers[i] != 0;
		if (counts == NULL)
			continue;
		counts[i] = srv->answers[i];
		srv->answers[i] = 0;
	}
	return any;
}

int64_t
server_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct server *
server_new(const int *fds, int nfds, struct toktab *toks)
{
	struct server	*srv;
	int		 i, fl;

	if (nfds < 0 || nfds > SERVER_LISTEN_MAX) {
		log_warnx("%d listening sockets, at most %d expected",
		    nfds, SERVER_LISTEN_MAX);
		return NULL;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL ||
	    (srv->conns = calloc(SERVER_CONN_MAX,
	    sizeof(*srv->conns))) == NULL) {
		log_warn("connection table");
		free(srv);
		return NULL;
	}
	srv->slab = mmap(NULL, (size_t)SERVER_CONN_MAX * CONN_SLOT,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (srv->slab == MAP_FAILED) {
		log_warn("connection buffers");
		free(srv->conns);
		free(srv);
		return NULL;
	}
	for (i = SERVER_CONN_MAX - 1; i >= 0; i--) {
		srv->conns[i].fd = -1;
		srv->conns[i].in = srv->slab + (size_t)i * CONN_SLOT;
		srv->conns[i].out = srv->conns[i].in + HTTP_HEAD_MAX;
		srv->freelist[srv->nfree++] = i;
	}
	/* accept() is called until it would block: it must not block. */
	for (i = 0; i < nfds; i++) {
		if ((fl = fcntl(fds[i], F_GETFL)) == -1 ||
		    fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) == -1) {
			log_warn("listening socket %d", fds[i]);
			server_free(srv);
			return NULL;
		}
		srv->lfd[i] = fds[i];
	}
	srv->nlfd = nfds;
	srv->toks = toks;
	return srv;
}

void
server_free(struct server *srv)
{
	int	 i;

	if (srv == NULL)
		return;
	for (i = 0; i < SERVER_CONN_MAX; i++)
		if (srv->conns[i].fd != -1)
			conn_close(srv, &srv->conns[i]);
	munmap(srv->slab, (size_t)SERVER_CONN_MAX * CONN_SLOT);
	free(srv->conns);
	free(srv);
}

static void
conn_close(struct server *srv, struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->state = C_FREE;
	/* Give the buffer pages back: memory must not keep a flood's size. */
	if (madvise(c->in, CONN_SLOT, MADV_DONTNEED) == -1)
		log_warn("madvise");
	srv->freelist[srv->nfree++] = (int)(c - srv->conns);
}

static int64_t
conn_deadline(const struct conn *c)
{
	int64_t	 d = INT64_MAX;

	if (c->state == C_LINGER)
		return c->t_linger + SERVER_LINGER_MS;
	if (c->t_head != 0 && c->t_head + SERVER_REQ_MS < d)
		d = c->t_head + SERVER_REQ_MS;
	if (c->t_idle != 0 && c->t_idle + SERVER_IDLE_MS < d)
		d = c->t_idle + SERVER_IDLE_MS;
	if (c->t_write != 0 && c->t_write + SERVER_WRITE_MS < d)
		d = c->t_write + SERVER_WRITE_MS;
	return d;
}

/* Nothing to send: the connection waits on its client. */
static int
conn_waiting(const struct conn *c)
{
	return c->outoff == c->outlen;
}

static void
server_date(struct server *srv)
{
	time_t	 now = time(NULL);

	if (now != srv->datet) {
		srv->datet = now;
		http_date(now, srv->date);
	}
}

static void
conn_respond(struct server *srv, struct conn *c, int status, int headonly,
    int keepalive, const char *body, size_t bodylen)
{
	char	 page[64];
	size_t	 n;
	int	 l;

	if (body == NULL) {
		l = snprintf(page, sizeof(page), "%d %s\n", status,
		    http_reason(status));
		body = page;
		bodylen = l < 0 ? 0 : (size_t)l;
	}
	server_date(srv);
	n = http_response(c->out + c->outlen, CONN_OUT - c->outlen, status,
	    headonly, keepalive, "text/plain", body, bodylen, srv->date);
	if (n == 0) {
		/* Cannot happen: room for HTTP_RESP_MAX is checked first. */
		log_warnx("%s: answer does not fit", c->addr);
		c->closing = 1;
		return;
	}
	c->outlen += n;
}

static void
conn_answer(struct server *srv, struct conn *c, const struct http_req *req)
{
	const char	*ka;
	size_t		 kalen;
	int		 head = req->method == HTTP_M_HEAD;

	if (req->method == HTTP_M_OTHER) {
		srv->answers[CHAL_R_BAD_REQUEST]++;
		conn_respond(srv, c, 405, 0, req->keepalive, NULL, 0);
		return;
	}
	switch (req->target) {
	case HTTP_T_PAGE:
		srv->answers[CHAL_R_PAGE]++;
		conn_respond(srv, c, 200, head, req->keepalive,
		    ready_page, strlen(ready_page));
		return;
	case HTTP_T_TOKEN:
		ka = toktab_get(srv->toks, req->token, req->toklen, &kalen);
		if (ka != NULL) {
			log_debug("%s: answered token %.*s", c->addr,
			    (int)req->toklen, req->token);
			srv->answers[CHAL_R_TOKEN]++;
			conn_respond(srv, c, 200, head, req->keepalive, ka,
			    kalen);
			return;
		}
		log_debug("%s: unknown token %.*s", c->addr,
		    (int)req->toklen, req->token);
		srv->answers[CHAL_R_UNKNOWN_TOKEN]++;
		break;
	default:
		srv->answers[CHAL_R_NOT_FOUND]++;
		break;
	}
	conn_respond(srv, c, 404, head, req->keepalive, NULL, 0);
}

/* Answers every complete request in the buffer while answers fit. */
static void
conn_process(struct server *srv, struct conn *c, int64_t now)
{
	struct http_req	 req;
	int		 r = HTTP_MORE;

	while (!c->closing) {
		if (CONN_OUT - c->outlen < HTTP_RESP_MAX &&
		    conn_send(srv, c, now) == -1)
			return;
		if (c->outoff == c->outlen)
			c->outoff = c->outlen = 0;
		else if (CONN_OUT - c->outlen < HTTP_RESP_MAX) {
			memmove(c->out, c->out + c->outoff,
			    c->outlen - c->outoff);
			c->outlen -= c->outoff;
			c->outoff = 0;
		}
		if (CONN_OUT - c->outlen < HTTP_RESP_MAX)
			break;		/* the client does not read */
		r = http_parse(&c->parser, c->in, c->inlen, &req);
		if (r == HTTP_MORE)
			break;
		c->t_head = 0;
		if (r != HTTP_DONE) {
			log_debug("%s: bad request, %d", c->addr, r);
			srv->answers[CHAL_R_BAD_REQUEST]++;
			conn_respond(srv, c, r, 0, 0, NULL, 0);
			c->closing = 1;
			break;
		}
		conn_answer(srv, c, &req);
		if (!req.keepalive)
			c->closing = 1;
		memmove(c->in, c->in + req.headlen, c->inlen - req.headlen);
		c->inlen -= req.headlen;
		if (c->inlen > 0)
			c->t_head = now;
	}
	/* A half-closed client with half a request will send no more. */
	if (c->eof && !c->closing && r == HTTP_MORE)
		c->closing = 1;
	conn_write(srv, c, now);
}

/* The connection is done: close, or shut our side and drain first. */
static void
conn_finish(struct server *srv, struct conn *c, int64_t now)
{
	/*
	 * Closing with unread bytes makes the kernel send a reset, which
	 * can destroy the answer before the client reads it.
	 */
	if (c->eof || shutdown(c->fd, SHUT_WR) == -1) {
		conn_close(srv, c);
		return;
	}
	c->state = C_LINGER;
	c->t_linger = now;
}

/* Sends what the socket takes: 1 if some is left, -1 if closed. */
static int
conn_send(struct server *srv, struct conn *c, int64_t now)
{
	ssize_t	 n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (c->t_write == 0)
					c->t_write = now;
				return 1;
			}
			log_debug("%s: send: %s", c->addr, strerror(errno));
			conn_close(srv, c);
			return -1;
		}
		c->outoff += (size_t)n;
	}
	return 0;
}

static void
conn_write(struct server *srv, struct conn *c, int64_t now)
{
	if (conn_send(srv, c, now) != 0)
		return;
	c->outoff = c->outlen = 0;
	c->t_write = 0;
	if (c->closing) {
		conn_finish(srv, c, now);
		return;
	}
	if (c->t_head == 0 && c->t_idle == 0) {
		c->t_idle = now;
		c->since = now;
	}
}

static void
conn_read(struct server *srv, struct conn *c, int64_t now)
{
	char	 junk[1024];
	ssize_t	 n;

	if (c->state == C_LINGER) {
		n = read(c->fd, junk, sizeof(junk));
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			conn_close(srv, c);
		return;
	}
	if (c->closing || c->eof || c->inlen >= HTTP_HEAD_MAX)
		return;
	n = read(c->fd, c->in + c->inlen, HTTP_HEAD_MAX - c->inlen);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		log_debug("%s: read: %s", c->addr, strerror(errno));
		conn_close(srv, c);
		return;
	}
	if (n == 0)
		c->eof = 1;
	else {
		if (c->t_head == 0)
			c->t_head = now;
		c->t_idle = 0;
		c->inlen += (size_t)n;
	}
	conn_process(srv, c, now);
}

/* A deadline passed: a client in the middle of a request hears why. */
static void
conn_expire(struct server *srv, struct conn *c)
{
	if (c->state == C_OPEN && c->inlen > 0 && conn_waiting(c) &&
	    !c->closing) {
		log_debug("%s: request timeout", c->addr);
		c->outoff = c->outlen = 0;
		srv->answers[CHAL_R_TIMEOUT]++;
		conn_respond(srv, c, 408, 0, 0, NULL, 0);
		(void)send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
	}
	conn_close(srv, c);
}

/* The connection that has waited longest on its client, or NULL. */
static struct conn *
server_victim(struct server *srv)
{
	struct conn	*c, *best = NULL;
	int		 i;

	for (i = 0; i < SERVER_CONN_MAX; i++) {
		c = &srv->conns[i];
		if (c->fd == -1 || !conn_waiting(c))
			continue;
		if (c->state == C_LINGER)
			return c;
		if (best == NULL || c->since < best->since)
			best = c;
	}
	return best;
}

/*
 * One connection from a listener, non-blocking, its peer's address in
 * addr: the descriptor, or -1 when there is none to take now (after
 * running out of descriptors, *after is when to try again).
 */
int
server_take(int lfd, int64_t now, int64_t *after, char *addr,
    size_t addrsz)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 host[INET6_ADDRSTRLEN];
	int			 fd = -1, k, on = 1;

	for (k = 0; k < SERVER_ACCEPT_BURST; k++) {
		sslen = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1)
			break;
		switch (errno) {
		case EINTR:
		case ECONNABORTED:
			continue;
		case EAGAIN:
#if EAGAIN != EWOULDBLOCK
		case EWOULDBLOCK:
#endif
			return -1;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			log_warn("accept");
			*after = now + ACCEPT_PAUSE_MS;
			return -1;
		default:
			log_warn("accept");
			return -1;
		}
	}
	if (fd == -1)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (ss.ss_family == AF_INET6 && inet_ntop(AF_INET6,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr, host,
	    sizeof(host)) != NULL)
		snprintf(addr, addrsz, "[%s]:%u", host,
		    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	else if (ss.ss_family == AF_INET && inet_ntop(AF_INET,
	    &((struct sockaddr_in *)&ss)->sin_addr, host,
	    sizeof(host)) != NULL)
		snprintf(addr, addrsz, "%s:%u", host,
		    ntohs(((struct sockaddr_in *)&ss)->sin_port));
	else
		snprintf(addr, addrsz, "(unknown)");
	return fd;
}

static void
server_accept(struct server *srv, int lfd, int64_t now)
{
	struct conn	*c;
	char		 addr[sizeof(c->addr)];
	int		 fd, k;

	for (k = 0; k < SERVER_ACCEPT_BURST; k++) {
		if (srv->nfree == 0) {
			if ((c = server_victim(srv)) == NULL)
				return;
			log_debug("%s: dropped, connection table full",
			    c->addr);
			conn_close(srv, c);
		}
		if ((fd = server_take(lfd, now, &srv->accept_after, addr,
		    sizeof(addr))) == -1)
			return;
		c = &srv->conns[srv->freelist[--srv->nfree]];
		c->fd = fd;
		c->state = C_OPEN;
		c->closing = c->eof = 0;
		c->inlen = c->outoff = c->outlen = 0;
		http_parser_init(&c->parser);
		c->t_head = now;
		c->t_idle = c->t_write = c->t_linger = 0;
		c->since = now;
		memcpy(c->addr, addr, sizeof(c->addr));
	}
}

/*
 * Expires what is due and fills pfd (at most max entries, connections
 * first, listeners last) with what to wait for; *timeout (ms, -1 for
 * none) is the next deadline.  Returns the number of entries.
 */
int
server_pollfds(struct server *srv, struct pollfd *pfd, int max, int64_t now,
    int *timeout)
{
	struct conn	*c;
	int64_t		 d, next = INT64_MAX;
	int		 i, n = 0, victim = 0;

	for (i = 0; i < SERVER_CONN_MAX && n < max; i++) {
		c = &srv->conns[i];
		if (c->fd == -1)
			continue;
		if ((d = conn_deadline(c)) <= now) {
			conn_expire(srv, c);
			continue;
		}
		if (d < next)
			next = d;
		pfd[n].fd = c->fd;
		pfd[n].events = 0;
		pfd[n].revents = 0;
		if (!conn_waiting(c))
			pfd[n].events |= POLLOUT;
		else
			victim = 1;
		if (c->state == C_LINGER || (!c->closing && !c->eof &&
		    c->inlen < HTTP_HEAD_MAX &&
		    CONN_OUT - c->outlen >= HTTP_RESP_MAX))
			pfd[n].events |= POLLIN;
		srv->pmap[n++] = i;
	}
	if (now < srv->accept_after) {
		if (srv->accept_after < next)
			next = srv->accept_after;
	} else if (srv->nfree > 0 || victim) {
		for (i = 0; i < srv->nlfd && n < max; i++) {
			pfd[n].fd = srv->lfd[i];
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			srv->pmap[n++] = -1 - i;
		}
	}
	if (next == INT64_MAX)
		*timeout = -1;
	else
		*timeout = next - now > 60000 ? 60000 : (int)(next - now);
	return n;
}

/* Handles what poll() reported for the entries server_pollfds() made. */
void
server_events(struct server *srv, const struct pollfd *pfd, int n,
    int64_t now)
{
	struct conn	*c;
	int		 i;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (srv->pmap[i] < 0) {
			/* Listeners come last: accepting may evict. */
			server_accept(srv, pfd[i].fd, now);
			continue;
		}
		c = &srv->conns[srv->pmap[i]];
		if (c->fd != pfd[i].fd)
			continue;
		if (pfd[i].revents & POLLNVAL) {
			conn_close(srv, c);
			continue;
		}
		if (pfd[i].revents & POLLOUT) {
			conn_write(srv, c, now);
			if (c->fd == -1)
				continue;
			if (c->state == C_OPEN && c->inlen > 0)
				conn_process(srv, c, now);
			if (c->fd == -1)
				continue;
		}
		if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			conn_read(srv, c, now);
	}
}
