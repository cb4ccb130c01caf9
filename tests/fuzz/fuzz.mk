# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# libFuzzer targets (included by the top Makefile).
#
#   make fuzz                   build build-fuzz/fuzz_* (clang, libFuzzer, ASan, UBSan)
#   make check-fuzz             run each for FUZZ_SECONDS (30) from a copy of its
#                               seed corpus; fails on any crash
#   make check-fuzz FUZZ_TARGETS=vq FUZZ_SECONDS=600 FUZZ_ARGS=-fork=4
#                               (not -jobs: it writes fuzz-N.log into the tree)
#   build-fuzz/fuzz_vq DIR...   run one by hand (libFuzzer options apply)
#   make fuzz-cov [FUZZ_CORPUS=DIR]  line/branch coverage of src/ reached by
#                               the seed corpora (or by DIR/<target>/, e.g. a
#                               corpus grown by a long run)
#
# Without clang: build/tests/fuzz/replay_<target> (built by `make tests`
# with $(CC)) replays files or directories; tests/scripts/fuzz-replay.sh
# replays the seed corpora in `make check`.

FUZZ_CC      ?= clang
FUZZ_B       ?= build-fuzz
FUZZ_SECONDS ?= 30
FUZZ_ARGS    ?=
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		-fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=gnu11 $(WARN) -O1 -g $(FUZZ_SAN)

# fuzz_scmi only once the SCMI request handler exists
FUZZ_HAVE_SCMI := $(shell grep -ls '^int scmi_handle' src/devices/*.c 2>/dev/null)
FUZZ_TARGETS ?= vq msg $(if $(FUZZ_HAVE_SCMI),scmi) gpio i2c spi rng ctl i2c_ctl

FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_B)/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(B)/tests/fuzz/replay_%)

fuzz: $(FUZZ_BINS)

# the library with coverage instrumentation but without libFuzzer's main
$(FUZZ_B)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_B)/libvd.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# tests/fuzz/fuzz_util.c is linked into every target and replayer
FUZZ_UTIL := tests/fuzz/fuzz_util.c

$(FUZZ_B)/fuzz_util.o: $(FUZZ_UTIL)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_B)/fuzz_util.o $(FUZZ_B)/libvd.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(FUZZ_B)/fuzz_util.o $(FUZZ_B)/libvd.a $(LDLIBS)

# replayers with the normal compiler
$(B)/tests/fuzz/replay_%: $(B)/tests/fuzz/fuzz_%.o $(B)/tests/fuzz/replay_main.o $(FUZZ_UTIL:%.c=$(B)/%.o) $(B)/libvd.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests: $(FUZZ_REPLAY)

check-fuzz: $(FUZZ_BINS)
	@fail=0; for t in $(FUZZ_TARGETS); do \
		w=$$(mktemp -d "$${TMPDIR:-/tmp}/vd-fuzz-$$t.XXXXXX"); \
		mkdir -p "$$w/corpus" "$$w/artifacts"; \
		cp tests/fuzz/corpus/$$t/* "$$w/corpus/" 2>/dev/null; \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
		if $(FUZZ_B)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$$w/artifacts/" $(FUZZ_ARGS) "$$w/corpus" >"$$w/log" 2>&1; then \
			grep -E '^(#[0-9]+.*DONE|Done|stat::number_of_executed_units|stat::average_exec_per_sec)' "$$w/log" | sed 's/^/    /'; \
			rm -rf "$$w"; \
		else \
			echo "FAIL fuzz_$$t: log, corpus and reproducer kept in $$w"; \
			grep -vE '^#[0-9]+' "$$w/log" | tail -n 60 | sed 's/^/    /'; \
			fail=1; \
		fi; \
	done; exit $$fail

# source-based coverage: the replayers built with clang's profiling
FUZZ_CORPUS  ?= tests/fuzz/corpus
FUZZ_COV_FLAGS := -std=gnu11 $(WARN) -O0 -g -fprofile-instr-generate -fcoverage-mapping

$(FUZZ_B)/cov/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_COV_FLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_B)/cov/libvd.a: $(LIB_SRC:%.c=$(FUZZ_B)/cov/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_B)/cov/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(FUZZ_UTIL) $(FUZZ_B)/cov/libvd.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_COV_FLAGS) -o $@ $^ $(LDLIBS)

# the files each target is about
FUZZ_COV_SRC_vq   := src/vhost/vq.c src/vhost/mem.c
FUZZ_COV_SRC_msg  := src/vhost/dev.c src/vhost/msg.c src/vhost/loop.c src/vhost/vq.c src/vhost/mem.c
FUZZ_COV_SRC_scmi := $(wildcard src/devices/scmi_proto.c src/devices/scmi_proto_sensor.c \
		     src/devices/scmi_state.c src/devices/scmi_fake.c)
FUZZ_COV_SRC_gpio := src/devices/gpio_core.c src/devices/gpio_names.c src/devices/gpio_sim.c \
		     src/devices/gpio_host.c
FUZZ_COV_SRC_i2c  := src/devices/i2c_bus.c src/devices/i2c_sim.c
FUZZ_COV_SRC_rng  := src/devices/rng.c
FUZZ_COV_SRC_spi  := src/devices/spi_core.c src/devices/spi_sim.c src/devices/spi_flash.c \
		     src/devices/spi_spidev.c

fuzz-cov: $(FUZZ_TARGETS:%=fuzz-cov-%)

fuzz-cov-%: $(FUZZ_B)/cov/replay_%
	@rm -f $(FUZZ_B)/cov/$*.profraw
	@LLVM_PROFILE_FILE=$(FUZZ_B)/cov/$*.profraw $< $(FUZZ_CORPUS)/$* >/dev/null 2>&1 || \
		{ echo "replay_$* failed on $(FUZZ_CORPUS)/$*"; exit 1; }
	@llvm-profdata merge -o $(FUZZ_B)/cov/$*.profdata $(FUZZ_B)/cov/$*.profraw
	@echo "== fuzz_$* ($(FUZZ_CORPUS)/$*: $$(ls $(FUZZ_CORPUS)/$* | wc -l) inputs)"
	@llvm-cov report $< -instr-profile=$(FUZZ_B)/cov/$*.profdata $(FUZZ_COV_SRC_$*) | grep -v '^---'

.PHONY: fuzz check-fuzz fuzz-cov

-include $(shell find $(FUZZ_B) -name '*.d' 2>/dev/null)
