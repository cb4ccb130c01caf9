# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# README's QEMU examples, booted as written (sourced by tests/vm/run).
#
# A fenced block of README.md right after a line
#     <!-- readme-example NAME -->
# is run as written.  Three kinds:
#  - a complete run (readme_boot): one or more `vhost-device-DEVICE ... &`
#    lines, then one `qemu-system-*` command (backslash continuations
#    allowed).  Scenario readme_NAME runs the daemon lines as written (from
#    the work directory, the vhost-device-DEVICE names linked to the binary
#    under test) and the QEMU command as written plus only -kernel,
#    -initrd, -append (console) and a timeout, then checks what README
#    says the guest sees;
#  - a run in two shells (readme_reconnect): a daemon line, a QEMU command
#    and QEMU monitor commands written `(qemu) CMD`, typed on QEMU's
#    console; `# ...` lines are comments;
#  - a recipe (readme_shell): shell commands, each run as written.
# Any other line in a run block, a failing recipe line or a missing block
# fails the scenario: README and this test cannot drift apart.

# readme_example NAME: the block's commands, one per line.
readme_example() {
	awk -v name="$1" '
		$0 == "<!-- readme-example " name " -->" { want = 1; next }
		want == 1 && /^```/ { want = 2; next }
		want == 1 && NF { exit }
		want == 2 && /^```/ { exit }
		want == 2 {
			if (sub(/\\$/, "")) { cur = cur $0; next }
			print cur $0; cur = ""
		}' "$REPO/README.md"
}

# readme_parse NAME: the lines of a run block: R_DAEMONS (vhost-device-*
# commands), R_QEMU (its one qemu-system-* command)
# and R_MON (QEMU monitor commands, written "(qemu) CMD"); lines starting
# with # are comments.  Anything else fails the scenario.
readme_parse() {
	local name=$1 line lines=()
	R_DAEMONS=() R_QEMU="" R_MON=()
	mapfile -t lines < <(readme_example "$name")
	[ ${#lines[@]} -gt 0 ] || { fail "README.md has no block marked <!-- readme-example $name -->"; return 1; }
	for line in "${lines[@]}"; do
		case $line in
		'#'*) ;;
		vhost-device*) R_DAEMONS+=("$line");;
		qemu-system-*)
			[ -z "$R_QEMU" ] || { fail "README block $name has two QEMU commands"; return 1; }
			R_QEMU=$line;;
		'(qemu) '*) R_MON+=("${line#(qemu) }");;
		*) fail "README block $name: a line this test does not run: $line"; return 1;;
		esac
	done
	[ ${#R_DAEMONS[@]} -gt 0 ] && [ -n "$R_QEMU" ] || { fail "README block $name needs daemon lines and a QEMU command"; return 1; }
}

# readme_daemon NAME N LINE: runs README's daemon command LINE (in the
# background, a trailing & or not) from the work directory, the vhost-device-DEVICE names linked to the binary under
# test; log in $WORK/NAME.N.log; sets DPID.
readme_daemon() {
	local p
	mkdir -p "$WORK/bin"
	for p in $("$BIN" --list); do ln -sf "$BIN" "$WORK/bin/vhost-device-$p"; done
	echo "  README daemon: $3"
	# RUST_LOG=info: the command as written; its info lines ("frontend
	# connected") are what the checks wait for, and scmi, i2c, spi and rng
	# log only errors by default (upstream's env_logger default)
	(cd "$WORK" && export PATH="$WORK/bin:$READ_PATH" RUST_LOG=info &&
	 eval "exec ${3%&}") > "$WORK/$1.$2.log" 2>&1 &
	DPID=$!
	DAEMONS+=("$DPID")
	CUR_DAEMONS+=("$DPID")
}

# readme_sockets NAME PID: waits for the sockets R_QEMU connects to.
readme_sockets() {
	local p
	for p in $(grep -oE 'socket,path=[^, ]+' <<<"$R_QEMU" | sed 's/^socket,path=//'); do
		case $p in /*) ;; *) p=$WORK/$p;; esac
		wait_for_socket "$p" "$2" || { fail "the daemon did not create $p"; readme_daemon_logs "$1"; return 1; }
	done
}

# readme_qemu ARCH INITRD: R_CMD = R_QEMU plus only -kernel, -initrd,
# -append (console) and the timeout, to eval in the work directory.
readme_qemu() {
	local kernel=$VM_CACHE/k/$KABI/$1/root/boot/vmlinuz-$KABI-$1 console
	# no_timer_check: see qemu_args in tests/vm/run (TCG under load)
	case $1 in amd64) console="ttyS0 no_timer_check";; arm64) console=ttyAMA0;; esac
	echo "  README QEMU:   $R_QEMU"
	echo "  added:         -kernel $kernel -initrd $2 -append 'console=$console panic=-1 quiet' (timeout ${VM_TIMEOUT}s)"
	R_CMD="timeout -k 5 $VM_TIMEOUT $R_QEMU -kernel $kernel -initrd $2 -append 'console=$console panic=-1 quiet'"
}

# readme_booted ARCH LOG RC START: the verdict on a README guest's run.
readme_booted() {
	local arch=$1 log=$2 rc=$3 e
	e=$(date +%s.%N)
	sed -i 's/\r$//' "$log"
	BOOT_SECS=$(printf '%.1f' "$(echo "$e - $4" | bc)")
	TIMINGS+=("$(printf '%-34s %7.1fs' "boot $CUR ($arch)" "$BOOT_SECS")")
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		fail "guest did not finish within ${VM_TIMEOUT}s (killed); last console lines:"; tail -15 "$log" | sed 's/^/        /'
	elif [ $rc != 0 ]; then
		fail "QEMU exited with $rc: $(tail -3 "$log.qemu")"
	fi
	[ -s "$log.qemu" ] && sed 's/^/        qemu: /' "$log.qemu"
	grep -q '^@@ END' "$log" || { fail "guest init did not reach its end"; tail -15 "$log" | sed 's/^/        /'; }
	grep '^@@ insmod-failed' "$log" | while read -r l; do echo "  FAIL $CUR: $l"; done
	grep -q '^@@ insmod-failed' "$log" && CUR_FAIL=1
	return 0
}

# readme_boot NAME ARCH LOG INITRD: starts the block's daemons, boots its
# QEMU command; sets BOOT_SECS.  The console (QEMU's stdout with
# -nographic) goes to LOG.
readme_boot() {
	local name=$1 arch=$2 log=$3 initrd=$4 line n=0 rc s
	readme_parse "$name" || return 1
	[ ${#R_MON[@]} = 0 ] || { fail "README block $name has monitor commands: not a one-shell run"; return 1; }
	for line in "${R_DAEMONS[@]}"; do
		n=$((n + 1))
		[[ $line == *'&' ]] || { fail "README block $name: a daemon line not ending in & would block the shell: $line"; return 1; }
		readme_daemon "$name" $n "$line"
	done
	readme_sockets "$name" "$DPID" || return 1
	readme_qemu "$arch" "$initrd"
	s=$(date +%s.%N)
	(cd "$WORK" && export PATH=$READ_PATH && eval "exec $R_CMD") < /dev/null > "$log" 2> "$log.qemu"
	rc=$?
	readme_booted "$arch" "$log" $rc "$s"
	return $rc
}

readme_daemon_logs() {
	local f
	for f in "$WORK/$1".*.log; do
		[ -f "$f" ] || continue
		echo "  ---- $(basename "$f"), last lines:"
		tail -n 30 "$f" | sed 's/^/        /'
	done
}

# The PATH QEMU and the daemons are looked up in.
READ_PATH=$PATH

readme_gpio() {
	begin "readme_$1" "README's GPIO example as written ($2)"
	have_device gpio || { skip "device gpio not built"; return; }
	local log=$WORK/readme_$1.console
	cat "$VM_DIR/guest/gpio_lib.sh" "$VM_DIR/guest/gpio.sh" > "$WORK/readme_gpio.sh"
	mkinitrd amd64 "$WORK/readme_$1.cpio.gz" "$WORK/readme_gpio.sh" gpio-virtio
	readme_boot "$1" amd64 "$log" "$WORK/readme_$1.cpio.gz"
	# README: "a chip of 8 lines named dummy0 .. dummy7"; the wired pairs;
	# gpiomon's rising edge
	expect "$log" '^@@ gpiodetect: gpiochip[0-9]+ .*\(8 lines\)' "gpiodetect: the virtio chip with 8 lines"
	expect "$log" '^@@ gpioinfo names: dummy0 dummy1 dummy2 dummy3 dummy4 dummy5 dummy6 dummy7 $' "gpioinfo: line names dummy0..dummy7"
	gpio_checks "$log" phase1
	local p
	for p in "${CUR_DAEMONS[@]}"; do stop_daemon "$p"; done
	[ $CUR_FAIL = 0 ] || { sed -n 's/^@@ /        guest: /p' "$log" | head -40; readme_daemon_logs "$1"; }
	finish "boot ${BOOT_SECS:-0}s"
}

readme_i2c() {
	begin "readme_$1" "README's I2C example as written ($2)"
	have_device i2c || { skip "device i2c not built"; return; }
	local log=$WORK/readme_$1.console ee=$WORK/ee.bin
	rm -f "$ee"
	mkinitrd amd64 "$WORK/readme_$1.cpio.gz" "$VM_DIR/guest/i2c.sh" i2c-virtio i2c-dev at24 lm75
	readme_boot "$1" amd64 "$log" "$WORK/readme_$1.cpio.gz"
	# README: a virtio adapter; i2cdetect finds exactly 48 and 50; at24
	# binds with new_device; lm75 gives an hwmon sensor (temp=31.5)
	expect "$log" '^@@ i2c adapter i2c-[0-9]+ name=.*virtio' "the guest's i2c-virtio driver registered an adapter"
	expect "$log" '^@@ i2cdetect found: 48 50 $' "i2cdetect finds exactly 0x48 and 0x50"
	expect "$log" '^@@ eeprom size=256$' "at24 (echo 24c02 0x50 > new_device) exposes a 256-byte 24c02"
	expect "$log" '^@@ eeprom readback: vhost-device i2c via at24!$' "at24: bytes written through sysfs eeprom read back"
	expect "$log" '^@@ lm75 name=lm75 temp1_input=31500$' "lm75 (echo lm75 0x48 > new_device): temp1_input = 31500 (temp=31.5)"
	local p
	for p in "${CUR_DAEMONS[@]}"; do stop_daemon "$p"; done
	if [ "$(dd if="$ee" bs=1 skip=16 count=26 2>/dev/null)" = "vhost-device i2c via at24!" ]; then
		pass "file=ee.bin holds the bytes the guest wrote"
	else
		fail "file=ee.bin ($ee) does not hold the guest's bytes"
	fi
	[ $CUR_FAIL = 0 ] || { sed -n 's/^@@ /        guest: /p' "$log" | head -60; readme_daemon_logs "$1"; }
	finish "boot ${BOOT_SECS:-0}s"
}

# readme_dtb: the trees README's arm64 examples name (build/dtb/*.dtb,
# relative to the work directory the commands run in), as `make dtb` makes
# them.
readme_dtb() {
	QEMU_ARM=$(qemu_bin arm64) QEMU_SPI=$Q11/qemu-system-aarch64 "$VM_DIR/dtb" "$WORK/build/dtb" \
		> "$WORK/dtb.log" 2>&1 || { fail "tests/vm/dtb: $(tail -3 "$WORK/dtb.log")"; return 1; }
}

# readme_scmi_boot LOG: README's SCMI example with the tree in
# build/dtb/scmi.dtb, and what its section says the guest sees.
readme_scmi_boot() {
	local log=$1 p
	mkinitrd arm64 "$log.cpio.gz" "$VM_DIR/guest/scmi.sh" scmi_transport_virtio scmi-hwmon scmi_iio
	readme_boot scmi arm64 "$log" "$log.cpio.gz"
	# README: "protocol v2.1 from vhost-device:scmi"; "accel0 with x, y
	# and z axes (z near 1 g)"
	expect "$log" '^@@ dmesg: .*SCMI Protocol v2\.1 .vhost-device:scmi.' "SCMI core: protocol v2.1, vendor vhost-device, sub-vendor scmi"
	expect "$log" '^@@ scmi-dev .* driver=scmi-sensor-iiodev' "scmi_iio bound to the sensor protocol"
	expect "$log" '^@@ iio accel0 in_accel_x_raw=-?[0-9]+ in_accel_y_raw=-?[0-9]+ in_accel_z_raw=(9[0-9]{3}|10[0-5][0-9]{2}) in_accel_x_scale=0\.001000000 ' \
		"scmi_iio: accel0's three axes, z near 1 g"
	for p in "${CUR_DAEMONS[@]}"; do stop_daemon "$p"; done
	[ $CUR_FAIL = 0 ] || { sed -n 's/^@@ /        guest: /p' "$log" | head -40; readme_daemon_logs scmi; }
}

scenario_readme_scmi() {
	begin readme_scmi "README's SCMI example as written (aarch64, memfd guest RAM, make dtb's tree)"
	have_device scmi || { skip "device scmi not built"; return; }
	readme_dtb || { finish 0; return; }
	readme_scmi_boot "$WORK/readme_scmi.console"
	finish "boot ${BOOT_SECS:-0}s"
}

# readme_shell NAME: a block of plain shell commands (a recipe), each run
# as written with bash from the work directory, where tests/ is this
# repository's; every one must succeed.  # lines are comments.
readme_shell() {
	local line lines=() rc
	mapfile -t lines < <(readme_example "$1")
	[ ${#lines[@]} -gt 0 ] || { fail "README.md has no block marked <!-- readme-example $1 -->"; return 1; }
	ln -sfn "$REPO/tests" "$WORK/tests"
	for line in "${lines[@]}"; do
		case $line in '#'*) continue;; esac
		echo "  README shell:  $line"
		(cd "$WORK" && export PATH=$READ_PATH && timeout -k 5 120 bash -c "$line") \
			< /dev/null >> "$WORK/$1.out" 2>&1
		rc=$?
		[ $rc = 0 ] || { fail "exit status $rc: $line"; sed 's/^/        /' "$WORK/$1.out"; return 1; }
	done
}

# The device-tree recipe: README's dump, add and compile steps write
# build/dtb/scmi.dtb (make dtb is not used), and README's SCMI example
# boots with it.
scenario_readme_dtb() {
	begin readme_dtb "README's device-tree recipe as written, then README's SCMI example with its tree (aarch64)"
	have_device scmi || { skip "device scmi not built"; return; }
	rm -rf "$WORK/build/dtb" "$WORK/virt.dtb" "$WORK/virt.dts"
	readme_shell dtb || { finish 0; return; }
	[ -s "$WORK/build/dtb/scmi.dtb" ] && pass "the recipe wrote build/dtb/scmi.dtb" \
		|| { fail "the recipe wrote no build/dtb/scmi.dtb"; finish 0; return; }
	readme_scmi_boot "$WORK/readme_dtb.console"
	finish "boot ${BOOT_SECS:-0}s"
}

# readme_monitor FD LOG QEMU-PID: types R_MON into QEMU's monitor (Ctrl-A
# c before, Ctrl-A c after) on the console input FD.  `info chardev` is
# typed again until its answer shows the chardev connected
# ("filename=unix:...", not "disconnected:unix:..."), at most 30 s: before
# that, device_add fails ("Failed to set msg fds").
readme_monitor() {
	local fd=$1 log=$2 qpid=$3 cmd i j n re='filename=(disconnected:)?unix:'
	printf '\001c' >&$fd
	for cmd in "${R_MON[@]}"; do
		echo "  typed:         (qemu) $cmd"
		[ "$cmd" = "info chardev" ] || { printf '%s\n' "$cmd" >&$fd; continue; }
		for i in $(seq 1 100); do
			n=$(grep -aEc "$re" "$log")
			printf '%s\n' "$cmd" >&$fd
			# its answer
			for j in $(seq 1 50); do
				[ "$(grep -aEc "$re" "$log")" -gt "$n" ] && break
				kill -0 "$qpid" 2>/dev/null || break 2
				sleep 0.1
			done
			grep -aE "$re" "$log" | tail -1 | grep -aq 'filename=unix:' && break
			sleep 0.3
		done
		if grep -aE "$re" "$log" | tail -1 | grep -aq 'filename=unix:'; then
			pass "info chardev: QEMU's chardev is connected (after $i look(s))"
		else
			fail "info chardev never showed the chardev connected"
		fi
	done
	printf '\001c' >&$fd
}

# The reconnect recipe for SCMI: the daemon in one shell, QEMU paused in
# another with the chardev reconnecting; once the daemon says the frontend
# connected, the recipe's monitor commands are typed on QEMU's console
# (Ctrl-A c, the commands, Ctrl-A c), as a user would.  The guest reads
# accel0, the daemon is stopped as with Ctrl-C (SIGINT: exit 0) and the
# same command started again; once QEMU has connected to it the host types
# "go" on the console and the guest reads accel0 again, so that reading
# can only come from the restarted daemon.
scenario_readme_reconnect() {
	begin "${1:-readme_reconnect}" "README's SCMI reconnect recipe as written (aarch64, -S + device_add into a root port, daemon restarted)"
	have_device scmi || { skip "device scmi not built"; return; }
	local log=$WORK/readme_reconnect.console in=$WORK/readme_reconnect.in d1 qpid rc s fd
	readme_dtb || { finish 0; return; }
	readme_parse scmi_reconnect || { finish 0; return; }
	[ ${#R_DAEMONS[@]} = 1 ] && [ ${#R_MON[@]} -gt 0 ] \
		|| { fail "README block scmi_reconnect: one daemon command and the monitor commands expected"; finish 0; return; }
	mkinitrd arm64 "$WORK/readme_reconnect.cpio.gz" "$VM_DIR/guest/readme_reconnect.sh" scmi_transport_virtio scmi_iio
	readme_daemon scmi_reconnect 1 "${R_DAEMONS[0]}"
	d1=$DPID
	readme_sockets scmi_reconnect "$d1" || { finish 0; return; }
	readme_qemu arm64 "$WORK/readme_reconnect.cpio.gz"
	# QEMU's console input: held open here, typed into below
	mkfifo "$in"
	exec {fd}<>"$in"
	s=$(date +%s.%N)
	(cd "$WORK" && export PATH=$READ_PATH && eval "exec $R_CMD") < "$in" > "$log" 2> "$log.qemu" &
	qpid=$!
	readme_monitor "$fd" "$log" "$qpid"
	if wait_for_line_while "$log" '^@@ ready-for-restart' "$VM_TIMEOUT" "$qpid"; then
		kill -INT "$d1"; wait "$d1"; rc=$?
		forget_daemon "$d1"
		[ $rc = 0 ] && pass "the daemon stopped as with Ctrl-C (SIGINT): exit 0" || fail "the daemon: $(status_str $rc) after SIGINT"
		readme_daemon scmi_reconnect 2 "${R_DAEMONS[0]}"
		if wait_for_line_while "$WORK/scmi_reconnect.2.log" 'frontend connected' 30 "$qpid"; then
			pass "QEMU connected to the restarted daemon"
		else
			fail "QEMU did not connect to the restarted daemon within 30 s"
		fi
		echo go >&$fd
	else
		fail "the guest never reached its first reading"
	fi
	wait "$qpid"; rc=$?
	exec {fd}>&-
	readme_booted arm64 "$log" $rc "$s"
	# README: "the guest's sensors keep working"
	expect "$log" '^@@ before accel0 z=(9[0-9]{3}|10[0-5][0-9]{2})$' "before: scmi_iio reads accel0's z axis (near 1 g) from the first daemon"
	expect "$log" '^@@ host says: go$' "the guest waited for the restart"
	expect "$log" '^@@ after accel0 z=(9[0-9]{3}|10[0-5][0-9]{2})$' "after: the restarted daemon answers the same reading"
	expect "$log" '^@@ after again accel0 z=(9[0-9]{3}|10[0-5][0-9]{2})$' "after: and the next one"
	local p
	for p in "${CUR_DAEMONS[@]}"; do stop_daemon "$p"; done
	[ $CUR_FAIL = 0 ] || { sed -n 's/^@@ /        guest: /p' "$log" | head -40; readme_daemon_logs scmi_reconnect; }
	finish "boot ${BOOT_SECS:-0}s, $(PATH=$READ_PATH qemu-system-aarch64 --version | sed -n 's/.*version \([^ ]*\).*/QEMU \1/p')"
}
# The same under QEMU 11 (first on PATH as qemu-system-aarch64).
scenario_readme_reconnect_q11() {
	[ -x "$Q11/qemu-system-aarch64" ] || { begin readme_reconnect_q11 "README's SCMI reconnect recipe under QEMU 11"; skip "QEMU 11 not unpacked (run tests/vm/setup)"; return; }
	READ_PATH=$Q11:$PATH scenario_readme_reconnect readme_reconnect_q11
}

scenario_readme_spi() {
	begin readme_spi "README's SPI example as written (aarch64, QEMU 11 as qemu-system-aarch64, make dtb's tree)"
	have_device spi || { skip "device spi not built"; return; }
	local why log=$WORK/readme_spi.console img=$WORK/nor.img
	why=$(spi_ready) || { skip "$why"; return; }
	readme_dtb || { finish 0; return; }
	rm -f "$img"
	mkinitrd arm64 "$WORK/readme_spi.cpio.gz" "$VM_DIR/guest/spi.sh" virtio_mmio spi-virtio spi-nor
	READ_PATH=$Q11:$PATH readme_boot spi arm64 "$log" "$WORK/readme_spi.cpio.gz"
	# README: /dev/spidev0.0 reads back what it sent; mtd0 of 1 MiB, 4 KiB
	# erase blocks, JEDEC id ef 40 14; the guest's writes land in nor.img
	expect "$log" '^@@ spi-dev spi[0-9]+\.0 modalias=spi:dh2228fv driver=spidev$' "chip select 0: spidev"
	expect "$log" '^@@ loop: rx == tx for both transfers$' "spidev0.0: a transfer reads back what it sent"
	expect "$log" '^@@ spi-nor spi[0-9]+\.1 jedec_id=ef4014 ' "spi-nor reads JEDEC id ef 40 14"
	expect "$log" '^@@ mtd0 name=spi[0-9]+\.1 type=nor size=1048576 erasesize=4096 ' "mtd0: 1 MiB NOR, 4 KiB erase blocks"
	local p pat="spi-nor over vhost-device spi: programmed by the guest"
	for p in "${CUR_DAEMONS[@]}"; do stop_daemon "$p"; done
	if [ "$(dd if="$img" bs=1 skip=65536 count=${#pat} 2>/dev/null)" = "$pat" ]; then
		pass "nor.img holds what the guest wrote through mtd0"
	else
		fail "nor.img ($img) does not hold the guest's bytes at 0x10000"
	fi
	[ $CUR_FAIL = 0 ] || { sed -n 's/^@@ /        guest: /p' "$log" | head -40; readme_daemon_logs spi; }
	finish "boot ${BOOT_SECS:-0}s"
}

scenario_readme_rng() {
	begin readme_rng "README's RNG example as written (x86_64, memfd guest RAM)"
	have_device rng || { skip "device rng not built"; return; }
	local log=$WORK/readme_rng.console
	{ echo "RNG_DEVICES=virtio_rng.0"; cat "$VM_DIR/guest/rng.sh"; } > "$WORK/readme_rng.sh"
	mkinitrd amd64 "$WORK/readme_rng.cpio.gz" "$WORK/readme_rng.sh" virtio-rng
	readme_boot rng amd64 "$log" "$WORK/readme_rng.cpio.gz"
	# README: "virtio_rng becomes the current hwrng (rng_current) and
	# /dev/hwrng gives the bytes" (getrandom(2)'s: about every byte value)
	expect "$log" '^@@ rng current: virtio_rng\.0$' "rng_current is virtio_rng.0"
	expect "$log" '^@@ hwrng virtio_rng\.0 current=virtio_rng\.0 bytes=1024 distinct=(1[89][0-9]|2[0-5][0-9]) ' \
		"/dev/hwrng gives 1024 bytes of about every value"
	local p
	for p in "${CUR_DAEMONS[@]}"; do stop_daemon "$p"; done
	[ $CUR_FAIL = 0 ] || { sed -n 's/^@@ /        guest: /p' "$log" | head -20; readme_daemon_logs rng; }
	finish "boot ${BOOT_SECS:-0}s"
}

scenario_readme_gpio() { readme_gpio gpio "x86_64, memfd guest RAM"; }
scenario_readme_i2c() { readme_i2c i2c "x86_64, memfd guest RAM"; }
scenario_readme_i2c_shm() { readme_i2c i2c_shm "x86_64, guest RAM in a /dev/shm file with -numa"; }
