/*
 * The status file: every certificate, its names, authority, expiry,
 * whether it is provisional, what acmed will do next and when, and the
 * last error; and what each child's sandbox holds.  JSON written
 * atomically by the parent after every change, and printed for a person
 * by "acmed -s".
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "parent.h"

#define STATUS_FILE	"status.json"
#define STATUS_MAX	(4 * 1024 * 1024)

/* What each running child said its sandbox holds. */
static struct {
	int			 known;
	struct sandbox_level	 l;
} sandboxes[PROC_MAX];

/* The start-up line, until every child has said what its sandbox holds. */
static char	*summary;

static const char *const state_names[] = {
	[CERT_MISSING] = "missing",
	[CERT_PROVISIONAL] = "provisional",
	[CERT_ISSUED] = "issued",
};

static void
gen_str(yajl_gen g, const char *s)
{
	if (s == NULL)
		yajl_gen_null(g);
	else
		yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

/*
 * A moment as the status file, the event hook and the expiry warning
 * give it: ISO 8601, UTC.  0, or -1 if it cannot be written.
 */
int
iso_time(time_t t, char *s, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(s, len, "?");
		return -1;
	}
	return 0;
}

static void
gen_time(yajl_gen g, time_t t)
{
	char	 s[32];

	if (t <= 0 || iso_time(t, s, sizeof(s)) == -1)
		yajl_gen_null(g);
	else
		gen_str(g, s);
}

static void
gen_key(yajl_gen g, const char *k)
{
	gen_str(g, k);
}

static void
gen_cert(yajl_gen g, const struct dstate *ds)
{
	const struct domain	*d = ds->d;
	size_t			 i;

	yajl_gen_map_open(g);
	gen_key(g, "domain");
	gen_str(g, d->handle);
	gen_key(g, "names");
	yajl_gen_array_open(g);
	for (i = 0; i < d->nnames; i++)
		gen_str(g, d->names[i]);
	yajl_gen_array_close(g);
	gen_key(g, "authority");
	gen_str(g, d->auth ? d->auth->name : d->auth_name);
	gen_key(g, "state");
	gen_str(g, state_names[ds->state]);
	gen_key(g, "provisional");
	yajl_gen_bool(g, ds->state == CERT_PROVISIONAL);
	gen_key(g, "not_before");
	gen_time(g, ds->state == CERT_MISSING ? 0 : ds->not_before);
	gen_key(g, "not_after");
	gen_time(g, ds->state == CERT_MISSING ? 0 : ds->not_after);
	gen_key(g, "next_action");
	gen_str(g, ds->issuing ? "ordering" : ds->state == CERT_ISSUED ?
	    (ds->next >= sched_renewal_time(ds) ? "renew" : "check") :
	    "issue");
	gen_key(g, "next_at");
	gen_time(g, ds->next);
	gen_key(g, "renewal_window");
	if (ds->ari_start != 0) {
		yajl_gen_map_open(g);
		gen_key(g, "start");
		gen_time(g, ds->ari_start);
		gen_key(g, "end");
		gen_time(g, ds->ari_end);
		yajl_gen_map_close(g);
	} else
		yajl_gen_null(g);
	gen_key(g, "retry_after");
	gen_time(g, ds->retry_until > time(NULL) ? ds->retry_until : 0);
	gen_key(g, "failures");
	yajl_gen_integer(g, ds->failures);
	gen_key(g, "last_error");
	gen_str(g, ds->last_error);
	gen_key(g, "files");
	yajl_gen_map_open(g);
	gen_key(g, "key");
	gen_str(g, d->key);
	gen_key(g, "certificate");
	gen_str(g, d->cert);
	gen_key(g, "chain");
	gen_str(g, d->chain);
	gen_key(g, "full_chain");
	gen_str(g, d->fullchain);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

/* A child's sandbox in words, as the start-up line and acmed -s say it. */
static void
sandbox_words(long long abi, long long want, int seccomp, char *buf,
    size_t len)
{
	if (abi == 0)
		snprintf(buf, len, "no Landlock (ABI %lld wanted)", want);
	else if (abi < want)
		snprintf(buf, len, "Landlock ABI %lld, %lld wanted: incomplete",
		    abi, want);
	else
		snprintf(buf, len, "Landlock ABI %lld", abi);
	strlcat(buf, seccomp ? ", seccomp filter" : ", no seccomp filter",
	    len);
}

/*
 * The start-up line, once every child has said what its sandbox holds:
 * one phrase for all if they say the same.
 */
static void
summary_flush(void)
{
	char	 words[PROC_MAX][96], sb[512];
	int	 p, same = 1;

	if (summary == NULL)
		return;
	for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
		if (!sandboxes[p].known)
			return;
		sandbox_words(sandboxes[p].l.landlock, SANDBOX_LANDLOCK_WANT,
		    sandboxes[p].l.seccomp, words[p], sizeof(words[p]));
		same &= strcmp(words[p], words[PROC_PARENT + 1]) == 0;
	}
	sb[0] = '\0';
	for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
		if (same) {
			strlcat(sb, proc_names[p], sizeof(sb));
			strlcat(sb, p + 1 == PROC_MAX ? ": " : p + 2 ==
			    PROC_MAX ? " and " : ", ", sizeof(sb));
			continue;
		}
		strlcat(sb, proc_names[p], sizeof(sb));
		strlcat(sb, ": ", sizeof(sb));
		strlcat(sb, words[p], sizeof(sb));
		if (p + 1 < PROC_MAX)
			strlcat(sb, "; ", sizeof(sb));
	}
	if (same)
		strlcat(sb, words[PROC_PARENT + 1], sizeof(sb));
	log_info("%s; sandbox of %s", summary, sb);
	free(summary);
	summary = NULL;
}

/* What child p's sandbox holds; NULL: unknown (the child is not running). */
void
status_sandbox(int p, const struct sandbox_level *l)
{
	if (p <= PROC_PARENT || p >= PROC_MAX)
		return;
	sandboxes[p].known = l != NULL;
	if (l != NULL)
		sandboxes[p].l = *l;
	summary_flush();
}

/*
 * The start-up line: what this acmed is, what it looks after, where it
 * listens, keeps its state and logs; logged with what each child's
 * sandbox holds once they have all said it.
 */
void
status_starting(const struct config *conf, size_t ncerts)
{
	const struct listen_addr	*l;
	const struct authority		*a;
	struct buf			 b;
	char				 where[PATH_MAX + 128];
	size_t				 nauth = 0;

	TAILQ_FOREACH(a, &conf->authorities, entry)
		nauth++;
	log_where(where, sizeof(where));
	buf_init(&b, 0);
	(void)buf_printf(&b, "starting: acmed %s, configuration %s, %zu "
	    "certificate%s, %zu authorit%s, listening on", ACMED_VERSION,
	    conf->file, ncerts, ncerts == 1 ? "" : "s", nauth,
	    nauth == 1 ? "y" : "ies");
	TAILQ_FOREACH(l, &conf->listens, entry)
		(void)buf_printf(&b, "%s %s", l == TAILQ_FIRST(&conf->listens) ?
		    "" : ",", l->text);
	(void)buf_printf(&b, ", state directory %s, logs to %s",
	    conf->state_dir, where);
	free(summary);
	summary = buf_release(&b, NULL);
	summary_flush();
}

/*
 * "sandbox": for each child, null while it is not running, or the
 * Landlock ABI of its rules (0: none), the ABI that has every right it
 * asks for, and whether its seccomp filter is on.
 */
static void
gen_sandbox(yajl_gen g)
{
	int	 p;

	yajl_gen_map_open(g);
	for (p = PROC_PARENT + 1; p < PROC_MAX; p++) {
		gen_key(g, proc_names[p]);
		if (!sandboxes[p].known) {
			yajl_gen_null(g);
			continue;
		}
		yajl_gen_map_open(g);
		gen_key(g, "landlock_abi");
		yajl_gen_integer(g, sandboxes[p].l.landlock);
		gen_key(g, "landlock_wanted");
		yajl_gen_integer(g, SANDBOX_LANDLOCK_WANT);
		gen_key(g, "seccomp");
		yajl_gen_bool(g, sandboxes[p].l.seccomp);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

int
status_write(const struct config *conf, const struct dstate *ds, size_t n)
{
	yajl_gen		 g;
	const unsigned char	*out;
	size_t			 len, i;
	char			 path[4096];
	int			 rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", conf->state_dir,
	    STATUS_FILE) >= sizeof(path))
		return -1;
	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return -1;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_map_open(g);
	gen_key(g, "updated");
	gen_time(g, time(NULL));
	gen_key(g, "pid");
	yajl_gen_integer(g, getpid());
	gen_key(g, "sandbox");
	gen_sandbox(g);
	gen_key(g, "certificates");
	yajl_gen_array_open(g);
	for (i = 0; i < n; i++)
		gen_cert(g, &ds[i]);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &out, &len) == yajl_gen_status_ok)
		/* Rewritten from memory after every change: not flushed. */
		rc = write_file_atomic(path, out, len, 0644, WRITE_NOSYNC);
	yajl_gen_free(g);
	return rc;
}

static const char *
field_str(yajl_val obj, const char *name)
{
	const char	*path[2] = { name, NULL };
	yajl_val	 v;

	v = yajl_tree_get(obj, path, yajl_t_string);
	return v ? YAJL_GET_STRING(v) : NULL;
}

static long long
field_int(yajl_val obj, const char *name)
{
	const char	*path[2] = { name, NULL };
	yajl_val	 v;

	v = yajl_tree_get(obj, path, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static int
field_true(yajl_val obj, const char *name)
{
	const char	*path[2] = { name, NULL };
	yajl_val	 v;

	v = yajl_tree_get(obj, path, yajl_t_any);
	return v != NULL && YAJL_IS_TRUE(v);
}

/* Each child's sandbox, as the status file has it. */
static void
print_sandbox(yajl_val root)
{
	const char	*path[2] = { "sandbox", NULL };
	yajl_val	 sb, c;
	char		 words[96];
	size_t		 i;

	if ((sb = yajl_tree_get(root, path, yajl_t_object)) == NULL)
		return;
	printf("sandbox:\n");
	for (i = 0; i < YAJL_GET_OBJECT(sb)->len; i++) {
		c = YAJL_GET_OBJECT(sb)->values[i];
		printf("  %s: ", YAJL_GET_OBJECT(sb)->keys[i]);
		if (!YAJL_IS_OBJECT(c)) {
			printf("not running\n");
			continue;
		}
		sandbox_words(field_int(c, "landlock_abi"),
		    field_int(c, "landlock_wanted"), field_true(c, "seccomp"),
		    words, sizeof(words));
		printf("%s\n", words);
	}
}

/* "acmed -s": the status file, for a person. */
int
status_print(const char *state_dir)
{
	const char	*path_certs[2] = { "certificates", NULL };
	char		 path[4096], err[256], *data;
	const char	*path_names[2] = { "names", NULL };
	yajl_val	 root, certs, c, names;
	size_t		 len, i, j;
	const char	*s, *t;
	char		 now[32];

	snprintf(path, sizeof(path), "%s/%s", state_dir, STATUS_FILE);
	if (read_file(path, STATUS_MAX, &data, &len) == -1) {
		log_warn("%s", path);
		return -1;
	}
	root = yajl_tree_parse(data, err, sizeof(err));
	free(data);
	if (root == NULL || (certs = yajl_tree_get(root, path_certs,
	    yajl_t_array)) == NULL) {
		log_warnx("%s: not a status file", path);
		yajl_tree_free(root);
		return -1;
	}
	(void)iso_time(time(NULL), now, sizeof(now));
	printf("status of acmed (pid %lld), updated %s\n",
	    field_int(root, "pid"), (s = field_str(root, "updated")) ? s :
	    "?");
	print_sandbox(root);
	for (i = 0; i < YAJL_GET_ARRAY(certs)->len; i++) {
		c = YAJL_GET_ARRAY(certs)->values[i];
		if (!YAJL_IS_OBJECT(c))
			continue;
		printf("\n%s (authority %s)\n", field_str(c, "domain"),
		    (s = field_str(c, "authority")) ? s : "?");
		if ((names = yajl_tree_get(c, path_names,
		    yajl_t_array)) != NULL) {
			printf("  names:");
			for (j = 0; j < YAJL_GET_ARRAY(names)->len; j++)
				if (YAJL_IS_STRING(YAJL_GET_ARRAY(names)->
				    values[j]))
					printf(" %s", YAJL_GET_STRING(
					    YAJL_GET_ARRAY(names)->values[j]));
			printf("\n");
		}
		printf("  certificate: %s", field_str(c, "state"));
		/* The same form for both: the string order is the time's. */
		if ((s = field_str(c, "not_after")) != NULL)
			printf(", %s %s", strcmp(s, now) < 0 ? "expired at" :
			    "valid until", s);
		s = field_str(c, "next_action");
		t = field_str(c, "next_at");
		printf("\n  next: %s at %s\n", s ? s : "?", t ? t : "?");
		if ((s = field_str(c, "retry_after")) != NULL)
			printf("  the authority allows no attempt before %s "
			    "(Retry-After)\n", s);
		if (field_int(c, "failures") > 0)
			printf("  failures in a row: %lld\n",
			    field_int(c, "failures"));
		if ((s = field_str(c, "last_error")) != NULL)
			printf("  last error: %s\n", s);
	}
	yajl_tree_free(root);
	return 0;
}
