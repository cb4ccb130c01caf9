/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/log.h"
#include "vhost/loop.h"

struct loop_watch {
	int fd;
	bool owns_fd;     /* timers and the signalfd */
	bool dead;
	loop_cb cb;
	void *opaque;
	struct loop_watch *next;       /* all watches */
	struct loop_watch *next_dead;  /* freed after the current pass */
};

struct loop {
	int epfd;
	bool quit;
	int depth;                     /* > 0 while dispatching */
	struct loop_watch *watches;
	struct loop_watch *dead;
	struct loop_defer *defer_head, *defer_tail;   /* FIFO */
	unsigned pass;
};

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

static void watch_free(struct loop_watch *w)
{
	if (w->owns_fd)
		close(w->fd);
	free(w);
}

static void reap(struct loop *l)
{
	while (l->dead) {
		struct loop_watch *w = l->dead;

		l->dead = w->next_dead;
		watch_free(w);
	}
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	reap(l);
	while (l->watches) {
		struct loop_watch *w = l->watches;

		l->watches = w->next;
		watch_free(w);
	}
	close(l->epfd);
	free(l);
}

static struct loop_watch *watch_add(struct loop *l, int fd, uint32_t events,
				    loop_cb cb, void *opaque, bool owns)
{
	struct loop_watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = events };

	if (!w)
		return NULL;
	w->fd = fd;
	w->owns_fd = owns;
	w->cb = cb;
	w->opaque = opaque;
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;

		free(w);
		errno = e;
		return NULL;
	}
	w->next = l->watches;
	l->watches = w;
	return w;
}

struct loop_watch *loop_add(struct loop *l, int fd, uint32_t events,
			    loop_cb cb, void *opaque)
{
	return watch_add(l, fd, events, cb, opaque, false);
}

int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (w->dead)
		return -EINVAL;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0 ? -errno : 0;
}

void loop_del(struct loop *l, struct loop_watch *w)
{
	struct loop_watch **pp;

	if (!w || w->dead)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	/* a live watch is on the list */
	for (pp = &l->watches; *pp != w; pp = &(*pp)->next)
		;
	*pp = w->next;
	w->dead = true;
	if (l->depth) {
		/* events for it may still be in this pass's array */
		w->next_dead = l->dead;
		l->dead = w;
	} else {
		watch_free(w);
	}
}

static void ns_to_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = ns / 1000000000ull;
	ts->tv_nsec = ns % 1000000000ull;
}

int loop_timer_set(struct loop_watch *w, uint64_t first_ns, uint64_t interval_ns)
{
	struct itimerspec its = { 0 };

	ns_to_ts(first_ns, &its.it_value);
	ns_to_ts(interval_ns, &its.it_interval);
	if (first_ns == 0 && interval_ns)
		its.it_value.tv_nsec = 1;  /* 0 would disarm: fire at once */
	return timerfd_settime(w->fd, 0, &its, NULL) < 0 ? -errno : 0;
}


uint64_t loop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct loop_watch *loop_timer(struct loop *l, uint64_t first_ns,
			      uint64_t interval_ns, loop_cb cb, void *opaque)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct loop_watch *w;

	if (fd < 0)
		return NULL;
	w = watch_add(l, fd, EPOLLIN, cb, opaque, true);
	if (!w) {
		close(fd);
		return NULL;
	}
	if ((first_ns || interval_ns) && loop_timer_set(w, first_ns, interval_ns) < 0) {
		loop_del(l, w);
		return NULL;
	}
	return w;
}

static void dispatch(struct loop_watch *w, uint32_t events)
{
	if (w->dead)
		return;
	if (w->owns_fd) {
		/* timers and signals: consume the readiness before the callback */
		uint64_t buf[16];
		ssize_t n = read(w->fd, buf, sizeof(buf));

		(void)n;   /* nonblocking, ours: at worst EAGAIN (read already) */
	}
	w->cb(w->opaque, w->fd, events);
}

static void on_signal(void *opaque, int fd, uint32_t events)
{
	loop_quit(opaque);
}

int loop_handle_signals(struct loop *l)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);	/* a closed terminal: stop cleanly, as for SIGTERM */
	sigprocmask(SIG_BLOCK, &set, NULL);   /* fails only for a bad how */
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!watch_add(l, fd, EPOLLIN, on_signal, l, true)) {
		close(fd);
		return -errno;
	}
	return 0;
}

void loop_defer(struct loop *l, struct loop_defer *w)
{
	if (w->queued)
		return;
	w->queued = true;
	w->pass = l->pass;
	w->next = NULL;
	if (l->defer_tail)
		l->defer_tail->next = w;
	else
		l->defer_head = w;
	l->defer_tail = w;
}

void loop_cancel(struct loop *l, struct loop_defer *w)
{
	struct loop_defer *prev = NULL;

	if (!w->queued)
		return;
	/* a queued one is on the list */
	for (struct loop_defer *it = l->defer_head; it != w; prev = it, it = it->next)
		;
	if (prev)
		prev->next = w->next;
	else
		l->defer_head = w->next;
	if (l->defer_tail == w)
		l->defer_tail = prev;
	w->queued = false;
	w->next = NULL;
}

/* Run what was deferred before this pass began; work deferred during the
 * pass waits for the next one, after the watches ready then (as a wake-up
 * on an fd would). */
static int run_deferred(struct loop *l)
{
	int ran = 0;
	struct loop_defer *w;

	while (!l->quit && (w = l->defer_head) && w->pass != l->pass) {
		l->defer_head = w->next;
		if (!l->defer_head)
			l->defer_tail = NULL;
		w->queued = false;
		w->next = NULL;
		w->cb(w->opaque);
		ran++;
	}
	return ran;
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[32];
	int n;

	l->pass++;
	n = epoll_wait(l->epfd, evs, 32, l->defer_head ? 0 : timeout_ms);

	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	l->depth++;
	for (int i = 0; i < n && !l->quit; i++)
		dispatch(evs[i].data.ptr, evs[i].events);
	n += run_deferred(l);
	l->depth--;
	reap(l);
	return n;
}

int loop_run(struct loop *l)
{
	l->quit = false;
	while (!l->quit) {
		int n = loop_run_once(l, -1);

		if (n < 0)
			return n;
	}
	return 0;
}

void loop_quit(struct loop *l)
{
	l->quit = true;
}
