/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Conformance of the SCMI device's protocol side (scmi_proto*.c,
 * scmi_state.c) to the virtio specification (oasis-tcs/virtio-spec,
 * device-types/scmi: "Device Types / SCMI Device") and the Arm SCMI
 * specification (DEN0056), one table row per statement: where it is, what
 * it says, and the case that checks it.  Quotes from the virtio spec are
 * verbatim; the SCMI ones are marked where they are paraphrased.
 *
 * What the daemon adds around this (held event buffers, the sampling
 * timer, a pause of the rings) is checked end to end in
 * tests/integration/test_scmi.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/scmi.h"

struct conform_case {
	const char *name;
	void (*fn)(void **state);
	const char *ref;       /* where the statement is */
	const char *says;      /* what it says */
};

#define CASE(f) "test_conform_scmi_" #f, f

static const struct conform_case *cur;

/* A failed check names the statement it enforces. */
#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_)                                                  \
			fail_msg("%s: %s != %s (%lld != %lld)\n  %s: \"%s\"",  \
				 cur->name, #a, #b, a_, b_, cur->ref, cur->says); \
	} while (0)

#define BASE   SCMI_PROTO_BASE
#define SENSOR SCMI_PROTO_SENSOR
#define CAP    136            /* the Linux driver's 128-byte messages */

static struct scmi_state st;
static uint8_t resp[SCMI_RESP_MAX];

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* One command with n parameter words; returns the status, *len the
 * response length. */
static int cmd_len(unsigned proto, unsigned msg, const uint32_t *par, unsigned n, int *len)
{
	uint8_t req[4 + 4 * 8];
	uint32_t h = SCMI_HDR(msg, SCMI_TYPE_COMMAND, proto, 7);

	assert_true(n <= 8);
	memcpy(req, &h, 4);
	if (n)
		memcpy(req + 4, par, 4 * n);
	*len = scmi_handle(&st, req, 4 + 4 * n, resp, CAP);
	assert_true(*len >= 8);
	return (int32_t)rd32(resp + 4);
}

static int cmd(unsigned proto, unsigned msg, const uint32_t *par, unsigned n)
{
	int len;

	return cmd_len(proto, msg, par, n, &len);
}

#define P(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)
#define NOP NULL, 0

/* Sensor 0: a scalar temperature (it has trip points), value alternating
 * -1, 1, ... so a trip point at 0 is crossed on every reading. */
static unsigned nreads;

static void th_destroy(void *inst)
{
}

static unsigned th_num(void *inst)
{
	return 1;
}

static void th_info(void *inst, unsigned s, struct scmi_sensor_info *o)
{
	snprintf(o->name, sizeof(o->name), "temp0");
	o->type = SCMI_UNIT_DEGREES_C;
	o->scale = -3;
}

static void th_axis(void *inst, unsigned s, unsigned a, struct scmi_axis_info *o)
{
}

static int th_read(void *inst, unsigned s, struct scmi_reading *out)
{
	out[0].value = nreads++ % 2 ? 1 : -1;
	return SCMI_SUCCESS;
}

static const struct scmi_prop no_props[] = { { NULL, NULL } };

static const struct scmi_dev_ops therm_ops = {
	.type = "therm", .summary = "test", .props = no_props,
	.destroy = th_destroy, .num_sensors = th_num, .sensor_info = th_info,
	.axis_info = th_axis, .read = th_read,
};

/* The state as a fresh device has it, P2A not (yet) negotiated: sensor 0
 * scalar, sensor 1 a simulated 3-axis accelerometer with an extended
 * name. */
static int setup(void **state)
{
	static int inst;
	char err[256];

	cur = *state;
	nreads = 0;
	scmi_state_init(&st);
	if (scmi_state_add(&st, &therm_ops, &inst, err, sizeof(err)) ||
	    scmi_state_add_spec(&st, "fake,name=accelerometer-with-a-long-name", err,
				sizeof(err))) {
		print_error("setup: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	scmi_state_free(&st);
	return 0;
}

/* ---- events ---- */

static unsigned nev;
static struct scmi_event last_ev;

static void emit(void *opaque, const struct scmi_event *ev)
{
	nev++;
	last_ev = *ev;
}

/* The notification requests of both protocols: {protocol, message,
 * parameters} with parameters that would succeed with P2A. */
static const struct {
	unsigned proto, msg, n;
	uint32_t p[4];
	const char *what;
} notify_reqs[] = {
	{ BASE, SCMI_BASE_NOTIFY_ERRORS, 1, { 1 }, "NOTIFY_ERRORS" },
	{ SENSOR, SCMI_SENSOR_TRIP_POINT_NOTIFY, 2, { 0, 1 }, "SENSOR_TRIP_POINT_NOTIFY" },
	{ SENSOR, SCMI_SENSOR_TRIP_POINT_CONFIG, 4, { 0, 3, 5, 0 }, "SENSOR_TRIP_POINT_CONFIG" },
	{ SENSOR, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, 2, { 0, 1 },
	  "SENSOR_CONTINUOUS_UPDATE_NOTIFY" },
};
#define NUM_NOTIFY (sizeof(notify_reqs) / sizeof(notify_reqs[0]))

/* ---- cases ---- */

static void p2a_off_notify_requests_not_supported(void **state)
{
	for (unsigned i = 0; i < NUM_NOTIFY; i++)
		CHECK_EQ(cmd(notify_reqs[i].proto, notify_reqs[i].msg, notify_reqs[i].p,
			     notify_reqs[i].n), SCMI_NOT_SUPPORTED);
	/* and nothing was switched on */
	CHECK_EQ(st.notify_errors, 0);
	CHECK_EQ(st.sensors[0].trip_notify, 0);
	CHECK_EQ(st.sensors[0].update_notify, 0);
	CHECK_EQ(st.sensors[0].trip[0].ctrl, 0);
}

static void p2a_off_delayed_responses_not_supported(void **state)
{
	/* READING_GET flags bit 0: asynchronous, answered by a delayed
	 * response on the eventq; never offered, with or without P2A */
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_READING_GET, P(0, 1)), SCMI_NOT_SUPPORTED);
	st.p2a = true;
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_READING_GET, P(0, 1)), SCMI_NOT_SUPPORTED);
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_DESCRIPTION_GET, P(0)), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 16) >> 31, 0);            /* no async reads */
}

static void p2a_off_message_attributes_not_found(void **state)
{
	for (unsigned i = 0; i < NUM_NOTIFY; i++)
		CHECK_EQ(cmd(notify_reqs[i].proto, SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES,
			     P(notify_reqs[i].msg)), SCMI_NOT_FOUND);
	/* the rest is still there */
	CHECK_EQ(cmd(SENSOR, SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES,
		     P(SCMI_SENSOR_READING_GET)), SCMI_SUCCESS);
	CHECK_EQ(cmd(BASE, SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES,
		     P(SCMI_BASE_DISCOVER_AGENT)), SCMI_SUCCESS);
}

static void p2a_off_sensor_attributes_no_notifications(void **state)
{
	uint32_t lo;

	for (uint32_t id = 0; id < st.num_sensors; id++) {
		CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_DESCRIPTION_GET, P(id)), SCMI_SUCCESS);
		lo = rd32(resp + 12 + 4);
		CHECK_EQ(lo >> 30 & 1, 0);             /* update notifications */
		CHECK_EQ(lo & 0xff, 0);                /* trip points */
	}
}

static void p2a_off_nothing_sampled(void **state)
{
	/* with P2A a driver turned everything on; then features are set
	 * again without it (a frontend may): no eventq, no event */
	st.p2a = true;
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_CONFIG_SET, P(0, 1)), SCMI_SUCCESS);
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, P(0, 1)), SCMI_SUCCESS);
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_TRIP_POINT_CONFIG, P(0, 3, 0, 0)), SCMI_SUCCESS);
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_TRIP_POINT_NOTIFY, P(0, 1)), SCMI_SUCCESS);
	assert_true(scmi_schedule(&st, 1000) != 0);
	st.p2a = false;
	nev = 0;
	CHECK_EQ(scmi_schedule(&st, 1000), 0);
	scmi_sample(&st, 1000 + 20000000000ull, emit, NULL);
	CHECK_EQ(nev, 0);
}

static void p2a_on_notifications_offered(void **state)
{
	st.p2a = true;
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_DESCRIPTION_GET, P(0)), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 16) >> 30 & 1, 1);
	CHECK_EQ(rd32(resp + 16) & 0xff, SCMI_TRIP_POINTS);
	for (unsigned i = 0; i < NUM_NOTIFY; i++) {
		CHECK_EQ(cmd(notify_reqs[i].proto, SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES,
			     P(notify_reqs[i].msg)), SCMI_SUCCESS);
		CHECK_EQ(cmd(notify_reqs[i].proto, notify_reqs[i].msg, notify_reqs[i].p,
			     notify_reqs[i].n), SCMI_SUCCESS);
	}
}

static void negotiate_sensor_3_0(void **state)
{
	int len;

	CHECK_EQ(cmd(SENSOR, SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, P(SCMI_SENSOR_VERSION_3_0)),
		 SCMI_SUCCESS);
	CHECK_EQ(cmd(SENSOR, SCMI_MSG_PROTOCOL_VERSION, NOP), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 8), 0x30000);
	/* 3.0 defines the extended names: advertised and served */
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_DESCRIPTION_GET, P(1)), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 16) >> 29 & 1, 1);
	CHECK_EQ(cmd_len(SENSOR, SCMI_SENSOR_NAME_GET, P(1), &len), SCMI_SUCCESS);
	CHECK_EQ(len, 8 + 4 + SCMI_EXT_NAME_LEN);
	CHECK_EQ(strlen((const char *)resp + 12) >= SCMI_NAME_LEN, 1);
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_AXIS_NAME_GET, P(1, 0)), SCMI_SUCCESS);
	CHECK_EQ(cmd(SENSOR, SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES, P(SCMI_SENSOR_NAME_GET)),
		 SCMI_SUCCESS);
	/* the base protocol is not affected */
	CHECK_EQ(cmd(BASE, SCMI_MSG_PROTOCOL_VERSION, NOP), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 8), SCMI_BASE_VERSION);
}

static void negotiate_base_2_0(void **state)
{
	CHECK_EQ(cmd(BASE, SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, P(SCMI_BASE_VERSION_2_0)),
		 SCMI_SUCCESS);
	CHECK_EQ(cmd(BASE, SCMI_MSG_PROTOCOL_VERSION, NOP), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 8), 0x20000);
	CHECK_EQ(cmd(SENSOR, SCMI_MSG_PROTOCOL_VERSION, NOP), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 8), SCMI_SENSOR_VERSION);
	/* and back */
	CHECK_EQ(cmd(BASE, SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, P(SCMI_BASE_VERSION)),
		 SCMI_SUCCESS);
	CHECK_EQ(cmd(BASE, SCMI_MSG_PROTOCOL_VERSION, NOP), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 8), SCMI_BASE_VERSION);
}

static void negotiate_unsupported_keeps_version(void **state)
{
	static const uint32_t bad_sensor[] = { 0x10000, 0x20000, 0x30002, 0x40000, 0 };
	static const uint32_t bad_base[] = { 0x10000, 0x20002, 0x30000, 0xffffffff };

	CHECK_EQ(cmd(SENSOR, SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, P(SCMI_SENSOR_VERSION_3_0)),
		 SCMI_SUCCESS);
	for (unsigned i = 0; i < sizeof(bad_sensor) / sizeof(bad_sensor[0]); i++)
		CHECK_EQ(cmd(SENSOR, SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, P(bad_sensor[i])),
			 SCMI_NOT_SUPPORTED);
	for (unsigned i = 0; i < sizeof(bad_base) / sizeof(bad_base[0]); i++)
		CHECK_EQ(cmd(BASE, SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, P(bad_base[i])),
			 SCMI_NOT_SUPPORTED);
	CHECK_EQ(cmd(SENSOR, SCMI_MSG_PROTOCOL_VERSION, NOP), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 8), 0x30000);
	CHECK_EQ(cmd(BASE, SCMI_MSG_PROTOCOL_VERSION, NOP), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 8), SCMI_BASE_VERSION);
}

/* Everything a driver can switch on, switched on. */
static void configure_all(void)
{
	st.p2a = true;
	CHECK_EQ(cmd(BASE, SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, P(SCMI_BASE_VERSION_2_0)),
		 SCMI_SUCCESS);
	CHECK_EQ(cmd(SENSOR, SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, P(SCMI_SENSOR_VERSION_3_0)),
		 SCMI_SUCCESS);
	CHECK_EQ(cmd(BASE, SCMI_BASE_NOTIFY_ERRORS, P(1)), SCMI_SUCCESS);
	for (uint32_t id = 0; id < st.num_sensors; id++) {
		/* enabled, timestamps off, 10 ms */
		CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_CONFIG_SET, P(id, 1u | 1u << 16 | 0x1eu << 11)),
			 SCMI_SUCCESS);
		CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, P(id, 1)),
			 SCMI_SUCCESS);
	}
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_TRIP_POINT_CONFIG, P(0, 3, 0, 0)), SCMI_SUCCESS);
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_TRIP_POINT_NOTIFY, P(0, 1)), SCMI_SUCCESS);
	nev = 0;
	scmi_schedule(&st, 1000);
	scmi_sample(&st, 1000 + 10000000000ull, emit, NULL);
	assert_true(nev > 0);
}

static void reset_sensors_disabled_notifications_off(void **state)
{
	configure_all();
	scmi_state_reset(&st);
	/* the new driver negotiates P2A again and looks */
	st.p2a = true;
	for (uint32_t id = 0; id < st.num_sensors; id++) {
		CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_CONFIG_GET, P(id)), SCMI_SUCCESS);
		CHECK_EQ(rd32(resp + 8) & SCMI_SENSOR_CFG_ENABLED, 0);
		/* the default update interval (1 s) */
		CHECK_EQ(rd32(resp + 8) >> 16, 1);
		CHECK_EQ(rd32(resp + 8) >> 11 & 0x1f, 0);
	}
	CHECK_EQ(st.notify_errors, 0);
	/* nothing is sampled, nothing is sent */
	nev = 0;
	CHECK_EQ(scmi_schedule(&st, 1000), 0);
	scmi_sample(&st, 1000 + 20000000000ull, emit, NULL);
	CHECK_EQ(nev, 0);
	/* enabling a sensor alone sends nothing: updates and trip points
	 * are off until this driver asks */
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_CONFIG_SET, P(0, 1)), SCMI_SUCCESS);
	CHECK_EQ(cmd(SENSOR, SCMI_SENSOR_TRIP_POINT_NOTIFY, P(0, 1)), SCMI_SUCCESS);
	CHECK_EQ(scmi_schedule(&st, 1000), 0);
	scmi_sample(&st, 1000 + 20000000000ull, emit, NULL);
	CHECK_EQ(nev, 0);
}

static void reset_versions_and_p2a_back_to_default(void **state)
{
	configure_all();
	scmi_state_reset(&st);
	CHECK_EQ(st.p2a, 0);                 /* until SET_FEATURES */
	CHECK_EQ(cmd(BASE, SCMI_MSG_PROTOCOL_VERSION, NOP), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 8), SCMI_BASE_VERSION);
	CHECK_EQ(cmd(SENSOR, SCMI_MSG_PROTOCOL_VERSION, NOP), SCMI_SUCCESS);
	CHECK_EQ(rd32(resp + 8), SCMI_SENSOR_VERSION);
}

static void reset_drops_queued_notifications(void **state)
{
	struct scmi_evq q;
	struct scmi_event ev;
	struct scmi_reading rd[1] = { { 5, 0 } };

	assert_int_equal(scmi_evq_init(&q, 4), 0);
	scmi_event_update(&ev, 0, rd, 1, false);
	scmi_evq_push(&q, &ev);
	scmi_event_trip(&ev, 0, 1, true);
	scmi_evq_push(&q, &ev);
	/* what the device's reset does to notifications not yet delivered */
	scmi_evq_clear(&q);
	CHECK_EQ(scmi_evq_peek(&q) == NULL, 1);
	scmi_evq_free(&q);
}

#define VIRTIO_SCMI "virtio spec, Device Types / SCMI Device"
#define CMDQ_NORM VIRTIO_SCMI " / Device Operation / cmdq Operation, device normative"

static const struct conform_case cases[] = {
	{ CASE(p2a_off_notify_requests_not_supported), CMDQ_NORM,
	  "If VIRTIO_SCMI_F_P2A_CHANNELS was not negotiated, the device MUST deny any "
	  "request for an SCMI notification or a delayed response by returning SCMI "
	  "status code NOT_SUPPORTED." },
	{ CASE(p2a_off_delayed_responses_not_supported), CMDQ_NORM,
	  "If VIRTIO_SCMI_F_P2A_CHANNELS was not negotiated, the device MUST deny any "
	  "request for an SCMI notification or a delayed response by returning SCMI "
	  "status code NOT_SUPPORTED." },
	{ CASE(p2a_off_message_attributes_not_found), CMDQ_NORM,
	  "If VIRTIO_SCMI_F_P2A_CHANNELS was not negotiated, the device MUST NOT indicate "
	  "in the PROTOCOL_MESSAGE_ATTRIBUTES return values that any SCMI notification, or "
	  "delayed response, is implemented." },
	{ CASE(p2a_off_sensor_attributes_no_notifications),
	  VIRTIO_SCMI " / Device Operation / cmdq Operation",
	  "If VIRTIO_SCMI_F_P2A_CHANNELS was not negotiated, the device responds to SCMI "
	  "commands as if no SCMI notifications or delayed responses were implemented." },
	{ CASE(p2a_off_nothing_sampled), VIRTIO_SCMI " / Virtqueues",
	  "The eventq only exists if VIRTIO_SCMI_F_P2A_CHANNELS was negotiated." },
	{ CASE(p2a_on_notifications_offered), VIRTIO_SCMI " / Feature bits",
	  "The SCMI protocols provide the PROTOCOL_MESSAGE_ATTRIBUTES commands to inquire "
	  "about the particular SCMI notifications and delayed responses implemented by "
	  "the device." },
	{ CASE(negotiate_sensor_3_0),
	  "Arm DEN0056 (SCMI v3.2), NEGOTIATE_PROTOCOL_VERSION; sensor protocol 3.0 "
	  "(SCMI v3.1) defines SENSOR_NAME_GET and SENSOR_AXIS_NAME_GET",
	  "(paraphrased) an agent may ask the platform to use an older version of a "
	  "protocol; on SUCCESS the platform implements that version for the agent" },
	{ CASE(negotiate_base_2_0), "Arm DEN0056 (SCMI v3.2), NEGOTIATE_PROTOCOL_VERSION",
	  "(paraphrased) on SUCCESS the platform implements the requested version" },
	{ CASE(negotiate_unsupported_keeps_version),
	  "Arm DEN0056 (SCMI v3.2), NEGOTIATE_PROTOCOL_VERSION",
	  "(paraphrased) NOT_SUPPORTED if the platform does not implement the requested "
	  "version" },
	{ CASE(reset_sensors_disabled_notifications_off),
	  "virtio spec, 2.4.1 Device Requirements: Device Reset",
	  "A device MUST NOT send notifications or interact with the queues after "
	  "indicating completion of the reset by reinitializing device status to 0, until "
	  "the driver re-initializes the device." },
	{ CASE(reset_versions_and_p2a_back_to_default),
	  "virtio spec, 2.4 Device Reset; " VIRTIO_SCMI " / Feature bits",
	  "The driver may want to initiate a device reset at various times; notably, it is "
	  "required to do so during device initialization and device cleanup." },
	{ CASE(reset_drops_queued_notifications),
	  "virtio spec, 2.4.1 Device Requirements: Device Reset",
	  "A device MUST NOT send notifications or interact with the queues after "
	  "indicating completion of the reset by reinitializing device status to 0, until "
	  "the driver re-initializes the device." },
};

int main(void)
{
	struct CMUnitTest t[sizeof(cases) / sizeof(cases[0])];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		t[i] = (struct CMUnitTest){ cases[i].name, cases[i].fn, setup, teardown,
					    (void *)&cases[i] };
	return _cmocka_run_group_tests("conform_scmi", t, sizeof(t) / sizeof(t[0]),
				       NULL, NULL);
}
