/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-i2c units: the SMBus mapping and the I2C_RDWR path against
 * a stand-in for the kernel, the allow-list, request parsing and group
 * semantics and address claiming.  The device list: test_i2c_list.c;
 * --sim and the simulated models: test_i2c_sim.c. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "devices/i2c.h"
#include "devfx.h"

/* ---------------------------------------------------------------- stand-in */

struct fake {
	int open_ret;              /* >= 0: fd handed out */
	unsigned open_calls, close_calls;
	unsigned long funcs;
	int funcs_ret;
	int rdwr_ret;              /* 1 = return n */
	unsigned rdwr_calls, last_n;
	struct i2c_msg msgs[I2C_GROUP_MAX];
	uint8_t wdata[I2C_GROUP_MAX][64];
	uint8_t rd_fill;           /* byte written into read messages */
	int slave_ret;
	unsigned slave_calls;
	uint16_t slave_addr;
	uint16_t busy_addr;        /* != 0: I2C_SLAVE on it answers EBUSY */
	int smbus_ret;
	unsigned smbus_calls;
	uint8_t rw, cmd;
	uint32_t size;
	bool data_null;
	union i2c_smbus_data in, out;   /* as passed in / what to return */
};

static struct fake fk;

static int f_open(void *ctx, unsigned bus)
{
	fk.open_calls++;
	return fk.open_ret;
}

static void f_close(void *ctx, int fd)
{
	fk.close_calls++;
}

static int f_funcs(void *ctx, int fd, unsigned long *funcs)
{
	*funcs = fk.funcs;
	return fk.funcs_ret;
}

static int f_rdwr(void *ctx, int fd, struct i2c_msg *msgs, unsigned n)
{
	fk.rdwr_calls++;
	fk.last_n = n;
	for (unsigned i = 0; i < n; i++) {
		fk.msgs[i] = msgs[i];
		if (!msgs[i].len)
			continue;
		if (!(msgs[i].flags & I2C_M_RD))
			memcpy(fk.wdata[i], msgs[i].buf, msgs[i].len < 64 ? msgs[i].len : 64);
		else
			memset(msgs[i].buf, fk.rd_fill, msgs[i].len);
	}
	return fk.rdwr_ret == 1 ? (int)n : fk.rdwr_ret;
}

static int f_set_slave(void *ctx, int fd, uint16_t addr)
{
	fk.slave_calls++;
	fk.slave_addr = addr;
	if (fk.busy_addr && addr == fk.busy_addr)
		return -EBUSY;
	return fk.slave_ret;
}

static int f_smbus(void *ctx, int fd, uint8_t rw, uint8_t cmd, uint32_t size,
		   union i2c_smbus_data *data)
{
	fk.smbus_calls++;
	fk.rw = rw;
	fk.cmd = cmd;
	fk.size = size;
	fk.data_null = !data;
	if (data) {
		fk.in = *data;
		if (rw == I2C_SMBUS_READ || size == I2C_SMBUS_PROC_CALL)
			*data = fk.out;
	}
	return fk.smbus_ret;
}

static const struct i2c_host_ops fake_ops = {
	f_open, f_close, f_funcs, f_rdwr, f_set_slave, f_smbus,
};

static struct i2c_bus bus;

/* A bus with adapter 1 at 0x20,0x21 (funcs given), adapter 2 at 0x30. */
static void host_bus(unsigned long funcs)
{
	char err[256];

	memset(&fk, 0, sizeof(fk));
	fk.open_ret = 7;
	fk.funcs = funcs;
	fk.rdwr_ret = 1;
	assert_int_equal(i2c_bus_init(&bus, &fake_ops, NULL), 0);
	assert_int_equal(i2c_parse_device_list(&bus, "1:32:0x21,2:48", "/nonexistent",
					       err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_open(&bus, err, sizeof(err)), 0);
	assert_int_equal(fk.open_calls, 2);
	assert_int_equal(fk.slave_calls, 3);   /* each address claimed at start */
	fk.slave_calls = 0;
}

static int teardown(void **state)
{
	i2c_bus_free(&bus);
	return 0;
}

#define SMBUS_ALL (I2C_FUNC_SMBUS_EMUL_ALL)

static struct i2c_xmsg W(uint16_t addr, uint8_t *buf, uint16_t len)
{
	return (struct i2c_xmsg){ addr, false, len, buf };
}

static struct i2c_xmsg R(uint16_t addr, uint8_t *buf, uint16_t len)
{
	return (struct i2c_xmsg){ addr, true, len, buf };
}

/* ---------------------------------------------------------------- SMBus */

static void test_i2c_smbus_quick_write_and_read(void **state)
{
	struct i2c_xmsg m[1];

	host_bus(SMBUS_ALL);
	m[0] = W(0x20, NULL, 0);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_int_equal(fk.size, I2C_SMBUS_QUICK);
	assert_int_equal(fk.rw, I2C_SMBUS_WRITE);
	assert_true(fk.data_null);
	assert_int_equal(fk.slave_addr, 0x20);
	m[0] = R(0x21, NULL, 0);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_int_equal(fk.size, I2C_SMBUS_QUICK);
	assert_int_equal(fk.rw, I2C_SMBUS_READ);
	assert_int_equal(fk.slave_addr, 0x21);
	assert_int_equal(fk.rdwr_calls, 0);
}

static void test_i2c_smbus_byte(void **state)
{
	uint8_t b[1] = { 0x5a };
	struct i2c_xmsg m[1] = { W(0x20, b, 1) };

	host_bus(SMBUS_ALL);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_int_equal(fk.size, I2C_SMBUS_BYTE);
	assert_int_equal(fk.rw, I2C_SMBUS_WRITE);
	assert_int_equal(fk.cmd, 0x5a);
	fk.out.byte = 0xc3;
	m[0] = R(0x20, b, 1);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_int_equal(fk.size, I2C_SMBUS_BYTE);
	assert_int_equal(fk.rw, I2C_SMBUS_READ);
	assert_int_equal(b[0], 0xc3);
}

static void test_i2c_smbus_byte_and_word_data_writes(void **state)
{
	uint8_t b[3] = { 0x10, 0x34, 0x12 };
	struct i2c_xmsg m[1] = { W(0x20, b, 2) };

	host_bus(SMBUS_ALL);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_int_equal(fk.size, I2C_SMBUS_BYTE_DATA);
	assert_int_equal(fk.cmd, 0x10);
	assert_int_equal(fk.in.byte, 0x34);
	m[0].len = 3;
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_int_equal(fk.size, I2C_SMBUS_WORD_DATA);
	assert_int_equal(fk.rw, I2C_SMBUS_WRITE);
	assert_int_equal(fk.in.word, 0x1234);   /* low byte first on the wire */
}

static void test_i2c_smbus_byte_and_word_data_reads(void **state)
{
	uint8_t c[1] = { 0x07 }, d[2] = { 0xee, 0xee };
	struct i2c_xmsg m[2] = { W(0x20, c, 1), R(0x20, d, 1) };

	host_bus(SMBUS_ALL);
	fk.out.byte = 0x42;
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), 0);
	assert_int_equal(fk.size, I2C_SMBUS_BYTE_DATA);
	assert_int_equal(fk.rw, I2C_SMBUS_READ);
	assert_int_equal(fk.cmd, 0x07);
	assert_int_equal(d[0], 0x42);
	assert_int_equal(d[1], 0xee);
	fk.out.word = 0xbeef;
	m[1].len = 2;
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), 0);
	assert_int_equal(fk.size, I2C_SMBUS_WORD_DATA);
	assert_int_equal(d[0], 0xef);
	assert_int_equal(d[1], 0xbe);
}

static void test_i2c_smbus_i2c_block_read_and_write(void **state)
{
	uint8_t c[1] = { 0x40 }, d[32];
	uint8_t w[6] = { 0x40, 1, 2, 3, 4, 5 };
	struct i2c_xmsg m[2] = { W(0x20, c, 1), R(0x20, d, 5) };

	host_bus(SMBUS_ALL);
	fk.out.block[0] = 5;
	memcpy(&fk.out.block[1], "\x11\x22\x33\x44\x55", 5);
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), 0);
	assert_int_equal(fk.size, I2C_SMBUS_I2C_BLOCK_DATA);
	assert_int_equal(fk.rw, I2C_SMBUS_READ);
	assert_int_equal(fk.in.block[0], 5);    /* length asked for */
	assert_memory_equal(d, "\x11\x22\x33\x44\x55", 5);
	/* the adapter returning fewer bytes is a failure, buffer zeroed */
	fk.out.block[0] = 4;
	assert_int_not_equal(i2c_bus_xfer(&bus, m, 2), 0);
	assert_memory_equal(d, "\0\0\0\0\0", 5);

	m[0] = W(0x20, w, 6);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_int_equal(fk.size, I2C_SMBUS_I2C_BLOCK_DATA);
	assert_int_equal(fk.rw, I2C_SMBUS_WRITE);
	assert_int_equal(fk.cmd, 0x40);
	assert_int_equal(fk.in.block[0], 5);
	assert_memory_equal(&fk.in.block[1], w + 1, 5);
}

static void test_i2c_smbus_fallbacks_without_word_or_byte_data(void **state)
{
	uint8_t w[3] = { 0x01, 0xaa, 0xbb }, c[1] = { 2 }, d[2];
	struct i2c_xmsg m[2] = { W(0x20, w, 3) };

	host_bus(I2C_FUNC_SMBUS_I2C_BLOCK);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_int_equal(fk.size, I2C_SMBUS_I2C_BLOCK_DATA);
	assert_int_equal(fk.in.block[0], 2);
	m[0] = W(0x20, c, 1);
	m[1] = R(0x20, d, 2);
	fk.out.block[0] = 2;
	fk.out.block[1] = 9;
	fk.out.block[2] = 8;
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), 0);
	assert_int_equal(fk.size, I2C_SMBUS_I2C_BLOCK_DATA);
	assert_int_equal(d[0], 9);
	assert_int_equal(d[1], 8);
}

static void test_i2c_smbus_block_write_and_read(void **state)
{
	uint8_t w[5] = { 0x30, 3, 0xa, 0xb, 0xc }, c[1] = { 0x31 }, d[4];
	struct i2c_xmsg m[2] = { W(0x20, w, 5) };

	host_bus(I2C_FUNC_SMBUS_BLOCK_DATA);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_int_equal(fk.size, I2C_SMBUS_BLOCK_DATA);
	assert_int_equal(fk.rw, I2C_SMBUS_WRITE);
	assert_int_equal(fk.cmd, 0x30);
	assert_int_equal(fk.in.block[0], 3);
	assert_memory_equal(&fk.in.block[1], "\x0a\x0b\x0c", 3);
	/* a count byte that does not match the data is no block write */
	w[1] = 2;
	fk.smbus_calls = 0;
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), -EOPNOTSUPP);
	assert_int_equal(fk.smbus_calls, 0);

	m[0] = W(0x20, c, 1);
	m[1] = R(0x20, d, 4);
	memcpy(fk.out.block, "\x03\x01\x02\x03", 4);
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), 0);
	assert_int_equal(fk.size, I2C_SMBUS_BLOCK_DATA);
	assert_int_equal(fk.rw, I2C_SMBUS_READ);
	assert_memory_equal(d, "\x03\x01\x02\x03", 4);
	/* the device's count disagrees with the buffer: ERR, no data */
	fk.out.block[0] = 2;
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), -EIO);
	assert_memory_equal(d, "\0\0\0\0", 4);
}

static void test_i2c_smbus_proc_call(void **state)
{
	uint8_t w[3] = { 0x22, 0x01, 0x02 }, d[2];
	struct i2c_xmsg m[2] = { W(0x20, w, 3), R(0x20, d, 2) };

	host_bus(SMBUS_ALL);
	fk.out.word = 0x0a0b;
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), 0);
	assert_int_equal(fk.size, I2C_SMBUS_PROC_CALL);
	assert_int_equal(fk.cmd, 0x22);
	assert_int_equal(fk.in.word, 0x0201);
	assert_int_equal(d[0], 0x0b);
	assert_int_equal(d[1], 0x0a);
}

static void test_i2c_smbus_unsupported_is_refused_before_the_bus(void **state)
{
	uint8_t b[40] = { 0 }, d[40];
	struct i2c_xmsg m[3];
	struct {
		unsigned long funcs;
		struct i2c_xmsg m[3];
		unsigned n;
	} cases[] = {
		{ SMBUS_ALL, { R(0x20, d, 2) }, 1 },                          /* plain 2-byte read */
		{ SMBUS_ALL, { W(0x20, b, 2), R(0x20, d, 1) }, 2 },           /* 2-byte cmd + read */
		{ SMBUS_ALL, { W(0x20, b, 1), W(0x20, b, 1), R(0x20, d, 1) }, 3 },
		{ SMBUS_ALL, { W(0x20, b, 34) }, 1 },                          /* too long */
		{ SMBUS_ALL, { W(0x20, b, 1), R(0x21, d, 1) }, 2 },           /* two addresses */
		{ SMBUS_ALL, { R(0x20, d, 1), W(0x20, b, 1) }, 2 },           /* read then write */
		{ SMBUS_ALL, { W(0x20, b, 0), R(0x20, d, 1) }, 2 },           /* empty command */
		{ SMBUS_ALL & ~I2C_FUNC_SMBUS_QUICK, { W(0x20, b, 0) }, 1 },
		{ I2C_FUNC_SMBUS_WRITE_BYTE, { R(0x20, d, 1) }, 1 },
		{ I2C_FUNC_SMBUS_READ_BYTE, { W(0x20, b, 1) }, 1 },
		{ I2C_FUNC_SMBUS_QUICK, { W(0x20, b, 2) }, 1 },
		{ I2C_FUNC_SMBUS_QUICK, { W(0x20, b, 1), R(0x20, d, 1) }, 2 },
		{ I2C_FUNC_SMBUS_READ_WORD_DATA, { W(0x20, b, 3), R(0x20, d, 2) }, 2 },
		{ I2C_FUNC_SMBUS_READ_I2C_BLOCK, { W(0x20, b, 1), R(0x20, d, 33) }, 2 },
		{ 0, { W(0x20, b, 0) }, 1 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		host_bus(cases[i].funcs);
		memcpy(m, cases[i].m, sizeof(m));
		memset(d, 0x77, sizeof(d));
		if (i == 4) {
			/* 0x21 is on the same adapter, so the SMBus mapping decides */
			assert_int_equal(bus.map[0x21].idx, bus.map[0x20].idx);
		}
		assert_int_equal(i2c_bus_xfer(&bus, m, cases[i].n), -EOPNOTSUPP);
		assert_int_equal(fk.smbus_calls, 0);
		assert_int_equal(fk.slave_calls, 0);
		assert_int_equal(fk.rdwr_calls, 0);
		for (unsigned j = 0; j < cases[i].n; j++)
			if (m[j].read)
				assert_int_equal(d[0], 0);   /* no stale bytes */
		i2c_bus_free(&bus);
	}
	host_bus(SMBUS_ALL);
}

static void test_i2c_smbus_errors_fail_the_transfer(void **state)
{
	uint8_t c[1] = { 1 }, d[2] = { 0x55, 0x55 };
	struct i2c_xmsg m[2] = { W(0x20, c, 1), R(0x20, d, 2) };

	host_bus(SMBUS_ALL);
	fk.out.word = 0x1234;
	fk.smbus_ret = -ENXIO;
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), -ENXIO);
	assert_int_equal(d[0], 0);
	assert_int_equal(d[1], 0);
	/* I2C_SLAVE refused (a kernel driver owns the address) */
	fk.smbus_ret = 0;
	fk.smbus_calls = 0;
	fk.slave_ret = -EBUSY;
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), -EBUSY);
	assert_int_equal(fk.smbus_calls, 0);
}

/* ---------------------------------------------------------------- I2C_RDWR */

static void test_i2c_rdwr_one_transfer_for_the_group(void **state)
{
	uint8_t c[2] = { 0xab, 0xcd }, d[3] = { 0 };
	struct i2c_xmsg m[3] = { W(0x20, c, 2), R(0x20, d, 3), W(0x21, NULL, 0) };

	host_bus(I2C_FUNC_I2C | SMBUS_ALL);
	fk.rd_fill = 0x9c;
	assert_int_equal(i2c_bus_xfer(&bus, m, 3), 0);
	assert_int_equal(fk.rdwr_calls, 1);
	assert_int_equal(fk.smbus_calls, 0);
	assert_int_equal(fk.last_n, 3);
	assert_int_equal(fk.msgs[0].addr, 0x20);
	assert_int_equal(fk.msgs[0].flags, 0);
	assert_int_equal(fk.msgs[0].len, 2);
	assert_memory_equal(fk.wdata[0], c, 2);
	assert_int_equal(fk.msgs[1].flags, I2C_M_RD);
	assert_int_equal(fk.msgs[1].len, 3);
	assert_int_equal(fk.msgs[2].addr, 0x21);
	assert_int_equal(fk.msgs[2].len, 0);       /* zero-length message */
	assert_memory_equal(d, "\x9c\x9c\x9c", 3);
}

static void test_i2c_rdwr_failure_and_short_count(void **state)
{
	uint8_t d[2];
	struct i2c_xmsg m[2] = { W(0x20, NULL, 0), R(0x20, d, 2) };

	host_bus(I2C_FUNC_I2C);
	fk.rd_fill = 0x11;
	fk.rdwr_ret = -EREMOTEIO;
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), -EREMOTEIO);
	assert_memory_equal(d, "\0\0", 2);
	fk.rdwr_ret = 0;       /* "0 messages transferred" */
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), -EIO);
	assert_memory_equal(d, "\0\0", 2);
}

static void test_i2c_bus_unlisted_and_cross_adapter_refused(void **state)
{
	uint8_t b[1] = { 0 };
	struct i2c_xmsg m[2] = { W(0x20, b, 1), W(0x22, b, 1) };

	host_bus(I2C_FUNC_I2C);
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), -EACCES);
	m[1].addr = 0x30;       /* on adapter 2 */
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), -EXDEV);
	m[1].addr = 0x80;
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), -EACCES);
	assert_int_equal(fk.rdwr_calls, 0);
	assert_int_equal(i2c_bus_xfer(&bus, m, 0), -EINVAL);
}

static void test_i2c_bus_open_errors_name_the_adapter(void **state)
{
	char err[256];

	memset(&fk, 0, sizeof(fk));
	fk.open_ret = -ENOENT;
	assert_int_equal(i2c_bus_init(&bus, &fake_ops, NULL), 0);
	assert_int_equal(i2c_parse_device_list(&bus, "5:80", "/nonexistent", err,
					       sizeof(err)), 0);
	assert_int_equal(i2c_bus_open(&bus, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/dev/i2c-5"));
	i2c_bus_free(&bus);

	memset(&fk, 0, sizeof(fk));
	fk.open_ret = 3;
	fk.funcs_ret = -ENOTTY;
	assert_int_equal(i2c_bus_init(&bus, &fake_ops, NULL), 0);
	assert_int_equal(i2c_parse_device_list(&bus, "6:80", "/nonexistent", err,
					       sizeof(err)), 0);
	assert_int_equal(i2c_bus_open(&bus, err, sizeof(err)), -ENOTTY);
	assert_non_null(strstr(err, "I2C_FUNCS"));
	i2c_bus_free(&bus);
	assert_int_equal(fk.close_calls, 1);
	memset(&bus, 0, sizeof(bus));
}

/* ---------------------------------------------------------------- requests */

struct treq {
	uint8_t out[8 + 64];
	uint8_t in[64 + 1];
	struct iovec iov[2];
	struct vq_elem e;
	struct i2c_req r;
};

static void mkreq(struct treq *t, uint16_t addr_field, uint32_t flags,
		  const void *wdata, uint32_t wlen, uint32_t in_len)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->out, &addr_field, 2);
	memcpy(t->out + 4, &flags, 4);
	if (wlen)
		memcpy(t->out + 8, wdata, wlen);
	memset(t->in, 0xee, sizeof(t->in));
	t->iov[0] = (struct iovec){ t->out, 8 + wlen };
	t->iov[1] = (struct iovec){ t->in, in_len };
	t->e.out = t->iov;
	t->e.out_num = 1;
	t->e.out_len = 8 + wlen;
	t->e.in = t->iov + 1;
	t->e.in_num = in_len ? 1 : 0;
	t->e.in_len = in_len;
}

#define FN VIRTIO_I2C_FLAGS_FAIL_NEXT
#define RD VIRTIO_I2C_FLAGS_M_RD

static void test_i2c_req_parse_good(void **state)
{
	struct treq t;

	mkreq(&t, 0x50 << 1, RD | FN, NULL, 0, 17);
	i2c_req_parse(&t.e, &t.r);
	assert_false(t.r.bad);
	assert_true(t.r.read);
	assert_true(t.r.fail_next);
	assert_int_equal(t.r.addr, 0x50);
	assert_int_equal(t.r.len, 16);
	mkreq(&t, 0x48 << 1, 0, "\x01\x02", 2, 1);
	i2c_req_parse(&t.e, &t.r);
	assert_false(t.r.bad);
	assert_false(t.r.read);
	assert_false(t.r.fail_next);
	assert_int_equal(t.r.addr, 0x48);
	assert_int_equal(t.r.len, 2);
	mkreq(&t, 0x7f << 1, 0, NULL, 0, 1);          /* zero-length write */
	i2c_req_parse(&t.e, &t.r);
	assert_false(t.r.bad);
	assert_int_equal(t.r.len, 0);
	assert_int_equal(t.r.addr, 0x7f);
}

/* Each malformed request is refused (bad) with a line naming what is
 * wrong. */
static void test_i2c_req_parse_malformed(void **state)
{
	static const struct {
		uint16_t addr;
		uint32_t flags, wlen, in_len, out_len;   /* out_len 0: as built */
		const char *needle;
	} c[] = {
		{ 0x50 << 1, 0, 0, 1, 7, "without a complete header (7 bytes)" },
		{ 0x50 << 1, 4, 0, 1, 0, "reserved flags 0x4" },
		{ (0x50 << 1) | 1, 0, 0, 1, 0, "address field 0x00a1" },
		{ 0x12f0, FN, 0, 1, 0, "address field 0x12f0" },       /* 10-bit form */
		{ 0x50 << 1, RD, 1, 2, 0, "read request carries 1 bytes of write data" },
		{ 0x50 << 1, 0, 0, 3, 0, "write request has 3 device-writable bytes" },
		{ 0x50 << 1, 0, 1, 0, 0, "request without a status byte" },
		{ 0x50 << 1, RD, 0, 0, 0, "request without a status byte" },
		{ 0x50 << 1, RD, 0, I2C_MSG_MAX + 2, 0, "read of 8193 bytes is longer than 8192" },
		{ 0x50 << 1, 0, 0, 1, 8 + I2C_MSG_MAX + 1, "write of 8193 bytes is longer than 8192" },
	};
	struct treq t;

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		mkreq(&t, c[i].addr, c[i].flags, "\x01", c[i].wlen,
		      c[i].in_len < sizeof(t.in) ? c[i].in_len : 1);
		t.e.in_len = c[i].in_len;               /* lengths as claimed */
		if (c[i].out_len) {
			t.iov[0].iov_len = c[i].out_len < 8 ? c[i].out_len : 8;
			t.e.out_len = c[i].out_len;
		}
		devfx_log_capture();
		i2c_req_parse(&t.e, &t.r);
		if (!devfx_log_has(c[i].needle))
			fail_msg("case %u: no line with '%s'", i, c[i].needle);
		if (!t.r.bad)
			fail_msg("case %u (%s): not refused", i, c[i].needle);
		/* FAIL_NEXT is honoured even then: its group fails with it */
		assert_int_equal(t.r.fail_next, i == 3);
	}
}

static void parse_all(struct treq *t, unsigned n, struct i2c_req *r)
{
	for (unsigned i = 0; i < n; i++) {
		i2c_req_parse(&t[i].e, &t[i].r);
		r[i] = t[i].r;
	}
}

static void test_i2c_group_statuses_and_data(void **state)
{
	static struct treq t[2];
	struct i2c_req r[2];

	host_bus(I2C_FUNC_I2C);
	fk.rd_fill = 0x3c;
	mkreq(&t[0], 0x20 << 1, FN, "\x05", 1, 1);
	mkreq(&t[1], 0x20 << 1, RD, NULL, 0, 5);
	parse_all(t, 2, r);
	assert_int_equal(i2c_group_run(&bus, r, 2, true, true), 2);
	assert_int_equal(fk.rdwr_calls, 1);
	assert_int_equal(fk.last_n, 2);
	assert_int_equal(fk.wdata[0][0], 5);
	assert_int_equal(t[0].in[0], VIRTIO_I2C_MSG_OK);
	assert_int_equal(r[0].used, 1);
	assert_memory_equal(t[1].in, "\x3c\x3c\x3c\x3c", 4);
	assert_int_equal(t[1].in[4], VIRTIO_I2C_MSG_OK);
	assert_int_equal(r[1].used, 5);

	/* the adapter fails: both ERR, the read buffer zeroed */
	fk.rdwr_ret = -ENXIO;
	mkreq(&t[1], 0x20 << 1, RD, NULL, 0, 5);
	parse_all(t, 2, r);
	assert_int_equal(i2c_group_run(&bus, r, 2, true, true), 0);
	assert_int_equal(t[0].in[0], VIRTIO_I2C_MSG_ERR);
	assert_memory_equal(t[1].in, "\0\0\0\0", 4);
	assert_int_equal(t[1].in[4], VIRTIO_I2C_MSG_ERR);
}

static void test_i2c_group_unlisted_second_message_sends_nothing(void **state)
{
	static struct treq t[2];
	struct i2c_req r[2];

	host_bus(I2C_FUNC_I2C);
	mkreq(&t[0], 0x20 << 1, FN, "\x05", 1, 1);
	mkreq(&t[1], 0x50 << 1, RD, NULL, 0, 3);
	parse_all(t, 2, r);
	devfx_log_capture();
	assert_int_equal(i2c_group_run(&bus, r, 2, true, true), 0);
	assert_true(devfx_log_has("i2c: address 0x50 is not in the device list"));
	assert_int_equal(fk.rdwr_calls, 0);
	assert_int_equal(t[0].in[0], VIRTIO_I2C_MSG_ERR);
	assert_memory_equal(t[1].in, "\0\0", 2);
	assert_int_equal(t[1].in[2], VIRTIO_I2C_MSG_ERR);
}

static void test_i2c_group_malformed_incomplete_and_unnegotiated(void **state)
{
	static struct treq t[2];
	struct i2c_req r[2];

	host_bus(I2C_FUNC_I2C);
	mkreq(&t[0], 0x20 << 1, FN, "\x05", 1, 1);
	mkreq(&t[1], 0x20 << 1, RD, "\x01", 1, 3);     /* malformed */
	parse_all(t, 2, r);
	assert_int_equal(i2c_group_run(&bus, r, 2, true, true), 0);
	assert_int_equal(t[0].in[0], VIRTIO_I2C_MSG_ERR);
	assert_int_equal(t[1].in[2], VIRTIO_I2C_MSG_ERR);
	assert_int_equal(fk.rdwr_calls, 0);

	mkreq(&t[0], 0x20 << 1, FN, "\x05", 1, 1);
	parse_all(t, 1, r);
	assert_int_equal(i2c_group_run(&bus, r, 1, false, true), 0);
	assert_int_equal(t[0].in[0], VIRTIO_I2C_MSG_ERR);

	mkreq(&t[0], 0x20 << 1, 0, "\x05", 1, 1);
	parse_all(t, 1, r);
	assert_int_equal(i2c_group_run(&bus, r, 1, true, false), 0);
	assert_int_equal(t[0].in[0], VIRTIO_I2C_MSG_ERR);
	assert_int_equal(fk.rdwr_calls, 0);

	/* a request with no status byte: nothing written, used 0 */
	mkreq(&t[0], 0x20 << 1, 0, "\x05", 1, 0);
	parse_all(t, 1, r);
	assert_int_equal(i2c_group_run(&bus, r, 1, true, true), 0);
	assert_int_equal(r[0].used, 0);
	assert_int_equal(t[0].in[0], 0xee);
}

/* A malformed read claiming more than a message may hold gets ERR in its
 * last byte and at most I2C_MSG_MAX bytes cleared, whatever its in_len
 * (the buffers of a hostile driver may alias gigabytes). */
static void test_i2c_group_oversized_read_is_err_and_bounded(void **state)
{
	static uint8_t big[3 * I2C_MSG_MAX];
	static struct treq t;
	struct i2c_req r;

	host_bus(I2C_FUNC_I2C);
	mkreq(&t, 0x20 << 1, RD, NULL, 0, 1);
	memset(big, 0xee, sizeof(big));
	t.iov[1] = (struct iovec){ big, sizeof(big) };
	t.e.in_len = sizeof(big);
	i2c_req_parse(&t.e, &t.r);
	assert_true(t.r.bad);
	r = t.r;
	assert_int_equal(i2c_group_run(&bus, &r, 1, true, true), 0);
	assert_int_equal(fk.rdwr_calls, 0);
	assert_int_equal(big[sizeof(big) - 1], VIRTIO_I2C_MSG_ERR);
	assert_int_equal(big[0], 0);
	assert_int_equal(big[I2C_MSG_MAX - 1], 0);
	assert_int_equal(big[I2C_MSG_MAX], 0xee);       /* not cleared beyond */
	assert_int_equal(big[sizeof(big) - 2], 0xee);
	/* exactly I2C_MSG_MAX is a valid read */
	mkreq(&t, 0x20 << 1, RD, NULL, 0, 1);
	t.iov[1] = (struct iovec){ big, I2C_MSG_MAX + 1 };
	t.e.in_len = I2C_MSG_MAX + 1;
	i2c_req_parse(&t.e, &t.r);
	assert_false(t.r.bad);
	assert_int_equal(t.r.len, I2C_MSG_MAX);
}

static void test_i2c_group_too_many_messages(void **state)
{
	static struct treq t[I2C_GROUP_MAX + 1];
	static struct i2c_req r[I2C_GROUP_MAX + 1];

	host_bus(I2C_FUNC_I2C);
	for (unsigned i = 0; i <= I2C_GROUP_MAX; i++)
		mkreq(&t[i], 0x20 << 1, i == I2C_GROUP_MAX ? 0 : FN, NULL, 0, 1);
	parse_all(t, I2C_GROUP_MAX + 1, r);
	assert_int_equal(i2c_group_run(&bus, r, I2C_GROUP_MAX + 1, true, true), 0);
	assert_int_equal(fk.rdwr_calls, 0);
	for (unsigned i = 0; i <= I2C_GROUP_MAX; i++)
		assert_int_equal(t[i].in[0], VIRTIO_I2C_MSG_ERR);
	/* exactly the maximum works */
	parse_all(t, I2C_GROUP_MAX, r);
	r[I2C_GROUP_MAX - 1].fail_next = false;
	assert_int_equal(i2c_group_run(&bus, r, I2C_GROUP_MAX, true, true), I2C_GROUP_MAX);
	assert_int_equal(fk.last_n, I2C_GROUP_MAX);
}

/* ---------------------------------------------------------------- claiming */

static char sysdir[64];    /* a fake /sys/bus/i2c/devices */

/* Every listed address is claimed with I2C_SLAVE at start (as upstream);
 * one a kernel driver owns refuses the start, naming address and driver. */
static void test_i2c_bus_open_claims_addresses_and_names_the_owner(void **state)
{
	char err[512], p[300];

	strcpy(sysdir, "/tmp/vdi2c-sysfs.XXXXXX");
	assert_non_null(mkdtemp(sysdir));
	host_bus(I2C_FUNC_I2C);                       /* claims 0x20, 0x21 on 1; 0x30 on 2 */
	i2c_bus_free(&bus);

	memset(&fk, 0, sizeof(fk));
	fk.open_ret = 7;
	fk.funcs = I2C_FUNC_I2C;
	fk.busy_addr = 0x21;
	snprintf(p, sizeof(p), "%s/1-0021", sysdir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/1-0021/driver", sysdir);
	assert_int_equal(symlink("../../../bus/i2c/drivers/at24", p), 0);
	assert_int_equal(i2c_bus_init(&bus, &fake_ops, NULL), 0);
	assert_int_equal(i2c_parse_device_list(&bus, "1:32:0x21,2:48", sysdir,
					       err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_open(&bus, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "/dev/i2c-1"));
	assert_non_null(strstr(err, "0x21"));
	assert_non_null(strstr(err, "'at24'"));
	i2c_bus_free(&bus);

	/* any other I2C_SLAVE failure also refuses, with its reason */
	memset(&fk, 0, sizeof(fk));
	fk.open_ret = 7;
	fk.funcs = I2C_FUNC_I2C;
	fk.slave_ret = -EINVAL;
	assert_int_equal(i2c_bus_init(&bus, &fake_ops, NULL), 0);
	assert_int_equal(i2c_parse_device_list(&bus, "2:48", sysdir, err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_open(&bus, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "0x30"));
	assert_non_null(strstr(err, "I2C_SLAVE"));
	snprintf(p, sizeof(p), "%s/1-0021/driver", sysdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/1-0021", sysdir);
	rmdir(p);
	assert_int_equal(rmdir(sysdir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_teardown(f, teardown)
		T(test_i2c_smbus_quick_write_and_read),
		T(test_i2c_smbus_byte),
		T(test_i2c_smbus_byte_and_word_data_writes),
		T(test_i2c_smbus_byte_and_word_data_reads),
		T(test_i2c_smbus_i2c_block_read_and_write),
		T(test_i2c_smbus_fallbacks_without_word_or_byte_data),
		T(test_i2c_smbus_block_write_and_read),
		T(test_i2c_smbus_proc_call),
		T(test_i2c_smbus_unsupported_is_refused_before_the_bus),
		T(test_i2c_smbus_errors_fail_the_transfer),
		T(test_i2c_rdwr_one_transfer_for_the_group),
		T(test_i2c_rdwr_failure_and_short_count),
		T(test_i2c_bus_unlisted_and_cross_adapter_refused),
		T(test_i2c_bus_open_errors_name_the_adapter),
		T(test_i2c_bus_open_claims_addresses_and_names_the_owner),
		T(test_i2c_req_parse_good),
		T(test_i2c_req_parse_malformed),
		T(test_i2c_group_statuses_and_data),
		T(test_i2c_group_unlisted_second_message_sends_nothing),
		T(test_i2c_group_malformed_incomplete_and_unnegotiated),
		T(test_i2c_group_oversized_read_is_err_and_bounded),
		T(test_i2c_group_too_many_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
