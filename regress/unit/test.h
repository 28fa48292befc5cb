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
 * Minimal TAP output for unit tests: each check prints "ok N - what" or
 * "not ok N - what"; regress/run.sh counts them.  test_done() returns the
 * exit status.
 */
#ifndef ACMED_TEST_H
#define ACMED_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int test_n, test_failed;

#define CHECK(cond, ...) do {						\
	test_n++;							\
	if (cond) {							\
		printf("ok %d - ", test_n);				\
	} else {							\
		test_failed++;						\
		printf("not ok %d - %s:%d: ", test_n, __FILE__, __LINE__); \
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#define CHECK_STR(a, b, ...) do {					\
	const char *check_a_ = (a), *check_b_ = (b);			\
	int check_ok_ = check_a_ != NULL && check_b_ != NULL &&		\
	    strcmp(check_a_, check_b_) == 0;				\
	CHECK(check_ok_, __VA_ARGS__);					\
	if (!check_ok_)							\
		printf("#   got \"%s\", want \"%s\"\n",			\
		    check_a_ ? check_a_ : "(null)",			\
		    check_b_ ? check_b_ : "(null)");			\
} while (0)

/* A descriptor to read text from until EOF, as a file opened by the parent. */
static inline int
test_text_fd(const void *text, size_t len)
{
	int	 p[2];

	if (pipe(p) == -1)
		return -1;
	if (write(p[1], text, len) != (ssize_t)len) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	return p[0];
}

/* What a file holds, as a new string; NULL if it cannot be read. */
static inline char *
test_slurp(const char *path)
{
	FILE	*f;
	char	*s = NULL;
	long	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1 || (s = malloc(n + 1)) == NULL ||
	    fread(s, 1, n, f) != (size_t)n) {
		free(s);
		fclose(f);
		return NULL;
	}
	s[n] = '\0';
	fclose(f);
	return s;
}

static inline int
test_done(void)
{
	printf("# %d checks, %d failed\n", test_n, test_failed);
	return test_failed ? 1 : 0;
}

#endif
