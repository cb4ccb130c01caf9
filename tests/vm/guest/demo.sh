# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of make demo-vm (sourced by /init): print what the guest
# sees of every attached vhost-device daemon.
echo; echo "===== inside the guest: $(uname -sr) on $(uname -m) ====="
sleep 0.5
gpiodetect 2>/dev/null | grep -i virtio | while read -r chip rest; do
	echo "--- GPIO: $chip $rest (gpioinfo) ---"
	gpioinfo -c "$chip" 2>&1 | head -12
done
bus=""
for a in /sys/bus/i2c/devices/i2c-*; do
	[ -e "$a/name" ] || continue
	case $(cat $a/name) in *virtio*) bus=${a##*/i2c-};; esac
done
if [ -n "$bus" ]; then
	echo "--- I2C: adapter i2c-$bus ($(cat /sys/bus/i2c/devices/i2c-$bus/name)), i2cdetect ---"
	i2cdetect -y "$bus"
	echo 24c02 0x50 > /sys/bus/i2c/devices/i2c-$bus/new_device
	echo lm75 0x48 > /sys/bus/i2c/devices/i2c-$bus/new_device
	wait_path /sys/bus/i2c/devices/$bus-0050/eeprom 50
	echo "--- I2C: 24c02 EEPROM at 0x50 (at24 driver), first 64 bytes ---"
	dd if=/sys/bus/i2c/devices/$bus-0050/eeprom bs=64 count=1 2>/dev/null | hexdump -C
	for h in /sys/bus/i2c/devices/$bus-0048/hwmon/hwmon*; do
		[ -e $h/temp1_input ] && echo "--- I2C: lm75 at 0x48 (lm75 driver): temp1_input = $(cat $h/temp1_input) m°C"
	done
fi
if [ -d /sys/bus/scmi_protocol/devices ]; then
	echo "--- SCMI: $(dmesg | grep -o "SCMI Protocol v.*" | head -1)"
	for h in /sys/class/hwmon/hwmon*; do
		[ "$(cat $h/name 2>/dev/null)" = scmi_sensors ] || continue
		for f in $h/*_input; do b=${f%_input}; echo "    hwmon $(cat ${b}_label): $(cat $f)"; done
	done
	for i in /sys/bus/iio/devices/iio:device*; do
		[ -e "$i/name" ] || continue
		for n in 1 2 3; do
			echo "    iio $(cat $i/name): x=$(cat $i/in_accel_x_raw) y=$(cat $i/in_accel_y_raw) z=$(cat $i/in_accel_z_raw) (x $(cat $i/in_accel_x_scale) m/s^2)"
		done
	done
fi
if ls /sys/bus/spi/devices/* >/dev/null 2>&1; then
	i=0; while [ ! -e /sys/class/mtd/mtd0 ] && [ $i -lt 40 ]; do sleep 0.25; i=$((i + 1)); done
	echo "--- SPI: virtio-spi controller, chip selects ---"
	for d in /sys/bus/spi/devices/*; do
		drv=none; [ -e "$d/driver" ] && drv=$(basename "$(readlink $d/driver)")
		echo "    $(basename $d): $(cat $d/modalias), driver $drv"
	done
	for d in /sys/bus/spi/devices/*; do
		[ -e $d/spi-nor/jedec_id ] || continue
		echo "--- SPI: flash on $(basename $d) (spi-nor driver): JEDEC id $(cat $d/spi-nor/jedec_id), part $(cat $d/spi-nor/partname)"
	done
	[ -e /sys/class/mtd/mtd0/name ] && echo "    mtd0: $(cat /sys/class/mtd/mtd0/name), $(cat /sys/class/mtd/mtd0/size) bytes, erase block $(cat /sys/class/mtd/mtd0/erasesize)"
	sd=$(ls /sys/class/spidev 2>/dev/null | head -1)
	if [ -n "$sd" ] && command -v spitool >/dev/null; then
		echo "--- SPI: loopback through /dev/$sd (spidev) ---"
		spitool loop /dev/$sd | sed 's/^loop: /    /'
	fi
fi
echo "===== guest powering off ====="
