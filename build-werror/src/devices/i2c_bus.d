build-werror/src/devices/i2c_bus.o: src/devices/i2c_bus.c \
 src/common/iov.h src/common/log.h src/devices/i2c.h src/vhost/vq.h \
 src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h src/vhost/work.h \
 src/vhost/loop.h src/devices/imgfile.h src/vhost/loop.h
src/common/iov.h:
src/common/log.h:
src/devices/i2c.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
src/devices/imgfile.h:
src/vhost/loop.h:
