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
 * The table of keys keyproc holds (keys.h): as many as the parent hands
 * it, each found by its number through a hash index, so that neither a
 * look-up nor a key more costs more with the number held.  The parent
 * hands a domain key when it needs it and drops it after, so the table
 * holds the account keys and the domain keys in use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "log.h"
#include "crypto.h"
#include "keys.h"

#define INDEX_MIN	64	/* slots of the first index */
#define INDEX_FREE	((size_t)-1)

static struct key	**keys;		/* held, in no order */
static size_t		 nkeys, capkeys;
static size_t		*slots;		/* index: positions in keys, or free */
static size_t		 nslots;	/* a power of 2, over twice nkeys */

static size_t
slot_of(uint32_t id)
{
	/* Fibonacci hashing: the parent's numbers come in runs. */
	return (size_t)((id * 2654435769U) & (nslots - 1));
}

/* The slot that holds id, or the free slot where it would go. */
static size_t
slot_find(uint32_t id)
{
	size_t	 s;

	for (s = slot_of(id); slots[s] != INDEX_FREE; s = (s + 1) & (nslots - 1))
		if (keys[slots[s]]->id == id)
			break;
	return s;
}

/* Builds the index anew with n slots; -1 if there is no memory for it. */
static int
index_build(size_t n)
{
	size_t	*ns, i, s;

	if ((ns = reallocarray(NULL, n, sizeof(*ns))) == NULL)
		return -1;
	free(slots);
	slots = ns;
	nslots = n;
	for (i = 0; i < n; i++)
		slots[i] = INDEX_FREE;
	for (i = 0; i < nkeys; i++) {
		s = slot_find(keys[i]->id);
		slots[s] = i;
	}
	return 0;
}

struct key *
key_find(uint32_t id)
{
	size_t	 s;

	if (nkeys == 0)
		return NULL;
	s = slot_find(id);
	return slots[s] == INDEX_FREE ? NULL : keys[slots[s]];
}

/* The policy of the i-th key held, NULL past the last (policy_at). */
struct policy *
key_policy_at(size_t i)
{
	return i < nkeys ? &keys[i]->pol : NULL;
}

/* The entry of key id, made empty if there is none; NULL (logged) if not. */
struct key *
key_slot(uint32_t id)
{
	struct key	*k, **nk;
	size_t		 n;

	if ((k = key_find(id)) != NULL)
		return k;
	if (nkeys == capkeys) {
		n = capkeys ? capkeys * 2 : INDEX_MIN / 2;
		if ((nk = reallocarray(keys, n, sizeof(*keys))) == NULL) {
			log_warn("key %u", id);
			return NULL;
		}
		keys = nk;
		capkeys = n;
	}
	if (2 * (nkeys + 1) > nslots && index_build(nslots ? nslots * 2 :
	    INDEX_MIN) == -1) {
		log_warn("key %u", id);
		return NULL;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		log_warn("key %u", id);
		return NULL;
	}
	k->id = id;
	keys[nkeys] = k;
	slots[slot_find(id)] = nkeys++;
	return k;
}

/* Takes pkey (or the error text when pkey is NULL) for key id. */
int
key_store(uint32_t id, EVP_PKEY *pkey, const char *error)
{
	struct key	*k;

	if ((k = key_slot(id)) == NULL) {
		EVP_PKEY_free(pkey);
		return -1;
	}
	EVP_PKEY_CTX_free(k->signer);
	EVP_PKEY_free(k->pkey);
	free(k->error);
	k->signer = NULL;
	k->pkey = pkey;
	k->error = NULL;
	if (pkey == NULL && (k->error = strdup(error)) == NULL)
		log_warn("key %u", id);
	return 0;
}

static void
eab_clear(struct eab *e)
{
	secret_free(e->mac, e->maclen);
	free(e->kid);
	free(e->error);
	memset(e, 0, sizeof(*e));
}

/* Takes kid and mac (or the error text when mac is NULL) for account id. */
void
eab_store(uint32_t id, char *kid, unsigned char *mac, size_t maclen,
    const char *error)
{
	struct key	*k;

	if ((k = key_slot(id)) == NULL) {
		free(kid);
		secret_free(mac, maclen);
		return;
	}
	eab_clear(&k->eab);
	k->eab.kid = kid;
	k->eab.mac = mac;
	k->eab.maclen = maclen;
	if (mac == NULL && (k->eab.error = strdup(error)) == NULL)
		log_warn("key %u", id);
}

static void
key_free(struct key *k)
{
	EVP_PKEY_CTX_free(k->signer);
	EVP_PKEY_free(k->pkey);
	free(k->error);
	eab_clear(&k->eab);
	policy_clear(&k->pol);
	free(k);
}

/*
 * Forgets key id and all that came with it: -1 if it was not held.  The
 * slots after its own move up (Knuth's algorithm R), so that no look-up
 * stops short of a key; the last key held takes its place in the table.
 */
int
key_drop(uint32_t id)
{
	size_t	 s, t, h, i;

	if (nkeys == 0 || slots[s = slot_find(id)] == INDEX_FREE)
		return -1;
	i = slots[s];
	key_free(keys[i]);
	slots[s] = INDEX_FREE;
	for (t = (s + 1) & (nslots - 1); slots[t] != INDEX_FREE;
	    t = (t + 1) & (nslots - 1)) {
		h = slot_of(keys[slots[t]]->id);
		/* t's key may stay unless its home lies cyclically in (s, t] */
		if ((s < t && (h <= s || h > t)) || (s > t && h <= s && h > t)) {
			slots[s] = slots[t];
			slots[t] = INDEX_FREE;
			s = t;
		}
	}
	if (i != --nkeys) {
		keys[i] = keys[nkeys];
		slots[slot_find(keys[i]->id)] = i;
	}
	return 0;
}

/* The number of keys held. */
size_t
keys_held(void)
{
	return nkeys;
}

void
keys_free(void)
{
	size_t	 i;

	for (i = 0; i < nkeys; i++)
		key_free(keys[i]);
	free(keys);
	free(slots);
	keys = NULL;
	slots = NULL;
	nkeys = capkeys = nslots = 0;
}

/* The key, or NULL with the reason in err. */
EVP_PKEY *
key_get(uint32_t id, char *err, size_t errlen)
{
	struct key	*k;

	if ((k = key_find(id)) == NULL) {
		snprintf(err, errlen, "key %u is not loaded", id);
		return NULL;
	}
	if (k->pkey == NULL) {
		/* The reason names the key already. */
		if (k->error != NULL)
			snprintf(err, errlen, "%s", k->error);
		else
			snprintf(err, errlen, "key %u is not loaded", id);
		return NULL;
	}
	return k->pkey;
}
