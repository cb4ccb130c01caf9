/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-i2c's control commands (man vhost-device-ctl): the
 * simulated devices' memory (i2c.dump, i2c.load), their values
 * (i2c.set: the lm75's temperature, the pca9555's input levels, the
 * ds1307's time) and faults injected per address (i2c.fault), and each
 * device's state in `list`.  The devices are shared by every guest, so
 * only a fault can be limited to one guest (sock). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/ctl.h"
#include "devices/i2c.h"

static struct {
	struct i2c_bus *b;
	unsigned nsock;
} ic;

static const char *const fault_names[] = {
	[I2C_FAULT_NONE] = "none", [I2C_FAULT_NAK] = "nak", [I2C_FAULT_FAIL] = "fail",
};

/* addr: any 7-bit address (the error names a bad one). */
static int arg_addr(struct ctl_call *c, unsigned *addr)
{
	int64_t v;

	if (ctl_arg_int_req(c, "addr", 0, I2C_NADDR - 1, &v) < 0)
		return -1;
	*addr = (unsigned)v;
	return 0;
}

/* addr, which must be a simulated device. */
static struct i2c_sim *arg_sim(struct ctl_call *c, unsigned *addr)
{
	struct i2c_sim *s;

	if (arg_addr(c, addr) < 0)
		return NULL;
	s = i2c_bus_sim(ic.b, *addr);
	if (s)
		return s;
	if (ic.b->map[*addr].kind == I2C_T_HOST)
		ctl_fail(c, CTL_E_ARG, "addr 0x%02x: a host device (/dev/i2c-%u), not a simulated one",
			 *addr, ic.b->adap[ic.b->map[*addr].idx].bus);
	else
		ctl_fail(c, CTL_E_ARG, "addr 0x%02x: no simulated device there", *addr);
	return NULL;
}

/* The model's memory, or NULL after failing the call. */
static uint8_t *sim_mem(struct ctl_call *c, struct i2c_sim *s, uint32_t *size)
{
	if (s->model->mem)
		return s->model->mem(s, size);
	ctl_fail(c, CTL_E_ARG, "addr 0x%02x: the %s has no memory (24c02, 24c32 and the "
		 "ds1307's NVRAM have)", s->addr, s->model->name);
	return NULL;
}

static int cmd_dump(void *opaque, struct ctl_call *c)
{
	struct json_w *w = ctl_out(c);
	int64_t off = 0, len;
	struct i2c_sim *s;
	unsigned addr;
	uint32_t size;
	uint8_t *mem;

	if (!(s = arg_sim(c, &addr)) || !(mem = sim_mem(c, s, &size)) ||
	    ctl_arg_int(c, "offset", 0, size - 1, &off) < 0)
		return -1;
	len = size - off < CTL_HEX_MAX ? size - off : CTL_HEX_MAX;
	if (ctl_arg_int(c, "length", 1, CTL_HEX_MAX, &len) < 0)
		return -1;
	if (off + len > size)
		return ctl_fail(c, CTL_E_ARG, "length %" PRId64 " at offset %" PRId64 ": past the "
				"end of the %s's %u bytes", len, off, s->model->name, size);
	jw_uint(w, "addr", addr);
	jw_str(w, "model", s->model->name);
	jw_uint(w, "offset", (uint64_t)off);
	jw_uint(w, "length", (uint64_t)len);
	jw_hex(w, "data", mem + off, (size_t)len);
	return 0;
}

static int cmd_load(void *opaque, struct ctl_call *c)
{
	static uint8_t buf[CTL_HEX_MAX];
	struct json_w *w = ctl_out(c);
	struct i2c_sim *s;
	int64_t off = 0;
	unsigned addr;
	uint32_t size;
	uint8_t *mem;
	size_t n;
	int r;

	if (!(s = arg_sim(c, &addr)) || !(mem = sim_mem(c, s, &size)) ||
	    ctl_arg_int(c, "offset", 0, size - 1, &off) < 0)
		return -1;
	r = ctl_arg_hex(c, "data", buf, sizeof(buf), &n);
	if (r)
		return r < 0 ? -1 : ctl_fail(c, CTL_E_ARG, "missing argument 'data'");
	if (!n)
		return ctl_fail(c, CTL_E_ARG, "data: empty");
	if ((uint64_t)off + n > size)
		return ctl_fail(c, CTL_E_ARG, "data of %zu bytes at offset %" PRId64 ": past the "
				"end of the %s's %u bytes", n, off, s->model->name, size);
	memcpy(mem + off, buf, n);
	r = i2c_sim_mem_changed(s);
	if (r < 0)
		return ctl_fail(c, CTL_E_STATE, "addr 0x%02x: loaded, but its file was not "
				"written: %s", addr, strerror(-r));
	jw_uint(w, "addr", addr);
	jw_uint(w, "offset", (uint64_t)off);
	jw_uint(w, "length", n);
	return 0;
}

/* The values a model takes from i2c.set (space-separated), NULL: none. */
static const char *set_args(const struct i2c_sim *s)
{
	if (i2c_sim_is(s, "lm75"))
		return "temp";
	if (i2c_sim_is(s, "pca9555"))
		return "inputs mask";
	if (i2c_sim_is(s, "ds1307"))
		return "time";
	return NULL;
}

/* The device's values, as `list` and i2c.set show them. */
static void sim_state(struct json_w *w, struct i2c_sim *s)
{
	uint32_t size;

	if (i2c_sim_is(s, "lm75")) {
		jw_fixed(w, "temp", lm75_temp(s) * 500, 3);
	} else if (i2c_sim_is(s, "pca9555")) {
		jw_uint(w, "inputs", s->u.pca.pins);
		jw_uint(w, "levels", pca9555_levels(s));
		jw_uint(w, "config", pca9555_config(s));
	} else if (i2c_sim_is(s, "ds1307")) {
		jw_int(w, "time", ds1307_time(s));
		jw_bool(w, "halted", ds1307_halted(s));
	}
	if (s->model->mem) {
		s->model->mem(s, &size);
		jw_uint(w, "size", size);
	}
	if (s->model->image && s->model->image(s))
		jw_str(w, "file", s->model->image(s)->path);
}

static int cmd_set(void *opaque, struct ctl_call *c)
{
	static const char *const keys[] = { "temp", "inputs", "mask", "time" };
	struct json_w *w = ctl_out(c);
	struct i2c_sim *s;
	const char *takes;
	unsigned addr, given = 0;

	if (!(s = arg_sim(c, &addr)))
		return -1;
	takes = set_args(s);
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i]);
		const char *p = takes ? strstr(takes, keys[i]) : NULL;

		if (!ctl_has(c, keys[i]))
			continue;
		given++;
		if (!p || (p[n] && p[n] != ' '))
			return ctl_fail(c, CTL_E_ARG, "%s: the %s at 0x%02x %s%s", keys[i],
					s->model->name, addr, takes ? "takes " : "has no values to set",
					takes ? takes : "");
	}
	if (!given)
		return ctl_fail(c, CTL_E_ARG, "nothing to set: the %s at 0x%02x %s%s",
				s->model->name, addr, takes ? "takes " : "has no values to set",
				takes ? takes : "");
	if (i2c_sim_is(s, "lm75")) {
		int64_t mc;

		if (ctl_arg_fixed(c, "temp", 3, -55000, 125000, &mc) < 0)
			return -1;
		if (mc % 500) {
			char t[32];
			struct json_w tw;

			jw_init(&tw, t, sizeof(t));
			jw_fixed(&tw, NULL, mc, 3);
			return ctl_fail(c, CTL_E_ARG, "temp %s: the lm75 resolves 0.5 degrees C",
					jw_text(&tw) ? t : "?");
		}
		lm75_set_temp(s, (int)(mc / 500));
	} else if (i2c_sim_is(s, "pca9555")) {
		int64_t v, mask = 0xffff;

		if (ctl_arg_int_req(c, "inputs", 0, 0xffff, &v) < 0 ||
		    ctl_arg_int(c, "mask", 0, 0xffff, &mask) < 0)
			return -1;
		pca9555_set_inputs(s, (uint16_t)mask, (uint16_t)v);
	} else {
		int64_t t;

		/* the years the chip counts: 2000-2099 */
		if (ctl_arg_int_req(c, "time", 946684800, 4102444799LL, &t) < 0)
			return -1;
		ds1307_set_time(s, t);
	}
	jw_uint(w, "addr", addr);
	jw_str(w, "model", s->model->name);
	sim_state(w, s);
	return 0;
}

static int cmd_fault(void *opaque, struct ctl_call *c)
{
	struct json_w *w = ctl_out(c);
	int64_t count = 0;
	unsigned addr, mode, sock = 0;
	char name[8];
	int who = -1;

	if (arg_addr(c, &addr) < 0 || ctl_arg_str_req(c, "mode", name, sizeof(name)) < 0)
		return -1;
	for (mode = 0; mode < 3 && strcmp(name, fault_names[mode]); mode++)
		;
	if (mode == 3)
		return ctl_fail(c, CTL_E_ARG, "mode '%s': expected nak, fail or none", name);
	if (!i2c_bus_allowed(ic.b, addr))
		return ctl_fail(c, CTL_E_ARG, "addr 0x%02x: no device there (neither --sim nor "
				"--device-list)", addr);
	if (mode == I2C_FAULT_NONE && (ctl_has(c, "count") || ctl_has(c, "sock")))
		return ctl_fail(c, CTL_E_ARG, "mode none clears the fault at 0x%02x for every "
				"guest: it takes no %s", addr, ctl_has(c, "count") ? "count" : "sock");
	if (ctl_arg_int(c, "count", 1, UINT32_MAX, &count) < 0)
		return -1;
	if (ctl_has(c, "sock")) {
		if (ctl_arg_sock(c, ic.nsock, &sock) < 0)
			return -1;
		who = (int)sock;
	}
	i2c_bus_set_fault(ic.b, addr, mode, (uint32_t)count, who);
	jw_uint(w, "addr", addr);
	jw_str(w, "mode", fault_names[mode]);
	if (mode == I2C_FAULT_NONE)
		return 0;
	if (count)
		jw_uint(w, "left", (uint64_t)count);
	else
		jw_null(w, "left");
	if (who >= 0)
		jw_uint(w, "sock", sock);
	else
		jw_null(w, "sock");
	return 0;
}

/* `list`: socket sock's entry gets "i2c", every address on the bus with
 * its state and the fault that applies to that guest. */
static void list_sock(void *opaque, unsigned sock, struct json_w *w)
{
	struct i2c_bus *b = ic.b;

	jw_arr(w, "i2c");
	for (unsigned a = 0; a < I2C_NADDR; a++) {
		const struct i2c_fault *f = &b->fault[a];
		struct i2c_sim *s = i2c_bus_sim(b, a);

		if (!i2c_bus_allowed(b, a))
			continue;
		jw_obj(w, NULL);
		jw_uint(w, "addr", a);
		if (s) {
			jw_str(w, "model", s->model->name);
			sim_state(w, s);
		} else {
			jw_uint(w, "adapter", b->adap[b->map[a].idx].bus);
		}
		if (f->mode && (f->sock < 0 || (unsigned)f->sock == sock)) {
			jw_obj(w, "fault");
			jw_str(w, "mode", fault_names[f->mode]);
			if (f->left)
				jw_uint(w, "left", f->left);
			else
				jw_null(w, "left");
			jw_uint(w, "hits", f->hits);
			jw_end(w);
		}
		jw_end(w);
	}
	jw_end(w);
}

static const struct ctl_cmd i2c_cmds[] = {
	{ "i2c.dump", "addr offset length",
	  "a simulated memory's bytes (EEPROM, ds1307 NVRAM), as hex", cmd_dump },
	{ "i2c.load", "addr offset data", "write hex bytes into a simulated memory", cmd_load },
	{ "i2c.set", "addr temp inputs mask time",
	  "set a model's values: lm75 temp, pca9555 inputs (mask), ds1307 time", cmd_set },
	{ "i2c.fault", "addr mode count sock",
	  "inject a fault at an address: mode nak|fail [count N] [sock S], or none", cmd_fault },
	{ 0 }
};

int i2c_ctl_register(struct i2c_bus *b, unsigned nsock)
{
	int r;

	ic.b = b;
	ic.nsock = nsock;
	r = ctl_register(i2c_cmds, NULL);
	return r ? r : ctl_register_list(list_sock, NULL);
}
