build-werror/tests/integration/test_scmi_iiobuf.o: \
 tests/integration/test_scmi_iiobuf.c tests/integration/../frontend/fe.h \
 src/vhost/proto.h src/vhost/virtio.h \
 tests/integration/../frontend/itest.h tests/integration/../frontend/fe.h \
 tests/integration/../frontend/proc.h
tests/integration/../frontend/fe.h:
src/vhost/proto.h:
src/vhost/virtio.h:
tests/integration/../frontend/itest.h:
tests/integration/../frontend/fe.h:
tests/integration/../frontend/proc.h:
