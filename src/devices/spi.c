/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-spi: a virtio-spi controller (virtio id 45, one requestq,
 * 32 bytes of config) whose chip selects are host spidev devices
 * (-l/--device) and simulated peripherals (--sim), in command-line order.
 * `-s PATH -c N` serves N guests on PATH0..PATH{N-1}; they share the chip
 * selects.  spidev messages run on a worker per chip select (spi_core.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/sandbox.h"
#include "common/opts.h"
#include "common/trace.h"
#include "devices/spi.h"
#include "vhost/dev.h"
#include "vhost/serve.h"
#include "vhost/loop.h"

static void spi_op_get_config(void *priv, uint8_t *buf)
{
	struct spi_sock *s = priv;

	spi_config_bytes(s->ctrl, buf);
}

static int spi_op_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	struct spi_sock *s = priv;

	if (q != 0)
		return -EINVAL;
	s->ref.d = d;
	return spi_sock_handle(s, e);
}

static void spi_op_flush(void *priv, struct vu_dev *d, unsigned q)
{
	struct spi_sock *s = priv;

	s->ref.d = d;
	spi_sock_flush(s);
}

/* also all a reset needs: the core calls it for every queue first */
static void spi_op_queue_stop(void *priv, struct vu_dev *d, unsigned q)
{
	struct spi_sock *s = priv;

	spi_sock_drop(s);
	spi_ctrl_release_owner(s->ctrl, s->index);
}

static const struct dev_ops spi_dev_ops = {
	.name = "spi",
	.virtio_id = VIRTIO_ID_SPI,
	.num_queues = 1,
	.queue_size = SPI_QUEUE_SIZE,
	.chain_max = 4,            /* head, tx_buf, rx_buf, result */
	.features = 0,
	.protocol_features = BIT64(VHOST_USER_PROTOCOL_F_CONFIG),
	.config_size = sizeof(struct virtio_spi_config),
	.get_config = spi_op_get_config,
	.handle = spi_op_handle,
	.flush = spi_op_flush,
	.queue_stop = spi_op_queue_stop,
};

/* ---- command line ---- */

enum { OPT_DEVICE = 1, OPT_SIM };

static const struct opt spi_opts[] = {
	OPT("device", 'l', "DEV[,DEV]...", "host spidev device(s), e.g. /dev/spidev0.0; each is\n"
	    "the next chip select (repeatable)", OPT_DEVICE),
	OPT("sim", 0, "MODEL[,PROP=VALUE]...", "simulated chip select: loopback, flash or\n"
	    "mcp3008 (repeatable); '--sim help' describes them", OPT_SIM,
	    .values_help = spi_sim_help),
	OPT_END
};

static const struct opts_spec spi_spec = {
	.prog = "vhost-device-spi",
	.usage = "-s PATH [-c N] [-l DEV[,DEV]...]\n"
		 "       [--sim MODEL[,PROP=VALUE]...]...",
	.summary = "vhost-user backend for a virtio-spi controller whose chip selects are\n"
		   "host spidev devices and simulated peripherals, numbered from 0 in\n"
		   "command-line order.",
	.tab = spi_opts,
	.epilog = "Examples:\n"
		  "  vhost-device-spi -s /tmp/vspi.sock -l /dev/spidev0.0\n"
		  "  vhost-device-spi -s /tmp/vspi.sock --sim loopback --sim flash,file=nor.img\n"
		  "  vhost-device-spi -s /tmp/vspi.sock --sim mcp3008,ch0=512,ch7=1023\n",
};

static int add_target(struct spi_ctrl *c, struct spi_target *t, const char *what, const char *err)
{
	if (!t) {
		fprintf(stderr, "%s: %s: %s\n", spi_spec.prog, what, err);
		return -1;
	}
	if (c->ncs >= SPI_MAX_CS) {
		fprintf(stderr, "%s: more than %u chip selects\n", spi_spec.prog, SPI_MAX_CS);
		t->ops->destroy(t);
		return -1;
	}
	c->cs[c->ncs++] = t;
	return 0;
}

static int add_devices(struct spi_ctrl *c, const char *list)
{
	char buf[4096], err[512];
	char *save = NULL, *tok;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf)) {
		fprintf(stderr, "%s: --device list too long\n", spi_spec.prog);
		return -1;
	}
	if (!*buf || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
		return opts_bad(spi_spec.prog, "--device", list, "empty device path in the list");
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct spi_target *t = spidev_target_new(tok, &spidev_sys_ops, NULL, err, sizeof(err));

		if (add_target(c, t, "--device", err))
			return -1;
		log_info("chip select %u: %s (mode func %#x, bits %#x, max %u Hz)",
			 c->ncs - 1, tok, t->caps.mode_func, t->caps.bits_mask,
			 t->caps.max_freq_hz);
	}
	return 0;
}

static int spi_opt(void *ctx, int id, const char *arg)
{
	struct spi_ctrl *c = ctx;
	char err[512];

	switch (id) {
	case OPT_DEVICE:
		return add_devices(c, arg);
	case OPT_SIM:
		for (unsigned i = 0; i < c->ncs; i++) {
			const char *f = strstr(arg, ",file=");
			const char *g = strstr(c->cs[i]->name, ",file=");

			if (f && g && !strcmp(f, g))
				return opts_bad(spi_spec.prog, "--sim", arg, "the image file is "
						"already used by chip select %u", i);
		}
		return add_target(c, spi_sim_new(arg, err, sizeof(err)), "--sim", err) ? -1 : 0;
	}
	return -1;
}

static int spi_start(void *ctx, struct loop *l, unsigned count)
{
	struct spi_ctrl *c = ctx;
	char err[256];

	if (spi_ctrl_finish(c, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", spi_spec.prog, err);
		/* nothing given: upstream's required -l, clap's exit 2 */
		return c->ncs ? -1 : OPTS_USAGE;
	}
	for (unsigned i = 0; i < c->ncs; i++)
		log_info("chip select %u: %s", i, c->cs[i]->name);
	c->sock = calloc(count, sizeof(*c->sock));
	if (!c->sock) {
		fprintf(stderr, "%s: out of memory\n", spi_spec.prog);
		return -1;
	}
	c->nsock = count;
	if (spi_ctl_register(c)) {
		fprintf(stderr, "%s: cannot register the control commands\n", spi_spec.prog);
		return -1;
	}
	if (spi_ctrl_needs_threads(c))
		sandbox_need(SB_NEED_THREADS);   /* started in spi_serving */
	return 0;
}

/* Workers (spidev chip selects, flash image files), started confined. */
static int spi_serving(void *ctx, struct loop *l)
{
	if (spi_ctrl_start(ctx, l)) {
		log_err("cannot start the spi threads: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int spi_sock(void *ctx, const struct serve_sock *ss)
{
	struct spi_sock *s = ss->priv;

	struct spi_ctrl *c = ctx;

	s->ctrl = c;
	s->index = (int)ss->i;
	if (ss->i < c->nsock)
		c->sock[ss->i] = s;
	s->complete = vu_ref_complete;
	s->running = vu_ref_running;
	s->complete_ctx = &s->ref;
	return 0;
}

static void spi_stop(void *ctx)
{
	spi_ctrl_stop(ctx);
}

static void spi_free_sock(void *ctx, void *priv)
{
	struct spi_ctrl *c = ctx;
	struct spi_sock *s = priv;

	if (s->index >= 0 && (unsigned)s->index < c->nsock && c->sock[s->index] == s)
		c->sock[s->index] = NULL;
	spi_sock_free(s);
}

static void spi_cleanup(void *ctx, struct loop *l)
{
	struct spi_ctrl *c = ctx;

	free(c->sock);
	c->sock = NULL;
	c->nsock = 0;
	spi_ctrl_free(c);
}

static const struct serve_dev spi_serve = {
	.spec = &spi_spec,
	.ops = &spi_dev_ops,
	.numbered = true,
	.trace_format = TRACE_JSON,
	.sock_size = sizeof(struct spi_sock),
	.count_zero_usage = true,	/* upstream: a NonZeroUsize */
	.opt = spi_opt,
	.start = spi_start,
	.sock = spi_sock,
	.serving = spi_serving,
	.stop = spi_stop,
	.sock_free = spi_free_sock,
	.cleanup = spi_cleanup,
};

int spi_main(int argc, char **argv)
{
	static struct spi_ctrl c;

	return serve_main(&spi_serve, &c, argc, argv);
}
