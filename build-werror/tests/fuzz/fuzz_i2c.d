build-werror/tests/fuzz/fuzz_i2c.o: tests/fuzz/fuzz_i2c.c \
 src/common/log.h src/devices/i2c.h src/vhost/vq.h src/vhost/mem.h \
 src/vhost/proto.h src/vhost/virtio.h src/vhost/work.h src/vhost/loop.h \
 src/devices/imgfile.h src/vhost/loop.h src/vhost/dev.h src/vhost/vq.h \
 tests/fuzz/fuzz_util.h
src/common/log.h:
src/devices/i2c.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
src/devices/imgfile.h:
src/vhost/loop.h:
src/vhost/dev.h:
src/vhost/vq.h:
tests/fuzz/fuzz_util.h:
