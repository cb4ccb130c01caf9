/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The I2C bus as the guest sees it: allowed 7-bit addresses mapped to
 * host adapters (I2C_RDWR, or SMBus emulation on SMBus-only adapters) or
 * to simulated devices, and the virtio-i2c request layer on top: every
 * group of FAIL_NEXT-linked requests is one transaction that succeeds or
 * fails as a whole. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/iov.h"
#include "common/log.h"
#include "devices/i2c.h"
#include "vhost/work.h"

int i2c_bus_init(struct i2c_bus *b, const struct i2c_host_ops *ops, void *ctx)
{
	memset(b, 0, sizeof(*b));
	b->ops = ops ? ops : &i2c_kernel_ops;
	b->ops_ctx = ctx;
	b->stage = malloc((size_t)I2C_GROUP_MAX * I2C_MSG_MAX);
	if (!b->stage)
		return -ENOMEM;
	return 0;
}

void i2c_bus_free(struct i2c_bus *b)
{
	for (unsigned i = 0; i < b->nadap; i++) {
		if (b->adap[i].fd >= 0 && b->ops->close)
			b->ops->close(b->ops_ctx, b->adap[i].fd);
		b->adap[i].fd = -1;
	}
	for (unsigned i = 0; i < b->nsim; i++) {
		struct i2c_sim *s = b->sim[i];

		if (s && s->model && s->model->destroy)
			s->model->destroy(s);
		free(s);
		b->sim[i] = NULL;
	}
	b->nsim = 0;
	free(b->stage);
	b->stage = NULL;
}

/* The driver bound to client <bus>-00AA, from its sysfs driver link. */
static void owner_driver(const struct i2c_bus *b, unsigned bus, unsigned addr,
			 char *out, size_t outlen)
{
	char path[512], link[256];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u-%04x/driver",
		 b->sysfs ? b->sysfs : "/sys/bus/i2c/devices", bus, addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0) {
		snprintf(out, outlen, "a kernel driver (%s unreadable)", path);
		return;
	}
	link[n] = 0;
	base = strrchr(link, '/');
	snprintf(out, outlen, "the kernel driver '%s'", base ? base + 1 : link);
}

/* I2C_SLAVE on every address listed for adapter a: refuses an address a
 * kernel driver has bound (i2c-dev answers EBUSY). */
static int claim_addresses(struct i2c_bus *b, unsigned ai, char *err, size_t errlen)
{
	struct i2c_adapter *a = &b->adap[ai];

	for (unsigned addr = 0; addr < I2C_NADDR; addr++) {
		char who[600];
		int r;

		if (b->map[addr].kind != I2C_T_HOST || b->map[addr].idx != ai)
			continue;
		r = b->ops->set_slave(b->ops_ctx, a->fd, (uint16_t)addr);
		if (r == -EBUSY) {
			owner_driver(b, a->bus, addr, who, sizeof(who));
			snprintf(err, errlen, "/dev/i2c-%u: address 0x%02x (%u) is in use by %s; "
				 "unbind it or leave the address out of --device-list",
				 a->bus, addr, addr, who);
			return r;
		}
		if (r < 0) {
			snprintf(err, errlen, "/dev/i2c-%u: address 0x%02x (%u): I2C_SLAVE failed: %s",
				 a->bus, addr, addr, strerror(-r));
			return r;
		}
	}
	return 0;
}

int i2c_bus_open(struct i2c_bus *b, char *err, size_t errlen)
{
	for (unsigned i = 0; i < b->nadap; i++) {
		struct i2c_adapter *a = &b->adap[i];
		int fd, r;

		if (a->fd >= 0)
			continue;
		fd = b->ops->open(b->ops_ctx, a->bus);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open /dev/i2c-%u: %s", a->bus,
				 strerror(-fd));
			return fd;
		}
		a->fd = fd;
		r = b->ops->funcs(b->ops_ctx, fd, &a->funcs);
		if (r < 0) {
			snprintf(err, errlen, "/dev/i2c-%u: I2C_FUNCS failed: %s", a->bus,
				 strerror(-r));
			return r;
		}
		r = claim_addresses(b, i, err, errlen);
		if (r < 0)
			return r;
		if (!(a->funcs & (I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL_ALL)))
			log_warn("/dev/i2c-%u supports neither I2C nor SMBus transfers "
				 "(functionality 0x%lx): every request to it will fail",
				 a->bus, a->funcs);
		else
			log_info("/dev/i2c-%u: %s (functionality 0x%lx)", a->bus,
				 a->funcs & I2C_FUNC_I2C ? "I2C transfers" : "SMBus emulation",
				 a->funcs);
	}
	return 0;
}

bool i2c_bus_allowed(const struct i2c_bus *b, unsigned addr)
{
	return addr < I2C_NADDR && b->map[addr].kind != I2C_T_NONE;
}

/* ---------------------------------------------------------------- SMBus */

static bool has(unsigned long funcs, unsigned long f)
{
	return (funcs & f) == f;
}

int i2c_smbus_map(unsigned long funcs, const struct i2c_xmsg *m, unsigned n,
		  struct i2c_smbus_op *op, const char **why)
{
	memset(op, 0, sizeof(*op));
	*why = NULL;
	if (n == 1) {
		const struct i2c_xmsg *a = &m[0];

		if (a->len == 0) {
			if (!has(funcs, I2C_FUNC_SMBUS_QUICK))
				goto nosup;
			op->rw = a->read ? I2C_SMBUS_READ : I2C_SMBUS_WRITE;
			op->size = I2C_SMBUS_QUICK;
			return 0;
		}
		if (a->read) {
			if (a->len != 1) {
				*why = "a plain read of more than one byte has no SMBus equivalent";
				return -EOPNOTSUPP;
			}
			if (!has(funcs, I2C_FUNC_SMBUS_READ_BYTE))
				goto nosup;
			op->rw = I2C_SMBUS_READ;
			op->size = I2C_SMBUS_BYTE;
			return 0;
		}
		op->rw = I2C_SMBUS_WRITE;
		op->cmd = a->buf[0];
		if (a->len == 1) {
			if (!has(funcs, I2C_FUNC_SMBUS_WRITE_BYTE))
				goto nosup;
			op->size = I2C_SMBUS_BYTE;
			return 0;
		}
		if (a->len == 2 && has(funcs, I2C_FUNC_SMBUS_WRITE_BYTE_DATA)) {
			op->size = I2C_SMBUS_BYTE_DATA;
			op->data.byte = a->buf[1];
			return 0;
		}
		if (a->len == 3 && has(funcs, I2C_FUNC_SMBUS_WRITE_WORD_DATA)) {
			op->size = I2C_SMBUS_WORD_DATA;
			op->data.word = (uint16_t)(a->buf[1] | a->buf[2] << 8);
			return 0;
		}
		if (a->len - 1 > I2C_SMBUS_BLOCK_MAX) {
			*why = "a write longer than 33 bytes has no SMBus equivalent";
			return -EOPNOTSUPP;
		}
		if (has(funcs, I2C_FUNC_SMBUS_WRITE_I2C_BLOCK)) {
			op->size = I2C_SMBUS_I2C_BLOCK_DATA;
			op->data.block[0] = (uint8_t)(a->len - 1);
			memcpy(&op->data.block[1], a->buf + 1, a->len - 1u);
			return 0;
		}
		/* [cmd, count, data...] is an SMBus block write on the wire */
		if (a->len >= 3 && a->buf[1] == a->len - 2 &&
		    has(funcs, I2C_FUNC_SMBUS_WRITE_BLOCK_DATA)) {
			op->size = I2C_SMBUS_BLOCK_DATA;
			op->data.block[0] = a->buf[1];
			memcpy(&op->data.block[1], a->buf + 2, a->len - 2u);
			return 0;
		}
		goto nosup;
	}
	if (n == 2 && !m[0].read && m[1].read && m[0].addr == m[1].addr &&
	    m[0].len >= 1 && m[1].len >= 1) {
		const struct i2c_xmsg *w = &m[0], *r = &m[1];

		op->rw = I2C_SMBUS_READ;
		op->cmd = w->buf[0];
		if (w->len == 3 && r->len == 2) {
			if (!has(funcs, I2C_FUNC_SMBUS_PROC_CALL))
				goto nosup;
			op->rw = I2C_SMBUS_WRITE;
			op->size = I2C_SMBUS_PROC_CALL;
			op->data.word = (uint16_t)(w->buf[1] | w->buf[2] << 8);
			return 0;
		}
		if (w->len != 1) {
			*why = "a write of more than one byte followed by a read has no SMBus equivalent";
			return -EOPNOTSUPP;
		}
		if (r->len == 1 && has(funcs, I2C_FUNC_SMBUS_READ_BYTE_DATA)) {
			op->size = I2C_SMBUS_BYTE_DATA;
			return 0;
		}
		if (r->len == 2 && has(funcs, I2C_FUNC_SMBUS_READ_WORD_DATA)) {
			op->size = I2C_SMBUS_WORD_DATA;
			return 0;
		}
		if (r->len <= I2C_SMBUS_BLOCK_MAX && has(funcs, I2C_FUNC_SMBUS_READ_I2C_BLOCK)) {
			op->size = I2C_SMBUS_I2C_BLOCK_DATA;
			op->data.block[0] = (uint8_t)r->len;
			return 0;
		}
		/* a read of [count, data...]: an SMBus block read if the
		 * device's count fills the buffer exactly */
		if (r->len >= 2 && r->len <= I2C_SMBUS_BLOCK_MAX + 1 &&
		    has(funcs, I2C_FUNC_SMBUS_READ_BLOCK_DATA)) {
			op->size = I2C_SMBUS_BLOCK_DATA;
			return 0;
		}
		goto nosup;
	}
	*why = "this sequence of messages has no SMBus equivalent";
	return -EOPNOTSUPP;
nosup:
	*why = "the adapter does not offer the SMBus transfer this needs";
	return -EOPNOTSUPP;
}

int i2c_smbus_result(const struct i2c_smbus_op *op, struct i2c_xmsg *m,
		     unsigned n)
{
	struct i2c_xmsg *r = &m[n - 1];

	if (!r->read || r->len == 0)
		return 0;
	switch (op->size) {
	case I2C_SMBUS_BYTE:
	case I2C_SMBUS_BYTE_DATA:
		r->buf[0] = op->data.byte;
		return 0;
	case I2C_SMBUS_WORD_DATA:
	case I2C_SMBUS_PROC_CALL:
		r->buf[0] = op->data.word & 0xff;
		r->buf[1] = op->data.word >> 8;
		return 0;
	case I2C_SMBUS_I2C_BLOCK_DATA:
		if (op->data.block[0] != r->len)
			return -EIO;
		memcpy(r->buf, &op->data.block[1], r->len);
		return 0;
	case I2C_SMBUS_BLOCK_DATA:
		if ((unsigned)op->data.block[0] + 1 != r->len)
			return -EIO;
		memcpy(r->buf, op->data.block, r->len);
		return 0;
	}
	return -EIO;
}

/* ---------------------------------------------------------------- backends */

int i2c_host_prepare(struct i2c_host_xfer *x)
{
	struct i2c_adapter *a = x->a;
	const char *why;
	int r;

	x->result = 0;
	if (a->fd < 0)
		return -ENODEV;
	x->smbus = !(a->funcs & I2C_FUNC_I2C);
	if (!x->smbus)
		return 0;
	r = i2c_smbus_map(a->funcs, x->m, x->n, &x->op, &why);
	if (r)
		log_bad("i2c-%u: SMBus-only adapter (functionality 0x%lx): %u message(s) "
			"to 0x%02x (first %s of %u bytes): %s", a->bus, a->funcs, x->n,
			x->m[0].addr, x->m[0].read ? "read" : "write", x->m[0].len, why);
	return r;
}

/* The ioctls only: safe on a worker thread (no logging, no guest memory:
 * the messages point into the caller's staging area). */
void i2c_host_exec(struct i2c_host_xfer *x)
{
	const struct i2c_host_ops *ops = x->b->ops;
	void *ctx = x->b->ops_ctx;
	int fd = x->a->fd;
	int r;

	x->slave_failed = false;
	if (!x->smbus) {
		struct i2c_msg msgs[I2C_GROUP_MAX];

		for (unsigned i = 0; i < x->n; i++) {
			msgs[i].addr = x->m[i].addr;
			msgs[i].flags = x->m[i].read ? I2C_M_RD : 0;
			msgs[i].len = x->m[i].len;
			msgs[i].buf = x->m[i].buf;
		}
		r = ops->rdwr(ctx, fd, msgs, x->n);
		x->result = r < 0 ? r : (unsigned)r != x->n ? -EIO : 0;
		return;
	}
	r = ops->set_slave(ctx, fd, x->m[0].addr);
	if (r < 0) {
		x->slave_failed = true;
		x->result = r;
		return;
	}
	x->result = ops->smbus(ctx, fd, x->op.rw, x->op.cmd, x->op.size,
			       x->op.size == I2C_SMBUS_QUICK ? NULL : &x->op.data);
}

int i2c_host_finish(struct i2c_host_xfer *x)
{
	struct i2c_adapter *a = x->a;

	if (x->result < 0) {
		if (x->slave_failed)
			log_bad("i2c-%u: cannot address 0x%02x: %s", a->bus, x->m[0].addr,
				strerror(-x->result));
		else
			log_debug("i2c-%u: %s of %u message(s) to 0x%02x failed: %s", a->bus,
				  x->smbus ? "SMBus transfer" : "transfer", x->n, x->m[0].addr,
				  strerror(-x->result));
		return x->result;
	}
	return x->smbus ? i2c_smbus_result(&x->op, x->m, x->n) : 0;
}

static int host_xfer(struct i2c_bus *b, struct i2c_adapter *a,
		     struct i2c_xmsg *m, unsigned n)
{
	struct i2c_host_xfer x = { .b = b, .a = a, .m = m, .n = n };
	int r = i2c_host_prepare(&x);

	if (r)
		return r;
	i2c_host_exec(&x);
	return i2c_host_finish(&x);
}

static int sim_xfer(struct i2c_bus *b, struct i2c_xmsg *m, unsigned n)
{
	int ret = 0;
	unsigned i;

	for (i = 0; i < b->nsim; i++)
		b->sim[i]->touched = false;
	for (i = 0; i < n && !ret; i++) {
		struct i2c_sim *s = b->sim[b->map[m[i].addr].idx];

		s->touched = true;
		if (s->model->start)
			s->model->start(s, m[i].read);
		ret = s->model->xfer(s, m[i].read, m[i].buf, m[i].len);
	}
	for (i = 0; i < b->nsim; i++) {
		struct i2c_sim *s = b->sim[i];

		if (s->touched && s->model->stop) {
			int r = s->model->stop(s);

			if (r && !ret)
				ret = r;
		}
		s->touched = false;
	}
	return ret;
}

struct i2c_adapter *i2c_bus_route(struct i2c_bus *b, const struct i2c_xmsg *m,
				  unsigned n, int *err)
{
	unsigned kind, idx;

	*err = 0;
	if (n == 0 || n > I2C_GROUP_MAX) {
		*err = -EINVAL;
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		if (!i2c_bus_allowed(b, m[i].addr)) {
			*err = -EACCES;
			return NULL;
		}
	}
	kind = b->map[m[0].addr].kind;
	idx = b->map[m[0].addr].idx;
	for (unsigned i = 1; i < n; i++) {
		if (b->map[m[i].addr].kind != kind ||
		    (kind == I2C_T_HOST && b->map[m[i].addr].idx != idx)) {
			log_bad("i2c: a transaction cannot span adapters "
				"(0x%02x and 0x%02x)", m[0].addr, m[i].addr);
			*err = -EXDEV;
			return NULL;
		}
	}
	return kind == I2C_T_HOST ? &b->adap[idx] : NULL;
}

void i2c_bus_set_fault(struct i2c_bus *b, unsigned addr, unsigned mode,
		       uint32_t count, int sock)
{
	struct i2c_fault *f;

	if (addr >= I2C_NADDR)
		return;
	f = &b->fault[addr];
	b->nfaults -= f->mode != I2C_FAULT_NONE;
	b->nfaults += mode != I2C_FAULT_NONE;
	*f = (struct i2c_fault){ .mode = (uint8_t)mode, .left = count,
				 .sock = (int16_t)(mode ? sock : -1) };
}

int i2c_bus_fault(struct i2c_bus *b, unsigned sock, const struct i2c_xmsg *m,
		  unsigned n)
{
	if (!b->nfaults)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		struct i2c_fault *f = &b->fault[m[i].addr];
		int r;

		if (!f->mode || (f->sock >= 0 && (unsigned)f->sock != sock))
			continue;
		/* the transaction ends at the first address that fails */
		r = f->mode == I2C_FAULT_NAK ? -ENXIO : -EIO;
		f->hits++;
		log_debug("i2c: 0x%02x: injected %s", m[i].addr,
			  r == -ENXIO ? "NAK" : "failure");
		if (f->left && !--f->left)
			i2c_bus_set_fault(b, m[i].addr, I2C_FAULT_NONE, 0, -1);
		return r;
	}
	return 0;
}

void i2c_xfer_failed(struct i2c_xmsg *m, unsigned n)
{
	/* never hand out partial or stale data */
	for (unsigned i = 0; i < n; i++)
		if (m[i].read && m[i].len)
			memset(m[i].buf, 0, m[i].len);
}

int i2c_bus_xfer(struct i2c_bus *b, struct i2c_xmsg *m, unsigned n)
{
	struct i2c_adapter *a;
	int r;

	a = i2c_bus_route(b, m, n, &r);
	if (r)
		return r;
	if (a)
		r = host_xfer(b, a, m, n);
	else
		r = sim_xfer(b, m, n);
	if (r)
		i2c_xfer_failed(m, n);
	return r;
}

static struct imgfile *sim_img(struct i2c_bus *b, unsigned i)
{
	struct i2c_sim *s = b->sim[i];

	return s && s->model->image ? s->model->image(s) : NULL;
}

bool i2c_bus_needs_threads(struct i2c_bus *b)
{
	if (b->nadap)
		return true;
	for (unsigned i = 0; i < b->nsim; i++)
		if (sim_img(b, i))
			return true;
	return false;
}

int i2c_bus_start(struct i2c_bus *b, struct loop *l)
{
	for (unsigned i = 0; i < b->nsim; i++) {
		struct imgfile *f = sim_img(b, i);

		if (!f)
			continue;
		if (!b->disk) {
			b->disk = worker_new(l, "i2c images");
			if (!b->disk)
				return -errno;
		}
		if (imgfile_start(f, l, b->disk))
			return -errno;
	}
	for (unsigned i = 0; i < b->nadap; i++) {
		char name[32];

		snprintf(name, sizeof(name), "i2c-%u", b->adap[i].bus);
		b->adap[i].wk = worker_new(l, name);
		if (!b->adap[i].wk)
			return -errno;
	}
	return 0;
}

bool i2c_bus_stop(struct i2c_bus *b)
{
	bool all = true, disk_stuck = !worker_free(b->disk);

	b->disk = NULL;
	for (unsigned i = 0; i < b->nsim; i++) {
		struct imgfile *f = sim_img(b, i);

		if (f)
			imgfile_flush(f, disk_stuck);   /* what is pending, now */
	}

	for (unsigned i = 0; i < b->nadap; i++) {
		if (!worker_free(b->adap[i].wk))
			all = false;
		b->adap[i].wk = NULL;
	}
	return all;
}

/* ---------------------------------------------------------------- requests */

void i2c_req_parse(struct vq_elem *e, struct i2c_req *r)
{
	struct virtio_i2c_out_hdr h;
	uint16_t addr;
	uint32_t flags;

	memset(r, 0, sizeof(*r));
	r->e = e;
	r->bad = true;
	if (e->out_len < sizeof(h)) {
		log_bad("i2c: request without a complete header (%u bytes)", e->out_len);
		return;
	}
	iov_to_buf(e->out, e->out_num, 0, &h, sizeof(h));
	addr = h.addr;
	flags = h.flags;
	/* FAIL_NEXT is honoured even for a malformed request, so the rest
	 * of its group fails with it */
	r->fail_next = flags & VIRTIO_I2C_FLAGS_FAIL_NEXT;
	r->read = flags & VIRTIO_I2C_FLAGS_M_RD;
	if (e->in_len < 1) {
		log_bad("i2c: request without a status byte");
		return;
	}
	if (flags & ~(VIRTIO_I2C_FLAGS_FAIL_NEXT | VIRTIO_I2C_FLAGS_M_RD)) {
		log_bad("i2c: request with reserved flags 0x%x", flags);
		return;
	}
	if (addr & 0xff01) {
		log_bad("i2c: address field 0x%04x is not a 7-bit address "
			"(10-bit addresses are not supported)", addr);
		return;
	}
	r->addr = addr >> 1;
	if (r->read) {
		if (e->out_len != sizeof(h)) {
			log_bad("i2c: read request carries %u bytes of write data",
				e->out_len - (unsigned)sizeof(h));
			return;
		}
		if (e->in_len - 1 > I2C_MSG_MAX) {
			log_bad("i2c: read of %u bytes is longer than %u", e->in_len - 1,
				I2C_MSG_MAX);
			return;
		}
		r->len = (uint16_t)(e->in_len - 1);
	} else {
		if (e->in_len != 1) {
			log_bad("i2c: write request has %u device-writable bytes, not 1",
				e->in_len);
			return;
		}
		if (e->out_len - sizeof(h) > I2C_MSG_MAX) {
			log_bad("i2c: write of %u bytes is longer than %u",
				e->out_len - (unsigned)sizeof(h), I2C_MSG_MAX);
			return;
		}
		r->len = (uint16_t)(e->out_len - sizeof(h));
	}
	r->bad = false;
}

static void req_finish(struct i2c_req *r, const uint8_t *data, bool ok)
{
	struct vq_elem *e = r->e;
	uint8_t st = ok ? VIRTIO_I2C_MSG_OK : VIRTIO_I2C_MSG_ERR;

	if (e->in_len < 1) {
		r->used = 0;
		return;
	}
	if (ok && r->read) {
		iov_from_buf(e->in, e->in_num, 0, data, r->len);
	} else {
		/* no stale data in a failed read; a malformed request may claim
		 * any in_len (aliased buffers): clear at most one message */
		size_t z = e->in_len - 1;

		iov_memset(e->in, e->in_num, 0, 0, z < I2C_MSG_MAX ? z : I2C_MSG_MAX);
	}
	iov_from_buf(e->in, e->in_num, e->in_len - 1, &st, 1);
	r->used = e->in_len;
}

bool i2c_group_prepare(struct i2c_bus *b, struct i2c_req *r, unsigned n,
		       bool complete, bool features_ok, uint8_t *stage,
		       struct i2c_xmsg *m)
{
	bool ok = features_ok && complete && n > 0;
	size_t off = 0;

	if (!features_ok)
		log_bad("i2c: request before the driver accepted ZERO_LENGTH_REQUEST");
	else if (!complete)
		log_bad("i2c: %u request(s) linked with FAIL_NEXT but the group never ended", n);
	if (ok && n > I2C_GROUP_MAX) {
		log_bad("i2c: transaction of %u messages (at most %u)", n, I2C_GROUP_MAX);
		ok = false;
	}
	for (unsigned i = 0; ok && i < n; i++) {
		if (r[i].bad)
			return false;
		if (!i2c_bus_allowed(b, r[i].addr)) {
			log_bad("i2c: address 0x%02x is not in the device list", r[i].addr);
			return false;
		}
		m[i].addr = r[i].addr;
		m[i].read = r[i].read;
		m[i].len = r[i].len;
		m[i].buf = stage + off;
		if (!r[i].read)
			iov_to_buf(r[i].e->out, r[i].e->out_num,
				   sizeof(struct virtio_i2c_out_hdr), m[i].buf, r[i].len);
		off += r[i].len;
	}
	return ok;
}

unsigned i2c_group_finish(struct i2c_req *r, unsigned n, const struct i2c_xmsg *m,
			  bool ok)
{
	for (unsigned i = 0; i < n; i++)
		req_finish(&r[i], ok ? m[i].buf : NULL, ok);
	return ok ? n : 0;
}

unsigned i2c_group_run(struct i2c_bus *b, struct i2c_req *r, unsigned n,
		       bool complete, bool features_ok)
{
	struct i2c_xmsg m[I2C_GROUP_MAX];
	bool ok = i2c_group_prepare(b, r, n, complete, features_ok, b->stage, m);

	if (ok && i2c_bus_xfer(b, m, n))
		ok = false;
	return i2c_group_finish(r, n, m, ok);
}
