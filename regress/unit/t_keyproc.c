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
 * keyproc as a process: its loop runs in a forked child over two
 * socketpairs, one standing for the parent and one for netproc, and gets
 * every request it serves, requests it must refuse, and malformed
 * messages that must end it with a non-zero status (not a signal).  One
 * run goes through the real sandbox (without the user and chroot, which
 * need root).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <yajl/yajl_tree.h>

#include "test.h"
#include "base64.h"
#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "sandbox.h"
#include "x509check.h"
#include "keyproc/crypto.h"
#include "keyproc/keyproc.h"
#include "t_jws_verify.h"

static const char ec256_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZHUWLgQ45iCexMY+\n"
    "g+8w/4nVsAv9d0R4EPL/7HRMnZ6hRANCAATIY64cQbDARVPfOk+gryGw92xi/lJp\n"
    "3wq/CqDRMIyrdkKfv51LTf1Z5VmqZoH6hGaslPFBA81LZTrY7NgjU4QT\n"
    "-----END PRIVATE KEY-----\n";
static const char ec256_tp[] = "9Rtl9ny2QvnaNRXuWwvt9XZvog4aOyIvn2eAz4lQMNg";

struct kp {
	pid_t		 pid;
	struct imsgchan	*parent;	/* our end of keyproc's parent channel */
	struct imsgchan	*net;		/* our end of keyproc's netproc channel */
	int		 logs;		/* MSG_LOG lines seen */
	char		 lastlog[1024];
};

/* Starts keyproc's loop in a child; sandboxed if asked. */
static int
kp_start(struct kp *kp, int sandboxed)
{
	struct imsgchan	*p, *n;
	struct sandbox	 sb;
	int		 sp[2], sn[2];

	memset(kp, 0, sizeof(*kp));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sn) == -1)
		return -1;
	fflush(stdout);
	if ((kp->pid = fork()) == -1)
		return -1;
	if (kp->pid == 0) {
		close(sp[0]);
		close(sn[0]);
		/* Where keyproc finds its channels in the daemon. */
		if (dup2(sp[1], 3) == -1 || dup2(sn[1], 4) == -1)
			_exit(2);
		if ((p = ichan_new(3, IMSG_MAX_SIZE)) == NULL ||
		    (n = ichan_new(4, IMSG_MAX_SIZE)) == NULL)
			_exit(2);
		log_init(1, 0, "keyproc");
		log_tochan(p);
		if (sandboxed) {
			keyproc_warmup();
			memset(&sb, 0, sizeof(sb));
			sb.profile = SANDBOX_KEYPROC;
			sb.keep_fds = 5;
			if (sandbox_enter(&sb) == -1)
				_exit(3);
		}
		keyproc_loop(p, n);
		log_tochan(NULL);
		ichan_free(p);
		/*
		 * Sandboxed, the sanitizers' exit path (leak check) makes
		 * calls the filter forbids: leave without it.
		 */
		if (sandboxed)
			syscall(SYS_exit_group, 0);
		exit(0);
	}
	close(sp[1]);
	close(sn[1]);
	kp->parent = ichan_new(sp[0], IMSG_MAX_SIZE);
	kp->net = ichan_new(sn[0], IMSG_MAX_SIZE);
	return kp->parent != NULL && kp->net != NULL ? 0 : -1;
}

/* Closes our ends of the channels (ichan_free leaves the socket open). */
static void
kp_close(struct kp *kp)
{
	if (kp->parent != NULL) {
		close(ichan_fd(kp->parent));
		ichan_free(kp->parent);
	}
	if (kp->net != NULL) {
		close(ichan_fd(kp->net));
		ichan_free(kp->net);
	}
	kp->parent = kp->net = NULL;
}

/* The child's exit status, or 128 + signal; -1 if it did not end. */
static int
kp_wait(struct kp *kp)
{
	int	 status, i;
	pid_t	 r;

	for (i = 0; i < 500; i++) {
		if ((r = waitpid(kp->pid, &status, WNOHANG)) == kp->pid)
			break;
		usleep(10000);
	}
	kp_close(kp);
	if (i == 500) {
		kill(kp->pid, SIGKILL);
		waitpid(kp->pid, &status, 0);
		return -1;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void
kp_send(struct imsgchan *c, uint32_t type, uint32_t peerid, int fd,
    const struct buf *b)
{
	if (ichan_compose(c, type, peerid, fd, b != NULL ? b->data : NULL,
	    b != NULL ? b->len : 0) == -1 || ichan_flush_all(c) == -1)
		printf("# send %s: %s\n", msg_name(type), strerror(errno));
}

/*
 * The next message on c that is not a log line, within five seconds;
 * 0 if there is none.  Log lines are kept for the checks.
 */
static int
kp_recv(struct kp *kp, struct imsgchan *c, struct imsg *m)
{
	struct pollfd	 pfd;
	struct rbuf	 r;
	char		*line;
	ssize_t		 n;
	int		 rc, i;

	for (i = 0; i < 50; i++) {
		while ((rc = ichan_get(c, m)) == 1) {
			if (msg_check(m) == -1) {
				printf("# malformed %s\n",
				    msg_name(m->hdr.type));
				imsg_clear(m);
				return 0;
			}
			if (m->hdr.type != MSG_LOG)
				return 1;
			rbuf_init(&r, m->data, m->datalen);
			(void)rbuf_u32(&r);
			if ((line = rbuf_str(&r, IMSG_MAX_SIZE)) != NULL) {
				snprintf(kp->lastlog, sizeof(kp->lastlog),
				    "%s", line);
				printf("# keyproc: %s\n", line);
			}
			free(line);
			kp->logs++;
			imsg_clear(m);
		}
		if (rc == -1)
			return 0;
		pfd.fd = ichan_fd(c);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((n = ichan_read(c)) == 0 || (n == -1 && errno != EAGAIN))
			return 0;
	}
	return 0;
}

/* Sends a request and returns the answer's type (0: none). */
static uint32_t
kp_call(struct kp *kp, struct imsgchan *c, uint32_t type, uint32_t peerid,
    const struct buf *b, struct imsg *m)
{
	kp_send(c, type, peerid, -1, b);
	if (!kp_recv(kp, c, m))
		return 0;
	return m->hdr.type;
}

/* The error text of a KEY_ERR / KEYPROC_ERR answer, for the checks. */
static char *
err_text(const struct imsg *m, uint32_t want_id)
{
	struct rbuf	 r;
	char		*s;
	uint32_t	 id;

	rbuf_init(&r, m->data, m->datalen);
	id = rbuf_u32(&r);
	s = rbuf_str(&r, IMSG_MAX_SIZE);
	if (rbuf_end(&r) == -1 || id != want_id) {
		free(s);
		return strdup("(malformed error)");
	}
	printf("# error: %s\n", s);
	return s;
}

/* id, type, bits */
static void
b_key(struct buf *b, uint32_t id, uint32_t type, uint32_t bits)
{
	buf_init(b, IMSG_MAX_SIZE);
	buf_add_u32(b, id);
	buf_add_u32(b, type);
	buf_add_u32(b, bits);
}

static void
b_id(struct buf *b, uint32_t id)
{
	buf_init(b, IMSG_MAX_SIZE);
	buf_add_u32(b, id);
}

#define BIG_ORDER	"{\"identifiers\":[{\"type\":\"dns\",\"value\":" \
			"\"big.example.org\"}],\"replaces\":\""

/* MSG_KEY_ROLE: key id is role of authority 1, "acme" at acme.test. */
static void
send_role(struct kp *kp, uint32_t id, enum key_role role, const char *names)
{
	struct buf	 b;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, id);
	buf_add_u32(&b, role);
	buf_add_u32(&b, 1);
	buf_add_lstr(&b, "acme");
	buf_add_lstr(&b, "https://acme.test/dir");
	buf_add_lstr(&b, names);
	buf_add_lstr(&b, "");
	kp_send(kp->parent, MSG_KEY_ROLE, 0, -1, &b);
	buf_free(&b);
}

/* The public key of key id, from MSG_PUBKEY. */
static EVP_PKEY *
get_pubkey(struct kp *kp, uint32_t id, uint32_t peerid)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*der;
	const unsigned char *p;
	EVP_PKEY	*pkey = NULL;
	size_t		 len;

	b_id(&b, id);
	if (kp_call(kp, kp->parent, MSG_PUBKEY, peerid, &b, &m) ==
	    MSG_PUBKEY_RESP) {
		rbuf_init(&r, m.data, m.datalen);
		if (rbuf_u32(&r) == id &&
		    (der = rbuf_blob(&r, &len, IMSG_MAX_SIZE)) != NULL &&
		    rbuf_end(&r) == 0 && m.hdr.peerid == peerid) {
			p = der;
			pkey = d2i_PUBKEY(NULL, &p, (long)len);
		}
		imsg_clear(&m);
	} else if (m.hdr.type != 0)
		imsg_clear(&m);
	buf_free(&b);
	return pkey;
}

static void
test_parent(struct kp *kp, EVP_PKEY **k1, EVP_PKEY **k2)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	const uint8_t	*pem;
	EVP_PKEY	*pkey, *pub;
	X509		*x;
	BIO		*bio;
	char		*s;
	size_t		 len;
	time_t		 nb, na;
	int		 fd, prov, logs;

	/* A new ECDSA key: PKCS#8 PEM for the parent to write. */
	b_key(&b, 1, KEY_ECDSA, 0);
	CHECK(kp_call(kp, kp->parent, MSG_KEY_NEW, 11, &b, &m) == MSG_KEY_PEM,
	    "KEY_NEW ecdsa: KEY_PEM");
	buf_free(&b);
	rbuf_init(&r, m.data, m.datalen);
	CHECK(rbuf_u32(&r) == 1 && (pem = rbuf_blob(&r, &len,
	    IMSG_MAX_SIZE)) != NULL && rbuf_end(&r) == 0 &&
	    m.hdr.peerid == 11, "KEY_PEM: key id, PEM, peer id echoed");
	pem = m.data + 8;
	len = m.datalen - 8;
	*k1 = key_from_pem(pem, len, "KEY_PEM");
	CHECK(*k1 != NULL && key_matches(*k1, KEY_ECDSA, 256) &&
	    strncmp((const char *)pem, "-----BEGIN PRIVATE KEY-----", 27) ==
	    0, "KEY_PEM holds a P-256 PKCS#8 key");
	imsg_clear(&m);
	pub = get_pubkey(kp, 1, 12);
	CHECK(pub != NULL && *k1 != NULL && EVP_PKEY_eq(pub, *k1) == 1,
	    "PUBKEY of key 1 matches the PEM");
	EVP_PKEY_free(pub);

	b_key(&b, 2, KEY_RSA, 2048);
	CHECK(kp_call(kp, kp->parent, MSG_KEY_NEW, 0, &b, &m) == MSG_KEY_PEM,
	    "KEY_NEW rsa 2048: KEY_PEM");
	buf_free(&b);
	*k2 = m.hdr.type == MSG_KEY_PEM ? key_from_pem(m.data + 8,
	    m.datalen - 8, "KEY_PEM") : NULL;
	CHECK(*k2 != NULL && key_matches(*k2, KEY_RSA, 2048),
	    "KEY_PEM holds an RSA 2048 key");
	imsg_clear(&m);

	b_key(&b, 9, 7, 0);
	CHECK(kp_call(kp, kp->parent, MSG_KEY_NEW, 0, &b, &m) == MSG_KEY_ERR,
	    "KEY_NEW with an unknown type: KEY_ERR");
	s = err_text(&m, 9);
	CHECK(strstr(s, "key 9") != NULL, "error names the key");
	free(s);
	imsg_clear(&m);
	buf_free(&b);
	b_key(&b, 9, KEY_RSA, 1024);
	CHECK(kp_call(kp, kp->parent, MSG_KEY_NEW, 0, &b, &m) == MSG_KEY_ERR,
	    "KEY_NEW rsa 1024: KEY_ERR");
	imsg_clear(&m);
	buf_free(&b);

	/* An existing key file: no answer, then its public key. */
	fd = test_text_fd(ec256_pem, strlen(ec256_pem));
	b_key(&b, 3, KEY_ECDSA, 256);
	kp_send(kp->parent, MSG_KEY_FD, 0, fd, &b);
	buf_free(&b);
	pub = get_pubkey(kp, 3, 0);
	pkey = key_from_pem(ec256_pem, strlen(ec256_pem), "ec256");
	CHECK(pub != NULL && EVP_PKEY_eq(pub, pkey) == 1,
	    "KEY_FD: the key from the descriptor is held");
	EVP_PKEY_free(pub);
	EVP_PKEY_free(pkey);

	/* A configured type that differs: a warning, the key is used. */
	logs = kp->logs;
	fd = test_text_fd(ec256_pem, strlen(ec256_pem));
	b_key(&b, 5, KEY_RSA, 4096);
	kp_send(kp->parent, MSG_KEY_FD, 0, fd, &b);
	buf_free(&b);
	pub = get_pubkey(kp, 5, 0);
	CHECK(pub != NULL && kp->logs > logs &&
	    strstr(kp->lastlog, "key 5") != NULL, "KEY_FD of another type: "
	    "warned and held");
	EVP_PKEY_free(pub);

	/* A bad key file: logged, and every request for it says why. */
	logs = kp->logs;
	fd = test_text_fd("not a key\n", 10);
	b_key(&b, 4, KEY_ECDSA, 256);
	kp_send(kp->parent, MSG_KEY_FD, 0, fd, &b);
	buf_free(&b);
	b_id(&b, 4);
	CHECK(kp_call(kp, kp->parent, MSG_PUBKEY, 0, &b, &m) == MSG_KEY_ERR,
	    "PUBKEY of a key that did not load: KEY_ERR");
	buf_free(&b);
	s = err_text(&m, 4);
	CHECK(strstr(s, "key 4") != NULL && strstr(s, "PEM") != NULL,
	    "error says why the key did not load");
	CHECK(kp->logs > logs && strstr(kp->lastlog, "key 4") != NULL,
	    "the load failure was logged");
	free(s);
	imsg_clear(&m);

	b_id(&b, 99);
	CHECK(kp_call(kp, kp->parent, MSG_PUBKEY, 0, &b, &m) == MSG_KEY_ERR,
	    "PUBKEY of an unknown key: KEY_ERR");
	s = err_text(&m, 99);
	CHECK(strstr(s, "not loaded") != NULL, "error says not loaded");
	free(s);
	imsg_clear(&m);
	buf_free(&b);

	/* The provisional certificate. */
	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 1);
	buf_add_lstr(&b, "example.org\nwww.example.org");
	buf_add_i64(&b, 30);
	CHECK(kp_call(kp, kp->parent, MSG_SELF_SIGNED, 0, &b, &m) ==
	    MSG_SELF_SIGNED_PEM, "SELF_SIGNED: SELF_SIGNED_PEM");
	buf_free(&b);
	x = NULL;
	if (m.hdr.type == MSG_SELF_SIGNED_PEM) {
		bio = BIO_new_mem_buf(m.data + 8, (int)m.datalen - 8);
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	CHECK(x != NULL && *k1 != NULL && X509_verify(x, *k1) == 1 &&
	    cert_is_provisional(x) && x509_times(x, &nb, &na) == 0 &&
	    na - nb == 30 * 86400L + 3600, "provisional certificate signed by "
	    "key 1, 30 days");
	X509_free(x);
	if (m.hdr.type == MSG_SELF_SIGNED_PEM) {
		CHECK(x509_leaf_info(m.data + 8, m.datalen - 8, &nb, &na,
		    &prov, NULL, 0, NULL) == 0 && prov,
		    "parent sees it is provisional");
		{
			char	*names[] = { "example.org", "www.example.org" };
			char	 msg[256];

			CHECK(x509_check_chain(m.data + 8, m.datalen - 8, *k1,
			    names, 2, &nb, &na, msg, sizeof(msg)) == 0,
			    "provisional passes the leaf check: %s", msg);
		}
	}
	imsg_clear(&m);

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 1);
	buf_add_lstr(&b, "example.org\nbad name");
	buf_add_i64(&b, 30);
	CHECK(kp_call(kp, kp->parent, MSG_SELF_SIGNED, 0, &b, &m) ==
	    MSG_KEY_ERR, "SELF_SIGNED with an invalid name: KEY_ERR");
	s = err_text(&m, 1);
	CHECK(strstr(s, "bad name") != NULL, "error names the name");
	free(s);
	imsg_clear(&m);
	buf_free(&b);
	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 1);
	buf_add_lstr(&b, "example.org");
	buf_add_i64(&b, -5);
	CHECK(kp_call(kp, kp->parent, MSG_SELF_SIGNED, 0, &b, &m) ==
	    MSG_KEY_ERR, "SELF_SIGNED for -5 days: KEY_ERR");
	imsg_clear(&m);
	buf_free(&b);

	/* Verbosity has no answer: the next request is answered. */
	b_id(&b, 2);
	kp_send(kp->parent, MSG_VERBOSE, 0, -1, &b);
	pub = get_pubkey(kp, 2, 5);
	CHECK(pub != NULL && EVP_PKEY_eq(pub, *k2) == 1,
	    "after VERBOSE, PUBKEY of key 2");
	EVP_PKEY_free(pub);
	buf_free(&b);
}

/* 1 if the JWS text verifies with pub and has the fields. */
static int
jws_text_ok(const char *jws, EVP_PKEY *pub)
{
	yajl_val	 root;
	const char	*pp[] = { "protected", NULL }, *pl[] = { "payload",
			    NULL }, *ps[] = { "signature", NULL };
	yajl_val	 vp, vl, vs;
	char		 input[8192];
	int		 ok = 0;

	if ((root = yajl_tree_parse(jws, NULL, 0)) != NULL &&
	    (vp = yajl_tree_get(root, pp, yajl_t_string)) != NULL &&
	    (vl = yajl_tree_get(root, pl, yajl_t_string)) != NULL &&
	    (vs = yajl_tree_get(root, ps, yajl_t_string)) != NULL) {
		snprintf(input, sizeof(input), "%s.%s", YAJL_GET_STRING(vp),
		    YAJL_GET_STRING(vl));
		ok = verify(pub, key_alg(pub), input, YAJL_GET_STRING(vs));
	}
	yajl_tree_free(root);
	return ok;
}

/* Checks a SIGN_RESP: its JWS verifies with pub and has the fields. */
static int
jws_ok(const struct imsg *m, EVP_PKEY *pub, const char *kid)
{
	struct rbuf	 r;
	const uint8_t	*p;
	char		*jws;
	size_t		 len;
	int		 ok;

	(void)kid;
	rbuf_init(&r, m->data, m->datalen);
	(void)rbuf_u32(&r);
	p = rbuf_blob(&r, &len, IMSG_MAX_SIZE);
	if (rbuf_end(&r) == -1)
		return 0;
	jws = strndup((const char *)p, len);
	ok = jws_text_ok(jws, pub);
	free(jws);
	return ok;
}

static void
test_net(struct kp *kp, EVP_PKEY *k1, EVP_PKEY *k2)
{
	struct buf	 b;
	struct imsg	 m;
	struct rbuf	 r;
	X509_REQ	*req;
	const unsigned char *p;
	const uint8_t	*der;
	char		*jwk, *tp, *s, *big, *longurl;
	size_t		 len, i;

	send_role(kp, 1, KEY_ROLE_ACCOUNT, "");
	send_role(kp, 2, KEY_ROLE_ACCOUNT, "");
	b_id(&b, 3);
	CHECK(kp_call(kp, kp->net, MSG_JWK, 21, &b, &m) == MSG_JWK_RESP,
	    "JWK: JWK_RESP");
	buf_free(&b);
	rbuf_init(&r, m.data, m.datalen);
	CHECK(rbuf_u32(&r) == 3, "JWK_RESP: key id");
	jwk = rbuf_str(&r, IMSG_MAX_SIZE);
	tp = rbuf_str(&r, IMSG_MAX_SIZE);
	CHECK(rbuf_end(&r) == 0 && m.hdr.peerid == 21, "JWK_RESP: exact "
	    "payload, peer id echoed");
	CHECK(jwk != NULL && strncmp(jwk, "{\"crv\":\"P-256\",\"kty\":\"EC\"",
	    25) == 0, "JWK_RESP: the JWK");
	CHECK_STR(tp, ec256_tp, "JWK_RESP: the thumbprint");
	free(jwk);
	free(tp);
	imsg_clear(&m);

	b_id(&b, 42);
	CHECK(kp_call(kp, kp->net, MSG_JWK, 0, &b, &m) == MSG_KEYPROC_ERR,
	    "JWK of an unknown key: KEYPROC_ERR");
	s = err_text(&m, 42);
	CHECK(strstr(s, "key 42") != NULL, "error names the key");
	free(s);
	imsg_clear(&m);
	buf_free(&b);

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 1);
	buf_add_lstr(&b, "https://acme.test/new-order");
	buf_add_lstr(&b, "nonce\"\\1");
	buf_add_lstr(&b, "https://acme.test/acct/1");
	buf_add_blob(&b, "{}", 2);
	CHECK(kp_call(kp, kp->net, MSG_SIGN, 22, &b, &m) == MSG_SIGN_RESP &&
	    m.hdr.peerid == 22, "SIGN ES256: SIGN_RESP");
	CHECK(m.hdr.type == MSG_SIGN_RESP && jws_ok(&m, k1, NULL),
	    "SIGN ES256: signature verifies with key 1");
	imsg_clear(&m);
	buf_free(&b);

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 2);
	buf_add_lstr(&b, "https://acme.test/order/1");
	buf_add_lstr(&b, "nonce2");
	buf_add_lstr(&b, "https://acme.test/acct/1");
	buf_add_blob(&b, NULL, 0);
	CHECK(kp_call(kp, kp->net, MSG_SIGN, 0, &b, &m) == MSG_SIGN_RESP &&
	    jws_ok(&m, k2, NULL), "SIGN RS256 POST-as-GET verifies");
	imsg_clear(&m);
	buf_free(&b);

	/*
	 * A JWS that would not fit in a message is an error, not a crash:
	 * each field within its bound, the JWS of them all too large.  The
	 * payload is a newOrder for a domain's name (its key need not be
	 * loaded) with a long "replaces".
	 */
	send_role(kp, 9, KEY_ROLE_DOMAIN, "big.example.org");
	big = malloc(MSG_SIGN_MAX);
	memset(big, 'x', MSG_SIGN_MAX);
	memcpy(big, BIG_ORDER, strlen(BIG_ORDER));
	memcpy(big + MSG_SIGN_MAX - 2, "\"}", 2);
	longurl = malloc(MSG_URL_MAX + 1);
	memset(longurl, 'u', MSG_URL_MAX);
	memcpy(longurl, "https://acme.test/", 18);
	longurl[MSG_URL_MAX] = '\0';
	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 1);
	buf_add_lstr(&b, longurl);
	buf_add_lstr(&b, "n");
	buf_add_lstr(&b, longurl);
	buf_add_blob(&b, big, MSG_SIGN_MAX);
	free(longurl);
	CHECK(kp_call(kp, kp->net, MSG_SIGN, 0, &b, &m) == MSG_KEYPROC_ERR,
	    "SIGN whose JWS exceeds a message: KEYPROC_ERR");
	s = err_text(&m, 1);
	CHECK(strstr(s, "does not fit") != NULL, "error says why");
	free(s);
	imsg_clear(&m);
	buf_free(&b);
	free(big);

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 4);
	buf_add_lstr(&b, "https://acme.test/x");
	buf_add_lstr(&b, "n");
	buf_add_lstr(&b, "");
	buf_add_blob(&b, "{}", 2);
	CHECK(kp_call(kp, kp->net, MSG_SIGN, 0, &b, &m) == MSG_KEYPROC_ERR,
	    "SIGN with the key that did not load: KEYPROC_ERR");
	imsg_clear(&m);
	buf_free(&b);

	send_role(kp, 2, KEY_ROLE_DOMAIN, "www.example.org\nexample.org");
	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 2);
	buf_add_lstr(&b, "example.org\nwww.example.org");
	CHECK(kp_call(kp, kp->net, MSG_CSR, 23, &b, &m) == MSG_CSR_RESP &&
	    m.hdr.peerid == 23, "CSR: CSR_RESP");
	buf_free(&b);
	req = NULL;
	if (m.hdr.type == MSG_CSR_RESP) {
		rbuf_init(&r, m.data, m.datalen);
		(void)rbuf_u32(&r);
		der = rbuf_blob(&r, &len, IMSG_MAX_SIZE);
		if (rbuf_end(&r) == 0) {
			p = der;
			req = d2i_X509_REQ(NULL, &p, (long)len);
		}
	}
	CHECK(req != NULL && X509_REQ_verify(req, k2) == 1,
	    "CSR signed by key 2");
	X509_REQ_free(req);
	imsg_clear(&m);

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 2);
	buf_add_str(&b, "");
	{
		struct buf	 nb;

		buf_init(&nb, IMSG_MAX_SIZE);
		for (i = 0; i <= NAMES_MAX; i++)
			buf_printf(&nb, "%sh%zu.example.org", i ? "\n" : "",
			    i);
		buf_add_lstr(&b, buf_cstr(&nb));
		buf_free(&nb);
	}
	CHECK(kp_call(kp, kp->net, MSG_CSR, 0, &b, &m) == MSG_KEYPROC_ERR,
	    "CSR for 101 names: KEYPROC_ERR");
	imsg_clear(&m);
	buf_free(&b);

	/* A key replaced by the parent (configuration reload). */
	b_key(&b, 1, KEY_ECDSA, 384);
	CHECK(kp_call(kp, kp->parent, MSG_KEY_NEW, 0, &b, &m) == MSG_KEY_PEM,
	    "KEY_NEW replaces key 1");
	imsg_clear(&m);
	buf_free(&b);
	b_id(&b, 1);
	CHECK(kp_call(kp, kp->net, MSG_JWK, 0, &b, &m) == MSG_JWK_RESP &&
	    memmem(m.data, m.datalen, "P-384", 5) != NULL,
	    "JWK of key 1 is now P-384");
	imsg_clear(&m);
	buf_free(&b);
}

/* EAB_FD for key id with the MAC key file text. */
static void
send_eab_fd(struct kp *kp, uint32_t id, const char *kid, const char *text)
{
	struct buf	 b;
	int		 fd;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, id);
	buf_add_lstr(&b, kid);
	fd = test_text_fd(text, strlen(text));
	kp_send(kp->parent, MSG_EAB_FD, 0, fd, &b);
	buf_free(&b);
}

/* EAB for key id; the answer's type, m kept for the caller. */
static uint32_t
call_eab(struct kp *kp, uint32_t id, struct imsg *m)
{
	struct buf	 b;
	uint32_t	 t;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, id);
	buf_add_lstr(&b, "https://acme.test/new-acct");
	t = kp_call(kp, kp->net, MSG_EAB, 31, &b, m);
	buf_free(&b);
	return t;
}

/* EAB for key 2 must be refused with a reason holding want. */
static void
eab_refused(struct kp *kp, const char *what, const char *want)
{
	struct imsg	 m;
	char		*s;

	CHECK(call_eab(kp, 2, &m) == MSG_KEYPROC_ERR,
	    "EAB %s: KEYPROC_ERR", what);
	s = err_text(&m, 2);
	CHECK(strstr(s, want) != NULL, "EAB %s: the reason (%s)", what, s);
	free(s);
	imsg_clear(&m);
}

/*
 * External account binding: none, a MAC key file that does not decode,
 * then one that does: the binding's payload is the account's JWK and its
 * HS256 MAC is right for the key sent.
 */
static void
test_eab(struct kp *kp, EVP_PKEY *acct)
{
	struct imsg	 m;
	struct rbuf	 r;
	unsigned char	 mac[32], md[32];
	unsigned int	 mdlen;
	char		*prot, *pay, *sig, *jwk, *b64, *input;
	size_t		 len;

	eab_refused(kp, "of a domain key", "only an account key");
	send_role(kp, 2, KEY_ROLE_ACCOUNT, "");
	eab_refused(kp, "without a binding", "no external account binding");
	send_eab_fd(kp, 2, "kid-7", "not*base64\n");
	eab_refused(kp, "with a bad MAC key file", "not a base64url MAC key");

	memset(mac, 0xa5, sizeof(mac));
	b64 = b64url_encode(mac, sizeof(mac));
	send_eab_fd(kp, 2, "kid-7", b64);
	free(b64);
	CHECK(call_eab(kp, 2, &m) == MSG_EAB_RESP && m.hdr.peerid == 31,
	    "EAB: EAB_RESP, peer id echoed");
	if (m.hdr.type != MSG_EAB_RESP) {
		imsg_clear(&m);
		return;
	}
	rbuf_init(&r, m.data, m.datalen);
	CHECK(rbuf_u32(&r) == 2, "EAB_RESP: key id");
	prot = rbuf_str(&r, IMSG_MAX_SIZE);
	pay = rbuf_str(&r, IMSG_MAX_SIZE);
	sig = rbuf_str(&r, IMSG_MAX_SIZE);
	CHECK(rbuf_end(&r) == 0, "EAB_RESP: exact payload");
	jwk = jwk_json(acct);
	b64 = jwk ? b64url_encode(jwk, strlen(jwk)) : NULL;
	CHECK(pay != NULL && b64 != NULL && strcmp(pay, b64) == 0,
	    "EAB_RESP: the payload is the account key's JWK");
	len = (prot ? strlen(prot) : 0) + (pay ? strlen(pay) : 0) + 2;
	input = malloc(len);
	snprintf(input, len, "%s.%s", prot ? prot : "", pay ? pay : "");
	free(b64);
	b64 = NULL;
	if (HMAC(EVP_sha256(), mac, sizeof(mac), (unsigned char *)input,
	    strlen(input), md, &mdlen) != NULL)
		b64 = b64url_encode(md, mdlen);
	CHECK(sig != NULL && b64 != NULL && strcmp(sig, b64) == 0,
	    "EAB_RESP: the HS256 MAC verifies");
	free(b64);
	free(input);
	free(jwk);
	free(prot);
	free(pay);
	free(sig);
	imsg_clear(&m);
}

/* The payload of a SIGN_RESP's JWS, decoded: a JWS itself here. */
static char *
jws_payload(const struct imsg *m)
{
	struct rbuf	 r;
	const uint8_t	*p;
	yajl_val	 root, v;
	const char	*path[] = { "payload", NULL }, *b64;
	unsigned char	*dec = NULL;
	char		*jws, *s = NULL;
	size_t		 len;

	rbuf_init(&r, m->data, m->datalen);
	(void)rbuf_u32(&r);
	p = rbuf_blob(&r, &len, IMSG_MAX_SIZE);
	if (rbuf_end(&r) == -1)
		return NULL;
	jws = strndup((const char *)p, len);
	if ((root = yajl_tree_parse(jws, NULL, 0)) != NULL &&
	    (v = yajl_tree_get(root, path, yajl_t_string)) != NULL &&
	    (b64 = YAJL_GET_STRING(v)) != NULL &&
	    b64url_decode(b64, strlen(b64), &dec, &len) == 0)
		s = strndup((const char *)dec, len);
	free(dec);
	yajl_tree_free(root);
	free(jws);
	return s;
}

/* KEY_ALLOW or KEY_WITHDRAW of the key change from key 3 to key 2. */
static void
send_key_change(struct kp *kp, uint32_t type)
{
	struct buf	 b;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 3);
	buf_add_u32(&b, KEY_OP_KEY_CHANGE);
	buf_add_u32(&b, 2);
	buf_add_blob(&b, NULL, 0);
	kp_send(kp->parent, type, 0, -1, &b);
	buf_free(&b);
}

/*
 * KEY_CHANGE from key 3 (ec256_pem, the account key) to key 2 (k2, its
 * new key): the request signed by key 3, its payload the inner JWS signed
 * by key 2; only while the parent authorises it.
 */
static void
test_key_change(struct kp *kp, EVP_PKEY *k2)
{
	struct buf	 b;
	struct imsg	 m;
	EVP_PKEY	*k3;
	char		*s;
	uint32_t	 ids[4][2] = { { 3, 2 }, { 3, 3 }, { 3, 77 }, { 3, 2 } };
	int		 i;

	k3 = key_from_pem(ec256_pem, strlen(ec256_pem), "ec256");
	send_role(kp, 3, KEY_ROLE_ACCOUNT, "");
	send_role(kp, 2, KEY_ROLE_NEW_ACCOUNT, "");
	send_key_change(kp, MSG_KEY_ALLOW);
	for (i = 0; i < 4; i++) {
		/* Withdrawn: refused from now on. */
		if (i == 3)
			send_key_change(kp, MSG_KEY_WITHDRAW);
		buf_init(&b, IMSG_MAX_SIZE);
		buf_add_u32(&b, ids[i][0]);
		buf_add_u32(&b, ids[i][1]);
		buf_add_lstr(&b, "https://acme.test/key-change");
		buf_add_lstr(&b, "nonce3");
		buf_add_lstr(&b, "https://acme.test/acct/1");
		if (i == 0) {
			CHECK(kp_call(kp, kp->net, MSG_KEY_CHANGE, 41, &b,
			    &m) == MSG_SIGN_RESP && m.hdr.peerid == 41,
			    "KEY_CHANGE: SIGN_RESP");
			CHECK(m.hdr.type == MSG_SIGN_RESP && jws_ok(&m, k3,
			    NULL), "KEY_CHANGE: signed by the old key");
			s = m.hdr.type == MSG_SIGN_RESP ? jws_payload(&m) :
			    NULL;
			CHECK(s != NULL && jws_text_ok(s, k2),
			    "KEY_CHANGE: its payload signed by the new key");
			free(s);
		} else {
			CHECK(kp_call(kp, kp->net, MSG_KEY_CHANGE, 0, &b,
			    &m) == MSG_KEYPROC_ERR, "KEY_CHANGE to %s: "
			    "KEYPROC_ERR", i == 1 ? "the same key" : i == 2 ?
			    "an unknown key" : "withdrawn");
			s = err_text(&m, 3);
			CHECK(strstr(s, i == 1 ? "another key" : i == 2 ?
			    "key 77" : "did not authorise") != NULL,
			    "KEY_CHANGE: the reason (%s)", s);
			free(s);
		}
		imsg_clear(&m);
		buf_free(&b);
	}
	EVP_PKEY_free(k3);
}

/* Every request keyproc serves, then SHUTDOWN, which must end it with 0. */
static void
test_requests(int sandboxed)
{
	struct kp	 kp;
	EVP_PKEY	*k1 = NULL, *k2 = NULL;
	const char	*how = sandboxed ? "sandboxed " : "";
	int		 st;

	CHECK(kp_start(&kp, sandboxed) == 0, "%skeyproc started", how);
	test_parent(&kp, &k1, &k2);
	test_net(&kp, k1, k2);
	test_eab(&kp, k2);
	test_key_change(&kp, k2);
	kp_send(kp.parent, MSG_SHUTDOWN, 0, -1, NULL);
	st = kp_wait(&kp);
	CHECK(st == 0, "%sSHUTDOWN: keyproc exits 0 (status %d)", how, st);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}

/* A child that gets one bad message must exit 1 (fatalx), not crash. */
static void
test_malformed(const char *what, int on_parent, uint32_t type, int fd,
    const void *p, size_t len)
{
	struct kp	 kp;
	struct buf	 b;
	int		 st;

	if (kp_start(&kp, 0) == -1) {
		CHECK(0, "%s: start", what);
		return;
	}
	buf_init(&b, IMSG_MAX_SIZE);
	if (len > 0)
		buf_add(&b, p, len);
	kp_send(on_parent ? kp.parent : kp.net, type, 0, fd, &b);
	buf_free(&b);
	st = kp_wait(&kp);
	CHECK(st == 1, "%s: keyproc exits 1 (status %d)", what, st);
}

int
main(void)
{
	struct kp	 kp;
	uint8_t		 raw[64];
	int		 st, fd;

	signal(SIGPIPE, SIG_IGN);

	test_requests(0);

	/* EOF on the parent channel ends keyproc too. */
	CHECK(kp_start(&kp, 0) == 0, "keyproc started");
	close(ichan_fd(kp.parent));
	ichan_free(kp.parent);
	kp.parent = NULL;
	st = kp_wait(&kp);
	CHECK(st == 0, "parent channel closed: keyproc exits 0 (status %d)",
	    st);

	/* The same requests inside the real sandbox. */
	test_requests(1);

	memset(raw, 0, sizeof(raw));
	test_malformed("JWK of 3 bytes", 0, MSG_JWK, -1, raw, 3);
	/* Passes msg_check (long enough) but the url length overruns. */
	raw[4] = 0xff;
	test_malformed("SIGN with a string overrunning the payload", 0,
	    MSG_SIGN, -1, raw, 20);
	raw[4] = 0;
	test_malformed("SIGN with bytes left over", 0, MSG_SIGN, -1, raw, 21);
	test_malformed("KEY_NEW on netproc's channel", 0, MSG_KEY_NEW, -1,
	    raw, 12);
	test_malformed("unknown type", 1, MSG_MAX + 5, -1, raw, 4);
	test_malformed("CHAL_ADD to keyproc", 1, MSG_CHAL_ADD, -1, raw, 8);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	test_malformed("descriptor with JWK", 0, MSG_JWK, fd, raw, 4);
	test_malformed("KEY_FD without a descriptor", 1, MSG_KEY_FD, -1, raw,
	    12);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	test_malformed("KEY_FD of 11 bytes", 1, MSG_KEY_FD, fd, raw, 11);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	test_malformed("EAB_FD with an empty key id", 1, MSG_EAB_FD, fd, raw,
	    8);
	test_malformed("EAB_FD without a descriptor", 1, MSG_EAB_FD, -1,
	    "\0\0\0\1\0\0\0\1k", 9);
	test_malformed("EAB on the parent's channel", 1, MSG_EAB, -1, raw, 8);
	test_malformed("SELF_SIGNED with a NUL in the names", 1,
	    MSG_SELF_SIGNED, -1, "\0\0\0\1\0\0\0\4ab\0c\0\0\0\0\0\0\0\36",
	    20);

	return test_done();
}
