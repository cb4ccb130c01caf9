/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI message handling: the base protocol (v2.1) and the sensor
 * management protocol (v3.1), as pure functions from a request buffer to a
 * response buffer.  Layouts follow DEN0056 and the Linux arm_scmi driver.
 *
 * Rules kept everywhere below:
 * - a known message whose parameters are not exactly the expected size gets
 *   PROTOCOL_ERROR (so a request longer than SCMI_REQ_MAX is never read);
 * - an error status carries no payload;
 * - nothing is written past resp_cap: lists are paged to what fits, fixed
 *   payloads are cut at the buffer end. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/scmi.h"
#include "version.h"

const struct scmi_dev_ops *const scmi_dev_types[] = {
	&scmi_fake_ops,
	&scmi_iio_ops,
	&scmi_hwmon_ops,
	NULL,
};

#define VENDOR        "vhost-device"
#define SUB_VENDOR    "scmi"
#define NUM_AGENTS    1
#define OSPM_AGENT_ID 1
#define AGENT_CALLER  0xffffffffu

/* Protocols besides base, in the order DISCOVER_LIST_PROTOCOLS gives them */
static const uint8_t protocol_list[] = { SCMI_PROTO_SENSOR };
#define NUM_PROTOCOLS (sizeof(protocol_list) / sizeof(protocol_list[0]))

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Response under construction.  len is the logical length: bytes beyond
 * cap are dropped, and the result is cut to cap. */
struct resp {
	uint8_t *buf;
	size_t cap;
	size_t len;
};

static size_t resp_room(const struct resp *r)
{
	return r->len < r->cap ? r->cap - r->len : 0;
}

static void put_bytes(struct resp *r, const void *src, size_t n)
{
	size_t room = resp_room(r);

	if (room)
		memcpy(r->buf + r->len, src, n < room ? n : room);
	r->len += n;
}

static void put32(struct resp *r, uint32_t v)
{
	uint8_t b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

	put_bytes(r, b, sizeof(b));
}

static void put64(struct resp *r, uint64_t v)
{
	put32(r, (uint32_t)v);
	put32(r, (uint32_t)(v >> 32));
}

/* A 16-byte short name, NUL-padded (names are at most 15 bytes). */
static void put_name(struct resp *r, const char *name)
{
	char b[SCMI_NAME_LEN] = { 0 };

	memcpy(b, name, strnlen(name, SCMI_NAME_LEN - 1));
	put_bytes(r, b, sizeof(b));
}

/* 5-bit two's complement field */
static uint32_t s5(int v)
{
	return (uint32_t)v & 0x1f;
}

struct proto;

struct handler {
	uint8_t id;
	uint8_t len;    /* parameter bytes */
	int (*fn)(struct scmi_state *st, const struct proto *pr,
		  const uint8_t *p, struct resp *r);
};

struct proto {
	uint8_t id;
	uint32_t version;
	const struct handler *h;
	size_t nh;
};

static const struct handler *find_handler(const struct proto *pr, uint32_t id)
{
	for (size_t i = 0; i < pr->nh; i++)
		if (pr->h[i].id == id)
			return &pr->h[i];
	return NULL;
}

/* ---- messages every protocol has ---- */

static int msg_version(struct scmi_state *st, const struct proto *pr,
		       const uint8_t *p, struct resp *r)
{
	put32(r, pr->version);
	return SCMI_SUCCESS;
}

static int msg_message_attributes(struct scmi_state *st, const struct proto *pr,
				  const uint8_t *p, struct resp *r)
{
	if (!find_handler(pr, get_le32(p)))
		return SCMI_NOT_FOUND;
	put32(r, 0);   /* no message-specific attributes */
	return SCMI_SUCCESS;
}

/* ---- base protocol ---- */

static int base_attributes(struct scmi_state *st, const struct proto *pr,
			   const uint8_t *p, struct resp *r)
{
	put32(r, NUM_PROTOCOLS | NUM_AGENTS << 8);
	return SCMI_SUCCESS;
}

static int base_vendor(struct scmi_state *st, const struct proto *pr,
		       const uint8_t *p, struct resp *r)
{
	put_name(r, VENDOR);
	return SCMI_SUCCESS;
}

static int base_sub_vendor(struct scmi_state *st, const struct proto *pr,
			   const uint8_t *p, struct resp *r)
{
	put_name(r, SUB_VENDOR);
	return SCMI_SUCCESS;
}

static int base_impl_version(struct scmi_state *st, const struct proto *pr,
			     const uint8_t *p, struct resp *r)
{
	put32(r, st->impl_version);
	return SCMI_SUCCESS;
}

static int base_list_protocols(struct scmi_state *st, const struct proto *pr,
			       const uint8_t *p, struct resp *r)
{
	uint32_t skip = get_le32(p);
	size_t n, fit, room;

	if (skip > NUM_PROTOCOLS)
		return SCMI_INVALID_PARAMETERS;
	n = NUM_PROTOCOLS - skip;
	/* identifiers are packed four to a word after the count */
	room = resp_room(r);
	fit = room >= 4 ? (room - 4) / 4 * 4 : 0;
	if (n > fit)
		n = fit;
	put32(r, (uint32_t)n);
	for (size_t i = 0; i < n; i += 4) {
		uint8_t w[4] = { 0 };

		for (size_t j = 0; j < 4 && i + j < n; j++)
			w[j] = protocol_list[skip + i + j];
		put_bytes(r, w, sizeof(w));
	}
	return SCMI_SUCCESS;
}

static int base_discover_agent(struct scmi_state *st, const struct proto *pr,
			       const uint8_t *p, struct resp *r)
{
	uint32_t id = get_le32(p);

	if (id == AGENT_CALLER)
		id = OSPM_AGENT_ID;
	if (id == 0) {
		put32(r, 0);
		put_name(r, "platform");
	} else if (id == OSPM_AGENT_ID) {
		put32(r, id);
		put_name(r, "OSPM");
	} else {
		return SCMI_NOT_FOUND;
	}
	return SCMI_SUCCESS;
}

static int base_notify_errors(struct scmi_state *st, const struct proto *pr,
			      const uint8_t *p, struct resp *r)
{
	uint32_t ctl = get_le32(p);

	if (ctl & ~1u)
		return SCMI_INVALID_PARAMETERS;
	/* Nothing we do can produce a base error event (no command is ever
	 * dropped), so a subscription never fires. */
	st->notify_errors = ctl & 1;
	return SCMI_SUCCESS;
}

static int base_negotiate(struct scmi_state *st, const struct proto *pr,
			  const uint8_t *p, struct resp *r)
{
	uint32_t v = get_le32(p);

	/* 2.0 and 2.1 differ only by this command */
	if (v == 0x20000 || v == 0x20001)
		return SCMI_SUCCESS;
	return SCMI_NOT_SUPPORTED;
}

static const struct handler base_handlers[] = {
	{ SCMI_MSG_PROTOCOL_VERSION, 0, msg_version },
	{ SCMI_MSG_PROTOCOL_ATTRIBUTES, 0, base_attributes },
	{ SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES, 4, msg_message_attributes },
	{ SCMI_BASE_DISCOVER_VENDOR, 0, base_vendor },
	{ SCMI_BASE_DISCOVER_SUB_VENDOR, 0, base_sub_vendor },
	{ SCMI_BASE_DISCOVER_IMPLEMENTATION_VERSION, 0, base_impl_version },
	{ SCMI_BASE_DISCOVER_LIST_PROTOCOLS, 4, base_list_protocols },
	{ SCMI_BASE_DISCOVER_AGENT, 4, base_discover_agent },
	{ SCMI_BASE_NOTIFY_ERRORS, 4, base_notify_errors },
	{ SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, 4, base_negotiate },
};

/* ---- sensor management protocol ---- */

/* Update intervals offered for every sensor (discrete list), shortest
 * first: {seconds, decimal exponent}. */
static const struct {
	uint16_t secs;
	int8_t exp;
} intervals[SCMI_NUM_INTERVALS] = {
	{ 1, -2 }, { 2, -2 }, { 5, -2 }, { 1, -1 }, { 2, -1 }, { 5, -1 },
	{ 1, 0 }, { 2, 0 }, { 5, 0 }, { 10, 0 },
};

static uint64_t pow10u(unsigned e)
{
	uint64_t v = 1;

	while (e--)
		v *= 10;
	return v;
}

uint64_t scmi_interval_ns(unsigned i)
{
	if (i >= SCMI_NUM_INTERVALS)
		i = SCMI_DEFAULT_INTERVAL;
	return intervals[i].secs * pow10u((unsigned)(9 + intervals[i].exp));
}

uint32_t scmi_interval_word(unsigned i)
{
	if (i >= SCMI_NUM_INTERVALS)
		i = SCMI_DEFAULT_INTERVAL;
	return (uint32_t)intervals[i].secs << 5 | s5(intervals[i].exp);
}

static bool ext_names(const struct scmi_state *st)
{
	return st->sensor_version >= SCMI_SENSOR_VERSION;
}

static int sensor_attributes(struct scmi_state *st, const struct proto *pr,
			     const uint8_t *p, struct resp *r)
{
	/* num_sensors 15:0, max_requests 23:16 (no async reads: 0) */
	put32(r, st->num_sensors & 0xffff);
	put32(r, 0);   /* shared memory region: none */
	put32(r, 0);
	put32(r, 0);
	return SCMI_SUCCESS;
}

static void put_sensor_desc(struct scmi_state *st, struct resp *r, unsigned id,
			    const struct scmi_sensor *s)
{
	const struct scmi_sensor_info *in = &s->info;
	uint32_t lo, hi;

	/* no async reads (31), update notifications (30), extended name
	 * (29, 3.1), timestamp (9, exponent 14:10), no extended attributes
	 * (8), trip points (7:0) */
	lo = 1u << 30 | s->num_trips;
	if (ext_names(st) && strlen(in->name) >= SCMI_NAME_LEN)
		lo |= 1u << 29;
	if (in->timestamped)
		lo |= 1u << 9 | s5(in->tstamp_exp) << 10;
	hi = in->type | s5(in->scale) << 11;
	if (in->num_axes)
		hi |= 1u << 8 | (uint32_t)in->num_axes << 16;
	put32(r, id);
	put32(r, lo);
	put32(r, hi);
	put_name(r, in->name);
}

static int sensor_description_get(struct scmi_state *st, const struct proto *pr,
				  const uint8_t *p, struct resp *r)
{
	uint32_t idx = get_le32(p);
	size_t room, n;

	if (idx > st->num_sensors)
		return SCMI_INVALID_PARAMETERS;
	n = st->num_sensors - idx;
	room = resp_room(r);
	room = room >= 4 ? room - 4 : 0;
	if (n > room / SCMI_SENSOR_DESC_SIZE)
		n = room / SCMI_SENSOR_DESC_SIZE;
	if (n > 0xfff)
		n = 0xfff;
	/* returned 11:0, remaining 31:16 */
	put32(r, (uint32_t)n | (uint32_t)(st->num_sensors - idx - n) << 16);
	for (size_t i = 0; i < n; i++)
		put_sensor_desc(st, r, idx + i, &st->sensors[idx + i]);
	return SCMI_SUCCESS;
}

static int read_sensor(struct scmi_sensor *s, struct scmi_reading *rd)
{
	memset(rd, 0, sizeof(*rd) * SCMI_MAX_AXES);
	return s->ops->read(s->inst, s->idx, rd);
}

static unsigned num_readings(const struct scmi_sensor *s)
{
	return s->info.num_axes ? s->info.num_axes : 1;
}

static int sensor_reading_get(struct scmi_state *st, const struct proto *pr,
			      const uint8_t *p, struct resp *r)
{
	struct scmi_reading rd[SCMI_MAX_AXES];
	uint32_t id = get_le32(p), flags = get_le32(p + 4);
	struct scmi_sensor *s;
	int ret;

	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	if (flags & 1)
		return SCMI_NOT_SUPPORTED;   /* asynchronous: not offered */
	if (flags)
		return SCMI_INVALID_PARAMETERS;
	s = &st->sensors[id];
	ret = read_sensor(s, rd);
	if (ret != SCMI_SUCCESS)
		return ret;
	for (unsigned i = 0; i < num_readings(s); i++) {
		put64(r, (uint64_t)rd[i].value);
		put64(r, s->config & SCMI_SENSOR_CFG_TSTAMP ? rd[i].timestamp : 0);
	}
	return SCMI_SUCCESS;
}

static size_t axis_desc_size(const struct scmi_axis_info *a)
{
	return SCMI_AXIS_DESC_SIZE + (a->extended ? SCMI_AXIS_EXT_SIZE : 0);
}

static void put_axis_desc(struct scmi_state *st, struct resp *r, unsigned id,
			  const struct scmi_axis_info *a)
{
	uint32_t lo = a->extended ? 1u << 8 : 0;

	if (ext_names(st) && strlen(a->name) >= SCMI_NAME_LEN)
		lo |= 1u << 9;
	put32(r, id);
	put32(r, lo);
	put32(r, a->type | s5(a->scale) << 11);
	put_name(r, a->name);
	if (a->extended) {
		put32(r, (a->resolution & 0x7ffffff) | s5(a->res_exp) << 27);
		put64(r, (uint64_t)a->min);
		put64(r, (uint64_t)a->max);
	}
}

static int sensor_axis_description_get(struct scmi_state *st,
				       const struct proto *pr,
				       const uint8_t *p, struct resp *r)
{
	uint32_t id = get_le32(p), idx = get_le32(p + 4);
	struct scmi_axis_info a;
	struct scmi_sensor *s;
	size_t room, n = 0, used = 0;
	unsigned total;

	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	s = &st->sensors[id];
	total = s->info.num_axes;
	if (!total)
		return SCMI_NOT_SUPPORTED;
	if (idx > total)
		return SCMI_INVALID_PARAMETERS;
	room = resp_room(r);
	room = room >= 4 ? room - 4 : 0;
	while (idx + n < total && n < 63) {
		memset(&a, 0, sizeof(a));
		s->ops->axis_info(s->inst, s->idx, idx + n, &a);
		if (used + axis_desc_size(&a) > room)
			break;
		used += axis_desc_size(&a);
		n++;
	}
	/* returned 5:0, remaining 31:26 */
	put32(r, (uint32_t)n | (uint32_t)(total - idx - n) << 26);
	for (size_t i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		s->ops->axis_info(s->inst, s->idx, idx + i, &a);
		put_axis_desc(st, r, idx + i, &a);
	}
	return SCMI_SUCCESS;
}

static int sensor_list_update_intervals(struct scmi_state *st,
					const struct proto *pr,
					const uint8_t *p, struct resp *r)
{
	uint32_t id = get_le32(p), idx = get_le32(p + 4);
	size_t room, n;

	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	if (idx > SCMI_NUM_INTERVALS)
		return SCMI_INVALID_PARAMETERS;
	n = SCMI_NUM_INTERVALS - idx;
	room = resp_room(r);
	room = room >= 4 ? room - 4 : 0;
	if (n > room / 4)
		n = room / 4;
	/* returned 11:0, discrete list (12 = 0), remaining 31:16 */
	put32(r, (uint32_t)n | (uint32_t)(SCMI_NUM_INTERVALS - idx - n) << 16);
	for (size_t i = 0; i < n; i++)
		put32(r, scmi_interval_word(idx + i));
	return SCMI_SUCCESS;
}

static uint32_t config_word(const struct scmi_sensor *s)
{
	unsigned i = s->interval;

	return s->config | (uint32_t)intervals[i].secs << 16 |
	       s5(intervals[i].exp) << 11;
}

static int sensor_config_get(struct scmi_state *st, const struct proto *pr,
			     const uint8_t *p, struct resp *r)
{
	uint32_t id = get_le32(p);

	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	put32(r, config_word(&st->sensors[id]));
	return SCMI_SUCCESS;
}

/* The table entry for a requested interval of secs * 10^exp seconds. */
static unsigned pick_interval(uint32_t secs, int exp, unsigned round)
{
	/* compare in ns, saturating; exponents below -9 round to 0 ns */
	uint64_t want;
	unsigned lo = 0, hi = SCMI_NUM_INTERVALS - 1;

	if (exp > 10) {
		want = UINT64_MAX;
	} else if (exp >= -9) {
		uint64_t m = pow10u((unsigned)(exp + 9));

		want = m && secs > UINT64_MAX / m ? UINT64_MAX : secs * m;
	} else {
		want = secs / pow10u((unsigned)(-9 - exp));
	}
	for (unsigned i = 0; i < SCMI_NUM_INTERVALS; i++) {
		if (scmi_interval_ns(i) <= want)
			lo = i;
	}
	for (unsigned i = SCMI_NUM_INTERVALS; i-- > 0;) {
		if (scmi_interval_ns(i) >= want)
			hi = i;
	}
	if (round == SCMI_ROUND_DOWN)
		return scmi_interval_ns(lo) <= want ? lo : 0;
	if (round == SCMI_ROUND_UP)
		return scmi_interval_ns(hi) >= want ? hi : SCMI_NUM_INTERVALS - 1;
	/* nearest */
	if (want <= scmi_interval_ns(0))
		return 0;
	if (want >= scmi_interval_ns(SCMI_NUM_INTERVALS - 1))
		return SCMI_NUM_INTERVALS - 1;
	return want - scmi_interval_ns(lo) <= scmi_interval_ns(hi) - want ? lo : hi;
}

static int sensor_config_set(struct scmi_state *st, const struct proto *pr,
			     const uint8_t *p, struct resp *r)
{
	uint32_t id = get_le32(p), cfg = get_le32(p + 4);
	unsigned round = (cfg & SCMI_SENSOR_CFG_ROUND_MASK) >> SCMI_SENSOR_CFG_ROUND_SHIFT;
	uint32_t secs = cfg >> 16;
	struct scmi_sensor *s;
	int exp = (int)((cfg >> 11) & 0x1f);

	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	s = &st->sensors[id];
	if ((cfg & SCMI_SENSOR_CFG_RESERVED) || round > SCMI_ROUND_AUTO)
		return SCMI_INVALID_PARAMETERS;
	if ((cfg & SCMI_SENSOR_CFG_TSTAMP) && !s->info.timestamped)
		return SCMI_INVALID_PARAMETERS;
	if (exp & 0x10)
		exp -= 32;
	/* an update interval of 0 keeps the current one */
	if (secs)
		s->interval = pick_interval(secs, exp, round);
	s->config = cfg & (SCMI_SENSOR_CFG_ENABLED | SCMI_SENSOR_CFG_TSTAMP);
	s->next_ns = 0;   /* reschedule at the (new) interval */
	return SCMI_SUCCESS;
}

static int sensor_trip_point_notify(struct scmi_state *st, const struct proto *pr,
				    const uint8_t *p, struct resp *r)
{
	uint32_t id = get_le32(p), ctl = get_le32(p + 4);
	struct scmi_sensor *s;

	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	s = &st->sensors[id];
	if (ctl & ~1u)
		return SCMI_INVALID_PARAMETERS;
	if (!s->num_trips)
		return SCMI_NOT_SUPPORTED;
	s->trip_notify = ctl & 1;
	return SCMI_SUCCESS;
}

static int sensor_trip_point_config(struct scmi_state *st, const struct proto *pr,
				    const uint8_t *p, struct resp *r)
{
	uint32_t id = get_le32(p), ctl = get_le32(p + 4);
	struct scmi_reading rd[SCMI_MAX_AXES];
	unsigned tp = (ctl >> 4) & 0xff;
	struct scmi_sensor *s;
	struct scmi_trip *t;

	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	s = &st->sensors[id];
	/* reserved: 31:12 and 3:2 */
	if (ctl & 0xfffff00cu)
		return SCMI_INVALID_PARAMETERS;
	if (!s->num_trips)
		return SCMI_NOT_SUPPORTED;
	if (tp >= s->num_trips)
		return SCMI_INVALID_PARAMETERS;
	t = &s->trip[tp];
	t->ctrl = ctl & 3;
	t->value = (int64_t)((uint64_t)get_le32(p + 8) | (uint64_t)get_le32(p + 12) << 32);
	/* the side the reading is on now: only later crossings count */
	t->above = -1;
	if (t->ctrl && read_sensor(s, rd) == SCMI_SUCCESS)
		t->above = rd[0].value >= t->value;
	s->next_ns = 0;
	return SCMI_SUCCESS;
}

static int sensor_continuous_update_notify(struct scmi_state *st,
					   const struct proto *pr,
					   const uint8_t *p, struct resp *r)
{
	uint32_t id = get_le32(p), ctl = get_le32(p + 4);

	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	if (ctl & ~1u)
		return SCMI_INVALID_PARAMETERS;
	st->sensors[id].update_notify = ctl & 1;
	st->sensors[id].next_ns = 0;
	return SCMI_SUCCESS;
}

static void put_ext_name(struct resp *r, const char *name)
{
	char b[SCMI_EXT_NAME_LEN] = { 0 };

	memcpy(b, name, strnlen(name, SCMI_EXT_NAME_LEN - 1));
	put_bytes(r, b, sizeof(b));
}

static int sensor_name_get(struct scmi_state *st, const struct proto *pr,
			   const uint8_t *p, struct resp *r)
{
	uint32_t id = get_le32(p);

	if (!ext_names(st))
		return SCMI_NOT_SUPPORTED;
	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	put32(r, 0);   /* flags: reserved */
	put_ext_name(r, st->sensors[id].info.name);
	return SCMI_SUCCESS;
}

static int sensor_axis_name_get(struct scmi_state *st, const struct proto *pr,
				const uint8_t *p, struct resp *r)
{
	uint32_t id = get_le32(p), idx = get_le32(p + 4);
	struct scmi_axis_info a;
	struct scmi_sensor *s;
	size_t room, n;
	unsigned total;

	if (!ext_names(st))
		return SCMI_NOT_SUPPORTED;
	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	s = &st->sensors[id];
	total = s->info.num_axes;
	if (!total)
		return SCMI_NOT_SUPPORTED;
	if (idx > total)
		return SCMI_INVALID_PARAMETERS;
	/* every axis from idx on, {axis_id, name[64]} each */
	n = total - idx;
	room = resp_room(r);
	room = room >= 4 ? room - 4 : 0;
	if (n > room / SCMI_AXIS_NAME_SIZE)
		n = room / SCMI_AXIS_NAME_SIZE;
	put32(r, (uint32_t)n | (uint32_t)(total - idx - n) << 26);
	for (size_t i = 0; i < n; i++) {
		memset(&a, 0, sizeof(a));
		s->ops->axis_info(s->inst, s->idx, idx + i, &a);
		put32(r, idx + (uint32_t)i);
		put_ext_name(r, a.name);
	}
	return SCMI_SUCCESS;
}

static int sensor_negotiate(struct scmi_state *st, const struct proto *pr,
			    const uint8_t *p, struct resp *r)
{
	uint32_t v = get_le32(p);

	/* 3.0 lacks only the extended names */
	if (v == SCMI_SENSOR_VERSION || v == SCMI_SENSOR_VERSION_3_0) {
		st->sensor_version = v;
		return SCMI_SUCCESS;
	}
	return SCMI_NOT_SUPPORTED;
}

static int sensor_version(struct scmi_state *st, const struct proto *pr,
			  const uint8_t *p, struct resp *r)
{
	put32(r, SCMI_SENSOR_VERSION);
	return SCMI_SUCCESS;
}

/* Asynchronous reads (delayed responses) are not offered: READING_GET
 * with the async flag gets NOT_SUPPORTED and no sensor sets bit 31. */
static const struct handler sensor_handlers[] = {
	{ SCMI_MSG_PROTOCOL_VERSION, 0, sensor_version },
	{ SCMI_MSG_PROTOCOL_ATTRIBUTES, 0, sensor_attributes },
	{ SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES, 4, msg_message_attributes },
	{ SCMI_SENSOR_DESCRIPTION_GET, 4, sensor_description_get },
	{ SCMI_SENSOR_TRIP_POINT_NOTIFY, 8, sensor_trip_point_notify },
	{ SCMI_SENSOR_TRIP_POINT_CONFIG, 16, sensor_trip_point_config },
	{ SCMI_SENSOR_READING_GET, 8, sensor_reading_get },
	{ SCMI_SENSOR_AXIS_DESCRIPTION_GET, 8, sensor_axis_description_get },
	{ SCMI_SENSOR_LIST_UPDATE_INTERVALS, 8, sensor_list_update_intervals },
	{ SCMI_SENSOR_CONFIG_GET, 4, sensor_config_get },
	{ SCMI_SENSOR_CONFIG_SET, 8, sensor_config_set },
	{ SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, 8, sensor_continuous_update_notify },
	{ SCMI_SENSOR_NAME_GET, 4, sensor_name_get },
	{ SCMI_SENSOR_AXIS_NAME_GET, 8, sensor_axis_name_get },
	{ SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, 4, sensor_negotiate },
};

/* ---- notifications and periodic sampling ---- */

static void ev_put32(struct scmi_event *ev, uint32_t v)
{
	if ((size_t)ev->len + 4 > sizeof(ev->msg))
		return;
	ev->msg[ev->len++] = v & 0xff;
	ev->msg[ev->len++] = (v >> 8) & 0xff;
	ev->msg[ev->len++] = (v >> 16) & 0xff;
	ev->msg[ev->len++] = v >> 24;
}

/* header (type 3, token 0), agent_id 0 (the platform), sensor_id */
static void ev_start(struct scmi_event *ev, unsigned evt, unsigned sensor_id)
{
	memset(ev, 0, sizeof(*ev));
	ev->evt = evt;
	ev->sensor = sensor_id;
	ev_put32(ev, SCMI_HDR(evt, SCMI_TYPE_NOTIFICATION, SCMI_PROTO_SENSOR, 0));
	ev_put32(ev, 0);
	ev_put32(ev, sensor_id);
}

void scmi_event_update(struct scmi_event *ev, unsigned sensor_id,
		       const struct scmi_reading *rd, unsigned n, bool tstamp)
{
	ev_start(ev, SCMI_EVT_SENSOR_UPDATE, sensor_id);
	if (n > SCMI_MAX_AXES)
		n = SCMI_MAX_AXES;
	for (unsigned i = 0; i < n; i++) {
		uint64_t ts = tstamp ? rd[i].timestamp : 0;

		ev_put32(ev, (uint32_t)(uint64_t)rd[i].value);
		ev_put32(ev, (uint32_t)((uint64_t)rd[i].value >> 32));
		ev_put32(ev, (uint32_t)ts);
		ev_put32(ev, (uint32_t)(ts >> 32));
	}
}

void scmi_event_trip(struct scmi_event *ev, unsigned sensor_id,
		     unsigned trip_id, bool ascending)
{
	ev_start(ev, SCMI_EVT_SENSOR_TRIP_POINT, sensor_id);
	/* trip_point_desc: direction 16 (1 = ascending), trip point id 7:0 */
	ev_put32(ev, (ascending ? 1u << 16 : 0) | (trip_id & 0xff));
}

static bool watching_trips(const struct scmi_sensor *s)
{
	if (!s->trip_notify)
		return false;
	for (unsigned i = 0; i < s->num_trips; i++)
		if (s->trip[i].ctrl)
			return true;
	return false;
}

static bool sending_updates(const struct scmi_sensor *s)
{
	return s->update_notify && (s->config & SCMI_SENSOR_CFG_ENABLED);
}

/* Tell a streaming device when its sensor starts or stops being sampled. */
static void set_stream(struct scmi_state *st, struct scmi_sensor *s, bool on)
{
	if (s->streaming == on)
		return;
	s->streaming = on;
	if (s->ops->stream)
		s->ops->stream(s->inst, s->idx, on, st->loop);
}

void scmi_state_stop_streams(struct scmi_state *st)
{
	for (unsigned i = 0; i < st->num_sensors; i++)
		set_stream(st, &st->sensors[i], false);
}

uint64_t scmi_schedule(struct scmi_state *st, uint64_t now_ns)
{
	uint64_t next = 0;

	for (unsigned i = 0; i < st->num_sensors; i++) {
		struct scmi_sensor *s = &st->sensors[i];
		bool want = sending_updates(s) || watching_trips(s);

		set_stream(st, s, want);
		if (!want) {
			s->next_ns = 0;
			continue;
		}
		if (!s->next_ns)
			s->next_ns = now_ns + scmi_interval_ns(s->interval);
		if (!next || s->next_ns < next)
			next = s->next_ns;
	}
	return next;
}

static void check_trips(struct scmi_sensor *s, unsigned id, int64_t v,
			scmi_emit_fn emit, void *opaque)
{
	struct scmi_event ev;

	for (unsigned i = 0; i < s->num_trips; i++) {
		struct scmi_trip *t = &s->trip[i];
		int8_t above = v >= t->value;

		if (!t->ctrl)
			continue;
		if (t->above >= 0 && above != t->above) {
			/* ctrl bit 0: ascending crossings, bit 1: descending */
			if ((above && (t->ctrl & 1)) || (!above && (t->ctrl & 2))) {
				scmi_event_trip(&ev, id, i, above);
				emit(opaque, &ev);
			}
		}
		t->above = above;
	}
}

uint64_t scmi_sample(struct scmi_state *st, uint64_t now_ns,
		     scmi_emit_fn emit, void *opaque)
{
	struct scmi_reading rd[SCMI_MAX_AXES];
	struct scmi_event ev;

	for (unsigned i = 0; i < st->num_sensors; i++) {
		struct scmi_sensor *s = &st->sensors[i];
		uint64_t iv = scmi_interval_ns(s->interval);

		if (!s->next_ns || s->next_ns > now_ns)
			continue;
		/* keep the cadence; after a stall start again from now */
		s->next_ns += iv;
		if (s->next_ns <= now_ns)
			s->next_ns = now_ns + iv;
		if (read_sensor(s, rd) != SCMI_SUCCESS)
			continue;
		if (sending_updates(s)) {
			scmi_event_update(&ev, i, rd, num_readings(s),
					  s->config & SCMI_SENSOR_CFG_TSTAMP);
			emit(opaque, &ev);
		}
		if (watching_trips(s))
			check_trips(s, i, rd[0].value, emit, opaque);
	}
	return scmi_schedule(st, now_ns);
}

static const struct proto protos[] = {
	{ SCMI_PROTO_BASE, SCMI_BASE_VERSION, base_handlers,
	  sizeof(base_handlers) / sizeof(base_handlers[0]) },
	{ SCMI_PROTO_SENSOR, SCMI_SENSOR_VERSION, sensor_handlers,
	  sizeof(sensor_handlers) / sizeof(sensor_handlers[0]) },
};

static int dispatch(struct scmi_state *st, uint32_t hdr, const uint8_t *p,
		    size_t len, struct resp *r)
{
	const struct proto *pr = NULL;
	const struct handler *h;

	if (SCMI_HDR_TYPE(hdr) != SCMI_TYPE_COMMAND)
		return SCMI_NOT_SUPPORTED;
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].id == SCMI_HDR_PROTO(hdr))
			pr = &protos[i];
	if (!pr)
		return SCMI_NOT_SUPPORTED;
	h = find_handler(pr, SCMI_HDR_MSG_ID(hdr));
	if (!h)
		return SCMI_NOT_SUPPORTED;
	/* h->len <= SCMI_MSG_MAX, so p holds all h->len bytes */
	if (len != h->len)
		return SCMI_PROTOCOL_ERROR;
	return h->fn(st, pr, p, r);
}

int scmi_handle(struct scmi_state *st, const void *req, size_t req_len,
		void *resp, size_t resp_cap)
{
	const uint8_t *q = req;
	struct resp r = { resp, resp_cap, 0 };
	uint32_t hdr;
	size_t len;
	int status;

	if (req_len < 4 || resp_cap < 8)
		return -EINVAL;
	hdr = get_le32(q);
	put32(&r, hdr);
	put32(&r, 0);
	status = dispatch(st, hdr, q + 4, req_len - 4, &r);
	len = status == SCMI_SUCCESS ? r.len : 8;
	if (len > resp_cap)
		len = resp_cap;
	r.len = 4;
	put32(&r, (uint32_t)status);
	return (int)len;
}

/* ---- state ---- */

void scmi_state_init(struct scmi_state *st)
{
	unsigned maj = 0, min = 0, pat = 0;

	memset(st, 0, sizeof(*st));
	st->sensor_version = SCMI_SENSOR_VERSION;
	if (sscanf(VD_VERSION, "%u.%u.%u", &maj, &min, &pat) >= 1)
		st->impl_version = (maj & 0xffff) << 16 | (min & 0xff) << 8 |
				   (pat & 0xff);
}

static bool name_ok(const char *name)
{
	return name[0] && memchr(name, '\0', SCMI_EXT_NAME_LEN);
}

static bool s5_ok(int v)
{
	return v >= -16 && v <= 15;
}

/* What a device describes must be encodable: reject it at start rather
 * than send the guest something malformed. */
static int check_sensor(const struct scmi_dev_ops *ops, void *inst, unsigned s,
			struct scmi_sensor_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	ops->sensor_info(inst, s, info);
	if (!name_ok(info->name)) {
		snprintf(err, errlen, "%s: sensor %u has an empty or too long name",
			 ops->type, s);
		return -EINVAL;
	}
	if (info->num_axes > SCMI_MAX_AXES || !s5_ok(info->scale) ||
	    !s5_ok(info->tstamp_exp)) {
		snprintf(err, errlen, "%s: sensor '%s' has %u axes (at most %d) or a bad exponent",
			 ops->type, info->name, info->num_axes, SCMI_MAX_AXES);
		return -EINVAL;
	}
	for (unsigned a = 0; a < info->num_axes; a++) {
		struct scmi_axis_info ax;

		memset(&ax, 0, sizeof(ax));
		ops->axis_info(inst, s, a, &ax);
		if (!name_ok(ax.name) || !s5_ok(ax.scale) || !s5_ok(ax.res_exp) ||
		    ax.resolution > 0x7ffffff) {
			snprintf(err, errlen, "%s: sensor '%s' axis %u is not encodable",
				 ops->type, info->name, a);
			return -EINVAL;
		}
	}
	return 0;
}

static void sensor_reset(struct scmi_sensor *s)
{
	s->config = 0;
	s->interval = SCMI_DEFAULT_INTERVAL;
	s->update_notify = false;
	s->trip_notify = false;
	s->next_ns = 0;
	for (unsigned t = 0; t < SCMI_TRIP_POINTS; t++) {
		s->trip[t].ctrl = 0;
		s->trip[t].value = 0;
		s->trip[t].above = -1;
	}
}

int scmi_state_add(struct scmi_state *st, const struct scmi_dev_ops *ops,
		   void *inst, char *err, size_t errlen)
{
	struct scmi_sensor *ns;
	unsigned n = ops->num_sensors(inst);

	if (st->num_devs >= SCMI_MAX_DEVS) {
		snprintf(err, errlen, "too many devices (at most %d)", SCMI_MAX_DEVS);
		goto fail;
	}
	if (n > SCMI_MAX_SENSORS - st->num_sensors) {
		snprintf(err, errlen, "too many sensors (at most %d)", SCMI_MAX_SENSORS);
		goto fail;
	}
	if (!n) {
		st->devs[st->num_devs].ops = ops;
		st->devs[st->num_devs++].inst = inst;
		return 0;
	}
	ns = realloc(st->sensors, (st->num_sensors + n) * sizeof(*ns));
	if (!ns) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	st->sensors = ns;
	for (unsigned i = 0; i < n; i++) {
		struct scmi_sensor *s = &ns[st->num_sensors + i];

		if (check_sensor(ops, inst, i, &s->info, err, errlen))
			goto fail;
		s->ops = ops;
		s->inst = inst;
		s->idx = i;
		s->num_trips = s->info.num_axes ? 0 : SCMI_TRIP_POINTS;
		s->streaming = false;
		sensor_reset(s);
	}
	st->num_sensors += n;
	st->devs[st->num_devs].ops = ops;
	st->devs[st->num_devs++].inst = inst;
	return 0;
fail:
	ops->destroy(inst);
	return -EINVAL;
}

void scmi_state_reset(struct scmi_state *st)
{
	scmi_state_stop_streams(st);
	for (unsigned i = 0; i < st->num_sensors; i++)
		sensor_reset(&st->sensors[i]);
	st->notify_errors = false;
	st->sensor_version = SCMI_SENSOR_VERSION;
}

void scmi_state_free(struct scmi_state *st)
{
	scmi_state_stop_streams(st);
	for (unsigned i = 0; i < st->num_devs; i++)
		st->devs[i].ops->destroy(st->devs[i].inst);
	free(st->sensors);
	st->sensors = NULL;
	st->num_sensors = 0;
	st->num_devs = 0;
}

/* ---- device specifications ---- */

const struct scmi_dev_ops *scmi_dev_type_find(const char *type)
{
	for (unsigned i = 0; scmi_dev_types[i]; i++)
		if (!strcmp(scmi_dev_types[i]->type, type))
			return scmi_dev_types[i];
	return NULL;
}

static void list_names(char *out, size_t outlen, const struct scmi_dev_ops *ops)
{
	size_t used = 0;

	out[0] = '\0';
	if (ops) {
		for (const struct scmi_prop *p = ops->props; p->name; p++)
			used += snprintf(out + used, used < outlen ? outlen - used : 0,
					 "%s%s", used ? ", " : "", p->name);
	} else {
		for (unsigned i = 0; scmi_dev_types[i]; i++)
			used += snprintf(out + used, used < outlen ? outlen - used : 0,
					 "%s%s", used ? ", " : "", scmi_dev_types[i]->type);
	}
}

int scmi_devspec_parse(const char *s, struct scmi_devspec *sp,
		       char *err, size_t errlen)
{
	char known[128];
	char *p, *next;

	memset(sp, 0, sizeof(*sp));
	if (strlen(s) >= sizeof(sp->buf)) {
		snprintf(err, errlen, "device specification too long (at most %zu bytes)",
			 sizeof(sp->buf) - 1);
		return -EINVAL;
	}
	strcpy(sp->buf, s);
	p = sp->buf;
	next = strchr(p, ',');
	if (next)
		*next++ = '\0';
	if (!*p) {
		snprintf(err, errlen, "missing device type (expected TYPE[,PROP=VALUE]...)");
		return -EINVAL;
	}
	sp->ops = scmi_dev_type_find(p);
	if (!sp->ops) {
		list_names(known, sizeof(known), NULL);
		snprintf(err, errlen, "unknown device type '%s' (known: %s)", p, known);
		return -EINVAL;
	}
	while (next) {
		const struct scmi_prop *pp;
		char *eq;

		p = next;
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (!*p) {
			snprintf(err, errlen, "empty property (expected PROP=VALUE)");
			return -EINVAL;
		}
		eq = strchr(p, '=');
		if (!eq) {
			snprintf(err, errlen, "property '%s' has no value (expected PROP=VALUE)", p);
			return -EINVAL;
		}
		*eq = '\0';
		if (!*p) {
			snprintf(err, errlen, "empty property name before '=%s'", eq + 1);
			return -EINVAL;
		}
		for (pp = sp->ops->props; pp->name; pp++)
			if (!strcmp(pp->name, p))
				break;
		if (!pp->name) {
			list_names(known, sizeof(known), sp->ops);
			snprintf(err, errlen, "unknown property '%s' for device type '%s' (known: %s)",
				 p, sp->ops->type, known[0] ? known : "none");
			return -EINVAL;
		}
		for (unsigned i = 0; i < sp->nkv; i++) {
			if (!strcmp(sp->kv[i].key, p)) {
				snprintf(err, errlen, "property '%s' given twice", p);
				return -EINVAL;
			}
		}
		if (sp->nkv >= SCMI_DEVSPEC_PROPS) {
			snprintf(err, errlen, "too many properties (at most %d)", SCMI_DEVSPEC_PROPS);
			return -EINVAL;
		}
		sp->kv[sp->nkv].key = p;
		sp->kv[sp->nkv++].val = eq + 1;
	}
	return 0;
}

int scmi_state_add_spec(struct scmi_state *st, const char *s,
			char *err, size_t errlen)
{
	static struct scmi_devspec sp;   /* large; setup is single-threaded */
	unsigned instance = 0;
	void *inst = NULL;

	if (scmi_devspec_parse(s, &sp, err, errlen))
		return -EINVAL;
	for (unsigned i = 0; i < st->num_devs; i++)
		if (st->devs[i].ops == sp.ops)
			instance++;
	if (sp.ops->create(sp.kv, sp.nkv, instance, &inst, err, errlen))
		return -EINVAL;
	return scmi_state_add(st, sp.ops, inst, err, errlen);
}

void scmi_devices_help(FILE *f)
{
	fprintf(f, "Device types (-d TYPE[,PROP=VALUE]...):\n");
	for (unsigned i = 0; scmi_dev_types[i]; i++) {
		const struct scmi_dev_ops *o = scmi_dev_types[i];

		fprintf(f, "  %-8s %s\n", o->type, o->summary);
		for (const struct scmi_prop *p = o->props; p->name; p++)
			fprintf(f, "             %s=...  %s\n", p->name, p->help);
	}
}
