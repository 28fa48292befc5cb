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
 * keyproc: the only process that holds private keys.
 *
 * Holds: the account keys, and the domain keys the parent uses now (an
 * order under way, a provisional certificate, a revocation), read from
 * descriptors the parent passes (it opens the files as root) or generated
 * here on request, each until the parent drops it (MSG_KEY_DROP); the
 * MAC keys of external account bindings, and a fleet's fleet key, read
 * the same way.
 * Does: answers the parent (new key as PEM for the parent to write 0600,
 * public key, provisional self-signed certificate, a sealed key opened)
 * and netproc (JWK and thumbprint, JWS signatures, external account
 * bindings, key changes, CSRs, an account or domain key sealed with the
 * fleet key: seal.c).  Keys are known by the number the parent gives
 * them; netproc never sees a key, only what it signs or seals.
 * Never: opens a file, touches the network, or writes anything but its
 * two channels.  It enters its sandbox before reading a single message:
 * keys arrive as descriptors, so nothing needs the privileges it drops.
 *
 * What a key signs for netproc is decided here: netproc parses all the
 * network sends it and can ask, never decide.  The parent, which is
 * trusted, gives each key its role (MSG_KEY_ROLE, before the key) and
 * authorises single operations (MSG_KEY_ALLOW), each for at most
 * KEY_ALLOW_SIGNATURES signatures (one request and its badNonce retries)
 * and withdrawn (MSG_KEY_WITHDRAW) once netproc has answered.  Its
 * authority's origin is the scheme, host and port of the authority's
 * directory URL.
 *
 *   An account key signs (MSG_SIGN) ACME requests for URLs of its
 *   authority's origin, with a kid of that origin (the JWK instead for
 *   newAccount only), whose payload is valid JSON, an object with no
 *   member named twice at any level, whose top-level members are all of
 *   one request: newAccount (contact, termsOfServiceAgreed,
 *   onlyReturnExisting, externalAccountBinding) with the JWK only, never
 *   an account update with the kid; newOrder (identifiers, notBefore,
 *   notAfter, replaces, profile) whose identifiers are exactly the names
 *   of one domain key of its authority that keyproc holds, and whose
 *   profile, if any, is the one the parent gave that key with its role;
 *   finalize (csr) whose CSR, byte for byte, is one keyproc made
 *   (MSG_CSR) with a domain key of its authority, among the
 *   POLICY_CSRS_MAX last of that key, for KEY_ALLOW_SIGNATURES
 *   signatures; a challenge response ({}); or the
 *   empty payload of a POST-as-GET.  So netproc can have an account
 *   certify only a domain key, for that domain's names, whatever the
 *   authority lets the account order; and since the parent hands a
 *   domain key (role first) before the order that needs it and drops
 *   it when the order ends, only for a domain the parent is ordering
 *   now.  A revocation (certificate, reason) only of the certificate
 *   the parent authorised with this key, for the reason it authorised,
 *   one of those acmed gives (enum revoke_reason); a deactivation
 *   (status "deactivated") only as authorised and posted to the
 *   account's own URL, its kid; a key change (protected, payload,
 *   signature) never: MSG_KEY_CHANGE makes it whole, the inner JWS
 *   signed by the new key and the request by this one, while the parent
 *   authorises that change of this key to that new key.  Its external
 *   account binding (MSG_EAB) only for a URL of its origin.
 *   An account's new key (acmed -k) signs the onlyReturnExisting look-up
 *   of its account, with its JWK, and the inner JWS of its key change.
 *   A domain key signs CSRs (MSG_CSR) for exactly the domain's names, and
 *   a revocation the parent authorised with it, with its JWK, for its
 *   authority's origin; provisional certificates for the parent only.
 *   A key without a role signs nothing for netproc.
 *
 * A refusal is answered with MSG_KEYPROC_ERR and logged as a warning
 * naming the key and its role: netproc asks only for what acmed does, so
 * a refusal is a sign that it is no longer acmed's.  What the parent sent
 * is read before each request from netproc, so an authorisation the
 * parent sent before it asked netproc is in force when netproc asks.
 *
 * Answers carry the request's peer id.  A message that is malformed or
 * unexpected ends the process; a request that cannot be served (unknown
 * key, invalid name, oversized result) gets MSG_KEY_ERR or
 * MSG_KEYPROC_ERR with the reason.  A key that fails to load from its
 * descriptor is logged and remembered: every later request for it is
 * answered with that reason.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "sandbox.h"
#include "crypto.h"
#include "keyproc.h"
#include "keys.h"
#include "policy.h"
#include "seal.h"


/* -1 (logged) if a field does not fit its message; nothing is sent. */
int
req_send(const struct req *q, uint32_t type, const struct buf *b)
{
	if (msg_compose(q->c, type, q->peerid, -1, b) == -1) {
		if (errno == EMSGSIZE)
			return -1;
		fatal("%s to %s", msg_name(type), q->peer);
	}
	if (ichan_flush_all(q->c) == -1)
		fatal("%s to %s", msg_name(type), q->peer);
	return 0;
}

void
req_err(const struct req *q, const char *fmt, ...)
{
	struct buf	 b;
	va_list		 ap;
	char		 msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("%s to %s: %s", msg_name(q->errtype), q->peer, msg);
	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&b, q->id) == -1 ||
	    buf_add_text(&b, msg, MSG_TEXT_MAX) == -1 ||
	    req_send(q, q->errtype, &b) == -1)
		fatalx("%s to %s", msg_name(q->errtype), q->peer);
	buf_free(&b);
}

/*
 * A request the policy of key k does not allow.  netproc asks only for
 * what acmed does: a refusal is a sign that netproc is not acmed's any
 * more, and is logged as a warning.
 */
static void
refuse(const struct req *q, const struct key *k, const char *why)
{
	char	 role[320];

	policy_describe(&k->pol, role, sizeof(role));
	log_warnx("key %u (%s): refused to sign %s", k->id, role, why);
	req_err(q, "key %u (%s): refused to sign %s", k->id, role, why);
}

/*
 * Sends a blob, after the key id if with_id, or an error if that does
 * not fit in a message.  The buffer is wiped since it may hold a secret
 * key.
 */
static void
send_blob_as(const struct req *q, uint32_t type, int with_id, const void *p,
    size_t len, const char *what)
{
	struct buf	 b;
	int		 fits;

	buf_init(&b, MSG_PAYLOAD_MAX);
	fits = (!with_id || buf_add_u32(&b, q->id) == 0) &&
	    buf_add_blob(&b, p, len) == 0 && req_send(q, type, &b) == 0;
	if (b.data != NULL)
		OPENSSL_cleanse(b.data, b.cap);
	buf_free(&b);
	if (!fits)
		req_err(q, "key %u: %s of %zu bytes does not fit in a message",
		    q->id, what, len);
}

/* The key id and a blob. */
void
req_blob(const struct req *q, uint32_t type, const void *p, size_t len,
    const char *what)
{
	send_blob_as(q, type, 1, p, len, what);
}

/* A blob alone, as FLEET_SEALED and FLEET_OPENED carry it. */
void
req_blob_only(const struct req *q, uint32_t type, const void *p, size_t len,
    const char *what)
{
	send_blob_as(q, type, 0, p, len, what);
}

/* The request's key, or NULL with the reason sent to the peer. */
static EVP_PKEY *
req_key(const struct req *q)
{
	EVP_PKEY	*pkey;
	char		 err[512];

	if ((pkey = key_get(q->id, err, sizeof(err))) == NULL)
		req_err(q, "%s", err);
	return pkey;
}

/*
 * The key of a request for a certificate or a CSR, and the names it is
 * for (s as the parent wrote them); NULL with the reason sent.
 */
static EVP_PKEY *
req_names(const struct req *q, const char *s, const char *what,
    char ***names, size_t *n)
{
	EVP_PKEY	*pkey;

	if ((pkey = req_key(q)) == NULL)
		return NULL;
	if (names_parse(s, names, n) == -1) {
		req_err(q, "%s: %s", what, crypto_error());
		return NULL;
	}
	return pkey;
}

void
req_malformed(const struct imsg *m, const char *peer)
{
	fatalx("malformed %s from %s", msg_name(m->hdr.type), peer);
}

static void
do_key_fd(struct imsg *m)
{
	struct rbuf	 r;
	EVP_PKEY	*pkey;
	uint32_t	 id, type, bits;
	char		 what[32], desc[32];

	rbuf_init(&r, m->data, m->datalen);
	id = rbuf_u32(&r);
	type = rbuf_u32(&r);
	bits = rbuf_u32(&r);
	if (rbuf_end(&r) == -1)
		req_malformed(m, "the parent");
	snprintf(what, sizeof(what), "key %u", id);
	pkey = key_from_fd(m->fd, what);
	close(m->fd);
	m->fd = -1;
	if (pkey == NULL) {
		log_warnx("%s", crypto_error());
		(void)key_store(id, NULL, crypto_error());
		return;
	}
	key_describe(pkey, desc, sizeof(desc));
	/* The file on disk wins: replacing a key is the operator's call. */
	if (type >= KEY_MAX || bits > 16384 ||
	    !key_matches(pkey, (enum keytype)type, (int)bits))
		log_warnx("key %u is %s, not the configured type (%u, %u "
		    "bits): using it as it is", id, desc, type, bits);
	else
		log_debug("key %u: %s", id, desc);
	(void)key_store(id, pkey, NULL);
}

static void
do_eab_fd(struct imsg *m)
{
	struct rbuf	 r;
	unsigned char	*mac;
	size_t		 maclen;
	uint32_t	 id;
	char		*kid, what[64];

	rbuf_init(&r, m->data, m->datalen);
	id = rbuf_u32(&r);
	kid = rbuf_str(&r, MSG_EAB_KID_MAX);
	if (rbuf_end(&r) == -1 || kid[0] == '\0') {
		free(kid);
		req_malformed(m, "the parent");
	}
	snprintf(what, sizeof(what), "key %u: external account key", id);
	if (mac_key_from_fd(m->fd, what, &mac, &maclen) == -1)
		log_warnx("%s", crypto_error());
	else
		log_debug("%s: %zu bytes", what, maclen);
	close(m->fd);
	m->fd = -1;
	eab_store(id, kid, mac, maclen, crypto_error());
}

/* MSG_KEY_ROLE: what the key signs for netproc from now on. */
static void
do_key_role(struct imsg *m)
{
	struct rbuf	 r;
	struct key	*k;
	uint32_t	 id, role, authid;
	char		*name, *url, *names, *profile, err[512];

	rbuf_init(&r, m->data, m->datalen);
	id = rbuf_u32(&r);
	role = rbuf_u32(&r);
	authid = rbuf_u32(&r);
	name = rbuf_str(&r, MSG_NAME_MAX);
	url = rbuf_str(&r, MSG_URL_MAX);
	names = rbuf_str(&r, MSG_NAMES_MAX);
	profile = rbuf_str(&r, MSG_PROFILE_MAX);
	if (rbuf_end(&r) == -1) {
		free(name);
		free(url);
		free(names);
		free(profile);
		req_malformed(m, "the parent");
	}
	if ((k = key_slot(id)) != NULL && (policy_set_role(&k->pol,
	    (enum key_role)role, authid, name, url, names, err,
	    sizeof(err)) == -1 || policy_set_profile(&k->pol, profile, err,
	    sizeof(err)) == -1)) {
		policy_clear(&k->pol);
		log_warnx("key %u: %s: it signs nothing for netproc", id, err);
	}
	free(name);
	free(url);
	free(names);
	free(profile);
}

/*
 * MSG_KEY_DROP: the parent is done with a domain key for now (its order
 * ended, or its provisional certificate is made) and hands it again when
 * it needs it, so that keyproc holds the keys in use, not every key.
 */
static void
do_key_drop(struct imsg *m)
{
	struct rbuf	 r;
	uint32_t	 id;

	rbuf_init(&r, m->data, m->datalen);
	id = rbuf_u32(&r);
	if (rbuf_end(&r) == -1)
		req_malformed(m, "the parent");
	if (key_drop(id) == -1)
		log_debug("key %u: not held, nothing to drop", id);
	else
		log_debug("key %u: dropped, %zu held", id, keys_held());
}

/* MSG_KEY_ALLOW, MSG_KEY_WITHDRAW: an operation authorised, or no more. */
static void
do_key_allow(struct imsg *m)
{
	struct rbuf	 r;
	struct key	*k;
	const uint8_t	*der;
	uint32_t	 id, op, other;
	size_t		 len;
	char		 err[256];

	rbuf_init(&r, m->data, m->datalen);
	id = rbuf_u32(&r);
	op = rbuf_u32(&r);
	other = rbuf_u32(&r);
	der = rbuf_blob(&r, &len, MSG_CERT_DER_MAX);
	if (rbuf_end(&r) == -1)
		req_malformed(m, "the parent");
	if ((k = key_slot(id)) == NULL)
		return;
	if (m->hdr.type == MSG_KEY_WITHDRAW) {
		if (policy_withdraw(&k->pol, (enum key_op)op, other, der,
		    len) == -1)
			log_debug("key %u: no authorisation %u to withdraw",
			    id, op);
	} else if (policy_allow(&k->pol, (enum key_op)op, other, der, len,
	    err, sizeof(err)) == -1)
		log_warnx("key %u: %s", id, err);
	else
		log_debug("key %u: operation %u authorised", id, op);
}

static void
do_key_new(struct req *q, struct imsg *m)
{
	struct rbuf	 r;
	EVP_PKEY	*pkey;
	uint32_t	 type, bits;
	char		*pem, desc[32];
	size_t		 len;

	rbuf_init(&r, m->data, m->datalen);
	q->id = rbuf_u32(&r);
	type = rbuf_u32(&r);
	bits = rbuf_u32(&r);
	if (rbuf_end(&r) == -1)
		req_malformed(m, q->peer);
	if (type >= KEY_MAX || bits > 16384) {
		req_err(q, "key %u: unknown key type %u or size %u", q->id,
		    type, bits);
		return;
	}
	if ((pkey = key_generate((enum keytype)type, (int)bits)) == NULL) {
		req_err(q, "key %u: %s", q->id, crypto_error());
		return;
	}
	if ((pem = key_to_pem(pkey, &len)) == NULL) {
		req_err(q, "key %u: %s", q->id, crypto_error());
		EVP_PKEY_free(pkey);
		return;
	}
	key_describe(pkey, desc, sizeof(desc));
	if (key_store(q->id, pkey, NULL) == -1)
		req_err(q, "key %u: cannot hold another key", q->id);
	else {
		log_debug("key %u: new %s key", q->id, desc);
		req_blob(q, MSG_KEY_PEM, pem, len, "key PEM");
	}
	secret_free(pem, len);
}

static void
do_pubkey(struct req *q, struct imsg *m)
{
	struct rbuf	 r;
	EVP_PKEY	*pkey;
	unsigned char	*der = NULL;
	int		 len;

	rbuf_init(&r, m->data, m->datalen);
	q->id = rbuf_u32(&r);
	if (rbuf_end(&r) == -1)
		req_malformed(m, q->peer);
	if ((pkey = req_key(q)) == NULL)
		return;
	if ((len = pubkey_der(pkey, &der)) <= 0) {
		req_err(q, "key %u: public key encoding failed", q->id);
		return;
	}
	req_blob(q, MSG_PUBKEY_RESP, der, len, "public key");
	OPENSSL_free(der);
}

static void
do_self_signed(struct req *q, struct imsg *m)
{
	struct rbuf	 r;
	EVP_PKEY	*pkey;
	int64_t		 days;
	char		*s, **names = NULL, *pem = NULL;
	size_t		 n = 0, len;

	rbuf_init(&r, m->data, m->datalen);
	q->id = rbuf_u32(&r);
	s = rbuf_str(&r, MSG_NAMES_MAX);
	days = rbuf_i64(&r);
	if (rbuf_end(&r) == -1) {
		free(s);
		req_malformed(m, q->peer);
	}
	if ((pkey = req_names(q, s, "provisional certificate", &names,
	    &n)) == NULL)
		goto out;
	if (days < 1 || days > CERT_DAYS_MAX)
		req_err(q, "provisional certificate for %s: %lld days (1 to "
		    "%d)", names[0], (long long)days, CERT_DAYS_MAX);
	else if ((pem = selfsigned_pem(pkey, names, n, (int)days,
	    &len)) == NULL)
		req_err(q, "%s", crypto_error());
	else
		req_blob(q, MSG_SELF_SIGNED_PEM, pem, len, "certificate");
 out:
	free(pem);
	names_free(names, n);
	free(s);
}

/* 0 to go on, 1 to stop (MSG_SHUTDOWN). */
static int
dispatch_parent(struct imsgchan *c, struct imsg *m)
{
	struct req	 q = { .c = c, .peer = "the parent",
			    .errtype = MSG_KEY_ERR, .peerid = m->hdr.peerid };
	struct rbuf	 r;
	uint32_t	 v;

	switch (m->hdr.type) {
	case MSG_KEY_FD:
		do_key_fd(m);
		break;
	case MSG_EAB_FD:
		do_eab_fd(m);
		break;
	case MSG_KEY_ROLE:
		do_key_role(m);
		break;
	case MSG_KEY_ALLOW:
	case MSG_KEY_WITHDRAW:
		do_key_allow(m);
		break;
	case MSG_KEY_DROP:
		do_key_drop(m);
		break;
	case MSG_KEY_NEW:
		do_key_new(&q, m);
		break;
	case MSG_PUBKEY:
		do_pubkey(&q, m);
		break;
	case MSG_SELF_SIGNED:
		do_self_signed(&q, m);
		break;
	case MSG_FLEET_KEY_FD:
		fleet_key_fd(m);
		break;
	case MSG_FLEET_OPEN:
		fleet_open(&q, m);
		break;
	case MSG_VERBOSE:
		rbuf_init(&r, m->data, m->datalen);
		v = rbuf_u32(&r);
		if (rbuf_end(&r) == -1)
			req_malformed(m, q.peer);
		log_setverbose(v > 3 ? 3 : (int)v);
		break;
	case MSG_READY:
		break;
	case MSG_SHUTDOWN:
		return 1;
	default:
		fatalx("unexpected %s from the parent", msg_name(m->hdr.type));
	}
	return 0;
}

static void
do_jwk(struct req *q, struct imsg *m)
{
	struct buf	 b;
	struct rbuf	 r;
	EVP_PKEY	*pkey;
	char		*jwk = NULL, *tp = NULL;

	rbuf_init(&r, m->data, m->datalen);
	q->id = rbuf_u32(&r);
	if (rbuf_end(&r) == -1)
		req_malformed(m, q->peer);
	if ((pkey = req_key(q)) == NULL)
		return;
	if ((jwk = jwk_json(pkey)) == NULL ||
	    (tp = jwk_thumbprint(pkey)) == NULL)
		req_err(q, "key %u: %s", q->id, crypto_error());
	else {
		buf_init(&b, MSG_PAYLOAD_MAX);
		if (buf_add_u32(&b, q->id) == -1 ||
		    buf_add_lstr(&b, jwk) == -1 || buf_add_lstr(&b, tp) == -1 ||
		    req_send(q, MSG_JWK_RESP, &b) == -1)
			req_err(q, "key %u: JWK does not fit in a message",
			    q->id);
		buf_free(&b);
	}
	free(jwk);
	free(tp);
}

/* A JWS made with key id as MSG_SIGN_RESP, or why it was not made. */
static void
send_jws(const struct req *q, uint32_t id, const char *jws, size_t len)
{
	if (jws == NULL)
		req_err(q, "key %u: %s", id, crypto_error());
	else
		req_blob(q, MSG_SIGN_RESP, jws, len, "JWS");
}

static void
do_sign(struct req *q, struct imsg *m)
{
	struct rbuf	 r;
	EVP_PKEY	*pkey;
	struct key	*k;
	const uint8_t	*payload;
	char		*url, *nonce, *kid, *jws = NULL, why[512];
	size_t		 plen, len;

	rbuf_init(&r, m->data, m->datalen);
	q->id = rbuf_u32(&r);
	url = rbuf_str(&r, MSG_URL_MAX);
	nonce = rbuf_str(&r, MSG_NONCE_MAX);
	kid = rbuf_str(&r, MSG_URL_MAX);
	payload = rbuf_blob(&r, &plen, MSG_SIGN_MAX);
	if (rbuf_end(&r) == -1) {
		free(url);
		free(nonce);
		free(kid);
		req_malformed(m, q->peer);
	}
	if ((pkey = req_key(q)) == NULL)
		goto out;
	k = key_find(q->id);
	if (policy_sign(&k->pol, key_policy_at, url, kid, payload, plen, why,
	    sizeof(why)) == -1) {
		refuse(q, k, why);
		goto out;
	}
	jws = jws_sign(pkey, &k->signer, url, nonce, kid, payload, plen,
	    &len);
	send_jws(q, q->id, jws, len);
 out:
	free(jws);
	free(url);
	free(nonce);
	free(kid);
}

static void
do_eab(struct req *q, struct imsg *m)
{
	struct buf	 b;
	struct rbuf	 r;
	struct jws_parts parts;
	struct key	*k;
	struct eab	*e;
	EVP_PKEY	*pkey;
	char		*url, why[512];

	rbuf_init(&r, m->data, m->datalen);
	q->id = rbuf_u32(&r);
	url = rbuf_str(&r, MSG_URL_MAX);
	if (rbuf_end(&r) == -1) {
		free(url);
		req_malformed(m, q->peer);
	}
	if ((k = key_find(q->id)) != NULL && policy_eab(&k->pol, url, why,
	    sizeof(why)) == -1) {
		refuse(q, k, why);
		goto out;
	}
	if (k == NULL || k->eab.kid == NULL) {
		req_err(q, "key %u: no external account binding", q->id);
		goto out;
	}
	e = &k->eab;
	if (e->mac == NULL) {
		req_err(q, "%s", e->error ? e->error : "no MAC key");
		goto out;
	}
	if ((pkey = req_key(q)) == NULL)
		goto out;
	if (jws_eab(pkey, e->kid, e->mac, e->maclen, url, &parts) == -1)
		req_err(q, "key %u: %s", q->id, crypto_error());
	else {
		buf_init(&b, MSG_PAYLOAD_MAX);
		if (buf_add_u32(&b, q->id) == -1 ||
		    buf_add_lstr(&b, parts.protected) == -1 ||
		    buf_add_lstr(&b, parts.payload) == -1 ||
		    buf_add_lstr(&b, parts.signature) == -1 ||
		    req_send(q, MSG_EAB_RESP, &b) == -1)
			req_err(q, "key %u: external account binding does "
			    "not fit in a message", q->id);
		buf_free(&b);
		jws_parts_free(&parts);
	}
 out:
	free(url);
}

/*
 * A key change of key q->id's account to another key, whole: the inner
 * JWS signed by the new key, in the request signed by the old one, so
 * that netproc never needs the old key to sign a payload of its own.
 */
static void
do_key_change(struct req *q, struct imsg *m)
{
	struct rbuf	 r;
	struct key	*k, *nk;
	EVP_PKEY	*old, *new;
	uint32_t	 newid;
	char		*url, *nonce, *account, *inner = NULL, *jws = NULL;
	char		 err[512];
	size_t		 ilen, len;

	rbuf_init(&r, m->data, m->datalen);
	q->id = rbuf_u32(&r);
	newid = rbuf_u32(&r);
	url = rbuf_str(&r, MSG_URL_MAX);
	nonce = rbuf_str(&r, MSG_NONCE_MAX);
	account = rbuf_str(&r, MSG_URL_MAX);
	if (rbuf_end(&r) == -1) {
		free(url);
		free(nonce);
		free(account);
		req_malformed(m, q->peer);
	}
	if ((old = req_key(q)) == NULL)
		goto out;
	if (newid == q->id) {
		req_err(q, "key %u: a key change needs another key", q->id);
		goto out;
	}
	if ((new = key_get(newid, err, sizeof(err))) == NULL) {
		req_err(q, "%s", err);
		goto out;
	}
	k = key_find(q->id);
	nk = key_find(newid);
	if (policy_key_change(&k->pol, &nk->pol, newid, url, account, err,
	    sizeof(err)) == -1) {
		refuse(q, k, err);
		goto out;
	}
	if ((inner = jws_key_change(old, new, &nk->signer, url, account,
	    &ilen)) != NULL)
		jws = jws_sign(old, &k->signer, url, nonce, account, inner,
		    ilen, &len);
	send_jws(q, q->id, jws, len);
 out:
	free(inner);
	free(jws);
	free(url);
	free(nonce);
	free(account);
}

static void
do_csr(struct req *q, struct imsg *m)
{
	struct rbuf	 r;
	EVP_PKEY	*pkey;
	struct key	*k;
	unsigned char	*der = NULL;
	char		*s, **names = NULL, why[512];
	size_t		 n = 0, len;

	rbuf_init(&r, m->data, m->datalen);
	q->id = rbuf_u32(&r);
	s = rbuf_str(&r, MSG_NAMES_MAX);
	if (rbuf_end(&r) == -1) {
		free(s);
		req_malformed(m, q->peer);
	}
	if ((pkey = req_names(q, s, "CSR", &names, &n)) != NULL) {
		k = key_find(q->id);
		if (policy_csr(&k->pol, names, n, why, sizeof(why)) == -1)
			refuse(q, k, why);
		else if (csr_build(pkey, names, n, &der, &len) == -1)
			req_err(q, "%s: %s", names[0], crypto_error());
		else if (policy_csr_made(&k->pol, der, len) == -1)
			req_err(q, "%s: CSR: out of memory", names[0]);
		else
			req_blob(q, MSG_CSR_RESP, der, len, "CSR");
	}
	OPENSSL_free(der);
	names_free(names, n);
	free(s);
}

static void
dispatch_net(struct imsgchan *c, struct imsg *m)
{
	struct req	 q = { .c = c, .peer = "netproc",
			    .errtype = MSG_KEYPROC_ERR,
			    .peerid = m->hdr.peerid };

	switch (m->hdr.type) {
	case MSG_JWK:
		do_jwk(&q, m);
		break;
	case MSG_SIGN:
		do_sign(&q, m);
		break;
	case MSG_CSR:
		do_csr(&q, m);
		break;
	case MSG_EAB:
		do_eab(&q, m);
		break;
	case MSG_KEY_CHANGE:
		do_key_change(&q, m);
		break;
	case MSG_FLEET_SEAL:
		fleet_seal(&q, m);
		break;
	default:
		fatalx("unexpected %s from netproc", msg_name(m->hdr.type));
	}
}

static int	 parent_done;	/* EOF or MSG_SHUTDOWN from the parent */

/*
 * Reads and handles what is there on one channel.  Returns 0 to go on,
 * 1 on a clean end (EOF, or MSG_SHUTDOWN from the parent).
 */
static int
channel_input(struct imsgchan *c, struct imsgchan *parent)
{
	struct imsg	 m;
	const char	*peer = c == parent ? "the parent" : "netproc";
	ssize_t		 n;
	int		 r, stop = 0;

	n = ichan_read(c);
	if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
		if (errno == EBADMSG)
			fatalx("malformed message from %s", peer);
		fatal("read from %s", peer);
	}
	while (!stop) {
		if ((r = ichan_get(c, &m)) == 0)
			break;
		if (r == -1) {
			if (errno == EBADMSG)
				fatalx("malformed message from %s", peer);
			fatal("message from %s", peer);
		}
		if (msg_check(&m) == -1) {
			if (m.fd != -1)
				close(m.fd);
			req_malformed(&m, peer);
		}
		/*
		 * What the parent sent before netproc asked is read first:
		 * the authorisation of an operation travels on the parent's
		 * channel, and the parent sends it before it asks netproc.
		 */
		if (c == parent)
			stop = dispatch_parent(c, &m);
		else if (!(stop = channel_input(parent, parent)))
			dispatch_net(c, &m);
		if (m.fd != -1)
			close(m.fd);
		m.fd = -1;
		imsg_clear(&m);
	}
	if (c == parent && (stop || n == 0))
		parent_done = 1;
	return stop || n == 0;
}

/*
 * Serves both channels until the parent closes its channel or sends
 * MSG_SHUTDOWN (returns 0).  net may be NULL.  A closed netproc channel
 * is only logged: the parent decides what happens next.
 */
int
keyproc_loop(struct imsgchan *parent, struct imsgchan *net)
{
	struct pollfd	 pfd[2];
	int		 nfds;

	parent_done = 0;
	while (!parent_done) {
		pfd[0].fd = ichan_fd(parent);
		pfd[0].events = POLLIN;
		nfds = 1;
		if (net != NULL) {
			pfd[1].fd = ichan_fd(net);
			pfd[1].events = POLLIN;
			nfds = 2;
		}
		if (poll(pfd, nfds, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			(void)channel_input(parent, parent);
		if (!parent_done && net != NULL &&
		    (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (channel_input(net, parent) && !parent_done) {
				log_warnx("netproc closed its channel");
				ichan_free(net);
				net = NULL;
			}
		}
	}
	if (net != NULL)
		ichan_free(net);
	keys_free();
	fleet_key_clear();
	return 0;
}

/*
 * Makes libcrypto do, before the sandbox, what it would otherwise do
 * lazily inside it: read its configuration, seed its generator, fetch
 * the algorithms keyproc uses.
 */
void
keyproc_warmup(void)
{
	EVP_PKEY	*pkey;
	EVP_PKEY_CTX	*ctx;
	unsigned char	 r[16], *der;
	char		*s, *name = "warmup.invalid";
	size_t		 len;

	if (!OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG |
	    OPENSSL_INIT_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_ATEXIT, NULL))
		fatalx("libcrypto initialisation failed");
	if (RAND_bytes(r, sizeof(r)) != 1)
		fatalx("libcrypto random generator failed");
	/* P-256: the same code paths as P-384 and RSA, a tenth of the cost. */
	if ((pkey = key_generate(KEY_ECDSA, 256)) == NULL)
		fatalx("%s", crypto_error());
	if ((s = jws_sign(pkey, NULL, "https://warmup.invalid/", "n", "",
	    "{}", 2, &len)) == NULL)
		fatalx("%s", crypto_error());
	free(s);
	/*
	 * A key is encoded, not read back: a decoder is built anew for every
	 * key read (1.7 ms), from the provider's tables in memory, so reading
	 * has nothing to load beforehand.
	 */
	if ((s = key_to_pem(pkey, &len)) == NULL)
		fatalx("%s", crypto_error());
	secret_free(s, len);
	if (csr_build(pkey, &name, 1, &der, &len) == -1)
		fatalx("%s", crypto_error());
	OPENSSL_free(der);
	free(selfsigned_pem(pkey, &name, 1, 1, &len));
	EVP_PKEY_free(pkey);
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0)
		fatalx("libcrypto: RSA unavailable");
	EVP_PKEY_CTX_free(ctx);
	fleet_warmup();
}

int
keyproc_main(int debug, int verbose)
{
	struct imsgchan	*parent, *net;

	(void)debug;
	log_procname("keyproc");
	log_setverbose(verbose);
	if ((parent = ichan_new(PROC_FD_PARENT, IMSG_MAX_SIZE)) == NULL ||
	    (net = ichan_new(PROC_FD_PEER1, IMSG_MAX_SIZE)) == NULL)
		fatal("channels");
	log_tochan(parent);

	keyproc_warmup();

	proc_confine(SANDBOX_KEYPROC, PROC_FD_PEER1 + 1, parent);

	keyproc_loop(parent, net);
	log_tochan(NULL);
	ichan_free(parent);
	return 0;
}
