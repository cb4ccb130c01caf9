/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Simulated pca9555 (--sim pca9555@ADDR[,inputs=V]): a 16-bit I/O
 * expander as the Linux gpio-pca953x driver uses it.  Eight registers in
 * four pairs (input, output, polarity inversion, configuration; port 0
 * then port 1).  A write's first byte is the command byte (register
 * 0..7); the data bytes that follow alternate between the two registers
 * of the pair (the datasheet's "register pairs"), as do the bytes of a
 * read, which always starts at the register the last command byte named.
 * A pin is an input while its configuration bit is 1 (the power-on
 * state): it then reads the level driven from outside
 * (pca9555_set_inputs(), all high at power-on as the pull-ups hold them),
 * else the output register's level.  The input register reads those
 * levels XOR the polarity register; writes to it are ignored.  The INT
 * output is not modelled (the guest has no wire to it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "devices/i2c.h"

static int pca_init(struct i2c_sim *s, char *const *props, unsigned nprops,
		    char *err, size_t errlen)
{
	unsigned long v = 0xffff;

	for (unsigned i = 0; i < nprops; i++) {
		char *end;

		if (!strncmp(props[i], "inputs=", 7) && props[i][7]) {
			errno = 0;
			v = strtoul(props[i] + 7, &end, 0);
			if (errno || *end || v > 0xffff || props[i][7] == '-') {
				snprintf(err, errlen, "bad input levels '%s' (0 to 0xffff, "
					 "bit n: pin n)", props[i] + 7);
				return -1;
			}
			continue;
		}
		snprintf(err, errlen, "unknown or empty property '%s' "
			 "(pca9555 takes inputs=LEVELS)", props[i]);
		return -1;
	}
	memset(s->u.pca.reg, 0, sizeof(s->u.pca.reg));
	/* power-on: outputs high, no inversion, every pin an input */
	s->u.pca.reg[PCA9555_OUTPUT] = s->u.pca.reg[PCA9555_OUTPUT + 1] = 0xff;
	s->u.pca.reg[PCA9555_CONFIG] = s->u.pca.reg[PCA9555_CONFIG + 1] = 0xff;
	s->u.pca.pins = (uint16_t)v;
	s->u.pca.cmd = 0;
	return 0;
}

static uint16_t pair(const struct i2c_sim *s, unsigned reg)
{
	return (uint16_t)(s->u.pca.reg[reg] | s->u.pca.reg[reg + 1] << 8);
}

uint16_t pca9555_config(const struct i2c_sim *s)
{
	return pair(s, PCA9555_CONFIG);
}

uint16_t pca9555_levels(const struct i2c_sim *s)
{
	uint16_t cfg = pair(s, PCA9555_CONFIG);

	return (uint16_t)((s->u.pca.pins & cfg) | (pair(s, PCA9555_OUTPUT) & ~cfg));
}

void pca9555_set_inputs(struct i2c_sim *s, uint16_t mask, uint16_t value)
{
	s->u.pca.pins = (uint16_t)((s->u.pca.pins & ~mask) | (value & mask));
}

static uint8_t pca_read(const struct i2c_sim *s, unsigned reg)
{
	if (reg < PCA9555_OUTPUT) {
		uint16_t in = pca9555_levels(s) ^ pair(s, PCA9555_POLARITY);

		return (uint8_t)(reg & 1 ? in >> 8 : in);
	}
	return s->u.pca.reg[reg];
}

static void pca_start(struct i2c_sim *s, bool read)
{
	s->u.pca.cmd_phase = !read;
}

static int pca_xfer(struct i2c_sim *s, bool read, uint8_t *buf, size_t len)
{
	unsigned reg = s->u.pca.cmd;

	for (size_t i = 0; i < len; i++) {
		if (read) {
			buf[i] = pca_read(s, reg);
		} else if (s->u.pca.cmd_phase) {
			/* bits 2:0 select the register; the rest are 0 on
			 * the part's command byte and ignored here */
			s->u.pca.cmd = buf[i] & 7;
			s->u.pca.cmd_phase = false;
			reg = s->u.pca.cmd;
			continue;
		} else if (reg >= PCA9555_OUTPUT) {
			s->u.pca.reg[reg] = buf[i];
		}
		reg ^= 1;          /* the other register of the pair */
	}
	return 0;
}

const struct i2c_sim_model i2c_pca9555_model = {
	.name = "pca9555",
	.help = "16-bit I/O expander (Linux: gpio-pca953x); inputs=LEVELS",
	.init = pca_init,
	.start = pca_start,
	.xfer = pca_xfer,
};
