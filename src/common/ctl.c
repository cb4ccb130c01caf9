/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The control socket's commands (ctl.h): the registry, what a command
 * gets (struct ctl_call, the argument getters that name the bad value)
 * and running one request line into its reply.  The socket and its
 * clients are in ctl_server.c, the built-in commands in ctl_cmds.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"
#include "common/ctl_int.h"

/* ---------------- the registry ---------------- */

struct ctl_reg ctl_regs[CTL_MAX_REG];
unsigned ctl_nregs;
struct ctl_list ctl_lists[CTL_MAX_REG];
unsigned ctl_nlists;

static const struct ctl_cmd *find_cmd(const char *name, void **opaque)
{
	for (const struct ctl_cmd *c = ctl_builtin; c->name; c++)
		if (!strcmp(c->name, name)) {
			*opaque = NULL;
			return c;
		}
	for (unsigned i = 0; i < ctl_nregs; i++)
		for (const struct ctl_cmd *c = ctl_regs[i].tab; c->name; c++)
			if (!strcmp(c->name, name)) {
				*opaque = ctl_regs[i].opaque;
				return c;
			}
	return NULL;
}

int ctl_register(const struct ctl_cmd *tab, void *opaque)
{
	void *o;

	if (ctl_nregs >= CTL_MAX_REG)
		return -ENOSPC;
	for (const struct ctl_cmd *c = tab; c->name; c++)
		if (find_cmd(c->name, &o))
			return -EEXIST;
	ctl_regs[ctl_nregs++] = (struct ctl_reg){ tab, opaque };
	return 0;
}

int ctl_register_list(void (*fn)(void *opaque, unsigned sock, struct json_w *w),
		      void *opaque)
{
	if (ctl_nlists >= CTL_MAX_REG)
		return -ENOSPC;
	ctl_lists[ctl_nlists].fn = fn;
	ctl_lists[ctl_nlists].opaque = opaque;
	ctl_nlists++;
	return 0;
}

void ctl_reset_registry(void)
{
	ctl_nregs = 0;
	ctl_nlists = 0;
}

/* ---------------- requests ---------------- */

struct json_w *ctl_out(struct ctl_call *c)
{
	return &c->out;
}

int ctl_fail(struct ctl_call *c, const char *cls, const char *fmt, ...)
{
	va_list ap;

	if (c->cls)
		return -1;
	c->cls = cls;
	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
	return -1;
}

static int arg_tok(struct ctl_call *c, const char *key)
{
	return c->args < 0 ? -1 : json_get(c->doc, (unsigned)c->args, key);
}

bool ctl_has(struct ctl_call *c, const char *key)
{
	return arg_tok(c, key) >= 0;
}

/* The argument's text for a message, bounded. */
static const char *arg_text(struct ctl_call *c, int t, char *buf, size_t cap)
{
	const struct json_tok *k = &c->doc->tok[t];
	bool q = k->type == JSON_STR;   /* with its quotes */
	size_t len = k->len + 2 * q, n = len < cap - 4 ? len : cap - 4;

	memcpy(buf, c->doc->text + k->start - q, n);
	strcpy(buf + n, len > n ? "..." : "");
	return buf;
}

int ctl_arg_fixed(struct ctl_call *c, const char *key, unsigned digits,
		  int64_t min, int64_t max, int64_t *v)
{
	int t = arg_tok(c, key), r;
	char b[40];

	if (t < 0)
		return 1;
	r = c->doc->tok[t].type == JSON_NUM ? json_fixed(c->doc, (unsigned)t, digits, min, max, v)
					    : -EINVAL;
	if (r == 0)
		return 0;
	if (r == -ERANGE) {
		char lo[32], hi[32];
		struct json_w w;

		jw_init(&w, lo, sizeof(lo));
		jw_fixed(&w, NULL, min, digits);
		jw_init(&w, hi, sizeof(hi));
		jw_fixed(&w, NULL, max, digits);
		return ctl_fail(c, CTL_E_ARG, "%s %s: out of range %s..%s", key,
				arg_text(c, t, b, sizeof(b)), lo, hi);
	}
	if (digits)
		return ctl_fail(c, CTL_E_ARG, "%s %s: expected a number with at most %u "
				"decimals", key, arg_text(c, t, b, sizeof(b)), digits);
	return ctl_fail(c, CTL_E_ARG, "%s %s: expected an integer", key,
			arg_text(c, t, b, sizeof(b)));
}

int ctl_arg_int(struct ctl_call *c, const char *key, int64_t min, int64_t max, int64_t *v)
{
	int t = arg_tok(c, key);
	char b[40];

	if (t >= 0 && c->doc->tok[t].type == JSON_NUM &&
	    memchr(c->doc->text + c->doc->tok[t].start, '.', c->doc->tok[t].len))
		return ctl_fail(c, CTL_E_ARG, "%s %s: expected an integer", key,
				arg_text(c, t, b, sizeof(b)));
	return ctl_arg_fixed(c, key, 0, min, max, v);
}

static int missing(struct ctl_call *c, const char *key)
{
	return ctl_fail(c, CTL_E_ARG, "missing argument '%s'", key);
}

int ctl_arg_int_req(struct ctl_call *c, const char *key, int64_t min, int64_t max, int64_t *v)
{
	int r = ctl_arg_int(c, key, min, max, v);

	return r == 1 ? missing(c, key) : r;
}

int ctl_arg_bool(struct ctl_call *c, const char *key, bool *v)
{
	int t = arg_tok(c, key);
	char b[40];

	if (t < 0)
		return 1;
	if (c->doc->tok[t].type == JSON_BOOL) {
		*v = c->doc->text[c->doc->tok[t].start] == 't';
		return 0;
	}
	if (c->doc->tok[t].type == JSON_NUM) {
		int64_t x;

		if (!json_int(c->doc, (unsigned)t, 0, 1, &x)) {
			*v = x;
			return 0;
		}
	}
	return ctl_fail(c, CTL_E_ARG, "%s %s: expected true, false, 0 or 1", key,
			arg_text(c, t, b, sizeof(b)));
}

int ctl_arg_str(struct ctl_call *c, const char *key, char *buf, size_t cap)
{
	int t = arg_tok(c, key), r;
	char b[40];

	if (t < 0)
		return 1;
	r = json_str(c->doc, (unsigned)t, buf, cap);
	if (r >= 0)
		return 0;
	if (r == -E2BIG)
		return ctl_fail(c, CTL_E_ARG, "%s %s: longer than %zu bytes", key,
				arg_text(c, t, b, sizeof(b)), cap - 1);
	return ctl_fail(c, CTL_E_ARG, "%s %s: expected a string", key,
			arg_text(c, t, b, sizeof(b)));
}

int ctl_arg_str_req(struct ctl_call *c, const char *key, char *buf, size_t cap)
{
	int r = ctl_arg_str(c, key, buf, cap);

	return r == 1 ? missing(c, key) : r;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int ctl_arg_hex(struct ctl_call *c, const char *key, uint8_t *buf, size_t cap, size_t *n)
{
	int t = arg_tok(c, key);
	const struct json_tok *k;
	const char *s;
	char b[40];

	if (t < 0)
		return 1;
	k = &c->doc->tok[t];
	s = c->doc->text + k->start;
	if (k->type != JSON_STR || k->len % 2)
		return ctl_fail(c, CTL_E_ARG, "%s %s: expected an even number of hex digits",
				key, arg_text(c, t, b, sizeof(b)));
	if (k->len / 2 > cap)
		return ctl_fail(c, CTL_E_ARG, "%s: %u bytes, at most %zu", key, k->len / 2, cap);
	for (size_t i = 0; i < k->len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return ctl_fail(c, CTL_E_ARG, "%s: '%c%c' at offset %zu is not hex", key,
					s[i], s[i + 1], i);
		buf[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*n = k->len / 2;
	return 0;
}

int ctl_arg_sock(struct ctl_call *c, unsigned count, unsigned *sock)
{
	int64_t v;
	int r = ctl_arg_int(c, "sock", 0, (int64_t)count - 1, &v);

	if (r < 0)
		return -1;
	*sock = r ? 0 : (unsigned)v;
	return 0;
}

/* Whether word is in the space-separated list. */
static bool in_list(const char *list, const char *word, size_t n)
{
	for (const char *p = list; p && *p; ) {
		size_t m = strcspn(p, " ");

		if (m == n && !memcmp(p, word, n))
			return true;
		p += m;
		p += strspn(p, " ");
	}
	return false;
}

void ctl_reply_error(struct json_w *w, const char *id, size_t idlen, const char *cls,
			const char *desc)
{
	jw_obj(w, NULL);
	if (id)
		jw_raw(w, "id", id, idlen);
	else
		jw_null(w, "id");
	jw_obj(w, "error");
	jw_str(w, "class", cls);
	jw_str(w, "desc", desc);
	jw_end(w);
	jw_end(w);
}

void ctl_run_request(struct client *cl, const char *line, size_t len, char *reply)
{
	static struct json_tok tok[CTL_MAX_TOK];
	struct json_doc doc;
	struct ctl_call call = { .doc = &doc, .args = -1, .cl = cl };
	const struct ctl_cmd *cmd;
	char name[64], desc[160];
	const char *id = NULL;
	size_t idlen = 0;
	void *opaque;
	int r, t;
	struct json_w w;

	ctl_srv.requests++;
	jw_init(&w, reply, CTL_REPLY_MAX);
	r = json_parse(&doc, line, len, tok, CTL_MAX_TOK);
	if (r) {
		snprintf(desc, sizeof(desc), "%s at byte %u", doc.err ? doc.err : "malformed",
			 doc.err_at);
		ctl_reply_error(&w, NULL, 0, "ParseError", desc);
		goto err;
	}
	if (tok[0].type != JSON_OBJ) {
		ctl_reply_error(&w, NULL, 0, "BadRequest", "a request is a JSON object");
		goto err;
	}
	t = json_get(&doc, 0, "id");
	if (t >= 0) {
		if ((tok[t].type != JSON_NUM && tok[t].type != JSON_STR && tok[t].type != JSON_NULL) ||
		    tok[t].len > CTL_ID_MAX) {
			ctl_reply_error(&w, NULL, 0, "BadRequest",
				    "id: expected a number, a string or null, at most 64 bytes");
			goto err;
		}
		id = line + tok[t].start - (tok[t].type == JSON_STR);
		idlen = tok[t].len + (tok[t].type == JSON_STR ? 2 : 0);
	}
	for (unsigned i = 0; i < tok[0].count; i++) {
		int k = json_child(&doc, 0, i);

		if (!json_str_eq(&doc, (unsigned)k, "id") && !json_str_eq(&doc, (unsigned)k, "cmd") &&
		    !json_str_eq(&doc, (unsigned)k, "args")) {
			ctl_reply_error(&w, id, idlen, "BadRequest",
				    "unknown member: a request has id, cmd and args");
			goto err;
		}
	}
	t = json_get(&doc, 0, "cmd");
	if (t < 0 || json_str(&doc, (unsigned)t, name, sizeof(name)) < 0) {
		ctl_reply_error(&w, id, idlen, "BadRequest", "cmd: expected the command's name");
		goto err;
	}
	cmd = find_cmd(name, &opaque);
	if (!cmd) {
		snprintf(desc, sizeof(desc), "unknown command '%s' (\"help\" ctl_lists them)", name);
		ctl_reply_error(&w, id, idlen, "CommandNotFound", desc);
		goto err;
	}
	t = json_get(&doc, 0, "args");
	if (t >= 0) {
		if (tok[t].type != JSON_OBJ) {
			ctl_reply_error(&w, id, idlen, "BadRequest", "args: expected an object");
			goto err;
		}
		call.args = t;
		for (unsigned i = 0; i < tok[t].count; i++) {
			int k = json_child(&doc, (unsigned)t, i);
			char key[32];

			if (json_str(&doc, (unsigned)k, key, sizeof(key)) < 0 ||
			    !in_list(cmd->args, key, strlen(key))) {
				snprintf(desc, sizeof(desc), "%s: unknown argument '%.*s'%s%s", name,
					 (int)(tok[k].len > 31 ? 31 : tok[k].len),
					 line + tok[k].start,
					 cmd->args && *cmd->args ? "; it takes: " : "; it takes none",
					 cmd->args ? cmd->args : "");
				ctl_reply_error(&w, id, idlen, CTL_E_ARG, desc);
				goto err;
			}
			if (tok[k + 1].type == JSON_OBJ || tok[k + 1].type == JSON_ARR) {
				snprintf(desc, sizeof(desc), "%s: argument '%s' must be a number, "
					 "a string, true, false or null", name, key);
				ctl_reply_error(&w, id, idlen, CTL_E_ARG, desc);
				goto err;
			}
		}
	}
	/* the reply's frame, then the command fills "return" */
	jw_obj(&w, NULL);
	if (id)
		jw_raw(&w, "id", id, idlen);
	else
		jw_null(&w, "id");
	jw_obj(&w, "return");
	call.out = w;
	r = cmd->fn(opaque, &call);
	w = call.out;
	if (r < 0 || call.cls) {
		jw_init(&w, reply, CTL_REPLY_MAX);
		ctl_reply_error(&w, id, idlen, call.cls ? call.cls : CTL_E_STATE,
			    call.cls ? call.desc : "failed");
		goto err;
	}
	jw_end(&w);
	jw_end(&w);
	if (!jw_text(&w)) {
		jw_init(&w, reply, CTL_REPLY_MAX);
		ctl_reply_error(&w, id, idlen, CTL_E_ARG, "the reply would be too large; ask for less");
		goto err;
	}
	return;
err:
	ctl_srv.errors++;
}

void ctl_run_line(const char *line, size_t len, char *reply)
{
	static struct client nobody = { .fd = -1 };

	ctl_run_request(&nobody, line, len, reply);
	if (nobody.watching) {
		nobody.watching = false;
		ctl_srv.watchers--;
	}
}
