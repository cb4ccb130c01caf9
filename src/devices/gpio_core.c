/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-gpio device logic: requestq messages and eventq interrupt
 * delivery for one guest, over a struct gpio_chip.
 *
 * Per line the guest's view is kept here: the direction it configured,
 * the output value it asked for (SET_VALUE may come before
 * SET_DIRECTION(OUT), as the Linux driver does), the interrupt type, the
 * last known input level, an edge latched while masked, and the eventq
 * element that unmasks the interrupt.  Interrupts come from the chip's
 * notify callback (simulated chips call it synchronously; host lines
 * through their event fd in the loop).  Edge types fire on the matching
 * edge, or latch it while masked; level types fire while the level holds
 * and are re-checked against the current value when unmasked, so a level
 * interrupt fires again after unmasking while the level holds. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/iov.h"
#include "common/log.h"
#include "common/trace.h"
#include "devices/gpio.h"
#include "vhost/dev.h"

struct gpio_line {
	struct gpio_dev *g;
	unsigned idx;
	uint8_t dir;           /* as configured by the guest */
	uint8_t out_value;     /* SET_VALUE, used when the line drives */
	uint8_t irq_type;
	uint8_t level;         /* last known input level */
	bool latched;          /* an edge came while masked */
	struct vq_elem *ev;    /* eventq element: interrupt unmasked */
	uint8_t ev_pending;    /* status + 1 to return once the eventq runs */
	struct loop_watch *watch;
	int wire;              /* its wire in a VCD trace (-1: none) */
};

static bool irq_is_edge(uint8_t t)
{
	return t == VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING ||
	       t == VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING ||
	       t == VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH;
}

static bool irq_is_level(uint8_t t)
{
	return t == VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH ||
	       t == VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW;
}

static bool level_active(uint8_t t, uint8_t v)
{
	return (t == VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH && v) ||
	       (t == VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW && !v);
}

/* ---- eventq elements ---- */

static void ev_return(struct gpio_line *l, uint8_t status)
{
	struct gpio_dev *g = l->g;
	struct vq_elem *e = l->ev;

	if (!e)
		return;
	if (g->ev_running && !g->ev_running(g->ev_ctx)) {
		/* the eventq is stopped: nothing is written into guest
		 * memory now; gpio_dev_events_resume() returns it */
		l->ev_pending = (uint8_t)(status + 1);
		g->ev_deferred = true;
		return;
	}
	l->ev = NULL;
	l->ev_pending = 0;
	g->held--;
	log_debug("gpio %s: line %u: eventq buffer %u returned %s", g->chip->label, l->idx,
		  e->head, status ? "VALID" : "INVALID");
	iov_from_buf(e->in, e->in_num, 0, &status, 1);
	g->ev_complete(g->ev_ctx, e, 1);
}

static void irq_trigger(struct gpio_line *l)
{
	if (l->ev)
		ev_return(l, VIRTIO_GPIO_IRQ_STATUS_VALID);
	else if (irq_is_edge(l->irq_type))
		l->latched = true;
}

/* The chip saw the line change to value (an edge). */
static void line_notify(void *ctx, unsigned line, int value)
{
	struct gpio_dev *g = ctx;
	struct gpio_line *l;
	uint8_t t;

	if (line >= g->chip->ngpio)
		return;
	l = &g->lines[line];
	l->level = value ? 1 : 0;
	trace_vcd_change(l->wire, l->level);
	t = l->irq_type;
	if (t == VIRTIO_GPIO_IRQ_TYPE_NONE)
		return;
	if (((t & VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING) && l->level) ||
	    ((t & VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING) && !l->level) ||
	    level_active(t, l->level))
		irq_trigger(l);
}

/* ---- line event fds in the loop ---- */

static void line_unwatch(struct gpio_line *l)
{
	if (l->watch) {
		loop_del(l->g->loop, l->watch);
		l->watch = NULL;
	}
}

static void on_line_event(void *opaque, int fd, uint32_t events)
{
	struct gpio_line *l = opaque;
	struct gpio_chip *c = l->g->chip;

	if (c->ops->read_events)
		c->ops->read_events(c, l->idx);
	if (events & (EPOLLERR | EPOLLHUP)) {
		log_peer(LOG_WARN, "gpio %s: line %u: event fd failed; no more interrupts from it",
			 c->label, l->idx);
		line_unwatch(l);
	}
}

static void line_watch(struct gpio_line *l)
{
	struct gpio_chip *c = l->g->chip;
	int fd;

	if (l->watch || !l->g->loop || !c->ops->event_fd)
		return;
	fd = c->ops->event_fd(c, l->idx);
	if (fd < 0)
		return;
	l->watch = loop_add(l->g->loop, fd, EPOLLIN, on_line_event, l);
	if (!l->watch)
		log_peer(LOG_ERROR, "gpio %s: line %u: cannot watch its events: %s", c->label,
			 l->idx, strerror(errno));
}

/* Apply (dir, value, edges) to the chip; the watch follows the result. */
static int line_configure(struct gpio_line *l, uint8_t dir, uint8_t value, bool edges)
{
	struct gpio_chip *c = l->g->chip;
	int r;

	line_unwatch(l);
	r = c->ops->configure(c, l->idx, dir, value, edges);
	line_watch(l);
	if (r < 0)
		log_peer(LOG_WARN, "gpio %s: line %u: cannot configure it (direction %u%s): %s",
			 c->label, l->idx, dir, edges ? ", edge events" : "", strerror(-r));
	return r;
}

static void line_read_level(struct gpio_line *l)
{
	struct gpio_chip *c = l->g->chip;
	int v = c->ops->get_value(c, l->idx);

	if (v >= 0)
		l->level = v ? 1 : 0;
}

/* Disable the interrupt: drop a latched edge, return the element. */
static void irq_off(struct gpio_line *l)
{
	l->irq_type = VIRTIO_GPIO_IRQ_TYPE_NONE;
	l->latched = false;
	ev_return(l, VIRTIO_GPIO_IRQ_STATUS_INVALID);
}

/* ---- requestq ---- */

static int set_direction(struct gpio_line *l, uint32_t dir)
{
	switch (dir) {
	case VIRTIO_GPIO_DIRECTION_NONE:
		/* the spec: discard all state of the line */
		irq_off(l);
		line_configure(l, VIRTIO_GPIO_DIRECTION_NONE, 0, false);
		if (l->dir == VIRTIO_GPIO_DIRECTION_OUT)
			gpio_ctl_output(l->g, l->idx, -1);
		l->dir = VIRTIO_GPIO_DIRECTION_NONE;
		l->out_value = 0;
		trace_vcd_change(l->wire, -1);       /* not driven: unknown */
		return 0;
	case VIRTIO_GPIO_DIRECTION_OUT:
		if (l->dir == VIRTIO_GPIO_DIRECTION_OUT)
			return 0;
		if (l->irq_type != VIRTIO_GPIO_IRQ_TYPE_NONE) {
			log_bad("gpio %s: line %u: output requested while its interrupt is enabled",
				l->g->chip->label, l->idx);
			return -EBUSY;
		}
		if (line_configure(l, VIRTIO_GPIO_DIRECTION_OUT, l->out_value, false) < 0)
			return -EIO;
		l->dir = VIRTIO_GPIO_DIRECTION_OUT;
		trace_vcd_change(l->wire, l->out_value);
		gpio_ctl_output(l->g, l->idx, l->out_value);
		return 0;
	case VIRTIO_GPIO_DIRECTION_IN:
		/* an enabled interrupt makes the line an input (set_irq_type)
		 * and keeps it one (OUT is refused above): none here */
		if (l->dir == VIRTIO_GPIO_DIRECTION_IN)
			return 0;
		if (line_configure(l, VIRTIO_GPIO_DIRECTION_IN, 0, false) < 0)
			return -EIO;
		if (l->dir == VIRTIO_GPIO_DIRECTION_OUT)
			gpio_ctl_output(l->g, l->idx, -1);
		l->dir = VIRTIO_GPIO_DIRECTION_IN;
		return 0;
	}
	log_bad("gpio %s: line %u: bad direction %u", l->g->chip->label, l->idx, dir);
	return -EINVAL;
}

static int set_value(struct gpio_line *l, uint32_t v)
{
	struct gpio_chip *c = l->g->chip;

	if (v > 1) {
		log_bad("gpio %s: line %u: bad value %u", c->label, l->idx, v);
		return -EINVAL;
	}
	/* kept for a later SET_DIRECTION(OUT) when not driving yet */
	if (l->dir == VIRTIO_GPIO_DIRECTION_OUT) {
		int r = c->ops->set_value(c, l->idx, (uint8_t)v);

		if (r < 0) {
			log_peer(LOG_WARN, "gpio %s: line %u: cannot set it: %s", c->label, l->idx,
				 strerror(-r));
			return r;
		}
		trace_vcd_change(l->wire, (int)v);
		if (v != l->out_value)
			gpio_ctl_output(l->g, l->idx, (int)v);
	}
	l->out_value = (uint8_t)v;
	return 0;
}

static int set_irq_type(struct gpio_line *l, uint32_t t)
{
	struct gpio_dev *g = l->g;

	if (!g->irq) {
		log_bad("gpio %s: SET_IRQ_TYPE without VIRTIO_GPIO_F_IRQ", g->chip->label);
		return -EINVAL;
	}
	if (t == VIRTIO_GPIO_IRQ_TYPE_NONE) {
		bool had = l->irq_type != VIRTIO_GPIO_IRQ_TYPE_NONE;

		irq_off(l);
		if (had && l->dir == VIRTIO_GPIO_DIRECTION_IN)
			line_configure(l, VIRTIO_GPIO_DIRECTION_IN, 0, false);
		return 0;
	}
	if (t > 0xff || (!irq_is_edge((uint8_t)t) && !irq_is_level((uint8_t)t))) {
		log_bad("gpio %s: line %u: bad interrupt type %u", g->chip->label, l->idx, t);
		return -EINVAL;
	}
	if (l->dir == VIRTIO_GPIO_DIRECTION_OUT) {
		log_bad("gpio %s: line %u: interrupt requested on an output", g->chip->label,
			l->idx);
		return -EINVAL;
	}
	if (l->irq_type == t)
		return 0;
	if (l->irq_type == VIRTIO_GPIO_IRQ_TYPE_NONE || l->dir != VIRTIO_GPIO_DIRECTION_IN) {
		/* an interrupt needs an input with edge detection */
		if (line_configure(l, VIRTIO_GPIO_DIRECTION_IN, 0, true) < 0)
			return -EIO;
		l->dir = VIRTIO_GPIO_DIRECTION_IN;
	}
	/* a new type starts afresh (the Linux driver may change the type of
	 * an enabled interrupt without disabling it first) */
	l->irq_type = (uint8_t)t;
	l->latched = false;
	line_read_level(l);
	if (l->ev && level_active(l->irq_type, l->level))
		ev_return(l, VIRTIO_GPIO_IRQ_STATUS_VALID);
	return 0;
}

static int get_direction(struct gpio_line *l, uint8_t *out)
{
	struct gpio_chip *c = l->g->chip;
	int d;

	if (l->dir != VIRTIO_GPIO_DIRECTION_NONE) {
		*out = l->dir;
		return 0;
	}
	d = c->ops->get_direction(c, l->idx);
	if (d < 0)
		return d;
	*out = (uint8_t)d;
	return 0;
}

static int get_value(struct gpio_line *l, uint8_t *out)
{
	struct gpio_chip *c = l->g->chip;
	int v = c->ops->get_value(c, l->idx);

	if (v < 0) {
		log_peer(LOG_WARN, "gpio %s: line %u: cannot read it: %s", c->label, l->idx, strerror(-v));
		return v;
	}
	*out = v ? 1 : 0;
	trace_vcd_change(l->wire, *out);
	return 0;
}

static const char *msg_name(unsigned type)
{
	static const char *const n[] = {
		"?", "GET_LINE_NAMES", "GET_DIRECTION", "SET_DIRECTION", "GET_VALUE",
		"SET_VALUE", "SET_IRQ_TYPE"
	};

	return type < sizeof(n) / sizeof(n[0]) ? n[type] : "?";
}

/* Write {status, value}.  A buffer too small for both gets nothing: the
 * core completes it with 0 bytes (the Linux driver rejects any length but
 * 2 anyway). */
static int respond(struct vq_elem *e, uint8_t status, uint8_t value)
{
	uint8_t rsp[2] = { status, value };

	if (e->in_len < sizeof(rsp)) {
		log_bad("gpio: response buffer of %u bytes (2 needed)", e->in_len);
		return -EINVAL;
	}
	return (int)iov_from_buf(e->in, e->in_num, 0, rsp, sizeof(rsp));
}

int gpio_dev_request(struct gpio_dev *g, struct vq_elem *e)
{
	uint8_t req[8], value = 0;
	uint16_t type, gpio;
	uint32_t v;
	int r = -EINVAL;

	/* no room for an answer: nothing is done (the guest could never learn
	 * that a line changed) */
	if (e->in_len < 2)
		return respond(e, VIRTIO_GPIO_STATUS_ERR, 0);
	if (e->out_len != sizeof(req)) {
		log_bad("gpio %s: request of %u bytes (expected %zu)", g->chip->label,
			e->out_len, sizeof(req));
		return respond(e, VIRTIO_GPIO_STATUS_ERR, 0);
	}
	/* one copy out of guest memory */
	iov_to_buf(e->out, e->out_num, 0, req, sizeof(req));
	type = (uint16_t)(req[0] | req[1] << 8);
	gpio = (uint16_t)(req[2] | req[3] << 8);
	v = (uint32_t)req[4] | (uint32_t)req[5] << 8 | (uint32_t)req[6] << 16 |
	    (uint32_t)req[7] << 24;

	if (type == VIRTIO_GPIO_MSG_GET_LINE_NAMES) {
		uint8_t st = VIRTIO_GPIO_STATUS_OK;

		if (e->in_len < 1 + g->names_size) {
			log_bad("gpio %s: GET_LINE_NAMES buffer of %u bytes, %u needed",
				g->chip->label, e->in_len, 1 + g->names_size);
			return respond(e, VIRTIO_GPIO_STATUS_ERR, 0);
		}
		iov_from_buf(e->in, e->in_num, 0, &st, 1);
		iov_from_buf(e->in, e->in_num, 1, g->names, g->names_size);
		return (int)(1 + g->names_size);
	}
	if (type < VIRTIO_GPIO_MSG_GET_DIRECTION || type > VIRTIO_GPIO_MSG_SET_IRQ_TYPE) {
		log_bad("gpio %s: unknown message type %u", g->chip->label, type);
		return respond(e, VIRTIO_GPIO_STATUS_ERR, 0);
	}
	if (gpio >= g->chip->ngpio) {
		log_bad("gpio %s: %s for line %u of %u", g->chip->label, msg_name(type), gpio,
			g->chip->ngpio);
		return respond(e, VIRTIO_GPIO_STATUS_ERR, 0);
	}
	switch (type) {
	case VIRTIO_GPIO_MSG_GET_DIRECTION:
		r = get_direction(&g->lines[gpio], &value);
		break;
	case VIRTIO_GPIO_MSG_SET_DIRECTION:
		r = set_direction(&g->lines[gpio], v);
		break;
	case VIRTIO_GPIO_MSG_GET_VALUE:
		r = get_value(&g->lines[gpio], &value);
		break;
	case VIRTIO_GPIO_MSG_SET_VALUE:
		r = set_value(&g->lines[gpio], v);
		break;
	case VIRTIO_GPIO_MSG_SET_IRQ_TYPE:
		r = set_irq_type(&g->lines[gpio], v);
		break;
	}
	log_debug("gpio %s: %s line %u value %u -> %s %u", g->chip->label, msg_name(type),
		  gpio, v, r < 0 ? "ERR" : "OK", value);
	if (r < 0)
		return respond(e, VIRTIO_GPIO_STATUS_ERR, 0);
	return respond(e, VIRTIO_GPIO_STATUS_OK, value);
}

/* ---- eventq ---- */

/* Return an element at once, INVALID, through ev_complete like every
 * eventq completion. */
static int ev_reject(struct gpio_dev *g, struct vq_elem *e)
{
	uint8_t st = VIRTIO_GPIO_IRQ_STATUS_INVALID;

	iov_from_buf(e->in, e->in_num, 0, &st, 1);
	g->ev_complete(g->ev_ctx, e, 1);
	return DEV_HELD;
}

int gpio_dev_event(struct gpio_dev *g, struct vq_elem *e)
{
	uint8_t req[2];
	struct gpio_line *l;
	uint16_t gpio;

	if (e->in_len < 1) {
		log_bad("gpio %s: eventq buffer without a writable status byte", g->chip->label);
		return -EINVAL;
	}
	if (e->out_len != sizeof(req)) {
		log_bad("gpio %s: eventq request of %u bytes (expected 2)", g->chip->label,
			e->out_len);
		return ev_reject(g, e);
	}
	iov_to_buf(e->out, e->out_num, 0, req, sizeof(req));
	gpio = (uint16_t)(req[0] | req[1] << 8);
	if (gpio >= g->chip->ngpio) {
		log_bad("gpio %s: eventq buffer for line %u of %u", g->chip->label, gpio,
			g->chip->ngpio);
		return ev_reject(g, e);
	}
	l = &g->lines[gpio];
	if (l->ev) {
		log_bad("gpio %s: a second eventq buffer for line %u", g->chip->label, gpio);
		return ev_reject(g, e);
	}
	/* Unmasked.  Kept even while the interrupt is disabled (type NONE):
	 * returning it INVALID at once would make the Linux driver, which
	 * queues it again when the interrupt is enabled, spin; the spec's
	 * SET_IRQ_TYPE(NONE) returns it. */
	l->ev = e;
	g->held++;
	log_debug("gpio %s: line %u: eventq buffer %u held (interrupt unmasked)",
		  g->chip->label, gpio, e->head);
	if (irq_is_edge(l->irq_type) && l->latched) {
		l->latched = false;
		ev_return(l, VIRTIO_GPIO_IRQ_STATUS_VALID);
	} else if (irq_is_level(l->irq_type)) {
		line_read_level(l);
		if (level_active(l->irq_type, l->level))
			ev_return(l, VIRTIO_GPIO_IRQ_STATUS_VALID);
	}
	return DEV_HELD;
}

void gpio_dev_events_stop(struct gpio_dev *g)
{
	for (unsigned i = 0; g->lines && i < g->chip->ngpio; i++) {
		g->lines[i].ev = NULL;
		g->lines[i].ev_pending = 0;
	}
	g->held = 0;
	g->ev_deferred = false;
}

void gpio_dev_events_resume(struct gpio_dev *g)
{
	if (!g->ev_deferred || (g->ev_running && !g->ev_running(g->ev_ctx)))
		return;
	g->ev_deferred = false;
	for (unsigned i = 0; g->lines && i < g->chip->ngpio; i++) {
		struct gpio_line *l = &g->lines[i];

		if (l->ev && l->ev_pending)
			ev_return(l, (uint8_t)(l->ev_pending - 1));
	}
}

void gpio_dev_reset(struct gpio_dev *g)
{
	gpio_dev_events_stop(g);
	for (unsigned i = 0; g->lines && i < g->chip->ngpio; i++) {
		struct gpio_line *l = &g->lines[i];
		bool used = l->dir != VIRTIO_GPIO_DIRECTION_NONE ||
			    l->irq_type != VIRTIO_GPIO_IRQ_TYPE_NONE;

		line_unwatch(l);
		if (used)
			g->chip->ops->configure(g->chip, i, VIRTIO_GPIO_DIRECTION_NONE, 0, false);
		if (l->dir == VIRTIO_GPIO_DIRECTION_OUT)
			gpio_ctl_output(g, i, -1);
		l->dir = VIRTIO_GPIO_DIRECTION_NONE;
		l->out_value = 0;
		l->irq_type = VIRTIO_GPIO_IRQ_TYPE_NONE;
		l->level = 0;
		l->latched = false;
	}
	g->irq = false;
}

/* ---- from outside ---- */

int gpio_dev_drive(struct gpio_dev *g, unsigned line, int value)
{
	struct gpio_chip *c = g->chip;
	int r, v;

	if (!c->ops->drive)
		return -EOPNOTSUPP;
	if (line >= c->ngpio)
		return -EINVAL;
	/* edges and levels reach the guest through notify (line_notify) */
	r = c->ops->drive(c, line, value);
	if (r < 0)
		return r;
	/* the trace shows the input even where the guest watches no edge
	 * (an output reads its own value: no change) */
	v = c->ops->get_value(c, line);
	if (v >= 0)
		trace_vcd_change(g->lines[line].wire, v ? 1 : 0);
	return 0;
}

void gpio_dev_line_view(struct gpio_dev *g, unsigned line, struct gpio_line_view *v)
{
	struct gpio_chip *c = g->chip;
	const struct gpio_line *l = &g->lines[line];
	int lv = -1;

	v->dir = l->dir;
	v->out_value = l->out_value;
	v->irq_type = l->irq_type;
	/* a simulated line costs nothing to read; a host line is read only
	 * while the guest holds it (reading another would request it) */
	if (c->ops->drive || l->dir != VIRTIO_GPIO_DIRECTION_NONE ||
	    l->irq_type != VIRTIO_GPIO_IRQ_TYPE_NONE)
		lv = c->ops->get_value(c, line);
	v->level = lv < 0 ? -1 : !!lv;
	v->drive = c->ops->driven ? c->ops->driven(c, line) : GPIO_DRIVE_NONE;
}

/* ---- set-up ---- */

void gpio_dev_config(const struct gpio_dev *g, uint8_t *buf)
{
	uint16_t n = (uint16_t)g->chip->ngpio;
	uint32_t s = g->names_size;

	buf[0] = (uint8_t)n;
	buf[1] = (uint8_t)(n >> 8);
	buf[2] = 0;
	buf[3] = 0;
	buf[4] = (uint8_t)s;
	buf[5] = (uint8_t)(s >> 8);
	buf[6] = (uint8_t)(s >> 16);
	buf[7] = (uint8_t)(s >> 24);
}

int gpio_dev_init(struct gpio_dev *g, struct gpio_chip *chip, struct loop *l)
{
	int r;

	memset(g, 0, sizeof(*g));
	if (!chip || !chip->ngpio || chip->ngpio > GPIO_MAX_LINES)
		return -EINVAL;
	g->chip = chip;
	g->loop = l;
	g->lines = calloc(chip->ngpio, sizeof(*g->lines));
	if (!g->lines)
		return -ENOMEM;
	for (unsigned i = 0; i < chip->ngpio; i++) {
		g->lines[i].g = g;
		g->lines[i].idx = i;
		g->lines[i].wire = -1;
	}
	r = gpio_names_build(chip, &g->names, &g->names_size);
	if (r < 0) {
		free(g->lines);
		g->lines = NULL;
		return r;
	}
	chip->notify = line_notify;
	chip->notify_ctx = g;
	return 0;
}

void gpio_dev_trace(struct gpio_dev *g, unsigned sock)
{
	char name[64];

	if (!trace_on(TRACE_VCD))
		return;
	snprintf(name, sizeof(name), "gpio%u", sock);
	trace_vcd_scope(name);
	for (unsigned i = 0; i < g->chip->ngpio; i++) {
		const char *n = g->chip->ops->name ? g->chip->ops->name(g->chip, i) : NULL;
		unsigned k = 0;

		/* a VCD name is one word: the line's name, or lineN */
		for (; n && n[k] && k < sizeof(name) - 1; k++)
			name[k] = isalnum((unsigned char)n[k]) || n[k] == '_' ? n[k] : '_';
		if (k)
			name[k] = 0;
		else
			snprintf(name, sizeof(name), "line%u", i);
		g->lines[i].wire = trace_vcd_wire(name);
	}
}

void gpio_dev_free(struct gpio_dev *g)
{
	if (!g->chip)
		return;
	gpio_dev_reset(g);
	g->chip->ops->free(g->chip);
	free(g->lines);
	free(g->names);
	memset(g, 0, sizeof(*g));
}
