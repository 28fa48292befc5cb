/*
 * The audit trail of -r and -k, which run in the foreground: what each
 * did goes to syslog as well as to standard error, so that a revocation
 * or a key change is on record wherever the command was typed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "log.h"
#include "parent_state.h"

void
audit(const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_info("%s", line);
	if (foreground) {
		openlog("acmed", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		syslog(LOG_NOTICE, "%s", line);
		closelog();
	}
}
