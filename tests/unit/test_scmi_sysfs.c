/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Reading and writing sysfs attributes for the SCMI host sensors
 * (src/devices/scmi_sysfs.c) in a directory built here: the first line
 * trimmed, whole-string numbers only (each refusal tested), errors as
 * negative errnos, writes refused through links and when short. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "devices/scmi.h"

static char dir[64];
static int dfd = -1;

static void put(const char *name, const char *content)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static void get(const char *name, char *buf, size_t len)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/vd-sysfs.XXXXXX");
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[96];

	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_scmi_sysfs_read_first_line_trimmed(void **state)
{
	char buf[16];

	put("a", "  k10temp \t\nsecond line\n");
	assert_int_equal(scmi_sysfs_read(dfd, "a", buf, sizeof(buf)), 9);
	assert_string_equal(buf, "  k10temp");
	/* cut to the buffer */
	put("b", "0123456789abcdefghij");
	assert_int_equal(scmi_sysfs_read(dfd, "b", buf, sizeof(buf)), 15);
	assert_string_equal(buf, "0123456789abcde");
	/* a link is followed (fixtures and some drivers have them) */
	assert_int_equal(symlinkat("a", dfd, "link"), 0);
	assert_int_equal(scmi_sysfs_read(dfd, "link", buf, sizeof(buf)), 9);
	/* errors: missing, a directory */
	assert_int_equal(scmi_sysfs_read(dfd, "missing", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(mkdirat(dfd, "sub", 0755), 0);
	assert_int_equal(scmi_sysfs_read(dfd, "sub", buf, sizeof(buf)), -EISDIR);
	assert_true(scmi_sysfs_exists(dfd, "a"));
	assert_false(scmi_sysfs_exists(dfd, "missing"));
}

static void test_scmi_sysfs_read_ll_whole_string(void **state)
{
	static const struct {
		const char *content;
		int r;
		long long v;
	} c[] = {
		{ "41000\n", 0, 41000 }, { "  -12 \n", 0, -12 }, { "+7", 0, 7 },
		{ "", -EINVAL, 0 }, { "   \n", -EINVAL, 0 }, { "12abc", -EINVAL, 0 },
		{ "1.5", -EINVAL, 0 }, { "0x10", -EINVAL, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "-99999999999999999999", -ERANGE, 0 },
	};
	long long v;

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int r;

		put("n", c[i].content);
		v = 0x5a5a;
		r = scmi_sysfs_read_ll(dfd, "n", &v);
		if (r != c[i].r)
			fail_msg("'%s': %d, want %d", c[i].content, r, c[i].r);
		if (!r)
			assert_int_equal(v, c[i].v);
	}
	assert_int_equal(scmi_sysfs_read_ll(dfd, "missing", &v), -ENOENT);
}

static void test_scmi_sysfs_read_double_decimal_only(void **state)
{
	static const struct {
		const char *content;
		int r;
		double v;
	} c[] = {
		{ "0.002394\n", 0, 0.002394 }, { " -1.5", 0, -1.5 }, { "+2", 0, 2 },
		{ ".25", 0, 0.25 }, { "1e3", 0, 1000 },
		{ "", -EINVAL, 0 }, { "nan", -EINVAL, 0 }, { "inf", -EINVAL, 0 },
		{ "-inf", -EINVAL, 0 }, { "+nan", -EINVAL, 0 }, { "0x1p3", -EINVAL, 0 },
		{ "-0x10", -EINVAL, 0 }, { "1.5x", -EINVAL, 0 }, { ".", -EINVAL, 0 },
		{ "1-2", -EINVAL, 0 },
		{ "abc", -EINVAL, 0 }, { "1e999", -ERANGE, 0 }, { "-1e999", -ERANGE, 0 },
	};
	double v;

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int r;

		put("d", c[i].content);
		v = -99;
		r = scmi_sysfs_read_double(dfd, "d", &v);
		if (r != c[i].r)
			fail_msg("'%s': %d, want %d", c[i].content, r, c[i].r);
		if (!r && v != c[i].v)
			fail_msg("'%s': %g, want %g", c[i].content, v, c[i].v);
	}
	assert_int_equal(scmi_sysfs_read_double(dfd, "missing", &v), -ENOENT);
}

static void test_scmi_sysfs_name_fit(void **state)
{
	char name[SCMI_EXT_NAME_LEN + 8], long_s[100];

	scmi_name_fit(name, "Core 0\x01\xe9");
	assert_string_equal(name, "Core 0__");
	memset(long_s, 'x', sizeof(long_s) - 1);
	long_s[sizeof(long_s) - 1] = '\0';
	scmi_name_fit(name, long_s);
	assert_int_equal(strlen(name), SCMI_EXT_NAME_LEN - 1);
}

/* RLIMIT_FSIZE of limit bytes (a write beyond fails with EFBIG, SIGXFSZ
 * ignored); RLIM_INFINITY restores. */
static void fsize_limit(rlim_t limit)
{
	static struct rlimit saved;
	static bool have;
	struct rlimit r;

	if (!have) {
		assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
		have = true;
	}
	r = saved;
	if (limit != RLIM_INFINITY)
		r.rlim_cur = limit;
	signal(SIGXFSZ, limit == RLIM_INFINITY ? SIG_DFL : SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &r), 0);
}

static void test_scmi_sysfs_write(void **state)
{
	char buf[32];

	put("enable", "0\n");
	assert_int_equal(scmi_sysfs_write(dfd, "enable", "1"), 0);
	get("enable", buf, sizeof(buf));
	assert_string_equal(buf, "1");                 /* replaced, not appended */
	/* not through a link; not a missing attribute */
	assert_int_equal(symlinkat("enable", dfd, "link"), 0);
	assert_int_equal(scmi_sysfs_write(dfd, "link", "0"), -ELOOP);
	assert_int_equal(scmi_sysfs_write(dfd, "missing", "0"), -ENOENT);
	get("enable", buf, sizeof(buf));
	assert_string_equal(buf, "1");
	/* a store that fails, and one that takes only part */
	fsize_limit(0);
	assert_int_equal(scmi_sysfs_write(dfd, "enable", "12"), -EFBIG);
	fsize_limit(1);
	assert_int_equal(scmi_sysfs_write(dfd, "enable", "12"), -EIO);
	fsize_limit(RLIM_INFINITY);
	get("enable", buf, sizeof(buf));
	assert_string_equal(buf, "1");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_scmi_sysfs_read_first_line_trimmed),
		T(test_scmi_sysfs_read_ll_whole_string),
		T(test_scmi_sysfs_read_double_decimal_only),
		T(test_scmi_sysfs_name_fit),
		T(test_scmi_sysfs_write),
	};

	return cmocka_run_group_tests_name("scmi_sysfs", tests, NULL, NULL);
}
