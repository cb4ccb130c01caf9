/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The event loop: dispatch, removal of watches from inside callbacks
 * (also of a watch whose event is pending in the same pass), timers and
 * signals. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "vhost/loop.h"

struct ctx {
	struct loop *l;
	struct loop_watch *w[2];
	int fd[2];
	unsigned hits[2];
	unsigned ticks;
};

static void kick(int fd)
{
	uint64_t one = 1;

	assert_int_equal(write(fd, &one, 8), 8);
}

static void drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, 8) != 8)
		v = 0;
}

struct once {
	struct loop *l;
	unsigned n;
};

static void cb_once(void *opaque, int fd, uint32_t ev)
{
	struct once *o = opaque;

	o->n++;
	loop_quit(o->l);
}

/* Nothing else is dispatched: loop_run() with a one-shot timer of 20 ms
 * armed now returns after that timer, which ran once (whatever should
 * not happen any more would have run before it or in its pass). */
static void only_the_next_timer(struct loop *l)
{
	struct once o = { l, 0 };
	struct loop_watch *t = loop_timer(l, 20000000, 0, cb_once, &o);

	assert_non_null(t);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(o.n, 1);
	loop_del(l, t);
}

/* each callback removes both watches: the second must not run */
static void cb_remove_both(void *opaque, int fd, uint32_t ev)
{
	struct ctx *c = opaque;
	unsigned i = fd == c->fd[0] ? 0 : 1;

	c->hits[i]++;
	drain(fd);
	loop_del(c->l, c->w[0]);
	loop_del(c->l, c->w[1]);
	c->w[0] = c->w[1] = NULL;
}

static void test_loop_del_other_watch_inside_callback(void **state)
{
	struct ctx c = { .l = loop_new() };

	for (int i = 0; i < 2; i++) {
		c.fd[i] = eventfd(0, EFD_NONBLOCK);
		c.w[i] = loop_add(c.l, c.fd[i], EPOLLIN, cb_remove_both, &c);
		assert_non_null(c.w[i]);
		kick(c.fd[i]);
	}
	assert_int_equal(loop_run_once(c.l, 100), 2);   /* two ready events */
	assert_int_equal(c.hits[0] + c.hits[1], 1);     /* only one dispatched */
	only_the_next_timer(c.l);                       /* the other one is gone */
	assert_int_equal(c.hits[0] + c.hits[1], 1);
	close(c.fd[0]);
	close(c.fd[1]);
	loop_free(c.l);
}

static void cb_tick(void *opaque, int fd, uint32_t ev)
{
	struct ctx *c = opaque;

	if (++c->ticks == 3)
		loop_quit(c->l);
}

static void test_loop_periodic_timer_runs_until_quit(void **state)
{
	struct ctx c = { .l = loop_new() };
	struct loop_watch *t = loop_timer(c.l, 1000000, 1000000, cb_tick, &c);

	assert_non_null(t);
	assert_int_equal(loop_run(c.l), 0);
	assert_int_equal(c.ticks, 3);
	/* disarmed: no more ticks */
	assert_int_equal(loop_timer_set(t, 0, 0), 0);
	only_the_next_timer(c.l);
	assert_int_equal(c.ticks, 3);
	loop_del(c.l, t);
	loop_free(c.l);
}

static void test_loop_one_shot_timer_fires_once(void **state)
{
	struct ctx c = { .l = loop_new() };
	struct loop_watch *t = loop_timer(c.l, 1000000, 0, cb_tick, &c);

	assert_non_null(t);
	assert_int_equal(loop_run_once(c.l, 1000), 1);
	only_the_next_timer(c.l);
	assert_int_equal(c.ticks, 1);
	loop_free(c.l);   /* frees the remaining timer watch too */
}

static void test_loop_sigterm_quits_run(void **state)
{
	struct ctx c = { .l = loop_new() };

	assert_int_equal(loop_handle_signals(c.l), 0);
	raise(SIGTERM);   /* blocked: delivered through the signalfd */
	assert_int_equal(loop_run(c.l), 0);
	loop_free(c.l);
}

/* deferred work: after the ready watches, once, in order; work deferred
 * while deferred work runs waits for the next pass; a cancelled one never
 * runs; a pass with work pending does not wait */
struct dctx {
	struct loop *l;
	struct loop_defer d[4];
	char order[16];
	unsigned n;
	bool redefer;
};

static struct dctx *dc;

static void d_run(void *opaque)
{
	unsigned i = (unsigned)(uintptr_t)opaque;

	dc->order[dc->n++] = (char)('a' + i);
	if (i == 0 && dc->redefer) {
		dc->redefer = false;
		loop_defer(dc->l, &dc->d[0]);
	}
}

static void test_loop_defer_runs_once_per_pass_in_order(void **state)
{
	struct dctx c = { .l = loop_new(), .redefer = true };

	dc = &c;
	assert_non_null(c.l);
	for (unsigned i = 0; i < 3; i++) {
		c.d[i].cb = d_run;
		c.d[i].opaque = (void *)(uintptr_t)i;
	}
	loop_defer(c.l, &c.d[0]);
	loop_defer(c.l, &c.d[1]);
	loop_defer(c.l, &c.d[1]);      /* already queued: once */
	loop_defer(c.l, &c.d[2]);
	loop_cancel(c.l, &c.d[2]);
	/* -1 = wait forever: must not wait with work pending */
	assert_int_equal(loop_run_once(c.l, -1), 2);
	assert_int_equal(c.n, 2);
	assert_memory_equal(c.order, "ab", 2);
	assert_int_equal(loop_run_once(c.l, -1), 1);   /* a, deferred again by a */
	assert_int_equal(c.n, 3);
	assert_int_equal(c.order[2], 'a');
	assert_int_equal(loop_run_once(c.l, 0), 0);
	loop_free(c.l);
}

/* Cancelling the first and the last queued: the rest runs in order, and
 * one queued afterwards still comes last. */
static void test_loop_cancel_head_and_tail(void **state)
{
	struct dctx c = { .l = loop_new() };

	dc = &c;
	assert_non_null(c.l);
	for (unsigned i = 0; i < 4; i++) {
		c.d[i].cb = d_run;
		c.d[i].opaque = (void *)(uintptr_t)i;
	}
	loop_defer(c.l, &c.d[0]);
	loop_defer(c.l, &c.d[1]);
	loop_defer(c.l, &c.d[2]);
	loop_cancel(c.l, &c.d[0]);     /* the head */
	loop_cancel(c.l, &c.d[2]);     /* the tail */
	loop_cancel(c.l, &c.d[2]);     /* not queued: nothing */
	loop_defer(c.l, &c.d[3]);
	assert_int_equal(loop_run_once(c.l, -1), 2);
	assert_int_equal(c.n, 2);
	assert_memory_equal(c.order, "bd", 2);
	assert_int_equal(loop_run_once(c.l, 0), 0);
	loop_free(c.l);
	loop_free(NULL);               /* a no-op */
}

/* A periodic timer whose first expiry is 0 fires at once (a zero
 * it_value would disarm it); the alarm only ends a hung test. */
static void test_loop_periodic_timer_from_zero_fires_at_once(void **state)
{
	struct loop *l = loop_new();
	struct once o = { l, 0 };
	struct loop_watch *t;

	assert_non_null(l);
	t = loop_timer(l, 0, 3600ull * 1000000000ull, cb_once, &o);
	assert_non_null(t);
	alarm(30);
	assert_int_equal(loop_run_once(l, -1), 1);
	alarm(0);
	assert_int_equal(o.n, 1);
	loop_del(l, t);
	loop_free(l);
}

/* A callback removing its own watch twice: the second is a no-op. */
static void cb_del_twice(void *opaque, int fd, uint32_t ev)
{
	struct ctx *c = opaque;

	c->hits[0]++;
	loop_del(c->l, c->w[0]);
	loop_del(c->l, c->w[0]);
}

static void test_loop_del_twice_inside_callback(void **state)
{
	struct ctx c = { .l = loop_new() };

	assert_non_null(c.l);
	c.fd[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c.w[0] = loop_add(c.l, c.fd[0], EPOLLIN, cb_del_twice, &c);
	assert_non_null(c.w[0]);
	kick(c.fd[0]);
	assert_int_equal(loop_run_once(c.l, -1), 1);
	assert_int_equal(c.hits[0], 1);
	only_the_next_timer(c.l);       /* the fd, still readable, is not watched */
	assert_int_equal(c.hits[0], 1);
	close(c.fd[0]);
	loop_free(c.l);
}

/* A watch removed earlier in the same pass is not modified: its fd may
 * already be closed and reused by a new watch, which keeps its own
 * callback. */
static void cb_count(void *opaque, int fd, uint32_t ev)
{
	(*(unsigned *)opaque)++;
	drain(fd);
}

static void cb_del_reuse_mod(void *opaque, int fd, uint32_t ev)
{
	struct ctx *c = opaque;

	c->hits[0]++;
	loop_del(c->l, c->w[0]);
	close(c->fd[0]);
	c->fd[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);   /* the same number */
	c->w[1] = loop_add(c->l, c->fd[1], EPOLLIN, cb_count, &c->hits[1]);
	assert_int_equal(loop_mod(c->l, c->w[0], EPOLLIN | EPOLLOUT), -EINVAL);
}

static void test_loop_mod_of_removed_watch_refused(void **state)
{
	struct ctx c = { .l = loop_new() };

	assert_non_null(c.l);
	c.fd[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c.w[0] = loop_add(c.l, c.fd[0], EPOLLIN, cb_del_reuse_mod, &c);
	assert_non_null(c.w[0]);
	kick(c.fd[0]);
	assert_int_equal(loop_run_once(c.l, -1), 1);
	assert_int_equal(c.hits[0], 1);
	assert_int_equal(c.fd[1], c.fd[0]);
	assert_non_null(c.w[1]);
	/* the new watch is whole: writable is not asked, a kick is its own */
	assert_int_equal(loop_mod(c.l, c.w[1], EPOLLIN), 0);
	kick(c.fd[1]);
	assert_int_equal(loop_run_once(c.l, -1), 1);
	assert_int_equal(c.hits[0], 1);
	assert_int_equal(c.hits[1], 1);
	loop_del(c.l, c.w[1]);
	close(c.fd[1]);
	loop_free(c.l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_del_other_watch_inside_callback),
		cmocka_unit_test(test_loop_defer_runs_once_per_pass_in_order),
		cmocka_unit_test(test_loop_periodic_timer_runs_until_quit),
		cmocka_unit_test(test_loop_one_shot_timer_fires_once),
		cmocka_unit_test(test_loop_sigterm_quits_run),
		cmocka_unit_test(test_loop_cancel_head_and_tail),
		cmocka_unit_test(test_loop_periodic_timer_from_zero_fires_at_once),
		cmocka_unit_test(test_loop_del_twice_inside_callback),
		cmocka_unit_test(test_loop_mod_of_removed_watch_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
