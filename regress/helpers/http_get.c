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
 * Fetches a URL with netproc's transport (acmed/netproc/http.c) and
 * prints what it saw, for the shell tests:
 *
 *   http_get -c ca.pem [-I] [-d body] [-a accept] [-n count]
 *	[-t connect_ms,total_ms,low_speed_s] [-D] [-b] URL
 *
 * -I HEAD, -d POST application/jose+json, -n repeat (and print the number
 * of connections opened in all), -D parse the body as an ACME directory,
 * -b print the body.  Exit 0 if an HTTP answer arrived, 1 if not ("lost"
 * after the error if the request went out).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acmed/netproc/acme.h"
#include "acmed/netproc/http.h"
#include "regress/helpers/slurp.h"

static void
show(const struct http_resp *r, int body)
{
	size_t	 i;

	printf("status %ld\n", r->code);
	if (r->content_type != NULL)
		printf("content-type %s\n", r->content_type);
	if (r->nonce != NULL)
		printf("nonce %s\n", r->nonce);
	if (r->location != NULL)
		printf("location %s\n", r->location);
	if (r->retry_after != -1)
		printf("retry-after %ld\n", r->retry_after);
	if (r->link_up != NULL)
		printf("link-up %s\n", r->link_up);
	for (i = 0; i < r->nalternates; i++)
		printf("alternate %s\n", r->alternates[i]);
	printf("body-length %zu\n", r->body.len);
	if (body && r->body.len > 0) {
		fwrite(r->body.data, 1, r->body.len, stdout);
		printf("\n");
	}
}

static void
show_directory(const struct http_resp *r)
{
	struct acme_directory	 d;
	char			 e[256];

	if (acme_parse_directory(r->body.data, r->body.len, &d, e,
	    sizeof(e)) == -1) {
		printf("directory-error %s\n", e);
		return;
	}
	printf("dir newNonce %s\n", d.new_nonce);
	printf("dir newAccount %s\n", d.new_account);
	printf("dir newOrder %s\n", d.new_order);
	if (d.revoke_cert != NULL)
		printf("dir revokeCert %s\n", d.revoke_cert);
	if (d.key_change != NULL)
		printf("dir keyChange %s\n", d.key_change);
	if (d.renewal_info != NULL)
		printf("dir renewalInfo %s\n", d.renewal_info);
	printf("dir eab %d\n", d.eab_required);
	acme_directory_free(&d);
}

int
main(int argc, char *argv[])
{
	struct http	*h;
	struct http_resp r;
	const char	*ca = NULL, *data = NULL, *accept = NULL;
	char		*pem;
	size_t		 pemlen;
	long		 cms = 0, tms = 0, ls = 0;
	int		 ch, head = 0, count = 1, dir = 0, body = 0, i, rc = 0;

	while ((ch = getopt(argc, argv, "a:bc:Dd:In:t:")) != -1) {
		switch (ch) {
		case 'a':
			accept = optarg;
			break;
		case 'b':
			body = 1;
			break;
		case 'c':
			ca = optarg;
			break;
		case 'D':
			dir = 1;
			break;
		case 'd':
			data = optarg;
			break;
		case 'I':
			head = 1;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 't':
			if (sscanf(optarg, "%ld,%ld,%ld", &cms, &tms, &ls) != 3)
				errx(1, "-t connect_ms,total_ms,low_speed_s");
			break;
		default:
			errx(1, "bad usage");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || ca == NULL || count < 1 || count > 1000)
		errx(1, "usage: http_get -c ca.pem [-bDI] [-a accept] "
		    "[-d body] [-n count] [-t c,t,l] URL");
	pem = slurp(ca, &pemlen);
	if (http_global_init() == -1)
		errx(1, "curl_global_init failed");
	if ((h = http_new(pem, pemlen, "acmed-regress")) == NULL)
		errx(1, "http_new failed");
	free(pem);
	http_set_timeouts(h, cms, tms, ls);
	http_resp_init(&r);
	for (i = 0; i < count; i++) {
		if (data != NULL)
			rc = http_post_jose(h, argv[0], data, strlen(data),
			    accept, &r);
		else if (head)
			rc = http_head(h, argv[0], &r);
		else
			rc = http_get(h, argv[0], &r);
		if (rc == -1) {
			printf("error %s\n", r.error);
			if (r.lost)
				printf("lost\n");
			break;
		}
	}
	if (rc == 0) {
		show(&r, body);
		if (dir)
			show_directory(&r);
	}
	printf("connections %ld\n", http_num_connects(h));
	http_resp_free(&r);
	http_free(h);
	return rc == 0 ? 0 : 1;
}
