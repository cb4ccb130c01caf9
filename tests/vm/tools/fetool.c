/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* fetool: a vhost-user frontend (tests/frontend) for use inside a guest,
 * to drive a vhost-device daemon that runs in the guest against the
 * guest's real kernel devices (/dev/gpiochipN, /dev/i2c-N).  Built static.
 *
 *   fetool gpio SOCK OUT IN IRQIN IRQOUT
 *       GET_CONFIG (line count), then: drive line OUT high/low and read
 *       line IN each time (they must be wired, as the simulated chip's
 *       pairs are), then arm a rising-edge interrupt on IRQIN and drive
 *       IRQOUT high: the eventq buffer must come back VALID.
 *   fetool i2c SOCK ADDR REG
 *       write bytes at register REG of an EEPROM-like device (one write
 *       request), then a write+read pair (FAIL_NEXT) reading them back.
 *   fetool smbus SOCK ADDR REG
 *       byte-data write (2-byte write) and byte-data read (1-byte write +
 *       1-byte read pair) of register REG: what an SMBus-only adapter can do.
 *
 * Output lines start with the command name; exit status 0 = all good. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../frontend/fe.h"

#define WAIT_MS 5000

static const char *cmd = "fetool";
static int failures;

static void out(const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", cmd);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void check(int ok, const char *what)
{
	out("%s %s", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static struct fe *open_fe(const char *path, uint32_t config_size)
{
	struct fe_opts o = { .config_size = config_size };
	struct fe *fe = fe_new();
	int r;

	if (!fe)
		return NULL;
	r = fe_connect(fe, path, WAIT_MS);
	if (r == 0)
		r = fe_start(fe, &o);
	if (r) {
		out("FAIL connect/start %s: %s", path, strerror(-r));
		fe_free(fe);
		return NULL;
	}
	out("connected: features 0x%llx protocol 0x%llx queues %u",
	    (unsigned long long)fe->features, (unsigned long long)fe->protocol, fe->nqueues);
	return fe;
}

/* ---- gpio ---- */

enum { G_NAMES = 1, G_GET_DIR, G_SET_DIR, G_GET_VAL, G_SET_VAL, G_SET_IRQ };
enum { DIR_OUT = 1, DIR_IN = 2 };

/* One requestq message: status (or -errno); *val the value byte. */
static int greq(struct fe *fe, uint16_t type, uint16_t line, uint32_t value, uint8_t *val)
{
	uint8_t req[8] = { (uint8_t)type, (uint8_t)(type >> 8), (uint8_t)line,
			   (uint8_t)(line >> 8), (uint8_t)value, (uint8_t)(value >> 8),
			   (uint8_t)(value >> 16), (uint8_t)(value >> 24) };
	uint8_t rsp[2] = { 0xee, 0xee };
	uint32_t len = 0;
	int r = fe_request(fe, 0, req, 8, rsp, 2, &len, WAIT_MS);

	if (r)
		return r;
	if (val)
		*val = rsp[1];
	return len == 2 ? rsp[0] : -EPROTO;
}

static int cmd_gpio(const char *sock, int o, int in, int irqin, int irqout)
{
	struct fe *fe = open_fe(sock, 8);
	uint8_t v = 0xff, *p;
	uint64_t gpa;
	uint32_t id, len;
	int r, head, st;

	if (!fe)
		return 1;
	out("config ngpio=%u names_size=%u", fe->config[0] | fe->config[1] << 8,
	    fe->config[4] | fe->config[5] << 8 | fe->config[6] << 16 | (uint32_t)fe->config[7] << 24);
	check((int)(fe->config[0] | fe->config[1] << 8) > irqout, "GET_CONFIG: line count covers the lines used");
	st = greq(fe, G_GET_DIR, (uint16_t)o, 0, &v);
	out("GET_DIRECTION line %d -> status %d dir %u", o, st, v);
	check(st == 0, "GET_DIRECTION");

	for (int val = 1; val >= 0; val--) {
		r = greq(fe, G_SET_VAL, (uint16_t)o, (uint32_t)val, NULL);
		st = greq(fe, G_SET_DIR, (uint16_t)o, DIR_OUT, NULL);
		out("SET_VALUE %d=%d -> %d, SET_DIRECTION out -> %d", o, val, r, st);
		check(r == 0 && st == 0, "drive the output line");
		st = greq(fe, G_SET_DIR, (uint16_t)in, DIR_IN, NULL);
		r = greq(fe, G_GET_VAL, (uint16_t)in, 0, &v);
		out("SET_DIRECTION %d in -> %d, GET_VALUE %d -> status %d value %u", in, st, in, r, v);
		check(st == 0 && r == 0 && v == val, val ? "partner line reads 1" : "partner line reads 0");
		r = greq(fe, G_GET_VAL, (uint16_t)o, 0, &v);
		out("GET_VALUE %d (output) -> status %d value %u", o, r, v);
		check(r == 0 && v == val, "the output reads back its value");
	}

	/* interrupt: rising edge on irqin, raised by driving irqout high */
	greq(fe, G_SET_VAL, (uint16_t)irqout, 0, NULL);
	greq(fe, G_SET_DIR, (uint16_t)irqout, DIR_OUT, NULL);
	st = greq(fe, G_SET_DIR, (uint16_t)irqin, DIR_IN, NULL);
	r = greq(fe, G_SET_IRQ, (uint16_t)irqin, 1 /* rising */, NULL);
	out("SET_DIRECTION %d in -> %d, SET_IRQ_TYPE %d rising -> %d", irqin, st, irqin, r);
	check(st == 0 && r == 0, "arm a rising-edge interrupt");
	gpa = fe_alloc(fe, 16, 16);
	p = fe_ptr(fe, gpa, 16);
	if (!p)
		return 1;
	p[0] = (uint8_t)irqin;
	p[1] = (uint8_t)(irqin >> 8);
	p[8] = 0xee;
	{
		struct fe_seg s[2] = { { gpa, 2, false }, { gpa + 8, 1, true } };

		head = fe_vq_add(fe, 1, s, 2, false);
	}
	fe_vq_publish(fe, 1, (uint16_t)head);
	fe_vq_kick(fe, 1);
	usleep(300000);
	r = fe_vq_get_used(fe, 1, &id, &len);
	check(r == 0, "no interrupt before the edge");
	r = greq(fe, G_SET_VAL, (uint16_t)irqout, 1, NULL);
	out("SET_VALUE %d=1 -> %d", irqout, r);
	r = 0;
	for (int t = 0; t < 50 && (r = fe_vq_get_used(fe, 1, &id, &len)) == 0; t++)
		fe_vq_wait_call(fe, 1, 100);
	out("eventq: used %d id %u len %u status %u", r, id, len, p[8]);
	check(r == 1 && len == 1 && p[8] == 1, "interrupt: the eventq buffer came back VALID");
	greq(fe, G_SET_IRQ, (uint16_t)irqin, 0, NULL);
	greq(fe, G_SET_DIR, (uint16_t)irqout, 0, NULL);
	greq(fe, G_SET_DIR, (uint16_t)o, 0, NULL);
	fe_stop(fe);
	fe_free(fe);
	return failures != 0;
}

/* ---- i2c ---- */

#define I2C_FAIL_NEXT 1u
#define I2C_RD        2u

struct rq {
	uint16_t addr;
	uint32_t flags;
	uint8_t *buf;
	uint32_t len;
	uint8_t status;
	uint64_t hdr, data, st;
	int head;
	int done;
};

/* Submit n requests in one kick, collect them all; 0 or -errno. */
static int submit(struct fe *fe, struct rq *r, unsigned n)
{
	unsigned got = 0;

	for (unsigned i = 0; i < n; i++) {
		struct fe_seg s[3];
		unsigned ns = 0;
		uint8_t *h;
		uint16_t a = (uint16_t)(r[i].addr << 1);

		r[i].hdr = fe_alloc(fe, 8, 8);
		r[i].st = fe_alloc(fe, 1, 1);
		r[i].data = fe_alloc(fe, r[i].len ? r[i].len : 1, 1);
		if (!r[i].hdr || !r[i].st || !r[i].data)
			return -ENOMEM;
		h = fe_ptr(fe, r[i].hdr, 8);
		memcpy(h, &a, 2);
		memset(h + 2, 0, 2);
		memcpy(h + 4, &r[i].flags, 4);
		*(uint8_t *)fe_ptr(fe, r[i].st, 1) = 0xee;
		s[ns++] = (struct fe_seg){ r[i].hdr, 8, false };
		if (r[i].len) {
			if (!(r[i].flags & I2C_RD))
				memcpy(fe_ptr(fe, r[i].data, r[i].len), r[i].buf, r[i].len);
			s[ns++] = (struct fe_seg){ r[i].data, r[i].len, (r[i].flags & I2C_RD) != 0 };
		}
		s[ns++] = (struct fe_seg){ r[i].st, 1, true };
		r[i].head = fe_vq_add(fe, 0, s, ns, true);
		if (r[i].head < 0)
			return r[i].head;
		r[i].done = 0;
		fe_vq_publish(fe, 0, (uint16_t)r[i].head);
	}
	fe_vq_kick(fe, 0);
	while (got < n) {
		uint32_t id, len;
		int k = fe_vq_get_used(fe, 0, &id, &len);

		if (k < 0)
			return k;
		if (k == 0) {
			if (fe_vq_wait_call(fe, 0, WAIT_MS))
				return -ETIMEDOUT;
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			if (r[i].done || (uint32_t)r[i].head != id)
				continue;
			r[i].done = 1;
			r[i].status = *(uint8_t *)fe_ptr(fe, r[i].st, 1);
			if (r[i].flags & I2C_RD)
				memcpy(r[i].buf, fe_ptr(fe, r[i].data, r[i].len), r[i].len);
			got++;
		}
	}
	return 0;
}

static void hexs(char *o, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sprintf(o + 2 * i, "%02x", b[i]);
}

static int cmd_i2c(const char *sock, uint16_t addr, uint8_t reg)
{
	static const char text[] = "vdev";
	struct fe *fe = open_fe(sock, 0);
	uint8_t w[1 + 4], rb[4] = { 0 }, regb = reg;
	char hx[16];
	int r;

	if (!fe)
		return 1;
	w[0] = reg;
	memcpy(w + 1, text, 4);
	{
		struct rq q[1] = { { .addr = addr, .buf = w, .len = 5 } };

		r = submit(fe, q, 1);
		out("write 0x%02x: reg 0x%02x \"%s\" -> %d status %u", addr, reg, text, r, q[0].status);
		check(r == 0 && q[0].status == 0, "I2C write of register + 4 bytes");
	}
	/* EEPROMs are busy (NACK) while they program: retry the read a few times */
	for (int t = 0; t < 20; t++) {
		struct rq q[2] = { { .addr = addr, .flags = I2C_FAIL_NEXT, .buf = &regb, .len = 1 },
				   { .addr = addr, .flags = I2C_RD, .buf = rb, .len = 4 } };

		r = submit(fe, q, 2);
		hexs(hx, rb, 4);
		out("write+read 0x%02x: reg 0x%02x, 4 bytes -> %d status %u/%u data %s", addr, reg, r,
		    q[0].status, q[1].status, hx);
		if (r == 0 && q[0].status == 0 && q[1].status == 0)
			break;
		usleep(20000);
	}
	check(!memcmp(rb, text, 4), "write+read pair reads back the bytes written");
	fe_stop(fe);
	fe_free(fe);
	return failures != 0;
}

static int cmd_smbus(const char *sock, uint16_t addr, uint8_t reg)
{
	struct fe *fe = open_fe(sock, 0);
	uint8_t w[2] = { reg, 0x5a }, regb = reg, rb = 0;
	int r;

	if (!fe)
		return 1;
	{
		struct rq q[1] = { { .addr = addr, .buf = w, .len = 2 } };

		r = submit(fe, q, 1);
		out("write byte data 0x%02x: reg 0x%02x = 0x5a -> %d status %u", addr, reg, r, q[0].status);
		check(r == 0 && q[0].status == 0, "byte-data write (2-byte I2C write)");
	}
	{
		struct rq q[2] = { { .addr = addr, .flags = I2C_FAIL_NEXT, .buf = &regb, .len = 1 },
				   { .addr = addr, .flags = I2C_RD, .buf = &rb, .len = 1 } };

		r = submit(fe, q, 2);
		out("read byte data 0x%02x: reg 0x%02x -> %d status %u/%u value 0x%02x", addr, reg, r,
		    q[0].status, q[1].status, rb);
		check(r == 0 && q[0].status == 0 && q[1].status == 0 && rb == 0x5a,
		      "byte-data read (1-byte write + 1-byte read) returns 0x5a");
	}
	fe_stop(fe);
	fe_free(fe);
	return failures != 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 7 && !strcmp(argv[1], "gpio")) {
		cmd = "fetool gpio";
		return cmd_gpio(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
	}
	if (argc == 5 && !strcmp(argv[1], "i2c")) {
		cmd = "fetool i2c";
		return cmd_i2c(argv[2], (uint16_t)strtoul(argv[3], NULL, 0), (uint8_t)strtoul(argv[4], NULL, 0));
	}
	if (argc == 5 && !strcmp(argv[1], "smbus")) {
		cmd = "fetool smbus";
		return cmd_smbus(argv[2], (uint16_t)strtoul(argv[3], NULL, 0), (uint8_t)strtoul(argv[4], NULL, 0));
	}
	fprintf(stderr, "usage: fetool gpio SOCK OUT IN IRQIN IRQOUT | i2c SOCK ADDR REG | smbus SOCK ADDR REG\n");
	return 2;
}
