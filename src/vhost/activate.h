/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Sockets handed to the daemon instead of created by it, and readiness:
 * the vhost-user backend program conventions (--fd=FDNUM) and systemd's
 * socket activation (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES) and
 * notification (NOTIFY_SOCKET) protocols, without libsystemd. */
#ifndef VD_VHOST_ACTIVATE_H
#define VD_VHOST_ACTIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The first fd systemd passes (SD_LISTEN_FDS_START). */
#define ACT_LISTEN_FDS_START 3

/* systemd's socket-activation variables as found in the environment
 * (NULL when unset), for process pid.  Returns the number of fds passed
 * to pid (they are ACT_LISTEN_FDS_START onwards), 0 when none are for it
 * (no LISTEN_PID, or another process's), or -1 with why[] saying which
 * variable is malformed.  max bounds the count (fd limit). */
int act_listen_count(const char *listen_pid, const char *listen_fds, pid_t pid,
		     unsigned long max, char *why, size_t why_len);

/* LISTEN_FDNAMES: the i-th of n colon-separated names into buf; 0, or -1
 * if the list does not hold exactly n names (systemd always passes n). */
int act_fd_name(const char *names, unsigned n, unsigned i, char *buf, size_t len);

/* A socket to serve: it must be an AF_UNIX SOCK_STREAM socket that
 * listens.  It is made close-on-exec and non-blocking.  0, or -1 with
 * why[] naming what is wrong. */
int act_check_listen_fd(int fd, char *why, size_t why_len);

/* NOTIFY_SOCKET ("/path" or "@abstract"): a datagram socket connected to
 * it, or -errno.  Opened once at start-up, so later messages are one
 * sendmsg() whatever confinement follows. */
int act_notify_open(const char *addr);
/* Send one state line ("READY=1", "STOPPING=1"): 0 or -errno. */
int act_notify(int fd, const char *state);

#endif
