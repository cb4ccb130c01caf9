/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* A Microchip MCP3008: 8-channel 10-bit successive-approximation ADC, as
 * the Linux mcp320x IIO driver reads it (one tx byte 0 1 SGL D2 D1 D0 x x,
 * then two rx bytes: value = rx0 << 2 | rx1 >> 6), bit by bit as the
 * datasheet clocks it (mode 0,0 or 1,1, MSB first), so any framing works:
 * leading zeros are ignored until the start bit; the next four bits are
 * SGL/DIFF and D2..D0; one more clock completes the sample; then the chip
 * sends a null bit (0) and the ten result bits MSB first, then the result
 * again LSB first (B1..B9), then zeros.  DOUT is high impedance before the
 * null bit; it reads 0 here.  Single-ended: the channel's value;
 * pseudo-differential (SGL 0): channel D2..D0 is IN+, its pair partner
 * (the channel number with bit 0 flipped) IN-, and the result is IN+ - IN-
 * or 0 when that is negative.  A start bit after the result is ignored
 * until the chip select is released. */
#include <string.h>

#include "devices/spi.h"

void adc_init(struct spi_adc *a)
{
	memset(a, 0, sizeof(*a));
	a->start = -1;
}

static uint16_t convert(const struct spi_adc *a)
{
	unsigned ch = a->cmd & 7;
	int v;

	if (a->cmd & 8)                   /* single-ended */
		return a->value[ch];
	v = (int)a->value[ch] - (int)a->value[ch ^ 1];
	return (uint16_t)(v < 0 ? 0 : v);
}

/* DOUT during clock c (the master samples it on that clock's edge). */
static unsigned dout(const struct spi_adc *a, unsigned c)
{
	unsigned k;

	if (a->start < 0 || c < (unsigned)a->start + 6)
		return 0;                    /* high impedance */
	k = c - ((unsigned)a->start + 6);
	if (k == 0)
		return 0;                    /* null bit */
	if (k <= 10)
		return (a->result >> (10 - k)) & 1;      /* B9 .. B0 */
	if (k <= 19)
		return (a->result >> (k - 10)) & 1;      /* B1 .. B9 */
	return 0;
}

void adc_clock(struct spi_adc *a, const uint8_t *tx, uint8_t *rx, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t in = tx ? tx[i] : 0, out = 0;

		for (int b = 7; b >= 0; b--) {
			unsigned c = a->clk;
			unsigned bit = (in >> b) & 1;

			a->selected = true;
			out = (uint8_t)(out << 1 | dout(a, c));
			if (a->start < 0) {
				if (bit)
					a->start = (int)c;
			} else if (c <= (unsigned)a->start + 4) {
				a->cmd = (uint8_t)(a->cmd << 1 | bit);
				if (c == (unsigned)a->start + 4)
					a->result = convert(a);   /* sampled */
			}
			if (a->clk < 0xffffu)
				a->clk++;
		}
		if (rx)
			rx[i] = out;
	}
}

bool adc_cmd_complete(const struct spi_adc *a)
{
	/* B0 (the last bit of the MSB-first result) has been clocked out */
	return a->start >= 0 && a->clk >= (unsigned)a->start + 17;
}

void adc_deselect(struct spi_adc *a)
{
	a->selected = false;
	a->clk = 0;
	a->start = -1;
	a->cmd = 0;
	a->result = 0;
}
