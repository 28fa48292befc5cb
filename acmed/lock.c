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
 * One daemon per state directory.  The daemon and acmed -o hold a lock
 * on STATE/acmed.lock for their whole life, with their pid written in
 * it; a second one finds it taken and says which process holds it.  And
 * the pid file the rc script and init systems read.
 *
 * The lock is a record lock (fcntl), not flock(): F_GETLK asks who
 * holds it without taking it, so acmed -s, -r and -k, asking whether a
 * daemon runs, can never make a daemon that starts at that moment fail,
 * and the kernel answers the holder's pid itself.  A record lock belongs
 * to its process (a fork does not inherit it, which is why the daemon
 * takes it after it forked) and ends when the process closes any
 * descriptor of the file: only this file opens it, and the holder never
 * opens it twice.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"

#define LOCK_NAME	"acmed.lock"

static int	 lock_fd = -1;

static int
lock_path(const char *dir, char *path, size_t len)
{
	if ((size_t)snprintf(path, len, "%s/%s", dir, LOCK_NAME) >= len) {
		log_warnx("state directory %s: path too long", dir);
		return -1;
	}
	return 0;
}

/* The pid a lock file holds as text, or 0. */
static pid_t
pid_read(int fd)
{
	char	 s[32];
	ssize_t	 n;
	long	 l;
	char	*end;

	if ((n = pread(fd, s, sizeof(s) - 1, 0)) <= 0)
		return 0;
	s[n] = '\0';
	errno = 0;
	l = strtol(s, &end, 10);
	if (errno != 0 || end == s || (*end != '\n' && *end != '\0') ||
	    l <= 0 || l > INT_MAX)
		return 0;
	return (pid_t)l;
}

/* Who holds the lock on fd: its pid, -1 if someone whose pid is hidden. */
static pid_t
lock_holder(int fd)
{
	struct flock	 fl;
	pid_t		 pid;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) == -1 || fl.l_type == F_UNLCK)
		return 0;
	/* 0: a process of another pid namespace; the file may say. */
	if (fl.l_pid > 0)
		return fl.l_pid;
	return (pid = pid_read(fd)) > 0 ? pid : -1;
}

/*
 * Whether a daemon (or acmed -o) runs for the state directory dir: its
 * pid, or 0 if none does (1 if one does whose pid this process cannot
 * see: another pid namespace).  Takes no lock.
 */
pid_t
daemon_running(const char *dir)
{
	char	 path[PATH_MAX];
	pid_t	 pid;
	int	 fd;

	if (lock_fd != -1)
		return getpid();
	if (lock_path(dir, path, sizeof(path)) == -1)
		return 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return 0;
	pid = lock_holder(fd);
	close(fd);
	/* Held by a process whose pid this one cannot see. */
	return pid == -1 ? 1 : pid;
}

/*
 * Takes the lock of the state directory dir for this process, and writes
 * its pid in it.  If another process holds it, says so on standard error
 * and returns -1, as it does for any other error (logged).
 */
int
lock_take(const char *dir)
{
	struct flock	 fl;
	struct stat	 st;
	char		 path[PATH_MAX], pid[32];
	pid_t		 holder;
	int		 fd, n;

	if (lock_path(dir, path, sizeof(path)) == -1)
		return -1;
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0644)) == -1 || fstat(fd, &st) == -1) {
		log_warn("lock file %s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		log_warnx("lock file %s: not a regular file of uid %u", path,
		    (unsigned int)geteuid());
		goto fail;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == -1) {
		if (errno != EACCES && errno != EAGAIN) {
			log_warn("lock file %s", path);
			goto fail;
		}
		holder = lock_holder(fd);
		if (holder > 0)
			log_warnx("acmed is already running (pid %ld, state "
			    "directory %s): send it SIGUSR1 to check every "
			    "certificate now", (long)holder, dir);
		else
			log_warnx("acmed is already running (state directory "
			    "%s): send it SIGUSR1 to check every certificate "
			    "now", dir);
		goto fail;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, n, 0) != n) {
		log_warn("lock file %s", path);
		goto fail;
	}
	lock_fd = fd;
	return 0;
 fail:
	if (fd != -1)
		close(fd);
	return -1;
}

/* The pid file for init systems (conf->pid_file): this process's pid. */
int
pid_file_write(const char *path)
{
	char	 pid[32];
	int	 n;

	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (write_file_atomic(path, pid, n, 0644, 0) == -1) {
		log_warnx("pid file %s: could not write it", path);
		return -1;
	}
	return 0;
}

/* Removes the pid file at exit, if it still names this process. */
void
pid_file_remove(const char *path)
{
	char	*data;
	size_t	 len;
	char	*end;
	long	 l;

	if (read_file(path, 64, &data, &len) == -1)
		return;
	l = strtol(data, &end, 10);
	if (end != data && l == (long)getpid())
		(void)unlink(path);
	free(data);
}
