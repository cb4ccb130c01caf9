/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Logging on stderr with levels; rate-limited logging for faults caused by
 * the guest or the frontend (so a hostile peer cannot flood the log). */
#ifndef VD_LOG_H
#define VD_LOG_H

#include <stdbool.h>
#include <time.h>

enum log_level { LOG_OFF = -1, LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* prog prefixes every line (and names the target RUST_LOG is read for) */
void log_init(const char *prog);
/* The level from RUST_LOG, read as env_logger reads it, for this
 * program's target (vhost-device-gpio: vhost_device_gpio); dflt when
 * RUST_LOG is not set (upstream: info for gpio, error for the others). */
void log_setup(enum log_level dflt);
/* RUST_LOG's value spec for target: comma-separated directives, each a
 * level (off, error, warn, info, debug, trace; any case), a target (every
 * level) or target=level.  The directives whose target is a prefix of
 * target (env_logger's test) or a module of it (target::...) apply, the
 * longest target deciding (a bare level is the shortest), the later of two
 * the same length; other targets are ignored; none applying: error.  A
 * "/regex" message filter is ignored.  Sets *out; returns -1 if a
 * directive was not understood (ignored, as env_logger does), else 0.
 * spec NULL (unset): dflt. */
int log_level_parse(const char *spec, const char *target, enum log_level dflt,
		    enum log_level *out);
void log_set_level(enum log_level lvl);
/* The prefix of every line (async-signal-safe to read). */
const char *log_prog_name(void);
enum log_level log_get_level(void);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) \
	do { if (log_get_level() >= LOG_DEBUG) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)

/* One of these per call site: at most LOG_RATE_BURST lines per
 * LOG_RATE_INTERVAL seconds, then a count of what was suppressed; and at
 * most LOG_RATE_TOTAL lines per interval from all sites together, so a
 * peer that finds many different complaints is bounded too. */
struct log_ratelimit {
	time_t window;
	unsigned printed;
	unsigned suppressed;
};
#define LOG_RATE_BURST 10
#define LOG_RATE_TOTAL 50
#define LOG_RATE_INTERVAL 5
bool log_ratelimit_ok(struct log_ratelimit *rl);

/* Anything a peer (guest or frontend) can make happen again and again
 * goes through the rate limiter at the level given: connections, resets,
 * sampling started and stopped...  A line below the current level is
 * dropped without counting against the limit. */
void log_peer_msg(struct log_ratelimit *rl, enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define log_peer(lvl, ...)                                        \
	do {                                                      \
		static struct log_ratelimit rl_;                  \
		log_peer_msg(&rl_, (lvl), __VA_ARGS__);           \
	} while (0)

/* Faults from outside (guest or frontend): warning level, rate-limited. */
#define log_bad(...) log_peer(LOG_WARN, __VA_ARGS__)

#endif
