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
 * The parent's words for the end of a certificate that could not be
 * renewed: seconds, minutes, hours or days left as the time left reads
 * best, "expired at" once it is past, and the moment itself in the form
 * the status file and the event hook give it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "acmed/parent.h"
#include "test.h"

/* 2026-11-28T23:43:00Z */
#define END	((time_t)1795909380)

static void
expect(time_t left, const char *want)
{
	char	 s[128];

	sched_expiry_text(END, END - left, s, sizeof(s));
	CHECK_STR(s, want, "%lld s left", (long long)left);
}

int
main(void)
{
	char	 s[32];

	CHECK(iso_time(END, s, sizeof(s)) == 0 &&
	    strcmp(s, "2026-11-28T23:43:00Z") == 0, "ISO 8601 in UTC: %s", s);
	expect(0, "expires in 0 seconds (2026-11-28T23:43:00Z)");
	expect(1, "expires in 1 second (2026-11-28T23:43:00Z)");
	expect(59, "expires in 59 seconds (2026-11-28T23:43:00Z)");
	expect(60, "expires in 1 minute (2026-11-28T23:43:00Z)");
	expect(42 * 60 + 59, "expires in 42 minutes (2026-11-28T23:43:00Z)");
	expect(60 * 60 - 1, "expires in 59 minutes (2026-11-28T23:43:00Z)");
	expect(60 * 60, "expires in 1 hour (2026-11-28T23:43:00Z)");
	expect(48 * 60 * 60 - 1,
	    "expires in 47 hours (2026-11-28T23:43:00Z)");
	expect(48 * 60 * 60, "expires in 2 days (2026-11-28T23:43:00Z)");
	expect(15 * 24 * 60 * 60 - 1,
	    "expires in 14 days (2026-11-28T23:43:00Z)");
	expect(-1, "expired at 2026-11-28T23:43:00Z");
	expect(-400 * 24 * 60 * 60, "expired at 2026-11-28T23:43:00Z");
	return test_done();
}
