/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Host I2C adapters through the kernel's i2c-dev interface (/dev/i2c-N):
 * the ops the bus uses, replaced by a stand-in in unit tests. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/i2c-dev.h>

#include "common/sandbox.h"
#include "devices/i2c.h"

/* what the adapter workers ask of /dev/i2c-N, for the sandbox */
static const struct sandbox_ioctl i2c_ioctls[] = {
	SANDBOX_IOCTL(I2C_RDWR),
	SANDBOX_IOCTL(I2C_SMBUS),
	SANDBOX_IOCTL(I2C_SLAVE),
	SANDBOX_IOCTL(I2C_FUNCS),
};

static int k_open(void *ctx, unsigned bus)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/i2c-%u", bus);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	sandbox_allow_ioctls(i2c_ioctls, sizeof(i2c_ioctls) / sizeof(i2c_ioctls[0]));
	return fd;
}

static void k_close(void *ctx, int fd)
{
	close(fd);
}

static int k_funcs(void *ctx, int fd, unsigned long *funcs)
{
	return ioctl(fd, I2C_FUNCS, funcs) < 0 ? -errno : 0;
}

static int k_rdwr(void *ctx, int fd, struct i2c_msg *msgs, unsigned n)
{
	struct i2c_rdwr_ioctl_data d = { .msgs = msgs, .nmsgs = n };
	int r = ioctl(fd, I2C_RDWR, &d);

	return r < 0 ? -errno : r;
}

static int k_set_slave(void *ctx, int fd, uint16_t addr)
{
	return ioctl(fd, I2C_SLAVE, (unsigned long)addr) < 0 ? -errno : 0;
}

static int k_smbus(void *ctx, int fd, uint8_t rw, uint8_t cmd, uint32_t size,
		   union i2c_smbus_data *data)
{
	struct i2c_smbus_ioctl_data d = {
		.read_write = rw, .command = cmd, .size = size, .data = data,
	};

	return ioctl(fd, I2C_SMBUS, &d) < 0 ? -errno : 0;
}

const struct i2c_host_ops i2c_kernel_ops = {
	.open = k_open,
	.close = k_close,
	.funcs = k_funcs,
	.rdwr = k_rdwr,
	.set_slave = k_set_slave,
	.smbus = k_smbus,
};
