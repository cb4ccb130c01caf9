/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Unit tests for src/vhost/vq.c, the device's side of a running ring: the
 * used ring (vq_push), notifications (EVENT_IDX, NO_INTERRUPT,
 * NOTIFY_ON_EMPTY) and memory table changes under held elements.  The
 * chain walker's rules are in test_vq.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/iov.h"
#include "common/log.h"
#include "guestmem.h"
#include "vhost/vq.h"

#include "vqfx.h"

/* ---- used ring ---- */

static void test_vq_push_clamps_len(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2];
	struct vq_elem *e;
	uint32_t id, len;

	vqfx_start(f, 8, 0);
	b[0] = vqfx_buf_out(f, 10, 1);
	b[1] = vqfx_buf_in(f, 20);
	gm_ring_add_direct(&f->r, b, 2);
	gm_ring_add_direct(&f->r, b, 1);   /* readable only */
	gm_ring_publish(&f->r);

	assert_int_equal(vqfx_pop(f, &e), 1);
	vq_push(&f->vq, e, 1000);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, 0);
	assert_int_equal(len, 20);

	assert_int_equal(vqfx_pop(f, &e), 1);
	vq_push(&f->vq, e, 7);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, 2);
	assert_int_equal(len, 0);
	assert_false(gm_ring_get_used(&f->r, &id, &len));
}

static void test_vq_push_ring_wraps(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 64, true };
	struct vq_elem *e;
	uint32_t id, len;
	int round, head;

	vqfx_start(f, 4, 0);
	for (round = 0; round < 13; round++) {
		b.len = 64 + round;
		head = gm_ring_add_direct(&f->r, &b, 1);
		gm_ring_publish(&f->r);
		assert_int_equal(vqfx_pop(f, &e), 1);
		assert_int_equal(e->head, head);
		vq_push(&f->vq, e, (uint32_t)round);
		assert_true(gm_ring_get_used(&f->r, &id, &len));
		assert_int_equal(id, head);
		assert_int_equal(len, round);
	}
	assert_int_equal(gm_ring_used_idx(&f->r), 13);
	assert_int_equal(f->vq.last_avail, 13);
}

static void test_vq_base_wraps_16bit(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 8, false };
	struct vq_elem *e;
	int i;

	vqfx_start(f, 4, 0);
	f->vq.started = false;
	f->r.avail_idx = 0xfffe;
	f->r.used->idx = 0xfffe;
	f->r.used_seen = 0xfffe;
	assert_int_equal(vq_set_base(&f->vq, 0xfffe), 0);
	f->vq.started = true;
	for (i = 0; i < 4; i++)
		gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);   /* avail->idx == 2 */
	for (i = 0; i < 4; i++) {
		assert_int_equal(vqfx_pop(f, &e), 1);
		vq_push(&f->vq, e, 0);
	}
	assert_int_equal(vqfx_pop(f, &e), 0);
	assert_int_equal(f->vq.last_avail, 2);
	assert_int_equal(gm_ring_used_idx(&f->r), 2);
	assert_false(f->vq.broken);
}

/* ---- notifications ---- */

static void pop_push(struct fx *f, unsigned n)
{
	struct gm_buf b = { HEAP_GPA, 8, false };
	struct vq_elem *e;
	unsigned i;

	for (i = 0; i < n; i++) {
		gm_ring_add_direct(&f->r, &b, 1);
		gm_ring_publish(&f->r);
		assert_int_equal(vqfx_pop(f, &e), 1);
		vq_push(&f->vq, e, 0);
	}
}

static void test_vq_notify_plain(void **state)
{
	struct fx *f = *state;

	vqfx_start(f, 8, 0);
	pop_push(f, 2);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);
	/* nothing pushed since: no second interrupt */
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);
}

/* A batch that only took buffers (an event queue keeping them) must not
 * interrupt the driver, also before the first notification and with
 * NOTIFY_ON_EMPTY or EVENT_IDX negotiated. */
static void test_vq_notify_nothing_pushed(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	struct gm_buf b = { HEAP_GPA, 8, true };

	vqfx_start(f, 8, F_EVENT_IDX | F_NOTIFY_ON_EMPTY);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e), 1);   /* held, not pushed */
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
	vq_push(&f->vq, e, 0);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);
}

static void test_vq_has_avail_follows_the_ring(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 8, false };
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	assert_false(vq_has_avail(&f->vq));
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_true(vq_has_avail(&f->vq));
	f->vq.enabled = false;
	assert_false(vq_has_avail(&f->vq));   /* not ready: nothing to take */
	f->vq.enabled = true;
	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_false(vq_has_avail(&f->vq));
	vq_push(&f->vq, e, 0);
}

static void test_vq_notify_no_interrupt(void **state)
{
	struct fx *f = *state;

	vqfx_start(f, 8, 0);
	gm_ring_set_avail_flags(&f->r, VRING_AVAIL_F_NO_INTERRUPT);
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
	gm_ring_set_avail_flags(&f->r, 0);
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);
}

static void test_vq_notify_on_empty(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 8, false };
	struct vq_elem *e[2];

	vqfx_start(f, 8, F_NOTIFY_ON_EMPTY);
	gm_ring_set_avail_flags(&f->r, VRING_AVAIL_F_NO_INTERRUPT);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e[0]), 1);
	assert_int_equal(vqfx_pop(f, &e[1]), 1);
	/* avail ring drained but one element still held: suppressed */
	vq_push(&f->vq, e[0], 0);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
	/* out of buffers entirely: notify despite NO_INTERRUPT */
	vq_push(&f->vq, e[1], 0);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);
	/* none held, but one still available: suppressed */
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e[0]), 1);
	vq_push(&f->vq, e[0], 0);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
	assert_int_equal(vqfx_pop(f, &e[0]), 1);
	vq_push(&f->vq, e[0], 0);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);

	/* the same without NOTIFY_ON_EMPTY stays quiet */
	f->vq.notify_on_empty = false;
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
}

static void test_vq_event_idx_publishes_avail_event(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 8, false };
	struct vq_elem *e;
	int i;

	vqfx_start(f, 8, F_EVENT_IDX);
	gm_ring_set_avail_event(&f->r, 0x1234);
	for (i = 0; i < 3; i++)
		gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	for (i = 0; i < 3; i++) {
		assert_int_equal(vqfx_pop(f, &e), 1);
		vq_push(&f->vq, e, 0);
	}
	/* only written once the ring looks empty */
	assert_int_equal(gm_ring_avail_event(&f->r), 0x1234);
	assert_int_equal(vqfx_pop(f, &e), 0);
	assert_int_equal(gm_ring_avail_event(&f->r), 3);
	/* the driver, seeing avail_event == 3, kicks for the next entry */
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_true(vring_need_event(gm_ring_avail_event(&f->r),
				     f->r.avail_idx, 3));
	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_int_equal(f->vq.last_avail, 4);
	/* without EVENT_IDX the word is never touched */
	f->vq.event_idx = false;
	gm_ring_set_avail_event(&f->r, 0x1234);
	assert_int_equal(vqfx_pop(f, &e), 0);
	assert_int_equal(gm_ring_avail_event(&f->r), 0x1234);
}

static void test_vq_event_idx_notify_suppression(void **state)
{
	struct fx *f = *state;

	vqfx_start(f, 8, F_EVENT_IDX);
	/* NO_INTERRUPT is ignored with EVENT_IDX; first notify always fires */
	gm_ring_set_avail_flags(&f->r, VRING_AVAIL_F_NO_INTERRUPT);
	gm_ring_set_used_event(&f->r, 100);
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);
	/* the driver wants an interrupt once entry 5 has been used */
	gm_ring_set_used_event(&f->r, 5);
	pop_push(f, 1);                 /* used idx 2 */
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
	pop_push(f, 3);                 /* used idx 5 */
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
	pop_push(f, 1);                 /* used idx 6: crosses entry 5 */
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
	/* used_event already passed: quiet until it is moved again */
	pop_push(f, 2);                 /* used idx 8 */
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 0);
	gm_ring_set_used_event(&f->r, 8);
	pop_push(f, 1);                 /* used idx 9 */
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);
	/* a batch that jumps over used_event still notifies once */
	gm_ring_set_used_event(&f->r, 10);
	pop_push(f, 4);                 /* used idx 13 */
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);
}

static void test_vq_notify_without_call_fd(void **state)
{
	struct fx *f = *state;

	vqfx_start(f, 8, 0);
	f->vq.call_fd = -1;
	pop_push(f, 1);
	vq_notify(&f->vq);   /* must not crash; nothing to signal */
	f->vq.call_fd = f->call;
	assert_int_equal(vqfx_calls(f), 0);
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(vqfx_calls(f), 1);
}

/* ---- memory table changes ---- */

static void test_vq_map_retranslates_held(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2] = { { HEAP_GPA, 4, false },
			       { B_GPA + 0x7fff0, 32, true } };
	struct vhost_user_region whole, lo, hi;
	struct vq_elem *e;
	uint32_t id, len;

	vqfx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, b, 2);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_int_equal(e->in_num, 1);

	/* the frontend replaces region B by two halves of the same memfd
	 * (the old mapping goes away) */
	gm_region_desc(&f->gm, 1, &whole);
	lo = whole;
	lo.memory_size = REG_SIZE / 2;
	hi = lo;
	hi.guest_phys_addr += REG_SIZE / 2;
	hi.userspace_addr += REG_SIZE / 2;
	hi.mmap_offset = REG_SIZE / 2;
	assert_int_equal(mem_remove(&f->gm.mt, &whole), 0);
	assert_int_equal(mem_add(&f->gm.mt, &lo, f->gm.reg[1].fd), 0);
	assert_int_equal(mem_add(&f->gm.mt, &hi, f->gm.reg[1].fd), 0);
	assert_int_equal(vq_map(&f->vq), 0);

	assert_int_equal(e->out_num, 1);
	assert_int_equal(e->in_num, 2);
	assert_int_equal(e->in_len, 32);
	assert_ptr_equal(e->in[0].iov_base, gm_host(&f->gm, b[1].gpa));
	assert_int_equal(e->in[0].iov_len, 16);
	assert_ptr_equal(e->in[1].iov_base, gm_host(&f->gm, B_GPA + 0x80000));
	assert_int_equal(iov_from_buf(e->in, e->in_num, 0,
				      "0123456789abcdefghijklmnopqrstuv", 32),
			 32);
	assert_memory_equal(gm_ptr(&f->gm, b[1].gpa, 32),
			    "0123456789abcdefghijklmnopqrstuv", 32);
	vq_push(&f->vq, e, 32);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(len, 32);
	assert_true(vq_ready(&f->vq));
}

static void test_vq_map_drops_unmapped_held(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2] = { { B_GPA, 4, false }, { B_GPA + 64, 32, true } };
	struct gm_buf ok = { HEAP_GPA, 8, true };
	struct vhost_user_region whole;
	struct vq_elem *e, *e2;
	uint32_t id, len;

	vqfx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, b, 2);
	gm_ring_add_direct(&f->r, &ok, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_int_equal(vqfx_pop(f, &e2), 1);

	gm_region_desc(&f->gm, 1, &whole);
	assert_int_equal(mem_remove(&f->gm.mt, &whole), 0);
	assert_int_equal(vq_map(&f->vq), 0);   /* rings are in region A */
	/* the element's buffers are gone: writes go nowhere */
	assert_int_equal(e->out_num, 0);
	assert_int_equal(e->in_num, 0);
	assert_int_equal(e->out_len, 0);
	assert_int_equal(e->in_len, 0);
	assert_int_equal(iov_from_buf(e->in, e->in_num, 0, "x", 1), 0);
	/* the other one is untouched */
	assert_int_equal(e2->in_num, 1);
	assert_int_equal(e2->in_len, 8);
	vq_push(&f->vq, e, 32);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, 0);
	assert_int_equal(len, 0);
	assert_false(f->vq.broken);
}

static void test_vq_map_ring_region_removed(void **state)
{
	struct fx *f = *state;
	struct vhost_user_region ra;
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	gm_region_desc(&f->gm, 0, &ra);
	assert_int_equal(mem_remove(&f->gm.mt, &ra), 0);
	assert_int_equal(vq_map(&f->vq), -EFAULT);
	assert_null(f->vq.desc);
	assert_false(vq_ready(&f->vq));
	assert_int_equal(vqfx_pop(f, &e), 0);
	assert_null(e);
	/* and back */
	assert_int_equal(mem_add(&f->gm.mt, &ra, f->gm.reg[0].fd), 0);
	assert_int_equal(vq_map(&f->vq), 0);
	assert_true(vq_ready(&f->vq));
	assert_ptr_equal(f->vq.desc, gm_host(&f->gm, RING_GPA));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, vqfx_setup, vqfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vq_push_clamps_len),
		T(test_vq_push_ring_wraps),
		T(test_vq_base_wraps_16bit),
		T(test_vq_notify_plain),
		T(test_vq_notify_nothing_pushed),
		T(test_vq_has_avail_follows_the_ring),
		T(test_vq_notify_no_interrupt),
		T(test_vq_notify_on_empty),
		T(test_vq_event_idx_publishes_avail_event),
		T(test_vq_event_idx_notify_suppression),
		T(test_vq_notify_without_call_fd),
		T(test_vq_map_retranslates_held),
		T(test_vq_map_drops_unmapped_held),
		T(test_vq_map_ring_region_removed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
