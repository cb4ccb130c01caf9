build-werror/tests/unit/test_mem.o: tests/unit/test_mem.c \
 tests/unit/guestmem.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h src/vhost/proto.h
tests/unit/guestmem.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/proto.h:
