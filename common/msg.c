/*
 * Names and bounds of the message types, and the check every receiver
 * applies before it reads a single field.
 */
#include <errno.h>
#include <stddef.h>

#include "imsg.h"
#include "msg.h"

#define ANY	(IMSG_MAX_SIZE - IMSG_HEADER_SIZE)
#define STR	4		/* smallest encoded string: the length */

const struct msg_spec msg_specs[MSG_MAX] = {
	[MSG_NONE] =		{ "NONE", 0, 0, MSG_FD_NEVER },
	[MSG_LOG] =		{ "LOG", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_VERBOSE] =		{ "VERBOSE", 4, 4, MSG_FD_NEVER },
	[MSG_SHUTDOWN] =	{ "SHUTDOWN", 0, 0, MSG_FD_NEVER },
	[MSG_READY] =		{ "READY", 0, 0, MSG_FD_NEVER },
	[MSG_SANDBOXED] =	{ "SANDBOXED", 8, 8, MSG_FD_NEVER },
	[MSG_KEY_FD] =		{ "KEY_FD", 12, 12, MSG_FD_ALWAYS },
	[MSG_EAB_FD] =		{ "EAB_FD", 4 + STR + 1, ANY, MSG_FD_ALWAYS },
	[MSG_KEY_NEW] =		{ "KEY_NEW", 12, 12, MSG_FD_NEVER },
	[MSG_SELF_SIGNED] =	{ "SELF_SIGNED", 4 + STR + 8, ANY,
				    MSG_FD_NEVER },
	[MSG_PUBKEY] =		{ "PUBKEY", 4, 4, MSG_FD_NEVER },
	[MSG_PUBKEY_RESP] =	{ "PUBKEY_RESP", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_KEY_PEM] =		{ "KEY_PEM", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_KEY_ERR] =		{ "KEY_ERR", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_SELF_SIGNED_PEM] =	{ "SELF_SIGNED_PEM", 4 + STR, ANY,
				    MSG_FD_NEVER },
	[MSG_JWK] =		{ "JWK", 4, 4, MSG_FD_NEVER },
	[MSG_JWK_RESP] =	{ "JWK_RESP", 4 + 2 * STR, ANY, MSG_FD_NEVER },
	[MSG_SIGN] =		{ "SIGN", 4 + 4 * STR, ANY, MSG_FD_NEVER },
	[MSG_SIGN_RESP] =	{ "SIGN_RESP", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_CSR] =		{ "CSR", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_CSR_RESP] =	{ "CSR_RESP", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_EAB] =		{ "EAB", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_EAB_RESP] =	{ "EAB_RESP", 4 + 3 * STR, ANY, MSG_FD_NEVER },
	[MSG_KEY_CHANGE] =	{ "KEY_CHANGE", 8 + 2 * STR, ANY, MSG_FD_NEVER },
	[MSG_KEYPROC_ERR] =	{ "KEYPROC_ERR", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_CHAL_ADD] =	{ "CHAL_ADD", 2 * STR, ANY, MSG_FD_NEVER },
	[MSG_CHAL_DEL] =	{ "CHAL_DEL", STR, ANY, MSG_FD_NEVER },
	[MSG_CHAL_ACK] =	{ "CHAL_ACK", STR + 4, ANY, MSG_FD_NEVER },
	[MSG_LISTEN_FD] =	{ "LISTEN_FD", STR, ANY, MSG_FD_ALWAYS },
	[MSG_AUTHORITY] =	{ "AUTHORITY", 4 + 4 * STR + 12, ANY,
				    MSG_FD_ALWAYS },
	[MSG_ACCOUNT_URL] =	{ "ACCOUNT_URL", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_ISSUE] =		{ "ISSUE", 12 + 4 * STR, ANY, MSG_FD_NEVER },
	[MSG_ORDER_URL] =	{ "ORDER_URL", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_CERT] =		{ "CERT", 4 + STR, ANY, MSG_FD_NEVER },
	[MSG_ISSUE_FAILED] =	{ "ISSUE_FAILED", 4 + 2 * STR + 8, ANY,
				    MSG_FD_NEVER },
	[MSG_RENEWAL_INFO] =	{ "RENEWAL_INFO", 8 + STR, ANY, MSG_FD_NEVER },
	[MSG_RENEWAL_WINDOW] =	{ "RENEWAL_WINDOW", 4 + 24, 4 + 24,
				    MSG_FD_NEVER },
	[MSG_VERIFY] =		{ "VERIFY", 4 + 2 * STR + 4 + STR, ANY,
				    MSG_FD_NEVER },
	[MSG_VERIFY_RESULT] =	{ "VERIFY_RESULT", 4 + STR + 4 + STR, ANY,
				    MSG_FD_NEVER },
	[MSG_REVOKE] =		{ "REVOKE", 16 + 2 * STR, ANY, MSG_FD_NEVER },
	[MSG_REVOKE_RESULT] =	{ "REVOKE_RESULT", 8 + STR, ANY,
				    MSG_FD_NEVER },
	[MSG_ROLLOVER] =	{ "ROLLOVER", 12, 12, MSG_FD_NEVER },
	[MSG_ROLLOVER_RESULT] =	{ "ROLLOVER_RESULT", 8 + STR, ANY,
				    MSG_FD_NEVER },
};

const char *
msg_name(uint32_t type)
{
	if (type >= MSG_MAX || msg_specs[type].name == NULL)
		return "UNKNOWN";
	return msg_specs[type].name;
}

/* 0 if the message may be read as its type says, -1 (EBADMSG) if not. */
int
msg_check(const struct imsg *m)
{
	const struct msg_spec	*s;

	if (m->hdr.type == MSG_NONE || m->hdr.type >= MSG_MAX)
		goto bad;
	s = &msg_specs[m->hdr.type];
	if (s->name == NULL || m->datalen < s->minlen || m->datalen > s->maxlen)
		goto bad;
	if (s->hasfd == MSG_FD_ALWAYS && m->fd == -1)
		goto bad;
	if (s->hasfd == MSG_FD_NEVER && m->fd != -1)
		goto bad;
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

/*
 * A digest of the message table: processes built from different sources
 * refuse to talk to each other rather than misread a payload.
 */
uint32_t
msg_digest(void)
{
	const struct msg_spec	*s;
	const char		*p;
	uint32_t		 h = 2166136261u, v[3];
	size_t			 i, j;

	for (i = 0; i < MSG_MAX; i++) {
		s = &msg_specs[i];
		for (p = s->name != NULL ? s->name : ""; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		v[0] = (uint32_t)s->minlen;
		v[1] = (uint32_t)s->maxlen;
		v[2] = (uint32_t)s->hasfd;
		for (j = 0; j < 3; j++)
			h = (h ^ v[j]) * 16777619u;
	}
	return h;
}
