/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Simulated GPIO chip ("-l sN"): N lines named dummy0, dummy1, ...
 *
 * An output line reads back the value it drives.  Lines are wired in
 * pairs (0,1), (2,3), ...: an input line reads its partner's value when
 * the partner is an output, and 0 otherwise (also the last line of an odd
 * count, which has no partner).  So a guest raises an interrupt on line
 * 2k+1 by toggling line 2k as an output, and the other way round.
 * Unconfigured lines are inputs, as on most hardware.
 *
 * From outside (`ctl gpio.set`, ops->drive), a line's input can be driven
 * to 0 or 1: the drive overrides the wiring (the partner's output) until
 * it is released, and matters while the guest does not drive the line as
 * an output itself (an output reads back its own value; the drive is kept
 * for when it is an input again).  It drives only that line, not its
 * partner, and outlives guest resets and reconnections.  A change of level
 * is notified exactly as a partner's change is. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/gpio.h"

struct sim_line {
	uint8_t dir;     /* VIRTIO_GPIO_DIRECTION_* */
	uint8_t value;   /* driven value when an output */
	bool edges;
	int8_t ext;      /* outside drive: 0, 1 or GPIO_DRIVE_NONE */
	char name[12];   /* "dummy65534" */
};

struct sim_chip {
	struct gpio_chip c;
	struct sim_line *l;
};

static struct sim_chip *sim(struct gpio_chip *c)
{
	return (struct sim_chip *)c;
}

static uint8_t sim_level(struct sim_chip *s, unsigned line)
{
	unsigned p = line ^ 1u;

	if (s->l[line].dir == VIRTIO_GPIO_DIRECTION_OUT)
		return s->l[line].value;
	if (s->l[line].ext != GPIO_DRIVE_NONE)
		return (uint8_t)s->l[line].ext;
	if (p < s->c.ngpio && s->l[p].dir == VIRTIO_GPIO_DIRECTION_OUT)
		return s->l[p].value;
	return 0;
}

/* Input line may have changed level from before: report the edge to the
 * device if it watches one.  The one way a change reaches the guest. */
static void sim_changed(struct sim_chip *s, unsigned line, uint8_t before)
{
	uint8_t now;

	if (line >= s->c.ngpio || s->l[line].dir == VIRTIO_GPIO_DIRECTION_OUT ||
	    !s->l[line].edges)
		return;
	now = sim_level(s, line);
	if (now != before && s->c.notify)
		s->c.notify(s->c.notify_ctx, line, now);
}

/* The partner of line may have changed level. */
static void sim_partner_changed(struct sim_chip *s, unsigned line, uint8_t before)
{
	sim_changed(s, line ^ 1u, before);
}

static uint8_t partner_level(struct sim_chip *s, unsigned line)
{
	unsigned p = line ^ 1u;

	return p < s->c.ngpio ? sim_level(s, p) : 0;
}

static const char *sim_name(struct gpio_chip *c, unsigned line)
{
	return sim(c)->l[line].name;
}

static int sim_get_direction(struct gpio_chip *c, unsigned line)
{
	uint8_t d = sim(c)->l[line].dir;

	return d == VIRTIO_GPIO_DIRECTION_NONE ? VIRTIO_GPIO_DIRECTION_IN : d;
}

static int sim_configure(struct gpio_chip *c, unsigned line, uint8_t dir,
			 uint8_t value, bool edges)
{
	struct sim_chip *s = sim(c);
	struct sim_line *l = &s->l[line];
	uint8_t before = partner_level(s, line);

	if (dir > VIRTIO_GPIO_DIRECTION_IN || value > 1)
		return -EINVAL;
	l->dir = dir;
	l->value = dir == VIRTIO_GPIO_DIRECTION_OUT ? value : 0;
	l->edges = dir == VIRTIO_GPIO_DIRECTION_IN && edges;
	sim_partner_changed(s, line, before);
	return 0;
}

static int sim_get_value(struct gpio_chip *c, unsigned line)
{
	return sim_level(sim(c), line);
}

static int sim_set_value(struct gpio_chip *c, unsigned line, uint8_t value)
{
	struct sim_chip *s = sim(c);
	uint8_t before = partner_level(s, line);

	if (s->l[line].dir != VIRTIO_GPIO_DIRECTION_OUT || value > 1)
		return -EINVAL;
	s->l[line].value = value;
	sim_partner_changed(s, line, before);
	return 0;
}

static int sim_drive(struct gpio_chip *c, unsigned line, int value)
{
	struct sim_chip *s = sim(c);
	uint8_t before = sim_level(s, line);

	if (value != GPIO_DRIVE_NONE && value != 0 && value != 1)
		return -EINVAL;
	s->l[line].ext = (int8_t)value;
	sim_changed(s, line, before);
	return 0;
}

static int sim_driven(struct gpio_chip *c, unsigned line)
{
	return sim(c)->l[line].ext;
}

static int sim_event_fd(struct gpio_chip *c, unsigned line)
{
	return -1;
}

static void sim_free(struct gpio_chip *c)
{
	free(sim(c)->l);
	free(c);
}

static const struct gpio_chip_ops sim_ops = {
	.name = sim_name,
	.get_direction = sim_get_direction,
	.configure = sim_configure,
	.get_value = sim_get_value,
	.set_value = sim_set_value,
	.event_fd = sim_event_fd,
	.drive = sim_drive,
	.driven = sim_driven,
	.free = sim_free,
};

struct gpio_chip *gpio_sim_new(unsigned n)
{
	struct sim_chip *s;

	if (!n || n > GPIO_MAX_LINES) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->l = calloc(n, sizeof(*s->l));
	if (!s->l) {
		free(s);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		snprintf(s->l[i].name, sizeof(s->l[i].name), "dummy%u", i);
		s->l[i].ext = GPIO_DRIVE_NONE;
	}
	s->c.ops = &sim_ops;
	s->c.ngpio = n;
	snprintf(s->c.label, sizeof(s->c.label), "s%u", n);
	return &s->c;
}
