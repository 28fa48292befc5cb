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
 * The parent's side of the preflight: the marker challenged shows on its
 * Ready page for this start, the questions to netproc (which fetches the
 * page: the parent reads nothing from the network), and what the answers
 * mean.  An authority pauses an account and name after repeated failed
 * validations, and a port 80 routed elsewhere is their usual cause: the
 * preflight says so before the authority is asked, as a warning and an
 * event, and never holds an order back.
 */
#include <sys/types.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ident.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "text.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"

#define PREFLIGHT_MARKER_BYTES	16

/* This start's marker, in hex; "" until made. */
char	 preflight_marker[PREFLIGHT_MARKER_BYTES * 2 + 1];
/* -t: the preflight's answers go to standard output too. */
int	 preflight_print;
static size_t	 preflight_waiting;

/* A marker no other start, and no other instance, shows. */
int
preflight_marker_make(void)
{
	unsigned char	 r[PREFLIGHT_MARKER_BYTES];
	size_t		 i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		log_warn("getrandom");
		return -1;
	}
	for (i = 0; i < sizeof(r); i++)
		snprintf(preflight_marker + 2 * i, 3, "%02x", r[i]);
	return 0;
}

/*
 * Asks netproc to check each of the domain's names, once per start and
 * only before its first certificate (issued ones were validated), if it
 * is validated over http-01.  -1 if a question could not be sent.
 */
int
preflight_start(struct dstate *ds)
{
	struct buf	 b;
	size_t		 i;
	int		 rc = 0;

	if (ds->preflighted)
		return 0;
	ds->preflighted = 1;
	/* Port 80 is for http-01 only: a dns-01 domain may have none. */
	if (ds->d->challenge != CHALLENGE_HTTP01)
		return 0;
	for (i = 0; i < ds->d->nnames && rc == 0; i++) {
		buf_init(&b, MSG_PAYLOAD_MAX);
		buf_add_u32(&b, ds->d->id);
		buf_add_lstr(&b, ds->d->names[i]);
		buf_add_u32(&b, CONF_HTTP_PORT);
		buf_add_lstr(&b, preflight_marker);
		if ((rc = send_msg(PROC_NETPROC, MSG_PREFLIGHT, -1, &b)) == 0)
			preflight_waiting++;
		buf_free(&b);
	}
	return rc;
}

/* Answers still expected. */
size_t
preflight_pending(void)
{
	return preflight_waiting;
}

/* 1 if the address text is this host's own: loopback or an interface's. */
static int
address_local(const char *text)
{
	struct ifaddrs	*ifa, *i;
	struct in_addr	 a4;
	struct in6_addr	 a6;
	int		 found = 0;

	if (inet_pton(AF_INET, text, &a4) == 1) {
		if ((ntohl(a4.s_addr) >> 24) == 127)
			return 1;
	} else if (inet_pton(AF_INET6, text, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return 1;
	} else
		return 0;
	if (getifaddrs(&ifa) == -1)
		return 0;
	for (i = ifa; i != NULL && !found; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			found = memcmp(&((struct sockaddr_in *)
			    (void *)i->ifa_addr)->sin_addr, &a4,
			    sizeof(a4)) == 0 && strchr(text, ':') == NULL;
		else if (i->ifa_addr->sa_family == AF_INET6)
			found = memcmp(&((struct sockaddr_in6 *)
			    (void *)i->ifa_addr)->sin6_addr, &a6,
			    sizeof(a6)) == 0 && strchr(text, ':') != NULL;
	}
	freeifaddrs(ifa);
	return found;
}

/*
 * What an answer means, in words.  A connection refused or timed out at
 * an address that is not this host's may be this host's own public
 * address, which a host behind NAT often cannot reach: that is not
 * checked rather than failed.  0 if the name is this instance's, or
 * could not be checked from here; -1 if the authority would fail.
 */
static int
outcome_text(uint32_t outcome, const char *name, const char *addrs,
    const char *addr, const char *detail, char *out, size_t len)
{
	char	 where[MSG_TEXT_MAX + 64];

	if (ident_is_ip(name))
		snprintf(where, sizeof(where), "an IP address");
	else
		snprintf(where, sizeof(where), "resolves to %s", addrs);
	switch (outcome) {
	case PREFLIGHT_THIS:
		snprintf(out, len, "%s; this instance answers at %s port %d",
		    where, addr, CONF_HTTP_PORT);
		return 0;
	case PREFLIGHT_NO_NAME:
		snprintf(out, len, "does not resolve: %s", detail);
		return -1;
	case PREFLIGHT_OTHER:
		snprintf(out, len, "%s; another server answers at %s port %d: "
		    "%s", where, addr, CONF_HTTP_PORT, detail);
		return -1;
	case PREFLIGHT_REFUSED:
	case PREFLIGHT_TIMEOUT:
	case PREFLIGHT_UNREACHABLE:
		if (!address_local(addr)) {
			snprintf(out, len, "%s; could not be checked from "
			    "here: %s at %s port %d, which is not an address "
			    "of this host (a host behind NAT often cannot "
			    "reach its own public address): check from "
			    "outside", where, detail, addr, CONF_HTTP_PORT);
			return 0;
		}
		snprintf(out, len, "%s; %s at %s port %d", where,
		    outcome == PREFLIGHT_REFUSED ? "connection refused" :
		    outcome == PREFLIGHT_TIMEOUT ? "timed out" : detail, addr,
		    CONF_HTTP_PORT);
		return -1;
	default:
		snprintf(out, len, "unknown outcome %u", outcome);
		return -1;
	}
}

/* MSG_PREFLIGHT_RESULT from netproc; -1 if it is malformed. */
int
preflight_result(const struct imsg *m)
{
	struct rbuf	 r;
	struct dstate	*ds;
	char		*name, *addrs, *addr, *detail;
	char		 text[MSG_TEXT_MAX * 2], ev[MSG_TEXT_MAX * 2 + 300];
	uint32_t	 id, outcome;
	int		 rc = -1;

	rbuf_init(&r, m->data, m->datalen);
	id = rbuf_u32(&r);
	name = netproc_text(&r, MSG_NAME_MAX);
	addrs = netproc_text(&r, MSG_TEXT_MAX);
	addr = netproc_text(&r, MSG_ADDR_MAX);
	outcome = rbuf_u32(&r);
	detail = netproc_text(&r, MSG_TEXT_MAX);
	if (rbuf_end(&r) == -1 || (ds = dstate_byid(id)) == NULL || outcome >= PREFLIGHT_MAX ||
	    !domain_has_name(ds->d, name) || preflight_waiting == 0)
		goto out;
	preflight_waiting--;
	rc = 0;
	if (outcome_text(outcome, name, addrs, addr, detail, text,
	    sizeof(text)) == 0)
		log_info("%s: preflight %s: %s", ds->d->handle, name, text);
	else {
		log_warnx("%s: preflight %s: %s", ds->d->handle, name, text);
		snprintf(ev, sizeof(ev), "%s: %s", name, text);
		event_emit(conf, "preflight", ds, ev);
	}
	if (preflight_print) {
		printf("preflight %s: %s\n", name, text);
		fflush(stdout);
	}
 out:
	free(name);
	free(addrs);
	free(addr);
	free(detail);
	return rc;
}
