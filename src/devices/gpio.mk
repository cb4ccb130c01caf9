# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# gpio: libgpiod 1.x or 2.x, whichever pkg-config finds (PKG_CONFIG_PATH
# selects another one, see tests/gpiod2/build.sh).  Without libgpiod the
# device still builds: simulated chips only.
GPIOD_VERSION := $(shell pkg-config --modversion libgpiod 2>/dev/null)
ifeq ($(GPIOD_VERSION),)
$(warning libgpiod not found by pkg-config: vhost-device gpio will support simulated chips only (run tools/deps))
CPPFLAGS += -DVD_GPIOD_MAJOR=0
else
CPPFLAGS += -DVD_GPIOD_MAJOR=$(firstword $(subst ., ,$(GPIOD_VERSION))) $(shell pkg-config --cflags libgpiod)
LDLIBS   += $(shell pkg-config --libs libgpiod)
endif
