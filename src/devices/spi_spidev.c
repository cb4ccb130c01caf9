/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Host chip selects on Linux spidev: capability probing through the
 * SPI_IOC_RD/WR_* ioctls (original settings restored), and batches of
 * requests carried out as SPI_IOC_MESSAGE calls, split at 511 transfers
 * and at spidev's bounce buffer size. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/spi/spidev.h>

#include "common/log.h"
#include "common/sandbox.h"
#include "devices/spi.h"

/* Linux SPI mode bits (include/uapi/linux/spi/spi.h) */
#define K_CPHA      (1u << 0)
#define K_CPOL      (1u << 1)
#define K_CS_HIGH   (1u << 2)
#define K_LSB_FIRST (1u << 3)
#define K_LOOP      (1u << 5)
#define K_TX_DUAL   (1u << 8)
#define K_TX_QUAD   (1u << 9)
#define K_RX_DUAL   (1u << 10)
#define K_RX_QUAD   (1u << 11)
#define K_TX_OCTAL  (1u << 13)
#define K_RX_OCTAL  (1u << 14)
#define K_CONTROLLED (K_CPHA | K_CPOL | K_CS_HIGH | K_LSB_FIRST | K_LOOP | K_TX_DUAL | \
		      K_TX_QUAD | K_RX_DUAL | K_RX_QUAD | K_TX_OCTAL | K_RX_OCTAL)

#define BUFSIZ_DEFAULT 4096
#define BUFSIZ_MAX     (16u << 20)

struct spidev_piece {
	struct spi_req *r;
	uint32_t off, n;
	uint32_t txoff, rxoff;
};

struct spidev_target {
	struct spi_target t;
	const struct spidev_ops *ops;
	void *ctx;
	int fd;
	uint32_t orig_mode;
	uint8_t orig_bits;
	uint32_t cur_mode;
	bool cur_valid;
	uint32_t bufsiz;           /* usable: a multiple of SPIDEV_ALIGN */
	uint8_t *txbuf, *rxbuf;
	struct spi_ioc_transfer x[SPIDEV_MAX_XFERS];
	struct spidev_piece piece[SPIDEV_MAX_XFERS];
};

uint32_t spidev_kernel_mode(uint32_t base, uint32_t vmode, unsigned tx_nbits,
			    unsigned rx_nbits)
{
	uint32_t m = base & ~K_CONTROLLED;

	m |= vmode & (K_CPHA | K_CPOL | K_CS_HIGH | K_LSB_FIRST);
	if (vmode & VIRTIO_SPI_MODE_LOOP)
		m |= K_LOOP;
	m |= tx_nbits == 8 ? K_TX_OCTAL : tx_nbits == 4 ? K_TX_QUAD : tx_nbits == 2 ? K_TX_DUAL : 0;
	m |= rx_nbits == 8 ? K_RX_OCTAL : rx_nbits == 4 ? K_RX_QUAD : rx_nbits == 2 ? K_RX_DUAL : 0;
	return m;
}

static uint32_t align_up(uint32_t n)
{
	return (n + SPIDEV_ALIGN - 1) / SPIDEV_ALIGN * SPIDEV_ALIGN;
}

static uint32_t ns_to_us_up(uint32_t ns)
{
	return (uint32_t)(((uint64_t)ns + 999) / 1000);
}

static void sleep_ns(uint32_t ns)
{
	struct timespec ts = { ns / 1000000000u, ns % 1000000000u };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void fail_from(struct spi_req *const *reqs, unsigned from, unsigned n)
{
	for (unsigned i = from; i < n; i++)
		reqs[i]->result = VIRTIO_SPI_TRANS_ERR;
}

static bool spidev_run(struct spi_target *t, struct spi_req *const *reqs, unsigned n)
{
	struct spidev_target *s = (struct spidev_target *)t;
	unsigned txn = 1, rxn = 1, i = 0;
	uint32_t mode, off = 0;
	int r;

	for (unsigned k = 0; k < n; k++) {
		if (reqs[k]->h.tx_nbits > txn)
			txn = reqs[k]->h.tx_nbits;
		if (reqs[k]->h.rx_nbits > rxn)
			rxn = reqs[k]->h.rx_nbits;
	}
	mode = spidev_kernel_mode(s->orig_mode, reqs[0]->h.mode, txn, rxn);
	if (!s->cur_valid || s->cur_mode != mode) {
		r = s->ops->ioctl(s->ctx, s->fd, SPI_IOC_WR_MODE32, &mode);
		if (r < 0) {
			log_bad("spi: %s: cannot set mode %#x: %s", t->name, mode, strerror(-r));
			s->cur_valid = false;
			fail_from(reqs, 0, n);
			return false;
		}
		s->cur_mode = mode;
		s->cur_valid = true;
	}

	while (i < n) {
		unsigned nx = 0, first = i;
		uint32_t txu = 0, rxu = 0, sleep_after = 0;

		/* fill one message */
		while (i < n && nx < SPIDEV_MAX_XFERS) {
			struct spi_req *q = reqs[i];
			uint32_t wb = q->bpw <= 8 ? 1 : q->bpw <= 16 ? 2 : 4;
			uint32_t room = UINT32_MAX, piece;
			struct spi_ioc_transfer *x = &s->x[nx];
			bool ends;

			if (q->tx_len)
				room = s->bufsiz - txu;
			if (q->rx_len && s->bufsiz - rxu < room)
				room = s->bufsiz - rxu;
			piece = q->len - off;
			if (piece > room)
				piece = room / wb * wb;
			if (!piece)
				break;
			memset(x, 0, sizeof(*x));
			s->piece[nx] = (struct spidev_piece){ q, off, piece, txu, rxu };
			if (q->tx_len) {
				spi_req_tx(q, off, s->txbuf + txu, piece);
				x->tx_buf = (uintptr_t)(s->txbuf + txu);
				txu += align_up(piece);
			}
			if (q->rx_len) {
				x->rx_buf = (uintptr_t)(s->rxbuf + rxu);
				rxu += align_up(piece);
			}
			x->len = piece;
			x->speed_hz = q->h.freq;
			x->bits_per_word = q->bpw;
			x->tx_nbits = q->h.tx_nbits;
			x->rx_nbits = q->h.rx_nbits;
			x->word_delay_usecs = (uint8_t)ns_to_us_up(q->h.word_delay_ns);
			nx++;
			off += piece;
			ends = off == q->len;
			if (!ends)
				continue;   /* the rest of this transfer follows, chip select kept */
			x->delay_usecs = (uint16_t)ns_to_us_up(q->h.cs_delay_hold_ns);
			x->cs_change = q->h.cs_change ? 1 : 0;
			off = 0;
			i++;
			/* the chip select goes inactive after this one: a wait
			 * longer than the kernel's own needs the message to end */
			if ((q->h.cs_change || i == n) && q->h.cs_change_delay_inactive_ns) {
				sleep_after = q->h.cs_change_delay_inactive_ns;
				break;
			}
		}
		if (!nx) {
			/* cannot happen: bufsiz >= SPIDEV_ALIGN >= one word */
			fail_from(reqs, i, n);
			return false;
		}
		/* last transfer of the message: cs_change there means "keep the
		 * chip selected after the message" */
		{
			struct spidev_piece *p = &s->piece[nx - 1];
			bool req_end = p->off + p->n == p->r->len;

			if (i == n || (req_end && p->r->h.cs_change))
				s->x[nx - 1].cs_change = 0;
			else
				s->x[nx - 1].cs_change = 1;
		}
		r = s->ops->ioctl(s->ctx, s->fd, SPI_IOC_MESSAGE(nx), s->x);
		if (r < 0) {
			log_bad("spi: %s: SPI_IOC_MESSAGE of %u transfers failed: %s",
				t->name, nx, strerror(-r));
			fail_from(reqs, first, n);
			return false;
		}
		for (unsigned k = 0; k < nx; k++) {
			struct spidev_piece *p = &s->piece[k];

			if (p->r->rx_len)
				spi_req_rx(p->r, p->off, s->rxbuf + p->rxoff, p->n);
		}
		if (sleep_after)
			sleep_ns(sleep_after);
	}
	return false;
}

static void spidev_destroy(struct spi_target *t)
{
	struct spidev_target *s = (struct spidev_target *)t;

	if (s->fd >= 0) {
		uint32_t m = s->orig_mode;
		uint8_t b = s->orig_bits;

		if (!s->cur_valid || s->cur_mode != m)
			s->ops->ioctl(s->ctx, s->fd, SPI_IOC_WR_MODE32, &m);
		s->ops->ioctl(s->ctx, s->fd, SPI_IOC_WR_BITS_PER_WORD, &b);
		s->ops->close(s->ctx, s->fd);
	}
	free(s->txbuf);
	free(s->rxbuf);
	free(s);
}

static const struct spi_target_ops spidev_target_ops = {
	.run = spidev_run,
	.destroy = spidev_destroy,
};

/* Does the spidev take mode m (and keep every bit of it)? */
static bool try_mode(struct spidev_target *s, uint32_t m)
{
	uint32_t back = 0;

	if (s->ops->ioctl(s->ctx, s->fd, SPI_IOC_WR_MODE32, &m) < 0)
		return false;
	if (s->ops->ioctl(s->ctx, s->fd, SPI_IOC_RD_MODE32, &back) < 0)
		return false;
	return back == m;
}

static void probe(struct spidev_target *s, uint32_t speed)
{
	struct spi_caps *k = &s->t.caps;
	uint32_t base = s->orig_mode & ~K_CONTROLLED;
	uint8_t b;

	memset(k, 0, sizeof(*k));
	if (try_mode(s, base))
		k->mode_func |= VIRTIO_SPI_MF_SUPPORT_CPHA_0 | VIRTIO_SPI_MF_SUPPORT_CPOL_0;
	if (try_mode(s, base | K_CPHA))
		k->mode_func |= VIRTIO_SPI_MF_SUPPORT_CPHA_1;
	if (try_mode(s, base | K_CPOL))
		k->mode_func |= VIRTIO_SPI_MF_SUPPORT_CPOL_1;
	/* the mode the device is in works by definition */
	k->mode_func |= (s->orig_mode & K_CPHA) ? VIRTIO_SPI_MF_SUPPORT_CPHA_1
						: VIRTIO_SPI_MF_SUPPORT_CPHA_0;
	k->mode_func |= (s->orig_mode & K_CPOL) ? VIRTIO_SPI_MF_SUPPORT_CPOL_1
						: VIRTIO_SPI_MF_SUPPORT_CPOL_0;
	if (try_mode(s, base | K_CS_HIGH))
		k->mode_func |= VIRTIO_SPI_MF_SUPPORT_CS_HIGH;
	if (try_mode(s, base | K_LSB_FIRST))
		k->mode_func |= VIRTIO_SPI_MF_SUPPORT_LSB_FIRST;
	if (try_mode(s, base | K_LOOP))
		k->mode_func |= VIRTIO_SPI_MF_SUPPORT_LOOPBACK;
	if (try_mode(s, base | K_TX_DUAL))
		k->tx_nbits |= VIRTIO_SPI_RX_TX_SUPPORT_DUAL;
	if (try_mode(s, base | K_TX_QUAD))
		k->tx_nbits |= VIRTIO_SPI_RX_TX_SUPPORT_QUAD;
	if (try_mode(s, base | K_TX_OCTAL))
		k->tx_nbits |= VIRTIO_SPI_RX_TX_SUPPORT_OCTAL;
	if (try_mode(s, base | K_RX_DUAL))
		k->rx_nbits |= VIRTIO_SPI_RX_TX_SUPPORT_DUAL;
	if (try_mode(s, base | K_RX_QUAD))
		k->rx_nbits |= VIRTIO_SPI_RX_TX_SUPPORT_QUAD;
	if (try_mode(s, base | K_RX_OCTAL))
		k->rx_nbits |= VIRTIO_SPI_RX_TX_SUPPORT_OCTAL;

	for (unsigned bits = 1; bits <= 32; bits++) {
		b = (uint8_t)bits;
		if (s->ops->ioctl(s->ctx, s->fd, SPI_IOC_WR_BITS_PER_WORD, &b) >= 0)
			k->bits_mask |= 1u << (bits - 1);
	}
	if (!k->bits_mask)
		k->bits_mask = 1u << ((s->orig_bits ? s->orig_bits : 8) - 1);

	k->max_freq_hz = speed;
	k->max_word_delay_ns = SPIDEV_MAX_WORD_DELAY_NS;
	k->max_cs_setup_ns = 0;          /* spidev cannot express it */
	k->max_cs_hold_ns = SPIDEV_MAX_HOLD_NS;
	k->max_cs_inactive_ns = SPIDEV_MAX_INACTIVE_NS;

	/* put everything back as we found it */
	{
		uint32_t m = s->orig_mode;

		b = s->orig_bits;
		if (s->ops->ioctl(s->ctx, s->fd, SPI_IOC_WR_MODE32, &m) < 0 ||
		    s->ops->ioctl(s->ctx, s->fd, SPI_IOC_WR_BITS_PER_WORD, &b) < 0)
			log_peer(LOG_WARN, "spi: %s: could not restore mode %#x / %u bits per word",
				 s->t.name, s->orig_mode, s->orig_bits);
	}
	s->cur_mode = s->orig_mode;
	s->cur_valid = true;
}

struct spi_target *spidev_target_new(const char *path, const struct spidev_ops *ops,
				     void *ctx, char *err, size_t errlen)
{
	struct spidev_target *s = calloc(1, sizeof(*s));
	uint32_t speed = 0;
	long bs;
	int r;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->t.ops = &spidev_target_ops;
	s->ops = ops;
	s->ctx = ctx;
	snprintf(s->t.name, sizeof(s->t.name), "%s", path);
	s->fd = ops->open(ctx, path);
	if (s->fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-s->fd));
		goto fail;
	}
	r = ops->ioctl(ctx, s->fd, SPI_IOC_RD_MODE32, &s->orig_mode);
	if (r < 0) {
		snprintf(err, errlen, "%s is not a spidev device (SPI_IOC_RD_MODE32: %s)",
			 path, strerror(-r));
		goto fail_close;
	}
	r = ops->ioctl(ctx, s->fd, SPI_IOC_RD_BITS_PER_WORD, &s->orig_bits);
	if (r >= 0)
		r = ops->ioctl(ctx, s->fd, SPI_IOC_RD_MAX_SPEED_HZ, &speed);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot read its settings: %s", path, strerror(-r));
		goto fail_close;
	}
	bs = ops->bufsiz ? ops->bufsiz(ctx) : -ENOENT;
	if (bs <= 0)
		bs = BUFSIZ_DEFAULT;
	if ((unsigned long)bs > BUFSIZ_MAX)
		bs = BUFSIZ_MAX;
	s->bufsiz = (uint32_t)bs / SPIDEV_ALIGN * SPIDEV_ALIGN;
	if (s->bufsiz < SPIDEV_ALIGN) {
		snprintf(err, errlen, "%s: spidev bufsiz %ld is too small", path, bs);
		goto fail_close;
	}
	s->txbuf = malloc(s->bufsiz);
	s->rxbuf = malloc(s->bufsiz);
	if (!s->txbuf || !s->rxbuf) {
		snprintf(err, errlen, "out of memory");
		goto fail_close;
	}
	probe(s, speed);
	return &s->t;

fail_close:
	ops->close(ctx, s->fd);
fail:
	free(s->txbuf);
	free(s->rxbuf);
	free(s);
	return NULL;
}

/* ---- the real kernel ---- */

static int sys_open(void *ctx, const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	sandbox_need(SB_NEED_SPI);
	return fd;
}

static void sys_close(void *ctx, int fd)
{
	close(fd);
}

static int sys_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static long sys_bufsiz(void *ctx)
{
	FILE *f = fopen("/sys/module/spidev/parameters/bufsiz", "re");
	long v = -ENOENT;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -EINVAL;
		fclose(f);
	}
	return v;
}

const struct spidev_ops spidev_sys_ops = {
	.open = sys_open,
	.close = sys_close,
	.ioctl = sys_ioctl,
	.bufsiz = sys_bufsiz,
};
