/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The one way to start a device: parse the command line (the device's
 * option table plus the shared options), let the device open its
 * backends, listen on N numbered sockets (PATH0..PATH{N-1}) or on one
 * path as given, serve them all from one loop until SIGINT/SIGTERM/SIGHUP, and
 * tear down.  A device's main is its option handling plus
 * serve_main().
 *
 * Shared start-up pieces ("parts") add their options to every device and
 * may act at fixed steps of the start-up (see struct serve_part).  The
 * core has two of its own: the socket options -s, -c and --mem-slots
 * first, readiness (NOTIFY_SOCKET) last.  Tools outside the core (the
 * trace, the control socket, the sandbox) register theirs in between with
 * serve_register_part(); -v, -h and -V come from common/opts.c. */
#ifndef VD_VHOST_SERVE_H
#define VD_VHOST_SERVE_H

#include <stdbool.h>
#include "common/log.h"
#include "common/opts.h"
#include "vhost/dev.h"
#include "vhost/sockets.h"

/* One socket of a device, as its sock callback sees it. */
struct serve_sock {
	unsigned i;           /* 0..count-1 */
	const char *path;     /* where it will listen (a label with --fd) */
	struct loop *l;
	void *priv;           /* what its dev_ops get: sock_size zeroed bytes, or ctx */
};

struct serve_dev {
	const struct opts_spec *spec; /* prog, usage, summary, device table, epilog */
	const struct dev_ops *ops;
	/* Numbered sockets: -s PATH -c N gives PATH0..PATH{N-1}, N from 1 to
	 * what RLIMIT_NOFILE allows.  Not numbered: PATH as given, one guest,
	 * no -c. */
	bool numbered;
	/* The per-socket state: serve_main gives each socket sock_size zeroed
	 * bytes (struct serve_sock.priv), element i of one array, and frees
	 * them after sock_free.  0: every socket's priv is ctx. */
	size_t sock_size;
	/* The trace format it writes with --trace (common/trace.h; 0: no
	 * --trace option). */
	int trace_format;
	/* -c 0 is a usage error (exit 2), as upstream's NonZeroUsize (spi);
	 * otherwise it is refused with exit 1 as upstream's later check. */
	bool count_zero_usage;
	/* File descriptors the device holds per socket besides the core's
	 * (vu_dev_max_fds), e.g. a timerfd: counted against RLIMIT_NOFILE. */
	unsigned sock_fds;
	/* Log level without RUST_LOG, as upstream's: LOG_ERROR (0, env_logger's
	 * default) unless set; gpio's is LOG_INFO. */
	enum log_level log_default;

	/* A device option (an id of spec->tab): as an opts_parse callback,
	 * 0 taken, < 0 error (message printed), > 0 stop with success.
	 * Needed when spec->tab has any option. */
	int (*opt)(void *ctx, int id, const char *arg);
	/* After parsing: check the options, open the host backends; l is the
	 * loop everything will run in.  count sockets follow.  0, or -1 after
	 * printing why, or OPTS_USAGE (exit 2) for a missing required option.
	 * Optional. */
	int (*start)(void *ctx, struct loop *l, unsigned count);
	/* Set up socket s (its priv), before it listens.  0, or -1 after
	 * printing why.  Optional.  (The socket's vu_dev comes with every
	 * request, in handle: what completes held elements later keeps it
	 * from there.) */
	int (*sock)(void *ctx, const struct serve_sock *s);
	/* After the ready steps (so after the lock-down), just before the
	 * loop runs: start what must run confined, such as worker threads
	 * (a thread started earlier would keep the capabilities and escape
	 * Landlock, which apply per thread).  0, or -1 after printing why.
	 * Optional. */
	int (*serving)(void *ctx, struct loop *l);
	/* The way out, in this order, after every socket is closed (l may be
	 * NULL; the loop, freed last, removes every watch still in it):
	 * stop what serving started (it may not have run); sock_free for
	 * each socket whose sock returned 0; cleanup frees what start made.
	 * Each optional. */
	void (*stop)(void *ctx);
	void (*sock_free)(void *ctx, void *priv);
	void (*cleanup)(void *ctx, struct loop *l);
};

/* What the shared parts see of a device being started. */
struct serve_state {
	const struct serve_dev *dev;
	const char *prog;
	struct vu_sockets sk;     /* -s, -c */
	struct loop *l;           /* NULL until parsing is done */
	struct vu_dev **d;        /* sk.count entries once listening */
	char *privs;              /* sk.count blocks of dev->sock_size bytes */
	unsigned nsocks;          /* how many dev->sock has set up */
};

#define SERVE_PART_MAX_OPTS 8

/* A shared start-up piece.  Its options appear in every device's --help
 * in part order, ahead of the device's own options.
 * The steps run in part order; each returns 0, or -1 after
 * printing why (the device then exits 1), or OPTS_USAGE (exit 2). */
struct serve_part {
	/* Fill tab (room for SERVE_PART_MAX_OPTS + OPT_END) with this part's
	 * options for st->dev; the strings must outlive the parse. */
	void (*opts)(struct serve_state *st, struct opt *tab);
	int (*opt)(struct serve_state *st, int id, const char *arg);
	/* After parsing, before the device opens anything. */
	int (*check)(struct serve_state *st);
	/* Every socket listens (st->d), just before the loop runs (making
	 * the control socket, dropping privileges go here). */
	int (*ready)(struct serve_state *st);
	/* The loop has ended (a signal); the sockets still exist. */
	int (*stop)(struct serve_state *st);
	/* Always, last, before the loop is freed (also after a failed
	 * start-up): release what the part made.  Optional. */
	int (*cleanup)(struct serve_state *st);
};

/* Add part p after those registered before it, ahead of readiness, for
 * every serve_main that follows (main() does this once for the tools).
 * Registering p again changes nothing.  0, or -ENOSPC past
 * SERVE_MAX_PARTS. */
#define SERVE_MAX_PARTS 6
int serve_register_part(const struct serve_part *p);

/* Start dev with ctx (passed to its callbacks): the exit status for main:
 * 0 after --help/--version or a signal, 2 on a usage error (OPTS_USAGE:
 * unknown option, malformed value, missing required option), 1 on any
 * other bad option or a failure. */
int serve_main(const struct serve_dev *dev, void *ctx, int argc, char **argv);

/* A device that learns during start-up that it needs n more file
 * descriptors (what: e.g. "host chip /dev/gpiochip0, 8 lines") says so:
 * RLIMIT_NOFILE's soft limit is raised (up to the hard one) to cover
 * everything asked so far.  0, or -1 after printing why (the limit named). */
int serve_fds_need(const char *prog, unsigned long n, const char *what);

#endif
