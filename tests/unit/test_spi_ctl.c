/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The spi control commands (spi_ctl.c) on a controller of simulated chip
 * selects (loopback, flash with an image file, mcp3008) and two guests'
 * queues: spi.dump / spi.load of the flash, spi.set of an mcp3008
 * channel read back by a conversion, spi.fail (a count that decrements,
 * all until cleared, per guest and chip select, the chip select released
 * on a failure), `list`, and every refused argument named in its error. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/ctl.h"
#include "devices/spi.h"
#include "vhost/dev.h"
#include "vhost/loop.h"
#include "spi_elem.h"

static struct spi_ctrl ctl;
static struct spi_sock *socks[2];
static char dir[64], img[128], ctlpath[128];
static struct loop *l;
static struct vu_dev *nodev[2];
static char reply[CTL_REPLY_MAX];
static unsigned ncompleted;

static void complete(void *ctx, struct vq_elem *e, uint32_t len)
{
	ncompleted++;
}

static int setup(void **state)
{
	char spec[200], err[256];
	const char *sims[3] = { "loopback", spec, "mcp3008,ch5=77" };

	strcpy(dir, "/tmp/vdspictl.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/nor.img", dir);
	snprintf(spec, sizeof(spec), "flash,file=%s", img);
	memset(&ctl, 0, sizeof(ctl));
	for (unsigned i = 0; i < 3; i++) {
		ctl.cs[ctl.ncs] = spi_sim_new(sims[i], err, sizeof(err));
		assert_non_null(ctl.cs[ctl.ncs++]);
	}
	assert_int_equal(spi_ctrl_finish(&ctl, err, sizeof(err)), 0);
	ctl.nsock = 2;
	ctl.sock = socks;
	for (unsigned i = 0; i < 2; i++) {
		socks[i] = calloc(1, sizeof(*socks[i]));
		assert_non_null(socks[i]);
		socks[i]->ctrl = &ctl;
		socks[i]->index = (int)i;
		socks[i]->complete = complete;
	}
	ctl_reset_registry();
	assert_int_equal(spi_ctl_register(&ctl), 0);
	/* a server (no guest sockets behind it) for `list` */
	snprintf(ctlpath, sizeof(ctlpath), "%s/c.ctl", dir);
	l = loop_new();
	assert_non_null(l);
	assert_int_equal(ctl_server_start(l, ctlpath, "spi", nodev, 2), 0);
	return 0;
}

static int teardown(void **state)
{
	ctl_server_stop();
	loop_free(l);
	for (unsigned i = 0; i < 2; i++) {
		spi_sock_free(socks[i]);
		free(socks[i]);
	}
	spi_ctrl_free(&ctl);
	ctl_reset_registry();
	unlink(img);
	rmdir(dir);
	return 0;
}

/* Run a request (JSON text); the reply. */
static const char *req(const char *json)
{
	ctl_run_line(json, strlen(json), reply);
	return reply;
}

static void ok(const char *json, const char *want)
{
	req(json);
	if (!strstr(reply, want))
		fail_msg("%s: reply %s has no %s", json, reply, want);
	assert_null(strstr(reply, "\"error\""));
}

static void refused(const char *json, const char *desc)
{
	char want[300];

	req(json);
	snprintf(want, sizeof(want), "\"desc\":\"%s\"", desc);
	if (!strstr(reply, "\"class\":\"InvalidArgument\"") || !strstr(reply, want))
		fail_msg("%s: reply %s, expected InvalidArgument %s", json, reply, desc);
}

/* One transfer of guest sock on chip select cs, a kick of its own. */
static uint8_t xfer(unsigned sock, unsigned cs, uint8_t *tx, uint32_t txlen, uint8_t *rx,
		    uint32_t rxlen)
{
	struct virtio_spi_transfer_head h = spi_head(cs, 0);
	struct telem t;
	unsigned before = ncompleted;

	spi_mk(&t, &h, tx, txlen, rx, rxlen);
	assert_int_equal(spi_sock_handle(socks[sock], &t.e), DEV_HELD);
	spi_sock_flush(socks[sock]);
	assert_int_equal(ncompleted, before + 1);
	return t.result;
}

/* The mcp320x driver's conversion of single-ended channel ch. */
static unsigned convert(unsigned sock, unsigned ch)
{
	uint8_t tx = (uint8_t)(0x60 | ch << 2), rx[2];

	assert_int_equal(xfer(sock, 2, &tx, 1, NULL, 0), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(xfer(sock, 2, NULL, 0, rx, 2), VIRTIO_SPI_TRANS_OK);
	return (unsigned)(rx[0] << 2 | rx[1] >> 6);
}

/* JEDEC id through the flash, as spi-nor reads it. */
static void jedec(unsigned sock, uint8_t res[3])
{
	uint8_t op = 0x9f;

	assert_int_equal(xfer(sock, 1, &op, 1, NULL, 0), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(xfer(sock, 1, NULL, 0, res, 3), VIRTIO_SPI_TRANS_OK);
}

static void test_spi_ctl_load_dump_and_the_guest_reads_it(void **state)
{
	uint8_t rd[7] = { 0x03, 0x00, 0x12, 0x34 }, back[4];

	ok("{\"cmd\":\"spi.load\",\"args\":{\"cs\":1,\"offset\":4660,\"data\":\"c0ffee42\"}}",
	   "{\"cs\":1,\"offset\":4660,\"length\":4}");
	ok("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"offset\":4658,\"length\":8}}",
	   "\"data\":\"ffffc0ffee42ffff\"");
	/* the guest's READ sees it */
	assert_int_equal(xfer(0, 1, rd, 4, NULL, 0), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(xfer(0, 1, NULL, 0, back, 4), VIRTIO_SPI_TRANS_OK);
	assert_memory_equal(back, "\xc0\xff\xee\x42", 4);
	/* offset defaults to 0; the last byte of the flash is reachable */
	ok("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"length\":2}}", "\"data\":\"ffff\"");
	ok("{\"cmd\":\"spi.load\",\"args\":{\"cs\":1,\"offset\":1048575,\"data\":\"5a\"}}",
	   "\"length\":1");
	ok("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"offset\":1048575,\"length\":1}}",
	   "\"data\":\"5a\"");
	/* 4096 bytes both ways */
	{
		static char big[2 * CTL_HEX_MAX + 100];
		int n = snprintf(big, sizeof(big), "{\"cmd\":\"spi.load\",\"args\":{\"cs\":1,"
				 "\"offset\":8192,\"data\":\"");

		for (unsigned i = 0; i < CTL_HEX_MAX; i++)
			n += sprintf(big + n, "%02x", i & 0xff);
		strcpy(big + n, "\"}}");
		ok(big, "\"length\":4096");
		ok("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"offset\":12286,\"length\":4096}}",
		   "\"data\":\"feff");
	}
}

/* Without a loop (no deferred writes), a load marks the image to be
 * written as a guest's program does; spi_sim_sync writes it. */
static void test_spi_ctl_load_reaches_the_image_file(void **state)
{
	uint8_t b[3];
	FILE *f;

	assert_false(spi_sim_dirty(ctl.cs[1]));
	ok("{\"cmd\":\"spi.load\",\"args\":{\"cs\":1,\"offset\":65536,\"data\":\"a1b2c3\"}}",
	   "\"length\":3");
	assert_true(spi_sim_dirty(ctl.cs[1]));
	assert_int_equal(spi_sim_sync(ctl.cs[1]), 0);
	f = fopen(img, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 65536, SEEK_SET), 0);
	assert_int_equal(fread(b, 1, 3, f), 3);
	fclose(f);
	assert_memory_equal(b, "\xa1\xb2\xc3", 3);
}

static void test_spi_ctl_dump_load_refused(void **state)
{
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":0,\"length\":4}}",
		"cs 0: a loopback, not a flash");
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":2,\"length\":4}}",
		"cs 2: an mcp3008, not a flash");
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":3,\"length\":4}}",
		"cs 3: out of range 0..2");
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"length\":4}}", "missing argument 'cs'");
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1}}", "missing argument 'length'");
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"length\":0}}",
		"length 0: out of range 1..4096");
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"length\":4097}}",
		"length 4097: out of range 1..4096");
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"offset\":1048576,\"length\":1}}",
		"offset 1048576: out of range 0..1048575");
	refused("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"offset\":1048574,\"length\":3}}",
		"offset 1048574 + 3 bytes: past the end of the 1048576-byte flash");
	refused("{\"cmd\":\"spi.load\",\"args\":{\"cs\":1,\"offset\":1048575,\"data\":\"0000\"}}",
		"offset 1048575 + 2 bytes: past the end of the 1048576-byte flash");
	refused("{\"cmd\":\"spi.load\",\"args\":{\"cs\":1,\"data\":\"0g\"}}",
		"data: '0g' at offset 0 is not hex");
	refused("{\"cmd\":\"spi.load\",\"args\":{\"cs\":1,\"data\":\"\"}}", "data \\\"\\\": no bytes");
	refused("{\"cmd\":\"spi.load\",\"args\":{\"cs\":1}}", "missing argument 'data'");
	refused("{\"cmd\":\"spi.load\",\"args\":{\"cs\":0,\"data\":\"00\"}}",
		"cs 0: a loopback, not a flash");
	/* nothing was written by any of them */
	ok("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"offset\":1048574,\"length\":2}}",
	   "\"data\":\"ffff\"");
	assert_false(spi_sim_dirty(ctl.cs[1]));
}

static void test_spi_ctl_set_mcp3008_channel(void **state)
{
	assert_int_equal(convert(0, 5), 77);
	ok("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":5,\"value\":1023}}",
	   "{\"cs\":2,\"channel\":5,\"value\":1023}");
	assert_int_equal(convert(0, 5), 1023);
	assert_int_equal(convert(1, 5), 1023);     /* every guest sees the one chip */
	ok("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":0,\"value\":0}}", "\"value\":0");
	assert_int_equal(convert(0, 0), 0);
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":8,\"value\":1}}",
		"channel 8: out of range 0..7");
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":-1,\"value\":1}}",
		"channel -1: out of range 0..7");
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":5,\"value\":1024}}",
		"value 1024: out of range 0..1023");
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":5,\"value\":-1}}",
		"value -1: out of range 0..1023");
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":2,\"channel\":5}}",
		"missing argument 'value'");
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":1,\"channel\":5,\"value\":1}}",
		"cs 1: a flash, not an mcp3008");
	refused("{\"cmd\":\"spi.set\",\"args\":{\"cs\":7,\"channel\":5,\"value\":1}}",
		"cs 7: out of range 0..2");
	assert_int_equal(convert(0, 5), 1023);     /* unchanged by the refused ones */
}

static void test_spi_ctl_fail_next_count(void **state)
{
	uint8_t tx[4] = { 1, 2, 3, 4 }, rx[4];

	ok("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":0,\"cs\":0,\"count\":2}}",
	   "{\"sock\":0,\"cs\":0,\"fail\":2}");
	ok("{\"cmd\":\"list\"}", "{\"cs\":0,\"model\":\"loopback\",\"name\":\"sim:loopback\","
	   "\"fail\":2,\"failed\":0}");
	/* another chip select and another guest are not affected */
	assert_int_equal(xfer(0, 1, (uint8_t[]){ 0x05 }, 1, rx, 1), VIRTIO_SPI_TRANS_OK);
	memset(rx, 0xa5, 4);
	assert_int_equal(xfer(1, 0, tx, 4, rx, 4), VIRTIO_SPI_TRANS_OK);
	assert_memory_equal(rx, tx, 4);
	/* guest 0's next two transfers to chip select 0 fail, nothing clocked */
	memset(rx, 0xa5, 4);
	assert_int_equal(xfer(0, 0, tx, 4, rx, 4), VIRTIO_SPI_TRANS_ERR);
	assert_int_equal(rx[0], 0xa5);
	ok("{\"cmd\":\"list\"}", "\"model\":\"loopback\",\"name\":\"sim:loopback\","
	   "\"fail\":1,\"failed\":1}");
	assert_int_equal(xfer(0, 0, tx, 4, rx, 4), VIRTIO_SPI_TRANS_ERR);
	ok("{\"cmd\":\"list\"}", "\"model\":\"loopback\",\"name\":\"sim:loopback\","
	   "\"fail\":0,\"failed\":2}");
	/* then it heals by itself */
	assert_int_equal(xfer(0, 0, tx, 4, rx, 4), VIRTIO_SPI_TRANS_OK);
	assert_memory_equal(rx, tx, 4);
}

/* Without sock a fault is every guest's, each with its own count (the
 * rule i2c.fault follows too: man vhost-device-ctl, COMMANDS). */
static void test_spi_ctl_fail_without_sock_is_every_guests(void **state)
{
	uint8_t tx[2] = { 7, 8 }, rx[2];

	ok("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":0,\"count\":1}}",
	   "{\"sock\":null,\"cs\":0,\"fail\":1}");
	assert_int_equal(socks[0]->fail[0], 1);
	assert_int_equal(socks[1]->fail[0], 1);
	assert_int_equal(xfer(1, 0, tx, 2, rx, 2), VIRTIO_SPI_TRANS_ERR);
	assert_int_equal(xfer(0, 0, tx, 2, rx, 2), VIRTIO_SPI_TRANS_ERR);
	assert_int_equal(xfer(1, 0, tx, 2, rx, 2), VIRTIO_SPI_TRANS_OK);
	assert_int_equal(xfer(0, 0, tx, 2, rx, 2), VIRTIO_SPI_TRANS_OK);
	ok("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":0,\"all\":true}}", "\"fail\":\"all\"}");
	ok("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":0,\"count\":0}}", "\"fail\":0}");
	assert_int_equal(socks[0]->fail[0], 0);
	assert_int_equal(socks[1]->fail[0], 0);
}

static void test_spi_ctl_fail_all_until_cleared(void **state)
{
	uint8_t tx[2] = { 7, 8 }, rx[2];

	ok("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":1,\"cs\":0,\"all\":true}}",
	   "{\"sock\":1,\"cs\":0,\"fail\":\"all\"}");
	for (int i = 0; i < 5; i++)
		assert_int_equal(xfer(1, 0, tx, 2, rx, 2), VIRTIO_SPI_TRANS_ERR);
	assert_int_equal(xfer(0, 0, tx, 2, rx, 2), VIRTIO_SPI_TRANS_OK);
	ok("{\"cmd\":\"list\"}", "\"fail\":\"all\",\"failed\":5}");
	ok("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":1,\"cs\":0,\"count\":0}}", "\"fail\":0}");
	assert_int_equal(xfer(1, 0, tx, 2, rx, 2), VIRTIO_SPI_TRANS_OK);
	assert_memory_equal(rx, tx, 2);
	/* all=false clears too */
	ok("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":1,\"cs\":0,\"count\":9}}", "\"fail\":9}");
	ok("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":1,\"cs\":0,\"all\":false}}", "\"fail\":0}");
	assert_int_equal(xfer(1, 0, tx, 2, rx, 2), VIRTIO_SPI_TRANS_OK);
}

static void test_spi_ctl_fail_refused(void **state)
{
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":3,\"count\":1}}", "cs 3: out of range 0..2");
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"count\":1}}", "missing argument 'cs'");
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":2,\"cs\":0,\"count\":1}}",
		"sock 2: out of range 0..1");
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":0,\"count\":1000001}}",
		"count 1000001: out of range 0..1000000");
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":0,\"count\":-1}}",
		"count -1: out of range 0..1000000");
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":0}}",
		"missing argument 'count' (or all=true)");
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":0,\"count\":2,\"all\":true}}",
		"count 2 and all=true: give one");
	refused("{\"cmd\":\"spi.fail\",\"args\":{\"cs\":0,\"all\":\"yes\"}}",
		"all \\\"yes\\\": expected true, false, 0 or 1");
	for (unsigned s = 0; s < 2; s++)
		for (unsigned i = 0; i < ctl.ncs; i++)
			assert_int_equal(socks[s]->fail[i], 0);
}

/* A transfer that fails ends the command the guest had begun on the
 * flash (its chip select is released), so the next command is whole. */
static void test_spi_ctl_fail_releases_the_chip_select(void **state)
{
	uint8_t rd[4] = { 0x03, 0, 0, 0 }, data[4], id[3];

	assert_int_equal(xfer(0, 1, rd, 4, NULL, 0), VIRTIO_SPI_TRANS_OK);
	assert_ptr_equal(ctl.held, ctl.cs[1]);
	ok("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":0,\"cs\":1,\"count\":1}}", "\"fail\":1");
	assert_int_equal(xfer(0, 1, NULL, 0, data, 4), VIRTIO_SPI_TRANS_ERR);
	assert_null(ctl.held);
	jedec(0, id);
	assert_memory_equal(id, "\xef\x40\x14", 3);
	/* another guest's kept chip select is not this guest's to end */
	assert_int_equal(xfer(1, 1, rd, 4, NULL, 0), VIRTIO_SPI_TRANS_OK);
	ok("{\"cmd\":\"spi.fail\",\"args\":{\"sock\":0,\"cs\":0,\"count\":1}}", "\"fail\":1");
	assert_int_equal(xfer(0, 0, rd, 1, NULL, 0), VIRTIO_SPI_TRANS_ERR);
	assert_ptr_equal(ctl.held, ctl.cs[1]);
	assert_int_equal(ctl.held_owner, 1);
}

static void test_spi_ctl_list_and_help(void **state)
{
	char want[400];

	snprintf(want, sizeof(want), "{\"cs\":1,\"model\":\"flash\",\"name\":\"sim:flash,file=%s\","
		 "\"file\":\"%s\",\"fail\":0,\"failed\":0}", img, img);
	ok("{\"cmd\":\"list\"}", want);
	ok("{\"cmd\":\"list\"}", "{\"cs\":2,\"model\":\"mcp3008\",\"name\":\"sim:mcp3008,ch5=77\","
	   "\"channels\":[0,0,0,0,0,77,0,0],\"fail\":0,\"failed\":0}");
	ok("{\"cmd\":\"list\"}", "{\"sock\":1,");
	ok("{\"cmd\":\"help\"}", "\"name\":\"spi.dump\",\"args\":\"cs offset length\"");
	ok("{\"cmd\":\"help\"}", "\"name\":\"spi.load\",\"args\":\"cs offset data\"");
	ok("{\"cmd\":\"help\"}", "\"name\":\"spi.fail\",\"args\":\"sock cs count all\"");
	ok("{\"cmd\":\"help\"}", "\"name\":\"spi.set\",\"args\":\"cs channel value\"");
	req("{\"cmd\":\"spi.dump\",\"args\":{\"cs\":1,\"length\":1,\"sock\":0}}");
	assert_non_null(strstr(reply, "unknown argument 'sock'"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_spi_ctl_load_dump_and_the_guest_reads_it),
		T(test_spi_ctl_load_reaches_the_image_file),
		T(test_spi_ctl_dump_load_refused),
		T(test_spi_ctl_set_mcp3008_channel),
		T(test_spi_ctl_fail_next_count),
		T(test_spi_ctl_fail_without_sock_is_every_guests),
		T(test_spi_ctl_fail_all_until_cleared),
		T(test_spi_ctl_fail_refused),
		T(test_spi_ctl_fail_releases_the_chip_select),
		T(test_spi_ctl_list_and_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
