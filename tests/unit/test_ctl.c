/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The control socket's server (common/ctl*.c) on a loop of its own:
 * command dispatch and argument checks, the words-to-request mapping of
 * the ctl applet, and each reaction to a hostile client. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/ctl.h"
#include "common/trace.h"
#include "vhost/loop.h"

static struct loop *l;
static char dir[64], path[128];
static int64_t last_value;

static int cmd_set(void *opaque, struct ctl_call *c)
{
	int64_t v, t = 0;
	char name[16] = "";
	bool on = false;

	if (ctl_arg_int_req(c, "value", 0, 1, &v) < 0 || ctl_arg_fixed(c, "temp", 3, -55000, 125000, &t) < 0 ||
	    ctl_arg_str(c, "name", name, sizeof(name)) < 0 || ctl_arg_bool(c, "on", &on) < 0)
		return -1;
	last_value = v;
	jw_int(ctl_out(c), "value", v);
	jw_fixed(ctl_out(c), "temp", t, 3);
	jw_str(ctl_out(c), "name", name);
	return 0;
}

static int cmd_fail(void *opaque, struct ctl_call *c)
{
	return ctl_fail(c, CTL_E_STATE, "not now");
}

static int cmd_hex(void *opaque, struct ctl_call *c)
{
	uint8_t b[4];
	size_t n;
	int r = ctl_arg_hex(c, "data", b, sizeof(b), &n);

	if (r)
		return r < 0 ? -1 : ctl_fail(c, CTL_E_ARG, "missing data");
	jw_hex(ctl_out(c), "data", b, n);
	return 0;
}

static int cmd_big(void *opaque, struct ctl_call *c)
{
	static uint8_t z[CTL_REPLY_MAX];

	jw_hex(ctl_out(c), "data", z, sizeof(z));
	return 0;
}

static int cmd_fill(void *opaque, struct ctl_call *c)
{
	static uint8_t z[7000];

	jw_hex(ctl_out(c), "data", z, sizeof(z));
	return 0;
}

static int cmd_event(void *opaque, struct ctl_call *c)
{
	int64_t n = 1;

	if (ctl_arg_int(c, "n", 1, 100000, &n) < 0)
		return -1;
	for (int64_t i = 0; i < n; i++) {
		struct json_w *w = ctl_event_begin("test.ev");

		if (w) {
			jw_int(w, "i", i);
			ctl_event_end(w);
		}
	}
	return 0;
}

static const struct ctl_cmd cmds[] = {
	{ "t.set", "value temp name on", "set", cmd_set },
	{ "t.fail", "", "fails", cmd_fail },
	{ "t.hex", "data", "hex", cmd_hex },
	{ "t.big", "", "too big", cmd_big },
	{ "t.fill", "", "14 KB", cmd_fill },
	{ "t.event", "n", "n events", cmd_event },
	{ 0 }
};

static int setup(void **state)
{
	strcpy(dir, "/tmp/vdctl.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c.ctl", dir);
	l = loop_new();
	assert_non_null(l);
	ctl_reset_registry();
	assert_int_equal(ctl_register(cmds, NULL), 0);
	assert_int_equal(ctl_server_start(l, path, "test", NULL, 0), 0);
	return 0;
}

static int teardown(void **state)
{
	ctl_server_stop();
	loop_free(l);
	rmdir(dir);
	return 0;
}

static void pump(void)
{
	while (loop_run_once(l, 0) > 0)
		;
}

static int connect_ctl(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* The next line from fd into buf (the loop run meanwhile); "" at EOF. */
static char *get_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	for (int tries = 0; tries < 2000; tries++) {
		ssize_t r = recv(fd, buf + n, cap - 1 - n, MSG_PEEK | MSG_DONTWAIT);
		char *nl;

		if (r > 0) {
			nl = memchr(buf + n, '\n', (size_t)r);
			/* take up to the newline, or all that came */
			r = recv(fd, buf + n, nl ? (size_t)(nl - (buf + n)) + 1 : (size_t)r, 0);
			assert_true(r > 0);
			n += (size_t)r;
			if (nl) {
				buf[n - 1] = 0;
				return buf;
			}
			if (n == cap - 1)
				fail_msg("line too long");
			tries = 0;
			continue;
		}
		if (r == 0) {
			buf[n] = 0;
			return buf;
		}
		loop_run_once(l, 10);
	}
	buf[n] = 0;
	fail_msg("no line on fd %d after %zu bytes: %.60s", fd, n, buf);
	return NULL;
}

static int client(void)
{
	char buf[256];
	int fd = connect_ctl();

	pump();
	get_line(fd, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"protocol\":1"));
	assert_non_null(strstr(buf, "\"device\":\"test\""));
	return fd;
}

static void send_str(int fd, const char *s)
{
	assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

static char reply[CTL_REPLY_MAX * 3];

static const char *ask(int fd, const char *req)
{
	send_str(fd, req);
	pump();
	return get_line(fd, reply, sizeof(reply));
}

static void test_ctl_socket_is_owner_only(void **state)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_ctl_dispatch_and_arguments(void **state)
{
	int fd = client();

	assert_string_equal(ask(fd, "{\"id\":1,\"cmd\":\"t.set\",\"args\":{\"value\":1,\"temp\":25.5,"
				"\"name\":\"x\"}}\n"),
			    "{\"id\":1,\"return\":{\"value\":1,\"temp\":25.5,\"name\":\"x\"}}");
	assert_int_equal(last_value, 1);
	/* the id comes back verbatim: a string, null, absent */
	assert_string_equal(ask(fd, "{\"id\":\"a\\\"b\",\"cmd\":\"t.set\",\"args\":{\"value\":0}}\n"),
			    "{\"id\":\"a\\\"b\",\"return\":{\"value\":0,\"temp\":0,\"name\":\"\"}}");
	assert_non_null(strstr(ask(fd, "{\"cmd\":\"t.set\",\"args\":{\"value\":0}}\n"),
			       "{\"id\":null,\"return\""));
	/* each argument rule: the error names the key and the value */
	assert_non_null(strstr(ask(fd, "{\"id\":2,\"cmd\":\"t.set\",\"args\":{\"value\":2}}\n"),
			       "\"InvalidArgument\",\"desc\":\"value 2: out of range 0..1\""));
	assert_non_null(strstr(ask(fd, "{\"id\":2,\"cmd\":\"t.set\",\"args\":{}}\n"),
			       "missing argument 'value'"));
	assert_non_null(strstr(ask(fd, "{\"id\":2,\"cmd\":\"t.set\",\"args\":{\"value\":0.5}}\n"),
			       "value 0.5: expected an integer"));
	assert_non_null(strstr(ask(fd, "{\"id\":2,\"cmd\":\"t.set\",\"args\":{\"value\":\"1\"}}\n"),
			       "value \\\"1\\\": expected an integer"));
	assert_non_null(strstr(ask(fd, "{\"id\":2,\"cmd\":\"t.set\",\"args\":{\"value\":1,"
				   "\"temp\":25.0005}}\n"), "temp 25.0005: expected a number with at most 3"));
	assert_non_null(strstr(ask(fd, "{\"id\":2,\"cmd\":\"t.set\",\"args\":{\"value\":1,"
				   "\"temp\":126}}\n"), "temp 126: out of range -55..125"));
	assert_non_null(strstr(ask(fd, "{\"id\":2,\"cmd\":\"t.set\",\"args\":{\"value\":1,"
				   "\"name\":\"0123456789abcdef\"}}\n"), "longer than 15 bytes"));
	assert_non_null(strstr(ask(fd, "{\"id\":2,\"cmd\":\"t.set\",\"args\":{\"value\":1,"
				   "\"on\":\"yes\"}}\n"), "expected true, false, 0 or 1"));
	assert_non_null(strstr(ask(fd, "{\"id\":2,\"cmd\":\"t.set\",\"args\":{\"value\":1,"
				   "\"bogus\":1}}\n"), "unknown argument 'bogus'; it takes: value temp name on"));
	assert_non_null(strstr(ask(fd, "{\"id\":2,\"cmd\":\"t.set\",\"args\":{\"value\":[1]}}\n"),
			       "must be a number, a string, true, false or null"));
	assert_int_equal(last_value, 0);
	assert_non_null(strstr(ask(fd, "{\"id\":3,\"cmd\":\"t.fail\"}\n"),
			       "{\"id\":3,\"error\":{\"class\":\"Failed\",\"desc\":\"not now\"}}"));
	assert_non_null(strstr(ask(fd, "{\"id\":3,\"cmd\":\"t.hex\",\"args\":{\"data\":\"00aBff\"}}\n"),
			       "\"data\":\"00abff\""));
	assert_non_null(strstr(ask(fd, "{\"id\":3,\"cmd\":\"t.hex\",\"args\":{\"data\":\"0g\"}}\n"),
			       "'0g' at offset 0 is not hex"));
	assert_non_null(strstr(ask(fd, "{\"id\":3,\"cmd\":\"t.hex\",\"args\":{\"data\":\"abc\"}}\n"),
			       "even number of hex digits"));
	assert_non_null(strstr(ask(fd, "{\"id\":3,\"cmd\":\"t.hex\",\"args\":{\"data\":\"0011223344\"}}\n"),
			       "5 bytes, at most 4"));
	assert_non_null(strstr(ask(fd, "{\"id\":3,\"cmd\":\"t.big\"}\n"), "too large"));
	close(fd);
}

/* Each malformed request gets an error reply and the client goes on. */
static void test_ctl_malformed_requests_get_errors(void **state)
{
	static const struct { const char *req, *cls; } bad[] = {
		{ "{bad\n", "ParseError" },
		{ "[1]\n", "BadRequest" },
		{ "{\"id\":[1],\"cmd\":\"list\"}\n", "BadRequest" },
		{ "{\"id\":1,\"cmd\":\"list\",\"x\":1}\n", "BadRequest" },
		{ "{\"id\":1}\n", "BadRequest" },
		{ "{\"id\":1,\"cmd\":5}\n", "BadRequest" },
		{ "{\"id\":1,\"cmd\":\"list\",\"args\":[]}\n", "BadRequest" },
		{ "{\"id\":1,\"cmd\":\"nosuch\"}\n", "CommandNotFound" },
		{ "{\"id\":\"0123456789012345678901234567890123456789012345678901234567890123456789\","
		  "\"cmd\":\"list\"}\n", "BadRequest" },
	};
	int fd = client();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "\"class\":\"%s\"", bad[i].cls);
		if (!strstr(ask(fd, bad[i].req), want))
			fail_msg("%s: got %s", bad[i].req, reply);
	}
	/* blank lines are skipped; the client is still served */
	assert_non_null(strstr(ask(fd, "\n  \r\n{\"id\":9,\"cmd\":\"list\"}\n"), "{\"id\":9,\"return\""));
	close(fd);
}

static void test_ctl_overlong_line_closes_the_client(void **state)
{
	static char big[20000];
	int fd = client(), other = client();
	char buf[512];

	memset(big, 'x', sizeof(big));
	assert_int_equal(send(fd, big, sizeof(big), MSG_NOSIGNAL), (ssize_t)sizeof(big));
	pump();
	assert_non_null(strstr(get_line(fd, buf, sizeof(buf)), "\"class\":\"LineTooLong\""));
	assert_string_equal(get_line(fd, buf, sizeof(buf)), "");   /* closed */
	/* the other client is served */
	assert_non_null(strstr(ask(other, "{\"id\":1,\"cmd\":\"stats\"}\n"), "\"closed\":1"));
	close(fd);
	close(other);
}

static void test_ctl_client_limit(void **state)
{
	int fds[17];
	char buf[256];

	for (int i = 0; i < 16; i++)
		fds[i] = client();
	fds[16] = connect_ctl();
	pump();
	assert_non_null(strstr(get_line(fds[16], buf, sizeof(buf)), "TooManyClients"));
	assert_string_equal(get_line(fds[16], buf, sizeof(buf)), "");
	close(fds[16]);
	/* one gone, room for one more */
	close(fds[0]);
	pump();
	fds[0] = client();
	assert_non_null(strstr(ask(fds[0], "{\"id\":1,\"cmd\":\"stats\"}\n"), "\"refused\":1"));
	for (int i = 0; i < 16; i++)
		close(fds[i]);
}

/* A client that never reads: once no whole reply would fit in its buffer,
 * its requests are no longer read (they stay in its socket), so what the
 * daemon buffers for it stays bounded; every request is still answered,
 * in order, once it reads; others are served meanwhile. */
static void test_ctl_client_that_never_reads(void **state)
{
	int fd = client(), w = client(), other = client();
	static char chunk[60 * 400];
	char buf[512];
	int queued = 0;

	ask(w, "{\"id\":1,\"cmd\":\"watch\"}\n");
	/* 60 replies of 14 KB each: far more than its buffer and the socket
	 * hold; the requests padded (white space) to more than the daemon's
	 * line buffer, 16 KB */
	for (int k = 0; k < 60; k++)
		sprintf(chunk + strlen(chunk), "{\"id\":%d,\"cmd\":\"t.fill\"}%360s\n", k, "");
	assert_int_equal(send(fd, chunk, strlen(chunk), MSG_NOSIGNAL), (ssize_t)strlen(chunk));
	pump();
	assert_int_equal(ioctl(fd, SIOCOUTQ, &queued), 0);
	assert_true(queued > 0);     /* the daemon stopped reading it */
	/* meanwhile everyone else is served, events flow */
	assert_non_null(strstr(ask(other, "{\"id\":2,\"cmd\":\"t.event\"}\n"), "\"return\""));
	assert_non_null(strstr(get_line(w, buf, sizeof(buf)), "\"event\":\"test.ev\""));
	/* now it reads: every request answered, in order */
	for (int k = 0; k < 60; k++) {
		char want[32];

		snprintf(want, sizeof(want), "{\"id\":%d,\"return\"", k);
		if (strncmp(get_line(fd, reply, sizeof(reply)), want, strlen(want)))
			fail_msg("reply %d: %.40s", k, reply);
	}
	close(fd);
	close(w);
	close(other);
}

static void test_ctl_events_dropped_are_counted(void **state)
{
	int w = client(), other = client();
	char buf[512];
	unsigned events = 0;
	char *p;

	ask(w, "{\"id\":1,\"cmd\":\"watch\"}\n");
	/* far more than the watcher's buffers hold */
	assert_non_null(strstr(ask(other, "{\"id\":2,\"cmd\":\"t.event\",\"args\":{\"n\":20000}}\n"),
			       "\"return\""));
	for (;;) {
		get_line(w, buf, sizeof(buf));
		assert_non_null(strstr(buf, "\"event\":\"test.ev\""));
		events++;
		if (recv(w, buf, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
			continue;
		pump();   /* what the daemon still buffers */
		if (recv(w, buf, 1, MSG_PEEK | MSG_DONTWAIT) <= 0)
			break;
	}
	assert_true(events < 20000);
	/* the next event is preceded by the count of those lost */
	ask(other, "{\"id\":3,\"cmd\":\"t.event\"}\n");
	p = get_line(w, buf, sizeof(buf));
	assert_non_null(strstr(p, "\"event\":\"dropped\""));
	assert_int_equal(strtoul(strstr(p, "\"count\":") + 8, NULL, 10), 20000 - events);
	assert_non_null(strstr(get_line(w, buf, sizeof(buf)), "\"event\":\"test.ev\""));
	close(w);
	close(other);
}

/* Faster than the rate: the rest waits for the timer, then is answered. */
static void test_ctl_rate_limit(void **state)
{
	int fd = client();
	static char many[300 * 32];
	size_t n = 0;
	unsigned got = 0;
	char buf[512];

	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "{\"id\":%d,\"cmd\":\"list\"}\n", i);
	assert_int_equal(send(fd, many, n, MSG_NOSIGNAL), (ssize_t)n);
	pump();
	/* what the first passes answered, without the timer */
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		for (char *p = buf; (p = memchr(p, '\n', (size_t)(buf + sizeof(buf) - p))); p++)
			got++;
	assert_true(got < 300);
	close(fd);
}

static void test_ctl_words_to_request(void **state)
{
	char buf[512], err[128];
	char *w1[] = { "gpio", "set", "line=3", "value=1", "name=abc", "t=25.5", "x=0x1f", "b=true",
		       "j:=[1,2]", "s=-", "n=null", "h=-0x10" };
	char *w2[] = { "list" };
	char *bad1[] = { "gpio", "line=3", "set" };
	char *bad2[] = { "gpio", "j:=[1," };
	char *bad3[] = { "gpio", "a=1", "a=2" };
	char *bad4[] = { "x=1" };
	char *bad5[] = { "gpio", "=1" };
	char *bad6[] = { "gpio", "h=0xfffffffffffffffff" };

	assert_true(ctl_words_request(12, w1, 5, buf, sizeof(buf), err, sizeof(err)) > 0);
	assert_string_equal(buf, "{\"id\":5,\"cmd\":\"gpio.set\",\"args\":{\"line\":3,\"value\":1,"
			    "\"name\":\"abc\",\"t\":25.5,\"x\":31,\"b\":true,\"j\":[1,2],\"s\":\"-\","
			    "\"n\":null,\"h\":-16}}");
	assert_true(ctl_words_request(1, w2, 1, buf, sizeof(buf), err, sizeof(err)) > 0);
	assert_string_equal(buf, "{\"id\":1,\"cmd\":\"list\"}");
	assert_int_equal(ctl_words_request(3, bad1, 1, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'set'"));
	assert_int_equal(ctl_words_request(2, bad2, 1, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not JSON"));
	assert_int_equal(ctl_words_request(3, bad3, 1, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "given twice"));
	assert_int_equal(ctl_words_request(1, bad4, 1, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no command"));
	assert_int_equal(ctl_words_request(2, bad5, 1, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_int_equal(ctl_words_request(2, bad6, 1, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "hex"));
}

/* trace, trace.stop, trace.start: the --trace file's state; without a
 * trace they fail, saying so */
static void test_ctl_trace_commands(void **state)
{
	static char r[CTL_REPLY_MAX];
	char file[160], want[320];
	const char *stop = "{\"id\":1,\"cmd\":\"trace.stop\"}", *start = "{\"id\":2,\"cmd\":\"trace.start\"}",
		   *st = "{\"id\":3,\"cmd\":\"trace\"}", *list = "{\"id\":4,\"cmd\":\"list\"}";

	ctl_run_line(st, strlen(st), r);
	assert_string_equal(r, "{\"id\":3,\"return\":{\"tracing\":false,\"file\":null,\"format\":null,"
			    "\"records\":0,\"dropped\":0,\"failed\":false}}");
	ctl_run_line(stop, strlen(stop), r);
	assert_non_null(strstr(r, "{\"id\":1,\"error\":{\"class\":\"Failed\",\"desc\":\"no trace: "
			       "the daemon was started without --trace FILE"));
	ctl_run_line(start, strlen(start), r);
	assert_non_null(strstr(r, "\"error\""));

	snprintf(file, sizeof(file), "%s/t.json", dir);
	assert_int_equal(trace_open(file, TRACE_JSON), 0);
	trace_json("t", "\"i\": 1");
	ctl_run_line(stop, strlen(stop), r);
	snprintf(want, sizeof(want), "{\"id\":1,\"return\":{\"tracing\":false,\"file\":\"%s\","
		 "\"format\":\"json\",\"records\":1,\"dropped\":0,\"failed\":false}}", file);
	assert_string_equal(r, want);
	assert_false(trace_on(TRACE_JSON));
	ctl_run_line(list, strlen(list), r);
	assert_non_null(strstr(r, "\"trace\":{\"tracing\":false,\"file\":\""));
	ctl_run_line(start, strlen(start), r);
	assert_non_null(strstr(r, "{\"id\":2,\"return\":{\"tracing\":true,"));
	assert_true(trace_on(TRACE_JSON));
	ctl_run_line(st, strlen(st), r);
	assert_non_null(strstr(r, "\"tracing\":true,"));
	trace_close();
	unlink(file);
}

static void test_ctl_register_refuses_a_taken_name(void **state)
{
	static const struct ctl_cmd dup[] = { { "list", "", "", cmd_fail }, { NULL } };
	static const struct ctl_cmd dup2[] = { { "t.set", "", "", cmd_fail }, { NULL } };

	assert_int_equal(ctl_register(dup, NULL), -EEXIST);
	assert_int_equal(ctl_register(dup2, NULL), -EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctl_socket_is_owner_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_dispatch_and_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_malformed_requests_get_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_overlong_line_closes_the_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_client_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_client_that_never_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_events_dropped_are_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_rate_limit, setup, teardown),
		cmocka_unit_test(test_ctl_words_to_request),
		cmocka_unit_test_setup_teardown(test_ctl_register_refuses_a_taken_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_trace_commands, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
