/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The gpio device's control commands (common/ctl.h; man vhost-device-ctl,
 * "GPIO"):
 *
 *   gpio.set     sock line value        drive a simulated input to 0 or 1
 *   gpio.release sock line              let it follow its wiring again
 *   gpio.pulse   sock line value us|ms  drive it for a while, then back
 *   gpio.get     sock line              the line as the guest sees it
 *
 * each socket's chip and lines in `list`, and the event gpio.output when
 * the guest changes what it drives on an output (gpio_core.c calls
 * gpio_ctl_output).
 *
 * The outside drive is the simulated chip's (gpio_sim.c): it overrides the
 * wired partner until released, and an edge it makes reaches the guest
 * exactly as a partner's does (gpio_dev_drive, then the chip's notify).
 * Host chips refuse it: their inputs follow the hardware.
 *
 * A pulse drives the line at once and puts the drive it had before back
 * when its time is up, on one timer of the loop shared by every pending
 * pulse: at most GPIO_PULSES_MAX at once, one per line, none longer than
 * a minute.  A set or release of a pulsing line ends the pulse (what was
 * set stays).  Control clients are rate-limited by ctl.c; nothing here
 * allocates after start-up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl.h"
#include "common/log.h"
#include "devices/gpio.h"
#include "vhost/loop.h"

#define GPIO_PULSES_MAX   64
#define GPIO_PULSE_MAX_US 60000000   /* a minute */
#define GPIO_LIST_LINES   128        /* lines shown per socket in `list` */

struct pulse {
	unsigned sock, line;
	int back;              /* the drive to restore */
	uint64_t end_ns;
};

struct gpio_ctl {
	struct loop *l;
	struct loop_watch *timer;
	unsigned count;
	struct gpio_dev **g;   /* per socket, once set up */
	struct pulse p[GPIO_PULSES_MAX];
	unsigned np;
};

/* ---- the event ---- */

void gpio_ctl_output(const struct gpio_dev *g, unsigned line, int value)
{
	struct json_w *w;

	if (!ctl_watched() || !(w = ctl_event_begin("gpio.output")))
		return;
	jw_uint(w, "sock", g->sock);
	jw_uint(w, "line", line);
	if (value < 0)
		jw_null(w, "value");
	else
		jw_uint(w, "value", (unsigned)value);
	ctl_event_end(w);
}

/* ---- pulses ---- */

static struct pulse *pulse_find(struct gpio_ctl *x, unsigned sock, unsigned line)
{
	for (unsigned i = 0; i < x->np; i++)
		if (x->p[i].sock == sock && x->p[i].line == line)
			return &x->p[i];
	return NULL;
}

static void pulse_drop(struct gpio_ctl *x, struct pulse *p)
{
	*p = x->p[--x->np];
}

/* The timer for the earliest end, or off. */
static void pulse_arm(struct gpio_ctl *x)
{
	uint64_t now = loop_now_ns(), next = UINT64_MAX;
	int r;

	for (unsigned i = 0; i < x->np; i++)
		if (x->p[i].end_ns < next)
			next = x->p[i].end_ns;
	/* 0 would disarm: an end already due fires at once */
	r = loop_timer_set(x->timer, x->np ? (next > now ? next - now : 1) : 0, 0);
	if (r < 0)
		log_err("gpio: the pulse timer: %s", strerror(-r));
}

static void on_pulse_timer(void *opaque, int fd, uint32_t events)
{
	struct gpio_ctl *x = opaque;
	uint64_t now = loop_now_ns();

	for (unsigned i = 0; i < x->np; ) {
		struct pulse p = x->p[i];

		if (p.end_ns > now) {
			i++;
			continue;
		}
		pulse_drop(x, &x->p[i]);
		gpio_dev_drive(x->g[p.sock], p.line, p.back);
	}
	pulse_arm(x);
}

/* ---- the commands ---- */

static const char *dir_name(uint8_t d)
{
	return d == VIRTIO_GPIO_DIRECTION_OUT ? "out" :
	       d == VIRTIO_GPIO_DIRECTION_IN ? "in" : "none";
}

static const char *irq_name(uint8_t t)
{
	switch (t) {
	case VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING:  return "rising";
	case VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING: return "falling";
	case VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH:    return "both";
	case VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH:   return "high";
	case VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW:    return "low";
	}
	return "none";
}

static void put_01(struct json_w *w, const char *key, int v)
{
	if (v < 0)
		jw_null(w, key);
	else
		jw_uint(w, key, (unsigned)v);
}

/* A line's state: the members of every command's reply. */
static void put_line(struct gpio_ctl *x, struct json_w *w, unsigned sock, unsigned line)
{
	struct gpio_dev *g = x->g[sock];
	struct gpio_line_view v;
	const struct pulse *p = pulse_find(x, sock, line);

	gpio_dev_line_view(g, line, &v);
	jw_uint(w, "sock", sock);
	jw_uint(w, "line", line);
	jw_str(w, "name", g->chip->ops->name(g->chip, line));
	jw_str(w, "direction", dir_name(v.dir));
	put_01(w, "output", v.dir == VIRTIO_GPIO_DIRECTION_OUT ? v.out_value : -1);
	jw_str(w, "irq", irq_name(v.irq_type));
	put_01(w, "level", v.level);
	put_01(w, "drive", v.drive);
	if (p) {
		uint64_t now = loop_now_ns();

		jw_uint(w, "pulse_left_us", p->end_ns > now ? (p->end_ns - now) / 1000 : 0);
	}
}

/* sock and line from the arguments: the device, or NULL (failed). */
static struct gpio_dev *arg_line(struct gpio_ctl *x, struct ctl_call *c, unsigned *sock,
				 unsigned *line)
{
	struct gpio_dev *g;
	int64_t v;

	if (ctl_arg_sock(c, x->count, sock) < 0)
		return NULL;
	g = x->g[*sock];
	if (!g) {
		ctl_fail(c, CTL_E_STATE, "sock %u: not set up", *sock);
		return NULL;
	}
	if (ctl_arg_int_req(c, "line", 0, (int64_t)g->chip->ngpio - 1, &v) < 0)
		return NULL;
	*line = (unsigned)v;
	return g;
}

/* The line for a command that drives it: NULL (failed) on a host chip. */
static struct gpio_dev *arg_drivable(struct gpio_ctl *x, struct ctl_call *c, unsigned *sock,
				     unsigned *line)
{
	struct gpio_dev *g = arg_line(x, c, sock, line);

	if (g && !g->chip->ops->drive) {
		ctl_fail(c, CTL_E_STATE, "sock %u: %s is a host chip, whose inputs follow "
			 "the hardware; only simulated chips (sN) are driven from outside",
			 *sock, g->chip->label);
		return NULL;
	}
	return g;
}

/* Drive (or release) the line, ending a pulse on it. */
static int drive(struct gpio_ctl *x, struct ctl_call *c, struct gpio_dev *g, unsigned sock,
		 unsigned line, int value)
{
	struct pulse *p = pulse_find(x, sock, line);
	int r;

	if (p) {
		pulse_drop(x, p);
		pulse_arm(x);
	}
	r = gpio_dev_drive(g, line, value);
	if (r < 0)
		return ctl_fail(c, CTL_E_STATE, "sock %u line %u: %s", sock, line, strerror(-r));
	put_line(x, ctl_out(c), sock, line);
	return 0;
}

static int cmd_set(void *opaque, struct ctl_call *c)
{
	struct gpio_ctl *x = opaque;
	unsigned sock, line;
	struct gpio_dev *g = arg_drivable(x, c, &sock, &line);
	int64_t v;

	if (!g || ctl_arg_int_req(c, "value", 0, 1, &v) < 0)
		return -1;
	return drive(x, c, g, sock, line, (int)v);
}

static int cmd_release(void *opaque, struct ctl_call *c)
{
	struct gpio_ctl *x = opaque;
	unsigned sock, line;
	struct gpio_dev *g = arg_drivable(x, c, &sock, &line);

	if (!g)
		return -1;
	return drive(x, c, g, sock, line, GPIO_DRIVE_NONE);
}

static int cmd_pulse(void *opaque, struct ctl_call *c)
{
	struct gpio_ctl *x = opaque;
	unsigned sock, line;
	struct gpio_dev *g = arg_drivable(x, c, &sock, &line);
	const struct pulse *busy;
	int64_t v, us = 0, ms = 0;
	int rus, rms, r;

	if (!g || ctl_arg_int_req(c, "value", 0, 1, &v) < 0)
		return -1;
	rus = ctl_arg_int(c, "us", 1, GPIO_PULSE_MAX_US, &us);
	rms = ctl_arg_int(c, "ms", 1, GPIO_PULSE_MAX_US / 1000, &ms);
	if (rus < 0 || rms < 0)
		return -1;
	if (rus == rms)
		return ctl_fail(c, CTL_E_ARG, "give the pulse's width as us or as ms "
				"(one of them)");
	if (!rus)
		ms = 0;
	else
		us = ms * 1000;
	busy = pulse_find(x, sock, line);
	if (busy) {
		uint64_t now = loop_now_ns();

		return ctl_fail(c, CTL_E_STATE, "sock %u line %u: a pulse is running "
				"(%llu us left)", sock, line, (unsigned long long)
				(busy->end_ns > now ? (busy->end_ns - now) / 1000 : 0));
	}
	if (x->np == GPIO_PULSES_MAX)
		return ctl_fail(c, CTL_E_STATE, "%u pulses are running: at most %u at once",
				x->np, GPIO_PULSES_MAX);
	x->p[x->np] = (struct pulse){
		.sock = sock, .line = line, .back = g->chip->ops->driven(g->chip, line),
		.end_ns = loop_now_ns() + (uint64_t)us * 1000,
	};
	r = gpio_dev_drive(g, line, (int)v);
	if (r < 0)
		return ctl_fail(c, CTL_E_STATE, "sock %u line %u: %s", sock, line, strerror(-r));
	x->np++;
	pulse_arm(x);
	put_line(x, ctl_out(c), sock, line);
	jw_uint(ctl_out(c), "us", (uint64_t)us);
	return 0;
}

static int cmd_get(void *opaque, struct ctl_call *c)
{
	struct gpio_ctl *x = opaque;
	unsigned sock, line;

	if (!arg_line(x, c, &sock, &line))
		return -1;
	put_line(x, ctl_out(c), sock, line);
	return 0;
}

static const struct ctl_cmd gpio_cmds[] = {
	{ "gpio.set", "sock line value",
	  "drive a simulated line's input to value 0 or 1 until released "
	  "(overrides its wired partner)", cmd_set },
	{ "gpio.release", "sock line",
	  "stop driving a simulated line's input: it follows its wiring again", cmd_release },
	{ "gpio.pulse", "sock line value us ms",
	  "drive a simulated input to value for us (or ms), then put back what it had",
	  cmd_pulse },
	{ "gpio.get", "sock line",
	  "a line: the guest's direction, output and interrupt type, its level, "
	  "the outside drive", cmd_get },
	{ 0 }
};

/* `list`: the socket's chip, and its first lines one character each. */
static void list_sock(void *opaque, unsigned sock, struct json_w *w)
{
	struct gpio_ctl *x = opaque;
	struct gpio_dev *g = sock < x->count ? x->g[sock] : NULL;
	char dir[GPIO_LIST_LINES + 1], irq[GPIO_LIST_LINES + 1];
	char level[GPIO_LIST_LINES + 1], drv[GPIO_LIST_LINES + 1];
	unsigned n;

	if (!g)
		return;
	n = g->chip->ngpio < GPIO_LIST_LINES ? g->chip->ngpio : GPIO_LIST_LINES;
	for (unsigned i = 0; i < n; i++) {
		struct gpio_line_view v;

		gpio_dev_line_view(g, i, &v);
		dir[i] = "-oi"[v.dir <= VIRTIO_GPIO_DIRECTION_IN ? v.dir : 0];
		irq[i] = v.irq_type == VIRTIO_GPIO_IRQ_TYPE_NONE ? '-' :
			 irq_name(v.irq_type)[0];
		level[i] = v.level < 0 ? '?' : (char)('0' + v.level);
		drv[i] = v.drive == GPIO_DRIVE_NONE ? '-' : (char)('0' + v.drive);
	}
	dir[n] = irq[n] = level[n] = drv[n] = 0;
	jw_obj(w, "chip");
	jw_str(w, "label", g->chip->label);
	jw_bool(w, "simulated", g->chip->ops->drive != NULL);
	jw_uint(w, "lines", g->chip->ngpio);
	if (n < g->chip->ngpio)
		jw_uint(w, "shown", n);
	jw_str(w, "direction", dir);
	jw_str(w, "irq", irq);
	jw_str(w, "level", level);
	if (g->chip->ops->drive)
		jw_str(w, "drive", drv);
	jw_end(w);
}

/* ---- set-up ---- */

struct gpio_ctl *gpio_ctl_new(struct loop *l, unsigned count)
{
	struct gpio_ctl *x = calloc(1, sizeof(*x));
	int r;

	if (!x || !(x->g = calloc(count ? count : 1, sizeof(*x->g)))) {
		log_err("out of memory");
		free(x);
		return NULL;
	}
	x->l = l;
	x->count = count;
	x->timer = loop_timer(l, 0, 0, on_pulse_timer, x);
	if (!x->timer) {
		log_err("gpio: cannot make the pulse timer: %s", strerror(errno));
		gpio_ctl_free(x);
		return NULL;
	}
	r = ctl_register(gpio_cmds, x);
	if (r == 0)
		r = ctl_register_list(list_sock, x);
	if (r < 0) {
		log_err("gpio: cannot register the control commands: %s", strerror(-r));
		gpio_ctl_free(x);
		return NULL;
	}
	return x;
}

void gpio_ctl_add(struct gpio_ctl *x, unsigned sock, struct gpio_dev *g)
{
	if (sock < x->count) {
		g->sock = sock;
		x->g[sock] = g;
	}
}

void gpio_ctl_free(struct gpio_ctl *x)
{
	if (!x)
		return;
	loop_del(x->l, x->timer);
	free(x->g);
	free(x);
}
