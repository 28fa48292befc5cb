/*
 * The configuration's messages.  The checks run in the order they can
 * (a statement, its block's end, the whole file, the files it names), so
 * what they find is kept and logged when the file has been read, in the
 * order a reader meets it: by line, and an included file's messages at
 * the line of its include.
 */
#include <stdarg.h>
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
