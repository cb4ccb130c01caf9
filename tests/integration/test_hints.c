/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* A frontend set up wrongly makes the guest's requests hang without a
 * word; the daemon says why, with one error line per connection naming
 * the likely cause and the QEMU options that fix it (src/vhost/dev_int.h
 * dev_hint).  Driven through the test frontend against
 * `vhost-device scmi -d fake,name=foo`, its stderr captured. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS   3000
/* the no-memory timer fires 2 s after SET_FEATURES; a loaded machine or
 * valgrind may take longer to show it */
#define HINT_WAIT_MS 30000
#define PROBE_HDR 0x00004000u   /* BASE (0x10) PROTOCOL_VERSION, token 0 */
#define STATUS_FEATURES_OK 8u   /* virtio device status bit */

#define NO_MEM  "never sent the guest's memory"
#define NO_CALL "never sent a call fd for this queue"
#define LEGACY  "did not accept VIRTIO_F_VERSION_1"
#define PRIVATE "the ring in the memory the frontend shared shows no request"
#define DISABLED "has not enabled the ring"

static struct itest_daemon dmn;
static struct fe *cur;

static int spawn_scmi(struct proc *p, void *arg)
{
	const char *args[] = { "scmi", "-s", p->sock, "-d", "fake,name=foo", NULL };

	return proc_spawn(p, args, true, p->sock, proc_start_timeout_ms());
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn_scmi, NULL);
	return 0;
}

static int teardown(void **state)
{
	fe_free(cur);
	cur = NULL;
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	return itest_daemon_stop(&dmn) != 0;
}

/* Lines of the daemon's log that contain needle. */
static unsigned log_count(const char *needle)
{
	FILE *f = fopen(dmn.proc.log, "r");
	char line[1024];
	unsigned n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* Wait until the log has at least want lines with needle. */
static void wait_log(const char *needle, unsigned want)
{
	long long end = proc_now_ms() + HINT_WAIT_MS;

	while (log_count(needle) < want) {
		if (proc_now_ms() > end)
			fail_msg("the daemon did not log \"%s\" (%u times expected, %u seen)",
				 needle, want, log_count(needle));
		usleep(20000);
	}
}

static void print_line(const char *needle)
{
	FILE *f = fopen(dmn.proc.log, "r");
	char line[1024];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			print_message("    daemon: %s", line);
	fclose(f);
}

static struct fe *open_fe(enum itest_mode mode, const struct fe_opts *o)
{
	int r = 0;

	cur = itest_fe_open(dmn.proc.sock, mode, o, &r);
	if (!cur)
		fail_msg("open (mode %d): %s", (int)mode, strerror(-r));
	return cur;
}

static void close_fe(void)
{
	fe_free(cur);
	cur = NULL;
}

/* A round trip that also says the daemon has handled everything sent
 * before it. */
static void sync_fe(struct fe *fe)
{
	uint64_t v;

	assert_int_equal(fe_get_u64(fe, VHOST_USER_GET_FEATURES, &v), 0);
}

/* As QEMU without a shared memory backend: the driver's features are
 * accepted (SET_FEATURES, SET_STATUS FEATURES_OK), then QEMU cannot send
 * the memory table ("Failed initializing vhost-user memory map") and
 * sends nothing more.  One error names the cause and the options; a
 * second start attempt and a ring started without memory on the same
 * connection add none; the next connection gets its own. */
static void test_hint_no_mem_table(void **state)
{
	unsigned before = log_count(NO_MEM);
	struct fe *fe = open_fe(ITEST_INIT, NULL);
	uint64_t s;
	int kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	assert_true(kick >= 0);
	assert_int_equal(fe_set_u64(fe, VHOST_USER_SET_FEATURES, fe->dev_features), 0);
	assert_int_equal(fe_get_u64(fe, VHOST_USER_GET_STATUS, &s), 0);
	assert_int_equal(fe_set_u64(fe, VHOST_USER_SET_STATUS, s | STATUS_FEATURES_OK), 0);
	wait_log(NO_MEM, before + 1);
	print_line(NO_MEM);
	assert_int_equal(log_count("share=on -machine memory-backend=mem"), before + 1);
	assert_int_equal(log_count("mem-path=/dev/shm,share=on -numa node,memdev=mem"), before + 1);

	/* the same connection again: no second line */
	assert_int_equal(fe_set_u64(fe, VHOST_USER_SET_FEATURES, fe->dev_features), 0);
	assert_int_equal(fe_set_state(fe, VHOST_USER_SET_VRING_NUM, 0, 64), 0);
	assert_int_equal(fe_set_vring_fd(fe, VHOST_USER_SET_VRING_KICK, 0, kick), 0);
	sync_fe(fe);
	assert_int_equal(log_count(NO_MEM), before + 1);
	close(kick);
	close_fe();

	/* a new connection is told again */
	fe = open_fe(ITEST_INIT, NULL);
	assert_int_equal(fe_set_u64(fe, VHOST_USER_SET_FEATURES, fe->dev_features), 0);
	wait_log(NO_MEM, before + 2);
	close_fe();
}

/* A ring started with no memory table at all: said at once (no timer
 * involved: no SET_FEATURES was sent). */
static void test_hint_ring_without_mem(void **state)
{
	unsigned before = log_count(NO_MEM);
	struct fe *fe = open_fe(ITEST_INIT, NULL);
	int kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	assert_true(kick >= 0);
	assert_int_equal(fe_set_state(fe, VHOST_USER_SET_VRING_NUM, 0, 64), 0);
	assert_int_equal(fe_set_vring_fd(fe, VHOST_USER_SET_VRING_KICK, 0, kick), 0);
	sync_fe(fe);
	assert_int_equal(log_count(NO_MEM), before + 1);
	assert_int_equal(log_count("a ring was started (SET_VRING_KICK)"), 1);
	close(kick);
	close_fe();
}

/* One request on queue 0 of a frontend without a call fd: no call will
 * say it is answered, so the used ring is watched (paced, bounded by
 * WAIT_MS against a daemon that never answers). */
static void request_polled(struct fe *fe)
{
	uint32_t req = PROBE_HDR, len = 0;
	uint8_t rsp[64];
	long long end = proc_now_ms() + WAIT_MS;
	int r = fe_request(fe, 0, &req, sizeof(req), rsp, sizeof(rsp), &len, 0);

	while (r == -ETIMEDOUT && !fe_vq_pending(fe, 0)) {
		if (proc_now_ms() > end)
			fail_msg("the request was not answered in %d ms", WAIT_MS);
		usleep(1000);
	}
	if (r != 0 && r != -ETIMEDOUT && r != -ENOMSG)
		fail_msg("the request failed: %s", strerror(-r));
}

/* No SET_VRING_CALL ever for a queue: its requests are answered, the
 * driver is never told.  One line; a frontend that gives a call fd, or
 * says it polls (no fd), gets none. */
static void test_hint_no_call(void **state)
{
	struct fe_opts o = { .no_call = true };
	unsigned before = log_count(NO_CALL);
	struct fe *fe = open_fe(ITEST_START, &o);
	uint32_t req = PROBE_HDR, len = 0;
	uint8_t rsp[64];

	request_polled(fe);
	sync_fe(fe);
	print_line(NO_CALL);
	assert_int_equal(log_count(NO_CALL), before + 1);
	assert_int_equal(fe_stop(fe), 0);
	close_fe();

	/* a frontend that polls says so (SET_VRING_CALL without an fd): no
	 * line for it */
	fe = open_fe(ITEST_START, &o);
	assert_int_equal(fe_set_vring_fd(fe, VHOST_USER_SET_VRING_CALL, 0, -1), 0);
	request_polled(fe);
	sync_fe(fe);
	assert_int_equal(log_count(NO_CALL), before + 1);
	assert_int_equal(fe_stop(fe), 0);
	close_fe();

	/* with a call fd: nothing more */
	fe = open_fe(ITEST_START, NULL);
	assert_int_equal(fe_request(fe, 0, &req, sizeof(req), rsp, sizeof(rsp), &len, WAIT_MS), 0);
	sync_fe(fe);
	assert_int_equal(log_count(NO_CALL), before + 1);
	assert_int_equal(fe_stop(fe), 0);
	close_fe();
}

/* A driver without VIRTIO_F_VERSION_1 (a legacy transport: QEMU's
 * virtio-mmio unless force-legacy=false). */
static void test_hint_legacy_driver(void **state)
{
	struct fe_opts o = { .features_off = BIT64(VIRTIO_F_VERSION_1) };
	unsigned before = log_count(LEGACY);
	struct fe *fe = open_fe(ITEST_START, &o);

	assert_int_equal(fe_set_u64(fe, VHOST_USER_SET_FEATURES, fe->features), 0);
	sync_fe(fe);
	print_line(LEGACY);
	assert_int_equal(log_count(LEGACY), before + 1);
	assert_int_equal(log_count("-global virtio-mmio.force-legacy=false"), before + 1);
	close_fe();
}

/* As QEMU 10 with memory-backend-file share=off (its default) or
 * memory-backend-memfd share=off: the memory table carries the file, but
 * the guest's view is a private mapping of it, so the request it
 * publishes never reaches the daemon.  One line at the kick; a frontend
 * whose memory is shared gets none (the other tests' requests). */
static void test_hint_private_memory(void **state)
{
	unsigned before = log_count(PRIVATE);
	struct fe *fe = open_fe(ITEST_INIT, NULL);
	struct fe_block *b;
	uint32_t req = PROBE_HDR, len = 0;
	uint8_t rsp[64];

	assert_int_equal(fe_mem_block(fe, 1u << 20, 4u << 20, 1), 0);
	b = &fe->block[0];
	assert_ptr_equal(mmap(b->host, b->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
			      b->fd, 0), b->host);
	assert_int_equal(fe_driver_start(fe, NULL), 0);
	assert_int_equal(fe_request(fe, 0, &req, sizeof(req), rsp, sizeof(rsp), &len, 500),
			 -ETIMEDOUT);
	sync_fe(fe);
	print_line(PRIVATE);
	assert_int_equal(log_count(PRIVATE), before + 1);
	assert_int_equal(log_count("add share=on to its -object memory-backend-file"), before + 1);
	/* once per connection */
	assert_int_equal(fe_request(fe, 0, &req, sizeof(req), rsp, sizeof(rsp), &len, 200),
			 -ETIMEDOUT);
	sync_fe(fe);
	assert_int_equal(log_count(PRIVATE), before + 1);
	close_fe();

	/* shared memory: answered, nothing said */
	fe = open_fe(ITEST_START, NULL);
	assert_int_equal(fe_request(fe, 0, &req, sizeof(req), rsp, sizeof(rsp), &len, WAIT_MS), 0);
	sync_fe(fe);
	assert_int_equal(log_count(PRIVATE), before + 1);
	assert_int_equal(fe_stop(fe), 0);
	close_fe();
}

/* A frontend that negotiates PROTOCOL_FEATURES (rings start disabled)
 * and never sends SET_VRING_ENABLE 1: a kick waits.  One line 2 s after
 * the kick; the request is served once the ring is enabled. */
static void test_hint_ring_not_enabled(void **state)
{
	struct fe_opts o = { .no_enable = true };
	unsigned before = log_count(DISABLED);
	struct fe *fe = open_fe(ITEST_START, &o);
	uint32_t req = PROBE_HDR, len = 0, id;
	uint8_t rsp[64];

	assert_true(fe->features & BIT64(VHOST_USER_F_PROTOCOL_FEATURES));
	assert_int_equal(fe_request(fe, 0, &req, sizeof(req), rsp, sizeof(rsp), &len, 200),
			 -ETIMEDOUT);
	wait_log(DISABLED, before + 1);
	print_line(DISABLED);
	/* enabled at last: the waiting request is answered, nothing more said */
	assert_int_equal(fe_queue_enable(fe, 0, true), 0);
	assert_int_equal(fe_vq_wait_call(fe, 0, WAIT_MS), 0);
	assert_int_equal(fe_vq_get_used(fe, 0, &id, &len), 1);
	sync_fe(fe);
	assert_int_equal(log_count(DISABLED), before + 1);
	close_fe();

	/* enabled at once (as QEMU): a request, and nothing said */
	fe = open_fe(ITEST_START, NULL);
	assert_int_equal(fe_request(fe, 0, &req, sizeof(req), rsp, sizeof(rsp), &len, WAIT_MS), 0);
	sync_fe(fe);
	assert_int_equal(log_count(DISABLED), before + 1);
	assert_int_equal(fe_stop(fe), 0);
	close_fe();
}

static void test_hint_daemon_exits_0(void **state)
{
	itest_stop_ok(&dmn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_hint_no_mem_table),
		T(test_hint_ring_without_mem),
		T(test_hint_no_call),
		T(test_hint_legacy_driver),
		T(test_hint_private_memory),
		T(test_hint_ring_not_enabled),
#undef T
		cmocka_unit_test(test_hint_daemon_exits_0),
	};

	signal(SIGPIPE, SIG_IGN);
	if (getenv("VDTEST_FILTER"))
		cmocka_set_test_filter(getenv("VDTEST_FILTER"));
	return cmocka_run_group_tests_name("hints", tests, NULL, group_teardown);
}
