/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#include <stdint.h>
#include <string.h>

#include "common/iov.h"

enum iov_op { IOV_TO_BUF, IOV_FROM_BUF, IOV_FILL };

/* The one walk over an iovec array: visit up to len bytes from offset off. */
static size_t iov_walk(const struct iovec *iov, unsigned n, size_t off,
		       void *buf, size_t len, enum iov_op op, int c)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		char *p = (char *)iov[i].iov_base + off;
		size_t k = iov[i].iov_len - off;

		if (k > len - done)
			k = len - done;
		if (op == IOV_TO_BUF)
			memcpy((char *)buf + done, p, k);
		else if (op == IOV_FROM_BUF)
			memcpy(p, (const char *)buf + done, k);
		else
			memset(p, c, k);
		done += k;
		off = 0;
	}
	return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off,
		  void *buf, size_t len)
{
	return iov_walk(iov, n, off, buf, len, IOV_TO_BUF, 0);
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off,
		    const void *buf, size_t len)
{
	return iov_walk(iov, n, off, (void *)buf, len, IOV_FROM_BUF, 0);
}

size_t iov_memset(const struct iovec *iov, unsigned n, size_t off, int c,
		  size_t len)
{
	return iov_walk(iov, n, off, NULL, len, IOV_FILL, c);
}

size_t iov_size(const struct iovec *iov, unsigned n)
{
	size_t t = 0;

	for (unsigned i = 0; i < n; i++) {
		if (iov[i].iov_len > SIZE_MAX - t)
			return SIZE_MAX;
		t += iov[i].iov_len;
	}
	return t;
}
