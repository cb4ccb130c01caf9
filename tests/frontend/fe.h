/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* A small vhost-user FRONTEND (the part of QEMU that talks to a backend),
 * for integration tests, benchmarks and tools.
 *
 * - Guest memory: memfd-backed blocks mapped shared; each block is sent to
 *   the backend as one or more adjacent regions.  A region's frontend
 *   virtual address (uva) is the real mmap address, as in QEMU.  A bump
 *   allocator hands out guest-physical buffers.
 * - Messages: high-level helpers, fe_start() doing what QEMU 10 does, and
 *   raw access (arbitrary header/payload/fds) for malformed-message tests.
 * - Split ring, driver side: add chains (direct or indirect), publish,
 *   kick, wait for the call eventfd, collect used entries.  EVENT_IDX is
 *   honoured on both sides (used_event written, avail_event read).
 *
 * Include as "../frontend/fe.h" from tests/integration (the build adds
 * only -Isrc).  Every wait has a timeout.  Functions returning int give >= 0 on success
 * and a negative errno on failure (-ETIMEDOUT, -EPIPE for a closed
 * connection, -EPROTO for a malformed or unexpected reply, -EIO for a
 * REPLY_ACK reply that is not 0). */
#ifndef VD_TESTS_FE_H
#define VD_TESTS_FE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vhost/proto.h"

#define FE_MAX_QUEUES  8
#define FE_MAX_BLOCKS  8
#define FE_MAX_REGIONS 32
#define FE_INDIRECT_MAX 32            /* entries per indirect table */
#define FE_TIMEOUT_MS  5000            /* default for replies and waits */

/* protocol features this frontend can speak (it accepts these if offered) */
#define FE_PROTOCOL_FEATURES                                        \
	(BIT64(VHOST_USER_PROTOCOL_F_MQ) |                          \
	 BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK) |                   \
	 BIT64(VHOST_USER_PROTOCOL_F_BACKEND_REQ) |                 \
	 BIT64(VHOST_USER_PROTOCOL_F_CONFIG) |                      \
	 BIT64(VHOST_USER_PROTOCOL_F_RESET_DEVICE) |                \
	 BIT64(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |         \
	 BIT64(VHOST_USER_PROTOCOL_F_STATUS))

/* One region as sent to the backend.  host points at gpa's byte. */
struct fe_region {
	uint64_t gpa, size, uva, mmap_offset;
	int fd;            /* the block's memfd (not a dup) */
	uint8_t *host;
	bool sent;         /* currently known to the backend (ADD_MEM_REG) */
};

/* Driver-side state of one split virtqueue. */
struct fe_vq {
	uint16_t num;                  /* 0 = not set up */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	int kick_fd, call_fd, err_fd;  /* eventfds, owned by fe */

	uint16_t avail_idx;            /* next avail->idx to publish */
	uint16_t last_used;            /* next used entry to collect */
	uint16_t kicked_idx;           /* avail_idx at the last kick */
	uint16_t free_head;
	uint16_t num_free;
	uint16_t *chain_len;           /* descriptors used by each head */
	uint16_t *next;                /* shadow of desc[].next (free list) */
	uint64_t indirect_gpa;         /* num tables of FE_INDIRECT_MAX, lazily */
	uint16_t ring_num;             /* size the rings were allocated for */
	uint64_t scratch_gpa;          /* fe_request buffer, grown on demand */
	uint32_t scratch_len;
	bool enabled;
};

struct fe_opts {
	unsigned nqueues;          /* 0 = GET_QUEUE_NUM with MQ, else 1 */
	uint16_t queue_size;       /* 0 = 64 */
	uint64_t features_off;     /* offered feature bits NOT to accept */
	uint64_t features_on;      /* bits to ask for even if not offered */
	uint64_t protocol_off;     /* protocol bits NOT to accept */
	bool no_reply_ack;         /* do not set NEED_REPLY on set requests */
	bool mem_slots;            /* ADD_MEM_REG per region, not SET_MEM_TABLE */
	uint32_t config_size;      /* > 0: GET_CONFIG of that many bytes */
	bool no_enable;            /* stop before SET_VRING_ENABLE 1 */
	bool no_status;            /* skip SET_STATUS even if offered */
	bool no_call;              /* never send SET_VRING_CALL (a broken frontend) */
};

struct fe {
	int sock;                  /* -1 when not connected */
	int backend_req_fd;        /* our end of SET_BACKEND_REQ_FD, or -1 */
	uint64_t dev_features;     /* GET_FEATURES */
	uint64_t features;         /* sent with SET_FEATURES */
	uint64_t dev_protocol;     /* GET_PROTOCOL_FEATURES */
	uint64_t protocol;         /* sent with SET_PROTOCOL_FEATURES */
	unsigned dev_queues;       /* GET_QUEUE_NUM (0 if not asked) */
	unsigned nqueues;          /* queues set up by fe_start */
	bool reply_ack;            /* NEED_REPLY on set requests */
	bool no_call;              /* fe_opts.no_call */
	uint8_t config[VHOST_USER_MAX_CONFIG_SIZE];
	uint32_t config_len;

	unsigned nblocks;
	struct fe_block {
		int fd;
		uint8_t *host;
		uint64_t gpa, size;
		uint64_t used;     /* bump allocator offset */
	} block[FE_MAX_BLOCKS];
	unsigned nregions;
	struct fe_region region[FE_MAX_REGIONS];

	struct fe_vq vq[FE_MAX_QUEUES];
	int last_error;            /* last negative return (for messages) */
};

/* ---- life cycle ---- */
struct fe *fe_new(void);
/* Close the connection, unmap memory, close every fd, free. NULL ok. */
void fe_free(struct fe *fe);

/* Add guest memory: one memfd of size bytes mapped at one host address
 * and described as nsplit equal adjacent regions starting at gpa (size
 * must divide evenly; nsplit 1 = one region).  Before fe_start, or later
 * with fe_mem_add_regions() to send them.  Returns the index of the first
 * new region. */
int fe_mem_block(struct fe *fe, uint64_t gpa, uint64_t size, unsigned nsplit);
/* Bump-allocate len bytes aligned to align (power of two) inside guest
 * memory, zeroed.  Returns the gpa, 0 if out of memory (gpa 0 is never
 * handed out).  A buffer never crosses a block; it may cross adjacent
 * regions of one block. */
uint64_t fe_alloc(struct fe *fe, uint64_t len, uint64_t align);
/* Allocate so that [gpa, gpa+len) spans the border between region r and
 * r+1 (same block): the border is at gpa+before.  0 on failure. */
uint64_t fe_alloc_across(struct fe *fe, unsigned r, uint64_t before,
			 uint64_t len);
/* Host pointer for [gpa, gpa+len) (contiguous within one block), or NULL. */
void *fe_ptr(struct fe *fe, uint64_t gpa, uint64_t len);
/* Frontend virtual address (what rings are given as) of gpa, 0 if none. */
uint64_t fe_uva(struct fe *fe, uint64_t gpa);

/* ---- connection and messages ---- */
/* Connect to a unix socket, retrying until it accepts or timeout_ms. */
int fe_connect(struct fe *fe, const char *path, int timeout_ms);
/* Close the socket only (memory and rings stay). */
void fe_disconnect(struct fe *fe);

/* Send len raw bytes with nfds fds (SCM_RIGHTS) in one sendmsg. */
int fe_send_raw(struct fe *fe, const void *buf, size_t len,
		const int *fds, unsigned nfds);
/* Send header {req, flags | VERSION, size} + payload. */
int fe_send(struct fe *fe, uint32_t req, uint32_t flags, const void *payload,
	    uint32_t size, const int *fds, unsigned nfds);
/* Receive one message (header, then hdr.size payload bytes, at most
 * sizeof(m->payload)); received fds are closed.  Returns the payload size,
 * -EPIPE on EOF, -ETIMEDOUT, -EPROTO if the header is bad. */
int fe_recv(struct fe *fe, struct vhost_user_msg *m, int timeout_ms);
/* Wait until the backend closes the connection: 0 on EOF (or ECONNRESET),
 * -ETIMEDOUT if still open, -EPROTO if a message arrived instead. */
int fe_expect_eof(struct fe *fe, int timeout_ms);

/* Request with a reply of the same type (GET_*): sends, waits, checks the
 * reply flag and type; returns the reply payload size. */
int fe_call(struct fe *fe, uint32_t req, const void *payload, uint32_t size,
	    struct vhost_user_msg *reply, int timeout_ms);
/* Set request without a natural reply: with fe->reply_ack the message
 * carries NEED_REPLY and the u64 reply must be 0 (else -EIO). */
int fe_set(struct fe *fe, uint32_t req, const void *payload, uint32_t size,
	   const int *fds, unsigned nfds);
/* Same, NEED_REPLY always set; returns the acked u64 value (>= 0) or
 * a negative errno; a nonzero ack gives -EIO. */
int fe_set_ack(struct fe *fe, uint32_t req, const void *payload,
	       uint32_t size, const int *fds, unsigned nfds);

int fe_get_u64(struct fe *fe, uint32_t req, uint64_t *v);
int fe_set_u64(struct fe *fe, uint32_t req, uint64_t v);
int fe_set_state(struct fe *fe, uint32_t req, unsigned idx, unsigned num);
/* SET_VRING_KICK/CALL/ERR; fd < 0 sends the NOFD flag. */
int fe_set_vring_fd(struct fe *fe, uint32_t req, unsigned idx, int fd);
/* GET_VRING_BASE: *base = returned num. */
int fe_get_vring_base(struct fe *fe, unsigned idx, uint16_t *base);
int fe_get_config(struct fe *fe, uint32_t offset, uint32_t size, void *out);
/* Fill a vhost_user_region for region i (as SET_MEM_TABLE sends it). */
void fe_region_desc(const struct fe *fe, unsigned i,
		    struct vhost_user_region *out);
/* SET_MEM_TABLE with every region (fds in order). */
int fe_set_mem_table(struct fe *fe);
/* ADD_MEM_REG / REM_MEM_REG of region i. */
int fe_add_mem_reg(struct fe *fe, unsigned i);
int fe_rem_mem_reg(struct fe *fe, unsigned i);

/* ---- QEMU-like start/stop ---- */
/* Connect-time part: GET_FEATURES, GET_PROTOCOL_FEATURES,
 * SET_PROTOCOL_FEATURES, GET_QUEUE_NUM (MQ), SET_OWNER, SET_BACKEND_REQ_FD
 * (if BACKEND_REQ), SET_VRING_CALL + SET_VRING_ERR per queue. */
int fe_init(struct fe *fe, const struct fe_opts *o);
/* Driver part: GET_CONFIG (if asked), SET_FEATURES, SET_MEM_TABLE (or
 * ADD_MEM_REG), per queue SET_VRING_NUM/BASE/ADDR/KICK/CALL, then
 * SET_VRING_ENABLE 1 (unless o->no_enable), SET_STATUS DRIVER_OK (if
 * STATUS).  Adds a 4 MiB region at gpa 1 MiB if none was added. */
int fe_driver_start(struct fe *fe, const struct fe_opts *o);
/* fe_init + fe_driver_start.  o may be NULL (defaults). */
int fe_start(struct fe *fe, const struct fe_opts *o);
/* Set up queue q's rings in guest memory and send NUM/BASE/ADDR/KICK/CALL.
 * Rings are allocated on first use (or when num changes) and cleared when
 * base is 0 (a new driver: outstanding chains are forgotten); with another
 * base they are kept with the chains still outstanding (a restart after
 * fe_queue_stop, as QEMU's cont) and collection continues where it was. */
int fe_queue_start(struct fe *fe, unsigned q, uint16_t num, uint16_t base);
int fe_queue_enable(struct fe *fe, unsigned q, bool on);
/* SET_VRING_ENABLE 0 then GET_VRING_BASE for queue q; *base may be NULL. */
int fe_queue_stop(struct fe *fe, unsigned q, uint16_t *base);
/* Stop every started queue (as QEMU at shutdown). */
int fe_stop(struct fe *fe);

/* ---- split ring, driver side ---- */
struct fe_seg {
	uint64_t gpa;
	uint32_t len;
	bool write;        /* device-writable */
};
/* Add a chain (segments in the given order: normally out then in).
 * indirect: put them in an indirect table referenced by one descriptor.
 * Does not publish.  Returns the head index, or -ENOSPC. */
int fe_vq_add(struct fe *fe, unsigned q, const struct fe_seg *s, unsigned n,
	      bool indirect);
/* Make head visible in the avail ring (one entry, idx += 1). */
void fe_vq_publish(struct fe *fe, unsigned q, uint16_t head);
/* Raw access for malformed tests: the descriptor table, and writing
 * avail->idx directly (does not change the driver's own bookkeeping). */
struct vring_desc *fe_vq_desc(struct fe *fe, unsigned q);
void fe_vq_set_avail_idx(struct fe *fe, unsigned q, uint16_t idx);
/* Kick unconditionally. */
int fe_vq_kick(struct fe *fe, unsigned q);
/* Kick if the device asked for it (avail_event with EVENT_IDX, else
 * VRING_USED_F_NO_NOTIFY).  Returns 1 if kicked, 0 if not. */
int fe_vq_notify(struct fe *fe, unsigned q);
/* Wait for the call eventfd (and consume it).  0 or -ETIMEDOUT. */
int fe_vq_wait_call(struct fe *fe, unsigned q, int timeout_ms);
/* Wait for the err eventfd.  0 or -ETIMEDOUT. */
int fe_vq_wait_err(struct fe *fe, unsigned q, int timeout_ms);
/* Collect one used entry: 1 with *id and *len set (the chain's descriptors are
 * freed), 0 if none; -EPROTO if the device returned a bad id.  With
 * EVENT_IDX, used_event is updated to ask for the next completion. */
int fe_vq_get_used(struct fe *fe, unsigned q, uint32_t *id, uint32_t *len);
/* Number of used entries not collected yet. */
unsigned fe_vq_pending(struct fe *fe, unsigned q);

/* One round trip on queue q: copy out[] into a guest buffer, add a
 * writable buffer of in_cap bytes (none if in_cap 0), publish, notify,
 * wait for the call and the used entry, copy back.  *in_len gets the used
 * length (clamped to in_cap).  0, -ETIMEDOUT (nothing came back),
 * -ENOMSG (the used entry came but the call eventfd was never signalled),
 * or -EPROTO (a used entry with another id or a bad length). */
int fe_request(struct fe *fe, unsigned q, const void *out, uint32_t out_len,
	       void *in, uint32_t in_cap, uint32_t *in_len, int timeout_ms);

/* Human-readable name of a vhost-user request (for messages). */
const char *fe_req_name(uint32_t req);

#endif
