build-werror/tests/unit/test_conform_spi.o: tests/unit/test_conform_spi.c \
 src/common/log.h src/devices/spi.h src/vhost/vq.h src/vhost/mem.h \
 src/vhost/proto.h src/vhost/virtio.h src/vhost/work.h src/vhost/loop.h \
 tests/unit/spidev_cfg.h src/vhost/dev.h src/vhost/vq.h
src/common/log.h:
src/devices/spi.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
tests/unit/spidev_cfg.h:
src/vhost/dev.h:
src/vhost/vq.h:
