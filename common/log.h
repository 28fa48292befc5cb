/*
 * Logging shared by every process.  The parent writes to stderr in the
 * foreground, to syslog as a daemon (or, while syslog does not answer, to
 * the standard error it had before it detached), and to the log file if
 * one is configured; children hand their lines to the parent over their
 * channel (MSG_LOG) so that every line has one format and one sink.
 */
#ifndef ACMED_LOG_H
#define ACMED_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

struct imsgchan;

void	log_init(int foreground, int verbose, const char *procname);
void	log_setverbose(int);
int	log_getverbose(void);
void	log_procname(const char *);
void	log_tochan(struct imsgchan *);
void	log_emit(int, const char *, const char *);
void	log_keep_stderr(void);
void	log_tostderr(int);
void	log_tofile(int, const char *);
void	log_where(char *, size_t);

void	log_warn(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_warnx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_crit(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_info(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	log_debug(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
void	vlog(int, const char *, va_list)
	    __attribute__((__format__ (printf, 2, 0)));
void	fatal(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2), __noreturn__));
void	fatalx(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2), __noreturn__));

#endif
