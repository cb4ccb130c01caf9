build-werror/src/vhost/vq.o: src/vhost/vq.c src/common/log.h \
 src/vhost/efd.h src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/virtio.h
src/common/log.h:
src/vhost/efd.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
