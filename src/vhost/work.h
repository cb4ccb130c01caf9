/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Run blocking work off the event loop, finish it on the loop.
 *
 * A worker is one thread with a FIFO of items.  worker_submit() (loop
 * thread) queues an item; the thread calls item->run(item), which may
 * block for as long as the hardware takes (an ioctl to a slow or stuck
 * bus); afterwards item->done(item) is called on the loop thread, from
 * the loop's own dispatch (an eventfd private to the worker), in
 * submission order.  Items of one worker never run concurrently: one
 * worker per host bus serialises that bus, and a stuck item delays only
 * the items queued behind it on the same worker.
 *
 * run() touches only memory its submitter owns until done() is called:
 * never guest memory (the loop may unmap it at any time) and never loop
 * or connection state.  It does not log (the rate limiters belong to the
 * loop thread): it leaves its result in the item.  done() decides whether
 * the result still matters (the guest may have reset or gone meanwhile)
 * and completes requests with vu_complete().
 *
 * A NULL worker runs run() and done() at once, inline: the same code
 * serves unit tests, fuzzers and tools that have no loop. */
#ifndef VD_VHOST_WORK_H
#define VD_VHOST_WORK_H

#include <stdbool.h>
#include "loop.h"

struct work {
	void (*run)(struct work *w);    /* worker thread */
	void (*done)(struct work *w);   /* loop thread */
	struct work *next;              /* private */
};

struct worker;

/* Start a worker thread (signals blocked in it) whose completions come
 * through loop l.  name is for messages.  NULL with errno set. */
struct worker *worker_new(struct loop *l, const char *name);
/* Queue w (loop thread); w must stay valid until its done() ran. */
void worker_submit(struct worker *wk, struct work *w);
/* Items submitted whose done() has not run yet (0 for NULL). */
unsigned worker_pending(const struct worker *wk);
/* Stop the thread.  Items not started are dropped (no done()).  An item
 * still running gets WORKER_EXIT_WAIT_MS to return; if it does not (a
 * stuck bus), the thread is left to end with the process and false is
 * returned: the caller must then keep the memory the item uses.  NULL is
 * a no-op returning true. */
#define WORKER_EXIT_WAIT_MS 500
bool worker_free(struct worker *wk);

#endif
