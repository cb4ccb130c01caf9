/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-spi: a virtio-spi controller (virtio id 45, one requestq,
 * 32 bytes of config) whose chip selects are host spidev devices
 * (-l/--device) and simulated peripherals (--sim), in command-line order.
 * `-s PATH -c N` serves N guests on PATH0..PATH{N-1}; they share the chip
 * selects, and every batch runs to its end before another starts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/opts.h"
#include "devices/spi.h"
#include "vhost/dev.h"
#include "vhost/sockets.h"
#include "vhost/loop.h"

#define SAVE_DELAY_NS (200ull * 1000 * 1000)

struct spi_priv {
	struct spi_sock sock;
	struct vu_dev *d;
};

static struct spi_ctrl spi_ctrl_g;
static struct loop_watch *save_timer;
static bool save_armed;

static void spi_complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	vu_complete(ctx, 0, e, len);
}

static void spi_op_get_config(void *priv, uint8_t *buf)
{
	struct spi_priv *p = priv;

	spi_config_bytes(p->sock.ctrl, buf);
}

static int spi_op_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	struct spi_priv *p = priv;

	if (q != 0)
		return -EINVAL;
	p->sock.complete_ctx = d;
	return spi_sock_handle(&p->sock, e);
}

static void save_now(void *opaque, int fd, uint32_t events)
{
	struct spi_ctrl *c = &spi_ctrl_g;

	save_armed = false;
	for (unsigned i = 0; i < c->ncs; i++)
		spi_sim_sync(c->cs[i]);
}

/* Flash images are written back shortly after they change (and at exit),
 * not after every page. */
static void schedule_save(struct spi_ctrl *c)
{
	if (save_armed || !save_timer)
		return;
	for (unsigned i = 0; i < c->ncs; i++) {
		if (spi_sim_dirty(c->cs[i])) {
			if (loop_timer_set(save_timer, SAVE_DELAY_NS, 0) == 0)
				save_armed = true;
			return;
		}
	}
}

static void spi_op_flush(void *priv, struct vu_dev *d, unsigned q)
{
	struct spi_priv *p = priv;

	p->sock.complete_ctx = d;
	spi_sock_flush(&p->sock);
	schedule_save(p->sock.ctrl);
}

static void spi_op_queue_stop(void *priv, struct vu_dev *d, unsigned q)
{
	struct spi_priv *p = priv;

	spi_sock_drop(&p->sock);
	spi_ctrl_release_owner(p->sock.ctrl, p->sock.index);
	schedule_save(p->sock.ctrl);
}

static void spi_op_reset(void *priv, struct vu_dev *d)
{
	spi_op_queue_stop(priv, d, 0);
}

static const struct dev_ops spi_dev_ops = {
	.name = "spi",
	.virtio_id = SPI_VIRTIO_ID,
	.num_queues = 1,
	.queue_size = SPI_QUEUE_SIZE,
	.features = 0,
	.protocol_features = BIT64(VHOST_USER_PROTOCOL_F_CONFIG),
	.config_size = sizeof(struct virtio_spi_config),
	.get_config = spi_op_get_config,
	.handle = spi_op_handle,
	.flush = spi_op_flush,
	.queue_stop = spi_op_queue_stop,
	.reset = spi_op_reset,
};

/* ---- command line ---- */

enum { OPT_DEVICE = 1, OPT_SIM };

static const struct opt spi_opts[] = {
	VU_OPT_SOCKET_PATH_ENTRY("vhost-user socket path; the socket index is appended\n"
				 "(PATH0, PATH1, ...) (required)"),
	VU_OPT_SOCKET_COUNT_ENTRY("number of sockets (guests), 1..64 (default 1)"),
	VU_OPT_MEM_SLOTS_ENTRY,
	{ "device", 'l', "DEV[,DEV]...", "host spidev device(s), e.g. /dev/spidev0.0; each is\n"
	  "the next chip select (repeatable)", OPT_DEVICE },
	{ "sim", 0, "MODEL[,file=PATH]", "simulated chip select: loopback or flash\n"
	  "(repeatable); '--sim help' describes them", OPT_SIM },
	OPT_END
};

static const struct opts_spec spi_spec = {
	.prog = "vhost-device-spi",
	.usage = "-s PATH [-c N] [-l DEV[,DEV]...] [--sim MODEL[,file=PATH]]...",
	.summary = "vhost-user backend for a virtio-spi controller whose chip selects are\n"
		   "host spidev devices and simulated peripherals, numbered from 0 in\n"
		   "command-line order.",
	.tab = spi_opts,
	.epilog = "Examples:\n"
		  "  vhost-device-spi -s /tmp/vspi.sock -l /dev/spidev0.0\n"
		  "  vhost-device-spi -s /tmp/vspi.sock --sim loopback --sim flash,file=nor.img\n",
};

struct spi_args {
	const char *prog;
	struct vu_sockets sk;
	struct spi_ctrl *c;
};

static int add_target(struct spi_args *a, struct spi_target *t, const char *what, const char *err)
{
	if (!t) {
		fprintf(stderr, "%s: %s: %s\n", a->prog, what, err);
		return -1;
	}
	if (a->c->ncs >= SPI_MAX_CS) {
		fprintf(stderr, "%s: more than %u chip selects\n", a->prog, SPI_MAX_CS);
		t->ops->destroy(t);
		return -1;
	}
	a->c->cs[a->c->ncs++] = t;
	return 0;
}

static int add_devices(struct spi_args *a, const char *list)
{
	char buf[4096], err[512];
	char *save = NULL, *tok;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf)) {
		fprintf(stderr, "%s: --device list too long\n", a->prog);
		return -1;
	}
	if (!*buf || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,")) {
		fprintf(stderr, "%s: --device '%s': empty device path in the list\n", a->prog, list);
		return -1;
	}
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct spi_target *t = spidev_target_new(tok, &spidev_sys_ops, NULL, err, sizeof(err));

		if (add_target(a, t, "--device", err))
			return -1;
		log_info("chip select %u: %s (mode func %#x, bits %#x, max %u Hz)",
			 a->c->ncs - 1, tok, t->caps.mode_func, t->caps.bits_mask,
			 t->caps.max_freq_hz);
	}
	return 0;
}

static int spi_opt(void *ctx, int id, const char *arg)
{
	struct spi_args *a = ctx;
	char err[512];
	int r = vu_sockets_opt(&a->sk, a->prog, id, arg);

	if (r <= 0)
		return r;
	switch (id) {
	case OPT_DEVICE:
		return add_devices(a, arg);
	case OPT_SIM:
		if (!strcmp(arg, "help")) {
			spi_sim_help(stdout);
			return 1;
		}
		for (unsigned i = 0; i < a->c->ncs; i++) {
			const char *f = strstr(arg, ",file=");
			const char *g = strstr(a->c->cs[i]->name, ",file=");

			if (f && g && !strcmp(f, g)) {
				fprintf(stderr, "%s: --sim '%s': the image file is already used by "
					"chip select %u\n", a->prog, arg, i);
				return -1;
			}
		}
		return add_target(a, spi_sim_new(arg, err, sizeof(err)), "--sim", err) ? -1 : 0;
	}
	return -1;
}

int spi_main(int argc, char **argv)
{
	struct spi_args a = { "vhost-device-spi", VU_SOCKETS_NUMBERED(SPI_MAX_SOCKETS), &spi_ctrl_g };
	struct spi_priv *p[SPI_MAX_SOCKETS] = { NULL };
	struct vu_dev *d[SPI_MAX_SOCKETS] = { NULL };
	struct loop *l = NULL;
	char err[256];
	int r, ret = 1;

	memset(&spi_ctrl_g, 0, sizeof(spi_ctrl_g));
	r = opts_parse(&spi_spec, argc, argv, spi_opt, &a);
	if (r) {
		ret = r > 0 ? 0 : 1;
		goto out;
	}
	if (vu_sockets_check(&a.sk, a.prog))
		goto out;
	if (spi_ctrl_finish(&spi_ctrl_g, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", a.prog, err);
		goto out;
	}
	for (unsigned i = 0; i < spi_ctrl_g.ncs; i++)
		log_info("chip select %u: %s", i, spi_ctrl_g.cs[i]->name);

	l = loop_new();
	if (!l) {
		log_err("cannot create the event loop: %s", strerror(errno));
		goto out;
	}
	save_timer = loop_timer(l, 0, 0, save_now, NULL);
	if (!save_timer) {
		log_err("cannot create a timer: %s", strerror(errno));
		goto out;
	}
	for (unsigned i = 0; i < a.sk.count; i++) {
		char path[4096];

		if (vu_sockets_path(&a.sk, i, path, sizeof(path))) {
			log_err("socket path too long");
			goto out;
		}
		p[i] = calloc(1, sizeof(*p[i]));
		if (!p[i]) {
			log_err("out of memory");
			goto out;
		}
		p[i]->sock.ctrl = &spi_ctrl_g;
		p[i]->sock.index = (int)i;
		p[i]->sock.complete = spi_complete;
		d[i] = vu_dev_new(l, path, &spi_dev_ops, p[i]);
		if (!d[i])
			goto out;
		p[i]->d = d[i];
	}
	ret = vu_run(l);
out:
	for (unsigned i = 0; i < SPI_MAX_SOCKETS; i++) {
		vu_dev_free(d[i]);
		free(p[i]);
	}
	/* flash images are saved as their chip selects are destroyed */
	spi_ctrl_free(&spi_ctrl_g);
	if (save_timer && l)
		loop_del(l, save_timer);
	save_timer = NULL;
	save_armed = false;
	if (l)
		loop_free(l);
	return ret;
}
