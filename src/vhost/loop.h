/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The one epoll event loop: sockets, kick eventfds, backend fds, timers and
 * signals all come through here.  Watches may be removed from inside a
 * callback (also other watches than the one being dispatched): they are
 * marked dead and freed after the current pass. */
#ifndef VD_VHOST_LOOP_H
#define VD_VHOST_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop;
struct loop_watch;

typedef void (*loop_cb)(void *opaque, int fd, uint32_t events);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watch fd for events (EPOLLIN, ...).  The fd is not owned. NULL on error. */
struct loop_watch *loop_add(struct loop *l, int fd, uint32_t events,
			    loop_cb cb, void *opaque);
/* Change what w waits for (the control socket's clients switch between
 * reading and writing).  0 or a negative errno. */
int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events);
/* Stop watching (safe inside callbacks; NULL is a no-op). */
void loop_del(struct loop *l, struct loop_watch *w);

/* Periodic or one-shot timer on a timerfd owned by the watch: calls cb
 * each expiry.  interval_ns 0 = one-shot.  loop_del frees it. */
struct loop_watch *loop_timer(struct loop *l, uint64_t first_ns,
			      uint64_t interval_ns, loop_cb cb, void *opaque);
int loop_timer_set(struct loop_watch *w, uint64_t first_ns, uint64_t interval_ns);
/* Now on the clock the timers count in (CLOCK_MONOTONIC), in ns. */
uint64_t loop_now_ns(void);

/* Deferred work: cb(opaque) runs once in the next pass, after the watches
 * ready then (as if an fd had woken it, without one); a pass with deferred
 * work pending does not wait.  The struct belongs to the caller (no
 * allocation); deferring a queued one again does nothing; loop_cancel()
 * unqueues it. */
struct loop_defer {
	void (*cb)(void *opaque);
	void *opaque;
	/* loop-private */
	struct loop_defer *next;
	unsigned pass;
	bool queued;
};
void loop_defer(struct loop *l, struct loop_defer *w);
void loop_cancel(struct loop *l, struct loop_defer *w);

/* Block SIGINT/SIGTERM/SIGHUP (and ignore SIGPIPE) and quit the loop when one
 * arrives.  Call once, before loop_run. */
int loop_handle_signals(struct loop *l);

/* Dispatch until loop_quit; returns 0, or negative errno if epoll fails. */
int loop_run(struct loop *l);
void loop_quit(struct loop *l);
/* One pass: wait up to timeout_ms (-1 forever; 0 if work is deferred),
 * dispatch what is ready, then the deferred work.  Returns the number of
 * events and deferred calls dispatched or a negative errno. For tests,
 * fuzzers and tools that drive the loop themselves. */
int loop_run_once(struct loop *l, int timeout_ms);

#endif
