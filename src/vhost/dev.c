/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-user backend: listening socket, connection and queues (the
 * message handlers are in msg.c).
 *
 * Reactions to bad input from the frontend (documented in README.md):
 *  - a message that breaks framing or the protocol (short or oversized
 *    header/payload, payload size not matching the request, wrong number of
 *    fds, unknown or not-negotiated request, bad queue index, bad ring
 *    size, invalid or overlapping memory regions, ring addresses outside
 *    guest memory, features that were not offered): the request is refused
 *    without changing state, a failure ack is sent when the frontend asked
 *    for one (REPLY_ACK), the connection is dropped and the device state is
 *    reset; the next connection is served normally.
 *  - GET_CONFIG outside the config space: a reply with an empty payload.
 *  - SET_CONFIG: the config spaces here are read-only: failure ack.
 *  - SET_VRING_CALL/ERR with an fd that is not an eventfd: refused as
 *    above (the connection is dropped).
 *  - bad descriptor chains: see vq.h (queue marked broken, err fd signalled).
 *  - a kick fd at end of file, in error or hung up, or signalling
 *    KICK_IDLE_MAX times in a row with no new request: no longer watched,
 *    queue marked broken (a level-triggered watch would fire forever).
 *  - guest memory truncated under us (SIGBUS on access): the region is
 *    replaced by zero pages and the connection dropped (mem.h, mem_guard).
 * Set-ups that make the guest's requests hang without an error anywhere
 * get one error line per connection naming the likely cause: hint.c.
 * Nothing a frontend does to its fds can make the loop block: see efd.h.
 *
 * Pause or reset (what QEMU sends in each case: DEVELOPERS.md, "Device
 * lifecycle").  A VM stop and a guest driver reset look the same on the
 * wire: SET_VRING_ENABLE 0 and GET_VRING_BASE for every ring.  So a stop
 * changes nothing in the device: held elements stay held and whatever the
 * device completes meanwhile is parked (vq.h).  The first ring started
 * again decides (dev_queue_started): if it continues its old ring (same
 * size and addresses, the base GET_VRING_BASE returned, a used index that
 * has not moved) it was a pause, and everything goes on; if it starts over
 * (a new driver: base 0 and a zeroed used ring, or other addresses or
 * size) the device is reset before any request of the new driver runs.
 * SET_STATUS 0 after a stop waits for that verdict (QEMU would send it on
 * a pause too); anywhere else it resets at once, as RESET_DEVICE does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "vhost/dev_int.h"
#include "vhost/efd.h"
#include "vhost/sockets.h"

/* A work budget per queue pass, so one busy guest cannot starve others:
 * a pass ends after BATCH_BUDGET requests or once the requests taken carry
 * BATCH_BYTES bytes (readable + writable), whichever comes first; the rest
 * follows in a later pass, after the other watches.  Bytes bound the
 * copying a pass may cause; each request is bounded by its device. */
#define BATCH_BUDGET 256
#define BATCH_BYTES  (1u << 20)

void dev_close_fds(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---------------- queues ---------------- */

void dev_process_queue(struct vu_dev *d, unsigned q)
{
	struct vq *vq = &d->vq[q];
	struct vq_elem *e;
	unsigned done = 0;
	uint64_t bytes = 0;
	bool cut = false;
	int r;

	if (!vq_ready(vq)) {
		vq->kick_pending = true;
		return;
	}
	vq->kick_pending = false;
	/* completions made while the ring was stopped, disabled or unmapped */
	vq_flush_parked(vq);
	d->batching |= 1u << q;
	while (!(cut = done == BATCH_BUDGET || bytes >= BATCH_BYTES) &&
	       (r = vq_pop(vq, &e)) > 0) {
		int n;

		bytes += (uint64_t)e->out_len + e->in_len;
		n = d->ops->handle(d->priv, d, q, e);
		done++;
		d->stats.requests++;
		if (n == DEV_HELD)
			continue;
		if (n < 0) {
			d->stats.failed++;
			log_bad("%s: queue %u: request with head %u could not be answered (%s); "
				"returned with no data", d->path, q, e->head, strerror(-n));
			n = 0;
		}
		vq_push(vq, e, (uint32_t)n);
	}
	/* the batch ends when the ring is empty, not when a pass is cut short
	 * by the budget: only then may a device submit what it holds */
	if (!cut && d->ops->flush && !vq->broken)
		d->ops->flush(d->priv, d, q);
	d->batching &= ~(1u << q);
	if (done && vq->call_fd < 0 && !(d->call_seen & (1u << q)))
		dev_hint(d, HINT_NO_CALL, "%s: queue %u: requests are answered, but the frontend "
			 "never sent a call fd for this queue (no SET_VRING_CALL): the driver is "
			 "never told, and its requests seem to hang", d->path, q);
	vq_notify(vq);
	/* more may be waiting: come back after the other watches (never by
	 * writing to the frontend's kick fd: see efd.h) */
	if (cut)
		loop_defer(d->loop, &d->again[q]);
}

static struct vu_dev *vq_owner(struct vq *vq)
{
	return (struct vu_dev *)((char *)(vq - vq->index) - offsetof(struct vu_dev, vq));
}

static void on_again(void *opaque)
{
	struct vq *vq = opaque;

	dev_process_queue(vq_owner(vq), vq->index);
}

/* The kick fd is at end of file or in error: it can never kick again, and
 * a level-triggered watch on it would fire forever.  Stop watching it,
 * close it and mark the queue broken (until set up again, vq.h). */
static void kick_dead(struct vu_dev *d, struct vq *vq, const char *why)
{
	char msg[96];

	loop_del(d->loop, d->kick_w[vq->index]);
	d->kick_w[vq->index] = NULL;
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	vq->kick_fd = -1;
	snprintf(msg, sizeof(msg), "%s: the kick fd %s", d->path, why);
	vq_set_broken(vq, msg);
}

/* Kicks in a row whose pass took no request before the kick fd counts as
 * dead: a driver kicks after adding buffers, so a few come with nothing
 * new (taken by the pass of an earlier kick), never thousands; an eventfd
 * in EFD_SEMAPHORE mode holding a huge count (each read takes 1, it stays
 * readable) or a pipe kept full would wake the loop for ever. */
#define KICK_IDLE_MAX 4096

void dev_on_kick(void *opaque, int fd, uint32_t events)
{
	struct vq *vq = opaque;
	struct vu_dev *d = vq_owner(vq);
	uint64_t buf[8];
	ssize_t n = efd_read(fd, buf, sizeof(buf));
	uint16_t taken = vq->last_avail;

	if (n == 0) {
		kick_dead(d, vq, "is at end of file");
		return;
	}
	if (n < 0 && (n != -EAGAIN || (events & (EPOLLERR | EPOLLHUP)))) {
		kick_dead(d, vq, n == -EAGAIN ? "reports an error or hang-up" :
			  n == -EOPNOTSUPP ? "cannot be read without blocking" :
			  "cannot be read");
		return;
	}
	dev_process_queue(d, vq->index);
	if (vq->last_avail != taken) {
		d->idle_kicks[vq->index] = 0;
		return;
	}
	dev_idle_kick_hint(d, vq);
	if (++d->idle_kicks[vq->index] >= KICK_IDLE_MAX)
		kick_dead(d, vq, "keeps signalling with no new request "
			  "(an EFD_SEMAPHORE eventfd?)");
}

void vu_complete(struct vu_dev *d, unsigned q, struct vq_elem *e, uint32_t len)
{
	struct vq *vq;

	if (q >= d->ops->num_queues)
		return;
	vq = &d->vq[q];
	vq_push(vq, e, len);    /* ignores an element not in use */
	if (!(d->batching & (1u << q)))
		vq_notify(vq);
}

void vu_ref_complete(void *ref, struct vq_elem *e, uint32_t len)
{
	struct vu_queue_ref *r = ref;

	if (r->d)
		vu_complete(r->d, r->q, e, len);
}

bool vu_ref_running(void *ref)
{
	struct vu_queue_ref *r = ref;

	return r->d && vu_queue_running(r->d, r->q);
}

bool vu_queue_running(struct vu_dev *d, unsigned q)
{
	struct vq *vq;

	if (q >= d->ops->num_queues)
		return false;
	vq = &d->vq[q];
	if (vq_ready(vq))
		return true;
	/* the device waits: a pass (and so flush()) once the ring runs */
	vq->kick_pending = true;
	return false;
}

void dev_queue_stop(struct vu_dev *d, unsigned q)
{
	loop_cancel(d->loop, &d->again[q]);
	if (d->ops->queue_stop)
		d->ops->queue_stop(d->priv, d, q);
}

/* The device back to its power-on state, the connection kept: every held
 * element is dropped (queue_stop for each queue, then the pool), reset()
 * runs, and the features the current driver accepted are given again. */
void dev_device_reset(struct vu_dev *d, const char *why)
{
	log_peer(LOG_INFO, "%s: device reset (%s)", d->path, why);
	for (unsigned q = 0; q < d->ops->num_queues; q++) {
		dev_queue_stop(d, q);
		vq_drop_held(&d->vq[q]);
	}
	if (d->ops->reset)
		d->ops->reset(d->priv, d);
	if (d->features_set && d->ops->set_features)
		d->ops->set_features(d->priv, d->features);
	d->suspended = false;
}

/* Queue q's ring is not the one its held elements came from. */
void dev_ring_replaced(struct vu_dev *d, unsigned q)
{
	if (d->suspended) {
		dev_device_reset(d, "the rings start over after a stop: a driver reset");
		return;
	}
	dev_queue_stop(d, q);
	vq_drop_held(&d->vq[q]);
}

void dev_queue_started(struct vu_dev *d, unsigned q, enum vq_start_kind kind)
{
	switch (kind) {
	case VQ_START_RESUMED:
		if (d->suspended)
			log_peer(LOG_INFO, "%s: queue %u continues where it stopped: a pause, the device "
				 "keeps its state", d->path, q);
		d->suspended = false;
		break;
	case VQ_START_OTHER:
		dev_ring_replaced(d, q);
		break;
	case VQ_START_NEW:
	case VQ_START_RUNNING:
		break;
	}
}

/* keep_notify: RESET_DEVICE keeps the call and error eventfds (the
 * frontend sets SET_VRING_ERR only once per connection). */
static void queue_reset(struct vu_dev *d, unsigned q, bool keep_notify)
{
	struct vq *vq = &d->vq[q];
	int call = -1, err = -1;

	dev_queue_stop(d, q);
	loop_del(d->loop, d->kick_w[q]);
	d->kick_w[q] = NULL;
	if (keep_notify) {
		call = vq->call_fd;
		err = vq->err_fd;
		vq->call_fd = vq->err_fd = -1;
	}
	vq_reset(vq);
	vq->call_fd = call;
	vq->err_fd = err;
}

void dev_remap_queues(struct vu_dev *d)
{
	for (unsigned q = 0; q < d->ops->num_queues; q++) {
		struct vq *vq = &d->vq[q];

		if (!vq->addr_set)
			continue;
		if (vq_map(vq) < 0) {
			log_bad("%s: queue %u: rings not in guest memory after a memory change",
				d->path, q);
			continue;
		}
		/* mapped again: what was completed or kicked meanwhile */
		if (vq_ready(vq) && (vq->parked || vq->kick_pending))
			dev_process_queue(d, q);
	}
}

/* Back to the state of a fresh connection; RESET_DEVICE (soft) keeps the
 * memory table and the call/error eventfds. */
void dev_reset_state(struct vu_dev *d, bool soft)
{
	for (unsigned q = 0; q < d->ops->num_queues; q++)
		queue_reset(d, q, soft);
	if (!soft) {
		d->call_seen = 0;
		mem_clear(&d->mem);
		mem_guard_lost(&d->mem);   /* a fault in the old table is history */
	}
	if (d->ops->reset)
		d->ops->reset(d->priv, d);
	d->features = 0;
	d->features_set = false;
	d->status = 0;
	d->suspended = false;
}
/* ---------------- connection ---------------- */

static void conn_close(struct vu_dev *d, const char *why)
{
	if (d->fd < 0)
		return;
	if (why)
		log_peer(LOG_INFO, "%s: frontend disconnected (%s)", d->path, why);
	dev_reset_state(d, false);
	d->protocol_features = 0;
	d->protocol_set = false;
	dev_hints_reset(d);
	loop_del(d->loop, d->conn_w);
	d->conn_w = NULL;
	close(d->fd);
	d->fd = -1;
	dev_close_fds(d->rx_fds, d->rx_nfds);
	d->rx_nfds = 0;
	d->rx_have = 0;
}
/* Guest memory of this connection was truncated under us and replaced
 * (mem.h, mem_guard_add): its guest is lost, the others go on. */
static void on_mem_lost(void *opaque, int fd, uint32_t events)
{
	struct vu_dev *d = opaque;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("%s: memory fault eventfd: %s", d->path, strerror(errno));
	if (!mem_guard_lost(&d->mem) || d->fd < 0)
		return;
	log_bad("%s: the frontend truncated guest memory under us (SIGBUS); "
		"dropping the connection", d->path);
	conn_close(d, "guest memory lost");
}

/* Read what is available of the current message.  Returns 1 when a whole
 * message is buffered, 0 when more is needed, -1 to drop the connection. */
static int conn_read(struct vu_dev *d)
{
	/* room for the credentials too: a socket handed over with
	 * SO_PASSCRED set (systemd's PassCredentials=yes) gets them with
	 * every message, and a short buffer would truncate the fds */
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) +
			 CMSG_SPACE(VHOST_USER_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	uint32_t want;
	ssize_t n;

	if (d->rx_have < HDR_SIZE) {
		want = HDR_SIZE - d->rx_have;
	} else {
		const struct vhost_user_hdr *h = (const void *)d->rx;
		want = HDR_SIZE + h->size - d->rx_have;
	}
	iov.iov_base = d->rx + d->rx_have;
	iov.iov_len = want;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	n = recvmsg(d->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);   /* never sleeps: no EINTR */
	if (n < 0) {
		if (errno == EAGAIN)
			return 0;
		log_peer(LOG_INFO, "%s: receive: %s", d->path, strerror(errno));
		return -1;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		unsigned k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *fds = (int *)CMSG_DATA(cm);

		for (unsigned i = 0; i < k; i++) {
			if (d->rx_nfds < VHOST_USER_MAX_FDS)
				d->rx_fds[d->rx_nfds++] = fds[i];
			else
				close(fds[i]);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC) {
		log_bad("%s: more than %u fds with one message; dropping the connection",
			d->path, VHOST_USER_MAX_FDS);
		return -1;
	}
	if (n == 0) {
		if (d->rx_have)
			log_bad("%s: connection closed in the middle of a message", d->path);
		return -1;
	}
	d->rx_have += n;
	if (d->rx_have == HDR_SIZE) {
		const struct vhost_user_hdr *h = (const void *)d->rx;

		if ((h->flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
		    (h->flags & VHOST_USER_REPLY_MASK)) {
			log_bad("%s: message with bad flags 0x%x; dropping the connection",
				d->path, h->flags);
			return -1;
		}
		if (h->size > MAX_PAYLOAD) {
			log_bad("%s: request %u with a %u-byte payload (at most %u); dropping the connection",
				d->path, h->request, h->size, MAX_PAYLOAD);
			return -1;
		}
	}
	if (d->rx_have >= HDR_SIZE &&
	    d->rx_have == HDR_SIZE + ((const struct vhost_user_hdr *)d->rx)->size)
		return 1;
	return 0;
}

static void on_conn(void *opaque, int fd, uint32_t events)
{
	struct vu_dev *d = opaque;

	for (;;) {
		int r = conn_read(d);

		if (r < 0) {
			conn_close(d, "connection closed");
			return;
		}
		if (r == 0)
			return;
		bool ok = dev_dispatch_msg(d);
		d->rx_have = 0;
		if (!ok) {
			d->stats.dropped++;
			conn_close(d, "invalid message");
			return;
		}
	}
}

/* accept() failed for want of an fd: the frontend would stay in the
 * backlog and wake the loop on every pass.  Give up the spare fd, take
 * the connection and close it (the frontend sees EOF and may retry). */
static void refuse_pending(struct vu_dev *d, int fd, int err)
{
	int c;

	if (d->spare_fd >= 0)
		close(d->spare_fd);
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (c >= 0)
		close(c);
	d->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	log_bad("%s: accept: %s; the frontend was refused", d->path, strerror(err));
}

static void on_listen(void *opaque, int fd, uint32_t events)
{
	struct vu_dev *d = opaque;
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (c < 0) {
		if (errno == EMFILE || errno == ENFILE)
			refuse_pending(d, fd, errno);
		else if (errno != EAGAIN && errno != EINTR)
			log_bad("%s: accept: %s", d->path, strerror(errno));
		return;
	}
	if (d->fd >= 0) {
		/* the old connection may have closed in this same pass: read
		 * what it still has (its EOF) before judging */
		on_conn(d, d->fd, 0);
	}
	if (d->fd >= 0) {
		log_bad("%s: a frontend is already connected; refusing a second one", d->path);
		close(c);
		return;
	}
	d->conn_w = loop_add(d->loop, c, EPOLLIN, on_conn, d);
	if (!d->conn_w) {
		log_peer(LOG_ERROR, "%s: cannot watch the connection: %s", d->path, strerror(errno));
		close(c);
		return;
	}
	d->fd = c;
	d->stats.connections++;
	d->rx_have = 0;
	d->rx_nfds = 0;
	log_peer(LOG_INFO, "%s: frontend connected", d->path);
}

/* ---------------- lifecycle ---------------- */

/* Remove the socket file only if it is still the one we created: another
 * process may have replaced it since. */
static void sock_unlink(const struct vu_dev *d)
{
	if (d->sock_own && d->path)
		vu_unlink_own(d->path, d->sock_dev, d->sock_ino);
}

/* A device serving listen_fd (ours to close); own is the socket file we
 * created (removed at the end), NULL for a socket handed to us. */
static struct vu_dev *dev_new(struct loop *l, const char *path, int listen_fd,
			      const struct stat *own, const struct dev_ops *ops, void *priv)
{
	struct vu_dev *d;
	int e;

	d = calloc(1, sizeof(*d));
	if (!d)
		goto fail_fd;
	d->loop = l;
	d->ops = ops;
	d->priv = priv;
	d->fd = -1;
	d->listen_fd = listen_fd;
	d->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	d->path = strdup(path);
	for (unsigned q = 0; q < ops->num_queues; q++) {
		vq_init(&d->vq[q], q, ops->queue_size, ops->chain_max, &d->mem);
		d->again[q].cb = on_again;
		d->again[q].opaque = &d->vq[q];
	}
	if (own) {
		d->sock_own = true;
		d->sock_dev = own->st_dev;
		d->sock_ino = own->st_ino;
	}
	d->lost_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	efd_init();
	if (!d->path || d->lost_fd < 0)
		goto fail;
	d->lost_w = loop_add(l, d->lost_fd, EPOLLIN, on_mem_lost, d);
	if (!d->lost_w)
		goto fail;
	e = -mem_guard_add(&d->mem, d->lost_fd);
	if (e > 0) {
		errno = e;
		goto fail;
	}
	d->listen_w = loop_add(l, d->listen_fd, EPOLLIN, on_listen, d);
	if (!d->listen_w)
		goto fail;
	log_info("listening on %s", path);
	return d;
fail:
	e = errno;
	sock_unlink(d);
	mem_guard_del(&d->mem);
	loop_del(l, d->lost_w);
	if (d->lost_fd >= 0)
		close(d->lost_fd);
	if (d->spare_fd >= 0)
		close(d->spare_fd);
	free(d->path);
	free(d);
	errno = e;
fail_fd:
	e = errno;
	close(listen_fd);
	errno = e;
	return NULL;
}

static bool ops_ok(const struct dev_ops *ops)
{
	if (ops->num_queues == 0 || ops->num_queues > DEV_MAX_QUEUES ||
	    ops->config_size > VHOST_USER_MAX_CONFIG_SIZE || !ops->handle) {
		errno = EINVAL;
		return false;
	}
	return true;
}

unsigned vu_dev_max_fds(const struct dev_ops *ops)
{
	/* listening socket, spare fd (refusing a connection past EMFILE),
	 * memory-loss eventfd, no-memory timer, the connection, a second
	 * connection while it is refused; the fds of one message being
	 * received; each queue's kick, call and error eventfds */
	return 6 + VHOST_USER_MAX_FDS + 3 * ops->num_queues;
}

struct vu_dev *vu_dev_new(struct loop *l, const char *path,
			  const struct dev_ops *ops, void *priv)
{
	struct stat st;
	int fd, e;

	if (!ops_ok(ops))
		return NULL;
	fd = vu_listen_path(path, 0, &st);
	if (fd < 0) {
		e = errno;
		log_err("cannot listen on '%s': %s%s", path, strerror(e),
			e == EEXIST ? " (the path exists and is not a socket)" :
			e == EADDRINUSE ? " (another process is serving this socket)" : "");
		errno = e;
		return NULL;
	}
	return dev_new(l, path, fd, &st, ops, priv);
}

struct vu_dev *vu_dev_new_fd(struct loop *l, int fd, const char *name,
			     const struct dev_ops *ops, void *priv)
{
	if (!ops_ok(ops)) {
		close(fd);
		return NULL;
	}
	return dev_new(l, name, fd, NULL, ops, priv);
}

void vu_dev_free(struct vu_dev *d)
{
	if (!d)
		return;
	conn_close(d, NULL);
	for (unsigned q = 0; q < d->ops->num_queues; q++) {
		loop_cancel(d->loop, &d->again[q]);
		vq_reset(&d->vq[q]);
	}
	loop_del(d->loop, d->nomem_w);
	loop_del(d->loop, d->disabled_w);
	loop_del(d->loop, d->listen_w);
	close(d->listen_fd);
	mem_guard_del(&d->mem);
	loop_del(d->loop, d->lost_w);
	close(d->lost_fd);
	if (d->spare_fd >= 0)
		close(d->spare_fd);
	sock_unlink(d);
	free(d->path);
	free(d);
}

struct vq *vu_dev_vq(struct vu_dev *d, unsigned q)
{
	return q < d->ops->num_queues ? &d->vq[q] : NULL;
}

bool vu_dev_connected(const struct vu_dev *d)
{
	return d->fd >= 0;
}

const char *vu_dev_path(const struct vu_dev *d)
{
	return d->path;
}

void vu_dev_get_stats(const struct vu_dev *d, struct vu_dev_stats *s)
{
	*s = d->stats;
	s->broken = 0;
	s->broken_now = 0;
	for (unsigned q = 0; q < d->ops->num_queues; q++) {
		s->broken += d->vq[q].nbroken;
		s->broken_now += d->vq[q].broken;
	}
}

int vu_run(struct loop *l)
{
	int r = loop_run(l);

	if (r < 0) {
		log_err("event loop failed: %s", strerror(-r));
		return 1;
	}
	log_info("signal received, shutting down");
	return 0;
}

