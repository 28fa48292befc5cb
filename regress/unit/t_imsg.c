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
 * The message framing over socketpairs: round trips at the size limits,
 * a hostile peer's malformed headers, messages split across writes and
 * reads, end of file inside a message, descriptor passing, a writer that
 * fills the socket, and msg_check() on every kind of mismatch.  An alarm
 * bounds the whole run, so a reader that hangs or spins fails the test.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "msg.h"
#include "test.h"

#define MAXDATA	(IMSG_MAX_SIZE - IMSG_HEADER_SIZE)

static void
on_alarm(int sig)
{
	static const char msg[] = "not ok - timed out: a reader hung or spun\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) == -1)
		_exit(2);
	_exit(1);
}

static void
xpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
		perror("socketpair");
		exit(1);
	}
}

static struct imsgchan *
xchan(int fd, size_t max)
{
	struct imsgchan	*c;

	if ((c = ichan_new(fd, max)) == NULL) {
		perror("ichan_new");
		exit(1);
	}
	return c;
}

static int
is_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

/* A header as a peer would write it, by hand. */
static size_t
raw_hdr(uint8_t *p, uint32_t type, uint16_t len, uint16_t flags)
{
	struct imsg_hdr	 h;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.len = len;
	h.flags = flags;
	h.peerid = 7;
	h.pid = 1234;
	memcpy(p, &h, sizeof(h));
	return sizeof(h);
}

static int
xwrite(int fd, const void *p, size_t n)
{
	return write(fd, p, n) == (ssize_t)n ? 0 : -1;
}

/*
 * Moves bytes from w (if any) to r until r yields a message or fails;
 * bounded, and never blocks for long.
 */
static int
pump(struct imsgchan *w, struct imsgchan *r, struct imsg *m)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 i, g;

	/*
	 * Bounded: everything was written before, so a quiet 200 ms with
	 * nothing left to send means "no message".
	 */
	for (i = 0; i < 100000; i++) {
		if (w != NULL && ichan_flush(w) == -1)
			return -1;
		if ((g = ichan_get(r, m)) != 0)
			return g;
		n = ichan_read(r);
		if (n == 0) {
			if ((g = ichan_get(r, m)) != 0)
				return g;
			return 0;
		}
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			if (w != NULL && ichan_queued(w) > 0)
				continue;
			pfd.fd = ichan_fd(r);
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 200) == 0)
				return 0;
		}
	}
	return -1;
}

static void
test_new(void)
{
	int	 sv[2];

	xpair(sv);
	errno = 0;
	CHECK(ichan_new(sv[0], IMSG_HEADER_SIZE - 1) == NULL &&
	    errno == EINVAL, "a channel limit below the header is refused");
	errno = 0;
	CHECK(ichan_new(sv[0], IMSG_MAX_SIZE + 1) == NULL && errno == EINVAL,
	    "a channel limit above the maximum is refused");
	CHECK(ichan_new(-1, 100) == NULL, "a bad descriptor is refused");
	close(sv[0]);
	close(sv[1]);
}

static void
test_roundtrip(void)
{
	static const size_t	 sizes[] = { 0, 1, 2, 100, MAXDATA - 1, MAXDATA };
	struct imsgchan		*a, *b;
	struct imsg		 m;
	uint8_t			*data;
	size_t			 i, j;
	int			 sv[2], p[2], ok;

	xpair(sv);
	a = xchan(sv[0], IMSG_MAX_SIZE);
	b = xchan(sv[1], IMSG_MAX_SIZE);
	data = malloc(MAXDATA + 16);
	for (i = 0; i < MAXDATA + 16; i++)
		data[i] = (uint8_t)(i * 7 + 3);

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CHECK(ichan_compose(a, MSG_LOG, 42 + i, -1, data, sizes[i]) ==
		    0, "compose %zu bytes", sizes[i]);
		CHECK(ichan_queued(a) == IMSG_HEADER_SIZE + sizes[i],
		    "%zu bytes queued", IMSG_HEADER_SIZE + sizes[i]);
		ok = pump(a, b, &m) == 1;
		CHECK(ok && m.hdr.type == MSG_LOG && m.hdr.peerid == 42 + i &&
		    m.hdr.pid == (uint32_t)getpid() && m.hdr.flags == 0 &&
		    m.hdr.len == IMSG_HEADER_SIZE + sizes[i] && m.fd == -1,
		    "%zu bytes: header arrives intact", sizes[i]);
		CHECK(ok && m.datalen == sizes[i] && m.data != NULL &&
		    memcmp(m.data, data, sizes[i]) == 0 &&
		    m.data[m.datalen] == '\0',
		    "%zu bytes: payload arrives intact and NUL-terminated",
		    sizes[i]);
		CHECK(ichan_queued(a) == 0, "nothing left queued");
		imsg_clear(&m);
		CHECK(m.data == NULL && m.fd == -1, "imsg_clear resets");
	}

	/* Several sizes queued at once arrive in order. */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		ichan_compose(a, (uint32_t)i, 0, -1, data + i, sizes[i]);
	ok = 1;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (pump(a, b, &m) != 1 || m.hdr.type != i ||
		    m.datalen != sizes[i] || memcmp(m.data, data + i,
		    sizes[i]) != 0)
			ok = 0;
		imsg_clear(&m);
	}
	CHECK(ok, "queued messages of every size arrive in order");

	errno = 0;
	CHECK(ichan_compose(a, MSG_LOG, 0, -1, data, MAXDATA + 1) == -1 &&
	    errno == EMSGSIZE, "compose over the maximum fails with EMSGSIZE");
	CHECK(ichan_queued(a) == 0, "a refused message queues nothing");
	errno = 0;
	CHECK(ichan_compose(a, MSG_LOG, 0, -1, NULL, 5) == -1,
	    "compose of a length without data fails");
	if (pipe(p) == 0) {
		CHECK(ichan_compose(a, MSG_LOG, 0, p[0], data, SIZE_MAX) ==
		    -1 && is_closed(p[0]),
		    "a refused message still closes its descriptor");
		close(p[1]);
	}
	ichan_free(a);
	ichan_free(b);
	close(sv[0]);
	close(sv[1]);

	/* A channel with a smaller limit. */
	xpair(sv);
	a = xchan(sv[0], 100);
	b = xchan(sv[1], 100);
	CHECK(ichan_compose(a, MSG_LOG, 0, -1, data, 84) == 0,
	    "84 bytes fit a 100-byte channel");
	errno = 0;
	CHECK(ichan_compose(a, MSG_LOG, 0, -1, data, 85) == -1 &&
	    errno == EMSGSIZE, "85 bytes do not");
	ok = pump(a, b, &m) == 1 && m.datalen == 84 &&
	    memcmp(m.data, data, 84) == 0;
	CHECK(ok, "84 bytes round trip on a 100-byte channel");
	imsg_clear(&m);
	/* Fill the reader's buffer to the byte with complete messages. */
	for (j = 0; j < 5; j++)
		ichan_compose(a, 1, (uint32_t)j, -1, data, 4);
	ok = 1;
	for (j = 0; j < 5; j++) {
		if (pump(a, b, &m) != 1 || m.hdr.peerid != j ||
		    m.datalen != 4)
			ok = 0;
		imsg_clear(&m);
	}
	CHECK(ok, "a reader buffer filled with exact messages drains");
	ichan_free(a);
	ichan_free(b);
	close(sv[0]);
	close(sv[1]);
	free(data);
}

/* Writes raw bytes to a channel and returns what ichan_get makes of them. */
static int
feed(const uint8_t *p, size_t n, size_t max, int eof, int *err)
{
	struct imsgchan	*r;
	struct imsg	 m;
	int		 sv[2], g;

	xpair(sv);
	r = xchan(sv[1], max);
	if (xwrite(sv[0], p, n) == -1)
		return -2;
	if (eof)
		shutdown(sv[0], SHUT_WR);
	errno = 0;
	g = pump(NULL, r, &m);
	*err = errno;
	if (g == 1)
		imsg_clear(&m);
	ichan_free(r);
	close(sv[0]);
	close(sv[1]);
	return g;
}

static void
test_bad_headers(void)
{
	uint8_t	 p[64 + IMSG_HEADER_SIZE];
	int	 err, g;

	memset(p, 'x', sizeof(p));

	/* Only the header is written: the refusal must not wait for more. */
	raw_hdr(p, MSG_LOG, 101, 0);
	g = feed(p, IMSG_HEADER_SIZE, 100, 0, &err);
	CHECK(g == -1 && err == EBADMSG,
	    "a header claiming more than the channel limit: EBADMSG at once");
	raw_hdr(p, MSG_LOG, 65535, 0);
	g = feed(p, IMSG_HEADER_SIZE, 64, 0, &err);
	CHECK(g == -1 && err == EBADMSG,
	    "a header claiming 65535 on a 64-byte channel: EBADMSG at once");
	raw_hdr(p, MSG_LOG, 100, 0);
	g = feed(p, 100 - 20, 100, 0, &err);
	CHECK(g == 0, "a header at exactly the limit waits for its body");

	raw_hdr(p, MSG_LOG, 0, 0);
	g = feed(p, IMSG_HEADER_SIZE, 100, 0, &err);
	CHECK(g == -1 && err == EBADMSG, "length 0: EBADMSG");
	raw_hdr(p, MSG_LOG, IMSG_HEADER_SIZE - 1, 0);
	g = feed(p, IMSG_HEADER_SIZE, 100, 0, &err);
	CHECK(g == -1 && err == EBADMSG, "length 15: EBADMSG");
	raw_hdr(p, MSG_LOG, IMSG_HEADER_SIZE, 0);
	g = feed(p, IMSG_HEADER_SIZE, 100, 0, &err);
	CHECK(g == 1, "length 16 (empty payload) is fine");

	raw_hdr(p, MSG_LOG, IMSG_HEADER_SIZE + 4, 0x0002);
	g = feed(p, IMSG_HEADER_SIZE + 4, 100, 0, &err);
	CHECK(g == -1 && err == EBADMSG, "flag 0x0002: EBADMSG");
	raw_hdr(p, MSG_LOG, IMSG_HEADER_SIZE + 4, 0x8000);
	g = feed(p, IMSG_HEADER_SIZE + 4, 100, 0, &err);
	CHECK(g == -1 && err == EBADMSG, "flag 0x8000: EBADMSG");
	raw_hdr(p, MSG_LOG, IMSG_HEADER_SIZE + 4, 0xffff);
	g = feed(p, IMSG_HEADER_SIZE + 4, 100, 0, &err);
	CHECK(g == -1 && err == EBADMSG, "flags 0xffff: EBADMSG");

	raw_hdr(p, MSG_KEY_FD, IMSG_HEADER_SIZE + 12, IMSGF_HASFD);
	g = feed(p, IMSG_HEADER_SIZE + 12, 100, 0, &err);
	CHECK(g == -1 && err == EBADMSG,
	    "HASFD without a descriptor: EBADMSG");

	/* End of file inside a header, inside a body, right after one. */
	raw_hdr(p, MSG_LOG, IMSG_HEADER_SIZE + 10, 0);
	g = feed(p, 5, 100, 1, &err);
	CHECK(g == -1 && err == EBADMSG, "EOF inside a header: EBADMSG");
	g = feed(p, IMSG_HEADER_SIZE, 100, 1, &err);
	CHECK(g == -1 && err == EBADMSG, "EOF after a header: EBADMSG");
	g = feed(p, IMSG_HEADER_SIZE + 9, 100, 1, &err);
	CHECK(g == -1 && err == EBADMSG, "EOF one byte short: EBADMSG");
	g = feed(p, IMSG_HEADER_SIZE + 10, 100, 1, &err);
	CHECK(g == 1, "EOF right after a message: the message");
	g = feed(p, 0, 100, 1, &err);
	CHECK(g == 0, "EOF on an empty stream: 0");
}

static void
test_dribble(void)
{
	struct imsgchan	*r;
	struct imsg	 m;
	uint8_t		 p[IMSG_HEADER_SIZE + 20];
	size_t		 i, len;
	ssize_t		 n;
	int		 sv[2], early = 0, g = 0;

	len = raw_hdr(p, MSG_CHAL_DEL, sizeof(p), 0);
	memcpy(p + len, "\0\0\0\x10" "token-0123456789", 20);
	xpair(sv);
	r = xchan(sv[1], IMSG_MAX_SIZE);
	for (i = 0; i < sizeof(p); i++) {
		if (xwrite(sv[0], p + i, 1) == -1)
			break;
		n = ichan_read(r);
		g = ichan_get(r, &m);
		if (i + 1 < sizeof(p)) {
			if (n != 1 || g != 0)
				early++;
			if (g == 1)
				imsg_clear(&m);
		}
	}
	CHECK(early == 0, "one byte at a time: nothing before the last byte");
	CHECK(g == 1 && m.hdr.type == MSG_CHAL_DEL && m.datalen == 20 &&
	    memcmp(m.data, p + IMSG_HEADER_SIZE, 20) == 0,
	    "one byte at a time: the message after the last byte");
	if (g == 1)
		imsg_clear(&m);
	CHECK(ichan_get(r, &m) == 0, "and exactly one message");
	errno = 0;
	CHECK(ichan_read(r) == -1 && errno == EAGAIN,
	    "an empty socket reads EAGAIN");
	ichan_free(r);
	close(sv[0]);
	close(sv[1]);
}

static void
test_many_in_one_write(void)
{
	struct imsgchan	*r;
	struct imsg	 m;
	uint8_t		*p;
	size_t		 off, i, len, total = 0;
	int		 sv[2], ok = 1, got = 0, g, rounds;

	/* 200 messages of 0..39 bytes, all in one write. */
	p = malloc(200 * (IMSG_HEADER_SIZE + 40));
	for (off = 0, i = 0; i < 200; i++) {
		len = i % 40;
		off += raw_hdr(p + off, (uint32_t)i, IMSG_HEADER_SIZE + len, 0);
		memset(p + off, (int)i, len);
		off += len;
	}
	total = off;
	xpair(sv);
	/* A small channel, so the reader must take the stream in pieces. */
	r = xchan(sv[1], 64);
	CHECK(xwrite(sv[0], p, total) == 0, "one write of %zu bytes", total);
	shutdown(sv[0], SHUT_WR);
	for (rounds = 0; rounds < 10000; rounds++) {
		if ((g = ichan_recv(r, &m)) != 1)
			break;
		len = got % 40;
		if (m.hdr.type != (uint32_t)got || m.datalen != len ||
		    (len > 0 && (m.data[0] != (uint8_t)got ||
		    m.data[len - 1] != (uint8_t)got)))
			ok = 0;
		imsg_clear(&m);
		got++;
	}
	CHECK(ok && got == 200, "200 messages read back in order (%d)", got);
	CHECK(g == 0, "then a clean end of file");
	CHECK(ichan_recv(r, &m) == 0, "which stays a clean end of file");
	ichan_free(r);
	close(sv[0]);
	close(sv[1]);

	/* The same stream cut at every 7th byte, read between the writes. */
	xpair(sv);
	r = xchan(sv[1], IMSG_MAX_SIZE);
	got = 0;
	ok = 1;
	for (off = 0; off < total; off += 7) {
		len = total - off < 7 ? total - off : 7;
		if (xwrite(sv[0], p + off, len) == -1 || ichan_read(r) <= 0)
			ok = 0;
		while ((g = ichan_get(r, &m)) == 1) {
			if (m.hdr.type != (uint32_t)got)
				ok = 0;
			imsg_clear(&m);
			got++;
		}
		if (g == -1)
			ok = 0;
	}
	CHECK(ok && got == 200, "a stream cut at every 7th byte (%d)", got);
	ichan_free(r);
	close(sv[0]);
	close(sv[1]);
	free(p);
}

static void
test_eof(void)
{
	struct imsgchan	*a, *b;
	struct imsg	 m;
	uint8_t		 p[IMSG_HEADER_SIZE + 8];
	int		 sv[2];

	/* A peer that dies in the middle of a message. */
	xpair(sv);
	b = xchan(sv[1], IMSG_MAX_SIZE);
	raw_hdr(p, MSG_LOG, sizeof(p), 0);
	xwrite(sv[0], p, sizeof(p) - 3);
	close(sv[0]);
	errno = 0;
	CHECK(ichan_recv(b, &m) == -1 && errno == EBADMSG,
	    "ichan_recv: EOF inside a message is EBADMSG");
	errno = 0;
	CHECK(ichan_recv(b, &m) == -1 && errno == EBADMSG,
	    "ichan_recv: and stays so");
	CHECK(ichan_read(b) == 0, "ichan_read at EOF: 0");
	errno = 0;
	CHECK(ichan_get(b, &m) == -1 && errno == EBADMSG,
	    "ichan_get after EOF inside a message: EBADMSG");
	ichan_free(b);
	close(sv[1]);

	/* A peer that finishes its message, then leaves. */
	xpair(sv);
	a = xchan(sv[0], IMSG_MAX_SIZE);
	b = xchan(sv[1], IMSG_MAX_SIZE);
	ichan_compose(a, MSG_SHUTDOWN, 0, -1, NULL, 0);
	CHECK(ichan_flush_all(a) == 0, "flush_all");
	ichan_free(a);
	close(sv[0]);
	CHECK(ichan_recv(b, &m) == 1 && m.hdr.type == MSG_SHUTDOWN,
	    "the last message before EOF arrives");
	imsg_clear(&m);
	CHECK(ichan_recv(b, &m) == 0, "ichan_recv: clean EOF is 0");
	CHECK(ichan_recv(b, &m) == 0, "ichan_recv: and stays 0");
	ichan_free(b);
	close(sv[1]);

	/* Writing to a peer that has gone: an error, not SIGPIPE. */
	xpair(sv);
	a = xchan(sv[0], IMSG_MAX_SIZE);
	close(sv[1]);
	ichan_compose(a, MSG_SHUTDOWN, 0, -1, NULL, 0);
	errno = 0;
	CHECK(ichan_flush(a) == -1 && errno == EPIPE,
	    "flush to a closed peer: EPIPE");
	CHECK(ichan_flush_all(a) == -1, "flush_all to a closed peer: -1");
	ichan_free(a);
	close(sv[0]);
}

static void
test_fds(void)
{
	struct imsgchan	*a, *b;
	struct imsg	 m;
	char		 path[] = "/tmp/t_imsg.XXXXXX", c, buf[32];
	int		 sv[2], p[2], fd, i, ok, pr[20], pw[20];

	xpair(sv);
	a = xchan(sv[0], IMSG_MAX_SIZE);
	b = xchan(sv[1], IMSG_MAX_SIZE);

	/* A pipe's read end. */
	if (pipe(p) == -1)
		exit(1);
	CHECK(ichan_compose(a, MSG_LISTEN_FD, 1, p[0], "\0\0\0\0", 4) == 0,
	    "compose with a pipe");
	CHECK(pump(a, b, &m) == 1 && m.fd != -1 &&
	    (m.hdr.flags & IMSGF_HASFD), "the message carries a descriptor");
	/* The received copy may reuse the number the sender closed. */
	CHECK(m.fd == p[0] || is_closed(p[0]),
	    "the sender's copy is closed once sent");
	CHECK(msg_check(&m) == 0, "msg_check accepts LISTEN_FD with its fd");
	CHECK(fcntl(m.fd, F_GETFD) == FD_CLOEXEC,
	    "the received descriptor is close-on-exec");
	xwrite(p[1], "P", 1);
	CHECK(read(m.fd, &c, 1) == 1 && c == 'P',
	    "read through the received pipe");
	close(p[1]);
	CHECK(read(m.fd, &c, 1) == 0, "and see its end of file");
	imsg_clear(&m);

	/* A regular file. */
	if ((fd = mkstemp(path)) == -1)
		exit(1);
	unlink(path);
	xwrite(fd, "file contents", 13);
	lseek(fd, 0, SEEK_SET);
	CHECK(ichan_compose(a, MSG_KEY_FD, 2, fd, "\0\0\0\1\0\0\0\1\0\0\1\0",
	    12) == 0, "compose with a regular file");
	CHECK(pump(a, b, &m) == 1 && m.fd != -1 && msg_check(&m) == 0,
	    "KEY_FD arrives with its descriptor");
	memset(buf, 0, sizeof(buf));
	CHECK(m.fd != -1 && read(m.fd, buf, sizeof(buf)) == 13 &&
	    strcmp(buf, "file contents") == 0,
	    "read the file through the received descriptor");
	imsg_clear(&m);

	/* Twenty in a row, mixed with messages without one. */
	ok = 1;
	for (i = 0; i < 20; i++) {
		if (pipe(p) == -1)
			exit(1);
		pr[i] = p[0];
		pw[i] = p[1];
		c = 'a' + i;
		xwrite(pw[i], &c, 1);
		close(pw[i]);
		ichan_compose(a, MSG_LISTEN_FD, (uint32_t)i, pr[i],
		    "\0\0\0\0", 4);
		if (i % 3 == 0)
			ichan_compose(a, MSG_VERBOSE, 100, -1, "\0\0\0\1", 4);
	}
	CHECK(ichan_flush_all(a) == 0, "twenty descriptors sent");
	for (i = 0; i < 20; i++) {
		if (ichan_recv(b, &m) != 1 || m.hdr.type != MSG_LISTEN_FD ||
		    m.hdr.peerid != (uint32_t)i || m.fd == -1 ||
		    read(m.fd, &c, 1) != 1 || c != 'a' + i)
			ok = 0;
		imsg_clear(&m);
		if (i % 3 == 0) {
			if (ichan_recv(b, &m) != 1 || m.fd != -1 ||
			    m.hdr.type != MSG_VERBOSE)
				ok = 0;
			imsg_clear(&m);
		}
	}
	CHECK(ok, "they arrive in order, each with its own descriptor");

	/* Unclaimed descriptors are closed when the channel is freed. */
	if (pipe(p) == -1)
		exit(1);
	ichan_compose(a, MSG_LISTEN_FD, 0, p[0], "\0\0\0\0", 4);
	ichan_flush_all(a);
	CHECK(ichan_read(b) > 0, "a descriptor read but not taken");
	ichan_free(b);
	signal(SIGPIPE, SIG_IGN);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE,
	    "freeing the channel closed it");
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
	ichan_free(a);
	close(sv[0]);
	close(sv[1]);
}

/* Open descriptors, counted by trying each low number. */
static int
count_fds(void)
{
	int	 fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

/* One sendmsg of n bytes carrying nfd copies of fd. */
static int
send_fds(int sock, const void *p, size_t n, int fd, int nfd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 32)];
	} cm;
	struct cmsghdr	*cmp;
	int		 i;

	memset(&mh, 0, sizeof(mh));
	memset(&cm, 0, sizeof(cm));
	iov.iov_base = (void *)p;
	iov.iov_len = n;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cm.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfd);
	cmp = CMSG_FIRSTHDR(&mh);
	cmp->cmsg_len = CMSG_LEN(sizeof(int) * nfd);
	cmp->cmsg_level = SOL_SOCKET;
	cmp->cmsg_type = SCM_RIGHTS;
	for (i = 0; i < nfd; i++)
		memcpy(CMSG_DATA(cmp) + i * sizeof(int), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == (ssize_t)n ? 0 : -1;
}

/* A peer pushing more descriptors than any message claims. */
static void
test_fd_flood(void)
{
	struct imsgchan	*r;
	struct imsg	 m;
	uint8_t		 p[IMSG_HEADER_SIZE];
	int		 sv[2], before, i, g, sent;

	raw_hdr(p, MSG_SHUTDOWN, IMSG_HEADER_SIZE, 0);
	before = count_fds();

	/* Thirty descriptors in one message: more than a read takes. */
	xpair(sv);
	r = xchan(sv[1], IMSG_MAX_SIZE);
	CHECK(send_fds(sv[0], p, sizeof(p), 0, 30) == 0,
	    "a peer sends 30 descriptors with one message");
	errno = 0;
	g = pump(NULL, r, &m);
	CHECK(g == -1 && errno == EBADMSG,
	    "30 descriptors at once: EBADMSG");
	ichan_free(r);
	close(sv[0]);
	close(sv[1]);
	CHECK(count_fds() == before, "and none of them is left open");

	/* One per message, none claimed: the channel stops queueing. */
	xpair(sv);
	r = xchan(sv[1], IMSG_MAX_SIZE);
	g = 0;
	for (i = 0, sent = 0; i < 40 && g != -1; i++) {
		if (send_fds(sv[0], p, sizeof(p), 0, 1) == 0)
			sent++;
		if (ichan_read(r) == -1) {
			g = -1;
			break;
		}
		while ((g = ichan_get(r, &m)) == 1)
			imsg_clear(&m);
	}
	CHECK(g == -1 && errno == EBADMSG && sent > 8 && sent < 40,
	    "unclaimed descriptors: EBADMSG after %d", sent);
	ichan_free(r);
	close(sv[0]);
	close(sv[1]);
	CHECK(count_fds() == before, "and none of them is left open");
}

static void
test_full_socket(void)
{
	struct imsgchan	*a, *b;
	struct imsg	 m;
	uint8_t		 data[5000];
	uint32_t	 seq;
	size_t		 len;
	char		 c;
	int		 sv[2], p[2], i, r, ok, got, fd, nfd = 0;
	int		 bufsz = 4096;

	xpair(sv);
	/* Small socket buffers, so the writer fills them quickly. */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	a = xchan(sv[0], IMSG_MAX_SIZE);
	b = xchan(sv[1], IMSG_MAX_SIZE);
	/*
	 * Every 97th message is larger than the socket buffer and carries a
	 * pipe: its descriptor must stay with it across partial writes.
	 */
	for (i = 0; i < 3000; i++) {
		seq = (uint32_t)i;
		fd = -1;
		len = 1000;
		if (i % 97 == 0) {
			if (pipe(p) == -1)
				exit(1);
			c = (char)i;
			xwrite(p[1], &c, 1);
			close(p[1]);
			fd = p[0];
			len = sizeof(data);
		}
		memset(data, i & 0xff, len);
		memcpy(data, &seq, sizeof(seq));
		ichan_compose(a, MSG_CERT, seq, fd, data, len);
	}
	r = ichan_flush(a);
	CHECK(r == 1 && ichan_queued(a) > 0,
	    "a flush into a full socket returns 1 (%zu still queued)",
	    ichan_queued(a));
	CHECK(ichan_flush(a) == 1, "and again, without blocking");
	ok = 1;
	for (got = 0; got < 3000; got++) {
		if (pump(a, b, &m) != 1) {
			ok = 0;
			break;
		}
		len = got % 97 == 0 ? sizeof(data) : 1000;
		memcpy(&seq, m.data, sizeof(seq));
		if (seq != (uint32_t)got || m.hdr.peerid != seq ||
		    m.datalen != len || m.data[len - 1] != (got & 0xff))
			ok = 0;
		if ((m.fd != -1) != (got % 97 == 0))
			ok = 0;
		else if (m.fd != -1) {
			if (read(m.fd, &c, 1) != 1 || c != (char)got)
				ok = 0;
			nfd++;
		}
		imsg_clear(&m);
	}
	CHECK(ok && got == 3000, "all 3000 messages arrive in order (%d)",
	    got);
	CHECK(ok && nfd == 31, "each of the 31 descriptors with its message");
	CHECK(ichan_flush(a) == 0 && ichan_queued(a) == 0,
	    "the queue drains completely");
	ichan_free(a);
	ichan_free(b);
	close(sv[0]);
	close(sv[1]);
}

/*
 * A payload of type t with every field present: each str and blob of
 * len(field) bytes of 'a' (its bound when len is NULL), integers 1.
 * Field k, if k >= 0, gets extra bytes more.
 */
static void
build(struct buf *b, uint32_t t, int k, size_t extra)
{
	const struct msg_field	*f;
	size_t			 n;
	int			 i = 0;
	static uint8_t		 fill[MAXDATA + 64];

	memset(fill, 'a', sizeof(fill));
	buf_reset(b);
	for (f = msg_specs[t].f; f->kind != MSG_F_END; f++, i++) {
		switch (f->kind) {
		case MSG_F_U32:
			buf_add_u32(b, 1);
			break;
		case MSG_F_U64:
		case MSG_F_I64:
			buf_add_u64(b, 1);
			break;
		default:
			n = f->max + (i == k ? extra : 0);
			buf_add_blob(b, fill, n);
			break;
		}
	}
}

static void
test_msg_check(void)
{
	const struct msg_field	*f;
	struct imsg		 m;
	struct buf		 b;
	uint32_t		 t;
	uint8_t			 pay[64];
	int			 ok, k, sv[2];
	char			 why[128];

	memset(&m, 0, sizeof(m));
	m.fd = -1;
	buf_init(&b, MAXDATA + 1024);

	ok = 1;
	for (t = 1; t < MSG_MAX; t++)
		if (msg_specs[t].name == NULL ||
		    msg_minlen(t) > msg_maxlen(t) ||
		    msg_maxlen(t) > MSG_PAYLOAD_MAX ||
		    msg_specs[t].f[MSG_FIELDS_MAX - 1].kind != MSG_F_END)
			ok = 0;
	CHECK(ok, "every message type has a name, its fields end inside "
	    "MSG_FIELDS_MAX and it fits the channel with every field at its "
	    "bound");
	CHECK_STR(msg_name(MSG_LOG), "LOG", "msg_name");
	CHECK_STR(msg_name(MSG_MAX), "UNKNOWN", "msg_name of MSG_MAX");
	CHECK_STR(msg_name(0xffffffff), "UNKNOWN", "msg_name of 0xffffffff");

	/* Every type: at its bounds it passes, one byte more fails. */
	ok = 1;
	for (t = 1; t < MSG_MAX; t++) {
		build(&b, t, -1, 0);
		if (msg_valid(t, b.data, b.len,
		    msg_specs[t].hasfd == MSG_FD_ALWAYS, why, sizeof(why)) != 0) {
			printf("# %s at its bounds: %s\n", msg_name(t), why);
			ok = 0;
		}
		for (k = 0, f = msg_specs[t].f; f->kind != MSG_F_END;
		    f++, k++) {
			if (f->kind != MSG_F_STR && f->kind != MSG_F_BLOB)
				continue;
			build(&b, t, k, 1);
			if (msg_valid(t, b.data, b.len,
			    msg_specs[t].hasfd == MSG_FD_ALWAYS, why,
			    sizeof(why)) == 0 || strstr(why, f->name) == NULL) {
				printf("# %s, %s one byte over: \"%s\"\n",
				    msg_name(t), f->name, why);
				ok = 0;
			}
		}
	}
	CHECK(ok, "each type passes with every field at its bound and is "
	    "refused, naming the field, with any one field a byte over");

	m.hdr.type = MSG_VERBOSE;
	m.data = pay;
	memset(pay, 0, sizeof(pay));
	m.datalen = 4;
	CHECK(msg_check(&m) == 0, "VERBOSE with 4 bytes passes");
	m.hdr.type = MSG_NONE;
	errno = 0;
	CHECK(msg_check(&m) == -1 && errno == EBADMSG, "type NONE refused");
	m.hdr.type = MSG_MAX;
	CHECK(msg_check(&m) == -1, "type MSG_MAX refused");
	m.hdr.type = 0xffffffff;
	CHECK(msg_check(&m) == -1, "type 0xffffffff refused");

	m.hdr.type = MSG_VERBOSE;
	m.datalen = 3;
	CHECK(msg_check(&m) == -1, "VERBOSE with 3 bytes refused");
	m.datalen = 5;
	CHECK(msg_check(&m) == -1, "VERBOSE with 5 bytes refused");
	m.hdr.type = MSG_SHUTDOWN;
	m.datalen = 0;
	CHECK(msg_check(&m) == 0, "SHUTDOWN empty passes");
	m.datalen = 1;
	CHECK(msg_check(&m) == -1, "SHUTDOWN with a byte refused");
	m.hdr.type = MSG_LOG;
	m.datalen = 7;
	CHECK(msg_check(&m) == -1, "LOG below its minimum refused");
	m.datalen = 8;
	CHECK(msg_check(&m) == 0, "LOG with an empty line passes");
	/* a line of 3 bytes, one of them NUL */
	memcpy(pay + 4, "\0\0\0\3a\0b", 7);
	m.datalen = 11;
	CHECK(msg_check(&m) == -1, "LOG with a NUL inside its line refused");
	pay[9] = 'x';
	CHECK(msg_check(&m) == 0, "LOG with a 3-byte line passes");
	m.datalen = 10;
	CHECK(msg_check(&m) == -1, "LOG whose line is cut short refused");
	m.datalen = 12;
	CHECK(msg_check(&m) == -1, "LOG with a byte after its line refused");
	m.hdr.type = MSG_RENEWAL_WINDOW;
	m.datalen = 33;
	CHECK(msg_check(&m) == -1, "RENEWAL_WINDOW above its size refused");
	m.datalen = 32;
	CHECK(msg_check(&m) == 0, "RENEWAL_WINDOW at its size passes");

	/* Descriptors: msg_check only looks at the number. */
	m.hdr.type = MSG_VERBOSE;
	m.datalen = 4;
	m.fd = 0;
	errno = 0;
	CHECK(msg_check(&m) == -1 && errno == EBADMSG,
	    "VERBOSE with a descriptor refused");
	m.hdr.type = MSG_KEY_FD;
	m.datalen = 12;
	CHECK(msg_check(&m) == 0, "KEY_FD with a descriptor passes");
	m.fd = -1;
	CHECK(msg_check(&m) == -1, "KEY_FD without a descriptor refused");
	m.hdr.type = MSG_LISTEN_FD;
	m.datalen = 4;
	CHECK(msg_check(&m) == -1, "LISTEN_FD without a descriptor refused");
	m.hdr.type = MSG_LISTEN_ALPN_FD;
	CHECK(msg_check(&m) == -1,
	    "LISTEN_ALPN_FD without a descriptor refused");
	m.fd = 0;
	memset(pay, 0, sizeof(pay));
	CHECK(msg_check(&m) == 0, "LISTEN_ALPN_FD with a descriptor passes");
	m.fd = -1;

	/*
	 * The fleet key comes as a descriptor; a sealed key holds the
	 * largest key PEM with its version, nonce and tag, and no more.
	 */
	m.hdr.type = MSG_FLEET_KEY_FD;
	m.datalen = 4;
	CHECK(msg_check(&m) == -1, "FLEET_KEY_FD without a descriptor refused");
	m.fd = 0;
	CHECK(msg_check(&m) == 0, "FLEET_KEY_FD with a descriptor passes");
	m.hdr.type = MSG_FLEET_SEALED;
	CHECK(msg_check(&m) == -1, "FLEET_SEALED with a descriptor refused");
	m.fd = -1;
	build(&b, MSG_FLEET_OPEN, -1, 0);
	CHECK(msg_valid(MSG_FLEET_OPEN, b.data, b.len, 0, why,
	    sizeof(why)) == 0 && b.len == 4 + 4 + MSG_NAME_MAX + 4 +
	    MSG_KEY_PEM_MAX + 29, "FLEET_OPEN with a sealed PEM of "
	    "MSG_KEY_PEM_MAX bytes passes");
	build(&b, MSG_FLEET_OPEN, 2, 1);
	CHECK(msg_valid(MSG_FLEET_OPEN, b.data, b.len, 0, why,
	    sizeof(why)) == -1 && strstr(why, "sealed") != NULL,
	    "FLEET_OPEN a byte over refused, the sealed key named");

	/* tls-alpn-01: an identifier is a name, 253 bytes at most. */
	build(&b, MSG_CHAL_ALPN_ADD, -1, 0);
	CHECK(msg_valid(MSG_CHAL_ALPN_ADD, b.data, b.len, 0, why,
	    sizeof(why)) == 0 && b.len == 4 + 253 + 4 + MSG_KEYAUTH_MAX,
	    "CHAL_ALPN_ADD with a 253-byte identifier passes");
	build(&b, MSG_CHAL_ALPN_ADD, 0, 1);
	CHECK(msg_valid(MSG_CHAL_ALPN_ADD, b.data, b.len, 0, why,
	    sizeof(why)) == -1 && strstr(why, "identifier") != NULL,
	    "CHAL_ALPN_ADD with a 254-byte identifier refused, named");
	build(&b, MSG_CHAL_ALPN_DEL, 0, 1);
	CHECK(msg_valid(MSG_CHAL_ALPN_DEL, b.data, b.len, 0, why,
	    sizeof(why)) == -1, "CHAL_ALPN_DEL with a 254-byte identifier "
	    "refused");
	/* CLUSTER: the node's name is 63 bytes at most, 8 endpoints. */
	build(&b, MSG_CLUSTER, -1, 0);
	CHECK(msg_valid(MSG_CLUSTER, b.data, b.len, 0, why,
	    sizeof(why)) == 0 && b.len == 6 * 4 + 63 + 128 + 8 * 269 +
	    3 * 16384, "CLUSTER at its bounds passes (node 63, prefix 128, "
	    "8 endpoints of 268 bytes, 3 PEM of 16384)");
	build(&b, MSG_CLUSTER, 0, 1);
	CHECK(msg_valid(MSG_CLUSTER, b.data, b.len, 0, why,
	    sizeof(why)) == -1 && strstr(why, "node") != NULL,
	    "CLUSTER with a 64-byte node refused, named");
	build(&b, MSG_CLUSTER, 5, 1);
	CHECK(msg_valid(MSG_CLUSTER, b.data, b.len, 0, why,
	    sizeof(why)) == -1 && strstr(why, "etcd key") != NULL,
	    "CLUSTER with a key a byte over refused, named");

	/* ISSUE ends with the challenge: one without it is refused. */
	build(&b, MSG_ISSUE, -1, 0);
	CHECK(msg_valid(MSG_ISSUE, b.data, b.len - 4, 0, why,
	    sizeof(why)) == -1, "ISSUE without its challenge refused");

	/* The sender refuses what the receiver would, and takes the fd. */
	xpair(sv);
	{
		struct imsgchan	*c = xchan(sv[0], IMSG_MAX_SIZE);
		int		 fd = dup(1);

		build(&b, MSG_LISTEN_FD, 0, 1);
		errno = 0;
		CHECK(msg_compose(c, MSG_LISTEN_FD, 0, fd, &b) == -1 &&
		    errno == EMSGSIZE && is_closed(fd) && ichan_queued(c) == 0,
		    "msg_compose refuses an address a byte over its bound, "
		    "queues nothing and closes the descriptor");
		build(&b, MSG_LISTEN_FD, -1, 0);
		fd = dup(1);
		CHECK(msg_compose(c, MSG_LISTEN_FD, 0, fd, &b) == 0 &&
		    ichan_queued(c) == IMSG_HEADER_SIZE + b.len,
		    "msg_compose queues it at its bound");
		ichan_free(c);
	}
	close(sv[0]);
	close(sv[1]);
	buf_free(&b);
}

int
main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(60);
	test_new();
	test_roundtrip();
	test_bad_headers();
	test_dribble();
	test_many_in_one_write();
	test_eof();
	test_fds();
	test_fd_flood();
	test_full_socket();
	test_msg_check();
	return test_done();
}
