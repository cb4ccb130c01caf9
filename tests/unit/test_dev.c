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
#include "guestmem.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "vhost/proto.h"

struct fx {
	char dir[64];
	char path[96];
	struct loop *l;
	struct vu_dev *d;
	int c;            /* client socket */
	unsigned resets;
};

static unsigned nhandled, nflushes;

static int t_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	nhandled++;
	return 0;
}

static void t_flush(void *priv, struct vu_dev *d, unsigned q)
{
	nflushes++;
}

static void t_reset(void *priv, struct vu_dev *d)
{
	((struct fx *)priv)->resets++;
}

static void t_get_config(void *priv, uint8_t *buf)
{
	for (unsigned i = 0; i < 8; i++)
		buf[i] = (uint8_t)(0xa0 + i);
}

static const struct dev_ops t_ops = {
	.name = "test",
	.virtio_id = 99,
	.num_queues = 2,
	.queue_size = 1024,
	.features = 1ull << 0,
	.protocol_features = BIT64(VHOST_USER_PROTOCOL_F_CONFIG),
	.config_size = 8,
	.get_config = t_get_config,
	.handle = t_handle,
	.flush = t_flush,
	.reset = t_reset,
};

static void pump(struct fx *f)
{
	while (loop_run_once(f->l, 20) > 0)
		;
}

static int client(struct fx *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(c >= 0);
	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pump(f);
	assert_true(vu_dev_connected(f->d));
	return c;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	log_set_level(getenv("TDEBUG") ? LOG_DEBUG : LOG_ERROR);
	strcpy(f->dir, "/tmp/vd-test-dev.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s.sock", f->dir);
	f->l = loop_new();
	assert_non_null(f->l);
	f->d = vu_dev_new(f->l, f->path, &t_ops, f);
	assert_non_null(f->d);
	f->c = client(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->c >= 0)
		close(f->c);
	vu_dev_free(f->d);
	loop_free(f->l);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void send_bytes(int c, const void *buf, size_t len, const int *fds, unsigned nfds)
{
	union {
		char b[CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(&ctl, 0, sizeof(ctl));
	if (nfds) {
		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	assert_int_equal(sendmsg(c, &mh, MSG_NOSIGNAL), (ssize_t)len);
}

static size_t build(uint8_t *buf, uint32_t req, uint32_t flags, const void *p, uint32_t size)
{
	struct vhost_user_hdr h = { req, flags | VHOST_USER_VERSION, size };

	memcpy(buf, &h, sizeof(h));
	if (size)
		memcpy(buf + sizeof(h), p, size);
	return sizeof(h) + size;
}

static void send_msg(struct fx *f, uint32_t req, uint32_t flags, const void *p, uint32_t size,
		     const int *fds, unsigned nfds)
{
	uint8_t buf[512];

	send_bytes(f->c, buf, build(buf, req, flags, p, size), fds, nfds);
	pump(f);
}

/* Read one reply: returns payload size, -1 on EOF/nothing. */
static int recv_reply(struct fx *f, struct vhost_user_hdr *h, void *payload, size_t cap)
{
	struct pollfd p = { f->c, POLLIN, 0 };
	uint8_t buf[512];
	ssize_t n;

	if (poll(&p, 1, 200) <= 0)
		return -1;
	n = recv(f->c, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < (ssize_t)sizeof(*h))
		return -1;
	memcpy(h, buf, sizeof(*h));
	assert_int_equal((size_t)n, sizeof(*h) + h->size);
	if (h->size && payload)
		memcpy(payload, buf + sizeof(*h), h->size < cap ? h->size : cap);
	return (int)h->size;
}

static bool dropped(struct fx *f)
{
	char b;
	struct pollfd p = { f->c, POLLIN, 0 };

	if (poll(&p, 1, 200) <= 0)
		return false;
	/* EOF, or a reset when the backend closed with our bytes unread */
	ssize_t n = recv(f->c, &b, 1, MSG_DONTWAIT);

	return (n == 0 || (n < 0 && errno == ECONNRESET)) && !vu_dev_connected(f->d);
}

static uint64_t get_u64(struct fx *f, uint32_t req)
{
	struct vhost_user_hdr h;
	uint64_t v = 0;

	send_msg(f, req, 0, NULL, 0, NULL, 0);
	assert_int_equal(recv_reply(f, &h, &v, sizeof(v)), 8);
	assert_int_equal(h.request, req);
	assert_int_equal(h.flags, VHOST_USER_VERSION | VHOST_USER_REPLY_MASK);
	return v;
}

/* After a drop, the same backend serves a new connection. */
static void reconnect_works(struct fx *f)
{
	close(f->c);
	f->c = client(f);
	uint64_t feat = get_u64(f, VHOST_USER_GET_FEATURES);
	assert_true(feat & BIT64(VIRTIO_F_VERSION_1));
	assert_true(feat & 1);
}

static void negotiate(struct fx *f, uint64_t proto)
{
	send_msg(f, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &proto, 8, NULL, 0);
	assert_true(vu_dev_connected(f->d));
}

/* ---- framing ---- */

static void test_dev_get_features_offers_common_and_device_bits(void **state)
{
	struct fx *f = *state;
	uint64_t v = get_u64(f, VHOST_USER_GET_FEATURES);

	assert_int_equal(v, BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_F_NOTIFY_ON_EMPTY) |
			 BIT64(VIRTIO_RING_F_INDIRECT_DESC) | BIT64(VIRTIO_RING_F_EVENT_IDX) |
			 BIT64(VHOST_USER_F_PROTOCOL_FEATURES) | 1);
	v = get_u64(f, VHOST_USER_GET_PROTOCOL_FEATURES);
	assert_true(v & BIT64(VHOST_USER_PROTOCOL_F_MQ));
	assert_true(v & BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	assert_true(v & BIT64(VHOST_USER_PROTOCOL_F_CONFIG));
	assert_false(v & BIT64(VHOST_USER_PROTOCOL_F_LOG_SHMFD));
	/* CONFIGURE_MEM_SLOTS only when asked for (--mem-slots) */
	assert_false(v & BIT64(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS));
	vu_offer_mem_slots(true);
	v = get_u64(f, VHOST_USER_GET_PROTOCOL_FEATURES);
	vu_offer_mem_slots(false);
	assert_true(v & BIT64(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS));
}

static void test_dev_message_split_across_reads(void **state)
{
	struct fx *f = *state;
	uint8_t buf[64];
	uint64_t mq = BIT64(VHOST_USER_PROTOCOL_F_MQ);
	size_t n = build(buf, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &mq, 8);
	struct vhost_user_hdr h;
	uint64_t v;

	/* one byte at a time: the header, then the payload */
	for (size_t i = 0; i < n; i++) {
		send_bytes(f->c, buf + i, 1, NULL, 0);
		pump(f);
		assert_true(vu_dev_connected(f->d));
	}
	send_msg(f, VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0);
	assert_int_equal(recv_reply(f, &h, &v, 8), 8);
	assert_int_equal(v, 2);
}

static void test_dev_messages_coalesced_in_one_write(void **state)
{
	struct fx *f = *state;
	uint8_t buf[128];
	uint64_t mq = BIT64(VHOST_USER_PROTOCOL_F_MQ), v;
	size_t n = build(buf, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &mq, 8);
	struct vhost_user_hdr h;

	n += build(buf + n, VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0);
	send_bytes(f->c, buf, n, NULL, 0);
	pump(f);
	assert_int_equal(recv_reply(f, &h, &v, 8), 8);
	assert_int_equal(h.request, VHOST_USER_GET_QUEUE_NUM);
	assert_int_equal(v, 2);
}

static void test_dev_oversized_payload_drops(void **state)
{
	struct fx *f = *state;
	struct vhost_user_hdr h = { VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION, 100000 };

	send_bytes(f->c, &h, sizeof(h), NULL, 0);
	pump(f);
	assert_true(dropped(f));
	reconnect_works(f);
}

static void test_dev_bad_version_drops(void **state)
{
	struct fx *f = *state;
	struct vhost_user_hdr h = { VHOST_USER_GET_FEATURES, 2, 0 };

	send_bytes(f->c, &h, sizeof(h), NULL, 0);
	pump(f);
	assert_true(dropped(f));
	reconnect_works(f);
}

static void test_dev_reply_flag_from_frontend_drops(void **state)
{
	struct fx *f = *state;

	send_msg(f, VHOST_USER_GET_FEATURES, VHOST_USER_REPLY_MASK, NULL, 0, NULL, 0);
	assert_true(dropped(f));
	reconnect_works(f);
}

static void test_dev_unknown_request_drops(void **state)
{
	struct fx *f = *state;

	send_msg(f, 77, 0, NULL, 0, NULL, 0);
	assert_true(dropped(f));
	reconnect_works(f);
	send_msg(f, VHOST_USER_SET_LOG_BASE, 0, (uint64_t[]){ 0 }, 8, NULL, 0);
	assert_true(dropped(f));
	reconnect_works(f);
}

static void test_dev_wrong_payload_size_drops(void **state)
{
	struct fx *f = *state;
	uint32_t four = 1;

	send_msg(f, VHOST_USER_SET_FEATURES, 0, &four, 4, NULL, 0);
	assert_true(dropped(f));
	reconnect_works(f);
}

static void test_dev_fds_on_fdless_request_drop_and_are_closed(void **state)
{
	struct fx *f = *state;
	int e = eventfd(0, EFD_CLOEXEC);
	uint64_t v = BIT64(VIRTIO_F_VERSION_1);

	send_msg(f, VHOST_USER_SET_FEATURES, 0, &v, 8, &e, 1);
	assert_true(dropped(f));
	close(e);
	reconnect_works(f);
}

static void test_dev_too_many_fds_drop(void **state)
{
	struct fx *f = *state;
	int fds[12];
	uint8_t buf[64];

	for (int i = 0; i < 12; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	send_bytes(f->c, buf, build(buf, VHOST_USER_SET_MEM_TABLE, 0, (uint8_t[8]){ 0 }, 8), fds, 12);
	pump(f);
	assert_true(dropped(f));
	for (int i = 0; i < 12; i++)
		close(fds[i]);
	reconnect_works(f);
}

static void test_dev_unoffered_features_drop(void **state)
{
	struct fx *f = *state;
	uint64_t v = BIT64(VIRTIO_F_VERSION_1) | BIT64(5);

	send_msg(f, VHOST_USER_SET_FEATURES, 0, &v, 8, NULL, 0);
	assert_true(dropped(f));
	reconnect_works(f);
}

static void test_dev_request_needing_unnegotiated_protocol_drops(void **state)
{
	struct fx *f = *state;

	/* GET_QUEUE_NUM after protocol features without MQ were set */
	negotiate(f, BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	send_msg(f, VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0);
	assert_true(dropped(f));
	reconnect_works(f);
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

	send_msg(f, VHOST_USER_SET_VRING_NUM, VHOST_USER_NEED_REPLY, &st, 8, NULL, 0);
	assert_int_equal(recv_reply(f, &h, &v, 8), 8);
	assert_int_equal(h.request, VHOST_USER_SET_VRING_NUM);
	assert_int_equal(v, 0);
	assert_int_equal(get_u64(f, VHOST_USER_GET_QUEUE_NUM), 2);
}

static void test_dev_queue_index_out_of_range_drops(void **state)
{
	struct fx *f = *state;
	struct vhost_vring_state st = { 2, 64 };

	send_msg(f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
	assert_true(dropped(f));
	reconnect_works(f);
}

static void test_dev_ring_size_checked(void **state)
{
	struct fx *f = *state;
	static const uint32_t bad[] = { 0, 3, 2048, 100 };

	for (unsigned i = 0; i < 4; i++) {
		struct vhost_vring_state st = { 0, bad[i] };

		send_msg(f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
		assert_true(dropped(f));
		reconnect_works(f);
	}
	struct vhost_vring_state ok = { 1, 256 };
	send_msg(f, VHOST_USER_SET_VRING_NUM, 0, &ok, 8, NULL, 0);
	assert_true(vu_dev_connected(f->d));
}

/* ---- REPLY_ACK ---- */

static void test_dev_reply_ack_success_and_failure(void **state)
{
	struct fx *f = *state;
	struct vhost_user_hdr h;
	struct vhost_vring_state st = { 0, 64 };
	uint64_t v = 99;

	negotiate(f, BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	send_msg(f, VHOST_USER_SET_VRING_NUM, VHOST_USER_NEED_REPLY, &st, 8, NULL, 0);
	assert_int_equal(recv_reply(f, &h, &v, 8), 8);
	assert_int_equal(h.request, VHOST_USER_SET_VRING_NUM);
	assert_int_equal(v, 0);
	st.num = 3;
	send_msg(f, VHOST_USER_SET_VRING_NUM, VHOST_USER_NEED_REPLY, &st, 8, NULL, 0);
	assert_int_equal(recv_reply(f, &h, &v, 8), 8);
	assert_int_not_equal(v, 0);
	assert_true(dropped(f));
	reconnect_works(f);
}

static void test_dev_need_reply_without_reply_ack_gets_no_reply(void **state)
{
	struct fx *f = *state;
	struct vhost_user_hdr h;
	struct vhost_vring_state st = { 0, 64 };

	negotiate(f, BIT64(VHOST_USER_PROTOCOL_F_MQ));

	send_msg(f, VHOST_USER_SET_VRING_NUM, VHOST_USER_NEED_REPLY, &st, 8, NULL, 0);
	assert_int_equal(recv_reply(f, &h, NULL, 0), -1);
	assert_true(vu_dev_connected(f->d));
}

/* ---- config ---- */

static void test_dev_get_config_in_range_and_outside(void **state)
{
	struct fx *f = *state;
	struct vhost_user_hdr h;
	struct vhost_user_config c = { .offset = 2, .size = 4 };
	uint8_t out[sizeof(c)];

	negotiate(f, BIT64(VHOST_USER_PROTOCOL_F_CONFIG));
	send_msg(f, VHOST_USER_GET_CONFIG, 0, &c, VHOST_USER_CONFIG_HDR_SIZE + 4, NULL, 0);
	assert_int_equal(recv_reply(f, &h, out, sizeof(out)), VHOST_USER_CONFIG_HDR_SIZE + 4);
	assert_memory_equal(out + VHOST_USER_CONFIG_HDR_SIZE, "\xa2\xa3\xa4\xa5", 4);
	/* outside the 8-byte space: an empty reply, connection kept */
	c.offset = 6;
	send_msg(f, VHOST_USER_GET_CONFIG, 0, &c, VHOST_USER_CONFIG_HDR_SIZE + 4, NULL, 0);
	assert_int_equal(recv_reply(f, &h, NULL, 0), 0);
	assert_true(vu_dev_connected(f->d));
	/* size field disagreeing with the payload: dropped */
	c.offset = 0;
	c.size = 8;
	send_msg(f, VHOST_USER_GET_CONFIG, 0, &c, VHOST_USER_CONFIG_HDR_SIZE + 4, NULL, 0);
	assert_true(dropped(f));
	reconnect_works(f);
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
	send_msg(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, NULL, 0);
	assert_true(dropped(f));
	reconnect_works(f);
	/* region larger than the file */
	m.regions[0].memory_size = 2 << 20;
	send_msg(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, &fd, 1);
	assert_true(dropped(f));
	reconnect_works(f);
	/* right */
	m.regions[0].memory_size = 1 << 20;
	send_msg(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, &fd, 1);
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
	pump(f);
	assert_false(vu_dev_connected(f->d));
	assert_int_equal(f->resets, before + 1);
	f->c = client(f);
}

static void test_dev_second_connection_refused_while_first_alive(void **state)
{
	struct fx *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char b;

	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(c2, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pump(f);
	assert_int_equal(recv(c2, &b, 1, 0), 0);   /* closed by the backend */
	close(c2);
	/* the first one still works */
	assert_true(get_u64(f, VHOST_USER_GET_FEATURES) & BIT64(VIRTIO_F_VERSION_1));
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
	pump(f);
	assert_true(vu_dev_connected(f->d));
	assert_true(get_u64(f, VHOST_USER_GET_FEATURES) & BIT64(VIRTIO_F_VERSION_1));
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
	d2 = vu_dev_new(f->l, p, &t_ops, f);
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
	d2 = vu_dev_new(f->l, p, &t_ops, f);
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
	assert_null(vu_dev_new(f->l, f->path, &t_ops, f));
	assert_int_equal(errno, EADDRINUSE);
	assert_int_equal(lstat(f->path, &after), 0);
	assert_true(after.st_ino == before.st_ino && after.st_dev == before.st_dev);
	pump(f);
	assert_true(vu_dev_connected(f->d));

	snprintf(p, sizeof(p), "%s/own.sock", f->dir);
	d2 = vu_dev_new(f->l, p, &t_ops, f);
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
	send_msg(f, VHOST_USER_SET_FEATURES, 0, &feat, 8, NULL, 0);
	send_msg(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, &gm.reg[0].fd, 1);
	send_msg(f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
	gm_ring_addr(&r, 0, &a);
	send_msg(f, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
	send_msg(f, VHOST_USER_SET_VRING_CALL, 0, &kick0, 8, &call, 1);
	b.gpa = gm_alloc(&r, 8);
	for (unsigned i = 0; i < 300; i++)
		gm_ring_add_direct(&r, &b, 1);
	gm_ring_publish(&r);
	nhandled = nflushes = 0;
	send_msg(f, VHOST_USER_SET_VRING_KICK, 0, &kick0, 8, &kick, 1);
	assert_true(vu_dev_connected(f->d));
	assert_int_equal(nhandled, 300);
	assert_int_equal(gm_ring_used_idx(&r), 300);
	assert_int_equal(nflushes, 1);
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
	send_msg(f, VHOST_USER_SET_FEATURES, 0, &feat, 8, NULL, 0);
	send_msg(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, &gm.reg[0].fd, 1);
	send_msg(f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
	gm_ring_addr(&r, 0, &a);
	send_msg(f, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
	send_msg(f, VHOST_USER_SET_VRING_CALL, 0, &kick0, 8, &call, 1);
	send_msg(f, VHOST_USER_SET_VRING_KICK, 0, &kick0, 8, &kick, 1);
	b.gpa = gm_alloc(&r, b.len);
	assert_int_not_equal(b.gpa, 0);
	for (unsigned i = 0; i < 8; i++)
		gm_ring_add_direct(&r, &b, 1);
	gm_ring_publish(&r);
	nhandled = nflushes = 0;
	assert_int_equal(write(kick, &one, 8), 8);
	assert_int_equal(loop_run_once(f->l, 1000), 1);   /* exactly one pass */
	assert_int_equal(nhandled, 2);
	assert_int_equal(nflushes, 0);
	pump(f);
	assert_int_equal(nhandled, 8);
	assert_int_equal(gm_ring_used_idx(&r), 8);
	assert_int_equal(nflushes, 1);
	close(kick);
	close(call);
	gm_free(&gm);
}

#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)

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
