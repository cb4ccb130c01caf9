/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* `vhost-device --install [-s] [DIR]`: one link per applet, as busybox
 * makes them.  Hard links by default, symbolic links with -s; DIR
 * defaults to the directory holding the running binary.  A symbolic link
 * in that same directory points at the binary's bare name (the tree can
 * move); elsewhere at its absolute path.  An existing entry that already
 * is this binary is left as it is; anything else there is an error naming
 * it, never replaced. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/install.h"
#include "common/opts.h"

static void install_usage(FILE *f)
{
	fprintf(f, "Usage: vhost-device --install [-s] [DIR]\n"
		"Create a link vhost-device-DEVICE in DIR for every device and for ctl\n"
		"(hard links; -s: symbolic links).  DIR defaults to the binary's own\n"
		"directory.\n");
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int install_links(int argc, char **argv, const char *const *names, size_t n)
{
	char self[PATH_MAX], dir[PATH_MAX], path[PATH_MAX + 64];
	const char *target, *want_dir = NULL, *base;
	bool symbolic = false;
	struct stat st_self, st;
	int failed = 0;
	ssize_t len;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-s")) {
			symbolic = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			install_usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || want_dir) {
			fprintf(stderr, "vhost-device --install: unexpected argument '%s'\n", argv[i]);
			install_usage(stderr);
			return OPTS_USAGE_EXIT;
		} else {
			want_dir = argv[i];
		}
	}

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0 || stat(self, &st_self)) {
		fprintf(stderr, "vhost-device --install: cannot find the running binary "
			"(/proc/self/exe): %s\n", strerror(errno));
		return 1;
	}
	self[len] = '\0';
	base = strrchr(self, '/') + 1;

	if (!want_dir) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(base - self - 1), self);
		if (!*dir)
			strcpy(dir, "/");
	} else if (!realpath(want_dir, dir)) {
		fprintf(stderr, "vhost-device --install: directory '%s': %s\n", want_dir,
			strerror(errno));
		return 1;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "vhost-device --install: '%s' is not a directory\n", dir);
		return 1;
	}

	/* a symlink next to the binary names it relatively */
	target = self;
	if (symbolic && (size_t)(base - self - 1) == strlen(dir) &&
	    !strncmp(self, dir, strlen(dir)))
		target = base;

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s%svhost-device-%s", dir,
			 strcmp(dir, "/") ? "/" : "", names[i]);
		if (!stat(path, &st) && same_file(&st, &st_self))
			continue;	/* already one of ours */
		if (!lstat(path, &st)) {
			fprintf(stderr, "vhost-device --install: %s exists and is not this "
				"binary; not replaced\n", path);
			failed = 1;
			continue;
		}
		if (symbolic ? symlink(target, path) : link(self, path)) {
			fprintf(stderr, "vhost-device --install: %s: %s%s\n", path,
				strerror(errno),
				errno == EXDEV ? " (another file system: use -s)" : "");
			failed = 1;
		}
	}
	return failed;
}
