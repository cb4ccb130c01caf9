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
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "common/log.h"
#include "devices/imgfile.h"
#include "devfx.h"

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

/* Files of this process may grow to limit bytes (RLIMIT_FSIZE; a write
 * beyond fails with EFBIG instead of raising SIGXFSZ); RLIM_INFINITY
 * restores. */
static void fsize_limit(rlim_t limit)
{
	static struct rlimit saved;
	static bool have;
	struct rlimit r;

	if (!have) {
		assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
		have = true;
	}
	r = saved;
	if (limit != RLIM_INFINITY)
		r.rlim_cur = limit;
	signal(SIGXFSZ, limit == RLIM_INFINITY ? SIG_DFL : SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &r), 0);
}

static void assert_image(const uint8_t *want)
{
	uint8_t back[SIZE + 1];
	size_t n;

	read_img(back, &n);
	assert_int_equal(n, SIZE);
	assert_memory_equal(back, want, SIZE);
}

/* A path whose temporary name does not fit is refused, nothing made. */
static void test_imgfile_path_too_long(void **state)
{
	static char longp[PATH_MAX + 16];

	memset(longp, 'a', sizeof(longp) - 1);
	memcpy(longp, dir, strlen(dir));
	longp[strlen(dir)] = '/';
	longp[PATH_MAX - 4] = '\0';      /* + ".XXXXXX" does not fit */
	assert_int_equal(imgfile_write(longp, mem, SIZE), -ENAMETOOLONG);
	assert_int_equal(files_in_dir(), 1);
}

/* A write that fails half-way (the file size limit) returns its error,
 * removes its temporary file and leaves the old image. */
static void test_imgfile_failed_data_write_removes_the_copy(void **state)
{
	uint8_t old[SIZE];

	memcpy(old, mem, SIZE);
	memset(mem, 0x22, SIZE);
	fsize_limit(SIZE / 2);
	assert_int_equal(imgfile_write(path, mem, SIZE), -EFBIG);
	fsize_limit(RLIM_INFINITY);
	assert_image(old);
	assert_int_equal(files_in_dir(), 1);
}

/* Not started (no loop): a change is written at once; a failed write
 * returns the error and keeps the image dirty, so the flush at exit
 * writes it. */
static void test_imgfile_inline_without_loop(void **state)
{
	struct imgfile f;

	assert_int_equal(imgfile_init(&f, path, mem, SIZE), 0);
	assert_false(imgfile_deferred(&f));
	memcpy(mem, "inline", 6);
	assert_int_equal(imgfile_changed(&f), 0);
	assert_int_equal(f.writes, 1);
	assert_image(mem);
	memcpy(mem, "failed", 6);
	fsize_limit(SIZE / 2);
	assert_int_equal(imgfile_changed(&f), -EFBIG);
	fsize_limit(RLIM_INFINITY);
	assert_int_equal(f.writes, 1);
	assert_true(f.dirty);
	assert_memory_equal(mem, "failed", 6);
	assert_int_equal(imgfile_flush(&f, false), 0);
	assert_int_equal(f.writes, 2);
	assert_image(mem);
	imgfile_free(&f);
}

/* A deferred write that fails is logged naming the file and tried again
 * at the next change; one that fails at exit is logged too. */
static void test_imgfile_deferred_failure_logged_and_retried(void **state)
{
	struct loop *l = loop_new();
	struct worker *wk = worker_new(l, "disk");
	struct imgfile f;
	char want[200];

	snprintf(want, sizeof(want), "cannot save '%s'", path);
	assert_int_equal(imgfile_init(&f, path, mem, SIZE), 0);
	assert_int_equal(imgfile_start(&f, l, wk), 0);
	fsize_limit(SIZE / 2);
	devfx_log_capture();
	memcpy(mem, "first", 5);
	assert_int_equal(imgfile_changed(&f), 0);
	while (f.armed || f.saving)
		assert_true(loop_run_once(l, -1) >= 0);
	fsize_limit(RLIM_INFINITY);
	assert_true(devfx_log_has(want));
	assert_int_equal(f.result, -EFBIG);
	assert_int_equal(f.writes, 0);
	assert_true(f.dirty);
	assert_false(f.armed);              /* no retry loop of its own */
	assert_int_equal(files_in_dir(), 1);
	/* the next change writes both */
	memcpy(mem + 10, "second", 6);
	assert_int_equal(imgfile_changed(&f), 0);
	while (f.writes == 0)
		assert_true(loop_run_once(l, -1) >= 0);
	assert_image(mem);
	/* pending at exit and failing then: logged, returned */
	memcpy(mem + 20, "third", 5);
	assert_int_equal(imgfile_changed(&f), 0);
	assert_true(worker_free(wk));
	fsize_limit(SIZE / 2);
	devfx_log_capture();
	assert_int_equal(imgfile_flush(&f, false), -EFBIG);
	fsize_limit(RLIM_INFINITY);
	assert_true(devfx_log_has(want));
	assert_int_equal(f.writes, 1);
	imgfile_free(&f);
	loop_free(l);
}

/* An item that keeps the worker busy until the test writes fd. */
struct blocker {
	struct work w;
	int fd;
};

static void block_run(struct work *w)
{
	struct blocker *b = (struct blocker *)w;
	uint64_t v;

	while (read(b->fd, &v, 8) < 0)
		;
}

static void block_done(struct work *w)
{
}

/* Changes while a copy is being written: the timer that comes then waits
 * for the write (re-armed, no second copy at once), and the newest image
 * is written after it: two writes, the file as the image is now. */
static void test_imgfile_change_while_saving(void **state)
{
	struct loop *l = loop_new();
	struct worker *wk = worker_new(l, "disk");
	struct blocker blk = { { block_run, block_done, NULL }, eventfd(0, EFD_CLOEXEC) };
	struct imgfile f;
	uint64_t one = 1;

	assert_true(blk.fd >= 0);
	assert_int_equal(imgfile_init(&f, path, mem, SIZE), 0);
	assert_int_equal(imgfile_start(&f, l, wk), 0);
	worker_submit(wk, &blk.w);          /* the worker is busy until released */
	memcpy(mem, "one", 3);
	assert_int_equal(imgfile_changed(&f), 0);
	while (!f.saving)
		assert_true(loop_run_once(l, -1) >= 0);
	memcpy(mem, "two", 3);
	assert_int_equal(imgfile_changed(&f), 0);
	assert_true(f.armed);
	/* the only thing that can happen now: the timer, while saving */
	assert_int_equal(loop_run_once(l, -1), 1);
	assert_true(f.armed);
	assert_true(f.saving);
	assert_true(f.dirty);
	assert_int_equal(f.writes, 0);
	assert_int_equal(write(blk.fd, &one, 8), 8);
	while (f.writes < 2)
		assert_true(loop_run_once(l, -1) >= 0);
	assert_int_equal(f.writes, 2);
	assert_false(f.dirty);
	assert_image(mem);
	assert_true(worker_free(wk));
	assert_int_equal(imgfile_flush(&f, false), 0);
	assert_int_equal(f.writes, 2);
	imgfile_free(&f);
	loop_free(l);
	close(blk.fd);
}

/* No timer to be had (out of file descriptors): start fails with the
 * error; freed without a flush, a started image writes nothing. */
static void test_imgfile_start_fails_and_free_without_flush(void **state)
{
	struct loop *l = loop_new();
	struct imgfile f;
	struct rlimit saved, r;
	int lowest = dup(0);

	assert_true(lowest >= 0);
	close(lowest);
	assert_int_equal(imgfile_init(&f, path, mem, SIZE), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	r = saved;
	r.rlim_cur = (rlim_t)lowest;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &r), 0);
	assert_int_equal(imgfile_start(&f, l, NULL), -EMFILE);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	assert_false(imgfile_deferred(&f));
	assert_int_equal(imgfile_start(&f, l, NULL), 0);
	memcpy(mem, "lost", 4);
	assert_int_equal(imgfile_changed(&f), 0);
	imgfile_free(&f);
	assert_int_equal(f.writes, 0);
	memset(mem, 0xff, SIZE);
	assert_image(mem);                          /* as setup wrote it */
	loop_free(l);
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
		cmocka_unit_test_setup_teardown(test_imgfile_path_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_imgfile_failed_data_write_removes_the_copy,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_imgfile_inline_without_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_imgfile_deferred_failure_logged_and_retried,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_imgfile_change_while_saving, setup, teardown),
		cmocka_unit_test_setup_teardown(test_imgfile_start_fails_and_free_without_flush,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
