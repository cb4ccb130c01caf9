/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The policy being declared, the shared options, and the lock-down steps
 * up to Landlock; the seccomp filter is in sandbox_seccomp.c. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "common/log.h"
#include "common/opts.h"
#include "common/sandbox.h"
#include "common/sandbox_int.h"
#include "vhost/dev.h"
#include "vhost/serve.h"

struct sb_path {
	int fd;            /* O_PATH */
	unsigned access;   /* SB_READ... */
	bool dir;
};

static struct {
	bool off;
	bool set_uid, set_gid;
	uid_t uid;
	gid_t gid;
	unsigned needs;
	const char *calls[SANDBOX_MAX_CALLS];
	unsigned ncalls;
	struct sb_ioctls ioctls[SANDBOX_MAX_IOCTL_TABLES];
	unsigned nioctls;
	struct sb_path *paths;
	size_t npaths;
	char **socks;
	size_t nsocks;
} sb;

void sandbox_need(unsigned needs)
{
	sb.needs |= needs;
}

int sandbox_allow_syscall(const char *name)
{
	if (!sb_seccomp_known(name))
		return -EINVAL;
	for (unsigned i = 0; i < sb.ncalls; i++)
		if (!strcmp(sb.calls[i], name))
			return 0;
	if (sb.ncalls == SANDBOX_MAX_CALLS)
		return -ENOSPC;
	sb.calls[sb.ncalls++] = name;
	return 0;
}

int sandbox_allow_ioctls(const struct sandbox_ioctl *tab, unsigned n)
{
	for (unsigned i = 0; i < sb.nioctls; i++)
		if (sb.ioctls[i].tab == tab)
			return 0;
	if (sb.nioctls == SANDBOX_MAX_IOCTL_TABLES)
		return -ENOSPC;
	sb.ioctls[sb.nioctls++] = (struct sb_ioctls){ tab, n };
	sb.needs |= SB_NEED_IOCTL;
	return 0;
}

int sandbox_allow_path(const char *path, unsigned access)
{
	struct sb_path *p;
	struct stat st;
	int fd;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		errno = e;
		return -e;
	}
	p = realloc(sb.paths, (sb.npaths + 1) * sizeof(*p));
	if (!p) {
		close(fd);
		errno = ENOMEM;
		return -ENOMEM;
	}
	sb.paths = p;
	sb.paths[sb.npaths++] = (struct sb_path){ fd, access, S_ISDIR(st.st_mode) };
	return 0;
}

int sandbox_allow_image(const char *file)
{
	char dir[PATH_MAX];

	if (snprintf(dir, sizeof(dir), "%s", file) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	sandbox_need(SB_NEED_FILES | SB_NEED_PERSIST);
	return sandbox_allow_path(dirname(dir), SB_READ | SB_WRITE | SB_CREATE);
}

int sandbox_add_socket(const char *path)
{
	char dir[PATH_MAX];
	char **s;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	s = realloc(sb.socks, (sb.nsocks + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	sb.socks = s;
	sb.socks[sb.nsocks] = strdup(path);
	if (!sb.socks[sb.nsocks])
		return -ENOMEM;
	sb.nsocks++;
	return sandbox_allow_path(dirname(dir), SB_REMOVE);
}

/* ---- options ---- */

const struct opt sandbox_opts[] = {
	OPT("sandbox", 0, "on|off", "confine the daemon once its devices and sockets\n"
	    "are open (seccomp, Landlock, no capabilities)", SB_OPT_SANDBOX,
	    .dflt = "on"),
	OPT("user", 0, "NAME", "after start-up, run as this user (name or uid)\n"
	    "and its primary group", SB_OPT_USER),
	OPT("group", 0, "NAME", "after start-up, run as this group (name or gid)",
	    SB_OPT_GROUP),
	OPT_END
};

static int parse_id(const char *arg, unsigned long *out)
{
	return opts_parse_uint(arg, 10, 0xfffffffeul, out);
}

int sandbox_opt(const char *prog, int id, const char *arg)
{
	unsigned long v;

	switch (id) {
	case SB_OPT_SANDBOX:
		if (!strcmp(arg, "on"))
			sb.off = false;
		else if (!strcmp(arg, "off"))
			sb.off = true;
		else {
			fprintf(stderr, "%s: --sandbox '%s': expected on or off\n", prog, arg);
			return OPTS_USAGE;	/* not one of the choices: exit 2 */
		}
		return 0;
	case SB_OPT_USER: {
		struct passwd *pw = getpwnam(arg);

		if (pw) {
			sb.uid = pw->pw_uid;
			if (!sb.set_gid)
				sb.gid = pw->pw_gid;
		} else if (!parse_id(arg, &v)) {
			sb.uid = (uid_t)v;
			if (!sb.set_gid)
				sb.gid = (gid_t)v;
		} else {
			fprintf(stderr, "%s: --user '%s': no such user\n", prog, arg);
			return -1;
		}
		sb.set_uid = true;
		return 0;
	}
	case SB_OPT_GROUP: {
		struct group *gr = getgrnam(arg);

		if (gr)
			sb.gid = gr->gr_gid;
		else if (!parse_id(arg, &v))
			sb.gid = (gid_t)v;
		else {
			fprintf(stderr, "%s: --group '%s': no such group\n", prog, arg);
			return -1;
		}
		sb.set_gid = true;
		return 0;
	}
	}
	return -1;
}

/* ---- the shared start-up part ---- */

static void sandbox_part_opts(struct serve_state *st, struct opt *tab)
{
	unsigned n = 0;

	for (const struct opt *o = sandbox_opts; o->lng && n < SERVE_PART_MAX_OPTS; o++)
		tab[n++] = *o;
	tab[n] = (struct opt)OPT_END;
}

static int sandbox_part_opt(struct serve_state *st, int id, const char *arg)
{
	return sandbox_opt(st->prog, id, arg);
}

/* Every socket listens and the signals are set up: the socket files this
 * process made (not those --fd or socket activation handed over) stay
 * removable, then the lock-down, before the loop serves anything. */
static int sandbox_part_ready(struct serve_state *st)
{
	for (unsigned long i = 0; !st->sk.nfds && i < st->sk.count; i++) {
		const char *path = vu_dev_path(st->d[i]);
		int e = sandbox_add_socket(path);

		if (e < 0) {
			log_err("%s: %s", path, strerror(-e));
			return -1;
		}
	}
	return sandbox_apply();
}

/* The paths and socket files gathered for the lock-down: released by it,
 * or by the cleanup step when start-up ends before it. */
static void sandbox_release(void)
{
	for (size_t i = 0; i < sb.npaths; i++)
		close(sb.paths[i].fd);
	free(sb.paths);
	sb.paths = NULL;
	sb.npaths = 0;
	for (size_t i = 0; i < sb.nsocks; i++)
		free(sb.socks[i]);
	free(sb.socks);
	sb.socks = NULL;
	sb.nsocks = 0;
}

static int sandbox_part_cleanup(struct serve_state *st)
{
	sandbox_release();
	return 0;
}

const struct serve_part sandbox_serve_part = {
	.opts = sandbox_part_opts, .opt = sandbox_part_opt, .ready = sandbox_part_ready,
	.cleanup = sandbox_part_cleanup,
};

/* ---- lock-down steps ---- */

/* Capabilities and Landlock apply to the calling thread only: a thread
 * started before the lock-down would keep both.  Threads are started
 * after it (serve_dev.serving).  -1 after logging if there is another. */
static int single_threaded(void)
{
	char buf[4096], *t;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;   /* no /proc: nothing to check with */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	t = strstr(buf, "\nThreads:");
	if (t && strtol(t + 9, NULL, 10) > 1) {
		log_err("sandbox: %ld threads before the lock-down: they would keep their "
			"capabilities and escape Landlock (start threads after it)",
			strtol(t + 9, NULL, 10));
		return -1;
	}
	return 0;
}

static int no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		log_err("sandbox: cannot turn core dumps off: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* --user/--group: the sockets change owner first (so the new identity can
 * remove them at exit), then supplementary groups, gid, uid.  Any failure
 * stops start-up: the daemon never keeps running as the identity it was
 * asked to leave. */
static int switch_identity(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	if (!sb.set_uid && !sb.set_gid)
		return 0;
	for (size_t i = 0; i < sb.nsocks; i++)
		if (lchown(sb.socks[i], sb.set_uid ? sb.uid : (uid_t)-1, sb.gid) < 0)
			log_warn("sandbox: cannot hand socket '%s' to uid %u: %s (it stays "
				 "after exit)", sb.socks[i], (unsigned)sb.uid, strerror(errno));
	if (setgroups(1, &sb.gid) < 0) {
		/* unprivileged: acceptable only if no other group is kept */
		gid_t g[NGROUPS_MAX];
		int n = getgroups(NGROUPS_MAX, g);

		for (int i = 0; i < n; i++)
			if (g[i] != sb.gid)
				goto fail;
		if (n < 0)
			goto fail;
	}
	if (setresgid(sb.gid, sb.gid, sb.gid) < 0)
		goto fail;
	if (sb.set_uid && setresuid(sb.uid, sb.uid, sb.uid) < 0)
		goto fail;
	if (getresgid(&gr, &ge, &gs) < 0 || gr != sb.gid || ge != sb.gid || gs != sb.gid)
		goto fail;
	if (sb.set_uid) {
		if (getresuid(&r, &e, &s) < 0 || r != sb.uid || e != sb.uid || s != sb.uid)
			goto fail;
		/* root must be gone for good */
		if (sb.uid != 0 && setuid(0) == 0) {
			errno = EPERM;
			goto fail;
		}
	}
	log_info("sandbox: running as uid %u gid %u", (unsigned)getuid(), (unsigned)getgid());
	return 0;
fail:
	log_err("sandbox: cannot switch to uid %u gid %u: %s; refusing to run as uid %u",
		(unsigned)sb.uid, (unsigned)sb.gid, strerror(errno ? errno : EPERM),
		(unsigned)getuid());
	return -1;
}

/* Every capability set emptied; exec could not regain any (and exec is
 * refused anyway). */
static int drop_capabilities(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	/* the bounding set needs CAP_SETPCAP, which an unprivileged start
	 * has not: its bounding set is harmless without file caps + NNP */
	for (int c = 0; prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EPERM)
			goto fail;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		goto fail;
	if (syscall(SYS_capset, &h, d) < 0)
		goto fail;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail;
	return 0;
fail:
	log_err("sandbox: cannot drop capabilities: %s", strerror(errno));
	return -1;
}

/* ---- Landlock (raw system calls: the rights past ABI 1 are defined here
 * so that older headers build) ---- */

#define LL_FS_ABI1 ((1ull << 13) - 1)   /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER     (1ull << 13)    /* ABI 2 */
#define LL_FS_TRUNCATE  (1ull << 14)    /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ull << 15)    /* ABI 5 */
#define LL_NET_BIND_TCP    (1ull << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ull << 1)
#define LL_SCOPE_ABSTRACT_UNIX (1ull << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL        (1ull << 1)
#define LL_FS_FILE (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
		    LANDLOCK_ACCESS_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

struct ll_ruleset_attr {
	uint64_t fs;
	uint64_t net;
	uint64_t scoped;
};

int sandbox_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
			 LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

static uint64_t ll_rights(unsigned access, bool dir)
{
	uint64_t r = 0;

	if (access & SB_READ)
		r |= LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	if (access & SB_WRITE)
		r |= LANDLOCK_ACCESS_FS_WRITE_FILE | LL_FS_TRUNCATE;
	if (access & SB_CREATE)
		r |= LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE;
	if (access & SB_REMOVE)
		r |= LANDLOCK_ACCESS_FS_REMOVE_FILE;
	return dir ? r : r & LL_FS_FILE;
}

static int landlock(struct sb_summary *sum)
{
	struct ll_ruleset_attr a = { 0 };
	size_t asz = sizeof(a.fs);
	int abi = sandbox_landlock_abi();
	int rfd;

	sum->landlock_abi = abi;
	if (abi <= 0) {
		log_info("sandbox: Landlock is not available in this kernel: file access is "
			 "limited by identity and seccomp only");
		return 0;
	}
	a.fs = LL_FS_ABI1;
	if (abi >= 2)
		a.fs |= LL_FS_REFER;
	if (abi >= 3)
		a.fs |= LL_FS_TRUNCATE;
	if (abi >= 4) {
		a.net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		asz = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 5)
		a.fs |= LL_FS_IOCTL_DEV;
	if (abi >= 6) {
		a.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		asz = sizeof(a);
	}
	rfd = (int)syscall(SYS_landlock_create_ruleset, &a, asz, 0);
	if (rfd < 0)
		goto fail;
	for (size_t i = 0; i < sb.npaths; i++) {
		struct landlock_path_beneath_attr pb = {
			.allowed_access = ll_rights(sb.paths[i].access, sb.paths[i].dir) & a.fs,
			.parent_fd = sb.paths[i].fd,
		};

		if (!pb.allowed_access)
			continue;
		if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0) {
			close(rfd);
			goto fail;
		}
		sum->landlock_rules++;
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) < 0) {
		close(rfd);
		goto fail;
	}
	close(rfd);
	sum->landlock_net = abi >= 4;
	return 0;
fail:
	log_err("sandbox: Landlock (ABI %d): %s", abi, strerror(errno));
	return -1;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int sandbox_apply(void)
{
	struct sb_summary sum = { 0 };
	long long t0 = now_us();
	int r = -1;

	if (sb.off) {
		log_info("sandbox: off (--sandbox=off)");
		if (sb.set_uid || sb.set_gid)
			r = switch_identity();
		else
			r = 0;
		goto out;
	}
#ifdef VD_COVERAGE_DIR
	/* a coverage build (make coverage): at exit gcov adds the counts to
	 * the .gcda files of the build directory */
	if (sandbox_allow_path(VD_COVERAGE_DIR, SB_READ | SB_WRITE | SB_CREATE) == 0)
		sandbox_need(SB_NEED_FILES);
#endif
	if (single_threaded() < 0 || sb_seccomp_prepare() < 0)
		goto out;
	if (no_core_dumps() < 0 || switch_identity() < 0 || drop_capabilities() < 0 ||
	    landlock(&sum) < 0)
		goto out;
	if (sb_seccomp_load(sb.needs, sb.calls, sb.ncalls, sb.ioctls, sb.nioctls, &sum) < 0)
		goto out;
	if (sum.seccomp)
		log_info("sandbox: on: %u system calls, %u ioctl requests; Landlock ABI %d, "
			 "%u path%s%s", sum.syscalls, sum.ioctls, sum.landlock_abi,
			 sum.landlock_rules, sum.landlock_rules == 1 ? "" : "s",
			 sum.landlock_net ? ", no TCP" : "");
	else
		log_info("sandbox: on without a seccomp filter (built with SECCOMP=0); "
			 "Landlock ABI %d, %u path%s%s", sum.landlock_abi, sum.landlock_rules,
			 sum.landlock_rules == 1 ? "" : "s", sum.landlock_net ? ", no TCP" : "");
	log_debug("sandbox: lock-down took %lld us", now_us() - t0);
	r = 0;
out:
	sandbox_release();
	return r;
}
