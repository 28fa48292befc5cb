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
 * The domain keys keyproc holds for the parent.  A domain key is handed
 * to keyproc when the parent needs it (an order, a provisional
 * certificate, a revocation), with its role first, and dropped when that
 * is done, so that keyproc holds the keys in use rather than every key,
 * whatever the number of certificates, and a start reads no key.  The
 * parent keeps the key's public half meanwhile, from keyproc, the only
 * process that parses a private key, to check what it installs.  A new
 * domain key, whatever it is made for, waits in the state directory
 * until install.c installs it with its certificate.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"
#include "trust.h"

/* The domain's names as messages carry them, "\n"-separated. */
char *
names_joined(const struct domain *d)
{
	struct buf	 b;

	buf_init(&b, 0);
	if (buf_add_join(&b, d->names, d->nnames, "\n") == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_release(&b, NULL);
}

/* The public half of the key keyproc holds, to check issued leaves with. */
static int
key_pubkey(struct dstate *ds, char *err, size_t errlen)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*der;
	size_t		 len;
	char		*e;
	int		 rc = -1;

	snprintf(err, errlen, "domain key %s: keyproc is gone", ds->d->key);
	buf_init(&b, 64);
	buf_add_u32(&b, ds->keyid);
	if (child_call(PROC_KEYPROC, MSG_PUBKEY, &b, -1, 0, &m, NULL) == -1)
		goto out;
	if (m.hdr.type != MSG_PUBKEY_RESP) {
		e = key_error(&m);
		snprintf(err, errlen, "domain key %s: %s", ds->d->key, e);
		log_warnx("%s: %s", ds->d->handle, err);
		free(e);
		imsg_clear(&m);
		goto out;
	}
	rbuf_init(&r, m.data, m.datalen);
	(void)rbuf_u32(&r);
	der = rbuf_blob(&r, &len, MSG_PUBKEY_MAX);
	if (rbuf_end(&r) == -1 || (ds->pubkey = malloc(len)) == NULL) {
		snprintf(err, errlen, "domain key %s: no public key",
		    ds->d->key);
		imsg_clear(&m);
		goto out;
	}
	memcpy(ds->pubkey, der, len);
	ds->pubkeylen = len;
	imsg_clear(&m);
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/*
 * Hands keyproc the key at path (made first if create is set and it is
 * missing), whose role keyproc has; *loaded tells whether there was one.
 */
static int
key_hold_file(struct dstate *ds, const char *path, int pending, int create,
    int *loaded, char *err, size_t errlen)
{
	int	 existed;

	if (key_load(ds->keyid, path, ds->d->keytype, ds->d->keybits,
	    pending ? TRUST_NOGROUP : ds->d->key_gid, create, &existed, err,
	    errlen) == -1)
		return -1;
	*loaded = existed || create;
	ds->key_pending = pending && *loaded;
	return 0;
}

/*
 * keyproc holds the domain key from now on, the one use asks for.  A new
 * key is never written where the domain key is installed: it is made as
 * the pending key, in the state directory, and install_chain() installs
 * it with the first certificate that carries it, so that the key in
 * place always matches the certificate in place.  An order resumed uses
 * the pending key if there is one (its CSR may be signed with it
 * already), else the installed one; a new order discards the pending
 * key, and with "domain key rotate" makes a new one.  A missing key is no
 * error for DOMKEY_INSTALLED and DOMKEY_PENDING, and leaves ds->pubkey
 * NULL.  0, or -1 with the reason in err (logged).
 */
int
domain_key_hold(struct dstate *ds, enum domkey_use use, char *err,
    size_t errlen)
{
	char	 pending[PATH_MAX], *names;
	int	 has_pending, installed, loaded = 0, rc;

	if (ds->key_held)
		return 0;
	if (key_pending_path(ds, pending, sizeof(pending)) == -1) {
		snprintf(err, errlen, "%s: no pending key path", ds->d->handle);
		return -1;
	}
	if (use == DOMKEY_ORDER && ds->order_url == NULL &&
	    unlink(pending) == 0)
		log_info("%s: pending key %s discarded: a new order starts",
		    ds->d->handle, pending);
	has_pending = access(pending, F_OK) == 0;
	installed = use == DOMKEY_INSTALLED || use == DOMKEY_CERT ||
	    (use == DOMKEY_ORDER && !has_pending && (ds->order_url != NULL ||
	    !ds->d->key_rotate));
	if ((names = names_joined(ds->d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Bound to one authority: the one ordered from, or revoking. */
	rc = key_role(ds->keyid, KEY_ROLE_DOMAIN, ds->revoking != NULL ?
	    fallback_issuer(ds) : fallback_current(ds), names,
	    ds->d->profile);
	free(names);
	/* The role reached keyproc, whatever comes next: dropped with it. */
	ds->key_held = 1;
	if (rc == -1)
		snprintf(err, errlen, "domain key %s: keyproc is gone",
		    ds->d->key);
	if (rc == 0 && installed)
		rc = key_hold_file(ds, ds->d->key, 0, 0, &loaded, err, errlen);
	if (rc == 0 && !loaded && use != DOMKEY_INSTALLED)
		rc = key_hold_file(ds, pending, 1, use == DOMKEY_PENDING ? 0 :
		    KEY_CREATE_FIXED, &loaded, err, errlen);
	if (rc == -1 || (loaded && key_pubkey(ds, err, errlen) == -1)) {
		domain_key_release(ds);
		return -1;
	}
	return 0;
}

/* keyproc forgets the domain key, its role and what it made with it. */
void
domain_key_release(struct dstate *ds)
{
	struct buf	 b;

	if (!ds->key_held)
		return;
	ds->key_held = 0;
	ds->key_pending = 0;
	free(ds->pubkey);
	ds->pubkey = NULL;
	ds->pubkeylen = 0;
	buf_init(&b, 16);
	buf_add_u32(&b, ds->keyid);
	(void)send_msg(PROC_KEYPROC, MSG_KEY_DROP, -1, &b);
	buf_free(&b);
}

/* keyproc ended: it holds no key any more. */
void
domain_keys_gone(void)
{
	size_t	 i;

	for (i = 0; i < ndstates; i++) {
		dstates[i].key_held = 0;
		dstates[i].key_pending = 0;
		free(dstates[i].pubkey);
		dstates[i].pubkey = NULL;
		dstates[i].pubkeylen = 0;
	}
}
