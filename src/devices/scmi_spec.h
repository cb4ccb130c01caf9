/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* What the SCMI specification (Arm DEN0056) fixes and this implementation
 * uses: the message header, status codes, protocol and message ids,
 * notification ids, sensor_config bits, sensor type (unit) codes and the
 * sizes of the wire structures.  No state; the device is in scmi.h. */
#ifndef VD_DEVICES_SCMI_SPEC_H
#define VD_DEVICES_SCMI_SPEC_H

#include <stdint.h>

/* Message header: message_id 7:0, type 9:8, protocol_id 17:10, token 27:18 */
#define SCMI_HDR_MSG_ID(h)    ((h) & 0xffu)
#define SCMI_HDR_TYPE(h)      (((h) >> 8) & 0x3u)
#define SCMI_HDR_PROTO(h)     (((h) >> 10) & 0xffu)
#define SCMI_HDR_TOKEN(h)     (((h) >> 18) & 0x3ffu)
#define SCMI_HDR(msg, type, proto, token)                                 \
	((uint32_t)(((msg) & 0xffu) | (((type) & 0x3u) << 8) |            \
		    (((proto) & 0xffu) << 10) | (((token) & 0x3ffu) << 18)))

#define SCMI_TYPE_COMMAND      0
#define SCMI_TYPE_DELAYED_RESP 2
#define SCMI_TYPE_NOTIFICATION 3

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

/* Sensor notifications (message id of a type-3 message) */
#define SCMI_EVT_SENSOR_TRIP_POINT 0x0
#define SCMI_EVT_SENSOR_UPDATE     0x1

/* sensor_config bits (CONFIG_GET/SET) */
#define SCMI_SENSOR_CFG_ENABLED      (1u << 0)
#define SCMI_SENSOR_CFG_TSTAMP       (1u << 1)
#define SCMI_SENSOR_CFG_ROUND_MASK   (3u << 9)
#define SCMI_SENSOR_CFG_ROUND_SHIFT  9
#define SCMI_SENSOR_CFG_RESERVED     0x1fcu        /* bits 8:2 */
#define SCMI_SENSOR_CFG_INTERVAL_MASK 0xfffff800u  /* secs 31:16, exp 15:11 */
#define SCMI_ROUND_DOWN 0
#define SCMI_ROUND_UP   1
#define SCMI_ROUND_AUTO 2

/* Sensor type / unit codes (SCMI sensor type table; Linux
 * include/linux/scmi_protocol.h enum scmi_sensor_class) */
#define SCMI_UNIT_NONE               0x00
#define SCMI_UNIT_UNSPEC             0x01
#define SCMI_UNIT_DEGREES_C          0x02
#define SCMI_UNIT_VOLTS              0x05
#define SCMI_UNIT_AMPS               0x06
#define SCMI_UNIT_WATTS              0x07
#define SCMI_UNIT_JOULES             0x08
#define SCMI_UNIT_LUX                0x0d
#define SCMI_UNIT_KPA                0x0f
#define SCMI_UNIT_RPM                0x13
#define SCMI_UNIT_HERTZ              0x14
#define SCMI_UNIT_METERS             0x1f
#define SCMI_UNIT_RADIANS            0x24
#define SCMI_UNIT_GAUSS              0x2d
#define SCMI_UNIT_FARADS             0x30
#define SCMI_UNIT_OHMS               0x31
#define SCMI_UNIT_PERCENTAGE         0x41
#define SCMI_UNIT_RADIANS_SEC        0x57
#define SCMI_UNIT_METERS_SEC_SQUARED 0x59
#define SCMI_UNIT_METERS_SEC         0x5a

/* Sizes fixed by the specification.  The Linux driver's messages carry
 * at most 128 payload bytes; a request is header + payload. */
#define SCMI_NAME_LEN     16   /* short names, NUL included */
#define SCMI_EXT_NAME_LEN 64   /* extended names (3.1), NUL included */
#define SCMI_MSG_MAX      128
#define SCMI_REQ_MAX      (4 + SCMI_MSG_MAX)
#define SCMI_SENSOR_DESC_SIZE 28
#define SCMI_AXIS_DESC_SIZE   28
#define SCMI_AXIS_EXT_SIZE    20
#define SCMI_READING_SIZE     16
#define SCMI_AXIS_NAME_SIZE   (4 + SCMI_EXT_NAME_LEN)

#endif
