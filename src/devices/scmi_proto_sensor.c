/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI sensor management protocol (v3.1, an agent may negotiate 3.0, the
 * same but for NEGOTIATE_PROTOCOL_VERSION): the message handlers, the
 * update intervals, and the notifications built by periodic sampling.
 * Rules as in scmi_proto.c; without P2A no sensor offers continuous
 * updates or trip points and nothing is ever sampled for notifications. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/scmi.h"
#include "devices/scmi_proto.h"

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

/* Trip points sensor s offers: none without P2A (no event could tell of
 * a crossing). */
static unsigned num_trips(const struct scmi_state *st, const struct scmi_sensor *s)
{
	return st->p2a ? s->num_trips : 0;
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

	/* no async reads (31), update notifications (30, with P2A), extended
	 * name (29), timestamp (9, exponent 14:10), no extended attributes
	 * (8), trip points (7:0) */
	lo = num_trips(st, s);
	if (st->p2a)
		lo |= 1u << 30;
	if (strlen(in->name) >= SCMI_NAME_LEN)
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

/* A reading of s into rd: from ops->read on the loop; else the host
 * reading that has just arrived (hr->ready); else, without workers,
 * read_host inline; else SCMI_READ_HOST: the caller asks for one
 * (scmi_host_want) and waits. */
static int read_sensor(struct scmi_sensor *s, struct scmi_reading *rd)
{
	int r = SCMI_READ_HOST;

	memset(rd, 0, sizeof(*rd) * SCMI_MAX_AXES);
	if (s->ops->read)
		r = s->ops->read(s->inst, s->idx, rd);
	if (r != SCMI_READ_HOST || !s->ops->read_host)
		return r == SCMI_READ_HOST ? SCMI_GENERIC_ERROR : r;
	if (!s->hr) {
		memset(rd, 0, sizeof(*rd) * SCMI_MAX_AXES);
		return s->ops->read_host(s->inst, s->idx, rd);
	}
	if (!s->hr->ready)
		return SCMI_READ_HOST;
	memcpy(rd, s->hr->rd, sizeof(*rd) * SCMI_MAX_AXES);
	return s->hr->status;
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
	if (ret == SCMI_READ_HOST) {
		/* answered when it is there: scmi_handle returns 0 */
		st->wait_sensor = id;
		scmi_host_want(st, s, SCMI_HOST_REQUEST);
		return ret;
	}
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

	if (strlen(a->name) >= SCMI_NAME_LEN)
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

/* The {sensor_id, axis_desc_index} that SENSOR_AXIS_DESCRIPTION_GET and
 * SENSOR_AXIS_NAME_GET start with: 0, or the SCMI status to answer. */
static int axis_request(struct scmi_state *st, const uint8_t *p, struct scmi_sensor **s,
			uint32_t *idx, unsigned *total)
{
	uint32_t id = get_le32(p);

	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	*s = &st->sensors[id];
	*total = (*s)->info.num_axes;
	if (!*total)
		return SCMI_NOT_SUPPORTED;
	*idx = get_le32(p + 4);
	if (*idx > *total)
		return SCMI_INVALID_PARAMETERS;
	return 0;
}

static int sensor_axis_description_get(struct scmi_state *st,
				       const struct proto *pr,
				       const uint8_t *p, struct resp *r)
{
	uint32_t idx;
	struct scmi_axis_info a;
	struct scmi_sensor *s;
	size_t room, n = 0, used = 0;
	unsigned total;
	int err = axis_request(st, p, &s, &idx, &total);

	if (err)
		return err;
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
	/* the side the reading is on now: only later crossings count (a
	 * host reading: the side it is on when it comes) */
	t->above = -1;
	if (t->ctrl) {
		int ret = read_sensor(s, rd);

		if (ret == SCMI_READ_HOST)
			scmi_host_want(st, s, SCMI_HOST_BASELINE);
		else if (ret == SCMI_SUCCESS)
			t->above = rd[0].value >= t->value;
	}
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

	if (id >= st->num_sensors)
		return SCMI_NOT_FOUND;
	put32(r, 0);   /* flags: reserved */
	put_ext_name(r, st->sensors[id].info.name);
	return SCMI_SUCCESS;
}

static int sensor_axis_name_get(struct scmi_state *st, const struct proto *pr,
				const uint8_t *p, struct resp *r)
{
	uint32_t idx;
	struct scmi_axis_info a;
	struct scmi_sensor *s;
	size_t room, n;
	unsigned total;
	int err = axis_request(st, p, &s, &idx, &total);

	if (err)
		return err;
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

/* Asynchronous reads (delayed responses) are not offered: READING_GET
 * with the async flag gets NOT_SUPPORTED and no sensor sets bit 31.
 * TRIP_POINT_CONFIG counts as a notification request: trip points exist
 * only to raise events. */
static const struct handler sensor_handlers[] = {
	{ SCMI_MSG_PROTOCOL_VERSION, 0, 0, scmi_msg_version },
	{ SCMI_MSG_PROTOCOL_ATTRIBUTES, 0, 0, sensor_attributes },
	{ SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES, 4, 0, scmi_msg_message_attributes },
	{ SCMI_SENSOR_DESCRIPTION_GET, 4, 0, sensor_description_get },
	{ SCMI_SENSOR_TRIP_POINT_NOTIFY, 8, H_P2A, sensor_trip_point_notify },
	{ SCMI_SENSOR_TRIP_POINT_CONFIG, 16, H_P2A, sensor_trip_point_config },
	{ SCMI_SENSOR_READING_GET, 8, 0, sensor_reading_get },
	{ SCMI_SENSOR_AXIS_DESCRIPTION_GET, 8, 0, sensor_axis_description_get },
	{ SCMI_SENSOR_LIST_UPDATE_INTERVALS, 8, 0, sensor_list_update_intervals },
	{ SCMI_SENSOR_CONFIG_GET, 4, 0, sensor_config_get },
	{ SCMI_SENSOR_CONFIG_SET, 8, 0, sensor_config_set },
	{ SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, 8, H_P2A, sensor_continuous_update_notify },
	{ SCMI_SENSOR_NAME_GET, 4, 0, sensor_name_get },
	{ SCMI_SENSOR_AXIS_NAME_GET, 8, 0, sensor_axis_name_get },
	{ SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, 4, 0, scmi_msg_negotiate },
};

/* 3.0 and 3.1 differ only by NEGOTIATE_PROTOCOL_VERSION (SCMI v3.2 added
 * it to every protocol); the extended names are 3.0's already. */
static const uint32_t sensor_versions[] = { SCMI_SENSOR_VERSION, SCMI_SENSOR_VERSION_3_0 };

static uint32_t *sensor_version(struct scmi_state *st)
{
	return &st->sensor_version;
}

const struct proto scmi_sensor_proto = {
	SCMI_PROTO_SENSOR, sensor_versions, sizeof(sensor_versions) / sizeof(sensor_versions[0]),
	sensor_version, sensor_handlers, sizeof(sensor_handlers) / sizeof(sensor_handlers[0])
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

static bool watching_trips(const struct scmi_state *st, const struct scmi_sensor *s)
{
	if (!s->trip_notify)
		return false;
	for (unsigned i = 0; i < num_trips(st, s); i++)
		if (s->trip[i].ctrl)
			return true;
	return false;
}

static bool sending_updates(const struct scmi_state *st, const struct scmi_sensor *s)
{
	return st->p2a && s->update_notify && (s->config & SCMI_SENSOR_CFG_ENABLED);
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
		bool want = sending_updates(st, s) || watching_trips(st, s);

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

/* One sample of sensor id from rd: its update, the trip points it
 * crossed. */
static void sample_one(struct scmi_state *st, unsigned id, const struct scmi_reading *rd,
		       scmi_emit_fn emit, void *opaque)
{
	struct scmi_sensor *s = &st->sensors[id];
	struct scmi_event ev;

	if (sending_updates(st, s)) {
		scmi_event_update(&ev, id, rd, num_readings(s),
				  s->config & SCMI_SENSOR_CFG_TSTAMP);
		emit(opaque, &ev);
	}
	if (watching_trips(st, s))
		check_trips(s, id, rd[0].value, emit, opaque);
}

/* One sample of sensor i: now, or once its host reading comes
 * (scmi_sample_host). */
static void sample(struct scmi_state *st, unsigned i, scmi_emit_fn emit, void *opaque)
{
	struct scmi_sensor *s = &st->sensors[i];
	struct scmi_reading rd[SCMI_MAX_AXES];
	int ret = read_sensor(s, rd);

	if (ret == SCMI_READ_HOST)
		scmi_host_want(st, s, SCMI_HOST_SAMPLE);
	else if (ret == SCMI_SUCCESS)
		sample_one(st, i, rd, emit, opaque);
}

uint64_t scmi_sample(struct scmi_state *st, uint64_t now_ns,
		     scmi_emit_fn emit, void *opaque)
{
	for (unsigned i = 0; i < st->num_sensors; i++) {
		struct scmi_sensor *s = &st->sensors[i];
		uint64_t iv = scmi_interval_ns(s->interval);

		if (!s->next_ns || s->next_ns > now_ns)
			continue;
		/* keep the cadence; after a stall start again from now */
		s->next_ns += iv;
		if (s->next_ns <= now_ns)
			s->next_ns = now_ns + iv;
		sample(st, i, emit, opaque);
	}
	return scmi_schedule(st, now_ns);
}

void scmi_sample_now(struct scmi_state *st, unsigned id, scmi_emit_fn emit, void *opaque)
{
	struct scmi_sensor *s;

	if (id >= st->num_sensors)
		return;
	s = &st->sensors[id];
	if (sending_updates(st, s) || watching_trips(st, s))
		sample(st, id, emit, opaque);
}

void scmi_sample_host(struct scmi_state *st, unsigned id, scmi_emit_fn emit, void *opaque)
{
	struct scmi_sensor *s = &st->sensors[id];
	struct scmi_hostread *hr = s->hr;
	bool sampled = hr->sample, baseline = hr->baseline;

	hr->sample = false;
	hr->baseline = false;
	if (hr->status != SCMI_SUCCESS)
		return;
	/* trip points configured while it was read take their side from it */
	if (baseline) {
		for (unsigned i = 0; i < s->num_trips; i++)
			if (s->trip[i].ctrl && s->trip[i].above < 0)
				s->trip[i].above = hr->rd[0].value >= s->trip[i].value;
	}
	if (sampled)
		sample_one(st, id, hr->rd, emit, opaque);
}
