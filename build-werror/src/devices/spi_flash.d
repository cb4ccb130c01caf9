build-werror/src/devices/spi_flash.o: src/devices/spi_flash.c \
 src/devices/imgfile.h src/vhost/loop.h src/vhost/work.h src/vhost/loop.h \
 src/devices/spi.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h
src/devices/imgfile.h:
src/vhost/loop.h:
src/vhost/work.h:
src/vhost/loop.h:
src/devices/spi.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
