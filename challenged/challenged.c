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
 * challenged: the http-01 (RFC 8555 8.3) and tls-alpn-01 (RFC 8737)
 * responder.
 *
 * Holds: the listening sockets the parent bound for it, the table of
 * published tokens and key authorizations that netproc sends, and for
 * tls-alpn-01 a certificate and its throwaway key per identifier, made
 * here (alpn.c says why).  Nothing else: no account or domain key, no
 * file, no configuration.
 * Does: answers GET and HEAD for /.well-known/acme-challenge/<token> with
 * the key authorization, the test page at "/" and at the challenge
 * directory, and an error status for everything else; on its tls-alpn
 * listeners, completes the TLS handshakes that ask acme-tls/1 for a
 * published name and refuses every other.
 * Never: opens a file, binds or connects a socket (it runs chrooted in an
 * empty directory as its own user, under seccomp), keeps anything on disk,
 * or lets a client hold more than one fixed-size slot of memory.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "alpn.h"
#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "sandbox.h"

#include "challenged.h"
#include "server.h"
#include "tlssrv.h"
#include "token.h"


/*
 * Takes the listening sockets the parent sends, up to its MSG_READY.
 * Returns how many arrived in fds (at most max); alpn[i] is 1 for a
 * tls-alpn-01 one.
 */
int
challenged_getfds(struct imsgchan *parent, int *fds, int *alpn, int max)
{
	struct imsg	 m;
	struct rbuf	 rb;
	char		*addr;
	int		 n = 0, r;

	for (;;) {
		if ((r = ichan_recv(parent, &m)) == 0)
			fatalx("parent closed its channel before READY");
		if (r == -1)
			fatal("parent channel");
		if (msg_check(&m) == -1)
			fatalx("malformed %s message from the parent",
			    msg_name(m.hdr.type));
		rbuf_init(&rb, m.data, m.datalen);
		switch (m.hdr.type) {
		case MSG_LISTEN_FD:
		case MSG_LISTEN_ALPN_FD:
			addr = rbuf_str(&rb, MSG_ADDR_MAX);
			if (rbuf_end(&rb) == -1)
				fatalx("malformed %s message",
				    msg_name(m.hdr.type));
			if (n >= max)
				fatalx("%s: more than %d listening sockets",
				    addr, max);
			alpn[n] = m.hdr.type == MSG_LISTEN_ALPN_FD;
			fds[n++] = m.fd;
			m.fd = -1;
			log_debug("listening on %s%s", addr,
			    alpn[n - 1] ? " for tls-alpn-01" : "");
			free(addr);
			break;
		case MSG_CHAL_MARKER:
			addr = rbuf_str(&rb, MSG_MARKER_MAX);
			if (rbuf_end(&rb) == -1 || server_marker(addr) == -1)
				fatalx("malformed CHAL_MARKER message");
			free(addr);
			break;
		case MSG_VERBOSE:
			log_setverbose((int)rbuf_u32(&rb));
			if (rbuf_end(&rb) == -1)
				fatalx("malformed VERBOSE message");
			break;
		case MSG_READY:
			imsg_clear(&m);
			return n;
		default:
			fatalx("unexpected %s message from the parent",
			    msg_name(m.hdr.type));
		}
		imsg_clear(&m);
	}
}

/* Moves the sockets to the descriptors right after the channels. */
static void
pack_fds(int *fds, int n)
{
	int	 i, fd, first = PROC_FD_PEER1 + 1;

	/* Above the targets first, so that no socket is overwritten. */
	for (i = 0; i < n; i++) {
		if ((fd = fcntl(fds[i], F_DUPFD_CLOEXEC, first + n)) == -1)
			fatal("listening socket");
		close(fds[i]);
		fds[i] = fd;
	}
	for (i = 0; i < n; i++) {
		if (dup3(fds[i], first + i, O_CLOEXEC) == -1)
			fatal("listening socket");
		close(fds[i]);
		fds[i] = first + i;
	}
}

static void
reply_ack(struct imsgchan *net, uint32_t peerid, const char *token, int ok)
{
	struct buf	 b;

	buf_init(&b, MSG_PAYLOAD_MAX);
	if (buf_add_lstr(&b, token) == -1 || buf_add_u32(&b, ok) == -1 ||
	    msg_compose(net, MSG_CHAL_ACK, peerid, -1, &b) == -1)
		fatal("CHAL_ACK for token %.64s", token);
	buf_free(&b);
	if (ichan_flush(net) == -1)
		fatal("netproc channel");
}

static void
alpn_add(struct imsgchan *net, struct alpntab *alpns, struct rbuf *rb,
    uint32_t peerid)
{
	char	*id, *ka;

	id = rbuf_str(rb, MSG_NAME_MAX);
	ka = rbuf_str(rb, MSG_KEYAUTH_MAX);
	if (rbuf_end(rb) == -1)
		fatalx("malformed CHAL_ALPN_ADD message");
	/* Without a listener, OpenSSL was not set up before the sandbox. */
	if (alpns == NULL || alpntab_add(alpns, id, ka) == -1) {
		log_warnx("%s: tls-alpn-01 answer not published: %s", id,
		    alpns == NULL ? "no tls-alpn listener" :
		    errno == ENOSPC ? "too many identifiers" :
		    errno == EINVAL ? "not a name or an address, or not a "
		    "key authorization" : "no certificate could be made");
		reply_ack(net, peerid, id, 0);
	} else {
		log_debug("%s: tls-alpn-01 answer published", id);
		reply_ack(net, peerid, id, 1);
	}
	free(id);
	free(ka);
}

static void
net_dispatch(struct imsgchan *net, struct toktab *toks,
    struct alpntab *alpns)
{
	struct imsg	 m;
	struct rbuf	 rb;
	char		*tok, *ka;
	int		 r;

	while ((r = ichan_get(net, &m)) == 1) {
		if (msg_check(&m) == -1)
			fatalx("malformed %s message from netproc",
			    msg_name(m.hdr.type));
		rbuf_init(&rb, m.data, m.datalen);
		switch (m.hdr.type) {
		case MSG_CHAL_ADD:
			tok = rbuf_str(&rb, MSG_TOKEN_MAX);
			ka = rbuf_str(&rb, MSG_KEYAUTH_MAX);
			if (rbuf_end(&rb) == -1)
				fatalx("malformed CHAL_ADD message");
			if (toktab_add(toks, tok, strlen(tok), ka,
			    strlen(ka)) == -1) {
				log_warnx("token %.64s: not published: %s",
				    tok, errno == ENOSPC ? "too many tokens" :
				    errno == EINVAL ? "not base64url or too long"
				    : strerror(errno));
				reply_ack(net, m.hdr.peerid, tok, 0);
			} else {
				log_debug("token %s published", tok);
				reply_ack(net, m.hdr.peerid, tok, 1);
			}
			free(tok);
			free(ka);
			break;
		case MSG_CHAL_DEL:
			tok = rbuf_str(&rb, MSG_TOKEN_MAX);
			if (rbuf_end(&rb) == -1)
				fatalx("malformed CHAL_DEL message");
			if (toktab_del(toks, tok, strlen(tok)) == -1)
				log_debug("token %.64s was not published", tok);
			else
				log_debug("token %s withdrawn", tok);
			free(tok);
			break;
		case MSG_CHAL_ALPN_ADD:
			alpn_add(net, alpns, &rb, m.hdr.peerid);
			break;
		case MSG_CHAL_ALPN_DEL:
			tok = rbuf_str(&rb, MSG_NAME_MAX);
			if (rbuf_end(&rb) == -1)
				fatalx("malformed CHAL_ALPN_DEL message");
			if (alpns == NULL || alpntab_del(alpns, tok) == -1)
				log_debug("%s: no tls-alpn-01 answer to "
				    "withdraw", tok);
			else
				log_debug("%s: tls-alpn-01 answer withdrawn",
				    tok);
			free(tok);
			break;
		default:
			fatalx("unexpected %s message from netproc",
			    msg_name(m.hdr.type));
		}
		imsg_clear(&m);
	}
	if (r == -1)
		fatal("netproc channel");
}

/* 1 once the parent asks to stop. */
static int
parent_dispatch(struct imsgchan *parent)
{
	struct imsg	 m;
	struct rbuf	 rb;
	int		 r, stop = 0;

	while (!stop && (r = ichan_get(parent, &m)) == 1) {
		if (msg_check(&m) == -1)
			fatalx("malformed %s message from the parent",
			    msg_name(m.hdr.type));
		rbuf_init(&rb, m.data, m.datalen);
		switch (m.hdr.type) {
		case MSG_VERBOSE:
			log_setverbose((int)rbuf_u32(&rb));
			if (rbuf_end(&rb) == -1)
				fatalx("malformed VERBOSE message");
			break;
		case MSG_SHUTDOWN:
			stop = 1;
			break;
		default:
			fatalx("unexpected %s message from the parent",
			    msg_name(m.hdr.type));
		}
		imsg_clear(&m);
	}
	if (r == -1)
		fatal("parent channel");
	return stop;
}

/* Sends and reads what a channel is ready for; -1 once it is closed. */
static int
chan_io(struct imsgchan *c, short revents, const char *name)
{
	ssize_t	 n;

	if ((revents & POLLOUT) && ichan_flush(c) == -1)
		fatal("%s channel", name);
	if ((revents & (POLLIN | POLLHUP | POLLERR)) == 0)
		return 0;
	if ((n = ichan_read(c)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		fatal("%s channel", name);
	}
	return n == 0 ? -1 : 0;
}

/*
 * The answers given since the last report go to the parent, for its
 * metrics, at most once a second: a flood costs a message a second.
 */
#define REPORT_MS	1000

static void
report_answers(struct imsgchan *parent, struct server *srv,
    struct tlssrv *tls)
{
	struct buf	 b;
	uint64_t	 counts[CHAL_RESULTS];
	int		 i, any;

	any = server_answers(srv, counts);
	any |= tlssrv_answers(tls, counts);
	if (!any)
		return;
	buf_init(&b, 8 * CHAL_RESULTS);
	for (i = 0; i < CHAL_RESULTS; i++)
		buf_add_u64(&b, counts[i]);
	if (msg_compose(parent, MSG_CHAL_ANSWERS, 0, -1, &b) == -1)
		log_warnx("the answers could not be reported");
	buf_free(&b);
}

/*
 * Serves the sockets in fds until the parent says stop or a channel
 * closes.  Runs with or without the sandbox; 0 on a clean stop.
 */
int
challenged_loop(struct imsgchan *parent, struct imsgchan *net,
    const int *fds, const int *alpn, int nfds)
{
	struct pollfd	 pfd[2 + SERVER_PFD_MAX + TLSSRV_PFD_MAX];
	struct toktab	*toks;
	struct alpntab	*alpns;
	struct server	*srv;
	struct tlssrv	*tls;
	int		 hfd[SERVER_LISTEN_MAX], tfd[SERVER_LISTEN_MAX];
	int64_t		 now, reported = 0;
	int		 i, n, nt, nh = 0, ntls = 0, timeout, pclosed, nclosed;
	int		 stop = 0;

	for (i = 0; i < nfds && i < SERVER_LISTEN_MAX; i++) {
		if (alpn[i])
			tfd[ntls++] = fds[i];
		else
			hfd[nh++] = fds[i];
	}
	alpns = NULL;
	tls = NULL;
	if ((toks = toktab_new(TOKTAB_MAX)) == NULL || (ntls > 0 &&
	    (alpns = alpntab_new(ALPNTAB_MAX)) == NULL))
		fatal("token table");
	if ((srv = server_new(hfd, nh, toks)) == NULL || (ntls > 0 &&
	    (tls = tlssrv_new(tfd, ntls, alpns)) == NULL))
		fatalx("cannot serve");
	while (!stop) {
		now = server_now();
		n = server_pollfds(srv, pfd + 2, SERVER_PFD_MAX, now,
		    &timeout);
		nt = tlssrv_pollfds(tls, pfd + 2 + n, TLSSRV_PFD_MAX, now,
		    &timeout);
		pfd[0].fd = ichan_fd(parent);
		pfd[0].events = POLLIN |
		    (ichan_queued(parent) > 0 ? POLLOUT : 0);
		pfd[1].fd = ichan_fd(net);
		pfd[1].events = POLLIN | (ichan_queued(net) > 0 ? POLLOUT : 0);
		/* idle, it sleeps: nothing to report */
		if ((server_answers(srv, NULL) ||
		    tlssrv_answers(tls, NULL)) && (timeout == -1 ||
		    timeout > REPORT_MS))
			timeout = REPORT_MS;
		if (poll(pfd, 2 + n + nt, timeout) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		now = server_now();
		pclosed = chan_io(parent, pfd[0].revents, "parent");
		stop = parent_dispatch(parent);
		nclosed = chan_io(net, pfd[1].revents, "netproc");
		net_dispatch(net, toks, alpns);
		if (pclosed == -1 || nclosed == -1) {
			log_debug("%s closed its channel",
			    pclosed == -1 ? "the parent" : "netproc");
			stop = 1;
		}
		if (!stop) {
			server_events(srv, pfd + 2, n, now);
			tlssrv_events(tls, pfd + 2 + n, nt, now);
		}
		if (!stop && server_now() - reported >= REPORT_MS) {
			report_answers(parent, srv, tls);
			reported = server_now();
		}
	}
	tlssrv_free(tls);
	server_free(srv);
	alpntab_free(alpns);
	toktab_free(toks);
	return 0;
}

/*
 * OpenSSL's first key and certificate, made before the sandbox: what it
 * sets up on first use (its random generator, its providers) may want a
 * file the chroot does not have.
 */
void
challenged_tls_init(void)
{
	struct alpntab	*t;

	if (!OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) ||
	    (t = alpntab_new(1)) == NULL ||
	    alpntab_add(t, "localhost", "a.b") == -1)
		fatalx("tls-alpn-01: OpenSSL cannot make a certificate");
	alpntab_free(t);
}

int
challenged_main(int debug, int verbose)
{
	struct imsgchan	*parent, *net;
	int		 fds[SERVER_LISTEN_MAX], alpn[SERVER_LISTEN_MAX];
	int		 i, nfds, r;

	(void)debug;
	log_procname("challenged");
	log_setverbose(verbose);
	signal(SIGPIPE, SIG_IGN);
	if ((parent = ichan_new(PROC_FD_PARENT, IMSG_MAX_SIZE)) == NULL ||
	    (net = ichan_new(PROC_FD_PEER1, IMSG_MAX_SIZE)) == NULL)
		fatal("channels");
	log_tochan(parent);

	nfds = challenged_getfds(parent, fds, alpn, SERVER_LISTEN_MAX);
	pack_fds(fds, nfds);
	for (i = 0; i < nfds; i++)
		if (alpn[i])
			break;
	if (i < nfds)
		challenged_tls_init();

	proc_confine(SANDBOX_CHALLENGED, PROC_FD_PEER1 + 1 + nfds, parent);

	if (msg_compose(parent, MSG_READY, 0, -1, NULL) == -1 ||
	    ichan_flush_all(parent) == -1)
		fatal("parent channel");
	r = challenged_loop(parent, net, fds, alpn, nfds);
	log_tochan(NULL);
	ichan_free(net);
	ichan_free(parent);
	return r == 0 ? 0 : 1;
}
