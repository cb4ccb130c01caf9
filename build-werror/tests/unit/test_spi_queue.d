build-werror/tests/unit/test_spi_queue.o: tests/unit/test_spi_queue.c \
 src/common/log.h src/devices/spi.h src/vhost/vq.h src/vhost/mem.h \
 src/vhost/proto.h src/vhost/virtio.h src/vhost/work.h src/vhost/loop.h \
 tests/unit/spidev_cfg.h src/vhost/dev.h src/vhost/vq.h src/vhost/loop.h
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
src/vhost/loop.h:
