/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The one start-up path: shared options added to every device, numbered
 * or verbatim sockets, the device's steps in order, cleanup on every
 * way out. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <cmocka.h>

#include "vhost/serve.h"

static int fake_handle(void *priv, struct vu_dev *d, unsigned q, struct vq_elem *e)
{
	return 0;
}

static const struct dev_ops fake_ops = {
	.name = "fake", .virtio_id = 4, .num_queues = 1, .queue_size = 64,
	.handle = fake_handle,
};

enum { O_FLAG = 1 };

static const struct opt fake_opts[] = {
	OPT("flag", 'F', NULL, "a device option", O_FLAG),
	OPT_END
};

static const struct opts_spec fake_spec = {
	.prog = "vhost-device-fake", .usage = "-s PATH", .tab = fake_opts,
};

struct calls {
	char log[512];
	unsigned fail_sock_at;     /* sock(i) fails for this i (0 = never) */
	int fail_start;
	char dir[64];
};

static void say(struct calls *c, const char *fmt, ...)
{
	size_t n = strlen(c->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->log + n, sizeof(c->log) - n, fmt, ap);
	va_end(ap);
}

static int f_opt(void *ctx, int id, const char *arg)
{
	say(ctx, "opt%d;", id);
	return 0;
}

static int f_start(void *ctx, struct loop *l, unsigned count)
{
	struct calls *c = ctx;

	say(c, "start%u;", count);
	return c->fail_start ? -1 : 0;
}

/* Numbered sockets get a zeroed unsigned each (sock_size), where the
 * socket's number + 1 is kept for f_sock_free; a verbatim one gets ctx. */
static int f_sock(void *ctx, const struct serve_sock *ss)
{
	struct calls *c = ctx;
	const char *base = strrchr(ss->path, '/');
	unsigned i = ss->i;

	say(c, "sock%u=%s;", i, base ? base + 1 : ss->path);
	if (!ss->l)
		say(c, "no-loop;");
	if (ss->priv == ctx)
		say(c, "ctx;");
	else if (*(unsigned *)ss->priv)
		say(c, "not-zeroed;");
	else
		*(unsigned *)ss->priv = i + 1;
	if (c->fail_sock_at && i == c->fail_sock_at) {
		/* every earlier socket listens by now */
		for (unsigned j = 0; j < i; j++) {
			char p[128];
			struct stat st;

			snprintf(p, sizeof(p), "%s/s%u", c->dir, j);
			say(c, "%s;", stat(p, &st) == 0 && S_ISSOCK(st.st_mode) ? "up" : "down");
		}
		return -1;
	}
	return 0;
}

static void f_stop(void *ctx)
{
	say(ctx, "stop;");
}

static void f_sock_free(void *ctx, void *priv)
{
	if (priv == ctx)
		say(ctx, "free;");
	else
		say(ctx, "free%u;", *(unsigned *)priv - 1);
}

static void f_cleanup(void *ctx, struct loop *l)
{
	say(ctx, "cleanup;");
}

static struct serve_dev numbered = {
	.spec = &fake_spec, .ops = &fake_ops, .numbered = true,
	.sock_size = sizeof(unsigned),
	.opt = f_opt, .start = f_start, .sock = f_sock, .stop = f_stop,
	.sock_free = f_sock_free, .cleanup = f_cleanup,
};

static struct serve_dev verbatim = {
	.spec = &fake_spec, .ops = &fake_ops, .numbered = false,
	.opt = f_opt, .start = f_start, .sock = f_sock, .stop = f_stop,
	.sock_free = f_sock_free, .cleanup = f_cleanup,
};

/* Run serve_main with argv, stdout captured into out. */
static int run(const struct serve_dev *dev, struct calls *c, char *out, size_t outlen,
	       int argc, const char **argv)
{
	FILE *tmp = tmpfile();
	int saved = dup(1), r;
	size_t n;

	assert_non_null(tmp);
	fflush(stdout);
	dup2(fileno(tmp), 1);
	r = serve_main(dev, c, argc, (char **)argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, outlen - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return r;
}

static void test_serve_help_has_the_shared_options(void **state)
{
	struct calls c = { .fail_start = 0 };
	char out[4096];
	const char *argv[] = { "p", "--help", NULL };

	assert_int_equal(run(&numbered, &c, out, sizeof(out), 2, argv), 0);
	assert_non_null(strstr(out, "  -s, --socket-path=PATH"));
	assert_non_null(strstr(out, "  -c, --socket-count=N"));
	assert_non_null(strstr(out, "(1 or more, default 1)\n"));
	assert_non_null(strstr(out, "      --mem-slots"));
	assert_non_null(strstr(out, "  -F, --flag"));
	assert_non_null(strstr(out, "  -v, --verbose"));
	assert_true(strstr(out, "--mem-slots") < strstr(out, "--flag"));
	assert_string_equal(c.log, "stop;cleanup;");

	memset(&c, 0, sizeof(c));
	assert_int_equal(run(&verbatim, &c, out, sizeof(out), 2, argv), 0);
	assert_non_null(strstr(out, "  -s, --socket-path=PATH"));
	assert_null(strstr(out, "--socket-count"));
	assert_non_null(strstr(out, "      --mem-slots"));
}

/* -c has no cap but RLIMIT_NOFILE: past the hard limit start-up fails
 * naming it (exit 1) before the device starts */
static void test_serve_socket_count_over_the_fd_limit_refused(void **state)
{
	struct calls c = { .fail_start = 0 };
	char out[256];
	const char *a1[] = { "p", "-s", "/nonexistent/x", "-c", "100000000", NULL };
	const char *a2[] = { "p", "-s", "/nonexistent/x", "-c", "2", NULL };
	const char *a3[] = { "p", "-s", "/nonexistent/x", "-c", "x", NULL };
	const char *a4[] = { "p", "-s", "/nonexistent/x", "-c", "0", NULL };

	assert_int_equal(run(&numbered, &c, out, sizeof(out), 5, a1), 1);
	assert_string_equal(c.log, "stop;cleanup;");
	/* a verbatim socket has no -c at all: a usage error */
	memset(&c, 0, sizeof(c));
	assert_int_equal(run(&verbatim, &c, out, sizeof(out), 5, a2), 2);
	assert_string_equal(c.log, "stop;cleanup;");
	/* not a number: usage (2); 0: refused after parsing (1) */
	memset(&c, 0, sizeof(c));
	assert_int_equal(run(&numbered, &c, out, sizeof(out), 5, a3), 2);
	memset(&c, 0, sizeof(c));
	assert_int_equal(run(&numbered, &c, out, sizeof(out), 5, a4), 1);
}

static void test_serve_socket_path_required(void **state)
{
	struct calls c = { .fail_start = 0 };
	char out[256];
	const char *argv[] = { "p", "-F", NULL };

	assert_int_equal(run(&numbered, &c, out, sizeof(out), 2, argv), 2);
	assert_string_equal(c.log, "opt1;stop;cleanup;");
}

static void test_serve_device_start_failure_listens_nowhere(void **state)
{
	struct calls c = { .fail_start = 1 };
	char out[256], path[128];
	const char *argv[] = { "p", "-s", path, "-c", "2", NULL };
	struct stat st;

	strcpy(c.dir, "/tmp/vdserve.XXXXXX");
	assert_non_null(mkdtemp(c.dir));
	snprintf(path, sizeof(path), "%s/s", c.dir);
	assert_int_equal(run(&numbered, &c, out, sizeof(out), 5, argv), 1);
	assert_string_equal(c.log, "start2;stop;cleanup;");
	snprintf(path, sizeof(path), "%s/s0", c.dir);
	assert_int_equal(stat(path, &st), -1);
	rmdir(c.dir);
}

static void test_serve_numbered_sockets_then_all_closed(void **state)
{
	struct calls c = { .fail_sock_at = 2 };
	char out[256], path[128];
	const char *argv[] = { "p", "-s", path, "-c", "3", NULL };
	struct stat st;

	strcpy(c.dir, "/tmp/vdserve.XXXXXX");
	assert_non_null(mkdtemp(c.dir));
	snprintf(path, sizeof(path), "%s/s", c.dir);
	assert_int_equal(run(&numbered, &c, out, sizeof(out), 5, argv), 1);
	/* each socket's own block; the one whose sock failed is not freed;
	 * stop before the sockets' state, cleanup after it */
	assert_string_equal(c.log, "start3;sock0=s0;sock1=s1;sock2=s2;up;up;"
			    "stop;free0;free1;cleanup;");
	/* the sockets that were listening are gone again */
	snprintf(path, sizeof(path), "%s/s0", c.dir);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/s1", c.dir);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(rmdir(c.dir), 0);
}

/* NOTIFY_SOCKET: a receiver gone by the time the sockets listen, or an
 * address that cannot be used, costs a warning, not the daemon (here it
 * goes on to serving); the variable is not passed on, and the next start
 * without it sends nothing. */
static int notify_rx = -1;
static char notify_path[128];

static int n_start(void *ctx, struct loop *l, unsigned count)
{
	say(ctx, "start;");
	close(notify_rx);            /* the service manager went away */
	unlink(notify_path);
	return 0;
}

static int n_serving(void *ctx, struct loop *l)
{
	say(ctx, "serving;");
	return -1;                   /* end here */
}

static const struct serve_dev notifying = {
	.spec = &fake_spec, .ops = &fake_ops, .numbered = false,
	.opt = f_opt, .start = n_start, .serving = n_serving,
};

static void run_err(const struct serve_dev *dev, struct calls *c, char *err, size_t len,
		    int argc, const char **argv)
{
	char out[4096];
	int fd = memfd_create("err", MFD_CLOEXEC), saved = dup(2);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	assert_int_equal(run(dev, c, out, sizeof(out), argc, argv), 1);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, err, len - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
}

static void test_serve_notify_failures_only_warn(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct calls c = { .fail_start = 0 };
	char dir[] = "/tmp/vdserve.XXXXXX", path[128], err[1024];
	const char *argv[] = { "p", "-s", path, NULL };

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	snprintf(notify_path, sizeof(notify_path), "%s/notify", dir);
	notify_rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, notify_path);
	assert_int_equal(bind(notify_rx, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("RUST_LOG", "warn", 1);   /* the device's default says errors only */
	setenv("NOTIFY_SOCKET", notify_path, 1);
	run_err(&notifying, &c, err, sizeof(err), 3, argv);
	assert_string_equal(c.log, "start;serving;");
	if (!strstr(err, "NOTIFY_SOCKET: cannot send READY=1: Connection refused"))
		fail_msg("no warning: '%s'", err);
	assert_null(getenv("NOTIFY_SOCKET"));
	/* again without it: nothing to say */
	notify_rx = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memset(&c, 0, sizeof(c));
	run_err(&notifying, &c, err, sizeof(err), 3, argv);
	assert_string_equal(c.log, "start;serving;");
	if (strstr(err, "NOTIFY_SOCKET"))
		fail_msg("a start without NOTIFY_SOCKET notified: '%s'", err);
	/* an address that cannot be used */
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	notify_rx = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memset(&c, 0, sizeof(c));
	run_err(&notifying, &c, err, sizeof(err), 3, argv);
	assert_string_equal(c.log, "start;serving;");
	if (!strstr(err, "NOTIFY_SOCKET 'relative/path': Invalid argument: readiness will not "
		    "be reported"))
		fail_msg("no warning: '%s'", err);
	assert_null(getenv("NOTIFY_SOCKET"));
	unsetenv("RUST_LOG");
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_help_has_the_shared_options),
		cmocka_unit_test(test_serve_socket_count_over_the_fd_limit_refused),
		cmocka_unit_test(test_serve_socket_path_required),
		cmocka_unit_test(test_serve_device_start_failure_listens_nowhere),
		cmocka_unit_test(test_serve_numbered_sockets_then_all_closed),
		cmocka_unit_test(test_serve_notify_failures_only_warn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
