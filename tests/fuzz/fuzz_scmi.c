/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* libFuzzer target: the SCMI request handler scmi_handle()
 * (src/devices/scmi_proto.c), fed a sequence of requests against one
 * state so that configuration changes carry over between them.
 *
 * Input (missing bytes read as 0):
 *   0  number of fake sensor devices - 1 (mod SCMI_MAX_DEVS)
 *   then records: le16 response capacity (mod SCMI_RESP_MAX + 64), u8 n;
 *   n < 0xff: the request is the next n bytes; n == 0xff: le16 true
 *   length L follows and the request buffer holds the next
 *   min(L, SCMI_REQ_MAX) bytes (a request longer than what is passed).
 * Request and response live in heap buffers of exactly their size, so
 * AddressSanitizer reports any access past them.
 *
 * Checked for every request: the result is -EINVAL exactly when the
 * request has no whole header or the capacity cannot hold header and
 * status, else it is a length from 8 to the capacity; the response
 * echoes the request header, carries a defined SCMI status, and an error
 * status comes without payload. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "devices/scmi.h"

#define CHECK(c)                                                            \
	do {                                                                \
		if (!(c)) {                                                 \
			fprintf(stderr, "fuzz_scmi: %s:%d: check failed: %s\n", \
				__FILE__, __LINE__, #c);                    \
			abort();                                            \
		}                                                           \
	} while (0)

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t rd8(struct rd *r)
{
	uint8_t v = 0;

	if (r->n) {
		v = *r->p++;
		r->n--;
	}
	return v;
}

static uint16_t rd16(struct rd *r)
{
	uint16_t lo = rd8(r);

	return (uint16_t)(lo | (uint16_t)rd8(r) << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init, verbose;
	struct rd r = { data, size };
	struct scmi_state st;
	char err[256];
	unsigned ndev;

	if (!init) {
		verbose = getenv("FUZZ_VERBOSE") != NULL;
		log_set_level(verbose ? LOG_DEBUG : LOG_ERROR);
		init = 1;
	}
	scmi_state_init(&st);
	ndev = 1 + rd8(&r) % SCMI_MAX_DEVS;
	for (unsigned i = 0; i < ndev; i++) {
		if (scmi_state_add_spec(&st, "fake", err, sizeof(err)) < 0) {
			fprintf(stderr, "fuzz_scmi: cannot add device %u: %s\n", i, err);
			abort();
		}
	}

	while (r.n) {
		size_t cap = rd16(&r) % (SCMI_RESP_MAX + 64);
		size_t len = rd8(&r), have;
		uint8_t *req, *resp;
		int ret;

		if (len == 0xff)
			len = rd16(&r);
		have = len < SCMI_REQ_MAX ? len : SCMI_REQ_MAX;
		req = malloc(have ? have : 1);
		resp = malloc(cap ? cap : 1);
		CHECK(req && resp);
		memset(req, 0, have);
		memcpy(req, r.p, have < r.n ? have : r.n);
		r.p += have < r.n ? have : r.n;
		r.n -= have < r.n ? have : r.n;

		ret = scmi_handle(&st, req, len, resp, cap);
		if (verbose)
			fprintf(stderr, "fuzz_scmi: proto 0x%x msg 0x%x len %zu cap %zu -> %d status %d\n",
				have >= 4 ? SCMI_HDR_PROTO(le32(req)) : 0,
				have >= 4 ? SCMI_HDR_MSG_ID(le32(req)) : 0, len, cap, ret,
				ret >= 8 ? (int)le32(resp + 4) : 0);
		if (len < 4 || cap < 8) {
			CHECK(ret == -EINVAL);
		} else {
			int32_t status;

			CHECK(ret >= 8);
			CHECK((size_t)ret <= cap);
			CHECK(le32(resp) == le32(req));
			status = (int32_t)le32(resp + 4);
			CHECK(status <= SCMI_SUCCESS && status >= SCMI_PROTOCOL_ERROR);
			CHECK(status == SCMI_SUCCESS || ret == 8);
		}
		free(req);
		free(resp);
	}
	scmi_state_free(&st);
	return 0;
}
