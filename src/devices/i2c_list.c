/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The upstream --device-list syntax: "<bus>:<addr>[:<addr>...][,...]".
 * bus is an adapter number or an adapter's name (the `name` file of a
 * sysfs i2c-N adapter directory; client devices are not considered);
 * addresses are decimal as upstream, or hex with 0x.  Whitespace around
 * the list, an entry, an adapter name or an address is not part of it
 * (upstream trims the list and the names; the names read from sysfs are
 * trimmed too). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/opts.h"
#include "devices/i2c.h"

#define SYSFS_I2C "/sys/bus/i2c/devices"

int i2c_parse_addr(const char *s, unsigned *addr)
{
	unsigned long v;
	int r;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!s[2] || s[2] == '-' || s[2] == '+' || s[2] == ' ')
			return -EINVAL;
		r = opts_parse_uint(s + 2, 16, I2C_NADDR - 1, &v);
	} else {
		/* one '+' as Rust's u16 parsing takes it */
		const char *d = s[0] == '+' ? s + 1 : s;

		if (!*d || d[strspn(d, "0123456789")])
			return -EINVAL;
		r = opts_parse_uint(s, 10, I2C_NADDR - 1, &v);
	}
	if (r)
		return r;
	*addr = (unsigned)v;
	return 0;
}

/* s without the whitespace around it (s is changed) */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Adapters whose name is exactly `name`: count, and the first two
 * numbers in found[]. */
static int find_adapters(const char *sysfs, const char *name, size_t namelen,
			 unsigned found[2])
{
	DIR *d = opendir(sysfs);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[512], buf[256], *name_s;
		unsigned long bus;
		ssize_t len;
		int fd;

		if (strncmp(de->d_name, "i2c-", 4) ||
		    opts_parse_uint(de->d_name + 4, 10, 0xffffff, &bus) ||
		    de->d_name[4 + strspn(de->d_name + 4, "0123456789")])
			continue;
		snprintf(path, sizeof(path), "%s/%s/name", sysfs, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		name_s = trim(buf);
		if (strlen(name_s) != namelen || memcmp(name_s, name, namelen))
			continue;
		if (n < 2)
			found[n] = (unsigned)bus;
		n++;
	}
	closedir(d);
	return n;
}

static int add_adapter(struct i2c_bus *b, unsigned bus)
{
	for (unsigned i = 0; i < b->nadap; i++)
		if (b->adap[i].bus == bus)
			return (int)i;
	if (b->nadap == I2C_MAX_ADAPTERS)
		return -ENOSPC;
	b->adap[b->nadap].bus = bus;
	b->adap[b->nadap].fd = -1;
	b->adap[b->nadap].funcs = 0;
	return (int)b->nadap++;
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Resolve the bus part of entry: the shortest prefix before a ':' that is
 * an adapter number or names adapters (names may contain ':').  Returns
 * the adapter number and sets *rest past the ':', or -1 with err. */
static long resolve_bus(const char *entry, const char *sysfs, const char **rest,
			char *err, size_t errlen)
{
	const char *colon = strchr(entry, ':');
	int lookup_err = 0;

	if (!colon) {
		snprintf(err, errlen, "entry '%s' has no address (expected <bus>:<addr>[:<addr>...])",
			 entry);
		return -1;
	}
	if (colon == entry) {
		snprintf(err, errlen, "entry '%s' has no adapter before ':'", entry);
		return -1;
	}
	for (const char *c = colon; c; c = strchr(c + 1, ':')) {
		size_t n = (size_t)(c - entry);
		unsigned found[2];
		int k;

		while (n && isspace((unsigned char)entry[n - 1]))
			n--;	/* "i915 gmbus dpd :32" */
		if (!n)
			continue;

		if (all_digits(entry, n)) {
			unsigned long v;
			char num[16];

			if (n >= sizeof(num) || (memcpy(num, entry, n), num[n] = 0,
			    opts_parse_uint(num, 10, 0xffffff, &v))) {
				snprintf(err, errlen, "adapter number '%.*s' is too large",
					 (int)n, entry);
				return -1;
			}
			*rest = c + 1;
			return (long)v;
		}
		k = find_adapters(sysfs, entry, n, found);
		if (k < 0) {
			lookup_err = k;
			break;
		}
		if (k == 1) {
			*rest = c + 1;
			return found[0];
		}
		if (k > 1) {
			snprintf(err, errlen, "adapter name '%.*s' is ambiguous "
				 "(i2c-%u, i2c-%u%s): use the adapter number",
				 (int)n, entry, found[0], found[1], k > 2 ? ", ..." : "");
			return -1;
		}
	}
	if (lookup_err)
		snprintf(err, errlen, "unknown adapter '%.*s' (cannot read %s: %s)",
			 (int)(colon - entry), entry, sysfs, strerror(-lookup_err));
	else
		snprintf(err, errlen, "unknown adapter '%.*s' (no I2C adapter has that name)",
			 (int)(colon - entry), entry);
	return -1;
}

int i2c_parse_device_list(struct i2c_bus *b, const char *list,
			  const char *sysfs, char *err, size_t errlen)
{
	char *copy, *all, *next;
	int ret = -1;

	if (!sysfs)
		sysfs = SYSFS_I2C;
	b->sysfs = sysfs;
	copy = list ? strdup(list) : NULL;
	if (list && !copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	all = copy ? trim(copy) : NULL;
	if (!all || !*all) {
		snprintf(err, errlen, "empty device list");
		goto out;
	}
	for (next = all; next; ) {
		char *entry = next, *comma = strchr(next, ',');
		const char *rest;
		long bus;
		int ai;

		if (comma)
			*comma = '\0';
		next = comma ? comma + 1 : NULL;
		entry = trim(entry);
		if (!*entry) {
			snprintf(err, errlen, "empty entry in the device list '%s'", list);
			goto out;
		}
		bus = resolve_bus(entry, sysfs, &rest, err, errlen);

		if (bus < 0)
			goto out;
		ai = add_adapter(b, (unsigned)bus);
		if (ai < 0) {
			snprintf(err, errlen, "too many adapters (at most %u)", I2C_MAX_ADAPTERS);
			goto out;
		}
		for (;;) {
			const char *end = strchr(rest, ':');
			size_t n = end ? (size_t)(end - rest) : strlen(rest);
			char tok[32];
			unsigned addr;

			/* " 32 " is 32 */
			while (n && isspace((unsigned char)*rest)) {
				rest++;
				n--;
			}
			while (n && isspace((unsigned char)rest[n - 1]))
				n--;
			if (n == 0) {
				snprintf(err, errlen, "empty address in entry '%s'", entry);
				goto out;
			}
			snprintf(tok, sizeof(tok), "%.*s", (int)n, rest);
			if (n >= sizeof(tok) || i2c_parse_addr(tok, &addr)) {
				snprintf(err, errlen, "bad address '%.*s' in entry '%s' "
					 "(7-bit: 0..127, decimal or 0x hex)", (int)n, rest, entry);
				goto out;
			}
			if (b->map[addr].kind != I2C_T_NONE) {
				snprintf(err, errlen, "address '%s' (0x%02x) appears twice",
					 tok, addr);
				goto out;
			}
			b->map[addr].kind = I2C_T_HOST;
			b->map[addr].idx = (uint8_t)ai;
			if (!end)
				break;
			rest = end + 1;
		}
	}
	ret = 0;
out:
	free(copy);
	return ret;
}
