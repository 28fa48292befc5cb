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
 * challenged, the http-01 and tls-alpn-01 responder.  challenged_main() is the process;
 * the two functions below are its parts that tests run without the
 * sandbox.
 */
#ifndef ACMED_CHALLENGED_H
#define ACMED_CHALLENGED_H

struct imsgchan;

int	challenged_getfds(struct imsgchan *, int *, int *, int);
int	challenged_loop(struct imsgchan *, struct imsgchan *, const int *,
	    const int *, int);
void	challenged_tls_init(void);

#endif
