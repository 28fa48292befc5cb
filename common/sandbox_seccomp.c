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
 * The seccomp-bpf layer: one allow-list per process, built as a classic
 * BPF program at run time (so the process id can be part of a rule).
 *
 * The program first checks the architecture (a system call number means
 * nothing without it, and the x32 numbers on x86_64 are refused), then
 * tries each rule in turn.  A rule either allows a call, answers it with
 * an errno (calls that libraries make on their own and cope with failing:
 * killing the process for them would be worse), or looks at one argument,
 * judged on all 64 bits of it: a rule reads only the low half where the
 * kernel reads no more.  Whatever no rule names kills the whole process.
 *
 * With the debug mode on (ACMED_SECCOMP_DEBUG=1 in the environment, or
 * sandbox_seccomp_debug(1)), a forbidden call raises SIGSYS instead, and
 * the handler names the call on stderr before the process exits with
 * status 2, so a developer sees what to allow.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "sandbox_int.h"

#if defined(__x86_64__)
#define SC_ARCH		AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SC_ARCH		AUDIT_ARCH_AARCH64
#endif

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS	0x80000000U
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC	1
#endif

/* Calls that exist on x86_64 only: -1 makes the rules skip them. */
#ifndef __NR_open
#define __NR_open	(-1)
#endif
#ifndef __NR_poll
#define __NR_poll	(-1)
#endif
#ifndef __NR_access
#define __NR_access	(-1)
#endif
#ifndef __NR_time
#define __NR_time	(-1)
#endif
#ifndef __NR_fork
#define __NR_fork	(-1)
#endif
#ifndef __NR_vfork
#define __NR_vfork	(-1)
#endif
#ifndef __NR_stat
#define __NR_stat	(-1)
#endif
#ifndef __NR_lstat
#define __NR_lstat	(-1)
#endif
#ifndef __NR_select
#define __NR_select	(-1)
#endif
#ifndef __NR_epoll_wait
#define __NR_epoll_wait	(-1)
#endif
#ifndef __NR_readlink
#define __NR_readlink	(-1)
#endif
#ifndef __NR_unlink
#define __NR_unlink	(-1)
#endif
#ifndef __NR_mkdir
#define __NR_mkdir	(-1)
#endif
#ifndef __NR_pipe
#define __NR_pipe	(-1)
#endif
#ifndef __NR_dup2
#define __NR_dup2	(-1)
#endif
#ifndef __NR_arch_prctl
#define __NR_arch_prctl	(-1)
#endif
#ifndef __NR_getdents
#define __NR_getdents	(-1)
#endif
#ifndef __NR_creat
#define __NR_creat	(-1)
#endif
#ifndef __NR_rename
#define __NR_rename	(-1)
#endif
#ifndef __NR_chmod
#define __NR_chmod	(-1)
#endif
#ifndef __NR_getrlimit
#define __NR_getrlimit	(-1)
#endif
#ifndef __NR_clone3
#define __NR_clone3	435
#endif
#ifndef __NR_openat2
#define __NR_openat2	437
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2	439
#endif
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset	444
#endif

#define SC_ALLOW	SECCOMP_RET_ALLOW
#define SC_ERRNO(e)	(SECCOMP_RET_ERRNO | ((uint32_t)(e) & SECCOMP_RET_DATA))

/* The two 32-bit halves of a 64-bit argument, as BPF loads them. */
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define SC_ARG_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#define SC_ARG_HI(i)	(offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#else
#define SC_ARG_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#define SC_ARG_HI(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#endif
/* Every bit of an argument's high half, for a mask on a 64-bit value. */
#define SC_HIGH_HALF	0xffffffff00000000ULL

/*
 * What netproc may not open a file for: writing or creating it (the raw
 * O_TMPFILE bit included), or O_PATH, a descriptor that Landlock does not
 * look at and that fstat() and the *at() calls take.
 */
#define SC_OPEN_REFUSED	(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | \
			 020000000 | O_PATH)

/*
 * mmap(2) and mprotect(2) take prot as an unsigned long, all of it: no
 * caller sets a bit of its high half, so one set there is refused as
 * PROT_EXEC is.
 */
#define SC_PROT_EXEC	((uint64_t)PROT_EXEC | SC_HIGH_HALF)

#define SC_MAXINS	600

struct sc_prog {
	struct sock_filter	 ins[SC_MAXINS];
	unsigned int		 n;
	int			 full;
};

struct sc_choice {
	uint32_t	 value;
	uint32_t	 ret;
};

static int		 sc_debug;
static uint32_t		 sc_deny;	/* kill, or trap in debug mode */

static void	sc_emit(struct sc_prog *, uint16_t, uint8_t, uint8_t, uint32_t);
static void	sc_list(struct sc_prog *, const int *, size_t, uint32_t);
static void	sc_ret(struct sc_prog *, int, uint32_t);
static void	sc_arg_in(struct sc_prog *, int, int, const struct sc_choice *,
		    size_t, uint32_t);
static void	sc_arg_mask(struct sc_prog *, int, int, uint64_t, uint32_t,
		    uint32_t);
static void	sc_build(struct sc_prog *, enum sandbox_profile, int);
static void	sc_sigsys(int, siginfo_t *, void *);

/* Every process: memory, time, its own descriptors, exiting. */
static const int sc_common[] = {
	__NR_read, __NR_write, __NR_readv, __NR_writev, __NR_close,
	__NR_exit, __NR_exit_group, __NR_restart_syscall,
	__NR_rt_sigreturn, __NR_rt_sigprocmask, __NR_rt_sigaction,
	__NR_brk, __NR_munmap, __NR_mremap, __NR_madvise, __NR_futex,
	__NR_getpid, __NR_gettid, __NR_getuid, __NR_geteuid, __NR_getgid,
	__NR_getegid, __NR_clock_gettime, __NR_clock_getres,
	__NR_gettimeofday, __NR_time, __NR_nanosleep, __NR_clock_nanosleep,
	__NR_getrandom, __NR_fstat, __NR_newfstatat, __NR_lseek, __NR_fcntl,
	__NR_poll, __NR_ppoll, __NR_sendmsg, __NR_recvmsg, __NR_sendto,
	__NR_recvfrom, __NR_shutdown, __NR_sched_yield, __NR_sched_getaffinity,
	__NR_uname, __NR_sigaltstack, __NR_getrlimit,
};

/* netproc: libcurl, OpenSSL and glibc's resolver. */
static const int sc_netproc[] = {
	__NR_connect, __NR_setsockopt, __NR_getsockopt, __NR_getsockname,
	__NR_getpeername, __NR_sendmmsg, __NR_recvmmsg, __NR_pipe2,
	__NR_eventfd2, __NR_dup, __NR_dup3, __NR_getdents64, __NR_access,
	__NR_faccessat, __NR_faccessat2, __NR_statx, __NR_set_robust_list,
	__NR_rseq, __NR_sysinfo, __NR_pread64,
};

/* challenged: serves connections on sockets it was given. */
static const int sc_challenged[] = {
	__NR_accept, __NR_accept4, __NR_setsockopt, __NR_getsockopt,
	__NR_getsockname, __NR_getpeername,
};

void
sandbox_seccomp_debug(int on)
{
	sc_debug = on;
}

int
sandbox_seccomp_getdebug(void)
{
	const char	*v;

	if (!sc_debug && (v = getenv("ACMED_SECCOMP_DEBUG")) != NULL &&
	    strcmp(v, "1") == 0)
		sc_debug = 1;
	return sc_debug;
}

static void
sc_emit(struct sc_prog *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (p->n >= SC_MAXINS) {
		p->full = 1;
		return;
	}
	p->ins[p->n].code = code;
	p->ins[p->n].jt = jt;
	p->ins[p->n].jf = jf;
	p->ins[p->n].k = k;
	p->n++;
}

/* Each rule starts with the number in A and leaves only by a return. */
static void
sc_ret(struct sc_prog *p, int nr, uint32_t ret)
{
	if (nr < 0)
		return;
	sc_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)nr);
	sc_emit(p, BPF_RET | BPF_K, 0, 0, ret);
}

static void
sc_list(struct sc_prog *p, const int *nrs, size_t n, uint32_t ret)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		sc_ret(p, nrs[i], ret);
}

/*
 * Argument arg, as a whole 64-bit value, is compared with each choice in
 * turn; none matching returns dflt.  Every choice is below 2^32, so a
 * high half that is not zero matches none: for an int argument (a pid, a
 * family, an ioctl request) the kernel ignores that half and refusing it
 * costs nothing; for a pointer (prlimit64's new limit) it is what makes
 * the rule hold, since a pointer may well end in 32 zero bits.
 */
static void
sc_arg_in(struct sc_prog *p, int nr, int arg, const struct sc_choice *c,
    size_t n, uint32_t dflt)
{
	size_t	 i;

	if (nr < 0)
		return;
	sc_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)(4 + 2 * n),
	    (uint32_t)nr);
	sc_emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SC_ARG_HI(arg));
	sc_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)(1 + 2 * n), 0);
	sc_emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SC_ARG_LO(arg));
	for (i = 0; i < n; i++) {
		sc_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, c[i].value);
		sc_emit(p, BPF_RET | BPF_K, 0, 0, c[i].ret);
	}
	sc_emit(p, BPF_RET | BPF_K, 0, 0, dflt);
}

/*
 * Returns clear if none of the bits in mask are set in arg, else set.
 * The mask covers all 64 bits: where it has bits in the high half, that
 * half is tested too; where it has none, the caller has said why the
 * kernel never reads that half.
 */
static void
sc_arg_mask(struct sc_prog *p, int nr, int arg, uint64_t mask,
    uint32_t clear, uint32_t set)
{
	uint32_t	 hi = (uint32_t)(mask >> 32);

	if (nr < 0)
		return;
	sc_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, hi != 0 ? 6 : 4,
	    (uint32_t)nr);
	if (hi != 0) {
		sc_emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SC_ARG_HI(arg));
		sc_emit(p, BPF_JMP | BPF_JSET | BPF_K, 3, 0, hi);
	}
	sc_emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SC_ARG_LO(arg));
	sc_emit(p, BPF_JMP | BPF_JSET | BPF_K, 1, 0, (uint32_t)mask);
	sc_emit(p, BPF_RET | BPF_K, 0, 0, clear);
	sc_emit(p, BPF_RET | BPF_K, 0, 0, set);
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
sc_build(struct sc_prog *p, enum sandbox_profile prof, int pid)
{
	const struct sc_choice	 self[] = {
		{ (uint32_t)pid, SC_ALLOW },
	};
	const struct sc_choice	 ioctls[] = {
		{ FIONREAD, SC_ALLOW },
		{ FIONBIO, SC_ALLOW },
	};
	/*
	 * glibc asks nscd over a UNIX socket and the kernel's addresses over
	 * netlink before it resolves; both have fallbacks.
	 */
	const struct sc_choice	 families[] = {
		{ AF_INET, SC_ALLOW },
		{ AF_INET6, SC_ALLOW },
		{ AF_UNIX, SC_ERRNO(EACCES) },
		{ AF_NETLINK, SC_ERRNO(EACCES) },
	};
	const struct sc_choice	 unix_only[] = {
		{ AF_UNIX, SC_ALLOW },
	};
	const struct sc_choice	 get_only[] = {
		{ 0, SC_ALLOW },
	};

	sc_emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    offsetof(struct seccomp_data, arch));
	sc_emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, SC_ARCH);
	sc_emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	sc_emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	    offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
	sc_emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, 0x40000000U);
	sc_emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
#endif

	sc_list(p, sc_common, NELEM(sc_common), SC_ALLOW);
	/* abort() and raise() signal the process itself, nothing else. */
	sc_arg_in(p, __NR_tgkill, 0, self, NELEM(self), sc_deny);
	sc_arg_in(p, __NR_ioctl, 1, ioctls, NELEM(ioctls), SC_ERRNO(ENOTTY));
	sc_ret(p, __NR_openat2, SC_ERRNO(ENOSYS));
	/* Reading a limit is harmless; none may be raised or set. */
	sc_arg_in(p, __NR_prlimit64, 2, get_only, NELEM(get_only),
	    SC_ERRNO(EPERM));
	/*
	 * No new executable memory, so no memory both writable and
	 * executable: every library is loaded before the filter, and one
	 * loaded later (an NSS module) fails to load and is done without.
	 */
	sc_arg_mask(p, __NR_mmap, 2, SC_PROT_EXEC, SC_ALLOW, SC_ERRNO(EACCES));
	sc_arg_mask(p, __NR_mprotect, 2, SC_PROT_EXEC, SC_ALLOW,
	    SC_ERRNO(EACCES));

	switch (prof) {
	case SANDBOX_NETPROC:
		sc_list(p, sc_netproc, NELEM(sc_netproc), SC_ALLOW);
		sc_arg_in(p, __NR_socket, 0, families, NELEM(families),
		    sc_deny);
		sc_arg_in(p, __NR_socketpair, 0, unix_only, NELEM(unix_only),
		    sc_deny);
		/*
		 * Read only; the root and Landlock decide which files.  The
		 * flags are an int: the kernel never reads their high half.
		 */
		sc_arg_mask(p, __NR_openat, 2, SC_OPEN_REFUSED, SC_ALLOW,
		    SC_ERRNO(EACCES));
		sc_arg_mask(p, __NR_open, 1, SC_OPEN_REFUSED, SC_ALLOW,
		    SC_ERRNO(EACCES));
		/*
		 * Threads (the resolver's) but no processes.  clone(2) reads
		 * only the low half of its flags (clone3's flags beyond 32
		 * bits are not reachable through it).
		 */
		sc_ret(p, __NR_clone3, SC_ERRNO(ENOSYS));
		sc_arg_mask(p, __NR_clone, 0, CLONE_THREAD, sc_deny, SC_ALLOW);
		break;
	case SANDBOX_CHALLENGED:
		sc_list(p, sc_challenged, NELEM(sc_challenged), SC_ALLOW);
		/* FALLTHROUGH */
	case SANDBOX_KEYPROC:
		sc_ret(p, __NR_openat, SC_ERRNO(EACCES));
		sc_ret(p, __NR_open, SC_ERRNO(EACCES));
		sc_ret(p, __NR_statx, SC_ERRNO(ENOSYS));
		break;
	default:
		break;
	}

	sc_emit(p, BPF_RET | BPF_K, 0, 0, sc_deny);
}

static void
sc_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char		 msg[128], num[24];
	const char	*name;
	size_t		 len = 0, i, nl;
	long		 nr;
	int		 k = 0;

	(void)sig;
	(void)ctx;
	nr = si->si_syscall;
	name = sandbox_syscall_name(nr);
	if (nr < 0)
		nr = -nr;
	do {
		num[k++] = (char)('0' + nr % 10);
		nr /= 10;
	} while (nr > 0 && k < (int)sizeof(num));

#define SC_PUT(s) do {							\
	nl = strlen(s);							\
	for (i = 0; i < nl && len < sizeof(msg) - 1; i++)		\
		msg[len++] = (s)[i];					\
} while (0)
	SC_PUT("seccomp: forbidden system call ");
	if (si->si_syscall < 0 && len < sizeof(msg) - 1)
		msg[len++] = '-';
	while (k > 0 && len < sizeof(msg) - 1)
		msg[len++] = num[--k];
	SC_PUT(" (");
	SC_PUT(name);
	SC_PUT(")\n");
#undef SC_PUT
	if (write(STDERR_FILENO, msg, len) == -1)
		_exit(2);
	_exit(2);
}

int
sandbox_seccomp(enum sandbox_profile prof, int pid)
{
	static struct sc_prog	 p;
	struct sock_fprog	 fp;
	struct sigaction	 sa;
	long			 r;

#ifndef SC_ARCH
	(void)prof;
	(void)pid;
	log_warnx("sandbox: no seccomp filter for this architecture");
	return -1;
#else
	memset(&p, 0, sizeof(p));
	sc_deny = SECCOMP_RET_KILL_PROCESS;
	if (sandbox_seccomp_getdebug()) {
		sc_deny = SECCOMP_RET_TRAP;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sc_sigsys;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSYS, &sa, NULL) == -1) {
			log_warn("sandbox: sigaction SIGSYS");
			return -1;
		}
		sigaddset(&sa.sa_mask, SIGSYS);
		if (sigprocmask(SIG_UNBLOCK, &sa.sa_mask, NULL) == -1) {
			log_warn("sandbox: sigprocmask SIGSYS");
			return -1;
		}
	}
	sc_build(&p, prof, pid);
	if (p.full) {
		log_warnx("sandbox: seccomp program longer than %d", SC_MAXINS);
		return -1;
	}
	fp.len = (unsigned short)p.n;
	fp.filter = p.ins;
	/* Every thread gets the filter, or none does. */
	r = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_TSYNC, &fp);
	if (r > 0) {
		log_warnx("sandbox: seccomp filter: thread %ld cannot take it",
		    r);
		return -1;
	}
	if (r == -1 && (errno != ENOSYS ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) == -1)) {
		log_warn("sandbox: seccomp filter (%u instructions)", p.n);
		return -1;
	}
	return 0;
#endif
}

#define SC_NAME(x)	{ __NR_##x, #x }

/* Names for the debug message: the calls a library is likely to try. */
static const struct {
	int		 nr;
	const char	*name;
} sc_names[] = {
	SC_NAME(read), SC_NAME(write), SC_NAME(open), SC_NAME(close),
	SC_NAME(stat), SC_NAME(fstat), SC_NAME(lstat), SC_NAME(poll),
	SC_NAME(lseek), SC_NAME(mmap), SC_NAME(mprotect), SC_NAME(munmap),
	SC_NAME(brk), SC_NAME(rt_sigaction), SC_NAME(rt_sigprocmask),
	SC_NAME(rt_sigreturn), SC_NAME(ioctl), SC_NAME(pread64),
	SC_NAME(pwrite64), SC_NAME(readv), SC_NAME(writev), SC_NAME(access),
	SC_NAME(pipe), SC_NAME(select), SC_NAME(sched_yield), SC_NAME(mremap),
	SC_NAME(msync), SC_NAME(mincore), SC_NAME(madvise), SC_NAME(dup),
	SC_NAME(dup2), SC_NAME(nanosleep), SC_NAME(getitimer),
	SC_NAME(setitimer), SC_NAME(getpid), SC_NAME(sendfile),
	SC_NAME(socket), SC_NAME(connect), SC_NAME(accept), SC_NAME(sendto),
	SC_NAME(recvfrom), SC_NAME(sendmsg), SC_NAME(recvmsg),
	SC_NAME(shutdown), SC_NAME(bind), SC_NAME(listen),
	SC_NAME(getsockname), SC_NAME(getpeername), SC_NAME(socketpair),
	SC_NAME(setsockopt), SC_NAME(getsockopt), SC_NAME(clone),
	SC_NAME(fork), SC_NAME(vfork), SC_NAME(execve), SC_NAME(exit),
	SC_NAME(wait4), SC_NAME(kill), SC_NAME(uname), SC_NAME(fcntl),
	SC_NAME(flock), SC_NAME(fsync), SC_NAME(fdatasync),
	SC_NAME(truncate), SC_NAME(ftruncate), SC_NAME(getdents),
	SC_NAME(getcwd), SC_NAME(chdir), SC_NAME(fchdir), SC_NAME(rename),
	SC_NAME(mkdir), SC_NAME(unlink), SC_NAME(creat), SC_NAME(readlink),
	SC_NAME(chmod), SC_NAME(fchmod), SC_NAME(fchown), SC_NAME(umask),
	SC_NAME(gettimeofday), SC_NAME(getrlimit), SC_NAME(getrusage),
	SC_NAME(sysinfo), SC_NAME(ptrace), SC_NAME(getuid), SC_NAME(getgid),
	SC_NAME(setuid), SC_NAME(setgid), SC_NAME(geteuid), SC_NAME(getegid),
	SC_NAME(setpgid), SC_NAME(getppid), SC_NAME(setsid),
	SC_NAME(setreuid), SC_NAME(setregid), SC_NAME(getgroups),
	SC_NAME(setgroups), SC_NAME(setresuid), SC_NAME(getresuid),
	SC_NAME(setresgid), SC_NAME(getresgid), SC_NAME(sigaltstack),
	SC_NAME(personality), SC_NAME(statfs), SC_NAME(fstatfs),
	SC_NAME(getpriority), SC_NAME(setpriority), SC_NAME(mlock),
	SC_NAME(munlock), SC_NAME(mlockall), SC_NAME(prctl),
	SC_NAME(arch_prctl), SC_NAME(setrlimit), SC_NAME(chroot),
	SC_NAME(mount), SC_NAME(gettid), SC_NAME(time), SC_NAME(futex),
	SC_NAME(sched_getaffinity), SC_NAME(getdents64),
	SC_NAME(set_tid_address), SC_NAME(restart_syscall),
	SC_NAME(clock_gettime), SC_NAME(clock_getres),
	SC_NAME(clock_nanosleep), SC_NAME(exit_group), SC_NAME(epoll_wait),
	SC_NAME(epoll_ctl), SC_NAME(tgkill), SC_NAME(openat),
	SC_NAME(mkdirat), SC_NAME(newfstatat), SC_NAME(unlinkat),
	SC_NAME(renameat), SC_NAME(readlinkat), SC_NAME(fchmodat),
	SC_NAME(faccessat), SC_NAME(pselect6), SC_NAME(ppoll),
	SC_NAME(set_robust_list), SC_NAME(get_robust_list),
	SC_NAME(epoll_pwait), SC_NAME(eventfd2), SC_NAME(epoll_create1),
	SC_NAME(dup3), SC_NAME(pipe2), SC_NAME(accept4), SC_NAME(recvmmsg),
	SC_NAME(prlimit64), SC_NAME(sendmmsg), SC_NAME(getrandom),
	SC_NAME(memfd_create), SC_NAME(execveat), SC_NAME(membarrier),
	SC_NAME(statx), SC_NAME(rseq), SC_NAME(clone3), SC_NAME(openat2),
	SC_NAME(faccessat2), SC_NAME(seccomp), SC_NAME(landlock_create_ruleset),
	SC_NAME(process_vm_readv), SC_NAME(process_vm_writev),
	SC_NAME(pidfd_open), SC_NAME(close_range), SC_NAME(kcmp),
};

const char *
sandbox_syscall_name(long nr)
{
	size_t	 i;

	for (i = 0; i < NELEM(sc_names); i++)
		if (sc_names[i].nr >= 0 && sc_names[i].nr == nr)
			return sc_names[i].name;
	return "unknown";
}
