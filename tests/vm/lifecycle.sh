# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# The lifecycle scenarios of tests/vm/run (sourced by it, uses its helpers):
# what a VM pause, a guest driver reset, a system reset and a guest reboot
# do to GPIO and SCMI devices, and the vhost-user requests QEMU sends for
# each (DEVELOPERS.md, "Device lifecycle").

# count_after FILE FROM REGEX: lines after line FROM that match REGEX.
count_after() { tail -n +"$(($2 + 1))" "$1" 2>/dev/null | grep -cE -- "$3"; }
# wait_after FILE FROM REGEX N SECONDS PID: until N such lines (gives up
# when PID, QEMU, has exited).
wait_after() {
	local i
	for i in $(seq 1 $(($5 * 5))); do
		[ "$(count_after "$1" "$2" "$3")" -ge "$4" ] && return 0
		kill -0 "$6" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}
# requests DAEMON-LOG FROM TO: the vhost-user requests the daemon logged
# between two line numbers, in order, repeats folded (NAME*N); ring
# numbers and status values in brackets.
requests() {
	local name v last="" cnt=0 out=""
	while read -r name v; do
		if [ -n "$v" ]; then
			case $name in
			SET_STATUS) name="$name($((16#$v)))";;
			GET_VRING_BASE) name="$name(q$((16#$v & 0xffffffff)))";;
			SET_VRING_BASE|SET_VRING_ENABLE) name="$name(q$((16#$v & 0xffffffff))=$((16#$v >> 32)))";;
			esac
		fi
		if [ "$name" = "$last" ]; then cnt=$((cnt + 1)); continue; fi
		[ -n "$last" ] && out+="$last$([ $cnt -gt 1 ] && echo "*$cnt") "
		last=$name; cnt=1
	done < <(sed -n "$(($2 + 1)),${3}p" "$1" | sed -nE 's/.*: ([A-Z_]+) size [0-9]+ fds [0-9]+ flags 0x[0-9a-f]+( u64 0x([0-9a-f]+))?$/\1 \3/p')
	[ -n "$last" ] && out+="$last$([ $cnt -gt 1 ] && echo "*$cnt")"
	echo "$out"
}
# mark NAME: remember where the daemon log is now (LC_NAME).
mark() { printf -v "LC_$1" '%s' "$(wc -l < "$LC_DLOG")"; }
record() { printf '  %-13s %s\n' "$1:" "$(requests "$LC_DLOG" "$2" "$3")" | tee -a "$WORK/lifecycle.requests"; }
# go: let the guest go on past its step
go() { timeout 10 sh -c "echo go > \"$LC_CTL.in\"" || fail "could not tell the guest to go on (QEMU gone?)"; }
qmp() { "$VM_DIR/qmp" "$LC_QMP" "$@" >>"$WORK/qmp.out" 2>&1 || fail "QMP $*: $(tail -1 "$WORK/qmp.out")"; }
# phase N NAME: the guest's Nth boot asks for its phase: NAME.
phase() {
	if wait_after "$LC_LOG" 0 '^@@ want-phase' "$1" "$VM_TIMEOUT" "$LC_QPID"; then
		timeout 10 sh -c "echo $2 > \"$LC_CTL.in\"" || fail "could not give the guest its phase"
	else
		fail "boot $1 of the guest never asked for its phase"; return 1
	fi
}
# step NAME: the guest has reached "step NAME" and waits for go.
step() {
	wait_after "$LC_LOG" 0 "^@@ step $1[[:space:]]*\$" 1 "$VM_TIMEOUT" "$LC_QPID" || { fail "guest never reached step $1"; return 1; }
}

gpio_defaults_checks() {
	expect "$LC_LOG" "^@@ $1 line0: line 0: \"dummy0\" input\$" "$1: line 0 is a plain input again (it was held high as an output)"
	expect "$LC_LOG" "^@@ $1 get 1=0\$" "$1: line 1, wired to line 0, reads 0"
}

# GPIO through a guest's whole life, under QEMU 10 (QEMU_X86 to change):
# QMP stop/cont while gpiomon waits, then the edge; driver unbind/bind with
# a line held; QMP system_reset and a guest reboot with a line held.  The
# daemon's requests for each case are printed (what QEMU sends: the table
# in DEVELOPERS.md, "Device lifecycle").
scenario_lifecycle_gpio() {
	begin lifecycle_gpio "x86_64 GPIO guest: stop/cont, driver unbind/bind, system_reset, reboot"
	have_device gpio || { skip "device gpio not built"; return; }
	# one QEMU run, three boots: VM_TIMEOUT (per boot) three times
	local s=$WORK/lc.sock NO_REBOOT="" VM_TIMEOUT=$((VM_TIMEOUT * 3))
	LC_LOG=$WORK/lc.console LC_CTL=$WORK/lcctl LC_QMP=$WORK/lcqmp.sock LC_DLOG=$WORK/lc.log
	mkfifo "$LC_CTL.in" "$LC_CTL.out"
	gpio_daemon lc "$s" || { finish 0; return; }
	cat "$VM_DIR/guest/gpio_lib.sh" "$VM_DIR/guest/gpio_lifecycle.sh" > "$WORK/lc.sh"
	mkinitrd amd64 "$WORK/lc.cpio.gz" "$WORK/lc.sh" gpio-virtio
	cat "$LC_CTL.out" > /dev/null &
	local drain=$!
	: > "$WORK/lifecycle.requests"
	boot amd64 "$LC_LOG" "$WORK/lc.cpio.gz" -qmp "unix:$LC_QMP,server=on,wait=off" \
		-chardev "socket,path=${s}0,id=gpio" -device vhost-user-gpio-pci,chardev=gpio \
		-chardev "pipe,id=ctl,path=$LC_CTL" -serial chardev:ctl &
	LC_QPID=$!
	echo "  requests QEMU sent ($("$(qemu_bin amd64)" --version | sed -n 's/.*version \([^ ]*\).*/QEMU \1/p')):"
	if phase 1 first && step stop-cont; then
		mark a; qmp stop
		wait_after "$LC_DLOG" "$LC_a" 'GET_VRING_BASE' 2 30 "$LC_QPID" || fail "QMP stop: the daemon saw no GET_VRING_BASE for both queues"
		sleep 1   # (let QEMU finish the stop: it sends nothing more)
		mark b; qmp cont
		wait_after "$LC_DLOG" "$LC_b" 'SET_VRING_ENABLE .*u64 0x1000000' 2 30 "$LC_QPID" || fail "QMP cont: the rings were not enabled again"
		mark c; record "VM stop" "$LC_a" "$LC_b"; record "VM cont" "$LC_b" "$LC_c"
		go
	fi
	if step unbind; then
		mark d; go
		step bind && { mark e; go; }
		step rebound && { mark f; go; }
		record "unbind" "$LC_d" "$LC_e"; record "bind" "$LC_e" "$LC_f"
	fi
	if step reset; then
		mark g; qmp system_reset
		phase 2 after-reset; mark h
		record "system_reset" "$LC_g" "$LC_h"
	fi
	if step reboot; then
		mark i; go
		phase 3 after-reboot; mark j
		record "guest reboot" "$LC_i" "$LC_j"
	fi
	wait "$LC_QPID" || fail "QEMU exited with $? (timeout: VM_TIMEOUT=$VM_TIMEOUT per guest run)"
	kill "$drain" 2>/dev/null
	expect "$LC_LOG" '^@@ END' "the guest's last boot ran to its end"
	expect "$LC_LOG" '^@@ pause gpiomon: .*rising.*3' "stop/cont while gpiomon waits: the edge made after cont reaches it"
	gpio_checks "$LC_LOG" after-pause
	expect "$LC_LOG" '^@@ held get 1=1$' "line 0 held high by gpioset: line 1 reads 1"
	gpio_defaults_checks rebind
	gpio_checks "$LC_LOG" rebind
	expect "$LC_LOG" '^@@ before-reset get 1=1$' "line 0 held high again before system_reset"
	gpio_defaults_checks after-reset
	gpio_checks "$LC_LOG" after-reset
	expect "$LC_LOG" '^@@ before-reboot get 1=1$' "line 0 held high before the guest reboots"
	gpio_defaults_checks after-reboot
	gpio_checks "$LC_LOG" after-reboot
	expect "$LC_LOG" '^@@ dmesg virtio errors: 0$' "no virtio ring errors in the guest's log"
	[ "$(grep -c '^@@ dmesg virtio errors: 0$' "$LC_LOG")" = 3 ] || fail "not every boot ended clean: $(grep '^@@ dmesg virtio' "$LC_LOG" | tr '\n' ' ')"
	grep -q 'device reset' "$LC_DLOG" || fail "the daemon never reset the device"
	stop_daemon "$DPID"
	[ $CUR_FAIL = 0 ] || { sed -n 's/^@@ /        guest: /p' "$LC_LOG" | head -80; show_daemon_log lc 40; }
	finish "boot ${BOOT_SECS:-0}s"
}

# SCMI through a pause and a machine reset, under QEMU 10 (QEMU_ARM to
# change): notifications keep coming after QMP stop/cont; after
# system_reset with a sensor enabled and notifications on, the new driver
# gets none it did not ask for.  The host talks to the guest through the
# hwmon fixture's value (guest/scmi_lifecycle.sh).
scenario_lifecycle_scmi() {
	begin lifecycle_scmi "aarch64 SCMI guest: notifications across stop/cont, none unasked after system_reset"
	have_device scmi || { skip "device scmi not built"; return; }
	# one QEMU run, two boots
	local s=$WORK/ls.sock hw=$WORK/ls-hw NO_REBOOT="" VM_TIMEOUT=$((VM_TIMEOUT * 2))
	LC_LOG=$WORK/ls.console LC_QMP=$WORK/lsqmp.sock LC_DLOG=$WORK/ls.log
	mkdir -p "$hw"
	echo fixhw > "$hw/name"; echo 1000 > "$hw/temp1_input"; echo board > "$hw/temp1_label"
	daemon ls scmi -s "$s" -d fake,name=accel0 -d "hwmon,path=$hw"
	wait_for_socket "$s" "$DPID" || { fail "daemon did not create $s"; show_daemon_log ls; finish 0; return; }
	mkinitrd arm64 "$WORK/ls.cpio.gz" "$VM_DIR/guest/scmi_lifecycle.sh" +scmi_transport_virtio scmi-hwmon scmi_iio
	dtb_with "$WORK/ls.dtb" "$VM_DIR/dt/scmi.dtsi" || { finish 0; return; }
	: > "$WORK/lifecycle.requests"
	boot arm64 "$LC_LOG" "$WORK/ls.cpio.gz" -dtb "$WORK/ls.dtb" -qmp "unix:$LC_QMP,server=on,wait=off" \
		-chardev "socket,path=$s,id=scmi" -device vhost-user-scmi-pci,chardev=scmi &
	LC_QPID=$!
	echo "  requests QEMU sent ($("$(qemu_bin arm64)" --version | sed -n 's/.*version \([^ ]*\).*/QEMU \1/p')):"
	if step stop-cont; then
		mark a; qmp stop
		wait_after "$LC_DLOG" "$LC_a" 'GET_VRING_BASE' 2 30 "$LC_QPID" || fail "QMP stop: the daemon saw no GET_VRING_BASE for both queues"
		sleep 2   # (two update periods pass while the VM is stopped)
		mark b; qmp cont
		wait_after "$LC_DLOG" "$LC_b" 'SET_VRING_KICK' 2 30 "$LC_QPID" || fail "QMP cont: the rings were not started again"
		mark c; record "VM stop" "$LC_a" "$LC_b"; record "VM cont" "$LC_b" "$LC_c"
		echo 1100 > "$hw/temp1_input"
	fi
	if step reset; then
		mark d; echo 2000 > "$hw/temp1_input"; qmp system_reset
		wait_after "$LC_LOG" 0 '^@@ phase 2000' 1 "$VM_TIMEOUT" "$LC_QPID" || fail "the guest did not come back after system_reset"
		mark e; record "system_reset" "$LC_d" "$LC_e"
	fi
	wait "$LC_QPID" || fail "QEMU exited with $? (timeout: VM_TIMEOUT=$VM_TIMEOUT per guest run)"
	expect "$LC_LOG" '^@@ END' "the guest's last boot ran to its end"
	expect "$LC_LOG" '^@@ before-pause read=[1-9]' "scmi_iio buffer on: update notifications reach the guest"
	expect "$LC_LOG" '^@@ after-pause reads=6$' "after stop/cont: notifications keep coming (6 reads, the later ones only from notifications made after cont)"
	expect "$LC_LOG" '^@@ first-boot notifications=[1-9]' "the trace counts the notifications (the check below can see them)"
	expect "$LC_LOG" '^@@ fresh notifications=0$' "after system_reset with the sensor enabled: no notification the new driver did not ask for"
	expect "$LC_LOG" '^@@ fresh read=[1-9]' "after system_reset: the new driver enables the sensor and gets its notifications"
	expect "$LC_LOG" '^@@ rebind notifications=0$' "scmi-virtio unbound and bound again with the sensor enabled: no notification unasked"
	expect "$LC_LOG" '^@@ rebind read=[1-9]' "after the rebind: notifications once the driver asks"
	grep -q 'device reset' "$LC_DLOG" || fail "the daemon never reset the device"
	stop_daemon "$DPID"
	[ $CUR_FAIL = 0 ] || { sed -n 's/^@@ /        guest: /p' "$LC_LOG" | head -60; show_daemon_log ls 40; }
	finish "boot ${BOOT_SECS:-0}s"
}

