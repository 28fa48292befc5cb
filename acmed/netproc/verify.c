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
 * The deployment check, in netproc: after the parent has installed a
 * certificate and run the reload actions, it asks whether an endpoint
 * now presents that certificate.  netproc connects (TLS through libtls,
 * the domain's name as SNI), takes the leaf the server presents and
 * compares it byte for byte with the installed one.
 *
 * Trust is not the question here, identity is: the chain is not
 * verified, nor its names or dates, so a server still presenting the
 * provisional certificate, an expired one or one for other names is
 * reached and described instead of failing the handshake.
 *
 * Each check is a state machine in netproc's poll loop: the name is
 * resolved without blocking it (resolve.c), the connection and the
 * handshake run on a non-blocking socket, and one timer bounds it all.
 * Holds: nothing but the checks under way.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <tls.h>

#include "buf.h"
#include "ev.h"
#include "ident.h"
#include "imsg.h"
#include "log.h"
#include "x509check.h"
#include "text.h"
#include "resolve.h"
#include "verify.h"

#define VERIFY_NAMES_MAX	200	/* names listed from a served leaf */
#define VERIFY_NAMES_TEXT	160	/* of them, bytes in a message */

/* strerror() in the lower case of the other details. */
static void
errtext(int e, char *msg, size_t len)
{
	snprintf(msg, len, "%s", strerror(e));
	if (msg[0] != '\0')
		msg[0] = (char)tolower((unsigned char)msg[0]);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The leaf's DNS and IP names, lower case, sorted, ", "-separated, in a
 * buffer of at most len bytes (cut with "..." if longer).
 */
static void
leaf_names(X509 *x, char *out, size_t len)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*gen;
	const uint8_t	*p;
	char		*names[VERIFY_NAMES_MAX], ip[INET6_ADDRSTRLEN], *s;
	size_t		 n = 0, i, used = 0;
	int		 k, l;

	out[0] = '\0';
	if ((gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL)) == NULL)
		return;
	for (k = 0; k < sk_GENERAL_NAME_num(gens) && n < VERIFY_NAMES_MAX;
	    k++) {
		gen = sk_GENERAL_NAME_value(gens, k);
		p = NULL;
		if (gen->type == GEN_DNS) {
			p = ASN1_STRING_get0_data(gen->d.dNSName);
			l = ASN1_STRING_length(gen->d.dNSName);
			if (l <= 0 || l > 253 || memchr(p, '\0', l) != NULL)
				continue;
			/* The served certificate's names reach the log. */
			s = text_cleandup(p, (size_t)l);
		} else if (gen->type == GEN_IPADD) {
			p = ASN1_STRING_get0_data(gen->d.iPAddress);
			l = ASN1_STRING_length(gen->d.iPAddress);
			if ((l != 4 && l != 16) || inet_ntop(l == 4 ? AF_INET :
			    AF_INET6, p, ip, sizeof(ip)) == NULL)
				continue;
			s = strdup(ip);
		} else
			continue;
		if (s == NULL)
			break;
		for (i = 0; s[i] != '\0'; i++)
			s[i] = (char)tolower((unsigned char)s[i]);
		names[n++] = s;
	}
	GENERAL_NAMES_free(gens);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		if (used < len) {
			l = snprintf(out + used, len - used, "%s%s",
			    i > 0 ? ", " : "", names[i]);
			used += l > 0 ? (size_t)l : 0;
		}
		free(names[i]);
	}
	if (used >= len && len > 4)
		memcpy(out + len - 4, "...", 4);
}

/* "serial 0A1B..., expires 2026-01-31T12:00:00Z" */
static void
leaf_text(X509 *x, char *out, size_t len)
{
	BIGNUM		*bn;
	struct tm	 tm;
	time_t		 nb, na;
	char		*hex = NULL, when[32];

	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) !=
	    NULL)
		hex = BN_bn2hex(bn);
	BN_free(bn);
	if (x509_times(x, &nb, &na) == -1 || gmtime_r(&na, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "(unreadable)");
	snprintf(out, len, "serial %s, expires %s", hex ? hex : "?", when);
	OPENSSL_free(hex);
}

/* What the served leaf is, compared with the installed one. */
static void
describe(X509 *served, X509 *installed, int same, char *msg, size_t len)
{
	char	 text[160], sn[VERIFY_NAMES_TEXT + 4], in[VERIFY_NAMES_TEXT + 4];
	time_t	 snb, sna, inb, ina;
	int	 cmp = 0;

	leaf_text(served, text, sizeof(text));
	if (same) {
		snprintf(msg, len, "serves the installed certificate (%s)",
		    text);
		return;
	}
	if (installed == NULL) {
		snprintf(msg, len, "serves another certificate (%s)", text);
		return;
	}
	if (cert_is_provisional(served)) {
		snprintf(msg, len, "serves %s provisional certificate (%s)",
		    cert_is_provisional(installed) ? "another" : "the", text);
		return;
	}
	leaf_names(served, sn, sizeof(sn));
	leaf_names(installed, in, sizeof(in));
	if (strcmp(sn, in) != 0) {
		snprintf(msg, len, "serves a certificate for other names "
		    "(%s), %s", sn[0] != '\0' ? sn : "none", text);
		return;
	}
	if (x509_times(served, &snb, &sna) == 0 &&
	    x509_times(installed, &inb, &ina) == 0)
		cmp = sna < ina ? -1 : sna > ina;
	snprintf(msg, len, "serves %s certificate for the same names (%s)",
	    cmp < 0 ? "an older" : cmp > 0 ? "a newer" : "another", text);
}


struct check {
	int		 port;
	char		*sni;
	uint8_t		*der;
	size_t		 derlen;
	int		 timeout_ms;
	struct resolve	*rs;
	struct addrinfo	*ai;		/* the address being tried */
	int		 fd;
	struct tls_config *cfg;
	struct tls	*ctx;
	struct ev_timer	 timer;
	int		 match;
	char		 msg[VERIFY_DETAIL_MAX];
	void		(*done)(void *, int, const char *);
	void		*arg;
};

/* The end of a check: its answer, and everything it held let go. */
static void
check_end(struct check *c, int match)
{
	ev_timer_stop(&c->timer);
	resolve_end(c->rs);
	if (c->ctx != NULL) {
		/* A close_notify if it goes out at once. */
		(void)tls_close(c->ctx);
		tls_free(c->ctx);
	}
	tls_config_free(c->cfg);
	if (c->fd != -1) {
		ev_fd_del(c->fd);
		close(c->fd);
	}
	ERR_clear_error();
	c->done(c->arg, match, c->msg);
	free(c->sni);
	free(c->der);
	free(c);
}

static void
check_timeout(void *arg)
{
	struct check	*c = arg;

	if (c->ai == NULL)
		snprintf(c->msg, sizeof(c->msg), "cannot resolve %s within "
		    "%.1f seconds", c->rs->host, c->timeout_ms / 1000.0);
	else if (c->ctx == NULL)
		snprintf(c->msg, sizeof(c->msg), "no connection within %.1f "
		    "seconds", c->timeout_ms / 1000.0);
	else
		snprintf(c->msg, sizeof(c->msg), "no TLS handshake within "
		    "%.1f seconds", c->timeout_ms / 1000.0);
	check_end(c, 0);
}

/* The leaf served, compared with the installed one. */
static void
check_leaf(struct check *c)
{
	const uint8_t	*pem, *p;
	unsigned char	*sder = NULL;
	BIO		*bio;
	X509		*served = NULL, *installed = NULL;
	size_t		 pemlen;
	int		 slen, same = 0;

	if ((pem = tls_peer_cert_chain_pem(c->ctx, &pemlen)) == NULL ||
	    pemlen == 0) {
		snprintf(c->msg, sizeof(c->msg), "presents no certificate");
		goto out;
	}
	if (pemlen > CHAIN_PEM_MAX) {
		snprintf(c->msg, sizeof(c->msg), "presents a chain of %zu "
		    "bytes (at most %d read)", pemlen, CHAIN_PEM_MAX);
		goto out;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)pemlen)) != NULL) {
		served = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (served == NULL) {
		snprintf(c->msg, sizeof(c->msg), "presents a certificate that "
		    "does not parse");
		goto out;
	}
	if ((slen = i2d_X509(served, &sder)) <= 0) {
		snprintf(c->msg, sizeof(c->msg), "presents a certificate that "
		    "does not encode");
		goto out;
	}
	same = (size_t)slen == c->derlen &&
	    memcmp(sder, c->der, c->derlen) == 0;
	p = c->der;
	if (c->derlen <= (size_t)VERIFY_DER_MAX)
		installed = d2i_X509(NULL, &p, (long)c->derlen);
	describe(served, installed, same, c->msg, sizeof(c->msg));
 out:
	OPENSSL_free(sder);
	X509_free(served);
	X509_free(installed);
	check_end(c, same);
}

static void
handshake(int fd, short revents, void *arg)
{
	struct check	*c = arg;
	const char	*err;
	int		 r;

	(void)revents;
	if ((r = tls_handshake(c->ctx)) == 0) {
		check_leaf(c);
		return;
	}
	if (r != TLS_WANT_POLLIN && r != TLS_WANT_POLLOUT) {
		err = tls_error(c->ctx);
		snprintf(c->msg, sizeof(c->msg), "TLS handshake: %s",
		    err ? err : "failed");
		check_end(c, 0);
		return;
	}
	if (ev_fd(fd, r == TLS_WANT_POLLIN ? POLLIN : POLLOUT, handshake,
	    c) == -1) {
		snprintf(c->msg, sizeof(c->msg), "out of memory");
		check_end(c, 0);
	}
}

/* Connected: the TLS handshake, sending the SNI (none for an address). */
static void
tls_start(struct check *c)
{
	const char	*err;

	/*
	 * libtls is set up on first use: libcurl has loaded the libcrypto
	 * configuration before the sandbox, so nothing is left to read.
	 */
	if (tls_init() == -1) {
		snprintf(c->msg, sizeof(c->msg), "TLS: libtls initialisation "
		    "failed");
		check_end(c, 0);
		return;
	}
	if ((c->cfg = tls_config_new()) == NULL ||
	    (c->ctx = tls_client()) == NULL) {
		snprintf(c->msg, sizeof(c->msg), "TLS: out of memory");
		check_end(c, 0);
		return;
	}
	tls_config_insecure_noverifycert(c->cfg);
	tls_config_insecure_noverifyname(c->cfg);
	tls_config_insecure_noverifytime(c->cfg);
	if (tls_configure(c->ctx, c->cfg) == -1 || tls_connect_socket(c->ctx,
	    c->fd, *c->sni != '\0' ? c->sni : NULL) == -1) {
		err = tls_error(c->ctx);
		snprintf(c->msg, sizeof(c->msg), "TLS: %s", err ? err :
		    "cannot set up");
		check_end(c, 0);
		return;
	}
	handshake(c->fd, 0, c);
}

static void	connect_next(struct check *);

static void
connected(int fd, short revents, void *arg)
{
	struct check	*c = arg;
	int		 soerr;

	(void)revents;
	if ((soerr = resolve_connected(fd)) == 0) {
		tls_start(c);
		return;
	}
	errtext(soerr, c->msg, sizeof(c->msg));
	c->fd = -1;
	if ((c->ai = c->ai->ai_next) == NULL) {
		check_end(c, 0);
		return;
	}
	connect_next(c);
}

/* A TCP connection to the first address of the host that answers. */
static void
connect_next(struct check *c)
{
	if ((c->fd = resolve_connect(&c->ai, connected, c)) != -1)
		return;
	errtext(errno, c->msg, sizeof(c->msg));
	check_end(c, 0);
}

static void
resolved(int fd, short revents, void *arg)
{
	struct check	*c = arg;
	int		 r;

	(void)fd;
	(void)revents;
	if ((r = resolve_done(c->rs, c->msg, sizeof(c->msg))) == 1)
		return;
	if (r == -1) {
		check_end(c, 0);
		return;
	}
	c->ai = c->rs->res;
	snprintf(c->msg, sizeof(c->msg), "no address");
	connect_next(c);
}

/*
 * Starts the check of host:port (TLS with SNI sni) against the leaf der:
 * done(arg, match, msg) when it has ended, at the latest timeout_ms from
 * now, saying what was found either way.
 */
void
verify_run(const char *host, int port, const char *sni, const uint8_t *der,
    size_t derlen, int timeout_ms, void (*done)(void *, int, const char *),
    void *arg)
{
	struct check	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->sni = strdup(sni)) == NULL ||
	    (c->der = malloc(derlen ? derlen : 1)) == NULL)
		fatal("verify");
	memcpy(c->der, der, derlen);
	c->derlen = derlen;
	c->port = port;
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	c->done = done;
	c->arg = arg;
	if ((c->rs = resolve_start(host, port, resolved, c, c->msg,
	    sizeof(c->msg))) == NULL) {
		check_end(c, 0);
		return;
	}
	ev_timer_set(&c->timer, timeout_ms, check_timeout, c);
}

struct sync_check {
	int	 done;
	int	 match;
	char	*msg;
	size_t	 len;
};

static void
sync_done(void *arg, int match, const char *msg)
{
	struct sync_check	*s = arg;

	s->done = 1;
	s->match = match;
	strlcpy(s->msg, msg, s->len);
}

/*
 * The check, waited for in a loop of its own (tools and tests): 0 if
 * the endpoint serves the certificate, -1 if not or if there was no
 * answer; msg says what was found either way.
 */
int
verify_endpoint(const char *host, int port, const char *sni,
    const uint8_t *der, size_t derlen, int timeout_ms, char *msg,
    size_t len)
{
	struct sync_check	 s;

	memset(&s, 0, sizeof(s));
	s.msg = msg;
	s.len = len;
	verify_run(host, port, sni, der, derlen, timeout_ms, sync_done, &s);
	while (!s.done)
		if (ev_run_once(-1) == -1)
			fatal("poll");
	return s.match ? 0 : -1;
}

struct request {
	uint32_t	 domid;
	char		 endpoint[VERIFY_HOST_MAX + 16];
	char		 sni[VERIFY_HOST_MAX + 1];
	void		(*done)(void *, const struct buf *);
	void		*arg;
};

static void
request_done(void *arg, int match, const char *msg)
{
	struct request	*q = arg;
	struct buf	 out;

	log_debug("%s (%s): %s", q->endpoint, *q->sni != '\0' ? q->sni :
	    "no SNI", msg);
	buf_init(&out, MSG_PAYLOAD_MAX);
	if (buf_add_u32(&out, q->domid) == -1 ||
	    buf_add_lstr(&out, q->endpoint) == -1 ||
	    buf_add_u32(&out, match) == -1 || buf_add_lstr(&out, msg) == -1)
		fatalx("VERIFY_RESULT too large");
	q->done(q->arg, &out);
	buf_free(&out);
	free(q);
}

/*
 * MSG_VERIFY from the parent, checked: done(arg, payload) gets the
 * payload of its MSG_VERIFY_RESULT when the check has ended.
 */
void
verify_request_start(const struct imsg *m,
    void (*done)(void *, const struct buf *), void *arg)
{
	struct request	*q;
	struct rbuf	 r;
	const uint8_t	*der;
	char		*host, *sni;
	size_t		 derlen;
	uint32_t	 port;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		fatal("verify");
	rbuf_init(&r, m->data, m->datalen);
	q->domid = rbuf_u32(&r);
	host = rbuf_str(&r, VERIFY_HOST_MAX);
	port = rbuf_u32(&r);
	sni = rbuf_str(&r, VERIFY_HOST_MAX);
	der = rbuf_blob(&r, &derlen, VERIFY_DER_MAX);
	if (rbuf_end(&r) == -1 || *host == '\0' || port == 0 ||
	    port > 65535 || derlen == 0)
		fatalx("malformed VERIFY from the parent");
	snprintf(q->endpoint, sizeof(q->endpoint), strchr(host, ':') !=
	    NULL ? "[%s]:%u" : "%s:%u", host, port);
	/* No SNI is an address (RFC 6066 section 3). */
	strlcpy(q->sni, ident_is_ip(sni) ? "" : sni, sizeof(q->sni));
	q->done = done;
	q->arg = arg;
	verify_run(host, (int)port, q->sni, der, derlen, VERIFY_TIMEOUT_MS,
	    request_done, q);
	free(host);
	free(sni);
}

struct sync_request {
	struct buf	*out;
	int		 done;
};

static void
request_sync_done(void *arg, const struct buf *b)
{
	struct sync_request	*s = arg;

	buf_reset(s->out);
	if (buf_add(s->out, b->data, b->len) == -1)
		fatalx("VERIFY_RESULT too large");
	s->done = 1;
}

/* MSG_VERIFY answered into out, waited for (tools and tests). */
void
verify_request(const struct imsg *m, struct buf *out)
{
	struct sync_request	 s;

	s.out = out;
	s.done = 0;
	verify_request_start(m, request_sync_done, &s);
	while (!s.done)
		if (ev_run_once(-1) == -1)
			fatal("poll");
}
