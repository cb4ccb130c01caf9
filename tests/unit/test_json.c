/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The strict JSON reader and the bounded writer (common/json.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/json.h"

static struct json_tok tok[64];
static struct json_doc d;

static int parse(const char *s)
{
	return json_parse(&d, s, strlen(s), tok, 64);
}

static void test_json_parse_request_and_lookup(void **state)
{
	char s[32];
	int64_t v;
	int a;

	assert_int_equal(parse(" {\"id\": 7, \"cmd\": \"gpio.set\", \"args\": {\"line\": 3, "
			       "\"name\": \"a\\u00e9\\n\", \"on\": true, \"x\": null, "
			       "\"l\": [1, [], {}]}} \n"), 0);
	assert_int_equal(tok[0].type, JSON_OBJ);
	assert_int_equal(tok[0].count, 3);
	assert_int_equal(json_int(&d, (unsigned)json_get(&d, 0, "id"), 0, 100, &v), 0);
	assert_int_equal(v, 7);
	assert_true(json_str_eq(&d, (unsigned)json_get(&d, 0, "cmd"), "gpio.set"));
	a = json_get(&d, 0, "args");
	assert_true(a > 0);
	assert_int_equal(json_str(&d, (unsigned)json_get(&d, (unsigned)a, "name"), s, sizeof(s)), 4);
	assert_string_equal(s, "a\xc3\xa9\n");
	assert_int_equal(json_get(&d, (unsigned)a, "nope"), -1);
	assert_int_equal(tok[json_get(&d, (unsigned)a, "l")].count, 3);
	assert_int_equal(tok[json_child(&d, (unsigned)json_get(&d, (unsigned)a, "l"), 2)].type,
			 JSON_OBJ);
	/* a key spelled with an escape is the same key */
	assert_int_equal(parse("{\"\\u0061\":1}"), 0);
	assert_true(json_get(&d, 0, "a") > 0);
	/* a surrogate pair */
	assert_int_equal(parse("\"\\ud83d\\ude00\""), 0);
	assert_int_equal(json_str(&d, 0, s, sizeof(s)), 4);
	assert_memory_equal(s, "\xf0\x9f\x98\x80", 4);
}

/* Each rule of RFC 8259 the reader enforces: the text is refused. */
static void test_json_parse_refuses_what_is_not_json(void **state)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "{\"a\":1,}", "[1,]", "[,1]", "{\"a\" 1}", "{a:1}",
		"{'a':1}", "01", "-", "1.", ".5", "1e", "+1", "0x10", "tru", "nul",
		"NaN", "Infinity", "\"abc", "\"a\\x\"", "\"\\u12\"", "\"\\ud800\"",
		"\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\tb\"", "\"\x01\"",
		"\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xe2\x82\"",
		"\"\x80\"", "{\"a\":1} x", "{\"a\":1}{}", "1 2", "{\"a\":1,\"a\":2}",
		"{\"a\":1,\"\\u0061\":2}", "/* c */ 1", "[1] // c",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i]);

		if (r != -EINVAL)
			fail_msg("accepted or wrong error (%d) for '%s'", r, bad[i]);
		assert_non_null(d.err);
	}
	/* embedded NUL in the input */
	assert_int_equal(json_parse(&d, "\"a\0b\"", 5, tok, 64), -EINVAL);
	assert_int_equal(json_parse(&d, "1\0", 2, tok, 64), -EINVAL);
}

static void test_json_parse_bounds_depth_and_count(void **state)
{
	char deep[64];

	memset(deep, '[', JSON_MAX_DEPTH);
	memset(deep + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	deep[2 * JSON_MAX_DEPTH] = 0;
	assert_int_equal(parse(deep), 0);
	memset(deep, '[', JSON_MAX_DEPTH + 1);
	memset(deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	deep[2 * JSON_MAX_DEPTH + 2] = 0;
	assert_int_equal(parse(deep), -E2BIG);
	assert_int_equal(json_parse(&d, "[1,2,3]", 7, tok, 4), 0);
	assert_int_equal(json_parse(&d, "[1,2,3,4]", 9, tok, 4), -E2BIG);
}

static void test_json_numbers_exact(void **state)
{
	int64_t v;

	assert_int_equal(parse("25.5"), 0);
	assert_int_equal(json_fixed(&d, 0, 3, INT64_MIN, INT64_MAX, &v), 0);
	assert_int_equal(v, 25500);
	assert_int_equal(json_int(&d, 0, INT64_MIN, INT64_MAX, &v), -EINVAL);
	assert_int_equal(parse("-0.125"), 0);
	assert_int_equal(json_fixed(&d, 0, 3, INT64_MIN, INT64_MAX, &v), 0);
	assert_int_equal(v, -125);
	assert_int_equal(json_fixed(&d, 0, 2, INT64_MIN, INT64_MAX, &v), -EINVAL);
	assert_int_equal(parse("1.2300"), 0);
	assert_int_equal(json_fixed(&d, 0, 2, INT64_MIN, INT64_MAX, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(parse("1e3"), 0);
	assert_int_equal(json_int(&d, 0, INT64_MIN, INT64_MAX, &v), -EINVAL);
	assert_int_equal(parse("9223372036854775807"), 0);
	assert_int_equal(json_int(&d, 0, INT64_MIN, INT64_MAX, &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(parse("9223372036854775808"), 0);
	assert_int_equal(json_int(&d, 0, INT64_MIN, INT64_MAX, &v), -ERANGE);
	assert_int_equal(parse("-9223372036854775808"), 0);
	assert_int_equal(json_int(&d, 0, INT64_MIN, INT64_MAX, &v), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(parse("256"), 0);
	assert_int_equal(json_int(&d, 0, 0, 255, &v), -ERANGE);
	assert_int_equal(parse("-1"), 0);
	assert_int_equal(json_int(&d, 0, 0, 255, &v), -ERANGE);
	assert_int_equal(parse("\"1\""), 0);
	assert_int_equal(json_int(&d, 0, 0, 255, &v), -EINVAL);
}

static void test_json_str_bounds(void **state)
{
	char s[4];

	assert_int_equal(parse("\"abc\""), 0);
	assert_int_equal(json_str(&d, 0, s, sizeof(s)), 3);
	assert_int_equal(parse("\"abcd\""), 0);
	assert_int_equal(json_str(&d, 0, s, sizeof(s)), -E2BIG);
	assert_int_equal(parse("\"a\\u0000\""), 0);
	assert_int_equal(json_str(&d, 0, s, sizeof(s)), -EINVAL);
	assert_int_equal(parse("1"), 0);
	assert_int_equal(json_str(&d, 0, s, sizeof(s)), -EINVAL);
}

static void test_json_writer_escapes_and_reads_back(void **state)
{
	char buf[256], s[64];
	struct json_w w;
	const uint8_t bytes[] = { 0x00, 0xab, 0xff };

	jw_init(&w, buf, sizeof(buf));
	jw_obj(&w, NULL);
	jw_str(&w, "s", "q\"b\\n\n\x01\x7f");
	jw_str(&w, "bad", "a\xff" "b\xc3\xa9");
	jw_int(&w, "i", -5);
	jw_uint(&w, "u", 18446744073709551615ull);
	jw_fixed(&w, "f", -25500, 3);
	jw_fixed(&w, "g", 7, 3);
	jw_bool(&w, "b", true);
	jw_null(&w, "n");
	jw_hex(&w, "h", bytes, 3);
	jw_arr(&w, "a");
	jw_int(&w, NULL, 1);
	jw_obj(&w, NULL);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	assert_non_null(jw_text(&w));
	assert_string_equal(buf, "{\"s\":\"q\\\"b\\\\n\\n\\u0001\\u007f\",\"bad\":\"a\xef\xbf\xbd"
			    "b\xc3\xa9\",\"i\":-5,\"u\":18446744073709551615,\"f\":-25.5,"
			    "\"g\":0.007,\"b\":true,\"n\":null,\"h\":\"00abff\",\"a\":[1,{}]}");
	/* what it writes, the reader takes */
	assert_int_equal(parse(buf), 0);
	assert_int_equal(json_str(&d, (unsigned)json_get(&d, 0, "s"), s, sizeof(s)), 8);
	assert_string_equal(s, "q\"b\\n\n\x01\x7f");
}

static void test_json_writer_overflow_is_reported(void **state)
{
	char buf[8];
	struct json_w w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj(&w, NULL);
	jw_str(&w, "key", "value");
	jw_end(&w);
	assert_null(jw_text(&w));
	assert_true(strlen(buf) < sizeof(buf));
	/* an end without an open one */
	jw_init(&w, buf, sizeof(buf));
	jw_end(&w);
	assert_null(jw_text(&w));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_parse_request_and_lookup),
		cmocka_unit_test(test_json_parse_refuses_what_is_not_json),
		cmocka_unit_test(test_json_parse_bounds_depth_and_count),
		cmocka_unit_test(test_json_numbers_exact),
		cmocka_unit_test(test_json_str_bounds),
		cmocka_unit_test(test_json_writer_escapes_and_reads_back),
		cmocka_unit_test(test_json_writer_overflow_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
