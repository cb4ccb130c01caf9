/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The seccomp allow-list of the serving phase (libseccomp) and the SIGSYS
 * reporter.  Any system call not listed traps: the handler writes one line
 * naming it, with async-signal-safe code only, then repeats a call that is
 * never allowed while SIGSYS is still blocked, so the kernel kills the
 * process with SIGSYS (no core: sandbox.c turned dumps off). */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "common/coverage.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "common/sandbox_int.h"

#ifndef VD_SECCOMP
#define VD_SECCOMP 1
#endif

#if VD_SECCOMP
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>

const char *sandbox_features(void)
{
	return "seccomp, landlock";
}

/* How a listed call is allowed. */
enum sb_how {
	SB_ANY,       /* any arguments */
	SB_NOEXEC,    /* mmap/mprotect: never PROT_EXEC */
	SB_THREAD,    /* clone: only threads (CLONE_THREAD) */
	SB_ENOSYS,    /* clone3: its flags are in memory a filter cannot read;
		       * ENOSYS makes glibc fall back to clone */
	SB_IOCTL,     /* ioctl: only the requests the modules declared */
};

struct sb_call {
	const char *name;
	unsigned needs;   /* 0: always; else any of these needs */
	enum sb_how how;
};

/* The serving phase: the epoll loop (eventfds, timerfds, signalfd),
 * vhost-user messages with fds, guest memory maps, stderr logging, and
 * the exit path (unlinking the sockets). */
static const struct sb_call sb_calls[] = {
	{ "read", 0, SB_ANY },
	{ "write", 0, SB_ANY },
	{ "readv", 0, SB_ANY },
	{ "writev", 0, SB_ANY },
	{ "pread64", 0, SB_ANY },
	{ "pwrite64", 0, SB_ANY },
	{ "close", 0, SB_ANY },
	{ "fstat", 0, SB_ANY },
	{ "newfstatat", 0, SB_ANY },
	{ "lseek", 0, SB_ANY },
	{ "fcntl", 0, SB_ANY },
	{ "brk", 0, SB_ANY },
	{ "mmap", 0, SB_NOEXEC },
	{ "mprotect", 0, SB_NOEXEC },
	{ "munmap", 0, SB_ANY },
	{ "mremap", 0, SB_ANY },
	{ "madvise", 0, SB_ANY },
	{ "epoll_wait", 0, SB_ANY },
	{ "epoll_pwait", 0, SB_ANY },
	{ "epoll_ctl", 0, SB_ANY },
	{ "accept4", 0, SB_ANY },
	{ "recvmsg", 0, SB_ANY },
	{ "sendmsg", 0, SB_ANY },
	{ "timerfd_create", 0, SB_ANY },
	{ "timerfd_settime", 0, SB_ANY },
	{ "clock_gettime", 0, SB_ANY },
	{ "gettimeofday", 0, SB_ANY },
	{ "getpid", 0, SB_ANY },
	{ "gettid", 0, SB_ANY },
	{ "futex", 0, SB_ANY },
	{ "rt_sigprocmask", 0, SB_ANY },
	{ "rt_sigreturn", 0, SB_ANY },
	{ "restart_syscall", 0, SB_ANY },
	{ "unlink", 0, SB_ANY },
	{ "unlinkat", 0, SB_ANY },
	/* frontend eventfds without blocking (src/vhost/efd.c): the fd's
	 * kind from /proc/self/fd, signalled through kernel AIO */
	{ "readlink", 0, SB_ANY },
	{ "readlinkat", 0, SB_ANY },
	{ "io_submit", 0, SB_ANY },
	{ "io_getevents", 0, SB_ANY },
	{ "preadv2", 0, SB_ANY },
	{ "exit", 0, SB_ANY },
	{ "exit_group", 0, SB_ANY },
	/* host device ioctls (sandbox_allow_ioctls) */
	{ "ioctl", SB_NEED_IOCTL, SB_IOCTL },
	/* sysfs attributes, image files (Landlock limits where) */
	{ "openat", SB_NEED_FILES | SB_NEED_PERSIST, SB_ANY },
	{ "getdents64", SB_NEED_FILES, SB_ANY },
	/* write-and-rename persistence */
	{ "fsync", SB_NEED_PERSIST, SB_ANY },
	{ "fdatasync", SB_NEED_PERSIST, SB_ANY },
	{ "fchmod", SB_NEED_PERSIST, SB_ANY },
	{ "rename", SB_NEED_PERSIST, SB_ANY },
	{ "renameat", SB_NEED_PERSIST, SB_ANY },
	{ "renameat2", SB_NEED_PERSIST, SB_ANY },
	{ "getrandom", SB_NEED_PERSIST, SB_ANY },   /* mkstemp */
	/* worker threads */
	{ "clone", SB_NEED_THREADS, SB_THREAD },
	{ "eventfd2", SB_NEED_THREADS, SB_ANY },    /* a worker's completions */
	{ "rt_sigaction", SB_NEED_THREADS, SB_ANY }, /* glibc's first pthread_create */
	{ "sched_getaffinity", SB_NEED_THREADS, SB_ANY }, /* pthread_getattr_np */
	{ "clone3", SB_NEED_THREADS, SB_ENOSYS },
	{ "set_robust_list", SB_NEED_THREADS, SB_ANY },
	{ "rseq", SB_NEED_THREADS, SB_ANY },
	{ "sched_yield", SB_NEED_THREADS, SB_ANY },
#if defined(__SANITIZE_ADDRESS__)
	/* ASan builds only: its thread start-up gives each thread an
	 * alternate signal stack */
	{ "sigaltstack", SB_NEED_THREADS, SB_ANY },
#endif
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the SIGSYS reporter ---- */

#define SB_NAMES 512
static char *sb_names[SB_NAMES];   /* resolved before lock-down */

static void put_str(char *b, size_t *n, size_t cap, const char *s)
{
	while (*s && *n < cap)
		b[(*n)++] = *s++;
}

static void put_num(char *b, size_t *n, size_t cap, unsigned long v, unsigned base)
{
	char t[24];
	int i = 0;

	do {
		t[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i && *n < cap)
		b[(*n)++] = t[--i];
}

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	char b[400];
	size_t n = 0;
	int nr = si->si_syscall;

	put_str(b, &n, sizeof(b), log_prog_name());
	put_str(b, &n, sizeof(b), ": error: sandbox: system call ");
	if (nr >= 0 && nr < SB_NAMES && sb_names[nr])
		put_str(b, &n, sizeof(b), sb_names[nr]);
	else
		put_str(b, &n, sizeof(b), "?");
	put_str(b, &n, sizeof(b), " (");
	put_num(b, &n, sizeof(b), (unsigned long)nr, 10);
	put_str(b, &n, sizeof(b), ")");
#if defined(__x86_64__) || defined(__aarch64__)
	if (nr == __NR_ioctl) {
		ucontext_t *uc = ucv;
#if defined(__x86_64__)
		unsigned long req = (unsigned long)uc->uc_mcontext.gregs[REG_RSI];
#else
		unsigned long req = (unsigned long)uc->uc_mcontext.regs[1];
#endif
		put_str(b, &n, sizeof(b), " request 0x");
		put_num(b, &n, sizeof(b), req & 0xffffffffu, 16);
	}
#endif
	put_str(b, &n, sizeof(b), " is not allowed: stopping (--sandbox=off runs without "
		"confinement; see SECURITY in the man page)\n");
	if (write(STDERR_FILENO, b, n) < 0) {
		/* nothing else to say it with */
	}
	/* make coverage only (not async-signal-safe; the process ends anyway) */
	coverage_dump();
	/* SIGSYS is blocked inside its handler: a second trapped call makes
	 * the kernel deliver it with the default action.  reboot is never
	 * allowed. */
	syscall(__NR_reboot, 0, 0, 0, NULL);
	_exit(128 + SIGSYS);
}

int sb_seccomp_prepare(void)
{
	struct sigaction sa;

	for (int nr = 0; nr < SB_NAMES; nr++)
		if (!sb_names[nr])
			sb_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		log_err("sandbox: cannot install the SIGSYS reporter: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int add_call(scmp_filter_ctx ctx, const struct sb_call *c, int nr,
		    const struct sb_ioctls *io, unsigned nio, unsigned *nioctl)
{
	int r = 0;

	switch (c->how) {
	case SB_ANY:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	case SB_NOEXEC:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case SB_THREAD:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	case SB_ENOSYS:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	case SB_IOCTL:
		for (unsigned t = 0; t < nio && !r; t++) {
			for (unsigned i = 0; i < io[t].n && !r; i++) {
				const struct sandbox_ioctl *q = &io[t].tab[i];

				r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
						     SCMP_A1(SCMP_CMP_MASKED_EQ, q->mask,
							     q->req & q->mask));
				(*nioctl)++;
			}
		}
		return r;
	}
	return -EINVAL;
}

bool sb_seccomp_known(const char *name)
{
	return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

/* Whether the allow-list for needs has name already (as it has it, with
 * its argument checks: a module's declaration never widens that). */
static bool listed(const char *name, unsigned needs)
{
	for (size_t i = 0; i < ARRAY_LEN(sb_calls); i++)
		if (!strcmp(sb_calls[i].name, name) &&
		    (!sb_calls[i].needs || (sb_calls[i].needs & needs)))
			return true;
	return false;
}

int sb_seccomp_load(unsigned needs, const char *const *calls, unsigned ncalls,
		    const struct sb_ioctls *io, unsigned nio, struct sb_summary *sum)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	char list[1024] = "";
	size_t len = 0;
	int r;

	if (!ctx) {
		log_err("sandbox: seccomp: cannot create a filter");
		return -1;
	}
	/* threads created before lock-down get the filter too */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; i < ARRAY_LEN(sb_calls) && !r; i++) {
		const struct sb_call *c = &sb_calls[i];
		int nr;

		if (c->needs && !(c->needs & needs))
			continue;
		nr = seccomp_syscall_resolve_name(c->name);
		if (nr == __NR_SCMP_ERROR)
			continue;   /* not on this architecture */
		r = add_call(ctx, c, nr, io, nio, &sum->ioctls);
		if (!r && c->how != SB_ENOSYS) {
			sum->syscalls++;
			len += snprintf(list + len, sizeof(list) - len, " %s", c->name);
			if (len >= sizeof(list))
				len = sizeof(list) - 1;
		}
	}
	/* the modules' own (sandbox_allow_syscall: known names only) */
	for (unsigned i = 0; i < ncalls && !r; i++) {
		if (listed(calls[i], needs))
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
				     seccomp_syscall_resolve_name(calls[i]), 0);
		if (!r) {
			sum->syscalls++;
			len += snprintf(list + len, sizeof(list) - len, " %s", calls[i]);
			if (len >= sizeof(list))
				len = sizeof(list) - 1;
		}
	}
	log_debug("sandbox: allowed:%s", list);
	if (!r)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r) {
		log_err("sandbox: seccomp: %s", strerror(-r));
		return -1;
	}
	sum->seccomp = true;
	return 0;
}

#else /* !VD_SECCOMP */

const char *sandbox_features(void)
{
	return "landlock (built without seccomp: SECCOMP=0)";
}

int sb_seccomp_prepare(void)
{
	return 0;
}

bool sb_seccomp_known(const char *name)
{
	return true;
}

int sb_seccomp_load(unsigned needs, const char *const *calls, unsigned ncalls,
		    const struct sb_ioctls *io, unsigned nio, struct sb_summary *sum)
{
	return 0;
}

#endif
