/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* A virtio-spi request as the device sees it, built in host memory for
 * the SPI unit tests: head + tx readable, rx + result writable. */
#ifndef VD_TEST_SPI_ELEM_H
#define VD_TEST_SPI_ELEM_H

#include <stdint.h>
#include <sys/uio.h>

#include "devices/spi.h"
#include "vhost/vq.h"

struct telem {
	struct vq_elem e;
	struct iovec iov[4];
	struct virtio_spi_transfer_head h;
	uint8_t result;
};

/* A head for chip select cs: 8 bits per word, 1 MHz, mode as given. */
struct virtio_spi_transfer_head spi_head(unsigned cs, uint32_t mode);

/* head + tx (if txlen) readable, rx (if rxlen) + result writable */
void spi_mk(struct telem *t, const struct virtio_spi_transfer_head *h, uint8_t *tx,
	uint32_t txlen, uint8_t *rx, uint32_t rxlen);

#endif
