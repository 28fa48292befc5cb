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
