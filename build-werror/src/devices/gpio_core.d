build-werror/src/devices/gpio_core.o: src/devices/gpio_core.c \
 src/common/iov.h src/common/log.h src/devices/gpio.h src/vhost/loop.h \
 src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h \
 src/vhost/dev.h src/vhost/loop.h src/vhost/vq.h
src/common/iov.h:
src/common/log.h:
src/devices/gpio.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/vq.h:
