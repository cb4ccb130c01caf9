/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c): reading the input,
 * checks that abort, and virtqueue elements built over heap buffers of
 * exactly their size (one allocation per iovec), so AddressSanitizer
 * reports any access past them. */
#ifndef VD_TESTS_FUZZ_UTIL_H
#define VD_TESTS_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vhost/vq.h"

/* Print where and what, then abort (what libFuzzer reports as a crash). */
void fz_check_failed(const char *file, int line, const char *what)
	__attribute__((noreturn));

#define FZ_CHECK(c)                                              \
	do {                                                     \
		if (!(c))                                        \
			fz_check_failed(__FILE__, __LINE__, #c); \
	} while (0)

/* ---- the input: missing bytes read as 0 ---- */

struct fz_in {
	const uint8_t *p;
	size_t n;
};

uint8_t fz_u8(struct fz_in *r);
uint16_t fz_u16(struct fz_in *r);    /* little-endian */
uint32_t fz_u32(struct fz_in *r);
uint64_t fz_u64(struct fz_in *r);
/* Copy the next n bytes (fewer if the input ends) into dst and zero the
 * rest; returns how many came from the input. */
size_t fz_take(struct fz_in *r, void *dst, size_t n);

static inline uint32_t fz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ---- elements over exact heap buffers ---- */

#define FZ_MAX_PIECES 4

struct fz_elem {
	struct vq_elem e;
	struct iovec iov[2 * FZ_MAX_PIECES];
};

/* Layout byte l (read by the caller, who also read any raw lengths):
 * bits 0-1 readable pieces - 1, bits 2-3 writable pieces - 1, bit4 / bit5
 * no readable / writable iovec at all when that length is 0.  Each split
 * point is a u8 (split16 false) or le16 from the input, mod what is left.
 * The readable bytes are hdr[0..hdr_len) then input bytes; the writable
 * ones are 0xa5.  size >= sizeof(struct fz_elem) allocates a bigger
 * struct that starts with the fz_elem (zeroed). */
struct fz_elem *fz_elem_new(struct fz_in *r, size_t size, uint8_t l, size_t out_len,
			    size_t in_len, bool split16, const uint8_t *hdr, size_t hdr_len);
/* Free the buffers and the element itself. */
void fz_elem_free(struct fz_elem *x);
/* Byte off of the writable part (checked to exist). */
uint8_t fz_in_byte(const struct vq_elem *e, size_t off);

#endif
