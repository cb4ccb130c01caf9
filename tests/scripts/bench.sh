#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# `make bench`'s program (tools/bench.c) in its tiny configuration
# (--quick), so that it cannot rot: it completes, and prints every figure
# for every device and batch as a JSON line with a value.  No timing is
# asserted.  The programs come from $BENCH_DIR (the Makefile passes
# $(B)/tools), else ./build/tools.
set -u
BIN=${VHOST_DEVICE_BIN:-./vhost-device}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
dir=${BENCH_DIR:-$TOP/build/tools}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '    %s\n' "$2"; }

"$dir/bench" --quick "$BIN" "$dir/bench-null" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" = 0 ] && ok "bench --quick exits 0" || nok "bench --quick exits 0" "exit $rc: $(head -c 600 "$tmp/err")"
[ -s "$tmp/err" ] && echo "# bench --quick said: $(head -c 600 "$tmp/err")"

# the figure's JSON line, with a number as its value
fig() { grep -E "^\{\"figure\":\"$1\"$2,\"value\":-?[0-9.]+," "$tmp/out"; }
# with the sandbox off there is no lock-down to time
sandbox_off=; case " ${VHOST_DEVICE_ARGS:-} " in *" --sandbox=off "*) sandbox_off=1 ;; esac
for b in 1 8 64; do
	for d in null gpio i2c spi scmi; do
		for f in cpu_us_per_request oncpu_us_per_request round_trip_p50 round_trip_p99 interrupts_per_batch syscalls_per_request; do
			line=$(fig "$f" ",\"device\":\"$d\",\"batch\":$b")
			if [ -z "$line" ]; then
				nok "$f $d batch $b is printed"
			elif grep -q '"value":-' <<<"$line"; then
				nok "$f $d batch $b has a value" "$line"
			else
				ok "$f $d batch $b"
			fi
		done
	done
done
for d in null gpio i2c spi scmi; do
	for f in startup_to_connectable startup_cpu lockdown idle_rss idle_private; do
		line=$(fig "$f" ",\"device\":\"$d\"")
		if [ -z "$line" ]; then
			nok "$f $d is printed"
		elif grep -q '"value":-' <<<"$line" && ! { [ "$f" = lockdown ] && [ -n "$sandbox_off" ]; }; then
			nok "$f $d has a value" "$line"
		else
			ok "$f $d"
		fi
	done
done
for g in 1 2 4; do
	for f in rss private; do
		line=$(fig "${f}_${g}_guests" ",\"device\":\"gpio\"")
		[ -n "$line" ] && ! grep -q '"value":-' <<<"$line" && ok "${f} with $g guests" ||
			nok "${f} with $g guests is printed with a value" "$line"
	done
done
line=$(fig stripped_size "")
[ -n "$line" ] && ! grep -q '"value":-' <<<"$line" && ok "stripped size" || nok "stripped size is printed" "$line"
# the table: one row per device and batch
rows=$(grep -cE '^(null|gpio|i2c|spi|scmi) +(1|8|64) ' "$tmp/out")
[ "$rows" = 15 ] && ok "the table has 15 rows" || nok "the table has 15 rows" "got $rows"
echo "1..$n"
exit $fail
