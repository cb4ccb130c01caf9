# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# `make try DEVICE=gpio|i2c|spi|scmi|all` (sourced by tests/vm/run): the
# demo's aarch64 guest with the chosen devices, on simulated peripherals,
# and a shell on the console (QEMU's -serial mon:stdio) instead of a
# script.  Leaving the shell powers the guest off and stops the daemons.
# Runs from the cache tests/vm/setup filled: no network.
#   TRY_DEVICE   gpio, i2c, spi, scmi or all (default all); a list
#                separated by commas works too
#   TRY_TIMEOUT  hard limit in seconds (default: none)

scenario_try() {
	local want=${TRY_DEVICE:-all} d args=() mods=() why log=$WORK/try.console
	local QEMU_ARM=${QEMU_ARM:-}
	[ "$want" = all ] && want=gpio,i2c,spi,scmi
	begin try "an aarch64 guest with $want and a shell"
	: > "$WORK/try.dtsi"
	for d in ${want//,/ }; do
		case $d in
		gpio|i2c|spi|scmi) have_device "$d" || { fail "device $d not built"; finish 0; return; };;
		*) fail "DEVICE=$d: one of gpio, i2c, spi, scmi, all"; finish 0; return;;
		esac
		case $d in
		gpio)
			daemon gpio gpio -s "$WORK/gpio.sock" -l s8
			wait_for_socket "$WORK/gpio.sock0" "$DPID" || { fail "gpio daemon did not start"; show_daemon_log gpio; finish 0; return; }
			args+=(-chardev "socket,path=$WORK/gpio.sock0,id=gpio" -device vhost-user-gpio-pci,chardev=gpio)
			mods+=(gpio-virtio);;
		i2c)
			daemon i2c i2c -s "$WORK/i2c.sock" --sim "24c02@0x50,file=$WORK/try-ee.bin" --sim lm75@0x48,temp=27.5
			wait_for_socket "$WORK/i2c.sock0" "$DPID" || { fail "i2c daemon did not start"; show_daemon_log i2c; finish 0; return; }
			args+=(-chardev "socket,path=$WORK/i2c.sock0,id=i2c" -device vhost-user-i2c-pci,chardev=i2c)
			mods+=(i2c-virtio i2c-dev at24 lm75);;
		scmi)
			daemon scmi scmi -s "$WORK/scmi.sock" -d fake,name=accel0
			wait_for_socket "$WORK/scmi.sock" "$DPID" || { fail "scmi daemon did not start"; show_daemon_log scmi; finish 0; return; }
			args+=(-chardev "socket,path=$WORK/scmi.sock,id=scmi" -device vhost-user-scmi-pci,chardev=scmi)
			mods+=(scmi_transport_virtio scmi-hwmon scmi_iio)
			cat "$VM_DIR/dt/scmi.dtsi" >> "$WORK/try.dtsi";;
		spi)
			why=$(spi_ready) || { fail "SPI: $why"; finish 0; return; }
			QEMU_ARM=$Q11/qemu-system-aarch64
			daemon spi spi -s "$WORK/spi.sock" --sim loopback --sim "flash,file=$WORK/try-nor.img"
			wait_for_socket "$WORK/spi.sock0" "$DPID" || { fail "spi daemon did not start"; show_daemon_log spi; finish 0; return; }
			spi_args "$WORK/spi.sock0"
			args+=("${SPI_ARGS[@]}")
			mods+=(virtio_mmio spi-virtio spi-nor)
			cat "$VM_DIR/dt/spi.dtsi" >> "$WORK/try.dtsi";;
		esac
	done
	mkinitrd arm64 "$WORK/try.cpio.gz" "$VM_DIR/guest/try.sh" "${mods[@]}"
	dtb_with "$WORK/try.dtb" "$WORK/try.dtsi" || { finish 0; return; }
	echo "booting an aarch64 guest with $want ($("$(qemu_bin arm64)" --version | head -1), TCG)..."
	# the console on this terminal; no timeout unless asked
	local cmd="${TRY_TIMEOUT:+timeout -k 5 $TRY_TIMEOUT} $(qemu_bin arm64) $(qemu_args arm64 "$WORK/try.cpio.gz" |
		sed 's/quiet loglevel=4/quiet loglevel=1/') -serial mon:stdio -dtb \"\$WORK/try.dtb\" \"\${args[@]}\""
	if [ -n "${TRY_SCRIPT:-}" ]; then
		# typed by the test (try_all) once the shell prompts
		mkfifo "$WORK/try.in"
		( exec 3>"$WORK/try.in"; wait_for_line "$log" 'try# ' "${TRY_TIMEOUT:-180}" && cat "$TRY_SCRIPT" >&3 ) &
		eval "$cmd" < "$WORK/try.in" > "$log" 2>&1
		sed -i 's/\r$//' "$log"
	else
		eval "$cmd"
	fi
	local rc=$? p
	[ $rc = 0 ] || fail "QEMU exited with $rc"
	for p in "${CUR_DAEMONS[@]}"; do stop_daemon "$p"; done
	finish "try"
}

# try_all: `make try DEVICE=all` with commands typed once the shell
# prompts; the tools' output on the console is checked.
scenario_try_all() {
	local log=$WORK/try.console
	printf '%s\n' 'gpiodetect' 'i2cdetect -y 0' 'cat /sys/class/hwmon/hwmon*/temp1_input' \
		'spitool loop /dev/spidev0.0' 'ls /sys/bus/iio/devices' 'exit' > "$WORK/try.script"
	TRY_DEVICE=all TRY_SCRIPT=$WORK/try.script TRY_TIMEOUT=$VM_TIMEOUT scenario_try
	CUR=try_all
	RESULTS[${#RESULTS[@]}-1]=${RESULTS[${#RESULTS[@]}-1]/ try / try_all }
	expect "$log" '^gpiochip[0-9]+ \[virtio[0-9]+\] \(8 lines\)' "gpiodetect typed at the prompt: the virtio chip with 8 lines"
	expect "$log" '^50: UU' "i2cdetect -y 0: the 24c02 at 0x50 (bound to at24 by the guest)"
	expect "$log" '^27500$' "the lm75's temperature through hwmon (27.5 C)"
	expect "$log" 'rx == tx for both transfers' "spitool loop /dev/spidev0.0: the loopback returns what was sent"
	expect "$log" 'iio:device0' "the SCMI accelerometer through scmi_iio"
	expect "$log" '^@@ END' "exit left the shell and powered the guest off"
	if [ $CUR_FAIL = 1 ]; then
		RESULTS[${#RESULTS[@]}-1]="FAIL try_all"; FAILED=1
		tail -40 "$log" | sed 's/^/        /'
	fi
}
