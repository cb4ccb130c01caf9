build-werror/tests/unit/test_iov.o: tests/unit/test_iov.c \
 src/common/iov.h
src/common/iov.h:
