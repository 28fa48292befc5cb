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
 * The parent's side of the fleet: the fleet's account key for an
 * authority replaces this node's, whose file is kept as KEY.bak; the
 * children restart with it, and netproc finds the account by its key.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "msg.h"
#include "keytype.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"

int	 fleet_restart;

void
fleet_account(struct authority *a, const char *node, const void *sealed,
    size_t len)
{
	char	 err[512], why[sizeof(err) + 128];
	char	*pem;
	size_t	 pemlen;

	if (fleet_key_open(KEY_ROLE_ACCOUNT, a->name, sealed, len, &pem,
	    &pemlen, err, sizeof(err)) == -1) {
		snprintf(why, sizeof(why), "fleet: the account key of "
		    "authority %s from node %s is not installed: %s", a->name,
		    node, err);
		log_warnx("%s", why);
		event_emit(conf, "fleet-refused", NULL, why);
		return;
	}
	if (write_file_atomic(a->account_key, pem, pemlen, 0600,
	    WRITE_BACKUP) == -1) {
		log_warnx("fleet: %s: the fleet's account key could not be "
		    "written", a->account_key);
		freezero(pem, pemlen);
		return;
	}
	freezero(pem, pemlen);
	(void)state_remove(conf->state_dir, "accounts", a->name);
	audit("fleet: authority %s: account key %s replaced by the fleet's "
	    "(from node %s), the old one kept as %s.bak", a->name,
	    a->account_key, node, a->account_key);
	fleet_restart = 1;
}
