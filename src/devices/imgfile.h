/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* The image file of a simulated memory (24c02 EEPROM, SPI NOR flash),
 * persisted off the guest's path: a change marks the image dirty and arms
 * a timer; when it fires (IMGFILE_DELAY_MS after the first change, so
 * changes coalesce) the loop copies the image and a worker writes the copy
 * to a new file next to PATH, fsyncs it, renames it over PATH and fsyncs
 * the directory, so PATH always holds a whole image (the old or the new
 * one) and a crash loses at most the last IMGFILE_DELAY_MS of changes.
 * imgfile_flush() writes what is pending at exit.  Without a loop (tests,
 * fuzzers) a change is written at once, inline. */
#ifndef VD_DEVICES_IMGFILE_H
#define VD_DEVICES_IMGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vhost/loop.h"
#include "vhost/work.h"

#define IMGFILE_DELAY_MS 200

struct imgfile {
	char *path;
	const uint8_t *mem;        /* the live image (loop thread) */
	size_t size;
	uint8_t *snap;             /* the copy a worker writes */
	bool dirty;                /* changed since the last copy */
	bool saving;               /* a copy is being written */
	bool armed;
	int result;                /* of the last write: 0 or -errno */
	unsigned writes;           /* whole images written (for tests) */
	struct loop *loop;
	struct loop_watch *timer;
	struct worker *wk;
	struct work w;
};

/* Write size bytes to path atomically (temporary file, fsync, rename,
 * directory fsync).  0 or -errno; nothing is left behind on failure. */
int imgfile_write(const char *path, const uint8_t *data, size_t size);

/* f persists mem[0..size) to path (copied).  0 or -ENOMEM. */
int imgfile_init(struct imgfile *f, const char *path, const uint8_t *mem, size_t size);
/* Defer writes: a timer in l, the writes on worker wk.  0 or -errno. */
int imgfile_start(struct imgfile *f, struct loop *l, struct worker *wk);
/* Writes are deferred (imgfile_start was called). */
static inline bool imgfile_deferred(const struct imgfile *f)
{
	return f->timer != NULL;
}
/* The image changed.  Deferred once started: returns 0 (a failed write
 * is logged when it happens).  Inline otherwise: the result of the write. */
int imgfile_changed(struct imgfile *f);
/* Stop deferring (the worker must have been stopped; worker_stuck: it
 * was left inside a write) and write what is pending, here and now
 * (exit).  0 or -errno. */
int imgfile_flush(struct imgfile *f, bool worker_stuck);
void imgfile_free(struct imgfile *f);

#endif
