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
 * The cluster block's values: the checks of each (an etcd endpoint, the
 * node's name, the key prefix), within the bounds of MSG_CLUSTER, so that
 * what "acmed -n" accepts netproc takes; its dump and its freeing.
 */
#include <sys/types.h>

#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_priv.h"
#include "msg.h"

/* A host of an endpoint: a name, an IPv4 address or [an IPv6 one]. */
static const char *
etcd_host(const char *host, size_t len)
{
	struct in6_addr	 a6;
	char		 buf[INET6_ADDRSTRLEN];
	size_t		 i;

	if (len == 0)
		return "no host";
	if (host[0] == '[') {
		if (len < 3 || host[len - 1] != ']' || len - 2 >= sizeof(buf))
			return "an IPv6 address is written [address]";
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) != 1)
			return "not an IPv6 address between the brackets";
		return NULL;
	}
	if (len > MSG_NAME_MAX)
		return "a host name longer than 253 bytes";
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)host[i]) && host[i] != '-' &&
		    host[i] != '.')
			return "a host is a name (letters, digits, '-' and "
			    "'.') or an address";
	if (host[0] == '.' || host[0] == '-' || host[len - 1] == '.')
		return "a host name neither begins with '.' or '-' nor ends "
		    "with '.'";
	return NULL;
}

/*
 * An etcd client URL: "https://HOST:PORT" and nothing more.  NULL if it
 * is one, else why not.
 */
const char *
conf_check_etcd_url(const char *url)
{
	const char	*host, *colon, *p, *why;
	long		 port = 0;

	if (strlen(url) > MSG_ETCD_URL_MAX)
		return "longer than 268 bytes";
	if (strncasecmp(url, "https://", 8) != 0)
		return "not https://HOST:PORT (etcd's client URL, with TLS)";
	host = url + 8;
	if (host[0] == '[')
		colon = strchr(host, ']') != NULL ? strchr(host, ']') + 1 :
		    host + strlen(host);
	else
		colon = host + strcspn(host, ":/?#");
	if ((why = etcd_host(host, (size_t)(colon - host))) != NULL)
		return why;
	if (*colon != ':' || colon[1] == '\0')
		return "no port: write https://HOST:PORT (etcd's is 2379)";
	for (p = colon + 1; isdigit((unsigned char)*p) && port <= 65535; p++)
		port = port * 10 + (*p - '0');
	if (p == colon + 1 || (*p != '\0' && isdigit((unsigned char)*p)) ||
	    port < 1 || port > 65535)
		return "the port is a number from 1 to 65535";
	if (*p != '\0')
		return "nothing may follow the port (no path)";
	return NULL;
}

/* A node's name: 1 to 63 letters, digits, '.', '-' and '_'. */
const char *
conf_check_node(const char *node)
{
	const char	*p;

	if (node[0] == '\0')
		return "empty";
	if (strlen(node) > MSG_NODE_MAX)
		return "longer than 63 bytes";
	for (p = node; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != '_')
			return "only letters, digits, '.', '-' and '_' are "
			    "allowed";
	return NULL;
}

/* The prefix of the fleet's keys: "/", visible ASCII, "/", 128 bytes. */
const char *
conf_check_prefix(const char *prefix)
{
	const char	*p;
	size_t		 len = strlen(prefix);

	if (len > MSG_PREFIX_MAX)
		return "longer than 128 bytes";
	if (len == 0 || prefix[0] != '/' || prefix[len - 1] != '/')
		return "must begin and end with '/'";
	for (p = prefix; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p))
			return "only visible ASCII characters are allowed, no "
			    "space";
	return NULL;
}

void
conf_free_cluster(struct cluster *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nendpoints; i++)
		free(c->endpoints[i]);
	free(c->ca);
	free(c->cert);
	free(c->key);
	free(c->prefix);
	free(c->fleet_key);
	free(c->node);
	free(c);
}

/* As acmed.conf, for "acmed -n -v". */
void
conf_dump_cluster(const struct cluster *c)
{
	static const char *const names[] = { "etcd ca", "etcd certificate",
	    "etcd key", "prefix", "fleet key", "node" };
	const char	*values[] = { c->ca, c->cert, c->key, c->prefix,
			    c->fleet_key, c->node };
	size_t		 i;

	printf("\ncluster {\n\tetcd");
	for (i = 0; i < c->nendpoints; i++) {
		putchar(' ');
		conf_dump_str(c->endpoints[i]);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		printf("\n\t%s ", names[i]);
		conf_dump_str(values[i]);
	}
	printf("\n}\n");
}
