/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* bench: `make bench`.  Every device on a simulated peripheral, driven
 * through the project's frontend (tests/frontend) as QEMU drives it (ring
 * size 256), measured against bench-null, a backend from the same core
 * that completes every request with no work, in the same run.  Figures:
 * backend CPU per request (utime+stime of /proc/PID/stat, and the exact
 * on-CPU time of schedstat) and its ratio to the floor's, round-trip p50/p99 per batch and their ratio, call
 * interrupts per batch, daemon system calls per request (strace -c -f
 * attached to the running daemon), start-up to a connectable socket
 * (median, wall and on-CPU), the sandbox's lock-down time (-v), idle RSS
 * and private memory (smaps_rollup), RSS with 1, 64 and 256 connected
 * guests, and the stripped size.  A table on stdout, then one JSON line
 * per figure.  It reports; it never fails on a threshold.
 * --quick: a tiny configuration for `make check` (tests/scripts/bench.sh).
 * Usage: bench [--quick] VHOST_DEVICE BENCH_NULL */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "devices/scmi_spec.h"
#include "../tests/frontend/fe.h"
#include "../tests/frontend/itest.h"
#include "../tests/frontend/proc.h"

#define MAX_BATCH 64
#define NSAMPLES  200000

static const char *bin, *null_bin;
static bool quick;
static FILE *json;     /* JSON lines, printed after the table */
static char *jbuf;
static size_t jlen;

struct bdev {
	const char *name;          /* "null" = the floor */
	const char *args[6];
	uint32_t config_size;
	bool numbered;             /* -s PATH listens on PATH0 */
	/* build request i's chain at slot gpa g (512 bytes); returns segments */
	unsigned (*req)(struct fe *fe, uint64_t g, struct fe_seg *s);
};

static unsigned req_gpio(struct fe *fe, uint64_t g, struct fe_seg *s)
{
	uint8_t r[8] = { 4 /* GET_VALUE */, 0, 0 /* line */, 0, 0, 0, 0, 0 };

	memcpy(fe_ptr(fe, g, 8), r, 8);
	s[0] = (struct fe_seg){ g, 8, false };
	s[1] = (struct fe_seg){ g + 64, 2, true };
	return 2;
}

static unsigned req_i2c(struct fe *fe, uint64_t g, struct fe_seg *s)
{
	uint8_t h[8] = { 0x50 << 1, 0, 0, 0, 2 /* M_RD */, 0, 0, 0 };

	memcpy(fe_ptr(fe, g, 8), h, 8);
	s[0] = (struct fe_seg){ g, 8, false };
	s[1] = (struct fe_seg){ g + 64, 1, true };
	s[2] = (struct fe_seg){ g + 128, 1, true };
	return 3;
}

static unsigned req_spi(struct fe *fe, uint64_t g, struct fe_seg *s)
{
	uint8_t *h = fe_ptr(fe, g, 32);
	uint32_t freq = 1000000;

	memset(h, 0, 32);
	h[1] = 8;                       /* bits per word */
	memcpy(h + 12, &freq, 4);
	memcpy(fe_ptr(fe, g + 64, 4), "\x12\x34\x56\x78", 4);
	s[0] = (struct fe_seg){ g, 32, false };
	s[1] = (struct fe_seg){ g + 64, 4, false };
	s[2] = (struct fe_seg){ g + 128, 4, true };
	s[3] = (struct fe_seg){ g + 192, 1, true };
	return 4;
}

static unsigned req_scmi(struct fe *fe, uint64_t g, struct fe_seg *s)
{
	uint32_t body[3] = { SCMI_HDR(SCMI_SENSOR_READING_GET, 0, SCMI_PROTO_SENSOR, 1), 0, 0 };

	memcpy(fe_ptr(fe, g, 12), body, 12);
	s[0] = (struct fe_seg){ g, 12, false };
	s[1] = (struct fe_seg){ g + 64, 136, true };
	return 2;
}

static const struct bdev devs[] = {
	{ "null", { NULL }, 0, false, req_gpio },
	{ "gpio", { "gpio", "-l", "s8", NULL }, 8, true, req_gpio },
	{ "i2c", { "i2c", "--sim", "24c02@0x50", NULL }, 0, true, req_i2c },
	{ "spi", { "spi", "--sim", "loopback", NULL }, 32, true, req_spi },
	{ "scmi", { "scmi", "-d", "fake", NULL }, 0, false, req_scmi },
};
#define NDEV (sizeof(devs) / sizeof(devs[0]))
static const unsigned batches[] = { 1, 8, 64 };
#define NBATCH (sizeof(batches) / sizeof(batches[0]))

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* ---- the daemon ---- */

/* the socket a frontend connects to when d is given -s sock */
static const char *conn_path(const struct bdev *d, const char *sock)
{
	static char path[136];

	snprintf(path, sizeof(path), "%s%s", sock, d->numbered ? "0" : "");
	return path;
}

/* argv for device d with extra options, spawned through proc.h */
static int spawn(struct proc *p, const struct bdev *d, const char *const *extra,
		 bool log)
{
	const char *args[PROC_MAX_ARGS];
	unsigned n = 0;

	setenv("VHOST_DEVICE_BIN", d->args[0] ? bin : null_bin, 1);
	for (unsigned i = 0; d->args[i]; i++)
		args[n++] = d->args[i];
	args[n++] = "-s";
	args[n++] = p->sock;
	for (unsigned i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	return proc_spawn(p, args, log, conn_path(d, p->sock), proc_start_timeout_ms());
}

static void stop(struct proc *p, const char *what)
{
	int r = proc_stop(p, 10000);

	if (r != 0)
		fprintf(stderr, "bench: %s daemon ended with %d\n", what, r);
	proc_cleanup(p);
}

/* utime + stime of the whole process, in microseconds */
static double cpu_us(pid_t pid)
{
	char path[64], buf[1024], *s;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	s = strrchr(buf, ')');
	/* after ")": state(3) ... utime(14) stime(15) */
	if (!s || sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return 0;
	return (ut + st) * 1e6 / sysconf(_SC_CLK_TCK);
}

/* On-CPU time of all of pid's threads so far (schedstat, in ns: not
 * sampled at clock ticks as utime and stime are), in microseconds. */
static double oncpu_us(pid_t pid)
{
	char path[64];
	unsigned long long sum = 0, ns;
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		char p2[128];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p2, sizeof(p2), "/proc/%d/task/%.16s/schedstat", (int)pid, de->d_name);
		f = fopen(p2, "r");
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return sum / 1e3;
}

/* Rss and Private_Clean + Private_Dirty from smaps_rollup, in kB */
static void mem_kb(pid_t pid, long *rss, long *priv)
{
	char path[64], line[256];
	FILE *f;
	long v;

	*rss = *priv = 0;
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Rss: %ld", &v) == 1)
			*rss = v;
		else if (sscanf(line, "Private_Clean: %ld", &v) == 1 ||
			 sscanf(line, "Private_Dirty: %ld", &v) == 1)
			*priv += v;
	}
	fclose(f);
}

/* ---- output ---- */

static void jfig(const char *fig, const char *dev, int batch, double v,
		 const char *unit, double ratio)
{
	fprintf(json, "{\"figure\":\"%s\"", fig);
	if (dev)
		fprintf(json, ",\"device\":\"%s\"", dev);
	if (batch > 0)
		fprintf(json, ",\"batch\":%d", batch);
	fprintf(json, ",\"value\":%.3f,\"unit\":\"%s\"", v, unit);
	if (ratio >= 0)
		fprintf(json, ",\"ratio_to_floor\":%.3f", ratio);
	fprintf(json, "}\n");
}

/* ---- the data path ---- */

struct run {
	double cpu_us_req, oncpu_us_req, p50, p99, irq_per_batch, sys_per_req;
};

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One batch: publish n chains, notify, collect n; *calls gets the
 * signals of the call eventfd (its counter).  0 or -errno. */
static int one_batch(struct fe *fe, unsigned n,
		     unsigned long long *calls, const struct bdev *d,
		     const uint64_t *slot)
{
	unsigned got = 0;

	for (unsigned i = 0; i < n; i++) {
		struct fe_seg s[4];
		unsigned k = d->req(fe, slot[i], s);
		int h = fe_vq_add(fe, 0, s, k, false);

		if (h < 0)
			return h;
		fe_vq_publish(fe, 0, (uint16_t)h);
	}
	fe_vq_notify(fe, 0);
	while (got < n) {
		uint32_t id, len;
		int r;

		while ((r = fe_vq_get_used(fe, 0, &id, &len)) == 1)
			got++;
		if (r < 0)
			return r;
		if (got < n) {
			struct pollfd pfd = { .fd = fe->vq[0].call_fd, .events = POLLIN };

			if (poll(&pfd, 1, FE_TIMEOUT_MS) != 1)
				return -ETIMEDOUT;
			*calls += itest_calls(fe, 0);
		}
	}
	/* a call signalled after the last entry was seen counts too */
	*calls += itest_calls(fe, 0);
	return 0;
}

/* strace -c -f attached to pid while nreq requests run: system calls */
static long strace_count(struct proc *p, struct fe *fe, const struct bdev *d,
			 unsigned batch, const uint64_t *slot, unsigned nreq)
{
	char out[160], line[256], cmd[64];
	unsigned long long calls = 0;
	long total = -1;
	pid_t sp;
	int st;
	FILE *f;

	snprintf(out, sizeof(out), "%s/strace", p->dir);
	snprintf(cmd, sizeof(cmd), "%d", (int)p->pid);
	sp = fork();
	if (sp < 0)
		return -1;
	if (sp == 0) {
		int nul = open("/dev/null", O_WRONLY);

		if (nul >= 0)
			dup2(nul, 2);
		execlp("strace", "strace", "-q", "-c", "-f", "-o", out, "-p", cmd, (char *)NULL);
		_exit(127);
	}
	/* attached once the daemon shows a tracer */
	for (int i = 0; i < 5000; i++) {
		char path[64];
		int tracer = 0;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)p->pid);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "TracerPid: %d", &tracer) == 1)
				break;
		if (f)
			fclose(f);
		if (tracer)
			break;
		if (waitpid(sp, &st, WNOHANG) == sp)
			return -1;
		usleep(1000);
	}
	for (unsigned done = 0; done < nreq; done += batch)
		if (one_batch(fe, batch, &calls, d, slot) < 0)
			break;
	/* let the daemon go back to epoll_wait, then detach */
	itest_kick_settle(fe, 0, FE_TIMEOUT_MS);
	kill(sp, SIGINT);
	waitpid(sp, &st, 0);
	f = fopen(out, "r");
	while (f && fgets(line, sizeof(line), f)) {
		long c;

		if (strstr(line, "total") &&
		    sscanf(line, "%*f %*f %*d %ld", &c) == 1)
			total = c;
	}
	if (f)
		fclose(f);
	return total;
}

static int run_one(const struct bdev *d, unsigned batch, struct run *res,
		   double *samples)
{
	struct fe_opts o = { .queue_size = 256, .config_size = d->config_size };
	unsigned long long calls = 0, nb = 0;
	uint64_t slot[MAX_BATCH];
	double secs = quick ? 0.05 : 1.5, t0, c0, c1, s0, s1;
	struct proc p;
	struct fe *fe;
	int r = 0;
	long sc;

	if (proc_tmpdir(&p) < 0 || spawn(&p, d, NULL, true) < 0) {
		fprintf(stderr, "bench: cannot start %s\n", d->name);
		return -1;
	}
	fe = itest_fe_open(conn_path(d, p.sock), ITEST_START, &o, &r);
	if (!fe) {
		fprintf(stderr, "bench: %s: cannot open a session: %s\n", d->name, strerror(-r));
		stop(&p, d->name);
		return -1;
	}
	for (unsigned i = 0; i < MAX_BATCH; i++)
		slot[i] = fe_alloc(fe, 512, 64);
	/* warm up */
	for (unsigned i = 0; i < 20 && r == 0; i++)
		r = one_batch(fe, batch, &calls, d, slot);
	calls = 0;
	c0 = cpu_us(p.pid);
	s0 = oncpu_us(p.pid);
	t0 = now_us();
	while (r == 0 && nb < NSAMPLES) {
		double b0 = now_us(), b1;

		r = one_batch(fe, batch, &calls, d, slot);
		b1 = now_us();
		samples[nb++] = b1 - b0;
		if (b1 - t0 > secs * 1e6)
			break;
	}
	c1 = cpu_us(p.pid);
	s1 = oncpu_us(p.pid);
	if (r < 0) {
		fprintf(stderr, "bench: %s batch %u: %s\n", d->name, batch, strerror(-r));
		fe_free(fe);
		stop(&p, d->name);
		return -1;
	}
	qsort(samples, nb, sizeof(*samples), cmp_d);
	res->cpu_us_req = (c1 - c0) / (double)(nb * batch);
	res->oncpu_us_req = (s1 - s0) / (double)(nb * batch);
	res->p50 = samples[nb / 2];
	res->p99 = samples[nb * 99 / 100];
	res->irq_per_batch = (double)calls / nb;
	/* strace can miss its attach on a loaded machine: try again */
	for (int k = 0; k < 3 && (sc = strace_count(&p, fe, d, batch, slot,
						     quick ? 64 : 1024)) < 0; k++)
		;
	if (sc < 0)
		fprintf(stderr, "bench: %s batch %u: no count from strace\n",
			d->name, batch);
	res->sys_per_req = sc < 0 ? -1 : (double)sc / (quick ? 64 : 1024);
	fe_stop(fe);
	fe_free(fe);
	stop(&p, d->name);
	return 0;
}

/* ---- start-up ---- */


/* Start to a socket that accepts a connection: wall time in us, and in
 * *cpu the daemon's on-CPU time by then.  proc_spawn polls every 5 ms:
 * the start is timed with its own fork here. */
static double startup_precise(const struct bdev *d, double *cpu)
{
	char dir[] = "/tmp/vdbench.XXXXXX", sock[64];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *argv[PROC_MAX_ARGS];
	unsigned n = 0;
	double t0, t = -1;
	char buf[4096];
	pid_t pid;
	int in, st;

	if (!mkdtemp(dir))
		return -1;
	snprintf(sock, sizeof(sock), "%s/s", dir);
	if (strlen(conn_path(d, sock)) >= sizeof(a.sun_path))
		return -1;
	strcpy(a.sun_path, conn_path(d, sock));
	argv[n++] = d->args[0] ? bin : null_bin;
	for (unsigned i = 0; d->args[i]; i++)
		argv[n++] = d->args[i];
	argv[n++] = "-s";
	argv[n++] = sock;
	if (getenv("VHOST_DEVICE_ARGS") && *getenv("VHOST_DEVICE_ARGS"))
		argv[n++] = getenv("VHOST_DEVICE_ARGS");
	argv[n] = NULL;
	in = inotify_init1(IN_CLOEXEC);
	inotify_add_watch(in, dir, IN_CREATE);
	t0 = now_us();
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_WRONLY);

		dup2(nul, 2);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	if (pid > 0 && read(in, buf, sizeof(buf)) > 0) {
		for (int i = 0; i < 100000; i++) {
			int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			int ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;

			close(s);
			if (ok) {
				t = now_us() - t0;
				*cpu = oncpu_us(pid);
				break;
			}
			if (waitpid(pid, &st, WNOHANG) == pid) {
				pid = -1;
				break;
			}
			usleep(20);
		}
	}
	close(in);
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fprintf(stderr, "bench: %s start-up run ended with status 0x%x\n", d->name, st);
	}
	unlink(conn_path(d, sock));
	rmdir(dir);
	return t;
}

/* The number after key in the file at path, -1 if it is not there. */
static long log_value(const char *path, const char *key)
{
	char line[512];
	long v = -1;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		const char *s = strstr(line, key);

		if (s)
			v = atol(s + strlen(key));
	}
	if (f)
		fclose(f);
	return v;
}

/* The lock-down time the daemon logs with -v (after it listens: the log
 * is read until the line is there). */
static long lockdown_us(const struct bdev *d)
{
	static const char key[] = "sandbox: lock-down took ";
	const char *v[] = { "-v", NULL };
	struct proc p;
	long us = -1;

	if (proc_tmpdir(&p) < 0)
		return -1;
	if (spawn(&p, d, v, true) == 0)
		for (int i = 0; i < 5000 && (us = log_value(p.log, key)) < 0 &&
				proc_alive(&p); i++)
			usleep(1000);
	stop(&p, d->name);
	return us;
}

/* ---- many guests on one gpio process ---- */

static int guests(const unsigned *counts, unsigned nc, long *rss, long *priv)
{
	unsigned max = counts[nc - 1], open = 0;
	size_t listlen = max * 3 + 1;
	char *list = malloc(listlen), cnt[16];
	struct fe **fe = calloc(max, sizeof(*fe));
	struct proc p;
	int r = 0;

	if (!list || !fe)
		return -1;
	list[0] = 0;
	for (unsigned i = 0; i < max; i++)
		strcat(list, i ? ":s8" : "s8");
	snprintf(cnt, sizeof(cnt), "%u", max);
	{
		const char *args[] = { "gpio", "-l", list, "-c", cnt, "-s", p.sock, NULL };
		char path[160];

		if (proc_tmpdir(&p) < 0)
			return -1;
		snprintf(path, sizeof(path), "%s%u", p.sock, max - 1);
		setenv("VHOST_DEVICE_BIN", bin, 1);
		r = proc_spawn(&p, args, true, path, proc_start_timeout_ms());
	}
	for (unsigned c = 0; r == 0 && c < nc; c++) {
		for (; open < counts[c]; open++) {
			struct fe_opts o = { .queue_size = 256, .config_size = 8 };
			char path[160];
			int e = 0;

			snprintf(path, sizeof(path), "%s%u", p.sock, open);
			fe[open] = itest_fe_open(path, ITEST_START, &o, &e);
			if (!fe[open]) {
				fprintf(stderr, "bench: guest %u: %s\n", open, strerror(-e));
				r = -1;
				break;
			}
		}
		/* every session is set up in the daemon, and its request path
		 * used, once it answered a request (GET_VALUE, as a guest's
		 * driver does at probe) */
		for (unsigned i = 0; r == 0 && i < open; i++) {
			unsigned long long calls = 0;
			uint64_t slot = fe_alloc(fe[i], 512, 64);

			r = one_batch(fe[i], 1, &calls, &devs[1], &slot);
			if (r < 0)
				fprintf(stderr, "bench: guest %u: %s\n", i, strerror(-r));
		}
		mem_kb(p.pid, &rss[c], &priv[c]);
	}
	for (unsigned i = 0; i < open; i++)
		fe_free(fe[i]);
	stop(&p, "gpio (guests)");
	free(fe);
	free(list);
	return r;
}

static long stripped_size(void)
{
	char tmp[] = "/tmp/vdbench-strip.XXXXXX", cmd[512];
	const char *strip = getenv("STRIP") ? getenv("STRIP") : "strip";
	struct stat st;
	long sz = -1;
	int fd = mkstemp(tmp);

	if (fd < 0)
		return -1;
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s -o %s %s", strip, tmp, bin);
	if (system(cmd) == 0 && stat(tmp, &st) == 0)
		sz = (long)st.st_size;
	unlink(tmp);
	return sz;
}

int main(int argc, char **argv)
{
	static double samples[NSAMPLES];
	static struct run res[NDEV][NBATCH];
	unsigned nstart;
	double t_begin = now_us();
	struct rlimit rl;
	int a = 1;

	if (argc > a && !strcmp(argv[a], "--quick")) {
		quick = true;
		a++;
	}
	if (argc - a != 2) {
		fprintf(stderr, "usage: bench [--quick] VHOST_DEVICE BENCH_NULL\n");
		return 2;
	}
	bin = argv[a];
	null_bin = argv[a + 1];
	nstart = quick ? 3 : 41;
	setenv("VDTEST_QUIET", "1", 1);
	/* 256 frontends hold a few fds each */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	json = open_memstream(&jbuf, &jlen);
	if (!json)
		return 1;

	printf("vhost-device bench%s: ring size 256, floor = bench-null (same core, no work)\n",
	       quick ? " (quick)" : "");
	printf("\n%-6s %5s %10s %6s %10s %6s %9s %9s %6s %6s %9s %7s\n", "device", "batch",
	       "cpu us/req", "ratio", "sched us", "ratio", "rt p50 us", "rt p99 us", "p50 x", "p99 x",
	       "irq/batch", "sys/req");
	for (unsigned b = 0; b < NBATCH; b++) {
		struct run f2;

		/* the floor runs before and after the devices of a batch, and
		 * the devices are compared with the mean of both runs: the load
		 * of a shared machine drifts over a run */
		if (run_one(&devs[0], batches[b], &res[0][b], samples) < 0)
			return 1;
		for (unsigned i = 1; i < NDEV; i++)
			if (run_one(&devs[i], batches[b], &res[i][b], samples) < 0)
				return 1;
		if (run_one(&devs[0], batches[b], &f2, samples) < 0)
			return 1;
		res[0][b].cpu_us_req = (res[0][b].cpu_us_req + f2.cpu_us_req) / 2;
		res[0][b].oncpu_us_req = (res[0][b].oncpu_us_req + f2.oncpu_us_req) / 2;
		res[0][b].p50 = (res[0][b].p50 + f2.p50) / 2;
		res[0][b].p99 = (res[0][b].p99 + f2.p99) / 2;
		res[0][b].irq_per_batch = (res[0][b].irq_per_batch + f2.irq_per_batch) / 2;
		if (res[0][b].sys_per_req < 0 || f2.sys_per_req < 0)
			res[0][b].sys_per_req = res[0][b].sys_per_req < 0 ? f2.sys_per_req : res[0][b].sys_per_req;
		else
			res[0][b].sys_per_req = (res[0][b].sys_per_req + f2.sys_per_req) / 2;
		for (unsigned i = 0; i < NDEV; i++) {
			struct run *r = &res[i][b], *f = &res[0][b];

			printf("%-6s %5u %10.3f %6.2f %10.3f %6.2f %9.1f %9.1f %6.2f %6.2f %9.2f %7.2f\n",
			       devs[i].name, batches[b], r->cpu_us_req,
			       r->cpu_us_req / f->cpu_us_req, r->oncpu_us_req,
			       r->oncpu_us_req / f->oncpu_us_req, r->p50, r->p99,
			       r->p50 / f->p50, r->p99 / f->p99, r->irq_per_batch,
			       r->sys_per_req);
			jfig("cpu_us_per_request", devs[i].name, batches[b], r->cpu_us_req,
			     "us", r->cpu_us_req / f->cpu_us_req);
			jfig("oncpu_us_per_request", devs[i].name, batches[b], r->oncpu_us_req,
			     "us", r->oncpu_us_req / f->oncpu_us_req);
			jfig("round_trip_p50", devs[i].name, batches[b], r->p50, "us", r->p50 / f->p50);
			jfig("round_trip_p99", devs[i].name, batches[b], r->p99, "us", r->p99 / f->p99);
			jfig("interrupts_per_batch", devs[i].name, batches[b], r->irq_per_batch, "calls", -1);
			jfig("syscalls_per_request", devs[i].name, batches[b], r->sys_per_req,
			     "strace -c -f", r->sys_per_req / f->sys_per_req);
		}
	}
	printf("(cpu: utime+stime of /proc/PID/stat over the run (clock ticks); sched: on-CPU time of\n"
	       " /proc/PID/task/*/schedstat (ns); ratio: to the floor's, the mean of a run before and one\n"
	       " after the devices; rt: one batch, publish to last completion;\n sys/req: strace -c -f attached to the running daemon, %u requests)\n",
	       quick ? 64 : 1024);

	printf("\n%-6s %10s %12s %7s %12s %10s %12s\n", "device", "start ms", "start cpu ms",
	       "ratio", "lock-down us", "idle RSS", "idle private");
	for (unsigned i = 0; i < NDEV; i++) {
		static double floor_cpu;
		double t[64], c[64], ld[8];
		unsigned nld = quick ? 1 : 5;
		long rss, priv;
		struct proc p;

		for (unsigned k = 0; k < nld; k++)
			ld[k] = (double)lockdown_us(&devs[i]);
		qsort(ld, nld, sizeof(ld[0]), cmp_d);
		for (unsigned k = 0; k < nstart; k++) {
			c[k] = -1;
			t[k] = startup_precise(&devs[i], &c[k]);
		}
		qsort(t, nstart, sizeof(t[0]), cmp_d);
		qsort(c, nstart, sizeof(c[0]), cmp_d);
		if (i == 0)
			floor_cpu = c[nstart / 2];
		if (proc_tmpdir(&p) < 0 || spawn(&p, &devs[i], NULL, true) < 0)
			return 1;
		mem_kb(p.pid, &rss, &priv);
		stop(&p, devs[i].name);
		printf("%-6s %10.2f %12.2f %7.2f %12.0f %7ld kB %9ld kB\n", devs[i].name,
		       t[nstart / 2] / 1000, c[nstart / 2] / 1000, c[nstart / 2] / floor_cpu,
		       ld[nld / 2], rss, priv);
		jfig("startup_to_connectable", devs[i].name, 0, t[nstart / 2] / 1000, "ms", -1);
		jfig("startup_cpu", devs[i].name, 0, c[nstart / 2] / 1000, "ms",
		     c[nstart / 2] / floor_cpu);
		jfig("lockdown", devs[i].name, 0, ld[nld / 2], "us", -1);
		jfig("idle_rss", devs[i].name, 0, (double)rss, "kB", -1);
		jfig("idle_private", devs[i].name, 0, (double)priv, "kB", -1);
	}
	printf("(start: median of %u starts, fork to a connect() that succeeds, wall time and the\n"
	       " daemon's on-CPU time by then (schedstat); lock-down: median of what -v logs)\n", nstart);

	{
		static const unsigned full[] = { 1, 64, 256 }, small[] = { 1, 2, 4 };
		const unsigned *c = quick ? small : full;
		long rss[3], priv[3];

		if (guests(c, 3, rss, priv) < 0)
			return 1;
		printf("\nconnected guests, one gpio process, queues of 256:\n");
		for (unsigned k = 0; k < 3; k++) {
			char fig[32];

			printf("  %3u guests: RSS %6ld kB, private %6ld kB\n", c[k], rss[k], priv[k]);
			snprintf(fig, sizeof(fig), "rss_%u_guests", c[k]);
			jfig(fig, "gpio", 0, (double)rss[k], "kB", -1);
			snprintf(fig, sizeof(fig), "private_%u_guests", c[k]);
			jfig(fig, "gpio", 0, (double)priv[k], "kB", -1);
		}
	}
	{
		long sz = stripped_size();

		printf("\nstripped binary: %ld bytes (%.1f KiB)\n", sz, sz / 1024.0);
		jfig("stripped_size", NULL, 0, (double)sz, "bytes", -1);
	}
	fclose(json);
	printf("\n%s", jbuf);
	free(jbuf);
	printf("bench: done in %.1f s\n", (now_us() - t_begin) / 1e6);
	return 0;
}
