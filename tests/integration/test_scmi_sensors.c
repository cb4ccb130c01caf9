/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The SCMI daemon with host sensors, end to end: `vhost-device scmi -s S
 * -d hwmon,path=T -d iio,path=I,channel=in_accel -d fake` against fixture
 * sysfs trees built here, driven by the test frontend with the Linux
 * guest's 136-byte buffers (8 bytes header + status, 128 payload) on both
 * queues: enumeration by pages, readings in the fixtures' units, a trip
 * point crossing, continuous updates on the eventq, malformed requests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS   5000
#define LINUX_CAP 136
#define SENSOR    0x15
#define NBUF      8

static struct itest_daemon dmn;
static char fxroot[64], hwmon_dir[96], iio_dir[96];

/* hwmon fixture: 10 inputs; + 1 iio accelerometer + 1 fake = 12 sensors */
static const struct {
	const char *file, *value, *label;
	uint8_t unit;
	int scale;
} hw[] = {
	{ "temp1_input", "41000", "Package id 0", 0x02, -3 },
	{ "temp2_input", "38500", "Core 0", 0x02, -3 },
	{ "temp3_input", "39000", NULL, 0x02, -3 },
	{ "in0_input", "1104", "Vcore", 0x05, -3 },
	{ "in1_input", "12100", NULL, 0x05, -3 },
	{ "curr1_input", "2500", NULL, 0x06, -3 },
	{ "power1_input", "35000000", "PPT", 0x07, -6 },
	{ "energy1_input", "987654321", NULL, 0x08, -6 },
	{ "fan1_input", "1800", "CPU fan with a long label text", 0x13, 0 },
	{ "humidity1_input", "40250", NULL, 0x41, -3 },
};
#define NHW (sizeof(hw) / sizeof(hw[0]))
#define NSENSORS (NHW + 2)
#define ID_IIO  NHW
#define ID_FAKE (NHW + 1)

static void fx_write(const char *dir, const char *name, const char *content)
{
	char path[256], tmp[272];
	FILE *f;

	/* replace atomically, as a changing sysfs value would look */
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", content);
	fclose(f);
	assert_int_equal(rename(tmp, path), 0);
}

static void build_fixtures(void)
{
	char lab[64];

	strcpy(fxroot, "/tmp/vdscmifx.XXXXXX");
	assert_non_null(mkdtemp(fxroot));
	snprintf(hwmon_dir, sizeof(hwmon_dir), "%s/hwmon3", fxroot);
	snprintf(iio_dir, sizeof(iio_dir), "%s/iio:device0", fxroot);
	assert_int_equal(mkdir(hwmon_dir, 0755), 0);
	assert_int_equal(mkdir(iio_dir, 0755), 0);
	fx_write(hwmon_dir, "name", "k10temp");
	for (unsigned i = 0; i < NHW; i++) {
		fx_write(hwmon_dir, hw[i].file, hw[i].value);
		if (hw[i].label) {
			snprintf(lab, sizeof(lab), "%.*s_label",
				 (int)(strchr(hw[i].file, '_') - hw[i].file), hw[i].file);
			fx_write(hwmon_dir, lab, hw[i].label);
		}
	}
	fx_write(hwmon_dir, "temp1_crit", "105000");
	fx_write(iio_dir, "name", "accel_3d");
	fx_write(iio_dir, "in_accel_x_raw", "-52");
	fx_write(iio_dir, "in_accel_y_raw", "13");
	fx_write(iio_dir, "in_accel_z_raw", "4096");
	fx_write(iio_dir, "in_accel_scale", "0.002394");
	fx_write(iio_dir, "in_accel_offset", "0");
}

static int spawn_scmi(struct proc *p, void *arg)
{
	return proc_spawn_device(p, "scmi", arg);
}

static int group_setup(void **state)
{
	char hspec[160], ispec[200];
	const char *args[] = { "-d", hspec, "-d", ispec, "-d", "fake", NULL };

	build_fixtures();
	snprintf(hspec, sizeof(hspec), "hwmon,path=%s", hwmon_dir);
	snprintf(ispec, sizeof(ispec), "iio,path=%s,channel=in_accel", iio_dir);
	return itest_daemon_ensure(&dmn, spawn_scmi, args) ? -1 : 0;
}

/* Each test: the daemon must still run after it. */
static int teardown(void **state)
{
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	char cmd[128];
	int code = itest_daemon_stop(&dmn);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fxroot);
	if (system(cmd))
		print_error("cannot remove %s\n", fxroot);
	return code != 0;
}

/* One sensor-protocol command with a 136-byte response buffer. */
static uint32_t cmd(struct fe *fe, unsigned msg, const uint32_t *par, unsigned np,
		    uint8_t *rsp)
{
	static unsigned token;
	uint32_t req[8], len = 0;

	token = (token + 1) & 0x3ff;
	req[0] = msg | SENSOR << 10 | token << 18;
	if (np)
		memcpy(req + 1, par, 4 * np);
	memset(rsp, 0xa5, LINUX_CAP);
	assert_int_equal(fe_request(fe, 0, req, 4 + 4 * np, rsp, LINUX_CAP, &len, WAIT_MS), 0);
	assert_true(len >= 8 && len <= LINUX_CAP);
	assert_int_equal(itest_le32(rsp), req[0]);
	return len;
}

#define P(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

/* ---- eventq as the Linux guest uses it: 136-byte buffers ---- */

/* ------------------------------------------------------------------ tests */

static void test_scmi_sensors_int_enumerate_and_read(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint8_t rsp[LINUX_CAP];
	char names[NSENSORS][16];
	uint32_t his[NSENSORS];
	unsigned idx = 0, pages = 0;

	cmd(fe, 0x1, NULL, 0, rsp);
	assert_int_equal(itest_le32(rsp + 8) & 0xffff, NSENSORS);
	/* the Linux driver's loop: ask from idx until nothing remains */
	for (;;) {
		uint32_t len = cmd(fe, 0x3, P(idx), rsp);
		unsigned ret = itest_le32(rsp + 8) & 0xfff, rem = itest_le32(rsp + 8) >> 16;

		assert_int_equal(itest_le32(rsp + 4), 0);
		assert_int_equal(len, 12 + 28 * ret);
		assert_true(ret > 0 && idx + ret <= NSENSORS);
		assert_int_equal(ret + rem, NSENSORS - idx);
		for (unsigned i = 0; i < ret; i++) {
			const uint8_t *d = rsp + 12 + 28 * i;

			assert_int_equal(itest_le32(d), idx + i);
			his[idx + i] = itest_le32(d + 8);
			memcpy(names[idx + i], d + 12, 16);
			assert_int_equal(names[idx + i][15], 0);
			/* every sensor offers update notifications */
			assert_int_equal(itest_le32(d + 4) >> 30 & 1, 1);
		}
		idx += ret;
		pages++;
		if (!rem)
			break;
	}
	assert_int_equal(idx, NSENSORS);
	assert_int_equal(pages, 3);              /* 4 descriptors per page */

	for (unsigned i = 0; i < NHW; i++) {
		char want[64];
		int64_t v;

		if (hw[i].label)
			snprintf(want, sizeof(want), "%s", hw[i].label);
		else
			snprintf(want, sizeof(want), "k10temp_%.*s",
				 (int)(strchr(hw[i].file, '_') - hw[i].file), hw[i].file);
		assert_memory_equal(names[i], want, strlen(want) < 15 ? strlen(want) + 1 : 15);
		assert_int_equal(his[i] & 0xff, hw[i].unit);
		assert_int_equal((int)((his[i] >> 11 & 0x1f) ^ 0x10) - 0x10, hw[i].scale);
		assert_int_equal(cmd(fe, 0x6, P(i, 0), rsp), 8 + 16);
		assert_int_equal(itest_le32(rsp + 4), 0);
		v = (int64_t)itest_le64(rsp + 8);
		assert_int_equal(v, strtoll(hw[i].value, NULL, 10));
		if (strlen(want) > 15) {
			/* the whole label through SENSOR_NAME_GET */
			assert_int_equal(cmd(fe, 0xc, P(i), rsp), 8 + 4 + 64);
			assert_string_equal((char *)rsp + 12, want);
		}
	}
	/* iio: 3 axes, 10^-6 m/s^2: -52 * 0.002394 = -0.124488 */
	assert_string_equal(names[ID_IIO], "accel_3d");
	assert_int_equal(his[ID_IIO] & 0xff, 0x59);
	assert_int_equal(his[ID_IIO] >> 16 & 0x3f, 3);
	assert_int_equal(his[ID_IIO] >> 11 & 0x1f, 0x1a);
	assert_int_equal(cmd(fe, 0x6, P(ID_IIO, 0), rsp), 8 + 48);
	assert_int_equal((int64_t)itest_le64(rsp + 8), -124488);
	assert_int_equal((int64_t)itest_le64(rsp + 24), 31122);
	assert_int_equal((int64_t)itest_le64(rsp + 40), 9805824);
	cmd(fe, 0x7, P(ID_IIO, 0), rsp);
	assert_int_equal(itest_le32(rsp + 8), 3);
	assert_string_equal((char *)rsp + 24 + 2 * 28, "accel_3d_Z");
	assert_string_equal(names[ID_FAKE], "fake0");
	itest_close_ok(fe);
}

/* One notification of the sensor protocol for sensor id: a trip point
 * event (its direction) or an update (the first axis' value and
 * timestamp in us of CLOCK_MONOTONIC, and the second axis' value). */
struct sev {
	bool trip, ascending;
	int64_t value, value2;
	uint64_t ts;
};

#define EV_TRIP   (0 | 3u << 8 | SENSOR << 10)
#define EV_UPDATE (1 | 3u << 8 | SENSOR << 10)

static void next_sev(struct itest_evq *q, unsigned id, struct sev *e)
{
	uint8_t ev[LINUX_CAP];
	int len = itest_evq_next_ok(q, ev, WAIT_MS);

	if (len < 0)
		fail_msg("sensor %u: no notification within %d ms", id, WAIT_MS);
	memset(e, 0, sizeof(*e));
	assert_int_equal(itest_le32(ev + 4), 0);
	assert_int_equal(itest_le32(ev + 8), id);
	if (itest_le32(ev) == EV_TRIP) {
		assert_int_equal(len, 16);
		assert_int_equal(itest_le32(ev + 12) & 0xff, 1);       /* trip point 1 */
		e->trip = true;
		e->ascending = itest_le32(ev + 12) >> 16 & 1;
		return;
	}
	if (itest_le32(ev) != EV_UPDATE)
		fail_msg("unexpected notification header 0x%x", itest_le32(ev));
	assert_true(len >= 12 + 16);
	e->value = (int64_t)itest_le64(ev + 12);
	e->ts = itest_le64(ev + 20);
	if (len >= 12 + 32)
		e->value2 = (int64_t)itest_le64(ev + 28);
}

/* The daemon's own sampling is the clock: read notifications up to and
 * including the first update with value v; the trip events on the way
 * are counted (none allowed unless *trips is given). */
static void until_update(struct itest_evq *q, int64_t v, unsigned *trips)
{
	struct sev e;

	for (unsigned n = 0; n < 64; n++) {
		next_sev(q, 0, &e);
		if (!e.trip && e.value == v)
			return;
		if (e.trip && !trips)
			fail_msg("a trip point event before the update with %lld",
				 (long long)v);
		if (e.trip)
			(*trips)++;
	}
	fail_msg("no update with %lld in 64 notifications", (long long)v);
}

/* The next n samples: updates only, no trip event, all of value v. */
static void samples_without_trip(struct itest_evq *q, int64_t v, unsigned n)
{
	struct sev e;

	for (unsigned i = 0; i < n; i++) {
		next_sev(q, 0, &e);
		if (e.trip)
			fail_msg("a trip point event %u samples after the crossing", i + 1);
		assert_int_equal(e.value, v);
	}
}

/* Trip points, counted per sample: sensor 0 also sends an update each
 * sampling period (100 ms), and a crossing's event follows the update of
 * the sample that saw it.  So "exactly one event" and "no event" are
 * counts between updates, not quiet windows. */
static void test_scmi_sensors_int_trip_point_one_event(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint8_t rsp[LINUX_CAP];
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };
	struct sev e;

	itest_evq_post_ok(&q, NBUF);
	/* sample sensor 0 (41 °C) every 100 ms, with updates; trip point 1
	 * at 50 °C, both directions */
	cmd(fe, 0xa, P(0, 1 | 1u << 16 | 0x1fu << 11), rsp);
	assert_int_equal(itest_le32(rsp + 4), 0);
	cmd(fe, 0xb, P(0, 1), rsp);
	assert_int_equal(itest_le32(rsp + 4), 0);
	cmd(fe, 0x5, P(0, 1u << 4 | 3, 50000, 0), rsp);
	assert_int_equal(itest_le32(rsp + 4), 0);
	cmd(fe, 0x4, P(0, 1), rsp);
	assert_int_equal(itest_le32(rsp + 4), 0);
	/* below the trip point: two samples, no event */
	samples_without_trip(&q, 41000, 2);

	/* crossing upwards: one event, right after the sample's update */
	fx_write(hwmon_dir, "temp1_input", "55000");
	until_update(&q, 55000, NULL);
	next_sev(&q, 0, &e);
	assert_true(e.trip);
	assert_true(e.ascending);
	/* staying above: no more */
	samples_without_trip(&q, 55000, 3);
	cmd(fe, 0x6, P(0, 0), rsp);
	assert_int_equal((int64_t)itest_le64(rsp + 8), 55000);

	/* and down again */
	fx_write(hwmon_dir, "temp1_input", "41000");
	until_update(&q, 41000, NULL);
	next_sev(&q, 0, &e);
	assert_true(e.trip);
	assert_false(e.ascending);
	samples_without_trip(&q, 41000, 2);

	/* trip notifications off: crossings make no event */
	cmd(fe, 0x4, P(0, 0), rsp);
	fx_write(hwmon_dir, "temp1_input", "90000");
	until_update(&q, 90000, NULL);
	samples_without_trip(&q, 90000, 2);
	fx_write(hwmon_dir, "temp1_input", "41000");
	cmd(fe, 0xb, P(0, 0), rsp);
	cmd(fe, 0xa, P(0, 0), rsp);
	itest_close_ok(fe);
}

/* Wait for the daemon to read dir/name (inotify IN_ACCESS) n times. */
static void wait_reads(int ino, const char *name, unsigned n)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	while (n) {
		struct pollfd pfd = { .fd = ino, .events = POLLIN };
		ssize_t len;

		if (poll(&pfd, 1, WAIT_MS) != 1)
			fail_msg("the daemon did not read %s within %d ms", name, WAIT_MS);
		len = read(ino, buf, sizeof(buf));
		assert_true(len > 0);
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (n && ev->len && !strcmp(ev->name, name))
				n--;
			p += sizeof(*ev) + ev->len;
		}
	}
}

/* QEMU stop/cont with the event buffers held.  vhost-user, "Suspended
 * device state": a stopped device must not write guest memory.  A trip
 * point crossed while the rings are stopped (the daemon has sampled it,
 * seen through inotify, and answered a message after that) leaves the
 * held buffers' bytes as they were and uses none of them; after the
 * restart the event comes, in a buffer the driver posted before the
 * pause, and only once: the next one is the crossing back. */
static void test_scmi_sensors_int_trip_point_across_pause(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint8_t rsp[LINUX_CAP], ev[LINUX_CAP];
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };
	uint16_t base[2];
	uint64_t feat;
	uint32_t id = 0, len = 0;
	unsigned held = 0;
	int ino;

	itest_evq_post_ok(&q, NBUF);
	cmd(fe, 0xa, P(0, 1u << 16 | 0x1fu << 11), rsp);
	assert_int_equal(itest_le32(rsp + 4), 0);
	cmd(fe, 0x5, P(0, 1u << 4 | 3, 50000, 0), rsp);
	assert_int_equal(itest_le32(rsp + 4), 0);
	cmd(fe, 0x4, P(0, 1), rsp);
	assert_int_equal(itest_le32(rsp + 4), 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(fe_queue_stop(fe, i, &base[i]), 0);
	for (unsigned h = 0; h < 256; h++) {
		if (q.gpa[h]) {
			memset(fe_ptr(fe, q.gpa[h], LINUX_CAP), 0xa5, LINUX_CAP);
			held++;
		}
	}
	assert_int_equal(held, NBUF);
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	assert_true(ino >= 0);
	assert_true(inotify_add_watch(ino, hwmon_dir, IN_ACCESS) >= 0);
	fx_write(hwmon_dir, "temp1_input", "55000");
	/* two reads that began after the write: the crossing was sampled;
	 * a round trip after that: whatever the sample led to is done */
	while (read(ino, ev, sizeof(ev)) > 0) {
	}
	wait_reads(ino, "temp1_input", 2);
	assert_int_equal(fe_get_u64(fe, VHOST_USER_GET_FEATURES, &feat), 0);
	close(ino);
	if (fe_vq_get_used(fe, 1, &id, &len) != 0)
		fail_msg("buffer %u used while the rings were stopped", id);
	for (unsigned h = 0; h < 256; h++) {
		const uint8_t *b;

		if (!q.gpa[h])
			continue;
		b = fe_ptr(fe, q.gpa[h], LINUX_CAP);
		for (unsigned k = 0; k < LINUX_CAP; k++)
			if (b[k] != 0xa5)
				fail_msg("held buffer %u written while the rings were stopped "
					 "(byte %u is 0x%02x)", h, k, b[k]);
	}
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(fe_queue_start(fe, i, fe->vq[i].num, base[i]), 0);
		assert_int_equal(fe_queue_enable(fe, i, true), 0);
	}
	assert_int_equal(itest_evq_next_ok(&q, ev, WAIT_MS), 16);
	assert_int_equal(itest_le32(ev), 0 | 3u << 8 | SENSOR << 10);   /* TRIP_POINT_EVENT */
	assert_int_equal(itest_le32(ev + 12), 1u << 16 | 1);           /* ascending, tp 1 */
	fx_write(hwmon_dir, "temp1_input", "41000");
	assert_int_equal(itest_evq_next_ok(&q, ev, WAIT_MS), 16);
	assert_int_equal(itest_le32(ev + 12), 1);                      /* descending */
	cmd(fe, 0x4, P(0, 0), rsp);
	itest_close_ok(fe);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The fake's reading number from a READING_GET. */
static unsigned fake_read_nr(struct fe *fe)
{
	uint8_t rsp[LINUX_CAP];

	assert_int_equal(cmd(fe, 0x6, P(ID_FAKE, 0), rsp), 8 + 48);
	assert_int_equal(itest_le32(rsp + 4), 0);
	return itest_fake_nr((int64_t)itest_le64(rsp + 8 + 16));
}

/* Continuous updates of the fake accelerometer (100 ms), counted against
 * the daemon's own sampling times (the updates' timestamps, the same
 * monotonic clock as ours) and its reading numbers: at most one update
 * per sampling period, none lost or repeated (each update is the next
 * reading that was not one of the test's READING_GETs), those made while
 * the guest gave no buffer wait and come first, and none is made between
 * the guest's stop and its next start. */
static void test_scmi_sensors_int_continuous_updates(void **state)
{
	const uint64_t period_us = 100000;
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint8_t rsp[LINUX_CAP];
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };
	uint64_t t_on, t_post, t_off, t_again;
	struct sev e, prev = { 0 };
	static bool ours[ITEST_FAKE_READS];
	long long end = proc_now_ms() + WAIT_MS;
	unsigned nr, last;

	memset(ours, 0, sizeof(ours));
	/* as scmi_iio: notifications on at probe, then enable at 100 ms */
	cmd(fe, 0xb, P(ID_FAKE, 1), rsp);
	assert_int_equal(itest_le32(rsp + 4), 0);
	t_on = now_us();
	cmd(fe, 0xa, P(ID_FAKE, 3 | 1u << 16 | 0x1fu << 11 | 2u << 9), rsp);
	assert_int_equal(itest_le32(rsp + 4), 0);
	cmd(fe, 0x9, P(ID_FAKE), rsp);
	assert_int_equal(itest_le32(rsp + 8), 3 | 1u << 16 | 0x1fu << 11);

	/* no buffers until the daemon has sampled once (our readings skip a
	 * number): its update waits in the FIFO */
	last = fake_read_nr(fe);
	ours[last] = true;
	for (;;) {
		if (proc_now_ms() > end)
			fail_msg("the daemon did not sample the sensor in %d ms", WAIT_MS);
		usleep(5000);          /* pacing only: < 2001 readings in WAIT_MS */
		nr = fake_read_nr(fe);
		ours[nr] = true;
		if (nr != (last + 1) % ITEST_FAKE_READS)
			break;
		last = nr;
	}
	t_post = now_us();
	itest_evq_post_ok(&q, NBUF);
	for (unsigned k = 0; k < 6; k++) {
		next_sev(&q, ID_FAKE, &e);
		assert_false(e.trip);
		assert_true(e.ts != 0);
		nr = itest_fake_nr(e.value2);
		/* the k-th update is no earlier than k+1 periods after the start */
		if (e.ts < t_on + (k + 1) * period_us)
			fail_msg("update %u at +%llu us: more than one per %llu us period", k,
				 (unsigned long long)(e.ts - t_on),
				 (unsigned long long)period_us);
		/* the first waited for the buffers: made before they came */
		if (k == 0 && e.ts >= t_post)
			fail_msg("no update waited for the buffers (first at +%llu us, buffers at +%llu us)",
				 (unsigned long long)(e.ts - t_on),
				 (unsigned long long)(t_post - t_on));
		if (ours[nr])
			fail_msg("update %u carries reading %u, one of the test's own", k, nr);
		if (k) {
			unsigned want = (itest_fake_nr(prev.value2) + 1) % ITEST_FAKE_READS;

			while (ours[want])
				want = (want + 1) % ITEST_FAKE_READS;
			assert_true(e.ts > prev.ts);
			if (nr != want)
				fail_msg("update %u carries reading %u, the next one is %u", k, nr, want);
		}
		prev = e;
	}

	/* stop, then start again: after the updates made before the stop,
	 * the next one is a period after the start (a sampling that went on
	 * would show within a period of the stop) */
	cmd(fe, 0xb, P(ID_FAKE, 0), rsp);
	t_off = now_us();
	t_again = now_us();
	cmd(fe, 0xb, P(ID_FAKE, 1), rsp);
	do
		next_sev(&q, ID_FAKE, &e);
	while (e.ts <= t_off);
	if (e.ts < t_again + period_us)
		fail_msg("an update made %llu us after the stop, %llu us after the start",
			 (unsigned long long)(e.ts - t_off), (unsigned long long)(e.ts - t_again));
	cmd(fe, 0xb, P(ID_FAKE, 0), rsp);
	cmd(fe, 0xa, P(ID_FAKE, 0), rsp);
	itest_close_ok(fe);
}

static void test_scmi_sensors_int_malformed_requests(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint8_t rsp[LINUX_CAP];
	pid_t pid = dmn.proc.pid;

	assert_int_equal(cmd(fe, 0xe, P(0), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -1);            /* NOT_SUPPORTED */
	assert_int_equal(cmd(fe, 0x5, P(NSENSORS, 1, 0, 0), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -4);            /* NOT_FOUND */
	assert_int_equal(cmd(fe, 0x5, P(0, 200u << 4 | 1, 0, 0), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -2);            /* INVALID_PARAMETERS */
	assert_int_equal(cmd(fe, 0x5, P(ID_IIO, 1, 0, 0), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -1);            /* no trip points */
	assert_int_equal(cmd(fe, 0xa, P(0, 3u << 9 | 1), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -2);
	assert_int_equal(cmd(fe, 0xb, P(0, 0xff), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -2);
	assert_int_equal(cmd(fe, 0xc, P(NSENSORS), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -4);
	assert_int_equal(cmd(fe, 0xd, P(0, 0), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -1);            /* scalar */
	assert_int_equal(cmd(fe, 0x8, P(0, 99), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -2);
	assert_int_equal(cmd(fe, 0x3, P(NSENSORS + 1), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -2);
	assert_int_equal(cmd(fe, 0x6, P(0), rsp), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -10);           /* PROTOCOL_ERROR */
	/* still serving */
	assert_int_equal(cmd(fe, 0x6, P(0, 0), rsp), 8 + 16);
	assert_int_equal(itest_le32(rsp + 4), 0);
	itest_close_ok(fe);
	assert_true(proc_alive(&dmn.proc));
	assert_int_equal(dmn.proc.pid, pid);
}

/* Last: SIGTERM ends the group's daemon with exit 0 (under valgrind: no
 * memory error, no block left allocated). */
static void test_scmi_sensors_int_daemon_exits_0(void **state)
{
	itest_stop_ok(&dmn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_scmi_sensors_int_enumerate_and_read, teardown),
		cmocka_unit_test_teardown(test_scmi_sensors_int_trip_point_one_event, teardown),
		cmocka_unit_test_teardown(test_scmi_sensors_int_trip_point_across_pause, teardown),
		cmocka_unit_test_teardown(test_scmi_sensors_int_continuous_updates, teardown),
		cmocka_unit_test_teardown(test_scmi_sensors_int_malformed_requests, teardown),
		cmocka_unit_test(test_scmi_sensors_int_daemon_exits_0),
	};

	return cmocka_run_group_tests_name("scmi_sensors_integration", tests,
					   group_setup, group_teardown);
}
