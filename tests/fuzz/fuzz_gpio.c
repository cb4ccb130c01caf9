/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* libFuzzer target: the virtio-gpio device logic (src/devices/gpio_core.c)
 * over a simulated chip (gpio_sim.c) or a host chip (gpio_host.c) whose
 * libgpiod layer is a fake struct gpio_hw_ops, fed a sequence of requestq
 * and eventq elements, edge events, eventq stops and resets.
 *
 * Every element is built (fuzz_util.c) over heap buffers of exactly their size
 * (one allocation per iovec), so AddressSanitizer reports any access past
 * them; elements the device holds are tracked and freed when completed,
 * and freed by the harness after gpio_dev_events_stop/gpio_dev_reset, as
 * vq_stop would, so a late completion is a use after free.
 *
 * Input (missing bytes read as 0):
 *   0  bit0 host chip (fake libgpiod), bit1 VIRTIO_GPIO_F_IRQ, bit2 the
 *      fake cannot reconfigure in place (-EOPNOTSUPP, as libgpiod 1.6),
 *      bit3 odd line names (long, control and 8-bit characters)
 *   1  lines - 1 (mod 24)
 *   then records, op = byte, op % 8:
 *   0 requestq element: le16 type (byte t < 0x80: t % 8, else le16 raw),
 *     line byte (0xff: le16 raw, else % (lines + 1)), value byte (0xff:
 *     le32 raw, else % 4), then a layout (below) around 8 readable and 2
 *     (GET_LINE_NAMES: 1 + names size) writable bytes
 *   1 eventq element: line byte as above, layout around 2 / 1 bytes
 *   2 host: edge events on a line: line byte, count (1..8), pattern byte
 *     (bit i: rising), then one loop pass; sim: nothing
 *   3 eventq stopped (gpio_dev_events_stop): held elements freed
 *   4 reset (gpio_dev_reset), then F_IRQ again from op bit 3
 *   5 fake faults: byte (bit0 request, bit1 reconfigure, bit2 get_value,
 *     bit3 set_value, bit4 line_info (names, directions), bit5 read_event)
 *   6 config space read
 *   7 the input ends here (tail bytes are ignored)
 * Layout: byte L; L bit7 clear: natural lengths; set: readable length
 * (byte) and writable length (byte, 0xff: le16) follow.  L bits 0-1:
 * readable pieces - 1, bits 2-3
 * writable pieces, each split by a byte; bit4 (bit5): no readable
 * (writable) iovec at all when that length is 0.  Readable bytes past
 * the natural request come from the input.
 *
 * Checked: a request returns -EINVAL exactly when fewer than 2 bytes are
 * writable, else a length from 2 to the writable size; the status byte is
 * OK or ERR, ERR for malformed requests, and the value of an answer is a
 * direction or a level; GET_LINE_NAMES returns one printable,
 * NUL-terminated name per line; on the simulated chip an output line
 * reads back what the guest set.  Eventq completions are 1 byte, VALID or
 * INVALID, of an element the device holds (or was just given), and
 * g->held always equals the number held; a fake line is never requested
 * twice, nor set unless it is an output. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "devices/gpio.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "fuzz_util.h"

#define CHECK(c) FZ_CHECK(c)

#define MAX_LINES 24

/* ---- elements over exact heap buffers ---- */

struct elem {
	struct fz_elem f;
	bool live;
};

static unsigned next_head;

/* Layout byte; bit7: raw lengths u8 readable, u8 writable (0xff: le16
 * follows), else the natural ones; split points are u8. */
static struct elem *elem_new(struct fz_in *r, size_t nat_out, size_t nat_in,
			     const uint8_t *out_data)
{
	uint8_t l = fz_u8(r);
	size_t out_len = nat_out, in_len = nat_in;
	struct elem *x;

	if (l & 0x80) {
		out_len = fz_u8(r);
		in_len = fz_u8(r);
		if (in_len == 0xff)
			in_len = fz_u16(r);
	}
	x = (struct elem *)fz_elem_new(r, sizeof(*x), l, out_len, in_len, false, out_data,
				       nat_out);
	x->f.e.head = (uint16_t)next_head++;
	x->live = true;
	return x;
}

static void elem_free(struct elem *x)
{
	fz_elem_free(&x->f);
}

/* ---- the fake libgpiod ---- */

struct fake_req {
	unsigned line;
	struct gpio_hw_cfg cfg;
	int efd;
};

static struct {
	unsigned n;
	bool noreconf, oddnames;
	uint8_t faults;
	uint8_t level[MAX_LINES];
	struct fake_req *req[MAX_LINES];
	uint8_t pend[MAX_LINES][8];   /* queued events: 1 rising, 0 falling */
	unsigned npend[MAX_LINES];
	int chip;                     /* the opaque chip handle */
} hw;

static void *hw_open(const char *path, unsigned *nlines)
{
	*nlines = hw.n;
	return &hw.chip;
}

static void hw_close(void *chip)
{
	CHECK(chip == &hw.chip);
	for (unsigned i = 0; i < MAX_LINES; i++)
		CHECK(!hw.req[i]);
}

static int hw_line_info(void *chip, unsigned off, char *name, size_t len, int *dir)
{
	CHECK(chip == &hw.chip && off < hw.n);
	if (hw.faults & 0x10)
		return -EIO;
	if (hw.oddnames && off % 3 == 0)
		snprintf(name, len, "a-very-long-line-name-\x01\x7f\xc3\xa9-%u-0123456789abcdef", off);
	else if (hw.oddnames && off % 3 == 1)
		snprintf(name, len, "%s", "");
	else
		snprintf(name, len, "L%u", off);
	*dir = off & 1 ? VIRTIO_GPIO_DIRECTION_OUT : VIRTIO_GPIO_DIRECTION_IN;
	return 0;
}

static void *hw_request(void *chip, unsigned off, const struct gpio_hw_cfg *cfg,
			const char *consumer)
{
	struct fake_req *q;

	CHECK(chip == &hw.chip && off < hw.n);
	CHECK(!hw.req[off]);          /* the kernel would say EBUSY */
	CHECK(cfg->dir <= GPIO_HW_OUT && cfg->value <= 1);
	CHECK(!cfg->edges || cfg->dir == GPIO_HW_IN);
	if (hw.faults & 1) {
		errno = EBUSY;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	CHECK(q);
	q->line = off;
	q->cfg = *cfg;
	q->efd = -1;
	if (cfg->edges) {
		q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		CHECK(q->efd >= 0);
	}
	if (cfg->dir == GPIO_HW_OUT)
		hw.level[off] = cfg->value;
	hw.req[off] = q;
	return q;
}

static void hw_release(void *req)
{
	struct fake_req *q = req;

	CHECK(q && hw.req[q->line] == q);
	hw.req[q->line] = NULL;
	hw.npend[q->line] = 0;
	if (q->efd >= 0)
		close(q->efd);
	free(q);
}

static int hw_reconfigure(void *req, const struct gpio_hw_cfg *cfg)
{
	struct fake_req *q = req;

	CHECK(q && hw.req[q->line] == q);
	CHECK(cfg->dir <= GPIO_HW_OUT && cfg->value <= 1);
	if (hw.noreconf)
		return -EOPNOTSUPP;
	if (hw.faults & 2)
		return -EIO;
	if (cfg->edges && q->efd < 0) {
		q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		CHECK(q->efd >= 0);
	} else if (!cfg->edges && q->efd >= 0) {
		close(q->efd);
		q->efd = -1;
		hw.npend[q->line] = 0;
	}
	q->cfg = *cfg;
	if (cfg->dir == GPIO_HW_OUT)
		hw.level[q->line] = cfg->value;
	return 0;
}

static int hw_get_value(void *req)
{
	struct fake_req *q = req;

	CHECK(q && hw.req[q->line] == q);
	if (hw.faults & 4)
		return -EIO;
	return hw.level[q->line];
}

static int hw_set_value(void *req, int value)
{
	struct fake_req *q = req;

	CHECK(q && hw.req[q->line] == q);
	CHECK(q->cfg.dir == GPIO_HW_OUT);
	CHECK(value == 0 || value == 1);
	if (hw.faults & 8)
		return -EIO;
	hw.level[q->line] = (uint8_t)value;
	return 0;
}

static int hw_event_fd(void *req)
{
	struct fake_req *q = req;

	CHECK(q && hw.req[q->line] == q);
	return q->efd;
}

static int hw_read_event(void *req, int *rising)
{
	struct fake_req *q = req;
	unsigned l;
	uint64_t v;

	CHECK(q && hw.req[q->line] == q && q->cfg.edges);
	l = q->line;
	if (hw.faults & 0x20)
		return -EIO;
	if (!hw.npend[l]) {
		if (read(q->efd, &v, sizeof(v)) < 0)
			v = 0;
		return 0;
	}
	*rising = hw.pend[l][0];
	hw.level[l] = hw.pend[l][0];
	memmove(hw.pend[l], hw.pend[l] + 1, --hw.npend[l]);
	return 1;
}

static const struct gpio_hw_ops fake_ops = {
	.version = "fake",
	.open = hw_open,
	.close = hw_close,
	.line_info = hw_line_info,
	.request = hw_request,
	.reconfigure = hw_reconfigure,
	.release = hw_release,
	.get_value = hw_get_value,
	.set_value = hw_set_value,
	.event_fd = hw_event_fd,
	.read_event = hw_read_event,
};

/* ---- the device and what it holds ---- */

static struct elem *held[MAX_LINES + 1];
static unsigned nheld;
static struct elem *incoming;   /* the eventq element being handed over */

static void ev_complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	struct elem *x = (struct elem *)e;
	unsigned i;

	CHECK(len == 1 && e->in_len >= 1);
	CHECK(fz_in_byte(e, 0) == VIRTIO_GPIO_IRQ_STATUS_INVALID ||
	      fz_in_byte(e, 0) == VIRTIO_GPIO_IRQ_STATUS_VALID);
	if (x == incoming) {
		incoming = NULL;
	} else {
		for (i = 0; i < nheld && held[i] != x; i++)
			;
		CHECK(i < nheld);
		held[i] = held[--nheld];
	}
	CHECK(x->live);
	x->live = false;
	elem_free(x);
}

static void drop_held(void)
{
	while (nheld)
		elem_free(held[--nheld]);
}

static uint16_t rd_line(struct fz_in *r, unsigned n)
{
	uint8_t b = fz_u8(r);

	return b == 0xff ? fz_u16(r) : (uint16_t)(b % (n + 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct fz_in r = { data, size };
	struct gpio_dev g;
	struct gpio_chip *chip;
	struct loop *loop = NULL;
	uint8_t cfg0, sdir[MAX_LINES] = { 0 }, sval[MAX_LINES] = { 0 };
	bool host, stop = false;
	unsigned n;
	char err[256];

	if (!init) {
		log_set_level(getenv("FUZZ_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
		init = 1;
	}
	cfg0 = fz_u8(&r);
	n = 1 + fz_u8(&r) % MAX_LINES;
	host = cfg0 & 1;
	memset(&hw, 0, sizeof(hw));
	hw.n = n;
	hw.noreconf = cfg0 & 4;
	hw.oddnames = cfg0 & 8;
	if (host) {
		chip = gpio_host_new(&fake_ops, "/dev/gpiochip-fuzz", err, sizeof(err));
		loop = loop_new();
		CHECK(loop);
	} else {
		chip = gpio_sim_new(n);
	}
	CHECK(chip && chip->ngpio == n);
	CHECK(gpio_dev_init(&g, chip, loop) == 0);
	g.irq = cfg0 & 2;
	g.ev_complete = ev_complete;
	g.ev_ctx = NULL;
	nheld = 0;

	while (r.n && !stop) {
		uint8_t op = fz_u8(&r);

		switch (op % 8) {
		case 0: {
			uint8_t req[8], t = fz_u8(&r), vb;
			uint16_t type = t < 0x80 ? t % 8 : (uint16_t)(t | fz_u8(&r) << 8);
			uint16_t line = rd_line(&r, n);
			uint32_t v;
			struct elem *x;
			int ret;
			bool wellformed;

			vb = fz_u8(&r);
			v = vb == 0xff ? fz_u32(&r) : vb % 4u;
			req[0] = (uint8_t)type;
			req[1] = (uint8_t)(type >> 8);
			req[2] = (uint8_t)line;
			req[3] = (uint8_t)(line >> 8);
			memcpy(req + 4, &v, 4);
			x = elem_new(&r, 8, type == VIRTIO_GPIO_MSG_GET_LINE_NAMES ?
					   1 + g.names_size : 2, req);
			wellformed = x->f.e.out_len == 8;
			ret = gpio_dev_request(&g, &x->f.e);
			if (x->f.e.in_len < 2) {
				CHECK(ret == -EINVAL);
			} else {
				uint8_t st = fz_in_byte(&x->f.e, 0);

				CHECK(ret >= 2 && (uint32_t)ret <= x->f.e.in_len);
				CHECK(st == VIRTIO_GPIO_STATUS_OK || st == VIRTIO_GPIO_STATUS_ERR);
				if (!wellformed || line >= n || type == 0 ||
				    type > VIRTIO_GPIO_MSG_SET_IRQ_TYPE)
					CHECK(st == VIRTIO_GPIO_STATUS_ERR ||
					      (wellformed && type == VIRTIO_GPIO_MSG_GET_LINE_NAMES));
				if (st == VIRTIO_GPIO_STATUS_ERR || type != VIRTIO_GPIO_MSG_GET_LINE_NAMES)
					CHECK(ret == 2);
				if (st == VIRTIO_GPIO_STATUS_ERR)
					CHECK(fz_in_byte(&x->f.e, 1) == 0);
				if (st == VIRTIO_GPIO_STATUS_OK && wellformed) {
					uint8_t val = fz_in_byte(&x->f.e, 1);

					switch (type) {
					case VIRTIO_GPIO_MSG_GET_LINE_NAMES: {
						unsigned nul = 0;

						CHECK((uint32_t)ret == 1 + g.names_size);
						for (int k = 1; k < ret; k++) {
							uint8_t c = fz_in_byte(&x->f.e, (size_t)k);

							CHECK(!c || (c >= 0x20 && c < 0x7f));
							nul += !c;
						}
						CHECK(nul == n && fz_in_byte(&x->f.e, (size_t)ret - 1) == 0);
						break;
					}
					case VIRTIO_GPIO_MSG_GET_DIRECTION:
						CHECK(val == VIRTIO_GPIO_DIRECTION_IN ||
						      val == VIRTIO_GPIO_DIRECTION_OUT);
						if (sdir[line] != VIRTIO_GPIO_DIRECTION_NONE)
							CHECK(val == sdir[line]);
						break;
					case VIRTIO_GPIO_MSG_GET_VALUE:
						CHECK(val <= 1);
						if (!host && sdir[line] == VIRTIO_GPIO_DIRECTION_OUT)
							CHECK(val == sval[line]);
						break;
					case VIRTIO_GPIO_MSG_SET_DIRECTION:
						CHECK(v <= VIRTIO_GPIO_DIRECTION_IN && val == 0);
						sdir[line] = (uint8_t)v;
						if (v == VIRTIO_GPIO_DIRECTION_NONE)
							sval[line] = 0;
						break;
					case VIRTIO_GPIO_MSG_SET_VALUE:
						CHECK(v <= 1 && val == 0);
						sval[line] = (uint8_t)v;
						break;
					case VIRTIO_GPIO_MSG_SET_IRQ_TYPE:
						CHECK(g.irq && val == 0);
						CHECK(sdir[line] != VIRTIO_GPIO_DIRECTION_OUT ||
						      v == VIRTIO_GPIO_IRQ_TYPE_NONE);
						if (v != VIRTIO_GPIO_IRQ_TYPE_NONE)
							sdir[line] = VIRTIO_GPIO_DIRECTION_IN;
						break;
					}
				}
			}
			elem_free(x);
			break;
		}
		case 1: {
			uint16_t line = rd_line(&r, n);
			uint8_t req[2] = { (uint8_t)line, (uint8_t)(line >> 8) };
			struct elem *x = elem_new(&r, 2, 1, req);
			int ret;

			uint32_t in_len = x->f.e.in_len, out_len = x->f.e.out_len;

			incoming = x;
			ret = gpio_dev_event(&g, &x->f.e);
			/* x is freed here if the device completed it */
			if (in_len < 1) {
				CHECK(ret == -EINVAL && incoming == x);
				incoming = NULL;
				elem_free(x);
				break;
			}
			CHECK(ret == DEV_HELD);
			if (incoming == x) {
				/* kept: one per line at most */
				CHECK(out_len == 2 && line < n);
				CHECK(nheld < MAX_LINES);
				held[nheld++] = x;
				incoming = NULL;
			}
			break;
		}
		case 2: {
			uint16_t line = rd_line(&r, n);
			unsigned cnt = 1 + fz_u8(&r) % 8;
			uint8_t pat = fz_u8(&r);
			uint64_t one = 1;

			if (!host || line >= n || !hw.req[line] || hw.req[line]->efd < 0)
				break;
			for (unsigned k = 0; k < cnt && hw.npend[line] < 8; k++)
				hw.pend[line][hw.npend[line]++] = (pat >> k) & 1;
			CHECK(write(hw.req[line]->efd, &one, sizeof(one)) == sizeof(one));
			CHECK(loop_run_once(loop, 0) >= 0);
			break;
		}
		case 3:
			gpio_dev_events_stop(&g);
			CHECK(g.held == 0);
			drop_held();
			break;
		case 4:
			gpio_dev_reset(&g);
			CHECK(g.held == 0);
			drop_held();
			memset(sdir, 0, sizeof(sdir));
			memset(sval, 0, sizeof(sval));
			for (unsigned i = 0; host && i < n; i++)
				CHECK(!hw.req[i]);
			g.irq = op & 8;
			break;
		case 5:
			hw.faults = fz_u8(&r);
			break;
		case 6: {
			uint8_t cs[GPIO_CONFIG_SIZE];

			gpio_dev_config(&g, cs);
			CHECK((unsigned)(cs[0] | cs[1] << 8) == n && !cs[2] && !cs[3]);
			CHECK(((uint32_t)cs[4] | (uint32_t)cs[5] << 8 | (uint32_t)cs[6] << 16 |
			       (uint32_t)cs[7] << 24) == g.names_size);
			break;
		}
		case 7:
			stop = true;
			break;
		}
		CHECK(g.held == nheld);
	}
	/* the guest goes away: the queue stops, then the device resets */
	gpio_dev_events_stop(&g);
	drop_held();
	hw.faults = 0;
	gpio_dev_free(&g);
	if (loop)
		loop_free(loop);
	for (unsigned i = 0; i < MAX_LINES; i++)
		CHECK(!hw.req[i]);
	return 0;
}
