/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Unit tests for src/vhost/vq.c: configuration and the chain walker with
 * one negative test per rule (the used ring, notifications and memory
 * changes: test_vq_ring.c; a ring's stop and restart: test_vq_lifecycle.c). */
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

/* The last pop broke rule err: the queue is broken, the frontend was told
 * once, nothing was consumed and nothing more will be. */
static void expect_broken(struct fx *f, int ret, int err, uint16_t last_avail)
{
	struct vq_elem *e = (struct vq_elem *)1;

	assert_int_equal(ret, err);
	assert_true(f->vq.broken);
	assert_false(vq_ready(&f->vq));
	assert_int_equal(gm_eventfd_read(f->err), 1);
	assert_int_equal(f->vq.last_avail, last_avail);
	assert_int_equal(f->vq.inflight, 0);
	assert_true(vq_pop(&f->vq, &e) < 0);
	assert_null(e);
	assert_int_equal(gm_eventfd_read(f->err), 0);
	/* nothing was completed on the guest's behalf */
	assert_int_equal(gm_ring_used_idx(&f->r), f->vq.used_idx);
}

/* ---- configuration ---- */

static void test_vq_set_num_validates(void **state)
{
	struct fx *f = *state;

	f->vq.max_size = 256;
	assert_int_equal(vq_set_num(&f->vq, 0), -EINVAL);
	assert_int_equal(vq_set_num(&f->vq, 3), -EINVAL);
	assert_int_equal(vq_set_num(&f->vq, 512), -EINVAL);
	assert_int_equal(f->vq.num, 0);
	assert_null(f->vq.pool);
	assert_int_equal(vq_set_num(&f->vq, 256), 0);
	assert_int_equal(f->vq.num, 256);
	assert_non_null(f->vq.pool);
	assert_int_equal(vq_set_num(&f->vq, 1), 0);
	assert_int_equal(f->vq.num, 1);
	f->vq.started = true;
	assert_int_equal(vq_set_num(&f->vq, 2), -EBUSY);
	assert_int_equal(vq_set_base(&f->vq, 5), -EBUSY);
	assert_int_equal(f->vq.num, 1);
	f->vq.started = false;
}

static void test_vq_set_addr_alignment(void **state)
{
	struct fx *f = *state;
	struct vhost_vring_addr a;

	vqfx_start(f, 16, 0);
	gm_ring_addr(&f->r, 3, &a);
	a.desc_user_addr += 8;
	assert_int_equal(vq_set_addr(&f->vq, &a), -EINVAL);
	gm_ring_addr(&f->r, 3, &a);
	a.avail_user_addr += 1;
	assert_int_equal(vq_set_addr(&f->vq, &a), -EINVAL);
	gm_ring_addr(&f->r, 3, &a);
	a.used_user_addr += 2;
	assert_int_equal(vq_set_addr(&f->vq, &a), -EINVAL);
	/* the good addresses are still in place */
	assert_true(vq_ready(&f->vq));
	assert_ptr_equal(f->vq.desc, gm_host(&f->gm, f->r.desc_gpa));
	assert_ptr_equal(f->vq.avail, gm_host(&f->gm, f->r.avail_gpa));
	assert_ptr_equal(f->vq.used, gm_host(&f->gm, f->r.used_gpa));
}

static void test_vq_map_rejects_unmapped_ring(void **state)
{
	struct fx *f = *state;
	struct vhost_vring_addr a;

	vqfx_start(f, 16, 0);
	gm_ring_addr(&f->r, 3, &a);
	/* used ring runs off the end of region B into nothing */
	a.used_user_addr = gm_uva(B_GPA + REG_SIZE - 64);
	assert_int_equal(vq_set_addr(&f->vq, &a), 0);
	assert_int_equal(vq_map(&f->vq), -EFAULT);
	assert_false(vq_ready(&f->vq));
	/* a guest-physical address is not a frontend address */
	gm_ring_addr(&f->r, 3, &a);
	a.desc_user_addr = f->r.desc_gpa;
	assert_int_equal(vq_set_addr(&f->vq, &a), 0);
	assert_false(vq_ready(&f->vq));
	gm_ring_addr(&f->r, 3, &a);
	assert_int_equal(vq_set_addr(&f->vq, &a), 0);
	assert_int_equal(vq_map(&f->vq), 0);
	assert_true(vq_ready(&f->vq));
}

/* Ring addresses the frontend aligned correctly, but in a region whose
 * mmap_offset puts them at a misaligned host address: refused (the ring
 * words are accessed atomically); the same layout host-aligned is taken. */
static void test_vq_map_rejects_misaligned_host_mapping(void **state)
{
	struct fx *f = *state;
	static const uint64_t offs[2] = { 1, 16 };
	static const int want[2] = { -EFAULT, 0 };
	int fd = gm_memfd(0x30000);

	assert_true(fd >= 0);
	assert_int_equal(vq_set_num(&f->vq, 16), 0);
	for (unsigned i = 0; i < 2; i++) {
		uint64_t gpa = 0x400000 + i * 0x10000;
		struct vhost_user_region reg = { gpa, 0x10000, gm_uva(gpa), offs[i] };
		struct vhost_vring_addr a = {
			.index = 3,
			.desc_user_addr = gm_uva(gpa),
			.avail_user_addr = gm_uva(gpa + 0x100),
			.used_user_addr = gm_uva(gpa + 0x200),
		};

		assert_int_equal(mem_add(&f->gm.mt, &reg, fd), 0);
		assert_int_equal(vq_set_addr(&f->vq, &a), 0);
		assert_int_equal(vq_map(&f->vq), want[i]);
		assert_true(want[i] ? f->vq.desc == NULL : f->vq.desc != NULL);
	}
	close(fd);
}

static void test_vq_ready_needs_everything(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	f->vq.enabled = false;
	assert_false(vq_ready(&f->vq));
	gm_ring_add_direct(&f->r, &(struct gm_buf){ HEAP_GPA, 8, false }, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e), 0);   /* disabled: nothing taken */
	assert_null(e);
	f->vq.enabled = true;
	f->vq.started = false;
	assert_false(vq_ready(&f->vq));
	f->vq.started = true;
	assert_int_equal(vqfx_pop(f, &e), 1);
}

static void test_vq_reset_closes_fds(void **state)
{
	struct fx *f = *state;
	int kick = gm_eventfd();

	vqfx_start(f, 8, 0);
	f->vq.kick_fd = kick;
	vq_reset(&f->vq);
	assert_int_equal(fcntl(kick, F_GETFD), -1);
	assert_int_equal(fcntl(f->call, F_GETFD), -1);
	assert_int_equal(fcntl(f->err, F_GETFD), -1);
	f->call = f->err = -1;
	assert_int_equal(f->vq.kick_fd, -1);
	assert_int_equal(f->vq.call_fd, -1);
	assert_int_equal(f->vq.err_fd, -1);
	assert_int_equal(f->vq.num, 0);
	assert_null(f->vq.pool);
	assert_false(f->vq.addr_set);
	assert_false(vq_ready(&f->vq));
	/* kept across a reset */
	assert_int_equal(f->vq.index, 3);
	assert_int_equal(f->vq.max_size, VQ_MAX_SIZE);
	assert_ptr_equal(f->vq.mem, &f->gm.mt);
}

/* ---- good chains ---- */

static void test_vq_pop_direct_chain(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[3];
	struct vq_elem *e;
	uint32_t id, len;
	char hdr[4];
	int head;

	vqfx_start(f, 16, 0);
	b[0] = vqfx_buf_out(f, 100, 'a');
	b[1] = vqfx_buf_out(f, 28, 'b');
	b[2] = vqfx_buf_in(f, 200);
	head = gm_ring_add_direct(&f->r, b, 3);
	assert_int_equal(vqfx_pop(f, &e), 0);   /* not published yet */
	gm_ring_publish(&f->r);

	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_non_null(e);
	assert_int_equal(e->head, head);
	assert_int_equal(e->out_num, 2);
	assert_int_equal(e->in_num, 1);
	assert_int_equal(e->out_len, 128);
	assert_int_equal(e->in_len, 200);
	assert_ptr_equal(e->in, e->out + 2);
	assert_ptr_equal(e->out[0].iov_base, gm_host(&f->gm, b[0].gpa));
	assert_int_equal(e->out[0].iov_len, 100);
	assert_int_equal(iov_to_buf(e->out, e->out_num, 99, hdr, 2), 2);
	assert_memory_equal(hdr, "ab", 2);
	assert_int_equal(f->vq.last_avail, 1);
	assert_int_equal(f->vq.inflight, 1);

	assert_int_equal(iov_from_buf(e->in, e->in_num, 0, "reply", 5), 5);
	vq_push(&f->vq, e, 5);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, head);
	assert_int_equal(len, 5);
	assert_memory_equal(gm_ptr(&f->gm, b[2].gpa, 5), "reply", 5);
	assert_int_equal(f->vq.inflight, 0);
	assert_int_equal(vqfx_pop(f, &e), 0);
	assert_null(e);
	assert_false(f->vq.broken);
}

static void test_vq_pop_indirect_chain(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[3];
	struct vq_elem *e;
	int head;

	vqfx_start(f, 16, F_INDIRECT);
	b[0] = vqfx_buf_out(f, 8, 'x');
	b[1] = vqfx_buf_in(f, 16);
	b[2] = vqfx_buf_in(f, 32);
	head = gm_ring_add_indirect(&f->r, b, 3, NULL);
	gm_ring_publish(&f->r);

	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_int_equal(e->head, head);
	assert_int_equal(e->out_num, 1);
	assert_int_equal(e->in_num, 2);
	assert_int_equal(e->out_len, 8);
	assert_int_equal(e->in_len, 48);
	assert_ptr_equal(e->in[1].iov_base, gm_host(&f->gm, b[2].gpa));
	assert_int_equal(e->in[1].iov_len, 32);
	assert_int_equal(*(char *)e->out[0].iov_base, 'x');
}

static void test_vq_pop_mixed_chains(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2], span;
	struct vq_elem *e[4];
	uint64_t tgpa;
	int h[4];

	vqfx_start(f, 16, F_INDIRECT);
	b[0] = vqfx_buf_out(f, 4, 'q');
	b[1] = vqfx_buf_in(f, 4);
	h[0] = gm_ring_add_direct(&f->r, b, 2);
	h[1] = gm_ring_add_indirect(&f->r, b, 2, NULL);
	/* a buffer spanning regions A and B: one descriptor, two iovecs */
	span = (struct gm_buf){ B_GPA - 16, 48, true };
	h[2] = gm_ring_add_direct(&f->r, &span, 1);
	/* a direct readable descriptor followed by an indirect table */
	h[3] = gm_ring_add_indirect(&f->r, &b[1], 1, &tgpa);
	gm_ring_set_desc(&f->r, 15, b[0].gpa, 4, VRING_DESC_F_NEXT, h[3]);
	f->r.avail->ring[3] = 15;
	h[3] = 15;
	gm_ring_publish(&f->r);

	for (int i = 0; i < 4; i++) {
		assert_int_equal(vqfx_pop(f, &e[i]), 1);
		assert_int_equal(e[i]->head, h[i]);
	}
	assert_int_equal(e[0]->out_num + e[0]->in_num, 2);
	assert_int_equal(e[1]->out_num + e[1]->in_num, 2);
	assert_int_equal(e[2]->out_num, 0);
	assert_int_equal(e[2]->in_num, 2);
	assert_int_equal(e[2]->in_len, 48);
	assert_int_equal(e[2]->in[0].iov_len, 16);
	assert_int_equal(e[2]->in[1].iov_len, 32);
	assert_ptr_equal(e[2]->in[1].iov_base, gm_host(&f->gm, B_GPA));
	assert_int_equal(e[3]->out_num, 1);
	assert_int_equal(e[3]->in_num, 1);
	assert_int_equal(f->vq.inflight, 4);
	/* all four distinct elements from the pool */
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			assert_ptr_not_equal(e[i], e[j]);
	/* completed out of order */
	vq_push(&f->vq, e[2], 48);
	vq_push(&f->vq, e[0], 4);
	vq_push(&f->vq, e[3], 4);
	vq_push(&f->vq, e[1], 0);
	assert_int_equal(gm_ring_used_idx(&f->r), 4);
	assert_int_equal(f->r.used->ring[0].id, h[2]);
	assert_int_equal(f->r.used->ring[1].id, h[0]);
	assert_int_equal(f->r.used->ring[2].id, h[3]);
	assert_int_equal(f->r.used->ring[3].id, h[1]);
	assert_int_equal(f->vq.inflight, 0);
}

static void test_vq_pop_indirect_table_spanning_regions(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[4];
	struct vring_desc *t;
	struct vq_elem *e;
	uint64_t tgpa = B_GPA - 32;   /* two entries in A, two in B */
	int i;

	vqfx_start(f, 8, F_INDIRECT);
	for (i = 0; i < 4; i++)
		b[i] = vqfx_buf_out(f, 10 + i, 'k');
	t = gm_ptr(&f->gm, tgpa, 32);
	for (i = 0; i < 2; i++)
		t[i] = (struct vring_desc){ b[i].gpa, b[i].len,
					    VRING_DESC_F_NEXT, (uint16_t)(i + 1) };
	t = gm_ptr(&f->gm, B_GPA, 32);
	t[0] = (struct vring_desc){ b[2].gpa, b[2].len, VRING_DESC_F_NEXT, 3 };
	t[1] = (struct vring_desc){ b[3].gpa, b[3].len, 0, 0 };
	gm_ring_set_desc(&f->r, 0, tgpa, 64, VRING_DESC_F_INDIRECT, 0);
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_int_equal(e->out_num, 4);
	assert_int_equal(e->out_len, 10 + 11 + 12 + 13);
}

static void test_vq_pop_max_length_chain(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[VQ_ELEM_MAX_DESC + 1];
	struct vq_elem *e;
	int i;

	vqfx_start(f, 128, 0);
	for (i = 0; i <= VQ_ELEM_MAX_DESC; i++)
		b[i] = (struct gm_buf){ HEAP_GPA + i, 1, false };
	/* exactly the limit is fine */
	gm_ring_add_direct(&f->r, b, VQ_ELEM_MAX_DESC);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_int_equal(e->out_num, VQ_ELEM_MAX_DESC);
	assert_int_equal(e->out_len, VQ_ELEM_MAX_DESC);
	vq_push(&f->vq, e, 0);
	/* one more is not: that is test_vq_pop_rejects_chain_too_long */
}

/* ---- one negative test per rule of vq_pop ---- */

static void test_vq_pop_rejects_idx_too_far_ahead(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, &(struct gm_buf){ HEAP_GPA, 8, false }, 1);
	gm_ring_set_avail_idx(&f->r, 9);   /* num + 1 ahead */
	expect_broken(f, vqfx_pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_head_out_of_range(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	gm_ring_set_desc(&f->r, 0, HEAP_GPA, 8, 0, 0);
	gm_ring_put(&f->r, 8);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_next_out_of_range(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	gm_ring_set_desc(&f->r, 0, HEAP_GPA, 8, VRING_DESC_F_NEXT, 8);
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_loop(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	gm_ring_set_desc(&f->r, 0, HEAP_GPA, 8, VRING_DESC_F_NEXT, 1);
	gm_ring_set_desc(&f->r, 1, HEAP_GPA, 8, VRING_DESC_F_NEXT, 0);
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -ELOOP, 0);
}

static void test_vq_pop_rejects_chain_too_long(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[VQ_ELEM_MAX_DESC + 1];
	struct vq_elem *e;
	int i;

	vqfx_start(f, 128, 0);
	for (i = 0; i <= VQ_ELEM_MAX_DESC; i++)
		b[i] = (struct gm_buf){ HEAP_GPA + i, 1, false };
	gm_ring_add_direct(&f->r, b, VQ_ELEM_MAX_DESC + 1);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -E2BIG, 0);
}

static void test_vq_pop_rejects_indirect_not_negotiated(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA + 0x1000, 8, false };
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	gm_ring_add_indirect(&f->r, &b, 1, NULL);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_nested_indirect(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2] = { { HEAP_GPA + 0x1000, 8, false },
			       { HEAP_GPA + 0x1000, 8, false } };
	struct vring_desc *t;
	struct vq_elem *e;
	uint64_t tgpa, inner;

	vqfx_start(f, 8, F_INDIRECT);
	inner = gm_alloc(&f->r, 16);
	gm_ring_add_indirect(&f->r, b, 2, &tgpa);
	t = gm_ptr(&f->gm, tgpa, 32);
	t[1] = (struct vring_desc){ inner, 16, VRING_DESC_F_INDIRECT, 0 };
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_indirect_with_next(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA + 0x1000, 8, false };
	struct vq_elem *e;
	int head;

	vqfx_start(f, 8, F_INDIRECT);
	head = gm_ring_add_indirect(&f->r, &b, 1, NULL);
	f->r.desc[head].flags |= VRING_DESC_F_NEXT;
	f->r.desc[head].next = 5;
	gm_ring_set_desc(&f->r, 5, HEAP_GPA, 8, 0, 0);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_indirect_len_zero(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA + 0x1000, 8, false };
	struct vq_elem *e;
	int head;

	vqfx_start(f, 8, F_INDIRECT);
	head = gm_ring_add_indirect(&f->r, &b, 1, NULL);
	f->r.desc[head].len = 0;
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_indirect_len_not_multiple(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA + 0x1000, 8, false };
	struct vq_elem *e;
	int head;

	vqfx_start(f, 8, F_INDIRECT);
	/* one good entry plus 8 stray bytes */
	head = gm_ring_add_indirect(&f->r, &b, 1, NULL);
	f->r.desc[head].len = 24;
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_indirect_table_unmapped(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	vqfx_start(f, 8, F_INDIRECT);
	/* the table's last entry lies past the end of region B */
	gm_ring_set_desc(&f->r, 0, B_GPA + REG_SIZE - 16, 32,
			 VRING_DESC_F_INDIRECT, 0);
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EFAULT, 0);
}

static void test_vq_pop_rejects_buffer_wrap(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	gm_ring_set_desc(&f->r, 0, UINT64_MAX - 0xf, 0x20, 0, 0);
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EFAULT, 0);
}

static void test_vq_pop_rejects_buffer_outside_memory(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2] = { { HEAP_GPA, 8, false },
			       { B_GPA + REG_SIZE - 8, 16, true } };
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	/* the writable buffer runs 8 bytes past the end of guest memory */
	gm_ring_add_direct(&f->r, b, 2);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EFAULT, 0);
}

static void test_vq_pop_rejects_buffer_at_unmapped_gpa(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { 0x1000, 8, false };
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EFAULT, 0);
}

static void test_vq_pop_rejects_readable_after_writable(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2] = { { HEAP_GPA, 8, true }, { HEAP_GPA, 8, false } };
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, b, 2);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_too_many_iovecs(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[VQ_ELEM_MAX_IOV / 2 + 1];
	struct vq_elem *e;
	unsigned i;

	vqfx_start(f, 128, 0);
	/* each buffer spans regions A and B: two iovecs per descriptor */
	for (i = 0; i < VQ_ELEM_MAX_IOV / 2 + 1; i++)
		b[i] = (struct gm_buf){ B_GPA - 8, 16, false };
	gm_ring_add_direct(&f->r, b, VQ_ELEM_MAX_IOV / 2);
	gm_ring_add_direct(&f->r, b, VQ_ELEM_MAX_IOV / 2 + 1);
	gm_ring_publish(&f->r);
	/* exactly VQ_ELEM_MAX_IOV pieces are fine */
	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_int_equal(e->out_num, VQ_ELEM_MAX_IOV);
	vq_push(&f->vq, e, 0);
	expect_broken(f, vqfx_pop(f, &e), -ENOBUFS, 1);
}

static void test_vq_pop_rejects_too_many_outstanding(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e[4], *extra;
	int i;

	vqfx_start(f, 4, 0);
	for (i = 0; i < 4; i++)
		gm_ring_add_direct(&f->r,
			&(struct gm_buf){ HEAP_GPA, 8, false }, 1);
	gm_ring_publish(&f->r);
	for (i = 0; i < 4; i++)
		assert_int_equal(vqfx_pop(f, &e[i]), 1);
	assert_int_equal(f->vq.inflight, 4);
	/* a fifth chain while all four are held: reuses descriptor 0 */
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	assert_int_equal(vqfx_pop(f, &extra), -ENOSPC);
	assert_null(extra);
	assert_true(f->vq.broken);
	assert_false(vq_ready(&f->vq));
	assert_int_equal(gm_eventfd_read(f->err), 1);
	assert_int_equal(f->vq.last_avail, 4);
	assert_int_equal(f->vq.inflight, 4);
	assert_true(vqfx_pop(f, &extra) < 0);
	assert_int_equal(gm_eventfd_read(f->err), 0);
}

static void test_vq_broken_until_reinitialised(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	vqfx_start(f, 8, 0);
	gm_ring_put(&f->r, 9);
	gm_ring_publish(&f->r);
	expect_broken(f, vqfx_pop(f, &e), -EINVAL, 0);
	/* the frontend stops the ring, fixes it and sets the base again */
	assert_int_equal(vq_stop(&f->vq), 0);
	f->r.avail->ring[0] = 2;
	gm_ring_set_desc(&f->r, 2, HEAP_GPA, 8, 0, 0);
	assert_int_equal(vq_set_base(&f->vq, 0), 0);
	assert_false(f->vq.broken);
	f->vq.started = true;
	assert_int_equal(vqfx_pop(f, &e), 1);
	assert_int_equal(e->head, 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, vqfx_setup, vqfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vq_set_num_validates),
		T(test_vq_set_addr_alignment),
		T(test_vq_map_rejects_unmapped_ring),
		T(test_vq_map_rejects_misaligned_host_mapping),
		T(test_vq_ready_needs_everything),
		T(test_vq_reset_closes_fds),
		T(test_vq_pop_direct_chain),
		T(test_vq_pop_indirect_chain),
		T(test_vq_pop_mixed_chains),
		T(test_vq_pop_indirect_table_spanning_regions),
		T(test_vq_pop_max_length_chain),
		T(test_vq_pop_rejects_idx_too_far_ahead),
		T(test_vq_pop_rejects_head_out_of_range),
		T(test_vq_pop_rejects_next_out_of_range),
		T(test_vq_pop_rejects_loop),
		T(test_vq_pop_rejects_chain_too_long),
		T(test_vq_pop_rejects_indirect_not_negotiated),
		T(test_vq_pop_rejects_nested_indirect),
		T(test_vq_pop_rejects_indirect_with_next),
		T(test_vq_pop_rejects_indirect_len_zero),
		T(test_vq_pop_rejects_indirect_len_not_multiple),
		T(test_vq_pop_rejects_indirect_table_unmapped),
		T(test_vq_pop_rejects_buffer_wrap),
		T(test_vq_pop_rejects_buffer_outside_memory),
		T(test_vq_pop_rejects_buffer_at_unmapped_gpa),
		T(test_vq_pop_rejects_readable_after_writable),
		T(test_vq_pop_rejects_too_many_iovecs),
		T(test_vq_pop_rejects_too_many_outstanding),
		T(test_vq_broken_until_reinitialised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
