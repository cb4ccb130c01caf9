/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The core's device lifecycle, driven with the message sequences QEMU
 * sends (recorded in DEVELOPERS.md, "Device lifecycle"): a pause (stop and
 * cont, migration) keeps the device and the buffers it holds and continues
 * the used ring where it really is; a driver reset (the rings start over)
 * and SET_STATUS 0 / RESET_DEVICE outside a stop reset the device; the
 * used index is read from the ring; REM_MEM_REG + re-add of the ring's
 * region loses nothing.  The backend runs in this process (loop_run_once). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "guestmem.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "vhost/proto.h"

#define NQ       2
#define QSIZE    8
#define RAM_GPA  0x100000ull
#define RAM_SIZE 0x100000ull
#define RING2_GPA 0x300000ull   /* a second region, for REM_MEM_REG */

/* The test device: queue 0 answers in place (1 byte), queue 1 holds every
 * element (an eventq) until the test completes it. */
struct tdev {
	struct vu_dev *d;
	struct vq_elem *held[QSIZE];
	unsigned nheld;
	unsigned resets, queue_stops, set_features;
};

static int td_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	struct tdev *t = priv;

	t->d = d;
	if (q == 0)
		return 1;
	assert_true(t->nheld < QSIZE);
	t->held[t->nheld++] = e;
	return DEV_HELD;
}

static void td_queue_stop(void *priv, struct vu_dev *d, unsigned q)
{
	struct tdev *t = priv;

	t->queue_stops++;
	if (q == 1)
		t->nheld = 0;
}

static void td_reset(void *priv, struct vu_dev *d)
{
	struct tdev *t = priv;

	assert_int_equal(t->nheld, 0);   /* queue_stop came first */
	t->resets++;
}

static void td_set_features(void *priv, uint64_t f)
{
	((struct tdev *)priv)->set_features++;
}

static const struct dev_ops td_ops = {
	.name = "lifecycle",
	.virtio_id = 99,
	.num_queues = NQ,
	.queue_size = 256,
	.handle = td_handle,
	.queue_stop = td_queue_stop,
	.reset = td_reset,
	.set_features = td_set_features,
};

struct fx {
	char dir[64], path[96];
	struct loop *l;
	struct vu_dev *dev;
	struct tdev t;
	int c;
	struct guestmem gm;
	struct gm_ring r[NQ];
	int kick[NQ], call[NQ];
	uint64_t ring_gpa;       /* where the current driver's rings are */
	struct gm_buf buf;
};

static void pump(struct fx *f)
{
	while (loop_run_once(f->l, 20) > 0)
		;
}

static void send_msg(struct fx *f, uint32_t req, const void *p, uint32_t size,
		     const int *fds, unsigned nfds)
{
	union {
		char b[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	uint8_t buf[512];
	struct vhost_user_hdr h = { req, VHOST_USER_VERSION, size };
	struct iovec iov = { buf, sizeof(h) + size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	memcpy(buf, &h, sizeof(h));
	if (size)
		memcpy(buf + sizeof(h), p, size);
	memset(&ctl, 0, sizeof(ctl));
	if (nfds) {
		struct cmsghdr *cm;

		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	assert_int_equal(sendmsg(f->c, &mh, MSG_NOSIGNAL), (ssize_t)iov.iov_len);
	pump(f);
	assert_true(vu_dev_connected(f->dev));
}

static void send_u64(struct fx *f, uint32_t req, uint64_t v)
{
	send_msg(f, req, &v, 8, NULL, 0);
}

static void send_state(struct fx *f, uint32_t req, unsigned q, unsigned num)
{
	struct vhost_vring_state st = { q, num };

	send_msg(f, req, &st, sizeof(st), NULL, 0);
}

/* GET_VRING_BASE: the base the backend answers. */
static unsigned get_base(struct fx *f, unsigned q)
{
	struct pollfd p = { f->c, POLLIN, 0 };
	struct {
		struct vhost_user_hdr h;
		struct vhost_vring_state st;
	} __attribute__((packed)) rep;

	send_state(f, VHOST_USER_GET_VRING_BASE, q, 0);
	assert_int_equal(poll(&p, 1, 1000), 1);
	assert_int_equal(recv(f->c, &rep, sizeof(rep), MSG_DONTWAIT), (ssize_t)sizeof(rep));
	assert_int_equal(rep.h.request, VHOST_USER_GET_VRING_BASE);
	assert_int_equal(rep.st.index, q);
	return rep.st.num;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	assert_non_null(f);
	log_set_level(getenv("TDEBUG") ? LOG_DEBUG : LOG_ERROR);
	strcpy(f->dir, "/tmp/vd-test-life.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s.sock", f->dir);
	f->l = loop_new();
	assert_non_null(f->l);
	f->dev = vu_dev_new(f->l, f->path, &td_ops, &f->t);
	assert_non_null(f->dev);
	f->c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(f->c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pump(f);
	gm_init(&f->gm);
	assert_int_equal(gm_add_region(&f->gm, RAM_GPA, RAM_SIZE), 0);
	for (unsigned q = 0; q < NQ; q++) {
		f->kick[q] = gm_eventfd();
		f->call[q] = gm_eventfd();
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->c);
	pump(f);
	vu_dev_free(f->dev);
	for (unsigned q = 0; q < NQ; q++) {
		close(f->kick[q]);
		close(f->call[q]);
	}
	gm_free(&f->gm);
	loop_free(f->l);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void send_mem_table(struct fx *f)
{
	struct vhost_user_memory m = { .nregions = f->gm.n };
	int fds[GM_MAX_REGIONS];

	for (unsigned i = 0; i < f->gm.n; i++) {
		gm_region_desc(&f->gm, i, &m.regions[i]);
		fds[i] = f->gm.reg[i].fd;
	}
	send_msg(f, VHOST_USER_SET_MEM_TABLE, &m, 8 + 32 * f->gm.n, fds, f->gm.n);
}

/* A new driver: fresh (zeroed) rings at ring_gpa. */
static void new_rings(struct fx *f, uint64_t ring_gpa)
{
	f->ring_gpa = ring_gpa;
	for (unsigned q = 0; q < NQ; q++)
		assert_int_equal(gm_ring_init(&f->r[q], &f->gm, QSIZE, ring_gpa + q * 0x1000,
					      ring_gpa + 0x4000 + q * 0x1000, 0x1000), 0);
	f->buf = (struct gm_buf){ gm_alloc(&f->r[1], 16), 16, true };
}

/* What QEMU sends to start the device (driver OK, or cont). */
static void start(struct fx *f, const uint16_t *base)
{
	uint64_t feat = BIT64(VIRTIO_F_VERSION_1) | BIT64(VHOST_USER_F_PROTOCOL_FEATURES);

	send_u64(f, VHOST_USER_SET_FEATURES, feat);
	send_mem_table(f);
	for (unsigned q = 0; q < NQ; q++) {
		struct vhost_vring_addr a;

		send_state(f, VHOST_USER_SET_VRING_NUM, q, QSIZE);
		send_state(f, VHOST_USER_SET_VRING_BASE, q, base[q]);
		gm_ring_addr(&f->r[q], q, &a);
		send_msg(f, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
		send_msg(f, VHOST_USER_SET_VRING_KICK, &(uint64_t){ q }, 8, &f->kick[q], 1);
		send_msg(f, VHOST_USER_SET_VRING_CALL, &(uint64_t){ q }, 8, &f->call[q], 1);
	}
	for (unsigned q = 0; q < NQ; q++)
		send_state(f, VHOST_USER_SET_VRING_ENABLE, q, 1);
}

/* What QEMU 10/11 send at a stop (VM stop, driver reset alike). */
static void stop(struct fx *f, unsigned *base)
{
	for (unsigned q = 0; q < NQ; q++)
		send_state(f, VHOST_USER_SET_VRING_ENABLE, q, 0);
	for (unsigned q = 0; q < NQ; q++)
		base[q] = get_base(f, q);
	send_u64(f, VHOST_USER_SET_STATUS, 0);
}

static void kick(struct fx *f, unsigned q)
{
	uint64_t one = 1;

	assert_int_equal(write(f->kick[q], &one, 8), 8);
	pump(f);
}

/* n requests on queue 0 (answered) and n eventq buffers (held). */
static void traffic(struct fx *f, unsigned n)
{
	struct gm_buf b = { gm_alloc(&f->r[0], 8), 8, true };

	for (unsigned i = 0; i < n; i++) {
		gm_ring_add_direct(&f->r[0], &b, 1);
		gm_ring_add_direct(&f->r[1], &f->buf, 1);
	}
	gm_ring_publish(&f->r[0]);
	gm_ring_publish(&f->r[1]);
	kick(f, 0);
	kick(f, 1);
}

static void complete(struct fx *f, unsigned i, uint32_t len)
{
	vu_complete(f->t.d, 1, f->t.held[i], len);
	pump(f);
}

/* QEMU stop, then cont: the held buffers survive, complete later at the
 * used entries that really come next, and interrupt the driver. */
static void test_dev_life_pause_keeps_held_and_continues_used_idx(void **state)
{
	struct fx *f = *state;
	unsigned base[NQ];
	uint32_t id, len;
	uint16_t h2;

	new_rings(f, RAM_GPA);
	start(f, (uint16_t[NQ]){ 0, 0 });
	traffic(f, 3);
	assert_int_equal(gm_ring_used_idx(&f->r[0]), 3);
	assert_int_equal(f->t.nheld, 3);
	complete(f, 0, 4);
	assert_int_equal(gm_ring_used_idx(&f->r[1]), 1);
	h2 = f->t.held[2]->head;

	stop(f, base);
	assert_int_equal(base[0], 3);
	assert_int_equal(base[1], 3);
	assert_int_equal(f->t.queue_stops, 0);
	assert_int_equal(f->t.resets, 0);
	/* the device completes one while the VM is stopped: the used ring
	 * stays as it was (parked) and the driver is not interrupted */
	gm_eventfd_read(f->call[1]);
	complete(f, 1, 5);
	assert_int_equal(gm_ring_used_idx(&f->r[1]), 1);
	assert_int_equal(gm_eventfd_read(f->call[1]), 0);

	start(f, (uint16_t[NQ]){ (uint16_t)base[0], (uint16_t)base[1] });
	assert_int_equal(f->t.resets, 0);
	assert_int_equal(f->t.queue_stops, 0);
	/* the parked completion is published at entry 1, not at the base */
	assert_int_equal(gm_ring_used_idx(&f->r[1]), 2);
	assert_true(gm_ring_get_used(&f->r[1], &id, &len));
	assert_true(gm_ring_get_used(&f->r[1], &id, &len));
	assert_int_equal(len, 5);
	assert_true(gm_eventfd_read(f->call[1]) > 0);
	/* the last held buffer, after the pause: entry 2 */
	complete(f, 2, 6);
	assert_int_equal(gm_ring_used_idx(&f->r[1]), 3);
	assert_true(gm_ring_get_used(&f->r[1], &id, &len));
	assert_int_equal(id, h2);
	assert_int_equal(len, 6);
	assert_true(gm_eventfd_read(f->call[1]) > 0);
	/* and the rings go on */
	traffic(f, 1);
	assert_int_equal(gm_ring_used_idx(&f->r[0]), 4);
	assert_int_equal(f->t.nheld, 4);
}

/* A guest driver unbind/bind or a system reset: the same stop, then the
 * new driver's rings at base 0.  The device is reset (held elements
 * dropped first), and the new driver's features are given again. */
static void test_dev_life_reset_sequence_calls_reset(void **state)
{
	struct fx *f = *state;
	unsigned base[NQ], sf;

	new_rings(f, RAM_GPA);
	start(f, (uint16_t[NQ]){ 0, 0 });
	traffic(f, 2);
	stop(f, base);
	assert_int_equal(f->t.resets, 0);
	sf = f->t.set_features;
	/* the new driver's rings: elsewhere, zeroed */
	new_rings(f, RAM_GPA + 0x10000);
	start(f, (uint16_t[NQ]){ 0, 0 });
	assert_int_equal(f->t.resets, 1);
	assert_int_equal(f->t.queue_stops, NQ);
	assert_int_equal(f->t.nheld, 0);
	assert_int_equal(f->t.set_features, sf + 2);   /* SET_FEATURES, then the replay */
	/* a fresh device on the new rings */
	traffic(f, 1);
	assert_int_equal(gm_ring_used_idx(&f->r[0]), 1);
	assert_int_equal(f->t.nheld, 1);
}

/* The same ring memory reused by the new driver (same addresses): its
 * base 0 and zeroed used ring still tell it from a pause. */
static void test_dev_life_reset_same_addresses(void **state)
{
	struct fx *f = *state;
	unsigned base[NQ];

	new_rings(f, RAM_GPA);
	start(f, (uint16_t[NQ]){ 0, 0 });
	traffic(f, 2);
	stop(f, base);
	new_rings(f, RAM_GPA);
	start(f, (uint16_t[NQ]){ 0, 0 });
	assert_int_equal(f->t.resets, 1);
	assert_int_equal(f->t.nheld, 0);
}

/* A restart with another ring size while buffers are held. */
static void test_dev_life_other_ring_size_resets(void **state)
{
	struct fx *f = *state;
	unsigned base[NQ];

	new_rings(f, RAM_GPA);
	start(f, (uint16_t[NQ]){ 0, 0 });
	traffic(f, 2);
	stop(f, base);
	send_state(f, VHOST_USER_SET_VRING_NUM, 1, QSIZE / 2);
	assert_int_equal(f->t.resets, 1);
	assert_int_equal(f->t.nheld, 0);
}

/* SET_STATUS 0 and RESET_DEVICE while the rings run: a reset now. */
static void test_dev_life_status_zero_and_reset_device_reset(void **state)
{
	struct fx *f = *state;

	new_rings(f, RAM_GPA);
	start(f, (uint16_t[NQ]){ 0, 0 });
	traffic(f, 2);
	send_u64(f, VHOST_USER_SET_STATUS, 0xf);
	assert_int_equal(f->t.resets, 0);
	send_u64(f, VHOST_USER_SET_STATUS, 0);
	assert_int_equal(f->t.resets, 1);
	assert_int_equal(f->t.nheld, 0);
	send_msg(f, VHOST_USER_RESET_DEVICE, NULL, 0, NULL, 0);
	assert_int_equal(f->t.resets, 2);
}

/* A ring some buffers of which were used before this backend saw it:
 * completions continue at the ring's used index, not at the base. */
static void test_dev_life_used_idx_read_from_ring(void **state)
{
	struct fx *f = *state;
	uint32_t id, len;
	int head;

	new_rings(f, RAM_GPA);
	for (unsigned i = 0; i < 5; i++) {
		head = gm_ring_add_direct(&f->r[0], &f->buf, 1);
		gm_ring_publish(&f->r[0]);
	}
	f->r[0].used->idx = 3;   /* two of five still out */
	f->r[0].used_seen = 3;
	start(f, (uint16_t[NQ]){ 5, 0 });
	head = gm_ring_add_direct(&f->r[0], &f->buf, 1);
	gm_ring_publish(&f->r[0]);
	kick(f, 0);
	assert_int_equal(gm_ring_used_idx(&f->r[0]), 4);
	assert_true(gm_ring_get_used(&f->r[0], &id, &len));
	assert_int_equal(id, head);
}

/* REM_MEM_REG of the region holding the rings, and its re-add: a
 * completion made meanwhile is published at the right entry afterwards. */
static void test_dev_life_ring_region_removed_and_readded(void **state)
{
	struct fx *f = *state;
	struct vhost_user_mem_reg mr = { 0 };
	uint32_t id, len;
	uint16_t h1;

	vu_offer_mem_slots(true);
	assert_int_equal(gm_add_region(&f->gm, RING2_GPA, RAM_SIZE), 0);
	new_rings(f, RING2_GPA);
	f->buf = (struct gm_buf){ RAM_GPA + 0x100, 16, true };
	start(f, (uint16_t[NQ]){ 0, 0 });
	traffic(f, 2);
	h1 = f->t.held[1]->head;
	complete(f, 0, 1);
	gm_region_desc(&f->gm, 1, &mr.region);
	send_msg(f, VHOST_USER_REM_MEM_REG, &mr, sizeof(mr), &f->gm.reg[1].fd, 1);
	gm_eventfd_read(f->call[1]);
	complete(f, 1, 7);
	assert_int_equal(gm_ring_used_idx(&f->r[1]), 1);
	send_msg(f, VHOST_USER_ADD_MEM_REG, &mr, sizeof(mr), &f->gm.reg[1].fd, 1);
	assert_int_equal(gm_ring_used_idx(&f->r[1]), 2);
	assert_true(gm_ring_get_used(&f->r[1], &id, &len));
	assert_true(gm_ring_get_used(&f->r[1], &id, &len));
	assert_int_equal(id, h1);
	assert_int_equal(len, 7);
	assert_true(gm_eventfd_read(f->call[1]) > 0);
	assert_int_equal(f->t.resets, 0);
	vu_offer_mem_slots(false);
}

#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dev_life_pause_keeps_held_and_continues_used_idx),
		T(test_dev_life_reset_sequence_calls_reset),
		T(test_dev_life_reset_same_addresses),
		T(test_dev_life_other_ring_size_resets),
		T(test_dev_life_status_zero_and_reset_device_reset),
		T(test_dev_life_used_idx_read_from_ring),
		T(test_dev_life_ring_region_removed_and_readded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
