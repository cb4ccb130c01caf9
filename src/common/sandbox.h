/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Confinement of the serving phase.  Start-up (option parsing, opening
 * host devices, sysfs directories, images and listening sockets) runs with
 * whatever the process was given.  Along the way each module declares what
 * it will still need once serving: a group of system calls or ioctls
 * (sandbox_need) or a file hierarchy (sandbox_allow_path).  Then, once,
 * before the first connection is served, sandbox_apply() locks the process
 * down, in this order:
 *   1. core dumps off (RLIMIT_CORE 0, not dumpable: guest memory is mapped);
 *   2. --group/--user: switch identity, refuse to go on as root if that fails;
 *   3. all capabilities dropped (effective, permitted, inheritable, ambient,
 *      bounding set), PR_SET_NO_NEW_PRIVS;
 *   4. Landlock: file access only beneath the declared paths; TCP bind and
 *      connect refused; signals and abstract sockets scoped (per kernel ABI);
 *   5. seccomp: an allow-list of the system calls of the serving phase,
 *      ioctl only with the request numbers of the declared device types; any
 *      other call stops the process with one line naming it (SIGSYS).
 * The policy is process-wide state (the kernel's confinement is
 * process-wide too); declarations before apply only record. */
#ifndef VD_SANDBOX_H
#define VD_SANDBOX_H

#include <stdbool.h>
#include "common/opts.h"

/* What the serving phase needs beyond the event loop and vhost-user. */
enum sandbox_need {
	SB_NEED_GPIO    = 1u << 0,  /* GPIO chip and line ioctls, v1 and v2 */
	SB_NEED_I2C     = 1u << 1,  /* I2C_RDWR, I2C_SMBUS, I2C_SLAVE, I2C_FUNCS */
	SB_NEED_SPI     = 1u << 2,  /* SPI_IOC_* ioctls, delays (nanosleep) */
	SB_NEED_FILES   = 1u << 3,  /* open/read/write under allowed paths */
	SB_NEED_PERSIST = 1u << 4,  /* write-and-rename image persistence */
	SB_NEED_THREADS = 1u << 5,  /* worker threads, started after apply:
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
