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
 * netproc's HTTPS transport (http.c): requests run side by side in the
 * poll loop (ev.c), each answered through the function given when it
 * started.  The blocking calls are for tools and tests, which have no
 * loop of their own.
 */
#ifndef ACMED_HTTP_H
#define ACMED_HTTP_H

#include <time.h>

#include "acme.h"

/* What a request other than ACME's may change. */
struct http_opts {
	const char	*accept;	/* Accept, or none */
	const char	*content_type;	/* a POST's; NULL: JOSE's */
	/*
	 * A 2xx answer's body as it arrives, not kept in the response: -1
	 * ends the request.  The request has no total timeout then, only
	 * the connect timeout.  Called from inside libcurl: it may not
	 * start or cancel requests.
	 */
	int		(*stream)(const char *, size_t, void *);
	void		*stream_arg;
};

struct http_xfer;

int	 http_global_init(void);
struct http	*http_new(const char *, size_t, const char *);
void	 http_free(struct http *);
int	 http_set_client_cert(struct http *, const char *, size_t,
	    const char *, size_t);
int	 http_start(struct http *, enum http_method, const char *,
	    const void *, size_t, const char *, struct http_resp *,
	    void (*)(void *), void *);
struct http_xfer *http_start_opts(struct http *, enum http_method,
	    const char *, const void *, size_t, const struct http_opts *,
	    struct http_resp *, void (*)(void *), void *);
void	 http_cancel(struct http_xfer *);
int	 http_get(struct http *, const char *, struct http_resp *);
int	 http_head(struct http *, const char *, struct http_resp *);
int	 http_post_jose(struct http *, const char *, const void *, size_t,
	    const char *, struct http_resp *);
void	 http_set_timeouts(struct http *, long, long, long);
long	 http_num_connects(struct http *);
long	 http_retry_after(const char *, time_t);
void	 http_parse_link(struct http_resp *, const char *);

#endif
