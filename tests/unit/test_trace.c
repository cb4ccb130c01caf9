/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The trace writer (common/trace.c): the pcap bytes of an I2C message,
 * a VCD's definitions and changes, JSON lines, and what happens when the
 * reader is too slow: records are dropped, never waited for, counted, and
 * the count ends up in the trace. */
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
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "common/json.h"
#include "common/trace.h"
#include "vhost/loop.h"

static char dir[64], path[128];

static int setup(void **state)
{
	strcpy(dir, "/tmp/vdtrace.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t", dir);
	return 0;
}

static int teardown(void **state)
{
	trace_close();
	unlink(path);
	rmdir(dir);
	return 0;
}

static size_t slurp(uint8_t *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, cap);
	close(fd);
	assert_true(n >= 0);
	return (size_t)n;
}

static void test_trace_format_names(void **state)
{
	assert_int_equal(trace_format_parse("pcap"), TRACE_PCAP);
	assert_int_equal(trace_format_parse("vcd"), TRACE_VCD);
	assert_int_equal(trace_format_parse("json"), TRACE_JSON);
	assert_int_equal(trace_format_parse("pcapng"), TRACE_NONE);
	assert_string_equal(trace_format_name(TRACE_VCD), "vcd");
	assert_int_equal(trace_open("/nonexistent/dir/t", TRACE_PCAP), -ENOENT);
	assert_false(trace_on(TRACE_PCAP));
}

/* the file header and one record per message, written at once without
 * a loop */
static void test_trace_pcap_bytes(void **state)
{
	uint8_t b[256];
	size_t n;

	assert_int_equal(trace_open(path, TRACE_PCAP), 0);
	assert_true(trace_on(TRACE_PCAP));
	trace_i2c(3, 0x50, false, (const uint8_t *)"\x10\x41", 2);
	trace_i2c(0x85, 0x48, true, (const uint8_t *)"\x17\x80", 2);
	trace_i2c(1, 0x20, true, NULL, 0);
	trace_json("x", "\"no\": 1");               /* another format's: ignored */
	n = slurp(b, sizeof(b));
	assert_int_equal(n, 24 + 3 * 16 + (6 + 2) + (6 + 2) + 6);
	/* magic (microseconds), 2.4, zone 0, sigfigs 0, snaplen, link type 209 */
	assert_memory_equal(b, "\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0"
			    "\xff\xff\0\0\xd1\0\0\0", 24);
	/* lengths, then the pseudo-header: bus, flags (big-endian), then the
	 * address byte and the data */
	assert_memory_equal(b + 24 + 8, "\x08\0\0\0\x08\0\0\0", 8);
	assert_memory_equal(b + 24 + 16, "\x03\0\0\0\0\xa0\x10\x41", 8);
	assert_memory_equal(b + 48 + 16, "\x05\0\0\0\x01\x91\x17\x80", 8);  /* bus & 0x7f */
	assert_memory_equal(b + 72 + 8, "\x06\0\0\0\x06\0\0\0", 8);
	assert_memory_equal(b + 72 + 16, "\x01\0\0\0\x01\x41", 6);
	assert_int_equal(trace_close(), 0);
	assert_false(trace_on(TRACE_PCAP));
	trace_i2c(3, 0x50, false, NULL, 0);       /* closed: nothing */
	assert_int_equal(slurp(b, sizeof(b)), n);
}

static void test_trace_vcd(void **state)
{
	char b[1024];
	size_t n;
	int w0, w1;

	assert_int_equal(trace_open(path, TRACE_VCD), 0);
	trace_vcd_scope("gpio0");
	w0 = trace_vcd_wire("button");
	w1 = trace_vcd_wire("led");
	trace_vcd_change(w0, 1);                  /* before the definitions end */
	trace_vcd_defs_end();
	assert_int_equal(trace_vcd_wire("late"), -1);
	trace_vcd_change(w0, 1);
	trace_vcd_change(w0, 1);                  /* no change: not recorded */
	trace_vcd_change(w1, 0);
	trace_vcd_change(w1, -1);
	trace_vcd_change(7, 1);                   /* no such wire */
	trace_close();
	n = slurp((uint8_t *)b, sizeof(b) - 1);
	b[n] = 0;
	assert_non_null(strstr(b, "$timescale 1 us $end\n$scope module gpio0 $end\n"
			       "$var wire 1 ! button $end\n$var wire 1 \" led $end\n"
			       "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\nx!\nx\"\n$end\n"));
	{
		/* the changes: 1!, 0", x" (times in between) */
		const char *p = strstr(strstr(b, "$dumpvars"), "$end\n#");
		unsigned ones = 0, zeros = 0, xs = 0;

		assert_non_null(p);
		for (; *p; p++) {
			if (p[0] == '\n' && p[1] == '1' && p[2] == '!')
				ones++;
			if (p[0] == '\n' && p[1] == '0' && p[2] == '"')
				zeros++;
			if (p[0] == '\n' && p[1] == 'x' && p[2] == '"')
				xs++;
		}
		assert_int_equal(ones, 1);
		assert_int_equal(zeros, 1);
		assert_int_equal(xs, 1);
	}
}

/* ---- ctl trace.stop / trace.start ---- */

static void test_trace_stop_start_pcap(void **state)
{
	struct trace_info i;
	uint8_t b[512];
	size_t n;

	assert_int_equal(trace_open(path, TRACE_PCAP), 0);
	trace_i2c(0, 0x50, false, (const uint8_t *)"\x01", 1);
	assert_int_equal(trace_record(false), 0);
	assert_false(trace_on(TRACE_PCAP));       /* devices make no record */
	trace_i2c(0, 0x51, false, (const uint8_t *)"\x02", 1);   /* absent */
	assert_int_equal(trace_record(false), 0); /* again: no change */
	trace_get_info(&i);
	assert_false(i.recording);
	assert_string_equal(i.path, path);
	assert_int_equal(i.fmt, TRACE_PCAP);
	assert_int_equal(i.records, 1);
	assert_int_equal(i.dropped, 0);
	assert_int_equal(trace_record(true), 0);
	assert_true(trace_on(TRACE_PCAP));
	trace_i2c(0, 0x52, false, (const uint8_t *)"\x03", 1);
	trace_get_info(&i);
	assert_true(i.recording);
	assert_int_equal(i.records, 2);
	assert_int_equal(trace_close(), 0);
	/* one file header, then the two records made while recording */
	n = slurp(b, sizeof(b));
	assert_int_equal(n, 24 + 2 * (16 + 6 + 1));
	assert_memory_equal(b, "\xd4\xc3\xb2\xa1", 4);
	assert_memory_equal(b + 24 + 16, "\0\0\0\0\0\xa0\x01", 7);
	assert_memory_equal(b + 24 + 23 + 16, "\0\0\0\0\0\xa4\x03", 7);
}

/* a VCD stopped and started: the changes while stopped are absent, the
 * stop is a $dumpoff (the lines x), the start a $dumpon with the values
 * they have then; the definitions once, the times never going back */
static void test_trace_stop_start_vcd(void **state)
{
	char b[2048], seq[512] = "", *line, *save = NULL;
	unsigned long long last = 0;
	unsigned defs = 0, stamps = 0;      /* the times never go back */
	struct trace_info i;
	int w0, w1, w2;
	size_t n;

	assert_int_equal(trace_open(path, TRACE_VCD), 0);
	trace_vcd_scope("gpio0");
	w0 = trace_vcd_wire("a");
	w1 = trace_vcd_wire("b");
	w2 = trace_vcd_wire("c");
	trace_vcd_defs_end();
	trace_vcd_change(w0, 1);
	assert_int_equal(trace_record(false), 0);
	assert_false(trace_on(TRACE_VCD));
	trace_vcd_change(w0, 0);                  /* while stopped: absent */
	trace_vcd_change(w1, 1);
	trace_vcd_change(w1, 0);
	trace_vcd_change(w1, 1);
	assert_int_equal(trace_record(true), 0);
	assert_int_equal(trace_record(true), 0);  /* again: no second mark */
	trace_vcd_change(w2, 1);
	trace_vcd_change(w0, 1);
	trace_get_info(&i);
	assert_int_equal(i.records, 3);
	trace_close();
	n = slurp((uint8_t *)b, sizeof(b) - 1);
	b[n] = 0;
	for (line = strtok_r(b, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "$enddefinitions $end"))
			defs++;
		if (line[0] == '#') {
			unsigned long long t = strtoull(line + 1, NULL, 10);

			if (stamps++)
				assert_true(t >= last);
			last = t;
			continue;
		}
		assert_null(strstr(line, "$comment"));   /* ends sigrok's read */
		if (!defs || (line[0] == '$' && strncmp(line, "$dump", 5)))
			continue;
		strncat(seq, line, sizeof(seq) - strlen(seq) - 2);
		strcat(seq, "|");
	}
	assert_int_equal(defs, 1);
	assert_string_equal(seq, "$dumpvars|x!|x\"|x#|1!|$dumpoff|x!|x\"|x#|"
			    "$dumpon|0!|1\"|x#|1#|1!|");
}

static void test_trace_stop_start_json(void **state)
{
	char b[2048], *line, *save = NULL;
	const char *want[] = { "\"i\": 1", "\"trace\": \"stopped\"", "\"trace\": \"started\"",
			       "\"i\": 3" };
	double last = 0;
	unsigned k = 0;
	size_t n;

	assert_int_equal(trace_open(path, TRACE_JSON), 0);
	trace_json("t", "\"i\": %d", 1);
	assert_int_equal(trace_record(false), 0);
	assert_false(trace_on(TRACE_JSON));
	trace_json("t", "\"i\": %d", 2);
	assert_int_equal(trace_record(true), 0);
	assert_true(trace_on(TRACE_JSON));
	trace_json("t", "\"i\": %d", 3);
	trace_close();
	n = slurp((uint8_t *)b, sizeof(b) - 1);
	b[n] = 0;
	for (line = strtok_r(b, "\n", &save); line; line = strtok_r(NULL, "\n", &save), k++) {
		struct json_tok tok[16];
		struct json_doc d;
		double t;

		assert_true(k < 4);
		assert_int_equal(json_parse(&d, line, strlen(line), tok, 16), 0);
		assert_non_null(strstr(line, want[k]));
		assert_int_equal(sscanf(line, "{\"time\": %lf", &t), 1);
		assert_true(t >= last);
		last = t;
	}
	assert_int_equal(k, 4);
}

/* without a trace, and after a write error: refused, saying why */
static void test_trace_stop_start_refused(void **state)
{
	struct trace_info i;

	assert_int_equal(trace_record(false), -ENOENT);
	assert_int_equal(trace_record(true), -ENOENT);
	trace_get_info(&i);
	assert_null(i.path);
	assert_false(i.recording);
	assert_int_equal(trace_open("/dev/full", TRACE_PCAP), 0);  /* the header fails */
	trace_get_info(&i);
	assert_true(i.failed);
	assert_false(i.recording);
	assert_int_equal(trace_record(true), -EIO);
	assert_int_equal(trace_record(false), -EIO);
	trace_close();
}

/* ---- a reader that does not read: drops, counted, written at the end ---- */

struct reader {
	int fd;
	char *buf;
	size_t len, cap;
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;
	ssize_t n;

	while ((n = read(r->fd, r->buf + r->len, r->cap - r->len)) > 0)
		r->len += (size_t)n;
	return NULL;
}

static void test_trace_slow_reader_drops_and_counts(void **state)
{
	static char big[4u << 20];
	struct reader rd = { .buf = big, .cap = sizeof(big) - 1 };
	char pad[201], fdpath[64], want[64];
	unsigned long dropped, lines = 0;
	struct loop *l = loop_new();
	pthread_t th;
	int p[2];
	const unsigned N = 4000;

	assert_non_null(l);
	memset(pad, 'p', 200);
	pad[200] = 0;
	assert_int_equal(pipe(p), 0);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", p[1]);
	assert_int_equal(trace_open(fdpath, TRACE_JSON), 0);
	close(p[1]);
	assert_int_equal(trace_start(l), 0);
	/* nobody reads the pipe and the loop does not run: the first full
	 * half goes to the worker, which blocks in write(); the rest fills
	 * the other buffer and is then dropped, without waiting */
	for (unsigned i = 0; i < N; i++)
		trace_json("test", "\"i\": %u, \"pad\": \"%s\"", i, pad);
	dropped = trace_dropped();
	assert_true(dropped > 0);
	assert_true(dropped < N);
	/* now a reader; closing writes the rest and the count */
	rd.fd = p[0];
	assert_int_equal(pthread_create(&th, NULL, reader_run, &rd), 0);
	assert_int_equal(trace_close(), dropped);
	pthread_join(th, NULL);
	close(p[0]);
	loop_free(l);
	big[rd.len] = 0;
	for (char *s = big; (s = strstr(s, "\"dev\": \"test\", \"i\": ")); s++)
		lines++;
	assert_int_equal(lines + dropped, N);
	snprintf(want, sizeof(want), "\"dropped\": %lu}\n", dropped);
	assert_non_null(strstr(big, want));
}

/* The same with a VCD: no $comment among the changes (sigrok-cli stops
 * reading at one), and after the drops every line gets its value again,
 * so the file ends with the values the lines have. */
static void test_trace_vcd_drops_resync(void **state)
{
	static char big[4u << 20];
	struct reader rd = { .buf = big, .cap = sizeof(big) - 1 };
	char fdpath[64], last[2] = { 'x', 'x' }, *line, *save = NULL;
	struct loop *l = loop_new();
	unsigned long dropped;
	pthread_t th;
	int p[2], w0, w1;

	assert_non_null(l);
	assert_int_equal(pipe(p), 0);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", p[1]);
	assert_int_equal(trace_open(fdpath, TRACE_VCD), 0);
	close(p[1]);
	w0 = trace_vcd_wire("a");
	w1 = trace_vcd_wire("b");
	trace_vcd_defs_end();
	assert_int_equal(trace_start(l), 0);
	/* nobody reads: the changes fill both buffers, then are dropped */
	for (unsigned i = 0; i < 200000; i++)
		trace_vcd_change(w0, (int)(i & 1));
	trace_vcd_change(w1, 1);                 /* dropped too */
	dropped = trace_dropped();
	assert_true(dropped > 0);
	rd.fd = p[0];
	assert_int_equal(pthread_create(&th, NULL, reader_run, &rd), 0);
	assert_int_equal(trace_close(), dropped);
	pthread_join(th, NULL);
	close(p[0]);
	loop_free(l);
	big[rd.len] = 0;
	assert_null(strstr(big, "$comment"));
	for (line = strtok_r(big, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if ((line[0] == '0' || line[0] == '1' || line[0] == 'x') &&
		    (line[1] == '!' || line[1] == '"') && !line[2])
			last[line[1] == '"'] = line[0];
	assert_int_equal(last[0], '1');          /* the last change, i = 199999 */
	assert_int_equal(last[1], '1');
}

/* A FIFO nobody reads yet: the start fails at once, naming no reader,
 * instead of waiting in open() for one. */
static void test_trace_fifo_without_reader(void **state)
{
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(trace_open(path, TRACE_JSON), -ENXIO);
}

/* A reader that stopped reading holds the end of the trace at exit for
 * a bounded time only: trace_close returns, what did not fit is lost. */
static void test_trace_close_stuck_reader(void **state)
{
	char pad[201], fdpath[64], buf[4096];
	struct loop *l = loop_new();
	size_t got = 0;
	ssize_t n;
	int p[2];

	assert_non_null(l);
	memset(pad, 'p', 200);
	pad[200] = 0;
	assert_int_equal(pipe(p), 0);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", p[1]);
	assert_int_equal(trace_open(fdpath, TRACE_JSON), 0);
	close(p[1]);
	assert_int_equal(trace_start(l), 0);
	/* 100 KiB: less than half a buffer (no worker), more than the pipe
	 * holds (64 KiB); the loop never runs, so it is all left to close */
	for (unsigned i = 0; i < 400; i++)
		trace_json("test", "\"i\": %u, \"pad\": \"%s\"", i, pad);
	assert_int_equal(trace_dropped(), 0);
	assert_int_equal(trace_close(), 0);
	loop_free(l);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		got += (size_t)n;
	close(p[0]);
	assert_true(got > 0);
	assert_true(got < 400 * 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trace_format_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_pcap_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_vcd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_stop_start_pcap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_stop_start_vcd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_stop_start_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_stop_start_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_slow_reader_drops_and_counts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_vcd_drops_resync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_fifo_without_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_close_stuck_reader, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
