# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of bench_gpio (sourced by /init, after gpio_lib.sh): the
# round trips through the wired pairs of -l s8 (the daemon records the
# lines in a VCD trace the host reads with sigrok-cli), then line 5
# driven from the host with `vhost-device ctl`: at each "gpio-ready TAG"
# gpiomon's edge request is in place, the host drives, gpiomon reports.
find_chip || return 0
gpio_round bench

# ctl_step TAG EDGES COUNT: wait (bounded) for COUNT EDGES events on line 5
ctl_step() {
	gpiomon -c $chip -e $2 -n $3 5 > /tmp/ctlmon 2>&1 &
	m=$!
	wait_edges 5
	say "gpio-ready $1"
	i=0
	while kill -0 $m 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	kill $m 2>/dev/null; wait $m 2>/dev/null
	say "$1 gpiomon: $(grep -c . /tmp/ctlmon) events: $(tr '\n' ' ' < /tmp/ctlmon)"
}
ctl_step set rising 1
say "set get 5=$(gpioget --numeric -c $chip 5 2>&1)"
ctl_step release falling 1
say "release get 5=$(gpioget --numeric -c $chip 5 2>&1)"
ctl_step pulse both 2
