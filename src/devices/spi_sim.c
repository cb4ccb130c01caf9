/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Simulated chip selects (--sim MODEL[,PROP=VALUE]...): loopback (rx = tx),
 * a SPI NOR flash with an optional image file (spi_flash.c) and an MCP3008
 * ADC whose channel values are set from outside (spi_adc.c).
 *
 * The flash needs to know when its chip select goes inactive.  The Linux
 * driver sends every transfer of a message as its own request and waits
 * for it, with cs_change 0 throughout, so the device cannot see where a
 * message ends.  The chip select is released after a transfer with
 * cs_change set, before a transfer of another guest or chip select, and at
 * the end of a batch once the flash has every byte of the command it is
 * receiving (opcode, address, dummy and at least one data byte).  The ADC
 * is released the same way, once its result has been clocked out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/sandbox.h"
#include "devices/imgfile.h"
#include "devices/spi.h"

#define CHUNK 256

enum sim_kind { SIM_LOOPBACK, SIM_FLASH, SIM_ADC };

struct sim_target {
	struct spi_target t;
	enum sim_kind kind;
	struct spi_flash fl;
	struct spi_adc adc;
	char *file;
	struct imgfile img;        /* file != NULL: the image's persistence */
};

/* A changed flash image goes to its file: off the loop, later, once the
 * loop runs (imgfile.h); without one (tests) by spi_sim_sync() or at the
 * end. */
static void persist(struct sim_target *s)
{
	if (s->file && s->fl.dirty && imgfile_deferred(&s->img)) {
		s->fl.dirty = false;
		imgfile_changed(&s->img);
	}
}

static bool sim_run(struct spi_target *t, struct spi_req *const *reqs, unsigned n)
{
	struct sim_target *s = (struct sim_target *)t;
	uint8_t tx[CHUNK], rx[CHUNK];

	for (unsigned i = 0; i < n; i++) {
		struct spi_req *r = reqs[i];

		for (uint32_t off = 0; off < r->len; off += CHUNK) {
			uint32_t k = r->len - off < CHUNK ? r->len - off : CHUNK;

			spi_req_tx(r, off, tx, k);
			if (s->kind == SIM_LOOPBACK)
				memcpy(rx, tx, k);
			else if (s->kind == SIM_ADC)
				adc_clock(&s->adc, r->tx_len ? tx : NULL, rx, k);
			else
				flash_clock(&s->fl, r->tx_len ? tx : NULL, rx, k);
			spi_req_rx(r, off, rx, k);
		}
		r->result = VIRTIO_SPI_TRANS_OK;
		if (s->kind == SIM_FLASH &&
		    (r->h.cs_change || (i == n - 1 && flash_cmd_complete(&s->fl))))
			flash_deselect(&s->fl);
		if (s->kind == SIM_ADC &&
		    (r->h.cs_change || (i == n - 1 && adc_cmd_complete(&s->adc))))
			adc_deselect(&s->adc);
	}
	persist(s);
	return (s->kind == SIM_FLASH && s->fl.selected) ||
	       (s->kind == SIM_ADC && s->adc.selected);
}

static void sim_release(struct spi_target *t)
{
	struct sim_target *s = (struct sim_target *)t;

	if (s->kind == SIM_FLASH)
		flash_deselect(&s->fl);
	if (s->kind == SIM_ADC)
		adc_deselect(&s->adc);
	persist(s);
}

static void sim_destroy(struct spi_target *t)
{
	struct sim_target *s = (struct sim_target *)t;

	if (s->kind == SIM_FLASH) {
		flash_deselect(&s->fl);
		if (s->file && spi_sim_dirty(t) && spi_sim_sync(t) < 0)
			log_err("spi: flash image %s not saved", s->file);
		if (s->file) {
			imgfile_free(&s->img);
			if (s->img.saving)
				return;   /* a stuck worker still reads the copy */
		}
		free(s->fl.mem);
	}
	free(s->file);
	free(s);
}

static const struct spi_target_ops sim_ops = {
	.run = sim_run,
	.release = sim_release,
	.destroy = sim_destroy,
};

int spi_sim_sync(struct spi_target *t)
{
	struct sim_target *s = (struct sim_target *)t;
	int r;

	if (!spi_sim_dirty(t))
		return 0;
	r = flash_save(s->fl.mem, s->file);
	if (r < 0) {
		log_peer(LOG_ERROR, "spi: cannot save flash image %s: %s", s->file,
			 strerror(-r));
		return r;
	}
	s->fl.dirty = false;
	s->img.dirty = false;
	return 0;
}

bool spi_sim_dirty(const struct spi_target *t)
{
	const struct sim_target *s = (const struct sim_target *)t;

	return t->ops == &sim_ops && s->kind == SIM_FLASH && s->file &&
	       (s->fl.dirty || s->img.dirty || s->img.saving);
}

int spi_sim_start(struct spi_target *t, struct loop *l, struct worker *wk)
{
	struct sim_target *s = (struct sim_target *)t;

	if (t->ops != &sim_ops || s->kind != SIM_FLASH || !s->file)
		return 0;
	return imgfile_start(&s->img, l, wk);
}

void spi_sim_stop(struct spi_target *t, bool worker_stuck)
{
	struct sim_target *s = (struct sim_target *)t;

	if (t->ops != &sim_ops || s->kind != SIM_FLASH || !s->file)
		return;
	s->fl.dirty = false;
	if (imgfile_flush(&s->img, worker_stuck) == 0)
		s->img.dirty = false;
}

bool spi_sim_has_image(const struct spi_target *t)
{
	const struct sim_target *s = (const struct sim_target *)t;

	return t->ops == &sim_ops && s->kind == SIM_FLASH && s->file;
}

const char *spi_sim_model(const struct spi_target *t)
{
	static const char *const names[] = {
		[SIM_LOOPBACK] = "loopback", [SIM_FLASH] = "flash", [SIM_ADC] = "mcp3008",
	};

	if (t->ops != &sim_ops)
		return NULL;
	return names[((const struct sim_target *)t)->kind];
}

const char *spi_sim_file(const struct spi_target *t)
{
	return spi_sim_has_image(t) ? ((const struct sim_target *)t)->file : NULL;
}

static struct sim_target *flash_of(const struct spi_target *t, uint32_t off, uint32_t n,
				   int *err)
{
	if (t->ops != &sim_ops || ((const struct sim_target *)t)->kind != SIM_FLASH) {
		*err = -ENODEV;
		return NULL;
	}
	if (off > FLASH_SIZE || n > FLASH_SIZE - off) {
		*err = -EINVAL;
		return NULL;
	}
	return (struct sim_target *)t;
}

int spi_sim_flash_read(const struct spi_target *t, uint32_t off, uint8_t *buf, uint32_t n)
{
	int err;
	struct sim_target *s = flash_of(t, off, n, &err);

	if (!s)
		return err;
	memcpy(buf, s->fl.mem + off, n);
	return 0;
}

int spi_sim_flash_write(struct spi_target *t, uint32_t off, const uint8_t *buf, uint32_t n)
{
	int err;
	struct sim_target *s = flash_of(t, off, n, &err);

	if (!s)
		return err;
	memcpy(s->fl.mem + off, buf, n);
	s->fl.dirty = true;
	persist(s);
	return 0;
}

void spi_sim_help(FILE *f)
{
	fprintf(f,
		"Simulated chip selects (--sim MODEL[,PROP=VALUE]...):\n"
		"  loopback  rx = tx; every mode, word size and bus width\n"
		"  flash     SPI NOR flash, Winbond W25Q80BL (JEDEC ef 40 14, 1 MiB):\n"
		"            read id/status/data/SFDP, write enable, page program,\n"
		"            sector/block/chip erase; mode 0-3, 8-bit words\n"
		"            file=PATH  keep the contents in PATH (1 MiB image,\n"
		"                       created erased if missing)\n"
		"  mcp3008   8-channel 10-bit ADC (Linux: mcp320x, 'mcp3008'):\n"
		"            single-ended and pseudo-differential conversions;\n"
		"            mode 0 or 3, 8-bit words, up to 3.6 MHz\n"
		"            chN=VALUE  channel N's (0-7) reading, 0-1023 (default 0)\n");
}

int spi_sim_adc_set(struct spi_target *t, unsigned ch, unsigned value)
{
	struct sim_target *s = (struct sim_target *)t;

	if (t->ops != &sim_ops || s->kind != SIM_ADC)
		return -ENODEV;
	if (ch >= MCP3008_CHANNELS || value > MCP3008_MAX)
		return -EINVAL;
	s->adc.value[ch] = (uint16_t)value;
	return 0;
}

int spi_sim_adc_get(const struct spi_target *t, unsigned ch)
{
	const struct sim_target *s = (const struct sim_target *)t;

	if (t->ops != &sim_ops || s->kind != SIM_ADC)
		return -ENODEV;
	if (ch >= MCP3008_CHANNELS)
		return -EINVAL;
	return s->adc.value[ch];
}

/* mcp3008's properties: chN=VALUE, separated by commas. */
static int adc_props(struct sim_target *s, const char *p, char *err, size_t errlen)
{
	while (p) {
		const char *comma = strchr(p, ',');
		int plen = comma ? (int)(comma - p) : (int)strlen(p);
		unsigned long v;
		char *end;

		if (plen < 5 || p[0] != 'c' || p[1] != 'h' || p[2] < '0' || p[2] > '7' ||
		    p[3] != '=') {
			snprintf(err, errlen, "unknown or empty property '%.*s' "
				 "(mcp3008 takes ch0..ch7=VALUE)", plen, p);
			return -1;
		}
		errno = 0;
		v = strtoul(p + 4, &end, 0);
		if (errno || end != p + plen || v > MCP3008_MAX || p[4] == '-') {
			snprintf(err, errlen, "bad value '%.*s' for %.3s (0 to %u)",
				 plen - 4, p + 4, p, MCP3008_MAX);
			return -1;
		}
		s->adc.value[p[2] - '0'] = (uint16_t)v;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

struct spi_target *spi_sim_new(const char *spec, char *err, size_t errlen)
{
	struct sim_target *s;
	const char *comma = strchr(spec, ',');
	size_t mlen = comma ? (size_t)(comma - spec) : strlen(spec);
	const char *file = NULL;

	if (comma && !(mlen == 7 && !strncmp(spec, "mcp3008", 7))) {
		const char *p = comma + 1;

		if (strncmp(p, "file=", 5) || !p[5]) {
			snprintf(err, errlen, "unknown or empty property '%s' (only file=PATH)", p);
			return NULL;
		}
		file = p + 5;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->t.ops = &sim_ops;
	snprintf(s->t.name, sizeof(s->t.name), "sim:%s", spec);
	if (mlen == 7 && !strncmp(spec, "mcp3008", 7)) {
		s->kind = SIM_ADC;
		adc_init(&s->adc);
		if (adc_props(s, comma ? comma + 1 : NULL, err, errlen))
			goto fail;
		/* the datasheet's limit at 5 V; modes 0,0 and 1,1 (0,1 and 1,0
		 * cannot be told apart from them in the config, so they pass) */
		s->t.caps = (struct spi_caps){
			.tx_nbits = 0, .rx_nbits = 0, .bits_mask = 1u << 7,
			.mode_func = VIRTIO_SPI_MF_SUPPORT_CPHA_0 | VIRTIO_SPI_MF_SUPPORT_CPHA_1 |
				     VIRTIO_SPI_MF_SUPPORT_CPOL_0 | VIRTIO_SPI_MF_SUPPORT_CPOL_1,
			.max_freq_hz = 3600000u,
			.max_word_delay_ns = 1000000u, .max_cs_setup_ns = 1000000u,
			.max_cs_hold_ns = 1000000u, .max_cs_inactive_ns = 1000000u,
			.max_len = SPI_SIM_MAX_LEN,
		};
		return &s->t;
	}
	if (mlen == 8 && !strncmp(spec, "loopback", 8)) {
		if (file) {
			snprintf(err, errlen, "loopback takes no file");
			goto fail;
		}
		s->kind = SIM_LOOPBACK;
		s->t.caps = (struct spi_caps){
			.tx_nbits = 7, .rx_nbits = 7, .bits_mask = 0xffffffffu,
			.mode_func = 0x7f, .max_freq_hz = 0,
			.max_word_delay_ns = 0xffffffffu, .max_cs_setup_ns = 0xffffffffu,
			.max_cs_hold_ns = 0xffffffffu, .max_cs_inactive_ns = 0xffffffffu,
			.max_len = SPI_SIM_MAX_LEN,
		};
		return &s->t;
	}
	if (mlen == 5 && !strncmp(spec, "flash", 5)) {
		uint8_t *mem = malloc(FLASH_SIZE);
		int r;

		s->kind = SIM_FLASH;
		if (!mem) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		flash_init(&s->fl, mem);
		if (file) {
			s->file = strdup(file);
			if (!s->file || imgfile_init(&s->img, file, mem, FLASH_SIZE)) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			r = flash_load(mem, file, err, errlen);
			if (r < 0)
				goto fail;
			if (r > 0) {
				/* new image: create it now, so a bad path shows at start */
				r = flash_save(mem, file);
				if (r < 0) {
					snprintf(err, errlen, "cannot create %s: %s", file, strerror(-r));
					goto fail;
				}
			}
			/* saved again at run time */
			r = sandbox_allow_image(file);
			if (r < 0) {
				snprintf(err, errlen, "%s: %s", file, strerror(-r));
				goto fail;
			}
		} else {
			memset(mem, 0xff, FLASH_SIZE);
		}
		/* 104 MHz as the datasheet; no timing to honour, so delays are
		 * accepted up to 1 ms */
		s->t.caps = (struct spi_caps){
			.tx_nbits = 0, .rx_nbits = 0, .bits_mask = 1u << 7,
			.mode_func = VIRTIO_SPI_MF_SUPPORT_CPHA_0 | VIRTIO_SPI_MF_SUPPORT_CPHA_1 |
				     VIRTIO_SPI_MF_SUPPORT_CPOL_0 | VIRTIO_SPI_MF_SUPPORT_CPOL_1,
			.max_freq_hz = 104000000u,
			.max_word_delay_ns = 1000000u, .max_cs_setup_ns = 1000000u,
			.max_cs_hold_ns = 1000000u, .max_cs_inactive_ns = 1000000u,
			.max_len = SPI_SIM_MAX_LEN,   /* a read of the whole array */
		};
		return &s->t;
	}
	snprintf(err, errlen, "unknown model '%.*s' (loopback, flash, mcp3008)", (int)mlen, spec);
fail:
	if (s->kind == SIM_FLASH)
		free(s->fl.mem);
	imgfile_free(&s->img);
	free(s->file);
	free(s);
	return NULL;
}
