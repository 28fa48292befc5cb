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
 * Growable buffers and the payload encoding: growth, the size limit,
 * formatted appends, every field type written and read back, and the
 * reader's refusal of anything that does not fit what is left.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "test.h"

static void
test_growth(void)
{
	struct buf	 b;
	char		 c;
	size_t		 i, len;
	int		 ok = 1;
	char		*s;

	buf_init(&b, 0);
	CHECK(b.len == 0 && b.data == NULL, "a new buffer is empty");
	CHECK_STR(buf_cstr(&b), "", "an empty buffer reads as \"\"");
	for (i = 0; i < 10000; i++) {
		c = 'a' + i % 26;
		if (buf_add(&b, &c, 1) == -1)
			ok = 0;
	}
	CHECK(ok && b.len == 10000 && b.cap > b.len,
	    "10000 one-byte appends grow the buffer (cap %zu)", b.cap);
	for (i = 0; i < 10000; i++)
		if (b.data[i] != 'a' + i % 26)
			ok = 0;
	CHECK(ok && b.data[b.len] == '\0', "contents kept across growth");
	CHECK(buf_add(&b, NULL, 0) == 0 && b.len == 10000,
	    "an empty append changes nothing");
	buf_reset(&b);
	CHECK(b.len == 0 && strcmp(buf_cstr(&b), "") == 0,
	    "reset empties the contents");
	CHECK(buf_add_str(&b, "hello") == 0 && buf_add_str(&b, ", world") == 0,
	    "string appends");
	s = buf_release(&b, &len);
	CHECK(s != NULL && len == 12 && strcmp(s, "hello, world") == 0,
	    "release hands over the NUL-terminated contents");
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0,
	    "release leaves the buffer empty");
	free(s);
	s = buf_release(&b, &len);
	CHECK(s != NULL && len == 0 && *s == '\0',
	    "release of an empty buffer gives \"\"");
	free(s);
	buf_free(&b);
}

static void
test_limit(void)
{
	struct buf	 b;
	uint8_t		 blk[10];

	memset(blk, 'x', sizeof(blk));
	buf_init(&b, 32);
	CHECK(buf_add(&b, blk, 10) == 0 && buf_add(&b, blk, 10) == 0 &&
	    buf_add(&b, blk, 10) == 0, "30 bytes fit a 32-byte limit");
	errno = 0;
	CHECK(buf_add(&b, blk, 3) == -1 && errno == EMSGSIZE,
	    "an append past the limit fails with EMSGSIZE");
	CHECK(b.len == 30, "a refused append leaves the contents alone");
	CHECK(buf_add(&b, blk, 2) == 0 && b.len == 32,
	    "an append up to exactly the limit succeeds");
	errno = 0;
	CHECK(buf_add(&b, blk, 1) == -1 && errno == EMSGSIZE,
	    "one byte more is refused");
	errno = 0;
	CHECK(buf_reserve(&b, SIZE_MAX) == -1 && errno == EMSGSIZE,
	    "a huge reservation is refused, not wrapped");
	buf_reset(&b);
	errno = 0;
	CHECK(buf_printf(&b, "%040d", 1) == -1 && errno == EMSGSIZE &&
	    b.len == 0, "a formatted append past the limit is refused");
	buf_reset(&b);
	CHECK(buf_add(&b, blk, 10) == 0, "refill");
	errno = 0;
	CHECK(buf_add_blob(&b, blk, 20) == -1 && errno == EMSGSIZE,
	    "a blob past the limit is refused");
	CHECK(b.len == 10, "a refused blob leaves no dangling length");
	errno = 0;
	CHECK(buf_add_lstr(&b, "0123456789012345678") == -1 &&
	    errno == EMSGSIZE && b.len == 10,
	    "a string past the limit is refused whole");
	buf_reset(&b);
	CHECK(buf_add(&b, blk, 10) == 0 && buf_add(&b, blk, 10) == 0 &&
	    buf_add(&b, blk, 6) == 0, "refill to 26");
	CHECK(buf_add_u64(&b, 1) == -1 && b.len == 26,
	    "a u64 that does not fit is refused whole");
	buf_free(&b);
}

static void
test_printf(void)
{
	struct buf	 b;
	char		 big[300];
	int		 i, ok = 1;

	buf_init(&b, 0);
	CHECK(buf_printf(&b, "%s=%d", "n", 42) == 0, "printf");
	CHECK(buf_printf(&b, "%s", "") == 0, "printf of nothing");
	CHECK(buf_printf(&b, ";%u", 7u) == 0, "printf appends");
	CHECK_STR(buf_cstr(&b), "n=42;7", "printf result");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < 20; i++)
		if (buf_printf(&b, "[%s]", big) == -1)
			ok = 0;
	CHECK(ok && b.len == 6 + 20 * 301 && strlen(buf_cstr(&b)) == b.len,
	    "long formatted appends grow the buffer");
	buf_free(&b);
}

static void
test_roundtrip(void)
{
	struct buf	 b;
	struct rbuf	 r;
	const uint8_t	*p;
	uint8_t		 bin[5] = { 0, 1, 0, 0xff, 0 };
	size_t		 n;
	char		*s1, *s2, *s3;
	uint32_t	 u32;
	uint64_t	 u64;
	int64_t		 i64a, i64b;

	buf_init(&b, 0);
	CHECK(buf_add_u32(&b, 0x01020304) == 0 &&
	    buf_add_u64(&b, 0x1122334455667788ULL) == 0 &&
	    buf_add_i64(&b, -2) == 0 && buf_add_i64(&b, INT64_MIN) == 0 &&
	    buf_add_lstr(&b, "domain.example") == 0 &&
	    buf_add_lstr(&b, NULL) == 0 && buf_add_lstr(&b, "") == 0 &&
	    buf_add_blob(&b, bin, sizeof(bin)) == 0 &&
	    buf_add_blob(&b, NULL, 0) == 0, "encode every field type");
	CHECK(b.len == 4 + 8 + 8 + 8 + 4 + 14 + 4 + 4 + 4 + 5 + 4,
	    "encoded length (%zu)", b.len);
	CHECK(memcmp(b.data, "\x01\x02\x03\x04\x11\x22\x33\x44\x55\x66\x77\x88"
	    "\xff\xff\xff\xff\xff\xff\xff\xfe\x80\0\0\0\0\0\0\0"
	    "\0\0\0\x0e" "domain.example", 46) == 0,
	    "integers are big-endian, strings length-prefixed");
	rbuf_init(&r, b.data, b.len);
	u32 = rbuf_u32(&r);
	u64 = rbuf_u64(&r);
	i64a = rbuf_i64(&r);
	i64b = rbuf_i64(&r);
	CHECK(u32 == 0x01020304 && u64 == 0x1122334455667788ULL &&
	    i64a == -2 && i64b == INT64_MIN, "integers read back");
	s1 = rbuf_str(&r, 100);
	s2 = rbuf_str(&r, 100);
	s3 = rbuf_str(&r, 0);
	CHECK_STR(s1, "domain.example", "string read back");
	CHECK(s2 != NULL && s3 != NULL && *s2 == '\0' && *s3 == '\0',
	    "NULL and \"\" both read back as \"\"");
	p = rbuf_blob(&r, &n, 5);
	CHECK(p != NULL && n == 5 && memcmp(p, bin, 5) == 0,
	    "blob with NULs read back");
	p = rbuf_blob(&r, &n, 5);
	CHECK(p != NULL && n == 0, "empty blob read back");
	CHECK(r.bad == 0 && rbuf_end(&r) == 0, "everything consumed");
	free(s1);
	free(s2);
	free(s3);
	buf_free(&b);
}

static void
test_rbuf_bad(void)
{
	struct buf	 b;
	struct rbuf	 r;
	const uint8_t	*p;
	size_t		 n, cut;
	char		*s;
	int		 ok;

	/* Every truncation of a valid payload fails somewhere. */
	buf_init(&b, 0);
	buf_add_u32(&b, 7);
	buf_add_lstr(&b, "abc");
	buf_add_u64(&b, 9);
	ok = 1;
	for (cut = 0; cut < b.len; cut++) {
		rbuf_init(&r, b.data, cut);
		(void)rbuf_u32(&r);
		s = rbuf_str(&r, 10);
		(void)rbuf_u64(&r);
		if (rbuf_end(&r) != -1 || errno != EBADMSG)
			ok = 0;
		free(s);
	}
	CHECK(ok, "every truncated payload is refused");

	rbuf_init(&r, b.data, 3);
	CHECK(rbuf_u32(&r) == 0 && r.bad, "u32 from 3 bytes fails");
	rbuf_init(&r, b.data, 7);
	CHECK(rbuf_u64(&r) == 0 && r.bad, "u64 from 7 bytes fails");
	rbuf_init(&r, NULL, 100);
	CHECK(rbuf_u32(&r) == 0 && r.bad, "NULL payload reads nothing");
	buf_free(&b);

	/* A length prefix larger than what is left. */
	rbuf_init(&r, "\0\0\0\x05" "abcd", 8);
	s = rbuf_str(&r, 100);
	CHECK(s == NULL && r.bad, "string longer than the rest is refused");
	rbuf_init(&r, "\0\0\0\x05" "abcd", 8);
	p = rbuf_blob(&r, &n, 100);
	CHECK(p == NULL && n == 0 && r.bad,
	    "blob longer than the rest is refused");
	rbuf_init(&r, "\xff\xff\xff\xff" "abcd", 8);
	p = rbuf_blob(&r, &n, SIZE_MAX);
	CHECK(p == NULL && r.bad, "length 0xffffffff is refused");

	/* Longer than the field's own limit. */
	rbuf_init(&r, "\0\0\0\x04" "abcd", 8);
	s = rbuf_str(&r, 3);
	CHECK(s == NULL && r.bad, "string over its limit is refused");
	rbuf_init(&r, "\0\0\0\x04" "abcd", 8);
	s = rbuf_str(&r, 4);
	CHECK_STR(s, "abcd", "string at exactly its limit is read");
	free(s);

	/* A NUL inside a string. */
	rbuf_init(&r, "\0\0\0\x03" "a\0c", 7);
	s = rbuf_str(&r, 100);
	CHECK(s == NULL && r.bad, "NUL inside a string is refused");
	rbuf_init(&r, "\0\0\0\x03" "ab\0", 7);
	s = rbuf_str(&r, 100);
	CHECK(s == NULL && r.bad, "trailing NUL inside a string is refused");
	rbuf_init(&r, "\0\0\0\x03" "a\0c", 7);
	p = rbuf_blob(&r, &n, 100);
	CHECK(p != NULL && n == 3 && rbuf_end(&r) == 0,
	    "NUL inside a blob is fine");

	/* Leftover bytes. */
	rbuf_init(&r, "\0\0\0\x01\0", 5);
	CHECK(rbuf_u32(&r) == 1 && !r.bad, "u32 read");
	errno = 0;
	CHECK(rbuf_end(&r) == -1 && errno == EBADMSG,
	    "a byte left over fails rbuf_end");

	/* Once bad, always bad, even if later reads would fit. */
	rbuf_init(&r, "\0\0\0\x09" "\0\0\0\x01" "\0\0\0\x02", 12);
	s = rbuf_str(&r, 4);
	CHECK(s == NULL && r.bad, "over-limit string marks the rbuf bad");
	CHECK(rbuf_u32(&r) == 0 && rbuf_u64(&r) == 0 && r.bad,
	    "later integer reads return 0");
	s = rbuf_str(&r, 100);
	p = rbuf_blob(&r, &n, 100);
	CHECK(s == NULL && p == NULL && n == 0 && r.bad,
	    "later string and blob reads fail");
	CHECK(rbuf_end(&r) == -1, "rbuf_end reports the failure");
	rbuf_init(&r, "\0\0\0\x01", 4);
	CHECK(rbuf_u64(&r) == 0 && r.bad, "a u64 from 4 bytes fails");
	CHECK(r.left == 0 || r.bad, "the state stays failed");
	CHECK(rbuf_end(&r) == -1, "even with nothing left");
}

static void
test_join(void)
{
	char		*v[] = { "a.example.org", "b.example.org", "c" };
	struct buf	 b;

	buf_init(&b, 0);
	CHECK(buf_add_join(&b, v, 0, "\n") == 0 && b.len == 0,
	    "join of nothing is empty");
	CHECK(buf_add_join(&b, v, 3, "\n") == 0, "join of three");
	CHECK_STR(buf_cstr(&b), "a.example.org\nb.example.org\nc",
	    "separator between, not after");
	buf_free(&b);
	buf_init(&b, 20);
	CHECK(buf_add_join(&b, v, 3, " ") == -1, "join past the limit fails");
	buf_free(&b);
}

int
main(void)
{
	test_growth();
	test_limit();
	test_printf();
	test_roundtrip();
	test_rbuf_bad();
	test_join();
	return test_done();
}
