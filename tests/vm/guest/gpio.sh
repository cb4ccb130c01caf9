# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of the GPIO scenario (sourced by /init, after gpio_lib.sh):
# the simulated chip seen through the libgpiod 2 tools. Also used by the
# reconnect scenario (RECONNECT=1).
find_chip || return 0
say "gpiodetect: $(gpiodetect | grep "^$chip ")"
say "gpioinfo names: $(gpioinfo -c $chip | sed -n 's/.*line[[:space:]]*[0-9]*:[[:space:]]*"\([^"]*\)".*/\1/p' | tr '\n' ' ')"
gpio_round phase1
if [ "${RECONNECT:-0}" = 1 ]; then
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	say "ready-for-kill"
	if read -t 120 -r go < /dev/ttyS1; then say "host says: $go"; else say "no word from the host"; fi
	gpio_round phase2
fi
