build-werror/tests/unit/test_opts.o: tests/unit/test_opts.c \
 src/common/opts.h
src/common/opts.h:
