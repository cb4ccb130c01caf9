/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The upstream --device-list syntax (src/devices/i2c_list.c): adapter
 * numbers and names (a fake sysfs tree), addresses, and errors that name
 * the bad part. */
#include <errno.h>
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

static struct i2c_bus bus;
static char sysdir[64];    /* a fake /sys/bus/i2c/devices (group setup) */

static int teardown(void **state)
{
	i2c_bus_free(&bus);
	return 0;
}

/* ---------------------------------------------------------------- device list */

static void mkadapter(const char *entry, const char *name)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", sysdir, entry);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/%s/name", sysdir, entry);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", name);
	fclose(f);
}

static int sysfs_setup(void **state)
{
	strcpy(sysdir, "/tmp/vdi2c-sysfs.XXXXXX");
	assert_non_null(mkdtemp(sysdir));
	mkadapter("i2c-0", "SMBus I801 adapter at f040");
	mkadapter("i2c-1", "i915 gmbus dpd");
	mkadapter("i2c-2", "DPDDC-D");
	mkadapter("i2c-3", "twin");
	mkadapter("i2c-4", "twin");
	mkadapter("i2c-5", "nvkm-0000:01:00.0-bus-0000");
	mkadapter("1-0050", "clientonly");       /* a client device, not an adapter */
	mkadapter("i2c-7x", "notanadapter");
	mkadapter("i2c-8", "  padded name\t ");   /* whitespace around it in sysfs */
	return 0;
}

static int sysfs_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sysdir);
	return system(cmd) != 0;
}

static int parse_list(const char *list, char *err)
{
	int r;

	i2c_bus_free(&bus);
	assert_int_equal(i2c_bus_init(&bus, NULL, NULL), 0);   /* nothing is opened */
	err[0] = 0;
	r = i2c_parse_device_list(&bus, list, sysdir, err, 256);
	if (r)
		assert_true(err[0] != 0);
	return r;
}

static void test_i2c_list_numbers_and_names(void **state)
{
	char err[256];

	assert_int_equal(parse_list("2:32:21,3:10:23", err), 0);
	assert_int_equal(bus.nadap, 2);
	assert_int_equal(bus.adap[0].bus, 2);
	assert_int_equal(bus.adap[1].bus, 3);
	assert_int_equal(bus.map[32].kind, I2C_T_HOST);
	assert_int_equal(bus.map[32].idx, 0);
	assert_int_equal(bus.map[21].idx, 0);
	assert_int_equal(bus.map[10].idx, 1);
	assert_int_equal(bus.map[23].idx, 1);
	assert_int_equal(bus.map[0x20 + 1].kind, I2C_T_NONE);

	assert_int_equal(parse_list("i915 gmbus dpd:32:21,DPDDC-D:10:23", err), 0);
	assert_int_equal(bus.adap[0].bus, 1);
	assert_int_equal(bus.adap[1].bus, 2);
	assert_int_equal(bus.map[23].idx, 1);

	assert_int_equal(parse_list("0:0x50:0X51:127:0", err), 0);
	assert_int_equal(bus.map[0x50].kind, I2C_T_HOST);
	assert_int_equal(bus.map[0x51].kind, I2C_T_HOST);
	assert_int_equal(bus.map[127].kind, I2C_T_HOST);
	assert_int_equal(bus.map[0].kind, I2C_T_HOST);

	/* whitespace around the list, its entries, names and addresses
	 * (upstream's test: " 1:4 "); the sysfs name is trimmed too */
	assert_int_equal(parse_list(" 1:4 ", err), 0);
	assert_int_equal(bus.nadap, 1);
	assert_int_equal(bus.adap[0].bus, 1);
	assert_int_equal(bus.map[4].kind, I2C_T_HOST);
	assert_int_equal(parse_list("\t2:32 : 21 ,  i915 gmbus dpd :10,padded name:11\n", err), 0);
	assert_int_equal(bus.nadap, 3);
	assert_int_equal(bus.adap[0].bus, 2);
	assert_int_equal(bus.adap[1].bus, 1);
	assert_int_equal(bus.adap[2].bus, 8);
	assert_int_equal(bus.map[21].idx, 0);
	assert_int_equal(bus.map[10].idx, 1);
	assert_int_equal(bus.map[11].idx, 2);
	/* a '+' where Rust's u16 parsing takes one */
	assert_int_equal(parse_list("1:+32", err), 0);
	assert_int_equal(bus.map[32].kind, I2C_T_HOST);

	/* a name with ':' in it, and the same adapter twice */
	assert_int_equal(parse_list("nvkm-0000:01:00.0-bus-0000:80,5:81", err), 0);
	assert_int_equal(bus.nadap, 1);
	assert_int_equal(bus.adap[0].bus, 5);
	assert_int_equal(bus.map[80].kind, I2C_T_HOST);
	assert_int_equal(bus.map[81].kind, I2C_T_HOST);
}

static void test_i2c_list_errors_name_the_bad_part(void **state)
{
	char err[256];
	struct {
		const char *list, *needle;
	} cases[] = {
		{ "nosuch:32", "unknown adapter 'nosuch'" },
		{ "clientonly:32", "unknown adapter 'clientonly'" },
		{ "notanadapter:32", "unknown adapter" },
		{ "twin:32", "ambiguous" },
		{ "1:128", "'128'" },
		{ "1:0x80", "'0x80'" },
		{ "1:-1", "'-1'" },
		{ "1:32x", "'32x'" },
		{ "1:0x", "'0x'" },
		{ "1:32,2:32", "'32' (0x20) appears twice" },
		{ "1:32:0x20", "'0x20' (0x20) appears twice" },
		{ "1:32,,2:33", "empty entry" },
		{ ",1:32", "empty entry" },
		{ "1:32,", "empty entry" },
		{ "1:", "empty address" },
		{ "1::32", "empty address" },
		{ "1:32:", "empty address" },
		{ "1", "no address" },
		{ ":32", "no adapter" },
		{ "", "empty device list" },
		{ "  ", "empty device list" },
		{ "1:32, ,2:33", "empty entry" },
		{ "1: :32", "empty address" },
		{ "1:3 2", "'3 2'" },
		{ "1:++32", "'++32'" },
		{ "1:0x+20", "'0x+20'" },
		{ "99999999999:32", "too large" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_list(cases[i].list, err), -1);
		if (!strstr(err, cases[i].needle))
			fail_msg("'%s': got '%s', want '%s'", cases[i].list, err, cases[i].needle);
	}
	/* the sysfs root missing */
	i2c_bus_free(&bus);
	assert_int_equal(i2c_bus_init(&bus, NULL, NULL), 0);   /* nothing is opened */
	assert_int_equal(i2c_parse_device_list(&bus, "name:32", "/nonexistent/x", err, 256), -1);
	assert_non_null(strstr(err, "unknown adapter 'name'"));
}

static void test_i2c_parse_addr(void **state)
{
	unsigned a;

	assert_int_equal(i2c_parse_addr("80", &a), 0);
	assert_int_equal(a, 80);
	assert_int_equal(i2c_parse_addr("0x50", &a), 0);
	assert_int_equal(a, 0x50);
	assert_int_equal(i2c_parse_addr("0x7f", &a), 0);
	assert_int_equal(i2c_parse_addr("050", &a), 0);
	assert_int_equal(a, 50);                     /* decimal, not octal */
	assert_int_not_equal(i2c_parse_addr("128", &a), 0);
	assert_int_not_equal(i2c_parse_addr("0x80", &a), 0);
	assert_int_not_equal(i2c_parse_addr("", &a), 0);
	assert_int_not_equal(i2c_parse_addr("0x", &a), 0);
	assert_int_not_equal(i2c_parse_addr("0x-1", &a), 0);
	assert_int_equal(i2c_parse_addr("+5", &a), 0);
	assert_int_equal(a, 5);
	assert_int_not_equal(i2c_parse_addr("+", &a), 0);
	assert_int_not_equal(i2c_parse_addr(" 5", &a), 0);
	assert_int_not_equal(i2c_parse_addr("5 ", &a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_teardown(f, teardown)
		T(test_i2c_list_numbers_and_names),
		T(test_i2c_list_errors_name_the_bad_part),
		T(test_i2c_parse_addr),
	};

	return cmocka_run_group_tests(tests, sysfs_setup, sysfs_teardown);
}
