/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Shared pieces of the integration tests (tests/integration): the daemon
 * a group of tests runs against, opening a frontend on a socket, an
 * eventq as the Linux guest uses it, little-endian byte helpers.
 *
 * itest.c does not use cmocka (tests/frontend is also linked into tools):
 * its functions return NULL or a negative errno.  The asserting wrappers
 * at the end of this header exist only where <cmocka.h> was included
 * first. */
#ifndef VD_TESTS_ITEST_H
#define VD_TESTS_ITEST_H

#include <stdbool.h>
#include <stdint.h>
#include "fe.h"
#include "proc.h"

/* ---- the daemon under test ---- */

struct itest_daemon {
	struct proc proc;
	bool started;
};

/* Starts the daemon in p (p->dir and p->sock are set): 0 or -errno. */
typedef int (*itest_spawn_fn)(struct proc *p, void *arg);

/* Start d the first time: a new temp dir and spawn(&d->proc, arg).
 * Nothing if it runs.  A daemon that died is not restarted: -ECHILD,
 * with its exit status or signal on stderr.  0 or -errno. */
int itest_daemon_ensure(struct itest_daemon *d, itest_spawn_fn spawn, void *arg);
/* 0 if d runs (or was never started); -ECHILD if it died, with its exit
 * status or signal said on stderr. */
int itest_daemon_check(struct itest_daemon *d);
/* SIGTERM, wait, clean up: the daemon's exit code (0 if not started;
 * 128+signal if killed, -ETIMEDOUT if it did not end); a nonzero one is
 * said on stderr. */
int itest_daemon_stop(struct itest_daemon *d);

/* ---- frontends ---- */

enum itest_mode {
	ITEST_RAW,     /* connected, GET_FEATURES answered */
	ITEST_INIT,    /* fe_init done */
	ITEST_START,   /* fe_start done (as QEMU) */
};

/* Connect to path and go as far as mode (o may be NULL).  A connection
 * closed at once (the daemon still finishing a previous one) is retried
 * a few times, briefly.  NULL with *err (may be NULL) on failure. */
struct fe *itest_fe_open(const char *path, enum itest_mode mode,
			 const struct fe_opts *o, int *err);

/* The daemon has taken the kick of queue q (the eventfd reads empty)
 * and is done with what it caused (a vhost-user round trip after that is
 * answered only once its loop has finished the kick): whatever the kick
 * makes happen has happened.  0, -ETIMEDOUT or -errno. */
int itest_kick_settle(struct fe *fe, unsigned q, int timeout_ms);
/* Signals on queue q's call eventfd since the last look (0 if none). */
uint64_t itest_calls(struct fe *fe, unsigned q);

/* ---- an eventq as the Linux guest keeps it: buffers of cap bytes ---- */

struct itest_evq {
	struct fe *fe;
	unsigned q;
	uint32_t cap;
	uint64_t gpa[256];        /* by descriptor head */
};

/* Post n writable buffers and kick.  0 or -errno. */
int itest_evq_post(struct itest_evq *v, unsigned n);
/* Wait up to timeout_ms for one used buffer: copy it into msg (cap bytes
 * at least), post the buffer again, return its length; -ETIMEDOUT if none
 * came, -EPROTO for a bad used entry. */
int itest_evq_next(struct itest_evq *v, uint8_t *msg, int timeout_ms);

/* ---- little-endian bytes ---- */

static inline uint16_t itest_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t itest_le32(const uint8_t *p)
{
	return (uint32_t)itest_le16(p) | (uint32_t)itest_le16(p + 2) << 16;
}

static inline uint64_t itest_le64(const uint8_t *p)
{
	return (uint64_t)itest_le32(p) | (uint64_t)itest_le32(p + 4) << 32;
}

static inline void itest_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void itest_put_le32(uint8_t *p, uint32_t v)
{
	itest_put_le16(p, (uint16_t)v);
	itest_put_le16(p + 2, (uint16_t)(v >> 16));
}

/* ---- asserting wrappers, for cmocka tests ---- */
#ifdef cmocka_unit_test
#include <errno.h>
#include <string.h>

/* Open with fe_start or fail the test. */
static inline struct fe *itest_open_ok(const char *path, const struct fe_opts *o)
{
	int r = 0;
	struct fe *fe = itest_fe_open(path, ITEST_START, o, &r);

	if (!fe)
		fail_msg("open %s: %s", path, strerror(-r));
	return fe;
}

/* Stop every queue (must succeed) and free. */
static inline void itest_close_ok(struct fe *fe)
{
	assert_int_equal(fe_stop(fe), 0);
	fe_free(fe);
}

/* Start the daemon (first test) or fail the test: a daemon that died
 * during an earlier test is not restarted. */
static inline void itest_ensure_ok(struct itest_daemon *d, itest_spawn_fn spawn, void *arg)
{
	char why[96];
	int r = itest_daemon_ensure(d, spawn, arg);

	if (r == -ECHILD)
		fail_msg("the daemon died earlier: %s",
			 proc_describe(&d->proc, why, sizeof(why)));
	if (r < 0)
		fail_msg("the daemon did not start: %s", strerror(-r));
}

/* For a test's teardown: -1 (the test fails) if the group's daemon died
 * during it. */
static inline int itest_teardown_check(struct itest_daemon *d)
{
	return itest_daemon_check(d) ? -1 : 0;
}

/* The last test of a group: SIGTERM must end the daemon with exit 0
 * (under valgrind: no error, no block left allocated). */
static inline void itest_stop_ok(struct itest_daemon *d)
{
	char why[96];
	int code;

	if (!d->started)
		fail_msg("the daemon was never started");
	proc_describe(&d->proc, why, sizeof(why));
	code = itest_daemon_stop(d);
	if (code)
		fail_msg("daemon: exit code %d after SIGTERM (before it: %s)", code, why);
}

static inline void itest_settle_ok(struct fe *fe, unsigned q)
{
	int r = itest_kick_settle(fe, q, 10000);

	if (r < 0)
		fail_msg("queue %u: the daemon did not take the kick: %s", q, strerror(-r));
}

static inline void itest_evq_post_ok(struct itest_evq *v, unsigned n)
{
	assert_int_equal(itest_evq_post(v, n), 0);
}

/* The reading number (mod ITEST_FAKE_READS) of the `fake` SCMI sensor,
 * from its Y axis value (src/devices/scmi_fake.c: Y is n * 37 mod 2001,
 * less 1000, for its n-th reading; 37 * 649 = 1 mod 2001).  Tests count
 * the daemon's own readings (its sampling) with it instead of waiting. */
#define ITEST_FAKE_READS 2001u
static inline unsigned itest_fake_nr(int64_t y)
{
	return (unsigned)((y + 1000) * 649 % ITEST_FAKE_READS);
}

/* itest_evq_next, failing the test on anything but a notification or a
 * timeout; -1 for the timeout. */
static inline int itest_evq_next_ok(struct itest_evq *v, uint8_t *msg, int timeout_ms)
{
	int r = itest_evq_next(v, msg, timeout_ms);

	if (r < 0 && r != -ETIMEDOUT)
		fail_msg("eventq: %s", strerror(-r));
	return r < 0 ? -1 : r;
}
#endif

#endif
