/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI (Arm System Control and Management Interface, DEN0056) over
 * virtio-scmi: the base and sensor management protocols as pure functions
 * over byte buffers, their state, and the sensor device types behind
 * them (the specification's constants: scmi_spec.h).  Nothing here
 * touches virtqueues. */
#ifndef VD_DEVICES_SCMI_H
#define VD_DEVICES_SCMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "devices/scmi_spec.h"
#include "vhost/work.h"

struct loop;

/* Versions we implement: base 2.1 and sensor 3.1 (SCMI v3.2), which are
 * base 2.0 and sensor 3.0 (SCMI v3.1: extended names, SENSOR_NAME_GET,
 * SENSOR_AXIS_NAME_GET) plus NEGOTIATE_PROTOCOL_VERSION.  An agent may
 * negotiate the older one; PROTOCOL_VERSION reports it afterwards. */
#define SCMI_BASE_VERSION       0x20001u
#define SCMI_BASE_VERSION_2_0   0x20000u
#define SCMI_SENSOR_VERSION     0x30001u
#define SCMI_SENSOR_VERSION_3_0 0x30000u

/* Our limits */
#define SCMI_RESP_MAX     1024 /* largest response we ever build */
/* A SENSOR_UPDATE notification (agent_id, sensor_id, one reading per
 * axis) must fit the 128-byte payload of the Linux guest's event
 * buffers: 7 axes. */
#define SCMI_MAX_AXES     ((SCMI_MSG_MAX - 8) / SCMI_READING_SIZE)
#define SCMI_TRIP_POINTS  4    /* per scalar sensor */
#define SCMI_MAX_SENSORS  1024
#define SCMI_MAX_DEVS     64

/* ---- sensor devices ---- */

struct scmi_sensor_info {
	/* NUL-terminated, at most 63 bytes; the first 15 are the short
	 * name, a longer one is offered as an extended name (3.1) */
	char name[SCMI_EXT_NAME_LEN];
	uint8_t type;              /* unit code */
	int8_t scale;              /* value * 10^scale, -16..15 */
	unsigned num_axes;         /* 0 = scalar sensor, else 1..SCMI_MAX_AXES */
	bool timestamped;
	int8_t tstamp_exp;         /* timestamp unit 10^exp seconds, -16..15 */
};

struct scmi_axis_info {
	char name[SCMI_EXT_NAME_LEN];  /* as scmi_sensor_info.name */
	uint8_t type;
	int8_t scale;
	bool extended;             /* resolution and range below are valid */
	uint32_t resolution;       /* 27 bits */
	int8_t res_exp;            /* -16..15 */
	int64_t min, max;          /* in units of 10^scale */
};

struct scmi_reading {
	int64_t value;
	uint64_t timestamp;        /* in 10^tstamp_exp s; 0 if none */
};

struct scmi_kv {
	const char *key;
	const char *val;
};

struct scmi_prop {
	const char *name;
	const char *help;
};

/* One sensor device type (`-d TYPE,...`).  An instance can expose several
 * sensors.  Adding a type = writing one of these and listing it in
 * scmi_dev_types[]. */
struct scmi_dev_ops {
	const char *type;           /* "fake" */
	const char *summary;        /* one line for --help-devices */
	const struct scmi_prop *props; /* accepted properties, { NULL } ends */
	/* Build an instance from its properties (already checked against
	 * props, no duplicates).  instance counts earlier devices of the same
	 * type (for default names).  On error write a message naming the bad
	 * value into err and return negative. */
	int (*create)(const struct scmi_kv *kv, unsigned nkv, unsigned instance,
		      void **inst, char *err, size_t errlen);
	void (*destroy)(void *inst);
	unsigned (*num_sensors)(void *inst);
	void (*sensor_info)(void *inst, unsigned s, struct scmi_sensor_info *out);
	void (*axis_info)(void *inst, unsigned s, unsigned axis,
			  struct scmi_axis_info *out);
	/* Fill max(num_axes, 1) readings; return an SCMI status.  Runs on
	 * the loop, so it never blocks: a reading that may (a host sysfs
	 * attribute) is read_host's, and read returns SCMI_READ_HOST for it
	 * (or is NULL when every reading is).  Optional if read_host is set. */
	int (*read)(void *inst, unsigned s, struct scmi_reading *out);
	/* Optional: the reading that may block, for milliseconds or more (a
	 * sensor behind I2C/SPI, a conversion time, a stuck bus).  It runs
	 * on the instance's worker thread (scmi_host.c), so it touches only
	 * what never changes after create (directory fd, file names,
	 * scales): no loop state, no logging.  Fills out as read does and
	 * returns an SCMI status. */
	int (*read_host)(void *inst, unsigned s, struct scmi_reading *out);
	/* Optional: sensor s starts (on) or stops being sampled
	 * periodically (enabled with continuous updates or trip points).  A
	 * device that can stream from the host (iio buffers) starts or stops
	 * that here, adding its fds to l (NULL: no loop, e.g. unit tests). */
	void (*stream)(void *inst, unsigned s, bool on, struct loop *l);
	/* Optional: the host sets what sensor s reads on axis (0 for a
	 * scalar sensor; x, y, z are axes 0-2) to v, in units of 10^scale
	 * (control command scmi.set), v already checked against the axis
	 * range, or SCMI_SET_MAX for a scalar sensor.  Its sensors must be
	 * scalar or have 3 axes or more, their exponents <= 0
	 * (scmi_state_add checks). */
	void (*set)(void *inst, unsigned s, unsigned axis, int64_t v);
};

/* The largest magnitude scmi.set gives a scalar sensor, in 10^scale. */
#define SCMI_SET_MAX 1000000000000ll
/* read: the reading comes from read_host (not an SCMI status: those are
 * 0 and negative). */
#define SCMI_READ_HOST 1

extern const struct scmi_dev_ops scmi_fake_ops;
extern const struct scmi_dev_ops scmi_sim_ops;
extern const struct scmi_dev_ops scmi_iio_ops;
extern const struct scmi_dev_ops scmi_hwmon_ops;
/* NULL-terminated table of the device types. */
extern const struct scmi_dev_ops *const scmi_dev_types[];

const struct scmi_dev_ops *scmi_dev_type_find(const char *type);

/* Scalar sensor classes: an SCMI unit and the decimal exponent of its
 * usual sub-unit (hwmon's: Documentation/hwmon/sysfs-interface.rst), so
 * that values pass without arithmetic.  The `sim` type names them
 * (type=temperature), `hwmon` finds them by file prefix ("temp").  Ends
 * with a NULL name. */
struct scmi_class {
	const char *name;           /* "temperature" */
	const char *hwmon;          /* "temp" */
	uint8_t unit;               /* SCMI_UNIT_* */
	int8_t scale;               /* <= 0 */
	const char *unit_name;      /* "degrees Celsius" */
};
extern const struct scmi_class scmi_classes[];

/* A sensor name given by the user (name=): 1 to 63 printable ASCII
 * bytes.  0, or -EINVAL with a message naming it in err. */
int scmi_name_check(const char *name, char *err, size_t errlen);

/* ---- protocol state ---- */

struct scmi_trip {
	uint32_t ctrl;              /* event control 1:0 (0 = off) */
	int64_t value;
	int8_t above;               /* last reading >= value: 1, 0, -1 unknown */
};

struct scmi_sensor {
	const struct scmi_dev_ops *ops;
	void *inst;
	unsigned idx;               /* sensor number inside the instance */
	struct scmi_sensor_info info;
	uint32_t config;            /* SCMI_SENSOR_CFG_ENABLED | _TSTAMP */
	unsigned interval;          /* index into the update interval table */
	bool update_notify;         /* CONTINUOUS_UPDATE_NOTIFY on */
	bool trip_notify;           /* TRIP_POINT_NOTIFY on */
	unsigned num_trips;         /* trip points offered */
	struct scmi_trip trip[SCMI_TRIP_POINTS];
	uint64_t next_ns;           /* next sampling (CLOCK_MONOTONIC), 0 none */
	bool streaming;             /* ops->stream(on) called last */
	struct scmi_hostread *hr;   /* read_host off the loop (scmi_host.c);
				     * NULL: read_host runs inline */
};

/* One notification message: header and payload, as put on the eventq. */
#define SCMI_EVENT_MAX (4 + 8 + SCMI_READING_SIZE * SCMI_MAX_AXES)
struct scmi_event {
	uint16_t len;
	uint16_t sensor;
	uint8_t evt;                /* SCMI_EVT_SENSOR_* */
	uint8_t msg[SCMI_EVENT_MAX];
};

struct scmi_state {
	struct scmi_sensor *sensors;
	unsigned num_sensors;
	unsigned num_devs;
	struct {
		const struct scmi_dev_ops *ops;
		void *inst;
	} devs[SCMI_MAX_DEVS];
	uint32_t impl_version;
	/* versions in use: ours, or what the agent negotiated */
	uint32_t base_version;
	uint32_t sensor_version;
	/* VIRTIO_SCMI_F_P2A_CHANNELS negotiated: without it there is no
	 * eventq, so no notification exists (requests for one get
	 * NOT_SUPPORTED, PROTOCOL_MESSAGE_ATTRIBUTES NOT_FOUND, sensors
	 * advertise no update notifications and no trip points) */
	bool p2a;
	bool notify_errors;
	struct loop *loop;          /* handed to ops->stream; NULL in tests */
	struct scmi_host *host;     /* workers for read_host, NULL: inline */
	unsigned wait_sensor;       /* scmi_handle returned 0: the sensor */
};

void scmi_state_init(struct scmi_state *st);
/* Add a created device instance and its sensors (takes ownership of inst,
 * destroying it on failure).  Validates what the device describes. */
int scmi_state_add(struct scmi_state *st, const struct scmi_dev_ops *ops,
		   void *inst, char *err, size_t errlen);
/* Back to the start state: every sensor disabled, continuous updates and
 * trip points off, negotiated versions and P2A forgotten (a fresh
 * device before feature negotiation). */
void scmi_state_reset(struct scmi_state *st);
/* Stop every device stream (ops->stream off); call before the loop goes. */
void scmi_state_stop_streams(struct scmi_state *st);
void scmi_state_free(struct scmi_state *st);

/* Handle one request.  req_len is the request's true length; req holds its
 * first min(req_len, SCMI_REQ_MAX) bytes.  The response (header, status,
 * payload) goes into resp, never more than resp_cap bytes.  Returns the
 * response length, or -EINVAL if the request has no whole header or resp_cap
 * cannot hold header and status.  With workers (st->host), a
 * SENSOR_READING_GET whose reading comes from read_host is not answered:
 * 0 is returned, st->wait_sensor names the sensor, its read is on its
 * way (scmi_host.c), and once it is there (the host_done callback) the
 * same request handled again gets the response built from it. */
int scmi_handle(struct scmi_state *st, const void *req, size_t req_len,
		void *resp, size_t resp_cap);

/* ---- update intervals, sampling and notifications ---- */

#define SCMI_NUM_INTERVALS     10
#define SCMI_DEFAULT_INTERVAL  6    /* 1 s */
/* Interval i of the table, in ns, and in the SCMI update interval format
 * (seconds 20:5, signed decimal exponent 4:0). */
uint64_t scmi_interval_ns(unsigned i);
uint32_t scmi_interval_word(unsigned i);

/* Called with every notification built by scmi_sample(). */
typedef void (*scmi_emit_fn)(void *opaque, const struct scmi_event *ev);

/* Schedule or unschedule each sensor's periodic sampling after a command
 * may have changed it; returns the earliest deadline (CLOCK_MONOTONIC
 * ns), 0 if nothing is to be sampled. */
uint64_t scmi_schedule(struct scmi_state *st, uint64_t now_ns);
/* Sample every sensor due at now_ns: SENSOR_UPDATE for enabled sensors
 * with continuous updates on, SENSOR_TRIP_POINT_EVENT for each trip point
 * crossed in a watched direction.  Returns the next deadline as
 * scmi_schedule(). */
uint64_t scmi_sample(struct scmi_state *st, uint64_t now_ns,
		     scmi_emit_fn emit, void *opaque);
/* Sample sensor id now, off its cadence (its value was just set from the
 * host): the notifications a due sample would send, if it is sampled at
 * all (continuous updates or trip points on); the cadence is kept. */
void scmi_sample_now(struct scmi_state *st, unsigned id, scmi_emit_fn emit, void *opaque);
/* The host reading of sensor id arrived (scmi_host.c): the sampling and
 * trip point baseline that waited for it, with emit as scmi_sample. */
void scmi_sample_host(struct scmi_state *st, unsigned id, scmi_emit_fn emit, void *opaque);
/* Build notification messages (exposed for tests). */
void scmi_event_update(struct scmi_event *ev, unsigned sensor_id,
		       const struct scmi_reading *rd, unsigned n, bool tstamp);
void scmi_event_trip(struct scmi_event *ev, unsigned sensor_id,
		     unsigned trip_id, bool ascending);

/* Bounded FIFO of notifications waiting for eventq buffers.  When it is
 * full, a SENSOR_UPDATE replaces the newest queued update of the same
 * sensor (coalescing: the latest value is never lost, intermediate ones
 * are), else the oldest update of a sensor that has several queued; a
 * trip point event (or an update when neither exists) displaces the
 * oldest trip point event, which is counted in dropped. */
struct scmi_evq {
	struct scmi_event *ev;
	unsigned cap, head, count;
	unsigned long coalesced, dropped;
};

int scmi_evq_init(struct scmi_evq *q, unsigned cap);
void scmi_evq_free(struct scmi_evq *q);
void scmi_evq_clear(struct scmi_evq *q);
void scmi_evq_push(struct scmi_evq *q, const struct scmi_event *ev);
/* Oldest queued event, or NULL; scmi_evq_pop removes it. */
const struct scmi_event *scmi_evq_peek(const struct scmi_evq *q);
void scmi_evq_pop(struct scmi_evq *q);

/* ---- host readings off the loop (scmi_host.c) ----
 *
 * A sensor whose reading may block (ops->read_host) is read on a worker
 * (vhost/work.h), one per device instance (`-d` entry), so a slow sensor
 * delays only the readings of its own instance, never the loop.  At most
 * one read per sensor is in flight: whatever wants a reading meanwhile (a
 * guest's SENSOR_READING_GET, the sampling, a trip point's baseline)
 * shares its result.  A reset drops what is in flight (a generation
 * count): a result of the time before is not used. */
struct scmi_hostread {
	struct work w;              /* on the instance's worker */
	struct scmi_state *st;
	unsigned sensor;
	/* written by run() on the worker */
	struct scmi_reading rd[SCMI_MAX_AXES];
	int status;
	/* loop thread only */
	unsigned gen;               /* host generation when submitted */
	bool busy;                  /* submitted, done() not yet run */
	bool again;                 /* wanted while a stale read was busy */
	bool ready;                 /* rd and status answer what waits now */
	bool sample;                /* a sampling waits for it */
	bool baseline;              /* a trip point's side waits for it */
	bool have_last;             /* last and last_status hold a result */
	int last_status;            /* the latest read's status */
	struct scmi_reading last[SCMI_MAX_AXES];   /* and its readings */
};

/* Called on the loop when sensor's reading is ready (hr->ready): answer
 * the requests waiting for it (or keep them, with hr->ready, while the
 * queue is stopped), and scmi_sample_host() for the sampling. */
typedef void (*scmi_host_done_fn)(void *opaque, unsigned sensor);

/* A worker for every device instance with read_host (none: nothing to
 * do, st->host stays NULL).  Start once serving (threads start after the
 * lock-down; declare SB_NEED_THREADS at start when scmi_host_needed()).
 * 0 or -errno. */
bool scmi_host_needed(const struct scmi_state *st);
int scmi_host_start(struct scmi_state *st, struct loop *l, scmi_host_done_fn done,
		    void *opaque);
/* A reading of s is wanted (why: SCMI_HOST_*): submit one unless one is
 * in flight. */
#define SCMI_HOST_REQUEST  0u
#define SCMI_HOST_SAMPLE   1u
#define SCMI_HOST_BASELINE 2u
void scmi_host_want(struct scmi_state *st, struct scmi_sensor *s, unsigned why);
/* The latest reading of host sensor s, without waiting (the control
 * command scmi.get): its status (SCMI_SUCCESS: rd filled), or SCMI_BUSY
 * when none has come yet (one is then on its way). */
int scmi_host_last(struct scmi_state *st, struct scmi_sensor *s, struct scmi_reading *rd);
/* Forget what waits; results of reads in flight are dropped. */
void scmi_host_reset(struct scmi_state *st);
/* Stop the workers.  false if one is stuck in a read: the state (the
 * instances it reads) must then be left to the process's exit. */
bool scmi_host_stop(struct scmi_state *st);

/* ---- host sysfs access (iio, hwmon) ---- */

/* Read a sysfs attribute dir/name (len > 0; a link is followed): the
 * first line, trailing whitespace removed.  Returns its length or a
 * negative errno.  It waits for the attribute's driver as long as that
 * takes (a sensor value: call it from read_host only). */
int scmi_sysfs_read(int dirfd, const char *name, char *buf, size_t len);
/* Whole-string integer / decimal number after trimming. */
int scmi_sysfs_read_ll(int dirfd, const char *name, long long *v);
int scmi_sysfs_read_double(int dirfd, const char *name, double *v);
bool scmi_sysfs_exists(int dirfd, const char *name);
/* Copy s into a name buffer of SCMI_EXT_NAME_LEN: non-printable bytes
 * become '_', cut at 63 bytes. */
void scmi_name_fit(char *dst, const char *s);

/* iio value mapping (exposed for tests): the decimal exponent kept for a
 * scale, and round((raw + offset) * scale * mult). */
int scmi_iio_scale_exp(double scale);
int64_t scmi_iio_value(double raw, double offset, double scale, double mult);

/* ---- iio buffered reads (/dev/iio:deviceN) ---- */

/* A scan element's storage, from scan_elements/<chan>_type:
 * [be|le]:[s|u]bits/storagebits[Xrepeat][>>shift]
 * (Documentation/ABI/testing/sysfs-bus-iio). */
struct scmi_iio_scan_type {
	bool be;
	bool is_signed;
	uint8_t bits;               /* 1..storagebits */
	uint8_t storagebits;        /* 8, 16, 32 or 64 */
	uint8_t shift;              /* < storagebits */
	uint16_t repeat;            /* 1 if not given */
};

/* Parse a _type string (trailing whitespace allowed): 0 or -EINVAL for
 * anything malformed or absurd (bits > storagebits, storagebits not a
 * power of two byte count, shift + bits beyond storage, float 'f'). */
int scmi_iio_parse_type(const char *s, struct scmi_iio_scan_type *t);

#define SCMI_IIO_SCAN_MAX   64     /* scan elements per device we accept */
#define SCMI_IIO_RECORD_MAX 256    /* bytes per scan record we accept */

struct scmi_iio_elem {
	char name[48];              /* "in_accel_x" (file names minus _en) */
	unsigned index;             /* scan_elements/<name>_index */
	struct scmi_iio_scan_type t;
	unsigned offset;            /* byte offset in the record */
	unsigned bytes;             /* storagebits / 8 * repeat */
};

/* Lay out n enabled elements as the kernel does (iio_compute_scan_bytes
 * in drivers/iio/industrialio-buffer.c): ordered by index with the
 * timestamp channel last, each aligned to its own storage size, the
 * record padded to the largest.  Sorts el in place and fills offset and
 * bytes.  Returns the record size, or -EINVAL (duplicate index, a size
 * that is not a power of two, a record over SCMI_IIO_RECORD_MAX). */
int scmi_iio_layout(struct scmi_iio_elem *el, unsigned n);
/* The value of one (non-repeated) element at p: endianness, shift, mask
 * to bits, sign extension. */
int64_t scmi_iio_extract(const struct scmi_iio_scan_type *t, const uint8_t *p);

/* Directory of the IIO character devices: $VHOST_DEVICE_IIO_DEV_DIR or
 * /dev. */
const char *scmi_iio_dev_dir(void);

#define SCMI_IIOBUF_AXES   3
#define SCMI_IIOBUF_LENGTH 32      /* buffer/length we ask for (scans) */

/* One channel's buffered capture: its scan elements enabled, the buffer
 * enabled, the character device open and (with a loop) watched; the
 * newest whole record's values kept. */
struct scmi_iiobuf {
	bool active;
	int chrfd, scanfd, buffd;
	struct loop *loop;
	struct loop_watch *watch;
	void (*on_fail)(void *opaque, const char *why);  /* from the loop */
	void *opaque;
	unsigned naxes;
	char axis[SCMI_IIOBUF_AXES][48];     /* scan element names */
	bool en_changed[SCMI_IIOBUF_AXES];   /* we wrote _en = 1 */
	long long old_length;                /* -1: length untouched */
	struct scmi_iio_scan_type type[SCMI_IIOBUF_AXES];
	unsigned off[SCMI_IIOBUF_AXES];
	unsigned rec;                        /* record size */
	unsigned have;                       /* bytes of a partial record */
	uint8_t data[SCMI_IIO_RECORD_MAX * 8];
	bool valid;                          /* a whole record arrived */
	int64_t raw[SCMI_IIOBUF_AXES];       /* its values */
	uint64_t ts_us;                      /* when (CLOCK_MONOTONIC) */
	unsigned long records;               /* whole records seen */
};

/* Start capturing the scan elements axes[0..n-1] (e.g. "in_accel_x") of
 * the IIO device at dirfd (sysfs directory) whose character device is
 * dev_dir/devname.  l may be NULL (then call scmi_iiobuf_drain).  On
 * failure everything done is undone and why says what failed. */
int scmi_iiobuf_start(struct scmi_iiobuf *b, int dirfd, const char *devname,
		      const char *const *axes, unsigned n, struct loop *l,
		      char *why, size_t whylen);
/* Read what the device has (bounded), keep the newest whole record.
 * 0, or negative errno with why set when the device failed or closed. */
int scmi_iiobuf_drain(struct scmi_iiobuf *b, char *why, size_t whylen);
/* Disable the buffer, restore the _en and length files, close.  Safe
 * when not active. */
void scmi_iiobuf_stop(struct scmi_iiobuf *b);
/* "iio:deviceN" from a sysfs path's last component (or its resolved
 * path's); -EINVAL if neither is one. */
int scmi_iio_devname(const char *path, char *out, size_t outlen);
/* Write s to a sysfs attribute (not through a link); 0 or negative
 * errno (-EIO for a short write). */
int scmi_sysfs_write(int dirfd, const char *name, const char *s);

/* ---- `-d` specifications ---- */

#define SCMI_DEVSPEC_MAX   512
#define SCMI_DEVSPEC_PROPS 16

struct scmi_devspec {
	char buf[SCMI_DEVSPEC_MAX];
	const struct scmi_dev_ops *ops;
	struct scmi_kv kv[SCMI_DEVSPEC_PROPS];
	unsigned nkv;
};

/* Parse "TYPE[,PROP=VALUE]..." into sp (pointers into sp->buf): checks the
 * syntax, the type and the property names.  On error returns -EINVAL with a
 * message naming the bad part in err. */
int scmi_devspec_parse(const char *s, struct scmi_devspec *sp,
		       char *err, size_t errlen);
/* Parse, create and add one device. */
int scmi_state_add_spec(struct scmi_state *st, const char *s,
			char *err, size_t errlen);
/* The --help-devices text. */
void scmi_devices_help(FILE *f);

#endif
