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
 * seal_peer: keys sealed with the fleet key, by the real keyproc program
 * started as the parent starts it (its user, its empty root, its
 * sandbox).  This program stands for the parent, with the parent's own
 * fleet_key_send() and fleet_key_open() on keyproc's channel, and for
 * netproc, which asks for keys sealed (MSG_FLEET_SEAL).  What keyproc
 * seals is opened here too, with the fleet key read from its file and
 * libcrypto, as the format in msg.h says, and what is sealed here opens
 * in keyproc.  Prints TAP.
 *
 * usage: seal_peer -u user -C dir program keydir
 *
 * keydir holds account.key and domain.key (ECDSA P-256), rsa.key (RSA
 * 2048), ed.key (Ed25519, a key acmed does not use), fleet.key and
 * fleet2.key (two fleet keys), fleet.short (base64 of 31 bytes),
 * fleet.text (not base64), fleet.big (2 KB) and fleet.group (a fleet
 * key its group may read).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <openssl/rand.h>

#include "regress/unit/test.h"
#include "regress/helpers/keyproc_drv.h"
#include "fleetkey.h"
#include "acmed/config.h"
#include "acmed/parent_state.h"

const char *const helper_dir = "/nonexistent";

#define ACCT		1u		/* authority pebble's account key */
#define NOROLE		7u		/* loaded, never given a role */
#define UNKNOWN		99u		/* never heard of */
#define DOMAIN		0x10001u	/* a domain key */
#define RSADOM		0x10002u	/* another, RSA */
#define NOKEY		0x10003u	/* a role, no key */
#define AUTH		"pebble"
#define DIR1		"https://acme.test:14000/dir"
#define NOT_OPEN	"does not open with this fleet key"

static const char	*keydir;
static EVP_PKEY		*acctkey, *domkey, *rsakey;
static unsigned char	 fleet[FLEET_KEY_LEN];	/* fleet.key's, read here */

static const char *
path_of(const char *name)
{
	static char	 path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", keydir, name);
	return path;
}

static void
fleet_send(const char *name, int want)
{
	int	 rc;

	KP.warning[0] = '\0';
	rc = fleet_key_send(path_of(name));
	if (ichan_flush_all(KP.parent) == -1)
		err(1, "flush");
	CHECK(rc == want, "fleet_key_send(%s): %d", name, rc);
}

/* keyproc's warning since the last fleet_send(), within 5 s. */
static void
warned(const char *what, const char *want)
{
	int	 i;

	for (i = 0; i < 50 && strstr(KP.warning, want) == NULL; i++)
		(void)read_logs(100);
	CHECK(strstr(KP.warning, want) != NULL, "%s: keyproc warns \"%s\"",
	    what, KP.warning);
}

/* The error text of a KEY_ERR or KEYPROC_ERR, as a new string. */
static char *
err_text(const struct imsg *m)
{
	struct rbuf	 r;
	char		*s;

	rbuf_init(&r, m->data, m->datalen);
	(void)rbuf_u32(&r);
	s = rbuf_str(&r, MSG_TEXT_MAX);
	return s != NULL ? s : strdup("(malformed)");
}

/* netproc's FLEET_SEAL: the answer's type, m kept for the caller. */
static uint32_t
ask_seal(uint32_t id, uint32_t role, const char *name, struct imsg *m)
{
	struct buf	 b;
	uint32_t	 t;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, id);
	buf_add_u32(&b, role);
	buf_add_lstr(&b, name);
	t = ask(MSG_FLEET_SEAL, &b, m);
	buf_free(&b);
	return t;
}

/* A key sealed for netproc: the sealed bytes, or NULL (a failed check). */
static unsigned char *
sealed_ok(const char *what, uint32_t id, uint32_t role, const char *name,
    size_t *len)
{
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*p;
	unsigned char	*out = NULL;
	char		*e = NULL;

	if (ask_seal(id, role, name, &m) == MSG_FLEET_SEALED) {
		rbuf_init(&r, m.data, m.datalen);
		p = rbuf_blob(&r, len, MSG_SEALED_MAX);
		if (rbuf_end(&r) == 0 && (out = malloc(*len)) != NULL)
			memcpy(out, p, *len);
	} else if (m.hdr.type == MSG_KEYPROC_ERR)
		e = err_text(&m);
	imsg_clear(&m);
	CHECK(out != NULL, "%s: sealed (%s)", what, e != NULL ? e : "ok");
	free(e);
	return out;
}

/* A request netproc may not make: refused with want, and a warning. */
static void
seal_refused(const char *what, uint32_t id, uint32_t role, const char *name,
    const char *want, int warns)
{
	struct imsg	 m;
	char		*e = NULL;
	int		 i;

	KP.warning[0] = '\0';
	if (ask_seal(id, role, name, &m) == MSG_KEYPROC_ERR)
		e = err_text(&m);
	imsg_clear(&m);
	for (i = 0; warns && i < 20 && KP.warning[0] == '\0'; i++)
		(void)read_logs(100);
	CHECK(e != NULL && strstr(e, want) != NULL &&
	    (!warns || strstr(KP.warning, want) != NULL),
	    "%s: refused, \"%s\"%s", what, e != NULL ? e : "(sealed)",
	    warns ? ", and logged as a warning" : "");
	free(e);
}

/* The parent's fleet_key_open(): the key, or NULL with the reason. */
static EVP_PKEY *
opened(uint32_t role, const char *name, const void *sealed, size_t len,
    char *err, size_t errlen)
{
	EVP_PKEY	*k = NULL;
	BIO		*bio;
	char		*pem;
	size_t		 pemlen;

	err[0] = '\0';
	if (fleet_key_open(role, name, sealed, len, &pem, &pemlen, err,
	    errlen) == -1)
		return NULL;
	if (strlen(pem) != pemlen || (bio = BIO_new_mem_buf(pem,
	    (int)pemlen)) == NULL)
		snprintf(err, errlen, "a PEM of %zu bytes, not a string",
		    pemlen);
	else {
		k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	freezero(pem, pemlen);
	return k;
}

static void
open_ok(const char *what, uint32_t role, const char *name, const void *s,
    size_t len, EVP_PKEY *want)
{
	EVP_PKEY	*k;
	char		 err[1024];

	k = opened(role, name, s, len, err, sizeof(err));
	CHECK(k != NULL && EVP_PKEY_eq(k, want) == 1, "%s: opens, the same "
	    "key (%s)", what, k == NULL ? err : "ok");
	EVP_PKEY_free(k);
}

static void
open_refused(const char *what, uint32_t role, const char *name,
    const void *s, size_t len, const char *want)
{
	EVP_PKEY	*k;
	char		 err[1024];

	k = opened(role, name, s, len, err, sizeof(err));
	CHECK(k == NULL && strstr(err, want) != NULL, "%s: not opened, "
	    "\"%s\"", what, err);
	EVP_PKEY_free(k);
}

/* What a sealed key is bound to, as msg.h says. */
static void
aad_of(uint32_t role, const char *name, char *aad, size_t len)
{
	snprintf(aad, len, "acmed-fleet-key 1\n%u\n%s", role, name);
}

/* AES-256-GCM with fleet.key, here: seal (enc) or open; -1 if it fails. */
static int
gcm(int enc, const char *aad, const unsigned char *nonce,
    const unsigned char *in, size_t len, unsigned char *out,
    unsigned char tag[16])
{
	EVP_CIPHER_CTX	*c;
	int		 n, f, ok;

	ok = (c = EVP_CIPHER_CTX_new()) != NULL &&
	    EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, fleet, nonce,
	    enc) == 1 &&
	    EVP_CipherUpdate(c, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_CipherUpdate(c, out, &n, in, (int)len) == 1 &&
	    (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16,
	    tag) == 1) &&
	    EVP_CipherFinal_ex(c, out + n, &f) == 1 &&
	    (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16,
	    tag) == 1);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* Sealed here: version 1, a random nonce, the ciphertext, the tag. */
static unsigned char *
seal_here(uint32_t role, const char *name, const void *pt, size_t len,
    size_t *outlen)
{
	unsigned char	*out;
	char		 aad[512];

	aad_of(role, name, aad, sizeof(aad));
	if ((out = malloc(len + 29)) == NULL)
		err(1, NULL);
	out[0] = 1;
	if (RAND_bytes(out + 1, 12) != 1 ||
	    gcm(1, aad, out + 1, pt, len, out + 13, out + 13 + len) == -1)
		errx(1, "sealing here");
	*outlen = len + 29;
	return out;
}

/* Opened here: the plaintext, NUL-terminated, or NULL. */
static char *
open_here(uint32_t role, const char *name, const unsigned char *s,
    size_t len)
{
	char		*pt, aad[512];

	aad_of(role, name, aad, sizeof(aad));
	if (len < 29 || s[0] != 1 || (pt = calloc(1, len - 28)) == NULL)
		return NULL;
	if (gcm(0, aad, s + 1, s + 13, len - 29, (unsigned char *)pt,
	    (unsigned char *)s + len - 16) == -1) {
		free(pt);
		return NULL;
	}
	return pt;
}

/* The fleet key in name, decoded by libcrypto. */
static void
read_fleet(const char *name)
{
	unsigned char	 raw[64];
	char		*text;
	int		 n;

	if ((text = test_slurp(path_of(name))) == NULL)
		err(1, "%s", path_of(name));
	text[strcspn(text, "\n")] = '\0';
	n = EVP_DecodeBlock(raw, (unsigned char *)text, (int)strlen(text));
	if (n != 33)
		errx(1, "%s: %d bytes", name, n);
	memcpy(fleet, raw, FLEET_KEY_LEN);
	free(text);
}

static void
setup(void)
{
	send_role(ACCT, KEY_ROLE_ACCOUNT, 1, AUTH, DIR1, "", "");
	key_fd(keydir, "account.key", ACCT, &acctkey);
	send_role(DOMAIN, KEY_ROLE_DOMAIN, 1, AUTH, DIR1,
	    "a.example.org\nb.example.org", "");
	key_fd(keydir, "domain.key", DOMAIN, &domkey);
	send_role(RSADOM, KEY_ROLE_DOMAIN, 1, AUTH, DIR1, "r.example.org", "");
	key_fd(keydir, "rsa.key", RSADOM, &rsakey);
	send_role(NOKEY, KEY_ROLE_DOMAIN, 1, AUTH, DIR1, "n.example.org", "");
	key_fd(keydir, "domain.key", NOROLE, NULL);
	/* The parent's functions reach keyproc through its table. */
	children[PROC_KEYPROC].pid = KP.pid;
	children[PROC_KEYPROC].chan = KP.parent;
}

/* No fleet key, or none that loaded: every SEAL and OPEN says why. */
static void
test_no_key(void)
{
	unsigned char	 zero[64];

	memset(zero, 0, sizeof(zero));
	zero[0] = 1;
	seal_refused("no fleet key given", ACCT, KEY_ROLE_ACCOUNT, AUTH,
	    "no fleet key", 0);
	open_refused("no fleet key given", KEY_ROLE_ACCOUNT, AUTH, zero,
	    sizeof(zero), "no fleet key");

	fleet_send("fleet.short", 0);
	warned("base64 of 31 bytes", "decodes to 31 bytes, not 32");
	CHECK(strstr(KP.warning, path_of("fleet.short")) != NULL,
	    "the warning names the file");
	seal_refused("a fleet key of 31 bytes", ACCT, KEY_ROLE_ACCOUNT, AUTH,
	    "decodes to 31 bytes, not 32", 0);
	open_refused("a fleet key of 31 bytes", KEY_ROLE_DOMAIN,
	    "a.example.org", zero, sizeof(zero),
	    "decodes to 31 bytes, not 32");
	fleet_send("fleet.big", 0);
	warned("a 2 KB file", "larger than 1024 bytes");
	fleet_send("fleet.text", 0);
	warned("a file that is not base64", "not base64");
	seal_refused("a fleet key that is not base64", ACCT,
	    KEY_ROLE_ACCOUNT, AUTH, "not base64", 0);
	/* The parent refuses them: keyproc keeps the reason it had. */
	fleet_send("fleet.group", -1);
	fleet_send("fleet.missing", -1);
	seal_refused("after a group-readable or missing fleet key file", ACCT,
	    KEY_ROLE_ACCOUNT, AUTH, "not base64", 0);
}

/* What keyproc sealed: the format msg.h gives, no plaintext in sight. */
static void
check_format(const char *what, const unsigned char *s, size_t len,
    uint32_t role, const char *name, EVP_PKEY *want)
{
	EVP_PKEY	*k = NULL;
	BIO		*bio;
	char		*pem, *line;

	pem = open_here(role, name, s, len);
	CHECK(pem != NULL && len == strlen(pem) + 29 && s[0] == 1,
	    "%s: version 1, nonce, ciphertext, tag: opens here with "
	    "fleet.key", what);
	if (pem == NULL)
		return;
	if ((bio = BIO_new_mem_buf(pem, -1)) != NULL) {
		k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	CHECK(k != NULL && EVP_PKEY_eq(k, want) == 1 &&
	    strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0,
	    "%s: the key's PKCS#8 PEM", what);
	/* The PEM's first line of base64, and its armour, are not there. */
	line = pem + 28;
	line[strcspn(line, "\n")] = '\0';
	CHECK(memmem(s, len, line, strlen(line)) == NULL &&
	    memmem(s, len, "PRIVATE KEY", 11) == NULL,
	    "%s: no plaintext of the PEM in the sealed bytes", what);
	EVP_PKEY_free(k);
	freezero(pem, strlen(pem));
}

static void
test_seal_open(void)
{
	unsigned char	*a, *a2, *d, *r, *bad;
	size_t		 alen, a2len, dlen, rlen;

	fleet_send("fleet.key", 0);
	read_fleet("fleet.key");
	a = sealed_ok("the account key", ACCT, KEY_ROLE_ACCOUNT, AUTH, &alen);
	d = sealed_ok("the domain key", DOMAIN, KEY_ROLE_DOMAIN,
	    "a.example.org", &dlen);
	r = sealed_ok("an RSA domain key", RSADOM, KEY_ROLE_DOMAIN,
	    "r.example.org", &rlen);
	a2 = sealed_ok("the account key again", ACCT, KEY_ROLE_ACCOUNT, AUTH,
	    &a2len);
	if (a == NULL || d == NULL || r == NULL || a2 == NULL)
		errx(1, "nothing sealed to go on with");
	CHECK(alen == a2len && memcmp(a, a2, alen) != 0,
	    "two seals of one key differ (a new nonce each)");
	check_format("the account key", a, alen, KEY_ROLE_ACCOUNT, AUTH,
	    acctkey);
	check_format("the domain key", d, dlen, KEY_ROLE_DOMAIN,
	    "a.example.org", domkey);
	check_format("the RSA domain key", r, rlen, KEY_ROLE_DOMAIN,
	    "r.example.org", rsakey);

	open_ok("the account key", KEY_ROLE_ACCOUNT, AUTH, a, alen, acctkey);
	open_ok("the account key sealed again", KEY_ROLE_ACCOUNT, AUTH, a2,
	    a2len, acctkey);
	open_ok("the domain key", KEY_ROLE_DOMAIN, "a.example.org", d, dlen,
	    domkey);
	open_ok("the RSA domain key", KEY_ROLE_DOMAIN, "r.example.org", r,
	    rlen, rsakey);

	open_refused("the account key as a domain key", KEY_ROLE_DOMAIN, AUTH,
	    a, alen, "the sealed domain key of pebble " NOT_OPEN);
	open_refused("the account key as another authority's",
	    KEY_ROLE_ACCOUNT, "other", a, alen,
	    "the sealed account key of authority other " NOT_OPEN);
	open_refused("the domain key as another domain's", KEY_ROLE_DOMAIN,
	    "b.example.org", d, dlen, NOT_OPEN);
	open_refused("one domain's sealed key given as another's",
	    KEY_ROLE_DOMAIN, "r.example.org", d, dlen, NOT_OPEN);
	if ((bad = malloc(alen)) == NULL)
		err(1, NULL);
	memcpy(bad, a, alen);
	bad[20] ^= 1;
	open_refused("a byte of the ciphertext changed", KEY_ROLE_ACCOUNT,
	    AUTH, bad, alen, NOT_OPEN);
	bad[20] ^= 1;
	bad[alen - 1] ^= 0x80;
	open_refused("a bit of the tag changed", KEY_ROLE_ACCOUNT, AUTH, bad,
	    alen, NOT_OPEN);
	bad[alen - 1] ^= 0x80;
	bad[0] = 2;
	open_refused("version 2", KEY_ROLE_ACCOUNT, AUTH, bad, alen,
	    "of version 2, not 1");
	open_refused("cut short", KEY_ROLE_ACCOUNT, AUTH, a, 28,
	    "28 bytes: too short");
	open_refused("an account's new key", KEY_ROLE_NEW_ACCOUNT, AUTH, a,
	    alen, "only account and domain keys are sealed");
	free(bad);

	fleet_send("fleet2.key", 0);
	open_refused("another fleet key", KEY_ROLE_ACCOUNT, AUTH, a, alen,
	    "the sealed account key of authority pebble " NOT_OPEN
	    " (sealed with another fleet key");
	free(a2);
	a2 = sealed_ok("the account key, with the other fleet key", ACCT,
	    KEY_ROLE_ACCOUNT, AUTH, &a2len);
	open_ok("the account key, with the other fleet key",
	    KEY_ROLE_ACCOUNT, AUTH, a2, a2len, acctkey);
	fleet_send("fleet.key", 0);
	open_ok("the first fleet key back: what it sealed opens again",
	    KEY_ROLE_ACCOUNT, AUTH, a, alen, acctkey);
	open_refused("and what the other sealed does not", KEY_ROLE_ACCOUNT,
	    AUTH, a2, a2len, NOT_OPEN);
	free(a);
	free(a2);
	free(d);
	free(r);
}

/* Sealed here, by the format alone: opens in keyproc only if a key. */
static void
test_sealed_here(void)
{
	unsigned char	*s;
	char		*pem;
	size_t		 len;

	if ((pem = test_slurp(path_of("account.key"))) == NULL)
		err(1, "account.key");
	s = seal_here(KEY_ROLE_ACCOUNT, AUTH, pem, strlen(pem), &len);
	open_ok("a key sealed by the format in msg.h", KEY_ROLE_ACCOUNT,
	    AUTH, s, len, acctkey);
	free(s);
	free(pem);
	s = seal_here(KEY_ROLE_DOMAIN, "a.example.org", "not a key", 9, &len);
	open_refused("sealed text that is no key", KEY_ROLE_DOMAIN,
	    "a.example.org", s, len, "the sealed domain key of "
	    "a.example.org: not a PEM private key");
	free(s);
	if ((pem = test_slurp(path_of("ed.key"))) == NULL)
		err(1, "ed.key");
	s = seal_here(KEY_ROLE_DOMAIN, "a.example.org", pem, strlen(pem),
	    &len);
	open_refused("a sealed Ed25519 key", KEY_ROLE_DOMAIN,
	    "a.example.org", s, len, "not supported");
	free(s);
	free(pem);
}

/* netproc asks for what the parent did not say a key is. */
static void
test_refused(void)
{
	seal_refused("the domain key as an account key", DOMAIN,
	    KEY_ROLE_ACCOUNT, AUTH, "refused to seal it as the account key "
	    "of authority pebble", 1);
	seal_refused("the account key as a domain key", ACCT, KEY_ROLE_DOMAIN,
	    "a.example.org", "key 1 (account key of authority pebble): "
	    "refused to seal it as the domain key of a.example.org", 1);
	seal_refused("the domain key under its second name", DOMAIN,
	    KEY_ROLE_DOMAIN, "b.example.org", "refused to seal it as the "
	    "domain key of b.example.org", 1);
	seal_refused("the account key as another authority's", ACCT,
	    KEY_ROLE_ACCOUNT, "other", "refused to seal it as the account "
	    "key of authority other", 1);
	seal_refused("a key without a role", NOROLE, KEY_ROLE_ACCOUNT, AUTH,
	    "key 7 (no role): refused to seal it", 1);
	seal_refused("as an account's new key", ACCT, KEY_ROLE_NEW_ACCOUNT,
	    AUTH, "only account and domain keys are sealed", 1);
	seal_refused("an unknown key", UNKNOWN, KEY_ROLE_ACCOUNT, AUTH,
	    "key 99 is not loaded", 0);
	seal_refused("a domain whose key is not loaded", NOKEY,
	    KEY_ROLE_DOMAIN, "n.example.org", "is not loaded", 0);
}

/*
 * A message from the wrong side ends keyproc, with its reason in the
 * log and no answer: 1 if it did.
 */
static int
ended_by(struct imsgchan *c, uint32_t type, const struct buf *b,
    const char *reason)
{
	struct pollfd	 pfd;
	struct imsg	 m;
	struct rbuf	 r;
	ssize_t		 n;
	char		*line;
	int		 i, status, logged = 0, answered = 0, eof = 0;

	send_on(c, type, -1, b);
	for (i = 0; i < 100 && !eof; i++) {
		pfd.fd = ichan_fd(KP.parent);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((n = ichan_read(KP.parent)) == 0 ||
		    (n == -1 && errno != EAGAIN))
			eof = 1;
		while (ichan_get(KP.parent, &m) == 1) {
			if (m.hdr.type == MSG_LOG) {
				rbuf_init(&r, m.data, m.datalen);
				(void)rbuf_u32(&r);
				line = rbuf_str(&r, MSG_LINE_MAX);
				printf("# keyproc: %s\n", line ? line : "");
				logged |= line != NULL &&
				    strstr(line, reason) != NULL;
				free(line);
			} else if (m.hdr.type != MSG_SANDBOXED)
				answered = 1;
			imsg_clear(&m);
		}
	}
	while (c == KP.net && ichan_read(KP.net) > 0)
		while (ichan_get(KP.net, &m) == 1) {
			answered = 1;
			imsg_clear(&m);
		}
	if (!eof)
		kill(KP.pid, SIGKILL);
	if (waitpid(KP.pid, &status, 0) == -1)
		err(1, "waitpid");
	printf("# keyproc ended: %s %d\n", WIFEXITED(status) ? "exit status" :
	    "signal", WIFEXITED(status) ? WEXITSTATUS(status) :
	    WTERMSIG(status));
	close(ichan_fd(KP.parent));
	close(ichan_fd(KP.net));
	ichan_free(KP.parent);
	ichan_free(KP.net);
	return eof && logged && !answered && WIFEXITED(status) &&
	    WEXITSTATUS(status) != 0;
}

/* An OPEN from netproc, a SEAL from the parent: each ends keyproc. */
static void
test_wrong_side(void)
{
	struct buf	 b;
	unsigned char	 zero[64];

	memset(zero, 0, sizeof(zero));
	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, KEY_ROLE_ACCOUNT);
	buf_add_lstr(&b, AUTH);
	buf_add_blob(&b, zero, sizeof(zero));
	CHECK(ended_by(KP.net, MSG_FLEET_OPEN, &b,
	    "unexpected FLEET_OPEN from netproc"), "FLEET_OPEN from netproc: "
	    "keyproc ends, logs why, answers nothing");
	buf_free(&b);

	start(KP.program, KP.user, KP.dir);
	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, ACCT);
	buf_add_u32(&b, KEY_ROLE_ACCOUNT);
	buf_add_lstr(&b, AUTH);
	CHECK(ended_by(KP.parent, MSG_FLEET_SEAL, &b,
	    "unexpected FLEET_SEAL from the parent"), "FLEET_SEAL from the "
	    "parent: keyproc ends, logs why, answers nothing");
	buf_free(&b);
}

int
main(int argc, char *argv[])
{
	keydir = drv_start(argc, argv, "seal_peer");
	setup();
	test_no_key();
	test_seal_open();
	test_sealed_here();
	test_refused();
	test_wrong_side();
	EVP_PKEY_free(acctkey);
	EVP_PKEY_free(domkey);
	EVP_PKEY_free(rsakey);
	return test_done();
}
