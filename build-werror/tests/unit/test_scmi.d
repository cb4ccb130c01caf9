build-werror/tests/unit/test_scmi.o: tests/unit/test_scmi.c \
 src/devices/scmi.h src/version.h
src/devices/scmi.h:
src/version.h:
