/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-spi requests: parsing and every PARAM_ERR case, the config
 * (intersection of the chip selects) and batching per kick.  The spidev
 * backend: test_spi_spidev.c. */
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

/* ---------------------------------------------------------- a fake target */

struct rec_target {
	struct spi_target t;
	unsigned runs;
	unsigned n[64];
	unsigned first_cs[64];
	uint32_t mode[64];
	unsigned total;
	bool fail;
};

static bool rec_run(struct spi_target *t, struct spi_req *const *reqs, unsigned n)
{
	struct rec_target *r = (struct rec_target *)t;
	uint8_t buf[4096];

	assert_true(r->runs < 64);
	r->n[r->runs] = n;
	r->first_cs[r->runs] = reqs[0]->h.chip_select_id;
	r->mode[r->runs] = reqs[0]->h.mode;
	r->runs++;
	r->total += n;
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(reqs[i]->result, VIRTIO_SPI_TRANS_OK);
		assert_true(reqs[i]->len <= sizeof(buf));
		spi_req_tx(reqs[i], 0, buf, reqs[i]->len);
		for (uint32_t k = 0; k < reqs[i]->len; k++)
			buf[k] ^= 0xff;
		if (!r->fail)
			spi_req_rx(reqs[i], 0, buf, reqs[i]->len);
		reqs[i]->result = r->fail ? VIRTIO_SPI_TRANS_ERR : VIRTIO_SPI_TRANS_OK;
	}
	return false;
}

static void rec_destroy(struct spi_target *t)
{
}

static const struct spi_target_ops rec_ops = { .run = rec_run, .destroy = rec_destroy };

static const struct spi_caps full_caps = {
	.tx_nbits = 7, .rx_nbits = 7, .bits_mask = 0xffffffffu, .mode_func = 0x7f,
	.max_freq_hz = 0, .max_word_delay_ns = 0xffffffffu, .max_cs_setup_ns = 0xffffffffu,
	.max_cs_hold_ns = 0xffffffffu, .max_cs_inactive_ns = 0xffffffffu,
	.max_len = 4096,
};

/* A controller with two recording chip selects of caps k. */
static struct rec_target rt[2];
static struct spi_ctrl ctl;

static void ctrl_with(const struct spi_caps *k)
{
	char err[128];

	memset(rt, 0, sizeof(rt));
	memset(&ctl, 0, sizeof(ctl));
	for (unsigned i = 0; i < 2; i++) {
		rt[i].t.ops = &rec_ops;
		rt[i].t.caps = *k;
		snprintf(rt[i].t.name, sizeof(rt[i].t.name), "rec%u", i);
		ctl.cs[ctl.ncs++] = &rt[i].t;
	}
	assert_int_equal(spi_ctrl_finish(&ctl, err, sizeof(err)), 0);
}

/* caps for the PARAM_ERR table: mode 0 only, 8 bits, single, limits */
static const struct spi_caps narrow_caps = {
	.tx_nbits = VIRTIO_SPI_RX_TX_SUPPORT_DUAL, .rx_nbits = 0, .bits_mask = 1u << 7,
	.mode_func = VIRTIO_SPI_MF_SUPPORT_CPHA_0 | VIRTIO_SPI_MF_SUPPORT_CPOL_0,
	.max_freq_hz = 10000000, .max_word_delay_ns = 1000, .max_cs_setup_ns = 0,
	.max_cs_hold_ns = 5000, .max_cs_inactive_ns = 7000, .max_len = 8,
};

/* ------------------------------------------------------------------ parse */

static void test_spi_parse_full_duplex(void **state)
{
	struct virtio_spi_transfer_head h = spi_head(1, 0);
	uint8_t tx[4] = { 1, 2, 3, 4 }, rx[4];
	struct telem t;
	struct spi_req r;

	ctrl_with(&full_caps);
	spi_mk(&t, &h, tx, 4, rx, 4);
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(r.len, 4);
	assert_int_equal(r.tx_len, 4);
	assert_int_equal(r.rx_len, 4);
	assert_int_equal(r.bpw, 8);
	assert_int_equal(r.h.chip_select_id, 1);
	/* the result goes into the last writable byte, not the rx buffer */
	memset(rx, 0x77, sizeof(rx));
	r.result = VIRTIO_SPI_TRANS_ERR;
	assert_int_equal(spi_req_finish(&r), 5);
	assert_int_equal(t.result, VIRTIO_SPI_TRANS_ERR);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(rx[i], 0x77);
}

static void test_spi_parse_half_duplex_and_default_bits(void **state)
{
	struct virtio_spi_transfer_head h = spi_head(0, 0);
	uint8_t buf[6];
	struct telem t;
	struct spi_req r;

	ctrl_with(&narrow_caps);
	h.bits_per_word = 0;   /* 0 = 8 bits */
	spi_mk(&t, &h, buf, 6, NULL, 0);
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(r.len, 6);
	assert_int_equal(r.rx_len, 0);
	assert_int_equal(r.bpw, 8);
	spi_mk(&t, &h, NULL, 0, buf, 6);
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(r.len, 6);
	assert_int_equal(r.tx_len, 0);
}

struct bad_case {
	const char *what;
	void (*edit)(struct virtio_spi_transfer_head *h, uint32_t *txlen, uint32_t *rxlen);
};

#define EDIT(name, body)                                                        \
	static void name(struct virtio_spi_transfer_head *h, uint32_t *txlen,   \
			 uint32_t *rxlen) { body; }
EDIT(e_cs, h->chip_select_id = 2)
EDIT(e_cs_far, h->chip_select_id = 255)
EDIT(e_zero, *txlen = 0; *rxlen = 0)
EDIT(e_lens, *txlen = 4; *rxlen = 5)
EDIT(e_lens_tx_longer, *txlen = 6; *rxlen = 4)
EDIT(e_bits16, h->bits_per_word = 16)
EDIT(e_bits33, h->bits_per_word = 33)
EDIT(e_mode_unknown, h->mode = 1u << 5)
EDIT(e_cpha, h->mode = VIRTIO_SPI_CPHA)
EDIT(e_cpol, h->mode = VIRTIO_SPI_CPOL)
EDIT(e_cs_high, h->mode = VIRTIO_SPI_CS_HIGH)
EDIT(e_lsb, h->mode = VIRTIO_SPI_MODE_LSB_FIRST)
EDIT(e_loop, h->mode = VIRTIO_SPI_MODE_LOOP)
EDIT(e_tx_nbits3, h->tx_nbits = 3)
EDIT(e_tx_quad, h->tx_nbits = 4)
EDIT(e_rx_dual, h->rx_nbits = 2)
EDIT(e_rx_nbits16, h->rx_nbits = 16)
EDIT(e_freq, h->freq = 10000001)
EDIT(e_word, h->word_delay_ns = 1001)
EDIT(e_setup, h->cs_setup_ns = 1)
EDIT(e_hold, h->cs_delay_hold_ns = 5001)
EDIT(e_inactive, h->cs_change_delay_inactive_ns = 7001)
EDIT(e_long, *txlen = 9; *rxlen = 9)
EDIT(e_long_rx, *txlen = 0; *rxlen = 9)

static const struct bad_case bad_cases[] = {
	{ "unknown chip select", e_cs },
	{ "chip select 255", e_cs_far },
	{ "zero length", e_zero },
	{ "tx shorter than rx", e_lens },
	{ "tx longer than rx", e_lens_tx_longer },
	{ "16 bits per word unsupported", e_bits16 },
	{ "33 bits per word", e_bits33 },
	{ "unknown mode bit", e_mode_unknown },
	{ "CPHA=1 unsupported", e_cpha },
	{ "CPOL=1 unsupported", e_cpol },
	{ "CS_HIGH unsupported", e_cs_high },
	{ "LSB_FIRST unsupported", e_lsb },
	{ "LOOP unsupported", e_loop },
	{ "tx_nbits 3 invalid", e_tx_nbits3 },
	{ "tx quad unsupported", e_tx_quad },
	{ "rx dual unsupported", e_rx_dual },
	{ "rx_nbits 16 invalid", e_rx_nbits16 },
	{ "frequency above max", e_freq },
	{ "word delay above max", e_word },
	{ "cs setup unsupported", e_setup },
	{ "cs hold above max", e_hold },
	{ "cs inactive above max", e_inactive },
	{ "longer than the chip select takes", e_long },
	{ "read longer than the chip select takes", e_long_rx },
};

static void test_spi_parse_every_param_err(void **state)
{
	uint8_t tx[16] = { 0 }, rx[16];

	ctrl_with(&narrow_caps);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct virtio_spi_transfer_head h = spi_head(0, 0);
		uint32_t txlen = 2, rxlen = 2;
		struct telem t;
		struct spi_req r;
		int rc;

		bad_cases[i].edit(&h, &txlen, &rxlen);
		spi_mk(&t, &h, tx, txlen, rx, rxlen);
		rc = spi_req_parse(&ctl, &t.e, &r);
		if (rc != VIRTIO_SPI_PARAM_ERR)
			fail_msg("%s: got %d", bad_cases[i].what, rc);
		assert_int_equal(spi_req_finish(&r), rxlen + 1);
		assert_int_equal(t.result, VIRTIO_SPI_PARAM_ERR);
	}
	/* the same head with the edits undone is fine: the table tests the edits */
	{
		struct virtio_spi_transfer_head h = spi_head(0, 0);
		struct telem t;
		struct spi_req r;

		h.tx_nbits = 2;
		h.freq = 10000000;
		h.word_delay_ns = 1000;
		h.cs_delay_hold_ns = 5000;
		h.cs_change_delay_inactive_ns = 7000;
		spi_mk(&t, &h, tx, 2, rx, 2);
		assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_TRANS_OK);
	}
}

static void test_spi_parse_word_multiple(void **state)
{
	struct virtio_spi_transfer_head h = spi_head(0, 0);
	uint8_t tx[8] = { 0 };
	struct telem t;
	struct spi_req r;

	ctrl_with(&full_caps);
	h.bits_per_word = 12;   /* 2-byte words */
	spi_mk(&t, &h, tx, 3, NULL, 0);
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_PARAM_ERR);
	spi_mk(&t, &h, tx, 4, NULL, 0);
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_TRANS_OK);
	h.bits_per_word = 24;   /* 4-byte words */
	spi_mk(&t, &h, tx, 6, NULL, 0);
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_PARAM_ERR);
	spi_mk(&t, &h, tx, 8, NULL, 0);
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_TRANS_OK);
}

static void test_spi_parse_malformed_chains(void **state)
{
	struct virtio_spi_transfer_head h = spi_head(0, 0);
	uint8_t tx[4] = { 0 };
	struct telem t;
	struct spi_req r;

	ctrl_with(&full_caps);
	/* no writable byte at all: no result can be given */
	spi_mk(&t, &h, tx, 4, NULL, 0);
	t.e.in_num = 0;
	t.e.in_len = 0;
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), -EINVAL);
	/* a head cut short: PARAM_ERR into the result byte */
	spi_mk(&t, &h, NULL, 0, NULL, 0);
	t.iov[0].iov_len = 31;
	t.e.out_len = 31;
	devfx_log_capture();
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_PARAM_ERR);
	assert_true(devfx_log_has("of 31 readable bytes has no 32-byte transfer head"));
	spi_req_finish(&r);
	assert_int_equal(t.result, VIRTIO_SPI_PARAM_ERR);
	/* only a head and a result: zero length */
	spi_mk(&t, &h, NULL, 0, NULL, 0);
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_PARAM_ERR);
}

/* ----------------------------------------------------------------- config */

static void test_spi_config_intersection(void **state)
{
	struct rec_target a = { 0 }, b = { 0 };
	struct spi_ctrl c;
	uint8_t raw[32];
	char err[128];

	memset(&c, 0, sizeof(c));
	a.t.ops = b.t.ops = &rec_ops;
	a.t.caps = full_caps;
	a.t.caps.max_freq_hz = 0;
	b.t.caps = narrow_caps;
	b.t.caps.mode_func |= VIRTIO_SPI_MF_SUPPORT_CPHA_1;
	c.cs[c.ncs++] = &a.t;
	c.cs[c.ncs++] = &b.t;
	assert_int_equal(spi_ctrl_finish(&c, err, sizeof(err)), 0);
	spi_config_bytes(&c, raw);
	assert_int_equal(raw[0], 2);                 /* cs_max_number */
	assert_int_equal(raw[1], 1);                 /* cs_change_supported */
	assert_int_equal(raw[2], VIRTIO_SPI_RX_TX_SUPPORT_DUAL);
	assert_int_equal(raw[3], 0);
	assert_memory_equal(raw + 4, "\x80\0\0\0", 4);           /* 8 bits only */
	assert_memory_equal(raw + 8, "\x07\0\0\0", 4);           /* CPHA 0/1, CPOL 0 */
	assert_memory_equal(raw + 12, "\x80\x96\x98\x00", 4);    /* 10 MHz */
	assert_memory_equal(raw + 16, "\xe8\x03\0\0", 4);        /* 1000 ns */
	assert_memory_equal(raw + 20, "\0\0\0\0", 4);
	assert_memory_equal(raw + 24, "\x88\x13\0\0", 4);        /* 5000 */
	assert_memory_equal(raw + 28, "\x58\x1b\0\0", 4);        /* 7000 */
}

static void test_spi_config_no_common_mode(void **state)
{
	struct rec_target a = { 0 }, b = { 0 };
	struct spi_ctrl c;
	char err[128] = "";

	memset(&c, 0, sizeof(c));
	a.t.ops = b.t.ops = &rec_ops;
	a.t.caps = full_caps;
	a.t.caps.mode_func = VIRTIO_SPI_MF_SUPPORT_CPHA_0 | VIRTIO_SPI_MF_SUPPORT_CPOL_0;
	b.t.caps = full_caps;
	b.t.caps.mode_func = VIRTIO_SPI_MF_SUPPORT_CPHA_1 | VIRTIO_SPI_MF_SUPPORT_CPOL_0;
	c.cs[c.ncs++] = &a.t;
	c.cs[c.ncs++] = &b.t;
	assert_int_equal(spi_ctrl_finish(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "clock mode"));
	c.ncs = 0;
	assert_int_equal(spi_ctrl_finish(&c, err, sizeof(err)), -EINVAL);
}

/* --------------------------------------------------------------- batching */

static struct spi_sock *sock;
static uint32_t done_len[64];
static struct vq_elem *done_e[64];
static unsigned ndone;

static void rec_complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	assert_true(ndone < 64);
	done_e[ndone] = e;
	done_len[ndone++] = len;
}

static void sock_setup(void)
{
	ctrl_with(&narrow_caps);
	if (!sock)
		sock = calloc(1, sizeof(*sock));
	assert_non_null(sock);
	memset(sock, 0, sizeof(*sock));
	sock->ctrl = &ctl;
	sock->complete = rec_complete;
	ndone = 0;
}

static int sock_teardown(void **state)
{
	free(sock);
	sock = NULL;
	return 0;
}

static void test_spi_batch_same_cs_and_mode_is_one_run(void **state)
{
	struct telem t[3];
	uint8_t tx[3][2] = { { 1, 2 }, { 3, 4 }, { 5, 6 } }, rx[3][2];
	struct virtio_spi_transfer_head h = spi_head(1, 0);

	sock_setup();
	for (unsigned i = 0; i < 3; i++) {
		h.cs_change = i == 1;
		spi_mk(&t[i], &h, tx[i], 2, rx[i], 2);
		assert_int_equal(spi_sock_handle(sock, &t[i].e), DEV_HELD);
	}
	assert_int_equal(rt[1].runs, 0);   /* nothing sent before the flush */
	spi_sock_flush(sock);
	assert_int_equal(rt[1].runs, 1);
	assert_int_equal(rt[1].n[0], 3);
	assert_int_equal(rt[0].runs, 0);
	assert_int_equal(ndone, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_ptr_equal(done_e[i], &t[i].e);
		assert_int_equal(done_len[i], 3);
		assert_int_equal(t[i].result, VIRTIO_SPI_TRANS_OK);
		assert_int_equal(rx[i][0], tx[i][0] ^ 0xff);
	}
	spi_sock_flush(sock);   /* nothing left */
	assert_int_equal(rt[1].runs, 1);
}

static void test_spi_batch_split_on_cs_and_mode(void **state)
{
	static const struct spi_caps modes = {
		.bits_mask = 1u << 7, .mode_func = 0x0f, .max_word_delay_ns = 0,
		.max_len = 64,
	};
	struct telem t[5];
	uint8_t tx[2] = { 0 };
	struct virtio_spi_transfer_head h0 = spi_head(0, 0), h1 = spi_head(1, 0), h0m3 = spi_head(0, 3);

	sock_setup();
	ctrl_with(&modes);
	spi_mk(&t[0], &h0, tx, 2, NULL, 0);
	spi_mk(&t[1], &h0, tx, 2, NULL, 0);
	spi_mk(&t[2], &h0m3, tx, 2, NULL, 0);   /* mode change */
	spi_mk(&t[3], &h1, tx, 2, NULL, 0);     /* chip select change */
	spi_mk(&t[4], &h1, tx, 2, NULL, 0);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(spi_sock_handle(sock, &t[i].e), DEV_HELD);
	spi_sock_flush(sock);
	assert_int_equal(rt[0].runs, 2);
	assert_int_equal(rt[0].n[0], 2);
	assert_int_equal(rt[0].mode[0], 0);
	assert_int_equal(rt[0].n[1], 1);
	assert_int_equal(rt[0].mode[1], 3);
	assert_int_equal(rt[1].runs, 1);
	assert_int_equal(rt[1].n[0], 2);
	assert_int_equal(ndone, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_ptr_equal(done_e[i], &t[i].e);   /* completed in order */
}

static void test_spi_batch_invalid_in_the_middle(void **state)
{
	struct telem t[4];
	uint8_t tx[2] = { 0 }, rx[3];
	struct virtio_spi_transfer_head ok = spi_head(0, 0), bad = spi_head(0, 0), badcs = spi_head(7, 0);

	sock_setup();
	bad.freq = 20000000;
	spi_mk(&t[0], &ok, tx, 2, NULL, 0);
	spi_mk(&t[1], &bad, tx, 2, NULL, 0);
	spi_mk(&t[2], &badcs, tx, 2, NULL, 0);
	spi_mk(&t[3], &ok, tx, 2, rx, 3);          /* tx 2, rx 3: different lengths */
	assert_int_equal(spi_sock_handle(sock, &t[0].e), DEV_HELD);
	/* the bad one is answered at once; the one before it went first */
	assert_int_equal(spi_sock_handle(sock, &t[1].e), DEV_HELD);
	assert_int_equal(rt[0].runs, 1);
	assert_int_equal(ndone, 2);
	assert_ptr_equal(done_e[0], &t[0].e);
	assert_ptr_equal(done_e[1], &t[1].e);
	assert_int_equal(done_len[1], 1);
	assert_int_equal(t[0].result, VIRTIO_SPI_TRANS_OK);
	assert_int_equal(t[1].result, VIRTIO_SPI_PARAM_ERR);
	assert_int_equal(spi_sock_handle(sock, &t[2].e), DEV_HELD);
	assert_int_equal(t[2].result, VIRTIO_SPI_PARAM_ERR);
	assert_int_equal(spi_sock_handle(sock, &t[3].e), DEV_HELD);
	assert_int_equal(t[3].result, VIRTIO_SPI_PARAM_ERR);
	assert_int_equal(ndone, 4);
	assert_int_equal(done_len[3], 4);
	spi_sock_flush(sock);
	/* nothing was sent for the invalid ones */
	assert_int_equal(rt[0].total, 1);
	assert_int_equal(rt[1].total, 0);
}

static void test_spi_batch_failure_is_per_request(void **state)
{
	struct telem t[2];
	uint8_t tx[2] = { 0 }, rx[2][2] = { { 0x11, 0x11 }, { 0x11, 0x11 } };
	struct virtio_spi_transfer_head h = spi_head(0, 0);

	sock_setup();
	rt[0].fail = true;
	spi_mk(&t[0], &h, tx, 2, rx[0], 2);
	spi_mk(&t[1], &h, tx, 2, rx[1], 2);
	spi_sock_handle(sock, &t[0].e);
	spi_sock_handle(sock, &t[1].e);
	spi_sock_flush(sock);
	assert_int_equal(t[0].result, VIRTIO_SPI_TRANS_ERR);
	assert_int_equal(t[1].result, VIRTIO_SPI_TRANS_ERR);
	/* the result byte is the last writable byte; rx is left alone */
	assert_int_equal(rx[0][0], 0x11);
	assert_int_equal(rx[1][1], 0x11);
}

static void test_spi_batch_no_result_byte(void **state)
{
	struct telem t[2];
	uint8_t tx[2] = { 0 };
	struct virtio_spi_transfer_head h = spi_head(0, 0);

	sock_setup();
	spi_mk(&t[0], &h, tx, 2, NULL, 0);
	spi_mk(&t[1], &h, tx, 2, NULL, 0);
	t[1].e.in_num = 0;
	t[1].e.in_len = 0;
	assert_int_equal(spi_sock_handle(sock, &t[0].e), DEV_HELD);
	assert_int_equal(spi_sock_handle(sock, &t[1].e), -EINVAL);
	assert_int_equal(ndone, 1);   /* the held one was carried out first */
	assert_int_equal(t[0].result, VIRTIO_SPI_TRANS_OK);
	spi_sock_drop(sock);
}

static void test_spi_batch_drop_forgets(void **state)
{
	struct telem t;
	uint8_t tx[2] = { 0 };
	struct virtio_spi_transfer_head h = spi_head(0, 0);

	sock_setup();
	spi_mk(&t, &h, tx, 2, NULL, 0);
	assert_int_equal(spi_sock_handle(sock, &t.e), DEV_HELD);
	spi_sock_drop(sock);
	spi_sock_flush(sock);
	assert_int_equal(rt[0].runs, 0);
	assert_int_equal(ndone, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spi_parse_full_duplex),
		cmocka_unit_test(test_spi_parse_half_duplex_and_default_bits),
		cmocka_unit_test(test_spi_parse_every_param_err),
		cmocka_unit_test(test_spi_parse_word_multiple),
		cmocka_unit_test(test_spi_parse_malformed_chains),
		cmocka_unit_test(test_spi_config_intersection),
		cmocka_unit_test(test_spi_config_no_common_mode),
		cmocka_unit_test_teardown(test_spi_batch_same_cs_and_mode_is_one_run, sock_teardown),
		cmocka_unit_test_teardown(test_spi_batch_split_on_cs_and_mode, sock_teardown),
		cmocka_unit_test_teardown(test_spi_batch_invalid_in_the_middle, sock_teardown),
		cmocka_unit_test_teardown(test_spi_batch_failure_is_per_request, sock_teardown),
		cmocka_unit_test_teardown(test_spi_batch_no_result_byte, sock_teardown),
		cmocka_unit_test_teardown(test_spi_batch_drop_forgets, sock_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
