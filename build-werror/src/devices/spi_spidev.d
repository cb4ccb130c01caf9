build-werror/src/devices/spi_spidev.o: src/devices/spi_spidev.c \
 src/common/log.h src/common/sandbox.h src/common/opts.h \
 src/devices/spi.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h src/vhost/work.h src/vhost/loop.h
src/common/log.h:
src/common/sandbox.h:
src/common/opts.h:
src/devices/spi.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
