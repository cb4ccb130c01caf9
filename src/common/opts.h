/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* One option table per device: it produces both the getopt_long parsing
 * and the --help text, so the two cannot drift apart. */
#ifndef VD_OPTS_H
#define VD_OPTS_H

#include <stdio.h>

struct opt {
	const char *lng;     /* long name, without "--" */
	int shrt;            /* short letter, or 0 for long-only */
	const char *arg;     /* argument name shown in help, NULL if none */
	const char *help;    /* one line (may contain '\n' for continuation) */
	int id;              /* passed to the callback; must be > 0 */
};
#define OPT_END { 0 }

/* Options every device accepts; their ids are reserved (negative). */
enum { OPT_ID_HELP = -1, OPT_ID_VERSION = -2, OPT_ID_VERBOSE = -3 };

struct opts_spec {
	const char *prog;      /* e.g. "vhost-device-scmi" */
	const char *usage;     /* e.g. "-s PATH [-d DEVICE]..." */
	const char *summary;   /* one-paragraph description */
	const struct opt *tab; /* device options, terminated by OPT_END */
	const char *epilog;    /* printed after the option list, may be NULL */
};

/* Parse argv with the device's table plus the common options.
 * cb is called for each device option in order; a negative return stops
 * parsing as an error (cb has printed why), a positive one stops it as
 * done (e.g. --help-devices printed something; the caller exits 0).  --help/--version print and return 1 (the
 * caller exits 0); errors print a message naming the bad value and return
 * -1 (the caller exits 1).  0 means parsed, continue. */
int opts_parse(const struct opts_spec *spec, int argc, char **argv,
	       int (*cb)(void *ctx, int id, const char *arg), void *ctx);
void opts_help(const struct opts_spec *spec, FILE *f);

/* Strict number parsing: whole string, base 0 (0x hex accepted) or 10,
 * range-checked.  Return 0 or -EINVAL/-ERANGE. */
int opts_parse_uint(const char *s, int base, unsigned long max, unsigned long *out);

#endif
