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
 * Enters the real sandbox of one process (the same sandbox_enter() the
 * daemon calls) and then tries one thing, to show what each layer allows.
 *
 *	sbx_probe [-dLRS] PROFILE USER CHROOT TEST [ARG [HOST]]
 *	sbx_probe -A			print the kernel's Landlock ABI
 *
 * PROFILE is netproc, keyproc or challenged; USER and CHROOT may be "-"
 * (keep the ids; no chroot).  -S, -L and -R leave out seccomp, Landlock
 * and the resource limits, so that a test can show one layer blocking on
 * its own; -d turns on the seccomp debug mode.
 *
 * Prints one line "PROFILE TEST: blocked: ERRNAME (why)" or "...: allowed"
 * and exits 0 if the attempt was blocked, 1 if it succeeded, 3 if the
 * probe could not set itself up (sandbox_enter() failing included).  A
 * process killed by seccomp prints nothing: the caller sees SIGSYS.
 *
 * Tests: open, writeca [CAFILE], connect, bind, socket, ptrace PID,
 * signal PID, abstract, setuid, fork, thread, exec, fsize FILE, prlimit
 * PID (set PID's open-file limit to 0 through a pointer whose low 32 bits
 * are zero), mmap-high and mprotect-high (PROT_READ with bit 32 set,
 * which only a check of the whole 64-bit value refuses), wx (map memory
 * writable and executable), mprotect-x (make a page executable), stat
 * (/etc/shadow's size and time), opath (open /etc/shadow with O_PATH);
 * and what must keep working: chan, resolve, readca [CAFILE], curl [HOST],
 * https DIR [HOST], hold.  For netproc, CHROOT is made its root as the
 * parent makes it (etc/ with copies of the resolver's files); without
 * one, netproc may read the resolver's files and CAFILE, by default the
 * system's bundle.  https fetches a page with netproc's own transport
 * (http.c) from a TLS server on loopback using DIR/cert.pem (for HOST,
 * by default localhost, and also the CA) and DIR/key.pem.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <tls.h>

#include "buf.h"
#include "log.h"
#include "sandbox.h"
#include "acmed/netproc/acme.h"
#include "acmed/netproc/http.h"
#include "acmed/parent.h"
#include "regress/unit/zero_limit.h"

#define CAFILE		"/etc/ssl/certs/ca-certificates.crt"
#define FD_CHAN_A	3
#define FD_CHAN_B	4
#define FD_EXTRA	5
#define HIGH_BIT	(1UL << 32)

static const char	*profname;
static const char	*testname;

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: sbx_probe [-dLRS] netproc|keyproc|challenged "
	    "USER|- CHROOT|- TEST [ARG [HOST]]\n       sbx_probe -A\n");
	exit(3);
}

static void __attribute__((__noreturn__))
setup_fail(const char *what)
{
	fprintf(stderr, "sbx_probe: %s: %s\n", what, strerror(errno));
	exit(3);
}

/* Only write(2) from here on: it is allowed in every profile. */
static void __attribute__((__noreturn__))
blocked(int e, const char *why)
{
	const char	*n = strerrorname_np(e);

	dprintf(STDOUT_FILENO, "%s %s: blocked: %s (%s)\n", profname, testname,
	    n != NULL ? n : "?", why);
	_exit(0);
}

static void __attribute__((__noreturn__))
allowed(const char *what)
{
	dprintf(STDOUT_FILENO, "%s %s: allowed: %s\n", profname, testname,
	    what);
	_exit(1);
}

static int
tcp_listener(struct sockaddr_in *sin)
{
	socklen_t	 len = sizeof(*sin);
	int		 s;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		setup_fail("socket");
	if (bind(s, (struct sockaddr *)sin, sizeof(*sin)) == -1)
		setup_fail("bind 127.0.0.1");
	if (listen(s, 8) == -1)
		setup_fail("listen");
	if (getsockname(s, (struct sockaddr *)sin, &len) == -1)
		setup_fail("getsockname");
	return s;
}

static void
abstract_addr(struct sockaddr_un *sun, socklen_t *len)
{
	int	 n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1,
	    "acmed-sbx-probe-%ld", (long)getpid());
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* A server must not hold the caller's output open after the probe ends. */
static void
server_child(void)
{
	int	 fd;

	if ((fd = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(fd, STDOUT_FILENO) == -1 || dup2(fd, STDERR_FILENO) == -1)
		_exit(1);
	close(fd);
	alarm(20);
}

/* Answers one HTTP request, from outside the sandbox. */
static void
http_server(int s)
{
	static const char	 resp[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 3\r\nConnection: close\r\n\r\nok\n";
	char			 req[4096];
	struct pollfd		 pfd;
	int			 c;

	server_child();
	if ((c = accept(s, NULL, NULL)) == -1)
		_exit(1);
	pfd.fd = c;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 10000) != 1 || read(c, req, sizeof(req)) <= 0)
		_exit(1);
	if (write(c, resp, sizeof(resp) - 1) == -1)
		_exit(1);
	close(c);
	_exit(0);
}

/* The same over TLS, with libtls. */
static void
https_server(int s, const char *dir)
{
	static const char	 resp[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";
	struct tls_config	*cfg;
	struct tls		*srv, *cctx;
	char			 cert[512], key[512], req[4096];
	size_t			 have = 0;
	ssize_t			 n;
	int			 c;

	server_child();
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	if ((cfg = tls_config_new()) == NULL ||
	    tls_config_set_keypair_file(cfg, cert, key) == -1 ||
	    (srv = tls_server()) == NULL || tls_configure(srv, cfg) == -1)
		_exit(1);
	if ((c = accept(s, NULL, NULL)) == -1 ||
	    tls_accept_socket(srv, &cctx, c) == -1)
		_exit(1);
	while (have < sizeof(req) - 1) {
		n = tls_read(cctx, req + have, sizeof(req) - 1 - have);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT)
			continue;
		if (n <= 0)
			_exit(1);
		have += (size_t)n;
		req[have] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	if (tls_write(cctx, resp, sizeof(resp) - 1) <= 0)
		_exit(1);
	tls_close(cctx);
	close(c);
	_exit(0);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*p;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    n > 1024 * 1024 || fseek(f, 0, SEEK_SET) == -1 ||
	    (p = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return NULL;
	}
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

static size_t
curl_sink(void *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	*(size_t *)arg += sz * n;
	return sz * n;
}

static void *
thread_main(void *arg)
{
	return arg;
}

static void __attribute__((__noreturn__))
test_chan(void)
{
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}		 cbuf;
	char		 b[8];
	int		 fd;

	if (write(FD_CHAN_A, "ping", 4) != 4)
		blocked(errno, "write to channel");
	if (read(FD_CHAN_B, b, sizeof(b)) != 4 || memcmp(b, "ping", 4) != 0)
		blocked(errno, "read from channel");

	/* A descriptor passed along, as keys and listening sockets are. */
	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = b;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = sizeof(cbuf.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	fd = FD_CHAN_A;
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(FD_CHAN_B, &mh, 0) != 1)
		blocked(errno, "sendmsg with a descriptor");
	memset(&cbuf, 0, sizeof(cbuf));
	mh.msg_controllen = sizeof(cbuf.buf);
	if (recvmsg(FD_CHAN_A, &mh, MSG_CMSG_CLOEXEC) != 1)
		blocked(errno, "recvmsg with a descriptor");
	if ((cm = CMSG_FIRSTHDR(&mh)) == NULL || cm->cmsg_type != SCM_RIGHTS)
		blocked(EBADMSG, "no descriptor received");
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (fcntl(fd, F_GETFD) == -1)
		blocked(errno, "received descriptor");
	close(fd);
	allowed("channel read, write and descriptor passing");
}

int
main(int argc, char *argv[])
{
	struct sandbox		 sb;
	struct sockaddr_in	 sin;
	struct sockaddr_un	 sun;
	struct addrinfo		 hints, *res;
	struct http		*h;
	struct http_resp	 hr;
	struct rlimit		*zero = NULL;
	struct stat		 st;
	void			*page = NULL;
	char			*ca = NULL;
	size_t			 calen = 0;
	const char		*ro[] = { CAFILE, NULL };
	const char		*arg;
	char			 url[320], buf[256];
	socklen_t		 sunlen = 0;
	size_t			 got = 0;
	pthread_t		 th;
	CURL			*c = NULL;
	long			 code;
	pid_t			 pid;
	int			 ch, pair[2], s, fd, skip = 0, extra = -1, e;

	while ((ch = getopt(argc, argv, "AdLRS")) != -1) {
		switch (ch) {
		case 'A':
			printf("%d\n", sandbox_landlock_abi());
			return 0;
		case 'd':
			sandbox_seccomp_debug(1);
			break;
		case 'L':
			skip |= SANDBOX_SKIP_LANDLOCK;
			break;
		case 'R':
			skip |= SANDBOX_SKIP_RLIMITS;
			break;
		case 'S':
			skip |= SANDBOX_SKIP_SECCOMP;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 4 || argc > 6 ||
	    (argc == 6 && strcmp(argv[3], "https") != 0))
		usage();
	profname = argv[0];
	testname = argv[3];
	arg = argc >= 5 ? argv[4] : NULL;

	memset(&sb, 0, sizeof(sb));
	if (strcmp(profname, "netproc") == 0)
		sb.profile = SANDBOX_NETPROC;
	else if (strcmp(profname, "keyproc") == 0)
		sb.profile = SANDBOX_KEYPROC;
	else if (strcmp(profname, "challenged") == 0)
		sb.profile = SANDBOX_CHALLENGED;
	else
		usage();
	sb.user = strcmp(argv[1], "-") == 0 ? NULL : argv[1];
	sb.chroot = strcmp(argv[2], "-") == 0 ? NULL : argv[2];
	if ((strcmp(testname, "readca") == 0 ||
	    strcmp(testname, "writeca") == 0) && arg != NULL)
		ro[0] = arg;
	sb.ro_paths = sb.profile == SANDBOX_NETPROC && sb.chroot == NULL ?
	    ro : NULL;
	/* netproc's root is made as the parent makes it. */
	if (sb.profile == SANDBOX_NETPROC && sb.chroot != NULL &&
	    netroot_make(sb.chroot) == -1)
		setup_fail(sb.chroot);
	sb.skip = skip;
	log_init(1, 1, profname);

	/* The channels every child has, on the descriptors it has them. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == -1)
		setup_fail("socketpair");
	if (dup2(pair[0], FD_CHAN_A) == -1 || dup2(pair[1], FD_CHAN_B) == -1)
		setup_fail("dup2");
	sb.keep_fds = FD_EXTRA;

	/* What the test needs from outside, set up before the sandbox. */
	if (strcmp(testname, "connect") == 0 || strcmp(testname, "curl") == 0 ||
	    strcmp(testname, "https") == 0)
		extra = tcp_listener(&sin);
	else if (strcmp(testname, "abstract") == 0) {
		abstract_addr(&sun, &sunlen);
		if ((extra = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			setup_fail("socket AF_UNIX");
		if (bind(extra, (struct sockaddr *)&sun, sunlen) == -1 ||
		    listen(extra, 1) == -1)
			setup_fail("abstract socket");
	} else if (strcmp(testname, "fsize") == 0) {
		if (arg == NULL)
			usage();
		signal(SIGXFSZ, SIG_IGN);
		if ((extra = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
			setup_fail(arg);
	}
	if (strcmp(testname, "curl") == 0) {
		/* netproc initialises libcurl and OpenSSL before its sandbox. */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			setup_fail("curl_global_init");
		if ((pid = fork()) == -1)
			setup_fail("fork");
		if (pid == 0)
			http_server(extra);
		/* libcurl knows "localhost" itself; other names use its
		 * resolver thread. */
		snprintf(url, sizeof(url), "http://%s:%d/",
		    arg != NULL ? arg : "localhost", ntohs(sin.sin_port));
		if ((c = curl_easy_init()) == NULL)
			setup_fail("curl_easy_init");
	}
	if (strcmp(testname, "https") == 0) {
		if (arg == NULL)
			usage();
		snprintf(buf, sizeof(buf), "%s/cert.pem", arg);
		if ((ca = slurp(buf, &calen)) == NULL)
			setup_fail(buf);
		if (http_global_init() == -1)
			setup_fail("http_global_init");
		if ((pid = fork()) == -1)
			setup_fail("fork");
		if (pid == 0)
			https_server(extra, arg);
		snprintf(url, sizeof(url), "https://%s:%d/",
		    argc == 6 ? argv[5] : "localhost", ntohs(sin.sin_port));
	}
	if (strcmp(testname, "prlimit") == 0 &&
	    (zero = zero_limit_page()) == NULL)
		setup_fail("a page ending in 32 zero bits");
	if ((strcmp(testname, "mprotect-high") == 0 ||
	    strcmp(testname, "mprotect-x") == 0) &&
	    (page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		setup_fail("mmap");
	if (extra != -1) {
		if (dup2(extra, FD_EXTRA) == -1)
			setup_fail("dup2");
		sb.keep_fds = FD_EXTRA + 1;
	}

	if (sandbox_enter(&sb) == -1) {
		fprintf(stderr, "sbx_probe: sandbox_enter failed\n");
		exit(3);
	}

	if (strcmp(testname, "open") == 0) {
		if ((fd = open("/etc/passwd", O_RDONLY)) == -1)
			blocked(errno, "open /etc/passwd");
		allowed("opened /etc/passwd");
	} else if (strcmp(testname, "writeca") == 0) {
		if ((fd = open(ro[0], O_WRONLY)) == -1)
			blocked(errno, "open the CA file for writing");
		allowed("opened the CA file for writing");
	} else if (strcmp(testname, "readca") == 0) {
		if ((fd = open(ro[0], O_RDONLY | O_CLOEXEC)) == -1)
			blocked(errno, "open the CA file");
		if (read(fd, buf, sizeof(buf)) <= 0)
			blocked(errno, "read the CA file");
		allowed("read the CA file");
	} else if (strcmp(testname, "connect") == 0) {
		if (arg != NULL)
			sin.sin_port = htons((uint16_t)atoi(arg));
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			blocked(errno, "socket AF_INET");
		if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			blocked(errno, "connect 127.0.0.1");
		allowed("connected to 127.0.0.1");
	} else if (strcmp(testname, "bind") == 0) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			blocked(errno, "socket AF_INET");
		if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			blocked(errno, "bind 127.0.0.1");
		allowed("bound a TCP port");
	} else if (strcmp(testname, "socket") == 0) {
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			blocked(errno, "socket AF_INET");
		allowed("made an AF_INET socket");
	} else if (strcmp(testname, "abstract") == 0) {
		abstract_addr(&sun, &sunlen);
		if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			blocked(errno, "socket AF_UNIX");
		if (connect(s, (struct sockaddr *)&sun, sunlen) == -1)
			blocked(errno, "connect abstract socket");
		allowed("connected to an abstract socket outside");
	} else if (strcmp(testname, "ptrace") == 0) {
		if (arg == NULL)
			usage();
		if (ptrace(PTRACE_ATTACH, (pid_t)atoi(arg), NULL, NULL) == -1)
			blocked(errno, "PTRACE_ATTACH");
		allowed("attached to the other process");
	} else if (strcmp(testname, "signal") == 0) {
		if (arg == NULL)
			usage();
		if (kill((pid_t)atoi(arg), 0) == -1)
			blocked(errno, "kill");
		allowed("may signal the other process");
	} else if (strcmp(testname, "prlimit") == 0) {
		if (arg == NULL)
			usage();
		if (syscall(SYS_prlimit64, (pid_t)atoi(arg), RLIMIT_NOFILE,
		    zero, NULL) == -1)
			blocked(errno, "prlimit64, new limit ending in 32 zero bits");
		allowed("set the other process's open-file limit");
	} else if (strcmp(testname, "mmap-high") == 0) {
		if (syscall(SYS_mmap, 0, 4096, PROT_READ | HIGH_BIT,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == -1)
			blocked(errno, "mmap prot PROT_READ|1<<32");
		allowed("mmap prot PROT_READ|1<<32");
	} else if (strcmp(testname, "mprotect-high") == 0) {
		if (syscall(SYS_mprotect, page, 4096, PROT_READ | HIGH_BIT) == -1)
			blocked(errno, "mprotect prot PROT_READ|1<<32");
		allowed("mprotect prot PROT_READ|1<<32");
	} else if (strcmp(testname, "wx") == 0) {
		if (mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			blocked(errno, "mmap PROT_WRITE|PROT_EXEC");
		allowed("mapped memory writable and executable");
	} else if (strcmp(testname, "mprotect-x") == 0) {
		if (mprotect(page, 4096, PROT_READ | PROT_EXEC) == -1)
			blocked(errno, "mprotect PROT_EXEC");
		allowed("made a page executable");
	} else if (strcmp(testname, "stat") == 0) {
		if (stat("/etc/shadow", &st) == -1)
			blocked(errno, "stat /etc/shadow");
		allowed("saw the size and time of /etc/shadow");
	} else if (strcmp(testname, "opath") == 0) {
		if ((fd = open("/etc/shadow", O_PATH | O_CLOEXEC)) == -1)
			blocked(errno, "open /etc/shadow O_PATH");
		allowed("opened /etc/shadow with O_PATH");
	} else if (strcmp(testname, "setuid") == 0) {
		if (setuid(0) == -1)
			blocked(errno, "setuid 0");
		allowed("setuid 0");
	} else if (strcmp(testname, "fork") == 0) {
		if ((pid = fork()) == -1)
			blocked(errno, "fork");
		if (pid == 0)
			_exit(0);
		allowed("forked");
	} else if (strcmp(testname, "thread") == 0) {
		if ((e = pthread_create(&th, NULL, thread_main, NULL)) != 0)
			blocked(e, "pthread_create");
		if ((e = pthread_join(th, NULL)) != 0)
			blocked(e, "pthread_join");
		allowed("ran a thread");
	} else if (strcmp(testname, "exec") == 0) {
		execl("/bin/sh", "sh", "-c", "echo exec: allowed; exit 1",
		    (char *)NULL);
		blocked(errno, "execve /bin/sh");
	} else if (strcmp(testname, "fsize") == 0) {
		if (write(FD_EXTRA, "x", 1) == -1)
			blocked(errno, "write to a file");
		allowed("wrote to a file");
	} else if (strcmp(testname, "chan") == 0) {
		test_chan();
	} else if (strcmp(testname, "resolve") == 0) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		if ((e = getaddrinfo("localhost", "443", &hints, &res)) != 0) {
			dprintf(STDOUT_FILENO, "# getaddrinfo: %s\n",
			    gai_strerror(e));
			blocked(e == EAI_SYSTEM ? errno : EHOSTUNREACH,
			    "getaddrinfo localhost");
		}
		freeaddrinfo(res);
		allowed("resolved localhost");
	} else if (strcmp(testname, "curl") == 0) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
		if (curl_easy_perform(c) != CURLE_OK)
			blocked(EIO, "curl_easy_perform");
		code = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		if (code != 200 || got != 3)
			blocked(EIO, "unexpected response");
		allowed("fetched a page over loopback");
	} else if (strcmp(testname, "https") == 0) {
		/* The handle is made inside, as netproc makes one per CA. */
		if ((h = http_new(ca, calen, "sbx_probe")) == NULL)
			blocked(ENOMEM, "http_new");
		http_resp_init(&hr);
		if (http_get(h, url, &hr) == -1 || hr.code != 200) {
			dprintf(STDOUT_FILENO, "# status %ld: %s\n", hr.code,
			    hr.error);
			blocked(EIO, "https GET");
		}
		allowed("fetched a page over TLS on loopback");
	} else if (strcmp(testname, "hold") == 0) {
		dprintf(STDOUT_FILENO, "%s hold: ready\n", profname);
		(void)poll(NULL, 0, 30000);
		_exit(0);
	} else
		usage();
	/* NOTREACHED */
	return 3;
}
