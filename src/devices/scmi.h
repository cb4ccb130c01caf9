/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI (Arm System Control and Management Interface, DEN0056) over
 * virtio-scmi: message encoding and the base and sensor management
 * protocols as pure functions over byte buffers, and the sensor device
 * types behind them.  Nothing here touches virtqueues. */
#ifndef VD_DEVICES_SCMI_H
#define VD_DEVICES_SCMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Message header: message_id 7:0, type 9:8, protocol_id 17:10, token 27:18 */
#define SCMI_HDR_MSG_ID(h)    ((h) & 0xffu)
#define SCMI_HDR_TYPE(h)      (((h) >> 8) & 0x3u)
#define SCMI_HDR_PROTO(h)     (((h) >> 10) & 0xffu)
#define SCMI_HDR_TOKEN(h)     (((h) >> 18) & 0x3ffu)
#define SCMI_HDR(msg, type, proto, token)                                 \
	((uint32_t)(((msg) & 0xffu) | (((type) & 0x3u) << 8) |            \
		    (((proto) & 0xffu) << 10) | (((token) & 0x3ffu) << 18)))

#define SCMI_TYPE_COMMAND 0

enum scmi_status {
	SCMI_SUCCESS = 0,
	SCMI_NOT_SUPPORTED = -1,
	SCMI_INVALID_PARAMETERS = -2,
	SCMI_DENIED = -3,
	SCMI_NOT_FOUND = -4,
	SCMI_OUT_OF_RANGE = -5,
	SCMI_BUSY = -6,
	SCMI_COMMS_ERROR = -7,
	SCMI_GENERIC_ERROR = -8,
	SCMI_HARDWARE_ERROR = -9,
	SCMI_PROTOCOL_ERROR = -10,
};

#define SCMI_PROTO_BASE   0x10
#define SCMI_PROTO_SENSOR 0x15

/* Messages every protocol has */
#define SCMI_MSG_PROTOCOL_VERSION            0x0
#define SCMI_MSG_PROTOCOL_ATTRIBUTES         0x1
#define SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES 0x2
#define SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION  0x10

/* Base protocol */
#define SCMI_BASE_DISCOVER_VENDOR                 0x3
#define SCMI_BASE_DISCOVER_SUB_VENDOR             0x4
#define SCMI_BASE_DISCOVER_IMPLEMENTATION_VERSION 0x5
#define SCMI_BASE_DISCOVER_LIST_PROTOCOLS         0x6
#define SCMI_BASE_DISCOVER_AGENT                  0x7
#define SCMI_BASE_NOTIFY_ERRORS                   0x8

/* Sensor management protocol */
#define SCMI_SENSOR_DESCRIPTION_GET          0x3
#define SCMI_SENSOR_TRIP_POINT_NOTIFY        0x4
#define SCMI_SENSOR_TRIP_POINT_CONFIG        0x5
#define SCMI_SENSOR_READING_GET              0x6
#define SCMI_SENSOR_AXIS_DESCRIPTION_GET     0x7
#define SCMI_SENSOR_LIST_UPDATE_INTERVALS    0x8
#define SCMI_SENSOR_CONFIG_GET               0x9
#define SCMI_SENSOR_CONFIG_SET               0xa
#define SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY 0xb
#define SCMI_SENSOR_NAME_GET                 0xc
#define SCMI_SENSOR_AXIS_NAME_GET            0xd

/* Versions we implement: base 2.1 (2.0 + NEGOTIATE_PROTOCOL_VERSION),
 * sensor 3.0 (no extended names). */
#define SCMI_BASE_VERSION   0x20001u
#define SCMI_SENSOR_VERSION 0x30000u

/* sensor_config bits (CONFIG_GET/SET) */
#define SCMI_SENSOR_CFG_ENABLED      (1u << 0)
#define SCMI_SENSOR_CFG_TSTAMP       (1u << 1)
#define SCMI_SENSOR_CFG_ROUND_MASK   (3u << 9)
#define SCMI_SENSOR_CFG_INTERVAL_MASK 0xfffff800u  /* secs 31:16, exp 15:11 */

/* Sensor type / unit codes used here (SCMI sensor type table) */
#define SCMI_UNIT_METERS_SEC_SQUARED 0x59

/* Sizes.  The Linux driver's messages carry at most 128 payload bytes;
 * a request is header + payload. */
#define SCMI_NAME_LEN     16   /* short names, NUL included */
#define SCMI_MSG_MAX      128
#define SCMI_REQ_MAX      (4 + SCMI_MSG_MAX)
#define SCMI_RESP_MAX     1024 /* largest response we ever build */
#define SCMI_SENSOR_DESC_SIZE 28
#define SCMI_AXIS_DESC_SIZE   28
#define SCMI_AXIS_EXT_SIZE    20
#define SCMI_READING_SIZE     16
/* A sensor's readings must fit one 128-byte message: 8 axes of 16 bytes. */
#define SCMI_MAX_AXES     (SCMI_MSG_MAX / SCMI_READING_SIZE)
#define SCMI_MAX_SENSORS  1024
#define SCMI_MAX_DEVS     64

/* ---- sensor devices ---- */

struct scmi_sensor_info {
	char name[SCMI_NAME_LEN];  /* NUL-terminated, at most 15 bytes */
	uint8_t type;              /* unit code */
	int8_t scale;              /* value * 10^scale, -16..15 */
	unsigned num_axes;         /* 0 = scalar sensor, else 1..SCMI_MAX_AXES */
	bool timestamped;
	int8_t tstamp_exp;         /* timestamp unit 10^exp seconds, -16..15 */
};

struct scmi_axis_info {
	char name[SCMI_NAME_LEN];
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
	/* Fill max(num_axes, 1) readings; return an SCMI status. */
	int (*read)(void *inst, unsigned s, struct scmi_reading *out);
};

extern const struct scmi_dev_ops scmi_fake_ops;
/* NULL-terminated table of the device types. */
extern const struct scmi_dev_ops *const scmi_dev_types[];

const struct scmi_dev_ops *scmi_dev_type_find(const char *type);

/* ---- protocol state ---- */

struct scmi_sensor {
	const struct scmi_dev_ops *ops;
	void *inst;
	unsigned idx;               /* sensor number inside the instance */
	struct scmi_sensor_info info;
	uint32_t config;            /* SCMI_SENSOR_CFG_* bits */
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
	bool notify_errors;
};

void scmi_state_init(struct scmi_state *st);
/* Add a created device instance and its sensors (takes ownership of inst,
 * destroying it on failure).  Validates what the device describes. */
int scmi_state_add(struct scmi_state *st, const struct scmi_dev_ops *ops,
		   void *inst, char *err, size_t errlen);
/* Back to the start state: every sensor disabled, notifications off. */
void scmi_state_reset(struct scmi_state *st);
void scmi_state_free(struct scmi_state *st);

/* Handle one request.  req_len is the request's true length; req holds its
 * first min(req_len, SCMI_REQ_MAX) bytes.  The response (header, status,
 * payload) goes into resp, never more than resp_cap bytes.  Returns the
 * response length, or -EINVAL if the request has no whole header or resp_cap
 * cannot hold header and status. */
int scmi_handle(struct scmi_state *st, const void *req, size_t req_len,
		void *resp, size_t resp_cap);

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
