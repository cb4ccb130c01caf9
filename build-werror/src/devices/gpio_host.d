build-werror/src/devices/gpio_host.o: src/devices/gpio_host.c \
 src/common/log.h src/devices/gpio.h src/vhost/loop.h src/vhost/vq.h \
 src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h
src/common/log.h:
src/devices/gpio.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
