# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of bench_i2c (sourced by /init): the simulated models through
# the guest's own drivers and tools: rtc-ds1307 + hwclock, gpio-pca953x +
# gpioget, raw i2ctransfer messages to a 24c32 (the host decodes the
# daemon's pcap trace of them).
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
wait_path /dev/i2c-$bus 50

# ds1307 at 0x68: the rtc class device the driver registers, hwclock on it
echo ds1307 0x68 > /sys/bus/i2c/devices/i2c-$bus/new_device
wait_path /sys/bus/i2c/devices/$bus-0068/rtc 50
rtc=$(ls /sys/bus/i2c/devices/$bus-0068/rtc 2>/dev/null | head -1)
if [ -n "$rtc" ]; then
	wait_path /dev/$rtc 50
	say "rtc $rtc name=$(cat /sys/class/rtc/$rtc/name) since_epoch=$(cat /sys/class/rtc/$rtc/since_epoch 2>&1)"
	say "hwclock: $(hwclock -r -u -f /dev/$rtc 2>&1)"
else
	say "rtc none: $(dmesg | grep -i ds1307 | tail -3)"
fi

# pca9555 at 0x20: gpio-pca953x makes it a 16-line gpiochip
echo pca9555 0x20 > /sys/bus/i2c/devices/i2c-$bus/new_device
chip=""
for i in $(seq 1 20); do
	chip=$(gpiodetect 2>/dev/null | awk '/\(16 lines\)/ { print $1; exit }')
	[ -n "$chip" ] && break
	sleep 0.5
done
say "pca gpiodetect: $(gpiodetect 2>&1 | grep -F "$chip ")"
[ -n "$chip" ] && say "pca gpioget: $(gpioget --numeric -c $chip 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 2>&1)"

# raw messages to the 24c32 at 0x50 (no driver bound): a write of a
# two-byte address and four bytes, then address + read of four
say "i2ctransfer write: $(i2ctransfer -y $bus w6@0x50 0x01 0x20 0x76 0x64 0x65 0x76 2>&1; echo rc=$?)"
say "i2ctransfer read: $(i2ctransfer -y $bus w2@0x50 0x01 0x20 r4 2>&1)"
dmesg | grep -iE 'ds1307|rtc|pca95|i2c' | grep -v 'i2c-dev\|i2c_dev' | sed 's/^/@@ dmesg: /'
