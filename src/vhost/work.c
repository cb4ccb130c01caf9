/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Workers: a thread per worker takes items from a FIFO and runs them; the
 * finished items go back to the loop thread through an eventfd that only
 * this file writes and reads (nobody else holds it, so it cannot be made
 * to block). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "common/log.h"
#include "vhost/work.h"

struct worker {
	struct loop *loop;
	struct loop_watch *watch;
	int efd;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct work *todo, **todo_tail;   /* FIFO to run */
	struct work *fin, **fin_tail;     /* FIFO of finished items */
	bool stop;
	unsigned pending;                 /* loop thread only */
	char name[48];
};

static void push(struct work **head, struct work ***tail, struct work *w)
{
	w->next = NULL;
	**tail = w;
	*tail = &w->next;
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&wk->mu);
	for (;;) {
		struct work *w;
		uint64_t one = 1;
		ssize_t n;

		while (!wk->stop && !wk->todo)
			pthread_cond_wait(&wk->cv, &wk->mu);
		if (wk->stop)
			break;
		w = wk->todo;
		wk->todo = w->next;
		if (!wk->todo)
			wk->todo_tail = &wk->todo;
		pthread_mutex_unlock(&wk->mu);
		w->run(w);
		pthread_mutex_lock(&wk->mu);
		push(&wk->fin, &wk->fin_tail, w);
		/* our own nonblocking eventfd: at worst EAGAIN when the counter
		 * is full, and then the loop has a wake-up pending anyway */
		n = write(wk->efd, &one, sizeof(one));
		(void)n;
	}
	pthread_mutex_unlock(&wk->mu);
	return NULL;
}

static void on_done(void *opaque, int fd, uint32_t events)
{
	struct worker *wk = opaque;
	struct work *w;
	uint64_t v;
	ssize_t n = read(fd, &v, sizeof(v));   /* ours, nonblocking: at worst EAGAIN */

	(void)n;
	pthread_mutex_lock(&wk->mu);
	w = wk->fin;
	wk->fin = NULL;
	wk->fin_tail = &wk->fin;
	pthread_mutex_unlock(&wk->mu);
	while (w) {
		struct work *next = w->next;

		wk->pending--;
		w->done(w);     /* may submit again */
		w = next;
	}
}

struct worker *worker_new(struct loop *l, const char *name)
{
	struct worker *wk = calloc(1, sizeof(*wk));
	int e;

	if (!wk)
		return NULL;
	snprintf(wk->name, sizeof(wk->name), "%s", name);
	wk->loop = l;
	wk->todo_tail = &wk->todo;
	wk->fin_tail = &wk->fin;
	wk->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (wk->efd < 0)
		goto fail;
	wk->watch = loop_add(l, wk->efd, EPOLLIN, on_done, wk);
	if (!wk->watch)
		goto fail_fd;
	pthread_mutex_init(&wk->mu, NULL);
	pthread_cond_init(&wk->cv, NULL);
	e = pthread_create(&wk->th, NULL, worker_main, wk);
	if (e) {
		errno = e;
		loop_del(l, wk->watch);
		pthread_cond_destroy(&wk->cv);
		pthread_mutex_destroy(&wk->mu);
		goto fail_fd;
	}
	return wk;
fail_fd:
	e = errno;
	close(wk->efd);
	errno = e;
fail:
	e = errno;
	free(wk);
	errno = e;
	return NULL;
}

void worker_submit(struct worker *wk, struct work *w)
{
	if (!wk) {
		w->run(w);
		w->done(w);
		return;
	}
	wk->pending++;
	pthread_mutex_lock(&wk->mu);
	push(&wk->todo, &wk->todo_tail, w);
	pthread_cond_signal(&wk->cv);
	pthread_mutex_unlock(&wk->mu);
}

unsigned worker_pending(const struct worker *wk)
{
	return wk ? wk->pending : 0;
}

bool worker_free(struct worker *wk)
{
	struct timespec until;
	int e;

	if (!wk)
		return true;
	pthread_mutex_lock(&wk->mu);
	wk->stop = true;
	pthread_cond_signal(&wk->cv);
	pthread_mutex_unlock(&wk->mu);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)WORKER_EXIT_WAIT_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	e = pthread_timedjoin_np(wk->th, NULL, &until);
	loop_del(wk->loop, wk->watch);
	if (e) {
		/* stuck in the kernel: leave it (and its memory) to exit() */
		log_warn("worker %s: still busy after %u ms; leaving it behind",
			 wk->name, WORKER_EXIT_WAIT_MS);
		pthread_detach(wk->th);
		return false;
	}
	close(wk->efd);
	pthread_cond_destroy(&wk->cv);
	pthread_mutex_destroy(&wk->mu);
	free(wk);
	return true;
}
