/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Conformance of the virtio-gpio device logic (gpio_core.c, gpio_names.c,
 * over the simulated chip and over host chips through the libgpiod
 * stand-in) to the virtio specification (oasis-tcs/virtio-spec,
 * device-types/gpio: "Device Types / GPIO Device"; "Device Reset") and
 * the vhost-user specification (QEMU docs/interop/vhost-user.rst), one
 * table row per statement: where it is, what it says (verbatim), and the
 * case that checks it.
 *
 * A device reset is gpio_dev_reset() (the core's reset op); the core's
 * queue_stop op for the eventq is gpio_dev_events_stop(); a VM pause
 * calls neither (the core keeps held elements across it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/gpio.h"
#include "vhost/dev.h"
#include "gpiod_fake.h"

struct conform_case {
	const char *name;
	void (*fn)(void **state);
	const char *ref;       /* where the statement is */
	const char *says;      /* what it says */
	bool host;             /* over the libgpiod stand-in */
};

#define CASE(f) "test_conform_gpio_" #f, f

static const struct conform_case *cur;

/* A failed check names the statement it enforces. */
#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_)                                                  \
			fail_msg("%s: %s != %s (%lld != %lld)\n  %s: \"%s\"",  \
				 cur->name, #a, #b, a_, b_, cur->ref, cur->says); \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		if (strcmp((a), (b)))                                          \
			fail_msg("%s: %s is \"%s\", not \"%s\"\n  %s: \"%s\"", \
				 cur->name, #a, (a), (b), cur->ref, cur->says); \
	} while (0)

#define OK       VIRTIO_GPIO_STATUS_OK
#define ERR      VIRTIO_GPIO_STATUS_ERR
#define DIR_IN   VIRTIO_GPIO_DIRECTION_IN
#define DIR_OUT  VIRTIO_GPIO_DIRECTION_OUT
#define DIR_NONE VIRTIO_GPIO_DIRECTION_NONE
#define EDGE_R   VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING
#define VALID    VIRTIO_GPIO_IRQ_STATUS_VALID
#define INVALID  VIRTIO_GPIO_IRQ_STATUS_INVALID

/* ---- elements ---- */

struct msg {
	struct vq_elem e;
	struct iovec iov[2];
	uint8_t out[8];
	uint8_t in[2048];
};

static struct vq_elem *mk(struct msg *m, const void *out, uint32_t out_len, uint32_t in_len)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->out, out, out_len);
	m->iov[0] = (struct iovec){ m->out, out_len };
	m->iov[1] = (struct iovec){ m->in, in_len };
	m->e.out_num = 1;
	m->e.in_num = 1;
	m->e.out = &m->iov[0];
	m->e.in = &m->iov[1];
	m->e.out_len = out_len;
	m->e.in_len = in_len;
	m->e.in_use = true;
	return &m->e;
}

/* eventq completions */
static unsigned ndone;
static uint8_t done_status[64];

static void ev_complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	assert_true(ndone < 64);
	done_status[ndone++] = ((uint8_t *)e->in[0].iov_base)[0];
}

static struct gpio_dev g;

/* The driver's side after feature negotiation (VIRTIO_GPIO_F_IRQ). */
static void start(struct gpio_chip *c)
{
	assert_non_null(c);
	assert_int_equal(gpio_dev_init(&g, c, NULL), 0);
	g.ev_complete = ev_complete;
	g.irq = true;
	ndone = 0;
}

static int req(uint16_t type, uint16_t line, uint32_t v, uint8_t *val)
{
	uint8_t r[8] = { (uint8_t)type, (uint8_t)(type >> 8), (uint8_t)line,
			 (uint8_t)(line >> 8), (uint8_t)v, (uint8_t)(v >> 8),
			 (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	struct msg m;

	assert_int_equal(gpio_dev_request(&g, mk(&m, r, 8, 2)), 2);
	if (val)
		*val = m.in[1];
	return m.in[0];
}

static uint8_t getdir(uint16_t line)
{
	uint8_t v = 0xff;

	assert_int_equal(req(VIRTIO_GPIO_MSG_GET_DIRECTION, line, 0, &v), OK);
	return v;
}

static uint8_t getv(uint16_t line)
{
	uint8_t v = 0xff;

	assert_int_equal(req(VIRTIO_GPIO_MSG_GET_VALUE, line, 0, &v), OK);
	return v;
}

static void drive(uint16_t line, uint8_t v)
{
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_VALUE, line, v, NULL), OK);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_DIRECTION, line, DIR_OUT, NULL), OK);
}

/* Unmask line's interrupt: queue its eventq buffer (held by the device). */
static void unmask(struct msg *m, uint16_t line)
{
	uint8_t r[2] = { (uint8_t)line, (uint8_t)(line >> 8) };

	assert_int_equal(gpio_dev_event(&g, mk(m, r, 2, 1)), DEV_HELD);
}

/* The names block as the driver gets it (GET_LINE_NAMES), split. */
static const char *names[FK_MAX_LINES];
static struct msg names_msg;

static void get_names(unsigned n)
{
	uint8_t r[8] = { VIRTIO_GPIO_MSG_GET_LINE_NAMES, 0 }, cfg[8];
	uint32_t size;
	const char *p;

	gpio_dev_config(&g, cfg);
	CHECK_EQ(cfg[0] | cfg[1] << 8, n);
	size = (uint32_t)cfg[4] | (uint32_t)cfg[5] << 8 | (uint32_t)cfg[6] << 16;
	assert_true(1 + size <= sizeof(names_msg.in));
	CHECK_EQ(gpio_dev_request(&g, mk(&names_msg, r, 8, 1 + size)), 1 + size);
	CHECK_EQ(names_msg.in[0], OK);
	p = (const char *)names_msg.in + 1;
	for (unsigned i = 0; i < n; i++) {
		names[i] = p;
		p += strnlen(p, size) + 1;
		CHECK_EQ(p <= (const char *)names_msg.in + 1 + size, 1);
	}
	CHECK_EQ(p, (const char *)names_msg.in + 1 + size);
}

/* What every names block must be: 7-bit printable ASCII, and the names
 * present unique. */
static void check_names_rules(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		for (const char *c = names[i]; *c; c++)
			CHECK_EQ(*c >= 0x20 && *c < 0x7f, 1);
		for (unsigned j = 0; j < i && names[i][0]; j++)
			if (!strcmp(names[i], names[j]))
				fail_msg("%s: lines %u and %u are both '%s'\n  %s: \"%s\"",
					 cur->name, j, i, names[i], cur->ref, cur->says);
	}
}

/* A host chip with these line names (the stand-in's kernel). */
static void host_named(const char *const *n, unsigned count)
{
	assert_true(count <= FK_MAX_LINES);
	fk.nlines = count;
	for (unsigned i = 0; i < count; i++)
		fk.names[i] = n[i];
	start(fk_chip());
	get_names(count);
	check_names_rules(count);
}

/* ---- cases: line names ---- */

static void host_duplicate_names_made_unique(void **state)
{
	static const char *const n[] = { "LED", "LED", "reset", "LED" };

	host_named(n, 4);
	CHECK_STR(names[0], "LED");
	CHECK_STR(names[1], "LED_2");
	CHECK_STR(names[2], "reset");
	CHECK_STR(names[3], "LED_3");
}

static void host_replaced_bytes_never_duplicate(void **state)
{
	static const char *const n[] = { "BTN\x01", "BTN\xe9", "BTN?", "ok" };

	host_named(n, 4);
	CHECK_STR(names[0], "BTN?");
	CHECK_STR(names[1], "BTN?_2");
	CHECK_STR(names[2], "BTN?_3");
	CHECK_STR(names[3], "ok");
}

static void host_suffix_never_takes_a_name(void **state)
{
	static const char *const n[] = { "A", "A", "A_2", "A_3", "A" };

	host_named(n, 5);
	CHECK_STR(names[0], "A");
	CHECK_STR(names[1], "A_4");
	CHECK_STR(names[2], "A_2");
	CHECK_STR(names[3], "A_3");
	CHECK_STR(names[4], "A_5");
}

static void host_cut_names_never_duplicate(void **state)
{
	static const char *const n[] = {
		"a-very-long-gpio-line-name-0123456789-first",
		"a-very-long-gpio-line-name-0123456789-second",
	};

	host_named(n, 2);
	CHECK_EQ(strlen(names[0]), GPIO_NAME_MAX - 1);
	CHECK_EQ(strlen(names[1]), GPIO_NAME_MAX - 1);
	CHECK_STR(names[0], "a-very-long-gpio-line-name-0123");
	CHECK_STR(names[1], "a-very-long-gpio-line-name-01_2");
}

static void host_unnamed_lines_stay_unnamed(void **state)
{
	static const char *const n[] = { "", "x", "", "" };

	host_named(n, 4);
	CHECK_STR(names[0], "");
	CHECK_STR(names[1], "x");
	CHECK_STR(names[2], "");
	CHECK_STR(names[3], "");
}

static void host_many_equal_names(void **state)
{
	static const char *n[FK_MAX_LINES];

	for (unsigned i = 0; i < FK_MAX_LINES; i++)
		n[i] = i % 3 ? "gpio" : "gpio_7";
	host_named(n, FK_MAX_LINES);
	CHECK_STR(names[0], "gpio_7");
	CHECK_STR(names[1], "gpio");
	CHECK_STR(names[2], "gpio_2");
}

/* ---- cases: reset ---- */

static void reset_releases_simulated_lines(void **state)
{
	start(gpio_sim_new(4));
	drive(0, 1);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_IN, NULL), OK);
	assert_int_equal(getv(1), 1);
	gpio_dev_reset(&g);
	g.irq = true;                      /* the new driver's features */
	CHECK_EQ(getdir(0), DIR_IN);       /* unconfigured: an input */
	CHECK_EQ(getv(0), 0);
	CHECK_EQ(getv(1), 0);              /* its partner drives nothing */
	/* and SET_VALUE alone does not drive it (the old out value is gone) */
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_DIRECTION, 0, DIR_OUT, NULL), OK);
	CHECK_EQ(getv(1), 0);
}

static void reset_releases_host_lines(void **state)
{
	start(fk_chip());
	drive(0, 1);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_DIRECTION, 1, DIR_IN, NULL), OK);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 2, EDGE_R, NULL), OK);
	assert_true(fk.l[0].requested && fk.l[1].requested && fk.l[2].requested);
	gpio_dev_reset(&g);
	for (unsigned i = 0; i < fk.nlines; i++) {
		CHECK_EQ(fk.l[i].requested, 0);
		CHECK_EQ(fk.l[i].pipe[0], -1);     /* no event fd left */
	}
	CHECK_EQ(fk.releases, 3);
}

static void reset_forgets_held_buffers(void **state)
{
	struct msg m;

	start(gpio_sim_new(2));
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, EDGE_R, NULL), OK);
	unmask(&m, 1);
	gpio_dev_reset(&g);
	CHECK_EQ(ndone, 0);
	CHECK_EQ(g.held, 0);
	/* the wired partner rising after the reset reaches nothing */
	g.irq = true;
	drive(0, 1);
	CHECK_EQ(ndone, 0);
}

static void reset_disables_and_masks_interrupts(void **state)
{
	struct msg m;

	start(gpio_sim_new(2));
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, EDGE_R, NULL), OK);
	unmask(&m, 1);
	gpio_dev_reset(&g);
	g.irq = true;
	/* the new driver unmasks without enabling: no event, whatever the
	 * line does */
	unmask(&m, 1);
	drive(0, 1);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	CHECK_EQ(ndone, 0);
	/* once it enables the interrupt, edges are delivered again */
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, EDGE_R, NULL), OK);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_VALUE, 0, 0, NULL), OK);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	CHECK_EQ(ndone, 1);
	CHECK_EQ(done_status[0], VALID);
}

static void reset_drops_latched_edges(void **state)
{
	struct msg m;

	start(gpio_sim_new(2));
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, EDGE_R, NULL), OK);
	drive(0, 1);                       /* masked: latched */
	gpio_dev_reset(&g);
	g.irq = true;
	unmask(&m, 1);
	CHECK_EQ(ndone, 0);
}

static void reset_forgets_irq_feature(void **state)
{
	start(gpio_sim_new(2));
	gpio_dev_reset(&g);
	/* until the new driver negotiates VIRTIO_GPIO_F_IRQ again */
	CHECK_EQ(req(VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, EDGE_R, NULL), ERR);
}

/* ---- cases: a stopped eventq, a pause ---- */

static void queue_stop_keeps_lines_and_interrupts(void **state)
{
	struct msg m;

	start(gpio_sim_new(2));
	drive(0, 0);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, EDGE_R, NULL), OK);
	unmask(&m, 1);
	gpio_dev_events_stop(&g);
	CHECK_EQ(ndone, 0);                /* forgotten, nothing written */
	/* an edge while stopped is latched, not lost */
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	CHECK_EQ(ndone, 0);
	CHECK_EQ(getdir(0), DIR_OUT);
	CHECK_EQ(getv(1), 1);
	/* running again: the buffer gets the edge */
	unmask(&m, 1);
	CHECK_EQ(ndone, 1);
	CHECK_EQ(done_status[0], VALID);
}

static void pause_keeps_everything(void **state)
{
	struct msg m;

	/* a pause calls nothing in the device: lines, interrupt types,
	 * latched edges and held buffers are as they were, and an edge that
	 * came meanwhile is delivered to the held buffer */
	start(gpio_sim_new(4));
	drive(0, 0);
	drive(2, 1);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, EDGE_R, NULL), OK);
	unmask(&m, 1);
	CHECK_EQ(g.held, 1);
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_VALUE, 0, 1, NULL), OK);
	CHECK_EQ(ndone, 1);
	CHECK_EQ(getv(3), 1);
	CHECK_EQ(getdir(2), DIR_OUT);
}

/* ---- cases: where the device follows Linux ---- */

static void buffer_before_enable_held_never_valid(void **state)
{
	struct msg m;

	start(gpio_sim_new(2));
	unmask(&m, 1);                     /* not enabled */
	CHECK_EQ(ndone, 0);                /* held (documented deviation) */
	drive(0, 1);
	CHECK_EQ(ndone, 0);                /* the MUST NOT holds */
	/* disabling returns it INVALID */
	assert_int_equal(req(VIRTIO_GPIO_MSG_SET_IRQ_TYPE, 1, 0, NULL), OK);
	CHECK_EQ(ndone, 1);
	CHECK_EQ(done_status[0], INVALID);
}

/* ---- the table ---- */

#define VGPIO "virtio spec, Device Types / GPIO Device"
#define REQ_NORM VGPIO " / requestq Operation, device normative"
#define EVQ_NORM VGPIO " / eventq Operation, device normative"
#define NAMES VGPIO " / requestq Operation / Get Line Names"
#define RESET "virtio spec, 2.4.1 Device Requirements: Device Reset"
#define RESET_MSG "A device MUST NOT send notifications or interact with the queues after " \
	"indicating completion of the reset by reinitializing device status to 0, until the " \
	"driver re-initializes the device."
#define SUSPENDED "vhost-user spec (QEMU docs/interop/vhost-user.rst), Suspended device state"

static const struct conform_case cases[] = {
	{ CASE(host_duplicate_names_made_unique), REQ_NORM,
	  "The strings MUST be zero-terminated and an unique (if available) within the GPIO "
	  "device.", true },
	{ CASE(host_replaced_bytes_never_duplicate), NAMES,
	  "If present, the name string must be zero-terminated and the name must be unique "
	  "within a GPIO Device. The names of the GPIO lines are encoded in 7-bit ASCII.",
	  true },
	{ CASE(host_suffix_never_takes_a_name), REQ_NORM,
	  "The strings MUST be zero-terminated and an unique (if available) within the GPIO "
	  "device.", true },
	{ CASE(host_cut_names_never_duplicate), REQ_NORM,
	  "The strings MUST be zero-terminated and an unique (if available) within the GPIO "
	  "device.", true },
	{ CASE(host_unnamed_lines_stay_unnamed), NAMES,
	  "The names of the GPIO lines are optional and may be present only for a subset of "
	  "GPIO lines. If missing, then a zero-byte must be present for the GPIO line.",
	  true },
	{ CASE(host_many_equal_names), REQ_NORM,
	  "The strings MUST be zero-terminated and an unique (if available) within the GPIO "
	  "device.", true },
	{ CASE(reset_releases_simulated_lines), VGPIO " / requestq Operation / Set Direction",
	  "... or to VIRTIO_GPIO_DIRECTION_NONE, which deactivates the line (a reset device "
	  "is as initialized: every line deactivated)", false },
	{ CASE(reset_releases_host_lines), VGPIO " / requestq Operation, device normative",
	  "The device MUST discard all state information corresponding to a GPIO line, once "
	  "the driver has requested to set its direction to VIRTIO_GPIO_DIRECTION_NONE. "
	  "(after a reset, as for every line)", true },
	{ CASE(reset_forgets_held_buffers), RESET, RESET_MSG, false },
	{ CASE(reset_disables_and_masks_interrupts), EVQ_NORM,
	  "The device MUST NOT send an interrupt event to the driver for a GPIO line unless "
	  "the interrupt has been both unmasked and enabled by the driver. (Set IRQ Type: "
	  "\"The interrupts are masked at initialization\")", false },
	{ CASE(reset_drops_latched_edges), REQ_NORM,
	  "The device MUST discard any latched interrupt for a GPIO line, once interrupt is "
	  "disabled for the same. (a reset disables every interrupt)", false },
	{ CASE(reset_forgets_irq_feature), VGPIO " / requestq Operation / Set IRQ Type",
	  "This request is allowed only if the VIRTIO_GPIO_F_IRQ feature has been "
	  "negotiated.", false },
	{ CASE(queue_stop_keeps_lines_and_interrupts), SUSPENDED,
	  "While all vrings are stopped, the device is suspended. In addition to not "
	  "processing any vring (because they are stopped), the device must: not write to "
	  "any guest memory regions, not send any notifications to the guest", false },
	{ CASE(pause_keeps_everything), REQ_NORM,
	  "The device MUST latch an edge interrupt if the interrupt is enabled but still "
	  "masked. (a pause is no reset: nothing the driver set up is dropped)", false },
	{ CASE(buffer_before_enable_held_never_valid), EVQ_NORM,
	  "The device MUST NOT send an interrupt event to the driver for a GPIO line unless "
	  "the interrupt has been both unmasked and enabled by the driver. (the SHOULD to "
	  "return a buffer unmasked before enabling is not followed, as Linux needs: see "
	  "the man page, WHERE THE DEVICE FOLLOWS LINUX)", false },
};

static int setup(void **state)
{
	cur = *state;
	ndone = 0;
	memset(&g, 0, sizeof(g));
	return cur->host ? fk_setup(state) : 0;
}

static int teardown(void **state)
{
	gpio_dev_free(&g);
	return cur->host ? fk_teardown(state) : 0;
}

int main(void)
{
	struct CMUnitTest t[sizeof(cases) / sizeof(cases[0])];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		t[i] = (struct CMUnitTest){ cases[i].name, cases[i].fn, setup, teardown,
					    (void *)&cases[i] };
	return _cmocka_run_group_tests("conform_gpio", t, sizeof(t) / sizeof(t[0]),
				       NULL, NULL);
}
