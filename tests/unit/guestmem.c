/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Test helper: fake guest memory and a driver-side split ring builder. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guestmem.h"

int gm_memfd(uint64_t size)
{
	int fd = memfd_create("vd-test-guestmem", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void gm_init(struct guestmem *g)
{
	memset(g, 0, sizeof(*g));
}

void gm_region_desc(const struct guestmem *g, unsigned i,
		    struct vhost_user_region *out)
{
	memset(out, 0, sizeof(*out));
	if (i >= g->n)
		return;
	out->guest_phys_addr = g->reg[i].gpa;
	out->memory_size = g->reg[i].size;
	out->userspace_addr = gm_uva(g->reg[i].gpa);
	out->mmap_offset = 0;
}

int gm_add_region(struct guestmem *g, uint64_t gpa, uint64_t size)
{
	struct gm_region *gr;
	struct vhost_user_region desc;
	void *drv;
	int fd, ret;

	if (g->n >= GM_MAX_REGIONS)
		return -ENOSPC;
	fd = gm_memfd(size);
	if (fd < 0)
		return fd;
	drv = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (drv == MAP_FAILED) {
		ret = -errno;
		close(fd);
		return ret;
	}
	desc.guest_phys_addr = gpa;
	desc.memory_size = size;
	desc.userspace_addr = gm_uva(gpa);
	desc.mmap_offset = 0;
	ret = mem_add(&g->mt, &desc, fd);
	if (ret < 0) {
		munmap(drv, (size_t)size);
		close(fd);
		return ret;
	}
	gr = &g->reg[g->n++];
	gr->gpa = gpa;
	gr->size = size;
	gr->fd = fd;
	gr->drv = drv;
	return 0;
}

void *gm_ptr(const struct guestmem *g, uint64_t gpa, uint64_t len)
{
	unsigned i;

	for (i = 0; i < g->n; i++) {
		const struct gm_region *gr = &g->reg[i];

		if (gpa < gr->gpa || gpa - gr->gpa >= gr->size)
			continue;
		if (len > gr->size - (gpa - gr->gpa))
			return NULL;
		return (uint8_t *)gr->drv + (gpa - gr->gpa);
	}
	return NULL;
}

void *gm_host(const struct guestmem *g, uint64_t gpa)
{
	uint64_t len = 1;

	return mem_translate(&g->mt, MEM_GPA, gpa, &len);
}

void gm_free(struct guestmem *g)
{
	unsigned i;

	mem_clear(&g->mt);
	for (i = 0; i < g->n; i++) {
		munmap(g->reg[i].drv, (size_t)g->reg[i].size);
		close(g->reg[i].fd);
	}
	memset(g, 0, sizeof(*g));
}

int gm_eventfd(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

uint64_t gm_eventfd_read(int fd)
{
	uint64_t v = 0;

	if (fd < 0 || read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

/* ---- split ring ---- */

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int gm_ring_init(struct gm_ring *r, struct guestmem *gm, unsigned num,
		 uint64_t ring_gpa, uint64_t heap_gpa, uint64_t heap_size)
{
	memset(r, 0, sizeof(*r));
	if (num == 0 || num > 32768 || (num & (num - 1)) || (ring_gpa & 15))
		return -EINVAL;
	r->gm = gm;
	r->num = num;
	r->desc_gpa = ring_gpa;
	r->avail_gpa = ring_gpa + vring_desc_size(num);
	r->used_gpa = align_up(r->avail_gpa + vring_avail_size(num), 4);
	r->desc = gm_ptr(gm, r->desc_gpa, vring_desc_size(num));
	r->avail = gm_ptr(gm, r->avail_gpa, vring_avail_size(num));
	r->used = gm_ptr(gm, r->used_gpa, vring_used_size(num));
	if (!r->desc || !r->avail || !r->used)
		return -EINVAL;
	memset(r->desc, 0, vring_desc_size(num));
	memset(r->avail, 0, vring_avail_size(num));
	memset(r->used, 0, vring_used_size(num));
	r->heap_next = align_up(heap_gpa, 16);
	r->heap_end = heap_gpa + heap_size;
	if (heap_size && !gm_ptr(gm, heap_gpa, heap_size))
		return -EINVAL;
	return 0;
}

void gm_ring_addr(const struct gm_ring *r, unsigned index,
		  struct vhost_vring_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->index = index;
	a->desc_user_addr = gm_uva(r->desc_gpa);
	a->avail_user_addr = gm_uva(r->avail_gpa);
	a->used_user_addr = gm_uva(r->used_gpa);
}

uint64_t gm_alloc(struct gm_ring *r, uint64_t size)
{
	uint64_t at = r->heap_next;
	void *p;

	if (size == 0 || size > r->heap_end - at)
		return 0;
	p = gm_ptr(r->gm, at, size);
	if (!p)
		return 0;
	memset(p, 0, (size_t)size);
	r->heap_next = align_up(at + size, 16);
	if (r->heap_next > r->heap_end)
		r->heap_next = r->heap_end;
	return at;
}

void gm_ring_set_desc(struct gm_ring *r, uint16_t i, uint64_t addr,
		      uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = &r->desc[i % r->num];

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

void gm_ring_put(struct gm_ring *r, uint16_t head)
{
	r->avail->ring[r->avail_idx % r->num] = head;
	r->avail_idx++;
}

void gm_ring_publish(struct gm_ring *r)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&r->avail->idx, r->avail_idx, __ATOMIC_RELAXED);
}

void gm_ring_set_avail_idx(struct gm_ring *r, uint16_t idx)
{
	__atomic_store_n(&r->avail->idx, idx, __ATOMIC_RELEASE);
}

void gm_ring_set_avail_flags(struct gm_ring *r, uint16_t flags)
{
	__atomic_store_n(&r->avail->flags, flags, __ATOMIC_RELEASE);
}

int gm_ring_add_direct(struct gm_ring *r, const struct gm_buf *b, unsigned n)
{
	uint16_t head = r->next_desc, cur = head;
	unsigned i;

	if (n == 0 || n > r->num)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		uint16_t next = (uint16_t)((cur + 1) % r->num);
		uint16_t flags = b[i].write ? VRING_DESC_F_WRITE : 0;

		if (i + 1 < n)
			flags |= VRING_DESC_F_NEXT;
		gm_ring_set_desc(r, cur, b[i].gpa, b[i].len, flags,
				 i + 1 < n ? next : 0);
		cur = next;
	}
	r->next_desc = cur;
	gm_ring_put(r, head);
	return head;
}

int gm_ring_add_indirect(struct gm_ring *r, const struct gm_buf *b,
			 unsigned n, uint64_t *table_gpa)
{
	uint64_t tgpa = gm_alloc(r, 16ull * n);
	struct vring_desc *t;
	uint16_t head = r->next_desc;
	unsigned i;

	if (n == 0 || !tgpa)
		return -ENOMEM;
	t = gm_ptr(r->gm, tgpa, 16ull * n);
	for (i = 0; i < n; i++) {
		t[i].addr = b[i].gpa;
		t[i].len = b[i].len;
		t[i].flags = (uint16_t)((b[i].write ? VRING_DESC_F_WRITE : 0) |
					(i + 1 < n ? VRING_DESC_F_NEXT : 0));
		t[i].next = (uint16_t)(i + 1 < n ? i + 1 : 0);
	}
	gm_ring_set_desc(r, head, tgpa, (uint32_t)(16 * n),
			 VRING_DESC_F_INDIRECT, 0);
	r->next_desc = (uint16_t)((head + 1) % r->num);
	gm_ring_put(r, head);
	if (table_gpa)
		*table_gpa = tgpa;
	return head;
}

void gm_ring_set_used_event(struct gm_ring *r, uint16_t v)
{
	__atomic_store_n(&r->avail->ring[r->num], v, __ATOMIC_RELEASE);
}

uint16_t gm_ring_avail_event(const struct gm_ring *r)
{
	return __atomic_load_n((uint16_t *)&r->used->ring[r->num],
			       __ATOMIC_ACQUIRE);
}

void gm_ring_set_avail_event(struct gm_ring *r, uint16_t v)
{
	__atomic_store_n((uint16_t *)&r->used->ring[r->num], v,
			 __ATOMIC_RELEASE);
}

uint16_t gm_ring_used_idx(const struct gm_ring *r)
{
	return __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE);
}

bool gm_ring_get_used(struct gm_ring *r, uint32_t *id, uint32_t *len)
{
	const struct vring_used_elem *u;

	if (gm_ring_used_idx(r) == r->used_seen)
		return false;
	u = &r->used->ring[r->used_seen % r->num];
	*id = u->id;
	*len = u->len;
	r->used_seen++;
	return true;
}
