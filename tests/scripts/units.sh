#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# contrib/systemd: a template .service and .socket per device, socket
# activated, Type=notify, running the device's link; each pair passes
# `systemd-analyze verify` (with ExecStart pointed at this build).
set -u
# the copies are ours: not world-writable whatever umask the runner has
# (make coverage runs with umask 0), or systemd-analyze complains
umask 022
BIN=${VHOST_DEVICE_BIN:-./vhost-device}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
TOP=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0 bad=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '    %s\n' "$2"; }
finish() { echo "1..$n"; [ "$bad" -eq 0 ]; exit $?; }
command -v systemd-analyze >/dev/null || { nok "systemd-analyze is installed (tools/deps)"; finish; }

mkdir "$tmp/bin" "$tmp/units"
"$BIN" --install -s "$tmp/bin" || nok "vhost-device --install -s"
for d in gpio i2c spi scmi; do
	for k in service socket; do
		u=$TOP/contrib/systemd/vhost-device-$d@.$k
		[ -f "$u" ] && ok "contrib/systemd/vhost-device-$d@.$k exists" || { nok "contrib/systemd/vhost-device-$d@.$k exists"; continue; }
		sed "s|/usr/bin/|$tmp/bin/|" "$u" >"$tmp/units/vhost-device-$d@.$k"
	done
	s=$TOP/contrib/systemd/vhost-device-$d@.service
	[ -f "$s" ] || continue
	grep -qx "Type=notify" "$s" && ok "$d: Type=notify" || nok "$d: Type=notify"
	grep -qx "ExecStart=/usr/bin/vhost-device-$d \$ARGS" "$s" && ok "$d: runs vhost-device-$d without -s (socket activation)" ||
		nok "$d: runs vhost-device-$d without -s (socket activation)" "$(grep ExecStart "$s")"
	grep -qx "Requires=vhost-device-$d@%i.socket" "$s" && ok "$d: requires its socket" || nok "$d: requires its socket"
	for h in NoNewPrivileges=yes CapabilityBoundingSet= DevicePolicy=closed ProtectSystem=strict PrivateNetwork=yes \
		 RestrictAddressFamilies=AF_UNIX SystemCallFilter=@system-service MemoryDenyWriteExecute=yes; do
		grep -qx "$h" "$s" && ok "$d: $h" || nok "$d: $h"
	done
	out=$(cd "$tmp/units" && systemd-analyze verify --man=no "vhost-device-$d@.service" "vhost-device-$d@.socket" 2>&1); rc=$?
	[ "$rc" -eq 0 ] && [ -z "$out" ] && ok "$d: systemd-analyze verify passes" || nok "$d: systemd-analyze verify passes" "exit $rc: $out"
done
finish
