build-werror/tests/unit/test_scmi_iiobuf.o: tests/unit/test_scmi_iiobuf.c \
 src/devices/scmi.h src/vhost/loop.h
src/devices/scmi.h:
src/vhost/loop.h:
