/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Guest memory table: validation, mapping and address translation. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/coverage.h"
#include "vhost/mem.h"

/* Last address of [start, start+size), or false if the range is empty or
 * wraps around the 64-bit space. */
static bool range_last(uint64_t start, uint64_t size, uint64_t *last)
{
	if (size == 0)
		return false;
	if (start + (size - 1) < start)
		return false;
	*last = start + (size - 1);
	return true;
}

static uint64_t region_base(const struct mem_region *r, enum mem_space space)
{
	return space == MEM_GPA ? r->gpa : r->uva;
}

static bool ranges_overlap(uint64_t a, uint64_t a_last, uint64_t b,
			   uint64_t b_last)
{
	return a <= b_last && b <= a_last;
}

void *mem_translate(const struct mem_table *m, enum mem_space space,
		    uint64_t addr, uint64_t *len)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		const struct mem_region *r = &m->r[i];
		uint64_t base = region_base(r, space);
		uint64_t off, avail;

		if (addr < base)
			continue;
		off = addr - base;      /* no wrap: addr >= base */
		if (off >= r->size)
			continue;
		avail = r->size - off;  /* bytes left in the region, >= 1 */
		if (*len > avail)
			*len = avail;
		return (uint8_t *)r->host + off;
	}
	*len = 0;
	return NULL;
}

int mem_to_iov(const struct mem_table *m, enum mem_space space,
	       uint64_t addr, uint64_t len, struct iovec *iov, unsigned max)
{
	uint64_t last;
	unsigned n = 0;

	if (len == 0)
		return 0;
	if (!range_last(addr, len, &last))
		return -EFAULT;
	while (len) {
		uint64_t piece = len;
		void *p;

#if SIZE_MAX < UINT64_MAX
		if (piece > SIZE_MAX)
			piece = SIZE_MAX;
#endif
		p = mem_translate(m, space, addr, &piece);
		if (!p || piece == 0)
			return -EFAULT;
		if (n >= max)
			return -ENOBUFS;
		iov[n].iov_base = p;
		iov[n].iov_len = (size_t)piece;
		n++;
		addr += piece;  /* cannot wrap: addr + len - 1 did not */
		len -= piece;
	}
	return (int)n;
}

void *mem_contig(const struct mem_table *m, enum mem_space space,
		 uint64_t addr, uint64_t len)
{
	uint64_t last, got = len;
	void *p;

	if (!range_last(addr, len, &last))
		return NULL;
	p = mem_translate(m, space, addr, &got);
	if (!p || got < len)
		return NULL;
	return p;
}

int mem_add(struct mem_table *m, const struct vhost_user_region *reg, int fd)
{
	uint64_t gpa_last, uva_last, off_last, page, delta, map_off;
	struct mem_region *r;
	struct stat st;
	void *base;
	unsigned i;
	long ps;

	if (fd < 0)
		return -EBADF;
	if (reg->memory_size == 0)
		return -EINVAL;
	if (!range_last(reg->guest_phys_addr, reg->memory_size, &gpa_last) ||
	    !range_last(reg->userspace_addr, reg->memory_size, &uva_last) ||
	    !range_last(reg->mmap_offset, reg->memory_size, &off_last))
		return -EINVAL;
	/* mmap takes a signed off_t and a size_t length */
	if (off_last > (uint64_t)INT64_MAX)
		return -EINVAL;
#if SIZE_MAX < UINT64_MAX
	if (reg->memory_size > SIZE_MAX / 2)
		return -EINVAL;
#endif
	if (m->n >= MEM_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < m->n; i++) {
		const struct mem_region *o = &m->r[i];

		if (ranges_overlap(reg->guest_phys_addr, gpa_last, o->gpa,
				   o->gpa + (o->size - 1)) ||
		    ranges_overlap(reg->userspace_addr, uva_last, o->uva,
				   o->uva + (o->size - 1)))
			return -EEXIST;
	}

	if (fstat(fd, &st) < 0)
		return -errno;
	/* Mapping past the end of a file would SIGBUS on first touch. */
	if (S_ISREG(st.st_mode) &&
	    (st.st_size < 0 || (uint64_t)st.st_size < off_last + 1))
		return -EINVAL;
	/* ...and so would a file the frontend shrinks later: where the file
	 * can be sealed (memfds; QEMU seals its own already), forbid that.
	 * Punching holes stays possible (it reads back zeros, no fault). */
	if (S_ISREG(st.st_mode)) {
		int seals = fcntl(fd, F_GET_SEALS);

		if (seals >= 0 && !(seals & F_SEAL_SHRINK))
			fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK);
	}

	ps = sysconf(_SC_PAGESIZE);
	page = ps > 0 ? (uint64_t)ps : 4096;
	map_off = reg->mmap_offset & ~(page - 1);
	delta = reg->mmap_offset - map_off;
	if (reg->memory_size + delta < reg->memory_size)
		return -EINVAL;
#if SIZE_MAX < UINT64_MAX
	if (reg->memory_size + delta > SIZE_MAX)
		return -EINVAL;
#endif

	base = mmap(NULL, (size_t)(reg->memory_size + delta),
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd,
		    (off_t)map_off);
	if (base == MAP_FAILED)
		return -errno;

	r = &m->r[m->n];
	r->gpa = reg->guest_phys_addr;
	r->size = reg->memory_size;
	r->uva = reg->userspace_addr;
	r->mmap_offset = reg->mmap_offset;
	r->map_base = base;
	r->map_len = (size_t)(reg->memory_size + delta);
	r->host = (uint8_t *)base + delta;
	m->n++;
	return 0;
}

int mem_remove(struct mem_table *m, const struct vhost_user_region *reg)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		struct mem_region *r = &m->r[i];

		if (r->gpa != reg->guest_phys_addr ||
		    r->size != reg->memory_size ||
		    r->uva != reg->userspace_addr)
			continue;
		munmap(r->map_base, r->map_len);
		memmove(r, r + 1, (m->n - i - 1) * sizeof(*r));
		m->n--;
		memset(&m->r[m->n], 0, sizeof(m->r[m->n]));
		return 0;
	}
	return -ENOENT;
}

void mem_clear(struct mem_table *m)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		munmap(m->r[i].map_base, m->r[i].map_len);
	memset(m, 0, sizeof(*m));
}

/* ---------------- guest memory lost under us (SIGBUS) ---------------- */

static struct mem_guard {
	const struct mem_table *m;
	int fd;
	volatile sig_atomic_t lost;
} *guards;
static unsigned nguards, guards_cap;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	int saved = errno;

	for (unsigned g = 0; g < nguards; g++) {
		const struct mem_table *m = guards[g].m;

		for (unsigned i = 0; i < m->n && i < MEM_MAX_REGIONS; i++) {
			const struct mem_region *r = &m->r[i];
			uintptr_t base = (uintptr_t)r->map_base;
			uint64_t one = 1;

			if (!r->map_base || a < base || a - base >= r->map_len)
				continue;
			if (mmap(r->map_base, r->map_len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
				 -1, 0) == MAP_FAILED)
				goto die;
			guards[g].lost = 1;
			if (write(guards[g].fd, &one, sizeof(one)) < 0) {
				/* the counter is already set: the loop will look */
			}
			errno = saved;
			return;
		}
	}
die:
	/* not guest memory: a bug of ours.  Touch it again with SIGBUS
	 * blocked (it is, inside this handler): the kernel then ends the
	 * process with SIGBUS as if there were no handler. */
	coverage_dump();   /* make coverage only */
	(void)*(volatile const char *)si->si_addr;
	abort();
}

int mem_guard_add(const struct mem_table *m, int notify_fd)
{
	struct sigaction sa;

	/* (again, if something replaced it) */
	if (sigaction(SIGBUS, NULL, &sa) == 0 && sa.sa_sigaction != on_sigbus) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGBUS, &sa, NULL) < 0)
			return -errno;
	}
	if (nguards == guards_cap) {
		unsigned cap = guards_cap ? guards_cap * 2 : 8;
		struct mem_guard *g = malloc(cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		if (nguards)
			memcpy(g, guards, nguards * sizeof(*g));
		free(guards);
		guards = g;
		guards_cap = cap;
	}
	guards[nguards].m = m;
	guards[nguards].fd = notify_fd;
	guards[nguards].lost = 0;
	nguards++;
	return 0;
}

void mem_guard_del(const struct mem_table *m)
{
	for (unsigned g = 0; g < nguards; g++) {
		if (guards[g].m != m)
			continue;
		guards[g] = guards[nguards - 1];
		if (!--nguards) {
			/* the last table gone: nothing for the handler to
			 * find (it runs on this thread, at a fault) */
			free(guards);
			guards = NULL;
			guards_cap = 0;
		}
		return;
	}
}

bool mem_guard_lost(const struct mem_table *m)
{
	for (unsigned g = 0; g < nguards; g++) {
		if (guards[g].m == m && guards[g].lost) {
			guards[g].lost = 0;
			return true;
		}
	}
	return false;
}
