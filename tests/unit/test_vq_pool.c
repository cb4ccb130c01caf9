/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Unit tests for the element pool of src/vhost/vq.c: memory only for the
 * elements a ring really uses, room for the device's declared chain
 * inline, and longer chains on storage grown once per element (the rules
 * of the chain walker itself: test_vq.c). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "common/iov.h"
#include "guestmem.h"
#include "vhost/vq.h"

#include "vqfx.h"

/* Pages of the pool that are resident (backed by memory). */
static unsigned pool_resident(const struct vq *vq)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t n = (vq->pool_len + (size_t)page - 1) / (size_t)page, i;
	unsigned char *v = calloc(n, 1);
	unsigned res = 0;

	assert_non_null(v);
	assert_int_equal(mincore(vq->pool, vq->pool_len, v), 0);
	for (i = 0; i < n; i++)
		res += v[i] & 1;
	free(v);
	return res;
}

/* One chain of n one-byte readable buffers (bytes 1..n), popped. */
static struct vq_elem *pop_chain(struct fx *f, unsigned n)
{
	struct gm_buf b[VQ_ELEM_MAX_DESC];
	struct vq_elem *e;
	unsigned i;

	for (i = 0; i < n; i++)
		b[i] = vqfx_buf_out(f, 1, (uint8_t)(i + 1));
	assert_int_equal(gm_ring_add_direct(&f->r, b, n) >= 0, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e), 1);
	return e;
}

static void test_vq_pool_untouched_until_used(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e, *first = NULL;
	int i;

	vqfx_start(f, 1024, 0);
	/* a ring of 1024 set up: no element touched, nothing resident */
	assert_int_equal(f->vq.fresh, 0);
	assert_int_equal(pool_resident(&f->vq), 0);
	/* one request at a time, many times: the freed element is taken
	 * again, so one element (one page) is all the ring ever uses */
	for (i = 0; i < 100; i++) {
		e = pop_chain(f, VQFX_CHAIN);
		if (!first)
			first = e;
		assert_ptr_equal(e, first);
		vq_push(&f->vq, e, 0);
	}
	assert_int_equal(f->vq.fresh, 1);
	assert_int_equal(pool_resident(&f->vq), 1);
}

static void test_vq_pool_declared_chain_is_inline(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	e = pop_chain(f, VQFX_CHAIN);
	assert_int_equal(e->out_num, VQFX_CHAIN);
	assert_false(e->grown);
	/* its storage is the pool's, right behind it */
	assert_ptr_equal(e->seg, (void *)(e + 1));
	assert_true((char *)e->iov + VQFX_CHAIN * sizeof(struct iovec) <=
		    (char *)e + f->vq.pool_stride);
}

static void test_vq_pool_long_chain_grows_once(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e, *again;
	struct vq_seg *seg;
	uint8_t got[10];
	unsigned i;

	vqfx_start(f, 32, 0);
	e = pop_chain(f, 10);
	assert_true(e->grown);
	assert_int_equal(e->out_num, 10);
	assert_int_equal(e->out_len, 10);
	assert_int_equal(iov_to_buf(e->out, e->out_num, 0, got, sizeof(got)), 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(got[i], i + 1);
	seg = e->seg;
	vq_push(&f->vq, e, 0);
	/* the element keeps its storage: the next long chain allocates
	 * nothing, and a short one uses it as well */
	again = pop_chain(f, 10);
	assert_ptr_equal(again, e);
	assert_ptr_equal(again->seg, seg);
	assert_int_equal(again->out_num, 10);
	vq_push(&f->vq, again, 0);
	again = pop_chain(f, 1);
	assert_ptr_equal(again->seg, seg);
	assert_int_equal(again->out_num, 1);
	assert_int_equal(f->vq.fresh, 1);
}

static void test_vq_pool_split_buffers_grow(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[VQFX_CHAIN];
	struct vq_elem *e;
	unsigned i;

	vqfx_start(f, 8, 0);
	/* the declared number of descriptors, each spanning regions A and
	 * B: twice as many iovecs as the element keeps inline */
	for (i = 0; i < VQFX_CHAIN; i++)
		b[i] = (struct gm_buf){ B_GPA - 8, 16, false };
	gm_ring_add_direct(&f->r, b, VQFX_CHAIN);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_true(e->grown);
	assert_int_equal(e->out_num, 2 * VQFX_CHAIN);
	assert_int_equal(e->out_len, 16 * VQFX_CHAIN);
}

static void test_vq_pool_push_ignores_foreign_elements(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e, *e1, *skew, *past, fake;

	vqfx_start(f, 8, 0);
	e = pop_chain(f, 1);
	e1 = pop_chain(f, 1);
	memcpy(&fake, e, sizeof(fake));
	/* inside the pool but not at an element's start, placed so that
	 * its in_use byte is e1's out_num (1): it looks held */
	skew = (struct vq_elem *)((char *)e1 + offsetof(struct vq_elem, out_num) -
				  offsetof(struct vq_elem, in_use));
	assert_int_equal(((char *)skew)[offsetof(struct vq_elem, in_use)], 1);
	assert_int_equal(((char *)skew)[offsetof(struct vq_elem, parked)], 0);
	/* one past the last of the 8, in the rest of the pool's page */
	past = vq_elem_at(&f->vq, 8);
	assert_true((char *)(past + 1) <= (char *)f->vq.pool + 4096);
	past->in_use = true;
	/* not an element of the pool, or not at an element's start, or an
	 * element never taken: nothing is published */
	vq_push(&f->vq, &fake, 0);
	vq_push(&f->vq, skew, 0);
	vq_push(&f->vq, past, 0);
	vq_push(&f->vq, vq_elem_at(&f->vq, 2), 0);
	assert_int_equal(gm_ring_used_idx(&f->r), 0);
	vq_push(&f->vq, e, 0);
	vq_push(&f->vq, e1, 0);
	assert_int_equal(gm_ring_used_idx(&f->r), 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, vqfx_setup, vqfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vq_pool_untouched_until_used),
		T(test_vq_pool_declared_chain_is_inline),
		T(test_vq_pool_long_chain_grows_once),
		T(test_vq_pool_split_buffers_grow),
		T(test_vq_pool_push_ignores_foreign_elements),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
