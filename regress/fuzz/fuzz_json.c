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
 * Every ACME JSON parser, and the header parsers of the transport, on
 * hostile bytes.  The first input byte picks the parser; the rest is the
 * document.  A parsed problem is also turned into its log line, which
 * must be visible text (text.c) whatever the document held, and every
 * object is freed, so leaks and over-reads show up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acmed/netproc/acme.h"
#include "acmed/netproc/http.h"
#include "acmed/netproc/json.h"
#include "text.h"
#include "x509check.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A problem's log line: cleaning it again must change nothing. */
static void
problem_line(const struct acme_problem *p)
{
	char	*s, *t;

	if ((s = acme_problem_text(p)) == NULL)
		return;
	if ((t = text_cleandup(s, strlen(s))) != NULL && strcmp(s, t) != 0)
		abort();
	free(t);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acme_directory	 d;
	struct acme_problem	 p;
	struct acme_account	 a;
	struct acme_order	 o;
	struct acme_authz	 z;
	struct acme_challenge	 c;
	struct acme_renewal_info ri;
	struct http_resp	 r;
	char			 err[256], *s, *t;
	size_t			 i;
	time_t			 when;

	if (size < 1)
		return 0;
	data++;
	size--;
	switch (data[-1] % 10) {
	case 0:
		if (acme_parse_directory(data, size, &d, err, sizeof(err)) == 0)
			acme_directory_free(&d);
		break;
	case 1:
		if (acme_parse_problem(data, size, &p, err, sizeof(err)) == 0) {
			problem_line(&p);
			acme_problem_free(&p);
		}
		break;
	case 2:
		if (acme_parse_account(data, size, &a, err, sizeof(err)) == 0)
			acme_account_free(&a);
		break;
	case 3:
		if (acme_parse_order(data, size, &o, err, sizeof(err)) == 0) {
			if (o.error != NULL)
				problem_line(o.error);
			acme_order_free(&o);
		}
		break;
	case 4:
		if (acme_parse_authz(data, size, &z, err, sizeof(err)) == 0) {
			for (i = 0; i < z.nchallenges; i++)
				if (z.challenges[i].error != NULL)
					problem_line(z.challenges[i].error);
			acme_authz_free(&z);
		}
		break;
	case 5:
		if (acme_parse_challenge(data, size, &c, err, sizeof(err)) == 0)
			acme_challenge_free(&c);
		break;
	case 6:
		if (acme_parse_renewal_info(data, size, &ri, err,
		    sizeof(err)) == 0)
			acme_renewal_info_free(&ri);
		break;
	case 7:
	case 8:
		/* Header values: NUL-terminated, as libcurl hands them. */
		if ((s = malloc(size + 1)) == NULL)
			return 0;
		memcpy(s, data, size);
		s[size] = '\0';
		if (data[-1] % 10 == 7) {
			http_resp_init(&r);
			http_parse_link(&r, s);
			http_resp_free(&r);
		} else {
			(void)http_retry_after(s, 1700000000);
			(void)json_rfc3339(s, &when);
		}
		free(s);
		break;
	case 9:
		if ((t = x509_ari_id(data, size)) != NULL)
			free(t);
		break;
	}
	return 0;
}
