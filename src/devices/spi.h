/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-spi (virtio 1.4, device id 45): wire structures, request parsing
 * and validation, batching, and the chip-select backends behind it:
 * host spidev devices (through struct spidev_ops, so tests stand in for
 * the kernel) and simulated peripherals (loopback, SPI NOR flash).
 * Nothing here touches virtqueues except through struct vq_elem. */
#ifndef VD_DEVICES_SPI_H
#define VD_DEVICES_SPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/spi/spidev.h>
#include "vhost/dev.h"
#include "vhost/vq.h"
#include "vhost/work.h"

#define SPI_QUEUE_SIZE   1024
#define SPI_MAX_CS       32      /* chip selects of one virtual controller */

/* ---- wire format (include/uapi/linux/virtio_spi.h, Linux 6.18) ---- */

#define VIRTIO_SPI_CPHA            (1u << 0)
#define VIRTIO_SPI_CPOL            (1u << 1)
#define VIRTIO_SPI_CS_HIGH         (1u << 2)
#define VIRTIO_SPI_MODE_LSB_FIRST  (1u << 3)
#define VIRTIO_SPI_MODE_LOOP       (1u << 4)
#define VIRTIO_SPI_MODE_MASK       0x1fu

#define VIRTIO_SPI_RX_TX_SUPPORT_DUAL  (1u << 0)
#define VIRTIO_SPI_RX_TX_SUPPORT_QUAD  (1u << 1)
#define VIRTIO_SPI_RX_TX_SUPPORT_OCTAL (1u << 2)

#define VIRTIO_SPI_MF_SUPPORT_CPHA_0    (1u << 0)
#define VIRTIO_SPI_MF_SUPPORT_CPHA_1    (1u << 1)
#define VIRTIO_SPI_MF_SUPPORT_CPOL_0    (1u << 2)
#define VIRTIO_SPI_MF_SUPPORT_CPOL_1    (1u << 3)
#define VIRTIO_SPI_MF_SUPPORT_CS_HIGH   (1u << 4)
#define VIRTIO_SPI_MF_SUPPORT_LSB_FIRST (1u << 5)
#define VIRTIO_SPI_MF_SUPPORT_LOOPBACK  (1u << 6)

#define VIRTIO_SPI_TRANS_OK   0
#define VIRTIO_SPI_PARAM_ERR  1
#define VIRTIO_SPI_TRANS_ERR  2

struct virtio_spi_config {
	uint8_t cs_max_number;
	uint8_t cs_change_supported;
	uint8_t tx_nbits_supported;
	uint8_t rx_nbits_supported;
	uint32_t bits_per_word_mask;   /* le32 on the wire */
	uint32_t mode_func_supported;
	uint32_t max_freq_hz;
	uint32_t max_word_delay_ns;
	uint32_t max_cs_setup_ns;
	uint32_t max_cs_hold_ns;
	uint32_t max_cs_inactive_ns;
} __attribute__((packed));

struct virtio_spi_transfer_head {
	uint8_t chip_select_id;
	uint8_t bits_per_word;
	uint8_t cs_change;
	uint8_t tx_nbits;
	uint8_t rx_nbits;
	uint8_t reserved[3];
	uint32_t mode;
	uint32_t freq;
	uint32_t word_delay_ns;
	uint32_t cs_setup_ns;
	uint32_t cs_delay_hold_ns;
	uint32_t cs_change_delay_inactive_ns;
} __attribute__((packed));

_Static_assert(sizeof(struct virtio_spi_config) == 32, "virtio_spi_config is 32 bytes");
_Static_assert(sizeof(struct virtio_spi_transfer_head) == 32, "transfer head is 32 bytes");
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "virtio-spi fields are little-endian; only little-endian hosts are supported"
#endif

/* ---- capabilities of one chip select (same meaning as the config) ---- */

struct spi_caps {
	uint8_t tx_nbits;          /* VIRTIO_SPI_RX_TX_SUPPORT_* */
	uint8_t rx_nbits;
	uint32_t bits_mask;        /* bit n: bits_per_word n+1 (never 0 here) */
	uint32_t mode_func;        /* VIRTIO_SPI_MF_SUPPORT_* */
	uint32_t max_freq_hz;      /* 0 = no limit */
	uint32_t max_word_delay_ns;
	uint32_t max_cs_setup_ns;
	uint32_t max_cs_hold_ns;
	uint32_t max_cs_inactive_ns;
	uint32_t max_len;          /* longest transfer in bytes (PARAM_ERR beyond) */
};

/* ---- one request ---- */

struct spi_req {
	struct vq_elem *e;
	struct virtio_spi_transfer_head h;   /* validated copy */
	uint32_t tx_len, rx_len;             /* 0 = no such buffer */
	uint32_t len;                        /* bytes on the wire */
	uint8_t bpw;                         /* effective bits per word */
	uint8_t result;
};

/* Read n bytes of r's tx data at off into buf (zeros without tx).  Write n
 * bytes of rx data at off (nothing without rx). */
void spi_req_tx(const struct spi_req *r, uint32_t off, void *buf, uint32_t n);
void spi_req_rx(const struct spi_req *r, uint32_t off, const void *buf, uint32_t n);

/* ---- chip-select backends ---- */

struct spi_target;

struct spi_target_ops {
	/* Carry out reqs[0..n): one chip select, one mode, each validated,
	 * in order, chip select asserted at the start and kept between
	 * transfers unless cs_change.  Set every reqs[i]->result and copy rx
	 * data on success.  Return true if the chip select is still asserted
	 * afterwards (a simulated command waiting for more bytes). */
	bool (*run)(struct spi_target *t, struct spi_req *const *reqs, unsigned n);
	/* Deassert a chip select left asserted by run (another guest or chip
	 * select takes the bus, or the guest went away). Optional. */
	void (*release)(struct spi_target *t);
	void (*destroy)(struct spi_target *t);
};

struct worker;

struct spi_target {
	const struct spi_target_ops *ops;
	char name[128];            /* path or model, for messages */
	struct spi_caps caps;
	struct worker *wk;         /* host spidev: its messages run here, off the
				    * loop (NULL: inline) */
	bool stuck;                /* its worker did not stop: leave it alone */
};

/* ---- controller: the chip selects and the config every socket shares ---- */

struct spi_ctrl {
	unsigned ncs;
	struct spi_target *cs[SPI_MAX_CS];
	struct virtio_spi_config cfg;  /* host order; see spi_config_bytes */
	/* chip select left asserted by a simulated command, and by whom */
	struct spi_target *held;
	int held_owner;
	struct worker *disk;           /* writes the flash image files */
	/* the sockets, for the control commands (spi_ctl.c) */
	unsigned nsock;
	struct spi_sock **sock;
};

/* Intersection of the chip selects' capabilities.  -EINVAL (and a message
 * in err) if they have no SPI clock mode in common or there are none. */
int spi_ctrl_finish(struct spi_ctrl *c, char *err, size_t errlen);
/* The 32 config bytes as the guest reads them. */
void spi_config_bytes(const struct spi_ctrl *c, uint8_t out[32]);
void spi_ctrl_free(struct spi_ctrl *c);

/* Parse and validate the request in e against c.  Returns
 * VIRTIO_SPI_TRANS_OK (r filled, ready to run), VIRTIO_SPI_PARAM_ERR, or
 * -EINVAL when the chain has no writable byte for the result. */
int spi_req_parse(const struct spi_ctrl *c, struct vq_elem *e, struct spi_req *r);
/* Write r->result into the last writable byte; returns the used length. */
uint32_t spi_req_finish(const struct spi_req *r);

/* Run a batch on its chip select for guest `owner` (socket index),
 * releasing a chip select another guest or chip select left asserted. */
void spi_ctrl_run(struct spi_ctrl *c, int owner, struct spi_req *const *reqs, unsigned n);
/* Guest `owner` went away: release what it holds. */
void spi_ctrl_release_owner(struct spi_ctrl *c, int owner);

/* Bytes of consecutive transfers run as one batch on the loop (simulated
 * chip selects) before the next batch starts. */
#define SPI_BATCH_BYTES (1u << 20)
/* Longest transfer a simulated chip select takes (a whole flash image). */
#define SPI_SIM_MAX_LEN (1u << 20)

/* ---- one SPI_IOC_MESSAGE of a host spidev chip select ----
 * Built on the loop from whole requests (tx copied out of guest memory
 * into txbuf), executed by the chip select's worker (mode, ioctl, the
 * inactive delay; nothing else), finished on the loop (rx copied back,
 * results set). */
#define SPIDEV_MAX_XFERS   511   /* SPI_IOC_MESSAGE size field limit */

struct spidev_msg {
	uint32_t mode;
	unsigned nx;
	bool keep_cs;             /* chip select left active after it */
	bool mode_failed;
	int result;               /* 0 or -errno */
	uint32_t sleep_after;
	uint8_t *txbuf, *rxbuf;   /* cap bytes each */
	uint32_t cap;
	uint32_t rxoff[SPIDEV_MAX_XFERS];
	struct spi_ioc_transfer x[SPIDEV_MAX_XFERS];
};

/* ---- per-socket queue ----
 * Requests are answered in the order they came.  Consecutive requests to
 * one chip select and mode form a batch, run when a different request
 * follows, when it holds SPI_BATCH_BYTES, or when the kick ends.  A batch
 * for a host spidev runs on that chip select's worker, one message at a
 * time, while the socket's later requests wait. */

struct spi_sock;

struct spi_job {
	struct work w;
	struct spi_sock *s;
	struct spi_target *t;
	unsigned n;               /* requests in the message (queue head) */
	bool cancelled;           /* the queue stopped meanwhile */
	bool deselect_first;      /* another guest's kept chip select: end it */
	struct spidev_msg m;
};

struct spi_sock {
	struct spi_ctrl *ctrl;
	int index;
	/* completion of a held element (vu_complete in the device) */
	void (*complete)(void *ctx, struct vq_elem *e, uint32_t len);
	/* whether requests may be written now (NULL: always); while not, a
	 * finished spidev message waits for the next spi_sock_flush() */
	bool (*running)(void *ctx);
	void *complete_ctx;
	struct vu_queue_ref ref;  /* the daemon's complete_ctx: the requestq */
	bool finished;            /* the job is done, its results not written yet */
	bool closed;              /* the kick ended: the last batch may run */
	bool busy;                /* job runs on a worker */
	bool inline_run;
	unsigned head, tail;      /* q[head..tail): not answered yet */
	struct spi_req q[SPI_QUEUE_SIZE];
	struct spi_req *qp[SPI_QUEUE_SIZE];
	struct spi_job *job;      /* allocated at the first spidev batch */
	/* faults set from outside (spi.fail): transfers of this guest to
	 * chip select i left to fail with TRANS_ERR (SPI_FAIL_ALL: every one
	 * until cleared), and how many failed so */
	uint32_t fail[SPI_MAX_CS];
	uint64_t failed[SPI_MAX_CS];
};

#define SPI_FAIL_ALL UINT32_MAX
#define SPI_FAIL_MAX 1000000u      /* a count spi.fail takes */

/* One request of a kick: returns DEV_HELD (answered, now or later,
 * through complete()), or -EINVAL if there is no byte for a result. */
int spi_sock_handle(struct spi_sock *s, struct vq_elem *e);
/* End of the kick: run what is pending (or start it on a worker). */
void spi_sock_flush(struct spi_sock *s);
/* Forget pending requests without completing them (queue stopped). */
void spi_sock_drop(struct spi_sock *s);
/* Requests held, not answered yet. */
unsigned spi_sock_pending(const struct spi_sock *s);
/* Free the job (after the workers stopped). */
void spi_sock_free(struct spi_sock *s);

/* A worker per host spidev chip select (loop l), and one writing the
 * flash image files; their end (pending images written then).  A chip
 * select whose worker is stuck in the kernel is marked and not freed. */
int spi_ctrl_start(struct spi_ctrl *c, struct loop *l);
void spi_ctrl_stop(struct spi_ctrl *c);
/* spi_ctrl_start will start threads (spidev chip selects, image files). */
bool spi_ctrl_needs_threads(const struct spi_ctrl *c);

/* The control commands (spi.dump, spi.load, spi.fail, spi.set) and the
 * chip selects' part of `list` (spi_ctl.c), for c's sockets c->sock[]. */
int spi_ctl_register(struct spi_ctrl *c);

/* ---- host spidev backend ---- */

struct spi_ioc_transfer;

/* The kernel interface, replaceable by tests. Each returns >= 0 or a
 * negative errno. */
struct spidev_ops {
	int (*open)(void *ctx, const char *path);
	void (*close)(void *ctx, int fd);
	int (*ioctl)(void *ctx, int fd, unsigned long req, void *arg);
	/* spidev's bufsiz module parameter (bytes) */
	long (*bufsiz)(void *ctx);
};
extern const struct spidev_ops spidev_sys_ops;

#define SPIDEV_ALIGN       128   /* ARCH_DMA_MINALIGN bound on every arch we know */
#define SPIDEV_MAX_WORD_DELAY_NS  255000u      /* u8 word_delay_usecs */
#define SPIDEV_MAX_HOLD_NS        65535000u    /* u16 delay_usecs */
#define SPIDEV_MAX_INACTIVE_NS    1000000u     /* slept between messages */

/* Open and probe path: capabilities through SPI_IOC_RD/WR_*, original
 * settings restored.  NULL with a message (path and errno text) in err. */
struct spi_target *spidev_target_new(const char *path, const struct spidev_ops *ops,
				     void *ctx, char *err, size_t errlen);
bool spidev_is(const struct spi_target *t);
uint32_t spidev_bufsiz(const struct spi_target *t);
int spidev_msg_alloc(struct spidev_msg *m, uint32_t bufsiz);
void spidev_msg_free(struct spidev_msg *m);
/* Fill m with the first requests of reqs[0..n) that fit one message;
 * returns how many (0: none fits).  batch_ends: nothing of this batch
 * follows reqs[n-1]. */
unsigned spidev_msg_build(struct spi_target *t, struct spi_req *const *reqs, unsigned n,
			  bool batch_ends, struct spidev_msg *m);
/* The ioctls (any thread; no logging, no guest memory). */
void spidev_msg_exec(struct spi_target *t, struct spidev_msg *m);
/* A zero-length message: the chip select goes inactive (any thread). */
void spidev_deselect(struct spi_target *t);
/* Results and rx data into reqs[0..m->nx); false (logged) if it failed. */
bool spidev_msg_finish(struct spi_target *t, struct spidev_msg *m,
		       struct spi_req *const *reqs);

/* Linux SPI mode bits the spidev is set to for a batch of this mode and
 * these widths (exposed for tests). */
uint32_t spidev_kernel_mode(uint32_t base, uint32_t vmode, unsigned tx_nbits,
			    unsigned rx_nbits);

/* ---- simulated peripherals ---- */

/* Parse "MODEL[,PROP=VALUE]..." (flash: file=PATH; mcp3008: chN=VALUE)
 * and create the chip select; NULL with a message in err. */
struct spi_target *spi_sim_new(const char *spec, char *err, size_t errlen);
void spi_sim_help(FILE *f);
/* Write a dirty flash image back now (tests; without a loop). 0 or -errno. */
int spi_sim_sync(struct spi_target *t);
bool spi_sim_dirty(const struct spi_target *t);
bool spi_sim_has_image(const struct spi_target *t);
/* "loopback", "flash" or "mcp3008"; NULL if t is no simulated one. */
const char *spi_sim_model(const struct spi_target *t);
/* The flash image file of t (NULL: none or no flash). */
const char *spi_sim_file(const struct spi_target *t);
/* Bytes [off, off+n) of the flash chip select t: read, or written as a
 * programmer would (no erase needed), persisted to its image file as a
 * guest's write is.  0, -ENODEV (no flash) or -EINVAL (out of range). */
int spi_sim_flash_read(const struct spi_target *t, uint32_t off, uint8_t *buf, uint32_t n);
int spi_sim_flash_write(struct spi_target *t, uint32_t off, const uint8_t *buf, uint32_t n);
/* Persist the flash image off the loop (imgfile.h) on worker wk; at the
 * end (the worker stopped) write what is pending. */
int spi_sim_start(struct spi_target *t, struct loop *l, struct worker *wk);
void spi_sim_stop(struct spi_target *t, bool worker_stuck);

/* The SPI NOR flash model (Winbond W25Q80BL, JEDEC ef 40 14, 1 MiB).  Bytes
 * are clocked in while the chip select is asserted; commands take effect
 * when it is released. */
#define FLASH_SIZE       (1u << 20)
#define FLASH_PAGE       256u
#define FLASH_SECTOR     4096u
#define FLASH_BLOCK32    32768u
#define FLASH_BLOCK      65536u
#define FLASH_SR_BUSY    0x01
#define FLASH_SR_WEL     0x02

struct spi_flash {
	uint8_t *mem;              /* FLASH_SIZE bytes */
	uint8_t sr;                /* status register 1 */
	unsigned busy_polls;       /* status reads left before BUSY clears */
	bool dirty;
	/* current command (chip select asserted) */
	bool selected;
	uint8_t op;
	uint32_t nbytes;           /* bytes clocked since select */
	uint32_t addr;
	uint32_t data_bytes;       /* bytes in the data phase */
	bool overrun;              /* bytes past the end of a fixed command */
	uint8_t page[FLASH_PAGE];  /* page program latch */
	bool page_used;
};

void flash_init(struct spi_flash *f, uint8_t *mem);
/* Clock len bytes (tx may be NULL: zeros) while selected; rx may be NULL. */
void flash_clock(struct spi_flash *f, const uint8_t *tx, uint8_t *rx, size_t len);
/* True if the command clocked so far is complete (nothing more expected). */
bool flash_cmd_complete(const struct spi_flash *f);
/* Chip select released: execute program/erase/write-enable commands. */
void flash_deselect(struct spi_flash *f);
/* The 1 MiB image: load from path (missing = erased), save atomically. */
int flash_load(uint8_t *mem, const char *path, char *err, size_t errlen);
int flash_save(const uint8_t *mem, const char *path);

/* The MCP3008 ADC model (spi_adc.c): 8 channels, 10 bits. */
#define MCP3008_CHANNELS 8
#define MCP3008_MAX      1023

struct spi_adc {
	uint16_t value[MCP3008_CHANNELS];   /* what each input converts to */
	bool selected;
	unsigned clk;              /* clocks since select (saturates) */
	int start;                 /* clock of the start bit, -1: not yet */
	uint8_t cmd;               /* SGL/DIFF, D2..D0 */
	uint16_t result;           /* sampled at the fifth clock */
};

void adc_init(struct spi_adc *a);
void adc_clock(struct spi_adc *a, const uint8_t *tx, uint8_t *rx, size_t len);
/* The result has been clocked out MSB first (nothing more expected). */
bool adc_cmd_complete(const struct spi_adc *a);
void adc_deselect(struct spi_adc *a);
/* Set / read channel ch of the mcp3008 chip select t: 0, -ENODEV (t is
 * no mcp3008) or -EINVAL (channel or value out of range). */
int spi_sim_adc_set(struct spi_target *t, unsigned ch, unsigned value);
int spi_sim_adc_get(const struct spi_target *t, unsigned ch);

#endif
