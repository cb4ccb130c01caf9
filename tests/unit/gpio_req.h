/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-gpio requests as the device sees them, built in host memory for
 * the GPIO unit tests (test_gpio.c over the simulated chip,
 * test_gpio_host.c over the host chip and the libgpiod stand-in), and
 * the eventq completions they cause.  Uses cmocka's assertions. */
#ifndef VD_TEST_GPIO_REQ_H
#define VD_TEST_GPIO_REQ_H

#include <stdint.h>
#include <sys/uio.h>

#include "devices/gpio.h"
#include "vhost/loop.h"
#include "vhost/vq.h"

#define OK  VIRTIO_GPIO_STATUS_OK
#define ERR VIRTIO_GPIO_STATUS_ERR
#define DIR_NONE VIRTIO_GPIO_DIRECTION_NONE
#define DIR_OUT  VIRTIO_GPIO_DIRECTION_OUT
#define DIR_IN   VIRTIO_GPIO_DIRECTION_IN

struct gt_msg {
	struct vq_elem e;
	struct iovec iov[2];
	uint8_t out[16];
	uint8_t in[128];
};

/* out (readable) then in_len writable bytes, filled with 0xee */
struct vq_elem *gt_mk(struct gt_msg *m, const void *out, uint32_t out_len, uint32_t in_len);

/* Held eventq elements completed so far (since gt_setup), with the
 * status byte each carried. */
extern struct vq_elem *gt_done[64];
extern uint8_t gt_done_status[64];
extern unsigned gt_ndone;

/* gpio_dev_init over chip c (asserted non-NULL) and loop l, with
 * VIRTIO_GPIO_F_IRQ and completions counted in gt_done. */
void gt_setup(struct gpio_dev *g, struct gpio_chip *c, struct loop *l);
/* One request; returns the status, *val the value byte; asserts a
 * 2-byte response (value 0 with an error). */
int gt_req(struct gpio_dev *g, uint16_t type, uint16_t gpio, uint32_t value, uint8_t *val);
/* GET_VALUE and GET_DIRECTION, asserted OK. */
uint8_t gt_getv(struct gpio_dev *g, uint16_t line);
uint8_t gt_getdir(struct gpio_dev *g, uint16_t line);
/* Queue an eventq element for line; returns gpio_dev_event's result. */
int gt_ev(struct gpio_dev *g, struct gt_msg *m, uint16_t line);

#endif
