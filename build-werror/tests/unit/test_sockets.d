build-werror/tests/unit/test_sockets.o: tests/unit/test_sockets.c \
 src/common/opts.h src/vhost/dev.h src/vhost/loop.h src/vhost/virtio.h \
 src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h src/vhost/sockets.h
src/common/opts.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/virtio.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/sockets.h:
