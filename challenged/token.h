/*
 * The published http-01 answers: token -> key authorization, in memory
 * only, with a bound on the number of entries and on every length.
 */
#ifndef ACMED_TOKEN_H
#define ACMED_TOKEN_H

#include <stddef.h>

#define TOKTAB_MAX	10000	/* published tokens at once */

struct toktab;

struct toktab	*toktab_new(size_t);
void		 toktab_free(struct toktab *);
int		 toktab_add(struct toktab *, const char *, size_t,
		    const char *, size_t);
int		 toktab_del(struct toktab *, const char *, size_t);
const char	*toktab_get(const struct toktab *, const char *, size_t,
		    size_t *);
size_t		 toktab_count(const struct toktab *);
int		 keyauth_valid(const char *, size_t);

#endif
