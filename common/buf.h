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
 * Growable byte buffers with a hard size limit and a reader that checks
 * every length it is given against what is left.
 */
#ifndef ACMED_BUF_H
#define ACMED_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* 0: SIZE_MAX / 2 */
};

void	 buf_init(struct buf *, size_t);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
int	 buf_reserve(struct buf *, size_t);
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_add_str(struct buf *, const char *);
int	 buf_add_join(struct buf *, char *const *, size_t, const char *);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
char	*buf_cstr(struct buf *);
char	*buf_release(struct buf *, size_t *);

/* Message payload encoding: big-endian integers, length-prefixed strings. */
int	 buf_add_u32(struct buf *, uint32_t);
int	 buf_add_u64(struct buf *, uint64_t);
int	 buf_add_i64(struct buf *, int64_t);
int	 buf_add_lstr(struct buf *, const char *);
int	 buf_add_text(struct buf *, const char *, size_t);
int	 buf_add_blob(struct buf *, const void *, size_t);

struct rbuf {
	const uint8_t	*p;
	size_t		 left;
	int		 bad;
};

void		 rbuf_init(struct rbuf *, const void *, size_t);
uint32_t	 rbuf_u32(struct rbuf *);
uint64_t	 rbuf_u64(struct rbuf *);
int64_t		 rbuf_i64(struct rbuf *);
char		*rbuf_str(struct rbuf *, size_t);
const uint8_t	*rbuf_blob(struct rbuf *, size_t *, size_t);
int		 rbuf_end(struct rbuf *);

#endif
