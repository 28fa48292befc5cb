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
 * acmed -r's reasons (RFC 5280 section 5.3.1, as RFC 8555 section 7.6
 * carries them), and what keyCompromise does beside the revocation: the
 * domain key is moved aside as KEY.compromised, where nothing reads it
 * again and nothing overwrites it, and a new key takes its place, so
 * that the next certificate is ordered with a key nobody else holds.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"

static const struct {
	const char		*name;
	enum revoke_reason	 reason;
} reasons[] = {
	{ "unspecified",		REVOKE_UNSPECIFIED },
	{ "keyCompromise",		REVOKE_KEY_COMPROMISE },
	{ "affiliationChanged",		REVOKE_AFFILIATION_CHANGED },
	{ "superseded",			REVOKE_SUPERSEDED },
	{ "cessationOfOperation",	REVOKE_CESSATION_OF_OPERATION },
};
#define NREASONS	(sizeof(reasons) / sizeof(reasons[0]))

/* The reason named s (its RFC 5280 name, in any case), or -1. */
int
revoke_reason_parse(const char *s)
{
	size_t	 i;

	for (i = 0; i < NREASONS; i++)
		if (strcasecmp(s, reasons[i].name) == 0)
			return reasons[i].reason;
	return -1;
}

const char *
revoke_reason_name(unsigned int reason)
{
	size_t	 i;

	for (i = 0; i < NREASONS; i++)
		if (reasons[i].reason == reason)
			return reasons[i].name;
	return "unknown";
}

/*
 * keyCompromise, once the authority has revoked the certificate: the
 * domain key, if it is the certificate's, is moved aside; a new one is
 * made when the key is next used (domkey.c), as "domain key rotate" makes
 * one, and installed with the provisional certificate that follows or
 * the next order's certificate (install.c).  A domain key that
 * is not the revoked certificate's is not the one compromised, and
 * stays.  0, or -1 (logged): the compromised key may still be in place.
 */
int
revoke_key_aside(struct dstate *ds, int cert_key)
{
	char	 to[PATH_MAX];

	if (!cert_key) {
		if (ds->pubkey != NULL)
			log_warnx("%s: the domain key %s is not the revoked "
			    "certificate's: kept", ds->d->handle, ds->d->key);
		return 0;
	}
	switch (file_aside(ds->d->key, "compromised", to, sizeof(to))) {
	case -1:
		log_warnx("%s: the compromised key %s is still in place: "
		    "move it away by hand before the next certificate is "
		    "ordered", ds->d->handle, ds->d->key);
		return -1;
	case 1:
		log_warnx("%s: %s is gone already", ds->d->handle, ds->d->key);
		break;
	default:
		audit("-r: domain %s: the compromised key %s moved to %s",
		    ds->d->handle, ds->d->key, to);
		break;
	}
	/* The next use of the domain key (domkey.c) makes a new one. */
	free(ds->pubkey);
	ds->pubkey = NULL;
	ds->pubkeylen = 0;
	return 0;
}
