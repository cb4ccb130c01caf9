/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The vhost-user core in-process: message framing (split and coalesced
 * reads, fds), the request table's checks, REPLY_ACK, and that every
 * refused message drops only its connection.  The backend runs in this
 * process; the test drives the loop with loop_run_once(). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "devfx.h"
#include "guestmem.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "vhost/proto.h"

/* ---- framing ---- */

static void test_dev_get_features_offers_common_and_device_bits(void **state)
{
	struct fx *f = *state;
	uint64_t v = devfx_get_u64(f, VHOST_USER_GET_FEATURES);

	assert_int_equal(v, BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_F_NOTIFY_ON_EMPTY) |
			 BIT64(VIRTIO_RING_F_INDIRECT_DESC) | BIT64(VIRTIO_RING_F_EVENT_IDX) |
			 BIT64(VHOST_USER_F_PROTOCOL_FEATURES) | 1);
	v = devfx_get_u64(f, VHOST_USER_GET_PROTOCOL_FEATURES);
	assert_true(v & BIT64(VHOST_USER_PROTOCOL_F_MQ));
	assert_true(v & BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	assert_true(v & BIT64(VHOST_USER_PROTOCOL_F_CONFIG));
	assert_false(v & BIT64(VHOST_USER_PROTOCOL_F_LOG_SHMFD));
	/* CONFIGURE_MEM_SLOTS only when asked for (--mem-slots) */
	assert_false(v & BIT64(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS));
	vu_offer_mem_slots(true);
	v = devfx_get_u64(f, VHOST_USER_GET_PROTOCOL_FEATURES);
	vu_offer_mem_slots(false);
	assert_true(v & BIT64(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS));
}

static void test_dev_message_split_across_reads(void **state)
{
	struct fx *f = *state;
	uint8_t buf[64];
	uint64_t mq = BIT64(VHOST_USER_PROTOCOL_F_MQ);
	size_t n = devfx_build(buf, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &mq, 8);
	struct vhost_user_hdr h;
	uint64_t v;

	/* one byte at a time: the header, then the payload */
	for (size_t i = 0; i < n; i++) {
		devfx_send_bytes(f->c, buf + i, 1, NULL, 0);
		devfx_pump(f);
		assert_true(vu_dev_connected(f->d));
	}
	devfx_send(f, VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0);
	assert_int_equal(devfx_recv(f, &h, &v, 8), 8);
	assert_int_equal(v, 2);
}

static void test_dev_messages_coalesced_in_one_write(void **state)
{
	struct fx *f = *state;
	uint8_t buf[128];
	uint64_t mq = BIT64(VHOST_USER_PROTOCOL_F_MQ), v;
	size_t n = devfx_build(buf, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &mq, 8);
	struct vhost_user_hdr h;

	n += devfx_build(buf + n, VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0);
	devfx_send_bytes(f->c, buf, n, NULL, 0);
	devfx_pump(f);
	assert_int_equal(devfx_recv(f, &h, &v, 8), 8);
	assert_int_equal(h.request, VHOST_USER_GET_QUEUE_NUM);
	assert_int_equal(v, 2);
}

static void test_dev_oversized_payload_drops(void **state)
{
	struct fx *f = *state;
	struct vhost_user_hdr h = { VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 100000 };

	devfx_send_bytes(f->c, &h, sizeof(h), NULL, 0);
	devfx_pump(f);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

static void test_dev_bad_version_drops(void **state)
{
	struct fx *f = *state;
	struct vhost_user_hdr h = { VHOST_USER_GET_FEATURES, 2, 0 };

	devfx_send_bytes(f->c, &h, sizeof(h), NULL, 0);
	devfx_pump(f);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

static void test_dev_reply_flag_from_frontend_drops(void **state)
{
	struct fx *f = *state;

	devfx_send(f, VHOST_USER_GET_FEATURES, VHOST_USER_REPLY_MASK, NULL, 0, NULL, 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

static void test_dev_unknown_request_drops(void **state)
{
	struct fx *f = *state;

	devfx_send(f, 77, 0, NULL, 0, NULL, 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	devfx_send(f, VHOST_USER_SET_LOG_BASE, 0, (uint64_t[]){ 0 }, 8, NULL, 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

static void test_dev_wrong_payload_size_drops(void **state)
{
	struct fx *f = *state;
	uint32_t four = 1;

	devfx_send(f, VHOST_USER_SET_FEATURES, 0, &four, 4, NULL, 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

static void test_dev_fds_on_fdless_request_drop_and_are_closed(void **state)
{
	struct fx *f = *state;
	int e = eventfd(0, EFD_CLOEXEC);
	uint64_t v = BIT64(VIRTIO_F_VERSION_1);

	devfx_send(f, VHOST_USER_SET_FEATURES, 0, &v, 8, &e, 1);
	assert_true(devfx_dropped(f));
	close(e);
	devfx_reconnect(f);
}

static void test_dev_too_many_fds_drop(void **state)
{
	struct fx *f = *state;
	int fds[12];
	uint8_t buf[64];

	for (int i = 0; i < 12; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	devfx_send_bytes(f->c, buf, devfx_build(buf, VHOST_USER_SET_MEM_TABLE, 0, (uint8_t[8]){ 0 }, 8), fds, 12);
	devfx_pump(f);
	assert_true(devfx_dropped(f));
	for (int i = 0; i < 12; i++)
		close(fds[i]);
	devfx_reconnect(f);
}

static void test_dev_unoffered_features_drop(void **state)
{
	struct fx *f = *state;
	uint64_t v = BIT64(VIRTIO_F_VERSION_1) | BIT64(5);

	devfx_send(f, VHOST_USER_SET_FEATURES, 0, &v, 8, NULL, 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

static void test_dev_request_needing_unnegotiated_protocol_drops(void **state)
{
	struct fx *f = *state;

	/* GET_QUEUE_NUM after protocol features without MQ were set */
	devfx_negotiate(f, BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	devfx_send(f, VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

/* A frontend that never sets protocol features on a connection (QEMU
 * reconnecting to a restarted backend skips the handshake) is taken to use
 * what was offered: its NEED_REPLY gets an ack, MQ requests work. */
static void test_dev_no_handshake_means_offered_protocol(void **state)
{
	struct fx *f = *state;
	struct vhost_user_hdr h;
	struct vhost_vring_state st = { 0, 64 };
	uint64_t v = 99;

	devfx_send(f, VHOST_USER_SET_VRING_NUM, VHOST_USER_NEED_REPLY, &st, 8, NULL, 0);
	assert_int_equal(devfx_recv(f, &h, &v, 8), 8);
	assert_int_equal(h.request, VHOST_USER_SET_VRING_NUM);
	assert_int_equal(v, 0);
	assert_int_equal(devfx_get_u64(f, VHOST_USER_GET_QUEUE_NUM), 2);
}

static void test_dev_queue_index_out_of_range_drops(void **state)
{
	struct fx *f = *state;
	struct vhost_vring_state st = { 2, 64 };

	devfx_send(f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

static void test_dev_ring_size_checked(void **state)
{
	struct fx *f = *state;
	static const uint32_t bad[] = { 0, 3, 2048, 100 };

	for (unsigned i = 0; i < 4; i++) {
		struct vhost_vring_state st = { 0, bad[i] };

		devfx_send(f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
		assert_true(devfx_dropped(f));
		devfx_reconnect(f);
	}
	struct vhost_vring_state ok = { 1, 256 };
	devfx_send(f, VHOST_USER_SET_VRING_NUM, 0, &ok, 8, NULL, 0);
	assert_true(vu_dev_connected(f->d));
}

/* ---- REPLY_ACK ---- */

static void test_dev_reply_ack_success_and_failure(void **state)
{
	struct fx *f = *state;
	struct vhost_user_hdr h;
	struct vhost_vring_state st = { 0, 64 };
	uint64_t v = 99;

	devfx_negotiate(f, BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	devfx_send(f, VHOST_USER_SET_VRING_NUM, VHOST_USER_NEED_REPLY, &st, 8, NULL, 0);
	assert_int_equal(devfx_recv(f, &h, &v, 8), 8);
	assert_int_equal(h.request, VHOST_USER_SET_VRING_NUM);
	assert_int_equal(v, 0);
	st.num = 3;
	devfx_send(f, VHOST_USER_SET_VRING_NUM, VHOST_USER_NEED_REPLY, &st, 8, NULL, 0);
	assert_int_equal(devfx_recv(f, &h, &v, 8), 8);
	assert_int_not_equal(v, 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

static void test_dev_need_reply_without_reply_ack_gets_no_reply(void **state)
{
	struct fx *f = *state;
	struct vhost_vring_state st = { 0, 64 };

	devfx_negotiate(f, BIT64(VHOST_USER_PROTOCOL_F_MQ));

	devfx_send(f, VHOST_USER_SET_VRING_NUM, VHOST_USER_NEED_REPLY, &st, 8, NULL, 0);
	/* the next reply is the one to a request that has one */
	devfx_get_u64(f, VHOST_USER_GET_FEATURES);
	assert_true(vu_dev_connected(f->d));
}

/* ---- config ---- */

static void test_dev_get_config_in_range_and_outside(void **state)
{
	struct fx *f = *state;
	struct vhost_user_hdr h;
	struct vhost_user_config c = { .offset = 2, .size = 4 };
	uint8_t out[sizeof(c)];

	devfx_negotiate(f, BIT64(VHOST_USER_PROTOCOL_F_CONFIG));
	devfx_send(f, VHOST_USER_GET_CONFIG, 0, &c, VHOST_USER_CONFIG_HDR_SIZE + 4, NULL, 0);
	assert_int_equal(devfx_recv(f, &h, out, sizeof(out)), VHOST_USER_CONFIG_HDR_SIZE + 4);
	assert_memory_equal(out + VHOST_USER_CONFIG_HDR_SIZE, "\xa2\xa3\xa4\xa5", 4);
	/* outside the 8-byte space: an empty reply, connection kept */
	c.offset = 6;
	devfx_send(f, VHOST_USER_GET_CONFIG, 0, &c, VHOST_USER_CONFIG_HDR_SIZE + 4, NULL, 0);
	assert_int_equal(devfx_recv(f, &h, NULL, 0), 0);
	assert_true(vu_dev_connected(f->d));
	/* an offset past the end, even for 0 bytes (and where offset + size
	 * would wrap): empty too */
	c.offset = 9;
	c.size = 0;
	devfx_send(f, VHOST_USER_GET_CONFIG, 0, &c, VHOST_USER_CONFIG_HDR_SIZE, NULL, 0);
	assert_int_equal(devfx_recv(f, &h, NULL, 0), 0);
	c.offset = 0xffffffff;
	c.size = 4;
	devfx_send(f, VHOST_USER_GET_CONFIG, 0, &c, VHOST_USER_CONFIG_HDR_SIZE + 4, NULL, 0);
	assert_int_equal(devfx_recv(f, &h, NULL, 0), 0);
	assert_true(vu_dev_connected(f->d));
	/* size field disagreeing with the payload: devfx_dropped */
	c.offset = 0;
	c.size = 8;
	devfx_send(f, VHOST_USER_GET_CONFIG, 0, &c, VHOST_USER_CONFIG_HDR_SIZE + 4, NULL, 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
}

/* ---- memory ---- */

static void test_dev_mem_table_fd_count_must_match(void **state)
{
	struct fx *f = *state;
	struct vhost_user_memory m = { .nregions = 1 };
	int fd = memfd_create("t", MFD_CLOEXEC);

	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	m.regions[0] = (struct vhost_user_region){ 0, 1 << 20, 0x7000000000, 0 };
	/* no fd */
	devfx_send(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, NULL, 0);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	/* region larger than the file */
	m.regions[0].memory_size = 2 << 20;
	devfx_send(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, &fd, 1);
	assert_true(devfx_dropped(f));
	devfx_reconnect(f);
	/* right */
	m.regions[0].memory_size = 1 << 20;
	devfx_send(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, &fd, 1);
	assert_true(vu_dev_connected(f->d));
	close(fd);
}

/* ---- lifecycle ---- */

static void test_dev_disconnect_resets_device(void **state)
{
	struct fx *f = *state;
	unsigned before = f->resets;

	close(f->c);
	f->c = -1;
	devfx_pump(f);
	assert_false(vu_dev_connected(f->d));
	assert_int_equal(f->resets, before + 1);
	f->c = devfx_client(f);
}

static void test_dev_second_connection_refused_while_first_alive(void **state)
{
	struct fx *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char b;

	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(c2, (struct sockaddr *)&sa, sizeof(sa)), 0);
	devfx_pump(f);
	assert_int_equal(recv(c2, &b, 1, 0), 0);   /* closed by the backend */
	close(c2);
	/* the first one still works */
	assert_true(devfx_get_u64(f, VHOST_USER_GET_FEATURES) & BIT64(VIRTIO_F_VERSION_1));
}

static void test_dev_new_connection_after_old_closed_in_same_pass(void **state)
{
	struct fx *f = *state;

	/* A reconnecting frontend: the new connection is ready in the loop
	 * before the old one's close is (both in the same epoll pass). */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(c2, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(f->c);
	f->c = c2;
	devfx_pump(f);
	assert_true(vu_dev_connected(f->d));
	assert_true(devfx_get_u64(f, VHOST_USER_GET_FEATURES) & BIT64(VIRTIO_F_VERSION_1));
}

static void test_dev_stale_socket_replaced_and_non_socket_refused(void **state)
{
	struct fx *f = *state;
	char p[128];
	struct vu_dev *d2;
	struct stat st;

	/* a regular file is never removed */
	snprintf(p, sizeof(p), "%s/plain", f->dir);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	errno = 0;
	d2 = vu_dev_new(f->l, p, &devfx_ops, f);
	assert_null(d2);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(p);
	/* a socket file left by a dead process is replaced */
	snprintf(p, sizeof(p), "%s/stale.sock", f->dir);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, p);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	d2 = vu_dev_new(f->l, p, &devfx_ops, f);
	assert_non_null(d2);
	vu_dev_free(d2);
	assert_int_not_equal(stat(p, &st), 0);   /* removed at exit */
}

/* A socket that a process accepts on is never taken over (EADDRINUSE, the
 * file and its server untouched), and at exit only the file this process
 * created is removed: one put in its place since stays. */
static void test_dev_live_socket_refused_and_only_own_file_unlinked(void **state)
{
	struct fx *f = *state;
	struct stat before, after;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vu_dev *d2;
	char p[128];
	int s;

	assert_int_equal(lstat(f->path, &before), 0);
	errno = 0;
	assert_null(vu_dev_new(f->l, f->path, &devfx_ops, f));
	assert_int_equal(errno, EADDRINUSE);
	assert_int_equal(lstat(f->path, &after), 0);
	assert_true(after.st_ino == before.st_ino && after.st_dev == before.st_dev);
	devfx_pump(f);
	assert_true(vu_dev_connected(f->d));

	snprintf(p, sizeof(p), "%s/own.sock", f->dir);
	d2 = vu_dev_new(f->l, p, &devfx_ops, f);
	assert_non_null(d2);
	/* someone replaces the file (another instance, an administrator) */
	assert_int_equal(unlink(p), 0);
	strcpy(sa.sun_path, p);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	vu_dev_free(d2);
	assert_int_equal(lstat(p, &after), 0);     /* not ours: kept */
	close(s);
	unlink(p);
}

/* ---- batches ---- */

/* More requests than one pass takes (the core's per-pass budget, so one
 * busy guest cannot starve the others): all are handled, and the device's
 * flush runs once, when the batch really ends, not when a pass is cut. */
static void test_dev_flush_once_per_batch_across_passes(void **state)
{
	struct fx *f = *state;
	struct guestmem gm;
	struct gm_ring r;
	struct vhost_user_memory m = { .nregions = 1 };
	struct vhost_vring_addr a;
	struct vhost_vring_state st = { 0, 512 };
	struct gm_buf b = { 0, 8, true };
	uint64_t feat = BIT64(VIRTIO_F_VERSION_1), kick0 = 0;
	int kick = gm_eventfd(), call = gm_eventfd();

	gm_init(&gm);
	assert_int_equal(gm_add_region(&gm, 0x100000, 1 << 20), 0);
	assert_int_equal(gm_ring_init(&r, &gm, 512, 0x100000, 0x110000, 0xf0000), 0);
	gm_region_desc(&gm, 0, &m.regions[0]);
	devfx_send(f, VHOST_USER_SET_FEATURES, 0, &feat, 8, NULL, 0);
	devfx_send(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, &gm.reg[0].fd, 1);
	devfx_send(f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
	gm_ring_addr(&r, 0, &a);
	devfx_send(f, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
	devfx_send(f, VHOST_USER_SET_VRING_CALL, 0, &kick0, 8, &call, 1);
	b.gpa = gm_alloc(&r, 8);
	for (unsigned i = 0; i < 300; i++)
		gm_ring_add_direct(&r, &b, 1);
	gm_ring_publish(&r);
	devfx_handled = devfx_flushes = 0;
	devfx_send(f, VHOST_USER_SET_VRING_KICK, 0, &kick0, 8, &kick, 1);
	assert_true(vu_dev_connected(f->d));
	assert_int_equal(devfx_handled, 300);
	assert_int_equal(gm_ring_used_idx(&r), 300);
	assert_int_equal(devfx_flushes, 1);
	close(kick);
	close(call);
	gm_free(&gm);
}

/* The per-pass budget also counts bytes: requests carrying 512 KiB each
 * (the same guest buffer, as a hostile driver may alias it) end the first
 * pass after 1 MiB, two requests, not after 256; the rest follows in later
 * passes and the batch still ends with one flush. */
static void test_dev_budget_counts_bytes(void **state)
{
	struct fx *f = *state;
	struct guestmem gm;
	struct gm_ring r;
	struct vhost_user_memory m = { .nregions = 1 };
	struct vhost_vring_addr a;
	struct vhost_vring_state st = { 0, 64 };
	struct gm_buf b = { 0, 512u << 10, false };
	uint64_t feat = BIT64(VIRTIO_F_VERSION_1), kick0 = 0, one = 1;
	int kick = gm_eventfd(), call = gm_eventfd();

	gm_init(&gm);
	assert_int_equal(gm_add_region(&gm, 0x100000, 1 << 20), 0);
	assert_int_equal(gm_ring_init(&r, &gm, 64, 0x100000, 0x110000, 0xf0000), 0);
	gm_region_desc(&gm, 0, &m.regions[0]);
	devfx_send(f, VHOST_USER_SET_FEATURES, 0, &feat, 8, NULL, 0);
	devfx_send(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, &gm.reg[0].fd, 1);
	devfx_send(f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
	gm_ring_addr(&r, 0, &a);
	devfx_send(f, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
	devfx_send(f, VHOST_USER_SET_VRING_CALL, 0, &kick0, 8, &call, 1);
	devfx_send(f, VHOST_USER_SET_VRING_KICK, 0, &kick0, 8, &kick, 1);
	b.gpa = gm_alloc(&r, b.len);
	assert_int_not_equal(b.gpa, 0);
	for (unsigned i = 0; i < 8; i++)
		gm_ring_add_direct(&r, &b, 1);
	gm_ring_publish(&r);
	devfx_handled = devfx_flushes = 0;
	assert_int_equal(write(kick, &one, 8), 8);
	assert_int_equal(loop_run_once(f->l, 1000), 1);   /* exactly one pass */
	assert_int_equal(devfx_handled, 2);
	assert_int_equal(devfx_flushes, 0);
	devfx_pump(f);
	assert_int_equal(devfx_handled, 8);
	assert_int_equal(gm_ring_used_idx(&r), 8);
	assert_int_equal(devfx_flushes, 1);
	close(kick);
	close(call);
	gm_free(&gm);
}

#define T(n) cmocka_unit_test_setup_teardown(n, devfx_setup, devfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dev_get_features_offers_common_and_device_bits),
		T(test_dev_message_split_across_reads),
		T(test_dev_messages_coalesced_in_one_write),
		T(test_dev_oversized_payload_drops),
		T(test_dev_bad_version_drops),
		T(test_dev_reply_flag_from_frontend_drops),
		T(test_dev_unknown_request_drops),
		T(test_dev_wrong_payload_size_drops),
		T(test_dev_fds_on_fdless_request_drop_and_are_closed),
		T(test_dev_too_many_fds_drop),
		T(test_dev_unoffered_features_drop),
		T(test_dev_request_needing_unnegotiated_protocol_drops),
		T(test_dev_no_handshake_means_offered_protocol),
		T(test_dev_queue_index_out_of_range_drops),
		T(test_dev_ring_size_checked),
		T(test_dev_reply_ack_success_and_failure),
		T(test_dev_need_reply_without_reply_ack_gets_no_reply),
		T(test_dev_get_config_in_range_and_outside),
		T(test_dev_mem_table_fd_count_must_match),
		T(test_dev_disconnect_resets_device),
		T(test_dev_second_connection_refused_while_first_alive),
		T(test_dev_new_connection_after_old_closed_in_same_pass),
		T(test_dev_stale_socket_replaced_and_non_socket_refused),
		T(test_dev_live_socket_refused_and_only_own_file_unlinked),
		T(test_dev_flush_once_per_batch_across_passes),
		T(test_dev_budget_counts_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
