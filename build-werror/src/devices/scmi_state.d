build-werror/src/devices/scmi_state.o: src/devices/scmi_state.c \
 src/devices/scmi.h src/version.h
src/devices/scmi.h:
src/version.h:
