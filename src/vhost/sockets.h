/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The socket options every device shares, as upstream has them:
 * -s/--socket-path PATH and (for gpio, i2c, spi) -c/--socket-count N,
 * whose sockets are PATH0 .. PATH{N-1}; scmi uses PATH as given. */
#ifndef VD_VHOST_SOCKETS_H
#define VD_VHOST_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>

/* option ids, next to a device's own small positive ids */
enum { VU_OPT_SOCKET_PATH = 900, VU_OPT_SOCKET_COUNT, VU_OPT_MEM_SLOTS };

/* The option entries themselves are added to every device by
 * src/vhost/serve.c. */

struct vu_sockets {
	const char *path;     /* -s */
	unsigned long count;  /* -c; set to 1 by the initialiser */
	unsigned long max;    /* largest -c accepted */
	bool numbered;        /* append the socket index to the path */
};

#define VU_SOCKETS_NUMBERED(maxn) { NULL, 1, (maxn), true }
#define VU_SOCKETS_SINGLE { NULL, 1, 1, false }

/* Handle -s, -c or --mem-slots for an options callback.  Returns 0 when taken, -1
 * after printing an error naming the bad value, 1 if id is not one of
 * them. */
int vu_sockets_opt(struct vu_sockets *s, const char *prog, int id, const char *arg);
/* After parsing: -1 (message printed) if -s is missing. */
int vu_sockets_check(const struct vu_sockets *s, const char *prog);
/* Path of socket i into buf: 0, or -ENAMETOOLONG. */
int vu_sockets_path(const struct vu_sockets *s, unsigned i, char *buf, size_t len);

#endif
