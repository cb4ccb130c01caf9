/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* libFuzzer target: the SCMI request handler scmi_handle() and the
 * notification sampling (src/devices/scmi_proto*.c), fed a sequence of
 * requests against one state so that configuration changes carry over.
 *
 * Input (missing bytes read as 0):
 *   0  bits 5-0: number of fake sensor devices - 1 (SCMI_MAX_DEVS is 64);
 *      every third has a name longer than a short name (extended names);
 *      bit 7 set: VIRTIO_SCMI_F_P2A_CHANNELS not negotiated (then no
 *      notification may ever be built)
 *   then records starting with an op byte:
 *   op bit0 clear, a request: le16 response capacity (mod SCMI_RESP_MAX +
 *     64), u8 n; n < 0xff: the request is the next n bytes; n == 0xff:
 *     le16 true length L follows and the request buffer holds the next
 *     min(L, SCMI_REQ_MAX) bytes (a request longer than what is passed);
 *   op bit0 set, time passes: bit1 set jumps to the next deadline, else
 *     le16 milliseconds; then scmi_sample() runs and its notifications go
 *     through a 4-entry scmi_evq, op bits 2-4 = how many are taken out.
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
#include "fuzz_util.h"

#define CHECK(c) FZ_CHECK(c)

/* Every notification: a whole type-3 message of the sensor protocol. */
static void check_event(const struct scmi_event *ev)
{
	uint32_t h;

	CHECK(ev->len >= 12 && ev->len <= SCMI_EVENT_MAX);
	h = fz_le32(ev->msg);
	CHECK(SCMI_HDR_TYPE(h) == SCMI_TYPE_NOTIFICATION);
	CHECK(SCMI_HDR_PROTO(h) == SCMI_PROTO_SENSOR);
	CHECK(SCMI_HDR_MSG_ID(h) == ev->evt);
	CHECK(ev->evt == SCMI_EVT_SENSOR_TRIP_POINT || ev->evt == SCMI_EVT_SENSOR_UPDATE);
}

static bool p2a;

static void emit(void *opaque, const struct scmi_event *ev)
{
	CHECK(p2a);
	check_event(ev);
	scmi_evq_push(opaque, ev);
	CHECK(((struct scmi_evq *)opaque)->count <= ((struct scmi_evq *)opaque)->cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init, verbose;
	struct fz_in r = { data, size };
	struct scmi_state st;
	struct scmi_evq evq;
	char err[256], spec[128];
	uint64_t now = 1000000000ull, next = 0;
	unsigned ndev;
	uint8_t b0;

	if (!init) {
		verbose = getenv("FUZZ_VERBOSE") != NULL;
		log_set_level(verbose ? LOG_DEBUG : LOG_ERROR);
		init = 1;
	}
	scmi_state_init(&st);
	CHECK(scmi_evq_init(&evq, 4) == 0);
	b0 = fz_u8(&r);
	ndev = 1 + b0 % SCMI_MAX_DEVS;
	p2a = !(b0 & 0x80);
	st.p2a = p2a;
	for (unsigned i = 0; i < ndev; i++) {
		if (i % 3 == 2)
			snprintf(spec, sizeof(spec),
				 "fake,name=a-rather-long-accelerometer-name-%u", i);
		else
			snprintf(spec, sizeof(spec), "fake");
		if (scmi_state_add_spec(&st, spec, err, sizeof(err)) < 0) {
			fprintf(stderr, "fuzz_scmi: cannot add device %u: %s\n", i, err);
			abort();
		}
	}

	while (r.n) {
		uint8_t op = fz_u8(&r);
		size_t cap, len, have;
		uint8_t *req, *resp;
		int ret;

		if (op & 1) {
			if ((op & 2) && next > now)
				now = next;
			else
				now += fz_u16(&r) * 1000000ull;
			next = scmi_sample(&st, now, emit, &evq);
			CHECK(!next || next > now);
			for (unsigned k = (op >> 2) & 7; k && scmi_evq_peek(&evq); k--) {
				check_event(scmi_evq_peek(&evq));
				scmi_evq_pop(&evq);
			}
			continue;
		}
		cap = fz_u16(&r) % (SCMI_RESP_MAX + 64);
		len = fz_u8(&r);
		if (len == 0xff)
			len = fz_u16(&r);
		have = len < SCMI_REQ_MAX ? len : SCMI_REQ_MAX;
		req = malloc(have ? have : 1);
		resp = malloc(cap ? cap : 1);
		CHECK(req && resp);
		fz_take(&r, req, have);

		ret = scmi_handle(&st, req, len, resp, cap);
		if (verbose)
			fprintf(stderr, "fuzz_scmi: proto 0x%x msg 0x%x len %zu cap %zu -> %d status %d\n",
				have >= 4 ? SCMI_HDR_PROTO(fz_le32(req)) : 0,
				have >= 4 ? SCMI_HDR_MSG_ID(fz_le32(req)) : 0, len, cap, ret,
				ret >= 8 ? (int)fz_le32(resp + 4) : 0);
		if (len < 4 || cap < 8) {
			CHECK(ret == -EINVAL);
		} else {
			int32_t status;

			CHECK(ret >= 8);
			CHECK((size_t)ret <= cap);
			CHECK(fz_le32(resp) == fz_le32(req));
			status = (int32_t)fz_le32(resp + 4);
			CHECK(status <= SCMI_SUCCESS && status >= SCMI_PROTOCOL_ERROR);
			CHECK(status == SCMI_SUCCESS || ret == 8);
		}
		free(req);
		free(resp);
		next = scmi_schedule(&st, now);
	}
	scmi_evq_free(&evq);
	scmi_state_free(&st);
	return 0;
}
