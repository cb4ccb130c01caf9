/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-i2c's simulated peripherals: --sim parsing, the 24c02
 * EEPROM (page writes, reads, the image file) and the lm75, and a
 * transaction over two of them; none of it reaches a host adapter. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "devices/i2c.h"

/* host adapters: any call is counted (there must be none) */
static unsigned host_calls;

static int h_open(void *ctx, unsigned bus) { host_calls++; return -ENODEV; }
static void h_close(void *ctx, int fd) { host_calls++; }
static int h_funcs(void *ctx, int fd, unsigned long *f) { host_calls++; return -ENODEV; }
static int h_rdwr(void *ctx, int fd, struct i2c_msg *m, unsigned n) { host_calls++; return -EIO; }
static int h_slave(void *ctx, int fd, uint16_t a) { host_calls++; return -EIO; }
static int h_smbus(void *ctx, int fd, uint8_t rw, uint8_t cmd, uint32_t size,
		   union i2c_smbus_data *d) { host_calls++; return -EIO; }

static const struct i2c_host_ops no_host_ops = {
	h_open, h_close, h_funcs, h_rdwr, h_slave, h_smbus,
};

static struct i2c_bus bus;

static int teardown(void **state)
{
	i2c_bus_free(&bus);
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

/* ---------------------------------------------------------------- --sim */

static void sim_bus(void)
{
	i2c_bus_free(&bus);
	host_calls = 0;
	assert_int_equal(i2c_bus_init(&bus, &no_host_ops, NULL), 0);
}

static void test_i2c_sim_spec_parsing(void **state)
{
	char err[256];
	struct {
		const char *spec, *needle;
	} bad[] = {
		{ "24c02", "MODEL@ADDR" },
		{ "24c04@0x50", "unknown model '24c04'" },
		{ "24c02@0x90", "bad address '0x90'" },
		{ "24c02@", "bad address ''" },
		{ "24c02@0x51,size=3", "'size=3'" },
		{ "24c02@0x51,file=", "'file='" },
		{ "lm75@0x49,temp=200", "bad temperature '200'" },
		{ "lm75@0x49,temp=abc", "bad temperature" },
		{ "lm75@0x49,file=/tmp/x", "'file=/tmp/x'" },
		{ "lm75@0x20", "0x20 is already in use" },
	};

	sim_bus();
	assert_int_equal(i2c_parse_device_list(&bus, "1:32", "/nonexistent", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "24c02@0x50", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "lm75@72,temp=-10.5", err, sizeof(err)), 0);
	assert_int_equal(bus.map[0x50].kind, I2C_T_SIM);
	assert_int_equal(bus.map[0x48].kind, I2C_T_SIM);
	assert_int_equal(i2c_bus_add_sim(&bus, "lm75@0x50", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0x50 is already in use"));
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(i2c_bus_add_sim(&bus, bad[i].spec, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].needle))
			fail_msg("'%s': got '%s', want '%s'", bad[i].spec, err, bad[i].needle);
	}
	/* -l after --sim: the address is taken */
	assert_int_equal(i2c_parse_device_list(&bus, "1:0x48", "/nonexistent", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "appears twice"));
}

/* ---------------------------------------------------------------- 24c02 */

static int ee_write(uint8_t word, const uint8_t *data, unsigned n)
{
	uint8_t b[1 + 64];
	struct i2c_xmsg m[1] = { W(0x50, b, (uint16_t)(1 + n)) };

	b[0] = word;
	memcpy(b + 1, data, n);
	return i2c_bus_xfer(&bus, m, 1);
}

static int ee_read(uint8_t word, uint8_t *out, unsigned n)
{
	uint8_t w[1] = { word };
	struct i2c_xmsg m[2] = { W(0x50, w, 1), R(0x50, out, (uint16_t)n) };

	return i2c_bus_xfer(&bus, m, 2);
}

static void ee_bus(const char *spec)
{
	char err[256];

	sim_bus();
	if (i2c_bus_add_sim(&bus, spec, err, sizeof(err)))
		fail_msg("%s: %s", spec, err);
}

static void test_i2c_at24_byte_write_random_and_current_read(void **state)
{
	uint8_t d[4];
	struct i2c_xmsg m[1] = { R(0x50, d, 2) };

	ee_bus("24c02@0x50");
	assert_int_equal(ee_read(0x10, d, 1), 0);
	assert_int_equal(d[0], 0xff);                    /* erased */
	assert_int_equal(ee_write(0x10, (const uint8_t *)"\x42", 1), 0);
	assert_int_equal(ee_read(0x10, d, 1), 0);
	assert_int_equal(d[0], 0x42);
	/* current address read continues after the last byte read */
	assert_int_equal(ee_write(0x11, (const uint8_t *)"\x43\x44", 2), 0);
	assert_int_equal(ee_read(0x10, d, 1), 0);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_memory_equal(d, "\x43\x44", 2);
	/* zero-length probes are acknowledged and change nothing */
	m[0] = W(0x50, NULL, 0);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	m[0] = R(0x50, NULL, 0);
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_int_equal(ee_read(0x10, d, 3), 0);
	assert_memory_equal(d, "\x42\x43\x44", 3);
}

static void test_i2c_at24_page_write_wraps_in_page(void **state)
{
	uint8_t d[16], exp[16];

	ee_bus("24c02@0x50");
	/* 6 bytes from 0x0d: 0x0d,0x0e,0x0f then wrap to 0x08,0x09,0x0a */
	assert_int_equal(ee_write(0x0d, (const uint8_t *)"\x01\x02\x03\x04\x05\x06", 6), 0);
	assert_int_equal(ee_read(0x08, d, 8), 0);
	memcpy(exp, "\x04\x05\x06\xff\xff\x01\x02\x03", 8);
	assert_memory_equal(d, exp, 8);
	assert_int_equal(ee_read(0x10, d, 1), 0);
	assert_int_equal(d[0], 0xff);                    /* next page untouched */
	/* a full page; more than a page overwrites its start */
	assert_int_equal(ee_write(0x20, (const uint8_t *)"ABCDEFGHIJ", 10), 0);
	assert_int_equal(ee_read(0x20, d, 9), 0);
	assert_memory_equal(d, "IJCDEFGH\xff", 9);
}

static void test_i2c_at24_sequential_read_rolls_over(void **state)
{
	uint8_t d[4];

	ee_bus("24c02@0x50");
	assert_int_equal(ee_write(0xfe, (const uint8_t *)"\xaa\xbb", 2), 0);
	assert_int_equal(ee_write(0x00, (const uint8_t *)"\xcc", 1), 0);
	assert_int_equal(ee_read(0xfe, d, 3), 0);
	assert_memory_equal(d, "\xaa\xbb\xcc", 3);
}

static void test_i2c_at24_repeated_start_aborts_write(void **state)
{
	uint8_t w[3] = { 0x30, 0x11, 0x22 }, d[2];
	struct i2c_xmsg m[2] = { W(0x50, w, 3), R(0x50, d, 2) };

	ee_bus("24c02@0x50");
	assert_int_equal(i2c_bus_xfer(&bus, m, 2), 0);
	assert_int_equal(ee_read(0x30, d, 2), 0);
	assert_memory_equal(d, "\xff\xff", 2);
}

static char eefile[128];

static void read_file(const char *path, uint8_t *buf, size_t n, size_t *got)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	*got = (size_t)read(fd, buf, n);
	close(fd);
}

static void test_i2c_at24_file_persistence(void **state)
{
	char dir[] = "/tmp/vdi2c-ee.XXXXXX", spec[200], tmp[160];
	uint8_t img[300], d[3];
	size_t got;
	char err[256];

	assert_non_null(mkdtemp(dir));
	snprintf(eefile, sizeof(eefile), "%s/ee.bin", dir);
	snprintf(spec, sizeof(spec), "24c02@0x50,file=%s", eefile);
	ee_bus(spec);
	read_file(eefile, img, sizeof(img), &got);       /* created, erased */
	assert_int_equal(got, 256);
	assert_int_equal(img[0], 0xff);
	assert_int_equal(img[255], 0xff);
	assert_int_equal(ee_write(0x40, (const uint8_t *)"xyz", 3), 0);
	read_file(eefile, img, sizeof(img), &got);
	assert_int_equal(got, 256);
	assert_memory_equal(img + 0x40, "xyz", 3);
	snprintf(tmp, sizeof(tmp), "%s.tmp", eefile);
	assert_int_equal(access(tmp, F_OK), -1);          /* no temp file left */

	/* a restart loads the contents */
	ee_bus(spec);
	assert_int_equal(ee_read(0x40, d, 3), 0);
	assert_memory_equal(d, "xyz", 3);

	/* saving fails: the write fails and the contents stay as they were */
	unlink(eefile);
	assert_int_equal(rmdir(dir), 0);
	assert_int_not_equal(ee_write(0x40, (const uint8_t *)"QQQ", 3), 0);
	assert_int_equal(ee_read(0x40, d, 3), 0);
	assert_memory_equal(d, "xyz", 3);

	/* an image of the wrong size is refused at start */
	assert_int_equal(mkdir(dir, 0700), 0);
	{
		FILE *f = fopen(eefile, "w");

		assert_non_null(f);
		fputs("short", f);
		fclose(f);
	}
	sim_bus();
	assert_int_equal(i2c_bus_add_sim(&bus, spec, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "256-byte"));
	unlink(eefile);
	rmdir(dir);
}

/* ---------------------------------------------------------------- lm75 */

static int lm_read(uint8_t reg, uint8_t *out, unsigned n)
{
	uint8_t w[1] = { reg };
	struct i2c_xmsg m[2] = { W(0x48, w, 1), R(0x48, out, (uint16_t)n) };

	return i2c_bus_xfer(&bus, m, 2);
}

static int lm_write(const uint8_t *b, unsigned n)
{
	uint8_t c[4];
	struct i2c_xmsg m[1] = { W(0x48, c, (uint16_t)n) };

	memcpy(c, b, n);
	return i2c_bus_xfer(&bus, m, 1);
}

static void test_i2c_lm75_registers(void **state)
{
	uint8_t d[4];
	char err[256];
	struct i2c_xmsg m[1] = { R(0x48, d, 2) };

	sim_bus();
	assert_int_equal(i2c_bus_add_sim(&bus, "lm75@0x48", err, sizeof(err)), 0);
	assert_int_equal(lm_read(0, d, 2), 0);
	assert_memory_equal(d, "\x17\x80", 2);            /* 23.5 C */
	/* the pointer stays: a plain read returns the temperature again */
	assert_int_equal(i2c_bus_xfer(&bus, m, 1), 0);
	assert_memory_equal(d, "\x17\x80", 2);
	assert_int_equal(lm_read(2, d, 2), 0);
	assert_memory_equal(d, "\x4b\x00", 2);            /* Thyst 75 C */
	assert_int_equal(lm_read(3, d, 2), 0);
	assert_memory_equal(d, "\x50\x00", 2);            /* Tos 80 C */
	assert_int_equal(lm_read(1, d, 1), 0);
	assert_int_equal(d[0], 0);
	/* config and limits are writable, 9-bit; the temperature is not */
	assert_int_equal(lm_write((const uint8_t *)"\x01\x19", 2), 0);
	assert_int_equal(lm_read(1, d, 2), 0);
	assert_memory_equal(d, "\x19\x19", 2);
	assert_int_equal(lm_write((const uint8_t *)"\x03\x5a\xff", 3), 0);
	assert_int_equal(lm_read(3, d, 2), 0);
	assert_memory_equal(d, "\x5a\x80", 2);
	assert_int_equal(lm_write((const uint8_t *)"\x00\x01\x02", 3), 0);
	assert_int_equal(lm_read(0, d, 4), 0);
	assert_memory_equal(d, "\x17\x80\x17\x80", 4);
	/* pointer bits above P1..P0 are ignored */
	assert_int_equal(lm_read(0xfe, d, 2), 0);
	assert_memory_equal(d, "\x4b\x00", 2);

	sim_bus();
	assert_int_equal(i2c_bus_add_sim(&bus, "lm75@0x48,temp=-10.5", err, sizeof(err)), 0);
	assert_int_equal(lm_read(0, d, 2), 0);
	assert_memory_equal(d, "\xf5\x80", 2);            /* -10.5 C */
}

static void test_i2c_sim_transaction_over_two_devices(void **state)
{
	uint8_t w[1] = { 0 }, d1[2], d2[2];
	struct i2c_xmsg m[4];
	char err[256];

	sim_bus();
	assert_int_equal(i2c_bus_add_sim(&bus, "24c02@0x50", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "lm75@0x48", err, sizeof(err)), 0);
	assert_int_equal(ee_write(0x00, (const uint8_t *)"\x01\x02", 2), 0);
	m[0] = W(0x50, w, 1);
	m[1] = R(0x50, d1, 2);
	m[2] = W(0x48, w, 1);
	m[3] = R(0x48, d2, 2);
	assert_int_equal(i2c_bus_xfer(&bus, m, 4), 0);
	assert_memory_equal(d1, "\x01\x02", 2);
	assert_memory_equal(d2, "\x17\x80", 2);
	assert_int_equal(host_calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_teardown(f, teardown)
		T(test_i2c_sim_spec_parsing),
		T(test_i2c_at24_byte_write_random_and_current_read),
		T(test_i2c_at24_page_write_wraps_in_page),
		T(test_i2c_at24_sequential_read_rolls_over),
		T(test_i2c_at24_repeated_start_aborts_write),
		T(test_i2c_at24_file_persistence),
		T(test_i2c_lm75_registers),
		T(test_i2c_sim_transaction_over_two_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
