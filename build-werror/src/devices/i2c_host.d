build-werror/src/devices/i2c_host.o: src/devices/i2c_host.c \
 src/common/sandbox.h src/common/opts.h src/devices/i2c.h src/vhost/vq.h \
 src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h src/vhost/work.h \
 src/vhost/loop.h src/devices/imgfile.h src/vhost/loop.h
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
