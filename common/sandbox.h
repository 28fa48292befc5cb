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
 * Confinement of a child, applied in this order: descriptors closed, chroot
 * (an empty directory; for netproc, one that holds only etc/ with copies
 * of the resolver's files), groups and ids dropped to the process's own
 * user, not dumpable, no new privileges, resource limits, Landlock
 * (filesystem and network), seccomp last.
 */
#ifndef ACMED_SANDBOX_H
#define ACMED_SANDBOX_H

#include <sys/types.h>

enum sandbox_profile {
	SANDBOX_NETPROC,
	SANDBOX_KEYPROC,
	SANDBOX_CHALLENGED,
	SANDBOX_MAX
};

struct sandbox {
	enum sandbox_profile	 profile;
	const char		*user;		/* NULL: keep ids (tests only) */
	const char		*chroot;	/* NULL: none (tests only) */
	const char *const	*ro_paths;	/* more Landlock read-only paths
						   (tests only), NULL-ended */
	int			 keep_fds;	/* close everything >= this */
	int			 skip;		/* SANDBOX_SKIP_*: tests only */
};

/*
 * Layers a test may leave out, to show that each remaining layer blocks
 * a forbidden action on its own.  The daemon always passes 0.
 */
#define SANDBOX_SKIP_SECCOMP	0x01
#define SANDBOX_SKIP_LANDLOCK	0x02
#define SANDBOX_SKIP_RLIMITS	0x04

/*
 * What glibc reads to resolve a name, NULL-ended: netproc's root holds
 * copies of these in its etc/ (the parent makes them), or, with no root,
 * netproc may read these files where they are.
 */
extern const char *const sandbox_resolver_files[];

/* The directory of netproc's root that holds those copies. */
#define SANDBOX_NETPROC_ETC	"etc"

/*
 * The Landlock ABI that has every right the sandbox asks for: TCP rules
 * (4), device ioctls (5), signal and abstract socket scopes (6).  With
 * less, sandbox_enter() goes on with what the kernel has, and says so.
 */
#define SANDBOX_LANDLOCK_WANT	6

/* What sandbox_enter() put in force in this process. */
struct sandbox_level {
	int	 landlock;	/* the Landlock ABI of its rules, 0: none */
	int	 seccomp;	/* 1: the seccomp filter is on */
};

int	sandbox_enter(const struct sandbox *);
void	sandbox_level(struct sandbox_level *);
int	sandbox_landlock_abi(void);
void	sandbox_seccomp_debug(int);

#endif
