/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The vhost-user backend core: one listening socket per guest, its
 * connection, memory table and virtqueues, and the contract with device
 * modules (struct dev_ops). */
#ifndef VD_VHOST_DEV_H
#define VD_VHOST_DEV_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "loop.h"
#include "virtio.h"
#include "vq.h"

#define DEV_MAX_QUEUES 8

/* Returned by dev_ops.handle when the device keeps the element to complete
 * later with vu_complete() (eventq buffers, batched transfers).  Not a
 * length any request can have, so a 1-byte status answer stays a length. */
#define DEV_HELD INT_MAX

struct vu_dev;

/* The contract between the core and a device module.
 *
 * Everything runs on one thread, in one epoll loop (loop.h): every op
 * below is called from it, and a device's own fds and timers are served by
 * the same loop.  So no op may block or wait: not on a host device, a
 * file, a pipe, a lock or a sleep.  Each op returns promptly, its work
 * bounded by the request in hand (the core bounds a pass by requests and
 * bytes; a device must not loop on something a peer controls).
 *
 * handle() may: read e->out[] and write e->in[] (host addresses the core
 * has checked; guest memory may change under it, so copy a header out
 * once, then check the copy); answer at once (return the bytes written);
 * or keep e and answer later (return DEV_HELD).  It must not: keep
 * pointers into e->out/e->in past queue_stop()/reset() for that queue,
 * exit, assert or abort on anything from the guest, allocate per request,
 * or touch the ring (vq_has_avail() answers "is more coming?").
 *
 * Held elements: complete each exactly once with vu_complete(), from any
 * later callback on the loop (a flush, an fd or timer callback), with the
 * vu_dev that handle() got along with the element.  After
 * queue_stop(q) or reset() the device forgets every element held from q
 * without completing it (the core takes them back).
 *
 * Waiting for something: a device never waits, it watches.  An fd (a host
 * device that becomes readable, an eventfd): loop_add(l, fd, EPOLLIN,
 * cb, ctx) on the loop serve.h hands the device at start-up, and complete
 * from cb, nonblocking reads only (EAGAIN means "wait for the next
 * callback").  Time (a rate limit, a sampling
 * period, a delay): loop_timer() / loop_timer_set(), a timerfd in the same
 * loop, never sleep and never poll.  Remove the watch with loop_del()
 * (allowed inside callbacks) when the queue stops or the connection
 * resets.  Work that must block (a host bus ioctl that can take
 * milliseconds) runs off the loop on a worker (work.h; the rules are at
 * vu_complete() below).
 * Examples: rng.c (nonblocking source + timerfd rate limit), gpio (line
 * event fds), scmi (sampling timer, IIO buffer fds, host sensor reads on
 * a worker), i2c (host adapter transfers on a worker). */
struct dev_ops {
	const char *name;          /* "scmi" */
	uint32_t virtio_id;        /* VIRTIO_ID_* (vhost/virtio.h) */
	unsigned num_queues;
	uint16_t queue_size;       /* max ring size accepted per queue */
	/* The most descriptors one request has as the device's drivers build
	 * it (any queue): each ring entry's element keeps room for that many
	 * (vq.h); a longer chain still works, on storage allocated the first
	 * time an element needs it.  0: VQ_CHAIN_DEFAULT. */
	uint8_t chain_max;
	uint64_t features;         /* device feature bits (bit mask) */
	uint64_t protocol_features;/* extra protocol features (e.g. CONFIG) */
	uint32_t config_size;      /* bytes of config space (0 = none) */

	/* Fill config space bytes [0, config_size) into buf. Optional. */
	void (*get_config)(void *priv, uint8_t *buf);
	/* Driver's accepted features (device bits included). Optional. */
	void (*set_features)(void *priv, uint64_t features);
	/* Process one request from queue q.  Return:
	 *   >= 0      bytes written into e->in; the core completes it;
	 *   DEV_HELD  the device keeps e and completes it with vu_complete();
	 *   < 0       no status could be written (e.g. no writable buffer):
	 *             the core logs it and completes e with 0 bytes.
	 * Never blocks, exits or asserts on request contents (see above). */
	int (*handle)(void *priv, struct vu_dev *d, unsigned q,
		      struct vq_elem *e);
	/* Called when a batch on q ends: the ring had nothing more to take
	 * (a pass cut short by the per-pass budget, 256 requests or 1 MiB of
	 * their buffers, does not end it); also when q runs again after
	 * vu_queue_running() said no.  Optional. */
	void (*flush)(void *priv, struct vu_dev *d, unsigned q);
	/* Queue q's ring is gone: forget every element held from q without
	 * completing it (the core reclaims them).  Called before reset(), and
	 * alone when the frontend restarts q on another ring.  Never across a
	 * pause: GET_VRING_BASE keeps held elements, and a vu_complete() made
	 * while the ring is stopped is published when it runs again.
	 * Optional. */
	void (*queue_stop)(void *priv, struct vu_dev *d, unsigned q);
	/* Return to the power-on state: undo everything a driver set up and
	 * drop everything pending for it (GPIO: lines released, interrupts
	 * masked, latched edges dropped; SCMI: sensors disabled, no
	 * notification pending), sending nothing to the driver.  Called after
	 * queue_stop() for every queue when: the connection closes;
	 * RESET_OWNER; RESET_DEVICE; SET_STATUS 0 outside a stop; the rings
	 * start over after a stop (a guest driver reset, a system reset or
	 * reboot).  Not on a pause (VM stop/cont): see DEVELOPERS.md, "Device
	 * lifecycle".  When the driver's features are already set (a ring
	 * restart), set_features() is called again right after.  Optional. */
	void (*reset)(void *priv, struct vu_dev *d);
};

/* Create the listening socket at path and serve connections on it from
 * loop l.  priv is passed to every op.  A socket file nobody accepts on
 * (left by a process that is gone) is replaced; a live one is refused
 * (EADDRINUSE), as is anything that is not a socket (EEXIST).  Returns
 * NULL with errno set and a message logged. */
struct vu_dev *vu_dev_new(struct loop *l, const char *path,
			  const struct dev_ops *ops, void *priv);
/* The same on a socket that already listens (--fd, socket activation):
 * fd is taken over (closed on failure too), name labels it in logs, and
 * no socket file is ever removed. */
struct vu_dev *vu_dev_new_fd(struct loop *l, int fd, const char *name,
			     const struct dev_ops *ops, void *priv);
/* Close everything and unlink the socket file if it is still the one
 * vu_dev_new created (same device and inode).  NULL is a no-op. */
void vu_dev_free(struct vu_dev *d);
/* The most file descriptors one vu_dev of ops holds at once, with a
 * frontend connected and every fd it may hand over taken. */
unsigned vu_dev_max_fds(const struct dev_ops *ops);

struct vq *vu_dev_vq(struct vu_dev *d, unsigned q);
bool vu_dev_connected(const struct vu_dev *d);
/* The socket's path (or label, for a handed-over socket). */
const char *vu_dev_path(const struct vu_dev *d);

/* Counters of one socket since start (cheap: kept on the way anyway). */
struct vu_dev_stats {
	uint64_t connections;  /* frontends accepted */
	uint64_t dropped;      /* connections dropped for an invalid message */
	uint64_t requests;     /* requests taken from the rings */
	uint64_t failed;       /* requests answered with no data (no status fit) */
	uint64_t broken;       /* times a queue was marked broken */
	unsigned broken_now;   /* queues broken now */
};
void vu_dev_get_stats(const struct vu_dev *d, struct vu_dev_stats *s);

/* Complete a held element with len bytes written, and notify the driver
 * (immediately: use for asynchronous completions).  Inside handle/flush
 * the notification is deferred to the end of the batch.
 *
 * Blocking backend I/O never runs on the loop.  A device hands a request
 * whose backend may block (an ioctl to a real bus) to a worker (work.h:
 * one thread per host bus, "run this off the loop, finish it on the
 * loop"): handle() returns DEV_HELD after copying what the backend needs
 * out of guest memory into the device's own buffers; the item's run()
 * works only on those buffers on the worker thread; its done() runs on
 * the loop, copies results into the element and calls vu_complete().
 * An element must not be touched after queue_stop()/reset() for its
 * queue: done() then drops the result (the guest has gone or reset).
 * Work that cannot block (simulated devices) stays on the loop, bounded
 * by bytes per request. */
void vu_complete(struct vu_dev *d, unsigned q, struct vq_elem *e, uint32_t len);

/* Whether the device may write into elements held from queue q now: the
 * ring runs (started, enabled, mapped, not broken).  While it does not
 * (a pause: vhost-user's suspended device must not write guest memory;
 * a ring unmapped by a memory change), a device that has something to
 * deliver on its own (a sampling timer, a host line's edge, a worker's
 * result) keeps it and writes nothing; the core then calls flush() for q
 * once the ring runs again, where the device delivers it.  Inside
 * handle() and flush() the answer is true. */
bool vu_queue_running(struct vu_dev *d, unsigned q);

/* Queue q of d, where a device completes later what it held: d is kept
 * from handle() (it comes with every request).  vu_ref_complete() and
 * vu_ref_running() take it as the context of the completion callbacks a
 * device's backend holds (vu_complete(), vu_queue_running() on it; before
 * the first request, d NULL: nothing, false), so no device wraps them. */
struct vu_queue_ref {
	struct vu_dev *d;
	unsigned q;
};
void vu_ref_complete(void *ref, struct vq_elem *e, uint32_t len);
bool vu_ref_running(void *ref);

/* Offer VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS (ADD_MEM_REG/REM_MEM_REG,
 * more than 8 memory regions).  Off by default: QEMU 10 and 11 keep their
 * record of the regions across a backend restart and then send none to the
 * restarted backend, so reconnecting only works without it. */
void vu_offer_mem_slots(bool on);

/* Run the loop until SIGINT/SIGTERM/SIGHUP (loop_handle_signals() first:
 * serve_main does it before its ready steps and the lock-down).
 * Returns 0 on a signal, 1 on a loop failure. */
int vu_run(struct loop *l);

#endif
