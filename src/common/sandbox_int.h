/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Between sandbox.c (policy, identity, capabilities, Landlock) and
 * sandbox_seccomp.c (the filter).  Not for modules. */
#ifndef VD_SANDBOX_INT_H
#define VD_SANDBOX_INT_H

#include <stdbool.h>
#include "common/sandbox.h"

/* ioctl with the modules' requests: set by sandbox_allow_ioctls() */
#define SB_NEED_IOCTL (1u << 31)

/* One module's ioctl requests (sandbox_allow_ioctls). */
struct sb_ioctls {
	const struct sandbox_ioctl *tab;
	unsigned n;
};

struct sb_summary {
	bool seccomp;            /* a filter was loaded */
	unsigned syscalls;       /* distinct system calls allowed */
	unsigned ioctls;         /* ioctl request patterns allowed */
	int landlock_abi;        /* 0: none */
	unsigned landlock_rules; /* path rules added */
	bool landlock_net;       /* TCP bind/connect refused */
};

/* Before any step: the SIGSYS reporter and the table of system call
 * names it prints (the handler itself allocates nothing). */
int sb_seccomp_prepare(void);
/* Whether this architecture has the system call name (always true
 * without seccomp). */
bool sb_seccomp_known(const char *name);
/* Build the allow-list for needs, the ncalls module calls and the nio
 * modules' ioctl tables, load it (all threads). */
int sb_seccomp_load(unsigned needs, const char *const *calls, unsigned ncalls,
		    const struct sb_ioctls *io, unsigned nio, struct sb_summary *sum);

#endif
