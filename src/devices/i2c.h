/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* vhost-device-i2c internals: the bus (allowed addresses mapped to host
 * adapters or simulated devices), transactions over it, the virtio-i2c
 * request layer, the device list and --sim parsers, and the host adapter
 * ops that unit tests replace. */
#ifndef VD_DEVICES_I2C_H
#define VD_DEVICES_I2C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/i2c.h>

#include "vhost/dev.h"
#include "vhost/vq.h"
#include "vhost/work.h"
#include "devices/imgfile.h"

#define I2C_QUEUE_SIZE   1024
#define VIRTIO_I2C_F_ZERO_LENGTH_REQUEST 0

#define VIRTIO_I2C_FLAGS_FAIL_NEXT (1u << 0)
#define VIRTIO_I2C_FLAGS_M_RD      (1u << 1)
#define VIRTIO_I2C_MSG_OK  0
#define VIRTIO_I2C_MSG_ERR 1

struct virtio_i2c_out_hdr {
	uint16_t addr;     /* le16: 7-bit address in bits 7:1 */
	uint16_t padding;
	uint32_t flags;    /* le32 */
};

#define I2C_NADDR      128   /* 7-bit address space */
#define I2C_MSG_MAX    8192  /* bytes per message (the i2c-dev limit) */
#define I2C_GROUP_MAX  42    /* messages per transaction (I2C_RDWR_IOCTL_MAX_MSGS) */
#define I2C_MAX_ADAPTERS 32

/* ---- host adapters (the kernel, or a stand-in) ---- */
struct i2c_host_ops {
	int (*open)(void *ctx, unsigned bus);          /* fd or -errno */
	void (*close)(void *ctx, int fd);
	int (*funcs)(void *ctx, int fd, unsigned long *funcs);
	/* I2C_RDWR: number of messages transferred, or -errno */
	int (*rdwr)(void *ctx, int fd, struct i2c_msg *msgs, unsigned n);
	int (*set_slave)(void *ctx, int fd, uint16_t addr);
	/* I2C_SMBUS: 0 or -errno; data may be NULL for QUICK */
	int (*smbus)(void *ctx, int fd, uint8_t rw, uint8_t cmd, uint32_t size,
		     union i2c_smbus_data *data);
};
extern const struct i2c_host_ops i2c_kernel_ops;

struct i2c_adapter {
	unsigned bus;            /* /dev/i2c-N */
	int fd;                  /* -1 until opened */
	unsigned long funcs;     /* I2C_FUNCS */
	struct worker *wk;       /* runs its transfers off the loop (NULL: inline) */
};

/* ---- simulated devices ---- */
struct i2c_sim;

struct i2c_sim_model {
	const char *name;
	const char *help;        /* one line for --sim help / --help */
	/* prop "key=value" (NULL-terminated list); 0 or -1 with err filled */
	int (*init)(struct i2c_sim *s, char *const *props, unsigned nprops,
		    char *err, size_t errlen);
	/* (repeated) start addressed to this device */
	void (*start)(struct i2c_sim *s, bool read);
	/* one message: 0 (ACK) or -ENXIO/-EIO */
	int (*xfer)(struct i2c_sim *s, bool read, uint8_t *buf, size_t len);
	/* stop condition ending a transaction that addressed the device */
	int (*stop)(struct i2c_sim *s);
	/* its image file (NULL: none) and the release of what init took;
	 * both optional */
	struct imgfile *(*image)(struct i2c_sim *s);
	void (*destroy)(struct i2c_sim *s);
	/* the memory `i2c.dump`/`i2c.load` reach (NULL: none), its size */
	uint8_t *(*mem)(struct i2c_sim *s, uint32_t *size);
};

/* at24 EEPROMs: 24c02 (256 bytes, 8-byte pages, one address byte) and
 * 24c32 (4096 bytes, 32-byte pages, two address bytes, MSB first) */
#define AT24_PAGE_MAX 32

/* pca9555 registers: pairs of (port 0, port 1) */
#define PCA9555_INPUT    0
#define PCA9555_OUTPUT   2
#define PCA9555_POLARITY 4
#define PCA9555_CONFIG   6

/* ds1307: 7 time registers, control, 56 bytes of NVRAM */
#define DS1307_NREGS     64
#define DS1307_NVRAM     8

struct i2c_sim {
	const struct i2c_sim_model *model;
	uint8_t addr;
	bool touched;            /* addressed in the current transaction */
	union {
		struct {
			uint8_t *mem;            /* size bytes */
			uint32_t size, page;     /* geometry */
			uint8_t abytes;          /* word address bytes */
			uint8_t addr_left;       /* address bytes still expected */
			uint16_t ptr;            /* address counter */
			uint8_t latch[AT24_PAGE_MAX]; /* latched page data */
			uint32_t latch_mask;     /* bytes latched */
			struct imgfile *img;     /* NULL: not persistent */
		} ee;
		struct {
			uint8_t ptr;             /* pointer register */
			uint8_t conf;
			uint16_t temp, hyst, os; /* register values, MSB-first 9-bit */
		} lm;
		struct {
			uint8_t cmd;             /* command byte (register 0..7) */
			bool cmd_phase;          /* next written byte is the command */
			uint8_t reg[8];          /* output, polarity, config (input unused) */
			uint16_t pins;           /* levels driven from outside on inputs */
		} pca;
		struct {
			uint8_t ptr;             /* register pointer (0..63) */
			bool ptr_phase;          /* next written byte is the pointer */
			bool time_written;       /* a time register changed in this write */
			uint8_t snap[8];         /* time registers latched at START */
			uint8_t ctrl;
			uint8_t nvram[DS1307_NREGS - DS1307_NVRAM];
			bool halted;             /* CH set: the clock stands at 'stopped' */
			bool h12;                /* hours register in 12-hour mode */
			int64_t offset;          /* guest time - host time, seconds */
			int64_t stopped;         /* the guest time while halted */
			uint8_t wday_adj;        /* weekday register - computed, mod 7 */
		} rtc;
	} u;
};

extern const struct i2c_sim_model *const i2c_sim_models[];
extern const struct i2c_sim_model i2c_pca9555_model, i2c_ds1307_model;
void i2c_sim_models_help(FILE *f);
struct i2c_bus;
/* The simulated device at addr (NULL: none there) and whether it is of
 * model name. */
struct i2c_sim *i2c_bus_sim(struct i2c_bus *b, unsigned addr);
bool i2c_sim_is(const struct i2c_sim *s, const char *model);
/* The model's memory was changed from outside (i2c.load): its image file
 * is written as after a guest's write.  0 or -errno (inline write). */
int i2c_sim_mem_changed(struct i2c_sim *s);

/* lm75: the temperature reading in half degrees C (-110..250). */
void lm75_set_temp(struct i2c_sim *s, int half_degrees);
int lm75_temp(const struct i2c_sim *s);

/* pca9555: drive the pins in mask to the levels in value (bit n: IO(n/8)_(n%8));
 * pins the guest configured as outputs keep their output level until it
 * makes them inputs again. */
void pca9555_set_inputs(struct i2c_sim *s, uint16_t mask, uint16_t value);
/* The pins' levels as the chip sees them (inputs: driven, outputs: output
 * register), and the configuration (bit set: input). */
uint16_t pca9555_levels(const struct i2c_sim *s);
uint16_t pca9555_config(const struct i2c_sim *s);

/* ds1307: where the host's time comes from (tests replace it). */
extern int64_t (*ds1307_host_time)(void);
/* The time the chip keeps (seconds since the epoch, UTC). */
int64_t ds1307_time(const struct i2c_sim *s);
/* Set that time (from outside: i2c.set); a halted clock stays halted. */
void ds1307_set_time(struct i2c_sim *s, int64_t t);
bool ds1307_halted(const struct i2c_sim *s);

/* ---- the bus ---- */
enum { I2C_T_NONE = 0, I2C_T_HOST, I2C_T_SIM };

/* A fault injected at an address from the control socket (i2c.fault):
 * the transactions that reach it fail, as on a real bus, without the
 * device (simulated or host) seeing them. */
enum { I2C_FAULT_NONE = 0, I2C_FAULT_NAK, I2C_FAULT_FAIL };
struct i2c_fault {
	uint8_t mode;        /* I2C_FAULT_*: NAK: the address does not answer
			      * (-ENXIO); FAIL: the transfer fails (-EIO) */
	int16_t sock;        /* the guest it applies to; -1: every guest */
	uint32_t left;       /* transactions still to fail, 0: until cleared */
	uint64_t hits;       /* transactions it failed */
};

struct i2c_bus {
	const struct i2c_host_ops *ops;
	void *ops_ctx;
	struct i2c_adapter adap[I2C_MAX_ADAPTERS];
	unsigned nadap;
	struct i2c_sim *sim[I2C_NADDR];
	unsigned nsim;
	struct {
		uint8_t kind;    /* I2C_T_* */
		uint8_t idx;     /* adapter index or sim index */
	} map[I2C_NADDR];
	uint8_t *stage;      /* I2C_GROUP_MAX * I2C_MSG_MAX bytes */
	const char *sysfs;   /* i2c devices directory (NULL: /sys/bus/i2c/devices) */
	struct worker *disk; /* writes the simulated devices' image files */
	struct i2c_fault fault[I2C_NADDR];
	unsigned nfaults;    /* addresses with a fault */
};

/* One message of a transaction (7-bit address). */
struct i2c_xmsg {
	uint16_t addr;
	bool read;
	uint16_t len;
	uint8_t *buf;
};

/* Zero a bus, use ops (NULL: the kernel's).  Allocates the staging area.
 * 0 or -ENOMEM. */
int i2c_bus_init(struct i2c_bus *b, const struct i2c_host_ops *ops, void *ctx);
void i2c_bus_free(struct i2c_bus *b);
/* Open every adapter, read its functionality and claim every listed
 * address on it with I2C_SLAVE, as upstream does at start: an address a
 * kernel driver owns (EBUSY) is refused, naming the address and the
 * driver (<sysfs>/<bus>-00AA/driver).  0 or -errno, with a message naming
 * the adapter (and address) in err. */
int i2c_bus_open(struct i2c_bus *b, char *err, size_t errlen);
bool i2c_bus_allowed(const struct i2c_bus *b, unsigned addr);

/* Parse a device list "<bus>:<addr>[:<addr>...][,...]" into b (adapters
 * and address map; nothing is opened).  bus is a decimal adapter number
 * or an adapter name matched against <sysfs>/i2c-N/name (NULL:
 * /sys/bus/i2c/devices).  Addresses decimal, or hex with 0x.  0 or -1
 * with a message naming the bad part in err. */
int i2c_parse_device_list(struct i2c_bus *b, const char *list,
			  const char *sysfs, char *err, size_t errlen);
/* Parse and add "MODEL@ADDR[,PROP=VALUE]...".  0 or -1 with err. */
int i2c_bus_add_sim(struct i2c_bus *b, const char *spec, char *err,
		    size_t errlen);
/* Parse a 7-bit address: decimal, or hex with 0x.  0 or -EINVAL/-ERANGE. */
int i2c_parse_addr(const char *s, unsigned *addr);

/* One SMBus operation (I2C_SMBUS ioctl arguments). */
struct i2c_smbus_op {
	uint8_t rw;
	uint8_t cmd;
	uint32_t size;      /* I2C_SMBUS_QUICK ... */
	union i2c_smbus_data data;
};
/* A worker per host adapter (transfers to it run off loop l) and one
 * writing the image files, and their end (pending images written then;
 * false: one is stuck in the kernel; keep the staging memory). */
int i2c_bus_start(struct i2c_bus *b, struct loop *l);
bool i2c_bus_stop(struct i2c_bus *b);
/* i2c_bus_start will start threads (host adapters, image files). */
bool i2c_bus_needs_threads(struct i2c_bus *b);

/* Run one transaction (one I2C_RDWR, one SMBus operation, or one pass
 * over the simulated devices), here and now.  Every address must be
 * allowed and all on one adapter (or all simulated).  0, or -errno: the
 * transaction failed (read buffers then hold no data from the device). */
int i2c_bus_xfer(struct i2c_bus *b, struct i2c_xmsg *m, unsigned n);
/* Where m[0..n) goes: the host adapter, or NULL for the simulated devices
 * (*err 0), or NULL with *err < 0 (not allowed, spans adapters, bad n). */
struct i2c_adapter *i2c_bus_route(struct i2c_bus *b, const struct i2c_xmsg *m,
				  unsigned n, int *err);
/* Set (mode I2C_FAULT_NONE: clear) the fault at addr.  count 0: until
 * cleared; sock -1: every guest. */
void i2c_bus_set_fault(struct i2c_bus *b, unsigned addr, unsigned mode,
		       uint32_t count, int sock);
/* Whether guest sock's transaction m[0..n) meets a fault: 0, or -ENXIO
 * (NAK) / -EIO (FAIL) of the first faulted address, whose count of
 * transactions to fail goes down by one (the fault ends at 0). */
int i2c_bus_fault(struct i2c_bus *b, unsigned sock, const struct i2c_xmsg *m,
		  unsigned n);
/* A failed transaction: zero the read messages. */
void i2c_xfer_failed(struct i2c_xmsg *m, unsigned n);

/* One transaction on a host adapter in three steps: prepare (loop
 * thread: SMBus mapping, logs why not), exec (any thread: the ioctls
 * only, on the messages' own buffers; no logging), finish (loop thread:
 * logs a failure, copies an SMBus result).  prepare/finish return 0 or
 * -errno. */
struct i2c_host_xfer {
	struct i2c_bus *b;
	struct i2c_adapter *a;
	struct i2c_xmsg *m;
	unsigned n;
	bool smbus;
	bool slave_failed;
	struct i2c_smbus_op op;
	int result;
};
int i2c_host_prepare(struct i2c_host_xfer *x);
void i2c_host_exec(struct i2c_host_xfer *x);
int i2c_host_finish(struct i2c_host_xfer *x);

/* The SMBus operation that carries messages m[0..n) on an adapter with
 * funcs, or -EOPNOTSUPP with *why set. */
int i2c_smbus_map(unsigned long funcs, const struct i2c_xmsg *m, unsigned n,
		  struct i2c_smbus_op *op, const char **why);
/* Copy an executed op's result into the read message; 0 or -EIO. */
int i2c_smbus_result(const struct i2c_smbus_op *op, struct i2c_xmsg *m,
		     unsigned n);

/* ---- control commands (i2c_ctl.c, man vhost-device-ctl) ---- */
/* Register the i2c.* commands and the models' part of `list` for bus b
 * served on nsock sockets.  0 or -errno. */
int i2c_ctl_register(struct i2c_bus *b, unsigned nsock);

/* ---- virtio-i2c requests ---- */
struct i2c_req {
	struct vq_elem *e;
	uint16_t addr;       /* 7-bit */
	uint16_t len;        /* data bytes */
	bool read;
	bool fail_next;
	bool bad;            /* malformed: ERR */
	uint32_t used;       /* set by i2c_group_run */
};

/* Copy the header out of e once and validate the layout.  Always fills
 * r (r->bad for a malformed request; fail_next then false). */
void i2c_req_parse(struct vq_elem *e, struct i2c_req *r);
/* Execute a group (the requests up to and including one without
 * FAIL_NEXT, or a cut-off group when complete is false) as one
 * transaction, here and now, write each request's data and status into
 * its buffers and set r[i].used.  features_ok false: every request gets
 * ERR.  Returns the number of requests that got OK.  It is
 * i2c_group_prepare (staging in b->stage), i2c_bus_xfer and
 * i2c_group_finish. */
unsigned i2c_group_run(struct i2c_bus *b, struct i2c_req *r, unsigned n,
		       bool complete, bool features_ok);
/* Check a group and copy its write data into stage (I2C_GROUP_MAX *
 * I2C_MSG_MAX bytes), filling m[0..n).  false: the group fails as a whole
 * without touching a bus (logged). */
bool i2c_group_prepare(struct i2c_bus *b, struct i2c_req *r, unsigned n,
		       bool complete, bool features_ok, uint8_t *stage,
		       struct i2c_xmsg *m);
/* Write read data (ok) and every status into the requests' buffers and
 * set r[i].used; returns the number that got OK. */
unsigned i2c_group_finish(struct i2c_req *r, unsigned n, const struct i2c_xmsg *m,
			  bool ok);

/* ---- one socket's request queue ----
 * Requests are answered in order.  A FAIL_NEXT group stays open across
 * notifications until its last request (no FAIL_NEXT) arrives; it is
 * failed as a whole if it holds more requests than a transaction may
 * carry (I2C_GROUP_MAX) or than the ring holds, or if it stays open for
 * I2C_GROUP_WAIT_MS; the requests that then follow, up to the end of the
 * group, fail without being executed (virtio spec, I2C Adapter Device /
 * Device Operation: Request Queue, FAIL_NEXT: "If this bit
 * is set and a device fails to process the current request, it needs to
 * fail the next request instead of attempting to execute it").  A group
 * for a host adapter runs on that adapter's worker while the socket's
 * later requests wait. */
#define I2C_GROUP_WAIT_MS 500

struct i2c_sock;

struct i2c_job {
	struct work w;
	struct i2c_sock *s;
	unsigned n;            /* requests of the group (at the queue head) */
	bool cancelled;        /* the queue stopped meanwhile: drop the result */
	struct i2c_host_xfer x;
	struct i2c_xmsg m[I2C_GROUP_MAX];
};

struct i2c_sock {
	struct i2c_bus *bus;
	unsigned index;        /* the socket (guest): its bus number in traces */
	bool features_ok;
	bool fail_rest;        /* a FAIL_NEXT request failed: fail to the group's end */
	bool busy;             /* job runs on a worker */
	bool timer_armed;
	bool inline_run;       /* a job running inline (no worker) */
	unsigned ring_size;
	struct loop *loop;
	struct loop_watch *timer;
	void (*complete)(void *ctx, struct vq_elem *e, uint32_t len);
	/* whether requests may be written now (NULL: always); while not, a
	 * finished job or a timed-out group waits for i2c_sock_resume() */
	bool (*running)(void *ctx);
	void *complete_ctx;
	struct vu_queue_ref ref; /* the daemon's complete_ctx: the requestq */
	bool finished;         /* the job is done, its results not written yet */
	bool timed_out;        /* the open group's time ran out meanwhile */
	unsigned head, tail;   /* requests not answered yet: q[head..tail) */
	struct i2c_req q[I2C_QUEUE_SIZE];
	uint8_t *stage;        /* the job's messages */
	struct i2c_job *job;   /* both kept by a job stuck at i2c_sock_free */
};

/* Set up s over bus (loop NULL: no time bound, host groups run inline).
 * 0 or -errno. */
int i2c_sock_init(struct i2c_sock *s, struct i2c_bus *bus, struct loop *l);
/* Free what init took; the buses' workers must have been stopped.  A job
 * still running (a stuck bus) keeps its memory, not s's: s may be freed. */
void i2c_sock_free(struct i2c_sock *s);
/* One request; ring_size is the queue's size (an open group that fills
 * the ring can never end).  Always returns DEV_HELD: every request is
 * answered through complete(). */
int i2c_sock_handle(struct i2c_sock *s, struct vq_elem *e, unsigned ring_size);
/* The queue stopped: forget every request without completing it. */
void i2c_sock_stop(struct i2c_sock *s);
/* The ring runs again: write what waited for it (a finished job, a
 * timed-out group). */
void i2c_sock_resume(struct i2c_sock *s);
/* The open group's time is up (the timer; tests call it directly). */
void i2c_sock_timeout(struct i2c_sock *s);

#endif
