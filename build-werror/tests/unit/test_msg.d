build-werror/tests/unit/test_msg.o: tests/unit/test_msg.c \
 tests/unit/devfx.h src/vhost/dev.h src/vhost/loop.h src/vhost/virtio.h \
 src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h src/vhost/loop.h \
 src/vhost/proto.h tests/unit/guestmem.h src/vhost/mem.h
tests/unit/devfx.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/virtio.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/loop.h:
src/vhost/proto.h:
tests/unit/guestmem.h:
src/vhost/mem.h:
