build-werror/tests/unit/test_conform_gpio.o: \
 tests/unit/test_conform_gpio.c src/devices/gpio.h src/vhost/loop.h \
 src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h \
 src/vhost/dev.h src/vhost/loop.h src/vhost/vq.h tests/unit/gpiod_fake.h
src/devices/gpio.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/vq.h:
tests/unit/gpiod_fake.h:
