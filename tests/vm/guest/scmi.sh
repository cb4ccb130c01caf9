# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the SCMI scenario (sourced by /init): what the SCMI core,
# scmi-hwmon and scmi_iio report about the virtio-scmi device.
wait_path /sys/bus/scmi_protocol/devices 50
# The SCMI core prints the base protocol version and vendor at probe.
dmesg | grep -i 'scmi' | sed 's/^/@@ dmesg: /'
# Devices on the scmi bus: one per (protocol, driver) pair.
for d in /sys/bus/scmi_protocol/devices/*; do
	[ -e "$d" ] || continue
	drv=none; [ -e "$d/driver" ] && drv=$(basename "$(readlink $d/driver)")
	say "scmi-dev $(basename $d) driver=$drv"
done
# scmi-hwmon: one hwmon device with an input per (non-accelerometer) sensor.
for h in /sys/class/hwmon/hwmon*; do
	[ -e "$h/name" ] || continue
	n=$(cat $h/name)
	for f in $h/*_input; do
		[ -e "$f" ] || continue
		b=${f%_input}
		say "hwmon $n $(basename $b) label=$(cat ${b}_label 2>/dev/null) input=$(cat $f 2>/dev/null || echo ERR)"
	done
done
# scmi_iio: one IIO device per sensor with axes.
for i in /sys/bus/iio/devices/iio:device*; do
	[ -e "$i/name" ] || continue
	vals=""
	for f in $i/in_*_raw; do
		[ -e "$f" ] || continue
		vals="$vals $(basename $f)=$(cat $f 2>/dev/null || echo ERR)"
	done
	for f in $i/in_*_scale; do
		[ -e "$f" ] || continue
		vals="$vals $(basename $f)=$(cat $f 2>/dev/null || echo ERR)"
	done
	say "iio $(cat $i/name)$vals"
done
# A sim sensor set from the host (vhost-device ctl): once the guest says
# "scmi-ready" the host sets the sensor labelled simtemp to 77.5 C and the
# fake accelerometer's X axis to 1.234 m/s^2; the guest reads them through
# scmi-hwmon and scmi_iio until they show (each a bounded number of
# readings; what it read last is said if they never do).
simf=""; accx=""
for f in /sys/class/hwmon/hwmon*/temp*_label; do
	[ "$(cat $f 2>/dev/null)" = simtemp ] && simf=${f%_label}_input
done
for i in /sys/bus/iio/devices/iio:device*; do
	[ "$(cat $i/name 2>/dev/null)" = accel0 ] && accx=$i/in_accel_x_raw
done
wait_value() {
	n=0
	while v=$(cat $1 2>&1) && [ "$v" != "$2" ] && [ $n -lt 300 ]; do
		sleep 0.1; n=$((n + 1))
	done
	[ "$v" = "$2" ] || say "sim: $1 still reads '$v' after $n readings"
}
if [ -n "$simf" ] && [ -n "$accx" ]; then
	say "scmi-ready"
	wait_value $simf 77500
	wait_value $accx 1234
	say "sim after: simtemp=$(cat $simf) accel0_x=$(cat $accx)"
fi
