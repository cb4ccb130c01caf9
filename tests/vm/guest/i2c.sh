# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the I2C scenario (sourced by /init): the virtio-i2c adapter
# seen through i2cdetect, the at24 EEPROM driver and the lm75 hwmon driver.
bus=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	for a in /sys/bus/i2c/devices/i2c-*; do
		[ -e "$a/name" ] || continue
		case $(cat $a/name) in *virtio*) bus=${a##*/i2c-};; esac
	done
	[ -n "$bus" ] && break
	sleep 0.5
done
[ -n "$bus" ] || { say "i2c no virtio adapter"; return 0; }
say "i2c adapter i2c-$bus name=$(cat /sys/bus/i2c/devices/i2c-$bus/name)"
wait_path /dev/i2c-$bus 50
# i2cdetect's table -> the list of addresses that answered.
found=$(i2cdetect -y "$bus" 2>&1 | tee /tmp/detect | awk 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "--" && $i != "UU") printf "%s ", $i }')
sed 's/^/@@ i2cdetect-table: /' /tmp/detect
say "i2cdetect found: $found"
say "i2cget 0x48 reg0: $(i2cget -y $bus 0x48 0 w 2>&1)"

echo 24c02 0x50 > /sys/bus/i2c/devices/i2c-$bus/new_device
echo lm75 0x48 > /sys/bus/i2c/devices/i2c-$bus/new_device
ee=/sys/bus/i2c/devices/$bus-0050/eeprom
wait_path $ee 50 || say "eeprom missing: $(dmesg | grep -i at24 | tail -3)"
say "eeprom before: $(dd if=$ee bs=1 count=16 2>/dev/null | hexdump -v -e '16/1 "%02x"')"
printf 'vhost-device i2c via at24!' | dd of=$ee bs=1 seek=16 conv=notrunc 2>/tmp/dd.err || say "eeprom write failed: $(cat /tmp/dd.err)"
say "eeprom readback: $(dd if=$ee bs=1 skip=16 count=26 2>/dev/null)"
say "eeprom size=$(stat -c %s $ee)"
for h in /sys/bus/i2c/devices/$bus-0048/hwmon/hwmon*; do
	[ -e "$h/temp1_input" ] && say "lm75 name=$(cat $h/name) temp1_input=$(cat $h/temp1_input)"
done
dmesg | grep -iE 'i2c|at24|lm75' | grep -v 'i2c-dev\|i2c_dev' | sed 's/^/@@ dmesg: /'
