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
 * HTTP/1.0 and 1.1 request heads as RFC 7230 describes them, read by a
 * server that serves two kinds of resource and refuses the rest.  The
 * parser never copies, never allocates and never looks past HTTP_HEAD_MAX
 * bytes; everything it cannot understand is an error status, so a client
 * always gets an answer instead of a hang.  Bodies are not read: a request
 * announcing one is answered and its connection closed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base64.h"
#include "http.h"

enum {
	PH_BLANK,		/* empty lines before the request line */
	PH_REQLINE,
	PH_HEADERS
};

/* An ASCII letter or digit, or one of the characters in set. */
static int
alnum_or(unsigned char c, const char *set)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr(set, c) != NULL;
}

/* RFC 7230 3.2.6 tchar */
static int
is_tchar(unsigned char c)
{
	return alnum_or(c, "!#$%&'*+-.^_`|~");
}

/* RFC 3986 pchar plus '/' and '?', the characters of path and query. */
static int
is_uric(unsigned char c)
{
	return alnum_or(c, "-._~!$&'()*+,;=:@/?%");
}

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* The characters of base64url without padding, as ACME tokens use. */
int
http_token_valid(const char *s, size_t len)
{
	return len > 0 && len <= HTTP_TOKEN_MAX && b64url_valid(s, len);
}

void
http_parser_init(struct http_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->phase = PH_BLANK;
}

static int
field_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* Connection: a comma-separated list of options (RFC 7230 6.1). */
static void
parse_connection(const char *v, size_t len, int *closep, int *keepp)
{
	size_t	 i, j;

	for (i = 0; i < len; i = j + 1) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		for (j = i; j < len && v[j] != ','; j++)
			;
		while (j > i && (v[j - 1] == ' ' || v[j - 1] == '\t'))
			j--;
		if (field_is(v + i, j - i, "close"))
			*closep = 1;
		else if (field_is(v + i, j - i, "keep-alive"))
			*keepp = 1;
		while (j < len && v[j] != ',')
			j++;
	}
}

/* Content-Length: digits only; -1 if not a number that fits. */
static int64_t
parse_length(const char *v, size_t len)
{
	int64_t	 n = 0;
	size_t	 i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (n > (INT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (v[i] - '0');
	}
	return n;
}

/*
 * The request-target (RFC 7230 5.3): origin-form, or absolute-form, which
 * a server must accept; only its path matters here.
 */
static int
parse_target(const char *t, size_t len, struct http_req *req)
{
	const char	*path, *end;
	size_t		 i, skip = 0, plen;

	if (len >= 7 && strncasecmp(t, "http://", 7) == 0)
		skip = 7;
	else if (len >= 8 && strncasecmp(t, "https://", 8) == 0)
		skip = 8;
	if (skip == 0 && t[0] != '/')
		return 400;
	for (i = skip; i < len; i++) {
		if (t[i] == '%') {
			if (i + 2 >= len || !is_hex(t[i + 1]) ||
			    !is_hex(t[i + 2]))
				return 400;
		} else if (!is_uric(t[i]) &&
		    !(skip && (t[i] == '[' || t[i] == ']')))
			return 400;
	}
	end = t + len;
	path = t;
	if (skip) {
		for (i = skip; i < len && t[i] != '/' && t[i] != '?'; i++)
			;
		if (i == skip)
			return 400;
		path = t + i;
		/* "http://host" and "http://host?q" name the root. */
		if (path == end || *path == '?') {
			req->target = HTTP_T_PAGE;
			return 0;
		}
	}
	for (plen = 0; path + plen < end && path[plen] != '?'; plen++)
		if (path[plen] == '[' || path[plen] == ']')
			return 400;
	if (plen == 1) {
		req->target = HTTP_T_PAGE;
		return 0;
	}
	i = sizeof(HTTP_CHALLENGE_DIR) - 1;
	if (plen < i || memcmp(path, HTTP_CHALLENGE_DIR, i) != 0) {
		req->target = HTTP_T_NONE;
		return 0;
	}
	if (plen == i)
		req->target = HTTP_T_PAGE;
	else if (http_token_valid(path + i, plen - i)) {
		req->target = HTTP_T_TOKEN;
		req->token = path + i;
		req->toklen = plen - i;
	} else
		req->target = HTTP_T_NONE;
	return 0;
}

/* The request line without its line end: method SP target SP version. */
static int
parse_reqline(const char *l, size_t len, struct http_req *req,
    const char **target, size_t *tlen)
{
	const char	*sp1, *sp2, *v;
	size_t		 mlen, vlen;

	if ((sp1 = memchr(l, ' ', len)) == NULL || sp1 == l)
		return 400;
	mlen = sp1 - l;
	*target = sp1 + 1;
	if ((sp2 = memchr(*target, ' ', l + len - *target)) == NULL ||
	    sp2 == *target)
		return 400;
	*tlen = sp2 - *target;
	v = sp2 + 1;
	vlen = l + len - v;
	if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return 400;
	if (v[5] != '1')
		return 505;
	req->minor = v[7] - '0';
	if (mlen == 3 && memcmp(l, "GET", 3) == 0)
		req->method = HTTP_M_GET;
	else if (mlen == 4 && memcmp(l, "HEAD", 4) == 0)
		req->method = HTTP_M_HEAD;
	else
		req->method = HTTP_M_OTHER;
	return 0;
}

/* A complete head: [start, end) holds the lines, the empty one included. */
static int
parse_head(const char *buf, size_t start, size_t end, struct http_req *req)
{
	const char	*l, *nl, *lend, *colon, *v, *target = NULL;
	size_t		 len, vlen, tlen = 0, i;
	int		 r, nhost = 0, conn_close = 0, conn_keep = 0;
	int		 body = 0;
	int64_t		 clen = -1, n;

	l = buf + start;
	for (i = 0; l < buf + end; i++, l = nl + 1) {
		nl = memchr(l, '\n', buf + end - l);
		lend = nl;
		if (lend > l && lend[-1] == '\r')
			lend--;
		len = lend - l;
		if (memchr(l, '\r', len) != NULL)
			return 400;
		if (i == 0) {
			if ((r = parse_reqline(l, len, req, &target,
			    &tlen)) != 0)
				return r;
			continue;
		}
		if (len == 0)
			break;
		if (l[0] == ' ' || l[0] == '\t')
			return 400;	/* obsolete line folding */
		if ((colon = memchr(l, ':', len)) == NULL || colon == l)
			return 400;
		for (v = l; v < colon; v++)
			if (!is_tchar(*v))
				return 400;
		for (v = colon + 1; v < lend; v++)
			if (((unsigned char)*v < 0x20 && *v != '\t') ||
			    *v == 0x7f)
				return 400;
		v = colon + 1;
		while (v < lend && (*v == ' ' || *v == '\t'))
			v++;
		while (lend > v && (lend[-1] == ' ' || lend[-1] == '\t'))
			lend--;
		vlen = lend - v;
		if (field_is(l, colon - l, "host"))
			nhost++;
		else if (field_is(l, colon - l, "connection"))
			parse_connection(v, vlen, &conn_close, &conn_keep);
		else if (field_is(l, colon - l, "content-length")) {
			if ((n = parse_length(v, vlen)) == -1 ||
			    (clen != -1 && n != clen))
				return 400;
			clen = n;
		} else if (field_is(l, colon - l, "transfer-encoding"))
			body = 1;
	}
	if (nhost > 1 || (req->minor >= 1 && nhost == 0))
		return 400;
	if (clen > 0)
		body = 1;
	if (req->minor >= 1)
		req->keepalive = !conn_close && !body;
	else
		req->keepalive = conn_keep && !conn_close && !body;
	req->target = HTTP_T_NONE;
	if (req->method != HTTP_M_OTHER)
		return parse_target(target, tlen, req);
	return 0;
}

/*
 * Looks at the bytes not seen yet, up to HTTP_HEAD_MAX: control bytes and
 * a bad method are refused as soon as they arrive (a TLS handshake or
 * binary junk gets its 400 at once), and the head is parsed as a whole
 * once its empty line is there.
 */
int
http_parse(struct http_parser *p, const char *buf, size_t len,
    struct http_req *req)
{
	size_t		 i, lim;
	unsigned char	 c;
	int		 r;

	lim = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	for (i = p->off; i < lim; i++) {
		c = (unsigned char)buf[i];
		if (c == '\0')
			return 400;
		switch (p->phase) {
		case PH_BLANK:
			if (c == '\r' || c == '\n')
				continue;
			p->start = i;
			p->phase = PH_REQLINE;
			/* FALLTHROUGH */
		case PH_REQLINE:
			if (c == '\n') {
				p->phase = PH_HEADERS;
				p->linestart = i + 1;
			} else if ((c < 0x20 && c != '\r') || c == 0x7f)
				return 400;
			else if (c == ' ')
				p->gotsp = 1;
			else if (!p->gotsp && !is_tchar(c))
				return 400;
			break;
		case PH_HEADERS:
			if (c != '\n')
				break;
			if (i == p->linestart ||
			    (i == p->linestart + 1 && buf[i - 1] == '\r')) {
				memset(req, 0, sizeof(*req));
				r = parse_head(buf, p->start, i + 1, req);
				req->headlen = i + 1;
				http_parser_init(p);
				return r == 0 ? HTTP_DONE : r;
			}
			if (++p->lines > HTTP_HEADERS_MAX)
				return 431;
			p->linestart = i + 1;
			break;
		}
	}
	p->off = lim;
	if (lim < HTTP_HEAD_MAX)
		return HTTP_MORE;
	if (p->phase == PH_HEADERS)
		return 431;
	return p->phase == PH_REQLINE ? 414 : 400;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Internal Server Error";
	}
}

/* The IMF-fixdate of RFC 7231 7.1.1.1; needs no time zone file. */
void
http_date(time_t t, char out[HTTP_DATE_LEN + 1])
{
	static const char	 days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char	 months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct tm		 tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year > 9999 - 1900 ||
	    tm.tm_year < 0) {
		memcpy(out, "Thu, 01 Jan 1970 00:00:00 GMT",
		    HTTP_DATE_LEN + 1);
		return;
	}
	snprintf(out, HTTP_DATE_LEN + 1, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/*
 * Writes a whole response into out: its length, or 0 if it does not fit.
 * A HEAD answer carries the Content-Length of the body it leaves out.
 */
size_t
http_response(char *out, size_t outsz, int status, int headonly,
    int keepalive, const char *ctype, const char *body, size_t bodylen,
    const char *date)
{
	int	 n;

	n = snprintf(out, outsz, "HTTP/1.1 %d %s\r\n"
	    "Date: %s\r\n"
	    "Server: acmed\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "%s"
	    "Connection: %s\r\n"
	    "\r\n",
	    status, http_reason(status), date, ctype, bodylen,
	    status == 405 ? "Allow: GET, HEAD\r\n" : "",
	    keepalive ? "keep-alive" : "close");
	if (n < 0 || (size_t)n >= outsz)
		return 0;
	if (headonly)
		return (size_t)n;
	if (bodylen > outsz - (size_t)n)
		return 0;
	memcpy(out + n, body, bodylen);
	return (size_t)n + bodylen;
}
