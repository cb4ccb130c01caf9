/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Replays fuzz inputs without libFuzzer: calls LLVMFuzzerTestOneInput on
 * every regular file named on the command line or found (not
 * recursively) in a directory named there.  A failing check in the target
 * aborts, so the exit status tells whether every input passed.
 * Usage: replay_TARGET FILE|DIR... */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, unsigned *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fprintf(stderr, "replay: %s: cannot size\n", path);
		fclose(f);
		return -1;
	}
	/* exactly n bytes (at least 1 for malloc), so sanitizers see over-reads */
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || (n && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		fprintf(stderr, "replay: %s: read failed\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	(*count)++;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			bad = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *de;

			if (!d) {
				fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
				bad = 1;
				continue;
			}
			while ((de = readdir(d))) {
				char p[4096];
				struct stat fs;

				if (de->d_name[0] == '.')
					continue;
				snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
				if (stat(p, &fs) == 0 && S_ISREG(fs.st_mode) &&
				    run_file(p, &count) < 0)
					bad = 1;
			}
			closedir(d);
		} else if (run_file(argv[i], &count) < 0) {
			bad = 1;
		}
	}
	printf("replayed %u input%s\n", count, count == 1 ? "" : "s");
	return bad;
}
