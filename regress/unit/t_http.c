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
 * challenged's request parser, response writer and token table, without
 * a socket: good requests, every kind of bad one, and byte-by-byte
 * feeding that must reach the same verdict as one whole buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "challenged/http.h"
#include "challenged/token.h"
#include "test.h"

#define TOK	"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"

/* Parses s (of length len) in one go. */
static int
parse_n(const char *s, size_t len, struct http_req *req)
{
	struct http_parser	 p;

	http_parser_init(&p);
	memset(req, 0, sizeof(*req));
	return http_parse(&p, s, len, req);
}

static int
parse(const char *s, struct http_req *req)
{
	return parse_n(s, strlen(s), req);
}

/* Parses s one more byte at a time, as a slow client would send it. */
static int
parse_bytewise(const char *s, size_t len, struct http_req *req)
{
	struct http_parser	 p;
	size_t			 i;
	int			 r = HTTP_MORE;

	http_parser_init(&p);
	for (i = 1; i <= len && r == HTTP_MORE; i++)
		r = http_parse(&p, s, i, req);
	return r;
}

static int
status(const char *s)
{
	struct http_req	 req;

	return parse(s, &req);
}

static void
test_good(void)
{
	struct http_req	 req;
	const char	*s;
	int		 r;

	r = parse("GET /.well-known/acme-challenge/" TOK " HTTP/1.1\r\n"
	    "Host: example.com\r\n\r\n", &req);
	CHECK(r == HTTP_DONE, "GET of a token parses (%d)", r);
	CHECK(req.method == HTTP_M_GET, "method GET");
	CHECK(req.target == HTTP_T_TOKEN, "target is a token");
	CHECK(req.toklen == strlen(TOK) &&
	    memcmp(req.token, TOK, req.toklen) == 0, "token found");
	CHECK(req.keepalive == 1, "HTTP/1.1 keeps the connection");
	CHECK(req.minor == 1, "minor version 1");

	s = "HEAD /.well-known/acme-challenge/abc HTTP/1.0\r\n\r\n";
	r = parse(s, &req);
	CHECK(r == HTTP_DONE && req.method == HTTP_M_HEAD, "HEAD parses");
	CHECK(req.keepalive == 0, "HTTP/1.0 closes by default");
	CHECK(req.headlen == strlen(s), "head length is the whole request");

	r = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && req.keepalive == 1,
	    "HTTP/1.0 with Connection: keep-alive stays open");
	r = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: TE, close\r\n\r\n",
	    &req);
	CHECK(r == HTTP_DONE && req.keepalive == 0,
	    "Connection: close honoured in a list");
	r = parse("GET / HTTP/1.1\nHost: a\n\n", &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_PAGE,
	    "bare LF line ends accepted");
	r = parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_PAGE,
	    "empty lines before the request line are skipped");
	r = parse("GET /.well-known/acme-challenge/ HTTP/1.1\r\nHost: a\r\n\r\n",
	    &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_PAGE,
	    "challenge directory is the test page");
	r = parse("GET /?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_PAGE,
	    "query ignored for the page");
	r = parse("GET /.well-known/acme-challenge/" TOK "?a=b HTTP/1.1\r\n"
	    "Host: a\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_TOKEN &&
	    req.toklen == strlen(TOK), "query after a token ignored");
	r = parse("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_NONE,
	    "other path: nothing (404)");
	r = parse("GET /.well-known/acme-challenge HTTP/1.1\r\nHost: a\r\n\r\n",
	    &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_NONE,
	    "directory without slash: 404");
	r = parse("GET / HTTP/1.1\r\nHost:a\r\nX-Empty:\r\n"
	    "User-Agent: \t Mozilla/5.0 (compatible; Let's Encrypt"
	    " validation server; +https://www.letsencrypt.org)\t\r\n"
	    "Accept: */*\r\nAccept-Encoding: gzip\r\nX-Bytes: \xc3\xa9\r\n\r\n",
	    &req);
	CHECK(r == HTTP_DONE, "headers as a validation server sends them");
	r = parse("GET / HTTP/1.2\r\nHost: a\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && req.keepalive,
	    "HTTP/1.2 served as 1.1 (RFC 7230 2.6)");
	r = parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
	    &req);
	CHECK(r == HTTP_DONE && req.keepalive, "Content-Length: 0 is no body");
	r = parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
	    &req);
	CHECK(r == HTTP_DONE && !req.keepalive,
	    "a body closes the connection after the answer");
	r = parse("GET / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && !req.keepalive,
	    "a chunked body closes the connection");
}

static void
test_absolute(void)
{
	struct http_req	 req;
	int		 r;

	r = parse("GET http://example.com/.well-known/acme-challenge/" TOK
	    " HTTP/1.1\r\nHost: example.com\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_TOKEN &&
	    req.toklen == strlen(TOK) &&
	    memcmp(req.token, TOK, req.toklen) == 0,
	    "absolute-form: path used");
	r = parse("GET HTTP://Example.COM:80/ HTTP/1.1\r\nHost: x\r\n\r\n",
	    &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_PAGE,
	    "absolute-form: scheme case-insensitive, port");
	r = parse("GET http://example.com HTTP/1.1\r\nHost: x\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_PAGE,
	    "absolute-form without path is the root");
	r = parse("GET http://[::1]:80/.well-known/acme-challenge/abc "
	    "HTTP/1.1\r\nHost: x\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_TOKEN,
	    "absolute-form with an IPv6 literal");
	CHECK(status("GET http:///x HTTP/1.1\r\nHost: x\r\n\r\n") == 400,
	    "absolute-form without host: 400");
	CHECK(status("GET ftp://h/ HTTP/1.1\r\nHost: x\r\n\r\n") == 400,
	    "other scheme: 400");
	CHECK(status("GET * HTTP/1.1\r\nHost: x\r\n\r\n") == 400,
	    "asterisk-form for GET: 400");
	CHECK(status("GET example.com:80 HTTP/1.1\r\nHost: x\r\n\r\n") == 400,
	    "authority-form for GET: 400");
}

static void
test_traversal(void)
{
	struct http_req	 req;
	static const char *const paths[] = {
		"/.well-known/acme-challenge/%2e%2e",
		"/.well-known/acme-challenge/%2E%2E/%2e%2e/etc/passwd",
		"/.well-known/acme-challenge/..",
		"/.well-known/acme-challenge/../../etc/passwd",
		"/.well-known/acme-challenge/./" TOK,
		"/.well-known/acme-challenge//" TOK,
		"/.well-known/acme-challenge/" TOK "/",
		"/.well-known/acme-challenge/" TOK "%00",
		"/.well-known/acme-challenge/%41",
		"/.well-known/acme-challenge/a.b",
		"/.well-known/acme-challenge/a=",
		"/.well-known/acme-challenge/a+b",
		"/.well-known/acme-challenge/a~b",
		"/.well-known/%61cme-challenge/" TOK,
		"/.WELL-KNOWN/acme-challenge/" TOK,
		"/x/../.well-known/acme-challenge/" TOK,
		"//.well-known/acme-challenge/" TOK,
	};
	char		 buf[512];
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(buf, sizeof(buf), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n",
		    paths[i]);
		r = parse(buf, &req);
		CHECK(r == HTTP_DONE && req.target == HTTP_T_NONE,
		    "%s: no token looked up (%d, target %d)", paths[i], r,
		    req.target);
	}
	CHECK(status("GET /.well-known/acme-challenge/%2 HTTP/1.1\r\n"
	    "Host: a\r\n\r\n") == 400, "truncated percent escape: 400");
	CHECK(status("GET /.well-known/acme-challenge/%zz HTTP/1.1\r\n"
	    "Host: a\r\n\r\n") == 400, "bad percent escape: 400");
	CHECK(status("GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n") == 400,
	    "backslash in path: 400");
	CHECK(status("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n") == 400,
	    "fragment in request: 400");
	CHECK(status("GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n") == 400,
	    "raw UTF-8 in path: 400");
	CHECK(status("GET /a\"b HTTP/1.1\r\nHost: a\r\n\r\n") == 400,
	    "quote in path: 400");
}

static void
test_token_bound(void)
{
	struct http_req	 req;
	char		 buf[1024], tok[HTTP_TOKEN_MAX + 2];
	int		 r;

	memset(tok, 'A', HTTP_TOKEN_MAX);
	tok[HTTP_TOKEN_MAX] = '\0';
	snprintf(buf, sizeof(buf), "GET " HTTP_CHALLENGE_DIR "%s HTTP/1.1\r\n"
	    "Host: a\r\n\r\n", tok);
	r = parse(buf, &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_TOKEN,
	    "token of the largest length");
	tok[HTTP_TOKEN_MAX] = 'A';
	tok[HTTP_TOKEN_MAX + 1] = '\0';
	snprintf(buf, sizeof(buf), "GET " HTTP_CHALLENGE_DIR "%s HTTP/1.1\r\n"
	    "Host: a\r\n\r\n", tok);
	r = parse(buf, &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_NONE,
	    "token one byte too long: 404");
}

static void
test_bad(void)
{
	static const struct {
		const char	*req;
		int		 status;
		const char	*what;
	} t[] = {
		{ "GET / HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 without Host" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
		    "two Host fields" },
		{ "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", 400,
		    "two Host fields in 1.0" },
		{ "GET /\r\n\r\n", 400, "HTTP/0.9 request" },
		{ "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "two spaces" },
		{ "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "trailing space" },
		{ " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "leading space" },
		{ "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "tab separator" },
		{ "GET / http/1.1\r\nHost: a\r\n\r\n", 400, "lowercase version" },
		{ "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400, "version 1.10" },
		{ "GET / HTTP/11\r\nHost: a\r\n\r\n", 400, "version 11" },
		{ "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP/2.0" },
		{ "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505, "HTTP/0.9" },
		{ "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "HTTP/2 preface" },
		{ "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad method byte" },
		{ "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400,
		    "space before colon" },
		{ "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400,
		    "obsolete line folding" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400,
		    "header line without colon" },
		{ "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400,
		    "empty header name" },
		{ "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400, "bare CR" },
		{ "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", 400,
		    "control byte in value" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n", 400,
		    "DEL in value" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n", 400,
		    "bad Content-Length" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
		    "Content-Length: 2\r\n\r\n", 400, "two Content-Lengths" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
		    "99999999999999999999999\r\n\r\n", 400,
		    "Content-Length overflow" },
		{ "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400,
		    "TLS handshake, refused at once" },
		{ "\xff\xfe\xfd", 400, "garbage, refused at once" },
		{ "GET /\x01", 400, "control byte in the request line at once" },
	};
	struct http_req	 req;
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r = parse(t[i].req, &req);
		CHECK(r == t[i].status, "%s: %d (want %d)", t[i].what, r,
		    t[i].status);
	}
}

static void
test_methods(void)
{
	static const char *const m[] = {
		"POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "get",
		"BREW", "CONNECT"
	};
	struct http_req	 req;
	char		 buf[256];
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		snprintf(buf, sizeof(buf), "%s /.well-known/acme-challenge/a"
		    " HTTP/1.1\r\nHost: a\r\n\r\n", m[i]);
		r = parse(buf, &req);
		CHECK(r == HTTP_DONE && req.method == HTTP_M_OTHER,
		    "%s: parsed, not served (405)", m[i]);
	}
	r = parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &req);
	CHECK(r == HTTP_DONE && req.method == HTTP_M_OTHER,
	    "OPTIONS *: 405");
	r = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n",
	    &req);
	CHECK(r == HTTP_DONE && req.method == HTTP_M_OTHER && !req.keepalive,
	    "POST with a body: 405 and close");
}

static void
test_nul(void)
{
	static const char s1[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	static const char s2[] = "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char s3[] = "\0GET / HTTP/1.1\r\n";
	struct http_req	 req;

	CHECK(parse_n(s1, sizeof(s1) - 1, &req) == 400, "NUL in a header");
	CHECK(parse_n(s2, sizeof(s2) - 1, &req) == 400, "NUL in the path");
	CHECK(parse_n(s3, sizeof(s3) - 1, &req) == 400, "NUL first");
	CHECK(parse_bytewise(s1, sizeof(s1) - 1, &req) == 400,
	    "NUL in a header, byte by byte");
}

static void
test_limits(void)
{
	struct http_req	 req;
	struct http_parser p;
	char		*buf;
	size_t		 n, i;
	int		 r;

	buf = malloc(HTTP_HEAD_MAX * 2);
	if (buf == NULL)
		return;

	/* A request line filling the whole buffer. */
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', HTTP_HEAD_MAX * 2 - 5);
	r = parse_n(buf, HTTP_HEAD_MAX - 1, &req);
	CHECK(r == HTTP_MORE, "long request line below the limit waits");
	r = parse_n(buf, HTTP_HEAD_MAX, &req);
	CHECK(r == 414, "request line of %d bytes: 414 (%d)", HTTP_HEAD_MAX,
	    r);
	r = parse_n(buf, HTTP_HEAD_MAX * 2, &req);
	CHECK(r == 414, "longer buffer: still 414, nothing past the limit");

	/* One huge header. */
	n = snprintf(buf, HTTP_HEAD_MAX * 2, "GET / HTTP/1.1\r\nHost: a\r\n"
	    "X-Big: ");
	memset(buf + n, 'b', HTTP_HEAD_MAX * 2 - n);
	r = parse_n(buf, HTTP_HEAD_MAX, &req);
	CHECK(r == 431, "header block of %d bytes: 431 (%d)", HTTP_HEAD_MAX,
	    r);

	/* Exactly at the limit is fine. */
	n = snprintf(buf, HTTP_HEAD_MAX * 2, "GET / HTTP/1.1\r\nHost: a\r\n"
	    "X-Big: ");
	memset(buf + n, 'b', HTTP_HEAD_MAX - n - 4);
	memcpy(buf + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	r = parse_n(buf, HTTP_HEAD_MAX, &req);
	CHECK(r == HTTP_DONE && req.headlen == HTTP_HEAD_MAX,
	    "head of exactly %d bytes accepted", HTTP_HEAD_MAX);

	/* Too many header fields. */
	n = snprintf(buf, HTTP_HEAD_MAX * 2, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 1; i < HTTP_HEADERS_MAX; i++)
		n += snprintf(buf + n, HTTP_HEAD_MAX * 2 - n, "X: %zu\r\n", i);
	n += snprintf(buf + n, HTTP_HEAD_MAX * 2 - n, "\r\n");
	r = parse_n(buf, n, &req);
	CHECK(r == HTTP_DONE, "%d header fields accepted", HTTP_HEADERS_MAX);
	n -= 2;
	n += snprintf(buf + n, HTTP_HEAD_MAX * 2 - n, "Y: 1\r\n");
	r = parse_n(buf, n, &req);
	CHECK(r == 431, "%d header fields: 431 before the end (%d)",
	    HTTP_HEADERS_MAX + 1, r);

	/* Only empty lines. */
	memset(buf, '\n', HTTP_HEAD_MAX);
	r = parse_n(buf, HTTP_HEAD_MAX, &req);
	CHECK(r == 400, "a buffer of empty lines: 400");

	/* The parser picks up where it stopped. */
	http_parser_init(&p);
	strcpy(buf, "GET / HTTP/1.1\r\nHost: a\r\n");
	r = http_parse(&p, buf, strlen(buf), &req);
	CHECK(r == HTTP_MORE && p.off == strlen(buf), "partial head waits");
	strcat(buf, "\r\n");
	r = http_parse(&p, buf, strlen(buf), &req);
	CHECK(r == HTTP_DONE, "rest of the head completes it");
	free(buf);
}

static void
test_pipeline(void)
{
	static const char s[] =
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	    "HEAD /.well-known/acme-challenge/abc HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	    "GET / HT";
	struct http_parser	 p;
	struct http_req		 req;
	const char		*b = s;
	size_t			 len = sizeof(s) - 1;
	int			 r;

	http_parser_init(&p);
	r = http_parse(&p, b, len, &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_PAGE, "pipelined 1");
	b += req.headlen;
	len -= req.headlen;
	r = http_parse(&p, b, len, &req);
	CHECK(r == HTTP_DONE && req.method == HTTP_M_HEAD &&
	    req.target == HTTP_T_TOKEN, "pipelined 2");
	b += req.headlen;
	len -= req.headlen;
	r = http_parse(&p, b, len, &req);
	CHECK(r == HTTP_DONE && req.target == HTTP_T_NONE && !req.keepalive,
	    "pipelined 3");
	b += req.headlen;
	len -= req.headlen;
	r = http_parse(&p, b, len, &req);
	CHECK(r == HTTP_MORE, "pipelined 4 is partial");
}

/* Same verdicts byte by byte as at once, for a sample of requests. */
static void
test_bytewise(void)
{
	static const char *const s[] = {
		"GET /.well-known/acme-challenge/" TOK " HTTP/1.1\r\n"
		    "Host: example.com\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
		"GET / HTTP/3.0\r\nHost: a\r\n\r\n",
		"\r\n\nGET / HTTP/1.0\n\n",
		"G\x01T",
	};
	struct http_req	 r1, r2;
	size_t		 i;
	int		 a, b;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		a = parse(s[i], &r1);
		b = parse_bytewise(s[i], strlen(s[i]), &r2);
		CHECK(a == b && (a != HTTP_DONE ||
		    (r1.headlen == r2.headlen && r1.target == r2.target)),
		    "request %zu: %d at once, %d byte by byte", i, a, b);
	}
}

static void
test_response(void)
{
	char	 out[HTTP_RESP_MAX], date[HTTP_DATE_LEN + 1];
	size_t	 n;

	http_date(784111777, date);
	CHECK_STR(date, "Sun, 06 Nov 1994 08:49:37 GMT", "IMF-fixdate");
	n = http_response(out, sizeof(out), 200, 0, 1, "text/plain", "abc", 3,
	    date);
	out[n] = '\0';
	CHECK(n > 0 && strncmp(out, "HTTP/1.1 200 OK\r\n", 17) == 0,
	    "status line");
	CHECK(strstr(out, "\r\nContent-Length: 3\r\n") != NULL,
	    "Content-Length");
	CHECK(strstr(out, "\r\nConnection: keep-alive\r\n") != NULL,
	    "keep-alive said");
	CHECK(n >= 7 && strcmp(out + n - 7, "\r\n\r\nabc") == 0, "body last");
	n = http_response(out, sizeof(out), 200, 1, 0, "text/plain", "abc", 3,
	    date);
	out[n] = '\0';
	CHECK(strstr(out, "\r\nContent-Length: 3\r\n") != NULL &&
	    strcmp(out + n - 4, "\r\n\r\n") == 0,
	    "HEAD: body's length, no body");
	CHECK(strstr(out, "\r\nConnection: close\r\n") != NULL, "close said");
	n = http_response(out, sizeof(out), 405, 0, 0, "text/plain", "x", 1,
	    date);
	out[n] = '\0';
	CHECK(strstr(out, "\r\nAllow: GET, HEAD\r\n") != NULL, "405 has Allow");
	n = http_response(out, 20, 200, 0, 0, "text/plain", "x", 1, date);
	CHECK(n == 0, "response too large for the buffer: 0");
}

static void
test_toktab(void)
{
	struct toktab	*t;
	const char	*ka;
	char		 tok[64], kabuf[HTTP_KEYAUTH_MAX + 2];
	size_t		 kalen, i;
	int		 r, ok;

	t = toktab_new(0);
	CHECK(t != NULL, "table");
	if (t == NULL)
		return;
	r = toktab_add(t, TOK, strlen(TOK), TOK ".thumb", strlen(TOK) + 6);
	CHECK(r == 0, "add");
	ka = toktab_get(t, TOK, strlen(TOK), &kalen);
	CHECK(ka != NULL && kalen == strlen(TOK) + 6 &&
	    memcmp(ka, TOK ".thumb", kalen) == 0, "get");
	CHECK(toktab_get(t, TOK, strlen(TOK) - 1, &kalen) == NULL,
	    "prefix not found");
	r = toktab_add(t, TOK, strlen(TOK), "new.ka", 6);
	ka = toktab_get(t, TOK, strlen(TOK), &kalen);
	CHECK(r == 0 && toktab_count(t) == 1 && ka != NULL && kalen == 6 &&
	    memcmp(ka, "new.ka", 6) == 0, "add again replaces");
	CHECK(toktab_del(t, TOK, strlen(TOK)) == 0, "del");
	CHECK(toktab_get(t, TOK, strlen(TOK), &kalen) == NULL, "gone");
	CHECK(toktab_del(t, TOK, strlen(TOK)) == -1 && errno == ENOENT,
	    "del twice: ENOENT");

	CHECK(toktab_add(t, "a/b", 3, "a.b", 3) == -1 && errno == EINVAL,
	    "token with a slash refused");
	CHECK(toktab_add(t, "", 0, "a.b", 3) == -1 && errno == EINVAL,
	    "empty token refused");
	CHECK(toktab_add(t, "ab", 2, "a\r\nX: y", 8) == -1 && errno == EINVAL,
	    "key authorization with CRLF refused");
	memset(kabuf, 'k', sizeof(kabuf));
	CHECK(toktab_add(t, "ab", 2, kabuf, HTTP_KEYAUTH_MAX) == 0,
	    "key authorization of the largest size");
	CHECK(toktab_add(t, "ab", 2, kabuf, HTTP_KEYAUTH_MAX + 1) == -1 &&
	    errno == EINVAL, "key authorization one byte too long");
	CHECK(toktab_del(t, "ab", 2) == 0, "del ab");

	ok = 1;
	for (i = 0; i < TOKTAB_MAX; i++) {
		snprintf(tok, sizeof(tok), "tok%zu", i);
		if (toktab_add(t, tok, strlen(tok), "k.a", 3) == -1)
			ok = 0;
	}
	CHECK(ok && toktab_count(t) == TOKTAB_MAX, "%d tokens", TOKTAB_MAX);
	CHECK(toktab_add(t, "onemore", 7, "k.a", 3) == -1 && errno == ENOSPC,
	    "one more: ENOSPC");
	CHECK(toktab_add(t, "tok5", 4, "k.b", 3) == 0,
	    "replacing in a full table works");
	ok = 1;
	for (i = 0; i < TOKTAB_MAX; i++) {
		snprintf(tok, sizeof(tok), "tok%zu", i);
		if (toktab_get(t, tok, strlen(tok), &kalen) == NULL)
			ok = 0;
	}
	CHECK(ok, "every token found");
	for (i = 0; i < TOKTAB_MAX; i += 2) {
		snprintf(tok, sizeof(tok), "tok%zu", i);
		(void)toktab_del(t, tok, strlen(tok));
	}
	CHECK(toktab_count(t) == TOKTAB_MAX / 2, "half withdrawn");
	snprintf(tok, sizeof(tok), "tok%d", 1);
	CHECK(toktab_get(t, tok, strlen(tok), &kalen) != NULL &&
	    toktab_get(t, "tok0", 4, &kalen) == NULL, "the right half");
	toktab_free(t);
}

int
main(void)
{
	test_good();
	test_absolute();
	test_traversal();
	test_token_bound();
	test_bad();
	test_methods();
	test_nul();
	test_limits();
	test_pipeline();
	test_bytewise();
	test_response();
	test_toktab();
	return test_done();
}
