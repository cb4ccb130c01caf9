/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* A control-socket client for the tests (ctlc.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlc.h"
#include "proc.h"

int ctlc_line(int fd, char *buf, size_t cap, int timeout_ms)
{
	long long deadline = proc_now_ms() + timeout_ms;
	size_t n = 0;

	/* a byte at a time: what follows the line stays in the socket */
	while (n < cap - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - proc_now_ms();
		ssize_t r;

		if (left < 0)
			left = 0;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		r = read(fd, buf + n, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EPIPE;
		if (buf[n] == '\n') {
			buf[n] = 0;
			return (int)n;
		}
		n++;
	}
	return -E2BIG;
}

int ctlc_open(const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char greet[512];
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* the daemon makes its control socket after the vhost-user ones,
	 * and binds it before it listens: wait (bounded) for it */
	for (long long deadline = proc_now_ms() + timeout_ms;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		r = -errno;
		close(fd);
		if ((r != -ENOENT && r != -ECONNREFUSED) || proc_now_ms() > deadline)
			return r;
		usleep(10000);
	}
	r = ctlc_line(fd, greet, sizeof(greet), timeout_ms);
	if (r >= 0 && !strstr(greet, "\"vhost-device\":{\"protocol\":"))
		r = -EPROTO;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int ctlc_ask(int fd, const char *req, char *buf, size_t cap, int timeout_ms)
{
	size_t n = strlen(req);
	ssize_t a = send(fd, req, n, MSG_NOSIGNAL), b;

	if (a != (ssize_t)n)
		return a < 0 ? -errno : -EIO;
	b = send(fd, "\n", 1, MSG_NOSIGNAL);
	if (b != 1)
		return b < 0 ? -errno : -EIO;
	return ctlc_line(fd, buf, cap, timeout_ms);
}
