build-werror/src/devices/scmi.o: src/devices/scmi.c src/common/iov.h \
 src/common/log.h src/common/opts.h src/devices/scmi.h src/vhost/dev.h \
 src/vhost/loop.h src/vhost/virtio.h src/vhost/vq.h src/vhost/mem.h \
 src/vhost/proto.h src/vhost/serve.h src/vhost/sockets.h src/vhost/loop.h
src/common/iov.h:
src/common/log.h:
src/common/opts.h:
src/devices/scmi.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/virtio.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/serve.h:
src/vhost/sockets.h:
src/vhost/loop.h:
