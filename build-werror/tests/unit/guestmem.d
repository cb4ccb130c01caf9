build-werror/tests/unit/guestmem.o: tests/unit/guestmem.c \
 tests/unit/guestmem.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h src/vhost/proto.h
tests/unit/guestmem.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/proto.h:
