build-werror/tests/unit/test_spi_flash.o: tests/unit/test_spi_flash.c \
 src/devices/spi.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h src/vhost/work.h src/vhost/loop.h
src/devices/spi.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
