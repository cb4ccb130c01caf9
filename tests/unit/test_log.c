/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The rate limiter every peer-triggered log line goes through: at most
 * LOG_RATE_BURST lines per site and LOG_RATE_TOTAL from all sites in one
 * interval.  Everything here happens well inside one interval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/log.h"

static unsigned allowed(struct log_ratelimit *rl, unsigned calls)
{
	unsigned n = 0;

	for (unsigned i = 0; i < calls; i++)
		n += log_ratelimit_ok(rl);
	return n;
}

static void test_log_ratelimit_per_site_and_in_total(void **state)
{
	struct log_ratelimit site[1 + LOG_RATE_TOTAL] = { { 0 } };
	unsigned total;

	/* one site: its burst, then nothing */
	assert_int_equal(allowed(&site[0], 10 * LOG_RATE_BURST), LOG_RATE_BURST);
	assert_int_equal(site[0].suppressed, 9 * LOG_RATE_BURST);
	/* many sites: together no more than the total */
	total = LOG_RATE_BURST;
	for (unsigned i = 1; i <= LOG_RATE_TOTAL; i++)
		total += allowed(&site[i], LOG_RATE_BURST);
	assert_int_equal(total, LOG_RATE_TOTAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_ratelimit_per_site_and_in_total),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
