/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-spi requests: parsing and validation against the advertised
 * capabilities, per-request results, batching of one kick's consecutive
 * requests to one chip select and mode, and the controller that owns the
 * chip selects every socket shares. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/iov.h"
#include "common/trace.h"
#include "common/log.h"
#include "devices/spi.h"
#include "vhost/dev.h"

#define HEAD_LEN ((uint32_t)sizeof(struct virtio_spi_transfer_head))

void spi_req_tx(const struct spi_req *r, uint32_t off, void *buf, uint32_t n)
{
	if (!r->tx_len) {
		memset(buf, 0, n);
		return;
	}
	size_t got = iov_to_buf(r->e->out, r->e->out_num, (size_t)HEAD_LEN + off, buf, n);
	if (got < n)
		memset((uint8_t *)buf + got, 0, n - got);
}

void spi_req_rx(const struct spi_req *r, uint32_t off, const void *buf, uint32_t n)
{
	if (!r->rx_len || off >= r->rx_len)
		return;
	if (n > r->rx_len - off)
		n = r->rx_len - off;
	iov_from_buf(r->e->in, r->e->in_num, off, buf, n);
}

static unsigned word_bytes(unsigned bpw)
{
	return bpw <= 8 ? 1 : bpw <= 16 ? 2 : 4;
}

static bool nbits_ok(unsigned nbits, uint8_t supported)
{
	switch (nbits) {
	case 0:
	case 1:
		return true;
	case 2:
		return supported & VIRTIO_SPI_RX_TX_SUPPORT_DUAL;
	case 4:
		return supported & VIRTIO_SPI_RX_TX_SUPPORT_QUAD;
	case 8:
		return supported & VIRTIO_SPI_RX_TX_SUPPORT_OCTAL;
	}
	return false;
}

/* NULL if r's head is acceptable, else why not. */
static const char *spi_check(const struct spi_ctrl *c, struct spi_req *r)
{
	const struct virtio_spi_config *cfg = &c->cfg;
	const struct virtio_spi_transfer_head *h = &r->h;
	uint32_t m = h->mode;

	if (h->chip_select_id >= c->ncs)
		return "unknown chip select";
	if (!r->tx_len && !r->rx_len)
		return "zero length";
	if (r->tx_len && r->rx_len && r->tx_len != r->rx_len)
		return "tx and rx buffers of different lengths";
	r->len = r->tx_len ? r->tx_len : r->rx_len;
	r->bpw = h->bits_per_word ? h->bits_per_word : 8;
	if (r->bpw > 32 || !(cfg->bits_per_word_mask & (1u << (r->bpw - 1))))
		return "unsupported bits per word";
	if (r->len % word_bytes(r->bpw))
		return "length is not a whole number of words";
	if (r->len > c->cs[h->chip_select_id]->caps.max_len)
		return "longer than the chip select takes in one transfer";
	if (m & ~VIRTIO_SPI_MODE_MASK)
		return "unknown mode bits";
	if (!(cfg->mode_func_supported &
	      ((m & VIRTIO_SPI_CPHA) ? VIRTIO_SPI_MF_SUPPORT_CPHA_1 : VIRTIO_SPI_MF_SUPPORT_CPHA_0)))
		return "unsupported CPHA";
	if (!(cfg->mode_func_supported &
	      ((m & VIRTIO_SPI_CPOL) ? VIRTIO_SPI_MF_SUPPORT_CPOL_1 : VIRTIO_SPI_MF_SUPPORT_CPOL_0)))
		return "unsupported CPOL";
	if ((m & VIRTIO_SPI_CS_HIGH) && !(cfg->mode_func_supported & VIRTIO_SPI_MF_SUPPORT_CS_HIGH))
		return "unsupported CS_HIGH";
	if ((m & VIRTIO_SPI_MODE_LSB_FIRST) &&
	    !(cfg->mode_func_supported & VIRTIO_SPI_MF_SUPPORT_LSB_FIRST))
		return "unsupported LSB_FIRST";
	if ((m & VIRTIO_SPI_MODE_LOOP) && !(cfg->mode_func_supported & VIRTIO_SPI_MF_SUPPORT_LOOPBACK))
		return "unsupported LOOP";
	if (!nbits_ok(h->tx_nbits, cfg->tx_nbits_supported))
		return "unsupported tx_nbits";
	if (!nbits_ok(h->rx_nbits, cfg->rx_nbits_supported))
		return "unsupported rx_nbits";
	if (cfg->max_freq_hz && h->freq > cfg->max_freq_hz)
		return "frequency above max_freq_hz";
	if (h->word_delay_ns > cfg->max_word_delay_ns)
		return "word delay above max_word_delay_ns";
	if (h->cs_setup_ns > cfg->max_cs_setup_ns)
		return "cs setup delay above max_cs_setup_ns";
	if (h->cs_delay_hold_ns > cfg->max_cs_hold_ns)
		return "cs hold delay above max_cs_hold_ns";
	if (h->cs_change_delay_inactive_ns > cfg->max_cs_inactive_ns)
		return "cs inactive delay above max_cs_inactive_ns";
	return NULL;
}

int spi_req_parse(const struct spi_ctrl *c, struct vq_elem *e, struct spi_req *r)
{
	const char *why;

	memset(r, 0, sizeof(*r));
	r->e = e;
	r->result = VIRTIO_SPI_PARAM_ERR;
	if (e->in_len == 0) {
		log_bad("spi: request (head %u) has no writable byte for its result", e->head);
		return -EINVAL;
	}
	if (e->out_len < HEAD_LEN) {
		log_bad("spi: request (head %u) of %u readable bytes has no 32-byte transfer head",
			e->head, e->out_len);
		return VIRTIO_SPI_PARAM_ERR;
	}
	/* one copy of the head out of guest memory; checked from here on */
	iov_to_buf(e->out, e->out_num, 0, &r->h, HEAD_LEN);
	r->tx_len = e->out_len - HEAD_LEN;
	r->rx_len = e->in_len - 1;
	why = spi_check(c, r);
	if (why) {
		log_bad("spi: request (head %u, chip select %u, tx %u, rx %u bytes, at most %u): %s",
			e->head, r->h.chip_select_id, r->tx_len, r->rx_len,
			r->h.chip_select_id < c->ncs ? c->cs[r->h.chip_select_id]->caps.max_len : 0,
			why);
		return VIRTIO_SPI_PARAM_ERR;
	}
	r->result = VIRTIO_SPI_TRANS_OK;
	return VIRTIO_SPI_TRANS_OK;
}

uint32_t spi_req_finish(const struct spi_req *r)
{
	iov_from_buf(r->e->in, r->e->in_num, r->e->in_len - 1, &r->result, 1);
	return r->e->in_len;
}

/* ---- controller ---- */

static uint32_t min_limit(uint32_t a, uint32_t b)
{
	/* 0 = no limit */
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

int spi_ctrl_finish(struct spi_ctrl *c, char *err, size_t errlen)
{
	struct virtio_spi_config *cfg = &c->cfg;
	uint32_t mf;

	memset(cfg, 0, sizeof(*cfg));
	if (!c->ncs) {
		snprintf(err, errlen, "no chip selects: give --device or --sim");
		return -EINVAL;
	}
	cfg->cs_max_number = (uint8_t)c->ncs;
	cfg->cs_change_supported = 1;
	cfg->tx_nbits_supported = 0x7;
	cfg->rx_nbits_supported = 0x7;
	cfg->bits_per_word_mask = 0xffffffffu;
	cfg->mode_func_supported = 0x7f;
	cfg->max_freq_hz = 0;
	cfg->max_word_delay_ns = cfg->max_cs_setup_ns = cfg->max_cs_hold_ns =
		cfg->max_cs_inactive_ns = 0xffffffffu;
	for (unsigned i = 0; i < c->ncs; i++) {
		const struct spi_caps *k = &c->cs[i]->caps;

		cfg->tx_nbits_supported &= k->tx_nbits;
		cfg->rx_nbits_supported &= k->rx_nbits;
		cfg->bits_per_word_mask &= k->bits_mask;
		cfg->mode_func_supported &= k->mode_func;
		cfg->max_freq_hz = min_limit(cfg->max_freq_hz, k->max_freq_hz);
		cfg->max_word_delay_ns = min32(cfg->max_word_delay_ns, k->max_word_delay_ns);
		cfg->max_cs_setup_ns = min32(cfg->max_cs_setup_ns, k->max_cs_setup_ns);
		cfg->max_cs_hold_ns = min32(cfg->max_cs_hold_ns, k->max_cs_hold_ns);
		cfg->max_cs_inactive_ns = min32(cfg->max_cs_inactive_ns, k->max_cs_inactive_ns);
	}
	mf = cfg->mode_func_supported;
	if (!(mf & 3) || !(mf & 0xc)) {
		snprintf(err, errlen, "the chip selects have no SPI clock mode (CPOL/CPHA) in common");
		return -EINVAL;
	}
	if (!cfg->bits_per_word_mask) {
		snprintf(err, errlen, "the chip selects have no word size in common");
		return -EINVAL;
	}
	c->held = NULL;
	c->held_owner = -1;
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

void spi_config_bytes(const struct spi_ctrl *c, uint8_t out[32])
{
	const struct virtio_spi_config *cfg = &c->cfg;

	out[0] = cfg->cs_max_number;
	out[1] = cfg->cs_change_supported;
	out[2] = cfg->tx_nbits_supported;
	out[3] = cfg->rx_nbits_supported;
	put32(out + 4, cfg->bits_per_word_mask);
	put32(out + 8, cfg->mode_func_supported);
	put32(out + 12, cfg->max_freq_hz);
	put32(out + 16, cfg->max_word_delay_ns);
	put32(out + 20, cfg->max_cs_setup_ns);
	put32(out + 24, cfg->max_cs_hold_ns);
	put32(out + 28, cfg->max_cs_inactive_ns);
}

void spi_ctrl_free(struct spi_ctrl *c)
{
	for (unsigned i = 0; i < c->ncs; i++)
		if (c->cs[i] && c->cs[i]->ops->destroy)
			c->cs[i]->ops->destroy(c->cs[i]);
	c->ncs = 0;
	c->held = NULL;
}

static void release_held(struct spi_ctrl *c)
{
	if (c->held && c->held->ops->release)
		c->held->ops->release(c->held);
	c->held = NULL;
	c->held_owner = -1;
}

void spi_ctrl_run(struct spi_ctrl *c, int owner, struct spi_req *const *reqs, unsigned n)
{
	struct spi_target *t;

	if (!n)
		return;
	t = c->cs[reqs[0]->h.chip_select_id];
	/* one chip select asserted at a time, and never across guests */
	if (c->held && (c->held != t || c->held_owner != owner))
		release_held(c);
	if (t->ops->run(t, reqs, n)) {
		c->held = t;
		c->held_owner = owner;
	} else {
		c->held = NULL;
		c->held_owner = -1;
	}
}

void spi_ctrl_release_owner(struct spi_ctrl *c, int owner)
{
	if (c->held && c->held_owner == owner)
		release_held(c);
}

/* ---- the per-socket queue ---- */

static bool same_batch(const struct spi_req *a, const struct spi_req *b)
{
	return a->h.chip_select_id == b->h.chip_select_id && a->h.mode == b->h.mode;
}

static void pump(struct spi_sock *s);

/* One answered request as a JSON line of the trace: its head, the first
 * TRACE_SPI_BYTES bytes each way and the result. */
#define TRACE_SPI_BYTES 32

static void trace_req(const struct spi_sock *s, const struct spi_req *r)
{
	static const char *const res[] = { "OK", "PARAM_ERR", "TRANS_ERR" };
	uint8_t tx[TRACE_SPI_BYTES], rx[TRACE_SPI_BYTES];
	char txh[2 * TRACE_SPI_BYTES + 3], rxh[2 * TRACE_SPI_BYTES + 3];
	uint32_t nt = r->tx_len < TRACE_SPI_BYTES ? r->tx_len : TRACE_SPI_BYTES;
	uint32_t nr = r->rx_len < TRACE_SPI_BYTES ? r->rx_len : TRACE_SPI_BYTES;

	spi_req_tx(r, 0, tx, nt);
	if (r->result != VIRTIO_SPI_TRANS_OK)
		nr = 0;
	else
		nr = (uint32_t)iov_to_buf(r->e->in, r->e->in_num, 0, rx, nr);
	trace_json("spi", "\"sock\": %d, \"cs\": %u, \"mode\": %u, \"freq\": %u, "
		   "\"bits\": %u, \"cs_change\": %u, \"tx_len\": %u, \"tx\": \"%s\", "
		   "\"rx_len\": %u, \"rx\": \"%s\", \"result\": \"%s\"",
		   s->index, r->h.chip_select_id, r->h.mode, r->h.freq, r->h.bits_per_word,
		   r->h.cs_change, r->tx_len, trace_hex(txh, tx, r->tx_len, nt), r->rx_len,
		   trace_hex(rxh, rx, r->result ? 0 : r->rx_len, nr),
		   r->result < 3 ? res[r->result] : "?");
}

static void complete_head(struct spi_sock *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct spi_req *r = &s->q[s->head + i];
		uint32_t len = spi_req_finish(r);

		if (trace_on(TRACE_JSON))
			trace_req(s, r);
		s->complete(s->complete_ctx, r->e, len);
	}
	s->head += n;
	if (s->head == s->tail)
		s->head = s->tail = 0;
}

static void job_run(struct work *w)
{
	struct spi_job *j = (struct spi_job *)w;

	if (j->deselect_first)
		spidev_deselect(j->t);
	spidev_msg_exec(j->t, &j->m);
}

static void job_done(struct work *w)
{
	struct spi_job *j = (struct spi_job *)w;
	struct spi_sock *s = j->s;

	if (!j->cancelled && s->running && !s->running(s->complete_ctx)) {
		/* the ring is stopped (a pause): guest memory is not written
		 * now; the next spi_sock_flush() finishes it (busy until then) */
		s->finished = true;
		return;
	}
	s->busy = false;
	if (j->cancelled) {
		/* the guest has gone (its chip select was released then) */
		j->cancelled = false;
	} else {
		spidev_msg_finish(j->t, &j->m, s->qp + s->head);
		complete_head(s, j->n);
	}
	if (!s->inline_run)
		pump(s);
}

/* Start the first message of the batch of n at the head on its chip
 * select's worker (deselect: after ending another guest's kept chip
 * select there, in the same item: a release queued earlier on the worker
 * may already be behind that guest's next kept message).  Returns false
 * if it is still running there. */
static bool start_spidev(struct spi_sock *s, struct spi_target *t, unsigned n, bool ends,
			 bool deselect)
{
	struct spi_job *j = s->job;
	unsigned k;

	if (!j) {
		j = calloc(1, sizeof(*j));
		if (!j || spidev_msg_alloc(&j->m, spidev_bufsiz(t))) {
			free(j);
			if (deselect)
				t->ops->release(t);
			log_peer(LOG_ERROR, "spi: out of memory for a transfer buffer");
			for (unsigned i = 0; i < n; i++)
				s->q[s->head + i].result = VIRTIO_SPI_TRANS_ERR;
			complete_head(s, n);
			return true;
		}
		s->job = j;
	}
	if (j->m.cap < spidev_bufsiz(t)) {
		/* several spidev chip selects with different bufsiz */
		struct spidev_msg m2 = { 0 };

		if (spidev_msg_alloc(&m2, spidev_bufsiz(t)) == 0) {
			spidev_msg_free(&j->m);
			j->m.txbuf = m2.txbuf;
			j->m.rxbuf = m2.rxbuf;
			j->m.cap = m2.cap;
		}
	}
	k = spidev_msg_build(t, s->qp + s->head, n, ends, &j->m);
	if (!k) {
		if (deselect)
			t->ops->release(t);
		for (unsigned i = 0; i < n; i++)
			s->q[s->head + i].result = VIRTIO_SPI_TRANS_ERR;
		complete_head(s, n);
		return true;
	}
	if (j->m.keep_cs) {
		/* active after this message, from now on as far as anyone
		 * queued behind it on the same worker is concerned */
		s->ctrl->held = t;
		s->ctrl->held_owner = s->index;
	}
	j->w.run = job_run;
	j->w.done = job_done;
	j->s = s;
	j->t = t;
	j->n = k;
	j->cancelled = false;
	j->deselect_first = deselect;
	s->busy = true;
	s->inline_run = !t->wk;
	worker_submit(t->wk, &j->w);
	s->inline_run = false;
	return !s->busy;
}

/* A fault set from outside (spi.fail) takes r: it fails with TRANS_ERR
 * without reaching the chip select, and, as a controller ends a message
 * on an error, a chip select this guest kept asserted there is released. */
static bool fault(struct spi_sock *s, struct spi_req *r)
{
	struct spi_ctrl *c = s->ctrl;
	unsigned cs = r->h.chip_select_id;

	if (!s->fail[cs])
		return false;
	if (s->fail[cs] != SPI_FAIL_ALL)
		s->fail[cs]--;
	s->failed[cs]++;
	r->result = VIRTIO_SPI_TRANS_ERR;
	if (c->held == c->cs[cs] && c->held_owner == s->index)
		release_held(c);
	return true;
}

static void pump(struct spi_sock *s)
{
	struct spi_ctrl *c = s->ctrl;

	while (!s->busy && s->head < s->tail) {
		struct spi_req *r = &s->q[s->head];
		struct spi_target *t;
		unsigned n = 1;
		uint64_t bytes = r->len;
		bool ends, deselect;

		if (r->result != VIRTIO_SPI_TRANS_OK) {
			/* PARAM_ERR: answered in its place in the order */
			complete_head(s, 1);
			continue;
		}
		if (fault(s, r)) {
			complete_head(s, 1);
			continue;
		}
		while (s->head + n < s->tail && same_batch(r, &s->q[s->head + n]) &&
		       s->q[s->head + n].result == VIRTIO_SPI_TRANS_OK &&
		       bytes + s->q[s->head + n].len <= SPI_BATCH_BYTES) {
			bytes += s->q[s->head + n].len;
			n++;
		}
		ends = s->head + n < s->tail || s->closed;
		if (!ends && bytes < SPI_BATCH_BYTES && n < SPI_QUEUE_SIZE)
			return;   /* the batch may still grow in this kick */
		t = c->cs[r->h.chip_select_id];
		deselect = false;
		/* one chip select active at a time, and never across guests */
		if (c->held && (c->held != t || c->held_owner != s->index)) {
			struct spi_target *h = c->held;

			c->held = NULL;
			c->held_owner = -1;
			if (h == t && spidev_is(t))
				deselect = true;   /* in front of this message */
			else if (h->ops->release)
				h->ops->release(h);
		}
		if (spidev_is(t)) {
			if (c->held == t)
				c->held = NULL;   /* this message continues or ends it */
			if (!start_spidev(s, t, n, ends, deselect))
				return;
			continue;
		}
		spi_ctrl_run(c, s->index, s->qp + s->head, n);
		complete_head(s, n);
	}
}

void spi_sock_flush(struct spi_sock *s)
{
	if (s->finished) {
		s->finished = false;
		job_done(&s->job->w);
		if (s->finished)
			return;   /* still stopped */
	}
	s->closed = true;
	pump(s);
}

void spi_sock_drop(struct spi_sock *s)
{
	if (s->finished)
		s->busy = false;   /* its worker is done: nothing to wait for */
	else if (s->busy && s->job)
		s->job->cancelled = true;
	s->finished = false;
	s->head = s->tail = 0;
}

unsigned spi_sock_pending(const struct spi_sock *s)
{
	return s->tail - s->head;
}

void spi_sock_free(struct spi_sock *s)
{
	if (s->job && (!s->busy || s->finished)) {
		spidev_msg_free(&s->job->m);
		free(s->job);
	}
	s->job = NULL;
}

int spi_sock_handle(struct spi_sock *s, struct vq_elem *e)
{
	struct spi_req *r;
	int rc;

	if (s->tail == SPI_QUEUE_SIZE && s->head) {
		unsigned n = s->tail - s->head;

		memmove(s->q, s->q + s->head, n * sizeof(s->q[0]));
		s->head = 0;
		s->tail = n;
	}
	if (s->tail == SPI_QUEUE_SIZE) {
		/* cannot happen: no more elements outstanding than the ring */
		return -EINVAL;
	}
	r = &s->q[s->tail];
	rc = spi_req_parse(s->ctrl, e, r);
	if (rc < 0) {
		/* no byte for a result: the core answers it, after what came
		 * before it (unless that waits on a worker) */
		s->closed = true;
		pump(s);
		return rc;
	}
	s->qp[s->tail] = r;
	s->tail++;
	s->closed = false;
	pump(s);
	return DEV_HELD;
}

bool spi_ctrl_needs_threads(const struct spi_ctrl *c)
{
	for (unsigned i = 0; i < c->ncs; i++)
		if (spidev_is(c->cs[i]) || spi_sim_has_image(c->cs[i]))
			return true;
	return false;
}

int spi_ctrl_start(struct spi_ctrl *c, struct loop *l)
{
	for (unsigned i = 0; i < c->ncs; i++) {
		char name[48];

		if (spi_sim_has_image(c->cs[i])) {
			if (!c->disk) {
				c->disk = worker_new(l, "spi images");
				if (!c->disk)
					return -errno;
			}
			if (spi_sim_start(c->cs[i], l, c->disk))
				return -errno;
			continue;
		}
		if (!spidev_is(c->cs[i]))
			continue;
		snprintf(name, sizeof(name), "spi cs%u", i);
		c->cs[i]->wk = worker_new(l, name);
		if (!c->cs[i]->wk)
			return -errno;
	}
	return 0;
}

void spi_ctrl_stop(struct spi_ctrl *c)
{
	bool disk_stuck = !worker_free(c->disk);

	c->disk = NULL;
	for (unsigned i = 0; i < c->ncs; i++)
		spi_sim_stop(c->cs[i], disk_stuck);   /* pending images, now */
	for (unsigned i = 0; i < c->ncs; i++) {
		if (!worker_free(c->cs[i]->wk))
			c->cs[i]->stuck = true;
		c->cs[i]->wk = NULL;
	}
}
