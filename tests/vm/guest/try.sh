# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of `make try` (sourced by /init): a shell on the console with
# the devices' tools; leaving it powers the guest off.
cat <<'BANNER'
===== vhost-device try: an aarch64 guest with the devices attached =====
  GPIO  gpiodetect (the chip labelled virtioN is ours: gpiochipK below);
        gpioinfo -c gpiochipK; gpioset -c gpiochipK 0=1 & (holds line 0 high;
        line 1 follows: the simulated lines are wired in pairs);
        gpioget --numeric -c gpiochipK 1; gpiomon -c gpiochipK -e rising 3
  I2C   i2cdetect -y 0 (24c02 EEPROM at 0x50, lm75 at 0x48); i2cget, i2cset,
        i2cdump, i2ctransfer; echo 24c02 0x50 > /sys/bus/i2c/devices/i2c-0/new_device
  SPI   spitool loop /dev/spidev0.0 (loopback); spitool mtdinfo /dev/mtd0 (NOR flash)
  SCMI  ls /sys/bus/iio/devices; cat /sys/class/hwmon/hwmon*/temp*_input
  Leave: type exit (or Ctrl-D): the guest powers off and the daemons stop.
         Ctrl-A X ends QEMU at once.
BANNER
for c in /sys/bus/i2c/devices/i2c-*; do
	[ -e "$c/name" ] && case $(cat "$c/name") in *virtio*) echo 24c02 0x50 > "$c/new_device"; echo lm75 0x48 > "$c/new_device";; esac
done 2>/dev/null
export PS1='try# '
setsid cttyhack sh || sh
