/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The i2c-dev backend (src/devices/i2c_host.c) against a stand-in for the
 * kernel: ioctl() is defined here, so the calls the backend makes on a
 * pretend /dev/i2c-N fd reach a table-driven adapter instead of a driver;
 * any other fd goes to the real system call.  What is checked is what
 * the backend hands the kernel and what it makes of the answers. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/i2c-dev.h>
#include <cmocka.h>

#include "devices/i2c.h"

static int fake_fd = -1;        /* the pretend adapter's fd */
static int fake_err;            /* errno for the next call, 0: succeed */
static unsigned long last_req;
static uint16_t slave;
static struct i2c_smbus_ioctl_data last_smbus;
static unsigned rdwr_n;

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != fake_fd || fd < 0)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	last_req = req;
	if (fake_err) {
		errno = fake_err;
		return -1;
	}
	switch (req) {
	case I2C_FUNCS:
		*(unsigned long *)arg = I2C_FUNC_I2C | I2C_FUNC_SMBUS_BYTE_DATA;
		return 0;
	case I2C_SLAVE:
		slave = (uint16_t)(unsigned long)arg;
		return 0;
	case I2C_RDWR: {
		struct i2c_rdwr_ioctl_data *d = arg;

		rdwr_n = d->nmsgs;
		for (unsigned i = 0; i < d->nmsgs; i++)
			if (d->msgs[i].flags & I2C_M_RD)
				memset(d->msgs[i].buf, 0x5a, d->msgs[i].len);
		return (int)d->nmsgs;
	}
	case I2C_SMBUS:
		last_smbus = *(struct i2c_smbus_ioctl_data *)arg;
		if (last_smbus.read_write == I2C_SMBUS_READ && last_smbus.data)
			last_smbus.data->byte = 0x42;
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

static int setup(void **state)
{
	fake_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(fake_fd >= 0);
	fake_err = 0;
	return 0;
}

static int teardown(void **state)
{
	i2c_kernel_ops.close(NULL, fake_fd);
	fake_fd = -1;
	return 0;
}

static void test_i2c_host_open_missing_adapter(void **state)
{
	/* no such adapter: the errno of open, not an fd */
	assert_int_equal(i2c_kernel_ops.open(NULL, 4000000000u), -ENOENT);
}

static void test_i2c_host_funcs_and_slave(void **state)
{
	unsigned long f = 0;

	assert_int_equal(i2c_kernel_ops.funcs(NULL, fake_fd, &f), 0);
	assert_int_equal(last_req, I2C_FUNCS);
	assert_int_equal(f, I2C_FUNC_I2C | I2C_FUNC_SMBUS_BYTE_DATA);
	assert_int_equal(i2c_kernel_ops.set_slave(NULL, fake_fd, 0x50), 0);
	assert_int_equal(last_req, I2C_SLAVE);
	assert_int_equal(slave, 0x50);
	/* the kernel's refusal comes back as -errno */
	fake_err = EBUSY;
	assert_int_equal(i2c_kernel_ops.set_slave(NULL, fake_fd, 0x48), -EBUSY);
	fake_err = EIO;
	assert_int_equal(i2c_kernel_ops.funcs(NULL, fake_fd, &f), -EIO);
}

static void test_i2c_host_rdwr(void **state)
{
	uint8_t w[2] = { 0x00, 0x10 }, r[4] = { 0 };
	struct i2c_msg m[2] = {
		{ .addr = 0x50, .flags = 0, .len = 2, .buf = w },
		{ .addr = 0x50, .flags = I2C_M_RD, .len = 4, .buf = r },
	};

	assert_int_equal(i2c_kernel_ops.rdwr(NULL, fake_fd, m, 2), 2);
	assert_int_equal(last_req, I2C_RDWR);
	assert_int_equal(rdwr_n, 2);
	assert_memory_equal(r, "\x5a\x5a\x5a\x5a", 4);
	fake_err = ENXIO;
	assert_int_equal(i2c_kernel_ops.rdwr(NULL, fake_fd, m, 2), -ENXIO);
}

static void test_i2c_host_smbus(void **state)
{
	union i2c_smbus_data d = { 0 };

	assert_int_equal(i2c_kernel_ops.smbus(NULL, fake_fd, I2C_SMBUS_READ, 0x07,
					      I2C_SMBUS_BYTE_DATA, &d), 0);
	assert_int_equal(last_req, I2C_SMBUS);
	assert_int_equal(last_smbus.read_write, I2C_SMBUS_READ);
	assert_int_equal(last_smbus.command, 0x07);
	assert_int_equal(last_smbus.size, I2C_SMBUS_BYTE_DATA);
	assert_int_equal(d.byte, 0x42);
	/* QUICK has no data */
	assert_int_equal(i2c_kernel_ops.smbus(NULL, fake_fd, I2C_SMBUS_WRITE, 0,
					      I2C_SMBUS_QUICK, NULL), 0);
	assert_null(last_smbus.data);
	fake_err = EOPNOTSUPP;
	assert_int_equal(i2c_kernel_ops.smbus(NULL, fake_fd, I2C_SMBUS_READ, 0,
					      I2C_SMBUS_BYTE, &d), -EOPNOTSUPP);
}

/* An fd that is no adapter: the real ioctl refuses (ENOTTY), passed on. */
static void test_i2c_host_not_an_adapter(void **state)
{
	int p[2];
	unsigned long f;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(i2c_kernel_ops.funcs(NULL, p[0], &f), -ENOTTY);
	i2c_kernel_ops.close(NULL, p[0]);
	close(p[1]);
}

#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_i2c_host_open_missing_adapter),
		T(test_i2c_host_funcs_and_slave),
		T(test_i2c_host_rdwr),
		T(test_i2c_host_smbus),
		T(test_i2c_host_not_an_adapter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
