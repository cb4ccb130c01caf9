build-werror/tests/unit/test_gpio_gpiod.o: tests/unit/test_gpio_gpiod.c \
 src/devices/gpio.h src/vhost/loop.h src/vhost/vq.h src/vhost/mem.h \
 src/vhost/proto.h src/vhost/virtio.h
src/devices/gpio.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
