#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Sockets handed over and readiness: systemd's own systemd-socket-activate
# passes listening sockets (LISTEN_FDS, LISTEN_FDNAMES) and the project's
# frontend (fetool) is served through them; --fd/--socket-fd; the errors;
# a NOTIFY_SOCKET listener receives READY=1 (only once the sockets listen)
# and STOPPING=1 (on SIGTERM).
set -u
BIN=${VHOST_DEVICE_BIN:-./vhost-device}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
FETOOL=${VD_FETOOL:-$TOP/build/tests/vm/tools/fetool}
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
# the checks read the daemons' info lines ("listening on ..."); i2c logs
# only errors by default, as upstream
export RUST_LOG=info
n=0 bad=0
ok()   { n=$((n + 1)); echo "ok $n - $1"; }
nok()  { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '    %s\n' "$2"; }
check() { if [ "$1" = "$2" ]; then ok "$3"; else nok "$3" "expected '$2', got '$1'"; fi; }
finish() { echo "1..$n"; [ "$bad" -eq 0 ]; exit $?; }

for t in systemd-socket-activate python3; do
	command -v "$t" >/dev/null || { nok "$t is installed (tools/deps)"; finish; }
done
[ -x "$FETOOL" ] || { nok "the frontend tool $FETOOL is built (make tests)"; finish; }

# fetool's I2C round trip on the simulated 24c02 at 0x50
serves() { # SOCK LABEL LOG
	local out
	out=$("$FETOOL" i2c "$1" 0x50 0x10 2>&1)
	if [ $? -eq 0 ] && ! grep -q FAIL <<<"$out"; then ok "$2"; else nok "$2" "$out | $(cat "$3")"; fi
}
# exec CMD with listening sockets PATH... at fds 3.. and LISTEN_PID set to
# its own pid (as systemd does); LISTEN_FDS=$LFDS (default: their number)
listen_exec() { # PATHS(space-separated) CMD...
	local paths=$1; shift
	python3 - "$paths" "$@" <<'PY'
import os, socket, sys
paths = sys.argv[1].split()
socks = []
for i, p in enumerate(paths):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(p); s.listen(4)
    socks.append(s)
for i, s in enumerate(socks):
    os.dup2(s.fileno(), 3 + i, inheritable=True)
os.environ["LISTEN_PID"] = os.environ.get("LPID", str(os.getpid()))
os.environ["LISTEN_FDS"] = os.environ.get("LFDS", str(len(paths)))
os.execv(sys.argv[2], sys.argv[2:])
PY
}

# systemd-socket-activate passes the daemon a clean environment: keep the
# library path a build may need (tests/gpiod2 runs against its own libgpiod)
sa_env=(-E RUST_LOG); [ -n "${LD_LIBRARY_PATH:-}" ] && sa_env+=(-E LD_LIBRARY_PATH)

# 1. systemd-socket-activate: one socket, named; the daemon starts on the
# first connection, serves it, and leaves the socket file to its owner
s=$tmp/a.sock
systemd-socket-activate "${sa_env[@]}" -l "$s" --fdname=guest0 "$BIN" i2c --sim 24c02@0x50 ${VHOST_DEVICE_ARGS:-} >"$tmp/a.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$s" ] && break; sleep 0.05; done
serves "$s" "systemd-socket-activate: the frontend is served on the activated socket" "$tmp/a.log"
grep -q "listening on $s (fd 3, guest0)" "$tmp/a.log" && ok "the socket is labelled with its path, fd and LISTEN_FDNAMES name" ||
	nok "the socket is labelled with its path, fd and LISTEN_FDNAMES name" "$(cat "$tmp/a.log")"
serves "$s" "a second frontend after the first disconnected" "$tmp/a.log"
kill -TERM "$pid"; wait "$pid"; rc=$?
check "$rc" 0 "activated daemon: SIGTERM, exit 0"
[ -S "$s" ] && ok "a socket handed over is not removed by the daemon" || nok "a socket handed over is not removed by the daemon"

# 2. -c 2 with two activated sockets: served in order
s0=$tmp/b0.sock s1=$tmp/b1.sock
systemd-socket-activate "${sa_env[@]}" -l "$s0" -l "$s1" "$BIN" i2c -c 2 --sim 24c02@0x50 ${VHOST_DEVICE_ARGS:-} >"$tmp/b.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$s1" ] && break; sleep 0.05; done
serves "$s0" "-c 2: the first activated socket is served" "$tmp/b.log"
serves "$s1" "-c 2: the second activated socket is served" "$tmp/b.log"
l0=$(grep -n "listening on $s0 (fd 3)" "$tmp/b.log" | cut -d: -f1)
l1=$(grep -n "listening on $s1 (fd 4)" "$tmp/b.log" | cut -d: -f1)
[ -n "$l0" ] && [ -n "$l1" ] && [ "$l0" -lt "$l1" ] && ok "-c 2: sockets taken in LISTEN_FDS order" ||
	nok "-c 2: sockets taken in LISTEN_FDS order" "$(cat "$tmp/b.log")"
kill -TERM "$pid"; wait "$pid"; check "$?" 0 "-c 2 activated daemon: SIGTERM, exit 0"

# 3. --fd and --socket-fd
for o in --fd --socket-fd; do
	rm -f "$tmp/c.sock"
	python3 - "$tmp/c.sock" "$BIN" i2c "$o=5" --sim 24c02@0x50 ${VHOST_DEVICE_ARGS:-} >"$tmp/c.log" 2>&1 <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(4)
os.dup2(s.fileno(), 5, inheritable=True)
os.execv(sys.argv[2], sys.argv[2:])
PY
	pid=$!
	for _ in $(seq 100); do grep -q "listening on" "$tmp/c.log" && break; sleep 0.05; done
	serves "$tmp/c.sock" "$o=5: the frontend is served" "$tmp/c.log"
	kill -TERM "$pid"; wait "$pid"; check "$?" 0 "$o=5 daemon: SIGTERM, exit 0"
done

# 4. errors: each exits 1 naming the problem (2: no socket at all, a
# usage error as upstream's missing -s)
err() { # EXPECT-TEXT LABEL CMD...
	local want=$1 label=$2 out rc status=1; shift 2
	[ "$want" = "missing --socket-path" ] && status=2
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -eq "$status" ] && grep -qF -- "$want" <<<"$out"; then ok "$label"; else nok "$label" "exit $rc: $out"; fi
}
err "fd 0 is not a socket" "--fd of a non-socket is refused" "$BIN" i2c --fd 0 --sim 24c02@0x50 </dev/null
err "fd 7 is not listening" "--fd of a connected socket is refused" \
	python3 -c 'import os,socket,sys; a,b=socket.socketpair(); os.dup2(a.fileno(),7,inheritable=True); os.execv(sys.argv[1],sys.argv[1:])' \
	"$BIN" i2c --fd 7 --sim 24c02@0x50
err "fd 9: Bad file descriptor" "--fd of a closed descriptor is refused" "$BIN" i2c --fd 9 --sim 24c02@0x50
err "--socket-path and socket activation (LISTEN_FDS) cannot be combined" "-s with activated sockets is refused" \
	listen_exec "$tmp/e1.sock" "$BIN" i2c -s "$tmp/x.sock" --sim 24c02@0x50
err "--socket-count 3 but 2 sockets handed over" "-c 3 with two activated sockets is refused" \
	listen_exec "$tmp/e2.sock $tmp/e3.sock" "$BIN" i2c -c 3 --sim 24c02@0x50
err "LISTEN_FDS '2': expected 1..1 sockets" "scmi with two activated sockets is refused" \
	listen_exec "$tmp/e4.sock $tmp/e5.sock" "$BIN" scmi -d fake
err "2 sockets handed over; this device serves exactly one" "scmi with two --fd is refused" \
	env LPID=1 bash -c "$(declare -f listen_exec); listen_exec '$tmp/e8.sock $tmp/e9.sock' '$BIN' scmi --fd 3 --fd 4 -d fake"
err "missing --socket-path" "LISTEN_PID of another process: the sockets are not taken" \
	env LPID=1 bash -c "$(declare -f listen_exec); listen_exec '$tmp/e6.sock' '$BIN' i2c --sim 24c02@0x50"
err "LISTEN_FDS 'x'" "a malformed LISTEN_FDS is refused, naming it" \
	env LFDS=x bash -c "$(declare -f listen_exec); listen_exec '$tmp/e7.sock' '$BIN' i2c --sim 24c02@0x50"

# 5. NOTIFY_SOCKET: READY=1 once the socket listens, STOPPING=1 on SIGTERM
out=$(python3 - "$tmp/notify" "$tmp/n.sock" "$BIN" <<'PY' 2>&1
import os, signal, socket, subprocess, sys
notify, sock, binary = sys.argv[1:4]
rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
rx.bind(notify)
rx.settimeout(60)   # a bound on a broken daemon, not a measurement
env = dict(os.environ, NOTIFY_SOCKET=notify)
p = subprocess.Popen([binary, "i2c", "-s", sock, "--sim", "24c02@0x50"] +
                     os.environ.get("VHOST_DEVICE_ARGS", "").split(), env=env)
msg = rx.recv(4096).decode()
print("got", msg, "socket-listening" if os.path.exists(sock + "0") else "socket-missing")
p.send_signal(signal.SIGTERM)
msg = rx.recv(4096).decode()
print("got", msg)
print("exit", p.wait())
PY
)
grep -qx "got READY=1 socket-listening" <<<"$out" && ok "NOTIFY_SOCKET receives READY=1 once the socket listens" ||
	nok "NOTIFY_SOCKET receives READY=1 once the socket listens" "$out"
grep -qx "got STOPPING=1" <<<"$out" && ok "NOTIFY_SOCKET receives STOPPING=1 on SIGTERM" || nok "NOTIFY_SOCKET receives STOPPING=1 on SIGTERM" "$out"
grep -qx "exit 0" <<<"$out" && ok "notifying daemon: exit 0" || nok "notifying daemon: exit 0" "$out"

out=$(NOTIFY_SOCKET=$tmp/nobody-listens "$BIN" i2c -s "$tmp/m.sock" --sim 24c02@0x50 --help 2>&1 >/dev/null; echo "rc=$?")
check "$out" "rc=0" "--help with a NOTIFY_SOCKET set: nothing sent, exit 0"
finish
