/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* libFuzzer target: the control socket's request handling
 * (src/common/ctl.c, ctl_cmds.c, json.c): the input is one request line
 * as a client sends it, run through the parser, the request checks and
 * the dispatch to the built-in commands and a table using every
 * argument getter.
 *
 * Checked: the reply is always one valid JSON object (the strict reader
 * takes it) with "id" and exactly one of "return" or "error"; every value
 * the reader accepted decodes, and a string written back by the writer
 * reads back the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "common/ctl.h"
#include "common/json.h"

#define CHECK(c) FZ_CHECK(c)

static int cmd_all(void *opaque, struct ctl_call *c)
{
	int64_t i, f;
	bool b;
	char s[32];
	uint8_t h[64];
	size_t n;
	unsigned sock;

	if (ctl_arg_int(c, "i", -1000, 1000, &i) < 0 || ctl_arg_fixed(c, "f", 3, -1000000, 1000000, &f) < 0 ||
	    ctl_arg_bool(c, "b", &b) < 0 || ctl_arg_str(c, "s", s, sizeof(s)) < 0 ||
	    ctl_arg_hex(c, "h", h, sizeof(h), &n) < 0 || ctl_arg_sock(c, 2, &sock) < 0)
		return -1;
	if (ctl_has(c, "s"))
		jw_str(ctl_out(c), "s", s);
	if (ctl_arg_int_req(c, "r", 0, 1, &i) < 0)
		return -1;
	return 0;
}

static const struct ctl_cmd cmds[] = {
	{ "f.all", "i f b s h sock r", "every getter", cmd_all },
	{ 0 }
};

static void check_reply(const char *reply)
{
	static struct json_tok tok[4096];
	struct json_doc d;

	CHECK(json_parse(&d, reply, strlen(reply), tok, 4096) == 0);
	CHECK(tok[0].type == JSON_OBJ);
	CHECK(json_get(&d, 0, "id") > 0);
	CHECK((json_get(&d, 0, "return") > 0) != (json_get(&d, 0, "error") > 0));
}

static void check_values(const uint8_t *data, size_t size)
{
	static struct json_tok tok[256];
	static char s[20000], w_buf[120000];
	struct json_doc d;

	if (json_parse(&d, (const char *)data, size, tok, 256))
		return;
	for (unsigned t = 0; t < d.n; t++) {
		int64_t v;

		if (tok[t].type == JSON_STR) {
			int n = json_str(&d, t, s, sizeof(s));
			struct json_w w;
			struct json_doc d2;
			struct json_tok t2[1];
			static char back[20000];

			if (n < 0)
				continue;   /* \u0000 inside: refused by json_str */
			jw_init(&w, w_buf, sizeof(w_buf));
			jw_strn(&w, NULL, s, (size_t)n);
			CHECK(jw_text(&w));
			CHECK(json_parse(&d2, w_buf, w.len, t2, 1) == 0);
			CHECK(json_str(&d2, 0, back, sizeof(back)) == n);
			CHECK(!memcmp(back, s, (size_t)n));
		} else if (tok[t].type == JSON_NUM) {
			(void)json_fixed(&d, t, 3, INT64_MIN, INT64_MAX, &v);
			(void)json_int(&d, t, INT64_MIN, INT64_MAX, &v);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char reply[CTL_REPLY_MAX];
	static bool once;

	if (!once) {
		once = true;
		ctl_register(cmds, NULL);
	}
	if (size > 16384)
		return 0;
	ctl_run_line((const char *)data, size, reply);
	check_reply(reply);
	check_values(data, size);
	return 0;
}
