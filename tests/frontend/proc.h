/* SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause */
/* Spawning the daemon under test: $VHOST_DEVICE_BIN (default
 * "./vhost-device"), prefixed by $VHOST_DEVICE_WRAPPER split on spaces
 * (e.g. "valgrind -q --error-exitcode=99"), with $VHOST_DEVICE_ARGS (split
 * on spaces, e.g. "--sandbox=off") after the test's own arguments.  Every
 * wait has a timeout. */
#ifndef VD_TESTS_PROC_H
#define VD_TESTS_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#define PROC_MAX_ARGS 96

struct proc {
	pid_t pid;         /* 0 when not running / reaped */
	bool exited;
	int status;        /* raw wait status once exited */
	char dir[64];      /* temp dir (mkdtemp) or "" */
	char sock[128];    /* dir + "/vhost.sock" */
	char log[128];     /* dir + "/stderr.log" if captured, else "" */
};

/* Create a temp dir /tmp/vdtest.XXXXXX and fill p->dir, p->sock. */
int proc_tmpdir(struct proc *p);
/* Remove the temp dir and the files in it (not recursive beyond one
 * level).  Kills and reaps the process if it still runs. */
void proc_cleanup(struct proc *p);

/* Default timeout to wait for the socket: 10 s, 60 s with a wrapper. */
int proc_start_timeout_ms(void);

/* Start the daemon with args (NULL-terminated, not including the binary),
 * e.g. {"scmi", "-s", p->sock, "-d", "fake,name=foo", NULL}.  If
 * capture_stderr, the daemon's stderr goes to p->log.  If wait_path is
 * not NULL, wait until it exists as a socket (or the process dies:
 * -ECHILD, or timeout: -ETIMEDOUT; the process is killed then). */
int proc_spawn(struct proc *p, const char *const *args, bool capture_stderr,
	       const char *wait_path, int timeout_ms);
/* The one spawner for a device under test: start "DEVICE -s p->sock
 * [-c nsock] EXTRA..." (p->dir, p->sock from proc_tmpdir) and wait until
 * every socket listens.  nsock 0: one socket at p->sock as given (scmi);
 * nsock >= 1: numbered sockets p->sock0 .. p->sock{nsock-1} (-c is passed
 * when nsock > 1).  The daemon's stderr is captured with VDTEST_QUIET.
 * 0 or -errno (-ECHILD: it exited; -ETIMEDOUT: killed after the wait). */
int proc_spawn_sockets(struct proc *p, const char *device, unsigned nsock,
		       const char *const *extra);
/* Path of socket i of a daemon started with nsock sockets, into buf. */
const char *proc_sock_path(const struct proc *p, unsigned nsock, unsigned i,
			   char *buf, size_t len);
/* proc_spawn_sockets(p, device, 0, extra): one verbatim socket. */
int proc_spawn_device(struct proc *p, const char *device,
		      const char *const *extra);

int proc_signal(struct proc *p, int sig);
/* Wait for exit; 0 with *status (raw wait status) or -ETIMEDOUT. */
int proc_wait(struct proc *p, int timeout_ms, int *status);
/* Not exited yet (reaps it if it has). */
bool proc_alive(struct proc *p);
/* SIGTERM, wait up to timeout_ms, then SIGKILL.  Returns the exit code
 * (0..255), 128+signal if killed by a signal, or -ETIMEDOUT. */
int proc_stop(struct proc *p, int timeout_ms);

/* "exit status N" or "killed by signal N (name)" for a raw wait status;
 * returns buf. */
const char *proc_status_str(int status, char *buf, size_t len);
/* The same for p: "running" if it has not exited (reaps it if it has). */
const char *proc_describe(struct proc *p, char *buf, size_t len);

/* Run the binary with args (no socket expected) to its end, stderr
 * captured: the exit code (0..255, 128+signal if killed), its stderr's
 * start in err (NUL-terminated, "" if none); a negative errno if it could
 * not be run or did not end within timeout_ms (it is killed then). */
int proc_run_cli(const char *const *args, char *err, size_t errlen, int timeout_ms);

/* Wait until path exists (any file type) or stops existing. */
int proc_wait_path(const char *path, bool exists, int timeout_ms);

/* Monotonic milliseconds. */
long long proc_now_ms(void);

#endif
