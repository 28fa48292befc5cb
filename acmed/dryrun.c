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
 * -t, the dry run: the whole path of -o, each domain against its
 * authority's test authority if it has one, with every file it would
 * write (state, keys, certificates) in a directory of its own beside the
 * state directory, removed at the end.  The account keys and URLs of the
 * state directory are copied in, so that no new account is made each
 * time; nothing is copied back.  No reload action, event hook, metrics
 * file or deployment check runs.  What the installed certificates say
 * (not due, due, none yet) is read before, for the report.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"
#include "trust.h"

int		 dryrun;
static char	 tmpdir[PATH_MAX];
static char	*real_state;
static pid_t	 owner;

/* What the installed files said before the run, by domain id. */
struct installed {
	unsigned int	 id;
	enum cert_state	 state;
	time_t		 not_after;
	time_t		 due;
	char		*refused;	/* why its files are not acmed's */
};
static struct installed	*inst;
static size_t		 ninst;

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) == -1)
		warn("%s", path);
	return 0;
}

/* At exit, from the process that made it: the directory goes. */
static void
dryrun_cleanup(void)
{
	if (tmpdir[0] == '\0' || getpid() != owner)
		return;
	(void)nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

/* path, made to name tmpdir/handle.suffix instead; NULL stays NULL. */
static void
redirect(char **path, const char *handle, const char *suffix)
{
	char	*p;

	if (*path == NULL)
		return;
	if (asprintf(&p, "%s/%s.%s", tmpdir, handle, suffix) == -1)
		err(1, "asprintf");
	free(*path);
	*path = p;
}

/* The domain's certificate as installed, read before anything moves. */
static void
installed_read(struct installed *in, struct domain *d)
{
	struct dstate	 ds;
	char		 why[TRUST_WHY_MAX + 256];

	memset(&ds, 0, sizeof(ds));
	ds.d = d;
	in->id = d->id;
	if (cert_files_check(d, why, sizeof(why)) == -1) {
		in->refused = strdup(why);
		in->state = CERT_MISSING;
		return;
	}
	if (cert_file_info(&ds, d->fullchain ? d->fullchain : d->cert) == -1)
		ds.state = CERT_MISSING;
	in->state = ds.state;
	in->not_after = ds.not_after;
	if (ds.state == CERT_ISSUED)
		in->due = sched_renewal_time(&ds);
}

/* The domain's files, reload actions and deployment checks: none real. */
static void
domain_redirect(struct domain *d)
{
	redirect(&d->key, d->handle, "key");
	redirect(&d->cert, d->handle, "crt");
	redirect(&d->chain, d->handle, "chain.pem");
	redirect(&d->fullchain, d->handle, "fullchain.pem");
	config_drop_actions(d);
	if (d->auth->test != NULL)
		d->auth = d->auth->test;
}

/*
 * Before the state directory is opened: refuses beside a running daemon,
 * notes what is installed, makes the directory and points the
 * configuration at it.  -1 (said on standard error) if it cannot run.
 */
int
dryrun_prepare(void)
{
	struct domain		*d;
	struct authority	*a;
	pid_t			 pid;
	size_t			 n = 0;

	/* The daemon holds the challenge port and would answer for us. */
	if ((pid = daemon_running(conf->state_dir)) != 0) {
		if (pid > 1)
			warnx("a daemon (pid %ld) runs for %s and answers the "
			    "challenges: stop it for the dry run, then start "
			    "it again", (long)pid, conf->state_dir);
		else
			warnx("a daemon runs for %s and answers the "
			    "challenges: stop it for the dry run, then start "
			    "it again", conf->state_dir);
		return -1;
	}
	TAILQ_FOREACH(d, &conf->domains, entry)
		n++;
	if ((inst = calloc(n ? n : 1, sizeof(*inst))) == NULL)
		err(1, "calloc");
	TAILQ_FOREACH(d, &conf->domains, entry)
		if (name_selected(d->handle, only_domains, nonly_domains))
			installed_read(&inst[ninst++], d);
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s.dryrun.XXXXXX",
	    conf->state_dir) >= sizeof(tmpdir) || mkdtemp(tmpdir) == NULL) {
		warn("%s: dry run directory", tmpdir);
		tmpdir[0] = '\0';
		return -1;
	}
	owner = getpid();
	if (atexit(dryrun_cleanup) != 0)
		err(1, "atexit");
	/* As the state directory: netproc's root is in it. */
	if (chmod(tmpdir, 0711) == -1)
		err(1, "%s", tmpdir);
	real_state = conf->state_dir;
	if ((conf->state_dir = strdup(tmpdir)) == NULL)
		err(1, "strdup");
	/* An account key named in the file is used if it exists. */
	TAILQ_FOREACH(a, &conf->authorities, entry)
		if (a->account_key != NULL && access(a->account_key, F_OK) ==
		    -1) {
			free(a->account_key);
			a->account_key = NULL;
		}
	TAILQ_FOREACH(d, &conf->domains, entry)
		domain_redirect(d);
	free(conf->event_hook);
	conf->event_hook = NULL;
	free(conf->metrics_file);
	conf->metrics_file = NULL;
	printf("dry run in %s\n", tmpdir);
	return 0;
}

/* A file of the real state directory, copied into the dry run's. */
static void
state_copy(const char *sub, const char *name, const char *suffix)
{
	char	 from[PATH_MAX], to[PATH_MAX], *data;
	size_t	 len;

	if ((size_t)snprintf(from, sizeof(from), "%s/%s/%s%s", real_state,
	    sub, name, suffix) >= sizeof(from) ||
	    (size_t)snprintf(to, sizeof(to), "%s/%s/%s%s", tmpdir, sub, name,
	    suffix) >= sizeof(to))
		return;
	if (read_file(from, 1024 * 1024, &data, &len) == -1)
		return;
	(void)write_file_atomic(to, data, len, 0600, WRITE_NOSYNC);
	freezero(data, len);
}

/* After the directory is made: the accounts of the real one. */
void
dryrun_accounts(void)
{
	struct authority	*a;

	TAILQ_FOREACH(a, &conf->authorities, entry) {
		if (a->account_key == NULL)
			state_copy("accounts", a->name, ".key");
		state_copy("accounts", a->name, "");
	}
}

static int
preflight_done(void)
{
	return preflight_pending() == 0;
}

/* The dry run's preflight, before the authorities are asked. */
int
dryrun_preflight(int (*wait)(int (*)(void), int))
{
	size_t	 i;

	printf("preflight (http://NAME/.well-known/acme-challenge/):\n");
	preflight_print = 1;
	for (i = 0; i < ndstates; i++)
		if (preflight_start(&dstates[i]) == -1)
			return -1;
	fflush(stdout);
	return wait(preflight_done, 60);
}

static const struct installed *
installed_byid(unsigned int id)
{
	size_t	 i;

	for (i = 0; i < ninst; i++)
		if (inst[i].id == id)
			return &inst[i];
	return NULL;
}

/*
 * What would have happened, per domain, on standard output; the exit
 * status: 0 if every domain would have worked.
 */
int
dryrun_report(void)
{
	const struct installed	*in;
	struct dstate		*ds;
	size_t			 i, ok = 0;
	time_t			 now = time(NULL);

	for (i = 0; i < ndstates; i++) {
		ds = &dstates[i];
		in = installed_byid(ds->d->id);
		printf("%s (authority %s): ", ds->d->handle, ds->d->auth->name);
		if (in != NULL && in->refused != NULL)
			printf("failed: %s\n", in->refused);
		else if (ds->result != 0 || ds->last_success == 0)
			printf("failed: %s\n", ds->last_error != NULL ?
			    ds->last_error : "no certificate came");
		else if (in == NULL || in->state != CERT_ISSUED)
			printf("would install: no certificate is installed "
			    "yet\n");
		else if (in->due <= now)
			printf("would install: renewal due since %s\n",
			    time_text(in->due));
		else
			printf("not due until %s: the renewal would work\n",
			    time_text(in->due));
		if ((in == NULL || in->refused == NULL) && ds->result == 0 &&
		    ds->last_success != 0)
			ok++;
	}
	printf("dry run: %zu of %zu would work; nothing was installed\n", ok,
	    ndstates);
	return ok == ndstates ? 0 : 1;
}
