/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The simulated SPI NOR flash (W25Q80BL) byte by byte, its image file,
 * and the simulated chip selects as the controller drives them (chip
 * select held across requests, released for another guest). */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "devices/spi.h"

static uint8_t *mem;
static struct spi_flash fl;

static int setup(void **state)
{
	mem = malloc(FLASH_SIZE);
	assert_non_null(mem);
	memset(mem, 0xff, FLASH_SIZE);
	flash_init(&fl, mem);
	return 0;
}

static int teardown(void **state)
{
	free(mem);
	mem = NULL;
	return 0;
}

/* One chip-select cycle: clock tx (n bytes), rx out, then release. */
static void cmd(const uint8_t *tx, uint8_t *rx, size_t n)
{
	flash_clock(&fl, tx, rx, n);
	flash_deselect(&fl);
}

static uint8_t rdsr(void)
{
	uint8_t tx[2] = { 0x05, 0 }, rx[2];

	cmd(tx, rx, 2);
	return rx[1];
}

static void wait_ready(void)
{
	for (int i = 0; i < 10; i++)
		if (!(rdsr() & FLASH_SR_BUSY))
			return;
	fail_msg("flash stays busy");
}

static void op1(uint8_t op)
{
	cmd(&op, NULL, 1);
}

static void read_at(uint8_t op, uint32_t a, uint8_t *out, size_t n)
{
	uint8_t hdr[5] = { op, (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a, 0 };
	size_t hl = op == 0x03 ? 4 : 5;

	flash_clock(&fl, hdr, NULL, hl);
	flash_clock(&fl, NULL, out, n);
	flash_deselect(&fl);
}

static void program(uint32_t a, const uint8_t *data, size_t n)
{
	uint8_t buf[4 + 600];

	assert_true(n <= 600);
	buf[0] = 0x02;
	buf[1] = (uint8_t)(a >> 16);
	buf[2] = (uint8_t)(a >> 8);
	buf[3] = (uint8_t)a;
	memcpy(buf + 4, data, n);
	cmd(buf, NULL, 4 + n);
}

static void erase_cmd(uint8_t op, uint32_t a)
{
	uint8_t buf[4] = { op, (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };

	cmd(buf, NULL, 4);
}

/* ------------------------------------------------------------------ tests */

static void test_spi_flash_rdid(void **state)
{
	uint8_t tx[7] = { 0x9f }, rx[7];

	cmd(tx, rx, 7);
	assert_int_equal(rx[1], 0xef);
	assert_int_equal(rx[2], 0x40);
	assert_int_equal(rx[3], 0x14);
	assert_int_equal(rx[4], 0x00);
}

static void test_spi_flash_wren_wrdi(void **state)
{
	assert_int_equal(rdsr(), 0);
	op1(0x06);
	assert_int_equal(rdsr(), FLASH_SR_WEL);
	op1(0x04);
	assert_int_equal(rdsr(), 0);
	/* WREN with a stray byte is not a WREN */
	{
		uint8_t tx[2] = { 0x06, 0x00 };

		cmd(tx, NULL, 2);
		assert_int_equal(rdsr(), 0);
	}
}

static void test_spi_flash_program_needs_wel(void **state)
{
	uint8_t d[4] = { 1, 2, 3, 4 }, back[4];

	program(0x100, d, 4);
	assert_int_equal(rdsr(), 0);        /* not busy: ignored */
	read_at(0x03, 0x100, back, 4);
	assert_memory_equal(back, "\xff\xff\xff\xff", 4);
	assert_false(fl.dirty);
}

static void test_spi_flash_program_clears_bits_only(void **state)
{
	uint8_t a[2] = { 0x0f, 0xf0 }, b[2] = { 0xf3, 0x3c }, back[2];

	op1(0x06);
	program(0x2000, a, 2);
	/* busy for the next status read, then ready with WEL cleared */
	assert_int_equal(rdsr(), FLASH_SR_BUSY | FLASH_SR_WEL);
	assert_int_equal(rdsr(), 0);
	assert_true(fl.dirty);
	op1(0x06);
	program(0x2000, b, 2);
	wait_ready();
	read_at(0x0b, 0x2000, back, 2);
	assert_int_equal(back[0], 0x0f & 0xf3);
	assert_int_equal(back[1], 0xf0 & 0x3c);
	/* neighbours untouched */
	assert_int_equal(mem[0x1fff], 0xff);
	assert_int_equal(mem[0x2002], 0xff);
}

static void test_spi_flash_busy_ignores_commands(void **state)
{
	uint8_t d = 0x00, back[1];

	op1(0x06);
	erase_cmd(0xd8, 0);                 /* busy for 3 status reads */
	read_at(0x03, 0, back, 1);
	assert_int_equal(back[0], 0xff);
	op1(0x06);                          /* ignored */
	assert_int_equal(rdsr() & FLASH_SR_BUSY, FLASH_SR_BUSY);
	wait_ready();
	assert_int_equal(rdsr(), 0);
	program(0, &d, 1);                  /* no WEL: the WREN was ignored */
	read_at(0x03, 0, back, 1);
	assert_int_equal(back[0], 0xff);
}

static void test_spi_flash_page_wraps(void **state)
{
	uint8_t d[4] = { 0x11, 0x22, 0x33, 0x44 };

	op1(0x06);
	program(0x30fe, d, 4);
	wait_ready();
	assert_int_equal(mem[0x30fe], 0x11);
	assert_int_equal(mem[0x30ff], 0x22);
	assert_int_equal(mem[0x3000], 0x33);   /* wrapped inside the page */
	assert_int_equal(mem[0x3001], 0x44);
	assert_int_equal(mem[0x3100], 0xff);
}

static void test_spi_flash_erase_sizes(void **state)
{
	memset(mem, 0, FLASH_SIZE);
	op1(0x06);
	erase_cmd(0x20, 0x12345);           /* 4 KiB at 0x12000 */
	wait_ready();
	assert_int_equal(mem[0x11fff], 0x00);
	assert_int_equal(mem[0x12000], 0xff);
	assert_int_equal(mem[0x12fff], 0xff);
	assert_int_equal(mem[0x13000], 0x00);
	op1(0x06);
	erase_cmd(0x52, 0x48000);           /* 32 KiB at 0x48000 */
	wait_ready();
	assert_int_equal(mem[0x47fff], 0x00);
	assert_int_equal(mem[0x48000], 0xff);
	assert_int_equal(mem[0x4ffff], 0xff);
	assert_int_equal(mem[0x50000], 0x00);
	op1(0x06);
	erase_cmd(0xd8, 0x8ffff);           /* 64 KiB at 0x80000 */
	wait_ready();
	assert_int_equal(mem[0x7ffff], 0x00);
	assert_int_equal(mem[0x80000], 0xff);
	assert_int_equal(mem[0x8ffff], 0xff);
	assert_int_equal(mem[0x90000], 0x00);
	/* an erase with a stray byte is not executed */
	{
		uint8_t buf[5] = { 0x20, 0, 0, 0, 0 };

		op1(0x06);
		cmd(buf, NULL, 5);
		assert_int_equal(mem[0], 0x00);
		assert_int_equal(rdsr(), FLASH_SR_WEL);
	}
	op1(0x60);                          /* chip erase, with WEL still set */
	wait_ready();
	for (uint32_t a = 0; a < FLASH_SIZE; a += 4093)
		assert_int_equal(mem[a], 0xff);
	memset(mem, 0, FLASH_SIZE);
	op1(0x06);
	op1(0xc7);
	wait_ready();
	assert_int_equal(mem[FLASH_SIZE - 1], 0xff);
}

static void test_spi_flash_read_and_fast_read(void **state)
{
	uint8_t back[8];

	for (uint32_t a = 0; a < FLASH_SIZE; a++)
		mem[a] = (uint8_t)(a * 13 + (a >> 8));
	read_at(0x03, 0x1234, back, 8);
	assert_memory_equal(back, mem + 0x1234, 8);
	read_at(0x0b, 0xabcde, back, 8);      /* with its dummy byte */
	assert_memory_equal(back, mem + 0xabcde, 8);
	/* 3-byte addresses wrap at the 1 MiB size */
	read_at(0x03, 0xfffffe, back, 4);
	assert_int_equal(back[0], mem[FLASH_SIZE - 2]);
	assert_int_equal(back[2], mem[0]);
}

static void test_spi_flash_sfdp(void **state)
{
	uint8_t h[16], bfpt[8];

	read_at(0x5a, 0, h, 16);
	assert_memory_equal(h, "SFDP", 4);
	assert_int_equal(h[5], 1);            /* major 1 */
	assert_int_equal(h[11], 9);           /* BFPT of 9 dwords */
	read_at(0x5a, h[12], bfpt, 8);
	assert_int_equal(bfpt[1], 0x20);      /* 4 KiB erase opcode */
	assert_int_equal(bfpt[4] | bfpt[5] << 8 | bfpt[6] << 16 | (uint32_t)bfpt[7] << 24,
			 FLASH_SIZE * 8 - 1);
	read_at(0x5a, 0x200, h, 1);
	assert_int_equal(h[0], 0xff);
}

static void test_spi_flash_command_completeness(void **state)
{
	uint8_t op = 0x03, addr[3] = { 0, 0, 0x10 }, rx[2];

	assert_true(flash_cmd_complete(&fl));
	flash_clock(&fl, &op, NULL, 1);
	assert_false(flash_cmd_complete(&fl));     /* READ wants an address */
	flash_clock(&fl, addr, NULL, 3);
	assert_false(flash_cmd_complete(&fl));     /* and data */
	flash_clock(&fl, NULL, rx, 2);
	assert_true(flash_cmd_complete(&fl));
	flash_deselect(&fl);
	op = 0x06;
	flash_clock(&fl, &op, NULL, 1);
	assert_true(flash_cmd_complete(&fl));
	flash_deselect(&fl);
	op = 0x20;
	flash_clock(&fl, &op, NULL, 1);
	assert_false(flash_cmd_complete(&fl));
	flash_clock(&fl, addr, NULL, 3);
	assert_true(flash_cmd_complete(&fl));
	flash_deselect(&fl);
	op = 0x0b;
	flash_clock(&fl, &op, NULL, 1);
	flash_clock(&fl, addr, NULL, 3);
	flash_clock(&fl, NULL, NULL, 1);           /* dummy */
	assert_false(flash_cmd_complete(&fl));
	flash_clock(&fl, NULL, rx, 1);
	assert_true(flash_cmd_complete(&fl));
	flash_deselect(&fl);
}

/* ---------------------------------------------------------------- the file */

static char dir[64];
static char path[128];

static int file_setup(void **state)
{
	setup(state);
	snprintf(dir, sizeof(dir), "/tmp/vdflash.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/nor.img", dir);
	return 0;
}

static unsigned dir_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int file_teardown(void **state)
{
	char cmdline[160];

	snprintf(cmdline, sizeof(cmdline), "rm -rf '%s'", dir);
	if (system(cmdline) != 0)
		print_error("could not remove %s\n", dir);
	return teardown(state);
}

static void test_spi_flash_file_roundtrip(void **state)
{
	uint8_t *other = malloc(FLASH_SIZE);
	char err[256];
	struct stat st;

	assert_non_null(other);
	assert_int_equal(flash_load(other, path, err, sizeof(err)), 1);   /* missing: erased */
	assert_int_equal(other[12345], 0xff);
	for (uint32_t a = 0; a < FLASH_SIZE; a++)
		mem[a] = (uint8_t)(a ^ (a >> 11));
	assert_int_equal(flash_save(mem, path), 0);
	assert_int_equal(dir_entries(), 1);        /* no temporary left */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, FLASH_SIZE);
	assert_int_equal(flash_load(other, path, err, sizeof(err)), 0);
	assert_memory_equal(other, mem, FLASH_SIZE);
	/* overwrite in place */
	mem[7] = 0;
	assert_int_equal(flash_save(mem, path), 0);
	assert_int_equal(flash_load(other, path, err, sizeof(err)), 0);
	assert_int_equal(other[7], 0);
	assert_int_equal(dir_entries(), 1);
	free(other);
}

static void test_spi_flash_file_wrong_size(void **state)
{
	char err[256] = "";
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("short", f);
	fclose(f);
	assert_int_equal(flash_load(mem, path, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, path));
	/* a directory that does not exist cannot be saved to */
	assert_true(flash_save(mem, "/nonexistent-dir/x.img") < 0);
}

/* ------------------------------------------------ simulated chip selects */

struct telem {
	struct vq_elem e;
	struct iovec iov[4];
	struct virtio_spi_transfer_head h;
	uint8_t result;
};

static void mk(struct telem *t, unsigned cs, uint8_t *tx, uint32_t txlen, uint8_t *rx,
	       uint32_t rxlen)
{
	unsigned n = 0;

	memset(t, 0, sizeof(*t));
	t->h.chip_select_id = (uint8_t)cs;
	t->h.bits_per_word = 8;
	t->iov[n++] = (struct iovec){ &t->h, sizeof(t->h) };
	if (txlen)
		t->iov[n++] = (struct iovec){ tx, txlen };
	t->e.out_num = (uint16_t)n;
	t->e.out_len = 32 + txlen;
	if (rxlen)
		t->iov[n++] = (struct iovec){ rx, rxlen };
	t->iov[n++] = (struct iovec){ &t->result, 1 };
	t->e.in_num = (uint16_t)(n - t->e.out_num);
	t->e.in_len = rxlen + 1;
	t->e.out = t->iov;
	t->e.in = t->iov + t->e.out_num;
}

static struct spi_ctrl ctl;

static void ctl_sims(const char *a, const char *b)
{
	char err[256];

	memset(&ctl, 0, sizeof(ctl));
	ctl.cs[ctl.ncs] = spi_sim_new(a, err, sizeof(err));
	assert_non_null(ctl.cs[ctl.ncs++]);
	ctl.cs[ctl.ncs] = spi_sim_new(b, err, sizeof(err));
	assert_non_null(ctl.cs[ctl.ncs++]);
	assert_int_equal(spi_ctrl_finish(&ctl, err, sizeof(err)), 0);
}

/* One request as a batch of its own, from guest `owner`. */
static uint8_t xfer(int owner, unsigned cs, uint8_t *tx, uint32_t txlen, uint8_t *rx,
		    uint32_t rxlen)
{
	struct telem t;
	struct spi_req r, *rp = &r;

	mk(&t, cs, tx, txlen, rx, rxlen);
	assert_int_equal(spi_req_parse(&ctl, &t.e, &r), VIRTIO_SPI_TRANS_OK);
	spi_ctrl_run(&ctl, owner, &rp, 1);
	spi_req_finish(&r);
	return t.result;
}

static void test_spi_sim_loopback_and_config(void **state)
{
	uint8_t tx[5] = { 1, 2, 3, 4, 5 }, rx[5] = { 0 }, raw[32];

	ctl_sims("loopback", "flash");
	spi_config_bytes(&ctl, raw);
	assert_int_equal(raw[0], 2);
	assert_int_equal(raw[4], 0x80);       /* 8-bit words (the flash) */
	assert_int_equal(raw[8], 0x0f);       /* modes 0-3 */
	assert_int_equal(xfer(0, 0, tx, 5, rx, 5), VIRTIO_SPI_TRANS_OK);
	assert_memory_equal(rx, tx, 5);
	memset(rx, 0x77, 5);
	assert_int_equal(xfer(0, 0, NULL, 0, rx, 5), VIRTIO_SPI_TRANS_OK);
	assert_memory_equal(rx, "\0\0\0\0\0", 5);
	spi_ctrl_free(&ctl);
}

static void test_spi_sim_flash_split_command_holds_cs(void **state)
{
	uint8_t op = 0x9f, id[3] = { 0 }, wren = 0x06, rdsr = 0x05, sr = 0xee;

	ctl_sims("loopback", "flash");
	/* Linux sends opcode and data as separate requests, cs_change 0 */
	assert_int_equal(xfer(0, 1, &op, 1, NULL, 0), VIRTIO_SPI_TRANS_OK);
	assert_ptr_equal(ctl.held, ctl.cs[1]);
	assert_int_equal(xfer(0, 1, NULL, 0, id, 3), VIRTIO_SPI_TRANS_OK);
	assert_null(ctl.held);
	assert_memory_equal(id, "\xef\x40\x14", 3);
	/* WREN is complete after its opcode: released, so it executes */
	xfer(0, 1, &wren, 1, NULL, 0);
	assert_null(ctl.held);
	xfer(0, 1, &rdsr, 1, NULL, 0);
	xfer(0, 1, NULL, 0, &sr, 1);
	assert_int_equal(sr, FLASH_SR_WEL);
	spi_ctrl_free(&ctl);
}

static void test_spi_sim_flash_other_guest_releases(void **state)
{
	uint8_t rd[4] = { 0x03, 0, 0, 0 }, op = 0x9f, id[3] = { 0 };

	ctl_sims("flash", "loopback");
	xfer(0, 0, rd, 4, NULL, 0);           /* guest 0: READ, waiting for data */
	assert_ptr_equal(ctl.held, ctl.cs[0]);
	/* guest 1 starts its own command: guest 0's is ended first */
	xfer(1, 0, &op, 1, NULL, 0);
	xfer(1, 0, NULL, 0, id, 3);
	assert_memory_equal(id, "\xef\x40\x14", 3);
	/* another chip select of the same guest also releases it */
	xfer(0, 0, rd, 4, NULL, 0);
	xfer(0, 1, &op, 1, id, 1);
	assert_null(ctl.held);
	/* the guest going away releases what it holds */
	xfer(0, 0, rd, 4, NULL, 0);
	spi_ctrl_release_owner(&ctl, 1);
	assert_non_null(ctl.held);
	spi_ctrl_release_owner(&ctl, 0);
	assert_null(ctl.held);
	spi_ctrl_free(&ctl);
}

static void test_spi_sim_flash_file_persists(void **state)
{
	char spec[200], err[256];
	uint8_t wren = 0x06, pp[6] = { 0x02, 0x00, 0x01, 0x00, 0xab, 0xcd };
	uint8_t rd[4] = { 0x03, 0x00, 0x01, 0x00 }, back[2];
	struct spi_target *t;

	snprintf(spec, sizeof(spec), "flash,file=%s", path);
	ctl_sims("loopback", spec);
	assert_int_equal(access(path, F_OK), 0);   /* created erased at start */
	xfer(0, 1, &wren, 1, NULL, 0);
	xfer(0, 1, pp, 6, NULL, 0);
	assert_true(spi_sim_dirty(ctl.cs[1]));
	assert_false(spi_sim_dirty(ctl.cs[0]));
	assert_int_equal(spi_sim_sync(ctl.cs[1]), 0);
	assert_false(spi_sim_dirty(ctl.cs[1]));
	spi_ctrl_free(&ctl);

	ctl_sims("loopback", spec);
	xfer(0, 1, rd, 4, NULL, 0);
	xfer(0, 1, NULL, 0, back, 2);
	assert_int_equal(back[0], 0xab);
	assert_int_equal(back[1], 0xcd);
	spi_ctrl_free(&ctl);       /* nothing dirty: nothing written */
	assert_int_equal(dir_entries(), 1);

	/* bad specs */
	assert_null(spi_sim_new("eeprom", err, sizeof(err)));
	assert_non_null(strstr(err, "eeprom"));
	assert_null(spi_sim_new("flash,size=2", err, sizeof(err)));
	assert_null(spi_sim_new("flash,file=", err, sizeof(err)));
	assert_null(spi_sim_new("loopback,file=/tmp/x", err, sizeof(err)));
	assert_null(spi_sim_new("flash,file=/nonexistent-dir/x.img", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent-dir/x.img"));
	t = spi_sim_new("flash", err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(t->caps.max_freq_hz, 104000000);
	t->ops->destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spi_flash_rdid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_wren_wrdi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_program_needs_wel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_program_clears_bits_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_busy_ignores_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_page_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_erase_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_read_and_fast_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_sfdp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_command_completeness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_file_roundtrip, file_setup, file_teardown),
		cmocka_unit_test_setup_teardown(test_spi_flash_file_wrong_size, file_setup, file_teardown),
		cmocka_unit_test(test_spi_sim_loopback_and_config),
		cmocka_unit_test(test_spi_sim_flash_split_command_holds_cs),
		cmocka_unit_test(test_spi_sim_flash_other_guest_releases),
		cmocka_unit_test_setup_teardown(test_spi_sim_flash_file_persists, file_setup, file_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
