/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The spi control commands on a real daemon with two guests: `vhost-device
 * spi -c 2 --sim loopback --sim flash,file=F --sim mcp3008,ch1=100
 * --control PATH`, the guests driven by the test frontend as the Linux
 * spi-virtio driver would (one transfer per request), the commands sent
 * by a control client: what spi.set and spi.load change the guests read
 * (and a load reaches the image file), what a guest programs spi.dump
 * shows, and spi.fail fails the transfers asked of one guest with
 * TRANS_ERR until its count runs out or it is cleared. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "../frontend/ctlc.h"
#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS 5000
#define OK        0
#define TRANS_ERR 2

static struct itest_daemon dmn;
static char sock[2][160], ctlp[100], img[160];
static int cfd = -1;
static char reply[16384];

static int spawn(struct proc *p, void *arg)
{
	static char flash[200];
	const char *extra[] = { "--sim", "loopback", "--sim", flash,
				"--sim", "mcp3008,ch1=100", "--control", ctlp, NULL };

	if ((size_t)snprintf(ctlp, sizeof(ctlp), "%s/c.ctl", p->dir) >= sizeof(ctlp))
		return -ENAMETOOLONG;
	snprintf(img, sizeof(img), "%s/nor.img", p->dir);
	snprintf(flash, sizeof(flash), "flash,file=%s", img);
	proc_sock_path(p, 2, 0, sock[0], sizeof(sock[0]));
	proc_sock_path(p, 2, 1, sock[1], sizeof(sock[1]));
	return proc_spawn_sockets(p, "spi", 2, extra);
}

/* ---- the control client ---- */

/* The control socket's client: tests/frontend/ctlc (connects once the
 * socket listens, checks the greeting). */
static void ctl_open(void)
{
	cfd = ctlc_open(ctlp, proc_start_timeout_ms());
	if (cfd < 0)
		fail_msg("control socket %s: %s", ctlp, strerror(-cfd));
}

static const char *ask(const char *req)
{
	int r = ctlc_ask(cfd, req, reply, sizeof(reply), WAIT_MS);

	if (r < 0)
		fail_msg("%s: no reply: %s", req, strerror(-r));
	return reply;
}

static void ok(const char *req, const char *want)
{
	ask(req);
	if (!strstr(reply, "\"return\"") || !strstr(reply, want))
		fail_msg("%s: reply %s has no %s", req, reply, want);
}

static void refused(const char *req, const char *desc)
{
	ask(req);
	if (!strstr(reply, "\"class\":\"InvalidArgument\"") || !strstr(reply, desc))
		fail_msg("%s: reply %s, expected InvalidArgument '%s'", req, reply, desc);
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn, NULL);
	ctl_open();
	return 0;
}

static int teardown(void **state)
{
	if (cfd >= 0)
		close(cfd);
	cfd = -1;
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	return itest_daemon_stop(&dmn) != 0;
}

/* ---- a guest's transfers ---- */

static struct fe *open_fe(unsigned i)
{
	return itest_open_ok(sock[i], &(struct fe_opts){ .config_size = 32 });
}

/* One transfer on chip select cs (tx and rx of len bytes each, either
 * may be NULL): its result. */
static uint8_t xfer(struct fe *fe, unsigned cs, const void *tx, void *rx, uint32_t len)
{
	uint8_t out[32 + 256] = { 0 }, in[256 + 1];
	uint32_t txlen = tx ? len : 0, rxlen = rx ? len : 0, used = 0;

	assert_true(len <= 256);
	out[0] = (uint8_t)cs;
	out[1] = 8;
	itest_put_le32(out + 12, 1000000);
	if (tx)
		memcpy(out + 32, tx, len);
	memset(in, 0xa5, sizeof(in));
	assert_int_equal(fe_request(fe, 0, out, 32 + txlen, in, rxlen + 1, &used, WAIT_MS), 0);
	assert_int_equal(used, rxlen + 1);
	if (rx)
		memcpy(rx, in, len);
	return in[rxlen];
}

/* The mcp320x driver's conversion of single-ended channel ch (chip
 * select 2): the command byte, then two bytes read. */
static unsigned convert(struct fe *fe, unsigned ch)
{
	uint8_t cmd = (uint8_t)(0x60 | ch << 2), rx[2];

	assert_int_equal(xfer(fe, 2, &cmd, NULL, 1), OK);
	assert_int_equal(xfer(fe, 2, NULL, rx, 2), OK);
	return (unsigned)(rx[0] << 2 | rx[1] >> 6);
}

/* spi-nor's READ (03) of n bytes at a on chip select 1: opcode and
 * address, then the data, as two transfers. */
static void nor_read(struct fe *fe, uint32_t a, uint8_t *out, uint32_t n)
{
	uint8_t cmd[4] = { 0x03, (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };

	assert_int_equal(xfer(fe, 1, cmd, NULL, 4), OK);
	assert_int_equal(xfer(fe, 1, NULL, out, n), OK);
}

/* WREN, then PAGE PROGRAM of n bytes at a, then status reads until it is
 * done (bounded). */
static void nor_program(struct fe *fe, uint32_t a, const uint8_t *data, uint32_t n)
{
	uint8_t wren = 0x06, cmd[4] = { 0x02, (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };
	uint8_t rdsr = 0x05, sr = 0xff;

	assert_int_equal(xfer(fe, 1, &wren, NULL, 1), OK);
	assert_int_equal(xfer(fe, 1, cmd, NULL, 4), OK);
	assert_int_equal(xfer(fe, 1, data, NULL, n), OK);
	for (int i = 0; i < 20 && (sr & 1); i++) {
		assert_int_equal(xfer(fe, 1, &rdsr, NULL, 1), OK);
		assert_int_equal(xfer(fe, 1, NULL, &sr, 1), OK);
	}
	assert_int_equal(sr & 1, 0);
}

/* The image file holds want at off (read now). */
static bool file_has(off_t off, const uint8_t *want, size_t n)
{
	uint8_t got[64];
	int fd = open(img, O_RDONLY | O_CLOEXEC);
	bool same;

	assert_true(n <= sizeof(got));
	if (fd < 0)
		return false;
	same = pread(fd, got, n, off) == (ssize_t)n && !memcmp(got, want, n);
	close(fd);
	return same;
}

/* ------------------------------------------------------------------ tests */

static void test_spi_ctl_int_list_shows_the_chip_selects(void **state)
{
	char want[400];

	ok("{\"cmd\":\"list\"}", "\"device\":\"spi\"");
	ok("{\"cmd\":\"list\"}", "{\"cs\":0,\"model\":\"loopback\",\"name\":\"sim:loopback\","
	   "\"fail\":0,\"failed\":0}");
	snprintf(want, sizeof(want), "{\"cs\":1,\"model\":\"flash\",\"name\":\"sim:flash,file=%s\","
		 "\"file\":\"%s\",\"fail\":0,\"failed\":0}", img, img);
	ok("{\"cmd\":\"list\"}", want);
	ok("{\"cmd\":\"list\"}", "{\"cs\":2,\"model\":\"mcp3008\",\"name\":\"sim:mcp3008,ch1=100\","
	   "\"channels\":[0,100,0,0,0,0,0,0],\"fail\":0,\"failed\":0}");
	ok("{\"cmd\":\"list\"}", "{\"sock\":1,");
}

static void test_spi_ctl_int_set_is_what_the_guests_convert(void **state)
{
	struct fe *f0 = open_fe(0), *f1 = open_fe(1);

	assert_int_equal(convert(f0, 1), 100);
	ok("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":1,\"value\":1000}}",
	   "{\"cs\":2,\"channel\":1,\"value\":1000}");
	assert_int_equal(convert(f0, 1), 1000);
	assert_int_equal(convert(f1, 1), 1000);
	ok("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":7,\"value\":1023}}", "\"value\":1023");
	assert_int_equal(convert(f1, 7), 1023);
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":1,\"value\":1024}}",
		"value 1024: out of range 0..1023");
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":8,\"value\":1}}",
		"channel 8: out of range 0..7");
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":0,\"channel\":1,\"value\":1}}",
		"cs 0: a loopback, not an mcp3008");
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":3,\"channel\":1,\"value\":1}}",
		"cs 3: out of range 0..2");
	assert_int_equal(convert(f0, 1), 1000);
	ok("{\"cmd\":\"list\"}", "\"channels\":[0,1000,0,0,0,0,0,1023]");
	/* back to the start's values for the tests after this one */
	ok("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":1,\"value\":100}}", "\"value\":100");
	ok("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":7,\"value\":0}}", "\"value\":0");
	itest_close_ok(f0);
	itest_close_ok(f1);
}

static void test_spi_ctl_int_load_dump_and_the_image_file(void **state)
{
	static const uint8_t pat[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	static const uint8_t prog[4] = { 0xde, 0xad, 0xbe, 0xef };
	struct fe *fe = open_fe(0);
	uint8_t back[8];
	bool saved = false;

	ok("{\"cmd\":\"spi.load\",\"args\":{\"cs\":1,\"offset\":20480,\"data\":\"1122334455667788\"}}",
	   "{\"cs\":1,\"offset\":20480,\"length\":8}");
	/* the image file follows within IMGFILE_DELAY_MS, off the loop, with
	 * no guest transfer to set it off: wait for it (bounded) */
	for (long long end = proc_now_ms() + WAIT_MS; !saved && proc_now_ms() < end; )
		if (!(saved = file_has(20480, pat, 8)))
			usleep(20000);
	if (!saved)
		fail_msg("%s does not hold the loaded bytes at 20480", img);
	nor_read(fe, 20480, back, 8);
	assert_memory_equal(back, pat, 8);
	/* what the guest programs, spi.dump shows */
	nor_program(fe, 24576, prog, 4);
	ok("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"offset\":24575,\"length\":6}}",
	   "{\"cs\":1,\"offset\":24575,\"length\":6,\"data\":\"ffdeadbeefff\"}");
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":0,\"length\":1}}",
		"cs 0: a loopback, not a flash");
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"offset\":1048575,\"length\":2}}",
		"offset 1048575 + 2 bytes: past the end of the 1048576-byte flash");
	refused("{\"cmd\":\"spi.load\",\"args\":{\"cs\":1,\"data\":\"zz\"}}",
		"data: 'zz' at offset 0 is not hex");
	itest_close_ok(fe);
}

static void test_spi_ctl_int_fail_count_then_heals(void **state)
{
	struct fe *f0 = open_fe(0), *f1 = open_fe(1);
	uint8_t tx[4] = { 9, 8, 7, 6 }, rx[4];

	ok("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":0,\"cs\":0,\"count\":2}}",
	   "{\"sock\":0,\"cs\":0,\"fail\":2}");
	/* guest 1 and guest 0's other chip selects are not affected */
	assert_int_equal(xfer(f1, 0, tx, rx, 4), OK);
	assert_memory_equal(rx, tx, 4);
	assert_int_equal(convert(f0, 1), 100);
	assert_int_equal(xfer(f0, 0, tx, rx, 4), TRANS_ERR);
	ok("{\"cmd\":\"list\"}", "\"model\":\"loopback\",\"name\":\"sim:loopback\",\"fail\":1,"
	   "\"failed\":1}");
	assert_int_equal(xfer(f0, 0, tx, rx, 4), TRANS_ERR);
	ok("{\"cmd\":\"list\"}", "\"model\":\"loopback\",\"name\":\"sim:loopback\",\"fail\":0,"
	   "\"failed\":2}");
	assert_int_equal(xfer(f0, 0, tx, rx, 4), OK);
	assert_memory_equal(rx, tx, 4);
	itest_close_ok(f0);
	itest_close_ok(f1);
}

static void test_spi_ctl_int_fail_all_until_cleared(void **state)
{
	struct fe *f0 = open_fe(0), *f1 = open_fe(1);
	uint8_t id[3], op = 0x9f;

	ok("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":1,\"cs\":1,\"all\":true}}",
	   "{\"sock\":1,\"cs\":1,\"fail\":\"all\"}");
	for (int i = 0; i < 4; i++)
		assert_int_equal(xfer(f1, 1, &op, NULL, 1), TRANS_ERR);
	ok("{\"cmd\":\"list\"}", "\"fail\":\"all\",\"failed\":4}");
	/* guest 0 reads the flash's id meanwhile */
	assert_int_equal(xfer(f0, 1, &op, NULL, 1), OK);
	assert_int_equal(xfer(f0, 1, NULL, id, 3), OK);
	assert_memory_equal(id, "\xef\x40\x14", 3);
	ok("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":1,\"cs\":1,\"count\":0}}",
	   "{\"sock\":1,\"cs\":1,\"fail\":0}");
	assert_int_equal(xfer(f1, 1, &op, NULL, 1), OK);
	assert_int_equal(xfer(f1, 1, NULL, id, 3), OK);
	assert_memory_equal(id, "\xef\x40\x14", 3);
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":2,\"cs\":1,\"count\":1}}",
		"sock 2: out of range 0..1");
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":3,\"count\":1}}", "cs 3: out of range 0..2");
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":1,\"count\":1000001}}",
		"count 1000001: out of range 0..1000000");
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":1}}", "missing argument 'count' (or all=true)");
	ok("{\"cmd\":\"list\"}", "\"fail\":0,\"failed\":4}");
	itest_close_ok(f0);
	itest_close_ok(f1);
}

/* Last: SIGTERM ends the daemon with exit 0; the image keeps the load. */
static void test_spi_ctl_int_daemon_exits_0(void **state)
{
	static const uint8_t pat[2] = { 0xab, 0xcd };

	ok("{\"cmd\":\"spi.load\",\"args\":{\"cs\":1,\"offset\":40000,\"data\":\"abcd\"}}",
	   "\"length\":2");
	close(cfd);
	cfd = -1;
	/* as itest_stop_ok, but the image is read before the directory goes */
	assert_int_equal(proc_stop(&dmn.proc, 10000), 0);
	assert_true(file_has(40000, pat, 2));
	proc_cleanup(&dmn.proc);
	dmn.started = false;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_spi_ctl_int_list_shows_the_chip_selects),
		T(test_spi_ctl_int_set_is_what_the_guests_convert),
		T(test_spi_ctl_int_load_dump_and_the_image_file),
		T(test_spi_ctl_int_fail_count_then_heals),
		T(test_spi_ctl_int_fail_all_until_cleared),
		cmocka_unit_test_setup(test_spi_ctl_int_daemon_exits_0, setup),
	};

	return cmocka_run_group_tests_name("spi_ctl_integration", tests, NULL, group_teardown);
}
