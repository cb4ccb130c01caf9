/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The edges of the device API and of the connection: what the core does
 * with a device's mistakes (an element completed twice, a queue index out
 * of range, ops it cannot serve), and with a frontend that never reads its
 * replies, sends more fds than a message may carry, hands over a kick fd
 * that cannot be read without blocking, or talks over a socket that
 * passes credentials.  In-process, the loop driven by the test. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "devfx.h"
#include "guestmem.h"
#include "vhost/dev.h"
#include "vhost/efd.h"

/* ---- a device that holds every request ---- */

static struct vq_elem *held[8];
static unsigned nheld;

static int h_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	if (nheld < 8)
		held[nheld++] = e;
	return DEV_HELD;
}

static const struct dev_ops hold_ops = {
	.name = "hold",
	.virtio_id = 99,
	.num_queues = 2,
	.queue_size = 64,
	.handle = h_handle,
};

struct efx {
	struct fx f;
	struct guestmem gm;
	struct gm_ring r;
	int kick, call;
};

static void new_dev(struct fx *f, const struct dev_ops *ops)
{
	strcpy(f->dir, "/tmp/vd-test-edge.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s.sock", f->dir);
	f->l = loop_new();
	assert_non_null(f->l);
	f->d = vu_dev_new(f->l, f->path, ops, f);
	assert_non_null(f->d);
	f->c = devfx_client(f);
}

static void free_dev(struct fx *f)
{
	if (f->c >= 0)
		close(f->c);
	vu_dev_free(f->d);
	loop_free(f->l);
	rmdir(f->dir);
}

/* queue 0 running on a 64-entry ring */
static void ring_up(struct efx *x)
{
	struct fx *f = &x->f;
	struct vhost_user_memory m = { .nregions = 1 };
	struct vhost_vring_addr a;
	struct vhost_vring_state st = { 0, 64 };
	uint64_t feat = BIT64(VIRTIO_F_VERSION_1), q0 = 0;

	x->kick = gm_eventfd();
	x->call = gm_eventfd();
	gm_init(&x->gm);
	assert_int_equal(gm_add_region(&x->gm, 0x100000, 1 << 20), 0);
	assert_int_equal(gm_ring_init(&x->r, &x->gm, 64, 0x100000, 0x110000, 0xf0000), 0);
	gm_region_desc(&x->gm, 0, &m.regions[0]);
	devfx_send(f, VHOST_USER_SET_FEATURES, 0, &feat, 8, NULL, 0);
	devfx_send(f, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32, &x->gm.reg[0].fd, 1);
	devfx_send(f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);
	gm_ring_addr(&x->r, 0, &a);
	devfx_send(f, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
	devfx_send(f, VHOST_USER_SET_VRING_CALL, 0, &q0, 8, &x->call, 1);
	devfx_send(f, VHOST_USER_SET_VRING_KICK, 0, &q0, 8, &x->kick, 1);
	assert_true(vu_dev_connected(f->d));
}

static void ring_down(struct efx *x)
{
	close(x->kick);
	close(x->call);
	gm_free(&x->gm);
}

static void request(struct efx *x)
{
	struct gm_buf b = { 0, 8, true };
	uint64_t one = 1;

	b.gpa = gm_alloc(&x->r, 8);
	gm_ring_add_direct(&x->r, &b, 1);
	gm_ring_publish(&x->r);
	assert_int_equal(write(x->kick, &one, 8), 8);
	devfx_pump(&x->f);
}

/* A device that completes an element twice, or names a queue it does
 * not have: the second completion and the bad index change nothing. */
static void test_dev_edges_complete_twice_or_bad_queue_ignored(void **state)
{
	struct efx x = { 0 };
	uint32_t id, len;

	nheld = 0;
	new_dev(&x.f, &hold_ops);
	ring_up(&x);
	request(&x);
	request(&x);
	assert_int_equal(nheld, 2);
	assert_true(vu_queue_running(x.f.d, 0));
	assert_false(vu_queue_running(x.f.d, 2));
	assert_null(vu_dev_vq(x.f.d, 2));
	assert_non_null(vu_dev_vq(x.f.d, 1));
	vu_complete(x.f.d, 2, held[0], 4);          /* no queue 2 */
	assert_int_equal(gm_ring_used_idx(&x.r), 0);
	vu_complete(x.f.d, 0, held[0], 4);
	assert_int_equal(gm_ring_used_idx(&x.r), 1);
	vu_complete(x.f.d, 0, held[0], 5);          /* again */
	assert_int_equal(gm_ring_used_idx(&x.r), 1);
	vu_complete(x.f.d, 0, held[1], 6);
	assert_int_equal(gm_ring_used_idx(&x.r), 2);
	assert_true(gm_ring_get_used(&x.r, &id, &len));
	assert_int_equal(len, 4);
	assert_true(gm_ring_get_used(&x.r, &id, &len));
	assert_int_equal(len, 6);
	free_dev(&x.f);
	ring_down(&x);
}

/* A queue reference (what a backend completes through later): before
 * the first request (no device yet) it completes nothing and is not
 * running; with one it completes on its own queue only. */
static void test_dev_edges_queue_ref(void **state)
{
	struct efx x = { 0 };
	struct vu_queue_ref none = { NULL, 0 }, q0, q1;

	assert_false(vu_ref_running(&none));
	vu_ref_complete(&none, NULL, 4);   /* nothing to complete on */
	nheld = 0;
	new_dev(&x.f, &hold_ops);
	q0 = (struct vu_queue_ref){ x.f.d, 0 };
	q1 = (struct vu_queue_ref){ x.f.d, 1 };
	ring_up(&x);
	request(&x);
	assert_int_equal(nheld, 1);
	assert_true(vu_ref_running(&q0));
	assert_false(vu_ref_running(&q1));   /* never set up */
	vu_ref_complete(&q1, held[0], 4);
	assert_int_equal(gm_ring_used_idx(&x.r), 0);
	vu_ref_complete(&q0, held[0], 4);
	assert_int_equal(gm_ring_used_idx(&x.r), 1);
	free_dev(&x.f);
	ring_down(&x);
}

/* An element completed on another queue than its own: ignored, both
 * rings unchanged; the right queue then takes it. */
static void test_dev_edges_complete_on_other_queue_ignored(void **state)
{
	struct efx x = { 0 };
	struct vhost_vring_state st = { 1, 64 };

	nheld = 0;
	new_dev(&x.f, &hold_ops);
	ring_up(&x);
	devfx_send(&x.f, VHOST_USER_SET_VRING_NUM, 0, &st, 8, NULL, 0);   /* q1's pool */
	request(&x);
	assert_int_equal(nheld, 1);
	vu_complete(x.f.d, 1, held[0], 4);
	assert_int_equal(gm_ring_used_idx(&x.r), 0);
	assert_true(held[0]->in_use);
	vu_complete(x.f.d, 0, held[0], 4);
	assert_int_equal(gm_ring_used_idx(&x.r), 1);
	free_dev(&x.f);
	ring_down(&x);
}

/* A device without reset() or set_features(): RESET_DEVICE still drops
 * what it held (a later completion of it changes nothing). */
static void test_dev_edges_reset_without_device_callbacks(void **state)
{
	struct efx x = { 0 };
	uint64_t pf = BIT64(VHOST_USER_PROTOCOL_F_RESET_DEVICE);

	nheld = 0;
	new_dev(&x.f, &hold_ops);
	devfx_negotiate(&x.f, pf);
	ring_up(&x);
	request(&x);
	assert_int_equal(nheld, 1);
	devfx_send(&x.f, VHOST_USER_RESET_DEVICE, 0, NULL, 0, NULL, 0);
	assert_true(vu_dev_connected(x.f.d));
	vu_complete(x.f.d, 0, held[0], 4);   /* forgotten: ignored */
	assert_int_equal(gm_ring_used_idx(&x.r), 0);
	free_dev(&x.f);
	ring_down(&x);
}

/* SET_STATUS 0 outside a stop, on a device without reset() or
 * set_features() after SET_FEATURES: the same. */
static void test_dev_edges_status_0_without_device_callbacks(void **state)
{
	struct efx x = { 0 };
	uint64_t pf = BIT64(VHOST_USER_PROTOCOL_F_STATUS), zero = 0;

	nheld = 0;
	new_dev(&x.f, &hold_ops);
	devfx_negotiate(&x.f, pf);
	ring_up(&x);
	request(&x);
	assert_int_equal(nheld, 1);
	devfx_send(&x.f, VHOST_USER_SET_STATUS, 0, &zero, 8, NULL, 0);
	assert_true(vu_dev_connected(x.f.d));
	vu_complete(x.f.d, 0, held[0], 4);   /* forgotten: ignored */
	assert_int_equal(gm_ring_used_idx(&x.r), 0);
	free_dev(&x.f);
	ring_down(&x);
}

/* The socket file is removed at the end only if it is still the one the
 * device created: one put in its place by someone else stays. */
static void test_dev_edges_replaced_socket_file_kept(void **state)
{
	struct fx f = { 0 };
	int fd;

	new_dev(&f, &devfx_ops);
	assert_int_equal(unlink(f.path), 0);
	fd = open(f.path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	close(f.c);
	f.c = -1;
	vu_dev_free(f.d);
	assert_int_equal(access(f.path, F_OK), 0);
	assert_int_equal(unlink(f.path), 0);
	/* and one that went away is no error */
	f.d = vu_dev_new(f.l, f.path, &devfx_ops, &f);
	assert_non_null(f.d);
	assert_int_equal(unlink(f.path), 0);
	vu_dev_free(f.d);
	assert_int_equal(access(f.path, F_OK), -1);
	loop_free(f.l);
	rmdir(f.dir);
}

/* REPLY_ACK on a request that has a reply of its own: that reply only. */
static void test_dev_edges_need_reply_on_a_get_answers_once(void **state)
{
	struct fx f = { 0 };
	struct vhost_user_hdr h;
	uint64_t v = 0;

	new_dev(&f, &devfx_ops);
	devfx_negotiate(&f, BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	devfx_send(&f, VHOST_USER_GET_FEATURES, VHOST_USER_NEED_REPLY, NULL, 0, NULL, 0);
	assert_int_equal(devfx_recv(&f, &h, &v, 8), 8);
	assert_int_equal(h.request, VHOST_USER_GET_FEATURES);
	assert_true(v & BIT64(VIRTIO_F_VERSION_1));
	devfx_send(&f, VHOST_USER_GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL, 0);
	assert_int_equal(devfx_recv(&f, &h, &v, 8), 8);
	assert_int_equal(h.request, VHOST_USER_GET_PROTOCOL_FEATURES);
	free_dev(&f);
}

/* SET_VRING_BASE on a running ring, or for a queue the device does not
 * have: refused (failure ack, connection dropped). */
static void test_dev_edges_set_vring_base_running_or_bad_queue(void **state)
{
	struct efx x = { 0 };
	struct vhost_vring_state st = { 0, 5 };

	new_dev(&x.f, &hold_ops);
	devfx_negotiate(&x.f, BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	ring_up(&x);
	assert_int_not_equal(devfx_send_acked(&x.f, VHOST_USER_SET_VRING_BASE, &st, 8, NULL, 0), 0);
	assert_true(devfx_dropped(&x.f));
	close(x.f.c);
	x.f.c = devfx_client(&x.f);
	devfx_negotiate(&x.f, BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	st.index = 2;
	assert_int_not_equal(devfx_send_acked(&x.f, VHOST_USER_SET_VRING_BASE, &st, 8, NULL, 0), 0);
	assert_true(devfx_dropped(&x.f));
	free_dev(&x.f);
	ring_down(&x);
}

static void test_dev_edges_ops_refused(void **state)
{
	struct dev_ops bad[4] = { hold_ops, hold_ops, hold_ops, hold_ops };
	char dir[] = "/tmp/vd-test-edge.XXXXXX", path[64];
	struct loop *l = loop_new();
	int sv[2];

	bad[0].num_queues = 0;
	bad[1].num_queues = DEV_MAX_QUEUES + 1;
	bad[2].config_size = VHOST_USER_MAX_CONFIG_SIZE + 1;
	bad[3].handle = NULL;
	assert_non_null(l);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	for (unsigned i = 0; i < 4; i++) {
		errno = 0;
		assert_null(vu_dev_new(l, path, &bad[i], NULL));
		assert_int_equal(errno, EINVAL);
		assert_int_equal(access(path, F_OK), -1);
		/* the fd handed over is closed */
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		assert_null(vu_dev_new_fd(l, sv[0], "fd", &bad[i], NULL));
		assert_int_equal(fcntl(sv[0], F_GETFD), -1);
		close(sv[1]);
	}
	rmdir(dir);
	loop_free(l);
}

/* A frontend that sends requests and never reads the replies cannot
 * block the loop: once its socket is full it is dropped. */
static void test_dev_edges_replies_never_read_drop_the_frontend(void **state)
{
	struct fx f = { 0 };
	uint8_t buf[64];
	size_t n = devfx_build(buf, VHOST_USER_GET_FEATURES, 0, NULL, 0);
	int small = 4096;
	unsigned sent = 0;

	new_dev(&f, &devfx_ops);
	assert_int_equal(setsockopt(f.c, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	fcntl(f.c, F_SETFL, O_NONBLOCK);
	while (vu_dev_connected(f.d) && sent < 1000000) {
		if (send(f.c, buf, n, MSG_NOSIGNAL) == (ssize_t)n)
			sent++;
		loop_run_once(f.l, 0);
	}
	assert_false(vu_dev_connected(f.d));
	/* and the next frontend is served */
	close(f.c);
	f.c = devfx_client(&f);
	assert_int_equal(devfx_get_u64(&f, VHOST_USER_GET_QUEUE_NUM), 2);
	free_dev(&f);
}

static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* One message in two parts, each with VHOST_USER_MAX_FDS fds: the fds
 * past the limit are closed, none kept, and the message is refused. */
static void test_dev_edges_fds_past_the_limit_closed(void **state)
{
	struct fx f = { 0 };
	struct vhost_user_memory m = { .nregions = 1 };
	uint8_t buf[sizeof(struct vhost_user_hdr) + 8 + 32];
	size_t n = devfx_build(buf, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + 32);
	int fds[VHOST_USER_MAX_FDS];
	unsigned before;

	efd_init();
	new_dev(&f, &devfx_ops);
	for (unsigned i = 0; i < VHOST_USER_MAX_FDS; i++)
		fds[i] = gm_eventfd();
	before = open_fds();
	devfx_send_bytes(f.c, buf, sizeof(struct vhost_user_hdr), fds, VHOST_USER_MAX_FDS);
	devfx_pump(&f);
	devfx_send_bytes(f.c, buf + sizeof(struct vhost_user_hdr), n - sizeof(struct vhost_user_hdr),
			 fds, VHOST_USER_MAX_FDS);
	devfx_pump(&f);
	assert_true(devfx_dropped(&f));
	assert_int_equal(open_fds(), before - 1);   /* and the connection */
	for (unsigned i = 0; i < VHOST_USER_MAX_FDS; i++)
		close(fds[i]);
	free_dev(&f);
}

/* More fds with one message than the receive buffer holds (the kernel
 * truncates them, MSG_CTRUNC): the connection is dropped with a line
 * saying why, and none of them is kept. */
static void test_dev_edges_fds_truncated_drop(void **state)
{
	struct fx f = { 0 };
	uint8_t buf[sizeof(struct vhost_user_hdr)];
	size_t n = devfx_build(buf, VHOST_USER_GET_FEATURES, 0, NULL, 0);
	int fds[24];   /* the buffer has room for 16 */
	unsigned before;

	efd_init();
	new_dev(&f, &devfx_ops);
	for (unsigned i = 0; i < 24; i++)
		fds[i] = gm_eventfd();
	before = open_fds();
	devfx_log_capture();
	devfx_send_bytes(f.c, buf, n, fds, 24);
	devfx_pump(&f);
	assert_true(devfx_log_has("more than 8 fds with one message; dropping the connection"));
	assert_true(devfx_dropped(&f));
	assert_int_equal(open_fds(), before - 1);   /* and the connection */
	for (unsigned i = 0; i < 24; i++)
		close(fds[i]);
	free_dev(&f);
}

/* A readable kick fd that cannot be read without blocking per call (an
 * inotify fd: no RWF_NOWAIT) or cannot be read at all (an epoll fd): the
 * queue is marked broken and the fd no longer watched (a level-triggered
 * watch would fire for ever), and the other requests go on. */
static void kick_unreadable(int fd, const char *why)
{
	struct efx x = { 0 };
	uint64_t q0 = 0;

	nheld = 0;
	new_dev(&x.f, &hold_ops);
	ring_up(&x);
	devfx_log_capture();
	devfx_send(&x.f, VHOST_USER_SET_VRING_KICK, 0, &q0, 8, &fd, 1);
	if (!devfx_log_has(why))
		fail_msg("not logged: '%s'", why);
	assert_true(vu_dev_connected(x.f.d));
	assert_false(vu_queue_running(x.f.d, 0));
	request(&x);
	assert_int_equal(nheld, 0);
	assert_int_equal(devfx_get_u64(&x.f, VHOST_USER_GET_QUEUE_NUM), 2);
	free_dev(&x.f);
	ring_down(&x);
}

static void test_dev_edges_kick_fd_unreadable_breaks_the_queue(void **state)
{
	char dir[] = "/tmp/vd-test-edge.XXXXXX", path[64];
	struct epoll_event ev = { .events = EPOLLIN };
	int in = inotify_init1(IN_CLOEXEC), ep = epoll_create1(EPOLL_CLOEXEC);
	int e = gm_eventfd();
	uint64_t one = 1;

	assert_non_null(mkdtemp(dir));
	assert_true(in >= 0 && ep >= 0);
	assert_true(inotify_add_watch(in, dir, IN_CREATE) >= 0);
	snprintf(path, sizeof(path), "%s/x", dir);
	close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));   /* an event pending */
	kick_unreadable(in, "the kick fd cannot be read without blocking");
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev), 0);
	assert_int_equal(write(e, &one, 8), 8);                       /* ep readable */
	kick_unreadable(ep, "the kick fd cannot be read");
	unlink(path);
	rmdir(dir);
	close(in);
	close(ep);
	close(e);
}

/* A listening socket that passes credentials (systemd's
 * PassCredentials=yes): the credentials that come with each message are
 * not taken for fds. */
static void test_dev_edges_credentials_are_not_fds(void **state)
{
	struct fx f = { 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1, s, e = gm_eventfd();
	uint64_t q1 = 1;
	struct vhost_user_hdr h;
	uint64_t v;

	strcpy(f.dir, "/tmp/vd-test-edge.XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.path, sizeof(f.path), "%s/s.sock", f.dir);
	strcpy(sa.sun_path, f.path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(s >= 0);
	assert_int_equal(setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 4), 0);
	f.l = loop_new();
	f.d = vu_dev_new_fd(f.l, s, "activated", &devfx_ops, &f);
	assert_non_null(f.d);
	f.c = devfx_client(&f);
	devfx_negotiate(&f, BIT64(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	assert_int_equal(devfx_send_acked(&f, VHOST_USER_SET_VRING_CALL, &q1, 8, &e, 1), 0);
	devfx_send(&f, VHOST_USER_GET_FEATURES, 0, NULL, 0, NULL, 0);
	assert_int_equal(devfx_recv(&f, &h, &v, 8), 8);
	assert_true(v & BIT64(VIRTIO_F_VERSION_1));
	assert_true(vu_dev_connected(f.d));
	close(e);
	unlink(f.path);
	free_dev(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dev_edges_complete_twice_or_bad_queue_ignored),
		cmocka_unit_test(test_dev_edges_complete_on_other_queue_ignored),
		cmocka_unit_test(test_dev_edges_reset_without_device_callbacks),
		cmocka_unit_test(test_dev_edges_status_0_without_device_callbacks),
		cmocka_unit_test(test_dev_edges_replaced_socket_file_kept),
		cmocka_unit_test(test_dev_edges_need_reply_on_a_get_answers_once),
		cmocka_unit_test(test_dev_edges_set_vring_base_running_or_bad_queue),
		cmocka_unit_test(test_dev_edges_ops_refused),
		cmocka_unit_test(test_dev_edges_replies_never_read_drop_the_frontend),
		cmocka_unit_test(test_dev_edges_fds_past_the_limit_closed),
		cmocka_unit_test(test_dev_edges_fds_truncated_drop),
		cmocka_unit_test(test_dev_edges_queue_ref),
		cmocka_unit_test(test_dev_edges_kick_fd_unreadable_breaks_the_queue),
		cmocka_unit_test(test_dev_edges_credentials_are_not_fds),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
