/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Reading host sysfs attributes for the iio and hwmon sensor devices.
 * Everything is relative to a directory fd, so a device can be pointed at
 * any tree with the same file names (the tests build such trees).  A
 * read waits for the attribute's driver: sensor values are read on the
 * instance's worker (scmi_host.c), never on the loop. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/scmi.h"

int scmi_sysfs_read(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t n;
	size_t end;
	char *nl;
	int fd, err;

	/* a plain blocking open and read: sysfs ignores O_NONBLOCK anyway,
	 * and whatever stands in for an attribute (a FIFO in the tests)
	 * behaves as a slow driver does */
	do {
		fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, len - 1);
	} while (n < 0 && errno == EINTR);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	nl = memchr(buf, '\n', (size_t)n);
	if (nl)
		*nl = '\0';
	end = strlen(buf);
	while (end && isspace((unsigned char)buf[end - 1]))
		buf[--end] = '\0';
	return (int)end;
}

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

int scmi_sysfs_read_ll(int dirfd, const char *name, long long *v)
{
	char buf[64], *end;
	const char *s;
	int r = scmi_sysfs_read(dirfd, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	s = skip_space(buf);
	if (!*s)
		return -EINVAL;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno)
		return -errno;
	if (*end)
		return -EINVAL;
	return 0;
}

int scmi_sysfs_read_double(int dirfd, const char *name, double *v)
{
	char buf[64], *end;
	const char *s;
	int r = scmi_sysfs_read(dirfd, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	s = skip_space(buf);
	/* decimal numbers only: no "nan", "inf" (also signed) or hex */
	if (!*s || s[strspn(s, "0123456789.eE+-")])
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	if (errno)
		return -errno;
	if (*end)
		return -EINVAL;
	return 0;
}

bool scmi_sysfs_exists(int dirfd, const char *name)
{
	return faccessat(dirfd, name, R_OK, 0) == 0;
}

void scmi_name_fit(char *dst, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < SCMI_EXT_NAME_LEN - 1; i++)
		dst[i] = isprint((unsigned char)s[i]) ? s[i] : '_';
	dst[i] = '\0';
}

int scmi_sysfs_write(int dirfd, const char *name, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, err = 0;

	fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, s, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err && errno != EINTR)
		err = -errno;   /* sysfs reports store errors at write; be safe */
	return err;
}
