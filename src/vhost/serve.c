/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/log.h"
#include "vhost/activate.h"
#include "vhost/efd.h"
#include "vhost/serve.h"

/* ---- the shared socket options: -s, -c, --mem-slots ---- */

static void sockets_opts(struct serve_state *st, struct opt *tab)
{
	const struct serve_dev *dev = st->dev;
	unsigned n = 0;

	if (dev->numbered)
		tab[n++] = (struct opt)OPT("socket-path", 's', "PATH",
			"vhost-user Unix socket path (unless --fd or\n"
			"socket activation gives the sockets); the socket\n"
			"index is appended: PATH0, PATH1, ...", VU_OPT_SOCKET_PATH);
	else
		tab[n++] = (struct opt)OPT("socket-path", 's', "PATH",
			"vhost-user Unix socket to listen on, used as given\n"
			"(one guest; unless --fd or socket activation\n"
			"gives the socket)", VU_OPT_SOCKET_PATH);
	if (dev->numbered)
		tab[n++] = (struct opt)OPT("socket-count", 'c', "N",
			"number of sockets (guests); no limit but the\n"
			"open-file limit (RLIMIT_NOFILE)", VU_OPT_SOCKET_COUNT,
			.range = "1 or more", .dflt = "1");
	tab[n++] = (struct opt)OPT("fd", 0, "FDNUM",
		dev->numbered ?
		"serve the already-listening Unix socket FDNUM\n"
		"instead of -s (repeat for each guest)" :
		"serve the already-listening Unix socket FDNUM\n"
		"instead of -s", VU_OPT_FD);
	tab[n++] = (struct opt)OPT("socket-fd", 0, "FDNUM", "the same as --fd", VU_OPT_FD);
	tab[n++] = (struct opt)OPT("mem-slots", 0, NULL,
		"offer CONFIGURE_MEM_SLOTS (more than 8 memory\n"
		"regions); QEMU then cannot reconnect after a restart", VU_OPT_MEM_SLOTS);
	tab[n] = (struct opt)OPT_END;
}

static int sockets_opt(struct serve_state *st, int id, const char *arg)
{
	int r = vu_sockets_opt(&st->sk, st->prog, id, arg);

	return r > 0 ? -1 : r;
}

static int sockets_check(struct serve_state *st)
{
	return vu_sockets_check(&st->sk, st->prog);
}

/* ---- readiness: NOTIFY_SOCKET (systemd's Type=notify) ---- */

static int notify_fd = -1;

/* Opened before anything is confined; later messages are one sendmsg(). */
static int notify_check(struct serve_state *st)
{
	const char *addr = getenv("NOTIFY_SOCKET");

	if (!addr)
		return 0;
	notify_fd = act_notify_open(addr);
	if (notify_fd < 0)
		log_warn("NOTIFY_SOCKET '%s': %s: readiness will not be reported", addr,
			 strerror(-notify_fd));
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

static void notify(const char *state)
{
	int r;

	if (notify_fd < 0)
		return;
	r = act_notify(notify_fd, state);
	if (r < 0)
		log_warn("NOTIFY_SOCKET: cannot send %s: %s", state, strerror(-r));
}

/* Every socket listens and the process is confined. */
static int notify_ready(struct serve_state *st)
{
	notify("READY=1");
	return 0;
}

static int notify_stop(struct serve_state *st)
{
	notify("STOPPING=1");
	return 0;
}

static int notify_cleanup(struct serve_state *st)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
	return 0;
}

/* ---- the parts: the core's own two around those registered ---- */

static const struct serve_part sockets_part = {
	.opts = sockets_opts, .opt = sockets_opt, .check = sockets_check,
};
/* last: ready means listening (and confined, when a part confines) */
static const struct serve_part notify_part = {
	.check = notify_check, .ready = notify_ready, .stop = notify_stop,
	.cleanup = notify_cleanup,
};

#define MAX_PARTS (SERVE_MAX_PARTS + 2)
static const struct serve_part *registered[SERVE_MAX_PARTS];
static unsigned nregistered;

int serve_register_part(const struct serve_part *p)
{
	for (unsigned i = 0; i < nregistered; i++)
		if (registered[i] == p)
			return 0;
	if (nregistered == SERVE_MAX_PARTS)
		return -ENOSPC;
	registered[nregistered++] = p;
	return 0;
}

/* Part i of nparts(): the sockets, the registered ones in order, then
 * readiness. */
static unsigned nparts(void)
{
	return nregistered + 2;
}

static const struct serve_part *part(unsigned i)
{
	return i == 0 ? &sockets_part : i <= nregistered ? registered[i - 1] : &notify_part;
}

/* ---- start-up ---- */

struct part_ctx {
	struct serve_state *st;
	const struct serve_part *part;
};

static int part_opt(void *ctx, int id, const char *arg)
{
	struct part_ctx *pc = ctx;

	return pc->part->opt(pc->st, id, arg);
}

static int parse(struct serve_state *st, void *ctx, int argc, char **argv)
{
	static struct opt tabs[MAX_PARTS][SERVE_PART_MAX_OPTS + 1];
	struct part_ctx pcs[MAX_PARTS];
	struct opts_group g[MAX_PARTS + 1];
	const struct serve_dev *dev = st->dev;
	unsigned n = nparts();

	for (unsigned i = 0; i < n; i++) {
		memset(tabs[i], 0, sizeof(tabs[i]));
		if (part(i)->opts)
			part(i)->opts(st, tabs[i]);
		pcs[i] = (struct part_ctx){ st, part(i) };
		g[i] = (struct opts_group){ tabs[i], part_opt, &pcs[i] };
	}
	g[n] = (struct opts_group){ dev->spec->tab, dev->opt, ctx };
	return opts_parse_groups(dev->spec, g, n + 1, argc, argv);
}

enum step { STEP_CHECK, STEP_READY, STEP_STOP, STEP_CLEANUP };

static int run_step(struct serve_state *st, enum step s)
{
	for (unsigned i = 0; i < nparts(); i++) {
		const struct serve_part *p = part(i);
		int (*fn)(struct serve_state *) = s == STEP_CHECK ? p->check :
						  s == STEP_READY ? p->ready :
						  s == STEP_STOP ? p->stop : p->cleanup;

		int r = fn ? fn(st) : 0;

		if (r)
			return r == OPTS_USAGE ? OPTS_USAGE : -1;
	}
	return 0;
}

/* ---- the fd budget: -c has no cap but RLIMIT_NOFILE ---- */

/* start-up's own fds and the devices' shared backends opened after the
 * count (the loop, its signalfd, the eventfd reader, up to 32 I2C
 * adapters with a worker eventfd each, sensor files...) */
#define FDS_STARTUP 96

static unsigned long fds_wanted;

/* File descriptors open now. */
static unsigned long fds_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned long n = 0;
	struct dirent *de;

	if (!d)
		return 32;	/* no /proc: a guess, FDS_STARTUP has room */
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own */
}

int serve_fds_need(const char *prog, unsigned long n, const char *what)
{
	struct rlimit rl;

	if (n > ULONG_MAX - fds_wanted) {
		fprintf(stderr, "%s: %s: far more file descriptors than any limit allows\n",
			prog, what);
		return -1;
	}
	fds_wanted += n;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    fds_wanted <= rl.rlim_cur) {
		log_debug("%s: %lu file descriptors needed in all, within RLIMIT_NOFILE",
			  what, fds_wanted);
		return 0;
	}
	log_debug("%s: %lu file descriptors needed in all: RLIMIT_NOFILE %llu, up to %llu",
		  what, fds_wanted, (unsigned long long)rl.rlim_cur,
		  (unsigned long long)rl.rlim_max);
	if (rl.rlim_max != RLIM_INFINITY && fds_wanted > rl.rlim_max) {
		fprintf(stderr, "%s: %s: %lu file descriptors needed in all, but the open-file "
			"limit RLIMIT_NOFILE is %llu (ulimit -Hn; LimitNOFILE= in a systemd "
			"unit)\n", prog, what, fds_wanted, (unsigned long long)rl.rlim_max);
		return -1;
	}
	/* epoll only, no select(): the soft limit may go up to the hard one */
	rl.rlim_cur = fds_wanted;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		fprintf(stderr, "%s: %s: cannot raise RLIMIT_NOFILE to %lu: %s\n", prog, what,
			fds_wanted, strerror(errno));
		return -1;
	}
	return 0;
}

/* Every socket with a frontend connected, before anything of count's
 * size is allocated. */
static int fds_check(struct serve_state *st)
{
	const struct serve_dev *dev = st->dev;
	unsigned long per = vu_dev_max_fds(dev->ops) + dev->sock_fds;
	char what[96];

	fds_wanted = 0;
	if (st->sk.count > INT_MAX / per) {
		fprintf(stderr, "%s: --socket-count %lu: far more file descriptors than any "
			"limit allows\n", st->prog, st->sk.count);
		return -1;
	}
	snprintf(what, sizeof(what), "%lu socket%s (%lu fds each)", st->sk.count,
		 st->sk.count == 1 ? "" : "s", per);
	return serve_fds_need(st->prog, fds_open() + FDS_STARTUP + st->sk.count * per, what);
}

/* Socket i's priv: its block of sock_size bytes, or ctx. */
static void *sock_priv(struct serve_state *st, void *ctx, unsigned i)
{
	return st->privs ? st->privs + (size_t)i * st->dev->sock_size : ctx;
}

static int listen_all(struct serve_state *st, void *ctx)
{
	const struct serve_dev *dev = st->dev;

	for (unsigned i = 0; i < st->sk.count; i++) {
		struct serve_sock s = { .i = i, .l = st->l, .priv = sock_priv(st, ctx, i) };
		char path[4096];

		if (st->sk.nfds)
			vu_sockets_fd_label(&st->sk, i, path, sizeof(path));
		else if (vu_sockets_path(&st->sk, i, path, sizeof(path))) {
			fprintf(stderr, "%s: --socket-path '%s': too long\n", st->prog, st->sk.path);
			return -1;
		}
		s.path = path;
		if (dev->sock && dev->sock(ctx, &s))
			return -1;
		st->nsocks = i + 1;
		if (st->sk.nfds) {
			st->d[i] = vu_dev_new_fd(st->l, st->sk.fds[i], path, dev->ops, s.priv);
			st->sk.fds[i] = -1;	/* the device owns it now */
		} else {
			st->d[i] = vu_dev_new(st->l, path, dev->ops, s.priv);
		}
		if (!st->d[i])
			return -1;
	}
	return 0;
}

int serve_main(const struct serve_dev *dev, void *ctx, int argc, char **argv)
{
	struct serve_state st = {
		.dev = dev,
		.prog = dev->spec->prog,
		.sk = { .count = 1, .max = dev->numbered ? INT_MAX : 1,
			.numbered = dev->numbered, .zero_usage = dev->count_zero_usage },
	};
	int r, ret = 1;

	log_setup(dev->log_default);	/* before -v can raise it */
	r = parse(&st, ctx, argc, argv);
	if (r) {
		ret = r > 0 ? 0 : r == OPTS_USAGE ? OPTS_USAGE_EXIT : 1;
		goto out;
	}
	r = run_step(&st, STEP_CHECK);
	if (r) {
		ret = r == OPTS_USAGE ? OPTS_USAGE_EXIT : 1;
		goto out;
	}
	if (fds_check(&st))
		goto out;
	st.l = loop_new();
	st.d = calloc(st.sk.count, sizeof(*st.d));
	if (dev->sock_size)
		st.privs = calloc(st.sk.count, dev->sock_size);
	if (!st.l || !st.d || (dev->sock_size && !st.privs)) {
		log_err("cannot create the event loop: %s", strerror(errno ? errno : ENOMEM));
		goto out;
	}
	/* before the first socket exists (a SIGTERM as soon as it appears
	 * must end the process with 0, not kill it), before any thread
	 * starts (they inherit the blocked signals) and before the ready
	 * steps (the lock-down comes after it) */
	r = loop_handle_signals(st.l);
	if (r < 0) {
		log_err("cannot set up signal handling: %s", strerror(-r));
		goto out;
	}
	r = dev->start ? dev->start(ctx, st.l, (unsigned)st.sk.count) : 0;
	if (r) {
		ret = r == OPTS_USAGE ? OPTS_USAGE_EXIT : 1;
		goto out;
	}
	if (listen_all(&st, ctx))
		goto out;
	efd_init();	/* its AIO context and pipe, before any lock-down */
	if (run_step(&st, STEP_READY))
		goto out;
	if (dev->serving && dev->serving(ctx, st.l))
		goto out;
	ret = vu_run(st.l);
	run_step(&st, STEP_STOP);
out:
	for (unsigned i = 0; st.d && i < st.sk.count; i++)
		vu_dev_free(st.d[i]);
	free(st.d);
	vu_sockets_free(&st.sk);
	run_step(&st, STEP_CLEANUP);
	if (dev->stop)
		dev->stop(ctx);
	for (unsigned i = 0; dev->sock_free && i < st.nsocks; i++)
		dev->sock_free(ctx, sock_priv(&st, ctx, i));
	free(st.privs);
	if (dev->cleanup)
		dev->cleanup(ctx, st.l);
	if (st.l)
		loop_free(st.l);
	return ret;
}
