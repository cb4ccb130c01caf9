#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Replays every seed (and saved crash reproducer) in tests/fuzz/corpus/<t>/
# through the replay_<t> programs that `make tests` builds with the normal
# compiler (no clang needed).  Builds nothing itself.
# The replayers are looked up next to $VHOST_DEVICE_BIN (B=build-asan puts
# the daemon in build-asan/, the default build in ./build/), or in
# $FUZZ_REPLAY_DIR.
set -u
BIN=${VHOST_DEVICE_BIN:-./vhost-device}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$(cd "$(dirname "$BIN")" 2>/dev/null && pwd)
n=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | tail -n 30 | sed 's/^/    /'; }

find_replayer() {
	local d
	for d in ${FUZZ_REPLAY_DIR:-} "$bindir/tests/fuzz" "$bindir/build/tests/fuzz" "$TOP/build/tests/fuzz"; do
		[ -n "$d" ] && [ -x "$d/replay_$1" ] && { echo "$d/replay_$1"; return 0; }
	done
	return 1
}

for dir in "$TOP"/tests/fuzz/corpus/*/; do
	t=$(basename "$dir")
	if ! r=$(find_replayer "$t"); then
		ok "# SKIP replay_$t not built"
		continue
	fi
	for f in "$dir"*; do
		[ -f "$f" ] || continue
		out=$("$r" "$f" 2>&1); rc=$?
		if [ "$rc" -eq 0 ]; then
			ok "$t: $(basename "$f")"
		else
			nok "$t: $(basename "$f") (exit $rc)" "$out"
		fi
	done
done
echo "1..$n"
