/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The control socket's server (ctl.h): the listening socket, its clients,
 * the rate limit, the events and the --control option.  Requests are run
 * by ctl.c, the built-in commands are in ctl_cmds.c.
 *
 * Reactions to a control client, one per class (man vhost-device-ctl):
 *  - a line that is not JSON, not an object, or not a valid request
 *    (unknown member, cmd missing, an id that is not a number, string or
 *    null, args that are not an object of plain values, an unknown command
 *    or argument, a bad value): an error reply, and the client goes on;
 *  - a line longer than CTL_LINE_MAX: an error reply, then the connection
 *    is closed (there is no way to find the next request reliably);
 *  - more than CTL_MAX_CLIENTS at once: the new one gets an error line and
 *    is closed;
 *  - a client that does not read: its replies and events wait in a buffer
 *    of CTL_OUT_MAX bytes; while there is no room for a whole reply its
 *    requests are not read (so it can never make the daemon buffer more),
 *    and events that do not fit are dropped and counted (an event
 *    "dropped" tells it how many once there is room);
 *  - a client that sends faster than CTL_RATE requests per second (after a
 *    burst of CTL_BURST): its socket is not read until the rate allows,
 *    on a timer of the loop.
 * Writes never block (the accepted sockets are ours, nonblocking, and
 * SIGPIPE is ignored); nothing here runs
 * per guest request, and a guest's requests are never delayed by a
 * client beyond the bounded work of one request line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/ctl_int.h"
#include "common/log.h"
#include "common/sandbox.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "vhost/serve.h"
#include "vhost/sockets.h"
#include "version.h"

/* ---------------- the server ---------------- */

struct ctl_srv ctl_srv = { .fd = -1 };

#define NS_PER_REQ (1000000000ull / CTL_RATE)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void client_free(struct client *c)
{
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (ctl_srv.c[i] == c)
			ctl_srv.c[i] = NULL;
	if (c->watching)
		ctl_srv.watchers--;
	loop_del(ctl_srv.l, c->w);
	close(c->fd);
	free(c);
}

/* Send what is buffered, without blocking.  false if the client is gone
 * (freed). */
static bool client_flush(struct client *c)
{
	while (c->out_len) {
		ssize_t n = write(c->fd, c->out, c->out_len);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			client_free(c);
			return false;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	if (c->closing && !c->out_len) {
		client_free(c);
		return false;
	}
	return true;
}

/* Queue a line (text without its newline); false if it does not fit. */
static bool client_put(struct client *c, const char *text, size_t n)
{
	if (CTL_OUT_MAX - c->out_len < n + 1)
		return false;
	memcpy(c->out + c->out_len, text, n);
	c->out[c->out_len + n] = '\n';
	c->out_len += n + 1;
	return true;
}

/* ---------------- the connection ---------------- */

static void client_update(struct client *c)
{
	uint32_t ev = 0;

	/* read only what can be answered: the room for a whole reply, the
	 * rate allows it, and the line buffer has space (a full one with a
	 * complete line waits for room; without one it is over-long) */
	if (!c->closing && !c->eof && !c->throttled && c->in_len < CTL_LINE_MAX &&
	    CTL_OUT_MAX - c->out_len > CTL_REPLY_MAX)
		ev |= EPOLLIN;
	if (c->out_len)
		ev |= EPOLLOUT;
	if (ev != c->events) {
		c->events = ev;
		loop_mod(ctl_srv.l, c->w, ev);
	}
}

static void arm_timer(void)
{
	if (ctl_srv.timer)
		loop_timer_set(ctl_srv.timer, NS_PER_REQ, 0);
}

/* Take one request's worth of rate credit; false when out of credit. */
static bool rate_take(struct client *c)
{
	uint64_t now = now_ns();

	c->tokens_ns += now - c->last_ns;
	c->last_ns = now;
	if (c->tokens_ns > CTL_BURST * NS_PER_REQ)
		c->tokens_ns = CTL_BURST * NS_PER_REQ;
	if (c->tokens_ns < NS_PER_REQ)
		return false;
	c->tokens_ns -= NS_PER_REQ;
	return true;
}

/* Run the complete lines buffered, as far as the rate and the room for
 * replies allow.  false if the client is gone. */
static bool client_lines(struct client *c)
{
	static char reply[CTL_REPLY_MAX];
	char *nl;
	bool more;

again:
	more = false;
	while (!c->closing && (nl = memchr(c->in, '\n', c->in_len))) {
		size_t n = (size_t)(nl - c->in), skip = 0;

		while (skip < n && (c->in[skip] == ' ' || c->in[skip] == '\t' || c->in[skip] == '\r'))
			skip++;
		if (skip < n) {
			if (CTL_OUT_MAX - c->out_len <= CTL_REPLY_MAX) {
				more = true;   /* once the replies so far are sent */
				break;
			}
			if (!rate_take(c)) {
				c->throttled = true;
				arm_timer();
				break;
			}
			ctl_run_request(c, c->in, n, reply);
			client_put(c, reply, strlen(reply));
		}
		memmove(c->in, nl + 1, c->in_len - n - 1);
		c->in_len -= n + 1;
	}
	if (!c->closing && c->in_len == CTL_LINE_MAX && !memchr(c->in, '\n', c->in_len)) {
		struct json_w w;

		jw_init(&w, reply, sizeof(reply));
		ctl_reply_error(&w, NULL, 0, "LineTooLong",
			    "a request line is at most 16384 bytes; closing");
		client_put(c, reply, strlen(reply));
		ctl_srv.closed_bad++;
		/* one try: a client that sends such lines gets no more */
		c->closing = true;
		if (client_flush(c))
			client_free(c);
		return false;
	}
	if (c->eof && !c->throttled && !memchr(c->in, '\n', c->in_len))
		c->closing = true;
	if (!client_flush(c))
		return false;
	/* the socket took them: go on with the lines already read (nothing
	 * would wake us for them), as far as the rate allows */
	if (more && CTL_OUT_MAX - c->out_len > CTL_REPLY_MAX)
		goto again;
	client_update(c);
	return true;
}

static void on_client(void *opaque, int fd, uint32_t events)
{
	struct client *c = opaque;

	if (events & (EPOLLHUP | EPOLLERR)) {
		/* closed both ways: nothing can reach it any more */
		client_free(c);
		return;
	}
	if ((events & EPOLLOUT) && !client_flush(c))
		return;
	if ((events & EPOLLIN) && (c->events & EPOLLIN) && c->in_len < CTL_LINE_MAX) {
		ssize_t n = read(fd, c->in + c->in_len, CTL_LINE_MAX - c->in_len);

		if (n > 0)
			c->in_len += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			c->eof = true;  /* its requests end: answer them, then close */
	}
	client_lines(c);
}

static void on_timer(void *opaque, int fd, uint32_t events)
{
	bool again = false;

	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct client *c = ctl_srv.c[i];

		if (!c || !c->throttled)
			continue;
		c->throttled = false;
		if (client_lines(c) && c->throttled)
			again = true;
	}
	if (again)
		arm_timer();
}

static void greet(struct client *c)
{
	char buf[256];
	struct json_w w;

	jw_init(&w, buf, sizeof(buf));
	jw_obj(&w, NULL);
	jw_obj(&w, "vhost-device");
	jw_uint(&w, "protocol", CTL_PROTOCOL);
	jw_str(&w, "version", VD_VERSION);
	jw_str(&w, "device", ctl_srv.dev);
	jw_end(&w);
	jw_end(&w);
	client_put(c, buf, w.len);
}

static void on_accept(void *opaque, int fd, uint32_t events)
{
	int s = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct client *c;
	unsigned i;

	if (s < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_peer(LOG_WARN, "%s: accept: %s", ctl_srv.path, strerror(errno));
		return;
	}
	for (i = 0; i < CTL_MAX_CLIENTS && ctl_srv.c[i]; i++)
		;
	if (i == CTL_MAX_CLIENTS) {
		static const char busy[] = "{\"id\":null,\"error\":{\"class\":\"TooManyClients\","
			"\"desc\":\"at most 16 control clients at once\"}}\n";

		ctl_srv.refused++;
		(void)!write(s, busy, sizeof(busy) - 1);
		close(s);
		log_peer(LOG_WARN, "%s: a control client was refused: %u are connected",
			 ctl_srv.path, CTL_MAX_CLIENTS);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(s);
		return;
	}
	c->fd = s;
	c->last_ns = now_ns();
	c->tokens_ns = CTL_BURST * NS_PER_REQ;
	c->events = EPOLLIN;
	c->w = loop_add(ctl_srv.l, s, EPOLLIN, on_client, c);
	if (!c->w) {
		close(s);
		free(c);
		return;
	}
	ctl_srv.c[i] = c;
	greet(c);
	if (client_flush(c))
		client_update(c);
}

/* ---------------- events ---------------- */

static char ev_buf[CTL_EVENT_MAX];
static struct json_w ev_w;
static bool ev_open;

bool ctl_watched(void)
{
	return ctl_srv.watchers > 0;
}

struct json_w *ctl_event_begin(const char *name)
{
	struct timespec ts;

	if (!ctl_srv.watchers || ev_open)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ev_open = true;
	jw_init(&ev_w, ev_buf, sizeof(ev_buf));
	jw_obj(&ev_w, NULL);
	jw_str(&ev_w, "event", name);
	jw_fixed(&ev_w, "time", (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, 6);
	jw_obj(&ev_w, "data");
	return &ev_w;
}

static bool event_fits(struct client *c, size_t n)
{
	return CTL_OUT_MAX - c->out_len >= n + 1;
}

void ctl_event_end(struct json_w *w)
{
	if (w != &ev_w || !ev_open)
		return;
	ev_open = false;
	jw_end(w);
	jw_end(w);
	if (!jw_text(w))
		return;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct client *c = ctl_srv.c[i];

		if (!c || !c->watching || c->closing)
			continue;
		if (c->dropped) {
			char d[96];
			int n = snprintf(d, sizeof(d), "{\"event\":\"dropped\",\"data\":{\"count\":%llu}}",
					 (unsigned long long)c->dropped);

			if (!event_fits(c, (size_t)n + w->len)) {
				c->dropped++;
				continue;
			}
			client_put(c, d, (size_t)n);
			c->dropped = 0;
		}
		if (!event_fits(c, w->len)) {
			c->dropped++;
			continue;
		}
		client_put(c, w->buf, w->len);
		if (client_flush(c))
			client_update(c);
	}
}

/* ---------------- start and stop ---------------- */

int ctl_server_start(struct loop *l, const char *path, const char *dev,
		     struct vu_dev **d, unsigned n)
{
	struct stat st;
	int e;

	ctl_srv.l = l;
	ctl_srv.dev = dev;
	ctl_srv.d = d;
	ctl_srv.nd = n;
	ctl_srv.fd = vu_listen_path(path, 0600, &st);
	if (ctl_srv.fd < 0) {
		e = errno;
		log_err("--control '%s': %s%s", path, strerror(e),
			e == EEXIST ? " (the path exists and is not a socket)" :
			e == EADDRINUSE ? " (another process is serving this socket)" : "");
		return -e;
	}
	ctl_srv.own = true;
	ctl_srv.own_dev = st.st_dev;
	ctl_srv.own_ino = st.st_ino;
	ctl_srv.path = strdup(path);
	ctl_srv.w = loop_add(l, ctl_srv.fd, EPOLLIN, on_accept, NULL);
	ctl_srv.timer = loop_timer(l, 0, 0, on_timer, NULL);
	e = ctl_srv.path && ctl_srv.w && ctl_srv.timer ? -sandbox_add_socket(path) : ENOMEM;
	if (e > 0) {
		log_err("--control '%s': %s", path, strerror(e));
		ctl_server_stop();
		return -e;
	}
	log_info("control socket on %s", path);
	return 0;
}

void ctl_server_stop(void)
{
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		if (ctl_srv.c[i])
			client_free(ctl_srv.c[i]);
	if (ctl_srv.l) {
		loop_del(ctl_srv.l, ctl_srv.w);
		loop_del(ctl_srv.l, ctl_srv.timer);
	}
	if (ctl_srv.fd >= 0)
		close(ctl_srv.fd);
	if (ctl_srv.own && ctl_srv.path)
		vu_unlink_own(ctl_srv.path, ctl_srv.own_dev, ctl_srv.own_ino);
	free(ctl_srv.path);
	ctl_srv = (typeof(ctl_srv)){ .fd = -1 };
}

/* ---------------- --control: a shared start-up part ---------------- */

enum { CTL_OPT_CONTROL = 950 };
static const char *ctl_path;

static void ctl_part_opts(struct serve_state *st, struct opt *tab)
{
	tab[0] = (struct opt)OPT("control", 0, "PATH",
		"serve the control socket at PATH (owner only):\n"
		"commands and events, see vhost-device-ctl(1)", CTL_OPT_CONTROL);
	tab[1] = (struct opt)OPT_END;
}

static int ctl_part_opt(struct serve_state *st, int id, const char *arg)
{
	if (!*arg) {
		fprintf(stderr, "%s: --control must not be empty\n", st->prog);
		return -1;
	}
	ctl_path = arg;
	return 0;
}

/* Every socket listens: before the lock-down (registered after this). */
static int ctl_part_ready(struct serve_state *st)
{
	if (!ctl_path)
		return 0;
	return ctl_server_start(st->l, ctl_path, st->dev->ops->name, st->d,
				(unsigned)st->sk.count) ? -1 : 0;
}

static int ctl_part_stop(struct serve_state *st)
{
	ctl_server_stop();
	ctl_path = NULL;
	return 0;
}

const struct serve_part ctl_serve_part = {
	.opts = ctl_part_opts, .opt = ctl_part_opt, .ready = ctl_part_ready,
	.stop = ctl_part_stop, .cleanup = ctl_part_stop,
};
