build-werror/src/devices/scmi_fake.o: src/devices/scmi_fake.c \
 src/devices/scmi.h
src/devices/scmi.h:
