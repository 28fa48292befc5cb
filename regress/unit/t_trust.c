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
 * trust_open(): the rule for the files the parent trusts, on real files
 * and directories under /tmp with real owners (root and nobody, 65534)
 * and modes.  Run as root; as another user it only says it was skipped.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acmed/trust.h"
#include "test.h"

#define NOBODY	65534

static char	 tmp[] = "/tmp/t_trust.XXXXXX";
static char	 why[TRUST_WHY_MAX];

/* A path, in one of a few buffers: keep() what must last longer. */
static const char *
at(const char *fmt, ...)
{
	static char	 buf[8][1024];
	static int	 i;
	va_list		 ap;

	i = (i + 1) % 8;
	va_start(ap, fmt);
	vsnprintf(buf[i], sizeof(buf[i]), fmt, ap);
	va_end(ap);
	return buf[i];
}

static const char *
keep(const char *s)
{
	static char	 buf[8][1024];
	static int	 i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s", s);
	return buf[i];
}

static void
mkfile(const char *path, const char *text, mode_t mode, uid_t uid,
    gid_t gid)
{
	int	 fd;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchown(fd, uid, gid) == -1 || fchmod(fd, mode) == -1) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static void
mkdirp(const char *path, mode_t mode, uid_t uid)
{
	if ((mkdir(path, 0700) == -1 && errno != EEXIST) ||
	    chown(path, uid, 0) == -1 || chmod(path, mode) == -1) {
		perror(path);
		exit(1);
	}
}

/* trust_open() passes: the descriptor is the file's. */
static int
passes(const char *path, int flags, gid_t group)
{
	int	 fd;

	why[0] = '\0';
	if ((fd = trust_open(path, flags, group, why, sizeof(why))) == -1) {
		printf("# %s: refused: %s\n", path, why);
		return 0;
	}
	close(fd);
	return 1;
}

/* trust_open() fails with err and a reason that contains text. */
static int
fails(const char *path, int flags, gid_t group, int err, const char *text)
{
	int	 fd;

	why[0] = '\0';
	errno = 0;
	if ((fd = trust_open(path, flags, group, why, sizeof(why))) != -1) {
		printf("# %s: accepted\n", path);
		close(fd);
		return 0;
	}
	if (errno != err || strstr(why, text) == NULL) {
		printf("# %s: errno %d (%s), \"%s\"; want %d, \"%s\"\n", path,
		    errno, strerror(errno), why, err, text);
		return 0;
	}
	return 1;
}

static void
test_files(void)
{
	const char	*f = keep(at("%s/f", tmp));
	char		 buf[16];
	ssize_t		 n;
	int		 fd;

	mkfile(f, "contents", 0644, 0, 0);
	fd = trust_open(f, 0, TRUST_NOGROUP, why, sizeof(why));
	n = fd == -1 ? -1 : read(fd, buf, sizeof(buf));
	CHECK(n == 8 && memcmp(buf, "contents", 8) == 0,
	    "root 0644: opened, and the descriptor reads the file");
	if (fd != -1)
		close(fd);
	CHECK(fails("relative/f", 0, TRUST_NOGROUP, EINVAL, "absolute"),
	    "a relative path is refused");
	CHECK(chown(f, NOBODY, 0) == 0 &&
	    fails(f, 0, TRUST_NOGROUP, EPERM, "owned by uid 65534"),
	    "owned by nobody: refused");
	CHECK(fails(f, TRUST_LOOK, TRUST_NOGROUP, EPERM, "owned by uid 65534"),
	    "owned by nobody: refused when only looked at");
	CHECK(chown(f, 0, NOBODY) == 0 && chmod(f, 0664) == 0 &&
	    fails(f, 0, TRUST_NOGROUP, EPERM, "writable by group (mode 0664)"),
	    "0664: writable by group");
	CHECK(chmod(f, 0646) == 0 &&
	    fails(f, 0, TRUST_NOGROUP, EPERM, "writable by others (mode 0646)"),
	    "0646: writable by others");
	CHECK(chmod(f, 0444) == 0 && passes(f, 0, TRUST_NOGROUP),
	    "0444 root: accepted");

	CHECK(symlink(f, at("%s/link", tmp)) == 0 &&
	    fails(at("%s/link", tmp), 0, TRUST_NOGROUP, EPERM,
	    "a symbolic link"), "a symbolic link to a good file: refused");
	CHECK(fails(at("%s/link", tmp), TRUST_LOOK, TRUST_NOGROUP, EPERM,
	    "a symbolic link"), "and when only looked at");
	fd = trust_open(at("%s/link", tmp), TRUST_FOLLOW, TRUST_NOGROUP, why,
	    sizeof(why));
	n = fd == -1 ? -1 : read(fd, buf, sizeof(buf));
	CHECK(n == 8 && memcmp(buf, "contents", 8) == 0, "a file only read "
	    "(TRUST_FOLLOW), through a link of root's: opened, and read");
	if (fd != -1)
		close(fd);
	CHECK(passes(at("%s/link", tmp), TRUST_FOLLOW | TRUST_LOOK,
	    TRUST_NOGROUP), "and when only looked at");
	CHECK(lchown(at("%s/link", tmp), NOBODY, NOBODY) == 0 &&
	    fails(at("%s/link", tmp), TRUST_FOLLOW, TRUST_NOGROUP, EPERM,
	    "is a symbolic link owned by uid 65534"),
	    "a file only read, through nobody's link: refused");
	mkdirp(at("%s/nobdir", tmp), 0755, NOBODY);
	mkfile(at("%s/nobdir/f", tmp), "x", 0644, 0, 0);
	CHECK(symlink(at("%s/nobdir/f", tmp), at("%s/tonob", tmp)) == 0 &&
	    fails(at("%s/tonob", tmp), TRUST_FOLLOW, TRUST_NOGROUP, EPERM,
	    at("directory %s/nobdir is owned by uid 65534", tmp)),
	    "a file only read, in nobody's directory: refused");
	CHECK(passes(at("%s/tonob", tmp), TRUST_PUBLIC, TRUST_NOGROUP) &&
	    passes(at("%s/link", tmp), TRUST_PUBLIC, TRUST_NOGROUP),
	    "what anyone may read (TRUST_PUBLIC): through nobody's directory "
	    "and nobody's link, accepted");
	CHECK(chmod(at("%s/nobdir/f", tmp), 0640) == 0 &&
	    fails(at("%s/tonob", tmp), TRUST_PUBLIC, TRUST_NOGROUP, EPERM,
	    "not readable by others (mode 0640)"),
	    "what others may not read: refused");
	CHECK(chmod(at("%s/nobdir/f", tmp), 0644) == 0 &&
	    chmod(at("%s/nobdir", tmp), 0750) == 0 &&
	    fails(at("%s/tonob", tmp), TRUST_PUBLIC, TRUST_NOGROUP, EPERM,
	    at("directory %s/nobdir may not be searched by others (mode "
	    "0750)", tmp)), "in a directory others may not search: refused");
	/* A FIFO with no writer: opening it to read would block for good. */
	alarm(20);
	CHECK(mkfifo(at("%s/fifo", tmp), 0600) == 0 &&
	    fails(at("%s/fifo", tmp), 0, TRUST_NOGROUP, EPERM,
	    "not a regular file (a FIFO)"), "a FIFO: refused, not waited on");
	alarm(0);
	CHECK(fails(at("%s/missing", tmp), 0, TRUST_NOGROUP, ENOENT,
	    "No such file"), "missing file: ENOENT");
	CHECK(fails(at("%s/nodir/f", tmp), 0, TRUST_NOGROUP, ENOTDIR,
	    at("directory %s/nodir does not exist", tmp)),
	    "missing directory: ENOTDIR, named");
	CHECK(fails(at("%s/f/x", tmp), 0, TRUST_NOGROUP, ENOTDIR,
	    at("%s/f is not a directory", tmp)), "a file used as a directory");
	CHECK(fails(tmp, 0, TRUST_NOGROUP, EPERM, "(a directory)"),
	    "a directory is not a file");
}

static void
test_dirs(void)
{
	const char	*d = keep(at("%s/d", tmp));

	mkdirp(d, 0755, 0);
	mkfile(at("%s/f", d), "x", 0644, 0, 0);
	CHECK(passes(at("%s/f", d), 0, TRUST_NOGROUP), "in a 0755 root "
	    "directory: accepted");
	CHECK(passes(d, TRUST_DIR, TRUST_NOGROUP), "the directory itself");
	CHECK(chmod(d, 0777) == 0 && fails(at("%s/f", d), 0, TRUST_NOGROUP,
	    EPERM, at("directory %s is writable by others (mode 0777)", d)),
	    "directory 0777: refused, named");
	CHECK(chmod(d, 0775) == 0 && fails(at("%s/f", d), 0, TRUST_NOGROUP,
	    EPERM, at("directory %s is writable by group (mode 0775)", d)),
	    "directory 0775: refused");
	CHECK(chmod(d, 0755) == 0 && chown(d, NOBODY, 0) == 0 &&
	    fails(at("%s/f", d), 0, TRUST_NOGROUP, EPERM,
	    at("directory %s is owned by uid 65534", d)),
	    "directory owned by nobody: refused");
	CHECK(fails(d, TRUST_DIR, TRUST_NOGROUP, EPERM, "owned by uid 65534"),
	    "and as a directory itself");
	CHECK(chown(d, 0, 0) == 0 && chmod(d, 01777) == 0 &&
	    passes(at("%s/f", d), 0, TRUST_NOGROUP),
	    "a root-owned sticky directory (like /tmp): accepted");
	CHECK(chown(d, NOBODY, 0) == 0 && chmod(d, 01777) == 0 &&
	    fails(at("%s/f", d), 0, TRUST_NOGROUP, EPERM, "owned by uid 65534"),
	    "a sticky directory owned by nobody: refused");
	mkdirp(d, 0755, 0);
	CHECK(fails(at("%s/nodir", d), TRUST_DIR, TRUST_NOGROUP, ENOENT,
	    "does not exist"), "missing last directory: ENOENT");
	CHECK(fails(at("%s/f", d), TRUST_DIR, TRUST_NOGROUP, ENOTDIR,
	    "not a directory"), "a file is not a directory");
}

static void
test_links(void)
{
	const char	*real = keep(at("%s/real", tmp));
	const char	*bad = keep(at("%s/bad", tmp));

	mkdirp(real, 0755, 0);
	mkfile(at("%s/f", real), "x", 0644, 0, 0);
	mkdirp(bad, 0777, 0);
	mkfile(at("%s/f", bad), "x", 0644, 0, 0);

	CHECK(symlink(real, at("%s/abs", tmp)) == 0 &&
	    passes(at("%s/abs/f", tmp), 0, TRUST_NOGROUP),
	    "through a root-owned absolute link to a good directory");
	CHECK(symlink("real", at("%s/rel", tmp)) == 0 &&
	    passes(at("%s/rel/f", tmp), 0, TRUST_NOGROUP),
	    "through a relative one");
	CHECK(symlink("..", at("%s/up", real)) == 0 &&
	    passes(at("%s/up/real/up/real/f", real), 0, TRUST_NOGROUP),
	    "through .. links");
	CHECK(passes(at("%s/real/../real/./f", tmp), 0, TRUST_NOGROUP),
	    ". and .. in the path");
	CHECK(lchown(at("%s/abs", tmp), NOBODY, NOBODY) == 0 &&
	    fails(at("%s/abs/f", tmp), 0, TRUST_NOGROUP, EPERM,
	    at("%s/abs is a symbolic link owned by uid 65534", tmp)),
	    "a directory link owned by nobody: refused, named");
	CHECK(symlink(bad, at("%s/tobad", tmp)) == 0 &&
	    fails(at("%s/tobad/f", tmp), 0, TRUST_NOGROUP, EPERM,
	    at("directory %s is writable by others", bad)),
	    "a root link to a 0777 directory: the target is refused");
	CHECK(symlink("loop", at("%s/loop", tmp)) == 0 &&
	    fails(at("%s/loop/f", tmp), 0, TRUST_NOGROUP, EPERM,
	    "more than 40 symbolic links"), "a link loop ends");
	CHECK(passes(at("%s/rel", tmp), TRUST_DIR, TRUST_NOGROUP),
	    "a directory reached through a link that passes");
}

static void
test_secret_program(void)
{
	const char	*k = keep(at("%s/k", tmp));
	const char	*prog = keep(at("%s/prog", tmp));

	mkfile(k, "key", 0600, 0, 0);
	CHECK(passes(k, TRUST_SECRET, TRUST_NOGROUP), "key 0600: accepted");
	CHECK(chmod(k, 0640) == 0 && fails(k, TRUST_SECRET, TRUST_NOGROUP,
	    EPERM, "group or others may use it (mode 0640)"),
	    "key 0640 without a group: refused");
	CHECK(passes(k, 0, TRUST_NOGROUP), "0640 is fine for another file");
	CHECK(chown(k, 0, NOBODY) == 0 && passes(k, TRUST_SECRET, NOBODY),
	    "key 0640 root:its group: accepted");
	CHECK(fails(k, TRUST_SECRET, 1, EPERM,
	    "readable by group nogroup, not daemon (mode 0640)"),
	    "key 0640 with another group: refused, both named");
	CHECK(chmod(k, 0644) == 0 && fails(k, TRUST_SECRET, NOBODY, EPERM,
	    "group or others may use it (mode 0644)"),
	    "key 0644 even with its group: refused");
	CHECK(chmod(k, 0650) == 0 && fails(k, TRUST_SECRET, NOBODY, EPERM,
	    "(mode 0650)"), "key 0650: refused");

	mkfile(prog, "#!/bin/sh\n", 0755, 0, 0);
	CHECK(symlink("prog", at("%s/proglink", tmp)) == 0 &&
	    passes(at("%s/proglink", tmp), TRUST_PROGRAM, TRUST_NOGROUP),
	    "a program through a root-owned link: accepted");
	CHECK(fails(at("%s/proglink", tmp), 0, TRUST_NOGROUP, EPERM,
	    "a symbolic link"), "but not a data file");
	CHECK(chown(prog, NOBODY, NOBODY) == 0 &&
	    fails(at("%s/proglink", tmp), TRUST_PROGRAM, TRUST_NOGROUP, EPERM,
	    "owned by uid 65534"), "a program owned by nobody: refused");
	CHECK(fails(at("%s/noprog", tmp), TRUST_PROGRAM, TRUST_NOGROUP,
	    ENOENT, "No such file"), "a missing program: ENOENT");
}

/* As nobody: EACCES where it may not look; its own files are its own. */
static void
test_other_user(void)
{
	const char	*priv = keep(at("%s/private", tmp));
	pid_t		 pid;
	int		 status, r = 0;

	mkdirp(priv, 0700, 0);
	mkfile(at("%s/k", priv), "key", 0600, 0, 0);
	mkfile(at("%s/own", tmp), "x", 0644, NOBODY, NOBODY);
	mkfile(at("%s/rootkey", tmp), "key", 0600, 0, 0);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (setgroups(0, NULL) == -1 || setresgid(NOBODY, NOBODY,
		    NOBODY) == -1 || setresuid(NOBODY, NOBODY, NOBODY) == -1)
			_exit(9);
		if (fails(at("%s/k", priv), TRUST_SECRET | TRUST_LOOK,
		    TRUST_NOGROUP, EACCES, at("%s/k: Permission denied", priv)))
			r |= 1;
		if (passes(at("%s/own", tmp), 0, TRUST_NOGROUP))
			r |= 2;
		if (passes(at("%s/rootkey", tmp), TRUST_SECRET | TRUST_LOOK,
		    TRUST_NOGROUP))
			r |= 4;
		if (fails(at("%s/rootkey", tmp), TRUST_SECRET, TRUST_NOGROUP,
		    EACCES, "Permission denied"))
			r |= 8;
		fflush(stdout);
		_exit(r);
	}
	CHECK(pid != -1 && waitpid(pid, &status, 0) == pid &&
	    WIFEXITED(status) && WEXITSTATUS(status) != 9,
	    "a child runs as nobody");
	r = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	CHECK(r & 1, "nobody: a directory it may not search is EACCES");
	CHECK(r & 2, "nobody: a file of its own passes (the user acmed runs "
	    "as)");
	CHECK(r & 4, "nobody: root's key can be looked at");
	CHECK(r & 8, "nobody: but not read (EACCES)");
}

int
main(void)
{
	if (geteuid() != 0) {
		printf("ok 1 # skip not root: owners cannot be set\n");
		return 0;
	}
	if (mkdtemp(tmp) == NULL || chmod(tmp, 0755) == -1) {
		perror(tmp);
		return 1;
	}
	test_files();
	test_dirs();
	test_links();
	test_secret_program();
	test_other_user();
	if (fork() == 0) {
		execlp("rm", "rm", "-rf", tmp, (char *)NULL);
		_exit(1);
	}
	wait(NULL);
	return test_done();
}
