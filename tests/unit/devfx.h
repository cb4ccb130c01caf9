/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Test helper for the in-process vhost-user core tests (test_dev.c,
 * test_msg.c): a two-queue test device listening in a temp dir, a client
 * socket connected to it, and the message helpers.  The test drives the
 * loop itself (devfx_pump).  Uses cmocka's assertions. */
#ifndef VD_TEST_DEVFX_H
#define VD_TEST_DEVFX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vhost/dev.h"
#include "vhost/loop.h"
#include "vhost/proto.h"

struct fx {
	char dir[64];
	char path[96];
	struct loop *l;
	struct vu_dev *d;
	int c;            /* client socket */
	unsigned resets;
};

/* the test device: 2 queues of up to 1024, device feature bit 0, an
 * 8-byte config space a0..a7; requests are answered with 0 bytes */
extern const struct dev_ops devfx_ops;
extern unsigned devfx_handled, devfx_flushes;

/* cmocka group-less setup/teardown: *state is a struct fx, connected */
int devfx_setup(void **state);
int devfx_teardown(void **state);

void devfx_pump(struct fx *f);
int devfx_client(struct fx *f);
void devfx_send_bytes(int c, const void *buf, size_t len, const int *fds, unsigned nfds);
size_t devfx_build(uint8_t *buf, uint32_t req, uint32_t flags, const void *p, uint32_t size);
/* send one message and run the loop until it is idle */
void devfx_send(struct fx *f, uint32_t req, uint32_t flags, const void *p, uint32_t size,
		const int *fds, unsigned nfds);
/* one reply: its payload size, -1 on EOF / nothing within 200 ms */
int devfx_recv(struct fx *f, struct vhost_user_hdr *h, void *payload, size_t cap);
/* the backend closed the connection */
bool devfx_dropped(struct fx *f);
uint64_t devfx_get_u64(struct fx *f, uint32_t req);
/* after a drop: a new connection is served */
void devfx_reconnect(struct fx *f);
void devfx_negotiate(struct fx *f, uint64_t proto);
/* REPLY_ACK negotiated; send with NEED_REPLY and return the ack (0 = ok) */
uint64_t devfx_send_acked(struct fx *f, uint32_t req, const void *p, uint32_t size,
			  const int *fds, unsigned nfds);

/* The core's log (stderr) captured between these two, at warning level:
 * whether it holds needle (the capture ends, stderr is restored). */
void devfx_log_capture(void);
bool devfx_log_has(const char *needle);

#endif
