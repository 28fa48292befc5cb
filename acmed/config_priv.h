/*
 * Between the grammar (parse.y) and the checks, defaults and cleanup of
 * the configuration (config.c); nothing else includes this.
 */
#ifndef ACMED_CONFIG_PRIV_H
#define ACMED_CONFIG_PRIV_H

#include <time.h>

#include "config.h"

#define CONF_MAX_INCLUDE_DEPTH	10
#define CONF_MAX_ARGS		64
#define CONF_MIN_CHECK_INTERVAL	60
#define CONF_MAX_DURATION	((time_t)10 * 366 * 24 * 60 * 60)
#define CONF_MAX_USERNAME	32
/*
 * An authority's or a domain block's name names its files in the state
 * directory (NAME.url, NAME.key, ...): with a suffix it must stay within
 * a file name's 255 bytes.
 */
#define CONF_MAX_HANDLE		240

struct config	*conf_new(void);
const char	*conf_add_file(struct config *, const char *);
int		 conf_finish(struct config *);
const char	*conf_check_handle(const char *);
const char	*conf_check_hostname(const char *);
const char	*conf_check_username(const char *);
int		 conf_duration(long long, const char *, int, time_t *,
		    const char **);
char		**conf_split_command(const char *, const char **);
int		 conf_signal(const char *);
const char	*conf_signame(int);
int		 conf_listen(struct config *, const char *, long long,
		    const char **);
int		 conf_verify(struct domain *, const char *, long long,
		    const char **);
int		 conf_path_user(const struct config *, const char *, char *,
		    size_t, int);
void		 conf_free_argv(char **);
void		 conf_free_domain(struct domain *);
void		 conf_free_authority(struct authority *);

#endif
