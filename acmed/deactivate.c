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
 * acmed -D: an authority's account deactivated (RFC 8555 section 7.3.6),
 * for good: the authority refuses every later request signed with its
 * key, and the account cannot be brought back.  Confirmed on the command
 * line by the authority's name given twice.  keyproc signs the
 * deactivation only while the parent authorises it, and only posted to
 * the account's own URL.  Once the authority has deactivated it, the
 * account's key is moved aside as KEY.deactivated and its URL as
 * accounts/NAME.url.deactivated, the orders in flight with it are
 * forgotten, and the next run of acmed registers a new account with a
 * new key.  The certificates the account ordered stay valid until they
 * expire; they are renewed through the new account.
 *
 * It runs alone, holding the state directory's lock: a daemon beside it
 * would go on with the account's key and URL in its processes.
 */
#include <sys/types.h>

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

/*
 * Checks -D's names before anything starts: one authority, named twice,
 * whose account key exists and is no other authority's, and whose
 * account URL acmed knows (keyproc signs the deactivation of that URL
 * only); and that no daemon runs for the state directory, whose lock it
 * then holds.  Returns 0 or -1 (logged).
 */
int
deactivate_check(char **names, int n)
{
	char	*url;
	pid_t	 pid;

	if (n != 2 || strcmp(names[0], names[1]) != 0) {
		log_warnx("-D deactivates an account for good: name its "
		    "authority twice, the same, to confirm");
		return -1;
	}
	if (rollover_check(names, 1) == -1)
		return -1;
	if ((url = state_read(conf->state_dir, "accounts", names[0])) ==
	    NULL) {
		log_warnx("authority %s: no account URL in %s/accounts/%s.url: "
		    "acmed has not registered or found the account: nothing "
		    "deactivated", names[0], conf->state_dir, names[0]);
		return -1;
	}
	free(url);
	if ((pid = daemon_running(conf->state_dir)) != 0) {
		log_warnx("acmed runs for the state directory %s (pid %ld): "
		    "stop it first, for its processes hold the account's key "
		    "and URL", conf->state_dir, (long)pid);
		return -1;
	}
	return lock_take(conf->state_dir);
}

/*
 * The deactivated account's state moved aside: its key and its URL, and
 * the orders in flight of the authority's domains, which no other
 * account can finish.  Returns 0, or -1 (logged) if something stays.
 */
static int
deactivate_aside(struct authority *a)
{
	struct domain	*d;
	char		*key, url[PATH_MAX], to[PATH_MAX];
	int		 rc = 0;

	if ((key = account_key_path(a)) == NULL)
		fatal("account key path");
	if (file_aside(key, "deactivated", to, sizeof(to)) == 0)
		audit("-D: authority %s: account key %s moved to %s", a->name,
		    key, to);
	else {
		log_warnx("authority %s: the deactivated account's key %s is "
		    "still in place: move it away by hand", a->name, key);
		rc = -1;
	}
	free(key);
	if (state_path(url, sizeof(url), conf->state_dir, "accounts",
	    a->name) == -1 ||
	    file_aside(url, "deactivated", to, sizeof(to)) == -1) {
		log_warnx("authority %s: the deactivated account's URL %s is "
		    "still in place: move it away by hand", a->name, url);
		rc = -1;
	}
	TAILQ_FOREACH(d, &conf->domains, entry)
		if (d->auth == a && state_remove(conf->state_dir, "orders",
		    d->handle) == -1)
			rc = -1;
	return rc;
}

/* What becomes of the certificates the account ordered. */
static void
deactivate_tell(const struct authority *a)
{
	const struct domain	*d;
	int			 n = 0;

	TAILQ_FOREACH(d, &conf->domains, entry)
		n += d->auth == a;
	audit("-D: authority %s: account deactivated; the %d certificates "
	    "ordered with it stay valid until they expire; the next run of "
	    "acmed registers a new account with a new key and renews them "
	    "with it", a->name, n);
}

/* Deactivates the account of the authority named; 0 or 1. */
int
deactivate_run(const char *name)
{
	struct authority	*a;
	struct buf		 b;
	char			*err, *url = NULL;
	int			 done;

	if ((a = config_authority(conf, name)) == NULL)
		fatalx("%s: no such authority", name);
	if ((url = state_read(conf->state_dir, "accounts", a->name)) == NULL) {
		log_warnx("authority %s: the account URL is gone", a->name);
		goto fail;
	}
	/*
	 * keyproc signs the deactivation of this account, and only while
	 * netproc makes it.
	 */
	if (key_authorise(MSG_KEY_ALLOW, a->id, KEY_OP_DEACTIVATE, 0, url,
	    strlen(url)) == -1)
		goto fail;
	buf_init(&b, 16);
	buf_add_u32(&b, a->id);
	done = account_call(a, MSG_DEACTIVATE, MSG_DEACTIVATE_RESULT, &b,
	    &err);
	buf_free(&b);
	(void)key_authorise(MSG_KEY_WITHDRAW, a->id, KEY_OP_DEACTIVATE, 0,
	    url, strlen(url));
	if (done == -1)
		goto fail;
	if (!done) {
		log_warnx("authority %s: account not deactivated: %s",
		    a->name, err);
		free(err);
		goto fail;
	}
	free(err);
	audit("-D: authority %s: account %s deactivated", a->name, url);
	free(url);
	deactivate_tell(a);
	return deactivate_aside(a) == -1 ? 1 : 0;
 fail:
	free(url);
	audit("-D: authority %s: account not deactivated (see above)",
	    a->name);
	return 1;
}
