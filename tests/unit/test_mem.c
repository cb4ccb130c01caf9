/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Unit tests for src/vhost/mem.c: region validation and translation. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "guestmem.h"
#include "vhost/mem.h"

#define PG 4096ull

static struct vhost_user_region region(uint64_t gpa, uint64_t size,
				       uint64_t uva, uint64_t off)
{
	struct vhost_user_region r = {
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = uva,
		.mmap_offset = off,
	};
	return r;
}

/* A table with one memfd-backed region [0x10000, 0x20000), uva 0x7000000. */
struct fx {
	struct mem_table m;
	int fd;
	uint8_t *drv;   /* our own view of the memfd */
};

static int fx_setup(void **state)
{
	static struct fx f;
	struct vhost_user_region r = region(0x10000, 0x10000, 0x7000000, 0);

	memset(&f, 0, sizeof(f));
	f.fd = gm_memfd(0x10000);
	assert_true(f.fd >= 0);
	f.drv = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED, f.fd, 0);
	assert_true(f.drv != MAP_FAILED);
	assert_int_equal(mem_add(&f.m, &r, f.fd), 0);
	assert_int_equal(f.m.n, 1);
	*state = &f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	mem_clear(&f->m);
	munmap(f->drv, 0x10000);
	close(f->fd);
	return 0;
}

/* ---- translation ---- */

static void test_mem_translate_inside(void **state)
{
	struct fx *f = *state;
	uint64_t len = 16;
	uint8_t *p;

	memcpy(f->drv + 0x10, "hello guest", 12);
	p = mem_translate(&f->m, MEM_GPA, 0x10010, &len);
	assert_non_null(p);
	assert_int_equal(len, 16);
	assert_memory_equal(p, "hello guest", 12);
	/* the same bytes through the frontend's virtual addresses */
	len = 16;
	assert_ptr_equal(mem_translate(&f->m, MEM_UVA, 0x7000010, &len), p);
	assert_int_equal(len, 16);
	/* and writes through it reach the guest's memory */
	p[0] = 'J';
	assert_int_equal(f->drv[0x10], 'J');
}

static void test_mem_translate_edges(void **state)
{
	struct fx *f = *state;
	uint64_t len = 0x10000;
	uint8_t *p;

	/* first byte, whole region */
	p = mem_translate(&f->m, MEM_GPA, 0x10000, &len);
	assert_ptr_equal(p, f->m.r[0].host);
	assert_int_equal(len, 0x10000);
	/* more than the region: clamped */
	len = 0x10001;
	p = mem_translate(&f->m, MEM_GPA, 0x10000, &len);
	assert_non_null(p);
	assert_int_equal(len, 0x10000);
	/* last byte: only one byte left */
	len = 16;
	p = mem_translate(&f->m, MEM_GPA, 0x1ffff, &len);
	assert_ptr_equal(p, (uint8_t *)f->m.r[0].host + 0xffff);
	assert_int_equal(len, 1);
	/* a huge length does not wrap the clamp */
	len = UINT64_MAX;
	p = mem_translate(&f->m, MEM_GPA, 0x1fff0, &len);
	assert_non_null(p);
	assert_int_equal(len, 16);
}

static void test_mem_translate_outside(void **state)
{
	struct fx *f = *state;
	uint64_t len = 16;

	assert_null(mem_translate(&f->m, MEM_GPA, 0xffff, &len));
	assert_int_equal(len, 0);
	len = 16;
	assert_null(mem_translate(&f->m, MEM_GPA, 0x20000, &len));
	assert_int_equal(len, 0);
	len = 16;
	assert_null(mem_translate(&f->m, MEM_GPA, UINT64_MAX, &len));
	assert_int_equal(len, 0);
	/* a guest-physical address is not a frontend virtual one */
	len = 16;
	assert_null(mem_translate(&f->m, MEM_UVA, 0x10000, &len));
	assert_int_equal(len, 0);
	len = 16;
	assert_null(mem_translate(&f->m, MEM_GPA, 0x7000000, &len));
}

static void test_mem_to_iov_single(void **state)
{
	struct fx *f = *state;
	struct iovec iov[4];

	assert_int_equal(mem_to_iov(&f->m, MEM_GPA, 0x10100, 0x200, iov, 4), 1);
	assert_ptr_equal(iov[0].iov_base, (uint8_t *)f->m.r[0].host + 0x100);
	assert_int_equal(iov[0].iov_len, 0x200);
	/* zero length: no iovecs, even at an unmapped address */
	assert_int_equal(mem_to_iov(&f->m, MEM_GPA, 0, 0, iov, 4), 0);
	/* runs off the end of the region into nothing */
	assert_int_equal(mem_to_iov(&f->m, MEM_GPA, 0x1fff0, 0x20, iov, 4),
			 -EFAULT);
	/* starts outside */
	assert_int_equal(mem_to_iov(&f->m, MEM_GPA, 0x8000, 0x10, iov, 4),
			 -EFAULT);
}

static void test_mem_to_iov_spans_adjacent_regions(void **state)
{
	struct fx *f = *state;
	struct vhost_user_region r2 = region(0x20000, 0x10000, 0x9000000, 0);
	int fd2 = gm_memfd(0x10000);
	uint8_t *drv2;
	struct iovec iov[4];
	char buf[32];

	assert_true(fd2 >= 0);
	drv2 = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	assert_true(drv2 != MAP_FAILED);
	assert_int_equal(mem_add(&f->m, &r2, fd2), 0);

	memcpy(f->drv + 0xfff0, "0123456789abcdef", 16);
	memcpy(drv2, "ghijklmnopqrstuv", 16);
	assert_int_equal(mem_to_iov(&f->m, MEM_GPA, 0x1fff0, 32, iov, 4), 2);
	assert_int_equal(iov[0].iov_len, 16);
	assert_int_equal(iov[1].iov_len, 16);
	memcpy(buf, iov[0].iov_base, 16);
	memcpy(buf + 16, iov[1].iov_base, 16);
	assert_memory_equal(buf, "0123456789abcdefghijklmnopqrstuv", 32);

	/* one iovec is not enough */
	assert_int_equal(mem_to_iov(&f->m, MEM_GPA, 0x1fff0, 32, iov, 1),
			 -ENOBUFS);
	/* adjacent in GPA space but not in UVA space: the UVA view has a
	 * hole after the first region */
	assert_int_equal(mem_to_iov(&f->m, MEM_UVA, 0x700fff0, 32, iov, 4),
			 -EFAULT);
	/* mem_contig refuses what is not in one region */
	assert_null(mem_contig(&f->m, MEM_GPA, 0x1fff0, 32));
	assert_non_null(mem_contig(&f->m, MEM_GPA, 0x1fff0, 16));
	assert_non_null(mem_contig(&f->m, MEM_GPA, 0x20000, 0x10000));

	munmap(drv2, 0x10000);
	close(fd2);
}

static void test_mem_wrapping_addresses(void **state)
{
	struct fx *f = *state;
	/* a region that ends exactly at the top of the address space */
	struct vhost_user_region top = region(UINT64_MAX - 0xffff, 0x10000,
					      0x8000000, 0);
	/* and one at 0, where a wrapped-around range would land */
	struct vhost_user_region zero = region(0, 0x1000, 0x9000000, 0);
	struct iovec iov[4];
	uint64_t len;
	int fd = gm_memfd(0x10000);

	assert_true(fd >= 0);
	assert_int_equal(mem_add(&f->m, &top, fd), 0);
	assert_int_equal(mem_add(&f->m, &zero, fd), 0);
	close(fd);

	len = 2;
	assert_non_null(mem_translate(&f->m, MEM_GPA, UINT64_MAX, &len));
	assert_int_equal(len, 1);
	/* the start is mapped but addr+len wraps to 0 */
	assert_int_equal(mem_to_iov(&f->m, MEM_GPA, UINT64_MAX - 0xf, 0x20,
				    iov, 4), -EFAULT);
	assert_null(mem_contig(&f->m, MEM_GPA, UINT64_MAX - 0xf, 0x20));
	assert_int_equal(mem_to_iov(&f->m, MEM_GPA, UINT64_MAX, UINT64_MAX,
				    iov, 4), -EFAULT);
	/* right up to the last byte is fine */
	assert_int_equal(mem_to_iov(&f->m, MEM_GPA, UINT64_MAX - 0xf, 0x10,
				    iov, 4), 1);
	assert_non_null(mem_contig(&f->m, MEM_GPA, UINT64_MAX - 0xf, 0x10));
}

/* ---- mem_add ---- */

static void test_mem_add_unaligned_offset(void **state)
{
	struct mem_table m;
	int fd = gm_memfd(3 * PG);
	uint8_t *drv;
	struct vhost_user_region r = region(0x100000, PG, 0x500000, 0x1234);
	uint64_t len = 4;
	uint8_t *p;

	memset(&m, 0, sizeof(m));
	assert_true(fd >= 0);
	drv = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(drv != MAP_FAILED);
	memcpy(drv + 0x1234, "abcd", 4);
	assert_int_equal(mem_add(&m, &r, fd), 0);
	/* the fd is not consumed: still open, and closing it keeps the map */
	assert_true(fcntl(fd, F_GETFD) >= 0);
	close(fd);
	p = mem_translate(&m, MEM_GPA, 0x100000, &len);
	assert_non_null(p);
	assert_int_equal(len, 4);
	assert_memory_equal(p, "abcd", 4);
	/* last byte of the region, at file offset 0x1234 + 0xfff */
	drv[0x1234 + PG - 1] = 0x5a;
	len = 1;
	p = mem_translate(&m, MEM_GPA, 0x100000 + PG - 1, &len);
	assert_non_null(p);
	assert_int_equal(*p, 0x5a);
	mem_clear(&m);
	munmap(drv, 3 * PG);
}

/* mem_add must fail with err and leave the table as it was */
static void expect_add_fails(struct fx *f, struct vhost_user_region r,
			     int fd, int err)
{
	static struct mem_table before;

	memcpy(&before, &f->m, sizeof(before));
	assert_int_equal(mem_add(&f->m, &r, fd), err);
	assert_int_equal(f->m.n, before.n);
	assert_memory_equal(before.r, f->m.r, sizeof(before.r));
}

static void test_mem_add_rejects_zero_size(void **state)
{
	struct fx *f = *state;

	expect_add_fails(f, region(0x100000, 0, 0x100000, 0), f->fd, -EINVAL);
}

static void test_mem_add_rejects_gpa_wrap(void **state)
{
	struct fx *f = *state;

	expect_add_fails(f, region(UINT64_MAX - 0xfff, 0x2000, 0x100000, 0),
			 f->fd, -EINVAL);
}

static void test_mem_add_rejects_uva_wrap(void **state)
{
	struct fx *f = *state;

	expect_add_fails(f, region(0x100000, 0x2000, UINT64_MAX - 0xfff, 0),
			 f->fd, -EINVAL);
}

static void test_mem_add_rejects_offset_wrap(void **state)
{
	struct fx *f = *state;

	expect_add_fails(f, region(0x100000, 0x2000, 0x100000,
				   UINT64_MAX - 0xfff), f->fd, -EINVAL);
}

static void test_mem_add_rejects_gpa_overlap(void **state)
{
	struct fx *f = *state;

	/* tail of the existing region [0x10000, 0x20000) */
	expect_add_fails(f, region(0x1f000, 0x2000, 0x100000, 0), f->fd,
			 -EEXIST);
	/* head */
	expect_add_fails(f, region(0xf000, 0x2000, 0x100000, 0), f->fd,
			 -EEXIST);
	/* enclosing */
	expect_add_fails(f, region(0x0, 0x100000, 0x100000, 0), f->fd,
			 -EEXIST);
}

static void test_mem_add_rejects_uva_overlap(void **state)
{
	struct fx *f = *state;

	/* existing uva range is [0x7000000, 0x7010000) */
	expect_add_fails(f, region(0x100000, 0x2000, 0x700f000, 0), f->fd,
			 -EEXIST);
	expect_add_fails(f, region(0x100000, 0x2000, 0x6fff000, 0), f->fd,
			 -EEXIST);
}

static void test_mem_add_rejects_short_file(void **state)
{
	struct fx *f = *state;

	/* the memfd is 0x10000 bytes long */
	expect_add_fails(f, region(0x100000, 0x10001, 0x100000, 0), f->fd,
			 -EINVAL);
	expect_add_fails(f, region(0x100000, 0x1000, 0x100000, 0xf001),
			 f->fd, -EINVAL);
}

/* A frontend cannot shrink the file under our mapping afterwards (that
 * would turn guest-memory reads into SIGBUS). */
static void test_mem_add_seals_file_against_shrinking(void **state)
{
	struct fx *f = *state;
	struct vhost_user_region r = region(0x100000, 0x10000, 0x100000, 0);

	assert_int_equal(mem_add(&f->m, &r, f->fd), 0);
	assert_true(fcntl(f->fd, F_GET_SEALS) & F_SEAL_SHRINK);
	assert_int_equal(ftruncate(f->fd, 0x1000), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ftruncate(f->fd, 0x20000), 0);   /* growing is fine */
}

static void test_mem_add_rejects_bad_fd(void **state)
{
	struct fx *f = *state;

	expect_add_fails(f, region(0x100000, 0x1000, 0x100000, 0), -1,
			 -EBADF);
}

static void test_mem_add_rejects_full_table(void **state)
{
	struct mem_table m;
	struct vhost_user_region r;
	int fd = gm_memfd((MEM_MAX_REGIONS + 1) * PG);
	unsigned i;

	memset(&m, 0, sizeof(m));
	assert_true(fd >= 0);
	for (i = 0; i < MEM_MAX_REGIONS; i++) {
		r = region(i * 2 * PG, PG, 0x1000000 + i * 2 * PG, i * PG);
		assert_int_equal(mem_add(&m, &r, fd), 0);
	}
	assert_int_equal(m.n, MEM_MAX_REGIONS);
	r = region(0x10000000, PG, 0x20000000, MEM_MAX_REGIONS * PG);
	assert_int_equal(mem_add(&m, &r, fd), -ENOSPC);
	assert_int_equal(m.n, MEM_MAX_REGIONS);
	/* after removing one there is room again */
	r = region(2 * PG, PG, 0x1000000 + 2 * PG, PG);
	assert_int_equal(mem_remove(&m, &r), 0);
	r = region(0x10000000, PG, 0x20000000, MEM_MAX_REGIONS * PG);
	assert_int_equal(mem_add(&m, &r, fd), 0);
	mem_clear(&m);
	close(fd);
}

/* ---- remove / clear ---- */

static void test_mem_remove(void **state)
{
	struct fx *f = *state;
	struct vhost_user_region r2 = region(0x40000, 0x4000, 0x9000000, 0);
	struct vhost_user_region r3 = region(0x80000, 0x4000, 0xa000000, 0);
	struct vhost_user_region first = region(0x10000, 0x10000, 0x7000000, 0);
	struct vhost_user_region wrong;
	uint64_t len;

	assert_int_equal(mem_add(&f->m, &r2, f->fd), 0);
	assert_int_equal(mem_add(&f->m, &r3, f->fd), 0);
	assert_int_equal(f->m.n, 3);

	/* gpa, size and uva must all match */
	wrong = first;
	wrong.memory_size = 0x8000;
	assert_int_equal(mem_remove(&f->m, &wrong), -ENOENT);
	wrong = first;
	wrong.userspace_addr = 0x7001000;
	assert_int_equal(mem_remove(&f->m, &wrong), -ENOENT);
	assert_int_equal(f->m.n, 3);

	assert_int_equal(mem_remove(&f->m, &first), 0);
	assert_int_equal(f->m.n, 2);
	len = 1;
	assert_null(mem_translate(&f->m, MEM_GPA, 0x10000, &len));
	/* the others still translate, to the right bytes */
	f->drv[0x10] = 0x77;
	len = 1;
	assert_int_equal(*(uint8_t *)mem_translate(&f->m, MEM_GPA, 0x40010,
						   &len), 0x77);
	len = 1;
	assert_int_equal(*(uint8_t *)mem_translate(&f->m, MEM_UVA, 0xa000010,
						   &len), 0x77);
	assert_int_equal(mem_remove(&f->m, &first), -ENOENT);
	/* the freed range can be added again */
	assert_int_equal(mem_add(&f->m, &first, f->fd), 0);
	assert_int_equal(f->m.n, 3);
}

static void test_mem_clear(void **state)
{
	struct fx *f = *state;
	struct vhost_user_region r2 = region(0x40000, 0x4000, 0x9000000, 0);
	uint64_t len = 1;

	assert_int_equal(mem_add(&f->m, &r2, f->fd), 0);
	mem_clear(&f->m);
	assert_int_equal(f->m.n, 0);
	assert_null(mem_translate(&f->m, MEM_GPA, 0x10000, &len));
	len = 1;
	assert_null(mem_translate(&f->m, MEM_GPA, 0x40000, &len));
	/* clearing twice is harmless */
	mem_clear(&f->m);
	assert_int_equal(f->m.n, 0);
}

/* A registered table whose file is truncated under it: the access that
 * faults completes on zero pages, the table is marked and the eventfd
 * signalled; the process lives on. */
static void test_mem_guard_truncated_file_replaced_not_fatal(void **state)
{
	struct mem_table m = { 0 };
	struct vhost_user_region reg = { .guest_phys_addr = 0x1000, .memory_size = 65536,
					 .userspace_addr = 0x7f0000000000ull };
	int fd = memfd_create("guard", MFD_CLOEXEC);   /* not sealable */
	int ev = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t len = 65536, v = 0;
	volatile uint8_t *p;

	assert_true(fd >= 0 && ev >= 0);
	assert_int_equal(ftruncate(fd, 65536), 0);
	assert_int_equal(mem_add(&m, &reg, fd), 0);
	assert_int_equal(mem_guard_add(&m, ev), 0);
	p = mem_translate(&m, MEM_GPA, 0x1000, &len);
	p[100] = 7;
	assert_false(mem_guard_lost(&m));
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(p[40000], 0);       /* faults: replaced, reads zero */
	p[50000] = 1;                        /* no second fault */
	assert_int_equal(p[50000], 1);
	assert_int_equal(read(ev, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 1);
	assert_true(mem_guard_lost(&m));
	assert_false(mem_guard_lost(&m));
	mem_guard_del(&m);
	mem_clear(&m);
	close(fd);
	close(ev);
}

/* A SIGBUS outside registered guest memory still ends the process. */
static void test_mem_guard_other_sigbus_still_fatal(void **state)
{
	struct mem_table m = { 0 };
	int ev = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int status = 0;
	pid_t pid;

	assert_int_equal(mem_guard_add(&m, ev), 0);   /* handler installed */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = memfd_create("other", MFD_CLOEXEC);
		volatile uint8_t *q;

		if (fd < 0 || ftruncate(fd, 4096) < 0)
			_exit(2);
		q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (q == MAP_FAILED || ftruncate(fd, 0) < 0)
			_exit(3);
		(void)q[0];
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGBUS);
	mem_guard_del(&m);
	close(ev);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mem_translate_inside),
		T(test_mem_translate_edges),
		T(test_mem_translate_outside),
		T(test_mem_to_iov_single),
		T(test_mem_to_iov_spans_adjacent_regions),
		T(test_mem_wrapping_addresses),
		cmocka_unit_test(test_mem_add_unaligned_offset),
		T(test_mem_add_rejects_zero_size),
		T(test_mem_add_rejects_gpa_wrap),
		T(test_mem_add_rejects_uva_wrap),
		T(test_mem_add_rejects_offset_wrap),
		T(test_mem_add_rejects_gpa_overlap),
		T(test_mem_add_rejects_uva_overlap),
		T(test_mem_add_rejects_short_file),
		T(test_mem_add_seals_file_against_shrinking),
		T(test_mem_add_rejects_bad_fd),
		cmocka_unit_test(test_mem_add_rejects_full_table),
		T(test_mem_remove),
		T(test_mem_clear),
		cmocka_unit_test(test_mem_guard_truncated_file_replaced_not_fatal),
		cmocka_unit_test(test_mem_guard_other_sigbus_still_fatal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
