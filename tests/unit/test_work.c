/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Workers (src/vhost/work.c): run() off the loop thread, done() on it in
 * submission order; a blocked worker holds up only its own items; a NULL
 * worker runs inline.  Items block on pipes the test controls: order and
 * counts are asserted, never durations. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "vhost/loop.h"
#include "vhost/work.h"

struct item {
	struct work w;
	int gate;               /* >= 0: run() waits for a byte on it */
	pthread_t ran_on;
	unsigned seq;           /* order of done() */
	bool done_on_loop;
};

static pthread_t loop_thread;
static unsigned ndone;

static void it_run(struct work *w)
{
	struct item *it = (struct item *)w;
	char c;

	it->ran_on = pthread_self();
	if (it->gate >= 0)
		assert_int_equal(read(it->gate, &c, 1), 1);
}

static void it_done(struct work *w)
{
	struct item *it = (struct item *)w;

	it->seq = ++ndone;
	it->done_on_loop = pthread_equal(pthread_self(), loop_thread);
}

static void item_init(struct item *it, int gate)
{
	memset(it, 0, sizeof(*it));
	it->w.run = it_run;
	it->w.done = it_done;
	it->gate = gate;
}

static void test_work_fifo_off_loop_done_on_loop(void **state)
{
	struct loop *l = loop_new();
	struct worker *wk = worker_new(l, "t");
	struct item it[3];

	assert_non_null(wk);
	loop_thread = pthread_self();
	ndone = 0;
	for (unsigned i = 0; i < 3; i++) {
		item_init(&it[i], -1);
		worker_submit(wk, &it[i].w);
	}
	assert_int_equal(worker_pending(wk), 3);
	while (ndone < 3)
		assert_true(loop_run_once(l, -1) >= 0);
	assert_int_equal(worker_pending(wk), 0);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(it[i].seq, i + 1);
		assert_true(it[i].done_on_loop);
		assert_false(pthread_equal(it[i].ran_on, loop_thread));
	}
	assert_true(worker_free(wk));
	loop_free(l);
}

/* Worker A's item blocks (a stuck bus): worker B's items still finish,
 * and A's queued item waits behind the stuck one until it returns. */
static void test_work_blocked_worker_delays_only_its_own_items(void **state)
{
	struct loop *l = loop_new();
	struct worker *a = worker_new(l, "a"), *b = worker_new(l, "b");
	struct item stuck, behind, other[2];
	int p[2];

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(pipe(p), 0);
	loop_thread = pthread_self();
	ndone = 0;
	item_init(&stuck, p[0]);
	item_init(&behind, -1);
	worker_submit(a, &stuck.w);
	worker_submit(a, &behind.w);
	for (unsigned i = 0; i < 2; i++) {
		item_init(&other[i], -1);
		worker_submit(b, &other[i].w);
	}
	while (ndone < 2)
		assert_true(loop_run_once(l, -1) >= 0);
	assert_int_equal(other[0].seq, 1);
	assert_int_equal(other[1].seq, 2);
	assert_int_equal(stuck.seq, 0);
	assert_int_equal(behind.seq, 0);
	assert_int_equal(worker_pending(a), 2);
	assert_int_equal(write(p[1], "x", 1), 1);     /* the bus recovers */
	while (ndone < 4)
		assert_true(loop_run_once(l, -1) >= 0);
	assert_int_equal(stuck.seq, 3);
	assert_int_equal(behind.seq, 4);
	assert_true(worker_free(a));
	assert_true(worker_free(b));
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

static void test_work_null_worker_runs_inline(void **state)
{
	struct item it;

	loop_thread = pthread_self();
	ndone = 0;
	item_init(&it, -1);
	worker_submit(NULL, &it.w);
	assert_int_equal(it.seq, 1);
	assert_true(it.done_on_loop);
	assert_true(pthread_equal(it.ran_on, loop_thread));
	assert_int_equal(worker_pending(NULL), 0);
	assert_true(worker_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_work_fifo_off_loop_done_on_loop),
		cmocka_unit_test(test_work_blocked_worker_delays_only_its_own_items),
		cmocka_unit_test(test_work_null_worker_runs_inline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
