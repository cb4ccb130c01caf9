/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI host readings off the loop (src/devices/scmi_host.c): a stand-in
 * sensor type whose read_host blocks on a pipe until the test writes a
 * value, next to a sensor read on the loop, with a real loop and workers.
 * A SENSOR_READING_GET of the slow sensor is not answered (0) while the
 * other is; the same request handled again once the value is there gets
 * it; requests meanwhile share one read; a reset drops the read in
 * flight; sampling and a trip point's baseline take the value when it
 * comes.  Without workers (unit tests, fuzzers) read_host runs inline.
 * The host types: hwmon never reads on the loop, iio only its buffer. */
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

#include "devices/scmi.h"
#include "vhost/loop.h"

#define SLOW 0
#define FAST 1

struct slow {
	int fd;              /* read end of the pipe the test writes */
	unsigned reads;      /* read_host calls (worker thread) */
};

struct fx {
	struct scmi_state st;
	struct loop *l;
	struct slow *slow;
	int wfd;
	unsigned done;       /* host_done callbacks */
	unsigned last;       /* its sensor */
	uint8_t req[12];     /* the request waiting, if any */
	bool waiting;
	int len;             /* its response once answered */
	uint8_t resp[SCMI_RESP_MAX];
	struct scmi_event ev[8];
	unsigned nev;
};

static int slow_read_host(void *inst, unsigned s, struct scmi_reading *out)
{
	struct slow *v = inst;
	char b[32];
	ssize_t n;

	__atomic_add_fetch(&v->reads, 1, __ATOMIC_RELAXED);
	n = read(v->fd, b, sizeof(b) - 1);      /* until the test writes */
	if (n <= 0)
		return SCMI_HARDWARE_ERROR;
	b[n] = '\0';
	out[0].value = strtoll(b, NULL, 10);
	return SCMI_SUCCESS;
}

static int fast_read(void *inst, unsigned s, struct scmi_reading *out)
{
	out[0].value = 777;
	return SCMI_SUCCESS;
}

static unsigned one(void *inst)
{
	return 1;
}

static void info(void *inst, unsigned s, struct scmi_sensor_info *o)
{
	snprintf(o->name, sizeof(o->name), "%s", inst ? "slow" : "fast");
	o->type = SCMI_UNIT_DEGREES_C;
	o->scale = -3;
}

static void no_axes(void *inst, unsigned s, unsigned a, struct scmi_axis_info *o)
{
}

static void no_destroy(void *inst)
{
}

static const struct scmi_prop no_props[] = { { NULL, NULL } };
static const struct scmi_dev_ops slow_ops = {
	.type = "slow", .summary = "slow", .props = no_props, .destroy = no_destroy,
	.num_sensors = one, .sensor_info = info, .axis_info = no_axes,
	.read_host = slow_read_host,
};
static const struct scmi_dev_ops fast_ops = {
	.type = "fast", .summary = "fast", .props = no_props, .destroy = no_destroy,
	.num_sensors = one, .sensor_info = info, .axis_info = no_axes,
	.read = fast_read,
};

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int64_t rd64(const uint8_t *p)
{
	return (int64_t)((uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32);
}

/* A sensor protocol request of 4 + 4 * np bytes into f->resp. */
static int call3(struct fx *f, unsigned msg, uint32_t a, uint32_t b, uint32_t c, unsigned np)
{
	uint8_t req[SCMI_REQ_MAX];

	wr32(req, SCMI_HDR(msg, 0, SCMI_PROTO_SENSOR, 5));
	wr32(req + 4, a);
	wr32(req + 8, b);
	wr32(req + 12, c);
	wr32(req + 16, 0);
	memset(f->resp, 0xa5, sizeof(f->resp));
	f->len = scmi_handle(&f->st, req, 4 + 4 * np, f->resp, sizeof(f->resp));
	if (f->len == 0 && msg == SCMI_SENSOR_READING_GET) {
		memcpy(f->req, req, sizeof(f->req));
		f->waiting = true;
	}
	return f->len;
}

static int call(struct fx *f, unsigned msg, uint32_t a, uint32_t b, unsigned np)
{
	return call3(f, msg, a, b, 0, np);
}

static void emit(void *opaque, const struct scmi_event *ev)
{
	struct fx *f = opaque;

	if (f->nev < 8)
		f->ev[f->nev++] = *ev;
}

/* What scmi.c does with a host reading: the sampling, then the request
 * waiting handled again. */
static void host_done(void *opaque, unsigned sensor)
{
	struct fx *f = opaque;

	f->done++;
	f->last = sensor;
	scmi_sample_host(&f->st, sensor, emit, f);
	if (f->waiting) {
		f->len = scmi_handle(&f->st, f->req, sizeof(f->req), f->resp, sizeof(f->resp));
		f->waiting = false;
	}
	f->st.sensors[sensor].hr->ready = false;
}

static void release(struct fx *f, long v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%ld\n", v);

	assert_int_equal(write(f->wfd, b, (size_t)n), n);
}

/* Run the loop until done callbacks reach n (each pass waits at most
 * 5 s: a worker that never comes back fails the test). */
static void pump_done(struct fx *f, unsigned n)
{
	for (unsigned i = 0; i < 1000 && f->done < n; i++)
		assert_true(loop_run_once(f->l, 5000) >= 0);
	assert_int_equal(f->done, n);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[128];
	int p[2];

	if (!f || pipe2(p, O_CLOEXEC))
		return -1;
	f->slow = calloc(1, sizeof(*f->slow));
	if (!f->slow)
		return -1;
	f->slow->fd = p[0];
	f->wfd = p[1];
	scmi_state_init(&f->st);
	f->st.p2a = true;
	if (scmi_state_add(&f->st, &slow_ops, f->slow, err, sizeof(err)) ||
	    scmi_state_add(&f->st, &fast_ops, NULL, err, sizeof(err)))
		return -1;
	f->l = loop_new();
	if (!f->l)
		return -1;
	f->st.loop = f->l;
	if (scmi_host_start(&f->st, f->l, host_done, f) || !f->st.host)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	bool stopped;

	close(f->wfd);            /* a read still blocked ends (EOF) */
	stopped = scmi_host_stop(&f->st);
	scmi_state_free(&f->st);
	loop_free(f->l);
	close(f->slow->fd);
	free(f->slow);
	free(f);
	return stopped ? 0 : -1;
}

static void test_scmi_host_request_waits_other_answered(void **state)
{
	struct fx *f = *state;

	assert_int_equal(call(f, SCMI_SENSOR_READING_GET, SLOW, 0, 2), 0);
	assert_int_equal(f->st.wait_sensor, SLOW);
	assert_true(f->st.sensors[SLOW].hr->busy);
	/* meanwhile the loop answers the other sensor */
	assert_int_equal(call(f, SCMI_SENSOR_READING_GET, FAST, 0, 2), 8 + 16);
	assert_int_equal(rd64(f->resp + 8), 777);
	assert_int_equal(f->done, 0);
	release(f, 42000);
	pump_done(f, 1);
	assert_int_equal(f->last, SLOW);
	assert_int_equal(f->len, 8 + 16);
	assert_int_equal((int32_t)rd32(f->resp + 4), SCMI_SUCCESS);
	assert_int_equal(rd64(f->resp + 8), 42000);
	assert_false(f->st.sensors[SLOW].hr->busy);
	/* the value answered its request and no other */
	assert_int_equal(call(f, SCMI_SENSOR_READING_GET, SLOW, 0, 2), 0);
	release(f, 43000);
	pump_done(f, 2);
	assert_int_equal(rd64(f->resp + 8), 43000);
	assert_int_equal(__atomic_load_n(&f->slow->reads, __ATOMIC_RELAXED), 2);
}

/* Requests while a read is in flight share it: one read_host call. */
static void test_scmi_host_one_read_in_flight(void **state)
{
	struct fx *f = *state;

	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(call(f, SCMI_SENSOR_READING_GET, SLOW, 0, 2), 0);
	release(f, 5);
	pump_done(f, 1);
	assert_int_equal(rd64(f->resp + 8), 5);
	assert_int_equal(__atomic_load_n(&f->slow->reads, __ATOMIC_RELAXED), 1);
}

/* A reset drops the read in flight: its value never comes back, and the
 * next request reads again (also when it comes before the old read
 * ended). */
static void test_scmi_host_reset_drops_read(void **state)
{
	struct fx *f = *state;
	struct scmi_hostread *hr = f->st.sensors[SLOW].hr;
	unsigned gen;

	assert_int_equal(call(f, SCMI_SENSOR_READING_GET, SLOW, 0, 2), 0);
	gen = hr->gen;
	scmi_host_reset(&f->st);
	f->waiting = false;                  /* scmi.c forgets the element */
	assert_int_equal(call(f, SCMI_SENSOR_READING_GET, SLOW, 0, 2), 0);
	release(f, 1111);
	/* until the old read is back on the loop and a new one submitted */
	for (unsigned i = 0; i < 1000 && hr->gen == gen && !f->done; i++)
		assert_true(loop_run_once(f->l, 5000) >= 0);
	assert_int_equal(f->done, 0);
	assert_true(hr->gen != gen);
	/* the old read came back (dropped) and the new one is on its way */
	assert_int_equal(f->done, 0);
	assert_true(f->st.sensors[SLOW].hr->busy);
	release(f, 2222);
	pump_done(f, 1);
	assert_int_equal(rd64(f->resp + 8), 2222);
}

/* Sampling of a host sensor: scmi_sample() asks, the update is made from
 * the value when it comes.  A trip point configured takes its side from
 * the first value (the baseline): the crossing after it is an event. */
static void test_scmi_host_sampling_and_trip_baseline(void **state)
{
	struct fx *f = *state;
	uint64_t now = 1000000000ull;

	/* enabled, continuous updates */
	assert_int_equal(call(f, SCMI_SENSOR_CONFIG_SET, SLOW, SCMI_SENSOR_CFG_ENABLED, 2), 8);
	assert_int_equal(call(f, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, SLOW, 1, 2), 8);
	assert_true(scmi_schedule(&f->st, now) != 0);
	scmi_sample(&f->st, now + 10000000000ull, emit, f);
	assert_int_equal(f->nev, 0);               /* nothing read on the loop */
	release(f, 5);
	pump_done(f, 1);
	assert_int_equal(f->nev, 1);
	assert_int_equal(f->ev[0].evt, SCMI_EVT_SENSOR_UPDATE);
	assert_int_equal(rd64(f->ev[0].msg + 12), 5);
	assert_int_equal(call(f, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, SLOW, 0, 2), 8);

	/* trip point 0 at 10, ascending: its side comes from a read */
	assert_int_equal(call(f, SCMI_SENSOR_TRIP_POINT_NOTIFY, SLOW, 1, 2), 8);
	assert_int_equal(call3(f, SCMI_SENSOR_TRIP_POINT_CONFIG, SLOW, 1, 10, 4), 8);
	assert_int_equal((int32_t)rd32(f->resp + 4), SCMI_SUCCESS);
	assert_int_equal(f->st.sensors[SLOW].trip[0].above, -1);
	release(f, 5);
	pump_done(f, 2);
	assert_int_equal(f->st.sensors[SLOW].trip[0].above, 0);
	assert_int_equal(f->nev, 1);
	/* the next sample is above: one ascending event */
	assert_true(scmi_schedule(&f->st, now) != 0);
	scmi_sample(&f->st, now + 20000000000ull, emit, f);
	release(f, 15);
	pump_done(f, 3);
	assert_int_equal(f->nev, 2);
	assert_int_equal(f->ev[1].evt, SCMI_EVT_SENSOR_TRIP_POINT);
	assert_int_equal(rd32(f->ev[1].msg + 12), 1u << 16 | 0);
}

/* Without workers (no loop: unit tests, fuzzers, tools) read_host runs
 * inline and the request is answered at once. */
static void test_scmi_host_inline_without_workers(void **state)
{
	struct fx *f = *state;

	assert_true(scmi_host_stop(&f->st));
	assert_null(f->st.host);
	assert_null(f->st.sensors[SLOW].hr);
	release(f, 31);
	assert_int_equal(call(f, SCMI_SENSOR_READING_GET, SLOW, 0, 2), 8 + 16);
	assert_int_equal(rd64(f->resp + 8), 31);
}

/* The host types: hwmon reads only through read_host (never on the loop);
 * iio on the loop only from its buffer, else SCMI_READ_HOST; the fake
 * is read on the loop and needs no worker. */
static void test_scmi_host_types_read_sysfs_off_loop(void **state)
{
	char dir[64] = "/tmp/vdscmihost.XXXXXX", path[128], err[256];
	const struct scmi_kv kv[] = { { "path", dir }, { "channel", "in_temp" },
				      { "buffer", "off" } };
	struct scmi_reading rd[SCMI_MAX_AXES];
	struct scmi_state st;
	void *inst = NULL;
	FILE *fp;

	assert_null(scmi_hwmon_ops.read);
	assert_non_null(scmi_hwmon_ops.read_host);
	assert_non_null(scmi_iio_ops.read_host);
	assert_null(scmi_fake_ops.read_host);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/in_temp_raw", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "21\n");
	fclose(fp);
	assert_int_equal(scmi_iio_ops.create(kv, 3, 0, &inst, err, sizeof(err)), 0);
	memset(rd, 0, sizeof(rd));
	assert_int_equal(scmi_iio_ops.read(inst, 0, rd), SCMI_READ_HOST);
	assert_int_equal(scmi_iio_ops.read_host(inst, 0, rd), SCMI_SUCCESS);
	assert_int_equal(rd[0].value, 21);        /* m°C, exponent -3 */
	scmi_iio_ops.destroy(inst);
	unlink(path);
	rmdir(dir);
	/* a state of fake sensors only needs no thread */
	scmi_state_init(&st);
	assert_int_equal(scmi_state_add_spec(&st, "fake", err, sizeof(err)), 0);
	assert_false(scmi_host_needed(&st));
	scmi_state_free(&st);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_scmi_host_request_waits_other_answered),
		T(test_scmi_host_one_read_in_flight),
		T(test_scmi_host_reset_drops_read),
		T(test_scmi_host_sampling_and_trip_baseline),
		T(test_scmi_host_inline_without_workers),
		cmocka_unit_test(test_scmi_host_types_read_sysfs_off_loop),
	};

	return cmocka_run_group_tests_name("scmi_host", tests, NULL, NULL);
}
