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
 * One log format for every process, and sinks that reach the
 * administrator whatever the system has.  A child with a channel sends
 * MSG_LOG to the parent, which writes the line with the child's name.
 * The parent (and a child before it has a channel) writes:
 *
 *  - in the foreground, to standard error;
 *  - as a daemon, to syslog when /dev/log takes the line, else to the
 *    standard error it had before it detached, if that was open on
 *    something (a terminal, a file, a journal's socket); /dev/log is
 *    asked again for each line while it does not answer, so syslog is
 *    used again once it is back;
 *  - in both, to the log file too, if the configuration names one (the
 *    parent opens it: acmed/logfile.c).
 *
 * syslog is spoken here rather than through syslog(3), which gives no
 * sign of a line it could not send.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <paths.h>
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
#define LOG_CLEAN_MAX	(LOG_LINE_MAX * 4)	/* escaped by text_clean() */
#define LOG_SEND_WAIT	1	/* seconds a full syslog socket may hold us */

static int		 log_foreground = 1;
static int		 log_verbose;
static const char	*log_name = "acmed";
static struct imsgchan	*log_chan;
static int		 syslog_fd = -1;	/* connected to /dev/log */
static int		 syslog_up;	/* the last line reached it */
static int		 stderr_fd = -1;	/* a daemon's fall-back */
static int		 start_stderr;	/* a daemon's start: to stderr too */
static int		 file_fd = -1;
static char		*file_path;

static const char *const pri_names[] = {
	[LOG_EMERG] = "emerg",
	[LOG_ALERT] = "alert",
	[LOG_CRIT] = "crit",
	[LOG_ERR] = "err",
	[LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

/* Whether /dev/log takes datagrams: a syslog daemon has bound it. */
static int
syslog_connect(void)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { LOG_SEND_WAIT, 0 };
	int			 fd;

	if (syslog_fd != -1)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, _PATH_LOG, sizeof(sun.sun_path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	syslog_fd = fd;
	return 0;
}

static void
syslog_close(void)
{
	if (syslog_fd != -1)
		close(syslog_fd);
	syslog_fd = -1;
}

/*
 * The prefix of a line a child sent ("netproc: "), or nothing for the
 * parent's own.
 */
static const char *
proc_prefix(const char *proc, char *buf, size_t len)
{
	if (proc == NULL || strcmp(proc, "acmed") == 0)
		return "";
	snprintf(buf, len, "%s: ", proc);
	return buf;
}

/*
 * One line to syslog, as syslog(3) would send it (facility daemon, local
 * time, "acmed[pid]: "); sent again once on a new connection if the
 * socket went away.  0 if syslog took it.
 */
static int
syslog_send(int pri, const char *proc, const char *clean)
{
	char		 line[LOG_CLEAN_MAX + 128], stamp[32], pfx[32];
	struct tm	 tm;
	time_t		 now = time(NULL);
	int		 n, try;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	n = snprintf(line, sizeof(line), "<%d>%s acmed[%ld]: %s%s",
	    LOG_DAEMON | pri, stamp, (long)getpid(),
	    proc_prefix(proc, pfx, sizeof(pfx)), clean);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	for (try = 0; try < 2; try++) {
		if (syslog_connect() == -1)
			return -1;
		if (send(syslog_fd, line, (size_t)n, MSG_NOSIGNAL) == n)
			return 0;
		/* Full for a second: this line goes elsewhere, syslog stays. */
		if (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ENOBUFS)
			return -1;
		syslog_close();
	}
	return -1;
}

/* One whole line with a single write, so lines of processes never mix. */
static void
fd_write(int fd, const char *s, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static void
stderr_send(int fd, const char *proc, const char *clean)
{
	char	 line[LOG_CLEAN_MAX + 64], pfx[32];
	int	 n;

	if (fd == -1)
		return;
	n = snprintf(line, sizeof(line), "%s%s\n",
	    proc_prefix(proc, pfx, sizeof(pfx)), clean);
	if (n > 0)
		fd_write(fd, line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
}

/* "2026-11-28T23:43:05Z acmed[812]: err: netproc: ..." */
static void
file_send(int pri, const char *proc, const char *clean)
{
	char		 line[LOG_CLEAN_MAX + 128], stamp[32], pfx[32];
	struct tm	 tm;
	time_t		 now = time(NULL);
	int		 n;

	if (file_fd == -1)
		return;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		stamp[0] = '\0';
	n = snprintf(line, sizeof(line), "%s acmed[%ld]: %s: %s%s\n", stamp,
	    (long)getpid(), pri >= 0 && pri <= LOG_DEBUG ? pri_names[pri] :
	    "?", proc_prefix(proc, pfx, sizeof(pfx)), clean);
	if (n > 0)
		fd_write(file_fd, line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
}

void
log_init(int foreground, int verbose, const char *procname)
{
	log_foreground = foreground;
	log_verbose = verbose;
	log_name = procname;
	if (foreground)
		syslog_close();
	else
		syslog_up = syslog_connect() == 0;
	tzset();
}

/*
 * Before the parent detaches: keeps a copy of standard error, the
 * daemon's sink while syslog does not answer, if it is open on
 * something.  Not /dev/null, nor a pipe: whoever reads a pipe (a shell's
 * $(...)) would wait for the daemon's end.
 */
void
log_keep_stderr(void)
{
	struct stat	 st, null;

	if (stderr_fd != -1 || fstat(STDERR_FILENO, &st) == -1 ||
	    S_ISFIFO(st.st_mode) || (S_ISCHR(st.st_mode) &&
	    stat(_PATH_DEVNULL, &null) == 0 && st.st_rdev == null.st_rdev))
		return;
	stderr_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
}

/*
 * While a daemon's start is seen through by the command that started it
 * (on): its lines go to standard error as it is now as well as to syslog,
 * so that the command shows why a start failed.
 */
void
log_tostderr(int on)
{
	start_stderr = on;
}

/*
 * The log file from now on: fd, opened for appending, or -1 for none;
 * the one before is closed.
 */
void
log_tofile(int fd, const char *path)
{
	if (file_fd != -1)
		close(file_fd);
	free(file_path);
	file_path = NULL;
	file_fd = fd;
	if (fd != -1 && path != NULL && (file_path = strdup(path)) == NULL) {
		close(fd);
		file_fd = -1;
	}
}

/* Where lines go now, in words, for the start-up summary. */
void
log_where(char *buf, size_t len)
{
	const char	*s;

	if (log_foreground)
		s = "standard error";
	else if (syslog_up)
		s = "syslog";
	else if (stderr_fd != -1)
		s = "standard error (no syslog on " _PATH_LOG ")";
	else if (file_fd == -1)
		s = "nowhere (no syslog on " _PATH_LOG ", standard error was "
		    "closed or /dev/null, no log file)";
	else
		s = NULL;
	if (s == NULL)
		snprintf(buf, len, "%s (no syslog on " _PATH_LOG ")",
		    file_path);
	else if (file_fd != -1)
		snprintf(buf, len, "%s and %s", s, file_path);
	else
		snprintf(buf, len, "%s", s);
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
 * A daemon's line, to syslog or, while it does not answer, to standard
 * error.  Each change of sink is said where lines go from then on, so
 * that a gap in one is explained in the other.
 */
static void
daemon_send(int pri, const char *proc, const char *clean)
{
	static const char gone[] = "syslog does not answer on " _PATH_LOG
	    ": logging to standard error until it does";
	static const char back[] = "syslog answers on " _PATH_LOG " again";
	int		  errfd = start_stderr ? STDERR_FILENO : stderr_fd;

	if (syslog_send(pri, proc, clean) == 0) {
		if (!syslog_up) {
			syslog_up = 1;
			(void)syslog_send(LOG_WARNING, NULL, back);
			file_send(LOG_WARNING, NULL, back);
		}
		if (start_stderr)
			stderr_send(errfd, proc, clean);
		return;
	}
	if (syslog_up) {
		syslog_up = 0;
		stderr_send(errfd, NULL, gone);
		file_send(LOG_WARNING, NULL, gone);
	}
	stderr_send(errfd, proc, clean);
}

/*
 * Writes one finished line to the local sinks.  What the line holds may
 * come from an authority or from a child that is not to be trusted: it
 * is written as one line of visible text whatever it holds (text.c), so
 * no line can be forged or hidden by it.
 */
void
log_emit(int pri, const char *proc, const char *line)
{
	char	 clean[LOG_CLEAN_MAX];

	(void)text_clean(clean, sizeof(clean), line, strlen(line));
	if (log_foreground) {
		fflush(stderr);
		stderr_send(STDERR_FILENO, proc, clean);
	} else
		daemon_send(pri, proc, clean);
	file_send(pri, proc, clean);
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
