/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/opts.h"
#include "version.h"

#define OPTS_MAX 32

static const struct opt common_opts[] = {
	{ "verbose", 'v', NULL, "debug output on stderr (RUST_LOG=debug does the same)", OPT_ID_VERBOSE },
	{ "help", 'h', NULL, "show this help and exit", OPT_ID_HELP },
	{ "version", 'V', NULL, "show the version and exit", OPT_ID_VERSION },
	OPT_END
};

static void help_line(FILE *f, const struct opt *o)
{
	char left[64];
	int n;

	if (o->shrt)
		n = snprintf(left, sizeof(left), "  -%c, --%s%s%s", o->shrt, o->lng,
			     o->arg ? "=" : "", o->arg ? o->arg : "");
	else
		n = snprintf(left, sizeof(left), "      --%s%s%s", o->lng,
			     o->arg ? "=" : "", o->arg ? o->arg : "");
	fputs(left, f);
	if (n >= 28) {
		fputc('\n', f);
		n = 0;
	}
	fprintf(f, "%*s", 28 - n, "");
	for (const char *p = o->help; *p; p++) {
		fputc(*p, f);
		if (*p == '\n')
			fprintf(f, "%28s", "");
	}
	fputc('\n', f);
}

void opts_help(const struct opts_spec *spec, FILE *f)
{
	fprintf(f, "Usage: %s %s\n\n", spec->prog, spec->usage);
	if (spec->summary)
		fprintf(f, "%s\n\n", spec->summary);
	fputs("Options:\n", f);
	for (const struct opt *o = spec->tab; o->lng; o++)
		help_line(f, o);
	for (const struct opt *o = common_opts; o->lng; o++)
		help_line(f, o);
	if (spec->epilog)
		fprintf(f, "\n%s", spec->epilog);
}

static const struct opt *find_by_val(const struct opts_spec *spec, int val)
{
	for (const struct opt *o = spec->tab; o->lng; o++)
		if ((o->shrt ? o->shrt : 256 + o->id) == val)
			return o;
	for (const struct opt *o = common_opts; o->lng; o++)
		if (o->shrt == val)
			return o;
	return NULL;
}

static int add_opt(struct option *lo, char *sh, size_t *nl, size_t *ns,
		   const struct opt *o)
{
	if (*nl >= OPTS_MAX)
		return -1;
	lo[*nl] = (struct option){ o->lng, o->arg ? required_argument : no_argument,
				   NULL, o->shrt ? o->shrt : 256 + o->id };
	(*nl)++;
	if (o->shrt) {
		sh[(*ns)++] = (char)o->shrt;
		if (o->arg)
			sh[(*ns)++] = ':';
	}
	return 0;
}

int opts_parse(const struct opts_spec *spec, int argc, char **argv,
	       int (*cb)(void *ctx, int id, const char *arg), void *ctx)
{
	struct option lo[OPTS_MAX + 1];
	char sh[3 * OPTS_MAX + 2] = ":";
	size_t nl = 0, ns = 1;

	for (const struct opt *o = spec->tab; o->lng; o++)
		if (add_opt(lo, sh, &nl, &ns, o))
			return -1;
	for (const struct opt *o = common_opts; o->lng; o++)
		if (add_opt(lo, sh, &nl, &ns, o))
			return -1;
	memset(&lo[nl], 0, sizeof(lo[nl]));
	sh[ns] = '\0';

	optind = 0;   /* full re-initialisation (glibc) */
	opterr = 0;
	for (;;) {
		int prev = optind ? optind : 1;
		int c = getopt_long(argc, argv, sh, lo, NULL);
		const struct opt *o;

		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			const char *what = prev < argc ? argv[prev] : "?";

			if (optopt && optopt < 256)
				fprintf(stderr, "%s: %s option '-%c'\n", spec->prog,
					c == ':' ? "missing argument for" : "unknown", optopt);
			else
				fprintf(stderr, "%s: %s option '%s'\n", spec->prog,
					c == ':' ? "missing argument for" : "unknown", what);
			fprintf(stderr, "Try '%s --help' for more information.\n", spec->prog);
			return -1;
		}
		o = find_by_val(spec, c);
		if (!o)
			return -1;
		switch (o->id) {
		case OPT_ID_HELP:
			opts_help(spec, stdout);
			return 1;
		case OPT_ID_VERSION:
			printf("%s %s\n", spec->prog, VD_VERSION);
			return 1;
		case OPT_ID_VERBOSE:
			log_set_level(LOG_DEBUG);
			break;
		default: {
			int r = cb(ctx, o->id, optarg);
			if (r < 0)
				return -1;
			if (r > 0)
				return 1;
		}
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", spec->prog, argv[optind]);
		fprintf(stderr, "Try '%s --help' for more information.\n", spec->prog);
		return -1;
	}
	return 0;
}

int opts_parse_uint(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}
