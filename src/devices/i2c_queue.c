/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* One socket's virtio-i2c request queue: requests are answered in the
 * order they came; FAIL_NEXT groups are assembled across notifications,
 * bounded in size (a transaction's I2C_GROUP_MAX messages, the ring) and
 * in time (I2C_GROUP_WAIT_MS); a group for a host adapter runs on that
 * adapter's worker (off the loop) while the socket's later requests wait
 * behind it; simulated devices answer on the loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/trace.h"
#include "devices/i2c.h"
#include "vhost/dev.h"
#include "vhost/loop.h"

static void pump(struct i2c_sock *s);

static void on_timer(void *opaque, int fd, uint32_t events)
{
	i2c_sock_timeout(opaque);
}

int i2c_sock_init(struct i2c_sock *s, struct i2c_bus *bus, struct loop *l)
{
	memset(s, 0, sizeof(*s));
	s->bus = bus;
	s->loop = l;
	/* the job and its staging area live apart from s: a job stuck on a
	 * worker keeps them after the socket's memory is gone */
	s->job = calloc(1, sizeof(*s->job));
	s->stage = malloc((size_t)I2C_GROUP_MAX * I2C_MSG_MAX);
	if (!s->job || !s->stage) {
		i2c_sock_free(s);
		return -ENOMEM;
	}
	if (l) {
		s->timer = loop_timer(l, 0, 0, on_timer, s);
		if (!s->timer) {
			int e = errno;

			i2c_sock_free(s);
			return -e;
		}
	}
	return 0;
}

void i2c_sock_free(struct i2c_sock *s)
{
	if (s->loop && s->timer)
		loop_del(s->loop, s->timer);
	s->timer = NULL;
	/* a job left running on a stuck bus still writes into itself and
	 * the staging area: leave both to the process's exit */
	if (!s->busy) {
		free(s->job);
		free(s->stage);
	}
	s->job = NULL;
	s->stage = NULL;
}

static void set_timer(struct i2c_sock *s, bool on)
{
	if (!s->timer || s->timer_armed == on)
		return;
	if (loop_timer_set(s->timer, on ? (uint64_t)I2C_GROUP_WAIT_MS * 1000000u : 0, 0) == 0)
		s->timer_armed = on;
}

static void complete_head(struct i2c_sock *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct i2c_req *r = &s->q[s->head + i];

		s->complete(s->complete_ctx, r->e, r->used);
	}
	s->head += n;
	if (s->head == s->tail)
		s->head = s->tail = 0;
}

static void job_run(struct work *w)
{
	struct i2c_job *j = (struct i2c_job *)w;

	i2c_host_exec(&j->x);
}

static bool ring_runs(const struct i2c_sock *s)
{
	return !s->running || s->running(s->complete_ctx);
}

/* A transaction that reached a bus, into the pcap trace: each message as
 * sent, a read with the bytes read (none when the transaction failed). */
static void trace_xfer(const struct i2c_sock *s, const struct i2c_xmsg *m, unsigned n, bool ok)
{
	if (!trace_on(TRACE_PCAP))
		return;
	for (unsigned i = 0; i < n; i++)
		trace_i2c(s->index, m[i].addr, m[i].read, m[i].buf,
			  m[i].read && !ok ? 0 : m[i].len);
}

/* The job's results into its requests (guest memory) and completions. */
static void job_finish(struct i2c_sock *s, struct i2c_job *j)
{
	bool ok;

	s->busy = false;
	ok = i2c_host_finish(&j->x) == 0;
	if (!ok)
		i2c_xfer_failed(j->m, j->n);
	trace_xfer(s, j->m, j->n, ok);
	i2c_group_finish(&s->q[s->head], j->n, j->m, ok);
	complete_head(s, j->n);
	if (!s->inline_run)
		pump(s);
}

static void job_done(struct work *w)
{
	struct i2c_job *j = (struct i2c_job *)w;
	struct i2c_sock *s = j->s;

	if (j->cancelled) {
		s->busy = false;
		j->cancelled = false;
		if (!s->inline_run)
			pump(s);
		return;
	}
	if (!ring_runs(s)) {
		/* the ring is stopped (a pause): guest memory is not written
		 * now; i2c_sock_resume() finishes it (busy until then) */
		s->finished = true;
		return;
	}
	job_finish(s, j);
}

/* Run the group of n requests at the head (complete: it ends with a
 * request without FAIL_NEXT).  Returns false if it went to a worker. */
static bool run_group(struct i2c_sock *s, unsigned n, bool complete)
{
	struct i2c_req *r = &s->q[s->head];
	struct i2c_job *j = s->job;
	struct i2c_adapter *a;
	int err;

	if (!i2c_group_prepare(s->bus, r, n, complete, s->features_ok, s->stage, j->m)) {
		i2c_group_finish(r, n, j->m, false);
		complete_head(s, n);
		return true;
	}
	a = i2c_bus_route(s->bus, j->m, n, &err);
	if (!err) {
		/* an injected fault (i2c.fault): the bus answers for the
		 * device, which never sees the transaction */
		err = i2c_bus_fault(s->bus, s->index, j->m, n);
		if (err) {
			i2c_xfer_failed(j->m, n);
			trace_xfer(s, j->m, n, false);
			i2c_group_finish(r, n, j->m, false);
			complete_head(s, n);
			return true;
		}
	}
	if (!err && a) {
		j->x = (struct i2c_host_xfer){ .b = s->bus, .a = a, .m = j->m, .n = n };
		err = i2c_host_prepare(&j->x);
		if (!err) {
			j->w.run = job_run;
			j->w.done = job_done;
			j->s = s;
			j->n = n;
			j->cancelled = false;
			s->busy = true;
			s->inline_run = !a->wk;
			worker_submit(a->wk, &j->w);   /* NULL worker: done already */
			s->inline_run = false;
			return !s->busy;
		}
	}
	if (!err) {
		err = i2c_bus_xfer(s->bus, j->m, n);   /* simulated: on the loop */
		trace_xfer(s, j->m, n, err == 0);
	} else
		i2c_xfer_failed(j->m, n);
	i2c_group_finish(r, n, j->m, err == 0);
	complete_head(s, n);
	return true;
}

/* Fail the open group at the head now; what follows, up to the end of
 * the group, fails too. */
static void fail_open_group(struct i2c_sock *s, const char *why)
{
	unsigned n = s->tail - s->head;

	log_bad("i2c: %u request(s) linked with FAIL_NEXT: %s; failing them and "
		"the rest of their group", n, why);
	set_timer(s, false);
	run_group(s, n, false);
	s->fail_rest = true;
}

static void pump(struct i2c_sock *s)
{
	while (!s->busy && s->head < s->tail) {
		unsigned avail = s->tail - s->head, n = 0;

		while (n < avail && s->q[s->head + n].fail_next)
			n++;
		if (n == avail) {
			/* the group is still open: wait for its end, for a while,
			 * unless it can never end as a transaction */
			if (n > I2C_GROUP_MAX) {
				fail_open_group(s, "more than a transaction may carry");
				continue;
			}
			if (s->ring_size && n >= s->ring_size) {
				fail_open_group(s, "the group fills the ring and can never end");
				continue;
			}
			set_timer(s, true);
			return;
		}
		set_timer(s, false);
		if (!run_group(s, n + 1, true))
			return;
	}
	if (s->head == s->tail)
		set_timer(s, false);
}

int i2c_sock_handle(struct i2c_sock *s, struct vq_elem *e, unsigned ring_size)
{
	struct i2c_req *r;

	if (s->tail == I2C_QUEUE_SIZE) {
		/* room at the front: no more requests outstanding than the ring */
		memmove(s->q, s->q + s->head, (s->tail - s->head) * sizeof(s->q[0]));
		s->tail -= s->head;
		s->head = 0;
	}
	if (s->tail == I2C_QUEUE_SIZE) {
		/* cannot happen: the core hands out at most ring-size elements */
		s->complete(s->complete_ctx, e, 0);
		return DEV_HELD;
	}
	r = &s->q[s->tail++];
	i2c_req_parse(e, r);
	if (s->fail_rest) {
		/* the rest of a group whose earlier request failed */
		r->bad = true;
		if (!r->fail_next)
			s->fail_rest = false;
	}
	s->ring_size = ring_size;
	pump(s);
	return DEV_HELD;
}

void i2c_sock_timeout(struct i2c_sock *s)
{
	s->timer_armed = false;
	if (s->busy || s->head == s->tail)
		return;
	if (!ring_runs(s)) {
		s->timed_out = true;   /* failed once the ring runs again */
		return;
	}
	fail_open_group(s, "the group did not end in time");
	pump(s);
}

void i2c_sock_resume(struct i2c_sock *s)
{
	if (!(s->finished || s->timed_out) || !ring_runs(s))
		return;
	if (s->finished) {
		s->finished = false;
		job_finish(s, s->job);
	}
	if (s->timed_out) {
		s->timed_out = false;
		i2c_sock_timeout(s);
	}
}

void i2c_sock_stop(struct i2c_sock *s)
{
	if (s->finished)
		s->busy = false;       /* its worker is done: nothing to wait for */
	else if (s->busy)
		s->job->cancelled = true;
	s->finished = false;
	s->timed_out = false;
	s->head = s->tail = 0;
	s->fail_rest = false;
	set_timer(s, false);
}
