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
 * Growable buffers that never grow past their limit, and the payload
 * encoding of messages: big-endian integers and u32-length-prefixed
 * strings, read back by an rbuf that fails (and stays failed) on any
 * length that does not fit what is left.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define BUF_DEFAULT_MAX	(SIZE_MAX / 2)

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max ? max : BUF_DEFAULT_MAX;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
}

/* Makes room for n more bytes plus a terminating NUL. */
int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 need, cap;
	uint8_t	*p;

	if (n > b->max || b->len > b->max - n) {
		errno = EMSGSIZE;
		return -1;
	}
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_add_str(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

/* The strings one after the other with sep between them (name lists). */
int
buf_add_join(struct buf *b, char *const *v, size_t n, const char *sep)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((i > 0 && buf_add_str(b, sep) == -1) ||
		    buf_add_str(b, v[i]) == -1)
			return -1;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
	return 0;
}

/* The contents as a C string ("" for an empty buffer); stays owned. */
char *
buf_cstr(struct buf *b)
{
	if (b->data == NULL && buf_reserve(b, 0) == -1)
		return NULL;
	b->data[b->len] = '\0';
	return (char *)b->data;
}

/* Hands the contents (NUL-terminated) to the caller and empties b. */
char *
buf_release(struct buf *b, size_t *lenp)
{
	char	*p;

	if (buf_cstr(b) == NULL)
		return NULL;
	p = (char *)b->data;
	if (lenp != NULL)
		*lenp = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

int
buf_add_u32(struct buf *b, uint32_t v)
{
	uint8_t	 p[4];

	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return buf_add(b, p, sizeof(p));
}

int
buf_add_u64(struct buf *b, uint64_t v)
{
	if (buf_reserve(b, 8) == -1)
		return -1;
	(void)buf_add_u32(b, v >> 32);
	return buf_add_u32(b, (uint32_t)v);
}

int
buf_add_i64(struct buf *b, int64_t v)
{
	return buf_add_u64(b, (uint64_t)v);
}

int
buf_add_blob(struct buf *b, const void *p, size_t n)
{
	/* Room for the whole field first: a refusal leaves no stray prefix. */
	if (n > UINT32_MAX || n > SIZE_MAX - 4) {
		errno = EMSGSIZE;
		return -1;
	}
	if (buf_reserve(b, 4 + n) == -1 || buf_add_u32(b, (uint32_t)n) == -1)
		return -1;
	return buf_add(b, p, n);
}

/* A string field; NULL is sent as the empty string. */
int
buf_add_lstr(struct buf *b, const char *s)
{
	if (s == NULL)
		s = "";
	return buf_add_blob(b, s, strlen(s));
}

/*
 * A string field for a person to read, cut to at most max bytes: a long
 * error is better shortened than lost.  A cut never splits a UTF-8
 * sequence and ends in "...".
 */
int
buf_add_text(struct buf *b, const char *s, size_t max)
{
	size_t	 n;

	if (s == NULL)
		s = "";
	if ((n = strlen(s)) <= max)
		return buf_add_blob(b, s, n);
	if (max < 3)
		return buf_add_blob(b, s, 0);
	n = max - 3;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	if (buf_reserve(b, 4 + n + 3) == -1 ||
	    buf_add_u32(b, (uint32_t)(n + 3)) == -1 || buf_add(b, s, n) == -1)
		return -1;
	return buf_add(b, "...", 3);
}

void
rbuf_init(struct rbuf *r, const void *p, size_t n)
{
	r->p = p;
	r->left = p == NULL ? 0 : n;
	r->bad = 0;
}

static const uint8_t *
rbuf_take(struct rbuf *r, size_t n)
{
	const uint8_t	*p;

	if (r->bad || n > r->left) {
		r->bad = 1;
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

uint32_t
rbuf_u32(struct rbuf *r)
{
	const uint8_t	*p;

	if ((p = rbuf_take(r, 4)) == NULL)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint64_t
rbuf_u64(struct rbuf *r)
{
	uint64_t	 hi, lo;

	hi = rbuf_u32(r);
	lo = rbuf_u32(r);
	return r->bad ? 0 : hi << 32 | lo;
}

int64_t
rbuf_i64(struct rbuf *r)
{
	return (int64_t)rbuf_u64(r);
}

/* A length-prefixed field of at most max bytes; points into the payload. */
const uint8_t *
rbuf_blob(struct rbuf *r, size_t *lenp, size_t max)
{
	uint32_t	 n;
	const uint8_t	*p;

	n = rbuf_u32(r);
	if (r->bad || n > max || n > r->left) {
		r->bad = 1;
		*lenp = 0;
		return NULL;
	}
	p = rbuf_take(r, n);
	*lenp = n;
	return p;
}

/*
 * A string field of at most max bytes, copied and NUL-terminated; a NUL
 * inside is malformed.  NULL on failure (and the rbuf is marked bad).
 */
char *
rbuf_str(struct rbuf *r, size_t max)
{
	const uint8_t	*p;
	size_t		 n;
	char		*s;

	if ((p = rbuf_blob(r, &n, max)) == NULL && r->bad)
		return NULL;
	if (n > 0 && memchr(p, '\0', n) != NULL) {
		r->bad = 1;
		return NULL;
	}
	if ((s = malloc(n + 1)) == NULL) {
		r->bad = 1;
		return NULL;
	}
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* 0 if every byte was consumed and nothing failed. */
int
rbuf_end(struct rbuf *r)
{
	if (r->bad || r->left != 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}
