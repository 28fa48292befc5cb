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
 * The poll loop: a table of descriptors, each with the events it waits
 * for and its handler, and a heap of timers.  One pass waits in poll(2)
 * until a descriptor is ready or the first timer is due, then runs the
 * handlers of what happened.  A handler may add or remove descriptors
 * and timers, its own included: a descriptor removed before its turn in
 * the pass is not handled, nor one closed and opened again meanwhile
 * under the same number.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "ev.h"

struct ev_fdent {
	int		 fd;
	short		 events;
	unsigned long	 serial;	/* of this registration of fd */
	ev_fd_fn	 fn;
	void		*arg;
};

static struct ev_fdent	*fds;
static size_t		 nfds, capfds;
static unsigned long	 serials;
static struct pollfd	*pfds;
static unsigned long	*pserials;	/* the serial each pfds[i] was for */
static size_t		 cappfds;
static struct ev_timer	**heap;		/* heap[0] unused: 1-based */
static size_t		 nheap, capheap;

long long
ev_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct ev_fdent *
fd_find(int fd)
{
	size_t	 i;

	for (i = 0; i < nfds; i++)
		if (fds[i].fd == fd)
			return &fds[i];
	return NULL;
}

/* Waits for events on fd (replacing what it waited for); -1 if no room. */
int
ev_fd(int fd, short events, ev_fd_fn fn, void *arg)
{
	struct ev_fdent	*e, *n;

	if ((e = fd_find(fd)) == NULL) {
		if (nfds == capfds) {
			if ((n = reallocarray(fds, capfds ? capfds * 2 : 16,
			    sizeof(*fds))) == NULL)
				return -1;
			fds = n;
			capfds = capfds ? capfds * 2 : 16;
		}
		e = &fds[nfds++];
		e->serial = ++serials;
	}
	e->fd = fd;
	e->events = events;
	e->fn = fn;
	e->arg = arg;
	return 0;
}

void
ev_fd_del(int fd)
{
	struct ev_fdent	*e;

	if ((e = fd_find(fd)) == NULL)
		return;
	*e = fds[--nfds];
}

static void
heap_put(size_t i, struct ev_timer *t)
{
	heap[i] = t;
	t->slot = i;
}

static void
heap_up(size_t i)
{
	struct ev_timer	*t = heap[i];

	while (i > 1 && heap[i / 2]->at > t->at) {
		heap_put(i, heap[i / 2]);
		i /= 2;
	}
	heap_put(i, t);
}

static void
heap_down(size_t i)
{
	struct ev_timer	*t = heap[i];
	size_t		 c;

	while ((c = 2 * i) <= nheap) {
		if (c < nheap && heap[c + 1]->at < heap[c]->at)
			c++;
		if (heap[c]->at >= t->at)
			break;
		heap_put(i, heap[c]);
		i = c;
	}
	heap_put(i, t);
}

void
ev_timer_stop(struct ev_timer *t)
{
	struct ev_timer	*last;
	size_t		 i = t->slot;

	if (i == 0)
		return;
	t->slot = 0;
	if (i == nheap--)
		return;
	last = heap[nheap + 1];
	heap_put(i, last);
	heap_up(i);
	heap_down(last->slot);
}

/* Runs fn(arg) ms from now (0: in this pass), once. */
void
ev_timer_set(struct ev_timer *t, long ms, void (*fn)(void *), void *arg)
{
	struct ev_timer	**n;

	ev_timer_stop(t);
	if (nheap + 1 >= capheap) {
		if ((n = reallocarray(heap, capheap ? capheap * 2 : 64,
		    sizeof(*heap))) == NULL)
			fatal("timers");
		heap = n;
		capheap = capheap ? capheap * 2 : 64;
	}
	t->at = ev_now_ms() + (ms > 0 ? ms : 0);
	t->fn = fn;
	t->arg = arg;
	heap_put(++nheap, t);
	heap_up(nheap);
}

int
ev_timer_armed(const struct ev_timer *t)
{
	return t->slot != 0;
}

/* The timers that are due, each run once, in the order they fell due. */
static void
timers_run(void)
{
	struct ev_timer	*t;
	long long	 now = ev_now_ms();

	while (nheap > 0 && heap[1]->at <= now) {
		t = heap[1];
		ev_timer_stop(t);
		t->fn(t->arg);
	}
}

/*
 * One pass: waits at most max_ms (-1: no bound) and less if a timer is
 * due sooner, then handles what is ready.  -1 if poll(2) failed.
 */
int
ev_run_once(long max_ms)
{
	struct pollfd	*np;
	struct ev_fdent	*e;
	unsigned long	*ns;
	long long	 wait;
	size_t		 i, n;
	int		 r;

	if (nfds > cappfds) {
		if ((np = reallocarray(pfds, nfds, sizeof(*pfds))) == NULL)
			return -1;
		pfds = np;
		if ((ns = reallocarray(pserials, nfds, sizeof(*ns))) == NULL)
			return -1;
		pserials = ns;
		cappfds = nfds;
	}
	for (i = 0; i < nfds; i++) {
		pfds[i].fd = fds[i].fd;
		pfds[i].events = fds[i].events;
		pfds[i].revents = 0;
		pserials[i] = fds[i].serial;
	}
	n = nfds;
	wait = max_ms;
	if (nheap > 0) {
		wait = heap[1]->at - ev_now_ms();
		if (wait < 0)
			wait = 0;
		if (max_ms >= 0 && max_ms < wait)
			wait = max_ms;
	}
	if (wait > 60 * 60 * 1000)
		wait = 60 * 60 * 1000;
	if ((r = poll(pfds, n, (int)wait)) == -1 && errno != EINTR)
		return -1;
	for (i = 0; r > 0 && i < n; i++) {
		if (pfds[i].revents == 0)
			continue;
		/* Still waited for, by the registration it was for? */
		if ((e = fd_find(pfds[i].fd)) == NULL ||
		    e->serial != pserials[i])
			continue;
		e->fn(pfds[i].fd, pfds[i].revents, e->arg);
	}
	timers_run();
	return 0;
}
