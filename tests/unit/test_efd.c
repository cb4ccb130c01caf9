/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Frontend fds that must never block us (src/vhost/efd.h): reads and
 * signals on descriptors whose O_NONBLOCK flag the frontend cleared, an
 * eventfd counter at its maximum, fds that are not eventfds.  A blocking
 * call would hang the test: an alarm ends it (as a failure) instead. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <cmocka.h>

#include "common/log.h"
#include "vhost/efd.h"

#define SAFETY_S 30   /* not a timing assertion: only ends a hung test */

/* the kernel AIO these signals need is there (else the daemon warns) */
static void test_efd_aio_available(void **state)
{
	assert_true(efd_init());
}

static void test_efd_read_empty_blocking_fd_returns_eagain(void **state)
{
	int e = eventfd(0, EFD_CLOEXEC);     /* no O_NONBLOCK */
	int p[2];
	uint64_t v;

	assert_true(e >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	alarm(SAFETY_S);
	assert_int_equal(efd_read(e, &v, sizeof(v)), -EAGAIN);
	assert_int_equal(efd_read(p[0], &v, sizeof(v)), -EAGAIN);
	close(p[1]);
	assert_int_equal(efd_read(p[0], &v, sizeof(v)), 0);   /* end of file */
	alarm(0);
	close(e);
	close(p[0]);
}

static void test_efd_signal_full_blocking_eventfd_saturates(void **state)
{
	int e = eventfd(0, EFD_CLOEXEC);
	uint64_t v = 0xfffffffffffffffeull;

	assert_true(e >= 0);
	assert_int_equal(write(e, &v, sizeof(v)), sizeof(v));
	alarm(SAFETY_S);
	/* more than the completions the kernel holds: reaped on the way */
	for (unsigned i = 0; i < 1000; i++)
		assert_int_equal(efd_signal(e), 0);
	alarm(0);
	assert_int_equal(read(e, &v, sizeof(v)), sizeof(v));
	assert_true(v >= 0xfffffffffffffffeull);
	assert_int_equal(efd_signal(e), 0);
	assert_int_equal(read(e, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 1);
	close(e);
}

static void test_efd_check_accepts_only_eventfds(void **state)
{
	int e = eventfd(0, EFD_CLOEXEC);
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(efd_check(e), 0);
	assert_int_equal(efd_check(p[0]), -EINVAL);
	assert_int_equal(efd_check(p[1]), -EINVAL);
	close(e);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_efd_aio_available),
		cmocka_unit_test(test_efd_read_empty_blocking_fd_returns_eagain),
		cmocka_unit_test(test_efd_signal_full_blocking_eventfd_saturates),
		cmocka_unit_test(test_efd_check_accepts_only_eventfds),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
