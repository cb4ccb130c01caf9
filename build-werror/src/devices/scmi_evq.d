build-werror/src/devices/scmi_evq.o: src/devices/scmi_evq.c \
 src/devices/scmi.h
src/devices/scmi.h:
