/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Host chip selects on Linux spidev: capability probing through the
 * SPI_IOC_RD/WR_* ioctls (original settings restored), and batches of
 * requests carried out as SPI_IOC_MESSAGE calls, split at 511 transfers
 * and at spidev's bounce buffer size. */
#include <errno.h>
#include <stddef.h>
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
#include "vhost/work.h"

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

struct spidev_target {
	struct spi_target t;
	const struct spidev_ops *ops;
	void *ctx;
	int fd;
	uint32_t orig_mode;
	uint8_t orig_bits;
	/* the mode the device is set to: only the thread running its
	 * messages (its worker, or the caller without one) touches these */
	uint32_t cur_mode;
	bool cur_valid;
	uint32_t bufsiz;           /* usable: a multiple of SPIDEV_ALIGN */
	struct spidev_msg msg;     /* for spidev_run (inline) */
	struct work release_w;     /* a zero-length message: chip select off */
	bool release_queued;
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

uint32_t spidev_bufsiz(const struct spi_target *t)
{
	return ((const struct spidev_target *)t)->bufsiz;
}

int spidev_msg_alloc(struct spidev_msg *m, uint32_t bufsiz)
{
	m->txbuf = malloc(bufsiz);
	m->rxbuf = malloc(bufsiz);
	if (!m->txbuf || !m->rxbuf) {
		spidev_msg_free(m);
		return -ENOMEM;
	}
	m->cap = bufsiz;
	return 0;
}

void spidev_msg_free(struct spidev_msg *m)
{
	free(m->txbuf);
	free(m->rxbuf);
	m->txbuf = m->rxbuf = NULL;
	m->cap = 0;
}

unsigned spidev_msg_build(struct spi_target *t, struct spi_req *const *reqs, unsigned n,
			  bool batch_ends, struct spidev_msg *m)
{
	struct spidev_target *s = (struct spidev_target *)t;
	unsigned txn = 1, rxn = 1, i = 0, nx = 0;
	uint32_t txu = 0, rxu = 0;
	uint32_t room = s->bufsiz < m->cap ? s->bufsiz : m->cap;

	for (unsigned k = 0; k < n; k++) {
		if (reqs[k]->h.tx_nbits > txn)
			txn = reqs[k]->h.tx_nbits;
		if (reqs[k]->h.rx_nbits > rxn)
			rxn = reqs[k]->h.rx_nbits;
	}
	m->mode = spidev_kernel_mode(s->orig_mode, reqs[0]->h.mode, txn, rxn);
	m->sleep_after = 0;
	m->result = 0;
	m->mode_failed = false;
	m->keep_cs = false;
	/* whole requests only: each fits the bounce buffers (spi_check) */
	while (i < n && nx < SPIDEV_MAX_XFERS) {
		struct spi_req *q = reqs[i];
		struct spi_ioc_transfer *x = &m->x[nx];
		uint32_t al = align_up(q->len);

		if ((q->tx_len && txu + al > room) || (q->rx_len && rxu + al > room))
			break;
		memset(x, 0, sizeof(*x));
		m->rxoff[nx] = rxu;
		if (q->tx_len) {
			spi_req_tx(q, 0, m->txbuf + txu, q->len);
			x->tx_buf = (uintptr_t)(m->txbuf + txu);
			txu += al;
		}
		if (q->rx_len) {
			x->rx_buf = (uintptr_t)(m->rxbuf + rxu);
			rxu += al;
		}
		x->len = q->len;
		x->speed_hz = q->h.freq;
		x->bits_per_word = q->bpw;
		x->tx_nbits = q->h.tx_nbits;
		x->rx_nbits = q->h.rx_nbits;
		x->word_delay_usecs = (uint8_t)ns_to_us_up(q->h.word_delay_ns);
		x->delay_usecs = (uint16_t)ns_to_us_up(q->h.cs_delay_hold_ns);
		x->cs_change = q->h.cs_change ? 1 : 0;
		nx++;
		i++;
		/* the chip select goes inactive after this one: a wait longer
		 * than the kernel's own needs the message to end */
		if ((q->h.cs_change || i == n) && q->h.cs_change_delay_inactive_ns) {
			m->sleep_after = q->h.cs_change_delay_inactive_ns;
			break;
		}
	}
	m->nx = nx;
	if (!nx)
		return 0;
	/* The last transfer of a message: spidev's cs_change there keeps the
	 * chip select active after the message.  Inside the batch it stays
	 * active unless the guest's cs_change asks for a toggle; at the end of
	 * the batch the guest's cs_change = 0 ("keep asserted") is honoured
	 * the same way, until this guest's next transfer or another guest or
	 * chip select takes the bus. */
	{
		bool guest_keep = !reqs[i - 1]->h.cs_change;

		if (i < n || batch_ends)
			m->keep_cs = i < n ? guest_keep : guest_keep && !m->sleep_after;
		m->x[nx - 1].cs_change = m->keep_cs ? 1 : 0;
	}
	return i;
}

void spidev_msg_exec(struct spi_target *t, struct spidev_msg *m)
{
	struct spidev_target *s = (struct spidev_target *)t;
	int r;

	if (!s->cur_valid || s->cur_mode != m->mode) {
		r = s->ops->ioctl(s->ctx, s->fd, SPI_IOC_WR_MODE32, &m->mode);
		if (r < 0) {
			s->cur_valid = false;
			m->mode_failed = true;
			m->result = r;
			return;
		}
		s->cur_mode = m->mode;
		s->cur_valid = true;
	}
	if (!m->nx)
		return;
	r = s->ops->ioctl(s->ctx, s->fd, SPI_IOC_MESSAGE(m->nx), m->x);
	m->result = r < 0 ? r : 0;
	if (r >= 0 && m->sleep_after)
		sleep_ns(m->sleep_after);
}

bool spidev_msg_finish(struct spi_target *t, struct spidev_msg *m,
		       struct spi_req *const *reqs)
{
	if (m->result < 0) {
		if (m->mode_failed)
			log_bad("spi: %s: cannot set mode %#x: %s", t->name, m->mode,
				strerror(-m->result));
		else
			log_bad("spi: %s: SPI_IOC_MESSAGE of %u transfers failed: %s",
				t->name, m->nx, strerror(-m->result));
		fail_from(reqs, 0, m->nx);
		return false;
	}
	for (unsigned k = 0; k < m->nx; k++) {
		reqs[k]->result = VIRTIO_SPI_TRANS_OK;
		if (reqs[k]->rx_len)
			spi_req_rx(reqs[k], 0, m->rxbuf + m->rxoff[k], reqs[k]->len);
	}
	return true;
}

/* Inline, for callers without a worker (tests, fuzzers): every message
 * of the batch in turn.  Returns whether the chip select stays active. */
static bool spidev_run(struct spi_target *t, struct spi_req *const *reqs, unsigned n)
{
	struct spidev_target *s = (struct spidev_target *)t;
	unsigned i = 0;
	bool keep = false;

	while (i < n) {
		unsigned k = spidev_msg_build(t, reqs + i, n - i, true, &s->msg);

		if (!k) {
			/* cannot happen: each request fits bufsiz (spi_check) */
			fail_from(reqs, i, n);
			return false;
		}
		spidev_msg_exec(t, &s->msg);
		if (!spidev_msg_finish(t, &s->msg, reqs + i)) {
			fail_from(reqs, i, n);
			return false;
		}
		keep = s->msg.keep_cs;
		i += k;
	}
	return keep;
}

void spidev_deselect(struct spi_target *t)
{
	struct spidev_target *s = (struct spidev_target *)t;
	struct spi_ioc_transfer x;

	memset(&x, 0, sizeof(x));   /* zero length, cs_change 0: deselect */
	s->ops->ioctl(s->ctx, s->fd, SPI_IOC_MESSAGE(1), &x);
}

static void release_run(struct work *w)
{
	struct spidev_target *s = (struct spidev_target *)((char *)w -
		offsetof(struct spidev_target, release_w));

	spidev_deselect(&s->t);
}

static void release_done(struct work *w)
{
	struct spidev_target *s = (struct spidev_target *)((char *)w -
		offsetof(struct spidev_target, release_w));

	s->release_queued = false;
}

/* Deselect a chip select left active: a zero-length message, on the
 * target's worker, after what is queued there. */
static void spidev_release(struct spi_target *t)
{
	struct spidev_target *s = (struct spidev_target *)t;

	if (s->release_queued)
		return;
	s->release_queued = true;
	s->release_w.run = release_run;
	s->release_w.done = release_done;
	worker_submit(t->wk, &s->release_w);
}

static void spidev_destroy(struct spi_target *t)
{
	struct spidev_target *s = (struct spidev_target *)t;

	if (t->stuck)
		return;   /* its worker is still inside an ioctl: leave it be */
	if (s->fd >= 0) {
		uint32_t m = s->orig_mode;
		uint8_t b = s->orig_bits;

		if (!s->cur_valid || s->cur_mode != m)
			s->ops->ioctl(s->ctx, s->fd, SPI_IOC_WR_MODE32, &m);
		s->ops->ioctl(s->ctx, s->fd, SPI_IOC_WR_BITS_PER_WORD, &b);
		s->ops->close(s->ctx, s->fd);
	}
	spidev_msg_free(&s->msg);
	free(s);
}

static const struct spi_target_ops spidev_target_ops = {
	.run = spidev_run,
	.release = spidev_release,
	.destroy = spidev_destroy,
};

bool spidev_is(const struct spi_target *t)
{
	return t->ops == &spidev_target_ops;
}

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
	k->max_len = s->bufsiz;          /* one SPI_IOC_MESSAGE's bounce buffer */

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
	if (spidev_msg_alloc(&s->msg, s->bufsiz)) {
		snprintf(err, errlen, "out of memory");
		goto fail_close;
	}
	probe(s, speed);
	return &s->t;

fail_close:
	ops->close(ctx, s->fd);
fail:
	spidev_msg_free(&s->msg);
	free(s);
	return NULL;
}

/* ---- the real kernel ---- */

/* what a spidev worker asks of the device, for the sandbox */
static const struct sandbox_ioctl spidev_ioctls[] = {
	{ SPI_IOC_MESSAGE(1), SANDBOX_IOCTL_ANY_SIZE },   /* any transfer count */
	SANDBOX_IOCTL(SPI_IOC_RD_MODE),
	SANDBOX_IOCTL(SPI_IOC_WR_MODE),
	SANDBOX_IOCTL(SPI_IOC_RD_LSB_FIRST),
	SANDBOX_IOCTL(SPI_IOC_WR_LSB_FIRST),
	SANDBOX_IOCTL(SPI_IOC_RD_BITS_PER_WORD),
	SANDBOX_IOCTL(SPI_IOC_WR_BITS_PER_WORD),
	SANDBOX_IOCTL(SPI_IOC_RD_MAX_SPEED_HZ),
	SANDBOX_IOCTL(SPI_IOC_WR_MAX_SPEED_HZ),
	SANDBOX_IOCTL(SPI_IOC_RD_MODE32),
	SANDBOX_IOCTL(SPI_IOC_WR_MODE32),
};

static int sys_open(void *ctx, const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	sandbox_need(SB_NEED_THREADS);   /* a worker per spidev */
	sandbox_allow_ioctls(spidev_ioctls, sizeof(spidev_ioctls) / sizeof(spidev_ioctls[0]));
	sandbox_allow_syscall("nanosleep");        /* inter-transfer delays */
	sandbox_allow_syscall("clock_nanosleep");
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
