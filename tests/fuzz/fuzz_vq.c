/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* libFuzzer target: the split-ring chain walker (src/vhost/vq.c).
 *
 * Guest memory is a hand-filled struct mem_table whose regions are heap
 * buffers, so AddressSanitizer sees any access past a region; every
 * returned iovec is also checked against the regions explicitly.
 *
 *   R0  gpa 0x00000  64 KiB   rings (desc 0x0, avail 0x4000, used 0x5000,
 *                             or packed against the end of R0)
 *   R1  gpa 0x10000  64 KiB   adjacent to R0; indirect tables at its start
 *   R2  gpa 0x40000   4 KiB   after a hole
 *   uva = gpa + UVA_OFF for all of them.
 *
 * Input (missing bytes read as 0):
 *   0  ring size log2 (mod 11)
 *   1  bit0 EVENT_IDX, bit1 INDIRECT_DESC, bit2 NOTIFY_ON_EMPTY,
 *      bit3 rings at the end of R0
 *   2  le16 base (SET_VRING_BASE)
 *   4  le16 used_event
 *   6  avail flags
 *   7  descriptors that follow (written to desc[0..])
 *   8  descriptors that follow for the indirect area (R1 start)
 *   9  policy: bit0-1 when to push (0 at once, 1 all at the end in
 *      reverse, 2 every other at once, 3 at the end after a memory
 *      change), bit2 notify after each push, bit3 keep held elements
 *      into the next round (pushed after the last), bit7 vq_stop at the end
 *  10  rounds (1 + b % 4)
 *  then the descriptors, then per round: le16 avail idx and one le16
 *  head per newly published entry (at most the ring size).
 *
 * Descriptor encoding: sel, flags, next[, next_hi if sel & 0x10], then
 *   le16 off, le16 len (len <<= 4 if sel & 0x08); sel & 7 picks the
 *   address: 0 R0+off, 1 R1+off, 2 R2+off, 3 R1 start - off (spans R0/R1),
 *   4 indirect area + off, 5 R2 end - off, 6 the hole + off, 7 raw le64
 *   address and le32 length instead of off/len.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "vhost/vq.h"
#include "fuzz_util.h"

#define UVA_OFF  0x7f0000000000ull
#define R0_GPA   0x00000ull
#define R1_GPA   0x10000ull
#define R2_GPA   0x40000ull
#define R01_SIZE 0x10000ull
#define R2_SIZE  0x1000ull
#define HOLE_GPA 0x20000ull
#define IND_GPA  R1_GPA

#define CHECK(c) FZ_CHECK(c)

static struct mem_table mt;
static struct mem_region saved_r2;
static int call_fd = -1, err_fd = -1;

static void setup(void)
{
	static const struct { uint64_t gpa, size; } regs[] = {
		{ R0_GPA, R01_SIZE }, { R1_GPA, R01_SIZE }, { R2_GPA, R2_SIZE },
	};

	if (mt.n)
		return;
	log_set_level(getenv("FUZZ_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		struct mem_region *r = &mt.r[i];

		r->gpa = regs[i].gpa;
		r->size = regs[i].size;
		r->uva = regs[i].gpa + UVA_OFF;
		r->host = malloc(regs[i].size);
		CHECK(r->host);
	}
	mt.n = 3;
	saved_r2 = mt.r[2];
	call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	err_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(call_fd >= 0 && err_fd >= 0);
}

static uint8_t *gpa_ptr(uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < mt.n; i++)
		if (gpa >= mt.r[i].gpa && gpa - mt.r[i].gpa + len <= mt.r[i].size)
			return (uint8_t *)mt.r[i].host + (gpa - mt.r[i].gpa);
	return NULL;
}

static uint64_t efd_read(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void put_desc(struct fz_in *r, uint64_t at)
{
	uint8_t sel = fz_u8(r), flags = fz_u8(r);
	uint16_t next = fz_u8(r), off;
	uint64_t addr;
	uint32_t len;
	struct vring_desc d;
	uint8_t *p;

	if (sel & 0x10)
		next |= (uint16_t)fz_u8(r) << 8;
	if ((sel & 7) == 7) {
		addr = fz_u64(r);
		len = fz_u32(r);
	} else {
		off = fz_u16(r);
		len = fz_u16(r);
		if (sel & 0x08)
			len <<= 4;
		switch (sel & 7) {
		case 0: addr = R0_GPA + off; break;
		case 1: addr = R1_GPA + off; break;
		case 2: addr = R2_GPA + off; break;
		case 3: addr = R1_GPA - off; break;
		case 4: addr = IND_GPA + off; break;
		case 5: addr = R2_GPA + R2_SIZE - off; break;
		default: addr = HOLE_GPA + off; break;
		}
	}
	d.addr = addr;
	d.len = len;
	d.flags = flags;
	d.next = next;
	p = gpa_ptr(at, sizeof(d));
	if (p)
		memcpy(p, &d, sizeof(d));
}

/* The iovec lies wholly inside one region's host buffer. */
static int iov_in_guest(const struct iovec *v)
{
	const uint8_t *b = v->iov_base;

	for (unsigned i = 0; i < mt.n; i++) {
		const uint8_t *h = mt.r[i].host;

		if (b >= h && b <= h + mt.r[i].size &&
		    v->iov_len <= (size_t)(h + mt.r[i].size - b))
			return 1;
	}
	return 0;
}

static volatile uint8_t sink;

/* Check an element's invariants, read every readable byte and write every
 * writable one. */
static void touch(const struct vq *vq, const struct vq_elem *e)
{
	uint64_t out = 0, in = 0;
	uint8_t acc = 0;

	CHECK(e->head < vq->num);
	CHECK(e->in_use);
	CHECK((unsigned)e->out_num + e->in_num <= VQ_ELEM_MAX_IOV);
	CHECK(e->in == e->out + e->out_num);
	for (unsigned i = 0; i < e->out_num; i++) {
		const uint8_t *b = e->out[i].iov_base;

		CHECK(iov_in_guest(&e->out[i]));
		for (size_t k = 0; k < e->out[i].iov_len; k++)
			acc ^= b[k];
		out += e->out[i].iov_len;
	}
	for (unsigned i = 0; i < e->in_num; i++) {
		CHECK(iov_in_guest(&e->in[i]));
		memset(e->in[i].iov_base, 0xa5, e->in[i].iov_len);
		in += e->in[i].iov_len;
	}
	sink = acc;
	CHECK(out == e->out_len);
	CHECK(in == e->in_len);
}

static void push(struct vq *vq, struct vq_elem *e, uint32_t len, int notify)
{
	uint16_t head = e->head;
	uint32_t expect = len > e->in_len ? e->in_len : len;
	uint16_t before = vq->used_idx;

	vq_push(vq, e, len);
	if (vq->used_idx != before) {   /* published, not parked */
		const struct vring_used_elem *u =
			&vq->used->ring[(uint16_t)(vq->used_idx - 1) & (vq->num - 1)];

		CHECK(vq->used->idx == vq->used_idx);
		CHECK(u->id == head);
		CHECK(u->len == expect);
	}
	if (notify)
		vq_notify(vq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in r = { data, size };
	struct vq vq;
	struct vq_elem *held[VQ_MAX_SIZE];
	unsigned nheld = 0;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct vhost_vring_addr a = { 0 };
	uint8_t b0, b1, nd, ni, policy, rounds;
	uint16_t base, used_event, avail_idx, num;
	uint8_t avail_flags;

	setup();
	for (unsigned i = 0; i < mt.n; i++)
		memset(mt.r[i].host, 0, mt.r[i].size);
	efd_read(call_fd);
	efd_read(err_fd);

	b0 = fz_u8(&r);
	b1 = fz_u8(&r);
	base = fz_u16(&r);
	used_event = fz_u16(&r);
	avail_flags = fz_u8(&r);
	nd = fz_u8(&r);
	ni = fz_u8(&r);
	policy = fz_u8(&r);
	rounds = 1 + fz_u8(&r) % 4;
	num = (uint16_t)(1u << (b0 % 11));

	if (b1 & 8) {
		used_gpa = (R0_GPA + R01_SIZE - vring_used_size(num)) & ~3ull;
		avail_gpa = (used_gpa - vring_avail_size(num)) & ~1ull;
		desc_gpa = (avail_gpa - vring_desc_size(num)) & ~15ull;
	} else {
		desc_gpa = R0_GPA;
		avail_gpa = R0_GPA + 0x4000;
		used_gpa = R0_GPA + 0x5000;
	}

	vq_init(&vq, 0, VQ_MAX_SIZE, 2, &mt);
	CHECK(vq_set_num(&vq, num) == 0);
	a.desc_user_addr = desc_gpa + UVA_OFF;
	a.avail_user_addr = avail_gpa + UVA_OFF;
	a.used_user_addr = used_gpa + UVA_OFF;
	CHECK(vq_set_addr(&vq, &a) == 0);
	CHECK(vq_map(&vq) == 0);
	CHECK(vq_set_base(&vq, base) == 0);
	vq.event_idx = b1 & 1;
	vq.indirect = b1 & 2;
	vq.notify_on_empty = b1 & 4;
	vq.call_fd = call_fd;
	vq.err_fd = err_fd;
	vq.started = true;
	vq.enabled = true;
	CHECK(vq_ready(&vq));

	vq.avail->flags = avail_flags;
	vq.avail->ring[num] = used_event;
	for (unsigned i = 0; i < nd && i < num; i++)
		put_desc(&r, desc_gpa + 16ull * i);
	for (unsigned i = 0; i < ni; i++)
		put_desc(&r, IND_GPA + 16ull * i);

	avail_idx = base;
	for (unsigned round = 0; round < rounds && !vq.broken; round++) {
		uint16_t want = fz_u16(&r);
		unsigned pops = 0, k = 0;
		int ret = 0;
		struct vq_elem *e;

		/* publish the entries between the old and new index */
		for (uint16_t i = avail_idx; i != want && k < num; i++, k++)
			vq.avail->ring[i & (num - 1)] = fz_u16(&r);
		avail_idx = want;
		vq.avail->idx = want;

		while (pops < 2u * num + 2) {
			ret = vq_pop(&vq, &e);
			pops++;
			if (ret <= 0)
				break;
			CHECK(e);
			touch(&vq, e);
			switch (policy & 3) {
			case 0:
				push(&vq, e, e->in_len, policy & 4);
				break;
			case 2:
				if (pops & 1) {
					push(&vq, e, e->in_len / 2 + 1, policy & 4);
					break;
				}
				/* fall through */
			default:
				CHECK(nheld < VQ_MAX_SIZE);
				held[nheld++] = e;
				break;
			}
		}
		/* (the loop bound can be hit when written buffers overlap the
		 * avail ring and move its index) */
		if (ret < 0) {
			CHECK(vq.broken);
			CHECK(efd_read(err_fd) > 0);
			CHECK(vq_pop(&vq, &e) < 0 && !e);
		} else if (ret == 0 && vq.event_idx) {
			/* empty: the driver is asked for a kick at last_avail */
			uint16_t ev;

			memcpy(&ev, &vq.used->ring[num], sizeof(ev));
			CHECK(ev == vq.last_avail);
		}
		CHECK(vq.inflight == nheld);

		if ((policy & 3) == 3 && nheld) {
			/* memory change under held elements: drop R2, remap */
			mt.n = 2;
			vq_map(&vq);
			for (unsigned i = 0; i < nheld; i++)
				touch(&vq, held[i]);
			mt.r[2] = saved_r2;
			mt.n = 3;
			vq_map(&vq);
			for (unsigned i = 0; i < nheld; i++)
				touch(&vq, held[i]);
		}
		if ((policy & 8) && round + 1 < rounds && !vq.broken)
			continue;
		while (nheld) {
			e = held[--nheld];
			push(&vq, e, UINT32_MAX, policy & 4);
		}
		vq_notify(&vq);
	}
	/* a broken queue ends the rounds early: release what is held */
	while (nheld)
		push(&vq, held[--nheld], 0, 0);

	if (policy & 0x80) {
		vq_stop(&vq);
		vq_drop_held(&vq);
		CHECK(vq.inflight == 0);
	}
	/* the eventfds are ours: keep them across runs */
	vq.call_fd = -1;
	vq.err_fd = -1;
	vq_reset(&vq);
	return 0;
}
