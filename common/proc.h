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
 * The processes and how the parent starts them: a clone that execs the
 * child's program (opened by the parent at start and kept as a
 * descriptor, so an upgrade on disk never mixes versions) with "-P name",
 * so every child starts with a fresh address space and only the libraries
 * it uses.  The child's channels arrive on fixed descriptors.
 */
#ifndef ACMED_PROC_H
#define ACMED_PROC_H

#include <sys/types.h>

struct imsgchan;

enum proc_id {
	PROC_PARENT,
	PROC_NETPROC,
	PROC_KEYPROC,
	PROC_CHALLENGED,
	PROC_MAX
};

/* Descriptors a child finds its channels on. */
#define PROC_FD_PARENT		3	/* every child: to the parent */
#define PROC_FD_PEER1		4	/* netproc: keyproc; others: netproc */
#define PROC_FD_PEER2		5	/* netproc: challenged */

extern const char *const proc_names[PROC_MAX];

/* Set in a child from its command line: its user and empty root. */
extern const char *proc_user;
extern const char *proc_chroot;

/* Entry points of the children, one per process directory. */
int		 netproc_main(int, int);
int		 keyproc_main(int, int);
int		 challenged_main(int, int);

const char	*proc_tag(void);
void		 proc_child_init(int, char *[], enum proc_id, int *, int *);
enum proc_id	 proc_byname(const char *);
pid_t		 proc_exec(int, enum proc_id, const int *, int, char *const *);
size_t		 proc_trim(void);
void		 proc_sandboxed(struct imsgchan *);
void		 proc_confine(int, int, struct imsgchan *);

#endif
