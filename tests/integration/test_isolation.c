/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The hostile neighbour: one daemon (`vhost-device i2c -c 2`, a simulated
 * 24c02 EEPROM) serves guest A on socket 0 and guest B on socket 1.  Each
 * test starts its own daemon, lets A do one hostile thing (README.md, "One
 * guest cannot hurt another"), and then checks that
 *  - B's requests are still answered,
 *  - the daemon's log stayed bounded (lines and bytes counted),
 *  - SIGTERM still ends the daemon with exit status 0.
 * A daemon that blocks fails B's request (its wait has a timeout) and does
 * not exit on SIGTERM (it is killed: status 128+9).  Nothing here measures
 * durations. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS   3000
#define I2C_RD    2u          /* VIRTIO_I2C_FLAGS_M_RD */
#define EEPROM    0x50
#define EFD_FULL  0xfffffffffffffffeull   /* an eventfd counter at its maximum */

/* The log of a whole test, whatever A did: a few lines per connection and
 * the rate-limited complaints (10 per message site per 5 s, then a count). */
#define LOG_MAX_LINES 120
#define LOG_MAX_BYTES (16 * 1024)

static struct itest_daemon dmn;
static char sock_a[160], sock_b[160];
static struct fe *fe_a, *fe_b;

/* ---------------------------------------------------------------- daemon */

static int spawn_i2c(struct proc *p, void *arg)
{
	const char *args[] = { "i2c", "-s", p->sock, "-c", "2", "--sim", "24c02@0x50", NULL };
	int r;

	snprintf(sock_a, sizeof(sock_a), "%s0", p->sock);
	snprintf(sock_b, sizeof(sock_b), "%s1", p->sock);
	r = proc_spawn(p, args, true, sock_b, proc_start_timeout_ms());
	return r ? r : proc_wait_path(sock_a, true, WAIT_MS);
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn_i2c, NULL);
	return 0;
}

static int teardown(void **state)
{
	fe_free(fe_a);
	fe_free(fe_b);
	fe_a = fe_b = NULL;
	itest_daemon_stop(&dmn);   /* after a failure: whatever it returns */
	return 0;
}

/* ------------------------------------------------------------- helpers */

static struct fe *open_fe(const char *path, const struct fe_opts *o)
{
	return itest_open_ok(path, o);
}

/* One 1-byte read from the EEPROM: the request every guest can make. */
static void eeprom_read(struct fe *fe)
{
	uint8_t hdr[8] = { EEPROM << 1, 0, 0, 0, I2C_RD, 0, 0, 0 };
	uint8_t rsp[2] = { 0xee, 0xee };
	uint32_t len = 0;
	int r = fe_request(fe, 0, hdr, sizeof(hdr), rsp, sizeof(rsp), &len, WAIT_MS);

	if (r)
		print_error("EEPROM read: %s\n", strerror(-r));
	assert_int_equal(r, 0);
	assert_int_equal(len, 2);
	assert_int_equal(rsp[1], 0);       /* VIRTIO_I2C_MSG_OK */
}

/* Publish n EEPROM reads on A's queue 0 without kicking. */
static void publish_reads(struct fe *fe, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t h = fe_alloc(fe, 8, 8), in = fe_alloc(fe, 2, 2);
		uint8_t *p;
		int head;

		assert_true(h && in);
		p = fe_ptr(fe, h, 8);
		memset(p, 0, 8);
		p[0] = EEPROM << 1;
		p[4] = I2C_RD;
		head = fe_vq_add(fe, 0, (struct fe_seg[]){ { h, 8, false }, { in, 2, true } }, 2,
				 true);
		assert_true(head >= 0);
		fe_vq_publish(fe, 0, (uint16_t)head);
	}
}

/* A's device answered n requests (read from the used ring: A's call fd
 * may be one the test made useless). */
static void wait_used(struct fe *fe, unsigned n)
{
	long long end = proc_now_ms() + WAIT_MS;

	while (fe_vq_pending(fe, 0) < n && proc_now_ms() < end)
		usleep(1000);
	assert_int_equal(fe_vq_pending(fe, 0), n);
}

/* An eventfd whose counter is at its maximum: a write of 1 to it blocks
 * unless O_NONBLOCK is set, and the test clears that after handing it
 * over (the flag lives on the file description both sides share). */
static int full_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t v = EFD_FULL;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, &v, sizeof(v)), sizeof(v));
	return fd;
}

static void clear_nonblock(int fd)
{
	assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK), 0);
}

static char last_line[256];

/* Lines and bytes in the daemon's log so far, and its last line. */
static void log_size(unsigned *lines, size_t *bytes)
{
	FILE *f = fopen(dmn.proc.log, "r");
	char line[sizeof(last_line)];

	*lines = 0;
	*bytes = 0;
	last_line[0] = '\0';
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		*bytes += n;
		if (n && line[n - 1] == '\n') {
			(*lines)++;
			memcpy(last_line, line, n + 1);
		}
	}
	fclose(f);
}

/* The daemon's log on stderr, to see why a test failed. */
static void dump_log(void)
{
	FILE *f = fopen(dmn.proc.log, "r");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		print_error("daemon: %s", line);
	fclose(f);
}

static bool log_has(const char *needle)
{
	FILE *f = fopen(dmn.proc.log, "r");
	char line[512];
	bool found = false;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/* Whether the daemon still holds an fd on the object st describes. */
static bool daemon_holds(const struct stat *st)
{
	char dir[64], path[320];
	struct dirent *de;
	bool found = false;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)dmn.proc.pid);
	dp = opendir(dir);
	assert_non_null(dp);
	while (!found && (de = readdir(dp))) {
		struct stat s;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] != '.' && stat(path, &s) == 0)
			found = s.st_dev == st->st_dev && s.st_ino == st->st_ino;
	}
	closedir(dp);
	return found;
}

/* After A's hostile act: B is answered, the log is bounded, SIGTERM ends
 * the daemon with 0. */
static void neighbour_unharmed(void)
{
	unsigned lines;
	size_t bytes;

	eeprom_read(fe_b);
	eeprom_read(fe_b);
	assert_true(proc_alive(&dmn.proc));
	log_size(&lines, &bytes);
	if (lines > LOG_MAX_LINES || bytes > LOG_MAX_BYTES)
		print_error("log: %u lines, %zu bytes; the last: %s", lines, bytes, last_line);
	assert_true(lines <= LOG_MAX_LINES);
	assert_true(bytes <= LOG_MAX_BYTES);
	fe_free(fe_a);
	fe_free(fe_b);
	fe_a = fe_b = NULL;
	assert_int_equal(itest_daemon_stop(&dmn), 0);
}

/* B is connected and served before A starts. */
static void open_both(const struct fe_opts *oa)
{
	fe_b = open_fe(sock_b, NULL);
	eeprom_read(fe_b);
	fe_a = open_fe(sock_a, oa);
}

/* ------------------------------------------- 1: fds that could block us */

/* A's call fd: full, then made blocking; A's request is completed, and the
 * interrupt for it must not block the loop. */
static void test_iso_call_fd_full_and_blocking(void **state)
{
	int fd = full_eventfd();

	open_both(NULL);
	assert_int_equal(fe_set_vring_fd(fe_a, VHOST_USER_SET_VRING_CALL, 0, fd), 0);
	clear_nonblock(fd);
	publish_reads(fe_a, 1);
	assert_int_equal(fe_vq_kick(fe_a, 0), 0);
	wait_used(fe_a, 1);
	neighbour_unharmed();
	close(fd);
}

/* A's error fd: full and blocking, then A breaks a chain rule, which the
 * device reports on the error fd. */
static void test_iso_err_fd_full_and_blocking(void **state)
{
	int fd = full_eventfd();

	open_both(NULL);
	assert_int_equal(fe_set_vring_fd(fe_a, VHOST_USER_SET_VRING_ERR, 0, fd), 0);
	clear_nonblock(fd);
	fe_vq_set_avail_idx(fe_a, 0, (uint16_t)(fe_a->vq[0].num + 1));  /* too far ahead */
	assert_int_equal(fe_vq_kick(fe_a, 0), 0);
	neighbour_unharmed();
	close(fd);
}

/* More requests than one pass serves are waiting when A enables its
 * queue, and A's kick fd is the write end of a full pipe that A made
 * blocking: the rest of the queue must be served later without the core
 * writing to that fd. */
static void test_iso_kick_fd_full_and_blocking(void **state)
{
	const struct fe_opts o = { .queue_size = 512 };
	char buf[4096] = { 0 };
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	open_both(&o);
	assert_int_equal(fe_set_vring_fd(fe_a, VHOST_USER_SET_VRING_KICK, 0, p[1]), 0);
	clear_nonblock(p[1]);
	assert_int_equal(fe_queue_enable(fe_a, 0, false), 0);
	publish_reads(fe_a, 300);
	assert_int_equal(fe_queue_enable(fe_a, 0, true), 0);
	wait_used(fe_a, 300);
	neighbour_unharmed();
	close(p[0]);
	close(p[1]);
}

/* A call or error fd that is not an eventfd (here a full pipe) is
 * refused: A's connection is dropped. */
static void not_eventfd(uint32_t req)
{
	int p[2];
	char buf[4096] = { 0 };

	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	clear_nonblock(p[1]);
	open_both(NULL);
	fe_a->reply_ack = false;
	assert_int_equal(fe_set_vring_fd(fe_a, req, 0, p[1]), 0);
	assert_int_equal(fe_expect_eof(fe_a, WAIT_MS), 0);
	neighbour_unharmed();
	close(p[0]);
	close(p[1]);
}

static void test_iso_call_fd_not_eventfd(void **state)
{
	not_eventfd(VHOST_USER_SET_VRING_CALL);
}

static void test_iso_err_fd_not_eventfd(void **state)
{
	not_eventfd(VHOST_USER_SET_VRING_ERR);
}

/* ------------------------------------------------ 2: fds at end of file */

/* A's kick fd is a pipe whose writer closes: the queue is marked broken
 * (A is told on its error fd) and the daemon lets go of the pipe instead
 * of waking up for it forever. */
static void test_iso_kick_fd_at_eof(void **state)
{
	struct stat st;
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(fstat(p[0], &st), 0);
	open_both(NULL);
	assert_int_equal(fe_set_vring_fd(fe_a, VHOST_USER_SET_VRING_KICK, 0, p[0]), 0);
	close(p[0]);
	close(p[1]);
	assert_int_equal(fe_vq_wait_err(fe_a, 0, WAIT_MS), 0);
	assert_false(daemon_holds(&st));
	neighbour_unharmed();
}

/* A's kick fd is an eventfd in semaphore mode holding a huge count: each
 * read takes 1 and it stays readable, so one write by A would wake the
 * daemon 2^64 times for nothing.  After a bounded run of kicks that bring
 * no new request the queue is marked broken (A is told on its error fd)
 * and the daemon stops watching the fd; B is served. */
static void test_iso_kick_fd_semaphore(void **state)
{
	uint64_t v = EFD_FULL;
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);

	assert_true(fd >= 0);
	open_both(NULL);
	assert_int_equal(fe_set_vring_fd(fe_a, VHOST_USER_SET_VRING_KICK, 0, fd), 0);
	assert_int_equal(write(fd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(fe_vq_wait_err(fe_a, 0, WAIT_MS), 0);
	close(fd);
	neighbour_unharmed();
}

/* ------------------------------------------- 3: guest memory truncated */

/* A shrinks the file behind its guest memory to keep bytes (its memfd was
 * made without MFD_ALLOW_SEALING, so the daemon could not seal it), then
 * kicks: the daemon's next access to the lost pages faults.  A's
 * connection is dropped; the daemon and B go on.  The test itself must
 * not touch A's memory past keep from then on. */
static void truncate_and_kick(uint64_t keep)
{
	assert_int_equal(ftruncate(fe_a->block[0].fd, (off_t)keep), 0);
	assert_int_equal(fe_vq_kick(fe_a, 0), 0);
	assert_int_equal(fe_expect_eof(fe_a, WAIT_MS), 0);
	if (!log_has("truncated guest memory under us"))
		dump_log();
	assert_true(log_has("truncated guest memory under us"));
}

/* The rings are gone: the fault comes reading avail->idx. */
static void test_iso_memory_truncated_under_the_rings(void **state)
{
	open_both(NULL);
	eeprom_read(fe_a);
	publish_reads(fe_a, 1);
	truncate_and_kick(0);
	neighbour_unharmed();
}

/* The rings stay, the buffer a read writes into is gone: the fault comes
 * from the device writing the data. */
static void test_iso_memory_truncated_under_a_buffer(void **state)
{
	uint64_t h, in, pad;
	uint8_t *p;
	int head;

	open_both(NULL);
	eeprom_read(fe_a);
	h = fe_alloc(fe_a, 8, 8);
	pad = fe_alloc(fe_a, 2 << 20, 4096);   /* the buffer lands past 2 MiB */
	in = fe_alloc(fe_a, 2, 2);
	assert_true(h && pad && in);
	assert_true(in - fe_a->block[0].gpa >= (2u << 20));
	p = fe_ptr(fe_a, h, 8);
	memset(p, 0, 8);
	p[0] = EEPROM << 1;
	p[4] = I2C_RD;
	head = fe_vq_add(fe_a, 0, (struct fe_seg[]){ { h, 8, false }, { in, 2, true } }, 2,
			 false);
	assert_true(head >= 0);
	fe_vq_publish(fe_a, 0, (uint16_t)head);
	truncate_and_kick(1 << 20);
	neighbour_unharmed();
}

/* ------------------------------------------------------- 6: log floods */

#define FLOOD 2000      /* messages or connections: lines enough to fail the bound */

/* Connect to path and hang up at once. */
static void connect_close(const char *path)
{
	struct fe *fe = fe_new();

	assert_non_null(fe);
	assert_int_equal(fe_connect(fe, path, WAIT_MS), 0);
	fe_free(fe);
}

/* A connects and hangs up, again and again (each connection is logged). */
static void test_iso_flood_connections(void **state)
{
	fe_b = open_fe(sock_b, NULL);
	eeprom_read(fe_b);
	for (unsigned i = 0; i < FLOOD; i++)
		connect_close(sock_a);
	neighbour_unharmed();
}

/* A second frontend knocks on A's socket while A is connected. */
static void test_iso_flood_second_connections(void **state)
{
	open_both(NULL);
	for (unsigned i = 0; i < FLOOD; i++)
		connect_close(sock_a);
	eeprom_read(fe_a);
	neighbour_unharmed();
}

/* Memory tables without A's rings in them (accepted: the rings wait for
 * memory that holds them). */
static void test_iso_flood_mem_table_without_rings(void **state)
{
	struct vhost_user_memory m = { .nregions = 1 };
	int fd = memfd_create("elsewhere", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 65536), 0);
	m.regions[0] = (struct vhost_user_region){ .guest_phys_addr = 0x40000000,
		.memory_size = 65536, .userspace_addr = 0x7e0000000000ull };
	open_both(NULL);
	for (unsigned i = 0; i < FLOOD; i++)
		assert_int_equal(fe_set(fe_a, VHOST_USER_SET_MEM_TABLE, &m, 8 + sizeof(m.regions[0]),
					&fd, 1), 0);
	close(fd);
	neighbour_unharmed();
}

/* SET_FEATURES without the feature every i2c request needs. */
static void test_iso_flood_set_features(void **state)
{
	open_both(NULL);
	for (unsigned i = 0; i < FLOOD; i++)
		assert_int_equal(fe_set_u64(fe_a, VHOST_USER_SET_FEATURES,
					    fe_a->features & ~1ull), 0);
	neighbour_unharmed();
}

/* Device resets (SET_STATUS 0), each after the driver set it up again. */
static void test_iso_flood_resets(void **state)
{
	open_both(NULL);
	assert_true(fe_a->protocol & BIT64(VHOST_USER_PROTOCOL_F_STATUS));
	for (unsigned i = 0; i < FLOOD; i++) {
		assert_int_equal(fe_set_u64(fe_a, VHOST_USER_SET_STATUS, 0), 0);
		assert_int_equal(fe_set_u64(fe_a, VHOST_USER_SET_STATUS, 0xf), 0);
	}
	neighbour_unharmed();
}

/* Oversized requests: A's reads claim almost 2 MiB each through 30
 * descriptors that all alias one 64 KiB buffer (issue 10 item 4).  Each
 * is refused with ERR, the daemon clears at most one message's worth of
 * it (I2C_MSG_MAX, 8192 bytes: the rest of the buffer keeps its bytes),
 * and B is served meanwhile.  Several of them also exceed the per-pass
 * byte budget together. */
#define OVER_SEGS  30
#define OVER_SEG   65536u
#define OVER_REQS  4

static void test_iso_oversized_reads(void **state)
{
	uint64_t buf, hdr[OVER_REQS], st[OVER_REQS];
	uint8_t *p;

	open_both(NULL);
	buf = fe_alloc(fe_a, OVER_SEG, 4096);
	assert_true(buf);
	memset(fe_ptr(fe_a, buf, OVER_SEG), 0xaa, OVER_SEG);
	for (unsigned i = 0; i < OVER_REQS; i++) {
		struct fe_seg s[OVER_SEGS + 2];
		int head;

		hdr[i] = fe_alloc(fe_a, 8, 8);
		st[i] = fe_alloc(fe_a, 1, 1);
		assert_true(hdr[i] && st[i]);
		p = fe_ptr(fe_a, hdr[i], 8);
		memset(p, 0, 8);
		p[0] = EEPROM << 1;
		p[4] = I2C_RD;
		*(uint8_t *)fe_ptr(fe_a, st[i], 1) = 0xee;
		s[0] = (struct fe_seg){ hdr[i], 8, false };
		for (unsigned k = 0; k < OVER_SEGS; k++)
			s[1 + k] = (struct fe_seg){ buf, OVER_SEG, true };
		s[OVER_SEGS + 1] = (struct fe_seg){ st[i], 1, true };
		head = fe_vq_add(fe_a, 0, s, OVER_SEGS + 2, true);
		assert_true(head >= 0);
		fe_vq_publish(fe_a, 0, (uint16_t)head);
	}
	assert_int_equal(fe_vq_kick(fe_a, 0), 0);
	eeprom_read(fe_b);
	wait_used(fe_a, OVER_REQS);
	for (unsigned i = 0; i < OVER_REQS; i++) {
		uint32_t id, len;

		assert_int_equal(fe_vq_get_used(fe_a, 0, &id, &len), 1);
		assert_int_equal(len, OVER_SEGS * OVER_SEG + 1);
		assert_int_equal(*(uint8_t *)fe_ptr(fe_a, st[i], 1), 1);   /* VIRTIO_I2C_MSG_ERR */
	}
	p = fe_ptr(fe_a, buf, OVER_SEG);
	for (unsigned k = 0; k < 8192; k++)
		assert_int_equal(p[k], 0);
	for (unsigned k = 8192; k < OVER_SEG; k++)
		if (p[k] != 0xaa)
			fail_msg("byte %u of the aliased buffer was written (0x%02x)", k, p[k]);
	neighbour_unharmed();
}

/* --------------------------------------------------------------- main */

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_iso_call_fd_full_and_blocking),
		T(test_iso_err_fd_full_and_blocking),
		T(test_iso_kick_fd_full_and_blocking),
		T(test_iso_call_fd_not_eventfd),
		T(test_iso_err_fd_not_eventfd),
		T(test_iso_kick_fd_at_eof),
		T(test_iso_kick_fd_semaphore),
		T(test_iso_memory_truncated_under_the_rings),
		T(test_iso_memory_truncated_under_a_buffer),
		T(test_iso_flood_connections),
		T(test_iso_flood_second_connections),
		T(test_iso_flood_mem_table_without_rings),
		T(test_iso_flood_set_features),
		T(test_iso_flood_resets),
		T(test_iso_oversized_reads),
		/* slow requests need a slow bus: a host adapter or spidev that
		 * blocks is proven to delay only its own guests by
		 * tests/unit/test_i2c_queue.c and test_spi_queue.c (stand-ins) */
	};
#undef T
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
