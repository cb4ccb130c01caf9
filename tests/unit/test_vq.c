/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Unit tests for src/vhost/vq.c: the chain walker and its rules, the used
 * ring, notifications and memory table changes. */
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

/* Guest layout: [0, 1 MiB) unmapped, region A [1 MiB, 2 MiB) with the
 * rings at its start and the buffer heap after, region B [2 MiB, 3 MiB)
 * right after it (buffers may span A and B). */
#define A_GPA    0x100000ull
#define B_GPA    0x200000ull
#define REG_SIZE 0x100000ull
#define RING_GPA A_GPA
#define HEAP_GPA (A_GPA + 0x8000)
#define HEAP_END B_GPA

enum { F_INDIRECT = 1, F_EVENT_IDX = 2, F_NOTIFY_ON_EMPTY = 4 };

struct fx {
	struct guestmem gm;
	struct gm_ring r;
	struct vq vq;
	int call, err;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	gm_init(&f->gm);
	f->call = f->err = -1;
	vq_init(&f->vq, 3, VQ_MAX_SIZE, &f->gm.mt);
	log_set_level(LOG_ERROR);   /* broken-queue warnings are expected */
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	vq_reset(&f->vq);   /* closes call/err */
	gm_free(&f->gm);
	free(f);
	return 0;
}

/* Memory, ring of num entries, a started/enabled queue with eventfds. */
static void fx_start(struct fx *f, unsigned num, unsigned feat)
{
	struct vhost_vring_addr a;

	assert_int_equal(gm_add_region(&f->gm, A_GPA, REG_SIZE), 0);
	assert_int_equal(gm_add_region(&f->gm, B_GPA, REG_SIZE), 0);
	assert_int_equal(gm_ring_init(&f->r, &f->gm, num, RING_GPA, HEAP_GPA,
				      HEAP_END - HEAP_GPA), 0);
	gm_ring_addr(&f->r, 3, &a);
	assert_int_equal(vq_set_num(&f->vq, num), 0);
	assert_int_equal(vq_set_addr(&f->vq, &a), 0);
	assert_int_equal(vq_set_base(&f->vq, 0), 0);
	f->call = gm_eventfd();
	f->err = gm_eventfd();
	assert_true(f->call >= 0 && f->err >= 0);
	f->vq.call_fd = f->call;
	f->vq.err_fd = f->err;
	f->vq.indirect = feat & F_INDIRECT;
	f->vq.event_idx = feat & F_EVENT_IDX;
	f->vq.notify_on_empty = feat & F_NOTIFY_ON_EMPTY;
	f->vq.started = true;
	f->vq.enabled = true;
	assert_true(vq_ready(&f->vq));
}

/* A heap buffer filled with a byte pattern. */
static struct gm_buf buf_out(struct fx *f, uint32_t len, uint8_t fill)
{
	struct gm_buf b = { gm_alloc(&f->r, len), len, false };

	assert_true(b.gpa != 0);
	memset(gm_ptr(&f->gm, b.gpa, len), fill, len);
	return b;
}

static struct gm_buf buf_in(struct fx *f, uint32_t len)
{
	struct gm_buf b = { gm_alloc(&f->r, len), len, true };

	assert_true(b.gpa != 0);
	return b;
}

static uint64_t calls(struct fx *f)
{
	return gm_eventfd_read(f->call);
}

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

static int pop(struct fx *f, struct vq_elem **e)
{
	*e = NULL;
	return vq_pop(&f->vq, e);
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
	assert_null(f->vq.elems);
	assert_int_equal(vq_set_num(&f->vq, 256), 0);
	assert_int_equal(f->vq.num, 256);
	assert_non_null(f->vq.elems);
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

	fx_start(f, 16, 0);
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

	fx_start(f, 16, 0);
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

	fx_start(f, 8, 0);
	f->vq.enabled = false;
	assert_false(vq_ready(&f->vq));
	gm_ring_add_direct(&f->r, &(struct gm_buf){ HEAP_GPA, 8, false }, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(pop(f, &e), 0);   /* disabled: nothing taken */
	assert_null(e);
	f->vq.enabled = true;
	f->vq.started = false;
	assert_false(vq_ready(&f->vq));
	f->vq.started = true;
	assert_int_equal(pop(f, &e), 1);
}

static void test_vq_reset_closes_fds(void **state)
{
	struct fx *f = *state;
	int kick = gm_eventfd();

	fx_start(f, 8, 0);
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
	assert_null(f->vq.elems);
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

	fx_start(f, 16, 0);
	b[0] = buf_out(f, 100, 'a');
	b[1] = buf_out(f, 28, 'b');
	b[2] = buf_in(f, 200);
	head = gm_ring_add_direct(&f->r, b, 3);
	assert_int_equal(pop(f, &e), 0);   /* not published yet */
	gm_ring_publish(&f->r);

	assert_int_equal(pop(f, &e), 1);
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
	assert_int_equal(pop(f, &e), 0);
	assert_null(e);
	assert_false(f->vq.broken);
}

static void test_vq_pop_indirect_chain(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[3];
	struct vq_elem *e;
	int head;

	fx_start(f, 16, F_INDIRECT);
	b[0] = buf_out(f, 8, 'x');
	b[1] = buf_in(f, 16);
	b[2] = buf_in(f, 32);
	head = gm_ring_add_indirect(&f->r, b, 3, NULL);
	gm_ring_publish(&f->r);

	assert_int_equal(pop(f, &e), 1);
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

	fx_start(f, 16, F_INDIRECT);
	b[0] = buf_out(f, 4, 'q');
	b[1] = buf_in(f, 4);
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
		assert_int_equal(pop(f, &e[i]), 1);
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

	fx_start(f, 8, F_INDIRECT);
	for (i = 0; i < 4; i++)
		b[i] = buf_out(f, 10 + i, 'k');
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
	assert_int_equal(pop(f, &e), 1);
	assert_int_equal(e->out_num, 4);
	assert_int_equal(e->out_len, 10 + 11 + 12 + 13);
}

static void test_vq_pop_max_length_chain(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[VQ_ELEM_MAX_DESC + 1];
	struct vq_elem *e;
	int i;

	fx_start(f, 128, 0);
	for (i = 0; i <= VQ_ELEM_MAX_DESC; i++)
		b[i] = (struct gm_buf){ HEAP_GPA + i, 1, false };
	/* exactly the limit is fine */
	gm_ring_add_direct(&f->r, b, VQ_ELEM_MAX_DESC);
	gm_ring_publish(&f->r);
	assert_int_equal(pop(f, &e), 1);
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

	fx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, &(struct gm_buf){ HEAP_GPA, 8, false }, 1);
	gm_ring_set_avail_idx(&f->r, 9);   /* num + 1 ahead */
	expect_broken(f, pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_head_out_of_range(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	fx_start(f, 8, 0);
	gm_ring_set_desc(&f->r, 0, HEAP_GPA, 8, 0, 0);
	gm_ring_put(&f->r, 8);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_next_out_of_range(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	fx_start(f, 8, 0);
	gm_ring_set_desc(&f->r, 0, HEAP_GPA, 8, VRING_DESC_F_NEXT, 8);
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_loop(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	fx_start(f, 8, 0);
	gm_ring_set_desc(&f->r, 0, HEAP_GPA, 8, VRING_DESC_F_NEXT, 1);
	gm_ring_set_desc(&f->r, 1, HEAP_GPA, 8, VRING_DESC_F_NEXT, 0);
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -ELOOP, 0);
}

static void test_vq_pop_rejects_chain_too_long(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[VQ_ELEM_MAX_DESC + 1];
	struct vq_elem *e;
	int i;

	fx_start(f, 128, 0);
	for (i = 0; i <= VQ_ELEM_MAX_DESC; i++)
		b[i] = (struct gm_buf){ HEAP_GPA + i, 1, false };
	gm_ring_add_direct(&f->r, b, VQ_ELEM_MAX_DESC + 1);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -E2BIG, 0);
}

static void test_vq_pop_rejects_indirect_not_negotiated(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA + 0x1000, 8, false };
	struct vq_elem *e;

	fx_start(f, 8, 0);
	gm_ring_add_indirect(&f->r, &b, 1, NULL);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_nested_indirect(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2] = { { HEAP_GPA + 0x1000, 8, false },
			       { HEAP_GPA + 0x1000, 8, false } };
	struct vring_desc *t;
	struct vq_elem *e;
	uint64_t tgpa, inner;

	fx_start(f, 8, F_INDIRECT);
	inner = gm_alloc(&f->r, 16);
	gm_ring_add_indirect(&f->r, b, 2, &tgpa);
	t = gm_ptr(&f->gm, tgpa, 32);
	t[1] = (struct vring_desc){ inner, 16, VRING_DESC_F_INDIRECT, 0 };
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_indirect_with_next(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA + 0x1000, 8, false };
	struct vq_elem *e;
	int head;

	fx_start(f, 8, F_INDIRECT);
	head = gm_ring_add_indirect(&f->r, &b, 1, NULL);
	f->r.desc[head].flags |= VRING_DESC_F_NEXT;
	f->r.desc[head].next = 5;
	gm_ring_set_desc(&f->r, 5, HEAP_GPA, 8, 0, 0);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_indirect_len_zero(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA + 0x1000, 8, false };
	struct vq_elem *e;
	int head;

	fx_start(f, 8, F_INDIRECT);
	head = gm_ring_add_indirect(&f->r, &b, 1, NULL);
	f->r.desc[head].len = 0;
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_indirect_len_not_multiple(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA + 0x1000, 8, false };
	struct vq_elem *e;
	int head;

	fx_start(f, 8, F_INDIRECT);
	/* one good entry plus 8 stray bytes */
	head = gm_ring_add_indirect(&f->r, &b, 1, NULL);
	f->r.desc[head].len = 24;
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_indirect_table_unmapped(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	fx_start(f, 8, F_INDIRECT);
	/* the table's last entry lies past the end of region B */
	gm_ring_set_desc(&f->r, 0, B_GPA + REG_SIZE - 16, 32,
			 VRING_DESC_F_INDIRECT, 0);
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EFAULT, 0);
}

static void test_vq_pop_rejects_buffer_wrap(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	fx_start(f, 8, 0);
	gm_ring_set_desc(&f->r, 0, UINT64_MAX - 0xf, 0x20, 0, 0);
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EFAULT, 0);
}

static void test_vq_pop_rejects_buffer_outside_memory(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2] = { { HEAP_GPA, 8, false },
			       { B_GPA + REG_SIZE - 8, 16, true } };
	struct vq_elem *e;

	fx_start(f, 8, 0);
	/* the writable buffer runs 8 bytes past the end of guest memory */
	gm_ring_add_direct(&f->r, b, 2);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EFAULT, 0);
}

static void test_vq_pop_rejects_buffer_at_unmapped_gpa(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { 0x1000, 8, false };
	struct vq_elem *e;

	fx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EFAULT, 0);
}

static void test_vq_pop_rejects_readable_after_writable(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2] = { { HEAP_GPA, 8, true }, { HEAP_GPA, 8, false } };
	struct vq_elem *e;

	fx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, b, 2);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EINVAL, 0);
}

static void test_vq_pop_rejects_too_many_iovecs(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[VQ_ELEM_MAX_IOV / 2 + 1];
	struct vq_elem *e;
	unsigned i;

	fx_start(f, 128, 0);
	/* each buffer spans regions A and B: two iovecs per descriptor */
	for (i = 0; i < VQ_ELEM_MAX_IOV / 2 + 1; i++)
		b[i] = (struct gm_buf){ B_GPA - 8, 16, false };
	gm_ring_add_direct(&f->r, b, VQ_ELEM_MAX_IOV / 2);
	gm_ring_add_direct(&f->r, b, VQ_ELEM_MAX_IOV / 2 + 1);
	gm_ring_publish(&f->r);
	/* exactly VQ_ELEM_MAX_IOV pieces are fine */
	assert_int_equal(pop(f, &e), 1);
	assert_int_equal(e->out_num, VQ_ELEM_MAX_IOV);
	vq_push(&f->vq, e, 0);
	expect_broken(f, pop(f, &e), -ENOBUFS, 1);
}

static void test_vq_pop_rejects_too_many_outstanding(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e[4], *extra;
	int i;

	fx_start(f, 4, 0);
	for (i = 0; i < 4; i++)
		gm_ring_add_direct(&f->r,
			&(struct gm_buf){ HEAP_GPA, 8, false }, 1);
	gm_ring_publish(&f->r);
	for (i = 0; i < 4; i++)
		assert_int_equal(pop(f, &e[i]), 1);
	assert_int_equal(f->vq.inflight, 4);
	/* a fifth chain while all four are held: reuses descriptor 0 */
	gm_ring_put(&f->r, 0);
	gm_ring_publish(&f->r);
	assert_int_equal(pop(f, &extra), -ENOSPC);
	assert_null(extra);
	assert_true(f->vq.broken);
	assert_false(vq_ready(&f->vq));
	assert_int_equal(gm_eventfd_read(f->err), 1);
	assert_int_equal(f->vq.last_avail, 4);
	assert_int_equal(f->vq.inflight, 4);
	assert_true(pop(f, &extra) < 0);
	assert_int_equal(gm_eventfd_read(f->err), 0);
}

static void test_vq_broken_until_reinitialised(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	fx_start(f, 8, 0);
	gm_ring_put(&f->r, 9);
	gm_ring_publish(&f->r);
	expect_broken(f, pop(f, &e), -EINVAL, 0);
	/* the frontend stops the ring, fixes it and sets the base again */
	assert_int_equal(vq_stop(&f->vq), 0);
	f->r.avail->ring[0] = 2;
	gm_ring_set_desc(&f->r, 2, HEAP_GPA, 8, 0, 0);
	assert_int_equal(vq_set_base(&f->vq, 0), 0);
	assert_false(f->vq.broken);
	f->vq.started = true;
	assert_int_equal(pop(f, &e), 1);
	assert_int_equal(e->head, 2);
}

/* ---- used ring ---- */

static void test_vq_push_clamps_len(void **state)
{
	struct fx *f = *state;
	struct gm_buf b[2];
	struct vq_elem *e;
	uint32_t id, len;

	fx_start(f, 8, 0);
	b[0] = buf_out(f, 10, 1);
	b[1] = buf_in(f, 20);
	gm_ring_add_direct(&f->r, b, 2);
	gm_ring_add_direct(&f->r, b, 1);   /* readable only */
	gm_ring_publish(&f->r);

	assert_int_equal(pop(f, &e), 1);
	vq_push(&f->vq, e, 1000);
	assert_true(gm_ring_get_used(&f->r, &id, &len));
	assert_int_equal(id, 0);
	assert_int_equal(len, 20);

	assert_int_equal(pop(f, &e), 1);
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

	fx_start(f, 4, 0);
	for (round = 0; round < 13; round++) {
		b.len = 64 + round;
		head = gm_ring_add_direct(&f->r, &b, 1);
		gm_ring_publish(&f->r);
		assert_int_equal(pop(f, &e), 1);
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

	fx_start(f, 4, 0);
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
		assert_int_equal(pop(f, &e), 1);
		vq_push(&f->vq, e, 0);
	}
	assert_int_equal(pop(f, &e), 0);
	assert_int_equal(f->vq.last_avail, 2);
	assert_int_equal(gm_ring_used_idx(&f->r), 2);
	assert_false(f->vq.broken);
}

/* Three popped, one completed, then GET_VRING_BASE: 3. */
static void stop_with_two_held(struct fx *f, struct vq_elem **e)
{
	struct gm_buf b = { HEAP_GPA, 8, true };
	int i;

	for (i = 0; i < 3; i++)
		gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	for (i = 0; i < 3; i++)
		assert_int_equal(pop(f, &e[i]), 1);
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

	fx_start(f, 4, 0);
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

	fx_start(f, 4, 0);
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

	fx_start(f, 4, 0);
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

	fx_start(f, 4, 0);
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
	assert_int_equal(pop(f, &e), 1);
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
	fx_start(f, 4, 0);
	stop_with_two_held(f, e);
	f->r.used->idx = 0;
	assert_int_equal(restart_same(f, 0), VQ_START_OTHER);
}

static void test_vq_restart_other_addresses_or_size(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e[3];

	/* same indices, other addresses */
	fx_start(f, 4, 0);
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

	fx_start(f, 4, 0);
	stop_with_two_held(f, e);
	vq_push(&f->vq, e[1], 0);
	vq_drop_held(&f->vq);
	assert_int_equal(f->vq.inflight, 0);
	assert_null(f->vq.parked);
	for (i = 0; i < 4; i++)
		assert_false(f->vq.elems[i].in_use);
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

	fx_start(f, 4, 0);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(pop(f, &e), 1);
	f->vq.enabled = false;
	vq_push(&f->vq, e, 1);
	assert_int_equal(gm_ring_used_idx(&f->r), 0);
	f->vq.enabled = true;
	vq_flush_parked(&f->vq);
	assert_int_equal(gm_ring_used_idx(&f->r), 1);
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
		assert_int_equal(pop(f, &e), 1);
		vq_push(&f->vq, e, 0);
	}
}

static void test_vq_notify_plain(void **state)
{
	struct fx *f = *state;

	fx_start(f, 8, 0);
	pop_push(f, 2);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);
	/* nothing pushed since: no second interrupt */
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);
}

/* A batch that only took buffers (an event queue keeping them) must not
 * interrupt the driver, also before the first notification and with
 * NOTIFY_ON_EMPTY or EVENT_IDX negotiated. */
static void test_vq_notify_nothing_pushed(void **state)
{
	struct fx *f = *state;
	struct vq_elem *e;

	struct gm_buf b = { HEAP_GPA, 8, true };

	fx_start(f, 8, F_EVENT_IDX | F_NOTIFY_ON_EMPTY);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(pop(f, &e), 1);   /* held, not pushed */
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
	vq_push(&f->vq, e, 0);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);
}

static void test_vq_has_avail_follows_the_ring(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 8, false };
	struct vq_elem *e;

	fx_start(f, 8, 0);
	assert_false(vq_has_avail(&f->vq));
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_true(vq_has_avail(&f->vq));
	f->vq.enabled = false;
	assert_false(vq_has_avail(&f->vq));   /* not ready: nothing to take */
	f->vq.enabled = true;
	assert_int_equal(pop(f, &e), 1);
	assert_false(vq_has_avail(&f->vq));
	vq_push(&f->vq, e, 0);
}

static void test_vq_notify_no_interrupt(void **state)
{
	struct fx *f = *state;

	fx_start(f, 8, 0);
	gm_ring_set_avail_flags(&f->r, VRING_AVAIL_F_NO_INTERRUPT);
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
	gm_ring_set_avail_flags(&f->r, 0);
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);
}

static void test_vq_notify_on_empty(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 8, false };
	struct vq_elem *e[2];

	fx_start(f, 8, F_NOTIFY_ON_EMPTY);
	gm_ring_set_avail_flags(&f->r, VRING_AVAIL_F_NO_INTERRUPT);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(pop(f, &e[0]), 1);
	assert_int_equal(pop(f, &e[1]), 1);
	/* avail ring drained but one element still held: suppressed */
	vq_push(&f->vq, e[0], 0);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
	/* out of buffers entirely: notify despite NO_INTERRUPT */
	vq_push(&f->vq, e[1], 0);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);
	/* none held, but one still available: suppressed */
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(pop(f, &e[0]), 1);
	vq_push(&f->vq, e[0], 0);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
	assert_int_equal(pop(f, &e[0]), 1);
	vq_push(&f->vq, e[0], 0);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);

	/* the same without NOTIFY_ON_EMPTY stays quiet */
	f->vq.notify_on_empty = false;
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
}

static void test_vq_event_idx_publishes_avail_event(void **state)
{
	struct fx *f = *state;
	struct gm_buf b = { HEAP_GPA, 8, false };
	struct vq_elem *e;
	int i;

	fx_start(f, 8, F_EVENT_IDX);
	gm_ring_set_avail_event(&f->r, 0x1234);
	for (i = 0; i < 3; i++)
		gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pop(f, &e), 1);
		vq_push(&f->vq, e, 0);
	}
	/* only written once the ring looks empty */
	assert_int_equal(gm_ring_avail_event(&f->r), 0x1234);
	assert_int_equal(pop(f, &e), 0);
	assert_int_equal(gm_ring_avail_event(&f->r), 3);
	/* the driver, seeing avail_event == 3, kicks for the next entry */
	gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_true(vring_need_event(gm_ring_avail_event(&f->r),
				     f->r.avail_idx, 3));
	assert_int_equal(pop(f, &e), 1);
	assert_int_equal(f->vq.last_avail, 4);
	/* without EVENT_IDX the word is never touched */
	f->vq.event_idx = false;
	gm_ring_set_avail_event(&f->r, 0x1234);
	assert_int_equal(pop(f, &e), 0);
	assert_int_equal(gm_ring_avail_event(&f->r), 0x1234);
}

static void test_vq_event_idx_notify_suppression(void **state)
{
	struct fx *f = *state;

	fx_start(f, 8, F_EVENT_IDX);
	/* NO_INTERRUPT is ignored with EVENT_IDX; first notify always fires */
	gm_ring_set_avail_flags(&f->r, VRING_AVAIL_F_NO_INTERRUPT);
	gm_ring_set_used_event(&f->r, 100);
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);
	/* the driver wants an interrupt once entry 5 has been used */
	gm_ring_set_used_event(&f->r, 5);
	pop_push(f, 1);                 /* used idx 2 */
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
	pop_push(f, 3);                 /* used idx 5 */
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
	pop_push(f, 1);                 /* used idx 6: crosses entry 5 */
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
	/* used_event already passed: quiet until it is moved again */
	pop_push(f, 2);                 /* used idx 8 */
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 0);
	gm_ring_set_used_event(&f->r, 8);
	pop_push(f, 1);                 /* used idx 9 */
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);
	/* a batch that jumps over used_event still notifies once */
	gm_ring_set_used_event(&f->r, 10);
	pop_push(f, 4);                 /* used idx 13 */
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);
}

static void test_vq_notify_without_call_fd(void **state)
{
	struct fx *f = *state;

	fx_start(f, 8, 0);
	f->vq.call_fd = -1;
	pop_push(f, 1);
	vq_notify(&f->vq);   /* must not crash; nothing to signal */
	f->vq.call_fd = f->call;
	assert_int_equal(calls(f), 0);
	pop_push(f, 1);
	vq_notify(&f->vq);
	assert_int_equal(calls(f), 1);
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

	fx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, b, 2);
	gm_ring_publish(&f->r);
	assert_int_equal(pop(f, &e), 1);
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

	fx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, b, 2);
	gm_ring_add_direct(&f->r, &ok, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(pop(f, &e), 1);
	assert_int_equal(pop(f, &e2), 1);

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

	fx_start(f, 8, 0);
	gm_region_desc(&f->gm, 0, &ra);
	assert_int_equal(mem_remove(&f->gm.mt, &ra), 0);
	assert_int_equal(vq_map(&f->vq), -EFAULT);
	assert_null(f->vq.desc);
	assert_false(vq_ready(&f->vq));
	assert_int_equal(pop(f, &e), 0);
	assert_null(e);
	/* and back */
	assert_int_equal(mem_add(&f->gm.mt, &ra, f->gm.reg[0].fd), 0);
	assert_int_equal(vq_map(&f->vq), 0);
	assert_true(vq_ready(&f->vq));
	assert_ptr_equal(f->vq.desc, gm_host(&f->gm, RING_GPA));
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

	fx_start(f, 8, 0);
	gm_ring_add_direct(&f->r, &b, 1);
	h1 = gm_ring_add_direct(&f->r, &b, 1);
	gm_ring_publish(&f->r);
	assert_int_equal(pop(f, &e[0]), 1);
	assert_int_equal(pop(f, &e[1]), 1);
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

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

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
		T(test_vq_push_clamps_len),
		T(test_vq_push_ring_wraps),
		T(test_vq_base_wraps_16bit),
		T(test_vq_stop_keeps_held),
		T(test_vq_push_while_stopped_parks),
		T(test_vq_restart_continues_used_idx_from_ring),
		T(test_vq_used_idx_read_from_ring),
		T(test_vq_restart_other_ring),
		T(test_vq_restart_other_addresses_or_size),
		T(test_vq_drop_held_releases_parked),
		T(test_vq_push_while_disabled_parks),
		T(test_vq_map_unmapped_ring_parks),
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
