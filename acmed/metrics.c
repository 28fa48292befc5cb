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
 * The metrics file: what a monitoring system scrapes, in the Prometheus
 * text exposition format, for node_exporter's textfile collector (no
 * listening socket of its own).  Written atomically with the status file,
 * after every change, from the parent's own state and the counts netproc
 * and challenged report: every certificate's expiry, whether it is
 * provisional, its last success and failure, its failures in a row and
 * its next action; per authority the requests by endpoint and answer,
 * the new orders paused by a rate limit, the time orders take; the
 * challenge server's answers; the processes' restarts.
 *
 * Counters start at 0 with the daemon, as Prometheus expects of them;
 * a sample whose value is not known (no success since the start) is left
 * out.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "parent.h"
#include "trust.h"

/* Upper bounds of the order duration histogram's buckets, in seconds. */
static const double buckets[] = { 1, 2, 5, 10, 30, 60, 120, 300, 600 };
#define NBUCKETS	(sizeof(buckets) / sizeof(buckets[0]))

/* One counter: a metric's labels and its count. */
struct counter {
	char		*a;		/* authority, or the answer's result */
	char		*b;		/* endpoint, or NULL */
	char		*c;		/* HTTP code, or NULL */
	uint64_t	 n;
};

struct counters {
	struct counter	*v;
	size_t		 n;
};

/* One authority's order durations. */
struct histogram {
	char		*authority;
	uint64_t	 le[NBUCKETS];	/* cumulative, as the format wants */
	uint64_t	 count;
	double		 sum;
};

static struct counters	 requests;	/* authority, endpoint, code */
static struct counters	 pauses;	/* authority */
static struct counters	 answers;	/* result */
static struct histogram	*histograms;
static size_t		 nhistograms;
static uint64_t		 restarts;
static int		 dirty;		/* counted, not written yet */
static time_t		 written;

/*
 * Counts alone (a renewal information request, challenge answers) are
 * written at most every METRICS_SPACING seconds; a change of a
 * certificate's state writes the file at once, with the status file.
 */
#define METRICS_SPACING	10

static int
same(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return strcmp(x, y) == 0;
}

static char *
dup_or_null(const char *s)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		fatal("strdup");
	return d;
}

static void
counter_add(struct counters *cs, const char *a, const char *b, const char *c,
    uint64_t n)
{
	struct counter	*v;
	size_t		 i;

	for (i = 0; i < cs->n; i++)
		if (same(cs->v[i].a, a) && same(cs->v[i].b, b) &&
		    same(cs->v[i].c, c)) {
			cs->v[i].n += n;
			dirty = 1;
			return;
		}
	if ((v = reallocarray(cs->v, cs->n + 1, sizeof(*v))) == NULL)
		fatal("reallocarray");
	cs->v = v;
	v = &cs->v[cs->n++];
	v->a = dup_or_null(a);
	v->b = dup_or_null(b);
	v->c = dup_or_null(c);
	v->n = n;
	dirty = 1;
}

/* A request netproc made to an authority, and how it was answered. */
void
metrics_request(const char *authority, const char *endpoint, int code)
{
	char	 s[16];

	if (code > 0)
		snprintf(s, sizeof(s), "%d", code);
	else
		snprintf(s, sizeof(s), "none");
	counter_add(&requests, authority, endpoint, s, 1);
}

/* New orders to an authority paused by its Retry-After. */
void
metrics_pause(const char *authority)
{
	counter_add(&pauses, authority, NULL, NULL, 1);
}

/* The challenge server's answers since its last report, by result. */
void
metrics_answers(const char *result, uint64_t n)
{
	counter_add(&answers, result, NULL, NULL, n);
}

/* challenged's answers since its last report (MSG_CHAL_ANSWERS). */
void
child_answers(const struct imsg *m)
{
	struct rbuf	 r;
	uint64_t	 n[CHAL_RESULTS];
	int		 i;

	rbuf_init(&r, m->data, m->datalen);
	for (i = 0; i < CHAL_RESULTS; i++)
		n[i] = rbuf_u64(&r);
	if (rbuf_end(&r) == -1) {
		log_warnx("malformed CHAL_ANSWERS from challenged");
		return;
	}
	for (i = 0; i < CHAL_RESULTS; i++)
		if (n[i] > 0)
			metrics_answers(chal_result_names[i], n[i]);
}

void
metrics_restart(void)
{
	restarts++;
	dirty = 1;
}

/*
 * Whether counts wait to be written and their time has come; if they wait
 * longer, *next is brought forward to that time.
 */
int
metrics_due(const struct config *conf, time_t now, time_t *next)
{
	if (conf->metrics_file == NULL || !dirty)
		return 0;
	if (now >= written + METRICS_SPACING)
		return 1;
	if (written + METRICS_SPACING < *next)
		*next = written + METRICS_SPACING;
	return 0;
}

/* An order that ended with a certificate, and how long it took. */
void
metrics_order(const char *authority, double seconds)
{
	struct histogram	*h = NULL;
	size_t			 i;

	for (i = 0; i < nhistograms; i++)
		if (strcmp(histograms[i].authority, authority) == 0)
			h = &histograms[i];
	if (h == NULL) {
		if ((h = reallocarray(histograms, nhistograms + 1,
		    sizeof(*h))) == NULL)
			fatal("reallocarray");
		histograms = h;
		h = &histograms[nhistograms++];
		memset(h, 0, sizeof(*h));
		h->authority = dup_or_null(authority);
	}
	for (i = 0; i < NBUCKETS; i++)
		if (seconds <= buckets[i])
			h->le[i]++;
	h->count++;
	h->sum += seconds;
	dirty = 1;
}

/* A label value as the format has it: \, " and newline escaped. */
static void
label(struct buf *b, const char *name, const char *value, int first)
{
	const char	*p;

	buf_printf(b, "%s%s=\"", first ? "" : ",", name);
	for (p = value != NULL ? value : ""; *p != '\0'; p++) {
		if (*p == '\\')
			buf_add_str(b, "\\\\");
		else if (*p == '"')
			buf_add_str(b, "\\\"");
		else if (*p == '\n')
			buf_add_str(b, "\\n");
		else
			buf_add(b, p, 1);
	}
	buf_printf(b, "\"");
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One certificate's sample of a gauge: name{domain,authority} value. */
static void
cert_sample(struct buf *b, const char *name, const struct dstate *ds,
    long long v)
{
	buf_printf(b, "%s{", name);
	label(b, "domain", ds->d->handle, 1);
	label(b, "authority", ds->d->auth ? ds->d->auth->name :
	    ds->d->auth_name, 0);
	buf_printf(b, "} %lld\n", v);
}

/* The certificates' gauges: a field of struct dstate each. */
enum cert_field {
	F_EXPIRY,
	F_PROVISIONAL,
	F_SUCCESS,
	F_FAILURE,
	F_FAILURES
};

static const struct {
	const char	*name;
	const char	*help;
	enum cert_field	 field;
} gauges[] = {
	{ "acmed_certificate_expiry_timestamp_seconds",
	    "When the installed certificate expires (Unix time).", F_EXPIRY },
	{ "acmed_certificate_provisional",
	    "1 while the installed certificate is acmed's provisional "
	    "self-signed one.", F_PROVISIONAL },
	{ "acmed_certificate_last_success_timestamp_seconds",
	    "When a certificate was last installed since the start "
	    "(Unix time).", F_SUCCESS },
	{ "acmed_certificate_last_failure_timestamp_seconds",
	    "When an attempt to issue or renew last failed since the start "
	    "(Unix time).", F_FAILURE },
	{ "acmed_certificate_consecutive_failures",
	    "Failed attempts to issue or renew in a row.", F_FAILURES },
};

/* A certificate's value of a gauge; 0 if it has none (not known). */
static int
gauge_value(const struct dstate *ds, enum cert_field f, long long *v)
{
	switch (f) {
	case F_EXPIRY:
		*v = (long long)ds->not_after;
		return ds->state != CERT_MISSING;
	case F_PROVISIONAL:
		*v = ds->state != CERT_ISSUED;
		return 1;
	case F_SUCCESS:
		*v = (long long)ds->last_success;
		return *v != 0;
	case F_FAILURE:
		*v = (long long)ds->last_failure;
		return *v != 0;
	case F_FAILURES:
		*v = ds->failures;
		return 1;
	}
	return 0;
}

static void
gen_certs(struct buf *b, const struct dstate *ds, size_t n)
{
	const char	*what;
	time_t		 at;
	long long	 v;
	size_t		 g, i;

	for (g = 0; g < sizeof(gauges) / sizeof(gauges[0]); g++) {
		family(b, gauges[g].name, "gauge", gauges[g].help);
		for (i = 0; i < n; i++)
			if (gauge_value(&ds[i], gauges[g].field, &v))
				cert_sample(b, gauges[g].name, &ds[i], v);
	}
	family(b, "acmed_certificate_next_action_timestamp_seconds", "gauge",
	    "When acmed next acts for the certificate (Unix time); action: "
	    "issue, renew, check, ordering, reload or verify.");
	for (i = 0; i < n; i++) {
		what = status_next_action(&ds[i], &at);
		buf_printf(b, "acmed_certificate_next_action_timestamp_"
		    "seconds{");
		label(b, "domain", ds[i].d->handle, 1);
		label(b, "authority", ds[i].d->auth ? ds[i].d->auth->name :
		    ds[i].d->auth_name, 0);
		label(b, "action", what, 0);
		buf_printf(b, "} %lld\n", (long long)at);
	}
}

/* A counter's family, its labels named la, lb and lc (NULL: none). */
static void
counter_family(struct buf *b, const char *name, const char *help,
    const struct counters *cs, const char *la, const char *lb,
    const char *lc)
{
	size_t	 i;

	family(b, name, "counter", help);
	for (i = 0; i < cs->n; i++) {
		buf_printf(b, "%s{", name);
		label(b, la, cs->v[i].a, 1);
		if (lb != NULL)
			label(b, lb, cs->v[i].b, 0);
		if (lc != NULL)
			label(b, lc, cs->v[i].c, 0);
		buf_printf(b, "} %llu\n", (unsigned long long)cs->v[i].n);
	}
}

static void
gen_counters(struct buf *b)
{
	size_t	 i, j;

	counter_family(b, "acmed_acme_requests_total", "Requests to an ACME "
	    "authority, by endpoint and HTTP status (none: no answer).",
	    &requests, "authority", "endpoint", "code");
	counter_family(b, "acmed_acme_rate_limit_pauses_total", "Times new "
	    "orders to an authority were paused by its Retry-After.", &pauses,
	    "authority", NULL, NULL);
	family(b, "acmed_order_duration_seconds", "histogram",
	    "Time from giving an order to netproc to its certificate.");
	for (i = 0; i < nhistograms; i++) {
		for (j = 0; j < NBUCKETS; j++) {
			buf_printf(b, "acmed_order_duration_seconds_bucket{");
			label(b, "authority", histograms[i].authority, 1);
			buf_printf(b, ",le=\"%g\"} %llu\n", buckets[j],
			    (unsigned long long)histograms[i].le[j]);
		}
		buf_printf(b, "acmed_order_duration_seconds_bucket{");
		label(b, "authority", histograms[i].authority, 1);
		buf_printf(b, ",le=\"+Inf\"} %llu\n",
		    (unsigned long long)histograms[i].count);
		buf_printf(b, "acmed_order_duration_seconds_sum{");
		label(b, "authority", histograms[i].authority, 1);
		buf_printf(b, "} %.3f\n", histograms[i].sum);
		buf_printf(b, "acmed_order_duration_seconds_count{");
		label(b, "authority", histograms[i].authority, 1);
		buf_printf(b, "} %llu\n",
		    (unsigned long long)histograms[i].count);
	}
	counter_family(b, "acmed_challenge_responses_total", "Answers of the "
	    "http-01 challenge server, by result.", &answers, "result", NULL,
	    NULL);
	family(b, "acmed_process_restarts_total", "counter",
	    "Times the child processes were restarted after one ended.");
	buf_printf(b, "acmed_process_restarts_total %llu\n",
	    (unsigned long long)restarts);
}

/*
 * The metrics file, if the configuration names one; 0, or -1.  A file
 * already there that does not pass the rule for files (trust.c) is not
 * replaced, as a certificate file would not be; said once.
 */
int
metrics_write(const struct config *conf, const struct dstate *ds, size_t n)
{
	static int	 refused;
	struct buf	 b;
	char		 why[TRUST_WHY_MAX];
	int		 fd, rc;

	if (conf->metrics_file == NULL)
		return 0;
	fd = trust_open(conf->metrics_file, TRUST_LOOK, TRUST_NOGROUP, why,
	    sizeof(why));
	if (fd == -1 && errno != ENOENT) {
		if (!refused++)
			log_warnx("metrics file %s: %s: acmed does not "
			    "replace it", conf->metrics_file, why);
		dirty = 0;
		written = time(NULL);
		return -1;
	}
	if (fd != -1)
		close(fd);
	refused = 0;
	buf_init(&b, 4096 + n * 1024);
	gen_certs(&b, ds, n);
	gen_counters(&b);
	family(&b, "acmed_metrics_updated_timestamp_seconds", "gauge",
	    "When acmed wrote this file (Unix time).");
	buf_printf(&b, "acmed_metrics_updated_timestamp_seconds %lld\n",
	    (long long)time(NULL));
	/* A report, rewritten after every change: not flushed. */
	rc = write_file_atomic(conf->metrics_file, b.data, b.len, 0644,
	    WRITE_NOSYNC);
	dirty = 0;
	written = time(NULL);
	buf_free(&b);
	return rc;
}
