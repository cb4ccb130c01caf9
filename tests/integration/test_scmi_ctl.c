/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI sensors driven from the host: the real daemon with `sim` and
 * `fake` sensors and a control socket, a guest (the test frontend) that
 * reads them and watches trip points and continuous updates, and a
 * control client that sets them (scmi.set, scmi.get) or gets its bad
 * arguments named. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS   5000
#define LINUX_CAP 136      /* Linux: 8 bytes header+status + 128 payload */
#define SENSOR    0x15

/* sensors, in -d order */
enum { S_CPU, S_ACC, S_DUP_SIM, S_DUP_FAKE, S_HWMON, NUM_SENSORS };

static struct itest_daemon dmn;
static char ctlp[160], hwdir[160], hwspec[200];

static int spawn(struct proc *p, void *arg)
{
	const char *extra[] = { "-d", "sim,name=cpu,type=temperature,value=25", "fake,name=acc",
				"sim,name=dup,type=fan", "fake,name=dup", hwspec,
				"--control", ctlp, NULL };
	char f[200];
	FILE *fp;
	int r;

	if ((size_t)snprintf(ctlp, sizeof(ctlp), "%s/c.ctl", p->dir) >= sizeof(ctlp) ||
	    (size_t)snprintf(hwdir, sizeof(hwdir), "%s/hw", p->dir) >= sizeof(hwdir))
		return -ENAMETOOLONG;
	snprintf(hwspec, sizeof(hwspec), "hwmon,path=%s,name=host", hwdir);
	snprintf(f, sizeof(f), "%s/temp1_input", hwdir);
	if (mkdir(hwdir, 0700) < 0 || !(fp = fopen(f, "w")))
		return -errno;
	fputs("41000\n", fp);
	fclose(fp);
	r = proc_spawn_device(p, "scmi", extra);
	return r ? r : proc_wait_path(ctlp, true, WAIT_MS);
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn, NULL);
	return 0;
}

static int teardown(void **state)
{
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	return itest_daemon_stop(&dmn) != 0;
}

/* ---- the guest ---- */

/* One sensor protocol command (np parameter words); returns its status,
 * the response in rsp. */
static int32_t scmi(struct fe *fe, unsigned msg, const uint32_t *par, unsigned np,
		    uint8_t *rsp)
{
	static unsigned token;
	uint32_t req[8], len = 0;

	assert_true(np < 8);
	token = (token + 1) & 0x3ff;
	req[0] = msg | SENSOR << 10 | token << 18;
	memcpy(req + 1, par, 4 * np);
	assert_int_equal(fe_request(fe, 0, req, 4 + 4 * np, rsp, LINUX_CAP, &len, WAIT_MS), 0);
	assert_true(len >= 8);
	assert_int_equal(itest_le32(rsp), req[0]);
	return (int32_t)itest_le32(rsp + 4);
}

#define P(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

static int64_t reading(struct fe *fe, unsigned id, unsigned axis)
{
	uint8_t rsp[LINUX_CAP];

	assert_int_equal(scmi(fe, 0x6, P(id, 0), rsp), 0);
	return (int64_t)itest_le64(rsp + 8 + 16 * axis);
}

/* The next notification, already in the used ring when this is called
 * (no wait): the daemon delivers it before it answers the set. */
static int notified(struct itest_evq *q, uint8_t *ev)
{
	return itest_evq_next(q, ev, 0);
}

/* ---- the control client ---- */

static int ctl_fd = -1;

static char *ctl_line(char *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap - 1) {
		struct pollfd p = { .fd = ctl_fd, .events = POLLIN };
		ssize_t r;

		assert_int_equal(poll(&p, 1, WAIT_MS), 1);
		r = read(ctl_fd, buf + n, 1);
		assert_true(r > 0);
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return buf;
}

/* A request (its JSON args, or "") and the reply line in buf. */
static char *ctl(const char *cmd, const char *args, char *buf, size_t cap)
{
	char req[512];
	int n;

	if (ctl_fd < 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		long long end = proc_now_ms() + WAIT_MS;

		memcpy(sa.sun_path, ctlp, strlen(ctlp) + 1);
		/* the file exists a moment before it listens: retry, bounded */
		for (;;) {
			ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			assert_true(ctl_fd >= 0);
			if (!connect(ctl_fd, (struct sockaddr *)&sa, sizeof(sa)))
				break;
			if (errno != ECONNREFUSED && errno != ENOENT)
				fail_msg("connect %s: %s", ctlp, strerror(errno));
			close(ctl_fd);
			if (proc_now_ms() > end)
				fail_msg("%s: not listening after %d ms", ctlp, WAIT_MS);
			usleep(2000);
		}
		assert_non_null(strstr(ctl_line(buf, cap), "\"protocol\":1"));
	}
	n = snprintf(req, sizeof(req), "{\"id\":1,\"cmd\":\"%s\",\"args\":{%s}}\n", cmd, args);
	assert_true(n > 0 && (size_t)n < sizeof(req));
	assert_int_equal(write(ctl_fd, req, (size_t)n), n);
	return ctl_line(buf, cap);
}

static void ctl_ok(const char *cmd, const char *args, const char *want)
{
	char buf[1024];

	ctl(cmd, args, buf, sizeof(buf));
	if (!strstr(buf, "\"return\"") || (want && !strstr(buf, want)))
		fail_msg("%s {%s}: '%s' (expected a return with '%s')", cmd, args, buf,
			 want ? want : "");
}

/* ------------------------------------------------------------------ tests */

/* The hwmon fixture's input file gets s. */
static void hw_write(const char *s)
{
	char f[200];
	FILE *fp;

	snprintf(f, sizeof(f), "%s/temp1_input", hwdir);
	fp = fopen(f, "w");
	assert_non_null(fp);
	fputs(s, fp);
	assert_int_equal(fclose(fp), 0);
}

static void test_scmi_ctl_int_read_follows_set(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	uint8_t rsp[LINUX_CAP];
	char buf[1024];

	assert_int_equal(reading(fe, S_CPU, 0), 25000);
	ctl_ok("scmi.get", "\"name\":\"cpu\"", "{\"sensor\":0,\"name\":\"cpu\",\"type\":\"sim\","
	       "\"value\":25}");
	ctl_ok("scmi.set", "\"name\":\"cpu\",\"value\":42.5", "\"value\":42.5}");
	assert_int_equal(reading(fe, S_CPU, 0), 42500);
	assert_int_equal(reading(fe, S_CPU, 0), 42500);
	ctl_ok("scmi.set", "\"sensor\":0,\"value\":-3.25", "\"value\":-3.25}");
	assert_int_equal(reading(fe, S_CPU, 0), -3250);
	ctl_ok("scmi.set", "\"sensor\":2,\"value\":2400", "\"value\":2400}");
	assert_int_equal(reading(fe, S_DUP_SIM, 0), 2400);
	/* a host sensor's: the latest value its worker read (here for the
	 * guest's request); none before (nothing reads it on the loop) */
	ctl("scmi.get", "\"sensor\":4", buf, sizeof(buf));
	if (!strstr(buf, "\"error\"") || !strstr(buf, "has no reading yet"))
		fail_msg("scmi.get of a host sensor never read: '%s'", buf);
	assert_int_equal(reading(fe, S_HWMON, 0), 41000);
	ctl_ok("scmi.get", "\"sensor\":4", "\"name\":\"host_temp1\",\"type\":\"hwmon\","
	       "\"value\":41}");
	/* a host reading that fails (the guest's HARDWARE_ERROR): the reply
	 * says so */
	hw_write("warm\n");
	assert_int_equal(scmi(fe, 0x6, P(S_HWMON, 0), rsp), -9);
	ctl("scmi.get", "\"sensor\":4", buf, sizeof(buf));
	hw_write("41000\n");
	if (!strstr(buf, "\"class\":\"Failed\"") ||
	    !strstr(buf, "sensor 4 'host_temp1': the reading failed (SCMI status -9)"))
		fail_msg("scmi.get of a failing hwmon input: '%s'", buf);
	assert_int_equal(reading(fe, S_HWMON, 0), 41000);
	ctl_ok("scmi.get", "\"sensor\":4", "\"value\":41}");
	itest_close_ok(fe);
}

/* The guest watches trip point 0 at 50 degrees, both ways; sampling is
 * 10 s apart, so only the sets can report the crossings, and they do at
 * once. */
static void test_scmi_ctl_int_set_crossing_trip_point_notifies(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };
	uint8_t rsp[LINUX_CAP], ev[LINUX_CAP];

	itest_evq_post_ok(&q, 8);
	ctl_ok("scmi.set", "\"name\":\"cpu\",\"value\":25", NULL);
	assert_int_equal(scmi(fe, 0xa, P(S_CPU, 10u << 16), rsp), 0);          /* 10 s */
	assert_int_equal(scmi(fe, 0x5, P(S_CPU, 0u << 4 | 3, 50000, 0), rsp), 0);
	assert_int_equal(scmi(fe, 0x4, P(S_CPU, 1), rsp), 0);
	itest_settle_ok(fe, 0);
	assert_int_equal(notified(&q, ev), -ETIMEDOUT);

	ctl_ok("list", "", "{\"sensor\":0,\"name\":\"cpu\",\"type\":\"sim\",\"axes\":0,"
	       "\"enabled\":false,\"updates\":false,\"trip_points\":1}");
	ctl_ok("scmi.set", "\"name\":\"cpu\",\"value\":49.999", NULL);
	assert_int_equal(notified(&q, ev), -ETIMEDOUT);
	ctl_ok("scmi.set", "\"name\":\"cpu\",\"value\":55", NULL);
	assert_int_equal(notified(&q, ev), 16);
	assert_int_equal(itest_le32(ev), 0 | 3u << 8 | SENSOR << 10);   /* TRIP_POINT_EVENT */
	assert_int_equal(itest_le32(ev + 4), 0);                        /* agent: platform */
	assert_int_equal(itest_le32(ev + 8), S_CPU);
	assert_int_equal(itest_le32(ev + 12), 1u << 16 | 0);            /* ascending, tp 0 */
	ctl_ok("scmi.set", "\"name\":\"cpu\",\"value\":60", NULL);
	assert_int_equal(notified(&q, ev), -ETIMEDOUT);
	ctl_ok("scmi.set", "\"name\":\"cpu\",\"value\":10", NULL);
	assert_int_equal(notified(&q, ev), 16);
	assert_int_equal(itest_le32(ev + 12), 0);                       /* descending */
	assert_int_equal(scmi(fe, 0x4, P(S_CPU, 0), rsp), 0);
	itest_close_ok(fe);
}

/* Continuous updates on, sampling 10 s apart: a set sends the new value
 * at once. */
static void test_scmi_ctl_int_set_sends_update(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	struct itest_evq q = { .fe = fe, .q = 1, .cap = LINUX_CAP };
	uint8_t rsp[LINUX_CAP], ev[LINUX_CAP];

	itest_evq_post_ok(&q, 8);
	assert_int_equal(scmi(fe, 0xa, P(S_CPU, 1 | 10u << 16), rsp), 0);      /* on, 10 s */
	assert_int_equal(scmi(fe, 0xb, P(S_CPU, 1), rsp), 0);
	itest_settle_ok(fe, 0);
	ctl_ok("list", "", "{\"sensor\":0,\"name\":\"cpu\",\"type\":\"sim\",\"axes\":0,"
	       "\"enabled\":true,\"updates\":true,\"trip_points\":0}");
	ctl_ok("list", "", "{\"sensor\":1,\"name\":\"acc\",\"type\":\"fake\",\"axes\":3,"
	       "\"enabled\":false,\"updates\":false,\"trip_points\":0}");
	ctl_ok("scmi.set", "\"name\":\"cpu\",\"value\":33.3", NULL);
	assert_int_equal(notified(&q, ev), 4 + 8 + 16);
	assert_int_equal(itest_le32(ev), 1 | 3u << 8 | SENSOR << 10);   /* SENSOR_UPDATE */
	assert_int_equal(itest_le32(ev + 8), S_CPU);
	assert_int_equal((int64_t)itest_le64(ev + 12), 33300);
	assert_int_equal(scmi(fe, 0xb, P(S_CPU, 0), rsp), 0);
	itest_close_ok(fe);
}

/* fake: the axes set hold their values, Z keeps moving near gravity. */
static void test_scmi_ctl_int_fake_axes_set(void **state)
{
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	int64_t z;

	ctl_ok("scmi.set", "\"name\":\"acc\",\"x\":1.5,\"y\":-2", "\"x\":1.5,\"y\":-2,\"z\":");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(reading(fe, S_ACC, 0), 1500);
		assert_int_equal(reading(fe, S_ACC, 1), -2000);
		z = reading(fe, S_ACC, 2);
		assert_true(z >= 9804 && z <= 9810);
	}
	ctl_ok("scmi.set", "\"name\":\"acc\",\"z\":-19.613", "\"x\":1.5,\"y\":-2,\"z\":-19.613}");
	assert_int_equal(reading(fe, S_ACC, 2), -19613);
	itest_close_ok(fe);
}

/* Every bad argument is named, nothing is changed by a refused set. */
static void test_scmi_ctl_int_bad_arguments_named(void **state)
{
	static const struct {
		const char *args, *needle;
	} bad[] = {
		{ "\"name\":\"nope\",\"value\":1", "name 'nope': no such sensor" },
		{ "\"name\":\"cpu\",\"value\":\"hot\"", "value \\\"hot\\\"" },
		{ "\"name\":\"cpu\",\"value\":25.0001", "value 25.0001: expected a number with at most 3" },
		{ "\"name\":\"cpu\",\"value\":1e3", "value 1e3" },
		{ "\"name\":\"cpu\",\"value\":1000000000.001", "out of range" },
		{ "\"name\":\"cpu\"", "missing argument 'value'" },
		{ "\"name\":\"cpu\",\"x\":1", "'cpu' is scalar" },
		{ "\"name\":\"acc\",\"value\":1", "'acc' has axes" },
		{ "\"name\":\"acc\"", "nothing to set" },
		{ "\"name\":\"acc\",\"x\":1,\"y\":19.614", "y 19.614: out of range -19.613..19.613" },
		{ "\"name\":\"acc\",\"x\":1,\"z\":0.0001", "z 0.0001" },
		{ "\"name\":\"dup\",\"value\":1", "name 'dup' is sensor 2 and sensor 3" },
		{ "\"sensor\":5,\"value\":1", "sensor 5: out of range 0..4" },
		{ "\"sensor\":-1,\"value\":1", "sensor -1" },
		{ "\"name\":\"cpu\",\"sensor\":0,\"value\":1", "not both" },
		{ "\"value\":1", "missing argument 'name'" },
		{ "\"name\":7,\"value\":1", "name 7: expected a string" },
		{ "\"sensor\":4,\"value\":1", "'host_temp1' is a hwmon sensor" },
		{ "\"name\":\"cpu\",\"value\":1,\"unit\":\"C\"", "'unit'" },
	};
	struct fe *fe = itest_open_ok(dmn.proc.sock, NULL);
	char buf[1024];

	ctl_ok("scmi.set", "\"name\":\"cpu\",\"value\":20", NULL);
	ctl_ok("scmi.set", "\"name\":\"acc\",\"x\":0.5,\"y\":0.25", NULL);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ctl("scmi.set", bad[i].args, buf, sizeof(buf));
		if (!strstr(buf, "\"class\":\"InvalidArgument\"") || !strstr(buf, bad[i].needle))
			fail_msg("scmi.set {%s}: '%s' does not name '%s'", bad[i].args, buf,
				 bad[i].needle);
	}
	ctl("scmi.get", "\"name\":\"dup\"", buf, sizeof(buf));
	assert_non_null(strstr(buf, "give sensor=ID"));
	assert_int_equal(reading(fe, S_CPU, 0), 20000);
	assert_int_equal(reading(fe, S_ACC, 0), 500);
	assert_int_equal(reading(fe, S_ACC, 1), 250);
	itest_close_ok(fe);
}

static void test_scmi_ctl_int_bad_sim_devices_exit_1(void **state)
{
	static const struct {
		const char *dev, *needle;
	} bad[] = {
		{ "sim,type=temperature", "name=NAME" },
		{ "sim,name=t", "type=TYPE" },
		{ "sim,name=t,type=pressure", "'pressure'" },
		{ "sim,name=t,type=temperature,value=warm", "'warm'" },
		{ "sim,name=t,type=voltage,value=1.2345", "'1.2345'" },
	};
	char err[1024];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { "scmi", "-s", "/nonexistent/x.sock", "-d", bad[i].dev, NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 1);
		if (!strstr(err, bad[i].needle))
			fail_msg("-d %s: stderr '%s' does not name '%s'", bad[i].dev, err,
				 bad[i].needle);
	}
}

/* Last: SIGTERM ends the daemon with exit 0. */
static void test_scmi_ctl_int_daemon_exits_0(void **state)
{
	if (ctl_fd >= 0)
		close(ctl_fd);
	itest_stop_ok(&dmn);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_scmi_ctl_int_read_follows_set),
		T(test_scmi_ctl_int_set_crossing_trip_point_notifies),
		T(test_scmi_ctl_int_set_sends_update),
		T(test_scmi_ctl_int_fake_axes_set),
		T(test_scmi_ctl_int_bad_arguments_named),
		cmocka_unit_test(test_scmi_ctl_int_bad_sim_devices_exit_1),
		cmocka_unit_test(test_scmi_ctl_int_daemon_exits_0),
	};

	return cmocka_run_group_tests_name("scmi_ctl_integration", tests, NULL, group_teardown);
}
