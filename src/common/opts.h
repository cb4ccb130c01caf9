/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* One option table per device: it produces both the getopt_long parsing
 * and the --help text, so the two cannot drift apart. */
#ifndef VD_OPTS_H
#define VD_OPTS_H

#include <stdbool.h>
#include <stdio.h>

struct opt {
	const char *lng;     /* long name, without "--" */
	int shrt;            /* short letter, or 0 for long-only */
	const char *arg;     /* argument name shown in help, NULL if none */
	const char *help;    /* one line (may contain '\n' for continuation) */
	int id;              /* passed to the callback; 1..OPTS_MAX_ID */
	const char *range;   /* accepted values, e.g. "1..64" (help, man check) */
	const char *dflt;    /* value when not given, e.g. "1" */
	/* The value "help" (an option without a value: the option itself)
	 * prints the accepted values with this on stdout and stops parsing
	 * with success, as "-d help" and --help-devices do.  May be NULL. */
	void (*values_help)(FILE *f);
	/* Takes one or more values per occurrence, as clap's num_args(1..):
	 * the words after the option's value that do not start with '-'
	 * are more values of it (scmi -d fake iio,path=...). */
	bool multi;
	/* Must be given: missing, it is a usage error naming it (clap's
	 * required), reported once parsing is done. */
	bool required;
};
#define OPTS_MAX_ID 4095
#define OPT_END { 0 }
/* An entry: OPT(lng, shrt, arg, help, id) or, with a range and a default,
 * OPT(lng, shrt, arg, help, id, .range = "1..64", .dflt = "1"). */
#define OPT(l, s, a, h, i, ...) \
	{ .lng = (l), .shrt = (s), .arg = (a), .help = (h), .id = (i), __VA_ARGS__ }

/* The command line is wrong in form: an unknown option, a missing or
 * malformed value, a missing required option.  Callbacks return it for
 * such errors (after printing why), parsing returns it, and the program
 * exits 2, as upstream's clap parser does.  Any other error is -1 (exit 1),
 * like upstream's checks after parsing. */
#define OPTS_USAGE (-2)
/* The exit status for it */
#define OPTS_USAGE_EXIT 2

/* Options every device accepts; their ids are reserved (negative). */
enum { OPT_ID_HELP = -1, OPT_ID_VERSION = -2, OPT_ID_VERBOSE = -3 };

struct opts_spec {
	const char *prog;      /* e.g. "vhost-device-scmi" */
	const char *usage;     /* e.g. "-s PATH [-d DEVICE]..." */
	const char *summary;   /* one-paragraph description */
	const struct opt *tab; /* device options, terminated by OPT_END */
	/* printed after the option list, each after a blank line; may be NULL:
	 * help_more prints what is made at run time (a list of models) */
	void (*help_more)(FILE *f);
	const char *epilog;
};

/* A group of options with its own callback and id space.  A device's
 * table is one group; shared start-up code (src/vhost/serve.c) adds its
 * own groups, so no device retypes a shared option. */
struct opts_group {
	const struct opt *tab;   /* terminated by OPT_END; NULL = empty */
	int (*cb)(void *ctx, int id, const char *arg);
	void *ctx;
};

/* Parse argv with the groups, in order, then the common options (-v, -h,
 * -V).  Each option goes to its group's callback; return values as for
 * opts_parse below (a required entry not given: OPTS_USAGE after
 * "PROG: missing --LONG (-S ARG)").  --help lists the groups in order. */
int opts_parse_groups(const struct opts_spec *spec, const struct opts_group *g,
		      unsigned ng, int argc, char **argv);
void opts_help_groups(const struct opts_spec *spec, const struct opts_group *g,
		      unsigned ng, FILE *f);

/* Parse argv with the device's table (spec->tab) plus the common options.
 * cb is called for each device option in order; a negative return stops
 * parsing as an error (cb has printed why; OPTS_USAGE or -1 is passed
 * on), a positive one stops it as done (e.g. --help-devices printed
 * something; the caller exits 0).  --help/--version print and return 1
 * (the caller exits 0); an unknown option, a missing value or a word that
 * is no option print a message naming it and return OPTS_USAGE.  0 means
 * parsed, continue. */
int opts_parse(const struct opts_spec *spec, int argc, char **argv,
	       int (*cb)(void *ctx, int id, const char *arg), void *ctx);
void opts_help(const struct opts_spec *spec, FILE *f);

/* Strict number parsing: whole string, base 0 (0x hex accepted), 10 or
 * 16, range-checked; one leading '+' is taken, as Rust's integer parsing
 * (upstream's str::parse) takes it.  Return 0 or -EINVAL/-ERANGE. */
int opts_parse_uint(const char *s, int base, unsigned long max, unsigned long *out);

/* A number option of spec->tab (entry id), checked against the entry's
 * range "MIN..MAX", the one --help and the man page show: 0 with *out
 * set, or after printing "PROG: --OPT 'ARG': expected MIN..MAX",
 * OPTS_USAGE when ARG is no number at all, -1 when it is out of range. */
int opts_uint(const struct opts_spec *spec, int id, const char *arg, unsigned long *out);

/* The default of a number option of spec->tab (entry id): its .dflt, the
 * value --help and the man page show, parsed as opts_uint() parses a
 * given one, so the code cannot use another.  0 with *out set, or -1
 * after printing why (no default, not in its own range). */
int opts_uint_default(const struct opts_spec *spec, int id, unsigned long *out);

/* The entries of a list option's value "A<sep>B<sep>C", one per call:
 * *p starts at the value; i is the number of entries taken so far.  The
 * next entry is copied into ent (len bytes) and *p moved past it: 1; 0
 * after the last one; -1 with why set ("empty entry N", "entry '...' is
 * too long") for an empty entry or one that does not fit in ent. */
int opts_list_next(const char **p, char sep, unsigned i, char *ent, size_t len,
		   char *why, size_t whylen);

/* The one form of a command line that is wrong as a whole (a missing
 * option): prints "PROG: why" and the pointer to --help on stderr and
 * returns OPTS_USAGE (exit 2, as clap's missing required argument). */
int opts_usage(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The one form of a bad option value: prints "PROG: OPT 'ARG': why" (why
 * from fmt) on stderr and returns -1, for an option callback to return. */
int opts_bad(const char *prog, const char *opt, const char *arg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
