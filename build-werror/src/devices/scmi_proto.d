build-werror/src/devices/scmi_proto.o: src/devices/scmi_proto.c \
 src/devices/scmi.h src/devices/scmi_proto.h
src/devices/scmi.h:
src/devices/scmi_proto.h:
