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
 * The tls-alpn-01 connections of challenged (RFC 8737 3).  A connection
 * is a TLS handshake and nothing more: the ClientHello must offer
 * acme-tls/1 and name, as its one server name, an identifier that is
 * published; anything else ends in a fatal alert before a certificate is
 * sent.  A handshake that succeeds is closed at once: no application data
 * is read or written.
 *
 * OpenSSL directly rather than libtls: libtls answers a name it does not
 * know with its first certificate and a client without ALPN without ALPN,
 * where this must refuse both, and its certificates are fixed when it is
 * configured, where these come and go with every order.
 *
 * As for http-01, the table is fixed in size, a whole handshake has a
 * deadline, and when the table is full the oldest connection goes first.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "alpn.h"
#include "log.h"
#include "server.h"
#include "tlssrv.h"

enum tconn_state {
	T_FREE,
	T_HANDSHAKE,
	T_LINGER		/* done, our side shut: drain, then close */
};

struct tconn {
	int			 fd;
	enum tconn_state	 state;
	SSL			*ssl;
	short			 want;		/* POLLIN or POLLOUT */
	int64_t			 since;
	const char		*refused;	/* why, from the callback */
	char			 sni[ALPN_SNI_MAX + 1];
	char			 addr[SERVER_ADDR_MAX];
};

struct tlssrv {
	SSL_CTX		*ctx;
	struct tconn	 conns[TLSSRV_CONN_MAX];
	int		 lfd[TLSSRV_LISTEN_MAX];
	int		 nlfd;
	int		 pmap[TLSSRV_PFD_MAX];	/* >= 0 conn, < 0 listener */
	struct alpntab	*tab;
	int64_t		 accept_after;
	uint64_t	 answered, refused;	/* since the last report */
};

/*
 * Looks at the ClientHello before anything is sent: acme-tls/1 offered,
 * one server name, published; its certificate then becomes this
 * connection's.
 */
static int
hello_cb(SSL *ssl, int *al, void *arg)
{
	struct alpntab			*tab = arg;
	struct tconn			*c = SSL_get_app_data(ssl);
	const struct alpn_answer	*a;
	const unsigned char		*p;
	size_t				 len;

	if (!SSL_client_hello_get0_ext(ssl,
	    TLSEXT_TYPE_application_layer_protocol_negotiation, &p, &len) ||
	    !alpn_offers_acme(p, len)) {
		c->refused = "acme-tls/1 not offered";
		*al = SSL_AD_NO_APPLICATION_PROTOCOL;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p,
	    &len) || alpn_sni_name(p, len, c->sni, sizeof(c->sni)) == -1) {
		c->refused = "no server name";
		*al = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if ((a = alpntab_get(tab, c->sni)) == NULL) {
		c->refused = "server name not published";
		*al = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (SSL_use_certificate(ssl, alpn_answer_cert(a)) != 1 ||
	    SSL_use_PrivateKey(ssl, alpn_answer_key(a)) != 1) {
		c->refused = "certificate not usable";
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* acme-tls/1, which the ClientHello was seen to offer. */
static int
alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char	 proto[] = "\012" ALPN_PROTO;
	unsigned char			*sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, proto, sizeof(proto) - 1,
	    in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *
tlssrv_ctx(struct alpntab *tab)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return NULL;
	/* RFC 8737 4: TLS 1.2 or later; nothing kept after a handshake */
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_num_tickets(ctx, 0)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_client_hello_cb(ctx, hello_cb, tab);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, NULL);
	return ctx;
}

struct tlssrv *
tlssrv_new(const int *fds, int nfds, struct alpntab *tab)
{
	struct tlssrv	*s;
	int		 i, fl;

	if (nfds < 0 || nfds > TLSSRV_LISTEN_MAX) {
		log_warnx("%d tls-alpn listening sockets, at most %d expected",
		    nfds, TLSSRV_LISTEN_MAX);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("tls-alpn connection table");
		return NULL;
	}
	for (i = 0; i < TLSSRV_CONN_MAX; i++)
		s->conns[i].fd = -1;
	if ((s->ctx = tlssrv_ctx(tab)) == NULL) {
		log_warnx("tls-alpn: no TLS context");
		free(s);
		return NULL;
	}
	for (i = 0; i < nfds; i++) {
		if ((fl = fcntl(fds[i], F_GETFL)) == -1 ||
		    fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) == -1) {
			log_warn("listening socket %d", fds[i]);
			tlssrv_free(s);
			return NULL;
		}
		s->lfd[i] = fds[i];
	}
	s->nlfd = nfds;
	s->tab = tab;
	return s;
}

static void
tconn_close(struct tconn *c)
{
	SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	c->state = T_FREE;
}

void
tlssrv_free(struct tlssrv *s)
{
	int	 i;

	if (s == NULL)
		return;
	for (i = 0; i < TLSSRV_CONN_MAX; i++)
		if (s->conns[i].fd != -1)
			tconn_close(&s->conns[i]);
	SSL_CTX_free(s->ctx);
	free(s);
}

/*
 * The handshake is over, either way: what OpenSSL wrote (the alert, or
 * the close_notify) reaches the client before our side is shut, and the
 * client's last bytes are drained, so that no reset destroys them.
 */
static void
tconn_finish(struct tconn *c, int64_t now)
{
	SSL_free(c->ssl);
	c->ssl = NULL;
	if (shutdown(c->fd, SHUT_WR) == -1) {
		tconn_close(c);
		return;
	}
	c->state = T_LINGER;
	c->since = now;
}

static void
tconn_step(struct tlssrv *s, struct tconn *c, int64_t now)
{
	int	 r, e;

	ERR_clear_error();
	if ((r = SSL_accept(c->ssl)) == 1) {
		log_debug("%s: tls-alpn-01 answered for %s", c->addr, c->sni);
		s->answered++;
		(void)SSL_shutdown(c->ssl);
		tconn_finish(c, now);
		return;
	}
	switch ((e = SSL_get_error(c->ssl, r))) {
	case SSL_ERROR_WANT_READ:
		c->want = POLLIN;
		return;
	case SSL_ERROR_WANT_WRITE:
		c->want = POLLOUT;
		return;
	default:
		log_debug("%s: tls-alpn-01 handshake refused%s%s", c->addr,
		    c->refused != NULL ? ": " : "",
		    c->refused != NULL ? c->refused : "");
		s->refused++;
		ERR_clear_error();
		tconn_finish(c, now);
	}
}

static void
tconn_drain(struct tconn *c)
{
	char	 junk[1024];
	ssize_t	 n;

	n = read(c->fd, junk, sizeof(junk));
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
		tconn_close(c);
}

static int64_t
tconn_deadline(const struct tconn *c)
{
	return c->since + (c->state == T_LINGER ? TLSSRV_LINGER_MS :
	    TLSSRV_HANDSHAKE_MS);
}

/* A free slot; when none is, the oldest connection makes room. */
static struct tconn *
tlssrv_slot(struct tlssrv *s)
{
	struct tconn	*c, *best = NULL;
	int		 i;

	for (i = 0; i < TLSSRV_CONN_MAX; i++) {
		c = &s->conns[i];
		if (c->fd == -1)
			return c;
		if (best == NULL || (c->state == T_LINGER &&
		    best->state != T_LINGER) || (c->state == best->state &&
		    c->since < best->since))
			best = c;
	}
	log_debug("%s: dropped, tls-alpn connection table full", best->addr);
	tconn_close(best);
	return best;
}

static void
tlssrv_accept(struct tlssrv *s, int lfd, int64_t now)
{
	struct tconn	*c;
	char		 addr[SERVER_ADDR_MAX];
	int		 fd, k;

	for (k = 0; k < SERVER_ACCEPT_BURST; k++) {
		if ((fd = server_take(lfd, now, &s->accept_after, addr,
		    sizeof(addr))) == -1)
			return;
		c = tlssrv_slot(s);
		c->fd = fd;
		memcpy(c->addr, addr, sizeof(c->addr));
		c->sni[0] = '\0';
		c->refused = NULL;
		c->since = now;
		c->state = T_HANDSHAKE;
		c->want = POLLIN;
		if ((c->ssl = SSL_new(s->ctx)) == NULL ||
		    SSL_set_fd(c->ssl, fd) != 1) {
			log_warnx("%s: no TLS session", c->addr);
			ERR_clear_error();
			tconn_close(c);
			continue;
		}
		SSL_set_app_data(c->ssl, c);
		tconn_step(s, c, now);
	}
}

/*
 * Expires what is due and fills pfd (at most max entries) with what to
 * wait for; *timeout (ms, -1 for none) is the next deadline, or left as
 * it is if that is sooner.  Returns the number of entries.
 */
int
tlssrv_pollfds(struct tlssrv *s, struct pollfd *pfd, int max, int64_t now,
    int *timeout)
{
	struct tconn	*c;
	int64_t		 d, next = INT64_MAX;
	int		 i, n = 0;

	if (s == NULL)
		return 0;
	for (i = 0; i < TLSSRV_CONN_MAX && n < max; i++) {
		c = &s->conns[i];
		if (c->fd == -1)
			continue;
		if ((d = tconn_deadline(c)) <= now) {
			log_debug("%s: tls-alpn-01 %s timeout", c->addr,
			    c->state == T_LINGER ? "close" : "handshake");
			if (c->state == T_HANDSHAKE)
				s->refused++;
			tconn_close(c);
			continue;
		}
		if (d < next)
			next = d;
		pfd[n].fd = c->fd;
		pfd[n].events = c->state == T_LINGER ? POLLIN : c->want;
		pfd[n].revents = 0;
		s->pmap[n++] = i;
	}
	if (now < s->accept_after) {
		if (s->accept_after < next)
			next = s->accept_after;
	} else {
		for (i = 0; i < s->nlfd && n < max; i++) {
			pfd[n].fd = s->lfd[i];
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			s->pmap[n++] = -1 - i;
		}
	}
	if (next != INT64_MAX && (*timeout == -1 || next - now < *timeout))
		*timeout = next - now > 60000 ? 60000 : (int)(next - now);
	return n;
}

/* Handles what poll() reported for the entries tlssrv_pollfds() made. */
void
tlssrv_events(struct tlssrv *s, const struct pollfd *pfd, int n,
    int64_t now)
{
	struct tconn	*c;
	int		 i;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (s->pmap[i] < 0) {
			tlssrv_accept(s, pfd[i].fd, now);
			continue;
		}
		c = &s->conns[s->pmap[i]];
		if (c->fd != pfd[i].fd)
			continue;
		if (pfd[i].revents & POLLNVAL)
			tconn_close(c);
		else if (c->state == T_LINGER)
			tconn_drain(c);
		else
			tconn_step(s, c, now);
	}
}

/*
 * The handshakes completed and refused since the last call, added to
 * counts (by enum chal_result) if counts is not NULL; 1 if there were
 * any.
 */
int
tlssrv_answers(struct tlssrv *s, uint64_t *counts)
{
	int	 any;

	if (s == NULL)
		return 0;
	any = s->answered != 0 || s->refused != 0;
	if (counts != NULL) {
		counts[CHAL_R_ALPN] += s->answered;
		counts[CHAL_R_ALPN_REFUSED] += s->refused;
		s->answered = s->refused = 0;
	}
	return any;
}
