#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Replays every seed and saved crash reproducer (crash-*) in
# tests/fuzz/corpus/<t>/ through replay_<t>, which `make tests` builds
# with the build's own compiler and flags (under check-asan: ASan and
# UBSan, aborting on the first report).  Builds nothing itself.
# The replayers are taken from $FUZZ_REPLAY_DIR (the Makefile passes
# $(B)/tests/fuzz), else ./build/tests/fuzz; a corpus without its
# replayer there is a failure (no other directory is tried).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
dir_r=${FUZZ_REPLAY_DIR:-$TOP/build/tests/fuzz}
n=0 fail=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1)); fail=1
	echo "not ok $n - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | tail -n 30 | sed 's/^/    /'
}

for dir in "$TOP"/tests/fuzz/corpus/*/; do
	t=$(basename "$dir")
	r=$dir_r/replay_$t
	if [ ! -x "$r" ]; then
		nok "replay_$t: not built ($r)"
		continue
	fi
	files=0
	for f in "$dir"*; do
		[ -f "$f" ] || continue
		files=$((files + 1))
		out=$("$r" "$f" 2>&1); rc=$?
		if [ "$rc" -eq 0 ]; then
			ok "$t: $(basename "$f")"
		else
			nok "$t: $(basename "$f") (exit $rc)" "$out"
		fi
	done
	[ "$files" -gt 0 ] || nok "$t: the corpus has no input"
done
[ "$n" -gt 0 ] || nok "no corpus under $TOP/tests/fuzz/corpus"
echo "1..$n"
exit $fail
