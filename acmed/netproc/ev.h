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
 * netproc's one poll loop: descriptors (the message channels, libcurl's
 * sockets, deployment checks) and timers, each with the function that
 * handles it.  Nothing in netproc waits anywhere else.
 */
#ifndef ACMED_EV_H
#define ACMED_EV_H

#include <stddef.h>

struct ev_timer {
	long long	 at;		/* CLOCK_MONOTONIC ms */
	size_t		 slot;		/* 1-based place in the heap, 0: off */
	void		(*fn)(void *);
	void		*arg;
};

typedef void	(*ev_fd_fn)(int, short, void *);

long long	 ev_now_ms(void);
int		 ev_fd(int, short, ev_fd_fn, void *);
void		 ev_fd_del(int);
void		 ev_timer_set(struct ev_timer *, long, void (*)(void *),
		    void *);
void		 ev_timer_stop(struct ev_timer *);
int		 ev_timer_armed(const struct ev_timer *);
int		 ev_run_once(long);

#endif
