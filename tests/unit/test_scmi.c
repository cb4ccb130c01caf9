/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI message handling: base and sensor protocols over byte buffers,
 * paging, bounds, errors; `-d` parsing and the fake device. */
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
#include "version.h"

#define CANARY 0xa5
#define BIG    1024

/* ---- helpers ---- */

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static uint8_t resp[BIG];

/* Send msg to proto with np parameter words, response capacity cap.
 * Checks the bytes past cap are untouched and the header is echoed. */
static int call(struct scmi_state *st, unsigned proto, unsigned msg,
		const uint32_t *par, unsigned np, size_t cap)
{
	uint8_t req[SCMI_REQ_MAX];
	uint32_t hdr = SCMI_HDR(msg, 0, proto, 0x2a5);
	int len;

	assert_true(4 + 4 * np <= sizeof(req));
	assert_true(cap <= BIG);
	wr32(req, hdr);
	for (unsigned i = 0; i < np; i++)
		wr32(req + 4 + 4 * i, par[i]);
	memset(resp, CANARY, sizeof(resp));
	len = scmi_handle(st, req, 4 + 4 * np, resp, cap);
	if (len >= 0) {
		assert_true((size_t)len <= cap);
		assert_true(len >= 8);
		assert_int_equal(rd32(resp), hdr);
	}
	for (size_t i = cap; i < BIG; i++)
		assert_int_equal(resp[i], CANARY);
	return len;
}

static int32_t status(void)
{
	return (int32_t)rd32(resp + 4);
}

#define P(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)
#define NOP NULL, 0

/* A configurable test device: n sensors, each with `axes` axes. */
struct tdev {
	unsigned n, axes;
	bool ext, ts;
	bool bad_name;
	int read_status;
	unsigned reads;
};

static int t_create(const struct scmi_kv *kv, unsigned nkv, unsigned instance,
		    void **inst, char *err, size_t errlen)
{
	return -EINVAL;
}

static void t_destroy(void *inst)
{
	free(inst);
}

static unsigned t_num(void *inst)
{
	return ((struct tdev *)inst)->n;
}

static void t_info(void *inst, unsigned s, struct scmi_sensor_info *o)
{
	struct tdev *t = inst;

	if (t->bad_name)
		memset(o->name, 'x', sizeof(o->name));
	else
		snprintf(o->name, sizeof(o->name), "temp%u", s);
	o->type = 2;       /* degrees C */
	o->scale = -3;
	o->num_axes = t->axes;
	o->timestamped = t->ts;
	o->tstamp_exp = -9;
}

static void t_axis(void *inst, unsigned s, unsigned a, struct scmi_axis_info *o)
{
	struct tdev *t = inst;

	snprintf(o->name, sizeof(o->name), "s%u_ax%u", s, a);
	o->type = 2;
	o->scale = -1;
	o->extended = t->ext;
	o->resolution = 5;
	o->res_exp = -2;
	o->min = -100;
	o->max = 1000;
}

static int t_read(void *inst, unsigned s, struct scmi_reading *out)
{
	struct tdev *t = inst;
	unsigned n = t->axes ? t->axes : 1;

	t->reads++;
	for (unsigned i = 0; i < n; i++) {
		out[i].value = -(int64_t)(1000 * s + i) - 1;
		out[i].timestamp = 0x100000000ull + i;
	}
	return t->read_status;
}

static const struct scmi_prop no_props[] = { { NULL, NULL } };

static const struct scmi_dev_ops tdev_ops = {
	.type = "test", .summary = "test", .props = no_props,
	.create = t_create, .destroy = t_destroy, .num_sensors = t_num,
	.sensor_info = t_info, .axis_info = t_axis, .read = t_read,
};

static struct tdev *add_tdev(struct scmi_state *st, unsigned n, unsigned axes,
			     bool ext, bool ts)
{
	struct tdev *t = calloc(1, sizeof(*t));
	char err[128];

	assert_non_null(t);
	t->n = n;
	t->axes = axes;
	t->ext = ext;
	t->ts = ts;
	assert_int_equal(scmi_state_add(st, &tdev_ops, t, err, sizeof(err)), 0);
	return t;
}

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

static void add_fake(struct scmi_state *st, const char *spec)
{
	char err[256] = "";

	if (scmi_state_add_spec(st, spec, err, sizeof(err)))
		fail_msg("add '%s': %s", spec, err);
}

/* ---- base protocol ---- */

static void test_scmi_base_version(void **state)
{
	struct scmi_state *st = *state;

	assert_int_equal(call(st, 0x10, 0x0, NOP, 136), 12);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), SCMI_BASE_VERSION);
}

static void test_scmi_base_attributes_counts(void **state)
{
	struct scmi_state *st = *state;

	assert_int_equal(call(st, 0x10, 0x1, NOP, 136), 12);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8) & 0xff, 1);          /* protocols */
	assert_int_equal((rd32(resp + 8) >> 8) & 0xff, 1);   /* agents */
}

static void test_scmi_base_message_attributes(void **state)
{
	struct scmi_state *st = *state;
	static const uint32_t known[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x10 };

	for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_int_equal(call(st, 0x10, 0x2, P(known[i]), 136), 12);
		assert_int_equal(status(), SCMI_SUCCESS);
		assert_int_equal(rd32(resp + 8), 0);
	}
	assert_int_equal(call(st, 0x10, 0x2, P(0x9), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);
	assert_int_equal(call(st, 0x10, 0x2, P(0x100), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);
}

static void test_scmi_base_vendor_strings(void **state)
{
	struct scmi_state *st = *state;

	assert_int_equal(call(st, 0x10, 0x3, NOP, 136), 24);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_string_equal((char *)resp + 8, "vhost-device");
	assert_int_equal(resp[8 + 15], 0);
	assert_int_equal(call(st, 0x10, 0x4, NOP, 136), 24);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_string_equal((char *)resp + 8, "scmi");
}

static void test_scmi_base_impl_version_from_version_h(void **state)
{
	struct scmi_state *st = *state;
	unsigned a = 0, b = 0, c = 0;

	assert_int_equal(sscanf(VD_VERSION, "%u.%u.%u", &a, &b, &c), 3);
	assert_int_equal(call(st, 0x10, 0x5, NOP, 136), 12);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), a << 16 | b << 8 | c);
}

static void test_scmi_base_list_protocols(void **state)
{
	struct scmi_state *st = *state;

	/* Linux checks the list is exactly ceil(n/4) words */
	assert_int_equal(call(st, 0x10, 0x6, P(0), 136), 16);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 1);
	assert_int_equal(rd32(resp + 12), SCMI_PROTO_SENSOR);

	assert_int_equal(call(st, 0x10, 0x6, P(1), 136), 12);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 0);

	assert_int_equal(call(st, 0x10, 0x6, P(2), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);

	/* no room for the list word: zero returned, not a partial word */
	assert_int_equal(call(st, 0x10, 0x6, P(0), 15), 12);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 0);
}

static void test_scmi_base_discover_agent(void **state)
{
	struct scmi_state *st = *state;

	assert_int_equal(call(st, 0x10, 0x7, P(0), 136), 28);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 0);
	assert_string_equal((char *)resp + 12, "platform");

	assert_int_equal(call(st, 0x10, 0x7, P(1), 136), 28);
	assert_int_equal(rd32(resp + 8), 1);
	assert_string_equal((char *)resp + 12, "OSPM");

	assert_int_equal(call(st, 0x10, 0x7, P(0xffffffff), 136), 28);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 1);

	assert_int_equal(call(st, 0x10, 0x7, P(2), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);
}

static void test_scmi_base_notify_errors(void **state)
{
	struct scmi_state *st = *state;

	assert_int_equal(call(st, 0x10, 0x8, P(1), 136), 8);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_true(st->notify_errors);
	assert_int_equal(call(st, 0x10, 0x8, P(0), 136), 8);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_false(st->notify_errors);
	assert_int_equal(call(st, 0x10, 0x8, P(2), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
}

static void test_scmi_base_negotiate_version(void **state)
{
	struct scmi_state *st = *state;

	assert_int_equal(call(st, 0x10, 0x10, P(0x20000), 136), 8);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(call(st, 0x10, 0x10, P(0x20001), 136), 8);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(call(st, 0x10, 0x10, P(0x10000), 136), 8);
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	assert_int_equal(call(st, 0x10, 0x10, P(0x30000), 136), 8);
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
}

/* ---- dispatch and malformed requests ---- */

static void test_scmi_unknown_message_not_supported(void **state)
{
	struct scmi_state *st = *state;

	assert_int_equal(call(st, 0x10, 0x9, NOP, 136), 8);    /* permissions */
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	assert_int_equal(call(st, 0x10, 0xff, NOP, 136), 8);
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	assert_int_equal(call(st, 0x15, 0x20, NOP, 136), 8);
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
}

static void test_scmi_unknown_protocol_not_supported(void **state)
{
	struct scmi_state *st = *state;

	for (unsigned p = 0; p < 256; p++) {
		if (p == 0x10 || p == 0x15)
			continue;
		assert_int_equal(call(st, p, 0x0, NOP, 136), 8);
		assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	}
}

static void test_scmi_non_command_type_not_supported(void **state)
{
	struct scmi_state *st = *state;
	uint8_t req[4];

	for (unsigned type = 1; type < 4; type++) {
		wr32(req, SCMI_HDR(0, type, 0x10, 1));
		assert_int_equal(scmi_handle(st, req, 4, resp, 136), 8);
		assert_int_equal(rd32(resp), rd32(req));
		assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	}
}

static void test_scmi_wrong_param_size_protocol_error(void **state)
{
	struct scmi_state *st = *state;

	add_fake(st, "fake");
	assert_int_equal(call(st, 0x10, 0x0, P(0), 136), 8);     /* extra word */
	assert_int_equal(status(), SCMI_PROTOCOL_ERROR);
	assert_int_equal(call(st, 0x10, 0x6, NOP, 136), 8);      /* no skip */
	assert_int_equal(status(), SCMI_PROTOCOL_ERROR);
	assert_int_equal(call(st, 0x15, 0x6, P(0), 136), 8);     /* no flags */
	assert_int_equal(status(), SCMI_PROTOCOL_ERROR);
	assert_int_equal(call(st, 0x15, 0xa, P(0, 1, 0), 136), 8);
	assert_int_equal(status(), SCMI_PROTOCOL_ERROR);
	assert_int_equal(st->sensors[0].config, 0);
}

static void test_scmi_oversized_request_protocol_error(void **state)
{
	struct scmi_state *st = *state;
	uint8_t *req = malloc(SCMI_REQ_MAX);

	/* the caller copied only SCMI_REQ_MAX bytes of a 4096-byte request:
	 * the handler must not read past them (ASan checks the malloc) */
	assert_non_null(req);
	memset(req, 0, SCMI_REQ_MAX);
	wr32(req, SCMI_HDR(0x6, 0, 0x10, 7));
	assert_int_equal(scmi_handle(st, req, 4096, resp, 136), 8);
	assert_int_equal(status(), SCMI_PROTOCOL_ERROR);
	free(req);
}

static void test_scmi_short_request_rejected(void **state)
{
	struct scmi_state *st = *state;
	uint8_t req[4] = { 0 };

	for (size_t n = 0; n < 4; n++)
		assert_int_equal(scmi_handle(st, req, n, resp, 136), -EINVAL);
	/* no room for header and status */
	for (size_t cap = 0; cap < 8; cap++)
		assert_int_equal(scmi_handle(st, req, 4, resp, cap), -EINVAL);
}

static void test_scmi_response_never_exceeds_cap(void **state)
{
	struct scmi_state *st = *state;
	static const uint32_t params[][2] = { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 2, 2 },
					      { 0xffffffff, 0xffffffff } };

	add_fake(st, "fake");
	add_tdev(st, 12, 0, false, false);
	add_tdev(st, 1, SCMI_MAX_AXES, true, true);
	for (unsigned proto = 0x10; proto <= 0x15; proto += 5)
		for (unsigned msg = 0; msg < 0x20; msg++)
			for (unsigned np = 0; np <= 2; np++)
				for (unsigned pi = 0; pi < 5; pi++)
					for (size_t cap = 8; cap <= 200; cap++) {
						int len = call(st, proto, msg, params[pi], np, cap);

						assert_true(len >= 8);
					}
}

/* ---- sensor protocol ---- */

static void test_scmi_sensor_version_and_attributes(void **state)
{
	struct scmi_state *st = *state;

	add_fake(st, "fake");
	add_fake(st, "fake");
	assert_int_equal(call(st, 0x15, 0x0, NOP, 136), 12);
	assert_int_equal(rd32(resp + 8), SCMI_SENSOR_VERSION);
	/* the Linux driver sizes this buffer to exactly 16 bytes */
	assert_int_equal(call(st, 0x15, 0x1, NOP, 24), 24);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8) & 0xffff, 2);
	assert_int_equal(rd32(resp + 8) >> 16 & 0xff, 0);     /* max async */
	assert_int_equal(rd32(resp + 20), 0);
}

static void test_scmi_sensor_message_attributes(void **state)
{
	struct scmi_state *st = *state;
	static const uint32_t known[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb,
					  0xc, 0xd, 0x10 };
	static const uint32_t absent[] = { 0xe, 0xf, 0x11, 0x20 };

	for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_int_equal(call(st, 0x15, 0x2, P(known[i]), 136), 12);
		assert_int_equal(status(), SCMI_SUCCESS);
	}
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		assert_int_equal(call(st, 0x15, 0x2, P(absent[i]), 136), 8);
		assert_int_equal(status(), SCMI_NOT_FOUND);
		/* and the messages themselves are refused */
		assert_int_equal(call(st, 0x15, absent[i], P(0, 1), 136), 8);
		assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	}
}

static void test_scmi_sensor_description_fake(void **state)
{
	struct scmi_state *st = *state;
	uint32_t lo, hi;

	add_fake(st, "fake,name=foo");
	assert_int_equal(call(st, 0x15, 0x3, P(0), 136), 12 + 28);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 1);           /* 1 returned, 0 left */
	assert_int_equal(rd32(resp + 12), 0);          /* id */
	lo = rd32(resp + 16);
	hi = rd32(resp + 20);
	assert_int_equal(lo & 0xff, 0);                /* no trip points */
	assert_int_equal(lo >> 8 & 1, 0);              /* no extended attrs */
	assert_int_equal(lo >> 9 & 1, 1);              /* timestamps */
	assert_int_equal(lo >> 10 & 0x1f, 0x1a);       /* 10^-6 s */
	assert_int_equal(lo >> 29, 2);                 /* update notify; no async,
							  no extended name */
	assert_int_equal(hi & 0xff, SCMI_UNIT_METERS_SEC_SQUARED);
	assert_int_equal(hi >> 8 & 1, 1);              /* axes */
	assert_int_equal(hi >> 11 & 0x1f, 0x1d);       /* scale -3 */
	assert_int_equal(hi >> 16 & 0x3f, 3);
	assert_string_equal((char *)resp + 24, "foo");
}

/* Page through like the Linux driver; 12 sensors in a 128-byte message */
static void test_scmi_sensor_description_pages(void **state)
{
	struct scmi_state *st = *state;
	unsigned idx = 0, pages = 0;
	static const unsigned want_ret[] = { 4, 4, 4 }, want_rem[] = { 8, 4, 0 };

	add_tdev(st, 12, 0, false, false);
	for (;;) {
		unsigned ret, rem;
		int len = call(st, 0x15, 0x3, P(idx), 136);

		assert_int_equal(status(), SCMI_SUCCESS);
		ret = rd32(resp + 8) & 0xfff;
		rem = rd32(resp + 8) >> 16;
		assert_true(pages < 3);
		assert_int_equal(ret, want_ret[pages]);
		assert_int_equal(rem, want_rem[pages]);
		assert_int_equal(len, 12 + 28 * ret);
		for (unsigned i = 0; i < ret; i++) {
			char name[16];

			snprintf(name, sizeof(name), "temp%u", idx + i);
			assert_int_equal(rd32(resp + 12 + 28 * i), idx + i);
			assert_string_equal((char *)resp + 12 + 28 * i + 12, name);
			assert_int_equal(rd32(resp + 12 + 28 * i + 8) >> 8 & 1, 0);
		}
		idx += ret;
		pages++;
		if (!rem)
			break;
	}
	assert_int_equal(idx, 12);
	assert_int_equal(pages, 3);
}

static void test_scmi_sensor_description_small_buffers(void **state)
{
	struct scmi_state *st = *state;

	add_tdev(st, 12, 0, false, false);
	/* room for exactly one descriptor */
	assert_int_equal(call(st, 0x15, 0x3, P(3), 12 + 28), 40);
	assert_int_equal(rd32(resp + 8), 1 | 8u << 16);
	assert_int_equal(rd32(resp + 12), 3);
	/* one byte short of one: none returned, all remaining */
	assert_int_equal(call(st, 0x15, 0x3, P(3), 12 + 27), 12);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 0 | 9u << 16);
	/* a big buffer takes them all */
	assert_int_equal(call(st, 0x15, 0x3, P(0), 1024), 12 + 12 * 28);
	assert_int_equal(rd32(resp + 8), 12);
}

static void test_scmi_sensor_description_bad_index(void **state)
{
	struct scmi_state *st = *state;

	add_tdev(st, 2, 0, false, false);
	assert_int_equal(call(st, 0x15, 0x3, P(2), 136), 12);   /* end: empty */
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 0);
	assert_int_equal(call(st, 0x15, 0x3, P(3), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	assert_int_equal(call(st, 0x15, 0x3, P(0xffffffff), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
}

static void test_scmi_sensor_reading_fake_three_axes(void **state)
{
	struct scmi_state *st = *state;
	int64_t first[3], v;
	bool changed = false;

	add_fake(st, "fake,name=acc");
	assert_int_equal(call(st, 0x15, 0x6, P(0, 0), 136), 8 + 48);
	assert_int_equal(status(), SCMI_SUCCESS);
	for (int i = 0; i < 3; i++) {
		first[i] = (int64_t)((uint64_t)rd32(resp + 8 + 16 * i) |
				     (uint64_t)rd32(resp + 12 + 16 * i) << 32);
		/* timestamps off until CONFIG_SET asks for them */
		assert_int_equal(rd32(resp + 16 + 16 * i), 0);
		assert_int_equal(rd32(resp + 20 + 16 * i), 0);
		assert_true(first[i] >= -20000 && first[i] <= 20000);
	}
	/* Z is gravity, in mm/s^2 */
	assert_true(first[2] > 9700 && first[2] < 9900);
	for (int n = 0; n < 5; n++) {
		assert_int_equal(call(st, 0x15, 0x6, P(0, 0), 136), 56);
		for (int i = 0; i < 3; i++) {
			v = (int64_t)((uint64_t)rd32(resp + 8 + 16 * i) |
				      (uint64_t)rd32(resp + 12 + 16 * i) << 32);
			changed |= v != first[i];
		}
	}
	assert_true(changed);

	/* with timestamps enabled they are filled in */
	assert_int_equal(call(st, 0x15, 0xa, P(0, 3), 136), 8);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(call(st, 0x15, 0x6, P(0, 0), 136), 56);
	assert_true(rd32(resp + 16) || rd32(resp + 20));
}

static void test_scmi_sensor_reading_negative_and_scalar(void **state)
{
	struct scmi_state *st = *state;

	add_tdev(st, 3, 0, false, false);
	assert_int_equal(call(st, 0x15, 0x6, P(2, 0), 136), 8 + 16);
	assert_int_equal(status(), SCMI_SUCCESS);
	/* -(2000) - 1 as a 64-bit two's complement */
	assert_int_equal(rd32(resp + 8), (uint32_t)-2001);
	assert_int_equal(rd32(resp + 12), 0xffffffff);
}

static void test_scmi_sensor_reading_bad_sensor_async_and_reserved_flags(void **state)
{
	struct scmi_state *st = *state;
	struct tdev *t;

	t = add_tdev(st, 1, 0, false, false);
	assert_int_equal(call(st, 0x15, 0x6, P(1, 0), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);
	assert_int_equal(call(st, 0x15, 0x6, P(0xffffffff, 0), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);
	assert_int_equal(call(st, 0x15, 0x6, P(0, 1), 136), 8);
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	/* flags bits 31:1 are reserved */
	assert_int_equal(call(st, 0x15, 0x6, P(0, 2), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	assert_int_equal(call(st, 0x15, 0x6, P(0, 0x80000000u), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	assert_int_equal(t->reads, 0);
	/* a device error is passed on without payload */
	t->read_status = SCMI_HARDWARE_ERROR;
	assert_int_equal(call(st, 0x15, 0x6, P(0, 0), 136), 8);
	assert_int_equal(status(), SCMI_HARDWARE_ERROR);
}

static void test_scmi_sensor_axis_description_fake(void **state)
{
	struct scmi_state *st = *state;
	unsigned idx = 0, pages = 0;
	static const char *names[] = { "foo_X", "foo_Y", "foo_Z" };

	add_fake(st, "fake,name=foo");
	/* extended axis descriptors are 48 bytes: two per 128-byte message */
	while (idx < 3) {
		unsigned ret, rem;
		int len = call(st, 0x15, 0x7, P(0, idx), 136);

		assert_int_equal(status(), SCMI_SUCCESS);
		ret = rd32(resp + 8) & 0x3f;
		rem = rd32(resp + 8) >> 26;
		assert_int_equal(len, 12 + 48 * ret);
		assert_int_equal(ret, pages == 0 ? 2 : 1);
		assert_int_equal(rem, 3 - idx - ret);
		for (unsigned i = 0; i < ret; i++) {
			const uint8_t *d = resp + 12 + 48 * i;

			assert_int_equal(rd32(d), idx + i);
			assert_int_equal(rd32(d + 4), 1u << 8);
			assert_int_equal(rd32(d + 8) & 0xff, SCMI_UNIT_METERS_SEC_SQUARED);
			assert_int_equal(rd32(d + 8) >> 11 & 0x1f, 0x1d);
			assert_string_equal((char *)d + 12, names[idx + i]);
			assert_int_equal(rd32(d + 28) & 0x7ffffff, 1);
			assert_int_equal(rd32(d + 28) >> 27, 0x1d);
			assert_int_equal((int32_t)rd32(d + 32), -19613);
			assert_int_equal(rd32(d + 36), 0xffffffff);
			assert_int_equal(rd32(d + 40), 19613);
		}
		idx += ret;
		pages++;
	}
	assert_int_equal(pages, 2);
}

static void test_scmi_sensor_axis_description_errors(void **state)
{
	struct scmi_state *st = *state;

	add_tdev(st, 1, 0, false, false);   /* scalar */
	add_tdev(st, 1, 4, false, false);
	assert_int_equal(call(st, 0x15, 0x7, P(0, 0), 136), 8);
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	assert_int_equal(call(st, 0x15, 0x7, P(2, 0), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);
	assert_int_equal(call(st, 0x15, 0x7, P(1, 5), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	/* plain descriptors (28 bytes): all 4 fit */
	assert_int_equal(call(st, 0x15, 0x7, P(1, 0), 136), 12 + 4 * 28);
	assert_int_equal(rd32(resp + 8), 4);
	assert_string_equal((char *)resp + 12 + 3 * 28 + 12, "s0_ax3");
}

static void test_scmi_sensor_config(void **state)
{
	struct scmi_state *st = *state;

	add_fake(st, "fake");
	add_tdev(st, 1, 0, false, false);   /* no timestamps */
	assert_int_equal(call(st, 0x15, 0x9, P(0), 12), 12);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 1u << 16);          /* disabled, 1 s */

	assert_int_equal(call(st, 0x15, 0xa, P(0, 1), 136), 8);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(call(st, 0x15, 0x9, P(0), 12), 12);
	assert_int_equal(rd32(resp + 8), 1 | 1u << 16);

	/* the default interval (1 s: 1 << 16, exponent 0) is reported */
	assert_int_equal(call(st, 0x15, 0x9, P(0), 12), 12);
	assert_int_equal(rd32(resp + 8), 1 | 1u << 16);
	/* round mode bits alone are accepted and not kept */
	assert_int_equal(call(st, 0x15, 0xa, P(0, 3 | 2u << 9), 136), 8);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(call(st, 0x15, 0x9, P(0), 12), 12);
	assert_int_equal(rd32(resp + 8), 3 | 1u << 16);
	/* round mode 3 is reserved, and so are bits 8:2 */
	assert_int_equal(call(st, 0x15, 0xa, P(0, 1 | 3u << 9), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	assert_int_equal(call(st, 0x15, 0xa, P(0, 1 | 1u << 4), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	/* timestamps on a sensor without them */
	assert_int_equal(call(st, 0x15, 0xa, P(1, 3), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	assert_int_equal(call(st, 0x15, 0xa, P(2, 1), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);
	assert_int_equal(call(st, 0x15, 0x9, P(2), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);

	scmi_state_reset(st);
	assert_int_equal(call(st, 0x15, 0x9, P(0), 12), 12);
	assert_int_equal(rd32(resp + 8), 1u << 16);
}

static void test_scmi_sensor_fixed_response_cut_at_cap(void **state)
{
	struct scmi_state *st = *state;

	add_fake(st, "fake");
	/* an agent expecting less than the full payload gets what fits */
	assert_int_equal(call(st, 0x15, 0x1, NOP, 16), 16);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 1);
	assert_int_equal(call(st, 0x15, 0x6, P(0, 0), 40), 40);
	assert_int_equal(status(), SCMI_SUCCESS);
}

/* ---- state, devices, -d parsing ---- */

static void test_scmi_state_add_rejects_unencodable(void **state)
{
	struct scmi_state *st = *state;
	struct tdev *t = calloc(1, sizeof(*t));
	char err[128] = "";

	assert_non_null(t);
	t->n = 1;
	t->axes = SCMI_MAX_AXES + 1;
	assert_int_equal(scmi_state_add(st, &tdev_ops, t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "axes"));
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	t->n = 1;
	t->bad_name = true;
	assert_int_equal(scmi_state_add(st, &tdev_ops, t, err, sizeof(err)), -EINVAL);
	assert_int_equal(st->num_sensors, 0);
	assert_int_equal(st->num_devs, 0);
}

static void test_scmi_fake_default_names_unique(void **state)
{
	struct scmi_state *st = *state;

	add_fake(st, "fake");
	add_fake(st, "fake,name=mine");
	add_fake(st, "fake");
	assert_int_equal(st->num_sensors, 3);
	assert_string_equal(st->sensors[0].info.name, "fake0");
	assert_string_equal(st->sensors[1].info.name, "mine");
	assert_string_equal(st->sensors[2].info.name, "fake2");
}

static void test_scmi_fake_name_length_limit(void **state)
{
	struct scmi_state *st = *state;
	char err[256] = "";

	static const char n63[] = "0123456789abcdef0123456789abcdef"
				  "0123456789abcdef0123456789abcde";

	add_fake(st, "fake,name=0123456789abcdef0123456789abcdef"
		 "0123456789abcdef0123456789abcde");            /* 63 */
	assert_string_equal(st->sensors[0].info.name, n63);
	assert_int_equal(scmi_state_add_spec(st, "fake,name=0123456789abcdef0123456789abcdef"
					     "0123456789abcdef0123456789abcdef", err,
					     sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "64 bytes"));
	assert_int_equal(scmi_state_add_spec(st, "fake,name=", err, sizeof(err)), -EINVAL);
	assert_int_equal(scmi_state_add_spec(st, "fake,name=a\tb", err, sizeof(err)), -EINVAL);
	assert_int_equal(st->num_sensors, 1);
	/* long names make axis names by truncation, still NUL-terminated */
	assert_int_equal(call(st, 0x15, 0x7, P(0, 2), 136), 12 + 48);
	assert_string_equal((char *)resp + 12 + 12, "0123456789abc_Z");
}

static void test_scmi_devspec_parse_ok(void **state)
{
	static struct scmi_devspec sp;
	char err[256] = "";

	assert_int_equal(scmi_devspec_parse("fake", &sp, err, sizeof(err)), 0);
	assert_ptr_equal(sp.ops, &scmi_fake_ops);
	assert_int_equal(sp.nkv, 0);
	assert_int_equal(scmi_devspec_parse("fake,name=a=b", &sp, err, sizeof(err)), 0);
	assert_int_equal(sp.nkv, 1);
	assert_string_equal(sp.kv[0].key, "name");
	assert_string_equal(sp.kv[0].val, "a=b");
}

static void test_scmi_devspec_parse_errors_name_bad_part(void **state)
{
	static struct scmi_devspec sp;
	static const struct {
		const char *spec, *needle;
	} bad[] = {
		{ "", "missing device type" },
		{ ",name=x", "missing device type" },
		{ "iio2", "unknown device type 'iio2'" },
		{ "fake,colour=red", "unknown property 'colour'" },
		{ "fake,name", "'name' has no value" },
		{ "fake,,name=x", "empty property" },
		{ "fake,name=x,", "empty property" },
		{ "fake,=x", "empty property name" },
		{ "fake,name=a,name=b", "'name' given twice" },
	};
	char err[256];
	char longspec[SCMI_DEVSPEC_MAX + 8];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(scmi_devspec_parse(bad[i].spec, &sp, err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i].needle))
			fail_msg("'%s': got '%s', want '%s'", bad[i].spec, err, bad[i].needle);
	}
	memset(longspec, 'a', sizeof(longspec) - 1);
	longspec[sizeof(longspec) - 1] = '\0';
	assert_int_equal(scmi_devspec_parse(longspec, &sp, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too long"));
}

static void test_scmi_devices_help_lists_types_and_props(void **state)
{
	char buf[2048] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	assert_non_null(f);
	scmi_devices_help(f);
	fclose(f);
	for (unsigned i = 0; scmi_dev_types[i]; i++) {
		assert_non_null(strstr(buf, scmi_dev_types[i]->type));
		for (const struct scmi_prop *p = scmi_dev_types[i]->props; p->name; p++)
			assert_non_null(strstr(buf, p->name));
	}
	/* wrapped to 80 columns, every continuation indented */
	for (char *l = buf, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		assert_non_null(nl);
		if (nl - l >= 80 || (l != buf && *l != ' '))
			fail_msg("--help-devices line not wrapped: '%.*s'", (int)(nl - l), l);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_scmi_base_version),
		T(test_scmi_base_attributes_counts),
		T(test_scmi_base_message_attributes),
		T(test_scmi_base_vendor_strings),
		T(test_scmi_base_impl_version_from_version_h),
		T(test_scmi_base_list_protocols),
		T(test_scmi_base_discover_agent),
		T(test_scmi_base_notify_errors),
		T(test_scmi_base_negotiate_version),
		T(test_scmi_unknown_message_not_supported),
		T(test_scmi_unknown_protocol_not_supported),
		T(test_scmi_non_command_type_not_supported),
		T(test_scmi_wrong_param_size_protocol_error),
		T(test_scmi_oversized_request_protocol_error),
		T(test_scmi_short_request_rejected),
		T(test_scmi_response_never_exceeds_cap),
		T(test_scmi_sensor_version_and_attributes),
		T(test_scmi_sensor_message_attributes),
		T(test_scmi_sensor_description_fake),
		T(test_scmi_sensor_description_pages),
		T(test_scmi_sensor_description_small_buffers),
		T(test_scmi_sensor_description_bad_index),
		T(test_scmi_sensor_reading_fake_three_axes),
		T(test_scmi_sensor_reading_negative_and_scalar),
		T(test_scmi_sensor_reading_bad_sensor_async_and_reserved_flags),
		T(test_scmi_sensor_axis_description_fake),
		T(test_scmi_sensor_axis_description_errors),
		T(test_scmi_sensor_config),
		T(test_scmi_sensor_fixed_response_cut_at_cap),
		T(test_scmi_state_add_rejects_unencodable),
		T(test_scmi_fake_default_names_unique),
		T(test_scmi_fake_name_length_limit),
		T(test_scmi_devspec_parse_ok),
		T(test_scmi_devspec_parse_errors_name_bad_part),
		T(test_scmi_devices_help_lists_types_and_props),
	};

	return cmocka_run_group_tests_name("scmi", tests, NULL, NULL);
}
