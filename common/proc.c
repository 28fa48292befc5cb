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
 * Starting a child: clone it sharing the parent's memory until it execs,
 * move its channels to the fixed descriptors, then exec the child's own
 * program, a descriptor the parent opened at start (so the files on disk
 * may be replaced without mixing versions), as "acmed-name -P name -V
 * tag".  The child keeps a minimal environment.  Each child program links
 * only the libraries its process uses.
 */
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "sandbox.h"

#define PROC_MAXARGS	16

const char *const proc_names[PROC_MAX] = {
	[PROC_PARENT] = "acmed",
	[PROC_NETPROC] = "netproc",
	[PROC_KEYPROC] = "keyproc",
	[PROC_CHALLENGED] = "challenged",
};

const char *proc_user;
const char *proc_chroot;

/*
 * What parent and child must agree on: the version and the message table.
 */
const char *
proc_tag(void)
{
	static char	 tag[64];

	if (tag[0] == '\0')
		snprintf(tag, sizeof(tag), "%s-%08x", ACMED_VERSION,
		    msg_digest());
	return tag;
}

/*
 * The command line of a child program: -P name [-V tag] [-u user]
 * [-C dir] [-d] [-v]...  Exits unless it names this process and, when
 * a tag is given, the tag is this build's.
 */
void
proc_child_init(int argc, char *argv[], enum proc_id self, int *debug,
    int *verbose)
{
	const char	*name = NULL, *tag = NULL;
	int		 ch;

	*debug = *verbose = 0;
	while ((ch = getopt(argc, argv, "C:dP:u:vV:")) != -1) {
		switch (ch) {
		case 'C':
			proc_chroot = optarg;
			break;
		case 'd':
			*debug = 1;
			break;
		case 'P':
			name = optarg;
			break;
		case 'u':
			proc_user = optarg;
			break;
		case 'v':
			(*verbose)++;
			break;
		case 'V':
			tag = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || name == NULL || proc_byname(name) != self)
		goto usage;
	log_init(1, *verbose, proc_names[self]);
	if (tag != NULL && strcmp(tag, proc_tag()) != 0)
		errx(1, "built from other sources than acmed (%s, not %s)",
		    proc_tag(), tag);
	return;
usage:
	fprintf(stderr, "usage: %s -P %s [-dv] [-C dir] [-u user] [-V tag]\n"
	    "(started by acmed, not by hand)\n", program_invocation_short_name,
	    proc_names[self]);
	exit(1);
}

enum proc_id
proc_byname(const char *name)
{
	int	 i;

	for (i = PROC_PARENT + 1; i < PROC_MAX; i++)
		if (strcmp(name, proc_names[i]) == 0)
			return (enum proc_id)i;
	return PROC_PARENT;
}

/* What the child of proc_exec() needs; it lives on the parent's stack. */
struct spawn {
	int		 exefd;
	const int	*fds;
	int		 nfds;
	char		**argv;
	char		**envp;
};

#define SPAWN_STACK	(64 * 1024)

/*
 * The child of proc_exec(), until it execs: it shares the parent's memory
 * (the parent waits), runs on a stack of its own with every signal blocked
 * and writes nothing but that stack and, through the system calls'
 * wrappers, the parent's errno.  Not instrumented: the sanitizers'
 * bookkeeping would write into the parent's memory.
 */
__attribute__((no_sanitize("address", "undefined")))
static int
spawn_child(void *arg)
{
	const struct spawn	*sp = arg;
	struct sigaction	 sa;
	sigset_t		 mask;
	int			 exefd, i, tmp[8];
	static const int	 dfl[] = { SIGCHLD, SIGPIPE, SIGHUP, SIGTERM,
				    SIGINT, SIGUSR1 };

	/*
	 * Handlers first: none of the parent's may run here.  The signals a
	 * child handles for itself start as default, even when the parent
	 * (or whoever started it) ignores them.
	 */
	for (i = 1; i < NSIG; i++)
		if (sigaction(i, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
		    sa.sa_handler != SIG_IGN)
			signal(i, SIG_DFL);
	for (i = 0; i < (int)(sizeof(dfl) / sizeof(dfl[0])); i++)
		signal(dfl[i], SIG_DFL);
	sigemptyset(&mask);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	/* dup above the targets first so no channel is overwritten. */
	if ((exefd = fcntl(sp->exefd, F_DUPFD_CLOEXEC,
	    PROC_FD_PARENT + sp->nfds)) == -1)
		_exit(127);
	for (i = 0; i < sp->nfds; i++)
		if ((tmp[i] = fcntl(sp->fds[i], F_DUPFD_CLOEXEC,
		    PROC_FD_PARENT + sp->nfds)) == -1)
			_exit(127);
	for (i = 0; i < sp->nfds; i++)
		if (dup2(tmp[i], PROC_FD_PARENT + i) == -1)
			_exit(127);
	fexecve(exefd, sp->argv, sp->envp);
	_exit(127);
}

/*
 * Starts a child from the program open on exefd.  fds[i] becomes
 * descriptor PROC_FD_PARENT + i in the child; every other descriptor is
 * close-on-exec or closed by the child's sandbox.  extra is appended to
 * the command line.  Returns the child's pid or -1.
 *
 * The child shares the parent's memory until it execs, as posix_spawn()
 * does, instead of a fork() that copies the parent's page tables for the
 * exec to throw away: that halves what a start costs (1.5 -> 0.7 ms of
 * CPU, parent and child, with libcrypto loaded).
 */
pid_t
proc_exec(int exefd, enum proc_id id, const int *fds, int nfds,
    char *const *extra)
{
	struct spawn	 sp;
	char		*argv[PROC_MAXARGS];
	char		*envp[5], argv0[32];
	const char	*v;
	char		*stack;
	int		 argc = 0, envc = 0, i, saved;
	pid_t		 pid;
	static char	 dbg[64];
	sigset_t	 all, old;

	if (nfds > 8)
		return -1;
	snprintf(argv0, sizeof(argv0), "acmed-%s", proc_names[id]);
	argv[argc++] = argv0;
	argv[argc++] = "-P";
	argv[argc++] = (char *)proc_names[id];
	argv[argc++] = "-V";
	argv[argc++] = (char *)proc_tag();
	for (i = 0; extra != NULL && extra[i] != NULL; i++) {
		if (argc >= PROC_MAXARGS - 1)
			return -1;
		argv[argc++] = extra[i];
	}
	argv[argc] = NULL;
	envp[envc++] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	/*
	 * libcurl's dependencies load GnuTLS (for RTMP, never used), whose
	 * constructor would otherwise initialise it in every netproc: 0.7 MiB
	 * and a millisecond for nothing.
	 */
	if (id == PROC_NETPROC)
		envp[envc++] = "GNUTLS_NO_IMPLICIT_INIT=1";
	if ((v = getenv("ACMED_SECCOMP_DEBUG")) != NULL) {
		snprintf(dbg, sizeof(dbg), "ACMED_SECCOMP_DEBUG=%s", v);
		envp[envc++] = dbg;
	}
	envp[envc] = NULL;

	sp.exefd = exefd;
	sp.fds = fds;
	sp.nfds = nfds;
	sp.argv = argv;
	sp.envp = envp;
	if ((stack = mmap(NULL, SPAWN_STACK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0)) == MAP_FAILED) {
		log_warn("start %s", proc_names[id]);
		return -1;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = clone(spawn_child, stack + SPAWN_STACK,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, &sp);
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	munmap(stack, SPAWN_STACK);
	if (pid == -1) {
		errno = saved;
		log_warn("start %s", proc_names[id]);
	}
	return pid;
}

/*
 * A child confines itself: profile p, as the user and in the root the
 * parent named (-u, -C), keeping descriptors below keep_fds; then the
 * parent is told what the sandbox holds.  Ends the child if it cannot.
 */
void
proc_confine(int p, int keep_fds, struct imsgchan *parent)
{
	struct sandbox	 sb;

	memset(&sb, 0, sizeof(sb));
	sb.profile = (enum sandbox_profile)p;
	sb.user = proc_user;
	sb.chroot = proc_chroot;
	sb.keep_fds = keep_fds;
	if (sandbox_enter(&sb) == -1)
		fatalx("cannot enter the sandbox");
	proc_sandboxed(parent);
}

/*
 * Tells the parent what the child's sandbox holds (MSG_SANDBOXED), for
 * its status file.
 */
void
proc_sandboxed(struct imsgchan *parent)
{
	struct sandbox_level	 l;
	struct buf		 b;

	sandbox_level(&l);
	buf_init(&b, 8);
	if (buf_add_u32(&b, (uint32_t)l.landlock) == -1 ||
	    buf_add_u32(&b, (uint32_t)l.seccomp) == -1 ||
	    msg_compose(parent, MSG_SANDBOXED, 0, -1, &b) == -1 ||
	    ichan_flush_all(parent) == -1)
		fatal("message SANDBOXED to the parent");
	buf_free(&b);
}

/* 1 if the object's code is patched at load time (text relocations). */
static int
has_textrel(struct dl_phdr_info *info)
{
	const ElfW(Dyn)	*d;
	int		 i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
			continue;
		for (d = (const ElfW(Dyn) *)(info->dlpi_addr +
		    info->dlpi_phdr[i].p_vaddr); d->d_tag != DT_NULL; d++)
			if (d->d_tag == DT_TEXTREL || (d->d_tag == DT_FLAGS &&
			    (d->d_un.d_val & DF_TEXTREL)))
				return 1;
	}
	return 0;
}

/* Drops the pages of one object's never-written segments. */
static int
trim_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	const ElfW(Phdr)	*ph, *relro = NULL;
	uintptr_t		 lo, hi, rlo = 0, rhi = 0, pg;
	size_t			*trimmed = arg;
	int			 i;

	(void)size;
	/* The vDSO is the kernel's; text relocations write code. */
	if (info->dlpi_addr == getauxval(AT_SYSINFO_EHDR) ||
	    has_textrel(info))
		return 0;
	pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_GNU_RELRO)
			relro = &info->dlpi_phdr[i];
	if (relro != NULL) {
		rlo = (info->dlpi_addr + relro->p_vaddr) & ~(pg - 1);
		rhi = (info->dlpi_addr + relro->p_vaddr + relro->p_memsz +
		    pg - 1) & ~(pg - 1);
	}
	for (i = 0; i < info->dlpi_phnum; i++) {
		ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
			continue;
		lo = (info->dlpi_addr + ph->p_vaddr + pg - 1) & ~(pg - 1);
		hi = (info->dlpi_addr + ph->p_vaddr + ph->p_filesz) &
		    ~(pg - 1);
		/* Relocated once, then made read-only: written, keep it. */
		if (relro != NULL && lo < rhi && rlo < hi)
			continue;
		if (hi > lo && madvise((void *)lo, hi - lo, MADV_DONTNEED) == 0)
			*trimmed += hi - lo;
	}
	return 0;
}

/*
 * Gives back the pages of the program and its libraries that start-up
 * touched (symbol tables read by the dynamic linker, constructors): only
 * segments never written, so they come back unchanged from the file if
 * used again.  Returns the bytes of address space trimmed.
 */
size_t
proc_trim(void)
{
	size_t	 trimmed = 0;

	dl_iterate_phdr(trim_object, &trimmed);
	return trimmed;
}
