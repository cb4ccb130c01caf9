/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-user messages: the request table (payload size, fds, protocol
 * feature needed) and one handler per request.  A message is validated
 * against its table entry before its handler runs; the reactions to bad
 * messages are listed in dev.c. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "vhost/dev_int.h"
#include "vhost/efd.h"

#define COMMON_FEATURES                                                \
	(BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_F_NOTIFY_ON_EMPTY) | \
	 BIT64(VIRTIO_RING_F_INDIRECT_DESC) | BIT64(VIRTIO_RING_F_EVENT_IDX) | \
	 BIT64(VHOST_USER_F_PROTOCOL_FEATURES))

#define COMMON_PROTOCOL_FEATURES                                   \
	(BIT64(VHOST_USER_PROTOCOL_F_MQ) |                         \
	 BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK) |                  \
	 BIT64(VHOST_USER_PROTOCOL_F_RESET_DEVICE) |               \
	 BIT64(VHOST_USER_PROTOCOL_F_STATUS))

static bool offer_mem_slots;

void vu_offer_mem_slots(bool on)
{
	offer_mem_slots = on;
}

static uint64_t dev_offered_features(const struct vu_dev *d)
{
	return COMMON_FEATURES | d->ops->features;
}

static uint64_t dev_offered_protocol(const struct vu_dev *d)
{
	return COMMON_PROTOCOL_FEATURES | d->ops->protocol_features |
	       (offer_mem_slots ? BIT64(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) : 0);
}

/* Until the frontend sets protocol features on a connection, it is taken
 * to use what we offer: QEMU (10 and 11) skips the handshake when it
 * reconnects to a restarted backend (vhost-user-scmi) and goes straight to
 * starting the rings with NEED_REPLY set.  Once set, they are enforced. */
static bool has_protocol(const struct vu_dev *d, unsigned bit)
{
	if (!d->protocol_set)
		return dev_offered_protocol(d) & BIT64(bit);
	return d->protocol_features & BIT64(bit);
}

/* ---------------- replies ---------------- */

static int send_reply(struct vu_dev *d, uint32_t request, const void *payload, uint32_t size)
{
	struct vhost_user_hdr h = {
		.request = request,
		.flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
		.size = size,
	};
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	ssize_t n;

	/* never sleeps (no EINTR): a frontend that does not read its
	 * replies fills the socket and is dropped, the loop goes on */
	n = sendmsg(d->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(h) + size)
		return -EIO;
	return 0;
}

static int reply_u64(struct vu_dev *d, uint32_t request, uint64_t v)
{
	return send_reply(d, request, &v, sizeof(v));
}

/* ---------------- request handlers ---------------- */

/* A received message, payload naturally aligned (the wire layout packs it). */
struct vu_msg {
	struct vhost_user_hdr hdr;
	union vhost_user_payload payload;
};

struct req_ctx {
	struct vu_dev *d;
	struct vu_msg *m;
	int *fds;
	unsigned nfds;
	bool replied;      /* handler sent its own reply */
};

#define BAD(...) ({ log_bad(__VA_ARGS__); -EINVAL; })

static struct vq *ctx_vq(struct req_ctx *c, uint32_t index)
{
	if (index >= c->d->ops->num_queues)
		return NULL;
	return &c->d->vq[index];
}

static int h_get_features(struct req_ctx *c)
{
	c->replied = true;
	return reply_u64(c->d, c->m->hdr.request, dev_offered_features(c->d));
}

static int h_set_features(struct req_ctx *c)
{
	struct vu_dev *d = c->d;
	uint64_t f = c->m->payload.u64;

	if (f & ~dev_offered_features(d))
		return BAD("%s: SET_FEATURES 0x%llx has bits that were not offered (0x%llx)",
			   d->path, (unsigned long long)f,
			   (unsigned long long)dev_offered_features(d));
	d->features = f;
	d->features_set = true;
	for (unsigned q = 0; q < d->ops->num_queues; q++) {
		struct vq *vq = &d->vq[q];

		vq->event_idx = f & BIT64(VIRTIO_RING_F_EVENT_IDX);
		vq->indirect = f & BIT64(VIRTIO_RING_F_INDIRECT_DESC);
		vq->notify_on_empty = f & BIT64(VIRTIO_F_NOTIFY_ON_EMPTY);
		/* without PROTOCOL_FEATURES rings are enabled when started */
		if (!(f & BIT64(VHOST_USER_F_PROTOCOL_FEATURES)))
			vq->enabled = true;
	}
	if (d->ops->set_features)
		d->ops->set_features(d->priv, f);
	if (!(f & BIT64(VIRTIO_F_VERSION_1)))
		dev_hint(d, HINT_LEGACY, "%s: the driver did not accept VIRTIO_F_VERSION_1 "
			 "(features 0x%llx): this device is virtio 1.x only and a legacy transport "
			 "cannot drive it. With QEMU's virtio-mmio, add "
			 "-global virtio-mmio.force-legacy=false", d->path, (unsigned long long)f);
	dev_no_mem_watch(d, true);
	return 0;
}

static int h_get_protocol_features(struct req_ctx *c)
{
	c->replied = true;
	return reply_u64(c->d, c->m->hdr.request, dev_offered_protocol(c->d));
}

static int h_set_protocol_features(struct req_ctx *c)
{
	uint64_t f = c->m->payload.u64;

	if (f & ~dev_offered_protocol(c->d))
		return BAD("%s: SET_PROTOCOL_FEATURES 0x%llx has bits that were not offered",
			   c->d->path, (unsigned long long)f);
	c->d->protocol_features = f;
	c->d->protocol_set = true;
	return 0;
}

static int h_nop(struct req_ctx *c)
{
	return 0;
}

static int h_reset_owner(struct req_ctx *c)
{
	dev_reset_state(c->d, false);
	return 0;
}

static int h_reset_device(struct req_ctx *c)
{
	uint64_t pf = c->d->protocol_features;

	dev_reset_state(c->d, true);
	c->d->protocol_features = pf;
	return 0;
}

static int h_get_queue_num(struct req_ctx *c)
{
	c->replied = true;
	return reply_u64(c->d, c->m->hdr.request, c->d->ops->num_queues);
}

static int h_get_max_mem_slots(struct req_ctx *c)
{
	c->replied = true;
	return reply_u64(c->d, c->m->hdr.request, MEM_MAX_REGIONS);
}

static int h_set_mem_table(struct req_ctx *c)
{
	struct vu_dev *d = c->d;
	const struct vhost_user_memory *mm = &c->m->payload.memory;
	struct mem_table nt = { 0 };
	int r;

	if (mm->nregions == 0 || mm->nregions > VHOST_MEMORY_BASELINE_NREGIONS)
		return BAD("%s: SET_MEM_TABLE with %u regions (1..%u allowed)", d->path,
			   mm->nregions, VHOST_MEMORY_BASELINE_NREGIONS);
	if (c->m->hdr.size < 8 + mm->nregions * sizeof(struct vhost_user_region))
		return BAD("%s: SET_MEM_TABLE payload of %u bytes is too small for %u regions",
			   d->path, c->m->hdr.size, mm->nregions);
	if (c->nfds != mm->nregions)
		return BAD("%s: SET_MEM_TABLE with %u regions but %u fds", d->path,
			   mm->nregions, c->nfds);
	for (unsigned i = 0; i < mm->nregions; i++) {
		r = mem_add(&nt, &mm->regions[i], c->fds[i]);
		if (r < 0) {
			mem_clear(&nt);
			return BAD("%s: SET_MEM_TABLE region %u (gpa 0x%llx size 0x%llx) refused: %s",
				   d->path, i,
				   (unsigned long long)mm->regions[i].guest_phys_addr,
				   (unsigned long long)mm->regions[i].memory_size, strerror(-r));
		}
	}
	mem_clear(&d->mem);
	d->mem = nt;
	dev_no_mem_watch(d, false);
	dev_remap_queues(d);
	return 0;
}

static int h_add_mem_reg(struct req_ctx *c)
{
	const struct vhost_user_region *reg = &c->m->payload.mem_reg.region;
	int r;

	if (c->nfds != 1)
		return BAD("%s: ADD_MEM_REG with %u fds (1 needed)", c->d->path, c->nfds);
	r = mem_add(&c->d->mem, reg, c->fds[0]);
	if (r < 0)
		return BAD("%s: ADD_MEM_REG gpa 0x%llx size 0x%llx refused: %s", c->d->path,
			   (unsigned long long)reg->guest_phys_addr,
			   (unsigned long long)reg->memory_size, strerror(-r));
	dev_no_mem_watch(c->d, false);
	dev_remap_queues(c->d);
	return 0;
}

static int h_rem_mem_reg(struct req_ctx *c)
{
	const struct vhost_user_region *reg = &c->m->payload.mem_reg.region;
	int r = mem_remove(&c->d->mem, reg);

	if (r < 0)
		return BAD("%s: REM_MEM_REG gpa 0x%llx size 0x%llx: no such region", c->d->path,
			   (unsigned long long)reg->guest_phys_addr,
			   (unsigned long long)reg->memory_size);
	dev_remap_queues(c->d);
	return 0;
}

static int h_set_vring_num(struct req_ctx *c)
{
	struct vq *vq = ctx_vq(c, c->m->payload.state.index);
	int r;

	if (!vq)
		return BAD("%s: SET_VRING_NUM for queue %u (device has %u)", c->d->path,
			   c->m->payload.state.index, c->d->ops->num_queues);
	/* another size with elements held from the old ring: a new ring */
	if (!vq->started && vq_held(vq) && c->m->payload.state.num != vq->num)
		dev_ring_replaced(c->d, vq->index);
	r = vq_set_num(vq, c->m->payload.state.num);
	if (r < 0)
		return BAD("%s: queue %u: ring size %u refused (power of two up to %u, queue stopped)",
			   c->d->path, vq->index, c->m->payload.state.num, vq->max_size);
	return 0;
}

static int h_set_vring_addr(struct req_ctx *c)
{
	const struct vhost_vring_addr *a = &c->m->payload.addr;
	struct vq *vq = ctx_vq(c, a->index);

	if (!vq)
		return BAD("%s: SET_VRING_ADDR for queue %u (device has %u)", c->d->path,
			   a->index, c->d->ops->num_queues);
	if (c->d->mem.n == 0)
		dev_no_mem_hint(c->d, "ring addresses came (SET_VRING_ADDR)");
	if (vq_set_addr(vq, a) < 0 || vq_map(vq) < 0)
		return BAD("%s: queue %u: ring addresses desc 0x%llx avail 0x%llx used 0x%llx "
			   "are misaligned or not in guest memory", c->d->path, a->index,
			   (unsigned long long)a->desc_user_addr,
			   (unsigned long long)a->avail_user_addr,
			   (unsigned long long)a->used_user_addr);
	return 0;
}

static int h_set_vring_base(struct req_ctx *c)
{
	struct vq *vq = ctx_vq(c, c->m->payload.state.index);

	if (!vq)
		return BAD("%s: SET_VRING_BASE for queue %u (device has %u)", c->d->path,
			   c->m->payload.state.index, c->d->ops->num_queues);
	if (c->m->payload.state.num > 0xffff || vq_set_base(vq, c->m->payload.state.num) < 0)
		return BAD("%s: queue %u: SET_VRING_BASE %u refused (out of range or queue running)",
			   c->d->path, vq->index, c->m->payload.state.num);
	return 0;
}

static int h_get_vring_base(struct req_ctx *c)
{
	struct vq *vq = ctx_vq(c, c->m->payload.state.index);
	struct vhost_vring_state st;

	if (!vq)
		return BAD("%s: GET_VRING_BASE for queue %u (device has %u)", c->d->path,
			   c->m->payload.state.index, c->d->ops->num_queues);
	/* a pause or a reset: held elements stay until the restart tells */
	if (vq->started)
		c->d->suspended = true;
	st.index = vq->index;
	st.num = vq_stop(vq);
	c->replied = true;
	return send_reply(c->d, c->m->hdr.request, &st, sizeof(st));
}

/* SET_VRING_KICK / CALL / ERR: u64 with the index and the no-fd flag. */
static int vring_fd_arg(struct req_ctx *c, const char *what, struct vq **vq, int *fd)
{
	uint64_t v = c->m->payload.u64;
	unsigned want = (v & VHOST_USER_VRING_NOFD_MASK) ? 0 : 1;

	if (v & ~(uint64_t)(VHOST_USER_VRING_IDX_MASK | VHOST_USER_VRING_NOFD_MASK))
		return BAD("%s: %s with unknown bits 0x%llx", c->d->path, what, (unsigned long long)v);
	*vq = ctx_vq(c, v & VHOST_USER_VRING_IDX_MASK);
	if (!*vq)
		return BAD("%s: %s for queue %u (device has %u)", c->d->path, what,
			   (unsigned)(v & VHOST_USER_VRING_IDX_MASK), c->d->ops->num_queues);
	if (c->nfds != want)
		return BAD("%s: %s with %u fds (%u expected)", c->d->path, what, c->nfds, want);
	*fd = want ? c->fds[0] : -1;
	if (want)
		c->fds[0] = -1;   /* taken */
	return 0;
}

static int h_set_vring_kick(struct req_ctx *c)
{
	struct vu_dev *d = c->d;
	struct vq *vq;
	int fd, r = vring_fd_arg(c, "SET_VRING_KICK", &vq, &fd);

	if (r < 0)
		return r;
	if (fd < 0)
		return BAD("%s: queue %u: polling mode (kick without fd) is not supported",
			   d->path, vq->index);
	loop_del(d->loop, d->kick_w[vq->index]);
	d->kick_w[vq->index] = NULL;
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	vq->kick_fd = fd;   /* read with RWF_NOWAIT whatever its flags (efd.h) */
	d->idle_kicks[vq->index] = 0;
	d->kick_w[vq->index] = loop_add(d->loop, fd, EPOLLIN, dev_on_kick, vq);
	if (!d->kick_w[vq->index]) {
		int e = errno;

		log_bad("%s: queue %u: the kick fd cannot be watched: %s", d->path, vq->index,
			strerror(e));
		return -e;
	}
	if (d->mem.n == 0)
		dev_no_mem_hint(d, "a ring was started (SET_VRING_KICK)");
	if (!(d->features & BIT64(VHOST_USER_F_PROTOCOL_FEATURES)))
		vq->enabled = true;
	dev_queue_started(d, vq->index, vq_start(vq));
	/* requests published before the kick fd existed are served now */
	dev_process_queue(d, vq->index);
	return 0;
}

/* Call and error fds are signalled through the kernel (efd.h), which
 * only eventfds allow. */
static int notify_fd_ok(struct req_ctx *c, const char *what, struct vq *vq, int fd)
{
	if (fd < 0 || efd_check(fd) == 0) {
		if (fd >= 0)
			efd_take(fd);
		return 0;
	}
	close(fd);
	return BAD("%s: queue %u: %s with an fd that is not an eventfd", c->d->path,
		   vq->index, what);
}

static int h_set_vring_call(struct req_ctx *c)
{
	struct vq *vq;
	int fd, r = vring_fd_arg(c, "SET_VRING_CALL", &vq, &fd);

	if (r < 0 || (r = notify_fd_ok(c, "SET_VRING_CALL", vq, fd)) < 0)
		return r;
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	vq->call_fd = fd;
	c->d->call_seen |= 1u << vq->index;
	/* a new call fd on a running ring (a restart without
	 * PROTOCOL_FEATURES sends it after the kick, which published what was
	 * parked): that may have signalled the old one, so the driver looks
	 * once more */
	if (vq->started && vq->enabled)
		vq_signal_call(vq);
	return 0;
}

static int h_set_vring_err(struct req_ctx *c)
{
	struct vq *vq;
	int fd, r = vring_fd_arg(c, "SET_VRING_ERR", &vq, &fd);

	if (r < 0 || (r = notify_fd_ok(c, "SET_VRING_ERR", vq, fd)) < 0)
		return r;
	if (vq->err_fd >= 0)
		close(vq->err_fd);
	vq->err_fd = fd;
	return 0;
}

static int h_set_vring_enable(struct req_ctx *c)
{
	struct vq *vq = ctx_vq(c, c->m->payload.state.index);

	if (!vq)
		return BAD("%s: SET_VRING_ENABLE for queue %u (device has %u)", c->d->path,
			   c->m->payload.state.index, c->d->ops->num_queues);
	if (c->m->payload.state.num > 1)
		return BAD("%s: SET_VRING_ENABLE %u for queue %u", c->d->path,
			   c->m->payload.state.num, vq->index);
	vq->enabled = c->m->payload.state.num;
	if (vq->enabled)
		dev_process_queue(c->d, vq->index);  /* kicks that came early */
	return 0;
}

static int h_get_config(struct req_ctx *c)
{
	struct vu_dev *d = c->d;
	const struct vhost_user_config *in = &c->m->payload.config;
	struct vhost_user_config out = { .offset = in->offset, .size = in->size };
	uint8_t full[VHOST_USER_MAX_CONFIG_SIZE] = { 0 };

	c->replied = true;
	if (in->size > VHOST_USER_MAX_CONFIG_SIZE || in->offset > d->ops->config_size ||
	    in->size > d->ops->config_size - in->offset || !d->ops->get_config) {
		log_bad("%s: GET_CONFIG offset %u size %u outside the %u-byte config space",
			d->path, in->offset, in->size, d->ops->config_size);
		return send_reply(d, c->m->hdr.request, NULL, 0);
	}
	d->ops->get_config(d->priv, full);
	memcpy(out.region, full + in->offset, in->size);
	return send_reply(d, c->m->hdr.request, &out, VHOST_USER_CONFIG_HDR_SIZE + in->size);
}

static int h_set_config(struct req_ctx *c)
{
	log_bad("%s: SET_CONFIG refused: the config space is read-only", c->d->path);
	return -EPERM;
}

static int h_set_status(struct req_ctx *c)
{
	if (c->m->payload.u64 > 0xff)
		return BAD("%s: SET_STATUS 0x%llx is not a status byte", c->d->path,
			   (unsigned long long)c->m->payload.u64);
	c->d->status = (uint8_t)c->m->payload.u64;
	/* 0 is a device reset.  QEMU sends it after every stop, a VM pause
	 * included: with rings stopped and state kept, the restart decides
	 * (see "Pause or reset" in dev.c). */
	if (c->d->status == 0 && !c->d->suspended)
		dev_device_reset(c->d, "SET_STATUS 0");
	return 0;
}

static int h_get_status(struct req_ctx *c)
{
	c->replied = true;
	return reply_u64(c->d, c->m->hdr.request, c->d->status);
}

#define SZ_VAR UINT32_MAX
/* payload sizes: exact, or SZ_VAR with a minimum checked by the handler */
struct req_desc {
	const char *name;
	int (*fn)(struct req_ctx *c);
	uint32_t size;      /* exact payload size, or SZ_VAR */
	uint32_t min_size;  /* for SZ_VAR */
	uint8_t max_fds;
	int8_t protocol_bit; /* request needs this protocol feature, -1 none */
	bool soft_fail;     /* failure is answered, the connection stays */
};

static const struct req_desc requests[VHOST_USER_MAX_REQUEST] = {
#define R(id, f, sz, fds, pb) [VHOST_USER_##id] = { #id, f, sz, 0, fds, pb, false }
	R(GET_FEATURES, h_get_features, 0, 0, -1),
	R(SET_FEATURES, h_set_features, 8, 0, -1),
	R(SET_OWNER, h_nop, 0, 0, -1),
	R(RESET_OWNER, h_reset_owner, 0, 0, -1),
	[VHOST_USER_SET_MEM_TABLE] = { "SET_MEM_TABLE", h_set_mem_table, SZ_VAR, 8,
				       VHOST_MEMORY_BASELINE_NREGIONS, -1, false },
	R(SET_VRING_NUM, h_set_vring_num, 8, 0, -1),
	R(SET_VRING_ADDR, h_set_vring_addr, sizeof(struct vhost_vring_addr), 0, -1),
	R(SET_VRING_BASE, h_set_vring_base, 8, 0, -1),
	R(GET_VRING_BASE, h_get_vring_base, 8, 0, -1),
	R(SET_VRING_KICK, h_set_vring_kick, 8, 1, -1),
	R(SET_VRING_CALL, h_set_vring_call, 8, 1, -1),
	R(SET_VRING_ERR, h_set_vring_err, 8, 1, -1),
	R(GET_PROTOCOL_FEATURES, h_get_protocol_features, 0, 0, -1),
	R(SET_PROTOCOL_FEATURES, h_set_protocol_features, 8, 0, -1),
	R(GET_QUEUE_NUM, h_get_queue_num, 0, 0, VHOST_USER_PROTOCOL_F_MQ),
	R(SET_VRING_ENABLE, h_set_vring_enable, 8, 0, -1),
	[VHOST_USER_GET_CONFIG] = { "GET_CONFIG", h_get_config, SZ_VAR,
				    VHOST_USER_CONFIG_HDR_SIZE, 0,
				    VHOST_USER_PROTOCOL_F_CONFIG, false },
	[VHOST_USER_SET_CONFIG] = { "SET_CONFIG", h_set_config, SZ_VAR,
				    VHOST_USER_CONFIG_HDR_SIZE, 0,
				    VHOST_USER_PROTOCOL_F_CONFIG, true },
	R(RESET_DEVICE, h_reset_device, 0, 0, VHOST_USER_PROTOCOL_F_RESET_DEVICE),
	R(GET_MAX_MEM_SLOTS, h_get_max_mem_slots, 0, 0, VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS),
	R(ADD_MEM_REG, h_add_mem_reg, sizeof(struct vhost_user_mem_reg), 1,
	  VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS),
	R(REM_MEM_REG, h_rem_mem_reg, sizeof(struct vhost_user_mem_reg), 1,
	  VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS),
	R(SET_STATUS, h_set_status, 8, 0, VHOST_USER_PROTOCOL_F_STATUS),
	R(GET_STATUS, h_get_status, 0, 0, VHOST_USER_PROTOCOL_F_STATUS),
#undef R
};

/* Validate and run one complete message.  Returns false if the
 * connection must be dropped. */
bool dev_dispatch_msg(struct vu_dev *d)
{
	struct vu_msg m;
	const struct req_desc *rd = NULL;
	struct req_ctx c = { .d = d, .m = &m, .fds = d->rx_fds, .nfds = d->rx_nfds };
	bool need_ack;
	int r;

	memset(&m, 0, sizeof(m));
	memcpy(&m.hdr, d->rx, HDR_SIZE);
	memcpy(&m.payload, d->rx + HDR_SIZE, d->rx_have - HDR_SIZE);
	if (m.hdr.request < VHOST_USER_MAX_REQUEST)
		rd = &requests[m.hdr.request];
	if (!rd || !rd->fn) {
		log_bad("%s: unknown or unsupported request %u; dropping the connection",
			d->path, m.hdr.request);
		return false;
	}
	need_ack = (m.hdr.flags & VHOST_USER_NEED_REPLY) &&
		   has_protocol(d, VHOST_USER_PROTOCOL_F_REPLY_ACK);
	if (m.hdr.size == 8)
		log_debug("%s: %s size %u fds %u flags 0x%x u64 0x%llx", d->path, rd->name,
			  m.hdr.size, c.nfds, m.hdr.flags, (unsigned long long)m.payload.u64);
	else
		log_debug("%s: %s size %u fds %u flags 0x%x", d->path, rd->name, m.hdr.size,
			  c.nfds, m.hdr.flags);
	if (rd->protocol_bit >= 0 && !has_protocol(d, rd->protocol_bit))
		r = BAD("%s: %s needs protocol feature %d, which was not negotiated",
			d->path, rd->name, rd->protocol_bit);
	else if (rd->size != SZ_VAR && m.hdr.size != rd->size)
		r = BAD("%s: %s with a %u-byte payload (%u expected)", d->path, rd->name,
			m.hdr.size, rd->size);
	else if (rd->size == SZ_VAR && m.hdr.size < rd->min_size)
		r = BAD("%s: %s with a %u-byte payload (at least %u expected)", d->path,
			rd->name, m.hdr.size, rd->min_size);
	else if (c.nfds > rd->max_fds)
		r = BAD("%s: %s with %u fds (at most %u)", d->path, rd->name, c.nfds, rd->max_fds);
	else if (m.hdr.request == VHOST_USER_GET_CONFIG &&
		 m.hdr.size != VHOST_USER_CONFIG_HDR_SIZE + m.payload.config.size)
		r = BAD("%s: GET_CONFIG size field %u does not match its %u-byte payload",
			d->path, m.payload.config.size, m.hdr.size);
	else
		r = rd->fn(&c);

	/* fds not taken by a handler are ours to close */
	dev_close_fds(d->rx_fds, d->rx_nfds);
	d->rx_nfds = 0;

	if (need_ack && !c.replied)
		reply_u64(d, m.hdr.request, r < 0 ? 1 : 0);
	else if (r < 0 && c.replied)
		return false;   /* the reply could not be sent */
	return r >= 0 || rd->soft_fail;
}
