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
 * When a domain's orders go to its next authority (fallback.c), on a
 * clock given to it: failures that say the authority is down count from
 * the first one, for the fallback time or until the certificate enters
 * its expiry warning; a refusal of the order never counts; a Retry-After
 * falls back only if it ends past that moment, and a 503 with a short
 * Retry-After still counts as the authority being down.  After the last
 * authority the first comes again; an installed certificate brings the
 * first back and keeps its issuer; what is kept in the state directory is
 * read back as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "acmed/config.h"
#include "acmed/parent_state.h"
#include "test.h"

const char *const helper_dir = "/nonexistent";

#define T0	1800000000
#define AFTER	3600
#define DAY	(24 * 60 * 60)
#define RL	"urn:ietf:params:acme:error:rateLimited"

static char	 dir[] = "/tmp/t_fallback.XXXXXX";

static void
reset(struct dstate *ds, enum cert_state state)
{
	ds->state = state;
	ds->not_before = T0 - DAY;
	ds->not_after = T0 + 6 * DAY;	/* expiry warning: the last day */
	ds->auth_idx = 0;
	ds->failing_since = 0;
	ds->issuer = NULL;
}

int
main(void)
{
	struct config	 c;
	struct authority a[3];
	struct domain	 d;
	struct dstate	 ds, back;
	char		*names[1], *s, cmd[256];
	int		 i;

	log_init(1, 0, "acmed");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	CHECK(state_init(dir) == 0, "state directory made");
	memset(&c, 0, sizeof(c));
	TAILQ_INIT(&c.authorities);
	c.state_dir = dir;
	c.expiry_warn = DAY;
	memset(a, 0, sizeof(a));
	for (i = 0; i < 3; i++) {
		a[i].id = i + 1;
		a[i].name = (char *[]){ "le", "zerossl", "buypass" }[i];
		TAILQ_INSERT_TAIL(&c.authorities, &a[i], entry);
	}
	memset(&d, 0, sizeof(d));
	d.id = 7;
	d.handle = names[0] = "t.s09d.test";
	d.names = names;
	d.nnames = 1;
	d.auth = &a[0];
	d.fallback[0] = &a[1];
	d.fallback[1] = &a[2];
	d.nfallback = 2;
	d.fallback_after = AFTER;
	conf = &c;
	memset(&ds, 0, sizeof(ds));
	ds.d = &d;

	/* Down: counted from the first failure, for the fallback time. */
	reset(&ds, CERT_ISSUED);
	CHECK(!fallback_failed(&ds, "connection", 0, T0) &&
	    ds.failing_since == T0, "no connection: failing since then");
	CHECK(!fallback_failed(&ds, "urn:ietf:params:acme:error:badNonce",
	    0, T0 + AFTER - 1) && fallback_current(&ds) == &a[0],
	    "bad nonces a second before the fallback time: the first still");
	CHECK(fallback_failed(&ds, "directory", 0, T0 + AFTER) &&
	    fallback_current(&ds) == &a[1] && ds.failing_since == 0,
	    "a 503 directory at the fallback time: the second, afresh");
	s = state_read(dir, "fallback", d.handle);
	CHECK_STR(s, "zerossl 0", "kept: the second, not failing");
	free(s);

	/* The state read back, as at a restart. */
	CHECK(!fallback_failed(&ds, "http", 0, T0 + 2 * AFTER),
	    "the second fails once");
	memset(&back, 0, sizeof(back));
	back.d = &d;
	fallback_load(&back, 1, 1);
	CHECK(back.auth_idx == 1 && back.failing_since == T0 + 2 * AFTER,
	    "read back: the second, failing since then");

	/* After the last, the first again. */
	CHECK(fallback_failed(&ds, "timeout", 0, T0 + 3 * AFTER) &&
	    fallback_current(&ds) == &a[2], "then the third");
	CHECK(!fallback_failed(&ds, "connection", 0, T0 + 3 * AFTER) &&
	    fallback_failed(&ds, "connection", 0, T0 + 4 * AFTER) &&
	    fallback_current(&ds) == &a[0], "after the third, the first");

	/* A refusal of the order is no outage. */
	reset(&ds, CERT_ISSUED);
	CHECK(!fallback_failed(&ds, "urn:ietf:params:acme:error:"
	    "unauthorized", 0, T0) && ds.failing_since == 0 &&
	    !fallback_failed(&ds, "authorization", 0, T0 + 2 * AFTER) &&
	    fallback_current(&ds) == &a[0],
	    "refused orders: no failing time, no fallback");

	/* An outage into the expiry warning: at once. */
	reset(&ds, CERT_ISSUED);
	CHECK(!fallback_failed(&ds, "connection", 0, T0 + 5 * DAY - 60),
	    "down a minute before the expiry warning: the first still");
	CHECK(fallback_failed(&ds, "connection", 0, T0 + 5 * DAY) &&
	    fallback_current(&ds) == &a[1],
	    "down into the expiry warning: the second, before the "
	    "fallback time");

	/* Retry-After: within the window it is waited for. */
	reset(&ds, CERT_ISSUED);
	CHECK(!fallback_failed(&ds, RL, 4 * DAY, T0) &&
	    ds.failing_since == 0 && fallback_current(&ds) == &a[0],
	    "rate-limited for 4 days, renewed 5 days from now: waited for");
	CHECK(fallback_failed(&ds, RL, 5 * DAY + 1, T0) &&
	    fallback_current(&ds) == &a[1],
	    "rate-limited a second into the expiry warning: the second");
	reset(&ds, CERT_PROVISIONAL);
	CHECK(!fallback_failed(&ds, RL, AFTER, T0) &&
	    fallback_failed(&ds, RL, AFTER + 1, T0),
	    "no certificate yet: Retry-After past the fallback time only");

	/* 503 with a short Retry-After, again and again: still down. */
	reset(&ds, CERT_ISSUED);
	CHECK(!fallback_failed(&ds, "directory", 60, T0) &&
	    ds.failing_since == T0 &&
	    fallback_failed(&ds, "directory", 60, T0 + AFTER),
	    "a 503 with Retry-After: 60 for the fallback time: the second");

	/* Issued by the fallback: kept, and the next order to the first. */
	reset(&ds, CERT_ISSUED);
	ds.auth_idx = 1;
	ds.failing_since = T0;
	fallback_issued(&ds);
	CHECK(ds.issuer == &a[1] && fallback_issuer(&ds) == &a[1] &&
	    fallback_current(&ds) == &a[0] && ds.failing_since == 0,
	    "issued by the second: its issuer, the first asked next");
	s = state_read(dir, "issuer", d.handle);
	CHECK_STR(s, "zerossl", "the issuer kept");
	free(s);
	CHECK(state_read(dir, "fallback", d.handle) == NULL,
	    "nothing kept of the failures");
	memset(&back, 0, sizeof(back));
	back.d = &d;
	fallback_load(&back, 1, 1);
	CHECK(back.issuer == &a[1] && back.auth_idx == 0,
	    "read back: issued by the second, the first asked");
	fallback_issued(&ds);
	CHECK(ds.issuer == NULL && fallback_issuer(&ds) == &a[0] &&
	    state_read(dir, "issuer", d.handle) == NULL,
	    "issued by the first then: no issuer kept");

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# %s failed\n", cmd);
	return test_done();
}
