/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Test helper: the fixture of the virtqueue unit tests (test_vq*.c):
 * guest memory with a ring, and a vq on it whose elements keep
 * VQFX_CHAIN descriptors inline (longer chains take grown storage). */
#ifndef VD_TEST_VQFX_H
#define VD_TEST_VQFX_H

#include <stdint.h>
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

#define VQFX_CHAIN 2

enum { F_INDIRECT = 1, F_EVENT_IDX = 2, F_NOTIFY_ON_EMPTY = 4 };

struct fx {
	struct guestmem gm;
	struct gm_ring r;
	struct vq vq;
	int call, err;
};

/* cmocka setup/teardown: an unconfigured vq (index 3) over empty memory */
int vqfx_setup(void **state);
int vqfx_teardown(void **state);
/* Memory, ring of num entries, a started/enabled queue with eventfds. */
void vqfx_start(struct fx *f, unsigned num, unsigned feat);
/* A heap buffer filled with a byte pattern / a writable one. */
struct gm_buf vqfx_buf_out(struct fx *f, uint32_t len, uint8_t fill);
struct gm_buf vqfx_buf_in(struct fx *f, uint32_t len);
/* Interrupts signalled since the last call. */
uint64_t vqfx_calls(struct fx *f);
/* vq_pop with *e cleared first. */
int vqfx_pop(struct fx *f, struct vq_elem **e);

#endif
