/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* --trace FILE[,format=F]: the shared start-up part (trace_serve_part,
 * registered with serve_register_part()) that opens the trace of a device that has one
 * (serve_dev.trace_format). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/sandbox.h"
#include "common/trace.h"
#include "common/trace_opt.h"
#include "vhost/serve.h"

enum { TRACE_OPT_TRACE = 1 };

static char *trace_path;
static char trace_help[160];

static void trace_part_opts(struct serve_state *st, struct opt *tab)
{
	enum trace_format f = (enum trace_format)st->dev->trace_format;
	unsigned n = 0;

	if (f != TRACE_NONE) {
		snprintf(trace_help, sizeof(trace_help), "%s",
			 f == TRACE_PCAP ? "record the guests' I2C messages in FILE as pcap\n"
					   "(LINKTYPE_I2C_LINUX)" :
			 f == TRACE_VCD ? "record the line values in FILE as a value\n"
					  "change dump (VCD)" :
			 "record the decoded requests and results in FILE\n"
			 "as JSON lines");
		tab[n++] = (struct opt)OPT("trace", 0,
					   f == TRACE_PCAP ? "FILE[,format=pcap]" :
					   f == TRACE_VCD ? "FILE[,format=vcd]" : "FILE[,format=json]",
					   trace_help, TRACE_OPT_TRACE);
	}
	tab[n] = (struct opt)OPT_END;
}

static int trace_part_opt(struct serve_state *st, int id, const char *arg)
{
	enum trace_format want = (enum trace_format)st->dev->trace_format;
	const char *comma = strrchr(arg, ',');
	size_t plen = strlen(arg);

	if (comma && !strncmp(comma + 1, "format=", 7)) {
		enum trace_format f = trace_format_parse(comma + 8);

		if (f != want) {
			fprintf(stderr, "%s: --trace '%s': format '%s' is not one this device "
				"writes (format=%s)\n", st->prog, arg, comma + 8,
				trace_format_name(want));
			return -1;
		}
		plen = (size_t)(comma - arg);
	}
	if (!plen) {
		fprintf(stderr, "%s: --trace '%s': no file name\n", st->prog, arg);
		return -1;
	}
	free(trace_path);
	trace_path = strndup(arg, plen);
	if (!trace_path) {
		fprintf(stderr, "%s: out of memory\n", st->prog);
		return -1;
	}
	return 0;
}

/* Before the device starts: the file is made now, so a bad path stops
 * the start with a message naming it. */
static int trace_part_check(struct serve_state *st)
{
	int r;

	if (!trace_path)
		return 0;
	r = trace_open(trace_path, (enum trace_format)st->dev->trace_format);
	if (r < 0) {
		fprintf(stderr, "%s: --trace '%s': %s\n", st->prog, trace_path,
			r == -ENXIO ? "a FIFO with no reader (start the reader first)" :
			strerror(-r));
		return -1;
	}
	/* its writer is a thread, started (confined) at the first write */
	sandbox_need(SB_NEED_THREADS);
	/* the end of the trace waits for a FIFO's reader a bounded time
	 * (poll, or ppoll where poll is not a system call) */
	sandbox_allow_syscall("poll");
	sandbox_allow_syscall("ppoll");
	log_info("tracing to %s (%s)", trace_path,
		 trace_format_name((enum trace_format)st->dev->trace_format));
	return 0;
}

static int trace_part_ready(struct serve_state *st)
{
	int r;

	if (!trace_path)
		return 0;
	trace_vcd_defs_end();          /* every socket has declared its wires */
	r = trace_start(st->l);
	if (r < 0) {
		log_err("--trace: cannot set up its timer: %s", strerror(-r));
		return -1;
	}
	return 0;
}

static int trace_part_stop(struct serve_state *st)
{
	if (trace_path)
		trace_close();
	return 0;
}

/* also after a start-up that failed at or after the check */
static int trace_part_cleanup(struct serve_state *st)
{
	trace_close();                 /* nothing if not open */
	free(trace_path);
	trace_path = NULL;
	return 0;
}

const struct serve_part trace_serve_part = {
	.opts = trace_part_opts, .opt = trace_part_opt, .check = trace_part_check,
	.ready = trace_part_ready, .stop = trace_part_stop, .cleanup = trace_part_cleanup,
};
