build-werror/tests/unit/test_vq.o: tests/unit/test_vq.c src/common/iov.h \
 src/common/log.h tests/unit/guestmem.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h src/vhost/proto.h src/vhost/vq.h src/vhost/mem.h \
 tests/unit/vqfx.h
src/common/iov.h:
src/common/log.h:
tests/unit/guestmem.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/proto.h:
src/vhost/vq.h:
src/vhost/mem.h:
tests/unit/vqfx.h:
