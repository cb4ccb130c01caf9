build-werror/tests/unit/gpiod_fake.o: tests/unit/gpiod_fake.c \
 tests/unit/gpiod_fake.h src/devices/gpio.h src/vhost/loop.h \
 src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h
tests/unit/gpiod_fake.h:
src/devices/gpio.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
