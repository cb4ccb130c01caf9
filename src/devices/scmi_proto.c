/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI message handling: framing, dispatch and the base protocol (v2.1),
 * as pure functions from a request buffer to a response buffer (the
 * sensor management protocol is in scmi_proto_sensor.c).  Layouts follow
 * DEN0056 and the Linux arm_scmi driver.
 *
 * Rules kept everywhere (both files):
 * - a known message whose parameters are not exactly the expected size gets
 *   PROTOCOL_ERROR (so a request longer than SCMI_REQ_MAX is never read);
 * - an error status carries no payload;
 * - nothing is written past resp_cap: lists are paged to what fits, fixed
 *   payloads are cut at the buffer end;
 * - without VIRTIO_SCMI_F_P2A_CHANNELS, a notification request (H_P2A) is
 *   not implemented: NOT_SUPPORTED, and NOT_FOUND from
 *   PROTOCOL_MESSAGE_ATTRIBUTES (virtio spec, SCMI device, cmdq
 *   operation: "MUST deny any request for an SCMI notification ... by
 *   returning SCMI status code NOT_SUPPORTED", "MUST NOT indicate in the
 *   PROTOCOL_MESSAGE_ATTRIBUTES return values that any SCMI notification
 *   ... is implemented"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/scmi.h"
#include "devices/scmi_proto.h"

#define VENDOR        "vhost-device"
#define SUB_VENDOR    "scmi"
#define NUM_AGENTS    1
#define OSPM_AGENT_ID 1
#define AGENT_CALLER  0xffffffffu

/* Protocols besides base, in the order DISCOVER_LIST_PROTOCOLS gives them */
static const uint8_t protocol_list[] = { SCMI_PROTO_SENSOR };
#define NUM_PROTOCOLS (sizeof(protocol_list) / sizeof(protocol_list[0]))

/* The handler of message id, NULL if this device does not implement it
 * (now: notification requests only exist with P2A). */
static const struct handler *find_handler(const struct scmi_state *st,
					  const struct proto *pr, uint32_t id)
{
	for (size_t i = 0; i < pr->nh; i++) {
		if (pr->h[i].id != id)
			continue;
		if ((pr->h[i].flags & H_P2A) && !st->p2a)
			return NULL;
		return &pr->h[i];
	}
	return NULL;
}

/* ---- messages every protocol has ---- */

int scmi_msg_version(struct scmi_state *st, const struct proto *pr,
		     const uint8_t *p, struct resp *r)
{
	put32(r, *pr->version(st));
	return SCMI_SUCCESS;
}

int scmi_msg_message_attributes(struct scmi_state *st, const struct proto *pr,
				const uint8_t *p, struct resp *r)
{
	if (!find_handler(st, pr, get_le32(p)))
		return SCMI_NOT_FOUND;
	put32(r, 0);   /* no message-specific attributes */
	return SCMI_SUCCESS;
}

/* The agent asks for one of the versions we can speak; from then on that
 * is the version (PROTOCOL_VERSION reports it) until a reset. */
int scmi_msg_negotiate(struct scmi_state *st, const struct proto *pr,
		       const uint8_t *p, struct resp *r)
{
	uint32_t v = get_le32(p);

	for (size_t i = 0; i < pr->nversions; i++) {
		if (pr->versions[i] == v) {
			*pr->version(st) = v;
			return SCMI_SUCCESS;
		}
	}
	return SCMI_NOT_SUPPORTED;
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

static const struct handler base_handlers[] = {
	{ SCMI_MSG_PROTOCOL_VERSION, 0, 0, scmi_msg_version },
	{ SCMI_MSG_PROTOCOL_ATTRIBUTES, 0, 0, base_attributes },
	{ SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES, 4, 0, scmi_msg_message_attributes },
	{ SCMI_BASE_DISCOVER_VENDOR, 0, 0, base_vendor },
	{ SCMI_BASE_DISCOVER_SUB_VENDOR, 0, 0, base_sub_vendor },
	{ SCMI_BASE_DISCOVER_IMPLEMENTATION_VERSION, 0, 0, base_impl_version },
	{ SCMI_BASE_DISCOVER_LIST_PROTOCOLS, 4, 0, base_list_protocols },
	{ SCMI_BASE_DISCOVER_AGENT, 4, 0, base_discover_agent },
	{ SCMI_BASE_NOTIFY_ERRORS, 4, H_P2A, base_notify_errors },
	{ SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, 4, 0, scmi_msg_negotiate },
};

/* 2.0 and 2.1 differ only by NEGOTIATE_PROTOCOL_VERSION */
static const uint32_t base_versions[] = { SCMI_BASE_VERSION, SCMI_BASE_VERSION_2_0 };

static uint32_t *base_version(struct scmi_state *st)
{
	return &st->base_version;
}

static const struct proto base_proto = {
	SCMI_PROTO_BASE, base_versions, sizeof(base_versions) / sizeof(base_versions[0]),
	base_version, base_handlers, sizeof(base_handlers) / sizeof(base_handlers[0])
};

static const struct proto *const protos[] = { &base_proto, &scmi_sensor_proto };

static int dispatch(struct scmi_state *st, uint32_t hdr, const uint8_t *p,
		    size_t len, struct resp *r)
{
	const struct proto *pr = NULL;
	const struct handler *h;

	if (SCMI_HDR_TYPE(hdr) != SCMI_TYPE_COMMAND)
		return SCMI_NOT_SUPPORTED;
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i]->id == SCMI_HDR_PROTO(hdr))
			pr = protos[i];
	if (!pr)
		return SCMI_NOT_SUPPORTED;
	h = find_handler(st, pr, SCMI_HDR_MSG_ID(hdr));
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
	if (status == SCMI_READ_HOST)
		return 0;   /* a host reading is on its way: st->wait_sensor */
	len = status == SCMI_SUCCESS ? r.len : 8;
	if (len > resp_cap)
		len = resp_cap;
	r.len = 4;
	put32(&r, (uint32_t)status);
	return (int)len;
}
