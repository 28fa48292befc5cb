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
 * The log file ("log file PATH"): opened by the parent, as root, at
 * start and again on SIGHUP, so that a file logrotate moved away is
 * followed by a new one.  Root appends to it, so its directory must pass
 * the rule of trust.c (no other user may swap the file for a link to
 * another), and so must the file itself if it exists.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"
#include "trust.h"

#define LOGFILE_MODE	0640

/*
 * Opens path for appending (made with mode 0640 if missing) and makes it
 * the log file; NULL: no log file.  0, or -1 with the reason logged and
 * the log file as it was.
 */
int
logfile_open(const char *path)
{
	char	 dir[PATH_MAX], why[TRUST_WHY_MAX];
	char	*slash;
	int	 dfd, fd, made = 1;

	if (path == NULL) {
		log_tofile(-1, NULL);
		return 0;
	}
	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL || slash[1] == '\0') {
		log_warnx("log file %s: not a file's path", path);
		return -1;
	}
	*slash = '\0';
	if ((dfd = trust_open(dir[0] == '\0' ? "/" : dir, TRUST_DIR,
	    TRUST_NOGROUP, why, sizeof(why))) == -1) {
		log_warnx("log file %s: %s", path, why);
		return -1;
	}
	fd = openat(dfd, slash + 1, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, LOGFILE_MODE);
	if (fd == -1 && errno == EEXIST) {
		made = 0;
		fd = openat(dfd, slash + 1, O_WRONLY | O_APPEND | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
	}
	close(dfd);
	if (fd == -1) {
		log_warn("log file %s", path);
		return -1;
	}
	/* Whatever the umask: the group (adm, say) may read it. */
	if (made && fchmod(fd, LOGFILE_MODE) == -1) {
		log_warn("log file %s", path);
		close(fd);
		return -1;
	}
	if (trust_fd(fd, 0, TRUST_NOGROUP, why, sizeof(why)) == -1) {
		log_warnx("log file %s: %s", path, why);
		close(fd);
		return -1;
	}
	(void)fcntl(fd, F_SETFL, O_APPEND);
	log_tofile(fd, path);
	return 0;
}
