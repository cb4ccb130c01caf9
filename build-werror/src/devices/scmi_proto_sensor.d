build-werror/src/devices/scmi_proto_sensor.o: \
 src/devices/scmi_proto_sensor.c src/devices/scmi.h \
 src/devices/scmi_proto.h
src/devices/scmi.h:
src/devices/scmi_proto.h:
