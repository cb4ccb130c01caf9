/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Shared by the fuzz targets; see fuzz_util.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

void fz_check_failed(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	abort();
}

uint8_t fz_u8(struct fz_in *r)
{
	uint8_t v = 0;

	if (r->n) {
		v = *r->p++;
		r->n--;
	}
	return v;
}

uint16_t fz_u16(struct fz_in *r)
{
	uint16_t lo = fz_u8(r);

	return (uint16_t)(lo | (uint16_t)fz_u8(r) << 8);
}

uint32_t fz_u32(struct fz_in *r)
{
	uint32_t lo = fz_u16(r);

	return lo | (uint32_t)fz_u16(r) << 16;
}

uint64_t fz_u64(struct fz_in *r)
{
	uint64_t lo = fz_u32(r);

	return lo | (uint64_t)fz_u32(r) << 32;
}

size_t fz_take(struct fz_in *r, void *dst, size_t n)
{
	size_t have = n < r->n ? n : r->n;

	if (have)
		memcpy(dst, r->p, have);
	memset((uint8_t *)dst + have, 0, n - have);
	r->p += have;
	r->n -= have;
	return have;
}

/* split total into n pieces (n >= 1), sizes from the input */
static void split(struct fz_in *r, size_t total, unsigned n, bool split16, size_t *sz)
{
	for (unsigned i = 0; i + 1 < n; i++) {
		sz[i] = total ? (split16 ? fz_u16(r) : fz_u8(r)) % (total + 1) : 0;
		total -= sz[i];
	}
	sz[n - 1] = total;
}

struct fz_elem *fz_elem_new(struct fz_in *r, size_t size, uint8_t l, size_t out_len,
			    size_t in_len, bool split16, const uint8_t *hdr, size_t hdr_len)
{
	struct fz_elem *x = calloc(1, size < sizeof(*x) ? sizeof(*x) : size);
	unsigned nout = (l & 3) + 1, nin = ((l >> 2) & 3) + 1;
	size_t sz[2 * FZ_MAX_PIECES], off = 0;

	FZ_CHECK(x);
	if (!out_len && (l & 0x10))
		nout = 0;
	if (!in_len && (l & 0x20))
		nin = 0;
	if (nout)
		split(r, out_len, nout, split16, sz);
	if (nin)
		split(r, in_len, nin, split16, sz + nout);
	for (unsigned i = 0; i < nout + nin; i++) {
		uint8_t *p = malloc(sz[i] ? sz[i] : 1);

		FZ_CHECK(p);
		x->iov[i].iov_base = p;
		x->iov[i].iov_len = sz[i];
		if (i < nout) {
			for (size_t j = 0; j < sz[i]; j++, off++)
				p[j] = off < hdr_len ? hdr[off] : fz_u8(r);
		} else {
			memset(p, 0xa5, sz[i]);
		}
	}
	x->e.out_num = (uint16_t)nout;
	x->e.in_num = (uint16_t)nin;
	x->e.out_len = (uint32_t)out_len;
	x->e.in_len = (uint32_t)in_len;
	x->e.out = x->iov;
	x->e.in = x->iov + nout;
	return x;
}

void fz_elem_free(struct fz_elem *x)
{
	for (unsigned i = 0; i < (unsigned)x->e.out_num + x->e.in_num; i++)
		free(x->iov[i].iov_base);
	free(x);
}

uint8_t fz_in_byte(const struct vq_elem *e, size_t off)
{
	for (unsigned i = 0; i < e->in_num; i++) {
		if (off < e->in[i].iov_len)
			return ((const uint8_t *)e->in[i].iov_base)[off];
		off -= e->in[i].iov_len;
	}
	FZ_CHECK(0);
	return 0;
}
