/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-gpio requests for the GPIO unit tests (gpio_req.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gpio_req.h"

struct vq_elem *gt_done[64];
uint8_t gt_done_status[64];
unsigned gt_ndone;

struct vq_elem *gt_mk(struct gt_msg *m, const void *out, uint32_t out_len, uint32_t in_len)
{
	memset(m, 0, sizeof(*m));
	assert_true(out_len <= sizeof(m->out) && in_len <= sizeof(m->in));
	memcpy(m->out, out, out_len);
	memset(m->in, 0xee, sizeof(m->in));
	m->iov[0] = (struct iovec){ m->out, out_len };
	m->iov[1] = (struct iovec){ m->in, in_len };
	m->e.out_num = out_len ? 1 : 0;
	m->e.in_num = in_len ? 1 : 0;
	m->e.out = out_len ? &m->iov[0] : &m->iov[1];
	m->e.in = &m->iov[1];
	m->e.out_len = out_len;
	m->e.in_len = in_len;
	m->e.in_use = true;
	return &m->e;
}

static void ev_complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	assert_int_equal(len, 1);
	assert_true(gt_ndone < 64);
	gt_done[gt_ndone] = e;
	gt_done_status[gt_ndone] = ((uint8_t *)e->in[0].iov_base)[0];
	gt_ndone++;
}

void gt_setup(struct gpio_dev *g, struct gpio_chip *c, struct loop *l)
{
	assert_non_null(c);
	assert_int_equal(gpio_dev_init(g, c, l), 0);
	g->ev_complete = ev_complete;
	g->ev_ctx = NULL;
	g->irq = true;
	gt_ndone = 0;
}

int gt_req(struct gpio_dev *g, uint16_t type, uint16_t gpio, uint32_t value, uint8_t *val)
{
	uint8_t r[8] = { (uint8_t)type, (uint8_t)(type >> 8), (uint8_t)gpio,
			 (uint8_t)(gpio >> 8), (uint8_t)value, (uint8_t)(value >> 8),
			 (uint8_t)(value >> 16), (uint8_t)(value >> 24) };
	struct gt_msg m;
	int n = gpio_dev_request(g, gt_mk(&m, r, 8, 2));

	assert_int_equal(n, 2);
	if (val)
		*val = m.in[1];
	if (m.in[0] != VIRTIO_GPIO_STATUS_OK)
		assert_int_equal(m.in[1], 0);
	return m.in[0];
}

uint8_t gt_getv(struct gpio_dev *g, uint16_t line)
{
	uint8_t v = 0xff;

	assert_int_equal(gt_req(g, VIRTIO_GPIO_MSG_GET_VALUE, line, 0, &v), OK);
	return v;
}

uint8_t gt_getdir(struct gpio_dev *g, uint16_t line)
{
	uint8_t v = 0xff;

	assert_int_equal(gt_req(g, VIRTIO_GPIO_MSG_GET_DIRECTION, line, 0, &v), OK);
	return v;
}

int gt_ev(struct gpio_dev *g, struct gt_msg *m, uint16_t line)
{
	uint8_t r[2] = { (uint8_t)line, (uint8_t)(line >> 8) };

	return gpio_dev_event(g, gt_mk(m, r, 2, 1));
}
