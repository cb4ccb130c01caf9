build-werror/src/common/sandbox.o: src/common/sandbox.c src/common/log.h \
 src/common/opts.h src/common/sandbox.h src/common/sandbox_int.h
src/common/log.h:
src/common/opts.h:
src/common/sandbox.h:
src/common/sandbox_int.h:
