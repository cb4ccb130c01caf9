build-werror/src/main.o: src/main.c src/common/install.h src/common/log.h \
 src/common/opts.h src/common/sandbox.h src/common/opts.h src/version.h \
 src/devices.def
src/common/install.h:
src/common/log.h:
src/common/opts.h:
src/common/sandbox.h:
src/common/opts.h:
src/version.h:
src/devices.def:
