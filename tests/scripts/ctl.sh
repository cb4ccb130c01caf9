#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# The control socket from the shell: --control on a real daemon, the
# `vhost-device ctl` applet (words to request, output, exit status), and
# every command a daemon serves documented in man/vhost-device-ctl.1.
set -u
BIN=${VHOST_DEVICE_BIN:-./vhost-device}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
n=0 fail=0
ok()   { n=$((n + 1)); echo "ok $n - $1"; }
nok()  { n=$((n + 1)); fail=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '    %s\n' "$2"; }
check() { if [ "$1" = "$2" ]; then ok "$3"; else nok "$3" "expected '$2', got '$1'"; fi; }
has()  { if grep -qF -- "$2" <<<"$1"; then ok "$3"; else nok "$3" "no '$2' in: $1"; fi; }

# wait (bounded) for the daemon's control socket: path log pid
ready() {
	for _ in $(seq 100); do
		grep -q "control socket on" "$2" && [ -S "$1" ] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

ctl="$tmp/g.ctl"
"$BIN" gpio -s "$tmp/g" -c 2 -l s8:s4 --control "$ctl" ${VHOST_DEVICE_ARGS:-} 2>"$tmp/log" & pid=$!
if ready "$ctl" "$tmp/log" "$pid"; then ok "gpio with --control: the control socket listens"; else
	nok "gpio with --control: the control socket listens" "$(cat "$tmp/log")"; fi
check "$(stat -c %a "$ctl")" 600 "the control socket is owner-only (0600)"

out=$("$BIN" ctl "$ctl" list); rc=$?
check "$rc" 0 "ctl list: exit 0"
has "$out" "\"path\":\"$tmp/g1\"" "ctl list names every socket"
has "$out" '"connected":false' "ctl list: no guest connected"
out=$("$BIN" ctl "$ctl" stats); check "$?" 0 "ctl stats: exit 0"
has "$out" '"requests":0' "ctl stats: the request counters"
out=$("$BIN" ctl -r "$ctl" stats); check "$?" 0 "ctl -r stats: exit 0"
has "$out" '{"id":1,"return":{' "ctl -r prints the whole reply"

err=$("$BIN" ctl "$ctl" no such 2>&1); rc=$?
check "$rc" 1 "an unknown command: exit 1"
has "$err" "CommandNotFound: unknown command 'no.such'" "the words become the command, named in the error"
err=$("$BIN" ctl "$ctl" list bogus=1 2>&1); rc=$?
check "$rc" 1 "an unknown argument: exit 1"
has "$err" "unknown argument 'bogus'" "the unknown argument is named"
err=$("$BIN" ctl "$ctl" watch on=maybe 2>&1); rc=$?
check "$rc" 1 "a bad value: exit 1"
has "$err" 'on "maybe"' "the bad value is named"
err=$("$BIN" ctl "$ctl" list a=1 b 2>&1); rc=$?
check "$rc" 2 "a word after the arguments: exit 2"
has "$err" "'b'" "the stray word is named"
err=$("$BIN" ctl "$ctl" 2>&1); check "$?" 2 "no command: usage, exit 2"
err=$("$BIN" ctl "$tmp/none.ctl" list 2>&1); rc=$?
check "$rc" 2 "no such socket: exit 2"
has "$err" "$tmp/none.ctl" "the socket path is named"
err=$("$BIN" ctl -t x "$ctl" list 2>&1); rc=$?
check "$rc" 2 "-t x: exit 2"
has "$err" "'x'" "the bad timeout is named"
out=$("$BIN" ctl --help); check "$?" 0 "ctl --help: exit 0"
has "$out" "Usage: vhost-device ctl" "ctl --help: usage"
wide=$(awk 'length > 80' <<<"$out")
check "$wide" "" "ctl --help: no line over 80 columns"
ver=$("$BIN" --version | head -n 1 | sed 's/^vhost-device //')
check "$("$BIN" ctl --version)" "vhost-device-ctl $ver" "ctl --version: the project's version"
check "$("$BIN" ctl -V)" "vhost-device-ctl $ver" "ctl -V: the same"
out=$("$BIN" ctl -V "$ctl" list); check "$?" 0 "ctl -V before PATH: the version, exit 0"
check "$out" "vhost-device-ctl $ver" "ctl -V before PATH: nothing sent"
ln -s "$BIN" "$tmp/vhost-device-ctl"
out=$("$tmp/vhost-device-ctl" "$ctl" list); check "$?" 0 "vhost-device-ctl (a link) runs the applet"
check "$("$tmp/vhost-device-ctl" --version)" "vhost-device-ctl $ver" "vhost-device-ctl --version (a link)"
has "$out" '"device":"gpio"' "the link's reply"

# trace stop/start without --trace: an error naming the reason
err=$("$BIN" ctl "$ctl" trace stop 2>&1); rc=$?
check "$rc" 1 "ctl trace stop without --trace: exit 1"
has "$err" "Failed: no trace: the daemon was started without --trace FILE" "ctl trace stop without --trace: the reason"
err=$("$BIN" ctl "$ctl" trace start 2>&1); check "$?" 1 "ctl trace start without --trace: exit 1"
out=$("$BIN" ctl "$ctl" trace); check "$?" 0 "ctl trace without --trace: exit 0"
has "$out" '"tracing":false,"file":null,"format":null' "ctl trace without --trace: no file"

# every command this daemon serves is in the man page
cmds=$("$BIN" ctl "$ctl" help | grep -oE '"name":"[a-z.]+"' | cut -d'"' -f4)
[ -n "$cmds" ] && ok "help lists commands" || nok "help lists commands"
for c in $cmds; do
	grep -q "^\.B[IR]* *\"\?$c\b" "$TOP/man/vhost-device-ctl.1" && ok "man/vhost-device-ctl.1 documents $c" ||
		nok "man/vhost-device-ctl.1 documents $c"
done

# watch streams until the daemon ends; then exit 0
"$BIN" ctl "$ctl" watch >"$tmp/watch" 2>&1 & wpid=$!
for _ in $(seq 100); do
	"$BIN" ctl "$ctl" list | grep -q '"clients":2' && break
	sleep 0.1
done
kill -TERM "$pid"; wait "$pid"; rc=$?
check "$rc" 0 "the daemon with --control: SIGTERM, exit 0"
[ ! -e "$ctl" ] && ok "the control socket file is removed at exit" || nok "the control socket file is removed at exit"
wait "$wpid"; check "$?" 0 "ctl watch ends with exit 0 when the daemon goes"

# trace stop / trace start on a daemon with --trace: the words map to
# trace.stop and trace.start, the state follows, the file stays
tctl="$tmp/t.ctl"
"$BIN" gpio -s "$tmp/t" -l s4 --trace "$tmp/t.vcd" --control "$tctl" ${VHOST_DEVICE_ARGS:-} 2>"$tmp/tlog" & tpid=$!
if ready "$tctl" "$tmp/tlog" "$tpid"; then ok "gpio with --trace and --control listens"; else
	nok "gpio with --trace and --control listens" "$(cat "$tmp/tlog")"; fi
out=$("$BIN" ctl "$tctl" trace); check "$?" 0 "ctl trace: exit 0"
has "$out" "{\"tracing\":true,\"file\":\"$tmp/t.vcd\",\"format\":\"vcd\",\"records\":0," "ctl trace: recording, the file, the format"
out=$("$BIN" ctl "$tctl" trace stop); check "$?" 0 "ctl trace stop: exit 0"
has "$out" '"tracing":false' "ctl trace stop: stopped"
has "$("$BIN" ctl "$tctl" list)" '"trace":{"tracing":false' "ctl list shows the trace stopped"
out=$("$BIN" ctl "$tctl" trace stop); check "$?" 0 "ctl trace stop again: exit 0, no change"
out=$("$BIN" ctl "$tctl" trace start); check "$?" 0 "ctl trace start: exit 0"
has "$out" '"tracing":true' "ctl trace start: recording"
# README's system call counts (Security): a simulated device, and one with --trace
sandbox_off=; case " ${VHOST_DEVICE_ARGS:-} " in *" --sandbox=off "*) sandbox_off=1 ;; esac
calls() { grep -oE 'sandbox: on: [0-9]+ system calls' "$1" | grep -oE '[0-9]+'; }
if [ -n "$sandbox_off" ]; then
	has "$(cat "$tmp/log" "$tmp/tlog")" "sandbox: off" "--sandbox=off: no system call count to compare with README"
else
	plain=$(grep -oE '[0-9]+ for simulated devices' "$TOP/README.md" | cut -d' ' -f1)
	traced=$(grep -oE '[0-9]+ for a simulated device,' "$TOP/README.md" | cut -d' ' -f1)
	check "$(( $(calls "$tmp/tlog") - $(calls "$tmp/log") ))" "$((traced - plain))" \
		"README: what --trace adds to the system calls is what the daemon adds"
	if grep -q '__gcov_' "$BIN"; then
		# make coverage: gcov writes its counts at exit, which takes
		# the file system calls too
		ok "README's counts are for a build without coverage (the difference is checked)"
	else
		check "$(calls "$tmp/log")" "$plain" \
			"README's system call count for a simulated device is the daemon's"
		check "$(calls "$tmp/tlog")" "$traced" \
			"README's system call count with --trace is the daemon's"
	fi
fi
kill -TERM "$tpid"; wait "$tpid"; check "$?" 0 "the daemon with --trace: SIGTERM, exit 0"
check "$(grep -c '^\$enddefinitions' "$tmp/t.vcd")" 1 "the VCD has its definitions once"
check "$(grep -c '^\$dumpoff' "$tmp/t.vcd") $(grep -c '^\$dumpon' "$tmp/t.vcd")" "1 1" \
	"the VCD marks the stop and the start once each"

# --control's own errors
err=$("$BIN" gpio -s "$tmp/g" -l s1 --control '' 2>&1); check "$?" 1 "--control '': exit 1"
has "$err" "--control must not be empty" "--control '': the reason"
touch "$tmp/plain"
err=$("$BIN" gpio -s "$tmp/g" -l s1 --control "$tmp/plain" ${VHOST_DEVICE_ARGS:-} 2>&1); rc=$?
check "$rc" 1 "--control on a file that is not a socket: exit 1"
has "$err" "--control '$tmp/plain'" "the path is named"
[ -f "$tmp/plain" ] && ok "the file is left alone" || nok "the file is left alone"

# spi: its commands are documented, and the words reach them
sctl="$tmp/s.ctl"
RUST_LOG=info "$BIN" spi -s "$tmp/s" --sim loopback --sim flash --sim mcp3008 --control "$sctl" \
	${VHOST_DEVICE_ARGS:-} 2>"$tmp/slog" & spid=$!
if ready "$sctl" "$tmp/slog" "$spid"; then ok "spi with --control: the control socket listens"; else
	nok "spi with --control: the control socket listens" "$(cat "$tmp/slog")"; fi
cmds=$("$BIN" ctl "$sctl" help | grep -oE '"name":"spi[a-z.]+"' | cut -d'"' -f4)
check "$(echo $cmds)" "spi.dump spi.load spi.fail spi.set" "spi serves spi.dump, spi.load, spi.fail, spi.set"
for c in $cmds; do
	grep -q "^\.B[IR]* *\"\?$c\b" "$TOP/man/vhost-device-ctl.1" && ok "man/vhost-device-ctl.1 documents $c" ||
		nok "man/vhost-device-ctl.1 documents $c"
	grep -q "^\.B[IR]* *\"\?${c/./ }\b" "$TOP/man/vhost-device-spi.1" && ok "man/vhost-device-spi.1 documents $c" ||
		nok "man/vhost-device-spi.1 documents $c"
done
out=$("$BIN" ctl "$sctl" spi load cs=1 offset=0x100 data:='"1234"'); check "$?" 0 "ctl spi load: exit 0"
out=$("$BIN" ctl "$sctl" spi dump cs=1 offset=256 length=3)
check "$out" '{"cs":1,"offset":256,"length":3,"data":"1234ff"}' "ctl spi dump reads what spi load wrote"
err=$("$BIN" ctl "$sctl" spi set cs=2 channel=3 value=1024 2>&1); rc=$?
check "$rc" 1 "ctl spi set value=1024: exit 1"
has "$err" "InvalidArgument: value 1024: out of range 0..1023" "the bad value is named"
kill -TERM "$spid"; wait "$spid"; check "$?" 0 "the spi daemon with --control: SIGTERM, exit 0"

# scmi: its commands from the shell, and documented
mctl="$tmp/scmi.ctl"
RUST_LOG=info "$BIN" scmi -s "$tmp/scmi.sock" --control "$mctl" -d sim,name=cpu,type=temperature,value=45 \
	${VHOST_DEVICE_ARGS:-} 2>"$tmp/mlog" & mpid=$!
if ready "$mctl" "$tmp/mlog" "$mpid"; then ok "scmi with --control: the control socket listens"; else
	nok "scmi with --control: the control socket listens" "$(cat "$tmp/mlog")"; fi
out=$("$BIN" ctl "$mctl" scmi set name=cpu value=95.5); rc=$?
check "$rc" 0 "ctl scmi set: exit 0"
check "$out" '{"sensor":0,"name":"cpu","type":"sim","value":95.5}' "ctl scmi set: the new reading"
out=$("$BIN" ctl "$mctl" scmi get sensor=0); rc=$?
check "$out" '{"sensor":0,"name":"cpu","type":"sim","value":95.5}' "ctl scmi get: what was set"
err=$("$BIN" ctl "$mctl" scmi set name=cpu value=hot 2>&1); rc=$?
check "$rc" 1 "ctl scmi set value=hot: exit 1"
has "$err" 'value "hot"' "ctl scmi set value=hot: the value is named"
cmds=$("$BIN" ctl "$mctl" help | grep -oE '"name":"scmi\.[a-z.]+"' | cut -d'"' -f4)
[ -n "$cmds" ] && ok "scmi: help lists scmi commands" || nok "scmi: help lists scmi commands"
for c in $cmds; do
	grep -q "^\.B[IR]* *\"\?$c\b" "$TOP/man/vhost-device-ctl.1" && ok "man/vhost-device-ctl.1 documents $c" ||
		nok "man/vhost-device-ctl.1 documents $c"
	grep -q "^\.B[IR]* *\"\?$c\b" "$TOP/man/vhost-device-scmi.1" && ok "man/vhost-device-scmi.1 documents $c" ||
		nok "man/vhost-device-scmi.1 documents $c"
done
kill -TERM "$mpid"; wait "$mpid"; check "$?" 0 "scmi with --control: SIGTERM, exit 0"

echo "1..$n"
exit $fail
