build-werror/tests/fuzz/fuzz_msg.o: tests/fuzz/fuzz_msg.c \
 src/common/iov.h src/common/log.h src/vhost/dev.h src/vhost/loop.h \
 src/vhost/virtio.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/loop.h src/vhost/proto.h tests/fuzz/fuzz_util.h src/vhost/vq.h
src/common/iov.h:
src/common/log.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/virtio.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/loop.h:
src/vhost/proto.h:
tests/fuzz/fuzz_util.h:
src/vhost/vq.h:
