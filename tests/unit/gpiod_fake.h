/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Test helper: a stand-in for libgpiod behind struct gpio_hw_ops, so the
 * host chip (gpio_host.c) runs without a kernel.  One fake chip, opened
 * as "/dev/fake" (any other path: ENOENT), with fk.nlines lines named
 * fk.names[] (line_info); a test changes both after fk_setup() and before
 * fk_chip().  Requests, reconfigurations and releases are counted; a line
 * requested with edge detection gets a pipe as its event fd, and
 * fk_edge() plays the kernel seeing an edge.  Misuse of the libgpiod API
 * (requesting a requested line, releasing a free one) fails the test.
 * Failures are asked for with the flags below (and busy lines).
 * Use fk_setup/fk_teardown as the cmocka setup and teardown. */
#ifndef VD_TEST_GPIOD_FAKE_H
#define VD_TEST_GPIOD_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/gpio.h"

#define FK_MAX_LINES 64

struct fk_line {
	bool requested, busy;  /* busy: requests fail with EBUSY */
	struct gpio_hw_cfg cfg;
	uint8_t kdir;          /* kernel's direction when not requested */
	uint8_t level;         /* input level seen by the kernel */
	int pipe[2];           /* event fd while requested with edges */
	int ev[16];            /* queued events: 1 rising, 0 falling */
	unsigned nev;
	bool read_fails;       /* reading its events fails with EIO */
};

struct fk_chip {
	bool open;
	bool v1;               /* reconfigure refuses (release + request) */
	int reconfigure_err;   /* reconfigure fails with it (a -errno) */
	bool info_fails;       /* line_info fails with EIO */
	unsigned fail_requests; /* so many next requests fail with EBUSY */
	unsigned requests, reconfigures, releases, reads;
	char consumer[32];
	unsigned nlines;       /* 4 after fk_setup, at most FK_MAX_LINES */
	const char *names[FK_MAX_LINES]; /* NULL reads as "" */
	struct fk_line l[FK_MAX_LINES];
};

extern struct fk_chip fk;
extern const struct gpio_hw_ops fk_ops;

/* Four lines "LED", "", "BTN\x01\xe9", "reset"; line 3 is an output in
 * the kernel, the others inputs. */
int fk_setup(void **state);
int fk_teardown(void **state);
/* The host chip over the fake (asserts success). */
struct gpio_chip *fk_chip(void);
/* The kernel sees an edge on line off (level changes). */
void fk_edge(unsigned off, int rising);

#endif
