/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Logging: the level words of RUST_LOG / VHOST_DEVICE_LOG, the line
 * format, and the rate limiter every peer-triggered line goes through: at
 * most LOG_RATE_BURST lines per site and LOG_RATE_TOTAL from all sites in
 * one interval, lines below the level not counted.  An interval's end is
 * reached by moving the site's window back, never by waiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "common/log.h"

static unsigned allowed(struct log_ratelimit *rl, unsigned calls)
{
	unsigned n = 0;

	for (unsigned i = 0; i < calls; i++)
		n += log_ratelimit_ok(rl);
	return n;
}

/* ---- stderr captured in a memfd ---- */

static int saved_err = -1, cap_fd = -1;
/* lines the tests before the total's test had printed through the limiter */
static unsigned peer_printed;

static void capture(void)
{
	cap_fd = memfd_create("log", MFD_CLOEXEC);
	assert_true(cap_fd >= 0);
	saved_err = dup(2);
	assert_true(saved_err >= 0);
	assert_int_equal(dup2(cap_fd, 2), 2);
}

/* What was written since capture(), NUL-terminated in buf. */
static size_t captured(char *buf, size_t len)
{
	ssize_t n = pread(cap_fd, buf, len - 1, 0);

	assert_true(n >= 0);
	buf[n] = '\0';
	dup2(saved_err, 2);
	close(saved_err);
	close(cap_fd);
	return (size_t)n;
}

static unsigned count(const char *s, const char *what)
{
	unsigned n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

static void test_log_ratelimit_per_site_and_in_total(void **state)
{
	struct log_ratelimit site[1 + LOG_RATE_TOTAL] = { { 0 } };
	unsigned total;

	/* one site: its burst, then nothing */
	assert_int_equal(allowed(&site[0], 10 * LOG_RATE_BURST), LOG_RATE_BURST);
	assert_int_equal(site[0].suppressed, 9 * LOG_RATE_BURST);
	/* many sites: together no more than the total */
	total = LOG_RATE_BURST + peer_printed;
	for (unsigned i = 1; i <= LOG_RATE_TOTAL; i++)
		total += allowed(&site[i], LOG_RATE_BURST);
	assert_int_equal(total, LOG_RATE_TOTAL);
}

/* log_peer: the site's burst is printed, the rest counted; once the
 * interval is over the count is reported and the site prints again. */
static void test_log_peer_reports_suppressed_after_interval(void **state)
{
	static struct log_ratelimit rl;   /* a window no other test used */
	char out[8192];

	log_set_level(LOG_INFO);
	capture();
	for (unsigned i = 0; i < LOG_RATE_BURST + 3; i++)
		log_peer_msg(&rl, LOG_WARN, "bad thing #%u", i);
	rl.window -= LOG_RATE_INTERVAL;
	log_peer_msg(&rl, LOG_WARN, "bad thing again");
	captured(out, sizeof(out));
	assert_int_equal(count(out, "test: warning: bad thing #"), LOG_RATE_BURST);
	assert_non_null(strstr(out, "test: warning: 3 similar messages suppressed\n"
			       "test: warning: bad thing again\n"));
	assert_int_equal(rl.suppressed, 0);
	peer_printed += LOG_RATE_BURST + 1;
}

/* A line below the level is not printed and does not use the burst. */
static void test_log_peer_below_level_costs_nothing(void **state)
{
	struct log_ratelimit rl = { 0 };
	char out[4096];

	log_set_level(LOG_WARN);
	capture();
	for (unsigned i = 0; i < 5 * LOG_RATE_BURST; i++)
		log_peer_msg(&rl, LOG_INFO, "connected %u", i);
	log_peer_msg(&rl, LOG_WARN, "refused");
	captured(out, sizeof(out));
	log_set_level(LOG_INFO);
	assert_string_equal(out, "test: warning: refused\n");
	assert_int_equal(rl.printed, 1);
	assert_int_equal(rl.suppressed, 0);
	peer_printed++;
}

/* One line per message, cut at 1023 bytes; nothing below the level. */
static void test_log_msg_format_and_level(void **state)
{
	char long_arg[2000], out[4096];

	memset(long_arg, 'x', sizeof(long_arg) - 1);
	long_arg[sizeof(long_arg) - 1] = '\0';
	log_set_level(LOG_WARN);
	capture();
	log_err("value %d", 42);
	log_info("not shown");
	log_debug("not shown %s", "either");
	log_warn("%s", long_arg);
	captured(out, sizeof(out));
	log_set_level(LOG_INFO);
	assert_memory_equal(out, "test: error: value 42\ntest: warning: xxx", 38);
	assert_int_equal(strlen(out), strlen("test: error: value 42\n") + 1023 + 1);
	assert_null(strstr(out, "shown"));
}

static enum log_level level_for(const char *rust_log, enum log_level dflt)
{
	enum log_level l;

	if (rust_log)
		setenv("RUST_LOG", rust_log, 1);
	else
		unsetenv("RUST_LOG");
	log_init("vhost-device-gpio");   /* the target: vhost_device_gpio */
	log_setup(dflt);
	l = log_get_level();
	unsetenv("RUST_LOG");
	log_init("test");
	return l;
}

/* log_setup: RUST_LOG for the program's crate (log_level_parse below has
 * the directives), the device's default without it; levels clamped. */
static void test_log_level_from_environment(void **state)
{
	assert_int_equal(level_for(NULL, LOG_INFO), LOG_INFO);
	assert_int_equal(level_for(NULL, LOG_ERROR), LOG_ERROR);
	assert_int_equal(level_for("trace", LOG_ERROR), LOG_DEBUG);
	assert_int_equal(level_for("vhost_device_gpio=debug", LOG_ERROR), LOG_DEBUG);
	assert_int_equal(level_for("vhost_device_i2c=debug", LOG_INFO), LOG_ERROR);
	assert_int_equal(level_for("off", LOG_INFO), LOG_OFF);
	log_set_level(LOG_DEBUG + 5);
	assert_int_equal(log_get_level(), LOG_DEBUG);
	log_set_level(LOG_OFF - 3);
	assert_int_equal(log_get_level(), LOG_OFF);
	log_set_level(LOG_INFO);
}

/* The prefix: the program name given, at most 63 bytes of it. */
static void test_log_prog_name(void **state)
{
	char name[100];

	memset(name, 'p', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	log_init(name);
	assert_int_equal(strlen(log_prog_name()), 63);
	log_init("test");
	assert_string_equal(log_prog_name(), "test");
}

/* RUST_LOG as env_logger reads it, for the target vhost_device_gpio */
static void test_log_rust_log_directives(void **state)
{
	static const struct {
		const char *spec;
		enum log_level want;
		int ret;
	} cases[] = {
		{ NULL, LOG_INFO, 0 },                 /* unset: the device's default */
		{ "", LOG_ERROR, 0 },                  /* set, nothing in it: errors */
		{ "debug", LOG_DEBUG, 0 },
		{ "TRACE", LOG_DEBUG, 0 },
		{ "Warn", LOG_WARN, 0 },
		{ "off", LOG_OFF, 0 },
		{ "info,error", LOG_ERROR, 0 },        /* the later bare level */
		{ "vhost_device_gpio=debug", LOG_DEBUG, 0 },
		{ " vhost_device_gpio= warn ", LOG_WARN, 0 },
		{ "vhost_device_gpio =warn", LOG_ERROR, 0 },  /* env_logger keeps the space */
		{ "vhost_device_gpio", LOG_DEBUG, 0 },  /* a target alone: every level */
		{ "vhost_device_gpio=", LOG_DEBUG, 0 },
		{ "vhost_device_gpio::vhu_gpio=debug", LOG_DEBUG, 0 },  /* a module of it */
		{ "vhost_device=info", LOG_INFO, 0 },  /* env_logger: a prefix of the target */
		{ "vhost_device_i2c=debug", LOG_ERROR, 0 },   /* another device: ignored */
		{ "warn,vhost_device_i2c=debug", LOG_WARN, 0 },
		{ "vhost_device_gpio=debug,warn", LOG_DEBUG, 0 },  /* longest name wins */
		{ "vhost=off,vhost_device_gpio=info", LOG_INFO, 0 },
		{ "vhost_device_gpio=info,vhost_device_gpio=off", LOG_OFF, 0 },
		{ "vhost_device_gpio_x=debug", LOG_ERROR, 0 },
		{ "debug/some regex", LOG_DEBUG, 0 },  /* the message filter ignored */
		{ "debug/a/b", LOG_ERROR, -1 },        /* two '/': all ignored */
		{ "vhost_device_gpio=loud", LOG_ERROR, -1 },
		{ "info,vhost_device_gpio=a=b", LOG_INFO, -1 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum log_level l = 99;
		int r = log_level_parse(cases[i].spec, "vhost_device_gpio", LOG_INFO, &l);

		if (l != cases[i].want || r != cases[i].ret)
			fail_msg("RUST_LOG '%s': level %d (want %d), return %d (want %d)",
				 cases[i].spec ? cases[i].spec : "(unset)", l, cases[i].want,
				 r, cases[i].ret);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_peer_reports_suppressed_after_interval),
		cmocka_unit_test(test_log_peer_below_level_costs_nothing),
		cmocka_unit_test(test_log_msg_format_and_level),
		cmocka_unit_test(test_log_level_from_environment),
		cmocka_unit_test(test_log_prog_name),
		cmocka_unit_test(test_log_rust_log_directives),
		/* last: it uses up the interval's total */
		cmocka_unit_test(test_log_ratelimit_per_site_and_in_total),
	};

	unsetenv("RUST_LOG");
	log_init("test");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
