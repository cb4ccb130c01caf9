/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* A control-socket client for the tests (--control PATH, common/ctl.h):
 * one JSON object per line each way.  Every wait has a timeout; functions
 * return a negative errno on failure (no cmocka here). */
#ifndef VD_TESTS_CTLC_H
#define VD_TESTS_CTLC_H

#include <stddef.h>

/* Connect to path (waiting up to timeout_ms for it to listen: a daemon
 * makes it after its vhost-user sockets) and read the greeting line: the
 * fd, or -errno (-EPROTO: the first line was not a greeting). */
int ctlc_open(const char *path, int timeout_ms);
/* The next line, without its newline, NUL-terminated in buf: its length;
 * -EPIPE at the end, -ETIMEDOUT, -E2BIG when longer than cap - 1. */
int ctlc_line(int fd, char *buf, size_t cap, int timeout_ms);
/* Send the request line req (a newline is added) and read the next line:
 * as ctlc_line.  (A client that sent "watch" gets events between
 * replies: use another one for requests.) */
int ctlc_ask(int fd, const char *req, char *buf, size_t cap, int timeout_ms);

#endif
