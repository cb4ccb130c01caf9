/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The virtqueue unit tests' fixture (vqfx.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/log.h"
#include "vqfx.h"

int vqfx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	gm_init(&f->gm);
	f->call = f->err = -1;
	vq_init(&f->vq, 3, VQ_MAX_SIZE, VQFX_CHAIN, &f->gm.mt);
	log_set_level(LOG_ERROR);   /* broken-queue warnings are expected */
	*state = f;
	return 0;
}

int vqfx_teardown(void **state)
{
	struct fx *f = *state;

	vq_reset(&f->vq);   /* closes call/err */
	gm_free(&f->gm);
	free(f);
	return 0;
}

void vqfx_start(struct fx *f, unsigned num, unsigned feat)
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

struct gm_buf vqfx_buf_out(struct fx *f, uint32_t len, uint8_t fill)
{
	struct gm_buf b = { gm_alloc(&f->r, len), len, false };

	assert_true(b.gpa != 0);
	memset(gm_ptr(&f->gm, b.gpa, len), fill, len);
	return b;
}

struct gm_buf vqfx_buf_in(struct fx *f, uint32_t len)
{
	struct gm_buf b = { gm_alloc(&f->r, len), len, true };

	assert_true(b.gpa != 0);
	return b;
}

uint64_t vqfx_calls(struct fx *f)
{
	return gm_eventfd_read(f->call);
}

int vqfx_pop(struct fx *f, struct vq_elem **e)
{
	*e = NULL;
	return vq_pop(&f->vq, e);
}

