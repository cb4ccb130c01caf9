/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Sensors whose values the host sets: the `sim` device type (its `-d`
 * properties, the class table behind type=, what the guest reads), the
 * `fake` axes held by a set, and scmi_sample_now(), which turns a set
 * into the notifications a due sample sends. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/scmi.h"

static uint8_t resp[1024];

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int64_t rd64(const uint8_t *p)
{
	return (int64_t)((uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32);
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

/* One sensor protocol command; returns the SCMI status. */
static int32_t call(struct scmi_state *st, unsigned msg, const uint32_t *par, unsigned np)
{
	uint8_t req[SCMI_REQ_MAX];
	int len;

	wr32(req, SCMI_HDR(msg, 0, SCMI_PROTO_SENSOR, 9));
	for (unsigned i = 0; i < np; i++)
		wr32(req + 4 + 4 * i, par[i]);
	len = scmi_handle(st, req, 4 + 4 * np, resp, 136);
	assert_true(len >= 8);
	return (int32_t)rd32(resp + 4);
}

#define P(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

static int setup(void **state)
{
	struct scmi_state *st = malloc(sizeof(*st));

	if (!st)
		return -1;
	scmi_state_init(st);
	st->p2a = true;    /* as a driver that took VIRTIO_SCMI_F_P2A_CHANNELS */
	*state = st;
	return 0;
}

static int teardown(void **state)
{
	scmi_state_free(*state);
	free(*state);
	return 0;
}

static void add_ok(struct scmi_state *st, const char *spec)
{
	char err[256] = "";

	if (scmi_state_add_spec(st, spec, err, sizeof(err)))
		fail_msg("-d %s: %s", spec, err);
}

static int64_t reading(struct scmi_state *st, unsigned id, unsigned axis)
{
	assert_int_equal(call(st, SCMI_SENSOR_READING_GET, P(id, 0)), SCMI_SUCCESS);
	return rd64(resp + 8 + 16 * axis);
}

/* The host's set: the device's own set, as the control command calls it. */
static void host_set(struct scmi_state *st, unsigned id, unsigned axis, int64_t v)
{
	struct scmi_sensor *s = &st->sensors[id];

	assert_non_null(s->ops->set);
	s->ops->set(s->inst, s->idx, axis, v);
}

struct sink {
	unsigned n;
	struct scmi_event ev[8];
};

static void sink_emit(void *opaque, const struct scmi_event *ev)
{
	struct sink *s = opaque;

	if (s->n < 8)
		s->ev[s->n] = *ev;
	s->n++;
}

static void test_scmi_sim_classes_units_and_values(void **state)
{
	static const struct {
		const char *spec;
		uint8_t unit;
		int scale;
		int64_t value;
	} t[] = {
		{ "sim,name=cpu,type=temperature,value=25.5", SCMI_UNIT_DEGREES_C, -3, 25500 },
		{ "sim,name=cold,type=temperature,value=-5.125", SCMI_UNIT_DEGREES_C, -3, -5125 },
		{ "sim,name=vcore,type=voltage,value=1.2", SCMI_UNIT_VOLTS, -3, 1200 },
		{ "sim,name=i,type=current,value=0.5", SCMI_UNIT_AMPS, -3, 500 },
		{ "sim,name=p,type=power,value=15.000001", SCMI_UNIT_WATTS, -6, 15000001 },
		{ "sim,name=e,type=energy,value=123", SCMI_UNIT_JOULES, -6, 123000000 },
		{ "sim,name=fan,type=fan,value=2400", SCMI_UNIT_RPM, 0, 2400 },
		{ "sim,name=rh,type=humidity,value=45.5", SCMI_UNIT_PERCENTAGE, -3, 45500 },
		{ "sim,name=zero,type=temperature", SCMI_UNIT_DEGREES_C, -3, 0 },
	};
	struct scmi_state *st = *state;
	unsigned n = sizeof(t) / sizeof(t[0]);

	for (unsigned i = 0; i < n; i++)
		add_ok(st, t[i].spec);
	assert_int_equal(st->num_sensors, n);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *d = resp + 12;
		uint32_t hi;

		assert_int_equal(call(st, SCMI_SENSOR_DESCRIPTION_GET, P(i)), SCMI_SUCCESS);
		hi = rd32(d + 8);
		assert_int_equal(rd32(d), i);
		assert_int_equal(hi & 0xff, t[i].unit);
		assert_int_equal((int)((hi >> 11) & 0x1f) - ((hi >> 15) & 1 ? 32 : 0),
				 t[i].scale);
		assert_int_equal(hi & 1u << 8, 0);                 /* scalar */
		assert_int_equal(rd32(d + 4) & 0xff, SCMI_TRIP_POINTS);
		assert_true(!strncmp((const char *)d + 12, strchr(t[i].spec, '=') + 1,
				     strcspn(strchr(t[i].spec, '=') + 1, ",")));
		assert_int_equal(reading(st, i, 0), t[i].value);
		assert_int_equal(reading(st, i, 0), t[i].value);   /* steady */
	}
	/* the host's set is what the guest reads next */
	host_set(st, 0, 0, 99125);
	assert_int_equal(reading(st, 0, 0), 99125);
	assert_int_equal(reading(st, 1, 0), -5125);
}

static void test_scmi_sim_bad_specs_named(void **state)
{
	static const struct {
		const char *spec, *needle;
	} bad[] = {
		{ "sim,type=temperature", "name=NAME" },
		{ "sim,name=cpu", "type=TYPE" },
		{ "sim,name=cpu,type=pressure", "'pressure'" },
		{ "sim,name=cpu,type=temperature,value=hot", "'hot'" },
		{ "sim,name=cpu,type=temperature,value=25.5001", "'25.5001'" },
		{ "sim,name=cpu,type=temperature,value=2e3", "'2e3'" },
		{ "sim,name=cpu,type=temperature,value=", "value ''" },
		{ "sim,name=cpu,type=temperature,value=1000000000.001", "out of range" },
		{ "sim,name=fan,type=fan,value=1.5", "'1.5'" },
		{ "sim,name=,type=fan", "name ''" },
		{ "sim,name=cpu,type=fan,unit=rpm", "'unit'" },
		{ "sim,name=0123456789012345678901234567890123456789012345678901234567890123,"
		  "type=fan", "0123456789012345678901234567890123456789012345678901234567890123" },
	};
	struct scmi_state *st = *state;
	char err[256];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(scmi_state_add_spec(st, bad[i].spec, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].needle))
			fail_msg("-d %s: '%s' does not name '%s'", bad[i].spec, err, bad[i].needle);
	}
	assert_int_equal(st->num_sensors, 0);
	/* the edges of the range are taken */
	add_ok(st, "sim,name=hot,type=temperature,value=1000000000");
	add_ok(st, "sim,name=cold,type=temperature,value=-1000000000");
	assert_int_equal(reading(st, 0, 0), SCMI_SET_MAX);
	assert_int_equal(reading(st, 1, 0), -SCMI_SET_MAX);
}

/* A set that crosses a watched trip point: sampled at once, one event,
 * the same message as a due sample's; the cadence is kept. */
static void test_scmi_sim_set_crossing_trip_notifies(void **state)
{
	struct scmi_state *st = *state;
	struct sink sk = { 0 };
	uint64_t t = 1000000000ull, next;

	add_ok(st, "sim,name=cpu,type=temperature,value=50");
	/* nothing watched: a set samples nothing */
	host_set(st, 0, 0, 70000);
	scmi_sample_now(st, 0, sink_emit, &sk);
	assert_int_equal(sk.n, 0);
	host_set(st, 0, 0, 50000);
	/* trip point 1 at 60 degrees, both directions */
	assert_int_equal(call(st, SCMI_SENSOR_TRIP_POINT_CONFIG, P(0, 1u << 4 | 3, 60000, 0)),
			 SCMI_SUCCESS);
	assert_int_equal(call(st, SCMI_SENSOR_TRIP_POINT_NOTIFY, P(0, 1)), SCMI_SUCCESS);
	next = scmi_schedule(st, t);
	assert_int_equal(next, t + 1000000000ull);
	/* below it: nothing */
	host_set(st, 0, 0, 59999);
	scmi_sample_now(st, 0, sink_emit, &sk);
	assert_int_equal(sk.n, 0);
	/* across: one ascending event for trip point 1 */
	host_set(st, 0, 0, 60000);
	scmi_sample_now(st, 0, sink_emit, &sk);
	assert_int_equal(sk.n, 1);
	assert_int_equal(sk.ev[0].len, 16);
	assert_int_equal(rd32(sk.ev[0].msg), SCMI_HDR(SCMI_EVT_SENSOR_TRIP_POINT,
						      SCMI_TYPE_NOTIFICATION, SCMI_PROTO_SENSOR, 0));
	assert_int_equal(rd32(sk.ev[0].msg + 8), 0);
	assert_int_equal(rd32(sk.ev[0].msg + 12), 1u << 16 | 1);
	/* still above: no second event, from a set or from the due sample */
	host_set(st, 0, 0, 75000);
	scmi_sample_now(st, 0, sink_emit, &sk);
	assert_int_equal(scmi_sample(st, next, sink_emit, &sk), next + 1000000000ull);
	assert_int_equal(sk.n, 1);
	/* back down: descending */
	host_set(st, 0, 0, -1000);
	scmi_sample_now(st, 0, sink_emit, &sk);
	assert_int_equal(sk.n, 2);
	assert_int_equal(rd32(sk.ev[1].msg + 12), 1);
	/* the set did not move the cadence */
	assert_int_equal(scmi_schedule(st, next), next + 1000000000ull);
	/* notify off: a crossing set sends nothing */
	assert_int_equal(call(st, SCMI_SENSOR_TRIP_POINT_NOTIFY, P(0, 0)), SCMI_SUCCESS);
	host_set(st, 0, 0, 90000);
	scmi_sample_now(st, 0, sink_emit, &sk);
	assert_int_equal(sk.n, 2);
	/* out of range sensor ids are ignored */
	scmi_sample_now(st, 1, sink_emit, &sk);
	assert_int_equal(sk.n, 2);
}

/* Continuous updates: a set sends the new value at once; without P2A
 * (no event queue) nothing. */
static void test_scmi_sim_set_sends_update(void **state)
{
	struct scmi_state *st = *state;
	struct sink sk = { 0 };

	add_ok(st, "sim,name=vcore,type=voltage,value=1.2");
	assert_int_equal(call(st, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, P(0, 1)), SCMI_SUCCESS);
	/* not enabled: nothing */
	host_set(st, 0, 0, 1300);
	scmi_sample_now(st, 0, sink_emit, &sk);
	assert_int_equal(sk.n, 0);
	assert_int_equal(call(st, SCMI_SENSOR_CONFIG_SET, P(0, SCMI_SENSOR_CFG_ENABLED)),
			 SCMI_SUCCESS);
	host_set(st, 0, 0, 1350);
	scmi_sample_now(st, 0, sink_emit, &sk);
	assert_int_equal(sk.n, 1);
	assert_int_equal(sk.ev[0].len, 4 + 8 + 16);
	assert_int_equal(rd32(sk.ev[0].msg), SCMI_HDR(SCMI_EVT_SENSOR_UPDATE,
						      SCMI_TYPE_NOTIFICATION, SCMI_PROTO_SENSOR, 0));
	assert_int_equal(rd64(sk.ev[0].msg + 12), 1350);
	st->p2a = false;
	host_set(st, 0, 0, 1400);
	scmi_sample_now(st, 0, sink_emit, &sk);
	assert_int_equal(sk.n, 1);
}

/* fake: a set axis holds its value; the others keep moving. */
static void test_scmi_fake_set_holds_axes(void **state)
{
	struct scmi_state *st = *state;
	int64_t y0;

	add_ok(st, "fake,name=acc");
	assert_non_null(st->sensors[0].ops->set);
	host_set(st, 0, 0, 1500);
	host_set(st, 0, 2, -9810);
	y0 = reading(st, 0, 1);
	assert_int_equal(reading(st, 0, 0), 1500);
	assert_int_equal(reading(st, 0, 2), -9810);
	assert_true(reading(st, 0, 1) != y0);
	host_set(st, 0, 0, -2);
	assert_int_equal(reading(st, 0, 0), -2);
	/* the readings iio and hwmon give come from the host */
	for (unsigned i = 0; scmi_dev_types[i]; i++)
		if (!strcmp(scmi_dev_types[i]->type, "iio") ||
		    !strcmp(scmi_dev_types[i]->type, "hwmon"))
			assert_null(scmi_dev_types[i]->set);
}

/* A settable test device: its shape and exponents as a test asks. */
struct sdev {
	unsigned axes;
	int scale, axis_scale;
};

static void sd_destroy(void *inst)
{
	free(inst);
}

static unsigned sd_num(void *inst)
{
	return 1;
}

static void sd_info(void *inst, unsigned s, struct scmi_sensor_info *o)
{
	struct sdev *d = inst;

	snprintf(o->name, sizeof(o->name), "sd");
	o->type = SCMI_UNIT_VOLTS;
	o->scale = (int8_t)d->scale;
	o->num_axes = d->axes;
}

static void sd_axis(void *inst, unsigned s, unsigned a, struct scmi_axis_info *o)
{
	struct sdev *d = inst;

	snprintf(o->name, sizeof(o->name), "sd_%c", 'X' + a);
	o->type = SCMI_UNIT_VOLTS;
	o->scale = (int8_t)d->axis_scale;
}

static int sd_read(void *inst, unsigned s, struct scmi_reading *out)
{
	return SCMI_SUCCESS;
}

static void sd_set(void *inst, unsigned s, unsigned axis, int64_t v)
{
}

static const struct scmi_prop no_props[] = { { NULL, NULL } };
static const struct scmi_dev_ops sdev_ops = {
	.type = "sd", .summary = "sd", .props = no_props, .destroy = sd_destroy,
	.num_sensors = sd_num, .sensor_info = sd_info, .axis_info = sd_axis,
	.read = sd_read, .set = sd_set,
};

static int add_sd(struct scmi_state *st, unsigned axes, int scale, int axis_scale)
{
	struct sdev *d = calloc(1, sizeof(*d));
	char err[256] = "";
	int r;

	assert_non_null(d);
	d->axes = axes;
	d->scale = scale;
	d->axis_scale = axis_scale;
	r = scmi_state_add(st, &sdev_ops, d, err, sizeof(err));
	if (r && !strstr(err, "settable"))
		fail_msg("refused without naming why: '%s'", err);
	return r;
}

/* What scmi.set gives a sensor is a decimal in its unit on a scalar
 * sensor or axes x, y, z: a device offering set must fit. */
static void test_scmi_settable_sensor_shape_checked(void **state)
{
	struct scmi_state *st = *state;

	assert_int_equal(add_sd(st, 0, -3, 0), 0);
	assert_int_equal(add_sd(st, 0, 0, 0), 0);
	assert_int_equal(add_sd(st, 3, -3, -3), 0);
	assert_int_equal(add_sd(st, 4, 0, 0), 0);
	assert_int_equal(st->num_sensors, 4);
	assert_int_equal(add_sd(st, 0, 1, 0), -EINVAL);     /* 10^1 units */
	assert_int_equal(add_sd(st, 1, -3, -3), -EINVAL);   /* no y, z */
	assert_int_equal(add_sd(st, 2, -3, -3), -EINVAL);   /* no z */
	assert_int_equal(add_sd(st, 3, -3, 2), -EINVAL);    /* an axis in 10^2 */
	assert_int_equal(st->num_sensors, 4);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_scmi_sim_classes_units_and_values),
		T(test_scmi_sim_bad_specs_named),
		T(test_scmi_sim_set_crossing_trip_notifies),
		T(test_scmi_sim_set_sends_update),
		T(test_scmi_fake_set_holds_axes),
		T(test_scmi_settable_sensor_shape_checked),
	};

	return cmocka_run_group_tests_name("scmi_sim", tests, NULL, NULL);
}
