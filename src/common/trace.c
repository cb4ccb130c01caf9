/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The trace writer (trace.h): two buffers, one filled on the loop, the
 * other written by a worker; pcap, vcd and json records. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/trace.h"
#include "vhost/loop.h"
#include "vhost/work.h"

#define LINKTYPE_I2C_LINUX 209
#define VCD_MAX_WIRES      4096

enum trace_format trace_active;

static struct {
	int fd;
	enum trace_format fmt;
	uint8_t *buf[2];
	size_t len[2];
	unsigned cur;              /* the buffer being filled */
	bool busy;                 /* the other one is being written */
	bool closing;              /* trace_close: no worker, writes bounded */
	bool ran;                  /* the worker wrote it (set by the worker) */
	bool failed;               /* a write failed: nothing more is written */
	bool stopped;              /* trace_record(false): records are not made */
	int write_err;             /* of the last write (worker) */
	unsigned long dropped, dropped_told;
	unsigned long records;     /* made (in the buffer or written) */
	char *path;
	struct loop *loop;
	struct loop_watch *timer;
	bool timer_armed;
	struct worker *wk;
	struct work w;
	/* vcd */
	uint64_t t0_us;
	uint64_t last_us;
	bool defs_done, scope_open;
	unsigned nwires;
	int8_t wire_val[VCD_MAX_WIRES];   /* the wire's value, stopped or not */
	int8_t wire_out[VCD_MAX_WIRES];   /* the value the file last gives it */
	/* trace_close: every wait for a reader ends by then */
	uint64_t close_until;
} T = { .fd = -1 };

static uint64_t now_us(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

enum trace_format trace_format_parse(const char *name)
{
	if (!strcmp(name, "pcap"))
		return TRACE_PCAP;
	if (!strcmp(name, "vcd"))
		return TRACE_VCD;
	if (!strcmp(name, "json"))
		return TRACE_JSON;
	return TRACE_NONE;
}

const char *trace_format_name(enum trace_format f)
{
	return f == TRACE_PCAP ? "pcap" : f == TRACE_VCD ? "vcd" : f == TRACE_JSON ? "json" : "none";
}

unsigned long trace_dropped(void)
{
	return T.dropped;
}

/* ---- writing ---- */

/* All of n bytes, or -errno (any thread). */
static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* On the loop's thread at the end: all of n bytes, waiting for room
 * until T.close_until (WORKER_EXIT_WAIT_MS after trace_close began, the
 * writer thread's last write included), so a reader of a FIFO that
 * stopped reading cannot hold the exit.  0 or -errno (-EAGAIN: no room
 * came). */
static int write_end(int fd, const uint8_t *p, size_t n)
{
	uint64_t until = T.close_until;
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (n) {
		ssize_t k = write(fd, p, n);
		uint64_t now;

		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k == 0 || (errno != EAGAIN && errno != EINTR))
			return k < 0 ? -errno : -EIO;
		now = now_us(CLOCK_MONOTONIC);
		if (now >= until)
			return -EAGAIN;
		poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1,
		     (int)((until - now + 999) / 1000));
	}
	return 0;
}

/* worker: the buffer not being filled */
static void flush_run(struct work *w)
{
	unsigned o = T.cur ^ 1;

	/* while closing this runs on the loop's thread (no worker): it must
	 * not wait on a reader for long, and write_end has made the fd
	 * nonblocking anyway */
	T.write_err = T.closing ? write_end(T.fd, T.buf[o], T.len[o]) :
				  write_all(T.fd, T.buf[o], T.len[o]);
	__atomic_store_n(&T.ran, true, __ATOMIC_RELEASE);
}

static void flush_start(void);
static void append_dropped_note(void);
static void wire_id(unsigned w, char *id);
static void vcd_resync(void);

/* loop */
static void flush_done(struct work *w)
{
	unsigned o = T.cur ^ 1;

	T.busy = false;
	T.len[o] = 0;
	if (T.write_err && !T.failed) {
		T.failed = true;
		log_err("trace: cannot write: %s; tracing stops", strerror(-T.write_err));
	}
	if (T.dropped != T.dropped_told)
		append_dropped_note();
	if (!T.len[T.cur])
		return;
	if (!T.loop || T.len[T.cur] >= TRACE_BUF_SIZE / 2)
		flush_start();
	else if (!T.timer_armed && T.timer &&
		 loop_timer_set(T.timer, TRACE_FLUSH_MS * 1000000ull, 0) == 0)
		T.timer_armed = true;
}

static void flush_start(void)
{
	if (T.busy || !T.len[T.cur] || T.failed)
		return;
	T.cur ^= 1;
	T.busy = true;
	T.ran = false;
	T.w.run = flush_run;
	T.w.done = flush_done;
	if (T.loop && !T.wk) {
		/* made here, on the loop, once serving: confined like the
		 * device's own workers */
		T.wk = worker_new(T.loop, "trace");
		if (!T.wk) {
			log_err("trace: cannot start its thread: %s; tracing stops",
				strerror(errno));
			T.failed = true;
			T.busy = false;
			return;
		}
	}
	worker_submit(T.wk, &T.w);
}

static void timer_cb(void *opaque, int fd, uint32_t events)
{
	T.timer_armed = false;
	flush_start();
}

/* Room for n bytes in the buffer being filled, or NULL (counted as a
 * dropped record). */
static uint8_t *room(size_t n)
{
	uint8_t *p;

	if (T.fd < 0 || T.failed)
		return NULL;
	if (T.len[T.cur] + n > TRACE_BUF_SIZE) {
		flush_start();
		if (T.len[T.cur] + n > TRACE_BUF_SIZE) {
			T.dropped++;
			return NULL;
		}
	}
	p = T.buf[T.cur] + T.len[T.cur];
	return p;
}

/* n bytes at the room just taken are a record */
static void commit(size_t n)
{
	T.len[T.cur] += n;
	if (!T.loop) {
		flush_start();          /* inline: written now */
		return;
	}
	if (T.len[T.cur] >= TRACE_BUF_SIZE / 2)
		flush_start();
	else if (!T.timer_armed && !T.busy && T.timer &&
		 loop_timer_set(T.timer, TRACE_FLUSH_MS * 1000000ull, 0) == 0)
		T.timer_armed = true;
}

/* false if it was dropped */
static bool put(const void *p, size_t n)
{
	uint8_t *r = room(n);

	if (!r)
		return false;
	memcpy(r, p, n);
	commit(n);
	return true;
}

/* printf into the buffer as one record (dropped if it does not fit) */
static bool putf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool putf(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return n > 0 && put(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void append_dropped_note(void)
{
	unsigned long d = T.dropped;

	T.dropped_told = d;      /* a note that finds no room counts itself */
	log_peer(LOG_WARN, "trace: %lu records dropped so far (the disk or the reader is "
		 "too slow)", d);
	if (T.fmt == TRACE_VCD && T.defs_done && !T.stopped) {
		/* no $comment among the changes: sigrok stops reading at one;
		 * the lines whose change was lost get their value again */
		vcd_resync();
	} else if (T.fmt == TRACE_JSON) {
		uint64_t t = now_us(CLOCK_REALTIME);

		putf("{\"time\": %llu.%06llu, \"dropped\": %lu}\n",
		     (unsigned long long)(t / 1000000u), (unsigned long long)(t % 1000000u), d);
	}
}

/* ---- open, start, close ---- */

int trace_open(const char *path, enum trace_format f)
{
	char *copy;
	int fd, fl;

	/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of
	 * waiting in open(); the worker's writes then may wait */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0)
		return -errno;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		fl = -errno;
		close(fd);
		return fl;
	}
	T.buf[0] = malloc(TRACE_BUF_SIZE);
	T.buf[1] = malloc(TRACE_BUF_SIZE);
	copy = strdup(path);
	if (!T.buf[0] || !T.buf[1] || !copy) {
		free(T.buf[0]);
		free(T.buf[1]);
		free(copy);
		T.buf[0] = T.buf[1] = NULL;
		close(fd);
		return -ENOMEM;
	}
	T.fd = fd;
	T.path = copy;
	T.stopped = false;
	T.records = 0;
	T.fmt = f;
	T.len[0] = T.len[1] = 0;
	T.cur = 0;
	T.busy = T.failed = T.closing = false;
	T.dropped = T.dropped_told = 0;
	T.defs_done = T.scope_open = false;
	T.nwires = 0;
	T.t0_us = now_us(CLOCK_MONOTONIC);
	T.last_us = 0;
	trace_active = f;
	if (f == TRACE_PCAP) {
		uint32_t h[6] = { 0xa1b2c3d4u, 2 | 4u << 16, 0, 0, 65535, LINKTYPE_I2C_LINUX };

		put(h, sizeof(h));
	} else if (f == TRACE_VCD) {
		putf("$version vhost-device $end\n$timescale 1 us $end\n");
	}
	return 0;
}

int trace_start(struct loop *l)
{
	if (T.fd < 0 || !l)
		return 0;
	T.timer = loop_timer(l, 0, 0, timer_cb, NULL);
	if (!T.timer)
		return -errno;
	T.loop = l;
	return 0;
}

unsigned long trace_close(void)
{
	unsigned long d;
	bool stuck = false;
	int r;

	if (T.fd < 0)
		return 0;
	T.close_until = now_us(CLOCK_MONOTONIC) + WORKER_EXIT_WAIT_MS * 1000ull;
	if (T.wk)
		stuck = !worker_free(T.wk);   /* a write under way finishes */
	T.wk = NULL;
	T.closing = true;
	if (T.timer)
		loop_del(T.loop, T.timer);
	T.timer = NULL;
	T.loop = NULL;
	T.timer_armed = false;
	if (stuck) {
		/* a write stuck in a reader: leave its buffer and the fd alone */
		log_warn("trace: the writer is stuck; the end of the trace is lost");
		trace_active = TRACE_NONE;
		T.fd = -1;
		T.fmt = TRACE_NONE;
		free(T.path);
		T.path = NULL;
		return T.dropped;
	}
	if (T.busy) {
		unsigned o = T.cur ^ 1;

		/* the worker ended: written, or dropped before it started */
		if (!__atomic_load_n(&T.ran, __ATOMIC_ACQUIRE))
			T.write_err = write_end(T.fd, T.buf[o], T.len[o]);
		T.len[o] = 0;
		T.busy = false;
		if (T.write_err)
			T.failed = true;
	}
	if (T.dropped != T.dropped_told)
		append_dropped_note();
	if (T.len[T.cur] && !T.failed &&
	    (r = write_end(T.fd, T.buf[T.cur], T.len[T.cur])) < 0)
		log_err("trace: cannot write the end of the trace: %s",
			r == -EAGAIN ? "the reader stopped reading" : strerror(-r));
	T.len[T.cur] = 0;
	d = T.dropped;
	if (d)
		log_warn("trace: %lu records were dropped (the disk or the reader was too slow)", d);
	close(T.fd);
	T.fd = -1;
	free(T.buf[0]);
	free(T.buf[1]);
	T.buf[0] = T.buf[1] = NULL;
	free(T.path);
	T.path = NULL;
	trace_active = TRACE_NONE;
	T.fmt = TRACE_NONE;
	return d;
}

/* ---- stopping and starting the recording (ctl trace.stop, trace.start) ---- */

/* vcd: the time now, written when it moved on */
static void vcd_stamp(void)
{
	uint64_t t = now_us(CLOCK_MONOTONIC) - T.t0_us;

	if (t > T.last_us) {
		putf("#%llu\n", (unsigned long long)t);
		T.last_us = t;
	}
}

static void mark(bool on)
{
	if (T.fmt == TRACE_VCD && T.defs_done) {
		/* IEEE 1364's own marks: $dumpoff makes every wire x until
		 * $dumpon gives the values they have then (sigrok reads
		 * these, where a $comment among the changes ends its read) */
		vcd_stamp();
		putf("%s\n", on ? "$dumpon" : "$dumpoff");
		for (unsigned w = 0; w < T.nwires; w++) {
			char id[8];
			int8_t v = T.wire_val[w];

			wire_id(w, id);
			v = on && (v == 0 || v == 1) ? v : 2;
			if (putf("%c%s\n", "01x"[v], id))
				T.wire_out[w] = v;
		}
		putf("$end\n");
	} else if (T.fmt == TRACE_JSON) {
		uint64_t t = now_us(CLOCK_REALTIME);

		putf("{\"time\": %llu.%06llu, \"trace\": \"%s\"}\n",
		     (unsigned long long)(t / 1000000u), (unsigned long long)(t % 1000000u),
		     on ? "started" : "stopped");
	}
}

int trace_record(bool on)
{
	if (T.fd < 0)
		return -ENOENT;
	if (T.failed)
		return -EIO;
	if (on == !T.stopped)
		return 0;
	if (on) {
		T.stopped = false;
		trace_active = T.fmt;
		mark(true);
	} else {
		mark(false);
		T.stopped = true;
		trace_active = TRACE_NONE;
	}
	return 0;
}

void trace_get_info(struct trace_info *i)
{
	*i = (struct trace_info){
		.path = T.fd >= 0 ? T.path : NULL,
		.fmt = T.fd >= 0 ? T.fmt : TRACE_NONE,
		.recording = T.fd >= 0 && !T.stopped && !T.failed,
		.failed = T.fd >= 0 && T.failed,
		.records = T.records,
		.dropped = T.dropped,
	};
}

/* ---- pcap ---- */

void trace_i2c(unsigned bus, uint16_t addr, bool read, const uint8_t *data, size_t len)
{
	uint64_t t = now_us(CLOCK_REALTIME);
	uint32_t h[4];
	uint8_t ph[6];
	uint8_t *r;
	size_t n = sizeof(h) + sizeof(ph) + len;

	if (T.fmt != TRACE_PCAP || T.stopped || !(r = room(n)))
		return;
	h[0] = (uint32_t)(t / 1000000u);
	h[1] = (uint32_t)(t % 1000000u);
	h[2] = h[3] = (uint32_t)(sizeof(ph) + len);
	ph[0] = (uint8_t)(bus & 0x7f);            /* bit 7 clear: a message, not an event */
	ph[1] = ph[2] = ph[3] = 0;
	ph[4] = read ? 1 : 0;                     /* I2C_M_RD, big-endian u32 */
	ph[5] = (uint8_t)(addr << 1 | (read ? 1 : 0));
	memcpy(r, h, sizeof(h));
	memcpy(r + sizeof(h), ph, sizeof(ph));
	if (len)
		memcpy(r + sizeof(h) + sizeof(ph), data, len);
	commit(n);
	T.records++;
}

/* ---- vcd ---- */

static void wire_id(unsigned w, char *id)
{
	/* printable ASCII 33..126, little-endian digits */
	do {
		*id++ = (char)(33 + w % 94);
		w /= 94;
	} while (w);
	*id = 0;
}

void trace_vcd_scope(const char *name)
{
	if (T.fmt != TRACE_VCD || T.defs_done)
		return;
	putf("%s$scope module %s $end\n", T.scope_open ? "$upscope $end\n" : "", name);
	T.scope_open = true;
}

int trace_vcd_wire(const char *name)
{
	char id[8];

	if (T.fmt != TRACE_VCD || T.defs_done || T.nwires >= VCD_MAX_WIRES)
		return -1;
	wire_id(T.nwires, id);
	putf("$var wire 1 %s %s $end\n", id, name);
	T.wire_val[T.nwires] = -1;
	T.wire_out[T.nwires] = 2;         /* x in $dumpvars */
	return (int)T.nwires++;
}

void trace_vcd_defs_end(void)
{
	if (T.fmt != TRACE_VCD || T.defs_done)
		return;
	putf("%s$enddefinitions $end\n#0\n$dumpvars\n",
	     T.scope_open ? "$upscope $end\n" : "");
	for (unsigned w = 0; w < T.nwires; w++) {
		char id[8];

		wire_id(w, id);
		putf("x%s\n", id);
	}
	putf("$end\n");
	T.defs_done = true;
}

void trace_vcd_change(int w, int value)
{
	int8_t v = value == 0 || value == 1 ? (int8_t)value : 2;
	uint64_t t;
	char id[8];

	if (T.fmt != TRACE_VCD || !T.defs_done || w < 0 || (unsigned)w >= T.nwires ||
	    T.wire_val[w] == v)
		return;
	if (T.stopped) {
		T.wire_val[w] = v;        /* written when recording starts again */
		return;
	}
	t = now_us(CLOCK_MONOTONIC) - T.t0_us;
	if (t < T.last_us)
		t = T.last_us;
	wire_id((unsigned)w, id);
	if (t != T.last_us || t == 0 ? putf("#%llu\n%c%s\n", (unsigned long long)t, "01x"[v], id) :
					putf("%c%s\n", "01x"[v], id)) {
		T.records++;
		T.wire_out[w] = v;
	}
	T.last_us = t;
	T.wire_val[w] = v;
}

/* After records were dropped: each line whose last change the file lost
 * gets its value now (while there is room), so the file is right again
 * from here on. */
static void vcd_resync(void)
{
	bool stamped = false;

	for (unsigned w = 0; w < T.nwires; w++) {
		int8_t v = T.wire_val[w];
		char id[8];

		if (v < 0 || v == T.wire_out[w])
			continue;
		if (!stamped) {
			vcd_stamp();
			stamped = true;
		}
		wire_id(w, id);
		if (putf("%c%s\n", "01x"[v], id))
			T.wire_out[w] = v;
	}
}

/* ---- json ---- */

void trace_json(const char *dev, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, k;
	uint64_t t;

	if (T.fmt != TRACE_JSON || T.stopped)
		return;
	t = now_us(CLOCK_REALTIME);

	n = snprintf(line, sizeof(line), "{\"time\": %llu.%06llu, \"dev\": \"%s\", ",
		     (unsigned long long)(t / 1000000u), (unsigned long long)(t % 1000000u), dev);
	va_start(ap, fmt);
	k = vsnprintf(line + n, sizeof(line) - (size_t)n - 2, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)(n + k) >= sizeof(line) - 2) {
		T.dropped++;              /* a bug: records are bounded */
		return;
	}
	n += k;
	line[n++] = '}';
	line[n++] = '\n';
	if (put(line, (size_t)n))
		T.records++;
}

const char *trace_hex(char *out, const uint8_t *data, size_t len, size_t max)
{
	static const char hx[] = "0123456789abcdef";
	size_t n = len < max ? len : max, o = 0;

	for (size_t i = 0; i < n; i++) {
		out[o++] = hx[data[i] >> 4];
		out[o++] = hx[data[i] & 15];
	}
	if (len > max) {
		out[o++] = '.';
		out[o++] = '.';
	}
	out[o] = 0;
	return out;
}
