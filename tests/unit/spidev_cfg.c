/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* A fixed spidev's configuration ioctls (spidev_cfg.h). */
#include <errno.h>
#include <stdint.h>
#include <linux/spi/spidev.h>

#include "spidev_cfg.h"

int spi_fixed_config_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case SPI_IOC_RD_MODE32:
		*(uint32_t *)arg = 0;
		return 0;
	case SPI_IOC_WR_MODE32:
		return *(uint32_t *)arg & ~0x3u ? -EINVAL : 0;
	case SPI_IOC_RD_BITS_PER_WORD:
		*(uint8_t *)arg = 8;
		return 0;
	case SPI_IOC_WR_BITS_PER_WORD:
		return *(uint8_t *)arg == 8 ? 0 : -EINVAL;
	case SPI_IOC_RD_MAX_SPEED_HZ:
		*(uint32_t *)arg = 1000000;
		return 0;
	}
	return -ENOTTY;
}
