build-werror/tests/fuzz/fuzz_gpio.o: tests/fuzz/fuzz_gpio.c \
 src/common/log.h src/devices/gpio.h src/vhost/loop.h src/vhost/vq.h \
 src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h src/vhost/dev.h \
 src/vhost/loop.h src/vhost/vq.h tests/fuzz/fuzz_util.h
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
tests/fuzz/fuzz_util.h:
