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
 * A hostile peer on a channel.  The input is written into one end of a
 * socketpair in chunks whose sizes (and whether a descriptor rides along)
 * come from the input; the other end is drained the way the daemon does
 * it: ichan_read, ichan_get, msg_check, then the payload read with rbuf
 * for a few message types, until end of file or the first error.
 *
 * Input: a mode byte (bit 0: compose mode, below), a byte for the
 * reader's channel limit (0: the maximum, else 16 + byte), then in raw
 * mode chunks of [h][h & 0x7f bytes], h & 0x80 attaching a descriptor.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SCAN_FDS	1024

static int	devnull = -1;
static int	ndevnull;	/* descriptors on /dev/null before any run */
static struct stat devnull_st;

/* How many open descriptors are /dev/null: each received one is. */
static int
count_devnull(void)
{
	static struct pollfd	 pfd[SCAN_FDS];
	struct stat		 st;
	int			 i, n = 0;

	for (i = 0; i < SCAN_FDS; i++) {
		pfd[i].fd = i;
		pfd[i].events = 0;
	}
	if (poll(pfd, SCAN_FDS, 0) == -1)
		abort();
	for (i = 0; i < SCAN_FDS; i++)
		if ((pfd[i].revents & POLLNVAL) == 0 &&
		    fstat(i, &st) == 0 && st.st_dev == devnull_st.st_dev &&
		    st.st_ino == devnull_st.st_ino)
			n++;
	return n;
}

static int
send_chunk(int fd, const uint8_t *p, size_t n, int withfd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct cmsghdr	*cmp;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *)p;
	iov.iov_len = n;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (withfd) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		cmp = CMSG_FIRSTHDR(&mh);
		cmp->cmsg_len = CMSG_LEN(sizeof(int));
		cmp->cmsg_level = SOL_SOCKET;
		cmp->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cmp), &devnull, sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* Reads the payload as its type says; the result only matters to ASan. */
static void
parse(struct imsg *m)
{
	struct rbuf	 r;
	struct stat	 st;
	const uint8_t	*p;
	size_t		 n;
	char		*s[4] = { NULL, NULL, NULL, NULL };
	int		 i;

	rbuf_init(&r, m->data, m->datalen);
	switch (m->hdr.type) {
	case MSG_LOG:
		(void)rbuf_u32(&r);
		s[0] = rbuf_str(&r, 8192);
		break;
	case MSG_KEY_FD:
		(void)rbuf_u32(&r);
		(void)rbuf_u32(&r);
		(void)rbuf_u32(&r);
		if (fstat(m->fd, &st) == -1)
			abort();
		break;
	case MSG_SIGN:
		(void)rbuf_u32(&r);
		s[0] = rbuf_str(&r, 4096);
		s[1] = rbuf_str(&r, 256);
		s[2] = rbuf_str(&r, 4096);
		if ((p = rbuf_blob(&r, &n, 60000)) != NULL && n > 0)
			(void)p[n - 1];
		break;
	case MSG_ISSUE_FAILED:
		(void)rbuf_u32(&r);
		s[0] = rbuf_str(&r, 1024);
		s[1] = rbuf_str(&r, 4096);
		(void)rbuf_i64(&r);
		break;
	case MSG_CHAL_ADD:
		s[0] = rbuf_str(&r, 256);
		s[1] = rbuf_str(&r, 1024);
		break;
	case MSG_AUTHORITY:
		(void)rbuf_u32(&r);
		for (i = 0; i < 4; i++)
			s[i] = rbuf_str(&r, 2048);
		(void)rbuf_u32(&r);
		(void)rbuf_u32(&r);
		break;
	case MSG_RENEWAL_WINDOW:
		(void)rbuf_u32(&r);
		(void)rbuf_i64(&r);
		(void)rbuf_i64(&r);
		(void)rbuf_i64(&r);
		break;
	default:
		break;
	}
	if (rbuf_end(&r) == 0) {
		/* A fully read payload has every string it promised. */
		for (i = 0; i < 4; i++)
			if (s[i] != NULL && strlen(s[i]) > m->datalen)
				abort();
	}
	for (i = 0; i < 4; i++)
		free(s[i]);
}

/* Takes every complete message; -1 once the stream is broken. */
static int
drain(struct imsgchan *c)
{
	struct imsg	 m;
	int		 g;

	while ((g = ichan_get(c, &m)) == 1) {
		if (m.datalen != (size_t)m.hdr.len - IMSG_HEADER_SIZE ||
		    m.data[m.datalen] != '\0')
			abort();
		if (msg_check(&m) == 0)
			parse(&m);
		imsg_clear(&m);
	}
	return g;
}

/* Reads and drains until the socket is empty; -1 at EOF or an error. */
static int
pump(struct imsgchan *c)
{
	ssize_t	 n;
	int	 i;

	for (i = 0; i < 1000; i++) {
		if (drain(c) == -1)
			return -1;
		n = ichan_read(c);
		if (n == -1)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (n == 0) {
			(void)drain(c);
			return -1;
		}
	}
	abort();	/* a reader that never runs dry is spinning */
}

/* Raw mode: the input is the byte stream, cut into chunks. */
static void
feed_raw(int fd, struct imsgchan *c, const uint8_t *data, size_t size)
{
	size_t	 off, n;
	int	 withfd;

	for (off = 0; off < size; off += n) {
		withfd = (data[off] & 0x80) != 0;
		n = data[off++] & 0x7f;
		if (n > size - off)
			n = size - off;
		if (n == 0)
			continue;
		if (send_chunk(fd, data + off, n, withfd) == -1)
			abort();
		if (pump(c) == -1)
			return;
	}
	shutdown(fd, SHUT_WR);
	(void)pump(c);
}

/*
 * Compose mode: well-framed messages of any type, flags and length the
 * input asks for, so the payload readers get exercised; records are
 * [type][bit 0: fd][len hi][len lo][payload].
 */
static void
feed_composed(int fd, struct imsgchan *c, const uint8_t *data, size_t size)
{
	struct imsgchan	*w;
	size_t		 off, n;
	int		 sendfd, i, r;

	if ((w = ichan_new(fd, IMSG_MAX_SIZE)) == NULL)
		abort();
	for (off = 0; off + 4 <= size; off += n) {
		sendfd = -1;
		if ((data[off + 1] & 1) && (sendfd = dup(devnull)) == -1)
			abort();
		n = (size_t)data[off + 2] << 8 | data[off + 3];
		off += 4;
		if (n > size - off)
			n = size - off;
		if (ichan_compose(w, data[off - 4], data[off - 3], sendfd,
		    data + off, n) == -1)
			continue;
		for (i = 0; i < 1000 && (r = ichan_flush(w)) == 1; i++)
			if (pump(c) == -1)
				goto out;
		if (r != 0 || pump(c) == -1)
			goto out;
	}
	shutdown(fd, SHUT_WR);
	(void)pump(c);
out:
	ichan_free(w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imsgchan	*c;
	size_t		 max;
	int		 sv[2];

	if (devnull == -1) {
		if ((devnull = open("/dev/null", O_RDONLY)) == -1 ||
		    fstat(devnull, &devnull_st) == -1)
			abort();
		ndevnull = count_devnull();
	}
	if (size < 2)
		return 0;
	max = data[1] == 0 ? IMSG_MAX_SIZE : IMSG_HEADER_SIZE + data[1];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	if ((c = ichan_new(sv[1], max)) == NULL)
		abort();
	if (data[0] & 1)
		feed_composed(sv[0], c, data + 2, size - 2);
	else
		feed_raw(sv[0], c, data + 2, size - 2);
	ichan_free(c);
	close(sv[0]);
	close(sv[1]);

	/* Every received descriptor must be closed again. */
	if (count_devnull() != ndevnull)
		abort();
	return 0;
}
