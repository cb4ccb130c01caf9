build-werror/tests/fuzz/fuzz_util.o: tests/fuzz/fuzz_util.c \
 tests/fuzz/fuzz_util.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h
tests/fuzz/fuzz_util.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
