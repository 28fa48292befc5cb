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
 * An HTTPS server on loopback that answers from a spec file, to give
 * netproc the faults a real ACME server will not produce on demand:
 * oversized or slow bodies, Retry-After, rate-limit problems, garbage,
 * dropped or stalled connections, renewal information windows.
 *
 *   faultsrv -c cert.pem -k key.pem -f spec [-H ms] [-p port] [-P portfile]
 *
 * Port 0 (the default) picks a free port and writes it to portfile.
 * The spec is read again for every request, so a test can change the
 * answers between requests (write a new file and rename it over).  It is
 * a list of stanzas, each starting with "path":
 *
 *   path /dir		exact path; a final * makes a prefix; "*" any
 *   method GET		only for this method (default: any)
 *   count 2		only for the first 2 matching requests
 *   status 200
 *   header Name: value	any number of them
 *   nonce		a fresh Replay-Nonce header
 *   body text		one line of body (several lines are joined by \n)
 *   body-file FILE	the body from FILE (relative to the spec)
 *   body-size N	N bytes of filler
 *   slow MS		send the body a byte at a time, MS apart
 *   stall		read the request, never answer
 *   drop		read the request, close without answering
 *   close		close the connection after answering
 *   echo		the request's head as the body
 *   no-length		no Content-Length: the body ends when the
 *			connection closes
 *
 * -H MS delays every TLS handshake by MS milliseconds (connect timeouts).
 *
 * GET /_stats answers "connections N\nrequests N\n".  Every request is
 * logged on stderr.  Lines starting with # are comments.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <tls.h>

#define MAX_REQ		(64 * 1024)
#define MAX_REQ_BODY	(2 * 1024 * 1024)
#define MAX_STANZAS	64
#define MAX_HEADERS	16
#define MAX_FILE	(64 * 1024 * 1024)
#define STALL_MS	(120 * 1000)

struct stanza {
	char	*path;
	char	*method;
	long	 count;
	int	 status;
	char	*headers[MAX_HEADERS];
	int	 nheaders;
	int	 nonce;
	char	*body;
	size_t	 bodylen;
	long	 slow_ms;
	int	 stall;
	int	 drop;
	int	 close;
	int	 no_length;
	int	 echo;
};

static const char	*spec_path;
static struct tls	*server;
static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
static long		 nconns, nreqs, hits[MAX_STANZAS];
static long		 handshake_delay_ms;

static char *
read_file(const char *path, size_t *len)
{
	FILE	*f;
	char	*p;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    n > MAX_FILE || fseek(f, 0, SEEK_SET) == -1 ||
	    (p = malloc(n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(p, 1, n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return NULL;
	}
	p[n] = '\0';
	fclose(f);
	*len = n;
	return p;
}

static void
stanza_free(struct stanza *s)
{
	int	 i;

	free(s->path);
	free(s->method);
	for (i = 0; i < s->nheaders; i++)
		free(s->headers[i]);
	free(s->body);
	memset(s, 0, sizeof(*s));
}

static void
add_body(struct stanza *s, const char *p, size_t n, int newline)
{
	char	*b;

	if ((b = realloc(s->body, s->bodylen + n + 2)) == NULL)
		err(1, NULL);
	s->body = b;
	if (newline && s->bodylen > 0)
		s->body[s->bodylen++] = '\n';
	memcpy(s->body + s->bodylen, p, n);
	s->bodylen += n;
	s->body[s->bodylen] = '\0';
}

/*
 * The first stanza for method and path (whose count is not used up),
 * filled into *out; its index, or -1.
 */
static int
spec_find(const char *method, const char *path, struct stanza *out)
{
	FILE		*f;
	struct stanza	 cur;
	char		*line = NULL, *arg, *dirpart, *fb, fpath[1024];
	size_t		 cap = 0, n, fl;
	ssize_t		 len;
	int		 idx = -1, found = -1, matching = 0;

	memset(out, 0, sizeof(*out));
	memset(&cur, 0, sizeof(cur));
	if ((f = fopen(spec_path, "r")) == NULL) {
		warn("%s", spec_path);
		return -1;
	}
	dirpart = strdup(spec_path);
	if (dirpart == NULL)
		err(1, NULL);
	if (strrchr(dirpart, '/') != NULL)
		*strrchr(dirpart, '/') = '\0';
	else
		strcpy(dirpart, ".");
	while ((len = getline(&line, &cap, f)) != -1 && found == -1) {
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((arg = strchr(line, ' ')) != NULL)
			*arg++ = '\0';
		else
			arg = "";
		if (strcmp(line, "path") == 0) {
			if (matching) {
				found = idx;
				break;
			}
			stanza_free(&cur);
			idx++;
			cur.status = 200;
			if ((cur.path = strdup(arg)) == NULL)
				err(1, NULL);
			n = strlen(arg);
			matching = strcmp(arg, "*") == 0 ||
			    strcmp(arg, path) == 0 ||
			    (n > 0 && arg[n - 1] == '*' &&
			    strncmp(arg, path, n - 1) == 0);
			continue;
		}
		if (idx < 0 || !matching)
			continue;
		if (strcmp(line, "method") == 0) {
			if (strcasecmp(arg, method) != 0)
				matching = 0;
		} else if (strcmp(line, "count") == 0) {
			cur.count = atol(arg);
			if (idx < MAX_STANZAS && hits[idx] >= cur.count)
				matching = 0;
		} else if (strcmp(line, "status") == 0)
			cur.status = atoi(arg);
		else if (strcmp(line, "header") == 0) {
			if (cur.nheaders < MAX_HEADERS &&
			    (cur.headers[cur.nheaders++] = strdup(arg)) == NULL)
				err(1, NULL);
		} else if (strcmp(line, "nonce") == 0)
			cur.nonce = 1;
		else if (strcmp(line, "body") == 0)
			add_body(&cur, arg, strlen(arg), 1);
		else if (strcmp(line, "body-file") == 0) {
			if (arg[0] == '/')
				snprintf(fpath, sizeof(fpath), "%s", arg);
			else
				snprintf(fpath, sizeof(fpath), "%s/%s",
				    dirpart, arg);
			if ((fb = read_file(fpath, &fl)) == NULL)
				warn("%s", fpath);
			else {
				add_body(&cur, fb, fl, 0);
				free(fb);
			}
		} else if (strcmp(line, "body-size") == 0) {
			fl = strtoul(arg, NULL, 10);
			if (fl > MAX_FILE)
				fl = MAX_FILE;
			if ((fb = malloc(fl + 1)) == NULL)
				err(1, NULL);
			memset(fb, 'x', fl);
			add_body(&cur, fb, fl, 0);
			free(fb);
		} else if (strcmp(line, "slow") == 0)
			cur.slow_ms = atol(arg);
		else if (strcmp(line, "stall") == 0)
			cur.stall = 1;
		else if (strcmp(line, "drop") == 0)
			cur.drop = 1;
		else if (strcmp(line, "close") == 0)
			cur.close = 1;
		else if (strcmp(line, "echo") == 0)
			cur.echo = 1;
		else if (strcmp(line, "no-length") == 0)
			cur.no_length = cur.close = 1;
		else
			warnx("%s: unknown keyword \"%s\"", spec_path, line);
	}
	if (found == -1 && matching)
		found = idx;
	if (found != -1) {
		*out = cur;
		if (found < MAX_STANZAS) {
			pthread_mutex_lock(&mtx);
			hits[found]++;
			pthread_mutex_unlock(&mtx);
		}
	} else
		stanza_free(&cur);
	free(line);
	free(dirpart);
	fclose(f);
	return found;
}

static int
tls_write_all(struct tls *c, const void *p, size_t n)
{
	const char	*b = p;
	ssize_t		 w;

	while (n > 0) {
		w = tls_write(c, b, n);
		if (w == TLS_WANT_POLLIN || w == TLS_WANT_POLLOUT)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= w;
	}
	return 0;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static void
sleep_ms(long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Answers one request; -1 when the connection must end. */
static int
answer(struct tls *c, int fd, const char *method, const char *path,
    const char *reqhead)
{
	struct stanza	 s;
	struct pollfd	 pfd;
	char		 hdr[8192], stats[128];
	size_t		 hl, i;
	int		 idx, head = strcmp(method, "HEAD") == 0, rc = 0;

	if (strcmp(path, "/_stats") == 0) {
		memset(&s, 0, sizeof(s));
		pthread_mutex_lock(&mtx);
		snprintf(stats, sizeof(stats), "connections %ld\nrequests %ld\n",
		    nconns, nreqs - 1);
		pthread_mutex_unlock(&mtx);
		s.status = 200;
		add_body(&s, stats, strlen(stats), 0);
		idx = 0;
	} else if ((idx = spec_find(method, path, &s)) == -1) {
		s.status = 404;
		add_body(&s, "not found\n", 10, 0);
	}
	if (s.echo)
		add_body(&s, reqhead, strlen(reqhead), 0);
	fprintf(stderr, "faultsrv: %s %s -> stanza %d status %d%s%s%s\n",
	    method, path, idx, s.status, s.drop ? " drop" : "",
	    s.stall ? " stall" : "", s.slow_ms ? " slow" : "");
	if (s.drop) {
		rc = -1;
		goto out;
	}
	if (s.stall) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		poll(&pfd, 1, STALL_MS);
		rc = -1;
		goto out;
	}
	hl = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %d %s\r\n", s.status,
	    reason(s.status));
	if (!s.no_length)
		hl += snprintf(hdr + hl, sizeof(hdr) - hl,
		    "Content-Length: %zu\r\n", s.bodylen);
	for (i = 0; i < (size_t)s.nheaders && hl < sizeof(hdr); i++)
		hl += snprintf(hdr + hl, sizeof(hdr) - hl, "%s\r\n",
		    s.headers[i]);
	if (s.nonce && hl < sizeof(hdr))
		hl += snprintf(hdr + hl, sizeof(hdr) - hl,
		    "Replay-Nonce: n%08lx%08lx\r\n", (unsigned long)random(),
		    (unsigned long)random());
	if (s.close && hl < sizeof(hdr))
		hl += snprintf(hdr + hl, sizeof(hdr) - hl,
		    "Connection: close\r\n");
	if (hl < sizeof(hdr))
		hl += snprintf(hdr + hl, sizeof(hdr) - hl, "\r\n");
	if (hl >= sizeof(hdr)) {
		rc = -1;
		goto out;
	}
	if (tls_write_all(c, hdr, hl) == -1) {
		rc = -1;
		goto out;
	}
	if (!head && s.bodylen > 0) {
		if (s.slow_ms > 0) {
			for (i = 0; i < s.bodylen; i++) {
				if (tls_write_all(c, s.body + i, 1) == -1) {
					rc = -1;
					goto out;
				}
				sleep_ms(s.slow_ms);
			}
		} else if (tls_write_all(c, s.body, s.bodylen) == -1)
			rc = -1;
	}
	if (s.close)
		rc = -1;
 out:
	stanza_free(&s);
	return rc;
}

/* Reads and discards n bytes of request body already partly in buf. */
static int
skip_body(struct tls *c, char *buf, size_t *have, size_t hdrlen, size_t n)
{
	char	 tmp[4096];
	size_t	 inbuf = *have - hdrlen;
	ssize_t	 r;

	if (inbuf >= n) {
		memmove(buf, buf + hdrlen + n, inbuf - n);
		*have = inbuf - n;
		return 0;
	}
	n -= inbuf;
	*have = 0;
	while (n > 0) {
		r = tls_read(c, tmp, n < sizeof(tmp) ? n : sizeof(tmp));
		if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT)
			continue;
		if (r <= 0)
			return -1;
		n -= r;
	}
	return 0;
}

static void *
conn_main(void *arg)
{
	struct tls	*c = NULL;
	char		*buf, *end, *p, *head = NULL, method[16], path[2048];
	size_t		 have = 0, hdrlen, clen;
	ssize_t		 r;
	int		 fd = (int)(long)arg;

	if ((buf = malloc(MAX_REQ + 1)) == NULL)
		goto done;
	if (handshake_delay_ms > 0)
		sleep_ms(handshake_delay_ms);
	if (tls_accept_socket(server, &c, fd) == -1 ||
	    tls_handshake(c) == -1)
		goto done;
	for (;;) {
		buf[have] = '\0';
		while ((end = strstr(buf, "\r\n\r\n")) == NULL) {
			if (have >= MAX_REQ)
				goto done;
			r = tls_read(c, buf + have, MAX_REQ - have);
			if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT)
				continue;
			if (r <= 0)
				goto done;
			have += r;
			buf[have] = '\0';
		}
		hdrlen = end + 4 - buf;
		if (sscanf(buf, "%15s %2047s", method, path) != 2)
			goto done;
		pthread_mutex_lock(&mtx);
		nreqs++;
		pthread_mutex_unlock(&mtx);
		clen = 0;
		for (p = strstr(buf, "\r\n"); p != NULL && p < end;
		    p = strstr(p + 2, "\r\n"))
			if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
				clen = strtoul(p + 17, NULL, 10);
		if (clen > MAX_REQ_BODY)
			goto done;
		free(head);
		if ((head = strndup(buf, hdrlen)) == NULL)
			goto done;
		if (skip_body(c, buf, &have, hdrlen, clen) == -1)
			goto done;
		if (answer(c, fd, method, path, head) == -1)
			goto done;
	}
 done:
	if (c != NULL) {
		tls_close(c);
		tls_free(c);
	}
	close(fd);
	free(head);
	free(buf);
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct tls_config	*cfg;
	struct sockaddr_in	 sin;
	socklen_t		 slen;
	pthread_attr_t		 attr;
	pthread_t		 t;
	const char		*cert = NULL, *key = NULL, *portfile = NULL;
	FILE			*pf;
	int			 ch, s, fd, port = 0, one = 1;

	while ((ch = getopt(argc, argv, "c:f:H:k:P:p:")) != -1) {
		switch (ch) {
		case 'c':
			cert = optarg;
			break;
		case 'f':
			spec_path = optarg;
			break;
		case 'H':
			handshake_delay_ms = atol(optarg);
			break;
		case 'k':
			key = optarg;
			break;
		case 'P':
			portfile = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		default:
			errx(2, "usage: faultsrv -c cert -k key -f spec "
			    "[-H ms] [-p port] [-P portfile]");
		}
	}
	if (cert == NULL || key == NULL || spec_path == NULL)
		errx(2, "usage: faultsrv -c cert -k key -f spec "
		    "[-H ms] [-p port] [-P portfile]");
	signal(SIGPIPE, SIG_IGN);
	srandom(getpid() ^ time(NULL));

	if ((cfg = tls_config_new()) == NULL ||
	    tls_config_set_cert_file(cfg, cert) == -1 ||
	    tls_config_set_key_file(cfg, key) == -1)
		errx(1, "tls config: %s", cfg ? tls_config_error(cfg) : "");
	if ((server = tls_server()) == NULL || tls_configure(server, cfg) == -1)
		errx(1, "tls_configure: %s", server ? tls_error(server) : "");

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind 127.0.0.1:%d", port);
	if (listen(s, 128) == -1)
		err(1, "listen");
	slen = sizeof(sin);
	if (getsockname(s, (struct sockaddr *)&sin, &slen) == -1)
		err(1, "getsockname");
	port = ntohs(sin.sin_port);
	if (portfile != NULL) {
		/* Written whole then renamed: a reader never sees half. */
		char tmp[1024];

		snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
		if ((pf = fopen(tmp, "w")) == NULL)
			err(1, "%s", tmp);
		fprintf(pf, "%d\n", port);
		if (fclose(pf) == EOF || rename(tmp, portfile) == -1)
			err(1, "%s", portfile);
	}
	fprintf(stderr, "faultsrv: listening on 127.0.0.1:%d\n", port);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		if ((fd = accept(s, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			err(1, "accept");
		}
		pthread_mutex_lock(&mtx);
		nconns++;
		pthread_mutex_unlock(&mtx);
		if (pthread_create(&t, &attr, conn_main, (void *)(long)fd) != 0)
			close(fd);
	}
}
