build-werror/tests/unit/test_scmi_sensors.o: \
 tests/unit/test_scmi_sensors.c src/devices/scmi.h
src/devices/scmi.h:
