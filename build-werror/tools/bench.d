build-werror/tools/bench.o: tools/bench.c src/devices/scmi.h \
 tools/../tests/frontend/fe.h src/vhost/proto.h src/vhost/virtio.h \
 tools/../tests/frontend/itest.h tools/../tests/frontend/fe.h \
 tools/../tests/frontend/proc.h tools/../tests/frontend/proc.h
src/devices/scmi.h:
tools/../tests/frontend/fe.h:
src/vhost/proto.h:
src/vhost/virtio.h:
tools/../tests/frontend/itest.h:
tools/../tests/frontend/fe.h:
tools/../tests/frontend/proc.h:
tools/../tests/frontend/proc.h:
