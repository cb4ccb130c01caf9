# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the SCMI reconnect scenario (sourced by /init): read the
# hwmon fixture's temperature through scmi-hwmon, tell the host (console
# line) to kill and restart the daemon, then read again: the restarted
# daemon serves a different value. A request made while the daemon is down
# waits in the ring until QEMU has reconnected.
wait_path /sys/bus/scmi_protocol/devices 50
hw=""
for i in $(seq 1 40); do
	for h in /sys/class/hwmon/hwmon*; do
		[ "$(cat $h/name 2>/dev/null)" = scmi_sensors ] && hw=$h
	done
	[ -n "$hw" ] && break
	sleep 0.25
done
[ -n "$hw" ] || { say "no scmi_sensors hwmon device"; return 0; }
t=$(grep -l '^board$' $hw/temp*_label 2>/dev/null | head -1)
t=${t%_label}_input
say "before temp=$(cat $t 2>&1)"
say "ready-for-kill"
# The host kills and restarts the daemon as soon as it sees that line.
sleep ${RECONNECT_WAIT:-6}
say "after temp=$(cat $t 2>&1)"
say "after again temp=$(cat $t 2>&1)"
dmesg | grep -i scmi | tail -5 | sed 's/^/@@ dmesg: /'
