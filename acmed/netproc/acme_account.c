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
 * An authority's set-up, made by one operation for all (acme_setup):
 * the directory, fetched again after a day or when a URL it named
 * answered 404 (acme_dir_moved); the account, whose URL is known, or
 * looked up by its key (a key that existed), or registered, bound to an
 * external account when one is configured; and the account key's
 * thumbprint, for the key authorizations of challenges.  An authority
 * that requires a binding when none is configured is not asked at all:
 * the administrator learns what to configure.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "acme_op.h"

#define ERR_DOES_NOT_EXIST	"urn:ietf:params:acme:error:" \
				"accountDoesNotExist"

static void	account_step(struct acme_op *);
static void	thumb_step(struct acme_op *);

static void
setup_fail(struct acme_op *o)
{
	o->rc = -1;
	acme_setup_end(o);
}

static void
dir_got(struct acme_op *o)
{
	struct acme_authority	*a = o->a;
	struct http_resp	*r = &o->resp;
	struct acme_directory	 d;
	char			 err[256], *what = NULL, *dir = NULL;

	if (r->code == 0) {
		acme_fail(o, "connection", "authority %s: %s", a->name,
		    r->error);
		setup_fail(o);
		return;
	}
	if (r->code != 200) {
		what = acme_answer_what(r);
		acme_fail(o, "directory", "authority %s: directory %s "
		    "answered %s", a->name, a->api_url, what ? what : "?");
		o->retry_after = r->retry_after;
		free(what);
		setup_fail(o);
		return;
	}
	/* The directory read before serves the requests under way. */
	if (acme_parse_directory(r->body.data, r->body.len, &d, err,
	    sizeof(err)) == -1) {
		if (asprintf(&dir, "authority %s: directory %s", a->name,
		    a->api_url) == -1)
			dir = NULL;
		acme_answer_fail(o, "directory", dir ? dir : a->api_url, r,
		    err);
		free(dir);
		setup_fail(o);
		return;
	}
	acme_directory_free(&a->dir);
	a->dir = d;
	a->have_dir = 1;
	a->dir_time = acme_io->now();
	account_step(o);
}

/* Runs the set-up o asked acme_setup() for. */
void
acme_setup_run(struct acme_op *o)
{
	struct acme_authority	*a = o->a;

	if (acme_dir_fresh(a)) {
		account_step(o);
		return;
	}
	if (acme_io->http(o, HTTP_GET, a->api_url, NULL, 0, NULL,
	    dir_got) == -1)
		dir_got(o);
}

/* The account is the one at the Location of the last answer. */
static void
account_found(struct acme_op *o)
{
	struct acme_authority	*a = o->a;

	free(a->account_url);
	a->account_url = o->resp.location;
	o->resp.location = NULL;
	acme_io->account_url(a->id, a->account_url);
	thumb_step(o);
}

static void
lookup_got(struct acme_op *o)
{
	if (o->rc == 0 && o->resp.location != NULL)
		o->found = 1;
	else if (o->rc == 0 || o->error_type == NULL ||
	    strcmp(o->error_type, ERR_DOES_NOT_EXIST) != 0) {
		acme_fail(o, "account", "authority %s: account lookup "
		    "without a Location", o->a->name);
		o->found = -1;
	} else {
		acme_unfail(o);
		o->found = 0;
	}
	o->lookup_then(o);
}

/*
 * newAccount with onlyReturnExisting, signed as o says: then(o) with
 * o->found 1 and the account's URL in o->resp.location, 0 if the
 * authority knows no account with that key (not an error), -1 with the
 * op's error set.
 */
void
acme_lookup(struct acme_op *o, acme_fn then)
{
	char	*body;

	o->lookup_then = then;
	if ((body = acme_req_new_account(NULL, 1, NULL)) == NULL) {
		acme_fail(o, "internal", "authority %s: account lookup",
		    o->a->name);
		o->found = -1;
		then(o);
		return;
	}
	acme_post(o, o->a->dir.new_account, body, NULL, 1, lookup_got);
	free(body);
}

static void	register_step(struct acme_op *);

static void
looked_up(struct acme_op *o)
{
	switch (o->found) {
	case 1:
		account_found(o);
		break;
	case 0:
		register_step(o);
		break;
	default:
		setup_fail(o);
	}
}

static void
account_step(struct acme_op *o)
{
	struct acme_authority	*a = o->a;

	if (!(o->setup_what & SETUP_ACCOUNT) || a->account_url != NULL) {
		thumb_step(o);
		return;
	}
	o->reg_tries = 0;
	if (!(o->setup_what & SETUP_REREGISTER) && a->key_existed)
		acme_lookup(o, looked_up);
	else
		register_step(o);
}

static void	registered(struct acme_op *);

static void
register_send(struct acme_op *o, const struct acme_eab *eab)
{
	struct acme_authority	*a = o->a;

	free(o->reg_body);
	if ((o->reg_body = acme_req_new_account(a->contact, 0, eab)) ==
	    NULL) {
		acme_fail(o, "internal", "authority %s: new account request",
		    a->name);
		setup_fail(o);
		return;
	}
	o->reg_tries++;
	acme_post(o, a->dir.new_account, o->reg_body, NULL, 1, registered);
}

static void
eab_got(struct acme_op *o)
{
	if (o->ans.rc == -1) {
		acme_fail(o, "account", "authority %s: external account "
		    "binding: %s", o->a->name, o->ans.data ? o->ans.data :
		    "refused");
		setup_fail(o);
		return;
	}
	register_send(o, &o->ans.eab);
}

static void
register_step(struct acme_op *o)
{
	struct acme_authority	*a = o->a;

	if (o->no_register) {
		acme_fail(o, "account", "authority %s: no account has this "
		    "account key", a->name);
		setup_fail(o);
		return;
	}
	if (a->eab)
		acme_io->eab(o, a->keyid, a->dir.new_account, eab_got);
	else if (a->dir.eab_required) {
		acme_fail(o, "urn:ietf:params:acme:error:"
		    "externalAccountRequired", "authority %s requires an "
		    "external account binding: give its key id and MAC key "
		    "with \"external account\" in the authority's block",
		    a->name);
		setup_fail(o);
	} else
		register_send(o, NULL);
}

/*
 * Made or not, the account of a lost answer is known by its key: if the
 * authority has none, it is registered again, once.
 */
static void
lost_looked_up(struct acme_op *o)
{
	switch (o->found) {
	case 1:
		account_found(o);
		break;
	case 0:
		o->reg_tries++;
		acme_post(o, o->a->dir.new_account, o->reg_body, NULL, 1,
		    registered);
		break;
	default:
		setup_fail(o);
	}
}

static void
registered(struct acme_op *o)
{
	struct acme_authority	*a = o->a;

	if (o->rc == -1) {
		if (o->reg_tries == 1 && acme_lost(o, "newAccount",
		    "looking the account up by its key"))
			acme_lookup(o, lost_looked_up);
		else
			setup_fail(o);
		return;
	}
	if (o->resp.location == NULL) {
		acme_fail(o, "account", "authority %s: new account without "
		    "a Location", a->name);
		setup_fail(o);
		return;
	}
	log_info("authority %s: registered account %s", a->name,
	    o->resp.location);
	account_found(o);
}

static void
thumb_got(struct acme_op *o)
{
	struct acme_authority	*a = o->a;

	if (o->ans.rc == -1) {
		log_warnx("account key: keyproc: %s", o->ans.data ?
		    o->ans.data : "refused");
		acme_fail(o, "keyproc", "authority %s: no account key",
		    a->name);
		setup_fail(o);
		return;
	}
	free(a->thumbprint);
	a->thumbprint = o->ans.data;
	o->ans.data = NULL;
	o->rc = 0;
	acme_setup_end(o);
}

static void
thumb_step(struct acme_op *o)
{
	if (!(o->setup_what & SETUP_THUMB) || o->a->thumbprint != NULL) {
		o->rc = 0;
		acme_setup_end(o);
		return;
	}
	acme_io->thumbprint(o, o->a->keyid, thumb_got);
}
