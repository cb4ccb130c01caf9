build-werror/src/devices/gpio_gpiod.o: src/devices/gpio_gpiod.c \
 src/common/sandbox.h src/common/opts.h src/devices/gpio.h \
 src/vhost/loop.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h
src/common/sandbox.h:
src/common/opts.h:
src/devices/gpio.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
