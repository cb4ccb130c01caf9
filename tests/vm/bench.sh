# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# The bench_* scenarios of tests/vm/run (sourced by it, uses its helpers):
# the simulated world as guest software sees it through its own drivers
# and tools, and the daemon's traces read by the host's own tools
# (tshark, sigrok-cli: tools/deps installs them; missing is a failure).

# need_tool CMD: fails the scenario when CMD is not installed.
need_tool() {
	command -v "$1" >/dev/null && return 0
	fail "$1 is not installed (tools/deps installs it)"
	return 1
}

# in_window V LO HI
in_window() { [ -n "$1" ] && [ "$1" -ge "$2" ] 2>/dev/null && [ "$1" -le "$3" ]; }

# bench_ctl LOG STEP DESCRIPTION CTL-ARGS...: once the guest's console says
# "@@ ctl-step STEP", run `vhost-device ctl` on the scenario's control
# socket ($BCTL) with CTL-ARGS (it must succeed), then tell the guest to
# go on (a line on its second serial port, fifo $BGO); gives up when QEMU
# ($BQPID) has ended.
bench_ctl() {
	local log=$1 step=$2 desc=$3 out
	shift 3
	if ! wait_for_line_while "$log" "^@@ ctl-step $step" "$VM_TIMEOUT" "$BQPID"; then
		fail "the guest never reached step $step"
		return 1
	fi
	if out=$("$BIN" ctl "$BCTL" "$@" 2>&1); then
		pass "$desc  [ctl $*: $out]"
	else
		fail "$desc: ctl $* failed: $out"
	fi
	timeout 10 sh -c "echo go-$step > \"$BGO\"" || fail "could not tell the guest to go on after $step (QEMU gone?)"
}

scenario_bench_i2c() {
	begin bench_i2c "x86_64, vhost-user-i2c-pci: ds1307 (rtc-ds1307, hwclock), pca9555 (gpio-pca953x, gpioget), 24c32 messages in a pcap trace (tshark), ctl: lm75 temperature (hwmon), pca9555 inputs (gpioget), faults (i2cget)"
	have_device i2c || { skip "device i2c not built"; return; }
	local s=$WORK/bi.sock log=$WORK/bench_i2c.console pcap=$WORK/bench_i2c.pcap
	local off=-315360000 t0 t1 v hw qrc drain out
	BCTL=$WORK/bi.ctl BGO=$WORK/bigo.in
	need_tool tshark || { finish 0; return; }
	daemon bi i2c -s "$s" --sim "ds1307@0x68,offset=$off" --sim pca9555@0x20,inputs=0xa5c3 \
		--sim 24c32@0x50 --sim lm75@0x48 --trace "$pcap" --control "$BCTL"
	wait_for_socket "${s}0" "$DPID" || { fail "daemon did not create ${s}0"; show_daemon_log bi; finish 0; return; }
	mkinitrd amd64 "$WORK/bench_i2c.cpio.gz" "$VM_DIR/guest/bench_i2c.sh" i2c-virtio i2c-dev rtc-ds1307 gpio-pca953x lm75
	mkfifo "$WORK/bigo.in" "$WORK/bigo.out"
	cat "$WORK/bigo.out" > /dev/null &
	drain=$!
	t0=$(date +%s)
	# the guest runs while the host acts at its ctl-step lines (a second
	# serial port, ttyS1, carries the host's word back)
	boot amd64 "$log" "$WORK/bench_i2c.cpio.gz" -chardev "socket,path=${s}0,id=i2c" -device vhost-user-i2c-pci,chardev=i2c \
		-chardev "pipe,id=go,path=$WORK/bigo" -serial chardev:go &
	BQPID=$!
	bench_ctl "$log" pca "ctl sets the pca9555's input levels to 0x5a3c" i2c set addr=0x20 inputs=0x5a3c
	bench_ctl "$log" lm75 "ctl sets the lm75's temperature to 85.5 C" i2c set addr=0x48 temp=85.5
	bench_ctl "$log" nak "ctl: 0x50 does not answer (NAK) until cleared" i2c fault addr=0x50 mode=nak
	# once the guest's two i2cgets have run: list counts them
	wait_for_line_while "$log" "^@@ ctl-step heal" "$VM_TIMEOUT" "$BQPID"
	if out=$("$BIN" ctl "$BCTL" list 2>&1) && grep -q '"addr":80,"model":"24c32","size":4096,"fault":{"mode":"nak","left":null,"hits":2}' <<<"$out"; then
		pass "ctl list: the NAK at 0x50 failed the guest's 2 transactions"
	else
		fail "ctl list does not show 2 hits of the NAK at 0x50: $out"
	fi
	bench_ctl "$log" heal "ctl clears the fault at 0x50" i2c fault addr=0x50 mode=none
	bench_ctl "$log" count "ctl: the next transaction to 0x50 fails" i2c fault addr=0x50 mode=fail count=1
	wait "$BQPID"; qrc=$?
	t1=$(date +%s)
	kill "$drain" 2>/dev/null
	[ "$qrc" = 0 ] || fail "QEMU exited with status $qrc: $(tail -3 "$log.qemu")"
	sed -i 's/\r$//' "$log"
	grep -q '^@@ END' "$log" || { fail "guest init did not reach its end"; tail -15 "$log" | sed 's/^/        /'; }
	! grep '^@@ insmod-failed' "$log" || fail "a module did not load"
	BOOT_SECS=$((t1 - t0))
	expect "$log" '^@@ rtc rtc[0-9]+ name=rtc-ds1307 [0-9]+-0068 ' "rtc-ds1307 registered an rtc device for the simulated ds1307"
	v=$(value "$log" '^@@ rtc rtc[0-9]+ name=.* since_epoch=([0-9]+)$')
	if in_window "$v" $((t0 + off - 1)) $((t1 + off + 1)); then
		pass "since_epoch $v = the host's time during the boot ($t0..$t1) $off s (the model's offset)"
	else
		fail "since_epoch '$v' is not the host's time during the boot ($t0..$t1) $off s"
	fi
	hw=$(value "$log" '^@@ hwclock: (.*[0-9]{4}) +[-0-9.]+ seconds$')
	v=$(date -u -d "$hw" +%s 2>/dev/null)
	if in_window "$v" $((t0 + off - 1)) $((t1 + off + 1)); then
		pass "hwclock -r -f /dev/rtcN reads the ds1307: '$hw' (host time $off s)"
	else
		fail "hwclock did not read the ds1307's time: '$(value "$log" '^@@ hwclock: (.*)$')'"
	fi
	# pca9555, inputs=0xa5c3: line n reads bit n
	expect "$log" '^@@ pca gpiodetect: gpiochip[0-9]+ \[[0-9]+-0020\] \(16 lines\)$' "gpio-pca953x: a 16-line gpiochip for the client at 0x20"
	expect "$log" '^@@ pca gpioget: 1 1 0 0 0 0 1 1 1 0 1 0 0 1 0 1$' "gpioget lines 0..15 read the input levels 0xa5c3 (bit n: line n)"
	expect "$log" '^@@ pca after gpioget: 0 0 1 1 1 1 0 0 0 1 0 1 1 0 1 0$' "after ctl: gpioget lines 0..15 read 0x5a3c"
	expect "$log" '^@@ lm75 before: temp1_input=23500$' "lm75 hwmon temp1_input = 23500 (the model's default 23.5 C)"
	expect "$log" '^@@ lm75 after: temp1_input=85500$' "after ctl: lm75 hwmon temp1_input = 85500"
	expect "$log" '^@@ fault none: i2cget rc=0 0x[0-9a-f]{2}$' "i2cget at 0x50 works before any fault"
	expect "$log" '^@@ fault nak 1: i2cget rc=[1-9]' "NAK: the guest's i2cget fails"
	expect "$log" '^@@ fault nak 2: i2cget rc=[1-9]' "NAK until cleared: i2cget fails again"
	expect "$log" '^@@ fault healed: i2cget rc=0 0x[0-9a-f]{2}$' "cleared: i2cget works again"
	expect "$log" '^@@ fault count 1: i2cget rc=[1-9]' "fail count=1: the next i2cget fails"
	expect "$log" '^@@ fault count 2: i2cget rc=0 0x[0-9a-f]{2}$' "count=1 spent: the one after works without clearing"
	expect "$log" '^@@ i2ctransfer write: rc=0$' "i2ctransfer: a 6-byte write (address 0x0120 + 'vdev') to the 24c32"
	expect "$log" '^@@ i2ctransfer read: 0x76 0x64 0x65 0x76$' "i2ctransfer: address 0x0120 then read 4 reads 'vdev' back"
	stop_daemon "$DPID"
	# the trace: what tshark decodes of the messages to 0x50 (the data
	# start with the address byte: 0xa0 write, 0xa1 read)
	if tshark -r "$pcap" -Y 'i2c.addr == 0x50' -T fields -e i2c.flags -e data.data > "$WORK/tshark.out" 2>"$WORK/tshark.err"; then
		sed 's/^/        tshark: /' "$WORK/tshark.out"
		tr '\t' ' ' < "$WORK/tshark.out" > "$WORK/tshark.txt"
		expect "$WORK/tshark.txt" '^0x0+ a0012076646576$' "tshark: the write message: flags 0, a0 + 01 20 76 64 65 76"
		expect "$WORK/tshark.txt" '^0x0+ a00120$' "tshark: the address message of the read: a0 + 01 20"
		expect "$WORK/tshark.txt" '^0x0+1 a176646576$' "tshark: the read message (I2C_M_RD): a1 + 76 64 65 76, the bytes the guest got"
	else
		fail "tshark could not read $pcap: $(head -3 "$WORK/tshark.err")"
	fi
	[ $CUR_FAIL = 0 ] || { sed -n 's/^@@ /        guest: /p' "$log" | head -60; show_daemon_log bi 40; }
	finish "boot ${BOOT_SECS:-0}s"
}

# The host's side of bench_gpio while the guest runs: at each of the
# guest's "gpio-ready TAG" lines (its gpiomon armed on line 5), drive line
# 5 with `vhost-device ctl`: set it high, release it (low again), pulse it
# high for 200 ms.  Replies and errors go to OUT.  Gives up when the guest
# ends first.
gpio_bench_host() {
	local log=$1 ctl=$2 out=$3 step
	for step in "set:gpio set line=5 value=1" "release:gpio release line=5" \
		    "pulse:gpio pulse line=5 value=1 ms=200"; do
		wait_guest_line "$log" "^@@ gpio-ready ${step%%:*}" ||
			{ echo "guest never said gpio-ready ${step%%:*}" >> "$out"; return 1; }
		# shellcheck disable=SC2086
		"$BIN" ctl "$ctl" ${step#*:} >> "$out" 2>&1
	done
}

scenario_bench_gpio() {
	begin bench_gpio "x86_64, vhost-user-gpio-pci, -l s8 recorded as a VCD trace (sigrok-cli), line 5 driven by vhost-device ctl"
	have_device gpio || { skip "device gpio not built"; return; }
	local s=$WORK/bg.sock log=$WORK/bench_gpio.console vcd=$WORK/bench_gpio.vcd ctl=$WORK/bg.ctl hpid
	need_tool sigrok-cli || { finish 0; return; }
	daemon bg gpio -s "$s" -l s8 --trace "$vcd" --control "$ctl"
	wait_for_socket "${s}0" "$DPID" || { fail "daemon did not create ${s}0"; show_daemon_log bg; finish 0; return; }
	cat "$VM_DIR/guest/gpio_lib.sh" "$VM_DIR/guest/bench_gpio.sh" > "$WORK/bench_gpio.sh"
	mkinitrd amd64 "$WORK/bench_gpio.cpio.gz" "$WORK/bench_gpio.sh" gpio-virtio
	: > "$log"; : > "$WORK/bench_gpio.host"
	gpio_bench_host "$log" "$ctl" "$WORK/bench_gpio.host" & hpid=$!
	boot amd64 "$log" "$WORK/bench_gpio.cpio.gz" -chardev "socket,path=${s}0,id=gpio" -device vhost-user-gpio-pci,chardev=gpio
	kill "$hpid" 2>/dev/null; wait "$hpid" 2>/dev/null
	gpio_checks "$log" bench
	# the outside drive, as the guest's own tools see it
	if grep -qE '^\{"sock":0,"line":5,"name":"dummy5","direction":"in","output":null,"irq":"rising","level":1,"drive":1\}$' "$WORK/bench_gpio.host" &&
	   grep -qE '^\{"sock":0,"line":5,"name":"dummy5","direction":"in","output":null,"irq":"falling","level":0,"drive":null\}$' "$WORK/bench_gpio.host" &&
	   grep -qE '^\{"sock":0,"line":5,.*"level":1,"drive":1,"pulse_left_us":[0-9]+,"us":200000\}$' "$WORK/bench_gpio.host"; then
		pass "ctl gpio set, release and pulse of line 5 while the guest's gpiomon waits on it"
	else
		fail "ctl gpio did not answer as expected: $(tr '\n' ' ' < "$WORK/bench_gpio.host")"
	fi
	expect "$log" '^@@ set gpiomon: 1 events: .*rising' "gpiomon (rising) reports the edge of ctl's gpio set line=5 value=1"
	expect "$log" '^@@ set get 5=1$' "gpioget reads the driven level, 1"
	expect "$log" '^@@ release gpiomon: 1 events: .*falling' "gpiomon (falling) reports the edge of ctl's gpio release"
	expect "$log" '^@@ release get 5=0$' "gpioget reads 0 again (line 4, its partner, drives nothing)"
	expect "$log" '^@@ pulse gpiomon: 2 events: ' "gpiomon (both) reports two edges for ctl's gpio pulse ms=200"
	stop_daemon "$DPID"
	[ -n "${BENCH_KEEP_VCD:-}" ] && cp "$vcd" "$BENCH_KEEP_VCD"
	if sigrok-cli -I vcd:compress=1000 -i "$vcd" --show > "$WORK/sigrok.show" 2>&1; then
		expect "$WORK/sigrok.show" '^- dummy0:' "sigrok-cli loads the VCD: channel dummy0"
		expect "$WORK/sigrok.show" '^- dummy7:' "sigrok-cli loads the VCD: channel dummy7"
	else
		fail "sigrok-cli --show could not load $vcd: $(head -3 "$WORK/sigrok.show")"
	fi
	# sigrok-cli's own dump of what it read (idle stretches shortened to
	# 1 ms; an undriven line, x, reads 0): each line's changes in order
	if sigrok-cli -I vcd:compress=1000 -i "$vcd" -O vcd > "$WORK/sigrok.vcd" 2>"$WORK/sigrok.err"; then
		awk '/^\$var / { name[$4] = $5 }
		     /^#/ { for (i = 2; i <= NF; i++) { s = substr($i, 2); v = substr($i, 1, 1); if ($1 != "#0") seq[name[s]] = seq[name[s]] " " v } }
		     END { for (n in seq) print n ":" seq[n] }' "$WORK/sigrok.vcd" | sort > "$WORK/sigrok.seq"
		sed 's/^/        sigrok-cli: /' "$WORK/sigrok.seq"
		expect "$WORK/sigrok.seq" '^dummy0: 1 0 1 0$' "sigrok-cli: dummy0 high, low (gpioset 0=1, 0=0), high from its partner, low"
		expect "$WORK/sigrok.seq" '^dummy1: 1 0 1 0$' "sigrok-cli: dummy1 follows"
		expect "$WORK/sigrok.seq" '^dummy3: 1 0$' "sigrok-cli: the rising edge on dummy3 that gpiomon reported"
		expect "$WORK/sigrok.seq" '^dummy5: 1 ' "sigrok-cli: dummy5 goes high when ctl drives it"
	else
		fail "sigrok-cli could not read the samples of $vcd: $(head -3 "$WORK/sigrok.err")"
	fi
	[ $CUR_FAIL = 0 ] || { sed -n 's/^@@ /        guest: /p' "$log" | head -40; show_daemon_log bg 40; }
	finish "boot ${BOOT_SECS:-0}s"
}
