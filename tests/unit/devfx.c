/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Test helper: an in-process vhost-user device and a client; see devfx.h. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "devfx.h"

unsigned devfx_handled, devfx_flushes;

static int t_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	devfx_handled++;
	return 0;
}

static void t_flush(void *priv, struct vu_dev *d, unsigned q)
{
	devfx_flushes++;
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

const struct dev_ops devfx_ops = {
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

void devfx_pump(struct fx *f)
{
	while (loop_run_once(f->l, 20) > 0)
		;
}

int devfx_client(struct fx *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(c >= 0);
	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	devfx_pump(f);
	assert_true(vu_dev_connected(f->d));
	return c;
}

int devfx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	log_set_level(getenv("TDEBUG") ? LOG_DEBUG : LOG_ERROR);
	strcpy(f->dir, "/tmp/vd-test-dev.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s.sock", f->dir);
	f->l = loop_new();
	assert_non_null(f->l);
	f->d = vu_dev_new(f->l, f->path, &devfx_ops, f);
	assert_non_null(f->d);
	f->c = devfx_client(f);
	*state = f;
	return 0;
}

int devfx_teardown(void **state)
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

void devfx_send_bytes(int c, const void *buf, size_t len, const int *fds, unsigned nfds)
{
	union {
		char b[CMSG_SPACE(32 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(&ctl, 0, sizeof(ctl));
	assert_true(nfds <= 32);
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

size_t devfx_build(uint8_t *buf, uint32_t req, uint32_t flags, const void *p, uint32_t size)
{
	struct vhost_user_hdr h = { req, flags | VHOST_USER_VERSION, size };

	memcpy(buf, &h, sizeof(h));
	if (size)
		memcpy(buf + sizeof(h), p, size);
	return sizeof(h) + size;
}

void devfx_send(struct fx *f, uint32_t req, uint32_t flags, const void *p, uint32_t size,
		const int *fds, unsigned nfds)
{
	uint8_t buf[512];

	assert_true(size <= sizeof(buf) - sizeof(struct vhost_user_hdr));
	devfx_send_bytes(f->c, buf, devfx_build(buf, req, flags, p, size), fds, nfds);
	devfx_pump(f);
}

int devfx_recv(struct fx *f, struct vhost_user_hdr *h, void *payload, size_t cap)
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

bool devfx_dropped(struct fx *f)
{
	char b;
	struct pollfd p = { f->c, POLLIN, 0 };

	if (poll(&p, 1, 200) <= 0)
		return false;
	/* EOF, or a reset when the backend closed with our bytes unread */
	ssize_t n = recv(f->c, &b, 1, MSG_DONTWAIT);

	return (n == 0 || (n < 0 && errno == ECONNRESET)) && !vu_dev_connected(f->d);
}

uint64_t devfx_get_u64(struct fx *f, uint32_t req)
{
	struct vhost_user_hdr h;
	uint64_t v = 0;

	devfx_send(f, req, 0, NULL, 0, NULL, 0);
	assert_int_equal(devfx_recv(f, &h, &v, sizeof(v)), 8);
	assert_int_equal(h.request, req);
	assert_int_equal(h.flags, VHOST_USER_VERSION | VHOST_USER_REPLY_MASK);
	return v;
}

void devfx_reconnect(struct fx *f)
{
	close(f->c);
	f->c = devfx_client(f);
	uint64_t feat = devfx_get_u64(f, VHOST_USER_GET_FEATURES);
	assert_true(feat & BIT64(VIRTIO_F_VERSION_1));
	assert_true(feat & 1);
}

void devfx_negotiate(struct fx *f, uint64_t proto)
{
	devfx_send(f, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &proto, 8, NULL, 0);
	assert_true(vu_dev_connected(f->d));
}

uint64_t devfx_send_acked(struct fx *f, uint32_t req, const void *p, uint32_t size,
			  const int *fds, unsigned nfds)
{
	struct vhost_user_hdr h;
	uint64_t v = 99;

	devfx_send(f, req, VHOST_USER_NEED_REPLY, p, size, fds, nfds);
	assert_int_equal(devfx_recv(f, &h, &v, sizeof(v)), 8);
	assert_int_equal(h.request, req);
	return v;
}

static int log_fd = -1, saved_stderr = -1;
static enum log_level saved_level;

void devfx_log_capture(void)
{
	assert_int_equal(log_fd, -1);
	fflush(stderr);
	log_fd = memfd_create("devfx-log", MFD_CLOEXEC);
	assert_true(log_fd >= 0);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_int_equal(dup2(log_fd, 2), 2);
	saved_level = log_get_level();
	if (saved_level < LOG_WARN)
		log_set_level(LOG_WARN);
}

bool devfx_log_has(const char *needle)
{
	char buf[8192];
	ssize_t n;

	assert_true(log_fd >= 0);
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	log_set_level(saved_level);
	n = pread(log_fd, buf, sizeof(buf) - 1, 0);
	close(log_fd);
	log_fd = saved_stderr = -1;
	buf[n > 0 ? n : 0] = 0;
	if (getenv("TDEBUG"))
		fprintf(stderr, "captured log: %s", buf);
	return strstr(buf, needle) != NULL;
}
