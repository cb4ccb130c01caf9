/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-gpio: virtio-gpio (virtio id 41) with VIRTIO_GPIO_F_IRQ,
 * one guest per socket PATH0..PATH{N-1}, each with its own chip from
 * --device-list: a host /dev/gpiochipN or a simulated chip.  Queue 0 is
 * the request queue (answered in place), queue 1 the event queue (held
 * per line until its interrupt fires or is disabled).  Everything,
 * including host line events, runs in the one epoll loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/trace.h"
#include "common/opts.h"
#include "devices/gpio.h"
#include "vhost/dev.h"
#include "vhost/serve.h"
#include "vhost/loop.h"
#include "vhost/proto.h"

#define GPIO_QUEUE_SIZE  VQ_MAX_SIZE
#define GPIO_MAX_CHIPNUM 65535

struct gpio_sock {
	struct gpio_dev g;
	struct vu_queue_ref ev;   /* the eventq: only held events complete later */
};

static void gpio_op_get_config(void *priv, uint8_t *buf)
{
	struct gpio_sock *s = priv;

	gpio_dev_config(&s->g, buf);
}

static void gpio_op_set_features(void *priv, uint64_t features)
{
	struct gpio_sock *s = priv;

	s->g.irq = !!(features & BIT64(VIRTIO_GPIO_F_IRQ));
}

static int gpio_op_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	struct gpio_sock *s = priv;

	s->ev.d = d;   /* for the events it holds */
	if (q == GPIO_Q_REQUEST)
		return gpio_dev_request(&s->g, e);
	if (q == GPIO_Q_EVENT)
		return gpio_dev_event(&s->g, e);
	return -EINVAL;
}

static void gpio_op_queue_stop(void *priv, struct vu_dev *d, unsigned q)
{
	struct gpio_sock *s = priv;

	if (q == GPIO_Q_EVENT)
		gpio_dev_events_stop(&s->g);
}

/* the eventq runs again after a stop: what waited is returned */
static void gpio_op_flush(void *priv, struct vu_dev *d, unsigned q)
{
	struct gpio_sock *s = priv;

	if (q == GPIO_Q_EVENT)
		gpio_dev_events_resume(&s->g);
}

static void gpio_op_reset(void *priv, struct vu_dev *d)
{
	struct gpio_sock *s = priv;

	gpio_dev_reset(&s->g);
}

static const struct dev_ops gpio_ops = {
	.name = "gpio",
	.virtio_id = VIRTIO_ID_GPIO,
	.num_queues = 2,
	.queue_size = GPIO_QUEUE_SIZE,
	.chain_max = 2,            /* request, response */
	.features = BIT64(VIRTIO_GPIO_F_IRQ),
	.protocol_features = BIT64(VHOST_USER_PROTOCOL_F_CONFIG),
	.config_size = GPIO_CONFIG_SIZE,
	.get_config = gpio_op_get_config,
	.set_features = gpio_op_set_features,
	.handle = gpio_op_handle,
	.flush = gpio_op_flush,
	.queue_stop = gpio_op_queue_stop,
	.reset = gpio_op_reset,
};

/* ---- command line ---- */

int gpio_parse_device_list(const char *s, struct gpio_chip_spec *specs,
			   unsigned max, char *err, size_t errlen)
{
	unsigned n = 0;
	char ent[32];
	int r;

	while ((r = opts_list_next(&s, ':', n, ent, sizeof(ent), err, errlen)) > 0) {
		unsigned long v;
		bool sim = ent[0] == 's';

		if (sim) {
			if (opts_parse_uint(ent + 1, 10, GPIO_MAX_LINES, &v) || v == 0) {
				snprintf(err, errlen, "entry '%s': a simulated chip sN needs N = 1..%u lines",
					 ent, GPIO_MAX_LINES);
				return -1;
			}
		} else if (opts_parse_uint(ent, 10, GPIO_MAX_CHIPNUM, &v)) {
			snprintf(err, errlen, "entry '%s': expected a chip number 0..%u "
				 "(/dev/gpiochipN) or sN (simulated chip of N lines)", ent,
				 GPIO_MAX_CHIPNUM);
			return -1;
		}
		for (unsigned i = 0; !sim && i < n; i++) {
			if (!specs[i].sim && specs[i].n == v) {
				snprintf(err, errlen, "entry '%s': duplicate chip %lu (one guest per chip)",
					 ent, v);
				return -1;
			}
		}
		if (n >= max) {
			snprintf(err, errlen, "more than %u entries", max);
			return -1;
		}
		specs[n].sim = sim;
		specs[n].n = v;
		n++;
	}
	return r < 0 ? -1 : (int)n;
}

enum { OPT_LIST = 1 };

static const struct opt gpio_opts[] = {
	OPT("device-list", 'l', "N1[:N2...]", "one GPIO chip per socket, in socket order:\n"
	    "N = host /dev/gpiochipN, sN = simulated chip of N lines", OPT_LIST, .required = true),
	OPT_END
};

static const struct opts_spec gpio_spec = {
	.prog = "vhost-device-gpio",
	.usage = "-s PATH [-c N] -l N1[:N2...]",
	.summary = "vhost-user backend for virtio-gpio devices with interrupts: one guest\n"
		   "per socket, each with its own host GPIO chip or simulated chip.",
	.tab = gpio_opts,
	.epilog =
		"Simulated chips (sN): lines named dummy0, dummy1, ...; an output reads back\n"
		"its value.  Lines are wired in pairs (0,1), (2,3), ...: an input reads its\n"
		"partner's value while the partner is an output (else 0), so toggling line\n"
		"2k as an output raises edge and level interrupts on line 2k+1 and back.\n"
		"With --control PATH, `vhost-device ctl PATH gpio set line=L value=0|1` drives\n"
		"a simulated input from outside (overriding its partner) until `gpio release`;\n"
		"also `gpio pulse`, `gpio get`: see vhost-device-ctl(1).\n"
		"\n"
		"Host chips (N): a line is requested from the kernel only while the guest\n"
		"uses it, with the consumer label \"" GPIO_CONSUMER "\".\n"
		"\n"
		"Examples:\n"
		"  vhost-device-gpio -s /tmp/gpio.sock -l s8\n"
		"  vhost-device-gpio -s /tmp/gpio.sock -c 4 -l 3:s4:6:s1\n",
};

struct gpio_args {
	const char *list;
	struct gpio_chip_spec *specs;    /* one per -l entry */
	struct gpio_ctl *ctl;            /* the control commands */
};

static int gpio_opt(void *ctx, int id, const char *arg)
{
	struct gpio_args *a = ctx;

	a->list = arg;
	return 0;
}

static int gpio_start(void *ctx, struct loop *l, unsigned count)
{
	struct gpio_args *a = ctx;
	const char *prog = gpio_spec.prog;
	unsigned entries = 1;
	char err[512];
	int n;

	for (const char *p = a->list; *p; p++)
		entries += *p == ':';
	a->specs = calloc(entries, sizeof(*a->specs));
	if (!a->specs) {
		log_err("out of memory");
		return -1;
	}
	n = gpio_parse_device_list(a->list, a->specs, entries, err, sizeof(err));
	if (n < 0)
		return opts_bad(prog, "--device-list", a->list, "%s", err);
	if ((unsigned)n != count)
		return opts_bad(prog, "--device-list", a->list, "%d entr%s for %u socket%s "
				"(-c %u): give one chip per socket", n, n == 1 ? "y" : "ies",
				count, count == 1 ? "" : "s", count);
	a->ctl = gpio_ctl_new(l, count);
	return a->ctl ? 0 : -1;
}

static int gpio_sock(void *ctx, const struct serve_sock *ss)
{
	struct gpio_args *a = ctx;
	const struct gpio_chip_spec *spec = &a->specs[ss->i];
	struct gpio_sock *s = ss->priv;
	struct gpio_chip *c;
	char err[512];
	int r;

	if (spec->sim) {
		c = gpio_sim_new((unsigned)spec->n);
		if (!c)
			snprintf(err, sizeof(err), "%s", strerror(errno));
	} else {
		char dev[64];

		snprintf(dev, sizeof(dev), "/dev/gpiochip%lu", spec->n);
		c = gpio_host_new(&gpio_gpiod_ops, dev, err, sizeof(err));
		if (!c && errno == ENOSYS)
			snprintf(err, sizeof(err), "%s: this build has no libgpiod "
				 "(simulated chips only)", dev);
	}
	if (!c) {
		fprintf(stderr, "%s: --device-list entry %s%lu: %s\n", gpio_spec.prog,
			spec->sim ? "s" : "", spec->n, err);
		return -1;
	}
	if (c->fds) {
		snprintf(err, sizeof(err), "host chip %s, %u line%s", c->label, c->ngpio,
			 c->ngpio == 1 ? "" : "s");
		if (serve_fds_need(gpio_spec.prog, c->fds, err) < 0) {
			c->ops->free(c);
			return -1;
		}
	}
	r = gpio_dev_init(&s->g, c, ss->l);
	if (r < 0) {
		c->ops->free(c);
		log_err("%s: %s", c->label, strerror(-r));
		return -1;
	}
	gpio_dev_trace(&s->g, ss->i);
	gpio_ctl_add(a->ctl, ss->i, &s->g);
	s->ev.q = GPIO_Q_EVENT;
	s->g.ev_complete = vu_ref_complete;
	s->g.ev_running = vu_ref_running;
	s->g.ev_ctx = &s->ev;
	log_info("%s: %s chip %s, %u line%s", ss->path, spec->sim ? "simulated" : "host",
		 c->label, c->ngpio, c->ngpio == 1 ? "" : "s");
	return 0;
}

static void gpio_sock_free(void *ctx, void *priv)
{
	struct gpio_sock *s = priv;

	gpio_dev_free(&s->g);
}

static void gpio_cleanup(void *ctx, struct loop *l)
{
	struct gpio_args *a = ctx;

	gpio_ctl_free(a->ctl);
	a->ctl = NULL;
}

static const struct serve_dev gpio_serve = {
	.spec = &gpio_spec,
	.ops = &gpio_ops,
	.numbered = true,
	.sock_size = sizeof(struct gpio_sock),
	.trace_format = TRACE_VCD,
	.log_default = LOG_INFO,	/* upstream: env_logger with "info" */
	.opt = gpio_opt,
	.start = gpio_start,
	.sock = gpio_sock,
	.sock_free = gpio_sock_free,
	.cleanup = gpio_cleanup,
};

int gpio_main(int argc, char **argv)
{
	struct gpio_args a = { 0 };
	int ret = serve_main(&gpio_serve, &a, argc, argv);

	free(a.specs);
	return ret;
}
