build-werror/src/devices/gpio.o: src/devices/gpio.c src/common/log.h \
 src/common/opts.h src/devices/gpio.h src/vhost/loop.h src/vhost/vq.h \
 src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h src/vhost/dev.h \
 src/vhost/loop.h src/vhost/vq.h src/vhost/serve.h src/vhost/sockets.h \
 src/vhost/proto.h
src/common/log.h:
src/common/opts.h:
src/devices/gpio.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/vq.h:
src/vhost/serve.h:
src/vhost/sockets.h:
src/vhost/proto.h:
