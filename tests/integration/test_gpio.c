/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The GPIO device end to end: `vhost-device gpio -s S -c 2 -l s8:s4`
 * driven by the test frontend on each socket as QEMU and the Linux
 * gpio-virtio driver would: config and line names, the driver's probe,
 * values, every interrupt type through the eventq, disabling an interrupt
 * (the pending buffer comes back INVALID at once), out-of-range lines,
 * malformed requests and chains, reconnects (the command line, the
 * identity it serves as and its trace: test_gpio_cli.c). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"
#include "gpio_req.h"
#include "gpio_evq.h"

static struct itest_daemon dmn;
static char sock0[160], sock1[160];

/* ---------------------------------------------------------------- daemon */

static int spawn_gpio(struct proc *p, void *arg)
{
	static const char *const args[] = { "-l", "s8:s4", NULL };

	proc_sock_path(p, 2, 0, sock0, sizeof(sock0));
	proc_sock_path(p, 2, 1, sock1, sizeof(sock1));
	return proc_spawn_sockets(p, "gpio", 2, args);
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn_gpio, NULL);
	return 0;
}

/* Each test: the daemon must still run after it. */
static int teardown(void **state)
{
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	return itest_daemon_stop(&dmn) != 0;
}

/* ------------------------------------------------------------- messages */

/* ------------------------------------------------------------------ tests */

static void test_gpio_int_features_config_and_names(void **state)
{
	static const unsigned lines[2] = { 8, 4 };
	const char *socks[2] = { sock0, sock1 };

	for (unsigned s = 0; s < 2; s++) {
		struct fe *fe = open_fe(socks[s]);
		uint8_t req[8] = { MSG_GET_LINE_NAMES, 0, 0, 0, 0, 0, 0, 0 };
		uint8_t rsp[128];
		uint32_t names_size, len = 0;
		const char *p;

		assert_int_equal(fe->nqueues, 2);
		assert_true(fe->dev_features & BIT64(0));            /* VIRTIO_GPIO_F_IRQ */
		assert_true(fe->features & BIT64(0));
		assert_true(fe->protocol & BIT64(VHOST_USER_PROTOCOL_F_CONFIG));
		assert_int_equal(fe->config_len, 8);
		assert_int_equal(fe->config[0] | fe->config[1] << 8, lines[s]);
		assert_int_equal(fe->config[2] | fe->config[3], 0);
		names_size = fe->config[4] | fe->config[5] << 8 | fe->config[6] << 16 |
			     (uint32_t)fe->config[7] << 24;
		assert_int_equal(names_size, 7 * lines[s]);
		/* as the Linux driver at probe: status + names_size bytes */
		memset(rsp, 0xee, sizeof(rsp));
		assert_int_equal(fe_request(fe, 0, req, 8, rsp, 1 + names_size, &len, WAIT_MS), 0);
		assert_int_equal(len, 1 + names_size);
		assert_int_equal(rsp[0], ST_OK);
		p = (const char *)rsp + 1;
		for (unsigned i = 0; i < lines[s]; i++) {
			char want[16];

			snprintf(want, sizeof(want), "dummy%u", i);
			assert_string_equal(p, want);
			p += strlen(p) + 1;
		}
		/* every line's direction, as gpiochip_add_data asks */
		for (unsigned i = 0; i < lines[s]; i++) {
			uint8_t d = 0xff;

			assert_int_equal(greq(fe, MSG_GET_DIRECTION, (uint16_t)i, 0, &d), ST_OK);
			assert_int_equal(d, DIR_IN);
		}
		itest_close_ok(fe);
	}
}

static void test_gpio_int_values_and_pairs(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint8_t d;

	drive(fe, 0, 1);
	assert_int_equal(greq(fe, MSG_GET_DIRECTION, 0, 0, &d), ST_OK);
	assert_int_equal(d, DIR_OUT);
	assert_int_equal(getv(fe, 0), 1);
	assert_int_equal(getv(fe, 1), 1);     /* wired to line 0 */
	assert_int_equal(getv(fe, 2), 0);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 0, 0, NULL), ST_OK);
	assert_int_equal(getv(fe, 0), 0);
	assert_int_equal(getv(fe, 1), 0);
	/* input -> output switch of line 1, the Linux way */
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 1, DIR_IN, NULL), ST_OK);
	drive(fe, 1, 1);
	assert_int_equal(getv(fe, 1), 1);
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 0, DIR_IN, NULL), ST_OK);
	assert_int_equal(getv(fe, 0), 1);
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 1, DIR_NONE, NULL), ST_OK);
	assert_int_equal(getv(fe, 0), 0);
	itest_close_ok(fe);
}

static void test_gpio_int_sockets_are_independent(void **state)
{
	struct fe *a = open_fe(sock0);
	struct fe *b = open_fe(sock1);

	drive(a, 0, 1);
	assert_int_equal(getv(a, 1), 1);
	assert_int_equal(getv(b, 1), 0);
	drive(b, 3, 1);
	assert_int_equal(getv(b, 2), 1);
	assert_int_equal(getv(a, 2), 0);
	itest_close_ok(a);
	itest_close_ok(b);
}

static void test_gpio_int_edge_irq_from_partner(void **state)
{
	struct fe *fe = open_fe(sock0);

	drive(fe, 0, 0);
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 1, DIR_IN, NULL), ST_OK);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 1, IRQ_RISING, NULL), ST_OK);
	ev_queue(fe, 1);
	expect_no_ev(fe, 1, IRQ_RISING);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 0, 1, NULL), ST_OK);
	expect_ev(fe, 1, EV_VALID);
	/* as handle_level_irq + unmask: queue again, no edge, nothing */
	ev_queue(fe, 1);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 0, 0, NULL), ST_OK);   /* falling */
	expect_no_ev(fe, 1, IRQ_RISING);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 1, IRQ_NONE, NULL), ST_OK);
	expect_ev(fe, 1, EV_INVALID);
	itest_close_ok(fe);
}

/* Every type on socket 1 (s4): line 3 drives line 2. */
static void test_gpio_int_every_irq_type(void **state)
{
	static const struct {
		uint8_t type, start, fire_on;  /* fire_on: value that triggers */
		bool level;
	} t[] = {
		{ IRQ_RISING, 0, 1, false }, { IRQ_FALLING, 1, 0, false },
		{ IRQ_BOTH, 0, 1, false }, { IRQ_HIGH, 0, 1, true }, { IRQ_LOW, 1, 0, true },
	};
	struct fe *fe = open_fe(sock1);

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		drive(fe, 3, t[i].start);
		assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 2, t[i].type, NULL), ST_OK);
		ev_queue(fe, 2);
		expect_no_ev(fe, 2, t[i].type);
		assert_int_equal(greq(fe, MSG_SET_VALUE, 3, t[i].fire_on, NULL), ST_OK);
		expect_ev(fe, 2, EV_VALID);
		ev_queue(fe, 2);
		if (t[i].level) {
			/* unmasked while the level holds: fires again */
			expect_ev(fe, 2, EV_VALID);
			assert_int_equal(greq(fe, MSG_SET_VALUE, 3, t[i].start, NULL), ST_OK);
			ev_queue(fe, 2);
			expect_no_ev(fe, 2, t[i].type);
		} else if (t[i].type == IRQ_BOTH) {
			assert_int_equal(greq(fe, MSG_SET_VALUE, 3, t[i].start, NULL), ST_OK);
			expect_ev(fe, 2, EV_VALID);
			ev_queue(fe, 2);
		} else {
			/* the opposite edge does not fire */
			assert_int_equal(greq(fe, MSG_SET_VALUE, 3, t[i].start, NULL), ST_OK);
			expect_no_ev(fe, 2, t[i].type);
		}
		/* disable: the pending buffer comes back INVALID at once */
		assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 2, IRQ_NONE, NULL), ST_OK);
		expect_ev(fe, 2, EV_INVALID);
	}
	itest_close_ok(fe);
}

static void test_gpio_int_edge_latched_while_masked(void **state)
{
	struct fe *fe = open_fe(sock0);

	drive(fe, 4, 0);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_BOTH, NULL), ST_OK);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 4, 1, NULL), ST_OK);
	/* unmasking delivers the latched edge */
	ev_queue(fe, 5);
	expect_ev(fe, 5, EV_VALID);
	itest_close_ok(fe);
}

/* A level type set on a line whose level already holds, its eventq buffer
 * queued: the buffer comes back VALID at once (no edge will come). */
static void test_gpio_int_level_type_on_active_level_fires_at_once(void **state)
{
	struct fe *fe = open_fe(sock0);

	drive(fe, 4, 1);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_RISING, NULL), ST_OK);
	ev_queue(fe, 5);
	/* held: line 5 is high, but no rising edge came */
	expect_no_ev(fe, 5, IRQ_RISING);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_HIGH, NULL), ST_OK);
	expect_ev(fe, 5, EV_VALID);
	/* LOW on a high line: the buffer stays */
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_LOW, NULL), ST_OK);
	ev_queue(fe, 5);
	expect_no_ev(fe, 5, IRQ_NONE);
	drive(fe, 4, 0);
	itest_close_ok(fe);
}

/* Setting the type the line already has changes nothing: an edge latched
 * while masked is still delivered when the buffer comes. */
static void test_gpio_int_same_type_again_keeps_latched_edge(void **state)
{
	struct fe *fe = open_fe(sock0);

	drive(fe, 4, 0);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_RISING, NULL), ST_OK);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 4, 1, NULL), ST_OK);   /* latched */
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_RISING, NULL), ST_OK);
	ev_queue(fe, 5);
	expect_ev(fe, 5, EV_VALID);
	/* a level type set again while its level holds, buffer queued:
	 * fires because the level holds, once per buffer */
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_HIGH, NULL), ST_OK);
	ev_queue(fe, 5);
	expect_ev(fe, 5, EV_VALID);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_HIGH, NULL), ST_OK);
	ev_queue(fe, 5);
	expect_ev(fe, 5, EV_VALID);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_NONE, NULL), ST_OK);
	drive(fe, 4, 0);
	itest_close_ok(fe);
}

static void test_gpio_int_line_out_of_range(void **state)
{
	struct fe *fe = open_fe(sock0);
	struct fe *fe1 = open_fe(sock1);
	pid_t pid = dmn.proc.pid;

	for (uint16_t t = MSG_GET_DIRECTION; t <= MSG_SET_IRQ_TYPE; t++)
		assert_int_equal(greq(fe, t, 8, 1, NULL), ST_ERR);
	assert_int_equal(greq(fe, MSG_GET_VALUE, 7, 0, NULL), ST_OK);
	assert_int_equal(greq(fe1, MSG_GET_VALUE, 4, 0, NULL), ST_ERR);
	assert_int_equal(greq(fe1, MSG_GET_VALUE, 3, 0, NULL), ST_OK);
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 0xffff, DIR_OUT, NULL), ST_ERR);
	/* an eventq buffer for a line that does not exist: INVALID at once */
	ev_queue(fe, 8);
	expect_ev(fe, 8, EV_INVALID);
	assert_true(proc_alive(&dmn.proc));
	assert_int_equal(dmn.proc.pid, pid);
	itest_close_ok(fe);
	itest_close_ok(fe1);
}

static void test_gpio_int_malformed_requests(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint8_t req[16] = { MSG_GET_VALUE, 0 }, rsp[4];
	uint32_t len;

	/* short / long requests: ERR */
	len = 0;
	assert_int_equal(fe_request(fe, 0, req, 4, rsp, 2, &len, WAIT_MS), 0);
	assert_int_equal(len, 2);
	assert_int_equal(rsp[0], ST_ERR);
	assert_int_equal(fe_request(fe, 0, req, 16, rsp, 2, &len, WAIT_MS), 0);
	assert_int_equal(rsp[0], ST_ERR);
	/* no writable buffer: completed with nothing written */
	len = 99;
	assert_int_equal(fe_request(fe, 0, req, 8, rsp, 0, &len, WAIT_MS), 0);
	assert_int_equal(len, 0);
	/* unknown types and values */
	assert_int_equal(greq(fe, 0, 0, 0, NULL), ST_ERR);
	assert_int_equal(greq(fe, 9, 0, 0, NULL), ST_ERR);
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 0, 7, NULL), ST_ERR);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 0, 2, NULL), ST_ERR);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 1, 5, NULL), ST_ERR);
	/* interrupt on an output */
	drive(fe, 0, 0);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 0, IRQ_RISING, NULL), ST_ERR);
	/* names into a buffer too small */
	req[0] = MSG_GET_LINE_NAMES;
	assert_int_equal(fe_request(fe, 0, req, 8, rsp, 4, &len, WAIT_MS), 0);
	assert_int_equal(len, 2);
	assert_int_equal(rsp[0], ST_ERR);
	/* a malformed eventq element: status INVALID */
	{
		uint64_t gpa = fe_alloc(fe, 16, 16);
		struct fe_seg s[2] = { { gpa, 1, false }, { gpa + 8, 1, true } };
		uint8_t *p = fe_ptr(fe, gpa, 16);
		int head = fe_vq_add(fe, 1, s, 2, false);

		assert_true(head >= 0 && head < 64);
		evs[head].gpa = gpa;
		p[8] = 0xee;
		fe_vq_publish(fe, 1, (uint16_t)head);
		assert_int_equal(fe_vq_kick(fe, 1), 0);
		assert_int_equal(ev_next(fe, WAIT_MS, NULL), EV_INVALID);
	}
	assert_int_equal(getv(fe, 0), 0);
	itest_close_ok(fe);
}

static void test_gpio_int_malformed_chain_then_serves(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint64_t gpa = fe_alloc(fe, 64, 16);
	/* a device-readable buffer after a writable one breaks the queue */
	struct fe_seg s[2] = { { gpa + 32, 2, true }, { gpa, 8, false } };
	int head;

	assert_int_equal(getv(fe, 0), 0);
	head = fe_vq_add(fe, 0, s, 2, false);
	assert_true(head >= 0);
	fe_vq_publish(fe, 0, (uint16_t)head);
	assert_int_equal(fe_vq_kick(fe, 0), 0);
	assert_int_equal(fe_vq_wait_err(fe, 0, WAIT_MS), 0);
	fe_free(fe);
	/* a new connection is served */
	fe = open_fe(sock0);
	assert_int_equal(getv(fe, 0), 0);
	itest_close_ok(fe);
	assert_true(proc_alive(&dmn.proc));
}

static void test_gpio_int_reconnect_resets_lines(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint8_t d;

	drive(fe, 6, 1);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 7, IRQ_HIGH, NULL), ST_OK);
	ev_queue(fe, 7);
	expect_ev(fe, 7, EV_VALID);
	ev_queue(fe, 7);
	expect_ev(fe, 7, EV_VALID);
	ev_queue(fe, 7);    /* held by the device when the guest goes */
	/* a level interrupt on a held buffer never completes after stop */
	fe_free(fe);
	fe = open_fe(sock0);
	assert_int_equal(greq(fe, MSG_GET_DIRECTION, 6, 0, &d), ST_OK);
	assert_int_equal(d, DIR_IN);
	assert_int_equal(getv(fe, 7), 0);
	/* no interrupt configured any more */
	ev_queue(fe, 7);
	drive(fe, 6, 1);
	expect_no_ev(fe, 7, IRQ_NONE);
	itest_close_ok(fe);
}

/* QEMU stop/cont (GET_VRING_BASE, then the same rings from that base):
 * the eventq buffer held for an enabled interrupt survives and carries the
 * edge made after the restart; requests go on at the right used entries. */
static void test_gpio_int_pause_keeps_held_eventq_buffer(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint16_t base[2];

	drive(fe, 4, 0);
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 5, DIR_IN, NULL), ST_OK);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_RISING, NULL), ST_OK);
	ev_queue(fe, 5);
	expect_no_ev(fe, 5, IRQ_RISING);
	for (unsigned q = 0; q < 2; q++)
		assert_int_equal(fe_queue_stop(fe, q, &base[q]), 0);
	assert_int_equal(base[1], fe->vq[1].avail_idx);
	for (unsigned q = 0; q < 2; q++) {
		assert_int_equal(fe_queue_start(fe, q, fe->vq[q].num, base[q]), 0);
		assert_int_equal(fe_queue_enable(fe, q, true), 0);
	}
	assert_int_equal(greq(fe, MSG_SET_VALUE, 4, 1, NULL), ST_OK);
	expect_ev(fe, 5, EV_VALID);
	assert_int_equal(getv(fe, 5), 1);
	/* the interrupt is still set up: queue again, another edge */
	ev_queue(fe, 5);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 4, 0, NULL), ST_OK);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 4, 1, NULL), ST_OK);
	expect_ev(fe, 5, EV_VALID);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_NONE, NULL), ST_OK);
	drive(fe, 4, 0);
	itest_close_ok(fe);
}

/* vhost-user, "Suspended device state": a stopped ring is not written.
 * The eventq alone stopped (GET_VRING_BASE), the requestq running: the
 * rising edge a request makes on the held buffer's line (handled within
 * that request) leaves the buffer's status byte as it was; the buffer
 * comes back VALID once the eventq runs again.  Disabling the interrupt
 * while the eventq is stopped returns it INVALID after the restart. */
static void test_gpio_int_no_write_while_eventq_stopped(void **state)
{
	struct fe *fe = open_fe(sock0);
	const uint8_t *st;
	uint16_t base;
	uint64_t gpa;

	drive(fe, 4, 0);
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 5, DIR_IN, NULL), ST_OK);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_RISING, NULL), ST_OK);
	gpa = ev_queue(fe, 5);
	st = fe_ptr(fe, gpa + 8, 1);
	assert_int_equal(fe_queue_stop(fe, 1, &base), 0);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 4, 1, NULL), ST_OK);   /* rising edge */
	if (*st != 0xee)
		fail_msg("the held buffer's status was written (0x%02x) while the eventq was stopped",
			 *st);
	assert_int_equal(fe_queue_start(fe, 1, fe->vq[1].num, base), 0);
	assert_int_equal(fe_queue_enable(fe, 1, true), 0);
	expect_ev(fe, 5, EV_VALID);
	/* the same with SET_IRQ_TYPE(NONE) as the return */
	gpa = ev_queue(fe, 5);
	st = fe_ptr(fe, gpa + 8, 1);
	assert_int_equal(fe_queue_stop(fe, 1, &base), 0);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_NONE, NULL), ST_OK);
	if (*st != 0xee)
		fail_msg("the held buffer's status was written (0x%02x) while the eventq was stopped",
			 *st);
	assert_int_equal(fe_queue_start(fe, 1, fe->vq[1].num, base), 0);
	assert_int_equal(fe_queue_enable(fe, 1, true), 0);
	expect_ev(fe, 5, EV_INVALID);
	drive(fe, 4, 0);
	itest_close_ok(fe);
}

/* A driver reset on the same connection (the rings start over at base 0,
 * as after a guest's unbind/bind): the device is fresh, lines released,
 * no interrupt left set up, the held buffer never comes back. */
static void test_gpio_int_driver_reset_resets_lines(void **state)
{
	struct fe *fe = open_fe(sock0);
	uint8_t d;

	drive(fe, 6, 1);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 7, IRQ_RISING, NULL), ST_OK);
	ev_queue(fe, 7);
	for (unsigned q = 0; q < 2; q++)
		assert_int_equal(fe_queue_stop(fe, q, NULL), 0);
	for (unsigned q = 0; q < 2; q++) {
		assert_int_equal(fe_queue_start(fe, q, fe->vq[q].num, 0), 0);
		assert_int_equal(fe_queue_enable(fe, q, true), 0);
	}
	assert_int_equal(greq(fe, MSG_GET_DIRECTION, 6, 0, &d), ST_OK);
	assert_int_equal(d, DIR_IN);
	assert_int_equal(getv(fe, 7), 0);
	ev_queue(fe, 7);
	drive(fe, 6, 0);
	drive(fe, 6, 1);
	expect_no_ev(fe, 7, IRQ_NONE);
	drive(fe, 6, 0);
	itest_close_ok(fe);
}

/* Last: SIGTERM ends the group's daemon with exit 0 (under valgrind: no
 * memory error, no block left allocated). */
static void test_gpio_int_daemon_exits_0(void **state)
{
	itest_stop_ok(&dmn);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_gpio_int_features_config_and_names),
		T(test_gpio_int_values_and_pairs),
		T(test_gpio_int_sockets_are_independent),
		T(test_gpio_int_edge_irq_from_partner),
		T(test_gpio_int_pause_keeps_held_eventq_buffer),
		T(test_gpio_int_no_write_while_eventq_stopped),
		T(test_gpio_int_driver_reset_resets_lines),
		T(test_gpio_int_every_irq_type),
		T(test_gpio_int_edge_latched_while_masked),
		T(test_gpio_int_level_type_on_active_level_fires_at_once),
		T(test_gpio_int_same_type_again_keeps_latched_edge),
		T(test_gpio_int_line_out_of_range),
		T(test_gpio_int_malformed_requests),
		T(test_gpio_int_malformed_chain_then_serves),
		T(test_gpio_int_reconnect_resets_lines),
		cmocka_unit_test(test_gpio_int_daemon_exits_0),
	};

	return cmocka_run_group_tests_name("gpio_integration", tests, NULL, group_teardown);
}
