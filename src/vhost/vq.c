/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Split virtqueue, device side.  See vq.h for the rules enforced. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "common/log.h"
#include "vhost/efd.h"
#include "vhost/vq.h"

#define compiler_barrier() __asm__ __volatile__("" ::: "memory")

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* never blocks, whatever the frontend did to the fd (efd.h) */
static void signal_fd(int fd)
{
	if (fd >= 0)
		efd_signal(fd);
}

/* The full-size storage of a grown element: seg[] then iov[] */
struct elem_big {
	struct vq_seg seg[VQ_ELEM_MAX_DESC];
	struct iovec iov[VQ_ELEM_MAX_IOV];
};

static void pool_free(struct vq *vq)
{
	unsigned i;

	for (i = 0; i < vq->fresh; i++) {
		struct vq_elem *e = vq_elem_at(vq, i);

		if (e->grown)
			free(e->seg);
	}
	if (vq->pool)
		munmap(vq->pool, vq->pool_len);
	vq->pool = NULL;
	vq->pool_len = 0;
	vq->fresh = 0;
	vq->free_list = NULL;
}

static void elem_clear(struct vq_elem *e)
{
	e->in_use = false;
	e->parked = false;
	e->nseg = 0;
	e->out_num = e->in_num = 0;
	e->out_len = e->in_len = 0;
	e->out = e->in = e->iov;
}

/* Put every element of the pool on the free list (held and parked
 * elements included).  Only elements set up so far are touched. */
static void pool_release_all(struct vq *vq)
{
	unsigned i;

	vq->free_list = NULL;
	vq->parked = vq->parked_tail = NULL;
	vq->inflight = 0;
	for (i = vq->fresh; i-- > 0;) {
		struct vq_elem *e = vq_elem_at(vq, i);

		elem_clear(e);
		e->next_free = vq->free_list;
		vq->free_list = e;
	}
}

/* The next free element, setting up a new one from the pool if none is
 * free; NULL if all num are taken. */
static struct vq_elem *pool_next(struct vq *vq)
{
	struct vq_elem *e;

	if (vq->free_list || vq->fresh >= vq->num)
		return vq->free_list;
	e = vq_elem_at(vq, vq->fresh++);
	/* the pool is mapped zeroed: only the storage needs pointing at */
	e->cap = vq->chain;
	e->seg = (struct vq_seg *)(e + 1);
	e->iov = (struct iovec *)(e->seg + vq->chain);
	elem_clear(e);
	e->next_free = NULL;
	vq->free_list = e;
	return e;
}

/* Move e to full-size storage, keeping its segments.  0 or -ENOMEM. */
static int elem_grow(struct vq_elem *e)
{
	struct elem_big *b;

	if (e->grown)
		return -ENOBUFS;
	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	memcpy(b->seg, e->seg, e->nseg * sizeof(*e->seg));
	e->seg = b->seg;
	e->iov = b->iov;
	e->out = e->in = e->iov;
	e->cap = VQ_ELEM_MAX_DESC;
	e->grown = true;
	return 0;
}

/* Read used->idx: what the ring really holds.  Completions continue from
 * there, whatever base the frontend gave. */
static void sync_used_idx(struct vq *vq)
{
	vq->used_idx = __atomic_load_n(&vq->used->idx, __ATOMIC_RELAXED);
	vq->signalled_used = vq->used_idx;
	vq->signalled_valid = false;
}

void vq_init(struct vq *vq, unsigned index, uint16_t max_size, unsigned chain,
	     const struct mem_table *mem)
{
	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->max_size = max_size > VQ_MAX_SIZE ? VQ_MAX_SIZE : max_size;
	if (chain == 0)
		chain = VQ_CHAIN_DEFAULT;
	vq->chain = chain > VQ_ELEM_MAX_DESC ? VQ_ELEM_MAX_DESC : chain;
	vq->mem = mem;
	vq->kick_fd = vq->call_fd = vq->err_fd = -1;
}

void vq_reset(struct vq *vq)
{
	unsigned index = vq->index;
	uint16_t max_size = vq->max_size;
	unsigned chain = vq->chain;
	const struct mem_table *mem = vq->mem;
	uint32_t nbroken = vq->nbroken;

	close_fd(&vq->kick_fd);
	close_fd(&vq->call_fd);
	close_fd(&vq->err_fd);
	pool_free(vq);
	vq_init(vq, index, max_size, chain, mem);
	vq->nbroken = nbroken;
}

int vq_set_num(struct vq *vq, unsigned num)
{
	size_t stride, len;
	void *pool;

	if (vq->started)
		return -EBUSY;
	if (num == 0 || num > vq->max_size || num > VQ_MAX_SIZE ||
	    (num & (num - 1)))
		return -EINVAL;
	if (vq->pool && num == vq->num) {
		/* the same ring size again (a restart): the pool, and what
		 * is held from it, stays */
		vq->broken = false;
		vq->signalled_valid = false;
		return 0;
	}
	if (vq->inflight)
		return -EBUSY;

	/* mapped, not malloc'd: pages no element has used stay unbacked */
	stride = sizeof(struct vq_elem) +
		 vq->chain * (sizeof(struct vq_seg) + sizeof(struct iovec));
	len = num * stride;
	pool = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		return -ENOMEM;
	pool_free(vq);
	vq->pool = pool;
	vq->pool_len = len;
	vq->pool_stride = stride;
	vq->num = (uint16_t)num;
	pool_release_all(vq);
	vq->broken = false;
	vq->signalled_valid = false;
	/* ring sizes depend on num */
	if (vq->addr_set)
		vq_map(vq);
	return 0;
}

int vq_set_addr(struct vq *vq, const struct vhost_vring_addr *a)
{
	if ((a->desc_user_addr & 15) || (a->avail_user_addr & 1) ||
	    (a->used_user_addr & 3))
		return -EINVAL;
	vq->desc_uva = a->desc_user_addr;
	vq->avail_uva = a->avail_user_addr;
	vq->used_uva = a->used_user_addr;
	vq->addr_set = true;
	vq->broken = false;
	vq->signalled_valid = false;
	vq_map(vq);
	return 0;
}

int vq_set_base(struct vq *vq, uint16_t base)
{
	if (vq->started)
		return -EBUSY;
	vq->last_avail = base;
	if (vq->used) {
		sync_used_idx(vq);
	} else {
		/* read from the ring once it is mapped */
		vq->used_idx = base;
		vq->signalled_used = base;
		vq->signalled_valid = false;
	}
	vq->broken = false;
	return 0;
}

/* Build e's iovecs from its recorded segments, moving it to full-size
 * storage if they need more iovecs than it has.  Returns 0, -EFAULT,
 * -ENOBUFS or -ENOMEM (the element is then left with no buffers). */
static int elem_translate(const struct vq *vq, struct vq_elem *e)
{
	unsigned i, niov = 0, out_num = 0;
	uint64_t out_len = 0, in_len = 0;

	for (i = 0; i < e->nseg; i++) {
		const struct vq_seg *s = &e->seg[i];
		int n = mem_to_iov(vq->mem, MEM_GPA, s->addr, s->len,
				   e->iov + niov, e->cap - niov);

		if (n == -ENOBUFS && !e->grown) {
			n = elem_grow(e);
			if (n == 0)
				return elem_translate(vq, e);
		}
		if (n < 0) {
			e->out_num = e->in_num = 0;
			e->out_len = e->in_len = 0;
			e->out = e->in = e->iov;
			return n;
		}
		niov += (unsigned)n;
		if (s->write) {
			in_len += s->len;
		} else {
			out_num = niov;
			out_len += s->len;
		}
	}
	e->out = e->iov;
	e->out_num = (uint16_t)out_num;
	e->in = e->iov + out_num;
	e->in_num = (uint16_t)(niov - out_num);
	/* at most 64 segments of < 4 GiB each: saturate, never wrap */
	e->out_len = out_len > UINT32_MAX ? UINT32_MAX : (uint32_t)out_len;
	e->in_len = in_len > UINT32_MAX ? UINT32_MAX : (uint32_t)in_len;
	return 0;
}

int vq_map(struct vq *vq)
{
	int ret = 0;
	unsigned i;

	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	if (vq->num && vq->addr_set) {
		struct vring_desc *d;
		struct vring_avail *a;
		struct vring_used *u;

		d = mem_contig(vq->mem, MEM_UVA, vq->desc_uva,
			       vring_desc_size(vq->num));
		a = mem_contig(vq->mem, MEM_UVA, vq->avail_uva,
			       vring_avail_size(vq->num));
		u = mem_contig(vq->mem, MEM_UVA, vq->used_uva,
			       vring_used_size(vq->num));
		/* the frontend's addresses are aligned (vq_set_addr), but a
		 * region may map them to host addresses that are not: the
		 * ring words are accessed atomically, so refuse that */
		if (((uintptr_t)d & 15) || ((uintptr_t)a & 1) || ((uintptr_t)u & 3))
			d = NULL;
		if (d && a && u) {
			vq->desc = d;
			vq->avail = a;
			vq->used = u;
			sync_used_idx(vq);
		} else {
			ret = -EFAULT;
		}
	}

	for (i = 0; i < vq->fresh; i++) {
		struct vq_elem *e = vq_elem_at(vq, i);

		if (e->in_use && elem_translate(vq, e) < 0)
			log_bad("queue %u: held buffer %u no longer in guest memory",
				vq->index, e->head);
	}
	return ret;
}

uint16_t vq_stop(struct vq *vq)
{
	if (vq->started) {
		vq->stopped = (struct vq_stop_rec){
			.valid = true,
			.num = vq->num,
			.avail = vq->last_avail,
			.used = vq->used_idx,
			.desc_uva = vq->desc_uva,
			.avail_uva = vq->avail_uva,
			.used_uva = vq->used_uva,
		};
	}
	vq->started = false;
	vq->kick_pending = false;
	return vq->last_avail;
}

enum vq_start_kind vq_start(struct vq *vq)
{
	const struct vq_stop_rec *s = &vq->stopped;
	bool was_stopped = s->valid;

	if (vq->started)
		return VQ_START_RUNNING;
	vq->started = true;
	vq->stopped.valid = false;
	/* used_idx was read from the ring when it was mapped (vq_map) */
	if (!was_stopped)
		return VQ_START_NEW;
	if (vq->used && s->num == vq->num && s->desc_uva == vq->desc_uva &&
	    s->avail_uva == vq->avail_uva && s->used_uva == vq->used_uva &&
	    s->avail == vq->last_avail && s->used == vq->used_idx)
		return VQ_START_RESUMED;
	return VQ_START_OTHER;
}

void vq_drop_held(struct vq *vq)
{
	pool_release_all(vq);
	vq->stopped.valid = false;
}

/* Write one completion into the used ring (mapped and running). */
static void publish(struct vq *vq, struct vq_elem *e, uint32_t len)
{
	struct vring_used_elem *u = &vq->used->ring[vq->used_idx & (vq->num - 1)];

	__atomic_store_n(&u->id, (uint32_t)e->head, __ATOMIC_RELAXED);
	__atomic_store_n(&u->len, len, __ATOMIC_RELAXED);
	/* the entry must be visible before the index that covers it */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&vq->used->idx, (uint16_t)(vq->used_idx + 1),
			 __ATOMIC_RELAXED);
	vq->used_idx++;

	elem_clear(e);
	e->next_free = vq->free_list;
	vq->free_list = e;
	if (vq->inflight)
		vq->inflight--;
}

/* Completions may be written: started, enabled (a disabled ring supplies
 * nothing to the driver) and mapped. */
static bool ring_runs(const struct vq *vq)
{
	return vq->started && vq->enabled && vq->used;
}

void vq_flush_parked(struct vq *vq)
{
	while (vq->parked && ring_runs(vq)) {
		struct vq_elem *e = vq->parked;

		vq->parked = e->next_free;
		if (!vq->parked)
			vq->parked_tail = NULL;
		publish(vq, e, e->done_len);
	}
}

bool vq_ready(const struct vq *vq)
{
	return vq->num && vq->desc && vq->avail && vq->used && vq->pool &&
	       vq->started && vq->enabled && !vq->broken;
}

void vq_signal_call(struct vq *vq)
{
	signal_fd(vq->call_fd);
}

void vq_set_broken(struct vq *vq, const char *why)
{
	vq->broken = true;
	vq->nbroken++;
	log_bad("queue %u: %s; queue stopped until re-initialised",
		vq->index, why);
	signal_fd(vq->err_fd);
}

static uint16_t read_avail_idx(const struct vq *vq)
{
	uint16_t idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_RELAXED);

	/* ring entries (and descriptors) are read after idx */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return idx;
}

/* avail_event: the le16 right after used->ring[num - 1] */
static uint16_t *avail_event_ptr(const struct vq *vq)
{
	return (uint16_t *)((uint8_t *)vq->used +
			    offsetof(struct vring_used, ring) +
			    sizeof(struct vring_used_elem) * vq->num);
}

static uint16_t *used_event_ptr(const struct vq *vq)
{
	return &vq->avail->ring[vq->num];
}

/* Copy one descriptor out of guest memory; checks use only the copy.
 * table is the ring's descriptor table, or NULL for an indirect table at
 * guest address ind (read one descriptor at a time, so a table may span
 * adjacent regions).  false if the descriptor is not mapped. */
static bool read_desc(const struct vq *vq, struct vring_desc *dst,
		      const struct vring_desc *table, uint64_t ind, unsigned i)
{
	const void *src = table ? (const void *)&table[i] :
		mem_contig(vq->mem, MEM_GPA, ind + 16ull * i, sizeof(*dst));

	if (!src)
		return false;
	memcpy(dst, src, sizeof(*dst));
	compiler_barrier();
	return true;
}

/* Every byte of [addr, addr+len) is guest memory (len > 0). */
static bool range_mapped(const struct mem_table *m, uint64_t addr,
			 uint64_t len)
{
	if (addr + (len - 1) < addr)
		return false;
	while (len) {
		uint64_t piece = len;

		if (!mem_translate(m, MEM_GPA, addr, &piece) || !piece)
			return false;
		addr += piece;
		len -= piece;
	}
	return true;
}

struct walk_err {
	int err;
	const char *why;
};

static int walk_fail(struct walk_err *w, int err, const char *why)
{
	w->err = err;
	w->why = why;
	return err;
}

/* Walk the chain at head into e. */
static int walk_chain(struct vq *vq, uint16_t head, struct vq_elem *e,
		      struct walk_err *w)
{
	const struct vring_desc *table = vq->desc;
	uint64_t ind = 0;
	unsigned tsize = vq->num;
	unsigned i = head, visited = 0;
	bool indirect = false, seen_write = false;
	struct vring_desc d;
	int n;

	e->nseg = 0;
	for (;;) {
		/* more descriptors visited than the table holds: a loop */
		if (++visited > tsize)
			return walk_fail(w, -ELOOP, "descriptor chain loops");
		if (!read_desc(vq, &d, table, ind, i))
			return walk_fail(w, -EFAULT,
				"indirect table not in guest memory");

		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!vq->indirect)
				return walk_fail(w, -EINVAL,
					"indirect descriptor without INDIRECT_DESC");
			if (indirect)
				return walk_fail(w, -EINVAL,
					"nested indirect descriptor");
			if (d.flags & VRING_DESC_F_NEXT)
				return walk_fail(w, -EINVAL,
					"indirect descriptor with NEXT");
			if (d.len == 0 || (d.len % sizeof(struct vring_desc)))
				return walk_fail(w, -EINVAL,
					"indirect table length invalid");
			if (d.addr + (d.len - 1) < d.addr)
				return walk_fail(w, -EFAULT,
					"indirect table address wraps");
			if (!range_mapped(vq->mem, d.addr, d.len))
				return walk_fail(w, -EFAULT,
					"indirect table not in guest memory");
			table = NULL;
			ind = d.addr;
			tsize = d.len / sizeof(struct vring_desc);
			indirect = true;
			visited = 0;
			i = 0;
			continue;
		}

		if (e->nseg >= e->cap) {
			n = elem_grow(e);
			if (n == -ENOMEM)
				return walk_fail(w, -ENOMEM,
					"no memory for a long descriptor chain");
			if (n < 0)
				return walk_fail(w, -E2BIG,
					"descriptor chain too long");
		}
		if (d.flags & VRING_DESC_F_WRITE)
			seen_write = true;
		else if (seen_write)
			return walk_fail(w, -EINVAL,
				"device-readable buffer after a writable one");
		if (d.len && d.addr + (d.len - 1) < d.addr)
			return walk_fail(w, -EFAULT, "buffer address wraps");
		e->seg[e->nseg].addr = d.addr;
		e->seg[e->nseg].len = d.len;
		e->seg[e->nseg].write = !!(d.flags & VRING_DESC_F_WRITE);
		e->nseg++;

		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		if (d.next >= tsize)
			return walk_fail(w, -EINVAL,
				"next descriptor index out of range");
		i = d.next;
	}

	e->head = head;
	/* the segments become the element's iovecs in one place, the same
	 * that re-translates held elements after a memory change */
	n = elem_translate(vq, e);
	if (n == -ENOBUFS)
		return walk_fail(w, -ENOBUFS, "buffer needs too many iovecs");
	if (n == -ENOMEM)
		return walk_fail(w, -ENOMEM, "no memory for a buffer in many pieces");
	if (n < 0)
		return walk_fail(w, -EFAULT, "buffer not in guest memory");
	return 0;
}

bool vq_has_avail(const struct vq *vq)
{
	return vq_ready(vq) && read_avail_idx(vq) != vq->last_avail;
}

int vq_pop(struct vq *vq, struct vq_elem **e)
{
	struct walk_err w = { 0, NULL };
	struct vq_elem *el;
	uint16_t avail_idx, pending, head;
	int ret;

	*e = NULL;
	if (vq->broken)
		return -EIO;
	if (!vq_ready(vq))
		return 0;

	avail_idx = read_avail_idx(vq);
	pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending == 0 && vq->event_idx) {
		/* Ask for a kick at the next entry, then look again: the
		 * driver may have added one before seeing avail_event. */
		__atomic_store_n(avail_event_ptr(vq), vq->last_avail,
				 __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = read_avail_idx(vq);
		pending = (uint16_t)(avail_idx - vq->last_avail);
	}
	if (pending > vq->num) {
		vq_set_broken(vq, "avail index too far ahead");
		return -EINVAL;
	}
	if (pending == 0)
		return 0;

	if (vq->inflight >= vq->num || !pool_next(vq)) {
		vq_set_broken(vq, "more buffers outstanding than the ring size");
		return -ENOSPC;
	}

	head = __atomic_load_n(&vq->avail->ring[vq->last_avail & (vq->num - 1)],
			       __ATOMIC_RELAXED);
	if (head >= vq->num) {
		vq_set_broken(vq, "head descriptor index out of range");
		return -EINVAL;
	}

	el = vq->free_list;
	ret = walk_chain(vq, head, el, &w);
	if (ret < 0) {
		elem_clear(el);
		vq_set_broken(vq, w.why);
		return ret;
	}
	vq->free_list = el->next_free;
	el->next_free = NULL;
	el->in_use = true;
	vq->last_avail++;
	vq->inflight++;
	*e = el;
	return 1;
}

/* e is an element of vq's pool */
static bool pool_has(const struct vq *vq, const struct vq_elem *e)
{
	uintptr_t off = (uintptr_t)e - (uintptr_t)vq->pool;

	return vq->pool && (uintptr_t)e >= (uintptr_t)vq->pool &&
	       off < (uintptr_t)vq->num * vq->pool_stride &&
	       off % vq->pool_stride == 0;
}

void vq_push(struct vq *vq, struct vq_elem *e, uint32_t len)
{
	if (!pool_has(vq, e) || !e->in_use || e->parked)   /* NULL is not in the pool */
		return;
	if (len > e->in_len)
		len = e->in_len;
	if (ring_runs(vq) && !vq->parked) {
		publish(vq, e, len);
		return;
	}
	/* stopped or unmapped: the used ring must not move now */
	e->parked = true;
	e->done_len = len;
	e->next_free = NULL;
	if (vq->parked_tail)
		vq->parked_tail->next_free = e;
	else
		vq->parked = e;
	vq->parked_tail = e;
}

void vq_notify(struct vq *vq)
{
	uint16_t old, new_idx, flags, avail_idx;
	bool valid, notify;

	if (!vq->avail || !vq->used || !vq->num)
		return;
	/* nothing pushed since the last notification (or since the ring was
	 * set up): no interrupt.  Exact, as fewer than 2^16 elements can be
	 * pushed between two calls (at most num are outstanding). */
	if (vq->signalled_used == vq->used_idx)
		return;

	/* used->idx must be visible before we read the driver's wishes */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	old = vq->signalled_used;
	valid = vq->signalled_valid;
	new_idx = vq->used_idx;
	vq->signalled_used = new_idx;
	vq->signalled_valid = true;

	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_RELAXED);
	if (vq->notify_on_empty && vq->inflight == 0 &&
	    avail_idx == vq->last_avail) {
		notify = true;
	} else if (vq->event_idx) {
		uint16_t ev = __atomic_load_n(used_event_ptr(vq),
					      __ATOMIC_RELAXED);

		notify = !valid || vring_need_event(ev, new_idx, old);
	} else {
		flags = __atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED);
		notify = !(flags & VRING_AVAIL_F_NO_INTERRUPT);
	}
	if (notify)
		signal_fd(vq->call_fd);
}
