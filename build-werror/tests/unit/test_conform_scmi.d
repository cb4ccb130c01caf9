build-werror/tests/unit/test_conform_scmi.o: \
 tests/unit/test_conform_scmi.c src/devices/scmi.h
src/devices/scmi.h:
