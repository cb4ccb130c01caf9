build-werror/tests/vm/tools/fetool.o: tests/vm/tools/fetool.c \
 tests/vm/tools/../../frontend/fe.h src/vhost/proto.h src/vhost/virtio.h
tests/vm/tools/../../frontend/fe.h:
src/vhost/proto.h:
src/vhost/virtio.h:
