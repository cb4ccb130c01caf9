build-werror/tests/fuzz/fuzz_vq.o: tests/fuzz/fuzz_vq.c src/common/log.h \
 src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h \
 tests/fuzz/fuzz_util.h
src/common/log.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
tests/fuzz/fuzz_util.h:
