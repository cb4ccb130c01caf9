/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio constants with the specification's names (virtio 1.3/1.4): the
 * device ids (5 "Device Types"), the reserved feature bits (6) and the
 * split virtqueue layout (2.7).  Device-specific constants (request
 * types, status codes, device feature bits) stay with their device. */
#ifndef VD_VHOST_VIRTIO_H
#define VD_VHOST_VIRTIO_H

#include <stdint.h>

/* device ids */
#define VIRTIO_ID_RNG          4
#define VIRTIO_ID_SCMI        32
#define VIRTIO_ID_I2C_ADAPTER 34
#define VIRTIO_ID_GPIO        41
#define VIRTIO_ID_SPI         45

/* reserved feature bits (bit numbers) */
#define VIRTIO_F_NOTIFY_ON_EMPTY       24
#define VIRTIO_RING_F_INDIRECT_DESC    28
#define VIRTIO_RING_F_EVENT_IDX        29
#define VIRTIO_F_VERSION_1             32

/* ---- split virtqueue layout ---- */
#define VRING_DESC_F_NEXT     1
#define VRING_DESC_F_WRITE    2
#define VRING_DESC_F_INDIRECT 4
#define VRING_USED_F_NO_NOTIFY     1
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];   /* then le16 used_event */
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];   /* then le16 avail_event */
};

/* ring part sizes for a queue of num entries (with the event-idx words) */
static inline uint64_t vring_desc_size(unsigned num) { return 16ull * num; }
static inline uint64_t vring_avail_size(unsigned num) { return 6ull + 2ull * num; }
static inline uint64_t vring_used_size(unsigned num) { return 6ull + 8ull * num; }

/* virtio 2.7.7.2: does the driver want a notification for new_idx
 * given it asked at event_idx and we last notified at old? */
static inline int vring_need_event(uint16_t event_idx, uint16_t new_idx,
				   uint16_t old)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old);
}

#endif
