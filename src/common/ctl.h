/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The control socket (--control PATH, man vhost-device-ctl): a Unix stream
 * socket served by the daemon's one loop, speaking one JSON object per
 * line each way.  A client sends requests
 *     {"id": 1, "cmd": "gpio.set", "args": {"line": 3, "value": 1}}
 * and gets one reply per request, in order,
 *     {"id": 1, "return": {...}}   or
 *     {"id": 1, "error": {"class": "InvalidArgument", "desc": "..."}}
 * and, once it sent "watch", asynchronous events
 *     {"event": "gpio.output", "time": 12.345678, "data": {...}}.
 * The first line from the daemon is the greeting with the protocol
 * version (CTL_PROTOCOL).
 *
 * The vhost-user core knows nothing of it: shared start-up code adds the
 * option (ctl_serve_part, registered with serve_register_part()), and devices and
 * models register their commands with ctl_register() while they start.
 * A client never blocks the loop and cannot disturb a guest: bounded line
 * length, bounded output per client, nonblocking writes, a rate limit per
 * client, a bounded number of clients (ctl_server.c spells out each
 * reaction). */
#ifndef VD_CTL_H
#define VD_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include "common/json.h"

#define CTL_PROTOCOL 1

struct ctl_call;

/* A command: name "device.verb" (or a bare verb for every applet), the
 * argument names it accepts (space-separated: anything else is refused
 * before fn runs), one line of help.  fn writes its result's members into
 * ctl_out(c) and returns 0, or returns ctl_fail(c, ...). */
struct ctl_cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*fn)(void *opaque, struct ctl_call *c);
};

/* Register a table of commands (ending with a { 0 } entry, kept by
 * pointer) served with opaque; a device calls it while it starts (its
 * serve_dev start callback), a model where it is created.  Whether or not
 * --control was given.  0, -EEXIST (a name taken: a bug) or -ENOSPC. */
int ctl_register(const struct ctl_cmd *tab, void *opaque);
/* Add fields to socket i's entry of `list` (the models on it, their
 * state).  Same rules. */
int ctl_register_list(void (*fn)(void *opaque, unsigned sock, struct json_w *w),
		      void *opaque);

/* ---- inside a command ---- */
/* The "return" object, open: add members to it. */
struct json_w *ctl_out(struct ctl_call *c);
/* Fail the command: the error reply names cls (CTL_E_*) and the formatted
 * text (name the bad value).  Returns -1, for `return ctl_fail(...)`. */
int ctl_fail(struct ctl_call *c, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define CTL_E_ARG   "InvalidArgument"   /* a bad, missing or unknown argument */
#define CTL_E_STATE "Failed"            /* valid, but not possible now */

bool ctl_has(struct ctl_call *c, const char *key);
/* Arguments.  Each returns 0 (found and valid, *v set), 1 (absent, *v
 * untouched), or -1 after failing the call with a message naming the key
 * and value.  The _req forms fail when absent too. */
int ctl_arg_int(struct ctl_call *c, const char *key, int64_t min, int64_t max, int64_t *v);
int ctl_arg_int_req(struct ctl_call *c, const char *key, int64_t min, int64_t max, int64_t *v);
/* A decimal with up to digits fraction digits, times 10^digits (a
 * temperature 25.5 with 3 digits is 25500). */
int ctl_arg_fixed(struct ctl_call *c, const char *key, unsigned digits,
		  int64_t min, int64_t max, int64_t *v);
int ctl_arg_bool(struct ctl_call *c, const char *key, bool *v);
int ctl_arg_str(struct ctl_call *c, const char *key, char *buf, size_t cap);
int ctl_arg_str_req(struct ctl_call *c, const char *key, char *buf, size_t cap);
/* A string of hex digits (an even number, at most cap bytes). */
int ctl_arg_hex(struct ctl_call *c, const char *key, uint8_t *buf, size_t cap, size_t *n);
/* "sock": which socket (guest), 0..count-1; 0 when absent. */
int ctl_arg_sock(struct ctl_call *c, unsigned count, unsigned *sock);

/* Bytes a command may return: hex dumps are sized below it. */
#define CTL_REPLY_MAX 16384
#define CTL_HEX_MAX   4096     /* bytes per dump/load request */

/* ---- events ---- */
/* Whether a client watches events (else do not format any). */
bool ctl_watched(void);
/* An event named name: the "data" object, open, to fill; NULL when nobody
 * watches.  ctl_event_end() sends it to every watching client (a client
 * whose buffer is full loses it, and is told how many it lost). */
struct json_w *ctl_event_begin(const char *name);
void ctl_event_end(struct json_w *w);

/* ---- the shared start-up part (for serve_register_part(), before the
 * sandbox's): --control PATH; the socket is made once every vhost-user
 * socket listens, before the lock-down, and removed at the stop ---- */
struct serve_part;
extern const struct serve_part ctl_serve_part;

/* ---- the client applet: `vhost-device ctl PATH COMMAND [ARGS...]` ---- */
int ctl_main(int argc, char **argv);
/* The request the applet sends for words (COMMAND [WORD...] [KEY=VALUE...]),
 * into buf: its length, or -1 with a message naming the bad word in err. */
int ctl_words_request(int argc, char **argv, unsigned id, char *buf, size_t cap,
		      char *err, size_t errlen);

/* ---- for tests: the server without serve_main ---- */
struct loop;
struct vu_dev;
/* Serve path on l for the devices d[0..n) of device name dev. */
int ctl_server_start(struct loop *l, const char *path, const char *dev,
		     struct vu_dev **d, unsigned n);
void ctl_server_stop(void);
/* Forget every registration (tests). */
void ctl_reset_registry(void);
/* Run one request line (no newline) as a client would send it; the reply
 * line (no newline) into reply, CTL_REPLY_MAX bytes (tests, fuzzing). */
void ctl_run_line(const char *line, size_t len, char *reply);

#endif
