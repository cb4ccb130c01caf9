build-werror/src/devices/i2c_pca9555.o: src/devices/i2c_pca9555.c \
 src/common/log.h src/devices/i2c.h src/vhost/vq.h src/vhost/mem.h \
 src/vhost/proto.h src/vhost/virtio.h src/vhost/work.h src/vhost/loop.h \
 src/devices/imgfile.h src/vhost/loop.h
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
