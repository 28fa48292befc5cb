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
 * The state directory's files: a value as long as its field may be (a
 * URL of MSG_URL_MAX bytes, which netproc may send) is written and read
 * back whole; one byte more is refused when written, and a file that
 * holds more is ignored when read.  Real files in a directory of /tmp.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "msg.h"
#include "acmed/parent.h"
#include "test.h"

static char	 dir[] = "/tmp/t_state.XXXXXX";

/* "https://a.test/" and as many 'x' as make len bytes. */
static char *
url_of(size_t len)
{
	char	*s;

	if ((s = malloc(len + 1)) == NULL)
		exit(1);
	memset(s, 'x', len);
	memcpy(s, "https://a.test/", 15);
	s[len] = '\0';
	return s;
}

/* Writes text to dir/orders/NAME.url as it is. */
static int
write_raw(const char *name, const char *text)
{
	FILE	*f;
	char	 path[256];
	int	 rc;

	snprintf(path, sizeof(path), "%s/orders/%s.url", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	rc = fputs(text, f) == EOF ? -1 : 0;
	return fclose(f) == EOF ? -1 : rc;
}

int
main(void)
{
	char	*url, *got, *text, cmd[256];

	log_init(1, 0, "acmed");
	/* the files made here by hand are made as acmed makes its own */
	umask(022);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	CHECK(state_init(dir) == 0, "state directory made");

	url = url_of(MSG_URL_MAX);
	CHECK(state_write(dir, "orders", "a.test", url) == 0,
	    "a URL of %d bytes is written", MSG_URL_MAX);
	got = state_read(dir, "orders", "a.test");
	CHECK(got != NULL && strcmp(got, url) == 0,
	    "a URL of %d bytes is read back whole (%zu bytes)", MSG_URL_MAX,
	    got != NULL ? strlen(got) : 0);
	free(got);

	/* Written by hand, with a CRLF at its end. */
	if (asprintf(&text, "%s\r\n", url) == -1)
		return 1;
	CHECK(write_raw("crlf.test", text) == 0 && (got = state_read(dir,
	    "orders", "crlf.test")) != NULL && strcmp(got, url) == 0,
	    "a URL of %d bytes and a CRLF is read back whole", MSG_URL_MAX);
	free(got);
	free(text);
	free(url);

	url = url_of(MSG_URL_MAX + 1);
	CHECK(state_write(dir, "orders", "b.test", url) == -1,
	    "a URL of %d bytes is not written", MSG_URL_MAX + 1);
	CHECK(write_raw("c.test", url) == 0 &&
	    state_read(dir, "orders", "c.test") == NULL,
	    "a file holding %d bytes without a newline is ignored",
	    MSG_URL_MAX + 1);
	free(url);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# %s failed\n", cmd);
	return test_done();
}
