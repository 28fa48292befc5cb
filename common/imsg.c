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
 * Framed messages over a socketpair, compatible in layout with OpenBSD's
 * imsg.  The reader keeps at most one channel-maximum of bytes: a header
 * announcing more than the channel's limit is refused before anything is
 * allocated, a partial message waits for more bytes, and end of file in
 * the middle of a message is an error, not a spin.  Descriptors travel as
 * SCM_RIGHTS with the first byte of their message.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

#define ICHAN_MAXFDS	16	/* received descriptors not yet claimed */

struct wmsg {
	STAILQ_ENTRY(wmsg)	 entry;
	uint8_t			*data;
	size_t			 len;
	size_t			 off;
	int			 fd;
};

struct imsgchan {
	int			 fd;
	size_t			 max;
	uint8_t			*rbuf;
	size_t			 rlen;
	int			 eof;
	int			 fds[ICHAN_MAXFDS];
	size_t			 nfds;
	STAILQ_HEAD(, wmsg)	 wq;
	size_t			 queued;
};

struct imsgchan *
ichan_new(int fd, size_t max)
{
	struct imsgchan	*c;
	int		 fl;

	if (max < IMSG_HEADER_SIZE || max > IMSG_MAX_SIZE) {
		errno = EINVAL;
		return NULL;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->rbuf = malloc(max)) == NULL) {
		free(c);
		return NULL;
	}
	c->fd = fd;
	c->max = max;
	STAILQ_INIT(&c->wq);
	return c;
}

void
ichan_free(struct imsgchan *c)
{
	struct wmsg	*w;
	size_t		 i;

	if (c == NULL)
		return;
	while ((w = STAILQ_FIRST(&c->wq)) != NULL) {
		STAILQ_REMOVE_HEAD(&c->wq, entry);
		if (w->fd != -1)
			close(w->fd);
		free(w->data);
		free(w);
	}
	for (i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	free(c->rbuf);
	free(c);
}

int
ichan_fd(const struct imsgchan *c)
{
	return c->fd;
}

size_t
ichan_queued(const struct imsgchan *c)
{
	return c->queued;
}

/*
 * Queues one message; the descriptor, if any, now belongs to the channel
 * and is closed once sent (or when the channel is freed).
 */
int
ichan_compose(struct imsgchan *c, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct imsg_hdr	 hdr;
	struct wmsg	*w;

	if (len > c->max - IMSG_HEADER_SIZE || (len > 0 && data == NULL)) {
		errno = EMSGSIZE;
		goto fail;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		goto fail;
	w->len = IMSG_HEADER_SIZE + len;
	if ((w->data = malloc(w->len)) == NULL) {
		free(w);
		goto fail;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint16_t)w->len;
	hdr.flags = fd == -1 ? 0 : IMSGF_HASFD;
	hdr.peerid = peerid;
	hdr.pid = (uint32_t)getpid();
	memcpy(w->data, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(w->data + IMSG_HEADER_SIZE, data, len);
	w->fd = fd;
	STAILQ_INSERT_TAIL(&c->wq, w, entry);
	c->queued += w->len;
	return 0;
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

/* Writes what the socket takes: 0 all sent, 1 more queued, -1 error. */
int
ichan_flush(struct imsgchan *c)
{
	struct wmsg	*w;
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct cmsghdr	*cmp;
	ssize_t		 n;

	while ((w = STAILQ_FIRST(&c->wq)) != NULL) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = w->data + w->off;
		iov.iov_len = w->len - w->off;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if (w->fd != -1 && w->off == 0) {
			memset(&cm, 0, sizeof(cm));
			mh.msg_control = cm.buf;
			mh.msg_controllen = sizeof(cm.buf);
			cmp = CMSG_FIRSTHDR(&mh);
			cmp->cmsg_len = CMSG_LEN(sizeof(int));
			cmp->cmsg_level = SOL_SOCKET;
			cmp->cmsg_type = SCM_RIGHTS;
			memcpy(CMSG_DATA(cmp), &w->fd, sizeof(int));
		}
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -1;
		}
		if (w->fd != -1 && w->off == 0) {
			close(w->fd);
			w->fd = -1;
		}
		w->off += (size_t)n;
		c->queued -= (size_t)n;
		if (w->off == w->len) {
			STAILQ_REMOVE_HEAD(&c->wq, entry);
			free(w->data);
			free(w);
		}
	}
	return 0;
}

/* Blocks until everything queued is written. */
int
ichan_flush_all(struct imsgchan *c)
{
	struct pollfd	 pfd;
	int		 r;

	while ((r = ichan_flush(c)) == 1) {
		pfd.fd = c->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return -1;
	}
	return r;
}

/*
 * One read from the socket: the number of bytes, 0 at end of file, -1 on
 * error (EAGAIN when nothing is there yet).  Descriptors beyond what the
 * channel queues are closed and make the read fail.
 */
ssize_t
ichan_read(struct imsgchan *c)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 8)];
	} cm;
	struct cmsghdr	*cmp;
	ssize_t		 n;
	size_t		 i, nfd;
	int		 fd, overflow = 0;

	if (c->rlen == c->max) {
		errno = EBADMSG;
		return -1;
	}
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = c->rbuf + c->rlen;
	iov.iov_len = c->max - c->rlen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	do {
		n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	for (cmp = CMSG_FIRSTHDR(&mh); cmp != NULL;
	    cmp = CMSG_NXTHDR(&mh, cmp)) {
		if (cmp->cmsg_level != SOL_SOCKET ||
		    cmp->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cmp->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			memcpy(&fd, CMSG_DATA(cmp) + i * sizeof(int),
			    sizeof(int));
			if (c->nfds < ICHAN_MAXFDS)
				c->fds[c->nfds++] = fd;
			else {
				close(fd);
				overflow = 1;
			}
		}
	}
	if (overflow || (mh.msg_flags & MSG_CTRUNC)) {
		errno = EBADMSG;
		return -1;
	}
	if (n == 0)
		c->eof = 1;
	c->rlen += (size_t)n;
	return n;
}

/*
 * Takes the next complete message out of the read buffer: 1 and *m filled
 * (release it with imsg_clear()), 0 if none is complete yet, -1 with
 * EBADMSG if the stream is malformed (bad length, missing descriptor, end
 * of file inside a message).
 */
int
ichan_get(struct imsgchan *c, struct imsg *m)
{
	struct imsg_hdr	 hdr;
	size_t		 len;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (c->rlen < IMSG_HEADER_SIZE) {
		if (c->eof && c->rlen > 0)
			goto bad;
		return 0;
	}
	memcpy(&hdr, c->rbuf, sizeof(hdr));
	len = hdr.len;
	if (len < IMSG_HEADER_SIZE || len > c->max ||
	    (hdr.flags & ~IMSGF_HASFD) != 0)
		goto bad;
	if (c->rlen < len) {
		if (c->eof)
			goto bad;
		return 0;
	}
	if (hdr.flags & IMSGF_HASFD) {
		if (c->nfds == 0)
			goto bad;
		m->fd = c->fds[0];
		memmove(c->fds, c->fds + 1, (c->nfds - 1) * sizeof(int));
		c->nfds--;
	}
	m->datalen = len - IMSG_HEADER_SIZE;
	if ((m->data = malloc(m->datalen + 1)) == NULL) {
		if (m->fd != -1)
			close(m->fd);
		m->fd = -1;
		return -1;
	}
	memcpy(m->data, c->rbuf + IMSG_HEADER_SIZE, m->datalen);
	m->data[m->datalen] = '\0';
	m->hdr = hdr;
	memmove(c->rbuf, c->rbuf + len, c->rlen - len);
	c->rlen -= len;
	return 1;
bad:
	errno = EBADMSG;
	return -1;
}

/*
 * Blocks until a message arrives: 1 with *m filled, 0 at a clean end of
 * file, -1 on error.
 */
int
ichan_recv(struct imsgchan *c, struct imsg *m)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 r;

	for (;;) {
		if ((r = ichan_get(c, m)) != 0)
			return r;
		if (c->eof)
			return 0;
		if ((n = ichan_read(c)) > 0)
			continue;
		if (n == 0)
			continue;	/* ichan_get decides: clean or not */
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return -1;
	}
}

void
imsg_clear(struct imsg *m)
{
	free(m->data);
	m->data = NULL;
	if (m->fd != -1)
		close(m->fd);
	m->fd = -1;
}
