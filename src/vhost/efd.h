/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* I/O on the file descriptors a frontend hands over (kick, call and error
 * fds), done so that nothing the frontend does to them, at any time, can
 * make the loop block.
 *
 * The frontend shares each fd's file description with us, so O_NONBLOCK
 * on it is the frontend's to clear whenever it likes; nothing here
 * depends on that flag:
 *  - kick fds are read with preadv2(RWF_NOWAIT), non-blocking per call
 *    (eventfds, pipes and sockets support it; an fd that does not fails
 *    with EOPNOTSUPP and its queue is marked broken).  Where the kernel
 *    cannot do that even for an eventfd (older kernels, qemu-user:
 *    probed once by efd_init, with a warning), a kick fd gets O_NONBLOCK
 *    set again before each plain read(): a frontend clearing the flag in
 *    the instant between the two can still block the loop there;
 *  - call and error fds must be eventfds (checked at SET_VRING_CALL/ERR).
 *    They are not written: a kernel AIO request that completes at once
 *    (a 0-byte read from a pipe of ours) names the eventfd as its
 *    IOCB_FLAG_RESFD, and the kernel increments the counter, saturating
 *    instead of sleeping when it is full.  Completions are reaped in
 *    batches, so a signal costs one io_submit() as a write() would.
 *    If kernel AIO is not available (io_setup fails), a warning says so
 *    at start-up and signals become write()s on the fd set O_NONBLOCK at
 *    hand-over, which a frontend clearing that flag can block.
 *  - the core never writes to a frontend's fd to wake itself (a queue cut
 *    short by the fairness budget is resumed with loop_defer()). */
#ifndef VD_VHOST_EFD_H
#define VD_VHOST_EFD_H

#include <stdbool.h>
#include <sys/types.h>

/* Set up the AIO context (once per process; later calls do nothing).
 * Returns false (after a warning) if signals fall back to write(). */
bool efd_init(void);

/* 0 if fd is an eventfd (or /proc cannot tell), else -EINVAL. */
int efd_check(int fd);

/* Prepare a call/error fd at hand-over (O_NONBLOCK, for the fallback). */
void efd_take(int fd);

/* Add 1 to the eventfd's counter without ever blocking.  0 or -errno. */
int efd_signal(int fd);

/* Read up to len bytes without blocking, whatever the fd's flags:
 * bytes read, 0 at end of file, or -errno (-EAGAIN: nothing there). */
ssize_t efd_read(int fd, void *buf, size_t len);

#endif
