/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Host sensor readings off the loop: `vhost-device scmi -d hwmon,path=SLOW
 * -d hwmon,path=FAST -d fake`, where SLOW's temp1_input is a FIFO that
 * the test holds open for writing: the daemon's read of it blocks, as a
 * sensor behind a slow or stuck bus does, until the test writes a value.
 * While it blocks, the loop still answers the other sensors (another
 * instance's hwmon, the fake) and samples them; the held request gets the
 * value written; requests meanwhile share the one read; a pause keeps the
 * answer until the ring runs; a reset or a closed connection drops the
 * read in flight, and its value is never used. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS   5000
#define LINUX_CAP 136
#define SENSOR    0x15
#define ID_SLOW   0
#define ID_FAST   1
#define ID_FAKE   2

static struct itest_daemon dmn;
static char fxroot[64], slow_dir[96], fast_dir[96], fifo[128];
static int wfd = -1;   /* the FIFO, O_RDWR: the daemon's open never blocks */
static int ino = -1;   /* inotify on slow_dir */

static void fx_write(const char *dir, const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", content);
	assert_int_equal(fclose(f), 0);
}

static int spawn_scmi(struct proc *p, void *arg)
{
	return proc_spawn_device(p, "scmi", arg);
}

static int group_setup(void **state)
{
	char sspec[160], fspec[160];
	const char *args[] = { "-d", sspec, "-d", fspec, "-d", "fake", NULL };

	strcpy(fxroot, "/tmp/vdscmislow.XXXXXX");
	if (!mkdtemp(fxroot))
		return -1;
	snprintf(slow_dir, sizeof(slow_dir), "%s/hwmon0", fxroot);
	snprintf(fast_dir, sizeof(fast_dir), "%s/hwmon1", fxroot);
	snprintf(fifo, sizeof(fifo), "%s/temp1_input", slow_dir);
	if (mkdir(slow_dir, 0755) || mkdir(fast_dir, 0755) || mkfifo(fifo, 0600))
		return -1;
	wfd = open(fifo, O_RDWR | O_CLOEXEC);
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (wfd < 0 || ino < 0 || inotify_add_watch(ino, slow_dir, IN_OPEN | IN_CLOSE_NOWRITE) < 0)
		return -1;
	fx_write(slow_dir, "name", "slow");
	fx_write(fast_dir, "name", "fast");
	fx_write(fast_dir, "temp1_input", "25000");
	snprintf(sspec, sizeof(sspec), "hwmon,path=%s", slow_dir);
	snprintf(fspec, sizeof(fspec), "hwmon,path=%s", fast_dir);
	return itest_daemon_ensure(&dmn, spawn_scmi, args) ? -1 : 0;
}

static int teardown(void **state)
{
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	char cmd[128];
	int code = itest_daemon_stop(&dmn);

	if (wfd >= 0)
		close(wfd);
	if (ino >= 0)
		close(ino);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fxroot);
	if (system(cmd))
		print_error("cannot remove %s\n", fxroot);
	return code != 0;
}

/* The value the daemon's read of the FIFO gets. */
static void release(long v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%ld\n", v);

	assert_int_equal(write(wfd, b, (size_t)n), n);
}

/* Wait for the daemon to open (IN_OPEN) or close (IN_CLOSE_NOWRITE) the
 * FIFO: its read has begun, or is over. */
static void wait_fifo(uint32_t mask)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		struct pollfd pfd = { .fd = ino, .events = POLLIN };
		ssize_t len;

		if (poll(&pfd, 1, WAIT_MS) != 1)
			fail_msg("the daemon did not %s the FIFO within %d ms",
				 mask == IN_OPEN ? "open" : "close", WAIT_MS);
		len = read(ino, buf, sizeof(buf));
		assert_true(len > 0);
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if ((ev->mask & mask) && ev->len && !strcmp(ev->name, "temp1_input"))
				return;
			p += sizeof(*ev) + ev->len;
		}
	}
}

static void drain_events(void)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(ino, buf, sizeof(buf)) > 0) {
	}
}

/* A SENSOR_READING_GET on the command queue, not waited for. */
struct pending {
	int head;
	uint64_t in;
};

static struct pending post_read(struct fe *fe, unsigned sensor)
{
	static unsigned token;
	uint64_t out = fe_alloc(fe, 16, 16);
	struct pending pr = { .in = fe_alloc(fe, LINUX_CAP, 16) };
	struct fe_seg s[2];
	uint8_t *req = fe_ptr(fe, out, 12);

	assert_true(out && pr.in);
	token = (token + 1) & 0x3ff;
	itest_put_le32(req, 0x6 | SENSOR << 10 | (100 + token) << 18);
	itest_put_le32(req + 4, sensor);
	itest_put_le32(req + 8, 0);
	memset(fe_ptr(fe, pr.in, LINUX_CAP), 0xa5, LINUX_CAP);
	s[0] = (struct fe_seg){ out, 12, false };
	s[1] = (struct fe_seg){ pr.in, LINUX_CAP, true };
	pr.head = fe_vq_add(fe, 0, s, 2, false);
	assert_true(pr.head >= 0);
	fe_vq_publish(fe, 0, (uint16_t)pr.head);
	assert_int_equal(fe_vq_kick(fe, 0), 0);
	return pr;
}

/* The reading a held request was answered with: waits for its used entry
 * (the next one on the queue). */
static int64_t wait_answer(struct fe *fe, const struct pending *pr)
{
	uint32_t id = 0, len = 0;
	const uint8_t *r;
	int got;

	while ((got = fe_vq_get_used(fe, 0, &id, &len)) == 0)
		assert_int_equal(fe_vq_wait_call(fe, 0, WAIT_MS), 0);
	assert_int_equal(got, 1);
	assert_int_equal(id, (uint32_t)pr->head);
	assert_int_equal(len, 8 + 16);
	r = fe_ptr(fe, pr->in, LINUX_CAP);
	assert_int_equal(itest_le32(r + 4), 0);                   /* SUCCESS */
	assert_int_equal(itest_le64(r + 16), 0);                  /* no timestamp */
	return (int64_t)itest_le64(r + 8);
}

/* A READING_GET of sensor answered at once (another sensor than the
 * blocked one): its value. */
static int64_t read_now(struct fe *fe, unsigned sensor, uint32_t want_len)
{
	uint32_t req[3] = { 0x6 | SENSOR << 10 | 7u << 18, sensor, 0 }, len = 0;
	uint8_t rsp[LINUX_CAP];

	assert_int_equal(fe_request(fe, 0, req, 12, rsp, LINUX_CAP, &len, WAIT_MS), 0);
	assert_int_equal(len, want_len);
	assert_int_equal(itest_le32(rsp + 4), 0);
	return (int64_t)itest_le64(rsp + 8);
}

static uint32_t cmd(struct fe *fe, unsigned msg, uint32_t a, uint32_t b)
{
	uint32_t req[3] = { msg | SENSOR << 10 | 9u << 18, a, b }, len = 0;
	uint8_t rsp[LINUX_CAP];

	assert_int_equal(fe_request(fe, 0, req, 12, rsp, LINUX_CAP, &len, WAIT_MS), 0);
	assert_int_equal(len, 8);
	return itest_le32(rsp + 4);
}

/* ------------------------------------------------------------------ tests */

/* While the slow sensor's read blocks (the daemon has the FIFO open), the
 * loop answers the other hwmon instance and the fake sensor; the held
 * request then completes with the value written. */
static void test_scmi_hostread_int_loop_not_stalled(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	struct pending pr;

	drain_events();
	pr = post_read(fe, ID_SLOW);
	wait_fifo(IN_OPEN);
	assert_int_equal(itest_kick_settle(fe, 0, WAIT_MS), 0);
	assert_int_equal(read_now(fe, ID_FAST, 8 + 16), 25000);
	read_now(fe, ID_FAKE, 8 + 48);
	assert_int_equal(read_now(fe, ID_FAST, 8 + 16), 25000);
	assert_int_equal(fe_vq_pending(fe, 0), 0);               /* still held */
	release(42000);
	assert_int_equal(wait_answer(fe, &pr), 42000);
	itest_close_ok(fe);
}

/* Requests for the sensor while its read is in flight share it: one
 * value written answers all three (a second read would block for good). */
static void test_scmi_hostread_int_one_read_shared(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	struct pending pr[3];

	drain_events();
	pr[0] = post_read(fe, ID_SLOW);
	wait_fifo(IN_OPEN);
	pr[1] = post_read(fe, ID_SLOW);
	pr[2] = post_read(fe, ID_SLOW);
	assert_int_equal(itest_kick_settle(fe, 0, WAIT_MS), 0);
	release(43000);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(wait_answer(fe, &pr[i]), 43000);
	/* and the next request reads again */
	pr[0] = post_read(fe, ID_SLOW);
	release(43500);
	assert_int_equal(wait_answer(fe, &pr[0]), 43500);
	itest_close_ok(fe);
}

/* A pause with the read in flight: the answer is not written into the
 * stopped ring; it comes once the ring runs again. */
static void test_scmi_hostread_int_answer_after_pause(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	const uint8_t *r;
	struct pending pr;
	uint16_t base[2];
	uint64_t feat;
	uint32_t id, len;

	drain_events();
	pr = post_read(fe, ID_SLOW);
	wait_fifo(IN_OPEN);
	for (unsigned q = 0; q < 2; q++)
		assert_int_equal(fe_queue_stop(fe, q, &base[q]), 0);
	release(44000);
	wait_fifo(IN_CLOSE_NOWRITE);
	/* a round trip after the read: its result has reached the loop */
	assert_int_equal(fe_get_u64(fe, VHOST_USER_GET_FEATURES, &feat), 0);
	assert_int_equal(fe_vq_get_used(fe, 0, &id, &len), 0);
	r = fe_ptr(fe, pr.in, LINUX_CAP);
	for (unsigned k = 0; k < LINUX_CAP; k++)
		if (r[k] != 0xa5)
			fail_msg("response byte %u written while the ring was stopped", k);
	for (unsigned q = 0; q < 2; q++) {
		assert_int_equal(fe_queue_start(fe, q, fe->vq[q].num, base[q]), 0);
		assert_int_equal(fe_queue_enable(fe, q, true), 0);
	}
	assert_int_equal(wait_answer(fe, &pr), 44000);
	itest_close_ok(fe);
}

/* A driver reset (rings start over) and a closed connection while the
 * read is in flight: the element is gone and the value read is never
 * used; the next request reads again. */
static void test_scmi_hostread_int_reset_drops_read(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	struct pending pr;

	drain_events();
	post_read(fe, ID_SLOW);
	wait_fifo(IN_OPEN);
	for (unsigned q = 0; q < 2; q++) {
		uint16_t base = 0, num = fe->vq[q].num;

		assert_int_equal(fe_queue_stop(fe, q, &base), 0);
		assert_int_equal(fe_queue_start(fe, q, num, 0), 0);
		assert_int_equal(fe_queue_enable(fe, q, true), 0);
	}
	release(1111);
	wait_fifo(IN_CLOSE_NOWRITE);
	pr = post_read(fe, ID_SLOW);
	release(45000);
	assert_int_equal(wait_answer(fe, &pr), 45000);

	/* the same with the connection closed */
	drain_events();
	post_read(fe, ID_SLOW);
	wait_fifo(IN_OPEN);
	itest_close_ok(fe);
	fe = itest_open_ok(dmn.proc.sock, NULL);
	/* asked while the dropped read is still in flight: read again */
	pr = post_read(fe, ID_SLOW);
	assert_int_equal(itest_kick_settle(fe, 0, WAIT_MS), 0);
	release(2222);
	wait_fifo(IN_CLOSE_NOWRITE);
	release(46000);
	assert_int_equal(wait_answer(fe, &pr), 46000);
	itest_close_ok(fe);
}

/* Sampling: continuous updates of the slow sensor come as its reads do,
 * while the fast one's keep coming during the blocked read. */
static void test_scmi_hostread_int_sampling(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };
	uint8_t ev[LINUX_CAP];
	unsigned fast = 0;
	struct pending pr;

	itest_evq_post_ok(&q, 8);
	drain_events();
	/* both enabled, 10 ms, continuous updates */
	for (unsigned s = ID_SLOW; s <= ID_FAST; s++) {
		assert_int_equal(cmd(fe, 0xa, s, 1 | 1u << 16 | 0x1eu << 11), 0);
		assert_int_equal(cmd(fe, 0xb, s, 1), 0);
	}
	wait_fifo(IN_OPEN);
	/* the slow one blocks; three updates of the fast one meanwhile */
	while (fast < 3) {
		assert_int_equal(itest_evq_next_ok(&q, ev, WAIT_MS), 4 + 8 + 16);
		assert_int_equal(itest_le32(ev + 8), ID_FAST);
		assert_int_equal(itest_le64(ev + 12), 25000);
		fast++;
	}
	release(47000);
	for (;;) {
		assert_int_equal(itest_evq_next_ok(&q, ev, WAIT_MS), 4 + 8 + 16);
		if (itest_le32(ev + 8) == ID_SLOW)
			break;
	}
	assert_int_equal(itest_le64(ev + 12), 47000);
	for (unsigned s = ID_SLOW; s <= ID_FAST; s++)
		assert_int_equal(cmd(fe, 0xb, s, 0), 0);
	/* no read left behind: a request shares the one in flight, if any */
	pr = post_read(fe, ID_SLOW);
	release(48000);
	assert_int_equal(wait_answer(fe, &pr), 48000);
	itest_close_ok(fe);
}

/* Last: SIGTERM ends the daemon, its workers idle, with exit 0. */
static void test_scmi_hostread_int_daemon_exits_0(void **state)
{
	itest_stop_ok(&dmn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_scmi_hostread_int_loop_not_stalled, teardown),
		cmocka_unit_test_teardown(test_scmi_hostread_int_one_read_shared, teardown),
		cmocka_unit_test_teardown(test_scmi_hostread_int_answer_after_pause, teardown),
		cmocka_unit_test_teardown(test_scmi_hostread_int_reset_drops_read, teardown),
		cmocka_unit_test_teardown(test_scmi_hostread_int_sampling, teardown),
		cmocka_unit_test(test_scmi_hostread_int_daemon_exits_0),
	};

	return cmocka_run_group_tests_name("scmi_hostread_integration", tests,
					   group_setup, group_teardown);
}
