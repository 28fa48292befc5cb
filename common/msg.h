/*
 * The message set: the only contract between the processes.  Each type
 * has a payload made of the fields listed beside it, in order, encoded
 * with buf_add_*() and read back with rbuf_*(); a reader must consume the
 * payload exactly (rbuf_end()), so a wrong length is an error.
 *
 *   u32, u64, i64	big-endian integers
 *   str		u32 length + bytes (no NUL inside)
 *   blob		u32 length + bytes
 *
 * msg_check() refuses an unknown type, a payload outside the type's
 * bounds or a descriptor where none belongs, before any field is read.
 */
#ifndef ACMED_MSG_H
#define ACMED_MSG_H

#include <stddef.h>
#include <stdint.h>

struct imsg;

enum msg_type {
	MSG_NONE,
	/* every process */
	MSG_LOG,		/* u32 priority, str line */
	MSG_VERBOSE,		/* u32 level */
	MSG_SHUTDOWN,		/* (empty) */
	MSG_READY,		/* (empty): child set up and sandboxed */
	MSG_SANDBOXED,		/* u32 landlock ABI (0: none), u32 seccomp (1: on):
				   child -> parent, what its sandbox holds */

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
	MSG_KEY_FD,		/* u32 keyid, u32 keytype, u32 bits, fd */
	MSG_EAB_FD,		/* u32 account keyid, str eab kid, fd: MAC key file */
	MSG_KEY_NEW,		/* u32 keyid, u32 keytype, u32 bits */
	MSG_SELF_SIGNED,	/* u32 keyid, str names (NUL-free, \n-separated), i64 days */
	MSG_PUBKEY,		/* u32 keyid -> MSG_PUBKEY_RESP */
	/* keyproc -> parent */
	MSG_KEY_PEM,		/* u32 keyid, blob pem (new key to write 0600) */
	MSG_KEY_ERR,		/* u32 keyid, str error */
	MSG_SELF_SIGNED_PEM,	/* u32 keyid, blob pem */
	MSG_PUBKEY_RESP,	/* u32 keyid, blob SubjectPublicKeyInfo DER */

	/* netproc <-> keyproc */
	MSG_JWK,		/* u32 keyid -> MSG_JWK_RESP */
	MSG_JWK_RESP,		/* u32 keyid, str jwk json, str thumbprint */
	MSG_SIGN,		/* u32 keyid, str url, str nonce, str kid, blob payload */
	MSG_SIGN_RESP,		/* u32 keyid, blob jws json */
	MSG_CSR,		/* u32 keyid, str names */
	MSG_CSR_RESP,		/* u32 keyid, blob der */
	MSG_EAB,		/* u32 account keyid, str newAccount url */
	MSG_EAB_RESP,		/* u32 keyid, str protected, str payload, str signature */
	MSG_KEY_CHANGE,		/* u32 old keyid, u32 new keyid, str keyChange url,
				   str account url -> MSG_SIGN_RESP */
	MSG_KEYPROC_ERR,	/* u32 keyid, str error */

	/* netproc <-> challenged */
	MSG_CHAL_ADD,		/* str token, str keyauth */
	MSG_CHAL_DEL,		/* str token */
	MSG_CHAL_ACK,		/* str token, u32 ok */

	/* parent -> challenged */
	MSG_LISTEN_FD,		/* str address (for logs), fd */

	/* parent <-> netproc */
	MSG_AUTHORITY,		/* u32 authid, str name, str api url, str contact, str account url, u32 account keyid, u32 key existed, u32 eab, fd: CA PEM */
	MSG_ACCOUNT_URL,	/* u32 authid, str url ("" if none) */
	MSG_ISSUE,		/* u32 domid, u32 authid, u32 keyid, str names, str pref chain, str replaces, str order url */
	MSG_ORDER_URL,		/* u32 domid, str order url */
	MSG_CERT,		/* u32 domid, blob chain pem */
	MSG_ISSUE_FAILED,	/* u32 domid, str problem type, str detail, i64 retry-after */
	MSG_RENEWAL_INFO,	/* u32 domid, u32 authid, blob leaf DER */
	MSG_RENEWAL_WINDOW,	/* u32 domid, i64 start, i64 end, i64 retry-after; start = end = 0: none */
	MSG_VERIFY,		/* u32 domid, str host, u32 port, str server name, blob leaf DER */
	MSG_VERIFY_RESULT,	/* u32 domid, str endpoint, u32 matches, str detail */
	MSG_REVOKE,		/* u32 domid, u32 authid, u32 domain keyid,
				   u32 sign with it, str name, blob leaf DER */
	MSG_REVOKE_RESULT,	/* u32 domid, u32 revoked, str error ("" if revoked) */
	MSG_ROLLOVER,		/* u32 authid, u32 new account keyid, u32 new key existed */
	MSG_ROLLOVER_RESULT,	/* u32 authid, u32 changed, str error ("" if changed) */

	MSG_MAX
};

struct msg_spec {
	const char	*name;
	size_t		 minlen;
	size_t		 maxlen;
	int		 hasfd;
};

#define MSG_FD_NEVER	0
#define MSG_FD_ALWAYS	1
#define MSG_FD_MAYBE	2

extern const struct msg_spec msg_specs[MSG_MAX];

const char	*msg_name(uint32_t);
int		 msg_check(const struct imsg *);
uint32_t	 msg_digest(void);

#endif
