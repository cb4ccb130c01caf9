/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* libFuzzer target: the virtio-i2c request layer (i2c_req_parse and
 * i2c_group_run in src/devices/i2c_bus.c) over a bus with simulated
 * devices (24c02 at 0x50, lm75 at 0x48, 24c32 at 0x52, pca9555 at 0x24,
 * ds1307 at 0x68 on a clock that stands still; no file= persistence) and two host
 * adapters behind a fake struct i2c_host_ops (i2c-3: 0x20, 0x21; i2c-4:
 * 0x30) whose functionality (plain I2C or a set of SMBus transfers) and
 * results come from the input.  Requests are grouped as the device does
 * (src/devices/i2c.c): held until one without FAIL_NEXT ends the group;
 * an end of kick with nothing more published fails an open group.
 *
 * Every element is built (fuzz_util.c) over heap buffers of exactly their size
 * (one allocation per iovec), so AddressSanitizer reports any access past
 * them.
 *
 * Byte 0 bit1 set: queue mode, the requests go through one socket's
 * queue (i2c_sock, src/devices/i2c_queue.c) as the device sends them, with
 * no loop (host groups run inline, no timer): groups span "kicks", op 1 is
 * the open group's time running out (i2c_sock_timeout), op 2 the queue
 * stopping, and the ring's size is 1 + byte 3 (1..256).  Checked there:
 * requests are answered in order, each once, and right after it arrives
 * unless it (and all before it still unanswered) has FAIL_NEXT; the
 * open group never holds as many as the ring or more than 42; a request after one with
 * FAIL_NEXT gets that one's status; ERR for a malformed or not allowed
 * request, before features, the 43rd of a group and one whose open group
 * fills the ring; the time running out answers everything ERR.
 *
 * Input (missing bytes read as 0):
 *   0  bit0 clear: ZERO_LENGTH_REQUEST accepted; bit1: queue mode
 *   1  i2c-3 functionality, 2 i2c-4 functionality: bit0 I2C_FUNC_I2C, bits
 *      1-7 SMBus transfers (quick, byte, byte data, word data, proc call,
 *      block data, I2C block), both directions
 *   then records, op = byte, op % 4:
 *   0 request: address byte (bit7: le16 raw field follows, else one of
 *     eight 7-bit addresses, of the first table or with bit6 of the
 *     second, shifted into place), flags byte (bit7: le32
 *     raw follows, else bits 0-1), length byte (>= 0xf0: one of 16 edge
 *     lengths), then a layout (as fuzz_gpio: byte L, bit7 raw lengths
 *     (le16 readable, le16 writable), bits 0-1 / 2-3 pieces - 1, split
 *     bytes; bit4 / bit5 no iovec at all for a 0 length) around the
 *     natural sizes; write data from the input
 *   1 end of a kick with nothing more published (an open group fails)
 *   2 queue stopped: pending requests forgotten (freed)
 *   3 bit2 set: reset, then features from bit3 (clear = accepted);
 *     bit2 clear: host fault byte (bit0-1: I2C_RDWR returns all, one
 *     less, -EIO, -ENXIO; bit2 SMBus fails; bit3 a block read returns a
 *     count other than asked; bit4 set_slave fails)
 *
 * Checked: i2c_req_parse flags exactly the malformed layouts and computes
 * the length; a group completes all OK or all ERR (ERR when features were
 * not accepted, the group was cut off, any request was malformed or not
 * allowed), every request's used length is its writable size, its last
 * writable byte is the status and the data of an ERR read are zeros (at
 * most one message's worth: a malformed one may claim any length); the
 * fake adapters only see allowed addresses of their own, at most 42
 * messages of at most 8192 bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/i2c.h>

#include "common/log.h"
#include "devices/i2c.h"
#include "vhost/dev.h"
#include "fuzz_util.h"

#define CHECK(c) FZ_CHECK(c)

#define FD_BASE 100

/* ---- elements over exact heap buffers ---- */

struct elem {
	struct fz_elem f;
};

/* Layout byte; bit7: raw lengths le16 readable, le16 writable, else the
 * natural ones; split points are le16. */
static struct elem *elem_new(struct fz_in *r, size_t nat_out, size_t nat_in,
			     const uint8_t *hdr, size_t hdr_len)
{
	uint8_t l = fz_u8(r);
	size_t out_len = nat_out, in_len = nat_in;

	if (l & 0x80) {
		out_len = fz_u16(r);
		in_len = fz_u16(r);
	}
	return (struct elem *)fz_elem_new(r, sizeof(struct elem), l, out_len, in_len, true,
					  hdr, hdr_len);
}

static void elem_free(struct elem *x)
{
	fz_elem_free(&x->f);
}

/* ---- fake host adapters ---- */

static struct i2c_bus bus;
static uint8_t faults;
static unsigned long funcs[2];

static unsigned long funcs_of(uint8_t b)
{
	unsigned long f = 0;

	if (b & 1)
		f |= I2C_FUNC_I2C;
	if (b & 2)
		f |= I2C_FUNC_SMBUS_QUICK;
	if (b & 4)
		f |= I2C_FUNC_SMBUS_BYTE;
	if (b & 8)
		f |= I2C_FUNC_SMBUS_BYTE_DATA;
	if (b & 0x10)
		f |= I2C_FUNC_SMBUS_WORD_DATA;
	if (b & 0x20)
		f |= I2C_FUNC_SMBUS_PROC_CALL;
	if (b & 0x40)
		f |= I2C_FUNC_SMBUS_BLOCK_DATA;
	if (b & 0x80)
		f |= I2C_FUNC_SMBUS_I2C_BLOCK;
	return f;
}

/* the adapter index behind fd, checked */
static unsigned fd_adap(int fd)
{
	CHECK(fd == FD_BASE || fd == FD_BASE + 1);
	return (unsigned)(fd - FD_BASE);
}

static void check_addr(int fd, unsigned addr)
{
	unsigned a = fd_adap(fd);

	CHECK(addr < I2C_NADDR && bus.map[addr].kind == I2C_T_HOST && bus.map[addr].idx == a);
}

static int f_open(void *ctx, unsigned b)
{
	CHECK(b == 3 || b == 4);
	return FD_BASE + (int)(b - 3);
}

static void f_close(void *ctx, int fd)
{
	fd_adap(fd);
}

static int f_funcs(void *ctx, int fd, unsigned long *f)
{
	*f = funcs[fd_adap(fd)];
	return 0;
}

static int f_rdwr(void *ctx, int fd, struct i2c_msg *msgs, unsigned n)
{
	volatile uint8_t sink = 0;

	CHECK(funcs[fd_adap(fd)] & I2C_FUNC_I2C);
	CHECK(n >= 1 && n <= I2C_GROUP_MAX);
	for (unsigned i = 0; i < n; i++) {
		check_addr(fd, msgs[i].addr);
		CHECK(msgs[i].flags == 0 || msgs[i].flags == I2C_M_RD);
		CHECK(msgs[i].len <= I2C_MSG_MAX);
		for (unsigned k = 0; k < msgs[i].len; k++) {
			if (msgs[i].flags & I2C_M_RD)
				msgs[i].buf[k] = (uint8_t)(0x5a ^ k ^ i);
			else
				sink ^= msgs[i].buf[k];
		}
	}
	(void)sink;
	switch (faults & 3) {
	case 0: return (int)n;
	case 1: return (int)n - 1;
	case 2: return -EIO;
	}
	return -ENXIO;
}

static int f_set_slave(void *ctx, int fd, uint16_t addr)
{
	check_addr(fd, addr);
	return faults & 0x10 ? -EBUSY : 0;
}

static int f_smbus(void *ctx, int fd, uint8_t rw, uint8_t cmd, uint32_t size,
		   union i2c_smbus_data *data)
{
	unsigned long f = funcs[fd_adap(fd)];

	CHECK(!(f & I2C_FUNC_I2C));
	CHECK(rw == I2C_SMBUS_READ || rw == I2C_SMBUS_WRITE);
	CHECK((size == I2C_SMBUS_QUICK) == !data);
	if (faults & 4)
		return -EIO;
	switch (size) {
	case I2C_SMBUS_QUICK:
		CHECK(f & I2C_FUNC_SMBUS_QUICK);
		return 0;
	case I2C_SMBUS_BYTE:
		CHECK(f & (rw == I2C_SMBUS_READ ? I2C_FUNC_SMBUS_READ_BYTE :
			   I2C_FUNC_SMBUS_WRITE_BYTE));
		if (rw == I2C_SMBUS_READ)
			data->byte = 0x11;
		return 0;
	case I2C_SMBUS_BYTE_DATA:
		if (rw == I2C_SMBUS_READ)
			data->byte = (uint8_t)(cmd ^ 0x22);
		return 0;
	case I2C_SMBUS_WORD_DATA:
	case I2C_SMBUS_PROC_CALL:
		if (rw == I2C_SMBUS_READ || size == I2C_SMBUS_PROC_CALL)
			data->word = (uint16_t)(cmd * 0x101u);
		return 0;
	case I2C_SMBUS_BLOCK_DATA:
		if (rw == I2C_SMBUS_WRITE) {
			CHECK(data->block[0] >= 1 && data->block[0] <= I2C_SMBUS_BLOCK_MAX);
			return 0;
		}
		/* the device says how many */
		data->block[0] = faults & 8 ? (uint8_t)(cmd % (I2C_SMBUS_BLOCK_MAX + 1)) : 2;
		for (unsigned k = 1; k <= data->block[0]; k++)
			data->block[k] = (uint8_t)k;
		return 0;
	case I2C_SMBUS_I2C_BLOCK_DATA:
		CHECK(data->block[0] >= 1 && data->block[0] <= I2C_SMBUS_BLOCK_MAX);
		if (rw == I2C_SMBUS_READ) {
			if (faults & 8)
				data->block[0] = (uint8_t)(cmd % (I2C_SMBUS_BLOCK_MAX + 1));
			for (unsigned k = 1; k <= data->block[0]; k++)
				data->block[k] = (uint8_t)~k;
		}
		return 0;
	}
	CHECK(0);
	return -EINVAL;
}

static const struct i2c_host_ops fake_ops = {
	.open = f_open,
	.close = f_close,
	.funcs = f_funcs,
	.rdwr = f_rdwr,
	.set_slave = f_set_slave,
	.smbus = f_smbus,
};

/* ---- requests and groups ---- */

static struct i2c_req pend[I2C_QUEUE_SIZE];
static struct elem *pend_x[I2C_QUEUE_SIZE];
static unsigned npend;

/* the layout rules, restated */
static bool expect_bad(const struct vq_elem *e, const uint8_t *hdr, uint16_t *len)
{
	uint16_t addr = (uint16_t)(hdr[0] | hdr[1] << 8);
	uint32_t flags = (uint32_t)hdr[4] | (uint32_t)hdr[5] << 8 | (uint32_t)hdr[6] << 16 |
			 (uint32_t)hdr[7] << 24;

	*len = 0;
	if (e->out_len < 8 || e->in_len < 1 || (flags & ~3u) || (addr & 0xff01))
		return true;
	if (flags & VIRTIO_I2C_FLAGS_M_RD) {
		if (e->out_len != 8 || e->in_len - 1 > I2C_MSG_MAX)
			return true;
		*len = (uint16_t)(e->in_len - 1);
	} else {
		if (e->in_len != 1 || e->out_len - 8 > I2C_MSG_MAX)
			return true;
		*len = (uint16_t)(e->out_len - 8);
	}
	return false;
}

/* an ERR request's data are zeros: its first message's worth (a malformed
 * one may claim any in_len) */
static void check_err_zeros(const struct vq_elem *e)
{
	for (uint32_t k = 0; k + 1 < e->in_len && k < I2C_MSG_MAX; k++)
		CHECK(fz_in_byte(e, k) == 0);
}

static void run_pending(bool complete, bool features_ok)
{
	bool expect_err = !features_ok || !complete || npend > I2C_GROUP_MAX;
	unsigned ok;

	if (!npend)
		return;
	for (unsigned i = 0; i < npend; i++)
		if (pend[i].bad || !i2c_bus_allowed(&bus, pend[i].addr))
			expect_err = true;
	ok = i2c_group_run(&bus, pend, npend, complete, features_ok);
	CHECK(ok == 0 || ok == npend);
	if (expect_err)
		CHECK(ok == 0);
	for (unsigned i = 0; i < npend; i++) {
		const struct vq_elem *e = &pend_x[i]->f.e;
		uint8_t st;

		CHECK(pend[i].e == e);
		if (e->in_len < 1) {
			CHECK(pend[i].used == 0);
			continue;
		}
		CHECK(pend[i].used == e->in_len);
		st = fz_in_byte(e, e->in_len - 1);
		CHECK(st == (ok ? VIRTIO_I2C_MSG_OK : VIRTIO_I2C_MSG_ERR));
		if (!ok)
			check_err_zeros(e);
	}
	for (unsigned i = 0; i < npend; i++)
		elem_free(pend_x[i]);
	npend = 0;
}

static void drop_pending(void)
{
	for (unsigned i = 0; i < npend; i++)
		elem_free(pend_x[i]);
	npend = 0;
}

/* ---- queue mode ---- */

static bool qmode;
static struct i2c_sock sock;
static unsigned ring_size;
static struct {
	struct elem *x;
	bool fail_next;
	bool chained;      /* the request before it had FAIL_NEXT */
	bool expect_err;
} q[I2C_QUEUE_SIZE];
static unsigned qhead, qtail;
static int prev_st;        /* status of the last answered request */
static bool open_fail_next;        /* the last request sent had FAIL_NEXT */
static unsigned open_pos;  /* its place in its group */

static void q_complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	int st = VIRTIO_I2C_MSG_ERR;

	CHECK(qhead < qtail);
	CHECK(e == &q[qhead].x->f.e);
	if (e->in_len < 1) {
		CHECK(len == 0);
	} else {
		CHECK(len == e->in_len);
		st = fz_in_byte(e, e->in_len - 1);
		CHECK(st == VIRTIO_I2C_MSG_OK || st == VIRTIO_I2C_MSG_ERR);
		if (st != VIRTIO_I2C_MSG_OK)
			check_err_zeros(e);
	}
	if (q[qhead].expect_err)
		CHECK(st == VIRTIO_I2C_MSG_ERR);
	if (q[qhead].chained)
		CHECK(st == prev_st);
	prev_st = st;
	elem_free(q[qhead].x);
	if (++qhead == qtail)
		qhead = qtail = 0;
}

/* every request still unanswered has FAIL_NEXT; fewer than the ring and
 * no more than a transaction carries */
static void q_settled(void)
{
	CHECK(qtail - qhead < ring_size);
	CHECK(qtail - qhead <= I2C_GROUP_MAX);
	for (unsigned i = qhead; i < qtail; i++)
		CHECK(q[i].fail_next);
}

static void q_send(struct elem *x, const struct i2c_req *pr, bool features_ok)
{
	bool fail_next = pr->fail_next;
	unsigned pos = open_fail_next ? open_pos + 1 : 0;

	CHECK(qtail < I2C_QUEUE_SIZE);
	q[qtail].x = x;
	q[qtail].fail_next = fail_next;
	q[qtail].chained = open_fail_next;
	q[qtail].expect_err = !features_ok || pr->bad || !i2c_bus_allowed(&bus, pr->addr) ||
			      pos >= I2C_GROUP_MAX || (fail_next && pos + 1 >= ring_size);
	qtail++;
	open_fail_next = fail_next;
	open_pos = pos;
	sock.features_ok = features_ok;
	CHECK(i2c_sock_handle(&sock, &x->f.e, ring_size) == DEV_HELD);
	if (!fail_next)
		CHECK(qhead == qtail);
	q_settled();
}

static void q_drop(void)
{
	i2c_sock_stop(&sock);
	for (unsigned i = qhead; i < qtail; i++)
		elem_free(q[i].x);
	qhead = qtail = 0;
	open_fail_next = false;
}

static const uint8_t addrs[8] = { 0x50, 0x48, 0x20, 0x21, 0x30, 0x51, 0x00, 0x7f };
static const uint8_t addrs2[8] = { 0x52, 0x24, 0x68, 0x52, 0x24, 0x68, 0x50, 0x48 };

static int64_t fixed_time(void)
{
	return 1796422230;     /* 2026-12-04 22:10:30 UTC */
}
static const uint16_t edge_len[16] = {
	0, 1, 2, 3, 4, 31, 32, 33, 34, 255, 256, 1024, 8191, 8192, 8193, 16384,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct fz_in r = { data, size };
	char err[256];
	bool features_ok;
	uint8_t op0;

	if (!init) {
		log_set_level(getenv("FUZZ_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
		ds1307_host_time = fixed_time;
		init = 1;
	}
	op0 = fz_u8(&r);
	features_ok = !(op0 & 1);
	qmode = op0 & 2;
	funcs[0] = funcs_of(fz_u8(&r));
	funcs[1] = funcs_of(fz_u8(&r));
	if (qmode)
		ring_size = 1u + fz_u8(&r);
	faults = 0;
	CHECK(i2c_bus_init(&bus, &fake_ops, NULL) == 0);
	if (i2c_parse_device_list(&bus, "3:0x20:0x21,4:48", "/nonexistent", err, sizeof(err)) ||
	    i2c_bus_add_sim(&bus, "24c02@0x50", err, sizeof(err)) ||
	    i2c_bus_add_sim(&bus, "lm75@0x48,temp=-12.5", err, sizeof(err)) ||
	    i2c_bus_add_sim(&bus, "24c32@0x52", err, sizeof(err)) ||
	    i2c_bus_add_sim(&bus, "pca9555@0x24,inputs=0x5aa5", err, sizeof(err)) ||
	    i2c_bus_add_sim(&bus, "ds1307@0x68", err, sizeof(err)) ||
	    i2c_bus_open(&bus, err, sizeof(err))) {
		fprintf(stderr, "fuzz_i2c: bus set-up: %s\n", err);
		abort();
	}
	npend = 0;
	if (qmode) {
		CHECK(i2c_sock_init(&sock, &bus, NULL) == 0);
		sock.complete = q_complete;
		qhead = qtail = 0;
		open_fail_next = false;
	}

	while (r.n) {
		uint8_t op = fz_u8(&r);

		switch (op % 4) {
		case 0: {
			uint8_t hdr[8] = { 0 }, ab = fz_u8(&r), fb, lb;
			uint16_t addr = ab & 0x80 ? fz_u16(&r) :
					(uint16_t)((ab & 0x40 ? addrs2 : addrs)[ab % 8] << 1);
			uint32_t flags, len;
			uint16_t elen;
			struct elem *x;
			bool bad;

			fb = fz_u8(&r);
			flags = fb & 0x80 ? fz_u32(&r) : fb & 3u;
			lb = fz_u8(&r);
			len = lb >= 0xf0 ? edge_len[lb - 0xf0] : lb;
			hdr[0] = (uint8_t)addr;
			hdr[1] = (uint8_t)(addr >> 8);
			memcpy(hdr + 4, &flags, 4);
			if (flags & VIRTIO_I2C_FLAGS_M_RD)
				x = elem_new(&r, 8, len + 1, hdr, 8);
			else
				x = elem_new(&r, 8 + len, 1, hdr, 8);
			if (qmode) {
				struct i2c_req pr;

				/* the layout rules as the queue sees them */
				i2c_req_parse(&x->f.e, &pr);
				CHECK(pr.bad == expect_bad(&x->f.e, hdr, &elen));
				q_send(x, &pr, features_ok);
				break;
			}
			if (npend == I2C_QUEUE_SIZE)
				run_pending(false, features_ok);
			pend_x[npend] = x;
			i2c_req_parse(&x->f.e, &pend[npend]);
			bad = expect_bad(&x->f.e, hdr, &elen);
			CHECK(pend[npend].e == &x->f.e);
			CHECK(pend[npend].bad == bad);
			if (!bad) {
				CHECK(pend[npend].len == elen);
				CHECK(pend[npend].addr == addr >> 1);
				CHECK(pend[npend].read == !!(flags & VIRTIO_I2C_FLAGS_M_RD));
			}
			if (x->f.e.out_len >= 8)
				CHECK(pend[npend].fail_next == (flags & VIRTIO_I2C_FLAGS_FAIL_NEXT));
			else
				CHECK(!pend[npend].fail_next);
			if (!pend[npend++].fail_next)
				run_pending(true, features_ok);
			break;
		}
		case 1:
			if (qmode) {
				i2c_sock_timeout(&sock);
				/* what follows, to the group's end, fails:
				 * chained to the last ERR */
				CHECK(qhead == qtail);
				break;
			}
			run_pending(false, features_ok);
			break;
		case 2:
			if (qmode)
				q_drop();
			drop_pending();
			break;
		case 3:
			if (op & 4) {
				if (qmode)
					q_drop();
				drop_pending();
				features_ok = !(op & 8);
			} else {
				faults = fz_u8(&r);
			}
			break;
		}
	}
	drop_pending();
	if (qmode) {
		q_drop();
		i2c_sock_free(&sock);
	}
	i2c_bus_free(&bus);
	return 0;
}
