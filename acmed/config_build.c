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
 * The configuration's model, built one statement at a time as the
 * grammar (parse.y) reads them: each value is checked where it is given,
 * and what is wrong is reported at the file:line the grammar gives, named
 * with the block it is in (config_msg.c keeps the messages in the order
 * of the file).  A block is checked when it ends, the whole file by
 * build_end().
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "config_priv.h"
#include "ident.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "text.h"
#include "trust.h"

/*
 * The strings the whole file must not repeat (domain handles, names, the
 * files written), each with what it is used as: so that the check of one
 * costs the same whatever the number of domains.  The strings are the
 * configuration's own.
 */
struct strindex {
	const char		**keys;
	int			 *uses;
	size_t			  n, slots;	/* slots: 0 or a power of 2 */
};

struct conf_build {
	struct config		*conf;
	struct strindex		 handles, names, paths;
	unsigned int		 ndomains;
	struct authority	*auth;		/* the block being read */
	struct domain		*dom;
	struct cluster		*cluster;
	/* an etcd statement's endpoints, as they are read */
	char			*etcd_urls[MSG_ETCD_COUNT];
	size_t			 netcd_urls;	/* given, kept or not */
	int			 cluster_seen;	/* 1 << statement given */
	/* blocks not kept, whose paths the index still holds */
	struct cluster		**dropped;
	size_t			 ndropped;
	int			 errors;
	int			 check;		/* the files named too */
	int			 dom_named;	/* "domain name" given */
	int			 dom_full;	/* too many names, told */
	int			 seen_state, seen_empty, seen_interval;
	int			 seen_expiry, seen_hook, seen_pidfile;
	int			 seen_dns_timeout, seen_dns_wait;
	const char		*dns_user_file;
	int			 dns_user_line;
	const char		*state_file;
	int			 state_line;
	const char		*user_file[PROC_MAX];
	int			 user_line[PROC_MAX];
};

static void	 cluster_drop(struct conf_build *);
static void	 build_err(struct conf_build *, const char *, int,
		    const char *, ...)
		    __attribute__((__format__ (printf, 4, 5)));
static void	 build_err_at(struct conf_build *, const char *, int,
		    const char *, ...)
		    __attribute__((__format__ (printf, 4, 5)));
static void	 build_warn(struct conf_build *, const char *, int,
		    const char *, ...)
		    __attribute__((__format__ (printf, 4, 5)));

/* FNV-1a. */
static size_t
strindex_hash(const char *s)
{
	size_t	 h = 2166136261U;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619U;
	return h;
}

/* The slot of s, or the empty slot where it would go. */
static size_t
strindex_slot(const struct strindex *x, const char *s)
{
	size_t	 i = strindex_hash(s) & (x->slots - 1);

	while (x->keys[i] != NULL && strcmp(x->keys[i], s) != 0)
		i = (i + 1) & (x->slots - 1);
	return i;
}

/* What s is used as (0: not in the index). */
static int
strindex_uses(const struct strindex *x, const char *s)
{
	size_t	 i;

	if (x->slots == 0)
		return 0;
	i = strindex_slot(x, s);
	return x->keys[i] == NULL ? 0 : x->uses[i];
}

/* s is used as use too; s must outlive the index. */
static void
strindex_add(struct strindex *x, const char *s, int use)
{
	struct strindex	 y;
	size_t		 i, j;

	if (2 * (x->n + 1) > x->slots) {
		y.slots = x->slots ? 2 * x->slots : 64;
		y.n = x->n;
		if ((y.keys = calloc(y.slots, sizeof(*y.keys))) == NULL ||
		    (y.uses = calloc(y.slots, sizeof(*y.uses))) == NULL)
			fatal("calloc");
		for (i = 0; i < x->slots; i++) {
			if (x->keys[i] == NULL)
				continue;
			j = strindex_slot(&y, x->keys[i]);
			y.keys[j] = x->keys[i];
			y.uses[j] = x->uses[i];
		}
		free(x->keys);
		free(x->uses);
		*x = y;
	}
	i = strindex_slot(x, s);
	if (x->keys[i] == NULL) {
		x->keys[i] = s;
		x->n++;
	}
	x->uses[i] |= use;
}

static void
strindex_free(struct strindex *x)
{
	free(x->keys);
	free(x->uses);
	memset(x, 0, sizeof(*x));
}

static void
etcd_urls_free(struct conf_build *b)
{
	size_t	 i;

	for (i = 0; i < b->netcd_urls && i < MSG_ETCD_COUNT; i++)
		free(b->etcd_urls[i]);
	b->netcd_urls = 0;
}

/* The build's own state, not the configuration. */
static void
build_state_free(struct conf_build *b)
{
	size_t	 i;

	etcd_urls_free(b);
	for (i = 0; i < b->ndropped; i++)
		conf_free_cluster(b->dropped[i]);
	free(b->dropped);
	strindex_free(&b->handles);
	strindex_free(&b->names);
	strindex_free(&b->paths);
	free(b);
}

/*
 * A configuration read from filename; with check, every file it names is
 * checked as the daemon will use it.
 */
struct conf_build *
build_new(const char *filename, int check)
{
	struct conf_build	*b;
	char			 cwd[PATH_MAX];

	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal("calloc");
	b->check = check;
	b->conf = conf_new();
	/* Checked from "/" down (trust.c), and read again after a chdir. */
	if (filename[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
		if (asprintf(&b->conf->file, "%s/%s", cwd, filename) == -1)
			fatal("asprintf");
	} else if ((b->conf->file = strdup(filename)) == NULL)
		fatal("strdup");
	return b;
}

/* The configuration file's name, absolute. */
const char *
build_path(const struct conf_build *b)
{
	return b->conf->file;
}

/* A file read (include): its name, kept as long as the configuration. */
const char *
build_file(struct conf_build *b, const char *name)
{
	return conf_add_file(b->conf, name);
}

void
build_free(struct conf_build *b)
{
	if (b == NULL)
		return;
	if (b->cluster != NULL)
		cluster_drop(b);
	config_free(b->conf);
	build_state_free(b);
}

/*
 * The checks that need the whole file; the configuration, or NULL if
 * they, a statement or the grammar (errors more) found an error.
 */
struct config *
build_end(struct conf_build *b, int errors)
{
	struct config	*c = b->conf;
	struct domain	*d;
	int		 i, j, k;

	if (b->cluster != NULL)
		cluster_drop(b);
	b->errors += errors + conf_finish(c);
	if (b->check)
		b->errors += conf_check_state(c, b->state_file ?
		    b->state_file : c->file, b->state_line);
	/* one user per process, so that none can ptrace another */
	for (i = PROC_PARENT + 1; i < PROC_MAX; i++)
		for (j = i + 1; j < PROC_MAX; j++) {
			if (strcmp(c->user[i], c->user[j]) != 0)
				continue;
			k = b->user_line[j] > 0 ? j : i;
			build_err_at(b, b->user_file[k], b->user_line[k],
			    "user %s \"%s\": also the user of %s; each "
			    "process needs its own", proc_names[k], c->user[k],
			    proc_names[k == i ? j : i]);
		}
	/* the defaults differ: one of the two was given */
	for (i = PROC_PARENT + 1; i < PROC_MAX; i++)
		if (strcmp(c->user[i], c->dns_user) == 0)
			build_err_at(b, b->dns_user_line > 0 ? b->dns_user_file :
			    b->user_file[i], b->dns_user_line > 0 ?
			    b->dns_user_line : b->user_line[i], "user dns "
			    "\"%s\": also the user of %s; the dns hooks need "
			    "their own", c->dns_user, proc_names[i]);
	/* the global hook may come after the domain */
	TAILQ_FOREACH(d, &c->domains, entry)
		if (d->challenge == CHALLENGE_DNS01 && d->dns_hook == NULL &&
		    c->dns_hook == NULL)
			build_err_at(b, d->file, d->line, "domain %s: dns-01 "
			    "needs a \"dns hook\" to publish its records",
			    d->handle);
	if (b->errors > 0) {
		build_free(b);
		return NULL;
	}
	build_state_free(b);
	return c;
}

/*
 * The block a statement is in, as its messages begin: "domain NAME: ",
 * "authority NAME: ", or nothing outside the blocks.
 */
const char *
build_prefix(const struct conf_build *b)
{
	static char	 buf[CONF_MAX_HANDLE + 32];

	if (b->dom != NULL)
		snprintf(buf, sizeof(buf), "domain %s: ", b->dom->handle);
	else if (b->auth != NULL)
		snprintf(buf, sizeof(buf), "authority %s: ", b->auth->name);
	else if (b->cluster != NULL)
		snprintf(buf, sizeof(buf), "cluster: ");
	else
		buf[0] = '\0';
	return buf;
}

enum conf_block
build_block(const struct conf_build *b)
{
	if (b->dom != NULL)
		return CONF_BLOCK_DOMAIN;
	if (b->auth != NULL)
		return CONF_BLOCK_AUTHORITY;
	if (b->cluster != NULL)
		return CONF_BLOCK_CLUSTER;
	return CONF_BLOCK_NONE;
}

/*
 * A message about the statement at file:line, named with its block; an
 * error unless a warning.
 */
void
build_vmsg(struct conf_build *b, const char *file, int line, int warning,
    const char *fmt, va_list ap)
{
	char	 msg[1024];

	b->errors += !warning;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	conf_msg(file, line, warning, "%s%s", build_prefix(b), msg);
}

static void
build_err(struct conf_build *b, const char *file, int line,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	build_vmsg(b, file, line, 0, fmt, ap);
	va_end(ap);
}

static void
build_warn(struct conf_build *b, const char *file, int line,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	build_vmsg(b, file, line, 1, fmt, ap);
	va_end(ap);
}

/* A message about another place, which names what it is about. */
static void
build_err_at(struct conf_build *b, const char *file, int line,
    const char *fmt, ...)
{
	va_list	 ap;

	b->errors++;
	va_start(ap, fmt);
	conf_vmsg(file, line, 0, fmt, ap);
	va_end(ap);
}

/*
 * Stores an absolute path.  An output file (key or certificate, output 1)
 * must not be written for anything else, nor be an external account key;
 * an external account key (output 2) must not be an output, but may be
 * another authority's external account key too.
 */
static int
set_path(struct conf_build *b, const char *file, int line, char **dst,
    const char *path, const char *what, int output)
{
	char	 user[256];

	if (path[0] != '/') {
		build_err(b, file, line, "%s \"%s\": not an absolute path",
		    what, path);
		return -1;
	}
	/* The index says whether; conf_path_user() says what as. */
	if (output && (strindex_uses(&b->paths, path) &
	    (output == 1 ? 3 : 1)) != 0 && conf_path_user(b->conf, path, user,
	    sizeof(user), output == 1) == 0) {
		build_err(b, file, line, "%s \"%s\": already used as %s", what,
		    path, user);
		return -1;
	}
	if ((*dst = strdup(path)) == NULL)
		fatal("strdup");
	if (output)
		strindex_add(&b->paths, *dst, output);
	return 0;
}

/*
 * A file the configuration names, checked as the daemon will use it; the
 * message names the block it is in.
 */
static void
check_path(struct conf_build *b, const char *file, int line,
    const char *what, const char *path, enum conf_path kind, gid_t group)
{
	char	 buf[CONF_MAX_HANDLE + 300];

	snprintf(buf, sizeof(buf), "%s%s", build_prefix(b), what);
	if (b->check)
		b->errors += conf_report_path(b->conf, file, line, buf, path,
		    kind, group);
}

/* A file given once in its block, then checked: takes the path. */
static void
set_file(struct conf_build *b, const char *file, int line, char **dst,
    char *path, const char *what, int output, enum conf_path kind)
{
	if (*dst != NULL)
		build_err(b, file, line, "%s \"%s\": given twice", what, path);
	else if (set_path(b, file, line, dst, path, what, output) == 0)
		check_path(b, file, line, what, path, kind, TRUST_NOGROUP);
	free(path);
}

/* The statements outside the blocks; each takes its strings. */

void
build_listen(struct conf_build *b, const char *file, int line, char *addr,
    long long port, int tlsalpn)
{
	const char	*why;

	if (conf_listen(b->conf, addr, port, tlsalpn, &why) == -1)
		build_err(b, file, line, "listen on %s port %lld%s: %s", addr,
		    port, tlsalpn ? " tls-alpn" : "", why);
	free(addr);
}

void
build_state_dir(struct conf_build *b, const char *file, int line,
    char *path)
{
	if (b->seen_state++)
		build_err(b, file, line, "state directory \"%s\": given twice",
		    path);
	else if (set_path(b, file, line, &b->conf->state_dir, path,
	    "state directory", 0) == 0) {
		b->state_line = line;
		b->state_file = file;
	}
	free(path);
}

void
build_empty_dir(struct conf_build *b, const char *file, int line,
    char *path)
{
	if (b->seen_empty++)
		build_err(b, file, line, "empty directory \"%s\": given twice",
		    path);
	else
		set_path(b, file, line, &b->conf->empty_dir, path,
		    "empty directory", 0);
	free(path);
}

void
build_pid_file(struct conf_build *b, const char *file, int line, char *path)
{
	if (b->seen_pidfile++)
		build_err(b, file, line, "pid file given twice");
	else if (set_path(b, file, line, &b->conf->pid_file, path,
	    "pid file", 0) == 0)
		check_path(b, file, line, "pid file", path, CONF_PATH_CERT,
		    TRUST_NOGROUP);
	free(path);
}

void
build_check_interval(struct conf_build *b, const char *file, int line,
    long long n, char *unit)
{
	const char	*why;

	if (b->seen_interval++)
		build_err(b, file, line, "check interval %lld %s: given twice",
		    n, unit);
	else if (conf_duration(n, unit, 1, &b->conf->check_interval,
	    &why) == -1)
		build_err(b, file, line, "check interval %lld %s: %s", n, unit,
		    why);
	else if (b->conf->check_interval < CONF_MIN_CHECK_INTERVAL)
		build_err(b, file, line, "check interval %lld %s: below the "
		    "minimum of %d seconds", n, unit, CONF_MIN_CHECK_INTERVAL);
	free(unit);
}

void
build_expiry_warning(struct conf_build *b, const char *file, int line,
    long long n, char *unit)
{
	const char	*why;

	if (b->seen_expiry++)
		build_err(b, file, line, "expiry warning %lld %s: given twice",
		    n, unit);
	else if (conf_duration(n, unit, 0, &b->conf->expiry_warn, &why) ==
	    -1)
		build_err(b, file, line, "expiry warning %lld %s: %s", n, unit,
		    why);
	free(unit);
}

void
build_event_hook(struct conf_build *b, const char *file, int line,
    char *path)
{
	if (b->seen_hook++)
		build_err(b, file, line, "event hook \"%s\": given twice",
		    path);
	else if (set_path(b, file, line, &b->conf->event_hook, path,
	    "event hook", 0) == 0)
		check_path(b, file, line, "event hook", path,
		    CONF_PATH_PROGRAM, TRUST_NOGROUP);
	free(path);
}

/* A child's user (id an enum proc_id); build_end() checks they differ. */
void
build_user(struct conf_build *b, const char *file, int line, int id,
    char *name)
{
	const char	*why;

	if (b->user_line[id] != 0)
		build_err(b, file, line, "user %s \"%s\": given twice",
		    proc_names[id], name);
	else if ((why = conf_check_username(name)) != NULL)
		build_err(b, file, line, "user %s \"%s\": %s", proc_names[id],
		    name, why);
	else {
		b->user_line[id] = line;
		b->user_file[id] = file;
		b->conf->user[id] = name;
		return;
	}
	free(name);
}

void
build_dns_user(struct conf_build *b, const char *file, int line, char *name)
{
	const char	*why;

	if (b->conf->dns_user != NULL)
		build_err(b, file, line, "user dns \"%s\": given twice", name);
	else if ((why = conf_check_username(name)) != NULL)
		build_err(b, file, line, "user dns \"%s\": %s", name, why);
	else {
		b->conf->dns_user = name;
		b->dns_user_file = file;
		b->dns_user_line = line;
		return;
	}
	free(name);
}

/* The global hook, or a domain's own (b->dom). */
void
build_dns_hook(struct conf_build *b, const char *file, int line, char *path)
{
	char	**dst = b->dom != NULL ? &b->dom->dns_hook :
		    &b->conf->dns_hook;

	if (*dst != NULL)
		build_err(b, file, line, "dns hook \"%s\": given twice", path);
	else if (set_path(b, file, line, dst, path, "dns hook", 0) == 0)
		check_path(b, file, line, "dns hook", path, CONF_PATH_PROGRAM,
		    TRUST_NOGROUP);
	free(path);
}

static void
build_seconds(struct conf_build *b, const char *file, int line,
    const char *what, int *seen, long long n, char *unit, unsigned int *out)
{
	const char	*why;
	time_t		 t;

	if ((*seen)++)
		build_err(b, file, line, "%s %lld %s: given twice", what, n,
		    unit);
	else if (conf_duration(n, unit, 1, &t, &why) == -1)
		build_err(b, file, line, "%s %lld %s: %s", what, n, unit, why);
	else if (t > CONF_DNS_WAIT_MAX)
		build_err(b, file, line, "%s %lld %s: longer than %d seconds",
		    what, n, unit, CONF_DNS_WAIT_MAX);
	else
		*out = (unsigned int)t;
	free(unit);
}

void
build_dns_hook_timeout(struct conf_build *b, const char *file, int line,
    long long n, char *unit)
{
	build_seconds(b, file, line, "dns hook timeout", &b->seen_dns_timeout,
	    n, unit, &b->conf->dns_hook_timeout);
}

void
build_dns_wait(struct conf_build *b, const char *file, int line,
    long long n, char *unit)
{
	build_seconds(b, file, line, "dns wait", &b->seen_dns_wait, n, unit,
	    &b->conf->dns_wait);
}

void
build_log_file(struct conf_build *b, const char *file, int line, char *path)
{
	if (b->conf->log_file != NULL)
		build_err(b, file, line, "log file given twice");
	else if (set_path(b, file, line, &b->conf->log_file, path,
	    "log file", 1) == 0)
		check_path(b, file, line, "log file", path, CONF_PATH_LOG,
		    TRUST_NOGROUP);
	free(path);
}

void
build_metrics_file(struct conf_build *b, const char *file, int line,
    char *path)
{
	if (b->conf->metrics_file != NULL)
		build_err(b, file, line, "metrics file given twice");
	else if (set_path(b, file, line, &b->conf->metrics_file, path,
	    "metrics file", 1) == 0)
		check_path(b, file, line, "metrics file", path,
		    CONF_PATH_CERT, TRUST_NOGROUP);
	free(path);
}

/*
 * The blocks.  The name stays the grammar's: it is on the parser's stack
 * until the block ends.
 */

void
build_authority(struct conf_build *b, const char *file, int line,
    const char *name)
{
	struct authority	*a;
	const char		*why;
	unsigned int		 id = 1;

	if ((why = conf_check_handle(name)) != NULL)
		build_err(b, file, line, "authority \"%s\": %s", name, why);
	TAILQ_FOREACH(a, &b->conf->authorities, entry) {
		if (strcmp(a->name, name) == 0)
			build_err(b, file, line, "authority %s: already "
			    "defined at %s:%d", name, a->file, a->line);
		id++;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		fatal("calloc");
	a->id = id;
	if ((a->name = strdup(name)) == NULL)
		fatal("strdup");
	a->account_keytype = KEY_ECDSA;
	a->account_keybits = KEY_ECDSA_DEFAULT_BITS;
	a->file = file;
	a->line = line;
	TAILQ_INSERT_TAIL(&b->conf->authorities, a, entry);
	b->auth = a;
}

void
build_authority_end(struct conf_build *b)
{
	if (b->auth == NULL)
		return;
	if (b->auth->api_url == NULL)
		build_err_at(b, b->auth->file, b->auth->line,
		    "authority %s: no api url", b->auth->name);
	b->auth = NULL;
}

void
build_domain(struct conf_build *b, const char *file, int line,
    const char *handle)
{
	struct domain	*d;
	const char	*why;

	if ((why = conf_check_handle(handle)) != NULL)
		build_err(b, file, line, "domain \"%s\": %s", handle, why);
	if (strindex_uses(&b->handles, handle))
		TAILQ_FOREACH(d, &b->conf->domains, entry)
			if (strcmp(d->handle, handle) == 0)
				build_err(b, file, line, "domain %s: already "
				    "defined at %s:%d", handle, d->file,
				    d->line);
	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("calloc");
	d->id = ++b->ndomains;
	if ((d->handle = strdup(handle)) == NULL)
		fatal("strdup");
	d->keytype = KEY_ECDSA;
	d->keybits = KEY_ECDSA_DEFAULT_BITS;
	d->key_gid = TRUST_NOGROUP;
	d->file = file;
	d->line = line;
	TAILQ_INIT(&d->actions);
	TAILQ_INIT(&d->verifies);
	/* names[0] is filled by "domain name" or at the end of the block */
	if ((d->names = calloc(1, sizeof(char *))) == NULL)
		fatal("calloc");
	d->nnames = 1;
	TAILQ_INSERT_TAIL(&b->conf->domains, d, entry);
	b->dom = d;
	b->dom_named = 0;
	b->dom_full = 0;
}

/*
 * A name goes into one domain only: a certificate per name is what the
 * renewals and the authorities' rate limits expect.
 */
static void
add_name(struct conf_build *b, const char *file, int line, const char *name,
    int primary)
{
	struct domain	*d, *cur = b->dom;
	const char	*why;
	char		*lc, *s, **n;
	size_t		 i;

	if ((lc = strdup(name)) == NULL)
		fatal("strdup");
	for (s = lc; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
	if ((why = conf_check_hostname(lc)) != NULL) {
		build_err(b, file, line, "name \"%s\": %s", name, why);
		goto fail;
	}
	TAILQ_FOREACH(d, &b->conf->domains, entry) {
		if (!strindex_uses(&b->names, lc))
			break;
		for (i = 0; i < d->nnames; i++) {
			if (d->names[i] == NULL || strcmp(d->names[i], lc) != 0)
				continue;
			if (d == cur)
				build_err(b, file, line, "name %s is listed "
				    "twice", lc);
			else
				build_err(b, file, line, "name %s is already "
				    "in domain %s at %s:%d", lc, d->handle,
				    d->file, d->line);
			goto fail;
		}
	}
	if (primary) {
		strindex_add(&b->names, lc, 1);
		cur->names[0] = lc;
		return;
	}
	if (cur->nnames >= CONF_MAX_NAMES) {
		if (!b->dom_full++)
			build_err(b, file, line, "name %s: more than %d names "
			    "in one certificate", lc, CONF_MAX_NAMES);
		goto fail;
	}
	n = reallocarray(cur->names, cur->nnames + 1, sizeof(*n));
	if (n == NULL)
		fatal("reallocarray");
	strindex_add(&b->names, lc, 1);
	n[cur->nnames++] = lc;
	cur->names = n;
	return;
fail:
	free(lc);
}

/*
 * A wildcard can be validated only over DNS (RFC 8555 section 7.1.3), an
 * IP address never over DNS (RFC 8738 section 7); a dns-01 domain needs a
 * hook to publish its records.
 */
static void
check_challenge(struct conf_build *b, const char *file, struct domain *d)
{
	char	 canon[IDENT_IP_TEXT_MAX];
	size_t	 i;

	for (i = 0; i < d->nnames; i++) {
		if (d->names[i] == NULL)
			continue;
		if (d->challenge != CHALLENGE_DNS01 &&
		    strncmp(d->names[i], "*.", 2) == 0)
			build_err(b, file, d->line, "name %s: a wildcard "
			    "name can only be validated with the dns-01 "
			    "challenge (\"challenge dns-01\")", d->names[i]);
		if (d->challenge == CHALLENGE_DNS01 &&
		    ident_ip_canon(d->names[i], canon, sizeof(canon)) == 0)
			build_err(b, file, d->line, "name %s: an IP address "
			    "cannot be validated with the dns-01 challenge",
			    d->names[i]);
	}
}

/*
 * What is missing is reported at the line the block begins, of the file
 * it ends in.
 */
void
build_domain_end(struct conf_build *b, const char *file)
{
	struct domain	*d = b->dom;

	if (d == NULL)
		return;
	if (!b->dom_named) {
		add_name(b, file, d->line, d->handle, 1);
		if (d->names[0] != NULL)
			memcpy(d->handle, d->names[0], strlen(d->handle));
	}
	/* As the next domains see it. */
	strindex_add(&b->handles, d->handle, 1);
	check_challenge(b, file, d);
	if (d->key == NULL)
		build_err(b, file, d->line, "no domain key");
	if (d->cert == NULL && d->chain == NULL && d->fullchain == NULL)
		build_err(b, file, d->line, "no domain certificate, domain "
		    "chain certificate or domain full chain certificate");
	b->dom = NULL;
}

/*
 * A cluster block not kept (a second one, or cut short): freed with the
 * index, which may hold its paths.
 */
static void
cluster_drop(struct conf_build *b)
{
	struct cluster	**p;

	if (b->conf->cluster == b->cluster)
		b->conf->cluster = NULL;
	p = reallocarray(b->dropped, b->ndropped + 1, sizeof(*p));
	if (p == NULL)
		fatal("reallocarray");
	b->dropped = p;
	b->dropped[b->ndropped++] = b->cluster;
	b->cluster = NULL;
}

/*
 * A block cut short by a syntax error is not checked any further: its
 * end would report what the error left out.
 */
void
build_drop(struct conf_build *b)
{
	if (b->auth != NULL) {
		TAILQ_REMOVE(&b->conf->authorities, b->auth, entry);
		conf_free_authority(b->auth);
		b->auth = NULL;
	}
	if (b->dom != NULL) {
		TAILQ_REMOVE(&b->conf->domains, b->dom, entry);
		conf_free_domain(b->dom);
		b->dom = NULL;
	}
	if (b->cluster != NULL)
		cluster_drop(b);
}

/*
 * A key type with its size; *kt is the type's default if the size is
 * none keyproc makes.
 */
void
build_keysize(struct conf_build *b, const char *file, int line,
    enum keytype type, long long bits, struct conf_key *kt)
{
	int	 ok;

	kt->type = type;
	if (type == KEY_RSA) {
		kt->bits = KEY_RSA_DEFAULT_BITS;
		ok = bits == 2048 || bits == 3072 || bits == 4096;
	} else {
		kt->bits = KEY_ECDSA_DEFAULT_BITS;
		ok = bits == 256 || bits == 384;
	}
	if (ok)
		kt->bits = (int)bits;
	else
		build_keytype_unknown(b, file, line, NULL, "%s %lld",
		    keytype_name(type), bits);
}

/*
 * A key type that is none of those keyproc makes, as written; *kt (if
 * not NULL) the default key: only the type is wrong.
 */
void
build_keytype_unknown(struct conf_build *b, const char *file, int line,
    struct conf_key *kt, const char *fmt, ...)
{
	va_list	 ap;
	char	 type[CONF_MSG_VALUE];

	va_start(ap, fmt);
	vsnprintf(type, sizeof(type), fmt, ap);
	va_end(ap);
	build_err(b, file, line, "%s key: unknown key type \"%s\": use ecdsa, "
	    "ecdsa 384, rsa or rsa 2048|3072|4096", b->dom != NULL ? "domain" :
	    "account", type);
	if (kt != NULL) {
		kt->type = KEY_ECDSA;
		kt->bits = KEY_ECDSA_DEFAULT_BITS;
	}
}

/* An authority's statements; each takes its strings. */

void
build_api_url(struct conf_build *b, const char *file, int line, char *url)
{
	struct authority	*a = b->auth;

	if (a->api_url != NULL)
		build_err(b, file, line, "api url \"%s\": given twice",
		    conf_shorten(url));
	else if (strncasecmp(url, "https://", 8) != 0 || url[8] == '\0' ||
	    url[8] == '/')
		build_err(b, file, line, "api url \"%s\" must begin with "
		    "https:// and a host", url);
	else if (strlen(url) > MSG_URL_MAX)
		build_err(b, file, line, "api url \"%s\": longer than %d bytes",
		    conf_shorten(url), MSG_URL_MAX);
	else {
		a->api_url = url;
		url = NULL;
	}
	free(url);
}

void
build_api_ca(struct conf_build *b, const char *file, int line, char *path)
{
	set_file(b, file, line, &b->auth->ca_file, path, "api ca", 0,
	    CONF_PATH_CA);
}

void
build_account_key(struct conf_build *b, const char *file, int line,
    char *path, const struct conf_key *kt)
{
	set_file(b, file, line, &b->auth->account_key, path, "account key", 1,
	    CONF_PATH_KEY);
	b->auth->account_keytype = kt->type;
	b->auth->account_keybits = kt->bits;
}

void
build_contact(struct conf_build *b, const char *file, int line,
    char *contact)
{
	struct authority	*a = b->auth;

	if (a->contact != NULL)
		build_err(b, file, line, "contact \"%s\": given twice",
		    conf_shorten(contact));
	else if (strncasecmp(contact, "mailto:", 7) != 0 ||
	    strchr(contact + 7, '@') == NULL)
		build_err(b, file, line, "contact \"%s\" must be "
		    "mailto:address", contact);
	else if (strlen(contact) > MSG_CONTACT_MAX)
		build_err(b, file, line, "contact \"%s\": longer than %d bytes",
		    conf_shorten(contact), MSG_CONTACT_MAX);
	else {
		a->contact = contact;
		contact = NULL;
	}
	free(contact);
}

void
build_external_account(struct conf_build *b, const char *file, int line,
    char *kid, char *key)
{
	struct authority	*a = b->auth;

	if (a->eab_kid != NULL)
		build_err(b, file, line, "external account \"%s\": given twice",
		    conf_shorten(kid));
	else if (kid[0] == '\0' || strlen(kid) > MSG_EAB_KID_MAX)
		build_err(b, file, line, "external account \"%s\": the key id "
		    "must have 1 to %d bytes", conf_shorten(kid),
		    MSG_EAB_KID_MAX);
	else if (set_path(b, file, line, &a->eab_key, key,
	    "external account key", 2) == 0) {
		check_path(b, file, line, "external account key", key,
		    CONF_PATH_MACKEY, TRUST_NOGROUP);
		a->eab_kid = kid;
		kid = NULL;
	}
	free(kid);
	free(key);
}

void
build_max_orders(struct conf_build *b, const char *file, int line,
    long long n)
{
	if (b->auth->max_orders != 0)
		build_err(b, file, line, "max orders %lld: given twice", n);
	else if (n < 1 || n > MSG_ORDERS_MAX)
		build_err(b, file, line, "max orders %lld: from 1 to %d", n,
		    MSG_ORDERS_MAX);
	else
		b->auth->max_orders = (unsigned int)n;
}

void
build_test_authority(struct conf_build *b, const char *file, int line,
    char *name)
{
	if (b->auth->test_name != NULL) {
		build_err(b, file, line, "test authority %s: given twice",
		    name);
		free(name);
		return;
	}
	b->auth->test_name = name;
	b->auth->test_line = line;
}

void
build_insecure(struct conf_build *b, const char *file, int line)
{
	build_err(b, file, line, "insecure is not supported: name the CA's "
	    "certificate with api ca instead");
}

/* A domain's statements; each takes its strings. */

void
build_alt_name(struct conf_build *b, const char *file, int line, char *name)
{
	add_name(b, file, line, name, 0);
	free(name);
}

void
build_domain_name(struct conf_build *b, const char *file, int line,
    char *name)
{
	if (b->dom_named++)
		build_err(b, file, line, "domain name \"%s\": given twice",
		    name);
	else
		add_name(b, file, line, name, 1);
	free(name);
}

/* The key, and the group that may read it (NULL: none). */
void
build_domain_key(struct conf_build *b, const char *file, int line,
    char *path, const struct conf_key *kt, char *group)
{
	struct domain	*d = b->dom;
	const char	*why;
	gid_t		 gid = TRUST_NOGROUP;

	if (d->key != NULL)
		build_err(b, file, line, "domain key \"%s\": given twice",
		    path);
	else if (group != NULL && conf_group(group, &gid, &why) == -1)
		build_err(b, file, line, "domain key group %s: %s", group, why);
	else if (set_path(b, file, line, &d->key, path, "domain key", 1) ==
	    0) {
		d->key_group = group;
		d->key_gid = gid;
		group = NULL;
		check_path(b, file, line, "domain key", path, CONF_PATH_KEY,
		    gid);
	}
	d->keytype = kt->type;
	d->keybits = kt->bits;
	free(path);
	free(group);
}

/* "domain key keep" or "domain key rotate": once per domain. */
void
build_key_rotate(struct conf_build *b, const char *file, int line, int rotate)
{
	struct domain	*d = b->dom;

	if (d->key_rotate_line != 0)
		build_err(b, file, line, "domain key %s: given twice (first at "
		    "line %d)", rotate ? "rotate" : "keep", d->key_rotate_line);
	else {
		d->key_rotate = rotate;
		d->key_rotate_line = line;
	}
}

void
build_domain_cert(struct conf_build *b, const char *file, int line,
    char *path)
{
	set_file(b, file, line, &b->dom->cert, path, "domain certificate", 1,
	    CONF_PATH_CERT);
}

void
build_domain_chain(struct conf_build *b, const char *file, int line,
    char *path)
{
	set_file(b, file, line, &b->dom->chain, path,
	    "domain chain certificate", 1, CONF_PATH_CERT);
}

void
build_domain_fullchain(struct conf_build *b, const char *file, int line,
    char *path)
{
	set_file(b, file, line, &b->dom->fullchain, path,
	    "domain full chain certificate", 1, CONF_PATH_CERT);
}

/*
 * The authorities are looked up when every block has been read; next and
 * last, if given, stand behind the first (config.c).
 */
void
build_sign_with(struct conf_build *b, const char *file, int line,
    char *name, char *next, char *last)
{
	struct domain	*d = b->dom;

	if (d->auth_name != NULL) {
		build_err(b, file, line, "sign with %s: given twice", name);
		free(name);
		free(next);
		free(last);
		return;
	}
	d->auth_name = name;
	d->auth_line = line;
	d->fallback_name[0] = next;
	d->fallback_name[1] = last;
	d->nfallback = (next != NULL) + (last != NULL);
}

/* A domain's "what N unit", seconds allowed, into *out once. */
static void
domain_duration(struct conf_build *b, const char *file, int line,
    const char *what, long long n, char *unit, time_t *out)
{
	const char	*why;

	if (*out != 0)
		build_err(b, file, line, "%s %lld %s: given twice", what, n,
		    unit);
	else if (conf_duration(n, unit, 1, out, &why) == -1)
		build_err(b, file, line, "%s %lld %s: %s", what, n, unit, why);
	free(unit);
}

void
build_fallback_after(struct conf_build *b, const char *file, int line,
    long long n, char *unit)
{
	domain_duration(b, file, line, "fallback after", n, unit,
	    &b->dom->fallback_after);
}

void
build_challenge(struct conf_build *b, const char *file, int line, char *type)
{
	struct domain	*d = b->dom;

	if (d->challenge_line != 0)
		build_err(b, file, line, "challenge \"%s\": given twice",
		    conf_shorten(type));
	else if (strcmp(type, "http-01") == 0)
		d->challenge = CHALLENGE_HTTP01;
	else if (strcmp(type, "tls-alpn-01") == 0)
		d->challenge = CHALLENGE_TLSALPN01;
	else if (strcmp(type, "dns-01") == 0)
		d->challenge = CHALLENGE_DNS01;
	else
		build_err(b, file, line, "challenge \"%s\": http-01, "
		    "tls-alpn-01 or dns-01 was expected", conf_shorten(type));
	if (d->challenge_line == 0)
		d->challenge_line = line;	/* the first, for its errors */
	free(type);
}

void
build_challengedir(struct conf_build *b, const char *file, int line,
    char *dir)
{
	build_warn(b, file, line, "challengedir is ignored: acmed answers "
	    "http-01 challenges itself");
	free(dir);
}

void
build_profile(struct conf_build *b, const char *file, int line,
    char *profile, char *required)
{
	struct domain	*d = b->dom;

	if (d->profile != NULL)
		build_err(b, file, line, "profile \"%s\": given twice",
		    conf_shorten(profile));
	else if (strlen(profile) > MSG_PROFILE_MAX)
		build_err(b, file, line, "profile \"%s\": longer than %d "
		    "bytes", conf_shorten(profile), MSG_PROFILE_MAX);
	else if (!text_is_token(profile, MSG_PROFILE_MAX))
		build_err(b, file, line, "profile \"%s\": a profile's name "
		    "is letters, digits, '-', '_' and '.'",
		    conf_shorten(profile));
	else if (required != NULL && strcmp(required, "required") != 0)
		build_err(b, file, line, "profile %s: \"%s\" where "
		    "\"required\" or the end of the line was expected",
		    profile, conf_shorten(required));
	else {
		d->profile = profile;
		d->profile_required = required != NULL;
		profile = NULL;
	}
	free(profile);
	free(required);
}

void
build_preferred_chain(struct conf_build *b, const char *file, int line,
    char *issuer)
{
	struct domain	*d = b->dom;

	if (d->preferred_chain != NULL)
		build_err(b, file, line, "preferred chain \"%s\": given twice",
		    conf_shorten(issuer));
	else if (issuer[0] == '\0')
		build_err(b, file, line, "preferred chain is empty");
	else if (strlen(issuer) > MSG_CHAIN_NAME_MAX)
		build_err(b, file, line, "preferred chain \"%s\": longer than "
		    "%d bytes", conf_shorten(issuer), MSG_CHAIN_NAME_MAX);
	else {
		d->preferred_chain = issuer;
		issuer = NULL;
	}
	free(issuer);
}

void
build_renew_before(struct conf_build *b, const char *file, int line,
    long long n, char *unit)
{
	domain_duration(b, file, line, "renew before", n, unit,
	    &b->dom->renew_before);
}

/* reload: cmd for a command or a shell line, sig and pidfile a signal. */
void
build_reload(struct conf_build *b, const char *file, int line,
    enum action_type type, char *cmd, char *sig, char *pidfile)
{
	struct action	*a;
	const char	*why, *prog;
	char		 buf[PATH_MAX];

	if ((a = calloc(1, sizeof(*a))) == NULL)
		fatal("calloc");
	a->type = type;
	switch (type) {
	case ACTION_COMMAND:
		if ((a->argv = conf_split_command(cmd, &why)) == NULL) {
			build_err(b, file, line, "reload \"%s\": %s", cmd, why);
			goto fail;
		}
		if (a->argv[0][0] != '/') {
			build_err(b, file, line, "reload \"%s\": %s is not an "
			    "absolute path", cmd, a->argv[0]);
			goto fail;
		}
		check_path(b, file, line, "reload", a->argv[0],
		    CONF_PATH_PROGRAM, TRUST_NOGROUP);
		break;
	case ACTION_SHELL:
		if (cmd[0] == '\0') {
			build_err(b, file, line, "reload shell: empty command");
			goto fail;
		}
		if ((a->argv = calloc(2, sizeof(char *))) == NULL)
			fatal("calloc");
		a->argv[0] = cmd;
		cmd = NULL;
		if ((prog = conf_shell_program(a->argv[0], buf,
		    sizeof(buf))) != NULL)
			check_path(b, file, line, "reload shell", prog,
			    CONF_PATH_PROGRAM, TRUST_NOGROUP);
		break;
	case ACTION_SIGNAL:
		if ((a->signo = conf_signal(sig)) == -1) {
			build_err(b, file, line, "reload signal %s: use HUP, "
			    "USR1, USR2 or TERM", sig);
			goto fail;
		}
		if (set_path(b, file, line, &a->pidfile, pidfile,
		    "reload signal pid file", 0) == -1)
			goto fail;
		check_path(b, file, line, "reload signal pid file", a->pidfile,
		    CONF_PATH_PIDFILE, TRUST_NOGROUP);
		break;
	}
	TAILQ_INSERT_TAIL(&b->dom->actions, a, entry);
	a = NULL;
fail:
	if (a != NULL) {
		conf_free_argv(a->argv);
		free(a->pidfile);
		free(a);
	}
	free(cmd);
	free(sig);
	free(pidfile);
}

void
build_verify(struct conf_build *b, const char *file, int line, char *host,
    long long port)
{
	const char	*why;

	if (conf_verify(b->dom, host, port, &why) == -1)
		build_err(b, file, line, "verify %s port %lld: %s", host, port,
		    why);
	free(host);
}

/* The cluster block's statements that must be given, beside the files. */
#define CLUSTER_ETCD		(CONF_ETCD_KEY + 1)
#define CLUSTER_FLEET_KEY	(CONF_ETCD_KEY + 2)

/*
 * The cluster block: one in all.  A second is read and checked, then
 * dropped.
 */
void
build_cluster(struct conf_build *b, const char *file, int line)
{
	struct cluster	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("calloc");
	c->file = file;
	c->line = line;
	b->cluster = c;
	b->cluster_seen = 0;
	if (b->conf->cluster != NULL)
		build_err(b, file, line, "already defined at %s:%d",
		    b->conf->cluster->file, b->conf->cluster->line);
	else
		b->conf->cluster = c;
}

/*
 * What is missing is reported at the line the block begins; the node's
 * name is the host's unless given.
 */
void
build_cluster_end(struct conf_build *b, const char *file)
{
	struct cluster	*c = b->cluster;
	const char	*why;
	char		 host[256];

	if (c == NULL)
		return;
	/* a statement given, even if refused, is not missing too */
	if (!(b->cluster_seen & 1 << CLUSTER_ETCD))
		build_err(b, file, c->line, "no etcd endpoint: etcd "
		    "\"https://HOST:PORT\" is required");
	if (!(b->cluster_seen & 1 << CONF_ETCD_CA))
		build_err(b, file, c->line, "no etcd ca");
	if (!(b->cluster_seen & 1 << CONF_ETCD_CERT))
		build_err(b, file, c->line, "no etcd certificate");
	if (!(b->cluster_seen & 1 << CONF_ETCD_KEY))
		build_err(b, file, c->line, "no etcd key");
	if (!(b->cluster_seen & 1 << CLUSTER_FLEET_KEY))
		build_err(b, file, c->line, "no fleet key");
	if (c->prefix == NULL && (c->prefix = strdup(CONF_CLUSTER_PREFIX)) ==
	    NULL)
		fatal("strdup");
	if (c->node == NULL) {
		if (gethostname(host, sizeof(host)) == -1)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		if ((why = conf_check_node(host)) != NULL)
			build_err(b, file, c->line, "no node, and the host "
			    "name \"%s\" cannot be one (%s): name this node "
			    "with node", conf_shorten(host), why);
		else if ((c->node = strdup(host)) == NULL)
			fatal("strdup");
	}
	if (b->conf->cluster != c)
		cluster_drop(b);
	b->cluster = NULL;
}

/* One endpoint of an etcd statement; first begins the statement. */
void
build_etcd_url(struct conf_build *b, char *url, int first)
{
	if (first)
		etcd_urls_free(b);
	if (b->netcd_urls < MSG_ETCD_COUNT)
		b->etcd_urls[b->netcd_urls] = url;
	else
		free(url);
	b->netcd_urls++;
}

/* The etcd statement's endpoints, once read. */
void
build_etcd(struct conf_build *b, const char *file, int line)
{
	struct cluster	*c = b->cluster;
	const char	*why;
	size_t		 i, j;
	int		 bad = 0;

	if (b->cluster_seen & 1 << CLUSTER_ETCD) {
		build_err(b, file, line, "etcd: given twice");
		goto out;
	}
	b->cluster_seen |= 1 << CLUSTER_ETCD;
	if (b->netcd_urls > MSG_ETCD_COUNT) {
		build_err(b, file, line, "etcd: %zu endpoints, at most %d",
		    b->netcd_urls, MSG_ETCD_COUNT);
		goto out;
	}
	for (i = 0; i < b->netcd_urls; i++) {
		if ((why = conf_check_etcd_url(b->etcd_urls[i])) != NULL) {
			build_err(b, file, line, "etcd \"%s\": %s",
			    conf_shorten(b->etcd_urls[i]), why);
			bad = 1;
		}
		for (j = 0; j < i; j++)
			if (strcasecmp(b->etcd_urls[i], b->etcd_urls[j]) == 0) {
				build_err(b, file, line, "etcd \"%s\": listed "
				    "twice", conf_shorten(b->etcd_urls[i]));
				bad = 1;
				break;
			}
	}
	if (bad)
		goto out;
	for (i = 0; i < b->netcd_urls; i++)
		c->endpoints[i] = b->etcd_urls[i];
	c->nendpoints = b->netcd_urls;
	b->netcd_urls = 0;
 out:
	etcd_urls_free(b);
}

/* etcd ca, etcd certificate, etcd key: read whole, sent to netproc. */
void
build_etcd_file(struct conf_build *b, const char *file, int line,
    enum conf_etcd_file which, char *path)
{
	struct cluster	*c = b->cluster;

	b->cluster_seen |= 1 << which;
	switch (which) {
	case CONF_ETCD_CA:
		set_file(b, file, line, &c->ca, path, "etcd ca", 0,
		    CONF_PATH_PEM);
		break;
	case CONF_ETCD_CERT:
		set_file(b, file, line, &c->cert, path, "etcd certificate", 0,
		    CONF_PATH_PEM);
		break;
	case CONF_ETCD_KEY:
		set_file(b, file, line, &c->key, path, "etcd key", 2,
		    CONF_PATH_PEMKEY);
		break;
	}
}

/* A value given once, which check() passes; takes the value. */
static void
set_checked(struct conf_build *b, const char *file, int line, char **dst,
    char *value, const char *what, const char *(*check)(const char *))
{
	const char	*why;

	if (*dst != NULL)
		build_err(b, file, line, "%s \"%s\": given twice", what,
		    conf_shorten(value));
	else if ((why = check(value)) != NULL)
		build_err(b, file, line, "%s \"%s\": %s", what,
		    conf_shorten(value), why);
	else {
		*dst = value;
		value = NULL;
	}
	free(value);
}

void
build_cluster_prefix(struct conf_build *b, const char *file, int line,
    char *prefix)
{
	set_checked(b, file, line, &b->cluster->prefix, prefix, "prefix",
	    conf_check_prefix);
}

void
build_fleet_key(struct conf_build *b, const char *file, int line,
    char *path)
{
	b->cluster_seen |= 1 << CLUSTER_FLEET_KEY;
	set_file(b, file, line, &b->cluster->fleet_key, path, "fleet key", 2,
	    CONF_PATH_FLEETKEY);
}

void
build_node(struct conf_build *b, const char *file, int line, char *node)
{
	set_checked(b, file, line, &b->cluster->node, node, "node",
	    conf_check_node);
}
