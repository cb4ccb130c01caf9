/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* virtio-gpio (virtio id 41): the device logic over an abstract GPIO chip,
 * the chips (simulated; host lines through libgpiod) and the thin libgpiod
 * layer behind an ops struct so unit tests can stand in for the kernel.
 *
 *   gpio.c        command line, vhost-user wiring (one gpio_dev per socket)
 *   gpio_core.c   requestq / eventq messages, interrupt state per line
 *   gpio_names.c  the GET_LINE_NAMES block (unique, printable names)
 *   gpio_sim.c    simulated chip: lines wired in pairs (2k, 2k+1)
 *   gpio_ctl.c    control commands (gpio.set/release/pulse/get, list)
 *   gpio_host.c   a /dev/gpiochipN through struct gpio_hw_ops
 *   gpio_gpiod.c  gpio_hw_ops for libgpiod 1.6 or 2.x (build time) */
#ifndef VD_DEVICES_GPIO_H
#define VD_DEVICES_GPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vhost/loop.h"
#include "vhost/vq.h"

/* ---- spec constants (virtio 1.2+, GPIO device) ---- */
#define VIRTIO_GPIO_F_IRQ                 0

#define VIRTIO_GPIO_MSG_GET_LINE_NAMES    0x0001
#define VIRTIO_GPIO_MSG_GET_DIRECTION     0x0002
#define VIRTIO_GPIO_MSG_SET_DIRECTION     0x0003
#define VIRTIO_GPIO_MSG_GET_VALUE         0x0004
#define VIRTIO_GPIO_MSG_SET_VALUE         0x0005
#define VIRTIO_GPIO_MSG_SET_IRQ_TYPE      0x0006

#define VIRTIO_GPIO_STATUS_OK             0x0
#define VIRTIO_GPIO_STATUS_ERR            0x1

#define VIRTIO_GPIO_DIRECTION_NONE        0x00
#define VIRTIO_GPIO_DIRECTION_OUT         0x01
#define VIRTIO_GPIO_DIRECTION_IN          0x02

#define VIRTIO_GPIO_IRQ_TYPE_NONE         0x00
#define VIRTIO_GPIO_IRQ_TYPE_EDGE_RISING  0x01
#define VIRTIO_GPIO_IRQ_TYPE_EDGE_FALLING 0x02
#define VIRTIO_GPIO_IRQ_TYPE_EDGE_BOTH    0x03
#define VIRTIO_GPIO_IRQ_TYPE_LEVEL_HIGH   0x04
#define VIRTIO_GPIO_IRQ_TYPE_LEVEL_LOW    0x08

#define VIRTIO_GPIO_IRQ_STATUS_INVALID    0x0
#define VIRTIO_GPIO_IRQ_STATUS_VALID      0x1

#define GPIO_Q_REQUEST 0
#define GPIO_Q_EVENT   1

#define GPIO_CONFIG_SIZE 8     /* le16 ngpio, u8 padding[2], le32 gpio_names_size */
#define GPIO_MAX_LINES   65535 /* ngpio is a le16 */
#define GPIO_NAME_MAX    32    /* bytes of one line name, NUL included */
#define GPIO_CONSUMER    "vhost-device"

/* ---- chips, as the device logic sees them ---- */
struct gpio_chip;

struct gpio_chip_ops {
	/* Line name (7-bit ASCII, may be ""). */
	const char *(*name)(struct gpio_chip *c, unsigned line);
	/* Direction of a line the guest has not configured
	 * (VIRTIO_GPIO_DIRECTION_*). */
	int (*get_direction)(struct gpio_chip *c, unsigned line);
	/* Apply a line's configuration: dir NONE releases the line; OUT
	 * drives value; IN with edges reports changes through notify (or
	 * event_fd + read_events).  0 or a negative errno, state unchanged
	 * on failure. */
	int (*configure)(struct gpio_chip *c, unsigned line, uint8_t dir,
			 uint8_t value, bool edges);
	/* Current level (0/1) of a line, in any direction; negative errno. */
	int (*get_value)(struct gpio_chip *c, unsigned line);
	/* Drive an output line; negative errno if it is not an output. */
	int (*set_value)(struct gpio_chip *c, unsigned line, uint8_t value);
	/* fd that becomes readable when read_events has something, or -1. */
	int (*event_fd)(struct gpio_chip *c, unsigned line);
	/* Read pending edge events, calling notify for each. Optional. */
	void (*read_events)(struct gpio_chip *c, unsigned line);
	/* Simulated chips only (NULL on host chips, whose inputs follow the
	 * hardware): drive line's input from outside, value 0/1, or
	 * GPIO_DRIVE_NONE to let it follow its wiring again.  The drive
	 * decides what the line reads while the guest does not drive it as
	 * an output; a change is notified as any other edge.  0 or -EINVAL. */
	int (*drive)(struct gpio_chip *c, unsigned line, int value);
	/* The outside drive of line: 0, 1 or GPIO_DRIVE_NONE. */
	int (*driven)(struct gpio_chip *c, unsigned line);
	void (*free)(struct gpio_chip *c);
};

#define GPIO_DRIVE_NONE (-1)

struct gpio_chip {
	const struct gpio_chip_ops *ops;
	unsigned ngpio;
	char label[64];            /* for messages: "sim8", "/dev/gpiochip3" */
	/* file descriptors it may hold at once, for the fd budget
	 * (serve_fds_need): a host chip's own and one per line request
	 * (every line can be requested at the same time); 0 for a simulated
	 * chip */
	unsigned fds;
	/* set by the device logic: a line with edges on changed to value
	 * (1 = rising edge, 0 = falling edge) */
	void (*notify)(void *ctx, unsigned line, int value);
	void *notify_ctx;
};

/* Simulated chip of n lines (1..GPIO_MAX_LINES) named dummy0... */
struct gpio_chip *gpio_sim_new(unsigned n);

/* ---- libgpiod behind an ops struct ---- */
enum { GPIO_HW_ASIS = 0, GPIO_HW_IN, GPIO_HW_OUT };

struct gpio_hw_cfg {
	uint8_t dir;     /* GPIO_HW_* */
	uint8_t value;   /* output value */
	bool edges;      /* input with both-edge detection */
};

struct gpio_hw_ops {
	const char *version;   /* "libgpiod 1.6.3" */
	/* Open a chip device; NULL with errno set. */
	void *(*open)(const char *path, unsigned *nlines);
	void (*close)(void *chip);
	/* Name (may be "") and kernel direction (VIRTIO_GPIO_DIRECTION_IN or
	 * _OUT) of a line. 0 or negative errno. */
	int (*line_info)(void *chip, unsigned off, char *name, size_t len,
			 int *dir);
	/* Request one line; returns a handle, NULL with errno set. */
	void *(*request)(void *chip, unsigned off, const struct gpio_hw_cfg *cfg,
			 const char *consumer);
	/* Change a request's settings in place; -EOPNOTSUPP if it must be
	 * released and requested again instead. */
	int (*reconfigure)(void *req, const struct gpio_hw_cfg *cfg);
	void (*release)(void *req);
	int (*get_value)(void *req);
	int (*set_value)(void *req, int value);
	/* The request's event fd (edge detection on), -1 otherwise. */
	int (*event_fd)(void *req);
	/* Read one pending edge event without blocking: 1 with *rising set,
	 * 0 if none is pending, negative errno on failure. */
	int (*read_event)(void *req, int *rising);
};

/* The libgpiod this program was built with. */
extern const struct gpio_hw_ops gpio_gpiod_ops;

/* Host chip at path through hw.  NULL with errno set (message in err). */
struct gpio_chip *gpio_host_new(const struct gpio_hw_ops *hw, const char *path,
				char *err, size_t errlen);

/* ---- the device logic, one per socket (guest) ---- */
struct gpio_line;

struct gpio_dev {
	struct gpio_chip *chip;
	struct loop *loop;           /* for line event fds; may be NULL */
	bool irq;                    /* VIRTIO_GPIO_F_IRQ negotiated */
	/* returns a held eventq element (status already written) */
	void (*ev_complete)(void *ctx, struct vq_elem *e, uint32_t len);
	/* whether held eventq elements may be written now (NULL: always);
	 * while not, returns wait for gpio_dev_events_resume() */
	bool (*ev_running)(void *ctx);
	void *ev_ctx;
	bool ev_deferred;            /* a return waits for the eventq */
	struct gpio_line *lines;
	uint8_t *names;              /* the GET_LINE_NAMES block */
	uint32_t names_size;
	unsigned held;               /* eventq elements held */
	unsigned sock;               /* its socket, for control events */
};

/* The GET_LINE_NAMES block for chip's lines (malloc'ed): printable 7-bit
 * ASCII, NUL-terminated, empty names kept empty, a name shared with an
 * earlier line made unique with a _N suffix.  0 or -ENOMEM. */
int gpio_names_build(struct gpio_chip *c, uint8_t **block, uint32_t *size);
/* Takes ownership of chip (freed by gpio_dev_free). 0 or negative errno. */
int gpio_dev_init(struct gpio_dev *g, struct gpio_chip *chip, struct loop *l);
void gpio_dev_free(struct gpio_dev *g);
/* Declare g's lines as the wires of scope gpio<sock> of the VCD trace
 * (nothing without one). */
void gpio_dev_trace(struct gpio_dev *g, unsigned sock);
/* The 8-byte config space. */
void gpio_dev_config(const struct gpio_dev *g, uint8_t *buf);
/* One requestq element: returns the bytes written to e->in (always >= 2),
 * or a negative errno when the response {status, value} does not fit. */
int gpio_dev_request(struct gpio_dev *g, struct vq_elem *e);
/* One eventq element: DEV_HELD, it is completed through ev_complete (at
 * once if malformed, else when the line's interrupt fires or is disabled),
 * or a negative errno if it has no status byte. */
int gpio_dev_event(struct gpio_dev *g, struct vq_elem *e);
/* The eventq stopped: forget held elements without completing them. */
void gpio_dev_events_stop(struct gpio_dev *g);
/* The eventq runs again: return the elements whose interrupt came (or
 * was disabled) while it was stopped. */
void gpio_dev_events_resume(struct gpio_dev *g);
/* Guest gone or reset: forget held elements, release every line, clear
 * the interrupt configuration. */
void gpio_dev_reset(struct gpio_dev *g);

/* ---- from outside (the control commands, gpio_ctl.c) ---- */
/* Drive line's input (chip->ops->drive): the guest sees the change as it
 * sees one of a wired partner, edge and level interrupts alike, and the
 * trace records it.  0, -EOPNOTSUPP (a host chip) or -EINVAL. */
int gpio_dev_drive(struct gpio_dev *g, unsigned line, int value);
/* A line as the guest configured it, and what it carries. */
struct gpio_line_view {
	uint8_t dir;        /* VIRTIO_GPIO_DIRECTION_*, NONE: not configured */
	uint8_t out_value;  /* what it drives (dir OUT) or will drive */
	uint8_t irq_type;   /* VIRTIO_GPIO_IRQ_TYPE_* */
	int level;          /* 0/1; -1 unknown (a host line the guest does not
			     * use is not requested just to look) */
	int drive;          /* the outside drive: 0, 1 or GPIO_DRIVE_NONE */
};
void gpio_dev_line_view(struct gpio_dev *g, unsigned line, struct gpio_line_view *v);
/* The guest changed what it drives on line: 0/1, or -1 when it stopped
 * driving it.  Sends the gpio.output event to control clients that
 * watch (gpio_ctl.c). */
void gpio_ctl_output(const struct gpio_dev *g, unsigned line, int value);

/* The control commands of a daemon with count sockets (gpio_ctl.c):
 * registered with ctl_register() at start, each socket's device added as
 * it is set up; pulses end on a timer of l.  NULL on failure (printed). */
struct gpio_ctl;
struct gpio_ctl *gpio_ctl_new(struct loop *l, unsigned count);
void gpio_ctl_add(struct gpio_ctl *x, unsigned sock, struct gpio_dev *g);
/* Before the devices go: pending pulses are dropped. */
void gpio_ctl_free(struct gpio_ctl *x);

/* ---- command line helpers (gpio.c) ---- */
struct gpio_chip_spec {
	bool sim;
	unsigned long n;   /* chip number, or line count when sim */
};
/* Parse "N1[:N2...]" into specs (at most max).  Returns the count, or -1
 * with a message naming the bad entry in err. */
int gpio_parse_device_list(const char *s, struct gpio_chip_spec *specs,
			   unsigned max, char *err, size_t errlen);

#endif
