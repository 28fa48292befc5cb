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
 * dns-01's records, published and removed by the dns hook as netproc
 * asks.  The hook runs as its own user ("user dns"), never root: a TXT
 * record needs no privilege, and the hook holds the DNS credentials.
 * netproc may be compromised: each record must be for a name of the
 * domain, its value what a key authorization's digest looks like.  What
 * is published is kept in STATE/dns/HANDLE.records until it is removed,
 * so that a start removes what a crash left.
 */
#include <sys/types.h>

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "log.h"
#include "msg.h"
#include "config.h"
#include "parent_state.h"

#define DNS_PREFIX	"_acme-challenge."
#define DNS_ARGS_MAX	(2 * MSG_NAMES_COUNT + 3)

/* A name of the domain's, or the base of one of its wildcards. */
static int
name_of(const struct domain *d, const char *name)
{
	char	 wild[MSG_NAME_MAX + 3];

	if (domain_has_name(d, name))
		return 1;
	return (size_t)snprintf(wild, sizeof(wild), "*.%s", name) <
	    sizeof(wild) && domain_has_name(d, wild);
}

/*
 * Splits "name value" records (lines, or words of a state file) into
 * argv from argv[2]: "_acme-challenge.NAME" VALUE ...; -1 (why) if one
 * is not the domain's.
 */
static int
records_argv(const struct domain *d, char *recs, char **argv, size_t max,
    size_t *n, char *why, size_t len)
{
	char	*name, *value, *save = NULL;

	*n = 2;
	for (name = strtok_r(recs, " \n", &save); name != NULL;
	    name = strtok_r(NULL, " \n", &save)) {
		if ((value = strtok_r(NULL, " \n", &save)) == NULL ||
		    strlen(value) != MSG_DNS_VALUE_LEN ||
		    !b64url_valid(value, strlen(value))) {
			snprintf(why, len, "record for %s: not a digest", name);
			return -1;
		}
		if (!name_of(d, name)) {
			snprintf(why, len, "record for %s: not a name of the "
			    "domain", name);
			return -1;
		}
		if (*n + 2 >= max) {
			snprintf(why, len, "too many records");
			return -1;
		}
		if (asprintf(&argv[*n], DNS_PREFIX "%s", name) == -1 ||
		    (argv[*n + 1] = strdup(value)) == NULL) {
			snprintf(why, len, "out of memory");
			return -1;
		}
		*n += 2;
	}
	if (*n == 2) {
		snprintf(why, len, "no record");
		return -1;
	}
	return 0;
}

/*
 * Runs ds's dns hook: "add" or "del", then each record's name and value.
 * 0 if it exited 0; else -1, with why.
 */
static int
dns_hook_run(struct dstate *ds, const char *action, const char *records,
    char *why, size_t len)
{
	const char	*hook = ds->d->dns_hook ? ds->d->dns_hook :
			    conf->dns_hook;
	struct passwd	*pw;
	struct buf	 nb;
	char		*argv[DNS_ARGS_MAX + 1], *envp[6], *recs, *names;
	char		 what[MSG_NAME_MAX + 32];
	size_t		 n = 2, i;
	int		 ne = 0, rc = -1;

	memset(argv, 0, sizeof(argv));
	memset(envp, 0, sizeof(envp));
	if (hook == NULL) {
		snprintf(why, len, "no dns hook");
		return -1;
	}
	/* checked again before each run, as the event hook is */
	if (!program_trusted("dns hook", hook)) {
		snprintf(why, len, "%s: not run (see the log)", hook);
		return -1;
	}
	if ((pw = getpwnam(conf->dns_user)) == NULL || pw->pw_uid == 0) {
		snprintf(why, len, "user dns \"%s\": %s", conf->dns_user,
		    pw == NULL ? "no such user" : "must not be root");
		return -1;
	}
	if ((recs = strdup(records)) == NULL) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	if (records_argv(ds->d, recs, argv, DNS_ARGS_MAX, &n, why, len) == -1)
		goto out;
	argv[0] = (char *)hook;
	argv[1] = (char *)action;
	buf_init(&nb, 0);
	(void)buf_add_join(&nb, ds->d->names, ds->d->nnames, " ");
	names = buf_release(&nb, NULL);
	if (asprintf(&envp[ne++], "PATH=/usr/sbin:/usr/bin:/sbin:/bin") ==
	    -1 || asprintf(&envp[ne++], "ACMED_DNS_ACTION=%s", action) == -1 ||
	    asprintf(&envp[ne++], "ACMED_DOMAIN=%s", ds->d->handle) == -1 ||
	    asprintf(&envp[ne++], "ACMED_NAMES=%s", names ? names : "") ==
	    -1 || asprintf(&envp[ne++], "ACMED_DNS_TIMEOUT=%u",
	    conf->dns_hook_timeout) == -1) {
		free(names);
		snprintf(why, len, "out of memory");
		goto out;
	}
	free(names);
	snprintf(what, sizeof(what), "%s: dns hook %s", ds->d->handle, action);
	rc = run_as(what, argv, envp, (int)conf->dns_hook_timeout, pw, why,
	    len);
out:
	for (i = 2; i < n; i++)
		free(argv[i]);
	for (i = 0; i < (size_t)ne; i++)
		free(envp[i]);
	free(recs);
	return rc;
}

/*
 * The state file of what is published: the records as netproc sent them,
 * one "name value" line each, up to a whole order's.  Flushed: it must
 * outlive the machine going down while they are published.
 */
static int
records_save(const struct dstate *ds, const char *records)
{
	char	 path[PATH_MAX];

	if (state_path(path, sizeof(path), conf->state_dir, "dns",
	    ds->d->handle) == -1)
		return -1;
	return write_file_atomic(path, records, strlen(records), 0600, 0);
}

static char *
records_load(const struct dstate *ds)
{
	char	 path[PATH_MAX], *data;
	size_t	 len;

	if (state_path(path, sizeof(path), conf->state_dir, "dns",
	    ds->d->handle) == -1 || read_file(path, MSG_DNS_RECORDS_MAX,
	    &data, &len) == -1)
		return NULL;
	return data;
}

/*
 * Removes what the hook published, and its record once removed; a
 * failure is an event, and the record stays for the next start.
 */
static void
dns_remove(struct dstate *ds, const char *records)
{
	char	 why[MSG_TEXT_MAX / 2];

	if (dns_hook_run(ds, "del", records, why, sizeof(why)) == 0) {
		(void)state_remove(conf->state_dir, "dns", ds->d->handle);
		log_info("%s: dns-01 records removed", ds->d->handle);
		return;
	}
	log_warnx("%s: dns hook del: %s", ds->d->handle, why);
	event_emit(conf, "dns-hook-failed", ds, why);
}

/* MSG_DNS_PUBLISH and MSG_DNS_REMOVE from netproc. */
int
dns_dispatch(const struct imsg *m)
{
	struct dstate	*ds;
	struct rbuf	 r;
	struct buf	 b;
	char		 why[MSG_TEXT_MAX / 2], *recs;
	uint32_t	 id;

	rbuf_init(&r, m->data, m->datalen);
	id = rbuf_u32(&r);
	recs = rbuf_str(&r, MSG_DNS_RECORDS_MAX);
	if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL) {
		free(recs);
		return -1;
	}
	if (m->hdr.type == MSG_DNS_REMOVE) {
		dns_remove(ds, recs);
		free(recs);
		return 0;
	}
	/* only for an order the parent gave, of a domain that uses dns-01 */
	if (!ds->issuing || ds->d->challenge != CHALLENGE_DNS01) {
		log_warnx("%s: netproc asked for dns-01 records the domain "
		    "has no order for", ds->d->handle);
		free(recs);
		return -1;
	}
	/* recorded first: a crash while the hook runs leaves it behind */
	if (records_save(ds, recs) == -1)
		log_warnx("%s: the dns-01 records are not recorded: a crash "
		    "would leave them published", ds->d->handle);
	if (dns_hook_run(ds, "add", recs, why, sizeof(why)) == 0) {
		log_info("%s: dns-01 records published", ds->d->handle);
		why[0] = '\0';
	} else {
		log_warnx("%s: dns hook add: %s", ds->d->handle, why);
		event_emit(conf, "dns-hook-failed", ds, why);
	}
	free(recs);
	buf_init(&b, MSG_PAYLOAD_MAX);
	buf_add_lstr(&b, why);
	(void)send_answer(PROC_NETPROC, MSG_DNS_RESULT, m->hdr.peerid, &b);
	buf_free(&b);
	return 0;
}

/* At start: what a crash left published is removed. */
void
dns_cleanup(void)
{
	char	*line;
	size_t	 i;

	if (state_empty(conf->state_dir, "dns"))
		return;
	for (i = 0; i < ndstates; i++) {
		if ((line = records_load(&dstates[i])) == NULL)
			continue;
		log_info("%s: removing the dns-01 records a previous run "
		    "left", dstates[i].d->handle);
		dns_remove(&dstates[i], line);
		free(line);
	}
}
