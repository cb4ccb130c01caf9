/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The SCMI daemon's iio device reading an IIO buffer, end to end:
 * `vhost-device scmi -d iio,path=I,channel=in_accel` against a fixture
 * tree I with scan_elements/ and buffer/, and a FIFO standing in for
 * /dev/iio:deviceN ($VHOST_DEVICE_IIO_DEV_DIR) that the test writes
 * binary scan records into.  Continuous updates carry the records'
 * values; turning them off, a reset and the daemon's exit restore the
 * sysfs files; a malformed scan element type falls back to sysfs. */
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

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS   5000
#define LINUX_CAP 136
#define SENSOR    0x15
#define NBUF      8
#define UPDATE_LEN (4 + 8 + 3 * 16)

struct ctx {
	struct proc proc;
	char root[64], dir[128], scan[160], buf[160], dev[128], fifo[160];
	int wfd;
};

static void put(const char *dir, const char *name, const char *val)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", val);
	fclose(f);
}

static bool file_is(const char *dir, const char *name, const char *want)
{
	char p[256], v[64] = "";
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	if (!f)
		return false;
	if (!fgets(v, sizeof(v), f))
		v[0] = '\0';
	fclose(f);
	v[strcspn(v, "\n")] = '\0';
	return !strcmp(v, want);
}

/* The daemon changes the files asynchronously: wait for them. */
static void wait_file(const char *dir, const char *name, const char *want)
{
	long long end = proc_now_ms() + WAIT_MS;

	while (!file_is(dir, name, want)) {
		if (proc_now_ms() > end)
			fail_msg("%s/%s never became '%s'", dir, name, want);
		usleep(5000);
	}
}

static bool log_has(struct ctx *c, const char *s)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(c->proc.log, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, s) != NULL;
	fclose(f);
	return found;
}

/* iio:device2: in_accel_{x,y,z} le:s16/16>>0 at indexes 0..2, timestamp
 * at 3; scale 0.001 (SCMI exponent -3: the value is the raw number);
 * sysfs raw 7, 8, 9. */
static int setup(void **state)
{
	static const char *const ax[] = { "x", "y", "z" };
	struct ctx *c = calloc(1, sizeof(*c));
	char spec[200], n[64], v[16];
	const char *args[] = { "scmi", "-s", NULL, "-d", spec, NULL };

	if (!c)
		return -1;
	strcpy(c->root, "/tmp/vdiiobufit.XXXXXX");
	if (!mkdtemp(c->root))
		return -1;
	snprintf(c->dir, sizeof(c->dir), "%s/iio:device2", c->root);
	snprintf(c->scan, sizeof(c->scan), "%s/scan_elements", c->dir);
	snprintf(c->buf, sizeof(c->buf), "%s/buffer", c->dir);
	snprintf(c->dev, sizeof(c->dev), "%s/dev", c->root);
	snprintf(c->fifo, sizeof(c->fifo), "%s/iio:device2", c->dev);
	if (mkdir(c->dir, 0755) || mkdir(c->scan, 0755) || mkdir(c->buf, 0755) ||
	    mkdir(c->dev, 0755) || mkfifo(c->fifo, 0600))
		return -1;
	put(c->dir, "name", "bmi160");
	put(c->dir, "in_accel_scale", "0.001");
	for (unsigned i = 0; i < 3; i++) {
		snprintf(n, sizeof(n), "in_accel_%s_raw", ax[i]);
		snprintf(v, sizeof(v), "%u", i + 7);
		put(c->dir, n, v);
		snprintf(n, sizeof(n), "in_accel_%s_en", ax[i]);
		put(c->scan, n, "0");
		snprintf(n, sizeof(n), "in_accel_%s_index", ax[i]);
		snprintf(v, sizeof(v), "%u", i);
		put(c->scan, n, v);
		snprintf(n, sizeof(n), "in_accel_%s_type", ax[i]);
		put(c->scan, n, "le:s16/16>>0");
	}
	put(c->scan, "in_timestamp_en", "0");
	put(c->scan, "in_timestamp_index", "3");
	put(c->scan, "in_timestamp_type", "le:s64/64>>0");
	put(c->buf, "enable", "0");
	put(c->buf, "length", "4");
	/* the test's end of the "character device": O_RDWR keeps a writer */
	c->wfd = open(c->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (c->wfd < 0)
		return -1;
	if (setenv("VHOST_DEVICE_IIO_DEV_DIR", c->dev, 1))
		return -1;
	snprintf(spec, sizeof(spec), "iio,path=%s,channel=in_accel", c->dir);
	if (proc_tmpdir(&c->proc))
		return -1;
	args[2] = c->proc.sock;
	if (proc_spawn(&c->proc, args, true, c->proc.sock, proc_start_timeout_ms())) {
		print_error("daemon did not start\n");
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	char cmd[128];
	/* a daemon the test already stopped keeps its exit status */
	int code = proc_stop(&c->proc, 10000);

	proc_cleanup(&c->proc);
	close(c->wfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->root);
	if (system(cmd))
		print_error("cannot remove %s\n", c->root);
	unsetenv("VHOST_DEVICE_IIO_DEV_DIR");
	free(c);
	if (code)
		print_error("daemon exit code %d at the end\n", code);
	return code != 0;
}

/* One sensor-protocol command (id, value) with a 136-byte response
 * buffer; returns the status. */
static int32_t cmd(struct fe *fe, unsigned msg, uint32_t id, uint32_t val, uint8_t *rsp,
		   unsigned np)
{
	static unsigned token;
	uint32_t req[3], len = 0;

	token = (token + 1) & 0x3ff;
	req[0] = msg | SENSOR << 10 | token << 18;
	req[1] = id;
	req[2] = val;
	memset(rsp, 0xa5, LINUX_CAP);
	assert_int_equal(fe_request(fe, 0, req, 4 + 4 * np, rsp, LINUX_CAP, &len, WAIT_MS), 0);
	assert_true(len >= 8 && len <= LINUX_CAP);
	assert_int_equal(itest_le32(rsp), req[0]);
	return (int32_t)itest_le32(rsp + 4);
}

static void write_record(struct ctx *c, int16_t x, int16_t y, int16_t z)
{
	uint8_t r[6];
	int16_t v[3] = { x, y, z };

	for (unsigned i = 0; i < 3; i++) {
		r[2 * i] = (uint8_t)((uint16_t)v[i] & 0xff);
		r[2 * i + 1] = (uint8_t)((uint16_t)v[i] >> 8);
	}
	assert_int_equal(write(c->wfd, r, sizeof(r)), (ssize_t)sizeof(r));
}

/* Wait for a SENSOR_UPDATE with the values x, y, z; updates carrying
 * an earlier state (before) may come first, anything else fails. */
static void expect_update(struct fe *fe, struct itest_evq *q, const int64_t want[3],
			  const int64_t before[3])
{
	long long end = proc_now_ms() + WAIT_MS;
	uint8_t ev[LINUX_CAP];

	for (;;) {
		int len = itest_evq_next_ok(q, ev, (int)(end - proc_now_ms()));
		int64_t v[3];

		assert_int_equal(len, UPDATE_LEN);
		assert_int_equal(itest_le32(ev), 1 | 3u << 8 | SENSOR << 10);   /* SENSOR_UPDATE */
		assert_int_equal(itest_le32(ev + 8), 0);
		for (unsigned i = 0; i < 3; i++) {
			v[i] = (int64_t)itest_le64(ev + 12 + 16 * i);
			assert_true((int64_t)itest_le64(ev + 12 + 16 * i + 8) != 0);   /* timestamped */
		}
		if (!memcmp(v, want, sizeof(v)))
			return;
		if (!before || memcmp(v, before, sizeof(v)))
			fail_msg("update %lld %lld %lld, want %lld %lld %lld", (long long)v[0],
				 (long long)v[1], (long long)v[2], (long long)want[0],
				 (long long)want[1], (long long)want[2]);
	}
}

static void start_updates(struct fe *fe, uint8_t *rsp)
{
	/* as scmi_iio: notifications on, then enable with a 100 ms interval
	 * and timestamps */
	assert_int_equal(cmd(fe, 0xb, 0, 1, rsp, 2), 0);
	assert_int_equal(cmd(fe, 0xa, 0, 3 | 1u << 16 | 0x1fu << 11, rsp, 2), 0);
}

static void test_scmi_iiobuf_int_updates_from_records(void **state)
{
	struct ctx *c = *state;
	struct fe *fe = itest_open_ok(c->proc.sock, NULL);
	static const int64_t sysfs[3] = { 7, 8, 9 };
	static const int64_t r1[3] = { 1000, -2000, 3000 };
	static const int64_t r2[3] = { -1, 0, 32767 };
	uint8_t rsp[LINUX_CAP];
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };

	/* nothing sampled: sysfs */
	assert_int_equal(cmd(fe, 0x6, 0, 0, rsp, 2), 0);
	assert_int_equal((int64_t)itest_le64(rsp + 8), 7);
	assert_true(file_is(c->buf, "enable", "0"));

	itest_evq_post_ok(&q, NBUF);
	start_updates(fe, rsp);
	/* enable is written last, after _en and length */
	wait_file(c->buf, "enable", "1");
	assert_true(file_is(c->scan, "in_accel_x_en", "1"));
	assert_true(file_is(c->scan, "in_accel_y_en", "1"));
	assert_true(file_is(c->scan, "in_accel_z_en", "1"));
	assert_true(file_is(c->buf, "length", "32"));

	write_record(c, 1000, -2000, 3000);
	expect_update(fe, &q, r1, sysfs);
	/* several at once: the newest wins */
	write_record(c, 5, 5, 5);
	write_record(c, -1, 0, 32767);
	expect_update(fe, &q, r2, r1);
	/* and it is also what READING_GET sees */
	assert_int_equal(cmd(fe, 0x6, 0, 0, rsp, 2), 0);
	assert_int_equal((int64_t)itest_le64(rsp + 8), -1);
	assert_int_equal((int64_t)itest_le64(rsp + 24), 0);
	assert_int_equal((int64_t)itest_le64(rsp + 40), 32767);
	assert_true(log_has(c, "buffered reads from"));

	/* updates off: capture off, files restored, sysfs again */
	assert_int_equal(cmd(fe, 0xb, 0, 0, rsp, 2), 0);
	/* the daemon may answer before it stops: wait for each file */
	wait_file(c->buf, "enable", "0");
	wait_file(c->scan, "in_accel_x_en", "0");
	wait_file(c->scan, "in_accel_z_en", "0");
	wait_file(c->buf, "length", "4");
	assert_int_equal(cmd(fe, 0x6, 0, 0, rsp, 2), 0);
	assert_int_equal((int64_t)itest_le64(rsp + 8), 7);
	assert_int_equal((int64_t)itest_le64(rsp + 40), 9);

	/* again, then the frontend goes away: the reset stops capture */
	start_updates(fe, rsp);
	wait_file(c->buf, "enable", "1");
	assert_int_equal(fe_stop(fe), 0);
	fe_free(fe);
	wait_file(c->buf, "enable", "0");
	wait_file(c->scan, "in_accel_y_en", "0");
	wait_file(c->buf, "length", "4");
}

static void test_scmi_iiobuf_int_exit_restores(void **state)
{
	struct ctx *c = *state;
	struct fe *fe = itest_open_ok(c->proc.sock, NULL);
	uint8_t rsp[LINUX_CAP];

	start_updates(fe, rsp);
	wait_file(c->buf, "enable", "1");
	/* SIGTERM with the capture running */
	assert_int_equal(proc_stop(&c->proc, 10000), 0);
	assert_true(file_is(c->buf, "enable", "0"));
	assert_true(file_is(c->scan, "in_accel_x_en", "0"));
	assert_true(file_is(c->buf, "length", "4"));
	fe_free(fe);
}

static void test_scmi_iiobuf_int_bad_type_falls_back(void **state)
{
	struct ctx *c = *state;
	struct fe *fe = itest_open_ok(c->proc.sock, NULL);
	static const int64_t sysfs[3] = { 7, 8, 9 };
	uint8_t rsp[LINUX_CAP];
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };

	put(c->scan, "in_accel_y_type", "le:s16/12>>0");
	itest_evq_post_ok(&q, NBUF);
	start_updates(fe, rsp);
	/* updates come from sysfs; the buffer is left alone */
	write_record(c, 1, 2, 3);
	expect_update(fe, &q, sysfs, NULL);
	expect_update(fe, &q, sysfs, NULL);
	assert_true(file_is(c->buf, "enable", "0"));
	assert_true(file_is(c->scan, "in_accel_x_en", "0"));
	assert_true(log_has(c, "no buffered reads (in_accel_y_type"));
	assert_int_equal(cmd(fe, 0xb, 0, 0, rsp, 2), 0);
	assert_int_equal(fe_stop(fe), 0);
	fe_free(fe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_int_updates_from_records,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_int_exit_restores,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_int_bad_type_falls_back,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("scmi_iiobuf_integration", tests, NULL, NULL);
}
