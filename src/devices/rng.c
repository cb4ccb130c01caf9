/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-rng: virtio-rng (virtio id 4, one request queue).  Each
 * request is a device-writable buffer filled with random bytes from the
 * source: getrandom(2) by default, or the file given with -f (a character
 * device such as /dev/hwrng, a FIFO, a regular file).  The source is read
 * without blocking: when it has nothing, requests wait, in order, and the
 * loop watches the source's fd; with -m/-p each socket may take at most
 * max-bytes / sockets bytes per period, and requests over that wait for
 * a timerfd at the end of the period.  Nothing here sleeps or polls. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/opts.h"
#include "common/sandbox.h"
#include "vhost/dev.h"
#include "vhost/serve.h"
#include "vhost/loop.h"

#define RNG_QUEUE_SIZE    1024
#define RNG_MAX_PERIOD_MS 65536     /* QEMU's limit, as upstream */
#define RNG_STR_(x) #x
#define RNG_STR(x) RNG_STR_(x)

struct rng;
struct rng_sock;

/* Where the bytes come from.  read: up to n bytes into buf without
 * blocking: the count, 0 when the source has ended, -EAGAIN when it has
 * nothing now, another -errno on failure.  wait_fd: an fd that becomes
 * readable when read may give data again (-errno if none). */
struct rng_src_ops {
	ssize_t (*read)(struct rng *r, void *buf, size_t n);
	int (*wait_fd)(struct rng *r);
};

struct rng_sock {
	struct rng *r;
	struct vu_dev *d;
	void (*complete)(struct rng_sock *s, struct vq_elem *e, uint32_t len);
	/* requests waiting for bytes, oldest first (ring of RNG_QUEUE_SIZE) */
	struct vq_elem *held[RNG_QUEUE_SIZE];
	unsigned head, count;
	/* rate limit: bytes left in the period that started at period_start */
	uint64_t left, period_start;
	struct loop_watch *timer;
};

struct rng {
	const struct rng_src_ops *ops;
	const char *path;          /* -f, NULL: getrandom(2) */
	int fd;                    /* the -f file, -1 */
	int random_fd;             /* /dev/random, to wait for getrandom */
	bool ended;                /* EOF or a read error: no more bytes */
	struct loop *l;
	struct loop_watch *src_w;  /* the source's fd, while someone waits */
	/* rate limit: 0 = none */
	uint64_t max_bytes;        /* -m, for all sockets together */
	uint64_t quota;            /* per socket and period */
	uint64_t period_ns;
	uint64_t (*now)(void);
	struct rng_sock *socks;
	unsigned nsocks;
	unsigned next_sock;        /* rng_pump_all starts there */
};

/* ---- sources ---- */

static ssize_t getrandom_read(struct rng *r, void *buf, size_t n)
{
	ssize_t k = getrandom(buf, n, GRND_NONBLOCK);

	return k < 0 ? -errno : k;
}

/* getrandom only says EAGAIN before the kernel's pool is initialised;
 * /dev/random (opened at start, before the sandbox) turns readable when
 * it is. */
static int getrandom_wait_fd(struct rng *r)
{
	return r->random_fd < 0 ? -ENOENT : r->random_fd;
}

static ssize_t file_read(struct rng *r, void *buf, size_t n)
{
	ssize_t k = read(r->fd, buf, n);

	return k < 0 ? -errno : k;
}

static int file_wait_fd(struct rng *r)
{
	return r->fd;
}

static const struct rng_src_ops getrandom_ops = { getrandom_read, getrandom_wait_fd };
static const struct rng_src_ops file_ops = { file_read, file_wait_fd };

/* ---- requests ---- */

static void rng_pump(struct rng_sock *s);
static void rng_pump_all(struct rng *r);

static void rng_src_ready(void *opaque, int fd, uint32_t events)
{
	struct rng *r = opaque;

	loop_del(r->l, r->src_w);
	r->src_w = NULL;
	rng_pump_all(r);
}

/* The source has nothing now: watch its fd (once for every socket). */
static void rng_wait_source(struct rng *r)
{
	int fd;

	if (r->src_w || r->ended)
		return;
	fd = r->ops->wait_fd(r);
	if (fd >= 0)
		r->src_w = loop_add(r->l, fd, EPOLLIN, rng_src_ready, r);
	if (r->src_w)
		log_debug("rng: %s has nothing now: waiting for it",
			  r->path ? r->path : "getrandom(2)");
	if (fd < 0 || !r->src_w) {
		log_err("rng: cannot wait for %s: %s; no more random bytes",
			r->path ? r->path : "getrandom(2)", strerror(fd < 0 ? -fd : errno));
		r->ended = true;
	}
}

static void rng_timer_cb(void *opaque, int fd, uint32_t events)
{
	rng_pump(opaque);
}

static void rng_arm(struct rng_sock *s, uint64_t delay)
{
	struct rng *r = s->r;

	if (!delay)
		delay = 1;
	if (!s->timer)
		s->timer = loop_timer(r->l, delay, 0, rng_timer_cb, s);
	else if (loop_timer_set(s->timer, delay, 0) < 0) {
		loop_del(r->l, s->timer);
		s->timer = NULL;
	}
	if (!s->timer)
		log_err("rng: cannot arm the rate-limit timer: requests wait for the next one");
}

/* Fill e now as far as the rate limit and the source allow.  True when
 * e is answered, with *len bytes; false when it has to wait (the period's
 * bytes are used up: the timer is armed; the source has nothing: its fd
 * is watched; the source has ended: for good). */
static bool rng_fill(struct rng_sock *s, struct vq_elem *e, uint32_t *len)
{
	struct rng *r = s->r;
	uint64_t want = e->in_len, got = 0;
	bool fault = false;

	if (r->ended)
		return false;
	if (r->quota) {
		uint64_t now = r->now();

		if (now - s->period_start >= r->period_ns) {
			s->period_start = now;
			s->left = r->quota;
		}
		if (!s->left) {
			rng_arm(s, s->period_start + r->period_ns - now);
			return false;
		}
		if (want > s->left)
			want = s->left;
	}
	for (unsigned i = 0; i < e->in_num && got < want; i++) {
		size_t n = e->in[i].iov_len < want - got ? e->in[i].iov_len : want - got;
		ssize_t k = r->ops->read(r, e->in[i].iov_base, n);

		if (k == -EAGAIN || k == -EINTR) {
			rng_wait_source(r);
			break;
		}
		if (k == -EFAULT) {
			/* the guest's buffer is no longer memory (its frontend
			 * truncated it): this request's fault, not the
			 * source's, which every other guest still uses */
			log_bad("rng: a request's buffer is not writable memory; "
				"answered with the %lu bytes before it",
				(unsigned long)got);
			fault = true;
			break;
		}
		if (k <= 0) {
			log_err("rng: %s %s; no more random bytes",
				r->path ? r->path : "getrandom(2)",
				k ? strerror((int)-k) : "has ended");
			r->ended = true;
			break;
		}
		got += (uint64_t)k;
		if ((size_t)k < n)
			break;
	}
	if (r->quota)
		s->left -= got;
	*len = (uint32_t)got;
	return got || fault;
}

/* Answer s's oldest waiting request if it can be now. */
static bool rng_answer_one(struct rng_sock *s)
{
	struct vq_elem *e;
	uint32_t n;

	if (!s->count)
		return false;
	e = s->held[s->head];
	if (!rng_fill(s, e, &n))
		return false;
	s->head = (s->head + 1) % RNG_QUEUE_SIZE;
	s->count--;
	s->complete(s, e, n);
	return true;
}

/* Answer s's waiting requests, oldest first, while bytes come. */
static void rng_pump(struct rng_sock *s)
{
	while (rng_answer_one(s))
		;
}

/* The source has bytes again: the sockets' waiting requests one at a
 * time in turn, from a socket one further each time, so that a guest
 * asking without pause cannot take every byte of a slow source from the
 * others. */
static void rng_pump_all(struct rng *r)
{
	unsigned first = r->next_sock;
	bool more = r->nsocks > 0;

	if (more)
		r->next_sock = (first + 1) % r->nsocks;
	while (more) {
		more = false;
		for (unsigned i = 0; i < r->nsocks; i++)
			more |= rng_answer_one(&r->socks[(first + i) % r->nsocks]);
	}
}

static int rng_op_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	struct rng_sock *s = priv;
	uint32_t n;

	if (q != 0)
		return -EINVAL;
	s->d = d;   /* for the requests it holds */
	if (e->out_len || !e->in_len) {
		log_bad("rng: a request with %u driver-readable and %u writable bytes; "
			"answered empty", e->out_len, e->in_len);
		return 0;
	}
	if (!s->count && rng_fill(s, e, &n))
		return (int)n;
	if (s->count == RNG_QUEUE_SIZE) {
		/* cannot happen: no more elements than the ring size */
		log_bad("rng: more waiting requests than the queue holds");
		return 0;
	}
	s->held[(s->head + s->count) % RNG_QUEUE_SIZE] = e;
	s->count++;
	return DEV_HELD;
}

/* also all a reset needs: the core calls it for every queue first */
static void rng_op_queue_stop(void *priv, struct vu_dev *d, unsigned q)
{
	struct rng_sock *s = priv;

	s->head = 0;
	s->count = 0;
}

static const struct dev_ops rng_ops = {
	.name = "rng",
	.virtio_id = VIRTIO_ID_RNG,
	.num_queues = 1,
	.queue_size = RNG_QUEUE_SIZE,
	.chain_max = 1,            /* one writable buffer */
	.handle = rng_op_handle,
	.queue_stop = rng_op_queue_stop,
};

static void rng_complete(struct rng_sock *s, struct vq_elem *e, uint32_t len)
{
	vu_complete(s->d, 0, e, len);
}

/* ---- command line ---- */

enum { OPT_SOURCE = 1, OPT_PERIOD, OPT_MAX_BYTES, OPT_CAPS };

static const struct opt rng_opts[] = {
	OPT("rng-source", 'f', "PATH", "random number source file (e.g. /dev/hwrng)",
	    OPT_SOURCE, .dflt = "getrandom(2)"),
	OPT("period", 'p', "MS", "rate limit period in milliseconds", OPT_PERIOD,
	    .range = "1.." RNG_STR(RNG_MAX_PERIOD_MS), .dflt = RNG_STR(RNG_MAX_PERIOD_MS)),
	OPT("max-bytes", 'm', "N", "bytes per period, shared equally by the sockets",
	    OPT_MAX_BYTES, .range = "1..18446744073709551615", .dflt = "no limit"),
	OPT("print-capabilities", 0, NULL, "print the backend's capabilities as JSON "
	    "(QEMU's vhost-user.json) and exit", OPT_CAPS),
	OPT_END
};

static const struct opts_spec rng_spec = {
	.prog = "vhost-device-rng",
	.usage = "-s PATH [-c N] [-f PATH] [-m N [-p MS]]",
	.summary = "vhost-user backend for virtio-rng devices: random bytes from\n"
		   "getrandom(2) or a source file, one guest per socket.",
	.tab = rng_opts,
	.epilog = "Examples:\n"
		  "  vhost-device-rng -s /tmp/rng.sock\n"
		  "  vhost-device-rng -s /tmp/rng.sock -c 2 -f /dev/hwrng -m 5000 -p 1000\n",
};

static int rng_opt(void *ctx, int id, const char *arg)
{
	struct rng *r = ctx;
	unsigned long v;
	int e;

	switch (id) {
	case OPT_SOURCE:
		r->path = arg;
		return 0;
	case OPT_PERIOD:
		/* not a number: usage (2); out of range: 1 (upstream's
		 * InvalidPeriodInput after parsing) */
		e = opts_uint(&rng_spec, id, arg, &v);
		if (e)
			return e;
		r->period_ns = (uint64_t)v * 1000000u;
		return 0;
	case OPT_MAX_BYTES:
		e = opts_uint(&rng_spec, id, arg, &v);
		if (e)
			return e;
		r->max_bytes = v;
		return 0;
	case OPT_CAPS:
		/* the backend program conventions of vhost-user.rst: the
		 * schema's type "rng" has no features to list */
		fputs("{\n  \"type\": \"rng\"\n}\n", stdout);
		return 1;
	}
	return -1;
}

static int rng_open_source(struct rng *r)
{
	struct stat st;

	if (!r->path) {
		r->ops = &getrandom_ops;
		sandbox_allow_syscall("getrandom");   /* the only use of it */
		r->random_fd = open("/dev/random", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (r->random_fd < 0)
			log_warn("rng: /dev/random: %s (only needed before the kernel's "
				 "pool is ready)", strerror(errno));
		return 0;
	}
	r->fd = open(r->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st))
		return opts_bad(rng_spec.prog, "--rng-source", r->path, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return opts_bad(rng_spec.prog, "--rng-source", r->path, "is a directory");
	r->ops = &file_ops;
	return 0;
}

static int rng_start(void *ctx, struct loop *l, unsigned count)
{
	struct rng *r = ctx;
	unsigned long ms;

	if (!r->period_ns) {	/* no -p: the table's default, as --help shows it */
		if (opts_uint_default(&rng_spec, OPT_PERIOD, &ms))
			return -1;
		r->period_ns = (uint64_t)ms * 1000000u;
	}
	if (rng_open_source(r))
		return -1;
	if (r->max_bytes) {
		/* as upstream: the bandwidth is split equally between the guests */
		r->quota = r->max_bytes / count;
		if (!r->quota) {
			fprintf(stderr, "%s: --max-bytes %lu is less than one byte for each of "
				"%u sockets\n", rng_spec.prog, (unsigned long)r->max_bytes, count);
			return -1;
		}
	}
	r->l = l;
	log_info("source %s, %s", r->path ? r->path : "getrandom(2)",
		 r->quota ? "rate-limited" : "no rate limit");
	return 0;
}

static int rng_sock(void *ctx, const struct serve_sock *ss)
{
	struct rng *r = ctx;
	struct rng_sock *s = ss->priv;

	if (!ss->i)
		r->socks = s;   /* the sockets' state is one array */
	r->nsocks = ss->i + 1;
	s->r = r;
	s->complete = rng_complete;
	s->period_start = r->now();
	s->left = r->quota;
	return 0;
}

/* the loop, freed after, removes the timers and the source's watch */
static void rng_cleanup(void *ctx, struct loop *l)
{
	struct rng *r = ctx;

	if (r->fd >= 0)
		close(r->fd);
	if (r->random_fd >= 0)
		close(r->random_fd);
}

static const struct serve_dev rng_serve = {
	.spec = &rng_spec,
	.ops = &rng_ops,
	.numbered = true,
	.sock_size = sizeof(struct rng_sock),
	.sock_fds = 1,		/* its rate-limit timerfd */
	.opt = rng_opt,
	.start = rng_start,
	.sock = rng_sock,
	.cleanup = rng_cleanup,
};

int rng_main(int argc, char **argv)
{
	struct rng r = { .fd = -1, .random_fd = -1, .now = loop_now_ns };

	return serve_main(&rng_serve, &r, argc, argv);
}
