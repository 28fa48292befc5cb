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
 * verify_endpoint() against a libtls server on loopback (a forked child)
 * that picks its certificate by SNI: the installed certificate matches;
 * another one for other names, an older one for the same names and the
 * provisional one are each told apart; a closed port, a server that
 * never finishes the handshake and a name that does not resolve fail
 * within the time given.  Then verify_request() on a whole message.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <tls.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "acmed/netproc/verify.h"
#include "test.h"

struct cert {
	char		*pem;		/* certificate */
	char		*key;		/* its key */
	unsigned char	*der;
	int		 derlen;
};

static char *
bio_text(BIO *bio)
{
	char	*p, *s;
	long	 n;

	n = BIO_get_mem_data(bio, &p);
	if ((s = malloc(n + 1)) == NULL)
		exit(1);
	memcpy(s, p, n);
	s[n] = '\0';
	BIO_free(bio);
	return s;
}

/* A self-signed certificate with CN cn and subjectAltName san. */
static void
make_cert(struct cert *c, const char *cn, const char *san, long days)
{
	EVP_PKEY	*pk;
	X509		*x;
	X509_NAME	*name;
	X509_EXTENSION	*ext;
	X509V3_CTX	 v3;
	BIO		*bio;

	if ((pk = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL)
		exit(1);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(random() & 0xffffff));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), days * 86400);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, pk);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	    san)) == NULL)
		exit(1);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (X509_sign(x, pk, EVP_sha256()) == 0)
		exit(1);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, x);
	c->pem = bio_text(bio);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL);
	c->key = bio_text(bio);
	c->der = NULL;
	c->derlen = i2d_X509(x, &c->der);
	X509_free(x);
	EVP_PKEY_free(pk);
}

static void
free_cert(struct cert *c)
{
	free(c->pem);
	free(c->key);
	OPENSSL_free(c->der);
}

static int
listen_any(int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 16) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == -1) {
		perror("listen");
		exit(1);
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/*
 * A TLS server on fd: the default certificate, plus one chosen by SNI
 * for each further certificate.  Runs until killed.
 */
static pid_t
server_start(int fd, struct cert *def, struct cert **more, int nmore)
{
	struct tls_config	*cfg;
	struct tls		*srv, *conn;
	pid_t			 pid;
	int			 i, c;

	if ((pid = fork()) != 0)
		return pid;
	if ((cfg = tls_config_new()) == NULL ||
	    tls_config_set_keypair_mem(cfg, (uint8_t *)def->pem,
	    strlen(def->pem), (uint8_t *)def->key, strlen(def->key)) == -1)
		_exit(1);
	for (i = 0; i < nmore; i++)
		if (tls_config_add_keypair_mem(cfg, (uint8_t *)more[i]->pem,
		    strlen(more[i]->pem), (uint8_t *)more[i]->key,
		    strlen(more[i]->key)) == -1)
			_exit(1);
	if ((srv = tls_server()) == NULL || tls_configure(srv, cfg) == -1)
		_exit(1);
	for (;;) {
		if ((c = accept(fd, NULL, NULL)) == -1)
			continue;
		if (tls_accept_socket(srv, &conn, c) == 0) {
			(void)tls_handshake(conn);
			(void)tls_close(conn);
			tls_free(conn);
		}
		close(c);
	}
}

static void
server_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_request(int port, struct cert *installed)
{
	struct imsg	 m;
	struct buf	 b, out;
	struct rbuf	 r;
	char		*endpoint, *detail;
	uint32_t	 domid, match;

	buf_init(&b, IMSG_MAX_SIZE);
	buf_add_u32(&b, 7);
	buf_add_lstr(&b, "127.0.0.1");
	buf_add_u32(&b, (uint32_t)port);
	buf_add_lstr(&b, "a.example.org");
	buf_add_blob(&b, installed->der, (size_t)installed->derlen);
	memset(&m, 0, sizeof(m));
	m.hdr.type = MSG_VERIFY;
	m.fd = -1;
	m.data = b.data;
	m.datalen = b.len;
	CHECK(msg_check(&m) == 0, "request: a well-formed MSG_VERIFY");
	buf_init(&out, IMSG_MAX_SIZE);
	verify_request(&m, &out);
	memset(&m, 0, sizeof(m));
	m.hdr.type = MSG_VERIFY_RESULT;
	m.fd = -1;
	m.data = out.data;
	m.datalen = out.len;
	CHECK(msg_check(&m) == 0, "request: a well-formed MSG_VERIFY_RESULT");
	rbuf_init(&r, out.data, out.len);
	domid = rbuf_u32(&r);
	endpoint = rbuf_str(&r, 1024);
	match = rbuf_u32(&r);
	detail = rbuf_str(&r, 1024);
	CHECK(rbuf_end(&r) == 0, "request: the result reads back exactly");
	CHECK(domid == 7, "request: domain id carried over");
	if (endpoint != NULL) {
		char	 want[64];

		snprintf(want, sizeof(want), "127.0.0.1:%d", port);
		CHECK_STR(endpoint, want, "request: endpoint host:port");
	}
	CHECK(match == 1, "request: matches (%s)", detail ? detail : "?");
	free(endpoint);
	free(detail);
	buf_free(&b);
	buf_free(&out);
}

int
main(void)
{
	struct cert	 a, other, older, prov, *more[2];
	char		 msg[VERIFY_DETAIL_MAX];
	double		 t;
	pid_t		 pid;
	int		 fd, port, idle, iport, closed, cport, rc;

	log_init(1, 0, "t_verify");
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned int)getpid());
	if (tls_init() == -1)
		return 1;
	make_cert(&a, "a.example.org", "DNS:a.example.org,DNS:www.a.example.org",
	    90);
	make_cert(&older, "a.example.org",
	    "DNS:www.a.example.org,DNS:a.example.org", 30);
	make_cert(&other, "b.example.org", "DNS:b.example.org", 90);
	make_cert(&prov, "acmed provisional p.example.org",
	    "DNS:p.example.org", 7);

	/* Default: a.example.org; by SNI: b.example.org, p.example.org. */
	fd = listen_any(&port);
	more[0] = &other;
	more[1] = &prov;
	pid = server_start(fd, &a, more, 2);
	close(fd);

	rc = verify_endpoint("127.0.0.1", port, "a.example.org", a.der,
	    (size_t)a.derlen, 3000, msg, sizeof(msg));
	CHECK(rc == 0, "the installed certificate matches: %s", msg);
	CHECK(strncmp(msg, "serves the installed certificate (serial ", 41)
	    == 0, "and says so");
	rc = verify_endpoint("localhost", port, "a.example.org", a.der,
	    (size_t)a.derlen, 3000, msg, sizeof(msg));
	CHECK(rc == 0, "a host name is resolved: %s", msg);

	rc = verify_endpoint("127.0.0.1", port, "b.example.org", a.der,
	    (size_t)a.derlen, 3000, msg, sizeof(msg));
	CHECK(rc == -1, "SNI picks the certificate: b.example.org differs");
	CHECK(strncmp(msg, "serves a certificate for other names "
	    "(b.example.org), serial ", 61) == 0 && strstr(msg, "expires 2")
	    != NULL, "other names are listed: %s", msg);

	rc = verify_endpoint("127.0.0.1", port, "p.example.org", a.der,
	    (size_t)a.derlen, 3000, msg, sizeof(msg));
	CHECK(rc == -1 && strncmp(msg, "serves the provisional certificate",
	    34) == 0, "the provisional certificate is recognised: %s", msg);

	rc = verify_endpoint("127.0.0.1", port, "a.example.org", older.der,
	    (size_t)older.derlen, 3000, msg, sizeof(msg));
	CHECK(rc == -1 && strncmp(msg, "serves a newer certificate for the "
	    "same names", 45) == 0, "same names, later expiry: newer: %s",
	    msg);
	server_stop(pid);

	/* The same names, an earlier expiry: an older certificate. */
	fd = listen_any(&port);
	pid = server_start(fd, &older, NULL, 0);
	close(fd);
	rc = verify_endpoint("127.0.0.1", port, "a.example.org", a.der,
	    (size_t)a.derlen, 3000, msg, sizeof(msg));
	CHECK(rc == -1 && strncmp(msg, "serves an older certificate for the "
	    "same names", 46) == 0, "same names, earlier expiry: older: %s",
	    msg);
	test_request(port, &older);
	server_stop(pid);

	/* A closed port. */
	closed = listen_any(&cport);
	close(closed);
	rc = verify_endpoint("127.0.0.1", cport, "a.example.org", a.der,
	    (size_t)a.derlen, 3000, msg, sizeof(msg));
	CHECK(rc == -1, "closed port: no match");
	CHECK_STR(msg, "connection refused", "closed port: connection refused");

	/* Connected, then silence: the deadline ends the handshake. */
	idle = listen_any(&iport);
	t = now();
	rc = verify_endpoint("127.0.0.1", iport, "a.example.org", a.der,
	    (size_t)a.derlen, 700, msg, sizeof(msg));
	t = now() - t;
	CHECK(rc == -1 && strncmp(msg, "no TLS handshake within", 23) == 0,
	    "silent server: %s", msg);
	CHECK(t >= 0.6 && t < 2.0, "silent server: gave up after %.2f s", t);
	close(idle);

	rc = verify_endpoint("nonexistent.invalid", port, "a.example.org",
	    a.der, (size_t)a.derlen, 3000, msg, sizeof(msg));
	CHECK(rc == -1 && strncmp(msg, "cannot resolve nonexistent.invalid",
	    34) == 0, "unknown name: %s", msg);

	free_cert(&a);
	free_cert(&older);
	free_cert(&other);
	free_cert(&prov);
	return test_done();
}
