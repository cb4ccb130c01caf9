/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#include <errno.h>
#include <stdio.h>

#include "common/opts.h"
#include "vhost/dev.h"
#include "vhost/sockets.h"

int vu_sockets_opt(struct vu_sockets *s, const char *prog, int id, const char *arg)
{
	unsigned long v;

	switch (id) {
	case VU_OPT_SOCKET_PATH:
		if (!*arg) {
			fprintf(stderr, "%s: --socket-path must not be empty\n", prog);
			return -1;
		}
		s->path = arg;
		return 0;
	case VU_OPT_MEM_SLOTS:
		vu_offer_mem_slots(true);
		return 0;
	case VU_OPT_SOCKET_COUNT:
		if (opts_parse_uint(arg, 10, s->max, &v) || v == 0) {
			fprintf(stderr, "%s: --socket-count '%s': expected 1..%lu\n", prog, arg,
				s->max);
			return -1;
		}
		s->count = v;
		return 0;
	}
	return 1;
}

int vu_sockets_check(const struct vu_sockets *s, const char *prog)
{
	if (s->path)
		return 0;
	fprintf(stderr, "%s: missing --socket-path (-s PATH)\n"
		"Try '%s --help' for more information.\n", prog, prog);
	return -1;
}

int vu_sockets_path(const struct vu_sockets *s, unsigned i, char *buf, size_t len)
{
	int n = s->numbered ? snprintf(buf, len, "%s%u", s->path, i)
			    : snprintf(buf, len, "%s", s->path);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
