/*
 * Transport additions beyond acme.h: global set-up (before the sandbox),
 * test hooks, and the header parsers exposed for unit tests.
 */
#ifndef ACMED_HTTP_H
#define ACMED_HTTP_H

#include <time.h>

#include "acme.h"

int	 http_global_init(void);
void	 http_set_timeouts(struct http *, long, long, long);
long	 http_num_connects(struct http *);
long	 http_retry_after(const char *, time_t);
void	 http_parse_link(struct http_resp *, const char *);

#endif
