/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Test vhost-user frontend: see fe.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fe.h"

#define VIRTIO_CONFIG_S_FEATURES_OK 8u
#define VIRTIO_CONFIG_S_DRIVER_OK   4u

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int remaining(long long deadline)
{
	long long r = deadline - now_ms();

	return r < 0 ? 0 : (int)r;
}

static int fail(struct fe *fe, int err)
{
	if (err < 0)
		fe->last_error = err;
	return err;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---------------------------------------------------------------- */

struct fe *fe_new(void)
{
	struct fe *fe = calloc(1, sizeof(*fe));

	if (!fe)
		return NULL;
	fe->sock = -1;
	fe->backend_req_fd = -1;
	for (unsigned q = 0; q < FE_MAX_QUEUES; q++) {
		fe->vq[q].kick_fd = -1;
		fe->vq[q].call_fd = -1;
		fe->vq[q].err_fd = -1;
	}
	return fe;
}

void fe_free(struct fe *fe)
{
	if (!fe)
		return;
	fe_disconnect(fe);
	for (unsigned q = 0; q < FE_MAX_QUEUES; q++) {
		struct fe_vq *vq = &fe->vq[q];

		close_fd(&vq->kick_fd);
		close_fd(&vq->call_fd);
		close_fd(&vq->err_fd);
		free(vq->chain_len);
		free(vq->next);
	}
	for (unsigned b = 0; b < fe->nblocks; b++) {
		munmap(fe->block[b].host, fe->block[b].size);
		close(fe->block[b].fd);
	}
	free(fe);
}

/* ---- guest memory ---- */

int fe_mem_block(struct fe *fe, uint64_t gpa, uint64_t size, unsigned nsplit)
{
	struct fe_block *b;
	uint64_t part;
	int fd, first;
	void *p;

	if (nsplit == 0 || size == 0 || size % nsplit ||
	    fe->nblocks >= FE_MAX_BLOCKS ||
	    fe->nregions + nsplit > FE_MAX_REGIONS || gpa + size < gpa)
		return fail(fe, -EINVAL);
	fd = memfd_create("fe-guest", MFD_CLOEXEC);
	if (fd < 0)
		return fail(fe, -errno);
	if (ftruncate(fd, (off_t)size) < 0) {
		int e = -errno;

		close(fd);
		return fail(fe, e);
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int e = -errno;

		close(fd);
		return fail(fe, e);
	}
	b = &fe->block[fe->nblocks++];
	b->fd = fd;
	b->host = p;
	b->gpa = gpa;
	b->size = size;
	b->used = gpa == 0 ? 64 : 0;   /* never hand out gpa 0 */

	first = (int)fe->nregions;
	part = size / nsplit;
	for (unsigned i = 0; i < nsplit; i++) {
		struct fe_region *r = &fe->region[fe->nregions++];

		r->gpa = gpa + i * part;
		r->size = part;
		r->host = b->host + i * part;
		r->uva = (uint64_t)(uintptr_t)r->host;
		r->mmap_offset = i * part;
		r->fd = fd;
		r->sent = false;
	}
	return first;
}

uint64_t fe_alloc(struct fe *fe, uint64_t len, uint64_t align)
{
	if (align == 0)
		align = 1;
	for (unsigned i = 0; i < fe->nblocks; i++) {
		struct fe_block *b = &fe->block[i];
		uint64_t start = (b->gpa + b->used + align - 1) & ~(align - 1);
		uint64_t off = start - b->gpa;

		if (off > b->size || len > b->size - off)
			continue;
		b->used = off + len;
		memset(b->host + off, 0, len);
		return start;
	}
	return 0;
}

uint64_t fe_alloc_across(struct fe *fe, unsigned r, uint64_t before,
			 uint64_t len)
{
	struct fe_region *a, *n;
	uint64_t gpa;

	if (r + 1 >= fe->nregions || before == 0 || before >= len)
		return 0;
	a = &fe->region[r];
	n = &fe->region[r + 1];
	if (a->fd != n->fd || a->gpa + a->size != n->gpa ||
	    before > a->size || len - before > n->size)
		return 0;
	gpa = n->gpa - before;
	for (unsigned i = 0; i < fe->nblocks; i++) {
		struct fe_block *b = &fe->block[i];

		if (b->fd != a->fd)
			continue;
		if (b->gpa + b->used > gpa)
			return 0;       /* already handed out */
		b->used = gpa + len - b->gpa;
		memset(b->host + (gpa - b->gpa), 0, len);
		return gpa;
	}
	return 0;
}

void *fe_ptr(struct fe *fe, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < fe->nblocks; i++) {
		struct fe_block *b = &fe->block[i];

		if (gpa >= b->gpa && gpa - b->gpa <= b->size &&
		    len <= b->size - (gpa - b->gpa))
			return b->host + (gpa - b->gpa);
	}
	return NULL;
}

uint64_t fe_uva(struct fe *fe, uint64_t gpa)
{
	for (unsigned i = 0; i < fe->nregions; i++) {
		struct fe_region *r = &fe->region[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r->uva + (gpa - r->gpa);
	}
	return 0;
}

/* ---- connection ---- */

int fe_connect(struct fe *fe, const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = now_ms() + timeout_ms;

	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(fe, -ENAMETOOLONG);
	strcpy(sa.sun_path, path);
	fe_disconnect(fe);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int e;

		if (fd < 0)
			return fail(fe, -errno);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			fe->sock = fd;
			return 0;
		}
		e = errno;
		close(fd);
		if (e != ENOENT && e != ECONNREFUSED && e != EAGAIN)
			return fail(fe, -e);
		if (now_ms() >= deadline)
			return fail(fe, -ETIMEDOUT);
		usleep(10000);
	}
}

void fe_disconnect(struct fe *fe)
{
	close_fd(&fe->sock);
	close_fd(&fe->backend_req_fd);
}

int fe_send_raw(struct fe *fe, const void *buf, size_t len,
		const int *fds, unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 64)];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t done = 0;

	if (fe->sock < 0)
		return fail(fe, -ENOTCONN);
	if (nfds > 64)
		return fail(fe, -EINVAL);
	if (nfds) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	while (done < len || (len == 0 && nfds)) {
		ssize_t n;

		iov.iov_base = (char *)buf + done;
		iov.iov_len = len - done;
		n = sendmsg(fe->sock, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail(fe, errno == ECONNRESET ? -EPIPE : -errno);
		}
		done += (size_t)n;
		mh.msg_control = NULL;   /* fds go with the first byte */
		mh.msg_controllen = 0;
		if (len == 0)
			break;
	}
	return 0;
}

int fe_send(struct fe *fe, uint32_t req, uint32_t flags, const void *payload,
	    uint32_t size, const int *fds, unsigned nfds)
{
	struct vhost_user_msg m;

	if (size > sizeof(m.payload))
		return fail(fe, -EINVAL);
	m.hdr.request = req;
	m.hdr.flags = flags | VHOST_USER_VERSION;
	m.hdr.size = size;
	if (size)
		memcpy(&m.payload, payload, size);
	return fe_send_raw(fe, &m, sizeof(m.hdr) + size, fds, nfds);
}

/* Read exactly len bytes before deadline; fds received are closed. */
static int read_full(struct fe *fe, void *buf, size_t len, long long deadline)
{
	size_t done = 0;

	while (done < len) {
		union {
			char b[CMSG_SPACE(sizeof(int) * 64)];
			struct cmsghdr align;
		} cm;
		struct iovec iov = { (char *)buf + done, len - done };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cm.b, .msg_controllen = sizeof(cm.b),
		};
		struct pollfd pfd = { .fd = fe->sock, .events = POLLIN };
		ssize_t n;
		int r = poll(&pfd, 1, remaining(deadline));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = recvmsg(fe->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errno == ECONNRESET ? -EPIPE : -errno;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		     c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS) {
				size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				int fds[64];

				memcpy(fds, CMSG_DATA(c), k * sizeof(int));
				for (size_t i = 0; i < k; i++)
					close(fds[i]);
			}
		}
		if (n == 0)
			return -EPIPE;
		done += (size_t)n;
	}
	return 0;
}

int fe_recv(struct fe *fe, struct vhost_user_msg *m, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int r;

	if (fe->sock < 0)
		return fail(fe, -ENOTCONN);
	r = read_full(fe, &m->hdr, sizeof(m->hdr), deadline);
	if (r < 0)
		return fail(fe, r);
	if ((m->hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
	    m->hdr.size > sizeof(m->payload))
		return fail(fe, -EPROTO);
	r = read_full(fe, &m->payload, m->hdr.size, deadline);
	if (r < 0)
		return fail(fe, r);
	return (int)m->hdr.size;
}

int fe_expect_eof(struct fe *fe, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char c;

	if (fe->sock < 0)
		return fail(fe, -ENOTCONN);
	for (;;) {
		struct pollfd pfd = { .fd = fe->sock, .events = POLLIN };
		int r = poll(&pfd, 1, remaining(deadline));
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(fe, -errno);
		if (r == 0)
			return fail(fe, -ETIMEDOUT);
		n = recv(fe->sock, &c, 1, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return 0;
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return fail(fe, -errno);
		return fail(fe, -EPROTO);
	}
}

static int check_reply(struct fe *fe, const struct vhost_user_msg *m,
		       uint32_t req)
{
	if (!(m->hdr.flags & VHOST_USER_REPLY_MASK) || m->hdr.request != req)
		return fail(fe, -EPROTO);
	return 0;
}

int fe_call(struct fe *fe, uint32_t req, const void *payload, uint32_t size,
	    struct vhost_user_msg *reply, int timeout_ms)
{
	int r = fe_send(fe, req, 0, payload, size, NULL, 0);

	if (r < 0)
		return r;
	r = fe_recv(fe, reply, timeout_ms);
	if (r < 0)
		return r;
	if (check_reply(fe, reply, req) < 0)
		return -EPROTO;
	return r;
}

int fe_set_ack(struct fe *fe, uint32_t req, const void *payload,
	       uint32_t size, const int *fds, unsigned nfds)
{
	struct vhost_user_msg m;
	int r = fe_send(fe, req, VHOST_USER_NEED_REPLY, payload, size, fds, nfds);

	if (r < 0)
		return r;
	r = fe_recv(fe, &m, FE_TIMEOUT_MS);
	if (r < 0)
		return r;
	if (check_reply(fe, &m, req) < 0 || r != 8)
		return fail(fe, -EPROTO);
	return m.payload.u64 == 0 ? 0 : fail(fe, -EIO);
}

int fe_set(struct fe *fe, uint32_t req, const void *payload, uint32_t size,
	   const int *fds, unsigned nfds)
{
	if (fe->reply_ack)
		return fe_set_ack(fe, req, payload, size, fds, nfds);
	return fe_send(fe, req, 0, payload, size, fds, nfds);
}

int fe_get_u64(struct fe *fe, uint32_t req, uint64_t *v)
{
	struct vhost_user_msg m;
	int r = fe_call(fe, req, NULL, 0, &m, FE_TIMEOUT_MS);

	if (r < 0)
		return r;
	if (r != 8)
		return fail(fe, -EPROTO);
	*v = m.payload.u64;
	return 0;
}

int fe_set_u64(struct fe *fe, uint32_t req, uint64_t v)
{
	return fe_set(fe, req, &v, sizeof(v), NULL, 0);
}

int fe_set_state(struct fe *fe, uint32_t req, unsigned idx, unsigned num)
{
	struct vhost_vring_state s = { .index = idx, .num = num };

	return fe_set(fe, req, &s, sizeof(s), NULL, 0);
}

int fe_set_vring_fd(struct fe *fe, uint32_t req, unsigned idx, int fd)
{
	uint64_t v = idx & VHOST_USER_VRING_IDX_MASK;

	if (fd < 0)
		return fe_set(fe, req, &(uint64_t){ v | VHOST_USER_VRING_NOFD_MASK },
			      sizeof(v), NULL, 0);
	return fe_set(fe, req, &v, sizeof(v), &fd, 1);
}

int fe_get_vring_base(struct fe *fe, unsigned idx, uint16_t *base)
{
	struct vhost_vring_state s = { .index = idx };
	struct vhost_user_msg m;
	int r = fe_call(fe, VHOST_USER_GET_VRING_BASE, &s, sizeof(s), &m,
			FE_TIMEOUT_MS);

	if (r < 0)
		return r;
	if (r != (int)sizeof(s) || m.payload.state.index != idx)
		return fail(fe, -EPROTO);
	if (base)
		*base = (uint16_t)m.payload.state.num;
	return 0;
}

int fe_get_config(struct fe *fe, uint32_t offset, uint32_t size, void *out)
{
	struct vhost_user_config c = { .offset = offset, .size = size };
	struct vhost_user_msg m;
	int r;

	if (size > VHOST_USER_MAX_CONFIG_SIZE)
		return fail(fe, -EINVAL);
	r = fe_call(fe, VHOST_USER_GET_CONFIG, &c,
		    VHOST_USER_CONFIG_HDR_SIZE + size, &m, FE_TIMEOUT_MS);
	if (r < 0)
		return r;
	if (r != (int)(VHOST_USER_CONFIG_HDR_SIZE + size) ||
	    m.payload.config.size != size)
		return fail(fe, -EPROTO);
	memcpy(out, m.payload.config.region, size);
	return 0;
}

void fe_region_desc(const struct fe *fe, unsigned i,
		    struct vhost_user_region *out)
{
	const struct fe_region *r = &fe->region[i];

	out->guest_phys_addr = r->gpa;
	out->memory_size = r->size;
	out->userspace_addr = r->uva;
	out->mmap_offset = r->mmap_offset;
}

int fe_set_mem_table(struct fe *fe)
{
	struct vhost_user_memory mem = { .nregions = fe->nregions };
	int fds[VHOST_MEMORY_BASELINE_NREGIONS];
	int r;

	if (fe->nregions > VHOST_MEMORY_BASELINE_NREGIONS)
		return fail(fe, -E2BIG);
	for (unsigned i = 0; i < fe->nregions; i++) {
		fe_region_desc(fe, i, &mem.regions[i]);
		fds[i] = fe->region[i].fd;
	}
	r = fe_set(fe, VHOST_USER_SET_MEM_TABLE, &mem,
		   8 + fe->nregions * sizeof(mem.regions[0]), fds, fe->nregions);
	if (r == 0)
		for (unsigned i = 0; i < fe->nregions; i++)
			fe->region[i].sent = true;
	return r;
}

int fe_add_mem_reg(struct fe *fe, unsigned i)
{
	struct vhost_user_mem_reg mr = { 0 };
	int r;

	if (i >= fe->nregions)
		return fail(fe, -EINVAL);
	fe_region_desc(fe, i, &mr.region);
	r = fe_set(fe, VHOST_USER_ADD_MEM_REG, &mr, sizeof(mr),
		   &fe->region[i].fd, 1);
	if (r == 0)
		fe->region[i].sent = true;
	return r;
}

int fe_rem_mem_reg(struct fe *fe, unsigned i)
{
	struct vhost_user_mem_reg mr = { 0 };
	int r;

	if (i >= fe->nregions)
		return fail(fe, -EINVAL);
	fe_region_desc(fe, i, &mr.region);
	r = fe_set(fe, VHOST_USER_REM_MEM_REG, &mr, sizeof(mr), NULL, 0);
	if (r == 0)
		fe->region[i].sent = false;
	return r;
}

/* ---- QEMU-like start/stop ---- */

static const struct fe_opts default_opts;

static int make_eventfd(int *fd)
{
	if (*fd >= 0)
		return 0;
	*fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

static bool has_proto(const struct fe *fe, unsigned bit)
{
	return fe->protocol & BIT64(bit);
}

int fe_init(struct fe *fe, const struct fe_opts *o)
{
	uint64_t v;
	int r;

	if (!o)
		o = &default_opts;
	fe->reply_ack = false;
	fe->protocol = 0;
	fe->dev_protocol = 0;
	fe->dev_queues = 0;
	fe->no_call = o->no_call;
	r = fe_get_u64(fe, VHOST_USER_GET_FEATURES, &fe->dev_features);
	if (r < 0)
		return r;
	if (fe->dev_features & BIT64(VHOST_USER_F_PROTOCOL_FEATURES)) {
		r = fe_get_u64(fe, VHOST_USER_GET_PROTOCOL_FEATURES,
			       &fe->dev_protocol);
		if (r < 0)
			return r;
		fe->protocol = fe->dev_protocol & FE_PROTOCOL_FEATURES &
			       ~o->protocol_off;
		r = fe_set_u64(fe, VHOST_USER_SET_PROTOCOL_FEATURES,
			       fe->protocol);
		if (r < 0)
			return r;
		fe->reply_ack = has_proto(fe, VHOST_USER_PROTOCOL_F_REPLY_ACK) &&
				!o->no_reply_ack;
	}
	if (has_proto(fe, VHOST_USER_PROTOCOL_F_MQ)) {
		r = fe_get_u64(fe, VHOST_USER_GET_QUEUE_NUM, &v);
		if (r < 0)
			return r;
		fe->dev_queues = (unsigned)v;
	}
	fe->nqueues = o->nqueues ? o->nqueues :
		      fe->dev_queues ? fe->dev_queues : 1;
	if (fe->nqueues > FE_MAX_QUEUES)
		fe->nqueues = FE_MAX_QUEUES;

	r = fe_set(fe, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);
	if (r < 0)
		return r;
	if (has_proto(fe, VHOST_USER_PROTOCOL_F_BACKEND_REQ)) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return fail(fe, -errno);
		close_fd(&fe->backend_req_fd);
		fe->backend_req_fd = sv[0];
		r = fe_set(fe, VHOST_USER_SET_BACKEND_REQ_FD, NULL, 0, &sv[1], 1);
		close(sv[1]);
		if (r < 0)
			return r;
	}
	/* QEMU asks again after SET_OWNER */
	r = fe_get_u64(fe, VHOST_USER_GET_FEATURES, &v);
	if (r < 0)
		return r;
	if (v != fe->dev_features)
		return fail(fe, -EPROTO);
	for (unsigned q = 0; q < fe->nqueues; q++) {
		struct fe_vq *vq = &fe->vq[q];

		if ((r = make_eventfd(&vq->call_fd)) < 0 ||
		    (r = make_eventfd(&vq->err_fd)) < 0 ||
		    (r = make_eventfd(&vq->kick_fd)) < 0)
			return fail(fe, r);
		r = fe->no_call ? 0 : fe_set_vring_fd(fe, VHOST_USER_SET_VRING_CALL, q, vq->call_fd);
		if (r < 0)
			return r;
		r = fe_set_vring_fd(fe, VHOST_USER_SET_VRING_ERR, q, vq->err_fd);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_status(struct fe *fe, uint8_t bits)
{
	uint64_t s;
	int r = fe_get_u64(fe, VHOST_USER_GET_STATUS, &s);

	if (r < 0)
		return r;
	return fe_set_u64(fe, VHOST_USER_SET_STATUS, (s | bits) & 0xff);
}

int fe_driver_start(struct fe *fe, const struct fe_opts *o)
{
	bool status;
	int r;

	if (!o)
		o = &default_opts;
	status = has_proto(fe, VHOST_USER_PROTOCOL_F_STATUS) && !o->no_status;
	if (o->config_size) {
		if (!has_proto(fe, VHOST_USER_PROTOCOL_F_CONFIG) ||
		    o->config_size > sizeof(fe->config))
			return fail(fe, -ENOTSUP);
		r = fe_get_config(fe, 0, o->config_size, fe->config);
		if (r < 0)
			return r;
		fe->config_len = o->config_size;
	}
	fe->features = (fe->dev_features & ~o->features_off) | o->features_on;
	r = fe_set_u64(fe, VHOST_USER_SET_FEATURES, fe->features);
	if (r < 0)
		return r;
	if (status && (r = add_status(fe, VIRTIO_CONFIG_S_FEATURES_OK)) < 0)
		return r;

	if (fe->nregions == 0) {
		r = fe_mem_block(fe, 0x100000, 4 << 20, 1);
		if (r < 0)
			return r;
	}
	if (o->mem_slots) {
		if (!has_proto(fe, VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS))
			return fail(fe, -ENOTSUP);
		for (unsigned i = 0; i < fe->nregions; i++)
			if ((r = fe_add_mem_reg(fe, i)) < 0)
				return r;
	} else if ((r = fe_set_mem_table(fe)) < 0) {
		return r;
	}

	for (unsigned q = 0; q < fe->nqueues; q++) {
		r = fe_queue_start(fe, q, o->queue_size ? o->queue_size : 64, 0);
		if (r < 0)
			return r;
	}
	if (!o->no_enable)
		for (unsigned q = 0; q < fe->nqueues; q++)
			if ((r = fe_queue_enable(fe, q, true)) < 0)
				return r;
	if (status && (r = add_status(fe, VIRTIO_CONFIG_S_DRIVER_OK)) < 0)
		return r;
	return 0;
}

int fe_start(struct fe *fe, const struct fe_opts *o)
{
	int r = fe_init(fe, o);

	return r < 0 ? r : fe_driver_start(fe, o);
}

static bool fe_event_idx(const struct fe *fe)
{
	return fe->features & BIT64(VIRTIO_RING_F_EVENT_IDX);
}

static uint16_t *used_event_ptr(struct fe_vq *vq)
{
	return &vq->avail->ring[vq->num];
}

static uint16_t *avail_event_ptr(struct fe_vq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->num];
}

int fe_queue_start(struct fe *fe, unsigned q, uint16_t num, uint16_t base)
{
	struct fe_vq *vq;
	struct vhost_vring_addr a;
	bool fresh = false;
	int r;

	if (q >= FE_MAX_QUEUES || num == 0 || (num & (num - 1)))
		return fail(fe, -EINVAL);
	vq = &fe->vq[q];
	if (vq->ring_num != num) {
		uint16_t *cl = calloc(num, sizeof(*cl));
		uint16_t *nx = calloc(num, sizeof(*nx));

		vq->desc_gpa = fe_alloc(fe, vring_desc_size(num), 16);
		vq->avail_gpa = fe_alloc(fe, vring_avail_size(num), 2);
		vq->used_gpa = fe_alloc(fe, vring_used_size(num), 4);
		if (!cl || !nx || !vq->desc_gpa || !vq->avail_gpa ||
		    !vq->used_gpa) {
			free(cl);
			free(nx);
			vq->ring_num = 0;
			vq->num = 0;
			return fail(fe, -ENOMEM);
		}
		free(vq->chain_len);
		free(vq->next);
		vq->chain_len = cl;
		vq->next = nx;
		vq->desc = fe_ptr(fe, vq->desc_gpa, vring_desc_size(num));
		vq->avail = fe_ptr(fe, vq->avail_gpa, vring_avail_size(num));
		vq->used = fe_ptr(fe, vq->used_gpa, vring_used_size(num));
		vq->indirect_gpa = 0;
		vq->ring_num = num;
		fresh = true;
	}
	vq->num = num;
	vq->avail_idx = base;
	vq->kicked_idx = base;
	if (fresh || base == 0) {
		/* a fresh start (a new driver): clean rings, used starts
		 * where avail does, outstanding chains are forgotten */
		memset(vq->desc, 0, vring_desc_size(num));
		memset(vq->avail, 0, vring_avail_size(num));
		memset(vq->used, 0, vring_used_size(num));
		vq->used->idx = base;
		vq->last_used = base;
		memset(vq->chain_len, 0, num * sizeof(*vq->chain_len));
		for (unsigned i = 0; i < num; i++)
			vq->next[i] = (uint16_t)(i + 1);
		vq->free_head = 0;
		vq->num_free = num;
	}
	/* else a restart (VM cont): the rings and the chains the device still
	 * holds stay; the backend reads used->idx from the ring */
	vq->avail->idx = base;
	*used_event_ptr(vq) = vq->last_used;
	if ((r = make_eventfd(&vq->kick_fd)) < 0 ||
	    (r = make_eventfd(&vq->call_fd)) < 0 ||
	    (r = make_eventfd(&vq->err_fd)) < 0)
		return fail(fe, r);

	if ((r = fe_set_state(fe, VHOST_USER_SET_VRING_NUM, q, num)) < 0)
		return r;
	if ((r = fe_set_state(fe, VHOST_USER_SET_VRING_BASE, q, base)) < 0)
		return r;
	memset(&a, 0, sizeof(a));
	a.index = q;
	a.desc_user_addr = fe_uva(fe, vq->desc_gpa);
	a.avail_user_addr = fe_uva(fe, vq->avail_gpa);
	a.used_user_addr = fe_uva(fe, vq->used_gpa);
	if ((r = fe_set(fe, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0)) < 0)
		return r;
	if ((r = fe_set_vring_fd(fe, VHOST_USER_SET_VRING_KICK, q, vq->kick_fd)) < 0)
		return r;
	if (fe->no_call)
		return 0;
	return fe_set_vring_fd(fe, VHOST_USER_SET_VRING_CALL, q, vq->call_fd);
}

int fe_queue_enable(struct fe *fe, unsigned q, bool on)
{
	int r = fe_set_state(fe, VHOST_USER_SET_VRING_ENABLE, q, on);

	if (r == 0 && q < FE_MAX_QUEUES)
		fe->vq[q].enabled = on;
	return r;
}

int fe_queue_stop(struct fe *fe, unsigned q, uint16_t *base)
{
	int r = fe_queue_enable(fe, q, false);

	return r < 0 ? r : fe_get_vring_base(fe, q, base);
}

int fe_stop(struct fe *fe)
{
	for (unsigned q = 0; q < fe->nqueues; q++) {
		int r;

		if (!fe->vq[q].num)
			continue;
		r = fe_queue_stop(fe, q, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- split ring, driver side ---- */

static struct fe_vq *get_vq(struct fe *fe, unsigned q)
{
	return q < FE_MAX_QUEUES && fe->vq[q].num ? &fe->vq[q] : NULL;
}

static uint16_t take_desc(struct fe_vq *vq)
{
	uint16_t i = vq->free_head;

	vq->free_head = vq->next[i];
	vq->num_free--;
	return i;
}

int fe_vq_add(struct fe *fe, unsigned q, const struct fe_seg *s, unsigned n,
	      bool indirect)
{
	struct fe_vq *vq = get_vq(fe, q);
	uint16_t head, prev = 0;

	if (!vq || n == 0)
		return fail(fe, -EINVAL);
	if (indirect) {
		struct vring_desc *t;
		uint64_t tsize = 16ull * FE_INDIRECT_MAX;

		if (n > FE_INDIRECT_MAX)
			return fail(fe, -E2BIG);
		if (vq->num_free < 1)
			return fail(fe, -ENOSPC);
		if (!vq->indirect_gpa) {
			vq->indirect_gpa = fe_alloc(fe, tsize * vq->num, 16);
			if (!vq->indirect_gpa)
				return fail(fe, -ENOMEM);
		}
		head = take_desc(vq);
		t = fe_ptr(fe, vq->indirect_gpa + tsize * head, tsize);
		for (unsigned i = 0; i < n; i++) {
			t[i].addr = s[i].gpa;
			t[i].len = s[i].len;
			t[i].flags = (s[i].write ? VRING_DESC_F_WRITE : 0) |
				     (i + 1 < n ? VRING_DESC_F_NEXT : 0);
			t[i].next = (uint16_t)(i + 1 < n ? i + 1 : 0);
		}
		vq->desc[head].addr = vq->indirect_gpa + tsize * head;
		vq->desc[head].len = 16 * n;
		vq->desc[head].flags = VRING_DESC_F_INDIRECT;
		vq->desc[head].next = 0;
		vq->chain_len[head] = 1;
		return head;
	}
	if (vq->num_free < n)
		return fail(fe, -ENOSPC);
	head = vq->free_head;
	for (unsigned i = 0; i < n; i++) {
		uint16_t d = take_desc(vq);

		vq->desc[d].addr = s[i].gpa;
		vq->desc[d].len = s[i].len;
		vq->desc[d].flags = s[i].write ? VRING_DESC_F_WRITE : 0;
		vq->desc[d].next = 0;
		if (i) {
			vq->desc[prev].flags |= VRING_DESC_F_NEXT;
			vq->desc[prev].next = d;
			vq->next[prev] = d;
		}
		prev = d;
	}
	vq->chain_len[head] = (uint16_t)n;
	return head;
}

void fe_vq_publish(struct fe *fe, unsigned q, uint16_t head)
{
	struct fe_vq *vq = get_vq(fe, q);

	if (!vq)
		return;
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	vq->avail_idx++;
	__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
}

struct vring_desc *fe_vq_desc(struct fe *fe, unsigned q)
{
	struct fe_vq *vq = get_vq(fe, q);

	return vq ? vq->desc : NULL;
}

void fe_vq_set_avail_idx(struct fe *fe, unsigned q, uint16_t idx)
{
	struct fe_vq *vq = get_vq(fe, q);

	if (vq)
		__atomic_store_n(&vq->avail->idx, idx, __ATOMIC_RELEASE);
}

int fe_vq_kick(struct fe *fe, unsigned q)
{
	struct fe_vq *vq = q < FE_MAX_QUEUES ? &fe->vq[q] : NULL;
	uint64_t one = 1;

	if (!vq || vq->kick_fd < 0)
		return fail(fe, -EINVAL);
	if (vq->num)
		vq->kicked_idx = vq->avail_idx;
	if (write(vq->kick_fd, &one, sizeof(one)) != sizeof(one))
		return fail(fe, -errno);
	return 0;
}

int fe_vq_notify(struct fe *fe, unsigned q)
{
	struct fe_vq *vq = get_vq(fe, q);
	bool kick;
	int r;

	if (!vq)
		return fail(fe, -EINVAL);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (fe_event_idx(fe))
		kick = vring_need_event(__atomic_load_n(avail_event_ptr(vq),
							__ATOMIC_ACQUIRE),
					vq->avail_idx, vq->kicked_idx);
	else
		kick = !(__atomic_load_n(&vq->used->flags, __ATOMIC_ACQUIRE) &
			 VRING_USED_F_NO_NOTIFY);
	vq->kicked_idx = vq->avail_idx;
	if (!kick)
		return 0;
	r = fe_vq_kick(fe, q);
	return r < 0 ? r : 1;
}

static int wait_fd(int fd, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	uint64_t v;

	if (fd < 0)
		return -EINVAL;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, remaining(deadline));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if (read(fd, &v, sizeof(v)) == sizeof(v))
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
}

int fe_vq_wait_call(struct fe *fe, unsigned q, int timeout_ms)
{
	if (q >= FE_MAX_QUEUES)
		return fail(fe, -EINVAL);
	return wait_fd(fe->vq[q].call_fd, timeout_ms);
}

int fe_vq_wait_err(struct fe *fe, unsigned q, int timeout_ms)
{
	if (q >= FE_MAX_QUEUES)
		return fail(fe, -EINVAL);
	return wait_fd(fe->vq[q].err_fd, timeout_ms);
}

unsigned fe_vq_pending(struct fe *fe, unsigned q)
{
	struct fe_vq *vq = get_vq(fe, q);

	if (!vq)
		return 0;
	return (uint16_t)(__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) -
			  vq->last_used);
}

int fe_vq_get_used(struct fe *fe, unsigned q, uint32_t *id, uint32_t *len)
{
	struct fe_vq *vq = get_vq(fe, q);
	struct vring_used_elem e;
	uint16_t n, d;

	if (!vq)
		return fail(fe, -EINVAL);
	if (__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) == vq->last_used)
		return 0;
	e = vq->used->ring[vq->last_used & (vq->num - 1)];
	vq->last_used++;
	if (fe_event_idx(fe)) {
		__atomic_store_n(used_event_ptr(vq), vq->last_used,
				 __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	*id = e.id;
	*len = e.len;
	if (e.id >= vq->num || !vq->chain_len[e.id])
		return fail(fe, -EPROTO);
	/* return the chain to the free list */
	n = vq->chain_len[e.id];
	vq->chain_len[e.id] = 0;
	d = (uint16_t)e.id;
	for (uint16_t i = 1; i < n; i++)
		d = vq->next[d];
	vq->next[d] = vq->free_head;
	vq->free_head = (uint16_t)e.id;
	vq->num_free += n;
	return 1;
}

int fe_request(struct fe *fe, unsigned q, const void *out, uint32_t out_len,
	       void *in, uint32_t in_cap, uint32_t *in_len, int timeout_ms)
{
	struct fe_vq *vq = get_vq(fe, q);
	long long deadline = now_ms() + timeout_ms;
	struct fe_seg s[2];
	uint32_t need = ((out_len + 15) & ~15u) + in_cap;
	unsigned n = 0;
	uint32_t id, len;
	int head, r;

	if (!vq)
		return fail(fe, -EINVAL);
	if (need > vq->scratch_len) {
		vq->scratch_gpa = fe_alloc(fe, need, 64);
		if (!vq->scratch_gpa) {
			vq->scratch_len = 0;
			return fail(fe, -ENOMEM);
		}
		vq->scratch_len = need;
	}
	if (out_len) {
		memcpy(fe_ptr(fe, vq->scratch_gpa, out_len), out, out_len);
		s[n++] = (struct fe_seg){ vq->scratch_gpa, out_len, false };
	}
	if (in_cap) {
		uint64_t g = vq->scratch_gpa + ((out_len + 15) & ~15u);

		memset(fe_ptr(fe, g, in_cap), 0, in_cap);
		s[n++] = (struct fe_seg){ g, in_cap, true };
	}
	head = fe_vq_add(fe, q, s, n, false);
	if (head < 0)
		return head;
	fe_vq_publish(fe, q, (uint16_t)head);
	r = fe_vq_notify(fe, q);
	if (r < 0)
		return r;
	for (;;) {
		r = fe_vq_get_used(fe, q, &id, &len);
		if (r < 0)
			return r;
		if (r == 1)
			break;
		r = fe_vq_wait_call(fe, q, remaining(deadline));
		if (r == -ETIMEDOUT)
			return fail(fe, fe_vq_pending(fe, q) ? -ENOMSG : -ETIMEDOUT);
		if (r < 0)
			return fail(fe, r);
	}
	if (id != (uint32_t)head || len > in_cap)
		return fail(fe, -EPROTO);
	if (in_cap)
		memcpy(in, fe_ptr(fe, vq->scratch_gpa + ((out_len + 15) & ~15u),
				  in_cap), len);
	if (in_len)
		*in_len = len;
	return 0;
}

const char *fe_req_name(uint32_t req)
{
	static const char *const names[] = {
		[VHOST_USER_GET_FEATURES] = "GET_FEATURES",
		[VHOST_USER_SET_FEATURES] = "SET_FEATURES",
		[VHOST_USER_SET_OWNER] = "SET_OWNER",
		[VHOST_USER_RESET_OWNER] = "RESET_OWNER",
		[VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
		[VHOST_USER_SET_LOG_BASE] = "SET_LOG_BASE",
		[VHOST_USER_SET_LOG_FD] = "SET_LOG_FD",
		[VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
		[VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
		[VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
		[VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
		[VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
		[VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
		[VHOST_USER_SET_VRING_ERR] = "SET_VRING_ERR",
		[VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
		[VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
		[VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
		[VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
		[VHOST_USER_SEND_RARP] = "SEND_RARP",
		[VHOST_USER_NET_SET_MTU] = "NET_SET_MTU",
		[VHOST_USER_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
		[VHOST_USER_IOTLB_MSG] = "IOTLB_MSG",
		[VHOST_USER_SET_VRING_ENDIAN] = "SET_VRING_ENDIAN",
		[VHOST_USER_GET_CONFIG] = "GET_CONFIG",
		[VHOST_USER_SET_CONFIG] = "SET_CONFIG",
		[VHOST_USER_GET_INFLIGHT_FD] = "GET_INFLIGHT_FD",
		[VHOST_USER_SET_INFLIGHT_FD] = "SET_INFLIGHT_FD",
		[VHOST_USER_RESET_DEVICE] = "RESET_DEVICE",
		[VHOST_USER_VRING_KICK] = "VRING_KICK",
		[VHOST_USER_GET_MAX_MEM_SLOTS] = "GET_MAX_MEM_SLOTS",
		[VHOST_USER_ADD_MEM_REG] = "ADD_MEM_REG",
		[VHOST_USER_REM_MEM_REG] = "REM_MEM_REG",
		[VHOST_USER_SET_STATUS] = "SET_STATUS",
		[VHOST_USER_GET_STATUS] = "GET_STATUS",
	};

	if (req < sizeof(names) / sizeof(names[0]) && names[req])
		return names[req];
	return "UNKNOWN";
}
