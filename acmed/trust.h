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
 * The rule every file the parent trusts must pass (trust.c).
 */
#ifndef ACMED_TRUST_H
#define ACMED_TRUST_H

#include <sys/types.h>
#include <sys/stat.h>

#define TRUST_SECRET	0x01	/* a key: neither group nor others may use it */
#define TRUST_PROGRAM	0x02	/* a program: reached through good links */
#define TRUST_DIR	0x04	/* a directory, not a file */
#define TRUST_LOOK	0x08	/* only looked at: an O_PATH descriptor */
#define TRUST_FOLLOW	0x10	/* only read: reached through good links */
#define TRUST_PUBLIC	0x20	/* only what any user may read (see trust.c) */

#define TRUST_NOGROUP	((gid_t)-1)
#define TRUST_WHY_MAX	1024	/* room for a reason and a path */

int	 trust_open(const char *, int, gid_t, char *, size_t);
int	 trust_open_file(const char *, int, gid_t, char *, size_t);
int	 trust_fd(int, int, gid_t, char *, size_t);
int	 trust_stat(const struct stat *, int, gid_t, char *, size_t);

#endif
