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
 * Confinement of a child process, in a fixed order: every layer assumes the
 * ones before it.  Descriptors go first so nothing inherited by mistake
 * survives; the user is looked up while /etc/passwd is still reachable;
 * the chroot needs root, so it comes before the ids are dropped; no new
 * privileges is what lets an unprivileged process load Landlock and seccomp;
 * seccomp comes last because every step before it makes system calls the
 * filter forbids.
 *
 * Landlock constants are defined here because Debian 12's
 * <linux/landlock.h> knows only the first ABI; the kernel tells which ABI
 * it speaks and only the rights it knows are requested.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "sandbox_int.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset	444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule		445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self	446
#endif
#ifndef __NR_close_range
#define __NR_close_range		436
#endif

#define LL_CREATE_RULESET_VERSION	(1U << 0)
#define LL_RULE_PATH_BENEATH		1

#define LL_FS_EXECUTE			(1ULL << 0)
#define LL_FS_WRITE_FILE		(1ULL << 1)
#define LL_FS_READ_FILE			(1ULL << 2)
#define LL_FS_READ_DIR			(1ULL << 3)
#define LL_FS_REMOVE_DIR		(1ULL << 4)
#define LL_FS_REMOVE_FILE		(1ULL << 5)
#define LL_FS_MAKE_CHAR			(1ULL << 6)
#define LL_FS_MAKE_DIR			(1ULL << 7)
#define LL_FS_MAKE_REG			(1ULL << 8)
#define LL_FS_MAKE_SOCK			(1ULL << 9)
#define LL_FS_MAKE_FIFO			(1ULL << 10)
#define LL_FS_MAKE_BLOCK		(1ULL << 11)
#define LL_FS_MAKE_SYM			(1ULL << 12)
#define LL_FS_ABI1			((1ULL << 13) - 1)
#define LL_FS_REFER			(1ULL << 13)	/* ABI 2 */
#define LL_FS_TRUNCATE			(1ULL << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV			(1ULL << 15)	/* ABI 5 */

#define LL_NET_BIND_TCP			(1ULL << 0)	/* ABI 4 */
#define LL_NET_CONNECT_TCP		(1ULL << 1)	/* ABI 4 */

#define LL_SCOPE_ABSTRACT_UNIX_SOCKET	(1ULL << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL			(1ULL << 1)	/* ABI 6 */

#define LL_ABI_MAX			7

/* The kernel takes a prefix of this structure matching the ABI. */
struct ll_ruleset_attr {
	uint64_t	 handled_access_fs;
	uint64_t	 handled_access_net;	/* ABI 4 */
	uint64_t	 scoped;		/* ABI 6 */
};

struct ll_path_beneath_attr {
	uint64_t	 allowed_access;
	int32_t		 parent_fd;
} __attribute__((__packed__));

/* Limit on netproc's tasks: libcurl resolves in one thread per lookup. */
#define NETPROC_NPROC		16

/*
 * What glibc reads to resolve a name ("files" and "dns" are built into
 * glibc 2.34 and later, so no NSS module has to be loaded); a service is
 * always a port number, so /etc/services is not among them.  Files that
 * do not exist are left out.
 */
const char *const sandbox_resolver_files[] = {
	"/etc/resolv.conf",
	"/etc/hosts",
	"/etc/nsswitch.conf",
	"/etc/gai.conf",
	"/etc/host.conf",
	NULL
};

static const char *const profile_names[SANDBOX_MAX] = {
	[SANDBOX_NETPROC] = "netproc",
	[SANDBOX_KEYPROC] = "keyproc",
	[SANDBOX_CHALLENGED] = "challenged",
};

static struct sandbox_level	level;

static int	sandbox_fds(int);
static int	sandbox_chroot(const char *, const char *);
static int	sandbox_ids(const char *, uid_t, gid_t);
static int	sandbox_rlimits(enum sandbox_profile);
static int	sandbox_landlock(const struct sandbox *);
static int	landlock_add_path(int, const char *, int);
static const char *landlock_lacks(int);

int
sandbox_landlock_abi(void)
{
	long	 abi;

	abi = syscall(__NR_landlock_create_ruleset, NULL, 0,
	    LL_CREATE_RULESET_VERSION);
	if (abi < 0)
		return 0;
	return abi > INT_MAX ? INT_MAX : (int)abi;
}

void
sandbox_level(struct sandbox_level *l)
{
	*l = level;
}

/*
 * What a kernel of Landlock ABI abi lacks of what the sandbox asks for
 * (the truncate right, ABI 3, guards nothing: no process opens a file
 * for writing).
 */
static const char *
landlock_lacks(int abi)
{
	if (abi < 1)
		return "no Landlock at all (an old kernel, or disabled): no "
		    "filesystem, TCP, signal or abstract socket rules";
	if (abi < 4)
		return "no TCP rules, no device ioctl rule, no signal or "
		    "abstract socket scopes";
	if (abi < 5)
		return "no device ioctl rule, no signal or abstract socket "
		    "scopes";
	return "no signal or abstract socket scopes";
}

int
sandbox_enter(const struct sandbox *sb)
{
	struct passwd	*pw;
	const char	*name;
	uid_t		 uid = 0;
	gid_t		 gid = 0;
	pid_t		 ppid = getppid();
	int		 abi;

	if (sb->profile < 0 || sb->profile >= SANDBOX_MAX) {
		log_warnx("sandbox: unknown profile %d", (int)sb->profile);
		return -1;
	}
	name = profile_names[sb->profile];
	if (sb->keep_fds < 0) {
		log_warnx("sandbox %s: bad descriptor limit %d", name,
		    sb->keep_fds);
		return -1;
	}

	if (sandbox_fds(sb->keep_fds) == -1)
		return -1;

	if (sb->user != NULL) {
		errno = 0;
		if ((pw = getpwnam(sb->user)) == NULL) {
			if (errno != 0)
				log_warn("sandbox %s: getpwnam %s", name,
				    sb->user);
			else
				log_warnx("sandbox %s: user %s does not exist:"
				    " run etc/mkusers.sh", name, sb->user);
			return -1;
		}
		if (pw->pw_uid == 0 || pw->pw_gid == 0) {
			log_warnx("sandbox %s: user %s has uid or gid 0",
			    name, sb->user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}

	if (sb->chroot != NULL && sandbox_chroot(sb->chroot,
	    sb->profile == SANDBOX_NETPROC ? SANDBOX_NETPROC_ETC : NULL) == -1)
		return -1;

	if (sb->user != NULL && sandbox_ids(sb->user, uid, gid) == -1)
		return -1;

	/*
	 * A change of ids clears the parent-death signal: set it now, so a
	 * child busy with a request does not outlive its parent.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1) {
		log_warn("sandbox %s: PR_SET_PDEATHSIG", name);
		return -1;
	}
	if (getppid() != ppid) {
		log_warnx("sandbox %s: the parent is gone", name);
		return -1;
	}

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		log_warn("sandbox %s: PR_SET_DUMPABLE", name);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("sandbox %s: PR_SET_NO_NEW_PRIVS", name);
		return -1;
	}

	if ((sb->skip & SANDBOX_SKIP_RLIMITS) == 0 &&
	    sandbox_rlimits(sb->profile) == -1)
		return -1;

	/*
	 * Without all of Landlock the process still runs, on the other
	 * layers; it says so at every start, and the parent shows it.
	 */
	abi = sandbox_landlock_abi();
	if ((sb->skip & SANDBOX_SKIP_LANDLOCK) == 0) {
		if (sandbox_landlock(sb) == -1)
			return -1;
		level.landlock = abi > LL_ABI_MAX ? LL_ABI_MAX : abi;
		if (abi < SANDBOX_LANDLOCK_WANT)
			log_warnx("sandbox %s: Landlock ABI %d, %d wanted: %s",
			    name, abi, SANDBOX_LANDLOCK_WANT,
			    landlock_lacks(abi));
	}

	/* Without its filter, a process does not run. */
	if ((sb->skip & SANDBOX_SKIP_SECCOMP) == 0) {
		if (sandbox_seccomp(sb->profile, (int)getpid()) == -1) {
			log_warnx("sandbox %s: no seccomp filter: the process "
			    "stops", name);
			return -1;
		}
		level.seccomp = 1;
	}

	log_debug("sandbox %s: entered (user %s, root %s, landlock ABI %d%s)",
	    name, sb->user != NULL ? sb->user : "unchanged",
	    sb->chroot != NULL ? sb->chroot : "/", abi,
	    sandbox_seccomp_getdebug() ? ", seccomp debug" : "");
	return 0;
}

static int
sandbox_fds(int from)
{
	struct rlimit	 rl;
	long		 fd, max;

	if (syscall(__NR_close_range, (unsigned int)from, ~0U, 0) == 0)
		return 0;
	if (errno != ENOSYS) {
		log_warn("sandbox: close_range from %d", from);
		return -1;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("sandbox: getrlimit RLIMIT_NOFILE");
		return -1;
	}
	max = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1048576 ?
	    1048576 : (long)rl.rlim_max;
	for (fd = from; fd < max; fd++)
		(void)close((int)fd);
	return 0;
}

/*
 * A directory in the root that the process may see: sub, a directory of
 * root's that only root may write.
 */
static int
chroot_sub_ok(int fd, const char *name, const char *sub)
{
	struct stat	 st;

	return sub != NULL && strcmp(name, sub) == 0 &&
	    fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode) && st.st_uid == 0 &&
	    (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/*
 * The directory is the process's whole world: it must belong to root, be
 * writable by root only and hold nothing but sub (NULL: nothing), so that
 * nothing the process could use or leave behind is in there.
 */
static int
sandbox_chroot(const char *dir, const char *sub)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 other[NAME_MAX + 1];
	int		 fd, nfd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("sandbox: chroot directory %s", dir);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("sandbox: chroot directory %s", dir);
		close(fd);
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_warnx("sandbox: chroot directory %s must be owned by root "
		    "and writable by root only (owner %lu, mode %04o)", dir,
		    (unsigned long)st.st_uid, (unsigned int)st.st_mode & 07777);
		close(fd);
		return -1;
	}
	if ((nfd = dup(fd)) == -1 || (d = fdopendir(nfd)) == NULL) {
		log_warn("sandbox: chroot directory %s", dir);
		if (nfd != -1)
			close(nfd);
		close(fd);
		return -1;
	}
	other[0] = '\0';
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    !chroot_sub_ok(fd, de->d_name, sub))
			strlcpy(other, de->d_name, sizeof(other));
	closedir(d);
	if (other[0] != '\0' && sub == NULL) {
		log_warnx("sandbox: chroot directory %s is not empty", dir);
		close(fd);
		return -1;
	}
	if (other[0] != '\0') {
		log_warnx("sandbox: chroot directory %s holds %s: it may hold "
		    "only %s/, a directory of root's writable by root only",
		    dir, other, sub);
		close(fd);
		return -1;
	}
	if (fchdir(fd) == -1 || chroot(".") == -1 || chdir("/") == -1) {
		log_warn("sandbox: chroot %s", dir);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
sandbox_ids(const char *user, uid_t uid, gid_t gid)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg;

	if (setgroups(1, &gid) == -1) {
		log_warn("sandbox: setgroups %s", user);
		return -1;
	}
	if (setresgid(gid, gid, gid) == -1) {
		log_warn("sandbox: setresgid %s", user);
		return -1;
	}
	if (setresuid(uid, uid, uid) == -1) {
		log_warn("sandbox: setresuid %s", user);
		return -1;
	}
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid) {
		log_warnx("sandbox: ids of %s not fully changed", user);
		return -1;
	}
	/* Proof that the way back is closed. */
	if (setuid(0) != -1 || setresuid(0, 0, 0) != -1 ||
	    setresgid(0, 0, 0) != -1 || setgroups(0, NULL) != -1) {
		log_warnx("sandbox: %s can still become root", user);
		return -1;
	}
	return 0;
}

/*
 * No process writes a file (the parent writes everything), so a file size
 * limit of 0 costs nothing.  keyproc and challenged never create a task;
 * netproc needs threads for libcurl's resolver, and RLIMIT_NPROC counts
 * threads too, so it keeps a small number (seccomp still refuses any clone
 * that is not a thread).
 */
static int
sandbox_rlimits(enum sandbox_profile p)
{
	struct rlimit	 zero = { 0, 0 };
	struct rlimit	 nproc = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &zero) == -1) {
		log_warn("sandbox: setrlimit RLIMIT_CORE");
		return -1;
	}
	/*
	 * A stray write to a file fails rather than kills.  That includes a
	 * stderr redirected to a file, which is why the seccomp debug mode,
	 * whose report goes to stderr, keeps the file size unlimited.
	 */
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR ||
	    (!sandbox_seccomp_getdebug() &&
	    setrlimit(RLIMIT_FSIZE, &zero) == -1)) {
		log_warn("sandbox: setrlimit RLIMIT_FSIZE");
		return -1;
	}
	if (p == SANDBOX_NETPROC)
		nproc.rlim_cur = nproc.rlim_max = NETPROC_NPROC;
	if (setrlimit(RLIMIT_NPROC, &nproc) == -1) {
		log_warn("sandbox: setrlimit RLIMIT_NPROC");
		return -1;
	}
	return 0;
}

static int
landlock_add_path(int rfd, const char *path, int required)
{
	struct ll_path_beneath_attr	 pb;
	struct stat			 st;
	int				 fd;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		if (!required && errno == ENOENT) {
			log_debug("sandbox: landlock: %s does not exist", path);
			return 0;
		}
		log_warn("sandbox: landlock: %s", path);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("sandbox: landlock: %s", path);
		close(fd);
		return -1;
	}
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = LL_FS_READ_FILE;
	if (S_ISDIR(st.st_mode))
		pb.allowed_access |= LL_FS_READ_DIR;
	pb.parent_fd = fd;
	if (syscall(__NR_landlock_add_rule, rfd, LL_RULE_PATH_BENEATH, &pb,
	    0) == -1) {
		log_warn("sandbox: landlock: rule for %s", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Every filesystem right the kernel knows is handled, so anything not
 * granted by a rule is refused.  netproc may read its resolver files and
 * the paths it was given, may connect to any TCP port (the ACME server's
 * port is configuration) and may bind none; the others have no filesystem
 * and no TCP at all.  Signals and abstract UNIX sockets are confined to
 * the process itself.
 *
 * In its root, netproc's rule is on etc/ itself, not on each file: the
 * parent replaces a copy with a new file when the original changes, and
 * a rule on a file holds for that one inode only.
 */
static int
sandbox_landlock(const struct sandbox *sb)
{
	struct ll_ruleset_attr	 attr;
	size_t			 size;
	int			 abi, rfd, i;

	if ((abi = sandbox_landlock_abi()) <= 0)
		return 0;
	if (abi > LL_ABI_MAX)
		abi = LL_ABI_MAX;

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = LL_FS_ABI1;
	if (abi >= 2)
		attr.handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		attr.handled_access_fs |= LL_FS_IOCTL_DEV;
	size = offsetof(struct ll_ruleset_attr, handled_access_net);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP;
		if (sb->profile != SANDBOX_NETPROC)
			attr.handled_access_net |= LL_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
		size = sizeof(attr);
	}

	rfd = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (rfd == -1) {
		log_warn("sandbox: landlock ABI %d: create ruleset", abi);
		return -1;
	}
	if (sb->profile == SANDBOX_NETPROC) {
		if (sb->chroot != NULL &&
		    landlock_add_path(rfd, "/" SANDBOX_NETPROC_ETC, 1) == -1)
			goto fail;
		for (i = 0; sb->chroot == NULL &&
		    sandbox_resolver_files[i] != NULL; i++)
			if (landlock_add_path(rfd, sandbox_resolver_files[i],
			    0) == -1)
				goto fail;
		for (i = 0; sb->ro_paths != NULL && sb->ro_paths[i] != NULL;
		    i++)
			if (landlock_add_path(rfd, sb->ro_paths[i], 1) == -1)
				goto fail;
	}
	if (syscall(__NR_landlock_restrict_self, rfd, 0) == -1) {
		log_warn("sandbox: landlock ABI %d: restrict self", abi);
		goto fail;
	}
	close(rfd);
	return 0;
 fail:
	close(rfd);
	return -1;
}
