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
#include "common/opts.h"
#include "devices/gpio.h"
#include "vhost/dev.h"
#include "vhost/sockets.h"
#include "vhost/loop.h"
#include "vhost/proto.h"

#define GPIO_QUEUE_SIZE  VQ_MAX_SIZE
#define GPIO_MAX_SOCKETS 256
#define GPIO_MAX_CHIPNUM 65535

struct gpio_sock {
	struct gpio_dev g;
	struct vu_dev *d;
};

static void gpio_ev_complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	struct gpio_sock *s = ctx;

	vu_complete(s->d, GPIO_Q_EVENT, e, len);
}

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
	.features = BIT64(VIRTIO_GPIO_F_IRQ),
	.protocol_features = BIT64(VHOST_USER_PROTOCOL_F_CONFIG),
	.config_size = GPIO_CONFIG_SIZE,
	.get_config = gpio_op_get_config,
	.set_features = gpio_op_set_features,
	.handle = gpio_op_handle,
	.queue_stop = gpio_op_queue_stop,
	.reset = gpio_op_reset,
};

/* ---- command line ---- */

int gpio_parse_device_list(const char *s, struct gpio_chip_spec *specs,
			   unsigned max, char *err, size_t errlen)
{
	unsigned n = 0;
	const char *p = s;

	for (;;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char ent[32];
		unsigned long v;
		bool sim;

		if (len == 0) {
			snprintf(err, errlen, "empty entry %u", n + 1);
			return -1;
		}
		if (len >= sizeof(ent)) {
			snprintf(err, errlen, "entry '%.*s...' is too long", 16, p);
			return -1;
		}
		memcpy(ent, p, len);
		ent[len] = '\0';
		sim = ent[0] == 's';
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
		if (!end)
			break;
		p = end + 1;
	}
	return (int)n;
}

enum { OPT_LIST = 1 };

static const struct opt gpio_opts[] = {
	VU_OPT_SOCKET_PATH_ENTRY("vhost-user Unix socket path (required); the socket\n"
				 "index is appended: PATH0, PATH1, ..."),
	VU_OPT_SOCKET_COUNT_ENTRY("number of sockets (guests), default 1"),
	VU_OPT_MEM_SLOTS_ENTRY,
	{ "device-list", 'l', "N1[:N2...]", "one GPIO chip per socket, in socket order:\n"
	  "N = host /dev/gpiochipN, sN = simulated chip of N lines", OPT_LIST },
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
		"\n"
		"Host chips (N): a line is requested from the kernel only while the guest\n"
		"uses it, with the consumer label \"" GPIO_CONSUMER "\".\n"
		"\n"
		"Examples:\n"
		"  vhost-device-gpio -s /tmp/gpio.sock -l s8\n"
		"  vhost-device-gpio -s /tmp/gpio.sock -c 4 -l 3:s4:6:s1\n",
};

struct gpio_args {
	const char *prog;
	struct vu_sockets sk;
	const char *list;
};

static int gpio_opt(void *ctx, int id, const char *arg)
{
	struct gpio_args *a = ctx;

	int r = vu_sockets_opt(&a->sk, a->prog, id, arg);

	if (r <= 0)
		return r;
	switch (id) {
	case OPT_LIST:
		a->list = arg;
		return 0;
	}
	return -1;
}

int gpio_main(int argc, char **argv)
{
	struct gpio_args a = { "vhost-device-gpio", VU_SOCKETS_NUMBERED(GPIO_MAX_SOCKETS), NULL };
	struct gpio_chip_spec specs[GPIO_MAX_SOCKETS];
	struct gpio_sock *socks = NULL;
	struct loop *l = NULL;
	unsigned nsocks = 0;
	char err[512];
	int r, n, ret = 1;

	r = opts_parse(&gpio_spec, argc, argv, gpio_opt, &a);
	if (r)
		return r > 0 ? 0 : 1;
	if (vu_sockets_check(&a.sk, a.prog))
		return 1;
	if (!a.list) {
		fprintf(stderr, "%s: missing --device-list (-l N1[:N2...])\n"
			"Try '%s --help' for more information.\n", a.prog, a.prog);
		return 1;
	}
	n = gpio_parse_device_list(a.list, specs, GPIO_MAX_SOCKETS, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "%s: --device-list '%s': %s\n", a.prog, a.list, err);
		return 1;
	}
	if ((unsigned long)n != a.sk.count) {
		fprintf(stderr, "%s: --device-list '%s' has %d entr%s for %lu socket%s (-c %lu): "
			"give one chip per socket\n", a.prog, a.list, n, n == 1 ? "y" : "ies",
			a.sk.count, a.sk.count == 1 ? "" : "s", a.sk.count);
		return 1;
	}

	socks = calloc(a.sk.count, sizeof(*socks));
	l = loop_new();
	if (!socks || !l) {
		log_err("cannot create the event loop: %s", strerror(errno ? errno : ENOMEM));
		goto out;
	}
	for (unsigned i = 0; i < a.sk.count; i++) {
		struct gpio_chip *c;
		char path[4096];

		if (specs[i].sim) {
			c = gpio_sim_new((unsigned)specs[i].n);
			if (!c)
				snprintf(err, sizeof(err), "%s", strerror(errno));
		} else {
			char dev[64];

			snprintf(dev, sizeof(dev), "/dev/gpiochip%lu", specs[i].n);
			c = gpio_host_new(&gpio_gpiod_ops, dev, err, sizeof(err));
			if (!c && errno == ENOSYS)
				snprintf(err, sizeof(err), "%s: this build has no libgpiod "
					 "(simulated chips only)", dev);
		}
		if (!c) {
			fprintf(stderr, "%s: --device-list entry %s%lu: %s\n", a.prog,
				specs[i].sim ? "s" : "", specs[i].n, err);
			goto out;
		}
		r = gpio_dev_init(&socks[i].g, c, l);
		if (r < 0) {
			c->ops->free(c);
			log_err("%s: %s", c->label, strerror(-r));
			goto out;
		}
		nsocks = i + 1;
		socks[i].g.ev_complete = gpio_ev_complete;
		socks[i].g.ev_ctx = &socks[i];
		if (vu_sockets_path(&a.sk, i, path, sizeof(path))) {
			log_err("socket path too long");
			goto out;
		}
		log_info("%s: %s chip %s, %u lines", path, specs[i].sim ? "simulated" : "host",
			 c->label, c->ngpio);
		socks[i].d = vu_dev_new(l, path, &gpio_ops, &socks[i]);
		if (!socks[i].d)
			goto out;
	}
	ret = vu_run(l);
out:
	for (unsigned i = 0; i < nsocks; i++) {
		vu_dev_free(socks[i].d);
		gpio_dev_free(&socks[i].g);
	}
	if (l)
		loop_free(l);
	free(socks);
	return ret;
}
