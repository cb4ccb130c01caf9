/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The GPIO device's command line, each test with a daemon of its own:
 * errors naming the bad entry, upstream's long options, serving as
 * nobody, and --trace read back by sigrok-cli. */
#include <errno.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"
#include "gpio_req.h"

/* --trace: the line values as a VCD that sigrok-cli (which must be
 * installed: tools/deps) loads, with the levels in order. */
static void test_gpio_int_trace_vcd_loads_in_sigrok(void **state)
{
	struct proc p = { 0 };
	char s0[160], file[200], cmd[600], out[4096] = "";
	const char *args[] = { "-l", "s4", "--trace", file, NULL };
	struct fe *fe;
	FILE *f;
	size_t n;

	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(file, sizeof(file), "%s/gpio.vcd", p.dir);
	proc_sock_path(&p, 1, 0, s0, sizeof(s0));
	assert_int_equal(proc_spawn_sockets(&p, "gpio", 1, args), 0);
	fe = open_fe(s0);
	drive(fe, 0, 1);
	assert_int_equal(getv(fe, 1), 1);       /* the partner input */
	assert_int_equal(greq(fe, MSG_SET_VALUE, 0, 0, NULL), ST_OK);
	assert_int_equal(getv(fe, 1), 0);
	assert_int_equal(greq(fe, MSG_SET_VALUE, 0, 1, NULL), ST_OK);
	assert_int_equal(getv(fe, 1), 1);
	drive(fe, 3, 0);
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);

	/* sigrok-cli reads it and writes the changes again as its own VCD:
	 * line 0 and its partner, line 1, go 1, 0, 1 (the x of the start
	 * reads as 0), line 3 is driven 0 */
	snprintf(cmd, sizeof(cmd), "sigrok-cli -I vcd -i '%s' -O vcd 2>'%s/sigrok.err'",
		 file, p.dir);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	if (pclose(f) != 0)
		fail_msg("sigrok-cli failed (is it installed? tools/deps); see %s/sigrok.err",
			 p.dir);
	{
		char seq[512] = "", *line, *save = NULL;

		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			const char *v = line + 1;

			if (line[0] != '#')
				continue;
			while (*v && *v != ' ')
				v++;              /* the time: not compared */
			strncat(seq, v, sizeof(seq) - strlen(seq) - 2);
			strcat(seq, "|");
		}
		assert_string_equal(seq, " 0! 0\" 0# 0$| 1!| 1\"| 0!| 0\"| 1!| 1\"||");
	}
	proc_cleanup(&p);
}

static void test_gpio_int_cli_errors_name_the_entry(void **state)
{
	static const struct {
		const char *count, *list, *needle;
	} bad[] = {
		{ "2", "s8", "1 entry for 2 sockets" },
		{ "1", "s8:s4", "2 entries for 1 socket" },
		{ "2", "3:3", "'3'" },
		{ "1", "s0", "'s0'" },
		{ "1", "99999", "'99999'" },
		{ "1", "x", "'x'" },
		{ "1", "9999", "/dev/gpiochip9999" },
		{ "0", "s1", "socket-count" },
	};
	char err[1024];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { "gpio", "-s", "/nonexistent/gpio.sock", "-c", bad[i].count,
				       "-l", bad[i].list, NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 1);
		if (!strstr(err, bad[i].needle))
			fail_msg("-c %s -l %s: stderr '%s' does not name '%s'", bad[i].count,
				 bad[i].list, err, bad[i].needle);
	}
	{
		const char *args[] = { "gpio", "-l", "s1", NULL };

		/* a required option missing: a usage error, as clap */
		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 2);
		assert_non_null(strstr(err, "socket"));
	}
	{
		const char *args[] = { "gpio", "-s", "/tmp/x", NULL };

		assert_int_equal(proc_run_cli(args, err, sizeof(err), 10000), 2);
		assert_non_null(strstr(err, "device-list"));
	}
}

/* The upstream daemon's long options, unchanged. */
static void test_gpio_int_upstream_command_line(void **state)
{
	struct proc p = { 0 };
	char path[200], s1[220];
	const char *args[] = { "gpio", "--socket-path", path, "--socket-count", "2",
			       "--device-list", "s1:s2", NULL };
	struct fe *fe;

	assert_int_equal(proc_tmpdir(&p), 0);
	snprintf(path, sizeof(path), "%s/vgpio.sock", p.dir);
	snprintf(s1, sizeof(s1), "%s1", path);
	assert_int_equal(proc_spawn(&p, args, false, s1, proc_start_timeout_ms()), 0);
	fe = open_fe(s1);
	assert_int_equal(fe->config[0], 2);
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);
	/* sockets removed at exit */
	assert_int_equal(access(s1, F_OK), -1);
	proc_cleanup(&p);
}

/* Read "Uid:" of a process: the real uid, or -1. */
static long proc_uid(pid_t pid)
{
	char path[64], line[256];
	long uid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %ld", &uid) == 1)
			break;
	fclose(f);
	return uid;
}

/* --user nobody: start-up as root, serving as nobody, the sandbox on (the
 * default); the socket directory belongs to nobody so the socket can go
 * at exit. */
static void test_gpio_int_serves_as_nobody(void **state)
{
	struct passwd *pw = getpwnam("nobody");
	struct proc p = { 0 };
	char path[200], s0[220];
	const char *args[] = { "gpio", "-s", path, "-l", "s4", "--user", "nobody", NULL };
	struct fe *fe;

	if (!pw)
		fail_msg("no user 'nobody' on this system");
	if (getuid() != 0)
		fail_msg("this test needs root (it switches to nobody)");
	assert_int_equal(proc_tmpdir(&p), 0);
	assert_int_equal(chown(p.dir, pw->pw_uid, pw->pw_gid), 0);
	snprintf(path, sizeof(path), "%s/nobody.sock", p.dir);
	snprintf(s0, sizeof(s0), "%s0", path);
	assert_int_equal(proc_spawn(&p, args, false, s0, proc_start_timeout_ms()), 0);
	fe = open_fe(s0);
	drive(fe, 0, 1);
	assert_int_equal(getv(fe, 1), 1);     /* line 1 follows its partner */
	assert_int_equal(proc_uid(p.pid), (long)pw->pw_uid);
	itest_close_ok(fe);
	assert_int_equal(proc_stop(&p, 10000), 0);
	assert_int_equal(access(s0, F_OK), -1);
	proc_cleanup(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpio_int_serves_as_nobody),
		cmocka_unit_test(test_gpio_int_trace_vcd_loads_in_sigrok),
		cmocka_unit_test(test_gpio_int_cli_errors_name_the_entry),
		cmocka_unit_test(test_gpio_int_upstream_command_line),
	};

	return cmocka_run_group_tests_name("gpio_cli", tests, NULL, NULL);
}
