/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI host readings off the loop: a worker (vhost/work.h) per device
 * instance with read_host (hwmon, iio's sysfs path), and per sensor one
 * item that is either idle or in flight.  run() calls read_host on the
 * worker into the item; done() comes back on the loop and hands the
 * reading to whatever waits for it (the host_done callback: held guest
 * requests, sampling, a trip point's baseline), unless a reset happened
 * since it was submitted.  The items and workers live in one allocation
 * apart from the state, kept to the process's exit if a worker is stuck
 * in a read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/scmi.h"
#include "vhost/work.h"

struct scmi_host {
	unsigned gen;                    /* bumped by scmi_host_reset */
	scmi_host_done_fn done;
	void *opaque;
	unsigned nwk;
	struct worker *wk[SCMI_MAX_DEVS];
	struct worker **sensor_wk;       /* per sensor, NULL: no read_host */
	struct scmi_hostread hr[];       /* per sensor */
};

bool scmi_host_needed(const struct scmi_state *st)
{
	for (unsigned i = 0; i < st->num_devs; i++)
		if (st->devs[i].ops->read_host && st->devs[i].ops->num_sensors(st->devs[i].inst))
			return true;
	return false;
}

static void hr_run(struct work *w)
{
	struct scmi_hostread *hr = (struct scmi_hostread *)w;
	struct scmi_sensor *s = &hr->st->sensors[hr->sensor];

	/* s->ops, s->inst and s->idx never change once serving */
	memset(hr->rd, 0, sizeof(hr->rd));
	hr->status = s->ops->read_host(s->inst, s->idx, hr->rd);
}

static void submit(struct scmi_host *h, struct scmi_hostread *hr)
{
	hr->busy = true;
	hr->again = false;
	hr->gen = h->gen;
	worker_submit(h->sensor_wk[hr->sensor], &hr->w);
}

static void hr_done(struct work *w)
{
	struct scmi_hostread *hr = (struct scmi_hostread *)w;
	struct scmi_host *h = hr->st->host;

	hr->busy = false;
	if (hr->gen != h->gen) {
		/* read before a reset: nobody waits for this one */
		if (hr->again)
			submit(h, hr);
		return;
	}
	memcpy(hr->last, hr->rd, sizeof(hr->last));
	hr->last_status = hr->status;
	hr->have_last = true;
	hr->ready = true;
	h->done(h->opaque, hr->sensor);
}

int scmi_host_start(struct scmi_state *st, struct loop *l, scmi_host_done_fn done,
		    void *opaque)
{
	struct scmi_host *h;
	unsigned first = 0;

	if (!scmi_host_needed(st))
		return 0;
	h = calloc(1, sizeof(*h) + st->num_sensors * sizeof(h->hr[0]));
	if (!h)
		return -ENOMEM;
	h->sensor_wk = calloc(st->num_sensors, sizeof(*h->sensor_wk));
	if (!h->sensor_wk) {
		free(h);
		return -ENOMEM;
	}
	h->done = done;
	h->opaque = opaque;
	st->host = h;
	for (unsigned i = 0; i < st->num_devs; i++) {
		const struct scmi_dev_ops *ops = st->devs[i].ops;
		unsigned n = ops->num_sensors(st->devs[i].inst);
		char name[48];

		if (ops->read_host && n) {
			struct worker *wk;

			snprintf(name, sizeof(name), "scmi %s %u", ops->type, i);
			wk = worker_new(l, name);
			if (!wk) {
				int e = errno;

				scmi_host_stop(st);
				return -e;
			}
			h->wk[h->nwk++] = wk;
			for (unsigned j = first; j < first + n; j++) {
				h->sensor_wk[j] = wk;
				h->hr[j].w.run = hr_run;
				h->hr[j].w.done = hr_done;
				h->hr[j].st = st;
				h->hr[j].sensor = j;
				st->sensors[j].hr = &h->hr[j];
			}
		}
		first += n;
	}
	return 0;
}

void scmi_host_want(struct scmi_state *st, struct scmi_sensor *s, unsigned why)
{
	struct scmi_hostread *hr = s->hr;

	if (why == SCMI_HOST_SAMPLE)
		hr->sample = true;
	else if (why == SCMI_HOST_BASELINE)
		hr->baseline = true;
	if (!hr->busy)
		submit(st->host, hr);
	else if (hr->gen != st->host->gen)
		hr->again = true;   /* the one in flight is stale */
	/* else: shares the result of the one in flight */
}

int scmi_host_last(struct scmi_state *st, struct scmi_sensor *s, struct scmi_reading *rd)
{
	struct scmi_hostread *hr = s->hr;

	if (!hr)
		return SCMI_BUSY;   /* not serving yet */
	if (!hr->have_last) {
		scmi_host_want(st, s, SCMI_HOST_REQUEST);
		return SCMI_BUSY;
	}
	memcpy(rd, hr->last, sizeof(hr->last));
	return hr->last_status;
}

void scmi_host_reset(struct scmi_state *st)
{
	struct scmi_host *h = st->host;

	if (!h)
		return;
	h->gen++;
	for (unsigned i = 0; i < st->num_sensors; i++) {
		struct scmi_hostread *hr = &h->hr[i];

		hr->again = false;
		hr->ready = false;
		hr->sample = false;
		hr->baseline = false;
	}
}

bool scmi_host_stop(struct scmi_state *st)
{
	struct scmi_host *h = st->host;
	bool all = true;

	if (!h)
		return true;
	for (unsigned i = 0; i < h->nwk; i++)
		if (!worker_free(h->wk[i]))
			all = false;
	for (unsigned i = 0; i < st->num_sensors; i++)
		st->sensors[i].hr = NULL;
	st->host = NULL;
	if (!all)
		return false;   /* a read still writes into its item */
	free(h->sensor_wk);
	free(h);
	return true;
}
