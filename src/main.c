/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Multi-call entry point: `vhost-device DEVICE [options]` or a link named
 * `vhost-device-DEVICE` dispatches to the device module. */
#include <stdio.h>
#include <string.h>
#include <libgen.h>

#include "common/ctl.h"
#include "common/install.h"
#include "common/log.h"
#include "common/opts.h"
#include "common/sandbox.h"
#include "common/trace_opt.h"
#include "vhost/serve.h"
#include "version.h"

#define DEVICE(n, s) int n##_main(int argc, char **argv);
#include "devices.def"
#undef DEVICE

struct device_entry {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

static const struct device_entry devices[] = {
#define DEVICE(n, s) { #n, s, n##_main },
#include "devices.def"
#undef DEVICE
};

#define PREFIX "vhost-device-"

/* "  NAME     summary", the summary wrapped at spaces within 80 columns */
static void summary_line(FILE *f, const char *name, const char *summary)
{
	size_t col = 11;

	fprintf(f, "  %-8s", name);
	for (const char *p = summary; *p;) {
		size_t w = strcspn(p, " ");

		if (col > 11 && col + 1 + w > 80) {
			fprintf(f, "\n%11s", "");
			col = 11;
		} else {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += w;
		p += w;
		p += *p == ' ';
	}
	fputc('\n', f);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vhost-device DEVICE [OPTIONS]\n"
		"       vhost-device-DEVICE [OPTIONS]\n"
		"\n"
		"vhost-user backend daemons for virtio devices, backed by host\n"
		"hardware or by built-in simulated peripherals.\n"
		"\n"
		"Devices:\n");
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		summary_line(f, devices[i].name, devices[i].summary);
	fprintf(f, "\nTools:\n");
	summary_line(f, "ctl", "Control socket client: commands to a running daemon "
		     "(--control), its events");
	fprintf(f,
		"\n"
		"Run `vhost-device DEVICE --help` for a device's options.\n"
		"\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the version and exit\n"
		"  --list         print the device names, one per line\n"
		"  --install [-s] [DIR]\n"
		"                 link vhost-device-DEVICE to this binary for every device,\n"
		"                 in DIR (default: the binary's own directory);\n"
		"                 hard links, or symbolic links with -s\n");
}

static const struct device_entry *find(const char *name)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (!strcmp(devices[i].name, name))
			return &devices[i];
	return NULL;
}

/* The tools' shared start-up parts, in the order they run between the
 * core's socket options and readiness: the trace file before the device
 * starts, the control socket once the sockets listen, the sandbox's
 * lock-down last. */
static void register_parts(void)
{
	serve_register_part(&trace_serve_part);
	serve_register_part(&ctl_serve_part);
	serve_register_part(&sandbox_serve_part);
}

int main(int argc, char **argv)
{
	const char *arg0 = argc > 0 && argv[0] ? argv[0] : "vhost-device";
	const char *base = strrchr(arg0, '/');
	char prog[256];

	base = base ? base + 1 : arg0;
	register_parts();
	if (!strcmp(base, PREFIX "ctl"))
		return ctl_main(argc, argv);
	if (!strncmp(base, PREFIX, strlen(PREFIX))) {
		const struct device_entry *d = find(base + strlen(PREFIX));

		if (!d) {
			fprintf(stderr, "vhost-device: unknown device '%s' (from program name '%s'); "
				"run 'vhost-device --help' for the list\n",
				base + strlen(PREFIX), base);
			return 127;
		}
		log_init(base);
		return d->main(argc, argv);
	}

	if (argc < 2) {
		usage(stderr);
		return OPTS_USAGE_EXIT;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("vhost-device %s\nsandbox: %s\n", VD_VERSION, sandbox_features());
		return 0;
	}
	if (!strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
			puts(devices[i].name);
		return 0;
	}
	if (!strcmp(argv[1], "--install")) {
		const char *names[sizeof(devices) / sizeof(devices[0]) + 1];

		for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
			names[i] = devices[i].name;
		names[sizeof(devices) / sizeof(devices[0])] = "ctl";
		return install_links(argc - 1, argv + 1, names, sizeof(names) / sizeof(names[0]));
	}
	if (!strcmp(argv[1], "ctl"))
		return ctl_main(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		/* an option of vhost-device itself, not a device name */
		fprintf(stderr, "vhost-device: unknown option '%s'\n"
			"Try 'vhost-device --help' for more information.\n", argv[1]);
		return OPTS_USAGE_EXIT;
	}
	const struct device_entry *d = find(argv[1]);
	if (!d) {
		fprintf(stderr, "vhost-device: unknown device '%s'; run 'vhost-device --help' for the list\n",
			argv[1]);
		return 127;
	}
	snprintf(prog, sizeof(prog), PREFIX "%s", d->name);
	argv[1] = prog;
	log_init(prog);
	return d->main(argc - 1, argv + 1);
}
