build-werror/src/devices/scmi_iiobuf.o: src/devices/scmi_iiobuf.c \
 src/devices/scmi.h src/vhost/loop.h
src/devices/scmi.h:
src/vhost/loop.h:
