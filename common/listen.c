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
 * Binding and listening, for the parent and the tests alike.  An IPv6
 * socket is IPv6 only, so "[::]:80" and "0.0.0.0:80" can both be
 * configured; the socket is non-blocking and close-on-exec.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

/* The descriptor, or -1 with the reason (naming the address) in err. */
int
listen_socket(const struct sockaddr *sa, socklen_t salen, char *err,
    size_t errsz)
{
	char	 host[NI_MAXHOST], serv[NI_MAXSERV];
	char	 name[NI_MAXHOST + NI_MAXSERV + 4];
	int	 fd, on = 1, saved;

	if (getnameinfo(sa, salen, host, sizeof(host), serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(name, sizeof(name), "(address family %d)",
		    sa->sa_family);
	else if (sa->sa_family == AF_INET6)
		snprintf(name, sizeof(name), "[%s]:%s", host, serv);
	else
		snprintf(name, sizeof(name), "%s:%s", host, serv);

	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errsz, "%s: socket: %s", name, strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (sa->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)) {
		snprintf(err, errsz, "%s: setsockopt: %s", name,
		    strerror(errno));
		goto fail;
	}
	if (bind(fd, sa, salen) == -1) {
		snprintf(err, errsz, "%s: bind: %s", name, strerror(errno));
		goto fail;
	}
	if (listen(fd, LISTEN_BACKLOG) == -1) {
		snprintf(err, errsz, "%s: listen: %s", name, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}
