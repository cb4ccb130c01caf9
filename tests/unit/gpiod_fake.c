/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Test helper: a stand-in for libgpiod behind struct gpio_hw_ops (see
 * gpiod_fake.h). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "gpiod_fake.h"

struct fk_chip fk;

static void fk_close_pipe(struct fk_line *l)
{
	if (l->pipe[0] >= 0) {
		close(l->pipe[0]);
		close(l->pipe[1]);
	}
	l->pipe[0] = l->pipe[1] = -1;
}

static void fk_apply(struct fk_line *l, const struct gpio_hw_cfg *cfg)
{
	l->cfg = *cfg;
	if (cfg->edges && l->pipe[0] < 0)
		assert_int_equal(pipe2(l->pipe, O_NONBLOCK), 0);
	if (!cfg->edges)
		fk_close_pipe(l);
}

static void *fk_open(const char *path, unsigned *n)
{
	if (strcmp(path, "/dev/fake")) {
		errno = ENOENT;
		return NULL;
	}
	fk.open = true;
	*n = fk.nlines;
	return &fk;
}

static void fk_close_chip(void *chip)
{
	fk.open = false;
}

static int fk_line_info(void *chip, unsigned off, char *name, size_t len, int *dir)
{
	assert_true(off < fk.nlines);
	if (fk.info_fails)
		return -EIO;
	snprintf(name, len, "%s", fk.names[off] ? fk.names[off] : "");
	*dir = fk.l[off].kdir;
	return 0;
}

static void *fk_request(void *chip, unsigned off, const struct gpio_hw_cfg *cfg,
			const char *consumer)
{
	struct fk_line *l = &fk.l[off];

	assert_true(off < fk.nlines);
	assert_false(l->requested);
	if (l->busy || fk.fail_requests) {
		if (fk.fail_requests)
			fk.fail_requests--;
		errno = EBUSY;
		return NULL;
	}
	fk.requests++;
	snprintf(fk.consumer, sizeof(fk.consumer), "%s", consumer);
	l->requested = true;
	fk_apply(l, cfg);
	return l;
}

static int fk_reconfigure(void *req, const struct gpio_hw_cfg *cfg)
{
	struct fk_line *l = req;

	assert_true(l->requested);
	if (fk.reconfigure_err)
		return fk.reconfigure_err;
	if (fk.v1)
		return -EOPNOTSUPP;
	fk.reconfigures++;
	fk_apply(l, cfg);
	return 0;
}

static void fk_release(void *req)
{
	struct fk_line *l = req;

	assert_true(l->requested);
	fk.releases++;
	l->requested = false;
	fk_close_pipe(l);
	if (l->cfg.dir == GPIO_HW_OUT)
		l->kdir = VIRTIO_GPIO_DIRECTION_OUT;
}

static int fk_get_value(void *req)
{
	struct fk_line *l = req;

	assert_true(l->requested);
	fk.reads++;
	return l->cfg.dir == GPIO_HW_OUT ? l->cfg.value : l->level;
}

static int fk_set_value(void *req, int v)
{
	struct fk_line *l = req;

	assert_true(l->requested);
	assert_int_equal(l->cfg.dir, GPIO_HW_OUT);
	l->cfg.value = (uint8_t)v;
	return 0;
}

static int fk_event_fd(void *req)
{
	struct fk_line *l = req;

	return l->pipe[0];
}

static int fk_read_event(void *req, int *rising)
{
	struct fk_line *l = req;
	char b;

	if (l->read_fails)
		return -EIO;
	if (!l->nev)
		return 0;
	*rising = l->ev[0];
	memmove(l->ev, l->ev + 1, --l->nev * sizeof(l->ev[0]));
	if (!l->nev && read(l->pipe[0], &b, 1) != 1)
		return -EIO;
	return 1;
}

const struct gpio_hw_ops fk_ops = {
	.version = "fake",
	.open = fk_open,
	.close = fk_close_chip,
	.line_info = fk_line_info,
	.request = fk_request,
	.reconfigure = fk_reconfigure,
	.release = fk_release,
	.get_value = fk_get_value,
	.set_value = fk_set_value,
	.event_fd = fk_event_fd,
	.read_event = fk_read_event,
};

/* The kernel sees an edge on line off (level changes). */
void fk_edge(unsigned off, int rising)
{
	struct fk_line *l = &fk.l[off];

	l->level = (uint8_t)rising;
	if (!l->requested || !l->cfg.edges)
		return;
	assert_true(l->nev < 16);
	l->ev[l->nev++] = rising;
	assert_int_equal(write(l->pipe[1], "e", 1), 1);
}

int fk_setup(void **state)
{
	static const char *const names[] = { "LED", "", "BTN\x01\xe9", "reset" };

	memset(&fk, 0, sizeof(fk));
	for (unsigned i = 0; i < FK_MAX_LINES; i++) {
		fk.l[i].pipe[0] = fk.l[i].pipe[1] = -1;
		fk.l[i].kdir = VIRTIO_GPIO_DIRECTION_IN;
	}
	fk.nlines = 4;
	for (unsigned i = 0; i < 4; i++)
		fk.names[i] = names[i];
	fk.l[3].kdir = VIRTIO_GPIO_DIRECTION_OUT;
	return 0;
}

int fk_teardown(void **state)
{
	for (unsigned i = 0; i < FK_MAX_LINES; i++)
		fk_close_pipe(&fk.l[i]);
	return 0;
}

struct gpio_chip *fk_chip(void)
{
	char err[128];
	struct gpio_chip *c = gpio_host_new(&fk_ops, "/dev/fake", err, sizeof(err));

	assert_non_null(c);
	return c;
}
