build-werror/src/common/opts.o: src/common/opts.c src/common/log.h \
 src/common/opts.h src/common/sandbox.h src/version.h
src/common/log.h:
src/common/opts.h:
src/common/sandbox.h:
src/version.h:
