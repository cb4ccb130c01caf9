build-werror/src/common/install.o: src/common/install.c \
 src/common/install.h src/common/opts.h
src/common/install.h:
src/common/opts.h:
