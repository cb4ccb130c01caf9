/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-i2c's simulated chips beyond the first two: the 24c32
 * EEPROM (at24's 16-bit address path), the pca9555 I/O expander (as
 * gpio-pca953x drives it) and the ds1307 RTC (as rtc-ds1307 reads and
 * sets it), each through the transfers the Linux driver makes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "devices/i2c.h"

static struct i2c_bus bus;

static int64_t (*host_clock)(void);

static int teardown(void **state)
{
	i2c_bus_free(&bus);
	ds1307_host_time = host_clock;
	return 0;
}

static struct i2c_xmsg W(uint16_t addr, uint8_t *buf, uint16_t len)
{
	return (struct i2c_xmsg){ addr, false, len, buf };
}

static struct i2c_xmsg R(uint16_t addr, uint8_t *buf, uint16_t len)
{
	return (struct i2c_xmsg){ addr, true, len, buf };
}

static struct i2c_sim *sim(const char *spec, unsigned addr)
{
	char err[256];

	i2c_bus_free(&bus);
	assert_int_equal(i2c_bus_init(&bus, NULL, NULL), 0);
	if (i2c_bus_add_sim(&bus, spec, err, sizeof(err)))
		fail_msg("%s: %s", spec, err);
	assert_non_null(i2c_bus_sim(&bus, addr));
	return i2c_bus_sim(&bus, addr);
}

/* write [b0..bn) in one message */
static int wr(uint16_t addr, const char *b, unsigned n)
{
	uint8_t c[80];
	struct i2c_xmsg m[1] = { W(addr, c, (uint16_t)n) };

	memcpy(c, b, n);
	return i2c_bus_xfer(&bus, m, 1);
}

/* write [a0..an) then, after a repeated START, read n bytes */
static int wr_rd(uint16_t addr, const char *a, unsigned an, uint8_t *out, unsigned n)
{
	uint8_t c[4];
	struct i2c_xmsg m[2] = { W(addr, c, (uint16_t)an), R(addr, out, (uint16_t)n) };

	memcpy(c, a, an);
	return i2c_bus_xfer(&bus, m, 2);
}

static void test_i2c_models_spec_parsing(void **state)
{
	char err[256];
	struct {
		const char *spec, *needle;
	} bad[] = {
		{ "24c32@0x51,size=8", "'size=8'" },
		{ "pca9555@0x21,inputs=0x10000", "bad input levels '0x10000'" },
		{ "pca9555@0x21,inputs=-1", "bad input levels '-1'" },
		{ "pca9555@0x21,inputs=", "'inputs='" },
		{ "pca9555@0x21,file=x", "'file=x'" },
		{ "ds1307@0x69,offset=1e3", "bad offset '1e3'" },
		{ "ds1307@0x69,offset=4000000000", "bad offset '4000000000'" },
		{ "ds1307@0x69,temp=1", "'temp=1'" },
	};

	i2c_bus_free(&bus);
	assert_int_equal(i2c_bus_init(&bus, NULL, NULL), 0);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(i2c_bus_add_sim(&bus, bad[i].spec, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].needle))
			fail_msg("'%s': got '%s', want '%s'", bad[i].spec, err, bad[i].needle);
	}
	assert_int_equal(i2c_bus_add_sim(&bus, "24c32@0x57", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "pca9555@0x20,inputs=0x00ff", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "ds1307@0x68,offset=-60", err, sizeof(err)), 0);
	assert_true(i2c_sim_is(i2c_bus_sim(&bus, 0x57), "24c32"));
	assert_true(i2c_sim_is(i2c_bus_sim(&bus, 0x20), "pca9555"));
	assert_true(i2c_sim_is(i2c_bus_sim(&bus, 0x68), "ds1307"));
	assert_null(i2c_bus_sim(&bus, 0x50));
	assert_null(i2c_bus_sim(&bus, 200));
}

/* ---------------------------------------------------------------- 24c32 */

/* at24 with AT24_FLAG_ADDR16 and no pagesize property writes one byte per
 * message (hi, lo, data) and reads with (hi, lo) then a read */
static void test_i2c_24c32_two_byte_address(void **state)
{
	uint8_t d[8];

	sim("24c32@0x50", 0x50);
	assert_int_equal(wr_rd(0x50, "\x0a\xbc", 2, d, 2), 0);
	assert_memory_equal(d, "\xff\xff", 2);            /* erased */
	assert_int_equal(wr(0x50, "\x0a\xbc\x5a", 3), 0);
	assert_int_equal(wr(0x50, "\x0a\xbd\xa5", 3), 0);
	assert_int_equal(wr_rd(0x50, "\x0a\xbc", 2, d, 2), 0);
	assert_memory_equal(d, "\x5a\xa5", 2);
	/* the low byte alone does not address 0xbc: 0x00bc is another cell */
	assert_int_equal(wr_rd(0x50, "\x00\xbc", 2, d, 1), 0);
	assert_int_equal(d[0], 0xff);
	/* address bits above the 4 KiB array are ignored, as on the part */
	assert_int_equal(wr_rd(0x50, "\xfa\xbc", 2, d, 1), 0);
	assert_int_equal(d[0], 0x5a);
}

static void test_i2c_24c32_page_and_rollover(void **state)
{
	uint8_t d[40];

	sim("24c32@0x50", 0x50);
	/* 32-byte pages: from 0x001e, two bytes then a wrap to 0x0000 */
	assert_int_equal(wr(0x50, "\x00\x1e" "ABCD", 6), 0);
	assert_int_equal(wr_rd(0x50, "\x00\x00", 2, d, 32), 0);
	assert_memory_equal(d, "CD\xff", 3);
	assert_memory_equal(d + 30, "AB", 2);
	assert_int_equal(wr_rd(0x50, "\x00\x20", 2, d, 1), 0);
	assert_int_equal(d[0], 0xff);                    /* next page untouched */
	/* a sequential read rolls over from 0x0fff to 0x0000 */
	assert_int_equal(wr(0x50, "\x0f\xff" "Z", 3), 0);
	assert_int_equal(wr_rd(0x50, "\x0f\xff", 2, d, 2), 0);
	assert_memory_equal(d, "ZC", 2);
	/* a write cut after one address byte stores nothing */
	assert_int_equal(wr(0x50, "\x00", 1), 0);
	assert_int_equal(wr_rd(0x50, "\x00\x00", 2, d, 1), 0);
	assert_int_equal(d[0], 'C');
}

/* ---------------------------------------------------------------- pca9555 */

static uint16_t pca_read2(uint8_t reg)
{
	uint8_t d[2], c = reg;

	assert_int_equal(wr_rd(0x20, (const char *)&c, 1, d, 2), 0);
	return (uint16_t)(d[0] | d[1] << 8);
}

static void test_i2c_pca9555_power_on_and_pairs(void **state)
{
	uint8_t d[5];

	sim("pca9555@0x20", 0x20);
	/* as gpio-pca953x reads them: two bytes from the pair's port 0 */
	assert_int_equal(pca_read2(0), 0xffff);           /* pulled up */
	assert_int_equal(pca_read2(2), 0xffff);           /* outputs high */
	assert_int_equal(pca_read2(4), 0x0000);           /* no inversion */
	assert_int_equal(pca_read2(6), 0xffff);           /* all inputs */
	/* a read alternates inside the pair, from the register named */
	assert_int_equal(wr(0x20, "\x02\x12\x34", 3), 0);
	assert_int_equal(wr_rd(0x20, "\x03", 1, d, 5), 0);
	assert_memory_equal(d, "\x34\x12\x34\x12\x34", 5);
	/* a write starting at port 1 goes on to port 0 */
	assert_int_equal(wr(0x20, "\x07\xaa\x55", 3), 0);
	assert_int_equal(pca_read2(6), 0xaa55);
	/* a plain read starts again at the last command byte (6) */
	{
		struct i2c_xmsg m[1] = { R(0x20, d, 3) };

		assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
		assert_memory_equal(d, "\x55\xaa\x55", 3);
	}
	/* command bits above 2:0 select nothing more */
	assert_int_equal(pca_read2(0x0e), 0xaa55);
	/* the input registers are read-only */
	assert_int_equal(wr(0x20, "\x00\x00\x00", 3), 0);
	assert_int_equal(wr(0x20, "\x06\xff\xff", 3), 0);
	assert_int_equal(pca_read2(0), 0xffff);
}

static void test_i2c_pca9555_inputs_outputs_polarity(void **state)
{
	struct i2c_sim *s = sim("pca9555@0x20,inputs=0x0f0f", 0x20);

	assert_int_equal(pca_read2(0), 0x0f0f);
	/* levels set from outside show on input pins */
	pca9555_set_inputs(s, 0x8001, 0x8000);
	assert_int_equal(pca_read2(0), 0x8f0e);
	/* pins 0-7 made outputs, driven 0xa5: they read the output level */
	assert_int_equal(wr(0x20, "\x02\xa5\x00", 3), 0);
	assert_int_equal(wr(0x20, "\x06\x00\xff", 3), 0);
	assert_int_equal(pca9555_config(s), 0xff00);
	assert_int_equal(pca_read2(0), 0x8fa5);
	assert_int_equal(pca9555_levels(s), 0x8fa5);
	pca9555_set_inputs(s, 0xffff, 0x0000);            /* outputs keep theirs */
	assert_int_equal(pca_read2(0), 0x00a5);
	/* polarity inversion applies to the input register only */
	assert_int_equal(wr(0x20, "\x04\x0f\xf0", 3), 0);
	assert_int_equal(pca_read2(0), 0xf0aa);
	assert_int_equal(pca_read2(2), 0x00a5);
	assert_int_equal(pca9555_levels(s), 0x00a5);
	/* back to inputs: the level from outside again */
	assert_int_equal(wr(0x20, "\x06\xff", 2), 0);
	assert_int_equal(pca9555_levels(s), 0x0000);
}

/* ---------------------------------------------------------------- ds1307 */

static int64_t fake_now;

static int64_t fake_time(void)
{
	return fake_now;
}

/* 2026-12-04 22:10:30 UTC, a Friday */
#define T0 1796422230LL

static void rtc_regs(uint8_t *r)
{
	assert_int_equal(wr_rd(0x68, "\x00", 1, r, 8), 0);
}

static void test_i2c_ds1307_reads_host_time_plus_offset(void **state)
{
	uint8_t r[8];

	ds1307_host_time = fake_time;
	fake_now = T0;
	sim("ds1307@0x68", 0x68);
	rtc_regs(r);
	/* sec min hour(24h) wday(Fri = 6) date month year ctrl */
	assert_memory_equal(r, "\x30\x10\x22\x06\x04\x12\x26\x00", 8);
	fake_now = T0 + 7200 + 45;                        /* it follows the host */
	rtc_regs(r);
	assert_memory_equal(r, "\x15\x11\x00\x07\x05\x12\x26", 7);
	sim("ds1307@0x68,offset=-86400", 0x68);
	fake_now = T0;
	rtc_regs(r);
	assert_memory_equal(r, "\x30\x10\x22\x05\x03\x12\x26", 7);
}

static void test_i2c_ds1307_set_time_as_the_driver(void **state)
{
	struct i2c_sim *s;
	uint8_t r[8];

	ds1307_host_time = fake_time;
	fake_now = T0;
	s = sim("ds1307@0x68", 0x68);
	/* ds1307_set_time: one write of reg 0 and seven BCD registers:
	 * 2031-02-28 23:59:58, wday Fri (tm_wday 5 + 1) */
	assert_int_equal(wr(0x68, "\x00\x58\x59\x23\x06\x28\x02\x31", 8), 0);
	assert_int_equal(ds1307_time(s), 1930089598LL);
	fake_now = T0 + 3;                                 /* three seconds on */
	rtc_regs(r);
	assert_memory_equal(r, "\x01\x00\x00\x07\x01\x03\x31", 7);
	assert_int_equal(ds1307_time(s), 1930089601LL);
	/* a weekday that disagrees with the date counts on by itself */
	assert_int_equal(wr(0x68, "\x03\x02", 2), 0);
	rtc_regs(r);
	assert_int_equal(r[3], 2);
	fake_now += 86400;
	rtc_regs(r);
	assert_int_equal(r[3], 3);
	assert_int_equal(r[4], 0x02);
}

static void test_i2c_ds1307_clock_halt(void **state)
{
	struct i2c_sim *s;
	uint8_t r[8];

	ds1307_host_time = fake_time;
	fake_now = T0;
	s = sim("ds1307@0x68", 0x68);
	/* CH set: the clock stands, and reads back with CH */
	assert_int_equal(wr(0x68, "\x00\x80", 2), 0);
	fake_now += 100;
	rtc_regs(r);
	assert_memory_equal(r, "\x80\x10\x22", 3);
	assert_int_equal(ds1307_time(s), T0 - 30);
	/* the probe's fix: seconds register 0 starts it from there */
	assert_int_equal(wr(0x68, "\x00\x00", 2), 0);
	fake_now += 5;
	rtc_regs(r);
	assert_memory_equal(r, "\x05\x10\x22", 3);
}

static void test_i2c_ds1307_12_hour_mode(void **state)
{
	uint8_t r[8];

	ds1307_host_time = fake_time;
	fake_now = T0;
	sim("ds1307@0x68", 0x68);
	/* 10 PM in 12-hour mode: bit 6, bit 5 (PM), BCD 10 */
	assert_int_equal(wr(0x68, "\x02\x70", 2), 0);
	rtc_regs(r);
	assert_int_equal(r[2], 0x70);
	fake_now += 2 * 3600;                              /* 12 AM */
	rtc_regs(r);
	assert_int_equal(r[2], 0x52);
	/* the driver's probe rewrites it in 24-hour mode */
	assert_int_equal(wr(0x68, "\x02\x00", 2), 0);
	rtc_regs(r);
	assert_int_equal(r[2], 0x00);
}

static void test_i2c_ds1307_nvram_control_and_pointer(void **state)
{
	uint8_t r[60];

	ds1307_host_time = fake_time;
	fake_now = T0;
	sim("ds1307@0x68", 0x68);
	/* NVRAM as the driver's nvmem: bulk at 0x08 + offset */
	assert_int_equal(wr(0x68, "\x08hello", 6), 0);
	assert_int_equal(wr(0x68, "\x3ezz", 3), 0);         /* 0x3e, 0x3f */
	assert_int_equal(wr_rd(0x68, "\x08", 1, r, 5), 0);
	assert_memory_equal(r, "hello", 5);
	/* the pointer wraps from 0x3f to 0x00 */
	assert_int_equal(wr_rd(0x68, "\x3e", 1, r, 3), 0);
	assert_memory_equal(r, "zz\x30", 3);
	/* control keeps OUT, SQWE, RS1, RS0 only */
	assert_int_equal(wr(0x68, "\x07\xff", 2), 0);
	assert_int_equal(wr_rd(0x68, "\x07", 1, r, 1), 0);
	assert_int_equal(r[0], 0x93);
	/* writing the control register and NVRAM leaves the time alone */
	rtc_regs(r);
	assert_memory_equal(r, "\x30\x10\x22", 3);
}

/* without a stand-in the clock is the host's CLOCK_REALTIME */
static void test_i2c_ds1307_default_clock_is_the_hosts(void **state)
{
	struct timespec a, b;
	struct i2c_sim *s = sim("ds1307@0x68,offset=3600", 0x68);
	int64_t t;

	clock_gettime(CLOCK_REALTIME, &a);
	t = ds1307_time(s);
	clock_gettime(CLOCK_REALTIME, &b);
	assert_true(t >= a.tv_sec + 3600 && t <= b.tv_sec + 3600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_teardown(f, teardown)
		T(test_i2c_models_spec_parsing),
		T(test_i2c_24c32_two_byte_address),
		T(test_i2c_24c32_page_and_rollover),
		T(test_i2c_pca9555_power_on_and_pairs),
		T(test_i2c_pca9555_inputs_outputs_polarity),
		T(test_i2c_ds1307_reads_host_time_plus_offset),
		T(test_i2c_ds1307_set_time_as_the_driver),
		T(test_i2c_ds1307_clock_halt),
		T(test_i2c_ds1307_12_hour_mode),
		T(test_i2c_ds1307_nvram_control_and_pointer),
		T(test_i2c_ds1307_default_clock_is_the_hosts),
	};

	host_clock = ds1307_host_time;

	return cmocka_run_group_tests(tests, NULL, NULL);
}
