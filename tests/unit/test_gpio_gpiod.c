/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The libgpiod 1.x backend (src/devices/gpio_gpiod.c, gpio_gpiod_ops)
 * against a stand-in for libgpiod itself: the gpiod_* functions it calls
 * are defined here, so they take the place of the library's.  One chip
 * "/dev/gpiochip-fake" of 4 lines; what the backend asks of libgpiod
 * (request types, values, configs) and what it makes of the answers and
 * failures (errno passed on, edge events read without blocking) is
 * checked.  In a build against libgpiod 2.x (tests/gpiod2) the 1.x
 * backend is not compiled: the test says which one is. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices/gpio.h"

#if VD_GPIOD_MAJOR == 1
#include <gpiod.h>

struct gpiod_line {
	unsigned off;
	bool requested;
	int request_type, value, dir;
	int pipe[2];
};

struct gpiod_chip {
	struct gpiod_line l[4];
};

static struct gpiod_chip chip;
static int fail_errno;     /* the next libgpiod call fails with it */
static unsigned updates;

static bool failing(void)
{
	if (!fail_errno)
		return false;
	errno = fail_errno;
	fail_errno = 0;
	return true;
}

struct gpiod_chip *gpiod_chip_open(const char *path)
{
	if (strcmp(path, "/dev/gpiochip-fake")) {
		errno = ENOENT;
		return NULL;
	}
	memset(&chip, 0, sizeof(chip));
	for (unsigned i = 0; i < 4; i++) {
		chip.l[i].off = i;
		chip.l[i].pipe[0] = chip.l[i].pipe[1] = -1;
	}
	chip.l[3].dir = GPIOD_LINE_DIRECTION_OUTPUT;
	return &chip;
}

unsigned int gpiod_chip_num_lines(struct gpiod_chip *c)
{
	return 4;
}

void gpiod_chip_close(struct gpiod_chip *c)
{
	assert_ptr_equal(c, &chip);
}

struct gpiod_line *gpiod_chip_get_line(struct gpiod_chip *c, unsigned int off)
{
	if (off >= 4) {
		errno = EINVAL;
		return NULL;
	}
	return &c->l[off];
}

int gpiod_line_update(struct gpiod_line *l)
{
	updates++;
	return 0;
}

const char *gpiod_line_name(struct gpiod_line *l)
{
	static const char *const names[4] = { "led", NULL, "button", "relay" };

	return names[l->off];
}

int gpiod_line_direction(struct gpiod_line *l)
{
	return l->dir ? l->dir : GPIOD_LINE_DIRECTION_INPUT;
}

int gpiod_line_request(struct gpiod_line *l, const struct gpiod_line_request_config *rc,
		       int default_val)
{
	assert_false(l->requested);
	assert_string_equal(rc->consumer, "vhost-test");
	if (failing())
		return -1;
	l->requested = true;
	l->request_type = rc->request_type;
	l->value = default_val;
	if (rc->request_type == GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES)
		assert_int_equal(pipe(l->pipe), 0);
	return 0;
}

void gpiod_line_release(struct gpiod_line *l)
{
	assert_true(l->requested);
	l->requested = false;
	for (int i = 0; i < 2; i++)
		if (l->pipe[i] >= 0)
			close(l->pipe[i]);
	l->pipe[0] = l->pipe[1] = -1;
}

int gpiod_line_event_get_fd(struct gpiod_line *l)
{
	if (l->pipe[0] < 0) {
		errno = EPERM;
		return -1;
	}
	return l->pipe[0];
}

int gpiod_line_set_config(struct gpiod_line *l, int direction, int flags, int value)
{
	assert_true(l->requested);
	if (failing())
		return -1;
	l->request_type = direction;
	l->value = value;
	return 0;
}

int gpiod_line_get_value(struct gpiod_line *l)
{
	if (failing())
		return -1;
	return l->value;
}

int gpiod_line_set_value(struct gpiod_line *l, int value)
{
	if (failing())
		return -1;
	l->value = value;
	return 0;
}

/* an "event" in the pipe: one byte, 1 rising, 0 falling */
int gpiod_line_event_read_fd(int fd, struct gpiod_line_event *ev)
{
	uint8_t b;
	ssize_t n = read(fd, &b, 1);

	if (n != 1) {
		if (n == 0)
			errno = EIO;
		return -1;
	}
	memset(ev, 0, sizeof(*ev));
	ev->event_type = b ? GPIOD_LINE_EVENT_RISING_EDGE : GPIOD_LINE_EVENT_FALLING_EDGE;
	return 0;
}

static const struct gpio_hw_ops *ops = &gpio_gpiod_ops;

static void *open_chip(void)
{
	unsigned n = 0;
	void *c = ops->open("/dev/gpiochip-fake", &n);

	assert_non_null(c);
	assert_int_equal(n, 4);
	return c;
}

static void test_gpio_gpiod_open_and_line_info(void **state)
{
	unsigned n = 0;
	char name[8];
	int dir = -1;
	void *c;

	errno = 0;
	assert_null(ops->open("/dev/gpiochip-none", &n));
	assert_int_equal(errno, ENOENT);
	c = open_chip();
	assert_int_equal(ops->line_info(c, 0, name, sizeof(name), &dir), 0);
	assert_string_equal(name, "led");
	assert_int_equal(dir, VIRTIO_GPIO_DIRECTION_IN);
	assert_int_equal(updates, 1);    /* the kernel's view, read again */
	assert_int_equal(ops->line_info(c, 1, name, sizeof(name), &dir), 0);
	assert_string_equal(name, "");   /* no name */
	assert_int_equal(ops->line_info(c, 3, name, 3, &dir), 0);
	assert_string_equal(name, "re"); /* cut to the buffer */
	assert_int_equal(dir, VIRTIO_GPIO_DIRECTION_OUT);
	assert_int_equal(ops->line_info(c, 9, name, sizeof(name), &dir), -EINVAL);
	ops->close(c);
}

static void test_gpio_gpiod_request_types_and_values(void **state)
{
	void *c = open_chip();
	struct gpio_hw_cfg out = { GPIO_HW_OUT, 1, false }, in = { GPIO_HW_IN, 0, false };
	struct gpio_hw_cfg asis = { GPIO_HW_ASIS, 0, false };
	void *r;

	r = ops->request(c, 0, &out, "vhost-test");
	assert_non_null(r);
	assert_int_equal(chip.l[0].request_type, GPIOD_LINE_REQUEST_DIRECTION_OUTPUT);
	assert_int_equal(ops->get_value(r), 1);
	assert_int_equal(ops->set_value(r, 0), 0);
	assert_int_equal(ops->get_value(r), 0);
	assert_int_equal(ops->event_fd(r), -1);
	/* changed in place: out -> in */
	assert_int_equal(ops->reconfigure(r, &in), 0);
	assert_int_equal(chip.l[0].request_type, GPIOD_LINE_REQUEST_DIRECTION_INPUT);
	/* as-is and edges cannot be set in place (v1) */
	assert_int_equal(ops->reconfigure(r, &asis), -EOPNOTSUPP);
	/* the kernel refusing: ENOTTY/EINVAL mean "not in place" */
	fail_errno = ENOTTY;
	assert_int_equal(ops->reconfigure(r, &out), -EOPNOTSUPP);
	fail_errno = EBUSY;
	assert_int_equal(ops->reconfigure(r, &out), -EBUSY);
	fail_errno = EIO;
	assert_int_equal(ops->get_value(r), -EIO);
	fail_errno = EPERM;
	assert_int_equal(ops->set_value(r, 1), -EPERM);
	ops->release(r);
	r = ops->request(c, 1, &asis, "vhost-test");
	assert_non_null(r);
	assert_int_equal(chip.l[1].request_type, GPIOD_LINE_REQUEST_DIRECTION_AS_IS);
	ops->release(r);
	/* a refused request: NULL with its errno; a line that is not there */
	fail_errno = EBUSY;
	errno = 0;
	assert_null(ops->request(c, 2, &in, "vhost-test"));
	assert_int_equal(errno, EBUSY);
	assert_null(ops->request(c, 7, &in, "vhost-test"));
	ops->close(c);
}

static void test_gpio_gpiod_edge_events(void **state)
{
	void *c = open_chip();
	struct gpio_hw_cfg edges = { GPIO_HW_IN, 0, true };
	void *r = ops->request(c, 2, &edges, "vhost-test");
	int fd, rising = -1;

	assert_non_null(r);
	assert_int_equal(chip.l[2].request_type, GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES);
	fd = ops->event_fd(r);
	assert_int_equal(fd, chip.l[2].pipe[0]);
	/* the event fd is made non-blocking: nothing pending reads as 0 */
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_int_equal(ops->read_event(r, &rising), 0);
	assert_int_equal(write(chip.l[2].pipe[1], "\1\0", 2), 2);
	assert_int_equal(ops->read_event(r, &rising), 1);
	assert_int_equal(rising, 1);
	assert_int_equal(ops->read_event(r, &rising), 1);
	assert_int_equal(rising, 0);
	assert_int_equal(ops->read_event(r, &rising), 0);
	/* a line requested for events is released and requested again */
	assert_int_equal(ops->reconfigure(r, &edges), -EOPNOTSUPP);
	/* the writer gone: the read error is passed on */
	close(chip.l[2].pipe[1]);
	chip.l[2].pipe[1] = -1;
	assert_int_equal(ops->read_event(r, &rising), -EIO);
	ops->release(r);
	ops->close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpio_gpiod_open_and_line_info),
		cmocka_unit_test(test_gpio_gpiod_request_types_and_values),
		cmocka_unit_test(test_gpio_gpiod_edge_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

static void test_gpio_gpiod_other_major(void **state)
{
	/* this build's backend is another libgpiod major (or none) */
	assert_null(strstr(gpio_gpiod_ops.version, "1.x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gpio_gpiod_other_major),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
