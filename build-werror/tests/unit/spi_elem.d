build-werror/tests/unit/spi_elem.o: tests/unit/spi_elem.c \
 tests/unit/spi_elem.h src/devices/spi.h src/vhost/vq.h src/vhost/mem.h \
 src/vhost/proto.h src/vhost/virtio.h src/vhost/work.h src/vhost/loop.h
tests/unit/spi_elem.h:
src/devices/spi.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
