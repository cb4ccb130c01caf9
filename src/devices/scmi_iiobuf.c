/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Buffered reads of an IIO channel through its character device
 * /dev/iio:deviceN, as Documentation/iio/iio_devbuf.rst and
 * Documentation/ABI/testing/sysfs-bus-iio describe them: the channel's
 * scan elements are enabled (scan_elements/<chan>_en), the buffer sized
 * and enabled (buffer/length, buffer/enable; buffer0/ on kernels where
 * buffer/ is absent), and every read of the character device returns
 * whole scan records.  A record holds each enabled element in the order
 * of its scan_elements/<chan>_index (the timestamp last), each aligned to
 * its own storage size, in the storage its _type describes.  Nothing read
 * from sysfs or the device is trusted: the type strings are parsed
 * strictly, sizes are bounded, and any failure undoes what was done. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "devices/scmi.h"
#include "vhost/loop.h"

#define IIOBUF_MAX_READS 64       /* reads per drain before yielding */

/* ---- type strings, layout, values ---- */

/* 1 to 3 decimal digits, value <= 255 */
static const char *parse_u8(const char *s, unsigned *v)
{
	unsigned n = 0, d = 0;

	while (isdigit((unsigned char)*s) && d < 4) {
		n = n * 10 + (unsigned)(*s - '0');
		s++;
		d++;
	}
	if (!d || d > 3 || n > 255)
		return NULL;
	*v = n;
	return s;
}

int scmi_iio_parse_type(const char *s, struct scmi_iio_scan_type *t)
{
	unsigned bits, sbits, shift = 0, repeat = 1;

	memset(t, 0, sizeof(*t));
	if (!strncmp(s, "le:", 3))
		t->be = false;
	else if (!strncmp(s, "be:", 3))
		t->be = true;
	else
		return -EINVAL;
	s += 3;
	if (*s == 's')
		t->is_signed = true;
	else if (*s == 'u')
		t->is_signed = false;
	else
		return -EINVAL;             /* 'f' (IEEE 754) and the rest */
	s = parse_u8(s + 1, &bits);
	if (!s || *s != '/')
		return -EINVAL;
	s = parse_u8(s + 1, &sbits);
	if (!s)
		return -EINVAL;
	if (*s == 'X') {
		s = parse_u8(s + 1, &repeat);
		if (!s || !repeat)
			return -EINVAL;
	}
	if (s[0] == '>' && s[1] == '>') {
		s = parse_u8(s + 2, &shift);
		if (!s)
			return -EINVAL;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s)
		return -EINVAL;
	if (sbits != 8 && sbits != 16 && sbits != 32 && sbits != 64)
		return -EINVAL;
	if (!bits || bits > sbits || shift >= sbits || bits + shift > sbits)
		return -EINVAL;
	t->bits = (uint8_t)bits;
	t->storagebits = (uint8_t)sbits;
	t->shift = (uint8_t)shift;
	t->repeat = (uint16_t)repeat;
	return 0;
}

static bool is_pow2(unsigned v)
{
	return v && !(v & (v - 1));
}

static bool is_timestamp(const struct scmi_iio_elem *e)
{
	return !strcmp(e->name, "in_timestamp");
}

/* the kernel appends the timestamp after the scan mask's channels */
static bool elem_before(const struct scmi_iio_elem *a, const struct scmi_iio_elem *b)
{
	if (is_timestamp(a) != is_timestamp(b))
		return !is_timestamp(a);
	return a->index < b->index;
}

int scmi_iio_layout(struct scmi_iio_elem *el, unsigned n)
{
	unsigned off = 0, largest = 0;

	if (!n || n > SCMI_IIO_SCAN_MAX)
		return -EINVAL;
	for (unsigned i = 1; i < n; i++) {
		struct scmi_iio_elem e = el[i];
		unsigned j = i;

		for (; j > 0 && elem_before(&e, &el[j - 1]); j--)
			el[j] = el[j - 1];
		el[j] = e;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned bytes = el[i].t.storagebits / 8u * el[i].t.repeat;

		if (i && el[i].index == el[i - 1].index)
			return -EINVAL;
		/* the kernel's ALIGN() needs a power of two */
		if (!is_pow2(bytes) || bytes > SCMI_IIO_RECORD_MAX)
			return -EINVAL;
		off = (off + bytes - 1) & ~(bytes - 1);
		el[i].offset = off;
		el[i].bytes = bytes;
		off += bytes;
		if (off > SCMI_IIO_RECORD_MAX)
			return -EINVAL;
		if (bytes > largest)
			largest = bytes;
	}
	off = (off + largest - 1) & ~(largest - 1);
	if (off > SCMI_IIO_RECORD_MAX)
		return -EINVAL;
	return (int)off;
}

int64_t scmi_iio_extract(const struct scmi_iio_scan_type *t, const uint8_t *p)
{
	unsigned nb = t->storagebits / 8u;
	uint64_t v = 0, mask;

	for (unsigned i = 0; i < nb; i++) {
		unsigned byte = t->be ? i : nb - 1 - i;

		v = v << 8 | p[byte];
	}
	v >>= t->shift;
	if (t->bits >= 64)
		return (int64_t)v;
	mask = (1ull << t->bits) - 1;
	v &= mask;
	if (t->is_signed && (v >> (t->bits - 1)) & 1)
		v |= ~mask;
	return (int64_t)v;
}

const char *scmi_iio_dev_dir(void)
{
	const char *d = getenv("VHOST_DEVICE_IIO_DEV_DIR");

	return d && *d ? d : "/dev";
}

static bool is_devname(const char *s)
{
	size_t d;

	if (strncmp(s, "iio:device", 10))
		return false;
	s += 10;
	d = strspn(s, "0123456789");
	return d > 0 && d <= 9 && !s[d];
}

static const char *last_component(char *p)
{
	size_t l = strlen(p);
	char *slash;

	while (l > 1 && p[l - 1] == '/')
		p[--l] = '\0';
	slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

int scmi_iio_devname(const char *path, char *out, size_t outlen)
{
	char buf[PATH_MAX], *real;
	const char *base;
	int r = -EINVAL;

	if (strlen(path) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, path);
	base = last_component(buf);
	if (is_devname(base)) {
		snprintf(out, outlen, "%s", base);
		return 0;
	}
	real = realpath(path, NULL);
	if (!real)
		return -EINVAL;
	base = last_component(real);
	if (is_devname(base)) {
		snprintf(out, outlen, "%s", base);
		r = 0;
	}
	free(real);
	return r;
}

/* ---- capture ---- */

static uint64_t mono_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Undo whatever start did; enabled: buffer/enable was set. */
static void undo(struct scmi_iiobuf *b, bool enabled)
{
	char f[64], v[24];

	if (b->watch)
		loop_del(b->loop, b->watch);
	b->watch = NULL;
	if (enabled && b->buffd >= 0)
		scmi_sysfs_write(b->buffd, "enable", "0");
	/* the _en and length files refuse changes while enabled */
	for (unsigned i = 0; i < b->naxes; i++) {
		if (!b->en_changed[i] || b->scanfd < 0)
			continue;
		snprintf(f, sizeof(f), "%s_en", b->axis[i]);
		scmi_sysfs_write(b->scanfd, f, "0");
		b->en_changed[i] = false;
	}
	if (b->old_length >= 0 && b->buffd >= 0) {
		snprintf(v, sizeof(v), "%lld", b->old_length);
		scmi_sysfs_write(b->buffd, "length", v);
	}
	b->old_length = -1;
	close_fd(&b->chrfd);
	close_fd(&b->scanfd);
	close_fd(&b->buffd);
	b->active = false;
	b->valid = false;
	b->have = 0;
}

static void iiobuf_cb(void *opaque, int fd, uint32_t events)
{
	struct scmi_iiobuf *b = opaque;
	char why[128];

	if (scmi_iiobuf_drain(b, why, sizeof(why)) < 0 && b->on_fail)
		b->on_fail(b->opaque, why);
}

/* Read scan_elements/<name>_<attr> as an integer in [0, max]. */
static int read_attr_ll(int dirfd, const char *name, const char *attr,
			long long max, long long *v)
{
	char f[80];
	int r;

	snprintf(f, sizeof(f), "%s_%s", name, attr);
	r = scmi_sysfs_read_ll(dirfd, f, v);
	if (r < 0)
		return r;
	return *v < 0 || *v > max ? -ERANGE : 0;
}

static int find_axis(const struct scmi_iiobuf *b, const char *name)
{
	for (unsigned i = 0; i < b->naxes; i++)
		if (!strcmp(b->axis[i], name))
			return (int)i;
	return -1;
}

/* The enabled scan elements (ours enabled first), laid out. */
static int scan_layout(struct scmi_iiobuf *b, char *why, size_t whylen)
{
	struct scmi_iio_elem el[SCMI_IIO_SCAN_MAX];
	bool found[SCMI_IIOBUF_AXES] = { false };
	unsigned n = 0, total = 0;
	struct dirent *de;
	DIR *dd;
	int dfd, rec;

	dfd = openat(b->scanfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !(dd = fdopendir(dfd))) {
		snprintf(why, whylen, "cannot list the scan elements: %s", strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -EINVAL;
	}
	while ((de = readdir(dd))) {
		size_t l = strlen(de->d_name);
		char name[sizeof(el[0].name)], tfile[64], tbuf[64];
		long long en, idx;
		int ax, r;

		if (l <= 3 || strcmp(de->d_name + l - 3, "_en"))
			continue;
		if (++total > SCMI_IIO_SCAN_MAX) {
			snprintf(why, whylen, "more than %d scan elements", SCMI_IIO_SCAN_MAX);
			goto bad;
		}
		if (l - 3 >= sizeof(name)) {
			snprintf(why, whylen, "scan element name '%.60s...' too long", de->d_name);
			goto bad;
		}
		memcpy(name, de->d_name, l - 3);
		name[l - 3] = '\0';
		if (read_attr_ll(b->scanfd, name, "en", 1, &en) < 0) {
			snprintf(why, whylen, "%s_en is not 0 or 1", name);
			goto bad;
		}
		ax = find_axis(b, name);
		if (ax < 0 && !en)
			continue;
		if (ax >= 0) {
			found[ax] = true;
			if (!en) {
				char f[64];

				snprintf(f, sizeof(f), "%s_en", name);
				r = scmi_sysfs_write(b->scanfd, f, "1");
				if (r < 0) {
					snprintf(why, whylen, "cannot enable %s: %s", f, strerror(-r));
					goto bad;
				}
				b->en_changed[ax] = true;
			}
		}
		if (read_attr_ll(b->scanfd, name, "index", 1 << 20, &idx) < 0) {
			snprintf(why, whylen, "%s_index is missing or not a small number", name);
			goto bad;
		}
		snprintf(tfile, sizeof(tfile), "%s_type", name);
		r = scmi_sysfs_read(b->scanfd, tfile, tbuf, sizeof(tbuf));
		if (r < 0) {
			snprintf(why, whylen, "%s_type: %s", name, strerror(-r));
			goto bad;
		}
		snprintf(el[n].name, sizeof(el[n].name), "%s", name);
		el[n].index = (unsigned)idx;
		if (scmi_iio_parse_type(tbuf, &el[n].t)) {
			snprintf(why, whylen, "%s_type '%.40s' is not [be|le]:[s|u]bits/storagebits"
				 "[Xrepeat][>>shift] with sane sizes", name, tbuf);
			goto bad;
		}
		n++;
	}
	closedir(dd);
	for (unsigned i = 0; i < b->naxes; i++) {
		if (!found[i]) {
			snprintf(why, whylen, "no scan element %s", b->axis[i]);
			return -EINVAL;
		}
	}
	rec = scmi_iio_layout(el, n);
	if (rec < 0) {
		snprintf(why, whylen, "the enabled scan elements give no valid record layout "
			 "(duplicate index, odd size or over %d bytes)", SCMI_IIO_RECORD_MAX);
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++) {
		int ax = find_axis(b, el[i].name);

		if (ax < 0)
			continue;
		if (el[i].t.repeat != 1) {
			snprintf(why, whylen, "%s repeats its value %u times", el[i].name,
				 el[i].t.repeat);
			return -EINVAL;
		}
		b->type[ax] = el[i].t;
		b->off[ax] = el[i].offset;
	}
	b->rec = (unsigned)rec;
	return 0;
bad:
	closedir(dd);
	return -EINVAL;
}

int scmi_iiobuf_start(struct scmi_iiobuf *b, int dirfd, const char *devname,
		      const char *const *axes, unsigned n, struct loop *l,
		      char *why, size_t whylen)
{
	char path[PATH_MAX];
	const char *bdir = "buffer";
	long long v;
	struct stat sb;
	int r;

	if (b->active)
		return 0;
	b->chrfd = b->scanfd = b->buffd = -1;
	b->watch = NULL;
	b->loop = l;
	b->old_length = -1;
	b->have = 0;
	b->valid = false;
	b->records = 0;
	if (!n || n > SCMI_IIOBUF_AXES) {
		snprintf(why, whylen, "%u axes", n);
		return -EINVAL;
	}
	b->naxes = n;
	for (unsigned i = 0; i < n; i++) {
		if (strlen(axes[i]) >= sizeof(b->axis[i])) {
			snprintf(why, whylen, "channel name too long");
			return -EINVAL;
		}
		strcpy(b->axis[i], axes[i]);
		b->en_changed[i] = false;
	}
	if (!devname || !is_devname(devname)) {
		snprintf(why, whylen, "the path does not name an iio:deviceN directory");
		return -EINVAL;
	}
	b->buffd = openat(dirfd, bdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->buffd < 0) {
		bdir = "buffer0";
		b->buffd = openat(dirfd, bdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (b->buffd < 0) {
		snprintf(why, whylen, "no buffer/ or buffer0/ directory");
		goto fail;
	}
	/* scan_elements/ (kept for buffer0), else the 5.11+ bufferY/ */
	b->scanfd = openat(dirfd, "scan_elements", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->scanfd < 0)
		b->scanfd = openat(b->buffd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->scanfd < 0) {
		snprintf(why, whylen, "no scan_elements/ directory");
		goto fail;
	}
	r = scmi_sysfs_read_ll(b->buffd, "enable", &v);
	if (r < 0) {
		snprintf(why, whylen, "%s/enable: %s", bdir, strerror(-r));
		goto fail;
	}
	if (v) {
		snprintf(why, whylen, "%s/enable is already 1 (another reader owns the buffer)", bdir);
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/%s", scmi_iio_dev_dir(), devname);
	b->chrfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (b->chrfd < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(b->chrfd, &sb) || !(S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode))) {
		snprintf(why, whylen, "%s is not a character device", path);
		goto fail;
	}
	if (scan_layout(b, why, whylen))
		goto fail;
	r = scmi_sysfs_read_ll(b->buffd, "length", &v);
	if (r == 0 && v != SCMI_IIOBUF_LENGTH) {
		char s[16];

		snprintf(s, sizeof(s), "%d", SCMI_IIOBUF_LENGTH);
		r = scmi_sysfs_write(b->buffd, "length", s);
		if (r < 0) {
			snprintf(why, whylen, "%s/length: %s", bdir, strerror(-r));
			goto fail;
		}
		b->old_length = v;
	}
	/* records left from an earlier capture are not readings of this one */
	for (unsigned i = 0; i < IIOBUF_MAX_READS; i++) {
		ssize_t got = read(b->chrfd, b->data, sizeof(b->data));

		if (got <= 0 && !(got < 0 && errno == EINTR))
			break;
	}
	r = scmi_sysfs_write(b->buffd, "enable", "1");
	if (r < 0) {
		snprintf(why, whylen, "%s/enable: %s (is a trigger set?)", bdir, strerror(-r));
		goto fail;
	}
	if (l) {
		b->watch = loop_add(l, b->chrfd, EPOLLIN, iiobuf_cb, b);
		if (!b->watch) {
			snprintf(why, whylen, "cannot watch %s: %s", path, strerror(errno));
			undo(b, true);
			return -EINVAL;
		}
	}
	b->active = true;
	return 0;
fail:
	undo(b, false);
	return -EINVAL;
}

int scmi_iiobuf_drain(struct scmi_iiobuf *b, char *why, size_t whylen)
{
	if (!b->active)
		return 0;
	for (unsigned i = 0; i < IIOBUF_MAX_READS; i++) {
		ssize_t n = read(b->chrfd, b->data + b->have, sizeof(b->data) - b->have);
		unsigned whole;

		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			if (e == EAGAIN || e == EWOULDBLOCK)
				return 0;
			snprintf(why, whylen, "read: %s", strerror(e));
			return -e;
		}
		if (n == 0) {
			snprintf(why, whylen, "the device reported end of file");
			return -ENODEV;
		}
		b->have += (unsigned)n;
		whole = b->have / b->rec * b->rec;
		if (!whole)
			continue;
		/* the newest whole record is the reading */
		for (unsigned a = 0; a < b->naxes; a++)
			b->raw[a] = scmi_iio_extract(&b->type[a],
						     b->data + whole - b->rec + b->off[a]);
		b->ts_us = mono_us();
		b->valid = true;
		b->records += whole / b->rec;
		memmove(b->data, b->data + whole, b->have - whole);
		b->have -= whole;
	}
	return 0;
}

void scmi_iiobuf_stop(struct scmi_iiobuf *b)
{
	if (!b->active)
		return;
	undo(b, true);
}
