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
