# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# gpio: libgpiod 1.x or 2.x, whichever $(PKG_CONFIG) finds (PKG_CONFIG_PATH
# selects another one, see tests/gpiod2/build.sh; a cross build asks the
# cross pkg-config, see the top Makefile).  GPIO=0, or no libgpiod found:
# the device still builds, with simulated chips only.
ifeq ($(GPIO),0)
GPIOD_VERSION :=
else
GPIOD_VERSION := $(shell $(PKG_CONFIG) --modversion libgpiod 2>/dev/null)
ifeq ($(GPIOD_VERSION),)
$(warning libgpiod not found by $(PKG_CONFIG): vhost-device gpio will support simulated chips only (run tools/deps, or build with GPIO=0 to silence this))
endif
endif
ifeq ($(GPIOD_VERSION),)
CPPFLAGS += -DVD_GPIOD_MAJOR=0
else
CPPFLAGS += -DVD_GPIOD_MAJOR=$(firstword $(subst ., ,$(GPIOD_VERSION))) $(shell $(PKG_CONFIG) --cflags libgpiod)
GPIOD_LIBS := $(shell $(PKG_CONFIG) $(PKG_CONFIG_LIBS) libgpiod)
LDLIBS   += $(GPIOD_LIBS)
endif
