/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-i2c: virtio-i2c (virtio id 34, one request queue) over host
 * adapters (/dev/i2c-N) and simulated peripherals.  Requests are held
 * until their FAIL_NEXT group is complete, then the group runs as one
 * transaction (off the loop for host adapters) and each request gets its
 * own status (i2c_queue.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/sandbox.h"
#include "common/opts.h"
#include "common/trace.h"
#include "devices/i2c.h"
#include "vhost/dev.h"
#include "vhost/serve.h"
#include "vhost/loop.h"

static int i2c_op_handle(void *priv, struct vu_dev *d, unsigned q,
			 struct vq_elem *e)
{
	struct i2c_sock *s = priv;

	if (q != 0)
		return -EINVAL;
	s->ref.d = d;
	return i2c_sock_handle(s, e, vu_dev_vq(d, q)->num);
}

static void i2c_op_queue_stop(void *priv, struct vu_dev *d, unsigned q)
{
	i2c_sock_stop(priv);
}

/* the ring runs again after a stop: results that waited are written */
static void i2c_op_flush(void *priv, struct vu_dev *d, unsigned q)
{
	i2c_sock_resume(priv);
}

/* after queue_stop() */
static void i2c_op_reset(void *priv, struct vu_dev *d)
{
	struct i2c_sock *s = priv;

	s->features_ok = false;
}

static void i2c_op_set_features(void *priv, uint64_t features)
{
	struct i2c_sock *s = priv;

	s->features_ok = features & (1ull << VIRTIO_I2C_F_ZERO_LENGTH_REQUEST);
	if (!s->features_ok)
		log_bad("i2c: the driver did not accept VIRTIO_I2C_F_ZERO_LENGTH_REQUEST: "
			"every request will fail");
}

static const struct dev_ops i2c_ops = {
	.name = "i2c",
	.virtio_id = VIRTIO_ID_I2C_ADAPTER,
	.num_queues = 1,
	.queue_size = I2C_QUEUE_SIZE,
	.chain_max = 3,            /* out_hdr, buffer, in_hdr */
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

static void i2c_sim_help(FILE *f)
{
	fprintf(f, "Simulated devices (--sim MODEL@ADDR[,PROP=VALUE]...):\n");
	i2c_sim_models_help(f);
}

static void i2c_help_models(FILE *f)
{
	fprintf(f, "Simulated device models (--sim):\n");
	i2c_sim_models_help(f);
}

static const struct opt i2c_opts[] = {
	OPT("device-list", 'l', "LIST", "host devices the guest may use:\n"
	    "<bus>:<addr>[:<addr>...][,<bus>:<addr>...]; bus is an\n"
	    "adapter number (/dev/i2c-N) or adapter name; addresses\n"
	    "decimal (or 0x hex)", OPT_LIST),
	OPT("sim", 0, "MODEL@ADDR[,PROP=VALUE]...", "add a simulated device (repeatable); models\n"
	    "below, '--sim help' lists them", OPT_SIM, .values_help = i2c_sim_help),
	OPT_END
};

static const struct opts_spec i2c_spec = {
	.prog = "vhost-device-i2c",
	.usage = "-s PATH [-c N] (-l LIST | --sim MODEL@ADDR)...",
	.summary = "vhost-user backend for a virtio-i2c adapter: host I2C/SMBus devices\n"
		   "from -l and simulated peripherals from --sim, one guest per socket;\n"
		   "all guests share the adapters and simulated devices.",
	.tab = i2c_opts,
	.help_more = i2c_help_models,
	.epilog = "Examples:\n"
		  "  vhost-device-i2c -s /tmp/vi2c.sock -c 2 -l \"2:32:21,3:10:23\"\n"
		  "  vhost-device-i2c -s /tmp/vi2c.sock --sim 24c02@0x50,file=ee.bin \\\n"
		"      --sim lm75@0x48\n"
		  "The adapter names come from /sys/bus/i2c/devices/i2c-N/name\n"
		  "($VHOST_DEVICE_I2C_SYSFS overrides that directory).\n",
};

struct i2c_args {
	struct i2c_bus bus;
	const char *sysfs;
	bool any;
};

static int i2c_opt(void *ctx, int id, const char *arg)
{
	struct i2c_args *a = ctx;
	char err[512];

	switch (id) {
	case OPT_LIST:
		if (i2c_parse_device_list(&a->bus, arg, a->sysfs, err, sizeof(err)))
			return opts_bad(i2c_spec.prog, "--device-list", arg, "%s", err);
		a->any = true;
		return 0;
	case OPT_SIM:
		if (i2c_bus_add_sim(&a->bus, arg, err, sizeof(err)))
			return opts_bad(i2c_spec.prog, "--sim", arg, "%s", err);
		a->any = true;
		return 0;
	}
	return -1;
}

static int i2c_start(void *ctx, struct loop *l, unsigned count)
{
	struct i2c_args *a = ctx;
	const char *prog = i2c_spec.prog;
	struct i2c_bus *bus = &a->bus;
	char err[512];

	if (!a->any)
		return opts_usage(prog, "no devices: give --device-list (-l) and/or --sim");
	if (i2c_bus_open(bus, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	for (unsigned i = 0; i < I2C_NADDR; i++)
		if (bus->map[i].kind == I2C_T_SIM)
			log_info("0x%02x: simulated %s", i, bus->sim[bus->map[i].idx]->model->name);
		else if (bus->map[i].kind == I2C_T_HOST)
			log_info("0x%02x: /dev/i2c-%u", i, bus->adap[bus->map[i].idx].bus);
	if (i2c_bus_needs_threads(bus))
		sandbox_need(SB_NEED_THREADS);   /* started in i2c_serving */
	if (i2c_ctl_register(bus, count)) {
		fprintf(stderr, "%s: cannot register the control commands\n", prog);
		return -1;
	}
	return 0;
}

/* A worker thread per host adapter (and one for image files), started
 * confined. */
static int i2c_serving(void *ctx, struct loop *l)
{
	struct i2c_args *a = ctx;

	if (i2c_bus_start(&a->bus, l)) {
		log_err("cannot start the adapter threads: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int i2c_sock(void *ctx, const struct serve_sock *ss)
{
	struct i2c_args *a = ctx;
	struct i2c_sock *s = ss->priv;

	if (i2c_sock_init(s, &a->bus, ss->l)) {
		log_err("out of memory");
		return -1;
	}
	s->complete = vu_ref_complete;
	s->running = vu_ref_running;
	s->complete_ctx = &s->ref;
	s->index = ss->i;
	return 0;
}

static void i2c_stop(void *ctx)
{
	struct i2c_args *a = ctx;

	i2c_bus_stop(&a->bus);
}

static void i2c_free_sock(void *ctx, void *priv)
{
	i2c_sock_free(priv);
}

static void i2c_cleanup(void *ctx, struct loop *l)
{
	struct i2c_args *a = ctx;

	i2c_bus_free(&a->bus);
}

static const struct serve_dev i2c_serve = {
	.spec = &i2c_spec,
	.ops = &i2c_ops,
	.numbered = true,
	.sock_size = sizeof(struct i2c_sock),
	.trace_format = TRACE_PCAP,
	.opt = i2c_opt,
	.start = i2c_start,
	.sock = i2c_sock,
	.serving = i2c_serving,
	.stop = i2c_stop,
	.sock_free = i2c_free_sock,
	.cleanup = i2c_cleanup,
};

int i2c_main(int argc, char **argv)
{
	static struct i2c_args a;

	a.sysfs = getenv("VHOST_DEVICE_I2C_SYSFS");
	a.any = false;
	if (i2c_bus_init(&a.bus, NULL, NULL)) {
		fprintf(stderr, "%s: out of memory\n", i2c_spec.prog);
		return 1;
	}
	return serve_main(&i2c_serve, &a, argc, argv);
}
