build-werror/src/devices/i2c_ds1307.o: src/devices/i2c_ds1307.c \
 src/devices/i2c.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h src/vhost/work.h src/vhost/loop.h \
 src/devices/imgfile.h src/vhost/loop.h
src/devices/i2c.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
src/vhost/work.h:
src/vhost/loop.h:
src/devices/imgfile.h:
src/vhost/loop.h:
