build-werror/src/devices/spi_core.o: src/devices/spi_core.c \
 src/common/iov.h src/common/log.h src/devices/spi.h src/vhost/vq.h \
 src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h src/vhost/work.h \
 src/vhost/loop.h src/vhost/dev.h src/vhost/vq.h
src/common/iov.h:
src/common/log.h:
src/devices/spi.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
src/vhost/dev.h:
src/vhost/vq.h:
