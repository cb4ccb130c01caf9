/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The per-socket spi queue (spi_core.c) with real workers: a host spidev
 * chip select whose stand-in blocks (a transfer at a crawling clock)
 * holds up only the requests queued behind it; another guest's
 * simulated chip select is served meanwhile, and a chip select kept
 * active for one guest is released before another guest's message on the
 * same spidev.  Order and counts are asserted, never durations. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <cmocka.h>

#include "common/log.h"
#include "devices/spi.h"
#include "spidev_cfg.h"
#include "vhost/dev.h"
#include "vhost/loop.h"

/* ---- spidev stand-in ---- */

static int gate[2] = { -1, -1 };
static bool block_msgs;
static int rgate[2] = { -1, -1 };      /* zero-length ones wait here */
static bool block_releases;
static pthread_t loop_thread;
static unsigned on_loop_msgs;          /* messages run on the loop thread */
static unsigned nmsg;
static uint32_t msg_len[16];           /* 0: a zero-length release */
static uint8_t msg_first[16];
static uint8_t last_cs_change[16];

static int sd_open(void *ctx, const char *path) { return 42; }
static void sd_close(void *ctx, int fd) { }

static int sd_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	int r = spi_fixed_config_ioctl(req, arg);

	if (r != -ENOTTY)
		return r;
	if (_IOC_TYPE(req) == SPI_IOC_MAGIC && _IOC_NR(req) == 0) {
		struct spi_ioc_transfer *x = arg;
		unsigned n = _IOC_SIZE(req) / sizeof(*x), m;
		char c;

		if (pthread_equal(pthread_self(), loop_thread)) {
			on_loop_msgs++;
			return -EIO;    /* never block the test: report it */
		}
		if (block_msgs && x[0].len && read(gate[0], &c, 1) != 1)
			return -EIO;
		if (block_releases && !x[0].len && read(rgate[0], &c, 1) != 1)
			return -EIO;
		m = __atomic_fetch_add(&nmsg, 1, __ATOMIC_SEQ_CST);
		if (m < 16) {
			msg_len[m] = x[0].len;
			msg_first[m] = x[0].len && x[0].tx_buf ?
				       *(const uint8_t *)(uintptr_t)x[0].tx_buf : 0;
			last_cs_change[m] = x[n - 1].cs_change;
		}
		for (unsigned i = 0; i < n; i++)
			if (x[i].rx_buf && x[i].tx_buf)
				memcpy((void *)(uintptr_t)x[i].rx_buf,
				       (const void *)(uintptr_t)x[i].tx_buf, x[i].len);
		return 0;
	}
	return -ENOTTY;
}

static long sd_bufsiz(void *ctx) { return 4096; }

static const struct spidev_ops sd_ops = {
	.open = sd_open, .close = sd_close, .ioctl = sd_ioctl, .bufsiz = sd_bufsiz,
};

/* ---- requests ---- */

struct telem {
	uint8_t out[32 + 8];
	uint8_t in[8 + 1];
	struct iovec iov[2];
	struct vq_elem e;
};

static void mk(struct telem *t, unsigned cs, uint8_t cs_change, uint8_t first, unsigned len)
{
	struct virtio_spi_transfer_head h;

	memset(t, 0, sizeof(*t));
	memset(&h, 0, sizeof(h));
	h.chip_select_id = (uint8_t)cs;
	h.cs_change = cs_change;
	memcpy(t->out, &h, sizeof(h));
	memset(t->out + 32, first, len);
	memset(t->in, 0xee, sizeof(t->in));
	t->iov[0] = (struct iovec){ t->out, 32 + len };
	t->iov[1] = (struct iovec){ t->in, len + 1 };
	t->e.out = t->iov;
	t->e.out_num = 1;
	t->e.out_len = 32 + len;
	t->e.in = t->iov + 1;
	t->e.in_num = 1;
	t->e.in_len = len + 1;
}

static struct vq_elem *order[16];
static unsigned ndone;

static void rec_complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	assert_true(ndone < 16);
	order[ndone++] = e;
}

static struct spi_ctrl ctl;
static struct spi_sock *sk[3];
static struct loop *lp;

static int setup(void **state)
{
	char err[256];

	log_set_level(getenv("TDEBUG") ? LOG_DEBUG : LOG_ERROR);
	assert_int_equal(pipe(gate), 0);
	assert_int_equal(pipe(rgate), 0);
	block_msgs = false;
	block_releases = false;
	loop_thread = pthread_self();
	on_loop_msgs = nmsg = ndone = 0;
	lp = loop_new();
	assert_non_null(lp);
	memset(&ctl, 0, sizeof(ctl));
	ctl.cs[ctl.ncs++] = spidev_target_new("/dev/spidev0.0", &sd_ops, NULL, err, sizeof(err));
	ctl.cs[ctl.ncs++] = spi_sim_new("loopback", err, sizeof(err));
	assert_non_null(ctl.cs[0]);
	assert_non_null(ctl.cs[1]);
	assert_int_equal(spi_ctrl_finish(&ctl, err, sizeof(err)), 0);
	assert_int_equal(spi_ctrl_start(&ctl, lp), 0);
	for (int i = 0; i < 3; i++) {
		sk[i] = calloc(1, sizeof(*sk[i]));
		assert_non_null(sk[i]);
		sk[i]->ctrl = &ctl;
		sk[i]->index = i;
		sk[i]->complete = rec_complete;
	}
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(write(gate[1], "xxxxxxxx", 8), 8);
	assert_int_equal(write(rgate[1], "xxxxxxxx", 8), 8);
	for (int i = 0; i < 3; i++)
		spi_sock_drop(sk[i]);
	spi_ctrl_stop(&ctl);
	for (int i = 0; i < 3; i++) {
		spi_sock_free(sk[i]);
		free(sk[i]);
	}
	spi_ctrl_free(&ctl);
	loop_free(lp);
	close(gate[0]);
	close(gate[1]);
	close(rgate[0]);
	close(rgate[1]);
	return 0;
}

static void kick(int s, struct telem *t)
{
	assert_int_equal(spi_sock_handle(sk[s], &t->e), DEV_HELD);
	spi_sock_flush(sk[s]);
}

static void run_until(unsigned n)
{
	while (ndone < n)
		assert_true(loop_run_once(lp, -1) >= 0);
}

/* Guest 0's transfer on the spidev is stuck; guest 1's loopback transfer
 * is answered meanwhile; guest 0's next request (loopback) waits behind
 * its own stuck one; guest 1's spidev transfer queues behind it on the
 * chip select's worker, after a release of the chip select guest 0 kept
 * active (its cs_change 0). */
static void test_spi_queue_stuck_spidev_delays_only_what_is_behind_it(void **state)
{
	static struct telem a0, a1, b0, b1;

	block_msgs = true;
	mk(&a0, 0, 0, 0xa0, 4);       /* spidev, keeps the chip select */
	mk(&a1, 1, 0, 0xa1, 4);       /* loopback, behind a0 */
	mk(&b0, 1, 0, 0xb0, 4);       /* loopback */
	mk(&b1, 0, 1, 0xb1, 4);       /* spidev, another guest */
	kick(0, &a0);
	kick(0, &a1);
	kick(1, &b0);
	assert_int_equal(ndone, 1);
	assert_ptr_equal(order[0], &b0.e);
	assert_int_equal(b0.in[0], 0xb0);
	assert_int_equal(b0.in[4], VIRTIO_SPI_TRANS_OK);
	kick(1, &b1);
	assert_int_equal(ndone, 1);
	assert_int_equal(a0.in[4], 0xee);
	assert_int_equal(a1.in[4], 0xee);
	assert_int_equal(write(gate[1], "xx", 2), 2);   /* the clock gets there */
	run_until(4);
	assert_ptr_equal(order[1], &a0.e);
	assert_ptr_equal(order[2], &a1.e);
	assert_ptr_equal(order[3], &b1.e);
	assert_int_equal(a0.in[0], 0xa0);
	assert_int_equal(a0.in[4], VIRTIO_SPI_TRANS_OK);
	assert_int_equal(a1.in[0], 0xa1);
	assert_int_equal(b1.in[0], 0xb1);
	assert_int_equal(b1.in[4], VIRTIO_SPI_TRANS_OK);
	/* on the spidev: a0 (kept active), the release, then b1 */
	assert_int_equal(nmsg, 3);
	assert_int_equal(msg_first[0], 0xa0);
	assert_int_equal(last_cs_change[0], 1);
	assert_int_equal(msg_len[1], 0);
	assert_int_equal(last_cs_change[1], 0);
	assert_int_equal(msg_first[2], 0xb1);
	assert_int_equal(last_cs_change[2], 0);
	assert_int_equal(on_loop_msgs, 0);
}

/* Three guests on one spidev chip select.  Guest 0 keeps it active (a0);
 * guest 1's message queues a release of it; guest 0, done with a0, keeps
 * it active again (a1) while that release is still queued on the worker
 * (in front of a1); guest 2's message must then have a release of its own
 * in front of it: c0 is never sent inside guest 0's a1 (no two guests'
 * bytes under one chip select). */
static void test_spi_queue_release_behind_a_rekept_chip_select(void **state)
{
	static struct telem a0, a1, b0, c0;

	block_msgs = true;
	block_releases = true;
	mk(&a0, 0, 0, 0xa0, 4);       /* keeps the chip select */
	mk(&b0, 0, 1, 0xb0, 4);
	mk(&a1, 0, 0, 0xa1, 4);       /* keeps it again */
	mk(&c0, 0, 1, 0xc0, 4);
	kick(0, &a0);
	kick(1, &b0);                 /* worker: a0, release, b0 */
	assert_int_equal(write(gate[1], "x", 1), 1);
	run_until(1);                 /* a0 done; the release waits */
	assert_ptr_equal(order[0], &a0.e);
	kick(0, &a1);                 /* worker: release, b0, a1 */
	kick(2, &c0);                 /* then c0, after a release */
	assert_int_equal(write(gate[1], "xxx", 3), 3);
	assert_int_equal(write(rgate[1], "xx", 2), 2);
	run_until(4);
	assert_ptr_equal(order[1], &b0.e);
	assert_ptr_equal(order[2], &a1.e);
	assert_ptr_equal(order[3], &c0.e);
	assert_int_equal(nmsg, 6);
	assert_int_equal(msg_first[0], 0xa0);
	assert_int_equal(msg_len[1], 0);
	assert_int_equal(msg_first[2], 0xb0);
	assert_int_equal(msg_first[3], 0xa1);
	assert_int_equal(last_cs_change[3], 1);   /* kept active */
	assert_int_equal(msg_len[4], 0);          /* ended before c0 */
	assert_int_equal(msg_first[5], 0xc0);
	assert_int_equal(on_loop_msgs, 0);
}

/* A request longer than the spidev's bufsiz: PARAM_ERR, nothing sent. */
static void test_spi_queue_oversized_spidev_request(void **state)
{
	static struct telem t;
	static uint8_t big[8192];

	mk(&t, 0, 0, 0, 0);
	t.iov[0] = (struct iovec){ t.out, 32 };
	t.iov[1] = (struct iovec){ big, sizeof(big) };
	t.e.in = t.iov + 1;
	t.e.in_len = sizeof(big);
	kick(0, &t);
	assert_int_equal(ndone, 1);
	assert_int_equal(big[sizeof(big) - 1], VIRTIO_SPI_PARAM_ERR);
	assert_int_equal(nmsg, 0);
}

static bool ring_stopped;

static bool fake_running(void *ctx)
{
	return !ring_stopped;
}

/* vhost-user, "Suspended device state": the ring stops (a pause) while a
 * spidev message runs on its worker.  Its result is not written into the
 * request until the ring runs again (the device's flush()); a drop (a
 * reset) meanwhile forgets it and the socket goes on. */
static void test_spi_queue_result_waits_while_ring_stopped(void **state)
{
	static struct telem a0, a1, a2;

	sk[0]->running = fake_running;
	ring_stopped = false;
	block_msgs = true;
	mk(&a0, 0, 1, 0xa0, 4);       /* spidev */
	kick(0, &a0);
	ring_stopped = true;
	assert_int_equal(write(gate[1], "x", 1), 1);
	/* the worker's completion reached the loop */
	while (!sk[0]->finished && ndone == 0)
		assert_true(loop_run_once(lp, -1) >= 0);
	assert_int_equal(ndone, 0);
	assert_int_equal(a0.in[0], 0xee);          /* guest memory untouched */
	assert_int_equal(a0.in[4], 0xee);
	ring_stopped = false;
	spi_sock_flush(sk[0]);                     /* the ring runs again */
	assert_int_equal(ndone, 1);
	assert_ptr_equal(order[0], &a0.e);
	assert_int_equal(a0.in[0], 0xa0);
	assert_int_equal(a0.in[4], VIRTIO_SPI_TRANS_OK);

	mk(&a1, 0, 1, 0xa1, 4);
	kick(0, &a1);
	ring_stopped = true;
	assert_int_equal(write(gate[1], "x", 1), 1);
	while (!sk[0]->finished && ndone == 1)
		assert_true(loop_run_once(lp, -1) >= 0);
	assert_int_equal(ndone, 1);
	spi_sock_drop(sk[0]);
	ring_stopped = false;
	assert_int_equal(a1.in[4], 0xee);
	mk(&a2, 1, 0, 0xa2, 4);       /* loopback: the socket goes on */
	kick(0, &a2);
	assert_int_equal(ndone, 2);
	assert_ptr_equal(order[1], &a2.e);
	assert_int_equal(a2.in[4], VIRTIO_SPI_TRANS_OK);
	sk[0]->running = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spi_queue_stuck_spidev_delays_only_what_is_behind_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_queue_release_behind_a_rekept_chip_select,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_queue_oversized_spidev_request,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_queue_result_waits_while_ring_stopped,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
