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
 * Sealed keys: the account and domain keys a fleet shares through a
 * store every node reads, encrypted with the fleet key, which keyproc
 * alone holds.  netproc, which writes the store, may have a key keyproc
 * holds sealed (FLEET_SEAL), as what the parent said it is, never
 * opened; the parent, which writes keys to disk already, may have one
 * opened (FLEET_OPEN).
 *
 * A sealed key is AES-256-GCM (msg.h): a version byte, a random nonce,
 * the key's PKCS#8 PEM encrypted, the tag.  Its additional data names
 * the role and the name it was sealed as, so that one key's record put
 * in the place of another's does not open.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "buf.h"
#include "fleetkey.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "crypto.h"
#include "keyproc.h"
#include "keys.h"
#include "seal.h"

#define SEAL_VERSION	1
#define SEAL_NONCE_LEN	12
#define SEAL_TAG_LEN	16
#define SEAL_OVERHEAD	(1 + SEAL_NONCE_LEN + SEAL_TAG_LEN)
#define SEAL_AAD_MAX	(32 + MSG_NAME_MAX)

_Static_assert(MSG_SEALED_MAX == MSG_KEY_PEM_MAX + SEAL_OVERHEAD,
    "MSG_SEALED_MAX is a key's PEM sealed");

static unsigned char	*fleet_key;	/* FLEET_KEY_LEN bytes, or NULL */
static char		*fleet_error;	/* why there is none, or NULL */

void
fleet_key_clear(void)
{
	if (fleet_key != NULL) {
		explicit_bzero(fleet_key, FLEET_KEY_LEN);
		free(fleet_key);
		fleet_key = NULL;
	}
	free(fleet_error);
	fleet_error = NULL;
}

/* Why there is no fleet key to seal or open with. */
static const char *
fleet_key_why(void)
{
	return fleet_error != NULL ? fleet_error :
	    "no fleet key: the parent has given keyproc none";
}

/* MSG_FLEET_KEY_FD: the fleet key file, read whole from its descriptor. */
void
fleet_key_fd(struct imsg *m)
{
	struct rbuf	 r;
	unsigned char	*text;
	size_t		 len;
	char		*file, what[MSG_TEXT_MAX + 16], err[128];

	rbuf_init(&r, m->data, m->datalen);
	file = rbuf_str(&r, MSG_TEXT_MAX);
	if (rbuf_end(&r) == -1) {
		free(file);
		req_malformed(m, "the parent");
	}
	snprintf(what, sizeof(what), "fleet key %s", file);
	free(file);
	fleet_key_clear();
	if ((text = secret_read(m->fd, what, FLEET_KEY_TEXT_MAX,
	    &len)) != NULL) {
		if ((fleet_key = malloc(FLEET_KEY_LEN)) == NULL)
			crypto_seterr("%s: %s", what, strerror(errno));
		else if (fleet_key_decode((const char *)text, len, fleet_key,
		    err, sizeof(err)) == -1) {
			crypto_seterr("%s: %s", what, err);
			free(fleet_key);
			fleet_key = NULL;
		}
		secret_free(text, FLEET_KEY_TEXT_MAX + 1);
	}
	close(m->fd);
	m->fd = -1;
	if (fleet_key != NULL) {
		log_debug("%s: loaded", what);
		return;
	}
	log_warnx("%s", crypto_error());
	if ((fleet_error = strdup(crypto_error())) == NULL)
		log_warn("fleet key");
}

/* 0 for the roles whose keys are sealed, -1 with the reason. */
static int
role_describe(uint32_t role, const char *name, char *s, size_t len)
{
	char	 shown[MSG_NAME_MAX + 1];

	printable(name, shown, sizeof(shown));
	switch (role) {
	case KEY_ROLE_ACCOUNT:
		snprintf(s, len, "account key of authority %s", shown);
		return 0;
	case KEY_ROLE_DOMAIN:
		snprintf(s, len, "domain key of %s", shown);
		return 0;
	default:
		snprintf(s, len, "key %s of role %u: only account and domain "
		    "keys are sealed", shown, role);
		return -1;
	}
}

/* What a sealed key is bound to: its version, role and name. */
static void
seal_aad(uint32_t role, const char *name, char *aad, size_t len)
{
	snprintf(aad, len, "acmed-fleet-key %d\n%u\n%s", SEAL_VERSION, role,
	    name);
}

/* pt sealed with the fleet key for aad, or NULL (crypto_error()). */
static unsigned char *
seal(const char *aad, const void *pt, size_t ptlen, size_t *outlen)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	*out, *ct;
	int		 n, fin, ok;

	if (ptlen > INT_MAX - SEAL_OVERHEAD ||
	    (out = malloc(ptlen + SEAL_OVERHEAD)) == NULL) {
		crypto_seterr("sealing %zu bytes: out of memory", ptlen);
		return NULL;
	}
	out[0] = SEAL_VERSION;
	ct = out + 1 + SEAL_NONCE_LEN;
	ok = (ctx = EVP_CIPHER_CTX_new()) != NULL &&
	    RAND_bytes(out + 1, SEAL_NONCE_LEN) == 1 &&
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, fleet_key,
	    out + 1) == 1 &&
	    EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_EncryptUpdate(ctx, ct, &n, pt, (int)ptlen) == 1 &&
	    EVP_EncryptFinal_ex(ctx, ct + n, &fin) == 1 &&
	    (size_t)n + fin == ptlen &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN,
	    ct + ptlen) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		crypto_seterr("sealing with AES-256-GCM");
		secret_free(out, ptlen + SEAL_OVERHEAD);
		return NULL;
	}
	*outlen = ptlen + SEAL_OVERHEAD;
	return out;
}

/*
 * The plaintext of a sealed key for aad (what describes it), wiped and
 * freed with secret_free(p, *ptlen + 1), or NULL (crypto_error()).
 */
static unsigned char *
seal_open(const char *aad, const char *what, const unsigned char *in,
    size_t len, size_t *ptlen)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	*pt;
	size_t		 ctlen;
	int		 n, fin, ok;

	if (len < SEAL_OVERHEAD) {
		crypto_seterr("the sealed %s is %zu bytes: too short to be "
		    "one", what, len);
		return NULL;
	}
	if (in[0] != SEAL_VERSION) {
		crypto_seterr("the sealed %s is of version %u, not %d", what,
		    in[0], SEAL_VERSION);
		return NULL;
	}
	ctlen = len - SEAL_OVERHEAD;
	if ((pt = malloc(ctlen + 1)) == NULL) {
		crypto_seterr("the sealed %s: out of memory", what);
		return NULL;
	}
	ok = (ctx = EVP_CIPHER_CTX_new()) != NULL &&
	    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, fleet_key,
	    in + 1) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_DecryptUpdate(ctx, pt, &n, in + 1 + SEAL_NONCE_LEN,
	    (int)ctlen) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN,
	    (void *)(in + len - SEAL_TAG_LEN)) == 1 &&
	    EVP_DecryptFinal_ex(ctx, pt + n, &fin) == 1 &&
	    (size_t)n + fin == ctlen;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		crypto_seterr("the sealed %s does not open with this fleet key "
		    "(sealed with another fleet key, or as another key)",
		    what);
		secret_free(pt, ctlen + 1);
		return NULL;
	}
	pt[ctlen] = '\0';
	*ptlen = ctlen;
	return pt;
}

/*
 * 0 if netproc may have key k sealed as role and name: the role the
 * parent gave it, and its own name; -1 with the reason in why.
 */
static int
seal_allowed(const struct key *k, uint32_t role, const char *name,
    char *why, size_t len)
{
	const char	*own;
	char		 as[MSG_NAME_MAX + 64];

	if (role_describe(role, name, as, sizeof(as)) == -1) {
		snprintf(why, len, "as a %s", as);
		return -1;
	}
	if (k->pol.role != role) {
		snprintf(why, len, "as the %s", as);
		return -1;
	}
	own = role == KEY_ROLE_ACCOUNT ? k->pol.authority :
	    k->pol.nnames > 0 ? k->pol.names[0] : NULL;
	if (own == NULL || strcmp(name, own) != 0) {
		snprintf(why, len, "as the %s", as);
		return -1;
	}
	return 0;
}

/* MSG_FLEET_SEAL: netproc asks for a key keyproc holds, sealed. */
void
fleet_seal(struct req *q, struct imsg *m)
{
	struct rbuf	 r;
	struct key	*k;
	EVP_PKEY	*pkey;
	unsigned char	*sealed = NULL;
	uint32_t	 role;
	size_t		 pemlen, len;
	char		*name, *pem = NULL, aad[SEAL_AAD_MAX], desc[320];
	char		 err[MSG_NAME_MAX + 128];

	rbuf_init(&r, m->data, m->datalen);
	q->id = rbuf_u32(&r);
	role = rbuf_u32(&r);
	name = rbuf_str(&r, MSG_NAME_MAX);
	if (rbuf_end(&r) == -1) {
		free(name);
		req_malformed(m, q->peer);
	}
	if ((pkey = key_get(q->id, err, sizeof(err))) == NULL) {
		req_err(q, "%s", err);
		goto out;
	}
	k = key_find(q->id);
	if (seal_allowed(k, role, name, err, sizeof(err)) == -1) {
		policy_describe(&k->pol, desc, sizeof(desc));
		log_warnx("key %u (%s): refused to seal it %s", q->id, desc,
		    err);
		req_err(q, "key %u (%s): refused to seal it %s", q->id, desc,
		    err);
		goto out;
	}
	if (fleet_key == NULL) {
		req_err(q, "key %u: %s", q->id, fleet_key_why());
		goto out;
	}
	seal_aad(role, name, aad, sizeof(aad));
	if ((pem = key_to_pem(pkey, &pemlen)) == NULL)
		req_err(q, "key %u: %s", q->id, crypto_error());
	else if (pemlen > MSG_KEY_PEM_MAX)
		req_err(q, "key %u: its PEM of %zu bytes is too large to seal",
		    q->id, pemlen);
	else if ((sealed = seal(aad, pem, pemlen, &len)) == NULL)
		req_err(q, "key %u: %s", q->id, crypto_error());
	else
		req_blob_only(q, MSG_FLEET_SEALED, sealed, len, "sealed key");
 out:
	if (pem != NULL)
		secret_free(pem, pemlen);
	free(sealed);
	free(name);
}

/* MSG_FLEET_OPEN: the parent asks for a sealed key's PEM. */
void
fleet_open(struct req *q, struct imsg *m)
{
	struct rbuf	 r;
	EVP_PKEY	*pkey;
	const uint8_t	*sealed;
	unsigned char	*pt = NULL;
	uint32_t	 role;
	size_t		 len, ptlen;
	char		*name, what[MSG_NAME_MAX + 64], aad[SEAL_AAD_MAX];
	char		 sealedwhat[MSG_NAME_MAX + 96];

	rbuf_init(&r, m->data, m->datalen);
	q->id = 0;
	role = rbuf_u32(&r);
	name = rbuf_str(&r, MSG_NAME_MAX);
	sealed = rbuf_blob(&r, &len, MSG_SEALED_MAX);
	if (rbuf_end(&r) == -1) {
		free(name);
		req_malformed(m, q->peer);
	}
	if (role_describe(role, name, what, sizeof(what)) == -1) {
		req_err(q, "cannot open the sealed %s", what);
		goto out;
	}
	if (fleet_key == NULL) {
		req_err(q, "cannot open the sealed %s: %s", what,
		    fleet_key_why());
		goto out;
	}
	seal_aad(role, name, aad, sizeof(aad));
	if ((pt = seal_open(aad, what, sealed, len, &ptlen)) == NULL) {
		req_err(q, "%s", crypto_error());
		goto out;
	}
	snprintf(sealedwhat, sizeof(sealedwhat), "the sealed %s", what);
	if ((pkey = key_from_pem(pt, ptlen, sealedwhat)) == NULL) {
		req_err(q, "%s", crypto_error());
		goto out;
	}
	EVP_PKEY_free(pkey);
	req_blob_only(q, MSG_FLEET_OPENED, pt, ptlen, "opened key");
 out:
	if (pt != NULL)
		secret_free(pt, ptlen + 1);
	free(name);
}

/* Seals and opens once, before the sandbox: the cipher is fetched now. */
void
fleet_warmup(void)
{
	unsigned char	 key[FLEET_KEY_LEN], *s, *p;
	size_t		 len, plen;

	memset(key, 0, sizeof(key));
	fleet_key = key;
	if ((s = seal("warmup", "warmup", 6, &len)) == NULL ||
	    (p = seal_open("warmup", "warmup key", s, len, &plen)) == NULL)
		fatalx("%s", crypto_error());
	fleet_key = NULL;
	free(s);
	secret_free(p, plen + 1);
}
