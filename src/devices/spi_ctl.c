/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The spi device's control commands (--control, man vhost-device-ctl):
 * the simulated flash's contents (spi.dump, spi.load), the mcp3008's
 * channels (spi.set), transfers that fail (spi.fail), and each chip
 * select's model and state in `list`.  The chip selects and their models
 * are shared by every socket; a fault is one guest's (sock). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/ctl.h"
#include "devices/spi.h"

/* cs=N, a chip select of c: 0, or -1 (the call failed, naming it). */
static int arg_cs(struct spi_ctrl *c, struct ctl_call *call, int64_t *cs)
{
	return ctl_arg_int_req(call, "cs", 0, (int64_t)c->ncs - 1, cs) < 0 ? -1 : 0;
}

static const char *model(const struct spi_target *t)
{
	const char *m = spi_sim_model(t);

	return m ? m : "spidev";
}

static const char *article(const char *m)
{
	return m[0] == 'm' ? "an" : "a";   /* "an mcp3008" */
}

/* cs=N, a chip select of c with model m: its target, or NULL (the call
 * failed, naming the chip select and what it is). */
static struct spi_target *arg_model(struct spi_ctrl *c, struct ctl_call *call, const char *m,
				    int64_t *cs)
{
	if (arg_cs(c, call, cs) < 0)
		return NULL;
	if (strcmp(model(c->cs[*cs]), m)) {
		ctl_fail(call, CTL_E_ARG, "cs %lld: %s %s, not %s %s", (long long)*cs,
			 article(model(c->cs[*cs])), model(c->cs[*cs]), article(m), m);
		return NULL;
	}
	return c->cs[*cs];
}

/* offset=O (default 0) and n bytes from it inside the flash. */
static int arg_range(struct ctl_call *call, uint32_t n, int64_t *off)
{
	*off = 0;
	if (ctl_arg_int(call, "offset", 0, FLASH_SIZE - 1, off) < 0)
		return -1;
	if ((uint64_t)*off + n > FLASH_SIZE)
		return ctl_fail(call, CTL_E_ARG, "offset %lld + %u bytes: past the end of the "
				"%u-byte flash", (long long)*off, n, FLASH_SIZE);
	return 0;
}

static int cmd_dump(void *opaque, struct ctl_call *call)
{
	static uint8_t buf[CTL_HEX_MAX];
	struct spi_ctrl *c = opaque;
	struct spi_target *t;
	int64_t cs, off, len;
	struct json_w *w;

	t = arg_model(c, call, "flash", &cs);
	if (!t || ctl_arg_int_req(call, "length", 1, CTL_HEX_MAX, &len) < 0 ||
	    arg_range(call, (uint32_t)len, &off) < 0)
		return -1;
	if (spi_sim_flash_read(t, (uint32_t)off, buf, (uint32_t)len))
		return ctl_fail(call, CTL_E_STATE, "cs %lld: cannot read", (long long)cs);
	w = ctl_out(call);
	jw_int(w, "cs", cs);
	jw_int(w, "offset", off);
	jw_int(w, "length", len);
	jw_hex(w, "data", buf, (size_t)len);
	return 0;
}

static int cmd_load(void *opaque, struct ctl_call *call)
{
	static uint8_t buf[CTL_HEX_MAX];
	struct spi_ctrl *c = opaque;
	struct spi_target *t;
	int64_t cs, off;
	size_t n = 0;
	struct json_w *w;
	int r;

	t = arg_model(c, call, "flash", &cs);
	if (!t)
		return -1;
	r = ctl_arg_hex(call, "data", buf, sizeof(buf), &n);
	if (r == 1)
		return ctl_fail(call, CTL_E_ARG, "missing argument 'data'");
	if (r < 0)
		return -1;
	if (!n)
		return ctl_fail(call, CTL_E_ARG, "data \"\": no bytes");
	if (arg_range(call, (uint32_t)n, &off) < 0)
		return -1;
	if (spi_sim_flash_write(t, (uint32_t)off, buf, (uint32_t)n))
		return ctl_fail(call, CTL_E_STATE, "cs %lld: cannot write", (long long)cs);
	w = ctl_out(call);
	jw_int(w, "cs", cs);
	jw_int(w, "offset", off);
	jw_uint(w, "length", n);
	return 0;
}

static void put_fail(struct json_w *w, uint32_t f)
{
	if (f == SPI_FAIL_ALL)
		jw_str(w, "fail", "all");
	else
		jw_uint(w, "fail", f);
}

/* spi.fail: one guest's (sock=S) next count transfers to a chip select
 * fail, or, without sock, every guest's (each its own count), as
 * i2c.fault does (man vhost-device-ctl, COMMANDS). */
static int cmd_fail(void *opaque, struct ctl_call *call)
{
	struct spi_ctrl *c = opaque;
	unsigned sock = 0, first, last, done = 0;
	int64_t cs, count = 0;
	bool all = false, one = ctl_has(call, "sock");
	int rc, ra;
	uint32_t f;
	struct json_w *w;

	if ((one && ctl_arg_sock(call, c->nsock, &sock) < 0) || arg_cs(c, call, &cs) < 0)
		return -1;
	rc = ctl_arg_int(call, "count", 0, SPI_FAIL_MAX, &count);
	ra = ctl_arg_bool(call, "all", &all);
	if (rc < 0 || ra < 0)
		return -1;
	if (rc == 1 && ra == 1)
		return ctl_fail(call, CTL_E_ARG, "missing argument 'count' (or all=true)");
	if (rc == 0 && ra == 0 && all)
		return ctl_fail(call, CTL_E_ARG, "count %lld and all=true: give one",
				(long long)count);
	first = one ? sock : 0;
	last = one ? sock : c->nsock - 1;
	f = all ? SPI_FAIL_ALL : (uint32_t)count;
	for (unsigned i = first; i <= last; i++) {
		if (!c->sock[i])
			continue;
		c->sock[i]->fail[cs] = f;
		done++;
	}
	if (!done && one)
		return ctl_fail(call, CTL_E_STATE, "sock %u is not set up", sock);
	if (!done)
		return ctl_fail(call, CTL_E_STATE, "no socket is set up");
	w = ctl_out(call);
	if (one)
		jw_uint(w, "sock", sock);
	else
		jw_null(w, "sock");
	jw_int(w, "cs", cs);
	put_fail(w, f);
	return 0;
}

static int cmd_set(void *opaque, struct ctl_call *call)
{
	struct spi_ctrl *c = opaque;
	struct spi_target *t;
	int64_t cs, ch, v;
	struct json_w *w;

	t = arg_model(c, call, "mcp3008", &cs);
	if (!t)
		return -1;
	if (ctl_arg_int_req(call, "channel", 0, MCP3008_CHANNELS - 1, &ch) < 0 ||
	    ctl_arg_int_req(call, "value", 0, MCP3008_MAX, &v) < 0)
		return -1;
	if (spi_sim_adc_set(t, (unsigned)ch, (unsigned)v))
		return ctl_fail(call, CTL_E_STATE, "cs %lld: cannot set", (long long)cs);
	w = ctl_out(call);
	jw_int(w, "cs", cs);
	jw_int(w, "channel", ch);
	jw_int(w, "value", v);
	return 0;
}

static const struct ctl_cmd spi_cmds[] = {
	{ "spi.dump", "cs offset length", "read the flash on chip select cs: length bytes "
	  "(at most 4096) from offset, as hex", cmd_dump },
	{ "spi.load", "cs offset data", "write hex bytes into the flash on chip select cs "
	  "at offset (kept in its file= image as a guest's write is)", cmd_load },
	{ "spi.fail", "sock cs count all", "make the next count transfers to chip select cs "
	  "fail with TRANS_ERR, guest sock's or every guest's (all=true: every one; count=0: heal)", cmd_fail },
	{ "spi.set", "cs channel value", "set an mcp3008's channel (0-7) to value (0-1023)",
	  cmd_set },
	{ 0 }
};

static void spi_list(void *opaque, unsigned sock, struct json_w *w)
{
	struct spi_ctrl *c = opaque;
	const struct spi_sock *s = sock < c->nsock ? c->sock[sock] : NULL;

	jw_arr(w, "chip_selects");
	for (unsigned i = 0; i < c->ncs; i++) {
		const struct spi_target *t = c->cs[i];
		const char *m = model(t);

		jw_obj(w, NULL);
		jw_uint(w, "cs", i);
		jw_str(w, "model", m);
		jw_str(w, "name", t->name);
		if (!strcmp(m, "flash")) {
			if (spi_sim_file(t))
				jw_str(w, "file", spi_sim_file(t));
			else
				jw_null(w, "file");
		} else if (!strcmp(m, "mcp3008")) {
			jw_arr(w, "channels");
			for (unsigned k = 0; k < MCP3008_CHANNELS; k++)
				jw_int(w, NULL, spi_sim_adc_get(t, k));
			jw_end(w);
		}
		put_fail(w, s ? s->fail[i] : 0);
		jw_uint(w, "failed", s ? s->failed[i] : 0);
		jw_end(w);
	}
	jw_end(w);
}

int spi_ctl_register(struct spi_ctrl *c)
{
	int r = ctl_register(spi_cmds, c);

	return r ? r : ctl_register_list(spi_list, c);
}
