/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* `trace.stop` and `trace.start` on real daemons serving a guest: what the
 * guest does while the trace is stopped is absent from the --trace file,
 * what it does after the start is there, and the file stays one valid
 * trace that the tools read (a GPIO VCD through sigrok-cli, an I2C pcap
 * through tshark; both must be installed: tools/deps). */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"
#include "gpio_req.h"

/* ---- a control client ---- */

static int ctl_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long until = proc_now_ms() + proc_start_timeout_ms();
	int fd;

	/* the daemon makes it once its vhost-user sockets listen: the file
	 * can be there a moment before it listens (ECONNREFUSED) */
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		if ((errno != ENOENT && errno != ECONNREFUSED) || proc_now_ms() >= until)
			fail_msg("connect %s: %s", path, strerror(errno));
		close(fd);
		usleep(2000);
	}
}

/* One line (bounded wait), without its newline. */
static char *ctl_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		assert_int_equal(poll(&p, 1, WAIT_MS), 1);
		assert_int_equal(read(fd, buf + n, 1), 1);
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return buf;
}

/* Send cmd (no arguments), return the reply line. */
static char *ctl_ask(int fd, const char *cmd, char *buf, size_t cap)
{
	char req[128];
	int n = snprintf(req, sizeof(req), "{\"id\":1,\"cmd\":\"%s\"}\n", cmd);

	assert_int_equal(write(fd, req, (size_t)n), n);
	return ctl_line(fd, buf, cap);
}

static int ctl_client(const char *path)
{
	char buf[512];
	int fd = ctl_open(path);

	assert_non_null(strstr(ctl_line(fd, buf, sizeof(buf)), "\"protocol\":1"));
	return fd;
}

/* Run cmd through the shell; its stdout into out (NUL-terminated). */
static void run_tool(const char *cmd, char *out, size_t cap, const char *what)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, cap - 1, f);
	out[n] = 0;
	if (pclose(f) != 0)
		fail_msg("%s failed (is it installed? tools/deps): %s", what, cmd);
}

/* ---- gpio: VCD ---- */

static void test_ctl_trace_gpio_vcd_stop_start(void **state)
{
	struct proc p = { 0 };
	char s0[160], file[200], ctlp[200], buf[1024], cmd[600], out[4096];
	const char *args[] = { "-l", "s4", "--trace", file, "--control", ctlp, NULL };
	char seq[512] = "", *line, *save = NULL;
	unsigned long long last = 0;
	unsigned defs = 0;
	struct fe *fe;
	FILE *f;
	size_t n;
	int c;

	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(file, sizeof(file), "%s/gpio.vcd", p.dir);
	snprintf(ctlp, sizeof(ctlp), "%s/c.ctl", p.dir);
	proc_sock_path(&p, 1, 0, s0, sizeof(s0));
	assert_int_equal(proc_spawn_sockets(&p, "gpio", 1, args), 0);
	c = ctl_client(ctlp);
	snprintf(cmd, sizeof(cmd), "\"tracing\":true,\"file\":\"%s\",\"format\":\"vcd\"", file);
	assert_non_null(strstr(ctl_ask(c, "trace", buf, sizeof(buf)), cmd));
	fe = open_fe(s0);
	drive(fe, 0, 1);                         /* line 0 and its partner 1 go 1 */
	assert_int_equal(getv(fe, 1), 1);
	assert_non_null(strstr(ctl_ask(c, "trace.stop", buf, sizeof(buf)), "\"tracing\":false"));
	/* while stopped: absent from the trace */
	drive(fe, 2, 1);                         /* lines 2 and 3 go 1 */
	assert_int_equal(greq(fe, MSG_SET_VALUE, 0, 0, NULL), ST_OK);
	assert_int_equal(getv(fe, 1), 0);
	assert_non_null(strstr(ctl_ask(c, "trace.start", buf, sizeof(buf)),
			       "\"tracing\":true"));
	/* after the start: there again */
	assert_int_equal(greq(fe, MSG_SET_VALUE, 2, 0, NULL), ST_OK);
	assert_int_equal(getv(fe, 3), 0);
	/* 1!, 1" before the stop; 0#, 0$ after the start */
	assert_non_null(strstr(ctl_ask(c, "list", buf, sizeof(buf)),
			       "\"trace\":{\"tracing\":true,"));
	assert_non_null(strstr(buf, "\"records\":4,\"dropped\":0,\"failed\":false}"));
	close(c);
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);

	/* the file: one header, times never going back, the values */
	f = fopen(file, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	fclose(f);
	out[n] = 0;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "$enddefinitions $end"))
			defs++;
		if (line[0] == '#') {
			unsigned long long t = strtoull(line + 1, NULL, 10);

			assert_true(t >= last);
			last = t;
		} else if (defs && (line[0] != '$' || !strncmp(line, "$dump", 5))) {
			strncat(seq, line, sizeof(seq) - strlen(seq) - 2);
			strcat(seq, "|");
		}
	}
	assert_int_equal(defs, 1);
	/* stopped: $dumpoff, every line x; started: $dumpon, the values they
	 * have then (line 0 went 0, its partner 1 was read 0, line 2 went 1
	 * meanwhile; line 3 followed it unread, so the trace first knows it
	 * at the read after the start) */
	assert_string_equal(seq, "$dumpvars|x!|x\"|x#|x$|1!|1\"|$dumpoff|x!|x\"|x#|x$|"
			    "$dumpon|0!|0\"|1#|x$|0#|0$|");

	/* sigrok-cli reads it whole (x reads as 0) */
	snprintf(cmd, sizeof(cmd), "sigrok-cli -I vcd -i '%s' -O vcd 2>'%s/sigrok.err'",
		 file, p.dir);
	run_tool(cmd, out, sizeof(out), "sigrok-cli");
	seq[0] = 0;
	save = NULL;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *v = line + 1;

		if (line[0] != '#')
			continue;
		while (*v && *v != ' ')
			v++;
		strncat(seq, v, sizeof(seq) - strlen(seq) - 2);
		strcat(seq, "|");
	}
	/* to the end: lines 0 and 1 go 1; the stop reads as 0; at the start
	 * line 2 is 1, then 0 (the time of each is not compared) */
	assert_string_equal(seq, " 0! 0\" 0# 0$| 1!| 1\"| 0! 0\"| 1#| 0#||");
	proc_cleanup(&p);
}

/* ---- i2c: pcap ---- */

/* One write message of n bytes to addr, as the Linux driver sends it:
 * header, data, status; the status byte comes back. */
static uint8_t i2c_write(struct fe *fe, uint16_t addr, const uint8_t *data, uint32_t n)
{
	uint64_t h = fe_alloc(fe, 8, 8), b = fe_alloc(fe, n, 1), st = fe_alloc(fe, 1, 1);
	uint16_t a = (uint16_t)(addr << 1);
	struct fe_seg s[3] = { { h, 8, false }, { b, n, false }, { st, 1, true } };
	uint32_t id, len;
	int head, k;

	assert_true(h && b && st);
	memset(fe_ptr(fe, h, 8), 0, 8);
	memcpy(fe_ptr(fe, h, 8), &a, 2);
	memcpy(fe_ptr(fe, b, n), data, n);
	*(uint8_t *)fe_ptr(fe, st, 1) = 0xee;
	head = fe_vq_add(fe, 0, s, 3, false);
	assert_true(head >= 0);
	fe_vq_publish(fe, 0, (uint16_t)head);
	assert_int_equal(fe_vq_kick(fe, 0), 0);
	while ((k = fe_vq_get_used(fe, 0, &id, &len)) == 0)
		assert_int_equal(fe_vq_wait_call(fe, 0, WAIT_MS), 0);
	assert_int_equal(k, 1);
	assert_int_equal(id, (uint32_t)head);
	return *(uint8_t *)fe_ptr(fe, st, 1);
}

static void test_ctl_trace_i2c_pcap_stop_start(void **state)
{
	struct proc p = { 0 };
	char s0[160], file[200], trace[220], ctlp[200], buf[1024], cmd[600], out[2048];
	const char *args[] = { "--sim", "24c02@0x50", "--trace", trace, "--control", ctlp, NULL };
	struct fe *fe;
	int c;

	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(file, sizeof(file), "%s/i2c.pcap", p.dir);
	snprintf(trace, sizeof(trace), "%s,format=pcap", file);
	snprintf(ctlp, sizeof(ctlp), "%s/c.ctl", p.dir);
	proc_sock_path(&p, 1, 0, s0, sizeof(s0));
	assert_int_equal(proc_spawn_sockets(&p, "i2c", 1, args), 0);
	c = ctl_client(ctlp);
	fe = itest_open_ok(s0, NULL);
	assert_int_equal(i2c_write(fe, 0x50, (const uint8_t *)"\x00\x11", 2), 0);
	assert_non_null(strstr(ctl_ask(c, "trace.stop", buf, sizeof(buf)),
			       "\"tracing\":false,"));
	assert_non_null(strstr(buf, "\"format\":\"pcap\",\"records\":1,"));
	assert_int_equal(i2c_write(fe, 0x50, (const uint8_t *)"\x00\x22", 2), 0);
	assert_non_null(strstr(ctl_ask(c, "trace.stop", buf, sizeof(buf)), "\"records\":1,"));
	assert_non_null(strstr(ctl_ask(c, "trace.start", buf, sizeof(buf)), "\"tracing\":true,"));
	assert_int_equal(i2c_write(fe, 0x50, (const uint8_t *)"\x00\x33", 2), 0);
	assert_non_null(strstr(ctl_ask(c, "trace", buf, sizeof(buf)), "\"records\":2,"));
	close(c);
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);

	snprintf(cmd, sizeof(cmd), "tshark -r '%s' -T fields -e i2c.addr -e data.data "
		 "2>'%s/tshark.err'", file, p.dir);
	run_tool(cmd, out, sizeof(out), "tshark");
	assert_string_equal(out, "0x50\ta00011\n0x50\ta00033\n");
	proc_cleanup(&p);
}

/* ---- without --trace ---- */

static void test_ctl_trace_without_trace_fails(void **state)
{
	struct proc p = { 0 };
	char s0[160], ctlp[200], buf[1024];
	const char *args[] = { "-l", "s2", "--control", ctlp, NULL };
	int c;

	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(ctlp, sizeof(ctlp), "%s/c.ctl", p.dir);
	proc_sock_path(&p, 1, 0, s0, sizeof(s0));
	assert_int_equal(proc_spawn_sockets(&p, "gpio", 1, args), 0);
	c = ctl_client(ctlp);
	assert_non_null(strstr(ctl_ask(c, "trace.start", buf, sizeof(buf)),
			       "\"error\":{\"class\":\"Failed\",\"desc\":\"no trace: the daemon "
			       "was started without --trace FILE"));
	assert_non_null(strstr(ctl_ask(c, "trace.stop", buf, sizeof(buf)), "no trace"));
	assert_non_null(strstr(ctl_ask(c, "trace", buf, sizeof(buf)),
			       "{\"tracing\":false,\"file\":null,"));
	close(c);
	assert_int_equal(proc_stop(&p, 10000), 0);
	proc_cleanup(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctl_trace_gpio_vcd_stop_start),
		cmocka_unit_test(test_ctl_trace_i2c_pcap_stop_start),
		cmocka_unit_test(test_ctl_trace_without_trace_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
