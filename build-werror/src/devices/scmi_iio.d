build-werror/src/devices/scmi_iio.o: src/devices/scmi_iio.c \
 src/common/log.h src/common/sandbox.h src/common/opts.h \
 src/devices/scmi.h
src/common/log.h:
src/common/sandbox.h:
src/common/opts.h:
src/devices/scmi.h:
