/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Inside the vhost-user core: the per-socket state shared by dev.c (the
 * socket, the connection and the queues) and msg.c (the message table and
 * its handlers).  Nothing outside src/vhost/ includes this. */
#ifndef VD_VHOST_DEV_INT_H
#define VD_VHOST_DEV_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "vhost/dev.h"
#include "vhost/mem.h"
#include "vhost/proto.h"

#define HDR_SIZE ((uint32_t)sizeof(struct vhost_user_hdr))
#define MAX_PAYLOAD ((uint32_t)sizeof(union vhost_user_payload))

struct vu_dev {
	struct loop *loop;
	const struct dev_ops *ops;
	void *priv;
	char *path;
	int listen_fd;
	int lost_fd;              /* eventfd: guest memory lost (mem_guard_add) */
	struct loop_watch *lost_w;
	bool sock_own;            /* we created the socket file (not handed to us) */
	dev_t sock_dev;           /* the socket file we created (only it is unlinked) */
	ino_t sock_ino;
	int spare_fd;       /* /dev/null, given up to refuse a frontend when out of fds */
	struct loop_watch *listen_w;

	/* the current connection */
	int fd;
	struct loop_watch *conn_w;
	uint8_t rx[HDR_SIZE + MAX_PAYLOAD];
	uint32_t rx_have;
	int rx_fds[VHOST_USER_MAX_FDS];
	unsigned rx_nfds;

	uint64_t features;        /* acked by SET_FEATURES */
	uint64_t protocol_features;
	bool protocol_set;        /* SET_PROTOCOL_FEATURES seen on this connection */
	bool features_set;
	uint8_t status;
	/* rings stopped by GET_VRING_BASE with the device state kept: the
	 * next ring start tells a pause (it continues) from a reset (it
	 * starts over); see "Pause or reset" in dev.c */
	bool suspended;
	struct mem_table mem;
	struct vq vq[DEV_MAX_QUEUES];
	struct loop_watch *kick_w[DEV_MAX_QUEUES];
	unsigned idle_kicks[DEV_MAX_QUEUES];      /* kicks in a row that took nothing */
	struct loop_defer again[DEV_MAX_QUEUES];  /* resume a queue cut by the budget */
	uint32_t batching;        /* bit q set while q's batch runs */

	/* A frontend set up wrongly fails silently on the guest's side (its
	 * requests hang): each such case gets one error naming the likely
	 * cause, once per connection (dev_hint). */
	uint32_t hints;           /* HINT_* already logged on this connection */
	uint32_t call_seen;       /* bit q: SET_VRING_CALL seen for queue q */
	struct loop_watch *nomem_w;  /* features accepted, no guest memory yet */
	struct loop_watch *disabled_w;  /* a kick on a ring not enabled */
	bool disabled_armed;
	struct vu_dev_stats stats;   /* broken, broken_now: from the queues */
};

#define HINT_NO_MEM   (1u << 0)
#define HINT_NO_CALL  (1u << 1)
#define HINT_LEGACY   (1u << 2)
#define HINT_PRIVATE  (1u << 3)
#define HINT_DISABLED (1u << 4)

/* How long after SET_FEATURES the guest memory may take to arrive, or
 * after a kick a started ring may take to be enabled, before the daemon
 * says why it will not: QEMU sends them right after. */
#define NOMEM_HINT_NS (2ull * 1000000000ull)

#define dev_hint(d, bit, ...)                                     \
	do {                                                      \
		if (!((d)->hints & (bit))) {                      \
			(d)->hints |= (bit);                      \
			log_peer(LOG_ERROR, __VA_ARGS__);         \
		}                                                 \
	} while (0)


/* dev.c */
void dev_close_fds(int *fds, unsigned n);
void dev_process_queue(struct vu_dev *d, unsigned q);
void dev_on_kick(void *opaque, int fd, uint32_t events);
void dev_queue_stop(struct vu_dev *d, unsigned q);
void dev_queue_started(struct vu_dev *d, unsigned q, enum vq_start_kind kind);
void dev_ring_replaced(struct vu_dev *d, unsigned q);
void dev_device_reset(struct vu_dev *d, const char *why);
void dev_remap_queues(struct vu_dev *d);
void dev_reset_state(struct vu_dev *d, bool soft);

/* hint.c */
void dev_no_mem_hint(struct vu_dev *d, const char *what);
void dev_no_mem_watch(struct vu_dev *d, bool on);
void dev_idle_kick_hint(struct vu_dev *d, struct vq *vq);
void dev_hints_reset(struct vu_dev *d);

/* msg.c: validate and run the message buffered in d->rx.  Returns false
 * if the connection must be dropped. */
bool dev_dispatch_msg(struct vu_dev *d);

#endif
