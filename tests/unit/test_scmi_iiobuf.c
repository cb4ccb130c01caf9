/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* IIO buffered reads: the scan element type parser, the record layout,
 * value extraction, and the iio device streaming from a fixture tree
 * (scan_elements/, buffer/) whose /dev/iio:deviceN is a FIFO the test
 * writes binary records into; every fallback to sysfs. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "devices/scmi.h"
#include "vhost/loop.h"

/* ---- type strings ---- */

static void test_scmi_iiobuf_type_parses_kernel_forms(void **state)
{
	struct scmi_iio_scan_type t;

	assert_int_equal(scmi_iio_parse_type("le:s12/16>>4", &t), 0);
	assert_false(t.be);
	assert_true(t.is_signed);
	assert_int_equal(t.bits, 12);
	assert_int_equal(t.storagebits, 16);
	assert_int_equal(t.shift, 4);
	assert_int_equal(t.repeat, 1);

	assert_int_equal(scmi_iio_parse_type("be:u16/16", &t), 0);
	assert_true(t.be);
	assert_false(t.is_signed);
	assert_int_equal(t.bits, 16);
	assert_int_equal(t.shift, 0);

	/* as the kernel prints them: always >>shift, newline after */
	assert_int_equal(scmi_iio_parse_type("le:s64/64>>0\n", &t), 0);
	assert_int_equal(t.storagebits, 64);
	assert_int_equal(scmi_iio_parse_type("le:u24/32>>8", &t), 0);
	assert_int_equal(t.shift, 8);

	assert_int_equal(scmi_iio_parse_type("le:s16/32X4>>0", &t), 0);
	assert_int_equal(t.repeat, 4);
	assert_int_equal(t.bits, 16);
	assert_int_equal(t.storagebits, 32);
}

static void test_scmi_iiobuf_type_rejects_bad_strings(void **state)
{
	static const char *const bad[] = {
		"", "le", "le:", "xx:s16/16", "LE:s16/16", "le:f32/32", "le:x16/16",
		"le:s17/16",          /* bits > storagebits */
		"le:s12/12",          /* storage not 8/16/32/64 */
		"le:s24/24", "le:s128/128", "le:s0/16",
		"le:s16/16>>16",      /* shift outside the storage */
		"le:s12/16>>5",       /* bits + shift > storagebits */
		"le:s16/16>>", "le:s16/16>4", "le:s16/16>>4>>4", "le:s16/16 x",
		"le:s1000/16", "le:s9999999999/16", "le:-16/16", "le:s16/", "le:s/16",
		"le:s16/16X0", "le:s16/16X", "le:s16/16X256", "le:s16/16X4X4",
		" le:s16/16", "le:s16-16",
	};
	struct scmi_iio_scan_type t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (scmi_iio_parse_type(bad[i], &t) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	}
}

/* ---- layout ---- */

static struct scmi_iio_elem elem(const char *name, unsigned index, const char *type)
{
	struct scmi_iio_elem e;

	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), "%s", name);
	e.index = index;
	assert_int_equal(scmi_iio_parse_type(type, &e.t), 0);
	return e;
}

static void test_scmi_iiobuf_layout_aligns_each_element(void **state)
{
	/* out of index order; u8, s32, s16 */
	struct scmi_iio_elem el[3] = {
		elem("in_c", 2, "le:s16/16>>0"),
		elem("in_a", 0, "le:u8/8>>0"),
		elem("in_b", 1, "be:s32/32>>0"),
	};

	/* a@0, b aligned to 4, c@8, record padded to the largest (4) */
	assert_int_equal(scmi_iio_layout(el, 3), 12);
	assert_string_equal(el[0].name, "in_a");
	assert_int_equal(el[0].offset, 0);
	assert_string_equal(el[1].name, "in_b");
	assert_int_equal(el[1].offset, 4);
	assert_string_equal(el[2].name, "in_c");
	assert_int_equal(el[2].offset, 8);
	assert_int_equal(el[2].bytes, 2);
}

static void test_scmi_iiobuf_layout_timestamp_last(void **state)
{
	/* the kernel appends the timestamp after the mask's channels, even
	 * if its index were lower */
	struct scmi_iio_elem el[4] = {
		elem("in_timestamp", 0, "le:s64/64>>0"),
		elem("in_accel_z", 3, "le:s16/16>>0"),
		elem("in_accel_x", 1, "le:s16/16>>0"),
		elem("in_accel_y", 2, "le:s16/16>>0"),
	};

	assert_int_equal(scmi_iio_layout(el, 4), 16);
	assert_string_equal(el[0].name, "in_accel_x");
	assert_int_equal(el[2].offset, 4);
	assert_string_equal(el[3].name, "in_timestamp");
	assert_int_equal(el[3].offset, 8);
}

static void test_scmi_iiobuf_layout_rejects_bad_sets(void **state)
{
	struct scmi_iio_elem dup[2] = {
		elem("in_a", 1, "le:s16/16>>0"), elem("in_b", 1, "le:s16/16>>0"),
	};
	struct scmi_iio_elem rep3[1] = { elem("in_q", 0, "le:s16/16X3>>0") };
	struct scmi_iio_elem rep4[2] = {
		elem("in_u", 0, "le:u8/8>>0"), elem("in_q", 1, "le:s16/16X4>>0"),
	};
	struct scmi_iio_elem big[5];

	assert_int_equal(scmi_iio_layout(dup, 2), -EINVAL);
	/* 6 bytes: no power of two to align to */
	assert_int_equal(scmi_iio_layout(rep3, 1), -EINVAL);
	/* repeat 4 x 2 bytes = 8: aligned to 8 */
	assert_int_equal(scmi_iio_layout(rep4, 2), 16);
	assert_int_equal(rep4[1].offset, 8);
	assert_int_equal(rep4[1].bytes, 8);
	for (unsigned i = 0; i < 5; i++)
		big[i] = elem("in_big", i, "le:s64/64X8>>0");   /* 5 x 64 bytes */
	assert_int_equal(scmi_iio_layout(big, 5), -EINVAL);
	assert_int_equal(scmi_iio_layout(big, 4), 256);
	assert_int_equal(scmi_iio_layout(big, 0), -EINVAL);
}

/* ---- values ---- */

static void test_scmi_iiobuf_extract_values(void **state)
{
	struct scmi_iio_scan_type t;
	const uint8_t m1[2] = { 0xf0, 0xff }, p1[2] = { 0x1f, 0x00 };
	const uint8_t be16[2] = { 0x12, 0x34 }, min16[2] = { 0x00, 0x80 };
	const uint8_t be24[4] = { 0x80, 0x00, 0x01, 0x55 };
	const uint8_t ones[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	assert_int_equal(scmi_iio_parse_type("le:s12/16>>4", &t), 0);
	assert_int_equal(scmi_iio_extract(&t, m1), -1);
	assert_int_equal(scmi_iio_extract(&t, p1), 1);         /* low bits dropped */
	assert_int_equal(scmi_iio_parse_type("be:u16/16", &t), 0);
	assert_int_equal(scmi_iio_extract(&t, be16), 0x1234);
	assert_int_equal(scmi_iio_parse_type("le:s16/16", &t), 0);
	assert_int_equal(scmi_iio_extract(&t, min16), -32768);
	assert_int_equal(scmi_iio_parse_type("le:u16/16", &t), 0);
	assert_int_equal(scmi_iio_extract(&t, min16), 32768);
	/* the unused top bits carry other information: masked off */
	assert_int_equal(scmi_iio_parse_type("le:u10/16", &t), 0);
	assert_int_equal(scmi_iio_extract(&t, ones), 0x3ff);
	assert_int_equal(scmi_iio_parse_type("be:s24/32>>8", &t), 0);
	assert_int_equal(scmi_iio_extract(&t, be24), -8388607);
	assert_int_equal(scmi_iio_parse_type("le:s64/64", &t), 0);
	assert_int_equal(scmi_iio_extract(&t, ones), -1);
	assert_int_equal(scmi_iio_parse_type("le:u8/8", &t), 0);
	assert_int_equal(scmi_iio_extract(&t, ones), 255);
}

static void test_scmi_iiobuf_devname(void **state)
{
	char n[32];

	assert_int_equal(scmi_iio_devname("/sys/bus/iio/devices/iio:device3", n, sizeof(n)), 0);
	assert_string_equal(n, "iio:device3");
	assert_int_equal(scmi_iio_devname("/x/iio:device12//", n, sizeof(n)), 0);
	assert_string_equal(n, "iio:device12");
	assert_int_equal(scmi_iio_devname("/nonexistent/iio:devicex", n, sizeof(n)), -EINVAL);
	assert_int_equal(scmi_iio_devname("/nonexistent/trigger0", n, sizeof(n)), -EINVAL);
	assert_int_equal(scmi_iio_devname("/nonexistent/iio:device1/..", n, sizeof(n)), -EINVAL);
}

/* ---- the iio device against a fixture tree ---- */

struct fx {
	char root[64], dir[128], scan[160], buf[160], dev[128], fifo[160];
	int wfd;                    /* the FIFO's writer end (O_RDWR) */
	struct loop *l;
	struct scmi_state st;
};

static void put(const char *dir, const char *name, const char *val)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", val);
	fclose(f);
}

static void get(const char *dir, const char *name, char *out, size_t len)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "r");
	assert_non_null(f);
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

static void assert_file(const char *dir, const char *name, const char *want)
{
	char v[64];

	get(dir, name, v, sizeof(v));
	if (strcmp(v, want))
		fail_msg("%s/%s is '%s', want '%s'", dir, name, v, want);
}

/* iio:device0: in_accel_{x,y,z} le:s12/16>>4, indexes 0..2, timestamp 3;
 * scale 0.5 (SCMI exponent -1: values are raw * 5); sysfs raw 1, 2, 3. */
static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	static const char *const ax[] = { "x", "y", "z" };
	char n[64], v[16];

	assert_non_null(f);
	strcpy(f->root, "/tmp/vdiiobuf.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->dir, sizeof(f->dir), "%s/iio:device0", f->root);
	snprintf(f->scan, sizeof(f->scan), "%s/scan_elements", f->dir);
	snprintf(f->buf, sizeof(f->buf), "%s/buffer", f->dir);
	snprintf(f->dev, sizeof(f->dev), "%s/dev", f->root);
	snprintf(f->fifo, sizeof(f->fifo), "%s/iio:device0", f->dev);
	assert_int_equal(mkdir(f->dir, 0755), 0);
	assert_int_equal(mkdir(f->scan, 0755), 0);
	assert_int_equal(mkdir(f->buf, 0755), 0);
	assert_int_equal(mkdir(f->dev, 0755), 0);
	assert_int_equal(mkfifo(f->fifo, 0600), 0);
	put(f->dir, "name", "accel_3d");
	put(f->dir, "in_accel_scale", "0.5");
	for (unsigned i = 0; i < 3; i++) {
		snprintf(n, sizeof(n), "in_accel_%s_raw", ax[i]);
		snprintf(v, sizeof(v), "%u", i + 1);
		put(f->dir, n, v);
		snprintf(n, sizeof(n), "in_accel_%s_en", ax[i]);
		put(f->scan, n, "0");
		snprintf(n, sizeof(n), "in_accel_%s_index", ax[i]);
		snprintf(v, sizeof(v), "%u", i);
		put(f->scan, n, v);
		snprintf(n, sizeof(n), "in_accel_%s_type", ax[i]);
		put(f->scan, n, "le:s12/16>>4");
	}
	put(f->scan, "in_timestamp_en", "0");
	put(f->scan, "in_timestamp_index", "3");
	put(f->scan, "in_timestamp_type", "le:s64/64>>0");
	put(f->buf, "enable", "0");
	put(f->buf, "length", "2");
	put(f->buf, "watermark", "1");
	f->wfd = open(f->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	assert_true(f->wfd >= 0);
	assert_int_equal(setenv("VHOST_DEVICE_IIO_DEV_DIR", f->dev, 1), 0);
	f->l = loop_new();
	assert_non_null(f->l);
	scmi_state_init(&f->st);
	f->st.p2a = true;
	f->st.loop = f->l;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	scmi_state_stop_streams(&f->st);
	scmi_state_free(&f->st);
	loop_free(f->l);
	if (f->wfd >= 0)
		close(f->wfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	unsetenv("VHOST_DEVICE_IIO_DEV_DIR");
	free(f);
	return 0;
}

static void fx_add(struct fx *f, const char *extra)
{
	char spec[256], err[256];

	snprintf(spec, sizeof(spec), "iio,path=%s,channel=in_accel%s", f->dir, extra);
	if (scmi_state_add_spec(&f->st, spec, err, sizeof(err)))
		fail_msg("%s: %s", spec, err);
}

static void stream(struct fx *f, bool on)
{
	struct scmi_sensor *s = &f->st.sensors[0];

	s->ops->stream(s->inst, 0, on, f->l);
}

static int reading(struct fx *f, int64_t v[3])
{
	struct scmi_reading rd[SCMI_MAX_AXES];
	struct scmi_sensor *s = &f->st.sensors[0];
	int r;

	memset(rd, 0, sizeof(rd));
	r = s->ops->read(s->inst, 0, rd);
	if (r == SCMI_READ_HOST)   /* sysfs: what the worker reads */
		r = s->ops->read_host(s->inst, 0, rd);
	for (unsigned i = 0; i < 3; i++)
		v[i] = rd[i].value;
	return r;
}

/* One record: x, y, z as s12 << 4 little endian (6 bytes: the record is
 * padded to its largest element, 2 bytes), or with the timestamp aligned
 * to 8 after them: 16 bytes. */
static size_t record(uint8_t *p, int x, int y, int z, bool ts)
{
	int v[3] = { x, y, z };

	memset(p, 0, 16);
	for (unsigned i = 0; i < 3; i++) {
		uint16_t w = (uint16_t)((unsigned)v[i] << 4) | 0x5;  /* junk below */

		p[2 * i] = w & 0xff;
		p[2 * i + 1] = w >> 8;
	}
	if (ts)
		p[8] = 0x77;
	return ts ? 16 : 6;
}

static void feed(struct fx *f, const void *p, size_t n)
{
	assert_int_equal(write(f->wfd, p, n), (ssize_t)n);
}

static void pump(struct fx *f)
{
	/* the device's watch fires for the FIFO */
	assert_true(loop_run_once(f->l, 200) >= 1);
}

static void assert_values(struct fx *f, int64_t x, int64_t y, int64_t z)
{
	int64_t v[3];

	assert_int_equal(reading(f, v), SCMI_SUCCESS);
	if (v[0] != x || v[1] != y || v[2] != z)
		fail_msg("reading %lld %lld %lld, want %lld %lld %lld", (long long)v[0],
			 (long long)v[1], (long long)v[2], (long long)x, (long long)y,
			 (long long)z);
}

static void test_scmi_iiobuf_stream_records_and_restore(void **state)
{
	struct fx *f = *state;
	uint8_t rec[3 * 6 + 16];

	fx_add(f, "");
	/* not sampled: sysfs */
	assert_values(f, 5, 10, 15);
	assert_file(f->buf, "enable", "0");

	/* a record from before the capture is no reading of it */
	record(rec, 1, 1, 1, false);
	feed(f, rec, 6);
	stream(f, true);
	assert_file(f->scan, "in_accel_x_en", "1");
	assert_file(f->scan, "in_accel_y_en", "1");
	assert_file(f->scan, "in_accel_z_en", "1");
	assert_file(f->scan, "in_timestamp_en", "0");    /* optional: left off */
	assert_file(f->buf, "length", "32");
	assert_file(f->buf, "enable", "1");
	/* no record yet: sysfs still answers */
	assert_values(f, 5, 10, 15);

	/* three records in one go: the newest is the reading */
	record(rec, 100, 200, 300, false);
	record(rec + 6, -7, 0, 2047, false);
	record(rec + 12, -2048, 1, -1, false);
	feed(f, rec, 3 * 6);
	pump(f);
	assert_values(f, -10240, 5, -5);

	/* a record in two pieces */
	record(rec, 42, -42, 0, false);
	feed(f, rec, 5);
	pump(f);
	assert_values(f, -10240, 5, -5);
	feed(f, rec + 5, 1);
	pump(f);
	assert_values(f, 210, -210, 0);

	stream(f, false);
	assert_file(f->buf, "enable", "0");
	assert_file(f->scan, "in_accel_x_en", "0");
	assert_file(f->scan, "in_accel_z_en", "0");
	assert_file(f->buf, "length", "2");
	assert_values(f, 5, 10, 15);
}

static void test_scmi_iiobuf_layout_from_enabled_elements(void **state)
{
	struct fx *f = *state;
	uint8_t rec[16];

	/* someone left the timestamp and x enabled: 16-byte records; x's
	 * _en stays 1 afterwards, y and z go back to 0 */
	put(f->scan, "in_timestamp_en", "1");
	put(f->scan, "in_accel_x_en", "1");
	put(f->scan, "in_accel_y_type", "be:s12/16>>4");
	put(f->buf, "length", "32");
	fx_add(f, "");
	stream(f, true);
	record(rec, 3, 0, 9, true);
	rec[2] = 0xff;                  /* y big endian: -1 << 4 */
	rec[3] = 0xf0;
	feed(f, rec, 16);
	pump(f);
	assert_values(f, 15, -5, 45);
	stream(f, false);
	assert_file(f->scan, "in_accel_x_en", "1");
	assert_file(f->scan, "in_accel_y_en", "0");
	assert_file(f->scan, "in_timestamp_en", "1");
	assert_file(f->buf, "length", "32");
}

/* One sensor command (id, value) through scmi_handle; SUCCESS expected. */
static void sensor_cmd(struct fx *f, unsigned msg, uint32_t id, uint32_t val)
{
	static unsigned token;
	uint32_t w[3] = { SCMI_HDR(msg, 0, SCMI_PROTO_SENSOR, ++token), id, val };
	uint8_t req[12], resp[64];

	for (unsigned i = 0; i < 12; i++)
		req[i] = (uint8_t)(w[i / 4] >> (8 * (i % 4)));
	assert_int_equal(scmi_handle(&f->st, req, sizeof(req), resp, sizeof(resp)), 8);
	assert_int_equal(resp[4] | resp[5] | resp[6] | resp[7], 0);
}

static void test_scmi_iiobuf_through_protocol(void **state)
{
	struct fx *f = *state;
	uint8_t rec[16];

	fx_add(f, "");
	sensor_cmd(f, SCMI_SENSOR_CONFIG_SET, 0, SCMI_SENSOR_CFG_ENABLED);
	sensor_cmd(f, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, 0, 1);
	/* capture starts when the core schedules the sensor's sampling */
	assert_file(f->buf, "enable", "0");
	assert_true(scmi_schedule(&f->st, 1) != 0);
	assert_file(f->buf, "enable", "1");
	record(rec, 1, 1, 1, false);
	feed(f, rec, 6);
	pump(f);
	assert_values(f, 5, 5, 5);
	/* notifications off: capture stops */
	sensor_cmd(f, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, 0, 0);
	assert_int_equal(scmi_schedule(&f->st, 2), 0);
	assert_file(f->buf, "enable", "0");
	assert_file(f->scan, "in_accel_x_en", "0");
	/* sensor disabled with notifications on: stops too */
	sensor_cmd(f, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, 0, 1);
	scmi_schedule(&f->st, 3);
	assert_file(f->buf, "enable", "1");
	sensor_cmd(f, SCMI_SENSOR_CONFIG_SET, 0, 0);
	assert_int_equal(scmi_schedule(&f->st, 4), 0);
	assert_file(f->buf, "enable", "0");
	/* and a reset stops it */
	sensor_cmd(f, SCMI_SENSOR_CONFIG_SET, 0, SCMI_SENSOR_CFG_ENABLED);
	scmi_schedule(&f->st, 5);
	assert_file(f->buf, "enable", "1");
	scmi_state_reset(&f->st);
	assert_file(f->buf, "enable", "0");
	assert_file(f->scan, "in_accel_y_en", "0");
}

static void expect_fallback(struct fx *f)
{
	stream(f, true);
	assert_file(f->buf, "enable", "0");
	assert_file(f->scan, "in_accel_x_en", "0");
	assert_file(f->scan, "in_accel_y_en", "0");
	assert_file(f->scan, "in_accel_z_en", "0");
	assert_file(f->buf, "length", "2");
	assert_values(f, 5, 10, 15);
	stream(f, false);
}

static void test_scmi_iiobuf_fallback_bad_type(void **state)
{
	struct fx *f = *state;

	put(f->scan, "in_accel_z_type", "le:s17/16>>0");
	fx_add(f, "");
	expect_fallback(f);
	put(f->scan, "in_accel_z_type", "le:s16/16X3>>0");    /* repeated axis */
	expect_fallback(f);
	put(f->scan, "in_accel_z_type", "garbage");
	expect_fallback(f);
}

static void test_scmi_iiobuf_fallback_missing_parts(void **state)
{
	struct fx *f = *state;
	char p[200];

	fx_add(f, "");
	/* no char device */
	assert_int_equal(unlink(f->fifo), 0);
	expect_fallback(f);
	/* a regular file is no character device */
	put(f->dev, "iio:device0", "x");
	expect_fallback(f);
	assert_int_equal(unlink(f->fifo), 0);
	assert_int_equal(mkfifo(f->fifo, 0600), 0);
	/* buffer already enabled by someone else: left alone */
	put(f->buf, "enable", "1");
	stream(f, true);
	assert_file(f->buf, "enable", "1");
	assert_file(f->scan, "in_accel_x_en", "0");
	stream(f, false);
	assert_file(f->buf, "enable", "1");
	put(f->buf, "enable", "0");
	/* a missing scan element */
	snprintf(p, sizeof(p), "%s/in_accel_y_index", f->scan);
	assert_int_equal(unlink(p), 0);
	expect_fallback(f);
	put(f->scan, "in_accel_y_index", "0");            /* duplicate index */
	expect_fallback(f);
	put(f->scan, "in_accel_y_index", "1");
	put(f->scan, "in_accel_y_en", "2");               /* not a boolean */
	stream(f, true);
	assert_file(f->buf, "enable", "0");
	stream(f, false);
	put(f->scan, "in_accel_y_en", "0");
	/* no buffer directory */
	snprintf(p, sizeof(p), "rm -rf '%s'", f->buf);
	assert_int_equal(system(p), 0);
	stream(f, true);
	assert_values(f, 5, 10, 15);
	assert_file(f->scan, "in_accel_x_en", "0");
	stream(f, false);
}

static void test_scmi_iiobuf_buffer0_and_off(void **state)
{
	struct fx *f = *state;
	char p[400];
	uint8_t rec[16];

	/* 5.11+ naming: buffer0/ */
	snprintf(p, sizeof(p), "mv '%s' '%s/buffer0'", f->buf, f->dir);
	assert_int_equal(system(p), 0);
	snprintf(f->buf, sizeof(f->buf), "%s/buffer0", f->dir);
	fx_add(f, "");
	fx_add(f, ",buffer=off,name=off");
	f->st.sensors[1].ops->stream(f->st.sensors[1].inst, 0, true, f->l);
	assert_file(f->buf, "enable", "0");
	stream(f, true);
	assert_file(f->buf, "enable", "1");
	record(rec, 8, 8, 8, false);
	feed(f, rec, 6);
	pump(f);
	assert_values(f, 40, 40, 40);
	f->st.sensors[1].ops->stream(f->st.sensors[1].inst, 0, false, f->l);
	stream(f, false);
	assert_file(f->buf, "enable", "0");
}

static void test_scmi_iiobuf_eof_falls_back(void **state)
{
	struct fx *f = *state;
	uint8_t rec[16];
	int wr;

	fx_add(f, "");
	stream(f, true);
	/* a writer that goes away: the reader sees end of file */
	wr = open(f->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(wr >= 0);
	close(f->wfd);
	f->wfd = -1;
	record(rec, 6, 6, 6, false);
	assert_int_equal(write(wr, rec, 6), 6);
	pump(f);
	assert_values(f, 30, 30, 30);
	close(wr);
	pump(f);
	/* capture undone, sysfs again */
	assert_file(f->buf, "enable", "0");
	assert_file(f->scan, "in_accel_x_en", "0");
	assert_values(f, 5, 10, 15);
	stream(f, false);
}

static void test_scmi_iiobuf_scalar_channel(void **state)
{
	struct fx *f = *state;
	char spec[256], err[256];
	uint8_t rec[8] = { 0 };

	/* in_temp, be:u16/16 at index 5, with offset and scale */
	put(f->dir, "in_temp_raw", "100");
	put(f->dir, "in_temp_offset", "-10");
	put(f->dir, "in_temp_scale", "1000");
	put(f->scan, "in_temp_en", "0");
	put(f->scan, "in_temp_index", "5");
	put(f->scan, "in_temp_type", "be:u16/16>>0");
	snprintf(spec, sizeof(spec), "iio,path=%s,channel=in_temp", f->dir);
	assert_int_equal(scmi_state_add_spec(&f->st, spec, err, sizeof(err)), 0);
	stream(f, true);
	assert_file(f->scan, "in_temp_en", "1");
	assert_file(f->scan, "in_accel_x_en", "0");
	rec[0] = 0x01;
	rec[1] = 0x2c;                 /* 300 */
	feed(f, rec, 2);
	pump(f);
	{
		struct scmi_reading rd[SCMI_MAX_AXES];
		struct scmi_sensor *s = &f->st.sensors[0];

		assert_int_equal(s->ops->read(s->inst, 0, rd), SCMI_SUCCESS);
		/* (300 - 10) * 1000 milli-degrees = 290 C, exponent 0 */
		assert_int_equal(s->info.scale, 0);
		assert_int_equal(rd[0].value, 290);
		assert_true(rd[0].timestamp != 0);
	}
	stream(f, false);
	assert_file(f->scan, "in_temp_en", "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scmi_iiobuf_type_parses_kernel_forms),
		cmocka_unit_test(test_scmi_iiobuf_type_rejects_bad_strings),
		cmocka_unit_test(test_scmi_iiobuf_layout_aligns_each_element),
		cmocka_unit_test(test_scmi_iiobuf_layout_timestamp_last),
		cmocka_unit_test(test_scmi_iiobuf_layout_rejects_bad_sets),
		cmocka_unit_test(test_scmi_iiobuf_extract_values),
		cmocka_unit_test(test_scmi_iiobuf_devname),
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_stream_records_and_restore,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_layout_from_enabled_elements,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_through_protocol,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_fallback_bad_type,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_fallback_missing_parts,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_buffer0_and_off,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_eof_falls_back,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_scmi_iiobuf_scalar_channel,
						fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("scmi_iiobuf", tests, NULL, NULL);
}
