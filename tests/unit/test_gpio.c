/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Unit tests of the virtio-gpio device logic (gpio_core.c) over the
 * simulated chip, and of the --device-list parser (the host chip:
 * test_gpio_host.c).  Requests are built as vq_elem with host buffers, as
 * the core hands them to the device (gpio_req.h). */
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
#include <cmocka.h>

#include "devices/gpio.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "devfx.h"
#include "gpio_req.h"

/* ------------------------------------------------- simulated chip tests */

static void test_gpio_config_and_names(void **state)
{
	struct gpio_dev g;
	uint8_t cfg[8], r[8] = { 1, 0, 0, 0, 0, 0, 0, 0 };
	struct gt_msg m;
	const char *p;

	gt_setup(&g, gpio_sim_new(8), NULL);
	gpio_dev_config(&g, cfg);
	assert_int_equal(cfg[0] | cfg[1] << 8, 8);
	assert_int_equal(cfg[2] | cfg[3], 0);
	assert_int_equal(cfg[4] | cfg[5] << 8 | cfg[6] << 16 | cfg[7] << 24, 8 * 7);
	/* exactly status + block, as the Linux driver checks */
	assert_int_equal(gpio_dev_request(&g, gt_mk(&m, r, 8, 1 + 56)), 57);
	assert_int_equal(m.in[0], OK);
	p = (const char *)m.in + 1;
	for (unsigned i = 0; i < 8; i++) {
		char want[16];

		snprintf(want, sizeof(want), "dummy%u", i);
		assert_string_equal(p, want);
		p += strlen(p) + 1;
	}
	/* a larger buffer: still only the block */
	assert_int_equal(gpio_dev_request(&g, gt_mk(&m, r, 8, 100)), 57);
	/* too small: ERR */
	assert_int_equal(gpio_dev_request(&g, gt_mk(&m, r, 8, 56)), 2);
	assert_int_equal(m.in[0], ERR);
	gpio_dev_free(&g);
}

static void test_gpio_directions(void **state)
{
	struct gpio_dev g;

	gt_setup(&g, gpio_sim_new(4), NULL);
	/* unconfigured simulated lines are inputs (Linux probes every line) */
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(gt_getdir(&g, (uint16_t)i), DIR_IN);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 2, DIR_OUT, NULL), OK);
	assert_int_equal(gt_getdir(&g, 2), DIR_OUT);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 2, DIR_IN, NULL), OK);
	assert_int_equal(gt_getdir(&g, 2), DIR_IN);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 2, DIR_NONE, NULL), OK);
	assert_int_equal(gt_getdir(&g, 2), DIR_IN);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 2, 3, NULL), ERR);
	gpio_dev_free(&g);
}

static void test_gpio_set_value_before_direction_out(void **state)
{
	struct gpio_dev g;

	gt_setup(&g, gpio_sim_new(2), NULL);
	/* the Linux driver's direction_output: SET_VALUE, then SET_DIRECTION */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_getv(&g, 1), 0);      /* not driving yet */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 0, DIR_OUT, NULL), OK);
	assert_int_equal(gt_getv(&g, 0), 1);
	assert_int_equal(gt_getv(&g, 1), 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(gt_getv(&g, 0), 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 2, NULL), ERR);
	assert_int_equal(gt_getv(&g, 0), 0);
	gpio_dev_free(&g);
}

static void test_gpio_input_to_output_switch(void **state)
{
	struct gpio_dev g;

	gt_setup(&g, gpio_sim_new(2), NULL);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_IN, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 1, 1, NULL), OK);
	assert_int_equal(gt_getv(&g, 1), 0);      /* still an input */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_OUT, NULL), OK);
	assert_int_equal(gt_getv(&g, 1), 1);
	assert_int_equal(gt_getv(&g, 0), 1);
	/* SET_DIRECTION(NONE) discards the line's state */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_NONE, NULL), OK);
	assert_int_equal(gt_getv(&g, 0), 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_OUT, NULL), OK);
	assert_int_equal(gt_getv(&g, 1), 0);
	gpio_dev_free(&g);
}

static void test_gpio_sim_pairs(void **state)
{
	struct gpio_dev g;

	gt_setup(&g, gpio_sim_new(5), NULL);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 3, 1, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 3, DIR_OUT, NULL), OK);
	assert_int_equal(gt_getv(&g, 2), 1);
	assert_int_equal(gt_getv(&g, 0), 0);      /* other pairs untouched */
	assert_int_equal(gt_getv(&g, 1), 0);
	assert_int_equal(gt_getv(&g, 4), 0);      /* no partner */
	/* both outputs: each reads its own value */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 2, DIR_OUT, NULL), OK);
	assert_int_equal(gt_getv(&g, 2), 0);
	assert_int_equal(gt_getv(&g, 3), 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 3, DIR_IN, NULL), OK);
	assert_int_equal(gt_getv(&g, 3), 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 2, 1, NULL), OK);
	assert_int_equal(gt_getv(&g, 3), 1);
	gpio_dev_free(&g);
}

static void test_gpio_line_out_of_range(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;
	uint16_t t;

	gt_setup(&g, gpio_sim_new(8), NULL);
	for (t = VIRTIO_GPIO_MSG_GET_DIRECTION; t <= VIRTIO_GPIO_MSG_SET_IRQ_TYPE; t++) {
		assert_int_equal(gt_req(&g, t, 8, 0, NULL), ERR);
		assert_int_equal(gt_req(&g, t, 0xffff, 1, NULL), ERR);
	}
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_GET_VALUE, 7, 0, NULL), OK);
	/* eventq: returned INVALID at once, the line named */
	devfx_log_capture();
	assert_int_equal(gt_ev(&g, &m, 8), DEV_HELD);
	assert_true(devfx_log_has("eventq buffer for line 8 of 8"));
	assert_int_equal(gt_ndone, 1);
	assert_ptr_equal(gt_done[0], &m.e);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_INVALID);
	assert_int_equal(g.held, 0);
	gpio_dev_free(&g);
}

static void test_gpio_malformed_requests(void **state)
{
	struct gpio_dev g;
	uint8_t r[9] = { 4, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(8), NULL);
	/* short and long requests: ERR */
	assert_int_equal(gpio_dev_request(&g, gt_mk(&m, r, 7, 2)), 2);
	assert_int_equal(m.in[0], ERR);
	assert_int_equal(gpio_dev_request(&g, gt_mk(&m, r, 9, 2)), 2);
	assert_int_equal(m.in[0], ERR);
	assert_int_equal(gpio_dev_request(&g, gt_mk(&m, r, 0, 2)), 2);
	assert_int_equal(m.in[0], ERR);
	/* no status byte: nothing can be written */
	assert_int_equal(gpio_dev_request(&g, gt_mk(&m, r, 8, 0)), -EINVAL);
	/* one byte: no room for {status, value}, completed with nothing
	 * (a 1-byte return would also read as DEV_HELD) */
	assert_int_equal(gpio_dev_request(&g, gt_mk(&m, r, 8, 1)), -EINVAL);
	/* unknown types, named */
	assert_int_equal(gt_req(&g, 0, 0, 0, NULL), ERR);
	devfx_log_capture();
	assert_int_equal(gt_req(&g, 7, 0, 0, NULL), ERR);
	assert_true(devfx_log_has("gpio s8: unknown message type 7"));
	assert_int_equal(gt_req(&g, 0xffff, 0, 0, NULL), ERR);
	/* bad interrupt types */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, 5, NULL), ERR);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, 16, NULL), ERR);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, 0x104, NULL), ERR);
	/* malformed eventq elements: INVALID at once, or nothing */
	assert_int_equal(gpio_dev_event(&g, gt_mk(&m, r, 1, 1)), DEV_HELD);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_INVALID);
	assert_int_equal(gpio_dev_event(&g, gt_mk(&m, r, 3, 1)), DEV_HELD);
	assert_int_equal(gt_ndone, 2);
	assert_int_equal(gt_done_status[1], VIRTIO_GPIO_IRQ_STATUS_INVALID);
	assert_int_equal(gpio_dev_event(&g, gt_mk(&m, r, 2, 0)), -EINVAL);
	assert_int_equal(gt_ndone, 2);
	assert_int_equal(g.held, 0);
	/* still serving */
	assert_int_equal(gt_getv(&g, 0), 0);
	gpio_dev_free(&g);
}

static void test_gpio_irq_needs_feature(void **state)
{
	struct gpio_dev g;

	gt_setup(&g, gpio_sim_new(2), NULL);
	g.irq = false;
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH, NULL), ERR);
	g.irq = true;
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH, NULL), OK);
	gpio_dev_free(&g);
}

static void test_gpio_irq_not_on_outputs(void **state)
{
	struct gpio_dev g;

	gt_setup(&g, gpio_sim_new(2), NULL);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 0, DIR_OUT, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 0,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), ERR);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 0, 0, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_OUT, NULL), ERR);
	assert_int_equal(gt_getdir(&g, 1), DIR_IN);
	gpio_dev_free(&g);
}

/* line 0 drives line 1 */
static void drive0(struct gpio_dev *g, uint8_t v)
{
	assert_int_equal(gt_req(g, VIRTIO_GPIO_MSG_SET_VALUE, 0, v, NULL), OK);
	assert_int_equal(gt_req(g, VIRTIO_GPIO_MSG_SET_DIRECTION, 0, DIR_OUT, NULL), OK);
}

static void test_gpio_irq_edge_rising(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(8), NULL);
	drive0(&g, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_int_equal(gt_getdir(&g, 1), DIR_IN);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(g.held, 1);
	assert_int_equal(gt_ndone, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_ndone, 1);
	assert_ptr_equal(gt_done[0], &m.e);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_VALID);
	assert_int_equal(g.held, 0);
	/* a falling edge is not latched for a rising interrupt */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 1);
	/* setting the same value again is no edge */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_ndone, 2);
	gpio_dev_free(&g);
}

static void test_gpio_irq_edge_falling_and_both(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(8), NULL);
	drive0(&g, 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_ndone, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	/* change the type of an enabled interrupt, as Linux may do */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(gt_ndone, 2);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_ndone, 3);
	assert_int_equal(gt_done_status[2], VIRTIO_GPIO_IRQ_STATUS_VALID);
	gpio_dev_free(&g);
}

static void test_gpio_irq_edge_latched_while_masked(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(2), NULL);
	drive0(&g, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH, NULL), OK);
	/* masked (no buffer): the edge is latched */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_ndone, 0);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_VALID);
	/* the latch is consumed */
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(g.held, 1);
	gpio_dev_free(&g);
}

static void test_gpio_irq_disable_discards_latch(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(2), NULL);
	drive0(&g, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, 0, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 0);
	gpio_dev_free(&g);
}

static void test_gpio_irq_none_returns_buffer_invalid(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(2), NULL);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, 0, NULL), OK);
	assert_int_equal(gt_ndone, 1);
	assert_ptr_equal(gt_done[0], &m.e);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_INVALID);
	assert_int_equal(g.held, 0);
	/* disabled: a level that holds does not fire */
	drive0(&g, 1);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 1);
	/* SET_DIRECTION(NONE) also returns it */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_NONE, NULL), OK);
	assert_int_equal(gt_ndone, 2);
	assert_int_equal(gt_done_status[1], VIRTIO_GPIO_IRQ_STATUS_INVALID);
	gpio_dev_free(&g);
}

static void test_gpio_irq_buffer_kept_while_disabled(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(2), NULL);
	drive0(&g, 0);
	/* queued before the interrupt is enabled: kept, fires once enabled */
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_ndone, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING, NULL), OK);
	assert_int_equal(gt_ndone, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_VALID);
	gpio_dev_free(&g);
}

static void test_gpio_irq_second_buffer_returned(void **state)
{
	struct gpio_dev g;
	struct gt_msg m1, m2;

	gt_setup(&g, gpio_sim_new(2), NULL);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_int_equal(gt_ev(&g, &m1, 1), DEV_HELD);
	assert_int_equal(gt_ev(&g, &m2, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 1);
	assert_ptr_equal(gt_done[0], &m2.e);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_INVALID);
	assert_int_equal(g.held, 1);
	drive0(&g, 1);
	assert_int_equal(gt_ndone, 2);
	assert_ptr_equal(gt_done[1], &m1.e);
	assert_int_equal(gt_done_status[1], VIRTIO_GPIO_IRQ_STATUS_VALID);
	gpio_dev_free(&g);
}

static void test_gpio_irq_level_high_refires_while_held(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(2), NULL);
	drive0(&g, 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH, NULL), OK);
	/* level active when unmasked: fires at once, and again after each
	 * unmask while it holds */
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
		assert_int_equal(gt_ndone, i + 1);
		assert_int_equal(gt_done_status[i], VIRTIO_GPIO_IRQ_STATUS_VALID);
	}
	/* low: held, not latched */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 3);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_ndone, 4);
	/* a pulse while masked is not latched for a level type */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 4);
	gpio_dev_free(&g);
}

static void test_gpio_irq_level_low(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(2), NULL);
	drive0(&g, 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 2);
	gpio_dev_free(&g);
}

/* A level type set on a line whose level is already active, with its
 * eventq buffer queued: no edge will come to say so, so the buffer comes
 * back VALID at once; the same when the type of an enabled interrupt is
 * changed to a level that holds. */
static void test_gpio_irq_level_set_while_active_fires_at_once(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(2), NULL);
	drive0(&g, 1);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);   /* kept while disabled */
	assert_int_equal(gt_ndone, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
				VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH, NULL), OK);
	assert_int_equal(gt_ndone, 1);
	assert_ptr_equal(gt_done[0], &m.e);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_VALID);
	/* low: a new buffer is held; switched to LEVEL_LOW, it fires */
	drive0(&g, 0);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
				VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW, NULL), OK);
	assert_int_equal(gt_ndone, 2);
	assert_int_equal(gt_done_status[1], VIRTIO_GPIO_IRQ_STATUS_VALID);
	/* a level that does not hold: held */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, 0, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
				VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH, NULL), OK);
	assert_int_equal(gt_ndone, 2);
	gpio_dev_free(&g);
}

/* Setting the type a line already has changes nothing: an edge latched
 * while masked stays latched, a held buffer stays held. */
static void test_gpio_irq_same_type_again_keeps_state(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(2), NULL);
	drive0(&g, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
				VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	drive0(&g, 1);                                  /* latched: no buffer */
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
				VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 1);
	assert_int_equal(gt_done_status[0], VIRTIO_GPIO_IRQ_STATUS_VALID);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
				VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_int_equal(gt_ndone, 1);                  /* still held */
	assert_int_equal(g.held, 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_ndone, 2);
	assert_ptr_equal(gt_done[1], &m.e);
	assert_int_equal(gt_done_status[1], VIRTIO_GPIO_IRQ_STATUS_VALID);
	gpio_dev_free(&g);
}

static void test_gpio_events_stop_forgets_buffers(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(2), NULL);
	drive0(&g, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	gpio_dev_events_stop(&g);
	assert_int_equal(g.held, 0);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	assert_int_equal(gt_ndone, 0);
	/* the interrupt stays configured: the edge is latched */
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	assert_int_equal(gt_ndone, 1);
	gpio_dev_free(&g);
}

static void test_gpio_reset_clears_lines(void **state)
{
	struct gpio_dev g;
	struct gt_msg m;

	gt_setup(&g, gpio_sim_new(2), NULL);
	drive0(&g, 1);
	assert_int_equal(gt_req(&g, VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1,
			     VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING, NULL), OK);
	assert_int_equal(gt_ev(&g, &m, 1), DEV_HELD);
	gpio_dev_reset(&g);
	assert_int_equal(gt_ndone, 0);            /* forgotten, not completed */
	assert_false(g.irq);
	g.irq = true;
	assert_int_equal(gt_getdir(&g, 0), DIR_IN);
	assert_int_equal(gt_getv(&g, 1), 0);
	gpio_dev_free(&g);
}

/* ------------------------------------------------------- --device-list */

static void test_gpio_device_list_parse(void **state)
{
	struct gpio_chip_spec s[8];
	char err[256];

	assert_int_equal(gpio_parse_device_list("3:s4:6:s1", s, 8, err, sizeof(err)), 4);
	assert_false(s[0].sim);
	assert_int_equal(s[0].n, 3);
	assert_true(s[1].sim);
	assert_int_equal(s[1].n, 4);
	assert_int_equal(s[2].n, 6);
	assert_true(s[3].sim);
	assert_int_equal(gpio_parse_device_list("s8", s, 8, err, sizeof(err)), 1);
	assert_int_equal(gpio_parse_device_list("s8:s8", s, 8, err, sizeof(err)), 2);
	assert_int_equal(gpio_parse_device_list("0", s, 8, err, sizeof(err)), 1);
}

static void test_gpio_device_list_errors_name_the_entry(void **state)
{
	static const struct {
		const char *list, *needle;
	} bad[] = {
		{ "3:4:3", "'3'" }, { "s0", "'s0'" }, { "s65536", "'s65536'" },
		{ "70000", "'70000'" }, { "x1", "'x1'" }, { "1::2", "empty" },
		{ "", "empty" }, { "2:", "empty" }, { "-1", "'-1'" }, { "s", "'s'" },
		{ "0x3", "'0x3'" }, { "s4a", "'s4a'" },
	};
	struct gpio_chip_spec s[8];
	char err[256];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(gpio_parse_device_list(bad[i].list, s, 8, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].needle))
			fail_msg("'%s': '%s' does not name %s", bad[i].list, err, bad[i].needle);
	}
	assert_int_equal(gpio_parse_device_list("s1:s1:s1", s, 2, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpio_config_and_names),
		cmocka_unit_test(test_gpio_directions),
		cmocka_unit_test(test_gpio_set_value_before_direction_out),
		cmocka_unit_test(test_gpio_input_to_output_switch),
		cmocka_unit_test(test_gpio_sim_pairs),
		cmocka_unit_test(test_gpio_line_out_of_range),
		cmocka_unit_test(test_gpio_malformed_requests),
		cmocka_unit_test(test_gpio_irq_needs_feature),
		cmocka_unit_test(test_gpio_irq_not_on_outputs),
		cmocka_unit_test(test_gpio_irq_edge_rising),
		cmocka_unit_test(test_gpio_irq_edge_falling_and_both),
		cmocka_unit_test(test_gpio_irq_edge_latched_while_masked),
		cmocka_unit_test(test_gpio_irq_disable_discards_latch),
		cmocka_unit_test(test_gpio_irq_none_returns_buffer_invalid),
		cmocka_unit_test(test_gpio_irq_buffer_kept_while_disabled),
		cmocka_unit_test(test_gpio_irq_second_buffer_returned),
		cmocka_unit_test(test_gpio_irq_level_high_refires_while_held),
		cmocka_unit_test(test_gpio_irq_level_low),
		cmocka_unit_test(test_gpio_irq_level_set_while_active_fires_at_once),
		cmocka_unit_test(test_gpio_irq_same_type_again_keeps_state),
		cmocka_unit_test(test_gpio_events_stop_forgets_buffers),
		cmocka_unit_test(test_gpio_reset_clears_lines),
		cmocka_unit_test(test_gpio_device_list_parse),
		cmocka_unit_test(test_gpio_device_list_errors_name_the_entry),
	};

	return cmocka_run_group_tests_name("gpio", tests, NULL, NULL);
}
