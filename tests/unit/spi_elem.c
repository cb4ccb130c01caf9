/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SPI requests for the unit tests (spi_elem.h). */
#include <string.h>

#include "spi_elem.h"

struct virtio_spi_transfer_head spi_head(unsigned cs, uint32_t mode)
{
	struct virtio_spi_transfer_head h;

	memset(&h, 0, sizeof(h));
	h.chip_select_id = (uint8_t)cs;
	h.bits_per_word = 8;
	h.mode = mode;
	h.freq = 1000000;
	return h;
}

void spi_mk(struct telem *t, const struct virtio_spi_transfer_head *h, uint8_t *tx,
	uint32_t txlen, uint8_t *rx, uint32_t rxlen)
{
	unsigned n = 0;

	memset(t, 0, sizeof(*t));
	t->h = *h;
	t->result = 0xee;
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
