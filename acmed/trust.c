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
 * Whether a file may steer the parent, which runs as root: what the
 * configuration says runs as root, keys get certified, the state
 * directory is written to.  A file a local user could change must not
 * count, so the parser, the start-up, acmed -n and the daemon all ask
 * this one rule:
 *
 *  - the file is a regular file, owned by root or by the user acmed runs
 *    as, and writable by neither group nor others; a key (TRUST_SECRET)
 *    is of no use to group or others either, save reading by the one
 *    group its domain names;
 *  - so is every directory on its path, from "/" down, except that a
 *    root-owned directory with the sticky bit (/tmp) is acceptable;
 *  - a symbolic link on the way is followed only if that user or root
 *    owns it (its directory has passed, so no one else can change it);
 *    the file itself is never one, save a program's and a file only
 *    read (TRUST_FOLLOW: a CA bundle, which some systems keep as a link
 *    to where their tools build it).
 *
 * A file that does not steer the parent, only handed on to a child
 * (TRUST_PUBLIC: the resolver's files, which netproc gets copies of) is
 * checked against another rule, so that root hands on nothing a user
 * could not read: every directory on its path may be searched by others,
 * the file is a regular file others may read, and links are followed
 * whoever owns them, since where they lead is checked the same way.
 *
 * The path is walked one name at a time from descriptors, so what is
 * checked is what is opened, and the descriptor returned is the one
 * checked.  Nothing blocks on a FIFO.
 *
 * Errors: -1 with errno and the reason in why.  ENOENT: the file does not
 * exist, but every directory above it does and passes.  ENOTDIR: a
 * directory on the path does not exist or is not one.  EACCES: this user
 * may not look (acmed -n as another user than root).  EPERM: the rule is
 * broken.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "trust.h"

#define TRUST_MAX_LINKS	40	/* the kernel's own limit */

static int
refuse(int err, char *why, size_t len, const char *fmt, ...)
    __attribute__((__format__ (printf, 4, 5)));

static int
refuse(int err, char *why, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, len, fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

static int
owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static const char *
kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "of an unknown type";
}

static const char *
group_name(gid_t gid, char *buf, size_t len)
{
	struct group	*gr;

	if ((gr = getgrgid(gid)) != NULL)
		(void)snprintf(buf, len, "%s", gr->gr_name);
	else
		(void)snprintf(buf, len, "%u", (unsigned int)gid);
	return buf;
}

/* The rule for a directory on the path; name is its path. */
static int
dir_stat(const struct stat *st, const char *name, int flags, char *why,
    size_t len)
{
	mode_t	 m = st->st_mode & 07777;

	if (!S_ISDIR(st->st_mode))
		return refuse(ENOTDIR, why, len, "%s is not a directory", name);
	if ((flags & TRUST_PUBLIC) && !(m & S_IXOTH))
		return refuse(EPERM, why, len, "directory %s may not be "
		    "searched by others (mode %04o)", name, (unsigned int)m);
	if (flags & TRUST_PUBLIC)
		return 0;
	if (!owner_ok(st->st_uid))
		return refuse(EPERM, why, len, "directory %s is owned by "
		    "uid %u", name, (unsigned int)st->st_uid);
	/* No one can take a name another user made in a sticky directory. */
	if (st->st_uid == 0 && (m & S_ISVTX))
		return 0;
	if (m & S_IWOTH)
		return refuse(EPERM, why, len, "directory %s is writable by "
		    "others (mode %04o)", name, (unsigned int)m);
	if (m & S_IWGRP)
		return refuse(EPERM, why, len, "directory %s is writable by "
		    "group (mode %04o)", name, (unsigned int)m);
	return 0;
}

/* The rule for the file itself. */
int
trust_stat(const struct stat *st, int flags, gid_t group, char *why,
    size_t len)
{
	mode_t	 m = st->st_mode & 07777;
	char	 b1[64], b2[64];

	if (S_ISLNK(st->st_mode))
		return refuse(EPERM, why, len, "a symbolic link");
	if (!S_ISREG(st->st_mode))
		return refuse(EPERM, why, len, "not a regular file (%s)",
		    kind(st->st_mode));
	if ((flags & TRUST_PUBLIC) && !(m & S_IROTH))
		return refuse(EPERM, why, len, "not readable by others (mode "
		    "%04o)", (unsigned int)m);
	if (flags & TRUST_PUBLIC)
		return 0;
	if (!owner_ok(st->st_uid))
		return refuse(EPERM, why, len, "owned by uid %u",
		    (unsigned int)st->st_uid);
	if (m & S_IWOTH)
		return refuse(EPERM, why, len, "writable by others (mode %04o)",
		    (unsigned int)m);
	if (m & S_IWGRP)
		return refuse(EPERM, why, len, "writable by group (mode %04o)",
		    (unsigned int)m);
	if (!(flags & TRUST_SECRET) || (m & (S_IRWXG | S_IRWXO)) == 0)
		return 0;
	if ((m & (S_IRWXG | S_IRWXO)) != S_IRGRP || group == TRUST_NOGROUP)
		return refuse(EPERM, why, len, "group or others may use it "
		    "(mode %04o); chmod 600 it, or replace the key if others "
		    "may have read it", (unsigned int)m);
	if (st->st_gid != group)
		return refuse(EPERM, why, len, "readable by group %s, not %s "
		    "(mode %04o)", group_name(st->st_gid, b1, sizeof(b1)),
		    group_name(group, b2, sizeof(b2)), (unsigned int)m);
	return 0;
}

int
trust_fd(int fd, int flags, gid_t group, char *why, size_t len)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1)
		return refuse(errno, why, len, "%s", strerror(errno));
	return trust_stat(&st, flags, group, why, len);
}

/* "/", which every path starts from. */
static int
open_root(int flags, char *why, size_t len)
{
	struct stat	 st;
	int		 fd;

	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return refuse(errno, why, len, "/: %s", strerror(errno));
	if (fstat(fd, &st) == -1 || dir_stat(&st, "/", flags, why,
	    len) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The file at the end of the path, name in directory dfd (full is its
 * whole path): opened to be read, or only looked at, and checked.
 */
static int
open_last(int dfd, const char *name, const char *full, int flags,
    gid_t group, char *why, size_t len)
{
	struct stat	 st;
	int		 fd, err;

	if (flags & TRUST_LOOK)
		fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	else
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		err = errno;
		if (err == ENOENT)
			return refuse(ENOENT, why, len, "%s", strerror(err));
		/* A link (ELOOP), a socket (ENXIO): say what it is. */
		if (err != EACCES &&
		    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    trust_stat(&st, flags, group, why, len) == -1)
			return -1;
		return refuse(err, why, len, "%s: %s", full, strerror(err));
	}
	if (trust_fd(fd, flags, group, why, len) == -1) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	/* Read as a plain file from now on. */
	if (!(flags & TRUST_LOOK))
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/*
 * The file alone, for one that is read again and again (a certificate,
 * a state file) in directories that passed with the configuration: its
 * directories are not walked again.
 */
int
trust_open_file(const char *path, int flags, gid_t group, char *why,
    size_t len)
{
	return open_last(AT_FDCWD, path, path, flags, group, why, len);
}

/*
 * A symbolic link on the path (fd, at name, st its own status): if it
 * passes, rest becomes its target followed by what was left of the path
 * after it (left).  0, or -1 with the reason.
 */
static int
follow(int fd, const struct stat *st, const char *name, const char *left,
    char *rest, size_t restlen, int *links, int flags, char *why, size_t len)
{
	char	 target[PATH_MAX];
	ssize_t	 n;

	if (!(flags & TRUST_PUBLIC) && !owner_ok(st->st_uid))
		return refuse(EPERM, why, len, "%s is a symbolic link owned by "
		    "uid %u", name, (unsigned int)st->st_uid);
	if (++*links > TRUST_MAX_LINKS)
		return refuse(EPERM, why, len, "%s: more than %d symbolic "
		    "links on the way", name, TRUST_MAX_LINKS);
	if ((n = readlinkat(fd, "", target, sizeof(target))) == -1)
		return refuse(errno, why, len, "%s: %s", name,
		    strerror(errno));
	if ((size_t)n >= sizeof(target) || (size_t)snprintf(rest, restlen,
	    "%.*s%s%s", (int)n, target, *left ? "/" : "", left) >= restlen)
		return refuse(ENAMETOOLONG, why, len, "%s: path too long",
		    name);
	return 0;
}

/* 1 if name in dfd is a symbolic link. */
static int
is_link(int dfd, const char *name)
{
	struct stat	 st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode);
}

/*
 * Opens path if it and every directory on its way pass the rule, with
 * O_NOFOLLOW and O_NONBLOCK (TRUST_LOOK: O_PATH, for a file that is only
 * checked), and returns the descriptor; TRUST_DIR and TRUST_PROGRAM
 * return an O_PATH descriptor; TRUST_FOLLOW follows the file's own link
 * if it passes.  group: the group a key may be readable by, or
 * TRUST_NOGROUP.  -1 with errno and why set otherwise (see above).
 */
int
trust_open(const char *path, int flags, gid_t group, char *why, size_t len)
{
	struct stat	 st;
	char		 rest[PATH_MAX], left[PATH_MAX], where[PATH_MAX];
	char		 name[PATH_MAX];
	char		*p, *comp, *s;
	int		 dfd, fd, last, err, links = 0;

	if (path[0] != '/')
		return refuse(EINVAL, why, len, "not an absolute path");
	if (strlcpy(rest, path, sizeof(rest)) >= sizeof(rest))
		return refuse(ENAMETOOLONG, why, len, "path too long");
	if ((dfd = open_root(flags, why, len)) == -1)
		return -1;
	where[0] = '\0';	/* the path of dfd; "" is "/" */
	p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* the path ends at a directory */
			if (flags & TRUST_DIR)
				return dfd;
			close(dfd);
			return refuse(EPERM, why, len, "not a regular file "
			    "(a directory)");
		}
		comp = p;
		p += strcspn(p, "/");
		if (*p == '/')
			*p++ = '\0';
		last = p[strspn(p, "/")] == '\0';
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if ((s = strrchr(where, '/')) != NULL)
				*s = '\0';
			fd = openat(dfd, "..", O_PATH | O_DIRECTORY |
			    O_CLOEXEC);
			close(dfd);
			if (fd == -1)
				return refuse(errno, why, len, "%s/..: %s",
				    where, strerror(errno));
			if (fstat(fd, &st) == -1 || dir_stat(&st, where[0] ?
			    where : "/", flags, why, len) == -1) {
				close(fd);
				return -1;
			}
			dfd = fd;
			continue;
		}
		if ((size_t)snprintf(name, sizeof(name), "%s/%s", where, comp)
		    >= sizeof(name)) {
			close(dfd);
			return refuse(ENAMETOOLONG, why, len, "path too long");
		}
		if (last && !(flags & (TRUST_DIR | TRUST_PROGRAM)) &&
		    !((flags & (TRUST_FOLLOW | TRUST_PUBLIC)) &&
		    is_link(dfd, comp))) {
			fd = open_last(dfd, comp, name, flags, group, why,
			    len);
			err = errno;
			close(dfd);
			errno = err;
			return fd;
		}
		if ((fd = openat(dfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC))
		    == -1 || fstat(fd, &st) == -1) {
			err = errno;
			if (fd != -1)
				close(fd);
			close(dfd);
			if (err == ENOENT && last && (flags & TRUST_PROGRAM))
				return refuse(ENOENT, why, len, "%s",
				    strerror(err));
			if (err == ENOENT)
				return refuse(last ? ENOENT : ENOTDIR, why, len,
				    "directory %s does not exist", name);
			return refuse(err, why, len, "%s: %s", name,
			    strerror(err));
		}
		if (S_ISLNK(st.st_mode)) {
			/* p points into rest: keep what is left apart */
			memcpy(left, p, strlen(p) + 1);
			err = follow(fd, &st, name, left, rest, sizeof(rest),
			    &links, flags, why, len);
			close(fd);
			if (err == -1) {
				err = errno;
				close(dfd);
				errno = err;
				return -1;
			}
			p = rest;
			if (rest[0] == '/') {
				close(dfd);
				if ((dfd = open_root(flags, why, len)) == -1)
					return -1;
				where[0] = '\0';
			}
			continue;
		}
		close(dfd);
		if (S_ISDIR(st.st_mode)) {
			if (dir_stat(&st, name, flags, why, len) == -1) {
				close(fd);
				return -1;
			}
			dfd = fd;
			memcpy(where, name, strlen(name) + 1);
			continue;
		}
		if (!last || (flags & TRUST_DIR)) {
			close(fd);
			return refuse(ENOTDIR, why, len, "%s is not a "
			    "directory", name);
		}
		/* Through its link, replaced while it was looked at. */
		if (!(flags & TRUST_PROGRAM)) {
			close(fd);
			return refuse(EAGAIN, why, len, "%s changed while it "
			    "was checked", name);
		}
		/* a program, reached through the links that passed */
		if (trust_stat(&st, flags, group, why, len) == -1) {
			err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		return fd;
	}
}
