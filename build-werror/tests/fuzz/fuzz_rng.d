build-werror/tests/fuzz/fuzz_rng.o: tests/fuzz/fuzz_rng.c \
 tests/fuzz/fuzz_util.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h tests/fuzz/../../src/devices/rng.c src/common/log.h \
 src/common/opts.h src/common/sandbox.h src/vhost/dev.h src/vhost/loop.h \
 src/vhost/vq.h src/vhost/serve.h src/vhost/sockets.h src/vhost/loop.h
tests/fuzz/fuzz_util.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
tests/fuzz/../../src/devices/rng.c:
src/common/log.h:
src/common/opts.h:
src/common/sandbox.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/serve.h:
src/vhost/sockets.h:
src/vhost/loop.h:
