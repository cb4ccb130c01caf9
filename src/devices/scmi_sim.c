/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The `sim` SCMI device: one scalar sensor of a class (temperature,
 * voltage, ...) that reads the value it was last given: at start
 * (value=) or from the host through the control socket (scmi.set), so
 * that trip points and continuous updates are driven from outside. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "devices/scmi.h"

struct sim {
	char name[SCMI_EXT_NAME_LEN];
	const struct scmi_class *cls;
	int64_t value;              /* in 10^cls->scale */
};

static const struct scmi_prop sim_props[] = {
	{ "name", "sensor name, 1-63 printable ASCII bytes (required)" },
	{ "type", "temperature (degrees Celsius), voltage (V), current (A), power (W), "
		  "energy (J), fan (RPM) or humidity (%) (required)" },
	{ "value", "the reading at start, a decimal number in the type's unit, "
		   "e.g. 25.5 (default 0); ctl scmi.set changes it" },
	{ NULL, NULL },
};

static void class_names(char *out, size_t outlen)
{
	size_t used = 0;

	out[0] = '\0';
	for (unsigned i = 0; scmi_classes[i].name; i++)
		used += snprintf(out + used, used < outlen ? outlen - used : 0, "%s%s",
				 used ? ", " : "", scmi_classes[i].name);
}

/* value=V: a decimal number with at most -scale fraction digits, read as
 * the control socket reads one (JSON's number syntax). */
static int parse_value(const char *v, const struct scmi_class *cls, int64_t *out,
		       char *err, size_t errlen)
{
	struct json_tok tok[1];
	struct json_doc d;
	unsigned digits = (unsigned)-cls->scale;
	int r = json_parse(&d, v, strlen(v), tok, 1);

	if (!r)
		r = json_fixed(&d, 0, digits, -SCMI_SET_MAX, SCMI_SET_MAX, out);
	if (!r)
		return 0;
	if (r == -ERANGE)
		snprintf(err, errlen, "value '%s' is out of range (at most %lld units of "
			 "10^%d %s either side of 0)", v, SCMI_SET_MAX, cls->scale,
			 cls->unit_name);
	else
		snprintf(err, errlen, "value '%s' is not a decimal number with at most %u "
			 "decimals (%s in %s)", v, digits, cls->name, cls->unit_name);
	return -EINVAL;
}

static int sim_create(const struct scmi_kv *kv, unsigned nkv, unsigned instance,
		      void **inst, char *err, size_t errlen)
{
	const char *name = NULL, *type = NULL, *value = NULL;
	const struct scmi_class *cls = NULL;
	char known[128];
	struct sim *s;
	int64_t v = 0;

	for (unsigned i = 0; i < nkv; i++) {
		if (!strcmp(kv[i].key, "name"))
			name = kv[i].val;
		else if (!strcmp(kv[i].key, "type"))
			type = kv[i].val;
		else if (!strcmp(kv[i].key, "value"))
			value = kv[i].val;
	}
	class_names(known, sizeof(known));
	if (!name) {
		snprintf(err, errlen, "sim needs name=NAME");
		return -EINVAL;
	}
	if (scmi_name_check(name, err, errlen))
		return -EINVAL;
	if (!type) {
		snprintf(err, errlen, "sim needs type=TYPE (%s)", known);
		return -EINVAL;
	}
	for (unsigned i = 0; scmi_classes[i].name; i++)
		if (!strcmp(scmi_classes[i].name, type))
			cls = &scmi_classes[i];
	if (!cls) {
		snprintf(err, errlen, "type '%s' is not a sensor type (known: %s)", type, known);
		return -EINVAL;
	}
	if (value && parse_value(value, cls, &v, err, errlen))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(s->name, name, strlen(name) + 1);
	s->cls = cls;
	s->value = v;
	*inst = s;
	return 0;
}

static void sim_destroy(void *inst)
{
	free(inst);
}

static unsigned sim_num_sensors(void *inst)
{
	return 1;
}

static void sim_sensor_info(void *inst, unsigned s, struct scmi_sensor_info *out)
{
	struct sim *m = inst;

	memcpy(out->name, m->name, sizeof(out->name));
	out->type = m->cls->unit;
	out->scale = m->cls->scale;
	out->num_axes = 0;
	out->timestamped = false;
}

static void sim_axis_info(void *inst, unsigned s, unsigned axis,
			  struct scmi_axis_info *out)
{
	/* a scalar sensor */
}

static int sim_read(void *inst, unsigned s, struct scmi_reading *out)
{
	struct sim *m = inst;

	out[0].value = m->value;
	out[0].timestamp = 0;
	return SCMI_SUCCESS;
}

static void sim_set(void *inst, unsigned s, unsigned axis, int64_t v)
{
	struct sim *m = inst;

	m->value = v;
}

const struct scmi_dev_ops scmi_sim_ops = {
	.type = "sim",
	.summary = "one scalar sensor that reads the value it is given: value= at start, "
		   "then the control socket (ctl scmi.set)",
	.props = sim_props,
	.create = sim_create,
	.destroy = sim_destroy,
	.num_sensors = sim_num_sensors,
	.sensor_info = sim_sensor_info,
	.axis_info = sim_axis_info,
	.read = sim_read,
	.set = sim_set,
};
