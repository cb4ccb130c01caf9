#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Multi-call dispatch, --help/--version, and man pages in sync with --help.
set -u
BIN=${VHOST_DEVICE_BIN:-./vhost-device}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# the man pages as built (make man: shared parts filled in)
MAN=${VHOST_DEVICE_MAN:-$TOP/build/man}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok()   { n=$((n + 1)); echo "ok $n - $1"; }
nok()  { n=$((n + 1)); fail=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '    %s\n' "$2"; }
check() { if [ "$1" = "$2" ]; then ok "$3"; else nok "$3" "expected '$2', got '$1'"; fi; }

out=$("$BIN" --help); rc=$?
check "$rc" 0 "vhost-device --help exits 0"
devices=$("$BIN" --list)
for d in $devices; do
	if grep -qE "^  $d +[A-Za-z]" <<<"$out"; then ok "--help lists $d with a summary"; else nok "--help lists $d"; fi
done
[ -n "$devices" ] && ok "--list names devices" || nok "--list names devices"

v=$("$BIN" --version); check "$?" 0 "--version exits 0"
grep -qE '^vhost-device [0-9]+\.[0-9]+' <<<"$v" && ok "--version prints a version" || nok "--version prints a version" "$v"
grep -qE '^sandbox: (seccomp, landlock|landlock \(built without seccomp: SECCOMP=0\))$' <<<"$v" &&
	ok "--version says how the sandbox was built" || nok "--version says how the sandbox was built" "$v"

# the shared sandbox options: bad values are named, exit 1
err=$("$BIN" gpio -s "$tmp/x" -l s1 --sandbox=maybe 2>&1); rc=$?
check "$rc" 1 "--sandbox=maybe exits 1"
grep -q "'maybe'" <<<"$err" && ok "--sandbox names the bad value" || nok "--sandbox names the bad value" "$err"
err=$("$BIN" gpio -s "$tmp/x" -l s1 --user no-such-user-vd 2>&1); rc=$?
check "$rc" 1 "--user of an unknown user exits 1"
grep -q "'no-such-user-vd'" <<<"$err" && ok "--user names the unknown user" || nok "--user names the unknown user" "$err"
err=$("$BIN" gpio -s "$tmp/x" -l s1 --group no-such-group-vd 2>&1); rc=$?
check "$rc" 1 "--group of an unknown group exits 1"
grep -q "'no-such-group-vd'" <<<"$err" && ok "--group names the unknown group" || nok "--group names the unknown group" "$err"

"$BIN" >/dev/null 2>&1; check "$?" 1 "no arguments: usage, exit 1"

err=$("$BIN" frobnicate 2>&1); rc=$?
check "$rc" 127 "unknown device exits 127"
grep -q "'frobnicate'" <<<"$err" && ok "unknown device is named" || nok "unknown device is named" "$err"

ln -s "$BIN" "$tmp/vhost-device-frobnicate"
err=$("$tmp/vhost-device-frobnicate" 2>&1); rc=$?
check "$rc" 127 "unknown device through a link exits 127"

mkdir "$tmp/elsewhere"
for d in $devices; do
	ln -s "$BIN" "$tmp/vhost-device-$d"
	ln "$BIN" "$tmp/elsewhere/vhost-device-$d" 2>/dev/null || cp "$BIN" "$tmp/elsewhere/vhost-device-$d"
	a=$(cd / && "$tmp/vhost-device-$d" --help); ra=$?
	b=$("$BIN" "$d" --help); rb=$?
	c=$(cd "$tmp" && PATH="$tmp/elsewhere:$PATH" "vhost-device-$d" --help); rc=$?
	check "$ra$rb$rc" 000 "$d --help exits 0 as subcommand, symlink and hard link"
	[ "$a" = "$b" ] && [ "$b" = "$c" ] && ok "$d: the three forms print the same help" || nok "$d: the three forms print the same help"
	grep -q "^Usage: vhost-device-$d " <<<"$b" && ok "$d help names the program" || nok "$d help names the program" "$(head -1 <<<"$b")"

	err=$("$BIN" "$d" --no-such-option 2>&1); rc=$?
	check "$rc" 1 "$d: unknown option exits 1"
	grep -q -- "--no-such-option" <<<"$err" && ok "$d: unknown option is named" || nok "$d: unknown option is named" "$err"

	# man page: every long option of --help is documented, and nothing else
	man="$MAN/vhost-device-$d.1"
	if [ ! -f "$man" ]; then nok "man/vhost-device-$d.1 exists (built in $MAN)"; continue; fi
	help_opts=$(grep -oE '^ +(-[A-Za-z0-9], )?--[a-z0-9-]+' <<<"$b" | grep -oE -- '--[a-z0-9-]+' | sort -u)
	man_opts=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man" | grep -oE '\\-\\-[a-z0-9\\-]+' | sed 's/\\//g' | sort -u)
	if [ "$help_opts" = "$man_opts" ] && [ -n "$help_opts" ]; then
		ok "man/vhost-device-$d.1 OPTIONS match --help"
	else
		nok "man/vhost-device-$d.1 OPTIONS match --help" "$(diff <(echo "$help_opts") <(echo "$man_opts") | tr '\n' ' ')"
	fi
	# entry by entry: short name, argument, range and default as the table has them
	out=$("$TOP/tools/manpage" check "$BIN" "$d" "$man" 2>&1)
	[ -z "$out" ] && ok "man/vhost-device-$d.1 OPTIONS entries match the option table" \
		|| nok "man/vhost-device-$d.1 OPTIONS entries match the option table" "$out"
done

# every man page formats without warnings (groff: tools/deps installs it)
if command -v groff >/dev/null 2>&1; then
	for m in "$MAN"/*.1; do
		w=$(groff -man -ww -z "$m" 2>&1)
		[ -z "$w" ] && ok "$(basename "$m") formats cleanly" || nok "$(basename "$m") formats cleanly" "$w"
	done
else
	nok "groff is installed (tools/deps) to check the man pages"
fi

# the top-level man page lists every device
for d in $devices; do
	grep -q "vhost-device-$d" "$TOP/man/vhost-device.1" && ok "man/vhost-device.1 mentions $d" || nok "man/vhost-device.1 mentions $d"
done

# --install [-s] [DIR]: one link per device, as busybox makes them
mkdir "$tmp/inst" "$tmp/own" "$tmp/busy"
"$BIN" --install -s "$tmp/inst"; check "$?" 0 "--install -s DIR exits 0"
for d in $devices; do
	l="$tmp/inst/vhost-device-$d"
	[ -L "$l" ] && [ "$(readlink "$l")" = "$(readlink -f "$BIN")" ] && ok "--install -s: $d links to the binary's absolute path" ||
		nok "--install -s: $d links to the binary's absolute path" "$(ls -l "$l" 2>&1)"
	"$l" --help | grep -q "^Usage: vhost-device-$d " && ok "--install -s: the $d link runs $d" || nok "--install -s: the $d link runs $d"
done
"$BIN" --install -s "$tmp/inst"; check "$?" 0 "--install again over its own links exits 0"
cp "$BIN" "$tmp/own/vhost-device"
"$tmp/own/vhost-device" --install; check "$?" 0 "--install (hard links, default DIR) exits 0"
ino=$(stat -c %i "$tmp/own/vhost-device")
for d in $devices; do
	check "$(stat -c %i "$tmp/own/vhost-device-$d" 2>&1)" "$ino" "--install: vhost-device-$d is a hard link in the binary's directory"
done
rm -f "$tmp"/own/vhost-device-*
"$tmp/own/vhost-device" --install -s; check "$?" 0 "--install -s (default DIR) exits 0"
for d in $devices; do
	check "$(readlink "$tmp/own/vhost-device-$d")" vhost-device "--install -s: $d next to the binary links to its bare name"
done
first=$(head -n 1 <<<"$devices")
echo keep >"$tmp/busy/vhost-device-$first"
err=$("$BIN" --install -s "$tmp/busy" 2>&1); rc=$?
check "$rc" 1 "--install: an unrelated file in the way: exit 1"
grep -q "$tmp/busy/vhost-device-$first" <<<"$err" && ok "--install: the file in the way is named" || nok "--install: the file in the way is named" "$err"
check "$(cat "$tmp/busy/vhost-device-$first")" keep "--install: the file in the way is not replaced"
for d in $devices; do
	[ "$d" = "$first" ] && continue
	[ -L "$tmp/busy/vhost-device-$d" ] && ok "--install: $d linked despite the other failure" || nok "--install: $d linked despite the other failure"
done
err=$("$BIN" --install "$tmp/no/such/dir" 2>&1); rc=$?
check "$rc" 1 "--install: missing DIR: exit 1"
grep -q "$tmp/no/such/dir" <<<"$err" && ok "--install: the missing DIR is named" || nok "--install: the missing DIR is named" "$err"
err=$("$BIN" --install -x 2>&1); rc=$?
check "$rc" 1 "--install -x: exit 1"
grep -q "'-x'" <<<"$err" && ok "--install: the bad argument is named" || nok "--install: the bad argument is named" "$err"
out=$("$BIN" --install --help); rc=$?
check "$rc" 0 "--install --help exits 0"
grep -q "^Usage: vhost-device --install \[-s\] \[DIR\]" <<<"$out" && ok "--install --help prints its usage" || nok "--install --help prints its usage" "$out"
err=$("$BIN" --install "$tmp/busy/vhost-device-$first" 2>&1); rc=$?
check "$rc" 1 "--install: DIR that is a file: exit 1"
grep -q "'$tmp/busy/vhost-device-$first' is not a directory" <<<"$err" && ok "--install: the file given as DIR is named" || nok "--install: the file given as DIR is named" "$err"
# hard links cannot cross file systems: /dev/shm (tmpfs) is another one
shm=$(mktemp -d /dev/shm/vdinst.XXXXXX)
if [ "$(stat -c %d "$shm")" != "$(stat -c %d "$BIN")" ]; then
	err=$("$BIN" --install "$shm" 2>&1); rc=$?
	check "$rc" 1 "--install: hard links to another file system: exit 1"
	grep -q "$shm/vhost-device-$first: Invalid cross-device link (another file system: use -s)" <<<"$err" &&
		ok "--install: the cross-device link is named, with the -s hint" || nok "--install: the cross-device link is named, with the -s hint" "$err"
else
	nok "--install: /dev/shm is another file system than the binary's (test set-up)"
fi
rm -rf "$shm"

# README: every device (src/devices.def) has its section and is named in
# the opening paragraph; nothing else is
readme="$TOP/README.md"
sections=$(sed -n 's/^## .*: `vhost-device \([a-z0-9]*\)`.*/\1/p' "$readme" | sort)
check "$(echo "$sections" | tr '\n' ' ')" "$(echo "$devices" | sort | tr '\n' ' ')" \
	"README has one section per device (## ...: \`vhost-device DEVICE\`)"
intro=$(sed -n '3,/^$/p' "$readme" | tr '\n' ' ')
named=$(grep -oE '\*\*[A-Z0-9]+\*\*' <<<"$intro" | tr -d '*' | tr 'A-Z' 'a-z' | sort)
check "$(echo "$named" | tr '\n' ' ')" "$(echo "$devices" | sort | tr '\n' ' ')" \
	"README's opening paragraph names every device in bold, and only those"
braced=$(sed -n '3,/^$/p' "$readme" | tr -d '\n' | grep -oE 'vhost-device-\{[a-z0-9,]+\}' | sed 's/.*{//; s/}//' | tr ',' '\n' | sort)
check "$(echo "$braced" | tr '\n' ' ')" "$(echo "$devices" | sort | tr '\n' ' ')" \
	"README's vhost-device-{...} list is src/devices.def's"

# A daemon killed with SIGKILL leaves its socket file: the next one
# replaces it; SIGTERM removes the socket file and exits 0.
# listening SOCK LOG PID: wait until the daemon says so (or dies).
listening() {
	for _ in $(seq 100); do
		grep -q listening "$2" && [ -S "$1" ] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# --sim help: every simulated model has its line there and its entry under
# SIMULATED DEVICES in the man page, and the man page documents no other
for d in i2c spi; do
	out=$("$BIN" "$d" --sim help); rc=$?
	check "$rc" 0 "$d --sim help exits 0"
	models=$(grep -oE '^  [a-z0-9]+ ' <<<"$out" | tr -d ' ' | sort)
	man_models=$(sed -n '/^\.SH SIMULATED DEVICES/,/^\.SH SOCKET/p' "$MAN/vhost-device-$d.1" |
		grep -A1 '^\.TP' | grep -oE '^\.BR? [a-z0-9]+' | awk '{print $2}' | sort)
	if [ -n "$models" ] && [ "$models" = "$man_models" ]; then
		ok "$d: --sim help and the man page's SIMULATED DEVICES name the same models"
	else
		nok "$d: --sim help and the man page's SIMULATED DEVICES name the same models" \
			"$(diff <(echo "$models") <(echo "$man_models") | tr '\n' ' ')"
	fi
done

if grep -qx scmi <<<"$devices"; then
	sock="$tmp/s.sock"
	"$BIN" scmi -s "$sock" -d fake ${VHOST_DEVICE_ARGS:-} 2>"$tmp/log0" & pid=$!
	listening "$sock" "$tmp/log0" "$pid" && ok "first daemon listening" || nok "first daemon listening" "$(cat "$tmp/log0")"
	kill -KILL "$pid"; wait "$pid"; rc=$?
	check "$rc" 137 "SIGKILL: the first daemon is gone (status 128+9)"
	[ -S "$sock" ] && ok "SIGKILL leaves a stale socket file" || nok "SIGKILL leaves a stale socket file"
	"$BIN" scmi -s "$sock" -d fake ${VHOST_DEVICE_ARGS:-} 2>"$tmp/log" & pid=$!
	if listening "$sock" "$tmp/log" "$pid"; then
		ok "stale socket replaced, the second daemon listening"
	else
		nok "stale socket replaced, the second daemon listening" "$(cat "$tmp/log")"
	fi
	kill -TERM "$pid"; wait "$pid"; rc=$?
	check "$rc" 0 "SIGTERM: exit 0"
	[ ! -e "$sock" ] && ok "SIGTERM: socket file removed" || nok "SIGTERM: socket file removed"
	# SIGINT and SIGHUP (a closed terminal) stop it the same way
	for sig in INT HUP; do
		"$BIN" scmi -s "$sock" -d fake ${VHOST_DEVICE_ARGS:-} 2>"$tmp/log" & pid=$!
		listening "$sock" "$tmp/log" "$pid" || nok "SIG$sig: daemon listening" "$(cat "$tmp/log")"
		kill -"$sig" "$pid"; wait "$pid"; rc=$?
		check "$rc" 0 "SIG$sig: exit 0"
		[ ! -e "$sock" ] && ok "SIG$sig: socket file removed" || nok "SIG$sig: socket file removed"
	done
	touch "$tmp/plain"
	"$BIN" scmi -s "$tmp/plain" -d fake 2>"$tmp/log"; rc=$?
	check "$rc" 1 "a path that is not a socket is refused (exit 1)"
	[ -f "$tmp/plain" ] && ok "the non-socket file is left alone" || nok "the non-socket file is left alone"
else
	nok "the scmi device is built (socket life checks use it)"
fi
echo "1..$n"
exit $fail
