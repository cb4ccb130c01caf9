build-werror/src/devices/scmi_sysfs.o: src/devices/scmi_sysfs.c \
 src/devices/scmi.h
src/devices/scmi.h:
