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
 * The status file: every certificate, its names, authority, expiry,
 * whether it is provisional, what acmed will do next and when, the last
 * error, the last reload and deployment check, and what needs the
 * administrator's attention; and what each child's sandbox holds.  JSON
 * written atomically by the parent after every change, and printed for a
 * person (and a monitoring system, by its exit status) by "acmed -s".
 *
 * It holds no secret (names, paths, times, errors; no key, no account or
 * order URL), so it is readable by all and acmed -s needs no privilege.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "parent.h"

#define STATUS_FILE	"status.json"
#define STATUS_MAX	(4 * 1024 * 1024)
/*
 * What one certificate adds at most: its texts (an error, a deployment
 * mismatch, an order URL) escaped, and its times; its names on top.
 */
#define STATUS_CERT_MAX	(6 * MSG_TEXT_MAX + 2048)

/* What each running child said its sandbox holds. */
static struct {
	int			 known;
	struct sandbox_level	 l;
} sandboxes[PROC_MAX];

/* The start-up line, until every child has said what its sandbox holds. */
static char	*summary;

static const char *const state_names[] = {
	[CERT_MISSING] = "missing",
	[CERT_PROVISIONAL] = "provisional",
	[CERT_ISSUED] = "issued",
};

static void
gen_str(yajl_gen g, const char *s)
{
	if (s == NULL)
		yajl_gen_null(g);
	else
		yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/*
 * A moment as the status file, the event hook and the expiry warning
 * give it: ISO 8601, UTC.  0, or -1 if it cannot be written.
 */
int
iso_time(time_t t, char *s, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(s, len, "?");
		return -1;
	}
	return 0;
}

static void
gen_time(yajl_gen g, time_t t)
{
	char	 s[32];

	if (t <= 0 || iso_time(t, s, sizeof(s)) == -1)
		yajl_gen_null(g);
	else
		gen_str(g, s);
}

static void
gen_key(yajl_gen g, const char *k)
{
	gen_str(g, k);
}

/* The soonest thing acmed will do for a certificate, and when. */
const char *
status_next_action(const struct dstate *ds, time_t *at)
{
	const char	*what;

	*at = ds->next;
	if (ds->issuing)
		return "ordering";
	if (ds->state != CERT_ISSUED)
		what = "issue";
	else
		what = ds->next >= sched_renewal_time(ds) ? "renew" : "check";
	if (ds->reload_retry != 0 && ds->reload_retry < *at) {
		*at = ds->reload_retry;
		what = "reload";
	}
	if (ds->verify_at != 0 && ds->verify_at < *at) {
		*at = ds->verify_at;
		what = "verify";
	}
	return what;
}

/* "reload": null without reload actions. */
static void
gen_reload(yajl_gen g, const struct dstate *ds)
{
	if (TAILQ_EMPTY(&ds->d->actions)) {
		yajl_gen_null(g);
		return;
	}
	yajl_gen_map_open(g);
	gen_key(g, "result");
	gen_str(g, ds->reload_at == 0 ? NULL : ds->reload_ok ? "ok" :
	    "failed");
	gen_key(g, "at");
	gen_time(g, ds->reload_at);
	gen_key(g, "failing_since");
	gen_time(g, ds->reload_failing);
	gen_key(g, "failed_tries");
	yajl_gen_integer(g, ds->reload_failing ? ds->reload_tries : 0);
	gen_key(g, "next_try");
	gen_time(g, ds->reload_retry);
	yajl_gen_map_close(g);
}

/* "deploy_check": null without verify endpoints. */
static void
gen_deploy(yajl_gen g, const struct dstate *ds)
{
	if (TAILQ_EMPTY(&ds->d->verifies)) {
		yajl_gen_null(g);
		return;
	}
	yajl_gen_map_open(g);
	gen_key(g, "result");
	gen_str(g, ds->verify_done == 0 ? NULL : ds->verify_ok ? "ok" :
	    "mismatch");
	gen_key(g, "at");
	gen_time(g, ds->verify_done);
	gen_key(g, "error");
	gen_str(g, ds->verify_done != 0 && !ds->verify_ok ?
	    ds->verify_error : NULL);
	gen_key(g, "checking");
	yajl_gen_bool(g, ds->verify_at != 0 || ds->verify_pending > 0);
	yajl_gen_map_close(g);
}

static void
gen_event(yajl_gen g, const char *event, int critical, const char *detail)
{
	yajl_gen_map_open(g);
	gen_key(g, "event");
	gen_str(g, event);
	gen_key(g, "level");
	gen_str(g, critical ? "critical" : "warning");
	gen_key(g, "detail");
	gen_str(g, detail);
	yajl_gen_map_close(g);
}

/*
 * "attention": what the administrator must look at, each with its event
 * name, level and what it is about; empty when all is well.
 */
static void
gen_attention(yajl_gen g, const struct config *conf, const struct dstate *ds,
    time_t now)
{
	char	 s[MSG_TEXT_MAX + 256], end[128], t1[32], t2[32];

	yajl_gen_array_open(g);
	if (ds->state == CERT_ISSUED && (ds->not_after < now ||
	    (ds->failures > 0 &&
	    ds->not_after - now < sched_expiry_warn(conf, ds)))) {
		sched_expiry_text(ds->not_after, now, end, sizeof(end));
		snprintf(s, sizeof(s), "certificate %s%s%s", end,
		    ds->failures > 0 ? " and could not be renewed: " : "",
		    ds->failures > 0 && ds->last_error ? ds->last_error : "");
		gen_event(g, "expiring", 1, s);
	}
	if (ds->failures > 0) {
		(void)iso_time(ds->next, t1, sizeof(t1));
		snprintf(s, sizeof(s), "%d failed %s in a row, the next at %s: "
		    "%s", ds->failures, ds->failures == 1 ? "attempt" :
		    "attempts", t1, ds->last_error ? ds->last_error : "?");
		gen_event(g, "renewal-failed", 0, s);
	}
	if (ds->reload_failing != 0) {
		(void)iso_time(ds->reload_failing, t1, sizeof(t1));
		(void)iso_time(ds->reload_retry, t2, sizeof(t2));
		snprintf(s, sizeof(s), "the reload fails since %s, %d failed "
		    "%s; %s%s", t1, ds->reload_tries, ds->reload_tries == 1 ?
		    "try" : "tries", ds->reload_retry ? "next try at " :
		    "tried again at the next check, on SIGUSR1 or at the next "
		    "start", ds->reload_retry ? t2 : "");
		gen_event(g, "reload-failed", 0, s);
	}
	if (ds->verify_done != 0 && !ds->verify_ok) {
		(void)iso_time(ds->verify_done, t1, sizeof(t1));
		snprintf(s, sizeof(s), "at %s, %s", t1, ds->verify_error ?
		    ds->verify_error : "an endpoint does not serve the "
		    "installed certificate");
		gen_event(g, "deploy-mismatch", 0, s);
	}
	if (ds->revoked_at != 0) {
		(void)iso_time(ds->revoked_at, t1, sizeof(t1));
		snprintf(s, sizeof(s), "revoked at %s (acmed -r); a new "
		    "certificate is not installed yet", t1);
		gen_event(g, "revoked", 0, s);
	}
	yajl_gen_array_close(g);
}

/* A cluster's view of the certificate: null without a cluster block. */
static void
gen_fleet(yajl_gen g, const struct config *conf, const struct dstate *ds)
{
	if (conf->cluster == NULL) {
		yajl_gen_null(g);
		return;
	}
	yajl_gen_map_open(g);
	gen_key(g, "node");
	gen_str(g, conf->cluster->node);
	gen_key(g, "holds_lock");
	yajl_gen_bool(g, ds->fleet_lock);
	gen_key(g, "ordered_by");
	gen_str(g, ds->fleet_from);
	yajl_gen_map_close(g);
}

static void
gen_cert(yajl_gen g, const struct config *conf, const struct dstate *ds,
    time_t now)
{
	const struct domain	*d = ds->d;
	const char		*what;
	time_t			 at;
	size_t			 i;

	yajl_gen_map_open(g);
	gen_key(g, "domain");
	gen_str(g, d->handle);
	gen_key(g, "names");
	yajl_gen_array_open(g);
	for (i = 0; i < d->nnames; i++)
		gen_str(g, d->names[i]);
	yajl_gen_array_close(g);
	gen_key(g, "authority");
	gen_str(g, d->auth ? d->auth->name : d->auth_name);
	gen_key(g, "issuer");
	gen_str(g, ds->state == CERT_ISSUED && d->auth != NULL ?
	    fallback_issuer(ds)->name : NULL);
	gen_key(g, "fallback");
	yajl_gen_bool(g, ds->state == CERT_ISSUED && ds->issuer != NULL);
	gen_key(g, "ordering_from");
	gen_str(g, d->auth ? fallback_current(ds)->name : d->auth_name);
	gen_key(g, "state");
	gen_str(g, state_names[ds->state]);
	gen_key(g, "provisional");
	yajl_gen_bool(g, ds->state == CERT_PROVISIONAL);
	gen_key(g, "not_before");
	gen_time(g, ds->state == CERT_MISSING ? 0 : ds->not_before);
	gen_key(g, "not_after");
	gen_time(g, ds->state == CERT_MISSING ? 0 : ds->not_after);
	what = status_next_action(ds, &at);
	gen_key(g, "next_action");
	gen_str(g, what);
	gen_key(g, "next_at");
	gen_time(g, at);
	gen_key(g, "renewal_window");
	if (ds->ari_start != 0) {
		yajl_gen_map_open(g);
		gen_key(g, "start");
		gen_time(g, ds->ari_start);
		gen_key(g, "end");
		gen_time(g, ds->ari_end);
		yajl_gen_map_close(g);
	} else
		yajl_gen_null(g);
	gen_key(g, "retry_after");
	gen_time(g, ds->retry_until > time(NULL) ? ds->retry_until : 0);
	gen_key(g, "failures");
	yajl_gen_integer(g, ds->failures);
	gen_key(g, "last_error");
	gen_str(g, ds->last_error);
	gen_key(g, "reload");
	gen_reload(g, ds);
	gen_key(g, "deploy_check");
	gen_deploy(g, ds);
	gen_key(g, "revoked_at");
	gen_time(g, ds->revoked_at);
	gen_key(g, "attention");
	gen_attention(g, conf, ds, now);
	gen_key(g, "fleet");
	gen_fleet(g, conf, ds);
	gen_key(g, "files");
	yajl_gen_map_open(g);
	gen_key(g, "key");
	gen_str(g, d->key);
	gen_key(g, "certificate");
	gen_str(g, d->cert);
	gen_key(g, "chain");
	gen_str(g, d->chain);
	gen_key(g, "full_chain");
	gen_str(g, d->fullchain);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

/* A child's sandbox in words, as the start-up line and acmed -s say it. */
static void
sandbox_words(long long abi, long long want, int seccomp, char *buf,
    size_t len)
{
	if (abi == 0)
		snprintf(buf, len, "no Landlock (ABI %lld wanted)", want);
	else if (abi < want)
		snprintf(buf, len, "Landlock ABI %lld, %lld wanted: incomplete",
		    abi, want);
	else
		snprintf(buf, len, "Landlock ABI %lld", abi);
	strlcat(buf, seccomp ? ", seccomp filter" : ", no seccomp filter",
	    len);
}

/*
 * The start-up line, once every child has said what its sandbox holds:
 * one phrase for all if they say the same.
 */
static void
summary_flush(void)
{
	char	 words[PROC_MAX][96], sb[512];
	int	 p, same = 1;

	if (summary == NULL)
		return;
	for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
		if (!sandboxes[p].known)
			return;
		sandbox_words(sandboxes[p].l.landlock, SANDBOX_LANDLOCK_WANT,
		    sandboxes[p].l.seccomp, words[p], sizeof(words[p]));
		same &= strcmp(words[p], words[PROC_PARENT + 1]) == 0;
	}
	sb[0] = '\0';
	for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
		if (same) {
			strlcat(sb, proc_names[p], sizeof(sb));
			strlcat(sb, p + 1 == PROC_MAX ? ": " : p + 2 ==
			    PROC_MAX ? " and " : ", ", sizeof(sb));
			continue;
		}
		strlcat(sb, proc_names[p], sizeof(sb));
		strlcat(sb, ": ", sizeof(sb));
		strlcat(sb, words[p], sizeof(sb));
		if (p + 1 < PROC_MAX)
			strlcat(sb, "; ", sizeof(sb));
	}
	if (same)
		strlcat(sb, words[PROC_PARENT + 1], sizeof(sb));
	log_info("%s; sandbox of %s", summary, sb);
	free(summary);
	summary = NULL;
}

/* What child p's sandbox holds; NULL: unknown (the child is not running). */
void
status_sandbox(int p, const struct sandbox_level *l)
{
	if (p <= PROC_PARENT || p >= PROC_MAX)
		return;
	sandboxes[p].known = l != NULL;
	if (l != NULL)
		sandboxes[p].l = *l;
	summary_flush();
}

/*
 * The start-up line: what this acmed is, what it looks after, where it
 * listens, keeps its state and logs; logged with what each child's
 * sandbox holds once they have all said it.
 */
void
status_starting(const struct config *conf, size_t ncerts)
{
	const struct listen_addr	*l;
	const struct authority		*a;
	struct buf			 b;
	char				 where[PATH_MAX + 128];
	size_t				 nauth = 0;

	TAILQ_FOREACH(a, &conf->authorities, entry)
		nauth++;
	log_where(where, sizeof(where));
	buf_init(&b, 0);
	(void)buf_printf(&b, "starting: acmed %s, configuration %s, %zu "
	    "certificate%s, %zu authorit%s, listening on", ACMED_VERSION,
	    conf->file, ncerts, ncerts == 1 ? "" : "s", nauth,
	    nauth == 1 ? "y" : "ies");
	TAILQ_FOREACH(l, &conf->listens, entry)
		(void)buf_printf(&b, "%s %s", l == TAILQ_FIRST(&conf->listens) ?
		    "" : ",", l->text);
	(void)buf_printf(&b, ", state directory %s, logs to %s",
	    conf->state_dir, where);
	free(summary);
	summary = buf_release(&b, NULL);
	summary_flush();
}

/*
 * "sandbox": for each child, null while it is not running, or the
 * Landlock ABI of its rules (0: none), the ABI that has every right it
 * asks for, and whether its seccomp filter is on.
 */
static void
gen_sandbox(yajl_gen g)
{
	int	 p;

	yajl_gen_map_open(g);
	for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
		gen_key(g, proc_names[p]);
		if (!sandboxes[p].known) {
			yajl_gen_null(g);
			continue;
		}
		yajl_gen_map_open(g);
		gen_key(g, "landlock_abi");
		yajl_gen_integer(g, sandboxes[p].l.landlock);
		gen_key(g, "landlock_wanted");
		yajl_gen_integer(g, SANDBOX_LANDLOCK_WANT);
		gen_key(g, "seccomp");
		yajl_gen_bool(g, sandboxes[p].l.seccomp);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

int
status_write(const struct config *conf, const struct dstate *ds, size_t n)
{
	yajl_gen		 g;
	const unsigned char	*out;
	size_t			 len, i;
	char			 path[4096];
	int			 rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", conf->state_dir,
	    STATUS_FILE) >= sizeof(path))
		return -1;
	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return -1;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	gen_key(g, "updated");
	gen_time(g, time(NULL));
	gen_key(g, "pid");
	yajl_gen_integer(g, getpid());
	gen_key(g, "sandbox");
	gen_sandbox(g);
	gen_key(g, "certificates");
	yajl_gen_array_open(g);
	for (i = 0; i < n; i++)
		gen_cert(g, conf, &ds[i], time(NULL));
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &out, &len) == yajl_gen_status_ok)
		/* Rewritten from memory after every change: not flushed. */
		rc = write_file_atomic(path, out, len, 0644, WRITE_NOSYNC);
	yajl_gen_free(g);
	return rc;
}

static yajl_val
field(yajl_val obj, const char *name, yajl_type type)
{
	const char	*path[2] = { name, NULL };

	return yajl_tree_get(obj, path, type);
}

static const char *
field_str(yajl_val obj, const char *name)
{
	yajl_val	 v = field(obj, name, yajl_t_string);

	return v ? YAJL_GET_STRING(v) : NULL;
}

static long long
field_int(yajl_val obj, const char *name)
{
	yajl_val	 v = field(obj, name, yajl_t_number);

	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static int
field_true(yajl_val obj, const char *name)
{
	yajl_val	 v = field(obj, name, yajl_t_any);

	return v != NULL && YAJL_IS_TRUE(v);
}

/* Each child's sandbox, as the status file has it. */
static void
print_sandbox(yajl_val root)
{
	yajl_val	 sb, c;
	char		 words[96];
	size_t		 i;

	if ((sb = field(root, "sandbox", yajl_t_object)) == NULL)
		return;
	printf("sandbox:\n");
	for (i = 0; i < YAJL_GET_OBJECT(sb)->len; i++) {
		c = YAJL_GET_OBJECT(sb)->values[i];
		printf("  %s: ", YAJL_GET_OBJECT(sb)->keys[i]);
		if (!YAJL_IS_OBJECT(c)) {
			printf("not running\n");
			continue;
		}
		sandbox_words(field_int(c, "landlock_abi"),
		    field_int(c, "landlock_wanted"), field_true(c, "seccomp"),
		    words, sizeof(words));
		printf("%s\n", words);
	}
}

/*
 * The exit status of acmed -s, a monitoring plugin's (Nagios, Icinga,
 * Zabbix, Checkmk), so that a check runs it as it is.
 */
enum status_level {
	STATUS_OK,		/* running, nothing needs attention */
	STATUS_WARNING,		/* something needs attention */
	STATUS_CRITICAL,	/* not running, or a certificate expiring */
	STATUS_UNKNOWN		/* the status cannot be read */
};

static const char *const level_names[] = {
	[STATUS_OK] = "OK",
	[STATUS_WARNING] = "WARNING",
	[STATUS_CRITICAL] = "CRITICAL",
	[STATUS_UNKNOWN] = "UNKNOWN",
};

/*
 * Whether a certificate expired since the status file was written (the
 * daemon lists it itself otherwise).  The same form for both: the string
 * order is the time's.
 */
static int
expired_since(yajl_val c, const char *now)
{
	yajl_val	 att;
	const char	*s;
	size_t		 i;

	if ((s = field_str(c, "not_after")) == NULL || strcmp(s, now) >= 0 ||
	    (s = field_str(c, "state")) == NULL || strcmp(s, "issued") != 0)
		return 0;
	if ((att = field(c, "attention", yajl_t_array)) != NULL)
		for (i = 0; i < YAJL_GET_ARRAY(att)->len; i++)
			if ((s = field_str(YAJL_GET_ARRAY(att)->values[i],
			    "event")) != NULL && strcmp(s, "expiring") == 0)
				return 0;
	return 1;
}

/* How much a certificate needs attention: OK, WARNING or CRITICAL. */
static enum status_level
cert_level(yajl_val c, const char *now)
{
	enum status_level	 level = STATUS_OK;
	yajl_val		 att;
	const char		*s;
	size_t			 i;

	if (expired_since(c, now))
		return STATUS_CRITICAL;
	if ((att = field(c, "attention", yajl_t_array)) == NULL)
		return STATUS_OK;
	for (i = 0; i < YAJL_GET_ARRAY(att)->len; i++) {
		s = field_str(YAJL_GET_ARRAY(att)->values[i], "level");
		if (s != NULL && strcmp(s, "critical") == 0)
			return STATUS_CRITICAL;
		level = STATUS_WARNING;
	}
	return level;
}

static void
print_names(yajl_val c)
{
	yajl_val	 names, v;
	size_t		 i;

	if ((names = field(c, "names", yajl_t_array)) == NULL)
		return;
	printf("  names:");
	for (i = 0; i < YAJL_GET_ARRAY(names)->len; i++)
		if (YAJL_IS_STRING(v = YAJL_GET_ARRAY(names)->values[i]))
			printf(" %s", YAJL_GET_STRING(v));
	printf("\n");
}

/* The last reload and deployment check, for a domain that has them. */
static void
print_deploy(yajl_val c)
{
	yajl_val	 o;
	const char	*r, *t;

	if ((o = field(c, "reload", yajl_t_object)) != NULL) {
		r = field_str(o, "result");
		t = field_str(o, "at");
		if (r != NULL && t != NULL)
			printf("  last reload: %s at %s\n", r, t);
		else
			printf("  last reload: none since the configuration "
			    "was read\n");
	}
	if ((o = field(c, "deploy_check", yajl_t_object)) != NULL) {
		r = field_str(o, "result");
		t = field_str(o, "at");
		if (r != NULL && t != NULL)
			printf("  last deployment check: %s at %s", r, t);
		else
			printf("  last deployment check: none yet");
		printf("%s\n", field_true(o, "checking") ?
		    ", checking now" : "");
	}
}

/* Another authority than the first: which, and what it did. */
static void
print_fallback(yajl_val c, const char *first)
{
	const char	*s;

	if (first == NULL)
		return;
	if (field_true(c, "fallback") &&
	    (s = field_str(c, "issuer")) != NULL)
		printf("  issued by authority %s, a fallback from %s\n", s,
		    first);
	if ((s = field_str(c, "ordering_from")) != NULL &&
	    strcmp(s, first) != 0)
		printf("  ordering from authority %s, a fallback: %s kept "
		    "failing\n", s, first);
}

/* One line for each thing that needs attention. */
static void
print_attention(yajl_val c, const char *now)
{
	yajl_val	 att, a;
	const char	*e, *d;
	size_t		 i;

	if (expired_since(c, now))
		printf("  needs attention: expiring: certificate expired at "
		    "%s\n", field_str(c, "not_after"));
	if ((att = field(c, "attention", yajl_t_array)) == NULL)
		return;
	for (i = 0; i < YAJL_GET_ARRAY(att)->len; i++) {
		a = YAJL_GET_ARRAY(att)->values[i];
		e = field_str(a, "event");
		d = field_str(a, "detail");
		printf("  needs attention: %s: %s\n", e ? e : "?", d ? d : "?");
	}
}

/* The fleet's view: who ordered it, and whether this node orders now. */
static void
print_fleet(yajl_val c)
{
	yajl_val	 f;
	const char	*by, *node;

	if ((f = field(c, "fleet", yajl_t_object)) == NULL)
		return;
	node = field_str(f, "node");
	by = field_str(f, "ordered_by");
	printf("  fleet: node %s; installed certificate ordered by %s%s\n",
	    node ? node : "?", by ? "node " : "", by ? by : "no node yet");
	if (field_true(f, "holds_lock"))
		printf("  fleet: this node holds the lock and orders it\n");
}

static void
print_cert(yajl_val c, const char *now)
{
	const char	*s, *t;

	s = field_str(c, "domain");
	t = field_str(c, "authority");
	printf("\n%s (authority %s)\n", s ? s : "?", t ? t : "?");
	print_names(c);
	print_fallback(c, t);
	printf("  certificate: %s", (s = field_str(c, "state")) ? s : "?");
	if ((s = field_str(c, "not_after")) != NULL)
		printf(", %s %s", strcmp(s, now) < 0 ? "expired at" :
		    "valid until", s);
	s = field_str(c, "next_action");
	t = field_str(c, "next_at");
	printf("\n  next: %s at %s\n", s ? s : "?", t ? t : "?");
	print_deploy(c);
	if ((s = field_str(c, "retry_after")) != NULL)
		printf("  the authority allows no attempt before %s "
		    "(Retry-After)\n", s);
	if (field_int(c, "failures") > 0)
		printf("  failures in a row: %lld\n",
		    field_int(c, "failures"));
	if ((s = field_str(c, "last_error")) != NULL)
		printf("  last error: %s\n", s);
	print_fleet(c);
	print_attention(c, now);
}

/*
 * The verdict, as a monitoring system shows it: whether a daemon runs for
 * the state directory and wrote this status, and how many certificates
 * need attention.  The line goes to line, without its trailing newline.
 */
static enum status_level
verdict(yajl_val certs, const char *state_dir, pid_t pid, long long wpid,
    const char *now, char *line, size_t len)
{
	enum status_level	 level = STATUS_OK, l;
	size_t			 i, n, bad = 0, critical = 0;

	n = YAJL_GET_ARRAY(certs)->len;
	for (i = 0; i < n; i++) {
		if ((l = cert_level(YAJL_GET_ARRAY(certs)->values[i], now)) ==
		    STATUS_OK)
			continue;
		bad++;
		critical += l == STATUS_CRITICAL;
		if (l > level)
			level = l;
	}
	if (pid == 0) {
		snprintf(line, len, "acmed: CRITICAL: not running (state "
		    "directory %s)", state_dir);
		return STATUS_CRITICAL;
	}
	if (wpid != pid) {
		snprintf(line, len, "acmed: UNKNOWN: running as pid %ld, but "
		    "the status file is from pid %lld", (long)pid, wpid);
		return STATUS_UNKNOWN;
	}
	if (bad == 0)
		snprintf(line, len, "acmed: %s: running as pid %ld; %zu "
		    "certificate%s, none needs attention", level_names[level],
		    (long)pid, n, n == 1 ? "" : "s");
	else
		snprintf(line, len, "acmed: %s: running as pid %ld; %zu of %zu "
		    "certificate%s need%s attention%s", level_names[level],
		    (long)pid, bad, n, n == 1 ? "" : "s", bad == 1 ? "s" : "",
		    critical > 0 ? ", expiring or expired" : "");
	return level;
}

/* No status to show: that no daemon runs matters more. */
static enum status_level
unreadable(const char *state_dir, pid_t pid, const char *path,
    const char *why, char *line, size_t len)
{
	if (pid == 0) {
		snprintf(line, len, "acmed: CRITICAL: not running (state "
		    "directory %s); %s: %s", state_dir, path, why);
		return STATUS_CRITICAL;
	}
	snprintf(line, len, "acmed: UNKNOWN: running as pid %ld, but %s: %s",
	    (long)pid, path, why);
	return STATUS_UNKNOWN;
}

/* A value of the status file, as it was. */
static void
gen_val(yajl_gen g, yajl_val v)
{
	size_t	 i;

	if (YAJL_IS_STRING(v))
		gen_str(g, YAJL_GET_STRING(v));
	else if (YAJL_IS_NUMBER(v))
		yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
	else if (YAJL_IS_OBJECT(v)) {
		yajl_gen_map_open(g);
		for (i = 0; i < YAJL_GET_OBJECT(v)->len; i++) {
			gen_key(g, YAJL_GET_OBJECT(v)->keys[i]);
			gen_val(g, YAJL_GET_OBJECT(v)->values[i]);
		}
		yajl_gen_map_close(g);
	} else if (YAJL_IS_ARRAY(v)) {
		yajl_gen_array_open(g);
		for (i = 0; i < YAJL_GET_ARRAY(v)->len; i++)
			gen_val(g, YAJL_GET_ARRAY(v)->values[i]);
		yajl_gen_array_close(g);
	} else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		yajl_gen_bool(g, YAJL_IS_TRUE(v));
	else
		yajl_gen_null(g);
}

static const char *const level_words[] = {
	[STATUS_OK] = "ok",
	[STATUS_WARNING] = "warning",
	[STATUS_CRITICAL] = "critical",
	[STATUS_UNKNOWN] = "unknown",
};

/*
 * A certificate for acmed -s -j: the status file's fields, its level, and
 * in "attention" what the text shows, an expiry since the file was written
 * too.
 */
static void
gen_report_cert(yajl_gen g, yajl_val c, const char *now)
{
	yajl_val	 att;
	char		 detail[128];
	size_t		 i;

	yajl_gen_map_open(g);
	gen_key(g, "level");
	gen_str(g, level_words[cert_level(c, now)]);
	for (i = 0; i < YAJL_GET_OBJECT(c)->len; i++) {
		if (strcmp(YAJL_GET_OBJECT(c)->keys[i], "attention") == 0 ||
		    strcmp(YAJL_GET_OBJECT(c)->keys[i], "level") == 0)
			continue;
		gen_key(g, YAJL_GET_OBJECT(c)->keys[i]);
		gen_val(g, YAJL_GET_OBJECT(c)->values[i]);
	}
	gen_key(g, "attention");
	yajl_gen_array_open(g);
	if (expired_since(c, now)) {
		snprintf(detail, sizeof(detail), "certificate expired at %s",
		    field_str(c, "not_after"));
		gen_event(g, "expiring", 1, detail);
	}
	if ((att = field(c, "attention", yajl_t_array)) != NULL)
		for (i = 0; i < YAJL_GET_ARRAY(att)->len; i++)
			gen_val(g, YAJL_GET_ARRAY(att)->values[i]);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

/*
 * acmed -s -j: the verdict and the status file in one JSON document on
 * standard output.  root is NULL when the status file could not be read.
 */
static void
report_json(enum status_level level, const char *line, pid_t pid,
    const char *state_dir, yajl_val root, const char *now)
{
	yajl_gen		 g;
	yajl_val		 certs, v;
	const unsigned char	*out;
	size_t			 len, i;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		err(STATUS_UNKNOWN, "yajl_gen_alloc");
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	gen_key(g, "verdict");
	gen_str(g, level_names[level]);
	gen_key(g, "summary");
	gen_str(g, line);
	gen_key(g, "running");
	yajl_gen_bool(g, pid != 0);
	gen_key(g, "pid");
	if (pid != 0)
		yajl_gen_integer(g, pid);
	else
		yajl_gen_null(g);
	gen_key(g, "state_directory");
	gen_str(g, state_dir);
	gen_key(g, "written_by");
	if (root != NULL && (v = field(root, "pid", yajl_t_number)) != NULL)
		gen_val(g, v);
	else
		yajl_gen_null(g);
	gen_key(g, "updated");
	gen_str(g, root != NULL ? field_str(root, "updated") : NULL);
	gen_key(g, "sandbox");
	if (root != NULL && (v = field(root, "sandbox", yajl_t_object)) !=
	    NULL)
		gen_val(g, v);
	else
		yajl_gen_null(g);
	gen_key(g, "certificates");
	yajl_gen_array_open(g);
	if (root != NULL && (certs = field(root, "certificates",
	    yajl_t_array)) != NULL)
		for (i = 0; i < YAJL_GET_ARRAY(certs)->len; i++)
			if (YAJL_IS_OBJECT(v = YAJL_GET_ARRAY(certs)->values[i]))
				gen_report_cert(g, v, now);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &out, &len) == yajl_gen_status_ok)
		fwrite(out, 1, len, stdout);
	yajl_gen_free(g);
}

/*
 * The status file, for a person (or with json, as one JSON document) and
 * by its exit status.
 */
static enum status_level
status_report(const char *state_dir, pid_t pid, size_t max, int json)
{
	enum status_level	 level;
	char			 path[PATH_MAX], err[256], now[32], *data;
	char			 line[PATH_MAX + 512];
	yajl_val		 root = NULL, certs = NULL;
	size_t			 len, i;
	const char		*s;

	(void)iso_time(time(NULL), now, sizeof(now));
	snprintf(path, sizeof(path), "%s/%s", state_dir, STATUS_FILE);
	if (read_file(path, max, &data, &len) == -1)
		level = unreadable(state_dir, pid, path, strerror(errno), line,
		    sizeof(line));
	else {
		root = yajl_tree_parse(data, err, sizeof(err));
		free(data);
		if (root == NULL || (certs = field(root, "certificates",
		    yajl_t_array)) == NULL) {
			yajl_tree_free(root);
			root = NULL;
			level = unreadable(state_dir, pid, path,
			    "not a status file", line, sizeof(line));
		} else
			level = verdict(certs, state_dir, pid,
			    field_int(root, "pid"), now, line, sizeof(line));
	}
	if (json) {
		report_json(level, line, pid, state_dir, root, now);
		yajl_tree_free(root);
		return level;
	}
	printf("%s\n", line);
	if (root == NULL)
		return level;
	printf("status written by pid %lld at %s\n", field_int(root, "pid"),
	    (s = field_str(root, "updated")) ? s : "?");
	print_sandbox(root);
	for (i = 0; i < YAJL_GET_ARRAY(certs)->len; i++)
		if (YAJL_IS_OBJECT(YAJL_GET_ARRAY(certs)->values[i]))
			print_cert(YAJL_GET_ARRAY(certs)->values[i], now);
	yajl_tree_free(root);
	return level;
}

/*
 * "acmed -s": reads the configuration only to find the state directory
 * (no file in it is checked, so any user who may read it and the status
 * file may ask), then the status file.  The exit status is the verdict's.
 */
int
status_show(const char *file, int json)
{
	struct config	*c;
	struct domain	*d;
	char		 line[PATH_MAX + 64];
	size_t		 i, max = STATUS_MAX;
	int		 level;

	if ((c = config_parse(file, 0)) == NULL) {
		snprintf(line, sizeof(line), "acmed: UNKNOWN: %s: no state "
		    "directory to look in", file);
		if (json)
			report_json(STATUS_UNKNOWN, line, 0, NULL, NULL, NULL);
		else
			printf("%s\n", line);
		return STATUS_UNKNOWN;
	}
	/* As large as the daemon may write it for this configuration. */
	TAILQ_FOREACH(d, &c->domains, entry) {
		max += STATUS_CERT_MAX;
		for (i = 0; i < d->nnames; i++)
			max += 2 * strlen(d->names[i]) + 8;
	}
	level = status_report(c->state_dir, daemon_running(c->state_dir),
	    max, json);
	config_free(c);
	return level;
}
