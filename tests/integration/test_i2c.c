/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The I2C device end to end: `vhost-device i2c --sim 24c02@0x50 --sim
 * lm75@0x48` driven by the test frontend as QEMU and the Linux
 * i2c-virtio driver would (requests linked with FAIL_NEXT, one kick per
 * transfer, indirect descriptors on a 4-entry ring): EEPROM writes and
 * reads, per-request statuses, mixed kicks, zero-length probes, unlisted
 * addresses, malformed requests, persistence across a restart, the
 * 24c32, pca9555 and ds1307 models, and the command line. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS 3000
#define FN 1u     /* VIRTIO_I2C_FLAGS_FAIL_NEXT */
#define RD 2u     /* VIRTIO_I2C_FLAGS_M_RD */
#define OK 0
#define ERR 1
#define NOSTATUS 0xee

static struct itest_daemon dmn;
static char sock0[160];

/* ---------------------------------------------------------------- helpers */

static int spawn_i2c(struct proc *p, const char *const *extra, char *sock, size_t socklen)
{
	proc_sock_path(p, 1, 0, sock, socklen);
	return proc_spawn_sockets(p, "i2c", 1, extra);
}

static int spawn_main(struct proc *p, void *arg)
{
	static const char *const args[] = { "--sim", "24c02@0x50", "--sim", "lm75@0x48", NULL };

	return spawn_i2c(p, args, sock0, sizeof(sock0));
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn_main, NULL);
	return 0;
}

/* Each test: the daemon must still run after it. */
static int teardown(void **state)
{
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	return itest_daemon_stop(&dmn) != 0;
}

/* One virtio-i2c request as the Linux driver builds it. */
struct rq {
	uint16_t addr;             /* 7-bit */
	uint32_t flags;
	const void *wdata;         /* write: data */
	uint32_t len;              /* write or read length */
	/* raw overrides for malformed requests */
	uint16_t addr_field;       /* if nonzero, sent as is */
	bool no_status;
	bool read_with_wbuf;       /* M_RD but the buffer device-readable */
	/* results */
	uint8_t status;
	uint8_t data[256];
	uint32_t used;
	bool done;
	/* private */
	uint64_t hdr_gpa, buf_gpa, st_gpa;
	int head;
};

/* Add requests r[0..n) to the ring (each indirect if asked), publish,
 * kick once, and collect every completion. */
static void submit(struct fe *fe, struct rq *r, unsigned n, bool indirect)
{
	unsigned got = 0;

	for (unsigned i = 0; i < n; i++) {
		struct fe_seg s[3];
		unsigned ns = 0;
		uint8_t *h;
		uint16_t a = r[i].addr_field ? r[i].addr_field : (uint16_t)(r[i].addr << 1);
		bool rd = r[i].flags & RD;

		r[i].hdr_gpa = fe_alloc(fe, 8, 8);
		r[i].st_gpa = fe_alloc(fe, 1, 1);
		assert_true(r[i].hdr_gpa && r[i].st_gpa);
		h = fe_ptr(fe, r[i].hdr_gpa, 8);
		memcpy(h, &a, 2);
		memset(h + 2, 0, 2);
		memcpy(h + 4, &r[i].flags, 4);
		*(uint8_t *)fe_ptr(fe, r[i].st_gpa, 1) = NOSTATUS;
		s[ns++] = (struct fe_seg){ r[i].hdr_gpa, 8, false };
		if (r[i].len) {
			r[i].buf_gpa = fe_alloc(fe, r[i].len, 1);
			assert_true(r[i].buf_gpa);
			if (!rd || r[i].read_with_wbuf) {
				if (r[i].wdata)
					memcpy(fe_ptr(fe, r[i].buf_gpa, r[i].len), r[i].wdata, r[i].len);
				s[ns++] = (struct fe_seg){ r[i].buf_gpa, r[i].len, false };
			} else {
				memset(fe_ptr(fe, r[i].buf_gpa, r[i].len), 0xa5, r[i].len);
				s[ns++] = (struct fe_seg){ r[i].buf_gpa, r[i].len, true };
			}
		}
		if (!r[i].no_status)
			s[ns++] = (struct fe_seg){ r[i].st_gpa, 1, true };
		r[i].head = fe_vq_add(fe, 0, s, ns, indirect);
		assert_true(r[i].head >= 0);
		r[i].done = false;
		fe_vq_publish(fe, 0, (uint16_t)r[i].head);
	}
	assert_int_equal(fe_vq_kick(fe, 0), 0);
	while (got < n) {
		uint32_t id, len;
		int k = fe_vq_get_used(fe, 0, &id, &len);

		assert_true(k >= 0);
		if (k == 0) {
			assert_int_equal(fe_vq_wait_call(fe, 0, WAIT_MS), 0);
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			if (r[i].done || (uint32_t)r[i].head != id)
				continue;
			r[i].done = true;
			r[i].used = len;
			r[i].status = *(uint8_t *)fe_ptr(fe, r[i].st_gpa, 1);
			if (r[i].len && (r[i].flags & RD) && !r[i].read_with_wbuf)
				memcpy(r[i].data, fe_ptr(fe, r[i].buf_gpa, r[i].len), r[i].len);
			got++;
			break;
		}
	}
}

/* The Linux driver's shape of an i2c_transfer: every message but the
 * last with FAIL_NEXT. */
static void link_group(struct rq *r, unsigned n)
{
	for (unsigned i = 0; i + 1 < n; i++)
		r[i].flags |= FN;
}

static void ee_write(struct fe *fe, uint8_t off, const void *data, unsigned n)
{
	uint8_t b[64];
	struct rq r[1] = { { .addr = 0x50, .wdata = b, .len = n + 1 } };

	b[0] = off;
	memcpy(b + 1, data, n);
	submit(fe, r, 1, false);
	assert_int_equal(r[0].status, OK);
	assert_int_equal(r[0].used, 1);
}

static void ee_read(struct fe *fe, uint8_t off, uint8_t *out, unsigned n)
{
	uint8_t w[1] = { off };
	struct rq r[2] = {
		{ .addr = 0x50, .wdata = w, .len = 1 },
		{ .addr = 0x50, .flags = RD, .len = n },
	};

	link_group(r, 2);
	submit(fe, r, 2, false);
	assert_int_equal(r[0].status, OK);
	assert_int_equal(r[1].status, OK);
	assert_int_equal(r[1].used, n + 1);
	memcpy(out, r[1].data, n);
}

/* ---------------------------------------------------------------- tests */

static void test_i2c_int_features_and_queue(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);

	assert_true(fe->dev_features & 1ull);                   /* ZERO_LENGTH_REQUEST */
	assert_true(fe->dev_features & (1ull << 28));           /* INDIRECT_DESC */
	assert_true(fe->dev_features & (1ull << 32));           /* VERSION_1 */
	assert_int_equal(fe->dev_queues, 1);
	itest_close_ok(fe);
	/* a ring of 1024 is accepted, 2048 is not */
	{
		struct fe_opts o = { .queue_size = 1024 };

		fe = itest_open_ok(sock0, &o);
		itest_close_ok(fe);
	}
}

static void test_i2c_int_eeprom_byte_write_random_read(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);
	uint8_t d[4];

	ee_write(fe, 0x10, "\x5a", 1);
	ee_read(fe, 0x10, d, 1);
	assert_int_equal(d[0], 0x5a);
	ee_write(fe, 0x11, "\x6b", 1);
	ee_read(fe, 0x11, d, 1);
	assert_int_equal(d[0], 0x6b);
	ee_read(fe, 0x10, d, 2);
	assert_memory_equal(d, "\x5a\x6b", 2);
	itest_close_ok(fe);
}

static void test_i2c_int_eeprom_page_write_sequential_read(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);
	uint8_t d[24];

	ee_write(fe, 0x80, "ABCDEFGH", 8);
	ee_write(fe, 0x88, "IJKLMNOP", 8);
	ee_read(fe, 0x80, d, 16);
	assert_memory_equal(d, "ABCDEFGHIJKLMNOP", 16);
	/* a write across the page end wraps to the page start */
	ee_write(fe, 0x96, "wxyz", 4);
	ee_read(fe, 0x90, d, 8);
	assert_memory_equal(d, "yz", 2);
	assert_memory_equal(d + 6, "wx", 2);
	/* current-address read continues the sequence */
	ee_read(fe, 0x80, d, 4);
	{
		struct rq r[1] = { { .addr = 0x50, .flags = RD, .len = 4 } };

		submit(fe, r, 1, false);
		assert_int_equal(r[0].status, OK);
		assert_memory_equal(r[0].data, "EFGH", 4);
	}
	itest_close_ok(fe);
}

static void test_i2c_int_groups_per_request_status(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);
	uint8_t off[1] = { 0x80 }, reg[1] = { 0 };
	struct rq r[7] = {
		/* group 1: EEPROM random read, OK */
		{ .addr = 0x50, .wdata = off, .len = 1, .flags = FN },
		{ .addr = 0x50, .flags = RD, .len = 3 },
		/* group 2: second message to an unlisted address: both ERR */
		{ .addr = 0x50, .wdata = off, .len = 1, .flags = FN },
		{ .addr = 0x51, .flags = RD, .len = 3 },
		/* group 3: the lm75 temperature, OK */
		{ .addr = 0x48, .wdata = reg, .len = 1, .flags = FN },
		{ .addr = 0x48, .flags = RD, .len = 2 },
		/* group 4: a lone read of the unlisted address first, ERR */
		{ .addr = 0x51, .flags = RD, .len = 2 },
	};

	ee_write(fe, 0x80, "ABC", 3);
	submit(fe, r, 7, false);
	assert_int_equal(r[0].status, OK);
	assert_int_equal(r[1].status, OK);
	assert_memory_equal(r[1].data, "ABC", 3);
	assert_int_equal(r[2].status, ERR);
	assert_int_equal(r[3].status, ERR);
	assert_memory_equal(r[3].data, "\0\0\0", 3);      /* no stale bytes */
	assert_int_equal(r[4].status, OK);
	assert_int_equal(r[5].status, OK);
	assert_memory_equal(r[5].data, "\x17\x80", 2);    /* 23.5 C */
	assert_int_equal(r[6].status, ERR);
	assert_int_equal(r[6].used, 3);
	itest_close_ok(fe);
}

static void test_i2c_int_mixed_devices_in_one_kick(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);
	uint8_t off[1] = { 0x80 }, reg0[1] = { 0 }, reg3[1] = { 3 };
	uint8_t wr[3] = { 0x02, 0x4b, 0x00 };
	struct rq r[8] = {
		{ .addr = 0x50, .wdata = off, .len = 1, .flags = FN },
		{ .addr = 0x50, .flags = RD | FN, .len = 2 },
		{ .addr = 0x48, .wdata = reg0, .len = 1, .flags = FN },
		{ .addr = 0x48, .flags = RD, .len = 2 },           /* one transaction, 2 devices */
		{ .addr = 0x48, .wdata = wr, .len = 3 },           /* Thyst write */
		{ .addr = 0x48, .wdata = reg3, .len = 1, .flags = FN },
		{ .addr = 0x48, .flags = RD, .len = 2 },
		{ .addr = 0x50, .flags = RD, .len = 1 },           /* current address: 0x82 */
	};

	ee_write(fe, 0x80, "XYZ", 3);
	submit(fe, r, 8, false);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(r[i].status, OK);
	assert_memory_equal(r[1].data, "XY", 2);
	assert_memory_equal(r[3].data, "\x17\x80", 2);
	assert_memory_equal(r[6].data, "\x50\x00", 2);
	assert_int_equal(r[7].data[0], 'Z');
	itest_close_ok(fe);
}

static void test_i2c_int_zero_length_probe(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);
	struct rq r[6] = {
		{ .addr = 0x50 }, { .addr = 0x48 }, { .addr = 0x51 },
		{ .addr = 0x50, .flags = RD }, { .addr = 0x08, .flags = RD },
		{ .addr = 0x48, .flags = RD },
	};

	submit(fe, r, 6, false);
	assert_int_equal(r[0].status, OK);
	assert_int_equal(r[1].status, OK);
	assert_int_equal(r[2].status, ERR);
	assert_int_equal(r[3].status, OK);
	assert_int_equal(r[4].status, ERR);
	assert_int_equal(r[5].status, OK);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(r[i].used, 1);
	itest_close_ok(fe);
}

/* QEMU's ring has 4 entries; with indirect descriptors a write+read is
 * two entries. */
static void test_i2c_int_qemu_ring_of_four_indirect(void **state)
{
	struct fe_opts o = { .queue_size = 4 };
	struct fe *fe = itest_open_ok(sock0, &o);
	uint8_t off[1] = { 0x80 };

	for (int k = 0; k < 20; k++) {
		struct rq r[2] = {
			{ .addr = 0x50, .wdata = off, .len = 1, .flags = FN },
			{ .addr = 0x50, .flags = RD, .len = 3 },
		};

		submit(fe, r, 2, true);
		assert_int_equal(r[0].status, OK);
		assert_int_equal(r[1].status, OK);
	}
	/* a transfer longer than the ring: the driver queues 4 with
	 * FAIL_NEXT and waits; the unfinished group fails instead of
	 * hanging */
	{
		struct rq r[4] = {
			{ .addr = 0x50, .wdata = off, .len = 1, .flags = FN },
			{ .addr = 0x50, .flags = RD | FN, .len = 1 },
			{ .addr = 0x50, .flags = RD | FN, .len = 1 },
			{ .addr = 0x50, .flags = RD | FN, .len = 1 },
		};

		submit(fe, r, 4, true);
		for (unsigned i = 0; i < 4; i++)
			assert_int_equal(r[i].status, ERR);
		assert_memory_equal(r[1].data, "\0", 1);
	}
	itest_close_ok(fe);
}

static void test_i2c_int_malformed_requests_keep_serving(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);
	uint8_t off[1] = { 0x80 }, d[2];
	struct rq r[9] = {
		{ .addr = 0x50, .wdata = off, .len = 1, .no_status = true },      /* no status */
		{ .addr = 0x50, .flags = RD | 4, .len = 2 },                     /* reserved flag */
		{ .addr_field = 0xa1, .len = 0 },                                /* bit 0 set */
		{ .addr_field = 0x12f0, .len = 0 },                              /* 10-bit */
		{ .addr = 0x50, .flags = RD, .len = 2, .read_with_wbuf = true }, /* wrong direction */
		/* a malformed request inside a group fails the group */
		{ .addr = 0x50, .wdata = off, .len = 1, .flags = FN },
		{ .addr = 0x50, .flags = RD | FN | 8, .len = 2 },
		{ .addr = 0x50, .flags = RD, .len = 2 },
		/* and the next group is fine */
		{ .addr = 0x48, .flags = RD, .len = 2 },
	};

	submit(fe, r, 9, false);
	assert_int_equal(r[0].used, 0);
	assert_int_equal(r[1].status, ERR);
	assert_memory_equal(r[1].data, "\0\0", 2);
	assert_int_equal(r[2].status, ERR);
	assert_int_equal(r[3].status, ERR);
	assert_int_equal(r[4].status, ERR);
	assert_int_equal(r[5].status, ERR);
	assert_int_equal(r[6].status, ERR);
	assert_int_equal(r[7].status, ERR);
	assert_int_equal(r[8].status, OK);
	ee_write(fe, 0x70, "ok", 2);
	ee_read(fe, 0x70, d, 2);
	assert_memory_equal(d, "ok", 2);
	itest_close_ok(fe);

	/* a chain that breaks the ring rules stops the queue; a new
	 * connection is served */
	fe = itest_open_ok(sock0, NULL);
	{
		struct vring_desc *desc = fe_vq_desc(fe, 0);
		uint64_t g = fe_alloc(fe, 16, 8);
		int head;
		struct fe_seg s[2] = { { g, 8, false }, { g + 8, 1, true } };

		head = fe_vq_add(fe, 0, s, 2, false);
		assert_true(head >= 0);
		desc[head].next = 0x7fff;          /* out of range */
		fe_vq_publish(fe, 0, (uint16_t)head);
		assert_int_equal(fe_vq_kick(fe, 0), 0);
		assert_int_equal(fe_vq_wait_err(fe, 0, WAIT_MS), 0);
	}
	fe_free(fe);
	assert_true(proc_alive(&dmn.proc));
	fe = itest_open_ok(sock0, NULL);
	ee_read(fe, 0x70, d, 2);
	assert_memory_equal(d, "ok", 2);
	itest_close_ok(fe);
}

static void test_i2c_int_two_sockets_share_devices(void **state)
{
	static const char *const args[] = { "-c", "2", "--sim", "24c02@80", NULL };
	struct proc p = { 0 };
	char s0[160], s1[200];
	struct fe *a, *b;
	uint8_t d[3];

	assert_int_equal(proc_tmpdir(&p), 0);
	assert_int_equal(spawn_i2c(&p, args, s0, sizeof(s0)), 0);
	snprintf(s1, sizeof(s1), "%s1", p.sock);
	assert_int_equal(proc_wait_path(s1, true, 5000), 0);
	a = itest_open_ok(s0, NULL);
	b = itest_open_ok(s1, NULL);
	ee_write(a, 0x00, "abc", 3);
	ee_read(b, 0x00, d, 3);
	assert_memory_equal(d, "abc", 3);
	itest_close_ok(a);
	itest_close_ok(b);
	assert_int_equal(proc_stop(&p, 10000), 0);
	assert_int_equal(access(s0, F_OK), -1);
	assert_int_equal(access(s1, F_OK), -1);
	proc_cleanup(&p);
}

static void test_i2c_int_file_persists_across_restart(void **state)
{
	struct proc p = { 0 };
	char spec[256], s0[160], file[160];
	const char *args[] = { "--sim", spec, "--sim", "lm75@0x48", NULL };
	struct fe *fe;
	uint8_t d[8], img[300];
	int fd;
	ssize_t n;

	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(file, sizeof(file), "%s/ee.bin", p.dir);
	snprintf(spec, sizeof(spec), "24c02@0x50,file=%s", file);
	assert_int_equal(spawn_i2c(&p, args, s0, sizeof(s0)), 0);
	fe = itest_open_ok(s0, NULL);
	ee_write(fe, 0x20, "persist!", 8);
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);         /* SIGTERM, exit 0 */

	/* the bytes are in the file (written at the latest at exit), a whole
	 * image, and no temporary file is left next to it */
	fd = open(file, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, img, sizeof(img));
	close(fd);
	assert_int_equal(n, 256);
	assert_memory_equal(img + 0x20, "persist!", 8);
	{
		DIR *dir = opendir(p.dir);
		struct dirent *de;

		assert_non_null(dir);
		while ((de = readdir(dir)))
			if (!strncmp(de->d_name, "ee.bin", 6))
				assert_string_equal(de->d_name, "ee.bin");
		closedir(dir);
	}

	assert_int_equal(spawn_i2c(&p, args, s0, sizeof(s0)), 0);
	fe = itest_open_ok(s0, NULL);
	ee_read(fe, 0x20, d, 8);
	assert_memory_equal(d, "persist!", 8);
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);
	proc_cleanup(&p);
}

/* The other models, in a daemon of their own, through the transfers their
 * Linux drivers make: at24's 16-bit path on the 24c32, gpio-pca953x's
 * register pairs on the pca9555, rtc-ds1307's set and read of the time. */
static void test_i2c_int_more_models_as_their_drivers_use_them(void **state)
{
	struct proc p = { 0 };
	char s0[160];
	const char *args[] = { "--sim", "24c32@0x50", "--sim", "pca9555@0x20,inputs=0x1234",
			       "--sim", "ds1307@0x68", NULL };
	/* 2031-02-28 23:59:58, a Friday */
	uint8_t set[8] = { 0x00, 0x58, 0x59, 0x23, 0x06, 0x28, 0x02, 0x31 };
	uint8_t a16[3] = { 0x0a, 0xbc, 0x5a }, reg[1] = { 0 }, cfg[3] = { 0x06, 0x00, 0xff };
	uint8_t out[3] = { 0x02, 0xa5, 0x00 };
	struct fe *fe;

	assert_int_equal(proc_tmpdir(&p), 0);
	assert_int_equal(spawn_i2c(&p, args, s0, sizeof(s0)), 0);
	fe = itest_open_ok(s0, NULL);
	{
		struct rq r[3] = {
			{ .addr = 0x50, .wdata = a16, .len = 3 },            /* byte write */
			{ .addr = 0x50, .wdata = a16, .len = 2, .flags = FN },
			{ .addr = 0x50, .flags = RD, .len = 2 },
		};

		submit(fe, r, 3, true);
		assert_int_equal(r[0].status | r[1].status | r[2].status, OK);
		assert_memory_equal(r[2].data, "\x5a\xff", 2);
	}
	{
		struct rq r[6] = {
			{ .addr = 0x20, .wdata = reg, .len = 1, .flags = FN },
			{ .addr = 0x20, .flags = RD, .len = 2 },               /* inputs */
			{ .addr = 0x20, .wdata = out, .len = 3 },              /* outputs */
			{ .addr = 0x20, .wdata = cfg, .len = 3 },              /* port 0 out */
			{ .addr = 0x20, .wdata = reg, .len = 1, .flags = FN },
			{ .addr = 0x20, .flags = RD, .len = 2 },
		};

		submit(fe, r, 6, true);
		for (unsigned i = 0; i < 6; i++)
			assert_int_equal(r[i].status, OK);
		assert_memory_equal(r[1].data, "\x34\x12", 2);
		assert_memory_equal(r[5].data, "\xa5\x12", 2);
	}
	{
		struct rq r[3] = {
			{ .addr = 0x68, .wdata = set, .len = 8 },
			{ .addr = 0x68, .wdata = reg, .len = 1, .flags = FN },
			{ .addr = 0x68, .flags = RD, .len = 7 },
		};
		unsigned secs;

		submit(fe, r, 3, true);
		assert_int_equal(r[0].status | r[1].status | r[2].status, OK);
		/* the clock runs on from the time set: within a minute of it
		 * (the test makes no claim about how fast the machine is) */
		secs = (r[2].data[0] >> 4) * 10u + (r[2].data[0] & 15);
		if (r[2].data[4] == 0x28)
			assert_memory_equal(r[2].data + 1, "\x59\x23\x06\x28\x02\x31", 6);
		else
			assert_memory_equal(r[2].data + 1, "\x00\x00\x07\x01\x03\x31", 6);
		assert_true(r[2].data[4] == 0x28 ? secs >= 58 : secs < 58);
	}
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);
	proc_cleanup(&p);
}

/* --trace: the guest's transfers as pcap (LINKTYPE_I2C_LINUX); tshark
 * (which must be installed: tools/deps) decodes every message to the
 * bytes that were on the bus. */
static void test_i2c_int_trace_pcap_decodes_in_tshark(void **state)
{
	struct proc p = { 0 };
	char s0[160], file[200], trace[220], cmd[600], out[2048] = "";
	const char *args[] = { "--sim", "24c02@0x50", "--sim", "lm75@0x48", "--trace", trace,
			       NULL };
	uint8_t w[4] = { 0x10, 0xde, 0xad, 0x42 }, off[1] = { 0x10 }, reg[1] = { 0 };
	struct fe *fe;
	FILE *f;
	size_t n;

	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(file, sizeof(file), "%s/i2c.pcap", p.dir);
	snprintf(trace, sizeof(trace), "%s,format=pcap", file);
	assert_int_equal(spawn_i2c(&p, args, s0, sizeof(s0)), 0);
	fe = itest_open_ok(s0, NULL);
	{
		struct rq r[6] = {
			{ .addr = 0x50, .wdata = w, .len = 4 },
			{ .addr = 0x50, .wdata = off, .len = 1, .flags = FN },
			{ .addr = 0x50, .flags = RD, .len = 3 },
			{ .addr = 0x48, .wdata = reg, .len = 1, .flags = FN },
			{ .addr = 0x48, .flags = RD, .len = 2 },
			{ .addr = 0x51, .flags = RD, .len = 1 },    /* not listed: not on a bus */
		};

		submit(fe, r, 6, true);
		assert_int_equal(r[2].status, OK);
		assert_int_equal(r[5].status, ERR);
	}
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);      /* the trace is complete */

	snprintf(cmd, sizeof(cmd), "tshark -r '%s' -T fields -e i2c.bus -e i2c.addr "
		 "-e i2c.flags -e data.data 2>'%s/tshark.err'", file, p.dir);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	if (pclose(f) != 0)
		fail_msg("tshark failed (is it installed? tools/deps); see %s/tshark.err", p.dir);
	/* bus 0 (socket 0), 7-bit address, flags (I2C_M_RD), the address
	 * byte and the data */
	assert_string_equal(out,
		"0\t0x50\t0x00000000\ta010dead42\n"
		"0\t0x50\t0x00000000\ta010\n"
		"0\t0x50\t0x00000001\ta1dead42\n"
		"0\t0x48\t0x00000000\t9000\n"
		"0\t0x48\t0x00000001\t911780\n");
	proc_cleanup(&p);
}

static void test_i2c_int_cli_errors_name_the_bad_part(void **state)
{
	static const struct {
		const char *opt, *val, *needle;
	} bad[] = {
		{ "-l", "1:128", "'128'" },
		{ "-l", "1:32,1:32", "appears twice" },
		{ "-l", "1:32,,2:33", "empty entry" },
		{ "--device-list", "nosuchadapter:32", "unknown adapter 'nosuchadapter'" },
		{ "-l", "twin:32", "ambiguous" },
		{ "-l", "named:9", "/dev/i2c-77" },        /* resolved, then cannot open */
		{ "--sim", "24c08@0x50", "'24c08'" },
		{ "--sim", "24c02@0x50,foo=1", "'foo=1'" },
		{ "--sim", "lm75@0x99", "'0x99'" },
		{ "--sim", "pca9555@0x20,inputs=0x10000", "'0x10000'" },
		{ "--trace", "/tmp/x.pcap,format=vcd", "format 'vcd'" },
		{ "--trace", ",format=pcap", "no file name" },
		{ "--trace", "/nonexistent/dir/x.pcap", "'/nonexistent/dir/x.pcap'" },
		{ "-c", "0", "'0'" },
	};
	char dir[] = "/tmp/vdi2c-cli.XXXXXX", p[256], err[1024];

	assert_non_null(mkdtemp(dir));
	{
		const char *ad[][2] = { { "i2c-3", "twin" }, { "i2c-4", "twin" }, { "i2c-77", "named" } };

		for (unsigned i = 0; i < 3; i++) {
			FILE *f;

			snprintf(p, sizeof(p), "%s/%s", dir, ad[i][0]);
			assert_int_equal(mkdir(p, 0755), 0);
			snprintf(p, sizeof(p), "%s/%s/name", dir, ad[i][0]);
			f = fopen(p, "w");
			assert_non_null(f);
			fprintf(f, "%s\n", ad[i][1]);
			fclose(f);
		}
	}
	setenv("VHOST_DEVICE_I2C_SYSFS", dir, 1);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { "i2c", "-s", "/nonexistent/x.sock", "--sim", "lm75@0x48",
				       bad[i].opt, bad[i].val, NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 1);
		if (!strstr(err, bad[i].needle))
			fail_msg("%s %s: stderr '%s' does not name '%s'", bad[i].opt, bad[i].val,
				 err, bad[i].needle);
	}
	unsetenv("VHOST_DEVICE_I2C_SYSFS");
	{
		const char *args[] = { "i2c", "-s", "/nonexistent/x.sock", NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 2);
		assert_non_null(strstr(err, "no devices"));
	}
	{
		const char *args[] = { "i2c", "--sim", "lm75@0x48", NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 2);
		assert_non_null(strstr(err, "socket"));
	}
	{
		const char *args[] = { "i2c", "--help", NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 0);
	}
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

/* Last: SIGTERM ends the group's daemon with exit 0 (under valgrind: no
 * memory error, no block left allocated). */
static void test_i2c_int_daemon_exits_0(void **state)
{
	itest_stop_ok(&dmn);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_i2c_int_features_and_queue),
		T(test_i2c_int_eeprom_byte_write_random_read),
		T(test_i2c_int_eeprom_page_write_sequential_read),
		T(test_i2c_int_groups_per_request_status),
		T(test_i2c_int_mixed_devices_in_one_kick),
		T(test_i2c_int_zero_length_probe),
		T(test_i2c_int_qemu_ring_of_four_indirect),
		T(test_i2c_int_malformed_requests_keep_serving),
		cmocka_unit_test(test_i2c_int_two_sockets_share_devices),
		cmocka_unit_test(test_i2c_int_file_persists_across_restart),
		cmocka_unit_test(test_i2c_int_more_models_as_their_drivers_use_them),
		cmocka_unit_test(test_i2c_int_trace_pcap_decodes_in_tshark),
		cmocka_unit_test(test_i2c_int_cli_errors_name_the_bad_part),
		cmocka_unit_test(test_i2c_int_daemon_exits_0),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
