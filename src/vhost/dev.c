/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-user backend: listening socket, connection, message dispatch.
 *
 * Reactions to bad input from the frontend (documented in README.md):
 *  - a message that breaks framing or the protocol (short or oversized
 *    header/payload, payload size not matching the request, wrong number of
 *    fds, unknown or not-negotiated request, bad queue index, bad ring
 *    size, invalid or overlapping memory regions, ring addresses outside
 *    guest memory, features that were not offered): the request is refused
 *    without changing state, a failure ack is sent when the frontend asked
 *    for one (REPLY_ACK), the connection is dropped and the device state is
 *    reset; the next connection is served normally.
 *  - GET_CONFIG outside the config space: a reply with an empty payload.
 *  - SET_CONFIG: the config spaces here are read-only: failure ack.
 *  - bad descriptor chains: see vq.h (queue marked broken, err fd signalled).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "vhost/dev.h"
#include "vhost/proto.h"

#define HDR_SIZE ((uint32_t)sizeof(struct vhost_user_hdr))
#define MAX_PAYLOAD ((uint32_t)sizeof(union vhost_user_payload))

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

/* a work budget per queue pass, so one busy guest cannot starve others */
#define BATCH_BUDGET 256

struct vu_dev {
	struct loop *loop;
	const struct dev_ops *ops;
	void *priv;
	char *path;
	int listen_fd;
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
	struct mem_table mem;
	struct vq vq[DEV_MAX_QUEUES];
	struct loop_watch *kick_w[DEV_MAX_QUEUES];
	uint32_t batching;        /* bit q set while q's batch runs */
};

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

static void close_fds(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---------------- queues ---------------- */

static void process_queue(struct vu_dev *d, unsigned q)
{
	struct vq *vq = &d->vq[q];
	struct vq_elem *e;
	unsigned done = 0;
	int r;

	if (!vq_ready(vq)) {
		vq->kick_pending = true;
		return;
	}
	vq->kick_pending = false;
	d->batching |= 1u << q;
	while (done < BATCH_BUDGET && (r = vq_pop(vq, &e)) > 0) {
		int n = d->ops->handle(d->priv, d, q, e);

		done++;
		if (n == DEV_HELD)
			continue;
		if (n < 0) {
			log_bad("%s: queue %u: request with head %u could not be answered (%s); "
				"returned with no data", d->path, q, e->head, strerror(-n));
			n = 0;
		}
		vq_push(vq, e, (uint32_t)n);
	}
	/* the batch ends when the ring is empty, not when a pass is cut short
	 * by the budget: only then may a device submit what it holds */
	if (done < BATCH_BUDGET && d->ops->flush && !vq->broken)
		d->ops->flush(d->priv, d, q);
	d->batching &= ~(1u << q);
	vq_notify(vq);
	if (done == BATCH_BUDGET && vq->kick_fd >= 0) {
		/* more may be waiting: come back after the other watches */
		uint64_t one = 1;

		if (write(vq->kick_fd, &one, sizeof(one)) < 0)
			vq->kick_pending = true;
	}
}

static void on_kick(void *opaque, int fd, uint32_t events)
{
	struct vq *vq = opaque;
	struct vu_dev *d = (struct vu_dev *)((char *)(vq - vq->index) - offsetof(struct vu_dev, vq));
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("%s: queue %u: kick read: %s", d->path, vq->index, strerror(errno));
	process_queue(d, vq->index);
}

void vu_complete(struct vu_dev *d, unsigned q, struct vq_elem *e, uint32_t len)
{
	struct vq *vq;

	if (q >= d->ops->num_queues)
		return;
	vq = &d->vq[q];
	if (!e->in_use || !vq->num)
		return;
	vq_push(vq, e, len);
	if (!(d->batching & (1u << q)))
		vq_notify(vq);
}

static void queue_stop(struct vu_dev *d, unsigned q)
{
	if (d->ops->queue_stop)
		d->ops->queue_stop(d->priv, d, q);
}

/* keep_notify: RESET_DEVICE keeps the call and error eventfds (the
 * frontend sets SET_VRING_ERR only once per connection). */
static void queue_reset(struct vu_dev *d, unsigned q, bool keep_notify)
{
	struct vq *vq = &d->vq[q];
	int call = -1, err = -1;

	queue_stop(d, q);
	loop_del(d->loop, d->kick_w[q]);
	d->kick_w[q] = NULL;
	if (keep_notify) {
		call = vq->call_fd;
		err = vq->err_fd;
		vq->call_fd = vq->err_fd = -1;
	}
	vq_reset(vq);
	vq->call_fd = call;
	vq->err_fd = err;
}

static void remap_queues(struct vu_dev *d)
{
	for (unsigned q = 0; q < d->ops->num_queues; q++)
		if (d->vq[q].addr_set && vq_map(&d->vq[q]) < 0)
			log_warn("%s: queue %u: rings not in guest memory after a memory change",
				 d->path, q);
}

/* Back to the state of a fresh connection; RESET_DEVICE (soft) keeps the
 * memory table and the call/error eventfds. */
static void device_reset(struct vu_dev *d, bool soft)
{
	for (unsigned q = 0; q < d->ops->num_queues; q++)
		queue_reset(d, q, soft);
	if (!soft)
		mem_clear(&d->mem);
	if (d->ops->reset)
		d->ops->reset(d->priv, d);
	d->features = 0;
	d->features_set = false;
	d->status = 0;
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

	do
		n = sendmsg(d->fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
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
	device_reset(c->d, false);
	return 0;
}

static int h_reset_device(struct req_ctx *c)
{
	uint64_t pf = c->d->protocol_features;

	device_reset(c->d, true);
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
	remap_queues(d);
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
	remap_queues(c->d);
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
	remap_queues(c->d);
	return 0;
}

static int h_set_vring_num(struct req_ctx *c)
{
	struct vq *vq = ctx_vq(c, c->m->payload.state.index);
	int r;

	if (!vq)
		return BAD("%s: SET_VRING_NUM for queue %u (device has %u)", c->d->path,
			   c->m->payload.state.index, c->d->ops->num_queues);
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
	queue_stop(c->d, vq->index);
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
	vq->kick_fd = fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	d->kick_w[vq->index] = loop_add(d->loop, fd, EPOLLIN, on_kick, vq);
	if (!d->kick_w[vq->index]) {
		int e = errno;

		log_bad("%s: queue %u: the kick fd cannot be watched: %s", d->path, vq->index,
			strerror(e));
		return -e;
	}
	vq->started = true;
	if (!(d->features & BIT64(VHOST_USER_F_PROTOCOL_FEATURES)))
		vq->enabled = true;
	/* requests published before the kick fd existed are served now */
	process_queue(d, vq->index);
	return 0;
}

static int h_set_vring_call(struct req_ctx *c)
{
	struct vq *vq;
	int fd, r = vring_fd_arg(c, "SET_VRING_CALL", &vq, &fd);

	if (r < 0)
		return r;
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	vq->call_fd = fd;
	return 0;
}

static int h_set_vring_err(struct req_ctx *c)
{
	struct vq *vq;
	int fd, r = vring_fd_arg(c, "SET_VRING_ERR", &vq, &fd);

	if (r < 0)
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
		process_queue(c->d, vq->index);  /* kicks that came early */
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

/* ---------------- connection ---------------- */

static void conn_close(struct vu_dev *d, const char *why)
{
	if (d->fd < 0)
		return;
	if (why)
		log_info("%s: frontend disconnected (%s)", d->path, why);
	device_reset(d, false);
	d->protocol_features = 0;
	d->protocol_set = false;
	loop_del(d->loop, d->conn_w);
	d->conn_w = NULL;
	close(d->fd);
	d->fd = -1;
	close_fds(d->rx_fds, d->rx_nfds);
	d->rx_nfds = 0;
	d->rx_have = 0;
}

/* Validate and run one complete message.  Returns false if the
 * connection must be dropped. */
static bool dispatch_msg(struct vu_dev *d)
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
	close_fds(d->rx_fds, d->rx_nfds);
	d->rx_nfds = 0;

	if (need_ack && !c.replied)
		reply_u64(d, m.hdr.request, r < 0 ? 1 : 0);
	else if (r < 0 && c.replied)
		return false;   /* the reply could not be sent */
	return r >= 0 || rd->soft_fail;
}

/* Read what is available of the current message.  Returns 1 when a whole
 * message is buffered, 0 when more is needed, -1 to drop the connection. */
static int conn_read(struct vu_dev *d)
{
	union {
		char buf[CMSG_SPACE(VHOST_USER_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	uint32_t want;
	ssize_t n;

	if (d->rx_have < HDR_SIZE) {
		want = HDR_SIZE - d->rx_have;
	} else {
		const struct vhost_user_hdr *h = (const void *)d->rx;
		want = HDR_SIZE + h->size - d->rx_have;
	}
	iov.iov_base = d->rx + d->rx_have;
	iov.iov_len = want;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	do
		n = recvmsg(d->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return 0;
		log_info("%s: receive: %s", d->path, strerror(errno));
		return -1;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		unsigned k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *fds = (int *)CMSG_DATA(cm);

		for (unsigned i = 0; i < k; i++) {
			if (d->rx_nfds < VHOST_USER_MAX_FDS)
				d->rx_fds[d->rx_nfds++] = fds[i];
			else
				close(fds[i]);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		log_bad("%s: more than %u fds with one message; dropping the connection",
			d->path, VHOST_USER_MAX_FDS);
		return -1;
	}
	if (n == 0) {
		if (d->rx_have)
			log_bad("%s: connection closed in the middle of a message", d->path);
		return -1;
	}
	d->rx_have += n;
	if (d->rx_have == HDR_SIZE) {
		const struct vhost_user_hdr *h = (const void *)d->rx;

		if ((h->flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
		    (h->flags & VHOST_USER_REPLY_MASK)) {
			log_bad("%s: message with bad flags 0x%x; dropping the connection",
				d->path, h->flags);
			return -1;
		}
		if (h->size > MAX_PAYLOAD) {
			log_bad("%s: request %u with a %u-byte payload (at most %u); dropping the connection",
				d->path, h->request, h->size, MAX_PAYLOAD);
			return -1;
		}
	}
	if (d->rx_have >= HDR_SIZE &&
	    d->rx_have == HDR_SIZE + ((const struct vhost_user_hdr *)d->rx)->size)
		return 1;
	return 0;
}

static void on_conn(void *opaque, int fd, uint32_t events)
{
	struct vu_dev *d = opaque;

	for (;;) {
		int r = conn_read(d);

		if (r < 0) {
			conn_close(d, "connection closed");
			return;
		}
		if (r == 0)
			return;
		bool ok = dispatch_msg(d);
		d->rx_have = 0;
		if (!ok) {
			conn_close(d, "invalid message");
			return;
		}
	}
}

static void on_listen(void *opaque, int fd, uint32_t events)
{
	struct vu_dev *d = opaque;
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (c < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("%s: accept: %s", d->path, strerror(errno));
		return;
	}
	if (d->fd >= 0) {
		/* the old connection may have closed in this same pass: read
		 * what it still has (its EOF) before judging */
		on_conn(d, d->fd, 0);
	}
	if (d->fd >= 0) {
		log_warn("%s: a frontend is already connected; refusing a second one", d->path);
		close(c);
		return;
	}
	d->conn_w = loop_add(d->loop, c, EPOLLIN, on_conn, d);
	if (!d->conn_w) {
		log_err("%s: cannot watch the connection: %s", d->path, strerror(errno));
		close(c);
		return;
	}
	d->fd = c;
	d->rx_have = 0;
	d->rx_nfds = 0;
	log_info("%s: frontend connected", d->path);
}

/* ---------------- lifecycle ---------------- */

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			errno = EEXIST;   /* never remove something that is not a socket */
			return -1;
		}
		unlink(path);     /* stale socket from an earlier run */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

struct vu_dev *vu_dev_new(struct loop *l, const char *path,
			  const struct dev_ops *ops, void *priv)
{
	struct vu_dev *d;
	int e;

	if (ops->num_queues == 0 || ops->num_queues > DEV_MAX_QUEUES ||
	    ops->config_size > VHOST_USER_MAX_CONFIG_SIZE || !ops->handle) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->loop = l;
	d->ops = ops;
	d->priv = priv;
	d->fd = -1;
	d->path = strdup(path);
	for (unsigned q = 0; q < ops->num_queues; q++)
		vq_init(&d->vq[q], q, ops->queue_size, &d->mem);
	if (!d->path)
		goto fail;
	d->listen_fd = listen_on(path);
	if (d->listen_fd < 0) {
		e = errno;
		log_err("cannot listen on '%s': %s%s", path, strerror(e),
			e == EEXIST ? " (the path exists and is not a socket)" : "");
		errno = e;
		goto fail;
	}
	d->listen_w = loop_add(l, d->listen_fd, EPOLLIN, on_listen, d);
	if (!d->listen_w) {
		e = errno;
		close(d->listen_fd);
		unlink(path);
		errno = e;
		goto fail;
	}
	log_info("listening on %s", path);
	return d;
fail:
	e = errno;
	free(d->path);
	free(d);
	errno = e;
	return NULL;
}

void vu_dev_free(struct vu_dev *d)
{
	if (!d)
		return;
	conn_close(d, NULL);
	for (unsigned q = 0; q < d->ops->num_queues; q++)
		vq_reset(&d->vq[q]);
	loop_del(d->loop, d->listen_w);
	close(d->listen_fd);
	unlink(d->path);
	free(d->path);
	free(d);
}

struct loop *vu_dev_loop(struct vu_dev *d)
{
	return d->loop;
}

struct vq *vu_dev_vq(struct vu_dev *d, unsigned q)
{
	return q < d->ops->num_queues ? &d->vq[q] : NULL;
}

bool vu_dev_connected(const struct vu_dev *d)
{
	return d->fd >= 0;
}

uint64_t vu_dev_features(const struct vu_dev *d)
{
	return d->features;
}

int vu_run(struct loop *l)
{
	int r = loop_handle_signals(l);

	if (r < 0) {
		log_err("cannot set up signal handling: %s", strerror(-r));
		return 1;
	}
	r = loop_run(l);
	if (r < 0) {
		log_err("event loop failed: %s", strerror(-r));
		return 1;
	}
	log_info("signal received, shutting down");
	return 0;
}
