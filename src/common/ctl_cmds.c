/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The control socket's built-in commands, served by every applet: help,
 * list, stats, watch, and trace, trace.stop, trace.start (the --trace
 * file's recording). */
#include <errno.h>

#include "common/ctl.h"
#include "common/ctl_int.h"
#include "common/trace.h"
#include "vhost/dev.h"

/* ---------------- built-in commands ---------------- */

static int cmd_help(void *opaque, struct ctl_call *c)
{
	struct json_w *w = ctl_out(c);

	jw_arr(w, "commands");
	for (const struct ctl_cmd *k = ctl_builtin; k->name; k++) {
		jw_obj(w, NULL);
		jw_str(w, "name", k->name);
		jw_str(w, "args", k->args ? k->args : "");
		jw_str(w, "help", k->help);
		jw_end(w);
	}
	for (unsigned i = 0; i < ctl_nregs; i++)
		for (const struct ctl_cmd *k = ctl_regs[i].tab; k->name; k++) {
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
		n += ctl_srv.c[i] != NULL;
	return n;
}

/* The trace's state: members of the open object w. */
static void trace_members(struct json_w *w)
{
	struct trace_info i;

	trace_get_info(&i);
	jw_bool(w, "tracing", i.recording);
	if (i.path) {
		jw_str(w, "file", i.path);
		jw_str(w, "format", trace_format_name(i.fmt));
	} else {
		jw_null(w, "file");
		jw_null(w, "format");
	}
	jw_uint(w, "records", i.records);
	jw_uint(w, "dropped", i.dropped);
	jw_bool(w, "failed", i.failed);
}

static int cmd_list(void *opaque, struct ctl_call *c)
{
	struct json_w *w = ctl_out(c);

	jw_str(w, "device", ctl_srv.dev ? ctl_srv.dev : "");
	jw_uint(w, "clients", nclients());
	jw_arr(w, "sockets");
	for (unsigned i = 0; i < ctl_srv.nd; i++) {
		jw_obj(w, NULL);
		jw_uint(w, "sock", i);
		jw_str(w, "path", ctl_srv.d[i] ? vu_dev_path(ctl_srv.d[i]) : "");
		jw_bool(w, "connected", ctl_srv.d[i] && vu_dev_connected(ctl_srv.d[i]));
		for (unsigned k = 0; k < ctl_nlists; k++)
			ctl_lists[k].fn(ctl_lists[k].opaque, i, w);
		jw_end(w);
	}
	jw_end(w);
	jw_obj(w, "trace");
	trace_members(w);
	jw_end(w);
	return 0;
}

static int cmd_stats(void *opaque, struct ctl_call *c)
{
	struct json_w *w = ctl_out(c);

	jw_arr(w, "sockets");
	for (unsigned i = 0; i < ctl_srv.nd; i++) {
		struct vu_dev_stats s = { 0 };

		if (ctl_srv.d[i])
			vu_dev_get_stats(ctl_srv.d[i], &s);
		jw_obj(w, NULL);
		jw_uint(w, "sock", i);
		jw_bool(w, "connected", ctl_srv.d[i] && vu_dev_connected(ctl_srv.d[i]));
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
	jw_uint(w, "requests", ctl_srv.requests);
	jw_uint(w, "errors", ctl_srv.errors);
	jw_uint(w, "refused", ctl_srv.refused);
	jw_uint(w, "closed", ctl_srv.closed_bad);
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
			ctl_srv.watchers++;
		else
			ctl_srv.watchers--;
	}
	jw_bool(ctl_out(c), "watching", on);
	return 0;
}

static int cmd_trace(void *opaque, struct ctl_call *c)
{
	trace_members(ctl_out(c));
	return 0;
}

static int trace_set(struct ctl_call *c, bool on)
{
	int r = trace_record(on);

	if (r == -ENOENT)
		return ctl_fail(c, CTL_E_STATE, "no trace: the daemon was started without "
				"--trace FILE (a trace file can only be opened at the start)");
	if (r < 0)
		return ctl_fail(c, CTL_E_STATE, "the trace ended after a write error "
				"(see the daemon's log); it cannot start again");
	trace_members(ctl_out(c));
	return 0;
}

static int cmd_trace_stop(void *opaque, struct ctl_call *c)
{
	return trace_set(c, false);
}

static int cmd_trace_start(void *opaque, struct ctl_call *c)
{
	return trace_set(c, true);
}

const struct ctl_cmd ctl_builtin[] = {
	{ "help", "", "the commands, their arguments and what they do", cmd_help },
	{ "list", "", "the sockets, whether a guest is connected, the models and their state",
	  cmd_list },
	{ "stats", "", "per socket: connections, requests, failed requests, broken queues",
	  cmd_stats },
	{ "watch", "on", "send this client the events (on=false: stop)", cmd_watch },
	{ "trace", "", "the --trace file: whether records are made, the file, its format, "
	  "records made and dropped", cmd_trace },
	{ "trace.stop", "", "stop recording into the --trace file (the file stays open)",
	  cmd_trace_stop },
	{ "trace.start", "", "record into the --trace file again", cmd_trace_start },
	{ 0 }
};
