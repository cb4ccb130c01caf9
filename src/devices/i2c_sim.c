/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Simulated I2C peripherals (--sim MODEL@ADDR[,PROP=VALUE]...):
 *  24c02  256-byte serial EEPROM as the Linux at24 driver expects it: the
 *         first written byte sets the word address, further bytes are
 *         latched into the 8-byte page (the address wraps inside the page)
 *         and programmed at STOP (a repeated START aborts the write, as on
 *         the real part); reads auto-increment across the whole array.
 *         file=PATH keeps the contents (imgfile.h: written off the loop
 *         within 0.2 s of a change and at exit, replaced atomically).
 *  lm75   temperature sensor: pointer register, temperature (0), config
 *         (1), hysteresis (2) and overtemperature (3) registers, 9-bit
 *         two's complement MSB first; temp=CELSIUS sets the reading. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/sandbox.h"
#include "devices/i2c.h"

/* ---------------------------------------------------------------- 24c02 */

static int at24_load(struct i2c_sim *s, const char *file, char *err, size_t errlen)
{
	struct stat st;
	int fd, r;
	ssize_t n;
	uint8_t extra;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* a new, erased part; create the file now so that a path
		 * that cannot be written is reported at start-up */
		memset(s->u.ee.mem, 0xff, AT24_SIZE);
		r = imgfile_write(file, s->u.ee.mem, AT24_SIZE);
		if (r) {
			snprintf(err, errlen, "cannot create '%s': %s", file, strerror(-r));
			return -1;
		}
		return 0;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a regular file", file);
		close(fd);
		return -1;
	}
	n = read(fd, s->u.ee.mem, AT24_SIZE);
	if (n == AT24_SIZE && read(fd, &extra, 1) == 0) {
		close(fd);
		return 0;
	}
	close(fd);
	snprintf(err, errlen, "'%s' is not a %u-byte EEPROM image", file, AT24_SIZE);
	return -1;
}

static int at24_init(struct i2c_sim *s, char *const *props, unsigned nprops,
		     char *err, size_t errlen)
{
	const char *file = NULL;

	for (unsigned i = 0; i < nprops; i++) {
		if (!strncmp(props[i], "file=", 5) && props[i][5]) {
			file = props[i] + 5;
			continue;
		}
		snprintf(err, errlen, "unknown or empty property '%s' (24c02 takes file=PATH)",
			 props[i]);
		return -1;
	}
	memset(s->u.ee.mem, 0xff, AT24_SIZE);
	if (!file)
		return 0;
	s->u.ee.img = malloc(sizeof(*s->u.ee.img));
	if (!s->u.ee.img || imgfile_init(s->u.ee.img, file, s->u.ee.mem, AT24_SIZE)) {
		free(s->u.ee.img);
		s->u.ee.img = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (at24_load(s, file, err, errlen))
		return -1;
	if (sandbox_allow_image(file) < 0) {
		snprintf(err, errlen, "'%s': %s", file, strerror(errno));
		return -1;
	}
	return 0;
}

static void at24_start(struct i2c_sim *s, bool read)
{
	if (s->u.ee.page_mask)
		log_debug("24c02@0x%02x: START before STOP: page write aborted", s->addr);
	s->u.ee.page_mask = 0;
	s->u.ee.addr_phase = !read;
}

static int at24_xfer(struct i2c_sim *s, bool read, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (read) {
			buf[i] = s->u.ee.mem[s->u.ee.ptr];
			s->u.ee.ptr++;         /* rolls over the whole array */
		} else if (s->u.ee.addr_phase) {
			s->u.ee.ptr = buf[i];
			s->u.ee.addr_phase = false;
		} else {
			unsigned o = s->u.ee.ptr & (AT24_PAGE - 1);

			s->u.ee.page[o] = buf[i];
			s->u.ee.page_mask |= (uint8_t)(1u << o);
			s->u.ee.ptr = (uint8_t)((s->u.ee.ptr & ~(AT24_PAGE - 1)) |
						((o + 1) & (AT24_PAGE - 1)));
		}
	}
	return 0;
}

static int at24_stop(struct i2c_sim *s)
{
	uint8_t img[AT24_SIZE];
	unsigned base = s->u.ee.ptr & ~(AT24_PAGE - 1u);
	int r;

	if (!s->u.ee.page_mask)
		return 0;
	memcpy(img, s->u.ee.mem, AT24_SIZE);
	for (unsigned o = 0; o < AT24_PAGE; o++)
		if (s->u.ee.page_mask & (1u << o))
			img[base + o] = s->u.ee.page[o];
	s->u.ee.page_mask = 0;
	if (s->u.ee.img && !imgfile_deferred(s->u.ee.img)) {
		/* no loop (tests): written now, and a failed write fails */
		r = imgfile_write(s->u.ee.img->path, img, AT24_SIZE);
		if (r) {
			log_peer(LOG_ERROR, "24c02@0x%02x: cannot save '%s': %s; the write fails",
				 s->addr, s->u.ee.img->path, strerror(-r));
			return -EIO;
		}
		s->u.ee.img->writes++;
	}
	memcpy(s->u.ee.mem, img, AT24_SIZE);
	if (s->u.ee.img && imgfile_deferred(s->u.ee.img))
		imgfile_changed(s->u.ee.img);    /* written off the loop, later */
	return 0;
}

static const struct i2c_sim_model at24_model = {
	.name = "24c02",
	.help = "256-byte EEPROM (Linux: at24, '24c02'); file=PATH keeps the contents",
	.init = at24_init,
	.start = at24_start,
	.xfer = at24_xfer,
	.stop = at24_stop,
};

/* ---------------------------------------------------------------- lm75 */

#define LM75_TEMP 0
#define LM75_CONF 1
#define LM75_HYST 2
#define LM75_OS   3

static uint16_t lm75_reg(double celsius)
{
	long half = (long)(celsius * 2 + (celsius < 0 ? -0.5 : 0.5));

	return (uint16_t)((uint16_t)(int16_t)half << 7);
}

static int lm75_init(struct i2c_sim *s, char *const *props, unsigned nprops,
		     char *err, size_t errlen)
{
	double t = 23.5;

	for (unsigned i = 0; i < nprops; i++) {
		char *end;

		if (!strncmp(props[i], "temp=", 5) && props[i][5]) {
			errno = 0;
			t = strtod(props[i] + 5, &end);
			if (errno || *end || !(t >= -55 && t <= 125)) {
				snprintf(err, errlen, "bad temperature '%s' (-55 to 125 degrees C)",
					 props[i] + 5);
				return -1;
			}
			continue;
		}
		snprintf(err, errlen, "unknown or empty property '%s' (lm75 takes temp=CELSIUS)",
			 props[i]);
		return -1;
	}
	s->u.lm.ptr = LM75_TEMP;
	s->u.lm.conf = 0;
	s->u.lm.temp = lm75_reg(t);
	s->u.lm.hyst = lm75_reg(75);
	s->u.lm.os = lm75_reg(80);
	return 0;
}

static uint16_t *lm75_word(struct i2c_sim *s)
{
	switch (s->u.lm.ptr) {
	case LM75_TEMP: return &s->u.lm.temp;
	case LM75_HYST: return &s->u.lm.hyst;
	case LM75_OS:   return &s->u.lm.os;
	}
	return NULL;
}

static int lm75_xfer(struct i2c_sim *s, bool read, uint8_t *buf, size_t len)
{
	uint16_t *w;

	if (read) {
		w = lm75_word(s);
		for (size_t i = 0; i < len; i++)
			buf[i] = w ? (uint8_t)(i % 2 ? *w & 0xff : *w >> 8) : s->u.lm.conf;
		return 0;
	}
	if (len == 0)
		return 0;
	s->u.lm.ptr = buf[0] & 3;
	w = lm75_word(s);
	for (size_t i = 1; i < len && i < 3; i++) {
		if (!w) {
			s->u.lm.conf = buf[i] & 0x1f;
			break;
		}
		if (s->u.lm.ptr == LM75_TEMP)
			break;                  /* read-only */
		if (i == 1)
			*w = (uint16_t)((*w & 0x00ff) | buf[i] << 8);
		else
			*w = (uint16_t)((*w & 0xff00) | (buf[i] & 0x80));
	}
	return 0;
}

static const struct i2c_sim_model lm75_model = {
	.name = "lm75",
	.help = "temperature sensor (Linux: lm75, 'lm75'); temp=CELSIUS (default 23.5)",
	.init = lm75_init,
	.xfer = lm75_xfer,
};

/* ---------------------------------------------------------------- models */

const struct i2c_sim_model *const i2c_sim_models[] = {
	&at24_model, &lm75_model, NULL,
};

void i2c_sim_models_help(FILE *f)
{
	for (unsigned i = 0; i2c_sim_models[i]; i++)
		fprintf(f, "  %-6s %s\n", i2c_sim_models[i]->name, i2c_sim_models[i]->help);
}

#define SIM_MAX_PROPS 8

int i2c_bus_add_sim(struct i2c_bus *b, const char *spec, char *err,
		    size_t errlen)
{
	const struct i2c_sim_model *model = NULL;
	char *props[SIM_MAX_PROPS];
	unsigned nprops = 0, addr;
	char *copy, *at, *p, *comma;
	struct i2c_sim *s;
	int r = -1;

	copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	at = strchr(copy, '@');
	if (!at) {
		snprintf(err, errlen, "expected MODEL@ADDR[,PROP=VALUE]...");
		goto out;
	}
	*at = 0;
	for (unsigned i = 0; i2c_sim_models[i]; i++)
		if (!strcmp(i2c_sim_models[i]->name, copy))
			model = i2c_sim_models[i];
	if (!model) {
		snprintf(err, errlen, "unknown model '%s' (see --help)", copy);
		goto out;
	}
	p = at + 1;
	comma = strchr(p, ',');
	if (comma)
		*comma = 0;
	if (i2c_parse_addr(p, &addr)) {
		snprintf(err, errlen, "bad address '%s' (7-bit: 0..127, decimal or 0x hex)", p);
		goto out;
	}
	if (b->map[addr].kind != I2C_T_NONE) {
		snprintf(err, errlen, "address 0x%02x is already in use", addr);
		goto out;
	}
	while (comma) {
		p = comma + 1;
		comma = strchr(p, ',');
		if (comma)
			*comma = 0;
		if (nprops == SIM_MAX_PROPS) {
			snprintf(err, errlen, "too many properties");
			goto out;
		}
		props[nprops++] = p;
	}
	s = b->nsim < I2C_NADDR ? calloc(1, sizeof(*s)) : NULL;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	s->model = model;
	s->addr = (uint8_t)addr;
	b->sim[b->nsim] = s;         /* owned by the bus from here on */
	b->nsim++;
	if (model->init(s, props, nprops, err, errlen))
		goto out;
	b->map[addr].kind = I2C_T_SIM;
	b->map[addr].idx = (uint8_t)(b->nsim - 1);
	r = 0;
out:
	free(copy);
	return r;
}
