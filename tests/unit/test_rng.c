/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-rng requests (src/devices/rng.c, included to reach its static
 * parts): filling the writable pieces, a source with nothing to give
 * waited for through the loop, the rate limit through a timer, the end of
 * the source, the options.  The source is a stand-in (struct
 * rng_src_ops) whose readiness is an eventfd; the clock is a variable. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "../../src/devices/rng.c"

/* ---------------------------------------------------------------- stand-ins */

static struct {
	uint8_t next;          /* bytes are next, next + 1, ... */
	size_t avail;          /* bytes it has now */
	int err;               /* > 0: read fails with it; -1: end of file */
	int efd;               /* readable when it has bytes again */
	unsigned reads;
} src;

static ssize_t fake_read(struct rng *r, void *buf, size_t n)
{
	uint8_t *b = buf;

	src.reads++;
	if (src.err > 0)
		return -src.err;
	if (src.err < 0)
		return 0;
	if (!src.avail)
		return -EAGAIN;
	if (n > src.avail)
		n = src.avail;
	for (size_t i = 0; i < n; i++)
		b[i] = src.next++;
	src.avail -= n;
	return (ssize_t)n;
}

static int fake_wait_fd(struct rng *r)
{
	return src.efd;
}

static const struct rng_src_ops fake_ops = { fake_read, fake_wait_fd };

static uint64_t clock_ns;

static uint64_t fake_now(void)
{
	return clock_ns;
}

struct done {
	struct vq_elem *e[16];
	uint32_t len[16];
	unsigned n;
};

static struct done done;

static void fake_complete(struct rng_sock *s, struct vq_elem *e, uint32_t len)
{
	assert_true(done.n < 16);
	done.e[done.n] = e;
	done.len[done.n++] = len;
}

struct telem {
	struct vq_elem e;
	struct iovec iov[3];
	uint8_t buf[3][64];
};

/* An element with writable pieces of the given sizes (0 ends the list)
 * and out_len readable bytes before them. */
static void mk(struct telem *t, uint32_t out_len, uint32_t a, uint32_t b)
{
	unsigned n = 0;

	memset(t, 0, sizeof(*t));
	if (out_len)
		t->iov[n++] = (struct iovec){ t->buf[0], out_len };
	t->e.out = t->iov;
	t->e.out_num = (uint16_t)n;
	t->e.out_len = out_len;
	t->e.in = t->iov + n;
	if (a) {
		t->iov[n++] = (struct iovec){ t->buf[1], a };
		t->e.in_num++;
	}
	if (b) {
		t->iov[n++] = (struct iovec){ t->buf[2], b };
		t->e.in_num++;
	}
	t->e.in_len = a + b;
}

static struct rng R;
static struct rng_sock S;

static int setup(void **state)
{
	memset(&src, 0, sizeof(src));
	memset(&done, 0, sizeof(done));
	memset(&R, 0, sizeof(R));
	memset(&S, 0, sizeof(S));
	src.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(src.efd >= 0);
	clock_ns = 1000000000ull;
	R.ops = &fake_ops;
	R.fd = R.random_fd = -1;
	R.period_ns = 1000000;          /* 1 ms */
	R.now = fake_now;
	R.l = loop_new();
	assert_non_null(R.l);
	R.socks = &S;
	R.nsocks = 1;
	S.r = &R;
	S.complete = fake_complete;
	S.period_start = clock_ns;
	return 0;
}

static int teardown(void **state)
{
	if (S.timer)
		loop_del(R.l, S.timer);
	if (R.src_w)
		loop_del(R.l, R.src_w);
	loop_free(R.l);
	close(src.efd);
	return 0;
}

static int handle(struct telem *t)
{
	return rng_op_handle(&S, NULL, 0, &t->e);
}

/* ---------------------------------------------------------------- tests */

static void test_rng_fills_every_writable_piece(void **state)
{
	struct telem t;

	src.avail = 100;
	mk(&t, 0, 5, 11);
	assert_int_equal(handle(&t), 16);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(t.buf[1][i], i);
	for (unsigned i = 0; i < 11; i++)
		assert_int_equal(t.buf[2][i], 5 + i);
}

static void test_rng_readable_bytes_answered_empty(void **state)
{
	struct telem t;

	src.avail = 100;
	mk(&t, 4, 8, 0);
	assert_int_equal(handle(&t), 0);
	assert_int_equal(src.reads, 0);
	assert_int_equal(t.buf[1][0], 0);
}

static void test_rng_no_writable_bytes_answered_empty(void **state)
{
	struct telem t;

	src.avail = 100;
	mk(&t, 0, 0, 0);
	assert_int_equal(handle(&t), 0);
	assert_int_equal(S.count, 0);
}

static void test_rng_short_read_answers_what_came(void **state)
{
	struct telem t;

	src.avail = 7;
	mk(&t, 0, 5, 11);
	assert_int_equal(handle(&t), 7);
	assert_int_equal(t.buf[2][1], 6);
}

static void test_rng_empty_source_waits_for_its_fd_in_order(void **state)
{
	struct telem a, b;
	uint64_t one = 1;

	mk(&a, 0, 4, 0);
	mk(&b, 0, 4, 0);
	assert_int_equal(handle(&a), DEV_HELD);
	assert_non_null(R.src_w);                /* the source's fd is watched */
	assert_int_equal(handle(&b), DEV_HELD);
	assert_int_equal(src.reads, 1);          /* b waits behind a: no read */
	assert_int_equal(done.n, 0);

	src.avail = 8;
	assert_int_equal(write(src.efd, &one, sizeof(one)), sizeof(one));
	assert_int_equal(loop_run_once(R.l, 5000), 1);
	assert_int_equal(done.n, 2);
	assert_ptr_equal(done.e[0], &a.e);
	assert_ptr_equal(done.e[1], &b.e);
	assert_int_equal(done.len[0], 4);
	assert_int_equal(a.buf[1][0], 0);
	assert_int_equal(b.buf[1][0], 4);
	assert_null(R.src_w);                    /* not watched while not needed */
}

static void test_rng_rate_limit_clips_then_waits_for_the_timer(void **state)
{
	struct telem a, b;

	src.avail = 1000;
	R.quota = 8;
	S.left = 8;
	mk(&a, 0, 16, 0);
	mk(&b, 0, 16, 0);
	assert_int_equal(handle(&a), 8);         /* the period's 8 bytes */
	assert_int_equal(handle(&b), DEV_HELD);  /* none left: wait */
	assert_non_null(S.timer);
	assert_int_equal(done.n, 0);
	/* the period ends: the timer (a real timerfd, 1 ms) answers b */
	clock_ns += R.period_ns;
	assert_int_equal(loop_run_once(R.l, 5000), 1);
	assert_int_equal(done.n, 1);
	assert_ptr_equal(done.e[0], &b.e);
	assert_int_equal(done.len[0], 8);
	assert_int_equal(b.buf[1][0], 8);
}

static void test_rng_rate_limit_timer_early_keeps_waiting(void **state)
{
	struct telem a;

	src.avail = 1000;
	R.quota = 4;
	S.left = 0;
	mk(&a, 0, 16, 0);
	assert_int_equal(handle(&a), DEV_HELD);
	/* the timer fires, but the clock says the period has not ended */
	rng_timer_cb(&S, -1, 0);
	assert_int_equal(done.n, 0);
	clock_ns += R.period_ns;
	rng_timer_cb(&S, -1, 0);
	assert_int_equal(done.n, 1);
	assert_int_equal(done.len[0], 4);
}

static void test_rng_source_end_holds_requests(void **state)
{
	struct telem a, b;

	src.err = -1;
	mk(&a, 0, 4, 0);
	assert_int_equal(handle(&a), DEV_HELD);
	assert_true(R.ended);
	assert_null(R.src_w);
	/* the queue stops: held requests are forgotten, new ones wait */
	rng_op_queue_stop(&S, NULL, 0);
	assert_int_equal(S.count, 0);
	mk(&b, 0, 4, 0);
	assert_int_equal(handle(&b), DEV_HELD);
	assert_int_equal(src.reads, 1);          /* never read again */
}

static void test_rng_source_error_ends_it(void **state)
{
	struct telem a;

	src.err = EIO;
	mk(&a, 0, 4, 0);
	assert_int_equal(handle(&a), DEV_HELD);
	assert_true(R.ended);
}

static void test_rng_queue_stop_forgets_held(void **state)
{
	struct telem a;
	uint64_t one = 1;

	mk(&a, 0, 4, 0);
	assert_int_equal(handle(&a), DEV_HELD);
	rng_op_queue_stop(&S, NULL, 0);   /* what a reset does */
	src.avail = 4;
	assert_int_equal(write(src.efd, &one, sizeof(one)), sizeof(one));
	assert_int_equal(loop_run_once(R.l, 5000), 1);
	assert_int_equal(done.n, 0);
}

static void test_rng_options_checked(void **state)
{
	struct rng r = { .fd = -1, .random_fd = -1 };

	assert_int_equal(rng_opt(&r, OPT_PERIOD, "0"), -1);
	assert_int_equal(rng_opt(&r, OPT_PERIOD, "65537"), -1);
	assert_int_equal(rng_opt(&r, OPT_PERIOD, "1x"), OPTS_USAGE);   /* not a u128 */
	assert_int_equal(rng_opt(&r, OPT_PERIOD, "65536"), 0);
	assert_int_equal(r.period_ns, 65536ull * 1000000);
	assert_int_equal(rng_opt(&r, OPT_MAX_BYTES, "0"), -1);
	assert_int_equal(rng_opt(&r, OPT_MAX_BYTES, "-5"), OPTS_USAGE);
	assert_int_equal(rng_opt(&r, OPT_MAX_BYTES, "10"), 0);
	assert_int_equal(r.max_bytes, 10);
}

static void test_rng_max_bytes_split_between_sockets(void **state)
{
	struct rng r = { .fd = -1, .random_fd = -1, .now = fake_now, .max_bytes = 10 };

	assert_int_equal(rng_start(&r, R.l, 3), 0);
	assert_int_equal(r.quota, 3);
	rng_cleanup(&r, R.l);
	r = (struct rng){ .fd = -1, .random_fd = -1, .now = fake_now, .max_bytes = 2 };
	assert_int_equal(rng_start(&r, R.l, 3), -1);   /* under a byte each */
	rng_cleanup(&r, R.l);
}

/* Without -p the period is the table's default, the one --help and the
 * man page show (upstream's 65536 ms). */
static void test_rng_default_period_is_the_tables(void **state)
{
	struct rng r = { .fd = -1, .random_fd = -1, .now = fake_now };
	const struct opt *o = rng_opts;

	assert_int_equal(rng_start(&r, R.l, 1), 0);
	while (o->id != OPT_PERIOD)
		o++;
	assert_string_equal(o->dflt, "65536");
	assert_int_equal(r.period_ns, 65536ull * 1000000);
	rng_cleanup(&r, R.l);
	/* a given period stays */
	r = (struct rng){ .fd = -1, .random_fd = -1, .now = fake_now, .period_ns = 5 };
	assert_int_equal(rng_start(&r, R.l, 1), 0);
	assert_int_equal(r.period_ns, 5);
	rng_cleanup(&r, R.l);
}

static void test_rng_source_file_checked(void **state)
{
	struct rng r = { .fd = -1, .random_fd = -1, .now = fake_now };

	r.path = "/nonexistent/rng";
	assert_int_equal(rng_start(&r, R.l, 1), -1);
	rng_cleanup(&r, R.l);
	r = (struct rng){ .fd = -1, .random_fd = -1, .now = fake_now, .path = "/" };
	assert_int_equal(rng_start(&r, R.l, 1), -1);   /* a directory */
	rng_cleanup(&r, R.l);
	r = (struct rng){ .fd = -1, .random_fd = -1, .now = fake_now, .path = "/dev/urandom" };
	assert_int_equal(rng_start(&r, R.l, 1), 0);
	assert_ptr_equal(r.ops, &file_ops);
	rng_cleanup(&r, R.l);
}

static void test_rng_getrandom_source_gives_bytes(void **state)
{
	struct rng r = { .fd = -1, .random_fd = -1 };
	uint8_t buf[32] = { 0 }, zero[32] = { 0 };

	r.ops = &getrandom_ops;
	assert_int_equal(r.ops->read(&r, buf, sizeof(buf)), 32);
	assert_memory_not_equal(buf, zero, sizeof(buf));
}

/* A request whose buffer is not memory (its guest's memory truncated
 * under us: the read says EFAULT) is answered with what came before the
 * fault; the source is not ended for the other requests and guests. */
static void test_rng_unwritable_buffer_fails_only_its_request(void **state)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *gone = mmap(NULL, (size_t)pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct telem a, b;

	assert_true(gone != MAP_FAILED);
	R.ops = &getrandom_ops;
	mk(&a, 0, 6, 10);
	a.iov[1].iov_base = gone;                /* the second piece faults */
	assert_int_equal(handle(&a), 6);
	assert_false(R.ended);
	mk(&a, 0, 8, 0);
	a.iov[0].iov_base = gone;                /* nothing before the fault */
	assert_int_equal(handle(&a), 0);
	assert_int_equal(S.count, 0);            /* answered, not held */
	assert_false(R.ended);
	mk(&b, 0, 16, 0);
	assert_int_equal(handle(&b), 16);        /* the next request is served */
	munmap(gone, (size_t)pg);
}

/* Bytes that come back to a slow source go to the guests in turn, one
 * request each, not all to the first socket's queue. */
static void test_rng_waiting_sockets_served_in_turn(void **state)
{
	static struct rng_sock two[2];
	struct telem a1, a2, b1;
	uint64_t one = 1;

	memset(two, 0, sizeof(two));
	for (unsigned i = 0; i < 2; i++) {
		two[i].r = &R;
		two[i].complete = fake_complete;
	}
	R.socks = two;
	R.nsocks = 2;
	mk(&a1, 0, 4, 0);
	mk(&a2, 0, 4, 0);
	mk(&b1, 0, 4, 0);
	assert_int_equal(rng_op_handle(&two[0], NULL, 0, &a1.e), DEV_HELD);
	assert_int_equal(rng_op_handle(&two[0], NULL, 0, &a2.e), DEV_HELD);
	assert_int_equal(rng_op_handle(&two[1], NULL, 0, &b1.e), DEV_HELD);
	src.avail = 8;                           /* two requests' worth */
	assert_int_equal(write(src.efd, &one, sizeof(one)), sizeof(one));
	assert_int_equal(loop_run_once(R.l, 5000), 1);
	assert_int_equal(done.n, 2);
	assert_ptr_equal(done.e[0], &a1.e);
	assert_ptr_equal(done.e[1], &b1.e);      /* not a2: socket 1's turn */
	/* the next time, socket 1 is first: a2 waits behind nobody */
	src.avail = 4;
	assert_int_equal(write(src.efd, &one, sizeof(one)), sizeof(one));
	assert_int_equal(loop_run_once(R.l, 5000), 1);
	assert_int_equal(done.n, 3);
	assert_ptr_equal(done.e[2], &a2.e);
	R.socks = &S;
	R.nsocks = 1;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rng_fills_every_writable_piece),
		T(test_rng_default_period_is_the_tables),
		T(test_rng_readable_bytes_answered_empty),
		T(test_rng_no_writable_bytes_answered_empty),
		T(test_rng_short_read_answers_what_came),
		T(test_rng_empty_source_waits_for_its_fd_in_order),
		T(test_rng_rate_limit_clips_then_waits_for_the_timer),
		T(test_rng_rate_limit_timer_early_keeps_waiting),
		T(test_rng_source_end_holds_requests),
		T(test_rng_source_error_ends_it),
		T(test_rng_queue_stop_forgets_held),
		T(test_rng_options_checked),
		T(test_rng_max_bytes_split_between_sockets),
		T(test_rng_source_file_checked),
		T(test_rng_getrandom_source_gives_bytes),
		T(test_rng_unwritable_buffer_fails_only_its_request),
		T(test_rng_waiting_sockets_served_in_turn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
