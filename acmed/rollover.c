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
 * acmed -k: an account's key changed at its authority (RFC 8555 section
 * 7.3.5).  The new key is made by keyproc and written as KEY.new before
 * the authority is asked; once the authority has it, the old key is kept
 * as KEY.old and the new one takes its place.  If anything fails, KEY.new
 * stays for the next attempt, which uses it: the authority may have taken
 * the new key even when its answer was lost, so it is never thrown away,
 * and the next attempt first asks whether the account has it already.
 */
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"
#include "trust.h"

int	 rollover_changed;

/*
 * Checks the names given to -k before anything starts: each must name an
 * authority whose account key exists, for there is nothing to change
 * otherwise, and that no other authority shares: changing it for one
 * would take it from the other.  Returns 0 or -1 (logged).
 */
int
rollover_check(char **names, int n)
{
	struct authority	*a, *b;
	char			*path, *other;
	int			 i, rc = 0;

	for (i = 0; i < n; i++) {
		TAILQ_FOREACH(a, &conf->authorities, entry)
			if (strcmp(names[i], a->name) == 0)
				break;
		if (a == NULL) {
			log_warnx("%s: no such authority", names[i]);
			rc = -1;
		}
	}
	TAILQ_FOREACH(a, &conf->authorities, entry) {
		if (!name_selected(a->name, names, n))
			continue;
		if ((path = account_key_path(a)) == NULL)
			fatal("account key path");
		if (access(path, F_OK) == -1) {
			if (errno == ENOENT)
				log_warnx("authority %s: account key %s does "
				    "not exist: nothing to change", a->name,
				    path);
			else
				log_warn("authority %s: account key %s",
				    a->name, path);
			rc = -1;
		}
		TAILQ_FOREACH(b, &conf->authorities, entry) {
			if (b == a || (other = account_key_path(b)) == NULL)
				continue;
			if (strcmp(path, other) == 0) {
				log_warnx("authority %s: account key %s is "
				    "authority %s's too: not changed", a->name,
				    path, b->name);
				rc = -1;
			}
			free(other);
		}
		free(path);
	}
	return rc;
}

/*
 * The authority has the new key: the old one is kept as KEY.old (an older
 * KEY.old, of a key the account no longer has, is replaced) and the new
 * one takes its place in one rename, so that KEY always holds a key.
 */
static int
rollover_install(const struct authority *a, const char *path,
    const char *newpath, const char *oldpath)
{
	if (unlink(oldpath) == 0)
		log_info("authority %s: %s replaced", a->name, oldpath);
	else if (errno != ENOENT) {
		log_warn("authority %s: %s", a->name, oldpath);
		return -1;
	}
	if (link(path, oldpath) == -1) {
		/* A file system without hard links: two renames. */
		if ((errno != EPERM && errno != EOPNOTSUPP) ||
		    rename(path, oldpath) == -1) {
			log_warn("authority %s: keeping %s as %s", a->name,
			    path, oldpath);
			return -1;
		}
	}
	if (rename(newpath, path) == -1) {
		log_warn("authority %s: %s to %s", a->name, newpath, path);
		return -1;
	}
	if (fsync_dir(path) == -1)
		log_warn("authority %s: fsync of the directory of %s",
		    a->name, path);
	return 0;
}

/*
 * Asks netproc for an operation on the account of a (type, with b), and
 * waits for its answer (want: the authority's id, whether it was done,
 * why not).  1 if done, 0 if not (the reason in *err, to free), -1 if
 * netproc could not be asked.
 */
int
account_call(const struct authority *a, uint32_t type, uint32_t want,
    const struct buf *b, char **err)
{
	struct imsg	 m;
	struct rbuf	 r;
	uint32_t	 id, done;

	*err = NULL;
	if (child_call(PROC_NETPROC, type, b, -1, want, &m,
	    dispatch_netproc) == -1)
		return -1;
	rbuf_init(&r, m.data, m.datalen);
	id = rbuf_u32(&r);
	done = rbuf_u32(&r);
	*err = rbuf_str(&r, MSG_TEXT_MAX);
	imsg_clear(&m);
	if (rbuf_end(&r) == -1 || id != a->id)
		fatalx("malformed %s from netproc", msg_name(want));
	return done != 0;
}

static int
rollover_one(struct authority *a)
{
	struct buf	 b;
	char		*path, newpath[PATH_MAX], oldpath[PATH_MAX], *err;
	char		 why[TRUST_WHY_MAX + 64];
	uint32_t	 newid = KEYID_ROLLOVER_BASE + a->id;
	int		 existed, changed, rc = -1;

	if ((path = account_key_path(a)) == NULL)
		fatal("account key path");
	if ((size_t)snprintf(newpath, sizeof(newpath), "%s.new", path) >=
	    sizeof(newpath) || (size_t)snprintf(oldpath, sizeof(oldpath),
	    "%s.old", path) >= sizeof(oldpath)) {
		log_warnx("authority %s: %s: path too long", a->name, path);
		goto out;
	}
	if (key_role(newid, KEY_ROLE_NEW_ACCOUNT, a, "", "") == -1 ||
	    key_load(newid, newpath, a->account_keytype, a->account_keybits,
	    TRUST_NOGROUP, 1, &existed, why, sizeof(why)) == -1)
		goto out;
	if (existed)
		log_info("authority %s: using %s, left by an earlier attempt",
		    a->name, newpath);
	/* keyproc signs this change, and only while netproc makes it. */
	if (key_authorise(MSG_KEY_ALLOW, a->id, KEY_OP_KEY_CHANGE, newid,
	    NULL, 0) == -1)
		goto out;
	buf_init(&b, 16);
	buf_add_u32(&b, a->id);
	buf_add_u32(&b, newid);
	buf_add_u32(&b, existed);
	changed = account_call(a, MSG_ROLLOVER, MSG_ROLLOVER_RESULT, &b, &err);
	buf_free(&b);
	(void)key_authorise(MSG_KEY_WITHDRAW, a->id, KEY_OP_KEY_CHANGE, newid,
	    NULL, 0);
	if (changed == -1)
		goto out;
	if (!changed) {
		log_warnx("authority %s: account key not changed: %s; the new "
		    "key stays in %s for the next attempt", a->name, err,
		    newpath);
		free(err);
		goto out;
	}
	free(err);
	if (rollover_install(a, path, newpath, oldpath) == -1) {
		log_warnx("authority %s: the authority has the key in %s: put "
		    "it in place of %s by hand", a->name, newpath, path);
		goto out;
	}
	log_info("authority %s: account key changed; the old key is in %s",
	    a->name, oldpath);
	rc = 0;
out:
	free(path);
	return rc;
}

/* Changes the key of every authority named (all if none); 0 or 1. */
int
rollover_all(char **names, int n)
{
	struct authority	*a;
	int			 status = 0;

	TAILQ_FOREACH(a, &conf->authorities, entry) {
		if (!name_selected(a->name, names, n))
			continue;
		if (rollover_one(a) == -1) {
			audit("-k: authority %s: account key not changed (see "
			    "above)", a->name);
			status = 1;
		} else {
			audit("-k: authority %s: account key changed",
			    a->name);
			rollover_changed++;
		}
	}
	return status;
}
