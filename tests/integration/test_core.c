/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Integration tests of the vhost-user core against the real daemon:
 * `vhost-device scmi -s SOCK -d fake,name=foo`, driven by the test
 * frontend (tests/frontend).  The "probe" is SCMI BASE PROTOCOL_VERSION on
 * the command queue; every test that feeds the daemon bad input then
 * checks that the same daemon process serves a new connection. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define SCMI_QUEUES   2
#define PROBE_HDR     0x00004000u   /* BASE (0x10) PROTOCOL_VERSION, token 0 */
#define WAIT_MS       3000

static const char *const dev_args[] = { "--mem-slots", "-d", "fake,name=foo", NULL };
static struct itest_daemon dmn;
static struct proc side;       /* a second daemon some tests start */

/* ---------------------------------------------------------------- helpers */

static int spawn_scmi(struct proc *p, void *arg)
{
	return proc_spawn_device(p, "scmi", dev_args);
}

/* Frontends opened by a test; closed by teardown if an assertion left
 * the test early (an open connection would block the next test). */
static struct fe *open_fes[32];

static void track(struct fe *fe)
{
	for (unsigned i = 0; i < sizeof(open_fes) / sizeof(open_fes[0]); i++)
		if (!open_fes[i]) {
			open_fes[i] = fe;
			return;
		}
	fail_msg("too many open frontends");
}

static void close_fe(struct fe *fe)
{
	for (unsigned i = 0; i < sizeof(open_fes) / sizeof(open_fes[0]); i++)
		if (open_fes[i] == fe)
			open_fes[i] = NULL;
	fe_free(fe);
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn_scmi, NULL);
	return 0;
}

static int teardown(void **state)
{
	for (unsigned i = 0; i < sizeof(open_fes) / sizeof(open_fes[0]); i++) {
		fe_free(open_fes[i]);
		open_fes[i] = NULL;
	}
	proc_cleanup(&side);
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	return itest_daemon_stop(&dmn) != 0;
}

/* Connect and go as far as mode; the frontend is closed by teardown if
 * the test fails before it does. */
static struct fe *open_fe_at(const char *path, enum itest_mode mode,
			     const struct fe_opts *o)
{
	int r = 0;
	struct fe *fe = itest_fe_open(path, mode, o, &r);

	if (!fe)
		fail_msg("open %s (mode %d): %s", path, (int)mode, strerror(-r));
	track(fe);
	return fe;
}

static struct fe *open_fe(enum itest_mode mode, const struct fe_opts *o)
{
	return open_fe_at(dmn.proc.sock, mode, o);
}

static void check_probe_reply(const uint8_t *rsp, uint32_t len)
{
	uint32_t w[3];

	assert_true(len >= 12);
	memcpy(w, rsp, sizeof(w));
	assert_int_equal(w[0], PROBE_HDR);
	assert_int_equal(w[1], 0);        /* SCMI_SUCCESS */
	assert_int_not_equal(w[2], 0);    /* version */
}

static void probe(struct fe *fe)
{
	uint32_t req = PROBE_HDR, len = 0;
	uint8_t rsp[128];
	int r = fe_request(fe, 0, &req, sizeof(req), rsp, sizeof(rsp), &len, WAIT_MS);

	if (r < 0)
		print_error("probe: %s\n", strerror(-r));
	assert_int_equal(r, 0);
	check_probe_reply(rsp, len);
}

/* The same daemon process still runs and serves a new connection. */
static void assert_serves(void)
{
	pid_t pid = dmn.proc.pid;
	struct fe *fe;

	assert_true(proc_alive(&dmn.proc));
	fe = open_fe(ITEST_START, NULL);
	probe(fe);
	assert_int_equal(fe_stop(fe), 0);
	close_fe(fe);
	assert_true(proc_alive(&dmn.proc));
	assert_int_equal(dmn.proc.pid, pid);
}

static void expect_drop(struct fe *fe)
{
	int r = fe_expect_eof(fe, WAIT_MS);

	if (r < 0)
		print_error("expected the daemon to drop the connection: %s\n", strerror(-r));
	assert_int_equal(r, 0);
}

/* A NEED_REPLY message that must be refused: a nonzero ack, or EOF. */
static void expect_nack_or_drop(struct fe *fe, uint32_t req)
{
	struct vhost_user_msg m;
	int r = fe_recv(fe, &m, WAIT_MS);

	if (r == -EPIPE)
		return;
	if (r < 0)
		print_error("expected a failure ack or EOF: %s\n", strerror(-r));
	assert_int_equal(r, 8);
	assert_true(m.hdr.flags & VHOST_USER_REPLY_MASK);
	assert_int_equal(m.hdr.request, req);
	assert_int_not_equal(m.payload.u64, 0);
}

/* One bad message on its own connection (after a prefix), the reaction
 * checked, then a fresh connection must work. */
static void bad_msg(enum itest_mode mode, uint32_t req, uint32_t flags,
		    const void *payload, uint32_t size, const int *fds, unsigned nfds)
{
	struct fe *fe = open_fe(mode, NULL);

	assert_int_equal(fe_send(fe, req, flags, payload, size, fds, nfds), 0);
	if ((flags & VHOST_USER_NEED_REPLY) && fe->reply_ack)
		expect_nack_or_drop(fe, req);
	else
		expect_drop(fe);
	close_fe(fe);
	assert_serves();
}

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	assert_true(fd >= 0);
	return fd;
}

/* Submit a chain, kick, wait for the call, collect; returns the length. */
static uint32_t submit_wait(struct fe *fe, unsigned q, const struct fe_seg *s,
			    unsigned n, bool indirect)
{
	uint32_t id = 0, len = 0;
	int head = fe_vq_add(fe, q, s, n, indirect);

	assert_true(head >= 0);
	fe_vq_publish(fe, q, (uint16_t)head);
	assert_true(fe_vq_notify(fe, q) >= 0);
	for (int i = 0; i < 100; i++) {
		int r = fe_vq_get_used(fe, q, &id, &len);

		assert_true(r >= 0);
		if (r == 1)
			break;
		assert_int_equal(fe_vq_wait_call(fe, q, WAIT_MS), 0);
	}
	assert_int_equal(id, (uint32_t)head);
	return len;
}

/* The probe with the request header at out_gpa and 128 writable bytes at
 * in_gpa (anywhere in guest memory). */
static void probe_at(struct fe *fe, uint64_t out_gpa, uint64_t in_gpa, bool indirect)
{
	uint32_t hdr = PROBE_HDR;
	uint8_t *in = fe_ptr(fe, in_gpa, 128);
	struct fe_seg s[2] = {
		{ out_gpa, 4, false },
		{ in_gpa, 128, true },
	};
	uint32_t len;

	assert_non_null(in);
	assert_non_null(fe_ptr(fe, out_gpa, 4));
	memcpy(fe_ptr(fe, out_gpa, 4), &hdr, 4);
	memset(in, 0xa5, 128);
	len = submit_wait(fe, 0, s, 2, indirect);
	check_probe_reply(in, len);
}

/* n probes published together and kicked once; when all are answered
 * and the kick is settled: the call signals the daemon made for them.
 * used_event (EVENT_IDX: the used index after which the driver wants a
 * call) is set before the kick; avail_flags are the ring's flags. */
static uint64_t batch_calls(struct fe *fe, unsigned n, uint64_t buf, uint16_t used_event,
			    uint16_t avail_flags)
{
	struct fe_vq *vq = &fe->vq[0];
	uint16_t start = vq->last_used;
	long long end = proc_now_ms() + WAIT_MS;
	uint64_t c;

	itest_calls(fe, 0);
	for (unsigned i = 0; i < n; i++) {
		uint64_t out = buf + i * 256, in = out + 64;
		uint32_t hdr = PROBE_HDR;
		struct fe_seg s[2] = { { out, 4, false }, { in, 128, true } };
		int head;

		memcpy(fe_ptr(fe, out, 4), &hdr, 4);
		head = fe_vq_add(fe, 0, s, 2, false);
		assert_true(head >= 0);
		fe_vq_publish(fe, 0, (uint16_t)head);
	}
	vq->avail->flags = avail_flags;
	__atomic_store_n(&vq->avail->ring[vq->num], used_event, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	assert_int_equal(fe_vq_kick(fe, 0), 0);
	while (__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) != (uint16_t)(start + n)) {
		if (proc_now_ms() > end)
			fail_msg("%u probes were not all answered", n);
		usleep(1000);
	}
	itest_settle_ok(fe, 0);
	c = itest_calls(fe, 0);
	for (unsigned i = 0; i < n; i++) {
		uint32_t id, len;

		assert_int_equal(fe_vq_get_used(fe, 0, &id, &len), 1);
		check_probe_reply(fe_ptr(fe, buf + i * 256 + 64, 128), len);
	}
	vq->avail->flags = 0;
	return c;
}

/* ------------------------------------------------------- normal operation */

static void test_core_handshake_probe_stop_reconnect(void **state)
{
	struct fe *fe = open_fe(ITEST_START, NULL);
	uint16_t base = 0xffff;

	assert_int_equal(fe->nqueues, SCMI_QUEUES);
	assert_true(fe->dev_features & BIT64(VIRTIO_F_VERSION_1));
	assert_true(fe->dev_features & BIT64(VHOST_USER_F_PROTOCOL_FEATURES));
	for (int i = 0; i < 3; i++)
		probe(fe);
	/* shutdown as QEMU does it: disable, then GET_VRING_BASE */
	assert_int_equal(fe_queue_stop(fe, 0, &base), 0);
	assert_int_equal(base, 3);
	assert_int_equal(fe_queue_stop(fe, 1, &base), 0);
	assert_int_equal(base, 0);
	/* restart queue 0 on the same connection from where it stopped */
	assert_int_equal(fe_queue_start(fe, 0, 64, 3), 0);
	assert_int_equal(fe_queue_enable(fe, 0, true), 0);
	probe(fe);
	assert_int_equal(fe_queue_stop(fe, 0, &base), 0);
	assert_int_equal(base, 4);
	close_fe(fe);

	/* a new connection starts from a reset device */
	fe = open_fe(ITEST_START, NULL);
	probe(fe);
	assert_int_equal(fe_queue_stop(fe, 0, &base), 0);
	assert_int_equal(base, 1);
	close_fe(fe);
	assert_serves();
}

static void test_core_kick_before_enable_not_lost(void **state)
{
	struct fe_opts o = { .no_enable = true };
	struct fe *fe = open_fe(ITEST_START, &o);
	uint64_t out = fe_alloc(fe, 4, 4), in = fe_alloc(fe, 128, 8);
	struct fe_seg s[2] = { { out, 4, false }, { in, 128, true } };
	uint32_t hdr = PROBE_HDR, id = 0, len = 0;
	int head;

	memcpy(fe_ptr(fe, out, 4), &hdr, 4);
	head = fe_vq_add(fe, 0, s, 2, false);
	assert_true(head >= 0);
	fe_vq_publish(fe, 0, (uint16_t)head);
	assert_int_equal(fe_vq_kick(fe, 0), 0);
	/* a disabled ring is not processed: the daemon took the kick and
	 * answered nothing */
	itest_settle_ok(fe, 0);
	assert_int_equal(itest_calls(fe, 0), 0);
	assert_int_equal(fe_vq_pending(fe, 0), 0);

	assert_int_equal(fe_queue_enable(fe, 0, true), 0);
	assert_int_equal(fe_queue_enable(fe, 1, true), 0);
	assert_int_equal(fe_vq_wait_call(fe, 0, WAIT_MS), 0);
	assert_int_equal(fe_vq_get_used(fe, 0, &id, &len), 1);
	assert_int_equal(id, (uint32_t)head);
	check_probe_reply(fe_ptr(fe, in, 128), len);
	probe(fe);
	close_fe(fe);
	assert_serves();
}

static void test_core_reply_ack(void **state)
{
	struct fe *fe = open_fe(ITEST_START, NULL);
	struct vhost_vring_state st = { .index = 1, .num = 1 };
	struct vhost_user_msg m;
	uint64_t v;

	/* every set request of fe_start went with NEED_REPLY and got 0 */
	assert_true(fe->protocol & BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	assert_true(fe->reply_ack);
	assert_int_equal(fe_set_ack(fe, VHOST_USER_SET_VRING_ENABLE, &st, sizeof(st), NULL, 0), 0);
	probe(fe);
	/* a refused request gets a nonzero ack */
	st.index = 7;
	assert_int_equal(fe_set_ack(fe, VHOST_USER_SET_VRING_ENABLE, &st, sizeof(st), NULL, 0),
			 -EIO);
	close_fe(fe);
	assert_serves();

	/* without REPLY_ACK negotiated NEED_REPLY gets no reply */
	struct fe_opts o = { .protocol_off = BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK) };

	fe = open_fe(ITEST_START, &o);
	assert_false(fe->reply_ack);
	st.index = 0;
	assert_int_equal(fe_send(fe, VHOST_USER_SET_VRING_ENABLE, VHOST_USER_NEED_REPLY,
				 &st, sizeof(st), NULL, 0), 0);
	assert_int_equal(fe_send(fe, VHOST_USER_GET_FEATURES, 0, NULL, 0, NULL, 0), 0);
	assert_int_equal(fe_recv(fe, &m, WAIT_MS), 8);
	assert_int_equal(m.hdr.request, VHOST_USER_GET_FEATURES);
	assert_int_equal(fe_get_u64(fe, VHOST_USER_GET_FEATURES, &v), 0);
	probe(fe);
	close_fe(fe);
	assert_serves();
}

static void test_core_mem_slots_add_rem(void **state)
{
	struct fe_opts o = { .mem_slots = true };
	struct fe *fe;
	uint64_t slots = 0, area, b;
	int rb;

	fe = open_fe(ITEST_INIT, &o);
	assert_true(fe->protocol & BIT64(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS));
	assert_int_equal(fe_get_u64(fe, VHOST_USER_GET_MAX_MEM_SLOTS, &slots), 0);
	assert_true(slots >= 8);
	/* one memfd described as two adjacent regions (3 MiB border) */
	assert_int_equal(fe_mem_block(fe, 0x100000, 4 << 20, 2), 0);
	assert_int_equal(fe_driver_start(fe, &o), 0);
	probe(fe);

	/* buffers that straddle the border between the regions */
	area = fe_alloc_across(fe, 0, 136, 264);
	assert_int_not_equal(area, 0);
	probe_at(fe, area + 134, area + 140, false);   /* header split 2+2 */
	probe_at(fe, area, area + 72, false);          /* reply buffer split */
	probe_at(fe, area + 134, area + 140, true);    /* the same, indirect */
	probe_at(fe, area, area + 72, true);

	/* a region added later, used, removed */
	rb = fe_mem_block(fe, 0x4000000, 1 << 20, 1);
	assert_int_equal(rb, 2);
	assert_int_equal(fe_add_mem_reg(fe, (unsigned)rb), 0);
	b = fe->region[rb].gpa;
	probe_at(fe, b + 64, b + 4096, false);
	assert_int_equal(fe_rem_mem_reg(fe, (unsigned)rb), 0);
	/* removing it again is refused */
	assert_int_equal(fe_set_ack(fe, VHOST_USER_REM_MEM_REG,
				    &(struct vhost_user_mem_reg){ .region = {
					    .guest_phys_addr = b, .memory_size = 1 << 20,
					    .userspace_addr = fe->region[rb].uva } },
				    sizeof(struct vhost_user_mem_reg), NULL, 0), -EIO);
	close_fe(fe);
	assert_serves();

	/* a buffer in a removed region breaks the queue */
	fe = open_fe(ITEST_INIT, &o);
	assert_int_equal(fe_mem_block(fe, 0x100000, 4 << 20, 1), 0);
	assert_int_equal(fe_driver_start(fe, &o), 0);
	rb = fe_mem_block(fe, 0x4000000, 1 << 20, 1);
	assert_int_equal(fe_add_mem_reg(fe, (unsigned)rb), 0);
	b = fe->region[rb].gpa;
	probe_at(fe, b, b + 64, false);
	assert_int_equal(fe_rem_mem_reg(fe, (unsigned)rb), 0);
	{
		struct fe_seg s[2] = { { b, 4, false }, { b + 64, 128, true } };
		int head = fe_vq_add(fe, 0, s, 2, false);
		uint16_t used_before = fe->vq[0].used->idx;

		assert_true(head >= 0);
		fe_vq_publish(fe, 0, (uint16_t)head);
		assert_int_equal(fe_vq_kick(fe, 0), 0);
		assert_int_equal(fe_vq_wait_err(fe, 0, WAIT_MS), 0);
		assert_int_equal(fe->vq[0].used->idx, used_before);
	}
	close_fe(fe);
	assert_serves();
}

static void test_core_status_reset_queue_num(void **state)
{
	struct fe *fe = open_fe(ITEST_START, NULL);
	uint64_t v = 0;

	assert_true(fe->protocol & BIT64(VHOST_USER_PROTOCOL_F_STATUS));
	assert_true(fe->protocol & BIT64(VHOST_USER_PROTOCOL_F_RESET_DEVICE));
	assert_true(fe->protocol & BIT64(VHOST_USER_PROTOCOL_F_MQ));
	assert_int_equal(fe_get_u64(fe, VHOST_USER_GET_QUEUE_NUM, &v), 0);
	assert_int_equal(v, SCMI_QUEUES);
	assert_int_equal(fe_get_u64(fe, VHOST_USER_GET_STATUS, &v), 0);
	assert_int_equal(v, 0x0c);   /* FEATURES_OK | DRIVER_OK from fe_start */
	assert_int_equal(fe_set_u64(fe, VHOST_USER_SET_STATUS, 0x0f), 0);
	assert_int_equal(fe_get_u64(fe, VHOST_USER_GET_STATUS, &v), 0);
	assert_int_equal(v, 0x0f);
	probe(fe);

	/* RESET_DEVICE: status cleared, queues stopped; a new driver start
	 * on the same connection works */
	assert_int_equal(fe_set(fe, VHOST_USER_RESET_DEVICE, NULL, 0, NULL, 0), 0);
	assert_int_equal(fe_get_u64(fe, VHOST_USER_GET_STATUS, &v), 0);
	assert_int_equal(v, 0);
	for (unsigned q = 0; q < fe->nqueues; q++)
		assert_int_equal(fe_set_vring_fd(fe, VHOST_USER_SET_VRING_ERR, q,
						 fe->vq[q].err_fd), 0);
	assert_int_equal(fe_driver_start(fe, NULL), 0);
	probe(fe);
	probe(fe);
	close_fe(fe);
	assert_serves();
}

static void test_core_feature_variants(void **state)
{
	static const uint64_t offs[] = {
		0,
		BIT64(VIRTIO_RING_F_EVENT_IDX),
		BIT64(VIRTIO_RING_F_INDIRECT_DESC),
		BIT64(VIRTIO_RING_F_EVENT_IDX) | BIT64(VIRTIO_RING_F_INDIRECT_DESC),
	};

	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct fe_opts o = { .features_off = offs[i], .queue_size = 8 };
		struct fe *fe = open_fe(ITEST_START, &o);
		uint64_t buf = fe_alloc(fe, 256, 16);

		/* more requests than the ring has entries: indices wrap */
		for (int k = 0; k < 20; k++)
			probe(fe);
		if (!(offs[i] & BIT64(VIRTIO_RING_F_INDIRECT_DESC)))
			for (int k = 0; k < 10; k++)
				probe_at(fe, buf, buf + 64, true);
		close_fe(fe);
	}
	assert_serves();
}

/* Interrupts counted on the call eventfd, one batch of 4 requests each:
 * one per batch; with EVENT_IDX only when the used index passes the
 * driver's used_event; without it none while the driver sets
 * VRING_AVAIL_F_NO_INTERRUPT, unless NOTIFY_ON_EMPTY asks for one when the
 * ring runs empty. */
static void test_core_interrupts_counted(void **state)
{
	const uint64_t ei = BIT64(VIRTIO_RING_F_EVENT_IDX), noe = BIT64(VIRTIO_F_NOTIFY_ON_EMPTY);
	struct fe_opts o = { .features_off = noe, .queue_size = 16 };
	struct fe *fe = open_fe(ITEST_START, &o);
	uint64_t buf = fe_alloc(fe, 4 * 256, 16);
	uint16_t u;

	/* EVENT_IDX */
	assert_true(fe->features & ei);
	u = fe->vq[0].last_used;
	assert_int_equal(batch_calls(fe, 4, buf, u, 0), 1);          /* passed at the first */
	u = fe->vq[0].last_used;
	assert_int_equal(batch_calls(fe, 4, buf, (uint16_t)(u + 3), 0), 1);  /* at the last */
	u = fe->vq[0].last_used;
	assert_int_equal(batch_calls(fe, 4, buf, (uint16_t)(u + 4), 0), 0);  /* not reached */
	/* the flag means nothing with EVENT_IDX */
	u = fe->vq[0].last_used;
	assert_int_equal(batch_calls(fe, 4, buf, (uint16_t)(u + 3), VRING_AVAIL_F_NO_INTERRUPT), 1);
	close_fe(fe);

	/* no EVENT_IDX: the avail ring's flag */
	o.features_off = ei | noe;
	fe = open_fe(ITEST_START, &o);
	buf = fe_alloc(fe, 4 * 256, 16);
	assert_int_equal(batch_calls(fe, 4, buf, 0, 0), 1);
	assert_int_equal(batch_calls(fe, 4, buf, 0, VRING_AVAIL_F_NO_INTERRUPT), 0);
	assert_int_equal(batch_calls(fe, 4, buf, 0, 0), 1);
	close_fe(fe);

	/* NOTIFY_ON_EMPTY overrides the flag when the ring is empty */
	o.features_off = ei;
	fe = open_fe(ITEST_START, &o);
	assert_true(fe->features & noe);
	buf = fe_alloc(fe, 4 * 256, 16);
	assert_int_equal(batch_calls(fe, 4, buf, 0, VRING_AVAIL_F_NO_INTERRUPT), 1);
	close_fe(fe);
	assert_serves();
}

/* --------------------------------------------------- malformed messages */

static void test_core_bad_truncated_header(void **state)
{
	struct fe *fe = open_fe(ITEST_RAW, NULL);
	struct vhost_user_hdr h = { VHOST_USER_GET_FEATURES, VHOST_USER_VERSION, 0 };

	assert_int_equal(fe_send_raw(fe, &h, 6, NULL, 0), 0);
	close_fe(fe);
	assert_serves();

	/* a header announcing a payload that never comes */
	fe = open_fe(ITEST_RAW, NULL);
	h.request = VHOST_USER_SET_FEATURES;
	h.size = 8;
	assert_int_equal(fe_send_raw(fe, &h, sizeof(h), NULL, 0), 0);
	assert_int_equal(fe_send_raw(fe, "abc", 3, NULL, 0), 0);
	close_fe(fe);
	assert_serves();
}

static void test_core_bad_oversized_payload(void **state)
{
	struct fe *fe = open_fe(ITEST_INIT, NULL);
	uint8_t buf[512] = { 0 };
	struct vhost_user_hdr h = { VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 0x100000 };

	memcpy(buf, &h, sizeof(h));
	assert_int_equal(fe_send_raw(fe, buf, sizeof(buf), NULL, 0), 0);
	expect_drop(fe);
	close_fe(fe);
	assert_serves();

	/* just one byte more than the largest payload */
	fe = open_fe(ITEST_INIT, NULL);
	h.request = VHOST_USER_GET_CONFIG;
	h.size = sizeof(union vhost_user_payload) + 1;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(fe_send_raw(fe, buf, sizeof(h) + h.size, NULL, 0), 0);
	expect_drop(fe);
	close_fe(fe);
	assert_serves();
}

static void test_core_bad_size_for_request(void **state)
{
	uint8_t z[64] = { 0 };

	bad_msg(ITEST_INIT, VHOST_USER_SET_FEATURES, 0, z, 4, NULL, 0);
	bad_msg(ITEST_INIT, VHOST_USER_GET_FEATURES, 0, z, 8, NULL, 0);
	bad_msg(ITEST_INIT, VHOST_USER_SET_VRING_NUM, 0, z, 12, NULL, 0);
	bad_msg(ITEST_INIT, VHOST_USER_SET_VRING_ADDR, 0, z, 8, NULL, 0);
	bad_msg(ITEST_INIT, VHOST_USER_SET_OWNER, VHOST_USER_NEED_REPLY, z, 8, NULL, 0);
	bad_msg(ITEST_INIT, VHOST_USER_SET_MEM_TABLE, 0, z, 4, NULL, 0);
}

static void test_core_bad_fd_count(void **state)
{
	int fds[3] = { new_eventfd(), new_eventfd(), new_eventfd() };
	uint64_t feat = BIT64(VIRTIO_F_VERSION_1);
	uint64_t idx = 0;
	struct vhost_user_memory mem = { .nregions = 1 };
	int memfd = memfd_create("t", MFD_CLOEXEC);

	/* fds on requests that take none */
	bad_msg(ITEST_INIT, VHOST_USER_SET_FEATURES, 0, &feat, 8, fds, 1);
	bad_msg(ITEST_INIT, VHOST_USER_GET_FEATURES, 0, NULL, 0, fds, 2);
	/* two fds for a kick */
	bad_msg(ITEST_INIT, VHOST_USER_SET_VRING_KICK, 0, &idx, 8, fds, 2);
	/* no fd for a call without the NOFD flag */
	bad_msg(ITEST_INIT, VHOST_USER_SET_VRING_CALL, 0, &idx, 8, NULL, 0);
	/* SET_MEM_TABLE without its fd */
	assert_true(memfd >= 0);
	assert_int_equal(ftruncate(memfd, 1 << 20), 0);
	mem.regions[0] = (struct vhost_user_region){ 0x100000, 1 << 20, 0x7f0000000000ull, 0 };
	bad_msg(ITEST_INIT, VHOST_USER_SET_MEM_TABLE, 0, &mem, 8 + 32, NULL, 0);
	/* ... and with two fds for one region */
	fds[0] = memfd;
	fds[1] = memfd;
	bad_msg(ITEST_INIT, VHOST_USER_SET_MEM_TABLE, 0, &mem, 8 + 32, fds, 2);
	close(memfd);
	close(fds[2]);
}

static void test_core_bad_unknown_request(void **state)
{
	bad_msg(ITEST_INIT, 99, 0, NULL, 0, NULL, 0);
	bad_msg(ITEST_INIT, 30, 0, NULL, 0, NULL, 0);          /* hole in the numbering */
	bad_msg(ITEST_INIT, VHOST_USER_NONE, 0, NULL, 0, NULL, 0);
	bad_msg(ITEST_INIT, 0xffffffffu, VHOST_USER_NEED_REPLY, NULL, 0, NULL, 0);
	/* a request flagged as a reply */
	bad_msg(ITEST_INIT, VHOST_USER_GET_FEATURES, VHOST_USER_REPLY_MASK, NULL, 0, NULL, 0);
}

static void test_core_bad_queue_index(void **state)
{
	struct vhost_vring_state st = { .index = SCMI_QUEUES, .num = 64 };
	struct vhost_vring_addr a = { .index = 200 };
	uint64_t kick = 3;
	int efd = new_eventfd();

	bad_msg(ITEST_INIT, VHOST_USER_SET_VRING_NUM, 0, &st, sizeof(st), NULL, 0);
	st.index = 255;
	bad_msg(ITEST_INIT, VHOST_USER_SET_VRING_NUM, VHOST_USER_NEED_REPLY, &st, sizeof(st),
		NULL, 0);
	bad_msg(ITEST_INIT, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
	bad_msg(ITEST_INIT, VHOST_USER_SET_VRING_KICK, 0, &kick, 8, &efd, 1);
	kick = 0x1ff;  /* index bits 0xff plus NOFD */
	bad_msg(ITEST_INIT, VHOST_USER_SET_VRING_CALL, 0, &kick, 8, NULL, 0);
	st.index = SCMI_QUEUES;
	bad_msg(ITEST_INIT, VHOST_USER_GET_VRING_BASE, 0, &st, sizeof(st), NULL, 0);
	close(efd);
}

static void test_core_bad_ring_size(void **state)
{
	static const unsigned sizes[] = { 0, 3, 100, 2048, 0x10000, 0xffffffffu };

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct vhost_vring_state st = { .index = 0, .num = sizes[i] };

		bad_msg(ITEST_INIT, VHOST_USER_SET_VRING_NUM, 0, &st, sizeof(st), NULL, 0);
	}
}

/* SET_MEM_TABLE with nregions regions described by r, each with fd */
static void bad_mem_table(const struct vhost_user_region *r, unsigned nregions,
			  unsigned ndesc, int fd)
{
	struct vhost_user_memory mem = { .nregions = nregions };
	int fds[VHOST_MEMORY_BASELINE_NREGIONS];

	for (unsigned i = 0; i < ndesc; i++) {
		mem.regions[i] = r[i];
		fds[i] = fd;
	}
	bad_msg(ITEST_INIT, VHOST_USER_SET_MEM_TABLE, 0, &mem, 8 + 32 * ndesc, fds, ndesc);
	bad_msg(ITEST_INIT, VHOST_USER_SET_MEM_TABLE, VHOST_USER_NEED_REPLY, &mem,
		8 + 32 * ndesc, fds, ndesc);
}

static void test_core_bad_mem_table(void **state)
{
	const uint64_t sz = 1 << 20;
	int fd = memfd_create("t", MFD_CLOEXEC);
	void *p;
	uint64_t uva;
	struct vhost_user_region r[VHOST_MEMORY_BASELINE_NREGIONS];

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(2 * sz)), 0);
	p = mmap(NULL, 2 * sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	uva = (uint64_t)(uintptr_t)p;

	/* more than 8 regions (with 8 fds) */
	for (unsigned i = 0; i < VHOST_MEMORY_BASELINE_NREGIONS; i++)
		r[i] = (struct vhost_user_region){ 0x100000 + i * 0x1000, 0x1000,
						   uva + i * 0x1000, i * 0x1000 };
	bad_mem_table(r, 9, 8, fd);
	/* zero regions */
	bad_mem_table(r, 0, 0, fd);
	/* overlapping guest-physical ranges */
	r[0] = (struct vhost_user_region){ 0x100000, sz, uva, 0 };
	r[1] = (struct vhost_user_region){ 0x180000, sz, uva + sz, sz / 2 };
	bad_mem_table(r, 2, 2, fd);
	/* overlapping frontend-virtual ranges */
	r[1] = (struct vhost_user_region){ 0x400000, sz, uva + sz / 2, 0 };
	bad_mem_table(r, 2, 2, fd);
	/* gpa + size wraps */
	r[0] = (struct vhost_user_region){ 0xfffffffffff80000ull, sz, uva, 0 };
	bad_mem_table(r, 1, 1, fd);
	/* uva + size wraps */
	r[0] = (struct vhost_user_region){ 0x100000, sz, 0xfffffffffff80000ull, 0 };
	bad_mem_table(r, 1, 1, fd);
	/* larger than the memfd */
	r[0] = (struct vhost_user_region){ 0x100000, 4 * sz, uva, 0 };
	bad_mem_table(r, 1, 1, fd);
	/* offset + size past the end of the memfd */
	r[0] = (struct vhost_user_region){ 0x100000, sz, uva, sz + sz / 2 };
	bad_mem_table(r, 1, 1, fd);
	/* offset + size wraps */
	r[0] = (struct vhost_user_region){ 0x100000, sz, uva, 0xfffffffffff80000ull };
	bad_mem_table(r, 1, 1, fd);
	/* zero size */
	r[0] = (struct vhost_user_region){ 0x100000, 0, uva, 0 };
	bad_mem_table(r, 1, 1, fd);
	/* not a mappable fd */
	{
		int efd = new_eventfd();

		r[0] = (struct vhost_user_region){ 0x100000, sz, uva, 0 };
		bad_mem_table(r, 1, 1, efd);
		close(efd);
	}
	munmap(p, 2 * sz);
	close(fd);
}

/* Negotiate, install memory and size queue 0, then send a bad ring address. */
static void bad_ring_addr(uint64_t desc_off, uint64_t avail_off, uint64_t used_off,
			  bool absolute, uint64_t abs_desc)
{
	struct fe *fe = open_fe(ITEST_INIT, NULL);
	struct vhost_vring_addr a = { .index = 0 };
	uint64_t base;

	assert_int_equal(fe_set_u64(fe, VHOST_USER_SET_FEATURES, fe->dev_features), 0);
	assert_int_equal(fe_mem_block(fe, 0x100000, 1 << 20, 1), 0);
	assert_int_equal(fe_set_mem_table(fe), 0);
	assert_int_equal(fe_set_state(fe, VHOST_USER_SET_VRING_NUM, 0, 64), 0);
	base = fe->region[0].uva;
	a.desc_user_addr = absolute ? abs_desc : base + desc_off;
	a.avail_user_addr = base + avail_off;
	a.used_user_addr = base + used_off;
	assert_int_equal(fe_send(fe, VHOST_USER_SET_VRING_ADDR, VHOST_USER_NEED_REPLY,
				 &a, sizeof(a), NULL, 0), 0);
	expect_nack_or_drop(fe, VHOST_USER_SET_VRING_ADDR);
	close_fe(fe);
	assert_serves();
}

static void test_core_bad_ring_addr(void **state)
{
	const uint64_t mb = 1 << 20;

	/* desc table at a gpa, not a frontend address */
	bad_ring_addr(0, 0x1000, 0x2000, true, 0x100000);
	/* address 0 */
	bad_ring_addr(0, 0x1000, 0x2000, true, 0);
	/* used ring past the end of the region */
	bad_ring_addr(0, 0x1000, mb - 8, false, 0);
	/* avail ring straddling the end */
	bad_ring_addr(0, mb - 4, 0x2000, false, 0);
	/* desc table wraps the address space */
	bad_ring_addr(0, 0x1000, 0x2000, true, 0xfffffffffffffff0ull);
	/* misaligned desc table */
	bad_ring_addr(8, 0x1000, 0x2000, false, 0);
}

/* ------------------------------------------------ malformed descriptor chains */

typedef void (*chain_builder)(struct fe *fe, struct fe_vq *vq, uint64_t buf);

/* Start normally, check the probe works, corrupt queue 0 with build, kick:
 * the err eventfd must fire, no chain is completed, the probe no longer
 * works on this connection, and a new connection works. */
static void bad_chain(const struct fe_opts *o, chain_builder build)
{
	struct fe *fe = open_fe(ITEST_START, o);
	struct fe_vq *vq = &fe->vq[0];
	uint64_t buf = fe_alloc(fe, 4096, 16);
	uint16_t used_before;

	assert_int_not_equal(buf, 0);
	probe(fe);
	/* the probe's notification is made by now; forget it */
	itest_settle_ok(fe, 0);
	itest_calls(fe, 0);
	used_before = vq->used->idx;
	build(fe, vq, buf);
	assert_int_equal(fe_vq_kick(fe, 0), 0);
	assert_int_equal(fe_vq_wait_err(fe, 0, WAIT_MS), 0);
	/* the daemon is done with the kick: no call, nothing used */
	itest_settle_ok(fe, 0);
	assert_int_equal(itest_calls(fe, 0), 0);
	assert_int_equal(vq->used->idx, used_before);
	close_fe(fe);
	assert_serves();
}

static void set_desc(struct fe_vq *vq, uint16_t i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	vq->desc[i] = (struct vring_desc){ addr, len, flags, next };
}

static void b_head_oob(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	fe_vq_publish(fe, 0, (uint16_t)(vq->num + 3));
}

static void b_head_max(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	fe_vq_publish(fe, 0, 0xffff);
}

static void b_next_oob(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	set_desc(vq, 5, buf, 4, VRING_DESC_F_NEXT, (uint16_t)(vq->num + 1));
	fe_vq_publish(fe, 0, 5);
}

static void b_loop(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	set_desc(vq, 5, buf, 4, VRING_DESC_F_NEXT, 6);
	set_desc(vq, 6, buf + 16, 4, VRING_DESC_F_NEXT, 5);
	fe_vq_publish(fe, 0, 5);
}

static void b_self_loop(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	set_desc(vq, 5, buf, 4, VRING_DESC_F_NEXT, 5);
	fe_vq_publish(fe, 0, 5);
}

static void b_indirect_loop(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	struct vring_desc *t = fe_ptr(fe, buf + 1024, 32);

	t[0] = (struct vring_desc){ buf, 4, VRING_DESC_F_NEXT, 1 };
	t[1] = (struct vring_desc){ buf + 16, 4, VRING_DESC_F_NEXT, 0 };
	set_desc(vq, 5, buf + 1024, 32, VRING_DESC_F_INDIRECT, 0);
	fe_vq_publish(fe, 0, 5);
}

static void b_nested_indirect(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	struct vring_desc *t = fe_ptr(fe, buf + 1024, 16);
	struct vring_desc *t2 = fe_ptr(fe, buf + 2048, 16);

	*t2 = (struct vring_desc){ buf, 4, 0, 0 };
	*t = (struct vring_desc){ buf + 2048, 16, VRING_DESC_F_INDIRECT, 0 };
	set_desc(vq, 5, buf + 1024, 16, VRING_DESC_F_INDIRECT, 0);
	fe_vq_publish(fe, 0, 5);
}

static void b_indirect_table(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	struct vring_desc *t = fe_ptr(fe, buf + 1024, 16);

	*t = (struct vring_desc){ buf, 4, 0, 0 };
	set_desc(vq, 5, buf + 1024, 16, VRING_DESC_F_INDIRECT, 0);
	fe_vq_publish(fe, 0, 5);
}

static void b_indirect_bad_len(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	struct vring_desc *t = fe_ptr(fe, buf + 1024, 16);

	*t = (struct vring_desc){ buf, 4, 0, 0 };
	set_desc(vq, 5, buf + 1024, 15, VRING_DESC_F_INDIRECT, 0);
	fe_vq_publish(fe, 0, 5);
}

static void b_indirect_outside(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	set_desc(vq, 5, 0x40000000, 16, VRING_DESC_F_INDIRECT, 0);
	fe_vq_publish(fe, 0, 5);
}

static void b_addr_outside(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	set_desc(vq, 5, 0x40000000, 4, 0, 0);   /* 1 GiB: no memory there */
	fe_vq_publish(fe, 0, 5);
}

static void b_addr_past_end(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	const struct fe_region *r = &fe->region[0];

	set_desc(vq, 5, r->gpa + r->size - 2, 4, 0, 0);   /* last 2 bytes + 2 */
	fe_vq_publish(fe, 0, 5);
}

static void b_addr_wrap(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	set_desc(vq, 5, 0xfffffffffffffff0ull, 0x20, 0, 0);
	fe_vq_publish(fe, 0, 5);
}

static void b_write_before_read(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	set_desc(vq, 5, buf + 64, 128, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 6);
	set_desc(vq, 6, buf, 4, 0, 0);
	fe_vq_publish(fe, 0, 5);
}

static void b_avail_jump(struct fe *fe, struct fe_vq *vq, uint64_t buf)
{
	fe_vq_set_avail_idx(fe, 0, (uint16_t)(vq->avail_idx + vq->num + 1));
}

static void test_core_chain_head_out_of_range(void **state)
{
	bad_chain(NULL, b_head_oob);
	bad_chain(NULL, b_head_max);
}

static void test_core_chain_next_out_of_range(void **state)
{
	bad_chain(NULL, b_next_oob);
}

static void test_core_chain_loop(void **state)
{
	bad_chain(NULL, b_loop);
	bad_chain(NULL, b_self_loop);
	bad_chain(NULL, b_indirect_loop);
}

static void test_core_chain_nested_indirect(void **state)
{
	bad_chain(NULL, b_nested_indirect);
}

static void test_core_chain_indirect_without_feature(void **state)
{
	struct fe_opts o = { .features_off = BIT64(VIRTIO_RING_F_INDIRECT_DESC) };

	bad_chain(&o, b_indirect_table);
}

static void test_core_chain_indirect_bad_table(void **state)
{
	bad_chain(NULL, b_indirect_bad_len);
	bad_chain(NULL, b_indirect_outside);
}

static void test_core_chain_addr_outside_memory(void **state)
{
	bad_chain(NULL, b_addr_outside);
	bad_chain(NULL, b_addr_past_end);
}

static void test_core_chain_addr_wrap(void **state)
{
	bad_chain(NULL, b_addr_wrap);
}

static void test_core_chain_write_before_read(void **state)
{
	bad_chain(NULL, b_write_before_read);
}

static void test_core_chain_avail_idx_jump(void **state)
{
	struct fe_opts o = { .features_off = BIT64(VIRTIO_RING_F_EVENT_IDX) };

	bad_chain(NULL, b_avail_jump);
	bad_chain(&o, b_avail_jump);
}

/* --------------------------------------------------------- process life */

static void test_core_sigterm_removes_socket(void **state)
{
	struct fe *fe;
	struct stat st;

	assert_int_equal(proc_tmpdir(&side), 0);
	assert_int_equal(proc_spawn_device(&side, "scmi", dev_args), 0);
	fe = open_fe_at(side.sock, ITEST_START, NULL);
	probe(fe);
	/* terminate with a frontend connected */
	assert_int_equal(proc_stop(&side, 10000), 0);
	assert_int_not_equal(lstat(side.sock, &st), 0);
	close_fe(fe);
	proc_cleanup(&side);
}

static void test_core_stale_socket_replaced(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fe *fe;
	struct stat st;
	int s;

	assert_int_equal(proc_tmpdir(&side), 0);
	/* a socket file nobody listens on, as left by a killed daemon */
	strcpy(sa.sun_path, side.sock);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	assert_int_equal(lstat(side.sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));

	assert_int_equal(proc_spawn_device(&side, "scmi", dev_args), 0);
	fe = open_fe_at(side.sock, ITEST_START, NULL);
	probe(fe);
	close_fe(fe);
	assert_int_equal(proc_stop(&side, 10000), 0);
	assert_int_not_equal(lstat(side.sock, &st), 0);
	proc_cleanup(&side);
}

/* A second daemon on a socket a live daemon serves exits 1 naming the
 * path, and the first keeps its socket and serves on. */
static void test_core_live_socket_refused(void **state)
{
	const char *args[] = { "scmi", "-s", NULL, "-d", "fake,name=foo", NULL };
	char err[512];
	struct fe *fe;
	struct stat st;

	assert_int_equal(proc_tmpdir(&side), 0);
	assert_int_equal(proc_spawn_device(&side, "scmi", dev_args), 0);
	args[2] = side.sock;
	assert_int_equal(proc_run_cli(args, err, sizeof(err), proc_start_timeout_ms()), 1);
	if (!strstr(err, side.sock) || !strstr(err, "another process is serving"))
		print_error("stderr: %s\n", err);
	assert_non_null(strstr(err, side.sock));
	assert_non_null(strstr(err, "another process is serving this socket"));
	assert_int_equal(lstat(side.sock, &st), 0);
	fe = open_fe_at(side.sock, ITEST_START, NULL);
	probe(fe);
	close_fe(fe);
	assert_int_equal(proc_stop(&side, 10000), 0);
	assert_int_not_equal(lstat(side.sock, &st), 0);
	proc_cleanup(&side);
}

/* At exit a daemon removes its socket file only if it is still the one it
 * created: a file put in its place since is someone else's. */
static void test_core_exit_leaves_a_replaced_socket_file(void **state)
{
	struct stat st;
	FILE *f;
	struct fe *fe;

	assert_int_equal(proc_tmpdir(&side), 0);
	assert_int_equal(proc_spawn_device(&side, "scmi", dev_args), 0);
	/* served once: the daemon is in its loop (SIGTERM handled) */
	fe = open_fe_at(side.sock, ITEST_START, NULL);
	probe(fe);
	close_fe(fe);
	assert_int_equal(unlink(side.sock), 0);
	f = fopen(side.sock, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(proc_stop(&side, 10000), 0);
	assert_int_equal(lstat(side.sock, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	proc_cleanup(&side);
}

static void test_core_socket_path_not_a_socket(void **state)
{
	const char *args[] = { "scmi", "-s", NULL, "-d", "fake,name=foo", NULL };
	struct stat st;
	FILE *f;
	int status = 0;

	assert_int_equal(proc_tmpdir(&side), 0);
	f = fopen(side.sock, "w");
	assert_non_null(f);
	fputs("keep me\n", f);
	fclose(f);
	args[2] = side.sock;
	assert_int_equal(proc_spawn(&side, args, getenv("VDTEST_QUIET") != NULL, NULL, 0), 0);
	assert_int_equal(proc_wait(&side, proc_start_timeout_ms(), &status), 0);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 0);
	/* the regular file is left alone */
	assert_int_equal(lstat(side.sock, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 8);
	proc_cleanup(&side);
}

/* SIGTERM as soon as the first of many sockets exists (the daemon still
 * creating the others) ends it with 0, like any other SIGTERM. */
static void test_core_sigterm_during_start_exits_0(void **state)
{
	char sock0[160];
	const char *args[] = { "i2c", "-s", NULL, "-c", "64", "--sim", "24c02@0x50", NULL };

	assert_int_equal(proc_tmpdir(&side), 0);
	args[2] = side.sock;
	snprintf(sock0, sizeof(sock0), "%s0", side.sock);
	assert_int_equal(proc_spawn(&side, args, getenv("VDTEST_QUIET") != NULL, sock0,
				    proc_start_timeout_ms()), 0);
	assert_int_equal(proc_stop(&side, 10000), 0);
	proc_cleanup(&side);
}

/* Last: SIGTERM ends the group's daemon with exit 0 (under valgrind: no
 * memory error, no block left allocated). */
static void test_core_daemon_exits_0(void **state)
{
	itest_stop_ok(&dmn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_core_handshake_probe_stop_reconnect),
		T(test_core_kick_before_enable_not_lost),
		T(test_core_reply_ack),
		T(test_core_mem_slots_add_rem),
		T(test_core_status_reset_queue_num),
		T(test_core_feature_variants),
		T(test_core_interrupts_counted),
		T(test_core_bad_truncated_header),
		T(test_core_bad_oversized_payload),
		T(test_core_bad_size_for_request),
		T(test_core_bad_fd_count),
		T(test_core_bad_unknown_request),
		T(test_core_bad_queue_index),
		T(test_core_bad_ring_size),
		T(test_core_bad_mem_table),
		T(test_core_bad_ring_addr),
		T(test_core_chain_head_out_of_range),
		T(test_core_chain_next_out_of_range),
		T(test_core_chain_loop),
		T(test_core_chain_nested_indirect),
		T(test_core_chain_indirect_without_feature),
		T(test_core_chain_indirect_bad_table),
		T(test_core_chain_addr_outside_memory),
		T(test_core_chain_addr_wrap),
		T(test_core_chain_write_before_read),
		T(test_core_chain_avail_idx_jump),
		T(test_core_sigterm_removes_socket),
		T(test_core_stale_socket_replaced),
		T(test_core_live_socket_refused),
		T(test_core_exit_leaves_a_replaced_socket_file),
		T(test_core_socket_path_not_a_socket),
		T(test_core_sigterm_during_start_exits_0),
#undef T
		cmocka_unit_test(test_core_daemon_exits_0),
	};

	signal(SIGPIPE, SIG_IGN);
	if (getenv("VDTEST_FILTER"))
		cmocka_set_test_filter(getenv("VDTEST_FILTER"));
	return cmocka_run_group_tests_name("core", tests, NULL, group_teardown);
}
