/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Split virtqueue, device side: the one chain walker, completion and
 * notification (EVENT_IDX, NOTIFY_ON_EMPTY).
 *
 * Everything read from the rings is untrusted.  Each descriptor is copied
 * out of guest memory once into a local before any check.  A chain that
 * breaks a rule (see vq_pop) marks the queue broken: nothing more is
 * taken from it until it is re-initialised (SET_VRING_NUM/ADDR/BASE or a
 * reset), and the frontend is told through the vring error eventfd. */
#ifndef VD_VHOST_VQ_H
#define VD_VHOST_VQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include "mem.h"

#define VQ_MAX_SIZE      1024  /* largest ring any of our devices accepts */
#define VQ_ELEM_MAX_DESC 64    /* descriptors in one chain (direct + indirect) */
#define VQ_ELEM_MAX_IOV  64    /* iovecs after splitting at region borders */
#define VQ_CHAIN_DEFAULT 4     /* vq_init's chain 0: descriptors kept inline */

/* One buffer chain taken from the avail ring.  out[] are the driver's
 * (device-readable) buffers, in[] the device-writable ones; the device
 * only ever sees these bounded host buffers, never guest addresses.
 *
 * Storage: an element keeps room for the chain its device declared
 * (vq_init's chain: that many descriptors and iovecs) right behind it in
 * the queue's pool.  A longer chain (an indirect table with many
 * entries, a buffer split at a region border), up to VQ_ELEM_MAX_DESC
 * descriptors and VQ_ELEM_MAX_IOV iovecs, moves the element to storage
 * of that size, allocated the first time the element needs it and kept
 * with the pool: a ring that always sends long chains allocates at most
 * once per ring entry, never per request.  So out and in may point
 * elsewhere after a memory change re-translated a held element (vq_map):
 * read them from the element each time. */
struct vq_elem {
	uint16_t head;      /* descriptor index that heads the chain */
	uint16_t out_num;
	uint16_t in_num;
	uint32_t out_len;   /* total bytes readable */
	uint32_t in_len;    /* total bytes writable */
	struct iovec *out;
	struct iovec *in;   /* == out + out_num */

	/* core-private below */
	bool in_use;
	bool parked;        /* completed while the ring was stopped or unmapped */
	bool grown;         /* seg/iov are the full-size storage (malloc'd) */
	uint16_t nseg;      /* copied descriptors, kept to re-translate */
	uint16_t cap;       /* entries of seg[] and of iov[] */
	uint32_t done_len;  /* bytes written, for a parked element */
	struct vq_seg {
		uint64_t addr;
		uint32_t len;
		bool write;
	} *seg;
	struct iovec *iov;
	struct vq_elem *next_free;  /* free list, or the parked list */
};

/* What a ring looked like when GET_VRING_BASE stopped it, to tell a
 * restart that continues it (a VM pause) from a new ring (a reset). */
struct vq_stop_rec {
	bool valid;
	uint16_t num, avail, used;
	uint64_t desc_uva, avail_uva, used_uva;
};

/* vq_start's verdict on the ring it starts */
enum vq_start_kind {
	VQ_START_RUNNING,  /* it was running (a kick fd replaced): no change */
	VQ_START_NEW,      /* first start since set-up: nothing to continue */
	VQ_START_RESUMED,  /* the ring vq_stop stopped, where it stopped */
	VQ_START_OTHER,    /* stopped, but restarted as another ring */
};

struct vq {
	unsigned index;
	uint16_t max_size;  /* device limit for SET_VRING_NUM */
	uint16_t num;       /* 0 = not configured */

	/* ring addresses as given by the frontend (its virtual addresses) */
	uint64_t desc_uva, avail_uva, used_uva;
	bool addr_set;
	/* host pointers, valid while mapped */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;

	uint16_t last_avail;     /* next avail entry to take */
	uint16_t used_idx;       /* used->idx: read from the ring whenever it is
				  * mapped, then written only by us */
	uint16_t signalled_used; /* used idx at the last notification */
	bool signalled_valid;
	uint16_t inflight;       /* popped, not yet published in the used ring */
	/* completions waiting for the ring to run (and be mapped) again,
	 * oldest first; published in that order */
	struct vq_elem *parked, *parked_tail;
	struct vq_stop_rec stopped;

	int kick_fd, call_fd, err_fd;  /* -1 when absent */
	bool enabled;   /* SET_VRING_ENABLE (or implied without PROTOCOL_FEATURES) */
	bool started;   /* SET_VRING_KICK seen; stopped by GET_VRING_BASE */
	bool broken;    /* a rule was broken; see file comment */
	uint32_t nbroken;  /* times marked broken (kept across vq_reset) */
	bool kick_pending; /* a kick came while not ready */

	/* negotiated features, set by the core */
	bool event_idx, indirect, notify_on_empty;

	const struct mem_table *mem;

	/* Element pool: num elements of pool_stride bytes (the element and
	 * its inline seg[] and iov[] for chain descriptors), mapped by
	 * vq_set_num.  Untouched pages cost no memory: elements are set up
	 * when first taken (the first `fresh` ones have been), and a freed
	 * one is reused first, so a ring of 256 that never has more than a
	 * few requests in flight keeps a page or two resident. */
	uint8_t chain;          /* inline descriptors per element */
	void *pool;
	size_t pool_len, pool_stride;
	uint16_t fresh;         /* elements [0, fresh) have been set up */
	struct vq_elem *free_list;
};

/* Initialise an unconfigured queue (no allocation).  chain: the most
 * descriptors one of the device's requests has, as its drivers build
 * them (0: VQ_CHAIN_DEFAULT); the pool keeps room for that inline. */
void vq_init(struct vq *vq, unsigned index, uint16_t max_size, unsigned chain,
	     const struct mem_table *mem);
/* Element i of the pool (i < vq->fresh: set up). */
static inline struct vq_elem *vq_elem_at(const struct vq *vq, unsigned i)
{
	return (struct vq_elem *)((char *)vq->pool + (size_t)i * vq->pool_stride);
}
/* Release everything (pool, fds, mappings) and return to vq_init state;
 * held elements become invalid. */
void vq_reset(struct vq *vq);

/* SET_VRING_NUM: power of two, 1..max_size.  (Re)allocates the element
 * pool; the same size keeps it, and the elements held from it.  -EINVAL
 * if bad, -EBUSY if the queue is started, or if elements are held and the
 * size changes (drop them first: vq_drop_held). */
int vq_set_num(struct vq *vq, unsigned num);
/* SET_VRING_ADDR: store the frontend addresses; 0 or -EINVAL
 * (misaligned: desc 16, avail 2, used 4).  Maps them if possible. */
int vq_set_addr(struct vq *vq, const struct vhost_vring_addr *a);
/* SET_VRING_BASE: next avail index. -EBUSY if started.  The used index
 * is not taken from the base: it is read from the ring (vq_map,
 * vq_start), so completions continue where the ring really is. */
int vq_set_base(struct vq *vq, uint16_t base);
/* (Re)translate the ring addresses through mem (after SET_VRING_ADDR or a
 * memory table change) and re-translate held elements.  Once mapped, the
 * used index is read from the ring.  Returns 0, or
 * -EFAULT if the rings are not wholly inside one region each (the queue
 * cannot run until fixed; completions park meanwhile). */
int vq_map(struct vq *vq);

/* GET_VRING_BASE: stop the ring and remember where it stopped.  Held
 * elements stay held (a pause must not lose them); completions park until
 * the ring runs again.  Returns last_avail. */
uint16_t vq_stop(struct vq *vq);
/* SET_VRING_KICK: start the ring.  Says
 * whether it continues the ring vq_stop stopped: same size and addresses,
 * based where GET_VRING_BASE said, and a used index that has not moved.
 * Parked completions stay parked: vq_flush_parked publishes them. */
enum vq_start_kind vq_start(struct vq *vq);
/* Publish parked completions if the ring runs (started, enabled, mapped);
 * no notification: vq_notify. */
void vq_flush_parked(struct vq *vq);
/* The ring the held elements came from is gone (reset, another ring):
 * release every element, held or parked, without touching the ring (the
 * device must have dropped its references first). */
void vq_drop_held(struct vq *vq);
/* Elements popped and not yet published (held or parked). */
static inline unsigned vq_held(const struct vq *vq)
{
	return vq->inflight;
}

/* Started, enabled, configured, mapped and not broken. */
bool vq_ready(const struct vq *vq);

/* The driver has published chains not taken yet (ready queues only). */
bool vq_has_avail(const struct vq *vq);

/* Take the next chain.  Returns 1 with *e set, 0 if the ring is empty
 * (with EVENT_IDX the avail_event word has been published and the ring
 * re-checked, so no kick can be lost), or a negative errno if the guest
 * broke a rule; the queue is then marked broken.  Rules checked:
 * avail->idx more than num ahead of last_avail; head or next index >= num;
 * a chain longer than num (loops) or VQ_ELEM_MAX_DESC; an indirect
 * descriptor when INDIRECT_DESC was not negotiated, inside an indirect
 * table (nested), combined with NEXT, with a length that is zero or not a
 * multiple of 16, or a table that is not mapped; any buffer whose address
 * range wraps or is not inside guest memory; a device-readable buffer
 * after a device-writable one; more than VQ_ELEM_MAX_IOV pieces; more
 * elements outstanding than the ring size.  No memory for a chain longer
 * than the inline storage (see struct vq_elem) is -ENOMEM, the queue
 * broken likewise. */
int vq_pop(struct vq *vq, struct vq_elem **e);

/* Return a chain to the driver with len bytes written.  len is clamped to
 * e->in_len.  Does not notify.  e is invalid afterwards.  While the ring
 * is stopped (GET_VRING_BASE), disabled or not mapped, the completion is
 * parked and published, in order, by vq_flush_parked once it runs. */
void vq_push(struct vq *vq, struct vq_elem *e, uint32_t len);

/* Signal the call eventfd if the driver wants it (EVENT_IDX used_event,
 * or VRING_AVAIL_F_NO_INTERRUPT, overridden by NOTIFY_ON_EMPTY when the
 * ring is empty), once per batch of vq_push calls. */
void vq_notify(struct vq *vq);

/* Signal the call eventfd unconditionally (a new call fd on a running
 * ring: the driver looks at the used ring once more). */
void vq_signal_call(struct vq *vq);

/* Mark the queue broken, log why (rate-limited) and signal the err fd. */
void vq_set_broken(struct vq *vq, const char *why);

#endif
