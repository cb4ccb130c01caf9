/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* `vhost-device ctl [-t SECONDS] [-r] PATH COMMAND [ARGS...]`: the shell
 * client of the control socket (ctl.h, man vhost-device-ctl).
 *
 * Words become a request: the leading words without '=' are the command,
 * joined with '.' ("gpio set" is "gpio.set"); each KEY=VALUE after them
 * is an argument whose value is a JSON number, true, false or null when
 * it reads as one, an integer when it is 0x followed by hex digits, and a
 * string otherwise; KEY:=JSON gives the value as JSON text.  The reply's
 * "return" value is printed on one line; an error reply is printed on
 * stderr and the exit status is 1 (2: no connection, bad usage).
 * `watch` prints every event, one per line, until the daemon goes. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ctl.h"
#include "common/json.h"
#include "common/opts.h"
#include "version.h"

#define PROG "vhost-device ctl"
#define LINE_MAX_ (CTL_REPLY_MAX + 1024)

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [-t SECONDS] [-r] PATH COMMAND [WORD...] [KEY=VALUE...]\n"
		"       " PROG " [-t SECONDS] PATH watch\n"
		"\n"
		"Send one command to a daemon's control socket (--control PATH) and print\n"
		"the reply's result; exit status 1 on an error reply.\n"
		"\n"
		"COMMAND and the WORDs after it name the command, joined with '.':\n"
		"\"gpio set line=3 value=1\" sends {\"cmd\":\"gpio.set\",\"args\":{\"line\":3,\"value\":1}}.\n"
		"KEY=VALUE: a number, true, false or null as such, 0xHEX as an integer,\n"
		"anything else as a string; KEY:=JSON takes the value as JSON text.\n"
		"\"help\" lists the daemon's commands; \"watch\" prints its events until it ends.\n"
		"\n"
		"  -t, --timeout SECONDS  wait at most this long for the reply (default 10;\n"
		"                         0: forever)\n"
		"  -r, --raw              print the whole reply line\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"See vhost-device-ctl(1) for the protocol and every command.\n");
}

/* Whether s is a whole JSON number. */
static bool is_number(const char *s)
{
	struct json_tok t[1];
	struct json_doc d;

	return !json_parse(&d, s, strlen(s), t, 1) && t[0].type == JSON_NUM;
}

static int put_value(struct json_w *w, const char *key, const char *v, bool raw,
		     char *err, size_t errlen)
{
	if (raw) {
		struct json_tok t[64];
		struct json_doc d;

		if (json_parse(&d, v, strlen(v), t, 64)) {
			snprintf(err, errlen, "%s:=%s: not JSON (%s at byte %u)", key, v,
				 d.err ? d.err : "too big", d.err_at);
			return -1;
		}
		jw_raw(w, key, v, strlen(v));
		return 0;
	}
	if (is_number(v) || !strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "null")) {
		jw_raw(w, key, v, strlen(v));
		return 0;
	}
	if ((v[0] == '0' && (v[1] == 'x' || v[1] == 'X') && v[2]) ||
	    (v[0] == '-' && v[1] == '0' && (v[2] == 'x' || v[2] == 'X') && v[3])) {
		bool neg = v[0] == '-';
		uint64_t x, max = neg ? 1ull << 63 : INT64_MAX;
		char *end;

		/* 64 bits on every target (unsigned long is 32 on armhf) */
		errno = 0;
		x = strtoull(v + 2 + neg, &end, 16);
		if (strspn(v + 2 + neg, "0123456789abcdefABCDEF") != strlen(v + 2 + neg) ||
		    *end || errno || x > max) {
			snprintf(err, errlen, "%s=%s: not a hex number that fits 64 bits", key, v);
			return -1;
		}
		if (neg)
			jw_int(w, key, x == 1ull << 63 ? INT64_MIN : -(int64_t)x);
		else
			jw_uint(w, key, x);
		return 0;
	}
	jw_str(w, key, v);
	return 0;
}

int ctl_words_request(int argc, char **argv, unsigned id, char *buf, size_t cap,
		      char *err, size_t errlen)
{
	char name[64] = "";
	size_t nl = 0;
	bool args = false;
	int i;
	struct json_w w;

	for (i = 0; i < argc && !strchr(argv[i], '='); i++) {
		size_t n = strlen(argv[i]);

		if (!n || strchr(argv[i], '.') || nl + n + 2 > sizeof(name)) {
			snprintf(err, errlen, "'%s': not a command word", argv[i]);
			return -1;
		}
		if (nl)
			name[nl++] = '.';
		memcpy(name + nl, argv[i], n + 1);
		nl += n;
	}
	if (!nl) {
		snprintf(err, errlen, "no command given");
		return -1;
	}
	jw_init(&w, buf, cap);
	jw_obj(&w, NULL);
	jw_uint(&w, "id", id);
	jw_str(&w, "cmd", name);
	if (i < argc) {
		jw_obj(&w, "args");
		args = true;
	}
	for (int first = i; i < argc; i++) {
		char key[32];
		const char *eq = strchr(argv[i], '=');
		bool raw;
		size_t kl;

		if (!eq) {
			snprintf(err, errlen, "'%s': expected KEY=VALUE after the arguments began",
				 argv[i]);
			return -1;
		}
		raw = eq > argv[i] && eq[-1] == ':';
		kl = (size_t)(eq - argv[i]) - raw;
		if (!kl || kl >= sizeof(key)) {
			snprintf(err, errlen, "'%s': expected KEY=VALUE", argv[i]);
			return -1;
		}
		memcpy(key, argv[i], kl);
		key[kl] = 0;
		for (int k = first; k < i; k++)
			if (!strncmp(argv[k], key, kl) && (argv[k][kl] == '=' ||
			    (argv[k][kl] == ':' && argv[k][kl + 1] == '='))) {
				snprintf(err, errlen, "'%s': %s given twice", argv[i], key);
				return -1;
			}
		if (put_value(&w, key, eq + 1, raw, err, errlen))
			return -1;
	}
	if (args)
		jw_end(&w);
	jw_end(&w);
	if (!jw_text(&w)) {
		snprintf(err, errlen, "the request is too long");
		return -1;
	}
	return (int)w.len;
}

/* ---- the connection ---- */

struct conn {
	int fd;
	int timeout_ms;
	char buf[LINE_MAX_];
	size_t len;
};

/* The next line into *line (NUL-terminated in c->buf): its length, 0 at
 * the end, -1 on an error (printed). */
static int next_line(struct conn *c, char **line, size_t *consumed)
{
	memmove(c->buf, c->buf + *consumed, c->len - *consumed);
	c->len -= *consumed;
	*consumed = 0;
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (nl) {
			*nl = 0;
			*line = c->buf;
			*consumed = (size_t)(nl - c->buf) + 1;
			return (int)(nl - c->buf) + 1;
		}
		if (c->len == sizeof(c->buf)) {
			fprintf(stderr, PROG ": a line from the daemon is too long\n");
			return -1;
		}
		r = poll(&p, 1, c->timeout_ms ? c->timeout_ms : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			fprintf(stderr, PROG ": no answer within %d s\n", c->timeout_ms / 1000);
			return -1;
		}
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, PROG ": read: %s\n", strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		c->len += (size_t)n;
	}
}

static int send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = send(fd, s, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Print member key's text of object o in doc (a reply). */
static void print_member(const struct json_doc *d, const char *key)
{
	int t = json_get(d, 0, key);

	if (t >= 0)
		printf("%.*s\n", (int)(d->tok[t].len + (d->tok[t].type == JSON_STR ? 2 : 0)),
		       d->text + d->tok[t].start - (d->tok[t].type == JSON_STR));
}

int ctl_main(int argc, char **argv)
{
	static struct conn c;
	static struct json_tok tok[4096];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[8192], err[256], *line;
	unsigned long t = 10;
	bool raw = false, watch;
	size_t used = 0;
	int i, n, ret = 2;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("vhost-device-ctl %s\n", VD_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-r") || !strcmp(argv[i], "--raw")) {
			raw = true;
		} else if (!strcmp(argv[i], "-t") || !strcmp(argv[i], "--timeout")) {
			if (i + 1 >= argc || opts_parse_uint(argv[i + 1], 10, 86400, &t)) {
				fprintf(stderr, PROG ": %s '%s': expected seconds, 0..86400\n",
					argv[i], i + 1 < argc ? argv[i + 1] : "");
				return 2;
			}
			i++;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, PROG ": unknown option '%s'; see --help\n", argv[i]);
			return 2;
		}
	}
	if (argc - i < 2) {
		usage(stderr);
		return 2;
	}
	if (strlen(argv[i]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, PROG ": '%s': path too long\n", argv[i]);
		return 2;
	}
	strcpy(sa.sun_path, argv[i]);
	watch = argc - i == 2 && !strcmp(argv[i + 1], "watch");
	n = ctl_words_request(argc - i - 1, argv + i + 1, 1, req, sizeof(req) - 1, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	req[n++] = '\n';
	req[n] = 0;
	c.timeout_ms = (int)t * 1000;
	c.len = 0;                 /* nothing left from an earlier call */
	c.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.fd < 0 || connect(c.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, PROG ": cannot connect to '%s': %s\n", argv[i], strerror(errno));
		return 2;
	}
	/* the greeting */
	n = next_line(&c, &line, &used);
	if (n < 0)
		goto out;
	if (n == 0)
		goto gone;
	{
		struct json_doc d;
		int g, p;
		int64_t v;

		if (json_parse(&d, line, strlen(line), tok, 4096) ||
		    (g = json_get(&d, 0, "vhost-device")) < 0 ||
		    (p = json_get(&d, (unsigned)g, "protocol")) < 0 ||
		    json_int(&d, (unsigned)p, 0, INT32_MAX, &v)) {
			/* e.g. TooManyClients */
			if (!json_parse(&d, line, strlen(line), tok, 4096) && json_get(&d, 0, "error") >= 0)
				fprintf(stderr, PROG ": refused: %s\n", line);
			else
				fprintf(stderr, PROG ": '%s' is not a vhost-device control socket\n",
					argv[i]);
			goto out;
		}
		if (v != CTL_PROTOCOL) {
			fprintf(stderr, PROG ": the daemon speaks protocol %lld, this client %d\n",
				(long long)v, CTL_PROTOCOL);
			goto out;
		}
	}
	if (send_all(c.fd, req, strlen(req))) {
		fprintf(stderr, PROG ": send: %s\n", strerror(errno));
		goto out;
	}
	for (;;) {
		struct json_doc d;
		int r = next_line(&c, &line, &used), e, id;

		if (r < 0)
			goto out;
		if (r == 0)
			goto gone;
		if (json_parse(&d, line, strlen(line), tok, 4096)) {
			fprintf(stderr, PROG ": not JSON from the daemon: %.200s\n", line);
			goto out;
		}
		if (json_get(&d, 0, "event") >= 0) {
			if (watch) {
				puts(line);
				fflush(stdout);
			}
			continue;
		}
		id = json_get(&d, 0, "id");
		e = json_get(&d, 0, "error");
		if (raw)
			puts(line);
		if (e >= 0) {
			int cl = json_get(&d, (unsigned)e, "class"), de = json_get(&d, (unsigned)e, "desc");
			char a[64] = "", b[512] = "";

			if (cl >= 0)
				json_str(&d, (unsigned)cl, a, sizeof(a));
			if (de >= 0)
				json_str(&d, (unsigned)de, b, sizeof(b));
			fprintf(stderr, PROG ": %s: %s\n", a, b);
			ret = 1;
			goto out;
		}
		if (id < 0 || d.tok[id].type != JSON_NUM) {
			fprintf(stderr, PROG ": unexpected line from the daemon: %.200s\n", line);
			goto out;
		}
		if (!raw && !watch)
			print_member(&d, "return");
		fflush(stdout);
		if (!watch) {
			ret = 0;
			goto out;
		}
		c.timeout_ms = 0;   /* events come when they come */
	}
gone:
	if (watch && c.timeout_ms == 0)
		ret = 0;   /* the daemon ended the stream */
	else
		fprintf(stderr, PROG ": the daemon closed the connection\n");
out:
	close(c.fd);
	return ret;
}
