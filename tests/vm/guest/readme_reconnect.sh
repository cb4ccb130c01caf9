# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of readme_reconnect (sourced by /init): accel0's z axis
# through scmi_iio, then, once the host has restarted the daemon and typed
# "go" on the console, the same reading again.
dev=""
for i in $(seq 1 50); do
	for d in /sys/bus/iio/devices/iio:device*; do
		[ "$(cat $d/name 2>/dev/null)" = accel0 ] && dev=$d
	done
	[ -n "$dev" ] && break
	sleep 0.2
done
[ -n "$dev" ] || { say "no accel0 iio device"; return 0; }
say "before accel0 z=$(cat $dev/in_accel_z_raw 2>&1)"
say "ready-for-restart"
read -r go
say "host says: $go"
say "after accel0 z=$(cat $dev/in_accel_z_raw 2>&1)"
say "after again accel0 z=$(cat $dev/in_accel_z_raw 2>&1)"
