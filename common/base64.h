#ifndef ACMED_BASE64_H
#define ACMED_BASE64_H

#include <stddef.h>

char	*b64url_encode(const void *, size_t);
int	 b64url_decode(const char *, size_t, unsigned char **, size_t *);
int	 b64url_valid(const char *, size_t);

#endif
