build-werror/tests/integration/test_i2c.o: tests/integration/test_i2c.c \
 tests/integration/../frontend/fe.h src/vhost/proto.h src/vhost/virtio.h \
 tests/integration/../frontend/itest.h tests/integration/../frontend/fe.h \
 tests/integration/../frontend/proc.h
tests/integration/../frontend/fe.h:
src/vhost/proto.h:
src/vhost/virtio.h:
tests/integration/../frontend/itest.h:
tests/integration/../frontend/fe.h:
tests/integration/../frontend/proc.h:
