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
 * Installing certificates.  Nothing is ever half-written: each file is
 * written to a temporary file in its directory, synced and renamed over
 * the old one, whose previous contents stay as NAME.bak.  Before anything
 * is written the chain is checked (x509check.c): the leaf carries the
 * domain's public key and exactly its names, and each certificate is
 * signed by the next; an issued chain has at least the leaf's issuer, a
 * CA, and a leaf valid for no longer than a public CA may issue.  A new
 * domain key is installed with the first certificate that carries it,
 * renamed into place after the certificate files.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "log.h"
#include "msg.h"
#include "config.h"
#include "parent.h"
#include "parent_state.h"
#include "trust.h"
#include "x509check.h"

#define CHAIN_MAX_BYTES		(256 * 1024)
#define PEM_END			"-----END CERTIFICATE-----"
#define ASIDE_MAX		100	/* FILE.SUFFIX, then .2 to .100 */

/* The intermediates of issued chains, parsed once. */
static struct x509_cache issuers;

/* Flushes the directory that holds path: a rename in it is on disk. */
int
fsync_dir(const char *path)
{
	char	*copy, *dir;
	int	 fd, rc = 0;

	if ((copy = strdup(path)) == NULL)
		return -1;
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1)
		rc = -1;
	if (fd != -1)
		close(fd);
	free(copy);
	return rc;
}

/* Renames from to to unless to exists: -1 with errno EEXIST if it does. */
static int
rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	/* A file system without RENAME_NOREPLACE: link() never replaces. */
	if (errno != EINVAL || link(from, to) == -1)
		return -1;
	if (unlink(from) == -1) {
		log_warn("%s: moved to %s, but still there too", from, to);
		return -1;
	}
	return 0;
}

/*
 * Moves path aside as PATH.SUFFIX, or PATH.SUFFIX.N (N from 2) if that is
 * taken: what was moved aside before is never overwritten.  The name it
 * got goes in to.  0; 1 if there is no path; -1 (logged) if it stays.
 */
int
file_aside(const char *path, const char *suffix, char *to, size_t len)
{
	int	 i, n;

	for (i = 1; i <= ASIDE_MAX; i++) {
		n = i == 1 ? snprintf(to, len, "%s.%s", path, suffix) :
		    snprintf(to, len, "%s.%s.%d", path, suffix, i);
		if (n < 0 || (size_t)n >= len) {
			log_warnx("%s.%s: path too long", path, suffix);
			return -1;
		}
		if (rename_noreplace(path, to) == 0) {
			if (fsync_dir(to) == -1)
				log_warn("fsync of the directory of %s", to);
			return 0;
		}
		if (errno == ENOENT)
			return 1;
		if (errno != EEXIST) {
			log_warn("moving %s to %s", path, to);
			return -1;
		}
	}
	log_warnx("%s: %s.%s to %s.%s.%d all taken", path, path, suffix, path,
	    suffix, ASIDE_MAX);
	return -1;
}

/*
 * Flushes the directories of the n paths (NULL: none), each once: files
 * installed together, in one directory most often, cost one flush.
 */
static int
fsync_dirs(const char *const *paths, size_t n)
{
	char	*a, *b;
	size_t	 i, j;
	int	 rc = 0, seen;

	for (i = 0; i < n; i++) {
		if (paths[i] == NULL)
			continue;
		seen = 0;
		for (j = 0; j < i && !seen; j++) {
			if (paths[j] == NULL)
				continue;
			a = strdup(paths[i]);
			b = strdup(paths[j]);
			seen = a != NULL && b != NULL &&
			    strcmp(dirname(a), dirname(b)) == 0;
			free(a);
			free(b);
		}
		if (!seen && fsync_dir(paths[i]) == -1) {
			log_warn("fsync of the directory of %s", paths[i]);
			rc = -1;
		}
	}
	return rc;
}

/*
 * Writes data to a new temporary file beside path, with group gid unless
 * it is TRUST_NOGROUP, on disk before it returns unless flags has
 * WRITE_NOSYNC; returns its name.  With WRITE_FIXED it is PATH.new,
 * which the next start knows to look for, replaced if it is there.
 */
static char *
write_temp(const char *path, const void *data, size_t len, mode_t mode,
    gid_t gid, int flags)
{
	char		*tmp;
	const char	*p = data;
	ssize_t		 n;
	int		 fd;

	if (asprintf(&tmp, (flags & WRITE_FIXED) ? "%s.new" : "%s.XXXXXX",
	    path) == -1)
		return NULL;
	if ((flags & WRITE_FIXED) && unlink(tmp) == -1 && errno != ENOENT)
		log_warn("%s", tmp);
	if ((fd = (flags & WRITE_FIXED) ? open(tmp, O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) : mkostemp(tmp,
	    O_CLOEXEC)) == -1) {
		log_warn("%s", tmp);
		free(tmp);
		return NULL;
	}
	if ((gid != TRUST_NOGROUP && fchown(fd, (uid_t)-1, gid) == -1) ||
	    fchmod(fd, mode) == -1)
		goto fail;
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!(flags & WRITE_NOSYNC) && fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return tmp;
fail:
	log_warn("%s", tmp);
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return NULL;
}

/*
 * Puts a written temporary file in place, keeping the old one as .bak with
 * WRITE_BACKUP.
 */
static int
commit_temp(const char *tmp, const char *path, int flags)
{
	char	*bak;

	if ((flags & WRITE_BACKUP) && access(path, F_OK) == 0) {
		if (asprintf(&bak, "%s.bak", path) == -1)
			return -1;
		if (unlink(bak) == -1 && errno != ENOENT)
			log_warn("%s", bak);
		if (link(path, bak) == -1)
			log_warn("backup %s", bak);
		free(bak);
	}
	if (rename(tmp, path) == -1) {
		log_warn("rename %s", path);
		unlink(tmp);
		return -1;
	}
	if (!(flags & WRITE_NOSYNC) && fsync_dir(path) == -1)
		log_warn("fsync of the directory of %s", path);
	return 0;
}

int
write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
    int flags)
{
	return write_file_owned(path, data, len, mode, TRUST_NOGROUP, flags);
}

/* As write_file_atomic(), the file's group gid (a key its group reads). */
int
write_file_owned(const char *path, const void *data, size_t len, mode_t mode,
    gid_t gid, int flags)
{
	char	*tmp;
	int	 rc;

	if ((tmp = write_temp(path, data, len, mode, gid, flags)) == NULL)
		return -1;
	rc = commit_temp(tmp, path, flags);
	free(tmp);
	return rc;
}

/*
 * Reads what is left of fd, at most max bytes, NUL-terminated, and
 * closes it; path names it in messages.
 */
int
read_fd(int fd, const char *path, size_t max, char **datap, size_t *lenp)
{
	struct buf	 b;
	char		 chunk[8192];
	ssize_t		 n;
	int		 saved;

	*datap = NULL;
	*lenp = 0;
	buf_init(&b, max);
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		if (buf_add(&b, chunk, (size_t)n) == -1) {
			log_warnx("%s: larger than %zu bytes", path, max);
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	if ((*datap = buf_release(&b, lenp)) == NULL)
		return -1;
	return 0;
fail:
	saved = errno;
	close(fd);
	buf_free(&b);
	errno = saved;
	return -1;
}

/*
 * Reads a whole file of at most max bytes, NUL-terminated, if it passes
 * the rule for files (trust.c): never through a symbolic link nor from a
 * FIFO.  Its directories passed with the configuration.  -1 with errno:
 * ENOENT if it does not exist, EPERM if it is refused (logged).
 */
int
read_file(const char *path, size_t max, char **datap, size_t *lenp)
{
	char	 why[TRUST_WHY_MAX];
	int	 fd;

	*datap = NULL;
	*lenp = 0;
	if ((fd = trust_open_file(path, 0, TRUST_NOGROUP, why,
	    sizeof(why))) == -1) {
		if (errno == EPERM)
			log_warnx("%s: not read: %s", path, why);
		return -1;
	}
	return read_fd(fd, path, max, datap, lenp);
}

static void
chain_free(X509 **certs, int n)
{
	while (n > 0)
		X509_free(certs[--n]);
}

/*
 * Reads a domain's certificate file at path into its state: whether it is
 * missing, provisional or issued, its validity, and whether it names
 * exactly the configured names.
 */
int
cert_file_info(struct dstate *ds, const char *path)
{
	char	*data;
	size_t	 len;
	int	 provisional, same = 1;

	ds->state = CERT_MISSING;
	ds->names_changed = 0;
	if (path == NULL || read_file(path, CHAIN_MAX_BYTES, &data, &len) == -1)
		return -1;
	if (x509_leaf_info(data, len, &ds->not_before, &ds->not_after,
	    &provisional, ds->d->names, ds->d->nnames, &same) == -1) {
		log_warnx("%s: no certificate in it", path);
		free(data);
		return -1;
	}
	free(data);
	ds->state = provisional ? CERT_PROVISIONAL : CERT_ISSUED;
	ds->names_changed = !provisional && !same;
	return 0;
}

/*
 * Whether acmed may read and replace a domain's certificate files: each
 * that exists must pass the rule for files (trust.c).  A link, a FIFO or
 * another's file there is not acmed's, and is left for the administrator
 * to see to.  0, or -1 with why naming the file.
 */
int
cert_files_check(const struct domain *d, char *why, size_t len)
{
	const char	*paths[3] = { d->cert, d->chain, d->fullchain };
	const char	*what[3] = { "domain certificate",
			    "domain chain certificate",
			    "domain full chain certificate" };
	char		 r[TRUST_WHY_MAX];
	size_t		 i;
	int		 fd;

	for (i = 0; i < 3; i++) {
		if (paths[i] == NULL)
			continue;
		if ((fd = trust_open_file(paths[i], TRUST_LOOK, TRUST_NOGROUP,
		    r, sizeof(r))) != -1) {
			close(fd);
			continue;
		}
		if (errno == ENOENT)
			continue;
		snprintf(why, len, "%s %s: %s: neither read nor replaced",
		    what[i], paths[i], r);
		return -1;
	}
	return 0;
}

static int
pem_append(struct buf *b, X509 *x)
{
	BIO	*bio;
	char	*p;
	long	 len;
	int	 rc = -1;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return -1;
	if (PEM_write_bio_X509(bio, x) == 1 &&
	    (len = BIO_get_mem_data(bio, &p)) > 0)
		rc = buf_add(b, p, (size_t)len);
	BIO_free(bio);
	return rc;
}

/* STATE/keys/HANDLE.key: a new domain key, until its certificate is in. */
int
key_pending_path(const struct dstate *ds, char *path, size_t len)
{
	return state_path(path, len, conf->state_dir, "keys", ds->d->handle);
}

/*
 * The pending key copied as KEY.new beside the domain key, with the
 * installed key's mode and group, on disk; its name, or NULL (logged).
 * The parent copies the bytes and parses nothing: keyproc made them.
 */
static char *
key_new_write(const struct dstate *ds)
{
	const struct domain	*d = ds->d;
	char			 path[PATH_MAX], why[TRUST_WHY_MAX], *data, *tmp;
	size_t			 len;
	int			 fd;

	if (key_pending_path(ds, path, sizeof(path)) == -1)
		return NULL;
	if ((fd = trust_open(path, TRUST_SECRET, TRUST_NOGROUP, why,
	    sizeof(why))) == -1) {
		log_warnx("%s: pending key %s: %s", d->handle, path, why);
		return NULL;
	}
	if (read_fd(fd, path, MSG_KEY_PEM_MAX, &data, &len) == -1) {
		log_warn("%s: pending key %s", d->handle, path);
		return NULL;
	}
	tmp = write_temp(d->key, data, len, d->key_gid == TRUST_NOGROUP ?
	    0600 : 0640, d->key_gid, WRITE_FIXED);
	explicit_bzero(data, len);
	free(data);
	return tmp;
}

/*
 * KEY.new takes the domain key's place, after the certificate files,
 * which are on disk first; then the pending key is forgotten.  Until
 * then a start finds it and finishes (certs.c).  0, or -1 (logged).
 */
static int
key_new_commit(struct dstate *ds, const char *tmp)
{
	char	 path[PATH_MAX];

	if (commit_temp(tmp, ds->d->key, 0) == -1 ||
	    key_pending_path(ds, path, sizeof(path)) == -1)
		return -1;
	if (unlink(path) == -1)
		log_warn("%s: pending key %s", ds->d->handle, path);
	else if (fsync_dir(path) == -1)
		log_warn("fsync of the directory of %s", path);
	ds->key_pending = 0;
	log_info("%s: new key installed as %s", ds->d->handle, ds->d->key);
	return 0;
}

/* The pending key installed as the domain key: 0, or -1 (logged). */
int
key_pending_install(struct dstate *ds)
{
	char	*tmp;
	int	 rc;

	if ((tmp = key_new_write(ds)) == NULL)
		return -1;
	rc = key_new_commit(ds, tmp);
	free(tmp);
	return rc;
}

/* Removes PATH.new, a key a run left as it ended, and says so. */
static void
key_new_unlink(const struct dstate *ds, const char *path, const char *why)
{
	char	 tmp[PATH_MAX];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) <
	    sizeof(tmp) && unlink(tmp) == 0)
		log_info("%s: %s removed: %s", ds->d->handle, tmp, why);
}

/*
 * At the start: the pending key's temporary file, left by a run that
 * ended as it wrote it, and if beside, KEY.new, left by a run that ended
 * before the certificate was in.
 */
void
key_new_remove(const struct dstate *ds, int beside)
{
	char	 path[PATH_MAX];

	if (key_pending_path(ds, path, sizeof(path)) == 0)
		key_new_unlink(ds, path, "a key never finished");
	if (beside)
		key_new_unlink(ds, ds->d->key, "its certificate was never "
		    "installed");
}

/*
 * Checks and installs a chain (leaf first) into the domain's certificate,
 * chain and full chain files, whichever are configured; one an authority
 * issued (issued, not the provisional certificate) is checked as such
 * too.  All temporary files are written before any is renamed into place.
 */
int
install_chain(struct dstate *ds, const char *pem, size_t len, int issued)
{
	const struct domain	*d = ds->d;
	X509			*certs[CHAIN_CERTS_MAX];
	struct buf		 leaf, chain, full;
	const char		*paths[3];
	const struct buf	*data[3];
	char			*tmps[3] = { NULL, NULL, NULL };
	char			*keytmp = NULL;
	char			 why[TRUST_WHY_MAX + 256];
	time_t			 nb, na;
	size_t			 i;
	int			 n, rc = -1;

	buf_init(&leaf, CHAIN_MAX_BYTES);
	buf_init(&chain, CHAIN_MAX_BYTES);
	buf_init(&full, CHAIN_MAX_BYTES);
	n = 0;
	if (cert_files_check(d, why, sizeof(why)) == -1) {
		log_warnx("%s: not installed: %s", d->handle, why);
		goto out;
	}
	/* Parsed once: every certificate parse costs a key decoding. */
	if (x509_chain_read(pem, len, certs, &n, &issuers, why,
	    sizeof(why)) == -1) {
		log_warnx("%s: not installed: %s", d->handle, why);
		goto out;
	}
	if (ds->pubkey == NULL) {
		log_warnx("%s: the domain key's public half is unknown",
		    d->handle);
		goto out;
	}
	if (x509_check_certs(certs, n, ds->pubkey, ds->pubkeylen, d->names,
	    d->nnames, &nb, &na, why, sizeof(why)) == -1 ||
	    (issued && x509_check_issued(certs, n, why, sizeof(why)) == -1)) {
		log_warnx("%s: not installed: %s", d->handle, why);
		goto out;
	}
	if (pem_append(&leaf, certs[0]) == -1)
		goto out;
	for (i = 0; i < (size_t)n; i++)
		if (pem_append(&full, certs[i]) == -1 ||
		    (i > 0 && pem_append(&chain, certs[i]) == -1))
			goto out;
	if (n == 1 && pem_append(&chain, certs[0]) == -1)
		goto out;

	paths[0] = d->cert;
	data[0] = &leaf;
	paths[1] = d->chain;
	data[1] = &chain;
	paths[2] = d->fullchain;
	data[2] = &full;
	if (ds->key_pending && (keytmp = key_new_write(ds)) == NULL)
		goto out;
	for (i = 0; i < 3; i++)
		if (paths[i] != NULL && (tmps[i] = write_temp(paths[i],
		    data[i]->data, data[i]->len, 0644, TRUST_NOGROUP, 0)) ==
		    NULL)
			goto out;
	/* Each file is on disk already: its rename, once per directory. */
	for (i = 0; i < 3; i++)
		if (tmps[i] != NULL && commit_temp(tmps[i], paths[i],
		    WRITE_BACKUP | WRITE_NOSYNC) == -1)
			goto out;
	(void)fsync_dirs(paths, 3);
	/*
	 * The new key after its certificate: a crash between the two leaves
	 * the pending key, which the next start installs (certs.c).
	 */
	if (keytmp != NULL && key_new_commit(ds, keytmp) == -1) {
		log_warnx("%s: the certificate is installed, its key %s not "
		    "yet: the next attempt or start installs it", d->handle,
		    d->key);
		goto out;
	}
	ds->not_before = nb;
	ds->not_after = na;
	ds->state = cert_is_provisional(certs[0]) ? CERT_PROVISIONAL :
	    CERT_ISSUED;
	ds->names_changed = 0;	/* checked against them above */
	rc = 0;
out:
	for (i = 0; i < 3; i++) {
		if (tmps[i] != NULL && rc == -1)
			unlink(tmps[i]);
		free(tmps[i]);
	}
	if (keytmp != NULL && rc == -1)
		unlink(keytmp);
	free(keytmp);
	chain_free(certs, n);
	buf_free(&leaf);
	buf_free(&chain);
	buf_free(&full);
	return rc;
}

/*
 * The DER of the first certificate in a PEM file (the leaf), as written:
 * the file is one acmed installed, and whoever reads the DER parses it.
 */
int
cert_leaf_der(const char *path, unsigned char **derp, size_t *lenp)
{
	BIO		*bio;
	char		*data, *name = NULL;
	size_t		 len;
	long		 dlen;
	int		 rc = -1;

	*derp = NULL;
	*lenp = 0;
	if (path == NULL || read_file(path, CHAIN_MAX_BYTES, &data, &len) == -1)
		return -1;
	if ((bio = BIO_new_mem_buf(data, (int)len)) != NULL &&
	    PEM_bytes_read_bio(derp, &dlen, &name, PEM_STRING_X509, bio, NULL,
	    NULL) == 1) {
		if (dlen > 0) {
			*lenp = (size_t)dlen;
			rc = 0;
		} else {
			OPENSSL_free(*derp);
			*derp = NULL;
		}
	}
	OPENSSL_free(name);
	BIO_free(bio);
	ERR_clear_error();
	free(data);
	return rc;
}
