/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The simulated MCP3008 ADC (spi_adc.c, --sim mcp3008): the conversions
 * the Linux mcp320x driver makes (one tx byte, then two rx bytes as a
 * separate request with the chip select kept), other framings the
 * datasheet allows, pseudo-differential inputs, and the channel setter. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "devices/spi.h"
#include "spi_elem.h"

static struct spi_ctrl ctl;

static int teardown(void **state)
{
	spi_ctrl_free(&ctl);
	return 0;
}

static void adc_ctl(const char *spec)
{
	char err[256];

	memset(&ctl, 0, sizeof(ctl));
	ctl.cs[0] = spi_sim_new(spec, err, sizeof(err));
	if (!ctl.cs[0])
		fail_msg("%s: %s", spec, err);
	ctl.ncs = 1;
	assert_int_equal(spi_ctrl_finish(&ctl, err, sizeof(err)), 0);
}

/* One request as a batch of its own, cs_change as given. */
static uint8_t xfer(uint8_t *tx, uint32_t txlen, uint8_t *rx, uint32_t rxlen, bool cs_change)
{
	struct virtio_spi_transfer_head h = spi_head(0, 0);
	struct telem t;
	struct spi_req r, *rp = &r;

	h.cs_change = cs_change;
	spi_mk(&t, &h, tx, txlen, rx, rxlen);
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_TRANS_OK);
	spi_ctrl_run(&ctl, 0, &rp, 1);
	spi_req_finish(&r);
	return t.result;
}

/* mcp320x_adc_conversion for an mcp3008 */
static int linux_read(unsigned ch, bool differential)
{
	uint8_t tx = (uint8_t)(1 << 6 | !differential << 5 | ch << 2), rx[2] = { 0xee, 0xee };

	assert_int_equal(xfer(&tx, 1, NULL, 0, false), VIRTIO_SPI_TRANS_OK);
	assert_ptr_equal(ctl.held, ctl.cs[0]);    /* conversion under way */
	assert_int_equal(xfer(NULL, 0, rx, 2, false), VIRTIO_SPI_TRANS_OK);
	assert_null(ctl.held);                    /* result out: released */
	return rx[0] << 2 | rx[1] >> 6;
}

static void test_spi_adc_spec_parsing(void **state)
{
	char err[256];
	struct {
		const char *spec, *needle;
	} bad[] = {
		{ "mcp3008,ch8=1", "'ch8=1'" },
		{ "mcp3008,ch0=1024", "bad value '1024' for ch0" },
		{ "mcp3008,ch0=-1", "bad value '-1'" },
		{ "mcp3008,ch0=", "'ch0='" },
		{ "mcp3008,ch1=5x", "bad value '5x'" },
		{ "mcp3008,file=/tmp/x", "'file=/tmp/x'" },
		{ "mcp3008,ch1=1,", "''" },
		{ "mcp3009", "unknown model 'mcp3009'" },
	};
	struct spi_target *t;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_null(spi_sim_new(bad[i].spec, err, sizeof(err)));
		if (!strstr(err, bad[i].needle))
			fail_msg("'%s': got '%s', want '%s'", bad[i].spec, err, bad[i].needle);
	}
	t = spi_sim_new("mcp3008,ch0=0x3ff,ch7=7", err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(spi_sim_adc_get(t, 0), 1023);
	assert_int_equal(spi_sim_adc_get(t, 7), 7);
	assert_int_equal(spi_sim_adc_get(t, 3), 0);
	assert_int_equal(spi_sim_adc_get(t, 8), -EINVAL);
	assert_int_equal(spi_sim_adc_set(t, 8, 1), -EINVAL);
	assert_int_equal(spi_sim_adc_set(t, 1, 1024), -EINVAL);
	assert_int_equal(spi_sim_adc_set(t, 1, 1000), 0);
	assert_int_equal(spi_sim_adc_get(t, 1), 1000);
	t->ops->destroy(t);
	/* the setter refuses other chip selects */
	t = spi_sim_new("flash", err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(spi_sim_adc_set(t, 0, 1), -ENODEV);
	assert_int_equal(spi_sim_adc_get(t, 0), -ENODEV);
	t->ops->destroy(t);
}

static void test_spi_adc_linux_single_ended(void **state)
{
	uint8_t raw[32];

	adc_ctl("mcp3008,ch0=1,ch1=512,ch2=1023,ch5=0x2aa,ch7=0x155");
	spi_config_bytes(&ctl, raw);
	assert_int_equal(raw[4], 0x80);              /* 8-bit words */
	assert_int_equal(raw[12] | raw[13] << 8 | raw[14] << 16, 3600000);
	assert_int_equal(linux_read(0, false), 1);
	assert_int_equal(linux_read(1, false), 512);
	assert_int_equal(linux_read(2, false), 1023);
	assert_int_equal(linux_read(3, false), 0);
	assert_int_equal(linux_read(5, false), 0x2aa);
	assert_int_equal(linux_read(7, false), 0x155);
	/* a value set from outside shows in the next conversion */
	assert_int_equal(spi_sim_adc_set(ctl.cs[0], 3, 777), 0);
	assert_int_equal(linux_read(3, false), 777);
}

static void test_spi_adc_pseudo_differential(void **state)
{
	adc_ctl("mcp3008,ch0=700,ch1=200,ch6=5,ch7=6");
	assert_int_equal(linux_read(0, true), 500);   /* CH0+ CH1- */
	assert_int_equal(linux_read(1, true), 0);     /* CH1+ CH0-: negative */
	assert_int_equal(linux_read(7, true), 1);     /* CH7+ CH6- */
	assert_int_equal(linux_read(6, true), 0);
}

/* the datasheet's 3-byte framing: 0x01, SGL D2 D1 D0 in the top nibble,
 * then 0; null bit and B9 B8 in byte 1, B7..B0 in byte 2 */
static void test_spi_adc_three_byte_framing_and_lsb_first_tail(void **state)
{
	uint8_t tx[3] = { 0x01, 0x80 | 4 << 4, 0 }, rx[3];
	uint8_t tx5[5] = { 0x01, 0x80 | 4 << 4, 0, 0, 0 }, rx5[5];

	adc_ctl("mcp3008,ch4=0x2c5");
	assert_int_equal(xfer(tx, 3, rx, 3, false), VIRTIO_SPI_TRANS_OK);
	assert_null(ctl.held);
	assert_int_equal(rx[1] & 0x07, 0x2);         /* null 0, B9 B8 = 1 0 */
	assert_int_equal(rx[1] & 0x08, 0);
	assert_int_equal(rx[2], 0xc5);
	/* two more bytes: B1..B9 LSB first, then zeros
	 * 0x2c5 = 10 1100 0101: B1..B9 = 0 1 0 0 0 1 1 0 1 */
	assert_int_equal(xfer(tx5, 5, rx5, 5, false), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(rx5[3], 0x46);              /* B1..B8 */
	assert_int_equal(rx5[4], 0x80);              /* B9, then zeros */
}

/* a start bit after the result is ignored until the chip select goes;
 * cs_change releases it */
static void test_spi_adc_new_start_needs_deselect(void **state)
{
	uint8_t cmd[1] = { 0x60 | 2 << 2 }, rx[2], more[4] = { 0x60, 0xff, 0xff, 0xff }, rx4[4];

	adc_ctl("mcp3008,ch0=1023,ch2=0x155,ch7=1023");
	assert_int_equal(xfer(cmd, 1, NULL, 0, false), VIRTIO_SPI_TRANS_OK);
	/* the whole message in one batch: release happens only if complete */
	assert_int_equal(xfer(NULL, 0, rx, 1, false), VIRTIO_SPI_TRANS_OK);
	assert_ptr_equal(ctl.held, ctl.cs[0]);       /* B1, B0 not out yet */
	assert_int_equal(xfer(more, 4, rx4, 4, true), VIRTIO_SPI_TRANS_OK);
	assert_null(ctl.held);                        /* cs_change */
	/* the ones in more[] were not taken as a new command (one for
	 * channel 7 would send 1023) */
	assert_int_equal(rx[0] << 2 | rx4[0] >> 6, 0x155);
	/* B1..B6 | B7 B8 B9, then zeros (0x155 = 01 0101 0101) */
	assert_int_equal(rx4[0] & 0x3f, 0x15);
	assert_int_equal(rx4[1], 0x40);
	assert_int_equal(rx4[2] | rx4[3], 0);
	assert_int_equal(linux_read(0, false), 1023);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_teardown(f, teardown)
		T(test_spi_adc_spec_parsing),
		T(test_spi_adc_linux_single_ended),
		T(test_spi_adc_pseudo_differential),
		T(test_spi_adc_three_byte_framing_and_lsb_first_tail),
		T(test_spi_adc_new_start_needs_deselect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
