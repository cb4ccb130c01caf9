/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The SPI device end to end: `vhost-device spi -s S --sim loopback --sim
 * flash,file=F` driven by the test frontend as QEMU and the Linux
 * spi-virtio driver would (one transfer per request, the spi-mem phases of
 * a flash command as separate requests): config, loopback, JEDEC id,
 * program / read back / erase (also after a restart), per-request results
 * in a mixed kick, malformed chains, several sockets, the command line. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS 3000
#define SLOTS   16
#define SLOT_DATA 4096

#define OK    0
#define PARAM 1

static struct itest_daemon dmn;
static char sock0[160], img[160];
static uint64_t slot_gpa[SLOTS];
static struct fe *slot_fe;   /* the fe slot_gpa belongs to */

/* ---------------------------------------------------------------- daemon */

static int spawn(struct proc *p, char *s0, size_t s0len, char *image, size_t imglen,
		 const char *count)
{
	char flash[200];
	const char *args[] = { "--sim", "loopback", "--sim", flash, NULL };

	proc_sock_path(p, 1, 0, s0, s0len);
	snprintf(image, imglen, "%s/nor.img", p->dir);
	snprintf(flash, sizeof(flash), "flash,file=%s", image);
	return proc_spawn_sockets(p, "spi", count ? (unsigned)atoi(count) : 1, args);
}

static int spawn_main(struct proc *p, void *arg)
{
	return spawn(p, sock0, sizeof(sock0), img, sizeof(img), NULL);
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

/* Connect and start like QEMU (GET_CONFIG of 32 bytes); the slots of a
 * previous frontend are not this one's. */
static struct fe *open_fe(const char *path)
{
	struct fe *fe = itest_open_ok(path, &(struct fe_opts){ .config_size = 32 });

	slot_fe = NULL;
	return fe;
}

/* ------------------------------------------------------------- requests */

struct sreq {
	uint8_t cs, cs_change;
	uint32_t mode, freq;
	const void *tx;
	uint32_t txlen;
	void *rx;
	uint32_t rxlen;
	uint32_t headlen;      /* 0 = 32 */
	bool no_result;        /* no writable byte at all */
	/* out */
	uint8_t result;
	uint32_t used;
};


static void slots(struct fe *fe)
{
	if (slot_fe == fe)
		return;
	for (unsigned i = 0; i < SLOTS; i++) {
		slot_gpa[i] = fe_alloc(fe, 64 + 2 * SLOT_DATA + 64, 64);
		assert_true(slot_gpa[i] != 0);
	}
	slot_fe = fe;
}

/* All of r[0..n) as chains of one kick; wait for every one. */
static void kick(struct fe *fe, struct sreq *r, unsigned n)
{
	int head[SLOTS];
	unsigned got = 0;
	long long end = proc_now_ms() + WAIT_MS;

	assert_true(n <= SLOTS);
	slots(fe);
	for (unsigned i = 0; i < n; i++) {
		uint64_t g = slot_gpa[i];
		uint8_t *h = fe_ptr(fe, g, 32);
		struct fe_seg s[4];
		unsigned k = 0;

		assert_true(r[i].txlen <= SLOT_DATA && r[i].rxlen <= SLOT_DATA);
		memset(h, 0, 32);
		h[0] = r[i].cs;
		h[1] = 8;
		h[2] = r[i].cs_change;
		memcpy(h + 8, &r[i].mode, 4);
		memcpy(h + 12, &r[i].freq, 4);
		s[k++] = (struct fe_seg){ g, r[i].headlen ? r[i].headlen : 32, false };
		if (r[i].txlen) {
			memcpy(fe_ptr(fe, g + 64, r[i].txlen), r[i].tx, r[i].txlen);
			s[k++] = (struct fe_seg){ g + 64, r[i].txlen, false };
		}
		if (r[i].rxlen) {
			memset(fe_ptr(fe, g + 64 + SLOT_DATA, r[i].rxlen), 0xa5, r[i].rxlen);
			s[k++] = (struct fe_seg){ g + 64 + SLOT_DATA, r[i].rxlen, true };
		}
		if (!r[i].no_result) {
			*(uint8_t *)fe_ptr(fe, g + 64 + 2 * SLOT_DATA, 1) = 0xee;
			s[k++] = (struct fe_seg){ g + 64 + 2 * SLOT_DATA, 1, true };
		}
		head[i] = fe_vq_add(fe, 0, s, k, false);
		assert_true(head[i] >= 0);
		r[i].used = 0xffffffff;
	}
	for (unsigned i = 0; i < n; i++)
		fe_vq_publish(fe, 0, (uint16_t)head[i]);
	assert_int_equal(fe_vq_kick(fe, 0), 0);
	while (got < n) {
		uint32_t id, len;
		int rc = fe_vq_get_used(fe, 0, &id, &len);

		assert_true(rc >= 0);
		if (rc == 0) {
			if (proc_now_ms() > end) {
				for (unsigned i = 0; i < n; i++)
					if (r[i].used == 0xffffffff)
						print_error("request %u (head %d) missing\n", i, head[i]);
				fail_msg("only %u of %u requests came back", got, n);
			}
			fe_vq_wait_call(fe, 0, 100);
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			if (head[i] != (int)id)
				continue;
			uint64_t g = slot_gpa[i];

			r[i].used = len;
			r[i].result = r[i].no_result ? 0xff :
				*(uint8_t *)fe_ptr(fe, g + 64 + 2 * SLOT_DATA, 1);
			if (r[i].rxlen)
				memcpy(r[i].rx, fe_ptr(fe, g + 64 + SLOT_DATA, r[i].rxlen), r[i].rxlen);
			got++;
		}
	}
}

static uint8_t xfer(struct fe *fe, unsigned cs, const void *tx, uint32_t txlen, void *rx,
		    uint32_t rxlen)
{
	struct sreq r = { .cs = (uint8_t)cs, .tx = tx, .txlen = txlen, .rx = rx,
			  .rxlen = rxlen, .freq = 1000000 };

	kick(fe, &r, 1);
	assert_int_equal(r.used, rxlen + 1);
	return r.result;
}

/* ---- flash commands the way Linux spi-nor sends them through spi-mem ---- */

static void nor_cmd(struct fe *fe, uint8_t op)
{
	assert_int_equal(xfer(fe, 1, &op, 1, NULL, 0), OK);
}

static void nor_read_reg(struct fe *fe, uint8_t op, void *out, uint32_t n)
{
	assert_int_equal(xfer(fe, 1, &op, 1, NULL, 0), OK);
	assert_int_equal(xfer(fe, 1, NULL, 0, out, n), OK);
}

static void nor_addr(struct fe *fe, uint8_t op, uint32_t a)
{
	uint8_t ab[3] = { (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };

	assert_int_equal(xfer(fe, 1, &op, 1, NULL, 0), OK);
	assert_int_equal(xfer(fe, 1, ab, 3, NULL, 0), OK);
}

static void nor_wait(struct fe *fe)
{
	uint8_t sr = 0xff;

	for (int i = 0; i < 20; i++) {
		nor_read_reg(fe, 0x05, &sr, 1);
		if (!(sr & 1))
			return;
	}
	fail_msg("flash stays busy (status %#x)", sr);
}

static void nor_read(struct fe *fe, uint32_t a, void *out, uint32_t n)
{
	uint8_t dummy = 0;

	nor_addr(fe, 0x0b, a);
	assert_int_equal(xfer(fe, 1, &dummy, 1, NULL, 0), OK);
	assert_int_equal(xfer(fe, 1, NULL, 0, out, n), OK);
}

static void nor_program(struct fe *fe, uint32_t a, const void *data, uint32_t n)
{
	nor_cmd(fe, 0x06);
	nor_addr(fe, 0x02, a);
	assert_int_equal(xfer(fe, 1, data, n, NULL, 0), OK);
	nor_wait(fe);
}

static void nor_erase4k(struct fe *fe, uint32_t a)
{
	nor_cmd(fe, 0x06);
	nor_addr(fe, 0x20, a);
	nor_wait(fe);
}

/* ------------------------------------------------------------------ tests */

static void test_spi_int_config_and_features(void **state)
{
	struct fe *fe = open_fe(sock0);
	const uint8_t *c = fe->config;

	assert_int_equal(fe->config_len, 32);
	assert_true(fe->dev_protocol & BIT64(VHOST_USER_PROTOCOL_F_CONFIG));
	assert_true(fe->dev_features & BIT64(VIRTIO_F_VERSION_1));
	assert_int_equal(fe->dev_queues, 1);
	assert_int_equal(c[0], 2);                       /* two chip selects */
	assert_int_equal(c[1], 1);                       /* cs_change supported */
	assert_int_equal(c[2], 0);
	assert_int_equal(c[3], 0);
	assert_memory_equal(c + 4, "\x80\0\0\0", 4);    /* 8-bit words */
	assert_memory_equal(c + 8, "\x0f\0\0\0", 4);    /* SPI modes 0-3 */
	assert_memory_equal(c + 12, "\x00\xea\x32\x06", 4);  /* 104 MHz */
	itest_close_ok(fe);
}

static void test_spi_int_loopback_echo(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint8_t tx[300], rx[300];

	for (unsigned i = 0; i < sizeof(tx); i++)
		tx[i] = (uint8_t)(i * 3 + 1);
	assert_int_equal(xfer(fe, 0, tx, sizeof(tx), rx, sizeof(rx)), OK);
	assert_memory_equal(rx, tx, sizeof(tx));
	/* tx only, then rx only */
	assert_int_equal(xfer(fe, 0, tx, 16, NULL, 0), OK);
	assert_int_equal(xfer(fe, 0, NULL, 0, rx, 16), OK);
	assert_memory_equal(rx, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	itest_close_ok(fe);
}

static void test_spi_int_flash_jedec_id(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint8_t id[6] = { 0 }, tx[4] = { 0x9f }, rx[4];

	nor_read_reg(fe, 0x9f, id, 6);     /* as spi-nor: opcode, then 6 bytes */
	assert_memory_equal(id, "\xef\x40\x14", 3);
	assert_int_equal(xfer(fe, 1, tx, 4, rx, 4), OK);   /* one full-duplex transfer */
	assert_memory_equal(rx + 1, "\xef\x40\x14", 3);
	itest_close_ok(fe);
}

static void test_spi_int_flash_program_erase(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint8_t page[256], back[256], ff[256];

	memset(ff, 0xff, sizeof(ff));
	nor_erase4k(fe, 0x3000);
	nor_read(fe, 0x3000, back, 256);
	assert_memory_equal(back, ff, 256);
	for (unsigned i = 0; i < 256; i++)
		page[i] = (uint8_t)(0xf0 ^ i);
	nor_program(fe, 0x3000, page, 256);
	nor_read(fe, 0x3000, back, 256);
	assert_memory_equal(back, page, 256);
	/* programming again only clears bits */
	{
		uint8_t z = 0x0f;

		nor_program(fe, 0x3000, &z, 1);
		nor_read(fe, 0x3000, back, 1);
		assert_int_equal(back[0], page[0] & 0x0f);
	}
	/* without WREN nothing changes */
	{
		uint8_t z = 0x00;

		nor_addr(fe, 0x02, 0x3100);
		assert_int_equal(xfer(fe, 1, &z, 1, NULL, 0), OK);
		nor_read(fe, 0x3100, back, 1);
		assert_int_equal(back[0], 0xff);
	}
	nor_erase4k(fe, 0x3000);
	nor_read(fe, 0x3000, back, 256);
	assert_memory_equal(back, ff, 256);
	itest_close_ok(fe);
}

static void test_spi_int_flash_persists_across_restart(void **state)
{
	struct proc p;
	char s0[160], image[160];
	uint8_t page[64], back[64];
	struct fe *fe;

	memset(&p, 0, sizeof(p));
	assert_int_equal(proc_tmpdir(&p), 0);
	assert_int_equal(spawn(&p, s0, sizeof(s0), image, sizeof(image), NULL), 0);
	assert_int_equal(access(image, F_OK), 0);
	fe = open_fe(s0);
	for (unsigned i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 5);
	nor_erase4k(fe, 0x7000);
	nor_program(fe, 0x7010, page, sizeof(page));
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);

	assert_int_equal(spawn(&p, s0, sizeof(s0), image, sizeof(image), NULL), 0);
	fe = open_fe(s0);
	nor_read(fe, 0x7010, back, sizeof(back));
	assert_memory_equal(back, page, sizeof(page));
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);
	proc_cleanup(&p);
}

static void test_spi_int_mixed_kick(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint8_t a[4] = { 1, 2, 3, 4 }, ra[4], r1[4], b[3] = { 9, 8, 7 }, rb[3], rbad[5];
	uint8_t id_tx[4] = { 0x9f }, id_rx[4];
	struct sreq r[7] = {
		{ .cs = 0, .tx = a, .txlen = 4, .rx = ra, .rxlen = 4 },          /* ok */
		{ .cs = 5, .tx = a, .txlen = 4, .rx = r1, .rxlen = 4 },          /* no cs 5 */
		{ .cs = 0, .tx = b, .txlen = 3, .rx = rb, .rxlen = 3 },          /* ok */
		{ .cs = 0, .tx = a, .txlen = 4, .rx = rbad, .rxlen = 5 },        /* lengths */
		{ .cs = 0 },                                                    /* no data */
		{ .cs = 0, .mode = 4, .tx = a, .txlen = 4 },                     /* CS_HIGH */
		{ .cs = 1, .tx = id_tx, .txlen = 4, .rx = id_rx, .rxlen = 4 },   /* ok */
	};
	static const uint8_t want[7] = { OK, PARAM, OK, PARAM, PARAM, PARAM, OK };

	for (unsigned i = 0; i < 7; i++)
		r[i].freq = 1000000;
	kick(fe, r, 7);
	for (unsigned i = 0; i < 7; i++) {
		if (r[i].result != want[i])
			fail_msg("request %u: result %u, expected %u", i, r[i].result, want[i]);
		assert_int_equal(r[i].used, r[i].rxlen + 1);
	}
	assert_memory_equal(ra, a, 4);
	assert_memory_equal(rb, b, 3);
	assert_memory_equal(id_rx + 1, "\xef\x40\x14", 3);
	/* nothing was clocked for the invalid ones: rx untouched */
	assert_int_equal(rbad[0], 0xa5);
	assert_int_equal(r1[0], 0xa5);
	/* a frequency above the limit */
	{
		struct sreq f = { .cs = 0, .tx = a, .txlen = 4, .freq = 200000000 };

		kick(fe, &f, 1);
		assert_int_equal(f.result, PARAM);
	}
	itest_close_ok(fe);
}

static void test_spi_int_malformed_chains(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint8_t a[4] = { 1, 2, 3, 4 }, ra[4];
	pid_t pid = dmn.proc.pid;

	/* no writable byte: completed with nothing written */
	{
		struct sreq r = { .cs = 0, .tx = a, .txlen = 4, .no_result = true };

		kick(fe, &r, 1);
		assert_int_equal(r.used, 0);
	}
	/* a head cut short */
	{
		struct sreq r = { .cs = 0, .headlen = 16 };

		kick(fe, &r, 1);
		assert_int_equal(r.result, PARAM);
		assert_int_equal(r.used, 1);
	}
	assert_int_equal(xfer(fe, 0, a, 4, ra, 4), OK);
	assert_memory_equal(ra, a, 4);

	/* a descriptor outside guest memory breaks the queue ... */
	{
		struct fe_seg s[2] = { { 0x7fff0000ull, 32, false }, { 0x7fff1000ull, 1, true } };
		int h = fe_vq_add(fe, 0, s, 2, false);

		assert_true(h >= 0);
		fe_vq_publish(fe, 0, (uint16_t)h);
		assert_int_equal(fe_vq_kick(fe, 0), 0);
		assert_int_equal(fe_vq_wait_err(fe, 0, WAIT_MS), 0);
	}
	fe_free(fe);
	/* ... and the daemon serves the next connection */
	fe = open_fe(sock0);
	assert_int_equal(xfer(fe, 0, a, 4, ra, 4), OK);
	assert_memory_equal(ra, a, 4);
	itest_close_ok(fe);
	assert_true(proc_alive(&dmn.proc));
	assert_int_equal(dmn.proc.pid, pid);
}

static void test_spi_int_two_sockets(void **state)
{
	struct proc p;
	char s0[160], s1[200], image[160];
	uint8_t id[3], a[2] = { 0x12, 0x34 }, ra[2];
	struct fe *f0, *f1;

	memset(&p, 0, sizeof(p));
	assert_int_equal(proc_tmpdir(&p), 0);
	assert_int_equal(spawn(&p, s0, sizeof(s0), image, sizeof(image), "2"), 0);
	snprintf(s1, sizeof(s1), "%s1", p.sock);
	assert_int_equal(proc_wait_path(s1, true, WAIT_MS), 0);
	f0 = open_fe(s0);
	f1 = open_fe(s1);
	assert_int_equal(f1->config[0], 2);
	/* guest 0 leaves a command open; guest 1's command is not mixed in */
	{
		uint8_t op = 0x03, ab[3] = { 0, 0, 0 };

		assert_int_equal(xfer(f0, 1, &op, 1, NULL, 0), OK);
		assert_int_equal(xfer(f0, 1, ab, 3, NULL, 0), OK);
	}
	slot_fe = NULL;
	nor_read_reg(f1, 0x9f, id, 3);
	assert_memory_equal(id, "\xef\x40\x14", 3);
	assert_int_equal(xfer(f1, 0, a, 2, ra, 2), OK);
	assert_memory_equal(ra, a, 2);
	slot_fe = NULL;
	itest_close_ok(f0);
	itest_close_ok(f1);
	slot_fe = NULL;
	assert_int_equal(proc_stop(&p, 10000), 0);
	assert_int_equal(access(s0, F_OK), -1);
	assert_int_equal(access(s1, F_OK), -1);
	proc_cleanup(&p);
}

/* An mcp3008 daemon of its own: conversions as the mcp320x driver makes
 * them (one tx byte, two rx bytes as the next request), and their JSON
 * trace. */
static void test_spi_int_mcp3008_conversions(void **state)
{
	struct proc p = { 0 };
	char s0[160], file[200], cmd[700];
	const char *args[] = { "--sim", "mcp3008,ch0=1023,ch3=0x155,ch6=300,ch7=100",
			       "--trace", file, NULL };
	struct fe *fe;

	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(file, sizeof(file), "%s/spi.json", p.dir);
	proc_sock_path(&p, 1, 0, s0, sizeof(s0));
	assert_int_equal(proc_spawn_sockets(&p, "spi", 1, args), 0);
	fe = open_fe(s0);
	assert_int_equal(fe->config[0], 1);
	assert_memory_equal(fe->config + 12, "\x80\xee\x36\x00", 4);   /* 3.6 MHz */
	for (unsigned i = 0; i < 4; i++) {
		static const struct { uint8_t ch; bool diff; unsigned v; } c[4] = {
			{ 0, false, 1023 }, { 3, false, 0x155 }, { 1, false, 0 }, { 6, true, 200 },
		};
		uint8_t tx = (uint8_t)(1 << 6 | !c[i].diff << 5 | c[i].ch << 2), rx[2];

		assert_int_equal(xfer(fe, 0, &tx, 1, NULL, 0), OK);
		assert_int_equal(xfer(fe, 0, NULL, 0, rx, 2), OK);
		assert_int_equal(rx[0] << 2 | rx[1] >> 6, c[i].v);
	}
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);
	/* --trace: a JSON object per request, in order: the command byte,
	 * then the two bytes read (B9..B2, then B1 B0 and the LSB-first
	 * repeat B1..B6: 0x3ff of channel 0 reads ff ff, 200 reads 32 09) */
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys\n"
		 "r=[json.loads(l) for l in open(sys.argv[1])]\n"
		 "assert len(r)==8 and all(x[\"dev\"]==\"spi\" and x[\"result\"]==\"OK\" for x in r)\n"
		 "assert [x[\"tx\"] for x in r[0:8:2]]==[\"60\",\"6c\",\"64\",\"58\"], r\n"
		 "assert [x[\"rx\"] for x in r[1:8:2]]==[\"ffff\",\"5555\",\"0000\",\"3209\"], r\n"
		 "assert r[1][\"rx_len\"]==2 and r[0][\"tx_len\"]==1 and r[0][\"cs\"]==0\n"
		 "assert all(r[i][\"time\"]<=r[i+1][\"time\"] for i in range(7))' '%s'", file);
	assert_int_equal(system(cmd), 0);
	proc_cleanup(&p);
}

static void test_spi_int_cli(void **state)
{
	static const struct {
		const char *args[10];
		const char *needle;
		int status;     /* 2: a usage error, as upstream's clap */
	} bad[] = {
		/* upstream's own command line shape: the device is checked */
		{ { "spi", "--socket-path=/tmp/vd-nonexistent/x.sock", "--socket-count=1",
		    "--device", "/dev/vd-no-such-spidev", NULL },
		  "/dev/vd-no-such-spidev: No such file or directory", 1 },
		{ { "spi", "-s", "/tmp/x.sock", "-l", "/dev/null", NULL }, "not a spidev", 1 },
		{ { "spi", "-s", "/tmp/x.sock", "-l", "/dev/null,", NULL }, "empty", 1 },
		{ { "spi", "-s", "/tmp/x.sock", "-c", "0", "--sim", "loopback", NULL },
		  "socket-count", 2 },	/* upstream: a NonZeroUsize */
		{ { "spi", "-s", "/tmp/x.sock", "--sim", "eeprom", NULL }, "eeprom", 1 },
		{ { "spi", "-s", "/tmp/x.sock", NULL }, "no chip selects", 2 },
		{ { "spi", "--sim", "loopback", NULL }, "socket-path", 2 },
	};
	char err[1024];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(proc_run_cli(bad[i].args, err, sizeof(err), 10000), bad[i].status);
		if (!strstr(err, bad[i].needle))
			fail_msg("case %u: stderr '%s' does not say '%s'", i, err, bad[i].needle);
	}
	{
		const char *args[] = { "spi", "--sim", "help", NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 0);
	}
	{
		/* one image file for two flashes */
		char d[] = "/tmp/vd-spi-cli.XXXXXX", spec[64];
		const char *args[] = { "spi", "-s", "/tmp/x.sock", "--sim", "loopback", "--sim", spec,
				       "--sim", spec, NULL };
		char want[160];

		assert_non_null(mkdtemp(d));
		snprintf(spec, sizeof(spec), "flash,file=%s/a.img", d);
		snprintf(want, sizeof(want),
			 "--sim '%s': the image file is already used by chip select 1", spec);
		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 1);
		if (!strstr(err, want))
			fail_msg("stderr '%s' does not say '%s'", err, want);
		snprintf(want, sizeof(want), "%s/a.img", d);
		unlink(want);
		assert_int_equal(rmdir(d), 0);
	}
	{
		/* 33 chip selects; 32 are taken (refused later, for the socket) */
		const char *args[3 + 2 * 33 + 1] = { "spi", "-s", "/tmp/vd-no-such-dir/x.sock" };
		static char big[8192];
		unsigned n = 3;

		for (unsigned i = 0; i < 33; i++) {
			args[n++] = "--sim";
			args[n++] = "loopback";
		}
		args[n] = NULL;
		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 1);
		if (!strstr(err, "more than 32 chip selects"))
			fail_msg("stderr '%s' does not say 'more than 32 chip selects'", err);
		args[n - 2] = NULL;
		assert_int_equal(proc_run_cli(args, big, sizeof(big), 10000), 1);
		if (strstr(big, "more than") || !strstr(big, "/tmp/vd-no-such-dir/x.sock"))
			fail_msg("32 chip selects: stderr '%s' is not about the socket", big);
	}
	{
		/* a --device list longer than any path list can be */
		static char list[5000];
		const char *args[] = { "spi", "-s", "/tmp/x.sock", "-l", list, NULL };

		memset(list, 'a', sizeof(list) - 1);
		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 1);
		if (!strstr(err, "--device list too long"))
			fail_msg("stderr '%s' does not say '--device list too long'", err);
	}
}

/* Last: SIGTERM ends the group's daemon with exit 0 (under valgrind: no
 * memory error, no block left allocated). */
static void test_spi_int_daemon_exits_0(void **state)
{
	itest_stop_ok(&dmn);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_spi_int_config_and_features),
		T(test_spi_int_loopback_echo),
		T(test_spi_int_flash_jedec_id),
		T(test_spi_int_flash_program_erase),
		T(test_spi_int_mixed_kick),
		T(test_spi_int_malformed_chains),
		cmocka_unit_test(test_spi_int_flash_persists_across_restart),
		cmocka_unit_test(test_spi_int_two_sockets),
		cmocka_unit_test(test_spi_int_mcp3008_conversions),
		cmocka_unit_test(test_spi_int_cli),
		cmocka_unit_test(test_spi_int_daemon_exits_0),
	};

	return cmocka_run_group_tests_name("spi_integration", tests, NULL, group_teardown);
}
