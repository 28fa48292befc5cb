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
 * For the sandbox tests (regress/unit/t_sandbox.c, regress/helpers/
 * sbx_probe.c): a page at an address that ends in 32 zero bits, holding
 * a resource limit of 0.  A pointer to it is what a seccomp check of an
 * argument's low half alone takes for NULL.
 */
#ifndef ACMED_ZERO_LIMIT_H
#define ACMED_ZERO_LIMIT_H

#include <sys/mman.h>
#include <sys/resource.h>

#include <stdint.h>
#include <string.h>

/* The highest such page free below 2^47, or NULL. */
static inline struct rlimit *
zero_limit_page(void)
{
	uintptr_t	 k;
	void		*p;

	for (k = 0x7e00; k > 0x7d00; k--) {
		p = mmap((void *)(k << 32), 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == (void *)(k << 32)) {
			memset(p, 0, sizeof(struct rlimit));
			return p;
		}
		if (p != MAP_FAILED)
			munmap(p, 4096);
	}
	return NULL;
}

#endif
