/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-i2c: virtio-i2c (virtio id 34, one request queue) over host
 * adapters (/dev/i2c-N) and simulated peripherals.  Requests are held
 * until their FAIL_NEXT group is complete, then the group runs as one
 * transaction and each request gets its own status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/opts.h"
#include "devices/i2c.h"
#include "vhost/dev.h"
#include "vhost/serve.h"
#include "vhost/loop.h"

#define I2C_MAX_SOCKETS 64

struct i2c_vdev {
	struct i2c_bus *bus;
	bool features_ok;            /* ZERO_LENGTH_REQUEST accepted */
	unsigned npend;              /* requests of the open group */
	struct i2c_req pend[I2C_QUEUE_SIZE];
};

static void run_pending(struct i2c_vdev *v, struct vu_dev *d, unsigned q,
			bool complete)
{
	i2c_group_run(v->bus, v->pend, v->npend, complete, v->features_ok);
	for (unsigned i = 0; i < v->npend; i++)
		vu_complete(d, q, v->pend[i].e, v->pend[i].used);
	v->npend = 0;
}

static int i2c_op_handle(void *priv, struct vu_dev *d, unsigned q,
			 struct vq_elem *e)
{
	struct i2c_vdev *v = priv;
	struct i2c_req *r;

	if (q != 0)
		return -EINVAL;
	if (v->npend == I2C_QUEUE_SIZE) {
		/* cannot happen: no more elements than the ring size */
		run_pending(v, d, q, false);
	}
	r = &v->pend[v->npend++];
	i2c_req_parse(e, r);
	if (!r->fail_next)
		run_pending(v, d, q, true);
	return DEV_HELD;
}

/* End of a batch: a group still open stays held if the driver has
 * published more since (the rest of the group may be there); if not, the
 * group never ends (e.g. the ring was too small for it): fail it rather
 * than keep the driver waiting. */
static void i2c_op_flush(void *priv, struct vu_dev *d, unsigned q)
{
	struct i2c_vdev *v = priv;
	struct vq *vq = vu_dev_vq(d, q);

	if (!v->npend)
		return;
	if (vq && vq_has_avail(vq))
		return;
	run_pending(v, d, q, false);
}

static void i2c_op_queue_stop(void *priv, struct vu_dev *d, unsigned q)
{
	struct i2c_vdev *v = priv;

	v->npend = 0;
}

static void i2c_op_reset(void *priv, struct vu_dev *d)
{
	struct i2c_vdev *v = priv;

	v->npend = 0;
	v->features_ok = false;
}

static void i2c_op_set_features(void *priv, uint64_t features)
{
	struct i2c_vdev *v = priv;

	v->features_ok = features & (1ull << VIRTIO_I2C_F_ZERO_LENGTH_REQUEST);
	if (!v->features_ok)
		log_warn("i2c: the driver did not accept VIRTIO_I2C_F_ZERO_LENGTH_REQUEST: "
			 "every request will fail");
}

static const struct dev_ops i2c_ops = {
	.name = "i2c",
	.virtio_id = I2C_VIRTIO_ID,
	.num_queues = 1,
	.queue_size = I2C_QUEUE_SIZE,
	.features = 1ull << VIRTIO_I2C_F_ZERO_LENGTH_REQUEST,
	.config_size = 0,
	.set_features = i2c_op_set_features,
	.handle = i2c_op_handle,
	.flush = i2c_op_flush,
	.queue_stop = i2c_op_queue_stop,
	.reset = i2c_op_reset,
};

/* ---- command line ---- */

enum { OPT_LIST = 1, OPT_SIM };

static const struct opt i2c_opts[] = {
	OPT("device-list", 'l', "LIST", "host devices the guest may use:\n"
	    "<bus>:<addr>[:<addr>...][,<bus>:<addr>...]; bus is an\n"
	    "adapter number (/dev/i2c-N) or adapter name; addresses\n"
	    "decimal (or 0x hex)", OPT_LIST),
	OPT("sim", 0, "MODEL@ADDR[,PROP=VALUE]", "add a simulated device (repeatable); models below",
	    OPT_SIM),
	OPT_END
};

static char epilog[1024];

static struct opts_spec i2c_spec = {
	.prog = "vhost-device-i2c",
	.usage = "-s PATH [-c N] (-l LIST | --sim MODEL@ADDR)...",
	.summary = "vhost-user backend for a virtio-i2c adapter: host I2C/SMBus devices\n"
		   "from -l and simulated peripherals from --sim, one guest per socket;\n"
		   "all guests share the adapters and simulated devices.",
	.tab = i2c_opts,
	.epilog = epilog,
};

struct i2c_args {
	struct i2c_bus bus;
	const char *sysfs;
	bool any;
	struct i2c_vdev *v;
};

static int i2c_opt(void *ctx, int id, const char *arg)
{
	struct i2c_args *a = ctx;
	char err[512];

	switch (id) {
	case OPT_LIST:
		if (i2c_parse_device_list(&a->bus, arg, a->sysfs, err, sizeof(err))) {
			fprintf(stderr, "%s: --device-list '%s': %s\n", i2c_spec.prog, arg, err);
			return -1;
		}
		a->any = true;
		return 0;
	case OPT_SIM:
		if (i2c_bus_add_sim(&a->bus, arg, err, sizeof(err))) {
			fprintf(stderr, "%s: --sim '%s': %s\n", i2c_spec.prog, arg, err);
			return -1;
		}
		a->any = true;
		return 0;
	}
	return -1;
}

static void make_epilog(void)
{
	FILE *f = fmemopen(epilog, sizeof(epilog), "w");

	if (!f)
		return;
	fprintf(f, "Simulated device models (--sim):\n");
	i2c_sim_models_help(f);
	fprintf(f, "\nExamples:\n"
		"  vhost-device-i2c -s /tmp/vi2c.sock -c 2 -l \"2:32:21,3:10:23\"\n"
		"  vhost-device-i2c -s /tmp/vi2c.sock --sim 24c02@0x50,file=ee.bin --sim lm75@0x48\n"
		"The adapter names come from /sys/bus/i2c/devices/i2c-N/name\n"
		"($VHOST_DEVICE_I2C_SYSFS overrides that directory).\n");
	fclose(f);
}

static int i2c_start(void *ctx, struct loop *l, unsigned count)
{
	struct i2c_args *a = ctx;
	const char *prog = i2c_spec.prog;
	struct i2c_bus *bus = &a->bus;
	char err[512];

	if (!a->any) {
		fprintf(stderr, "%s: no devices: give --device-list (-l) and/or --sim\n"
			"Try '%s --help' for more information.\n", prog, prog);
		return -1;
	}
	if (i2c_bus_open(bus, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	for (unsigned i = 0; i < I2C_NADDR; i++)
		if (bus->map[i].kind == I2C_T_SIM)
			log_info("0x%02x: simulated %s", i, bus->sim[bus->map[i].idx]->model->name);
		else if (bus->map[i].kind == I2C_T_HOST)
			log_info("0x%02x: /dev/i2c-%u", i, bus->adap[bus->map[i].idx].bus);
	a->v = calloc(count, sizeof(*a->v));
	if (!a->v) {
		log_err("out of memory");
		return -1;
	}
	return 0;
}

static void *i2c_sock(void *ctx, unsigned i, const char *path)
{
	struct i2c_args *a = ctx;

	a->v[i].bus = &a->bus;
	return &a->v[i];
}

static void i2c_cleanup(void *ctx, struct loop *l)
{
	struct i2c_args *a = ctx;

	free(a->v);
	i2c_bus_free(&a->bus);
}

static const struct serve_dev i2c_serve = {
	.spec = &i2c_spec,
	.ops = &i2c_ops,
	.numbered = true,
	.max_sockets = I2C_MAX_SOCKETS,
	.opt = i2c_opt,
	.start = i2c_start,
	.sock = i2c_sock,
	.cleanup = i2c_cleanup,
};

int i2c_main(int argc, char **argv)
{
	static struct i2c_args a;

	memset(&a, 0, sizeof(a));
	make_epilog();
	a.sysfs = getenv("VHOST_DEVICE_I2C_SYSFS");
	if (i2c_bus_init(&a.bus, NULL, NULL)) {
		fprintf(stderr, "%s: out of memory\n", i2c_spec.prog);
		return 1;
	}
	return serve_main(&i2c_serve, &a, argc, argv);
}
