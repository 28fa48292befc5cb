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
 * HTTPS transport for netproc over libcurl's multi interface.
 *
 * Each authority has one multi handle, whose connections every request
 * to it shares: HTTP/2 with many requests on one connection where the
 * authority offers it over TLS, otherwise a few kept-alive HTTP/1.1
 * connections.  Requests run side by side in netproc's poll loop (ev.c):
 * libcurl says which sockets and when to look at them, and each request
 * ends by calling the function it was started with.  Trust comes only
 * from the CA bytes given to http_new(): no CA file, directory or
 * environment variable is consulted, and no proxy from the environment
 * is used.  Only https URLs are fetched, redirects are not followed,
 * bodies are capped at ACME_MAX_BODY and every request is bounded in
 * time: a streamed answer (etcd's watch), handed on as it arrives and
 * not kept, by its connect timeout only.  A client certificate, where
 * one was given, goes with every request.  The headers the protocol
 * needs (Replay-Nonce, Location, Retry-After, Content-Type, Link) are
 * collected as they arrive, each line cleaned first (text.c): what is
 * kept may reach a log line.  A POST
 * goes out once: one whose answer is lost says so (lost), and netproc
 * finds out what became of it.
 */
#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "acme.h"
#include "castore.h"
#include "ev.h"
#include "http.h"
#include "log.h"
#include "text.h"

#define HTTP_CONNECT_MS		(30 * 1000)
#define HTTP_TOTAL_MS		(60 * 1000)
#define HTTP_LOW_SPEED_SECS	30
#define HTTP_LOW_SPEED_BYTES	16
#define HTTP_MAX_HEADER		ACME_MAX_STR
#define HTTP_MAX_NONCE		512
#define HTTP_MAX_RETRY_AFTER	(24 * 60 * 60)

/*
 * Connections to one authority at a time: HTTP/2 carries every request
 * on one of them, HTTP/1.1 one request at a time on each.
 */
#define HTTP_HOST_CONNECTIONS	4

struct http {
	CURLM			*multi;
	struct castore		*cas;		/* what the API's TLS trusts */
	struct ev_timer		 timer;		/* libcurl's timeout */
	const char		*user_agent;
	long			 connect_ms;
	long			 total_ms;
	long			 low_speed_secs;
	long			 connects;	/* connections opened in all */
	struct curl_blob	 cert;		/* client certificate and key, */
	struct curl_blob	 key;		/* PEM, or none (len 0) */
};

/* One request under way. */
struct http_xfer {
	struct http		*h;
	CURL			*curl;
	struct http_resp	*resp;
	struct curl_slist	*hdrs;
	char			*url;
	char			*body;		/* of a POST, and how much of */
	size_t			 body_len;	/* it libcurl has taken */
	size_t			 body_off;
	int			 too_big;
	int			 bad_header;
	struct http_opts	 opts;
	void			(*done)(void *);
	void			*arg;
	char			 errbuf[CURL_ERROR_SIZE];
};

static int	global_done;

int
http_global_init(void)
{
	if (global_done)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	global_done = 1;
	return 0;
}

void
http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, ACME_MAX_BODY);
	r->retry_after = -1;
}


/* Drops what an earlier response (or an interim 1xx) left. */
static void
resp_clear_headers(struct http_resp *r)
{
	size_t	 i;

	free(r->content_type);
	free(r->location);
	free(r->nonce);
	free(r->link_up);
	free(r->link_tos);
	for (i = 0; i < r->nalternates; i++)
		free(r->alternates[i]);
	r->content_type = r->location = r->nonce = r->link_up = NULL;
	r->link_tos = NULL;
	r->nalternates = 0;
	r->retry_after = -1;
	r->bad_nonce = 0;
}

void
http_resp_free(struct http_resp *r)
{
	resp_clear_headers(r);
	buf_free(&r->body);
	http_resp_init(r);
}

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer	*h = arg;

	long			 code = 0;

	(void)size;	/* always 1 for write callbacks */
	/* A stream's successful answer goes on as it comes, unkept. */
	if (h->opts.stream != NULL &&
	    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code) ==
	    CURLE_OK && code >= 200 && code < 300)
		return h->opts.stream(p, n, h->opts.stream_arg) == 0 ? n : 0;
	if (buf_add(&h->resp->body, p, n) == -1) {
		h->too_big = 1;
		return 0;
	}
	return n;
}

/*
 * A POST's body, handed to libcurl as it sends it.  There is no seek
 * callback: when a kept-alive connection dies before the first byte of
 * the answer, libcurl would send the request again on a new connection,
 * and must rewind the body first; unable to, it fails the transfer
 * (CURLE_SEND_FAIL_REWIND) instead.  A signed request must not go twice:
 * the authority may have acted on it, and its nonce is spent.
 */
static size_t
read_cb(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer	*h = arg;
	size_t		 len = size * n;

	if (len > h->body_len - h->body_off)
		len = h->body_len - h->body_off;
	memcpy(p, h->body + h->body_off, len);
	h->body_off += len;
	return len;
}

/* A cleaned copy of [p, e) with surrounding blanks removed, or NULL. */
static char *
trimdup(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		e--;
	return text_cleandup(p, e - p);
}

/*
 * Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date,
 * as seconds from now, at most a day; -1 if unreadable.
 */
long
http_retry_after(const char *v, time_t now)
{
	const char	*p;
	long		 secs = 0;
	time_t		 t;

	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		for (p = v; isdigit((unsigned char)*p); p++)
			if (secs < HTTP_MAX_RETRY_AFTER)
				secs = secs * 10 + (*p - '0');
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0')
			return -1;
	} else {
		if ((t = curl_getdate(v, NULL)) == -1)
			return -1;
		secs = t <= now ? 0 : (t - now > HTTP_MAX_RETRY_AFTER ?
		    HTTP_MAX_RETRY_AFTER : (long)(t - now));
	}
	return secs > HTTP_MAX_RETRY_AFTER ? HTTP_MAX_RETRY_AFTER : secs;
}

/* Is rel (a space-separated list of relation types) naming want? */
static int
rel_has(const char *rel, size_t len, const char *want)
{
	size_t	 wl = strlen(want), i = 0, j;

	while (i < len) {
		while (i < len && rel[i] == ' ')
			i++;
		for (j = i; j < len && rel[j] != ' '; j++)
			;
		if (j - i == wl && strncasecmp(rel + i, want, wl) == 0)
			return 1;
		i = j;
	}
	return 0;
}

/*
 * Link (RFC 8288): link-values separated by commas, each "<URI>" then
 * ";"-separated parameters of which only rel matters here.
 */
void
http_parse_link(struct http_resp *r, const char *v)
{
	const char	*p = v, *u, *ue, *rel, *rele;
	char		*url;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p != '<')
			return;
		u = ++p;
		if ((ue = strchr(u, '>')) == NULL)
			return;
		p = ue + 1;
		rel = rele = NULL;
		/* Parameters up to the next comma outside quotes. */
		while (*p != '\0' && *p != ',') {
			while (*p == ' ' || *p == '\t' || *p == ';')
				p++;
			if (strncasecmp(p, "rel", 3) == 0) {
				const char *q = p + 3;

				while (*q == ' ')
					q++;
				if (*q == '=') {
					q++;
					while (*q == ' ')
						q++;
					if (*q == '"') {
						rel = ++q;
						while (*q != '\0' && *q != '"')
							q++;
						rele = q;
						if (*q == '"')
							q++;
					} else {
						rel = q;
						while (*q != '\0' && *q != ';' &&
						    *q != ',' && *q != ' ')
							q++;
						rele = q;
					}
					p = q;
					continue;
				}
			}
			/* Skip this parameter, quoted strings whole. */
			while (*p != '\0' && *p != ';' && *p != ',') {
				if (*p == '"') {
					p++;
					while (*p != '\0' && *p != '"')
						p++;
					if (*p == '\0')
						break;
				}
				p++;
			}
		}
		if (rel == NULL || ue == u)
			continue;
		if (rel_has(rel, rele - rel, "up") && r->link_up == NULL) {
			if ((url = trimdup(u, ue)) != NULL)
				r->link_up = url;
		}
		if (rel_has(rel, rele - rel, "terms-of-service") &&
		    r->link_tos == NULL)
			r->link_tos = trimdup(u, ue);
		if (rel_has(rel, rele - rel, "alternate") &&
		    r->nalternates < ACME_MAX_ALTERNATES) {
			if ((url = trimdup(u, ue)) != NULL)
				r->alternates[r->nalternates++] = url;
		}
	}
}

/*
 * Replay-Nonce must be base64url (RFC 8555 section 6.5.1): anything else
 * is refused, never kept or sent back.
 */
static int
nonce_ok(const char *s)
{
	size_t	 i;

	if (s[0] == '\0' || strlen(s) > HTTP_MAX_NONCE)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* The media type alone, lowercased, without parameters. */
static char *
media_type(const char *v)
{
	const char	*e;
	char		*s, *q;

	if ((e = strchr(v, ';')) == NULL)
		e = v + strlen(v);
	if ((s = trimdup(v, e)) == NULL)
		return NULL;
	for (q = s; *q != '\0'; q++)
		*q = tolower((unsigned char)*q);
	return s;
}

static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct http_xfer	*h = arg;
	struct http_resp	*r = h->resp;
	char			*line, *colon, *v, **slot = NULL;

	(void)size;
	/* A new status line: interim responses leave nothing behind. */
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		resp_clear_headers(r);
		return n;
	}
	if (n > HTTP_MAX_HEADER) {
		h->bad_header = 1;
		return 0;
	}
	if ((line = trimdup(p, p + n)) == NULL)
		return 0;
	/* Bounded as cleaned: the escapes are what is kept and passed on. */
	if (strlen(line) > HTTP_MAX_HEADER) {
		free(line);
		h->bad_header = 1;
		return 0;
	}
	if ((colon = strchr(line, ':')) == NULL)
		goto done;
	*colon = '\0';
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (strcasecmp(line, "Replay-Nonce") == 0) {
		if (nonce_ok(v))
			slot = &r->nonce;
		else
			r->bad_nonce = 1;
	} else if (strcasecmp(line, "Location") == 0)
		slot = &r->location;
	else if (strcasecmp(line, "Retry-After") == 0)
		r->retry_after = http_retry_after(v, time(NULL));
	else if (strcasecmp(line, "Content-Type") == 0) {
		free(r->content_type);
		r->content_type = media_type(v);
	} else if (strcasecmp(line, "Link") == 0)
		http_parse_link(r, v);
	if (slot != NULL) {
		free(*slot);
		*slot = strdup(v);
	}
 done:
	free(line);
	return n;
}

/* Each new TLS context trusts the authority's bundle, and only it. */
static CURLcode
ssl_ctx_cb(CURL *c, void *sslctx, void *arg)
{
	(void)c;
	return castore_attach(arg, sslctx) == 0 ? CURLE_OK :
	    CURLE_SSL_CACERT_BADFILE;
}


static void	multi_check(struct http *);

/* A socket libcurl wants watched, or no longer (CURL_POLL_REMOVE). */
static void
sock_ready(int fd, short revents, void *arg)
{
	struct http	*h = arg;
	int		 flags = 0, running;

	if (revents & (POLLIN | POLLHUP))
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLNVAL))
		flags |= CURL_CSELECT_ERR;
	(void)curl_multi_socket_action(h->multi, fd, flags, &running);
	multi_check(h);
}

static int
sock_cb(CURL *c, curl_socket_t s, int what, void *arg, void *sockp)
{
	struct http	*h = arg;
	short		 ev = 0;

	(void)c;
	(void)sockp;
	if (what == CURL_POLL_REMOVE) {
		ev_fd_del(s);
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= POLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= POLLOUT;
	return ev_fd(s, ev, sock_ready, h) == 0 ? 0 : -1;
}

static void
timer_fired(void *arg)
{
	struct http	*h = arg;
	int		 running;

	(void)curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	multi_check(h);
}

/* libcurl's one timeout for the handle: -1 none, 0 at once. */
static int
timer_cb(CURLM *m, long ms, void *arg)
{
	struct http	*h = arg;

	(void)m;
	if (ms < 0)
		ev_timer_stop(&h->timer);
	else
		ev_timer_set(&h->timer, ms, timer_fired, h);
	return 0;
}

struct http *
http_new(const char *ca_pem, size_t ca_len, const char *user_agent)
{
	struct http	*h;
	char		 err[128];
	int		 bad = 0;

	if (ca_pem == NULL || ca_len == 0)
		return NULL;
	if (http_global_init() == -1)
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->cas = castore_new(ca_pem, ca_len, err, sizeof(err))) == NULL) {
		log_warnx("CA certificates: %s", err);
		free(h);
		return NULL;
	}
	if ((h->multi = curl_multi_init()) == NULL) {
		castore_free(h->cas);
		free(h);
		return NULL;
	}
	h->user_agent = user_agent != NULL ? user_agent : "acmed";
	h->connect_ms = HTTP_CONNECT_MS;
	h->total_ms = HTTP_TOTAL_MS;
	h->low_speed_secs = HTTP_LOW_SPEED_SECS;
#define SET(opt, val)	bad |= curl_multi_setopt(h->multi, opt, val) != \
			    CURLM_OK
	SET(CURLMOPT_SOCKETFUNCTION, sock_cb);
	SET(CURLMOPT_SOCKETDATA, h);
	SET(CURLMOPT_TIMERFUNCTION, timer_cb);
	SET(CURLMOPT_TIMERDATA, h);
	SET(CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	SET(CURLMOPT_MAX_HOST_CONNECTIONS, (long)HTTP_HOST_CONNECTIONS);
#undef SET
	if (bad) {
		http_free(h);
		return NULL;
	}
	return h;
}

static void
client_cert_free(struct http *h)
{
	if (h->key.data != NULL)
		explicit_bzero(h->key.data, h->key.len);
	free(h->key.data);
	free(h->cert.data);
	memset(&h->key, 0, sizeof(h->key));
	memset(&h->cert, 0, sizeof(h->cert));
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	ev_timer_stop(&h->timer);
	curl_multi_cleanup(h->multi);
	castore_free(h->cas);
	client_cert_free(h);
	free(h);
}

/*
 * A client certificate and its key (PEM, from memory) that every later
 * request presents: mutual TLS.  Replaces one given before; -1 (and
 * none) if either is empty or out of memory.
 */
int
http_set_client_cert(struct http *h, const char *cert_pem, size_t cert_len,
    const char *key_pem, size_t key_len)
{
	client_cert_free(h);
	if (cert_len == 0 || key_len == 0 ||
	    (h->cert.data = malloc(cert_len)) == NULL)
		return -1;
	if ((h->key.data = malloc(key_len)) == NULL) {
		client_cert_free(h);
		return -1;
	}
	memcpy(h->cert.data, cert_pem, cert_len);
	memcpy(h->key.data, key_pem, key_len);
	h->cert.len = cert_len;
	h->key.len = key_len;
	h->cert.flags = h->key.flags = CURL_BLOB_COPY;
	return 0;
}

/* Test hook: shorter bounds than the defaults; 0 keeps a default. */
void
http_set_timeouts(struct http *h, long connect_ms, long total_ms,
    long low_speed_secs)
{
	if (connect_ms > 0)
		h->connect_ms = connect_ms;
	if (total_ms > 0)
		h->total_ms = total_ms;
	if (low_speed_secs > 0)
		h->low_speed_secs = low_speed_secs;
}

/* The connections opened for the requests that have ended. */
long
http_num_connects(struct http *h)
{
	return h->connects;
}

static void
xfer_free(struct http_xfer *x)
{
	if (x->curl != NULL)
		curl_easy_cleanup(x->curl);
	curl_slist_free_all(x->hdrs);
	free(x->url);
	free(x->body);
	free(x);
}

/* The request's headers and options; -1 with the reason in resp. */
static int
xfer_setup(struct http_xfer *x, enum http_method m, const char *accept)
{
	struct http		*h = x->h;
	struct curl_slist	*t;
	CURL			*c = x->curl;
	char			 abuf[256];
	int			 bad = 0;

	/* "Expect:" off: no 100-continue round trip for larger POSTs. */
	if ((t = curl_slist_append(x->hdrs, "Expect:")) == NULL)
		return -1;
	x->hdrs = t;
	if (m == HTTP_POST) {
		snprintf(abuf, sizeof(abuf), "Content-Type: %s",
		    x->opts.content_type != NULL ? x->opts.content_type :
		    "application/jose+json");
		if ((t = curl_slist_append(x->hdrs, abuf)) == NULL)
			return -1;
		x->hdrs = t;
	}
	if (accept != NULL) {
		snprintf(abuf, sizeof(abuf), "Accept: %s", accept);
		if ((t = curl_slist_append(x->hdrs, abuf)) == NULL)
			return -1;
		x->hdrs = t;
	}
#define SET(opt, val)	bad |= curl_easy_setopt(c, opt, val) != CURLE_OK
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	/* Trust only the given CA, looked up as needed; nothing ambient. */
	SET(CURLOPT_CAINFO, NULL);
	SET(CURLOPT_CAPATH, NULL);
	SET(CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
	SET(CURLOPT_SSL_CTX_DATA, h->cas);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/* No proxy: not from the environment either. */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NOPROXY, "*");
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ACME_MAX_BODY);
	SET(CURLOPT_WRITEFUNCTION, write_cb);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HEADERFUNCTION, header_cb);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_READFUNCTION, read_cb);
	SET(CURLOPT_READDATA, x);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_USERAGENT, h->user_agent);
	/*
	 * HTTP/2 where the authority offers it: every order's requests on
	 * one connection, a new request waiting for it rather than opening
	 * another.
	 */
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	SET(CURLOPT_PIPEWAIT, 1L);
	SET(CURLOPT_URL, x->url);
	SET(CURLOPT_HTTPHEADER, x->hdrs);
	if (h->cert.len > 0) {
		SET(CURLOPT_SSLCERT_BLOB, &h->cert);
		SET(CURLOPT_SSLCERTTYPE, "PEM");
		SET(CURLOPT_SSLKEY_BLOB, &h->key);
		SET(CURLOPT_SSLKEYTYPE, "PEM");
	}
	SET(CURLOPT_CONNECTTIMEOUT_MS, h->connect_ms);
	/* A stream may stay quiet for long: bounded by the connect only. */
	if (x->opts.stream == NULL) {
		SET(CURLOPT_TIMEOUT_MS, h->total_ms);
		SET(CURLOPT_LOW_SPEED_LIMIT, (long)HTTP_LOW_SPEED_BYTES);
		SET(CURLOPT_LOW_SPEED_TIME, h->low_speed_secs);
	} else
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
	switch (m) {
	case HTTP_GET:
		SET(CURLOPT_HTTPGET, 1L);
		break;
	case HTTP_HEAD:
		SET(CURLOPT_NOBODY, 1L);
		break;
	case HTTP_POST:
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
		break;
	}
#undef SET
	return bad ? -1 : 0;
}

/* What came of a request that has ended (cc); 0 if it was answered. */
static int
xfer_result(struct http_xfer *x, CURLcode cc)
{
	struct http_resp	*r = x->resp;
	const char		*url = x->url;
	char			 ebuf[256];
	long			 n = 0;

	if (curl_easy_getinfo(x->curl, CURLINFO_NUM_CONNECTS, &n) ==
	    CURLE_OK && n > 0)
		x->h->connects += n;
	if (x->too_big || cc == CURLE_FILESIZE_EXCEEDED)
		snprintf(r->error, sizeof(r->error), "%.200s: response "
		    "larger than %d bytes", url, ACME_MAX_BODY);
	else if (x->bad_header)
		snprintf(r->error, sizeof(r->error), "%.200s: response "
		    "header line longer than %d bytes", url, HTTP_MAX_HEADER);
	else if (cc == CURLE_SEND_FAIL_REWIND)
		snprintf(r->error, sizeof(r->error), "%.200s: the connection "
		    "closed before the answer", url);
	else if (cc != CURLE_OK) {
		/* libcurl's reason may quote the peer's certificate. */
		snprintf(ebuf, sizeof(ebuf), "%.120s: %.130s", url,
		    x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(cc));
		(void)text_clean(r->error, sizeof(r->error), ebuf,
		    strlen(ebuf));
	} else if (curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE,
	    &r->code) != CURLE_OK || r->code < 100 || r->code > 999)
		snprintf(r->error, sizeof(r->error), "%.200s: no HTTP status",
		    url);
	else
		return 0;
	r->code = 0;
	/* Once libcurl has taken some of the body, the request may be in. */
	r->lost = x->body_off > 0;
	resp_clear_headers(r);
	buf_free(&r->body);
	return -1;
}

/* Hands each request that has ended to whoever started it. */
static void
multi_check(struct http *h)
{
	struct http_xfer	*x;
	CURLMsg			*msg;
	char			*p;
	int			 left;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		p = NULL;
		(void)curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
		x = (struct http_xfer *)p;
		(void)curl_multi_remove_handle(h->multi, msg->easy_handle);
		(void)xfer_result(x, msg->data.result);
		x->done(x->arg);
		xfer_free(x);
	}
}

/*
 * Starts a request; the answer (or the transport's error, code 0) goes
 * into r, and done(arg) is called from the loop when it has ended.  -1,
 * with the reason in r and done not called, if it could not start.
 */
int
http_start(struct http *h, enum http_method m, const char *url,
    const void *body, size_t len, const char *accept, struct http_resp *r,
    void (*done)(void *), void *arg)
{
	struct http_opts	 o;

	memset(&o, 0, sizeof(o));
	o.accept = accept;
	return http_start_opts(h, m, url, body, len, &o, r, done, arg) ==
	    NULL ? -1 : 0;
}

/*
 * http_start() with the options of protocols other than ACME (a POST's
 * content type, a streamed answer); the request, which http_cancel()
 * ends without calling done, or NULL as http_start()'s -1.
 */
struct http_xfer *
http_start_opts(struct http *h, enum http_method m, const char *url,
    const void *body, size_t len, const struct http_opts *o,
    struct http_resp *r, void (*done)(void *), void *arg)
{
	struct http_xfer	*x;

	http_resp_free(r);
	if (url == NULL || strncmp(url, "https://", 8) != 0) {
		snprintf(r->error, sizeof(r->error), "%.200s: not an https "
		    "URL", url != NULL ? url : "(null)");
		return NULL;
	}
	if (m == HTTP_POST && len > ACME_MAX_BODY) {
		snprintf(r->error, sizeof(r->error), "%.200s: request body "
		    "larger than %d bytes", url, ACME_MAX_BODY);
		return NULL;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->url = strdup(url)) == NULL ||
	    (m == HTTP_POST && (x->body = malloc(len ? len : 1)) == NULL) ||
	    (x->curl = curl_easy_init()) == NULL)
		goto nomem;
	x->h = h;
	x->resp = r;
	x->done = done;
	x->arg = arg;
	x->opts = *o;
	if (m == HTTP_POST) {
		memcpy(x->body, body, len);
		x->body_len = len;
	}
	if (xfer_setup(x, m, o->accept) == -1) {
		snprintf(r->error, sizeof(r->error), "%.200s: cannot set up "
		    "the request", url);
		xfer_free(x);
		return NULL;
	}
	if (curl_multi_add_handle(h->multi, x->curl) != CURLM_OK)
		goto nomem;
	return x;
 nomem:
	snprintf(r->error, sizeof(r->error), "%.200s: out of memory", url);
	if (x != NULL)
		xfer_free(x);
	return NULL;
}

/*
 * Ends a request under way; its done is not called.  Not from inside
 * libcurl (a stream function): from the loop.
 */
void
http_cancel(struct http_xfer *x)
{
	if (x == NULL)
		return;
	(void)curl_multi_remove_handle(x->h->multi, x->curl);
	xfer_free(x);
}

static void
sync_done(void *arg)
{
	*(int *)arg = 1;
}

/* One request, waited for in a loop of its own (tools and tests). */
static int
http_sync(struct http *h, enum http_method m, const char *url,
    const void *body, size_t len, const char *accept, struct http_resp *r)
{
	int	 done = 0;

	if (http_start(h, m, url, body, len, accept, r, sync_done,
	    &done) == -1)
		return -1;
	while (!done)
		if (ev_run_once(-1) == -1) {
			snprintf(r->error, sizeof(r->error), "poll failed");
			return -1;
		}
	return r->code == 0 ? -1 : 0;
}

int
http_get(struct http *h, const char *url, struct http_resp *r)
{
	return http_sync(h, HTTP_GET, url, NULL, 0, NULL, r);
}

int
http_head(struct http *h, const char *url, struct http_resp *r)
{
	return http_sync(h, HTTP_HEAD, url, NULL, 0, NULL, r);
}

int
http_post_jose(struct http *h, const char *url, const void *body,
    size_t len, const char *accept, struct http_resp *r)
{
	return http_sync(h, HTTP_POST, url, body, len, accept, r);
}
