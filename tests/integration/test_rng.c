/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The RNG device end to end: `vhost-device rng` driven by the test
 * frontend as QEMU and the Linux virtio-rng driver would (one writable
 * buffer per request): random bytes on every socket, a source that has
 * nothing (a FIFO) waited for without stopping the loop, the rate limit,
 * a malformed request, and the command line. */
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
#include <sys/stat.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS 5000

static struct itest_daemon dmn;
static char sock0[160], sock1[160];

static int spawn_rng(struct proc *p, void *arg)
{
	proc_sock_path(p, 2, 0, sock0, sizeof(sock0));
	proc_sock_path(p, 2, 1, sock1, sizeof(sock1));
	return proc_spawn_sockets(p, "rng", 2, NULL);
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn_rng, NULL);
	return 0;
}

static int teardown(void **state)
{
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	return itest_daemon_stop(&dmn) != 0;
}

/* Post one request of n writable bytes (after r readable ones if r) and
 * kick; the head. */
static int post(struct fe *fe, uint32_t r, uint32_t n, uint64_t *gpa)
{
	struct fe_seg s[2];
	unsigned k = 0;
	int head;

	if (r) {
		uint64_t g = fe_alloc(fe, r, 8);

		assert_true(g != 0);
		s[k++] = (struct fe_seg){ g, r, false };
	}
	*gpa = fe_alloc(fe, n, 8);
	assert_true(*gpa != 0);
	s[k++] = (struct fe_seg){ *gpa, n, true };
	head = fe_vq_add(fe, 0, s, k, false);
	assert_true(head >= 0);
	fe_vq_publish(fe, 0, (uint16_t)head);
	assert_int_equal(fe_vq_kick(fe, 0), 0);
	return head;
}

/* Wait for the used entry of head: its length. */
static uint32_t collect(struct fe *fe, int head)
{
	uint32_t id, len;

	for (;;) {
		int k = fe_vq_get_used(fe, 0, &id, &len);

		assert_true(k >= 0);
		if (k) {
			assert_int_equal(id, (uint32_t)head);
			return len;
		}
		assert_int_equal(fe_vq_wait_call(fe, 0, WAIT_MS), 0);
	}
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* ---------------------------------------------------------------- tests */

static void test_rng_int_features_and_queue(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);

	assert_int_equal(fe->dev_queues, 1);
	assert_true(fe->dev_features & (1ull << 32));       /* VERSION_1 */
	assert_int_equal(fe->dev_features & 0xffffffull, 0); /* no device bits */
	itest_close_ok(fe);
}

static void test_rng_int_every_socket_gives_random_bytes(void **state)
{
	struct fe *a = itest_open_ok(sock0, NULL), *b = itest_open_ok(sock1, NULL);
	uint8_t x[64], y[64];
	uint32_t lx = 0, ly = 0;

	assert_int_equal(fe_request(a, 0, NULL, 0, x, sizeof(x), &lx, WAIT_MS), 0);
	assert_int_equal(fe_request(b, 0, NULL, 0, y, sizeof(y), &ly, WAIT_MS), 0);
	assert_int_equal(lx, 64);
	assert_int_equal(ly, 64);
	assert_false(all_zero(x, 64));
	assert_memory_not_equal(x, y, 64);
	itest_close_ok(a);
	itest_close_ok(b);
}

static void test_rng_int_readable_request_answered_empty(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);
	uint8_t x[16];
	uint32_t len = 1;
	uint64_t gpa;
	int h = post(fe, 8, 16, &gpa);

	assert_int_equal(collect(fe, h), 0);
	assert_true(all_zero(fe_ptr(fe, gpa, 16), 16));
	/* and the next one is served */
	assert_int_equal(fe_request(fe, 0, NULL, 0, x, sizeof(x), &len, WAIT_MS), 0);
	assert_int_equal(len, 16);
	itest_close_ok(fe);
}

/* A FIFO as the source: while it has nothing, the request waits and the
 * loop keeps serving (another guest connects); what is written to it is
 * what the guest gets. */
static void test_rng_int_empty_source_never_blocks_the_loop(void **state)
{
	struct proc p = { 0 };
	char fifo[200], s0[200], s1[200], log[4096];
	const char *args[] = { "-f", fifo, "-v", NULL };
	uint8_t pattern[16];
	struct fe *a, *b;
	uint64_t gpa;
	int wfd, h, r;
	bool seen = false, quiet;

	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(fifo, sizeof(fifo), "%s/source", p.dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	wfd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);   /* keeps a writer */
	assert_true(wfd >= 0);
	quiet = getenv("VDTEST_QUIET") != NULL;
	setenv("VDTEST_QUIET", "1", 1);                      /* stderr into p.log */
	r = proc_spawn_sockets(&p, "rng", 2, args);
	if (!quiet)
		unsetenv("VDTEST_QUIET");
	assert_int_equal(r, 0);
	proc_sock_path(&p, 2, 0, s0, sizeof(s0));
	proc_sock_path(&p, 2, 1, s1, sizeof(s1));

	a = itest_open_ok(s0, NULL);
	h = post(a, 0, 16, &gpa);
	/* the daemon has seen the request and waits for the FIFO */
	for (long long end = proc_now_ms() + WAIT_MS; !seen && proc_now_ms() < end;) {
		FILE *f = fopen(p.log, "r");
		size_t n = f ? fread(log, 1, sizeof(log) - 1, f) : 0;

		if (f)
			fclose(f);
		log[n] = 0;
		seen = strstr(log, "has nothing now: waiting") != NULL;
		if (!seen)
			usleep(10000);
	}
	assert_true(seen);
	/* the loop still serves: a second guest connects and starts */
	b = itest_open_ok(s1, NULL);
	assert_int_equal(fe_vq_pending(a, 0), 0);
	for (unsigned i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(0x30 + i);
	assert_int_equal(write(wfd, pattern, sizeof(pattern)), sizeof(pattern));
	assert_int_equal(collect(a, h), 16);
	assert_memory_equal(fe_ptr(a, gpa, 16), pattern, 16);
	itest_close_ok(a);
	itest_close_ok(b);
	assert_int_equal(proc_stop(&p, WAIT_MS), 0);
	close(wfd);
	proc_cleanup(&p);
}

/* -m 64 over two sockets: 32 bytes per socket and period; every request
 * gets at most that, and the ones over it are answered in a later period
 * (a timer, not a busy loop). */
static void test_rng_int_rate_limit_per_socket(void **state)
{
	struct proc p = { 0 };
	const char *args[] = { "-m", "64", "-p", "1", NULL };
	char s0[200];
	struct fe *a;
	uint64_t gpa[3];
	int h[3];

	assert_int_equal(proc_tmpdir(&p), 0);
	assert_int_equal(proc_spawn_sockets(&p, "rng", 2, args), 0);
	a = itest_open_ok(proc_sock_path(&p, 2, 0, s0, sizeof(s0)), NULL);
	for (unsigned i = 0; i < 3; i++)
		h[i] = post(a, 0, 64, &gpa[i]);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(collect(a, h[i]), 32);
		assert_false(all_zero(fe_ptr(a, gpa[i], 32), 32));
		assert_true(all_zero(fe_ptr(a, gpa[i] + 32, 32), 32));
	}
	itest_close_ok(a);
	assert_int_equal(proc_stop(&p, WAIT_MS), 0);
	proc_cleanup(&p);
}

static void test_rng_int_cli_errors_name_the_bad_value(void **state)
{
	char err[512];
	struct {
		const char *args[10];
		const char *says;
		int status;     /* 2: a usage error, as upstream's clap */
	} c[] = {
		{ { "rng", "-s", "/tmp/x", "-p", "0", NULL }, "'0'", 1 },
		{ { "rng", "-s", "/tmp/x", "-p", "65537", NULL }, "'65537'", 1 },
		{ { "rng", "-s", "/tmp/x", "-p", "1x", NULL }, "'1x'", 2 },
		{ { "rng", "-s", "/tmp/x", "-m", "0", NULL }, "--max-bytes '0'", 1 },
		{ { "rng", "-s", "/tmp/x", "-m", "x", NULL }, "--max-bytes 'x'", 2 },
		{ { "rng", "-s", "/tmp/x", "-m", "1", "-c", "2", NULL }, "2 sockets", 1 },
		{ { "rng", "-s", "/tmp/x", "-f", "/nonexistent/rng", NULL }, "/nonexistent/rng", 1 },
		{ { "rng", "-s", "/tmp/x", "-c", "0", NULL }, "'0'", 1 },
		{ { "rng", "-f", "/dev/urandom", NULL }, "socket", 2 },
	};

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(proc_run_cli(c[i].args, err, sizeof(err), 10000), c[i].status);
		if (!strstr(err, c[i].says))
			fail_msg("case %u: '%s' not in: %s", i, c[i].says, err);
	}
}

static void test_rng_int_daemon_exits_0(void **state)
{
	itest_stop_ok(&dmn);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_rng_int_features_and_queue),
		T(test_rng_int_every_socket_gives_random_bytes),
		T(test_rng_int_readable_request_answered_empty),
		cmocka_unit_test(test_rng_int_empty_source_never_blocks_the_loop),
		cmocka_unit_test(test_rng_int_rate_limit_per_socket),
		cmocka_unit_test(test_rng_int_cli_errors_name_the_bad_value),
		T(test_rng_int_daemon_exits_0),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
