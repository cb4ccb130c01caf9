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

# every help text fits a terminal of 80 columns: the multi-call --help,
# each applet's (the tools' too) and the lists printed by --help-devices
for a in "" $devices ctl; do
	w=$("$BIN" $a --help 2>&1 | awk 'length($0) > 80 { print length($0) " columns: " $0; exit }')
	[ -z "$w" ] && ok "vhost-device ${a:+$a }--help fits in 80 columns" ||
		nok "vhost-device ${a:+$a }--help fits in 80 columns" "$w"
done
for d in $devices; do
	"$BIN" "$d" --help | grep -q -- '--help-devices' || continue
	w=$("$BIN" "$d" --help-devices 2>&1 | awk 'length($0) > 80 { print length($0) " columns: " $0; exit }')
	[ -z "$w" ] && ok "vhost-device $d --help-devices fits in 80 columns" ||
		nok "vhost-device $d --help-devices fits in 80 columns" "$w"
done

v=$("$BIN" --version); check "$?" 0 "--version exits 0"
grep -qE '^vhost-device [0-9]+\.[0-9]+' <<<"$v" && ok "--version prints a version" || nok "--version prints a version" "$v"
grep -qE '^sandbox: (seccomp, landlock|landlock \(built without seccomp: SECCOMP=0\))$' <<<"$v" &&
	ok "--version says how the sandbox was built" || nok "--version says how the sandbox was built" "$v"

# the shared sandbox options: bad values are named; not one of the
# choices is a usage error (2), an unknown user or group exits 1
err=$("$BIN" gpio -s "$tmp/x" -l s1 --sandbox=maybe 2>&1); rc=$?
check "$rc" 2 "--sandbox=maybe exits 2"
grep -q "'maybe'" <<<"$err" && ok "--sandbox names the bad value" || nok "--sandbox names the bad value" "$err"
err=$("$BIN" gpio -s "$tmp/x" -l s1 --user no-such-user-vd 2>&1); rc=$?
check "$rc" 1 "--user of an unknown user exits 1"
grep -q "'no-such-user-vd'" <<<"$err" && ok "--user names the unknown user" || nok "--user names the unknown user" "$err"
err=$("$BIN" gpio -s "$tmp/x" -l s1 --group no-such-group-vd 2>&1); rc=$?
check "$rc" 1 "--group of an unknown group exits 1"
grep -q "'no-such-group-vd'" <<<"$err" && ok "--group names the unknown group" || nok "--group names the unknown group" "$err"

"$BIN" >/dev/null 2>&1; check "$?" 2 "no arguments: usage, exit 2"

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
	check "$rc" 2 "$d: unknown option exits 2 (a usage error, as clap)"
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
check "$rc" 2 "--install -x: a usage error, exit 2"
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
	export RUST_LOG=info    # listening() reads the info line
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
	unset RUST_LOG
else
	nok "the scmi device is built (socket life checks use it)"
fi

# ---- upstream parity (issue 13): what upstream's clap definitions and
# env_logger do, exit statuses included.
unset RUST_LOG
# serve_once LOG SOCK CMD...: start CMD, wait until SOCK exists (it
# listens) or CMD ends, SIGTERM it; prints its exit status.
serve_once() {
	local log=$1 sock=$2 pid
	shift 2
	"$@" ${VHOST_DEVICE_ARGS:-} 2>"$log" & pid=$!
	for _ in $(seq 200); do
		[ -S "$sock" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	echo $?
}
ps="$tmp/p.sock"
# usage errors exit 2 like clap; what upstream checks after parsing exits 1
usage() {  # usage WANT WHAT ARGS...
	local want=$1 what=$2 e r
	shift 2
	e=$("$BIN" "$@" 2>&1 >/dev/null); r=$?
	check "$r" "$want" "$what: exit $want"
	[ -n "$e" ] && ok "$what: a message on stderr" || nok "$what: a message on stderr"
}
usage 2 "vhost-device --bogus (an option, not an unknown device)" --bogus
usage 2 "gpio without -s" gpio -l s1
usage 2 "scmi without -s" scmi -d fake
usage 2 "rng without -s" rng
usage 2 "gpio without -l" gpio -s "$ps"
usage 2 "i2c without -l or --sim" i2c -s "$ps"
usage 2 "spi without -l or --sim" spi -s "$ps"
usage 2 "gpio -c abc" gpio -s "$ps" -l s1 -c abc
usage 2 "gpio -c -1" gpio -s "$ps" -l s1 -c -1
usage 2 "gpio -c ' 2'" gpio -s "$ps" -l s1:s1 -c ' 2'
usage 2 "gpio -s without its value" gpio -l s1 -s
usage 2 "gpio with a stray argument" gpio -s "$ps" -l s1 stray
usage 2 "gpio --fd abc" gpio --fd abc -l s1
usage 2 "rng -p abc" rng -s "$ps" -p abc
usage 2 "spi -c 0 (upstream: a NonZeroUsize)" spi -s "$ps" --sim loopback -c 0
usage 1 "gpio -c 0 (upstream refuses it after parsing)" gpio -s "$ps" -l s1 -c 0
usage 1 "i2c -c 0" i2c -s "$ps" --sim lm75@0x48 -c 0
usage 1 "rng -c 0" rng -s "$ps" -c 0
usage 1 "rng -p 0 (upstream: InvalidPeriodInput)" rng -s "$ps" -p 0
usage 1 "gpio -l with a bad entry" gpio -s "$ps" -l x1
usage 1 "scmi -d of an unknown type" scmi -s "$ps" -d nosuchtype

# --print-capabilities (vhost-user.rst's backend program conventions): only
# rng has a type in QEMU's vhost-user.json; it prints it and serves nothing
caps=$("$BIN" rng --print-capabilities 2>&1); r=$?
check "$r" 0 "rng --print-capabilities: exit 0 without -s"
check "$(printf '%s' "$caps" | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])' 2>&1)" rng \
	"rng --print-capabilities: JSON whose type is rng"
for d in gpio i2c spi scmi; do
	"$BIN" $d --print-capabilities >/dev/null 2>&1; r=$?
	check "$r" 2 "$d --print-capabilities: no such type in the schema, a usage error"
done
# the description file make install puts where management software looks
rm -rf "$tmp/qinst"
make -s -C "$(dirname "$0")/../.." install-qemu DESTDIR="$tmp/qinst" PREFIX=/usr >/dev/null 2>&1
j="$tmp/qinst/usr/share/qemu/vhost-user/50-vhost-device-rng.json"
check "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["type"], d["binary"])' "$j" 2>&1)" \
	"rng /usr/bin/vhost-device-rng" "make install: $(basename "$j") names type rng and the installed binary"

# --version: one project version for every applet
ver=$("$BIN" --version | head -n 1 | sed 's/^vhost-device //')
for d in $devices; do
	check "$("$BIN" "$d" --version | head -n 1)" "vhost-device-$d $ver" "$d --version prints the project version"
done

# --help: -c shows its range; -s is not "required" (--fd, activation)
for d in $devices; do
	h=$("$BIN" "$d" --help)
	grep -q "(required" <<<"$h" && nok "$d --help: -s not said to be required" "$(grep "(required" <<<"$h")" ||
		ok "$d --help: -s not said to be required"
	if grep -q -- "--socket-count" <<<"$h"; then
		grep -A2 -- "--socket-count" <<<"$h" | grep -q "(1 or more, default 1)" &&
			ok "$d --help: -c shows its range" || nok "$d --help: -c shows its range" "$(grep -A2 -- --socket-count <<<"$h")"
	fi
done
hd=$("$BIN" scmi --help-devices); rc=$?
check "$rc" 0 "scmi --help-devices exits 0"
bad=$(awk 'length >= 80 || (NR > 1 && !/^ /)' <<<"$hd")
[ -z "$bad" ] && ok "--help-devices: wrapped to 80 columns, continuations indented" ||
	nok "--help-devices: wrapped to 80 columns, continuations indented" "$bad"
# every device type it lists has its entry in the man page and README
types=$(sed -n 's/^  \([a-z]\{1,\}\) .*/\1/p' <<<"$hd")
[ "$(echo $types)" = "fake sim iio hwmon" ] && ok "--help-devices lists fake, sim, iio, hwmon" ||
	nok "--help-devices lists fake, sim, iio, hwmon" "$(echo $types)"
for t in $types; do
	sed -n '/^\.SH DEVICE TYPES/,/^\.SH NOTIFICATIONS/p' "$TOP/man/vhost-device-scmi.1" | grep -qx "\.B $t" &&
		ok "man/vhost-device-scmi.1 DEVICE TYPES has $t" || nok "man/vhost-device-scmi.1 DEVICE TYPES has $t"
	grep -q "^- \`$t[,[]" "$readme" && ok "README's scmi device types have $t" ||
		nok "README's scmi device types have $t"
done

# -c: no cap but RLIMIT_NOFILE (the soft limit is raised as needed); a
# leading '+' as Rust's usize parsing takes it
rc=$(ulimit -Sn 64; serve_once "$tmp/c.log" "${ps}99" "$BIN" i2c -s "$ps" -c 100 --sim lm75@0x48)
check "$rc" 0 "i2c -c 100 under a soft fd limit of 64: served, exit 0"
[ ! -s "$tmp/c.log" ] && ok "i2c -c 100: nothing logged" || nok "i2c -c 100: nothing logged" "$(head -3 "$tmp/c.log")"
e=$( (ulimit -n 64; "$BIN" i2c -s "$ps" -c 100 --sim lm75@0x48) 2>&1); rc=$?
check "$rc" 1 "i2c -c 100 under a hard fd limit of 64: exit 1"
grep -q "RLIMIT_NOFILE is 64" <<<"$e" && ok "the fd limit error names the limit" || nok "the fd limit error names the limit" "$e"
rc=$(serve_once "$tmp/c.log" "${ps}1" "$BIN" gpio -s "$ps" -c +2 -l s1:s2)
check "$rc" 0 "gpio -c +2: two sockets, exit 0"

# scmi -d takes one or more values up to the next option (clap's num_args(1..))
rc=$(RUST_LOG=info serve_once "$tmp/d.log" "$ps" "$BIN" scmi -s "$ps" -d fake,name=a fake,name=b -v)
check "$rc" 0 "scmi -d fake,name=a fake,name=b -v: served, exit 0"
grep -q "sensor 0: 'a'" "$tmp/d.log" && grep -q "sensor 1: 'b'" "$tmp/d.log" &&
	ok "scmi: one -d gave both sensors" || nok "scmi: one -d gave both sensors" "$(grep sensor "$tmp/d.log")"
e=$("$BIN" scmi -s "$ps" -d fake nosuchtype 2>&1); rc=$?
check "$rc" 1 "scmi -d fake nosuchtype: the second word is a device, refused (exit 1)"
grep -q "nosuchtype" <<<"$e" && ok "scmi: the bad second device is named" || nok "scmi: the bad second device is named" "$e"

# i2c -l: whitespace around the list, entries, names (also sysfs's) and
# addresses is not part of them; a '+' before an address as Rust's u16
mkdir -p "$tmp/sys/i2c-7"
printf '  my adapter \n' >"$tmp/sys/i2c-7/name"
e=$(VHOST_DEVICE_I2C_SYSFS="$tmp/sys" "$BIN" i2c -s "$ps" -l " my adapter : 4 , 5:+6 " 2>&1); rc=$?
check "$rc" 1 "i2c -l ' my adapter : 4 , 5:+6 ': parsed, then the missing adapter fails (exit 1)"
grep -q "/dev/i2c-7" <<<"$e" && ok "i2c -l: the trimmed name found adapter i2c-7 (sysfs name trimmed)" ||
	nok "i2c -l: the trimmed name found adapter i2c-7 (sysfs name trimmed)" "$e"

# RUST_LOG as env_logger: defaults gpio info, the others error; target
# directives per device crate; off
rl() {  # rl LOG RUST_LOG CMD...: run the daemon once with RUST_LOG (unset if "-")
	local log=$1 v=$2
	shift 2
	if [ "$v" = - ]; then
		(unset RUST_LOG; serve_once "$log" "$@")
	else
		RUST_LOG=$v serve_once "$log" "$@"
	fi
}
gp=("${ps}0" "$BIN" gpio -s "$ps" -l s1)
ip=("${ps}0" "$BIN" i2c -s "$ps" --sim lm75@0x48)
check "$(rl "$tmp/l1" - "${gp[@]}")" 0 "gpio without RUST_LOG: exit 0"
grep -q "info: listening on" "$tmp/l1" && ok "gpio logs info by default (upstream's filter_or info)" ||
	nok "gpio logs info by default (upstream's filter_or info)" "$(cat "$tmp/l1")"
grep -q "simulated chip s1, 1 line$" "$tmp/l1" && ok "gpio: '1 line', not '1 lines'" || nok "gpio: '1 line', not '1 lines'" "$(grep line "$tmp/l1")"
check "$(rl "$tmp/l2" - "${ip[@]}")" 0 "i2c without RUST_LOG: exit 0"
[ ! -s "$tmp/l2" ] && ok "i2c logs only errors by default (none here)" || nok "i2c logs only errors by default (none here)" "$(cat "$tmp/l2")"
rl "$tmp/l3" vhost_device_i2c=info "${ip[@]}" >/dev/null
grep -q "info: listening on" "$tmp/l3" && ok "RUST_LOG=vhost_device_i2c=info: i2c logs info" ||
	nok "RUST_LOG=vhost_device_i2c=info: i2c logs info" "$(cat "$tmp/l3")"
rl "$tmp/l4" vhost_device_gpio=debug "${ip[@]}" >/dev/null
[ ! -s "$tmp/l4" ] && ok "RUST_LOG=vhost_device_gpio=debug leaves i2c at errors" ||
	nok "RUST_LOG=vhost_device_gpio=debug leaves i2c at errors" "$(cat "$tmp/l4")"
rl "$tmp/l5" "info,vhost_device_gpio=debug" "${gp[@]}" >/dev/null
grep -q "debug:" "$tmp/l5" && ok "RUST_LOG=info,vhost_device_gpio=debug: gpio logs debug" ||
	nok "RUST_LOG=info,vhost_device_gpio=debug: gpio logs debug" "$(head -3 "$tmp/l5")"
rl "$tmp/l6" off "${gp[@]}" >/dev/null
[ ! -s "$tmp/l6" ] && ok "RUST_LOG=off: gpio logs nothing" || nok "RUST_LOG=off: gpio logs nothing" "$(cat "$tmp/l6")"
e=$(RUST_LOG=error "$BIN" gpio -s "$tmp/no/such/dir/g" -l s1 2>&1); rc=$?
check "$rc" 1 "gpio on a socket path that cannot exist: exit 1"
grep -q "error: cannot listen on" <<<"$e" && ok "RUST_LOG=error: the error is logged" || nok "RUST_LOG=error: the error is logged" "$e"
e=$(RUST_LOG=off "$BIN" gpio -s "$tmp/no/such/dir/g" -l s1 2>&1)
[ -z "$e" ] && ok "RUST_LOG=off: not even the error is logged (env_logger's off)" ||
	nok "RUST_LOG=off: not even the error is logged (env_logger's off)" "$e"
rl "$tmp/l7" WARN "${gp[@]}" >/dev/null
[ ! -s "$tmp/l7" ] && ok "RUST_LOG=WARN: no info lines" || nok "RUST_LOG=WARN: no info lines" "$(cat "$tmp/l7")"
rl "$tmp/l8" off "${gp[@]}" -v >/dev/null
grep -q "debug:" "$tmp/l8" && ok "-v turns debug on whatever RUST_LOG says" || nok "-v turns debug on whatever RUST_LOG says" "$(head -3 "$tmp/l8")"
rl "$tmp/l9" "vhost_device_gpio=loud" "${gp[@]}" >/dev/null
grep -q "RUST_LOG 'vhost_device_gpio=loud'" "$tmp/l9" && ok "RUST_LOG: a directive not understood is named" ||
	nok "RUST_LOG: a directive not understood is named" "$(cat "$tmp/l9")"
echo "1..$n"
exit $fail
