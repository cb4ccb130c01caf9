# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Real QEMU + Linux guests (included by the top Makefile).
#   make check-vm   fetch/build what is needed (cached in ~/.cache/vhost-device),
#                   then run every guest scenario (tests/vm/run)
#   make demo-vm    one aarch64 guest with every device attached
# VM_SCENARIOS="scmi i2c" limits check-vm; VM_TIMEOUT=secs per guest boot.

VM_SCENARIOS ?=

check-vm: $(BIN)
	@tests/vm/setup
	@VHOST_DEVICE_BIN=$(CURDIR)/$(BIN) tests/vm/run $(VM_SCENARIOS)

demo-vm: $(BIN)
	@tests/vm/setup
	@VHOST_DEVICE_BIN=$(CURDIR)/$(BIN) tests/vm/run demo

.PHONY: check-vm demo-vm
