build-werror/tests/unit/test_spi_adc.o: tests/unit/test_spi_adc.c \
 src/devices/spi.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h src/vhost/work.h src/vhost/loop.h \
 tests/unit/spi_elem.h
src/devices/spi.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
tests/unit/spi_elem.h:
