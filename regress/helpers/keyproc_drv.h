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
 * The real keyproc program, started as the parent starts it
 * (proc_exec(): its own program, its user, its empty root, its sandbox),
 * and driven over real socketpairs by a program that stands for the
 * parent and for netproc.  Included by each such program.
 */
#ifndef ACMED_REGRESS_KEYPROC_DRV_H
#define ACMED_REGRESS_KEYPROC_DRV_H

#include <sys/types.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"

struct keyproc_drv {
	pid_t		 pid;
	struct imsgchan	*parent;	/* our end of keyproc's */
	struct imsgchan	*net;
	char		 warning[1024];	/* keyproc's last warning or worse */
};

static struct keyproc_drv	 KP;

static inline void
send_on(struct imsgchan *c, uint32_t type, int fd, const struct buf *b)
{
	if (ichan_compose(c, type, 0, fd, b != NULL ? b->data : NULL,
	    b != NULL ? b->len : 0) == -1 || ichan_flush_all(c) == -1)
		err(1, "send %s", msg_name(type));
}

/* Keeps keyproc's log lines from the parent's channel; 1 if one came. */
static inline int
read_logs(int ms)
{
	struct pollfd	 pfd;
	struct imsg	 m;
	struct rbuf	 r;
	uint32_t	 pri;
	char		*line;
	ssize_t		 n;
	int		 got = 0;

	pfd.fd = ichan_fd(KP.parent);
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	if ((n = ichan_read(KP.parent)) == 0 || (n == -1 && errno != EAGAIN))
		errx(1, "keyproc closed the parent's channel");
	while (ichan_get(KP.parent, &m) == 1) {
		/* What keyproc's sandbox holds: not the subject here. */
		if (msg_check(&m) == 0 && m.hdr.type == MSG_SANDBOXED) {
			imsg_clear(&m);
			continue;
		}
		if (msg_check(&m) == -1 || m.hdr.type != MSG_LOG)
			errx(1, "unexpected %s to the parent",
			    msg_name(m.hdr.type));
		rbuf_init(&r, m.data, m.datalen);
		pri = rbuf_u32(&r);
		line = rbuf_str(&r, IMSG_MAX_SIZE);
		if (rbuf_end(&r) == -1)
			errx(1, "malformed LOG");
		printf("# keyproc: %s\n", line);
		/* log_warnx(): at LOG_ERR, as every warning of acmed. */
		if (pri <= LOG_WARNING) {
			snprintf(KP.warning, sizeof(KP.warning), "%s", line);
			got = 1;
		}
		free(line);
		imsg_clear(&m);
	}
	return got;
}

/* The next message on c other than a log line, within 10 s. */
static inline void
recv_on(struct imsgchan *c, struct imsg *m)
{
	struct pollfd	 pfd[2];
	ssize_t		 n;
	int		 i, r;

	for (i = 0; i < 100; i++) {
		if ((r = ichan_get(c, m)) == 1) {
			if (msg_check(m) == -1)
				errx(1, "malformed %s", msg_name(m->hdr.type));
			if (m->hdr.type != MSG_SANDBOXED)
				return;
			imsg_clear(m);
			continue;
		}
		if (r == -1)
			err(1, "channel");
		pfd[0].fd = ichan_fd(c);
		pfd[0].events = POLLIN;
		pfd[1].fd = ichan_fd(KP.parent);
		pfd[1].events = POLLIN;
		if (poll(pfd, c == KP.parent ? 1 : 2, 100) <= 0)
			continue;
		if (c != KP.parent && pfd[1].revents)
			(void)read_logs(0);
		if (pfd[0].revents &&
		    ((n = ichan_read(c)) == 0 || (n == -1 && errno != EAGAIN)))
			errx(1, "keyproc closed its channel");
	}
	errx(1, "no answer from keyproc in 10 s");
}

/* A request from netproc; the answer's type, m kept for the caller. */
static inline uint32_t
ask(uint32_t type, const struct buf *b, struct imsg *m)
{
	send_on(KP.net, type, -1, b);
	recv_on(KP.net, m);
	return m->hdr.type;
}

static inline void
start(const char *program, const char *user, const char *dir)
{
	char	*args[] = { "-u", (char *)user, "-C", (char *)dir, NULL };
	int	 sp[2], sn[2], fds[2], exefd;

	if ((exefd = open(program, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", program);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sn) == -1)
		err(1, "socketpair");
	fds[0] = sp[1];
	fds[1] = sn[1];
	if ((KP.pid = proc_exec(exefd, PROC_KEYPROC, fds, 2, args)) == -1)
		errx(1, "cannot start %s", program);
	close(sp[1]);
	close(sn[1]);
	close(exefd);
	if ((KP.parent = ichan_new(sp[0], IMSG_MAX_SIZE)) == NULL ||
	    (KP.net = ichan_new(sn[0], IMSG_MAX_SIZE)) == NULL)
		err(1, "channels");
}

#endif
