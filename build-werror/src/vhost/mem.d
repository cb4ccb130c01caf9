build-werror/src/vhost/mem.o: src/vhost/mem.c src/vhost/mem.h \
 src/vhost/proto.h src/vhost/virtio.h
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
