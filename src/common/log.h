/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Logging on stderr with levels; rate-limited logging for faults caused by
 * the guest or the frontend (so a hostile peer cannot flood the log). */
#ifndef VD_LOG_H
#define VD_LOG_H

#include <stdbool.h>
#include <time.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* prog prefixes every line; level from -v count and RUST_LOG/VHOST_DEVICE_LOG */
void log_init(const char *prog);
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
