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
 * The state directory: one small file per fact (an authority's account
 * URL, a domain's pending order URL, the time before which the authority
 * asked a domain's next attempt not to come, since when the reload of a
 * domain's certificate fails, when -r revoked it, when -F asked for its
 * renewal, which authority issued it and which one its orders go to
 * while the first keeps failing, a domain's new key until it is
 * installed), each written
 * atomically, so a restart resumes where the last run stopped.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "msg.h"
#include "parent.h"
#include "sandbox.h"
#include "trust.h"

#define STATE_VALUE_MAX	MSG_URL_MAX	/* every value is a URL */
#define STATE_FILE_MAX	(STATE_VALUE_MAX + 2)	/* and "\n", or "\r\n" */

/*
 * The state directory itself may be searched by anyone, so that a
 * monitoring user can read status.json (which holds no secret); what is
 * under it is root's alone, but netproc's root, which its user reads.
 */
#define STATE_DIR_MODE	0711

/*
 * Every directory the start makes in the state directory, in the order it
 * makes them, which acmed -n checks as the start does: netproc's root is
 * made here too, for netroot.c to fill.
 */
const struct state_subdir state_subdirs[] = {
	{ "accounts", 0700 },
	{ "orders", 0700 },
	{ "retry", 0700 },
	{ "reload", 0700 },
	{ "revoked", 0700 },
	{ "renew", 0700 },
	{ "issuer", 0700 },
	{ "fallback", 0700 },
	{ "keys", 0700 },
	{ "dns", 0700 },
	{ NETROOT_NAME, 0755 },
	{ NETROOT_NAME "/" SANDBOX_NETPROC_ETC, 0755 },
	{ NULL, 0 }
};

/*
 * A directory of the state, made if missing (in a directory that passed),
 * then checked with every directory above it (trust.c): through a link
 * another user placed, acmed would write wherever it points.
 */
static int
state_mkdir(const char *path, mode_t mode)
{
	char	 why[TRUST_WHY_MAX];
	int	 fd;

	fd = trust_open(path, TRUST_DIR | TRUST_LOOK, TRUST_NOGROUP, why,
	    sizeof(why));
	if (fd == -1 && errno == ENOENT) {
		/* Made with its mode whatever the umask. */
		if (mkdir(path, mode) == 0 ? chmod(path, mode) == -1 :
		    errno != EEXIST) {
			log_warn("state directory %s", path);
			return -1;
		}
		fd = trust_open(path, TRUST_DIR | TRUST_LOOK, TRUST_NOGROUP,
		    why, sizeof(why));
	}
	if (fd == -1) {
		log_warnx("state directory %s: %s", path, why);
		return -1;
	}
	close(fd);
	return 0;
}

int
state_init(const char *dir)
{
	char	 path[4096];
	int	 i;

	if (state_mkdir(dir, STATE_DIR_MODE) == -1)
		return -1;
	for (i = 0; state_subdirs[i].name != NULL; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    state_subdirs[i].name) >= sizeof(path))
			return -1;
		if (state_mkdir(path, state_subdirs[i].mode) == -1)
			return -1;
	}
	return 0;
}

/* What a fact's file is named for: a URL, a time, or a pending key. */
static const char *
state_suffix(const char *sub)
{
	if (strcmp(sub, "issuer") == 0 || strcmp(sub, "fallback") == 0)
		return "authority";
	if (strcmp(sub, "keys") == 0)
		return "key";
	if (strcmp(sub, "dns") == 0)
		return "records";
	return strcmp(sub, "accounts") == 0 || strcmp(sub, "orders") == 0 ?
	    "url" : "time";
}

/* The file of a domain's or authority's value in sub; 0, or -1 (logged). */
int
state_path(char *path, size_t len, const char *dir, const char *sub,
    const char *name)
{
	if (strchr(name, '/') != NULL || name[0] == '.' ||
	    (size_t)snprintf(path, len, "%s/%s/%s.%s", dir, sub, name,
	    state_suffix(sub)) >= len) {
		log_warnx("state: bad name %s", name);
		return -1;
	}
	return 0;
}

/* The stored value, without its newline; NULL if there is none. */
char *
state_read(const char *dir, const char *sub, const char *name)
{
	char	 path[4096], *data;
	size_t	 len;

	if (state_path(path, sizeof(path), dir, sub, name) == -1)
		return NULL;
	if (read_file(path, STATE_FILE_MAX, &data, &len) == -1)
		return NULL;
	data[strcspn(data, "\r\n")] = '\0';
	if ((len = strlen(data)) > STATE_VALUE_MAX)
		log_warnx("%s: a value longer than %d bytes: ignored", path,
		    STATE_VALUE_MAX);
	if (len == 0 || len > STATE_VALUE_MAX) {
		free(data);
		return NULL;
	}
	return data;
}

/*
 * A pending order's URL is written atomically but not flushed: it only
 * has to outlive the processes (a kill, a crash of acmed), which the
 * page cache does; the machine going down before the kernel writes it
 * costs one more new order, which the authority lets expire.  A flush
 * per order was most of the parent's work per certificate.
 */
int
state_write(const char *dir, const char *sub, const char *name,
    const char *value)
{
	char	 path[4096], line[STATE_VALUE_MAX + 2];
	int	 n;

	if (state_path(path, sizeof(path), dir, sub, name) == -1)
		return -1;
	n = snprintf(line, sizeof(line), "%s\n", value);
	if (n < 0 || (size_t)n >= sizeof(line) || strchr(value, '\n')) {
		log_warnx("%s: value too long", path);
		return -1;
	}
	return write_file_atomic(path, line, (size_t)n, 0600,
	    strcmp(sub, "orders") == 0 ? WRITE_NOSYNC : 0);
}

/*
 * 1 if the subdirectory sub holds no file: a start need not look in it
 * for each domain.  0 if it holds one, or cannot be listed.
 */
int
state_empty(const char *dir, const char *sub)
{
	struct dirent	*e;
	DIR		*d;
	char		 path[4096];
	int		 empty = 1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, sub) >=
	    sizeof(path) || (d = opendir(path)) == NULL)
		return 0;
	while (empty && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

int
state_remove(const char *dir, const char *sub, const char *name)
{
	char	 path[4096];

	if (state_path(path, sizeof(path), dir, sub, name) == -1)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("%s", path);
		return -1;
	}
	return 0;
}
