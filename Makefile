# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Non-recursive build of the vhost-device multi-call binary and its tests.

CC       ?= cc
# Cross builds: CC=aarch64-linux-gnu-gcc (or arm-linux-gnueabihf-gcc,
# riscv64-linux-gnu-gcc, ...) picks the matching ar, strip and
# pkg-config (Debian multiarch: aarch64-linux-gnu-pkg-config comes with
# pkgconf:arm64 and finds libgpiod-dev:arm64).  Set CROSS_COMPILE or
# PKG_CONFIG to override.
ifeq ($(origin CROSS_COMPILE),undefined)
CROSS_COMPILE := $(shell echo '$(notdir $(firstword $(CC)))' | \
	sed -n 's/^\(.*-\)\(gcc\|clang\|cc\)\(-[0-9.]*\)\{0,1\}$$/\1/p')
endif
ifeq ($(origin AR),default)
AR       := $(CROSS_COMPILE)ar
endif
STRIP    ?= $(CROSS_COMPILE)strip
PKG_CONFIG ?= $(CROSS_COMPILE)pkg-config
# STATIC=1: one static binary (libgpiod linked in); GPIO=0: no libgpiod
# at all, gpio serves simulated chips only (src/devices/gpio.mk).
STATIC   ?= 0
GPIO     ?= 1
ifeq ($(STATIC),1)
override LDFLAGS += -static
PKG_CONFIG_LIBS := --libs --static
else
PKG_CONFIG_LIBS := --libs
endif
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
# systemd template units (contrib/systemd); Debian: UNITDIR=/lib/systemd/system
UNITDIR  ?= $(PREFIX)/lib/systemd/system
# vhost-user backend description files (QEMU's docs/interop/vhost-user.json)
QEMUDIR  ?= $(PREFIX)/share/qemu/vhost-user
DESTDIR  ?=
# No unwind tables in the default build: nothing in the program unwinds
# (C only: no backtrace(), no pthread_cancel), and .eh_frame was 28 KiB
# of the stripped binary; -g still gives debuggers .debug_frame.
CFLAGS   ?= -O2 -g -fno-asynchronous-unwind-tables
WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Isrc
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS)
LDLIBS   ?=
B        ?= build
BIN      ?= vhost-device

DEVICES  := $(shell sed -n 's/^DEVICE.\([a-z0-9]*\),.*/\1/p' src/devices.def)

LIB_SRC  := $(wildcard src/common/*.c src/vhost/*.c src/devices/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
MAIN_OBJ := $(B)/src/main.o
FE_SRC   := $(wildcard tests/frontend/*.c)
FE_OBJ   := $(FE_SRC:%.c=$(B)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:%.c=$(B)/%)
INT_SRC  := $(wildcard tests/integration/test_*.c)
INT_BIN  := $(INT_SRC:%.c=$(B)/%)
TEST_HELPER_SRC := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
TEST_HELPER_OBJ := $(TEST_HELPER_SRC:%.c=$(B)/%.o)

# The sandbox's seccomp filter needs libseccomp; `make SECCOMP=0` builds
# without it (Landlock, capabilities and --user still apply) and
# --version says so.  Switching it needs `make clean`.
SECCOMP  ?= 1
ifeq ($(SECCOMP),0)
CPPFLAGS += -DVD_SECCOMP=0
else
ifeq ($(shell $(PKG_CONFIG) --exists libseccomp && echo y),)
$(error libseccomp not found by $(PKG_CONFIG): install libseccomp-dev (tools/deps) or build without the seccomp filter: make SECCOMP=0)
endif
CPPFLAGS += -DVD_SECCOMP=1 $(shell $(PKG_CONFIG) --cflags libseccomp)
LDLIBS   += $(shell $(PKG_CONFIG) $(PKG_CONFIG_LIBS) libseccomp)
endif

# Per-device build settings (libraries, flags): src/devices/<dev>.mk
include $(wildcard src/devices/*.mk)

CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(B)/libvd.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/libvd.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/unit/test_%: $(B)/tests/unit/test_%.o $(TEST_HELPER_OBJ) $(B)/libvd.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

$(B)/tests/integration/test_%: $(B)/tests/integration/test_%.o $(FE_OBJ) $(B)/libvd.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

$(B)/tools/%: $(B)/tools/%.o $(FE_OBJ) $(B)/libvd.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@tools/deps --check

# Every device against a do-nothing backend of the same core, in one run
# (tools/bench.c, BENCHMARKS.md); reports, never fails on a threshold.
BENCH_BIN := $(B)/tools/bench $(B)/tools/bench-null
bench: $(BIN) $(BENCH_BIN)
	@$(B)/tools/bench ./$(BIN) $(B)/tools/bench-null

# The README's first command: daemons on simulated peripherals and one
# real Linux guest under QEMU using them (tests/vm/vm.mk, demo-vm).
demo: deps demo-vm

# The same without a VM: the SCMI daemon queried over vhost-user by the
# project's own frontend (no downloads, no QEMU).
demo-quick: deps $(BIN) $(B)/tools/scmi-query
	@tools/demo ./$(BIN) $(B)/tools/scmi-query

# The frontend as a command (tests/vm/tools/fetool.c), for the scripts.
FETOOL   := $(B)/tests/vm/tools/fetool
$(FETOOL): $(B)/tests/vm/tools/fetool.o $(FE_OBJ) $(B)/libvd.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Man pages: man/*.1 with the shared parts (man/common/*.man) filled in
# and the socket-count range taken from the option table (tools/manpage).
MAN_SRC  := $(wildcard man/*.1)
MAN_OUT  := $(MAN_SRC:man/%=$(B)/man/%)

man: $(MAN_OUT)
.PHONY: man

$(B)/man/vhost-device-%.1: man/vhost-device-%.1 $(wildcard man/common/*.man) tools/manpage $(BIN)
	@mkdir -p $(dir $@)
	tools/manpage build $(abspath $(BIN)) $* $< $@

$(B)/man/%.1: man/%.1
	@mkdir -p $(dir $@)
	cp $< $@

tests: $(MAN_OUT)
# cli.sh checks the built pages
export VHOST_DEVICE_MAN := $(abspath $(B))/man

tests: $(UNIT_BIN) $(INT_BIN) $(BIN) $(FETOOL) $(BENCH_BIN)

check: deps tests
	@VHOST_DEVICE_BIN=$(CURDIR)/$(BIN) VD_FETOOL=$(CURDIR)/$(FETOOL) BENCH_DIR=$(CURDIR)/$(B)/tools FUZZ_REPLAY_DIR=$(CURDIR)/$(B)/tests/fuzz tests/run-tests $(UNIT_BIN) $(INT_BIN) tests/scripts/*.sh

# Sanitizer build in its own directory, then the whole suite under it.
# The daemons run with --sandbox=off: LeakSanitizer's exit-time check
# stops the process with prctl, clone and ptrace and reads /proc, all of
# which the sandbox refuses (`make check` covers the sandbox).
check-asan:
	VHOST_DEVICE_ARGS=--sandbox=off $(MAKE) B=build-asan BIN=build-asan/vhost-device CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" check

# Line and branch coverage per file of src/ (gcovr, tools/coverage) from
# the unit and integration tests and the fuzz-corpus replays, all run by
# `check` in a --coverage build in build-cov/.  The sandbox of a coverage
# build lets gcov write its counts there at exit (VD_COVERAGE_DIR).
COV_B := build-cov
# umask 0: a daemon that switches to nobody can add its counts too.
coverage:
	@find $(COV_B) -name '*.gcda' -delete 2>/dev/null || true
	@umask 0; $(MAKE) B=$(COV_B) BIN=$(COV_B)/vhost-device LDFLAGS="--coverage" \
		CFLAGS="-O0 -g --coverage -DVD_COVERAGE_DIR='\"$(CURDIR)/$(COV_B)\"'" check; \
	s=$$?; tools/coverage $(COV_B) && exit $$s

# The integration suite with the daemon running under valgrind memcheck,
# with --sandbox=off: valgrind (3.19) implements neither seccomp(2) nor
# the Landlock calls, and its translator needs executable mappings.
# allregs-at-mem-access: the daemon resumes from SIGBUS when a frontend
# truncates guest memory (mem.h), which needs exact registers at a fault.
# Every block still allocated at exit is an error, "still reachable" ones
# too: a pointer left in static storage (a device's state is static) hides
# a missing free() from the "definitely lost" check.
check-valgrind: tests
	@VHOST_DEVICE_ARGS=--sandbox=off VHOST_DEVICE_BIN=$(CURDIR)/vhost-device VHOST_DEVICE_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all --vex-iropt-register-updates=allregs-at-mem-access" \
		tests/run-tests $(INT_BIN)

install: vhost-device man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 vhost-device $(DESTDIR)$(BINDIR)/vhost-device
	for d in $(DEVICES) ctl; do ln -sf vhost-device $(DESTDIR)$(BINDIR)/vhost-device-$$d; done
	for m in $(MAN_OUT); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	install -d $(DESTDIR)$(UNITDIR)
	for u in contrib/systemd/*@.service contrib/systemd/*@.socket; do install -m 644 $$u $(DESTDIR)$(UNITDIR)/; done
	$(MAKE) install-qemu

# vhost-user backend description files, with the binary's installed path
install-qemu:
	install -d $(DESTDIR)$(QEMUDIR)
	for j in contrib/qemu/*.json.in; do sed 's|@BINDIR@|$(BINDIR)|' $$j > $(DESTDIR)$(QEMUDIR)/$$(basename $$j .in); done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vhost-device $(foreach d,$(DEVICES) ctl,$(DESTDIR)$(BINDIR)/vhost-device-$(d))
	for m in man/*.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$$(basename $$m); done
	for u in contrib/systemd/*@.service contrib/systemd/*@.socket; do rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$u); done
	for j in contrib/qemu/*.json.in; do rm -f $(DESTDIR)$(QEMUDIR)/$$(basename $$j .in); done

# GPIO=0, static and cross (arm64, armhf, riscv64) builds, each checked,
# the integration suite run against the cross binaries under qemu-user,
# and each stripped size printed (tools/variants; installs its toolchains).
variants:
	@tools/variants

# The Debian package (debian/), built from a copy of the tree into
# build-deb/ and checked with lintian (tools/deb; CI adds --install).
deb:
	@tools/deb

clean:
	rm -rf build build-asan build-cov build-fuzz build-var build-noseccomp build-deb vhost-device

.PHONY: all bench coverage demo demo-quick deps tests check check-asan check-valgrind install install-qemu uninstall clean variants deb

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# Fuzz targets (libFuzzer, clang): tests/fuzz/fuzz.mk
-include tests/fuzz/fuzz.mk
# Real QEMU + Linux guests (make check-vm, make demo-vm): tests/vm/vm.mk
-include tests/vm/vm.mk
.SECONDARY:
