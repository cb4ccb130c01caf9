build-werror/tests/unit/test_dev_lifecycle.o: \
 tests/unit/test_dev_lifecycle.c src/common/log.h tests/unit/guestmem.h \
 src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h src/vhost/proto.h \
 src/vhost/dev.h src/vhost/loop.h src/vhost/vq.h src/vhost/mem.h \
 src/vhost/loop.h
src/common/log.h:
tests/unit/guestmem.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/proto.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/loop.h:
