# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Guest side of bench_gpio (sourced by /init, after gpio_lib.sh): the
# round trips through the wired pairs of -l s8 (the daemon records the
# lines in a VCD trace the host reads with sigrok-cli).
find_chip || return 0
gpio_round bench
