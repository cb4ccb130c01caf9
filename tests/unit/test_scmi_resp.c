/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Unit tests for the SCMI response builder (struct resp and its put_*
 * helpers, src/devices/scmi_proto.h): what fits is written, a piece that
 * crosses the capacity is cut there, nothing is written past it, and the
 * logical length keeps counting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "devices/scmi_proto.h"

#define CANARY 0xa5

static void test_scmi_resp_fits(void **state)
{
	uint8_t buf[16];
	struct resp r = { buf, sizeof(buf), 0 };
	const uint8_t want[12] = { 0x44, 0x33, 0x22, 0x11, 0x08, 0x07, 0x06, 0x05,
				   0x04, 0x03, 0x02, 0x01 };

	memset(buf, CANARY, sizeof(buf));
	put32(&r, 0x11223344);
	put64(&r, 0x0102030405060708ull);
	assert_int_equal(r.len, 12);
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(buf[12], CANARY);
	assert_int_equal(resp_room(&r), 4);
}

static void test_scmi_resp_cut_at_cap(void **state)
{
	uint8_t buf[16];
	struct resp r = { buf, 6, 0 };

	memset(buf, CANARY, sizeof(buf));
	put32(&r, 0x11223344);
	/* crosses the capacity: its first two bytes are kept */
	put32(&r, 0x55667788);
	assert_int_equal(r.len, 8);
	assert_int_equal(buf[4], 0x88);
	assert_int_equal(buf[5], 0x77);
	assert_int_equal(buf[6], CANARY);
	/* past the capacity: counted, not written */
	put64(&r, ~0ull);
	put_name(&r, "name");
	assert_int_equal(r.len, 8 + 8 + SCMI_NAME_LEN);
	assert_int_equal(resp_room(&r), 0);
	for (size_t i = 6; i < sizeof(buf); i++)
		assert_int_equal(buf[i], CANARY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scmi_resp_fits),
		cmocka_unit_test(test_scmi_resp_cut_at_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
