/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The `fake` SCMI device: one simulated 3-axis accelerometer (m/s^2, in
 * units of 10^-3) whose readings move with every read, for testing guests
 * without sensor hardware; an axis set from the host (scmi.set) holds the
 * value it was given instead. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/scmi.h"

#define FAKE_SCALE  (-3)      /* mm/s^2 */
#define FAKE_RANGE  19613     /* +-2 g in mm/s^2 */
#define FAKE_TS_EXP (-6)      /* timestamps in microseconds */

struct fake {
	char name[SCMI_EXT_NAME_LEN];
	uint64_t reads;
	unsigned held;              /* bit per axis: set from the host */
	int64_t hold[3];
};

static const struct scmi_prop fake_props[] = {
	{ "name", "sensor name, 1-63 printable ASCII bytes (default fakeN)" },
	{ NULL, NULL },
};

static int fake_create(const struct scmi_kv *kv, unsigned nkv, unsigned instance,
		       void **inst, char *err, size_t errlen)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(f->name, sizeof(f->name), "fake%u", instance);
	for (unsigned i = 0; i < nkv; i++) {
		if (strcmp(kv[i].key, "name"))
			continue;
		if (scmi_name_check(kv[i].val, err, errlen)) {
			free(f);
			return -EINVAL;
		}
		memcpy(f->name, kv[i].val, strlen(kv[i].val) + 1);
	}
	*inst = f;
	return 0;
}

static void fake_destroy(void *inst)
{
	free(inst);
}

static unsigned fake_num_sensors(void *inst)
{
	return 1;
}

static void fake_sensor_info(void *inst, unsigned s, struct scmi_sensor_info *out)
{
	struct fake *f = inst;

	memcpy(out->name, f->name, sizeof(out->name));
	out->type = SCMI_UNIT_METERS_SEC_SQUARED;
	out->scale = FAKE_SCALE;
	out->num_axes = 3;
	out->timestamped = true;
	out->tstamp_exp = FAKE_TS_EXP;
}

static void fake_axis_info(void *inst, unsigned s, unsigned axis,
			   struct scmi_axis_info *out)
{
	struct fake *f = inst;

	/* "<name>_X": the Linux scmi_iio driver takes the axis from the
	 * letter after the last '_' */
	snprintf(out->name, sizeof(out->name), "%.*s_%c", SCMI_NAME_LEN - 3,
		 f->name, 'X' + (axis % 3));
	out->type = SCMI_UNIT_METERS_SEC_SQUARED;
	out->scale = FAKE_SCALE;
	out->extended = true;
	out->resolution = 1;
	out->res_exp = FAKE_SCALE;
	out->min = -FAKE_RANGE;
	out->max = FAKE_RANGE;
}

static int fake_read(void *inst, unsigned s, struct scmi_reading *out)
{
	struct fake *f = inst;
	struct timespec ts;
	uint64_t n = ++f->reads, us = 0;
	int64_t tri = (int64_t)(n % 40);

	if (!clock_gettime(CLOCK_MONOTONIC, &ts))
		us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	/* X: triangle wave in +-1 m/s^2; Y: pseudo-random in +-1 m/s^2;
	 * Z: gravity with a little jitter */
	tri = tri < 20 ? tri : 40 - tri;
	out[0].value = (tri - 10) * 100;
	out[1].value = (int64_t)((n * 37) % 2001) - 1000;
	out[2].value = 9807 + (int64_t)(n % 7) - 3;
	for (int i = 0; i < 3; i++) {
		if (f->held & 1u << i)
			out[i].value = f->hold[i];
		out[i].timestamp = us;
	}
	return SCMI_SUCCESS;
}

static void fake_set(void *inst, unsigned s, unsigned axis, int64_t v)
{
	struct fake *f = inst;

	if (axis >= 3)
		return;
	f->held |= 1u << axis;
	f->hold[axis] = v;
}

const struct scmi_dev_ops scmi_fake_ops = {
	.type = "fake",
	.summary = "simulated 3-axis accelerometer (m/s^2), readings change on every read "
		   "but for axes set with ctl scmi.set",
	.props = fake_props,
	.create = fake_create,
	.destroy = fake_destroy,
	.num_sensors = fake_num_sensors,
	.sensor_info = fake_sensor_info,
	.axis_info = fake_axis_info,
	.read = fake_read,
	.set = fake_set,
};
