/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The spidev backend (src/devices/spi_spidev.c) against a stand-in for
 * the kernel's ioctls: probing and restoring, request-to-SPI_IOC_MESSAGE
 * mapping, splitting at 511 transfers and at bufsiz (between whole
 * transfers), the per-transfer limit, cs_change, failures. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/spi/spidev.h>
#include <cmocka.h>

#include "devices/spi.h"
#include "vhost/dev.h"
#include "devfx.h"
#include "spi_elem.h"

/* ------------------------------------------------------- fake spidev (kernel) */

#define K_CPHA 0x01u
#define K_CPOL 0x02u
#define K_CS_HIGH 0x04u
#define K_LSB 0x08u
#define K_3WIRE 0x10u
#define K_LOOP 0x20u
#define K_TX_DUAL 0x100u
#define K_RX_DUAL 0x400u

#define FK_MAX_MSG 16

static struct fake {
	int open_err, rd_mode_err;
	uint32_t mode;
	uint8_t bits;
	uint32_t speed;
	uint32_t accept;        /* mode bits spi_setup takes */
	uint32_t drop;          /* mode bits it silently clears */
	uint32_t bits_ok;       /* bits_per_word values it takes */
	long bufsiz;
	int fail_msg;           /* 1-based message that fails, 0 none */
	bool closed;
	unsigned wr_mode;
	unsigned nmsg;
	unsigned msg_n[FK_MAX_MSG];
	struct spi_ioc_transfer msg[FK_MAX_MSG][SPIDEV_MAX_XFERS];
	uint8_t wire[1 << 16];  /* every tx byte in order */
	size_t nwire;
} fk;

static void fake_reset(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.mode = 0;
	fk.bits = 8;
	fk.speed = 2000000;
	fk.accept = K_CPHA | K_CPOL | K_LSB | K_3WIRE | K_LOOP;
	fk.drop = K_TX_DUAL | K_RX_DUAL;
	fk.bits_ok = (1u << 7) | (1u << 15);
	fk.bufsiz = 4096;
}

static int fk_open(void *ctx, const char *path)
{
	return fk.open_err ? fk.open_err : 42;
}

static void fk_close(void *ctx, int fd)
{
	assert_int_equal(fd, 42);
	fk.closed = true;
}

static int fk_message(struct spi_ioc_transfer *x, unsigned n)
{
	uint32_t tx_total = 0, rx_total = 0;
	unsigned m = fk.nmsg++;

	assert_true(n >= 1 && n <= SPIDEV_MAX_XFERS);
	if (m < FK_MAX_MSG) {
		fk.msg_n[m] = n;
		memcpy(fk.msg[m], x, n * sizeof(*x));
	}
	if (fk.fail_msg && fk.nmsg == (unsigned)fk.fail_msg)
		return -EIO;
	for (unsigned i = 0; i < n; i++) {
		uint32_t al = (x[i].len + 127) / 128 * 128;

		if (x[i].tx_buf)
			tx_total += al;
		if (x[i].rx_buf)
			rx_total += al;
		if (tx_total > fk.bufsiz || rx_total > fk.bufsiz)
			return -EMSGSIZE;
	}
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *tx = (const uint8_t *)(uintptr_t)x[i].tx_buf;
		uint8_t *rx = (uint8_t *)(uintptr_t)x[i].rx_buf;

		for (uint32_t k = 0; k < x[i].len; k++) {
			uint8_t b = tx ? tx[k] : 0;

			if (fk.nwire < sizeof(fk.wire))
				fk.wire[fk.nwire++] = b;
			if (rx)
				rx[k] = b ^ 0x5a;
		}
	}
	return 0;
}

static int fk_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	assert_int_equal(fd, 42);
	switch (req) {
	case SPI_IOC_RD_MODE32:
		if (fk.rd_mode_err)
			return fk.rd_mode_err;
		*(uint32_t *)arg = fk.mode;
		return 0;
	case SPI_IOC_WR_MODE32: {
		uint32_t m = *(uint32_t *)arg;

		fk.wr_mode++;
		if (m & ~(fk.accept | fk.drop))
			return -EINVAL;
		fk.mode = m & ~fk.drop;
		return 0;
	}
	case SPI_IOC_RD_BITS_PER_WORD:
		*(uint8_t *)arg = fk.bits;
		return 0;
	case SPI_IOC_WR_BITS_PER_WORD: {
		uint8_t b = *(uint8_t *)arg;

		if (b < 1 || b > 32 || !(fk.bits_ok & (1u << (b - 1))))
			return -EINVAL;
		fk.bits = b;
		return 0;
	}
	case SPI_IOC_RD_MAX_SPEED_HZ:
		*(uint32_t *)arg = fk.speed;
		return 0;
	}
	if (_IOC_TYPE(req) == SPI_IOC_MAGIC && _IOC_NR(req) == 0 && _IOC_DIR(req) == _IOC_WRITE) {
		unsigned size = _IOC_SIZE(req);

		assert_int_equal(size % sizeof(struct spi_ioc_transfer), 0);
		return fk_message(arg, size / sizeof(struct spi_ioc_transfer));
	}
	return -ENOTTY;
}

static long fk_bufsiz(void *ctx)
{
	return fk.bufsiz;
}

static const struct spidev_ops fk_ops = {
	.open = fk_open, .close = fk_close, .ioctl = fk_ioctl, .bufsiz = fk_bufsiz,
};

static struct spi_target *fk_target(void)
{
	char err[256];
	struct spi_target *t = spidev_target_new("/dev/spidev9.0", &fk_ops, NULL, err, sizeof(err));

	if (!t)
		fail_msg("spidev_target_new: %s", err);
	return t;
}

/* A controller with one spidev chip select; reqs parsed from elements. */
static struct spi_ctrl sctl;

static void sctl_setup(void)
{
	char err[128];

	memset(&sctl, 0, sizeof(sctl));
	sctl.cs[sctl.ncs++] = fk_target();
	assert_int_equal(spi_ctrl_finish(&sctl, err, sizeof(err)), 0);
	fk.nmsg = 0;
	fk.nwire = 0;
	fk.wr_mode = 0;
}

static void run_elems(struct telem *t, unsigned n)
{
	static struct spi_req reqs[1100];
	static struct spi_req *pp[1100];

	assert_true(n <= 1100);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(spi_req_parse(&sctl, &t[i].e, &reqs[i]), VIRTIO_SPI_TRANS_OK);
		pp[i] = &reqs[i];
	}
	spi_ctrl_run(&sctl, 0, pp, n);
	for (unsigned i = 0; i < n; i++)
		spi_req_finish(&reqs[i]);
}

/* ---------------------------------------------------------------- probing */

static void test_spi_spidev_probe_and_restore(void **state)
{
	struct spi_target *t;

	fake_reset();
	fk.mode = K_3WIRE | K_CPHA;  /* as the device tree left it */
	fk.bits = 16;
	t = fk_target();
	assert_int_equal(t->caps.mode_func,
			 VIRTIO_SPI_MF_SUPPORT_CPHA_0 | VIRTIO_SPI_MF_SUPPORT_CPHA_1 |
			 VIRTIO_SPI_MF_SUPPORT_CPOL_0 | VIRTIO_SPI_MF_SUPPORT_CPOL_1 |
			 VIRTIO_SPI_MF_SUPPORT_LSB_FIRST | VIRTIO_SPI_MF_SUPPORT_LOOPBACK);
	/* dual was silently dropped by spi_setup: not advertised */
	assert_int_equal(t->caps.tx_nbits, 0);
	assert_int_equal(t->caps.rx_nbits, 0);
	assert_int_equal(t->caps.bits_mask, (1u << 7) | (1u << 15));
	assert_int_equal(t->caps.max_freq_hz, 2000000);
	assert_int_equal(t->caps.max_cs_setup_ns, 0);
	assert_int_equal(t->caps.max_word_delay_ns, SPIDEV_MAX_WORD_DELAY_NS);
	assert_int_equal(t->caps.max_cs_hold_ns, SPIDEV_MAX_HOLD_NS);
	/* settings restored */
	assert_int_equal(fk.mode, K_3WIRE | K_CPHA);
	assert_int_equal(fk.bits, 16);
	t->ops->destroy(t);
	assert_true(fk.closed);
	assert_int_equal(fk.mode, K_3WIRE | K_CPHA);
}

static void test_spi_spidev_probe_nbits_and_cs_high(void **state)
{
	struct spi_target *t;

	fake_reset();
	fk.accept |= K_CS_HIGH | K_TX_DUAL | K_RX_DUAL;
	fk.drop = 0;
	t = fk_target();
	assert_true(t->caps.mode_func & VIRTIO_SPI_MF_SUPPORT_CS_HIGH);
	assert_int_equal(t->caps.tx_nbits, VIRTIO_SPI_RX_TX_SUPPORT_DUAL);
	assert_int_equal(t->caps.rx_nbits, VIRTIO_SPI_RX_TX_SUPPORT_DUAL);
	assert_int_equal(fk.mode, 0);
	t->ops->destroy(t);
}

static void test_spi_spidev_open_errors(void **state)
{
	char err[256];

	fake_reset();
	fk.open_err = -EACCES;
	assert_null(spidev_target_new("/dev/spidev9.0", &fk_ops, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "/dev/spidev9.0"));
	assert_non_null(strstr(err, strerror(EACCES)));
	fake_reset();
	fk.rd_mode_err = -ENOTTY;
	assert_null(spidev_target_new("/dev/null", &fk_ops, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "/dev/null"));
	assert_non_null(strstr(err, "not a spidev"));
	assert_true(fk.closed);
}

static void test_spi_spidev_kernel_mode(void **state)
{
	assert_int_equal(spidev_kernel_mode(0, VIRTIO_SPI_CPHA | VIRTIO_SPI_CPOL, 1, 1), 3);
	assert_int_equal(spidev_kernel_mode(0, VIRTIO_SPI_MODE_LOOP, 0, 0), K_LOOP);
	assert_int_equal(spidev_kernel_mode(0, VIRTIO_SPI_CS_HIGH | VIRTIO_SPI_MODE_LSB_FIRST, 1, 1),
			 K_CS_HIGH | K_LSB);
	/* bits we do not control are kept, the ones we do are replaced */
	assert_int_equal(spidev_kernel_mode(K_3WIRE | K_CPHA | K_LOOP, 0, 2, 4),
			 K_3WIRE | K_TX_DUAL | (1u << 11));
	assert_int_equal(spidev_kernel_mode(0, 0, 8, 8), (1u << 13) | (1u << 14));
}

/* ---------------------------------------------------------------- mapping */

static void test_spi_spidev_one_request(void **state)
{
	struct virtio_spi_transfer_head h = spi_head(0, VIRTIO_SPI_CPHA);
	uint8_t tx[4] = { 0x9f, 1, 2, 3 }, rx[4] = { 0 };
	struct telem t;
	struct spi_ioc_transfer *x;

	fake_reset();
	sctl_setup();
	h.freq = 1500000;
	h.word_delay_ns = 1500;         /* -> 2 us, rounded up */
	h.cs_delay_hold_ns = 3000;      /* -> 3 us */
	h.bits_per_word = 8;
	spi_mk(&t, &h, tx, 4, rx, 4);
	run_elems(&t, 1);
	assert_int_equal(t.result, VIRTIO_SPI_TRANS_OK);
	assert_int_equal(fk.nmsg, 1);
	assert_int_equal(fk.msg_n[0], 1);
	x = &fk.msg[0][0];
	assert_int_equal(x->len, 4);
	assert_int_equal(x->speed_hz, 1500000);
	assert_int_equal(x->bits_per_word, 8);
	assert_int_equal(x->word_delay_usecs, 2);
	assert_int_equal(x->delay_usecs, 3);
	/* the guest's cs_change 0 on its last transfer: "chipselect keep
	 * asserted", which spidev expresses as cs_change on the last transfer */
	assert_int_equal(x->cs_change, 1);
	assert_true(x->tx_buf && x->rx_buf);
	assert_memory_equal(fk.wire, tx, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(rx[i], tx[i] ^ 0x5a);
	/* the mode was set once with CPHA */
	assert_int_equal(fk.mode, K_CPHA);
	assert_int_equal(fk.wr_mode, 1);
	spi_mk(&t, &h, tx, 4, NULL, 0);
	run_elems(&t, 1);
	assert_int_equal(fk.wr_mode, 1);   /* same mode: not set again */
	assert_int_equal(fk.msg[1][0].rx_buf, 0);
	spi_ctrl_free(&sctl);
}

static void test_spi_spidev_batch_one_message_with_cs_change(void **state)
{
	struct virtio_spi_transfer_head h = spi_head(0, 0);
	uint8_t tx[3][2] = { { 1, 2 }, { 3, 4 }, { 5, 6 } }, rx[2];
	struct telem t[3];

	fake_reset();
	sctl_setup();
	spi_mk(&t[0], &h, tx[0], 2, NULL, 0);
	h.cs_change = 1;
	spi_mk(&t[1], &h, tx[1], 2, NULL, 0);
	h.cs_change = 1;   /* on the last: the chip select goes inactive anyway */
	spi_mk(&t[2], &h, NULL, 0, rx, 2);
	run_elems(t, 3);
	assert_int_equal(fk.nmsg, 1);
	assert_int_equal(fk.msg_n[0], 3);
	assert_int_equal(fk.msg[0][0].cs_change, 0);
	assert_int_equal(fk.msg[0][1].cs_change, 1);
	assert_int_equal(fk.msg[0][2].cs_change, 0);
	assert_int_equal(fk.msg[0][2].tx_buf, 0);
	assert_memory_equal(fk.wire, "\1\2\3\4\0\0", 6);
	assert_int_equal(rx[0], 0x5a);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(t[i].result, VIRTIO_SPI_TRANS_OK);
	spi_ctrl_free(&sctl);
}

static void test_spi_spidev_split_at_511(void **state)
{
	enum { N = 600 };
	static struct telem t[N];
	static uint8_t tx[N], rx[N];
	struct virtio_spi_transfer_head h = spi_head(0, 0);

	fake_reset();
	fk.bufsiz = 1 << 20;
	sctl_setup();
	for (unsigned i = 0; i < N; i++) {
		tx[i] = (uint8_t)i;
		rx[i] = 0;
		spi_mk(&t[i], &h, &tx[i], 1, &rx[i], 1);
	}
	run_elems(t, N);
	assert_int_equal(fk.nmsg, 2);
	assert_int_equal(fk.msg_n[0], SPIDEV_MAX_XFERS);
	assert_int_equal(fk.msg_n[1], N - SPIDEV_MAX_XFERS);
	/* chip select kept across the split, and after the end (the guest's
	 * last cs_change is 0: keep asserted) */
	assert_int_equal(fk.msg[0][SPIDEV_MAX_XFERS - 1].cs_change, 1);
	assert_int_equal(fk.msg[1][N - SPIDEV_MAX_XFERS - 1].cs_change, 1);
	assert_int_equal(fk.nwire, N);
	for (unsigned i = 0; i < N; i++) {
		assert_int_equal(fk.wire[i], (uint8_t)i);
		assert_int_equal(rx[i], (uint8_t)i ^ 0x5a);
		assert_int_equal(t[i].result, VIRTIO_SPI_TRANS_OK);
	}
	spi_ctrl_free(&sctl);
}

/* One transfer is bounded by spidev's bufsiz (one SPI_IOC_MESSAGE's
 * bounce buffer): longer is PARAM_ERR with nothing sent, whatever the
 * guest's buffers claim; exactly bufsiz is one message. */
static void test_spi_spidev_longer_than_bufsiz_is_param_err(void **state)
{
	enum { LEN = 10000 };
	static uint8_t tx[LEN], rx[LEN];
	struct virtio_spi_transfer_head h = spi_head(0, 0);
	struct telem t;
	struct spi_req r;

	fake_reset();     /* bufsiz 4096 */
	sctl_setup();
	assert_int_equal(sctl.cs[0]->caps.max_len, 4096);
	spi_mk(&t, &h, tx, LEN, rx, LEN);
	assert_int_equal(spi_req_parse(&sctl, &t.e, &r), VIRTIO_SPI_PARAM_ERR);
	spi_mk(&t, &h, NULL, 0, rx, 4097);
	assert_int_equal(spi_req_parse(&sctl, &t.e, &r), VIRTIO_SPI_PARAM_ERR);
	assert_int_equal(fk.nmsg, 0);
	for (unsigned i = 0; i < 4096; i++)
		tx[i] = (uint8_t)(i * 7);
	spi_mk(&t, &h, tx, 4096, rx, 4096);
	run_elems(&t, 1);
	assert_int_equal(t.result, VIRTIO_SPI_TRANS_OK);
	assert_int_equal(fk.nmsg, 1);
	assert_int_equal(fk.msg[0][0].len, 4096);
	assert_memory_equal(fk.wire, tx, 4096);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(rx[i], tx[i] ^ 0x5a);
	spi_ctrl_free(&sctl);
}

static void test_spi_spidev_split_keeps_words_and_alignment(void **state)
{
	enum { N = 5, LEN = 1000 };
	static uint8_t tx[N][LEN], rx[N][LEN];
	struct virtio_spi_transfer_head h = spi_head(0, 0);
	struct telem t[N];

	fake_reset();
	fk.bufsiz = 3000;   /* usable 2944 (a multiple of 128) */
	sctl_setup();
	h.bits_per_word = 16;
	for (unsigned i = 0; i < N; i++) {
		memset(tx[i], (int)(0x10 + i), LEN);
		spi_mk(&t[i], &h, tx[i], LEN, rx[i], LEN);
	}
	run_elems(t, N);   /* the fake refuses any message over bufsiz */
	assert_true(fk.nmsg >= 2);
	for (unsigned m = 0; m < fk.nmsg && m < FK_MAX_MSG; m++)
		for (unsigned k = 0; k < fk.msg_n[m]; k++)
			assert_int_equal(fk.msg[m][k].len % 2, 0);
	for (unsigned i = 0; i < N; i++) {
		assert_int_equal(t[i].result, VIRTIO_SPI_TRANS_OK);
		assert_int_equal(rx[i][LEN - 1], (0x10 + i) ^ 0x5a);
	}
	assert_int_equal(fk.nwire, N * LEN);
	spi_ctrl_free(&sctl);
}

static void test_spi_spidev_failure_marks_the_rest(void **state)
{
	enum { N = 600 };
	static struct telem t[N];
	static uint8_t tx[N], rx[N];
	struct virtio_spi_transfer_head h = spi_head(0, 0);

	fake_reset();
	fk.bufsiz = 1 << 20;
	fk.fail_msg = 2;
	sctl_setup();
	for (unsigned i = 0; i < N; i++)
		spi_mk(&t[i], &h, &tx[i], 1, &rx[i], 1);
	devfx_log_capture();
	run_elems(t, N);
	assert_true(devfx_log_has("spi: /dev/spidev9.0: SPI_IOC_MESSAGE of "));
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(t[i].result,
				 i < SPIDEV_MAX_XFERS ? VIRTIO_SPI_TRANS_OK : VIRTIO_SPI_TRANS_ERR);
	spi_ctrl_free(&sctl);
}

static void test_spi_spidev_mode_failure(void **state)
{
	struct virtio_spi_transfer_head h = spi_head(0, VIRTIO_SPI_CPOL);
	uint8_t tx[1] = { 0 };
	struct telem t;

	fake_reset();
	sctl_setup();
	fk.accept &= ~K_CPOL;   /* the device refuses it after probing */
	spi_mk(&t, &h, tx, 1, NULL, 0);
	devfx_log_capture();
	run_elems(&t, 1);
	assert_true(devfx_log_has("spi: /dev/spidev9.0: cannot set mode 0x2: "));
	assert_int_equal(t.result, VIRTIO_SPI_TRANS_ERR);
	assert_int_equal(fk.nmsg, 0);   /* nothing sent */
	spi_ctrl_free(&sctl);
}

static void test_spi_spidev_inactive_delay_ends_message(void **state)
{
	struct virtio_spi_transfer_head h = spi_head(0, 0);
	uint8_t tx[3] = { 1, 2, 3 };
	struct telem t[3];

	fake_reset();
	sctl_setup();
	spi_mk(&t[0], &h, &tx[0], 1, NULL, 0);
	h.cs_change = 1;
	h.cs_change_delay_inactive_ns = 20000;
	spi_mk(&t[1], &h, &tx[1], 1, NULL, 0);
	h.cs_change = 0;
	h.cs_change_delay_inactive_ns = 0;
	spi_mk(&t[2], &h, &tx[2], 1, NULL, 0);
	run_elems(t, 3);
	assert_int_equal(fk.nmsg, 2);
	assert_int_equal(fk.msg_n[0], 2);
	assert_int_equal(fk.msg[0][1].cs_change, 0);   /* released at the message end */
	assert_int_equal(fk.msg_n[1], 1);
	spi_ctrl_free(&sctl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spi_spidev_probe_and_restore),
		cmocka_unit_test(test_spi_spidev_probe_nbits_and_cs_high),
		cmocka_unit_test(test_spi_spidev_open_errors),
		cmocka_unit_test(test_spi_spidev_kernel_mode),
		cmocka_unit_test(test_spi_spidev_one_request),
		cmocka_unit_test(test_spi_spidev_batch_one_message_with_cs_change),
		cmocka_unit_test(test_spi_spidev_split_at_511),
		cmocka_unit_test(test_spi_spidev_longer_than_bufsiz_is_param_err),
		cmocka_unit_test(test_spi_spidev_split_keeps_words_and_alignment),
		cmocka_unit_test(test_spi_spidev_failure_marks_the_rest),
		cmocka_unit_test(test_spi_spidev_mode_failure),
		cmocka_unit_test(test_spi_spidev_inactive_delay_ends_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
