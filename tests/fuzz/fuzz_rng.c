/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* libFuzzer target: virtio-rng request handling (src/devices/rng.c,
 * included to reach its static parts) over a stand-in source whose
 * bytes, emptiness, end and failures come from the input, with a clock
 * the input moves, two sockets sharing the source, and the rate limit on
 * or off.
 *
 * Every element is built (fuzz_util.c) over heap buffers of exactly their
 * size, so AddressSanitizer reports any access past them.
 *
 * Input (missing bytes read as 0):
 *   0  quota per socket and period (0: no rate limit)
 *   then records, op = byte, op % 6 (bit3: socket 0 or 1):
 *   0 request: layout byte L (fuzz_util.c; bit7: le16 readable, le16
 *     writable lengths follow, else 0 readable and a u8 writable length)
 *   1 the source gets u8 more bytes and its fd turns readable (the loop
 *     dispatches it)
 *   2 the clock moves on by u16 * 10 us; the socket's timer fires
 *   3 queue stopped on the socket: its held requests are dropped
 *   4 the source ends (bit4 of op: fails with EIO instead)
 *   5 the loop runs one pass without waiting
 *
 * Checked: handle answers 0 exactly for a request with readable bytes or
 * no writable ones;
 * every element is completed at most once, with no more than its writable
 * bytes; the bytes written are the source's, in order, each once; with a
 * rate limit a socket never gets more than the quota in one period;
 * nothing is completed after its queue stopped; after the source ended or
 * failed nothing more is read from it. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "fuzz_util.h"
#include "../../src/devices/rng.c"

#define CHECK(c) FZ_CHECK(c)
#define MAX_LIVE 512

static struct {
	uint8_t next_out;         /* the next byte the source gives */
	uint8_t next_seen;        /* the next byte a completion must start with */
	size_t avail;
	int err;                  /* > 0 errno, -1 ended */
	bool done_for_good;
	int efd;
} src;

static uint64_t clock_ns;

struct live {
	struct fz_elem *x;
	unsigned sock;
	bool held;
};

static struct live live[MAX_LIVE];
static unsigned nlive;
static uint64_t got_in_period[2], period_of[2];

static ssize_t fake_read(struct rng *r, void *buf, size_t n)
{
	uint8_t *b = buf;

	CHECK(!src.done_for_good);
	if (src.err) {
		src.done_for_good = true;
		return src.err > 0 ? -src.err : 0;
	}
	if (!src.avail)
		return -EAGAIN;
	if (n > src.avail)
		n = src.avail;
	for (size_t i = 0; i < n; i++)
		b[i] = src.next_out++;
	src.avail -= n;
	return (ssize_t)n;
}

static int fake_wait_fd(struct rng *r)
{
	return src.efd;
}

static const struct rng_src_ops fake_ops = { fake_read, fake_wait_fd };

static uint64_t fake_now(void)
{
	return clock_ns;
}

static struct live *find(const struct vq_elem *e)
{
	for (unsigned i = 0; i < nlive; i++)
		if (&live[i].x->e == e)
			return &live[i];
	return NULL;
}

static void drop(struct live *l)
{
	fz_elem_free(l->x);
	*l = live[--nlive];
}

/* The bytes of a completion: the source's, in order. */
static void check_bytes(const struct vq_elem *e, uint32_t len)
{
	CHECK(len <= e->in_len);
	for (uint32_t i = 0; i < len; i++)
		CHECK(fz_in_byte(e, i) == src.next_seen++);
}

static void account(struct rng_sock *s, uint32_t len)
{
	unsigned k = (unsigned)(s - s->r->socks);

	if (!s->r->quota)
		return;
	if (period_of[k] != s->period_start) {
		period_of[k] = s->period_start;
		got_in_period[k] = 0;
	}
	got_in_period[k] += len;
	CHECK(got_in_period[k] <= s->r->quota);
}

static void fake_complete(struct rng_sock *s, struct vq_elem *e, uint32_t len)
{
	struct live *l = find(e);

	CHECK(l && l->held);
	CHECK(&s->r->socks[l->sock] == s);
	CHECK(len > 0);
	check_bytes(e, len);
	account(s, len);
	drop(l);
}

static struct rng R;
static struct rng_sock S[2];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct fz_in r = { data, size };

	if (!init) {
		log_set_level(getenv("FUZZ_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
		src.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		CHECK(src.efd >= 0);
		R.l = loop_new();
		CHECK(R.l);
		init = 1;
	}
	src.next_out = src.next_seen = 0;
	src.avail = 0;
	src.err = 0;
	src.done_for_good = false;
	clock_ns = 1000000000ull;
	memset(got_in_period, 0, sizeof(got_in_period));
	memset(period_of, 0, sizeof(period_of));
	{
		struct loop *l = R.l;

		memset(&R, 0, sizeof(R));
		R.l = l;
	}
	memset(S, 0, sizeof(S));
	R.ops = &fake_ops;
	R.fd = R.random_fd = -1;
	R.period_ns = 1000000;
	R.now = fake_now;
	R.quota = fz_u8(&r);
	R.socks = S;
	R.nsocks = 2;
	for (unsigned i = 0; i < 2; i++) {
		S[i].r = &R;
		S[i].complete = fake_complete;
		S[i].period_start = clock_ns;
		S[i].left = R.quota;
		period_of[i] = clock_ns;
	}

	while (r.n) {
		uint8_t op = fz_u8(&r);
		unsigned k = op >> 3 & 1;
		struct rng_sock *s = &S[k];

		switch (op % 6) {
		case 0: {
			uint8_t l = fz_u8(&r);
			size_t out_len = 0, in_len;
			struct fz_elem *x;
			int ret;

			if (l & 0x80) {
				out_len = fz_u16(&r);
				in_len = fz_u16(&r);
			} else {
				in_len = fz_u8(&r);
			}
			if (nlive == MAX_LIVE || s->count == RNG_QUEUE_SIZE)
				break;
			x = fz_elem_new(&r, sizeof(*x), l, out_len, in_len, true, NULL, 0);
			live[nlive] = (struct live){ x, k, false };
			nlive++;
			ret = rng_op_handle(s, NULL, 0, &x->e);
			if (x->e.out_len || !x->e.in_len) {
				CHECK(ret == 0);
				drop(&live[nlive - 1]);
			} else if (ret == DEV_HELD) {
				live[nlive - 1].held = true;
			} else {
				CHECK(ret > 0);
				check_bytes(&x->e, (uint32_t)ret);
				account(s, (uint32_t)ret);
				drop(&live[nlive - 1]);
			}
			break;
		}
		case 1: {
			uint64_t one = 1;

			src.avail += fz_u8(&r);
			CHECK(write(src.efd, &one, sizeof(one)) == sizeof(one));
			loop_run_once(R.l, 0);
			break;
		}
		case 2:
			clock_ns += (uint64_t)fz_u16(&r) * 10000;
			rng_timer_cb(s, -1, 0);
			break;
		case 3:
			rng_op_queue_stop(s, NULL, 0);
			for (unsigned i = 0; i < nlive;)
				if (live[i].sock == k && live[i].held)
					drop(&live[i]);
				else
					i++;
			break;
		case 4:
			src.err = op & 0x10 ? EIO : -1;
			break;
		case 5:
			loop_run_once(R.l, 0);
			break;
		}
	}

	/* tear down: nothing left held, no watch left in the loop */
	for (unsigned i = 0; i < 2; i++) {
		rng_op_queue_stop(&S[i], NULL, 0);
		if (S[i].timer)
			loop_del(R.l, S[i].timer);
	}
	if (R.src_w)
		loop_del(R.l, R.src_w);
	{
		uint64_t v;

		while (read(src.efd, &v, sizeof(v)) > 0)
			;
	}
	loop_run_once(R.l, 0);   /* frees what was deleted */
	while (nlive)
		drop(&live[0]);
	return 0;
}
