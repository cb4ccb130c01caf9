/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Bounded copies between flat buffers and iovec arrays (guest buffers). */
#ifndef VD_IOV_H
#define VD_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* Copy up to len bytes starting at byte offset off of iov into buf.
 * Returns the number of bytes copied (short if the iovecs end first). */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off,
		  void *buf, size_t len);
/* Copy len bytes from buf into iov starting at offset off; returns bytes copied. */
size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off,
		    const void *buf, size_t len);
/* Fill len bytes at offset off with byte c; returns bytes filled. */
size_t iov_memset(const struct iovec *iov, unsigned n, size_t off, int c,
		  size_t len);
/* Total length of an iovec array (saturating at SIZE_MAX). */
size_t iov_size(const struct iovec *iov, unsigned n);

#endif
