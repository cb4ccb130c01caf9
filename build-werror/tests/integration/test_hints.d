build-werror/tests/integration/test_hints.o: \
 tests/integration/test_hints.c tests/integration/../frontend/fe.h \
 src/vhost/proto.h src/vhost/virtio.h \
 tests/integration/../frontend/itest.h tests/integration/../frontend/fe.h \
 tests/integration/../frontend/proc.h
tests/integration/../frontend/fe.h:
src/vhost/proto.h:
src/vhost/virtio.h:
tests/integration/../frontend/itest.h:
tests/integration/../frontend/fe.h:
tests/integration/../frontend/proc.h:
