# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Real QEMU + Linux guests (included by the top Makefile).
#   make check-vm   fetch/build what is needed (cached in ~/.cache/vhost-device),
#                   then run every guest scenario (tests/vm/run)
#   make demo-vm    one aarch64 guest with every device attached
#   make vm-tools   the static helper programs put into the guests
#   make try DEVICE=gpio|i2c|spi|scmi|all
#                   the demo's guest with a shell on this terminal (exit
#                   powers it off; Ctrl-A X ends QEMU)
#   make dtb        build/dtb/{scmi,spi}.dtb, the trees README's arm64
#                   examples pass with -dtb (tests/vm/dtb)
# VM_SCENARIOS="scmi i2c" limits check-vm; VM_TIMEOUT=secs per guest boot.

VM_SCENARIOS ?=
VM_TOOLS_DIR := build/vm
VM_CROSS_ARM64 ?= aarch64-linux-gnu-gcc-12
VM_STRIP_ARM64 ?= aarch64-linux-gnu-strip
VM_TOOL_CFLAGS := -static -Os -Wall -Wextra -Wshadow -Werror

$(VM_TOOLS_DIR)/spitool-arm64: tests/vm/tools/spitool.c
	@mkdir -p $(@D)
	$(VM_CROSS_ARM64) $(VM_TOOL_CFLAGS) -o $@ $<

# The frontend library driving a daemon inside an x86_64 guest, and a
# static daemon to run there (the guest has no libgpiod 1.x).
$(VM_TOOLS_DIR)/fetool-amd64: tests/vm/tools/fetool.c $(FE_SRC) $(wildcard tests/frontend/*.h src/vhost/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(VM_TOOL_CFLAGS) -std=gnu11 -o $@ tests/vm/tools/fetool.c $(FE_SRC)

$(VM_TOOLS_DIR)/vhost-device-amd64: $(MAIN_OBJ) $(B)/libvd.a
	@mkdir -p $(@D)
	$(CC) -static $(LDFLAGS) -o $@ $^ $(patsubst -lgpiod,-l:libgpiod.a,$(LDLIBS))

# The same two for the arm64 guest (hostdev_arm64): fetool by the cross
# compiler alone, the daemon as a static cross build in its own tree
# (libgpiod and libseccomp of arm64 through Debian multiarch: tests/vm/setup
# runs tools/deps arm64), stripped to keep every arm64 initramfs small.
VM_ARM64_B := $(VM_TOOLS_DIR)/aarch64-static
$(VM_TOOLS_DIR)/fetool-arm64: tests/vm/tools/fetool.c $(FE_SRC) $(wildcard tests/frontend/*.h src/vhost/*.h)
	@mkdir -p $(@D)
	$(VM_CROSS_ARM64) -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Isrc $(VM_TOOL_CFLAGS) -std=gnu11 -o $@ tests/vm/tools/fetool.c $(FE_SRC)

# the sub-make knows whether the binary is up to date
$(VM_TOOLS_DIR)/vhost-device-arm64: FORCE
	@$(MAKE) --no-print-directory B=$(VM_ARM64_B) BIN=$(VM_ARM64_B)/vhost-device \
		CC=$(VM_CROSS_ARM64) STATIC=1 $(VM_ARM64_B)/vhost-device
	@if ! [ $@ -nt $(VM_ARM64_B)/vhost-device ]; then \
		echo "  STRIP $@"; $(VM_STRIP_ARM64) -o $@ $(VM_ARM64_B)/vhost-device; fi

vm-tools: $(VM_TOOLS_DIR)/spitool-arm64 $(VM_TOOLS_DIR)/fetool-amd64 $(VM_TOOLS_DIR)/vhost-device-amd64 \
	$(VM_TOOLS_DIR)/fetool-arm64 $(VM_TOOLS_DIR)/vhost-device-arm64

# setup first: it installs the cross compiler the tools need.
check-vm: $(BIN)
	@tests/vm/setup
	@$(MAKE) --no-print-directory vm-tools
	@VHOST_DEVICE_BIN=$(CURDIR)/$(BIN) VM_TOOLS=$(CURDIR)/$(VM_TOOLS_DIR) tests/vm/run $(VM_SCENARIOS)

demo-vm: $(BIN)
	@tests/vm/setup
	@$(MAKE) --no-print-directory vm-tools
	@VHOST_DEVICE_BIN=$(CURDIR)/$(BIN) VM_TOOLS=$(CURDIR)/$(VM_TOOLS_DIR) tests/vm/run demo

DEVICE ?= all
try: $(BIN)
	@tests/vm/setup
	@$(MAKE) --no-print-directory vm-tools
	@VHOST_DEVICE_BIN=$(CURDIR)/$(BIN) VM_TOOLS=$(CURDIR)/$(VM_TOOLS_DIR) TRY_DEVICE=$(DEVICE) tests/vm/run try

# QEMU's virt tree for README's SCMI and SPI examples + tests/vm/dt/*.dtsi
dtb:
	@tests/vm/dtb build/dtb

.PHONY: check-vm demo-vm vm-tools dtb try FORCE
FORCE:
