/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* libFuzzer target: the vhost-user message handling of the core
 * (src/vhost/dev.c) driven through a real AF_UNIX connection, with the
 * loop, the device and its socket created once per process.
 *
 * The input is a list of records; each starts with an op byte whose low
 * two bits select:
 *   0  send: le16 length, then that many bytes written to the socket as
 *      one chunk; bits 2-3 of op = number of fds attached (SCM_RIGHTS:
 *      0, 1, 2, or 3 meaning 9, one more than a message may carry),
 *      bits 4-6 = the kinds of the first three (bit set: a new eventfd,
 *      clear: the guest memory memfd of GUEST_SIZE bytes; the rest are
 *      memfds)
 *   1  guest memory write: le16 offset (in units of 4 bytes), u8 length,
 *      then the bytes, stored into the memfd (our own mapping)
 *   2  kick: signal every eventfd sent so far
 *   3  bit 2 clear: complete the requests the device holds (u8 length
 *      written); bit 2 set: disconnect and connect again
 * After each record the loop runs until idle and replies are discarded.
 *
 * After each input the connection is closed and the daemon must still
 * answer GET_FEATURES on a new one, hold no element, and have closed every
 * fd it received (the process's fd count is back to where it was).
 *
 * The device (2 queues of up to 256) reads every readable byte of a
 * request and fills every writable one; a request whose first byte has
 * bit 7 set is held (DEV_HELD) until op 3 or queue_stop/reset. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/iov.h"
#include "common/log.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "vhost/proto.h"
#include "fuzz_util.h"

#define GUEST_SIZE  (256u * 1024)
#define NQUEUES     2
#define MAX_HELD    8
#define MAX_FDS     32      /* eventfds per input */
#define MAX_SEND_FDS 9      /* per chunk */
#define MAX_PASSES  10000   /* loop passes per pump before calling it a livelock */

#define CHECK(c)                                          \
	do {                                              \
		if (!(c))                                 \
			check_failed(__LINE__, #c);       \
	} while (0)

static char sock_dir[80], sock_path[108];

/* Leave no socket directory behind when a check or a sanitizer ends the
 * process (atexit does not run then). */
static void remove_socket_dir(void)
{
	if (sock_path[0])
		unlink(sock_path);
	if (sock_dir[0])
		rmdir(sock_dir);
}

static void check_failed(int line, const char *what)
{
	fprintf(stderr, "fuzz_msg: %s:%d: check failed: %s\n", __FILE__, line, what);
	remove_socket_dir();
	abort();
}

/* present in sanitizer runtimes only */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

/* ---- the device ---- */

static struct {
	struct vq_elem *e[MAX_HELD];
	unsigned n;
} held[NQUEUES];
static unsigned long handled;

static void fz_get_config(void *priv, uint8_t *buf)
{
	for (unsigned i = 0; i < 16; i++)
		buf[i] = (uint8_t)(0x10 + i);
}

static int fz_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	static uint8_t buf[4096];
	size_t off = 0, n;
	uint8_t first = 0;

	CHECK(q < NQUEUES);
	CHECK(e && e->in_use);
	CHECK(e->in == e->out + e->out_num);
	CHECK(iov_size(e->out, e->out_num) == e->out_len);
	CHECK(iov_size(e->in, e->in_num) == e->in_len);
	handled++;
	while ((n = iov_to_buf(e->out, e->out_num, off, buf, sizeof(buf))) > 0) {
		if (!off)
			first = buf[0];
		off += n;
	}
	CHECK(off == e->out_len);
	CHECK(iov_memset(e->in, e->in_num, 0, 0x5a, e->in_len) == e->in_len);
	if ((first & 0x80) && held[q].n < MAX_HELD) {
		held[q].e[held[q].n++] = e;
		return DEV_HELD;
	}
	if (!e->in_len)
		return -ENOSPC;
	return e->in_len > 0x7fffffffu ? 0x7fffffff : (int)e->in_len;
}

static void fz_set_features(void *priv, uint64_t f)
{
	CHECK(!(f & ~(BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_F_NOTIFY_ON_EMPTY) |
		      BIT64(VIRTIO_RING_F_INDIRECT_DESC) | BIT64(VIRTIO_RING_F_EVENT_IDX) |
		      BIT64(VHOST_USER_F_PROTOCOL_FEATURES))));
}

static void fz_flush(void *priv, struct vu_dev *d, unsigned q)
{
	CHECK(q < NQUEUES);
}

static void fz_queue_stop(void *priv, struct vu_dev *d, unsigned q)
{
	CHECK(q < NQUEUES);
	held[q].n = 0;
}

static void fz_reset(void *priv, struct vu_dev *d)
{
	for (unsigned q = 0; q < NQUEUES; q++)
		CHECK(held[q].n == 0);  /* queue_stop came first */
}

static const struct dev_ops fz_ops = {
	.name = "fuzz",
	.virtio_id = 0,
	.num_queues = NQUEUES,
	.queue_size = 256,
	.features = 0,
	.protocol_features = BIT64(VHOST_USER_PROTOCOL_F_CONFIG),
	.config_size = 16,
	.get_config = fz_get_config,
	.set_features = fz_set_features,
	.handle = fz_handle,
	.flush = fz_flush,
	.queue_stop = fz_queue_stop,
	.reset = fz_reset,
};

/* ---- the harness ---- */

static struct loop *lp;
static struct vu_dev *dev;
static int guest_fd = -1;
static uint8_t *guest;
static int base_fds = -1;
static int efds[MAX_FDS];
static unsigned nefds;

/* Count the open fds of the kinds the daemon is handed or creates
 * (eventfds, memfds, sockets); with show, list them.  Others are left out:
 * libFuzzer itself may open pipes (its symbolizer) while running. */
static int count_fds(bool show)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	CHECK(d);
	while ((de = readdir(d))) {
		char p[300], t[256];
		ssize_t k;

		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		k = readlink(p, t, sizeof(t) - 1);
		t[k > 0 ? k : 0] = 0;
		if (strncmp(t, "anon_inode:[eventfd]", 20) && strncmp(t, "/memfd:", 7) &&
		    strncmp(t, "socket:", 7))
			continue;
		n++;
		if (show)
			fprintf(stderr, "fuzz_msg: fd %s -> %s\n", de->d_name, t);
	}
	closedir(d);
	return n;
}

static void pump(int cfd)
{
	unsigned passes = 0;
	int r;

	while ((r = loop_run_once(lp, 0)) > 0)
		CHECK(++passes < MAX_PASSES);
	CHECK(r == 0);
	if (cfd >= 0) {
		uint8_t buf[512];

		while (recv(cfd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
}

static int client_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	memcpy(sa.sun_path, sock_path, sizeof(sa.sun_path));
	CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	pump(-1);
	CHECK(vu_dev_connected(dev));
	return fd;
}

static void client_close(int fd)
{
	close(fd);
	pump(-1);
	CHECK(!vu_dev_connected(dev));
	for (unsigned q = 0; q < NQUEUES; q++)
		CHECK(held[q].n == 0);
}

static void send_chunk(int cfd, const uint8_t *p, size_t len, const int *fds,
		       unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(MAX_SEND_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	uint8_t zero = 0;

	if (!len) {   /* fds need at least one byte to travel with */
		if (!nfds)
			return;
		iov.iov_base = &zero;
		iov.iov_len = 1;
	}
	if (nfds) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	/* the daemon may have dropped us: EPIPE is an expected outcome */
	(void)sendmsg(cfd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static bool verbose;

static void cleanup(void)
{
	if (verbose)
		fprintf(stderr, "fuzz_msg: %lu requests handled\n", handled);
	vu_dev_free(dev);   /* unlinks the socket */
	dev = NULL;
	remove_socket_dir();
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dev)
		return;
	verbose = getenv("FUZZ_VERBOSE");
	log_set_level(verbose ? LOG_DEBUG : LOG_ERROR);
	snprintf(sock_dir, sizeof(sock_dir), "%s/vd-fuzz-msg.XXXXXX",
		 tmp && *tmp && strlen(tmp) < 60 ? tmp : "/tmp");
	CHECK(mkdtemp(sock_dir));
	snprintf(sock_path, sizeof(sock_path), "%s/s", sock_dir);
	lp = loop_new();
	CHECK(lp);
	dev = vu_dev_new(lp, sock_path, &fz_ops, NULL);
	CHECK(dev);
	guest_fd = memfd_create("fuzz-guest", MFD_CLOEXEC);
	CHECK(guest_fd >= 0);
	CHECK(ftruncate(guest_fd, GUEST_SIZE) == 0);
	guest = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, guest_fd, 0);
	CHECK(guest != MAP_FAILED);
	atexit(cleanup);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(remove_socket_dir);
}

/* A new connection still gets GET_FEATURES answered. */
static void sanity(void)
{
	struct vhost_user_hdr h = { VHOST_USER_GET_FEATURES, VHOST_USER_VERSION, 0 };
	struct {
		struct vhost_user_hdr h;
		uint64_t v;
	} __attribute__((packed)) rep;
	int cfd = client_connect();
	ssize_t n;

	CHECK(send(cfd, &h, sizeof(h), MSG_NOSIGNAL) == (ssize_t)sizeof(h));
	pump(-1);
	n = recv(cfd, &rep, sizeof(rep), MSG_DONTWAIT);
	CHECK(n == (ssize_t)sizeof(rep));
	CHECK(rep.h.request == VHOST_USER_GET_FEATURES);
	CHECK(rep.h.flags == (VHOST_USER_VERSION | VHOST_USER_REPLY_MASK));
	CHECK(rep.h.size == 8);
	CHECK(rep.v & BIT64(VIRTIO_F_VERSION_1));
	client_close(cfd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in r = { data, size };
	int cfd;

	setup();
	memset(guest, 0, GUEST_SIZE);
	if (base_fds < 0) {
		sanity();
		base_fds = count_fds(false);
	}
	nefds = 0;
	cfd = client_connect();

	while (r.n) {
		uint8_t op = fz_u8(&r);

		switch (op & 3) {
		case 0: {
			size_t len = fz_u16(&r);
			unsigned nfds = (op >> 2) & 3;
			int fds[MAX_SEND_FDS];

			if (nfds == 3)
				nfds = MAX_SEND_FDS;

			if (len > r.n)
				len = r.n;
			for (unsigned i = 0; i < nfds; i++) {
				if (i < 3 && ((op >> 4) >> i) & 1) {
					if (nefds == MAX_FDS) {
						nfds = i;
						break;
					}
					fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
					CHECK(fds[i] >= 0);
					efds[nefds++] = fds[i];
				} else {
					fds[i] = guest_fd;
				}
			}
			send_chunk(cfd, r.p, len, fds, nfds);
			r.p += len;
			r.n -= len;
			break;
		}
		case 1: {
			size_t off = (size_t)fz_u16(&r) * 4;
			size_t len = fz_u8(&r);

			if (len > r.n)
				len = r.n;
			if (off < GUEST_SIZE)
				memcpy(guest + off, r.p,
				       len < GUEST_SIZE - off ? len : GUEST_SIZE - off);
			r.p += len;
			r.n -= len;
			break;
		}
		case 2:
			for (unsigned i = 0; i < nefds; i++) {
				uint64_t one = 1;

				CHECK(write(efds[i], &one, sizeof(one)) == sizeof(one));
			}
			break;
		default:
			if (op & 4) {
				client_close(cfd);
				cfd = client_connect();
				break;
			}
			{
				uint8_t len = fz_u8(&r);

				for (unsigned q = 0; q < NQUEUES; q++) {
					while (held[q].n) {
						struct vq_elem *e = held[q].e[--held[q].n];

						vu_complete(dev, q, e, len);
					}
				}
			}
			break;
		}
		pump(cfd);
	}

	client_close(cfd);
	for (unsigned i = 0; i < nefds; i++)
		close(efds[i]);
	sanity();
	if (count_fds(false) != base_fds) {
		fprintf(stderr, "fuzz_msg: %d fds open, %d expected\n",
			count_fds(true), base_fds);
		CHECK(!"every fd the daemon received is closed");
	}
	return 0;
}
