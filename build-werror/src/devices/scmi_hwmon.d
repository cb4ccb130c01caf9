build-werror/src/devices/scmi_hwmon.o: src/devices/scmi_hwmon.c \
 src/common/sandbox.h src/common/opts.h src/devices/scmi.h
src/common/sandbox.h:
src/common/opts.h:
src/devices/scmi.h:
