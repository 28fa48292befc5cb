/*
 * One log format for every process.  The parent (and a child before it
 * has a channel) writes to stderr in the foreground or to syslog; a child
 * with a channel sends MSG_LOG to the parent, which writes it with the
 * child's name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "text.h"

#define LOG_LINE_MAX	(MSG_LINE_MAX + 1)	/* with its NUL */

static int		 log_foreground = 1;
static int		 log_verbose;
static const char	*log_name = "acmed";
static struct imsgchan	*log_chan;

void
log_init(int foreground, int verbose, const char *procname)
{
	log_foreground = foreground;
	log_verbose = verbose;
	log_name = procname;
	if (!foreground)
		openlog("acmed", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
log_procname(const char *name)
{
	log_name = name;
}

void
log_tochan(struct imsgchan *chan)
{
	log_chan = chan;
}

/*
 * Writes one finished line to the local sink.  What the line holds may
 * come from an authority or from a child that is not to be trusted: it
 * is written as one line of visible text whatever it holds (text.c), so
 * no line can be forged or hidden by it.
 */
void
log_emit(int pri, const char *proc, const char *line)
{
	char	 clean[LOG_LINE_MAX * 4];

	(void)text_clean(clean, sizeof(clean), line, strlen(line));
	if (log_foreground) {
		if (proc != NULL && strcmp(proc, "acmed") != 0)
			fprintf(stderr, "%s: %s\n", proc, clean);
		else
			fprintf(stderr, "%s\n", clean);
		fflush(stderr);
	} else if (proc != NULL && strcmp(proc, "acmed") != 0)
		syslog(pri, "%s: %s", proc, clean);
	else
		syslog(pri, "%s", clean);
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char		 line[LOG_LINE_MAX];
	struct buf	 b;
	int		 saved = errno;

	if (pri == LOG_DEBUG && log_verbose < 1)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_chan != NULL) {
		buf_init(&b, MSG_PAYLOAD_MAX);
		if (buf_add_u32(&b, pri) == 0 && buf_add_lstr(&b, line) == 0 &&
		    ichan_compose(log_chan, MSG_LOG, 0, -1, b.data, b.len) == 0)
			(void)ichan_flush_all(log_chan);
		else
			log_emit(pri, log_name, line);
		buf_free(&b);
	} else
		log_emit(pri, log_name, line);
	errno = saved;
}

static void
logf_(int pri, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char	 msg[1800];
	int	 saved = errno;

	if (fmt == NULL) {
		logf_(pri, "%s", strerror(saved));
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		logf_(pri, "%s: %s", msg, strerror(saved));
	}
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_crit(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
