/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* libFuzzer target: vhost-device-i2c's control commands
 * (src/devices/i2c_ctl.c) as a hostile control client sends them, on a
 * bus of every simulated model and a host stand-in: the input is up to 8
 * request lines; after each, every address gets a transaction from each
 * of two guests through the fault check and the bus (so counted faults
 * run out).
 *
 * Checked: every reply is one valid JSON object with "id" and exactly one
 * of "return" or "error"; the bus's count of faults matches its table,
 * a fault sits only at an address on the bus, for guest -1 (all), 0 or 1,
 * with a known mode; the lm75 stays in its range. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "common/ctl.h"
#include "common/json.h"
#include "devices/i2c.h"

#define CHECK(c) FZ_CHECK(c)

static int h_open(void *ctx, unsigned bus) { return 9; }
static void h_close(void *ctx, int fd) { }
static int h_funcs(void *ctx, int fd, unsigned long *f) { *f = I2C_FUNC_I2C; return 0; }
static int h_rdwr(void *ctx, int fd, struct i2c_msg *m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (m[i].flags & I2C_M_RD)
			memset(m[i].buf, 0x33, m[i].len);
	return (int)n;
}
static int h_slave(void *ctx, int fd, uint16_t a) { return 0; }
static int h_smbus(void *ctx, int fd, uint8_t rw, uint8_t cmd, uint32_t size,
		   union i2c_smbus_data *d) { return -EIO; }

static const struct i2c_host_ops host_ops = {
	h_open, h_close, h_funcs, h_rdwr, h_slave, h_smbus,
};

static struct i2c_bus bus;
static const uint8_t addrs[] = { 0x30, 0x50, 0x51, 0x48, 0x20, 0x68 };

static void setup(void)
{
	static const char *const sims[] = {
		"24c02@0x50", "24c32@0x51", "lm75@0x48", "pca9555@0x20", "ds1307@0x68",
	};
	char err[256];

	CHECK(i2c_bus_init(&bus, &host_ops, NULL) == 0);
	CHECK(i2c_parse_device_list(&bus, "3:0x30", "/nonexistent", err, sizeof(err)) == 0);
	for (unsigned i = 0; i < sizeof(sims) / sizeof(sims[0]); i++)
		CHECK(i2c_bus_add_sim(&bus, sims[i], err, sizeof(err)) == 0);
	CHECK(i2c_bus_open(&bus, err, sizeof(err)) == 0);
	CHECK(i2c_ctl_register(&bus, 2) == 0);
}

static void check_reply(const char *reply)
{
	static struct json_tok tok[4096];
	struct json_doc d;

	CHECK(json_parse(&d, reply, strlen(reply), tok, 4096) == 0);
	CHECK(tok[0].type == JSON_OBJ);
	CHECK(json_get(&d, 0, "id") > 0);
	CHECK((json_get(&d, 0, "return") > 0) != (json_get(&d, 0, "error") > 0));
}

static void check_bus(void)
{
	unsigned n = 0;
	int t;

	for (unsigned a = 0; a < I2C_NADDR; a++) {
		const struct i2c_fault *f = &bus.fault[a];

		CHECK(f->mode <= I2C_FAULT_FAIL);
		if (!f->mode)
			continue;
		n++;
		CHECK(i2c_bus_allowed(&bus, a));
		CHECK(f->sock >= -1 && f->sock <= 1);
	}
	CHECK(n == bus.nfaults);
	t = lm75_temp(i2c_bus_sim(&bus, 0x48));
	CHECK(t >= -110 && t <= 250);
}

/* A write of the register byte and a read of two, to every address, from
 * both guests: a fault fails it (read data zeroed), else the bus runs it. */
static void transactions(void)
{
	for (unsigned sock = 0; sock < 2; sock++)
		for (unsigned i = 0; i < sizeof(addrs); i++) {
			uint8_t w = 0, r[2] = { 0xee, 0xee };
			struct i2c_xmsg m[2] = { { addrs[i], false, 1, &w }, { addrs[i], true, 2, r } };
			int e = i2c_bus_fault(&bus, sock, m, 2);

			if (e) {
				CHECK(e == -ENXIO || e == -EIO);
				i2c_xfer_failed(m, 2);
				CHECK(!r[0] && !r[1]);
			} else {
				(void)i2c_bus_xfer(&bus, m, 2);
			}
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char reply[CTL_REPLY_MAX];
	static bool once;
	size_t off = 0;

	if (!once) {
		once = true;
		setup();
	}
	if (size > 16384)
		return 0;
	for (unsigned k = 0; k < 8 && off < size; k++) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;

		ctl_run_line((const char *)data + off, len, reply);
		check_reply(reply);
		check_bus();
		transactions();
		check_bus();
		off += len + 1;
	}
	/* the next input starts from a bus without faults */
	for (unsigned a = 0; a < I2C_NADDR; a++)
		i2c_bus_set_fault(&bus, a, I2C_FAULT_NONE, 0, -1);
	return 0;
}
