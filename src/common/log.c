/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

/* a copy: the caller's string may not outlive main(), and the SIGSYS
 * reporter prints it at any time */
static char log_prog[64] = "vhost-device";
static enum log_level log_level = LOG_INFO;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

/* RUST_LOG as env_logger knows it: we honour the global level words
 * ("debug", "trace", "info", "warn", "error", "off") and any
 * "module=debug" entry turns debug on as well. */
static void log_level_from_env(const char *v)
{
	if (!v || !*v)
		return;
	if (strstr(v, "trace") || strstr(v, "debug"))
		log_level = LOG_DEBUG;
	else if (strstr(v, "info"))
		log_level = LOG_INFO;
	else if (strstr(v, "warn"))
		log_level = LOG_WARN;
	else if (strstr(v, "error") || strstr(v, "off"))
		log_level = LOG_ERROR;
}

void log_init(const char *prog)
{
	if (prog)
		snprintf(log_prog, sizeof(log_prog), "%s", prog);
	log_level_from_env(getenv("RUST_LOG"));
	log_level_from_env(getenv("VHOST_DEVICE_LOG"));
}

const char *log_prog_name(void)
{
	return log_prog;
}

void log_set_level(enum log_level lvl)
{
	log_level = lvl > LOG_DEBUG ? LOG_DEBUG : lvl;
}

enum log_level log_get_level(void)
{
	return log_level;
}

/* prog is at most 63 bytes: the prefix always fits, a long message is
 * cut at the end of buf */
static void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf), "%s: %s: ", log_prog, level_names[lvl]);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	/* one write per line so lines from several daemons do not mix */
	fprintf(stderr, "%s\n", buf);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

void log_peer_msg(struct log_ratelimit *rl, enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_level || !log_ratelimit_ok(rl))
		return;
	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

bool log_ratelimit_ok(struct log_ratelimit *rl)
{
	static struct log_ratelimit all;   /* every site together */
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec - all.window >= LOG_RATE_INTERVAL) {
		all.window = ts.tv_sec;
		all.printed = 0;
	}
	if (ts.tv_sec - rl->window >= LOG_RATE_INTERVAL) {
		if (rl->suppressed)
			log_msg(LOG_WARN, "%u similar messages suppressed", rl->suppressed);
		rl->window = ts.tv_sec;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed < LOG_RATE_BURST && all.printed < LOG_RATE_TOTAL) {
		rl->printed++;
		all.printed++;
		return true;
	}
	rl->suppressed++;
	return false;
}
