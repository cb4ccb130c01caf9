# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the reconnect scenario (sourced by /init): use the I2C
# devices, tell the host (console line) to kill and restart the daemon,
# wait for its "go" on the second serial port, use them again.
bus=""
for i in $(seq 1 20); do
	for a in /sys/bus/i2c/devices/i2c-*; do
		[ -e "$a/name" ] || continue
		case $(cat $a/name) in *virtio*) bus=${a##*/i2c-};; esac
	done
	[ -n "$bus" ] && break
	sleep 0.5
done
[ -n "$bus" ] || { say "i2c no virtio adapter"; return 0; }
echo 24c02 0x50 > /sys/bus/i2c/devices/i2c-$bus/new_device
echo lm75 0x48 > /sys/bus/i2c/devices/i2c-$bus/new_device
ee=/sys/bus/i2c/devices/$bus-0050/eeprom
wait_path $ee 50
hw=$(ls -d /sys/bus/i2c/devices/$bus-0048/hwmon/hwmon* 2>/dev/null | head -1)
say "before temp1_input=$(cat $hw/temp1_input 2>&1)"
printf 'before-kill' | dd of=$ee bs=1 seek=0 conv=notrunc 2>/dev/null
say "before eeprom=$(dd if=$ee bs=1 count=11 2>/dev/null)"
stty -F /dev/ttyS1 raw -echo 2>/dev/null
say "ready-for-kill"
if read -t 120 -r go < /dev/ttyS1; then say "host says: $go"; else say "no word from the host"; fi
say "after temp1_input=$(cat $hw/temp1_input 2>&1)"
printf 'after-restart' | dd of=$ee bs=1 seek=32 conv=notrunc 2>/tmp/dd.err || say "after eeprom write failed: $(cat /tmp/dd.err)"
say "after eeprom=$(dd if=$ee bs=1 count=11 2>/dev/null)/$(dd if=$ee bs=1 skip=32 count=13 2>/dev/null)"
say "after i2cdetect: $(i2cdetect -y -r $bus 0x40 0x4f 2>&1 | awk 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "--") printf "%s ", $i }')"
