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
 * The preflight, in netproc: before an authority is asked to validate a
 * name, what can be checked without it.  The name is resolved, and
 * http://name/.well-known/acme-challenge/ fetched from the first address
 * that takes a connection, as the authority would; the answer is this
 * instance's only if it is challenged's Ready page with the marker the
 * parent made for this start, which another server cannot know.
 *
 * A state machine in netproc's poll loop, one timer bounding it all.
 * Holds: the checks under way.  Reads at most PREFLIGHT_READ_MAX bytes
 * of the answer; what it passes on of it is a status and a cleaned,
 * bounded Server header.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "ev.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "text.h"
#include "resolve.h"
#include "preflight_fetch.h"

#define PREFLIGHT_TIMEOUT_MS	10000	/* resolve, connect, answer */
#define PREFLIGHT_READ_MAX	4096	/* of the answer: head and page */
#define PREFLIGHT_SERVER_MAX	100	/* of the Server header, shown */
/*
 * Checks at once, each with its resolver thread and its socket; the
 * others wait their turn, so that thousands of new names at a start
 * need neither thousands of threads nor of descriptors.  Few: netproc
 * may have 16 tasks (sandbox.c), libcurl's resolver takes some.  A check
 * that finds no thread tries again a second later, a few times.
 */
#define PREFLIGHT_AT_ONCE	4
#define PREFLIGHT_TRIES		10

struct preflight {
	TAILQ_ENTRY(preflight) entry;	/* waiting its turn */
	uint32_t	 domid;
	char		 name[MSG_NAME_MAX + 1];
	int		 port;
	char		 marker[MSG_MARKER_MAX + 1];
	struct resolve	*rs;
	struct addrinfo	*ai;		/* the address being tried */
	int		 fd;
	struct ev_timer	 timer;
	int		 tries;		/* to start resolving */
	char		 req[MSG_NAME_MAX + 160];
	size_t		 reqlen, reqoff;
	char		 in[PREFLIGHT_READ_MAX + 1];
	size_t		 inlen;
	char		 addrs[MSG_TEXT_MAX + 1];
	char		 addr[INET6_ADDRSTRLEN];
	char		 detail[MSG_TEXT_MAX / 4];
	void		(*done)(void *, const struct buf *);
	void		*arg;
};

static TAILQ_HEAD(, preflight) waiting = TAILQ_HEAD_INITIALIZER(waiting);
static int	 running;

static void	connect_next(struct preflight *);
static void	pf_begin(void *);

/* The end: the result to whoever asked, and everything let go. */
static void
pf_end(struct preflight *p, enum preflight_outcome outcome)
{
	struct buf	 out;

	ev_timer_stop(&p->timer);
	resolve_end(p->rs);
	if (p->fd != -1) {
		ev_fd_del(p->fd);
		close(p->fd);
	}
	log_debug("preflight %s: %s", p->name, p->detail);
	buf_init(&out, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&out, p->domid) == -1 ||
	    buf_add_lstr(&out, p->name) == -1 ||
	    buf_add_lstr(&out, p->addrs) == -1 ||
	    buf_add_lstr(&out, p->addr) == -1 ||
	    buf_add_u32(&out, outcome) == -1 ||
	    buf_add_lstr(&out, p->detail) == -1)
		fatalx("PREFLIGHT_RESULT too large");
	p->done(p->arg, &out);
	buf_free(&out);
	free(p);
	running--;
	/* The next begins from the loop: a row of failures is no recursion. */
	if ((p = TAILQ_FIRST(&waiting)) != NULL) {
		TAILQ_REMOVE(&waiting, p, entry);
		running++;
		ev_timer_set(&p->timer, 0, pf_begin, p);
	}
}

static void
pf_timeout(void *arg)
{
	struct preflight	*p = arg;

	if (p->ai == NULL) {
		snprintf(p->detail, sizeof(p->detail), "cannot resolve %s "
		    "within %d s", p->name, PREFLIGHT_TIMEOUT_MS / 1000);
		pf_end(p, PREFLIGHT_NO_NAME);
	} else if (p->reqlen == 0 || p->reqoff < p->reqlen) {
		snprintf(p->detail, sizeof(p->detail), "no connection within "
		    "%d s", PREFLIGHT_TIMEOUT_MS / 1000);
		pf_end(p, PREFLIGHT_TIMEOUT);
	} else {
		snprintf(p->detail, sizeof(p->detail), "connected, but no "
		    "whole answer within %d s", PREFLIGHT_TIMEOUT_MS / 1000);
		pf_end(p, PREFLIGHT_TIMEOUT);
	}
}

/* The value of the answer's Server header, cleaned, or "". */
static void
server_header(const char *head, char *out, size_t len)
{
	const char	*l, *e, *v;

	out[0] = '\0';
	for (l = strstr(head, "\r\n"); l != NULL; l = e) {
		l += 2;
		if ((e = strstr(l, "\r\n")) == NULL || e == l)
			return;
		if (strncasecmp(l, "Server:", 7) != 0)
			continue;
		for (v = l + 7; v < e && (*v == ' ' || *v == '\t'); v++)
			;
		if ((size_t)(e - v) > PREFLIGHT_SERVER_MAX)
			e = v + PREFLIGHT_SERVER_MAX;
		(void)text_clean(out, len, v, (size_t)(e - v));
		return;
	}
}

/* The whole answer (or all that is read of it): whose is it? */
static void
answered(struct preflight *p)
{
	char		 server[PREFLIGHT_SERVER_MAX * 4 + 1], want[128];
	const char	*body;
	int		 status, other;

	p->in[p->inlen] = '\0';
	if (strlen(p->in) != p->inlen || sscanf(p->in, "HTTP/1.%*1[01] %3d",
	    &status) != 1 || status < 100) {
		snprintf(p->detail, sizeof(p->detail), "answers, but not with "
		    "HTTP");
		pf_end(p, PREFLIGHT_OTHER);
		return;
	}
	snprintf(want, sizeof(want), "%s%s\n", MSG_READY_PAGE, p->marker);
	body = strstr(p->in, "\r\n\r\n");
	if (status == 200 && body != NULL && strcmp(body + 4, want) == 0) {
		snprintf(p->detail, sizeof(p->detail), "this instance answers");
		pf_end(p, PREFLIGHT_THIS);
		return;
	}
	server_header(p->in, server, sizeof(server));
	other = body != NULL && strncmp(body + 4, MSG_READY_PAGE,
	    strlen(MSG_READY_PAGE)) == 0;
	snprintf(p->detail, sizeof(p->detail), "HTTP status %d, %s%s%s",
	    status, server[0] != '\0' ? "Server: " : "no Server header",
	    server, other ? ", the Ready page of another instance or start" :
	    "");
	pf_end(p, PREFLIGHT_OTHER);
}

static void
readable(int fd, short revents, void *arg)
{
	struct preflight	*p = arg;
	ssize_t			 n;

	(void)revents;
	n = read(fd, p->in + p->inlen, PREFLIGHT_READ_MAX - p->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		p->inlen += (size_t)n;
	if (n > 0 && p->inlen < PREFLIGHT_READ_MAX)
		return;
	if (n == -1 && p->inlen == 0) {
		snprintf(p->detail, sizeof(p->detail), "connected, then %s",
		    strerror(errno));
		pf_end(p, PREFLIGHT_OTHER);
		return;
	}
	answered(p);
}

static void
writable(int fd, short revents, void *arg)
{
	struct preflight	*p = arg;
	ssize_t			 n;

	(void)revents;
	n = write(fd, p->req + p->reqoff, p->reqlen - p->reqoff);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == -1) {
		snprintf(p->detail, sizeof(p->detail), "connected, then %s",
		    strerror(errno));
		pf_end(p, PREFLIGHT_OTHER);
		return;
	}
	p->reqoff += (size_t)n;
	if (p->reqoff < p->reqlen)
		return;
	if (ev_fd(fd, POLLIN, readable, p) == -1)
		fatal("preflight");
}

/* What a failed connection says, by its errno. */
static enum preflight_outcome
connect_failed(struct preflight *p, int e)
{
	snprintf(p->detail, sizeof(p->detail), "%s", strerror(e));
	p->detail[0] = (char)tolower((unsigned char)p->detail[0]);
	if (e == ECONNREFUSED)
		return PREFLIGHT_REFUSED;
	if (e == ETIMEDOUT)
		return PREFLIGHT_TIMEOUT;
	return PREFLIGHT_UNREACHABLE;
}

static void
connected(int fd, short revents, void *arg)
{
	struct preflight	*p = arg;
	int			 soerr;

	(void)revents;
	if ((soerr = resolve_connected(fd)) == 0) {
		p->reqlen = strlen(p->req);
		writable(fd, 0, p);
		return;
	}
	p->fd = -1;
	if (p->ai->ai_next == NULL) {
		pf_end(p, connect_failed(p, soerr));
		return;
	}
	p->ai = p->ai->ai_next;
	connect_next(p);
}

/* An address, as text. */
static void
address_text(const struct addrinfo *ai, char *out, size_t len)
{
	const void	*a;

	if (ai->ai_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
	else
		a = &((const struct sockaddr_in *)ai->ai_addr)->sin_addr;
	if (inet_ntop(ai->ai_family, a, out, len) == NULL)
		strlcpy(out, "?", len);
}

/*
 * A connection to the first address that takes one; the last failure
 * decides if none does.
 */
static void
connect_next(struct preflight *p)
{
	int	 e;

	p->fd = resolve_connect(&p->ai, connected, p);
	e = errno;
	if (p->ai != NULL)
		address_text(p->ai, p->addr, sizeof(p->addr));
	if (p->fd == -1)
		pf_end(p, connect_failed(p, e));
}

static void
resolved(int fd, short revents, void *arg)
{
	struct preflight	*p = arg;
	struct addrinfo		*ai;
	char			 a[INET6_ADDRSTRLEN];
	int			 r;

	(void)fd;
	(void)revents;
	if ((r = resolve_done(p->rs, p->detail, sizeof(p->detail))) == 1)
		return;
	if (r == -1) {
		pf_end(p, PREFLIGHT_NO_NAME);
		return;
	}
	for (ai = p->rs->res; ai != NULL; ai = ai->ai_next) {
		address_text(ai, a, sizeof(a));
		if (strlen(p->addrs) + strlen(a) + 3 < sizeof(p->addrs))
			snprintf(p->addrs + strlen(p->addrs), sizeof(p->addrs) -
			    strlen(p->addrs), "%s%s", p->addrs[0] ? ", " : "",
			    a);
	}
	p->ai = p->rs->res;
	connect_next(p);
}

/*
 * MSG_PREFLIGHT from the parent, checked: done(arg, payload) gets the
 * payload of its MSG_PREFLIGHT_RESULT when the check has ended.
 */
void
preflight_fetch(const struct imsg *m,
    void (*done)(void *, const struct buf *), void *arg)
{
	struct preflight	*p;
	struct rbuf		 r;
	char			*name, *marker;
	uint32_t		 port;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("preflight");
	rbuf_init(&r, m->data, m->datalen);
	p->domid = rbuf_u32(&r);
	name = rbuf_str(&r, MSG_NAME_MAX);
	port = rbuf_u32(&r);
	marker = rbuf_str(&r, MSG_MARKER_MAX);
	if (rbuf_end(&r) == -1 || *name == '\0' || port == 0 ||
	    port > 65535 || strchr(name, '/') != NULL ||
	    strchr(name, ' ') != NULL)
		fatalx("malformed PREFLIGHT from the parent");
	strlcpy(p->name, name, sizeof(p->name));
	strlcpy(p->marker, marker, sizeof(p->marker));
	free(name);
	free(marker);
	p->port = (int)port;
	p->fd = -1;
	p->done = done;
	p->arg = arg;
	/* Host as the authority sends it: an IPv6 address in brackets. */
	snprintf(p->req, sizeof(p->req), "GET /.well-known/acme-challenge/ "
	    "HTTP/1.1\r\nHost: %s%s%s\r\nUser-Agent: acmed preflight\r\n"
	    "Accept: */*\r\nConnection: close\r\n\r\n",
	    strchr(p->name, ':') ? "[" : "", p->name,
	    strchr(p->name, ':') ? "]" : "");
	if (running >= PREFLIGHT_AT_ONCE)
		TAILQ_INSERT_TAIL(&waiting, p, entry);
	else {
		running++;
		pf_begin(p);
	}
}

/* Its turn: the name resolved, then the page fetched, all timed. */
static void
pf_begin(void *arg)
{
	struct preflight	*p = arg;

	if ((p->rs = resolve_start(p->name, p->port, resolved, p, p->detail,
	    sizeof(p->detail))) == NULL) {
		if (++p->tries < PREFLIGHT_TRIES)
			ev_timer_set(&p->timer, 1000, pf_begin, p);
		else
			pf_end(p, PREFLIGHT_NO_NAME);
		return;
	}
	ev_timer_set(&p->timer, PREFLIGHT_TIMEOUT_MS, pf_timeout, p);
}
