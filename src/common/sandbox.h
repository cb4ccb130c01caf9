/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Confinement of the serving phase.  Start-up (option parsing, opening
 * host devices, sysfs directories, images and listening sockets) runs with
 * whatever the process was given.  Along the way each module declares what
 * it will still need once serving: a group of system calls (sandbox_need),
 * a system call or ioctl requests of its own (sandbox_allow_syscall,
 * sandbox_allow_ioctls) or a file hierarchy (sandbox_allow_path).  Then, once,
 * before the first connection is served, sandbox_apply() locks the process
 * down, in this order:
 *   1. core dumps off (RLIMIT_CORE 0, not dumpable: guest memory is mapped);
 *   2. --group/--user: switch identity, refuse to go on as root if that fails;
 *   3. all capabilities dropped (effective, permitted, inheritable, ambient,
 *      bounding set), PR_SET_NO_NEW_PRIVS;
 *   4. Landlock: file access only beneath the declared paths; TCP bind and
 *      connect refused; signals and abstract sockets scoped (per kernel ABI);
 *   5. seccomp: an allow-list of the system calls of the serving phase,
 *      ioctl only with the request numbers the modules declared; any
 *      other call stops the process with one line naming it (SIGSYS).
 * The policy is process-wide state (the kernel's confinement is
 * process-wide too); declarations before apply only record. */
#ifndef VD_SANDBOX_H
#define VD_SANDBOX_H

#include <stdbool.h>
#include <linux/ioctl.h>
#include "common/opts.h"

/* What the serving phase needs beyond the event loop and vhost-user. */
enum sandbox_need {
	SB_NEED_FILES   = 1u << 0,  /* open/read/write under allowed paths */
	SB_NEED_PERSIST = 1u << 1,  /* write-and-rename image persistence */
	SB_NEED_THREADS = 1u << 2,  /* worker threads, started after apply:
				     * apply refuses a process that has more
				     * than one thread already */
};

/* Access to a declared path (a directory covers everything beneath it). */
enum sandbox_access {
	SB_READ   = 1u << 0,  /* read files, list directories */
	SB_WRITE  = 1u << 1,  /* write (and truncate) existing files */
	SB_CREATE = 1u << 2,  /* create, rename over and remove regular files */
	SB_REMOVE = 1u << 3,  /* remove files (sockets at exit) */
};

void sandbox_need(unsigned needs);
/* A system call that the serving phase of one module makes and no need
 * above covers (rng's getrandom(2)): the module declares it by name, so
 * the shared allow-list stays free of device calls.  name must live until
 * sandbox_apply() (a string literal).  0, or -EINVAL for a name this
 * architecture does not know, -ENOSPC past SANDBOX_MAX_CALLS. */
#define SANDBOX_MAX_CALLS 8
int sandbox_allow_syscall(const char *name);
/* An ioctl request a module makes once serving, on a host device it
 * opened (a GPIO chip, an i2c-dev adapter, a spidev): allowed when the
 * request under mask is req under mask (the kernel compares 32 bits). */
struct sandbox_ioctl {
	unsigned long req, mask;
};
#define SANDBOX_IOCTL_EXACT 0xffffffffUL
/* any size field: a request that carries a count there (SPI_IOC_MESSAGE(n)) */
#define SANDBOX_IOCTL_ANY_SIZE \
	(SANDBOX_IOCTL_EXACT & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT))
#define SANDBOX_IOCTL(r) { (r), SANDBOX_IOCTL_EXACT }
/* The module's requests, as one table of n entries, declared where it
 * opens the device, so the shared allow-list knows no device; ioctl is
 * allowed only with the requests of the tables declared.  tab must live
 * until sandbox_apply() (a static table); declaring it again changes
 * nothing.  0, or -ENOSPC past SANDBOX_MAX_IOCTL_TABLES. */
#define SANDBOX_MAX_IOCTL_TABLES 4
int sandbox_allow_ioctls(const struct sandbox_ioctl *tab, unsigned n);
/* Resolve path now (it is opened O_PATH, so a later rename does not
 * matter) and allow access beneath it after apply.  0, or -errno with
 * errno set (the caller names the path in its error). */
int sandbox_allow_path(const char *path, unsigned access);
/* A file= image persisted by write-and-rename: its directory gets
 * SB_READ | SB_WRITE | SB_CREATE, and SB_NEED_PERSIST is declared. */
int sandbox_allow_image(const char *file);
/* A listening socket: its directory gets SB_REMOVE (unlink at exit) and,
 * with --user/--group, the socket file changes owner before the switch so
 * the new identity can still remove it. */
int sandbox_add_socket(const char *path);

/* The shared options --sandbox=on|off, --user NAME, --group NAME (names
 * or numbers), added to every device by sandbox_serve_part (registered
 * last with serve_register_part(): its ready step is the lock-down). */
enum { SB_OPT_SANDBOX = 1, SB_OPT_USER, SB_OPT_GROUP };
extern const struct opt sandbox_opts[];   /* ends with OPT_END */
/* 0, or -1 after printing an error naming the bad value. */
int sandbox_opt(const char *prog, int id, const char *arg);
struct serve_part;
extern const struct serve_part sandbox_serve_part;

/* The one lock-down.  0, or -1 after logging why (the daemon then exits:
 * it never serves half-confined). */
int sandbox_apply(void);

/* "seccomp, landlock" or "landlock (built without seccomp: SECCOMP=0)",
 * for --version. */
const char *sandbox_features(void);

/* Landlock ABI version of the running kernel, 0 if none. */
int sandbox_landlock_abi(void);

#endif
