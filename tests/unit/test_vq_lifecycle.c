/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Unit tests for src/vhost/vq.c across a ring's life: GET_VRING_BASE keeps
 * held elements, completions park while the ring is stopped, disabled or
 * unmapped, the used index is read from the ring, and vq_start tells a
 * ring that continues from one that starts over. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vqfx.h"

/* Three popped, one completed, then GET_VRING_BASE: 3. */
static void stop_with_two_held(struct fx *f, struct vq_elem **e)
{
	struct gm_buf b = { HEAP_GPA, 8, true };
	int i;

	for (i = 0; i < 3; i++)
		gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	for (i = 0; i < 3; i++)
		assert_int_equal(vqfx_pop(f, &e[i]), 1);
	vq_push(&f->vq, e[0], 1);
	assert_int_equal(vq_stop(&f->vq), 3);
	assert_false(f->vq.started);
	assert_false(vq_ready(&f->vq));
}

/* The frontend's restart of the same ring (QEMU's cont): size, base and
 * addresses as before. */
static enum vq_start_kind restart_same(struct fx *f, uint16_t base)
{
	struct vhost_vring_addr a;

	gm_ring_addr(&f->r, 3, &a);
	assert_int_equal(vq_set_num(&f->vq, f->vq.num), 0);
	assert_int_equal(vq_set_base(&f->vq, base), 0);
	assert_int_equal(vq_set_addr(&f->vq, &a), 0);
	return vq_start(&f->vq);
}

static void test_vq_stop_keeps_held(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e[3];
	uint32_t id, len;

	vqfx_start(f, 4, 0);
	stop_with_two_held(f, e);
	/* a pause loses nothing: both stay held, through a same-size
	 * SET_VRING_NUM too */
	assert_int_equal(f->vq.inflight, 2);
	assert_true(e[1]->in_use && e[2]->in_use);
	assert_int_equal(vq_set_num(&f->vq, 4), 0);
	assert_true(e[1]->in_use && e[2]->in_use);
	assert_int_equal(e[1]->in_len, 8);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_false(gm_ring_get_used(&f->r, &id, &len));
}

static void test_vq_push_while_stopped_parks(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e[3];
	uint32_t id, len;
	uint16_t head1;

	vqfx_start(f, 4, 0);
	stop_with_two_held(f, e);
	head1 = e[1]->head;
	/* the ring is stopped: the used ring must not move */
	vq_push(&f->vq, e[1], 5);
	assert_int_equal(gm_ring_used_idx(&f->r), 1);
	assert_int_equal(f->vq.inflight, 2);
	/* a second push of a parked element is ignored */
	vq_push(&f->vq, e[1], 6);
	assert_int_equal(restart_same(f, 3), VQ_START_RESUMED);
	/* started but not published before it runs: then in order */
	assert_int_equal(gm_ring_used_idx(&f->r), 1);
	vq_flush_parked(&f->vq);
	assert_int_equal(gm_ring_used_idx(&f->r), 2);
	assert_true(gm_ring_get_used(&f->r, &id, &len));   /* e[0] */
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, head1);
	assert_int_equal(len, 5);
	vq_push(&f->vq, e[2], 0);
	assert_int_equal(gm_ring_used_idx(&f->r), 3);
	assert_int_equal(f->vq.inflight, 0);
}

/* The bug this prevents: the used index restarted at the base (3), and
 * the held buffer's completion was published at entry 3 with entries 1
 * and 2 never written ("id N is not a head"). */
static void test_vq_restart_continues_used_idx_from_ring(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e[3];
	uint32_t id, len;

	vqfx_start(f, 4, 0);
	stop_with_two_held(f, e);
	assert_int_equal(restart_same(f, 3), VQ_START_RESUMED);
	assert_int_equal(f->vq.last_avail, 3);
	assert_int_equal(f->vq.used_idx, 1);
	vq_push(&f->vq, e[2], 2);
	assert_int_equal(gm_ring_used_idx(&f->r), 2);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, 2);
	assert_int_equal(len, 2);
}

static void test_vq_used_idx_read_from_ring(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 8, true };
	struct vq_elem *e;
	uint32_t id, len;
	int head;

	vqfx_start(f, 4, 0);
	f->vq.started = false;
	/* a ring some of whose buffers another backend still held: used 5,
	 * avail 7 */
	f->r.used->idx = 5;
	f->r.used_seen = 5;
	f->r.avail_idx = 7;
	assert_int_equal(vq_set_base(&f->vq, 7), 0);
	assert_int_equal(f->vq.used_idx, 5);
	assert_int_equal(vq_start(&f->vq), VQ_START_NEW);
	head = gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e), 1);
	vq_push(&f->vq, e, 1);
	assert_int_equal(gm_ring_used_idx(&f->r), 6);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, head);
	/* and at mapping: the ring's index wins over ours */
	f->vq.started = false;
	f->r.used->idx = 9;
	assert_int_equal(vq_map(&f->vq), 0);
	assert_int_equal(f->vq.used_idx, 9);
}

static void test_vq_restart_other_ring(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e[3];

	/* a new driver: base 0, its used ring zeroed */
	vqfx_start(f, 4, 0);
	stop_with_two_held(f, e);
	f->r.used->idx = 0;
	assert_int_equal(restart_same(f, 0), VQ_START_OTHER);
}

static void test_vq_restart_other_addresses_or_size(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e[3];

	/* same indices, other addresses */
	vqfx_start(f, 4, 0);
	stop_with_two_held(f, e);
	f->vq.used_uva += 4096;
	assert_int_equal(vq_start(&f->vq), VQ_START_OTHER);
	/* another size: SET_VRING_NUM refuses while held, until dropped */
	f->vq.started = false;
	assert_int_equal(vq_set_num(&f->vq, 8), -EBUSY);
	vq_drop_held(&f->vq);
	assert_int_equal(f->vq.inflight, 0);
	assert_false(e[1]->in_use);
	assert_int_equal(vq_set_num(&f->vq, 8), 0);
	/* a kick fd replaced on a running ring is no restart */
	f->vq.started = true;
	assert_int_equal(vq_start(&f->vq), VQ_START_RUNNING);
}

static void test_vq_drop_held_releases_parked(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e[3];
	int i;

	vqfx_start(f, 4, 0);
	stop_with_two_held(f, e);
	vq_push(&f->vq, e[1], 0);
	vq_drop_held(&f->vq);
	assert_int_equal(f->vq.inflight, 0);
	assert_null(f->vq.parked);
	assert_int_equal(f->vq.fresh, 3);
	for (i = 0; i < 3; i++)
		assert_false(vq_elem_at(&f->vq, i)->in_use);
	/* a late push of a released element writes nothing */
	vq_push(&f->vq, e[2], 0);
	f->vq.started = true;
	vq_flush_parked(&f->vq);
	assert_int_equal(gm_ring_used_idx(&f->r), 1);
}

static void test_vq_push_while_disabled_parks(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 8, true };
	struct vq_elem *e;

	vqfx_start(f, 4, 0);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e), 1);
	f->vq.enabled = false;
	vq_push(&f->vq, e, 1);
	assert_int_equal(gm_ring_used_idx(&f->r), 0);
	f->vq.enabled = true;
	vq_flush_parked(&f->vq);
	assert_int_equal(gm_ring_used_idx(&f->r), 1);
}

/* REM_MEM_REG of the ring's region and its re-add: a completion made
 * meanwhile is parked, then published at the ring's own index. */
static void test_vq_map_unmapped_ring_parks(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 8, true };
	struct vhost_user_region ra;
	struct vq_elem *e[2];
	uint32_t id, len;
	int h1;

	vqfx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, &b, 1);
	h1 = gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e[0]), 1);
	assert_int_equal(vqfx_pop(f, &e[1]), 1);
	vq_push(&f->vq, e[0], 1);
	gm_region_desc(&f->gm, 0, &ra);
	assert_int_equal(mem_remove(&f->gm.mt, &ra), 0);
	assert_int_equal(vq_map(&f->vq), -EFAULT);
	vq_push(&f->vq, e[1], 3);
	assert_int_equal(f->vq.used_idx, 1);
	assert_int_equal(mem_add(&f->gm.mt, &ra, f->gm.reg[0].fd), 0);
	assert_int_equal(vq_map(&f->vq), 0);
	assert_int_equal(f->vq.used_idx, 1);
	vq_flush_parked(&f->vq);
	assert_int_equal(gm_ring_used_idx(&f->r), 2);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, h1);
	assert_int_equal(len, 0);   /* its buffer was not mapped when completed */
}

/* Two completions while stopped, in the other order than popped: they
 * are published in the order they were completed. */
static void test_vq_parked_published_in_completion_order(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e[3];
	uint32_t id, len;
	uint16_t h1, h2;

	vqfx_start(f, 4, 0);
	stop_with_two_held(f, e);
	h1 = e[1]->head;
	h2 = e[2]->head;
	vq_push(&f->vq, e[2], 7);
	vq_push(&f->vq, e[1], 6);
	assert_int_equal(gm_ring_used_idx(&f->r), 1);
	assert_int_equal(restart_same(f, 3), VQ_START_RESUMED);
	vq_flush_parked(&f->vq);
	assert_int_equal(gm_ring_used_idx(&f->r), 3);
	assert_true(gm_ring_get_used(&f->r, &id, &len));   /* e[0] */
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, h2);
	assert_int_equal(len, 7);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, h1);
	assert_int_equal(len, 6);
	assert_int_equal(f->vq.inflight, 0);
}

/* The verdict of the first restart after a stop: a pause only if the
 * ring is the one that stopped in every respect.  Each difference alone
 * makes it a ring that starts over. */
enum diff { D_DESC, D_AVAIL, D_USED_ADDR, D_BASE, D_USED_IDX };

static enum vq_start_kind restart_with(struct fx *f, enum diff what)
{
	struct vq_elem *e[3];
	struct vhost_vring_addr a;

	vqfx_start(f, 4, 0);
	stop_with_two_held(f, e);
	gm_ring_addr(&f->r, 3, &a);
	if (what == D_DESC)
		a.desc_user_addr += 4096;
	if (what == D_AVAIL)
		a.avail_user_addr += 64;
	if (what == D_USED_ADDR)
		a.used_user_addr += 64;
	if (what == D_USED_IDX)
		f->r.used->idx = 2;    /* moved while stopped */
	assert_int_equal(vq_set_num(&f->vq, f->vq.num), 0);
	assert_int_equal(vq_set_base(&f->vq, what == D_BASE ? 2 : 3), 0);
	assert_int_equal(vq_set_addr(&f->vq, &a), 0);
	return vq_start(&f->vq);
}

static void test_vq_restart_other_desc(void **state)
{
	assert_int_equal(restart_with(*state, D_DESC), VQ_START_OTHER);
}

static void test_vq_restart_other_avail(void **state)
{
	assert_int_equal(restart_with(*state, D_AVAIL), VQ_START_OTHER);
}

static void test_vq_restart_other_used_addr(void **state)
{
	assert_int_equal(restart_with(*state, D_USED_ADDR), VQ_START_OTHER);
}

static void test_vq_restart_other_base(void **state)
{
	assert_int_equal(restart_with(*state, D_BASE), VQ_START_OTHER);
}

static void test_vq_restart_used_idx_moved(void **state)
{
	assert_int_equal(restart_with(*state, D_USED_IDX), VQ_START_OTHER);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, vqfx_setup, vqfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vq_stop_keeps_held),
		T(test_vq_push_while_stopped_parks),
		T(test_vq_restart_continues_used_idx_from_ring),
		T(test_vq_used_idx_read_from_ring),
		T(test_vq_restart_other_ring),
		T(test_vq_restart_other_addresses_or_size),
		T(test_vq_drop_held_releases_parked),
		T(test_vq_push_while_disabled_parks),
		T(test_vq_map_unmapped_ring_parks),
		T(test_vq_parked_published_in_completion_order),
		T(test_vq_restart_other_desc),
		T(test_vq_restart_other_avail),
		T(test_vq_restart_other_used_addr),
		T(test_vq_restart_other_base),
		T(test_vq_restart_used_idx_moved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
