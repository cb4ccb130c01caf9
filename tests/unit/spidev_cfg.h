/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The configuration side of a fixed spidev stand-in for the SPI unit
 * tests: mode 0..3, 8 bits per word, 1 MHz. */
#ifndef VD_TEST_SPIDEV_CFG_H
#define VD_TEST_SPIDEV_CFG_H

/* Answers the mode, bits-per-word and speed ioctls; -ENOTTY for any other
 * request (a message is the caller's). */
int spi_fixed_config_ioctl(unsigned long req, void *arg);

#endif
