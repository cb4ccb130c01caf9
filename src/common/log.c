/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/log.h"

/* a copy: the caller's string may not outlive main(), and the SIGSYS
 * reporter prints it at any time */
static char log_prog[64] = "vhost-device";
static enum log_level log_level = LOG_INFO;   /* until log_setup */

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void log_init(const char *prog)
{
	if (prog)
		snprintf(log_prog, sizeof(log_prog), "%s", prog);
}

/* A level word as the log crate spells it, any case; trace is our debug. */
static int level_word(const char *s, size_t n, enum log_level *out)
{
	static const struct {
		const char *w;
		enum log_level l;
	} words[] = {
		{ "off", LOG_OFF }, { "error", LOG_ERROR }, { "warn", LOG_WARN },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG }, { "trace", LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].w) == n && !strncasecmp(s, words[i].w, n)) {
			*out = words[i].l;
			return 0;
		}
	return -1;
}

static void span_trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* Whether a directive for name reaches target: env_logger's test (the
 * target starts with the name), or a module of target's crate (we log
 * from the crate as a whole). */
static bool reaches(const char *name, size_t n, const char *target)
{
	size_t t = strlen(target);

	if (n <= t)
		return !strncmp(target, name, n);
	return !strncmp(name, target, t) && name[t] == ':' && name[t + 1] == ':';
}

int log_level_parse(const char *spec, const char *target, enum log_level dflt,
		    enum log_level *out)
{
	const char *p = spec;
	long best = -1;     /* length of the name that decided; -1 none */
	int bad = 0;

	if (!spec) {
		*out = dflt;
		return 0;
	}
	/* "directives/regex": the message filter is not supported (ignored);
	 * two '/' make env_logger ignore the whole value */
	if (strchr(spec, '/') && strchr(strchr(spec, '/') + 1, '/')) {
		bad = -1;
		p = "";
	}
	*out = LOG_ERROR;   /* no directive at all: errors, as env_logger */
	while (*p && *p != '/') {
		size_t n = strcspn(p, ",/"), nn, lv;
		const char *d = p, *eq, *name = NULL;
		enum log_level l = LOG_DEBUG;

		p += n;
		if (*p == ',')
			p++;
		span_trim(&d, &n);
		if (!n)
			continue;
		eq = memchr(d, '=', n);
		if (!eq) {
			/* a level alone is the default; anything else a target
			 * at every level */
			if (level_word(d, n, &l)) {
				name = d;
				nn = n;
			}
		} else {
			const char *v = eq + 1;

			nn = (size_t)(eq - d);
			lv = n - nn - 1;
			span_trim(&v, &lv);
			if (memchr(v, '=', lv) || (lv && level_word(v, lv, &l))) {
				bad = -1;   /* "a=b=c", "a=loud": ignored, as env_logger */
				continue;
			}
			name = d;
		}
		if (name && !reaches(name, nn, target))
			continue;   /* another crate's */
		/* the longest name decides; for the same length the later one */
		if ((long)(name ? nn : 0) >= best) {
			best = (long)(name ? nn : 0);
			*out = l;
		}
	}
	return bad;
}

void log_setup(enum log_level dflt)
{
	char target[80];
	enum log_level l;
	size_t i;

	/* the crate upstream logs from: vhost-device-gpio -> vhost_device_gpio */
	snprintf(target, sizeof(target), "%s", log_prog);
	for (i = 0; target[i]; i++)
		if (target[i] == '-')
			target[i] = '_';
	if (log_level_parse(getenv("RUST_LOG"), target, dflt, &l))
		fprintf(stderr, "%s: warning: RUST_LOG '%s': a part of it is not understood "
			"and ignored\n", log_prog, getenv("RUST_LOG"));
	log_level = l;
}

const char *log_prog_name(void)
{
	return log_prog;
}

void log_set_level(enum log_level lvl)
{
	log_level = lvl > LOG_DEBUG ? LOG_DEBUG : lvl < LOG_OFF ? LOG_OFF : lvl;
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
