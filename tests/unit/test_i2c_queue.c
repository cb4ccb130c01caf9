/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The per-socket i2c request queue (src/devices/i2c_queue.c) with real
 * workers: a host adapter whose stand-in blocks (a stuck bus) holds up
 * only the requests behind it on that socket, while another socket, the
 * other adapter and the simulated devices are served meanwhile.  Order
 * and counts are asserted, never durations. */
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
#include <cmocka.h>

#include "common/log.h"
#include "devices/i2c.h"
#include "vhost/dev.h"
#include "vhost/loop.h"

/* ---- the stand-in: adapter 1 (fd 7) can be made to block ---- */

static int gate[2] = { -1, -1 };      /* rdwr on fd 7 waits for a byte */
static bool block_bus1;
static unsigned rdwr_calls[2];
static pthread_t loop_thread;
static unsigned on_loop_calls;        /* ioctls run on the loop thread */

static int f_open(void *ctx, unsigned bus) { return 6 + (int)bus; }
static void f_close(void *ctx, int fd) { }
static int f_funcs(void *ctx, int fd, unsigned long *funcs)
{
	*funcs = I2C_FUNC_I2C;
	return 0;
}

static int f_rdwr(void *ctx, int fd, struct i2c_msg *msgs, unsigned n)
{
	char c;

	__atomic_add_fetch(&rdwr_calls[fd - 7], 1, __ATOMIC_SEQ_CST);
	if (pthread_equal(pthread_self(), loop_thread)) {
		on_loop_calls++;
		return -EIO;       /* never block the test: report it instead */
	}
	if (fd == 7 && block_bus1 && read(gate[0], &c, 1) != 1)
		return -EIO;
	for (unsigned i = 0; i < n; i++)
		if (msgs[i].flags & I2C_M_RD)
			memset(msgs[i].buf, 0x40 + fd, msgs[i].len);
	return (int)n;
}

static int f_set_slave(void *ctx, int fd, uint16_t addr) { return 0; }

/* SMBus on fd 7 writes a byte into 'returned' and blocks like rdwr; the
 * result goes into the job's memory (as the kernel's copy-out does), then
 * another byte into 'returned' */
static int returned[2] = { -1, -1 };

static int f_smbus(void *ctx, int fd, uint8_t rw, uint8_t cmd, uint32_t size,
		   union i2c_smbus_data *data)
{
	char c;

	if (fd != 7 || !block_bus1 || pthread_equal(pthread_self(), loop_thread) ||
	    write(returned[1], "e", 1) != 1 || read(gate[0], &c, 1) != 1)
		return -EIO;
	if (data)
		data->byte = 0x5a;
	if (write(returned[1], "r", 1) != 1)
		return -EIO;
	return 0;
}

static const struct i2c_host_ops ops = {
	f_open, f_close, f_funcs, f_rdwr, f_set_slave, f_smbus,
};

/* ---- requests and completions ---- */

struct treq {
	uint8_t out[8 + 16];
	uint8_t in[16 + 1];
	struct iovec iov[2];
	struct vq_elem e;
	int sock;
};

static void mkreq(struct treq *t, int sock, unsigned addr, uint32_t flags,
		  const void *wdata, uint32_t wlen, uint32_t rlen)
{
	uint16_t a = (uint16_t)(addr << 1);

	memset(t, 0, sizeof(*t));
	t->sock = sock;
	memcpy(t->out, &a, 2);
	memcpy(t->out + 4, &flags, 4);
	if (wlen)
		memcpy(t->out + 8, wdata, wlen);
	memset(t->in, 0xee, sizeof(t->in));
	t->iov[0] = (struct iovec){ t->out, 8 + wlen };
	t->iov[1] = (struct iovec){ t->in, rlen + 1 };
	t->e.out = t->iov;
	t->e.out_num = 1;
	t->e.out_len = 8 + wlen;
	t->e.in = t->iov + 1;
	t->e.in_num = 1;
	t->e.in_len = rlen + 1;
}

#define FN VIRTIO_I2C_FLAGS_FAIL_NEXT
#define RD VIRTIO_I2C_FLAGS_M_RD

static struct vq_elem *order[32];
static unsigned ndone;

static void rec_complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	assert_true(ndone < 32);
	order[ndone++] = e;
}

static struct i2c_bus bus;
static struct i2c_sock sk[2];
static struct loop *lp;

static int setup(void **state)
{
	char err[256];

	log_set_level(getenv("TDEBUG") ? LOG_DEBUG : LOG_ERROR);
	assert_int_equal(pipe(gate), 0);
	assert_int_equal(pipe(returned), 0);
	block_bus1 = false;
	rdwr_calls[0] = rdwr_calls[1] = 0;
	loop_thread = pthread_self();
	on_loop_calls = 0;
	ndone = 0;
	lp = loop_new();
	assert_non_null(lp);
	assert_int_equal(i2c_bus_init(&bus, &ops, NULL), 0);
	assert_int_equal(i2c_parse_device_list(&bus, "1:0x20,2:0x30", "/nonexistent",
					       err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "24c02@0x50", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_open(&bus, err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_start(&bus, lp), 0);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(i2c_sock_init(&sk[i], &bus, lp), 0);
		sk[i].features_ok = true;
		sk[i].complete = rec_complete;
	}
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(write(gate[1], "xxxx", 4), 4);   /* never leave it stuck */
	for (unsigned i = 0; i < 2; i++)
		i2c_sock_stop(&sk[i]);
	assert_true(i2c_bus_stop(&bus));
	for (unsigned i = 0; i < 2; i++)
		i2c_sock_free(&sk[i]);
	loop_free(lp);
	i2c_bus_free(&bus);
	close(gate[0]);
	close(gate[1]);
	close(returned[0]);
	close(returned[1]);
	return 0;
}

static void handle(struct treq *t)
{
	assert_int_equal(i2c_sock_handle(&sk[t->sock], &t->e, 64), DEV_HELD);
}

static void run_until(unsigned n)
{
	while (ndone < n)
		assert_true(loop_run_once(lp, -1) >= 0);
}

/* Socket 0's read from adapter 1 is stuck in the kernel.  Meanwhile socket
 * 1 reads from adapter 2 and from the simulated EEPROM, and socket 0's own
 * next request (to the EEPROM) waits behind its stuck one, in order. */
static void test_i2c_queue_stuck_bus_delays_only_its_guest(void **state)
{
	static struct treq a0, a1, b0, b1;

	block_bus1 = true;
	mkreq(&a0, 0, 0x20, RD, NULL, 0, 2);      /* stuck */
	mkreq(&a1, 0, 0x50, RD, NULL, 0, 2);      /* behind it */
	mkreq(&b0, 1, 0x30, RD, NULL, 0, 2);      /* other adapter */
	mkreq(&b1, 1, 0x50, RD, NULL, 0, 2);      /* simulated */
	handle(&a0);
	handle(&a1);
	handle(&b1);
	handle(&b0);
	/* no bus ioctl ran on the loop; the simulated read was answered
	 * there at once */
	assert_int_equal(on_loop_calls, 0);
	assert_int_equal(ndone, 1);
	assert_ptr_equal(order[0], &b1.e);
	run_until(2);
	assert_ptr_equal(order[1], &b0.e);
	assert_int_equal(b0.in[0], 0x48);          /* adapter 2's data */
	assert_int_equal(b0.in[2], VIRTIO_I2C_MSG_OK);
	assert_int_equal(a0.in[2], 0xee);          /* nothing written yet */
	assert_int_equal(a1.in[2], 0xee);
	/* socket 0 is still served by the loop, and other sockets' requests
	 * to the stuck adapter queue behind it on the adapter's worker */
	assert_int_equal(write(gate[1], "x", 1), 1);
	run_until(4);
	assert_ptr_equal(order[2], &a0.e);
	assert_ptr_equal(order[3], &a1.e);
	assert_int_equal(a0.in[0], 0x47);
	assert_int_equal(a0.in[2], VIRTIO_I2C_MSG_OK);
	assert_int_equal(a1.in[2], VIRTIO_I2C_MSG_OK);
	assert_int_equal(rdwr_calls[0], 1);
	assert_int_equal(rdwr_calls[1], 1);
	assert_int_equal(on_loop_calls, 0);
}

/* The guest resets while its transfer is stuck: the late result is
 * dropped (its elements are never touched again) and the socket's next
 * requests run after it. */
static void test_i2c_queue_stop_while_stuck_drops_the_result(void **state)
{
	static struct treq a0, a1;

	block_bus1 = true;
	mkreq(&a0, 0, 0x20, RD, NULL, 0, 2);
	handle(&a0);
	i2c_sock_stop(&sk[0]);
	mkreq(&a1, 0, 0x50, RD, NULL, 0, 2);
	handle(&a1);
	assert_int_equal(ndone, 0);                /* waits for the worker */
	assert_int_equal(write(gate[1], "x", 1), 1);
	run_until(1);
	assert_ptr_equal(order[0], &a1.e);
	assert_int_equal(a0.in[0], 0xee);          /* untouched */
	assert_int_equal(a0.in[2], 0xee);
}

static bool ring_stopped;

static bool fake_running(void *ctx)
{
	return !ring_stopped;
}

/* vhost-user, "Suspended device state": the ring stops (a pause) while a
 * transfer runs on the worker.  Its result is not written into the
 * request until the ring runs again (i2c_sock_resume, the device's
 * flush()); a stop (reset) meanwhile drops it and the socket goes on. */
static void test_i2c_queue_result_waits_while_ring_stopped(void **state)
{
	static struct treq a0, a1, a2;

	sk[0].running = fake_running;
	ring_stopped = false;
	block_bus1 = true;
	mkreq(&a0, 0, 0x20, RD, NULL, 0, 2);
	handle(&a0);
	ring_stopped = true;
	assert_int_equal(write(gate[1], "x", 1), 1);
	/* the worker's completion reached the loop */
	while (!sk[0].finished && ndone == 0)
		assert_true(loop_run_once(lp, -1) >= 0);
	assert_int_equal(ndone, 0);
	assert_int_equal(a0.in[0], 0xee);          /* guest memory untouched */
	assert_int_equal(a0.in[2], 0xee);
	i2c_sock_resume(&sk[0]);                   /* still stopped: nothing */
	assert_int_equal(ndone, 0);
	ring_stopped = false;
	i2c_sock_resume(&sk[0]);
	assert_int_equal(ndone, 1);
	assert_ptr_equal(order[0], &a0.e);
	assert_int_equal(a0.in[0], 0x47);
	assert_int_equal(a0.in[2], VIRTIO_I2C_MSG_OK);

	/* stopped, then the queue is reset before it runs again */
	mkreq(&a1, 0, 0x20, RD, NULL, 0, 2);
	handle(&a1);
	ring_stopped = true;
	assert_int_equal(write(gate[1], "x", 1), 1);
	while (!sk[0].finished && ndone == 1)
		assert_true(loop_run_once(lp, -1) >= 0);
	assert_int_equal(ndone, 1);
	i2c_sock_stop(&sk[0]);
	ring_stopped = false;
	i2c_sock_resume(&sk[0]);
	assert_int_equal(ndone, 1);
	assert_int_equal(a1.in[2], 0xee);
	mkreq(&a2, 0, 0x50, RD, NULL, 0, 2);       /* the socket goes on */
	handle(&a2);
	assert_int_equal(ndone, 2);
	assert_ptr_equal(order[1], &a2.e);
	sk[0].running = NULL;
}

/* The daemon ends while a transfer is stuck in the kernel (i2c_cleanup:
 * the bus stops, its worker is left behind, the sockets' memory is freed).
 * When the transfer finally returns, what the kernel writes back and the
 * worker's own bookkeeping land in the job's memory, which the socket's
 * end left allocated (under ASan or valgrind a write into freed memory
 * fails this test otherwise). */
static void test_i2c_queue_stuck_at_exit_keeps_the_job(void **state)
{
	static struct treq w, r;
	static struct worker *volatile left;   /* still referenced: no leak */
	struct i2c_sock *s = malloc(sizeof(*s));
	uint8_t cmd = 3;
	char c;

	assert_non_null(s);
	assert_int_equal(i2c_sock_init(s, &bus, lp), 0);
	s->features_ok = true;
	s->complete = rec_complete;
	bus.adap[0].funcs = I2C_FUNC_SMBUS_BYTE_DATA;   /* an SMBus-only adapter */
	block_bus1 = true;
	mkreq(&w, 0, 0x20, FN, &cmd, 1, 0);
	mkreq(&r, 0, 0x20, RD, NULL, 0, 1);
	assert_int_equal(i2c_sock_handle(s, &w.e, 64), DEV_HELD);
	assert_int_equal(i2c_sock_handle(s, &r.e, 64), DEV_HELD);
	assert_int_equal(ndone, 0);
	assert_int_equal(read(returned[0], &c, 1), 1);   /* blocked on the worker */
	left = bus.adap[0].wk;
	i2c_sock_stop(s);
	assert_false(i2c_bus_stop(&bus));          /* stuck: left behind */
	i2c_sock_free(s);
	free(s);
	assert_int_equal(write(gate[1], "x", 1), 1);
	assert_int_equal(read(returned[0], &c, 1), 1);
	assert_int_equal(ndone, 0);
	assert_int_equal(r.in[1], 0xee);           /* the guest's buffers untouched */
	(void)left;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_i2c_queue_stuck_bus_delays_only_its_guest,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_i2c_queue_stop_while_stuck_drops_the_result,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_i2c_queue_result_waits_while_ring_stopped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_i2c_queue_stuck_at_exit_keeps_the_job,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
