/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* libFuzzer target: virtio-spi request handling (src/devices/spi_core.c:
 * spi_sock_handle, spi_sock_flush, spi_sock_drop, the controller) over
 * chip selects that are simulated (spi_sim.c loopback, spi_flash.c with
 * no image file, spi_adc.c's mcp3008) or host spidev devices behind a fake struct spidev_ops
 * (spi_spidev.c) whose capabilities, bounce buffer size and failures come
 * from the input.  Two sockets (guests) share the controller.
 *
 * Every element is built (fuzz_util.c) over heap buffers of exactly their size
 * (one allocation per iovec), so AddressSanitizer reports any access past
 * them.  nanosleep is replaced by one that does not sleep below a second
 * (spidev_run sleeps for cs_change_delay_inactive_ns), so a 1 ms delay
 * does not slow the fuzzer.
 *
 * Input (missing bytes read as 0):
 *   0  chip selects - 1 (bits 0-1)
 *   1  kinds, two bits per chip select: 0 loopback, 1 flash, 2 spidev,
 *      3 mcp3008 (channels 0, 1, 511, 1023, 5, 700, 300, 1)
 *   2  spidev: Linux mode bits it takes (bit0-4 CPHA CPOL CS_HIGH
 *      LSB_FIRST LOOP, bit5 dual, bit6 quad, bit7 octal), 3 word sizes
 *      (0: 8; 1: 8, 16; 2: 1-32; 3: 8, 16, 32; bit2 its current mode is
 *      CPHA|CPOL), 4 bufsiz (of 8: 128 256 384 4096 4224 100 none 65536),
 *      5 max speed (of 4: none, 1 MHz, 50 MHz, 104 MHz)
 *   then records, op = byte, op % 4 (bit2: socket 0 or 1):
 *   0 request: cs byte (0xff: raw byte, else % (chip selects + 1)), bits
 *     per word (bit7: raw byte, else of 8: 0 8 16 32 7 9 24 33), cs_change
 *     byte, nbits byte (low/high nibble: tx/rx, of 8: 0 1 2 4 8 3 16 1),
 *     mode byte (bit7: le32 raw, else bits 0-4), delays byte (bits 0-4:
 *     le32 freq, word delay, cs setup, cs hold, cs inactive follow; bit5
 *     reserved bytes set), tx length byte, rx length byte (>= 0xf0: of 16
 *     edge lengths), then a layout (as fuzz_gpio: byte L, bit7 raw
 *     lengths (le32 readable, le16 writable), bits 0-1 / 2-3 pieces - 1,
 *     le16 split sizes, bit4 / bit5 no iovec at all for a 0 length)
 *     around 32 + tx readable and rx + 1 writable bytes; tx data from the
 *     input
 *   1 end of the kick on the socket (spi_sock_flush)
 *   2 queue stopped on the socket: spi_sock_drop and
 *     spi_ctrl_release_owner, pending elements freed
 *   3 spidev fault byte: bit0 SPI_IOC_WR_MODE32 fails, bit1
 *     SPI_IOC_MESSAGE fails
 *
 * Checked: spi_sock_handle returns -EINVAL exactly without a writable
 * byte, else DEV_HELD; each socket completes its elements once each, in
 * the order given, with the used length of the writable size and a
 * defined result in the last writable byte; a PARAM_ERR leaves the rx
 * buffer untouched; a loopback transfer that succeeds returns its tx
 * bytes (zeros without tx); what the fake spidev sees fits its bounce
 * buffers (128-byte aligned pieces), uses capabilities it advertised, and
 * has at most 511 transfers; a delay never exceeds what was advertised. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/spi/spidev.h>

#include "common/log.h"
#include "devices/spi.h"
#include "vhost/dev.h"
#include "fuzz_util.h"

#define CHECK(c) FZ_CHECK(c)

#define MAX_LIVE   4096
#define HEAD_LEN   32u

/* ---- no sleeping ---- */

static uint32_t max_sleep_ns;

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (req->tv_sec == 0 && req->tv_nsec >= 0) {
		CHECK((uint32_t)req->tv_nsec <= max_sleep_ns);
		return 0;
	}
	return (int)syscall(SYS_nanosleep, req, rem);
}

/* ---- elements over exact heap buffers ---- */

struct elem {
	struct fz_elem f;
	uint8_t *flat_out;       /* copy of the readable bytes */
	int sock;
};

/* Layout byte; bit7: raw lengths le32 (mod 256 KiB) readable, le16
 * writable, else the natural ones; split points are le16. */
static struct elem *elem_new(struct fz_in *r, size_t nat_out, size_t nat_in,
			     const uint8_t *hdr, size_t hdr_len)
{
	uint8_t l = fz_u8(r);
	size_t out_len = nat_out, in_len = nat_in, off = 0;
	struct elem *x;

	if (l & 0x80) {
		out_len = fz_u32(r) % (1u << 18);
		in_len = fz_u16(r);
	}
	x = (struct elem *)fz_elem_new(r, sizeof(*x), l, out_len, in_len, true, hdr, hdr_len);
	x->flat_out = malloc(out_len ? out_len : 1);
	CHECK(x->flat_out);
	for (unsigned i = 0; i < x->f.e.out_num; i++) {
		memcpy(x->flat_out + off, x->f.iov[i].iov_base, x->f.iov[i].iov_len);
		off += x->f.iov[i].iov_len;
	}
	return x;
}

static void elem_free(struct elem *x)
{
	free(x->flat_out);
	fz_elem_free(&x->f);
}

/* ---- the fake spidev ---- */

#define K_CPHA 0x01u
#define K_CPOL 0x02u
#define K_LOOP 0x20u

static struct {
	uint32_t takes;       /* Linux mode bits accepted */
	uint32_t bits_mask;   /* word sizes accepted */
	uint32_t mode[SPI_MAX_CS]; /* current, per open device */
	uint32_t orig_mode;
	uint32_t speed;
	long bufsiz;
	uint32_t usable;      /* bufsiz as spidev_target_new rounds it */
	uint8_t faults;
	int open, opened;
} sd;

#define FD0 42

static int sd_open(void *ctx, const char *path)
{
	CHECK(sd.opened < SPI_MAX_CS);
	sd.mode[sd.opened] = sd.orig_mode;
	sd.open++;
	return FD0 + sd.opened++;
}

static void sd_close(void *ctx, int fd)
{
	CHECK(sd.open > 0 && fd >= FD0 && fd < FD0 + sd.opened);
	sd.open--;
}

static long sd_bufsiz(void *ctx)
{
	return sd.bufsiz;
}

static uint32_t kernel_takes(uint8_t b)
{
	uint32_t m = 0;

	m |= b & 0x0f;                         /* CPHA CPOL CS_HIGH LSB_FIRST */
	if (b & 0x10)
		m |= K_LOOP;
	if (b & 0x20)
		m |= (1u << 8) | (1u << 10);   /* dual */
	if (b & 0x40)
		m |= (1u << 9) | (1u << 11);   /* quad */
	if (b & 0x80)
		m |= (1u << 13) | (1u << 14);  /* octal */
	return m;
}

static int sd_message(unsigned long req, struct spi_ioc_transfer *x)
{
	unsigned n = _IOC_SIZE(req) / sizeof(*x);
	uint32_t txu = 0, rxu = 0;
	volatile uint8_t sink = 0;

	CHECK(_IOC_SIZE(req) % sizeof(*x) == 0 && n >= 1 && n <= SPIDEV_MAX_XFERS);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *tx = (const uint8_t *)(uintptr_t)x[i].tx_buf;
		uint8_t *rx = (uint8_t *)(uintptr_t)x[i].rx_buf;

		if (n == 1 && !x[i].len && !tx && !rx) {
			/* the zero-length message that deselects a chip select
			 * a guest left active (spidev_release) */
			CHECK(!x[i].cs_change);
			return 0;
		}
		CHECK(x[i].len > 0 && (tx || rx));
		CHECK(x[i].bits_per_word >= 1 && x[i].bits_per_word <= 32 &&
		      (sd.bits_mask & (1u << (x[i].bits_per_word - 1))));
		CHECK(!sd.speed || x[i].speed_hz <= sd.speed);
		CHECK(x[i].tx_nbits <= 8 && x[i].rx_nbits <= 8);
		if (tx)
			txu += (x[i].len + SPIDEV_ALIGN - 1) / SPIDEV_ALIGN * SPIDEV_ALIGN;
		if (rx)
			rxu += (x[i].len + SPIDEV_ALIGN - 1) / SPIDEV_ALIGN * SPIDEV_ALIGN;
		CHECK(txu <= sd.usable && rxu <= sd.usable);
		for (uint32_t k = 0; k < x[i].len; k++) {
			uint8_t v = tx ? tx[k] : 0x3c;

			sink ^= v;
			if (rx)
				rx[k] = v;
		}
	}
	(void)sink;
	return sd.faults & 2 ? -EIO : (int)n;
}

static int sd_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	CHECK(sd.open > 0 && fd >= FD0 && fd < FD0 + sd.opened);
	switch (req) {
	case SPI_IOC_RD_MODE32:
		*(uint32_t *)arg = sd.mode[fd - FD0];
		return 0;
	case SPI_IOC_WR_MODE32: {
		uint32_t m = *(uint32_t *)arg;

		if (sd.faults & 1)
			return -EIO;
		if (m & ~(sd.takes | sd.orig_mode))
			return -EINVAL;
		sd.mode[fd - FD0] = m;
		return 0;
	}
	case SPI_IOC_RD_BITS_PER_WORD:
		*(uint8_t *)arg = 8;
		return 0;
	case SPI_IOC_WR_BITS_PER_WORD: {
		uint8_t b = *(uint8_t *)arg;

		if (b > 32 || !(sd.bits_mask & (1u << ((b ? b : 8) - 1))))
			return -EINVAL;
		return 0;
	}
	case SPI_IOC_RD_MAX_SPEED_HZ:
		*(uint32_t *)arg = sd.speed;
		return 0;
	}
	CHECK(_IOC_TYPE(req) == SPI_IOC_MAGIC && _IOC_NR(req) == 0 &&
	      _IOC_DIR(req) == _IOC_WRITE);
	return sd_message(req, arg);
}

static const struct spidev_ops fake_ops = {
	.open = sd_open,
	.close = sd_close,
	.ioctl = sd_ioctl,
	.bufsiz = sd_bufsiz,
};

/* ---- sockets and what they hold ---- */

enum { K_LOOPBACK, K_FLASH, K_SPIDEV, K_ADC };

static struct spi_ctrl ctrl;
static unsigned kind[SPI_MAX_CS];
static struct spi_sock socks[2];
/* per socket: elements handed over and not completed, oldest first */
static struct elem *fifo[2][MAX_LIVE];
static unsigned nfifo[2];
static struct elem *incoming;

static void complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	int s = (int)(intptr_t)ctx;
	struct elem *x = (struct elem *)e;
	uint8_t res;

	CHECK(s == 0 || s == 1);
	/* the guest's order: the oldest held one, or the one being handed
	 * over once nothing older is left */
	if (nfifo[s]) {
		CHECK(x == fifo[s][0]);
		memmove(fifo[s], fifo[s] + 1, --nfifo[s] * sizeof(fifo[s][0]));
	} else {
		CHECK(x == incoming);
		incoming = NULL;
	}
	CHECK(x->sock == s);
	CHECK(e->in_len >= 1 && len == e->in_len);
	res = fz_in_byte(e, e->in_len - 1);
	CHECK(res == VIRTIO_SPI_TRANS_OK || res == VIRTIO_SPI_PARAM_ERR ||
	      res == VIRTIO_SPI_TRANS_ERR);
	if (res == VIRTIO_SPI_PARAM_ERR) {
		for (uint32_t k = 0; k + 1 < e->in_len; k++)
			CHECK(fz_in_byte(e, k) == 0xa5);
	} else {
		uint8_t cs = x->flat_out[0];
		uint32_t tx_len = e->out_len - HEAD_LEN;

		CHECK(e->out_len >= HEAD_LEN && cs < ctrl.ncs);
		if (res == VIRTIO_SPI_TRANS_OK && kind[cs] == K_LOOPBACK)
			for (uint32_t k = 0; k + 1 < e->in_len; k++)
				CHECK(fz_in_byte(e, k) == (tx_len ? x->flat_out[HEAD_LEN + k] : 0));
	}
	elem_free(x);
}

static void drop(int s)
{
	spi_sock_drop(&socks[s]);
	spi_ctrl_release_owner(&ctrl, s);
	while (nfifo[s])
		elem_free(fifo[s][--nfifo[s]]);
	CHECK(!ctrl.held || ctrl.held_owner != s);
}

static const uint8_t bpw_tab[8] = { 0, 8, 16, 32, 7, 9, 24, 33 };
static const uint8_t nbits_tab[8] = { 0, 1, 2, 4, 8, 3, 16, 1 };
static const uint32_t len_tab[16] = {
	0, 1, 2, 3, 4, 127, 128, 129, 255, 256, 257, 4095, 4096, 4097, 8192, 65536 + 3,
};
static const long bufsiz_tab[8] = { 128, 256, 384, 4096, 4224, 100, -ENOENT, 65536 };
static const uint32_t speed_tab[4] = { 0, 1000000, 50000000, 104000000 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct fz_in r = { data, size };
	char err[256];
	unsigned ncs;
	uint8_t kinds, wb;

	if (!init) {
		log_set_level(getenv("FUZZ_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
		init = 1;
	}
	ncs = 1 + (fz_u8(&r) & 3);
	kinds = fz_u8(&r);
	memset(&sd, 0, sizeof(sd));
	sd.takes = kernel_takes(fz_u8(&r));
	wb = fz_u8(&r);
	sd.bits_mask = (wb & 3) == 0 ? 1u << 7 : (wb & 3) == 1 ? (1u << 7) | (1u << 15) :
		       (wb & 3) == 2 ? 0xffffffffu : (1u << 7) | (1u << 15) | (1u << 31);
	sd.orig_mode = wb & 4 ? K_CPHA | K_CPOL : 0;
	sd.bufsiz = bufsiz_tab[fz_u8(&r) % 8];
	sd.usable = (uint32_t)((sd.bufsiz <= 0 ? 4096 : sd.bufsiz) / SPIDEV_ALIGN * SPIDEV_ALIGN);
	sd.speed = speed_tab[fz_u8(&r) % 4];

	memset(&ctrl, 0, sizeof(ctrl));
	for (unsigned i = 0; i < ncs; i++) {
		struct spi_target *t;

		kind[i] = (kinds >> (2 * i)) & 3;
		if (kind[i] == K_SPIDEV)
			t = spidev_target_new("/dev/spidev-fuzz", &fake_ops, NULL, err, sizeof(err));
		else
			t = spi_sim_new(kind[i] == K_FLASH ? "flash" :
					kind[i] == K_ADC ? "mcp3008,ch1=1,ch2=511,ch3=1023,ch4=5,"
							   "ch5=700,ch6=300,ch7=1" : "loopback",
					err, sizeof(err));
		if (!t) {
			CHECK(kind[i] == K_SPIDEV && sd.usable < SPIDEV_ALIGN);
			goto out;
		}
		ctrl.cs[ctrl.ncs++] = t;
	}
	if (spi_ctrl_finish(&ctrl, err, sizeof(err)) < 0)
		goto out;
	max_sleep_ns = ctrl.cfg.max_cs_inactive_ns;
	for (int s = 0; s < 2; s++) {
		memset(&socks[s], 0, sizeof(socks[s]));
		socks[s].ctrl = &ctrl;
		socks[s].index = s;
		socks[s].complete = complete;
		socks[s].complete_ctx = (void *)(intptr_t)s;
		nfifo[s] = 0;
	}

	while (r.n) {
		uint8_t op = fz_u8(&r);
		int s = (op >> 2) & 1;

		switch (op % 4) {
		case 0: {
			struct virtio_spi_transfer_head h;
			uint8_t b, d, hb[HEAD_LEN];
			uint32_t tx_len, rx_len;
			struct elem *x;
			int ret;

			memset(&h, 0, sizeof(h));
			b = fz_u8(&r);
			h.chip_select_id = b == 0xff ? fz_u8(&r) : (uint8_t)(b % (ncs + 1));
			b = fz_u8(&r);
			h.bits_per_word = b & 0x80 ? fz_u8(&r) : bpw_tab[b % 8];
			h.cs_change = fz_u8(&r);
			b = fz_u8(&r);
			h.tx_nbits = nbits_tab[b & 7];
			h.rx_nbits = nbits_tab[(b >> 4) & 7];
			b = fz_u8(&r);
			h.mode = b & 0x80 ? fz_u32(&r) : b & 0x1fu;
			d = fz_u8(&r);
			if (d & 1)
				h.freq = fz_u32(&r);
			if (d & 2)
				h.word_delay_ns = fz_u32(&r);
			if (d & 4)
				h.cs_setup_ns = fz_u32(&r);
			if (d & 8)
				h.cs_delay_hold_ns = fz_u32(&r);
			if (d & 0x10)
				h.cs_change_delay_inactive_ns = fz_u32(&r);
			if (d & 0x20)
				memset(h.reserved, 0xee, sizeof(h.reserved));
			b = fz_u8(&r);
			tx_len = b >= 0xf0 ? len_tab[b - 0xf0] : b;
			b = fz_u8(&r);
			rx_len = b >= 0xf0 ? len_tab[b - 0xf0] : b;
			memcpy(hb, &h, HEAD_LEN);
			x = elem_new(&r, HEAD_LEN + tx_len, rx_len + 1, hb, HEAD_LEN);
			x->sock = s;
			incoming = x;
			ret = spi_sock_handle(&socks[s], &x->f.e);
			if (ret < 0) {
				CHECK(ret == -EINVAL && incoming == x && x->f.e.in_len == 0);
				incoming = NULL;
				elem_free(x);
			} else {
				CHECK(ret == DEV_HELD);
				if (incoming == x) {
					CHECK(nfifo[s] < MAX_LIVE);
					fifo[s][nfifo[s]++] = x;
					incoming = NULL;
				}
			}
			CHECK(spi_sock_pending(&socks[s]) == nfifo[s]);
			break;
		}
		case 1:
			spi_sock_flush(&socks[s]);
			CHECK(nfifo[s] == 0 && spi_sock_pending(&socks[s]) == 0);
			break;
		case 2:
			drop(s);
			break;
		case 3:
			sd.faults = fz_u8(&r);
			break;
		}
		CHECK(!ctrl.held || (ctrl.held_owner >= 0 && ctrl.held_owner <= 1));
	}
	drop(0);
	drop(1);
	spi_sock_free(&socks[0]);
	spi_sock_free(&socks[1]);
out:
	sd.faults = 0;
	spi_ctrl_free(&ctrl);
	CHECK(sd.open == 0);
	return 0;
}
