/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The virtio-gpio eventq as the Linux driver keeps it, for the GPIO
 * integration tests (test_gpio.c, test_gpio_ctl.c): a buffer pair per
 * line, queued when the interrupt is unmasked, and what comes back.
 * Included once per test program, after gpio_req.h. */
#ifndef VD_TEST_GPIO_EVQ_H
#define VD_TEST_GPIO_EVQ_H

/* eventq: {le16 gpio} out, {u8 status} in, one buffer pair per line */
struct evbuf {
	uint64_t gpa;
	int head;
};

static struct evbuf evs[64];

/* Wait until the device has taken every buffer made available on the
 * eventq: with EVENT_IDX it publishes avail_event = its next index when it
 * finds the ring empty.  So a following request cannot overtake it. */
static void ev_sync(struct fe *fe)
{
	struct fe_vq *vq = &fe->vq[1];
	uint16_t *avail_event = (uint16_t *)(void *)&vq->used->ring[vq->num];
	long long deadline = proc_now_ms() + WAIT_MS;

	assert_true(fe->features & BIT64(VIRTIO_RING_F_EVENT_IDX));
	while (__atomic_load_n(avail_event, __ATOMIC_ACQUIRE) != vq->avail_idx) {
		if (proc_now_ms() > deadline)
			fail_msg("the device did not take the eventq buffer");
		usleep(1000);
	}
}

static uint64_t ev_queue(struct fe *fe, uint16_t line)
{
	uint64_t gpa = fe_alloc(fe, 16, 16);
	uint8_t *p = fe_ptr(fe, gpa, 16);
	struct fe_seg s[2] = { { gpa, 2, false }, { gpa + 8, 1, true } };
	int head;

	assert_non_null(p);
	p[0] = (uint8_t)line;
	p[1] = (uint8_t)(line >> 8);
	p[8] = 0xee;
	head = fe_vq_add(fe, 1, s, 2, false);
	assert_true(head >= 0 && head < 64);
	evs[head].gpa = gpa;
	evs[head].head = head;
	fe_vq_publish(fe, 1, (uint16_t)head);
	assert_int_equal(fe_vq_kick(fe, 1), 0);
	ev_sync(fe);
	return gpa;
}

/* Next returned eventq buffer: its status, *line its line; -ETIMEDOUT. */
static int ev_next(struct fe *fe, int timeout_ms, uint16_t *line)
{
	long long deadline = proc_now_ms() + timeout_ms;
	uint32_t id = 0, len = 0;
	uint8_t *p;
	int r;

	while ((r = fe_vq_get_used(fe, 1, &id, &len)) == 0) {
		long long left = deadline - proc_now_ms();

		if (left <= 0 || fe_vq_wait_call(fe, 1, (int)left))
			return -ETIMEDOUT;
	}
	assert_int_equal(r, 1);
	assert_true(id < 64);
	assert_int_equal(len, 1);       /* the Linux driver checks the length */
	p = fe_ptr(fe, evs[id].gpa, 16);
	if (line)
		*line = (uint16_t)(p[0] | p[1] << 8);
	return p[8];
}

static void expect_ev(struct fe *fe, uint16_t line, int status)
{
	uint16_t got = 0xffff;
	int r = ev_next(fe, WAIT_MS, &got);

	if (r == -ETIMEDOUT)
		fail_msg("no eventq buffer came back for line %u", line);
	assert_int_equal(r, status);
	assert_int_equal(got, line);
}

/* No interrupt for line, shown without waiting: an edge or level the
 * simulated chip saw was handled within the request that caused it, so
 * anything it returned is on the used ring already.  Then the buffer must
 * still be held: SET_IRQ_TYPE(NONE) returns it INVALID, the only entry.
 * type (not NONE) is set up again with a new buffer. */
static void expect_no_ev(struct fe *fe, uint16_t line, uint8_t type)
{
	uint32_t id = 0, len = 0;
	int r = fe_vq_get_used(fe, 1, &id, &len);

	if (r != 0)
		fail_msg("unexpected eventq buffer %u (%d)", id, r);
	assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, line, IRQ_NONE, NULL), ST_OK);
	expect_ev(fe, line, EV_INVALID);
	r = fe_vq_get_used(fe, 1, &id, &len);
	if (r != 0)
		fail_msg("a second eventq buffer %u came back (%d)", id, r);
	if (type != IRQ_NONE) {
		assert_int_equal(greq(fe, MSG_SET_IRQ_TYPE, line, type, NULL), ST_OK);
		ev_queue(fe, line);
	}
}

#endif
