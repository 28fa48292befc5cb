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
 * record's name; its servers are its NS, their IPv4 addresses from the
 * same resolver; each server is then asked itself, without recursion.
 * glibc's resolver (libresolv) reads the copy of resolv.conf in
 * netproc's root.  Each query waits at most DNS_TIMEOUT seconds.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>

#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "netproc.h"

#define DNS_TIMEOUT	2	/* seconds a server has to answer */
#define DNS_SERVERS	8	/* servers of a zone asked */
#define DNS_ANSWER_MAX	8192

struct dns_q {
	struct __res_state	 rs;
	unsigned char		 buf[DNS_ANSWER_MAX];
	int			 len;
	ns_msg			 msg;
};

static int
dns_init(struct dns_q *q)
{
	memset(&q->rs, 0, sizeof(q->rs));
	if (res_ninit(&q->rs) == -1)
		return -1;
	q->rs.retrans = DNS_TIMEOUT;
	q->rs.retry = 1;
	return 0;
}

/* The answer to name/type, parsed; -1 if none came. */
static int
dns_ask(struct dns_q *q, const char *name, int type)
{
	q->len = res_nquery(&q->rs, name, ns_c_in, type, q->buf,
	    sizeof(q->buf));
	if (q->len < 0 && q->rs.res_h_errno != HOST_NOT_FOUND &&
	    q->rs.res_h_errno != NO_DATA)
		return -1;
	if (q->len < 0)
		return 0;	/* NXDOMAIN, NODATA: an empty answer */
	return ns_initparse(q->buf, q->len, &q->msg) == -1 ? -1 : 1;
}

/*
 * The zone of name: the owner of the SOA in the answer, or in the
 * authority section of a negative answer.
 */
static int
find_zone(struct dns_q *q, const char *name, char *zone, size_t len)
{
	ns_sect	 sects[2] = { ns_s_an, ns_s_ns };
	ns_rr	 rr;
	int	 s, i;

	/* res_nquery keeps no negative answer, which tells the zone */
	if ((q->len = res_nmkquery(&q->rs, ns_o_query, name, ns_c_in,
	    ns_t_soa, NULL, 0, NULL, q->buf, sizeof(q->buf))) < 0 ||
	    (q->len = res_nsend(&q->rs, q->buf, q->len, q->buf,
	    sizeof(q->buf))) < 0 ||
	    ns_initparse(q->buf, q->len, &q->msg) == -1)
		return -1;
	for (s = 0; s < 2; s++)
		for (i = 0; i < ns_msg_count(q->msg, sects[s]); i++) {
			if (ns_parserr(&q->msg, sects[s], i, &rr) == -1)
				return -1;
			if (ns_rr_type(rr) != ns_t_soa)
				continue;
			if (strlcpy(zone, ns_rr_name(rr), len) >= len)
				return -1;
			return 0;
		}
	return -1;
}

/* The IPv4 addresses of the zone's servers. */
static int
zone_servers(struct dns_q *q, const char *zone, struct in_addr *addrs,
    char names[][NS_MAXDNAME], int max)
{
	char		 ns[DNS_SERVERS][NS_MAXDNAME];
	ns_rr		 rr;
	int		 i, j, nns = 0, n = 0;

	if (dns_ask(q, zone, ns_t_ns) != 1)
		return -1;
	for (i = 0; i < ns_msg_count(q->msg, ns_s_an) && nns < DNS_SERVERS;
	    i++) {
		if (ns_parserr(&q->msg, ns_s_an, i, &rr) == -1)
			return -1;
		if (ns_rr_type(rr) == ns_t_ns &&
		    ns_name_uncompress(ns_msg_base(q->msg), ns_msg_end(q->msg),
		    ns_rr_rdata(rr), ns[nns], NS_MAXDNAME) != -1)
			nns++;
	}
	for (j = 0; j < nns && n < max; j++) {
		if (dns_ask(q, ns[j], ns_t_a) != 1)
			continue;
		for (i = 0; i < ns_msg_count(q->msg, ns_s_an) && n < max;
		    i++) {
			if (ns_parserr(&q->msg, ns_s_an, i, &rr) == -1 ||
			    ns_rr_type(rr) != ns_t_a ||
			    ns_rr_rdlen(rr) != sizeof(addrs[n]))
				continue;
			memcpy(&addrs[n], ns_rr_rdata(rr), sizeof(addrs[n]));
			strlcpy(names[n], ns[j], NS_MAXDNAME);
			n++;
		}
	}
	return n;
}

/* Whether the answer holds a TXT record of exactly value. */
static int
has_txt(struct dns_q *q, const char *value)
{
	const unsigned char	*p;
	ns_rr			 rr;
	size_t			 vlen = strlen(value);
	int			 i;

	for (i = 0; i < ns_msg_count(q->msg, ns_s_an); i++) {
		if (ns_parserr(&q->msg, ns_s_an, i, &rr) == -1 ||
		    ns_rr_type(rr) != ns_t_txt || ns_rr_rdlen(rr) < 1)
			continue;
		p = ns_rr_rdata(rr);
		if (p[0] == vlen && (size_t)ns_rr_rdlen(rr) == vlen + 1 &&
		    memcmp(p + 1, value, vlen) == 0)
			return 1;
	}
	return 0;
}

/*
 * 1 if every server of the zone of _acme-challenge.name answers every
 * value o holds for name; 0 if one does not yet, -1 if the zone or its
 * servers cannot be found; why says which.
 */
static int
check_name(const struct acme_op *o, const char *name, char *why,
    size_t len)
{
	struct dns_q	*q, *srv;
	struct in_addr	 addrs[DNS_SERVERS];
	char		 qname[NS_MAXDNAME], zone[NS_MAXDNAME];
	char		 names[DNS_SERVERS][NS_MAXDNAME], a[INET_ADDRSTRLEN];
	size_t		 i;
	int		 n, s, rc = -1;

	q = calloc(1, sizeof(*q));
	srv = calloc(1, sizeof(*srv));
	if (q == NULL || srv == NULL || dns_init(q) == -1) {
		snprintf(why, len, "the system's resolver: no configuration");
		goto out;
	}
	snprintf(qname, sizeof(qname), "_acme-challenge.%s", name);
	if (find_zone(q, qname, zone, sizeof(zone)) == -1) {
		snprintf(why, len, "%s: no zone found for it", qname);
		goto out;
	}
	if ((n = zone_servers(q, zone, addrs, names, DNS_SERVERS)) <= 0) {
		snprintf(why, len, "%s: zone %s: no server address found",
		    qname, zone);
		goto out;
	}
	for (s = 0; s < n; s++) {
		inet_ntop(AF_INET, &addrs[s], a, sizeof(a));
		if (dns_init(srv) == -1) {
			snprintf(why, len, "the system's resolver: no "
			    "configuration");
			goto out;
		}
		srv->rs.nscount = 1;
		srv->rs.nsaddr_list[0].sin_family = AF_INET;
		srv->rs.nsaddr_list[0].sin_port = htons(NS_DEFAULTPORT);
		srv->rs.nsaddr_list[0].sin_addr = addrs[s];
		srv->rs.options &= ~(RES_RECURSE | RES_DNSRCH | RES_DEFNAMES);
		rc = dns_ask(srv, qname, ns_t_txt);
		res_nclose(&srv->rs);
		if (rc == -1) {
			snprintf(why, len, "%s: server %s (%s) of zone %s did "
			    "not answer", qname, names[s], a, zone);
			rc = 0;
			goto out;
		}
		for (i = 0; i < o->ndns; i++) {
			if (strcmp(o->dns[i].name, name) != 0)
				continue;
			if (rc == 0 || !has_txt(srv, o->dns[i].value)) {
				snprintf(why, len, "%s: server %s (%s) of zone "
				    "%s does not serve TXT \"%s\"", qname,
				    names[s], a, zone, o->dns[i].value);
				rc = 0;
				goto out;
			}
		}
	}
	log_debug("%s: served by the %d servers of zone %s", qname, n, zone);
	rc = 1;
out:
	if (q != NULL)
		res_nclose(&q->rs);
	free(q);
	free(srv);
	return rc;
}

/*
 * 1 if every record of o is served by every server of its zone, 0 if
 * one is not yet, -1 if a zone cannot be checked; why says which.
 */
int
dnscheck(const struct acme_op *o, char *why, size_t len)
{
	size_t	 i, j;
	int	 rc;

	for (i = 0; i < o->ndns; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(o->dns[j].name, o->dns[i].name) == 0)
				break;
		if (j < i)
			continue;	/* a name and its wildcard */
		if ((rc = check_name(o, o->dns[i].name, why, len)) != 1)
			return rc;
	}
	return 1;
}
