# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# GPIO helpers for the guest scenarios (put in front of gpio.sh and
# gpio_lifecycle.sh by tests/vm/run): the simulated chip (-l s8: lines
# dummy0..7, wired in pairs 0-1, 2-3, ...) through the libgpiod 2 tools.

# find_chip: sets $chip to the 8-line virtio chip (waits up to 10 s).
find_chip() {
	chip=""
	for i in $(seq 1 20); do
		chip=$(gpiodetect 2>/dev/null | awk '/\(8 lines\)/ { print $1; exit }')
		[ -n "$chip" ] && return 0
		sleep 0.5
	done
	say "gpio no 8-line chip: $(gpiodetect 2>&1)"
	return 1
}

# line_info N: gpioinfo's line for line N ("line N: "name" input ...").
line_info() {
	gpioinfo -c $chip | grep -E "^[[:space:]]*line[[:space:]]+$1:" | tr -s '\t ' ' ' | sed 's/^ //'
}

# wait_edges N: until a request for edge events on line N is in place.
wait_edges() {
	i=0
	while ! line_info $1 | grep -q 'edges=' && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

# roundtrip TAG OUT IN VALUE: drive OUT, read its partner IN.
roundtrip() {
	gpioset -c $chip $2=$4 &
	p=$!
	sleep 0.3
	say "$1 set $2=$4 get $3=$(gpioget --numeric -c $chip $3 2>&1)"
	kill $p; wait $p 2>/dev/null
}

# gpio_round TAG: the round trips through the wired pairs, and an edge on
# line 3 raised by driving its partner, line 2.
gpio_round() {
	roundtrip "$1" 0 1 1
	roundtrip "$1" 0 1 0
	roundtrip "$1" 1 0 1
	gpiomon -c $chip -e rising -n 1 3 > /tmp/mon 2>&1 &
	m=$!
	wait_edges 3
	gpioset -c $chip 2=1 &
	p=$!
	i=0
	while kill -0 $m 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill $p $m 2>/dev/null; wait $p $m 2>/dev/null
	say "$1 gpiomon: $(cat /tmp/mon | tr '\n' ' ')"
}
