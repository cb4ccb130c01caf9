/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-i2c's control commands (src/devices/i2c_ctl.c) run as a
 * control client's request lines, against a bus of simulated devices and
 * a host stand-in, with the guest's side seen through a socket's request
 * queue: what i2c.load/i2c.set change the guest reads, and a fault set by
 * i2c.fault gives the guest's requests VIRTIO_I2C_MSG_ERR without the
 * device seeing them, for as many transactions as asked, on the guests
 * asked, until cleared. */
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

#include "common/ctl.h"
#include "devices/i2c.h"
#include "vhost/dev.h"
#include "vhost/loop.h"

/* ---- a host adapter stand-in: /dev/i2c-3, address 0x30 ---- */

static unsigned rdwr_calls;

static int h_open(void *ctx, unsigned bus) { return 9; }
static void h_close(void *ctx, int fd) { }
static int h_funcs(void *ctx, int fd, unsigned long *f) { *f = I2C_FUNC_I2C; return 0; }
static int h_rdwr(void *ctx, int fd, struct i2c_msg *m, unsigned n)
{
	rdwr_calls++;
	for (unsigned i = 0; i < n; i++)
		if (m[i].flags & I2C_M_RD)
			memset(m[i].buf, 0x33, m[i].len);
	return (int)n;
}
static int h_slave(void *ctx, int fd, uint16_t a) { return 0; }
static int h_smbus(void *ctx, int fd, uint8_t rw, uint8_t cmd, uint32_t size,
		   union i2c_smbus_data *d) { return -EIO; }

static const struct i2c_host_ops host_ops = {
	h_open, h_close, h_funcs, h_rdwr, h_slave, h_smbus,
};

static int64_t fake_now = 1700000000;
static int64_t fake_time(void) { return fake_now; }

static struct i2c_bus bus;
static struct i2c_sock sk[2];
static char dir[64], img[128], cpath[128];
static struct loop *l;
static struct vu_dev *nodev[2];
static char reply[CTL_REPLY_MAX];

/* ---- guest requests through a socket's queue ---- */

struct treq {
	uint8_t out[8 + 64];
	uint8_t in[64 + 1];
	struct iovec iov[2];
	struct vq_elem e;
	uint32_t used;
	bool done;
};

static void on_complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	struct treq *t = (struct treq *)((char *)e - offsetof(struct treq, e));

	t->used = len;
	t->done = true;
}

static void mkreq(struct treq *t, unsigned addr, uint32_t flags, const void *wdata,
		  uint32_t wlen, uint32_t rlen)
{
	uint16_t a = (uint16_t)(addr << 1);

	memset(t, 0, sizeof(*t));
	memcpy(t->out, &a, 2);
	memcpy(t->out + 4, &flags, 4);
	if (wlen)
		memcpy(t->out + 8, wdata, wlen);
	memset(t->in, 0xee, sizeof(t->in));
	t->iov[0] = (struct iovec){ t->out, 8 + wlen };
	t->iov[1] = (struct iovec){ t->in, rlen + 1 };
	t->e.out = t->iov;
	t->e.out_num = 1;
	t->e.out_len = 8 + wlen;
	t->e.in = t->iov + 1;
	t->e.in_num = 1;
	t->e.in_len = rlen + 1;
}

/* The status of the request (answered at once: simulated or inline). */
static uint8_t run(unsigned sock, struct treq *t)
{
	assert_int_equal(i2c_sock_handle(&sk[sock], &t->e, 64), DEV_HELD);
	assert_true(t->done);
	return t->in[t->e.in_len - 1];
}

/* One transaction: write w (wlen bytes), then read rlen bytes into out,
 * as a FAIL_NEXT group; both statuses must agree: the one returned. */
static uint8_t xfer(unsigned sock, unsigned addr, const void *w, uint32_t wlen,
		    uint8_t *out, uint32_t rlen)
{
	struct treq a, b;
	uint8_t st;

	if (!rlen) {
		mkreq(&a, addr, 0, w, wlen, 0);
		return run(sock, &a);
	}
	mkreq(&a, addr, VIRTIO_I2C_FLAGS_FAIL_NEXT, w, wlen, 0);
	mkreq(&b, addr, VIRTIO_I2C_FLAGS_M_RD, NULL, 0, rlen);
	assert_int_equal(i2c_sock_handle(&sk[sock], &a.e, 64), DEV_HELD);
	st = run(sock, &b);
	assert_true(a.done);
	assert_int_equal(a.in[0], st);
	if (out)
		memcpy(out, b.in, rlen);
	return st;
}

/* ---- control requests ---- */

static const char *ctl(const char *line)
{
	ctl_run_line(line, strlen(line), reply);
	return reply;
}

#define OK(line, needle) do { \
	const char *r_ = ctl(line); \
	if (!strstr(r_, "\"return\"") || !strstr(r_, needle)) \
		fail_msg("%s\n  got %s\n  want %s", line, r_, needle); \
} while (0)
#define ERR(line, needle) do { \
	const char *r_ = ctl(line); \
	if (!strstr(r_, "\"error\"") || !strstr(r_, needle)) \
		fail_msg("%s\n  got %s\n  want an error with %s", line, r_, needle); \
} while (0)

static int setup(void **state)
{
	char err[256], spec[200];

	strcpy(dir, "/tmp/vdi2cctl.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/ee.bin", dir);
	snprintf(spec, sizeof(spec), "24c32@0x51,file=%s", img);
	ds1307_host_time = fake_time;
	rdwr_calls = 0;
	assert_int_equal(i2c_bus_init(&bus, &host_ops, NULL), 0);
	assert_int_equal(i2c_parse_device_list(&bus, "3:0x30", "/nonexistent", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "24c02@0x50", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, spec, err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "lm75@0x48", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "pca9555@0x20", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "ds1307@0x68", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_open(&bus, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(i2c_sock_init(&sk[i], &bus, NULL), 0);
		sk[i].complete = on_complete;
		sk[i].features_ok = true;
		sk[i].index = i;
	}
	ctl_reset_registry();
	assert_int_equal(i2c_ctl_register(&bus, 2), 0);
	/* a server, so that `list` has two sockets (no guest connected) */
	snprintf(cpath, sizeof(cpath), "%s/c.ctl", dir);
	l = loop_new();
	assert_non_null(l);
	assert_int_equal(ctl_server_start(l, cpath, "i2c", nodev, 2), 0);
	return 0;
}

static int teardown(void **state)
{
	ctl_server_stop();
	loop_free(l);
	for (unsigned i = 0; i < 2; i++)
		i2c_sock_free(&sk[i]);
	i2c_bus_free(&bus);
	ctl_reset_registry();
	unlink(img);
	rmdir(dir);
	return 0;
}

/* ---------------------------------------------------------------- dump/load */

static void test_i2c_ctl_load_then_guest_and_dump_read_it(void **state)
{
	uint8_t b[8], word = 0xfc;

	OK("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":80,\"offset\":252,\"data\":\"76646576\"}}",
	   "\"length\":4");
	assert_int_equal(xfer(0, 0x50, &word, 1, b, 4), VIRTIO_I2C_MSG_OK);
	assert_memory_equal(b, "vdev", 4);
	/* the guest writes, dump sees it */
	assert_int_equal(xfer(0, 0x50, (uint8_t[]){ 0x10, 0xab, 0xcd }, 3, NULL, 0), VIRTIO_I2C_MSG_OK);
	OK("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":80,\"offset\":16,\"length\":3}}",
	   "\"offset\":16,\"length\":3,\"data\":\"abcdff\"");
	/* no length: up to the end */
	OK("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":80,\"offset\":250}}",
	   "\"length\":6,\"data\":\"ffff76646576\"");
	/* no offset: from 0, at most CTL_HEX_MAX (the 24c32's 4096) */
	OK("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":81}}", "\"length\":4096");
}

static void test_i2c_ctl_load_writes_the_image_file(void **state)
{
	uint8_t b[4096];
	int fd;

	OK("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":81,\"offset\":4094,\"data\":\"a55a\"}}",
	   "\"offset\":4094");
	fd = open(img, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, b, sizeof(b)), 4096);
	close(fd);
	assert_int_equal(b[4094], 0xa5);
	assert_int_equal(b[4095], 0x5a);
}

static void test_i2c_ctl_ds1307_nvram_is_its_memory(void **state)
{
	uint8_t b[2], reg = 0x08 + 10;

	OK("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":104,\"offset\":10,\"data\":\"1234\"}}",
	   "\"length\":2");
	assert_int_equal(xfer(0, 0x68, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	assert_int_equal(b[0], 0x12);
	assert_int_equal(b[1], 0x34);
	OK("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":104,\"offset\":55}}", "\"length\":1");
}

static void test_i2c_ctl_dump_load_bad_arguments_named(void **state)
{
	ERR("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":80,\"offset\":256}}", "offset 256: out of range 0..255");
	ERR("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":80,\"offset\":250,\"length\":7}}",
	    "length 7 at offset 250: past the end of the 24c02's 256 bytes");
	ERR("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":80,\"length\":0}}", "length 0: out of range 1..4096");
	ERR("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":72}}", "addr 0x48: the lm75 has no memory");
	ERR("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":48}}",
	    "addr 0x30: a host device (/dev/i2c-3), not a simulated one");
	ERR("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":80,\"offset\":-1}}", "offset -1: out of range 0..255");
}

static void test_i2c_ctl_load_bad_arguments_named(void **state)
{
	uint8_t b[1], word = 0xff;

	ERR("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":80,\"offset\":255,\"data\":\"0102\"}}",
	    "data of 2 bytes at offset 255: past the end of the 24c02's 256 bytes");
	ERR("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":80,\"data\":\"\"}}", "data: empty");
	ERR("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":80}}", "missing argument 'data'");
	ERR("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":80,\"data\":\"0g\"}}", "'0g' at offset 0 is not hex");
	ERR("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":33,\"data\":\"00\"}}", "addr 0x21: no simulated device there");
	ERR("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":48,\"data\":\"00\"}}",
	    "addr 0x30: a host device (/dev/i2c-3), not a simulated one");
	ERR("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":128,\"data\":\"00\"}}", "addr 128: out of range 0..127");
	ERR("{\"cmd\":\"i2c.load\",\"args\":{\"data\":\"00\"}}", "missing argument 'addr'");
	/* nothing changed */
	assert_int_equal(xfer(0, 0x50, &word, 1, b, 1), VIRTIO_I2C_MSG_OK);
	assert_int_equal(b[0], 0xff);
}

/* ---------------------------------------------------------------- set */

static void test_i2c_ctl_set_lm75_temp_the_guest_reads(void **state)
{
	uint8_t b[2], reg = 0;

	OK("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":72,\"temp\":85.5}}", "\"temp\":85.5");
	assert_int_equal(xfer(0, 0x48, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	assert_int_equal(b[0], 0x55);
	assert_int_equal(b[1], 0x80);
	OK("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":72,\"temp\":-10.5}}", "\"temp\":-10.5");
	assert_int_equal(xfer(0, 0x48, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	assert_int_equal(b[0], 0xf5);
	assert_int_equal(b[1], 0x80);
	OK("{\"cmd\":\"list\"}", "{\"addr\":72,\"model\":\"lm75\",\"temp\":-10.5}");
	ERR("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":72,\"temp\":85.3}}", "temp 85.3: the lm75 resolves 0.5 degrees C");
	ERR("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":72,\"temp\":125.5}}", "temp 125.5: out of range -55..125");
	ERR("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":72,\"temp\":1.0005}}", "temp 1.0005: expected a number with at most 3 decimals");
	ERR("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":72,\"inputs\":3}}", "inputs: the lm75 at 0x48 takes temp");
	ERR("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":72}}", "nothing to set: the lm75 at 0x48 takes temp");
	/* the refused ones changed nothing */
	assert_int_equal(xfer(0, 0x48, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	assert_int_equal(b[0], 0xf5);
}

static void test_i2c_ctl_set_pca9555_inputs_the_guest_reads(void **state)
{
	uint8_t b[2], reg = PCA9555_INPUT;

	OK("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":32,\"inputs\":4660}}", "\"inputs\":4660");
	assert_int_equal(xfer(0, 0x20, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	assert_int_equal(b[0], 0x34);
	assert_int_equal(b[1], 0x12);
	/* only the pins in mask change */
	OK("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":32,\"inputs\":0,\"mask\":15}}", "\"inputs\":4656");
	assert_int_equal(xfer(0, 0x20, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	assert_int_equal(b[0], 0x30);
	ERR("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":32,\"inputs\":65536}}", "inputs 65536: out of range 0..65535");
	ERR("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":32,\"mask\":1}}", "missing argument 'inputs'");
	ERR("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":32,\"temp\":20}}", "temp: the pca9555 at 0x20 takes inputs mask");
}

static void test_i2c_ctl_set_ds1307_time_the_guest_reads(void **state)
{
	uint8_t b[7], reg = 0;

	/* 2024-02-29 12:34:56 UTC, a Thursday */
	OK("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":104,\"time\":1709210096}}", "\"time\":1709210096");
	assert_int_equal(xfer(0, 0x68, &reg, 1, b, 7), VIRTIO_I2C_MSG_OK);
	assert_memory_equal(b, ((uint8_t[]){ 0x56, 0x34, 0x12, 5, 0x29, 0x02, 0x24 }), 7);
	fake_now += 10;     /* it runs on */
	assert_int_equal(ds1307_time(i2c_bus_sim(&bus, 0x68)), 1709210106);
	ERR("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":104,\"time\":946684799}}",
	    "time 946684799: out of range 946684800..4102444799");
	ERR("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":80,\"time\":1}}", "time: the 24c02 at 0x50 has no values to set");
}

/* ---------------------------------------------------------------- faults */

static void test_i2c_ctl_fault_nak_count_decrements_then_heals(void **state)
{
	uint8_t b[1], w[2] = { 0x00, 0x42 }, word = 0;

	OK("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":80,\"mode\":\"nak\",\"count\":2}}",
	   "\"mode\":\"nak\",\"left\":2,\"sock\":null");
	OK("{\"cmd\":\"list\"}", "\"fault\":{\"mode\":\"nak\",\"left\":2,\"hits\":0}");
	/* the write is NAKed: ERR, and the EEPROM never saw it */
	assert_int_equal(xfer(0, 0x50, w, 2, NULL, 0), VIRTIO_I2C_MSG_ERR);
	OK("{\"cmd\":\"list\"}", "\"fault\":{\"mode\":\"nak\",\"left\":1,\"hits\":1}");
	OK("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":80,\"length\":1}}", "\"data\":\"ff\"");
	/* a write + read group fails as a whole (both requests ERR), read
	 * data zeroed; the other guest is counted too (no sock) */
	assert_int_equal(xfer(1, 0x50, &word, 1, b, 1), VIRTIO_I2C_MSG_ERR);
	assert_int_equal(b[0], 0);
	ctl("{\"cmd\":\"list\"}");
	assert_null(strstr(reply, "\"fault\""));
	/* healed */
	assert_int_equal(xfer(0, 0x50, w, 2, NULL, 0), VIRTIO_I2C_MSG_OK);
	assert_int_equal(xfer(0, 0x50, &word, 1, b, 1), VIRTIO_I2C_MSG_OK);
	assert_int_equal(b[0], 0x42);
	/* other addresses were never affected */
	assert_int_equal(xfer(0, 0x48, &word, 1, b, 1), VIRTIO_I2C_MSG_OK);
}

static void test_i2c_ctl_fault_fail_until_cleared(void **state)
{
	uint8_t b[2], reg = 0;

	OK("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":72,\"mode\":\"fail\"}}", "\"left\":null");
	for (int i = 0; i < 20; i++)
		assert_int_equal(xfer(i & 1, 0x48, &reg, 1, b, 2), VIRTIO_I2C_MSG_ERR);
	OK("{\"cmd\":\"list\"}", "\"fault\":{\"mode\":\"fail\",\"left\":null,\"hits\":20}");
	OK("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":72,\"mode\":\"none\"}}", "\"mode\":\"none\"");
	assert_int_equal(xfer(0, 0x48, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	assert_int_equal(b[0], 23);    /* 23.5 */
	ctl("{\"cmd\":\"list\"}");
	assert_null(strstr(reply, "\"fault\""));
}

static void test_i2c_ctl_fault_on_one_guest_only(void **state)
{
	uint8_t b[2], reg = 0;

	OK("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":72,\"mode\":\"nak\",\"sock\":1,\"count\":1}}",
	   "\"sock\":1");
	/* sock 0's entry of list has no fault, sock 1's has */
	ctl("{\"cmd\":\"list\"}");
	assert_int_equal(xfer(0, 0x48, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	assert_int_equal(xfer(0, 0x48, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	assert_int_equal(xfer(1, 0x48, &reg, 1, b, 2), VIRTIO_I2C_MSG_ERR);
	assert_int_equal(xfer(1, 0x48, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	ERR("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":72,\"mode\":\"nak\",\"sock\":2}}", "sock 2: out of range 0..1");
}

static void test_i2c_ctl_fault_list_per_guest(void **state)
{
	char *s1;

	OK("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":32,\"mode\":\"fail\",\"sock\":1}}", "\"sock\":1");
	OK("{\"cmd\":\"list\"}", "{\"sock\":1,");
	s1 = strstr(reply, "{\"sock\":1,");
	/* in socket 1's entry, not in socket 0's */
	assert_non_null(strstr(s1, "{\"addr\":32,\"model\":\"pca9555\",\"inputs\":65535,"
				  "\"levels\":65535,\"config\":65535,\"fault\":{\"mode\":\"fail\""));
	*s1 = 0;
	assert_null(strstr(reply, "\"fault\""));
	assert_non_null(strstr(reply, "{\"addr\":48,\"adapter\":3}"));
	assert_non_null(strstr(reply, "{\"addr\":81,\"model\":\"24c32\",\"size\":4096,\"file\":\""));
}

static void test_i2c_ctl_fault_on_a_host_address(void **state)
{
	uint8_t b[2], reg = 0;

	OK("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":48,\"mode\":\"fail\",\"count\":1}}", "\"left\":1");
	assert_int_equal(xfer(0, 0x30, &reg, 1, b, 2), VIRTIO_I2C_MSG_ERR);
	assert_int_equal(rdwr_calls, 0);       /* the adapter never saw it */
	assert_int_equal(xfer(0, 0x30, &reg, 1, b, 2), VIRTIO_I2C_MSG_OK);
	assert_int_equal(rdwr_calls, 1);
	assert_int_equal(b[0], 0x33);
}

/* NAK is the address not answering (-ENXIO, as an adapter reports it),
 * fail a failed transfer (-EIO); the first faulted address of a
 * transaction is the one that counts */
static void test_i2c_ctl_fault_errors_as_an_adapter_reports_them(void **state)
{
	uint8_t b[1];
	struct i2c_xmsg m[2] = { { 0x48, false, 1, b }, { 0x50, true, 1, b } };

	i2c_bus_set_fault(&bus, 0x50, I2C_FAULT_NAK, 1, -1);
	i2c_bus_set_fault(&bus, 0x48, I2C_FAULT_FAIL, 1, -1);
	assert_int_equal(bus.nfaults, 2);
	assert_int_equal(i2c_bus_fault(&bus, 0, m, 2), -EIO);
	assert_int_equal(bus.nfaults, 1);
	assert_int_equal(i2c_bus_fault(&bus, 0, m, 2), -ENXIO);
	assert_int_equal(bus.nfaults, 0);
	assert_int_equal(i2c_bus_fault(&bus, 0, m, 2), 0);
	/* set twice, cleared twice: counted once */
	i2c_bus_set_fault(&bus, 0x50, I2C_FAULT_NAK, 0, -1);
	i2c_bus_set_fault(&bus, 0x50, I2C_FAULT_FAIL, 0, 1);
	assert_int_equal(bus.nfaults, 1);
	assert_int_equal(i2c_bus_fault(&bus, 0, m + 1, 1), 0);
	assert_int_equal(i2c_bus_fault(&bus, 1, m + 1, 1), -EIO);
	i2c_bus_set_fault(&bus, 0x50, I2C_FAULT_NONE, 0, -1);
	i2c_bus_set_fault(&bus, 0x50, I2C_FAULT_NONE, 0, -1);
	assert_int_equal(bus.nfaults, 0);
}

static void test_i2c_ctl_fault_bad_arguments_named(void **state)
{
	ERR("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":80,\"mode\":\"drop\"}}", "mode 'drop': expected nak, fail or none");
	ERR("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":80}}", "missing argument 'mode'");
	ERR("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":82,\"mode\":\"nak\"}}",
	    "addr 0x52: no device there (neither --sim nor --device-list)");
	ERR("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":80,\"mode\":\"nak\",\"count\":0}}", "count 0: out of range 1..4294967295");
	ERR("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":80,\"mode\":\"none\",\"count\":3}}",
	    "mode none clears the fault at 0x50 for every guest: it takes no count");
	ERR("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":80,\"mode\":\"nak\",\"after\":3}}", "unknown argument 'after'");
	/* none of them set a fault */
	assert_int_equal(bus.nfaults, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_i2c_ctl_load_then_guest_and_dump_read_it),
		T(test_i2c_ctl_load_writes_the_image_file),
		T(test_i2c_ctl_ds1307_nvram_is_its_memory),
		T(test_i2c_ctl_dump_load_bad_arguments_named),
		T(test_i2c_ctl_load_bad_arguments_named),
		T(test_i2c_ctl_set_lm75_temp_the_guest_reads),
		T(test_i2c_ctl_set_pca9555_inputs_the_guest_reads),
		T(test_i2c_ctl_set_ds1307_time_the_guest_reads),
		T(test_i2c_ctl_fault_nak_count_decrements_then_heals),
		T(test_i2c_ctl_fault_fail_until_cleared),
		T(test_i2c_ctl_fault_on_one_guest_only),
		T(test_i2c_ctl_fault_list_per_guest),
		T(test_i2c_ctl_fault_on_a_host_address),
		T(test_i2c_ctl_fault_errors_as_an_adapter_reports_them),
		T(test_i2c_ctl_fault_bad_arguments_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
