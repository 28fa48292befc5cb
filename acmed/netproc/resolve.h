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
 * A name resolved in netproc's poll loop without blocking it: for the
 * deployment check and the preflight.
 */
#ifndef ACMED_RESOLVE_H
#define ACMED_RESOLVE_H

#include <stddef.h>

#include "msg.h"

#define RESOLVE_HOST_MAX	MSG_NAME_MAX

/*
 * A name being resolved: shared by its user and its thread, freed by
 * whichever lets go of it last (the user may end first, at its
 * deadline).
 */
struct resolve {
	char		 host[RESOLVE_HOST_MAX + 1];
	char		 serv[16];
	struct addrinfo	*res;
	int		 err;
	int		 errnum;
	int		 pipe[2];	/* the thread's byte when done */
	int		 refs;
};

struct resolve	*resolve_start(const char *, int,
		    void (*)(int, short, void *), void *, char *, size_t);
int		 resolve_done(struct resolve *, char *, size_t);
void		 resolve_end(struct resolve *);
int		 resolve_connect(struct addrinfo **,
		    void (*)(int, short, void *), void *);
int		 resolve_connected(int);

#endif
