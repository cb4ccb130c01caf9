build-werror/tests/frontend/itest.o: tests/frontend/itest.c \
 tests/frontend/itest.h tests/frontend/fe.h src/vhost/proto.h \
 src/vhost/virtio.h tests/frontend/proc.h
tests/frontend/itest.h:
tests/frontend/fe.h:
src/vhost/proto.h:
src/vhost/virtio.h:
tests/frontend/proc.h:
