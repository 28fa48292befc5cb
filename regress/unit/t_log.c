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
 * Log lines reach the sink as one line of visible text: a child's line
 * through a real channel and the parent's child_log(), a line crafted by
 * a compromised child, and the parent's own lines.  Standard error (the
 * foreground sink) goes to a file that is read back.  A child's line is
 * written at most at critical level, as the log file, which names each
 * line's level, shows.
 */

#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "acmed/parent_state.h"
#include "test.h"

const char *const helper_dir = "/nonexistent";

#define FORGED	"a.s09d.test\n\x1b[1Gacmed: a.s09d.test: certificate issued"
#define SHOWN	"a.s09d.test\\x0a\\x1b[1Gacmed: a.s09d.test: certificate issued"

static char	 errpath[] = "/tmp/t_log.XXXXXX";
static int	 errfd = -1, saved_stderr = -1;
static char	 filepath[] = "/tmp/t_log.file.XXXXXX";
static int	 filefd = -1;

/* Standard error into a fresh file. */
static void
capture(void)
{
	fflush(stderr);
	if (errfd != -1)
		close(errfd);
	unlink(errpath);
	strcpy(errpath, "/tmp/t_log.XXXXXX");
	if ((errfd = mkstemp(errpath)) == -1 || dup2(errfd, 2) == -1) {
		perror("capture");
		exit(1);
	}
}

/* What was written to standard error since capture(). */
static char *
captured(void)
{
	char	*s;

	fflush(stderr);
	if ((s = test_slurp(errpath)) == NULL) {
		perror(errpath);
		exit(1);
	}
	return s;
}

static int
count_lines(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static int
only_visible(const char *s)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
			return 0;
	return 1;
}

/* One MSG_LOG from the child end of a channel, handled as the parent does. */
static int
relay(struct imsgchan *parent)
{
	struct imsg	 m;
	int		 r;

	if (ichan_recv(parent, &m) != 1)
		return -1;
	if ((r = msg_check(&m)) == 0 && m.hdr.type == MSG_LOG)
		child_log(PROC_NETPROC, &m);
	else
		printf("# no well-formed MSG_LOG from the child end\n");
	imsg_clear(&m);
	return r;
}

/* A MSG_LOG with any line, as a compromised child could send it. */
static void
send_pri(struct imsgchan *child, uint32_t pri, const char *line)
{
	struct buf	 b;

	buf_init(&b, IMSG_MAX_SIZE);
	if (buf_add_u32(&b, pri) == -1 || buf_add_lstr(&b, line) == -1 ||
	    ichan_compose(child, MSG_LOG, 0, -1, b.data, b.len) == -1 ||
	    ichan_flush_all(child) == -1)
		printf("# MSG_LOG not sent\n");
	buf_free(&b);
}

static void
send_raw(struct imsgchan *child, const char *line)
{
	send_pri(child, LOG_ERR, line);
}

/*
 * The level a child's line sent at pri is written with, as the log file
 * names it ("crit"), or NULL.
 */
static char *
relayed_level(struct imsgchan *parent, struct imsgchan *child, uint32_t pri)
{
	char	 buf[512], *p, *e;
	ssize_t	 n;

	if (ftruncate(filefd, 0) == -1 || lseek(filefd, 0, SEEK_SET) == -1)
		return NULL;
	send_pri(child, pri, "the sky is falling");
	if (relay(parent) == -1 ||
	    (n = pread(filefd, buf, sizeof(buf) - 1, 0)) <= 0)
		return NULL;
	buf[n] = '\0';
	/* "TIME acmed[PID]: LEVEL: netproc: ..." */
	if ((p = strstr(buf, "]: ")) == NULL || (e = strchr(p + 3, ':')) == NULL)
		return NULL;
	*e = '\0';
	return strdup(p + 3);
}

int
main(void)
{
	struct imsgchan	*parent, *child;
	char		*out, *big;
	int		 sv[2];

	log_init(1, 0, "acmed");
	if ((saved_stderr = dup(2)) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    (parent = ichan_new(sv[0], IMSG_MAX_SIZE)) == NULL ||
	    (child = ichan_new(sv[1], IMSG_MAX_SIZE)) == NULL) {
		perror("set-up");
		return 1;
	}

	/* A child logs what an authority sent: its own log path, a channel. */
	capture();
	log_tochan(child);
	log_warnx("authorization for %s", FORGED);
	log_tochan(NULL);
	relay(parent);
	out = captured();
	CHECK_STR(out, "netproc: authorization for " SHOWN "\n",
	    "a child's line with a newline and ESC is one line, escaped");
	free(out);

	/* A compromised child sends what vlog() would never make. */
	capture();
	send_raw(child, "x\r\xc2\x9b" "2K\xe2\x80\xae" "fake\xff\x7f");
	relay(parent);
	out = captured();
	CHECK_STR(out, "netproc: x\\x0d\\u009b2K\\u202efake\\xff\\x7f\n",
	    "CR, C1, bidi override, a byte that is not UTF-8 and DEL shown");
	free(out);

	/* A line of nothing but newlines, as long as a line may be. */
	capture();
	if ((big = malloc(60000 + 1)) == NULL)
		return 1;
	memset(big, '\n', MSG_LINE_MAX);
	big[MSG_LINE_MAX] = '\0';
	send_raw(child, big);
	relay(parent);
	out = captured();
	CHECK(count_lines(out) == 1 && only_visible(out) &&
	    strncmp(out, "netproc: \\x0a\\x0a", 17) == 0,
	    "%d newlines from a child: one line of escapes (%zu bytes)",
	    MSG_LINE_MAX, strlen(out));
	free(out);
	/* Longer than any line: refused before it is read. */
	memset(big, '\n', 60000);
	big[60000] = '\0';
	send_raw(child, big);
	CHECK(relay(parent) == -1, "a line of 60000 bytes is refused as "
	    "malformed");
	free(big);

	/* The parent's own line, with text that came from a child. */
	capture();
	log_warnx("a.s09d.test: certificate not issued: %s",
	    "x\n\xe2\x81\xa6y\xe2\x80\x8f");
	out = captured();
	CHECK_STR(out, "a.s09d.test: certificate not issued: "
	    "x\\x0a\\u2066y\\u200f\n", "the parent's own line is cleaned too");
	free(out);

	/* Valid UTF-8 is kept as it is. */
	capture();
	log_warnx("r\xc3\xa9sum\xc3\xa9 \xe8\xaf\x81\xe4\xb9\xa6 "
	    "\xf0\x9f\x94\x92");
	out = captured();
	CHECK_STR(out, "r\xc3\xa9sum\xc3\xa9 \xe8\xaf\x81\xe4\xb9\xa6 "
	    "\xf0\x9f\x94\x92\n", "accented letters, CJK and emoji kept");
	free(out);

	/* A child cannot make a line louder than critical. */
	if ((filefd = mkstemp(filepath)) == -1) {
		perror("mkstemp");
		return 1;
	}
	log_tofile(dup(filefd), filepath);
	out = relayed_level(parent, child, LOG_EMERG);
	CHECK_STR(out, "crit", "a child's emergency line is logged as "
	    "critical");
	free(out);
	out = relayed_level(parent, child, LOG_ALERT);
	CHECK_STR(out, "crit", "a child's alert line is logged as critical");
	free(out);
	out = relayed_level(parent, child, LOG_ERR);
	CHECK_STR(out, "err", "an error line keeps its level");
	free(out);
	out = relayed_level(parent, child, LOG_INFO);
	CHECK_STR(out, "info", "an info line keeps its level");
	free(out);
	log_tofile(-1, NULL);
	unlink(filepath);

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(errfd);
	unlink(errpath);
	ichan_free(parent);
	ichan_free(child);
	close(sv[0]);
	close(sv[1]);
	return test_done();
}
