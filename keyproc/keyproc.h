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
 * keyproc as a loop over two channels, so that a test can run it in a
 * forked child without the sandbox; keyproc_main() (common/proc.h) sets
 * up the channels and the sandbox and then runs the same loop.  And how
 * keyproc answers a request, for the files that serve one.
 */
#ifndef ACMED_KEYPROC_H
#define ACMED_KEYPROC_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct imsg;
struct imsgchan;

/*
 * A request being answered: the channel and peer it came from, the error
 * type that peer understands, and the key it is about (once read).
 */
struct req {
	struct imsgchan	*c;
	const char	*peer;
	uint32_t	 errtype;
	uint32_t	 peerid;
	uint32_t	 id;
};

void	keyproc_warmup(void);
int	keyproc_loop(struct imsgchan *, struct imsgchan *);

int	req_send(const struct req *, uint32_t, const struct buf *);
void	req_err(const struct req *, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
void	req_blob(const struct req *, uint32_t, const void *, size_t,
	    const char *);
void	req_blob_only(const struct req *, uint32_t, const void *, size_t,
	    const char *);
__attribute__((__noreturn__)) void
	req_malformed(const struct imsg *, const char *);

#endif
