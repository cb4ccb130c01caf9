build-werror/src/devices/rng.o: src/devices/rng.c src/common/log.h \
 src/common/opts.h src/common/sandbox.h src/vhost/dev.h src/vhost/loop.h \
 src/vhost/virtio.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/serve.h src/vhost/sockets.h src/vhost/loop.h
src/common/log.h:
src/common/opts.h:
src/common/sandbox.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/virtio.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/serve.h:
src/vhost/sockets.h:
src/vhost/loop.h:
