/*
 * The table of keys keyproc holds (keys.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "log.h"
#include "crypto.h"
#include "keyproc.h"
#include "keys.h"

static struct key	*keys;
static size_t		 nkeys;

struct key *
key_find(uint32_t id)
{
	size_t	 i;

	for (i = 0; i < nkeys; i++)
		if (keys[i].id == id)
			return &keys[i];
	return NULL;
}

/* The policy of the i-th key held, NULL past the last (policy_at). */
struct policy *
key_policy_at(size_t i)
{
	return i < nkeys ? &keys[i].pol : NULL;
}

/* The entry of key id, made empty if there is none; NULL (logged) if full. */
struct key *
key_slot(uint32_t id)
{
	struct key	*k, *nk;

	if ((k = key_find(id)) != NULL)
		return k;
	if (nkeys == KEYPROC_KEYS_MAX) {
		log_warnx("key %u: more than %d keys", id, KEYPROC_KEYS_MAX);
		return NULL;
	}
	if ((nk = reallocarray(keys, nkeys + 1, sizeof(*keys))) == NULL) {
		log_warn("key %u", id);
		return NULL;
	}
	keys = nk;
	k = &keys[nkeys++];
	memset(k, 0, sizeof(*k));
	k->id = id;
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

void
keys_free(void)
{
	size_t	 i;

	for (i = 0; i < nkeys; i++) {
		EVP_PKEY_CTX_free(keys[i].signer);
		EVP_PKEY_free(keys[i].pkey);
		free(keys[i].error);
		eab_clear(&keys[i].eab);
		policy_clear(&keys[i].pol);
	}
	free(keys);
	keys = NULL;
	nkeys = 0;
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
