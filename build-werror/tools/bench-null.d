build-werror/tools/bench-null.o: tools/bench-null.c src/common/log.h \
 src/vhost/proto.h src/vhost/virtio.h src/vhost/serve.h src/common/opts.h \
 src/vhost/dev.h src/vhost/loop.h src/vhost/vq.h src/vhost/mem.h \
 src/vhost/proto.h src/vhost/sockets.h
src/common/log.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/serve.h:
src/common/opts.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/sockets.h:
