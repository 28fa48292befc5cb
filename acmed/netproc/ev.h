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
