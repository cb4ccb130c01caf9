/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Spawning the daemon under test: see proc.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "proc.h"

long long proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int proc_tmpdir(struct proc *p)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->dir, "/tmp/vdtest.XXXXXX");
	if (!mkdtemp(p->dir)) {
		p->dir[0] = 0;
		return -errno;
	}
	snprintf(p->sock, sizeof(p->sock), "%s/vhost.sock", p->dir);
	return 0;
}

void proc_cleanup(struct proc *p)
{
	DIR *d;
	struct dirent *de;

	if (p->pid > 0 && !p->exited) {
		kill(p->pid, SIGKILL);
		proc_wait(p, 5000, NULL);
	}
	if (!p->dir[0])
		return;
	d = opendir(p->dir);
	if (d) {
		char path[512];

		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", p->dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(p->dir);
	p->dir[0] = 0;
}

static const char *wrapper(void)
{
	const char *w = getenv("VHOST_DEVICE_WRAPPER");

	return w && *w ? w : NULL;
}

/* options appended to every daemon's command line, e.g. "--sandbox=off"
 * (check-asan, check-valgrind) */
static const char *extra_args(void)
{
	const char *a = getenv("VHOST_DEVICE_ARGS");

	return a && *a ? a : NULL;
}

int proc_start_timeout_ms(void)
{
	return wrapper() ? 60000 : 10000;
}

/* Identity of a socket file: inode numbers are reused at once on tmpfs,
 * so the change time is part of it. */
struct sock_id {
	ino_t ino;
	struct timespec ctime;
};

static int sock_id(const char *path, struct sock_id *id)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -1;
	id->ino = st.st_ino;
	id->ctime = st.st_ctim;
	return 0;
}

static bool same_sock(const struct sock_id *a, const struct sock_id *b)
{
	return a->ino == b->ino && a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

int proc_spawn(struct proc *p, const char *const *args, bool capture_stderr,
	       const char *wait_path, int timeout_ms)
{
	const char *bin = getenv("VHOST_DEVICE_BIN");
	char *argv[PROC_MAX_ARGS + 1];
	char wbuf[1024], xbuf[256];
	unsigned n = 0;
	struct sock_id old_id = { 0 };
	bool had_old = false;
	long long deadline;
	pid_t pid;

	if (!bin || !*bin)
		bin = "./vhost-device";
	if (wrapper()) {
		char *save = NULL, *tok;

		snprintf(wbuf, sizeof(wbuf), "%s", wrapper());
		for (tok = strtok_r(wbuf, " \t", &save); tok && n < PROC_MAX_ARGS;
		     tok = strtok_r(NULL, " \t", &save))
			argv[n++] = tok;
	}
	argv[n++] = (char *)bin;
	for (unsigned i = 0; args && args[i]; i++) {
		if (n >= PROC_MAX_ARGS)
			return -E2BIG;
		argv[n++] = (char *)args[i];
	}
	/* daemon options: not for the ctl applet, a client (its words
	 * would be sent as a request's arguments) */
	if (extra_args() && !(args && args[0] && !strcmp(args[0], "ctl"))) {
		char *save = NULL, *tok;

		snprintf(xbuf, sizeof(xbuf), "%s", extra_args());
		for (tok = strtok_r(xbuf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			if (n >= PROC_MAX_ARGS)
				return -E2BIG;
			argv[n++] = tok;
		}
	}
	argv[n] = NULL;

	if (capture_stderr && p->dir[0])
		snprintf(p->log, sizeof(p->log), "%s/stderr.log", p->dir);
	else
		p->log[0] = 0;
	if (wait_path)
		had_old = sock_id(wait_path, &old_id) == 0;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* a test that dies (failed assertion, sanitizer abort) takes
		 * its daemon with it instead of leaving it running */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		/* the tests read the daemons' info lines (listening,
		 * connections, hints): info unless a test sets RUST_LOG
		 * (most devices print only errors by default, as upstream) */
		setenv("RUST_LOG", "info", 0);
		if (p->log[0]) {
			int fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

			if (fd >= 0) {
				dup2(fd, 2);
				close(fd);
			}
		}
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	p->pid = pid;
	p->exited = false;
	p->status = 0;
	if (!wait_path)
		return 0;

	deadline = proc_now_ms() + timeout_ms;
	for (;;) {
		struct sock_id id;

		if (sock_id(wait_path, &id) == 0 && (!had_old || !same_sock(&id, &old_id)))
			return 0;
		if (!proc_alive(p))
			return -ECHILD;
		if (proc_now_ms() >= deadline) {
			kill(pid, SIGKILL);
			proc_wait(p, 5000, NULL);
			return -ETIMEDOUT;
		}
		usleep(5000);
	}
}

const char *proc_sock_path(const struct proc *p, unsigned nsock, unsigned i,
			   char *buf, size_t len)
{
	if (nsock)
		snprintf(buf, len, "%s%u", p->sock, i);
	else
		snprintf(buf, len, "%s", p->sock);
	return buf;
}

int proc_spawn_sockets(struct proc *p, const char *device, unsigned nsock,
		       const char *const *extra)
{
	const char *args[PROC_MAX_ARGS];
	char count[16], last[256];
	unsigned n = 0;
	int r;

	args[n++] = device;
	args[n++] = "-s";
	args[n++] = p->sock;
	if (nsock > 1) {
		snprintf(count, sizeof(count), "%u", nsock);
		args[n++] = "-c";
		args[n++] = count;
	}
	for (unsigned i = 0; extra && extra[i]; i++) {
		if (n >= PROC_MAX_ARGS - 1)
			return -E2BIG;
		args[n++] = extra[i];
	}
	args[n] = NULL;
	/* the sockets are created in order: the last one means all */
	proc_sock_path(p, nsock, nsock ? nsock - 1 : 0, last, sizeof(last));
	r = proc_spawn(p, args, getenv("VDTEST_QUIET") != NULL, last,
		       proc_start_timeout_ms());
	for (unsigned i = 0; !r && i + 1 < nsock; i++) {
		char path[256];

		r = proc_wait_path(proc_sock_path(p, nsock, i, path, sizeof(path)), true,
				   proc_start_timeout_ms());
	}
	return r;
}

int proc_spawn_device(struct proc *p, const char *device,
		      const char *const *extra)
{
	return proc_spawn_sockets(p, device, 0, extra);
}

int proc_signal(struct proc *p, int sig)
{
	if (p->pid <= 0 || p->exited)
		return -ESRCH;
	return kill(p->pid, sig) < 0 ? -errno : 0;
}

static int reap(struct proc *p, int flags)
{
	int st;
	pid_t r;

	if (p->pid <= 0)
		return -ECHILD;
	if (p->exited)
		return 1;
	do
		r = waitpid(p->pid, &st, flags);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	p->exited = true;
	p->status = st;
	return 1;
}

int proc_wait(struct proc *p, int timeout_ms, int *status)
{
	long long deadline = proc_now_ms() + timeout_ms;

	for (;;) {
		int r = reap(p, WNOHANG);

		if (r < 0)
			return r;
		if (r == 1) {
			if (status)
				*status = p->status;
			return 0;
		}
		if (proc_now_ms() >= deadline)
			return -ETIMEDOUT;
		usleep(2000);
	}
}

bool proc_alive(struct proc *p)
{
	return reap(p, WNOHANG) == 0;
}

int proc_stop(struct proc *p, int timeout_ms)
{
	int st;

	if (p->pid <= 0)
		return -ECHILD;
	if (!p->exited)
		proc_signal(p, SIGTERM);
	if (proc_wait(p, timeout_ms, &st) < 0) {
		proc_signal(p, SIGKILL);
		proc_wait(p, 5000, NULL);
		return -ETIMEDOUT;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -EPROTO;
}

const char *proc_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "wait status 0x%x", status);
	return buf;
}

const char *proc_describe(struct proc *p, char *buf, size_t len)
{
	if (p->pid <= 0)
		snprintf(buf, len, "not started");
	else if (proc_alive(p))
		snprintf(buf, len, "running");
	else
		proc_status_str(p->status, buf, len);
	return buf;
}

int proc_run_cli(const char *const *args, char *err, size_t errlen, int timeout_ms)
{
	struct proc p;
	int status = 0, r;
	FILE *f;

	if (errlen)
		err[0] = '\0';
	r = proc_tmpdir(&p);
	if (r < 0)
		return r;
	r = proc_spawn(&p, args, true, NULL, 0);
	if (r == 0)
		r = proc_wait(&p, timeout_ms, &status);
	if (r == 0)
		r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	f = errlen > 1 ? fopen(p.log, "r") : NULL;
	if (f) {
		size_t n = fread(err, 1, errlen - 1, f);

		err[n] = '\0';
		fclose(f);
	}
	proc_cleanup(&p);
	return r;
}

int proc_wait_path(const char *path, bool exists, int timeout_ms)
{
	long long deadline = proc_now_ms() + timeout_ms;

	for (;;) {
		struct stat st;
		bool there = lstat(path, &st) == 0;

		if (there == exists)
			return 0;
		if (proc_now_ms() >= deadline)
			return -ETIMEDOUT;
		usleep(2000);
	}
}
