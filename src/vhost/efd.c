/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Frontend fds without blocking; the design is in efd.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/aio_abi.h>

#include "common/log.h"
#include "vhost/efd.h"

#define AIO_RING   256            /* completions the kernel may hold */
#define AIO_REAP   (AIO_RING / 2) /* reap when this many are unreaped */

static struct {
	bool tried;
	bool ok;
	aio_context_t ctx;
	int src[2];               /* empty pipe: a 0-byte read of src[0] completes at once */
	unsigned unreaped;
} aio = { .src = { -1, -1 } };
/* apart from the initialised state above, so that it is not 8 KiB of the
 * binary's data but zero-filled memory, used only once there is a reap */
static struct io_event aio_ev[AIO_RING];

/* preadv2(RWF_NOWAIT) works on eventfds (not on older kernels, nor under
 * qemu-user: EOPNOTSUPP there) */
static bool nowait_ok = true;

static void probe_nowait(void)
{
	uint64_t v;
	struct iovec iov = { .iov_base = &v, .iov_len = sizeof(v) };
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		return;
	if (preadv2(fd, &iov, 1, -1, RWF_NOWAIT) < 0 && errno != EAGAIN) {
		nowait_ok = false;
		log_warn("the kernel cannot read an eventfd without blocking per call "
			 "(preadv2 RWF_NOWAIT: %s): kick fds are read with O_NONBLOCK set "
			 "again before each read, which a frontend clearing it at the same "
			 "moment can defeat", strerror(errno));
	}
	close(fd);
}

bool efd_init(void)
{
	if (aio.tried)
		return aio.ok;
	aio.tried = true;
	probe_nowait();
	if (pipe2(aio.src, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_warn("cannot create a pipe: %s", strerror(errno));
		aio.src[0] = aio.src[1] = -1;
		return false;
	}
	if (syscall(SYS_io_setup, AIO_RING, &aio.ctx) < 0) {
		log_warn("kernel AIO is not available (io_setup: %s): a frontend that clears "
			 "O_NONBLOCK on a full call or error eventfd can block this process",
			 strerror(errno));
		close(aio.src[0]);
		close(aio.src[1]);
		aio.src[0] = aio.src[1] = -1;
		return false;
	}
	aio.ok = true;
	return true;
}

int efd_check(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 0;   /* no /proc: cannot tell (io_submit fails on a non-eventfd) */
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") ? -EINVAL : 0;
}

void efd_take(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (!aio.ok && fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void reap(void)
{
	struct timespec zero = { 0, 0 };
	long n = syscall(SYS_io_getevents, aio.ctx, 0, AIO_RING, aio_ev, &zero);

	if (n > 0)
		aio.unreaped -= (unsigned)n > aio.unreaped ? aio.unreaped : (unsigned)n;
}

int efd_signal(int fd)
{
	struct iocb cb;
	struct iocb *cbs[1] = { &cb };
	long r;

	if (fd < 0)
		return -EBADF;
	if (!efd_init()) {
		uint64_t one = 1;

		return write(fd, &one, sizeof(one)) < 0 ? -errno : 0;
	}
	if (aio.unreaped >= AIO_REAP)
		reap();
	memset(&cb, 0, sizeof(cb));
	cb.aio_lio_opcode = IOCB_CMD_PREAD;
	cb.aio_fildes = (uint32_t)aio.src[0];
	cb.aio_flags = IOCB_FLAG_RESFD;
	cb.aio_resfd = (uint32_t)fd;
	for (int tries = 0; tries < 2; tries++) {
		r = syscall(SYS_io_submit, aio.ctx, 1, cbs);
		if (r == 1) {
			aio.unreaped++;
			return 0;
		}
		if (r < 0 && errno != EAGAIN)
			return -errno;
		reap();
	}
	return -EAGAIN;
}

ssize_t efd_read(int fd, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	ssize_t n;

	if (!nowait_ok) {
		/* the fallback: the flag is the frontend's to clear, so set
		 * it again each time */
		int fl = fcntl(fd, F_GETFL);

		if (fl < 0)
			return -errno;
		if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
			return -errno;
		n = read(fd, buf, len);   /* nonblocking: no EINTR */
		return n < 0 ? -errno : n;
	}
	n = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
	return n < 0 ? -errno : n;
}
