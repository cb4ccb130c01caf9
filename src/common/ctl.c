/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The control socket's server (ctl.h): the registry of commands, the
 * clients, the built-in commands (help, list, stats, watch) and the
 * --control option.
 *
 * Reactions to a control client, one per class (man vhost-device-ctl):
 *  - a line that is not JSON, not an object, or not a valid request
 *    (unknown member, cmd missing, an id that is not a number, string or
 *    null, args that are not an object of plain values, an unknown command
 *    or argument, a bad value): an error reply, and the client goes on;
 *  - a line longer than CTL_LINE_MAX: an error reply, then the connection
 *    is closed (there is no way to find the next request reliably);
 *  - more than CTL_MAX_CLIENTS at once: the new one gets an error line and
 *    is closed;
 *  - a client that does not read: its replies and events wait in a buffer
 *    of CTL_OUT_MAX bytes; while there is no room for a whole reply its
 *    requests are not read (so it can never make the daemon buffer more),
 *    and events that do not fit are dropped and counted (an event
 *    "dropped" tells it how many once there is room);
 *  - a client that sends faster than CTL_RATE requests per second (after a
 *    burst of CTL_BURST): its socket is not read until the rate allows,
 *    on a timer of the loop.
 * Writes never block (the accepted sockets are ours, nonblocking, and
 * SIGPIPE is ignored); nothing here runs
 * per guest request, and a guest's requests are never delayed by a
 * client beyond the bounded work of one request line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "vhost/serve.h"
#include "vhost/sockets.h"
#include "version.h"

#define CTL_MAX_CLIENTS 16
#define CTL_LINE_MAX    16384       /* one request, newline included */
#define CTL_OUT_MAX     (64 * 1024) /* buffered output per client */
#define CTL_EVENT_MAX   1024        /* one event */
#define CTL_MAX_TOK     256         /* JSON values in one request */
#define CTL_RATE        200         /* requests per second per client */
#define CTL_BURST       64
#define CTL_MAX_REG     16
#define CTL_ID_MAX      64          /* bytes of a request's id */

/* ---------------- the registry ---------------- */

struct reg {
	const struct ctl_cmd *tab;
	void *opaque;
};

static struct reg regs[CTL_MAX_REG];
static unsigned nregs;
static struct {
	void (*fn)(void *opaque, unsigned sock, struct json_w *w);
	void *opaque;
} lists[CTL_MAX_REG];
static unsigned nlists;

static const struct ctl_cmd builtin[];

static const struct ctl_cmd *find_cmd(const char *name, void **opaque)
{
	for (const struct ctl_cmd *c = builtin; c->name; c++)
		if (!strcmp(c->name, name)) {
			*opaque = NULL;
			return c;
		}
	for (unsigned i = 0; i < nregs; i++)
		for (const struct ctl_cmd *c = regs[i].tab; c->name; c++)
			if (!strcmp(c->name, name)) {
				*opaque = regs[i].opaque;
				return c;
			}
	return NULL;
}

int ctl_register(const struct ctl_cmd *tab, void *opaque)
{
	void *o;

	if (nregs >= CTL_MAX_REG)
		return -ENOSPC;
	for (const struct ctl_cmd *c = tab; c->name; c++)
		if (find_cmd(c->name, &o))
			return -EEXIST;
	regs[nregs++] = (struct reg){ tab, opaque };
	return 0;
}

int ctl_register_list(void (*fn)(void *opaque, unsigned sock, struct json_w *w),
		      void *opaque)
{
	if (nlists >= CTL_MAX_REG)
		return -ENOSPC;
	lists[nlists].fn = fn;
	lists[nlists].opaque = opaque;
	nlists++;
	return 0;
}

void ctl_reset_registry(void)
{
	nregs = 0;
	nlists = 0;
}

/* ---------------- the server ---------------- */

struct client {
	int fd;
	struct loop_watch *w;
	uint32_t events;       /* what w waits for now */
	bool watching;         /* sent "watch": gets events */
	bool closing;          /* send what is queued, then close */
	bool eof;              /* it sent its last request */
	bool throttled;        /* over the rate: not read until the timer */
	uint64_t dropped;      /* events lost since the last "dropped" */
	uint64_t tokens_ns;    /* rate limit: time credit, capped */
	uint64_t last_ns;
	size_t in_len, out_len;
	char in[CTL_LINE_MAX];
	char out[CTL_OUT_MAX];
};

static struct {
	struct loop *l;
	int fd;
	struct loop_watch *w, *timer;
	char *path;
	bool own;
	dev_t own_dev;
	ino_t own_ino;
	const char *dev;          /* "gpio" */
	struct vu_dev **d;
	unsigned nd;
	struct client *c[CTL_MAX_CLIENTS];
	unsigned watchers;
	uint64_t requests, errors, refused, closed_bad;
} srv = { .fd = -1 };

#define NS_PER_REQ (1000000000ull / CTL_RATE)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void client_free(struct client *c)
{
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (srv.c[i] == c)
			srv.c[i] = NULL;
	if (c->watching)
		srv.watchers--;
	loop_del(srv.l, c->w);
	close(c->fd);
	free(c);
}

/* Send what is buffered, without blocking.  false if the client is gone
 * (freed). */
static bool client_flush(struct client *c)
{
	while (c->out_len) {
		ssize_t n = write(c->fd, c->out, c->out_len);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			client_free(c);
			return false;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	if (c->closing && !c->out_len) {
		client_free(c);
		return false;
	}
	return true;
}

/* Queue a line (text without its newline); false if it does not fit. */
static bool client_put(struct client *c, const char *text, size_t n)
{
	if (CTL_OUT_MAX - c->out_len < n + 1)
		return false;
	memcpy(c->out + c->out_len, text, n);
	c->out[c->out_len + n] = '\n';
	c->out_len += n + 1;
	return true;
}

/* ---------------- requests ---------------- */

struct ctl_call {
	struct json_doc *doc;
	int args;                  /* the args object's token, or -1 */
	struct json_w out;
	const char *cls;           /* set by ctl_fail */
	char desc[256];
	struct client *cl;
};

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

static void reply_error(struct json_w *w, const char *id, size_t idlen, const char *cls,
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

/* Run one request line into reply (CTL_REPLY_MAX bytes). */
static void run_request(struct client *cl, const char *line, size_t len, char *reply)
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

	srv.requests++;
	jw_init(&w, reply, CTL_REPLY_MAX);
	r = json_parse(&doc, line, len, tok, CTL_MAX_TOK);
	if (r) {
		snprintf(desc, sizeof(desc), "%s at byte %u", doc.err ? doc.err : "malformed",
			 doc.err_at);
		reply_error(&w, NULL, 0, "ParseError", desc);
		goto err;
	}
	if (tok[0].type != JSON_OBJ) {
		reply_error(&w, NULL, 0, "BadRequest", "a request is a JSON object");
		goto err;
	}
	t = json_get(&doc, 0, "id");
	if (t >= 0) {
		if ((tok[t].type != JSON_NUM && tok[t].type != JSON_STR && tok[t].type != JSON_NULL) ||
		    tok[t].len > CTL_ID_MAX) {
			reply_error(&w, NULL, 0, "BadRequest",
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
			reply_error(&w, id, idlen, "BadRequest",
				    "unknown member: a request has id, cmd and args");
			goto err;
		}
	}
	t = json_get(&doc, 0, "cmd");
	if (t < 0 || json_str(&doc, (unsigned)t, name, sizeof(name)) < 0) {
		reply_error(&w, id, idlen, "BadRequest", "cmd: expected the command's name");
		goto err;
	}
	cmd = find_cmd(name, &opaque);
	if (!cmd) {
		snprintf(desc, sizeof(desc), "unknown command '%s' (\"help\" lists them)", name);
		reply_error(&w, id, idlen, "CommandNotFound", desc);
		goto err;
	}
	t = json_get(&doc, 0, "args");
	if (t >= 0) {
		if (tok[t].type != JSON_OBJ) {
			reply_error(&w, id, idlen, "BadRequest", "args: expected an object");
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
				reply_error(&w, id, idlen, CTL_E_ARG, desc);
				goto err;
			}
			if (tok[k + 1].type == JSON_OBJ || tok[k + 1].type == JSON_ARR) {
				snprintf(desc, sizeof(desc), "%s: argument '%s' must be a number, "
					 "a string, true, false or null", name, key);
				reply_error(&w, id, idlen, CTL_E_ARG, desc);
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
		reply_error(&w, id, idlen, call.cls ? call.cls : CTL_E_STATE,
			    call.cls ? call.desc : "failed");
		goto err;
	}
	jw_end(&w);
	jw_end(&w);
	if (!jw_text(&w)) {
		jw_init(&w, reply, CTL_REPLY_MAX);
		reply_error(&w, id, idlen, CTL_E_ARG, "the reply would be too large; ask for less");
		goto err;
	}
	return;
err:
	srv.errors++;
}

void ctl_run_line(const char *line, size_t len, char *reply)
{
	static struct client nobody = { .fd = -1 };

	run_request(&nobody, line, len, reply);
	if (nobody.watching) {
		nobody.watching = false;
		srv.watchers--;
	}
}

/* ---------------- the connection ---------------- */

static void client_update(struct client *c)
{
	uint32_t ev = 0;

	/* read only what can be answered: the room for a whole reply, the
	 * rate allows it, and the line buffer has space (a full one with a
	 * complete line waits for room; without one it is over-long) */
	if (!c->closing && !c->eof && !c->throttled && c->in_len < CTL_LINE_MAX &&
	    CTL_OUT_MAX - c->out_len > CTL_REPLY_MAX)
		ev |= EPOLLIN;
	if (c->out_len)
		ev |= EPOLLOUT;
	if (ev != c->events) {
		c->events = ev;
		loop_mod(srv.l, c->w, ev);
	}
}

static void arm_timer(void)
{
	if (srv.timer)
		loop_timer_set(srv.timer, NS_PER_REQ, 0);
}

/* Take one request's worth of rate credit; false when out of credit. */
static bool rate_take(struct client *c)
{
	uint64_t now = now_ns();

	c->tokens_ns += now - c->last_ns;
	c->last_ns = now;
	if (c->tokens_ns > CTL_BURST * NS_PER_REQ)
		c->tokens_ns = CTL_BURST * NS_PER_REQ;
	if (c->tokens_ns < NS_PER_REQ)
		return false;
	c->tokens_ns -= NS_PER_REQ;
	return true;
}

/* Run the complete lines buffered, as far as the rate and the room for
 * replies allow.  false if the client is gone. */
static bool client_lines(struct client *c)
{
	static char reply[CTL_REPLY_MAX];
	char *nl;
	bool more;

again:
	more = false;
	while (!c->closing && (nl = memchr(c->in, '\n', c->in_len))) {
		size_t n = (size_t)(nl - c->in), skip = 0;

		while (skip < n && (c->in[skip] == ' ' || c->in[skip] == '\t' || c->in[skip] == '\r'))
			skip++;
		if (skip < n) {
			if (CTL_OUT_MAX - c->out_len <= CTL_REPLY_MAX) {
				more = true;   /* once the replies so far are sent */
				break;
			}
			if (!rate_take(c)) {
				c->throttled = true;
				arm_timer();
				break;
			}
			run_request(c, c->in, n, reply);
			client_put(c, reply, strlen(reply));
		}
		memmove(c->in, nl + 1, c->in_len - n - 1);
		c->in_len -= n + 1;
	}
	if (!c->closing && c->in_len == CTL_LINE_MAX && !memchr(c->in, '\n', c->in_len)) {
		struct json_w w;

		jw_init(&w, reply, sizeof(reply));
		reply_error(&w, NULL, 0, "LineTooLong",
			    "a request line is at most 16384 bytes; closing");
		client_put(c, reply, strlen(reply));
		srv.closed_bad++;
		/* one try: a client that sends such lines gets no more */
		c->closing = true;
		if (client_flush(c))
			client_free(c);
		return false;
	}
	if (c->eof && !c->throttled && !memchr(c->in, '\n', c->in_len))
		c->closing = true;
	if (!client_flush(c))
		return false;
	/* the socket took them: go on with the lines already read (nothing
	 * would wake us for them), as far as the rate allows */
	if (more && CTL_OUT_MAX - c->out_len > CTL_REPLY_MAX)
		goto again;
	client_update(c);
	return true;
}

static void on_client(void *opaque, int fd, uint32_t events)
{
	struct client *c = opaque;

	if (events & (EPOLLHUP | EPOLLERR)) {
		/* closed both ways: nothing can reach it any more */
		client_free(c);
		return;
	}
	if ((events & EPOLLOUT) && !client_flush(c))
		return;
	if ((events & EPOLLIN) && (c->events & EPOLLIN) && c->in_len < CTL_LINE_MAX) {
		ssize_t n = read(fd, c->in + c->in_len, CTL_LINE_MAX - c->in_len);

		if (n > 0)
			c->in_len += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			c->eof = true;  /* its requests end: answer them, then close */
	}
	client_lines(c);
}

static void on_timer(void *opaque, int fd, uint32_t events)
{
	bool again = false;

	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct client *c = srv.c[i];

		if (!c || !c->throttled)
			continue;
		c->throttled = false;
		if (client_lines(c) && c->throttled)
			again = true;
	}
	if (again)
		arm_timer();
}

static void greet(struct client *c)
{
	char buf[256];
	struct json_w w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj(&w, NULL);
	jw_obj(&w, "vhost-device");
	jw_uint(&w, "protocol", CTL_PROTOCOL);
	jw_str(&w, "version", VD_VERSION);
	jw_str(&w, "device", srv.dev);
	jw_end(&w);
	jw_end(&w);
	client_put(c, buf, w.len);
}

static void on_accept(void *opaque, int fd, uint32_t events)
{
	int s = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct client *c;
	unsigned i;

	if (s < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_peer(LOG_WARN, "%s: accept: %s", srv.path, strerror(errno));
		return;
	}
	for (i = 0; i < CTL_MAX_CLIENTS && srv.c[i]; i++)
		;
	if (i == CTL_MAX_CLIENTS) {
		static const char busy[] = "{\"id\":null,\"error\":{\"class\":\"TooManyClients\","
			"\"desc\":\"at most 16 control clients at once\"}}\n";

		srv.refused++;
		(void)!write(s, busy, sizeof(busy) - 1);
		close(s);
		log_peer(LOG_WARN, "%s: a control client was refused: %u are connected",
			 srv.path, CTL_MAX_CLIENTS);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(s);
		return;
	}
	c->fd = s;
	c->last_ns = now_ns();
	c->tokens_ns = CTL_BURST * NS_PER_REQ;
	c->events = EPOLLIN;
	c->w = loop_add(srv.l, s, EPOLLIN, on_client, c);
	if (!c->w) {
		close(s);
		free(c);
		return;
	}
	srv.c[i] = c;
	greet(c);
	if (client_flush(c))
		client_update(c);
}

/* ---------------- events ---------------- */

static char ev_buf[CTL_EVENT_MAX];
static struct json_w ev_w;
static bool ev_open;

bool ctl_watched(void)
{
	return srv.watchers > 0;
}

struct json_w *ctl_event_begin(const char *name)
{
	struct timespec ts;

	if (!srv.watchers || ev_open)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ev_open = true;
	jw_init(&ev_w, ev_buf, sizeof(ev_buf));
	jw_obj(&ev_w, NULL);
	jw_str(&ev_w, "event", name);
	jw_fixed(&ev_w, "time", (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, 6);
	jw_obj(&ev_w, "data");
	return &ev_w;
}

static bool event_fits(struct client *c, size_t n)
{
	return CTL_OUT_MAX - c->out_len >= n + 1;
}

void ctl_event_end(struct json_w *w)
{
	if (w != &ev_w || !ev_open)
		return;
	ev_open = false;
	jw_end(w);
	jw_end(w);
	if (!jw_text(w))
		return;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct client *c = srv.c[i];

		if (!c || !c->watching || c->closing)
			continue;
		if (c->dropped) {
			char d[96];
			int n = snprintf(d, sizeof(d), "{\"event\":\"dropped\",\"data\":{\"count\":%llu}}",
					 (unsigned long long)c->dropped);

			if (!event_fits(c, (size_t)n + w->len)) {
				c->dropped++;
				continue;
			}
			client_put(c, d, (size_t)n);
			c->dropped = 0;
		}
		if (!event_fits(c, w->len)) {
			c->dropped++;
			continue;
		}
		client_put(c, w->buf, w->len);
		if (client_flush(c))
			client_update(c);
	}
}

/* ---------------- built-in commands ---------------- */

static int cmd_help(void *opaque, struct ctl_call *c)
{
	struct json_w *w = ctl_out(c);

	jw_arr(w, "commands");
	for (const struct ctl_cmd *k = builtin; k->name; k++) {
		jw_obj(w, NULL);
		jw_str(w, "name", k->name);
		jw_str(w, "args", k->args ? k->args : "");
		jw_str(w, "help", k->help);
		jw_end(w);
	}
	for (unsigned i = 0; i < nregs; i++)
		for (const struct ctl_cmd *k = regs[i].tab; k->name; k++) {
			jw_obj(w, NULL);
			jw_str(w, "name", k->name);
			jw_str(w, "args", k->args ? k->args : "");
			jw_str(w, "help", k->help);
			jw_end(w);
		}
	jw_end(w);
	return 0;
}

static unsigned nclients(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		n += srv.c[i] != NULL;
	return n;
}

static int cmd_list(void *opaque, struct ctl_call *c)
{
	struct json_w *w = ctl_out(c);

	jw_str(w, "device", srv.dev ? srv.dev : "");
	jw_uint(w, "clients", nclients());
	jw_arr(w, "sockets");
	for (unsigned i = 0; i < srv.nd; i++) {
		jw_obj(w, NULL);
		jw_uint(w, "sock", i);
		jw_str(w, "path", srv.d[i] ? vu_dev_path(srv.d[i]) : "");
		jw_bool(w, "connected", srv.d[i] && vu_dev_connected(srv.d[i]));
		for (unsigned k = 0; k < nlists; k++)
			lists[k].fn(lists[k].opaque, i, w);
		jw_end(w);
	}
	jw_end(w);
	return 0;
}

static int cmd_stats(void *opaque, struct ctl_call *c)
{
	struct json_w *w = ctl_out(c);

	jw_arr(w, "sockets");
	for (unsigned i = 0; i < srv.nd; i++) {
		struct vu_dev_stats s = { 0 };

		if (srv.d[i])
			vu_dev_get_stats(srv.d[i], &s);
		jw_obj(w, NULL);
		jw_uint(w, "sock", i);
		jw_bool(w, "connected", srv.d[i] && vu_dev_connected(srv.d[i]));
		jw_uint(w, "connections", s.connections);
		jw_uint(w, "dropped", s.dropped);
		jw_uint(w, "requests", s.requests);
		jw_uint(w, "failed", s.failed);
		jw_uint(w, "broken", s.broken);
		jw_uint(w, "broken_now", s.broken_now);
		jw_end(w);
	}
	jw_end(w);
	jw_obj(w, "control");
	jw_uint(w, "clients", nclients());
	jw_uint(w, "requests", srv.requests);
	jw_uint(w, "errors", srv.errors);
	jw_uint(w, "refused", srv.refused);
	jw_uint(w, "closed", srv.closed_bad);
	jw_end(w);
	return 0;
}

static int cmd_watch(void *opaque, struct ctl_call *c)
{
	bool on = true;

	if (ctl_arg_bool(c, "on", &on) < 0)
		return -1;
	if (on != c->cl->watching) {
		c->cl->watching = on;
		if (on)
			srv.watchers++;
		else
			srv.watchers--;
	}
	jw_bool(ctl_out(c), "watching", on);
	return 0;
}

static const struct ctl_cmd builtin[] = {
	{ "help", "", "the commands, their arguments and what they do", cmd_help },
	{ "list", "", "the sockets, whether a guest is connected, the models and their state",
	  cmd_list },
	{ "stats", "", "per socket: connections, requests, failed requests, broken queues",
	  cmd_stats },
	{ "watch", "on", "send this client the events (on=false: stop)", cmd_watch },
	{ 0 }
};

/* ---------------- start and stop ---------------- */

int ctl_server_start(struct loop *l, const char *path, const char *dev,
		     struct vu_dev **d, unsigned n)
{
	struct stat st;
	int e;

	srv.l = l;
	srv.dev = dev;
	srv.d = d;
	srv.nd = n;
	srv.fd = vu_listen_path(path, 0600, &st);
	if (srv.fd < 0) {
		e = errno;
		log_err("--control '%s': %s%s", path, strerror(e),
			e == EEXIST ? " (the path exists and is not a socket)" :
			e == EADDRINUSE ? " (another process is serving this socket)" : "");
		return -e;
	}
	srv.own = true;
	srv.own_dev = st.st_dev;
	srv.own_ino = st.st_ino;
	srv.path = strdup(path);
	srv.w = loop_add(l, srv.fd, EPOLLIN, on_accept, NULL);
	srv.timer = loop_timer(l, 0, 0, on_timer, NULL);
	e = srv.path && srv.w && srv.timer ? -sandbox_add_socket(path) : ENOMEM;
	if (e > 0) {
		log_err("--control '%s': %s", path, strerror(e));
		ctl_server_stop();
		return -e;
	}
	log_info("control socket on %s", path);
	return 0;
}

void ctl_server_stop(void)
{
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (srv.c[i])
			client_free(srv.c[i]);
	if (srv.l) {
		loop_del(srv.l, srv.w);
		loop_del(srv.l, srv.timer);
	}
	if (srv.fd >= 0)
		close(srv.fd);
	if (srv.own && srv.path)
		vu_unlink_own(srv.path, srv.own_dev, srv.own_ino);
	free(srv.path);
	srv = (typeof(srv)){ .fd = -1 };
}

/* ---------------- --control: a shared start-up part ---------------- */

enum { CTL_OPT_CONTROL = 950 };
static const char *ctl_path;

static void ctl_part_opts(struct serve_state *st, struct opt *tab)
{
	tab[0] = (struct opt)OPT("control", 0, "PATH",
		"serve the control socket at PATH (owner only):\n"
		"commands and events, see vhost-device-ctl(1)", CTL_OPT_CONTROL);
	tab[1] = (struct opt)OPT_END;
}

static int ctl_part_opt(struct serve_state *st, int id, const char *arg)
{
	if (!*arg) {
		fprintf(stderr, "%s: --control must not be empty\n", st->prog);
		return -1;
	}
	ctl_path = arg;
	return 0;
}

/* Every socket listens: before the lock-down (registered after this). */
static int ctl_part_ready(struct serve_state *st)
{
	if (!ctl_path)
		return 0;
	return ctl_server_start(st->l, ctl_path, st->dev->ops->name, st->d,
				(unsigned)st->sk.count) ? -1 : 0;
}

static int ctl_part_stop(struct serve_state *st)
{
	ctl_server_stop();
	ctl_path = NULL;
	return 0;
}

const struct serve_part ctl_serve_part = {
	.opts = ctl_part_opts, .opt = ctl_part_opt, .ready = ctl_part_ready,
	.stop = ctl_part_stop, .cleanup = ctl_part_stop,
};
