build-werror/src/vhost/serve.o: src/vhost/serve.c src/common/log.h \
 src/common/sandbox.h src/common/opts.h src/vhost/activate.h \
 src/vhost/efd.h src/vhost/serve.h src/vhost/dev.h src/vhost/loop.h \
 src/vhost/virtio.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/sockets.h
src/common/log.h:
src/common/sandbox.h:
src/common/opts.h:
src/vhost/activate.h:
src/vhost/efd.h:
src/vhost/serve.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/virtio.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/sockets.h:
