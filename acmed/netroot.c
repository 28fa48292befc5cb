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
 * netproc's root directory, STATE/netproc: netproc chroots into it, and it
 * holds nothing but etc/ with copies of the files glibc's resolver reads
 * (sandbox_resolver_files), so that netproc can see no other file, not
 * even its size or time.  The parent makes the copies at each start of the
 * children and, before each message to netproc, copies again a file whose
 * original changed since: resolv.conf is rewritten by DHCP clients and may
 * be a symbolic link into /run, which is followed.  A copy is a new file
 * renamed into place: netproc's Landlock rule is on etc/, so it covers
 * the new file, and glibc notices the change and reads it again.
 *
 * Root reads the originals, through links another user may own (the
 * directory systemd-resolved keeps its file in is its own user's): it
 * copies only what any user could read there (trust.c, TRUST_PUBLIC),
 * so that such a user cannot have root hand netproc a file of root's
 * by pointing a link at it.  A file refused is left out, with a warning
 * until it changes, and the resolver goes without it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "parent.h"
#include "trust.h"

/* A hosts file with a block list in it is large. */
#define NETROOT_FILE_MAX	(16 * 1024 * 1024)
#define NETROOT_FILES		8

/* What was copied from each original: 0 if unknown, so copied again. */
static struct {
	int		 known;
	int		 present;
	struct stat	 st;
}		 copied[NETROOT_FILES];
static char	 netroot[PATH_MAX];

/*
 * Makes dir a directory of root's, mode 0755: netproc, which enters it
 * as its own user, must read it and nobody but root may change it.
 */
static int
netroot_mkdir(const char *dir)
{
	struct stat	 st;
	int		 fd;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_warn("%s", dir);
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1) {
		log_warn("%s", dir);
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (st.st_uid != 0) {
		log_warnx("%s: netproc's root must be owned by root (owner "
		    "%lu)", dir, (unsigned long)st.st_uid);
		close(fd);
		return -1;
	}
	if ((st.st_mode & 07777) != 0755 && fchmod(fd, 0755) == -1) {
		log_warn("%s: chmod 0755", dir);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Reads the file open on fd, of st's size, into *data: 0, or -1 if it
 * changed size while read (it is read again next time), or -2 (logged)
 * if it is not a regular file or is too large.
 */
static int
read_whole(int fd, const struct stat *st, const char *path, char **data)
{
	size_t		 len, have = 0;
	ssize_t		 n = 0;

	*data = NULL;
	if (!S_ISREG(st->st_mode) || st->st_size > NETROOT_FILE_MAX) {
		log_warnx("%s: not a regular file of %d bytes at most: netproc "
		    "resolves without it", path, NETROOT_FILE_MAX);
		return -2;
	}
	len = (size_t)st->st_size;
	if ((*data = malloc(len + 1)) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	/* One byte more than its size: a file that grew is seen to. */
	while (have <= len) {
		if ((n = read(fd, *data + have, len + 1 - have)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	if (n == -1 || have != len) {
		if (n == -1)
			log_warn("%s", path);
		free(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

/*
 * Opens the original src, known by st, if any user could read it (the
 * rule at the top): the descriptor, with st its file's now, or -1 (logged
 * if refused).  Not blocking: a FIFO in its place is refused, not waited
 * on.
 */
static int
netroot_open(const char *src, struct stat *st)
{
	char	 why[TRUST_WHY_MAX];
	int	 fd;

	if ((fd = trust_open(src, TRUST_PUBLIC, TRUST_NOGROUP, why,
	    sizeof(why))) == -1) {
		if (errno != ENOENT)
			log_warnx("%s: %s: netproc resolves without it", src,
			    why);
		return -1;
	}
	if (fstat(fd, st) == -1) {
		log_warn("%s", src);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Copies the original of resolver file i into etc/ unless the copy is
 * of the original as it is; a missing original, or one refused, removes
 * the copy.
 */
static void
netroot_copy(int i)
{
	const char	*src = sandbox_resolver_files[i];
	struct stat	 st;
	char		 dst[PATH_MAX], *data = NULL;
	int		 fd, present, r = -2;

	if ((size_t)snprintf(dst, sizeof(dst), "%s/%s%s", netroot,
	    SANDBOX_NETPROC_ETC, strrchr(src, '/')) >= sizeof(dst))
		return;
	if (!(present = stat(src, &st) == 0) && errno != ENOENT) {
		log_warn("%s", src);
		return;
	}
	if (copied[i].known && copied[i].present == present &&
	    (!present || same_file(&st, &copied[i].st)))
		return;
	copied[i].known = 0;
	/* Refused: left out, and not looked at again until it changes. */
	if (present && (fd = netroot_open(src, &st)) != -1) {
		r = read_whole(fd, &st, src, &data);
		close(fd);
	}
	/* Gone, or not to be read: netproc does without it. */
	if (r == -2 && unlink(dst) == -1 && errno != ENOENT)
		log_warn("%s", dst);
	else if (r == -2 || (r == 0 && write_file_atomic(dst, data,
	    (size_t)st.st_size, 0644, WRITE_NOSYNC) == 0)) {
		copied[i].known = 1;
		copied[i].present = present;
		if (present)
			copied[i].st = st;
		if (r == 0)
			log_debug("%s: copied to %s", src, dst);
	}
	free(data);
}

/*
 * Makes dir netproc's root, with etc/ in it, both root's and mode 0755,
 * and copies every resolver file there.  -1 if the directories cannot be
 * made so; a file that cannot be copied is logged and netproc does
 * without it.
 */
int
netroot_make(const char *dir)
{
	char	 etc[PATH_MAX];
	int	 i;

	if ((size_t)snprintf(etc, sizeof(etc), "%s/%s", dir,
	    SANDBOX_NETPROC_ETC) >= sizeof(etc) ||
	    strlcpy(netroot, dir, sizeof(netroot)) >= sizeof(netroot)) {
		log_warnx("%s: path too long", dir);
		netroot[0] = '\0';
		return -1;
	}
	if (netroot_mkdir(dir) == -1 || netroot_mkdir(etc) == -1) {
		netroot[0] = '\0';
		return -1;
	}
	for (i = 0; sandbox_resolver_files[i] != NULL && i < NETROOT_FILES;
	    i++) {
		copied[i].known = 0;
		netroot_copy(i);
	}
	return 0;
}

/* Copies again the resolver files whose originals changed. */
void
netroot_refresh(void)
{
	int	 i;

	if (netroot[0] == '\0')
		return;
	for (i = 0; sandbox_resolver_files[i] != NULL && i < NETROOT_FILES;
	    i++)
		netroot_copy(i);
}

/* The root made last, for netproc's command line. */
const char *
netroot_dir(void)
{
	return netroot;
}
