/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The sandbox bites: a child declares a policy with the daemon's own
 * calls (sandbox_need, sandbox_allow_path), locks itself down with
 * sandbox_apply(), then tries something the policy refuses.  The parent
 * checks how it ended and what it printed. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/i2c-dev.h>
#include <linux/gpio.h>
#include <linux/spi/spidev.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "common/coverage.h"
#include "common/log.h"
#include "common/opts.h"
#include "common/sandbox.h"
#include "vhost/loop.h"
#include "vhost/work.h"

/* A stand-in for prctl (replacing the C library's in this program): the
 * option given fails with EINVAL in a child that sets it. */
static int prctl_fails = -1;

int prctl(int option, ...)
{
	static int (*real)(int, ...);
	unsigned long a[4];
	va_list ap;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == prctl_fails) {
		errno = EINVAL;
		return -1;
	}
	if (!real)
		real = (int (*)(int, ...))dlsym(RTLD_NEXT, "prctl");
	return real(option, a[0], a[1], a[2], a[3]);
}

struct outcome {
	int status;       /* raw wait status */
	char err[2048];   /* the child's stderr */
};

static char tmpdir[64];

/* Run fn in a child with stderr captured; fn returns the exit code. */
static void run_child(int (*fn)(void), struct outcome *o)
{
	int p[2];
	pid_t pid;
	size_t n = 0;
	ssize_t r;

	assert_int_equal(pipe(p), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		close(p[1]);
		/* straight to the kernel: a sanitizer's exit hooks (the leak
		 * check) need calls the sandbox refuses */
		r = fn();
		coverage_dump();
		syscall(SYS_exit_group, r);
	}
	close(p[1]);
	while ((r = read(p[0], o->err + n, sizeof(o->err) - 1 - n)) > 0)
		n += (size_t)r;
	o->err[n] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &o->status, 0), pid);
}

static void assert_killed_naming(const struct outcome *o, const char *what)
{
	if (!WIFSIGNALED(o->status) || WTERMSIG(o->status) != SIGSYS)
		fail_msg("child not killed by SIGSYS (status 0x%x); stderr:\n%s", o->status, o->err);
	if (!strstr(o->err, what))
		fail_msg("the report does not name '%s':\n%s", what, o->err);
	if (!strstr(o->err, "is not allowed"))
		fail_msg("no refusal line:\n%s", o->err);
}

static void assert_exit(const struct outcome *o, int code)
{
	if (!WIFEXITED(o->status) || WEXITSTATUS(o->status) != code)
		fail_msg("child status 0x%x, expected exit %d; stderr:\n%s", o->status, code,
			 o->err);
}

/* A GPIO daemon's policy with a readable directory. */
static const struct sandbox_ioctl gpio_ioctls[] = { SANDBOX_IOCTL(GPIO_GET_CHIPINFO_IOCTL) };

static int lock_gpio(void)
{
	sandbox_allow_ioctls(gpio_ioctls, 1);
	sandbox_need(SB_NEED_FILES);
	if (sandbox_allow_path(tmpdir, SB_READ) < 0)
		return 90;
	return sandbox_apply() < 0 ? 91 : 0;
}

static int child_execve(void)
{
	char *const argv[] = { "true", NULL };
	int r = lock_gpio();

	if (r)
		return r;
	execve("/bin/true", argv, NULL);
	return 10;   /* refused but survived */
}

static int child_socket_inet(void)
{
	int r = lock_gpio();

	if (r)
		return r;
	return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 10 : 11;
}

static int child_connect(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);   /* made before lock-down */
	int r = lock_gpio();

	if (r)
		return r;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 10 : 11;
}

static int child_ptrace(void)
{
	int r = lock_gpio();

	if (r)
		return r;
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 10 : 11;
}

static int child_mount(void)
{
	int r = lock_gpio();

	if (r)
		return r;
	return mount("none", tmpdir, "tmpfs", 0, NULL) == 0 ? 10 : 11;
}

static int child_bpf(void)
{
	int r = lock_gpio();

	if (r)
		return r;
	return syscall(SYS_bpf, 0, NULL, 0) >= 0 ? 10 : 11;
}

static int child_mmap_exec(void)
{
	int r = lock_gpio();

	if (r)
		return r;
	return mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	       MAP_FAILED ? 11 : 10;
}

/* Landlock: /etc/passwd is refused, the declared directory is not. */
static int child_open(void)
{
	char path[128];
	int r = lock_gpio(), fd;

	if (r)
		return r;
	snprintf(path, sizeof(path), "%s/ok", tmpdir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 12;   /* the allowed file could not be read */
	close(fd);
	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return 10;
	return errno == EACCES ? 0 : 11;
}

/* A write beneath a read-only declaration is refused too. */
static int child_write_readonly(void)
{
	char path[128];
	int r = lock_gpio(), fd;

	if (r)
		return r;
	snprintf(path, sizeof(path), "%s/ok", tmpdir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		return 10;
	return errno == EACCES ? 0 : 11;
}

/* The GPIO requests pass (ENOTTY from /dev/null), an I2C one kills. */
static int child_foreign_ioctl(void)
{
	struct gpiochip_info info;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int r = lock_gpio();

	if (r)
		return r;
	if (fd < 0)
		return 13;
	if (ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, &info) == 0 || errno != ENOTTY)
		return 12;
	ioctl(fd, I2C_RDWR, NULL);
	return 10;
}

/* Modules' ioctl tables: each request allowed as declared (exact, or any
 * size field), a table declared twice counted once, the summary giving
 * the number; an undeclared request kills, naming it. */
static const struct sandbox_ioctl tab_a[] = {
	SANDBOX_IOCTL(GPIO_GET_CHIPINFO_IOCTL),
	{ SPI_IOC_MESSAGE(1), SANDBOX_IOCTL_ANY_SIZE },
};
static const struct sandbox_ioctl tab_b[] = { SANDBOX_IOCTL(I2C_FUNCS) };

static int child_ioctl_tables(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	unsigned long funcs;

	if (fd < 0)
		return 13;
	log_set_level(LOG_INFO);
	if (sandbox_allow_ioctls(tab_a, 2) || sandbox_allow_ioctls(tab_b, 1) ||
	    sandbox_allow_ioctls(tab_a, 2))
		return 14;
	if (sandbox_apply() < 0)
		return 15;
	if (ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, NULL) == 0 || errno != ENOTTY)
		return 20;
	if (ioctl(fd, SPI_IOC_MESSAGE(3), NULL) == 0 || errno != ENOTTY)
		return 21;
	if (ioctl(fd, I2C_FUNCS, &funcs) == 0 || errno != ENOTTY)
		return 22;
	ioctl(fd, SPI_IOC_RD_MODE, NULL);
	return 10;
}

/* no table: no ioctl at all */
static int child_ioctl_none(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return 13;
	log_set_level(LOG_INFO);
	if (sandbox_apply() < 0)
		return 15;
	ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, NULL);
	return 10;
}

/* room for SANDBOX_MAX_IOCTL_TABLES tables, checked before anything */
static int child_ioctl_tables_full(void)
{
	static const struct sandbox_ioctl t[SANDBOX_MAX_IOCTL_TABLES + 1][1];

	for (unsigned i = 0; i < SANDBOX_MAX_IOCTL_TABLES; i++)
		if (sandbox_allow_ioctls(t[i], 1))
			return 20;
	return sandbox_allow_ioctls(t[SANDBOX_MAX_IOCTL_TABLES], 1) == -ENOSPC &&
	       sandbox_allow_ioctls(t[0], 1) == 0 ? 0 : 21;
}

/* A module's own system call (rng's getrandom), declared by name: allowed
 * once declared, and only then; a name the architecture lacks is
 * refused at declaration, before anything is confined. */
static int child_getrandom(bool declare)
{
	char b[16];
	int r;

	if (sandbox_allow_syscall("no_such_call") != -EINVAL)
		return 15;
	if (declare && sandbox_allow_syscall("getrandom"))
		return 14;
	r = lock_gpio();
	if (r)
		return r;
	return syscall(SYS_getrandom, b, sizeof(b), 0) == (long)sizeof(b) ? 0 : 10;
}

static int child_getrandom_declared(void)
{
	return child_getrandom(true);
}

static int child_getrandom_undeclared(void)
{
	return child_getrandom(false);
}

/* Capabilities, no-new-privs and the filter mode, from a status file
 * opened before lock-down (/proc is out of reach after it). */
static int child_status(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int r = lock_gpio();
	ssize_t n;

	if (r)
		return r;
	if (fd < 0)
		return 13;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 14;
	buf[n] = '\0';
	if (!strstr(buf, "CapEff:\t0000000000000000\n"))
		return 20;
	if (!strstr(buf, "CapPrm:\t0000000000000000\n"))
		return 21;
	if (!strstr(buf, "CapBnd:\t0000000000000000\n") && getuid() == 0)
		return 22;
	if (!strstr(buf, "NoNewPrivs:\t1\n"))
		return 23;
	if (!strstr(buf, "Seccomp:\t2\n"))
		return 24;
	return 0;
}

/* A worker started after lock-down works, and is confined too. */
struct probe {
	struct work w;
	int passwd_errno;   /* open("/etc/passwd") in the worker */
	int ok_fd;          /* the declared file, opened in the worker */
	bool done;
};

static void probe_run(struct work *w)
{
	struct probe *p = (struct probe *)w;
	char path[128];
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);

	p->passwd_errno = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/ok", tmpdir);
	p->ok_fd = open(path, O_RDONLY | O_CLOEXEC);
}

static void probe_done(struct work *w)
{
	((struct probe *)w)->done = true;
}

static int child_worker_after(void)
{
	struct probe p = { .w = { probe_run, probe_done, NULL }, .ok_fd = -1 };
	struct loop *l = loop_new();
	struct worker *wk;
	int r;

	if (!l)
		return 13;
	sandbox_need(SB_NEED_THREADS);
	r = lock_gpio();
	if (r)
		return r;
	wk = worker_new(l, "probe");
	if (!wk)
		return 14;
	worker_submit(wk, &p.w);
	for (int i = 0; i < 100 && !p.done; i++)
		loop_run_once(l, 100);
	if (!p.done)
		return 15;
	if (!worker_free(wk))
		return 16;
	if (p.ok_fd < 0)
		return 12;
	return p.passwd_errno == EACCES ? 0 : 10;
}

static void *idle_thread(void *arg)
{
	char c;

	while (read(*(int *)arg, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* A thread that exists before lock-down would escape it: refused. */
static int child_thread_before(void)
{
	static int p[2];
	pthread_t th;

	if (pipe(p) < 0 || pthread_create(&th, NULL, idle_thread, &p[0]))
		return 13;
	return sandbox_apply() < 0 ? 0 : 10;
}

/* Asked to leave an identity it cannot leave: apply fails, so the
 * daemon exits instead of serving. */
static int child_user_switch_refused(void)
{
	if (getuid() == 0 &&
	    (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0))
		return 13;
	if (sandbox_opt("test", SB_OPT_USER, "0") < 0)
		return 14;
	return sandbox_apply() < 0 ? 0 : 10;
}

/* "Key:\t<value>" from a /proc/self/status opened before lock-down (the
 * identity calls and /proc are out of reach after it) into v. */
static int status_field(int fd, const char *key, char *v, size_t len)
{
	char buf[4096], *t;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	t = strstr(buf, key);
	if (!t)
		return -1;
	t += strlen(key);
	snprintf(v, len, "%.*s", (int)strcspn(t, "\n"), t);
	return 0;
}

static bool field_is(int fd, const char *key, const char *want)
{
	char v[128];

	return status_field(fd, key, v, sizeof(v)) == 0 && !strcmp(v, want);
}

/* --user by number, --group by name (the group given wins over the
 * user's own), the sandbox on: every uid and gid is the new one and no
 * supplementary group is left.  A socket file that went away is named
 * in a warning, and start-up goes on. */
static int child_user_numeric_group_named(void)
{
	char gone[128];
	struct group *gr = getgrgid(1);   /* daemon, not nobody's own group */
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (!gr || fd < 0)
		return 13;
	snprintf(gone, sizeof(gone), "%s/gone.sock", tmpdir);
	if (sandbox_opt("test", SB_OPT_SANDBOX, "on") < 0 ||
	    sandbox_opt("test", SB_OPT_GROUP, gr->gr_name) < 0 ||
	    sandbox_opt("test", SB_OPT_USER, "65534") < 0)
		return 14;
	if (sandbox_add_socket(gone) < 0)
		return 15;
	if (lock_gpio())
		return 16;
	if (!field_is(fd, "Uid:\t", "65534\t65534\t65534\t65534"))
		return 20;
	if (!field_is(fd, "Gid:\t", "1\t1\t1\t1"))
		return 21;
	if (!field_is(fd, "Groups:\t", "1 "))
		return 22;
	if (!field_is(fd, "Seccomp:\t", "2"))
		return 23;
	return 0;
}

/* --sandbox=off still switches identity (--group alone: the uid stays),
 * and loads no filter. */
static int child_sandbox_off_group_only(void)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 13;
	if (sandbox_opt("test", SB_OPT_SANDBOX, "off") < 0 ||
	    sandbox_opt("test", SB_OPT_GROUP, "65534") < 0)
		return 14;
	if (sandbox_apply() < 0)
		return 15;
	if (!field_is(fd, "Uid:\t", "0\t0\t0\t0"))
		return 20;
	if (!field_is(fd, "Gid:\t", "65534\t65534\t65534\t65534"))
		return 21;
	if (!field_is(fd, "Seccomp:\t", "0") || !field_is(fd, "NoNewPrivs:\t", "0"))
		return 22;
	return 0;
}

/* A lock-down step that fails stops apply (the daemon then exits). */
static int child_no_dumpable(void)
{
	prctl_fails = PR_SET_DUMPABLE;
	return lock_gpio() == 91 ? 0 : 10;
}

static int child_no_nnp(void)
{
	prctl_fails = PR_SET_NO_NEW_PRIVS;
	return lock_gpio() == 91 ? 0 : 10;
}

/* --sandbox=off alone: nothing changes, no filter. */
static int child_sandbox_off(void)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 13;
	if (sandbox_opt("test", SB_OPT_SANDBOX, "off") < 0 || sandbox_apply() < 0)
		return 14;
	if (!field_is(fd, "Seccomp:\t", "0"))
		return 20;
	return 0;
}

/* Unprivileged with supplementary groups other than the one asked for:
 * they cannot be dropped, so the switch is refused; with only that group
 * it goes on. */
static int child_group_others_kept(void)
{
	gid_t g[2] = { 0, 1 };

	if (setgroups(2, g) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0)
		return 13;
	if (sandbox_opt("test", SB_OPT_GROUP, "65534") < 0)
		return 14;
	return sandbox_apply() < 0 ? 0 : 10;
}

static int child_group_only_own(void)
{
	gid_t g[1] = { 65534 };
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || setgroups(1, g) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0)
		return 13;
	if (sandbox_opt("test", SB_OPT_GROUP, "65534") < 0)
		return 14;
	if (lock_gpio())
		return 15;
	return field_is(fd, "Gid:\t", "65534\t65534\t65534\t65534") ? 0 : 20;
}

static void test_sandbox_step_failures_stop_apply(void **state)
{
	struct outcome o;

	run_child(child_no_dumpable, &o);
	assert_exit(&o, 0);
	if (!strstr(o.err, "sandbox: cannot turn core dumps off: Invalid argument"))
		fail_msg("no error for the core dumps:\n%s", o.err);
	run_child(child_no_nnp, &o);
	assert_exit(&o, 0);
	if (!strstr(o.err, "sandbox: cannot drop capabilities: Invalid argument"))
		fail_msg("no error for the capabilities:\n%s", o.err);
}

static void test_sandbox_off_alone_changes_nothing(void **state)
{
	struct outcome o;

	run_child(child_sandbox_off, &o);
	assert_exit(&o, 0);
	assert_null(strstr(o.err, "running as"));
}

static void test_sandbox_group_switch_unprivileged(void **state)
{
	struct outcome o;

	if (getuid() != 0)
		fail_msg("this test needs root (it sets up the groups it starts with)");
	run_child(child_group_others_kept, &o);
	assert_exit(&o, 0);
	if (!strstr(o.err, "cannot switch to uid"))
		fail_msg("no refusal:\n%s", o.err);
	run_child(child_group_only_own, &o);
	assert_exit(&o, 0);
}

static void test_sandbox_execve_refused(void **state)
{
	struct outcome o;

	run_child(child_execve, &o);
	assert_killed_naming(&o, "system call execve");
}

static void test_sandbox_socket_inet_refused(void **state)
{
	struct outcome o;

	run_child(child_socket_inet, &o);
	assert_killed_naming(&o, "system call socket");
}

static void test_sandbox_connect_refused(void **state)
{
	struct outcome o;

	run_child(child_connect, &o);
	assert_killed_naming(&o, "system call connect");
}

static void test_sandbox_ptrace_refused(void **state)
{
	struct outcome o;

	run_child(child_ptrace, &o);
	assert_killed_naming(&o, "system call ptrace");
}

static void test_sandbox_mount_refused(void **state)
{
	struct outcome o;

	run_child(child_mount, &o);
	assert_killed_naming(&o, "system call mount");
}

static void test_sandbox_bpf_refused(void **state)
{
	struct outcome o;

	run_child(child_bpf, &o);
	assert_killed_naming(&o, "system call bpf");
}

static void test_sandbox_mmap_exec_refused(void **state)
{
	struct outcome o;

	run_child(child_mmap_exec, &o);
	assert_killed_naming(&o, "system call mmap");
}

static void test_sandbox_foreign_ioctl_refused(void **state)
{
	struct outcome o;

	run_child(child_foreign_ioctl, &o);
	assert_killed_naming(&o, "system call ioctl (16) request 0x707");
}

static void test_sandbox_module_ioctls_declared(void **state)
{
	struct outcome o;
	char req[64];

	run_child(child_ioctl_tables, &o);
	snprintf(req, sizeof(req), "system call ioctl (%d) request 0x%x", SYS_ioctl,
		 (unsigned)SPI_IOC_RD_MODE);
	assert_killed_naming(&o, req);
	if (!strstr(o.err, " 3 ioctl requests;"))
		fail_msg("not 3 ioctl requests:\n%s", o.err);
	run_child(child_ioctl_none, &o);
	snprintf(req, sizeof(req), "system call ioctl (%d) request 0x%x", SYS_ioctl,
		 (unsigned)GPIO_GET_CHIPINFO_IOCTL);
	assert_killed_naming(&o, req);
	if (!strstr(o.err, " 0 ioctl requests;"))
		fail_msg("not 0 ioctl requests:\n%s", o.err);
	run_child(child_ioctl_tables_full, &o);
	assert_exit(&o, 0);
}

static void test_sandbox_module_syscall_declared(void **state)
{
	struct outcome o;

	run_child(child_getrandom_declared, &o);
	assert_exit(&o, 0);
	run_child(child_getrandom_undeclared, &o);
	assert_killed_naming(&o, "system call getrandom");
}

static void test_sandbox_open_outside_refused(void **state)
{
	struct outcome o;

	if (sandbox_landlock_abi() < 1)
		fail_msg("this kernel has no Landlock: file access is not confined");
	run_child(child_open, &o);
	assert_exit(&o, 0);
}

static void test_sandbox_write_readonly_refused(void **state)
{
	struct outcome o;

	if (sandbox_landlock_abi() < 1)
		fail_msg("this kernel has no Landlock: file access is not confined");
	run_child(child_write_readonly, &o);
	assert_exit(&o, 0);
}

static void test_sandbox_no_capabilities(void **state)
{
	struct outcome o;

	run_child(child_status, &o);
	assert_exit(&o, 0);
}

static void test_sandbox_worker_after_lockdown_confined(void **state)
{
	struct outcome o;

	run_child(child_worker_after, &o);
	assert_exit(&o, 0);
}

static void test_sandbox_thread_before_lockdown_refused(void **state)
{
	struct outcome o;

	run_child(child_thread_before, &o);
	assert_exit(&o, 0);
	assert_non_null(strstr(o.err, "threads before the lock-down"));
}

static void test_sandbox_user_switch_refused(void **state)
{
	struct outcome o;

	run_child(child_user_switch_refused, &o);
	assert_exit(&o, 0);
	assert_non_null(strstr(o.err, "refusing to run as uid"));
}

static void test_sandbox_user_numeric_group_named(void **state)
{
	struct outcome o;
	char gone[160];

	if (getuid() != 0)
		fail_msg("this test needs root (it switches to uid 65534, gid 1)");
	run_child(child_user_numeric_group_named, &o);
	assert_exit(&o, 0);
	snprintf(gone, sizeof(gone), "cannot hand socket '%s/gone.sock' to uid 65534", tmpdir);
	if (!strstr(o.err, gone) || !strstr(o.err, "running as uid 65534 gid 1\n"))
		fail_msg("expected the socket warning and the new identity:\n%s", o.err);
}

static void test_sandbox_off_still_switches_identity(void **state)
{
	struct outcome o;

	if (getuid() != 0)
		fail_msg("this test needs root (it switches to gid 65534)");
	run_child(child_sandbox_off_group_only, &o);
	assert_exit(&o, 0);
	if (!strstr(o.err, "sandbox: off (--sandbox=off)") ||
	    !strstr(o.err, "running as uid 0 gid 65534"))
		fail_msg("expected the sandbox off and the new group:\n%s", o.err);
}

/* Declarations that cannot be kept fail with the errno and record
 * nothing; an option id that is not the sandbox's is refused. */
static void test_sandbox_bad_declarations(void **state)
{
	char longp[PATH_MAX + 10];

	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	errno = 0;
	assert_int_equal(sandbox_allow_path("/nonexistent-vd/x", SB_READ), -ENOENT);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(sandbox_allow_image(longp), -ENAMETOOLONG);
	assert_int_equal(sandbox_add_socket(longp), -ENAMETOOLONG);
	assert_int_equal(sandbox_opt("test", SB_OPT_GROUP + 100, "x"), -1);
}

static int setup(void **state)
{
	char path[128];
	int fd;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vdsandbox.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/ok", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	log_init("vhost-device-test");
	return 0;
}

static int teardown(void **state)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/ok", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sandbox_execve_refused),
		cmocka_unit_test(test_sandbox_socket_inet_refused),
		cmocka_unit_test(test_sandbox_connect_refused),
		cmocka_unit_test(test_sandbox_ptrace_refused),
		cmocka_unit_test(test_sandbox_mount_refused),
		cmocka_unit_test(test_sandbox_bpf_refused),
		cmocka_unit_test(test_sandbox_mmap_exec_refused),
		cmocka_unit_test(test_sandbox_foreign_ioctl_refused),
		cmocka_unit_test(test_sandbox_module_ioctls_declared),
		cmocka_unit_test(test_sandbox_module_syscall_declared),
		cmocka_unit_test(test_sandbox_open_outside_refused),
		cmocka_unit_test(test_sandbox_write_readonly_refused),
		cmocka_unit_test(test_sandbox_no_capabilities),
		cmocka_unit_test(test_sandbox_worker_after_lockdown_confined),
		cmocka_unit_test(test_sandbox_thread_before_lockdown_refused),
		cmocka_unit_test(test_sandbox_user_switch_refused),
		cmocka_unit_test(test_sandbox_user_numeric_group_named),
		cmocka_unit_test(test_sandbox_off_still_switches_identity),
		cmocka_unit_test(test_sandbox_bad_declarations),
		cmocka_unit_test(test_sandbox_step_failures_stop_apply),
		cmocka_unit_test(test_sandbox_off_alone_changes_nothing),
		cmocka_unit_test(test_sandbox_group_switch_unprivileged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
