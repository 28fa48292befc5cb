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
 * The message table: each type's fields and their bounds, the check every
 * receiver applies before it reads a single field, and the same check on
 * the sending side, so that a value too large for its field is refused
 * where it is made, with the field's name, instead of ending the peer.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"

#define U32(n)		{ MSG_F_U32, 0, n }
#define U64(n)		{ MSG_F_U64, 0, n }
#define I64(n)		{ MSG_F_I64, 0, n }
#define STR(n, m)	{ MSG_F_STR, m, n }
#define BLOB(n, m)	{ MSG_F_BLOB, m, n }
#define NOFD		MSG_FD_NEVER
#define FD		MSG_FD_ALWAYS

const char *const chal_result_names[CHAL_RESULTS] = {
	[CHAL_R_TOKEN] = "token",
	[CHAL_R_UNKNOWN_TOKEN] = "unknown-token",
	[CHAL_R_PAGE] = "page",
	[CHAL_R_NOT_FOUND] = "not-found",
	[CHAL_R_BAD_REQUEST] = "bad-request",
	[CHAL_R_TIMEOUT] = "timeout",
	[CHAL_R_ALPN] = "tls-alpn",
	[CHAL_R_ALPN_REFUSED] = "tls-alpn-refused",
};

const struct msg_spec msg_specs[MSG_MAX] = {
	[MSG_NONE] = { NULL, NOFD, { { 0 } } },
	[MSG_LOG] = { "LOG", NOFD, {
		U32("priority"), STR("line", MSG_LINE_MAX) } },
	[MSG_VERBOSE] = { "VERBOSE", NOFD, { U32("level") } },
	[MSG_SHUTDOWN] = { "SHUTDOWN", NOFD, { { 0 } } },
	[MSG_READY] = { "READY", NOFD, { { 0 } } },
	[MSG_SANDBOXED] = { "SANDBOXED", NOFD, {
		U32("landlock abi"), U32("seccomp") } },

	[MSG_KEY_FD] = { "KEY_FD", FD, {
		U32("key id"), U32("key type"), U32("bits") } },
	[MSG_EAB_FD] = { "EAB_FD", FD, {
		U32("account key id"), STR("key id", MSG_EAB_KID_MAX) } },
	[MSG_KEY_NEW] = { "KEY_NEW", NOFD, {
		U32("key id"), U32("key type"), U32("bits") } },
	[MSG_SELF_SIGNED] = { "SELF_SIGNED", NOFD, {
		U32("key id"), STR("names", MSG_NAMES_MAX), I64("days") } },
	[MSG_PUBKEY] = { "PUBKEY", NOFD, { U32("key id") } },
	[MSG_KEY_ROLE] = { "KEY_ROLE", NOFD, {
		U32("key id"), U32("role"), U32("authority id"),
		STR("authority name", MSG_NAME_MAX),
		STR("directory url", MSG_URL_MAX),
		STR("names", MSG_NAMES_MAX),
		STR("profile", MSG_PROFILE_MAX) } },
	[MSG_KEY_ALLOW] = { "KEY_ALLOW", NOFD, {
		U32("key id"), U32("operation"), U32("other key id or reason"),
		BLOB("leaf or account url", MSG_CERT_DER_MAX) } },
	[MSG_KEY_WITHDRAW] = { "KEY_WITHDRAW", NOFD, {
		U32("key id"), U32("operation"), U32("other key id or reason"),
		BLOB("leaf or account url", MSG_CERT_DER_MAX) } },
	[MSG_KEY_DROP] = { "KEY_DROP", NOFD, { U32("key id") } },
	[MSG_KEY_PEM] = { "KEY_PEM", NOFD, {
		U32("key id"), BLOB("key", MSG_KEY_PEM_MAX) } },
	[MSG_KEY_ERR] = { "KEY_ERR", NOFD, {
		U32("key id"), STR("error", MSG_TEXT_MAX) } },
	[MSG_SELF_SIGNED_PEM] = { "SELF_SIGNED_PEM", NOFD, {
		U32("key id"), BLOB("certificate", MSG_PEM_MAX) } },
	[MSG_PUBKEY_RESP] = { "PUBKEY_RESP", NOFD, {
		U32("key id"), BLOB("public key", MSG_PUBKEY_MAX) } },

	[MSG_JWK] = { "JWK", NOFD, { U32("key id") } },
	[MSG_JWK_RESP] = { "JWK_RESP", NOFD, {
		U32("key id"), STR("jwk", MSG_JWK_MAX),
		STR("thumbprint", MSG_THUMBPRINT_MAX) } },
	[MSG_SIGN] = { "SIGN", NOFD, {
		U32("key id"), STR("url", MSG_URL_MAX),
		STR("nonce", MSG_NONCE_MAX), STR("kid", MSG_URL_MAX),
		BLOB("payload", MSG_SIGN_MAX) } },
	[MSG_SIGN_RESP] = { "SIGN_RESP", NOFD, {
		U32("key id"), BLOB("jws", MSG_PEM_MAX) } },
	[MSG_CSR] = { "CSR", NOFD, {
		U32("key id"), STR("names", MSG_NAMES_MAX) } },
	[MSG_CSR_RESP] = { "CSR_RESP", NOFD, {
		U32("key id"), BLOB("csr", MSG_CSR_MAX) } },
	[MSG_EAB] = { "EAB", NOFD, {
		U32("account key id"), STR("url", MSG_URL_MAX) } },
	[MSG_EAB_RESP] = { "EAB_RESP", NOFD, {
		U32("key id"), STR("protected", MSG_JWS_PART_MAX),
		STR("payload", MSG_JWS_PART_MAX),
		STR("signature", MSG_JWS_PART_MAX) } },
	[MSG_KEY_CHANGE] = { "KEY_CHANGE", NOFD, {
		U32("old key id"), U32("new key id"), STR("url", MSG_URL_MAX),
		STR("nonce", MSG_NONCE_MAX), STR("account url", MSG_URL_MAX) } },
	[MSG_KEYPROC_ERR] = { "KEYPROC_ERR", NOFD, {
		U32("key id"), STR("error", MSG_TEXT_MAX) } },

	[MSG_CHAL_ADD] = { "CHAL_ADD", NOFD, {
		STR("token", MSG_TOKEN_MAX),
		STR("key authorization", MSG_KEYAUTH_MAX) } },
	[MSG_CHAL_DEL] = { "CHAL_DEL", NOFD, { STR("token", MSG_TOKEN_MAX) } },
	[MSG_CHAL_ACK] = { "CHAL_ACK", NOFD, {
		STR("token", MSG_TOKEN_MAX), U32("published") } },
	[MSG_CHAL_ALPN_ADD] = { "CHAL_ALPN_ADD", NOFD, {
		STR("identifier", MSG_NAME_MAX),
		STR("key authorization", MSG_KEYAUTH_MAX) } },
	[MSG_CHAL_ALPN_DEL] = { "CHAL_ALPN_DEL", NOFD, {
		STR("identifier", MSG_NAME_MAX) } },

	[MSG_LISTEN_FD] = { "LISTEN_FD", FD, {
		STR("address", MSG_ADDR_MAX) } },
	[MSG_CHAL_MARKER] = { "CHAL_MARKER", NOFD, {
		STR("marker", MSG_MARKER_MAX) } },
	[MSG_LISTEN_ALPN_FD] = { "LISTEN_ALPN_FD", FD, {
		STR("address", MSG_ADDR_MAX) } },

	[MSG_AUTHORITY] = { "AUTHORITY", FD, {
		U32("authority id"), STR("name", MSG_NAME_MAX),
		STR("api url", MSG_URL_MAX), STR("contact", MSG_CONTACT_MAX),
		STR("account url", MSG_URL_MAX), U32("account key id"),
		U32("key existed"), U32("external account"),
		U32("max orders") } },
	[MSG_ACCOUNT_URL] = { "ACCOUNT_URL", NOFD, {
		U32("authority id"), STR("url", MSG_URL_MAX) } },
	[MSG_ISSUE] = { "ISSUE", NOFD, {
		U32("domain id"), U32("authority id"), U32("key id"),
		STR("names", MSG_NAMES_MAX),
		STR("preferred chain", MSG_CHAIN_NAME_MAX),
		STR("replaces", MSG_CERTID_MAX),
		STR("order url", MSG_URL_MAX), I64("deadline"),
		STR("profile", MSG_PROFILE_MAX), U32("profile required"),
		U32("challenge"), U32("dns wait"),
		STR("handle", MSG_NAME_MAX) } },
	[MSG_ORDER_URL] = { "ORDER_URL", NOFD, {
		U32("domain id"), STR("url", MSG_URL_MAX) } },
	[MSG_CERT] = { "CERT", NOFD, {
		U32("domain id"), BLOB("chain", MSG_PEM_MAX) } },
	[MSG_ISSUE_FAILED] = { "ISSUE_FAILED", NOFD, {
		U32("domain id"), STR("problem type", MSG_PROBLEM_MAX),
		STR("detail", MSG_TEXT_MAX), I64("retry after") } },
	[MSG_RENEWAL_INFO] = { "RENEWAL_INFO", NOFD, {
		U32("domain id"), U32("authority id"),
		BLOB("leaf", MSG_CERT_DER_MAX) } },
	[MSG_RENEWAL_WINDOW] = { "RENEWAL_WINDOW", NOFD, {
		U32("domain id"), I64("start"), I64("end"),
		I64("retry after"), U32("none offered") } },
	[MSG_VERIFY] = { "VERIFY", NOFD, {
		U32("domain id"), STR("host", MSG_NAME_MAX), U32("port"),
		STR("server name", MSG_NAME_MAX),
		BLOB("leaf", MSG_CERT_DER_MAX) } },
	[MSG_VERIFY_RESULT] = { "VERIFY_RESULT", NOFD, {
		U32("domain id"), STR("endpoint", MSG_NAME_MAX + 8),
		U32("matches"), STR("detail", MSG_TEXT_MAX) } },
	[MSG_REVOKE] = { "REVOKE", NOFD, {
		U32("domain id"), U32("authority id"), U32("domain key id"),
		U32("sign with it"), STR("name", MSG_NAME_MAX),
		BLOB("leaf", MSG_CERT_DER_MAX), U32("reason") } },
	[MSG_REVOKE_RESULT] = { "REVOKE_RESULT", NOFD, {
		U32("domain id"), U32("revoked"), STR("error", MSG_TEXT_MAX) } },
	[MSG_ROLLOVER] = { "ROLLOVER", NOFD, {
		U32("authority id"), U32("new account key id"),
		U32("new key existed") } },
	[MSG_ROLLOVER_RESULT] = { "ROLLOVER_RESULT", NOFD, {
		U32("authority id"), U32("changed"),
		STR("error", MSG_TEXT_MAX) } },
	[MSG_CHAL_ANSWERS] = { "CHAL_ANSWERS", NOFD, {
		U64("token"), U64("unknown token"), U64("page"),
		U64("not found"), U64("bad request"), U64("timeout"),
		U64("tls-alpn"), U64("tls-alpn refused") } },
	[MSG_NET_REQUEST] = { "NET_REQUEST", NOFD, {
		U32("authority id"), STR("endpoint", MSG_ENDPOINT_MAX),
		U32("HTTP status"), U32("paused") } },
	[MSG_DEACTIVATE] = { "DEACTIVATE", NOFD, { U32("authority id") } },
	[MSG_DEACTIVATE_RESULT] = { "DEACTIVATE_RESULT", NOFD, {
		U32("authority id"), U32("deactivated"),
		STR("error", MSG_TEXT_MAX) } },
	[MSG_PREFLIGHT] = { "PREFLIGHT", NOFD, {
		U32("domain id"), STR("name", MSG_NAME_MAX), U32("port"),
		STR("marker", MSG_MARKER_MAX) } },
	[MSG_PREFLIGHT_RESULT] = { "PREFLIGHT_RESULT", NOFD, {
		U32("domain id"), STR("name", MSG_NAME_MAX),
		STR("addresses", MSG_TEXT_MAX), STR("address", MSG_ADDR_MAX),
		U32("outcome"), STR("detail", MSG_TEXT_MAX) } },
	[MSG_DNS_PUBLISH] = { "DNS_PUBLISH", NOFD, {
		U32("domain id"), STR("records", MSG_DNS_RECORDS_MAX) } },
	[MSG_DNS_RESULT] = { "DNS_RESULT", NOFD, {
		STR("error", MSG_TEXT_MAX) } },
	[MSG_DNS_REMOVE] = { "DNS_REMOVE", NOFD, {
		U32("domain id"), STR("records", MSG_DNS_RECORDS_MAX) } },
	[MSG_FLEET_CERT] = { "FLEET_CERT", NOFD, {
		U32("domain id"), STR("node", MSG_NODE_MAX),
		BLOB("sealed key", MSG_SEALED_MAX),
		BLOB("chain", MSG_FLEET_CHAIN_MAX) } },
	[MSG_FLEET_ACCOUNT] = { "FLEET_ACCOUNT", NOFD, {
		U32("authority id"), STR("node", MSG_NODE_MAX),
		BLOB("sealed key", MSG_SEALED_MAX) } },
	[MSG_FLEET_LOCK] = { "FLEET_LOCK", NOFD, {
		U32("domain id"), U32("held") } },

	[MSG_FLEET_KEY_FD] = { "FLEET_KEY_FD", FD, {
		STR("file", MSG_TEXT_MAX) } },
	[MSG_FLEET_SEAL] = { "FLEET_SEAL", NOFD, {
		U32("key id"), U32("role"), STR("name", MSG_NAME_MAX) } },
	[MSG_FLEET_SEALED] = { "FLEET_SEALED", NOFD, {
		BLOB("sealed", MSG_SEALED_MAX) } },
	[MSG_FLEET_OPEN] = { "FLEET_OPEN", NOFD, {
		U32("role"), STR("name", MSG_NAME_MAX),
		BLOB("sealed", MSG_SEALED_MAX) } },
	[MSG_FLEET_OPENED] = { "FLEET_OPENED", NOFD, {
		BLOB("pem", MSG_KEY_PEM_MAX) } },
	[MSG_CLUSTER] = { "CLUSTER", NOFD, {
		STR("node", MSG_NODE_MAX), STR("prefix", MSG_PREFIX_MAX),
		STR("etcd endpoints", MSG_ETCD_URLS_MAX),
		BLOB("etcd ca", MSG_ETCD_PEM_MAX),
		BLOB("etcd certificate", MSG_ETCD_PEM_MAX),
		BLOB("etcd key", MSG_ETCD_PEM_MAX) } },
};

const char *
msg_name(uint32_t type)
{
	if (type >= MSG_MAX || msg_specs[type].name == NULL)
		return "UNKNOWN";
	return msg_specs[type].name;
}

static size_t
field_min(const struct msg_field *f)
{
	return f->kind == MSG_F_U32 || f->kind == MSG_F_STR ||
	    f->kind == MSG_F_BLOB ? 4 : 8;
}

/* The smallest payload of a type: every str and blob empty. */
size_t
msg_minlen(uint32_t type)
{
	const struct msg_field	*f;
	size_t			 n = 0;

	if (type >= MSG_MAX)
		return 0;
	for (f = msg_specs[type].f; f->kind != MSG_F_END; f++)
		n += field_min(f);
	return n;
}

/* The largest payload of a type: every str and blob at its bound. */
size_t
msg_maxlen(uint32_t type)
{
	const struct msg_field	*f;
	size_t			 n = 0;

	if (type >= MSG_MAX)
		return 0;
	for (f = msg_specs[type].f; f->kind != MSG_F_END; f++)
		n += field_min(f) + f->max;
	return n;
}

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * 0 if len bytes at data (and a descriptor, if hasfd) are a message of
 * the type: every field present, each str and blob within its bound, no
 * NUL in a str, nothing left over.  -1 (EBADMSG) with the reason in why
 * (may be NULL).
 */
int
msg_valid(uint32_t type, const void *data, size_t len, int hasfd, char *why,
    size_t whylen)
{
	const struct msg_spec	*s;
	const struct msg_field	*f;
	const uint8_t		*p = data;
	size_t			 left = len, n;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (type == MSG_NONE || type >= MSG_MAX ||
	    msg_specs[type].name == NULL) {
		if (why != NULL)
			snprintf(why, whylen, "unknown type %u", type);
		goto bad;
	}
	s = &msg_specs[type];
	if ((s->hasfd == MSG_FD_ALWAYS) != (hasfd != 0)) {
		if (why != NULL)
			snprintf(why, whylen, hasfd ? "a descriptor where "
			    "none belongs" : "no descriptor");
		goto bad;
	}
	if (len > 0 && data == NULL)
		goto bad;
	for (f = s->f; f->kind != MSG_F_END; f++) {
		if (left < field_min(f)) {
			if (why != NULL)
				snprintf(why, whylen, "%s: cut short", f->name);
			goto bad;
		}
		if (f->kind != MSG_F_STR && f->kind != MSG_F_BLOB) {
			p += field_min(f);
			left -= field_min(f);
			continue;
		}
		n = get_u32(p);
		p += 4;
		left -= 4;
		if (n > f->max || n > left) {
			if (why != NULL)
				snprintf(why, whylen, n > f->max ? "%s of %zu "
				    "bytes: at most %zu" : "%s: cut short",
				    f->name, n, f->max);
			goto bad;
		}
		if (f->kind == MSG_F_STR && n > 0 && memchr(p, '\0', n)) {
			if (why != NULL)
				snprintf(why, whylen, "%s: a NUL byte inside",
				    f->name);
			goto bad;
		}
		p += n;
		left -= n;
	}
	if (left != 0) {
		if (why != NULL)
			snprintf(why, whylen, "%zu bytes too many", left);
		goto bad;
	}
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

/* 0 if the message may be read as its type says, -1 (EBADMSG) if not. */
int
msg_check(const struct imsg *m)
{
	return msg_valid(m->hdr.type, m->data, m->datalen, m->fd != -1, NULL,
	    0);
}

/*
 * Queues a message after checking it against the table: a payload the
 * receiver would refuse is logged with the field at fault and not sent
 * (-1, EMSGSIZE).  Like ichan_compose(), takes fd in every case.
 */
int
msg_compose(struct imsgchan *c, uint32_t type, uint32_t peerid, int fd,
    const struct buf *b)
{
	const void	*data = b != NULL ? b->data : NULL;
	size_t		 len = b != NULL ? b->len : 0;
	char		 why[128];

	if (msg_valid(type, data, len, fd != -1, why, sizeof(why)) == -1) {
		log_warnx("message %s not sent: %s", msg_name(type), why);
		if (fd != -1)
			close(fd);
		errno = EMSGSIZE;
		return -1;
	}
	return ichan_compose(c, type, peerid, fd, data, len);
}

/*
 * A digest of the message table: processes built from different sources
 * refuse to talk to each other rather than misread a payload.
 */
uint32_t
msg_digest(void)
{
	const struct msg_spec	*s;
	const struct msg_field	*f;
	const char		*p;
	uint32_t		 h = 2166136261u, v[3];
	size_t			 i, j;

	for (i = 0; i < MSG_MAX; i++) {
		s = &msg_specs[i];
		for (p = s->name != NULL ? s->name : ""; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		h = (h ^ (uint32_t)s->hasfd) * 16777619u;
		for (f = s->f; f->kind != MSG_F_END; f++) {
			v[0] = (uint32_t)f->kind;
			v[1] = (uint32_t)f->max;
			v[2] = (uint32_t)(f - s->f);
			for (j = 0; j < 3; j++)
				h = (h ^ v[j]) * 16777619u;
		}
	}
	return h;
}
