# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of bench_i2c (sourced by /init): the simulated models through
# the guest's own drivers and tools: rtc-ds1307 + hwclock, gpio-pca953x +
# gpioget, raw i2ctransfer messages to a 24c32 (the host decodes the
# daemon's pcap trace of them); then the host changes the simulated world
# with `vhost-device ctl` at each "ctl-step NAME" line (lm75 temperature,
# pca9555 inputs, faults at 0x50) and says so on the second serial port,
# and the guest reads again.
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

# the host's word after each step comes on ttyS1, kept open throughout
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3</dev/ttyS1
# host_step NAME: tell the host to act (console line), wait for its word
host_step() {
	say "ctl-step $1"
	if read -t 60 -r go <&3; then say "host: $go"; else say "no word from the host after $1"; fi
}

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
# the host drives other levels (i2c set inputs=...)
host_step pca
[ -n "$chip" ] && say "pca after gpioget: $(gpioget --numeric -c $chip 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 2>&1)"

# lm75 at 0x48: its hwmon temperature before and after the host sets it
echo lm75 0x48 > /sys/bus/i2c/devices/i2c-$bus/new_device
wait_path /sys/bus/i2c/devices/$bus-0048/hwmon 50
hw=$(ls -d /sys/bus/i2c/devices/$bus-0048/hwmon/hwmon* 2>/dev/null | head -1)
say "lm75 before: temp1_input=$(cat $hw/temp1_input 2>&1)"
host_step lm75
say "lm75 after: temp1_input=$(cat $hw/temp1_input 2>&1)"

# raw messages to the 24c32 at 0x50 (no driver bound): a write of a
# two-byte address and four bytes, then address + read of four
say "i2ctransfer write: $(i2ctransfer -y $bus w6@0x50 0x01 0x20 0x76 0x64 0x65 0x76 2>&1; echo rc=$?)"
say "i2ctransfer read: $(i2ctransfer -y $bus w2@0x50 0x01 0x20 r4 2>&1)"

# faults at 0x50 (no driver bound): i2cget (write the register byte, read
# one: one transaction) fails while the host's fault holds, and works again
get50() { i2cget -y $bus 0x50 0x00 >/tmp/get.out 2>&1; echo "rc=$? $(cat /tmp/get.out)"; }
say "fault none: i2cget $(get50)"
host_step nak
say "fault nak 1: i2cget $(get50)"
say "fault nak 2: i2cget $(get50)"
host_step heal
say "fault healed: i2cget $(get50)"
host_step count
say "fault count 1: i2cget $(get50)"
say "fault count 2: i2cget $(get50)"
dmesg | grep -iE 'ds1307|rtc|pca95|i2c' | grep -v 'i2c-dev\|i2c_dev' | sed 's/^/@@ dmesg: /'
