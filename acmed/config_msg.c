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
 * The configuration's messages.  The checks run in the order they can
 * (a statement, its block's end, the whole file, the files it names), so
 * what they find is kept and logged when the file has been read, in the
 * order a reader meets it: by line, and an included file's messages at
 * the line of its include.  A statement that begins with no keyword of
 * its block is told the keyword it most likely meant, or the block it
 * belongs in.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_priv.h"
#include "log.h"

/* Where a message stands: the include lines down to it, then its own. */
#define PLACE_MAX	(CONF_MAX_INCLUDE_DEPTH + 2)

struct place {
	int	 key[PLACE_MAX];
	int	 nkey;
};

struct conf_file {
	const char	*name;
	struct place	 at;	/* of its first line */
};

struct kept {
	struct place	 at;
	size_t		 seq;
	char		*text;
};

static struct conf_file	*files;
static size_t		 nfiles;
static struct kept	*msgs;
static size_t		 nmsgs;

static const struct conf_file *
file_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < nfiles; i++)
		if (files[i].name == name)
			return &files[i];
	/* the same name held elsewhere: the first file read by it */
	for (i = 0; i < nfiles; i++)
		if (strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

/*
 * A file begins to be read: included at parent:line, or the file itself
 * (parent NULL).
 */
void
conf_msg_file(const char *name, const char *parent, int line)
{
	const struct conf_file	*p;
	struct conf_file	*f;

	f = reallocarray(files, nfiles + 1, sizeof(*f));
	if (f == NULL)
		fatal("reallocarray");
	files = f;
	f += nfiles++;
	f->name = name;
	f->at.nkey = 0;
	if (parent != NULL && (p = file_find(parent)) != NULL) {
		f->at = p->at;
		if (f->at.nkey < PLACE_MAX - 1)
			f->at.key[f->at.nkey++] = line;
	}
}

/* A message about file:line; line 0 is about the file as a whole. */
void
conf_vmsg(const char *file, int line, int warning, const char *fmt,
    va_list ap)
{
	const struct conf_file	*f;
	struct kept		*m;
	char			 text[2048];

	vsnprintf(text, sizeof(text), fmt, ap);
	m = reallocarray(msgs, nmsgs + 1, sizeof(*m));
	if (m == NULL)
		fatal("reallocarray");
	msgs = m;
	m += nmsgs;
	m->seq = nmsgs++;
	m->at.nkey = 0;
	if ((f = file_find(file)) != NULL)
		m->at = f->at;
	m->at.key[m->at.nkey++] = line;
	if ((line == 0 ? asprintf(&m->text, "%s: %s%s", file, warning ?
	    "warning: " : "", text) : asprintf(&m->text, "%s:%d: %s%s", file,
	    line, warning ? "warning: " : "", text)) == -1)
		fatal("asprintf");
}

void
conf_msg(const char *file, int line, int warning, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	conf_vmsg(file, line, warning, fmt, ap);
	va_end(ap);
}

/* A value too long to show whole, or of several lines: its beginning. */
const char *
conf_shorten(const char *s)
{
	static char	 buf[CONF_MSG_VALUE];
	size_t		 n;

	n = strcspn(s, "\n");
	if (s[n] == '\0' && n < sizeof(buf))
		return s;
	if (n > sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	snprintf(buf, sizeof(buf), "%.*s...", (int)n, s);
	return buf;
}

static int
msg_cmp(const void *a, const void *b)
{
	const struct kept	*x = a, *y = b;
	int			 i;

	for (i = 0; i < x->at.nkey && i < y->at.nkey; i++)
		if (x->at.key[i] != y->at.key[i])
			return x->at.key[i] < y->at.key[i] ? -1 : 1;
	if (x->at.nkey != y->at.nkey)
		return x->at.nkey < y->at.nkey ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Logs what was kept, in the order of the file, and forgets it all. */
void
conf_msg_flush(void)
{
	size_t	 i;

	if (nmsgs > 0)
		qsort(msgs, nmsgs, sizeof(*msgs), msg_cmp);
	for (i = 0; i < nmsgs; i++) {
		log_warnx("%s", msgs[i].text);
		free(msgs[i].text);
	}
	free(msgs);
	msgs = NULL;
	nmsgs = 0;
	free(files);
	files = NULL;
	nfiles = 0;
}

/*
 * The keywords a statement begins with, and where it goes.  A keyword of
 * the grammar that begins a statement must be here (t_config.sh checks).
 */
static const struct phrase {
	const char	*words;
	enum conf_block	 in;
} phrases[] = {
	{ "authority",				CONF_BLOCK_NONE },
	{ "domain",				CONF_BLOCK_NONE },
	{ "include",				CONF_BLOCK_NONE },
	{ "listen on",				CONF_BLOCK_NONE },
	{ "state directory",			CONF_BLOCK_NONE },
	{ "empty directory",			CONF_BLOCK_NONE },
	{ "check interval",			CONF_BLOCK_NONE },
	{ "expiry warning",			CONF_BLOCK_NONE },
	{ "event hook",				CONF_BLOCK_NONE },
	{ "log file",				CONF_BLOCK_NONE },
	{ "metrics file",			CONF_BLOCK_NONE },
	{ "pid file",				CONF_BLOCK_NONE },
	{ "user netproc",			CONF_BLOCK_NONE },
	{ "user keyproc",			CONF_BLOCK_NONE },
	{ "user challenged",			CONF_BLOCK_NONE },
	{ "user dns",				CONF_BLOCK_NONE },
	{ "dns hook timeout",			CONF_BLOCK_NONE },
	{ "dns wait",				CONF_BLOCK_NONE },
	{ "api url",				CONF_BLOCK_AUTHORITY },
	{ "api ca",				CONF_BLOCK_AUTHORITY },
	{ "account key",			CONF_BLOCK_AUTHORITY },
	{ "contact",				CONF_BLOCK_AUTHORITY },
	{ "external account",			CONF_BLOCK_AUTHORITY },
	{ "insecure",				CONF_BLOCK_AUTHORITY },
	{ "max orders",			CONF_BLOCK_AUTHORITY },
	{ "test authority",			CONF_BLOCK_AUTHORITY },
	{ "alternative names",			CONF_BLOCK_DOMAIN },
	{ "domain name",			CONF_BLOCK_DOMAIN },
	{ "domain key",				CONF_BLOCK_DOMAIN },
	{ "domain key keep",			CONF_BLOCK_DOMAIN },
	{ "domain key rotate",			CONF_BLOCK_DOMAIN },
	{ "domain certificate",			CONF_BLOCK_DOMAIN },
	{ "domain chain certificate",		CONF_BLOCK_DOMAIN },
	{ "domain full chain certificate",	CONF_BLOCK_DOMAIN },
	{ "sign with",				CONF_BLOCK_DOMAIN },
	{ "fallback after",			CONF_BLOCK_DOMAIN },
	{ "challenge",				CONF_BLOCK_DOMAIN },
	{ "challengedir",			CONF_BLOCK_DOMAIN },
	{ "challenge",				CONF_BLOCK_DOMAIN },
	{ "profile",				CONF_BLOCK_DOMAIN },
	{ "preferred chain",			CONF_BLOCK_DOMAIN },
	{ "renew before",			CONF_BLOCK_DOMAIN },
	{ "reload",				CONF_BLOCK_DOMAIN },
	{ "reload shell",			CONF_BLOCK_DOMAIN },
	{ "reload signal",			CONF_BLOCK_DOMAIN },
	{ "verify",				CONF_BLOCK_DOMAIN },
	{ "cluster",				CONF_BLOCK_NONE },
	{ "etcd",				CONF_BLOCK_CLUSTER },
	{ "etcd ca",				CONF_BLOCK_CLUSTER },
	{ "etcd certificate",			CONF_BLOCK_CLUSTER },
	{ "etcd key",				CONF_BLOCK_CLUSTER },
	{ "prefix",				CONF_BLOCK_CLUSTER },
	{ "fleet key",				CONF_BLOCK_CLUSTER },
	{ "node",				CONF_BLOCK_CLUSTER },
};
#define NPHRASES	(sizeof(phrases) / sizeof(phrases[0]))
#define PHRASE_MAX	32	/* the longest phrase, and its NUL */

static const char *const block_kinds[] = {
	[CONF_BLOCK_NONE] = "a global setting, outside the blocks",
	[CONF_BLOCK_AUTHORITY] = "an authority option",
	[CONF_BLOCK_DOMAIN] = "a domain option",
	[CONF_BLOCK_CLUSTER] = "a cluster option",
};

static size_t
count_words(const char *s)
{
	size_t	 n = 1;

	for (; *s != '\0'; s++)
		n += *s == ' ';
	return n;
}

/* The first n words of a phrase. */
static void
phrase_head(const char *phrase, size_t n, char *buf, size_t len)
{
	const char	*p = phrase;

	while (n-- > 0 && (p = strchr(p, ' ')) != NULL)
		p++;
	snprintf(buf, len, "%.*s", p == NULL ? (int)strlen(phrase) :
	    (int)(p - 1 - phrase), phrase);
}

/* The first n words written, one space apart. */
static void
typed_head(char *const *w, size_t n, char *buf, size_t len)
{
	size_t	 i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    i > 0 ? " " : "", w[i]);
}

/*
 * The edit distance between what was written and a phrase, letters of
 * either case alike, two letters swapped counting as one edit (optimal
 * string alignment).  Three rows: this one, and the two above.
 */
static size_t
distance(const char *a, const char *b)
{
	size_t	 d[3][PHRASE_MAX];
	size_t	 i, j, la = strlen(a), lb = strlen(b), v;
	size_t	*cur, *up, *up2;
	int	 ca;

	if (lb >= PHRASE_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		cur = d[i % 3];
		up = d[(i - 1) % 3];
		up2 = d[(i + 1) % 3];
		cur[0] = i;
		ca = tolower((unsigned char)a[i - 1]);
		for (j = 1; j <= lb; j++) {
			v = up[j - 1] + (ca != b[j - 1]);
			if (up[j] + 1 < v)
				v = up[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == b[j - 2] &&
			    tolower((unsigned char)a[i - 2]) == b[j - 1] &&
			    up2[j - 2] + 1 < v)
				v = up2[j - 2] + 1;
			cur[j] = v;
		}
	}
	return d[la % 3][lb];
}

/* A word that opens a block of its own. */
static int
block_word(const char *w)
{
	return strcmp(w, "authority") == 0 || strcmp(w, "domain") == 0 ||
	    strcmp(w, "cluster") == 0;
}

/*
 * A statement in block "in" begins with the words w[0..n-1] (keywords or
 * not); the first that is wrong is w[bad], and a '{' ends the statement
 * if opens_block.  The hint for it, in msg: where it belongs if it is a
 * statement of another block, else the keyword nearest to it; -1 if no
 * keyword is near.
 */
int
conf_keyword_hint(enum conf_block in, char *const *w, size_t n, size_t bad,
    int opens_block, char *msg, size_t len)
{
	const struct phrase	*p, *best = NULL;
	char			 head[PHRASE_MAX], typed[512];
	size_t			 i, k, m, d, best_d = 0, best_m = 0;

	/* A statement of another block, word for word. */
	for (i = 0; i < NPHRASES; i++) {
		p = &phrases[i];
		k = count_words(p->words);
		if (p->in == in || k > n || k <= bad || (best != NULL &&
		    k <= best_m))
			continue;
		typed_head(w, k, typed, sizeof(typed));
		if (strcmp(typed, p->words) == 0) {
			best = p;
			best_m = k;
		}
	}
	if (best != NULL && block_word(best->words))
		goto nested;
	if (best != NULL) {
		snprintf(msg, len, "%s is %s", best->words,
		    block_kinds[best->in]);
		return 0;
	}

	/* The nearest keyword, this block's first. */
	for (i = 0; i < NPHRASES; i++) {
		p = &phrases[i];
		k = count_words(p->words);
		m = k < n ? k : n;
		if (m <= bad)
			continue;
		phrase_head(p->words, m, head, sizeof(head));
		typed_head(w, m, typed, sizeof(typed));
		d = distance(typed, head);
		if (d > 2 || 3 * d > strlen(head))
			continue;
		/* the fewest edits, over the most words, in this block */
		if (best == NULL || d < best_d || (d == best_d &&
		    (m > best_m || (m == best_m && p->in == in &&
		    best->in != in)))) {
			best = p;
			best_d = d;
			best_m = m;
		}
	}
	if (best != NULL) {
		typed_head(w, best_m, typed, sizeof(typed));
		if (best->in == in)
			snprintf(msg, len, "unknown keyword \"%s\": did you "
			    "mean \"%s\"?", typed, best->words);
		else
			snprintf(msg, len, "unknown keyword \"%s\": did you "
			    "mean \"%s\" (%s)?", typed, best->words,
			    block_kinds[best->in]);
		return 0;
	}
	if (opens_block && in != CONF_BLOCK_NONE && n > 0 &&
	    block_word(w[0]))
		goto nested;
	return -1;
nested:
	snprintf(msg, len, "%s begins a block, which cannot be inside "
	    "another: is a '}' missing above?", w[0]);
	return 0;
}
