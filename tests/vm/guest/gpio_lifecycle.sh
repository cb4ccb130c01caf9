# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the GPIO lifecycle scenario (sourced by /init, after
# gpio_lib.sh).  The host drives QEMU (QMP stop/cont, system_reset) at each
# "step NAME" line and answers "go" on the second serial port; it tells
# each boot its phase the same way.  Checked by the host:
#  first:        a gpiomon that waits across stop/cont sees the edge made
#                after it; everything works afterwards; the driver unbound
#                and bound again with line 0 held high finds the lines at
#                their defaults (line 0 an input, its partner reads 0);
#                then line 0 is held high again, gpiomon waits, and the host
#                resets the machine (system_reset);
#  after-reset:  the lines are at their defaults, everything works; line 0
#                is held high and the guest reboots itself;
#  after-reboot: the same checks.
stty -F /dev/ttyS1 raw -echo 2>/dev/null
say "want-phase"
read -t 120 -r phase < /dev/ttyS1 || phase=none
say "phase $phase"
step() {
	say "step $1"
	read -t 120 -r go < /dev/ttyS1 || say "no word from the host after $1"
}
dmesg_check() {
	say "dmesg virtio errors: $(dmesg | grep -ciE 'not a head|virtio.*(error|broken)|gpio.*timed? ?out')"
}
# defaults TAG: what a fresh driver finds
defaults() {
	say "$1 line0: $(line_info 0)"
	say "$1 get 1=$(gpioget --numeric -c $chip 1 2>&1)"
}
find_chip || return 0
case $phase in
first)
	gpiomon -c $chip -e rising -n 1 3 > /tmp/pmon 2>&1 &
	m=$!
	wait_edges 3
	step stop-cont
	gpioset -c $chip 2=1 &
	p=$!
	i=0
	while kill -0 $m 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill $p $m 2>/dev/null; wait $p $m 2>/dev/null
	say "pause gpiomon: $(cat /tmp/pmon | tr '\n' ' ')"
	gpio_round after-pause

	gpioset -c $chip 0=1 &
	p=$!
	sleep 0.3
	say "held get 1=$(gpioget --numeric -c $chip 1 2>&1)"
	dev=$(cd /sys/bus/virtio/drivers/gpio_virtio && ls -d virtio* | head -1)
	step unbind
	echo $dev > /sys/bus/virtio/drivers/gpio_virtio/unbind
	kill $p; wait $p 2>/dev/null
	step bind
	echo $dev > /sys/bus/virtio/drivers/gpio_virtio/bind
	find_chip || return 0
	step rebound
	defaults rebind
	gpio_round rebind

	gpioset -c $chip 0=1 &
	gpiomon -c $chip -e rising -n 1 3 > /tmp/rmon 2>&1 &
	wait_edges 3
	say "before-reset get 1=$(gpioget --numeric -c $chip 1 2>&1)"
	dmesg_check
	step reset
	say "the machine was not reset"
	;;
after-reset)
	defaults after-reset
	gpio_round after-reset
	gpioset -c $chip 0=1 &
	sleep 0.3
	say "before-reboot get 1=$(gpioget --numeric -c $chip 1 2>&1)"
	dmesg_check
	step reboot
	reboot -f
	sleep 30
	;;
after-reboot)
	defaults after-reboot
	gpio_round after-reboot
	dmesg_check
	;;
esac
