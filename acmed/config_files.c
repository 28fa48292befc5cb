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
 * The files and directories the configuration names, checked as the
 * daemon will use them (the rule is trust.c's), when the file is read:
 * at start, on SIGHUP and by acmed -n, which so refuses what the daemon
 * would refuse, with the file and line of the statement.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config.h"
#include "config_priv.h"
#include "fleetkey.h"
#include "log.h"
#include "parent.h"
#include "trust.h"

#define MAY_MISS_FILE	1	/* the file may be missing */
#define MAY_MISS_DIR	2	/* so may its directory */
#define CA_FILE_MAX	(8 * 1024 * 1024)	/* a system bundle is 200 KB */

/* What trust_open() said, in the terms of conf_check_path(). */
static enum conf_verdict
verdict(int fd, int may_miss)
{
	if (fd != -1) {
		close(fd);
		return CONF_PASS;
	}
	if (errno == EACCES && geteuid() != 0)
		return CONF_UNCHECKED;
	if ((errno == ENOENT && may_miss) ||
	    (errno == ENOTDIR && may_miss == MAY_MISS_DIR))
		return CONF_MISSING;
	return CONF_REFUSED;
}

/*
 * A certificate is the daemon's to write: its directory must pass; an
 * existing file that does not is neither read nor replaced, which only
 * leaves that certificate alone (CONF_WARN).
 */
static enum conf_verdict
check_cert(const char *path, char *why, size_t len)
{
	enum conf_verdict	 v;
	char			 dir[PATH_MAX];
	char			*slash;
	size_t			 n;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL) {
		snprintf(why, len, "path too long");
		return CONF_REFUSED;
	}
	if (slash == dir)
		slash++;	/* "/file": the directory is "/" */
	*slash = '\0';
	v = verdict(trust_open(dir, TRUST_DIR | TRUST_LOOK, TRUST_NOGROUP, why,
	    len), 0);
	if (v != CONF_PASS)
		return v;
	v = verdict(trust_open(path, TRUST_LOOK, TRUST_NOGROUP, why, len),
	    MAY_MISS_FILE);
	if (v != CONF_REFUSED)
		return v;
	n = strlen(why);
	snprintf(why + n, len - n, ": acmed neither reads nor replaces it");
	return CONF_WARN;
}

/*
 * What a file that passed holds, read as the daemon reads it: a CA file
 * at least one certificate (netproc trusts a bundle whole or not at all,
 * and has none to trust in an empty one); a key file a PEM private key,
 * whose key is not parsed here but in keyproc.  A file sent whole in a
 * message (the cluster block's) fits its field.  CONF_REFUSED with why.
 */
static enum conf_verdict
check_content(const char *path, enum conf_path kind, gid_t group, char *why,
    size_t len)
{
	BIO		*bio;
	X509		*x;
	struct stat	 st;
	char		*data, *name, *header;
	unsigned char	*der;
	const unsigned char *p;
	size_t		 dlen, max = CA_FILE_MAX;
	long		 blen;
	int		 fd, n = 0, keys = 0, secret;

	secret = kind == CONF_PATH_KEY || kind == CONF_PATH_PEMKEY;
	if (kind == CONF_PATH_KEY)
		max = MSG_KEY_PEM_MAX * 4;
	else if (kind == CONF_PATH_PEM || kind == CONF_PATH_PEMKEY)
		max = MSG_ETCD_PEM_MAX;
	fd = trust_open(path, secret ? TRUST_SECRET : TRUST_FOLLOW, group, why,
	    len);
	if (fd == -1)
		return verdict(fd, 0);
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)max) {
		close(fd);
		snprintf(why, len, "larger than %zu bytes", max);
		return CONF_REFUSED;
	}
	if (read_fd(fd, path, max, &data, &dlen) == -1) {
		snprintf(why, len, "could not be read (see above)");
		return CONF_REFUSED;
	}
	if ((bio = BIO_new_mem_buf(data, (int)dlen)) == NULL)
		fatalx("BIO_new_mem_buf");
	while (PEM_read_bio(bio, &name, &header, &der, &blen) == 1) {
		p = der;
		if (secret)
			keys += strstr(name, "PRIVATE KEY") != NULL;
		else if ((strcmp(name, PEM_STRING_X509) == 0 ||
		    strcmp(name, PEM_STRING_X509_OLD) == 0 ||
		    strcmp(name, PEM_STRING_X509_TRUSTED) == 0) &&
		    (x = d2i_X509_AUX(NULL, &p, blen)) != NULL) {
			X509_free(x);
			n++;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(der, blen);
	}
	ERR_clear_error();
	BIO_free(bio);
	explicit_bzero(data, dlen);
	free(data);
	if (secret && keys == 0) {
		snprintf(why, len, "holds no PEM private key");
		return CONF_REFUSED;
	}
	if (!secret && n == 0) {
		snprintf(why, len, "holds no certificate (PEM \"BEGIN "
		    "CERTIFICATE\")");
		return CONF_REFUSED;
	}
	return CONF_PASS;
}

/* The fleet key file's one form (common/fleetkey.c), read and wiped. */
static enum conf_verdict
check_fleet_key(const char *path, char *why, size_t len)
{
	unsigned char	 key[FLEET_KEY_LEN];
	char		*data, err[128];
	size_t		 dlen;
	int		 fd, rc;

	if ((fd = trust_open(path, TRUST_SECRET, TRUST_NOGROUP, why,
	    len)) == -1)
		return verdict(fd, 0);
	if (read_fd(fd, path, FLEET_KEY_TEXT_MAX, &data, &dlen) == -1) {
		snprintf(why, len, "could not be read (see above)");
		return CONF_REFUSED;
	}
	rc = fleet_key_decode(data, dlen, key, err, sizeof(err));
	explicit_bzero(key, sizeof(key));
	freezero(data, dlen);
	if (rc == -1) {
		snprintf(why, len, "not a fleet key: %s", err);
		return CONF_REFUSED;
	}
	return CONF_PASS;
}

/*
 * A path the configuration names, against the rule the daemon applies to
 * it (trust.c), only looked at; why says what is wrong.
 */
enum conf_verdict
conf_check_path(const char *path, enum conf_path kind, gid_t group,
    char *why, size_t len)
{
	enum conf_verdict	 v;
	int			 flags = TRUST_LOOK, may_miss = 0;

	switch (kind) {
	case CONF_PATH_CERT:
		return check_cert(path, why, len);
	case CONF_PATH_KEY:
		may_miss = MAY_MISS_FILE;
		/* FALLTHROUGH */
	case CONF_PATH_MACKEY:
	case CONF_PATH_FLEETKEY:
		flags |= TRUST_SECRET;
		break;
	case CONF_PATH_PROGRAM:
		flags |= TRUST_PROGRAM;
		may_miss = MAY_MISS_DIR;
		break;
	case CONF_PATH_PIDFILE:
		may_miss = MAY_MISS_DIR;
		break;
	case CONF_PATH_LOG:
		may_miss = MAY_MISS_FILE;
		break;
	case CONF_PATH_DIR:
		flags |= TRUST_DIR;
		may_miss = MAY_MISS_FILE;
		break;
	case CONF_PATH_PEMKEY:
		flags |= TRUST_SECRET;
		break;
	case CONF_PATH_CA:
	case CONF_PATH_PEM:
		flags |= TRUST_FOLLOW;
		break;
	}
	v = verdict(trust_open(path, flags, group, why, len), may_miss);
	if (v == CONF_PASS && (kind == CONF_PATH_CA || kind == CONF_PATH_KEY ||
	    kind == CONF_PATH_PEM || kind == CONF_PATH_PEMKEY))
		v = check_content(path, kind, group, why, len);
	if (v == CONF_PASS && kind == CONF_PATH_FLEETKEY)
		v = check_fleet_key(path, why, len);
	/* It may be the state directory's, which is made at start. */
	if (v == CONF_REFUSED && errno == ENOTDIR && kind == CONF_PATH_KEY)
		return CONF_NODIR;
	return v;
}

/*
 * Keys whose directory is missing when they are read, which is fine for
 * the state directory's: the start makes it before any key.  Judged by
 * conf_check_state() once the state directory is known.
 */
struct nodir {
	const char	*file;
	int		 line;
	char		*text;		/* the error, if it is one */
	char		*path;
};
static struct nodir	*nodirs;
static size_t		 nnodirs;

/*
 * Checks what the statement at file:line names and logs what is wrong:
 * 1 if the daemon would refuse it, else 0 (with a warning where this
 * user may not look, or where the daemon only leaves the file alone).
 */
int
conf_report_path(struct config *c, const char *file, int line,
    const char *what, const char *path, enum conf_path kind, gid_t group)
{
	struct nodir	*n;
	char		 why[TRUST_WHY_MAX];

	switch (conf_check_path(path, kind, group, why, sizeof(why))) {
	case CONF_REFUSED:
		conf_msg(file, line, 0, "%s %s: %s", what, path, why);
		return 1;
	case CONF_UNCHECKED:
		c->unchecked++;
		conf_msg(file, line, 1, "%s %s: not checked: %s", what, path,
		    why);
		return 0;
	case CONF_WARN:
		conf_msg(file, line, 1, "%s %s: %s", what, path, why);
		return 0;
	case CONF_NODIR:
		if ((n = reallocarray(nodirs, nnodirs + 1, sizeof(*n))) == NULL)
			fatal("reallocarray");
		nodirs = n;
		n += nnodirs++;
		n->file = file;
		n->line = line;
		if ((n->path = strdup(path)) == NULL)
			fatal("strdup");
		if (asprintf(&n->text, "%s %s: %s", what, path, why) == -1)
			fatal("asprintf");
		return 0;
	default:
		return 0;
	}
}

/* Whether a file is in the state directory or one the start makes. */
static int
in_state_dir(const struct config *c, const char *path)
{
	char		 dir[PATH_MAX], sub[PATH_MAX];
	char		*slash;
	size_t		 i;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL)
		return 0;
	*slash = '\0';
	if (strcmp(dir, c->state_dir) == 0)
		return 1;
	for (i = 0; state_subdirs[i].name != NULL; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", c->state_dir,
		    state_subdirs[i].name);
		if (strcmp(dir, sub) == 0)
			return 1;
	}
	return 0;
}

/*
 * The CA file of each authority without "api ca": the system's, which
 * the start opens as it opens an "api ca" file.  Returns the number of
 * errors logged.
 */
static int
check_system_ca(struct config *c)
{
	struct authority	*a;
	char			 what[300];
	int			 errors = 0;

	TAILQ_FOREACH(a, &c->authorities, entry) {
		if (a->ca_file != NULL)
			continue;
		snprintf(what, sizeof(what), "authority %s: CA file", a->name);
		errors += conf_report_path(c, a->file, a->line, what,
		    SYSTEM_CA_FILE, CONF_PATH_CA, TRUST_NOGROUP);
	}
	return errors;
}

/*
 * The state directory (named at file:line, or the default) as the start
 * makes and checks it, with its subdirectories and the account keys kept
 * there, then the keys whose directory was missing, and the system's CA
 * file where an authority uses it.  Returns the number of errors logged.
 */
int
conf_check_state(struct config *c, const char *file, int line)
{
	struct authority	*a;
	enum conf_verdict	 v;
	char			 path[PATH_MAX], what[300], why[TRUST_WHY_MAX];
	char			 missing[PATH_MAX] = "";
	size_t			 i, n;
	int			 errors = 0;

	v = conf_check_path(c->state_dir, CONF_PATH_DIR, TRUST_NOGROUP, why,
	    sizeof(why));
	if (v == CONF_PASS) {
		for (i = 0; state_subdirs[i].name != NULL; i++) {
			snprintf(path, sizeof(path), "%s/%s", c->state_dir,
			    state_subdirs[i].name);
			/* Below one the start makes: made with it. */
			n = strlen(missing);
			if (n > 0 && strncmp(path, missing, n) == 0 &&
			    path[n] == '/')
				continue;
			if (conf_check_path(path, CONF_PATH_DIR, TRUST_NOGROUP,
			    why, sizeof(why)) == CONF_MISSING) {
				strlcpy(missing, path, sizeof(missing));
				continue;
			}
			errors += conf_report_path(c, file, line,
			    "state directory", path, CONF_PATH_DIR,
			    TRUST_NOGROUP);
		}
		TAILQ_FOREACH(a, &c->authorities, entry) {
			if (a->account_key != NULL)
				continue;
			snprintf(path, sizeof(path), "%s/accounts/%s.key",
			    c->state_dir, a->name);
			snprintf(what, sizeof(what), "authority %s: account "
			    "key", a->name);
			errors += conf_report_path(c, a->file, a->line, what,
			    path, CONF_PATH_KEY, TRUST_NOGROUP);
		}
	} else if (v != CONF_MISSING)
		errors += conf_report_path(c, file, line, "state directory",
		    c->state_dir, CONF_PATH_DIR, TRUST_NOGROUP);
	for (i = 0; i < nnodirs; i++) {
		if (v == CONF_REFUSED || !in_state_dir(c, nodirs[i].path)) {
			conf_msg(nodirs[i].file, nodirs[i].line, 0, "%s",
			    nodirs[i].text);
			errors++;
		}
		free(nodirs[i].text);
		free(nodirs[i].path);
	}
	free(nodirs);
	nodirs = NULL;
	nnodirs = 0;
	return errors + check_system_ca(c);
}
