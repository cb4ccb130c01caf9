/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The socket options every device shares, as upstream has them:
 * -s/--socket-path PATH and (for gpio, i2c, spi) -c/--socket-count N,
 * whose sockets are PATH0 .. PATH{N-1}; scmi uses PATH as given. */
#ifndef VD_VHOST_SOCKETS_H
#define VD_VHOST_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* option ids, next to a device's own small positive ids */
enum { VU_OPT_SOCKET_PATH = 900, VU_OPT_SOCKET_COUNT, VU_OPT_MEM_SLOTS, VU_OPT_FD };

/* The option entries themselves are added to every device by
 * src/vhost/serve.c. */

struct vu_sockets {
	const char *path;     /* -s */
	unsigned long count;  /* -c; set to 1 by the initialiser */
	unsigned long max;    /* most sockets handed over (1 if not numbered) */
	bool numbered;        /* append the socket index to the path */
	/* -c 0 is a usage error (exit 2; upstream's spi parses -c as a
	 * NonZeroUsize) rather than refused after parsing (exit 1; gpio,
	 * i2c, rng upstream).  No upper bound but the fd limit (serve.c). */
	bool zero_usage;
	bool count_set;       /* -c given */
	/* Sockets handed over instead of -s (--fd, or systemd's LISTEN_FDS
	 * read by vu_sockets_check): already listening, in socket order. */
	unsigned nfds;
	int *fds;
	char **names;         /* LISTEN_FDNAMES entries, or NULL */
	bool activated;       /* the fds came from LISTEN_FDS */
};

#define VU_SOCKETS_NUMBERED(maxn) { .count = 1, .max = (maxn), .numbered = true }
#define VU_SOCKETS_SINGLE { .count = 1, .max = 1 }

/* Handle -s, -c, --fd or --mem-slots for an options callback.  Returns 0
 * when taken, OPTS_USAGE (a malformed value) or -1 after printing an error
 * naming the bad value, 1 if id is not one of them. */
int vu_sockets_opt(struct vu_sockets *s, const char *prog, int id, const char *arg);
/* After parsing: take systemd's sockets (LISTEN_PID/LISTEN_FDS/
 * LISTEN_FDNAMES, then removed from the environment), check that the
 * sockets come from exactly one of -s, --fd and activation, that -c
 * matches the sockets handed over (without -c their number is the count),
 * and that each handed-over fd is a listening Unix stream socket.
 * 0, or OPTS_USAGE (no socket given at all) or -1 after printing why. */
int vu_sockets_check(struct vu_sockets *s, const char *prog);
/* The label of handed-over socket i (its bound path, fd number and
 * LISTEN_FDNAMES name) into buf. */
void vu_sockets_fd_label(const struct vu_sockets *s, unsigned i, char *buf, size_t len);
void vu_sockets_free(struct vu_sockets *s);
/* Path of socket i into buf: 0, or -ENAMETOOLONG. */
int vu_sockets_path(const struct vu_sockets *s, unsigned i, char *buf, size_t len);

/* Listen on a Unix stream socket at path (nonblocking, close-on-exec).
 * A socket file nobody accepts on (left by a process that is gone) is
 * replaced; a live one is refused (EADDRINUSE), as is anything that is
 * not a socket (EEXIST).  mode, if not 0, is the file's permission bits
 * from its creation on (0600: owner only).  *own gets the file's device
 * and inode, so that only that file is ever removed (vu_unlink_own).
 * The fd, or -1 with errno set. */
int vu_listen_path(const char *path, unsigned mode, struct stat *own);
/* Remove path if it is still the file own described (not a newer one). */
void vu_unlink_own(const char *path, dev_t dev, ino_t ino);

#endif
