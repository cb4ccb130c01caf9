/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* spitool: the few SPI/MTD operations the VM tests need inside the guest
 * (busybox has none).  Built static for the guest's architecture.
 *
 *   spitool loop DEV          full-duplex transfers through a spidev chip
 *                             select wired as loopback: one SPI_IOC_MESSAGE
 *                             with two transfers; prints what came back
 *   spitool mtdinfo DEV       MEMGETINFO of an mtd character device
 *   spitool erase DEV OFF LEN MEMERASE (OFF, LEN in bytes, any base)
 *
 * Every line of output starts with the command name; the exit status is 0
 * only if everything worked (loop: rx == tx for both transfers). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/spi/spidev.h>
#include <mtd/mtd-user.h>

static int open_dev(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
	return fd;
}

static void hex(const char *tag, const uint8_t *b, size_t n)
{
	size_t i;

	printf("%s", tag);
	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

static int cmd_loop(const char *path)
{
	uint8_t tx0[64], rx0[64], tx1[16], rx1[16];
	struct spi_ioc_transfer x[2];
	uint32_t mode = 0, speed = 0;
	uint8_t bits = 0;
	int fd, n, ok;
	size_t i;

	fd = open_dev(path);
	if (fd < 0)
		return 1;
	if (ioctl(fd, SPI_IOC_RD_MODE32, &mode) < 0 ||
	    ioctl(fd, SPI_IOC_RD_BITS_PER_WORD, &bits) < 0 ||
	    ioctl(fd, SPI_IOC_RD_MAX_SPEED_HZ, &speed) < 0) {
		printf("loop: reading the settings of %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("loop: %s mode=0x%x bits=%u max_speed_hz=%u\n", path, mode, bits, speed);
	for (i = 0; i < sizeof(tx0); i++)
		tx0[i] = (uint8_t)(i * 7 + 3);
	memcpy(tx1, "vhost-device spi", 16);
	memset(rx0, 0xee, sizeof(rx0));
	memset(rx1, 0xee, sizeof(rx1));
	memset(x, 0, sizeof(x));
	x[0].tx_buf = (uintptr_t)tx0;
	x[0].rx_buf = (uintptr_t)rx0;
	x[0].len = sizeof(tx0);
	x[1].tx_buf = (uintptr_t)tx1;
	x[1].rx_buf = (uintptr_t)rx1;
	x[1].len = sizeof(tx1);
	x[1].speed_hz = speed > 1000000 ? 1000000 : speed;
	n = ioctl(fd, SPI_IOC_MESSAGE(2), x);
	if (n < 0) {
		printf("loop: SPI_IOC_MESSAGE(2): %s\n", strerror(errno));
		return 1;
	}
	ok = n == (int)(sizeof(tx0) + sizeof(tx1)) &&
	     !memcmp(tx0, rx0, sizeof(tx0)) && !memcmp(tx1, rx1, sizeof(tx1));
	printf("loop: SPI_IOC_MESSAGE(2) returned %d\n", n);
	hex("loop: rx0 ", rx0, 16);
	printf("loop: rx1 %.16s\n", (const char *)rx1);
	printf("loop: %s\n", ok ? "rx == tx for both transfers" : "MISMATCH");
	close(fd);
	return ok ? 0 : 1;
}

static int cmd_mtdinfo(const char *path)
{
	struct mtd_info_user mi;
	int fd = open_dev(path);

	if (fd < 0)
		return 1;
	if (ioctl(fd, MEMGETINFO, &mi) < 0) {
		printf("mtdinfo: MEMGETINFO: %s\n", strerror(errno));
		return 1;
	}
	printf("mtdinfo: type=%u%s size=%u erasesize=%u writesize=%u\n", mi.type,
	       mi.type == MTD_NORFLASH ? "(nor)" : "", mi.size, mi.erasesize,
	       mi.writesize);
	close(fd);
	return 0;
}

static int cmd_erase(const char *path, const char *off, const char *len)
{
	struct erase_info_user ei;
	int fd = open_dev(path);

	if (fd < 0)
		return 1;
	ei.start = (uint32_t)strtoul(off, NULL, 0);
	ei.length = (uint32_t)strtoul(len, NULL, 0);
	if (ioctl(fd, MEMERASE, &ei) < 0) {
		printf("erase: MEMERASE %#x+%#x: %s\n", ei.start, ei.length, strerror(errno));
		return 1;
	}
	printf("erase: %#x+%#x ok\n", ei.start, ei.length);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "loop"))
		return cmd_loop(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "mtdinfo"))
		return cmd_mtdinfo(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "erase"))
		return cmd_erase(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: spitool loop DEV | mtdinfo DEV | erase DEV OFF LEN\n");
	return 2;
}
