build-werror/src/devices/i2c.o: src/devices/i2c.c src/common/log.h \
 src/common/sandbox.h src/common/opts.h src/devices/i2c.h src/vhost/vq.h \
 src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h src/vhost/work.h \
 src/vhost/loop.h src/devices/imgfile.h src/vhost/loop.h src/vhost/dev.h \
 src/vhost/vq.h src/vhost/serve.h src/vhost/sockets.h
src/common/log.h:
src/common/sandbox.h:
src/common/opts.h:
src/devices/i2c.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
src/devices/imgfile.h:
src/vhost/loop.h:
src/vhost/dev.h:
src/vhost/vq.h:
src/vhost/serve.h:
src/vhost/sockets.h:
