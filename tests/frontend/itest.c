/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Shared pieces of the integration tests; see itest.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

int itest_daemon_check(struct itest_daemon *d)
{
	char why[96];

	if (!d->started || proc_alive(&d->proc))
		return 0;
	fprintf(stderr, "the daemon (pid %d) died: %s\n", (int)d->proc.pid,
		proc_status_str(d->proc.status, why, sizeof(why)));
	return -ECHILD;
}

int itest_daemon_ensure(struct itest_daemon *d, itest_spawn_fn spawn, void *arg)
{
	int r;

	if (d->started)
		return itest_daemon_check(d);
	r = proc_tmpdir(&d->proc);
	if (r < 0)
		return r;
	r = spawn(&d->proc, arg);
	if (r < 0) {
		char why[96];

		fprintf(stderr, "the daemon did not start: %s (%s)\n", strerror(-r),
			proc_describe(&d->proc, why, sizeof(why)));
		proc_cleanup(&d->proc);
		return r == -ECHILD ? -EIO : r;
	}
	d->started = true;
	return 0;
}

int itest_daemon_stop(struct itest_daemon *d)
{
	int code;

	if (!d->started)
		return 0;
	code = proc_stop(&d->proc, 10000);
	proc_cleanup(&d->proc);
	d->started = false;
	if (code)
		fprintf(stderr, "daemon: exit code %d at the end\n", code);
	return code;
}

/* The daemon drains a closed connection before it accepts the next one,
 * so a refusal (EOF at the first message) should not happen; a few quick
 * retries cover a slow daemon (valgrind) all the same. */
#define OPEN_TRIES 20

struct fe *itest_fe_open(const char *path, enum itest_mode mode,
			 const struct fe_opts *o, int *err)
{
	int r = -EPIPE;

	for (int attempt = 0; attempt < OPEN_TRIES && r == -EPIPE; attempt++) {
		struct fe *fe = fe_new();
		uint64_t v;

		if (!fe) {
			r = -ENOMEM;
			break;
		}
		if (attempt)
			usleep(attempt < 8 ? 1000u << attempt : 200000u);
		r = fe_connect(fe, path, FE_TIMEOUT_MS);
		if (r == 0)
			r = mode == ITEST_RAW ? fe_get_u64(fe, VHOST_USER_GET_FEATURES, &v) :
			    mode == ITEST_INIT ? fe_init(fe, o) : fe_start(fe, o);
		if (r == 0)
			return fe;
		fe_free(fe);
	}
	fprintf(stderr, "open %s (mode %d): %s\n", path, (int)mode, strerror(-r));
	if (err)
		*err = r;
	return NULL;
}

int itest_kick_settle(struct fe *fe, unsigned q, int timeout_ms)
{
	struct pollfd p = { .events = POLLIN };
	long long end = proc_now_ms() + timeout_ms;
	uint64_t v;

	if (q >= FE_MAX_QUEUES || fe->vq[q].kick_fd < 0)
		return -EINVAL;
	p.fd = fe->vq[q].kick_fd;
	while (poll(&p, 1, 0) == 1) {
		if (proc_now_ms() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return fe_get_u64(fe, VHOST_USER_GET_FEATURES, &v);
}

uint64_t itest_calls(struct fe *fe, unsigned q)
{
	uint64_t n = 0;

	if (q >= FE_MAX_QUEUES || fe->vq[q].call_fd < 0 ||
	    read(fe->vq[q].call_fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

int itest_evq_post(struct itest_evq *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t g = fe_alloc(v->fe, v->cap, 8);
		struct fe_seg s = { g, v->cap, true };
		int head;

		if (!g)
			return -ENOMEM;
		head = fe_vq_add(v->fe, v->q, &s, 1, false);
		if (head < 0)
			return head;
		if (head >= 256)
			return -ERANGE;
		v->gpa[head] = g;
		fe_vq_publish(v->fe, v->q, (uint16_t)head);
	}
	return fe_vq_kick(v->fe, v->q);
}

int itest_evq_next(struct itest_evq *v, uint8_t *msg, int timeout_ms)
{
	long long end = proc_now_ms() + timeout_ms;

	for (;;) {
		uint32_t id, len;
		int r = fe_vq_get_used(v->fe, v->q, &id, &len);

		if (r < 0)
			return r;
		if (r == 1) {
			if (id >= 256 || len > v->cap)
				return -EPROTO;
			memcpy(msg, fe_ptr(v->fe, v->gpa[id], v->cap), len);
			r = itest_evq_post(v, 1);
			return r < 0 ? r : (int)len;
		}
		if (proc_now_ms() >= end)
			return -ETIMEDOUT;
		fe_vq_wait_call(v->fe, v->q, (int)(end - proc_now_ms()));
	}
}
