# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the hostdev scenarios (sourced by /init): vhost-device runs
# here against this kernel's devices and fetool drives it.  NO_STUB=1
# (hostdev_arm64: Debian's arm64 kernel has no i2c-stub): the virtio
# adapter only.
NO_STUB=${NO_STUB:-0}
say "hostdev: $(uname -m), $(vhost-device --version 2>&1 | head -1)"
if [ "$NO_STUB" != 1 ]; then
	insmod /lib/modules/i2c-stub.ko chip_addr=0x52 2>/tmp/stub.err || say "insmod-failed i2c-stub: $(cat /tmp/stub.err)"
fi
chip=""
for n in $(seq 1 20); do
	# the virtio chip (labelled virtioN): the arm64 virt board has an
	# 8-line PL061 of its own
	chip=$(gpiodetect 2>/dev/null | awk '/\[virtio[0-9]+\] \(8 lines\)/ { print $1; exit }')
	[ -n "$chip" ] && break
	sleep 0.5
done
vbus=""; sbus=""
for n in $(seq 1 20); do
	for a in /sys/bus/i2c/devices/i2c-*; do
		[ -e "$a/name" ] || continue
		case $(cat $a/name) in *virtio*) vbus=${a##*/i2c-};; *[Ss]tub*) sbus=${a##*/i2c-};; esac
	done
	[ -n "$vbus" ] && { [ -n "$sbus" ] || [ "$NO_STUB" = 1 ]; } && break
	sleep 0.5
done
say "inner gpio: chip ${chip:-none} $(gpiodetect 2>/dev/null | grep "^$chip ")"
say "inner i2c: virtio adapter i2c-${vbus:-none}, stub adapter i2c-${sbus:-none} ($(cat /sys/bus/i2c/devices/i2c-$sbus/name 2>/dev/null))"
wait_path /dev/i2c-$vbus 50
[ "$NO_STUB" = 1 ] || wait_path /dev/i2c-$sbus 50
if [ -n "$chip" ]; then
	vhost-device gpio -s /tmp/g.sock -l ${chip#gpiochip} -v > /tmp/g.log 2>&1 &
	gp=$!
	wait_path /tmp/g.sock0 50
	fetool gpio /tmp/g.sock0 0 1 3 2 2>&1 | sed 's/^/@@ /'
	kill $gp; wait $gp 2>/dev/null; say "inner gpio daemon: exit $?"
	sed -n 's/.*info: \(sandbox: .*\)/@@ inner-gpio \1/p' /tmp/g.log
	grep -vE 'debug: .*(SET_|GET_|ADD_MEM|size [0-9]+ fds)' /tmp/g.log | tail -20 | sed 's/^/@@ inner-gpio-log: /'
	# The fd budget counts the chip's line requests: under a hard limit
	# that holds the socket's share (what the run above needed before the
	# chip) but not the chip's lines, start-up fails naming the limit.
	base=$(sed -n 's/.*debug: 1 socket ([0-9]* fds each): \([0-9]*\) file descriptors needed in all.*/\1/p' /tmp/g.log | head -1)
	if [ -n "$base" ]; then
		(ulimit -n "$base"; exec vhost-device gpio -s /tmp/gb.sock -l ${chip#gpiochip} -v) > /tmp/gb.log 2>&1 &
		bp=$!
		# it ends (the budget refused) or listens (the lines not counted)
		while kill -0 $bp 2>/dev/null && [ ! -e /tmp/gb.sock0 ]; do sleep 0.1; done
		[ -e /tmp/gb.sock0 ] && { say "fd budget: listening under ulimit -n $base"; kill $bp; }
		wait $bp; say "fd budget: exit $? under ulimit -n $base: $(grep -v 'debug:' /tmp/gb.log | tail -1)"
	else
		say "fd budget: the run above logged no socket budget"
	fi
fi
if [ "$NO_STUB" = 1 ] && [ -n "$vbus" ]; then
	vhost-device i2c -s /tmp/i.sock -l "$vbus:0x50:0x48" -v > /tmp/i.log 2>&1 &
	ip=$!
	wait_path /tmp/i.sock0 50
	fetool i2c /tmp/i.sock0 0x50 0x10 2>&1 | sed 's/^/@@ /'
elif [ -n "$vbus" ] && [ -n "$sbus" ]; then
	vhost-device i2c -s /tmp/i.sock -l "$vbus:0x50:0x48,$sbus:0x52" -v > /tmp/i.log 2>&1 &
	ip=$!
	wait_path /tmp/i.sock0 50
	fetool i2c /tmp/i.sock0 0x50 0x10 2>&1 | sed 's/^/@@ /'
	fetool smbus /tmp/i.sock0 0x52 0x20 2>&1 | sed 's/^/@@ /'
	# i2c-stub also does I2C block transfers: the 5-byte write / 4-byte read
	fetool i2c /tmp/i.sock0 0x52 0x40 2>&1 | sed 's/^/@@ stub-block /'
fi
if [ -n "${ip:-}" ]; then
	kill $ip; wait $ip 2>/dev/null; say "inner i2c daemon: exit $?"
	sed -n 's/.*info: \(sandbox: .*\)/@@ inner-i2c \1/p' /tmp/i.log
	grep -vE 'debug: .*(SET_|GET_|ADD_MEM|size [0-9]+ fds)' /tmp/i.log | tail -30 | sed 's/^/@@ inner-i2c-log: /'
fi
