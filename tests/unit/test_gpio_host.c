/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Unit tests of the host GPIO chip (gpio_host.c) under the virtio-gpio
 * device logic, with the stand-in for libgpiod (gpiod_fake.h): lines
 * requested only while used, reconfiguration in place or by a new
 * request, edge events through the loop, and what the host refuses or
 * fails (busy lines, failed reconfigurations, a lost request, event reads
 * that fail, chips of no lines or too many). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "devices/gpio.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "devfx.h"
#include "gpio_req.h"
#include "gpiod_fake.h"

/* Run the loop until nothing is ready. */
static void spin(struct loop *l)
{
	for (int i = 0; i < 10 && loop_run_once(l, 0) > 0; i++)
		;
}

static void test_gpio_host_open_errors(void **state)
{
	char err[128];

	assert_null(gpio_host_new(&fk_ops, "/dev/gpiochip99", err, sizeof(err)));
	assert_non_null(strstr(err, "/dev/gpiochip99"));
	assert_false(fk.open);
}

/* The fd budget (gpio.c hands it to serve_fds_need): a host chip may
 * hold its own fd and one request per line at once; a simulated chip
 * holds none. */
static void test_gpio_host_fd_budget(void **state)
{
	struct gpio_chip *c = fk_chip(), *sim = gpio_sim_new(8);

	assert_int_equal(c->fds, 4 + 1);
	c->ops->free(c);
	fk.nlines = FK_MAX_LINES;
	c = fk_chip();
	assert_int_equal(c->fds, FK_MAX_LINES + 1);
	c->ops->free(c);
	assert_non_null(sim);
	assert_int_equal(sim->fds, 0);
	sim->ops->free(sim);
}

static void test_gpio_host_names_and_kernel_directions(void **state)
{
	struct gpio_dev g;
	uint8_t r[8] = { 1, 0, 0, 0, 0, 0, 0, 0 }, cfg[8];
	static const uint8_t want[] = "LED\0\0BTN??\0reset";
	struct gt_msg m;

	gt_setup(&g, fk_chip(), NULL);
	gpio_dev_config(&g, cfg);
	assert_int_equal(cfg[0], 4);
	assert_int_equal(cfg[4], sizeof(want));
	assert_int_equal(gpio_dev_request(&g, gt_mk(&m, r, 8, 1 + sizeof(want))),
			 1 + sizeof(want));
	assert_memory_equal(m.in + 1, want, sizeof(want));
	/* unconfigured lines: the kernel's direction, nothing requested */
	assert_int_equal(gt_getdir(&g, 0), DIR_IN);
	assert_int_equal(gt_getdir(&g, 3), DIR_OUT);
	assert_int_equal(fk.requests, 0);
	gpio_dev_free(&g);
	assert_false(fk.open);
}

static void test_gpio_host_lines_requested_only_while_used(void **state)
{
	struct gpio_dev g;

	gt_setup(&g, fk_chip(), NULL);
	/* reading an unused line: requested as is, then released */
	fk.l[2].level = 1;
	assert_int_equal(gt_getv(&g, 2), 1);
	assert_int_equal(fk.requests, 1);
	assert_int_equal(fk.l[2].cfg.dir, GPIO_HW_ASIS);
	assert_false(fk.l[2].requested);
	/* the Linux order: value, then output */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_false(fk.l[0].requested);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 0, DIR_OUT, NULL), OK);
	assert_true(fk.l[0].requested);
	assert_string_equal(fk.consumer, "vhost-device");
	assert_int_equal(fk.l[0].cfg.dir, GPIO_HW_OUT);
	assert_int_equal(fk.l[0].cfg.value, 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(fk.l[0].cfg.value, 0);
	assert_int_equal(gt_getv(&g, 0), 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 0, DIR_NONE, NULL), OK);
	assert_false(fk.l[0].requested);
	/* reset releases whatever is still requested */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_IN, NULL), OK);
	assert_true(fk.l[1].requested);
	assert_int_equal(fk.l[1].cfg.dir, GPIO_HW_IN);
	assert_false(fk.l[1].cfg.edges);
	gpio_dev_reset(&g);
	assert_false(fk.l[1].requested);
	gpio_dev_free(&g);
}

static void switch_in_to_out(bool v1)
{
	struct gpio_dev g;

	fk.v1 = v1;
	gt_setup(&g, fk_chip(), NULL);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_IN, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 1, 1, NULL), OK);
	assert_int_equal(fk.l[1].cfg.dir, GPIO_HW_IN);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_OUT, NULL), OK);
	assert_true(fk.l[1].requested);
	assert_int_equal(fk.l[1].cfg.dir, GPIO_HW_OUT);
	assert_int_equal(fk.l[1].cfg.value, 1);
	assert_int_equal(gt_getdir(&g, 1), DIR_OUT);
	if (v1) {
		assert_int_equal(fk.requests, 2);
		assert_int_equal(fk.releases, 1);
	} else {
		assert_int_equal(fk.requests, 1);
		assert_int_equal(fk.reconfigures, 1);
	}
	gpio_dev_free(&g);
}

static void test_gpio_host_input_to_output_reconfigures(void **state)
{
	switch_in_to_out(false);
}

static void test_gpio_host_input_to_output_rerequests(void **state)
{
	switch_in_to_out(true);
}

static void test_gpio_host_busy_line_err(void **state)
{
	struct gpio_dev g;

	gt_setup(&g, fk_chip(), NULL);
	fk.l[2].busy = true;
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 2, DIR_OUT, NULL), ERR);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 2,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH, NULL), ERR);
	assert_int_equal(gt_getdir(&g, 2), DIR_IN);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_GET_VALUE, 2, 0, NULL), ERR);
	fk.l[2].busy = false;
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 2, DIR_OUT, NULL), OK);
	gpio_dev_free(&g);
}

static void test_gpio_host_edge_events_through_loop(void **state)
{
	struct loop *l = loop_new();
	struct gpio_dev g;
	struct gt_msg m;

	assert_non_null(l);
	gt_setup(&g, fk_chip(), l);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 2,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_true(fk.l[2].requested);
	assert_int_equal(fk.l[2].cfg.dir, GPIO_HW_IN);
	assert_true(fk.l[2].cfg.edges);
	assert_int_equal(gt_ev(&g, &m, 2), DEV_HELD);
	/* a falling edge: nothing; a rising one: VALID through the loop */
	fk_edge(2, 0);
	spin(l);
	assert_int_equal(gt_ndone, 0);
	fk_edge(2, 1);
	assert_int_equal(gt_ndone, 0);            /* only from the loop */
	spin(l);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_VALID);
	/* masked: latched, delivered when unmasked */
	fk_edge(2, 0);
	fk_edge(2, 1);
	spin(l);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_ev(&g, &m, 2), DEV_HELD);
	assert_int_equal(gt_ndone, 2);
	/* disabled: edge detection off, the fd leaves the loop */
	assert_int_equal(gt_ev(&g, &m, 2), DEV_HELD);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 2, 0, NULL), OK);
	assert_int_equal(gt_ndone, 3);
	assert_int_equal(gt_done_status[2], VIRTIO_GPIO_IRQ_STATUS_INVALID);
	assert_true(fk.l[2].requested);
	assert_false(fk.l[2].cfg.edges);
	assert_int_equal(fk.l[2].pipe[0], -1);
	gpio_dev_free(&g);
	assert_false(fk.l[2].requested);
	loop_free(l);
}

static void test_gpio_host_level_from_edges_and_value(void **state)
{
	struct loop *l = loop_new();
	struct gpio_dev g;
	struct gt_msg m;

	assert_non_null(l);
	fk.v1 = true;     /* re-requests move the event fd: the watch follows */
	gt_setup(&g, fk_chip(), l);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_IN, NULL), OK);
	fk.l[1].level = 1;
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH, NULL), OK);
	assert_true(fk.l[1].cfg.edges);
	/* high when unmasked: fires, and again after unmask while high
	 * (the current value is read) */
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 2);
	fk_edge(1, 0);
	spin(l);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 2);
	fk_edge(1, 1);
	spin(l);
	assert_int_equal(gt_ndone, 3);
	assert_int_equal(gt_done_status[2], VIRTIO_GPIO_IRQ_STATUS_VALID);
	/* level low, switched while enabled */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 3);
	fk_edge(1, 0);
	spin(l);
	assert_int_equal(gt_ndone, 4);
	gpio_dev_free(&g);
	loop_free(l);
}

/* A chip of no lines, or of more than a virtio-gpio device can number,
 * is refused naming the count; the chip is closed again. */
static void test_gpio_host_line_count_refused(void **state)
{
	static const unsigned counts[] = { 0, GPIO_MAX_LINES + 1 };
	char err[128], want[64];

	for (unsigned i = 0; i < 2; i++) {
		fk.nlines = counts[i];
		errno = 0;
		assert_null(gpio_host_new(&fk_ops, "/dev/fake", err, sizeof(err)));
		assert_int_equal(errno, ERANGE);
		snprintf(want, sizeof(want), "/dev/fake: %u lines (1 to %u supported)", counts[i],
			 GPIO_MAX_LINES);
		assert_string_equal(err, want);
		assert_false(fk.open);
	}
}

/* Line names the kernel cannot give are empty, not an error. */
static void test_gpio_host_names_unreadable_are_empty(void **state)
{
	struct gpio_dev g;
	uint8_t r[8] = { 1, 0, 0, 0, 0, 0, 0, 0 }, cfg[8];
	struct gt_msg m;

	fk.info_fails = true;
	gt_setup(&g, fk_chip(), NULL);
	gpio_dev_config(&g, cfg);
	assert_int_equal(cfg[0], 4);
	assert_int_equal(cfg[4], 4);                    /* four empty names */
	assert_int_equal(gpio_dev_request(&g, gt_mk(&m, r, 8, 5)), 5);
	assert_memory_equal(m.in + 1, "\0\0\0\0", 4);
	/* nor can it say the direction of an unused line: an error */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_GET_DIRECTION, 0, 0, NULL), ERR);
	gpio_dev_free(&g);
}

/* A reconfiguration the kernel refuses (other than "not in place") is
 * an error for the guest; the line keeps its request and direction. */
static void test_gpio_host_reconfigure_failure(void **state)
{
	struct gpio_dev g;

	gt_setup(&g, fk_chip(), NULL);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_IN, NULL), OK);
	fk.reconfigure_err = -EIO;
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_OUT, NULL), ERR);
	assert_int_equal(fk.requests, 1);
	assert_int_equal(fk.releases, 0);
	assert_true(fk.l[1].requested);
	assert_int_equal(fk.l[1].cfg.dir, GPIO_HW_IN);
	assert_int_equal(gt_getdir(&g, 1), DIR_IN);
	fk.reconfigure_err = 0;
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_OUT, NULL), OK);
	assert_int_equal(fk.l[1].cfg.dir, GPIO_HW_OUT);
	gpio_dev_free(&g);
}

/* libgpiod 1.x (no reconfiguration in place): when the new request
 * fails, the old one is restored and the guest gets an error. */
static void test_gpio_host_rerequest_failure_restores(void **state)
{
	struct gpio_dev g;

	fk.v1 = true;
	gt_setup(&g, fk_chip(), NULL);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 1, 1, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_OUT, NULL), OK);
	fk.fail_requests = 1;
	devfx_log_capture();
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_IN, NULL), ERR);
	assert_false(devfx_log_has("lost its request"));
	assert_true(fk.l[1].requested);
	assert_int_equal(fk.l[1].cfg.dir, GPIO_HW_OUT);
	assert_int_equal(fk.l[1].cfg.value, 1);
	assert_int_equal(gt_getdir(&g, 1), DIR_OUT);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 1, 0, NULL), OK);
	assert_int_equal(fk.l[1].cfg.value, 0);
	gpio_dev_free(&g);
}

/* When the old request cannot be restored either, the line has none:
 * the loss is logged naming the line, what needs the request fails
 * instead of using it, and the next configuration requests the line
 * again. */
static void test_gpio_host_request_lost_while_reconfiguring(void **state)
{
	struct gpio_dev g;

	fk.v1 = true;
	gt_setup(&g, fk_chip(), NULL);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_OUT, NULL), OK);
	fk.fail_requests = 2;
	devfx_log_capture();
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_IN, NULL), ERR);
	assert_true(devfx_log_has("gpio /dev/fake: line 1: lost its request while reconfiguring"));
	assert_false(fk.l[1].requested);
	assert_int_equal(gt_getdir(&g, 1), DIR_OUT);    /* the guest's view is unchanged */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 1, 1, NULL), ERR);
	assert_false(fk.l[1].requested);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_IN, NULL), OK);
	assert_true(fk.l[1].requested);
	assert_int_equal(fk.l[1].cfg.dir, GPIO_HW_IN);
	gpio_dev_free(&g);
	assert_false(fk.l[1].requested);
}

/* Reading a line's events fails: logged naming the line, nothing
 * delivered; the event is delivered once reading works again. */
static void test_gpio_host_event_read_failure(void **state)
{
	struct loop *l = loop_new();
	struct gpio_dev g;
	struct gt_msg m;

	assert_non_null(l);
	gt_setup(&g, fk_chip(), l);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 2,
				VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 2), DEV_HELD);
	fk.l[2].read_fails = true;
	fk_edge(2, 1);
	devfx_log_capture();
	assert_int_equal(loop_run_once(l, 0), 1);
	assert_true(devfx_log_has("gpio /dev/fake: line 2: reading its events: Input/output error"));
	assert_int_equal(gt_ndone, 0);
	fk.l[2].read_fails = false;
	spin(l);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_VALID);
	gpio_dev_free(&g);
	loop_free(l);
}

int main(void)
{
#define H(f) cmocka_unit_test_setup_teardown(f, fk_setup, fk_teardown)
	const struct CMUnitTest tests[] = {
		H(test_gpio_host_open_errors),
		H(test_gpio_host_fd_budget),
		H(test_gpio_host_line_count_refused),
		H(test_gpio_host_names_and_kernel_directions),
		H(test_gpio_host_names_unreadable_are_empty),
		H(test_gpio_host_lines_requested_only_while_used),
		H(test_gpio_host_input_to_output_reconfigures),
		H(test_gpio_host_input_to_output_rerequests),
		H(test_gpio_host_reconfigure_failure),
		H(test_gpio_host_rerequest_failure_restores),
		H(test_gpio_host_request_lost_while_reconfiguring),
		H(test_gpio_host_busy_line_err),
		H(test_gpio_host_edge_events_through_loop),
		H(test_gpio_host_event_read_failure),
		H(test_gpio_host_level_from_edges_and_value),
	};

	return cmocka_run_group_tests_name("gpio_host", tests, NULL, NULL);
}
