/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The fallbacks of src/vhost/efd.c, on kernels without what it prefers:
 * preadv2(RWF_NOWAIT) refused for eventfds (older kernels, qemu-user), no
 * kernel AIO (io_setup fails), no pipe at start-up, io_submit failing,
 * no /proc.  Stand-ins for those calls are defined here (they replace the
 * C library's for this program, and pass through unless told to fail).
 * efd_init() probes once per process, so each kernel is a child process;
 * the child reports the first check that failed as its exit status. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "common/log.h"
#include "vhost/efd.h"

#define SAFETY_S 30   /* not a timing assertion: only ends a hung test */

/* ---- stand-ins ---- */

static bool nowait_refused;     /* preadv2(RWF_NOWAIT): EOPNOTSUPP */
static int io_setup_errno;      /* io_setup fails with this */
static int pipe_errno;          /* pipe2 fails with this */
static int submit_errno;        /* io_submit fails with this ... */
static unsigned submit_fails;   /* ... this many times */
static unsigned submits;        /* io_submit calls seen */
static int readlink_errno;      /* readlink fails with this */

/* the C library's syscall(), with all six argument registers */
static long real_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	static long (*real)(long, ...);

	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(nr, a, b, c, d, e, f);
}

ssize_t preadv2(int fd, const struct iovec *iov, int n, off_t off, int flags)
{
	if (nowait_refused && (flags & RWF_NOWAIT)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return real_syscall(SYS_preadv2, fd, (long)iov, n, (long)off, 0, flags);
}

int pipe2(int fds[2], int flags)
{
	if (pipe_errno) {
		errno = pipe_errno;
		return -1;
	}
	return (int)real_syscall(SYS_pipe2, (long)fds, flags, 0, 0, 0, 0);
}

ssize_t readlink(const char *restrict path, char *restrict buf, size_t len)
{
	if (readlink_errno) {
		errno = readlink_errno;
		return -1;
	}
	return real_syscall(SYS_readlinkat, AT_FDCWD, (long)path, (long)buf, (long)len, 0, 0);
}

/* efd.c's calls: io_setup (2 arguments), io_submit (3), io_getevents (5);
 * no more are read than were passed */
long syscall(long nr, ...)
{
	va_list ap;
	long a[5] = { 0 };
	int n = nr == SYS_io_setup ? 2 : nr == SYS_io_submit ? 3 : 5;

	va_start(ap, nr);
	for (int i = 0; i < n; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_io_setup && io_setup_errno) {
		errno = io_setup_errno;
		return -1;
	}
	if (nr == SYS_io_submit) {
		submits++;
		if (submit_fails) {
			submit_fails--;
			errno = submit_errno;
			return -1;
		}
	}
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], 0);
}

/* ---- children ---- */

struct outcome {
	int status;
	char err[4096];   /* the child's stderr */
};

/* fn in a child with stderr captured; fn returns 0 or the failed check */
static void run_child(int (*fn)(void), struct outcome *o)
{
	int p[2];
	pid_t pid;
	size_t n = 0;
	ssize_t r;

	assert_int_equal(real_syscall(SYS_pipe2, (long)p, O_CLOEXEC, 0, 0, 0, 0), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		close(p[1]);
		alarm(SAFETY_S);
		exit(fn());   /* exit(): a coverage build writes its counts */
	}
	close(p[1]);
	while ((r = read(p[0], o->err + n, sizeof(o->err) - 1 - n)) > 0)
		n += (size_t)r;
	o->err[n] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &o->status, 0), pid);
	if (!WIFEXITED(o->status) || WEXITSTATUS(o->status) != 0)
		fail_msg("child status 0x%x (exit code: the failed check); stderr:\n%s",
			 o->status, o->err);
}

#define CHECK(n, cond) do { if (!(cond)) return (n); } while (0)

static bool nonblocking(int fd)
{
	return fcntl(fd, F_GETFL) & O_NONBLOCK;
}

/* No RWF_NOWAIT: kick fds are read with O_NONBLOCK set again before
 * each read, so a frontend that cleared it cannot block us. */
static int child_nowait_refused(void)
{
	int e = eventfd(0, EFD_CLOEXEC);   /* the frontend cleared O_NONBLOCK */
	uint64_t v = 5;

	nowait_refused = true;
	CHECK(1, e >= 0);
	CHECK(2, efd_init());               /* AIO is there: signals unaffected */
	CHECK(3, efd_read(e, &v, sizeof(v)) == -EAGAIN);
	CHECK(4, nonblocking(e));
	fcntl(e, F_SETFL, fcntl(e, F_GETFL) & ~O_NONBLOCK);
	CHECK(5, write(e, &v, sizeof(v)) == sizeof(v));
	v = 0;
	CHECK(6, efd_read(e, &v, sizeof(v)) == sizeof(v) && v == 5);
	CHECK(7, nonblocking(e));
	close(e);
	CHECK(8, efd_read(e, &v, sizeof(v)) == -EBADF);
	return 0;
}

static void test_efd_fallback_read_without_nowait(void **state)
{
	struct outcome o;

	run_child(child_nowait_refused, &o);
	assert_non_null(strstr(o.err, "warning: the kernel cannot read an eventfd without "
			       "blocking per call (preadv2 RWF_NOWAIT: Operation not supported)"));
}

/* No kernel AIO: a call fd gets O_NONBLOCK at hand-over and a signal is
 * a write(); a full counter then gives EAGAIN, not a blocked loop. */
static int child_no_aio(void)
{
	int e = eventfd(0, EFD_CLOEXEC);
	uint64_t v = 0xfffffffffffffffeull;

	io_setup_errno = ENOSYS;
	CHECK(1, e >= 0);
	CHECK(2, !efd_init());
	CHECK(3, !efd_init());              /* probed once: no second warning */
	efd_take(e);
	CHECK(4, nonblocking(e));
	CHECK(5, efd_signal(e) == 0);
	CHECK(6, read(e, &v, sizeof(v)) == sizeof(v) && v == 1);
	v = 0xfffffffffffffffeull;
	CHECK(7, write(e, &v, sizeof(v)) == sizeof(v));
	CHECK(8, efd_signal(e) == -EAGAIN);
	CHECK(9, efd_signal(-1) == -EBADF);
	CHECK(10, submits == 0);
	close(e);
	return 0;
}

static void test_efd_fallback_signal_without_aio(void **state)
{
	struct outcome o;
	const char *w = "warning: kernel AIO is not available (io_setup: Function not implemented)";

	run_child(child_no_aio, &o);
	assert_non_null(strstr(o.err, w));
	assert_null(strstr(strstr(o.err, w) + 1, w));
}

/* No pipe for the AIO requests (out of fds at start-up): the same
 * write() fallback. */
static int child_no_pipe(void)
{
	int e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t v;

	pipe_errno = EMFILE;
	CHECK(1, e >= 0);
	CHECK(2, !efd_init());
	CHECK(3, efd_signal(e) == 0);
	CHECK(4, read(e, &v, sizeof(v)) == sizeof(v) && v == 1);
	CHECK(5, submits == 0);
	close(e);
	return 0;
}

static void test_efd_fallback_signal_without_pipe(void **state)
{
	struct outcome o;

	run_child(child_no_pipe, &o);
	assert_non_null(strstr(o.err, "warning: cannot create a pipe: Too many open files"));
}

/* io_submit: EAGAIN (the completion ring full) reaps and tries once
 * more; twice is -EAGAIN; any other error is returned as it is. */
static void test_efd_signal_submit_failures(void **state)
{
	int e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t v;

	assert_true(e >= 0);
	assert_true(efd_init());
	submits = 0;
	submit_errno = EAGAIN;
	submit_fails = 1;
	assert_int_equal(efd_signal(e), 0);
	assert_int_equal(submits, 2);
	submit_fails = 2;
	assert_int_equal(efd_signal(e), -EAGAIN);
	assert_int_equal(submits, 4);
	submit_errno = EBADF;
	submit_fails = 1;
	assert_int_equal(efd_signal(e), -EBADF);
	assert_int_equal(submits, 5);
	assert_int_equal(submit_fails, 0);
	assert_int_equal(read(e, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 1);             /* only the one that went through */
	close(e);
}

/* Without /proc an fd's kind cannot be told: accepted (io_submit then
 * fails on what is not an eventfd). */
static void test_efd_check_without_proc(void **state)
{
	int p[2];

	assert_int_equal(real_syscall(SYS_pipe2, (long)p, O_CLOEXEC, 0, 0, 0, 0), 0);
	assert_int_equal(efd_check(p[0]), -EINVAL);
	readlink_errno = ENOENT;
	assert_int_equal(efd_check(p[0]), 0);
	readlink_errno = 0;
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* children first: efd_init() has not run in this process */
		cmocka_unit_test(test_efd_fallback_read_without_nowait),
		cmocka_unit_test(test_efd_fallback_signal_without_aio),
		cmocka_unit_test(test_efd_fallback_signal_without_pipe),
		cmocka_unit_test(test_efd_signal_submit_failures),
		cmocka_unit_test(test_efd_check_without_proc),
	};

	log_init("test");
	log_set_level(LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
