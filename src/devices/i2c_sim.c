/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Simulated I2C peripherals (--sim MODEL@ADDR[,PROP=VALUE]...):
 *  24c02  256-byte serial EEPROM as the Linux at24 driver expects it: the
 *         first written byte sets the word address, further bytes are
 *         latched into the 8-byte page (the address wraps inside the page)
 *         and programmed at STOP (a repeated START aborts the write, as on
 *         the real part); reads auto-increment across the whole array.
 *         file=PATH keeps the contents (imgfile.h: written off the loop
 *         within 0.2 s of a change and at exit, replaced atomically).
 *  24c32  the same with 4096 bytes, 32-byte pages and a two-byte word
 *         address (most significant first; at24's 16-bit path).
 *  lm75   temperature sensor: pointer register, temperature (0), config
 *         (1), hysteresis (2) and overtemperature (3) registers, 9-bit
 *         two's complement MSB first; temp=CELSIUS sets the reading.
 * pca9555 and ds1307 are in i2c_pca9555.c and i2c_ds1307.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/sandbox.h"
#include "devices/i2c.h"

/* ---------------------------------------------------------------- at24 */

struct at24_geom {
	uint32_t size, page;
	uint8_t abytes;
};

static const struct at24_geom at24_24c02 = { 256, 8, 1 };
static const struct at24_geom at24_24c32 = { 4096, 32, 2 };

static const struct at24_geom *at24_geom_of(const struct i2c_sim *s)
{
	return !strcmp(s->model->name, "24c32") ? &at24_24c32 : &at24_24c02;
}

static int at24_load(struct i2c_sim *s, const char *file, char *err, size_t errlen)
{
	uint32_t size = s->u.ee.size;
	struct stat st;
	int fd, r;
	ssize_t n;
	uint8_t extra;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		/* a new, erased part; create the file now so that a path
		 * that cannot be written is reported at start-up */
		r = imgfile_write(file, s->u.ee.mem, size);
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
	n = read(fd, s->u.ee.mem, size);
	if (n == (ssize_t)size && read(fd, &extra, 1) == 0) {
		close(fd);
		return 0;
	}
	close(fd);
	snprintf(err, errlen, "'%s' is not a %u-byte EEPROM image", file, size);
	return -1;
}

static int at24_init(struct i2c_sim *s, char *const *props, unsigned nprops,
		     char *err, size_t errlen)
{
	const struct at24_geom *g = at24_geom_of(s);
	const char *file = NULL;

	for (unsigned i = 0; i < nprops; i++) {
		if (!strncmp(props[i], "file=", 5) && props[i][5]) {
			file = props[i] + 5;
			continue;
		}
		snprintf(err, errlen, "unknown or empty property '%s' (%s takes file=PATH)",
			 props[i], s->model->name);
		return -1;
	}
	s->u.ee.size = g->size;
	s->u.ee.page = g->page;
	s->u.ee.abytes = g->abytes;
	s->u.ee.mem = malloc(g->size);
	if (!s->u.ee.mem) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(s->u.ee.mem, 0xff, g->size);
	if (!file)
		return 0;
	s->u.ee.img = malloc(sizeof(*s->u.ee.img));
	if (!s->u.ee.img || imgfile_init(s->u.ee.img, file, s->u.ee.mem, g->size)) {
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

static void at24_destroy(struct i2c_sim *s)
{
	if (s->u.ee.img) {
		imgfile_free(s->u.ee.img);
		if (s->u.ee.img->saving)
			return;    /* a stuck worker still reads the copy */
		free(s->u.ee.img);
	}
	free(s->u.ee.mem);
}

static struct imgfile *at24_image(struct i2c_sim *s)
{
	return s->u.ee.img;
}

static uint8_t *at24_mem(struct i2c_sim *s, uint32_t *size)
{
	*size = s->u.ee.size;
	return s->u.ee.mem;
}

static void at24_start(struct i2c_sim *s, bool read)
{
	if (s->u.ee.latch_mask)
		log_debug("%s@0x%02x: START before STOP: page write aborted",
			  s->model->name, s->addr);
	s->u.ee.latch_mask = 0;
	s->u.ee.addr_left = read ? 0 : s->u.ee.abytes;
}

static int at24_xfer(struct i2c_sim *s, bool read, uint8_t *buf, size_t len)
{
	uint32_t size = s->u.ee.size, page = s->u.ee.page;

	for (size_t i = 0; i < len; i++) {
		if (read) {
			buf[i] = s->u.ee.mem[s->u.ee.ptr];
			/* rolls over the whole array */
			s->u.ee.ptr = (uint16_t)((s->u.ee.ptr + 1) & (size - 1));
		} else if (s->u.ee.addr_left) {
			/* the word address, most significant byte first; the
			 * bits above the array are ignored, as on the part */
			s->u.ee.ptr = (uint16_t)(((unsigned)s->u.ee.ptr << 8 | buf[i]) & (size - 1));
			s->u.ee.addr_left--;
		} else {
			unsigned o = s->u.ee.ptr & (page - 1);

			s->u.ee.latch[o] = buf[i];
			s->u.ee.latch_mask |= 1u << o;
			s->u.ee.ptr = (uint16_t)((s->u.ee.ptr & ~(page - 1)) | ((o + 1) & (page - 1)));
		}
	}
	return 0;
}

static int at24_stop(struct i2c_sim *s)
{
	uint32_t size = s->u.ee.size, page = s->u.ee.page;
	uint32_t base = s->u.ee.ptr & ~(page - 1);
	uint8_t old[AT24_PAGE_MAX];
	int r;

	if (!s->u.ee.latch_mask)
		return 0;
	memcpy(old, s->u.ee.mem + base, page);
	for (unsigned o = 0; o < page; o++)
		if (s->u.ee.latch_mask & (1u << o))
			s->u.ee.mem[base + o] = s->u.ee.latch[o];
	s->u.ee.latch_mask = 0;
	if (s->u.ee.img && !imgfile_deferred(s->u.ee.img)) {
		/* no loop (tests): written now, and a failed write fails */
		r = imgfile_write(s->u.ee.img->path, s->u.ee.mem, size);
		if (r) {
			log_peer(LOG_ERROR, "%s@0x%02x: cannot save '%s': %s; the write fails",
				 s->model->name, s->addr, s->u.ee.img->path, strerror(-r));
			memcpy(s->u.ee.mem + base, old, page);
			return -EIO;
		}
		s->u.ee.img->writes++;
	}
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
	.image = at24_image,
	.destroy = at24_destroy,
	.mem = at24_mem,
};

static const struct i2c_sim_model at24c32_model = {
	.name = "24c32",
	.help = "4 KiB EEPROM, 2-byte address (Linux: at24, '24c32'); file=PATH",
	.init = at24_init,
	.start = at24_start,
	.xfer = at24_xfer,
	.stop = at24_stop,
	.image = at24_image,
	.destroy = at24_destroy,
	.mem = at24_mem,
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

void lm75_set_temp(struct i2c_sim *s, int half_degrees)
{
	s->u.lm.temp = (uint16_t)((uint16_t)(int16_t)half_degrees << 7);
}

int lm75_temp(const struct i2c_sim *s)
{
	return (int16_t)s->u.lm.temp >> 7;
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
	&at24_model, &at24c32_model, &lm75_model, &i2c_pca9555_model,
	&i2c_ds1307_model, NULL,
};

void i2c_sim_models_help(FILE *f)
{
	for (unsigned i = 0; i2c_sim_models[i]; i++)
		fprintf(f, "  %-7s %s\n", i2c_sim_models[i]->name, i2c_sim_models[i]->help);
}

int i2c_sim_mem_changed(struct i2c_sim *s)
{
	struct imgfile *f = s->model->image ? s->model->image(s) : NULL;

	return f ? imgfile_changed(f) : 0;
}

bool i2c_sim_is(const struct i2c_sim *s, const char *model)
{
	return s && !strcmp(s->model->name, model);
}

struct i2c_sim *i2c_bus_sim(struct i2c_bus *b, unsigned addr)
{
	if (addr >= I2C_NADDR || b->map[addr].kind != I2C_T_SIM)
		return NULL;
	return b->sim[b->map[addr].idx];
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
