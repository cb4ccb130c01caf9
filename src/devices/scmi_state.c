/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* SCMI state: the sensor device types, adding devices (`-d` specifications)
 * and their sensors, reset and release. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/scmi.h"
#include "version.h"

const struct scmi_dev_ops *const scmi_dev_types[] = {
	&scmi_fake_ops,
	&scmi_sim_ops,
	&scmi_iio_ops,
	&scmi_hwmon_ops,
	NULL,
};

/* hwmon's sensors come in this order */
const struct scmi_class scmi_classes[] = {
	{ "temperature", "temp", SCMI_UNIT_DEGREES_C, -3, "degrees Celsius" },
	{ "voltage", "in", SCMI_UNIT_VOLTS, -3, "volts" },
	{ "current", "curr", SCMI_UNIT_AMPS, -3, "amperes" },
	{ "power", "power", SCMI_UNIT_WATTS, -6, "watts" },
	{ "energy", "energy", SCMI_UNIT_JOULES, -6, "joules" },
	{ "fan", "fan", SCMI_UNIT_RPM, 0, "revolutions per minute" },
	{ "humidity", "humidity", SCMI_UNIT_PERCENTAGE, -3, "percent" },
	{ NULL, NULL, 0, 0, NULL },
};

int scmi_name_check(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name);

	if (!len || len > SCMI_EXT_NAME_LEN - 1) {
		snprintf(err, errlen, "name '%s' is %zu bytes; SCMI sensor names hold 1 to %d",
			 name, len, SCMI_EXT_NAME_LEN - 1);
		return -EINVAL;
	}
	for (size_t j = 0; j < len; j++) {
		if (!isprint((unsigned char)name[j])) {
			snprintf(err, errlen, "name '%s' has a non-printable byte at offset %zu",
				 name, j);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- state ---- */

void scmi_state_init(struct scmi_state *st)
{
	unsigned maj = 0, min = 0, pat = 0;

	memset(st, 0, sizeof(*st));
	st->base_version = SCMI_BASE_VERSION;
	st->sensor_version = SCMI_SENSOR_VERSION;
	if (sscanf(VD_VERSION, "%u.%u.%u", &maj, &min, &pat) >= 1)
		st->impl_version = (maj & 0xffff) << 16 | (min & 0xff) << 8 |
				   (pat & 0xff);
}

static bool name_ok(const char *name)
{
	return name[0] && memchr(name, '\0', SCMI_EXT_NAME_LEN);
}

static bool s5_ok(int v)
{
	return v >= -16 && v <= 15;
}

/* What a device describes must be encodable: reject it at start rather
 * than send the guest something malformed. */
static int check_sensor(const struct scmi_dev_ops *ops, void *inst, unsigned s,
			struct scmi_sensor_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	ops->sensor_info(inst, s, info);
	if (!name_ok(info->name)) {
		snprintf(err, errlen, "%s: sensor %u has an empty or too long name",
			 ops->type, s);
		return -EINVAL;
	}
	if (info->num_axes > SCMI_MAX_AXES || !s5_ok(info->scale) ||
	    !s5_ok(info->tstamp_exp)) {
		snprintf(err, errlen, "%s: sensor '%s' has %u axes (at most %d) or a bad exponent",
			 ops->type, info->name, info->num_axes, SCMI_MAX_AXES);
		return -EINVAL;
	}
	/* what the host sets (scmi.set) is a decimal in the unit, and x, y, z
	 * name three axes */
	if (ops->set && (info->scale > 0 || (info->num_axes && info->num_axes < 3))) {
		snprintf(err, errlen, "%s: settable sensor '%s' has a positive exponent or "
			 "1 or 2 axes", ops->type, info->name);
		return -EINVAL;
	}
	for (unsigned a = 0; a < info->num_axes; a++) {
		struct scmi_axis_info ax;

		memset(&ax, 0, sizeof(ax));
		ops->axis_info(inst, s, a, &ax);
		if (!name_ok(ax.name) || !s5_ok(ax.scale) || !s5_ok(ax.res_exp) ||
		    ax.resolution > 0x7ffffff || (ops->set && ax.scale > 0)) {
			snprintf(err, errlen, "%s: sensor '%s' axis %u is not encodable%s",
				 ops->type, info->name, a, ops->set ? " or settable" : "");
			return -EINVAL;
		}
	}
	return 0;
}

static void sensor_reset(struct scmi_sensor *s)
{
	s->config = 0;
	s->interval = SCMI_DEFAULT_INTERVAL;
	s->update_notify = false;
	s->trip_notify = false;
	s->next_ns = 0;
	for (unsigned t = 0; t < SCMI_TRIP_POINTS; t++) {
		s->trip[t].ctrl = 0;
		s->trip[t].value = 0;
		s->trip[t].above = -1;
	}
}

int scmi_state_add(struct scmi_state *st, const struct scmi_dev_ops *ops,
		   void *inst, char *err, size_t errlen)
{
	struct scmi_sensor *ns;
	unsigned n = ops->num_sensors(inst);

	if (st->num_devs >= SCMI_MAX_DEVS) {
		snprintf(err, errlen, "too many devices (at most %d)", SCMI_MAX_DEVS);
		goto fail;
	}
	if (n > SCMI_MAX_SENSORS - st->num_sensors) {
		snprintf(err, errlen, "too many sensors (at most %d)", SCMI_MAX_SENSORS);
		goto fail;
	}
	if (!n) {
		st->devs[st->num_devs].ops = ops;
		st->devs[st->num_devs++].inst = inst;
		return 0;
	}
	ns = realloc(st->sensors, (st->num_sensors + n) * sizeof(*ns));
	if (!ns) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	st->sensors = ns;
	for (unsigned i = 0; i < n; i++) {
		struct scmi_sensor *s = &ns[st->num_sensors + i];

		if (check_sensor(ops, inst, i, &s->info, err, errlen))
			goto fail;
		s->ops = ops;
		s->inst = inst;
		s->idx = i;
		s->num_trips = s->info.num_axes ? 0 : SCMI_TRIP_POINTS;
		s->streaming = false;
		s->hr = NULL;      /* scmi_host_start sets it */
		sensor_reset(s);
	}
	st->num_sensors += n;
	st->devs[st->num_devs].ops = ops;
	st->devs[st->num_devs++].inst = inst;
	return 0;
fail:
	ops->destroy(inst);
	return -EINVAL;
}

void scmi_state_reset(struct scmi_state *st)
{
	scmi_state_stop_streams(st);
	for (unsigned i = 0; i < st->num_sensors; i++)
		sensor_reset(&st->sensors[i]);
	st->notify_errors = false;
	st->base_version = SCMI_BASE_VERSION;
	st->sensor_version = SCMI_SENSOR_VERSION;
	st->p2a = false;
}

void scmi_state_free(struct scmi_state *st)
{
	scmi_state_stop_streams(st);
	for (unsigned i = 0; i < st->num_devs; i++) {
		st->devs[i].ops->destroy(st->devs[i].inst);
		st->devs[i].inst = NULL;   /* a leak checker sees what was not freed */
	}
	free(st->sensors);
	st->sensors = NULL;
	st->num_sensors = 0;
	st->num_devs = 0;
}

/* ---- device specifications ---- */

const struct scmi_dev_ops *scmi_dev_type_find(const char *type)
{
	for (unsigned i = 0; scmi_dev_types[i]; i++)
		if (!strcmp(scmi_dev_types[i]->type, type))
			return scmi_dev_types[i];
	return NULL;
}

static void list_names(char *out, size_t outlen, const struct scmi_dev_ops *ops)
{
	size_t used = 0;

	out[0] = '\0';
	if (ops) {
		for (const struct scmi_prop *p = ops->props; p->name; p++)
			used += snprintf(out + used, used < outlen ? outlen - used : 0,
					 "%s%s", used ? ", " : "", p->name);
	} else {
		for (unsigned i = 0; scmi_dev_types[i]; i++)
			used += snprintf(out + used, used < outlen ? outlen - used : 0,
					 "%s%s", used ? ", " : "", scmi_dev_types[i]->type);
	}
}

int scmi_devspec_parse(const char *s, struct scmi_devspec *sp,
		       char *err, size_t errlen)
{
	char known[128];
	char *p, *next;

	memset(sp, 0, sizeof(*sp));
	if (strlen(s) >= sizeof(sp->buf)) {
		snprintf(err, errlen, "device specification too long (at most %zu bytes)",
			 sizeof(sp->buf) - 1);
		return -EINVAL;
	}
	strcpy(sp->buf, s);
	p = sp->buf;
	next = strchr(p, ',');
	if (next)
		*next++ = '\0';
	if (!*p) {
		snprintf(err, errlen, "missing device type (expected TYPE[,PROP=VALUE]...)");
		return -EINVAL;
	}
	sp->ops = scmi_dev_type_find(p);
	if (!sp->ops) {
		list_names(known, sizeof(known), NULL);
		snprintf(err, errlen, "unknown device type '%s' (known: %s)", p, known);
		return -EINVAL;
	}
	while (next) {
		const struct scmi_prop *pp;
		char *eq;

		p = next;
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (!*p) {
			snprintf(err, errlen, "empty property (expected PROP=VALUE)");
			return -EINVAL;
		}
		eq = strchr(p, '=');
		if (!eq) {
			snprintf(err, errlen, "property '%s' has no value (expected PROP=VALUE)", p);
			return -EINVAL;
		}
		*eq = '\0';
		if (!*p) {
			snprintf(err, errlen, "empty property name before '=%s'", eq + 1);
			return -EINVAL;
		}
		for (pp = sp->ops->props; pp->name; pp++)
			if (!strcmp(pp->name, p))
				break;
		if (!pp->name) {
			list_names(known, sizeof(known), sp->ops);
			snprintf(err, errlen, "unknown property '%s' for device type '%s' (known: %s)",
				 p, sp->ops->type, known[0] ? known : "none");
			return -EINVAL;
		}
		for (unsigned i = 0; i < sp->nkv; i++) {
			if (!strcmp(sp->kv[i].key, p)) {
				snprintf(err, errlen, "property '%s' given twice", p);
				return -EINVAL;
			}
		}
		if (sp->nkv >= SCMI_DEVSPEC_PROPS) {
			snprintf(err, errlen, "too many properties (at most %d)", SCMI_DEVSPEC_PROPS);
			return -EINVAL;
		}
		sp->kv[sp->nkv].key = p;
		sp->kv[sp->nkv++].val = eq + 1;
	}
	return 0;
}

int scmi_state_add_spec(struct scmi_state *st, const char *s,
			char *err, size_t errlen)
{
	static struct scmi_devspec sp;   /* large; setup is single-threaded */
	unsigned instance = 0;
	void *inst = NULL;

	if (scmi_devspec_parse(s, &sp, err, errlen))
		return -EINVAL;
	for (unsigned i = 0; i < st->num_devs; i++)
		if (st->devs[i].ops == sp.ops)
			instance++;
	if (sp.ops->create(sp.kv, sp.nkv, instance, &inst, err, errlen))
		return -EINVAL;
	return scmi_state_add(st, sp.ops, inst, err, errlen);
}

#define HELP_WIDTH 80

/* text after col columns already printed, its words wrapped before
 * HELP_WIDTH onto lines indented by indent */
static void help_wrap(FILE *f, unsigned col, unsigned indent, const char *text)
{
	bool first = true;

	for (const char *p = text; *p; ) {
		size_t w = strcspn(p, " \n");

		if (!first && col + 1 + w >= HELP_WIDTH) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += (unsigned)w;
		first = false;
		p += w;
		p += strspn(p, " \n");
	}
	fputc('\n', f);
}

void scmi_devices_help(FILE *f)
{
	fprintf(f, "Device types (-d TYPE[,PROP=VALUE]...):\n");
	for (unsigned i = 0; scmi_dev_types[i]; i++) {
		const struct scmi_dev_ops *o = scmi_dev_types[i];
		int n;

		n = fprintf(f, "  %-8s ", o->type);
		help_wrap(f, (unsigned)n, 11, o->summary);
		for (const struct scmi_prop *p = o->props; p->name; p++) {
			n = fprintf(f, "    %s=...  ", p->name);
			help_wrap(f, (unsigned)n, 8, p->help);
		}
	}
}
