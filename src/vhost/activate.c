/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/opts.h"
#include "vhost/activate.h"

int act_listen_count(const char *listen_pid, const char *listen_fds, pid_t pid,
		     unsigned long max, char *why, size_t why_len)
{
	unsigned long p, n;

	if (!listen_pid)
		return 0;
	if (opts_parse_uint(listen_pid, 10, (unsigned long)-1, &p) || p == 0) {
		snprintf(why, why_len, "LISTEN_PID '%s' is not a process id", listen_pid);
		return -1;
	}
	if (p != (unsigned long)pid)
		return 0;	/* meant for another process (our parent, say) */
	if (!listen_fds || opts_parse_uint(listen_fds, 10, max, &n) || n == 0) {
		snprintf(why, why_len, "LISTEN_FDS '%s': expected 1..%lu sockets",
			 listen_fds ? listen_fds : "(unset)", max);
		return -1;
	}
	return (int)n;
}

int act_fd_name(const char *names, unsigned n, unsigned i, char *buf, size_t len)
{
	const char *s = names, *e;
	unsigned k = 0;

	for (;;) {
		e = strchr(s, ':');
		if (!e)
			e = s + strlen(s);
		if (k == i)
			snprintf(buf, len, "%.*s", (int)(e - s), s);
		k++;
		if (!*e)
			break;
		s = e + 1;
	}
	return k == n ? 0 : -1;
}

int act_check_listen_fd(int fd, char *why, size_t why_len)
{
	int v = 0, flags;
	socklen_t l = sizeof(v);
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(why, why_len, "fd %d: %s", fd, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, why_len, "fd %d is not a socket", fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &l) < 0 || v != AF_UNIX) {
		snprintf(why, why_len, "fd %d is not a Unix socket", fd);
		return -1;
	}
	l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l) < 0 || v != SOCK_STREAM) {
		snprintf(why, why_len, "fd %d is not a stream socket", fd);
		return -1;
	}
	l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) < 0 || !v) {
		snprintf(why, why_len, "fd %d is not listening (a connected socket cannot be served)", fd);
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(why, why_len, "fd %d: %s", fd, strerror(errno));
		return -1;
	}
	return 0;
}

int act_notify_open(const char *addr)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = addr ? strlen(addr) : 0;
	socklen_t sl;
	int fd, e;

	if (n < 2 || (addr[0] != '/' && addr[0] != '@'))
		return -EINVAL;
	if (n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, addr, n);
	if (addr[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract namespace */
	sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (addr[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sl) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int act_notify(int fd, const char *state)
{
	struct iovec iov = { .iov_base = (void *)state, .iov_len = strlen(state) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	return sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -errno : 0;
}
