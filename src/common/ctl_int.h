/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Between the parts of the control socket's server: ctl.c (the registry,
 * the argument getters, running one request), ctl_server.c (the socket,
 * its clients, the rate limit, events, --control) and ctl_cmds.c (the
 * built-in commands).  Not for devices: they use ctl.h. */
#ifndef VD_CTL_INT_H
#define VD_CTL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/ctl.h"
#include "common/json.h"

#define CTL_MAX_CLIENTS 16
#define CTL_LINE_MAX    16384       /* one request, newline included */
#define CTL_OUT_MAX     (64 * 1024) /* buffered output per client */
#define CTL_EVENT_MAX   1024        /* one event */
#define CTL_MAX_TOK     256         /* JSON values in one request */
#define CTL_RATE        200         /* requests per second per client */
#define CTL_BURST       64
#define CTL_MAX_REG     16
#define CTL_ID_MAX      64          /* bytes of a request's id */

/* ---- the registry (ctl.c) ---- */
struct ctl_reg {
	const struct ctl_cmd *tab;
	void *opaque;
};

struct ctl_list {
	void (*fn)(void *opaque, unsigned sock, struct json_w *w);
	void *opaque;
};

extern struct ctl_reg ctl_regs[CTL_MAX_REG];
extern unsigned ctl_nregs;
extern struct ctl_list ctl_lists[CTL_MAX_REG];
extern unsigned ctl_nlists;

/* The built-in commands (ctl_cmds.c), found before the registered ones. */
extern const struct ctl_cmd ctl_builtin[];

/* ---- the server (ctl_server.c) ---- */
struct loop;
struct loop_watch;
struct vu_dev;

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

struct ctl_srv {
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
};

extern struct ctl_srv ctl_srv;

/* ---- requests (ctl.c) ---- */
struct ctl_call {
	struct json_doc *doc;
	int args;                  /* the args object's token, or -1 */
	struct json_w out;
	const char *cls;           /* set by ctl_fail */
	char desc[256];
	struct client *cl;
};

/* An error reply into w (id: the request's id as sent, or NULL). */
void ctl_reply_error(struct json_w *w, const char *id, size_t idlen, const char *cls,
		     const char *desc);
/* Run one request line of client cl into reply (CTL_REPLY_MAX bytes). */
void ctl_run_request(struct client *cl, const char *line, size_t len, char *reply);

#endif
