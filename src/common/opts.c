/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/opts.h"
#include "common/sandbox.h"
#include "version.h"

#define OPTS_MAX 32

static const struct opt common_opts[] = {
	OPT("verbose", 'v', NULL, "debug output on stderr (same as RUST_LOG=debug)", OPT_ID_VERBOSE),
	OPT("help", 'h', NULL, "show this help and exit", OPT_ID_HELP),
	OPT("version", 'V', NULL, "show the version and exit", OPT_ID_VERSION),
	OPT_END
};

#define OPTS_MAX_GROUPS 8
#define HELP_COLS 80

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
	/* the text from column 28, its lines wrapped at spaces to stay
	 * within HELP_COLS (tests/scripts/cli.sh checks every --help) */
	size_t col = 0;

	for (const char *p = o->help; *p;) {
		size_t w = strcspn(p, " \n");

		if (col && 28 + col + 1 + w > HELP_COLS) {
			fprintf(f, "\n%28s", "");
			col = 0;
		} else if (col) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += w;
		p += w;
		if (*p == '\n') {
			fprintf(f, "\n%28s", "");
			col = 0;
		}
		if (*p)
			p++;
	}
	/* range and default in one fixed form (tests/scripts/cli.sh reads
	 * it), on a line of its own if it does not fit */
	if (o->range || o->dflt) {
		char rd[128];

		if (o->range && o->dflt)
			snprintf(rd, sizeof(rd), "(%s, default %s)", o->range, o->dflt);
		else if (o->range)
			snprintf(rd, sizeof(rd), "(%s)", o->range);
		else
			snprintf(rd, sizeof(rd), "(default %s)", o->dflt);
		if (28 + col + 1 + strlen(rd) > HELP_COLS)
			fprintf(f, "\n%28s%s", "", rd);
		else
			fprintf(f, " %s", rd);
	}
	fputc('\n', f);
}

void opts_help_groups(const struct opts_spec *spec, const struct opts_group *g,
		      unsigned ng, FILE *f)
{
	fprintf(f, "Usage: %s %s\n\n", spec->prog, spec->usage);
	if (spec->summary)
		fprintf(f, "%s\n\n", spec->summary);
	fputs("Options:\n", f);
	for (unsigned i = 0; i < ng; i++)
		for (const struct opt *o = g[i].tab; o && o->lng; o++)
			help_line(f, o);
	for (const struct opt *o = common_opts; o->lng; o++)
		help_line(f, o);
	if (spec->help_more) {
		fputc('\n', f);
		spec->help_more(f);
	}
	if (spec->epilog)
		fprintf(f, "\n%s", spec->epilog);
}

void opts_help(const struct opts_spec *spec, FILE *f)
{
	struct opts_group g = { spec->tab, NULL, NULL };

	opts_help_groups(spec, &g, 1, f);
}

/* getopt's value for an option: its letter, or a number above every
 * letter that says which group and id it is. */
static int opt_val(unsigned gi, const struct opt *o)
{
	return o->shrt ? o->shrt : 256 + (int)gi * (OPTS_MAX_ID + 1) + o->id;
}

static const struct opt *find_by_val(const struct opts_group *g, unsigned ng,
				     int val, unsigned *gi)
{
	for (unsigned i = 0; i < ng; i++)
		for (const struct opt *o = g[i].tab; o && o->lng; o++)
			if (opt_val(i, o) == val) {
				*gi = i;
				return o;
			}
	for (const struct opt *o = common_opts; o->lng; o++)
		if (o->shrt == val) {
			*gi = ng;
			return o;
		}
	return NULL;
}

static int add_opt(struct option *lo, char *sh, size_t *nl, size_t *ns,
		   unsigned gi, const struct opt *o)
{
	if (*nl >= OPTS_MAX || (!o->shrt && (o->id <= 0 || o->id > OPTS_MAX_ID)))
		return -1;
	lo[*nl] = (struct option){ o->lng, o->arg ? required_argument : no_argument,
				   NULL, opt_val(gi, o) };
	(*nl)++;
	if (o->shrt) {
		sh[(*ns)++] = (char)o->shrt;
		if (o->arg)
			sh[(*ns)++] = ':';
	}
	return 0;
}

int opts_parse_groups(const struct opts_spec *spec, const struct opts_group *g,
		      unsigned ng, int argc, char **argv)
{
	struct option lo[OPTS_MAX + 1];
	const struct opt *given[OPTS_MAX];   /* the required ones given */
	unsigned ngiven = 0;
	/* '+': stop at the first word that is no option (there are no
	 * positional arguments; it is an error either way), so the values of
	 * a multi option are the words right after it; ':': report a
	 * missing argument as such */
	char sh[3 * OPTS_MAX + 3] = "+:";
	size_t nl = 0, ns = 2;

	if (ng > OPTS_MAX_GROUPS)
		return -1;
	for (unsigned i = 0; i < ng; i++)
		for (const struct opt *o = g[i].tab; o && o->lng; o++)
			if (add_opt(lo, sh, &nl, &ns, i, o))
				return -1;
	for (const struct opt *o = common_opts; o->lng; o++)
		if (add_opt(lo, sh, &nl, &ns, ng, o))
			return -1;
	memset(&lo[nl], 0, sizeof(lo[nl]));
	sh[ns] = '\0';

	optind = 0;   /* full re-initialisation (glibc) */
	opterr = 0;
	for (;;) {
		int prev = optind ? optind : 1;
		int c = getopt_long(argc, argv, sh, lo, NULL);
		const struct opt *o;
		unsigned gi = 0;

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
			return OPTS_USAGE;
		}
		o = find_by_val(g, ng, c, &gi);
		if (!o)
			return -1;
		if (gi == ng) {
			switch (o->id) {
			case OPT_ID_HELP:
				opts_help_groups(spec, g, ng, stdout);
				return 1;
			case OPT_ID_VERSION:
				printf("%s %s\nsandbox: %s\n", spec->prog, VD_VERSION,
				       sandbox_features());
				return 1;
			case OPT_ID_VERBOSE:
				log_set_level(LOG_DEBUG);
				break;
			}
			continue;
		}
		const char *val = optarg;

		if (o->required && ngiven < OPTS_MAX)
			given[ngiven++] = o;
		if (o->values_help && (!o->arg || !strcmp(optarg, "help"))) {
			o->values_help(stdout);
			return 1;
		}

		for (;;) {
			int r = g[gi].cb(g[gi].ctx, o->id, val);

			if (r < 0)
				return r == OPTS_USAGE ? OPTS_USAGE : -1;
			if (r > 0)
				return 1;
			/* more values of a multi option: the next words up to
			 * the next option */
			if (!o->multi || optind >= argc ||
			    (argv[optind][0] == '-' && argv[optind][1]))
				break;
			val = argv[optind++];
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", spec->prog, argv[optind]);
		fprintf(stderr, "Try '%s --help' for more information.\n", spec->prog);
		return OPTS_USAGE;
	}
	for (unsigned i = 0; i < ng; i++)
		for (const struct opt *o = g[i].tab; o && o->lng; o++) {
			unsigned k = 0;

			while (k < ngiven && given[k] != o)
				k++;
			if (o->required && k == ngiven)
				return o->shrt ? opts_usage(spec->prog, "missing --%s (-%c %s)",
							    o->lng, o->shrt, o->arg ? o->arg : "")
					       : opts_usage(spec->prog, "missing --%s", o->lng);
		}
	return 0;
}

int opts_parse(const struct opts_spec *spec, int argc, char **argv,
	       int (*cb)(void *ctx, int id, const char *arg), void *ctx)
{
	struct opts_group g = { spec->tab, cb, ctx };

	return opts_parse_groups(spec, &g, 1, argc, argv);
}

int opts_parse_uint(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s && *s == '+')
		s++;
	/* strtoul would also take leading spaces and a sign */
	if (!s || !isalnum((unsigned char)*s))
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

int opts_list_next(const char **p, char sep, unsigned i, char *ent, size_t len,
		   char *why, size_t whylen)
{
	const char *s = *p, *end;
	size_t n;

	if (!s)
		return 0;
	end = strchr(s, sep);
	n = end ? (size_t)(end - s) : strlen(s);
	if (!n) {
		snprintf(why, whylen, "empty entry %u", i + 1);
		return -1;
	}
	if (n >= len) {
		snprintf(why, whylen, "entry '%.*s...' is too long", 16, s);
		return -1;
	}
	memcpy(ent, s, n);
	ent[n] = '\0';
	*p = end ? end + 1 : NULL;
	return 1;
}

int opts_usage(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	return OPTS_USAGE;
}

int opts_bad(const char *prog, const char *opt, const char *arg, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s '%s': ", prog, opt, arg);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static const struct opt *find_by_id(const struct opts_spec *spec, int id)
{
	const struct opt *o = spec->tab;

	while (o->lng && o->id != id)
		o++;
	return o;
}

int opts_uint(const struct opts_spec *spec, int id, const char *arg, unsigned long *out)
{
	const struct opt *o = find_by_id(spec, id);
	unsigned long min, max, v;
	char *end;
	int r;

	if (!o->lng || !o->range)
		return opts_bad(spec->prog, "option", arg, "has no range (id %d)", id);
	errno = 0;
	min = strtoul(o->range, &end, 10);
	if (strncmp(end, "..", 2))
		return opts_bad(spec->prog, o->lng, arg, "bad range '%s'", o->range);
	max = strtoul(end + 2, &end, 10);
	/* a range up to 2^64 - 1 (upstream's usize on 64 bits) ends at
	 * ULONG_MAX where unsigned long is 32 bits, as usize does there */
	if (errno == ERANGE && max == ULONG_MAX)
		errno = 0;
	if (*end || errno)
		return opts_bad(spec->prog, o->lng, arg, "bad range '%s'", o->range);
	r = opts_parse_uint(arg, 10, ULONG_MAX, &v);
	if (r || v < min || v > max) {
		fprintf(stderr, "%s: --%s '%s': expected %s\n", spec->prog, o->lng, arg, o->range);
		/* not a number at all, or past an unsigned long when the
		 * range goes that far (upstream's usize): clap's exit 2; out
		 * of the range: the check upstream makes after parsing, 1 */
		return r == -EINVAL || (r == -ERANGE && max == ULONG_MAX) ? OPTS_USAGE : -1;
	}
	*out = v;
	return 0;
}

int opts_uint_default(const struct opts_spec *spec, int id, unsigned long *out)
{
	const struct opt *o = find_by_id(spec, id);

	if (!o->lng || !o->dflt)
		return opts_bad(spec->prog, "option", o->lng ? o->lng : "?",
				"has no default (id %d)", id);
	return opts_uint(spec, id, o->dflt, out) ? -1 : 0;
}
