/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* struct gpio_hw_ops over libgpiod: the 1.x API (Debian bookworm: 1.6)
 * or the 2.x API (bookworm-backports, trixie), chosen at build time by
 * src/devices/gpio.mk through pkg-config (VD_GPIOD_MAJOR; 0 = built
 * without libgpiod, host chips cannot be opened). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sandbox.h"
#include "devices/gpio.h"

#ifndef VD_GPIOD_MAJOR
#define VD_GPIOD_MAJOR 0
#endif

#if VD_GPIOD_MAJOR
#include <linux/gpio.h>

/* What libgpiod asks of a chip and its lines while serving (v1 and v2
 * uAPI: libgpiod 1.x uses the first, 2.x the second), for the sandbox. */
static const struct sandbox_ioctl gpio_ioctls[] = {
	SANDBOX_IOCTL(GPIO_GET_CHIPINFO_IOCTL),
	SANDBOX_IOCTL(GPIO_GET_LINEINFO_IOCTL),
	SANDBOX_IOCTL(GPIO_GET_LINEINFO_WATCH_IOCTL),
	SANDBOX_IOCTL(GPIO_GET_LINEINFO_UNWATCH_IOCTL),
	SANDBOX_IOCTL(GPIO_GET_LINEHANDLE_IOCTL),
	SANDBOX_IOCTL(GPIO_GET_LINEEVENT_IOCTL),
	SANDBOX_IOCTL(GPIOHANDLE_GET_LINE_VALUES_IOCTL),
	SANDBOX_IOCTL(GPIOHANDLE_SET_LINE_VALUES_IOCTL),
	SANDBOX_IOCTL(GPIOHANDLE_SET_CONFIG_IOCTL),
	SANDBOX_IOCTL(GPIO_V2_GET_LINEINFO_IOCTL),
	SANDBOX_IOCTL(GPIO_V2_GET_LINEINFO_WATCH_IOCTL),
	SANDBOX_IOCTL(GPIO_V2_GET_LINE_IOCTL),
	SANDBOX_IOCTL(GPIO_V2_LINE_SET_CONFIG_IOCTL),
	SANDBOX_IOCTL(GPIO_V2_LINE_GET_VALUES_IOCTL),
	SANDBOX_IOCTL(GPIO_V2_LINE_SET_VALUES_IOCTL),
};

static void gpio_sandbox(void)
{
	sandbox_allow_ioctls(gpio_ioctls, sizeof(gpio_ioctls) / sizeof(gpio_ioctls[0]));
}
#endif

#if VD_GPIOD_MAJOR == 1
#include <gpiod.h>

static void *g1_open(const char *path, unsigned *nlines)
{
	struct gpiod_chip *c = gpiod_chip_open(path);

	if (c) {
		*nlines = gpiod_chip_num_lines(c);
		gpio_sandbox();
	}
	return c;
}

static void g1_close(void *chip)
{
	gpiod_chip_close(chip);
}

static int g1_line_info(void *chip, unsigned off, char *name, size_t len, int *dir)
{
	struct gpiod_line *l = gpiod_chip_get_line(chip, off);
	const char *n;

	if (!l)
		return errno ? -errno : -EIO;
	gpiod_line_update(l);
	n = gpiod_line_name(l);
	snprintf(name, len, "%s", n ? n : "");
	*dir = gpiod_line_direction(l) == GPIOD_LINE_DIRECTION_OUTPUT ?
	       VIRTIO_GPIO_DIRECTION_OUT : VIRTIO_GPIO_DIRECTION_IN;
	return 0;
}

static void *g1_request(void *chip, unsigned off, const struct gpio_hw_cfg *cfg,
			const char *consumer)
{
	struct gpiod_line *l = gpiod_chip_get_line(chip, off);
	struct gpiod_line_request_config rc = { .consumer = consumer };

	if (!l)
		return NULL;
	switch (cfg->dir) {
	case GPIO_HW_OUT:
		rc.request_type = GPIOD_LINE_REQUEST_DIRECTION_OUTPUT;
		break;
	case GPIO_HW_IN:
		rc.request_type = cfg->edges ? GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES :
					       GPIOD_LINE_REQUEST_DIRECTION_INPUT;
		break;
	default:
		rc.request_type = GPIOD_LINE_REQUEST_DIRECTION_AS_IS;
		break;
	}
	if (gpiod_line_request(l, &rc, cfg->value) < 0)
		return NULL;
	if (cfg->dir == GPIO_HW_IN && cfg->edges) {
		int fd = gpiod_line_event_get_fd(l);
		int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;

		/* read events only while there are some */
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
			int e = errno;

			gpiod_line_release(l);
			errno = e;
			return NULL;
		}
	}
	return l;
}

static int g1_reconfigure(void *req, const struct gpio_hw_cfg *cfg)
{
	struct gpiod_line *l = req;

	/* a line requested for events cannot change in place (v1 uAPI) */
	if (cfg->edges || cfg->dir == GPIO_HW_ASIS || gpiod_line_event_get_fd(l) >= 0)
		return -EOPNOTSUPP;
	if (gpiod_line_set_config(l, cfg->dir == GPIO_HW_OUT ?
				  GPIOD_LINE_REQUEST_DIRECTION_OUTPUT :
				  GPIOD_LINE_REQUEST_DIRECTION_INPUT, 0, cfg->value) < 0)
		return errno == ENOTTY || errno == EINVAL ? -EOPNOTSUPP : -errno;
	return 0;
}

static void g1_release(void *req)
{
	gpiod_line_release(req);
}

static int g1_get_value(void *req)
{
	int v = gpiod_line_get_value(req);

	return v < 0 ? (errno ? -errno : -EIO) : v;
}

static int g1_set_value(void *req, int value)
{
	return gpiod_line_set_value(req, value) < 0 ? (errno ? -errno : -EIO) : 0;
}

static int g1_event_fd(void *req)
{
	return gpiod_line_event_get_fd(req);
}

static int g1_read_event(void *req, int *rising)
{
	struct gpiod_line_event ev;
	int fd = gpiod_line_event_get_fd(req);

	if (fd < 0)
		return -EINVAL;
	if (gpiod_line_event_read_fd(fd, &ev) < 0)
		return errno == EAGAIN ? 0 : (errno ? -errno : -EIO);
	*rising = ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
	return 1;
}

const struct gpio_hw_ops gpio_gpiod_ops = {
	.version = "libgpiod 1.x",
	.open = g1_open,
	.close = g1_close,
	.line_info = g1_line_info,
	.request = g1_request,
	.reconfigure = g1_reconfigure,
	.release = g1_release,
	.get_value = g1_get_value,
	.set_value = g1_set_value,
	.event_fd = g1_event_fd,
	.read_event = g1_read_event,
};

#elif VD_GPIOD_MAJOR >= 2
#include <gpiod.h>

struct g2_chip;

struct g2_line {
	struct g2_chip *chip;
	unsigned off;
	struct gpiod_line_request *req;
};

/* settings objects are made once per chip and reused for every request */
struct g2_chip {
	struct gpiod_chip *chip;
	struct gpiod_line_settings *st;
	struct gpiod_line_config *lc;
	struct gpiod_request_config *rc;
	struct gpiod_edge_event_buffer *evbuf;
	struct g2_line *lines;
	unsigned n;
};

static void g2_close(void *chip)
{
	struct g2_chip *c = chip;

	if (!c)
		return;
	for (unsigned i = 0; c->lines && i < c->n; i++)
		if (c->lines[i].req)
			gpiod_line_request_release(c->lines[i].req);
	if (c->evbuf)
		gpiod_edge_event_buffer_free(c->evbuf);
	if (c->rc)
		gpiod_request_config_free(c->rc);
	if (c->lc)
		gpiod_line_config_free(c->lc);
	if (c->st)
		gpiod_line_settings_free(c->st);
	if (c->chip)
		gpiod_chip_close(c->chip);
	free(c->lines);
	free(c);
}

static void *g2_open(const char *path, unsigned *nlines)
{
	struct g2_chip *c = calloc(1, sizeof(*c));
	struct gpiod_chip_info *info;
	int e;

	if (!c)
		return NULL;
	c->chip = gpiod_chip_open(path);
	if (!c->chip)
		goto fail;
	gpio_sandbox();
	info = gpiod_chip_get_info(c->chip);
	if (!info)
		goto fail;
	c->n = (unsigned)gpiod_chip_info_get_num_lines(info);
	gpiod_chip_info_free(info);
	c->st = gpiod_line_settings_new();
	c->lc = gpiod_line_config_new();
	c->rc = gpiod_request_config_new();
	c->evbuf = gpiod_edge_event_buffer_new(1);
	c->lines = calloc(c->n ? c->n : 1, sizeof(*c->lines));
	if (!c->st || !c->lc || !c->rc || !c->evbuf || !c->lines) {
		errno = ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < c->n; i++) {
		c->lines[i].chip = c;
		c->lines[i].off = i;
	}
	*nlines = c->n;
	return c;
fail:
	e = errno ? errno : EIO;
	g2_close(c);
	errno = e;
	return NULL;
}

static int g2_line_info(void *chip, unsigned off, char *name, size_t len, int *dir)
{
	struct g2_chip *c = chip;
	struct gpiod_line_info *li = gpiod_chip_get_line_info(c->chip, off);
	const char *n;

	if (!li)
		return errno ? -errno : -EIO;
	n = gpiod_line_info_get_name(li);
	snprintf(name, len, "%s", n ? n : "");
	*dir = gpiod_line_info_get_direction(li) == GPIOD_LINE_DIRECTION_OUTPUT ?
	       VIRTIO_GPIO_DIRECTION_OUT : VIRTIO_GPIO_DIRECTION_IN;
	gpiod_line_info_free(li);
	return 0;
}

static int g2_fill(struct g2_chip *c, unsigned off, const struct gpio_hw_cfg *cfg)
{
	enum gpiod_line_direction d = GPIOD_LINE_DIRECTION_AS_IS;

	if (cfg->dir == GPIO_HW_IN)
		d = GPIOD_LINE_DIRECTION_INPUT;
	else if (cfg->dir == GPIO_HW_OUT)
		d = GPIOD_LINE_DIRECTION_OUTPUT;
	gpiod_line_settings_reset(c->st);
	if (gpiod_line_settings_set_direction(c->st, d) < 0)
		return -errno;
	if (cfg->dir == GPIO_HW_OUT &&
	    gpiod_line_settings_set_output_value(c->st, cfg->value ? GPIOD_LINE_VALUE_ACTIVE :
							 GPIOD_LINE_VALUE_INACTIVE) < 0)
		return -errno;
	if (cfg->dir == GPIO_HW_IN && cfg->edges &&
	    gpiod_line_settings_set_edge_detection(c->st, GPIOD_LINE_EDGE_BOTH) < 0)
		return -errno;
	gpiod_line_config_reset(c->lc);
	if (gpiod_line_config_add_line_settings(c->lc, &off, 1, c->st) < 0)
		return -errno;
	return 0;
}

static void *g2_request(void *chip, unsigned off, const struct gpio_hw_cfg *cfg,
			const char *consumer)
{
	struct g2_chip *c = chip;
	struct g2_line *l;
	int r;

	if (off >= c->n) {
		errno = EINVAL;
		return NULL;
	}
	l = &c->lines[off];
	if (l->req) {
		errno = EBUSY;
		return NULL;
	}
	r = g2_fill(c, off, cfg);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	gpiod_request_config_set_consumer(c->rc, consumer);
	l->req = gpiod_chip_request_lines(c->chip, c->rc, c->lc);
	return l->req ? l : NULL;
}

static int g2_reconfigure(void *req, const struct gpio_hw_cfg *cfg)
{
	struct g2_line *l = req;
	int r;

	if (cfg->dir == GPIO_HW_ASIS)
		return -EOPNOTSUPP;
	r = g2_fill(l->chip, l->off, cfg);
	if (r < 0)
		return r;
	return gpiod_line_request_reconfigure_lines(l->req, l->chip->lc) < 0 ?
	       (errno ? -errno : -EIO) : 0;
}

static void g2_release(void *req)
{
	struct g2_line *l = req;

	if (l->req)
		gpiod_line_request_release(l->req);
	l->req = NULL;
}

static int g2_get_value(void *req)
{
	struct g2_line *l = req;
	enum gpiod_line_value v = gpiod_line_request_get_value(l->req, l->off);

	if (v == GPIOD_LINE_VALUE_ERROR)
		return errno ? -errno : -EIO;
	return v == GPIOD_LINE_VALUE_ACTIVE;
}

static int g2_set_value(void *req, int value)
{
	struct g2_line *l = req;

	return gpiod_line_request_set_value(l->req, l->off, value ? GPIOD_LINE_VALUE_ACTIVE :
						GPIOD_LINE_VALUE_INACTIVE) < 0 ?
	       (errno ? -errno : -EIO) : 0;
}

static int g2_event_fd(void *req)
{
	struct g2_line *l = req;

	return gpiod_line_request_get_fd(l->req);
}

static int g2_read_event(void *req, int *rising)
{
	struct g2_line *l = req;
	struct gpiod_edge_event *ev;
	int r = gpiod_line_request_wait_edge_events(l->req, 0);

	if (r < 0)
		return errno ? -errno : -EIO;
	if (r == 0)
		return 0;
	r = gpiod_line_request_read_edge_events(l->req, l->chip->evbuf, 1);
	if (r < 0)
		return errno ? -errno : -EIO;
	if (r == 0)
		return 0;
	ev = gpiod_edge_event_buffer_get_event(l->chip->evbuf, 0);
	if (!ev)
		return -EIO;
	*rising = gpiod_edge_event_get_event_type(ev) == GPIOD_EDGE_EVENT_RISING_EDGE;
	return 1;
}

const struct gpio_hw_ops gpio_gpiod_ops = {
	.version = "libgpiod 2.x",
	.open = g2_open,
	.close = g2_close,
	.line_info = g2_line_info,
	.request = g2_request,
	.reconfigure = g2_reconfigure,
	.release = g2_release,
	.get_value = g2_get_value,
	.set_value = g2_set_value,
	.event_fd = g2_event_fd,
	.read_event = g2_read_event,
};

#else /* built without libgpiod */

static void *none_open(const char *path, unsigned *nlines)
{
	errno = ENOSYS;
	return NULL;
}

const struct gpio_hw_ops gpio_gpiod_ops = {
	.version = "no libgpiod",
	.open = none_open,
};

#endif
