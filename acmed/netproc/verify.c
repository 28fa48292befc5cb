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
 * Holds: nothing but the request at hand.  Every step (resolution aside,
 * which the resolver bounds) runs against one deadline.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
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
#include "imsg.h"
#include "log.h"
#include "x509check.h"
#include "text.h"
#include "verify.h"

#define VERIFY_NAMES_MAX	200	/* names listed from a served leaf */
#define VERIFY_NAMES_TEXT	160	/* of them, bytes in a message */

struct deadline {
	struct timespec	 at;
	int		 ms;		/* the time that was given, for messages */
};

static long
ms_left(const struct deadline *d)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(d->at.tv_sec - now.tv_sec) * 1000 +
	    (d->at.tv_nsec - now.tv_nsec) / 1000000;
}

/* 1 when fd is ready (or in error), 0 at the deadline, -1 on failure. */
static int
wait_fd(int fd, short events, const struct deadline *deadline)
{
	struct pollfd	 pfd;
	long		 left;
	int		 r;

	pfd.fd = fd;
	pfd.events = events;
	for (;;) {
		if ((left = ms_left(deadline)) <= 0)
			return 0;
		pfd.revents = 0;
		if ((r = poll(&pfd, 1, (int)left)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r > 0)
			return 1;
	}
}

/* strerror() in the lower case of the other details. */
static void
errtext(int e, char *msg, size_t len)
{
	snprintf(msg, len, "%s", strerror(e));
	if (msg[0] != '\0')
		msg[0] = (char)tolower((unsigned char)msg[0]);
}

/*
 * A TCP connection to the first address of host that answers before the
 * deadline; -1 with the reason in msg.
 */
static int
tcp_connect(const char *host, int port, const struct deadline *deadline,
    char *msg, size_t len)
{
	struct addrinfo	 hints, *res, *ai;
	socklen_t	 sl;
	char		 serv[16];
	int		 fd = -1, e, soerr;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((e = getaddrinfo(host, serv, &hints, &res)) != 0) {
		snprintf(msg, len, "cannot resolve %s: %s", host,
		    e == EAI_SYSTEM ? strerror(errno) : gai_strerror(e));
		return -1;
	}
	snprintf(msg, len, "no address");
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)) == -1) {
			errtext(errno, msg, len);
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			switch (wait_fd(fd, POLLOUT, deadline)) {
			case 1:
				sl = sizeof(soerr);
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
				    &sl) == -1)
					soerr = errno;
				if (soerr == 0)
					goto done;
				errno = soerr;
				break;
			case 0:
				snprintf(msg, len, "no connection within %.1f "
				    "seconds", deadline->ms / 1000.0);
				close(fd);
				fd = -1;
				goto done;
			default:
				break;
			}
		}
		errtext(errno, msg, len);
		close(fd);
		fd = -1;
	}
done:
	freeaddrinfo(res);
	return fd;
}

/*
 * The TLS handshake on fd, sending sni (none for "" or an address), and
 * the first certificate the server presents; NULL with the reason in msg.
 */
static X509 *
tls_leaf(int fd, const char *sni, const struct deadline *deadline,
    char *msg, size_t len)
{
	struct tls_config	*cfg = NULL;
	struct tls		*ctx = NULL;
	const uint8_t		*pem;
	const char		*err;
	BIO			*bio;
	X509			*leaf = NULL;
	size_t			 pemlen;
	int			 r;

	/*
	 * libtls is set up on first use: libcurl has loaded the libcrypto
	 * configuration before the sandbox, so nothing is left to read.
	 */
	if (tls_init() == -1) {
		snprintf(msg, len, "TLS: libtls initialisation failed");
		goto out;
	}
	if ((cfg = tls_config_new()) == NULL || (ctx = tls_client()) == NULL) {
		snprintf(msg, len, "TLS: out of memory");
		goto out;
	}
	tls_config_insecure_noverifycert(cfg);
	tls_config_insecure_noverifyname(cfg);
	tls_config_insecure_noverifytime(cfg);
	if (tls_configure(ctx, cfg) == -1 || tls_connect_socket(ctx, fd,
	    *sni != '\0' ? sni : NULL) == -1) {
		err = tls_error(ctx);
		snprintf(msg, len, "TLS: %s", err ? err : "cannot set up");
		goto out;
	}
	for (;;) {
		if ((r = tls_handshake(ctx)) == 0)
			break;
		if (r != TLS_WANT_POLLIN && r != TLS_WANT_POLLOUT) {
			err = tls_error(ctx);
			snprintf(msg, len, "TLS handshake: %s",
			    err ? err : "failed");
			goto out;
		}
		switch (wait_fd(fd, r == TLS_WANT_POLLIN ? POLLIN : POLLOUT,
		    deadline)) {
		case 1:
			continue;
		case 0:
			snprintf(msg, len, "no TLS handshake within %.1f "
			    "seconds", deadline->ms / 1000.0);
			goto out;
		default:
			errtext(errno, msg, len);
			goto out;
		}
	}
	if ((pem = tls_peer_cert_chain_pem(ctx, &pemlen)) == NULL ||
	    pemlen == 0) {
		snprintf(msg, len, "presents no certificate");
		goto out;
	}
	if (pemlen > CHAIN_PEM_MAX) {
		snprintf(msg, len, "presents a chain of %zu bytes (at most %d "
		    "read)", pemlen, CHAIN_PEM_MAX);
		goto out;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)pemlen)) != NULL) {
		leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (leaf == NULL)
		snprintf(msg, len, "presents a certificate that does not "
		    "parse");
	/* A close_notify if it goes out at once; the socket closes anyway. */
	(void)tls_close(ctx);
out:
	tls_free(ctx);
	tls_config_free(cfg);
	ERR_clear_error();
	return leaf;
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

/*
 * Connects to host:port with TLS (SNI sni) and compares the leaf served
 * with der.  0 if it is the same certificate, -1 if not or if there was
 * no answer; msg says what was found either way.
 */
int
verify_endpoint(const char *host, int port, const char *sni,
    const uint8_t *der, size_t derlen, int timeout_ms, char *msg,
    size_t len)
{
	struct deadline	 deadline;
	const uint8_t	*p;
	unsigned char	*sder = NULL;
	X509		*served = NULL, *installed = NULL;
	int		 fd, slen, same, rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &deadline.at);
	deadline.ms = timeout_ms;
	deadline.at.tv_sec += timeout_ms / 1000;
	deadline.at.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.at.tv_nsec >= 1000000000) {
		deadline.at.tv_sec++;
		deadline.at.tv_nsec -= 1000000000;
	}
	if ((fd = tcp_connect(host, port, &deadline, msg, len)) == -1)
		return -1;
	served = tls_leaf(fd, sni, &deadline, msg, len);
	close(fd);
	if (served == NULL)
		return -1;
	if ((slen = i2d_X509(served, &sder)) <= 0) {
		snprintf(msg, len, "presents a certificate that does not "
		    "encode");
		goto out;
	}
	same = (size_t)slen == derlen && memcmp(sder, der, derlen) == 0;
	p = der;
	if (derlen <= (size_t)VERIFY_DER_MAX)
		installed = d2i_X509(NULL, &p, (long)derlen);
	describe(served, installed, same, msg, len);
	if (same)
		rc = 0;
out:
	OPENSSL_free(sder);
	X509_free(served);
	X509_free(installed);
	ERR_clear_error();
	return rc;
}

/*
 * MSG_VERIFY from the parent, answered into out as the payload of a
 * MSG_VERIFY_RESULT.
 */
void
verify_request(const struct imsg *m, struct buf *out)
{
	struct rbuf	 r;
	const uint8_t	*der;
	char		*host, *sni, endpoint[VERIFY_HOST_MAX + 16];
	char		 msg[VERIFY_DETAIL_MAX];
	size_t		 derlen;
	uint32_t	 domid, port;
	int		 match;

	rbuf_init(&r, m->data, m->datalen);
	domid = rbuf_u32(&r);
	host = rbuf_str(&r, VERIFY_HOST_MAX);
	port = rbuf_u32(&r);
	sni = rbuf_str(&r, VERIFY_HOST_MAX);
	der = rbuf_blob(&r, &derlen, VERIFY_DER_MAX);
	if (rbuf_end(&r) == -1 || *host == '\0' || port == 0 ||
	    port > 65535 || derlen == 0)
		fatalx("malformed VERIFY from the parent");
	snprintf(endpoint, sizeof(endpoint), strchr(host, ':') != NULL ?
	    "[%s]:%u" : "%s:%u", host, port);
	match = verify_endpoint(host, (int)port, sni, der, derlen,
	    VERIFY_TIMEOUT_MS, msg, sizeof(msg)) == 0;
	log_debug("%s (%s): %s", endpoint, *sni != '\0' ? sni : "no SNI",
	    msg);
	buf_reset(out);
	if (buf_add_u32(out, domid) == -1 ||
	    buf_add_lstr(out, endpoint) == -1 ||
	    buf_add_u32(out, match) == -1 || buf_add_lstr(out, msg) == -1)
		fatalx("VERIFY_RESULT too large");
	free(host);
	free(sni);
}
