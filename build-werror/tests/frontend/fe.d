build-werror/tests/frontend/fe.o: tests/frontend/fe.c tests/frontend/fe.h \
 src/vhost/proto.h src/vhost/virtio.h
tests/frontend/fe.h:
src/vhost/proto.h:
src/vhost/virtio.h:
