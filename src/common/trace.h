/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Traces of what the guests do, in formats existing tools read
 * (--trace FILE[,format=F], one trace per process):
 *   pcap  I2C messages, LINKTYPE_I2C_LINUX (209): every record is the
 *         5-byte pseudo-header (bus number, then the Linux i2c_msg flags
 *         as a big-endian u32) followed by the address byte (addr << 1 |
 *         read) and the data; tshark/Wireshark decode it;
 *   vcd   GPIO line values as a value change dump (GTKWave, PulseView,
 *         sigrok-cli): one 1-bit wire per line, 1 us resolution;
 *   json  one JSON object per line per decoded request and its result.
 * Timestamps throughout (pcap, json: the host's real time in
 * microseconds; vcd: microseconds since the trace began).
 *
 * Records never block the loop and never allocate: they are copied into
 * one of two buffers allocated when the trace starts; a worker thread
 * (vhost/work.h) writes the other one to the file, handed over at most
 * every TRACE_FLUSH_MS or when the buffer fills up.  A record that finds
 * no room (the disk or the reader of a FIFO too slow) is dropped and
 * counted; the count is logged (and written into json traces as a
 * {"dropped": N} line) when room comes back and at the end, and a vcd
 * then gives the lines whose change was lost their value again (no
 * $comment among the changes: sigrok stops reading at one).  At the end
 * a reader that does not read is waited for WORKER_EXIT_WAIT_MS in all.
 * Without a loop (tests) every record is written at once. */
#ifndef VD_COMMON_TRACE_H
#define VD_COMMON_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum trace_format { TRACE_NONE = 0, TRACE_PCAP, TRACE_VCD, TRACE_JSON };

#define TRACE_BUF_SIZE  (256u * 1024)   /* each of the two buffers */
#define TRACE_FLUSH_MS  50

struct loop;

/* The format being written (TRACE_NONE: no trace): a device builds
 * records only when it is its own. */
extern enum trace_format trace_active;
static inline bool trace_on(enum trace_format f)
{
	return trace_active == f;
}

/* Open path (created or truncated, mode 0600) for format f; the
 * format's file header is written at once (vcd: at trace_vcd_defs_end).
 * 0 or -errno. */
int trace_open(const char *path, enum trace_format f);
/* Write through a worker on l from now on (NULL: inline). 0 or -errno. */
int trace_start(struct loop *l);
/* Write what is buffered, the end of the trace (the drop count) and close.
 * Returns the number of records dropped. */
unsigned long trace_close(void);
/* Records dropped so far. */
unsigned long trace_dropped(void);

/* Stop (on=false) or start again the recording into the file opened
 * (ctl trace.stop / trace.start); no new file can be opened once
 * serving, the sandbox forbids it.  While stopped no record is made (not
 * dropped either) and trace_on() is false; vcd still follows the wires'
 * values, and marks the stop with $dumpoff (every wire x) and the start
 * with $dumpon (the values then); json marks both with a
 * {"trace": "stopped"} / "started" line; pcap has no mark.  0 (also when already so), -ENOENT (no trace open) or -EIO
 * (it ended after a write error). */
int trace_record(bool on);

struct trace_info {
	const char *path;          /* NULL: no trace */
	enum trace_format fmt;
	bool recording;            /* records are made now */
	bool failed;               /* a write failed: it ended */
	unsigned long records;     /* made since it was opened */
	unsigned long dropped;
};
void trace_get_info(struct trace_info *i);
/* Parse a format name; TRACE_NONE if unknown. */
enum trace_format trace_format_parse(const char *name);
const char *trace_format_name(enum trace_format f);

/* pcap: one I2C message on bus (0..127). */
void trace_i2c(unsigned bus, uint16_t addr, bool read, const uint8_t *data, size_t len);

/* vcd: declare the wires (before any change): a scope per chip or guest,
 * a wire per line; then end the definitions.  Returns the wire's number. */
void trace_vcd_scope(const char *name);
int trace_vcd_wire(const char *name);
void trace_vcd_defs_end(void);
/* Wire w changed to value (0, 1; anything else: x, unknown). */
void trace_vcd_change(int w, int value);

/* json: one line {"time": T, "dev": dev, <members>}; members is the
 * text of further members ("\"op\": 3, ..."), printf-style. */
void trace_json(const char *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hex of data (at most max bytes, then "..") into out (2 * max + 3). */
const char *trace_hex(char *out, const uint8_t *data, size_t len, size_t max);

#endif
