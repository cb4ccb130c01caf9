/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The `iio` SCMI device: one channel of a Linux IIO device
 * (/sys/bus/iio/devices/iio:deviceN) as one SCMI sensor, as upstream's
 * vhost-device-scmi does.  A channel PREFIX (e.g. in_accel, in_temp,
 * in_voltage0) is scalar if PREFIX_raw (or PREFIX_input) exists, else it
 * has an axis for each of PREFIX_{x,y,z}_raw.  Values follow the IIO ABI
 * (Documentation/ABI/testing/sysfs-bus-iio): processed = (raw + offset) *
 * scale in the channel type's unit; the SCMI value is that, in the SCMI
 * unit, times 10^-exponent, with the exponent chosen from the scale so no
 * resolution is lost.
 *
 * Readings come from sysfs (PREFIX*_raw) unless the sensor is sampled
 * periodically (the guest enabled it with continuous updates or trip
 * points) and the device has a buffer: then its scan elements are enabled
 * and the newest record read from the character device /dev/iio:deviceN
 * (scmi_iiobuf.c) is the reading, until sampling stops, the guest resets
 * or the daemon exits.  Any failure there falls back to sysfs with one
 * log line saying why.  A sysfs reading waits for the driver, so it is
 * read_host, on the instance's worker; the buffer is read on the loop
 * (nonblocking). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/sandbox.h"
#include "devices/scmi.h"

#define IIO_TS_EXP   (-6)      /* timestamps in microseconds */
#define IIO_FILE_LEN 96

/* IIO channel types: the unit after scale and offset, as SCMI unit and
 * the decimal exponent of the IIO unit (millidegrees: -3).  Longest type
 * names first where one is a prefix of another. */
static const struct iio_type {
	const char *name;
	uint8_t unit;
	int8_t base;
} iio_types[] = {
	{ "humidityrelative", SCMI_UNIT_PERCENTAGE, -3 },  /* milli percent */
	{ "anglvel", SCMI_UNIT_RADIANS_SEC, 0 },
	{ "angl", SCMI_UNIT_RADIANS, 0 },
	{ "accel", SCMI_UNIT_METERS_SEC_SQUARED, 0 },
	{ "gravity", SCMI_UNIT_METERS_SEC_SQUARED, 0 },
	{ "magn", SCMI_UNIT_GAUSS, 0 },
	{ "temp", SCMI_UNIT_DEGREES_C, -3 },       /* milli degrees Celsius */
	{ "voltage", SCMI_UNIT_VOLTS, -3 },        /* millivolts */
	{ "current", SCMI_UNIT_AMPS, -3 },         /* milliamps */
	{ "power", SCMI_UNIT_WATTS, -3 },          /* milliwatts */
	{ "energy", SCMI_UNIT_JOULES, 0 },
	{ "pressure", SCMI_UNIT_KPA, 0 },          /* kilopascal */
	{ "illuminance", SCMI_UNIT_LUX, 0 },
	{ "capacitance", SCMI_UNIT_FARADS, -9 },   /* nanofarads */
	{ "resistance", SCMI_UNIT_OHMS, 0 },
	{ "distance", SCMI_UNIT_METERS, 0 },
	{ "concentration", SCMI_UNIT_PERCENTAGE, 0 },
};
#define NUM_IIO_TYPES (sizeof(iio_types) / sizeof(iio_types[0]))

struct iio_axis {
	char file[IIO_FILE_LEN];     /* the _raw or _input attribute */
	char scan[48];               /* scan element name ("in_accel_x"); "" if
				      * the attribute is not _raw */
	double offset, scale;
	int8_t exp;                  /* SCMI exponent of this axis */
	double mult;                 /* 10^(base - exp) */
	char name[SCMI_EXT_NAME_LEN];
};

struct iio {
	int dirfd;
	char name[SCMI_EXT_NAME_LEN];
	uint8_t unit;
	int8_t base;
	unsigned naxes;              /* 0: scalar, axis[0] is the value */
	struct iio_axis axis[3];
	/* buffered reads */
	bool buffer_off;             /* buffer=off */
	char devname[24];            /* "iio:deviceN", "" if the path is not one */
	struct scmi_iiobuf buf;
	char why[160];               /* the last fallback reason logged */
};

static const struct scmi_prop iio_props[] = {
	{ "path", "IIO device directory, e.g. /sys/bus/iio/devices/iio:device0 (required)" },
	{ "channel", "channel prefix: in_accel, in_anglvel, in_temp, in_voltage0... (required)" },
	{ "name", "sensor name, 1-63 printable bytes (default: the device's 'name')" },
	{ "buffer", "auto (default): read /dev/iio:deviceN while the guest samples the sensor,\n"
	  "if the device has a buffer; off: always read sysfs" },
	{ NULL, NULL },
};

static double pow10d(int e)
{
	double v = 1;

	for (; e > 0; e--)
		v *= 10;
	for (; e < 0; e++)
		v /= 10;
	return v;
}

static double absd(double v)
{
	return v < 0 ? -v : v;
}

/* Decimal exponent k of |scale| (10^k <= |scale| < 10^(k+1)), 3 lower if
 * the scale has more significant digits than one: the reported value
 * scale * 10^-k keeps the raw resolution. */
int scmi_iio_scale_exp(double scale)
{
	double a = absd(scale), m;
	int k = 0;

	if (a == 0)
		return 0;
	while (a >= 10 && k < 40) {
		a /= 10;
		k++;
	}
	while (a < 1 && k > -40) {
		a *= 10;
		k--;
	}
	m = a - (double)(long long)(a + 0.5);
	if (absd(m) > 1e-9 * a)
		k -= 3;
	return k;
}

static bool exists2(int dirfd, char *buf, size_t len, const char *pfx,
		    const char *mid, const char *sfx)
{
	snprintf(buf, len, "%s%s%s", pfx, mid, sfx);
	return scmi_sysfs_exists(dirfd, buf);
}

/* Per-axis attribute first, then the channel's, then the type's shared
 * one (in_voltage_scale for in_voltage0). */
static int read_attr(int dirfd, const char *ch, const char *typech,
		     const char *ax, const char *attr, double *v, bool *found,
		     char *err, size_t errlen)
{
	char f[IIO_FILE_LEN + 16];
	const char *cands[3][2] = { { ch, ax }, { ch, "" }, { typech, "" } };

	*found = false;
	for (unsigned i = 0; i < 3; i++) {
		int r;

		if (!cands[i][1])
			continue;
		snprintf(f, sizeof(f), "%s%s_%s", cands[i][0], cands[i][1], attr);
		if (!scmi_sysfs_exists(dirfd, f))
			continue;
		r = scmi_sysfs_read_double(dirfd, f, v);
		if (r < 0) {
			snprintf(err, errlen, "%s: not a number (%s)", f, strerror(-r));
			return -EINVAL;
		}
		*found = true;
		return 0;
	}
	return 0;
}

static void iio_destroy(void *inst)
{
	struct iio *d = inst;

	if (!d)
		return;
	scmi_iiobuf_stop(&d->buf);
	if (d->dirfd >= 0)
		close(d->dirfd);
	free(d);
}

static int setup_axis(struct iio *d, struct iio_axis *a, const char *ch,
		      const char *typech, const char *ax, char *err, size_t errlen)
{
	char f[IIO_FILE_LEN];
	bool found, processed;
	int k, e;

	if (exists2(d->dirfd, f, sizeof(f), ch, ax ? ax : "", "_raw")) {
		processed = false;
	} else if (exists2(d->dirfd, f, sizeof(f), ch, ax ? ax : "", "_input")) {
		processed = true;
	} else {
		return -ENOENT;
	}
	snprintf(a->file, sizeof(a->file), "%s", f);
	a->scan[0] = '\0';
	if (!processed && strlen(f) - 4 < sizeof(a->scan))
		snprintf(a->scan, sizeof(a->scan), "%.*s", (int)(strlen(f) - 4), f);
	a->offset = 0;
	a->scale = 1;
	if (!processed) {
		if (read_attr(d->dirfd, ch, typech, ax, "offset", &a->offset, &found,
			      err, errlen))
			return -EINVAL;
		if (read_attr(d->dirfd, ch, typech, ax, "scale", &a->scale, &found,
			      err, errlen))
			return -EINVAL;
		if (a->scale == 0) {
			snprintf(err, errlen, "%s: scale is 0", ch);
			return -EINVAL;
		}
	}
	k = scmi_iio_scale_exp(a->scale);
	e = d->base + k;
	if (e < -16)
		e = -16;
	if (e > 15)
		e = 15;
	a->exp = (int8_t)e;
	a->mult = pow10d(d->base - e);
	return 0;
}

static int iio_create(const struct scmi_kv *kv, unsigned nkv, unsigned instance,
		      void **inst, char *err, size_t errlen)
{
	const char *path = NULL, *ch = NULL, *name = NULL, *buffer = NULL;
	char typech[IIO_FILE_LEN], sysname[SCMI_EXT_NAME_LEN * 2];
	const char *t;
	struct iio *d;
	size_t cl;
	int r;

	for (unsigned i = 0; i < nkv; i++) {
		if (!strcmp(kv[i].key, "path"))
			path = kv[i].val;
		else if (!strcmp(kv[i].key, "channel"))
			ch = kv[i].val;
		else if (!strcmp(kv[i].key, "name"))
			name = kv[i].val;
		else if (!strcmp(kv[i].key, "buffer"))
			buffer = kv[i].val;
	}
	if (buffer && strcmp(buffer, "auto") && strcmp(buffer, "off")) {
		snprintf(err, errlen, "buffer '%s' must be auto or off", buffer);
		return -EINVAL;
	}
	if (!path || !*path || !ch) {
		snprintf(err, errlen, "iio needs path=DIR and channel=PREFIX");
		return -EINVAL;
	}
	cl = strlen(ch);
	if (strncmp(ch, "in_", 3) || cl < 4 || cl > 64) {
		snprintf(err, errlen, "channel '%s' must be an input channel prefix like in_accel", ch);
		return -EINVAL;
	}
	for (size_t i = 0; i < cl; i++) {
		if (!islower((unsigned char)ch[i]) && !isdigit((unsigned char)ch[i]) &&
		    ch[i] != '_') {
			snprintf(err, errlen, "channel '%s' has a bad character '%c'", ch, ch[i]);
			return -EINVAL;
		}
	}
	if (name) {
		size_t nl = strlen(name);

		if (!nl || nl >= SCMI_EXT_NAME_LEN) {
			snprintf(err, errlen, "name '%s' is %zu bytes; SCMI sensor names hold 1 to %d",
				 name, nl, SCMI_EXT_NAME_LEN - 1);
			return -EINVAL;
		}
		for (size_t i = 0; i < nl; i++) {
			if (!isprint((unsigned char)name[i])) {
				snprintf(err, errlen, "name '%s' has a non-printable byte at offset %zu",
					 name, i);
				return -EINVAL;
			}
		}
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->dirfd < 0) {
		snprintf(err, errlen, "path '%s': %s", path, strerror(errno));
		goto fail;
	}
	d->buffer_off = buffer && !strcmp(buffer, "off");
	if (scmi_iio_devname(path, d->devname, sizeof(d->devname)))
		d->devname[0] = '\0';
	/* attributes are read, and the buffer set up, at run time */
	sandbox_need(SB_NEED_FILES);
	if (sandbox_allow_path(path, SB_READ | SB_WRITE) < 0) {
		snprintf(err, errlen, "path '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (!d->buffer_off && d->devname[0]) {
		char node[PATH_MAX];

		/* absent now: buffered reads fall back to polling later */
		snprintf(node, sizeof(node), "%s/%s", scmi_iio_dev_dir(), d->devname);
		sandbox_allow_path(node, SB_READ);
	}
	/* channel type: the name after "in_", without index or modifier */
	t = ch + 3;
	d->unit = SCMI_UNIT_UNSPEC;
	d->base = 0;
	snprintf(typech, sizeof(typech), "%s", ch);
	for (unsigned i = 0; i < NUM_IIO_TYPES; i++) {
		size_t tl = strlen(iio_types[i].name);

		if (!strncmp(t, iio_types[i].name, tl) &&
		    (!t[tl] || t[tl] == '_' || isdigit((unsigned char)t[tl]))) {
			d->unit = iio_types[i].unit;
			d->base = iio_types[i].base;
			snprintf(typech, sizeof(typech), "in_%s", iio_types[i].name);
			break;
		}
	}
	if (name)
		scmi_name_fit(d->name, name);
	else if (scmi_sysfs_read(d->dirfd, "name", sysname, sizeof(sysname)) > 0)
		scmi_name_fit(d->name, sysname);   /* trimmed: no newline */
	else
		snprintf(d->name, sizeof(d->name), "iio%u", instance);

	r = setup_axis(d, &d->axis[0], ch, typech, NULL, err, errlen);
	if (r == -EINVAL)
		goto fail;
	if (r == -ENOENT) {
		static const char *const axes[] = { "_x", "_y", "_z" };

		for (unsigned i = 0; i < 3; i++) {
			struct iio_axis *a = &d->axis[d->naxes];

			r = setup_axis(d, a, ch, typech, axes[i], err, errlen);
			if (r == -EINVAL)
				goto fail;
			if (r)
				continue;
			/* "<name>_X", short enough for a 15-byte name: the
			 * Linux scmi_iio driver takes the axis from the
			 * letter after the last '_' */
			snprintf(a->name, sizeof(a->name), "%.*s_%c", SCMI_NAME_LEN - 3,
				 d->name, 'X' + i);
			d->naxes++;
		}
		if (!d->naxes) {
			snprintf(err, errlen, "path '%s': no %s_raw, %s_input or %s_{x,y,z}_raw",
				 path, ch, ch, ch);
			goto fail;
		}
	}
	*inst = d;
	return 0;
fail:
	iio_destroy(d);
	return -EINVAL;
}

static unsigned iio_num_sensors(void *inst)
{
	return 1;
}

static void iio_sensor_info(void *inst, unsigned s, struct scmi_sensor_info *out)
{
	struct iio *d = inst;

	memcpy(out->name, d->name, sizeof(out->name));
	out->type = d->unit;
	out->scale = d->axis[0].exp;
	out->num_axes = d->naxes;
	out->timestamped = true;
	out->tstamp_exp = IIO_TS_EXP;
}

static void iio_axis_info(void *inst, unsigned s, unsigned axis,
			  struct scmi_axis_info *out)
{
	struct iio *d = inst;

	if (axis >= d->naxes)
		return;
	memcpy(out->name, d->axis[axis].name, sizeof(out->name));
	out->type = d->unit;
	out->scale = d->axis[axis].exp;
	out->extended = false;
}

/* round half away from zero, saturating */
static int64_t to_i64(double v)
{
	if (v >= 9.2e18)
		return INT64_MAX;
	if (v <= -9.2e18)
		return INT64_MIN;
	return v >= 0 ? (int64_t)(v + 0.5) : -(int64_t)(-v + 0.5);
}

int64_t scmi_iio_value(double raw, double offset, double scale, double mult)
{
	return to_i64((raw + offset) * scale * mult);
}

/* Fall back to sysfs: one log line per new reason. */
static void iio_fallback(struct iio *d, const char *why)
{
	if (strcmp(d->why, why)) {
		log_peer(LOG_WARN, "iio '%s': no buffered reads (%s); reading sysfs", d->name, why);
		snprintf(d->why, sizeof(d->why), "%s", why);
	}
}

static void iio_buf_failed(void *opaque, const char *why)
{
	struct iio *d = opaque;

	scmi_iiobuf_stop(&d->buf);
	d->why[0] = '\0';      /* always say so when a running capture stops */
	iio_fallback(d, why);
}

static void iio_stream(void *inst, unsigned s, bool on, struct loop *l)
{
	struct iio *d = inst;
	unsigned n = d->naxes ? d->naxes : 1;
	const char *axes[3];
	char why[160];

	if (!on) {
		if (d->buf.active)
			log_peer(LOG_INFO, "iio '%s': buffered reads stopped after %lu records", d->name,
				 d->buf.records);
		scmi_iiobuf_stop(&d->buf);
		return;
	}
	if (d->buffer_off || d->buf.active)
		return;
	for (unsigned i = 0; i < n; i++) {
		if (!d->axis[i].scan[0]) {
			iio_fallback(d, "the channel has processed _input values only");
			return;
		}
		axes[i] = d->axis[i].scan;
	}
	if (!d->devname[0]) {
		iio_fallback(d, "the path is not an iio:deviceN directory");
		return;
	}
	d->buf.on_fail = iio_buf_failed;
	d->buf.opaque = d;
	if (scmi_iiobuf_start(&d->buf, d->dirfd, d->devname, axes, n, l, why, sizeof(why))) {
		iio_fallback(d, why);
		return;
	}
	d->why[0] = '\0';
	log_peer(LOG_INFO, "iio '%s': buffered reads from %s/%s, %u-byte records", d->name,
		 scmi_iio_dev_dir(), d->devname, d->buf.rec);
}

/* On the loop: the buffer's newest record, or SCMI_READ_HOST. */
static int iio_read(void *inst, unsigned s, struct scmi_reading *out)
{
	struct iio *d = inst;
	unsigned n = d->naxes ? d->naxes : 1;

	if (d->buf.active) {
		char why[160];

		/* pick up records not yet seen by the loop (or without one) */
		if (scmi_iiobuf_drain(&d->buf, why, sizeof(why)) < 0)
			iio_buf_failed(d, why);
	}
	if (d->buf.active && d->buf.valid) {
		for (unsigned i = 0; i < n; i++) {
			const struct iio_axis *a = &d->axis[i];

			out[i].value = scmi_iio_value((double)d->buf.raw[i], a->offset,
						      a->scale, a->mult);
			out[i].timestamp = d->buf.ts_us;
		}
		return SCMI_SUCCESS;
	}
	return SCMI_READ_HOST;
}

/* On the instance's worker: sysfs, through what create set and nothing
 * changes later (directory fd, attribute names, offsets and scales). */
static int iio_read_host(void *inst, unsigned s, struct scmi_reading *out)
{
	const struct iio *d = inst;
	unsigned n = d->naxes ? d->naxes : 1;
	struct timespec ts;
	uint64_t us = 0;

	if (!clock_gettime(CLOCK_MONOTONIC, &ts))
		us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	for (unsigned i = 0; i < n; i++) {
		const struct iio_axis *a = &d->axis[i];
		double raw;
		int r = scmi_sysfs_read_double(d->dirfd, a->file, &raw);

		if (r == -EAGAIN || r == -EBUSY)
			return SCMI_BUSY;
		if (r < 0)
			return SCMI_HARDWARE_ERROR;
		out[i].value = scmi_iio_value(raw, a->offset, a->scale, a->mult);
		out[i].timestamp = us;
	}
	return SCMI_SUCCESS;
}

const struct scmi_dev_ops scmi_iio_ops = {
	.type = "iio",
	.summary = "one channel of a host IIO device (scalar or x/y/z axes), from sysfs or its buffer",
	.props = iio_props,
	.create = iio_create,
	.destroy = iio_destroy,
	.num_sensors = iio_num_sensors,
	.sensor_info = iio_sensor_info,
	.axis_info = iio_axis_info,
	.read = iio_read,
	.read_host = iio_read_host,
	.stream = iio_stream,
};
