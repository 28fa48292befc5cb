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
 * The configuration apart from its grammar: the checks of single values
 * (names, paths, durations, commands, addresses), the defaults and the
 * checks that need the whole file, the dump printed by "acmed -n -v" (in
 * the syntax of acmed.conf, so that it parses again), and freeing.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_priv.h"
#include "ident.h"
#include "log.h"
#include "proc.h"

static const char *const default_users[PROC_MAX] = {
	[PROC_NETPROC] = CONF_USER_NETPROC,
	[PROC_KEYPROC] = CONF_USER_KEYPROC,
	[PROC_CHALLENGED] = CONF_USER_CHALLENGED,
};

static const struct {
	const char	*name;
	int		 signo;
} signals[] = {
	{ "HUP",	SIGHUP },
	{ "USR1",	SIGUSR1 },
	{ "USR2",	SIGUSR2 },
	{ "TERM",	SIGTERM },
};

static const struct {
	const char	*name;
	time_t		 seconds;
} units[] = {
	{ "day",	24 * 60 * 60 },
	{ "hour",	60 * 60 },
	{ "minute",	60 },
	{ "second",	1 },
};

struct config *
conf_new(void)
{
	struct config	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("calloc");
	TAILQ_INIT(&c->listens);
	TAILQ_INIT(&c->authorities);
	TAILQ_INIT(&c->domains);
	return c;
}

/* Keeps the name of a file read, for the life of the configuration. */
const char *
conf_add_file(struct config *c, const char *name)
{
	char	**f;

	f = reallocarray(c->files, c->nfiles + 1, sizeof(*f));
	if (f == NULL)
		fatal("reallocarray");
	c->files = f;
	if ((f[c->nfiles] = strdup(name)) == NULL)
		fatal("strdup");
	return f[c->nfiles++];
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return p;
}

/*
 * The authorities behind a domain's first, each a known one and none
 * named twice: a fallback to itself, or back to one before it, would
 * order again from an authority that just kept failing.  Returns the
 * number of errors logged.
 */
static int
domain_fallbacks(const struct config *c, struct domain *d)
{
	const char	*name;
	size_t		 i, j;
	int		 errors = 0;

	for (i = 0; i < d->nfallback; i++) {
		name = d->fallback_name[i];
		if ((d->fallback[i] = config_authority(c, name)) == NULL) {
			conf_msg(d->file, d->auth_line, 0, "domain %s: "
			    "fallback %s: no such authority", d->handle, name);
			errors++;
			continue;
		}
		if (strcmp(name, d->auth_name) == 0) {
			conf_msg(d->file, d->auth_line, 0, "domain %s: "
			    "fallback %s: %s", d->handle, name, i == 0 ?
			    "falls back to itself" :
			    "back to the first authority, a loop");
			errors++;
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(name, d->fallback_name[j]) == 0) {
				conf_msg(d->file, d->auth_line, 0, "domain %s: "
				    "fallback %s: named twice, a loop",
				    d->handle, name);
				errors++;
			}
	}
	return errors;
}

/*
 * The test authorities -t signs with: each names another authority.
 * One named only as a test authority is not a default for the domains.
 */
static int
conf_test_authorities(struct config *c)
{
	struct authority	*a;
	int			 errors = 0;

	TAILQ_FOREACH(a, &c->authorities, entry) {
		if (a->test_name == NULL)
			continue;
		if ((a->test = config_authority(c, a->test_name)) == NULL ||
		    a->test == a) {
			conf_msg(a->file, a->test_line, 0, "authority %s: test "
			    "authority %s: %s", a->name, a->test_name,
			    a->test == NULL ? "no such authority" :
			    "not another authority");
			a->test = NULL;
			errors++;
		} else
			a->test->test_only = 1;
	}
	return errors;
}

/*
 * A domain's challenge is answered on a listener of its kind: one of
 * "listen on ... tls-alpn" for tls-alpn-01, one without for http-01;
 * dns-01 needs none.
 */
static int
conf_check_challenge(const struct config *c, const struct domain *d)
{
	const struct listen_addr	*l;
	int				 tlsalpn;

	if (d->challenge == CHALLENGE_DNS01)
		return 0;	/* answered in the DNS, not by challenged */
	tlsalpn = d->challenge == CHALLENGE_TLSALPN01;
	TAILQ_FOREACH(l, &c->listens, entry)
		if (l->tlsalpn == tlsalpn)
			return 0;
	conf_msg(d->file, d->challenge_line ? d->challenge_line : d->line, 0,
	    "domain %s: challenge %s: no \"listen on\" line %s tls-alpn",
	    d->handle, tlsalpn ? "tls-alpn-01" : "http-01",
	    tlsalpn ? "with" : "without");
	return 1;
}

/*
 * The defaults, then what needs every block read: which authority signs
 * each domain, and where its challenge is answered.  Returns the number
 * of errors logged.
 */
int
conf_finish(struct config *c)
{
	struct authority	*a;
	struct domain		*d;
	const char		*why;
	int			 i, nauth = 0, errors = 0;

	if (c->state_dir == NULL)
		c->state_dir = xstrdup(CONF_STATE_DIR);
	if (c->empty_dir == NULL)
		c->empty_dir = xstrdup(CONF_EMPTY_DIR);
	if (c->pid_file == NULL)
		c->pid_file = xstrdup(CONF_PID_FILE);
	for (i = PROC_PARENT + 1; i < PROC_MAX; i++)
		if (c->user[i] == NULL)
			c->user[i] = xstrdup(default_users[i]);
	if (c->check_interval == 0)
		c->check_interval = CONF_CHECK_INTERVAL;
	if (c->expiry_warn == 0)
		c->expiry_warn = CONF_EXPIRY_WARN;
	if (c->dns_user == NULL)
		c->dns_user = xstrdup(CONF_USER_DNS);
	if (c->dns_hook_timeout == 0)
		c->dns_hook_timeout = CONF_DNS_HOOK_TIMEOUT;
	if (c->dns_wait == 0)
		c->dns_wait = CONF_DNS_WAIT;
	if (TAILQ_EMPTY(&c->listens) &&
	    conf_listen(c, "*", CONF_HTTP_PORT, 0, &why) == -1)
		fatalx("default listen: %s", why);

	errors += conf_test_authorities(c);
	TAILQ_FOREACH(a, &c->authorities, entry) {
		if (a->max_orders == 0)
			a->max_orders = CONF_MAX_ORDERS;
		if (!a->test_only)
			nauth++;
	}
	TAILQ_FOREACH(d, &c->domains, entry) {
		errors += conf_check_challenge(c, d);
		if (d->auth_name != NULL) {
			if ((d->auth = config_authority(c, d->auth_name))
			    == NULL) {
				conf_msg(d->file, d->auth_line, 0, "domain %s: "
				    "sign with %s: no such authority",
				    d->handle, d->auth_name);
				errors++;
			}
			errors += domain_fallbacks(c, d);
		} else if (d->fallback_after != 0) {
			conf_msg(d->file, d->line, 0, "domain %s: fallback "
			    "after, but no fallback authority: say which with "
			    "sign with NAME fallback NAME", d->handle);
			errors++;
		} else if (nauth == 1) {
			TAILQ_FOREACH(d->auth, &c->authorities, entry)
				if (!d->auth->test_only)
					break;
			d->auth_name = xstrdup(d->auth->name);
		} else if (nauth == 0) {
			conf_msg(d->file, d->line, 0, "domain %s: no authority "
			    "is defined", d->handle);
			errors++;
		} else {
			conf_msg(d->file, d->line, 0, "domain %s: %d "
			    "authorities are defined: say which with sign with",
			    d->handle, nauth);
			errors++;
		}
	}
	if (TAILQ_EMPTY(&c->domains))
		conf_msg(c->file, 0, 1, "no domain is defined");
	return errors;
}

/*
 * Authority names and domain handles name files in the state directory:
 * NULL if the name is safe as a file name, else why not.
 */
const char *
conf_check_handle(const char *name)
{
	static char	 msg[200];
	char		 canon[IDENT_IP_TEXT_MAX];
	const char	*p;

	if (name[0] == '\0')
		return "empty name";
	/* An IPv6 address's ':' is safe in a file name on Linux. */
	if (ident_ip_canon(name, canon, sizeof(canon)) == 0)
		return NULL;
	if (strlen(name) > CONF_MAX_HANDLE) {
		snprintf(msg, sizeof(msg), "a block's name is at most %d "
		    "bytes (it names files in the state directory); name the "
		    "block shortly and give a longer name with \"domain "
		    "name\"", CONF_MAX_HANDLE);
		return msg;
	}
	if (name[0] == '.' || name[0] == '-')
		return "a name must not begin with '.' or '-'";
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != '_' && *p != '*')
			return "only letters, digits, '.', '-' and '_' are "
			    "allowed";
	return NULL;
}

/*
 * NULL if the name can be put in an ACME order and validated with
 * http-01, else why not: a host name, or an IP address (RFC 8738) in the
 * one form ident.h names, which certificates, logs and the state
 * directory then show as written.  The name is already in lower case.
 */
const char *
conf_check_hostname(const char *name)
{
	static char	 msg[120];
	char		 canon[IDENT_IP_TEXT_MAX];
	const char	*p, *label;
	size_t		 len, nlabels = 0;
	int		 numeric = 1;

	len = strlen(name);
	if (len == 0)
		return "empty name";
	/*
	 * A wildcard is "*." and a host name (RFC 8555 section 7.1.3);
	 * build_domain_end() sees that its domain validates with dns-01.
	 */
	if (strncmp(name, "*.", 2) == 0 && strchr(name + 2, '*') == NULL) {
		if (ident_ip_canon(name + 2, canon, sizeof(canon)) == 0 ||
		    strchr(name + 2, ':') != NULL)
			return "a wildcard of an address";
		return conf_check_hostname(name + 2);
	}
	if (strchr(name, '*') != NULL)
		return "a wildcard is \"*.\" followed by a host name";
	if (ident_ip_canon(name, canon, sizeof(canon)) == 0) {
		if (strcmp(name, canon) == 0)
			return NULL;
		snprintf(msg, sizeof(msg), "write the address as %s (RFC "
		    "5952)", canon);
		return msg;
	}
	if (strchr(name, ':') != NULL)
		return "neither a host name nor an IP address";
	if (name[len - 1] == '.')
		return "a name must not end with a dot";
	if (len > MSG_NAME_MAX)
		return "longer than 253 characters";
	for (label = p = name; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label)
				return "empty label (two dots in a row, or a "
				    "leading dot)";
			if (p - label > 63)
				return "a label is longer than 63 characters";
			if (*label == '-' || p[-1] == '-')
				return "a label begins or ends with '-'";
			nlabels++;
			if (*p == '\0')
				break;
			label = p + 1;
			numeric = 1;
			continue;
		}
		if ((unsigned char)*p >= 0x80)
			return "non-ASCII character: write an internationalized "
			    "name in its xn-- form";
		if (*p == '_')
			return "'_' is not allowed in a host name";
		if (!isdigit((unsigned char)*p))
			numeric = 0;
		if (!isalnum((unsigned char)*p) && *p != '-')
			return "only letters, digits, '-' and '.' are allowed";
	}
	if (nlabels < 2)
		return "a single label; a certificate needs a full name like "
		    "www.example.com";
	if (numeric)
		return "the last label is numeric, and it is not an IPv4 "
		    "address (four numbers from 0 to 255, without leading "
		    "zeros)";
	return NULL;
}

const char *
conf_check_username(const char *name)
{
	const char	*p;

	if (name[0] == '\0')
		return "empty user name";
	if (strlen(name) > CONF_MAX_USERNAME)
		return "user name too long";
	if (name[0] == '-')
		return "a user name must not begin with '-'";
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    *p != '.')
			return "only letters, digits, '_', '-' and '.' are "
			    "allowed";
	if (strcmp(name, "root") == 0)
		return "a child must not run as root";
	return NULL;
}

/* N units, unit singular or plural; seconds only where allowed. */
int
conf_duration(long long n, const char *unit, int seconds, time_t *out,
    const char **why)
{
	size_t	 i, len;

	len = strlen(unit);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strncasecmp(unit, units[i].name, strlen(units[i].name))
		    != 0)
			continue;
		if (len == strlen(units[i].name) ||
		    (len == strlen(units[i].name) + 1 &&
		    tolower((unsigned char)unit[len - 1]) == 's'))
			break;
	}
	if (i == sizeof(units) / sizeof(units[0]) ||
	    (!seconds && units[i].seconds == 1)) {
		*why = seconds ? "the unit must be days, hours, minutes or "
		    "seconds" : "the unit must be days, hours or minutes";
		return -1;
	}
	if (n <= 0) {
		*why = "must be more than 0";
		return -1;
	}
	if (n > CONF_MAX_DURATION / units[i].seconds) {
		*why = "longer than 10 years";
		return -1;
	}
	*out = (time_t)n * units[i].seconds;
	return 0;
}

/*
 * Splits a reload command into its arguments: separated by spaces or
 * tabs, grouped by single or double quotes, no other expansion.
 */
char **
conf_split_command(const char *cmd, const char **why)
{
	char		**argv = NULL, *word = NULL;
	const char	*p;
	size_t		 argc = 0, len = 0;
	int		 quote = 0, inword = 0;

	if ((argv = calloc(CONF_MAX_ARGS + 1, sizeof(char *))) == NULL ||
	    (word = malloc(strlen(cmd) + 1)) == NULL)
		fatal("calloc");
	for (p = cmd; ; p++) {
		if (*p == '\0' || (!quote && (*p == ' ' || *p == '\t'))) {
			if (*p == '\0' && quote) {
				*why = "unterminated quote";
				goto fail;
			}
			if (inword) {
				if (argc == CONF_MAX_ARGS) {
					*why = "too many arguments";
					goto fail;
				}
				word[len] = '\0';
				argv[argc++] = xstrdup(word);
				len = 0;
				inword = 0;
			}
			if (*p == '\0')
				break;
			continue;
		}
		inword = 1;
		if (quote && *p == quote)
			quote = 0;
		else if (!quote && (*p == '"' || *p == '\''))
			quote = *p;
		else
			word[len++] = *p;
	}
	free(word);
	if (argc == 0) {
		*why = "empty command";
		conf_free_argv(argv);
		return NULL;
	}
	return argv;
fail:
	free(word);
	conf_free_argv(argv);
	return NULL;
}

int
conf_signal(const char *name)
{
	size_t	 i;

	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcasecmp(name, signals[i].name) == 0)
			return signals[i].signo;
	return -1;
}

const char *
conf_signame(int signo)
{
	size_t	 i;

	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].signo == signo)
			return signals[i].name;
	return "?";
}

static int
listen_add(struct config *c, int af, const void *addr, int port,
    int tlsalpn, const char **why)
{
	static char		 dup[INET6_ADDRSTRLEN + 40];
	struct listen_addr	*l, *o;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	char			 host[INET6_ADDRSTRLEN];

	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("calloc");
	inet_ntop(af, addr, host, sizeof(host));
	if (af == AF_INET) {
		sin = (struct sockaddr_in *)&l->ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, addr, sizeof(sin->sin_addr));
		l->sslen = sizeof(*sin);
		if (asprintf(&l->text, "%s:%d", host, port) == -1)
			fatal("asprintf");
	} else {
		sin6 = (struct sockaddr_in6 *)&l->ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, addr, sizeof(sin6->sin6_addr));
		l->sslen = sizeof(*sin6);
		if (asprintf(&l->text, "[%s]:%d", host, port) == -1)
			fatal("asprintf");
	}
	TAILQ_FOREACH(o, &c->listens, entry) {
		if (strcmp(o->text, l->text) == 0) {
			snprintf(dup, sizeof(dup), "%s is already given",
			    l->text);
			*why = dup;
			free(l->text);
			free(l);
			return -1;
		}
	}
	l->tlsalpn = tlsalpn;
	TAILQ_INSERT_TAIL(&c->listens, l, entry);
	return 0;
}

/* An address literal, not a name: the parent never resolves. */
int
conf_listen(struct config *c, const char *addr, long long port, int tlsalpn,
    const char **why)
{
	struct in6_addr	 in6;
	struct in_addr	 in4;
	char		 buf[INET6_ADDRSTRLEN + 2];
	size_t		 len;

	if (port < 1 || port > 65535) {
		*why = "port must be from 1 to 65535";
		return -1;
	}
	if (strcmp(addr, "*") == 0) {
		in4.s_addr = htonl(INADDR_ANY);
		if (listen_add(c, AF_INET, &in4, (int)port, tlsalpn,
		    why) == -1)
			return -1;
		return listen_add(c, AF_INET6, &in6addr_any, (int)port,
		    tlsalpn, why);
	}
	len = strlen(addr);
	if (len >= 2 && len < sizeof(buf) && addr[0] == '[' &&
	    addr[len - 1] == ']') {
		memcpy(buf, addr + 1, len - 2);
		buf[len - 2] = '\0';
		addr = buf;
	}
	if (inet_pton(AF_INET, addr, &in4) == 1)
		return listen_add(c, AF_INET, &in4, (int)port, tlsalpn, why);
	if (inet_pton(AF_INET6, addr, &in6) == 1)
		return listen_add(c, AF_INET6, &in6, (int)port, tlsalpn, why);
	*why = "not an IPv4 or IPv6 address, nor '*' (names are not resolved)";
	return -1;
}

/*
 * A host name (one label is enough: it is only connected to) or an
 * address literal, in lower case; NULL if acceptable, else why not.
 */
static const char *
verify_host_check(char *host)
{
	char	*p, *label;
	int	 numeric = 1;

	for (p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (*host == '\0')
		return "empty host";
	if (strlen(host) > MSG_NAME_MAX)
		return "longer than 253 characters";
	for (label = p = host; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label)
				return "empty label (two dots in a row, or a "
				    "leading or trailing dot)";
			if (p - label > 63)
				return "a label is longer than 63 characters";
			if (*label == '-' || p[-1] == '-')
				return "a label begins or ends with '-'";
			if (*p == '\0')
				break;
			label = p + 1;
			numeric = 1;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			numeric = 0;
		if (!isalnum((unsigned char)*p) && *p != '-')
			return "not a host name nor an IPv4 or IPv6 address";
	}
	if (numeric)
		return "neither an IPv4 address nor a host name (the last "
		    "label is numeric)";
	return NULL;
}

/*
 * An endpoint serving the domain's certificate, checked after reloads.
 * The host is connected to as given: an address literal or a name that
 * netproc resolves.
 */
int
conf_verify(struct domain *d, const char *host, long long port,
    const char **why)
{
	static char		 msg[300];
	struct verify_ep	*v, *o;
	struct in6_addr		 in6;
	struct in_addr		 in4;
	char			 buf[256];
	size_t			 len, n = 0;

	if (port < 1 || port > 65535) {
		*why = "port must be from 1 to 65535";
		return -1;
	}
	len = strlen(host);
	if (len >= sizeof(buf)) {
		*why = "longer than 253 characters";
		return -1;
	}
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, &in6) != 1) {
			*why = "not an IPv6 address inside [ ]";
			return -1;
		}
	} else
		memcpy(buf, host, len + 1);
	if (inet_pton(AF_INET6, buf, &in6) == 1)
		inet_ntop(AF_INET6, &in6, buf, sizeof(buf));
	else if (inet_pton(AF_INET, buf, &in4) == 1)
		inet_ntop(AF_INET, &in4, buf, sizeof(buf));
	else if ((*why = verify_host_check(buf)) != NULL)
		return -1;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		fatal("calloc");
	v->host = xstrdup(buf);
	v->port = (int)port;
	if (asprintf(&v->text, strchr(buf, ':') != NULL ? "[%s]:%d" : "%s:%d",
	    buf, v->port) == -1)
		fatal("asprintf");
	TAILQ_FOREACH(o, &d->verifies, entry) {
		n++;
		if (strcmp(o->text, v->text) == 0) {
			snprintf(msg, sizeof(msg), "%s is already given",
			    v->text);
			*why = msg;
			goto fail;
		}
	}
	if (n >= CONF_MAX_VERIFY) {
		snprintf(msg, sizeof(msg), "more than %d endpoints",
		    CONF_MAX_VERIFY);
		*why = msg;
		goto fail;
	}
	TAILQ_INSERT_TAIL(&d->verifies, v, entry);
	return 0;
fail:
	free(v->host);
	free(v->text);
	free(v);
	return -1;
}

/* 0 and what it is in buf if the cluster block's file is path. */
static int
cluster_path(const struct cluster *cl, const char *file, const char *path,
    const char *what, char *buf, size_t len)
{
	if (file == NULL || strcmp(file, path) != 0)
		return -1;
	snprintf(buf, len, "the %s of the cluster block (%s:%d)", what,
	    cl->file, cl->line);
	return 0;
}

/*
 * 0 and what uses the file if some key or certificate already does, or
 * (with_eab) an external account key, or the cluster block's etcd key
 * or fleet key.
 */
int
conf_path_user(const struct config *c, const char *path, char *buf,
    size_t len, int with_eab)
{
	const struct authority	*a;
	const struct domain	*d;

	if (c->log_file != NULL && strcmp(c->log_file, path) == 0) {
		snprintf(buf, len, "the log file");
		return 0;
	}
	if (c->metrics_file != NULL && strcmp(c->metrics_file, path) == 0) {
		snprintf(buf, len, "the metrics file");
		return 0;
	}
	TAILQ_FOREACH(a, &c->authorities, entry) {
		if (a->account_key != NULL &&
		    strcmp(a->account_key, path) == 0) {
			snprintf(buf, len, "the account key of authority %s "
			    "(%s:%d)", a->name, a->file, a->line);
			return 0;
		}
		if (with_eab && a->eab_key != NULL &&
		    strcmp(a->eab_key, path) == 0) {
			snprintf(buf, len, "the external account key of "
			    "authority %s (%s:%d)", a->name, a->file, a->line);
			return 0;
		}
	}
	if (with_eab && c->cluster != NULL && (cluster_path(c->cluster,
	    c->cluster->key, path, "etcd key", buf, len) == 0 ||
	    cluster_path(c->cluster, c->cluster->fleet_key, path, "fleet key",
	    buf, len) == 0))
		return 0;
	TAILQ_FOREACH(d, &c->domains, entry) {
		const char	*what = NULL;

		if (d->key != NULL && strcmp(d->key, path) == 0)
			what = "domain key";
		else if (d->cert != NULL && strcmp(d->cert, path) == 0)
			what = "domain certificate";
		else if (d->chain != NULL && strcmp(d->chain, path) == 0)
			what = "domain chain certificate";
		else if (d->fullchain != NULL &&
		    strcmp(d->fullchain, path) == 0)
			what = "domain full chain certificate";
		if (what != NULL) {
			snprintf(buf, len, "the %s of domain %s (%s:%d)", what,
			    d->handle, d->file, d->line);
			return 0;
		}
	}
	return -1;
}

/* The group a domain key may be readable by. */
int
conf_group(const char *name, gid_t *gid, const char **why)
{
	struct group	*gr;

	errno = 0;
	if ((gr = getgrnam(name)) == NULL) {
		*why = errno ? strerror(errno) : "no such group";
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

/*
 * The program a reload shell line starts with, if it is named by its
 * absolute path ("/usr/local/sbin/deploy && ..."): it runs as root too.
 * NULL if the line starts otherwise.
 */
const char *
conf_shell_program(const char *line, char *buf, size_t len)
{
	size_t	 n;

	line += strspn(line, " \t");
	if (*line != '/')
		return NULL;
	n = strcspn(line, " \t\n;&|<>()`$'\"\\");
	if (n >= len)
		return NULL;
	memcpy(buf, line, n);
	buf[n] = '\0';
	return buf;
}

void
conf_free_argv(char **argv)
{
	size_t	 i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

void
conf_free_authority(struct authority *a)
{
	free(a->name);
	free(a->api_url);
	free(a->account_key);
	free(a->contact);
	free(a->eab_kid);
	free(a->eab_key);
	free(a->ca_file);
	free(a->test_name);
	free(a);
}

/* The domain's reload actions and deployment checks, gone (-t too). */
void
config_drop_actions(struct domain *d)
{
	struct action		*a;
	struct verify_ep	*v;

	while ((a = TAILQ_FIRST(&d->actions)) != NULL) {
		TAILQ_REMOVE(&d->actions, a, entry);
		conf_free_argv(a->argv);
		free(a->pidfile);
		free(a);
	}
	while ((v = TAILQ_FIRST(&d->verifies)) != NULL) {
		TAILQ_REMOVE(&d->verifies, v, entry);
		free(v->host);
		free(v->text);
		free(v);
	}
}

void
conf_free_domain(struct domain *d)
{
	size_t	 i;

	config_drop_actions(d);
	for (i = 0; i < d->nnames; i++)
		free(d->names[i]);
	free(d->names);
	free(d->handle);
	free(d->key);
	free(d->key_group);
	free(d->cert);
	free(d->chain);
	free(d->fullchain);
	free(d->auth_name);
	for (i = 0; i < CONF_MAX_FALLBACK; i++)
		free(d->fallback_name[i]);
	free(d->preferred_chain);
	free(d->profile);
	free(d->dns_hook);
	free(d);
}

void
config_free(struct config *c)
{
	struct listen_addr	*l;
	struct authority	*a;
	struct domain		*d;
	size_t			 i;

	if (c == NULL)
		return;
	while ((l = TAILQ_FIRST(&c->listens)) != NULL) {
		TAILQ_REMOVE(&c->listens, l, entry);
		free(l->text);
		free(l);
	}
	while ((d = TAILQ_FIRST(&c->domains)) != NULL) {
		TAILQ_REMOVE(&c->domains, d, entry);
		conf_free_domain(d);
	}
	while ((a = TAILQ_FIRST(&c->authorities)) != NULL) {
		TAILQ_REMOVE(&c->authorities, a, entry);
		conf_free_authority(a);
	}
	conf_free_cluster(c->cluster);
	for (i = 0; i < PROC_MAX; i++)
		free(c->user[i]);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->file);
	free(c->state_dir);
	free(c->empty_dir);
	free(c->pid_file);
	free(c->event_hook);
	free(c->dns_hook);
	free(c->dns_user);
	free(c->log_file);
	free(c->metrics_file);
	free(c);
}

struct authority *
config_authority(const struct config *c, const char *name)
{
	struct authority	*a;

	TAILQ_FOREACH(a, &c->authorities, entry)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

/* 1 if name is one of the domain's names, as configured. */
int
domain_has_name(const struct domain *d, const char *name)
{
	size_t	 i;

	for (i = 0; i < d->nnames; i++)
		if (strcmp(d->names[i], name) == 0)
			return 1;
	return 0;
}

/* The i-th authority a domain's orders go to: 0 the first, then its
   fallbacks; NULL past the last. */
struct authority *
domain_authority(const struct domain *d, size_t i)
{
	if (i == 0)
		return d->auth;
	return i <= d->nfallback ? d->fallback[i - 1] : NULL;
}

const char *
keytype_name(enum keytype t)
{
	switch (t) {
	case KEY_ECDSA:
		return "ecdsa";
	case KEY_RSA:
		return "rsa";
	default:
		return "unknown";
	}
}

/* A quoted string as the lexer reads it back. */
void
conf_dump_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void
dump_duration(time_t t)
{
	size_t	 i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]) - 1; i++)
		if (t % units[i].seconds == 0)
			break;
	printf("%lld %s%s", (long long)(t / units[i].seconds), units[i].name,
	    t == units[i].seconds ? "" : "s");
}

/* A command line that conf_split_command() splits the same way. */
static void
dump_argv(char **argv)
{
	const char	*p;
	size_t		 i;
	char		 q;

	putchar('"');
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			putchar(' ');
		if (argv[i][0] != '\0' && strpbrk(argv[i], " \t'\"") == NULL) {
			fputs(argv[i], stdout);
			continue;
		}
		q = strchr(argv[i], '\'') != NULL ? '"' : '\'';
		if (q == '"')
			putchar('\\');
		putchar(q);
		for (p = argv[i]; *p != '\0'; p++) {
			if (*p == '"')
				putchar('\\');
			putchar(*p);
		}
		if (q == '"')
			putchar('\\');
		putchar(q);
	}
	putchar('"');
}

static void
dump_keytype(enum keytype t, int bits)
{
	printf(" %s %d", keytype_name(t), bits);
}

void
config_dump(const struct config *c)
{
	const struct listen_addr	*l;
	const struct authority		*a;
	const struct domain		*d;
	const struct action		*act;
	const struct verify_ep		*v;
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	char				 host[INET6_ADDRSTRLEN];
	size_t				 i;
	int				 port;

	printf("# %s\n", c->file);
	printf("state directory ");
	conf_dump_str(c->state_dir);
	printf("\nempty directory ");
	conf_dump_str(c->empty_dir);
	printf("\npid file ");
	conf_dump_str(c->pid_file);
	printf("\ncheck interval ");
	dump_duration(c->check_interval);
	printf("\nexpiry warning ");
	dump_duration(c->expiry_warn);
	putchar('\n');
	if (c->event_hook != NULL) {
		printf("event hook ");
		conf_dump_str(c->event_hook);
		putchar('\n');
	}
	if (c->dns_hook != NULL) {
		printf("dns hook ");
		conf_dump_str(c->dns_hook);
		putchar('\n');
	}
	printf("dns hook timeout %u seconds\ndns wait %u seconds\n",
	    c->dns_hook_timeout, c->dns_wait);
	if (c->log_file != NULL) {
		printf("log file ");
		conf_dump_str(c->log_file);
		putchar('\n');
	}
	if (c->metrics_file != NULL) {
		printf("metrics file ");
		conf_dump_str(c->metrics_file);
		putchar('\n');
	}
	for (i = PROC_PARENT + 1; i < PROC_MAX; i++) {
		printf("user %s ", proc_names[i]);
		conf_dump_str(c->user[i]);
		putchar('\n');
	}
	printf("user dns ");
	conf_dump_str(c->dns_user);
	putchar('\n');
	TAILQ_FOREACH(l, &c->listens, entry) {
		if (l->ss.ss_family == AF_INET) {
			sin = (const struct sockaddr_in *)&l->ss;
			inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
			port = ntohs(sin->sin_port);
		} else {
			sin6 = (const struct sockaddr_in6 *)&l->ss;
			inet_ntop(AF_INET6, &sin6->sin6_addr, host,
			    sizeof(host));
			port = ntohs(sin6->sin6_port);
		}
		printf("listen on \"%s\" port %d%s\n", host, port,
		    l->tlsalpn ? " tls-alpn" : "");
	}
	if (c->cluster != NULL)
		conf_dump_cluster(c->cluster);

	TAILQ_FOREACH(a, &c->authorities, entry) {
		printf("\nauthority ");
		conf_dump_str(a->name);
		printf(" {\t# %u\n\tapi url ", a->id);
		conf_dump_str(a->api_url);
		if (a->ca_file != NULL) {
			printf("\n\tapi ca ");
			conf_dump_str(a->ca_file);
		}
		if (a->account_key != NULL) {
			printf("\n\taccount key ");
			conf_dump_str(a->account_key);
			dump_keytype(a->account_keytype, a->account_keybits);
		} else
			printf("\n\t# account key in the state directory");
		if (a->contact != NULL) {
			printf("\n\tcontact ");
			conf_dump_str(a->contact);
		}
		printf("\n\tmax orders %u", a->max_orders);
		if (a->eab_kid != NULL) {
			printf("\n\texternal account ");
			conf_dump_str(a->eab_kid);
			printf(" key ");
			conf_dump_str(a->eab_key);
		}
		if (a->test_name != NULL) {
			printf("\n\ttest authority ");
			conf_dump_str(a->test_name);
		}
		printf("\n}\n");
	}

	TAILQ_FOREACH(d, &c->domains, entry) {
		printf("\ndomain ");
		conf_dump_str(d->handle);
		printf(" {\t# %u\n", d->id);
		if (strcmp(d->handle, d->names[0]) != 0) {
			printf("\tdomain name ");
			conf_dump_str(d->names[0]);
			putchar('\n');
		}
		if (d->nnames > 1) {
			printf("\talternative names {");
			for (i = 1; i < d->nnames; i++) {
				if ((i - 1) % 4 == 0)
					printf("\n\t\t");
				else
					putchar(' ');
				conf_dump_str(d->names[i]);
			}
			printf("\n\t}\n");
		}
		printf("\tdomain key ");
		conf_dump_str(d->key);
		dump_keytype(d->keytype, d->keybits);
		if (d->key_group != NULL) {
			printf(" group ");
			conf_dump_str(d->key_group);
		}
		printf("\n\tdomain key %s", d->key_rotate ? "rotate" : "keep");
		if (d->cert != NULL) {
			printf("\n\tdomain certificate ");
			conf_dump_str(d->cert);
		}
		if (d->chain != NULL) {
			printf("\n\tdomain chain certificate ");
			conf_dump_str(d->chain);
		}
		if (d->fullchain != NULL) {
			printf("\n\tdomain full chain certificate ");
			conf_dump_str(d->fullchain);
		}
		printf("\n\tsign with ");
		conf_dump_str(d->auth_name);
		for (i = 0; i < d->nfallback; i++) {
			printf(" fallback ");
			conf_dump_str(d->fallback_name[i]);
		}
		if (d->fallback_after != 0) {
			printf("\n\tfallback after ");
			dump_duration(d->fallback_after);
		} else if (d->nfallback > 0) {
			printf("\n\t# fallback after ");
			dump_duration(CONF_FALLBACK_AFTER);
		}
		if (d->preferred_chain != NULL) {
			printf("\n\tpreferred chain ");
			conf_dump_str(d->preferred_chain);
		}
		if (d->profile != NULL) {
			printf("\n\tprofile ");
			conf_dump_str(d->profile);
			if (d->profile_required)
				printf(" required");
		}
		if (d->challenge == CHALLENGE_DNS01)
			printf("\n\tchallenge dns-01");
		if (d->challenge == CHALLENGE_TLSALPN01)
			printf("\n\tchallenge tls-alpn-01");
		if (d->dns_hook != NULL) {
			printf("\n\tdns hook ");
			conf_dump_str(d->dns_hook);
		}
		if (d->renew_before != 0) {
			printf("\n\trenew before ");
			dump_duration(d->renew_before);
		} else
			printf("\n\t# renew: automatic");
		TAILQ_FOREACH(act, &d->actions, entry) {
			printf("\n\treload ");
			switch (act->type) {
			case ACTION_COMMAND:
				dump_argv(act->argv);
				break;
			case ACTION_SHELL:
				printf("shell ");
				conf_dump_str(act->argv[0]);
				break;
			case ACTION_SIGNAL:
				printf("signal %s pid file ",
				    conf_signame(act->signo));
				conf_dump_str(act->pidfile);
				break;
			}
		}
		TAILQ_FOREACH(v, &d->verifies, entry) {
			printf("\n\tverify ");
			conf_dump_str(v->host);
			printf(" port %d", v->port);
		}
		printf("\n}\n");
	}
	fflush(stdout);
}
