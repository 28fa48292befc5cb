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
 * The parent's state, shared by main.c, children.c and certs.c (declared
 * in parent_state.h).
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "proc.h"
#include "parent.h"
#include "parent_state.h"

struct config	*conf;
struct child	 children[PROC_MAX];
struct dstate	*dstates;
size_t		 ndstates;
struct listener	*listeners;
size_t		 nlisteners;
int		 exefds[PROC_MAX] = { -1, -1, -1, -1 };
int		 foreground, verbose, oneshot, revoking, rolling, forcing;
unsigned int	 revoke_reason;
int		 deactivating;
int		 status_dirty = 1;
time_t		 status_written;
time_t		 restart_at;
int		 restart_delay;
time_t		 children_started;
char		**only_domains;
int		 nonly_domains;
