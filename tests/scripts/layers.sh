#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# The core knows no device and no tool: src/vhost/ includes nothing from
# src/devices/ and, of src/common/, only the utilities (log, opts,
# coverage).  The trace, the control socket and the sandbox register
# with it (serve_register_part) instead.  src/common/ includes no
# device's kernel interface.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
n=0 bad=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '    %s\n' "$2"; }
finish() { echo "1..$n"; [ "$bad" -eq 0 ]; exit $?; }

files=$(ls "$TOP"/src/vhost/*.[ch] 2>/dev/null)
[ -n "$files" ] && ok "src/vhost/ has sources" || { nok "src/vhost/ has sources"; finish; }
for f in $files; do
	rel=${f#"$TOP"/}
	bad_inc=$(grep -hE '^#include "(devices/|common/)' "$f" |
		  grep -vE '^#include "common/(log|opts|coverage)\.h"')
	[ -z "$bad_inc" ] && ok "$rel includes no device and no tool" ||
		nok "$rel includes no device and no tool" "$bad_inc"
done
# the names too, not only the headers
hits=$(grep -nE '\b(sandbox|ctl|trace)_[a-z_]+\(' $files | grep -vE ':\s*(/\*|\*)')
[ -z "$hits" ] && ok "src/vhost/ calls no sandbox_, ctl_ or trace_ function" ||
	nok "src/vhost/ calls no sandbox_, ctl_ or trace_ function" "$hits"
# the shared code (src/common/: sandbox allow-list, options, ...) knows
# no device either: a device declares its ioctl requests itself
# (sandbox_allow_ioctls), so no device's uAPI header is included there
cfiles=$(ls "$TOP"/src/common/*.[ch] 2>/dev/null)
hits=$(grep -nE '^#include <linux/(gpio|i2c|i2c-dev|spi/[a-z]+)\.h>' $cfiles)
[ -z "$hits" ] && ok "src/common/ includes no device's kernel interface" ||
	nok "src/common/ includes no device's kernel interface" "$hits"
finish
