/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* A SPI NOR flash: Winbond W25Q80BL, JEDEC id ef 40 14, 1 MiB, 256-byte
 * pages, 4 KiB sectors, 32/64 KiB blocks.  Linux has the id as "w25q80bl"
 * (drivers/mtd/spi-nor/winbond.c: 1 MiB, SECT_4K, no dual/quad flags) and,
 * matched first, as Spansion "s25fl008k" with the same geometry (what a
 * 6.12 guest reports); either way spi-nor uses the table without SFDP.  The model
 * still answers READ SFDP with a JESD216 header and basic table.
 *
 * Commands: RDID 9f, RDSR 05, RDSR2 35, WREN 06, WRDI 04, WRSR 01, READ
 * 03, FAST_READ 0b, READ SFDP 5a, PP 02, SE 20, BE32 52, BE d8, CE c7/60.
 * Program and erase need WEL, take effect when the chip select is
 * released, keep BUSY set for the next few status reads (during which
 * other commands are ignored) and clear WEL when done.  Programming only
 * clears bits. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "devices/imgfile.h"
#include "devices/spi.h"

#define OP_WRSR      0x01
#define OP_PP        0x02
#define OP_READ      0x03
#define OP_WRDI      0x04
#define OP_RDSR      0x05
#define OP_WREN      0x06
#define OP_FAST_READ 0x0b
#define OP_SE        0x20
#define OP_RDSR2     0x35
#define OP_BE32      0x52
#define OP_SFDP      0x5a
#define OP_CE2       0x60
#define OP_RDID      0x9f
#define OP_CE        0xc7
#define OP_BE        0xd8

/* status reads that still show BUSY after each operation */
#define BUSY_PP    1
#define BUSY_WRSR  1
#define BUSY_SE    2
#define BUSY_BE    3
#define BUSY_CE    4

static const uint8_t jedec_id[3] = { 0xef, 0x40, 0x14 };

/* SFDP (JESD216): header, one parameter header, the basic flash parameter
 * table of 9 dwords at 0x30.  Everything else reads 0xff. */
#define SFDP_BFPT 0x30
static const uint32_t bfpt[9] = {
	0xff8020e5u,  /* 4 KiB erase 0x20 uniform, 3-byte address, page >= 64 B */
	FLASH_SIZE * 8u - 1,  /* density in bits - 1 */
	0, 0,         /* no 1-4-4 / 1-1-4 / 1-1-2 / 1-2-2 reads */
	0xffffffeeu,  /* no 2-2-2 / 4-4-4 */
	0x0000ffffu, 0x0000ffffu,
	0xd810200cu,  /* erase types: 4 KiB 0x20, 64 KiB 0xd8 */
	0x0000520fu,  /* erase type 3: 32 KiB 0x52 */
};

static uint8_t sfdp_byte(uint32_t a)
{
	static const uint8_t hdr[16] = {
		'S', 'F', 'D', 'P', 0x00, 0x01, 0x00, 0xff,           /* v1.0, 1 header */
		0x00, 0x00, 0x01, 9, SFDP_BFPT, 0x00, 0x00, 0xff,     /* BFPT v1.0, 9 dw */
	};

	if (a < sizeof(hdr))
		return hdr[a];
	if (a >= SFDP_BFPT && a < SFDP_BFPT + sizeof(bfpt)) {
		uint32_t k = a - SFDP_BFPT;

		return (uint8_t)(bfpt[k / 4] >> (8 * (k % 4)));
	}
	return 0xff;
}

void flash_init(struct spi_flash *f, uint8_t *mem)
{
	memset(f, 0, sizeof(*f));
	f->mem = mem;
}

/* bytes of opcode + address + dummy before the data phase; 0 = no data
 * phase (fixed-length command of fixed_len bytes) */
static unsigned data_start(uint8_t op, unsigned *fixed_len)
{
	*fixed_len = 0;
	switch (op) {
	case OP_RDID:
	case OP_RDSR:
	case OP_RDSR2:
	case OP_WRSR:
		return 1;
	case OP_READ:
	case OP_PP:
		return 4;
	case OP_FAST_READ:
	case OP_SFDP:
		return 5;
	case OP_SE:
	case OP_BE32:
	case OP_BE:
		*fixed_len = 4;
		return 0;
	case OP_WREN:
	case OP_WRDI:
	case OP_CE:
	case OP_CE2:
		*fixed_len = 1;
		return 0;
	}
	*fixed_len = 1;  /* unknown: ignored, complete after its opcode */
	return 0;
}

static bool ignored(const struct spi_flash *f)
{
	return (f->sr & FLASH_SR_BUSY) && f->op != OP_RDSR && f->op != OP_RDSR2;
}

static uint8_t read_status(struct spi_flash *f)
{
	uint8_t v = f->sr;

	if (f->busy_polls && --f->busy_polls == 0)
		f->sr &= (uint8_t)~(FLASH_SR_BUSY | FLASH_SR_WEL);
	return v;
}

static uint8_t clock_byte(struct spi_flash *f, uint8_t in)
{
	uint32_t i = f->nbytes++;
	unsigned fixed, ds;

	if (i == 0) {
		f->op = in;
		f->addr = 0;
		f->data_bytes = 0;
		f->overrun = false;
		f->page_used = false;
		memset(f->page, 0xff, sizeof(f->page));
		return 0xff;
	}
	ds = data_start(f->op, &fixed);
	if (!ds) {
		if (i >= fixed)
			f->overrun = true;
		else
			f->addr = (f->addr << 8) | in;
		return 0xff;
	}
	if (i < ds) {
		if (i <= 3 && ds >= 4)
			f->addr = (f->addr << 8) | in;
		return 0xff;    /* address and dummy cycles */
	}
	if (ignored(f)) {
		f->data_bytes++;
		return 0xff;
	}
	switch (f->op) {
	case OP_RDID: {
		uint32_t k = f->data_bytes++;

		return k < sizeof(jedec_id) ? jedec_id[k] : 0x00;
	}
	case OP_RDSR:
		f->data_bytes++;
		return read_status(f);
	case OP_RDSR2:
		f->data_bytes++;
		return 0x00;
	case OP_WRSR:
		f->data_bytes++;
		return 0xff;
	case OP_READ:
	case OP_FAST_READ:
		return f->mem[(f->addr + f->data_bytes++) & (FLASH_SIZE - 1)];
	case OP_SFDP:
		return sfdp_byte((f->addr & 0xffffff) + f->data_bytes++);
	case OP_PP:
		/* the address wraps inside the page, as on the real part */
		f->page[(f->addr + f->data_bytes++) % FLASH_PAGE] = in;
		f->page_used = true;
		return 0xff;
	}
	return 0xff;
}

void flash_clock(struct spi_flash *f, const uint8_t *tx, uint8_t *rx, size_t len)
{
	if (!len)
		return;
	if (!f->selected) {
		f->selected = true;
		f->nbytes = 0;
	}
	for (size_t k = 0; k < len; k++) {
		uint8_t o = clock_byte(f, tx ? tx[k] : 0);

		if (rx)
			rx[k] = o;
	}
}

bool flash_cmd_complete(const struct spi_flash *f)
{
	unsigned fixed, ds;

	if (!f->selected || !f->nbytes)
		return true;
	ds = data_start(f->op, &fixed);
	if (!ds)
		return f->nbytes >= fixed;
	return f->nbytes > ds;
}

static void start_busy(struct spi_flash *f, unsigned polls)
{
	f->sr |= FLASH_SR_BUSY;
	f->busy_polls = polls;
	f->dirty = true;
}

static void erase(struct spi_flash *f, uint32_t size, unsigned polls)
{
	uint32_t a = (f->addr & (FLASH_SIZE - 1)) & ~(size - 1);

	memset(f->mem + a, 0xff, size);
	start_busy(f, polls);
}

void flash_deselect(struct spi_flash *f)
{
	bool wel;

	if (!f->selected)
		return;
	f->selected = false;
	if (!f->nbytes || (f->sr & FLASH_SR_BUSY) || f->overrun)
		goto out;
	wel = f->sr & FLASH_SR_WEL;
	switch (f->op) {
	case OP_WREN:
		f->sr |= FLASH_SR_WEL;
		break;
	case OP_WRDI:
		f->sr &= (uint8_t)~FLASH_SR_WEL;
		break;
	case OP_CE:
	case OP_CE2:
		if (wel) {
			memset(f->mem, 0xff, FLASH_SIZE);
			start_busy(f, BUSY_CE);
		}
		break;
	case OP_SE:
		if (wel && f->nbytes == 4)
			erase(f, FLASH_SECTOR, BUSY_SE);
		break;
	case OP_BE32:
		if (wel && f->nbytes == 4)
			erase(f, FLASH_BLOCK32, BUSY_BE);
		break;
	case OP_BE:
		if (wel && f->nbytes == 4)
			erase(f, FLASH_BLOCK, BUSY_BE);
		break;
	case OP_PP:
		if (wel && f->page_used) {
			uint32_t base = (f->addr & (FLASH_SIZE - 1)) & ~(FLASH_PAGE - 1);

			for (unsigned k = 0; k < FLASH_PAGE; k++)
				f->mem[base + k] &= f->page[k];
			start_busy(f, BUSY_PP);
		}
		break;
	case OP_WRSR:
		/* block protection is not modelled: the bits stay 0 */
		if (wel && f->data_bytes) {
			f->sr |= FLASH_SR_BUSY;
			f->busy_polls = BUSY_WRSR;
		}
		break;
	}
out:
	f->nbytes = 0;
}

/* ---- the image file ---- */

int flash_load(uint8_t *mem, const char *path, char *err, size_t errlen)
{
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT) {
			memset(mem, 0xff, FLASH_SIZE);
			return 1;   /* new, erased */
		}
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != FLASH_SIZE) {
		snprintf(err, errlen, "%s is not a %u-byte flash image", path, FLASH_SIZE);
		close(fd);
		return -EINVAL;
	}
	while (got < FLASH_SIZE) {
		ssize_t n = read(fd, mem + got, FLASH_SIZE - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot read %s: %s", path,
				 n < 0 ? strerror(errno) : "short file");
			close(fd);
			return -EIO;
		}
		got += (size_t)n;
	}
	close(fd);
	return 0;
}

/* The image on disk is always a whole one (imgfile_write: a temporary
 * file, fsync, rename, directory fsync). */
int flash_save(const uint8_t *mem, const char *path)
{
	return imgfile_write(path, mem, FLASH_SIZE);
}
