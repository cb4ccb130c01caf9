build-werror/tests/unit/devfx.o: tests/unit/devfx.c src/common/log.h \
 tests/unit/devfx.h src/vhost/dev.h src/vhost/loop.h src/vhost/virtio.h \
 src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h src/vhost/loop.h \
 src/vhost/proto.h
src/common/log.h:
tests/unit/devfx.h:
src/vhost/dev.h:
src/vhost/loop.h:
src/vhost/virtio.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/loop.h:
src/vhost/proto.h:
