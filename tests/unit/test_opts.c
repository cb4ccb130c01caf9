/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Option tables: one table drives both parsing and --help; strict numbers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/opts.h"

enum { O_SOCK = 1, O_COUNT, O_FLAG };

static const struct opt tab[] = {
	OPT("socket-path", 's', "PATH", "where to listen", O_SOCK),
	OPT("socket-count", 'c', "N", "how many\nsockets", O_COUNT, .range = "1..8", .dflt = "1"),
	OPT("flag", 0, NULL, "a long-only switch", O_FLAG),
	OPT_END
};

static const struct opts_spec spec = {
	.prog = "vhost-device-test", .usage = "-s PATH", .summary = "Test.", .tab = tab,
};

struct seen {
	char log[256];
};

static int cb(void *ctx, int id, const char *arg)
{
	struct seen *s = ctx;
	size_t n = strlen(s->log);

	snprintf(s->log + n, sizeof(s->log) - n, "%d=%s;", id, arg ? arg : "-");
	return 0;
}

static int parse(struct seen *s, int argc, const char **argv)
{
	memset(s, 0, sizeof(*s));
	return opts_parse(&spec, argc, (char **)argv, cb, s);
}

static void test_opts_short_long_and_attached_forms(void **state)
{
	struct seen s;
	const char *argv[] = { "p", "-s", "a", "--socket-count=3", "-c4", "--socket-path", "b", "--flag", NULL };

	assert_int_equal(parse(&s, 8, argv), 0);
	assert_string_equal(s.log, "1=a;2=3;2=4;1=b;3=-;");
}

static void test_opts_unknown_option_fails(void **state)
{
	struct seen s;
	const char *a1[] = { "p", "--nope", NULL };
	const char *a2[] = { "p", "-x", NULL };

	/* usage errors: the caller exits 2, as clap does */
	assert_int_equal(parse(&s, 2, a1), OPTS_USAGE);
	assert_int_equal(parse(&s, 2, a2), OPTS_USAGE);
	assert_string_equal(s.log, "");
}

static void test_opts_missing_argument_fails(void **state)
{
	struct seen s;
	const char *argv[] = { "p", "-s", NULL };

	assert_int_equal(parse(&s, 2, argv), OPTS_USAGE);
}

static void test_opts_positional_argument_fails(void **state)
{
	struct seen s;
	const char *argv[] = { "p", "-s", "a", "extra", NULL };
	const char *a2[] = { "p", "extra", "-s", "a", NULL };
	const char *a3[] = { "p", "-s", "a", "--", "-c", NULL };

	assert_int_equal(parse(&s, 4, argv), OPTS_USAGE);
	assert_int_equal(parse(&s, 4, a2), OPTS_USAGE);
	assert_string_equal(s.log, "");
	assert_int_equal(parse(&s, 5, a3), OPTS_USAGE);
}

static void test_opts_help_and_version_stop_with_success(void **state)
{
	struct seen s;
	const char *a1[] = { "p", "--help", "-s", "x", NULL };
	const char *a2[] = { "p", "-V", NULL };

	assert_int_equal(parse(&s, 4, a1), 1);
	assert_string_equal(s.log, "");   /* nothing after --help was parsed */
	assert_int_equal(parse(&s, 2, a2), 1);
}

static void test_opts_help_lists_every_option(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	opts_help(&spec, f);
	fclose(f);
	assert_non_null(strstr(buf, "Usage: vhost-device-test -s PATH\n"));
	assert_non_null(strstr(buf, "  -s, --socket-path=PATH"));
	assert_non_null(strstr(buf, "  -c, --socket-count=N"));
	assert_non_null(strstr(buf, "      --flag "));
	assert_non_null(strstr(buf, "how many\n                            sockets (1..8, default 1)\n"));
	assert_non_null(strstr(buf, "where to listen\n"));
	assert_non_null(strstr(buf, "  -h, --help"));
	assert_non_null(strstr(buf, "  -V, --version"));
	assert_non_null(strstr(buf, "  -v, --verbose"));
	free(buf);
}

static void test_opts_parse_uint_strict(void **state)
{
	unsigned long v = 7;

	assert_int_equal(opts_parse_uint("42", 10, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(opts_parse_uint("0x50", 0, 127, &v), 0);
	assert_int_equal(v, 0x50);
	assert_int_equal(opts_parse_uint("128", 0, 127, &v), -ERANGE);
	assert_int_equal(opts_parse_uint("-1", 0, 127, &v), -EINVAL);
	assert_int_equal(opts_parse_uint("", 0, 127, &v), -EINVAL);
	assert_int_equal(opts_parse_uint("12a", 10, 127, &v), -EINVAL);
	assert_int_equal(opts_parse_uint(" 1", 10, 127, &v), -EINVAL);
	assert_int_equal(opts_parse_uint("+", 10, 127, &v), -EINVAL);
	assert_int_equal(opts_parse_uint("++1", 10, 127, &v), -EINVAL);
	assert_int_equal(opts_parse_uint("+-1", 10, 127, &v), -EINVAL);
	assert_int_equal(opts_parse_uint("+ 1", 10, 127, &v), -EINVAL);
	assert_int_equal(opts_parse_uint("99999999999999999999999", 10, ~0ul, &v), -ERANGE);
	assert_int_equal(v, 0x50);   /* untouched on error */
	/* one leading '+', as Rust's str::parse takes it */
	assert_int_equal(opts_parse_uint("+7", 10, 127, &v), 0);
	assert_int_equal(v, 7);
}

/* A multi option takes the words after it up to the next option, as
 * clap's num_args(1..): -d fake iio,path=x */
static const struct opt mtab[] = {
	OPT("device", 'd', "D", "devices", O_SOCK, .multi = true),
	OPT("flag", 'f', NULL, "a switch", O_FLAG),
	OPT_END
};

static const struct opts_spec mspec = {
	.prog = "vhost-device-test", .usage = "-d D...", .summary = "Test.", .tab = mtab,
};

static void test_opts_multi_values_up_to_the_next_option(void **state)
{
	struct seen s = { { 0 } };
	const char *a1[] = { "p", "-d", "a", "b,x=1", "c", "-f", "--device", "e", "-", NULL };
	const char *a2[] = { "p", "-f", "extra", NULL };
	const char *a3[] = { "p", "-d", "a", "--", "b", NULL };

	assert_int_equal(opts_parse(&mspec, 9, (char **)a1, cb, &s), 0);
	assert_string_equal(s.log, "1=a;1=b,x=1;1=c;3=-;1=e;1=-;");
	/* only a multi option takes more words */
	memset(&s, 0, sizeof(s));
	assert_int_equal(opts_parse(&mspec, 3, (char **)a2, cb, &s), OPTS_USAGE);
	memset(&s, 0, sizeof(s));
	assert_int_equal(opts_parse(&mspec, 5, (char **)a3, cb, &s), OPTS_USAGE);
	assert_string_equal(s.log, "1=a;");
}

/* What fn(arg) printed on stderr, into out. */
static int with_stderr(char *out, size_t outlen, int (*fn)(const char *), const char *arg)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), r;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	r = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, outlen - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return r;
}

static unsigned long uint_v;

static int count_uint(const char *arg)
{
	return opts_uint(&spec, O_COUNT, arg, &uint_v);
}

static int sock_uint(const char *arg)
{
	return opts_uint(&spec, O_SOCK, arg, &uint_v);
}

/* The range checked is the one --help shows (the table's), and the
 * message names the option, the value and the range. */
static void test_opts_uint_takes_the_tables_range(void **state)
{
	char err[256];

	assert_int_equal(with_stderr(err, sizeof(err), count_uint, "8"), 0);
	assert_int_equal(uint_v, 8);
	assert_string_equal(err, "");
	assert_int_equal(with_stderr(err, sizeof(err), count_uint, "1"), 0);
	assert_int_equal(uint_v, 1);
	assert_int_equal(with_stderr(err, sizeof(err), count_uint, "9"), -1);
	assert_string_equal(err, "vhost-device-test: --socket-count '9': expected 1..8\n");
	assert_int_equal(with_stderr(err, sizeof(err), count_uint, "0"), -1);
	assert_string_equal(err, "vhost-device-test: --socket-count '0': expected 1..8\n");
	/* no number at all: a usage error (exit 2), as clap's */
	assert_int_equal(with_stderr(err, sizeof(err), count_uint, "2x"), OPTS_USAGE);
	assert_int_equal(uint_v, 1);   /* untouched on error */
	/* an entry without a range is a mistake in the table, not a pass */
	assert_int_equal(with_stderr(err, sizeof(err), sock_uint, "3"), -1);
	assert_non_null(strstr(err, "has no range"));
}

static int count_default(const char *unused)
{
	return opts_uint_default(&spec, O_COUNT, &uint_v);
}

static int sock_default(const char *unused)
{
	return opts_uint_default(&spec, O_SOCK, &uint_v);
}

static int outside_default(const char *unused)
{
	static const struct opt t[] = {
		OPT("n", 'n', "N", "a number", 1, .range = "1..8", .dflt = "9"),
		OPT_END
	};
	static const struct opts_spec s = { .prog = "p", .usage = "", .tab = t };

	return opts_uint_default(&s, 1, &uint_v);
}

/* A default the code uses is the table's, the one --help shows. */
static void test_opts_uint_default_is_the_tables(void **state)
{
	char err[256];

	uint_v = 0;
	assert_int_equal(with_stderr(err, sizeof(err), count_default, NULL), 0);
	assert_int_equal(uint_v, 1);
	assert_string_equal(err, "");
	/* an entry without a default is a mistake in the table */
	assert_int_equal(with_stderr(err, sizeof(err), sock_default, NULL), -1);
	assert_non_null(strstr(err, "has no default"));
	/* and so is a default outside its own range */
	assert_int_equal(with_stderr(err, sizeof(err), outside_default, NULL), -1);
	assert_string_equal(err, "p: --n '9': expected 1..8\n");
	assert_int_equal(uint_v, 1);
}

/* A list option's entries one by one, each named when it is wrong. */
static void test_opts_list_entries(void **state)
{
	const char *p = "a:bb:ccc";
	char ent[4], why[64];
	unsigned i = 0;

	while (opts_list_next(&p, ':', i, ent, sizeof(ent), why, sizeof(why)) == 1) {
		assert_int_equal(strlen(ent), i + 1);
		assert_int_equal(ent[0], 'a' + (int)i);
		i++;
	}
	assert_int_equal(i, 3);
	assert_null(p);
	static const struct {
		const char *list;
		unsigned bad;      /* entries before the bad one */
		const char *why;
	} cases[] = {
		{ "", 0, "empty entry 1" },
		{ ":a", 0, "empty entry 1" },
		{ "a::b", 1, "empty entry 2" },
		{ "a:", 1, "empty entry 2" },
		{ "a:dddd", 1, "entry 'dddd...' is too long" },
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		int r;

		p = cases[k].list;
		i = 0;
		while ((r = opts_list_next(&p, ':', i, ent, sizeof(ent), why, sizeof(why))) == 1)
			i++;
		if (r != -1 || i != cases[k].bad || strcmp(why, cases[k].why))
			fail_msg("'%s': %d after %u entries, '%s'", cases[k].list, r, i, why);
	}
}

static const struct opt rtab[] = {
	OPT("list", 'l', "L1[:L2]", "required", 1, .required = true),
	OPT("name", 0, "N", "required, long only", 2, .required = true),
	OPT("opt", 'o', NULL, "optional", 3),
	OPT_END
};
static const struct opts_spec rspec = { .prog = "p", .usage = "", .tab = rtab };

static int parse_r(const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = { "p", a1, a2, a3, NULL };
	struct seen s = { { 0 } };
	int argc = 1;

	while (argc < 4 && argv[argc])
		argc++;
	return opts_parse(&rspec, argc, (char **)argv, cb, &s);
}

static int required_none(const char *unused) { return parse_r("-o", NULL, NULL); }
static int required_list_only(const char *unused) { return parse_r("-lx", NULL, NULL); }
static int required_both(const char *unused) { return parse_r("-lx", "--name=n", NULL); }
static int required_help(const char *unused) { return parse_r("--help", NULL, NULL); }

/* A required option not given is a usage error naming it (the first of
 * the table that is missing); --help needs none. */
static void test_opts_required(void **state)
{
	char err[256];

	assert_int_equal(with_stderr(err, sizeof(err), required_none, NULL), OPTS_USAGE);
	assert_string_equal(err, "p: missing --list (-l L1[:L2])\n"
			    "Try 'p --help' for more information.\n");
	assert_int_equal(with_stderr(err, sizeof(err), required_list_only, NULL), OPTS_USAGE);
	assert_string_equal(err, "p: missing --name\nTry 'p --help' for more information.\n");
	assert_int_equal(with_stderr(err, sizeof(err), required_both, NULL), 0);
	assert_string_equal(err, "");
	fflush(stdout);
	assert_int_equal(with_stderr(err, sizeof(err), required_help, NULL), 1);
}

static int bad_list(const char *arg)
{
	return opts_bad("prog", "--list", arg, "entry %d is empty", 2);
}

static void test_opts_bad_names_option_and_value(void **state)
{
	char err[128];

	assert_int_equal(with_stderr(err, sizeof(err), bad_list, "a::b"), -1);
	assert_string_equal(err, "prog: --list 'a::b': entry 2 is empty\n");
}

static int usage_missing(const char *what)
{
	return opts_usage("prog", "missing %s", what);
}

/* A command line wrong as a whole: the reason, then where to look. */
static void test_opts_usage_points_to_help(void **state)
{
	char err[128];

	assert_int_equal(with_stderr(err, sizeof(err), usage_missing, "--list (-l L)"), OPTS_USAGE);
	assert_string_equal(err, "prog: missing --list (-l L)\n"
			    "Try 'prog --help' for more information.\n");
}

static void more(FILE *f)
{
	fputs("Models:\n  m1\n", f);
}

/* help_more (made at run time) sits between the options and the epilog,
 * each after a blank line. */
static void test_opts_help_more_before_epilog(void **state)
{
	struct opts_spec sp = spec;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	sp.help_more = more;
	sp.epilog = "Examples:\n  x\n";
	opts_help(&sp, f);
	fclose(f);
	assert_non_null(strstr(buf, "show the version and exit\n\nModels:\n  m1\n\nExamples:\n  x\n"));
	free(buf);
}

static void list_values(FILE *f)
{
	fputs("v1 v2\n", f);
}

enum { V_MODEL = 1, V_MODELS };

static const struct opt vtab[] = {
	OPT("model", 'm', "M", "a model; '-m help' lists them", V_MODEL,
	    .values_help = list_values),
	OPT("models", 0, NULL, "list the models", V_MODELS, .values_help = list_values),
	OPT_END
};

static const struct opts_spec vspec = { .prog = "p", .usage = "", .tab = vtab };

/* "-m help" lists the values and stops with success; the callback never
 * sees it; any other value reaches the callback. */
static void test_opts_values_help(void **state)
{
	struct seen s = { "" };
	const char *a1[] = { "p", "-m", "help", "-m", "x", NULL };
	const char *a2[] = { "p", "--model=x", NULL };
	FILE *tmp = tmpfile();
	int saved = dup(1), r;
	char out[64];
	size_t n;

	assert_non_null(tmp);
	fflush(stdout);
	dup2(fileno(tmp), 1);
	r = opts_parse(&vspec, 5, (char **)a1, cb, &s);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	assert_int_equal(r, 1);
	assert_string_equal(out, "v1 v2\n");
	assert_string_equal(s.log, "");
	assert_int_equal(opts_parse(&vspec, 2, (char **)a2, cb, &s), 0);
	assert_string_equal(s.log, "1=x;");
}

/* An option without a value that has values_help is that list itself. */
static void test_opts_values_help_flag(void **state)
{
	struct seen s = { "" };
	const char *a[] = { "p", "--models", "-m", "x", NULL };
	FILE *tmp = tmpfile();
	int saved = dup(1), r;
	char out[64];
	size_t n;

	assert_non_null(tmp);
	fflush(stdout);
	dup2(fileno(tmp), 1);
	r = opts_parse(&vspec, 4, (char **)a, cb, &s);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	assert_int_equal(r, 1);
	assert_string_equal(out, "v1 v2\n");
	assert_string_equal(s.log, "");
}

/* Two groups with the same ids: each option reaches its own group's
 * callback, long-only ones included; --help lists the groups in order. */
enum { G_X = 1, G_LONG };

static const struct opt tab2[] = {
	OPT("xtra", 'x', "V", "second group", G_X),
	OPT("long-two", 0, NULL, "long-only, second group", G_LONG),
	OPT_END
};

static const struct opt tab1[] = {
	OPT("first", 'f', NULL, "first group", G_X),
	OPT("long-one", 0, NULL, "long-only, first group", G_LONG),
	OPT_END
};

static void test_opts_groups_keep_their_ids_apart(void **state)
{
	struct seen s1 = { { 0 } }, s2 = { { 0 } };
	const struct opts_group g[] = { { tab1, cb, &s1 }, { tab2, cb, &s2 } };
	const char *argv[] = { "p", "--long-two", "-f", "-x", "v", "--long-one", NULL };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(opts_parse_groups(&spec, g, 2, 6, (char **)argv), 0);
	assert_string_equal(s1.log, "1=-;2=-;");
	assert_string_equal(s2.log, "2=-;1=v;");

	f = open_memstream(&buf, &len);
	opts_help_groups(&spec, g, 2, f);
	fclose(f);
	assert_true(strstr(buf, "--first") < strstr(buf, "--xtra"));
	assert_true(strstr(buf, "--xtra") < strstr(buf, "--verbose"));
	free(buf);
}

static void test_opts_long_only_id_out_of_range_refused(void **state)
{
	static const struct opt bad[] = { OPT("zero", 0, NULL, "id 0", 0), OPT_END };
	struct seen s = { { 0 } };
	const struct opts_group g = { bad, cb, &s };
	const char *argv[] = { "p", NULL };

	assert_int_equal(opts_parse_groups(&spec, &g, 1, 1, (char **)argv), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_short_long_and_attached_forms),
		cmocka_unit_test(test_opts_unknown_option_fails),
		cmocka_unit_test(test_opts_missing_argument_fails),
		cmocka_unit_test(test_opts_positional_argument_fails),
		cmocka_unit_test(test_opts_help_and_version_stop_with_success),
		cmocka_unit_test(test_opts_help_lists_every_option),
		cmocka_unit_test(test_opts_parse_uint_strict),
		cmocka_unit_test(test_opts_uint_takes_the_tables_range),
		cmocka_unit_test(test_opts_uint_default_is_the_tables),
		cmocka_unit_test(test_opts_list_entries),
		cmocka_unit_test(test_opts_required),
		cmocka_unit_test(test_opts_bad_names_option_and_value),
		cmocka_unit_test(test_opts_help_more_before_epilog),
		cmocka_unit_test(test_opts_values_help),
		cmocka_unit_test(test_opts_values_help_flag),
		cmocka_unit_test(test_opts_usage_points_to_help),
		cmocka_unit_test(test_opts_multi_values_up_to_the_next_option),
		cmocka_unit_test(test_opts_groups_keep_their_ids_apart),
		cmocka_unit_test(test_opts_long_only_id_out_of_range_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
