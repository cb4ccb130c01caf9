/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Image files of simulated memories (src/devices/imgfile.c): a change is
 * not written in the request path but later, off the loop, coalesced; what
 * is pending at exit is written then; the file is always a whole image,
 * replaced by rename, with no temporary file left behind.  Counts and
 * contents are asserted, never durations. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "common/log.h"
#include "devices/imgfile.h"

#define SIZE 4096

static char dir[64], path[128];
static uint8_t mem[SIZE];

static void read_img(uint8_t *out, size_t *len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, out, SIZE + 1);
	close(fd);
	assert_true(n >= 0);
	*len = (size_t)n;
}

static ino_t inode(void)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static unsigned files_in_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int setup(void **state)
{
	log_set_level(getenv("TDEBUG") ? LOG_DEBUG : LOG_ERROR);
	strcpy(dir, "/tmp/vd-imgfile.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/img.bin", dir);
	memset(mem, 0xff, SIZE);
	assert_int_equal(imgfile_write(path, mem, SIZE), 0);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	assert_int_equal(rmdir(dir), 0);    /* nothing else left in it */
	return 0;
}

/* Changes go to the file later, off the loop: nothing is written when
 * the change is made, three changes make one write, and the file then
 * holds the image whole (a new inode: replaced by rename). */
static void test_imgfile_deferred_coalesced_off_the_loop(void **state)
{
	struct loop *l = loop_new();
	struct worker *wk = worker_new(l, "disk");
	struct imgfile f;
	uint8_t back[SIZE + 1];
	size_t n;
	ino_t before = inode();

	assert_int_equal(imgfile_init(&f, path, mem, SIZE), 0);
	assert_int_equal(imgfile_start(&f, l, wk), 0);
	memcpy(mem, "one", 3);
	assert_int_equal(imgfile_changed(&f), 0);
	memcpy(mem + 100, "two", 3);
	assert_int_equal(imgfile_changed(&f), 0);
	memcpy(mem + SIZE - 5, "three", 5);
	assert_int_equal(imgfile_changed(&f), 0);
	/* the request path wrote nothing */
	assert_int_equal(f.writes, 0);
	read_img(back, &n);
	assert_int_equal(back[0], 0xff);
	while (f.writes == 0)
		assert_true(loop_run_once(l, -1) >= 0);
	assert_int_equal(f.writes, 1);
	read_img(back, &n);
	assert_int_equal(n, SIZE);
	assert_memory_equal(back, mem, SIZE);
	assert_true(inode() != before);
	assert_int_equal(files_in_dir(), 1);           /* no temporary file */
	assert_true(worker_free(wk));
	assert_int_equal(imgfile_flush(&f, false), 0);
	assert_int_equal(f.writes, 1);                 /* nothing pending */
	imgfile_free(&f);
	loop_free(l);
}

/* A change still pending when the process stops is written at exit. */
static void test_imgfile_pending_change_written_at_exit(void **state)
{
	struct loop *l = loop_new();
	struct worker *wk = worker_new(l, "disk");
	struct imgfile f;
	uint8_t back[SIZE + 1];
	size_t n;

	assert_int_equal(imgfile_init(&f, path, mem, SIZE), 0);
	assert_int_equal(imgfile_start(&f, l, wk), 0);
	memcpy(mem + 7, "at exit", 7);
	assert_int_equal(imgfile_changed(&f), 0);
	assert_true(worker_free(wk));
	assert_int_equal(imgfile_flush(&f, false), 0);
	assert_int_equal(f.writes, 1);
	read_img(back, &n);
	assert_int_equal(n, SIZE);
	assert_memory_equal(back + 7, "at exit", 7);
	assert_int_equal(files_in_dir(), 1);
	imgfile_free(&f);
	loop_free(l);
}

/* A write that cannot be done leaves the old file whole and nothing
 * else behind. */
static void test_imgfile_failed_write_leaves_the_old_image(void **state)
{
	uint8_t back[SIZE + 1];
	size_t n;
	char bad[160];

	snprintf(bad, sizeof(bad), "%s/no-such-dir/img.bin", dir);
	assert_int_equal(imgfile_write(bad, mem, SIZE), -ENOENT);
	memset(mem, 0x11, SIZE);
	assert_int_equal(chmod(dir, 0500), 0);
	if (access(dir, W_OK) == 0) {
		/* root writes anyway: a directory in the way of the rename */
		assert_int_equal(chmod(dir, 0700), 0);
		snprintf(bad, sizeof(bad), "%s/d", dir);
		assert_int_equal(mkdir(bad, 0700), 0);
		assert_true(imgfile_write(bad, mem, SIZE) < 0);
		assert_int_equal(rmdir(bad), 0);
	} else {
		assert_true(imgfile_write(path, mem, SIZE) < 0);
		assert_int_equal(chmod(dir, 0700), 0);
	}
	read_img(back, &n);
	assert_int_equal(n, SIZE);
	assert_int_equal(back[0], 0xff);
	assert_int_equal(files_in_dir(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_imgfile_deferred_coalesced_off_the_loop,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_imgfile_pending_change_written_at_exit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_imgfile_failed_write_leaves_the_old_image,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
