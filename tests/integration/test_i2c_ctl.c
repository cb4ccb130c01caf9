/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The i2c control commands on a real daemon with two guests: `vhost-device
 * i2c -c 2 --sim 24c02@0x50 --sim lm75@0x48 --sim pca9555@0x20 --control
 * PATH`, its guests driven by the test frontend as the Linux i2c-virtio
 * driver would, the commands sent by a control client: what i2c.set and
 * i2c.load change the guests read, what a guest writes i2c.dump shows,
 * and a fault set by i2c.fault answers a guest's request with
 * VIRTIO_I2C_MSG_ERR, for the transactions and the guest asked, until it
 * ends or is cleared. */
#include <errno.h>
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
#define RD 2u     /* VIRTIO_I2C_FLAGS_M_RD */
#define OK 0
#define ERR 1

static struct itest_daemon dmn;
static char sock[2][160], ctlp[100];
static int cfd = -1;

static int spawn(struct proc *p, void *arg)
{
	const char *extra[] = { "--sim", "24c02@0x50", "--sim", "lm75@0x48",
				"--sim", "pca9555@0x20", "--control", ctlp, NULL };

	if ((size_t)snprintf(ctlp, sizeof(ctlp), "%s/c.ctl", p->dir) >= sizeof(ctlp))
		return -ENAMETOOLONG;
	proc_sock_path(p, 2, 0, sock[0], sizeof(sock[0]));
	proc_sock_path(p, 2, 1, sock[1], sizeof(sock[1]));
	return proc_spawn_sockets(p, "i2c", 2, extra);
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

static char reply[16384];

static const char *ask(const char *req)
{
	int r = ctlc_ask(cfd, req, reply, sizeof(reply), WAIT_MS);

	if (r < 0)
		fail_msg("%s: no reply: %s", req, strerror(-r));
	return reply;
}

#define ASK_OK(req, needle) do { \
	const char *r_ = ask(req); \
	if (!strstr(r_, "\"return\"") || !strstr(r_, needle)) \
		fail_msg("%s\n  got %s\n  want %s", req, r_, needle); \
} while (0)
#define ASK_ERR(req, needle) do { \
	const char *r_ = ask(req); \
	if (!strstr(r_, "\"error\"") || !strstr(r_, needle)) \
		fail_msg("%s\n  got %s\n  want an error with %s", req, r_, needle); \
} while (0)

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn, NULL);
	if (cfd < 0)
		ctl_open();
	return 0;
}

static int teardown(void **state)
{
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	if (cfd >= 0)
		close(cfd);
	return itest_daemon_stop(&dmn) != 0;
}

/* ---- the guests: one request per transaction, as i2c-virtio sends a
 * single message ---- */

static uint8_t i2c_write(struct fe *fe, unsigned addr, const uint8_t *data, unsigned n)
{
	uint8_t out[8 + 16] = { (uint8_t)(addr << 1) }, st = 0xee;
	uint32_t len = 0;

	assert_true(n <= 16);
	memcpy(out + 8, data, n);
	assert_int_equal(fe_request(fe, 0, out, 8 + n, &st, 1, &len, WAIT_MS), 0);
	assert_int_equal(len, 1);
	return st;
}

/* A read of n bytes (from the device's current register or address). */
static uint8_t i2c_read(struct fe *fe, unsigned addr, uint8_t *data, unsigned n)
{
	uint8_t out[8] = { (uint8_t)(addr << 1), 0, 0, 0, RD }, in[17];
	uint32_t len = 0;

	assert_true(n <= 16);
	memset(in, 0xa5, sizeof(in));
	assert_int_equal(fe_request(fe, 0, out, 8, in, n + 1, &len, WAIT_MS), 0);
	assert_int_equal(len, n + 1);
	memcpy(data, in, n);
	return in[n];
}

/* The lm75's temperature register as guest fe reads it: OK or ERR. */
static uint8_t read_temp(struct fe *fe, uint8_t *b)
{
	uint8_t ptr = 0;
	uint8_t st = i2c_write(fe, 0x48, &ptr, 1);

	return st == OK ? i2c_read(fe, 0x48, b, 2) : st;
}

/* ---------------------------------------------------------------- tests */

static void test_i2c_ctl_int_set_lm75_the_guest_reads(void **state)
{
	struct fe *fe = itest_open_ok(sock[0], NULL);
	uint8_t b[2];

	ASK_OK("{\"id\":1,\"cmd\":\"i2c.set\",\"args\":{\"addr\":72,\"temp\":85.5}}",
	       "\"temp\":85.5");
	assert_int_equal(read_temp(fe, b), OK);
	assert_int_equal(b[0], 85);
	assert_int_equal(b[1], 0x80);
	ASK_ERR("{\"id\":2,\"cmd\":\"i2c.set\",\"args\":{\"addr\":72,\"temp\":85.3}}",
		"temp 85.3: the lm75 resolves 0.5 degrees C");
	ASK_ERR("{\"id\":3,\"cmd\":\"i2c.set\",\"args\":{\"addr\":73,\"temp\":20}}",
		"addr 0x49: no simulated device there");
	assert_int_equal(read_temp(fe, b), OK);
	assert_int_equal(b[0], 85);
	itest_close_ok(fe);
}

static void test_i2c_ctl_int_pca9555_inputs_the_guest_reads(void **state)
{
	struct fe *fe = itest_open_ok(sock[1], NULL);
	uint8_t cmd = 0, b[2];

	ASK_OK("{\"cmd\":\"i2c.set\",\"args\":{\"addr\":32,\"inputs\":42405}}", "\"levels\":42405");
	assert_int_equal(i2c_write(fe, 0x20, &cmd, 1), OK);
	assert_int_equal(i2c_read(fe, 0x20, b, 2), OK);
	assert_int_equal(b[0], 0xa5);
	assert_int_equal(b[1], 0xa5);
	itest_close_ok(fe);
}

static void test_i2c_ctl_int_load_and_dump_meet_the_guests_writes(void **state)
{
	struct fe *fe = itest_open_ok(sock[0], NULL);
	uint8_t w[5] = { 0x40, 'g', 'u', 'e', 's' }, at = 0x80, b[4];

	assert_int_equal(i2c_write(fe, 0x50, w, 5), OK);
	ASK_OK("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":80,\"offset\":64,\"length\":4}}",
	       "\"data\":\"67756573\"");
	ASK_OK("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":80,\"offset\":128,\"data\":\"686f7374\"}}",
	       "\"length\":4");
	assert_int_equal(i2c_write(fe, 0x50, &at, 1), OK);
	assert_int_equal(i2c_read(fe, 0x50, b, 4), OK);
	assert_memory_equal(b, "host", 4);
	ASK_ERR("{\"cmd\":\"i2c.load\",\"args\":{\"addr\":80,\"offset\":255,\"data\":\"0102\"}}",
		"data of 2 bytes at offset 255: past the end of the 24c02's 256 bytes");
	itest_close_ok(fe);
}

/* NAK of the next 2 transactions, for every guest: each guest's request
 * gets ERR (counted across both), the EEPROM never sees the write, the
 * third heals */
static void test_i2c_ctl_int_fault_count_then_heals(void **state)
{
	struct fe *a = itest_open_ok(sock[0], NULL), *b = itest_open_ok(sock[1], NULL);
	uint8_t w[2] = { 0x10, 0x77 }, at = 0x10, r[1];

	ASK_OK("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":80,\"mode\":\"nak\",\"count\":2}}",
	       "\"left\":2");
	assert_int_equal(i2c_write(a, 0x50, w, 2), ERR);
	ASK_OK("{\"cmd\":\"list\"}", "\"fault\":{\"mode\":\"nak\",\"left\":1,\"hits\":1}");
	assert_int_equal(i2c_read(b, 0x50, r, 1), ERR);
	assert_int_equal(r[0], 0);       /* no data in a failed read */
	ask("{\"cmd\":\"list\"}");
	assert_null(strstr(reply, "\"fault\""));
	ASK_OK("{\"cmd\":\"i2c.dump\",\"args\":{\"addr\":80,\"offset\":16,\"length\":1}}",
	       "\"data\":\"ff\"");
	assert_int_equal(i2c_write(a, 0x50, w, 2), OK);
	assert_int_equal(i2c_write(b, 0x50, &at, 1), OK);
	assert_int_equal(i2c_read(b, 0x50, r, 1), OK);
	assert_int_equal(r[0], 0x77);
	itest_close_ok(a);
	itest_close_ok(b);
}

/* failure of every transaction of guest 1 until cleared; guest 0 is not
 * affected */
static void test_i2c_ctl_int_fault_one_guest_until_cleared(void **state)
{
	struct fe *a = itest_open_ok(sock[0], NULL), *b = itest_open_ok(sock[1], NULL);
	uint8_t t[2];

	ASK_OK("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":72,\"mode\":\"fail\",\"sock\":1}}",
	       "\"left\":null,\"sock\":1");
	for (int i = 0; i < 5; i++) {
		assert_int_equal(read_temp(b, t), ERR);
		assert_int_equal(read_temp(a, t), OK);
	}
	ASK_OK("{\"cmd\":\"list\"}", "\"fault\":{\"mode\":\"fail\",\"left\":null,\"hits\":5}");
	ASK_OK("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":72,\"mode\":\"none\"}}", "\"mode\":\"none\"");
	assert_int_equal(read_temp(b, t), OK);
	ASK_ERR("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":72,\"mode\":\"nak\",\"sock\":2}}",
		"sock 2: out of range 0..1");
	ASK_ERR("{\"cmd\":\"i2c.fault\",\"args\":{\"addr\":81,\"mode\":\"nak\"}}",
		"addr 0x51: no device there");
	itest_close_ok(a);
	itest_close_ok(b);
}

static void test_i2c_ctl_int_daemon_exits_0(void **state)
{
	itest_stop_ok(&dmn);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_i2c_ctl_int_set_lm75_the_guest_reads),
		T(test_i2c_ctl_int_pca9555_inputs_the_guest_reads),
		T(test_i2c_ctl_int_load_and_dump_meet_the_guests_writes),
		T(test_i2c_ctl_int_fault_count_then_heals),
		T(test_i2c_ctl_int_fault_one_guest_until_cleared),
		cmocka_unit_test(test_i2c_ctl_int_daemon_exits_0),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
