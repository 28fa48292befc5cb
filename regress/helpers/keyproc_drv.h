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
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "buf.h"
#include "imsg.h"
#include "keytype.h"
#include "log.h"
#include "msg.h"
#include "proc.h"

struct keyproc_drv {
	pid_t		 pid;
	struct imsgchan	*parent;	/* our end of keyproc's */
	struct imsgchan	*net;
	char		 warning[1024];	/* keyproc's last warning or worse */
	const char	*program, *user, *dir;	/* to start it again */
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

/* The parent's MSG_KEY_ROLE: what key id is, for which authority. */
static inline void
send_role(uint32_t id, enum key_role kr, uint32_t authid,
    const char *authority, const char *url, const char *names,
    const char *profile)
{
	struct buf	 b;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, id);
	buf_add_u32(&b, kr);
	buf_add_u32(&b, authid);
	buf_add_lstr(&b, authority);
	buf_add_lstr(&b, url);
	buf_add_lstr(&b, names);
	buf_add_lstr(&b, profile);
	send_on(KP.parent, MSG_KEY_ROLE, -1, &b);
	buf_free(&b);
}

/*
 * Hands keyproc keydir/name as key id, as the parent hands a key file;
 * its key in *pub unless pub is NULL.
 */
static inline void
key_fd(const char *keydir, const char *name, uint32_t id, EVP_PKEY **pub)
{
	struct buf	 b;
	FILE		*f;
	char		 path[PATH_MAX];
	int		 fd;

	snprintf(path, sizeof(path), "%s/%s", keydir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	if (pub != NULL) {
		if ((f = fopen(path, "r")) == NULL ||
		    (*pub = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
			errx(1, "%s: not a key", path);
		fclose(f);
	}
	buf_init(&b, 64);
	buf_add_u32(&b, id);
	buf_add_u32(&b, KEY_ECDSA);
	buf_add_u32(&b, 0);
	send_on(KP.parent, MSG_KEY_FD, fd, &b);
	buf_free(&b);
}

/*
 * "name -u user -C dir program keydir": starts keyproc from program, as
 * user, in the root dir, and returns keydir; exits with the usage if the
 * arguments are not those.
 */
static inline const char *
drv_start(int argc, char *argv[], const char *name)
{
	int	 ch;

	while ((ch = getopt(argc, argv, "C:u:")) != -1) {
		switch (ch) {
		case 'C':
			KP.dir = optarg;
			break;
		case 'u':
			KP.user = optarg;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 || KP.user == NULL || KP.dir == NULL)
		goto usage;
	KP.program = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	log_init(1, 0, name);
	start(KP.program, KP.user, KP.dir);
	return argv[1];
 usage:
	fprintf(stderr, "usage: %s -u user -C dir program keydir\n", name);
	exit(2);
}

#endif
