# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the SPI scenario (sourced by /init): the virtio-spi
# controller's device-tree children: spidev on the loopback chip select 0
# (spitool loop), spi-nor on the simulated flash at chip select 1 (mtd
# erase / write / read-back through /dev/mtd0) and, in the spi scenario,
# mcp320x on the mcp3008 at chip select 2, driven by the host through
# vhost-device ctl (the end of this file).
for i in $(seq 1 40); do
	ls /sys/class/spidev/* >/dev/null 2>&1 && [ -e /sys/class/mtd/mtd0 ] && break
	sleep 0.25
done
for d in /sys/bus/spi/devices/*; do
	[ -e "$d" ] || continue
	drv=none; [ -e "$d/driver" ] && drv=$(basename "$(readlink $d/driver)")
	say "spi-dev $(basename $d) modalias=$(cat $d/modalias) driver=$drv"
done
dmesg | grep -iE 'spi|mtd' | sed 's/^/@@ dmesg: /'
sd=$(ls /sys/class/spidev 2>/dev/null | head -1)
if [ -n "$sd" ]; then
	wait_path /dev/$sd 20
	spitool loop /dev/$sd 2>&1 | sed 's/^/@@ /'
else
	say "no spidev device"
fi
for d in /sys/bus/spi/devices/*; do
	[ -e "$d/spi-nor/jedec_id" ] || continue
	say "spi-nor $(basename $d) jedec_id=$(cat $d/spi-nor/jedec_id) partname=$(cat $d/spi-nor/partname 2>/dev/null) manufacturer=$(cat $d/spi-nor/manufacturer 2>/dev/null)"
done
if [ -e /sys/class/mtd/mtd0 ]; then
	m=/sys/class/mtd/mtd0
	say "mtd0 name=$(cat $m/name) type=$(cat $m/type) size=$(cat $m/size) erasesize=$(cat $m/erasesize) writesize=$(cat $m/writesize)"
	wait_path /dev/mtd0 20
	spitool mtdinfo /dev/mtd0 2>&1 | sed 's/^/@@ /'
	# Sector 0x10000: erase, check it reads as ff, program a text, read back.
	spitool erase /dev/mtd0 0x10000 0x1000 2>&1 | sed 's/^/@@ /'
	say "mtd erased: $(dd if=/dev/mtd0 bs=4096 skip=16 count=1 2>/dev/null | hexdump -v -e '1/1 "%02x"' | sed 's/ff//g' | wc -c) non-ff hex digits"
	printf 'spi-nor over vhost-device spi: programmed by the guest' > /tmp/pat
	dd if=/tmp/pat of=/dev/mtd0 bs=4096 seek=16 conv=notrunc 2>/tmp/dd.err || say "mtd write failed: $(cat /tmp/dd.err)"
	say "mtd readback: $(dd if=/dev/mtd0 bs=4096 skip=16 count=1 2>/dev/null | head -c $(wc -c < /tmp/pat))"
	say "mtd md5 $(dd if=/dev/mtd0 bs=4096 skip=16 count=1 2>/dev/null | head -c $(wc -c < /tmp/pat) | md5sum | cut -d' ' -f1) want $(md5sum < /tmp/pat | cut -d' ' -f1)"
else
	say "no mtd device: $(dmesg | grep -i spi-nor | tail -2)"
fi
# Chip select 2, when the device tree has it (the spi scenario): the
# mcp3008 through the mcp320x IIO driver.  The host changes the chip from
# outside (vhost-device ctl) once it sees "adc-ready", and signals that it
# is done by setting channel 7 to 1023 last, so the guest's readings after
# that sign are the host's values.
adc=""
if ls -d /sys/bus/spi/devices/spi*.2 >/dev/null 2>&1; then
	for i in $(seq 1 40); do
		for d in /sys/bus/iio/devices/iio:device*; do
			[ "$(cat $d/name 2>/dev/null)" = mcp3008 ] && adc=$d
		done
		[ -n "$adc" ] && break
		sleep 0.25
	done
	[ -n "$adc" ] || say "no mcp3008 iio device: $(dmesg | grep -iE 'mcp3|spi.*\.2' | tail -3)"
fi
# wait_adc CHANNEL VALUE: until the channel reads VALUE (at most 300
# readings); says what it read last if it never did
wait_adc() {
	n=0
	while v=$(cat $adc/in_voltage$1_raw 2>&1) && [ "$v" != "$2" ] && [ $n -lt 300 ]; do
		sleep 0.1; n=$((n + 1))
	done
	[ "$v" = "$2" ] || say "adc: channel $1 still reads '$v' after $n readings"
}
if [ -n "$adc" ]; then
	say "adc $(basename $adc) name=$(cat $adc/name) before: ch0=$(cat $adc/in_voltage0_raw) ch1=$(cat $adc/in_voltage1_raw) ch7=$(cat $adc/in_voltage7_raw)"
	say "adc-ready"
	wait_adc 7 1023
	say "adc after: ch0=$(cat $adc/in_voltage0_raw) ch7=$(cat $adc/in_voltage7_raw)"
	# A transfer failure injected by the host on chip select 0 (spidev):
	# its sign is channel 6 at 1023.  The first message fails, the next
	# one goes through.
	if [ -n "$sd" ]; then
		say "fault-ready"
		wait_adc 6 1023
		spitool loop /dev/$sd 2>&1 | sed 's/^/@@ fault1 /'
		spitool loop /dev/$sd 2>&1 | sed 's/^/@@ fault2 /'
	fi
fi
