/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Internal to the SCMI protocol files (scmi_proto.c: framing, dispatch,
 * base protocol; scmi_proto_sensor.c: sensor management protocol,
 * notifications and sampling): the response builder and the handler
 * tables. */
#ifndef VD_DEVICES_SCMI_PROTO_H
#define VD_DEVICES_SCMI_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "devices/scmi.h"

static inline uint32_t get_le32(const uint8_t *p)
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

static inline size_t resp_room(const struct resp *r)
{
	return r->len < r->cap ? r->cap - r->len : 0;
}

static inline void put_bytes(struct resp *r, const void *src, size_t n)
{
	size_t room = resp_room(r);

	/* all of it fits, the usual case: a copy of n bytes, which the
	 * inlined callers know, compiles to a store */
	if (n <= room)
		memcpy(r->buf + r->len, src, n);
	else if (room)
		memcpy(r->buf + r->len, src, room);
	r->len += n;
}

static inline void put32(struct resp *r, uint32_t v)
{
	uint8_t b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };

	put_bytes(r, b, sizeof(b));
}

static inline void put64(struct resp *r, uint64_t v)
{
	put32(r, (uint32_t)v);
	put32(r, (uint32_t)(v >> 32));
}

/* A 16-byte short name, NUL-padded (names are at most 15 bytes). */
static inline void put_name(struct resp *r, const char *name)
{
	char b[SCMI_NAME_LEN] = { 0 };

	memcpy(b, name, strnlen(name, SCMI_NAME_LEN - 1));
	put_bytes(r, b, sizeof(b));
}

/* 5-bit two's complement field */
static inline uint32_t s5(int v)
{
	return (uint32_t)v & 0x1f;
}

struct proto;

/* handler.flags */
#define H_P2A 1u   /* a notification request: exists only with P2A */

struct handler {
	uint8_t id;
	uint8_t len;    /* parameter bytes */
	uint8_t flags;  /* H_* */
	int (*fn)(struct scmi_state *st, const struct proto *pr,
		  const uint8_t *p, struct resp *r);
};

struct proto {
	uint8_t id;
	/* versions an agent may negotiate, newest (the default) first */
	const uint32_t *versions;
	size_t nversions;
	/* the state's version in use for this protocol */
	uint32_t *(*version)(struct scmi_state *st);
	const struct handler *h;
	size_t nh;
};

/* The messages every protocol has, the same for each */
int scmi_msg_version(struct scmi_state *st, const struct proto *pr,
		     const uint8_t *p, struct resp *r);
int scmi_msg_message_attributes(struct scmi_state *st, const struct proto *pr,
				const uint8_t *p, struct resp *r);
int scmi_msg_negotiate(struct scmi_state *st, const struct proto *pr,
		       const uint8_t *p, struct resp *r);

/* The sensor management protocol (scmi_proto_sensor.c) */
extern const struct proto scmi_sensor_proto;

#endif
