/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-i2c conformance, table-driven: each case names the statement of
 * the virtio specification (device-types/i2c, "I2C Adapter Device") it
 * checks, and plays requests through one socket's queue (i2c_queue.c)
 * over a simulated 24c02 at 0x50 and a host adapter stand-in at 0x20.
 * "|" in a script marks a notification boundary (nothing is answered
 * there unless the case says so); "T" is the open group's time running
 * out. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/log.h"
#include "devices/i2c.h"
#include "vhost/dev.h"

#define FN VIRTIO_I2C_FLAGS_FAIL_NEXT
#define RD VIRTIO_I2C_FLAGS_M_RD
#define OK VIRTIO_I2C_MSG_OK
#define ER VIRTIO_I2C_MSG_ERR

/* ---- host adapter stand-in (0x20 on i2c-1) ---- */
static unsigned host_calls;
static int host_ret;

static int f_open(void *ctx, unsigned b) { return 7; }
static void f_close(void *ctx, int fd) { }
static int f_funcs(void *ctx, int fd, unsigned long *f) { *f = I2C_FUNC_I2C; return 0; }
static int f_rdwr(void *ctx, int fd, struct i2c_msg *m, unsigned n)
{
	host_calls++;
	for (unsigned i = 0; i < n; i++)
		if (m[i].flags & I2C_M_RD)
			memset(m[i].buf, 0x5a, m[i].len);
	return host_ret ? host_ret : (int)n;
}
static int f_slave(void *ctx, int fd, uint16_t a) { return 0; }
static int f_smbus(void *ctx, int fd, uint8_t rw, uint8_t c, uint32_t s,
		   union i2c_smbus_data *d) { return -EIO; }
static const struct i2c_host_ops ops = { f_open, f_close, f_funcs, f_rdwr, f_slave, f_smbus };

/* ---- the table ---- */

enum { END = 0, REQ, KICK, TIMEOUT };

struct step {
	int op;
	uint8_t addr;
	uint32_t flags;
	uint8_t len;               /* write: bytes of wdata; read: bytes to read */
	const char *wdata;
	int status;                /* expected at the end */
	const char *rdata;         /* expected read data (NULL: not checked) */
};

struct conform_case {
	const char *section;
	const char *statement;     /* quoted from the specification */
	bool no_zero_length_feature;
	int host_ret;              /* what the host adapter's I2C_RDWR returns */
	unsigned host_calls;       /* I2C_RDWR calls expected */
	unsigned answered_at_kick[4]; /* requests answered at each "|" */
	struct step s[12];
};

#define W(a, f, d)   { REQ, a, f, sizeof(d) - 1, d, OK, NULL }
#define WS(a, f, d, st) { REQ, a, f, sizeof(d) - 1, d, st, NULL }
#define R(a, f, n, st, data) { REQ, a, f, n, NULL, st, data }
#define K            { KICK }
#define T            { TIMEOUT }

static const struct conform_case cases[] = {
	{ "I2C Adapter Device / Device Operation / device normative",
	  "A device MUST guarantee the requests in the virtqueue being processed in "
	  "order if multiple requests are received at a time.",
	  .s = { W(0x50, 0, "\x10" "AB"), W(0x50, FN, "\x10"), R(0x50, 0 | RD, 2, OK, "AB") } },
	{ "I2C Adapter Device / Device Operation: Request Queue (flags)",
	  "For a group requests, a driver clears this bit on the final request and sets "
	  "it on the other requests. (A group may span notifications: it is held until "
	  "its final request arrives.)",
	  .answered_at_kick = { 1, 1 },
	  .s = { W(0x50, 0, "\x20" "xy"), W(0x50, FN, "\x20"), K, K, R(0x50, RD, 2, OK, "xy") } },
	{ "I2C Adapter Device / Device Operation: Request Queue (flags)",
	  "If this bit is set and a device fails to process the current request, it needs "
	  "to fail the next request instead of attempting to execute it. (A group that "
	  "does not end in time fails; the rest of it, arriving later, is not executed.)",
	  .host_calls = 0, .answered_at_kick = { 0, 1 },
	  .s = { WS(0x20, FN, "\x01", ER), K, T, K, R(0x20, RD, 1, ER, "\0") } },
	{ "I2C Adapter Device / Device Operation: Request Queue (flags)",
	  "If this bit is set and a device fails to process the current request, it needs "
	  "to fail the next request instead of attempting to execute it. (A malformed "
	  "request fails its whole group; nothing is sent.)",
	  .host_calls = 1,
	  .s = { WS(0x20, FN | 8, "\x01", ER), R(0x20, RD, 1, ER, "\0"), R(0x20, RD, 1, OK, "\x5a") },
	  /* the third request is a new group and runs */
	},
	{ "I2C Adapter Device / Device Operation / device normative",
	  "If multiple requests are received at a time and processing of some of the "
	  "requests fails, a device MUST set the status of the first failed request to be "
	  "VIRTIO_I2C_MSG_ERR and MAY set the status of the remaining requests in the same "
	  "group with the first failed one to be VIRTIO_I2C_MSG_ERR.",
	  .host_ret = -ENXIO, .host_calls = 1,
	  .s = { WS(0x20, FN, "\x01", ER), R(0x20, RD, 2, ER, "\0\0") } },
	{ "I2C Adapter Device / Device Operation / driver normative",
	  "A driver MUST NOT use buf, for a read request, if the final status returned "
	  "from the device is VIRTIO_I2C_MSG_ERR. (The device leaves no data there.)",
	  .host_ret = -EIO, .host_calls = 1,
	  .s = { R(0x20, RD, 3, ER, "\0\0\0") } },
	{ "I2C Adapter Device / Device Operation / device normative",
	  "A device MUST place one I2C segment of the \"length of buf\", for the read "
	  "request, into the buf according the driver's request.",
	  .host_calls = 1,
	  .s = { R(0x20, RD, 5, OK, "\x5a\x5a\x5a\x5a\x5a") } },
	{ "I2C Adapter Device / Feature bits",
	  "The device supports zero-length I2C request and VIRTIO_I2C_FLAGS_M_RD flag.",
	  .host_calls = 2,
	  .s = { W(0x20, 0, ""), R(0x20, RD, 0, OK, NULL) } },
	{ "I2C Adapter Device / Device Operation / device normative",
	  "A device MUST offer the VIRTIO_I2C_F_ZERO_LENGTH_REQUEST feature and MUST "
	  "reject any driver that doesn't negotiate this feature.",
	  .no_zero_length_feature = true, .host_calls = 0,
	  .s = { WS(0x20, 0, "\x01", ER), R(0x20, RD, 1, ER, "\0") } },
	{ "I2C Adapter Device / Device Operation / driver normative",
	  "A driver MUST set the reserved bits of flags to be zero. (The device fails a "
	  "request that does not.)",
	  .host_calls = 0,
	  .s = { WS(0x20, 4, "\x01", ER) } },
	{ "I2C Adapter Device / Device Operation: Request Queue (addr)",
	  "For 7-bit address mode ... bits 15:8 and bit 0 are 0. (10-bit addresses are not "
	  "supported: the request fails.)",
	  .host_calls = 0,
	  .s = { { REQ, 0xf8, 0, 0, NULL, ER, NULL } } },
};

/* ---- the runner ---- */

struct treq {
	uint8_t out[8 + 16];
	uint8_t in[16 + 1];
	struct iovec iov[2];
	struct vq_elem e;
	uint32_t used;
	bool answered;
};

static struct treq reqs[12];

static void complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	struct treq *t = (struct treq *)((char *)e - offsetof(struct treq, e));

	assert_false(t->answered);
	t->answered = true;
	t->used = len;
}

static void mkreq(struct treq *t, const struct step *st)
{
	uint16_t a = st->op == REQ && st->addr == 0xf8 ? 0x12f0 : (uint16_t)(st->addr << 1);
	uint32_t wlen = st->flags & RD ? 0 : st->len;
	uint32_t rlen = st->flags & RD ? st->len : 0;

	memset(t, 0, sizeof(*t));
	memcpy(t->out, &a, 2);
	memcpy(t->out + 4, &st->flags, 4);
	if (wlen)
		memcpy(t->out + 8, st->wdata, wlen);
	memset(t->in, 0xee, sizeof(t->in));
	t->iov[0] = (struct iovec){ t->out, 8 + wlen };
	t->iov[1] = (struct iovec){ t->in, rlen + 1 };
	t->e.out = t->iov;
	t->e.out_num = 1;
	t->e.out_len = 8 + wlen;
	t->e.in = t->iov + 1;
	t->e.in_num = 1;
	t->e.in_len = rlen + 1;
}

static unsigned answered(unsigned n)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		k += reqs[i].answered;
	return k;
}

static void run_case(const struct conform_case *c)
{
	static struct i2c_bus bus;
	static struct i2c_sock s;
	char err[256];
	unsigned n = 0, kicks = 0;

	print_message("%s: %s\n", c->section, c->statement);
	host_calls = 0;
	host_ret = c->host_ret;
	assert_int_equal(i2c_bus_init(&bus, &ops, NULL), 0);
	assert_int_equal(i2c_parse_device_list(&bus, "1:0x20", "/nonexistent", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_add_sim(&bus, "24c02@0x50", err, sizeof(err)), 0);
	assert_int_equal(i2c_bus_open(&bus, err, sizeof(err)), 0);
	assert_int_equal(i2c_sock_init(&s, &bus, NULL), 0);
	s.features_ok = !c->no_zero_length_feature;
	s.complete = complete;
	for (const struct step *st = c->s; st->op != END; st++) {
		switch (st->op) {
		case REQ:
			mkreq(&reqs[n], st);
			assert_int_equal(i2c_sock_handle(&s, &reqs[n].e, 64), DEV_HELD);
			n++;
			break;
		case KICK:
			assert_int_equal(answered(n), c->answered_at_kick[kicks]);
			kicks++;
			break;
		case TIMEOUT:
			i2c_sock_timeout(&s);
			break;
		}
	}
	assert_int_equal(answered(n), n);
	n = 0;
	for (const struct step *st = c->s; st->op != END; st++) {
		struct treq *t;
		uint32_t rlen;

		if (st->op != REQ)
			continue;
		t = &reqs[n++];
		rlen = st->flags & RD ? st->len : 0;
		assert_int_equal(t->used, rlen + 1);
		assert_int_equal(t->in[rlen], st->status);
		if (st->rdata)
			assert_memory_equal(t->in, st->rdata, rlen);
		/* "A device MUST not change the value of the buf for a write request." */
		if (!(st->flags & RD) && st->len)
			assert_memory_equal(t->out + 8, st->wdata, st->len);
	}
	assert_int_equal(host_calls, c->host_calls);
	i2c_sock_stop(&s);
	i2c_sock_free(&s);
	i2c_bus_free(&bus);
}

static void test_conform_i2c_table(void **state)
{
	log_set_level(getenv("TDEBUG") ? LOG_DEBUG : LOG_ERROR);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conform_i2c_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
