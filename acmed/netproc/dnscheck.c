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
 * Before the authority is told to validate dns-01, every authoritative
 * server of each record's zone must serve every value: the authority may
 * ask any of them, and a secondary not yet updated fails the order.  The
 * zone is the owner of the SOA the system's resolver answers for the
 * record's name (in the answer, or in the authority section of a negative
 * one); its servers are its NS, their addresses (A and AAAA) from the
 * same resolver; each server is then asked itself, without recursion.  The
 * queries are made and read with glibc's resolver library (libresolv:
 * the servers of the copy of resolv.conf in netproc's root, res_nmkquery,
 * ns_initparse), on sockets of the poll loop: a server that does not
 * answer holds no other order.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "netproc.h"

#define DNS_TIMEOUT_MS	2000	/* a server has to answer a query */
#define DNS_SERVERS	8	/* servers of a zone asked */
#define DNS_ANSWER_MAX	8192
#define DNS_WHY_MAX	512

enum dns_step {
	STEP_SOA,		/* the zone of the record's name */
	STEP_NS,		/* the zone's servers */
	STEP_A,			/* their addresses */
	STEP_AAAA,
	STEP_TXT		/* each server's records */
};

struct dns_check {
	struct acme_op		*o;
	dnscheck_fn		 done;
	struct __res_state	 rs;
	size_t			 rec;		/* o->dns[rec]'s name is checked */
	enum dns_step		 step;
	char			 qname[NS_MAXDNAME];
	char			 zone[NS_MAXDNAME];
	char			 ns[DNS_SERVERS][NS_MAXDNAME];
	int			 nns, ins;
	struct sockaddr_storage	 addr[DNS_SERVERS];
	int			 addrns[DNS_SERVERS];	/* of ns[] */
	int			 naddr, iaddr;
	int			 sys;		/* the system's server asked */
	int			 fd;
	uint16_t		 id;
	struct ev_timer		 timer;
	unsigned char		 buf[DNS_ANSWER_MAX];
	ns_msg			 msg;
	char			 a[INET6_ADDRSTRLEN];
};

static void	dns_next_name(struct dns_check *);

static void
dns_close(struct dns_check *c)
{
	if (c->fd != -1) {
		ev_fd_del(c->fd);
		close(c->fd);
		c->fd = -1;
	}
	ev_timer_stop(&c->timer);
}

static void
dns_finish(struct dns_check *c, int rc, const char *fmt, ...)
    __attribute__((__format__ (printf, 3, 4)));

/* The end of a round: rc 1, 0 (why: not yet) or -1 (why: cannot). */
static void
dns_finish(struct dns_check *c, int rc, const char *fmt, ...)
{
	char	 why[DNS_WHY_MAX] = "";
	va_list	 ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	dns_close(c);
	res_nclose(&c->rs);
	c->done(c->o, rc, why);
	free(c);
}

static void	dns_send(struct dns_check *, const struct sockaddr *,
		    const char *, int, int);

/*
 * The system's first server from c->sys on; -1 if none is left.  glibc
 * keeps an IPv6 server's address beside the IPv4 list.
 */
static const struct sockaddr *
dns_sys_server(struct dns_check *c)
{
	for (; c->sys < c->rs.nscount && c->sys < MAXNS; c->sys++) {
		if (c->rs.nsaddr_list[c->sys].sin_family == AF_INET)
			return (struct sockaddr *)&c->rs.nsaddr_list[c->sys];
		if (c->rs._u._ext.nsaddrs[c->sys] != NULL &&
		    c->rs._u._ext.nsaddrs[c->sys]->sin6_family == AF_INET6)
			return (struct sockaddr *)
			    c->rs._u._ext.nsaddrs[c->sys];
	}
	return NULL;
}

/* name/type from the system's resolver, recursion desired. */
static void
dns_ask_sys(struct dns_check *c, const char *name, int type)
{
	const struct sockaddr	*sa;

	if ((sa = dns_sys_server(c)) == NULL) {
		dns_finish(c, -1, "%s: the system's resolver did not answer "
		    "for %s", c->qname, name);
		return;
	}
	dns_send(c, sa, name, type, 1);
}

static void	dns_got(struct dns_check *);
static void	dns_timed_out(void *);

static void
dns_readable(int fd, short ev, void *arg)
{
	struct dns_check	*c = arg;
	ssize_t			 n;

	(void)ev;
	if ((n = recv(fd, c->buf, sizeof(c->buf), 0)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		n = 0;		/* refused: as a timeout, at once */
	}
	/* another answer than the one asked for is not it */
	if (n > 0 && ((size_t)n < NS_HFIXEDSZ ||
	    ((c->buf[0] << 8) | c->buf[1]) != c->id ||
	    !(c->buf[2] & 0x80)))
		return;
	dns_close(c);
	if (n == 0 || ns_initparse(c->buf, (int)n, &c->msg) == -1) {
		dns_timed_out(c);
		return;
	}
	dns_got(c);
}

/* Sends name/type to the server at sa (port included). */
static void
dns_send(struct dns_check *c, const struct sockaddr *sa, const char *name,
    int type, int rd)
{
	unsigned char	 q[NS_PACKETSZ];
	socklen_t	 salen;
	int		 len;

	if (sa->sa_family == AF_INET6) {
		salen = sizeof(struct sockaddr_in6);
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->
		    sin6_addr, c->a, sizeof(c->a));
	} else {
		salen = sizeof(struct sockaddr_in);
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    c->a, sizeof(c->a));
	}
	if ((len = res_nmkquery(&c->rs, ns_o_query, name, ns_c_in, type, NULL,
	    0, NULL, q, sizeof(q))) < NS_HFIXEDSZ) {
		dns_finish(c, -1, "%s: no query for %s", c->qname, name);
		return;
	}
	if (rd)
		q[2] |= 0x01;
	else
		q[2] &= ~0x01;
	c->id = (uint16_t)((q[0] << 8) | q[1]);
	if ((c->fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 || connect(c->fd, sa, salen) == -1 ||
	    send(c->fd, q, (size_t)len, 0) != len ||
	    ev_fd(c->fd, POLLIN, dns_readable, c) == -1) {
		dns_finish(c, -1, "%s: a query to %s: %s", c->qname, c->a,
		    strerror(errno));
		return;
	}
	ev_timer_set(&c->timer, DNS_TIMEOUT_MS, dns_timed_out, c);
}

/*
 * No answer: the system's next server, for what the system's resolver
 * is asked; a zone's server that does not answer does not serve yet.
 */
static void
dns_timed_out(void *arg)
{
	struct dns_check	*c = arg;

	dns_close(c);
	switch (c->step) {
	case STEP_SOA:
		c->sys++;
		dns_ask_sys(c, c->qname, ns_t_soa);
		break;
	case STEP_NS:
		c->sys++;
		dns_ask_sys(c, c->zone, ns_t_ns);
		break;
	case STEP_A:
	case STEP_AAAA:
		c->sys++;
		dns_ask_sys(c, c->ns[c->ins], c->step == STEP_A ? ns_t_a :
		    ns_t_aaaa);
		break;
	case STEP_TXT:
		dns_finish(c, 0, "%s: server %s (%s) of zone %s did not "
		    "answer", c->qname, c->ns[c->addrns[c->iaddr]], c->a,
		    c->zone);
		break;
	}
}

/* The owner of the SOA in the answer or the authority section. */
static int
dns_zone(struct dns_check *c)
{
	ns_sect	 sects[2] = { ns_s_an, ns_s_ns };
	ns_rr	 rr;
	int	 s, i;

	for (s = 0; s < 2; s++)
		for (i = 0; i < ns_msg_count(c->msg, sects[s]); i++)
			if (ns_parserr(&c->msg, sects[s], i, &rr) == 0 &&
			    ns_rr_type(rr) == ns_t_soa)
				return strlcpy(c->zone, ns_rr_name(rr),
				    sizeof(c->zone)) < sizeof(c->zone) ? 0 : -1;
	return -1;
}

static void
dns_servers(struct dns_check *c)
{
	ns_rr	 rr;
	int	 i;

	c->nns = 0;
	for (i = 0; i < ns_msg_count(c->msg, ns_s_an) && c->nns < DNS_SERVERS;
	    i++)
		if (ns_parserr(&c->msg, ns_s_an, i, &rr) == 0 &&
		    ns_rr_type(rr) == ns_t_ns &&
		    ns_name_uncompress(ns_msg_base(c->msg), ns_msg_end(c->msg),
		    ns_rr_rdata(rr), c->ns[c->nns], NS_MAXDNAME) != -1)
			c->nns++;
}

/* The A or AAAA records of server ins, as addresses of port 53. */
static void
dns_addresses(struct dns_check *c)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	ns_rr			 rr;
	int			 i;

	for (i = 0; i < ns_msg_count(c->msg, ns_s_an) &&
	    c->naddr < DNS_SERVERS; i++) {
		if (ns_parserr(&c->msg, ns_s_an, i, &rr) == -1)
			continue;
		memset(&c->addr[c->naddr], 0, sizeof(c->addr[0]));
		if (ns_rr_type(rr) == ns_t_a &&
		    ns_rr_rdlen(rr) == sizeof(struct in_addr)) {
			sin = (struct sockaddr_in *)&c->addr[c->naddr];
			sin->sin_family = AF_INET;
			sin->sin_port = htons(NS_DEFAULTPORT);
			memcpy(&sin->sin_addr, ns_rr_rdata(rr),
			    sizeof(sin->sin_addr));
		} else if (ns_rr_type(rr) == ns_t_aaaa &&
		    ns_rr_rdlen(rr) == sizeof(struct in6_addr)) {
			sin6 = (struct sockaddr_in6 *)&c->addr[c->naddr];
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(NS_DEFAULTPORT);
			memcpy(&sin6->sin6_addr, ns_rr_rdata(rr),
			    sizeof(sin6->sin6_addr));
		} else
			continue;
		c->addrns[c->naddr++] = c->ins;
	}
}

/* Whether the answer holds a TXT record of exactly value. */
static int
dns_has_txt(struct dns_check *c, const char *value)
{
	const unsigned char	*p;
	ns_rr			 rr;
	size_t			 vlen = strlen(value);
	int			 i;

	for (i = 0; i < ns_msg_count(c->msg, ns_s_an); i++) {
		if (ns_parserr(&c->msg, ns_s_an, i, &rr) == -1 ||
		    ns_rr_type(rr) != ns_t_txt)
			continue;
		p = ns_rr_rdata(rr);
		if (ns_rr_rdlen(rr) == vlen + 1 && p[0] == vlen &&
		    memcmp(p + 1, value, vlen) == 0)
			return 1;
	}
	return 0;
}

/* The TXT answer of server iaddr: every value of the name in it? */
static void
dns_txt(struct dns_check *c)
{
	const struct acme_op	*o = c->o;
	size_t			 i;

	for (i = c->rec; i < o->ndns; i++)
		if (strcmp(o->dns[i].name, o->dns[c->rec].name) == 0 &&
		    !dns_has_txt(c, o->dns[i].value)) {
			dns_finish(c, 0, "%s: server %s (%s) of zone %s does "
			    "not serve TXT \"%s\"", c->qname,
			    c->ns[c->addrns[c->iaddr]], c->a, c->zone,
			    o->dns[i].value);
			return;
		}
	if (++c->iaddr < c->naddr) {
		dns_send(c, (struct sockaddr *)&c->addr[c->iaddr], c->qname,
		    ns_t_txt, 0);
		return;
	}
	log_debug("%s: served at the %d addresses of the servers of zone %s",
	    c->qname, c->naddr, c->zone);
	c->rec++;
	dns_next_name(c);
}

static void
dns_got(struct dns_check *c)
{
	switch (c->step) {
	case STEP_SOA:
		if (dns_zone(c) == -1) {
			dns_finish(c, -1, "%s: no zone found for it",
			    c->qname);
			return;
		}
		c->step = STEP_NS;
		dns_ask_sys(c, c->zone, ns_t_ns);
		return;
	case STEP_NS:
		dns_servers(c);
		if (c->nns == 0) {
			dns_finish(c, -1, "%s: zone %s: no server found",
			    c->qname, c->zone);
			return;
		}
		c->step = STEP_A;
		c->ins = c->naddr = 0;
		dns_ask_sys(c, c->ns[0], ns_t_a);
		return;
	case STEP_A:
		dns_addresses(c);
		c->step = STEP_AAAA;
		dns_ask_sys(c, c->ns[c->ins], ns_t_aaaa);
		return;
	case STEP_AAAA:
		dns_addresses(c);
		c->step = STEP_A;
		if (++c->ins < c->nns) {
			dns_ask_sys(c, c->ns[c->ins], ns_t_a);
			return;
		}
		if (c->naddr == 0) {
			dns_finish(c, -1, "%s: zone %s: no server address "
			    "found", c->qname, c->zone);
			return;
		}
		c->step = STEP_TXT;
		c->iaddr = 0;
		dns_send(c, (struct sockaddr *)&c->addr[0], c->qname,
		    ns_t_txt, 0);
		return;
	case STEP_TXT:
		dns_txt(c);
		return;
	}
}

/* The next name of o's records not checked yet (a wildcard's is its
   base name's). */
static void
dns_next_name(struct dns_check *c)
{
	const struct acme_op	*o = c->o;
	size_t			 j;

	for (; c->rec < o->ndns; c->rec++) {
		for (j = 0; j < c->rec; j++)
			if (strcmp(o->dns[j].name, o->dns[c->rec].name) == 0)
				break;
		if (j == c->rec)
			break;
	}
	if (c->rec == o->ndns) {
		dns_finish(c, 1, NULL);
		return;
	}
	snprintf(c->qname, sizeof(c->qname), "_acme-challenge.%s",
	    o->dns[c->rec].name);
	c->step = STEP_SOA;
	c->sys = 0;
	dns_ask_sys(c, c->qname, ns_t_soa);
}

/*
 * One round: done(o, 1, "") if every record of o is served by every
 * server of its zone, 0 if one is not yet, -1 if a zone cannot be
 * checked, with why.
 */
void
dnscheck(struct acme_op *o, dnscheck_fn done)
{
	struct dns_check	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		done(o, -1, "out of memory");
		return;
	}
	c->o = o;
	c->done = done;
	c->fd = -1;
	if (res_ninit(&c->rs) == -1) {
		free(c);
		done(o, -1, "the system's resolver: no configuration");
		return;
	}
	dns_next_name(c);
}

/*
 * What the check reads of an answer, for the fuzzer: an answer comes
 * from any server a zone names, so every byte of it is untrusted.  -1 if
 * it does not parse.
 */
int
dnscheck_parse(const unsigned char *buf, size_t len, const char *value)
{
	struct dns_check	*c;
	int			 rc = -1;

	if (len > DNS_ANSWER_MAX || (c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	memcpy(c->buf, buf, len);
	if (ns_initparse(c->buf, (int)len, &c->msg) == 0) {
		(void)dns_zone(c);
		dns_servers(c);
		dns_addresses(c);
		(void)dns_has_txt(c, value);
		rc = 0;
	}
	free(c);
	return rc;
}
