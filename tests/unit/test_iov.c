/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Bounded copies between buffers and iovec arrays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/iov.h"

static char a[4], b[3], c[5];
static struct iovec iov[3] = { { a, 4 }, { b, 3 }, { c, 5 } };

static void test_iov_to_buf_across_pieces_with_offset(void **state)
{
	char out[16] = { 0 };

	memcpy(a, "abcd", 4);
	memcpy(b, "efg", 3);
	memcpy(c, "hijkl", 5);
	assert_int_equal(iov_to_buf(iov, 3, 2, out, 7), 7);
	assert_memory_equal(out, "cdefghi", 7);
	/* short when the iovecs end first; never reads past them */
	assert_int_equal(iov_to_buf(iov, 3, 10, out, 16), 2);
	assert_memory_equal(out, "kl", 2);
	assert_int_equal(iov_to_buf(iov, 3, 12, out, 16), 0);
	assert_int_equal(iov_to_buf(iov, 3, 100, out, 16), 0);
	assert_int_equal(iov_to_buf(iov, 0, 0, out, 16), 0);
}

static void test_iov_from_buf_never_writes_past_end(void **state)
{
	memset(a, '.', 4);
	memset(b, '.', 3);
	memset(c, '.', 5);
	assert_int_equal(iov_from_buf(iov, 3, 3, "0123456789ABCDEF", 16), 9);
	assert_memory_equal(a, "...0", 4);
	assert_memory_equal(b, "123", 3);
	assert_memory_equal(c, "45678", 5);
	/* only the first two pieces */
	assert_int_equal(iov_from_buf(iov, 2, 0, "zzzzzzzzzz", 10), 7);
	assert_memory_equal(c, "45678", 5);
}

static void test_iov_memset_and_size(void **state)
{
	assert_int_equal(iov_memset(iov, 3, 1, 'x', 5), 5);
	assert_memory_equal(a + 1, "xxx", 3);
	assert_memory_equal(b, "xx", 2);
	assert_int_equal(iov_size(iov, 3), 12);
	assert_int_equal(iov_size(iov, 0), 0);
	struct iovec huge[2] = { { a, SIZE_MAX - 1 }, { b, 5 } };
	assert_int_equal(iov_size(huge, 2), SIZE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iov_to_buf_across_pieces_with_offset),
		cmocka_unit_test(test_iov_from_buf_never_writes_past_end),
		cmocka_unit_test(test_iov_memset_and_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
