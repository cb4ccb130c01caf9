/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The vhost-user request handlers (src/vhost/msg.c) in-process, one test
 * per rule: each request's value checks, what a refused request does to
 * the connection (dropped, or answered and kept), and the failure paths
 * of the socket and the loop that a peer or the system can provoke. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "devfx.h"
#include "guestmem.h"

#define ACKED (BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK) | BIT64(VHOST_USER_PROTOCOL_F_CONFIG) | \
	       BIT64(VHOST_USER_PROTOCOL_F_STATUS) | BIT64(VHOST_USER_PROTOCOL_F_MQ))

/* Queue 0 running on a 64-entry ring in one 1 MiB region; gm, r filled. */
static void ring_up(struct fx *f, struct guestmem *gm, struct gm_ring *r, int kick, int call)
{
	struct vhost_user_memory m = { .nregions = 1 };
	struct vhost_vring_addr a;
	struct vhost_vring_state st = { 0, 64 };
	uint64_t feat = BIT64(VIRTIO_F_VERSION_1), q0 = 0;

	gm_init(gm);
	assert_int_equal(gm_add_region(gm, 0x100000, 1 << 20), 0);
	assert_int_equal(gm_ring_init(r, gm, 64, 0x100000, 0x110000, 0xf0000), 0);
	gm_region_desc(gm, 0, &m.regions[0]);
	devfx_send(f, VHOST_USER_SET_FEATURES, 0, &feat, 8, NULL, 0);
	devfx_send(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, &gm->reg[0].fd, 1);
	devfx_send(f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
	gm_ring_addr(r, 0, &a);
	devfx_send(f, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
	devfx_send(f, VHOST_USER_SET_VRING_CALL, 0, &q0, 8, &call, 1);
	devfx_send(f, VHOST_USER_SET_VRING_KICK, 0, &q0, 8, &kick, 1);
	assert_true(vu_dev_connected(f->d));
}

/* One request published and kicked: handled? */
static unsigned one_request(struct fx *f, struct gm_ring *r, int kick)
{
	struct gm_buf b = { 0, 8, true };
	uint64_t one = 1;
	unsigned before = devfx_handled;

	b.gpa = gm_alloc(r, 8);
	gm_ring_add_direct(r, &b, 1);
	gm_ring_publish(r);
	assert_int_equal(write(kick, &one, 8), 8);
	devfx_pump(f);
	return devfx_handled - before;
}

/* ---- SET_CONFIG: answered with a failure, the connection stays ---- */

static void test_msg_set_config_fails_connection_stays(void **state)
{
	struct fx *f = *state;
	struct vhost_user_config c = { .offset = 0, .size = 4 };
	struct vhost_user_hdr h;
	uint8_t out[VHOST_USER_CONFIG_HDR_SIZE + 4];

	devfx_negotiate(f, ACKED);
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_SET_CONFIG, &c,
					      VHOST_USER_CONFIG_HDR_SIZE + 4, NULL, 0), 0);
	assert_true(vu_dev_connected(f->d));
	/* without NEED_REPLY: no answer, still connected, config unchanged */
	devfx_send(f, VHOST_USER_SET_CONFIG, 0, &c, VHOST_USER_CONFIG_HDR_SIZE + 4, NULL, 0);
	assert_true(vu_dev_connected(f->d));
	devfx_send(f, VHOST_USER_GET_CONFIG, 0, &c, VHOST_USER_CONFIG_HDR_SIZE + 4, NULL, 0);
	assert_int_equal(devfx_recv(f, &h, out, sizeof(out)), VHOST_USER_CONFIG_HDR_SIZE + 4);
	assert_int_equal(h.request, VHOST_USER_GET_CONFIG);
	assert_memory_equal(out + VHOST_USER_CONFIG_HDR_SIZE, "\xa0\xa1\xa2\xa3", 4);
}

/* ---- value ranges ---- */

static void test_msg_set_vring_base_above_16_bits_refused(void **state)
{
	struct fx *f = *state;
	struct vhost_vring_state st = { 0, 0xffff };

	devfx_negotiate(f, ACKED);
	assert_int_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_BASE, &st, 8, NULL, 0), 0);
	st.num = 0x10000;   /* would wrap to 0 as a 16-bit index */
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_BASE, &st, 8, NULL, 0), 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

static void test_msg_set_vring_enable_above_1_refused(void **state)
{
	struct fx *f = *state;
	struct vhost_vring_state st = { 1, 1 };

	devfx_negotiate(f, ACKED);
	assert_int_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_ENABLE, &st, 8, NULL, 0), 0);
	st.num = 0;
	assert_int_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_ENABLE, &st, 8, NULL, 0), 0);
	st.num = 2;
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_ENABLE, &st, 8, NULL, 0), 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

static void test_msg_set_status_above_a_byte_refused(void **state)
{
	struct fx *f = *state;
	uint64_t v = 0xff;

	devfx_negotiate(f, ACKED);
	assert_int_equal(devfx_send_acked(f, VHOST_USER_SET_STATUS, &v, 8, NULL, 0), 0);
	assert_int_equal(devfx_get_u64(f, VHOST_USER_GET_STATUS), 0xff);
	v = 0x100;
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_SET_STATUS, &v, 8, NULL, 0), 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

/* ---- memory ---- */

static void mem_slots_on(struct fx *f)
{
	vu_offer_mem_slots(true);
	devfx_negotiate(f, ACKED | BIT64(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS));
}

static void test_msg_add_mem_reg_needs_exactly_one_fd(void **state)
{
	struct fx *f = *state;
	struct vhost_user_mem_reg mr = { 0 };
	int fds[2] = { gm_memfd(1 << 20), gm_memfd(1 << 20) };

	mr.region = (struct vhost_user_region){ 0, 1 << 20, 0x7000000000, 0 };
	mem_slots_on(f);
	/* none */
	devfx_log_capture();
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_ADD_MEM_REG, &mr, sizeof(mr), NULL, 0), 0);
	assert_true(devfx_log_has("ADD_MEM_REG with 0 fds (1 needed)"));
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	/* two */
	mem_slots_on(f);
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_ADD_MEM_REG, &mr, sizeof(mr), fds, 2), 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	/* one */
	mem_slots_on(f);
	assert_int_equal(devfx_send_acked(f, VHOST_USER_ADD_MEM_REG, &mr, sizeof(mr), fds, 1), 0);
	assert_true(vu_dev_connected(f->d));
	vu_offer_mem_slots(false);
	close(fds[0]);
	close(fds[1]);
}

static void test_msg_add_mem_reg_refused_region(void **state)
{
	struct fx *f = *state;
	struct vhost_user_mem_reg mr = { 0 };
	int fd = gm_memfd(1 << 20);

	mem_slots_on(f);
	mr.region = (struct vhost_user_region){ 0, 1 << 20, 0x7000000000, 0 };
	assert_int_equal(devfx_send_acked(f, VHOST_USER_ADD_MEM_REG, &mr, sizeof(mr), &fd, 1), 0);
	/* the same guest range again: overlaps */
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_ADD_MEM_REG, &mr, sizeof(mr), &fd, 1), 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	/* larger than its file */
	mem_slots_on(f);
	mr.region.memory_size = 2 << 20;
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_ADD_MEM_REG, &mr, sizeof(mr), &fd, 1), 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	vu_offer_mem_slots(false);
	close(fd);
}

static void test_msg_set_mem_table_payload_shorter_than_regions(void **state)
{
	struct fx *f = *state;
	struct vhost_user_memory m = { .nregions = 2 };
	int fds[2] = { gm_memfd(1 << 20), gm_memfd(1 << 20) };

	m.regions[0] = (struct vhost_user_region){ 0, 1 << 20, 0x7000000000, 0 };
	m.regions[1] = (struct vhost_user_region){ 1 << 20, 1 << 20, 0x7000100000, 0 };
	devfx_negotiate(f, ACKED);
	/* two regions announced, one region's bytes sent */
	devfx_log_capture();
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_SET_MEM_TABLE, &m, 8 + 32, fds, 2), 0);
	assert_true(devfx_log_has("payload of 40 bytes is too small for 2 regions"));
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	/* the whole of both */
	devfx_negotiate(f, ACKED);
	assert_int_equal(devfx_send_acked(f, VHOST_USER_SET_MEM_TABLE, &m, 8 + 64, fds, 2), 0);
	close(fds[0]);
	close(fds[1]);
}

/* ---- RESET_OWNER ---- */

static void test_msg_reset_owner_resets_the_device(void **state)
{
	struct fx *f = *state;
	struct guestmem gm;
	struct gm_ring r;
	struct vhost_vring_addr a;
	struct vhost_vring_state st = { 0, 64 };
	int kick = gm_eventfd(), call = gm_eventfd();
	unsigned resets = f->resets;

	ring_up(f, &gm, &r, kick, call);
	assert_int_equal(one_request(f, &r, kick), 1);
	devfx_send(f, VHOST_USER_RESET_OWNER, 0, NULL, 0, NULL, 0);
	/* the connection stays; the device was told; the queue is gone */
	assert_true(vu_dev_connected(f->d));
	assert_int_equal(f->resets, resets + 1);
	assert_int_equal(one_request(f, &r, kick), 0);
	/* features and the memory table are forgotten too */
	assert_int_equal(devfx_get_u64(f, VHOST_USER_GET_FEATURES) & 1, 1);
	devfx_negotiate(f, ACKED);
	assert_int_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_NUM, &st, 8, NULL, 0), 0);
	gm_ring_addr(&r, 0, &a);
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0), 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	close(kick);
	close(call);
	gm_free(&gm);
}

/* ---- vring fd arguments ---- */

static void test_msg_kick_without_fd_refused(void **state)
{
	struct fx *f = *state;
	uint64_t v = 0 | VHOST_USER_VRING_NOFD_MASK;

	devfx_negotiate(f, ACKED);
	devfx_log_capture();
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_KICK, &v, 8, NULL, 0), 0);
	assert_true(devfx_log_has("polling mode (kick without fd) is not supported"));
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	/* a call or error fd may be absent: no interrupts / errors wanted */
	devfx_negotiate(f, ACKED);
	assert_int_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_CALL, &v, 8, NULL, 0), 0);
	assert_int_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_ERR, &v, 8, NULL, 0), 0);
}

static void test_msg_vring_fd_unknown_bits_refused(void **state)
{
	struct fx *f = *state;
	static const uint32_t reqs[] = { VHOST_USER_SET_VRING_KICK, VHOST_USER_SET_VRING_CALL,
					 VHOST_USER_SET_VRING_ERR };

	for (unsigned i = 0; i < 3; i++) {
		int e = gm_eventfd();
		uint64_t v = 1 | 1u << 9;     /* queue 1, bit 9 unknown */

		devfx_negotiate(f, ACKED);
		assert_int_not_equal(devfx_send_acked(f, reqs[i], &v, 8, &e, 1), 0);
		assert_true(devfx_dropped(f));
		devfx_reconnect(f);
		v = 1;
		devfx_negotiate(f, ACKED);
		assert_int_equal(devfx_send_acked(f, reqs[i], &v, 8, &e, 1), 0);
		close(e);
	}
}

/* The second fd of a vring request is refused by the table (at most 1). */
static void test_msg_vring_fd_with_no_fd_flag_and_an_fd_refused(void **state)
{
	struct fx *f = *state;
	int e = gm_eventfd();
	uint64_t v = VHOST_USER_VRING_NOFD_MASK;

	devfx_negotiate(f, ACKED);
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_CALL, &v, 8, &e, 1), 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	close(e);
}

/* ---- failure paths of the socket and the loop ---- */

/* How many of this process's fds refer to the memfd called name. */
static unsigned fds_named(const char *name)
{
	char link[64], target[256];
	unsigned n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = 0;
		if (strstr(target, name))
			n++;
	}
	return n;
}

/* A kick fd epoll cannot watch (a regular file): the request fails, the
 * connection is dropped, the backend keeps no copy of the fd. */
static void test_msg_kick_fd_epoll_cannot_watch(void **state)
{
	struct fx *f = *state;
	int fd = memfd_create("vd-kick-not-pollable", MFD_CLOEXEC);
	uint64_t v = 0;

	assert_true(fd >= 0);
	devfx_negotiate(f, ACKED);
	devfx_log_capture();
	assert_int_not_equal(devfx_send_acked(f, VHOST_USER_SET_VRING_KICK, &v, 8, &fd, 1), 0);
	assert_true(devfx_log_has("the kick fd cannot be watched"));
	assert_true(devfx_dropped(f));
	assert_int_equal(fds_named("vd-kick-not-pollable"), 1);
	close(fd);
	devfx_reconnect(f);
}

static void test_msg_listen_failures_named(void **state)
{
	struct fx *f = *state;
	char p[200];

	snprintf(p, sizeof(p), "%s/no/such/dir/s.sock", f->dir);
	errno = 0;
	assert_null(vu_dev_new(f->l, p, &devfx_ops, f));
	assert_int_equal(errno, ENOENT);
	memset(p, 'a', sizeof(p) - 1);
	p[0] = '/';
	p[sizeof(p) - 1] = 0;
	errno = 0;
	assert_null(vu_dev_new(f->l, p, &devfx_ops, f));
	assert_int_equal(errno, ENAMETOOLONG);
	/* the first device still serves */
	assert_true(devfx_get_u64(f, VHOST_USER_GET_FEATURES) & 1);
}

/* accept() failing (out of fds) while a frontend waits: the loop does not
 * spin on the pending connection; once fds are back it is served. */
static void test_msg_accept_failure_then_served(void **state)
{
	struct fx *f = *state;
	struct rlimit old, low;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int c2, passes = 0, spare;

	close(f->c);
	f->c = -1;
	devfx_pump(f);
	assert_false(vu_dev_connected(f->d));
	c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(c2, (struct sockaddr *)&sa, sizeof(sa)), 0);
	devfx_log_capture();
	/* no fd left for accept: every fd below the limit is in use */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	spare = dup(0);
	assert_true(spare >= 0);
	close(spare);
	low = old;
	low.rlim_cur = (rlim_t)spare;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (passes < 100 && loop_run_once(f->l, 0) > 0)
		passes++;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_true(devfx_log_has("the frontend was refused"));
	/* not a busy loop: the pending connection stops waking the loop */
	assert_true(passes < 100);
	assert_false(vu_dev_connected(f->d));
	f->c = c2;
	devfx_pump(f);
	if (!vu_dev_connected(f->d)) {
		/* refused while out of fds: a new attempt is served */
		close(c2);
		f->c = devfx_client(f);
	}
	assert_true(devfx_get_u64(f, VHOST_USER_GET_FEATURES) & 1);
}

#define T(n) cmocka_unit_test_setup_teardown(n, devfx_setup, devfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_msg_set_config_fails_connection_stays),
		T(test_msg_set_vring_base_above_16_bits_refused),
		T(test_msg_set_vring_enable_above_1_refused),
		T(test_msg_set_status_above_a_byte_refused),
		T(test_msg_add_mem_reg_needs_exactly_one_fd),
		T(test_msg_add_mem_reg_refused_region),
		T(test_msg_set_mem_table_payload_shorter_than_regions),
		T(test_msg_reset_owner_resets_the_device),
		T(test_msg_kick_without_fd_refused),
		T(test_msg_vring_fd_unknown_bits_refused),
		T(test_msg_vring_fd_with_no_fd_flag_and_an_fd_refused),
		T(test_msg_kick_fd_epoll_cannot_watch),
		T(test_msg_listen_failures_named),
		T(test_msg_accept_failure_then_served),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
