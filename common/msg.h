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
 * The message set: the only contract between the processes.  Each type
 * is a list of fields, in order, encoded with buf_add_*() and read back
 * with rbuf_*():
 *
 *   u32, u64, i64	big-endian integers
 *   str		u32 length + bytes (no NUL inside)
 *   blob		u32 length + bytes
 *
 * Every str and blob has one bound, named below and written beside the
 * field in msg.c's table.  The sender checks its payload against the
 * table before it is queued (msg_compose), the receiver before it reads
 * a single field (msg_check), and the configuration parser refuses a
 * value that would not fit its field, so that what "acmed -n" accepts
 * no child refuses.  A reader must still consume the payload exactly
 * (rbuf_end()), with the same bounds.
 */
#ifndef ACMED_MSG_H
#define ACMED_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "imsg.h"

struct imsg;
struct imsgchan;
struct buf;

/*
 * Bounds of the variable-length fields, in bytes.  A name is a DNS name
 * (RFC 1035: 253 in text), an authority's name or a domain block's name.
 */
#define MSG_PAYLOAD_MAX		(IMSG_MAX_SIZE - IMSG_HEADER_SIZE)
#define MSG_LINE_MAX		2047	/* a log line */
#define MSG_TEXT_MAX		4096	/* an error or detail for a person */
#define MSG_NAME_MAX		253	/* one name */
#define MSG_NAMES_COUNT		100	/* names in one certificate */
#define MSG_NAMES_MAX		(MSG_NAMES_COUNT * (MSG_NAME_MAX + 1))
					/* names joined by '\n' */
#define MSG_URL_MAX		4096	/* any URL */
#define MSG_CONTACT_MAX		1024	/* "mailto:..." */
#define MSG_EAB_KID_MAX		1024	/* an external account's key id */
#define MSG_CHAIN_NAME_MAX	1024	/* preferred chain: an issuer's name */
#define MSG_CERTID_MAX		1024	/* an ARI certificate id */
#define MSG_PROFILE_MAX		64	/* an ACME profile's name: a token */
#define MSG_NONCE_MAX		512	/* Replay-Nonce */
#define MSG_PROBLEM_MAX		512	/* a problem type or failure kind */
#define MSG_TOKEN_MAX		255	/* an ACME challenge token */
#define MSG_KEYAUTH_MAX		512	/* token "." thumbprint */
#define MSG_THUMBPRINT_MAX	128	/* RFC 7638, base64url */
#define MSG_JWK_MAX		8192	/* a public key as JWK */
#define MSG_JWS_PART_MAX	16384	/* one part of a flattened JWS */
#define MSG_KEY_PEM_MAX		16384	/* a new private key, PEM */
#define MSG_PUBKEY_MAX		4096	/* SubjectPublicKeyInfo, DER */
#define MSG_CSR_MAX		32768	/* a CSR, DER: 100 names of 253 bytes */
#define MSG_SIGN_MAX		40960	/* the payload of a signed request */
#define MSG_CERT_DER_MAX	32768	/* a leaf certificate, DER */
#define MSG_ADDR_MAX		64	/* "[v6 address]:port" */
#define MSG_PEM_MAX		(MSG_PAYLOAD_MAX - 8)	/* a chain, a JWS */
#define MSG_ORDERS_MAX		1000	/* max orders: one authority's at once */
#define MSG_ENDPOINT_MAX	32	/* an ACME endpoint's name, for metrics */
#define MSG_MARKER_MAX		64	/* the Ready page's marker */
#define MSG_SEALED_MAX		(1 + 12 + MSG_KEY_PEM_MAX + 16)
					/* a sealed key: version, nonce,
					   the PEM encrypted, tag */
#define MSG_NODE_MAX		63	/* a fleet node's name */
#define MSG_PREFIX_MAX		128	/* the fleet's etcd key prefix */
#define MSG_ETCD_COUNT		8	/* etcd endpoints */
#define MSG_ETCD_URL_MAX	268	/* one: "https://" host ":" port */
#define MSG_ETCD_URLS_MAX	(MSG_ETCD_COUNT * (MSG_ETCD_URL_MAX + 1))
					/* endpoints joined by '\n' */
#define MSG_ETCD_PEM_MAX	16384	/* etcd's CA, client certificate or
					   key, PEM */
#define MSG_FLEET_CHAIN_MAX	(MSG_PAYLOAD_MAX - 16 - MSG_NODE_MAX - \
				    MSG_SEALED_MAX)	/* a shared chain */

/* challenged's page, which the preflight fetches: then the marker, "\n" */
#define MSG_READY_PAGE		"Let's Encrypt Ready\n"
#define MSG_DNS_VALUE_LEN	43	/* base64url of a SHA-256 */
#define MSG_DNS_RECORDS_MAX	(MSG_NAMES_COUNT * \
				    (MSG_NAME_MAX + MSG_DNS_VALUE_LEN + 2))
					/* "name value\n" for each */

/* ISSUE's challenge, as the parent and netproc both name it. */
#define MSG_CHALLENGE_HTTP01	0
#define MSG_CHALLENGE_TLSALPN01	1
#define MSG_CHALLENGE_DNS01	2

/* Signatures one KEY_ALLOW allows: a request and its badNonce retries. */
#define KEY_ALLOW_SIGNATURES	20

enum msg_type {
	MSG_NONE,
	/* every process */
	MSG_LOG,
	MSG_VERBOSE,
	MSG_SHUTDOWN,
	MSG_READY,		/* child set up and sandboxed */
	MSG_SANDBOXED,		/* child -> parent: what its sandbox holds */

	/*
	 * keyproc answers every request but KEY_FD and EAB_FD with the type
	 * shown or with KEY_ERR / KEYPROC_ERR, carrying the request's peer
	 * id.  A key that fails to load from KEY_FD or EAB_FD is logged, and
	 * every later request for it gets that reason as its error.  EAB
	 * answers with the externalAccountBinding object of a newAccount
	 * request for the account key (RFC 8555 section 7.3.4); KEY_CHANGE
	 * with the inner JWS of a key change (section 7.3.5), signed by the
	 * new key.  SIGN: kid "" puts the JWK in the header (newAccount,
	 * revocation by the certificate's key); nonce "" leaves the nonce
	 * out; an empty payload is POST-as-GET.  keytype is enum keytype
	 * (keytype.h); bits 0: the type's default.
	 */
	/* parent -> keyproc */
	MSG_KEY_FD,
	MSG_EAB_FD,
	MSG_KEY_NEW,
	MSG_SELF_SIGNED,
	MSG_PUBKEY,
	/*
	 * What a key may sign for netproc, told before netproc can ask, no
	 * answer.  KEY_ROLE: role is enum key_role (keytype.h); authid,
	 * name and directory url are the authority's whose requests it
	 * signs; names ("\n"-separated) and profile (the only one a
	 * newOrder for them may ask for; "": none) are a domain key's, ""
	 * otherwise.
	 * KEY_ALLOW authorises one operation (enum key_op) for at most
	 * KEY_ALLOW_SIGNATURES signatures: a revocation of the leaf given
	 * for the reason other (enum revoke_reason), a key change to the key
	 * other keyid, a deactivation of the account whose URL is given as
	 * the leaf; KEY_WITHDRAW, with the same fields, ends it.  Unused
	 * fields are 0 and empty.  KEY_DROP: keyproc forgets the key, its
	 * role and all it was authorised for or made.
	 */
	MSG_KEY_ROLE,
	MSG_KEY_ALLOW,
	MSG_KEY_WITHDRAW,
	MSG_KEY_DROP,
	/* keyproc -> parent */
	MSG_KEY_PEM,		/* new key, for the parent to write 0600 */
	MSG_KEY_ERR,
	MSG_SELF_SIGNED_PEM,
	MSG_PUBKEY_RESP,

	/* netproc <-> keyproc */
	MSG_JWK,
	MSG_JWK_RESP,
	MSG_SIGN,
	MSG_SIGN_RESP,
	MSG_CSR,
	MSG_CSR_RESP,
	MSG_EAB,
	MSG_EAB_RESP,
	MSG_KEY_CHANGE,		/* both JWS, with netproc's nonce */
	MSG_KEYPROC_ERR,

	/*
	 * netproc <-> challenged: CHAL_ACK carries CHAL_ADD's or
	 * CHAL_ALPN_ADD's peer id, and the token or the identifier.
	 * CHAL_ALPN_ADD publishes a tls-alpn-01 answer (RFC 8737) for an
	 * identifier, a DNS name or an address, with its key authorization.
	 */
	MSG_CHAL_ADD,
	MSG_CHAL_DEL,
	MSG_CHAL_ACK,
	MSG_CHAL_ALPN_ADD,
	MSG_CHAL_ALPN_DEL,

	/* parent -> challenged: LISTEN_ALPN_FD for tls-alpn-01 */
	MSG_LISTEN_FD,
	MSG_CHAL_MARKER,	/* the Ready page's marker, before READY */
	MSG_LISTEN_ALPN_FD,

	/* parent <-> netproc */
	MSG_AUTHORITY,
	MSG_ACCOUNT_URL,	/* url "": none */
	MSG_ISSUE,
	MSG_ORDER_URL,
	MSG_CERT,
	MSG_ISSUE_FAILED,
	MSG_RENEWAL_INFO,
	MSG_RENEWAL_WINDOW,	/* start = end = 0: none; none offered: the
				   authority's directory has no renewalInfo */
	MSG_VERIFY,
	MSG_VERIFY_RESULT,
	MSG_REVOKE,
	MSG_REVOKE_RESULT,	/* error "" if revoked */
	MSG_ROLLOVER,
	MSG_ROLLOVER_RESULT,	/* error "" if changed */
	MSG_NET_REQUEST,	/* a request's end, for the metrics */
	MSG_CHAL_ANSWERS,	/* challenged's answers by result, since the
				   last: a u64 for each enum chal_result */
	MSG_DEACTIVATE,
	MSG_DEACTIVATE_RESULT,	/* error "" if deactivated */
	/*
	 * PREFLIGHT: may http://name:port/.well-known/acme-challenge/ be this
	 * instance's (its page holds the marker)?  The result carries the
	 * name's addresses (", "-separated), the one that decided, the
	 * outcome (enum preflight_outcome) and a detail for a person.
	 */
	MSG_PREFLIGHT,
	MSG_PREFLIGHT_RESULT,
	/*
	 * dns-01: netproc asks the parent to run the dns hook, which
	 * publishes (answered with DNS_RESULT, error "" if done, under
	 * the request's peer id) or removes (no answer) the records, one
	 * "name value" line each, name an identifier of the domain's.
	 * ISSUE's challenge is one of MSG_CHALLENGE_*.
	 */
	MSG_DNS_PUBLISH,
	MSG_DNS_RESULT,
	MSG_DNS_REMOVE,
	/*
	 * The fleet (a cluster block), netproc -> parent.  FLEET_CERT: the
	 * certificate another node (or this one, before a crash) ordered,
	 * instead of an order: the node's name, the domain key sealed with
	 * the fleet key (FLEET_OPEN opens it), the chain.  FLEET_ACCOUNT:
	 * the fleet's account key for an authority is not this node's; the
	 * parent installs it (sealed) and restarts the children.
	 * FLEET_LOCK: this node holds (1) or gave back (0) the lock of a
	 * domain's order.
	 */
	MSG_FLEET_CERT,
	MSG_FLEET_ACCOUNT,
	MSG_FLEET_LOCK,

	/*
	 * The fleet key (common/fleetkey.h), which only keyproc holds, and
	 * the keys a fleet shares, sealed with it: AES-256-GCM, a version
	 * byte 1, a random 12-byte nonce, the key's PKCS#8 PEM encrypted,
	 * the 16-byte tag; its additional data "acmed-fleet-key 1\n", the
	 * role's number (decimal), "\n" and the name, so that a sealed key
	 * opens only as what it was sealed as.
	 * FLEET_KEY_FD (parent -> keyproc, no answer): the fleet key file,
	 * file its name for the log.  A key that fails to load is logged
	 * with why, and every later SEAL and OPEN gets that reason.  A new
	 * one replaces (and wipes) the one held.
	 * FLEET_SEAL (netproc -> keyproc, answered with FLEET_SEALED or
	 * KEYPROC_ERR under its peer id): seals the key keyproc holds as
	 * key id, only if the parent gave it that role (KEY_ROLE_ACCOUNT
	 * or KEY_ROLE_DOMAIN) and name is its name: its authority's for an
	 * account key, its domain's (the first of its names) for a domain
	 * key.  Only netproc may ask: from the parent it ends keyproc.
	 * FLEET_OPEN (parent -> keyproc, answered with FLEET_OPENED or
	 * KEY_ERR, key id 0): opens a sealed key as role and name, and
	 * answers with its PEM once keyproc has read it as a key acmed
	 * uses.  Only the parent may ask: netproc never sees a private key,
	 * and FLEET_OPEN from netproc ends keyproc.
	 */
	MSG_FLEET_KEY_FD,
	MSG_FLEET_SEAL,
	MSG_FLEET_SEALED,
	MSG_FLEET_OPEN,
	MSG_FLEET_OPENED,

	/*
	 * parent -> netproc, before READY and only with a cluster block:
	 * the node's name, the etcd key prefix, the endpoints ("\n"-joined),
	 * and the PEM CA, client certificate and client key for etcd.
	 */
	MSG_CLUSTER,

	MSG_MAX
};

enum msg_kind {
	MSG_F_END,
	MSG_F_U32,
	MSG_F_U64,
	MSG_F_I64,
	MSG_F_STR,
	MSG_F_BLOB
};

struct msg_field {
	enum msg_kind	 kind;
	size_t		 max;		/* str, blob: bytes */
	const char	*name;
};

#define MSG_FIELDS_MAX	14	/* a type's fields, and the end mark */

struct msg_spec {
	const char		*name;
	int			 hasfd;
	struct msg_field	 f[MSG_FIELDS_MAX];
};

#define MSG_FD_NEVER	0
#define MSG_FD_ALWAYS	1

extern const struct msg_spec msg_specs[MSG_MAX];

const char	*msg_name(uint32_t);
size_t		 msg_minlen(uint32_t);
size_t		 msg_maxlen(uint32_t);
int		 msg_valid(uint32_t, const void *, size_t, int, char *, size_t);
int		 msg_check(const struct imsg *);
int		 msg_compose(struct imsgchan *, uint32_t, uint32_t, int,
		    const struct buf *);
uint32_t	 msg_digest(void);

/* challenged's answers, by result, in MSG_CHAL_ANSWERS' order. */
enum chal_result {
	CHAL_R_TOKEN,		/* a challenge's key authorization */
	CHAL_R_UNKNOWN_TOKEN,	/* 404 for a token it does not hold */
	CHAL_R_PAGE,		/* the Let's Encrypt Ready page */
	CHAL_R_NOT_FOUND,	/* 404 for anything else */
	CHAL_R_BAD_REQUEST,	/* a request it could not take */
	CHAL_R_TIMEOUT,		/* 408: a request head too slow */
	CHAL_R_ALPN,		/* a tls-alpn-01 handshake completed */
	CHAL_R_ALPN_REFUSED,	/* a tls-alpn-01 handshake refused or too
				   slow */
	CHAL_RESULTS
};
extern const char *const chal_result_names[CHAL_RESULTS];

/* What a preflight found, in MSG_PREFLIGHT_RESULT. */
enum preflight_outcome {
	PREFLIGHT_THIS,		/* this instance's page and marker */
	PREFLIGHT_NO_NAME,	/* the name does not resolve */
	PREFLIGHT_REFUSED,	/* connection refused */
	PREFLIGHT_TIMEOUT,	/* no connection, or no answer, in time */
	PREFLIGHT_UNREACHABLE,	/* no route, or another connect error */
	PREFLIGHT_OTHER,	/* another server answers */
	PREFLIGHT_MAX
};

#endif
