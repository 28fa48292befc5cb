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
 * Drives netproc's etcd client (acmed/netproc/etcd.c) from the shell
 * tests against a real etcd, and prints what came back:
 *
 *   etcd_drv -c ca.pem [-C cert.pem -K key.pem] -e URL [-e URL...] CMD ...
 *
 *   range KEY [prefix]		put KEY VAL [LEASE]	create KEY VAL [LEASE]
 *   putf LOCK FENCE KEY VAL	del KEY [prefix]	delf LOCK FENCE KEY
 *   grant TTL			keepalive ID		revoke ID
 *   watch PREFIX FROM_REV N	(the first N events, or the watch's end)
 *   watchlive PREFIX [S]	(a watch from now; S seconds later puts
 *				 then deletes PREFIXa itself; the events)
 *   nested KEY			(a callback that starts a request, then
 *				 one that frees the client)
 *   again N KEY		(N ranges one after the other, each with
 *				 "ms=" its time on its result line)
 *   freeall PREFIX		(a watch and a range, the client freed at
 *				 once: no callback may run)
 *
 * A value "hex:..." is those bytes, "fill:N" N bytes 'x'.  A result prints as one line "ok=1
 * succeeded=0 rev=12 lease=0 ttl=0 nkvs=1 err=" and a line "kv KEY
 * VALUE create=.. mod=.. version=.. lease=.." for each kv, bytes
 * outside printable ASCII as \xNN; an event as "event PUT|DELETE KEY
 * VALUE rev=N", a watch's end as "end rev=N err=...".  Exit 0 when ok.
 * Every callback checks that it does not run inside the call that
 * started it; each command is bounded in time.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acmed/netproc/etcd.h"
#include "acmed/netproc/ev.h"
#include "regress/helpers/slurp.h"

#define DRV_SECONDS	20

static int	 in_call;	/* a callback now would be a bug */
static int	 done;
static int	 failed;
static struct etcd *cli;

static long long
num(const char *s)
{
	char		*end;
	long long	 n = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0')
		errx(1, "%s: not a number", s);
	return n;
}

/* "hex:..." as bytes, anything else as itself. */
static char *
value_of(const char *s, size_t *len)
{
	char	*v;
	size_t	 i, n;
	unsigned int b;

	if (strncmp(s, "fill:", 5) == 0) {
		n = num(s + 5);
		if ((v = malloc(n + 1)) == NULL)
			err(1, NULL);
		memset(v, 'x', n);
		*len = n;
		return v;
	}
	if (strncmp(s, "hex:", 4) != 0) {
		*len = strlen(s);
		return strdup(s);
	}
	s += 4;
	n = strlen(s) / 2;
	if ((v = malloc(n + 1)) == NULL)
		err(1, NULL);
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			errx(1, "bad hex value");
		v[i] = b;
	}
	*len = n;
	return v;
}

static void
print_bytes(const char *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (p[i] > ' ' && p[i] < 0x7f && p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\x%02x", (unsigned char)p[i]);
	}
}

static void
print_kv(const char *what, const struct etcd_kv *kv)
{
	printf("%s ", what);
	print_bytes(kv->key, strlen(kv->key));
	putchar(' ');
	print_bytes(kv->value, kv->valuelen);
	if (kv->value[kv->valuelen] != '\0')
		printf(" NOT-TERMINATED");
	printf(" create=%lld mod=%lld version=%lld lease=%lld\n",
	    (long long)kv->create_rev, (long long)kv->mod_rev,
	    (long long)kv->version, (long long)kv->lease);
}

static void
check_outside(void)
{
	if (in_call) {
		printf("callback inside the call\n");
		exit(2);
	}
}

static void
print_result(const struct etcd_result *r)
{
	size_t	 i;

	printf("ok=%d succeeded=%d rev=%lld lease=%lld ttl=%lld nkvs=%zu "
	    "err=%s\n", r->ok, r->succeeded, (long long)r->revision,
	    (long long)r->lease, (long long)r->ttl, r->nkvs, r->err);
	for (i = 0; i < r->nkvs; i++)
		print_kv("kv", &r->kvs[i]);
	fflush(stdout);
}

static void
result_cb(void *arg, const struct etcd_result *r)
{
	(void)arg;
	check_outside();
	print_result(r);
	failed |= !r->ok;
	done = 1;
}

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
run(void)
{
	time_t	 end = time(NULL) + DRV_SECONDS;

	while (!done) {
		if (time(NULL) > end)
			errx(3, "no answer in %d s", DRV_SECONDS);
		if (ev_run_once(1000) == -1)
			err(3, "poll");
	}
}

#define CALL(expr) do {						\
	in_call = 1;							\
	if ((expr) == -1)						\
		errx(1, "%s: did not start", #expr);			\
	in_call = 0;							\
} while (0)

/* --- watches --- */

static int	 want_events, got_events;
static struct etcd_watch *watch;

static void
watch_cb(void *arg, const struct etcd_event *ev, int64_t rev,
    const char *e)
{
	(void)arg;
	check_outside();
	if (ev == NULL) {
		printf("end rev=%lld err=%s\n", (long long)rev, e);
		watch = NULL;
		failed = 1;
		done = 1;
		return;
	}
	print_kv(ev->type == ETCD_PUT ? "event PUT" : "event DELETE",
	    &ev->kv);
	printf("rev=%lld\n", (long long)rev);
	fflush(stdout);
	if (++got_events == want_events) {
		etcd_watch_cancel(watch);
		watch = NULL;
		done = 1;
	}
}

static struct etcd_watch *
start_watch(const char *prefix, int64_t from)
{
	struct etcd_watch	*w;

	in_call = 1;
	if ((w = etcd_watch(cli, prefix, from, watch_cb, NULL)) == NULL)
		errx(1, "etcd_watch did not start");
	in_call = 0;
	return w;
}

/* watchlive: the watch first, then a put and a delete of its own. */
static char	 live_key[ETCD_MAX_KEY + 2];
static long	 live_delay_ms;
static struct ev_timer live_timer;

/* The delete after the put's answer: two requests at once may swap. */
static void
live_step(void *arg, const struct etcd_result *r)
{
	check_outside();
	if (!r->ok)
		errx(1, "watchlive: %s", r->err);
	if (arg != NULL)
		CALL(etcd_delete(cli, live_key, 0, live_step, NULL));
}

static void
live_write(void *arg)
{
	(void)arg;
	CALL(etcd_put(cli, live_key, "live", 4, 0, live_step, live_key));
}

static void
live_range(void *arg, const struct etcd_result *r)
{
	const char	*prefix = arg;

	check_outside();
	if (!r->ok)
		errx(1, "watchlive: %s", r->err);
	watch = start_watch(prefix, r->revision + 1);
	ev_timer_set(&live_timer, live_delay_ms, live_write, NULL);
}

/* --- nested: requests from callbacks, and a free from one --- */

static int	 nested_step;

static void
nested_cb(void *arg, const struct etcd_result *r)
{
	check_outside();
	print_result(r);
	if (!r->ok)
		failed = 1;
	if (++nested_step == 1) {
		/* Two more: the first frees the client, the second never runs. */
		CALL(etcd_range(cli, arg, 0, nested_cb, arg));
		CALL(etcd_range(cli, arg, 0, nested_cb, arg));
		return;
	}
	if (nested_step == 2) {
		etcd_free(cli);
		cli = NULL;
		printf("freed\n");
		return;
	}
	printf("callback after etcd_free\n");
	exit(2);
}

static void
never_cb(void *arg, const struct etcd_result *r)
{
	(void)arg;
	(void)r;
	printf("callback after etcd_free\n");
	exit(2);
}

static void
never_watch_cb(void *arg, const struct etcd_event *ev, int64_t rev,
    const char *e)
{
	(void)arg;
	(void)ev;
	(void)rev;
	(void)e;
	printf("watch callback after etcd_free\n");
	exit(2);
}

static void
nested_wait(void)
{
	time_t	 end = time(NULL) + 3;

	/* The loop a little longer: nothing may run after the free. */
	while (time(NULL) <= end)
		if (ev_run_once(200) == -1)
			err(3, "poll");
}

/* again: the same range N times in a row, each timed. */
static int		 again_left;
static long long	 again_start;

static void
again_cb(void *arg, const struct etcd_result *r)
{
	check_outside();
	printf("ms=%lld ", now_ms() - again_start);
	print_result(r);
	failed |= !r->ok;
	if (--again_left == 0) {
		done = 1;
		return;
	}
	again_start = now_ms();
	CALL(etcd_range(cli, arg, 0, again_cb, arg));
}

int
main(int argc, char *argv[])
{
	const char	*eps[ETCD_MAX_ENDPOINTS + 1];
	char		*ca = NULL, *cert = NULL, *key = NULL, *v, errbuf[256];
	size_t		 neps = 0, calen = 0, certlen = 0, keylen = 0, vlen;
	int		 ch;

	while ((ch = getopt(argc, argv, "c:C:K:e:")) != -1) {
		switch (ch) {
		case 'c':
			ca = slurp(optarg, &calen);
			break;
		case 'C':
			cert = slurp(optarg, &certlen);
			break;
		case 'K':
			key = slurp(optarg, &keylen);
			break;
		case 'e':
			if (neps == ETCD_MAX_ENDPOINTS + 1)
				errx(1, "too many endpoints");
			eps[neps++] = optarg;
			break;
		default:
			errx(1, "usage");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		errx(1, "no command");
	if ((cli = etcd_new(eps, neps, ca, calen, cert, certlen, key, keylen,
	    errbuf, sizeof(errbuf))) == NULL) {
		printf("etcd_new: %s\n", errbuf);
		return 1;
	}
	/* The client keeps copies. */
	free(ca);
	free(cert);
	free(key);
	if (strcmp(argv[0], "range") == 0 && argc >= 2)
		CALL(etcd_range(cli, argv[1], argc > 2, result_cb, NULL));
	else if (strcmp(argv[0], "put") == 0 && argc >= 3) {
		v = value_of(argv[2], &vlen);
		CALL(etcd_put(cli, argv[1], v, vlen, argc > 3 ? num(argv[3]) :
		    0, result_cb, NULL));
		free(v);
	} else if (strcmp(argv[0], "create") == 0 && argc >= 3) {
		v = value_of(argv[2], &vlen);
		CALL(etcd_create(cli, argv[1], v, vlen, argc > 3 ?
		    num(argv[3]) : 0, result_cb, NULL));
		free(v);
	} else if (strcmp(argv[0], "putf") == 0 && argc == 5) {
		v = value_of(argv[4], &vlen);
		CALL(etcd_put_fenced(cli, argv[1], num(argv[2]), argv[3], v,
		    vlen, 0, result_cb, NULL));
		free(v);
	} else if (strcmp(argv[0], "del") == 0 && argc >= 2)
		CALL(etcd_delete(cli, argv[1], argc > 2, result_cb, NULL));
	else if (strcmp(argv[0], "delf") == 0 && argc == 4)
		CALL(etcd_delete_fenced(cli, argv[1], num(argv[2]), argv[3], 0,
		    result_cb, NULL));
	else if (strcmp(argv[0], "grant") == 0 && argc == 2)
		CALL(etcd_lease_grant(cli, num(argv[1]), result_cb, NULL));
	else if (strcmp(argv[0], "keepalive") == 0 && argc == 2)
		CALL(etcd_lease_keepalive(cli, num(argv[1]), result_cb, NULL));
	else if (strcmp(argv[0], "revoke") == 0 && argc == 2)
		CALL(etcd_lease_revoke(cli, num(argv[1]), result_cb, NULL));
	else if (strcmp(argv[0], "watch") == 0 && argc == 4) {
		want_events = num(argv[3]);
		watch = start_watch(argv[1], num(argv[2]));
	} else if (strcmp(argv[0], "watchlive") == 0 && (argc == 2 ||
	    argc == 3)) {
		want_events = 2;
		live_delay_ms = argc == 3 ? num(argv[2]) * 1000 : 0;
		snprintf(live_key, sizeof(live_key), "%sa", argv[1]);
		CALL(etcd_range(cli, argv[1], 1, live_range, argv[1]));
	} else if (strcmp(argv[0], "again") == 0 && argc == 3) {
		again_left = num(argv[1]);
		again_start = now_ms();
		CALL(etcd_range(cli, argv[2], 0, again_cb, argv[2]));
	} else if (strcmp(argv[0], "freeall") == 0 && argc == 2) {
		in_call = 1;
		if (etcd_watch(cli, argv[1], 0, never_watch_cb, NULL) == NULL ||
		    etcd_range(cli, argv[1], 1, never_cb, NULL) == -1)
			errx(1, "did not start");
		etcd_free(cli);
		in_call = 0;
		nested_wait();
		printf("nothing after etcd_free\n");
		return 0;
	} else if (strcmp(argv[0], "nested") == 0 && argc == 2) {
		CALL(etcd_range(cli, argv[1], 0, nested_cb, argv[1]));
		nested_wait();
		return nested_step == 2 && !failed ? 0 : 1;
	} else
		errx(1, "bad command");
	run();
	etcd_free(cli);
	return failed;
}
