/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* bench-null: the floor `make bench` measures the devices against.  A
 * vhost-user backend built from the project's core (serve_main, the same
 * loop, ring code and sandbox) whose one queue completes every request at
 * once with nothing written.  Only a benchmark tool: it is not part of
 * the vhost-device binary.
 * Usage: bench-null -s PATH [-v] [shared options] */
#include "common/log.h"
#include "common/sandbox.h"
#include "vhost/proto.h"
#include "vhost/serve.h"

static int null_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	return 0;
}

static const struct dev_ops null_ops = {
	.name = "null",
	.virtio_id = 0,
	.num_queues = 1,
	.queue_size = 1024,
	.handle = null_handle,
};

static const struct opt null_opts[] = { OPT_END };

static const struct opts_spec null_spec = {
	.prog = "bench-null",
	.usage = "-s PATH",
	.summary = "do-nothing vhost-user backend: the floor of `make bench`.",
	.tab = null_opts,
};

static const struct serve_dev null_serve = {
	.spec = &null_spec,
	.ops = &null_ops,
};

int main(int argc, char **argv)
{
	log_init("bench-null");
	serve_register_part(&sandbox_serve_part);	/* confined as the devices are */
	return serve_main(&null_serve, NULL, argc, argv);
}
