/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Test helper: a fake guest memory (memfd-backed regions registered into a
 * struct mem_table, each also mapped a second time as the "driver" view)
 * and a split-ring builder that plays the driver side of a virtqueue.
 *
 * Every region is registered with uva = gpa + GM_UVA_OFFSET so that mixing
 * up the two address spaces shows up in tests. */
#ifndef VD_TEST_GUESTMEM_H
#define VD_TEST_GUESTMEM_H

#include <stdbool.h>
#include <stdint.h>
#include "vhost/mem.h"
#include "vhost/proto.h"

#define GM_MAX_REGIONS 8
#define GM_UVA_OFFSET  0x7f0000000000ull

struct guestmem {
	struct mem_table mt;          /* the backend's table */
	unsigned n;
	struct gm_region {
		uint64_t gpa, size;
		int fd;               /* memfd, owned */
		void *drv;            /* driver view of the whole memfd */
	} reg[GM_MAX_REGIONS];
};

static inline uint64_t gm_uva(uint64_t gpa) { return gpa + GM_UVA_OFFSET; }

/* memfd of size bytes (zeroed); -errno on failure. */
int gm_memfd(uint64_t size);

void gm_init(struct guestmem *g);
/* Create a memfd of size bytes, register [gpa, gpa+size) with uva
 * gm_uva(gpa) and offset 0, and map a driver view.  0 or -errno. */
int gm_add_region(struct guestmem *g, uint64_t gpa, uint64_t size);
/* Describe region i (as registered by gm_add_region). */
void gm_region_desc(const struct guestmem *g, unsigned i,
		    struct vhost_user_region *out);
/* Driver-side pointer to [gpa, gpa+len) if inside one region, else NULL. */
void *gm_ptr(const struct guestmem *g, uint64_t gpa, uint64_t len);
/* Backend-side pointer for gpa (through g->mt), NULL if unmapped. */
void *gm_host(const struct guestmem *g, uint64_t gpa);
/* Unmap everything (backend table and driver views), close the memfds. */
void gm_free(struct guestmem *g);

/* Nonblocking eventfd; read and reset its counter (0 if not signalled). */
int gm_eventfd(void);
uint64_t gm_eventfd_read(int fd);

/* ---- split ring, driver side ---- */
struct gm_buf {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

struct gm_ring {
	struct guestmem *gm;
	unsigned num;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct vring_desc *desc;      /* driver views */
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx;           /* next avail slot (published or not) */
	uint16_t used_seen;           /* next used entry to read */
	uint16_t next_desc;           /* descriptor allocator (wraps) */
	uint64_t heap_next, heap_end; /* bump allocator for buffers/tables */
};

/* Lay out desc/avail/used (with event words) for num entries at ring_gpa
 * and zero them; [heap_gpa, heap_gpa+heap_size) serves gm_alloc.  The
 * memory must exist in gm.  0 or -EINVAL. */
int gm_ring_init(struct gm_ring *r, struct guestmem *gm, unsigned num,
		 uint64_t ring_gpa, uint64_t heap_gpa, uint64_t heap_size);
/* The frontend's SET_VRING_ADDR payload for this ring (UVAs). */
void gm_ring_addr(const struct gm_ring *r, unsigned index,
		  struct vhost_vring_addr *a);
/* size bytes of guest memory, 16-aligned and zeroed; 0 when exhausted. */
uint64_t gm_alloc(struct gm_ring *r, uint64_t size);

/* Raw descriptor write (driver view). */
void gm_ring_set_desc(struct gm_ring *r, uint16_t i, uint64_t addr,
		      uint32_t len, uint16_t flags, uint16_t next);
/* Write n buffers as a direct chain into the next free descriptors and
 * put its head into the avail ring (not yet published).  Returns head. */
int gm_ring_add_direct(struct gm_ring *r, const struct gm_buf *b, unsigned n);
/* Write n buffers into an indirect table allocated from the heap and one
 * INDIRECT descriptor pointing at it; put the head into the avail ring.
 * *table_gpa (if not NULL) receives the table's address.  Returns head. */
int gm_ring_add_indirect(struct gm_ring *r, const struct gm_buf *b,
			 unsigned n, uint64_t *table_gpa);
/* Put head into the next avail slot (not yet published). */
void gm_ring_put(struct gm_ring *r, uint16_t head);
/* Publish all put entries: release barrier, then avail->idx. */
void gm_ring_publish(struct gm_ring *r);
/* Raw avail->idx store (for bogus values). */
void gm_ring_set_avail_idx(struct gm_ring *r, uint16_t idx);
void gm_ring_set_avail_flags(struct gm_ring *r, uint16_t flags);
/* used_event lives at avail->ring[num], avail_event at used->ring[num]. */
void gm_ring_set_used_event(struct gm_ring *r, uint16_t v);
uint16_t gm_ring_avail_event(const struct gm_ring *r);
/* Overwrite avail_event as a stale or hostile value would. */
void gm_ring_set_avail_event(struct gm_ring *r, uint16_t v);
uint16_t gm_ring_used_idx(const struct gm_ring *r);
/* Next used entry not read yet: true with id and len set, false if none. */
bool gm_ring_get_used(struct gm_ring *r, uint32_t *id, uint32_t *len);

#endif
