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
 * config_parse() field by field on the files in regress/conf, every bad
 * file refused (and, under ASan, without a leak), and the value checks
 * of config.c one by one.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acmed/config.h"
#include "acmed/config_priv.h"
#include "acmed/trust.h"
#include "log.h"
#include "proc.h"
#include "test.h"

static char	 top[1024];
static char	 errfile[] = "/tmp/t_config.XXXXXX";
static char	 errbuf[16384];

static const char *
path(const char *rel)
{
	static char	 buf[2048];

	snprintf(buf, sizeof(buf), "%s/%s", top, rel);
	return buf;
}

/* Parses with stderr caught in errbuf. */
static struct config *
parse(const char *file, int perms)
{
	struct config	*c;
	ssize_t		 n;
	int		 fd, saved;

	fflush(stderr);
	saved = dup(2);
	fd = open(errfile, O_RDWR | O_TRUNC);
	dup2(fd, 2);
	c = config_parse(file, perms);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, errbuf, sizeof(errbuf) - 1);
	errbuf[n > 0 ? n : 0] = '\0';
	close(fd);
	return c;
}

static void
write_file(const char *name, const char *text)
{
	FILE	*fp;

	if ((fp = fopen(name, "w")) == NULL) {
		perror(name);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
}

static void
test_full(void)
{
	struct config		*c;
	struct authority	*a;
	struct domain		*d;
	struct action		*act;
	struct verify_ep	*v;
	struct listen_addr	*l;
	struct sockaddr_in	*sin;
	struct group		*gr;
	int			 n;

	c = parse(path("regress/conf/good/full.conf"), 0);
	CHECK(c != NULL, "full.conf parses");
	if (c == NULL) {
		printf("# %s", errbuf);
		return;
	}
	CHECK_STR(c->state_dir, "/nonexistent/state", "state directory");
	CHECK_STR(c->empty_dir, "/nonexistent/empty", "empty directory");
	CHECK(c->check_interval == 6 * 3600, "check interval 6 hours");
	CHECK(c->expiry_warn == 20 * 86400, "expiry warning 20 days");
	CHECK_STR(c->event_hook, "/usr/local/libexec/acmed-event",
	    "event hook");
	CHECK_STR(c->user[PROC_NETPROC], "_net", "user netproc");
	CHECK_STR(c->user[PROC_KEYPROC], "_key", "user keyproc");
	CHECK_STR(c->user[PROC_CHALLENGED], "_www", "user challenged");
	CHECK(c->user[PROC_PARENT] == NULL, "no user for the parent");

	n = 0;
	TAILQ_FOREACH(l, &c->listens, entry) {
		switch (n++) {
		case 0:
			CHECK_STR(l->text, "127.0.0.1:8080", "listen 1");
			sin = (struct sockaddr_in *)&l->ss;
			CHECK(sin->sin_family == AF_INET &&
			    ntohs(sin->sin_port) == 8080 &&
			    sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
			    l->sslen == sizeof(*sin), "listen 1 sockaddr");
			break;
		case 1:
			CHECK_STR(l->text, "[::1]:8080", "listen 2");
			CHECK(l->ss.ss_family == AF_INET6 &&
			    l->sslen == sizeof(struct sockaddr_in6),
			    "listen 2 sockaddr");
			break;
		case 2:
			CHECK_STR(l->text, "0.0.0.0:8081", "listen * (v4)");
			break;
		case 3:
			CHECK_STR(l->text, "[::]:8081", "listen * (v6)");
			break;
		}
	}
	CHECK(n == 4, "four listen addresses (%d)", n);

	a = TAILQ_FIRST(&c->authorities);
	CHECK(a != NULL && a->id == 1, "authority id 1");
	CHECK_STR(a->name, "ca", "authority name");
	CHECK_STR(a->api_url, "https://localhost:14000/dir", "api url");
	CHECK_STR(a->ca_file, "/etc/ssl/certs/ca-certificates.crt", "api ca");
	CHECK_STR(a->account_key, "/nonexistent/acct-ca.key", "account key");
	CHECK(a->account_keytype == KEY_RSA && a->account_keybits == 4096,
	    "account key rsa 4096");
	CHECK_STR(a->contact, "mailto:ops@example.org", "contact");
	CHECK(a->line == 14 && strstr(a->file, "full.conf") != NULL,
	    "authority file:line (%d)", a->line);
	CHECK(config_authority(c, "ca") == a, "config_authority finds it");
	CHECK(config_authority(c, "nope") == NULL, "config_authority: nope");

	d = TAILQ_FIRST(&c->domains);
	CHECK(d != NULL && d->id == 1, "domain id 1");
	CHECK_STR(d->handle, "www.example.org", "handle");
	CHECK(d->nnames == 4, "4 names (%zu)", d->nnames);
	CHECK_STR(d->names[0], "www.example.org", "names[0] is the handle");
	CHECK_STR(d->names[1], "example.org", "names[1]");
	CHECK_STR(d->names[2], "static.example.org", "names[2]");
	CHECK_STR(d->names[3], "img.example.org", "names[3]");
	CHECK_STR(d->key, "/nonexistent/www.key", "domain key");
	CHECK(d->keytype == KEY_ECDSA && d->keybits == 384, "ecdsa 384");
	CHECK_STR(d->cert, "/nonexistent/www.crt", "certificate");
	CHECK_STR(d->chain, "/nonexistent/www.chain.pem", "chain");
	CHECK_STR(d->fullchain, "/nonexistent/www.full.pem", "full chain");
	CHECK(d->auth == a, "sign with ca");
	CHECK_STR(d->auth_name, "ca", "auth_name");
	CHECK_STR(d->preferred_chain, "ISRG Root X1", "preferred chain");
	CHECK_STR(d->profile, "tlsserver", "profile");
	CHECK(d->profile_required, "profile ... required");
	CHECK(d->renew_before == 30 * 86400, "renew before 30 days");
	CHECK(d->line == 21, "domain line (%d)", d->line);

	act = TAILQ_FIRST(&d->actions);
	CHECK(act != NULL && act->type == ACTION_COMMAND, "reload command");
	CHECK(act != NULL && act->argv[3] == NULL, "3 arguments");
	CHECK_STR(act->argv[0], "/usr/sbin/nginx", "argv[0]");
	CHECK_STR(act->argv[1], "-s", "argv[1]");
	CHECK_STR(act->argv[2], "reload", "argv[2]");
	act = TAILQ_NEXT(act, entry);
	CHECK(act != NULL && act->type == ACTION_COMMAND, "reload quoted");
	CHECK_STR(act->argv[1], "two words", "single quotes group");
	CHECK_STR(act->argv[2], "x y", "double quotes group");
	CHECK(act->argv[3] == NULL, "and no more");
	act = TAILQ_NEXT(act, entry);
	CHECK(act != NULL && act->type == ACTION_SHELL, "reload shell");
	CHECK_STR(act->argv[0], "systemctl reload nginx || true",
	    "shell line whole");
	CHECK(act->argv[1] == NULL, "shell argv ends");
	act = TAILQ_NEXT(act, entry);
	CHECK(act != NULL && act->type == ACTION_SIGNAL &&
	    act->signo == SIGHUP, "reload signal HUP");
	CHECK_STR(act->pidfile, "/run/nginx.pid", "pid file");
	act = TAILQ_NEXT(act, entry);
	CHECK(act != NULL && act->signo == SIGUSR2, "SIGUSR2 spelled out");
	CHECK(TAILQ_NEXT(act, entry) == NULL, "five actions");

	v = TAILQ_FIRST(&d->verifies);
	CHECK(v != NULL && v->port == 443, "verify: port 443 by default");
	if (v != NULL) {
		CHECK_STR(v->host, "www.example.org", "verify host");
		CHECK_STR(v->text, "www.example.org:443", "verify text");
		v = TAILQ_NEXT(v, entry);
	}
	CHECK(v != NULL && v->port == 8443, "verify: port 8443");
	if (v != NULL) {
		CHECK_STR(v->host, "::1", "verify: IPv6 host unbracketed");
		CHECK_STR(v->text, "[::1]:8443", "verify: IPv6 text bracketed");
		CHECK(TAILQ_NEXT(v, entry) == NULL, "two verify endpoints");
	}

	d = TAILQ_NEXT(d, entry);
	CHECK(d != NULL && d->id == 2, "domain id 2");
	CHECK_STR(d->handle, "mail", "handle of the second");
	CHECK_STR(d->names[0], "mail.example.org", "domain name sets names[0]");
	CHECK(d->nnames == 1, "one name");
	CHECK(d->keytype == KEY_RSA && d->keybits == 3072, "rsa alone: 3072");
	gr = getgrnam("nogroup");
	CHECK(d->key_group != NULL && strcmp(d->key_group, "nogroup") == 0 &&
	    gr != NULL && d->key_gid == gr->gr_gid,
	    "domain key ... group nogroup: name and gid");
	CHECK(TAILQ_FIRST(&c->domains)->key_group == NULL &&
	    TAILQ_FIRST(&c->domains)->key_gid == TRUST_NOGROUP,
	    "no group: none");
	CHECK(d->auth == a, "one authority: signs without sign with");
	CHECK(d->renew_before == 12 * 3600, "renew before 12 hours");
	CHECK(d->cert == NULL && d->chain == NULL, "no cert, no chain");
	CHECK(TAILQ_EMPTY(&d->verifies), "no verify endpoint");
	config_free(c);
}

static void
test_defaults(void)
{
	struct config		*c;
	struct authority	*a;
	struct domain		*d;

	c = parse(path("regress/conf/good/acme-client.conf"), 0);
	CHECK(c != NULL, "acme-client.conf parses");
	if (c == NULL)
		return;
	CHECK(strstr(errbuf, "acme-client.conf:27: warning: domain "
	    "example.com: challengedir is ignored") != NULL,
	    "challengedir: a warning with its line");
	CHECK(strstr(errbuf, "profile is ignored") == NULL,
	    "profile: no warning");
	d = TAILQ_NEXT(TAILQ_FIRST(&c->domains), entry);
	CHECK(d != NULL && d->profile != NULL &&
	    strcmp(d->profile, "shortlived") == 0 && !d->profile_required,
	    "profile as acme-client.conf has it, not required");
	CHECK_STR(c->state_dir, CONF_STATE_DIR, "default state directory");
	CHECK_STR(c->empty_dir, CONF_EMPTY_DIR, "default empty directory");
	CHECK_STR(c->user[PROC_NETPROC], "_acmed", "default netproc user");
	CHECK_STR(c->user[PROC_KEYPROC], "_acmed-key", "default keyproc user");
	CHECK_STR(c->user[PROC_CHALLENGED], "_acmed-www",
	    "default challenged user");
	CHECK(c->check_interval == 86400, "default check interval");
	CHECK(c->expiry_warn == 15 * 86400, "default expiry warning");
	CHECK(c->event_hook == NULL, "no event hook");
	CHECK(TAILQ_FIRST(&c->listens) != NULL &&
	    strcmp(TAILQ_FIRST(&c->listens)->text, "0.0.0.0:80") == 0 &&
	    TAILQ_NEXT(TAILQ_FIRST(&c->listens), entry) != NULL &&
	    strcmp(TAILQ_NEXT(TAILQ_FIRST(&c->listens), entry)->text,
	    "[::]:80") == 0, "default listen: 0.0.0.0:80 and [::]:80");
	TAILQ_FOREACH(a, &c->authorities, entry)
		if (TAILQ_NEXT(a, entry) == NULL)
			break;
	CHECK(a != NULL && a->id == 3, "third authority has id 3");
	a = TAILQ_FIRST(&c->authorities);
	CHECK(a->account_keytype == KEY_ECDSA && a->account_keybits == 256,
	    "default account key ecdsa 256");
	CHECK(a->contact == NULL && a->ca_file == NULL, "no contact, no CA");
	d = TAILQ_FIRST(&c->domains);
	CHECK(d->keytype == KEY_ECDSA && d->keybits == 256,
	    "default domain key ecdsa 256");
	CHECK(d->renew_before == 0, "renew: automatic");
	CHECK(TAILQ_EMPTY(&d->actions), "no reload");
	d = TAILQ_NEXT(d, entry);
	CHECK(d->keytype == KEY_ECDSA && d->keybits == 256,
	    "ecdsa alone: 256");
	CHECK(d->id == 2 && d->auth != NULL && d->auth->id == 3,
	    "sign with buypass");
	config_free(c);
}

static void
test_bad_files(void)
{
	struct config	*c;
	DIR		*dir;
	struct dirent	*de;
	char		 name[2048];
	int		 n = 0;

	if ((dir = opendir(path("regress/conf/bad"))) == NULL) {
		CHECK(0, "open regress/conf/bad");
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strstr(de->d_name, ".conf") == NULL)
			continue;
		snprintf(name, sizeof(name), "%s/regress/conf/bad/%s", top,
		    de->d_name);
		c = parse(name, 1);
		CHECK(c == NULL && errbuf[0] != '\0', "bad/%s refused",
		    de->d_name);
		config_free(c);
		n++;
	}
	closedir(dir);
	CHECK(n >= 10, "bad files found (%d)", n);
}

static void
test_tmp_files(const char *tmp)
{
	struct config	*c;
	char		 f[512], key[512], text[4096];

	snprintf(f, sizeof(f), "%s/a.conf", tmp);
	snprintf(key, sizeof(key), "%s/domain.key", tmp);

	/* a file whose last line has no newline */
	snprintf(text, sizeof(text),
	    "authority le {\n api url \"https://a.example/d\"\n"
	    " account key \"%s/k\"\n}\n"
	    "domain EXAMPLE.com {\n domain key \"%s\"\n"
	    " domain certificate \"%s/c\"\n}", tmp, key, tmp);
	write_file(f, text);
	c = parse(f, 1);
	CHECK(c != NULL, "no newline at the end");
	if (c != NULL) {
		CHECK_STR(TAILQ_FIRST(&c->domains)->names[0], "example.com",
		    "names are lower case");
		CHECK_STR(TAILQ_FIRST(&c->domains)->handle, "example.com",
		    "and so is the handle");
		CHECK(c->nfiles == 1 && strcmp(c->files[0], f) == 0,
		    "files[] lists the file read");
	}
	config_free(c);

	/* key modes */
	write_file(key, "-----BEGIN PRIVATE KEY-----\nAAAA\n"
	    "-----END PRIVATE KEY-----\n");
	chmod(key, 0644);
	c = parse(f, 0);
	CHECK(c != NULL, "key modes not checked without check_key_perms");
	config_free(c);
	c = parse(f, 1);
	CHECK(c == NULL && strstr(errbuf, "a.conf:6: domain ") != NULL &&
	    strstr(errbuf, ": domain key") != NULL &&
	    strstr(errbuf, "(mode 0644)") != NULL,
	    "a 0644 key refused with check_key_perms");
	chmod(key, 0600);
	c = parse(f, 1);
	CHECK(c != NULL, "a 0600 key accepted");
	config_free(c);
	unlink(key);

	/* config_parse can run again and again (SIGHUP) */
	c = parse(path("regress/conf/good/include.conf"), 0);
	CHECK(c != NULL && c->nfiles == 2, "include: two files read");
	if (c != NULL)
		CHECK(strstr(c->files[1], "inc/authority.conf") != NULL,
		    "include: relative to the including file");
	config_free(c);

	snprintf(text, sizeof(text), "%s/loop.conf", tmp);
	write_file(text, "a = 1\ninclude \"loop.conf\"\n");
	c = parse(text, 0);
	CHECK(c == NULL && strstr(errbuf, "loop.conf:2: include") != NULL &&
	    strstr(errbuf, "include loop") != NULL, "include loop refused");

	c = parse("/nonexistent/acmed.conf", 0);
	CHECK(c == NULL && strstr(errbuf, "/nonexistent/acmed.conf: No such")
	    != NULL, "missing file");
}

/* The cluster block as the model holds it, and its value checks. */
static void
test_cluster(const char *tmp)
{
	struct config	*c;
	struct cluster	*cl;
	char		 f[512], text[4096];

	snprintf(f, sizeof(f), "%s/cluster.conf", tmp);
	snprintf(text, sizeof(text),
	    "authority le {\n api url \"https://a.example/d\"\n}\n"
	    "domain example.com {\n domain key \"%s/k\"\n"
	    " domain certificate \"%s/c\"\n}\n"
	    "cluster {\n etcd \"https://192.0.2.1:2379\" "
	    "\"https://[::1]:2379\"\n etcd ca \"%s/ca.pem\"\n"
	    " etcd certificate \"%s/c.pem\"\n etcd key \"%s/c.key\"\n"
	    " fleet key \"%s/fleet.key\"\n node web-1.a_b\n}\n",
	    tmp, tmp, tmp, tmp, tmp, tmp);
	write_file(f, text);
	c = parse(f, 0);
	CHECK(c != NULL && (cl = c->cluster) != NULL, "a cluster block");
	if (c != NULL && (cl = c->cluster) != NULL) {
		CHECK(cl->nendpoints == 2 &&
		    strcmp(cl->endpoints[0], "https://192.0.2.1:2379") == 0 &&
		    strcmp(cl->endpoints[1], "https://[::1]:2379") == 0,
		    "cluster: two endpoints, in their order");
		CHECK(strstr(cl->ca, "/ca.pem") && strstr(cl->cert, "/c.pem") &&
		    strstr(cl->key, "/c.key") &&
		    strstr(cl->fleet_key, "/fleet.key"), "cluster: the paths");
		CHECK_STR(cl->prefix, "/acmed/", "cluster: the default prefix");
		CHECK_STR(cl->node, "web-1.a_b", "cluster: the node");
		CHECK(cl->line == 8 && strcmp(cl->file, f) == 0,
		    "cluster: where it begins");
	}
	config_free(c);
	c = parse(path("regress/conf/good/full.conf"), 0);
	CHECK(c != NULL && c->cluster == NULL, "no block: no cluster");
	config_free(c);

	CHECK(conf_check_etcd_url("https://etcd.example:2379") == NULL &&
	    conf_check_etcd_url("HTTPS://10.0.0.1:1") == NULL &&
	    conf_check_etcd_url("https://[2001:db8::1]:65535") == NULL,
	    "etcd URLs: a name, an IPv4 and an IPv6 address");
	CHECK(conf_check_etcd_url("https://a:") != NULL &&
	    conf_check_etcd_url("https://:2379") != NULL &&
	    conf_check_etcd_url("https://a:99999999999999999999") != NULL &&
	    conf_check_etcd_url("https://a:2379/") != NULL &&
	    conf_check_etcd_url("https://[::1:2379") != NULL &&
	    conf_check_etcd_url("https://a b:2379") != NULL &&
	    conf_check_etcd_url("https://a:+1") != NULL,
	    "etcd URLs: no port, no host, a huge port, a path, an open "
	    "bracket, a space, a sign");
	CHECK(conf_check_node("a") == NULL && conf_check_node("") != NULL &&
	    conf_check_node("a:b") != NULL, "node names");
	CHECK(conf_check_prefix("/") == NULL && conf_check_prefix("") != NULL &&
	    conf_check_prefix("/a") != NULL && conf_check_prefix("a/") != NULL,
	    "prefixes");
}

static void
test_helpers(void)
{
	char		**argv;
	const char	*why;
	time_t		 t;
	char		 name[300];

	CHECK(conf_check_hostname("example.com") == NULL, "example.com");
	CHECK(conf_check_hostname("xn--bcher-kva.example") == NULL, "IDN");
	CHECK(conf_check_hostname("a-b.c0.example") == NULL, "hyphen, digit");
	CHECK(conf_check_hostname("com") != NULL, "single label");
	CHECK(conf_check_hostname("*.example.com") == NULL, "wildcard");
	CHECK(conf_check_hostname("*.*.example.com") != NULL,
	    "two wildcard labels");
	CHECK(conf_check_hostname("www.*.example.com") != NULL,
	    "a wildcard not first");
	CHECK(conf_check_hostname("*w.example.com") != NULL,
	    "a partial wildcard label");
	CHECK(conf_check_hostname("*.com") != NULL, "a wildcard of a TLD");
	CHECK(conf_check_hostname("*.10.0.0.1") != NULL,
	    "a wildcard of an address");
	CHECK(conf_check_hostname("10.0.0.1") == NULL, "IPv4");
	CHECK(conf_check_hostname("::1") == NULL, "IPv6");
	CHECK(conf_check_hostname("2001:db8::1") == NULL, "IPv6, RFC 5952");
	CHECK((why = conf_check_hostname("2001:db8:0:0::1")) != NULL &&
	    strstr(why, "write the address as 2001:db8::1") != NULL,
	    "IPv6 not in RFC 5952 form: %s", why ? why : "accepted");
	CHECK((why = conf_check_hostname("::ffff:c000:201")) != NULL &&
	    strstr(why, "::ffff:192.0.2.1") != NULL,
	    "IPv4-mapped IPv6 in its RFC 5952 form: %s", why ? why :
	    "accepted");
	CHECK(conf_check_hostname("2001:db8:::1") != NULL, "bad IPv6");
	CHECK(conf_check_hostname("10.0.0.256") != NULL, "bad IPv4");
	CHECK(conf_check_hostname("10.0.0.01") != NULL, "IPv4, leading 0");
	CHECK(conf_check_hostname("a.b-") != NULL, "ends with -");
	CHECK(conf_check_hostname("") != NULL, "empty");
	CHECK(conf_check_hostname("caf\xc3\xa9.example") != NULL, "UTF-8");
	memset(name, 'a', 63);
	strcpy(name + 63, ".example");
	CHECK(conf_check_hostname(name) == NULL, "63-character label");
	memset(name, 'a', 64);
	strcpy(name + 64, ".example");
	CHECK(conf_check_hostname(name) != NULL, "64-character label");
	/* 4 * 62 + 4 dots + "a" = 253 */
	memset(name, 'a', sizeof(name));
	name[62] = name[125] = name[188] = name[251] = '.';
	name[253] = '\0';
	CHECK(conf_check_hostname(name) == NULL, "253 characters");
	name[253] = 'b';
	name[254] = '\0';
	CHECK(conf_check_hostname(name) != NULL, "254 characters");

	CHECK(conf_duration(2, "days", 0, &t, &why) == 0 && t == 2 * 86400,
	    "2 days");
	CHECK(conf_duration(1, "hour", 0, &t, &why) == 0 && t == 3600,
	    "1 hour");
	CHECK(conf_duration(90, "seconds", 1, &t, &why) == 0 && t == 90,
	    "90 seconds");
	CHECK(conf_duration(90, "seconds", 0, &t, &why) == -1,
	    "no seconds where not allowed");
	CHECK(conf_duration(5, "dayz", 1, &t, &why) == -1, "bad unit");
	CHECK(conf_duration(0, "days", 1, &t, &why) == -1, "zero");
	CHECK(conf_duration(-1, "days", 1, &t, &why) == -1, "negative");
	CHECK(conf_duration(4000, "days", 1, &t, &why) == -1 &&
	    strstr(why, "10 years") != NULL, "over 10 years");

	argv = conf_split_command("  /bin/a  b\t'c d'e \"\" ", &why);
	CHECK(argv != NULL, "split");
	if (argv != NULL) {
		CHECK_STR(argv[0], "/bin/a", "split argv[0]");
		CHECK_STR(argv[1], "b", "split argv[1]");
		CHECK_STR(argv[2], "c de", "quotes join with what follows");
		CHECK_STR(argv[3], "", "empty quoted argument");
		CHECK(argv[4] == NULL, "split ends");
	}
	conf_free_argv(argv);
	CHECK(conf_split_command("   ", &why) == NULL, "blank command");
	CHECK(conf_split_command("/bin/a \"b", &why) == NULL, "open quote");

	CHECK(conf_signal("HUP") == SIGHUP, "HUP");
	CHECK(conf_signal("sigusr1") == SIGUSR1, "sigusr1");
	CHECK(conf_signal("KILL") == -1, "KILL refused");
	CHECK_STR(conf_signame(SIGTERM), "TERM", "signame");

	CHECK(conf_check_username("_acmed") == NULL, "user _acmed");
	CHECK(conf_check_username("root") != NULL, "user root");
	CHECK(conf_check_username("a b") != NULL, "user with a space");

	CHECK_STR(keytype_name(KEY_ECDSA), "ecdsa", "keytype_name ecdsa");
	CHECK_STR(keytype_name(KEY_RSA), "rsa", "keytype_name rsa");
}

int
main(void)
{
	const char	*t;
	char		 tmp[] = "/tmp/t_config.d.XXXXXX";
	int		 fd;

	if ((t = getenv("TOP")) == NULL)
		t = ".";
	snprintf(top, sizeof(top), "%s", t);
	/* The files written are writable by their owner only, whatever the umask. */
	umask(022);
	if ((fd = mkstemp(errfile)) == -1 || mkdtemp(tmp) == NULL) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	log_init(1, 0, "t_config");

	test_full();
	test_defaults();
	test_bad_files();
	test_tmp_files(tmp);
	test_cluster(tmp);
	test_helpers();

	unlink(errfile);
	{
		char	 cmd[256];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
	}
	return test_done();
}
