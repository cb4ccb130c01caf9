# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the GPIO scenario (sourced by /init): the simulated chip
# (-l s8: lines dummy0..7, wired in pairs 0-1, 2-3, ...) seen through the
# libgpiod 2 tools. Also used by the reconnect scenario (RECONNECT=1).
chip=""
for i in $(seq 1 20); do
	chip=$(gpiodetect 2>/dev/null | awk '/\(8 lines\)/ { print $1; exit }')
	[ -n "$chip" ] && break
	sleep 0.5
done
[ -n "$chip" ] || { say "gpio no 8-line chip: $(gpiodetect 2>&1)"; return 0; }
say "gpiodetect: $(gpiodetect | grep "^$chip ")"
say "gpioinfo names: $(gpioinfo -c $chip | sed -n 's/.*line[[:space:]]*[0-9]*:[[:space:]]*"\([^"]*\)".*/\1/p' | tr '\n' ' ')"

# roundtrip TAG OUT IN VALUE: drive OUT, read its partner IN.
roundtrip() {
	gpioset -c $chip $2=$4 &
	p=$!
	sleep 0.3
	say "$1 set $2=$4 get $3=$(gpioget --numeric -c $chip $3 2>&1)"
	kill $p; wait $p 2>/dev/null
}
gpio_round() {
	roundtrip "$1" 0 1 1
	roundtrip "$1" 0 1 0
	roundtrip "$1" 1 0 1
	# An edge on line 3 raised by driving its partner, line 2.
	gpiomon -c $chip -e rising -n 1 3 > /tmp/mon 2>&1 &
	m=$!
	sleep 0.5
	gpioset -c $chip 2=1 &
	p=$!
	i=0
	while kill -0 $m 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill $p $m 2>/dev/null; wait $p $m 2>/dev/null
	say "$1 gpiomon: $(cat /tmp/mon | tr '\n' ' ')"
}
gpio_round phase1
if [ "${RECONNECT:-0}" = 1 ]; then
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	say "ready-for-kill"
	if read -t 120 -r go < /dev/ttyS1; then say "host says: $go"; else say "no word from the host"; fi
	gpio_round phase2
fi
