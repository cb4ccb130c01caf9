/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI sensor devices and the sensor protocol's 3.x parts: hwmon and iio
 * mapping against fixture sysfs trees built in a temp dir, extended
 * names, update intervals, trip points, continuous update notifications
 * and the notification FIFO. */
#include <errno.h>
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

static uint8_t resp[1024];

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int64_t rd64(const uint8_t *p)
{
	return (int64_t)((uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32);
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static int call(struct scmi_state *st, unsigned msg, const uint32_t *par,
		unsigned np, size_t cap)
{
	uint8_t req[SCMI_REQ_MAX];
	int len;

	wr32(req, SCMI_HDR(msg, 0, SCMI_PROTO_SENSOR, 7));
	for (unsigned i = 0; i < np; i++)
		wr32(req + 4 + 4 * i, par[i]);
	memset(resp, 0xa5, sizeof(resp));
	len = scmi_handle(st, req, 4 + 4 * np, resp, cap);
	assert_true(len >= 8 && (size_t)len <= cap);
	for (size_t i = cap; i < sizeof(resp); i++)
		assert_int_equal(resp[i], 0xa5);
	return len;
}

static int32_t status(void)
{
	return (int32_t)rd32(resp + 4);
}

#define P(...) ((const uint32_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)
#define NOP NULL, 0

/* ---- fixture trees ---- */

static char fixdir[64];

static void fx_write(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int fx_setup(void **state)
{
	struct scmi_state *st = malloc(sizeof(*st));

	strcpy(fixdir, "/tmp/vdscmi.XXXXXX");
	if (!st || !mkdtemp(fixdir))
		return -1;
	scmi_state_init(st);
	st->p2a = true;    /* as a driver that took VIRTIO_SCMI_F_P2A_CHANNELS */
	*state = st;
	return 0;
}

static int fx_teardown(void **state)
{
	char cmd[128];

	scmi_state_free(*state);
	free(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fixdir);
	return system(cmd) != 0;
}

static int add(struct scmi_state *st, const char *fmt, ...)
{
	char spec[512], err[256] = "";
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(spec, sizeof(spec), fmt, ap);
	va_end(ap);
	r = scmi_state_add_spec(st, spec, err, sizeof(err));
	if (r)
		print_message("add '%s': %s\n", spec, err);
	return r;
}

static int add_err(struct scmi_state *st, char *err, size_t len, const char *fmt, ...)
{
	char spec[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(spec, sizeof(spec), fmt, ap);
	va_end(ap);
	err[0] = '\0';
	return scmi_state_add_spec(st, spec, err, len);
}

static int64_t read1(struct scmi_state *st, unsigned id, unsigned axis)
{
	call(st, SCMI_SENSOR_READING_GET, P(id, 0), 136);
	assert_int_equal(status(), SCMI_SUCCESS);
	return rd64(resp + 8 + 16 * axis);
}

/* ---- hwmon ---- */

static void hwmon_fixture(void)
{
	fx_write("name", "testchip\n");
	fx_write("temp1_input", "45000\n");
	fx_write("temp1_label", "CPU package temperature\n");
	fx_write("temp2_input", "-5500\n");
	fx_write("temp1_max", "100000\n");
	fx_write("in0_input", "1200\n");
	fx_write("curr1_input", "500\n");
	fx_write("power1_input", "15000000\n");
	fx_write("energy1_input", "123456789\n");
	fx_write("fan1_input", "2400\n");
	fx_write("fan1_label", "rear\n");
	fx_write("humidity1_input", "45500\n");
	fx_write("temp10_input", "30000\n");
	fx_write("uevent", "DEVTYPE=hwmon\n");
}

static void test_scmi_hwmon_units_exponents_labels(void **state)
{
	struct scmi_state *st = *state;
	static const struct {
		const char *name;
		uint8_t unit;
		int scale;
		int64_t value;
	} want[] = {
		{ "CPU package temperature", SCMI_UNIT_DEGREES_C, -3, 45000 },
		{ "testchip_temp2", SCMI_UNIT_DEGREES_C, -3, -5500 },
		{ "testchip_temp10", SCMI_UNIT_DEGREES_C, -3, 30000 },
		{ "testchip_in0", SCMI_UNIT_VOLTS, -3, 1200 },
		{ "testchip_curr1", SCMI_UNIT_AMPS, -3, 500 },
		{ "testchip_power1", SCMI_UNIT_WATTS, -6, 15000000 },
		{ "testchip_energy1", SCMI_UNIT_JOULES, -6, 123456789 },
		{ "rear", SCMI_UNIT_RPM, 0, 2400 },
		{ "testchip_humidity1", SCMI_UNIT_PERCENTAGE, -3, 45500 },
	};
	unsigned n = sizeof(want) / sizeof(want[0]);

	hwmon_fixture();
	assert_int_equal(add(st, "hwmon,path=%s", fixdir), 0);
	assert_int_equal(st->num_sensors, n);
	for (unsigned i = 0; i < n; i++) {
		const struct scmi_sensor_info *in = &st->sensors[i].info;
		uint32_t hi;

		assert_string_equal(in->name, want[i].name);
		assert_int_equal(in->num_axes, 0);
		call(st, SCMI_SENSOR_DESCRIPTION_GET, P(i), 12 + 28);
		assert_int_equal(status(), SCMI_SUCCESS);
		hi = rd32(resp + 20);
		assert_int_equal(hi & 0xff, want[i].unit);
		assert_int_equal((int)((hi >> 11 & 0x1f) ^ 0x10) - 0x10, want[i].scale);
		/* scalar sensors: trip points and update notifications */
		assert_int_equal(rd32(resp + 16) & 0xff, SCMI_TRIP_POINTS);
		assert_int_equal(rd32(resp + 16) >> 30 & 1, 1);
		assert_int_equal(read1(st, i, 0), want[i].value);
	}
}

static void test_scmi_hwmon_name_prefix_and_long_label(void **state)
{
	struct scmi_state *st = *state;

	fx_write("temp1_input", "1000");          /* no newline */
	fx_write("temp1_label", "  spaced label  \n");
	fx_write("in3_input", "5");
	assert_int_equal(add(st, "hwmon,path=%s,name=board", fixdir), 0);
	assert_int_equal(st->num_sensors, 2);
	assert_string_equal(st->sensors[0].info.name, "  spaced label");
	assert_string_equal(st->sensors[1].info.name, "board_in3");
	assert_int_equal(read1(st, 0, 0), 1000);
	/* without a name file or name= the prefix is hwmonN */
	assert_int_equal(add(st, "hwmon,path=%s", fixdir), 0);
	assert_string_equal(st->sensors[3].info.name, "hwmon1_in3");
}

static void test_scmi_hwmon_bad_files(void **state)
{
	struct scmi_state *st = *state;
	char err[256];

	/* nothing to export */
	fx_write("temp1_max", "1");
	assert_int_equal(add_err(st, err, sizeof(err), "hwmon,path=%s", fixdir), -EINVAL);
	assert_non_null(strstr(err, "_input"));
	assert_int_equal(add_err(st, err, sizeof(err), "hwmon,path=%s/nonexistent", fixdir),
			 -EINVAL);
	assert_non_null(strstr(err, "nonexistent"));
	assert_int_equal(add_err(st, err, sizeof(err), "hwmon"), -EINVAL);
	assert_non_null(strstr(err, "path"));
	/* a value that is not a number, an empty one, one that vanished */
	fx_write("temp1_input", "hot\n");
	fx_write("temp2_input", "");
	fx_write("temp3_input", "20000\n");
	fx_write("temp4_input", "12x\n");
	assert_int_equal(add(st, "hwmon,path=%s", fixdir), 0);
	assert_int_equal(st->num_sensors, 4);
	for (unsigned i = 0; i < 4; i++) {
		call(st, SCMI_SENSOR_READING_GET, P(i, 0), 136);
		assert_int_equal(status(), i == 2 ? SCMI_SUCCESS : SCMI_HARDWARE_ERROR);
	}
	{
		char p[128];

		snprintf(p, sizeof(p), "%s/temp3_input", fixdir);
		assert_int_equal(unlink(p), 0);
	}
	call(st, SCMI_SENSOR_READING_GET, P(2, 0), 136);
	assert_int_equal(status(), SCMI_HARDWARE_ERROR);
	assert_int_equal(call(st, SCMI_SENSOR_READING_GET, P(2, 0), 136), 8);
}

/* ---- iio ---- */

static void test_scmi_iio_accel_axes_scale(void **state)
{
	struct scmi_state *st = *state;
	uint32_t lo, hi;

	fx_write("name", "lsm6dsx_accel\n");
	fx_write("in_accel_x_raw", "100\n");
	fx_write("in_accel_y_raw", "-200\n");
	fx_write("in_accel_z_raw", "1024\n");
	fx_write("in_accel_scale", "0.009576806\n");
	assert_int_equal(add(st, "iio,path=%s,channel=in_accel", fixdir), 0);
	assert_int_equal(st->num_sensors, 1);
	assert_string_equal(st->sensors[0].info.name, "lsm6dsx_accel");
	call(st, SCMI_SENSOR_DESCRIPTION_GET, P(0), 136);
	lo = rd32(resp + 16);
	hi = rd32(resp + 20);
	assert_int_equal(hi & 0xff, SCMI_UNIT_METERS_SEC_SQUARED);
	assert_int_equal(hi >> 16 & 0x3f, 3);
	assert_int_equal(hi >> 11 & 0x1f, 0x1a);           /* 10^-6 */
	assert_int_equal(lo & 0xff, 0);                    /* no trip points */
	assert_int_equal(lo >> 30 & 1, 1);
	/* 100 * 0.009576806 = 0.9576806 m/s^2 -> 957681 um/s^2 */
	call(st, SCMI_SENSOR_READING_GET, P(0, 0), 136);
	assert_int_equal(rd64(resp + 8), 957681);
	assert_int_equal(rd64(resp + 24), -1915361);
	assert_int_equal(rd64(resp + 40), 9806649);
	/* axes named for the Linux scmi_iio driver */
	call(st, SCMI_SENSOR_AXIS_DESCRIPTION_GET, P(0, 0), 136);
	assert_int_equal(rd32(resp + 8) & 0x3f, 3);
	assert_string_equal((char *)resp + 24, "lsm6dsx_accel_X");
	assert_string_equal((char *)resp + 24 + 28, "lsm6dsx_accel_Y");
	assert_string_equal((char *)resp + 24 + 56, "lsm6dsx_accel_Z");
	assert_int_equal(rd32(resp + 20) >> 11 & 0x1f, 0x1a);
}

static void test_scmi_iio_scalar_offset_and_shared_scale(void **state)
{
	struct scmi_state *st = *state;

	/* (2000 - 500) * 10 = 15000 m°C = 15 °C */
	fx_write("in_temp_raw", "2000\n");
	fx_write("in_temp_offset", "-500\n");
	fx_write("in_temp_scale", "10\n");
	/* in_voltage0: the type's shared scale, in mV */
	fx_write("in_voltage0_raw", "4095\n");
	fx_write("in_voltage_scale", "0.805664062\n");
	/* per-axis scale wins over the channel's */
	fx_write("in_anglvel_x_raw", "3\n");
	fx_write("in_anglvel_x_scale", "2\n");
	fx_write("in_anglvel_scale", "1000\n");
	fx_write("in_humidityrelative_input", "45.5\n");
	assert_int_equal(add(st, "iio,path=%s,channel=in_temp,name=t", fixdir), 0);
	assert_int_equal(add(st, "iio,path=%s,channel=in_voltage0,name=v", fixdir), 0);
	assert_int_equal(add(st, "iio,path=%s,channel=in_anglvel,name=g", fixdir), 0);
	assert_int_equal(add(st, "iio,path=%s,channel=in_humidityrelative,name=h", fixdir), 0);

	assert_int_equal(st->sensors[0].info.type, SCMI_UNIT_DEGREES_C);
	assert_int_equal(st->sensors[0].info.num_axes, 0);
	assert_int_equal(st->sensors[0].info.scale, -2);
	assert_int_equal(read1(st, 0, 0), 1500);            /* x 10^-2 */

	/* 4095 * 0.805664062 mV = 3299.194 mV -> exponent -3 + -4 */
	assert_int_equal(st->sensors[1].info.type, SCMI_UNIT_VOLTS);
	assert_int_equal(st->sensors[1].info.scale, -7);
	assert_int_equal(read1(st, 1, 0), 32991943);

	assert_int_equal(st->sensors[2].info.type, SCMI_UNIT_RADIANS_SEC);
	assert_int_equal(st->sensors[2].info.num_axes, 1);
	assert_int_equal(read1(st, 2, 0), 6);

	/* processed _input: milli percent, no scale */
	assert_int_equal(st->sensors[3].info.type, SCMI_UNIT_PERCENTAGE);
	assert_int_equal(st->sensors[3].info.scale, -3);
	assert_int_equal(read1(st, 3, 0), 46);              /* 45.5 rounded */
}

static void test_scmi_iio_scale_exponent(void **state)
{
	assert_int_equal(scmi_iio_scale_exp(1), 0);
	assert_int_equal(scmi_iio_scale_exp(10), 1);
	assert_int_equal(scmi_iio_scale_exp(1000), 3);
	assert_int_equal(scmi_iio_scale_exp(0.001), -3);
	assert_int_equal(scmi_iio_scale_exp(0.25), -4);
	assert_int_equal(scmi_iio_scale_exp(0.009576806), -6);
	assert_int_equal(scmi_iio_scale_exp(-2), 0);
	assert_int_equal(scmi_iio_value(-3, 0, 0.5, 1), -2);   /* -1.5 away from 0 */
	assert_int_equal(scmi_iio_value(3, 0, 0.5, 1), 2);
	assert_int_equal(scmi_iio_value(1e30, 0, 1, 1), INT64_MAX);
}

static void test_scmi_iio_name_trimmed_and_extended(void **state)
{
	struct scmi_state *st = *state;
	static const char longname[] = "an-iio-device-name-longer-than-fifteen";
	char buf[128];

	snprintf(buf, sizeof(buf), "%s\n", longname);
	fx_write("name", buf);
	fx_write("in_temp_input", "21000\n");
	assert_int_equal(add(st, "iio,path=%s,channel=in_temp", fixdir), 0);
	assert_string_equal(st->sensors[0].info.name, longname);
	/* short name: 15 bytes + NUL, extended name bit 29 */
	call(st, SCMI_SENSOR_DESCRIPTION_GET, P(0), 136);
	assert_int_equal(rd32(resp + 16) >> 29 & 1, 1);
	assert_memory_equal(resp + 24, longname, 15);
	assert_int_equal(resp[24 + 15], 0);
	/* SENSOR_NAME_GET: flags, then 64 bytes */
	assert_int_equal(call(st, SCMI_SENSOR_NAME_GET, P(0), 136), 8 + 4 + 64);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(rd32(resp + 8), 0);
	assert_string_equal((char *)resp + 12, longname);
	assert_int_equal(call(st, SCMI_SENSOR_NAME_GET, P(1), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);
	assert_int_equal(read1(st, 0, 0), 21000);
}

static void test_scmi_iio_bad_specs_and_files(void **state)
{
	struct scmi_state *st = *state;
	char err[256];

	fx_write("in_accel_x_raw", "1\n");
	fx_write("in_accel_scale", "fast\n");
	fx_write("in_temp_raw", "1\n");
	fx_write("in_temp_scale", "0\n");
	fx_write("in_magn_raw", "zz\n");
	assert_int_equal(add_err(st, err, sizeof(err), "iio,path=%s,channel=in_accel", fixdir),
			 -EINVAL);
	assert_non_null(strstr(err, "in_accel_scale"));
	assert_int_equal(add_err(st, err, sizeof(err), "iio,path=%s,channel=in_temp", fixdir),
			 -EINVAL);
	assert_non_null(strstr(err, "scale is 0"));
	assert_int_equal(add_err(st, err, sizeof(err), "iio,path=%s,channel=in_pressure", fixdir),
			 -EINVAL);
	assert_non_null(strstr(err, "in_pressure"));
	assert_int_equal(add_err(st, err, sizeof(err), "iio,path=%s,channel=../x", fixdir),
			 -EINVAL);
	assert_int_equal(add_err(st, err, sizeof(err), "iio,path=%s,channel=in_a/b", fixdir),
			 -EINVAL);
	assert_int_equal(add_err(st, err, sizeof(err), "iio,path=%s", fixdir), -EINVAL);
	assert_non_null(strstr(err, "channel"));
	assert_int_equal(add_err(st, err, sizeof(err), "iio,path=%s,channel=in_temp,name=", fixdir),
			 -EINVAL);
	assert_int_equal(st->num_sensors, 0);
	/* a raw value that is not a number: HARDWARE_ERROR at read time */
	assert_int_equal(add(st, "iio,path=%s,channel=in_magn", fixdir), 0);
	assert_int_equal(call(st, SCMI_SENSOR_READING_GET, P(0, 0), 136), 8);
	assert_int_equal(status(), SCMI_HARDWARE_ERROR);
}

/* ---- protocol: a test device with a settable value and long names ---- */

struct vdev {
	unsigned axes;
	int64_t value;
	bool long_names;
};

static int v_create(const struct scmi_kv *kv, unsigned nkv, unsigned instance,
		    void **inst, char *err, size_t errlen)
{
	return -EINVAL;
}

static void v_destroy(void *inst)
{
	free(inst);
}

static unsigned v_num(void *inst)
{
	return 1;
}

static void v_info(void *inst, unsigned s, struct scmi_sensor_info *o)
{
	struct vdev *v = inst;

	snprintf(o->name, sizeof(o->name), "%s",
		 v->long_names ? "a sensor with a rather long descriptive name" : "v");
	o->type = SCMI_UNIT_DEGREES_C;
	o->scale = -3;
	o->num_axes = v->axes;
	o->timestamped = true;
	o->tstamp_exp = -6;
}

static void v_axis(void *inst, unsigned s, unsigned a, struct scmi_axis_info *o)
{
	struct vdev *v = inst;

	if (v->long_names)
		snprintf(o->name, sizeof(o->name), "axis number %u of the long sensor_%c",
			 a, 'X' + a);
	else
		snprintf(o->name, sizeof(o->name), "ax_%c", 'X' + a);
	o->type = SCMI_UNIT_DEGREES_C;
	o->scale = -3;
}

static int v_read(void *inst, unsigned s, struct scmi_reading *out)
{
	struct vdev *v = inst;

	for (unsigned i = 0; i < (v->axes ? v->axes : 1); i++) {
		out[i].value = v->value + i;
		out[i].timestamp = 0x1234567890ull + i;
	}
	return SCMI_SUCCESS;
}

static const struct scmi_prop no_props[] = { { NULL, NULL } };
static const struct scmi_dev_ops vdev_ops = {
	.type = "v", .summary = "v", .props = no_props,
	.create = v_create, .destroy = v_destroy, .num_sensors = v_num,
	.sensor_info = v_info, .axis_info = v_axis, .read = v_read,
};

static struct vdev *add_v(struct scmi_state *st, unsigned axes, bool long_names)
{
	struct vdev *v = calloc(1, sizeof(*v));
	char err[128];

	assert_non_null(v);
	v->axes = axes;
	v->long_names = long_names;
	assert_int_equal(scmi_state_add(st, &vdev_ops, v, err, sizeof(err)), 0);
	return v;
}

static void test_scmi_axis_name_get_paged(void **state)
{
	struct scmi_state *st = *state;

	add_v(st, 3, true);
	add_v(st, 0, true);
	call(st, SCMI_SENSOR_AXIS_DESCRIPTION_GET, P(0, 0), 136);
	assert_int_equal(rd32(resp + 8) & 0x3f, 3);
	assert_int_equal(rd32(resp + 16) >> 9 & 1, 1);       /* extended name */
	assert_memory_equal(resp + 24, "axis number 0 o", 15);
	/* {axis_id, name[64]}: one per 128-byte message */
	for (unsigned idx = 0; idx < 3; idx++) {
		char want[64];

		assert_int_equal(call(st, SCMI_SENSOR_AXIS_NAME_GET, P(0, idx), 136),
				 12 + 68);
		assert_int_equal(status(), SCMI_SUCCESS);
		assert_int_equal(rd32(resp + 8), 1 | (2 - idx) << 26);
		assert_int_equal(rd32(resp + 12), idx);
		snprintf(want, sizeof(want), "axis number %u of the long sensor_%c", idx,
			 'X' + idx);
		assert_string_equal((char *)resp + 16, want);
	}
	/* a bigger buffer takes all three */
	assert_int_equal(call(st, SCMI_SENSOR_AXIS_NAME_GET, P(0, 0), 8 + 4 + 3 * 68),
			 8 + 4 + 3 * 68);
	assert_int_equal(rd32(resp + 8), 3);
	assert_int_equal(rd32(resp + 12 + 2 * 68), 2);
	assert_int_equal(call(st, SCMI_SENSOR_AXIS_NAME_GET, P(0, 4), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	assert_int_equal(call(st, SCMI_SENSOR_AXIS_NAME_GET, P(1, 0), 136), 8);
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	assert_int_equal(call(st, SCMI_SENSOR_AXIS_NAME_GET, P(2, 0), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);
}

/* Sensor 3.0 (SCMI v3.1) already has the extended names; 3.1 only adds
 * NEGOTIATE_PROTOCOL_VERSION.  The negotiated version is the one
 * reported, until a reset. */
static void test_scmi_negotiated_3_0_keeps_extended_names(void **state)
{
	struct scmi_state *st = *state;

	add_v(st, 2, true);
	assert_int_equal(call(st, SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, P(0x20000), 136), 8);
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	assert_int_equal(call(st, SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION, P(0x30000), 136), 8);
	assert_int_equal(status(), SCMI_SUCCESS);
	call(st, SCMI_SENSOR_DESCRIPTION_GET, P(0), 136);
	assert_int_equal(rd32(resp + 16) >> 29 & 1, 1);
	call(st, SCMI_SENSOR_AXIS_DESCRIPTION_GET, P(0, 0), 136);
	assert_int_equal(rd32(resp + 16) >> 9 & 1, 1);
	assert_int_equal(call(st, SCMI_SENSOR_NAME_GET, P(0), 136), 8 + 4 + 64);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(call(st, SCMI_SENSOR_AXIS_NAME_GET, P(0, 0), 136), 8 + 4 + 68);   /* one fits */
	assert_int_equal(status(), SCMI_SUCCESS);
	call(st, SCMI_MSG_PROTOCOL_VERSION, NOP, 136);
	assert_int_equal(rd32(resp + 8), 0x30000);
	scmi_state_reset(st);
	call(st, SCMI_MSG_PROTOCOL_VERSION, NOP, 136);
	assert_int_equal(rd32(resp + 8), 0x30001);
}

static void test_scmi_list_update_intervals_paged(void **state)
{
	struct scmi_state *st = *state;
	uint32_t all[SCMI_NUM_INTERVALS];
	unsigned idx = 0;

	add_v(st, 0, false);
	while (idx < SCMI_NUM_INTERVALS) {
		unsigned ret, rem;

		/* room for 3 intervals */
		assert_int_equal(call(st, SCMI_SENSOR_LIST_UPDATE_INTERVALS, P(0, idx), 24),
				 12 + 4 * (SCMI_NUM_INTERVALS - idx < 3 ?
					   SCMI_NUM_INTERVALS - idx : 3));
		ret = rd32(resp + 8) & 0xfff;
		rem = rd32(resp + 8) >> 16;
		assert_int_equal(rd32(resp + 8) >> 12 & 1, 0);     /* a list */
		assert_int_equal(ret + rem, SCMI_NUM_INTERVALS - idx);
		for (unsigned i = 0; i < ret; i++)
			all[idx + i] = rd32(resp + 12 + 4 * i);
		idx += ret;
	}
	/* 10 ms = 1 x 10^-2: seconds 20:5, exponent 4:0 */
	assert_int_equal(all[0], 1u << 5 | 0x1e);
	assert_int_equal(all[SCMI_DEFAULT_INTERVAL], 1u << 5);
	assert_int_equal(all[SCMI_NUM_INTERVALS - 1], 10u << 5);
	assert_int_equal(call(st, SCMI_SENSOR_LIST_UPDATE_INTERVALS, P(0, 11), 136), 8);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	assert_int_equal(call(st, SCMI_SENSOR_LIST_UPDATE_INTERVALS, P(1, 0), 136), 8);
	assert_int_equal(status(), SCMI_NOT_FOUND);
}

static uint32_t cfg_interval(unsigned secs, int exp, unsigned round)
{
	return (uint32_t)secs << 16 | ((uint32_t)exp & 0x1f) << 11 | round << 9;
}

static void test_scmi_config_set_interval_rounding(void **state)
{
	struct scmi_state *st = *state;
	static const struct {
		unsigned secs;
		int exp;
		unsigned round;
		uint32_t want;   /* config bits 31:11 */
	} c[] = {
		{ 100, -3, SCMI_ROUND_AUTO, 1u << 16 | 0x1fu << 11 },   /* 100 ms */
		{ 150, -3, SCMI_ROUND_UP, 2u << 16 | 0x1fu << 11 },     /* 200 ms */
		{ 150, -3, SCMI_ROUND_DOWN, 1u << 16 | 0x1fu << 11 },   /* 100 ms */
		{ 7, -3, SCMI_ROUND_DOWN, 1u << 16 | 0x1eu << 11 },     /* 10 ms, the least */
		{ 600, 0, SCMI_ROUND_AUTO, 10u << 16 },                 /* 10 s, the most */
		{ 3, 0, SCMI_ROUND_AUTO, 2u << 16 },                    /* 3 s -> 2 s */
		{ 1, 15, SCMI_ROUND_UP, 10u << 16 },
		{ 1, -16, SCMI_ROUND_AUTO, 1u << 16 | 0x1eu << 11 },
	};

	add_v(st, 0, false);
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		call(st, SCMI_SENSOR_CONFIG_SET,
		     P(0, 1 | cfg_interval(c[i].secs, c[i].exp, c[i].round)), 136);
		assert_int_equal(status(), SCMI_SUCCESS);
		call(st, SCMI_SENSOR_CONFIG_GET, P(0), 136);
		assert_int_equal(rd32(resp + 8), c[i].want | 1);
	}
	/* interval 0 keeps the current one */
	call(st, SCMI_SENSOR_CONFIG_SET, P(0, 0), 136);
	call(st, SCMI_SENSOR_CONFIG_GET, P(0), 136);
	assert_int_equal(rd32(resp + 8), c[7].want);
}

struct sink {
	unsigned n;
	struct scmi_event ev[16];
};

static void sink_emit(void *opaque, const struct scmi_event *ev)
{
	struct sink *s = opaque;

	if (s->n < 16)
		s->ev[s->n] = *ev;
	s->n++;
}

static void test_scmi_trip_point_crossing_one_event(void **state)
{
	struct scmi_state *st = *state;
	struct vdev *v = add_v(st, 0, false);
	struct sink sk = { 0 };
	uint64_t t = 1000000000ull, next;
	const uint8_t *m;

	v->value = 50;
	/* trip point 2 at 100, ascending only; nothing sampled before notify */
	call(st, SCMI_SENSOR_TRIP_POINT_CONFIG, P(0, 2u << 4 | 1, 100, 0), 136);
	assert_int_equal(status(), SCMI_SUCCESS);
	assert_int_equal(scmi_schedule(st, t), 0);
	call(st, SCMI_SENSOR_TRIP_POINT_NOTIFY, P(0, 1), 136);
	assert_int_equal(status(), SCMI_SUCCESS);
	next = scmi_schedule(st, t);
	assert_int_equal(next, t + 1000000000ull);          /* the 1 s default */
	/* below: nothing */
	next = scmi_sample(st, next, sink_emit, &sk);
	assert_int_equal(sk.n, 0);
	/* crosses upwards: exactly one event */
	v->value = 150;
	next = scmi_sample(st, next, sink_emit, &sk);
	assert_int_equal(sk.n, 1);
	m = sk.ev[0].msg;
	assert_int_equal(sk.ev[0].len, 16);
	assert_int_equal(rd32(m), SCMI_HDR(0, 3, 0x15, 0));    /* TRIP_POINT_EVENT */
	assert_int_equal(rd32(m + 4), 0);                      /* agent: platform */
	assert_int_equal(rd32(m + 8), 0);                      /* sensor */
	assert_int_equal(rd32(m + 12), 1u << 16 | 2);          /* ascending, tp 2 */
	next = scmi_sample(st, next, sink_emit, &sk);
	assert_int_equal(sk.n, 1);
	/* downwards: not watched */
	v->value = 100 - 1;
	next = scmi_sample(st, next, sink_emit, &sk);
	assert_int_equal(sk.n, 1);
	/* both directions */
	call(st, SCMI_SENSOR_TRIP_POINT_CONFIG, P(0, 2u << 4 | 3, 100, 0), 136);
	v->value = 100;
	next = scmi_sample(st, scmi_schedule(st, next), sink_emit, &sk);
	assert_int_equal(sk.n, 2);
	v->value = -5;
	next = scmi_sample(st, next, sink_emit, &sk);
	assert_int_equal(sk.n, 3);
	assert_int_equal(rd32(sk.ev[2].msg + 12), 2);          /* descending */
	/* notify off: no events, no sampling */
	call(st, SCMI_SENSOR_TRIP_POINT_NOTIFY, P(0, 0), 136);
	assert_int_equal(scmi_schedule(st, next), 0);
	v->value = 500;
	scmi_sample(st, next + 10000000000ull, sink_emit, &sk);
	assert_int_equal(sk.n, 3);
}

static void test_scmi_trip_point_errors(void **state)
{
	struct scmi_state *st = *state;

	add_v(st, 0, false);
	add_v(st, 3, false);   /* multi-axis: no trip points */
	call(st, SCMI_SENSOR_TRIP_POINT_CONFIG, P(0, SCMI_TRIP_POINTS << 4 | 1, 0, 0), 136);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	call(st, SCMI_SENSOR_TRIP_POINT_CONFIG, P(0, 1u << 12 | 1, 0, 0), 136);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	call(st, SCMI_SENSOR_TRIP_POINT_CONFIG, P(0, 1u << 2, 0, 0), 136);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	call(st, SCMI_SENSOR_TRIP_POINT_CONFIG, P(1, 1, 0, 0), 136);
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	call(st, SCMI_SENSOR_TRIP_POINT_CONFIG, P(2, 1, 0, 0), 136);
	assert_int_equal(status(), SCMI_NOT_FOUND);
	call(st, SCMI_SENSOR_TRIP_POINT_CONFIG, P(0, 1, 0), 136);
	assert_int_equal(status(), SCMI_PROTOCOL_ERROR);
	call(st, SCMI_SENSOR_TRIP_POINT_NOTIFY, P(0, 2), 136);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	call(st, SCMI_SENSOR_TRIP_POINT_NOTIFY, P(1, 1), 136);
	assert_int_equal(status(), SCMI_NOT_SUPPORTED);
	call(st, SCMI_SENSOR_TRIP_POINT_NOTIFY, P(5, 1), 136);
	assert_int_equal(status(), SCMI_NOT_FOUND);
	call(st, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, P(0, 3), 136);
	assert_int_equal(status(), SCMI_INVALID_PARAMETERS);
	call(st, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, P(9, 1), 136);
	assert_int_equal(status(), SCMI_NOT_FOUND);
}

static void test_scmi_continuous_update_layout_and_cadence(void **state)
{
	struct scmi_state *st = *state;
	struct vdev *v = add_v(st, 3, false);
	struct sink sk = { 0 };
	uint64_t t = 5000000000ull, next;
	const uint8_t *m;

	v->value = -7;
	call(st, SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY, P(0, 1), 136);
	assert_int_equal(status(), SCMI_SUCCESS);
	/* not enabled yet: nothing to sample */
	assert_int_equal(scmi_schedule(st, t), 0);
	/* enable with timestamps at 100 ms */
	call(st, SCMI_SENSOR_CONFIG_SET, P(0, 3 | cfg_interval(1, -1, SCMI_ROUND_AUTO)), 136);
	assert_int_equal(status(), SCMI_SUCCESS);
	next = scmi_schedule(st, t);
	assert_int_equal(next, t + 100000000ull);
	/* not due yet */
	assert_int_equal(scmi_sample(st, next - 1, sink_emit, &sk), next);
	assert_int_equal(sk.n, 0);
	assert_int_equal(scmi_sample(st, next, sink_emit, &sk), next + 100000000ull);
	assert_int_equal(sk.n, 1);
	m = sk.ev[0].msg;
	assert_int_equal(sk.ev[0].len, 4 + 8 + 3 * 16);
	assert_int_equal(rd32(m), SCMI_HDR(1, 3, 0x15, 0));   /* SENSOR_UPDATE */
	assert_int_equal(rd32(m) >> 8 & 3, 3);
	assert_int_equal(rd32(m + 4), 0);
	assert_int_equal(rd32(m + 8), 0);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(rd64(m + 12 + 16 * i), -7 + (int)i);
		assert_int_equal(rd64(m + 12 + 16 * i + 8), 0x1234567890ll + i);
	}
	/* a late tick does not burst: the next is a whole interval away */
	next = scmi_sample(st, next + 1000000000ull, sink_emit, &sk);
	assert_int_equal(sk.n, 2);
	assert_int_equal(next, t + 1100000000ull + 100000000ull);
	/* timestamps off: zero */
	call(st, SCMI_SENSOR_CONFIG_SET, P(0, 1), 136);
	scmi_sample(st, scmi_schedule(st, next), sink_emit, &sk);
	assert_int_equal(sk.n, 3);
	assert_int_equal(rd64(sk.ev[2].msg + 12 + 8), 0);
	/* a reset stops everything */
	scmi_state_reset(st);
	assert_int_equal(scmi_schedule(st, next), 0);
}

static void test_scmi_update_event_fits_linux_buffer(void **state)
{
	struct scmi_reading rd[SCMI_MAX_AXES] = { { 0 } };
	struct scmi_event ev;

	/* header + payload within the Linux guest's 128-byte payload */
	scmi_event_update(&ev, 3, rd, SCMI_MAX_AXES, true);
	assert_true(ev.len - 4 <= 128);
	assert_int_equal(ev.len, 4 + 8 + 16 * SCMI_MAX_AXES);
	scmi_event_update(&ev, 3, rd, SCMI_MAX_AXES + 5, true);
	assert_int_equal(ev.len, 4 + 8 + 16 * SCMI_MAX_AXES);
}

/* ---- notification FIFO ---- */

static struct scmi_event mk(unsigned evt, unsigned sensor, int64_t v)
{
	struct scmi_reading rd = { v, 0 };
	struct scmi_event e;

	if (evt == SCMI_EVT_SENSOR_UPDATE)
		scmi_event_update(&e, sensor, &rd, 1, false);
	else
		scmi_event_trip(&e, sensor, (unsigned)v, true);
	return e;
}

static void test_scmi_evq_order_and_coalescing(void **state)
{
	struct scmi_evq q;
	struct scmi_event e;

	assert_int_equal(scmi_evq_init(&q, 4), 0);
	assert_null(scmi_evq_peek(&q));
	for (int i = 0; i < 4; i++) {
		e = mk(SCMI_EVT_SENSOR_UPDATE, i % 2, i);
		scmi_evq_push(&q, &e);
	}
	/* full: s0@0 s1@1 s0@2 s1@3; a new s1 value replaces s1@3 */
	e = mk(SCMI_EVT_SENSOR_UPDATE, 1, 10);
	scmi_evq_push(&q, &e);
	assert_int_equal(q.count, 4);
	assert_int_equal(q.coalesced, 1);
	/* a trip event displaces the oldest update of a sensor with two */
	e = mk(SCMI_EVT_SENSOR_TRIP_POINT, 5, 1);
	scmi_evq_push(&q, &e);
	assert_int_equal(q.count, 4);
	assert_int_equal(q.coalesced, 2);
	/* order: s1@1 s0@2 s1@10 trip */
	assert_int_equal(scmi_evq_peek(&q)->sensor, 1);
	assert_int_equal(rd64(scmi_evq_peek(&q)->msg + 12), 1);
	scmi_evq_pop(&q);
	assert_int_equal(rd64(scmi_evq_peek(&q)->msg + 12), 2);
	scmi_evq_pop(&q);
	assert_int_equal(rd64(scmi_evq_peek(&q)->msg + 12), 10);
	scmi_evq_pop(&q);
	assert_int_equal(scmi_evq_peek(&q)->evt, SCMI_EVT_SENSOR_TRIP_POINT);
	scmi_evq_pop(&q);
	assert_null(scmi_evq_peek(&q));
	/* all trip events: the oldest is dropped and counted */
	for (int i = 0; i < 5; i++) {
		e = mk(SCMI_EVT_SENSOR_TRIP_POINT, 0, i);
		scmi_evq_push(&q, &e);
	}
	assert_int_equal(q.dropped, 1);
	assert_int_equal(rd32(scmi_evq_peek(&q)->msg + 12) & 0xff, 1);
	/* distinct sensors' updates keep their latest value over trip events */
	scmi_evq_clear(&q);
	e = mk(SCMI_EVT_SENSOR_TRIP_POINT, 0, 0);
	scmi_evq_push(&q, &e);
	for (int i = 0; i < 3; i++) {
		e = mk(SCMI_EVT_SENSOR_UPDATE, i, 100 + i);
		scmi_evq_push(&q, &e);
	}
	e = mk(SCMI_EVT_SENSOR_UPDATE, 3, 103);
	scmi_evq_push(&q, &e);
	assert_int_equal(q.count, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(scmi_evq_peek(&q)->evt, SCMI_EVT_SENSOR_UPDATE);
		assert_int_equal(rd64(scmi_evq_peek(&q)->msg + 12), 100 + i);
		scmi_evq_pop(&q);
	}
	scmi_evq_free(&q);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_scmi_hwmon_units_exponents_labels),
		T(test_scmi_hwmon_name_prefix_and_long_label),
		T(test_scmi_hwmon_bad_files),
		T(test_scmi_iio_accel_axes_scale),
		T(test_scmi_iio_scalar_offset_and_shared_scale),
		T(test_scmi_iio_scale_exponent),
		T(test_scmi_iio_name_trimmed_and_extended),
		T(test_scmi_iio_bad_specs_and_files),
		T(test_scmi_axis_name_get_paged),
		T(test_scmi_negotiated_3_0_keeps_extended_names),
		T(test_scmi_list_update_intervals_paged),
		T(test_scmi_config_set_interval_rounding),
		T(test_scmi_trip_point_crossing_one_event),
		T(test_scmi_trip_point_errors),
		T(test_scmi_continuous_update_layout_and_cadence),
		T(test_scmi_update_event_fits_linux_buffer),
		T(test_scmi_evq_order_and_coalescing),
	};

	return cmocka_run_group_tests_name("scmi_sensors", tests, NULL, NULL);
}
