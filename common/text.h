/*
 * Text from outside (an authority's answers, a child's log lines) made
 * safe to show as one line: what could split, recolour or reorder a line
 * is written as a visible escape instead.
 */
#ifndef ACMED_TEXT_H
#define ACMED_TEXT_H

#include <stddef.h>

size_t	 text_clean(char *, size_t, const void *, size_t);
char	*text_cleandup(const void *, size_t);
int	 text_is_token(const char *, size_t);

#endif
