/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The SCMI device end to end: the real daemon (`vhost-device scmi`, and a
 * `vhost-device-scmi` link) driven by the test frontend like QEMU and the
 * Linux guest driver would: base discovery, sensor descriptions (paged in
 * the Linux driver's 128-byte messages), configuration, readings, the
 * event queue, malformed requests, and the command line. */
#include <errno.h>
#include <limits.h>
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

#define WAIT_MS   3000
#define LINUX_CAP 136      /* Linux: 8 bytes header+status + 128 payload */

#define BASE   0x10
#define SENSOR 0x15

static struct itest_daemon dmn;

/* ---------------------------------------------------------------- helpers */

static uint32_t hdr(unsigned proto, unsigned msg, unsigned token)
{
	return msg | proto << 10 | token << 18;
}

static int spawn_scmi(struct proc *p, void *arg)
{
	static const char *const args[] = { "-d", "fake,name=foo", NULL };

	return proc_spawn_device(p, "scmi", args);
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn_scmi, NULL);
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

/* One SCMI command on the cmdq with np parameter words and a response
 * buffer of cap bytes; returns the used length.  Checks the echoed header
 * when anything came back. */
static uint32_t scmi(struct fe *fe, unsigned proto, unsigned msg,
		     const uint32_t *par, unsigned np, uint8_t *rsp, uint32_t cap)
{
	static unsigned token;
	uint32_t req[8], len = 0;
	int r;

	assert_true(np < 8);
	token = (token + 1) & 0x3ff;
	req[0] = hdr(proto, msg, token);
	if (np)
		memcpy(req + 1, par, 4 * np);
	memset(rsp, 0xa5, cap);
	r = fe_request(fe, 0, req, 4 + 4 * np, rsp, cap, &len, WAIT_MS);
	if (r)
		print_error("request %#x/%#x: %s\n", proto, msg, strerror(-r));
	assert_int_equal(r, 0);
	assert_true(len <= cap);
	if (len >= 4)
		assert_int_equal(itest_le32(rsp), req[0]);
	return len;
}

#define P(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)
#define NOP NULL, 0

static void probe(struct fe *fe)
{
	uint8_t rsp[LINUX_CAP];

	assert_int_equal(scmi(fe, BASE, 0x0, NOP, rsp, sizeof(rsp)), 12);
	assert_int_equal(itest_le32(rsp + 4), 0);
	assert_int_equal(itest_le32(rsp + 8), 0x20001);
}

/* Read every sensor description as the Linux driver does; returns the
 * number of sensors and the pages it took, names into names[]. */
static unsigned read_descriptions(struct fe *fe, char names[][16], unsigned max,
				  unsigned *pages)
{
	uint8_t rsp[LINUX_CAP];
	unsigned idx = 0;

	*pages = 0;
	for (;;) {
		uint32_t len = scmi(fe, SENSOR, 0x3, P(idx), rsp, sizeof(rsp));
		unsigned ret = itest_le32(rsp + 8) & 0xfff, rem = itest_le32(rsp + 8) >> 16;

		assert_int_equal(itest_le32(rsp + 4), 0);
		assert_int_equal(len, 12 + 28 * ret);
		for (unsigned i = 0; i < ret; i++) {
			assert_true(idx + i < max);
			assert_int_equal(itest_le32(rsp + 12 + 28 * i), idx + i);
			memcpy(names[idx + i], rsp + 12 + 28 * i + 12, 16);
			assert_int_equal(names[idx + i][15], 0);
		}
		idx += ret;
		(*pages)++;
		if (!rem || !ret)
			break;
	}
	return idx;
}

/* ------------------------------------------------------------------ tests */

static void test_scmi_int_features_and_queues(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);

	assert_int_equal(fe->nqueues, 2);
	assert_true(fe->dev_features & BIT64(0));     /* P2A_CHANNELS */
	assert_true(fe->dev_features & BIT64(VIRTIO_F_VERSION_1));
	probe(fe);
	itest_close_ok(fe);
}

static void test_scmi_int_base_discovery(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint8_t rsp[LINUX_CAP];

	/* what the Linux SCMI core asks at probe: 0, 1, 3, 4, 5, 6 */
	probe(fe);
	assert_int_equal(scmi(fe, BASE, 0x1, NOP, rsp, 12), 12);
	assert_int_equal(itest_le32(rsp + 8), 1 | 1 << 8);
	assert_int_equal(scmi(fe, BASE, 0x3, NOP, rsp, 24), 24);
	assert_string_equal((char *)rsp + 8, "vhost-device");
	assert_int_equal(scmi(fe, BASE, 0x4, NOP, rsp, 24), 24);
	assert_int_equal(itest_le32(rsp + 4), 0);
	assert_int_equal(scmi(fe, BASE, 0x5, NOP, rsp, 12), 12);
	assert_int_equal(itest_le32(rsp + 4), 0);
	assert_int_equal(scmi(fe, BASE, 0x6, P(0), rsp, sizeof(rsp)), 16);
	assert_int_equal(itest_le32(rsp + 8), 1);
	assert_int_equal(itest_le32(rsp + 12), SENSOR);
	assert_int_equal(scmi(fe, BASE, 0x7, P(0), rsp, 28), 28);
	assert_string_equal((char *)rsp + 12, "platform");
	itest_close_ok(fe);
}

static void test_scmi_int_sensor_enable_and_read(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint8_t rsp[LINUX_CAP];
	char names[4][16];
	unsigned pages;
	int64_t z;

	assert_int_equal(scmi(fe, SENSOR, 0x0, NOP, rsp, 12), 12);
	assert_int_equal(itest_le32(rsp + 8), 0x30001);
	assert_int_equal(scmi(fe, SENSOR, 0x1, NOP, rsp, 24), 24);
	assert_int_equal(itest_le32(rsp + 8) & 0xffff, 1);
	assert_int_equal(read_descriptions(fe, names, 4, &pages), 1);
	assert_string_equal(names[0], "foo");
	assert_int_equal(scmi(fe, SENSOR, 0x3, P(0), rsp, sizeof(rsp)), 40);
	assert_int_equal(itest_le32(rsp + 20) >> 16 & 0x3f, 3);          /* axes */

	assert_int_equal(scmi(fe, SENSOR, 0x7, P(0, 0), rsp, sizeof(rsp)), 12 + 96);
	assert_int_equal(itest_le32(rsp + 8), 2 | 1u << 26);
	assert_string_equal((char *)rsp + 24, "foo_X");
	assert_string_equal((char *)rsp + 24 + 48, "foo_Y");
	assert_int_equal(scmi(fe, SENSOR, 0x7, P(0, 2), rsp, sizeof(rsp)), 12 + 48);
	assert_string_equal((char *)rsp + 24, "foo_Z");

	/* enable, as scmi_iio does before buffering */
	assert_int_equal(scmi(fe, SENSOR, 0x9, P(0), rsp, 12), 12);
	assert_int_equal(itest_le32(rsp + 8) & 0xffff, 0);
	assert_int_equal(scmi(fe, SENSOR, 0xa, P(0, 1), rsp, 8), 8);
	assert_int_equal(itest_le32(rsp + 4), 0);
	assert_int_equal(scmi(fe, SENSOR, 0x9, P(0), rsp, 12), 12);
	assert_int_equal(itest_le32(rsp + 8) & 0xffff, 1);

	assert_int_equal(scmi(fe, SENSOR, 0x6, P(0, 0), rsp, sizeof(rsp)), 8 + 3 * 16);
	assert_int_equal(itest_le32(rsp + 4), 0);
	z = (int64_t)itest_le64(rsp + 40);
	assert_true(z > 9700 && z < 9900);
	itest_close_ok(fe);
}

static void test_scmi_int_config_reset_on_reconnect(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint8_t rsp[16];

	assert_int_equal(scmi(fe, SENSOR, 0xa, P(0, 1), rsp, 8), 8);
	assert_int_equal(scmi(fe, SENSOR, 0x9, P(0), rsp, 12), 12);
	assert_int_equal(itest_le32(rsp + 8) & 0xffff, 1);
	itest_close_ok(fe);

	fe = itest_open_ok(dmn.proc.sock, NULL);
	assert_int_equal(scmi(fe, SENSOR, 0x9, P(0), rsp, 12), 12);
	assert_int_equal(itest_le32(rsp + 8) & 0xffff, 0);
	itest_close_ok(fe);
}

static void test_scmi_int_malformed_requests(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint8_t rsp[4096];
	uint32_t req = hdr(BASE, 0, 9), len = 99;
	pid_t pid = dmn.proc.pid;

	/* shorter than a header: completed with 0 bytes */
	assert_int_equal(fe_request(fe, 0, &req, 2, rsp, LINUX_CAP, &len, WAIT_MS), 0);
	assert_int_equal(len, 0);
	/* no writable buffer, or no room for header + status */
	len = 99;
	assert_int_equal(fe_request(fe, 0, &req, 4, rsp, 0, &len, WAIT_MS), 0);
	assert_int_equal(len, 0);
	len = 99;
	assert_int_equal(fe_request(fe, 0, &req, 4, rsp, 7, &len, WAIT_MS), 0);
	assert_int_equal(len, 0);
	probe(fe);

	/* unknown protocol / message: NOT_SUPPORTED */
	assert_int_equal(scmi(fe, 0x14, 0x0, NOP, rsp, LINUX_CAP), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -1);
	assert_int_equal(scmi(fe, SENSOR, 0xe, P(0, 1), rsp, LINUX_CAP), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -1);
	/* wrong parameter size: PROTOCOL_ERROR; bad sensor: NOT_FOUND;
	 * bad index: INVALID_PARAMETERS */
	assert_int_equal(scmi(fe, SENSOR, 0x6, P(0), rsp, LINUX_CAP), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -10);
	assert_int_equal(scmi(fe, SENSOR, 0x6, P(7, 0), rsp, LINUX_CAP), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -4);
	assert_int_equal(scmi(fe, SENSOR, 0x7, P(0, 9), rsp, LINUX_CAP), 8);
	assert_int_equal((int32_t)itest_le32(rsp + 4), -2);

	/* a request far larger than any message */
	{
		static uint8_t big[2048];

		memset(big, 0, sizeof(big));
		memcpy(big, &req, 4);
		len = 0;
		assert_int_equal(fe_request(fe, 0, big, sizeof(big), rsp, LINUX_CAP,
					    &len, WAIT_MS), 0);
		assert_int_equal(len, 8);
		assert_int_equal((int32_t)itest_le32(rsp + 4), -10);
	}
	/* a larger response buffer than needed: only the response is used */
	assert_int_equal(scmi(fe, BASE, 0x0, NOP, rsp, sizeof(rsp)), 12);
	probe(fe);
	itest_close_ok(fe);
	assert_true(proc_alive(&dmn.proc));
	assert_int_equal(dmn.proc.pid, pid);
}

static void test_scmi_int_eventq_buffers_held_then_released(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint64_t g = fe_alloc(fe, 64, 16);
	struct fe_seg s = { g, 64, true };
	uint32_t id, len;
	uint16_t base = 0;
	int head;

	assert_true(g != 0);
	for (int i = 0; i < 3; i++) {
		head = fe_vq_add(fe, 1, &s, 1, false);
		assert_true(head >= 0);
		fe_vq_publish(fe, 1, (uint16_t)head);
	}
	assert_int_equal(fe_vq_kick(fe, 1), 0);
	/* no notifications yet: once the daemon is done with the kick the
	 * buffers stay with it (a call may still come, e.g. for
	 * NOTIFY_ON_EMPTY; nothing is used) */
	itest_settle_ok(fe, 1);
	assert_int_equal(fe_vq_get_used(fe, 1, &id, &len), 0);
	assert_int_equal(fe_vq_pending(fe, 1), 0);
	probe(fe);
	/* stopping the queue (a pause, or a reset: the restart tells) keeps
	 * them: GET_VRING_BASE answers 3 */
	assert_int_equal(fe_queue_stop(fe, 1, &base), 0);
	assert_int_equal(base, 3);
	probe(fe);
	itest_close_ok(fe);
}

/* An event buffer too small for a notification comes back at once with
 * nothing in it (0 bytes used); the notification waits for the next
 * buffer and comes whole. */
static void test_scmi_int_small_event_buffer_returned_empty(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };
	uint8_t rsp[LINUX_CAP], ev[LINUX_CAP];
	uint64_t small = fe_alloc(fe, 16, 8);
	struct fe_seg s = { small, 16, true };
	long long end = proc_now_ms() + WAIT_MS;
	uint32_t id = 0, len = 99;
	int head, r;

	assert_true(small != 0);
	memset(fe_ptr(fe, small, 16), 0xa5, 16);
	head = fe_vq_add(fe, 1, &s, 1, false);
	assert_true(head >= 0);
	fe_vq_publish(fe, 1, (uint16_t)head);
	itest_evq_post_ok(&q, 1);                 /* a big one after it; kicks */
	/* enabled, 10 ms, continuous updates (4 + 8 + 3 * 16 bytes each) */
	assert_int_equal(scmi(fe, SENSOR, 0xa, P(0, 1 | 1u << 16 | 0x1eu << 11), rsp, 8), 8);
	assert_int_equal(scmi(fe, SENSOR, 0xb, P(0, 1), rsp, 8), 8);
	while ((r = fe_vq_get_used(fe, 1, &id, &len)) == 0) {
		if (proc_now_ms() >= end)
			fail_msg("no event buffer came back in %d ms", WAIT_MS);
		fe_vq_wait_call(fe, 1, (int)(end - proc_now_ms()));
	}
	assert_int_equal(r, 1);
	assert_int_equal(id, head);
	assert_int_equal(len, 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(((uint8_t *)fe_ptr(fe, small, 16))[i], 0xa5);
	assert_int_equal(itest_evq_next_ok(&q, ev, WAIT_MS), 4 + 8 + 3 * 16);
	assert_int_equal(itest_le32(ev), 1 | 3u << 8 | SENSOR << 10);   /* SENSOR_UPDATE */
	assert_int_equal(scmi(fe, SENSOR, 0xb, P(0, 0), rsp, 8), 8);
	assert_int_equal(scmi(fe, SENSOR, 0xa, P(0, 0), rsp, 8), 8);
	itest_close_ok(fe);
}

/* Wait for the next used eventq entry, read from the ring itself: after a
 * pause the device still holds buffers posted before it, which the test
 * frontend's bookkeeping forgot at the restart. */
static int next_used(struct fe *fe, uint32_t *id, uint32_t *len)
{
	struct fe_vq *vq = &fe->vq[1];
	long long end = proc_now_ms() + WAIT_MS;

	for (;;) {
		uint16_t idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);

		if (idx != vq->last_used) {
			struct vring_used_elem *u = &vq->used->ring[vq->last_used % vq->num];

			*id = u->id;
			*len = u->len;
			vq->last_used++;
			return *id < 256 ? 0 : -EPROTO;
		}
		if (proc_now_ms() >= end)
			return -ETIMEDOUT;
		fe_vq_wait_call(fe, 1, (int)(end - proc_now_ms()));
	}
}

/* Stop both rings as QEMU does (SET_VRING_ENABLE 0, GET_VRING_BASE) and
 * start them again: at the returned base (a VM stop/cont) or at base 0
 * with cleared rings (a new driver after a reset). */
static void stop_and_restart(struct fe *fe, bool same_place)
{
	for (unsigned q = 0; q < 2; q++) {
		uint16_t base = 0, num = fe->vq[q].num;

		assert_int_equal(fe_queue_stop(fe, q, &base), 0);
		assert_int_equal(fe_queue_start(fe, q, num, same_place ? base : 0), 0);
		assert_int_equal(fe_queue_enable(fe, q, true), 0);
	}
}

/* A pause (vhost-user: "While all vrings are stopped, the device is
 * suspended"; nothing allows it to lose state) keeps the sensor
 * configuration, the held event buffers and the sampling: after cont,
 * updates keep coming into the buffers posted before the stop, without
 * any command. */
static void test_scmi_int_pause_keeps_sensors_and_buffers(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };
	uint8_t rsp[LINUX_CAP], ev[LINUX_CAP];
	uint32_t id = 0, len = 0;

	itest_evq_post_ok(&q, 8);
	/* enabled, 10 ms, continuous updates */
	assert_int_equal(scmi(fe, SENSOR, 0xa, P(0, 1 | 1u << 16 | 0x1eu << 11), rsp, 8), 8);
	assert_int_equal(scmi(fe, SENSOR, 0xb, P(0, 1), rsp, 8), 8);
	assert_int_equal(itest_le32(rsp + 4), 0);
	assert_int_equal(itest_evq_next_ok(&q, ev, WAIT_MS), 4 + 8 + 3 * 16);

	stop_and_restart(fe, true);
	assert_int_equal(next_used(fe, &id, &len), 0);
	assert_int_equal(len, 4 + 8 + 3 * 16);
	assert_int_equal(itest_le32(fe_ptr(fe, q.gpa[id], 4)), 1 | 3u << 8 | SENSOR << 10);
	assert_int_equal(scmi(fe, SENSOR, 0x9, P(0), rsp, 12), 12);
	assert_int_equal(itest_le32(rsp + 8) & 1, 1);
	assert_int_equal(scmi(fe, SENSOR, 0xb, P(0, 0), rsp, 8), 8);
	itest_close_ok(fe);
}

/* Wait until the daemon has read the fake sensor 0 on its own (a
 * sample): between two of our READING_GETs its reading count moves by
 * more than one.  Paced, and bounded against a daemon that never does. */
static void wait_sampled(struct fe *fe)
{
	long long end = proc_now_ms() + WAIT_MS;
	uint8_t rsp[LINUX_CAP];
	unsigned prev = ITEST_FAKE_READS;

	for (;;) {
		unsigned n;

		assert_int_equal(scmi(fe, SENSOR, 0x6, P(0, 0), rsp, sizeof(rsp)), 8 + 3 * 16);
		n = itest_fake_nr((int64_t)itest_le64(rsp + 8 + 16));
		if (prev != ITEST_FAKE_READS && n != (prev + 1) % ITEST_FAKE_READS)
			return;
		if (proc_now_ms() > end)
			fail_msg("the daemon did not sample the sensor in %d ms", WAIT_MS);
		prev = n;
		usleep(2000);
	}
}

/* A driver reset (the rings start over) leaves a fresh device: the
 * sensor disabled, no update pending from before (virtio 2.4.1: "A device
 * MUST NOT send notifications ... after indicating completion of the
 * reset ..., until the driver re-initializes the device").  Updates
 * queued before the reset had no timestamps; the new driver asks for
 * them, so the first update it gets must carry one. */
static void test_scmi_int_driver_reset_fresh_sensors(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };
	uint8_t rsp[LINUX_CAP], ev[LINUX_CAP];

	/* updates every 10 ms, no event buffer: they queue up; at least one
	 * is queued once the daemon has sampled the sensor (its reading count
	 * moved by more than our own reads) */
	assert_int_equal(scmi(fe, SENSOR, 0xa, P(0, 1 | 1u << 16 | 0x1eu << 11), rsp, 8), 8);
	assert_int_equal(scmi(fe, SENSOR, 0xb, P(0, 1), rsp, 8), 8);
	assert_int_equal(itest_le32(rsp + 4), 0);
	wait_sampled(fe);

	stop_and_restart(fe, false);
	itest_evq_post_ok(&q, 8);
	assert_int_equal(scmi(fe, SENSOR, 0x9, P(0), rsp, 12), 12);
	assert_int_equal(itest_le32(rsp + 8) & 3, 0);            /* disabled */
	assert_int_equal(itest_le32(rsp + 8) >> 16, 1);          /* 1 s again */
	/* enabled with timestamps, 10 ms, updates on */
	assert_int_equal(scmi(fe, SENSOR, 0xa, P(0, 3 | 1u << 16 | 0x1eu << 11), rsp, 8), 8);
	assert_int_equal(scmi(fe, SENSOR, 0xb, P(0, 1), rsp, 8), 8);
	assert_int_equal(itest_evq_next_ok(&q, ev, WAIT_MS), 4 + 8 + 3 * 16);
	assert_int_equal(itest_le32(ev), 1 | 3u << 8 | SENSOR << 10);
	assert_true(itest_le64(ev + 12 + 8) != 0);               /* axis 0 timestamp */
	assert_int_equal(scmi(fe, SENSOR, 0xb, P(0, 0), rsp, 8), 8);
	itest_close_ok(fe);
}

/* Started through a `vhost-device-scmi` link, with six sensors: the
 * descriptions come in two pages of a 128-byte message. */
static void test_scmi_int_symlink_and_paging(void **state)
{
	static const char *const args[] = {
		"-d", "fake,name=bar", "-d", "fake", "-d", "fake", "-d", "fake",
		"-d", "fake", "-d", "fake,name=last", NULL
	};
	const char *bin = getenv("VHOST_DEVICE_BIN");
	char real[PATH_MAX], link[256], *saved;
	char names[8][16];
	struct proc p = { 0 };
	unsigned pages;
	struct fe *fe;

	if (!bin || !*bin)
		bin = "./vhost-device";
	assert_non_null(realpath(bin, real));
	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(link, sizeof(link), "%s/vhost-device-scmi", p.dir);
	assert_int_equal(symlink(real, link), 0);
	saved = getenv("VHOST_DEVICE_BIN") ? strdup(getenv("VHOST_DEVICE_BIN")) : NULL;
	setenv("VHOST_DEVICE_BIN", link, 1);
	{
		const char *argv[16];
		unsigned n = 0;

		argv[n++] = "-s";
		argv[n++] = p.sock;
		for (unsigned i = 0; args[i]; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		assert_int_equal(proc_spawn(&p, argv, false, p.sock,
					    proc_start_timeout_ms()), 0);
	}
	if (saved) {
		setenv("VHOST_DEVICE_BIN", saved, 1);
		free(saved);
	} else {
		unsetenv("VHOST_DEVICE_BIN");
	}

	fe = itest_open_ok(p.sock, NULL);
	probe(fe);
	assert_int_equal(read_descriptions(fe, names, 8, &pages), 6);
	assert_int_equal(pages, 2);
	assert_string_equal(names[0], "bar");
	assert_string_equal(names[1], "fake1");
	assert_string_equal(names[4], "fake4");
	assert_string_equal(names[5], "last");
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);
	/* the socket is removed at exit */
	assert_int_equal(access(p.sock, F_OK), -1);
	unlink(link);
	proc_cleanup(&p);
}

/* --trace: each command and its response as a JSON line, decoded */
static void test_scmi_int_trace_json(void **state)
{
	struct proc p = { 0 };
	char file[200], cmd[800];
	const char *args[] = { "-d", "fake,name=foo", "--trace", file, NULL };
	uint8_t rsp[LINUX_CAP];
	struct fe *fe;

	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(file, sizeof(file), "%s/scmi.json", p.dir);
	assert_int_equal(proc_spawn_device(&p, "scmi", args), 0);
	fe = itest_open_ok(p.sock, NULL);
	probe(fe);
	assert_int_equal(scmi(fe, BASE, 0x6, P(0), rsp, sizeof(rsp)), 16);
	assert_int_equal(scmi(fe, BASE, 0x77, NOP, rsp, sizeof(rsp)), 8);   /* not found */
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys\n"
		 "r=[json.loads(l) for l in open(sys.argv[1])]\n"
		 "assert len(r)==3 and all(x[\"dev\"]==\"scmi\" and x[\"protocol\"]==16 for x in r), r\n"
		 "assert [(x[\"msg\"], x[\"status\"]) for x in r]==[(0,0),(6,0),(119,-1)], r\n"
		 "assert r[0][\"resp\"]==\"01000200\" and r[1][\"req\"]==\"00000000\", r\n"
		 "assert r[1][\"resp\"]==\"0100000015000000\", r' '%s'", file);
	assert_int_equal(system(cmd), 0);
	proc_cleanup(&p);
}

static void test_scmi_int_cli_errors_exit_1(void **state)
{
	static const struct {
		const char *dev, *needle;
	} bad[] = {
		{ "fake,name=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
		{ "iio2", "iio2" },
		{ "fake,size=3", "size" },
		{ "fake,name", "name" },
	};
	char err[1024];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { "scmi", "-s", "/nonexistent/x.sock", "-d",
				       bad[i].dev, NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 1);
		if (!strstr(err, bad[i].needle))
			fail_msg("-d %s: stderr '%s' does not name '%s'", bad[i].dev,
				 err, bad[i].needle);
	}
	{
		const char *args[] = { "scmi", "-d", "fake", NULL };

		/* no socket: a usage error, as clap's required -s */
		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 2);
		assert_non_null(strstr(err, "socket"));
	}
	{
		const char *args[] = { "scmi", "--help-devices", NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 0);
	}
	{
		const char *args[] = { "scmi", "-d", "help", NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 0);
	}
}

/* Last: SIGTERM ends the group's daemon with exit 0 (under valgrind: no
 * memory error, no block left allocated). */
static void test_scmi_int_daemon_exits_0(void **state)
{
	itest_stop_ok(&dmn);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_scmi_int_features_and_queues),
		T(test_scmi_int_base_discovery),
		T(test_scmi_int_sensor_enable_and_read),
		T(test_scmi_int_config_reset_on_reconnect),
		T(test_scmi_int_malformed_requests),
		T(test_scmi_int_eventq_buffers_held_then_released),
		T(test_scmi_int_small_event_buffer_returned_empty),
		T(test_scmi_int_pause_keeps_sensors_and_buffers),
		T(test_scmi_int_driver_reset_fresh_sensors),
		cmocka_unit_test(test_scmi_int_symlink_and_paging),
		cmocka_unit_test(test_scmi_int_trace_json),
		cmocka_unit_test(test_scmi_int_cli_errors_exit_1),
		cmocka_unit_test(test_scmi_int_daemon_exits_0),
	};

	return cmocka_run_group_tests_name("scmi_integration", tests, NULL,
					   group_teardown);
}
