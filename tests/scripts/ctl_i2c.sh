#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# vhost-device-i2c's control commands from the shell: the `vhost-device
# ctl` words of man vhost-device-i2c (0x addresses, i2c set/dump/load/
# fault), their errors and exit status, and every i2c command the daemon
# serves documented in man/vhost-device-ctl.1 and man/vhost-device-i2c.1.
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

ctl="$tmp/i.ctl"
"$BIN" i2c -s "$tmp/i" --sim 24c02@0x50 --sim lm75@0x48 --sim pca9555@0x20 --sim ds1307@0x68 \
	--control "$ctl" ${VHOST_DEVICE_ARGS:-} 2>"$tmp/log" & pid=$!
# until it answers (bound before it listens: a refused connection is retried)
up=0
for _ in $(seq 100); do
	"$BIN" ctl "$ctl" list >/dev/null 2>&1 && { up=1; break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ $up = 1 ]; then ok "i2c with --control: the control socket listens"; else
	nok "i2c with --control: the control socket listens" "$(cat "$tmp/log")"; fi
C() { "$BIN" ctl "$ctl" "$@"; }

out=$(C i2c set addr=0x48 temp=85.5); check "$?" 0 "ctl i2c set addr=0x48 temp=85.5: exit 0"
check "$out" '{"addr":72,"model":"lm75","temp":85.5}' "the reply shows the lm75's new temperature"
err=$(C i2c set addr=0x48 temp=85.3 2>&1); check "$?" 1 "temp=85.3: exit 1"
check "$err" "vhost-device ctl: InvalidArgument: temp 85.3: the lm75 resolves 0.5 degrees C" "the value is named, with the resolution"
out=$(C i2c set addr=0x20 inputs=0x00f0 mask=0x00ff); check "$?" 0 "ctl i2c set addr=0x20 inputs=0x00f0 mask=0x00ff: exit 0"
has "$out" '"inputs":65520' "only the masked pins change"
out=$(C i2c load addr=0x50 offset=0x10 data=cafe); check "$?" 0 "ctl i2c load: exit 0"
out=$(C i2c dump addr=0x50 offset=0x10 length=2); check "$?" 0 "ctl i2c dump: exit 0"
check "$out" '{"addr":80,"model":"24c02","offset":16,"length":2,"data":"cafe"}' "dump reads back what load wrote"
out=$(C i2c load addr=0x50 offset=0x20 data:='"1234"'); check "$?" 0 "ctl i2c load data:='\"1234\"' (digits only, quoted): exit 0"
out=$(C i2c dump addr=0x50 offset=0x20 length=2); has "$out" '"data":"1234"' "the quoted digits were loaded as hex"
err=$(C i2c load addr=0x50 data=1234 2>&1); check "$?" 1 "data=1234 (a number): exit 1"
has "$err" "data 1234: expected an even number of hex digits" "the unquoted number is named"
out=$(C i2c fault addr=0x50 mode=nak count=3); check "$?" 0 "ctl i2c fault mode=nak count=3: exit 0"
check "$out" '{"addr":80,"mode":"nak","left":3,"sock":null}' "the fault's reply"
out=$(C list); has "$out" '"fault":{"mode":"nak","left":3,"hits":0}' "list shows the pending fault"
out=$(C i2c fault addr=0x50 mode=none); check "$?" 0 "ctl i2c fault mode=none: exit 0"
out=$(C list); if grep -q '"fault"' <<<"$out"; then nok "cleared: list shows no fault" "$out"; else ok "cleared: list shows no fault"; fi
err=$(C i2c fault addr=0x51 mode=fail 2>&1); check "$?" 1 "a fault at an empty address: exit 1"
has "$err" "addr 0x51: no device there" "the address is named"
err=$(C i2c fault addr=0x50 mode=stuck 2>&1); check "$?" 1 "a bad mode: exit 1"
has "$err" "mode 'stuck': expected nak, fail or none" "the mode is named"

# every i2c command is in both man pages
cmds=$(C help | grep -oE '"name":"i2c\.[a-z]+"' | cut -d'"' -f4)
[ -n "$cmds" ] && ok "help lists the i2c commands" || nok "help lists the i2c commands"
for c in $cmds; do
	for page in vhost-device-ctl vhost-device-i2c; do
		grep -q "^\.B[IR]* *\"\?$c\b" "$TOP/man/$page.1" && ok "man/$page.1 documents $c" ||
			nok "man/$page.1 documents $c"
	done
done

kill -TERM "$pid"; wait "$pid"; check "$?" 0 "the daemon: SIGTERM, exit 0"
echo "1..$n"
exit $fail
