build-werror/tests/unit/vqfx.o: tests/unit/vqfx.c src/common/log.h \
 tests/unit/vqfx.h tests/unit/guestmem.h src/vhost/mem.h \
 src/vhost/proto.h src/vhost/virtio.h src/vhost/proto.h src/vhost/vq.h \
 src/vhost/mem.h
src/common/log.h:
tests/unit/vqfx.h:
tests/unit/guestmem.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/proto.h:
src/vhost/vq.h:
src/vhost/mem.h:
