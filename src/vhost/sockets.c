/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "vhost/dev.h"
#include "vhost/sockets.h"

int vu_sockets_opt(struct vu_sockets *s, const char *prog, int id, const char *arg)
{
	unsigned long v;

	switch (id) {
	case VU_OPT_SOCKET_PATH:
		if (!*arg) {
			fprintf(stderr, "%s: --socket-path must not be empty\n", prog);
			return OPTS_USAGE;	/* clap refuses an empty path */
		}
		s->path = arg;
		return 0;
	case VU_OPT_MEM_SLOTS:
		vu_offer_mem_slots(true);
		return 0;
	case VU_OPT_SOCKET_COUNT:
		/* upstream parses it as a usize: digits, an optional '+' */
		if (opts_parse_uint(arg, 10, ULONG_MAX, &v)) {
			fprintf(stderr, "%s: --socket-count '%s': expected a number of sockets, "
				"1 or more\n", prog, arg);
			return OPTS_USAGE;
		}
		if (v == 0) {
			fprintf(stderr, "%s: --socket-count '0': expected 1 or more sockets\n", prog);
			return s->zero_usage ? OPTS_USAGE : -1;
		}
		s->count = v;
		s->count_set = true;
		return 0;
	case VU_OPT_FD: {
		int *fds;

		if (opts_parse_uint(arg, 10, INT_MAX, &v)) {
			fprintf(stderr, "%s: --fd '%s': expected a file descriptor number\n", prog, arg);
			return OPTS_USAGE;
		}
		for (unsigned i = 0; i < s->nfds; i++) {
			if (s->fds[i] == (int)v) {
				fprintf(stderr, "%s: --fd %lu given twice\n", prog, v);
				return -1;
			}
		}
		fds = realloc(s->fds, (s->nfds + 1) * sizeof(*fds));
		if (!fds) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return -1;
		}
		s->fds = fds;
		s->fds[s->nfds++] = (int)v;
		return 0;
	}
	}
	return 1;
}

/* systemd's sockets for this process, if any: 0, or -1 (printed). */
static int take_listen_fds(struct vu_sockets *s, const char *prog)
{
	const char *names = getenv("LISTEN_FDNAMES");
	char why[128];
	int n;

	n = act_listen_count(getenv("LISTEN_PID"), getenv("LISTEN_FDS"), getpid(),
			     s->max, why, sizeof(why));
	if (n < 0) {
		fprintf(stderr, "%s: socket activation: %s\n", prog, why);
		return -1;
	}
	if (n == 0)
		return 0;
	if (s->nfds) {
		fprintf(stderr, "%s: --fd and socket activation (LISTEN_FDS=%d) cannot be combined\n",
			prog, n);
		return -1;
	}
	s->fds = calloc((size_t)n, sizeof(*s->fds));
	s->names = names ? calloc((size_t)n, sizeof(*s->names)) : NULL;
	if (!s->fds || (names && !s->names)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	s->nfds = (unsigned)n;
	s->activated = true;
	for (int i = 0; i < n; i++) {
		char name[256];

		s->fds[i] = ACT_LISTEN_FDS_START + i;
		if (!names)
			continue;
		if (act_fd_name(names, (unsigned)n, (unsigned)i, name, sizeof(name))) {
			fprintf(stderr, "%s: socket activation: LISTEN_FDNAMES '%s' does not name "
				"%d sockets\n", prog, names, n);
			return -1;
		}
		s->names[i] = strdup(name);
	}
	/* not passed on to anything this process starts */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 0;
}

int vu_sockets_check(struct vu_sockets *s, const char *prog)
{
	char why[160];

	if (take_listen_fds(s, prog))
		return -1;
	if (!s->nfds) {
		if (s->path)
			return 0;
		fprintf(stderr, "%s: missing --socket-path (-s PATH), or --fd FDNUM\n"
			"Try '%s --help' for more information.\n", prog, prog);
		return OPTS_USAGE;
	}
	if (s->path) {
		fprintf(stderr, "%s: --socket-path and %s cannot be combined\n", prog,
			s->activated ? "socket activation (LISTEN_FDS)" : "--fd");
		return -1;
	}
	if (!s->numbered && s->nfds != 1) {
		fprintf(stderr, "%s: %u sockets handed over; this device serves exactly one\n",
			prog, s->nfds);
		return -1;
	}
	if (s->count_set && s->count != s->nfds) {
		fprintf(stderr, "%s: --socket-count %lu but %u sockets handed over (--fd or LISTEN_FDS)\n",
			prog, s->count, s->nfds);
		return -1;
	}
	if (s->nfds > s->max) {
		fprintf(stderr, "%s: %u sockets handed over; at most %lu\n", prog, s->nfds, s->max);
		return -1;
	}
	s->count = s->nfds;
	for (unsigned i = 0; i < s->nfds; i++) {
		if (act_check_listen_fd(s->fds[i], why, sizeof(why))) {
			fprintf(stderr, "%s: cannot serve %s: %s\n", prog,
				s->activated ? "the socket from LISTEN_FDS" : "--fd", why);
			return -1;
		}
	}
	return 0;
}

void vu_sockets_fd_label(const struct vu_sockets *s, unsigned i, char *buf, size_t len)
{
	struct sockaddr_un sa;
	socklen_t sl = sizeof(sa);
	const char *name = s->names && s->names[i] ? s->names[i] : NULL;
	int fd = s->fds[i];

	memset(&sa, 0, sizeof(sa));
	if (getsockname(fd, (struct sockaddr *)&sa, &sl) == 0 && sa.sun_family == AF_UNIX &&
	    sl > offsetof(struct sockaddr_un, sun_path) && sa.sun_path[0])
		snprintf(buf, len, "%.*s (fd %d%s%s)",
			 (int)(sl - offsetof(struct sockaddr_un, sun_path)), sa.sun_path, fd,
			 name ? ", " : "", name ? name : "");
	else
		snprintf(buf, len, "fd %d%s%s", fd, name ? " " : "", name ? name : "");
}

void vu_sockets_free(struct vu_sockets *s)
{
	for (unsigned i = 0; s->names && i < s->nfds; i++)
		free(s->names[i]);
	free(s->names);
	free(s->fds);
	s->names = NULL;
	s->fds = NULL;
	s->nfds = 0;
}

int vu_sockets_path(const struct vu_sockets *s, unsigned i, char *buf, size_t len)
{
	int n = s->numbered ? snprintf(buf, len, "%s%u", s->path, i)
			    : snprintf(buf, len, "%s", s->path);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- listening on a path ---- */

/* Whether a process accepts connections on the socket file at sa: a
 * connection (or a full backlog) says so; only "refused" means the file
 * is left over from a process that is gone. */
static bool socket_in_use(const struct sockaddr_un *sa)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bool live;

	if (s < 0)
		return false;    /* bind() will fail the same way */
	live = connect(s, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ||
	       (errno != ECONNREFUSED && errno != ENOENT);
	close(s);
	return live;
}

/* A name next to path to bind and listen on before the socket appears
 * under path: "DIR/.vd-PID-N".  Empty when it would not fit in a
 * sockaddr_un (then path is bound directly). */
static void listen_tmp_name(const char *path, char *buf, size_t len)
{
	static unsigned n;
	const char *slash = strrchr(path, '/');
	int dl = slash ? (int)(slash - path + 1) : 0;
	int k = snprintf(buf, len, "%.*s.vd-%ld-%u", dl, path, (long)getpid(), n++);

	if (k < 0 || (size_t)k >= len)
		buf[0] = '\0';
}

int vu_listen_path(const char *path, unsigned mode, struct stat *own)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char tmp[sizeof(sa.sun_path)];
	struct stat st;
	mode_t old = 0;
	int fd, r, e;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			errno = EEXIST;   /* never remove something that is not a socket */
			return -1;
		}
		if (socket_in_use(&sa)) {
			errno = EADDRINUSE;   /* never take over a live socket */
			return -1;
		}
		unlink(path);     /* stale socket from an earlier run */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	/* Bound and listening under a temporary name first, then renamed to
	 * path: whoever sees path (QEMU started once the file appears, a
	 * control client) can connect at once, never refused in the moment
	 * between bind() and listen(). */
	listen_tmp_name(path, tmp, sizeof(tmp));
	if (tmp[0])
		strcpy(sa.sun_path, tmp);
	/* the file gets its mode at bind: no moment with more access (start-up
	 * runs one thread, so the process-wide umask is ours here) */
	if (mode)
		old = umask(~mode & 0777);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (mode)
		umask(old);
	if (r < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (listen(fd, 4) < 0)
		goto fail;
	/* no replacing: a socket someone made at path since the check above
	 * is theirs (EEXIST) */
	if (tmp[0] && renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) < 0) {
		if (errno != EINVAL && errno != ENOSYS)
			goto fail;
		/* a file system without RENAME_NOREPLACE: link + unlink, which
		 * refuses an existing path the same way */
		if (link(tmp, path) < 0)
			goto fail;
		unlink(tmp);
	}
	if (lstat(path, own) < 0) {
		e = errno;
		unlink(path);   /* ours: made just now */
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
fail:
	e = errno;
	unlink(sa.sun_path);   /* ours: bound just now */
	close(fd);
	errno = e;
	return -1;
}

void vu_unlink_own(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	if (lstat(path, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
		unlink(path);
}
