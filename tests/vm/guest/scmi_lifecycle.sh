# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the SCMI lifecycle scenario (sourced by /init).  The host
# speaks through the hwmon fixture's temperature, read here with
# scmi-hwmon: 1000 = first boot, 1100 = "the VM was stopped and continued",
# 2000 = the boot after the host's system_reset.  The transport module is
# loaded here, after tracing of received SCMI messages is on, so every
# notification the driver ever gets is counted (scmi_rx_done, msg_type=3).
#  first:  with the IIO buffer of the fake accelerometer on (sensor enabled,
#          update notifications), notifications reach the guest before and
#          after a QMP stop/cont; then the host resets the machine while
#          the sensor is still enabled;
#  2000:   the fresh driver gets no notification it did not ask for (a
#          window of 3 update periods, 1 s each, after the probe); once it
#          enables the sensor, notifications come; the same after the
#          transport driver (scmi-virtio) is unbound and bound again with
#          the sensor enabled.
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
echo 1 > $T/events/scmi/scmi_rx_done/enable 2>/dev/null || say "no scmi_rx_done trace event"
notifications() { grep -c 'msg_type=3' $T/trace; }
insmod /lib/modules/scmi_transport_virtio.ko 2>/tmp/insmod.err || say "insmod-failed scmi_transport_virtio: $(cat /tmp/insmod.err)"
# find_scmi: $hw, $t (the fixture's temperature input) and $iio (accel0)
find_scmi() {
	wait_path /sys/bus/scmi_protocol/devices 50
	hw="" t="" iio=""
	for i in $(seq 1 80); do
		for h in /sys/class/hwmon/hwmon*; do
			[ "$(cat $h/name 2>/dev/null)" = scmi_sensors ] && hw=$h
		done
		for d in /sys/bus/iio/devices/iio:device*; do
			[ "$(cat $d/name 2>/dev/null)" = accel0 ] && iio=$d
		done
		[ -n "$hw" ] && [ -n "$iio" ] && break
		sleep 0.25
	done
	[ -n "$hw" ] && [ -n "$iio" ] || { say "no scmi_sensors hwmon or accel0 IIO device"; return 1; }
	t=$(grep -l '^board$' $hw/temp*_label 2>/dev/null | head -1)
	t=${t%_label}_input
}
find_scmi || return 0
# wait_host VALUE: until the host has set the fixture to VALUE (60 s)
wait_host() {
	i=0
	while [ "$(cat $t 2>/dev/null)" != "$1" ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
	[ "$(cat $t 2>/dev/null)" = "$1" ]
}
buffer_on() {
	for f in $iio/scan_elements/*_en; do echo 1 > $f; done
	echo 64 > $iio/buffer/length
	echo 1 > $iio/buffer/enable
}
# read_scans: bytes of one read of the IIO buffer (blocks for a sample)
read_scans() { timeout 20 dd if=/dev/${iio##*/} bs=4096 count=1 2>/dev/null | wc -c; }
phase=$(cat $t 2>&1)
say "phase $phase"
case $phase in
1000)
	buffer_on
	say "before-pause read=$(read_scans)"
	say "step stop-cont"
	wait_host 1100 || say "no word from the host"
	# whatever was parked comes first; then new notifications, one a second
	n=0
	for i in 1 2 3 4 5 6; do [ "$(read_scans)" -gt 0 ] || break; n=$((n + 1)); done
	say "after-pause reads=$n"
	say "first-boot notifications=$(notifications)"
	# the sensor stays enabled, notifications on: the host resets
	say "step reset"
	sleep 120
	say "the machine was not reset"
	;;
2000)
	sleep 3
	say "fresh notifications=$(notifications)"
	buffer_on
	say "fresh read=$(read_scans)"
	# the transport driver unbound and bound again, the sensor enabled
	dev=$(cd /sys/bus/virtio/drivers/scmi-virtio && ls -d virtio* | head -1)
	echo $dev > /sys/bus/virtio/drivers/scmi-virtio/unbind
	n0=$(notifications)
	echo $dev > /sys/bus/virtio/drivers/scmi-virtio/bind
	find_scmi || return 0
	sleep 3
	say "rebind notifications=$(($(notifications) - n0))"
	buffer_on
	say "rebind read=$(read_scans)"
	;;
esac
