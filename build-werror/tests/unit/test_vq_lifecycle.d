build-werror/tests/unit/test_vq_lifecycle.o: \
 tests/unit/test_vq_lifecycle.c tests/unit/vqfx.h tests/unit/guestmem.h \
 src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h src/vhost/proto.h \
 src/vhost/vq.h src/vhost/mem.h
tests/unit/vqfx.h:
tests/unit/guestmem.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/proto.h:
src/vhost/vq.h:
src/vhost/mem.h:
