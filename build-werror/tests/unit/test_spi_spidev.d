build-werror/tests/unit/test_spi_spidev.o: tests/unit/test_spi_spidev.c \
 src/devices/spi.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h src/vhost/work.h src/vhost/loop.h src/vhost/dev.h \
 src/vhost/vq.h tests/unit/spi_elem.h
src/devices/spi.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
src/vhost/dev.h:
src/vhost/vq.h:
tests/unit/spi_elem.h:
