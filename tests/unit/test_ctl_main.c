/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The ctl applet (common/ctl_main.c) against a scripted daemon on a
 * thread: what it prints and its exit status for each answer a daemon
 * (or something that is not one) can give: refused, another protocol,
 * not JSON, an unexpected line, a line too long, the connection closed,
 * no answer, events while waiting for the reply, and watch. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/ctl.h"

#define GREET "{\"vhost-device\":{\"protocol\":1,\"version\":\"0.1.0\",\"device\":\"test\"}}\n"

static char dir[64], path[128];

/* what the scripted daemon does with its one client */
struct script {
	const char *greet;     /* sent at once (NULL: nothing) */
	const char *reply;     /* sent once the request came (NULL: none) */
	size_t junk;           /* then this many bytes without a newline */
	bool hold;             /* then wait until the client goes */
	char req[512];         /* the request it got */
};

static int lfd = -1;

static void send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = send(fd, s, n, MSG_NOSIGNAL);

		if (k <= 0)
			return;
		s += k;
		n -= (size_t)k;
	}
}

static void *daemon_run(void *arg)
{
	struct script *s = arg;
	int c = accept(lfd, NULL, NULL);
	size_t n = 0;
	char ch;

	if (c < 0)
		return NULL;
	if (s->greet) {
		send_all(c, s->greet, strlen(s->greet));
		/* the request (none, only EOF, after a greeting it refuses) */
		while (n < sizeof(s->req) - 1 && read(c, &ch, 1) == 1 && ch != '\n')
			s->req[n++] = ch;
	}
	s->req[n] = 0;
	if (s->reply)
		send_all(c, s->reply, strlen(s->reply));
	if (s->junk) {
		static char junk[64 * 1024];

		memset(junk, 'j', sizeof(junk));
		send_all(c, junk, s->junk < sizeof(junk) ? s->junk : sizeof(junk));
	}
	if (s->hold)
		while (read(c, &ch, 1) > 0)
			;
	close(c);
	return NULL;
}

static int setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(dir, "/tmp/vdctlm.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c.ctl", dir);
	strcpy(sa.sun_path, path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	return 0;
}

static int teardown(void **state)
{
	close(lfd);
	unlink(path);
	rmdir(dir);
	return 0;
}

static char out[8192], err[8192];

/* Read what fd (a temp file) got into buf. */
static void slurp(int fd, char *buf, size_t cap)
{
	ssize_t n = pread(fd, buf, cap - 1, 0);

	assert_true(n >= 0);
	buf[n] = 0;
}

/* Run `vhost-device ctl ARGS...` (NULL-terminated) with stdout and stderr
 * captured into out and err; with s, a daemon thread follows it.  The
 * exit status. */
static int run(struct script *s, ...)
{
	char *argv[16] = { "ctl" };
	int argc = 1, r, o, e, so, se;
	pthread_t th;
	va_list ap;

	va_start(ap, s);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	if (s)
		assert_int_equal(pthread_create(&th, NULL, daemon_run, s), 0);
	fflush(stdout);
	fflush(stderr);
	o = open(dir, O_TMPFILE | O_RDWR, 0600);
	e = open(dir, O_TMPFILE | O_RDWR, 0600);
	assert_true(o >= 0 && e >= 0);
	so = dup(1);
	se = dup(2);
	dup2(o, 1);
	dup2(e, 2);
	r = ctl_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	close(o);
	close(e);
	if (s)
		pthread_join(th, NULL);
	return r;
}

static void test_ctl_main_reply_and_events(void **state)
{
	struct script s = {
		.greet = GREET,
		/* an event before the reply: not printed without watch */
		.reply = "{\"event\":\"x\",\"data\":{}}\n{\"id\":1,\"return\":{\"a\":1}}\n",
	};

	assert_int_equal(run(&s, path, "trace", "stop", NULL), 0);
	assert_string_equal(s.req, "{\"id\":1,\"cmd\":\"trace.stop\"}");
	assert_string_equal(out, "{\"a\":1}\n");
	assert_string_equal(err, "");
	/* -r: the whole reply line; -- ends the options */
	assert_int_equal(run(&s, "-r", "--", path, "list", NULL), 0);
	assert_string_equal(out, "{\"id\":1,\"return\":{\"a\":1}}\n");
}

static void test_ctl_main_error_reply(void **state)
{
	struct script s = {
		.greet = GREET,
		.reply = "{\"id\":1,\"error\":{\"class\":\"Failed\",\"desc\":\"not now\"}}\n",
	};

	assert_int_equal(run(&s, path, "x", NULL), 1);
	assert_string_equal(err, "vhost-device ctl: Failed: not now\n");
	assert_string_equal(out, "");
}

static void test_ctl_main_watch(void **state)
{
	struct script s = {
		.greet = GREET,
		.reply = "{\"id\":1,\"return\":{\"watching\":true}}\n"
			 "{\"event\":\"a\",\"data\":{}}\n{\"event\":\"b\",\"data\":{}}\n",
	};

	/* events until the daemon closes: exit 0 */
	assert_int_equal(run(&s, path, "watch", NULL), 0);
	assert_string_equal(out, "{\"event\":\"a\",\"data\":{}}\n{\"event\":\"b\",\"data\":{}}\n");
}

/* each way a peer can fail the client: exit 2 and a line naming it */
static void test_ctl_main_bad_peers(void **state)
{
	static const struct {
		const char *greet, *reply, *want;
		size_t junk;
	} bad[] = {
		{ "{\"id\":null,\"error\":{\"class\":\"TooManyClients\",\"desc\":\"16\"}}\n", NULL,
		  "refused: {\"id\":null,\"error\":{\"class\":\"TooManyClients\"", 0 },
		{ "SSH-2.0-OpenSSH\n", NULL, "is not a vhost-device control socket", 0 },
		{ "{\"vhost-device\":{\"protocol\":2}}\n", NULL,
		  "the daemon speaks protocol 2, this client 1", 0 },
		{ NULL, NULL, "the daemon closed the connection", 0 },
		{ GREET, NULL, "the daemon closed the connection", 0 },
		{ GREET, "{oops\n", "not JSON from the daemon: {oops", 0 },
		{ GREET, "{\"id\":\"1\",\"return\":{}}\n", "unexpected line from the daemon", 0 },
		{ GREET, "{\"x\":1}\n", "unexpected line from the daemon", 0 },
		{ GREET, NULL, "a line from the daemon is too long", 20000 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct script s = { .greet = bad[i].greet, .reply = bad[i].reply,
				    .junk = bad[i].junk, .hold = bad[i].junk != 0 };

		if (run(&s, path, "list", NULL) != 2 || !strstr(err, bad[i].want))
			fail_msg("case %zu: want '%s', got: %s", i, bad[i].want, err);
	}
}

/* -t 1 and a daemon that never answers: the wait ends */
static void test_ctl_main_no_answer(void **state)
{
	struct script s = { .greet = GREET, .hold = true };

	assert_int_equal(run(&s, "-t", "1", path, "list", NULL), 2);
	assert_string_equal(err, "vhost-device ctl: no answer within 1 s\n");
}

/* usage errors: exit 2, nothing sent */
static void test_ctl_main_usage(void **state)
{
	static char long_path[200], long_arg[9000];

	memset(long_path, 'p', sizeof(long_path) - 1);
	assert_int_equal(run(NULL, long_path, "list", NULL), 2);
	assert_non_null(strstr(err, "path too long"));
	assert_int_equal(run(NULL, "--bogus", path, "list", NULL), 2);
	assert_string_equal(err, "vhost-device ctl: unknown option '--bogus'; see --help\n");
	assert_int_equal(run(NULL, "-t", NULL), 2);
	assert_non_null(strstr(err, "expected seconds, 0..86400"));
	assert_int_equal(run(NULL, path, "gpio.set", NULL), 2);
	assert_string_equal(err, "vhost-device ctl: 'gpio.set': not a command word\n");
	memcpy(long_arg, "k=", 2);
	memset(long_arg + 2, 'v', sizeof(long_arg) - 3);
	assert_int_equal(run(NULL, path, "x", long_arg, NULL), 2);
	assert_string_equal(err, "vhost-device ctl: the request is too long\n");
	assert_int_equal(run(NULL, path, NULL), 2);
	assert_non_null(strstr(err, "Usage: vhost-device ctl"));
	assert_int_equal(run(NULL, "-h", NULL), 0);
	assert_non_null(strstr(out, "Usage: vhost-device ctl"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctl_main_reply_and_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_main_error_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_main_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_main_bad_peers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_main_no_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_main_usage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
