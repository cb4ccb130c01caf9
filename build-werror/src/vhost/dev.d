build-werror/src/vhost/dev.o: src/vhost/dev.c src/common/log.h \
 src/common/sandbox.h src/common/opts.h src/vhost/dev_int.h \
 src/vhost/dev.h src/vhost/loop.h src/vhost/virtio.h src/vhost/vq.h \
 src/vhost/mem.h src/vhost/proto.h src/vhost/mem.h src/vhost/proto.h \
 src/vhost/efd.h
src/common/log.h:
src/common/sandbox.h:
src/common/opts.h:
src/vhost/dev_int.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/virtio.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/efd.h:
