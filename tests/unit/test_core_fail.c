/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The core when the kernel refuses: epoll, timerfd, signalfd, eventfd,
 * thread creation, socket, listen, accept and receive failing.  Each
 * refusal must come back as an error (or a logged, bounded reaction on
 * the loop), leave no fd or socket file behind, and leave the rest
 * working.  Stand-ins for those calls are defined here: they replace the
 * C library's for this program and pass through unless one is armed to
 * fail (fail_call). */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <cmocka.h>

#include "common/log.h"
#include "devfx.h"
#include "vhost/dev.h"
#include "vhost/efd.h"
#include "vhost/loop.h"
#include "vhost/work.h"

/* ---- stand-ins ---- */

static struct {
	const char *name;   /* the call to fail, NULL: none */
	unsigned skip;      /* calls let through first */
	int err;
} armed;
static unsigned failed;   /* armed calls that did fail */

/* The call after skip more calls of name fails once with err. */
static void fail_call(const char *name, unsigned skip, int err)
{
	armed.name = name;
	armed.skip = skip;
	armed.err = err;
}

static bool failing(const char *name)
{
	if (!armed.name || strcmp(armed.name, name))
		return false;
	if (armed.skip) {
		armed.skip--;
		return false;
	}
	armed.name = NULL;
	failed++;
	errno = armed.err;
	return true;
}

static void *real(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p)
		abort();
	return p;
}

#define PASS(ret, name, ...)                                            \
	do {                                                            \
		static ret (*r_)();                                     \
		if (failing(#name))                                     \
			return -1;                                      \
		if (!r_)                                                \
			r_ = (ret (*)())real(#name);                    \
		return r_(__VA_ARGS__);                                 \
	} while (0)

int epoll_create1(int flags) { PASS(int, epoll_create1, flags); }
int epoll_ctl(int ep, int op, int fd, struct epoll_event *ev) { PASS(int, epoll_ctl, ep, op, fd, ev); }
int epoll_wait(int ep, struct epoll_event *ev, int n, int ms) { PASS(int, epoll_wait, ep, ev, n, ms); }
int timerfd_create(int clk, int flags) { PASS(int, timerfd_create, clk, flags); }
int timerfd_settime(int fd, int flags, const struct itimerspec *n, struct itimerspec *o)
{
	PASS(int, timerfd_settime, fd, flags, n, o);
}
int signalfd(int fd, const sigset_t *mask, int flags) { PASS(int, signalfd, fd, mask, flags); }
int eventfd(unsigned int v, int flags) { PASS(int, eventfd, v, flags); }
int socket(int dom, int type, int proto) { PASS(int, socket, dom, type, proto); }
int renameat2(int ofd, const char *o, int nfd, const char *n, unsigned flags)
{
	PASS(int, renameat2, ofd, o, nfd, n, flags);
}
/* listen() can also note whether listen_watch exists at that moment, or
 * put a socket file there (someone else's, made in the meantime) */
static const char *listen_watch;
static int listen_saw_path = -1;
static bool listen_plant;
static int plant_socket(const char *at);

int listen(int fd, int backlog)
{
	if (listen_watch)
		listen_saw_path = access(listen_watch, F_OK) == 0;
	if (listen_watch && listen_plant)
		assert_int_equal(plant_socket(listen_watch), 0);
	PASS(int, listen, fd, backlog);
}
int accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	PASS(int, accept4, fd, sa, len, flags);
}
ssize_t recvmsg(int fd, struct msghdr *mh, int flags) { PASS(ssize_t, recvmsg, fd, mh, flags); }

int pthread_create(pthread_t *th, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
	static int (*r)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

	if (failing("pthread_create"))
		return armed.err;   /* pthreads return the error */
	if (!r)
		r = real("pthread_create");
	return r(th, a, fn, arg);
}

/* ---- helpers ---- */

static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static unsigned ticks;

static void on_tick(void *opaque, int fd, uint32_t events)
{
	ticks++;
	loop_quit(opaque);
}

/* the loop still runs: a one-shot timer fires */
static void assert_loop_works(struct loop *l)
{
	struct loop_watch *t = loop_timer(l, 1, 0, on_tick, l);
	unsigned before = ticks;

	assert_non_null(t);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(ticks, before + 1);
	loop_del(l, t);
}

static void nop(void *opaque, int fd, uint32_t events)
{
}

/* ---- the loop ---- */

static void test_core_fail_loop_new(void **state)
{
	unsigned fds = open_fds();

	fail_call("epoll_create1", 0, EMFILE);
	assert_null(loop_new());
	assert_int_equal(failed, 1);
	assert_int_equal(open_fds(), fds);
}

static void test_core_fail_loop_add_and_timers(void **state)
{
	struct loop_watch *w;
	struct loop *l = loop_new();
	int e = eventfd(0, EFD_CLOEXEC);
	unsigned fds = open_fds();

	assert_non_null(l);
	failed = 0;
	fail_call("epoll_ctl", 0, ENOMEM);
	errno = 0;
	assert_null(loop_add(l, e, EPOLLIN, nop, NULL));
	assert_int_equal(errno, ENOMEM);
	fail_call("timerfd_create", 0, EMFILE);
	assert_null(loop_timer(l, 1000, 0, nop, NULL));
	/* the timerfd made and then not watched, or not armed, is closed */
	fail_call("epoll_ctl", 0, ENOMEM);
	assert_null(loop_timer(l, 1000, 0, nop, NULL));
	fail_call("timerfd_settime", 0, EINVAL);
	assert_null(loop_timer(l, 1000, 0, nop, NULL));
	assert_int_equal(failed, 4);
	assert_int_equal(open_fds(), fds);
	/* changing a watch's events: the kernel's error comes back */
	w = loop_add(l, e, EPOLLIN, nop, NULL);
	assert_non_null(w);
	fail_call("epoll_ctl", 0, ENOMEM);
	assert_int_equal(loop_mod(l, w, EPOLLIN | EPOLLOUT), -ENOMEM);
	assert_int_equal(loop_mod(l, w, EPOLLIN), 0);
	loop_del(l, w);
	assert_loop_works(l);
	close(e);
	loop_free(l);
}

static void test_core_fail_signal_handling(void **state)
{
	struct loop *l = loop_new();
	unsigned fds = open_fds();

	assert_non_null(l);
	failed = 0;
	fail_call("signalfd", 0, EMFILE);
	assert_int_equal(loop_handle_signals(l), -EMFILE);
	fail_call("epoll_ctl", 0, ENOMEM);
	assert_int_equal(loop_handle_signals(l), -ENOMEM);
	assert_int_equal(failed, 2);
	assert_int_equal(open_fds(), fds);
	loop_free(l);
}

static unsigned deferred_runs;

static void on_deferred(void *opaque)
{
	deferred_runs++;
}

/* epoll_wait interrupted by a signal: the pass goes on (what was
 * deferred runs); any other error ends loop_run and vu_run with it. */
static void test_core_fail_epoll_wait(void **state)
{
	struct loop *l = loop_new();
	struct loop_defer d = { .cb = on_deferred };

	assert_non_null(l);
	loop_defer(l, &d);
	fail_call("epoll_wait", 0, EINTR);
	assert_int_equal(loop_run_once(l, 0), 1);
	assert_int_equal(deferred_runs, 1);
	fail_call("epoll_wait", 0, EBADF);
	assert_int_equal(loop_run(l), -EBADF);
	fail_call("epoll_wait", 0, EBADF);
	devfx_log_capture();
	assert_int_equal(vu_run(l), 1);
	assert_true(devfx_log_has("error: event loop failed: Bad file descriptor"));
	loop_free(l);
}

/* ---- workers ---- */

static void w_run(struct work *w)
{
}

static bool w_finished;

static void w_done(struct work *w)
{
	w_finished = true;
}

static void test_core_fail_worker_new(void **state)
{
	struct loop *l = loop_new();
	struct work w = { w_run, w_done, NULL };
	struct worker *wk;
	unsigned fds = open_fds();

	assert_non_null(l);
	failed = 0;
	fail_call("eventfd", 0, EMFILE);
	errno = 0;
	assert_null(worker_new(l, "t"));
	assert_int_equal(errno, EMFILE);
	fail_call("epoll_ctl", 0, ENOMEM);
	assert_null(worker_new(l, "t"));
	assert_int_equal(errno, ENOMEM);
	fail_call("pthread_create", 0, EAGAIN);
	assert_null(worker_new(l, "t"));
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(failed, 3);
	assert_int_equal(open_fds(), fds);
	/* and then one works */
	wk = worker_new(l, "t");
	assert_non_null(wk);
	worker_submit(wk, &w);
	while (!w_finished)
		assert_true(loop_run_once(l, -1) >= 0);
	assert_true(worker_free(wk));
	loop_free(l);
}

/* ---- the device: listening ---- */

static char dir[64], path[96];

static int dir_setup(void **state)
{
	strcpy(dir, "/tmp/vd-test-fail.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	log_set_level(LOG_ERROR);
	return 0;
}

/* A socket file bound at at by a socket closed at once (another
 * process's, for the test): 0 or -1. */
static int plant_socket(const char *at)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r;
}

/* Entries in dir other than . and .. */
static unsigned dir_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int dir_teardown(void **state)
{
	unlink(path);
	return rmdir(dir);
}

/* Every way vu_dev_new can fail: NULL, the error logged naming the path
 * where it is about listening, no fd and no socket file left. */
static void test_core_fail_dev_new(void **state)
{
	static const struct {
		const char *call;
		unsigned skip;
		int err;
	} cases[] = {
		{ "socket", 0, EMFILE },     /* the listening socket */
		{ "listen", 0, EADDRINUSE }, /* after bind: the file is there */
		{ "eventfd", 0, EMFILE },    /* the memory-fault eventfd */
		{ "epoll_ctl", 0, ENOMEM },  /* watching it */
		{ "epoll_ctl", 1, ENOMEM },  /* watching the listening socket */
	};
	struct loop *l = loop_new();
	unsigned fds;
	struct vu_dev *d;
	bool named;

	efd_init();   /* its pipe is the process's, opened once */
	fds = open_fds();

	assert_non_null(l);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		failed = 0;
		fail_call(cases[i].call, cases[i].skip, cases[i].err);
		devfx_log_capture();
		d = vu_dev_new(l, path, &devfx_ops, NULL);
		named = devfx_log_has(path);
		if (i < 2 && !named)
			fail_msg("case %u (%s): the error does not name the path", i, cases[i].call);
		if (d || failed != 1)
			fail_msg("case %u (%s): device %p, %u failed calls", i, cases[i].call,
				 (void *)d, failed);
		if (access(path, F_OK) == 0 || dir_entries())
			fail_msg("case %u (%s): the socket file (or its temporary name) was left "
				 "behind", i, cases[i].call);
		if (open_fds() != fds)
			fail_msg("case %u (%s): %u fds open, %u before", i, cases[i].call,
				 open_fds(), fds);
	}
	/* nothing was left in the way */
	d = vu_dev_new(l, path, &devfx_ops, NULL);
	assert_non_null(d);
	vu_dev_free(d);
	loop_free(l);
}


/* The socket file appears only once its socket listens (bound under a
 * temporary name, then renamed): a frontend that connects as soon as it
 * sees the file is never refused.  A socket someone else made at the
 * path in the meantime is not replaced, and nothing of ours is left. */
static void test_core_fail_socket_appears_listening(void **state)
{
	struct loop *l = loop_new();
	struct stat before;
	struct vu_dev *d;

	assert_non_null(l);
	listen_watch = path;
	listen_saw_path = -1;
	d = vu_dev_new(l, path, &devfx_ops, NULL);
	assert_non_null(d);
	assert_int_equal(listen_saw_path, 0);    /* not there while not listening */
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(dir_entries(), 1);      /* no temporary name left */
	vu_dev_free(d);
	assert_int_equal(dir_entries(), 0);

	listen_plant = true;                     /* someone else's, meanwhile */
	devfx_log_capture();
	d = vu_dev_new(l, path, &devfx_ops, NULL);
	listen_plant = false;
	listen_watch = NULL;
	assert_null(d);
	assert_true(devfx_log_has(path));
	assert_int_equal(lstat(path, &before), 0);   /* theirs, left alone */
	assert_int_equal(dir_entries(), 1);
	unlink(path);
	loop_free(l);
}


/* Where the temporary name would not fit in sun_path the socket is bound
 * at its path directly; where the file system has no RENAME_NOREPLACE
 * (EINVAL) the name moves by link and unlink.  Either way the socket
 * listens at its path and nothing else is left. */
static void test_core_fail_socket_name_fallbacks(void **state)
{
	struct loop *l = loop_new();
	char deep[128], at[160];
	struct vu_dev *d;
	size_t n;

	assert_non_null(l);
	/* a directory name that leaves room for "/s" but not "/.vd-PID-N" */
	n = (size_t)snprintf(deep, sizeof(deep), "%s/", dir);
	while (n < 104)
		deep[n++] = 'd';
	deep[n] = '\0';
	assert_int_equal(mkdir(deep, 0700), 0);
	snprintf(at, sizeof(at), "%s/s", deep);
	listen_watch = at;
	listen_saw_path = -1;
	d = vu_dev_new(l, at, &devfx_ops, NULL);
	listen_watch = NULL;
	assert_non_null(d);
	assert_int_equal(listen_saw_path, 1);    /* bound at the path itself */
	assert_int_equal(access(at, F_OK), 0);
	vu_dev_free(d);
	assert_int_not_equal(access(at, F_OK), 0);
	assert_int_equal(rmdir(deep), 0);

	failed = 0;
	fail_call("renameat2", 0, EINVAL);       /* no RENAME_NOREPLACE here */
	d = vu_dev_new(l, path, &devfx_ops, NULL);
	assert_int_equal(failed, 1);
	assert_non_null(d);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(dir_entries(), 1);      /* the temporary name is gone */
	vu_dev_free(d);
	assert_int_equal(dir_entries(), 0);
	loop_free(l);
}

/* ---- the device: connections ---- */

/* accept() failing for a reason other than fds: logged, and the pending
 * frontend is taken on the next pass. */
static void test_core_fail_accept(void **state)
{
	struct fx f = { 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	f.l = loop_new();
	assert_non_null(f.l);
	strcpy(f.path, path);
	f.d = vu_dev_new(f.l, path, &devfx_ops, &f);
	assert_non_null(f.d);
	f.c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(f.c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	fail_call("accept4", 0, ECONNABORTED);
	devfx_log_capture();
	loop_run_once(f.l, 1000);
	assert_true(devfx_log_has("accept: Software caused connection abort"));
	assert_false(vu_dev_connected(f.d));
	devfx_pump(&f);
	assert_true(vu_dev_connected(f.d));
	assert_int_equal(devfx_get_u64(&f, VHOST_USER_GET_QUEUE_NUM), 2);
	close(f.c);
	vu_dev_free(f.d);
	loop_free(f.l);
}

/* Out of fds system-wide (ENFILE) is out of fds (EMFILE): the pending
 * frontend is taken and closed at once (it sees end of file), so the
 * listening socket does not wake every pass; the next one is served. */
static void test_core_fail_accept_enfile_refuses(void **state)
{
	struct fx f = { 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char b;

	f.l = loop_new();
	assert_non_null(f.l);
	strcpy(f.path, path);
	f.d = vu_dev_new(f.l, path, &devfx_ops, &f);
	assert_non_null(f.d);
	f.c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(f.c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	failed = 0;
	fail_call("accept4", 0, ENFILE);
	devfx_log_capture();
	assert_int_equal(loop_run_once(f.l, 1000), 1);
	assert_true(devfx_log_has("accept: Too many open files in system; the frontend was refused"));
	assert_int_equal(failed, 1);
	assert_false(vu_dev_connected(f.d));
	assert_int_equal(read(f.c, &b, 1), 0);
	close(f.c);
	f.c = devfx_client(&f);
	assert_int_equal(devfx_get_u64(&f, VHOST_USER_GET_QUEUE_NUM), 2);
	close(f.c);
	vu_dev_free(f.d);
	loop_free(f.l);
}

/* A wake-up with nothing to accept (EAGAIN: another process took it) or
 * an interrupted accept is no error: nothing logged, the frontend that
 * is there is taken on the next pass. */
static void test_core_fail_accept_spurious(void **state)
{
	static const int errs[] = { EAGAIN, EINTR };

	for (unsigned i = 0; i < 2; i++) {
		struct fx f = { 0 };
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		f.l = loop_new();
		assert_non_null(f.l);
		strcpy(f.path, path);
		f.d = vu_dev_new(f.l, path, &devfx_ops, &f);
		assert_non_null(f.d);
		f.c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		strcpy(sa.sun_path, path);
		assert_int_equal(connect(f.c, (struct sockaddr *)&sa, sizeof(sa)), 0);
		failed = 0;
		fail_call("accept4", 0, errs[i]);
		log_set_level(LOG_DEBUG);
		devfx_log_capture();
		assert_int_equal(loop_run_once(f.l, 1000), 1);
		if (devfx_log_has("accept"))
			fail_msg("errno %d: logged", errs[i]);
		log_set_level(LOG_ERROR);
		assert_int_equal(failed, 1);
		assert_false(vu_dev_connected(f.d));
		devfx_pump(&f);
		assert_true(vu_dev_connected(f.d));
		assert_int_equal(devfx_get_u64(&f, VHOST_USER_GET_QUEUE_NUM), 2);
		close(f.c);
		vu_dev_free(f.d);
		loop_free(f.l);
	}
}

/* No timer for a set-up check (the no-memory hint after SET_FEATURES):
 * only the hint is lost, said at debug level; the connection goes on and
 * a later SET_FEATURES makes the timer. */
static void test_core_fail_hint_timer(void **state)
{
	struct fx f = { 0 };
	uint64_t v = BIT64(VIRTIO_F_VERSION_1);
	unsigned fds;

	f.l = loop_new();
	assert_non_null(f.l);
	strcpy(f.path, path);
	f.d = vu_dev_new(f.l, path, &devfx_ops, &f);
	assert_non_null(f.d);
	f.c = devfx_client(&f);
	fds = open_fds();
	failed = 0;
	fail_call("timerfd_create", 0, EMFILE);
	log_set_level(LOG_DEBUG);
	devfx_log_capture();
	devfx_send(&f, VHOST_USER_SET_FEATURES, 0, &v, 8, NULL, 0);
	assert_true(devfx_log_has("no timer for a set-up check: Too many open files"));
	log_set_level(LOG_ERROR);
	assert_int_equal(failed, 1);
	assert_true(vu_dev_connected(f.d));
	assert_int_equal(open_fds(), fds);
	assert_int_equal(devfx_get_u64(&f, VHOST_USER_GET_FEATURES) & BIT64(VIRTIO_F_VERSION_1),
			 BIT64(VIRTIO_F_VERSION_1));
	devfx_send(&f, VHOST_USER_SET_FEATURES, 0, &v, 8, NULL, 0);
	assert_int_equal(open_fds(), fds + 1);   /* the timer, this time */
	close(f.c);
	vu_dev_free(f.d);
	loop_free(f.l);
}

/* The new connection cannot be watched: it is closed (the frontend sees
 * end of file) and the next one is served. */
static void test_core_fail_watch_connection(void **state)
{
	struct fx f = { 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char b;

	f.l = loop_new();
	assert_non_null(f.l);
	strcpy(f.path, path);
	f.d = vu_dev_new(f.l, path, &devfx_ops, &f);
	assert_non_null(f.d);
	f.c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(f.c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	fail_call("epoll_ctl", 0, ENOMEM);
	devfx_log_capture();
	devfx_pump(&f);
	assert_true(devfx_log_has("cannot watch the connection: Cannot allocate memory"));
	assert_false(vu_dev_connected(f.d));
	assert_int_equal(read(f.c, &b, 1), 0);
	close(f.c);
	f.c = devfx_client(&f);
	assert_int_equal(devfx_get_u64(&f, VHOST_USER_GET_QUEUE_NUM), 2);
	close(f.c);
	vu_dev_free(f.d);
	loop_free(f.l);
}

/* A receive error other than EAGAIN ends the connection (logged at info
 * level); the next connection is served. */
static void test_core_fail_receive(void **state)
{
	struct fx f = { 0 };
	uint64_t mq = 0;

	f.l = loop_new();
	assert_non_null(f.l);
	strcpy(f.path, path);
	f.d = vu_dev_new(f.l, path, &devfx_ops, &f);
	assert_non_null(f.d);
	f.c = devfx_client(&f);
	fail_call("recvmsg", 0, EIO);
	log_set_level(LOG_INFO);
	devfx_log_capture();
	devfx_send(&f, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &mq, 8, NULL, 0);
	assert_true(devfx_log_has("receive: Input/output error"));
	log_set_level(LOG_ERROR);
	assert_true(devfx_dropped(&f));
	assert_false(vu_dev_connected(f.d));
	devfx_reconnect(&f);
	assert_int_equal(devfx_get_u64(&f, VHOST_USER_GET_QUEUE_NUM), 2);
	close(f.c);
	vu_dev_free(f.d);
	loop_free(f.l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_fail_loop_new),
		cmocka_unit_test(test_core_fail_loop_add_and_timers),
		cmocka_unit_test(test_core_fail_signal_handling),
		cmocka_unit_test(test_core_fail_epoll_wait),
		cmocka_unit_test(test_core_fail_worker_new),
		cmocka_unit_test(test_core_fail_dev_new),
		cmocka_unit_test(test_core_fail_socket_appears_listening),
		cmocka_unit_test(test_core_fail_socket_name_fallbacks),
		cmocka_unit_test(test_core_fail_accept),
		cmocka_unit_test(test_core_fail_accept_enfile_refuses),
		cmocka_unit_test(test_core_fail_accept_spurious),
		cmocka_unit_test(test_core_fail_hint_timer),
		cmocka_unit_test(test_core_fail_watch_connection),
		cmocka_unit_test(test_core_fail_receive),
	};

	return cmocka_run_group_tests(tests, dir_setup, dir_teardown);
}
