/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-scmi: virtio-scmi (virtio id 32) with the SCMI base and
 * sensor management protocols, sensors from `-d` devices.  Queue 0 is the
 * command queue (requests answered in place), queue 1 the event queue:
 * its buffers are held, in order, and filled with notifications (sensor
 * updates, trip point events) produced by periodic sampling off one
 * timerfd in the loop; notifications wait in a bounded FIFO while the
 * guest has no buffer posted.  A reading that may block (host sysfs:
 * hwmon, iio without its buffer) comes from the device instance's worker
 * (scmi_host.c): the guest's SENSOR_READING_GET is held, at most one per
 * ring entry, and answered on the loop once the reading is there, by
 * handling the same request again; the sampling evaluates such readings
 * as they come. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/ctl.h"
#include "common/iov.h"
#include "common/log.h"
#include "common/opts.h"
#include "common/sandbox.h"
#include "common/trace.h"
#include "devices/scmi.h"
#include "vhost/dev.h"
#include "vhost/serve.h"
#include "vhost/loop.h"

#define SCMI_QUEUE_SIZE    1024
#define SCMI_Q_CMD         0
#define SCMI_Q_EVENT       1
#define VIRTIO_SCMI_F_P2A_CHANNELS 0
#define SCMI_HELD_REQ      12

struct scmi_priv {
	struct scmi_state st;
	struct vu_dev *dev;
	/* held eventq buffers, oldest first (ring of SCMI_QUEUE_SIZE) */
	struct vq_elem *ev[SCMI_QUEUE_SIZE];
	unsigned ev_head, ev_count;
	/* notifications waiting for eventq buffers */
	struct scmi_evq evq;
	unsigned long reported_coalesced, reported_dropped;
	/* one timer for all periodic sampling, armed for the earliest
	 * sensor deadline (one-shot) */
	struct loop_watch *timer;
	uint64_t timer_at;          /* armed deadline, 0 if disarmed */
	/* SENSOR_READING_GET requests waiting for a host reading, oldest
	 * first: the element and the request (12 bytes: header, sensor_id,
	 * flags, the only request that waits) */
	struct scmi_held {
		struct vq_elem *e;
		uint32_t sensor;
		uint8_t req[SCMI_HELD_REQ];
	} held[SCMI_QUEUE_SIZE];
	unsigned nheld;
	bool kept;                  /* readings kept for a stopped queue */
	bool host_stuck;            /* a worker did not stop: keep the state */
};

/* Hand queued notifications to held eventq buffers, oldest to oldest. */
static void scmi_deliver(struct scmi_priv *p)
{
	const struct scmi_event *ev;

	/* a stopped eventq is not written: flush() delivers once it runs */
	if (p->ev_count && p->dev && !vu_queue_running(p->dev, SCMI_Q_EVENT))
		return;
	while (p->ev_count && (ev = scmi_evq_peek(&p->evq))) {
		struct vq_elem *e = p->ev[p->ev_head];

		p->ev_head = (p->ev_head + 1) % SCMI_QUEUE_SIZE;
		p->ev_count--;
		if (e->in_len < ev->len) {
			/* keep the message for a buffer that can hold it */
			log_bad("scmi: event buffer of %u bytes cannot hold a %u-byte notification; "
				"returned empty", e->in_len, ev->len);
			vu_complete(p->dev, SCMI_Q_EVENT, e, 0);
			continue;
		}
		iov_from_buf(e->in, e->in_num, 0, ev->msg, ev->len);
		vu_complete(p->dev, SCMI_Q_EVENT, e, ev->len);
		scmi_evq_pop(&p->evq);
	}
	if (p->evq.coalesced != p->reported_coalesced ||
	    p->evq.dropped != p->reported_dropped) {
		log_bad("scmi: the guest is not taking notifications: %lu sensor updates "
			"coalesced, %lu trip point events dropped so far",
			p->evq.coalesced, p->evq.dropped);
		p->reported_coalesced = p->evq.coalesced;
		p->reported_dropped = p->evq.dropped;
	}
}

static void scmi_emit(void *opaque, const struct scmi_event *ev)
{
	struct scmi_priv *p = opaque;

	scmi_evq_push(&p->evq, ev);
}

static void scmi_timer_cb(void *opaque, int fd, uint32_t events);

/* Arm the sampling timer for deadline next (0: disarm). */
static void scmi_arm(struct scmi_priv *p, uint64_t next, uint64_t now)
{
	uint64_t delta;

	if (next == p->timer_at)
		return;
	if (!next) {
		if (p->timer)
			loop_timer_set(p->timer, 0, 0);
		p->timer_at = 0;
		return;
	}
	delta = next > now ? next - now : 1;
	if (!p->timer) {
		p->timer = loop_timer(p->st.loop, delta, 0, scmi_timer_cb, p);
		if (!p->timer) {
			log_err("scmi: cannot create the sampling timer: %s", strerror(errno));
			return;
		}
	} else if (loop_timer_set(p->timer, delta, 0) < 0) {
		log_err("scmi: cannot arm the sampling timer");
		return;
	}
	p->timer_at = next;
}

static void scmi_timer_cb(void *opaque, int fd, uint32_t events)
{
	struct scmi_priv *p = opaque;
	uint64_t now = loop_now_ns(), next;

	p->timer_at = 0;
	next = scmi_sample(&p->st, now, scmi_emit, p);
	scmi_deliver(p);
	scmi_arm(p, next, now);
}

static void scmi_reschedule(struct scmi_priv *p)
{
	uint64_t now = loop_now_ns();

	scmi_arm(p, scmi_schedule(&p->st, now), now);
}

static void scmi_stop_timer(struct scmi_priv *p)
{
	if (p->timer && p->st.loop)
		loop_del(p->st.loop, p->timer);
	p->timer = NULL;
	p->timer_at = 0;
}

/* A command and its response as a JSON line of the trace: the header's
 * fields, the status and the first TRACE_SCMI_BYTES of each payload. */
#define TRACE_SCMI_BYTES 32

static void trace_cmd(const uint8_t *req, size_t req_len, const uint8_t *resp, size_t len)
{
	char ph[2 * TRACE_SCMI_BYTES + 3], rh[2 * TRACE_SCMI_BYTES + 3];
	uint32_t h = (uint32_t)(req[0] | req[1] << 8 | req[2] << 16 | (uint32_t)req[3] << 24);
	size_t plen = req_len > SCMI_REQ_MAX ? SCMI_REQ_MAX - 4 : req_len - 4;
	int32_t status = 0;

	if (len >= 8)
		status = (int32_t)(resp[4] | resp[5] << 8 | resp[6] << 16 |
				   (uint32_t)resp[7] << 24);
	trace_json("scmi", "\"protocol\": %u, \"msg\": %u, \"type\": %u, \"token\": %u, "
		   "\"req_len\": %zu, \"req\": \"%s\", \"status\": %d, \"resp_len\": %zu, "
		   "\"resp\": \"%s\"",
		   (h >> 10) & 0xff, h & 0xff, (h >> 8) & 3, (h >> 18) & 0x3ff, req_len - 4,
		   trace_hex(ph, req + 4, plen, TRACE_SCMI_BYTES), status, len > 8 ? len - 8 : 0,
		   trace_hex(rh, resp + 8, len > 8 ? len - 8 : 0, TRACE_SCMI_BYTES));
}

/* Handle req (req_len bytes long, its first SCMI_REQ_MAX here) into e:
 * the bytes written, 0 if it waits for a host reading, or < 0. */
static int scmi_answer(struct scmi_priv *p, struct vq_elem *e, const uint8_t *req,
		       size_t req_len)
{
	uint8_t resp[SCMI_RESP_MAX];
	size_t cap = e->in_len < sizeof(resp) ? e->in_len : sizeof(resp);
	int len = scmi_handle(&p->st, req, req_len, resp, cap);

	if (len <= 0)
		return len;
	if (trace_on(TRACE_JSON))
		trace_cmd(req, req_len, resp, (size_t)len);
	return (int)iov_from_buf(e->in, e->in_num, 0, resp, (size_t)len);
}

static int scmi_handle_cmd(struct scmi_priv *p, struct vq_elem *e)
{
	uint8_t req[SCMI_REQ_MAX];
	struct scmi_held *h;
	int len;

	if (e->out_len < 4) {
		log_bad("scmi: request of %u bytes has no header", e->out_len);
		return -EINVAL;
	}
	if (e->in_len < 8) {
		log_bad("scmi: response buffer of %u bytes is too small", e->in_len);
		return -EINVAL;
	}
	/* one copy out of guest memory; the handler sees only this */
	iov_to_buf(e->out, e->out_num, 0, req, sizeof(req));
	len = scmi_answer(p, e, req, e->out_len);
	if (len != 0)
		return len;
	/* a host reading is on its way; the ring bounds what waits */
	if (p->nheld >= SCMI_QUEUE_SIZE || e->out_len != SCMI_HELD_REQ) {
		/* cannot happen: a ring holds at most SCMI_QUEUE_SIZE, and
		 * only SENSOR_READING_GET (12 bytes) waits */
		log_bad("scmi: cannot hold the request");
		return -EINVAL;
	}
	h = &p->held[p->nheld++];
	h->e = e;
	h->sensor = p->st.wait_sensor;
	memcpy(h->req, req, SCMI_HELD_REQ);
	return DEV_HELD;
}

/* Answer the held requests whose reading is there (hr->ready), in order,
 * the others keep waiting; nothing while the command queue does not run
 * (the readings are kept for flush()). */
static void scmi_answer_held(struct scmi_priv *p)
{
	unsigned k = 0;

	if (!p->nheld || !vu_queue_running(p->dev, SCMI_Q_CMD)) {
		p->kept = p->nheld > 0;
		return;
	}
	for (unsigned i = 0; i < p->nheld; i++) {
		struct scmi_held *h = &p->held[i];
		int len;

		if (!p->st.sensors[h->sensor].hr->ready) {
			p->held[k++] = *h;
			continue;
		}
		len = scmi_answer(p, h->e, h->req, SCMI_HELD_REQ);
		vu_complete(p->dev, SCMI_Q_CMD, h->e, len > 0 ? (uint32_t)len : 0);
	}
	p->nheld = k;
	p->kept = false;
	for (unsigned i = 0; i < p->st.num_sensors; i++)
		if (p->st.sensors[i].hr)
			p->st.sensors[i].hr->ready = false;
}

/* The held requests are gone (their ring is): reads in flight come
 * back to nobody (or to new requests), readings kept for them go. */
static void scmi_forget_held(struct scmi_priv *p)
{
	if (p->kept) {
		for (unsigned i = 0; i < p->st.num_sensors; i++)
			if (p->st.sensors[i].hr)
				p->st.sensors[i].hr->ready = false;
	}
	p->nheld = 0;
	p->kept = false;
}

/* scmi_host.c: sensor's host reading is there */
static void scmi_host_done(void *opaque, unsigned sensor)
{
	struct scmi_priv *p = opaque;
	struct scmi_hostread *hr = p->st.sensors[sensor].hr;

	scmi_sample_host(&p->st, sensor, scmi_emit, p);
	scmi_deliver(p);
	scmi_answer_held(p);
	if (!p->kept)
		hr->ready = false;
}

static int scmi_handle_event(struct scmi_priv *p, struct vq_elem *e)
{
	if (p->ev_count >= SCMI_QUEUE_SIZE) {
		/* cannot happen with a ring of at most SCMI_QUEUE_SIZE */
		log_bad("scmi: too many event buffers");
		return 0;
	}
	p->ev[(p->ev_head + p->ev_count) % SCMI_QUEUE_SIZE] = e;
	p->ev_count++;
	return DEV_HELD;
}

static int scmi_op_handle(void *priv, struct vu_dev *d, unsigned q,
			  struct vq_elem *e)
{
	struct scmi_priv *p = priv;

	p->dev = d;
	if (q == SCMI_Q_CMD)
		return scmi_handle_cmd(p, e);
	if (q == SCMI_Q_EVENT)
		return scmi_handle_event(p, e);
	return -EINVAL;
}

/* After a batch: commands may have changed what is sampled; new event
 * buffers may take queued notifications. */
static void scmi_op_flush(void *priv, struct vu_dev *d, unsigned q)
{
	struct scmi_priv *p = priv;

	p->dev = d;
	scmi_reschedule(p);
	scmi_deliver(p);
	if (p->kept)
		scmi_answer_held(p);
}

static void scmi_op_set_features(void *priv, uint64_t features)
{
	struct scmi_priv *p = priv;

	p->st.p2a = !!(features & (1ull << VIRTIO_SCMI_F_P2A_CHANNELS));
}

static void scmi_op_queue_stop(void *priv, struct vu_dev *d, unsigned q)
{
	struct scmi_priv *p = priv;

	p->dev = d;
	/* sampling resumes with the next request once queues run again;
	 * queued notifications are kept for then */
	scmi_stop_timer(p);
	for (unsigned i = 0; i < p->st.num_sensors; i++)
		p->st.sensors[i].next_ns = 0;
	if (q == SCMI_Q_EVENT) {
		p->ev_head = 0;
		p->ev_count = 0;
	}
	if (q == SCMI_Q_CMD)
		scmi_forget_held(p);
}

static void scmi_op_reset(void *priv, struct vu_dev *d)
{
	struct scmi_priv *p = priv;

	p->dev = d;
	scmi_stop_timer(p);
	p->ev_head = 0;
	p->ev_count = 0;
	scmi_evq_clear(&p->evq);
	scmi_forget_held(p);
	scmi_host_reset(&p->st);
	scmi_state_reset(&p->st);
}

static const struct dev_ops scmi_ops = {
	.name = "scmi",
	.virtio_id = VIRTIO_ID_SCMI,
	.num_queues = 2,
	.queue_size = SCMI_QUEUE_SIZE,
	.chain_max = 2,            /* request, response */
	.features = 1ull << VIRTIO_SCMI_F_P2A_CHANNELS,
	.protocol_features = 0,
	.config_size = 0,
	.set_features = scmi_op_set_features,
	.handle = scmi_op_handle,
	.flush = scmi_op_flush,
	.queue_stop = scmi_op_queue_stop,
	.reset = scmi_op_reset,
};

/* ---- control commands (ctl.h): scmi.get, scmi.set ---- */

/* The axes scmi.set and scmi.get name; a sensor's further axes (none
 * today) are only read. */
static const char *const axis_key[] = { "x", "y", "z" };
#define NUM_AXIS_KEYS 3

/* The sensor a command names: name=NAME or sensor=ID. */
static int ctl_sensor(struct scmi_priv *p, struct ctl_call *c, unsigned *id)
{
	char name[SCMI_EXT_NAME_LEN];
	unsigned found = 0;
	int64_t v;
	int r;

	if (ctl_has(c, "name") && ctl_has(c, "sensor"))
		return ctl_fail(c, CTL_E_ARG, "give name or sensor, not both");
	r = ctl_arg_int(c, "sensor", 0, (int64_t)p->st.num_sensors - 1, &v);
	if (r < 0)
		return -1;
	if (r == 0) {
		*id = (unsigned)v;
		return 0;
	}
	if (ctl_arg_str_req(c, "name", name, sizeof(name)) < 0)
		return -1;
	for (unsigned i = p->st.num_sensors; i-- > 0;) {
		if (strcmp(p->st.sensors[i].info.name, name))
			continue;
		if (found++)
			return ctl_fail(c, CTL_E_ARG, "name '%s' is sensor %u and sensor %u: "
					"give sensor=ID", name, i, *id);
		*id = i;
	}
	if (!found)
		return ctl_fail(c, CTL_E_ARG, "name '%s': no such sensor", name);
	return 0;
}

static unsigned scale_digits(int scale)
{
	return scale < 0 ? (unsigned)-scale : 0;
}

/* The sensor's reading as "value" (scalar) or per axis "x", "y", "z"
 * ("axisN" beyond), in its unit.  A host sensor's is the latest its
 * worker read (nothing reads it on the loop). */
static int put_reading(struct scmi_priv *p, struct scmi_sensor *s, unsigned id,
		       struct ctl_call *c)
{
	struct scmi_reading rd[SCMI_MAX_AXES];
	struct json_w *w = ctl_out(c);
	int r = SCMI_READ_HOST;

	memset(rd, 0, sizeof(rd));
	if (s->ops->read)
		r = s->ops->read(s->inst, s->idx, rd);
	if (r == SCMI_READ_HOST) {
		r = scmi_host_last(&p->st, s, rd);
		if (r == SCMI_BUSY)
			return ctl_fail(c, CTL_E_STATE, "sensor %u '%s' is read from the host off "
					"the event loop and has no reading yet (one is on its way): "
					"ask again", id, s->info.name);
	}
	if (r != SCMI_SUCCESS)
		return ctl_fail(c, CTL_E_STATE, "sensor %u '%s': the reading failed "
				"(SCMI status %d)", id, s->info.name, r);
	jw_uint(w, "sensor", id);
	jw_str(w, "name", s->info.name);
	jw_str(w, "type", s->ops->type);
	if (!s->info.num_axes) {
		jw_fixed(w, "value", rd[0].value, scale_digits(s->info.scale));
		return 0;
	}
	for (unsigned a = 0; a < s->info.num_axes; a++) {
		struct scmi_axis_info ax;
		char key[16];

		memset(&ax, 0, sizeof(ax));
		s->ops->axis_info(s->inst, s->idx, a, &ax);
		if (a < NUM_AXIS_KEYS)
			snprintf(key, sizeof(key), "%s", axis_key[a]);
		else
			snprintf(key, sizeof(key), "axis%u", a);
		jw_fixed(w, key, rd[a].value, scale_digits(ax.scale));
	}
	return 0;
}

static int cmd_get(void *opaque, struct ctl_call *c)
{
	struct scmi_priv *p = opaque;
	unsigned id;

	if (ctl_sensor(p, c, &id) < 0)
		return -1;
	return put_reading(p, &p->st.sensors[id], id, c);
}

/* Set a sim sensor's value or fake axes, then sample the sensor at once:
 * the guest gets the trip point events and the update the new value
 * causes, as from a due sample. */
static int cmd_set(void *opaque, struct ctl_call *c)
{
	struct scmi_priv *p = opaque;
	int64_t v[NUM_AXIS_KEYS];
	bool given[NUM_AXIS_KEYS] = { false };
	struct scmi_sensor *s;
	unsigned id, n = 0;

	if (ctl_sensor(p, c, &id) < 0)
		return -1;
	s = &p->st.sensors[id];
	if (!s->ops->set)
		return ctl_fail(c, CTL_E_ARG, "sensor %u '%s' is a %s sensor: only sim and fake "
				"sensors can be set", id, s->info.name, s->ops->type);
	if (!s->info.num_axes) {
		for (unsigned a = 0; a < NUM_AXIS_KEYS; a++)
			if (ctl_has(c, axis_key[a]))
				return ctl_fail(c, CTL_E_ARG, "sensor '%s' is scalar: give "
						"value=, not %s=", s->info.name, axis_key[a]);
		if (!ctl_has(c, "value"))
			return ctl_fail(c, CTL_E_ARG, "missing argument 'value'");
		if (ctl_arg_fixed(c, "value", scale_digits(s->info.scale), -SCMI_SET_MAX,
				  SCMI_SET_MAX, &v[0]) < 0)
			return -1;
		given[0] = true;
		n = 1;
	} else {
		if (ctl_has(c, "value"))
			return ctl_fail(c, CTL_E_ARG, "sensor '%s' has axes: give x=, y= or z=, "
					"not value=", s->info.name);
		for (unsigned a = 0; a < NUM_AXIS_KEYS; a++) {
			struct scmi_axis_info ax;
			int64_t lo = -SCMI_SET_MAX, hi = SCMI_SET_MAX;
			int r;

			if (!ctl_has(c, axis_key[a]))
				continue;
			memset(&ax, 0, sizeof(ax));
			s->ops->axis_info(s->inst, s->idx, a, &ax);
			if (ax.extended) {
				lo = ax.min;
				hi = ax.max;
			}
			r = ctl_arg_fixed(c, axis_key[a], scale_digits(ax.scale), lo, hi, &v[a]);
			if (r < 0)
				return -1;
			given[a] = true;
			n++;
		}
		if (!n)
			return ctl_fail(c, CTL_E_ARG, "nothing to set: give x=, y= or z=");
	}
	/* every argument checked: now change the sensor */
	for (unsigned a = 0; a < NUM_AXIS_KEYS; a++)
		if (given[a])
			s->ops->set(s->inst, s->idx, a, v[a]);
	scmi_sample_now(&p->st, id, scmi_emit, p);
	scmi_deliver(p);
	return put_reading(p, s, id, c);
}

/* `list`: the sensors and what the guest asked of each. */
static void scmi_list(void *opaque, unsigned sock, struct json_w *w)
{
	struct scmi_priv *p = opaque;

	jw_arr(w, "sensors");
	for (unsigned i = 0; i < p->st.num_sensors; i++) {
		const struct scmi_sensor *s = &p->st.sensors[i];
		unsigned trips = 0;

		for (unsigned t = 0; t < s->num_trips; t++)
			trips += s->trip[t].ctrl != 0;
		jw_obj(w, NULL);
		jw_uint(w, "sensor", i);
		jw_str(w, "name", s->info.name);
		jw_str(w, "type", s->ops->type);
		jw_uint(w, "axes", s->info.num_axes);
		jw_bool(w, "enabled", s->config & SCMI_SENSOR_CFG_ENABLED);
		jw_bool(w, "updates", s->update_notify);
		jw_uint(w, "trip_points", s->trip_notify ? trips : 0);
		jw_end(w);
	}
	jw_end(w);
}

static const struct ctl_cmd scmi_cmds[] = {
	{ "scmi.get", "name sensor", "read a sensor (by name or number)", cmd_get },
	{ "scmi.set", "name sensor value x y z",
	  "set what a sim sensor (value) or fake sensor (x y z) reads; the guest is notified",
	  cmd_set },
	{ 0 }
};

/* ---- command line ---- */

enum { OPT_DEVICE = 1, OPT_HELP_DEVICES };

static const struct opt scmi_opts[] = {
	OPT("device", 'd', "TYPE[,PROP=VALUE]...", "add sensor devices: one or more per -d, up to\n"
	    "the next option; repeatable; '-d help' lists the types",
	    OPT_DEVICE, .values_help = scmi_devices_help, .multi = true),
	OPT("help-devices", 0, NULL, "list the device types and their properties, then exit",
	    OPT_HELP_DEVICES, .values_help = scmi_devices_help),
	OPT_END
};

static const struct opts_spec scmi_spec = {
	.prog = "vhost-device-scmi",
	.usage = "-s PATH [-d TYPE[,PROP=VALUE]...]...",
	.summary = "vhost-user backend for a virtio-scmi device: the SCMI base protocol\n"
		   "and the sensor management protocol, with sensors from -d devices.",
	.tab = scmi_opts,
	.epilog = "Example:\n"
		  "  vhost-device-scmi -s /tmp/scmi.sock -d fake,name=accel0\n"
		  "  vhost-device-scmi -s /tmp/scmi.sock -d fake,name=a fake,name=b\n"
		  "Run with --help-devices for the device types.\n",
};

static int scmi_opt(void *ctx, int id, const char *arg)
{
	struct scmi_priv *p = ctx;
	char err[256];

	switch (id) {
	case OPT_DEVICE:
		if (scmi_state_add_spec(&p->st, arg, err, sizeof(err)))
			return opts_bad(scmi_spec.prog, "-d", arg, "%s", err);
		return 0;
	}
	return -1;
}

static int scmi_start(void *ctx, struct loop *l, unsigned count)
{
	struct scmi_priv *p = ctx;

	if (!p->st.num_sensors)
		log_warn("no sensor devices given (-d): the guest will see no sensors");
	for (unsigned i = 0; i < p->st.num_sensors; i++)
		log_info("sensor %u: '%s' (%s, %u axes)", i, p->st.sensors[i].info.name,
			 p->st.sensors[i].ops->type, p->st.sensors[i].info.num_axes);
	/* room for one update per sensor plus a margin of trip point events */
	if (scmi_evq_init(&p->evq, p->st.num_sensors + 64)) {
		log_err("out of memory");
		return -1;
	}
	p->st.loop = l;     /* for the sampling timer and streaming devices */
	if (ctl_register(scmi_cmds, p) || ctl_register_list(scmi_list, p)) {
		log_err("cannot register the control commands");
		return -1;
	}
	if (scmi_host_needed(&p->st))
		sandbox_need(SB_NEED_THREADS);   /* started in scmi_serving */
	return 0;
}

/* A worker per device instance whose readings may block, started
 * confined. */
static int scmi_serving(void *ctx, struct loop *l)
{
	struct scmi_priv *p = ctx;
	int r = scmi_host_start(&p->st, l, scmi_host_done, p);

	if (r < 0) {
		log_err("cannot start the sensor reading threads: %s", strerror(-r));
		return -1;
	}
	return 0;
}

static void scmi_stop(void *ctx)
{
	struct scmi_priv *p = ctx;

	p->host_stuck = !scmi_host_stop(&p->st);
}

static void scmi_cleanup(void *ctx, struct loop *l)
{
	struct scmi_priv *p = ctx;

	scmi_stop_timer(p);
	/* iio buffers off, their fds out of the loop, before it goes */
	scmi_state_stop_streams(&p->st);
	p->st.loop = NULL;
	p->dev = NULL;
	/* a worker stuck in a read still uses its instance: leave it */
	if (!p->host_stuck)
		scmi_state_free(&p->st);
	scmi_evq_free(&p->evq);
}

static const struct serve_dev scmi_serve = {
	.spec = &scmi_spec,
	.ops = &scmi_ops,
	.numbered = false,
	.trace_format = TRACE_JSON,
	.opt = scmi_opt,
	.start = scmi_start,
	.serving = scmi_serving,
	.stop = scmi_stop,
	.cleanup = scmi_cleanup,
};

int scmi_main(int argc, char **argv)
{
	static struct scmi_priv p;   /* its eventq ring is 8 KiB */

	scmi_state_init(&p.st);
	return serve_main(&scmi_serve, &p, argc, argv);
}
