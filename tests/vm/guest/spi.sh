# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the SPI scenario (sourced by /init): the virtio-spi
# controller's two device-tree children: spidev on the loopback chip
# select 0 (spitool loop), spi-nor on the simulated flash at chip select 1
# (mtd erase / write / read-back through /dev/mtd0).
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
