/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The gpio control commands end to end: `vhost-device gpio -c 2 -l s8:s4
 * --control C --trace T` with the test frontend as the guest on each
 * socket, commands sent by a control client and by the `vhost-device
 * ctl` applet.  An outside set or pulse returns the guest's eventq buffer
 * as a wired partner's change does (edge and level types), errors name
 * the bad value, the guest's outputs come as gpio.output events and
 * every change is in the VCD trace. */
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

#include "../frontend/ctlc.h"
#include "../frontend/fe.h"
#include "../frontend/itest.h"
#include "gpio_req.h"
#include "gpio_evq.h"

static struct itest_daemon dmn;
static char sock0[160], sock1[160], ctlp[100], vcd[100];

static int spawn(struct proc *p, void *arg)
{
	const char *extra[] = { "-l", "s8:s4", "--control", ctlp, "--trace", vcd, NULL };

	if ((size_t)snprintf(ctlp, sizeof(ctlp), "%s/c.ctl", p->dir) >= sizeof(ctlp) ||
	    (size_t)snprintf(vcd, sizeof(vcd), "%s/t.vcd", p->dir) >= sizeof(vcd))
		return -ENAMETOOLONG;
	proc_sock_path(p, 2, 0, sock0, sizeof(sock0));
	proc_sock_path(p, 2, 1, sock1, sizeof(sock1));
	return proc_spawn_sockets(p, "gpio", 2, extra);
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn, NULL);
	return 0;
}

static int teardown(void **state)
{
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	return itest_daemon_stop(&dmn) != 0;
}

/* ---- control ---- */

static char rbuf[16384];

/* One request (printf-style) on a client of its own: the reply line. */
static __attribute__((format(printf, 1, 2))) const char *ask(const char *fmt, ...)
{
	char req[512];
	va_list ap;
	int fd = ctlc_open(ctlp, WAIT_MS), r;

	if (fd < 0)
		fail_msg("control socket %s: %s", ctlp, strerror(-fd));
	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	r = ctlc_ask(fd, req, rbuf, sizeof(rbuf), WAIT_MS);
	close(fd);
	if (r < 0)
		fail_msg("%s: no reply: %s", req, strerror(-r));
	return rbuf;
}

static void ask_ok(const char *reply)
{
	if (!strstr(reply, "\"return\":"))
		fail_msg("an error reply: %s", reply);
}

/* `vhost-device ctl C WORDS...` (NULL-terminated): its exit code, its
 * stderr in err. */
static int applet(char *err, size_t errlen, ...)
{
	const char *args[16] = { "ctl", ctlp };
	unsigned n = 2;
	va_list ap;

	va_start(ap, errlen);
	while (n < 15 && (args[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	args[n] = NULL;
	return proc_run_cli(args, err, errlen, 10000);
}

/* ------------------------------------------------------------------ tests */

/* The guest's interrupt on an input, raised from outside: the held eventq
 * buffer comes back VALID, the guest reads the level; the applet's words
 * are the same request. */
static void test_gpio_ctl_int_set_fires_edge_irq(void **state)
{
	struct fe *fe = open_fe(sock0);
	char err[512];

	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 3, DIR_IN, NULL), ST_OK);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 3, IRQ_RISING, NULL), ST_OK);
	ev_queue(fe, 3);
	expect_no_ev(fe, 3, IRQ_RISING);
	ask_ok(ask("{\"cmd\":\"gpio.set\",\"args\":{\"line\":3,\"value\":1}}"));
	assert_non_null(strstr(rbuf, "\"line\":3,\"name\":\"dummy3\",\"direction\":\"in\","
			       "\"output\":null,\"irq\":\"rising\",\"level\":1,\"drive\":1"));
	expect_ev(fe, 3, EV_VALID);
	assert_int_equal(getv(fe, 3), 1);
	/* released: falling, no rising interrupt; the partner is untouched */
	ev_queue(fe, 3);
	ask_ok(ask("{\"cmd\":\"gpio.release\",\"args\":{\"line\":3}}"));
	assert_int_equal(getv(fe, 3), 0);
	assert_int_equal(getv(fe, 2), 0);
	expect_no_ev(fe, 3, IRQ_RISING);
	/* the applet's words: `ctl C gpio set line=3 value=1` */
	assert_int_equal(applet(err, sizeof(err), "gpio", "set", "line=3", "value=1", NULL), 0);
	expect_ev(fe, 3, EV_VALID);
	assert_int_equal(applet(err, sizeof(err), "gpio", "release", "line=3", NULL), 0);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 3, IRQ_NONE, NULL), ST_OK);
	/* a line the guest neither watches nor reads: only the trace sees it */
	ask_ok(ask("{\"cmd\":\"gpio.set\",\"args\":{\"line\":7,\"value\":1}}"));
	ask_ok(ask("{\"cmd\":\"gpio.release\",\"args\":{\"line\":7}}"));
	itest_close_ok(fe);
}

/* Level types on socket 1 (s4): fire while the driven level holds. */
static void test_gpio_ctl_int_set_fires_level_irq(void **state)
{
	struct fe *fe = open_fe(sock1);
	struct fe *other = open_fe(sock0);

	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 2, IRQ_HIGH, NULL), ST_OK);
	ev_queue(fe, 2);
	expect_no_ev(fe, 2, IRQ_HIGH);
	/* socket 0's line 2 is another chip's */
	ask_ok(ask("{\"cmd\":\"gpio.set\",\"args\":{\"sock\":0,\"line\":2,\"value\":1}}"));
	expect_no_ev(fe, 2, IRQ_HIGH);
	assert_int_equal(getv(other, 2), 1);
	ask_ok(ask("{\"cmd\":\"gpio.set\",\"args\":{\"sock\":1,\"line\":2,\"value\":1}}"));
	expect_ev(fe, 2, EV_VALID);
	/* unmasked while it holds: again */
	ev_queue(fe, 2);
	expect_ev(fe, 2, EV_VALID);
	ask_ok(ask("{\"cmd\":\"gpio.set\",\"args\":{\"sock\":1,\"line\":2,\"value\":0}}"));
	ev_queue(fe, 2);
	expect_no_ev(fe, 2, IRQ_LOW);
	/* level low, now holding: at once */
	expect_ev(fe, 2, EV_VALID);
	ask_ok(ask("{\"cmd\":\"gpio.release\",\"args\":{\"sock\":1,\"line\":2}}"));
	ask_ok(ask("{\"cmd\":\"gpio.release\",\"args\":{\"sock\":0,\"line\":2}}"));
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 2, IRQ_NONE, NULL), ST_OK);
	itest_close_ok(other);
	itest_close_ok(fe);
}

/* A pulse: the rising edge at once, the falling one when the timer ends
 * it (waited for with a bound, not timed), and the line as before. */
static void test_gpio_ctl_int_pulse_makes_both_edges(void **state)
{
	struct fe *fe = open_fe(sock0);
	char err[512];

	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, 5, IRQ_BOTH, NULL), ST_OK);
	ev_queue(fe, 5);
	assert_int_equal(applet(err, sizeof(err), "gpio", "pulse", "line=5", "value=1", "ms=20",
				NULL), 0);
	expect_ev(fe, 5, EV_VALID);
	/* the falling edge comes to this buffer, or latched if it came
	 * before the buffer did */
	ev_queue(fe, 5);
	expect_ev(fe, 5, EV_VALID);
	assert_int_equal(getv(fe, 5), 0);
	ask(("{\"cmd\":\"gpio.get\",\"args\":{\"line\":5}}"));
	assert_non_null(strstr(rbuf, "\"level\":0,\"drive\":null}"));
	ev_queue(fe, 5);
	expect_no_ev(fe, 5, IRQ_NONE);
	itest_close_ok(fe);
}

/* Each bad argument is named, through the applet (exit 1, on stderr). */
static void test_gpio_ctl_int_errors_name_the_value(void **state)
{
	static const struct {
		const char *w[5];
		const char *needle;
	} bad[] = {
		{ { "gpio", "set", "line=8", "value=1" }, "InvalidArgument: line 8: out of range 0..7" },
		{ { "gpio", "set", "line=1", "value=2" }, "InvalidArgument: value 2: out of range 0..1" },
		{ { "gpio", "set", "line=1", "value=none" }, "value \"none\": expected an integer" },
		{ { "gpio", "set", "sock=2", "line=1", "value=1" }, "sock 2: out of range 0..1" },
		{ { "gpio", "set", "sock=1", "line=4", "value=1" }, "line 4: out of range 0..3" },
		{ { "gpio", "get", "line=x" }, "line \"x\": expected an integer" },
		{ { "gpio", "pulse", "line=1", "value=1" }, "give the pulse's width as us or as ms" },
		{ { "gpio", "pulse", "line=1", "value=1", "us=60000001" },
		  "us 60000001: out of range 1..60000000" },
		{ { "gpio", "release", "line=1", "value=0" }, "unknown argument 'value'" },
	};
	char err[512];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int code = applet(err, sizeof(err), bad[i].w[0], bad[i].w[1], bad[i].w[2],
				  bad[i].w[3], bad[i].w[4], NULL);

		if (code != 1 || !strstr(err, bad[i].needle))
			fail_msg("case %u: exit %d, stderr '%s', expected '%s'", i, code, err,
				 bad[i].needle);
	}
	/* nothing was driven */
	assert_non_null(strstr(ask("{\"cmd\":\"list\"}"), "\"drive\":\"--------\""));
}

/* gpio.output: what the guest drives, to a watching client. */
static void test_gpio_ctl_int_output_events(void **state)
{
	struct fe *fe = open_fe(sock1);
	char ev[512];
	int w = ctlc_open(ctlp, WAIT_MS);

	assert_true(w >= 0);
	assert_true(ctlc_ask(w, "{\"cmd\":\"watch\"}", ev, sizeof(ev), WAIT_MS) > 0);
	assert_non_null(strstr(ev, "\"watching\":true"));
	drive(fe, 1, 1);
	assert_true(ctlc_line(w, ev, sizeof(ev), WAIT_MS) > 0);
	assert_non_null(strstr(ev, "\"event\":\"gpio.output\""));
	assert_non_null(strstr(ev, "\"data\":{\"sock\":1,\"line\":1,\"value\":1}"));
	/* the same value again is no change; a new one is */
	assert_int_equal(greq(fe, MSG_SET_VALUE, 1, 1, NULL), ST_OK);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 1, 0, NULL), ST_OK);
	assert_true(ctlc_line(w, ev, sizeof(ev), WAIT_MS) > 0);
	assert_non_null(strstr(ev, "\"data\":{\"sock\":1,\"line\":1,\"value\":0}"));
	/* get shows it, and the partner reads it */
	assert_non_null(strstr(ask("{\"cmd\":\"gpio.get\",\"args\":{\"sock\":1,\"line\":1}}"),
			       "\"direction\":\"out\",\"output\":0,"));
	/* no longer driven */
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 1, DIR_IN, NULL), ST_OK);
	assert_true(ctlc_line(w, ev, sizeof(ev), WAIT_MS) > 0);
	assert_non_null(strstr(ev, "\"data\":{\"sock\":1,\"line\":1,\"value\":null}"));
	/* released (direction none) */
	drive(fe, 3, 0);
	assert_true(ctlc_line(w, ev, sizeof(ev), WAIT_MS) > 0);
	assert_non_null(strstr(ev, "\"data\":{\"sock\":1,\"line\":3,\"value\":0}"));
	assert_int_equal(greq(fe, MSG_SET_DIRECTION, 3, DIR_NONE, NULL), ST_OK);
	assert_true(ctlc_line(w, ev, sizeof(ev), WAIT_MS) > 0);
	assert_non_null(strstr(ev, "\"data\":{\"sock\":1,\"line\":3,\"value\":null}"));
	/* the guest gone: its outputs are released */
	drive(fe, 0, 1);
	assert_true(ctlc_line(w, ev, sizeof(ev), WAIT_MS) > 0);
	assert_non_null(strstr(ev, "\"data\":{\"sock\":1,\"line\":0,\"value\":1}"));
	itest_close_ok(fe);
	assert_true(ctlc_line(w, ev, sizeof(ev), WAIT_MS) > 0);
	assert_non_null(strstr(ev, "\"data\":{\"sock\":1,\"line\":0,\"value\":null}"));
	close(w);
}

/* The values of wire name in scope gpio0 of the VCD text, in order
 * ("1010"), into seq. */
static void vcd_values(const char *text, const char *name, char *seq, size_t cap)
{
	char id[16] = "", pat[64], want[2][24];
	const char *p = strstr(text, "$scope module gpio0");
	size_t n = 0;

	assert_non_null(p);
	snprintf(pat, sizeof(pat), " %s $end", name);
	p = strstr(p, pat);
	if (!p)
		fail_msg("no wire %s in the trace", name);
	while (p > text && p[-1] != ' ')
		p--;
	assert_true(sscanf(p, "%15s", id) == 1);
	for (unsigned v = 0; v < 2; v++)
		snprintf(want[v], sizeof(want[v]), "\n%u%s\n", v, id);
	for (p = text; (p = strchr(p, '\n')); p++)
		for (unsigned v = 0; v < 2; v++)
			if (!strncmp(p, want[v], strlen(want[v])) && n < cap - 1)
				seq[n++] = (char)('0' + v);
	seq[n] = 0;
}

/* The daemon ends with 0; the trace holds the lines of socket 0 as the
 * outside drive moved them: line 3 (set 1, release to 0, set 1, release),
 * line 7 (set, release), which the guest never looked at. */
static void test_gpio_ctl_int_daemon_exits_0_and_trace(void **state)
{
	char text[65536], seq[64];
	FILE *f;
	size_t n;
	char why[96];
	int code;

	assert_true(dmn.started);
	proc_describe(&dmn.proc, why, sizeof(why));
	code = proc_stop(&dmn.proc, 10000);
	if (code)
		fail_msg("daemon: exit code %d after SIGTERM (before it: %s)", code, why);
	f = fopen(vcd, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	itest_daemon_stop(&dmn);      /* cleans up */
	vcd_values(text, "dummy3", seq, sizeof(seq));
	assert_string_equal(seq, "1010");
	vcd_values(text, "dummy7", seq, sizeof(seq));
	assert_string_equal(seq, "10");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_gpio_ctl_int_set_fires_edge_irq),
		T(test_gpio_ctl_int_set_fires_level_irq),
		T(test_gpio_ctl_int_pulse_makes_both_edges),
		T(test_gpio_ctl_int_errors_name_the_value),
		T(test_gpio_ctl_int_output_events),
		cmocka_unit_test(test_gpio_ctl_int_daemon_exits_0_and_trace),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
