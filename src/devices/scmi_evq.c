/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The bounded FIFO of SCMI notifications waiting for eventq buffers (one
 * per guest).  Allocated once at start; pushing never allocates.  Policy
 * when full: see struct scmi_evq in scmi.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/scmi.h"

int scmi_evq_init(struct scmi_evq *q, unsigned cap)
{
	memset(q, 0, sizeof(*q));
	if (!cap)
		return -EINVAL;
	q->ev = calloc(cap, sizeof(*q->ev));
	if (!q->ev)
		return -ENOMEM;
	q->cap = cap;
	return 0;
}

void scmi_evq_free(struct scmi_evq *q)
{
	free(q->ev);
	memset(q, 0, sizeof(*q));
}

void scmi_evq_clear(struct scmi_evq *q)
{
	q->head = 0;
	q->count = 0;
}

static struct scmi_event *at(const struct scmi_evq *q, unsigned i)
{
	return &q->ev[(q->head + i) % q->cap];
}

/* Remove entry i (0 = oldest), keeping the order of the others. */
static void remove_at(struct scmi_evq *q, unsigned i)
{
	for (unsigned j = i; j + 1 < q->count; j++)
		*at(q, j) = *at(q, j + 1);
	q->count--;
}

static bool is_update(const struct scmi_event *ev)
{
	return ev->evt == SCMI_EVT_SENSOR_UPDATE;
}

/* Make room for ev in a full queue; returns true if ev was merged into
 * an entry instead (nothing more to do). */
static bool make_room(struct scmi_evq *q, const struct scmi_event *ev)
{
	if (is_update(ev)) {
		/* the newest queued update of the same sensor takes the value */
		for (unsigned i = q->count; i-- > 0;) {
			struct scmi_event *e = at(q, i);

			if (is_update(e) && e->sensor == ev->sensor) {
				*e = *ev;
				q->coalesced++;
				return true;
			}
		}
	}
	/* the oldest update of a sensor that has a newer one queued */
	for (unsigned i = 0; i < q->count; i++) {
		struct scmi_event *e = at(q, i);

		if (!is_update(e))
			continue;
		for (unsigned j = i + 1; j < q->count; j++) {
			if (is_update(at(q, j)) && at(q, j)->sensor == e->sensor) {
				remove_at(q, i);
				q->coalesced++;
				return false;
			}
		}
	}
	/* else the oldest trip point event (or, if there is none, the oldest
	 * entry: only when the queue is smaller than the sensor count) */
	for (unsigned i = 0; i < q->count; i++) {
		if (!is_update(at(q, i))) {
			remove_at(q, i);
			q->dropped++;
			return false;
		}
	}
	remove_at(q, 0);
	q->dropped++;
	return false;
}

void scmi_evq_push(struct scmi_evq *q, const struct scmi_event *ev)
{
	if (!q->cap)
		return;
	if (q->count == q->cap && make_room(q, ev))
		return;
	*at(q, q->count) = *ev;
	q->count++;
}

const struct scmi_event *scmi_evq_peek(const struct scmi_evq *q)
{
	return q->count ? at(q, 0) : NULL;
}

void scmi_evq_pop(struct scmi_evq *q)
{
	if (!q->count)
		return;
	q->head = (q->head + 1) % q->cap;
	q->count--;
}
