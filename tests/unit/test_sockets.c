/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The shared -s/-c socket options and the socket names they give. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "common/opts.h"
#include "vhost/dev.h"
#include "vhost/sockets.h"

static void test_sockets_count_checked(void **state)
{
	struct vu_sockets s = VU_SOCKETS_NUMBERED(64);

	assert_int_equal(s.count, 1);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_COUNT, "4"), 0);
	assert_int_equal(s.count, 4);
	/* refused after parsing (exit 1), as upstream's gpio, i2c and rng do */
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_COUNT, "0"), -1);
	/* not a usize: a usage error (exit 2) */
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_COUNT, "2x"), OPTS_USAGE);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_COUNT, "-1"), OPTS_USAGE);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_COUNT, " 2"), OPTS_USAGE);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_COUNT, "+"), OPTS_USAGE);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_COUNT, "++2"), OPTS_USAGE);
	assert_int_equal(s.count, 4);
	/* no cap but the fd limit (checked at start-up); a '+' as Rust takes it */
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_COUNT, "+65"), 0);
	assert_int_equal(s.count, 65);
	/* spi: -c is a NonZeroUsize upstream, so 0 is a usage error */
	s.zero_usage = true;
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_COUNT, "0"), OPTS_USAGE);
}

static void test_sockets_path_required_and_not_empty(void **state)
{
	struct vu_sockets s = VU_SOCKETS_SINGLE;

	assert_int_equal(vu_sockets_check(&s, "t"), OPTS_USAGE);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_PATH, ""), OPTS_USAGE);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_SOCKET_PATH, "/tmp/a.sock"), 0);
	assert_int_equal(vu_sockets_check(&s, "t"), 0);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_MEM_SLOTS, NULL), 0);
	vu_offer_mem_slots(false);
	/* other ids are left to the device */
	assert_int_equal(vu_sockets_opt(&s, "t", 1, "x"), 1);
}

static void test_sockets_names_numbered_or_verbatim(void **state)
{
	struct vu_sockets n = VU_SOCKETS_NUMBERED(8), v = VU_SOCKETS_SINGLE;
	char buf[32];

	n.path = v.path = "/tmp/vi2c.sock";
	assert_int_equal(vu_sockets_path(&n, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/vi2c.sock0");
	assert_int_equal(vu_sockets_path(&n, 7, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/vi2c.sock7");
	assert_int_equal(vu_sockets_path(&v, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/vi2c.sock");
	assert_int_equal(vu_sockets_path(&n, 1, buf, 15), -ENAMETOOLONG);
}

/* stderr of f(s) in buf; f's result */
static int with_stderr(int (*f)(struct vu_sockets *), struct vu_sockets *s, char *buf,
		       size_t len)
{
	int cap = memfd_create("err", MFD_CLOEXEC), saved = dup(2), r;
	ssize_t n;

	assert_true(cap >= 0 && saved >= 0);
	fflush(stderr);
	dup2(cap, 2);
	r = f(s);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(cap, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(cap);
	return r;
}

static int check(struct vu_sockets *s)
{
	return vu_sockets_check(s, "t");
}

/* More --fd than the device serves sockets: refused, naming both. */
static void test_sockets_more_fds_than_sockets(void **state)
{
	struct vu_sockets s = VU_SOCKETS_NUMBERED(2);
	char err[512];

	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_FD, "100"), 0);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_FD, "101"), 0);
	assert_int_equal(vu_sockets_opt(&s, "t", VU_OPT_FD, "102"), 0);
	assert_int_equal(with_stderr(check, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "t: 3 sockets handed over; at most 2\n");
	vu_sockets_free(&s);
}

/* LISTEN_FDNAMES with fewer names than LISTEN_FDS: refused, naming it. */
static void test_sockets_activation_names_short(void **state)
{
	struct vu_sockets s = VU_SOCKETS_NUMBERED(4);
	char err[512], pid[16];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "2", 1);
	setenv("LISTEN_FDNAMES", "only", 1);
	assert_int_equal(with_stderr(check, &s, err, sizeof(err)), -1);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	vu_sockets_free(&s);
	assert_string_equal(err, "t: socket activation: LISTEN_FDNAMES 'only' does not name "
			    "2 sockets\n");
}

/* A handed-over socket is named in messages by its path when it has one,
 * else by its number, with its LISTEN_FDNAMES entry when there is one:
 * an abstract or unnamed socket prints no garbage. */
static void test_sockets_fd_labels(void **state)
{
	char dir[] = "/tmp/vdsk.XXXXXX", p[128], b[256], want[256];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int sv[2], named, abstract;
	char *names[4] = { NULL, "unnamed", "abs", "file" };
	int fds[4];
	struct vu_sockets s = { .nfds = 4, .fds = fds, .names = names };

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/s", dir);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);   /* unnamed */
	abstract = socket(AF_UNIX, SOCK_STREAM, 0);
	/* autobind: an abstract name "\0xxxxx" */
	assert_int_equal(bind(abstract, (struct sockaddr *)&sa, sizeof(sa_family_t)), 0);
	named = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, p);
	assert_int_equal(bind(named, (struct sockaddr *)&sa, sizeof(sa)), 0);
	fds[0] = 1000;   /* no fd at all */
	fds[1] = sv[0];
	fds[2] = abstract;
	fds[3] = named;

	vu_sockets_fd_label(&s, 0, b, sizeof(b));
	assert_string_equal(b, "fd 1000");
	vu_sockets_fd_label(&s, 1, b, sizeof(b));
	snprintf(want, sizeof(want), "fd %d unnamed", sv[0]);
	assert_string_equal(b, want);
	vu_sockets_fd_label(&s, 2, b, sizeof(b));
	snprintf(want, sizeof(want), "fd %d abs", abstract);
	assert_string_equal(b, want);
	vu_sockets_fd_label(&s, 3, b, sizeof(b));
	snprintf(want, sizeof(want), "%s (fd %d, file)", p, named);
	assert_string_equal(b, want);
	s.names = NULL;
	vu_sockets_fd_label(&s, 3, b, sizeof(b));
	snprintf(want, sizeof(want), "%s (fd %d)", p, named);
	assert_string_equal(b, want);
	close(sv[0]);
	close(sv[1]);
	close(abstract);
	close(named);
	unlink(p);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockets_fd_labels),
		cmocka_unit_test(test_sockets_count_checked),
		cmocka_unit_test(test_sockets_path_required_and_not_empty),
		cmocka_unit_test(test_sockets_names_numbered_or_verbatim),
		cmocka_unit_test(test_sockets_more_fds_than_sockets),
		cmocka_unit_test(test_sockets_activation_names_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
