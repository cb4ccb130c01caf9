build-werror/tests/fuzz/fuzz_scmi.o: tests/fuzz/fuzz_scmi.c \
 src/common/log.h src/devices/scmi.h tests/fuzz/fuzz_util.h \
 src/vhost/vq.h src/vhost/mem.h src/vhost/proto.h src/vhost/virtio.h
src/common/log.h:
src/devices/scmi.h:
tests/fuzz/fuzz_util.h:
src/vhost/vq.h:
src/vhost/mem.h:
src/vhost/proto.h:
src/vhost/virtio.h:
