/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Image files of simulated memories, written off the loop (imgfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/log.h"
#include "devices/imgfile.h"

int imgfile_write(const char *path, const uint8_t *data, size_t size)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	size_t done = 0;
	int fd, dfd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -e;
}

int imgfile_init(struct imgfile *f, const char *path, const uint8_t *mem, size_t size)
{
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	f->snap = malloc(size);
	if (!f->path || !f->snap) {
		imgfile_free(f);
		return -ENOMEM;
	}
	f->mem = mem;
	f->size = size;
	return 0;
}

static void arm(struct imgfile *f)
{
	if (f->armed || !f->timer)
		return;
	if (loop_timer_set(f->timer, (uint64_t)IMGFILE_DELAY_MS * 1000000u, 0) == 0)
		f->armed = true;
}

static void save_run(struct work *w)
{
	struct imgfile *f = (struct imgfile *)((char *)w - offsetof(struct imgfile, w));

	f->result = imgfile_write(f->path, f->snap, f->size);
}

static void save_done(struct work *w)
{
	struct imgfile *f = (struct imgfile *)((char *)w - offsetof(struct imgfile, w));

	f->saving = false;
	if (f->result < 0) {
		/* guest writes can make this repeat: rate-limited */
		log_peer(LOG_ERROR, "cannot save '%s': %s; trying again at the next change "
			 "and at exit", f->path, strerror(-f->result));
		f->dirty = true;
		return;
	}
	f->writes++;   /* changed meanwhile: the timer is armed (changed() or on_timer) */
}

static void on_timer(void *opaque, int fd, uint32_t events)
{
	struct imgfile *f = opaque;

	f->armed = false;      /* armed only while dirty (nothing clears that in between) */
	if (f->saving) {
		arm(f);      /* the previous copy is still being written */
		return;
	}
	memcpy(f->snap, f->mem, f->size);   /* bounded: the image's size */
	f->dirty = false;
	f->saving = true;
	f->w.run = save_run;
	f->w.done = save_done;
	worker_submit(f->wk, &f->w);
}

int imgfile_start(struct imgfile *f, struct loop *l, struct worker *wk)
{
	f->timer = loop_timer(l, 0, 0, on_timer, f);
	if (!f->timer)
		return -errno;
	f->loop = l;
	f->wk = wk;
	return 0;
}

int imgfile_changed(struct imgfile *f)
{
	int r;

	f->dirty = true;
	if (f->timer) {
		arm(f);
		return 0;
	}
	r = imgfile_write(f->path, f->mem, f->size);
	if (r == 0) {
		f->dirty = false;
		f->writes++;
	}
	return r;
}

int imgfile_flush(struct imgfile *f, bool worker_stuck)
{
	int r = 0;

	if (f->timer)
		loop_del(f->loop, f->timer);
	f->timer = NULL;
	f->armed = false;
	f->wk = NULL;
	if (f->dirty || f->saving) {
		r = imgfile_write(f->path, f->mem, f->size);
		if (r < 0)
			log_err("cannot save '%s': %s", f->path, strerror(-r));
		else
			f->writes++;
		f->dirty = false;
	}
	if (!worker_stuck)
		f->saving = false;   /* its worker is gone: the copy is free */
	return r;
}

void imgfile_free(struct imgfile *f)
{
	if (f->timer)
		loop_del(f->loop, f->timer);
	f->timer = NULL;
	free(f->path);
	/* a worker left behind may still read the copy: keep it then */
	if (!f->saving)
		free(f->snap);
	f->path = NULL;
	f->snap = NULL;
}
