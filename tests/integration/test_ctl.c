/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The control socket on a real daemon serving a guest: hostile control
 * clients (garbage, an over-long line, one that never reads, more than
 * the limit at once) while the guest's requests keep being answered, and
 * the guest's requests counted by `stats`. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "../frontend/fe.h"
#include "../frontend/itest.h"

#define WAIT_MS 5000

static struct itest_daemon dmn;
static char sock0[160], ctlp[100];

static int spawn(struct proc *p, void *arg)
{
	const char *extra[] = { "-l", "s8", "--control", ctlp, NULL };

	if ((size_t)snprintf(ctlp, sizeof(ctlp), "%s/c.ctl", p->dir) >= sizeof(ctlp))
		return -ENAMETOOLONG;
	proc_sock_path(p, 1, 0, sock0, sizeof(sock0));
	return proc_spawn_sockets(p, "gpio", 1, extra);
}

static int setup(void **state)
{
	itest_ensure_ok(&dmn, spawn, NULL);
	return 0;
}

static int teardown(void **state)
{
	return itest_teardown_check(&dmn);
}

static int group_teardown(void **state)
{
	return itest_daemon_stop(&dmn) != 0;
}

static int ctl_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_true(strlen(ctlp) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, ctlp, strlen(ctlp) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* One line (bounded wait); "" at EOF. */
static char *line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		assert_int_equal(poll(&p, 1, WAIT_MS), 1);
		r = read(fd, buf + n, 1);
		assert_true(r >= 0);
		if (r == 0)
			break;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return buf;
}

static int ctl_client(void)
{
	char buf[512];
	int fd = ctl_connect();

	assert_non_null(strstr(line(fd, buf, sizeof(buf)), "\"protocol\":1"));
	return fd;
}

static char *ask(int fd, const char *req, char *buf, size_t cap)
{
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	return line(fd, buf, cap);
}

/* The guest asks line 0's direction: answered with status OK. */
static void guest_served(struct fe *fe)
{
	uint8_t req[8] = { 0x02, 0x00, 0, 0, 0, 0, 0, 0 }, resp[2] = { 0xff, 0xff };
	uint32_t len = 0;

	assert_int_equal(fe_request(fe, 0, req, sizeof(req), resp, sizeof(resp), &len, WAIT_MS), 0);
	assert_int_equal(len, 2);
	assert_int_equal(resp[0], 0);
}

static void test_ctl_int_stats_count_the_guests_requests(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);
	char buf[4096];
	int c = ctl_client();

	assert_non_null(strstr(ask(c, "{\"id\":1,\"cmd\":\"list\"}\n", buf, sizeof(buf)),
			       "\"connected\":true"));
	for (int i = 0; i < 5; i++)
		guest_served(fe);
	ask(c, "{\"id\":2,\"cmd\":\"stats\"}\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"connections\":1"));
	assert_non_null(strstr(buf, "\"requests\":5"));
	assert_non_null(strstr(buf, "\"broken_now\":0"));
	close(c);
	itest_close_ok(fe);
}

/* Hostile control clients at once; the guest is served throughout and a
 * well-behaved client too. */
static void test_ctl_int_hostile_clients_do_not_disturb_the_guest(void **state)
{
	struct fe *fe = itest_open_ok(sock0, NULL);
	static char big[16384];
	char buf[4096];
	int garbage = ctl_client(), longl = ctl_client(), deaf = ctl_client(), good;
	int many[20], refused = 0;

	/* garbage: an error reply each, the client stays */
	assert_non_null(strstr(ask(garbage, "\x01\x02{{{\n", buf, sizeof(buf)), "ParseError"));
	guest_served(fe);
	/* an over-long line (exactly the buffer, so that nothing is left
	 * unread at the close, which would reset the connection before the
	 * reply is read): an error, then closed */
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(longl, big, 16384), 16384);
	assert_non_null(strstr(line(longl, buf, sizeof(buf)), "LineTooLong"));
	assert_string_equal(line(longl, buf, sizeof(buf)), "");
	guest_served(fe);
	/* one that sends many requests and never reads */
	for (int i = 0; i < 200; i++)
		(void)!send(deaf, "{\"cmd\":\"help\"}\n", 15, MSG_DONTWAIT | MSG_NOSIGNAL);
	guest_served(fe);
	/* more clients than allowed: the rest are refused */
	for (int i = 0; i < 20; i++) {
		many[i] = ctl_connect();
		line(many[i], buf, sizeof(buf));
		if (strstr(buf, "TooManyClients"))
			refused++;
	}
	assert_int_equal(refused, 20 - (16 - 2));  /* 16 at most: garbage and deaf hold two */
	guest_served(fe);
	for (int i = 0; i < 20; i++)
		close(many[i]);
	close(garbage);
	close(longl);
	/* the guest and a new client are served, the deaf one still connected */
	good = ctl_client();
	assert_non_null(strstr(ask(good, "{\"id\":7,\"cmd\":\"stats\"}\n", buf, sizeof(buf)),
			       "{\"id\":7,\"return\""));
	assert_non_null(strstr(buf, "\"closed\":1"));
	guest_served(fe);
	close(deaf);
	close(good);
	itest_close_ok(fe);
}

static void test_ctl_int_sigterm_removes_the_control_socket(void **state)
{
	assert_int_equal(itest_daemon_stop(&dmn), 0);
	assert_int_equal(access(ctlp, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctl_int_stats_count_the_guests_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_int_hostile_clients_do_not_disturb_the_guest, setup, teardown),
		cmocka_unit_test_setup(test_ctl_int_sigterm_removes_the_control_socket, setup),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
