/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-gpio messages for the GPIO integration tests (test_gpio.c,
 * test_gpio_cli.c): the constants, and one request as the Linux driver
 * sends it.  Included once per test program. */
#ifndef VD_TEST_GPIO_REQ_H
#define VD_TEST_GPIO_REQ_H

#define WAIT_MS  3000

#define MSG_GET_LINE_NAMES 1
#define MSG_GET_DIRECTION  2
#define MSG_SET_DIRECTION  3
#define MSG_GET_VALUE      4
#define MSG_SET_VALUE      5
#define MSG_SET_IRQ_TYPE   6
#define DIR_NONE 0
#define DIR_OUT  1
#define DIR_IN   2
#define IRQ_NONE    0
#define IRQ_RISING  1
#define IRQ_FALLING 2
#define IRQ_BOTH    3
#define IRQ_HIGH    4
#define IRQ_LOW     8
#define ST_OK  0
#define ST_ERR 1
#define EV_INVALID 0
#define EV_VALID   1

/* Connect and start like QEMU (GET_CONFIG of 8 bytes). */
static struct fe *open_fe(const char *path)
{
	return itest_open_ok(path, &(struct fe_opts){ .config_size = 8 });
}

/* One requestq message; returns the status, *val the value byte. */
static int greq(struct fe *fe, uint16_t type, uint16_t gpio, uint32_t value, uint8_t *val)
{
	uint8_t req[8] = { (uint8_t)type, (uint8_t)(type >> 8), (uint8_t)gpio,
			   (uint8_t)(gpio >> 8), (uint8_t)value, (uint8_t)(value >> 8),
			   (uint8_t)(value >> 16), (uint8_t)(value >> 24) };
	uint8_t rsp[2] = { 0xee, 0xee };
	uint32_t len = 0;
	int r = fe_request(fe, 0, req, 8, rsp, 2, &len, WAIT_MS);

	if (r)
		print_error("request %u line %u: %s\n", type, gpio, strerror(-r));
	assert_int_equal(r, 0);
	assert_int_equal(len, 2);       /* the Linux driver checks the length */
	if (val)
		*val = rsp[1];
	return rsp[0];
}

static uint8_t getv(struct fe *fe, uint16_t line)
{
	uint8_t v = 0xff;

	assert_int_equal(greq(fe, MSG_GET_VALUE, line, 0, &v), ST_OK);
	return v;
}

/* Linux gpio-virtio: direction_output = SET_VALUE then SET_DIRECTION(OUT) */
static void drive(struct fe *fe, uint16_t line, uint8_t v)
{
	assert_int_equal(greq(fe, MSG_SET_VALUE, line, v, NULL), ST_OK);
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, line, DIR_OUT, NULL), ST_OK);
}

#endif
