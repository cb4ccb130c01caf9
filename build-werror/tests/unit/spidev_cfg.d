build-werror/tests/unit/spidev_cfg.o: tests/unit/spidev_cfg.c \
 tests/unit/spidev_cfg.h
tests/unit/spidev_cfg.h:
