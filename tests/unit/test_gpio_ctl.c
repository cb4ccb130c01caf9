/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The gpio control commands (gpio_ctl.c) and the outside drive of the
 * simulated chip (gpio_sim.c) under the device logic (gpio_core.c):
 * requests run as a control client's lines (ctl_run_line), the guest's
 * side as vq_elems (gpio_req.h), pulses on a loop of the test's own. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/ctl.h"
#include "devices/gpio.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "gpio_req.h"
#include "gpiod_fake.h"

#define IRQ_RISING  VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING
#define IRQ_FALLING VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING
#define IRQ_BOTH    VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH
#define IRQ_HIGH    VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH
#define IRQ_LOW     VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW
#define VALID       VIRTIO_GPIO_IRQ_STATUS_VALID
#define INVALID     VIRTIO_GPIO_IRQ_STATUS_INVALID

static struct loop *l;
static struct gpio_dev g;
static struct gpio_ctl *x;
static char reply[CTL_REPLY_MAX];

/* A daemon's worth: one socket with chip c, its commands registered. */
static void start(struct gpio_chip *c)
{
	l = loop_new();
	assert_non_null(l);
	ctl_reset_registry();
	gt_setup(&g, c, l);
	x = gpio_ctl_new(l, 1);
	assert_non_null(x);
	gpio_ctl_add(x, 0, &g);
}

static int teardown(void **state)
{
	gpio_dev_free(&g);
	gpio_ctl_free(x);
	x = NULL;
	ctl_reset_registry();
	loop_free(l);
	l = NULL;
	return 0;
}

static int teardown_fk(void **state)
{
	teardown(state);
	return fk_teardown(state);
}

/* Run a request (printf-style) as a client's line; the reply. */
static __attribute__((format(printf, 1, 2))) const char *run(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(line));
	ctl_run_line(line, (size_t)n, reply);
	return reply;
}

static void expect_ok(const char *r)
{
	if (!strstr(r, "\"return\""))
		fail_msg("expected success: %s", r);
}

static void expect_err(const char *r, const char *cls, const char *desc)
{
	if (!strstr(r, "\"error\"") || !strstr(r, cls) || !strstr(r, desc))
		fail_msg("expected error %s '%s': %s", cls, desc, r);
}

#define SET(line, v) expect_ok(run("{\"cmd\":\"gpio.set\",\"args\":{\"line\":%u,\"value\":%u}}", \
				   (unsigned)(line), (unsigned)(v)))
#define RELEASE(line) expect_ok(run("{\"cmd\":\"gpio.release\",\"args\":{\"line\":%u}}", \
				    (unsigned)(line)))

/* An eventq element held for line (the interrupt unmasked). */
static void arm(struct gt_msg *m, uint16_t line)
{
	unsigned before = g.held;

	assert_int_equal(gt_ev(&g, m, line), DEV_HELD);
	assert_int_equal(g.held, before + 1);
}

/* ------------------------------------------------------------ the drive */

static void test_gpio_ctl_set_fires_edge_irq(void **state)
{
	struct gt_msg m;

	start(gpio_sim_new(8));
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 3, IRQ_RISING, NULL), OK);
	arm(&m, 3);
	SET(3, 1);
	assert_int_equal(gt_ndone, 1);
	assert_ptr_equal(gt_done[0], &m.e);
	assert_int_equal(gt_done_status[0], VALID);
	assert_int_equal(gt_getv(&g, 3), 1);
	/* the falling edge on release: no rising irq */
	arm(&m, 3);
	RELEASE(3);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_getv(&g, 3), 0);
	/* the same level again is no edge */
	SET(3, 0);
	assert_int_equal(gt_ndone, 1);
	SET(3, 1);
	assert_int_equal(gt_ndone, 2);
	assert_int_equal(gt_done_status[1], VALID);
	/* masked: the edge latches, delivered on the next unmask */
	SET(3, 0);
	SET(3, 1);
	assert_int_equal(gt_ndone, 2);
	assert_int_equal(gt_ev(&g, &m, 3), DEV_HELD);
	assert_int_equal(gt_ndone, 3);
	assert_int_equal(gt_done_status[2], VALID);
	/* the partner is untouched by the drive */
	assert_int_equal(gt_getv(&g, 2), 0);
}

static void test_gpio_ctl_set_fires_falling_and_both(void **state)
{
	struct gt_msg m;

	start(gpio_sim_new(4));
	SET(1, 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, IRQ_FALLING, NULL), OK);
	arm(&m, 1);
	SET(1, 0);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_done_status[0], VALID);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, IRQ_BOTH, NULL), OK);
	arm(&m, 1);
	SET(1, 1);
	assert_int_equal(gt_ndone, 2);
	arm(&m, 1);
	SET(1, 0);
	assert_int_equal(gt_ndone, 3);
	assert_int_equal(gt_done_status[2], VALID);
}

static void test_gpio_ctl_set_fires_level_irq(void **state)
{
	struct gt_msg m;

	start(gpio_sim_new(2));
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 0, IRQ_HIGH, NULL), OK);
	arm(&m, 0);
	assert_int_equal(gt_ndone, 0);
	SET(0, 1);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_done_status[0], VALID);
	/* unmasked while the level holds: fires again */
	assert_int_equal(gt_ev(&g, &m, 0), DEV_HELD);
	assert_int_equal(gt_ndone, 2);
	assert_int_equal(gt_done_status[1], VALID);
	SET(0, 0);
	arm(&m, 0);
	assert_int_equal(gt_ndone, 2);
	/* level low: the drive at 0 holds it */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 0, IRQ_LOW, NULL), OK);
	assert_int_equal(gt_ndone, 3);
	assert_int_equal(gt_done_status[2], VALID);
	assert_int_equal(gt_ev(&g, &m, 0), DEV_HELD);
	assert_int_equal(gt_ndone, 4);
	SET(0, 1);
	arm(&m, 0);
	assert_int_equal(gt_ndone, 4);
}

/* The drive overrides the wired partner until released; an output of the
 * guest reads back its own value and keeps the drive for later. */
static void test_gpio_ctl_drive_overrides_partner(void **state)
{
	struct gt_msg m;

	start(gpio_sim_new(4));
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 2, 1, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 2, DIR_OUT, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 3, IRQ_BOTH, NULL), OK);
	assert_int_equal(gt_getv(&g, 3), 1);
	arm(&m, 3);
	SET(3, 0);
	assert_int_equal(gt_ndone, 1);          /* falling */
	assert_int_equal(gt_getv(&g, 3), 0);
	/* the partner's toggles do not reach the driven line */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 2, 0, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 2, 1, NULL), OK);
	arm(&m, 3);
	assert_int_equal(gt_ndone, 1);
	/* released: the wiring again, and its level (1) is an edge */
	RELEASE(3);
	assert_int_equal(gt_ndone, 2);
	assert_int_equal(gt_getv(&g, 3), 1);
	/* a drive on the guest's output: it reads back its own value */
	SET(2, 0);
	assert_int_equal(gt_getv(&g, 2), 1);
	assert_non_null(strstr(run("{\"cmd\":\"gpio.get\",\"args\":{\"line\":2}}"),
			       "\"direction\":\"out\",\"output\":1,\"irq\":\"none\",\"level\":1,"
			       "\"drive\":0"));
	/* ... and the drive once it is an input */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 2, DIR_IN, NULL), OK);
	assert_int_equal(gt_getv(&g, 2), 0);
}

/* The outside world outlives the guest: a reset keeps the drive. */
static void test_gpio_ctl_drive_survives_guest_reset(void **state)
{
	start(gpio_sim_new(2));
	SET(1, 1);
	gpio_dev_reset(&g);
	g.irq = true;
	assert_int_equal(gt_getv(&g, 1), 1);
	assert_non_null(strstr(run("{\"cmd\":\"gpio.get\",\"args\":{\"sock\":0,\"line\":1}}"),
			       "{\"sock\":0,\"line\":1,\"name\":\"dummy1\",\"direction\":\"none\","
			       "\"output\":null,\"irq\":\"none\",\"level\":1,\"drive\":1}"));
}

/* ------------------------------------------------------------- pulses */

/* Run the loop until the pulse on line has ended (bounded). */
static void pulse_wait(unsigned line)
{
	for (int i = 0; i < 1000; i++) {
		if (!strstr(run("{\"cmd\":\"gpio.get\",\"args\":{\"line\":%u}}", line),
			    "pulse_left_us"))
			return;
		loop_run_once(l, 10);
	}
	fail_msg("the pulse on line %u did not end", line);
}

static void test_gpio_ctl_pulse_makes_both_edges(void **state)
{
	struct gt_msg m;

	start(gpio_sim_new(8));
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 5, IRQ_BOTH, NULL), OK);
	arm(&m, 5);
	expect_ok(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":5,\"value\":1,\"us\":2000}}"));
	assert_non_null(strstr(reply, "\"level\":1,\"drive\":1,\"pulse_left_us\":"));
	assert_non_null(strstr(reply, "\"us\":2000}"));
	assert_int_equal(gt_ndone, 1);          /* the rising edge, at once */
	assert_int_equal(gt_done_status[0], VALID);
	arm(&m, 5);
	pulse_wait(5);
	assert_int_equal(gt_ndone, 2);          /* the falling edge, at the end */
	assert_int_equal(gt_done_status[1], VALID);
	/* back to no drive: the wiring */
	assert_non_null(strstr(run("{\"cmd\":\"gpio.get\",\"args\":{\"line\":5}}"),
			       "\"level\":0,\"drive\":null}"));
	/* a pulse puts back the drive the line had; ms works as us * 1000 */
	arm(&m, 5);
	SET(5, 1);
	assert_int_equal(gt_ndone, 3);
	arm(&m, 5);
	expect_ok(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":5,\"value\":0,\"ms\":1}}"));
	assert_non_null(strstr(reply, "\"us\":1000}"));
	assert_int_equal(gt_ndone, 4);
	arm(&m, 5);
	pulse_wait(5);
	assert_int_equal(gt_ndone, 5);
	assert_non_null(strstr(run("{\"cmd\":\"gpio.get\",\"args\":{\"line\":5}}"),
			       "\"level\":1,\"drive\":1}"));
}

/* Pulses of different widths share the timer: each ends. */
static void test_gpio_ctl_pulses_end_in_turn(void **state)
{
	struct gt_msg m[3];

	start(gpio_sim_new(4));
	for (uint16_t i = 0; i < 3; i++) {
		assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, i, IRQ_FALLING, NULL), OK);
		arm(&m[i], i);
	}
	expect_ok(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":0,\"value\":1,\"us\":3000}}"));
	expect_ok(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":1,\"value\":1,\"us\":1000}}"));
	expect_ok(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":2,\"value\":1,\"us\":2000}}"));
	assert_int_equal(gt_ndone, 0);
	pulse_wait(0);
	pulse_wait(1);
	pulse_wait(2);
	/* each falling edge, once */
	assert_int_equal(gt_ndone, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(gt_done_status[i], VALID);
}

/* A set or release during a pulse ends it: what was set stays. */
static void test_gpio_ctl_set_ends_pulse(void **state)
{
	start(gpio_sim_new(4));
	expect_ok(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":0,\"value\":1,\"us\":1000}}"));
	SET(0, 1);
	assert_null(strstr(reply, "pulse_left_us"));
	expect_ok(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":1,\"value\":1,\"us\":1000}}"));
	RELEASE(1);
	/* the timer comes and finds nothing due */
	for (int i = 0; i < 5; i++)
		loop_run_once(l, 2);
	assert_non_null(strstr(run("{\"cmd\":\"gpio.get\",\"args\":{\"line\":0}}"),
			       "\"level\":1,\"drive\":1}"));
	assert_non_null(strstr(run("{\"cmd\":\"gpio.get\",\"args\":{\"line\":1}}"),
			       "\"level\":0,\"drive\":null}"));
}

static void test_gpio_ctl_pulse_bounds(void **state)
{
	start(gpio_sim_new(80));
	expect_err(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":0,\"value\":1}}"),
		   "InvalidArgument", "give the pulse's width as us or as ms");
	expect_err(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":0,\"value\":1,\"us\":5,\"ms\":5}}"),
		   "InvalidArgument", "give the pulse's width as us or as ms");
	expect_err(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":0,\"value\":1,\"us\":0}}"),
		   "InvalidArgument", "us 0: out of range 1..60000000");
	expect_err(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":0,\"value\":1,\"ms\":60001}}"),
		   "InvalidArgument", "ms 60001: out of range 1..60000");
	expect_err(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":0,\"ms\":1}}"),
		   "InvalidArgument", "missing argument 'value'");
	/* one pulse per line */
	expect_ok(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":0,\"value\":1,\"ms\":60000}}"));
	expect_err(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":0,\"value\":0,\"ms\":1}}"),
		   "Failed", "sock 0 line 0: a pulse is running (");
	/* 64 at once */
	for (unsigned i = 1; i < 64; i++)
		expect_ok(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":%u,\"value\":1,"
			      "\"ms\":60000}}", i));
	expect_err(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":64,\"value\":1,\"ms\":1}}"),
		   "Failed", "64 pulses are running: at most 64 at once");
	/* a release makes room */
	RELEASE(3);
	expect_ok(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":64,\"value\":1,\"us\":1}}"));
	pulse_wait(64);
	assert_non_null(strstr(run("{\"cmd\":\"gpio.get\",\"args\":{\"line\":2}}"),
			       "\"drive\":1,\"pulse_left_us\":"));
}

/* ------------------------------------------------------------- errors */

static void test_gpio_ctl_bad_arguments_named(void **state)
{
	start(gpio_sim_new(8));
	expect_err(run("{\"cmd\":\"gpio.set\",\"args\":{\"line\":8,\"value\":1}}"),
		   "InvalidArgument", "line 8: out of range 0..7");
	expect_err(run("{\"cmd\":\"gpio.set\",\"args\":{\"line\":-1,\"value\":1}}"),
		   "InvalidArgument", "line -1: out of range 0..7");
	expect_err(run("{\"cmd\":\"gpio.set\",\"args\":{\"line\":1,\"value\":2}}"),
		   "InvalidArgument", "value 2: out of range 0..1");
	expect_err(run("{\"cmd\":\"gpio.set\",\"args\":{\"line\":1,\"value\":\"high\"}}"),
		   "InvalidArgument", "value \\\"high\\\": expected an integer");
	expect_err(run("{\"cmd\":\"gpio.set\",\"args\":{\"line\":1}}"),
		   "InvalidArgument", "missing argument 'value'");
	expect_err(run("{\"cmd\":\"gpio.set\",\"args\":{\"value\":1}}"),
		   "InvalidArgument", "missing argument 'line'");
	expect_err(run("{\"cmd\":\"gpio.set\",\"args\":{\"sock\":1,\"line\":1,\"value\":1}}"),
		   "InvalidArgument", "sock 1: out of range 0..0");
	expect_err(run("{\"cmd\":\"gpio.get\",\"args\":{\"sock\":2,\"line\":1}}"),
		   "InvalidArgument", "sock 2: out of range 0..0");
	expect_err(run("{\"cmd\":\"gpio.get\",\"args\":{\"line\":99}}"),
		   "InvalidArgument", "line 99: out of range 0..7");
	expect_err(run("{\"cmd\":\"gpio.release\",\"args\":{\"line\":1,\"value\":1}}"),
		   "InvalidArgument", "unknown argument 'value'; it takes: sock line");
	/* the device logic's own checks */
	assert_int_equal(gpio_dev_drive(&g, 8, 1), -EINVAL);
	assert_int_equal(gpio_dev_drive(&g, 0, 2), -EINVAL);
	/* nothing was driven */
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(gt_getv(&g, (uint16_t)i), 0);
}

/* Host chips: their inputs are the hardware's; get still reports. */
static void test_gpio_ctl_host_chip_refuses_drive(void **state)
{
	struct gt_msg m;

	start(fk_chip());
	expect_err(run("{\"cmd\":\"gpio.set\",\"args\":{\"line\":0,\"value\":1}}"),
		   "Failed", "sock 0: /dev/fake is a host chip, whose inputs follow the hardware");
	expect_err(run("{\"cmd\":\"gpio.release\",\"args\":{\"line\":0}}"),
		   "Failed", "/dev/fake is a host chip");
	expect_err(run("{\"cmd\":\"gpio.pulse\",\"args\":{\"line\":0,\"value\":1,\"ms\":1}}"),
		   "Failed", "/dev/fake is a host chip");
	assert_int_equal(gpio_dev_drive(&g, 0, 1), -EOPNOTSUPP);
	/* a line the guest does not use is not requested to be looked at */
	fk.requests = 0;
	assert_non_null(strstr(run("{\"cmd\":\"gpio.get\",\"args\":{\"line\":2}}"),
			       "\"direction\":\"none\",\"output\":null,\"irq\":\"none\","
			       "\"level\":null,\"drive\":null}"));
	assert_int_equal(fk.requests, 0);
	/* one it uses is read */
	fk.l[2].level = 1;
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 2, IRQ_RISING, NULL), OK);
	arm(&m, 2);
	assert_non_null(strstr(run("{\"cmd\":\"gpio.get\",\"args\":{\"line\":2}}"),
			       "\"direction\":\"in\",\"output\":null,\"irq\":\"rising\","
			       "\"level\":1,\"drive\":null}"));
}

/* ------------------------------------------------------------- list */

static void test_gpio_ctl_list_shows_lines(void **state)
{
	char dir[] = "/tmp/vdgctl.XXXXXX", path[64];
	struct gt_msg m;

	start(gpio_sim_new(6));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c.ctl", dir);
	assert_int_equal(ctl_server_start(l, path, "gpio", (struct vu_dev *[]){ NULL }, 1), 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 0, DIR_OUT, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 3, IRQ_FALLING, NULL), OK);
	arm(&m, 3);
	SET(4, 1);
	assert_non_null(strstr(run("{\"cmd\":\"list\"}"),
			       "\"chip\":{\"label\":\"s6\",\"simulated\":true,\"lines\":6,"
			       "\"direction\":\"o--i--\",\"irq\":\"---f--\",\"level\":\"110010\","
			       "\"drive\":\"----1-\"}"));
	ctl_server_stop();
	rmdir(dir);
}

static void test_gpio_ctl_list_large_chip_shows_first_lines(void **state)
{
	char dir[] = "/tmp/vdgctl.XXXXXX", path[64];
	const char *p;

	start(gpio_sim_new(GPIO_MAX_LINES));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c.ctl", dir);
	assert_int_equal(ctl_server_start(l, path, "gpio", (struct vu_dev *[]){ NULL }, 1), 0);
	SET(127, 1);
	SET(128, 1);
	p = strstr(run("{\"cmd\":\"list\"}"), "\"lines\":65535,\"shown\":128,\"direction\":\"");
	assert_non_null(p);
	p = strstr(p, "\"level\":\"");
	assert_non_null(p);
	p += strlen("\"level\":\"");
	assert_int_equal(strcspn(p, "\""), 128);
	assert_int_equal(p[127], '1');
	ctl_server_stop();
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_teardown(f, teardown)
		T(test_gpio_ctl_set_fires_edge_irq),
		T(test_gpio_ctl_set_fires_falling_and_both),
		T(test_gpio_ctl_set_fires_level_irq),
		T(test_gpio_ctl_drive_overrides_partner),
		T(test_gpio_ctl_drive_survives_guest_reset),
		T(test_gpio_ctl_pulse_makes_both_edges),
		T(test_gpio_ctl_pulses_end_in_turn),
		T(test_gpio_ctl_set_ends_pulse),
		T(test_gpio_ctl_pulse_bounds),
		T(test_gpio_ctl_bad_arguments_named),
		cmocka_unit_test_setup_teardown(test_gpio_ctl_host_chip_refuses_drive, fk_setup,
						teardown_fk),
		T(test_gpio_ctl_list_shows_lines),
		T(test_gpio_ctl_list_large_chip_shows_first_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
