/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Guest memory: the regions the frontend shares with us, and the one
 * function that turns a guest-physical or frontend-virtual address into a
 * pointer we can use. */
#ifndef VD_VHOST_MEM_H
#define VD_VHOST_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/uio.h>
#include "proto.h"

#define MEM_MAX_REGIONS 32   /* answer to GET_MAX_MEM_SLOTS */

struct mem_region {
	uint64_t gpa;        /* guest physical start */
	uint64_t size;
	uint64_t uva;        /* frontend (QEMU) virtual start */
	uint64_t mmap_offset;
	void *host;          /* our pointer to gpa (inside the mapping) */
	void *map_base;      /* what mmap returned */
	size_t map_len;
};

struct mem_table {
	unsigned n;
	struct mem_region r[MEM_MAX_REGIONS];
};

enum mem_space { MEM_GPA, MEM_UVA };

/* THE translation function.  Returns a host pointer for addr in the given
 * address space and sets *len to the number of contiguous bytes mapped
 * there, at most the requested *len.  Returns NULL (and *len = 0) if addr
 * is not inside any region.  Never reads past a region. */
void *mem_translate(const struct mem_table *m, enum mem_space space,
		    uint64_t addr, uint64_t *len);

/* Translate [addr, addr+len) into at most max iovecs, splitting at region
 * boundaries (a buffer may span adjacent regions).  Returns the number of
 * iovecs used, -EFAULT if some byte is unmapped or addr+len wraps,
 * -ENOBUFS if more than max pieces are needed. len 0 gives 0 iovecs. */
int mem_to_iov(const struct mem_table *m, enum mem_space space,
	       uint64_t addr, uint64_t len, struct iovec *iov, unsigned max);

/* A pointer to len bytes at addr only if they lie in one region (rings),
 * else NULL. */
void *mem_contig(const struct mem_table *m, enum mem_space space,
		 uint64_t addr, uint64_t len);

/* Validate and map one region described by the frontend, backed by fd
 * (not consumed: the caller closes it).  Rejects: zero size, wrapping
 * gpa/uva/offset ranges, overlap with an existing region in either
 * address space, a file smaller than offset+size, a full table.
 * Returns 0 or a negative errno; the table is unchanged on error. */
int mem_add(struct mem_table *m, const struct vhost_user_region *reg, int fd);
/* Unmap the region matching gpa, size and uva; -ENOENT if none. */
int mem_remove(struct mem_table *m, const struct vhost_user_region *reg);
/* Unmap everything. */
void mem_clear(struct mem_table *m);

/* Guest memory that shrinks under us.  A frontend can truncate the file
 * behind a region after SET_MEM_TABLE (a memfd made without
 * MFD_ALLOW_SEALING, any tmpfs or hugetlbfs file: mem_add seals where it
 * can); the next access to the lost pages raises SIGBUS.  For a table
 * registered here, the SIGBUS handler replaces the whole region that
 * faulted with anonymous zero pages (MAP_FIXED: the access that faulted
 * then completes on them, and nothing in that region can fault again),
 * marks the table and writes to notify_fd (an eventfd of the caller),
 * which must then drop the connection: only that guest is lost.  A SIGBUS
 * anywhere else still ends the process as before.
 * mem_guard_add: 0, or -ENOMEM; the handler is installed on first use
 * (before any sandbox forbids sigaction). */
int mem_guard_add(const struct mem_table *m, int notify_fd);
void mem_guard_del(const struct mem_table *m);
/* Whether a fault replaced memory of m since the last call (and clear). */
bool mem_guard_lost(const struct mem_table *m);

#endif
