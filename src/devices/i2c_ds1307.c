/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Simulated ds1307 (--sim ds1307@ADDR[,offset=SECONDS]): a real-time
 * clock as the Linux rtc-ds1307 driver and hwclock use it.  64 registers
 * behind an auto-incrementing pointer that wraps from 0x3f to 0: seconds
 * (bit 7 CH, the clock halt), minutes, hours (bit 6: 12-hour mode, then
 * bit 5 PM), weekday 1-7, date, month, year 00-99 (2000-2099), all BCD;
 * control (OUT, SQWE, RS1, RS0); 56 bytes of NVRAM (0x08-0x3f).
 *
 * The time is the host's clock plus the offset the guest set by writing
 * the time registers (the offset starts at offset=SECONDS, default 0: the
 * host's time).  As on the part, the time registers are copied into a
 * buffer at every START, so that a read of several of them is coherent,
 * and a write of them takes effect at the STOP (or the next START).  A
 * write with CH set halts the clock at the time written; one with CH clear
 * runs it again from there.  The weekday counts independently, as on the
 * part: it keeps the difference the guest wrote to the real weekday. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/i2c.h"

#define REG_SECS  0
#define REG_MIN   1
#define REG_HOUR  2
#define REG_WDAY  3
#define REG_MDAY  4
#define REG_MONTH 5
#define REG_YEAR  6
#define REG_CTRL  7
#define BIT_CH    0x80
#define BIT_12HR  0x40
#define BIT_PM    0x20
#define CTRL_MASK 0x93    /* OUT, SQWE, RS1, RS0 */

static int64_t host_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

int64_t (*ds1307_host_time)(void) = host_time;

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (no libc
 * time zone machinery, so nothing is read from the file system). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static uint8_t bcd(unsigned v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned unbcd(uint8_t v)
{
	return (v >> 4) * 10u + (v & 0x0f);
}

int64_t ds1307_time(const struct i2c_sim *s)
{
	return s->u.rtc.halted ? s->u.rtc.stopped : ds1307_host_time() + s->u.rtc.offset;
}

void ds1307_set_time(struct i2c_sim *s, int64_t t)
{
	if (s->u.rtc.halted)
		s->u.rtc.stopped = t;
	else
		s->u.rtc.offset = t - ds1307_host_time();
}

bool ds1307_halted(const struct i2c_sim *s)
{
	return s->u.rtc.halted;
}

/* The time registers for the time the chip keeps now. */
static void rtc_snapshot(struct i2c_sim *s)
{
	int64_t t = ds1307_time(s), days = floor_div(t, 86400), y;
	unsigned sod = (unsigned)(t - days * 86400), m, d, hour = sod / 3600;
	unsigned wday = (unsigned)(((days + 4) % 7 + 7) % 7);   /* 0: Sunday */
	uint8_t *r = s->u.rtc.snap;

	civil_from_days(days, &y, &m, &d);
	r[REG_SECS] = (uint8_t)(bcd(sod % 60) | (s->u.rtc.halted ? BIT_CH : 0));
	r[REG_MIN] = bcd(sod / 60 % 60);
	if (s->u.rtc.h12)
		r[REG_HOUR] = (uint8_t)(BIT_12HR | (hour >= 12 ? BIT_PM : 0) |
					bcd(hour % 12 ? hour % 12 : 12));
	else
		r[REG_HOUR] = bcd(hour);
	r[REG_WDAY] = (uint8_t)((wday + s->u.rtc.wday_adj) % 7 + 1);
	r[REG_MDAY] = bcd(d);
	r[REG_MONTH] = bcd(m);
	r[REG_YEAR] = bcd((unsigned)(((y - 2000) % 100 + 100) % 100));
	r[REG_CTRL] = s->u.rtc.ctrl;
}

/* The time registers were written: the new time (and mode) from them. */
static void rtc_commit(struct i2c_sim *s)
{
	const uint8_t *r = s->u.rtc.snap;
	unsigned hour, mon, mday, wday;
	int64_t days, t;

	if (!s->u.rtc.time_written)
		return;
	s->u.rtc.time_written = false;
	s->u.rtc.h12 = r[REG_HOUR] & BIT_12HR;
	if (s->u.rtc.h12)
		hour = unbcd(r[REG_HOUR] & 0x1f) % 12 + (r[REG_HOUR] & BIT_PM ? 12 : 0);
	else
		hour = unbcd(r[REG_HOUR] & 0x3f);
	/* out-of-range values count on from the nearest valid ones */
	mon = unbcd(r[REG_MONTH] & 0x1f);
	mon = mon < 1 ? 1 : mon > 12 ? 12 : mon;
	mday = unbcd(r[REG_MDAY] & 0x3f);
	days = days_from_civil(2000 + unbcd(r[REG_YEAR]), mon, mday ? mday : 1);
	t = days * 86400 + hour * 3600 + unbcd(r[REG_MIN] & 0x7f) * 60 +
	    unbcd(r[REG_SECS] & 0x7f);
	wday = (unsigned)(((days + 4) % 7 + 7) % 7);
	s->u.rtc.wday_adj = (uint8_t)(((r[REG_WDAY] & 7) + 6 - wday + 7) % 7);
	s->u.rtc.halted = r[REG_SECS] & BIT_CH;
	if (s->u.rtc.halted)
		s->u.rtc.stopped = t;
	else
		s->u.rtc.offset = t - ds1307_host_time();
}

static int rtc_init(struct i2c_sim *s, char *const *props, unsigned nprops,
		    char *err, size_t errlen)
{
	long long off = 0;

	for (unsigned i = 0; i < nprops; i++) {
		char *end;

		if (!strncmp(props[i], "offset=", 7) && props[i][7]) {
			errno = 0;
			off = strtoll(props[i] + 7, &end, 10);
			/* a century either way */
			if (errno || *end || off < -3155760000LL || off > 3155760000LL) {
				snprintf(err, errlen, "bad offset '%s' (seconds from the host's "
					 "time, at most 3155760000 either way)", props[i] + 7);
				return -1;
			}
			continue;
		}
		snprintf(err, errlen, "unknown or empty property '%s' "
			 "(ds1307 takes offset=SECONDS)", props[i]);
		return -1;
	}
	memset(&s->u.rtc, 0, sizeof(s->u.rtc));
	s->u.rtc.offset = off;
	return 0;
}

static void rtc_start(struct i2c_sim *s, bool read)
{
	rtc_commit(s);
	rtc_snapshot(s);
	s->u.rtc.ptr_phase = !read;
}

static int rtc_xfer(struct i2c_sim *s, bool read, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t p = s->u.rtc.ptr;

		if (!read && s->u.rtc.ptr_phase) {
			s->u.rtc.ptr = buf[i] & (DS1307_NREGS - 1);
			s->u.rtc.ptr_phase = false;
			continue;
		}
		if (read) {
			buf[i] = p < REG_CTRL ? s->u.rtc.snap[p] :
				 p == REG_CTRL ? s->u.rtc.ctrl :
				 s->u.rtc.nvram[p - DS1307_NVRAM];
		} else if (p < REG_CTRL) {
			s->u.rtc.snap[p] = buf[i];
			s->u.rtc.time_written = true;
		} else if (p == REG_CTRL) {
			s->u.rtc.ctrl = buf[i] & CTRL_MASK;
		} else {
			s->u.rtc.nvram[p - DS1307_NVRAM] = buf[i];
		}
		s->u.rtc.ptr = (uint8_t)((p + 1) & (DS1307_NREGS - 1));
	}
	return 0;
}

static int rtc_stop(struct i2c_sim *s)
{
	rtc_commit(s);
	return 0;
}

/* i2c.dump/i2c.load: the NVRAM (offset 0 is register 0x08) */
static uint8_t *rtc_mem(struct i2c_sim *s, uint32_t *size)
{
	*size = sizeof(s->u.rtc.nvram);
	return s->u.rtc.nvram;
}

const struct i2c_sim_model i2c_ds1307_model = {
	.name = "ds1307",
	.help = "RTC + 56-byte NVRAM (Linux: rtc-ds1307); offset=SECONDS",
	.init = rtc_init,
	.start = rtc_start,
	.xfer = rtc_xfer,
	.stop = rtc_stop,
	.mem = rtc_mem,
};
