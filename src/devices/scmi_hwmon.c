/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The `hwmon` SCMI device: every temp/in/curr/power/energy/fan/humidity
 * input of a hwmon sysfs directory (/sys/class/hwmon/hwmonN) becomes a
 * scalar SCMI sensor in the matching unit.  hwmon values are integers in
 * fixed sub-units (Documentation/hwmon/sysfs-interface.rst), which map to
 * an SCMI unit and a decimal exponent without any arithmetic.  Every
 * reading is a sysfs read, which waits for the chip's driver: read_host,
 * on the instance's worker. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sandbox.h"
#include "devices/scmi.h"

#define HWMON_FILE_LEN 32

struct hwmon_chan {
	char file[HWMON_FILE_LEN];    /* "temp1_input" */
	char name[SCMI_EXT_NAME_LEN];
	unsigned type;                /* index into scmi_classes */
	unsigned long num;
};

struct hwmon {
	int dirfd;
	unsigned n;
	struct hwmon_chan *ch;
};

static const struct scmi_prop hwmon_props[] = {
	{ "path", "hwmon sysfs directory, e.g. /sys/class/hwmon/hwmon0 (required)" },
	{ "name", "name prefix of unlabelled inputs (default: the 'name' file)" },
	{ NULL, NULL },
};

/* "<prefix><N>_input" -> type and N */
static bool parse_input(const char *f, unsigned *type, unsigned long *num)
{
	for (unsigned t = 0; scmi_classes[t].name; t++) {
		size_t pl = strlen(scmi_classes[t].hwmon);
		const char *p = f + pl;
		char *end;

		if (strncmp(f, scmi_classes[t].hwmon, pl) || !isdigit((unsigned char)*p))
			continue;
		errno = 0;
		*num = strtoul(p, &end, 10);
		if (errno || strcmp(end, "_input") || strlen(f) >= HWMON_FILE_LEN)
			return false;
		*type = t;
		return true;
	}
	return false;
}

static int chan_cmp(const void *a, const void *b)
{
	const struct hwmon_chan *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return 0;
}

static void hwmon_destroy(void *inst)
{
	struct hwmon *h = inst;

	if (!h)
		return;
	if (h->dirfd >= 0)
		close(h->dirfd);
	free(h->ch);
	free(h);
}

static int hwmon_create(const struct scmi_kv *kv, unsigned nkv, unsigned instance,
			void **inst, char *err, size_t errlen)
{
	const char *path = NULL, *name = NULL;
	char prefix[SCMI_EXT_NAME_LEN], label[SCMI_EXT_NAME_LEN * 2];
	char lfile[HWMON_FILE_LEN + 8];
	struct hwmon *h;
	struct dirent *de;
	unsigned cap = 0;
	DIR *d;
	int fd;

	for (unsigned i = 0; i < nkv; i++) {
		if (!strcmp(kv[i].key, "path"))
			path = kv[i].val;
		else if (!strcmp(kv[i].key, "name"))
			name = kv[i].val;
	}
	if (!path || !*path) {
		snprintf(err, errlen, "hwmon needs path=DIR");
		return -EINVAL;
	}
	if (name && (!*name || strlen(name) > 40)) {
		snprintf(err, errlen, "name '%s' must be 1 to 40 bytes", name);
		return -EINVAL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->dirfd < 0) {
		snprintf(err, errlen, "path '%s': %s", path, strerror(errno));
		goto fail;
	}
	/* attributes are read at run time */
	sandbox_need(SB_NEED_FILES);
	if (sandbox_allow_path(path, SB_READ) < 0) {
		snprintf(err, errlen, "path '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (name)
		scmi_name_fit(prefix, name);
	else if (scmi_sysfs_read(h->dirfd, "name", label, sizeof(label)) > 0)
		scmi_name_fit(prefix, label);
	else
		snprintf(prefix, sizeof(prefix), "hwmon%u", instance);
	prefix[40] = '\0';

	fd = dup(h->dirfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "path '%s': %s", path, strerror(errno));
		goto fail;
	}
	while ((de = readdir(d))) {
		struct hwmon_chan *c;
		unsigned type;
		unsigned long num;

		if (!parse_input(de->d_name, &type, &num))
			continue;
		if (h->n == cap) {
			struct hwmon_chan *nc;

			cap = cap ? 2 * cap : 16;
			nc = realloc(h->ch, cap * sizeof(*nc));
			if (!nc) {
				closedir(d);
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			h->ch = nc;
		}
		c = &h->ch[h->n++];
		memset(c, 0, sizeof(*c));
		snprintf(c->file, sizeof(c->file), "%s", de->d_name);
		c->type = type;
		c->num = num;
	}
	closedir(d);
	if (!h->n) {
		snprintf(err, errlen, "path '%s': no temp/in/curr/power/energy/fan/humidity "
			 "*_input files", path);
		goto fail;
	}
	qsort(h->ch, h->n, sizeof(*h->ch), chan_cmp);
	for (unsigned i = 0; i < h->n; i++) {
		struct hwmon_chan *c = &h->ch[i];
		char tmp[SCMI_EXT_NAME_LEN + 32];

		snprintf(lfile, sizeof(lfile), "%s%lu_label",
			 scmi_classes[c->type].hwmon, c->num);
		if (scmi_sysfs_read(h->dirfd, lfile, label, sizeof(label)) > 0) {
			scmi_name_fit(c->name, label);
		} else {
			snprintf(tmp, sizeof(tmp), "%s_%s%lu", prefix,
				 scmi_classes[c->type].hwmon, c->num);
			scmi_name_fit(c->name, tmp);
		}
	}
	*inst = h;
	return 0;
fail:
	hwmon_destroy(h);
	return -EINVAL;
}

static unsigned hwmon_num_sensors(void *inst)
{
	return ((struct hwmon *)inst)->n;
}

static void hwmon_sensor_info(void *inst, unsigned s, struct scmi_sensor_info *out)
{
	struct hwmon *h = inst;
	const struct hwmon_chan *c = &h->ch[s];

	memcpy(out->name, c->name, sizeof(out->name));
	out->type = scmi_classes[c->type].unit;
	out->scale = scmi_classes[c->type].scale;
	out->num_axes = 0;
	out->timestamped = false;
}

static void hwmon_axis_info(void *inst, unsigned s, unsigned axis,
			    struct scmi_axis_info *out)
{
	/* scalar sensors only */
}

/* On the instance's worker: only the directory fd and the file name */
static int hwmon_read_host(void *inst, unsigned s, struct scmi_reading *out)
{
	struct hwmon *h = inst;
	long long v;
	int r = scmi_sysfs_read_ll(h->dirfd, h->ch[s].file, &v);

	if (r == -EAGAIN || r == -ENODATA)
		return SCMI_BUSY;
	if (r < 0)
		return SCMI_HARDWARE_ERROR;
	out[0].value = v;
	out[0].timestamp = 0;
	return SCMI_SUCCESS;
}

const struct scmi_dev_ops scmi_hwmon_ops = {
	.type = "hwmon",
	.summary = "every input of a host hwmon directory (temp, in, curr, power, energy, fan, humidity)",
	.props = hwmon_props,
	.create = hwmon_create,
	.destroy = hwmon_destroy,
	.num_sensors = hwmon_num_sensors,
	.sensor_info = hwmon_sensor_info,
	.axis_info = hwmon_axis_info,
	.read_host = hwmon_read_host,   /* every reading may block */
};
