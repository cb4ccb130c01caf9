/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* bench-scmi: throughput of the vhost-user data path (split ring, chain
 * walk, SCMI request handling, completion, notification) measured through
 * the project's frontend against a running daemon.
 * Usage: bench-scmi SOCKET [BATCH] [SECONDS]
 * Prints requests/s, requests per kick and interrupts per batch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/scmi.h"
#include "../tests/frontend/fe.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct fe_opts o = { .queue_size = 256 };
	unsigned batch = argc > 2 ? (unsigned)atoi(argv[2]) : 64;
	double secs = argc > 3 ? atof(argv[3]) : 2.0;
	unsigned long long reqs = 0, kicks = 0, calls = 0;
	uint64_t req_gpa[256], rsp_gpa[256];
	struct fe *fe;
	double t0, t;
	int r;

	if (argc < 2 || batch == 0 || batch > 128) {
		fprintf(stderr, "usage: bench-scmi SOCKET [BATCH 1..128] [SECONDS]\n");
		return 2;
	}
	fe = fe_new();
	if (!fe || fe_connect(fe, argv[1], 5000) < 0 || (r = fe_start(fe, &o)) < 0) {
		fprintf(stderr, "bench-scmi: cannot set up a session on %s\n", argv[1]);
		return 1;
	}
	for (unsigned i = 0; i < batch; i++) {
		uint32_t h = SCMI_HDR(SCMI_SENSOR_READING_GET, 0, SCMI_PROTO_SENSOR, i);
		uint32_t body[3] = { h, 0, 0 };

		req_gpa[i] = fe_alloc(fe, 12, 8);
		rsp_gpa[i] = fe_alloc(fe, 136, 8);
		memcpy(fe_ptr(fe, req_gpa[i], 12), body, 12);
	}
	t0 = now();
	do {
		for (unsigned i = 0; i < batch; i++) {
			struct fe_seg s[2] = { { req_gpa[i], 12, false }, { rsp_gpa[i], 136, true } };
			int head = fe_vq_add(fe, 0, s, 2, false);

			if (head < 0)
				return 1;
			fe_vq_publish(fe, 0, (uint16_t)head);
		}
		kicks += fe_vq_notify(fe, 0) > 0;
		unsigned got = 0;
		while (got < batch) {
			uint32_t id, len;

			if (fe_vq_wait_call(fe, 0, 5000) < 0) {
				fprintf(stderr, "bench-scmi: no completion\n");
				return 1;
			}
			calls++;
			while (fe_vq_get_used(fe, 0, &id, &len) == 1)
				got++;
		}
		reqs += batch;
		t = now() - t0;
	} while (t < secs);
	printf("batch %u: %.0f requests/s, %.2f requests per kick, %.2f interrupts per batch (%llu requests)\n",
	       batch, reqs / t, kicks ? (double)reqs / kicks : 0.0,
	       (double)calls / (reqs / batch), reqs);
	fe_stop(fe);
	fe_free(fe);
	return 0;
}
