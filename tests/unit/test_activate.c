/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Handed-over sockets (--fd, LISTEN_FDS) and NOTIFY_SOCKET readiness.
 * Stand-ins for getsockopt, fcntl and socket (replacing the C library's
 * in this program) pass through unless one is armed to fail. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/opts.h"
#include "vhost/activate.h"
#include "vhost/sockets.h"

/* ---- stand-ins ---- */

static struct {
	const char *call;   /* the call to fail once, NULL: none */
	int what;           /* getsockopt: the option; fcntl: the command */
	int err;
} armed;

static void fail_call(const char *call, int what, int err)
{
	armed.call = call;
	armed.what = what;
	armed.err = err;
}

static bool failing(const char *call, int what)
{
	if (!armed.call || strcmp(armed.call, call) || armed.what != what)
		return false;
	armed.call = NULL;
	errno = armed.err;
	return true;
}

static void *real(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p)
		abort();
	return p;
}

int getsockopt(int fd, int level, int name, void *v, socklen_t *l)
{
	static int (*r)(int, int, int, void *, socklen_t *);

	if (failing("getsockopt", name))
		return -1;
	if (!r)
		r = real("getsockopt");
	return r(fd, level, name, v, l);
}

int fcntl(int fd, int cmd, ...)
{
	static int (*r)(int, int, ...);
	unsigned long arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	if (failing("fcntl", cmd))
		return -1;
	if (!r)
		r = real("fcntl");
	return r(fd, cmd, arg);
}

int socket(int dom, int type, int proto)
{
	static int (*r)(int, int, int);

	if (failing("socket", 0))
		return -1;
	if (!r)
		r = real("socket");
	return r(dom, type, proto);
}

static void test_activate_listen_count_for_this_process_only(void **state)
{
	char why[128];

	assert_int_equal(act_listen_count(NULL, "2", 42, 64, why, sizeof(why)), 0);
	assert_int_equal(act_listen_count("41", "2", 42, 64, why, sizeof(why)), 0);
	assert_int_equal(act_listen_count("42", "2", 42, 64, why, sizeof(why)), 2);
}

static void test_activate_listen_count_malformed(void **state)
{
	char why[128];

	assert_int_equal(act_listen_count("4x", "1", 42, 64, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "LISTEN_PID '4x'"));
	assert_int_equal(act_listen_count("0", "1", 42, 64, why, sizeof(why)), -1);
	assert_int_equal(act_listen_count("42", NULL, 42, 64, why, sizeof(why)), -1);
	assert_int_equal(act_listen_count("42", "0", 42, 64, why, sizeof(why)), -1);
	assert_int_equal(act_listen_count("42", "-1", 42, 64, why, sizeof(why)), -1);
	assert_int_equal(act_listen_count("42", "65", 42, 64, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "LISTEN_FDS '65'"));
	assert_non_null(strstr(why, "1..64"));
}

static void test_activate_fd_names_must_match_the_count(void **state)
{
	char b[32];

	assert_int_equal(act_fd_name("a:bb:c", 3, 1, b, sizeof(b)), 0);
	assert_string_equal(b, "bb");
	assert_int_equal(act_fd_name("a:bb:c", 3, 2, b, sizeof(b)), 0);
	assert_string_equal(b, "c");
	assert_int_equal(act_fd_name("a::c", 3, 1, b, sizeof(b)), 0);
	assert_string_equal(b, "");
	assert_int_equal(act_fd_name("a:bb", 3, 0, b, sizeof(b)), -1);
	assert_int_equal(act_fd_name("a:b:c:d", 3, 0, b, sizeof(b)), -1);
}

static int bound_socket(int type, const char *path, bool do_listen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 1), 0);
	return fd;
}

static void test_activate_only_listening_unix_stream_sockets(void **state)
{
	char dir[] = "/tmp/vdact.XXXXXX", p[128], why[160];
	int sv[2], fd;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/s", dir);

	fd = open("/dev/null", O_RDONLY);
	assert_int_equal(act_check_listen_fd(fd, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a socket"));
	close(fd);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0) {
		assert_int_equal(act_check_listen_fd(fd, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "not a Unix socket"));
		close(fd);
	}

	fd = bound_socket(SOCK_DGRAM, p, false);
	assert_int_equal(act_check_listen_fd(fd, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a stream socket"));
	close(fd);

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(act_check_listen_fd(sv[0], why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not listening"));
	close(sv[0]);
	close(sv[1]);

	fd = bound_socket(SOCK_STREAM, p, false);
	assert_int_equal(act_check_listen_fd(fd, why, sizeof(why)), -1);
	close(fd);

	fd = bound_socket(SOCK_STREAM, p, true);
	assert_int_equal(act_check_listen_fd(fd, why, sizeof(why)), 0);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	unlink(p);
	rmdir(dir);
}

/* A check the kernel cannot answer refuses the fd: what the option would
 * have said is unknown (the value left from the check before must not
 * pass for it), and the error names the fd. */
static void test_activate_unanswered_check_refuses(void **state)
{
	static const struct {
		const char *call;
		int what;
		const char *why;
	} cases[] = {
		{ "getsockopt", SO_DOMAIN, "not a Unix socket" },
		{ "getsockopt", SO_TYPE, "not a stream socket" },
		{ "getsockopt", SO_ACCEPTCONN, "not listening" },
		{ "fcntl", F_GETFL, "Bad file descriptor" },
		{ "fcntl", F_SETFL, "Bad file descriptor" },
		{ "fcntl", F_SETFD, "Bad file descriptor" },
	};
	char dir[] = "/tmp/vdact.XXXXXX", p[128], why[160], fdname[16];
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/s", dir);
	fd = bound_socket(SOCK_STREAM, p, true);
	snprintf(fdname, sizeof(fdname), "fd %d", fd);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		fail_call(cases[i].call, cases[i].what, EBADF);
		if (act_check_listen_fd(fd, why, sizeof(why)) != -1 ||
		    !strstr(why, cases[i].why) || !strstr(why, fdname))
			fail_msg("case %u (%s %d): accepted or '%s'", i, cases[i].call,
				 cases[i].what, why);
		assert_null(armed.call);   /* the stand-in was reached */
	}
	/* the same fd, answered: served */
	assert_int_equal(act_check_listen_fd(fd, why, sizeof(why)), 0);
	close(fd);
	unlink(p);
	rmdir(dir);
}

/* NOTIFY_SOCKET: no socket to send with, a name too long, a receiver gone:
 * each an error for the caller (which warns and goes on), never a hang. */
static void test_activate_notify_failures(void **state)
{
	char dir[] = "/tmp/vdact.XXXXXX", p[128], longname[200];
	int rx, tx;

	memset(longname, 'x', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(act_notify_open(longname), -ENAMETOOLONG);
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/notify", dir);
	rx = bound_socket(SOCK_DGRAM, p, false);
	fail_call("socket", 0, EMFILE);
	assert_int_equal(act_notify_open(p), -EMFILE);
	assert_null(armed.call);
	tx = act_notify_open(p);
	assert_true(tx >= 0);
	close(rx);   /* the service manager went away */
	assert_int_equal(act_notify(tx, "READY=1"), -ECONNREFUSED);
	close(tx);
	unlink(p);
	rmdir(dir);
}

static void test_activate_notify_path_and_abstract(void **state)
{
	char dir[] = "/tmp/vdact.XXXXXX", p[128], abs[64], buf[64];
	int rx, tx;
	ssize_t n;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/notify", dir);
	rx = bound_socket(SOCK_DGRAM, p, false);
	tx = act_notify_open(p);
	assert_true(tx >= 0);
	assert_int_equal(act_notify(tx, "READY=1"), 0);
	n = recv(rx, buf, sizeof(buf) - 1, 0);
	assert_int_equal(n, 7);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1");
	assert_int_equal(act_notify(tx, "STOPPING=1"), 0);
	n = recv(rx, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	assert_string_equal(buf, "STOPPING=1");
	close(tx);
	close(rx);
	unlink(p);
	rmdir(dir);

	/* "@name": the abstract namespace, no trailing NUL in the address */
	snprintf(abs, sizeof(abs), "@vdact-%d", (int)getpid());
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		size_t l = strlen(abs);

		rx = socket(AF_UNIX, SOCK_DGRAM, 0);
		memcpy(sa.sun_path, abs, l);
		sa.sun_path[0] = '\0';
		assert_int_equal(bind(rx, (struct sockaddr *)&sa,
				      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + l)), 0);
	}
	tx = act_notify_open(abs);
	assert_true(tx >= 0);
	assert_int_equal(act_notify(tx, "READY=1"), 0);
	n = recv(rx, buf, sizeof(buf) - 1, 0);
	assert_int_equal(n, 7);
	close(tx);
	close(rx);
}

static void test_activate_notify_bad_address(void **state)
{
	assert_int_equal(act_notify_open(NULL), -EINVAL);
	assert_int_equal(act_notify_open(""), -EINVAL);
	assert_int_equal(act_notify_open("relative/path"), -EINVAL);
	assert_int_equal(act_notify_open("/"), -EINVAL);
	assert_int_equal(act_notify_open("/nonexistent/vd/notify"), -ENOENT);
}

/* vu_sockets_check: exactly one source of sockets, -c agreeing */
static void test_activate_sockets_sources_exclusive(void **state)
{
	char dir[] = "/tmp/vdact.XXXXXX", p[128], arg[16];
	struct vu_sockets s = VU_SOCKETS_NUMBERED(8);
	int fd;

	unsetenv("LISTEN_PID");
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/s", dir);
	fd = bound_socket(SOCK_STREAM, p, true);
	snprintf(arg, sizeof(arg), "%d", fd);

	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_FD, arg), 0);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_FD, arg), -1);	/* twice */
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_FD, "x"), OPTS_USAGE);
	s.path = "/tmp/x.sock";
	assert_int_equal(vu_sockets_check(&s, "t"), -1);			/* -s and --fd */
	s.path = NULL;
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_COUNT, "2"), 0);
	assert_int_equal(vu_sockets_check(&s, "t"), -1);			/* -c 2, one fd */
	s.count = 1;
	s.count_set = false;
	assert_int_equal(vu_sockets_check(&s, "t"), 0);
	assert_int_equal(s.count, 1);
	vu_sockets_free(&s);

	/* LISTEN_FDS of this process plus --fd */
	setenv("LISTEN_PID", "1", 1);
	snprintf(arg, sizeof(arg), "%d", (int)getpid());
	setenv("LISTEN_PID", arg, 1);
	setenv("LISTEN_FDS", "1", 1);
	s = (struct vu_sockets)VU_SOCKETS_NUMBERED(8);
	snprintf(arg, sizeof(arg), "%d", fd);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_FD, arg), 0);
	assert_int_equal(vu_sockets_check(&s, "t"), -1);
	vu_sockets_free(&s);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	close(fd);
	unlink(p);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_activate_listen_count_for_this_process_only),
		cmocka_unit_test(test_activate_listen_count_malformed),
		cmocka_unit_test(test_activate_fd_names_must_match_the_count),
		cmocka_unit_test(test_activate_only_listening_unix_stream_sockets),
		cmocka_unit_test(test_activate_unanswered_check_refuses),
		cmocka_unit_test(test_activate_notify_failures),
		cmocka_unit_test(test_activate_notify_path_and_abstract),
		cmocka_unit_test(test_activate_notify_bad_address),
		cmocka_unit_test(test_activate_sockets_sources_exclusive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
