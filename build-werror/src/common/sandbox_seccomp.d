build-werror/src/common/sandbox_seccomp.o: src/common/sandbox_seccomp.c \
 src/common/log.h src/common/sandbox.h src/common/opts.h \
 src/common/sandbox_int.h
src/common/log.h:
src/common/sandbox.h:
src/common/opts.h:
src/common/sandbox_int.h:
