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
 * chald_drv: runs challenged for the shell tests, in the parent's and
 * netproc's place.  It binds the given addresses (port 0: any free port),
 * starts challenged in a child over socketpairs (by default the loop
 * itself, without the sandbox; with -x the real program,
 * obj/libexec/challenged, as the parent starts it, sandbox and all),
 * sends it the sockets with MSG_LISTEN_FD (an address written
 * alpn/address:port with MSG_LISTEN_ALPN_FD, for tls-alpn-01) and
 * MSG_READY, then reads commands on standard input:
 *
 *	add TOKEN KEYAUTH	MSG_CHAL_ADD; prints "ack TOKEN 0|1"
 *	del TOKEN		MSG_CHAL_DEL; prints "del TOKEN"
 *	alpnadd NAME KEYAUTH	MSG_CHAL_ALPN_ADD; prints "ack NAME 0|1"
 *	alpndel NAME		MSG_CHAL_ALPN_DEL; prints "del NAME"
 *	verbose N		MSG_VERBOSE
 *	quit			MSG_SHUTDOWN (so does end of input)
 *
 * It prints "listen ADDRESS PORT" per socket, "pid PID" and "ready" once
 * challenged has answered READY, and "exit STATUS" at the end.
 *
 * usage: chald_drv [-v] [-x acmed [-u user] [-C dir]] [alpn/]address:port
 *	  ...
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "listen.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "challenged/challenged.h"

#define MAXLISTEN	16

static struct imsgchan	*pchan, *nchan;

static __attribute__((__noreturn__)) void
usage(void)
{
	fprintf(stderr, "usage: chald_drv [-v] [-x acmed [-u user] "
	    "[-C dir]] address:port ...\n");
	exit(2);
}

static int
bind_one(const char *arg, char *text, size_t textsz)
{
	struct addrinfo		 hints, *res;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	char			 host[256], ebuf[512], *p;
	const char		*port;
	unsigned int		 bport;
	int			 fd, e;

	if (strlen(arg) >= sizeof(host))
		errx(2, "%s: too long", arg);
	strcpy(host, arg);
	if (host[0] == '[') {
		if ((p = strchr(host, ']')) == NULL || p[1] != ':')
			errx(2, "%s: want [address]:port", arg);
		*p = '\0';
		port = p + 2;
		memmove(host, host + 1, strlen(host));
	} else {
		if ((p = strrchr(host, ':')) == NULL)
			errx(2, "%s: want address:port", arg);
		*p = '\0';
		port = p + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(2, "%s: %s", arg, gai_strerror(e));
	if ((fd = listen_socket(res->ai_addr, res->ai_addrlen, ebuf,
	    sizeof(ebuf))) == -1)
		errx(1, "%s", ebuf);
	freeaddrinfo(res);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1)
		err(1, "getsockname");
	bport = ss.ss_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) :
	    ntohs(((struct sockaddr_in *)&ss)->sin_port);
	printf("listen %s %u\n", host, bport);
	snprintf(text, textsz, ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
	    host, bport);
	return fd;
}

static void
send_msg(struct imsgchan *c, uint32_t type, int fd, struct buf *b)
{
	if (ichan_compose(c, type, 0, fd, b ? b->data : NULL,
	    b ? b->len : 0) == -1 || ichan_flush_all(c) == -1)
		err(1, "send %s", msg_name(type));
}

static void
child_run(int pfd, int nfd, int verbose, const char *exe, const char *user,
    const char *dir)
{
	char	*argv[12];
	int	 fds[MAXLISTEN], alpn[MAXLISTEN], n, argc = 0, tmp;

	if (exe != NULL) {
		/* The channels on 3 and 4, as proc_exec() leaves them. */
		if ((tmp = fcntl(nfd, F_DUPFD, 10)) == -1 ||
		    (pfd = fcntl(pfd, F_DUPFD, 10)) == -1 ||
		    dup2(pfd, PROC_FD_PARENT) == -1 ||
		    dup2(tmp, PROC_FD_PEER1) == -1)
			_exit(127);
		argv[argc++] = (char *)exe;
		argv[argc++] = "-P";
		argv[argc++] = "challenged";
		argv[argc++] = "-V";
		argv[argc++] = (char *)proc_tag();
		if (user != NULL) {
			argv[argc++] = "-u";
			argv[argc++] = (char *)user;
		}
		if (dir != NULL) {
			argv[argc++] = "-C";
			argv[argc++] = (char *)dir;
		}
		if (verbose)
			argv[argc++] = "-v";
		argv[argc] = NULL;
		execv(exe, argv);
		_exit(127);
	}
	log_init(1, verbose, "challenged");
	signal(SIGPIPE, SIG_IGN);
	if ((pchan = ichan_new(pfd, IMSG_MAX_SIZE)) == NULL ||
	    (nchan = ichan_new(nfd, IMSG_MAX_SIZE)) == NULL)
		fatal("channels");
	n = challenged_getfds(pchan, fds, alpn, MAXLISTEN);
	if (ichan_compose(pchan, MSG_READY, 0, -1, NULL, 0) == -1 ||
	    ichan_flush_all(pchan) == -1)
		fatal("READY");
	_exit(challenged_loop(pchan, nchan, fds, alpn, n) == 0 ? 0 : 1);
}

/* Waits for a message of a type, printing logs that come first. */
static void
wait_type(struct imsgchan *c, uint32_t type, struct imsg *m)
{
	struct rbuf	 rb;
	char		*line;

	for (;;) {
		if (ichan_recv(c, m) != 1)
			errx(1, "challenged closed its channel");
		if (msg_check(m) == -1)
			errx(1, "malformed %s message", msg_name(m->hdr.type));
		if (m->hdr.type == type)
			return;
		if (m->hdr.type == MSG_LOG) {
			rbuf_init(&rb, m->data, m->datalen);
			(void)rbuf_u32(&rb);
			if ((line = rbuf_str(&rb, IMSG_MAX_SIZE)) != NULL)
				fprintf(stderr, "challenged: %s\n", line);
			free(line);
		} else if (m->hdr.type != MSG_SANDBOXED &&
		    m->hdr.type != MSG_CHAL_ANSWERS)
			errx(1, "unexpected %s message",
			    msg_name(m->hdr.type));
		imsg_clear(m);
	}
}

/* Prints what challenged logged through its channel (with -x). */
static int
drain_logs(void)
{
	struct imsg	 m;
	struct rbuf	 rb;
	char		*line;
	ssize_t		 n;
	int		 r;

	if ((n = ichan_read(pchan)) == -1 && errno != EAGAIN)
		err(1, "channel");
	while ((r = ichan_get(pchan, &m)) == 1) {
		if (msg_check(&m) == -1 || (m.hdr.type != MSG_LOG &&
		    m.hdr.type != MSG_CHAL_ANSWERS))
			errx(1, "unexpected %s message", msg_name(m.hdr.type));
		/* the answers' counts are the parent's metrics */
		if (m.hdr.type == MSG_CHAL_ANSWERS) {
			imsg_clear(&m);
			continue;
		}
		rbuf_init(&rb, m.data, m.datalen);
		(void)rbuf_u32(&rb);
		if ((line = rbuf_str(&rb, IMSG_MAX_SIZE)) != NULL)
			fprintf(stderr, "challenged: %s\n", line);
		free(line);
		imsg_clear(&m);
	}
	if (r == -1)
		err(1, "channel");
	return n == 0 ? -1 : 0;
}

/* One command line; 1 to stop. */
static int
command(char *line)
{
	struct imsg	 m;
	struct rbuf	 rb;
	struct buf	 b;
	char		*cmd, *a1, *a2, *tok;
	uint32_t	 ok;
	int		 stop = 0;

	cmd = strtok(line, " \t\r\n");
	a1 = strtok(NULL, " \t\r\n");
	a2 = strtok(NULL, " \t\r\n");
	if (cmd == NULL)
		return 0;
	buf_init(&b, IMSG_MAX_SIZE);
	if ((strcmp(cmd, "add") == 0 || strcmp(cmd, "alpnadd") == 0) &&
	    a1 != NULL && a2 != NULL) {
		buf_add_lstr(&b, a1);
		buf_add_lstr(&b, a2);
		send_msg(nchan, cmd[0] == 'a' && cmd[1] == 'l' ?
		    MSG_CHAL_ALPN_ADD : MSG_CHAL_ADD, -1, &b);
		wait_type(nchan, MSG_CHAL_ACK, &m);
		rbuf_init(&rb, m.data, m.datalen);
		tok = rbuf_str(&rb, IMSG_MAX_SIZE);
		ok = rbuf_u32(&rb);
		if (rbuf_end(&rb) == -1)
			errx(1, "malformed CHAL_ACK");
		printf("ack %s %u\n", tok, ok);
		free(tok);
		imsg_clear(&m);
	} else if (strcmp(cmd, "del") == 0 && a1 != NULL) {
		buf_add_lstr(&b, a1);
		send_msg(nchan, MSG_CHAL_DEL, -1, &b);
		printf("del %s\n", a1);
	} else if (strcmp(cmd, "alpndel") == 0 && a1 != NULL) {
		buf_add_lstr(&b, a1);
		send_msg(nchan, MSG_CHAL_ALPN_DEL, -1, &b);
		printf("del %s\n", a1);
	} else if (strcmp(cmd, "verbose") == 0 && a1 != NULL) {
		buf_add_u32(&b, (uint32_t)atoi(a1));
		send_msg(pchan, MSG_VERBOSE, -1, &b);
	} else if (strcmp(cmd, "quit") == 0)
		stop = 1;
	else
		fprintf(stderr, "chald_drv: unknown command %s\n", cmd);
	buf_free(&b);
	return stop;
}

int
main(int argc, char *argv[])
{
	struct imsg	 m;
	struct buf	 b;
	struct pollfd	 pfd[2];
	char		 in[8192], text[300], *nl;
	const char	*exe = NULL, *user = NULL, *dir = NULL;
	size_t		 inlen = 0;
	ssize_t		 n;
	int		 sp[2], sn[2], ch, i, fd, verbose = 0, status;
	int		 stop = 0, alpn;
	pid_t		 pid;

	while ((ch = getopt(argc, argv, "C:u:vx:")) != -1) {
		switch (ch) {
		case 'C':
			dir = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'x':
			exe = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > MAXLISTEN)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	log_init(1, verbose, "chald_drv");

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sn) == -1)
		err(1, "socketpair");
	/* Forked before any socket exists: they can only arrive as messages. */
	switch (pid = fork()) {
	case -1:
		err(1, "fork");
	case 0:
		close(sp[0]);
		close(sn[0]);
		child_run(sp[1], sn[1], verbose, exe, user, dir);
		_exit(127);
	}
	close(sp[1]);
	close(sn[1]);
	if ((pchan = ichan_new(sp[0], IMSG_MAX_SIZE)) == NULL ||
	    (nchan = ichan_new(sn[0], IMSG_MAX_SIZE)) == NULL)
		err(1, "channels");

	if (verbose) {
		buf_init(&b, 64);
		buf_add_u32(&b, (uint32_t)verbose);
		send_msg(pchan, MSG_VERBOSE, -1, &b);
		buf_free(&b);
	}
	for (i = 0; i < argc; i++) {
		alpn = strncmp(argv[i], "alpn/", 5) == 0;
		fd = bind_one(argv[i] + (alpn ? 5 : 0), text, sizeof(text));
		buf_init(&b, 512);
		buf_add_lstr(&b, text);
		send_msg(pchan, alpn ? MSG_LISTEN_ALPN_FD : MSG_LISTEN_FD, fd,
		    &b);
		buf_free(&b);
	}
	send_msg(pchan, MSG_READY, -1, NULL);
	wait_type(pchan, MSG_READY, &m);
	imsg_clear(&m);
	printf("pid %d\nready\n", (int)pid);

	while (!stop) {
		while (!stop && (nl = memchr(in, '\n', inlen)) != NULL) {
			*nl = '\0';
			stop = command(in);
			inlen -= nl + 1 - in;
			memmove(in, nl + 1, inlen);
		}
		if (stop)
			break;
		if (inlen == sizeof(in))
			errx(1, "command line too long");
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = ichan_fd(pchan);
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd[1].revents && drain_logs() == -1)
			break;		/* challenged is gone */
		if (pfd[0].revents) {
			n = read(STDIN_FILENO, in + inlen, sizeof(in) - inlen);
			if (n <= 0)
				break;
			inlen += (size_t)n;
		}
	}
	if (ichan_compose(pchan, MSG_SHUTDOWN, 0, -1, NULL, 0) == 0)
		(void)ichan_flush_all(pchan);
	if (waitpid(pid, &status, 0) == -1)
		err(1, "waitpid");
	printf("exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status));
	ichan_free(pchan);
	ichan_free(nchan);
	return 0;
}
