/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* scmi-query: connect to a vhost-device-scmi socket as a VMM would (shared
 * guest memory, virtqueues, kick/call eventfds, through the project's own
 * frontend library) and print what an SCMI guest driver would discover:
 * base protocol, vendor, protocols, sensors and readings.
 * Usage: scmi-query SOCKET [READINGS] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/scmi_spec.h"
#include "../tests/frontend/fe.h"

#define CAP 136   /* what a Linux guest offers: header, status, 128 bytes */

static struct fe *fe;
static unsigned token;

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* One SCMI command; returns the payload length after the status, or
 * negative.  Prints a message for transport errors and SCMI errors. */
static int cmd(unsigned proto, unsigned msg, const uint32_t *args, unsigned nargs,
	       uint8_t *resp)
{
	uint8_t req[4 + 4 * 8];
	uint32_t len = 0;
	int r;

	token = (token + 1) & 0x3ff;
	wr32(req, SCMI_HDR(msg, SCMI_TYPE_COMMAND, proto, token));
	for (unsigned i = 0; i < nargs && i < 8; i++)
		wr32(req + 4 + 4 * i, args[i]);
	r = fe_request(fe, 0, req, 4 + 4 * nargs, resp, CAP, &len, 5000);
	if (r < 0) {
		fprintf(stderr, "scmi-query: request 0x%x/0x%x: %s\n", proto, msg, strerror(-r));
		return r;
	}
	if (len < 8 || rd32(resp) != rd32(req)) {
		fprintf(stderr, "scmi-query: bad response (%u bytes)\n", len);
		return -EPROTO;
	}
	if ((int32_t)rd32(resp + 4) != SCMI_SUCCESS) {
		fprintf(stderr, "scmi-query: request 0x%x/0x%x: SCMI status %d\n", proto, msg,
			(int32_t)rd32(resp + 4));
		return -EIO;
	}
	return (int)len - 8;
}

static double pow10i(int e)
{
	double v = 1;

	for (; e > 0; e--)
		v *= 10;
	for (; e < 0; e++)
		v /= 10;
	return v;
}

static int query(unsigned nread)
{
	uint8_t r[CAP];
	unsigned nsens, idx = 0;
	int n;

	if (cmd(SCMI_PROTO_BASE, SCMI_MSG_PROTOCOL_VERSION, NULL, 0, r) < 4)
		return 1;
	printf("SCMI base protocol %u.%u\n", rd32(r + 8) >> 16, rd32(r + 8) & 0xffff);
	if (cmd(SCMI_PROTO_BASE, SCMI_BASE_DISCOVER_VENDOR, NULL, 0, r) < 16)
		return 1;
	printf("vendor: %.16s\n", (char *)r + 8);
	n = cmd(SCMI_PROTO_BASE, SCMI_BASE_DISCOVER_LIST_PROTOCOLS, (uint32_t[]){ 0 }, 1, r);
	if (n < 4)
		return 1;
	printf("protocols:");
	for (unsigned i = 0; i < rd32(r + 8) && 12 + i < (unsigned)n + 8; i++)
		printf(" 0x%02x", r[12 + i]);
	printf("\n");

	if (cmd(SCMI_PROTO_SENSOR, SCMI_MSG_PROTOCOL_VERSION, NULL, 0, r) < 4)
		return 1;
	printf("sensor protocol %u.%u\n", rd32(r + 8) >> 16, rd32(r + 8) & 0xffff);
	if (cmd(SCMI_PROTO_SENSOR, SCMI_MSG_PROTOCOL_ATTRIBUTES, NULL, 0, r) < 4)
		return 1;
	nsens = rd32(r + 8) & 0xffff;
	printf("sensors: %u\n", nsens);

	while (idx < nsens) {
		n = cmd(SCMI_PROTO_SENSOR, SCMI_SENSOR_DESCRIPTION_GET, (uint32_t[]){ idx }, 1, r);
		if (n < 4)
			return 1;
		unsigned ret = rd32(r + 8) & 0xfff;
		if (!ret || 4 + ret * SCMI_SENSOR_DESC_SIZE > (unsigned)n)
			return 1;
		for (unsigned k = 0; k < ret; k++, idx++) {
			const uint8_t *d = r + 12 + k * SCMI_SENSOR_DESC_SIZE;
			uint32_t id = rd32(d), hi = rd32(d + 8);
			int scale = (int)((hi >> 11) & 0x1f);
			unsigned axes = (hi & (1u << 8)) ? (hi >> 16) & 0x3f : 0;
			uint8_t rr[CAP];

			if (scale & 0x10)
				scale -= 32;
			printf("  sensor %u: '%.16s' unit type 0x%02x, scale 10^%d, %u axes\n",
			       id, (const char *)d + 12, hi & 0xff, scale, axes);
			if (cmd(SCMI_PROTO_SENSOR, SCMI_SENSOR_CONFIG_SET,
				(uint32_t[]){ id, SCMI_SENSOR_CFG_ENABLED }, 2, rr) < 0)
				return 1;
			for (unsigned t = 0; t < nread; t++) {
				n = cmd(SCMI_PROTO_SENSOR, SCMI_SENSOR_READING_GET,
					(uint32_t[]){ id, 0 }, 2, rr);
				if (n < 16)
					return 1;
				printf("    reading %u:", t + 1);
				for (unsigned a = 0; a < (axes ? axes : 1) && 16 * (a + 1) <= (unsigned)n; a++) {
					int64_t v = (int64_t)((uint64_t)rd32(rr + 8 + 16 * a) |
							      (uint64_t)rd32(rr + 12 + 16 * a) << 32);
					printf(" %s%.3f", axes ? (const char *[]){ "x=", "y=", "z=" }[a % 3] : "",
					       (double)v * pow10i(scale));
				}
				printf("\n");
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct fe_opts o = { .queue_size = 64 };
	int r;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: scmi-query SOCKET [READINGS]\n");
		return 2;
	}
	fe = fe_new();
	if (!fe)
		return 1;
	r = fe_connect(fe, argv[1], 5000);
	if (r == 0)
		r = fe_start(fe, &o);
	if (r < 0) {
		fprintf(stderr, "scmi-query: cannot set up a vhost-user session on %s: %s\n",
			argv[1], strerror(-r));
		fe_free(fe);
		return 1;
	}
	r = query(argc > 2 ? (unsigned)atoi(argv[2]) : 3);
	fe_stop(fe);
	fe_free(fe);
	return r;
}
