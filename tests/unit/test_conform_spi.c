/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-spi conformance, table-driven: each row names the statement of
 * the virtio specification (oasis-tcs/virtio-spec device-types/spi; the
 * section by its title, the statement quoted) and the check that proves
 * it, through one socket's queue (spi_core.c) over a controller with a
 * host spidev stand-in (chip select 0) and the simulated loopback (chip
 * select 1). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <cmocka.h>

#include "common/log.h"
#include "devices/spi.h"
#include "spidev_cfg.h"
#include "vhost/dev.h"

/* ---- spidev stand-in: records every SPI_IOC_MESSAGE ---- */

static unsigned nmsg;
static int fail_msgs;                  /* -errno for every message */
static struct { unsigned n; uint32_t len[4]; uint8_t cs_change[4]; } msgs[16];

static int sd_open(void *ctx, const char *path) { return 42; }
static void sd_close(void *ctx, int fd) { }

static int sd_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	int r = spi_fixed_config_ioctl(req, arg);

	if (r != -ENOTTY)
		return r;
	if (_IOC_TYPE(req) == SPI_IOC_MAGIC && _IOC_NR(req) == 0) {
		struct spi_ioc_transfer *x = arg;
		unsigned n = _IOC_SIZE(req) / sizeof(*x);

		if (fail_msgs)
			return fail_msgs;
		if (nmsg < 16) {
			msgs[nmsg].n = n;
			for (unsigned i = 0; i < n && i < 4; i++) {
				msgs[nmsg].len[i] = x[i].len;
				msgs[nmsg].cs_change[i] = x[i].cs_change;
			}
		}
		nmsg++;
		for (unsigned i = 0; i < n; i++)
			if (x[i].rx_buf && x[i].tx_buf)
				memcpy((void *)(uintptr_t)x[i].rx_buf,
				       (const void *)(uintptr_t)x[i].tx_buf, x[i].len);
		return 0;
	}
	return -ENOTTY;
}

static long sd_bufsiz(void *ctx) { return 256; }

static const struct spidev_ops sd_ops = {
	.open = sd_open, .close = sd_close, .ioctl = sd_ioctl, .bufsiz = sd_bufsiz,
};

/* ---- requests ---- */

struct telem {
	uint8_t out[32 + 512];
	uint8_t in[512 + 1];
	struct iovec iov[2];
	struct vq_elem e;
	uint32_t used;
	bool done;
};

static struct spi_ctrl ctl;
static struct spi_sock sock;

static void complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	struct telem *t = (struct telem *)((char *)e - offsetof(struct telem, e));

	assert_false(t->done);
	t->done = true;
	t->used = len;
}

static struct virtio_spi_transfer_head head(unsigned cs, uint8_t cs_change)
{
	struct virtio_spi_transfer_head h;

	memset(&h, 0, sizeof(h));
	h.chip_select_id = (uint8_t)cs;
	h.cs_change = cs_change;
	return h;
}

/* A request: head, txlen bytes of pattern, rxlen writable bytes. */
static void mk(struct telem *t, const struct virtio_spi_transfer_head *h,
	       uint32_t txlen, uint32_t rxlen)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->out, h, 32);
	for (uint32_t i = 0; i < txlen; i++)
		t->out[32 + i] = (uint8_t)(0x30 + i);
	memset(t->in, 0xee, sizeof(t->in));
	t->iov[0] = (struct iovec){ t->out, 32 + txlen };
	t->iov[1] = (struct iovec){ t->in, rxlen + 1 };
	t->e.out = t->iov;
	t->e.out_num = 1;
	t->e.out_len = 32 + txlen;
	t->e.in = t->iov + 1;
	t->e.in_num = 1;
	t->e.in_len = rxlen + 1;
}

static uint8_t result(const struct telem *t)
{
	assert_true(t->done);
	return t->in[t->e.in_len - 1];
}

/* One notification carrying n requests. */
static void kick(struct telem *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(spi_sock_handle(&sock, &t[i].e), DEV_HELD);
	spi_sock_flush(&sock);
}

/* ---- the checks ---- */

static void c_config_set(void)
{
	uint8_t cfg[32];
	uint32_t mf;

	spi_config_bytes(&ctl, cfg);
	assert_int_equal(cfg[0], 2);              /* cs_max_number */
	assert_int_equal(cfg[1], 1);              /* cs_change_supported */
	memcpy(&mf, cfg + 8, 4);
	assert_true(mf & 0x3);                    /* some CPHA */
	assert_true(mf & 0xc);                    /* some CPOL */
}

static void c_tx_unchanged(void)
{
	static struct telem t[2];
	struct virtio_spi_transfer_head h0 = head(0, 1), h1 = head(1, 0);
	uint8_t copy[2][64];

	mk(&t[0], &h0, 16, 16);
	mk(&t[1], &h1, 16, 16);
	memcpy(copy[0], t[0].out, 48);
	memcpy(copy[1], t[1].out, 48);
	kick(t, 2);
	assert_int_equal(result(&t[0]), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(result(&t[1]), VIRTIO_SPI_TRANS_OK);
	assert_memory_equal(t[0].out, copy[0], 48);
	assert_memory_equal(t[1].out, copy[1], 48);
	assert_memory_equal(t[0].in, t[0].out + 32, 16);   /* the stand-in echoes */
}

static void c_params_verified(void)
{
	static struct telem t[5];
	struct virtio_spi_transfer_head h[5] = { head(2, 0), head(0, 0), head(0, 0),
						 head(0, 0), head(1, 0) };

	h[1].mode = 1u << 5;           /* unknown mode bit */
	h[2].tx_nbits = 3;             /* invalid width */
	h[3].freq = 1000001;           /* above max_freq_hz (the spidev's) */
	h[4].cs_setup_ns = 1;          /* spidev cannot: max_cs_setup_ns 0 */
	for (unsigned i = 0; i < 5; i++)
		mk(&t[i], &h[i], 4, 4);
	kick(t, 5);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(result(&t[i]), VIRTIO_SPI_PARAM_ERR);
		assert_int_equal(t[i].in[0], 0xee);     /* rx untouched */
	}
	assert_int_equal(nmsg, 0);
}

static void c_duplex_lengths(void)
{
	static struct telem t;
	struct virtio_spi_transfer_head h = head(0, 0);

	mk(&t, &h, 4, 5);
	kick(&t, 1);
	assert_int_equal(result(&t), VIRTIO_SPI_PARAM_ERR);
	assert_int_equal(nmsg, 0);
}

static void c_longer_than_the_device_takes(void)
{
	static struct telem t[2];
	struct virtio_spi_transfer_head h0 = head(0, 0);

	mk(&t[0], &h0, 257, 0);        /* the spidev's bufsiz is 256 */
	mk(&t[1], &h0, 256, 0);
	kick(t, 2);
	assert_int_equal(result(&t[0]), VIRTIO_SPI_PARAM_ERR);
	assert_int_equal(result(&t[1]), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(nmsg, 1);
}

static void c_trans_err(void)
{
	static struct telem t;
	struct virtio_spi_transfer_head h = head(0, 0);

	fail_msgs = -ETIMEDOUT;
	mk(&t, &h, 4, 4);
	kick(&t, 1);
	fail_msgs = 0;
	assert_int_equal(result(&t), VIRTIO_SPI_TRANS_ERR);
	assert_int_equal(t.in[0], 0xee);
}

static void c_cs_change_zero_keeps_across_notifications(void)
{
	static struct telem t[3];
	struct virtio_spi_transfer_head keep = head(0, 0), drop = head(0, 1);

	mk(&t[0], &keep, 2, 0);
	kick(&t[0], 1);                /* notification 1 ends with cs_change 0 */
	mk(&t[1], &keep, 2, 2);
	mk(&t[2], &drop, 2, 0);
	kick(&t[1], 2);                /* notification 2 ends with cs_change 1 */
	assert_int_equal(nmsg, 2);     /* no release in between */
	assert_int_equal(msgs[0].n, 1);
	assert_int_equal(msgs[0].cs_change[0], 1);   /* spidev: stay active */
	assert_int_equal(msgs[1].n, 2);
	assert_int_equal(msgs[1].cs_change[0], 0);   /* kept between the two */
	assert_int_equal(msgs[1].cs_change[1], 0);   /* deselected at the end */
}

static void c_cs_toggle_inside_a_message(void)
{
	static struct telem t[2];
	struct virtio_spi_transfer_head toggle = head(0, 1), last = head(0, 1);

	mk(&t[0], &toggle, 2, 0);
	mk(&t[1], &last, 2, 0);
	kick(t, 2);
	assert_int_equal(nmsg, 1);
	assert_int_equal(msgs[0].n, 2);
	assert_int_equal(msgs[0].cs_change[0], 1);   /* toggled after the first */
	assert_int_equal(msgs[0].cs_change[1], 0);
}

static void c_kept_cs_released_for_another_guest(void)
{
	static struct telem a, b;
	static struct spi_sock other;
	struct virtio_spi_transfer_head keep = head(0, 0);

	mk(&a, &keep, 2, 0);
	kick(&a, 1);
	memset(&other, 0, sizeof(other));
	other.ctrl = &ctl;
	other.index = 1;
	other.complete = complete;
	mk(&b, &keep, 2, 0);
	assert_int_equal(spi_sock_handle(&other, &b.e), DEV_HELD);
	spi_sock_flush(&other);
	assert_int_equal(result(&b), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(nmsg, 3);     /* a, the release, b */
	assert_int_equal(msgs[1].n, 1);
	assert_int_equal(msgs[1].len[0], 0);
	assert_int_equal(msgs[1].cs_change[0], 0);
	spi_sock_drop(&other);
	spi_ctrl_release_owner(&ctl, 1);
	spi_sock_free(&other);
}

struct conform_case {
	const char *section;
	const char *statement;
	void (*check)(void);
};

static const struct conform_case cases[] = {
	{ "SPI Controller Device / Device Operation / device normative",
	  "The Virtio SPI device MUST set all the fields of struct virtio_spi_config "
	  "before they are read by the Virtio SPI driver.", c_config_set },
	{ "SPI Controller Device / Device Operation / device normative",
	  "The Virtio SPI device MUST NOT change the data in tx_buf.", c_tx_unchanged },
	{ "SPI Controller Device / Device Operation / device normative",
	  "The Virtio SPI device MUST verify the parameters in struct "
	  "virtio_spi_transfer_head after receiving the request, and MUST set struct "
	  "virtio_spi_transfer_result as VIRTIO_SPI_PARAM_ERR if not all parameters are "
	  "valid or some device unsupported features are set.", c_params_verified },
	{ "SPI Controller Device / Device Operation / device normative",
	  "For full-duplex transfer, the Virtio SPI device MUST verify that the buffer "
	  "size of tx_buf is equal to that of rx_buf. If not, the Virtio SPI device MUST "
	  "set struct virtio_spi_transfer_result as VIRTIO_SPI_PARAM_ERR.", c_duplex_lengths },
	{ "SPI Controller Device / Device Operation: Request Queue (result)",
	  "VIRTIO_SPI_PARAM_ERR indicates a parameter error, which means the parameters in "
	  "struct virtio_spi_transfer_head are not all valid, or some fields are set as "
	  "non-zero values but the corresponding features are not supported by device. "
	  "(A transfer longer than the chip select takes at once.)",
	  c_longer_than_the_device_takes },
	{ "SPI Controller Device / Device Operation: Request Queue (result)",
	  "VIRTIO_SPI_TRANS_ERR indicates a transfer error, which means that the "
	  "parameters are all valid but the transfer process failed.", c_trans_err },
	{ "SPI Controller Device / Device Operation: Request Queue (cs_change)",
	  "cs_change indicates whether to deselect device before starting the next SPI "
	  "transfer, 0 means chipselect keep asserted and 1 means chipselect deasserted "
	  "then asserted again. (Honoured across notifications on spidev.)",
	  c_cs_change_zero_keeps_across_notifications },
	{ "SPI Controller Device / Device configuration layout (cs_change_supported)",
	  "cs_change_supported indicates if the device supports to toggle chipselect "
	  "after each transfer in one message: ... 1: supported.",
	  c_cs_toggle_inside_a_message },
	{ "SPI Controller Device / Device Operation: Request Queue (cs_change)",
	  "0 means chipselect keep asserted (kept for that guest only: released before "
	  "another guest's transfer on the same device)",
	  c_kept_cs_released_for_another_guest },
};

static void test_conform_spi_table(void **state)
{
	char err[256];

	log_set_level(getenv("TDEBUG") ? LOG_DEBUG : LOG_ERROR);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s: %s\n", cases[i].section, cases[i].statement);
		memset(&ctl, 0, sizeof(ctl));
		ctl.cs[ctl.ncs++] = spidev_target_new("/dev/spidev0.0", &sd_ops, NULL,
						      err, sizeof(err));
		ctl.cs[ctl.ncs++] = spi_sim_new("loopback", err, sizeof(err));
		assert_non_null(ctl.cs[0]);
		assert_non_null(ctl.cs[1]);
		assert_int_equal(spi_ctrl_finish(&ctl, err, sizeof(err)), 0);
		memset(&sock, 0, sizeof(sock));
		sock.ctrl = &ctl;
		sock.complete = complete;
		nmsg = 0;
		fail_msgs = 0;
		memset(msgs, 0, sizeof(msgs));
		cases[i].check();
		spi_sock_drop(&sock);
		spi_ctrl_release_owner(&ctl, 0);
		spi_sock_free(&sock);
		spi_ctrl_free(&ctl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conform_spi_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
