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
 * The HTTP/1.x request parser and response writer of challenged, with no
 * socket in sight so that tests and fuzzers can drive them directly.
 *
 * A connection keeps its unparsed bytes in a buffer of HTTP_HEAD_MAX
 * bytes and calls http_parse() with the whole buffer after every read; the
 * parser remembers how far it looked, so each byte is scanned once.  It
 * answers HTTP_MORE (wait for more bytes), HTTP_DONE (a complete request
 * head, described in struct http_req; drop req->headlen bytes from the
 * front of the buffer, the parser is ready for the next request) or an
 * error status (400, 414, 431, 505) to answer before closing.
 */
#ifndef ACMED_HTTP_H
#define ACMED_HTTP_H

#include <stddef.h>
#include <time.h>

#include "msg.h"

#define HTTP_HEAD_MAX		8192	/* request line and header fields */
#define HTTP_HEADERS_MAX	64	/* header fields per request */
#define HTTP_TOKEN_MAX		MSG_TOKEN_MAX	/* an ACME token */
#define HTTP_KEYAUTH_MAX	MSG_KEYAUTH_MAX	/* a key authorization */
#define HTTP_DATE_LEN		29	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
#define HTTP_RESP_MAX		1024	/* the largest response written */

#define HTTP_CHALLENGE_DIR	"/.well-known/acme-challenge/"
#define HTTP_TEST_PAGE		MSG_READY_PAGE

#define HTTP_MORE		0
#define HTTP_DONE		1

enum http_method {
	HTTP_M_GET,
	HTTP_M_HEAD,
	HTTP_M_OTHER,		/* well formed, not served: 405 */
	HTTP_M_MAX
};

enum http_target {
	HTTP_T_NONE,		/* anything else: 404 */
	HTTP_T_PAGE,		/* "/" and the challenge directory */
	HTTP_T_TOKEN,		/* the challenge directory and a token */
	HTTP_T_MAX
};

/* What http_parse() has already scanned of the buffer it is given. */
struct http_parser {
	size_t			 off;		/* bytes looked at */
	size_t			 start;		/* first byte of request line */
	size_t			 linestart;	/* of the current header line */
	size_t			 lines;		/* header lines so far */
	int			 phase;
	int			 gotsp;		/* the method has ended */
};

struct http_req {
	enum http_method	 method;
	enum http_target	 target;
	int			 minor;		/* HTTP/1.minor */
	int			 keepalive;	/* may serve another request */
	const char		*token;		/* in the buffer, not terminated */
	size_t			 toklen;
	size_t			 headlen;	/* bytes the request used */
};

void	 http_parser_init(struct http_parser *);
int	 http_parse(struct http_parser *, const char *, size_t,
	    struct http_req *);
int	 http_token_valid(const char *, size_t);
const char *http_reason(int);
void	 http_date(time_t, char[HTTP_DATE_LEN + 1]);
size_t	 http_response(char *, size_t, int, int, int, const char *,
	    const char *, size_t, const char *);

#endif
