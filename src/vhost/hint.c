/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Saying why, when the frontend got it wrong.  Some set-ups make the
 * guest's requests hang with no error anywhere: QEMU goes on without the
 * device or never notices, the guest waits for ever.  Each gets one error
 * line per connection (dev_hint, dev_int.h) naming the likely cause and
 * what fixes it:
 *  - no guest memory 2 s after SET_FEATURES, or when a ring starts (QEMU's
 *    RAM not shared: it says "Failed initializing vhost-user memory map");
 *  - a kick on a ring that has never shown a request (QEMU 10 with
 *    share=off maps the VM's RAM private yet sends its file);
 *  - a kick on a started ring that is still not enabled 2 s later (no
 *    SET_VRING_ENABLE 1 once PROTOCOL_FEATURES is negotiated);
 *  - requests answered on a queue that never got SET_VRING_CALL (dev.c);
 *  - a driver without VIRTIO_F_VERSION_1, a legacy transport (msg.c).
 * Each check costs nothing per request: the ones here run only for a
 * kick that took nothing, and at most once per timer.
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "vhost/dev_int.h"

/* The frontend never sent the guest's memory: nothing can be served.
 * QEMU does this when the VM's RAM is not shared (it prints "Failed
 * initializing vhost-user memory map" and goes on without the device). */
void dev_no_mem_hint(struct vu_dev *d, const char *what)
{
	dev_hint(d, HINT_NO_MEM, "%s: %s, but the frontend never sent the guest's memory "
		 "(no SET_MEM_TABLE or ADD_MEM_REG): no request can be served and the guest's "
		 "requests will hang. Likely cause: the VM's RAM is not shared. With QEMU, add "
		 "-object memory-backend-memfd,id=mem,size=SIZE,share=on -machine memory-backend=mem "
		 "(or -object memory-backend-file,id=mem,size=SIZE,mem-path=/dev/shm,share=on "
		 "-numa node,memdev=mem), SIZE the -m size", d->path, what);
}

static void on_no_mem(void *opaque, int fd, uint32_t events)
{
	struct vu_dev *d = opaque;

	if (d->fd >= 0 && d->mem.n == 0)
		dev_no_mem_hint(d, "the driver accepted the features 2 s ago");
}

/* A one-shot timer of NOMEM_HINT_NS (on) or disarmed (off), made on first
 * use; false if there is none. */
static bool hint_timer(struct vu_dev *d, struct loop_watch **w, bool on,
		       void (*fn)(void *, int, uint32_t))
{
	if (!*w) {
		if (!on)
			return false;
		*w = loop_timer(d->loop, 0, 0, fn, d);
		if (!*w) {
			log_debug("%s: no timer for a set-up check: %s", d->path, strerror(errno));
			return false;
		}
	}
	loop_timer_set(*w, on ? NOMEM_HINT_NS : 0, 0);
	return true;
}

/* on: the driver accepted the features; the memory table should follow at
 * once (a one-shot timer, armed only while no memory is there).  off:
 * the memory came, or the connection ended. */
void dev_no_mem_watch(struct vu_dev *d, bool on)
{
	hint_timer(d, &d->nomem_w, on && d->mem.n == 0 && !(d->hints & HINT_NO_MEM), on_no_mem);
}

/* Rings started and kicked but still disabled: QEMU enables each ring
 * right after starting it, so by now the frontend has forgotten. */
static void on_disabled(void *opaque, int fd, uint32_t events)
{
	struct vu_dev *d = opaque;

	d->disabled_armed = false;
	if (d->fd < 0)
		return;
	for (unsigned q = 0; q < d->ops->num_queues; q++) {
		const struct vq *vq = &d->vq[q];

		if (vq->started && !vq->enabled && vq->kick_pending && !vq->broken)
			dev_hint(d, HINT_DISABLED, "%s: queue %u: kicked 2 s ago, but the frontend "
				 "has not enabled the ring: with VHOST_USER_F_PROTOCOL_FEATURES "
				 "negotiated a ring starts disabled until SET_VRING_ENABLE 1, and "
				 "the guest's requests wait until then", d->path, q);
	}
}

/* A kick took nothing from vq. */
void dev_idle_kick_hint(struct vu_dev *d, struct vq *vq)
{
	/* The driver kicks after publishing a request, so its first kick
	 * finds one, unless its writes never reach the memory shared with
	 * us: QEMU 10 maps the file of a memory backend with share=off
	 * private, yet sends it in the memory table.  (A ring that has taken
	 * a multiple of 65536 requests and gets a spurious kick looks the
	 * same: the line says "likely".) */
	if (vq_ready(vq) && vq->last_avail == 0)
		dev_hint(d, HINT_PRIVATE, "%s: queue %u: kicked, but the ring in the memory the "
			 "frontend shared shows no request: the guest's writes do not reach that "
			 "memory, and its requests will hang. Likely cause: the VM's RAM is mapped "
			 "private. With QEMU, add share=on to its -object memory-backend-file "
			 "(whose default is share=off) or memory-backend-memfd", d->path, vq->index);
	/* waiting for SET_VRING_ENABLE 1, which QEMU sends right after
	 * SET_VRING_KICK (a kick left in the fd may come before it) */
	if (vq->started && !vq->enabled && vq->kick_pending && !(d->hints & HINT_DISABLED) &&
	    !d->disabled_armed)
		d->disabled_armed = hint_timer(d, &d->disabled_w, true, on_disabled);
}

/* A new connection: everything may be said again. */
void dev_hints_reset(struct vu_dev *d)
{
	d->hints = 0;
	dev_no_mem_watch(d, false);
	hint_timer(d, &d->disabled_w, false, on_disabled);
	d->disabled_armed = false;
}
