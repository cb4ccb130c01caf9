/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Host GPIO chip ("-l N" = /dev/gpiochipN) through struct gpio_hw_ops.
 *
 * A line is requested from the kernel only while the guest uses it (as an
 * output, an input, or an interrupt source), with the consumer label
 * GPIO_CONSUMER, and released when the guest sets its direction to NONE
 * or goes away.  Reading an unused line requests it "as is" for the read.
 * Interrupts: an input with an interrupt is requested with both-edge
 * detection; every edge event is passed on (rising = 1, falling = 0) and
 * the device logic derives edge and level interrupts from them and the
 * current value. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "devices/gpio.h"

#define HOST_EVENTS_PER_WAKEUP 64

struct host_line {
	void *req;              /* NULL = not requested */
	struct gpio_hw_cfg cfg; /* of req */
	char name[GPIO_NAME_MAX];
};

struct host_chip {
	struct gpio_chip c;
	const struct gpio_hw_ops *hw;
	void *chip;
	struct host_line *l;
};

static struct host_chip *host(struct gpio_chip *c)
{
	return (struct host_chip *)c;
}

static const char *host_name(struct gpio_chip *c, unsigned line)
{
	return host(c)->l[line].name;
}

/* Asked only for lines the guest has not configured (gpio_core.c), which
 * are not requested: the kernel's answer. */
static int host_get_direction(struct gpio_chip *c, unsigned line)
{
	struct host_chip *h = host(c);
	char name[GPIO_NAME_MAX];
	int dir, r;

	r = h->hw->line_info(h->chip, line, name, sizeof(name), &dir);
	return r < 0 ? r : dir;
}

static int host_request(struct host_chip *h, unsigned line, const struct gpio_hw_cfg *cfg)
{
	void *req = h->hw->request(h->chip, line, cfg, GPIO_CONSUMER);

	if (!req)
		return errno ? -errno : -EIO;
	h->l[line].req = req;
	h->l[line].cfg = *cfg;
	return 0;
}

static void host_release(struct host_chip *h, unsigned line)
{
	if (h->l[line].req) {
		h->hw->release(h->l[line].req);
		h->l[line].req = NULL;
	}
}

static int host_configure(struct gpio_chip *c, unsigned line, uint8_t dir,
			  uint8_t value, bool edges)
{
	struct host_chip *h = host(c);
	struct host_line *l = &h->l[line];
	struct gpio_hw_cfg cfg = { 0 }, old;
	int r;

	/* gpio_core.c asks only for a change, with a valid direction */
	if (dir == VIRTIO_GPIO_DIRECTION_NONE) {
		host_release(h, line);
		return 0;
	}
	if (dir == VIRTIO_GPIO_DIRECTION_OUT) {
		cfg.dir = GPIO_HW_OUT;
		cfg.value = value ? 1 : 0;
	} else {
		cfg.dir = GPIO_HW_IN;
		cfg.edges = edges;
	}
	if (!l->req)
		return host_request(h, line, &cfg);
	r = h->hw->reconfigure(l->req, &cfg);
	if (r == 0) {
		l->cfg = cfg;
		return 0;
	}
	if (r != -EOPNOTSUPP)
		return r;
	/* this libgpiod cannot change it in place: request it anew, and
	 * restore the old request if that fails */
	old = l->cfg;
	host_release(h, line);
	r = host_request(h, line, &cfg);
	if (r < 0 && host_request(h, line, &old) < 0)
		log_peer(LOG_WARN, "gpio %s: line %u: lost its request while reconfiguring", c->label, line);
	return r;
}

static int host_get_value(struct gpio_chip *c, unsigned line)
{
	struct host_chip *h = host(c);
	struct host_line *l = &h->l[line];
	struct gpio_hw_cfg asis = { .dir = GPIO_HW_ASIS };
	void *req;
	int v;

	if (l->req)
		return h->hw->get_value(l->req);
	req = h->hw->request(h->chip, line, &asis, GPIO_CONSUMER);
	if (!req)
		return errno ? -errno : -EIO;
	v = h->hw->get_value(req);
	h->hw->release(req);
	return v;
}

static int host_set_value(struct gpio_chip *c, unsigned line, uint8_t value)
{
	struct host_chip *h = host(c);
	struct host_line *l = &h->l[line];
	int r;

	if (!l->req)            /* lost while reconfiguring (host_configure) */
		return -EIO;
	r = h->hw->set_value(l->req, value ? 1 : 0);
	if (r == 0)
		l->cfg.value = value ? 1 : 0;
	return r;
}

static int host_event_fd(struct gpio_chip *c, unsigned line)
{
	struct host_chip *h = host(c);
	struct host_line *l = &h->l[line];

	if (!l->req || !l->cfg.edges)
		return -1;
	return h->hw->event_fd(l->req);
}

static void host_read_events(struct gpio_chip *c, unsigned line)
{
	struct host_chip *h = host(c);
	struct host_line *l = &h->l[line];

	/* bounded, so one busy line cannot starve the loop; the fd stays
	 * readable if more are queued */
	for (unsigned i = 0; i < HOST_EVENTS_PER_WAKEUP && l->req && l->cfg.edges; i++) {
		int rising = 0;
		int r = h->hw->read_event(l->req, &rising);

		if (r < 0) {
			log_peer(LOG_WARN, "gpio %s: line %u: reading its events: %s", c->label, line,
				 strerror(-r));
			break;
		}
		if (r == 0)
			break;
		if (c->notify)
			c->notify(c->notify_ctx, line, rising ? 1 : 0);
	}
}

static void host_free(struct gpio_chip *c)
{
	struct host_chip *h = host(c);

	for (unsigned i = 0; i < c->ngpio; i++)
		host_release(h, i);
	h->hw->close(h->chip);
	free(h->l);
	free(h);
}

static const struct gpio_chip_ops host_ops = {
	.name = host_name,
	.get_direction = host_get_direction,
	.configure = host_configure,
	.get_value = host_get_value,
	.set_value = host_set_value,
	.event_fd = host_event_fd,
	.read_events = host_read_events,
	.free = host_free,
};

struct gpio_chip *gpio_host_new(const struct gpio_hw_ops *hw, const char *path,
				char *err, size_t errlen)
{
	struct host_chip *h = calloc(1, sizeof(*h));
	unsigned n = 0;
	int e;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	h->hw = hw;
	h->chip = hw->open(path, &n);
	if (!h->chip) {
		e = errno ? errno : EIO;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		free(h);
		errno = e;
		return NULL;
	}
	if (!n || n > GPIO_MAX_LINES) {
		snprintf(err, errlen, "%s: %u lines (1 to %u supported)", path, n, GPIO_MAX_LINES);
		hw->close(h->chip);
		free(h);
		errno = ERANGE;
		return NULL;
	}
	h->l = calloc(n, sizeof(*h->l));
	if (!h->l) {
		snprintf(err, errlen, "out of memory");
		hw->close(h->chip);
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		int dir;

		if (hw->line_info(h->chip, i, h->l[i].name, sizeof(h->l[i].name), &dir) < 0)
			h->l[i].name[0] = '\0';
	}
	h->c.ops = &host_ops;
	h->c.ngpio = n;
	/* the chip's fd and a request per line (host_get_value's "as is"
	 * request is only for a line that holds none) */
	h->c.fds = n + 1;
	snprintf(h->c.label, sizeof(h->c.label), "%s", path);
	return &h->c;
}
